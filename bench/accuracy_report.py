"""Collect what bench/accuracy.sh measured, print the accuracy table, the peers against the
issue's reference numbers and the targets' PASS/FAIL lines, and write accuracy.json and
accuracy.md.

usage: accuracy_report.py OUT_DIR DATASET... --commit C --command CMD --binary PATH
                          --elapsed-s S [--skip-peers]

Reads newsclf's results from OUT_DIR/accuracy_runs/DATASET/ and the peers' from
OUT_DIR/accuracy_peers.json (bench/peer_accuracy.py). Needs no third-party package.
"""

import argparse
import datetime
import hashlib
import json
import os
import re
from pathlib import Path

DATA = Path("../shared/data")
HEAD = "label"  # the label column of every public dataset, and so newsclf's head name

# Test accuracy newsclf must reach at its default settings.
TARGETS = {
    "thucnews_titles": 0.915,
    "chnsenticorp": 0.935,
    "online_shopping_10_cats": 0.940,
    "waimai_10k": 0.900,
    "thucnews_articles_sample": 0.970,
    "sogou_mini_articles": 0.960,
}
# The issue's best-peer accuracy: per feature variant where it gives one, else over all six.
REFERENCE = {
    "thucnews_titles": {"word": 0.888, "word+char": 0.907},
    "chnsenticorp": {"best": 0.927},
    "online_shopping_10_cats": {"best": 0.933},
    "waimai_10k": {"best": 0.892},
    "thucnews_articles_sample": {"best": 0.965},
    "sogou_mini_articles": {"best": 0.950},
}

VARIANTS = {"word": "word", "word+char": "w+c"}
CLASSIFIERS = {"LinearSVC": "SVC", "LogisticRegression": "LR", "ComplementNB": "CNB"}
PEERS = [(v, c, f"{vs} {cs}") for v, vs in VARIANTS.items() for c, cs in CLASSIFIERS.items()]

LEGEND = (
    "newsclf: `newsclf train --data train.csv` with no other flag (default settings and threads), "
    "then `newsclf eval --format json` on test.csv. Peers: Python jieba + scikit-learn "
    "(`bench/peer_accuracy.py`); word = TfidfVectorizer(ngram_range=(1,2), sublinear_tf=True, min_df=2) "
    "over jieba tokens; w+c = FeatureUnion of that and TfidfVectorizer(analyzer='char', "
    "ngram_range=(1,2), sublinear_tf=True, min_df=2) over the raw text; SVC = LinearSVC(), "
    "LR = LogisticRegression(max_iter=1000), CNB = ComplementNB(). Best peer = the highest test "
    "accuracy of the six. Accuracy and macro-F1 on test.csv; log loss = mean −ln p(true label)."
)


def read_json(path):
    return json.loads(Path(path).read_text())


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def machine():
    cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cores": len(os.sched_getaffinity(0)),
        "cpu": cpu.group(1) if cpu else "unknown",
        "load_average": Path("/proc/loadavg").read_text().split()[:3],
    }


def peers_of(cache, name, notes):
    """One dataset's peer results from the cache, keyed by variant, then classifier; notes
    results of other data files and classifiers that did not converge."""
    entry = cache.get("results", {}).get(name)
    if not entry or set(entry) != set(VARIANTS):
        raise SystemExit(f"no peer results for {name} in the cache: run bench/accuracy.sh without --skip-peers")
    for variant, e in entry.items():
        if (e["train_sha256"], e["test_sha256"]) != (sha256(DATA / name / "train.csv"), sha256(DATA / name / "test.csv")):
            notes.append(f"{name}: the cached {variant} peer results are of other data files than today's")
        for classifier, r in e["classifiers"].items():
            if not r["converged"]:
                notes.append(f"{name}: {variant} {classifier} did not converge (ConvergenceWarning)")
    return entry


def best_of(entry, variants):
    """The peer with the highest accuracy among the given variants (first of the table on ties)."""
    candidates = [(v, c, label) for v, c, label in PEERS if v in variants]
    v, c, label = max(candidates, key=lambda p: entry[p[0]]["classifiers"][p[1]]["accuracy"])
    return {"variant": v, "classifier": c, "name": label, **entry[v]["classifiers"][c]}


def tolerance(test_rows):
    """How far a peer may be from the issue's figure and still reproduce it: half a point, or
    one test row on a test set too small for that."""
    return max(0.005, 1 / test_rows)


def compare_reference(name, entry, notes):
    """Our best word, word+char and overall peer against the issue's figures, and a verdict."""
    bests = {"word": best_of(entry, ["word"]), "word+char": best_of(entry, ["word+char"]),
             "best": best_of(entry, list(VARIANTS))}
    limit = tolerance(entry["word"]["test_rows"])
    off = {key: bests[key]["accuracy"] - reference for key, reference in REFERENCE[name].items()
           if abs(bests[key]["accuracy"] - reference) > limit}
    if not off:
        verdict = "close"
    else:
        verdict = "OFF: " + ", ".join(f"{'best of six' if k == 'best' else k} {d:+.4f}" for k, d in off.items())
        if "best" in off:  # which variant, if any, the issue's best-peer figure matches
            reference = REFERENCE[name]["best"]
            match = [v for v in VARIANTS if abs(bests[v]["accuracy"] - reference) <= limit]
            if match:
                verdict += f"; matches best {' and '.join(match)} peer"
        notes.append(f"{name}: our peers differ from the issue's figures ({verdict})")
    return {"reference": REFERENCE[name], "tolerance": limit, "verdict": verdict,
            **{"best_of_six" if key == "best" else f"best_{key}": {"name": b["name"], "accuracy": b["accuracy"]}
               for key, b in bests.items()}}


def dataset(out, name, cache, notes):
    run = out / "accuracy_runs" / name
    evaluation, times = read_json(run / "newsclf_eval.json"), read_json(run / "newsclf_times.json")
    head = evaluation["heads"][HEAD]
    newsclf = {"accuracy": head["accuracy"], "macro_f1": head["macro_f1"], "log_loss": head["log_loss"],
               "test_rows": head["rows"], "rows_skipped": evaluation["rows_skipped"], **times}
    if evaluation["rows_skipped"]:
        notes.append(f"{name}: newsclf eval skipped {evaluation['rows_skipped']} test rows")
    entry = peers_of(cache, name, notes)
    best = best_of(entry, list(VARIANTS))
    target = TARGETS[name]
    return {
        "train_rows": entry["word"]["train_rows"],
        "test_rows": entry["word"]["test_rows"],
        "newsclf": newsclf,
        "peers": entry,
        "best_peer": best,
        "reference_check": compare_reference(name, entry, notes),
        "target": target,
        "status": "PASS" if newsclf["accuracy"] >= target else "FAIL",
    }


def markdown(columns, rows):
    """A markdown table; columns of figures align right, the others left."""
    figure = re.compile(r"^(≥ )?[\d.,]+( / [\d.,]+)?$")
    align = ["---:" if all(figure.match(r[i]) for r in rows) else "---" for i in range(len(columns))]
    return "\n".join("| " + " | ".join(r) + " |" for r in [columns, align, *rows])


def main_table(datasets):
    columns = ["dataset", "test rows", "newsclf acc", "newsclf macro-F1", "newsclf log loss",
               "best peer (which)", "best peer acc", *(f"{label} acc" for *_, label in PEERS),
               "target", "PASS/FAIL"]
    rows = []
    for name, d in datasets.items():
        n, b = d["newsclf"], d["best_peer"]
        rows.append([name, f"{d['test_rows']:,}", f"{n['accuracy']:.4f}", f"{n['macro_f1']:.4f}",
                     f"{n['log_loss']:.4f}", b["name"], f"{b['accuracy']:.4f}",
                     *(f"{d['peers'][v]['classifiers'][c]['accuracy']:.4f}" for v, c, _ in PEERS),
                     f"≥ {d['target']:.3f}", f"**{d['status']}**"])
    return markdown(columns, rows)


def peer_table(datasets):
    columns = ["dataset", *(f"{label} acc / F1" for *_, label in PEERS), "features word / w+c",
               "segment s", "peers fit s"]
    rows = []
    for name, d in datasets.items():
        p = d["peers"]
        fit_s = sum(r["fit_s"] + r["predict_s"] for e in p.values() for r in e["classifiers"].values())
        rows.append([name, *(f"{p[v]['classifiers'][c]['accuracy']:.4f} / {p[v]['classifiers'][c]['macro_f1']:.4f}"
                             for v, c, _ in PEERS),
                     f"{p['word']['features']:,} / {p['word+char']['features']:,}",
                     f"{p['word']['segment_s']:.1f}", f"{fit_s:.1f}"])
    return markdown(columns, rows)


def time_table(datasets):
    rows = [[name, f"{d['train_rows']:,}", f"{d['newsclf']['train_wall_s']:.2f}", f"{d['newsclf']['eval_wall_s']:.2f}"]
            for name, d in datasets.items()]
    return markdown(["dataset", "train rows", "newsclf train wall s", "newsclf eval wall s"], rows)


def reference_table(datasets):
    rows = []
    for name, d in datasets.items():
        r = d["reference_check"]
        issue = " / ".join(f"{x:.3f}" + ("" if k == "best" else f" {VARIANTS[k]}") for k, x in r["reference"].items())
        rows.append([name, issue, *(f"{r[k]['accuracy']:.4f} ({r[k]['name']})" for k in
                                    ("best_word", "best_word+char", "best_of_six")),
                     f"±{r['tolerance']:.3f}", r["verdict"]])
    return markdown(["dataset", "issue's best peer", "best word peer", "best w+c peer", "best of six",
                     "tolerance", "verdict"], rows)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("datasets", nargs="+")
    parser.add_argument("--commit", required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--elapsed-s", type=float, required=True)
    parser.add_argument("--skip-peers", action="store_true")
    args = parser.parse_args()

    cache = read_json(args.out / "accuracy_peers.json")
    notes = []
    datasets = {name: dataset(args.out, name, cache, notes) for name in args.datasets}
    host = machine()
    versions = sorted({(e["scikit-learn"], e["jieba"], e["date"][:10]) for d in datasets.values()
                       for e in d["peers"].values()})
    peer_source = "; ".join(f"scikit-learn {s}, jieba {j}, run {day}" for s, j, day in versions)
    if args.skip_peers:
        peer_source += " (cached: --skip-peers)"
    checks = [f"{d['status']:<4} {name}: newsclf {d['newsclf']['accuracy']:.4f} (target ≥ {d['target']:.3f}; "
              f"best peer {d['best_peer']['accuracy']:.4f} {d['best_peer']['name']})" for name, d in datasets.items()]

    results = {"machine": host, "commit": args.commit, "command": args.command, "binary": args.binary,
               "elapsed_s": args.elapsed_s, "skip_peers": args.skip_peers, "peer_source": peer_source,
               "datasets": datasets, "notes": notes}
    (args.out / "accuracy.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")

    table, reference = main_table(datasets), reference_table(datasets)
    print(table, "", "Peers against the issue's reference numbers:", "", reference, "", *checks,
          *(f"NOTE {n}" for n in notes), f"run time {args.elapsed_s:.0f} s", sep="\n")

    md = [(f"Measured on {host['date'][:10]} on {host['cores']} cores, {host['cpu']}; newsclf commit "
          f"{args.commit} (binary `{args.binary}`); `{args.command}` (run time {args.elapsed_s:.0f} s). Peers: {peer_source}."),
          "", table, "", LEGEND, "",
          ("Peers, test accuracy / macro-F1, and their cost (segment = jieba on train + test, once per "
          "dataset; fit = fit + predict of all six):"), "", peer_table(datasets), "",
          "newsclf wall times:", "", time_table(datasets), "",
          "Peers against the issue's reference numbers:", "", reference, "",
          *(f"- **{c.split()[0]}** {c.split(maxsplit=1)[1]}" for c in checks),
          *(f"- Note: {n}" for n in notes)]
    (args.out / "accuracy.md").write_text("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
