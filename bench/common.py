"""Shared by the peer scripts: read a `text,label` CSV and segment it with Python jieba."""

import csv
import logging

import jieba


def read_csv(path):
    """The text and label columns of a CSV with a header."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def init_jieba():
    """Load jieba's dictionary now rather than on the first cut, and silence its log."""
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()


def segment(texts):
    """Each text as its jieba tokens (accurate mode, HMM on) joined by single spaces;
    whitespace inside a text, newlines included, becomes one separator."""
    return [" ".join(" ".join(jieba.lcut(t)).split()) for t in texts]
