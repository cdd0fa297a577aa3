"""Classify a column of Chinese news texts with newsclf on Apache Spark.

Two ways, the same labels:

- ``classify(df, model)``: with the Python package on the executors. The model
  travels to them as bytes (a broadcast variable; a ``newsclf.Model`` pickles
  as its model-file bytes and is decoded once per Python worker), and each
  partition is classified with ``mapInPandas``. Every head of the model adds
  two columns, e.g. ``topic``, ``topic_probability``, ``sentiment``,
  ``sentiment_probability``. A row with a null or empty text is kept, with
  null labels.
- ``classify_with_cli(df, command)``: for clusters without the wheel, the
  ``newsclf`` binary as a Spark stage, as ``RDD.pipe`` runs a command (one
  text per line in, one JSON line per text out), joined back to the
  partition's rows by line in the same task.

As a job::

    spark-submit examples/spark/classify_news.py --input news.csv \\
        --text-col text --output labeled.parquet [--model my.model] [--prefix predicted_]
        [--cli [--newsclf ./newsclf]]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import threading

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import FloatType, StringType, StructField, StructType

DEFAULT_COMMAND = "newsclf predict --input - --format json --top-k 1"


def _label_schema(df: DataFrame, heads, prefix: str) -> StructType:
    fields = list(df.schema.fields)
    for head in heads:
        for name, kind in ((f"{prefix}{head}", StringType()),
                           (f"{prefix}{head}_probability", FloatType())):
            if name in df.columns:
                raise ValueError(
                    f"the input already has a column '{name}': drop it, or name the label "
                    "columns with a prefix (prefix='predicted_', --prefix predicted_)"
                )
            fields.append(StructField(name, kind, True))
    return StructType(fields)


def classify(
    df: DataFrame, model, text_col: str = "text", threads: int = 1, prefix: str = ""
) -> DataFrame:
    """``df`` with the labels of ``model`` (a ``newsclf.Model``) for ``text_col``,
    in the columns ``<prefix><head>`` and ``<prefix><head>_probability``.

    ``threads`` is the number of threads each task classifies with: Spark's
    task slots already spread the partitions over the cores (more threads
    than a task's cores, ``spark.task.cpus``, only compete with the other
    tasks). The rows reach each task in Arrow batches of
    ``spark.sql.execution.arrow.maxRecordsPerBatch`` rows (10,000 by default);
    each batch is one ``predict_labels`` call.
    """
    import numpy as np
    import pandas as pd  # noqa: F401  (mapInPandas needs pandas and pyarrow)

    heads = model.heads
    schema = _label_schema(df, heads, prefix)
    shared = df.sparkSession.sparkContext.broadcast(model)

    def label_batches(batches):
        # Decoded once per Python worker (a worker keeps a broadcast value for
        # the tasks it runs), not per batch or per task.
        model = shared.value
        for batch in batches:
            texts = batch[text_col]
            usable = (texts.notna() & (texts.astype(str).str.strip() != "")).to_numpy()
            everything = bool(usable.all())
            columns = model.predict_labels(
                (texts if everything else texts[usable]).tolist(), threads=threads
            )
            for head in heads:
                labels, probs = columns[head]
                name = f"{prefix}{head}"
                if everything:
                    batch[name] = labels
                    batch[f"{name}_probability"] = probs
                    continue
                label_col = np.full(len(batch), None, dtype=object)
                label_col[usable] = labels
                prob_col = np.full(len(batch), np.nan, dtype=np.float32)
                prob_col[usable] = probs
                batch[name] = label_col
                batch[f"{name}_probability"] = prob_col
            yield batch

    return df.mapInPandas(label_batches, schema=schema)


def _one_line(text) -> str:
    # The CLI reads one document per line.
    return "" if text is None else " ".join(str(text).splitlines())


def _run_cli(argv, env, lines):
    """Runs ``argv`` with ``lines`` on its stdin; its stdout lines, as RDD.pipe does."""
    proc = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, encoding="utf-8"
    )

    def feed():
        try:
            for line in lines:
                proc.stdin.write(line + "\n")
        finally:
            proc.stdin.close()

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    out = proc.stdout.readlines()
    writer.join()
    if proc.wait() != 0:
        raise RuntimeError(f"{shlex.join(argv)} exited with status {proc.returncode}")
    return out


def classify_with_cli(
    df: DataFrame,
    text_col: str = "text",
    command: str = DEFAULT_COMMAND,
    heads=("topic", "sentiment"),
    prefix: str = "",
    env=None,
    threads: int = 1,
) -> DataFrame:
    """``df`` with the labels ``command`` (``newsclf predict ... --format json``) gives.

    ``heads`` are the model's heads (the default model's by default). Like
    ``RDD.pipe``, each partition's texts go to one run of ``command``, one per
    line, and its JSON lines come back; unlike ``RDD.pipe`` + a join on
    (partition, line), the partition's rows wait beside the process, so the
    labels are joined to them by line number in the same task, without a
    shuffle. The command runs with only the environment ``env`` (default: the
    driver's PATH) plus ``RAYON_NUM_THREADS=threads`` (the CLI's threads per
    task, as ``classify``'s ``threads``), so the binary must be found there on
    every executor, or be named by a path in ``command`` (e.g. ``./newsclf``,
    shipped with ``--files``); a model file shipped with ``--files`` is found
    by its name. Rows the CLI skips (empty texts) get null labels; the CLI
    reports them on the executors' stderr.
    """
    if env is None:
        env = {"PATH": os.environ.get("PATH", os.defpath)}
    env = {"RAYON_NUM_THREADS": str(threads), **env}
    schema = _label_schema(df, heads, prefix)
    argv = shlex.split(command)

    def label_partition(rows):
        rows = list(rows)
        if not rows:
            return
        predictions = [None] * len(rows)
        for line in _run_cli(argv, env, (_one_line(row[text_col]) for row in rows)):
            doc = json.loads(line)
            predictions[doc["id"] - 1] = doc["predictions"]
        for row, found in zip(rows, predictions):
            values = list(row)
            for head in heads:
                p = (found or {}).get(head)
                values += [p["label"], p["probability"]] if p else [None, None]
            yield values

    return df.sparkSession.createDataFrame(df.rdd.mapPartitions(label_partition), schema=schema)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", required=True, help="CSV file with a header")
    parser.add_argument("--text-col", default="text")
    parser.add_argument("--output", required=True, help="Parquet output path")
    parser.add_argument("--model", help="model file (default: the built-in model)")
    parser.add_argument("--cli", action="store_true", help="pipe through the newsclf binary")
    parser.add_argument("--prefix", default="", help="prefix of the label columns' names")
    parser.add_argument(
        "--newsclf", default="newsclf", help="with --cli: the binary (a path, or on PATH)"
    )
    args = parser.parse_args(argv)

    spark = SparkSession.builder.appName("newsclf").getOrCreate()
    df = spark.read.csv(args.input, header=True, multiLine=True, escape='"')
    if args.cli:
        model_flag = ["--model", args.model] if args.model else []
        info = subprocess.run(
            [args.newsclf, "info", "--format", "json", *model_flag],
            check=True,
            capture_output=True,
            text=True,
        )
        heads = [h["name"] for h in json.loads(info.stdout)["heads"]]
        command = shlex.join([args.newsclf, *shlex.split(DEFAULT_COMMAND)[1:], *model_flag])
        out = classify_with_cli(df, args.text_col, command, heads=heads, prefix=args.prefix)
    else:
        import newsclf

        model = newsclf.Model.load(args.model) if args.model else newsclf.Model.default()
        out = classify(df, model, args.text_col, prefix=args.prefix)
    out.write.mode("overwrite").parquet(args.output)
    spark.stop()


if __name__ == "__main__":
    main()
