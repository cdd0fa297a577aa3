"""The default model's accuracy on every held-out split it did not train on, beside peers.

usage: default_model.py NEWSCLF RECIPE OUT_DIR [--prev-model FILE]

Reads the recipe (data/default_model.recipe) for the label mapping, writes each held-out
split mapped onto the default labels to OUT_DIR, and scores, on the same rows:
- newsclf's default model (built into NEWSCLF);
- peer: Python jieba + scikit-learn (word 1-2 + char 1-2 TF-IDF, LinearSVC) trained on
  exactly the rows the recipe gives the default model;
- optionally the previous default model (--prev-model), for the before/after picture.

Topic splits: thucnews_titles/test, toutiao_titles/test, finnl/dev (rows whose source label
the recipe leaves out are not scored; macro-F1 is over the split's own labels). Tone: finnsp/dev, whose labels are `negative` /
`non_negative` (no negative information about the entities): a prediction counts as right
when `negative` is predicted exactly for the negative rows (neutral or positive for the
others). Also the cold start of `newsclf predict "…"` from another directory against the
peer's (Python start, load the pickled pipeline, classify one text).

Prints a markdown table and writes OUT_DIR/default_model.json.
"""

import csv
import json
import math
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score, recall_score
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.svm import LinearSVC

from common import init_jieba, segment

HELD_OUT = [
    ("thucnews_titles", "test.csv", "topic"),
    ("toutiao_titles", "test.csv", "topic"),
    ("finnl", "dev.csv", "topic"),
    ("finnsp", "dev.csv", "sentiment"),
]


def read_recipe(path):
    """{(source file, column, head): {from: (to or None, repeat, unless terms)}}."""
    rules = defaultdict(dict)
    base = Path(path).parent
    with open(path, encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    for row in csv.DictReader(lines):
        key = (row["source"], row["column"], row["head"])
        unless = []
        if row.get("unless"):
            with open(base / row["unless"], encoding="utf-8") as terms:
                unless = [t.strip() for t in terms if t.strip() and not t.startswith("#")]
        rules[key][row["from"]] = (row["to"] or None, int(row.get("repeat") or 1), unless)
    return rules


def map_label(rules, label, text):
    """The head label of a row and how many times it counts, as newsclf's recipe does."""
    to, repeat, unless = rules["*"] if "*" in rules else rules[label]
    if any(term in text for term in unless):
        return None, 1
    return (label if to == "*" else to), repeat


def recipe_rows(recipe_path, rules):
    """(text, topic or None, sentiment or None) for every row the recipe trains on."""
    base = Path(recipe_path).parent
    by_source = defaultdict(list)
    for (source, column, head), mapping in rules.items():
        by_source[source].append((column, head, mapping))
    rows = []
    for source, heads in by_source.items():
        with open(base / source, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                labels = {"topic": (None, 1), "sentiment": (None, 1)}
                for column, head, mapping in heads:
                    if r[column].strip():
                        labels[head] = map_label(mapping, r[column].strip(), r["text"])
                if not r["text"].strip():
                    continue
                # Copy k > 0 of a row trains only the heads that repeat it.
                copies = max(n for label, n in labels.values() if label) if any(
                    label for label, _ in labels.values()) else 0
                for k in range(copies):
                    topic, sentiment = (
                        label if label and k < n else None for label, n in labels.values()
                    )
                    rows.append((r["text"], topic, sentiment))
    return rows


def held_out(data_dir, rules, out_dir):
    """Each held-out split mapped onto the default labels: (name, path, head, texts, labels)."""
    splits = []
    for name, split, head in HELD_OUT:
        path = Path(data_dir) / name / split
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        if head == "topic":
            source = f"../../shared/data/{name}/train.csv"
            mapping = rules[(source, "label", "topic")]
            rows = [(r["text"], mapping[r["label"]][0]) for r in rows]
            rows = [(t, label) for t, label in rows if label]
        else:
            rows = [(r["text"], r["label"]) for r in rows]
        mapped = Path(out_dir) / f"{name}_{Path(split).stem}_mapped.csv"
        with open(mapped, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["text", head])
            w.writerows(rows)
        splits.append((f"{name}/{split}", mapped, head, [t for t, _ in rows], [y for _, y in rows]))
    return splits


def tone_binary(labels):
    return ["negative" if y == "negative" else "non_negative" for y in labels]


def score(head, truth, predicted):
    """Accuracy, macro-F1 and recalls; `sentiment` is scored as negative or not,
    `sentiment3` three-way."""
    if head == "sentiment":
        predicted = tone_binary(predicted)
    labels = sorted(set(truth))
    recalls = recall_score(truth, predicted, labels=labels, average=None, zero_division=0)
    return {
        "rows": len(truth),
        "accuracy": accuracy_score(truth, predicted),
        # Over the split's own labels: a default label the split does not have
        # (auto in THUCNews) would otherwise count as a class with F1 0.
        "macro_f1": f1_score(truth, predicted, labels=labels, average="macro", zero_division=0),
        "recall": {label: float(r) for label, r in zip(labels, recalls)},
    }


def newsclf_predict(binary, model, path, head):
    cmd = [binary, "predict", "--quiet", "--input", str(path), "--format", "csv", "--top-k", "1"]
    if model:
        cmd += ["--model", model]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [r[head] for r in csv.DictReader(out.splitlines())]


def newsclf_tone(binary, model, path):
    """(label, probability of it, {label: probability}) of the tone head for every row."""
    cmd = [binary, "predict", "--quiet", "--input", str(path), "--format", "json", "--top-k", "3"]
    if model:
        cmd += ["--model", model]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        tone = json.loads(line)["predictions"]["sentiment"]
        rows.append((tone["label"], tone["probability"],
                     {t["label"]: t["probability"] for t in tone["top"]}))
    return rows


def calibration(truth, tones, binary):
    """Log loss (three-way sets only) and how many predictions above 0.9 are wrong."""
    confident = [(t, label) for t, (label, p, _) in zip(truth, tones) if p > 0.9]
    right = (lambda t, label: (label == "negative") == (t == "negative")) if binary else (
        lambda t, label: label == t)
    out = {"above_0.9": len(confident), "above_0.9_wrong": sum(not right(t, lab) for t, lab in confident)}
    if not binary:
        out["log_loss"] = statistics.fmean(-math.log(max(probs.get(t, 0.0), 1e-15))
                                           for t, (_, _, probs) in zip(truth, tones))
    return out


def fifth_held_out(recipe_path, out_dir):
    """The recipe with a fixed fifth of data/news.csv held out: (recipe path, held-out CSV)."""
    base = Path(recipe_path).parent.resolve()
    with open(base / "news.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    held = set(range(0, len(rows), 5))
    paths = {}
    for name, part in (("news_train", [r for i, r in enumerate(rows) if i not in held]),
                       ("news_held_out", [r for i, r in enumerate(rows) if i in held])):
        paths[name] = Path(out_dir).resolve() / f"{name}.csv"
        with open(paths[name], "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["text", "topic", "sentiment"])
            w.writeheader()
            w.writerows(part)
    lines = []
    with open(recipe_path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("news.csv,"):
                line = f"{paths['news_train']},{line[len('news.csv,'):]}"
            elif not line.startswith(("#", "source,")) and line.strip():
                fields = line.rstrip("\n").split(",")
                fields[0] = str((base / fields[0]).resolve())
                if len(fields) > 6 and fields[6]:
                    fields[6] = str((base / fields[6]).resolve())
                line = ",".join(fields) + "\n"
            lines.append(line)
    recipe = Path(out_dir).resolve() / "fifth_held_out.recipe"
    recipe.write_text("".join(lines), encoding="utf-8")
    return recipe, paths["news_held_out"]


class Peer:
    """jieba + scikit-learn TF-IDF (words 1-2 and characters 1-2) + LinearSVC per head.

    A label set (``positive|neutral``: one of those, not which) trains as newsclf trains
    it: one LinearSVC per class, each on the rows that are that class or cannot be it.
    """

    def __init__(self, rows, heads=("topic", "sentiment")):
        docs = segment([t for t, _, _ in rows])
        self.heads = {}
        for h, head in ((1, "topic"), (2, "sentiment")):
            if head not in heads:
                continue
            pairs = [(d, r[h]) for d, r in zip(docs, rows) if r[h]]
            features = FeatureUnion([
                ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2,
                                          token_pattern=r"(?u)\S+")),
                ("chars", TfidfVectorizer(analyzer="char", ngram_range=(1, 2),
                                          sublinear_tf=True, min_df=2)),
            ])
            labels = [y for _, y in pairs]
            if not any("|" in y for y in labels):
                pipeline = make_pipeline(features, LinearSVC(C=0.5))
                pipeline.fit([d for d, _ in pairs], labels)
                self.heads[head] = pipeline
                continue
            x = features.fit_transform([d for d, _ in pairs])
            classes = sorted({y for y in labels if "|" not in y})
            models = []
            for c in classes:
                rows_c = [i for i, y in enumerate(labels) if c not in y.split("|") or y == c]
                models.append(LinearSVC(C=0.5).fit(x[rows_c], [labels[i] == c for i in rows_c]))
            self.heads[head] = OneVsRestWithSets(features, classes, models)

    def predict(self, texts, head):
        return list(self.heads[head].predict(segment(texts)))


class OneVsRestWithSets:
    """Features and one binary LinearSVC per class; predicts the highest-scoring class."""

    def __init__(self, features, classes, models):
        self.features, self.classes, self.models = features, classes, models

    def predict(self, docs):
        x = self.features.transform(docs)
        scores = [m.decision_function(x) for m in self.models]
        return [self.classes[max(range(len(self.classes)), key=lambda c: scores[c][i])]
                for i in range(x.shape[0])]


PEER_COLD_START = """
import pickle, sys
sys.path.insert(0, {bench!r})
from common import init_jieba, segment
init_jieba()
heads = pickle.load(open({path!r}, "rb"))
print(heads["topic"].predict(segment(["一句话"]))[0])
"""


def median_wall(cmd, cwd, runs=7):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(binary, recipe_path, out_dir, prev_model=None, extra_tone=None):
    binary = str(Path(binary).resolve())
    rules = read_recipe(recipe_path)
    data_dir = Path(recipe_path).parent / "../../shared/data"
    splits = held_out(data_dir, rules, out_dir)
    init_jieba()
    clock = time.perf_counter()
    peer = Peer(recipe_rows(recipe_path, rules))
    peer_train_s = time.perf_counter() - clock
    systems = [("newsclf default", None), ("peer jieba+sklearn", "peer")]
    if prev_model:
        systems.append(("previous default", prev_model))
    results = {}
    for split, path, head, texts, truth in splits:
        for system, model in systems:
            if model == "peer":
                predicted = peer.predict(texts, head)
            else:
                predicted = newsclf_predict(binary, model, path, head)
            results.setdefault(split, {})[system] = score(head, truth, predicted)

    # Tone, per source: finnsp/dev (above), data/news.csv's held-out fifth (a model trained
    # on the recipe without it), and any three-way sets under --extra-tone.
    tone_sets = [("finnsp/dev.csv", data_dir / "finnsp" / "dev.csv", True)]
    recipe5, news5 = fifth_held_out(recipe_path, out_dir)
    model5 = str(Path(out_dir).resolve() / "fifth_held_out.model")
    subprocess.run([binary, "train", "--quiet", "--recipe", str(recipe5), "--min-df", "3",
                    "--out", model5], check=True)
    tone_sets.append(("news.csv held-out fifth", news5, False))
    for name in sorted(os.listdir(extra_tone)) if extra_tone else []:
        tone_sets.append((f"{name}/dev.csv (local)", Path(extra_tone) / name / "dev.csv", False))
    tone = {}
    peer5 = None
    for name, path, binary_labels in tone_sets:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        truth = [r.get("sentiment") or r["label"] for r in rows]
        texts = [r["text"] for r in rows]
        held_fifth = name.startswith("news.csv")
        if held_fifth:
            peer5 = peer5 or Peer([(t, None, y) for t, _, y in recipe_rows(recipe5, read_recipe(recipe5))
                                   if y], heads=("sentiment",))
        systems5 = [("newsclf default", model5 if held_fifth else None),
                    ("peer jieba+sklearn", peer5 if held_fifth else peer)]
        if prev_model and not held_fifth:
            systems5.append(("previous default", prev_model))
        for system, model in systems5:
            if isinstance(model, Peer):
                predicted = model.predict(texts, "sentiment")
                cal = None
            else:
                tones = newsclf_tone(binary, model, path)
                predicted = [label for label, _, _ in tones]
                cal = calibration(truth, tones, binary_labels)
            r = score("sentiment" if binary_labels else "sentiment3", truth, predicted)
            r["calibration"] = cal
            tone.setdefault(name, {})[system] = r

    with tempfile.TemporaryDirectory() as tmp:
        pickled = Path(tmp) / "peer.pkl"
        pickled.write_bytes(pickle.dumps({"topic": peer.heads["topic"]}))
        bench = str(Path(__file__).parent.resolve())
        script = PEER_COLD_START.format(bench=bench, path=str(pickled))
        cold = {
            "newsclf default": median_wall([binary, "predict", "一句话"], tmp),
            "peer jieba+sklearn": median_wall([sys.executable, "-c", script], tmp, runs=3),
        }
        if prev_model:
            cold["previous default (from its file)"] = median_wall(
                [binary, "predict", "--model", str(Path(prev_model).resolve()), "一句话"], tmp)

    print("| held-out split | rows | system | accuracy | macro-F1 | recall per class |")
    print("|---|---:|---|---:|---:|---|")
    for split, by_system in results.items():
        for system, r in by_system.items():
            recalls = " ".join(f"{k} {v:.2f}" for k, v in r["recall"].items())
            print(f"| {split} | {r['rows']:,} | {system} | {r['accuracy']:.4f} | "
                  f"{r['macro_f1']:.4f} | {recalls} |")
    print()
    print("| tone, per source | rows | system | accuracy | macro-F1 | log loss | above 0.9: wrong / all |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for split, by_system in tone.items():
        for system, r in by_system.items():
            cal = r["calibration"]
            loss = f"{cal['log_loss']:.3f}" if cal and "log_loss" in cal else ""
            sure = f"{cal['above_0.9_wrong']} / {cal['above_0.9']}" if cal else ""
            print(f"| {split} | {r['rows']:,} | {system} | {r['accuracy']:.4f} | "
                  f"{r['macro_f1']:.4f} | {loss} | {sure} |")
    print()
    print("| cold start (`predict \"一句话\"` from another directory), median wall | seconds |")
    print("|---|---:|")
    for system, s in cold.items():
        print(f"| {system} | {s:.3f} |")
    print(f"\npeer training time on the recipe's rows: {peer_train_s:.1f} s")
    with open(Path(out_dir) / "default_model.json", "w", encoding="utf-8") as f:
        json.dump({"results": results, "tone": tone, "cold_start_s": cold, "peer_train_s": peer_train_s},
                  f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    args = sys.argv[1:]
    prev = None
    if "--prev-model" in args:
        i = args.index("--prev-model")
        prev = args[i + 1]
        del args[i:i + 2]
    extra = None
    if "--extra-tone" in args:
        i = args.index("--extra-tone")
        extra = args[i + 1]
        del args[i:i + 2]
    os.makedirs(args[2], exist_ok=True)
    main(*args, prev_model=prev, extra_tone=extra)
