"""The streaming peer of bench/out_of_core.sh: Python jieba + scikit-learn's out-of-core
recipe, HashingVectorizer (word 1-2-grams, 2**20 buckets) + SGDClassifier.partial_fit over
chunks of the training file, which is never held in memory whole.

usage: out_of_core_peer.py TRAIN.csv TEST.csv [--chunk ROWS] [--epochs N]

Prints one JSON object: train and test time (time.perf_counter), rows and test accuracy.
"""

import argparse
import csv
import itertools
import json
import time

START = time.perf_counter()

import numpy as np
import sklearn
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import SGDClassifier

from common import init_jieba, segment


def chunks(path, size):
    """(texts, labels) of `size` rows at a time, read lazily."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f)
        while True:
            part = list(itertools.islice(rows, size))
            if not part:
                return
            yield [r["text"] for r in part], [r["label"] for r in part]


def labels_of(path):
    """The distinct labels of a CSV, read in one streaming pass (partial_fit needs them first)."""
    with open(path, encoding="utf-8", newline="") as f:
        return sorted({r["label"] for r in csv.DictReader(f)})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("train")
    parser.add_argument("test")
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()

    init_jieba()
    vectorizer = HashingVectorizer(
        n_features=2**20, ngram_range=(1, 2), alternate_sign=False, token_pattern=r"(?u)\S+"
    )
    classifier = SGDClassifier(loss="hinge", alpha=1e-5, random_state=0)
    classes = np.array(labels_of(args.train))
    rows = 0
    for _ in range(args.epochs):
        for texts, labels in chunks(args.train, args.chunk):
            x = vectorizer.transform(segment(texts))
            classifier.partial_fit(x, labels, classes=classes)
            rows += len(labels)
    train_s = time.perf_counter() - START

    correct = total = 0
    for texts, labels in chunks(args.test, args.chunk):
        predicted = classifier.predict(vectorizer.transform(segment(texts)))
        correct += sum(p == t for p, t in zip(predicted, labels))
        total += len(labels)
    print(json.dumps({
        "train_s": train_s,
        "total_s": time.perf_counter() - START,
        "rows_seen": rows,
        "epochs": args.epochs,
        "chunk": args.chunk,
        "accuracy": correct / total,
        "test_rows": total,
        "versions": {"scikit-learn": sklearn.__version__},
    }))


if __name__ == "__main__":
    main()
