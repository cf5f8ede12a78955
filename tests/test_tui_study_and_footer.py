"""At 80×24 a recruiter can tell which study a screener belongs to, and sees every
deciding key of the recruit screen in its footer.

A screener is known by (study, name): a copy of the YAML with only `study:` changed
is a screener of its own, and the home screen and the recruit screen's title must say
which one is which. Everything is read off the terminal as drawn, as a person would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from ideation.demo import build_demo
from ideation.paths import shipped_file
from ideation.screening.pipeline import register_screener
from ideation.screening.screener_yaml import load_screener
from ideation.store import Store
from ideation.tui.app import IdeationApp
from ideation.tui.home import HomeScreen
from ideation.tui.interview import InterviewScreen
from ideation.tui.recruit import RecruitScreen

SHIPPED = shipped_file("screeners", "home-coffee.yaml")
LISBON = "Brewline ideation 2027 (Lisbon)"
#: The footer of the recruit screen at 80 columns: the keys a recruiter presses per person.
DECIDING = ["a Accept", "b Standby", "x Reject", "u Undecide", "f Fill", "v Invite", "c Contact"]


@pytest.fixture
def two_studies(db_path: Path, tmp_path: Path) -> Path:
    """The demo study, its screener loaded from the shipped YAML, then a copy of that
    YAML with only `study:` changed, loaded the same way."""
    copy = tmp_path / "home-coffee-lisbon.yaml"
    source = SHIPPED.read_text(encoding="utf-8")
    copy.write_text(
        source.replace("study: Brewline ideation 2026", f"study: {LISBON}"), encoding="utf-8"
    )
    with Store(db_path) as store:
        build_demo(store)
        for path in (SHIPPED, copy):
            register_screener(store, load_screener(path))
        assert [(s.name, s.study) for s in store.screeners()] == [
            ("home-coffee", "Brewline ideation 2026"),
            ("home-coffee", LISBON),
        ]
    return db_path


def visible(app: IdeationApp) -> list[str]:
    """The terminal's lines right now (what a person sees)."""
    strips = app.screen._compositor.render_strips()
    return ["".join(segment.text for segment in strip) for strip in strips]


def screeners_panel(app: IdeationApp) -> list[str]:
    """The screeners panel's lines as drawn: the right-hand panel at the top."""
    lines = visible(app)
    panel = app.screen.query_one("#screeners-panel").region
    return [line[panel.x : panel.right] for line in lines[panel.y : panel.bottom]]


async def open_screener(pilot, row: int) -> RecruitScreen:
    await pilot.pause()
    table = pilot.app.screen.query_one("#screeners", DataTable)
    if pilot.app.focused is not table:  # back from a screen, the screeners keep focus
        await pilot.press("tab")  # sessions → screeners
    assert pilot.app.focused is table
    table.move_cursor(row=row)
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(pilot.app.screen, RecruitScreen)
    return pilot.app.screen


async def test_home_rows_tell_the_two_studies_apart(two_studies: Path) -> None:
    app = IdeationApp(two_studies, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        panel = screeners_panel(app)
        drawn = "\n".join(panel)
        # both names, each over its own study, cut in the middle so the years show
        assert drawn.count("home-coffee") == 2, drawn
        assert "Brewline…on 2026" in drawn and "Brewline…Lisbon)" in drawn, drawn
        # and each with its own respondent count beside the name
        rows = [line for line in panel if "home-coffee" in line]
        assert " 40 " in rows[0] and " 0 " in rows[1], drawn
        # inside the panel: its border still closes every line (nothing pushed out)
        assert all(line.endswith(("│", "╮", "╯")) for line in panel), drawn


async def test_recruit_title_names_the_study_before_it_is_cut(two_studies: Path) -> None:
    app = IdeationApp(two_studies, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screener(pilot, 1)
        header = visible(app)[0]
        assert f"Recruit for {LISBON}: At-home" in header, header
        assert screen.screener_id == 2
        await pilot.press("escape")
        screen = await open_screener(pilot, 0)
        assert "Recruit for Brewline ideation 2026: At-home" in visible(app)[0]


async def test_recruit_footer_shows_every_deciding_key_at_80_columns(two_studies: Path) -> None:
    app = IdeationApp(two_studies, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screener(pilot, 0)
        footer = visible(app)[-1]
        for key in DECIDING:
            assert f"{key} " in footer + " ", footer
        # whole, and nothing cut or left over after the palette hint
        assert footer.rstrip().endswith("▏^p palette"), footer
        assert len(footer) <= 80


async def test_keys_left_out_of_the_footer_still_work(two_studies: Path, fake_embedder) -> None:
    pytest.importorskip("ideation.screening.creativity")
    app = IdeationApp(two_studies, embedder=fake_embedder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screener(pilot, 0)
        footer = visible(app)[-1]
        assert "Score" not in footer and "Interview" not in footer
        # where they are wanted, the screen itself names them …
        assert "press s" in visible(app)[1]
        # … and the palette lists them with the rest
        titles = [c.title for c in app.get_system_commands(screen)]
        for name in ("Score (s)", "Interview (i)", "Undecide (u)", "Invite (v)", "Back (escape)"):
            assert name in titles, titles
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert fake_embedder.calls
        assert "not scored" not in "\n".join(visible(app))
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen)


async def test_home_footer_keeps_quit_at_80_columns(two_studies: Path) -> None:
    app = IdeationApp(two_studies, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = visible(app)[-1]
        for key in ("o Open session", "r Recruit", "/ Search", "q Quit"):
            assert key in footer, footer
        assert footer.rstrip().endswith("▏^p palette"), footer
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Refresh (f5)" in titles


HOSTILE = "[bold red]boom[/] \x1b]0;pwned\x07 ブルーライン研究 リスボン 2027"


async def test_a_hostile_study_name_is_shown_as_text(db_path: Path) -> None:
    source = SHIPPED.read_text(encoding="utf-8")
    with Store(db_path) as store:
        store.upsert_screener("home-coffee", "At-home", source, "home-coffee.yaml", study=HOSTILE)
    app = IdeationApp(db_path, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = screeners_panel(app)
        drawn = "\n".join(panel)
        assert "[bold red…" not in drawn  # cut by cells: the wide tail fits whole
        assert "[bold r" in drawn and "2027" in drawn, drawn
        assert "\x1b" not in drawn and "\x07" not in drawn
        assert all(line.endswith(("│", "╮", "╯")) for line in panel), drawn
        await open_screener(pilot, 0)
        header = visible(app)[0]
        # as typed (markup and all, its control characters gone), cut in the middle
        assert "Recruit for [bold red]boom[/" in header and "リスボン 2027: At-home" in header
        assert "\x1b" not in header


async def test_a_screener_without_a_study_says_so(db_path: Path) -> None:
    source = SHIPPED.read_text(encoding="utf-8")
    with Store(db_path) as store:
        store.upsert_screener("home-coffee", "At-home coffee lovers", source, "h.yaml")
    app = IdeationApp(db_path, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "no study" in "\n".join(screeners_panel(app))
        await open_screener(pilot, 0)
        assert "Recruit: At-home coffee lovers" in visible(app)[0]
