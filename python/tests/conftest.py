"""Fixtures of the Python suite: the project's paths, the CLI binary built by
`cargo test --release` (NEWSCLF_BIN, or target/release/newsclf), real data,
and small models trained here (never the default model's exact numbers)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import newsclf
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


def shared_csv(name: str, file: str) -> Path:
    path = SHARED / name / file
    assert path.exists(), f"{path} is missing: the tests need ../shared/data beside the project"
    return path


@pytest.fixture(scope="session")
def newsclf_bin() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    path = Path(os.environ.get("NEWSCLF_BIN", target / "release" / "newsclf"))
    assert path.exists(), f"{path} is missing: run `cargo build --release` (or set NEWSCLF_BIN)"
    return path


@pytest.fixture(scope="session")
def cli(newsclf_bin):
    """Runs the CLI; returns its stdout (it must succeed)."""

    def run(*args, stdin: str | None = None) -> str:
        done = subprocess.run(
            [str(newsclf_bin), *map(str, args)],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"newsclf {' '.join(map(str, args))}:\n{done.stderr}"
        return done.stdout

    return run


def json_lines(text: str) -> list:
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture(scope="session")
def news() -> pd.DataFrame:
    """The project's corpus: text, topic, sentiment (5,188 rows)."""
    return pd.read_csv(ROOT / "data" / "news.csv")


@pytest.fixture(scope="session")
def news_split(news):
    """A 4/5 – 1/5 split of news.csv, every class in both parts."""
    test = news.iloc[::5]
    train = news.drop(test.index)
    return train.reset_index(drop=True), test.reset_index(drop=True)


@pytest.fixture(scope="session")
def two_head(news_split, tmp_path_factory):
    """A topic + sentiment model trained here on 4/5 of news.csv, and its file."""
    train, _ = news_split
    clf = newsclf.Classifier().fit(train.text, train[["topic", "sentiment"]])
    path = tmp_path_factory.mktemp("models") / "two_head.model"
    clf.model_.save(path)
    return clf.model_, path


@pytest.fixture(scope="session")
def titles() -> pd.DataFrame:
    """3,000 rows of thucnews_titles' training split (10 topics), a fixed sample."""
    frame = pd.read_csv(shared_csv("thucnews_titles", "train.csv"))
    return frame.sample(n=3000, random_state=0).reset_index(drop=True)
