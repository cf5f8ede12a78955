"""One live controller per session; any other live screen follows it read-only.

Two apps on one study file (two connections) and one session: the second
shows the first's phase and ideas but can neither capture nor change the
phase. Once the first lets go (quits, or its lease lapses by the clock) the
second can take over. The domain enforces the same rule for any front door.
A crash exits non-zero and leaves its traceback in a 0600 log, not on screen.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from ideation.errors import SessionHeld
from ideation.live.clock import FakeClock
from ideation.live.plan import parse_plan
from ideation.live.session import LiveSession, start_session
from ideation.store import Store
from ideation.tui.app import IdeationApp
from ideation.tui.live import LiveScreen

PLAN = """
name: Lease plan
brief:
  problem_as_given: How might we make mornings better?
participants: [{name: Maya}, {name: Tom}]
agenda:
  - {title: Warm up, technique: brainstorm, minutes: 10}
  - {title: Brainstorm, technique: brainstorm, minutes: 20}
"""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def session_id(db_path: Path) -> int:
    with Store(db_path) as store:
        return start_session(store, parse_plan(PLAN, "lease.yaml")).id


def app_named(label: str, db_path: Path, session_id: int, clock: FakeClock) -> IdeationApp:
    app = IdeationApp(db_path, clock=clock, open_session=session_id, embedder=False)
    app.lease_label = label
    return app


def text_of(screen: LiveScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def type_line(pilot, line: str) -> None:
    pilot.app.screen.query_one("#capture", Input).value = line
    await pilot.press("enter")
    await pilot.pause()


def stored(db_path: Path, session_id: int) -> tuple[list[str], list[str]]:
    with Store(db_path) as store:
        return (
            [r.text for r in store.idea_rows(session_id)],
            [e.kind for e in store.phase_log(session_id)],
        )


async def test_a_second_screen_follows_read_only_and_takes_over_when_the_first_quits(
    db_path: Path, session_id: int, clock: FakeClock
) -> None:
    a = app_named("screen A", db_path, session_id, clock)
    b = app_named("screen B", db_path, session_id, clock)
    async with a.run_test(size=(100, 30)) as pa:
        await pa.pause()
        await pa.press("f9", "f9")  # A runs phase 2
        clock.advance(10)
        await type_line(pa, "Maya: pods that grow herbs")
        async with b.run_test(size=(100, 30)) as pb:
            await pb.pause()
            screen_b = b.screen
            assert isinstance(screen_b, LiveScreen)
            banner = text_of(screen_b, "#banner")
            assert "READ-ONLY" in banner and "screen A@" in banner
            assert screen_b.query_one("#capture", Input).disabled
            assert "Brainstorm" in text_of(screen_b, "#phase-title")
            assert screen_b.query_one("#ideas", DataTable).row_count == 1

            await type_line(pa, "+1 and a watering mug")
            screen_b.tick()  # B follows the database on its tick
            await pb.pause()
            assert screen_b.query_one("#ideas", DataTable).row_count == 2

            before = stored(db_path, session_id)
            await pb.press("f9", "f5", "f6")
            screen_b.query_one("#capture", Input).value = "typed on the watching screen"
            await pb.press("enter")
            await pb.pause()
            assert stored(db_path, session_id) == before  # no phase event, no idea
            with pytest.raises(SessionHeld):
                screen_b.live.capture("straight to the domain")
            with pytest.raises(SessionHeld):
                screen_b.live.toggle_pause()

            await pa.press("escape")  # A leaves the live screen: it lets go of the session
            await pa.pause()
            await pb.press("ctrl+l")
            await pb.pause()
            assert not screen_b.live.watching
            assert not screen_b.query_one("#capture", Input).disabled
            assert screen_b.query_one("#banner").has_class("empty")
            await type_line(pb, "Tom: now from screen B")
    texts, kinds = stored(db_path, session_id)
    assert texts[-1] == "now from screen B"
    assert kinds == ["start", "start"]


async def test_a_lapsed_lease_can_be_taken_over_and_the_loser_turns_read_only(
    db_path: Path, session_id: int, clock: FakeClock
) -> None:
    with Store(db_path, clock=clock.now) as store:  # a screen on another machine, gone quiet
        store.take_lease(session_id, "live screen@elsewhere:4242")
    app = app_named("screen B", db_path, session_id, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        assert "elsewhere" in text_of(screen, "#banner")
        await pilot.press("ctrl+l")  # still held: refused
        await pilot.pause()
        assert screen.live.watching
        clock.advance(21)  # not renewed for longer than the lease lasts
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert screen.live.holds_lease
        await pilot.press("f9")
        await pilot.pause()
        assert stored(db_path, session_id)[1] == ["start"]

        clock.advance(21)  # B hangs; the other machine comes back and takes over
        with Store(db_path, clock=clock.now) as store:
            store.take_lease(session_id, "live screen@elsewhere:4242")
        screen.tick()  # B's renewal fails: it turns read-only and says so
        await pilot.pause()
        assert screen.live.watching
        assert screen.query_one("#capture", Input).disabled
        assert any("took this session over" in n.message for n in app._notifications)


def test_the_domain_refuses_writes_from_a_second_controller(
    db_path: Path, session_id: int, clock: FakeClock
) -> None:
    with Store(db_path, clock=clock.now) as first, Store(db_path, clock=clock.now) as second:
        a = LiveSession(first, session_id, clock, holder="A@elsewhere:1")
        b = LiveSession(second, session_id, clock, holder="B@elsewhere:2")
        a.go_to(0)  # the first write takes the lease
        a.capture("from A")
        assert b.follow()[0].text == "from A"  # B sees A's phase and idea
        for write in (lambda: b.capture("from B"), b.next_phase, b.toggle_pause, b.end):
            with pytest.raises(SessionHeld):
                write()
        b.watch()
        with pytest.raises(SessionHeld, match="only watches"):
            b.capture("still from B")
        a.release()
        b.claim()
        b.capture("from B, now in charge")
        with pytest.raises(SessionHeld):
            a.capture("A again")
    texts, _ = stored(db_path, session_id)
    assert texts == ["from A", "from B, now in charge"]


CRASHING_APP = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from ideation.tui.app import IdeationApp
    from ideation.tui.base import IdeationScreen

    class Broken(IdeationScreen):
        def on_mount(self):
            idea_text = "SECRET-IDEA pods that grow herbs"
            raise RuntimeError("a bug, not the user's")

    class App(IdeationApp):
        def on_mount(self):
            self.push_screen(Broken())

    app = App(Path(sys.argv[1]), embedder=False)
    app.run(headless=True)
    print("return code", app.return_code)
    print("crash log", app.crash_log)
    """
)


def test_a_crash_exits_non_zero_and_keeps_its_traceback_in_a_private_log(
    db_path: Path,
) -> None:
    Store(db_path).close()
    run = subprocess.run(
        [sys.executable, "-c", CRASHING_APP, str(db_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    output = run.stdout + run.stderr
    assert "return code 1" in output
    assert "SECRET-IDEA" not in output and "Traceback" not in output
    log = Path(output.split("crash log ", 1)[1].split()[0])
    assert log.parent == db_path.parent
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    written = log.read_text()
    assert "Traceback" in written and "RuntimeError: a bug, not the user's" in written
