#!/usr/bin/env bash
# The README's accuracy table: newsclf at its default settings against six Python jieba +
# scikit-learn peers ({word, word+char} TF-IDF × {LinearSVC, LogisticRegression, ComplementNB},
# bench/peer_accuracy.py) on the public datasets, with the accuracy targets' PASS/FAIL.
#
# Prints the table (markdown), the peers against the issue's reference numbers and the
# PASS/FAIL lines on stdout, progress on stderr. Writes bench/out/accuracy.json and
# bench/out/accuracy.md; the peers' results are cached in bench/out/accuracy_peers.json and
# newsclf's eval output stays in bench/out/accuracy_runs/.
#
# newsclf is not built here: the script runs a copy of $NEWSCLF (default
# target/release/newsclf), so build that first.
#
# usage: bench/accuracy.sh [--datasets NAME,NAME...] [--skip-peers]
#   --datasets    only these datasets (default: all six)
#   --skip-peers  run newsclf only and take the peers' results from bench/out/accuracy_peers.json
set -Eeuo pipefail # -E: the ERR trap below also fires inside functions

COMMAND=$(printf '%q ' "$0" "$@")
COMMAND=${COMMAND% }
export LC_NUMERIC=C # EPOCHREALTIME with a decimal point
T0=$EPOCHREALTIME
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ALL=(thucnews_titles chnsenticorp online_shopping_10_cats waimai_10k thucnews_articles_sample
  sogou_mini_articles)
DATA=../shared/data
OUT=bench/out
RUNS=$OUT/accuracy_runs
PEERS=$OUT/accuracy_peers.json
SOURCE_BIN=${NEWSCLF:-target/release/newsclf}

say() { printf '[accuracy] %s\n' "$*" >&2; }
usage() {
  echo "usage: bench/accuracy.sh [--datasets NAME,NAME...] [--skip-peers]" >&2
  echo "datasets: ${ALL[*]}" >&2
  exit 2
}

DATASETS=("${ALL[@]}")
SKIP_PEERS=0
while (($#)); do
  case $1 in
    --datasets) (($# >= 2)) || usage; IFS=, read -r -a DATASETS <<<"$2"; shift 2 ;;
    --datasets=*) IFS=, read -r -a DATASETS <<<"${1#*=}"; shift ;;
    --skip-peers) SKIP_PEERS=1; shift ;;
    *) usage ;;
  esac
done
((${#DATASETS[@]})) || usage
for name in "${DATASETS[@]}"; do
  [[ " ${ALL[*]} " == *" $name "* ]] || { say "unknown dataset: $name"; usage; }
done

# --- newsclf: a private copy, so that a rebuild during the run cannot swap the binary ----------
[[ -x $SOURCE_BIN ]] || { say "no $SOURCE_BIN: build it first (cargo build --release) or set NEWSCLF"; exit 1; }
if [[ -n $(find src Cargo.toml Cargo.lock -newer "$SOURCE_BIN" -print -quit) ]]; then
  say "warning: $SOURCE_BIN is older than the sources; it may not be the commit reported"
fi
COMMIT=$(git rev-parse --short HEAD)
[[ -z $(git status --porcelain --untracked-files=no) ]] || COMMIT+=-dirty
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
trap 'say "failed (line $LINENO)"' ERR
BIN=$WORK/newsclf
cp "$SOURCE_BIN" "$BIN"
mkdir -p "$RUNS"

seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; } # seconds FROM TO

for name in "${DATASETS[@]}"; do
  dir=$RUNS/$name
  rm -rf "$dir"
  mkdir -p "$dir"
  say "$name: newsclf train (default settings) and eval"
  start=$EPOCHREALTIME
  "$BIN" train --data "$DATA/$name/train.csv" --out "$WORK/model" --quiet
  trained=$EPOCHREALTIME
  "$BIN" eval --model "$WORK/model" --data "$DATA/$name/test.csv" --format json --quiet \
    >"$dir/newsclf_eval.json"
  printf '{"train_wall_s": %s, "eval_wall_s": %s}\n' \
    "$(seconds "$start" "$trained")" "$(seconds "$trained" "$EPOCHREALTIME")" >"$dir/newsclf_times.json"
  rm "$WORK/model"
done

# --- peers ---------------------------------------------------------------------------------
if ((SKIP_PEERS)); then
  [[ -f $PEERS ]] || { say "no $PEERS to reuse: run once without --skip-peers"; exit 1; }
  say "peers: reusing $PEERS"
else
  # Install only what is missing, quietly.
  if ! python3 -c 'import sklearn, scipy, jieba' 2>/dev/null; then
    say "installing scikit-learn and jieba"
    python3 -m pip install --quiet --disable-pip-version-check scikit-learn jieba
  fi
  python3 bench/peer_accuracy.py "$PEERS" "$DATA" "${DATASETS[@]}"
fi

# --- report --------------------------------------------------------------------------------
SKIP_FLAG=()
if ((SKIP_PEERS)); then SKIP_FLAG=(--skip-peers); fi
python3 bench/accuracy_report.py "$OUT" "${DATASETS[@]}" "${SKIP_FLAG[@]}" --commit "$COMMIT" \
  --command "$COMMAND" --binary "$SOURCE_BIN" --elapsed-s "$(seconds "$T0" "$EPOCHREALTIME")"
say "wrote $OUT/accuracy.json and $OUT/accuracy.md"
