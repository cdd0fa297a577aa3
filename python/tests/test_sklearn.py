"""newsclf.Classifier inside scikit-learn: clone, params, Pipeline,
cross_val_score, GridSearchCV, pickling, label types, several heads."""

from __future__ import annotations

import pickle
import warnings

import newsclf
import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer


def test_params_follow_scikit_learn_conventions():
    clf = newsclf.Classifier(C=0.5, char_ngrams=None)
    params = clf.get_params()
    assert params["C"] == 0.5 and params["char_ngrams"] is None and params["min_df"] == 2
    copy = clone(clf)
    assert copy is not clf and copy.get_params() == params
    assert clf.set_params(min_df=1) is clf and clf.min_df == 1
    with pytest.raises(ValueError, match="Invalid parameter"):
        clf.set_params(no_such=1)
    assert is_classifier(clf)
    assert not hasattr(newsclf.Classifier(), "model_")


def test_fit_predict_score_on_real_titles(titles):
    train, test = titles.iloc[:2400], titles.iloc[2400:]
    clf = newsclf.Classifier().fit(train.text, train.label)
    assert list(clf.classes_) == sorted(train.label.unique())
    predicted = clf.predict(test.text)
    assert predicted.shape == (len(test),)
    accuracy = clf.score(test.text, test.label)
    assert accuracy == np.mean(predicted == test.label.to_numpy())
    assert accuracy > 0.6, accuracy  # 10 balanced topics: chance is 0.1
    proba = clf.predict_proba(test.text)
    assert proba.shape == (len(test), len(clf.classes_))
    assert (clf.classes_[proba.argmax(axis=1)] == predicted).all()


def test_cross_val_score_and_a_pipeline(titles):
    sample = titles.iloc[:1500]
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    scores = cross_val_score(newsclf.Classifier(), sample.text, sample.label, cv=folds)
    assert len(scores) == 3 and all(0.5 < s <= 1 for s in scores), scores
    upper = FunctionTransformer(lambda xs: [x.upper() for x in xs])
    pipe = make_pipeline(upper, newsclf.Classifier())
    piped = cross_val_score(pipe, sample.text, sample.label, cv=folds)
    # Letters are folded to lower case before segmenting: the same scores.
    np.testing.assert_allclose(piped, scores)


def test_grid_search_picks_settings_by_cross_validation(titles):
    sample = titles.iloc[:1200]
    grid = GridSearchCV(
        newsclf.Classifier(),
        {"C": [0.05, 0.5], "char_ngrams": [None, (1, 2)]},
        cv=3,
    )
    grid.fit(sample.text, sample.label)
    assert set(grid.best_params_) == {"C", "char_ngrams"}
    scores = grid.cv_results_["mean_test_score"]
    assert len(scores) == 4 and grid.best_score_ == max(scores)
    assert grid.best_estimator_.C == grid.best_params_["C"]
    assert grid.score(titles.text[1200:1500], titles.label[1200:1500]) > 0.5


def test_a_fitted_classifier_pickles_through_the_model_bytes(titles):
    clf = newsclf.Classifier(C=0.5).fit(titles.text[:1000], titles.label[:1000])
    data = pickle.dumps(clf)
    again = pickle.loads(data)
    texts = titles.text[1000:1300]
    np.testing.assert_array_equal(again.predict(texts), clf.predict(texts))
    np.testing.assert_array_equal(again.predict_proba(texts), clf.predict_proba(texts))
    assert again.get_params() == clf.get_params()
    assert len(data) >= len(clf.model_.to_bytes())


def test_integer_labels_come_back_as_integers(news):
    codes = {name: i * 10 for i, name in enumerate(sorted(news.topic.unique()))}
    y = news.topic.map(codes).to_numpy()
    clf = newsclf.Classifier().fit(news.text, y)
    assert clf.classes_.dtype.kind == "i"
    assert list(clf.classes_) == sorted(codes.values())
    predicted = clf.predict(news.text[:50])
    assert predicted.dtype.kind == "i"
    assert set(predicted) <= set(codes.values())
    assert clf.score(news.text, y) > 0.9  # training data


def test_several_label_columns_are_several_heads(news_split):
    train, test = news_split
    clf = newsclf.Classifier().fit(train.text, train[["topic", "sentiment"]])
    assert clf.heads_ == ["topic", "sentiment"]
    assert [list(c) for c in clf.classes_] == [
        sorted(train.topic.unique()),
        sorted(train.sentiment.unique()),
    ]
    predicted = clf.predict(test.text)
    assert predicted.shape == (len(test), 2)
    topic_acc = np.mean(predicted[:, 0] == test.topic.to_numpy())
    sentiment_acc = np.mean(predicted[:, 1] == test.sentiment.to_numpy())
    both = clf.score(test.text, test[["topic", "sentiment"]])
    assert both <= min(topic_acc, sentiment_acc)
    assert topic_acc > 0.7, topic_acc
    proba = clf.predict_proba(test.text)
    n_topics = train.topic.nunique()
    assert [p.shape for p in proba] == [(len(test), n_topics), (len(test), 3)]
    named = newsclf.Classifier(heads=["t", "s"]).fit(train.text, train[["topic", "sentiment"]].to_numpy())
    assert named.model_.heads == ["t", "s"]


def test_unusable_rows_are_reported_not_dropped_silently(news):
    texts = list(news.text[:60])
    labels = list(news.topic[:60])
    texts[3] = "   "
    labels[7] = None
    labels[8] = f" {labels[8]} "  # trimmed, as the CLI trims labels
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = newsclf.Classifier(min_df=1).fit(texts, labels)
    [warning] = [w for w in caught if issubclass(w.category, newsclf.SkippedRowsWarning)]
    message = str(warning.message)
    assert "empty text (row skipped): 1 × X[3]" in message, message
    assert "X[7]" in message, message
    assert clf.skipped_ == [(3, "empty text"), (7, "empty label in column 'label'")]
    assert set(clf.classes_) == set(news.topic[:60])


def test_bad_settings_and_data_are_value_errors(news):
    texts, labels = news.text[:100], news.topic[:100]
    with pytest.raises(ValueError, match="^invalid setting: min_df= must be at least 1$"):
        newsclf.Classifier(min_df=0).fit(texts, labels)
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        newsclf.Classifier(loss="hinge").fit(texts, labels)
    with pytest.raises(ValueError, match="has only one class"):
        newsclf.Classifier().fit(texts, ["energy"] * len(texts))
    with pytest.raises(ValueError, match="^invalid setting: C= must be a positive finite number"):
        newsclf.Classifier(C=-1.0).fit(texts, labels)
    with pytest.raises(ValueError, match="100 labels for 99 texts"):
        newsclf.Classifier().fit(texts[:99], labels)
    with pytest.raises(TypeError, match=r"X\[2\] is None"):
        newsclf.Classifier().fit(["a", "b", None], ["x", "y", "x"])
    with pytest.raises(ValueError, match="same as text"):
        newsclf.Classifier().fit(["a", "b"], [1, "1"])


def test_settings_of_another_kind_are_refused_by_their_keyword(news):
    texts, labels = news.text[:100], news.topic[:100]
    with pytest.raises(ValueError) as caught:
        # Refused before the texts are looked at (X[1] is None).
        newsclf.Classifier(model="nb", C=0.5).fit(["a", None], ["x", "y"])
    assert str(caught.value) == (
        "invalid setting: C= applies to model='linear' or 'linfa-logistic', not 'nb'; "
        "drop C= (or pass None)"
    )
    for params, name in [
        ({"model": "linfa-logistic", "seed": 42}, "seed="),
        ({"model": "linfa-logistic", "loss": "svm"}, "loss="),
        ({"model": "nb", "tol": 0.1}, "tol="),
        ({"model": "nb", "max_iter": 5}, "max_iter="),
        ({"alpha": 1.0}, "alpha="),
        ({"model": "nb", "max_dense_mb": 10}, "max_dense_mb="),
    ]:
        with pytest.raises(ValueError, match=f"^invalid setting: {name} applies to model="):
            newsclf.Classifier(**params).fit(texts, labels)
    # None is the kind's default, and a kind's own settings are taken.
    clf = newsclf.Classifier(model="nb", C=None, alpha=0.5, min_df=1).fit(texts, labels)
    assert clf.model_.heads == ["label"]
    params = newsclf.Classifier().get_params()
    assert all(params[k] is None for k in ["loss", "C", "tol", "max_iter", "alpha", "seed"])


def test_other_model_kinds_train_from_python(titles):
    sample = titles.iloc[:600]
    for kind in ["nb", "linfa-logistic"]:
        clf = newsclf.Classifier(model=kind, max_features=2000).fit(sample.text, sample.label)
        assert clf.score(sample.text, sample.label) > 0.8, kind
