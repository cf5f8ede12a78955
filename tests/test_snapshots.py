"""SVG snapshots of the live screen at 80x24 and 120x40 (pytest-textual-snapshot).

Deterministic: a fake clock, UTC for the "ends ~HH:MM" times, no cursor blink.
After a deliberate layout change: `pytest tests/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.widgets import Input

from ideation.live.clock import FakeClock
from ideation.live.plan import load_plan
from ideation.live.session import start_session
from ideation.paths import shipped_file
from ideation.store import Store
from ideation.tui.app import IdeationApp


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_live_screen_snapshot(snap_compare, db_path: Path, utc, size) -> None:
    plan = load_plan(shipped_file("sessions", "half-day.yaml"))
    with Store(db_path) as store:
        session_id = start_session(store, plan).id
    clock = FakeClock()
    app = IdeationApp(db_path, clock=clock, open_session=session_id, embedder=False, keymap=None)

    async def run_before(pilot) -> None:
        await pilot.pause()
        box = pilot.app.screen.query_one("#capture", Input)
        box.cursor_blink = False
        for _ in range(7):  # the springboards: a decision point
            await pilot.press("ctrl+n")
        for line in ("1: /s How to make mornings calm", "2: I wish coffee knew my mood"):
            box.value = line
            await pilot.press("enter")
            clock.advance(45)
        await pilot.press("up", "ctrl+y")
        clock.advance(30)
        pilot.app.screen.tick()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
