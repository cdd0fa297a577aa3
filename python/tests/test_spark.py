"""The Spark example on pyspark in local mode with two worker threads: every
row comes back once, with the labels of the CLI."""

from __future__ import annotations

import os
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, json_lines, shared_csv

pyspark = pytest.importorskip("pyspark", reason="pip install pyspark (python/test.sh does)")

EXAMPLE = ROOT / "examples" / "spark" / "classify_news.py"
sys.path.insert(0, str(EXAMPLE.parent))
import classify_news


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("newsclf-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.addPyFile(str(EXAMPLE))
    yield session
    session.stop()


@pytest.fixture(scope="module")
def articles():
    """3,334 thucnews titles (every third row of the test split), with a row id;
    one text is null and one blank, as real tables have."""
    frame = pd.read_csv(shared_csv("thucnews_titles", "test.csv")).iloc[::3]
    frame = frame.reset_index(drop=True)
    frame.insert(0, "row", range(len(frame)))
    frame.loc[5, "text"] = None
    frame.loc[9, "text"] = "  "
    return frame


@pytest.fixture(scope="module")
def cli_labels(two_head, articles, cli, tmp_path_factory):
    """The CLI's labels per row id (rows with no text get none)."""
    _, path = two_head
    usable = articles[articles.text.notna() & (articles.text.str.strip() != "")]
    csv = tmp_path_factory.mktemp("spark") / "articles.csv"
    usable[["text"]].to_csv(csv, index=False)
    docs = json_lines(cli("predict", "--model", path, "--input", csv, "--format", "json"))
    assert len(docs) == len(usable)
    return {
        row: {h: p["label"] for h, p in doc["predictions"].items()}
        for row, doc in zip(usable.row, docs)
    }


def _check(result: pd.DataFrame, articles: pd.DataFrame, cli_labels: dict):
    assert sorted(result.row) == list(articles.row), "every row once"
    result = result.set_index("row").sort_index()
    assert result.text.fillna("<null>").equals(articles.set_index("row").text.fillna("<null>"))
    for head in ["topic", "sentiment"]:
        got = result[head].to_dict()
        for row in articles.row:
            if row in cli_labels:
                assert got[row] == cli_labels[row][head], (row, head)
            else:
                assert pd.isna(got[row]), (row, head)
        probs = result.loc[list(cli_labels), f"{head}_probability"]
        assert ((probs > 0) & (probs <= 1)).all()
    assert 5 not in cli_labels and 9 not in cli_labels


def test_map_in_pandas_job_labels_every_row_as_the_cli(spark, two_head, articles, cli_labels):
    model, _ = two_head
    df = spark.createDataFrame(articles).repartition(4)
    result = classify_news.classify(df, model).toPandas()
    assert list(result.columns) == [
        "row", "text", "label", "topic", "topic_probability", "sentiment",
        "sentiment_probability",
    ]
    _check(result, articles, cli_labels)


def test_the_cli_as_a_spark_stage_gives_the_same_labels(
    spark, two_head, articles, cli_labels, newsclf_bin
):
    _, path = two_head
    df = spark.createDataFrame(articles).repartition(3)
    command = f"{newsclf_bin} predict --model {path} --input - --format json --top-k 1 --quiet"
    result = classify_news.classify_with_cli(df, command=command).toPandas()
    _check(result, articles, cli_labels)


def test_a_label_column_the_input_has_is_refused_unless_prefixed(spark, two_head):
    model, _ = two_head
    df = spark.createDataFrame(pd.DataFrame({"text": ["油价上涨"], "topic": ["energy"]}))
    with pytest.raises(ValueError, match="already has a column 'topic'.*prefix"):
        classify_news.classify(df, model)
    result = classify_news.classify(df, model, prefix="predicted_").toPandas()
    assert list(result.columns) == [
        "text", "topic", "predicted_topic", "predicted_topic_probability",
        "predicted_sentiment", "predicted_sentiment_probability",
    ]


def test_predict_labels_are_the_columns_of_predict(two_head, articles):
    """What classify() reads per Arrow batch: the best label and probability per head."""
    model, _ = two_head
    texts = [t for t in articles.text if isinstance(t, str) and t.strip()][:500]
    columns = model.predict_labels(texts, threads=1)
    dicts = model.predict(texts)
    assert list(columns) == model.heads
    for head, (labels, probs) in columns.items():
        assert labels == [d["predictions"][head]["label"] for d in dicts]
        assert probs.dtype == np.float32 and probs.shape == (len(texts),)
        expected = [d["predictions"][head]["probability"] for d in dicts]
        assert probs.tolist() == pytest.approx(expected, rel=1e-6)
    for labels, probs in model.predict_labels([]).values():
        assert labels == [] and probs.shape == (0,)
