"""Leave-one-source-out (LOSO) accuracy of the default model's topic head, beside peers.

usage: loso.py NEWSCLF RECIPE OUT_DIR [--add-articles] [--no-peer] [--select] [-- NEWSCLF_TRAIN_FLAGS ...]

For each public topic source S of the recipe (thucnews_titles, toutiao_titles, finnl):
- writes a temporary recipe without S's rules (data/news.csv and the other sources kept),
  trains newsclf on it (`--min-df 3`, as the shipped model, plus any flags after `--`) and
  scores it on S's held-out split (thucnews_titles/test, toutiao_titles/test, finnl/dev)
  mapped onto the default labels by S's own recipe rules. Rows whose mapped label the LOSO
  training rows do not have (e.g. Toutiao's auto/travel/agriculture/culture, which no other
  source has) are dropped and counted; accuracy is also given counting them as errors;
- beside it, the in-source figure: newsclf trained on the full recipe, on the same rows;
- the jieba + scikit-learn peer of default_model.py (segment, word 1-2 + char 1-2 TF-IDF,
  LinearSVC), trained on exactly the LOSO rows and scored on the same rows.

Two sources never in the recipe are "unseen" columns, scored with the full-recipe model:
sogou_mini_articles/test and thucnews_articles_sample/test, mapped by UNSEEN_RULES below
(the second is an unseen genre, full articles, but the same portal as thucnews_titles).
With --add-articles (lever a) their train.csv files join the recipe with those same rules;
they are then no longer unseen and become LOSO rows of their own (the two THUCNews sets
held out together, SAME_PORTAL).

--select scores every row on a split that is not a test split (SELECT_SPLITS below), for
choosing levers without looking at the test splits; the test-split run then reports them.

Flags after `--` are added to `newsclf train` (a `--min-df` there replaces the default 3).
Prints markdown tables and writes bench/out/loso.json (bench/out/loso-<levers>.json when a
lever is on).
"""

import csv
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import init_jieba
from default_model import Peer, newsclf_predict, read_recipe, recipe_rows, score

# The recipe's public topic sources and the held-out split each is scored on.
RECIPE_SOURCES = [
    ("thucnews_titles", "test.csv"),
    ("toutiao_titles", "test.csv"),
    ("finnl", "dev.csv"),
]
# --select: the splits levers are chosen on. A LOSO model never sees any of S's files, so
# S's train.csv is as unseen to it as S's test split; thucnews_titles has a dev split. The
# in-source model trained on these train splits: its figure there is not shown.
SELECT_SPLITS = {
    "thucnews_titles": "dev.csv",
    "toutiao_titles": "train.csv",
    "finnl": "train.csv",
    "sogou_mini_articles": "train.csv",
    "thucnews_articles_sample": "train.csv",
}

# Sources never in data/default_model.recipe, mapped onto the default topics here:
# label → (default label or None to leave it out, repeat, unless-terms file).
# - Sogou mini (5 classes): sports, military, education and auto have counterparts; health
#   (健康) has none (not society, not technology), so it is left out.
# - THUCNews articles (cnews, 10 classes): the labels it shares with thucnews_titles take
#   the recipe's thucnews_titles rules (politics → diplomacy, science → technology,
#   finance → economy unless it is about energy, realty, education, sports, game,
#   entertainment); home (家居, furnishing) and fashion (时尚) have no counterpart.
# The `unless` file applies only when a source is trained on (lever a); a test split is
# mapped by label alone, as default_model.py maps the recipe's held-out splits.
UNSEEN_RULES = {
    "sogou_mini_articles": {
        "sports": ("sports", 1, ""),
        "military": ("military", 1, ""),
        "education": ("education", 1, ""),
        "auto": ("auto", 1, ""),
        "health": (None, 1, ""),
    },
    "thucnews_articles_sample": {
        "politics": ("diplomacy", 1, ""),
        "finance": ("economy", 1, "energy_terms.txt"),
        "realty": ("realty", 1, ""),
        "education": ("education", 1, ""),
        "science": ("technology", 1, ""),
        "sports": ("sports", 1, ""),
        "game": ("game", 1, ""),
        "entertainment": ("entertainment", 1, ""),
        "home": (None, 1, ""),
        "fashion": (None, 1, ""),
    },
}
UNSEEN_SPLIT = "test.csv"
# Sources from the same portal are held out together: both THUCNews sets are Sina news
# 2005-2011, so with --add-articles the articles would otherwise teach the thucnews_titles
# LOSO model Sina's own channels (and the reverse).
SAME_PORTAL = {
    "thucnews_titles": ["thucnews_articles_sample"],
    "thucnews_articles_sample": ["thucnews_titles"],
}
FIELDS = ["source", "column", "head", "from", "to", "repeat", "unless"]


def recipe_lines(recipe_path):
    """The recipe's rules as dicts, with source and unless paths made absolute."""
    base = Path(recipe_path).resolve().parent
    with open(recipe_path, encoding="utf-8", newline="") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    rules = []
    for row in csv.DictReader(lines):
        row = {k: (row.get(k) or "").strip() for k in FIELDS}
        row["source"] = str((base / row["source"]).resolve())
        if row["unless"]:
            row["unless"] = str((base / row["unless"]).resolve())
        rules.append(row)
    return rules, base


def train_file(data_dir, name):
    return str((Path(data_dir) / name / "train.csv").resolve())


def write_recipe(path, rules):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("# written by bench/loso.py; paths are absolute\n")
        w = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rules)


def article_rules(data_dir, base, name):
    """Recipe rules that train on an unseen source's train.csv (lever a)."""
    return [{
        "source": train_file(data_dir, name), "column": "label", "head": "topic",
        "from": label, "to": to or "", "repeat": "" if repeat == 1 else str(repeat),
        "unless": str((base / unless).resolve()) if unless else "",
    } for label, (to, repeat, unless) in UNSEEN_RULES[name].items()]


def mapped_split(path, mapping):
    """(texts, default labels) of a split; labels the mapping leaves out are not kept."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    pairs = [(r["text"], mapping[r["label"]][0]) for r in rows]
    kept = [(t, y) for t, y in pairs if y]
    return [t for t, _ in kept], [y for _, y in kept], len(rows) - len(kept)


def write_texts(path, texts):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text"])
        w.writerows([t] for t in texts)


def train_newsclf(binary, recipe, model, flags):
    clock = time.perf_counter()
    subprocess.run([binary, "--quiet", "train", "--recipe", str(recipe), *flags, "--out", str(model)],
                   check=True)
    return time.perf_counter() - clock


def slug(add_articles, select, extra):
    parts = (["articles"] if add_articles else []) + [re.sub(r"[^0-9A-Za-z.]+", "_", a).strip("_")
                                                      for a in extra] + (["select"] if select else [])
    return "+".join(p for p in parts if p)


def main(binary, recipe_path, out_dir, add_articles=False, peer=True, select=False, extra=()):
    binary = str(Path(binary).resolve())
    out_dir = Path(out_dir)
    data_dir = (Path(recipe_path).parent / "../../shared/data").resolve()
    rules, base = recipe_lines(recipe_path)
    if add_articles:
        for name in UNSEEN_RULES:
            rules += article_rules(data_dir, base, name)
    flags = ([] if "--min-df" in extra else ["--min-df", "3"]) + list(extra)
    tag = slug(add_articles, select, extra)
    work = out_dir / "loso" / (tag or "default")
    work.mkdir(parents=True, exist_ok=True)

    # Held-out rows: S's split mapped by S's own rules (by label, as default_model.py does).
    loso = [(name, SELECT_SPLITS[name] if select else split) for name, split in RECIPE_SOURCES]
    unseen = []
    for name in UNSEEN_RULES:
        (loso if add_articles else unseen).append((name, SELECT_SPLITS[name] if select else UNSEEN_SPLIT))
    mapping_of = {}
    for r in rules:
        mapping_of.setdefault(r["source"], {})[r["from"]] = (r["to"] or None,)
    for name, mapping in UNSEEN_RULES.items():
        mapping_of.setdefault(train_file(data_dir, name), mapping)

    full_recipe = work / "full.recipe"
    write_recipe(full_recipe, rules)
    full_model = work / "full.model"
    timings = {"full": train_newsclf(binary, full_recipe, full_model, flags)}
    full_labels = {topic for _, topic, _ in recipe_rows(full_recipe, read_recipe(full_recipe)) if topic}
    if peer:
        init_jieba()

    results = {}
    for name, split in loso:
        source = train_file(data_dir, name)
        texts, truth, left_out = mapped_split(data_dir / name / split, mapping_of[source])
        recipe = work / f"without_{name}.recipe"
        held = {source} | {train_file(data_dir, n) for n in SAME_PORTAL.get(name, [])}
        write_recipe(recipe, [r for r in rules if r["source"] not in held])
        rows = recipe_rows(recipe, read_recipe(recipe))
        labels = {topic for _, topic, _ in rows if topic}
        known = [(t, y) for t, y in zip(texts, truth) if y in labels]
        unknown = len(texts) - len(known)
        k_texts, k_truth = [t for t, _ in known], [y for _, y in known]
        path = work / f"{name}_{Path(split).stem}_known.csv"
        write_texts(path, k_texts)

        model = work / f"without_{name}.model"
        timings[f"without {name}"] = train_newsclf(binary, recipe, model, flags)
        cell = {
            "split": f"{name}/{split}",
            "rows_scored": len(known),
            "left_out_by_mapping": left_out,
            "dropped_unknown_label": unknown,
            "unknown_labels": sorted({y for y in truth if y not in labels}),
            "loso": score("topic", k_truth, newsclf_predict(binary, str(model), path, "topic")),
        }
        if split != "train.csv":
            cell["in_source"] = score("topic", k_truth, newsclf_predict(binary, str(full_model), path, "topic"))
        cell["loso"]["accuracy_unknown_as_errors"] = (
            cell["loso"]["accuracy"] * len(known) / len(texts) if texts else 0.0)
        if peer:
            clock = time.perf_counter()
            p = Peer(rows)
            timings[f"peer without {name}"] = time.perf_counter() - clock
            cell["peer_loso"] = score("topic", k_truth, p.predict(k_texts, "topic"))
        model.unlink()
        results[name] = cell

    unseen_results = {}
    for name, split in unseen:
        texts, truth, left_out = mapped_split(data_dir / name / split, UNSEEN_RULES[name])
        assert set(truth) <= full_labels, (name, set(truth) - full_labels)
        path = work / f"{name}_{Path(split).stem}_mapped.csv"
        write_texts(path, texts)
        unseen_results[name] = {
            "split": f"{name}/{split}", "rows_scored": len(texts), "left_out_by_mapping": left_out,
            "full_recipe": score("topic", truth, newsclf_predict(binary, str(full_model), path, "topic")),
        }
    full_model.unlink()

    def mean(key, metric, names=results):
        values = [results[n][key][metric] for n in names if metric in results[n].get(key, {})]
        return statistics.mean(values) if len(values) == len(names) else None

    means = {f"{key} {metric}": mean(key, metric)
             for key in ("loso", "in_source", "peer_loso")
             for metric in ("accuracy", "macro_f1", "accuracy_unknown_as_errors")
             if mean(key, metric) is not None}
    # With --add-articles there are five LOSO rows: the mean over the recipe's three
    # sources is the one comparable with a run without it.
    three = [name for name, _ in RECIPE_SOURCES]
    means.update({f"{key} {metric} (3 recipe sources)": mean(key, metric, three)
                  for key in ("loso", "peer_loso") for metric in ("accuracy", "macro_f1")
                  if mean(key, metric, three) is not None})

    print(f"newsclf train flags: `{' '.join(flags)}`; recipe: `{recipe_path}`"
          f"{' + sogou_mini_articles/train and thucnews_articles_sample/train (--add-articles)' if add_articles else ''}")
    print()
    print("| held out: source (split) | rows | dropped, label unknown to LOSO model | LOSO acc | LOSO macro-F1 "
          "| LOSO acc, unknown = error | in-source acc | in-source macro-F1 | peer LOSO acc | peer LOSO macro-F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")

    def f(x):
        return "—" if x is None else f"{x:.4f}"

    for c in results.values():
        p = c.get("peer_loso", {})
        i = c.get("in_source", {})
        dropped = f"{c['dropped_unknown_label']:,}" + (
            f" ({', '.join(c['unknown_labels'])})" if c["unknown_labels"] else "")
        print(f"| {c['split']} | {c['rows_scored']:,} | {dropped} | {f(c['loso']['accuracy'])} | "
              f"{f(c['loso']['macro_f1'])} | {f(c['loso']['accuracy_unknown_as_errors'])} | "
              f"{f(i.get('accuracy'))} | {f(i.get('macro_f1'))} | "
              f"{f(p.get('accuracy'))} | {f(p.get('macro_f1'))} |")
    m = means.get
    print(f"| **mean over LOSO rows** | | | **{f(m('loso accuracy'))}** | {f(m('loso macro_f1'))} | "
          f"{f(m('loso accuracy_unknown_as_errors'))} | {f(m('in_source accuracy'))} | "
          f"{f(m('in_source macro_f1'))} | {f(m('peer_loso accuracy'))} | {f(m('peer_loso macro_f1'))} |")
    if add_articles:
        print(f"| mean over the recipe's 3 sources | | | {f(m('loso accuracy (3 recipe sources)'))} | "
              f"{f(m('loso macro_f1 (3 recipe sources)'))} | | | | "
              f"{f(m('peer_loso accuracy (3 recipe sources)'))} | {f(m('peer_loso macro_f1 (3 recipe sources)'))} |")
    if unseen_results:
        print()
        print("| unseen source (split), full-recipe model | rows | left out by the mapping | accuracy | macro-F1 "
              "| recall per class |")
        print("|---|---:|---:|---:|---:|---|")
        for c in unseen_results.values():
            r = c["full_recipe"]
            recalls = " ".join(f"{k} {v:.2f}" for k, v in r["recall"].items())
            print(f"| {c['split']} | {c['rows_scored']:,} | {c['left_out_by_mapping']:,} | {f(r['accuracy'])} | "
                  f"{f(r['macro_f1'])} | {recalls} |")
    print()
    print("| held out | recall per class, LOSO newsclf (in-source in parentheses) |")
    print("|---|---|")
    for c in results.values():
        inside = c.get("in_source", {}).get("recall", {})
        recalls = " ".join(f"{k} {v:.2f}" + (f" ({inside[k]:.2f})" if k in inside else "")
                           for k, v in c["loso"]["recall"].items())
        print(f"| {c['split']} | {recalls} |")
    print()
    print("training time, s: " + ", ".join(f"{k} {v:.0f}" for k, v in timings.items()))

    json_path = out_dir / (f"loso-{tag}.json" if tag else "loso.json")
    with open(json_path, "w", encoding="utf-8") as fh:
        json.dump({"train_flags": flags, "add_articles": add_articles, "select": select, "loso": results,
                   "unseen": unseen_results, "means": means, "train_s": timings,
                   "commit": os.environ.get("LOSO_COMMIT", "")},
                  fh, indent=1, ensure_ascii=False)
    print(f"\nwrote {json_path}")


if __name__ == "__main__":
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        i = args.index("--")
        args, extra = args[:i], args[i + 1:]
    switches = {"--add-articles", "--no-peer", "--select"}
    on = switches & set(args)
    args = [a for a in args if a not in switches]
    if len(args) != 3:
        sys.exit(__doc__)
    os.makedirs(args[2], exist_ok=True)
    main(*args, add_articles="--add-articles" in on, peer="--no-peer" not in on, select="--select" in on,
         extra=extra)
