"""Python-API benchmark (run by bench/python_api.sh): in one process and on the
same data, newsclf's Python API against a jieba + scikit-learn pipeline
(TfidfVectorizer over jieba words, 1-2-grams, + LinearSVC), then the Spark
example's throughput with 1 and 2 worker threads (local[1], local[2]).

Trains both on online_shopping_10_cats/train.csv and predicts train + test
(every text). Prints a Markdown table (also written to bench/out/python_api.md).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

import jieba
import newsclf
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "online_shopping_10_cats"


def timed(fn, runs):
    """The result of ``fn()`` and the median wall time of ``runs`` runs."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def jieba_tokens(text):
    return [w for w in jieba.lcut(text) if w.strip()]


def api_rows(train, texts, runs):
    """(what, seconds, accuracy or None) for each Python-API measurement."""
    rows = []
    clf, fit_s = timed(lambda: newsclf.Classifier().fit(train.text, train.label), 1)
    rows.append(("newsclf.Classifier.fit (train split)", fit_s, len(train), None))
    model = clf.model_
    for threads in (1, 2):
        _, s = timed(lambda t=threads: model.predict(texts, threads=t), runs)
        rows.append((f"newsclf Model.predict, {threads} thread(s)", s, len(texts), None))
    for threads in (1, 2):
        _, s = timed(lambda t=threads: model.predict_proba(texts, threads=t), runs)
        rows.append((f"newsclf Model.predict_proba, {threads} thread(s)", s, len(texts), None))
    _, s = timed(lambda: clf.predict(texts), runs)
    rows.append(("newsclf.Classifier.predict (all cores)", s, len(texts), None))

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    peer = make_pipeline(
        TfidfVectorizer(
            tokenizer=jieba_tokens, token_pattern=None, lowercase=True, ngram_range=(1, 2),
            sublinear_tf=True, min_df=2,
        ),
        LinearSVC(),
    )
    _, s = timed(lambda: peer.fit(list(train.text), list(train.label)), 1)
    rows.append(("jieba + scikit-learn fit (train split)", s, len(train), None))
    _, s = timed(lambda: [jieba.lcut(t) for t in texts], 1)
    rows.append(("jieba.lcut alone (the peer's segmentation)", s, len(texts), None))
    _, s = timed(lambda: peer.predict(texts), 1)
    rows.append(("jieba + scikit-learn predict (1 thread)", s, len(texts), None))
    return rows, clf, peer


def spark_rows(texts, runs, newsclf_bin):
    """Throughput of the Spark example with 1 and 2 worker threads."""
    sys.path.insert(0, str(ROOT / "examples" / "spark"))
    import classify_news
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    model = newsclf.Model.default()
    frame = pd.DataFrame({"row": range(len(texts)), "text": texts})
    rows = []
    for workers in (1, 2):
        start = time.perf_counter()
        spark = (
            SparkSession.builder.master(f"local[{workers}]")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        spark.sparkContext.addPyFile(str(ROOT / "examples" / "spark" / "classify_news.py"))
        df = spark.createDataFrame(frame).repartition(8).cache()
        df.count()
        startup = time.perf_counter() - start
        rows.append((f"Spark local[{workers}]: session start + data load", startup, None, None))
        jobs = {
            "mapInPandas (wheel)": lambda df=df: classify_news.classify(df, model),
            "RDD.pipe (CLI)": lambda df=df: classify_news.classify_with_cli(
                df, command=f"{newsclf_bin} predict --input - --format json --top-k 1 --quiet"
            ),
        }
        for name, job in jobs.items():
            def run(job=job):
                job().write.format("noop").mode("overwrite").save()

            run()  # warm-up: Python workers start, the model is decoded
            _, s = timed(run, runs)
            rows.append((f"Spark local[{workers}] {name}", s, len(texts), None))
        spark.stop()
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="runs per newsclf/Spark timing")
    parser.add_argument("--newsclf-bin", required=True)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "python_api.md"))
    args = parser.parse_args()

    train = pd.read_csv(DATA / "train.csv").dropna()
    test = pd.read_csv(DATA / "test.csv").dropna()
    everything = pd.concat([train, test])
    texts = list(everything.text.astype(str))
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    print(f"predict input: {len(texts)} texts, {megabytes:.1f} MB", file=sys.stderr)

    rows, clf, peer = api_rows(train, texts, args.runs)
    acc_newsclf = clf.score(test.text, test.label)
    acc_peer = (peer.predict(list(test.text)) == test.label.to_numpy()).mean()
    rows += spark_rows(texts, args.runs, args.newsclf_bin)

    lines = [
        "| measurement | texts | seconds | texts/s | MB/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for what, seconds, n, _ in rows:
        if n is None:
            lines.append(f"| {what} | | {seconds:.2f} | | |")
            continue
        mb = megabytes if n == len(texts) else megabytes * n / len(texts)
        lines.append(f"| {what} | {n:,} | {seconds:.2f} | {n / seconds:,.0f} | {mb / seconds:.2f} |")
    by_name = {r[0]: r[1] for r in rows}
    peer_s = by_name["jieba + scikit-learn predict (1 thread)"]
    ours_s = by_name["newsclf Model.predict_proba, 1 thread(s)"]
    spark1 = by_name["Spark local[1] mapInPandas (wheel)"]
    spark2 = by_name["Spark local[2] mapInPandas (wheel)"]
    lines += [
        "",
        (
            f"- predict, 1 thread: newsclf predict_proba {peer_s / ours_s:.1f}× the throughput "
            "of jieba + scikit-learn"
        ),
        f"- Spark mapInPandas: local[2] / local[1] throughput {spark1 / spark2:.2f}×",
        (
            f"- test accuracy (online_shopping_10_cats, {len(test):,} rows): newsclf "
            f"{acc_newsclf:.4f}, jieba + scikit-learn {acc_peer:.4f}"
        ),
    ]
    report = "\n".join(lines)
    print(report)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report + "\n")


if __name__ == "__main__":
    main()
