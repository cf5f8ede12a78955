"""A commit is safe from ideation's own crash at once, and on the disk within a second."""

import os
import subprocess
import sys
import textwrap
import time

from ideation.store import WAL_FLUSHER, Store


def test_a_commit_survives_the_process_being_killed(tmp_path):
    """synchronous=NORMAL: once add_idea returns, a SIGKILL loses nothing."""
    path = tmp_path / "study.db"
    script = textwrap.dedent(
        f"""
        import os, signal
        from ideation.store import Store
        store = Store({str(path)!r})
        session = store.create_session("killed", None, [], [])
        for n in range(20):
            store.add_idea(session.id, f"idea {{n}}")
        print("committed", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "committed" in run.stdout
    with Store(path) as store:
        (session,) = store.sessions()
        assert [row.text for row in store.idea_rows(session.id)] == [
            f"idea {n}" for n in range(20)
        ]


def test_the_flusher_fsyncs_a_growing_log_within_seconds(tmp_path, monkeypatch):
    synced: list[str] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    path = tmp_path / "study.db"
    with Store(path) as store:
        session = store.create_session("flushed", None, [], [])
        store.add_idea(session.id, "a lamp that wakes you with dawn light")
        deadline = time.monotonic() + 5 * WAL_FLUSHER.EVERY_SECONDS
        while not any(name.endswith("study.db-wal") for name in synced):
            assert time.monotonic() < deadline, "the log was never flushed"
            time.sleep(0.05)
        assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_the_flusher_checkpoints_a_big_log_and_no_commit_does(tmp_path, monkeypatch):
    """A commit that crosses SQLite's 1,000-page mark would checkpoint inline (8 ms on
    the live screen's Enter); here no commit does, and the flusher does it instead."""
    path = tmp_path / "study.db"
    monkeypatch.setattr(WAL_FLUSHER, "checkpoint", lambda wal: None)  # held back at first
    with Store(path) as store:
        assert store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        session = store.create_session("big", None, [], [])
        start = path.stat().st_size
        for n in range(300):
            with store.transaction():
                for m in range(10):
                    store.add_idea(session.id, f"idea {n}.{m}: " + "a lamp with dawn light " * 8)
        wal = tmp_path / "study.db-wal"
        assert wal.stat().st_size >= WAL_FLUSHER.CHECKPOINT_BYTES
        assert path.stat().st_size == start  # nothing copied into the study by a commit
        monkeypatch.undo()
        deadline = time.monotonic() + 5 * WAL_FLUSHER.EVERY_SECONDS
        while path.stat().st_size == start:
            assert time.monotonic() < deadline, "the log was never checkpointed"
            time.sleep(0.05)
        assert store.count_ideas(session.id) == 3000
