"""The live screen keeps every typed line through a held lock, a racing writer and a full disk.

Real processes and real SQLite: another process holds the study's write lock
(BEGIN IMMEDIATE) for longer than the screen's busy timeout; the screen's own
embedding worker writes through its own connection while lines are captured;
the screen's connection hits its page limit (SQLITE_FULL). Nothing typed is
lost, nothing is committed twice, lines commit in the order typed, the app
never exits. Background workers fail the same way everywhere (`tui/base.py`).
"""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FakeEmbedder
from textual.widgets import DataTable, Input, ProgressBar, Static

from ideation.errors import StudyBusy
from ideation.live.clock import FakeClock
from ideation.live.plan import parse_plan
from ideation.live.session import start_session
from ideation.store import Store
from ideation.tui.app import IdeationApp
from ideation.tui.live import LiveScreen
from ideation.tui.recruit import RecruitScreen
from ideation.tui.review import ReviewScreen

PLAN = """
name: Fault plan
brief:
  problem_as_given: How might we make mornings better?
participants: [{name: Maya}, {name: Tom}]
agenda:
  - {title: Brainstorm, technique: brainstorm, minutes: 30}
"""

#: Holds the write lock until told to let go on stdin.
LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO activity (at, what) VALUES (0, 'held by another process')")
print("locked", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
"""


@pytest.fixture
def session_id(db_path: Path) -> int:
    with Store(db_path) as store:
        return start_session(store, parse_plan(PLAN, "fault.yaml")).id


def texts_in_db(db_path: Path, session_id: int) -> list[str]:
    with Store(db_path) as store:
        return [r.text for r in store.idea_rows(session_id) if r.kind == "idea"]


def notices(app: IdeationApp) -> list[str]:
    return [n.message for n in app._notifications]


async def type_line(pilot, line: str) -> None:
    pilot.app.screen.query_one("#capture", Input).value = line
    await pilot.press("enter")
    await pilot.pause()


async def until(pilot, done, tries: int = 200) -> None:
    """Let the app run (its timers retry) until `done()`; not a timing assertion."""
    for _ in range(tries):
        if done():
            return
        await pilot.pause(0.05)
    assert done()


def hold_lock(db_path: Path) -> subprocess.Popen[str]:
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
    return locker


def let_go(locker: subprocess.Popen[str]) -> None:
    assert locker.stdin is not None
    locker.stdin.write("\n")
    locker.stdin.flush()
    assert locker.wait(timeout=30) == 0


async def test_a_lock_held_by_another_process_keeps_the_lines_and_commits_them_later(
    db_path: Path, session_id: int
) -> None:
    app = IdeationApp(db_path, open_session=session_id, embedder=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        await pilot.press("f9")
        await type_line(pilot, "Maya: before the lock")
        locker = hold_lock(db_path)
        try:
            await type_line(pilot, "Tom: typed while the study is locked")
            await type_line(pilot, "and a second one, in order")
            pending = str(screen.query_one("#pending", Static).render())
            assert "2 lines not saved" in pending and "kept in study.db.unsaved-" in pending
            assert not screen.query_one("#pending").has_class("empty")
            table = screen.query_one("#ideas", DataTable)
            waiting = [str(table.get_row_at(i)[4]) for i in range(table.row_count)][-2:]
            assert waiting == ["Tom: typed while the study is locked", "and a second one, in order"]
            assert any("Not saved yet" in n for n in notices(app))
            assert texts_in_db(db_path, session_id) == ["before the lock"]
            assert app.is_running
        finally:
            let_go(locker)
        await until(pilot, lambda: not screen.pending)
        assert texts_in_db(db_path, session_id) == [
            "before the lock",
            "typed while the study is locked",
            "and a second one, in order",
        ]
        assert screen.query_one("#pending").has_class("empty")
        table = screen.query_one("#ideas", DataTable)
        assert [str(table.get_row_at(i)[1]) for i in range(3)] == ["Maya", "Tom", "—"]


async def test_the_embedding_worker_racing_capture_loses_nothing(
    db_path: Path, session_id: int
) -> None:
    embedder = FakeEmbedder()
    app = IdeationApp(db_path, open_session=session_id, embedder=embedder)
    lines = [f"idea number {n} about mornings" for n in range(150)]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        await pilot.press("f9")
        box = screen.query_one("#capture", Input)
        for line in lines:
            box.value = line
            await pilot.press("enter")
        await until(pilot, lambda: not screen.pending and len(screen.embedded) >= len(lines))
        assert app.is_running and app.crash_log is None
    assert texts_in_db(db_path, session_id) == lines
    assert len(embedder.calls) >= 2  # the worker really ran alongside capture
    with Store(db_path) as store:
        assert store.check() == []


async def test_a_full_disk_keeps_the_line_and_says_so(db_path: Path, session_id: int) -> None:
    app = IdeationApp(db_path, open_session=session_id, embedder=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        await pilot.press("f9")
        await type_line(pilot, "an idea before the disk fills")
        store = screen.store
        assert store is not None
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")
        filler = "a long idea that needs new pages " * 400
        await type_line(pilot, filler)
        await type_line(pilot, "a short one after it")
        assert len(screen.pending) == 2
        pending = str(screen.query_one("#pending", Static).render())
        assert "disk" in pending.lower() and "full" in pending.lower()
        assert app.is_running
        store.db.execute("PRAGMA max_page_count = 1073741823")
        await until(pilot, lambda: not screen.pending)
    assert texts_in_db(db_path, session_id) == [
        "an idea before the disk fills",
        filler.strip(),
        "a short one after it",
    ]


async def test_a_busy_phase_key_says_so_and_changes_nothing(db_path: Path, session_id: int) -> None:
    app = IdeationApp(db_path, open_session=session_id, embedder=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        locker = hold_lock(db_path)
        try:
            await pilot.press("f9")
            await pilot.pause()
            assert any("press the key again" in n for n in notices(app))
            assert app.is_running
        finally:
            let_go(locker)
        with Store(db_path) as store:
            assert store.phase_log(session_id) == []


@pytest.mark.parametrize("way_out", ["escape", "ctrl+q"])
async def test_lines_waiting_when_the_facilitator_leaves_come_back_and_are_saved(
    db_path: Path, session_id: int, way_out: str
) -> None:
    """Esc or quit while the study is locked: the waiting lines are kept beside the
    study (0600), and the next screen on the session saves them, in order, once."""
    app = IdeationApp(db_path, open_session=session_id, embedder=False)
    locker = hold_lock(db_path)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await type_line(pilot, "Maya: said while locked")
            await type_line(pilot, "and then this")
            await pilot.press(way_out)
            await pilot.pause()
    finally:
        let_go(locker)
    (kept,) = db_path.parent.glob("study.db.unsaved-*.json")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert texts_in_db(db_path, session_id) == []
    again = IdeationApp(db_path, open_session=session_id, embedder=False)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await until(pilot, lambda: not again.screen.pending)
    assert texts_in_db(db_path, session_id) == ["said while locked", "and then this"]
    assert not kept.exists()


# -- background workers: one handler, the same way everywhere ---------------------


class BrokenEmbedder(FakeEmbedder):
    """An embedder with a bug (or a user's problem) in it."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def embed(self, texts, progress=None):
        raise self.error


def crash_logs(db_path: Path) -> list[Path]:
    return sorted(db_path.parent.glob(f"{db_path.name}.crash-*.log"))


async def test_a_failing_embedding_worker_is_named_logged_and_capture_goes_on(
    db_path: Path, session_id: int
) -> None:
    app = IdeationApp(
        db_path, open_session=session_id, embedder=BrokenEmbedder(RuntimeError("model bug"))
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        await type_line(pilot, "the first idea")
        await until(pilot, lambda: app.crash_log is not None)
        assert any("embedding ideas stopped on an internal error" in n for n in notices(app))
        assert "RuntimeError: model bug" in app.crash_log.read_text()
        assert "embedding stopped" in str(screen.query_one("#flow", Static).render())
        await type_line(pilot, "the second idea, still captured")
        assert app.is_running
    assert texts_in_db(db_path, session_id) == ["the first idea", "the second idea, still captured"]
    assert not app.return_code  # no crash: None (never exited on an error) or 0


async def test_a_user_error_in_the_embedding_worker_is_one_line_and_no_crash_log(
    db_path: Path, session_id: int
) -> None:
    busy = StudyBusy(f"{db_path}: another program is writing to the study")
    app = IdeationApp(db_path, open_session=session_id, embedder=BrokenEmbedder(busy))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await type_line(pilot, "an idea")
        await until(pilot, lambda: any("another program" in n for n in notices(app)))
        assert app.crash_log is None and crash_logs(db_path) == []
        assert app.is_running


async def test_a_failing_clustering_worker_takes_its_progress_bar_down(
    db_path: Path, session_id: int
) -> None:
    with Store(db_path) as store:
        from ideation.live.session import LiveSession

        live = LiveSession(store, session_id, FakeClock())
        live.go_to(0)
        for n in range(6):
            live.capture(f"idea {n}")
        live.release()
    app = IdeationApp(db_path, embedder=BrokenEmbedder(KeyError("vectors")))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(ReviewScreen([session_id]))
        await pilot.pause()
        screen = app.screen
        await pilot.press("c")
        await until(pilot, lambda: app.crash_log is not None)
        await pilot.pause()
        assert screen.query_one("#progress", ProgressBar).has_class("hidden")
        assert "No themes yet" in str(screen.query_one("#revision", Static).render())
        assert any(
            "finding themes stopped on an internal error (KeyError)" in n for n in notices(app)
        )
        assert app.is_running


async def test_a_failing_scoring_worker_clears_scoring(db_path: Path) -> None:
    from ideation.demo import build_demo
    from ideation.errors import IdeationError

    with Store(db_path) as store:
        build_demo(store)
        screener_id = store.screeners()[0].id
    app = IdeationApp(db_path, embedder=BrokenEmbedder(IdeationError("the model folder is empty")))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(RecruitScreen(screener_id))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RecruitScreen)
        await pilot.press("s")
        await until(pilot, lambda: not screen.scoring)
        await pilot.pause()
        assert screen.query_one("#progress", ProgressBar).has_class("hidden")
        assert any(n == "scoring: the model folder is empty" for n in notices(app))
        assert app.crash_log is None
        assert app.is_running
