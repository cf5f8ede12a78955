"""The embedding seam: the cache, and the real bundled model end to end."""

from __future__ import annotations

import numpy as np
import pytest

from ideation.analysis.embed import SentenceTransformerEmbedder, bundled_model_path, embed_cached
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
