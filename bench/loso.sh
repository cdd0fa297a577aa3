#!/usr/bin/env bash
# Leave-one-source-out accuracy of the default model's topic head: for each public topic
# source of data/default_model.recipe, newsclf trained on the recipe without it and scored
# on its held-out split, beside the in-source figure (full recipe, same rows) and the
# jieba + scikit-learn peer trained on the same rows; plus two sources never in the recipe
# (sogou_mini_articles/test, thucnews_articles_sample/test) scored with the full-recipe
# model. Prints markdown tables; writes bench/out/loso.json (see bench/loso.py).
#
# usage: bench/loso.sh [--add-articles] [--no-peer] [--select] [-- NEWSCLF_TRAIN_FLAGS ...]
#   --add-articles  lever (a): the two article sets' train.csv join the recipe (LOSO rows then)
#   --no-peer       skip the Python peer (its figures depend only on the rows, not on the flags)
#   --select        score on splits that are not test splits (thucnews_titles/dev, the held-out
#                   source's train.csv), to choose levers; then report them without it
#   -- FLAGS        added to `newsclf train` (default `--min-df 3`; a --min-df there replaces it)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p bench/out

cargo build --release --quiet
python3 -c 'import sklearn, jieba' 2>/dev/null || pip install --quiet scikit-learn jieba

LOSO_COMMIT=$(git rev-parse --short HEAD)
export LOSO_COMMIT
echo "# leave-one-source-out, measured $(date -u +%F) at commit $LOSO_COMMIT$(git diff --quiet HEAD -- src data models bench || echo ' (with uncommitted changes)'), $(nproc) cores"
echo
python3 bench/loso.py target/release/newsclf data/default_model.recipe bench/out "$@"
