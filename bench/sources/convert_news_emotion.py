#!/usr/bin/env python3
"""Convert the 30 hand-labelled Chinese financial news articles of
dongyuanxin/news-emotion (data/trainset/{pos,neu,neg}_*.txt) into newsclf's
`text,label` CSV format.

Input: the git directory of a fetched snapshot (reads HEAD) or a plain checkout
directory.  Output: <outdir>/train.csv and <outdir>/dev.csv (UTF-8, header
`text,label`, labels positive / neutral / negative).  Python 3.11 stdlib only.

Usage: python3 convert_news_emotion.py SRC OUTDIR [--dev-frac 0.12] [--seed 17]
"""
import argparse
import os
import re
import subprocess

from tone_csv import print_counts, write_split

PREFIX = {"pos": "positive", "neu": "neutral", "neg": "negative"}
LABELS = ("positive", "neutral", "negative")
WS = re.compile(r"\s+")
# source footer of finet.com.cn items (appears in every class; carries no tone)
FOOTER = re.compile(r"更多精彩内容\s*请登陆财华智库网.*$")


def list_files(src):
    if os.path.isfile(os.path.join(src, "HEAD")) and os.path.isdir(os.path.join(src, "objects")):
        out = subprocess.run(["git", "--git-dir", src, "ls-tree", "-r", "--name-only", "HEAD",
                              "data/trainset"], check=True, capture_output=True, text=True).stdout
        for p in sorted(out.split("\n")):
            if p.endswith(".txt"):
                data = subprocess.run(["git", "--git-dir", src, "show", f"HEAD:{p}"],
                                      check=True, capture_output=True).stdout
                yield p, data
    else:
        d = os.path.join(src, "data", "trainset")
        for n in sorted(os.listdir(d)):
            if n.endswith(".txt"):
                with open(os.path.join(d, n), "rb") as f:
                    yield f"data/trainset/{n}", f.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("outdir")
    ap.add_argument("--dev-frac", type=float, default=0.12)
    ap.add_argument("--seed", type=int, default=17)
    a = ap.parse_args()

    rows, n_footer = [], 0
    for path, data in list_files(a.src):
        lab = PREFIX[os.path.basename(path).split("_", 1)[0]]
        t = WS.sub(" ", data.decode("utf-8").replace("\ufeff", "")).strip()
        t2 = FOOTER.sub("", t).strip()
        n_footer += t2 != t
        rows.append((t2, lab, path))
    seen, kept, dups = set(), [], []
    for t, lab, p in rows:
        if t in seen:
            dups.append(p)
            continue
        seen.add(t)
        kept.append((t, lab))

    print_counts(write_split(a.outdir, kept, LABELS, a.dev_frac, a.seed), LABELS)
    print(f"source files {len(rows)}, footer removed {n_footer}, exact duplicates dropped {dups}")


if __name__ == "__main__":
    main()
