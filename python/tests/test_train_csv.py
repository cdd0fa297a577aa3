"""newsclf.train_csv: training on a CSV file in bounded memory from Python,
against the in-memory estimator on the same real rows."""

from __future__ import annotations

import newsclf
import pandas as pd
import pytest
from conftest import shared_csv


@pytest.fixture(scope="module")
def titles_x2(tmp_path_factory):
    """thucnews_titles' training split written twice, with two bad rows."""
    train = pd.read_csv(shared_csv("thucnews_titles", "train.csv"))
    path = tmp_path_factory.mktemp("csv") / "x2.csv"
    doubled = pd.concat([train, train, pd.DataFrame({"text": ["", "无标签"], "label": ["sports", ""]})])
    doubled.to_csv(path, index=False)
    return path, train


def test_streamed_training_matches_training_in_memory(titles_x2):
    path, train = titles_x2
    test = pd.read_csv(shared_csv("thucnews_titles", "test.csv")).sample(n=4000, random_state=0)
    model, skipped = newsclf.train_csv(path, memory_limit="16M")
    assert [(line, reason) for line, reason, _ in skipped] == [
        (2 * len(train) + 2, "empty text"),
        (2 * len(train) + 3, "empty label in column 'label'"),
    ]
    labels, _ = model.predict_labels(test.text.tolist())["label"]
    streamed = (pd.Series(labels, index=test.index) == test.label).mean()
    whole = newsclf.Classifier().fit(train.text, train.label).score(test.text, test.label)
    assert whole > 0.85 and abs(streamed - whole) < 0.01, (streamed, whole)
    # Continuing the streamed model on the file again keeps its classes.
    again, _ = newsclf.train_csv(path, memory_limit="16M", init=model)
    assert again.classes() == model.classes()


def test_bad_arguments_are_errors_naming_them(titles_x2):
    path, _ = titles_x2
    with pytest.raises(ValueError, match="at least 16M"):
        newsclf.train_csv(path, memory_limit="1M")
    with pytest.raises(ValueError, match="no column 'topic'"):
        newsclf.train_csv(path, memory_limit="64M", label_cols=["topic"])
    with pytest.raises(ValueError, match="linear only"):
        newsclf.train_csv(path, memory_limit="64M", settings={"model": "nb"})
