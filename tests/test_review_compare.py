"""The review screen at 80×24, read as a person reads it: the compare-and-focus views
(sessions × themes, segments, coverage, most novel), the selected idea in full with
its build-on thread, and the idea's own text in the move dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from ideation.analysis.themes import cluster_scope
from ideation.demo import build_demo
from ideation.live.plan import parse_plan
from ideation.live.session import start_session
from ideation.store import Store
from ideation.tui.app import IdeationApp
from ideation.tui.review import ReviewScreen

PLAN = """
name: Second group
brief:
  problem_as_given: How might we make mornings better?
  opportunity_areas: [Quiet evenings with a decaf, Coffee for the cat]
participants: [{name: Rita}]
agenda:
  - {title: Brainstorm, technique: brainstorm, minutes: 10}
"""
LONG = (
    "A subscription that learns from the weather, the calendar and the alarm clock when"
    " I will want a stronger cup, and has it ground and waiting by the time I come down"
)


def visible(app: IdeationApp) -> str:
    """The characters on the terminal right now, row by row (what a person sees)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


@pytest.fixture
def pooled(db_path: Path, fake_embedder) -> list[int]:
    """The demo session and a second one whose participant came from the screener,
    clustered together (what `cluster all` stores)."""
    with Store(db_path) as store:
        demo = build_demo(store).session_id
        second = start_session(store, parse_plan(PLAN, "second.yaml"), "Evening group").id
        respondent = store.respondents(store.screeners()[0].id)[0]
        rita = store.add_respondent_participant(second, "Rita", respondent.id, None)
        first = store.add_idea(second, "beans in a tin that sings", participant_id=rita.id)
        store.add_idea(second, LONG, participant_id=rita.id, builds_on=first.id)
        store.add_idea(second, "a mug that keeps coffee warm", participant_id=rita.id)
        cluster_scope(store, [demo, second], fake_embedder)
    return [demo, second]


async def open_review(app: IdeationApp, pilot, session_ids: list[int]) -> ReviewScreen:
    await pilot.pause()
    app.push_screen(ReviewScreen(session_ids))
    await pilot.pause()
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


async def select_long_ideas_theme(screen: ReviewScreen, pilot):
    """Put the themes' cursor on the theme holding the `LONG` idea; returns that theme."""
    themes = screen.query_one("#themes", DataTable)
    home = next(t for t in screen.current.themes if any(i.text == LONG for i in t.ideas))
    themes.move_cursor(row=themes.get_row_index(str(home.number)))
    await pilot.pause()
    return home


async def test_views_show_sessions_segments_coverage_and_novel_at_80x24(
    db_path: Path, pooled: list[int], fake_embedder
) -> None:
    app = IdeationApp(db_path, embedder=fake_embedder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot, pooled)
        await pilot.press("v")
        await pilot.pause()
        shown = visible(app)
        assert "Brewline demo" in shown and "Evening group" in shown
        assert "Ideas each session gave each theme" in shown
        table = screen.query_one("#focus", DataTable)
        assert table.row_count == len(screen.current.themes)
        evening = sum(
            int(str(table.get_row_at(r)[3]).replace("·", "0") or 0) for r in range(table.row_count)
        )
        assert evening == 3  # the second session's three ideas, across the themes

        await pilot.press("v")
        await pilot.pause()
        shown = visible(app)
        assert "age band 18-34" in shown or "age band 35-54" in shown or "age band 55+" in shown
        assert "not screened" in shown  # the demo participants came from no screener

        await pilot.press("v")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = visible(app)
        assert "Coffee for the cat" in shown
        assert "no theme" in shown
        assert "untouched by any theme" in shown

        await pilot.press("v")
        await pilot.pause()
        shown = visible(app)
        assert "unusual, not necessarily good" in shown
        assert "Evening gro" in shown

        await pilot.press("v")
        await pilot.pause()
        assert not screen.query_one("#review").has_class("hidden")


async def test_selected_idea_reads_in_full_with_its_thread_and_in_the_move_dialog(
    db_path: Path, pooled: list[int], fake_embedder
) -> None:
    app = IdeationApp(db_path, embedder=fake_embedder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot, pooled)
        home = await select_long_ideas_theme(screen, pilot)
        members = screen.query_one("#members", DataTable)
        idea = next(i for i in home.ideas if i.text == LONG)
        members.move_cursor(row=members.get_row_index(str(idea.id)))
        await pilot.pause()
        shown = " ".join(visible(app).split())
        assert "has it ground and waiting by the time I come down" in shown
        assert "↳ builds on +1" in shown and "beans in a tin that sings" in shown
        assert "↳+…" not in shown

        members.focus()
        await pilot.press("m")
        await pilot.pause()
        dialog = " ".join(visible(app).split())
        assert "Move +2 “A subscription that learns from the weather" in dialog
        app.screen.query_one("#answer", Input).value = ""
        await pilot.press("escape")


async def test_pooled_ideas_name_their_session_and_every_view_reads_its_row_in_full(
    db_path: Path, pooled: list[int], fake_embedder
) -> None:
    app = IdeationApp(db_path, embedder=fake_embedder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot, pooled)
        home = await select_long_ideas_theme(screen, pilot)
        members = screen.query_one("#members", DataTable)
        assert "Session" in [str(c.label) for c in members.ordered_columns]
        row = members.get_row(str(next(i.id for i in home.ideas if i.text == LONG)))
        assert str(row[0]) == "Evening g…"  # the session's short tag
        long = next(i for i in home.ideas if i.text == LONG)
        members.move_cursor(row=members.get_row_index(str(long.id)))
        await pilot.pause()
        await pilot.pause()
        assert "Rita · Evening group: A subscription" in " ".join(visible(app).split())

        await pilot.press("v")  # sessions × themes: the theme stays as the table scrolls
        await pilot.pause()
        table = screen.query_one("#focus", DataTable)
        assert table.fixed_columns == 2
        table.move_cursor(row=0)
        table.scroll_right(animate=False)
        await pilot.pause()
        first = screen.current.themes[0]
        shown = " ".join(visible(app).split())
        assert f"T{first.number} {first.label}:" in shown and "Brewline demo" in shown

        await pilot.press("v", "v")  # coverage: the selected area in full
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = screen.query_one("#focus", DataTable)
        last = table.row_count - 1
        table.move_cursor(row=last)
        await pilot.pause()
        shown = " ".join(visible(app).split())
        assert "opportunity area: Coffee for the cat — " in shown

        await pilot.press("v")  # most novel: the selected idea in full
        await pilot.pause()
        table = screen.query_one("#focus", DataTable)
        full = screen.focus_shown.details
        assert table.row_count == len(full) > 0
        table.move_cursor(row=table.row_count - 1)
        await pilot.pause()
        assert " ".join(full[-1].plain.split()) in " ".join(visible(app).split())


async def test_a_long_sessions_table_keeps_its_detail_line_at_80x24(
    db_path: Path, pooled: list[int], fake_embedder
) -> None:
    """With 40 themes the table filled the screen and pushed the line that shows the
    selected row in full off it."""
    with Store(db_path) as store:
        cluster_scope(store, pooled, fake_embedder, themes=40)
    app = IdeationApp(db_path, embedder=fake_embedder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot, pooled)
        assert len(screen.current.themes) >= 30
        await pilot.press("v")
        await pilot.pause()
        detail = " ".join(str(screen.query_one("#detail", Static).render()).split())
        assert detail.startswith("T1 ")
        assert detail[:30] in " ".join(visible(app).split())
