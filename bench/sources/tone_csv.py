"""What the tone-source converters share: a stratified dev split and the `text,label` CSVs."""

import collections
import csv
import os
import random


def write_split(outdir, kept, labels, dev_frac, seed):
    """Writes OUTDIR/train.csv and dev.csv from `kept` ((text, label) pairs): a stratified
    `dev_frac` of each label (at least one row) goes to dev, drawn with `seed`.
    Returns {split: rows}."""
    rng = random.Random(seed)
    by_label = collections.defaultdict(list)
    for i, (_, label) in enumerate(kept):
        by_label[label].append(i)
    dev = set()
    for label in labels:
        idx = by_label[label][:]
        rng.shuffle(idx)
        dev.update(idx[: max(1, round(len(idx) * dev_frac))])
    os.makedirs(outdir, exist_ok=True)
    splits = {"train": [r for i, r in enumerate(kept) if i not in dev],
              "dev": [r for i, r in enumerate(kept) if i in dev]}
    for name, rows in splits.items():
        with open(os.path.join(outdir, f"{name}.csv"), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["text", "label"])
            w.writerows(rows)
    return splits


def print_counts(splits, labels):
    """One line per split: its rows and the rows per label."""
    for name, rows in splits.items():
        c = collections.Counter(label for _, label in rows)
        print(name, len(rows), {label: c[label] for label in labels})
