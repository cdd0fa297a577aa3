"""Peer B's input: segment a train and a test CSV with Python jieba into fastText's format,
`__label__<label> tok tok …`, one line per row.

usage: fasttext_input.py TRAIN.csv TEST.csv OUT_DIR

Writes OUT_DIR/train.txt and OUT_DIR/test.txt and prints one JSON object with jieba's
start-up time and the segmentation time of both files (time.perf_counter; reading and
writing the files are not counted).
"""

import json
import sys
import time
from pathlib import Path

from common import init_jieba, read_csv, segment


def main(train_path, test_path, out_dir):
    clock = time.perf_counter()
    init_jieba()
    init_s = time.perf_counter() - clock
    segment_s = 0.0
    for name, path in (("train", train_path), ("test", test_path)):
        texts, labels = read_csv(path)
        clock = time.perf_counter()
        docs = segment(texts)
        segment_s += time.perf_counter() - clock
        lines = "".join(f"__label__{label} {doc}\n" for label, doc in zip(labels, docs))
        Path(out_dir, f"{name}.txt").write_text(lines, encoding="utf-8")
    print(json.dumps({"init_s": init_s, "segment_s": segment_s}))


if __name__ == "__main__":
    main(*sys.argv[1:])
