#!/usr/bin/env bash
# The benchmark of issues 3 and 19: newsclf against two peers on the public datasets, and
# against the newsclf of a baseline commit, all measured in one run on this machine.
#   peer A: Python jieba + scikit-learn TfidfVectorizer (word 1-2-grams) + LinearSVC
#           (bench/peer_sklearn.py, which times its own phases)
#   peer B: fastText supervised -wordNgrams 2 -epoch 25 on text segmented by Python jieba
#           (segmentation timed by bench/fasttext_input.py, fastText training timed alone)
# plus predict throughput at 1 and 2 threads against raw jieba-rs segmentation
# (examples/jieba_floor.rs), the start-up and cold-start cost, a scale series (thucnews_titles
# train ×1, ×3, ×10), and the baseline comparison: the newsclf binary of the baseline commit,
# built in a throwaway git worktree, against this tree's, on the cold start with the default
# model, the training time on thucnews_titles and the 1-thread predict throughput.
# Wall time and peak RSS of each process come from GNU `/usr/bin/time -v`; repeated timings
# from hyperfine.
#
# Prints a table and the targets' PASS/FAIL lines on stdout (progress goes to stderr) and
# writes bench/out/results.json and bench/out/results.md; the raw measurements stay in
# bench/out/runs/.
#
# usage: bench/compare.sh [--quick] [--baseline REV|none]
#   --quick          thucnews_titles only (its model and training file also serve the predict
#                    measurements), one run per file prediction, no ×3/×10 scale series
#   --baseline REV   the commit to compare with (any git revision). Default: the first word
#                    of bench/baseline_commit if that file exists, else HEAD~1 (skipped, with a
#                    warning, if HEAD~1 does not exist, as in a shallow clone). Its binary is
#                    built once per commit hash under bench/out/baseline/ and reused after.
#   --baseline none  no baseline comparison (and no baseline build)
set -Eeuo pipefail # -E: the ERR trap below also fires inside functions

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd -P)

usage() { sed -n 's/^# \{0,1\}//; /^usage:/,/^ *--baseline none/p' "${BASH_SOURCE[0]}"; }
QUICK=0
BASELINE=
BASELINE_FROM=
while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --baseline)
      (($# >= 2)) || { usage >&2; exit 2; }
      BASELINE=$2 BASELINE_FROM=--baseline
      shift
      ;;
    --baseline=*) BASELINE=${1#--baseline=} BASELINE_FROM=--baseline ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

DATA=../shared/data
OUT=bench/out
RUNS=$OUT/runs
# The run uses copies of the binaries, so that a rebuild during the run cannot mix two builds.
NEWSCLF=$OUT/bin/newsclf
FLOOR=$OUT/bin/jieba_floor
BASE_DIR=$OUT/baseline
BASE_SRC=$BASE_DIR/src # the baseline's git worktree, there only while it builds

exec 3>&2 # the script's stderr, for messages from inside redirected commands
say() { printf '[compare] %s\n' "$*" >&3; }
trap 'say "failed (line $LINENO); the logs are in $RUNS"' ERR

# --- the baseline commit -------------------------------------------------------------------
# Resolved before anything slow, so that a wrong --baseline fails at once.
if [[ -z $BASELINE_FROM ]]; then
  if [[ -f bench/baseline_commit ]]; then
    BASELINE=$(sed 's/#.*//' bench/baseline_commit | awk 'NF { print $1; exit }')
    BASELINE_FROM=bench/baseline_commit
    [[ -n $BASELINE ]] || { say "bench/baseline_commit names no commit"; exit 2; }
  else
    BASELINE=HEAD~1 BASELINE_FROM=default
  fi
fi
BASE_HASH=
BASE_NOTE= # why there is no (complete) baseline comparison; empty when there is one
if [[ $BASELINE == none ]]; then
  BASE_NOTE="skipped (--baseline none)"
elif BASE_HASH=$(git rev-parse --verify --quiet "$BASELINE^{commit}"); then
  say "baseline: $BASELINE = $(git log -1 --format='%h %s' "$BASE_HASH" | cut -c 1-80)"
elif [[ $BASELINE_FROM == default ]]; then
  say "warning: HEAD~1 is not in this clone (shallow?); no baseline comparison (see --baseline)"
  BASE_NOTE="skipped (HEAD~1 is not in this clone)"
else
  say "baseline $BASELINE (from $BASELINE_FROM) is not a commit of this repository"
  exit 2
fi

quote() { # quote WORD: WORD single-quoted for the POSIX shell that runs hyperfine's commands
  printf "'%s'" "${1//\'/\'\\\'\'}"
}

try() { # try COMMAND...: COMMAND's status, for an `if`; but a COMMAND stopped by a signal ends
  # the run: cargo and hyperfine exit 130 on Ctrl-C, which bash alone would take as a failure
  local status=0
  "$@" || status=$?
  if ((status > 128)); then
    say "stopped (status $status)"
    exit "$status"
  fi
  return "$status"
}

remove_baseline_worktree() { # never fails: removes the worktree and its registration
  git worktree remove --force --force "$BASE_SRC" >/dev/null 2>&1 || true
  rm -rf "$BASE_SRC"
  local list # (no pipe into grep -q: with pipefail, git's SIGPIPE would hide the match)
  list=$'\n'$(git worktree list --porcelain 2>/dev/null || true)$'\n'
  if [[ $list == *$'\n'"worktree $ROOT/$BASE_SRC"$'\n'* ]]; then
    git worktree prune || true
  fi
}

COLD_CWD= # an empty directory to run the cold starts from
BASE_WORKTREE=0
cleanup() {
  if [[ -n ${BUILD_PGID:-} ]]; then
    kill -TERM -- "-$BUILD_PGID" 2>/dev/null || true
    wait "$BUILD_PGID" 2>/dev/null || true
  fi
  if ((BASE_WORKTREE)); then remove_baseline_worktree; fi
  if [[ -n $COLD_CWD ]]; then rm -rf "$COLD_CWD"; fi
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

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
TARGET=${CARGO_TARGET_DIR:-target}
rm -rf "$RUNS"
mkdir -p "$RUNS/predict" "$RUNS/baseline" "$OUT/data" "$OUT/bin"
cp "$TARGET/release/newsclf" "$NEWSCLF"
cp "$TARGET/release/examples/jieba_floor" "$FLOOR"

# The baseline's newsclf: built once per commit hash into $BASE_DIR/bin/HASH/newsclf, from a
# detached worktree that is removed again (also when the build fails or the run is stopped);
# its target directory stays, so that the next baseline builds incrementally.
BASE_BIN= # empty when there is no baseline to measure
BUILD_PGID= # the process group of the baseline build while it runs, for cleanup to stop
build_in() { # build_in DIR: cargo build --release in DIR. Run in a process group of its own and
  # waited for, because bash runs the INT trap during `wait` but not after a foreground cargo,
  # which takes Ctrl-C itself (rustc reports "compilation was interrupted") and exits like a
  # failed build, so that the run would go on.
  (cd "$1" && CARGO_TARGET_DIR=$ROOT/$BASE_DIR/target exec setsid cargo build --release --quiet) &
  BUILD_PGID=$!
  local status=0
  wait "$BUILD_PGID" || status=$?
  BUILD_PGID=
  return "$status"
}
build_baseline() {
  local cached=$BASE_DIR/bin/$BASE_HASH/newsclf log=$BASE_DIR/build.log
  remove_baseline_worktree # left over from a run that was killed
  if [[ -x $cached ]]; then
    say "baseline: reusing $cached"
    BASE_BIN=$cached
    return
  fi
  say "baseline: building newsclf at ${BASE_HASH:0:12} in $BASE_SRC (log: $log)"
  mkdir -p "$BASE_DIR"
  BASE_WORKTREE=1
  if ! try git worktree add --quiet --detach "$BASE_SRC" "$BASE_HASH" >"$log" 2>&1; then
    BASE_NOTE="failed: git worktree add (see $log)"
  else
    # An old Cargo.toml without [workspace] would otherwise make cargo climb up to this one's.
    grep -q '^\[workspace\]' "$BASE_SRC/Cargo.toml" || printf '\n[workspace]\n' >>"$BASE_SRC/Cargo.toml"
    if ! try build_in "$BASE_SRC" >>"$log" 2>&1; then
      BASE_NOTE="failed: cargo build of the baseline (see $log)"
    else
      mkdir -p "${cached%/*}"
      cp "$BASE_DIR/target/release/newsclf" "$cached.part"
      mv "$cached.part" "$cached"
      BASE_BIN=$cached
    fi
  fi
  remove_baseline_worktree
  BASE_WORKTREE=0
  if [[ -n $BASE_NOTE ]]; then
    say "baseline: $BASE_NOTE; going on without it"
    tail -n 5 "$log" >&2 || true
  fi
}
if [[ -n $BASE_HASH ]]; then build_baseline; fi

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
B=$RUNS/baseline
bench() { # bench DIR/NAME HYPERFINE-ARGS...: hyperfine, its JSON in DIR/NAME.json, its log aside
  local name=$1
  shift
  hyperfine --style basic --export-json "$name.json" "$@" >"$name.log" 2>&1
}
baseline_failed() { # baseline_failed WHAT: drop the baseline from the rest of the run
  BASE_NOTE="failed: $1"
  BASE_BIN=
  say "baseline: $BASE_NOTE; going on without it"
}
CUR=$(quote "$ROOT/$NEWSCLF")
say "predict: fixed start-up"
bench "$P/startup" --warmup 2 --runs 10 "$CUR predict --model $(quote "$PREDICT_MODEL") --threads 1 '一句话'"
# The cold start runs from an empty directory, so that nothing there can stand in for the
# embedded default model; with a baseline, both binaries in the same hyperfine run.
COLD_CWD=$(mktemp -d)
cold() { (cd "$COLD_CWD" && bench "$ROOT/$P/cold" --warmup 2 --runs 10 "$@"); }
if [[ -n $BASE_BIN ]]; then
  say "predict: cold start (default model), current and baseline"
  if ! try cold "$CUR predict '一句话'" "$(quote "$ROOT/$BASE_BIN") predict '一句话'"; then
    baseline_failed "the cold start pair (see $P/cold.log)"
  fi
fi
if [[ -z $BASE_BIN ]]; then
  say "predict: cold start (default model)"
  cold "$CUR predict '一句话'"
fi
for threads in 1 2; do
  say "predict: $PREDICT_FILE with $threads thread(s), $PREDICT_RUNS run(s), and the jieba-rs floor"
  bench "$P/predict_t$threads" --runs "$PREDICT_RUNS" \
    "$CUR predict --model $(quote "$PREDICT_MODEL") --input $(quote "$PREDICT_FILE") --format csv --threads $threads > /dev/null"
  for ((run = 1; run <= PREDICT_RUNS; run++)); do
    "$FLOOR" "$PREDICT_FILE" --threads "$threads" >"$P/floor_t${threads}_$run.json"
  done
done

# --- current against baseline ----------------------------------------------------------------
# Each pair runs in one hyperfine run, current first (so its JSON has current's result, then
# the baseline's). Each binary predicts with the
# thucnews_titles model it trained itself, since the model format may differ between them.
TITLES_TRAIN=$DATA/thucnews_titles/train.csv
pair() { # pair NAME TAIL HYPERFINE-ARGS...: `newsclf TAIL` of current and baseline; TAIL is
  # shell text in which @BIN@ stands for current or baseline
  local name=$1 tail=$2
  shift 2
  bench "$B/$name" "$@" "$CUR ${tail//@BIN@/current}" "$(quote "$ROOT/$BASE_BIN") ${tail//@BIN@/baseline}"
}
if [[ -n $BASE_BIN ]]; then
  say "baseline: train thucnews_titles with current and baseline"
  # Once outside hyperfine first: a baseline whose CLI differs fails here with its own message.
  if ! try "$BASE_BIN" train --data "$TITLES_TRAIN" --out "$B/baseline.model" --quiet >"$B/probe.log" 2>&1; then
    baseline_failed "the baseline's train (see $B/probe.log)"
  elif ! try pair train "train --data $(quote "$TITLES_TRAIN") --out $(quote "$B/@BIN@.model") --quiet" \
    --warmup 1 --runs 3; then
    baseline_failed "the train pair (see $B/train.log)"
  fi
fi
if [[ -n $BASE_BIN ]]; then
  say "baseline: predict $PREDICT_FILE with 1 thread, current and baseline"
  model="--model $(quote "$B/@BIN@.model")"
  input="--input $(quote "$PREDICT_FILE") --format csv"
  if ! try pair startup "predict $model --threads 1 '一句话'" --warmup 2 --runs 10; then
    baseline_failed "the start-up pair (see $B/startup.log)"
  elif ! try pair predict_t1 "predict $model $input --threads 1 > /dev/null" --warmup 1 --runs 3; then
    baseline_failed "the predict pair (see $B/predict_t1.log)"
  fi
fi

read -r BUSY1 TOTAL1 OURS1 <<<"$(cpu_ticks)"
OTHER_PERCENT=$((100 * (BUSY1 - BUSY0 - (OURS1 - OURS0)) / (TOTAL1 - TOTAL0)))

# --- report --------------------------------------------------------------------------------
QUICK_FLAG=()
if ((QUICK)); then QUICK_FLAG=(--quick); fi
python3 bench/report.py "$OUT" "${DATASETS[@]}" "${QUICK_FLAG[@]}" \
  --predict-file "$PREDICT_FILE" --fasttext-threads "$FASTTEXT_THREADS" \
  --commit "$COMMIT" --other-cpu-percent "$((OTHER_PERCENT < 0 ? 0 : OTHER_PERCENT))" \
  --baseline "$BASELINE" --baseline-commit "$BASE_HASH" --baseline-note "$BASE_NOTE"
say "wrote $OUT/results.json and $OUT/results.md"
