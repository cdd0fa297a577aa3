"""A model trained in Python loads in the CLI and the other way round, with
identical predictions; training from Python equals `newsclf train`."""

from __future__ import annotations

import newsclf
import numpy as np
from conftest import json_lines


def test_cli_and_python_training_give_the_same_model(news_split, cli, tmp_path):
    train, test = news_split
    train.to_csv(tmp_path / "train.csv", index=False)
    cli("train", "--data", tmp_path / "train.csv", "--label-col", "topic", "--label-col",
        "sentiment", "--min-df", "1", "--c", "0.5", "--out", tmp_path / "cli.model", "--quiet")
    from_cli = newsclf.Model.load(tmp_path / "cli.model")
    clf = newsclf.Classifier(min_df=1, C=0.5).fit(train.text, train[["topic", "sentiment"]])
    texts = list(test.text)
    for head in ["topic", "sentiment"]:
        np.testing.assert_array_equal(
            clf.model_.predict_proba(texts, head=head), from_cli.predict_proba(texts, head=head)
        )
    assert from_cli.predict(texts, top_k=3) == clf.model_.predict(texts, top_k=3)


def test_a_python_model_predicts_the_same_in_the_cli(two_head, news_split, cli, tmp_path):
    model, path = two_head
    _, test = news_split
    test[["text"]].to_csv(tmp_path / "test.csv", index=False)
    from_cli = json_lines(
        cli("predict", "--model", path, "--input", tmp_path / "test.csv", "--format", "json",
            "--top-k", "6")
    )
    from_python = model.predict(list(test.text), top_k=6)
    assert [d["predictions"] for d in from_cli] == [d["predictions"] for d in from_python]
    info = cli("info", "--model", path)
    assert "<python>" in info


def test_a_cli_model_predicts_the_same_in_python(cli, titles, tmp_path):
    titles.iloc[:2000].to_csv(tmp_path / "train.csv", index=False)
    cli("train", "--data", tmp_path / "train.csv", "--out", tmp_path / "titles.model", "--quiet")
    model = newsclf.Model.load(tmp_path / "titles.model")
    texts = list(titles.text.iloc[2000:])
    (tmp_path / "texts.txt").write_text("\n".join(texts) + "\n")
    from_cli = json_lines(
        cli("predict", "--model", tmp_path / "titles.model", "--input", tmp_path / "texts.txt",
            "--format", "json", "--top-k", "3")
    )
    assert model.predict(texts, top_k=3) == from_cli
