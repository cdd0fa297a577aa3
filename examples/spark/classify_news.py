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
  ``newsclf`` binary as a Spark stage through ``RDD.pipe`` (one text per line
  in, one JSON line per text out), joined back to the rows by partition and
  line.

As a job::

    spark-submit examples/spark/classify_news.py --input news.csv \\
        --text-col text --output labeled.parquet [--model my.model] [--cli]
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import FloatType, StringType, StructField, StructType

DEFAULT_COMMAND = "newsclf predict --input - --format json --top-k 1"


def _label_schema(df: DataFrame, heads) -> StructType:
    fields = list(df.schema.fields)
    for head in heads:
        fields.append(StructField(head, StringType(), True))
        fields.append(StructField(f"{head}_probability", FloatType(), True))
    return StructType(fields)


def classify(df: DataFrame, model, text_col: str = "text", threads: int = 1) -> DataFrame:
    """``df`` with the labels of ``model`` (a ``newsclf.Model``) for ``text_col``.

    ``threads`` is the number of threads each task classifies with: Spark's
    task slots already spread the partitions over the cores.
    """
    import pandas as pd  # noqa: F401  (mapInPandas needs pandas and pyarrow)

    heads = model.heads
    shared = df.sparkSession.sparkContext.broadcast(model)

    def label_batches(batches):
        model = shared.value  # decoded once per Python worker
        for batch in batches:
            texts = batch[text_col]
            usable = texts.notna() & (texts.astype(str).str.strip() != "")
            predictions = model.predict(list(texts[usable]), threads=threads)
            for head in heads:
                labels = [p["predictions"][head]["label"] for p in predictions]
                probs = [p["predictions"][head]["probability"] for p in predictions]
                batch[head] = None
                batch[f"{head}_probability"] = float("nan")
                batch.loc[usable, head] = labels
                batch.loc[usable, f"{head}_probability"] = probs
            yield batch

    return df.mapInPandas(label_batches, schema=_label_schema(df, heads))


def _one_line(text) -> str:
    # The CLI reads one document per line.
    return "" if text is None else " ".join(str(text).splitlines())


def classify_with_cli(
    df: DataFrame,
    text_col: str = "text",
    command: str = DEFAULT_COMMAND,
    heads=("topic", "sentiment"),
) -> DataFrame:
    """``df`` with the labels ``command`` (``newsclf predict ... --format json``) gives.

    ``heads`` are the model's heads (the default model's by default). The
    binary must be on every executor's PATH (or give its path in
    ``command``); a model file shipped with ``--files`` is found by its name.
    Rows the CLI skips (empty texts) get null labels; the CLI reports them on
    the executors' stderr.
    """
    rows = df.rdd
    keyed_rows = rows.mapPartitionsWithIndex(
        lambda part, it: (((part, line), row) for line, row in enumerate(it, start=1))
    )

    def parse(part, lines):
        for line in lines:
            doc = json.loads(line)
            yield (part, doc["id"]), doc["predictions"]

    labels = (
        rows.map(lambda row: _one_line(row[text_col]))
        .pipe(command, checkCode=True)
        .mapPartitionsWithIndex(parse)
    )

    def with_labels(pair):
        row, predictions = pair
        values = list(row)
        for head in heads:
            p = (predictions or {}).get(head)
            values += [p["label"], p["probability"]] if p else [None, None]
        return values

    joined = keyed_rows.leftOuterJoin(labels).values().map(with_labels)
    return df.sparkSession.createDataFrame(joined, schema=_label_schema(df, heads))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", required=True, help="CSV file with a header")
    parser.add_argument("--text-col", default="text")
    parser.add_argument("--output", required=True, help="Parquet output path")
    parser.add_argument("--model", help="model file (default: the built-in model)")
    parser.add_argument("--cli", action="store_true", help="pipe through the newsclf binary")
    args = parser.parse_args(argv)

    spark = SparkSession.builder.appName("newsclf").getOrCreate()
    df = spark.read.csv(args.input, header=True, multiLine=True, escape='"')
    if args.cli:
        model_flag = ["--model", args.model] if args.model else []
        info = subprocess.run(
            ["newsclf", "info", "--format", "json", *model_flag],
            check=True,
            capture_output=True,
            text=True,
        )
        heads = [h["name"] for h in json.loads(info.stdout)["heads"]]
        command = shlex.join(shlex.split(DEFAULT_COMMAND) + model_flag)
        out = classify_with_cli(df, args.text_col, command, heads=heads)
    else:
        import newsclf

        model = newsclf.Model.load(args.model) if args.model else newsclf.Model.default()
        out = classify(df, model, args.text_col)
    out.write.mode("overwrite").parquet(args.output)
    spark.stop()


if __name__ == "__main__":
    main()
