#!/usr/bin/env bash
# Training on one machine at growing sizes (issue 18: is a Spark training job worth
# it?): `newsclf train` on thucnews_titles/train.csv repeated ×1, ×10 (and more with
# --sizes), wall time and peak RSS per run (GNU time), median of --runs runs. The
# repeated CSVs are written to a temporary directory, never into the project.
#
# usage: bench/train_scale.sh [--runs N] [--sizes "1 10"] [--threads N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=3 sizes="1 10" threads=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --threads) threads=(--threads "$2"); shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/newsclf
src=../shared/data/thucnews_titles/train.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "date: $(date -u +%Y-%m-%d); commit: $(git rev-parse --short HEAD); $(nproc) cores;" \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| input | rows | MB | train s (median) | runs (s) | peak RSS MB (median) | rows/s |"
echo "|---|---:|---:|---:|---|---:|---:|"
for n in $sizes; do
  data=$tmp/titles_x$n.csv
  head -1 "$src" > "$data"
  for _ in $(seq "$n"); do tail -n +2 "$src" >> "$data"; done
  rows=$(($(wc -l < "$data") - 1))
  mb=$(du -m --apparent-size "$data" | cut -f1)
  walls=() rss=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$bin" "${threads[@]}" --quiet train \
      --data "$data" --out "$tmp/m.model"
    read -r wall kb < "$tmp/time"
    walls+=("$wall") rss+=("$((kb / 1024))")
  done
  med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
  w=$(med "${walls[@]}") r=$(med "${rss[@]}")
  echo "| thucnews_titles ×$n | $rows | $mb | $w | ${walls[*]} | $r | $(awk -v r="$rows" -v w="$w" 'BEGIN {printf "%d", r / w}') |"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
