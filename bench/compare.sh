#!/usr/bin/env bash
# The benchmark of issue 3: newsclf against two peers on the public datasets, all measured in
# one run on this machine.
#   peer A: Python jieba + scikit-learn TfidfVectorizer (word 1-2-grams) + LinearSVC
#           (bench/peer_sklearn.py, which times its own phases)
#   peer B: fastText supervised -wordNgrams 2 -epoch 25 on text segmented by Python jieba
#           (segmentation timed by bench/fasttext_input.py, fastText training timed alone)
# plus predict throughput against raw jieba-rs segmentation (examples/jieba_floor.rs), the
# start-up and cold-start cost, and a scale series (thucnews_titles train ×1, ×3, ×10).
# Wall time and peak RSS of each process come from GNU `/usr/bin/time -v`; repeated timings
# from hyperfine.
#
# Prints a table and the targets' PASS/FAIL lines on stdout (progress goes to stderr) and
# writes bench/out/results.json and bench/out/results.md; the raw measurements stay in
# bench/out/runs/.
#
# usage: bench/compare.sh [--quick]
#   --quick  thucnews_titles only (its model and training file also serve the predict
#            measurements), one run per file prediction, no ×3/×10 scale series
set -Eeuo pipefail # -E: the ERR trap below also fires inside functions

cd "$(dirname "${BASH_SOURCE[0]}")/.."

QUICK=0
case "$*" in
  "") ;;
  --quick) QUICK=1 ;;
  *) echo "usage: bench/compare.sh [--quick]" >&2; exit 2 ;;
esac

DATA=../shared/data
OUT=bench/out
RUNS=$OUT/runs
# The run uses copies of the binaries, so that a rebuild during the run cannot mix two builds.
NEWSCLF=$OUT/bin/newsclf
FLOOR=$OUT/bin/jieba_floor

say() { printf '[compare] %s\n' "$*" >&2; }
trap 'say "failed (line $LINENO); the logs are in $RUNS"' ERR

cpu_ticks() { # "BUSY TOTAL OURS": busy and total ticks of all CPUs (/proc/stat), and the CPU
  # ticks (user + system) of this script's finished child processes (/proc/$$/stat)
  local user nice system idle iowait irq softirq steal stat fields
  read -r _ user nice system idle iowait irq softirq steal _ </proc/stat
  stat=$(</proc/$$/stat)
  read -r -a fields <<<"${stat##*) }" # the fields after "pid (comm) "; cutime, cstime are 13, 14
  echo "$((user + nice + system + irq + softirq + steal))" \
    "$((user + nice + system + idle + iowait + irq + softirq + steal))" \
    "$((fields[13] + fields[14]))"
}

# --- peers and build ---------------------------------------------------------------------
# Install only what is missing, quietly.
if ! python3 -c 'import sklearn, jieba' 2>/dev/null; then
  say "installing scikit-learn and jieba"
  python3 -m pip install --quiet --disable-pip-version-check scikit-learn jieba
fi
if ! command -v fasttext >/dev/null || ! command -v hyperfine >/dev/null ||
  [[ "$(/usr/bin/time --version 2>&1 || true)" != *GNU* ]]; then
  say "installing fasttext, hyperfine and GNU time"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fasttext hyperfine time >/dev/null
fi
# Python jieba builds its dictionary cache on first use; build it now so that no peer pays it.
python3 -c 'import jieba, logging; jieba.setLogLevel(logging.WARNING); jieba.initialize()'
# fastText runs with its default thread count; read that default from its own help text.
FASTTEXT_THREADS=$(fasttext supervised 2>&1 | sed -n 's/^ *-thread .*\[\([0-9]*\)\]$/\1/p' || true)
[[ -n $FASTTEXT_THREADS ]] || { say "cannot read fastText's default -thread"; exit 1; }

say "building newsclf and examples/jieba_floor"
cargo build --release --quiet
cargo build --release --quiet --example jieba_floor
COMMIT=$(git describe --always --dirty) # of the build measured, should the tree move during the run
rm -rf "$RUNS"
mkdir -p "$RUNS/predict" "$OUT/data" "$OUT/bin"
cp target/release/newsclf "$NEWSCLF"
cp target/release/examples/jieba_floor "$FLOOR"

# Other work on the machine inflates every timing: count the CPU time that is not this run's.
read -r BUSY0 TOTAL0 OURS0 <<<"$(cpu_ticks)"

# --- train and evaluate, per dataset ---------------------------------------------------------
timed() { # timed REPORT COMMAND...: run COMMAND under /usr/bin/time -v, report to REPORT
  local report=$1
  shift
  /usr/bin/time -v -o "$report" "$@"
}

run_dataset() { # run_dataset NAME TRAIN.csv TEST.csv: everything lands in $RUNS/NAME
  local name=$1 train=$2 test=$3 dir=$RUNS/$1
  mkdir -p "$dir"
  say "$name: newsclf train and eval"
  timed "$dir/newsclf_train.time" "$NEWSCLF" train --data "$train" --out "$dir/newsclf.model" --quiet
  timed "$dir/newsclf_eval.time" "$NEWSCLF" eval --model "$dir/newsclf.model" --data "$test" \
    --format json >"$dir/newsclf_eval.json"
  say "$name: peer A (jieba + scikit-learn)"
  timed "$dir/peer_sklearn.time" python3 bench/peer_sklearn.py "$train" "$test" \
    >"$dir/peer_sklearn.json" 2>"$dir/peer_sklearn.log"
  say "$name: peer B (jieba segmentation, then fastText with its default $FASTTEXT_THREADS threads)"
  python3 bench/fasttext_input.py "$train" "$test" "$dir" >"$dir/fasttext_input.json"
  timed "$dir/fasttext_train.time" fasttext supervised -input "$dir/train.txt" \
    -output "$dir/fasttext" -wordNgrams 2 -epoch 25 >"$dir/fasttext_train.log" 2>&1
  fasttext test "$dir/fasttext.bin" "$dir/test.txt" >"$dir/fasttext_test.txt"
  rm "$dir/fasttext.bin" "$dir/fasttext.vec" # ~800 MB each run (2M n-gram buckets × 100 dims)
}

repeat_csv() { # repeat_csv SRC.csv N DEST.csv: the header once, then SRC's rows N times
  { head -n 1 "$1"; for ((i = 0; i < $2; i++)); do tail -n +2 "$1"; done; } >"$3"
}

TITLES_TEST=$DATA/thucnews_titles/test.csv
run_dataset thucnews_titles "$DATA/thucnews_titles/train.csv" "$TITLES_TEST"
DATASETS=(thucnews_titles)
if ((QUICK)); then
  PREDICT_MODEL=$RUNS/thucnews_titles/newsclf.model
  PREDICT_FILE=$DATA/thucnews_titles/train.csv
  PREDICT_RUNS=1
else
  for name in chnsenticorp online_shopping_10_cats; do
    run_dataset "$name" "$DATA/$name/train.csv" "$DATA/$name/test.csv"
    DATASETS+=("$name")
  done
  # Scale series: thucnews_titles itself is ×1; ×3 and ×10 repeat its training rows.
  for factor in 3 10; do
    name=thucnews_titles_x$factor
    repeat_csv "$DATA/thucnews_titles/train.csv" "$factor" "$OUT/data/$name.csv"
    run_dataset "$name" "$OUT/data/$name.csv" "$TITLES_TEST"
    DATASETS+=("$name")
  done
  PREDICT_MODEL=$RUNS/online_shopping_10_cats/newsclf.model
  PREDICT_FILE=$DATA/online_shopping_10_cats/train.csv
  PREDICT_RUNS=3
fi

# --- predict throughput, start-up and cold start --------------------------------------------
P=$RUNS/predict
bench() { # bench NAME HYPERFINE-ARGS...: hyperfine with its JSON in $P/NAME.json, its log aside
  local name=$1
  shift
  hyperfine --style basic --export-json "$P/$name.json" "$@" >"$P/$name.log" 2>&1
}
say "predict: fixed start-up and cold start"
bench startup --warmup 2 --runs 10 "$NEWSCLF predict --model $PREDICT_MODEL --threads 1 '一句话'"
bench cold --warmup 2 --runs 10 "$NEWSCLF predict '一句话'"
for threads in 1 2; do
  say "predict: $PREDICT_FILE with $threads thread(s), $PREDICT_RUNS run(s), and the jieba-rs floor"
  bench "predict_t$threads" --runs "$PREDICT_RUNS" \
    "$NEWSCLF predict --model $PREDICT_MODEL --input $PREDICT_FILE --format csv --threads $threads > /dev/null"
  for ((run = 1; run <= PREDICT_RUNS; run++)); do
    "$FLOOR" "$PREDICT_FILE" --threads "$threads" >"$P/floor_t${threads}_$run.json"
  done
done

read -r BUSY1 TOTAL1 OURS1 <<<"$(cpu_ticks)"
OTHER_PERCENT=$((100 * (BUSY1 - BUSY0 - (OURS1 - OURS0)) / (TOTAL1 - TOTAL0)))

# --- report --------------------------------------------------------------------------------
QUICK_FLAG=()
if ((QUICK)); then QUICK_FLAG=(--quick); fi
python3 bench/report.py "$OUT" "${DATASETS[@]}" "${QUICK_FLAG[@]}" \
  --predict-file "$PREDICT_FILE" --fasttext-threads "$FASTTEXT_THREADS" \
  --commit "$COMMIT" --other-cpu-percent "$((OTHER_PERCENT < 0 ? 0 : OTHER_PERCENT))"
say "wrote $OUT/results.json and $OUT/results.md"
