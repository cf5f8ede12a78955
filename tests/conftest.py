"""Shared fixtures: temporary study databases and a small fake embedder."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from ideation.store import Store


@pytest.fixture(autouse=True)
def no_personal_keymap(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A developer's own keymap file must not move the keys the tests press."""
    monkeypatch.setenv("IDEATION_KEYMAP", str(tmp_path_factory.getbasetemp() / "no-keymap.toml"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "study.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as opened:
        yield opened


class FakeEmbedder:
    """Deterministic bag-of-words vectors: enough for code that merely calls the seam."""

    model_id = "fake-bag-of-words"

    def __init__(self, dimensions: int = 32) -> None:
        self.dimensions = dimensions
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str], progress=None) -> np.ndarray:
        self.calls.append(list(texts))
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                digest = hashlib.md5(word.encode()).digest()
                vectors[row, digest[0] % self.dimensions] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        if progress:
            progress(len(texts), len(texts))
        return vectors / norms


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()
