"""A damaged study is the user's problem, not a bug: the TUI stops with the same one
line the CLI gives (exit 2, `ideation check`), writes no crash log, and shows no
traceback — whether the damage is met by the home screen or the live screen."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from damage import damage_table

from ideation.errors import StudyDamaged
from ideation.store import Store
from ideation.tui.app import IdeationApp

ANSI = re.compile(r"\x1b(\][^\x07]*\x07|\[[0-9;?<>=$]*[ -/]*[@-~]|[()][0-9A-B]|[=>])")
PLAN = [{"title": "Brainstorm", "technique": "brainstorm", "planned_seconds": 600}]


@pytest.fixture
def damaged(tmp_path: Path) -> tuple[Path, int]:
    db = tmp_path / "study.db"
    with Store(db) as store:
        session = store.create_session("Damaged", None, PLAN, [{"label": "Maya"}])
        for n in range(40):
            store.add_idea(session.id, f"idea number {n} about mornings")
    damage_table(db, "ideas")
    return db, session.id


@pytest.mark.parametrize("open_live", [False, True], ids=["home", "live"])
async def test_a_damaged_study_stops_the_tui_with_a_user_error(
    damaged: tuple[Path, int], open_live: bool
) -> None:
    db, session_id = damaged
    app = IdeationApp(db, open_session=session_id if open_live else None, embedder=False)
    await app.run_async(headless=True, size=(80, 24))  # returns when the app stops itself
    assert app.return_code == 2
    assert isinstance(app.user_error, StudyDamaged)
    assert "ideation check" in str(app.user_error)
    assert app.crash_log is None
    assert not list(db.parent.glob("*.crash-*.log"))


def test_the_command_line_says_one_line_and_exits_2(damaged: tuple[Path, int]) -> None:
    """Through the real command and a real terminal size, as a facilitator runs it."""
    db, session_id = damaged
    env = {**os.environ, "COLUMNS": "80", "LINES": "24", "TERM": "xterm-256color"}
    result = subprocess.run(
        [sys.executable, "-m", "ideation", "--db", str(db), "run", "--resume", str(session_id)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2, result.stderr
    # What the terminal shows once Textual's own control sequences have acted.
    shown = [ANSI.sub("", line) for line in result.stderr.splitlines()]
    errors = [line for line in shown if line.strip()]
    assert errors[-1].startswith("Error: ") and "ideation check" in errors[-1]
    assert "Traceback" not in result.stdout + result.stderr
