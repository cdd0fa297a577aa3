#!/usr/bin/env bash
# The default model's accuracy on every held-out split it did not train on
# (thucnews_titles/test, toutiao_titles/test, finnl/dev mapped onto the default topics
# by data/default_model.recipe; finnsp/dev as negative / not negative), with macro-F1 and
# per-class recall, beside a jieba + scikit-learn peer trained on the same rows and the
# previous default model (the one trained on data/news.csv alone, from git history);
# then the cold start of each. Prints a markdown table; writes bench/out/default_model.json.
#
# usage: bench/default_model.sh        (builds newsclf, installs the Python peer's packages)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=bench/out/default_model
mkdir -p "$OUT"

cargo build --release --quiet
python3 -c 'import sklearn, jieba' 2>/dev/null || pip install --quiet scikit-learn jieba

# The previous default model: the one before its tone head learned FinNSP (commit f0a015a).
PREV=$OUT/previous_default.model
git show f0a015a:models/default.model >"$PREV" 2>/dev/null || PREV=""

echo "# default model, measured $(date -u +%F) at commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src data models || echo ' (with uncommitted changes)'), $(nproc) cores"
echo
python3 bench/default_model.py target/release/newsclf data/default_model.recipe "$OUT" ${PREV:+--prev-model "$PREV"} ${NEWSCLF_EXTRA_TONE:+--extra-tone "$NEWSCLF_EXTRA_TONE"}
