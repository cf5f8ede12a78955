"""The embedding seam: the cache, and the real bundled model end to end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ideation.analysis.embed import (
    SentenceTransformerEmbedder,
    _batches,
    bundled_model_path,
    embed_cached,
)
from ideation.store import Store


def test_cache_sends_only_new_texts_to_the_model(store: Store, fake_embedder) -> None:
    first = embed_cached(store, fake_embedder, ["refill pouch", "compost pods", "refill pouch"])
    assert fake_embedder.calls == [["refill pouch", "compost pods"]]
    assert first.shape == (3, fake_embedder.dimensions) and first.dtype == np.float32
    np.testing.assert_array_equal(first[0], first[2])
    again = embed_cached(store, fake_embedder, ["compost pods", "a new idea"])
    assert fake_embedder.calls[-1] == ["a new idea"]
    np.testing.assert_array_equal(again[0], first[1])
    cached_only = embed_cached(store, fake_embedder, ["refill pouch"])
    assert len(fake_embedder.calls) == 2
    np.testing.assert_allclose(np.linalg.norm(cached_only, axis=1), 1.0, rtol=1e-5)


def test_cache_is_keyed_by_model(store: Store, fake_embedder) -> None:
    embed_cached(store, fake_embedder, ["same text"])
    other = type(fake_embedder)(dimensions=8)
    other.model_id = "another-model"
    vectors = embed_cached(store, other, ["same text"])
    assert other.calls == [["same text"]] and vectors.shape == (1, 8)


def test_empty_input_touches_nothing(store: Store, fake_embedder) -> None:
    assert embed_cached(store, fake_embedder, []).shape[0] == 0
    assert fake_embedder.calls == []


def test_not_a_model_directory_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ValueError, match="not a sentence-transformers model"):
        SentenceTransformerEmbedder(tmp_path).embed(["anything"])


def test_real_bundled_model_puts_paraphrases_nearest(store: Store) -> None:
    """The real all-MiniLM-L6-v2 from the package, offline, through the cache."""
    assert (bundled_model_path() / "config.json").exists()
    embedder = SentenceTransformerEmbedder()
    texts = [
        "Coffee pods you can throw on the compost heap",
        "Capsules that break down in the garden compost",
        "An app that starts the kettle before my alarm goes off",
        "A mug that keeps the drink hot for hours",
    ]
    vectors = embed_cached(store, embedder, texts)
    assert vectors.shape == (4, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2] + 0.2
    assert similarity[0, 1] > similarity[0, 3] + 0.2
    assert similarity[2, 3] < similarity[0, 1]
    again = embed_cached(store, embedder, texts[:2])
    np.testing.assert_array_equal(again, vectors[:2])


TEXTS = [
    "doorstop",
    "  use it as a hat  ",
    "Tasse à café qui garde la chaleur ☕",
    "🙂🙂🙂",
    "a pen holder, so the kids stop losing their pencils under the sofa " * 30,  # > 256 tokens
    *(f"idea number {i}: a mug that {'really ' * (i % 7)}helps" for i in range(40)),
]


def test_the_bundled_model_embeds_in_onnx_runtime_with_torchs_vectors() -> None:
    """The fast path is the same model: every kind of text, batched by length, within
    1e-5 of torch's own vectors (so the cache's vectors stay valid either way)."""
    fast = SentenceTransformerEmbedder()
    vectors = fast.embed(TEXTS)
    assert fast.backend == "onnx"
    torch_only = SentenceTransformerEmbedder(onnx=False)
    np.testing.assert_allclose(vectors, torch_only.embed(TEXTS), atol=1e-5)
    assert torch_only.backend == "torch"


def test_embedding_from_the_exported_model_never_imports_torch() -> None:
    SentenceTransformerEmbedder().embed(["warm the cache"])  # exported once, if not yet
    script = (
        "import sys\n"
        "from ideation.analysis.embed import SentenceTransformerEmbedder\n"
        "embedder = SentenceTransformerEmbedder()\n"
        "print(embedder.embed(['a mug that keeps the drink hot']).shape, embedder.backend,\n"
        "      'torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["(1,", "384)", "onnx", "False", "False"]


def test_a_damaged_export_is_made_again(tmp_path: Path, monkeypatch) -> None:
    from ideation.analysis.onnx_encoder import CACHE_ENV

    SentenceTransformerEmbedder().embed(["warm the cache"])
    shutil.copytree(os.environ[CACHE_ENV], tmp_path / "cache")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    (model,) = (tmp_path / "cache").glob("*/model.onnx")
    model.write_bytes(model.read_bytes()[:1000])  # a disk that filled up mid-copy
    embedder = SentenceTransformerEmbedder()
    vectors = embedder.embed(["a mug that keeps the drink hot"])
    assert embedder.backend == "onnx" and vectors.shape == (1, 384)
    assert model.stat().st_size > 10_000_000


def test_a_failed_export_is_not_tried_again_until_the_software_changes(
    tmp_path: Path, monkeypatch
) -> None:
    """A child that fails (a broken onnx install, say) costs ~15 s: the next load goes
    straight to torch, and only an upgrade of Python or a package tries it again."""
    from ideation.analysis import onnx_encoder

    monkeypatch.setenv(onnx_encoder.CACHE_ENV, str(tmp_path))
    children: list[object] = []

    def failing_child(command: object, **kwargs: object) -> subprocess.CompletedProcess:
        children.append(command)
        return subprocess.CompletedProcess(command, 1, b"", b"ImportError: onnx is broken")

    monkeypatch.setattr(subprocess, "run", failing_child)
    first = SentenceTransformerEmbedder()
    first.embed(["a mug"])
    assert first.backend == "torch" and len(children) == 1
    again = SentenceTransformerEmbedder()
    again.embed(["a mug"])
    assert again.backend == "torch" and len(children) == 1
    (marker,) = tmp_path.glob("*.failed")
    marker.write_text(marker.read_text().replace("onnxruntime", "onnxruntime 0.1 was"))
    SentenceTransformerEmbedder().embed(["a mug"])
    assert len(children) == 2


def test_an_export_that_differs_from_torch_keeps_torch(monkeypatch) -> None:
    from ideation.analysis import onnx_encoder

    monkeypatch.setattr(onnx_encoder, "TOLERANCE", -1.0)  # no export can be that close
    embedder = SentenceTransformerEmbedder()
    vectors = embedder.embed(["a mug that keeps the drink hot"])
    assert embedder.backend == "torch" and vectors.shape == (1, 384)


def test_a_model_that_is_not_the_usual_stack_stays_on_torch(tmp_path: Path, monkeypatch) -> None:
    """CLS pooling is not reproduced: torch embeds, and no second export is tried."""
    from ideation.analysis.onnx_encoder import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    model = tmp_path / "cls-model"
    shutil.copytree(bundled_model_path(), model)
    pooling = model / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_cls_token=True, pooling_mode_mean_tokens=False)
    pooling.write_text(json.dumps(config))
    embedder = SentenceTransformerEmbedder(model)
    assert embedder.embed(["a mug"]).shape == (1, 384) and embedder.backend == "torch"

    def no_child(*args: object, **kwargs: object) -> None:
        raise AssertionError("the export ran again")

    monkeypatch.setattr(subprocess, "run", no_child)
    again = SentenceTransformerEmbedder(model)
    again.embed(["a mug"])
    assert again.backend == "torch"


def test_batches_by_token_count_give_each_text_its_own_vector() -> None:
    """Batched by tokens, padded to each batch's longest: padding is masked, so a text's
    vector does not depend on the texts batched with it."""
    embedder = SentenceTransformerEmbedder()
    together = embedder.embed(TEXTS)
    assert embedder.backend == "onnx"
    alone = np.vstack([embedder.embed([text]) for text in TEXTS])
    np.testing.assert_allclose(together, alone, atol=1e-6)


def test_batches_are_cut_by_count_and_by_length_times_count() -> None:
    items = ["x" * n for n in (9, 1, 5, 5, 2, 30, 2)]
    assert list(_batches(items, size=2, budget=100)) == [[1, 4], [6, 2], [3, 0], [5]]
    assert list(_batches(items, size=10, budget=10)) == [[1, 4, 6], [2, 3], [0], [5]]
