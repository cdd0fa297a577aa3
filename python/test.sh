#!/usr/bin/env bash
# The Python suite, run after `cargo test --release` (it cross-checks the
# package against the release CLI binary). Creates a virtual environment
# (NEWSCLF_VENV, default .venv), installs the test requirements and the
# package built from this checkout (`pip install ./python`: maturin, as the
# PEP 517 backend, compiles the binding), lints the Python code with ruff and
# runs pytest on python/tests. PySpark needs Java 17 (`java` on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${NEWSCLF_VENV:-.venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
py="$venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check -r python/requirements-test.txt
"$py" -m pip install -q --disable-pip-version-check --no-deps --force-reinstall ./python

"$venv/bin/ruff" check --config python/pyproject.toml python examples/spark bench/python_api.py

export NEWSCLF_BIN=${NEWSCLF_BIN:-${CARGO_TARGET_DIR:-target}/release/newsclf}
"$py" -m pytest -q -p no:cacheprovider python/tests
