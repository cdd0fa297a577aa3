#!/usr/bin/env bash
# Issue 18's criterion for continued training (`newsclf train --init`), in one run:
# thucnews_titles/train.csv split into halves A and B (alternate rows, written to a
# temporary directory and removed afterwards), and the test.csv accuracy and log loss of
#   (a)   train on A
#   (b)   train --init (a) on B: A's vocabulary and IDF, weights continued on B
#   (c)   train on A+B (all of train.csv, the same rows)
#   (B)   train on B alone, for comparison
# The aim: (b) within 1 point of (c).
#
# newsclf is not built here: $NEWSCLF (default target/release/newsclf) runs.
#
# usage: bench/continued_training.sh [DATASET]   (default thucnews_titles)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
NEWSCLF=${NEWSCLF:-target/release/newsclf}
DATA=../shared/data/${1:-thucnews_titles}
[ -x "$NEWSCLF" ] || { echo "build $NEWSCLF first (cargo build --release)" >&2; exit 1; }
[ -f "$DATA/train.csv" ] || { echo "$DATA/train.csv is missing" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Alternate rows (the files have one row per line: no quoted line breaks).
awk -v a="$tmp/a.csv" -v b="$tmp/b.csv" \
  'NR == 1 { print > a; print > b; next } NR % 2 == 0 { print > a; next } { print > b }' \
  "$DATA/train.csv"

run() { # name, then the train flags
  local name=$1
  shift
  /usr/bin/time -f %e -o "$tmp/$name.time" "$NEWSCLF" train -q "$@" --out "$tmp/$name.model"
}
run a --data "$tmp/a.csv"
"$NEWSCLF" train --init "$tmp/a.model" --data "$tmp/b.csv" --out "$tmp/ab.model" 2>&1 |
  grep -E "^vocabulary kept" > "$tmp/oov.txt"
run ab_time --init "$tmp/a.model" --data "$tmp/b.csv"
run all --data "$DATA/train.csv"
run b --data "$tmp/b.csv"

figures() { # model file → "accuracy log_loss"
  "$NEWSCLF" eval --model "$1" --data "$DATA/test.csv" --format json |
    python3 -c 'import json, sys; h = next(iter(json.load(sys.stdin)["heads"].values())); print(h["accuracy"], h["log_loss"])'
}
rows() { echo $(($(wc -l < "$1") - 1)); }
printf '%-28s %7s %8s %9s %8s\n' "model ($(basename "$DATA"))" rows accuracy "log loss" "train s"
line() { # label, rows, model, time file
  read -r acc ll < <(figures "$3")
  printf '%-28s %7s %8.4f %9.4f %8s\n' "$1" "$2" "$acc" "$ll" "$(cat "$4")"
  echo "$acc" > "$3.acc"
}
line "(a) A" "$(rows "$tmp/a.csv")" "$tmp/a.model" "$tmp/a.time"
line "(b) A, then --init on B" "$(rows "$tmp/b.csv")" "$tmp/ab.model" "$tmp/ab_time.time"
line "(c) A+B" "$(rows "$DATA/train.csv")" "$tmp/all.model" "$tmp/all.time"
line "    B alone" "$(rows "$tmp/b.csv")" "$tmp/b.model" "$tmp/b.time"
python3 - "$(cat "$tmp/ab.model.acc")" "$(cat "$tmp/all.model.acc")" <<'PY'
import sys
b, c = (float(v) for v in sys.argv[1:])
gap = 100 * (c - b)
print(f"(c) - (b) = {gap:.2f} points: {'PASS' if gap <= 1.0 else 'FAIL'} (aim: within 1 point)")
PY
echo "(b) $(cat "$tmp/oov.txt")"
