"""Shared fixtures: temporary study databases and a small fake embedder."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

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


# -- the room in a real browser (tests/test_room_browser.py) ---------------------------
#: Screenshots the browser tests keep for people to look at (git-ignored).
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture
def demo_desk(store: Store, fake_embedder: FakeEmbedder) -> Any:
    """The demo study (its screener, respondents and session), scored with the fake
    embedder, at its recruit desk: where decision tests start."""
    from ideation.demo import build_demo
    from ideation.live.clock import FakeClock
    from ideation.paths import shipped_file
    from ideation.screening.desk import RecruitDesk
    from ideation.screening.screener_yaml import load_screener

    build_demo(store)
    desk = RecruitDesk(
        store, load_screener(shipped_file("screeners", "home-coffee.yaml")), FakeClock()
    )
    desk.score(fake_embedder)
    return desk


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """The system's Chromium driven by Playwright, one per test module.

    Playwright's own browser download needs the internet, so the tests use Debian's
    `chromium` (`.ci/run` installs it). Missing, it fails in CI and skips elsewhere."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        message = "no `chromium` on PATH: apt-get install chromium (the room's browser tests)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def serve_room() -> Iterator[Callable[[Path, int], Any]]:
    """Serves a session's room on 127.0.0.1 and a free port; stopped after the module."""
    from ideation.web.server import RoomServer

    servers: list[RoomServer] = []

    def serve(study: Path, session_id: int) -> RoomServer:
        server = RoomServer(study, session_id, host="127.0.0.1", port=0)
        server.start()
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.stop()


@pytest.fixture(scope="session", autouse=True)
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ONNX export of the bundled model for the whole run, in a folder of its own:
    never the user's ~/.cache (children inherit it through the environment)."""
    from ideation.analysis.onnx_encoder import CACHE_ENV

    folder = tmp_path_factory.mktemp("onnx-cache")
    os.environ[CACHE_ENV] = str(folder)
    return folder


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
