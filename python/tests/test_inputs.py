"""Texts as lists, tuples, NumPy arrays and pandas Series; bad elements."""

from __future__ import annotations

import newsclf
import numpy as np
import pandas as pd
import pytest

TEXTS = ["国际油价大幅上涨", "女排三比零战胜对手", "央行下调存款准备金率", ""]


@pytest.fixture(scope="module")
def model():
    return newsclf.Model.default()


@pytest.mark.parametrize(
    "wrap",
    [tuple, np.array, lambda t: np.array(t, dtype=object), pd.Series, lambda t: iter(t)],
    ids=["tuple", "numpy-str", "numpy-object", "pandas", "iterator"],
)
def test_every_sequence_of_str_gives_the_list_result(model, wrap):
    expected = model.predict(TEXTS, top_k=2)
    assert model.predict(wrap(TEXTS), top_k=2) == expected
    np.testing.assert_array_equal(model.predict_proba(wrap(TEXTS)), model.predict_proba(TEXTS))


def test_an_empty_text_is_classified_and_no_text_gives_no_rows(model):
    assert len(model.predict([""])) == 1
    assert model.predict([]) == []
    assert model.predict_proba([]).shape == (0, len(model.classes()))


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (["好", None], r"texts\[1\] is None, not a str"),
        (["好", "好", 3], r"texts\[2\] is int \(3\), not a str"),
        (pd.Series(["好", np.nan]), r"texts\[1\] is float \(nan\), not a str"),
        ([b"bytes"], r"texts\[0\] is bytes"),
        ("一句话", "not one str: wrap it in a list"),
        (42, "not int"),
    ],
)
def test_a_non_string_is_a_type_error_naming_its_position(model, texts, message):
    with pytest.raises(TypeError, match=message):
        model.predict(texts)
    with pytest.raises(TypeError, match=message):
        model.predict_proba(texts)


def test_a_lone_surrogate_is_a_value_error(model):
    with pytest.raises(ValueError, match=r"texts\[0\] is not valid Unicode"):
        model.predict(["\udc80abc"])


def test_explain_and_split_page_take_one_str(model):
    with pytest.raises(TypeError, match="text is None"):
        model.explain(None)
    with pytest.raises(TypeError, match="markdown is list"):
        newsclf.split_page(["# 标题"])
