#!/usr/bin/env bash
# The benchmark of issue 18 (training on archives bigger than memory), in one run on this
# machine: for thucnews_titles/train.csv repeated ×10 and ×30 and
# thucnews_articles_sample/train.csv repeated ×10, the peak RSS, wall time and test accuracy of
#   - newsclf train (in memory),
#   - newsclf train --memory-limit 64M (bounded memory; a "not available" row until the
#     binary has the flag),
#   - scikit-learn's out-of-core recipe: HashingVectorizer + SGDClassifier.partial_fit over
#     chunks of 10,000 rows (bench/out_of_core_peer.py, Python jieba),
# beside the peak RSS of a bare `newsclf predict` with the same model, which the issue's aim
# (bounded training within 96 MB of it) is measured against.
# Wall time and peak RSS per process from GNU `/usr/bin/time -v`.
#
# usage: bench/out_of_core.sh [--quick]     (--quick: thucnews_titles ×10 only)
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

QUICK=0
case "$*" in
  "") ;;
  --quick) QUICK=1 ;;
  *) echo "usage: bench/out_of_core.sh [--quick]" >&2; exit 2 ;;
esac

DATA=../shared/data
OUT=bench/out/out_of_core
say() { printf '[out_of_core] %s\n' "$*" >&2; }
trap 'say "failed (line $LINENO); the logs are in $OUT"' ERR

if ! python3 -c 'import sklearn, jieba' 2>/dev/null; then
  say "installing scikit-learn and jieba"
  python3 -m pip install --quiet --disable-pip-version-check scikit-learn jieba
fi
if [[ "$(/usr/bin/time --version 2>&1 || true)" != *GNU* ]]; then
  say "installing GNU time"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
python3 -c 'import jieba, logging; jieba.setLogLevel(logging.WARNING); jieba.initialize()'

say "building newsclf"
cargo build --release --quiet
rm -rf "$OUT"
mkdir -p "$OUT"
NEWSCLF=$OUT/newsclf
cp target/release/newsclf "$NEWSCLF"
COMMIT=$(git describe --always --dirty)
LIMIT_FLAG=0
if "$NEWSCLF" train --help | grep -q -- '--memory-limit'; then LIMIT_FLAG=1; fi

repeat_csv() { # repeat_csv SRC.csv N DEST.csv: the header once, then SRC's rows N times
  { head -n 1 "$1"; for ((i = 0; i < $2; i++)); do tail -n +2 "$1"; done; } >"$3"
}
peak_mb() { sed -n 's/^\tMaximum resident set size (kbytes): //p' "$1" | awk '{printf "%.0f", $1 / 1000}'; }
wall_s() {
  sed -n 's/^\tElapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1" |
    awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }'
}
accuracy_of() { python3 -c 'import json,sys; h = json.load(open(sys.argv[1]))["heads"]; print("%.4f" % next(iter(h.values()))["accuracy"])' "$1"; }

ROWS=()
run_case() { # run_case NAME SRC_DIR FACTOR
  local name=$1 src=$2 factor=$3 dir=$OUT/$1
  mkdir -p "$dir"
  repeat_csv "$DATA/$src/train.csv" "$factor" "$dir/train.csv"
  local test=$DATA/$src/test.csv rows mb
  rows=$(python3 -c 'import csv, sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline=""))))' "$dir/train.csv")
  mb=$(du -m "$dir/train.csv" | cut -f1)

  say "$name: newsclf train (in memory)"
  /usr/bin/time -v -o "$dir/mem.time" "$NEWSCLF" train --data "$dir/train.csv" --out "$dir/mem.model" --quiet
  "$NEWSCLF" eval --model "$dir/mem.model" --data "$test" --format json >"$dir/mem_eval.json"
  /usr/bin/time -v -o "$dir/predict.time" "$NEWSCLF" predict --model "$dir/mem.model" '一句话' >/dev/null
  ROWS+=("$name|$rows|$mb|newsclf in memory|$(wall_s "$dir/mem.time")|$(peak_mb "$dir/mem.time")|$(accuracy_of "$dir/mem_eval.json")|$(peak_mb "$dir/predict.time")")

  if ((LIMIT_FLAG)); then
    say "$name: newsclf train --memory-limit 64M"
    /usr/bin/time -v -o "$dir/lim.time" "$NEWSCLF" train --data "$dir/train.csv" --out "$dir/lim.model" \
      --memory-limit 64M --quiet
    "$NEWSCLF" eval --model "$dir/lim.model" --data "$test" --format json >"$dir/lim_eval.json"
    ROWS+=("$name|$rows|$mb|newsclf --memory-limit 64M|$(wall_s "$dir/lim.time")|$(peak_mb "$dir/lim.time")|$(accuracy_of "$dir/lim_eval.json")|")
  else
    ROWS+=("$name|$rows|$mb|newsclf --memory-limit 64M|not available in $COMMIT|||")
  fi

  say "$name: scikit-learn HashingVectorizer + SGDClassifier.partial_fit"
  /usr/bin/time -v -o "$dir/peer.time" python3 bench/out_of_core_peer.py "$dir/train.csv" "$test" >"$dir/peer.json"
  ROWS+=("$name|$rows|$mb|sklearn hashing + SGD partial_fit|$(wall_s "$dir/peer.time")|$(peak_mb "$dir/peer.time")|$(python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["accuracy"])' "$dir/peer.json")|")
  rm -f "$dir/train.csv" # up to 100 MB each
}

run_case thucnews_titles_x10 thucnews_titles 10
if ((!QUICK)); then
  run_case thucnews_titles_x30 thucnews_titles 30
  run_case thucnews_articles_x10 thucnews_articles_sample 10
fi

{
  echo "Measured by \`bench/out_of_core.sh$( ((QUICK)) && echo ' --quick')\` on $(date -u +%Y-%m-%d): $(nproc) cores; commit $COMMIT."
  echo
  echo "| data | train rows | MB | system | wall s | peak RSS MB | test accuracy | bare predict RSS MB |"
  echo "|---|---:|---:|---|---:|---:|---:|---:|"
  for row in "${ROWS[@]}"; do echo "| ${row//|/ | } |"; done
} | tee "$OUT/results.md"
