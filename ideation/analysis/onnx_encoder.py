"""Embeds with the model's transformer in ONNX Runtime, without torch.

On this project's 2-core CPUs ONNX Runtime embeds MiniLM about 1.5 times as fast
as torch with the same vectors (they differ by about 1e-7): that is what lets a
panel of 100,000 respondents be scored in minutes (`bench/screening.py`), and it
speeds clustering too. The process that embeds imports only onnxruntime and
tokenizers (0.3 s, ~130 MB), not torch and sentence-transformers (8 s, ~430 MB).

The first use of a model on a computer exports it once, in a child process
(`onnx_export`, ~15 s), into a cache folder (`cache_root`), keyed by the model's
fingerprint so a changed model is exported again. Every load then checks the ONNX
vectors of a few probe texts against torch's own, saved at export: a damaged
cache is exported again, and a model that is not the usual stack, or whose export
does not reproduce torch, makes `onnx_encoder` return None and torch embeds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

#: Where exported models are kept; `IDEATION_CACHE_DIR` overrides it (the tests do).
CACHE_ENV = "IDEATION_CACHE_DIR"
#: The largest difference from torch's probe vectors that still counts as the same model.
TOLERANCE = 1e-5
#: A cached export is tried this many times before torch is left to embed.
_ATTEMPTS = 2
#: The marker of a model the exporter does not reproduce: no child runs for it again.
_UNSUPPORTED = "unsupported"
#: Beside a model's folder, the software its export failed with (`_failed_here`).
_FAILED = ".failed"
#: What an export imports, besides Python itself.
_EXPORT_PACKAGES = ("torch", "onnx", "onnxruntime", "transformers", "sentence-transformers")
#: The model input each tokenizer `Encoding` field feeds.
_ENCODING_FIELD = {
    "input_ids": "ids",
    "attention_mask": "attention_mask",
    "token_type_ids": "type_ids",
}


def cache_root() -> Path:
    """`$IDEATION_CACHE_DIR`, else `$XDG_CACHE_HOME/ideation/onnx` (~/.cache/ideation/onnx)."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ideation" / "onnx"


class OnnxEncoder:
    """Normalised sentence vectors: the tokenizer, an ONNX Runtime session over the
    transformer, then mean pooling and L2 normalising as sentence-transformers does.

    Texts are tokenized first (`tokenize`), so the caller can batch them by token
    count: batches cut from texts sorted by characters padded 24% of the bench's
    tokens, by tokens 3% (the vectors are the same bit for bit; padding is masked).
    One single-threaded run per core at a time (`encode_batches`): short texts make
    small matrices, which two threads of one run share badly; two runs at once embedded
    1.4-1.5x as many texts per second on this project's 2-core machines.
    """

    def __init__(self, session: Any, tokenizer: Any, inputs: Sequence[str]) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._inputs = tuple(inputs)
        padding = tokenizer.padding or {}
        #: What each input holds past a text's last token (right padding, as BERT pads).
        self._pad = {
            "input_ids": int(padding.get("pad_id", 0)),
            "attention_mask": 0,
            "token_type_ids": int(padding.get("pad_type_id", 0)),
        }
        tokenizer.no_padding()

    def tokenize(self, texts: Sequence[str]) -> list[Any]:
        """Each text's tokens (truncated to the model's length, unpadded); `len()` of
        one is its token count."""
        return self._tokenizer.encode_batch(list(texts))

    def encode_batches(self, batches: Iterable[Sequence[Any]]) -> Iterator[np.ndarray]:
        """`encode_tokens` of each batch of `tokenize`d texts, in order, as many at once
        as there are cores."""
        pool = ThreadPoolExecutor(max_workers=_workers(), thread_name_prefix="embed")
        try:  # a stop (Ctrl-C, a cancelled worker) drops the batches not yet started
            yield from pool.map(self.encode_tokens, batches)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode_tokens(self.tokenize(texts))

    def encode_tokens(self, encodings: Sequence[Any]) -> np.ndarray:
        """One session run over `tokenize`d texts padded to the longest, then pooling."""
        import numpy as np

        lengths = np.array([len(e) for e in encodings], dtype=np.int64)
        width = int(lengths.max())
        feeds = {}
        for name in self._inputs:
            values = np.full((len(encodings), width), self._pad[name], dtype=np.int64)
            field = _ENCODING_FIELD[name]
            for row, encoding in enumerate(encodings):
                values[row, : lengths[row]] = getattr(encoding, field)
            feeds[name] = values
        hidden = self._session.run(None, feeds)[0]
        weights = (np.arange(width)[None, :] < lengths[:, None]).astype(np.float32)[..., None]
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return (pooled / norms).astype(np.float32, copy=False)


def onnx_encoder(model_dir: Path, fingerprint: str) -> OnnxEncoder | None:
    """The model at `model_dir` (its `local_model_id` is `fingerprint`) in ONNX Runtime,
    exported first if this computer has not yet; None when torch must embed."""
    try:
        import onnxruntime  # noqa: F401 - only whether it is installed
        import tokenizers  # noqa: F401
    except ImportError:
        return None
    key = hashlib.sha256(fingerprint.encode()).hexdigest()[:16]
    try:
        folder = cache_root() / key
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # no writable cache: export for this process only
        folder = Path(tempfile.mkdtemp(prefix="ideation-onnx-")) / key
    failed = folder.with_name(folder.name + _FAILED)
    if _failed_here(failed):
        return None
    for _ in range(_ATTEMPTS):
        if (folder / _UNSUPPORTED).exists():
            return None
        if not (folder / "meta.json").is_file() and not _export(model_dir, folder):
            _write_quietly(failed, _software())
            return None
        try:
            encoder, gap = _open(folder, model_dir)
        except Exception as error:  # noqa: BLE001 - a damaged cache of any kind is exported again
            log.info("exporting %s again: the cached export failed to load (%s)", model_dir, error)
            shutil.rmtree(folder, ignore_errors=True)
            continue
        if gap <= TOLERANCE:
            return encoder
        log.info("embedding stays on torch: ONNX vectors differ from torch's by %.2g", gap)
        return None
    return None


def _software() -> str:
    """The Python and packages an export depends on: one that failed is tried again only
    when one of them changes."""
    from importlib import metadata

    versions = [sys.version]
    for package in _EXPORT_PACKAGES:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} absent")
    return "\n".join(versions)


def _failed_here(marker: Path) -> bool:
    """Whether the export failed before with this same software: a failing child costs
    ~15 s, which every load (each `cluster`, each screen) would otherwise pay again."""
    try:
        return marker.read_text(encoding="utf-8") == _software()
    except (OSError, UnicodeDecodeError):
        return False


def _write_quietly(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError:
        pass  # a read-only cache: the next load tries again, as before


def _export(model_dir: Path, folder: Path) -> bool:
    """Runs `onnx_export` in a child, into a temporary sibling renamed into place, so a
    half-written export is never found. False when the child could not export."""
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ideation.analysis.onnx_export", str(model_dir), str(staging)],
            capture_output=True,  # its warnings and errors must never reach the TUI's screen
            timeout=600,
            check=False,
        )
        from ideation.analysis.onnx_export import UNSUPPORTED

        if done.returncode == UNSUPPORTED:
            (staging / _UNSUPPORTED).touch()
        elif done.returncode != 0:
            last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            log.info("embedding stays on torch: the ONNX export failed (%s)", "".join(last))
            return False
        try:
            staging.rename(folder)
        except OSError:  # another process got there first; its export is as good
            pass
        return not (folder / _UNSUPPORTED).exists()
    except (OSError, subprocess.SubprocessError) as error:
        log.info("embedding stays on torch: the ONNX export could not run (%s)", error)
        return False
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _open(folder: Path, model_dir: Path) -> tuple[OnnxEncoder, float]:
    """The encoder of a cached export, and how far its probe vectors are from torch's."""
    import numpy as np
    import onnxruntime
    import tokenizers

    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    tokenizer = tokenizers.Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=int(meta["max_seq_length"]))
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # parallel across batches instead (`encode_batches`)
    options.log_severity_level = 3  # errors only: its warnings would scribble on the TUI
    session = onnxruntime.InferenceSession(
        str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
    )
    encoder = OnnxEncoder(session, tokenizer, meta["inputs"])
    expected = np.asarray(meta["vectors"], dtype=np.float32)
    return encoder, float(np.abs(encoder.encode(meta["probes"]) - expected).max())


def _workers() -> int:
    """The cores this process may use (a `taskset` or container limit counts)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
