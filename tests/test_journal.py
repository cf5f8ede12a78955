"""Lines the study could not take outlive the screen: kept beside the study (0600),
in the temporary folder when the study's folder refuses them, and read back once."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ideation.live.journal import Journal, JournalError, UnsavedLine

LINES = [
    UnsavedLine("a pod you can plant", 2, 100.0),
    UnsavedLine("[/] \x1b]0;x\x07 kept as typed", None, 101.5),
]


def test_lines_survive_a_new_journal_and_an_empty_queue_removes_them(tmp_path: Path) -> None:
    db = tmp_path / "study.db"
    kept = Journal(db, 3).save(LINES)
    assert kept == tmp_path / "study.db.unsaved-3.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert Journal(db, 3).load() == LINES  # a new screen, a new process: same lines
    assert Journal(db, 4).load() == []  # another session's journal is its own
    assert Journal(db, 3).save([]) is None
    assert not kept.exists()
    assert Journal(db, 3).load() == []


def test_a_folder_that_refuses_the_journal_sends_it_to_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    missing = tmp_path / "gone" / "study.db"  # its folder does not exist: nothing lands there
    journal = Journal(missing, 1)
    kept = journal.save(LINES)
    assert kept is not None and kept.parent == tmp_path / "tmp"
    assert Journal(missing, 1).load() == LINES
    journal.save(LINES[:1])
    assert Journal(missing, 1).load() == LINES[:1]


def test_a_damaged_journal_is_one_line_and_left_in_place(tmp_path: Path) -> None:
    db = tmp_path / "study.db"
    path = tmp_path / "study.db.unsaved-1.json"
    path.write_text('[{"line": "half a', encoding="utf-8")
    with pytest.raises(JournalError) as caught:
        Journal(db, 1).load()
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)
    assert path.exists()
