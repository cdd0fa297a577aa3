#!/usr/bin/env bash
# The Python-API benchmark of issue 13, in one run: newsclf's Python API against
# jieba + scikit-learn in the same process, and the Spark example with 1 and 2
# worker threads (bench/python_api.py). Uses the environment of python/test.sh
# (NEWSCLF_VENV, default .venv) plus jieba, and the release CLI for the RDD.pipe job.
# Prints a Markdown table; writes bench/out/python_api.md.
#
# usage: bench/python_api.sh [--runs N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=${NEWSCLF_VENV:-.venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
py="$venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check -r python/requirements-test.txt jieba
"$py" -m pip install -q --disable-pip-version-check --no-deps --force-reinstall ./python
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/newsclf

echo "date: $(date -u +%Y-%m-%d); commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' (with uncommitted changes)');" \
  "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
# Other work on the machine slows every figure: the load averages show how busy it was.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$py" bench/python_api.py --newsclf-bin "$bin" "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
