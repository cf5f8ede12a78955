"""The terminal UI driven as a person would, through Textual's Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widgets import DataTable, Digits, Input, Label, Static

from ideation.demo import build_demo
from ideation.live.clock import FakeClock
from ideation.live.plan import parse_plan
from ideation.live.session import start_session
from ideation.store import Store
from ideation.tui.app import IdeationApp
from ideation.tui.dialogs import ConfirmScreen
from ideation.tui.home import HomeScreen
from ideation.tui.live import LiveScreen

PLAN = """
name: Pilot plan
brief:
  problem_as_given: How might we make mornings better?
participants: [{name: Maya}, {name: Tom}, {name: Ana}]
agenda:
  - {title: Brainstorm, technique: brainstorm, minutes: 10, prompts: [First card, Second card]}
  - {title: Direct analogy, technique: direct_analogy, minutes: 5}
"""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def session_id(db_path: Path) -> int:
    with Store(db_path) as store:
        return start_session(store, parse_plan(PLAN, "pilot.yaml")).id


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def type_idea(pilot, line: str) -> None:
    pilot.app.screen.query_one("#capture", Input).value = line
    await pilot.press("enter")
    await pilot.pause()


async def test_home_lists_the_demo_study_and_offers_actions(db_path: Path) -> None:
    with Store(db_path) as store:
        build_demo(store)
    app = IdeationApp(db_path, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        sessions = app.screen.query_one("#sessions", DataTable)
        assert sessions.row_count == 1
        with Store(db_path) as store:
            count = store.count_ideas(1)
        assert str(count) in [str(c) for c in sessions.get_row_at(0)]
        assert app.screen.query_one("#screeners", DataTable).row_count == 1
        assert "ended" in text_of(app.screen, "#activity")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert any(t.startswith("Open session") for t in titles)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen)
        assert "Session ended" in text_of(app.screen, "#phase-title")


async def test_capture_attribution_build_on_and_withdraw(
    db_path: Path, session_id: int, clock
) -> None:
    app = IdeationApp(db_path, clock=clock, open_session=session_id, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        assert app.focused is screen.query_one("#capture", Input)
        await pilot.press("f9")
        clock.advance(30)
        await pilot.press(*"Maya: pods that grow herbs")
        await pilot.press("enter")
        await pilot.pause()
        table = screen.query_one("#ideas", DataTable)
        assert table.row_count == 1
        assert [str(c) for c in table.get_row_at(0)][:2] == ["1", "Maya"]
        assert screen.query_one("#capture", Input).value == ""
        await pilot.press("ctrl+o")
        assert screen.query_one("#capture", Input).value == "+1 "
        await pilot.press(*"and a watering mug")
        await pilot.press("ctrl+t", "ctrl+t")  # second participant speaks
        await pilot.press("enter")
        await pilot.pause()
        row = [str(c) for c in table.get_row_at(1)]
        assert row[1] == "Tom" and row[4].startswith("↳+1")
        assert "Thread:" in text_of(screen, "#thread")
        await type_idea(pilot, "Ana: that's a stupid idea, too expensive")
        nudge = text_of(screen, "#next-move")
        assert "Judgement" in nudge and "How to" in nudge
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "(withdrawn)" in str(table.get_row_at(2)[4])
        with Store(db_path) as store:
            rows = store.idea_rows(session_id)
        assert [r.kind for r in rows] == ["idea", "idea", "idea", "withdrawal"]
        assert rows[1].builds_on == rows[0].id


async def test_a_line_with_no_idea_stays_in_the_box(db_path: Path, session_id: int, clock) -> None:
    app = IdeationApp(db_path, clock=clock, open_session=session_id, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await type_idea(pilot, "Maya:")
        box = app.screen.query_one("#capture", Input)
        assert box.value == "Maya:"
        await type_idea(pilot, "+42 builds on an idea that does not exist")
        table = app.screen.query_one("#ideas", DataTable)
        assert str(table.get_row_at(0)[4]) == "+42 builds on an idea that does not exist"


async def test_a_burst_of_keys_keeps_ideas_apart(db_path: Path, session_id: int, clock) -> None:
    """Keys arrive faster than the screen handles them, as from a fast typist."""
    app = IdeationApp(db_path, clock=clock, open_session=session_id, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        burst = "1: first idea\r2: second idea\r3: third idea\rhalf-typed fourth"
        for char in burst:
            if char == "\r":
                app.post_message(events.Key("enter", None))
            else:
                app.post_message(events.Key("space" if char == " " else char, char))
        await pilot.pause(0.3)
        table = app.screen.query_one("#ideas", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [(r[1], r[4]) for r in rows] == [
            ("Maya", "first idea"),
            ("Tom", "second idea"),
            ("Ana", "third idea"),
        ]
        box = app.screen.query_one("#capture", Input)
        assert box.value == "half-typed fourth"
        box.value = ""
        app.screen.query_one("#capture", Input).post_message(
            events.Paste("a pasted idea\n\nthat runs over\r\nthree lines")
        )
        await pilot.pause()
        await pilot.press("o")  # asked: one idea, not three (tests/test_tui_room.py)
        await pilot.pause()
        assert box.value == "a pasted idea that runs over three lines"


async def test_phase_keys_pause_extend_overtime_and_bell(
    db_path: Path, session_id: int, clock
) -> None:
    app = IdeationApp(db_path, clock=clock, open_session=session_id, embedder=False)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert "Not started" in text_of(screen, "#phase-title")
        await pilot.press("f9")
        assert "Brainstorm" in text_of(screen, "#phase-title")
        assert "First card" in text_of(screen, "#guide")
        await pilot.press("f2")
        assert "Second card" in text_of(screen, "#guide")
        clock.advance(8 * 60 + 30)
        screen.tick()
        assert bells == [1]
        assert screen.query_one("#countdown", Digits).value == "1:30"
        await pilot.press("f5")
        clock.advance(600)
        screen.tick()
        assert "PAUSED" in text_of(screen, "#phase-status")
        assert screen.query_one("#countdown", Digits).value == "1:30"
        await pilot.press("f5", "f6", "f7")
        screen.tick()
        assert screen.query_one("#countdown", Digits).value == "7:30"
        clock.advance(6 * 60)
        screen.tick()
        clock.advance(2 * 60)
        screen.tick()
        assert screen.query_one("#countdown", Digits).value == "+0:30"
        assert "overtime" in text_of(screen, "#phase-status")
        assert screen.query_one("#countdown").has_class("overtime")
        assert len(bells) == 3  # two minutes after the extension, then zero
        await pilot.press("f9")
        assert "Direct analogy" in text_of(screen, "#phase-title")
        await pilot.press("f8")
        assert "Brainstorm" in text_of(screen, "#phase-title")
        await pilot.press("f9", "f9")  # past the last phase: asks to end
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "Session ended" in text_of(screen, "#phase-title")
    with Store(db_path) as store:
        log = [(e.kind, e.position, e.note) for e in store.phase_log(session_id)]
        assert ("start", 0, "back") in log and log[-1][0] == "end"


async def test_resume_after_a_crash_comes_back_in_the_same_phase(
    db_path: Path, session_id: int, clock
) -> None:
    app = IdeationApp(db_path, clock=clock, open_session=session_id, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9", "f9")
        clock.advance(60)
        await type_idea(pilot, "Tom: a bee that delivers beans")
    clock.advance(120)  # the process is gone for two minutes
    again = IdeationApp(db_path, clock=clock, open_session=session_id, embedder=False)
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = again.screen
        assert "Direct analogy" in text_of(screen, "#phase-title")
        assert screen.query_one("#countdown", Digits).value == "2:00"
        assert screen.query_one("#ideas", DataTable).row_count == 1
        await type_idea(pilot, "Ana: honeycomb pods")
        assert str(screen.query_one("#ideas", DataTable).get_row_at(1)[0]) == "2"


async def test_the_half_day_template_runs_end_to_end(db_path: Path) -> None:
    """Four simulated hours through all sixteen phases by keyboard, nothing lost, no drift."""
    from ideation.live.plan import load_plan
    from ideation.paths import shipped_file

    clock = FakeClock()
    plan = load_plan(shipped_file("sessions", "half-day.yaml"))
    with Store(db_path) as store:
        session_id = start_session(store, plan).id
    app = IdeationApp(db_path, clock=clock, open_session=session_id, embedder=False)
    began = clock.now()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        for number, item in enumerate(plan.agenda, start=1):
            await pilot.press("f9")
            assert item.title[:20] in text_of(screen, "#phase-title")
            for second in range(0, item.planned_seconds, 30):
                clock.advance(30)
                if second % 300 == 0:
                    await type_idea(pilot, f"{number % 6 + 1}: idea in {item.title}")
                screen.tick()
            assert screen.query_one("#countdown", Digits).value == "0:00"
        await pilot.press("f9")  # past the last phase: asks to end
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "Session ended" in text_of(screen, "#phase-title")
    with Store(db_path) as store:
        log = store.phase_log(session_id)
        assert log[-1].at - began == pytest.approx(plan.total_minutes * 60, abs=1.0)
        expected = sum(-(-item.planned_seconds // 300) for item in plan.agenda)
        assert store.count_ideas(session_id) == expected


async def test_ideas_are_embedded_in_the_background(
    db_path: Path, session_id: int, clock, fake_embedder
) -> None:
    """Themes are ready when the session ends: new ideas reach the cache as they come."""
    app = IdeationApp(db_path, clock=clock, open_session=session_id, embedder=fake_embedder)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await type_idea(pilot, "Maya: a mug that keeps coffee warm")
        await type_idea(pilot, "Tom: beans delivered by bicycle")
        await app.workers.wait_for_complete()
        await pilot.pause()
        embedded = {text for call in fake_embedder.calls for text in call}
        assert {"a mug that keeps coffee warm", "beans delivered by bicycle"} <= embedded
        assert "ready for themes" in text_of(app.screen, "#flow")
    with Store(db_path) as store:
        assert store.db.execute("SELECT count(*) FROM embeddings").fetchone()[0] == 2


async def open_themes(pilot):
    """`t` on the home screen: the selected session's themes."""
    from ideation.tui.review import ReviewScreen

    await pilot.press("t")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ReviewScreen)
    return pilot.app.screen


async def test_review_screen_clusters_and_edits_themes(db_path: Path, fake_embedder) -> None:

    with Store(db_path) as store:
        build_demo(store)
    app = IdeationApp(db_path, embedder=fake_embedder)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_themes(pilot)
        assert "No themes yet" in text_of(screen, "#revision")
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        themes = screen.query_one("#themes", DataTable)
        assert themes.row_count >= 2
        assert "automatic" in text_of(screen, "#revision")
        assert screen.query_one("#members", DataTable).row_count > 0
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one("#answer", Input).value = "Seed pods"
        await pilot.press("enter")
        await pilot.pause()
        assert "renamed" in text_of(screen, "#revision")
        assert str(themes.get_row_at(0)[3]) == "Seed pods"
        before = themes.row_count
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one("#answer", Input).value = str(themes.get_row_at(1)[0])
        await pilot.press("enter")
        await pilot.pause()
        assert themes.row_count == before - 1
    with Store(db_path) as store:
        revisions = store.clusterings()
        assert [r.automatic for r in revisions] == [True, False, False]


async def test_clustering_again_over_edits_asks_first_and_newer_ideas_are_named(
    db_path: Path, fake_embedder
) -> None:
    """A researcher's renamed themes are not replaced by one keypress, and ideas captured
    after the revision are said to be outside it, at 80×24."""
    from ideation.analysis.review import rename_theme
    from ideation.analysis.themes import cluster_scope, latest_theme_set

    with Store(db_path) as store:
        build_demo(store)
        automatic = cluster_scope(store, [1], fake_embedder)
        themes = latest_theme_set(store, [1])
        assert themes is not None
        edited = rename_theme(store, themes, 1, "Seed pods").record
        store.add_idea(1, "a cup that tells you when it is cool enough")
    app = IdeationApp(db_path, embedder=fake_embedder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_themes(pilot)
        header = text_of(screen, "#revision")
        assert f"Revision {edited.id} (edited: renamed" in header
        assert "1 newer idea not in it: c clusters again" in header
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one("#question", Label).render())
        assert f"Revision {edited.id} has your edits" in question
        await pilot.press("n")
        await pilot.pause()
        with Store(db_path) as store:
            assert [r.id for r in store.clusterings([1])] == [automatic.id, edited.id]
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        header = text_of(screen, "#revision")
        assert "(automatic)" in header and "newer idea" not in header
    with Store(db_path) as store:
        assert [r.automatic for r in store.clusterings([1])] == [True, False, True]
