"""Collect what bench/compare.sh measured into bench/out/runs, print the table and the targets'
PASS/FAIL lines, and write bench/out/results.json and bench/out/results.md.

usage: report.py OUT_DIR DATASET... --predict-file CSV --fasttext-threads N --commit C
                 --other-cpu-percent P [--quick] [--baseline REV --baseline-commit HASH
                 --baseline-note NOTE]

The baseline comparison reads OUT_DIR/runs/predict/cold.json (current, then baseline) and
OUT_DIR/runs/baseline/{train,startup,predict_t1}.json (hyperfine runs of current, then
baseline), whichever of them exist; the note says why there is no (complete) comparison.
Its speed-ups are baseline time / current time (current throughput / baseline throughput),
so above 1× means the current tree is faster.

The dataset thucnews_titles_x<N> is thucnews_titles' training file repeated N times, and
thucnews_titles itself is the ×1 point of that scale series. MB = 10^6 bytes throughout.
"""

import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
from pathlib import Path

HEAD = "label"  # the label column of every public dataset, and so newsclf's head name
SCALE_TOP = 10  # the largest scale factor, which the scale targets are about
OTHER_LIMIT = 10  # percent of all CPUs used by other work during the run above which timings are suspect


def gnu_time(path):
    """Wall and CPU (user + system) seconds and peak RSS in MB from a `/usr/bin/time -v` report."""
    text = Path(path).read_text()

    def field(name):
        return re.search(rf"{re.escape(name)}.*: (\S+)", text).group(1)

    h_m_s = reversed(field("Elapsed (wall clock)").split(":"))
    wall = sum(float(p) * 60**i for i, p in enumerate(h_m_s))
    cpu = float(field("User time")) + float(field("System time"))
    return {"wall_s": wall, "cpu_s": cpu, "rss_mb": int(field("Maximum resident set size")) * 1024 / 1e6}


def read_json(path):
    return json.loads(Path(path).read_text())


def hyperfine(path, index=0):
    result = read_json(path)["results"][index]
    return {"command": result["command"], "median_s": result["median"], "times_s": result["times"]}


def hyperfine_pair(path):
    """The (current, baseline) results of a hyperfine run of both, or None if it is missing."""
    if not path.exists() or len(read_json(path)["results"]) != 2:
        return None
    return hyperfine(path, 0), hyperfine(path, 1)


def throughput(megabytes, wall_s, startup_s):
    """MB/s of a predict run once its fixed start-up is taken off; None if nothing is left."""
    work = wall_s - startup_s
    return megabytes / work if work > 0 else None


def ratio(numerator, denominator):
    return numerator / denominator if numerator is not None and denominator else None


def fmt(value, spec, unit=""):
    return "n/a" if value is None else f"{value:{spec}}{unit}"


def dataset(run, fasttext_threads):
    train, evaluation = gnu_time(run / "newsclf_train.time"), gnu_time(run / "newsclf_eval.time")
    newsclf = {
        "train_wall_s": train["wall_s"],
        "train_cpu_s": train["cpu_s"],
        "train_rss_mb": train["rss_mb"],
        "eval_wall_s": evaluation["wall_s"],
        "accuracy": read_json(run / "newsclf_eval.json")["heads"][HEAD]["accuracy"],
    }
    peer_a = read_json(run / "peer_sklearn.json")
    peer_a["process"] = gnu_time(run / "peer_sklearn.time")
    fasttext_train = gnu_time(run / "fasttext_train.time")
    p_at_1 = re.search(r"^P@1\s+(\S+)", (run / "fasttext_test.txt").read_text(), re.MULTILINE).group(1)
    peer_b = {
        "segmentation": {"script": "bench/fasttext_input.py", **read_json(run / "fasttext_input.json")},
        "train_wall_s": fasttext_train["wall_s"],
        "train_cpu_s": fasttext_train["cpu_s"],
        "train_rss_mb": fasttext_train["rss_mb"],
        "threads": fasttext_threads,
        "accuracy": float(p_at_1),
    }
    ratios = {
        "peer_a_total_time": peer_a["total_s"] / newsclf["train_wall_s"],
        "fasttext_train_time": peer_b["train_wall_s"] / newsclf["train_wall_s"],
        "peer_a_rss": peer_a["process"]["rss_mb"] / newsclf["train_rss_mb"],
        "fasttext_rss": peer_b["train_rss_mb"] / newsclf["train_rss_mb"],
    }
    return {"train_rows": peer_a["train_rows"], "test_rows": peer_a["test_rows"],
            "newsclf": newsclf, "peer_a": peer_a, "peer_b": peer_b, "ratios_peer_over_newsclf": ratios}


def predict(run, predict_file):
    startup = hyperfine(run / "startup.json")
    result = {"file": predict_file, "startup": startup, "threads": {}}
    for threads in (1, 2):
        floors = [read_json(p) for p in sorted(run.glob(f"floor_t{threads}_*.json"))]
        megabytes = floors[0]["bytes"] / 1e6
        floor_s = statistics.median(f["segment_s"] for f in floors)
        newsclf = hyperfine(run / f"predict_t{threads}.json")
        result["threads"][threads] = {
            "text_mb": megabytes,
            "newsclf": {**newsclf, "throughput_mb_s": throughput(megabytes, newsclf["median_s"], startup["median_s"])},
            "floor": {"segment_s": [f["segment_s"] for f in floors], "median_segment_s": floor_s,
                      "throughput_mb_s": megabytes / floor_s},
        }
    one, two = result["threads"][1], result["threads"][2]
    result["newsclf_over_floor_1_thread"] = ratio(one["newsclf"]["throughput_mb_s"], one["floor"]["throughput_mb_s"])
    result["newsclf_speedup_2_threads"] = ratio(two["newsclf"]["throughput_mb_s"], one["newsclf"]["throughput_mb_s"])
    result["floor_speedup_2_threads"] = ratio(two["floor"]["throughput_mb_s"], one["floor"]["throughput_mb_s"])
    return result


def baseline(runs, rev, commit, note, predict_file, megabytes):
    """Current against the baseline commit's newsclf, from the pairs that were measured."""
    status = "skipped" if note.startswith("skipped") else "failed" if note else "measured"
    result = {"rev": rev, "commit": commit or None, "status": status, "note": note or None,
              "speedup_is": "baseline time / current time (current / baseline throughput)"}
    pairs = {name: hyperfine_pair(path) for name, path in (
        ("cold_start", runs / "predict" / "cold.json"), ("train", runs / "baseline" / "train.json"),
        ("startup", runs / "baseline" / "startup.json"), ("predict_t1", runs / "baseline" / "predict_t1.json"))}
    for name in ("cold_start", "train"):
        if pairs[name]:
            current, base = pairs[name]
            result[name] = {"current": current, "baseline": base,
                            "speedup": base["median_s"] / current["median_s"]}
    if pairs["startup"] and pairs["predict_t1"]:
        sides = {}
        for i, side in enumerate(("current", "baseline")):
            startup, run = pairs["startup"][i], pairs["predict_t1"][i]
            sides[side] = {**run, "startup_median_s": startup["median_s"],
                           "throughput_mb_s": throughput(megabytes, run["median_s"], startup["median_s"])}
        result["predict_t1"] = {"file": predict_file, "text_mb": megabytes, "model": "its own thucnews_titles model",
                                **sides, "speedup": ratio(sides["current"]["throughput_mb_s"],
                                                          sides["baseline"]["throughput_mb_s"])}
    return result


def baseline_items(base):
    """The printed lines of the baseline comparison (without the heading)."""
    if base["status"] == "skipped":
        return []
    items = []
    if "cold_start" in base:
        c = base["cold_start"]
        items.append(f"cold start (default model), median of {len(c['current']['times_s'])}: "
                     f"current {c['current']['median_s']:.3f} s, baseline {c['baseline']['median_s']:.3f} s, "
                     f"speed-up {c['speedup']:.2f}×")
    if "train" in base:
        t = base["train"]
        items.append(f"train thucnews_titles, median of {len(t['current']['times_s'])}: "
                     f"current {t['current']['median_s']:.2f} s, baseline {t['baseline']['median_s']:.2f} s, "
                     f"speed-up {t['speedup']:.2f}×")
    if "predict_t1" in base:
        p = base["predict_t1"]
        items.append(f"predict {p['file']} with 1 thread and its own thucnews_titles model, median of "
                     f"{len(p['current']['times_s'])}, start-up subtracted: "
                     f"current {fmt(p['current']['throughput_mb_s'], '.2f', ' MB/s')}, "
                     f"baseline {fmt(p['baseline']['throughput_mb_s'], '.2f', ' MB/s')}, "
                     f"speed-up {fmt(p['speedup'], '.2f', '×')}")
    if base["note"]:
        items.append(f"baseline {base['note']}")
    return items


def baseline_heading(base, commit):
    if base["status"] == "skipped":
        return f"baseline comparison {base['note']}"
    return (f"current {commit} against baseline {base['rev']} ({base['commit'][:7]}), both in this run; "
            "speed-up = baseline time / current time:")


def target(text, value, limit, at_least, unit=""):
    passed = value >= limit if at_least else value <= limit
    sign = "≥" if at_least else "≤"
    return {"text": f"{text}: {value:.3g}{unit} (target {sign} {limit:g}{unit})", "value": value,
            "limit": limit, "at_least": at_least, "status": "PASS" if passed else "FAIL"}


def target_or_na(text, value, *args):
    if value is None:
        return {"text": f"{text}: not measurable (the run took no longer than the start-up)", "status": "FAIL"}
    return target(text, value, *args)


def targets(datasets, prediction, cold, base, nproc):
    """Issue 19's aims, the older checks that still hold, and INFO lines."""
    out = []
    titles = datasets["thucnews_titles"]
    out.append(target("train thucnews_titles: peer A total / newsclf train",
                      titles["ratios_peer_over_newsclf"]["peer_a_total_time"], 20, True, "×"))
    over_floor = prediction["newsclf_over_floor_1_thread"]
    out.append(target_or_na("predict 1 thread: newsclf / jieba-rs floor throughput",
                            None if over_floor is None else 100 * over_floor, 80, True, "%"))
    scaling = "predict 2 threads / 1 thread newsclf throughput (aim: close to linear)"
    if nproc < 2:
        out.append({"text": f"{scaling}: not measured on {nproc} core", "status": "SKIP"})
    else:
        out.append(target_or_na(scaling, prediction["newsclf_speedup_2_threads"], 1.8, True, "×"))
    out.append(target("cold start (default model) median wall", cold["median_s"], 0.15, False, " s"))
    top = datasets.get(f"thucnews_titles_x{SCALE_TOP}")
    if top:
        out.append(target(f"train ×{SCALE_TOP} peak RSS", top["newsclf"]["train_rss_mb"], 500, False, " MB"))
        out.append(target(f"train ×{SCALE_TOP} time / ×1 time",
                          top["newsclf"]["train_wall_s"] / titles["newsclf"]["train_wall_s"], 11, False, "×"))
    else:
        out += [{"text": f"train ×{SCALE_TOP} peak RSS and time: not measured (--quick)", "status": "SKIP"}]
    out.append({"status": "INFO", "text": "train thucnews_titles: fastText training / newsclf train: "
                f"{titles['ratios_peer_over_newsclf']['fasttext_train_time']:.3g}× (the older 50× aim)"})
    floor_scaling = prediction["floor_speedup_2_threads"]
    out.append({"status": "INFO", "text": f"predict 2 threads / 1 thread jieba-rs floor throughput: "
                f"{fmt(floor_scaling, '.3g', '×')}"})
    if base["status"] == "skipped":
        out.append({"status": "INFO", "text": f"baseline comparison {base['note']}"})
    else:
        name = f"baseline {base['rev']} ({base['commit'][:7]}) → current"
        for key, what, spec in (("cold_start", "cold start", ".3f"), ("train", "train thucnews_titles", ".2f")):
            if key in base:
                c = base[key]
                out.append({"status": "INFO", "text": f"{name}: {what} {c['baseline']['median_s']:{spec}} s → "
                            f"{c['current']['median_s']:{spec}} s (speed-up {c['speedup']:.2f}×)"})
        if "predict_t1" in base:
            p = base["predict_t1"]
            out.append({"status": "INFO", "text": f"{name}: predict 1 thread "
                        f"{fmt(p['baseline']['throughput_mb_s'], '.2f')} → {fmt(p['current']['throughput_mb_s'], '.2f')}"
                        f" MB/s (speed-up {fmt(p['speedup'], '.2f', '×')})"})
        if base["note"]:
            out.append({"status": "WARN", "text": f"baseline {base['rev']}: {base['note']}"})
    for name, d in datasets.items():
        out.append({"status": "INFO", "text": f"accuracy {name}: newsclf {d['newsclf']['accuracy']:.4f} "
                    f"(peer A {d['peer_a']['accuracy']:.4f}, fastText {d['peer_b']['accuracy']:.4f})"})
    return out


COLUMNS = ["dataset", "train rows", "newsclf train s", "RSS MB", "eval s", "acc",
           "A total s", "A RSS MB", "A acc", "fT seg s", "fT train s", "fT RSS MB", "fT acc",
           "A/n time", "fT/n time", "A/n RSS", "fT/n RSS"]


def table_rows(datasets):
    for name, d in datasets.items():
        n, a, b, r = d["newsclf"], d["peer_a"], d["peer_b"], d["ratios_peer_over_newsclf"]
        yield [name, f"{d['train_rows']:,}", f"{n['train_wall_s']:.2f}", f"{n['train_rss_mb']:.0f}",
               f"{n['eval_wall_s']:.2f}", f"{n['accuracy']:.4f}",
               f"{a['total_s']:.2f}", f"{a['process']['rss_mb']:.0f}", f"{a['accuracy']:.4f}",
               f"{b['segmentation']['segment_s']:.2f}", f"{b['train_wall_s']:.2f}",
               f"{b['train_rss_mb']:.0f}", f"{b['accuracy']:.4f}",
               *(f"{r[k]:.1f}×" for k in ("peer_a_total_time", "fasttext_train_time", "peer_a_rss", "fasttext_rss"))]


def text_table(rows):
    widths = [max(len(c) for c in col) for col in zip(COLUMNS, *rows)]
    lines = [[c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
             for row in [COLUMNS, *rows]]
    return "\n".join("  ".join(line) for line in lines)


def markdown_table(rows):
    lines = ["| " + " | ".join(COLUMNS) + " |", "|---" + "|---:" * (len(COLUMNS) - 1) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


LEGEND = ("n = newsclf train (CSV → model file, default threads) and eval on test.csv; "
          "A = peer A, Python jieba + scikit-learn TfidfVectorizer(1-2) + LinearSVC, "
          "total = its own timing of start-up, segmentation, vectorizing, fit and predict of train + test; "
          "fT = peer B, fastText supervised -wordNgrams 2 -epoch 25 on Python-jieba-segmented text "
          "(seg = bench/fasttext_input.py's segmentation of train + test, train = the fastText process alone, "
          "acc = P@1 on test); ratios are peer / newsclf train. "
          "Wall time and peak RSS per process from /usr/bin/time -v; MB = 10^6 bytes.")


def command_output(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine(commit, other_cpu_percent):
    cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu.group(1) if cpu else "unknown",
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": commit,
        "rustc": command_output("rustc", "--version"),
        "fasttext": command_output("dpkg-query", "-W", "-f", "${Version}", "fasttext"),
        "hyperfine": command_output("hyperfine", "--version"),
        "other_work_cpu_percent": other_cpu_percent,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("datasets", nargs="+")
    parser.add_argument("--predict-file", required=True)
    parser.add_argument("--fasttext-threads", type=int, required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--commit", required=True)
    parser.add_argument("--other-cpu-percent", type=int, required=True)
    parser.add_argument("--baseline", default="none", help="the revision as given")
    parser.add_argument("--baseline-commit", default="", help="its full hash; empty if none")
    parser.add_argument("--baseline-note", default="", help="why there is no (complete) comparison")
    args = parser.parse_args()
    note = args.baseline_note or ("" if args.baseline_commit else "skipped (no baseline commit)")
    runs = args.out / "runs"

    datasets = {name: dataset(runs / name, args.fasttext_threads) for name in args.datasets}
    prediction = predict(runs / "predict", args.predict_file)
    cold = hyperfine(runs / "predict" / "cold.json")
    base = baseline(runs, args.baseline, args.baseline_commit, note, args.predict_file,
                    prediction["threads"][1]["text_mb"])
    host = machine(args.commit, args.other_cpu_percent)
    checks = targets(datasets, prediction, cold, base, host["nproc"])
    if args.other_cpu_percent > OTHER_LIMIT:
        checks.append({"status": "WARN", "text": f"other work used {args.other_cpu_percent}% of the CPUs "
                       "during the run: timings may be inflated"})
    results = {"machine": host, "quick": args.quick, "datasets": datasets,
               "predict": prediction, "cold_start": cold, "baseline": base, "targets": checks}
    (args.out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")

    rows = list(table_rows(datasets))
    one, two = prediction["threads"][1], prediction["threads"][2]
    n_runs = len(one["newsclf"]["times_s"])
    predict_head = (f"predict {args.predict_file} ({one['text_mb']:.1f} MB of text), median of "
                    f"{n_runs} run{'s' * (n_runs > 1)}, start-up {prediction['startup']['median_s']:.3f} s "
                    "subtracted from newsclf's wall time:")
    predict_items = [
        *(f"{t} thread{'s' * (t > 1)}: newsclf {fmt(v['newsclf']['throughput_mb_s'], '.2f', ' MB/s')}, "
          f"jieba-rs floor {v['floor']['throughput_mb_s']:.2f} MB/s" for t, v in ((1, one), (2, two))),
        (f"2 threads / 1 thread: newsclf {fmt(prediction['newsclf_speedup_2_threads'], '.2f', '×')}, "
         f"jieba-rs floor {fmt(prediction['floor_speedup_2_threads'], '.2f', '×')}"),
        f"cold start (default model, run from an empty directory): {cold['median_s']:.3f} s median",
    ]
    base_head, base_items = baseline_heading(base, host["commit"]), baseline_items(base)
    check_lines = [f"{c['status']:<5} {c['text']}" for c in checks]
    print(text_table(rows), "", predict_head, *(f"  {i}" for i in predict_items), "", base_head,
          *(f"  {i}" for i in base_items), "", *check_lines, sep="\n")

    mode = " (--quick)" if args.quick else ""
    md = [(f"Measured by `bench/compare.sh`{mode} on {host['date'][:10]}: {host['nproc']} cores, "
          f"{host['cpu']}; commit {host['commit']}."), "", markdown_table(rows), "", LEGEND, "",
          predict_head, "", *(f"- {i}" for i in predict_items), "", base_head, "",
          *(f"- {i}" for i in base_items), *([""] if base_items else []),
          *(f"- **{c['status']}** {c['text']}" for c in checks)]
    (args.out / "results.md").write_text("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
