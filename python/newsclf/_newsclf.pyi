"""Type stubs of the compiled module (python/src/)."""

from collections.abc import Iterable, Mapping
from os import PathLike
from typing import Any

import numpy as np
import numpy.typing as npt
from typing_extensions import TypeAlias

__version__: str

Texts: TypeAlias = Iterable[str]
Path: TypeAlias = str | PathLike[str]

class Model:
    @classmethod
    def load(cls, path: Path) -> Model: ...
    @classmethod
    def default(cls) -> Model: ...
    @classmethod
    def from_bytes(cls, data: bytes) -> Model: ...
    def save(self, path: Path) -> None: ...
    def to_bytes(self) -> bytes: ...
    @property
    def heads(self) -> list[str]: ...
    def classes(self, head: str | None = None) -> list[str]: ...
    def predict(
        self, texts: Texts, top_k: int = 1, threads: int | None = None
    ) -> list[dict[str, Any]]: ...
    def predict_labels(
        self, texts: Texts, threads: int | None = None
    ) -> dict[str, tuple[list[str], npt.NDArray[np.float32]]]: ...
    def predict_proba(
        self, texts: Texts, head: str | None = None, threads: int | None = None
    ) -> npt.NDArray[np.float32]: ...
    def explain(self, text: str, top: int = 10) -> list[dict[str, Any]]: ...

def split_page(markdown: str) -> list[dict[str, Any]]: ...
def train(
    texts: Texts,
    labels: list[list[str | None]],
    heads: list[str],
    settings: Mapping[str, Any] | None = None,
    source: str = "<python>",
    threads: int | None = None,
    init: Model | None = None,
) -> tuple[Model, list[tuple[int, str, bool]]]: ...
def train_csv(
    path: Path,
    memory_limit: str,
    text_col: str = "text",
    label_cols: list[str] | None = None,
    settings: Mapping[str, Any] | None = None,
    threads: int | None = None,
    init: Model | None = None,
) -> tuple[Model, list[tuple[int, str, bool]]]: ...
