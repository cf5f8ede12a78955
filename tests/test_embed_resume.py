"""Embedding at scale: each batch is saved as it is done, a rerun carries on, a second
writer is never locked out, and `--model PATH` is its own model in the cache."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from ideation.analysis.embed import (
    BUNDLED_MODEL_ID,
    SAVE_EVERY,
    Embedder,
    Progress,
    SentenceTransformerEmbedder,
    bundled_model_path,
    embed_cached,
    local_model_id,
    text_hash,
)
from ideation.analysis.themes import latest_theme_set
from ideation.cli import cli, pace
from ideation.store import Store

TEXTS = [f"idea number {n} about refill pouch {n % 7}" for n in range(3 * SAVE_EVERY + 10)]


class Counting:
    """Wraps an embedder: counts the texts that reach it; raises on call `fail_on`."""

    def __init__(self, inner: Embedder, fail_on: int | None = None) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.fail_on = fail_on
        self.calls: list[int] = []
        self.before_call = lambda call: None

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        self.before_call(len(self.calls) + 1)
        if len(self.calls) + 1 == self.fail_on:
            raise KeyboardInterrupt  # Ctrl-C in the middle of a cold run
        self.calls.append(len(texts))
        return self.inner.embed(texts, progress)


def cached_count(store: Store, model_id: str, texts: Sequence[str]) -> int:
    return len(store.cached_vectors(model_id, [text_hash(t) for t in texts]))


def test_an_interrupted_run_keeps_its_batches_and_a_rerun_does_only_the_rest(
    store: Store, fake_embedder
) -> None:
    interrupted = Counting(fake_embedder, fail_on=3)
    with pytest.raises(KeyboardInterrupt):
        embed_cached(store, interrupted, TEXTS)
    assert interrupted.calls == [SAVE_EVERY, SAVE_EVERY]
    assert cached_count(store, fake_embedder.model_id, TEXTS) == 2 * SAVE_EVERY

    rerun = Counting(fake_embedder)
    reports: list[tuple[int, int]] = []
    vectors = embed_cached(store, rerun, TEXTS, lambda done, total: reports.append((done, total)))
    assert sum(rerun.calls) == len(TEXTS) - 2 * SAVE_EVERY
    assert cached_count(store, fake_embedder.model_id, TEXTS) == len(TEXTS)
    # the progress counts only the new texts, rising to the end
    remaining = len(TEXTS) - 2 * SAVE_EVERY
    assert reports[-1] == (remaining, remaining)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)
    # the same vectors as one uninterrupted run, in the caller's order
    np.testing.assert_array_equal(vectors, type(fake_embedder)().embed(TEXTS))


def test_another_writer_is_not_locked_out_and_its_vectors_are_not_redone(
    db_path: Path, store: Store, fake_embedder
) -> None:
    """What the live screen's background embedding does while `cluster` runs: it saves
    vectors between two of cluster's batches, with a short busy timeout."""
    embedder = Counting(fake_embedder)
    longest_first = sorted(TEXTS, key=len, reverse=True)
    saved_by_other = longest_first[2 * SAVE_EVERY : 2 * SAVE_EVERY + 5]

    def other_program_writes(call: int) -> None:
        if call == 2:
            with Store(db_path, busy_timeout_ms=50) as other:
                vectors = fake_embedder.embed(saved_by_other)
                pairs = zip(saved_by_other, vectors, strict=True)
                rows = [(text_hash(t), len(v), v.tobytes()) for t, v in pairs]
                other.cache_vectors(fake_embedder.model_id, rows)

    embedder.before_call = other_program_writes
    embed_cached(store, embedder, TEXTS)
    assert sum(embedder.calls) == len(TEXTS) - len(saved_by_other)
    assert cached_count(store, fake_embedder.model_id, TEXTS) == len(TEXTS)


def test_pace_shows_rate_and_time_left_from_the_first_report() -> None:
    assert pace(128, 10_000, (128, 100.0), 100.0) == ""  # nothing measured yet
    assert pace(1128, 10_000, (128, 100.0), 102.5) == "400 ideas/s, 0:22 left"
    assert pace(10_000, 10_000, (128, 100.0), 130.0).endswith("0:00 left")


# -- a local model ----------------------------------------------------------------


def test_a_local_model_id_names_the_folder_and_tells_models_apart(tmp_path: Path) -> None:
    first = tmp_path / "a" / "multi"
    first.mkdir(parents=True)
    (first / "config.json").write_text('{"hidden_size": 384}', encoding="utf-8")
    (first / "model.safetensors").write_bytes(b"\0" * 1000)
    moved = tmp_path / "b" / "multi"
    shutil.copytree(first, moved)
    assert local_model_id(first) == local_model_id(moved)  # a copied study cache still fits
    assert local_model_id(first).startswith("local:multi:")
    (moved / "model.safetensors").write_bytes(b"\0" * 1001)  # other weights
    assert local_model_id(first) != local_model_id(moved)
    (moved / "model.safetensors").write_bytes(b"\0" * 1000)
    (moved / "config.json").write_text('{"hidden_size": 768}', encoding="utf-8")
    assert local_model_id(first) != local_model_id(moved)
    assert SentenceTransformerEmbedder().model_id == BUNDLED_MODEL_ID


@pytest.fixture(scope="module")
def stand_in_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny real sentence-transformers model, built here without a download: static
    16-dimensional word vectors over the bundled model's tokenizer."""
    import torch
    from tokenizers import Tokenizer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the module moved in 6.x
        from sentence_transformers import SentenceTransformer
        from sentence_transformers.models import StaticEmbedding

    torch.manual_seed(0)
    tokenizer = Tokenizer.from_file(str(bundled_model_path() / "tokenizer.json"))
    folder = tmp_path_factory.mktemp("models") / "stand-in"
    model = SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_dim=16)])
    model.save(str(folder))
    return folder


MIXED = [
    "Coffee pods you can throw on the compost heap",
    "Capsules that break down in the garden compost",
    "A mug that keeps the drink hot for hours",
    "A travel mug that never spills in the bag",
    "Le Creuset style kettle for the office",
    "コーヒーかすを肥料にする",
    "コーヒーかす用のコンポスト",
    "Кофейная гуща как удобрение",
    "Usar los posos de café como abono para las plantas",
]


def test_cluster_with_model_uses_it_and_counts_the_ideas_not_in_english(
    db_path: Path, stand_in_model: Path
) -> None:
    with Store(db_path) as store:
        session = store.create_session("Mixed languages", None, [], [])
        for text in MIXED:
            store.add_idea(session.id, text)
    result = CliRunner().invoke(
        cli, ["cluster", "1", "--themes", "3", "--model", str(stand_in_model), "--db", str(db_path)]
    )
    assert result.exit_code == 0, result.output
    with Store(db_path) as store:
        themes = latest_theme_set(store, [session.id])
        assert themes is not None
        assert themes.record.model == local_model_id(stand_in_model) != BUNDLED_MODEL_ID
        assert themes.record.model.startswith("local:stand-in:")
        mine = store.cached_vectors(themes.record.model, [text_hash(t) for t in MIXED])
        assert {dims for dims, _ in mine.values()} == {16} and len(mine) == len(MIXED)
        assert not store.cached_vectors(BUNDLED_MODEL_ID, [text_hash(t) for t in MIXED])
    notes = [line for line in result.stderr.splitlines() if "not in English" in line]
    assert len(notes) == 1  # said once
    assert "4 of 9 ideas are not in English (Japanese 2, Cyrillic 1, Spanish 1)" in notes[0]
    assert "stand-in" in notes[0]


def test_cluster_with_the_bundled_model_points_to_model_option(
    db_path: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The English-only advice; a fake stands in for the bundled model's vectors."""
    fake_embedder.model_id = BUNDLED_MODEL_ID
    monkeypatch.setattr(
        "ideation.analysis.embed.SentenceTransformerEmbedder", lambda path=None: fake_embedder
    )
    with Store(db_path) as store:
        session = store.create_session("Mixed languages", None, [], [])
        for text in MIXED:
            store.add_idea(session.id, text)
    result = CliRunner().invoke(cli, ["cluster", "1", "--themes", "2", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "4 of 9 ideas are not in English" in result.stderr
    assert "--model PATH" in result.stderr and "English only" in result.stderr
    english = CliRunner().invoke(cli, ["demo", "--no-tui", "--db", str(db_path.with_name("d.db"))])
    assert english.exit_code == 0, english.output
    clean = CliRunner().invoke(cli, ["cluster", "1", "--db", str(db_path.with_name("d.db"))])
    assert clean.exit_code == 0 and "not in English" not in clean.output
