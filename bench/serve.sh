#!/usr/bin/env bash
# The service benchmark of issue 12, in one run on this machine (loopback only):
# `newsclf serve` against a reference service of the kind teams write today (FastAPI on
# uvicorn[standard] with one worker per core + Python jieba + scikit-learn TF-IDF +
# LinearSVC, bench/serve_peer.py), both trained on
# thucnews_titles/train.csv and sent its test headlines by wrk at 1, 8 and 64 connections;
# then a soak of newsclf (5 minutes at 64 connections, RSS sampled), 20 model reloads
# under load, and a battery of malformed, oversized and hostile requests
# (bench/serve_battery.py). The steps are in bench/serve_bench.py.
#
# Prints the tables and PASS/FAIL lines on stdout (progress on stderr) and writes
# bench/out/serve/results.md and results.json.
#
# usage: bench/serve.sh [--quick]
#   --quick  5 s per load run and a 30 s soak (about 3 minutes in all, instead of 12)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

case "$*" in
  "" | --quick) ;;
  *) echo "usage: bench/serve.sh [--quick]" >&2; exit 2 ;;
esac

say() { printf '[serve] %s\n' "$*" >&2; }

# Install only what is missing, quietly.
if ! python3 -c 'import fastapi, uvicorn, uvloop, httptools, sklearn, jieba' 2>/dev/null; then
  say "installing fastapi, uvicorn[standard], scikit-learn and jieba"
  python3 -m pip install --quiet --disable-pip-version-check fastapi "uvicorn[standard]" scikit-learn jieba
fi
if ! command -v wrk >/dev/null; then
  say "installing wrk"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
python3 -c 'import jieba, logging; jieba.setLogLevel(logging.WARNING); jieba.initialize()'

say "building newsclf"
cargo build --release --quiet
OUT=bench/out/serve
mkdir -p "$OUT"
# A copy of the binary, so that a rebuild during the run cannot change what is measured.
cp "${CARGO_TARGET_DIR:-target}/release/newsclf" "$OUT/newsclf"
COMMIT=$(git describe --always --dirty)
python3 bench/serve_bench.py "$OUT/newsclf" "$OUT" "$COMMIT" "$@"
