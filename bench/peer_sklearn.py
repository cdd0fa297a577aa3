"""Peer A: Python jieba + scikit-learn TfidfVectorizer (word 1-2-grams) + LinearSVC.

usage: peer_sklearn.py TRAIN.csv TEST.csv

Trains on TRAIN, predicts TEST, and prints one JSON object with the time of each phase
(time.perf_counter, from the start of the script) and the test accuracy.
"""

import time

START = time.perf_counter()

import json
import sys

import jieba
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from common import init_jieba, read_csv, segment


def main(train_path, test_path):
    phases = {}
    clock = START

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        phases[name] = now - clock
        clock = now

    init_jieba()
    lap("init_s")
    train_texts, train_labels = read_csv(train_path)
    test_texts, test_labels = read_csv(test_path)
    lap("read_s")
    train_docs, test_docs = segment(train_texts), segment(test_texts)
    lap("segment_s")
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, min_df=2, token_pattern=r"(?u)\S+"
    )
    x_train = vectorizer.fit_transform(train_docs)
    x_test = vectorizer.transform(test_docs)
    lap("vectorize_s")
    classifier = LinearSVC().fit(x_train, train_labels)
    lap("fit_s")
    predicted = classifier.predict(x_test)
    lap("predict_s")
    correct = sum(p == t for p, t in zip(predicted, test_labels))
    print(json.dumps({
        **phases,
        "total_s": clock - START,
        "accuracy": correct / len(test_labels),
        "train_rows": len(train_labels),
        "test_rows": len(test_labels),
        "features": x_train.shape[1],
        "versions": {"scikit-learn": sklearn.__version__, "jieba": jieba.__version__},
    }))


if __name__ == "__main__":
    main(*sys.argv[1:])
