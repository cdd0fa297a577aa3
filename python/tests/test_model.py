"""newsclf.Model: loading, saving, bytes, predictions in the CLI's shapes."""

from __future__ import annotations

import pickle

import newsclf
import numpy as np
import pytest
from conftest import ROOT, json_lines


def test_default_model_has_topic_and_sentiment_heads():
    model = newsclf.Model.default()
    assert model.heads == ["topic", "sentiment"]
    assert set(model.classes("sentiment")) == {"negative", "neutral", "positive"}
    assert model.classes() == model.classes("topic")
    [doc] = model.predict(["国家电网新建特高压输电线路正式投运"])
    assert doc["predictions"]["topic"]["label"] == "energy"


def test_predict_is_the_cli_json(two_head, news_split, cli, tmp_path):
    model, path = two_head
    _, test = news_split
    texts = list(test.text)
    (tmp_path / "texts.txt").write_text("\n".join(t.replace("\n", " ") for t in texts) + "\n")
    expected = json_lines(
        cli("predict", "--model", path, "--input", tmp_path / "texts.txt", "--format", "json",
            "--top-k", "2")
    )
    one_line = [t.replace("\n", " ") for t in texts]
    assert model.predict(one_line, top_k=2) == expected
    assert len(expected) == len(texts)


def test_probabilities_are_a_matrix_in_class_order(two_head, news_split):
    model, _ = two_head
    _, test = news_split
    texts = list(test.text)
    predictions = model.predict(texts, top_k=10)
    for head in model.heads:
        proba = model.predict_proba(texts, head=head)
        classes = model.classes(head)
        assert proba.shape == (len(texts), len(classes))
        assert proba.dtype == np.float32
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
        for row, doc in zip(proba, predictions):
            ranked = doc["predictions"][head]["top"]
            assert classes[int(np.argmax(row))] == ranked[0]["label"]
            for scored in ranked:
                assert row[classes.index(scored["label"])] == np.float32(scored["probability"])


def test_save_load_and_bytes_round_trip(two_head, news_split, tmp_path):
    model, path = two_head
    _, test = news_split
    texts = list(test.text[:40])
    data = model.to_bytes()
    assert data == path.read_bytes()
    again = newsclf.Model.from_bytes(data)
    model.save(tmp_path / "copy.model")
    loaded = newsclf.Model.load(tmp_path / "copy.model")
    unpickled = pickle.loads(pickle.dumps(model))
    expected = model.predict(texts, top_k=3)
    for other in (again, loaded, unpickled):
        assert other.predict(texts, top_k=3) == expected
        assert other.heads == model.heads
    assert (tmp_path / "copy.model").read_bytes() == data


def test_explain_is_the_cli_json(two_head, cli):
    model, path = two_head
    text = "国家电网今冬新增储气能力一千万立方米，保障居民供暖"
    import json

    expected = json.loads(cli("explain", "--model", path, "--top", "4", "--format", "json", text))
    assert model.explain(text, top=4) == expected
    assert len(expected[0]["toward"]) <= 4


def test_split_page_finds_the_articles_the_cli_finds(cli):
    page = (ROOT / "data" / "sample_page.md").read_text()
    articles = newsclf.split_page(page)
    cli_docs = json_lines(
        cli("predict", "--sections", "--input", ROOT / "data" / "sample_page.md", "--format",
            "json")
    )
    assert [a["title"] for a in articles] == [d["title"] for d in cli_docs]
    assert len(articles) >= 2
    for a in articles:
        assert a["text"].startswith(a["title"])
        assert a["line"] >= 1
    model = newsclf.Model.default()
    labels = [d["predictions"] for d in model.predict([a["text"] for a in articles], top_k=3)]
    assert labels == [d["predictions"] for d in cli_docs]


def test_errors_are_python_exceptions_with_the_library_message(tmp_path):
    with pytest.raises(OSError, match="no-such.model"):
        newsclf.Model.load(tmp_path / "no-such.model")
    with pytest.raises(ValueError, match="not a newsclf model file"):
        newsclf.Model.load(ROOT / "data" / "news.csv")
    with pytest.raises(ValueError, match="<bytes>"):
        newsclf.Model.from_bytes(b"\x89NEWSCLF" + b"\0" * 60)
    model = newsclf.Model.default()
    with pytest.raises(ValueError, match=r"no head 'nope' \(heads: topic, sentiment\)"):
        model.predict_proba(["文本"], head="nope")
    with pytest.raises(ValueError, match="top_k"):
        model.predict(["文本"], top_k=0)
    with pytest.raises(ValueError, match="threads"):
        model.predict(["文本"], threads=0)
    (tmp_path / "a-file").write_text("")
    with pytest.raises(OSError, match="a-file"):
        model.save(tmp_path / "a-file" / "m.model")
