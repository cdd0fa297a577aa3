#!/usr/bin/env bash
# The Spark benchmark of issue 18, in one run: documents/s of the Spark example at
# local[1] and local[2], both ways (mapInPandas with the wheel, RDD.pipe with the
# release CLI), with the default model, beside the Python API in one process
# (bench/spark.py). Builds what it needs: the environment of python/test.sh
# (NEWSCLF_VENV, default .venv, with pyspark from pip), the wheel from this
# checkout, and the release CLI. Prints a Markdown table; writes bench/out/spark.md.
#
# With BASELINE=<commit>, that commit's examples/spark/classify_news.py is measured
# beside this checkout's, in the same run (same wheel, same binary, same load).
#
# usage: [BASELINE=<commit>] bench/spark.sh [--runs N] [--repeat N] [--partitions N] [--batch N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=${NEWSCLF_VENV:-.venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
py="$venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check -r python/requirements-test.txt
"$py" -m pip install -q --disable-pip-version-check --no-deps --force-reinstall ./python
cargo build --release --quiet
bin=$(realpath "${CARGO_TARGET_DIR:-target}/release/newsclf")

echo "date: $(date -u +%Y-%m-%d); commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' (with uncommitted changes)');" \
  "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
# Other work on the machine slows every figure: the load averages show how busy it was.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
baseline=()
if [ -n "${BASELINE:-}" ]; then
  mkdir -p bench/out
  git show "$BASELINE:examples/spark/classify_news.py" > bench/out/classify_news_baseline.py
  baseline=(--baseline bench/out/classify_news_baseline.py)
  echo "baseline example: $BASELINE ($(git rev-parse --short "$BASELINE"))"
fi
"$py" bench/spark.py --newsclf-bin "$bin" "${baseline[@]}" "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
