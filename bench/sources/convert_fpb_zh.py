#!/usr/bin/env python3
"""Convert the Chinese machine translation of Financial PhraseBank v1.0 shipped in
kxzxvbk/FinSentiment into newsclf's `text,label` CSV format.

Input: either the git directory of a fetched snapshot of kxzxvbk/FinSentiment
(e.g. /work/.mirror/kxzxvbk+FinSentiment/repo) or a plain directory that holds
the files of `data/FinancialPhraseBank-v1.0/` (dataset_zh_split50.pkl,
dataset_en_split50.pkl, Sentences_{50,66,75,All}Agree.txt).

Output: <outdir>/train.csv and <outdir>/dev.csv, UTF-8, header `text,label`,
labels positive / neutral / negative.

Python 3.11 standard library only.  The pickles are read with an Unpickler that
refuses every global, so only plain dict / list / str objects can be loaded.

Usage:
  python3 convert_fpb_zh.py SRC OUTDIR [--min-agree 50|66|75|100] [--dev-frac 0.12] [--seed 17]
"""
import argparse
import collections
import io
import os
import pickle
import re
import subprocess
import sys

from tone_csv import print_counts, write_split

SUBDIR = "data/FinancialPhraseBank-v1.0"
FILES = {
    "zh": "dataset_zh_split50.pkl",
    "en": "dataset_en_split50.pkl",
    50: "Sentences_50Agree.txt",
    66: "Sentences_66Agree.txt",
    75: "Sentences_75Agree.txt",
    100: "Sentences_AllAgree.txt",
}
LABELS = ("positive", "neutral", "negative")


class PlainUnpickler(pickle.Unpickler):
    def find_class(self, module, name):  # no classes, no callables
        raise pickle.UnpicklingError(f"refusing global {module}.{name}")


def read_source(src, name):
    """Return the bytes of SUBDIR/name from a git dir (HEAD) or a plain dir."""
    if os.path.isfile(os.path.join(src, "HEAD")) and os.path.isdir(os.path.join(src, "objects")):
        return subprocess.run(
            ["git", "--git-dir", src, "show", f"HEAD:{SUBDIR}/{name}"],
            check=True, capture_output=True).stdout
    for cand in (os.path.join(src, SUBDIR, name), os.path.join(src, name)):
        if os.path.isfile(cand):
            with open(cand, "rb") as f:
                return f.read()
    sys.exit(f"cannot find {name} under {src}")


WS = re.compile(r"\s+")
PTB_QUOTES = re.compile(r"``|''")  # Penn-Treebank quote tokens leaked from the English source


def norm(text):
    text = text.replace("\ufeff", "")
    text = PTB_QUOTES.sub("", text)
    return WS.sub(" ", text).strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("outdir")
    ap.add_argument("--min-agree", type=int, default=50, choices=(50, 66, 75, 100))
    ap.add_argument("--dev-frac", type=float, default=0.12)
    ap.add_argument("--seed", type=int, default=17)
    a = ap.parse_args()

    zh = PlainUnpickler(io.BytesIO(read_source(a.src, FILES["zh"]))).load()
    en = PlainUnpickler(io.BytesIO(read_source(a.src, FILES["en"]))).load()
    assert len(zh["sentence"]) == len(zh["label"]) == len(en["sentence"]) == len(en["label"])
    assert [l.strip() for l in zh["label"]] == [l.strip() for l in en["label"]]

    # agreement level of every English sentence (highest file it occurs in)
    level = {}
    for lv in (50, 66, 75, 100):
        for line in read_source(a.src, FILES[lv]).decode("iso-8859-1").splitlines():
            if line.strip():
                s, lab = line.rsplit("@", 1)
                level[(s, lab.strip())] = lv

    rows, n_ptb, lv_count = [], 0, collections.Counter()
    for s_zh, s_en, lab in zip(zh["sentence"], en["sentence"], zh["label"]):
        lab = lab.strip()
        assert lab in LABELS, lab
        lv = level[(s_en, lab)]
        lv_count[lv] += 1
        if lv < a.min_agree:
            continue
        if PTB_QUOTES.search(s_zh):
            n_ptb += 1
        t = norm(s_zh)
        if t:
            rows.append((t, lab))

    # de-duplicate by exact text; texts carrying conflicting labels are dropped entirely
    labels_of = collections.defaultdict(set)
    for t, lab in rows:
        labels_of[t].add(lab)
    conflicting = {t for t, ls in labels_of.items() if len(ls) > 1}
    seen, kept, n_dup = set(), [], 0
    for t, lab in rows:
        if t in conflicting:
            continue
        if t in seen:
            n_dup += 1
            continue
        seen.add(t)
        kept.append((t, lab))

    splits = write_split(a.outdir, kept, LABELS, a.dev_frac, a.seed)

    print(f"source rows {len(zh['sentence'])}; agreement levels {dict(sorted(lv_count.items()))}")
    print(f"kept at min-agree {a.min_agree}: {len(rows)}; PTB quote tokens removed in {n_ptb}")
    print(f"conflicting texts dropped: {len(conflicting)} texts "
          f"({sum(1 for t, _ in rows if t in conflicting)} rows); exact duplicates dropped: {n_dup}")
    print_counts(splits, LABELS)

if __name__ == "__main__":
    main()
