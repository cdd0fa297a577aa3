#!/usr/bin/env python3
"""Convert BBT-FinCUGE FinFE (financial forum / social-media sentiment, 3-way)
train and dev files into newsclf's `text,label` CSV format.

NOT RUN ON THE REAL DATA in this research task. The data lives in
ssymmetry/BBT-FinCUGE-Applications, and that repository's history also holds the
reserved FinNSP / FinNL test files, so we did not fetch it. The script is meant
for the project lead, who already keeps a snapshot of that repository for
shared/data/finnsp and finnl. It reads ONLY the FinFE train and dev files.

Input format (seen in FinCUGE_Publish/finfe/train_list.json, blob at commit
adf4b37311ee56216ddd86aa5e92063185ab42cd): a UTF-8 JSON list of
[text, label] pairs with label 0 / 1 / 2. Judging by the texts
("补仓补的心力憔悴"→0, "一季报预报什么时候发出来的"→1, "重仓买入明天涨停"→2), the
mapping is 0 = negative, 1 = neutral, 2 = positive. Check it against the
BBT-FinCUGE README before publishing.

Usage:
  python3 convert_finfe.py TRAIN_JSON DEV_JSON OUTDIR
  (e.g. train = FinCUGE_Publish/finfe/train_list.json, dev = .../eval_list.json,
   extracted with `git show HEAD:<path> > file`; never pass a test/problem file)
  python3 convert_finfe.py --selftest
"""
import collections
import csv
import json
import os
import re
import sys
import tempfile

LABEL = {0: "negative", 1: "neutral", 2: "positive"}
ORDER = ("positive", "neutral", "negative")
WS = re.compile(r"\s+")


def norm(t):
    t = t.replace("\ufeff", "")
    t = WS.sub(" ", t).strip()
    # some items are wrapped in literal double quotes ("\"定投开始,...\"")
    if len(t) >= 2 and t[0] == t[-1] == '"':
        t = t[1:-1].strip()
    return t


def load(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    rows = []
    for item in data:
        text, lab = item[0], int(item[1])
        rows.append((norm(text), LABEL[lab]))
    return rows


def convert(train_json, dev_json, outdir):
    if any(k in os.path.basename(p).lower() for p in (train_json, dev_json)
           for k in ("test", "problem")):
        sys.exit("refusing a test/problem file: FinFE train and dev only")
    splits = {"train": load(train_json), "dev": load(dev_json)}
    stats = {}
    # texts carrying conflicting labels (inside a split or across splits) are dropped entirely
    labs = collections.defaultdict(set)
    for rows in splits.values():
        for t, l in rows:
            labs[t].add(l)
    conflicting = {t for t, s in labs.items() if len(s) > 1}
    dev_texts = {t for t, _ in splits["dev"]}
    os.makedirs(outdir, exist_ok=True)
    for name in ("dev", "train"):
        seen, out = set(), []
        n_conf = n_dup = n_cross = n_empty = 0
        for t, l in splits[name]:
            if not t:
                n_empty += 1
            elif t in conflicting:
                n_conf += 1
            elif t in seen:
                n_dup += 1
            elif name == "train" and t in dev_texts:
                n_cross += 1  # keep the dev copy, drop the train copy
            else:
                seen.add(t)
                out.append((t, l))
        with open(os.path.join(outdir, f"{name}.csv"), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["text", "label"])
            w.writerows(out)
        c = collections.Counter(l for _, l in out)
        stats[name] = dict(source=len(splits[name]), kept=len(out), empty=n_empty,
                           conflicting=n_conf, duplicate=n_dup, train_copy_of_dev=n_cross,
                           **{l: c[l] for l in ORDER})
        print(name, stats[name])
    return stats


def selftest():
    tr = [["涨停了，加仓", 2], ["今天什么情况？", 1], ["又跌了，割肉", 0], ["又跌了，割肉", 0],
          ["同一句话", 0], ["同一句话", 2], ["\"带引号的\"", 2], ["在验证集里也有", 1]]
    dv = [["明天见分晓", 1], ["在验证集里也有", 1], ["亏麻了", 0]]
    with tempfile.TemporaryDirectory() as d:
        for n, rows in (("train_list.json", tr), ("eval_list.json", dv)):
            with open(os.path.join(d, n), "w", encoding="utf-8") as f:
                json.dump(rows, f, ensure_ascii=False)
        s = convert(os.path.join(d, "train_list.json"), os.path.join(d, "eval_list.json"),
                    os.path.join(d, "out"))
        assert s["train"]["kept"] == 4 and s["train"]["conflicting"] == 2
        assert s["train"]["duplicate"] == 1 and s["train"]["train_copy_of_dev"] == 1
        assert s["dev"]["kept"] == 3
        with open(os.path.join(d, "out", "train.csv"), encoding="utf-8") as f:
            assert "带引号的,positive" in f.read()
    print("selftest ok")


if __name__ == "__main__":
    if sys.argv[1:] == ["--selftest"]:
        selftest()
    elif len(sys.argv) == 4:
        convert(*sys.argv[1:])
    else:
        sys.exit(__doc__)
