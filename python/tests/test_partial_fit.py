"""newsclf.Classifier.partial_fit: scikit-learn's out-of-core pattern on real
titles (thucnews_titles in chunks), and its error cases."""

from __future__ import annotations

import newsclf
import numpy as np
import pandas as pd
import pytest
from conftest import shared_csv

CHUNK = 4000


@pytest.fixture(scope="module")
def titles_split():
    """The first 16,000 training titles and the first 4,000 test titles."""
    train = pd.read_csv(shared_csv("thucnews_titles", "train.csv")).iloc[:16000]
    test = pd.read_csv(shared_csv("thucnews_titles", "test.csv")).sample(n=4000, random_state=0)
    return train, test


def test_partial_fit_over_chunks_comes_close_to_fit_on_everything(titles_split):
    train, test = titles_split
    classes = np.unique(train.label)
    clf = newsclf.Classifier()
    for start in range(0, len(train), CHUNK):
        chunk = train.iloc[start : start + CHUNK]
        assert clf.partial_fit(chunk.text, chunk.label, classes=classes if start == 0 else None) is clf
    incremental = clf.score(test.text, test.label)
    whole = newsclf.Classifier().fit(train.text, train.label).score(test.text, test.label)
    first_chunk = newsclf.Classifier().fit(train.text[:CHUNK], train.label[:CHUNK]).score(test.text, test.label)
    # Measured: 4 chunks 0.869, all at once 0.880, the first chunk alone 0.833. The
    # vocabulary is the first chunk's, so some loss is expected; 2.5 points at most.
    assert incremental >= whole - 0.025, (incremental, whole)
    assert incremental >= first_chunk + 0.01, (incremental, first_chunk)
    assert list(clf.classes_) == list(classes)
    proba = clf.predict_proba(test.text[:5])
    assert proba.shape == (5, len(classes)) and np.allclose(proba.sum(axis=1), 1.0)


def test_classes_declared_but_not_yet_seen_get_zero_probability_until_trained(titles):
    first = titles[titles.label.isin(["sports", "finance"])].iloc[:400]
    later = titles[titles.label.isin(["sports", "game"])].iloc[:400]
    clf = newsclf.Classifier().partial_fit(first.text, first.label, classes=["finance", "game", "sports"])
    assert list(clf.classes_) == ["finance", "game", "sports"]
    proba = clf.predict_proba(later.text)
    assert proba.shape == (len(later), 3) and np.all(proba[:, 1] == 0.0)
    clf.partial_fit(later.text, later.label)
    games = later[later.label == "game"]
    assert np.mean(clf.predict(games.text) == "game") > 0.8
    assert np.all(clf.predict_proba(later.text)[:, 1] >= 0.0)


def test_partial_fit_errors(titles):
    batch = titles.iloc[:300]
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        newsclf.Classifier().partial_fit(batch.text, batch.label)
    with pytest.raises(ValueError, match="y has labels not in classes"):
        newsclf.Classifier().partial_fit(batch.text, batch.label, classes=["sports", "game"])
    classes = np.unique(titles.label)
    clf = newsclf.Classifier().partial_fit(batch.text, batch.label, classes=classes)
    with pytest.raises(ValueError, match="is not the same as on the last call"):
        clf.partial_fit(batch.text, batch.label, classes=classes[:-1])
    with pytest.raises(ValueError, match="y has labels not in classes"):
        clf.partial_fit(batch.text, batch.label.replace("sports", "weather"))
    with pytest.raises(ValueError, match="one label column"):
        clf.partial_fit(batch.text, np.column_stack([batch.label, batch.label]))
    # A setting that defines features cannot change between batches.
    clf.set_params(min_df=3)
    with pytest.raises(ValueError, match="min_df= differs from the model being continued"):
        clf.partial_fit(batch.text, batch.label)
    with pytest.raises(ValueError, match="model= must be linear to continue a model"):
        newsclf.Classifier(model="nb").partial_fit(batch.text, batch.label, classes=classes).partial_fit(
            batch.text, batch.label
        )
