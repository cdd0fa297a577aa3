#!/usr/bin/env bash
# How newsclf's default settings were chosen: `newsclf tune` (k-fold cross-validation on the
# TRAINING split only; test splits are never read) on every public dataset, with one grid,
# then the grid point with the best accuracy averaged over the datasets. Writes
# bench/out/select_defaults.json and bench/out/select_defaults.md (copied into
# docs/accuracy.md by hand when the defaults change).
#
# usage: bench/select_defaults.sh [extra newsclf tune flags, e.g. --grid-c 0.25,0.5]
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA=../shared/data
OUT=bench/out/select_defaults
mkdir -p "$OUT"
BIN=$(mktemp -d)/newsclf
cp "${NEWSCLF:-target/release/newsclf}" "$BIN"
GRID=(--grid-loss svm,ridge,logistic --grid-c 0.25,0.5,1 --grid-char-ngrams 1-2,1-3 --grid-min-df 1,2)
for d in thucnews_titles chnsenticorp online_shopping_10_cats waimai_10k thucnews_articles_sample \
  sogou_mini_articles; do
  echo "[select] $d" >&2
  "$BIN" tune -q --data "$DATA/$d/train.csv" --out "$OUT/$d.model" --folds 5 --format json \
    "${GRID[@]}" "$@" >"$OUT/$d.json"
done
python3 - "$OUT" "${GRID[*]} $*" <<'PY'
import json, os, sys, datetime
out, grid = sys.argv[1], sys.argv[2]
names = sorted(f[:-5] for f in os.listdir(out) if f.endswith(".json"))
runs = {n: json.load(open(os.path.join(out, n + ".json"))) for n in names}
settings = [t["settings"] for t in runs[names[0]]["trials"]]
rows = []
for i, s in enumerate(settings):
    accs = [runs[n]["trials"][i]["accuracy"] for n in names]
    rows.append((sum(accs) / len(accs), s, accs))
rows.sort(key=lambda r: -r[0])
lines = [f"Cross-validation on the training splits only ({runs[names[0]]['folds']} folds, "
         f"seed {runs[names[0]]['seed']}), {datetime.date.today()}, `bench/select_defaults.sh` "
         f"(grid: {grid.strip()}). Accuracy per dataset and its mean, best first.", "",
         "| settings | mean | " + " | ".join(names) + " |",
         "|---|---:|" + "---:|" * len(names)]
for mean, s, accs in rows:
    lines.append(f"| {s} | {mean:.4f} | " + " | ".join(f"{a:.4f}" for a in accs) + " |")
open(os.path.join(out, "..", "select_defaults.md"), "w").write("\n".join(lines) + "\n")
json.dump([{"settings": s, "mean": m, "per_dataset": dict(zip(names, a))} for m, s, a in rows],
          open(os.path.join(out, "..", "select_defaults.json"), "w"), indent=1)
print("\n".join(lines[:14]))
PY
