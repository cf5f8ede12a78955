"""Saving an assessment behind the scoring: every chunk handed over is in the study when
the save ends, also when the scoring stops with an error; a chunk that cannot be saved
stops the scoring; and a batch larger than one SQLite statement takes is saved whole."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ideation.demo import build_demo
from ideation.errors import IdeationError
from ideation.records import Flag, Score
from ideation.screening.save_behind import saving_behind
from ideation.store import Store


def _demo_people(store: Store) -> list[int]:
    build_demo(store)
    screener = store.db.execute("SELECT id FROM screeners ORDER BY id").fetchone()[0]
    return [r.id for r in store.respondents(screener)]


def _chunk(ids: list[int], value: float) -> tuple[list, list[Score], list[Flag]]:
    outcomes = [(rid, "complete", "") for rid in ids]
    scores = [Score(rid, kind, value, {"v": value}) for rid in ids for kind in ("a", "b")]
    flags = [Flag(rid, "speeder", f"fast {rid}") for rid in ids]
    return outcomes, scores, flags


def _stored(path: Path) -> tuple[int, int, set[float]]:
    with Store(path) as fresh:
        scores = fresh.db.execute("SELECT count(*) FROM scores").fetchone()[0]
        flags = fresh.db.execute("SELECT count(*) FROM flags").fetchone()[0]
        values = {row[0] for row in fresh.db.execute("SELECT value FROM scores")}
    return scores, flags, values


def test_every_chunk_handed_over_is_saved_on_leaving(store: Store, db_path: Path) -> None:
    ids = _demo_people(store)
    with saving_behind(store) as save:
        for start in range(0, len(ids), 7):
            save(*_chunk(ids[start : start + 7], 1.0))
    assert _stored(db_path) == (2 * len(ids), len(ids), {1.0})


def test_a_stop_in_the_scoring_keeps_the_chunks_already_handed_over(
    store: Store, db_path: Path
) -> None:
    ids = _demo_people(store)
    with pytest.raises(KeyboardInterrupt), saving_behind(store) as save:
        save(*_chunk(ids[:10], 2.0))
        save(*_chunk(ids[10:20], 2.0))
        raise KeyboardInterrupt
    assert _stored(db_path) == (40, 20, {2.0})


def test_a_chunk_that_cannot_be_saved_stops_the_scoring(store: Store) -> None:
    ids = _demo_people(store)
    outcomes, scores, flags = _chunk(ids[:3], 1.0)
    broken = [*scores, Score(ids[0], "a", 9.0)]  # the same kind twice: the key refuses it
    with pytest.raises((IdeationError, sqlite3.Error)), saving_behind(store) as save:
        save(outcomes, broken, flags)
        save(*_chunk(ids[3:6], 1.0))  # the first chunk's error surfaces here at the latest


def test_a_batch_beyond_one_statement_is_saved_whole(store: Store, db_path: Path) -> None:
    ids = _demo_people(store)
    store.db.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 10)  # 2 scores a statement
    store.save_assessments(*_chunk(ids, 3.0))
    store.save_assessments(*_chunk(ids, 4.0))  # replaced, not added to
    assert _stored(db_path) == (2 * len(ids), len(ids), {4.0})
    statuses = store.db.execute("SELECT DISTINCT status FROM respondents").fetchall()
    assert statuses == [("complete",)]


def test_an_in_memory_study_saves_each_chunk_at_once() -> None:
    with Store(":memory:") as memory:
        ids = _demo_people(memory)
        with saving_behind(memory) as save:
            save(*_chunk(ids[:5], 5.0))
            assert memory.db.execute("SELECT count(*) FROM scores").fetchone()[0] == 10
