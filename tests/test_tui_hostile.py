"""Every screen renders a study whose every field a stranger could have typed.

Markup ("[/]", "[bold red]X[/]", "[@click=app.quit]x[/]"), unbalanced brackets,
terminal escapes (a title change, a screen clear), RTL marks and a 10,000-
character line go into session names, participants, plan titles, prompts,
notes, the brief, ideas, build-ons, theme labels and screener answers. Each
screen must render without an exception, show "[sic]" and "[TBD]" literally
(markup would eat them) and let no ESC or BEL through to the terminal.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FakeEmbedder
from textual import events
from textual.widgets import DataTable, Input

from ideation.analysis import review
from ideation.analysis.themes import cluster_scope, theme_set
from ideation.demo import build_demo
from ideation.live.clock import FakeClock
from ideation.live.plan import parse_plan
from ideation.live.session import LiveSession, start_session
from ideation.paths import shipped_file
from ideation.records import Contact
from ideation.screening.screener_yaml import parse_screener
from ideation.store import Store
from ideation.tui.app import IdeationApp
from ideation.tui.dialogs import AskScreen, ConfirmScreen
from ideation.tui.home import HomeScreen
from ideation.tui.interview import InterviewScreen
from ideation.tui.live import LiveScreen
from ideation.tui.recruit import RecruitScreen
from ideation.tui.review import ReviewScreen
from ideation.tui.search import SearchScreen

HOSTILE = (
    "[sic] [TBD] [/] [bold red]X[/] [@click=app.quit]x[/] [unclosed"
    " \x1b]0;pwned\x07 \x1b[2J\x1b[H \u202e\u200f reversed"
)
LONG = "[sic] [TBD] " + "long " * 2000  # 10,000+ characters on one line


def y(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text)


PLAN = f"""
name: {y(HOSTILE)}
brief:
  problem_as_given: {y(HOSTILE)}
  background: {y(LONG)}
  tried: [{y(HOSTILE)}]
  opportunity_areas: [{y(HOSTILE)}]
  springboards: [{y(HOSTILE)}]
participants: [{{name: "[sic] Maya"}}, {{name: "[TBD]"}}]
agenda:
  - title: {y(HOSTILE)}
    technique: brainstorm
    minutes: 10
    prompts: [{y(HOSTILE)}, {y(LONG)}]
    stimuli: [{y(HOSTILE)}]
    notes: {y(HOSTILE)}
  - {{title: "[TBD] second", technique: problem_as_given, minutes: 5}}
"""

IDEAS = [
    "pods [/] cups",
    "+1 and refill them",
    f"+2 {HOSTILE}",
    "[sic] Maya: [sic] a mug [TBD]",
    LONG,
    "[bold red]X[/] [@click=app.quit]x[/]",
]


@pytest.fixture
def hostile_db(db_path: Path) -> tuple[Path, int]:
    clock = FakeClock()
    with Store(db_path, clock=clock.now) as store:
        build_demo(store)
        store.set_setting("study_name", HOSTILE)
        screener = store.screeners()[0]
        source = shipped_file("screeners", "home-coffee.yaml").read_text(encoding="utf-8")
        source = source.replace(
            "title: At-home coffee lovers — Brewline ideation recruit", f"title: {y(HOSTILE)}"
        )
        store.upsert_screener(screener.name, HOSTILE, source, screener.path)
        recruits = [
            store.add_respondent(
                screener.id,
                rid,
                {"mug_uses": f"{HOSTILE}\n{LONG}", "morning_wish": HOSTILE, "age": str(30 + n)},
                contact=Contact(0, HOSTILE, f"[sic]{HOSTILE}", LONG),
            )
            for n, rid in enumerate((f"[sic] {HOSTILE}", f"[TBD] {LONG}"))
        ]
        session = start_session(store, parse_plan(PLAN, "hostile.yaml"), name=HOSTILE)
        # a plan refuses such a name; a recruit's label comes from what they typed
        store.add_respondent_participant(session.id, HOSTILE, recruits[0].id, None)
        live = LiveSession(store, session.id, clock)
        live.go_to(0)
        for line in IDEAS:
            clock.advance(20)
            live.capture(line)
        live.withdraw(6)
        live.release()
        themes = theme_set(store, cluster_scope(store, [session.id], FakeEmbedder()).id)
        review.rename_theme(store, themes, 1, HOSTILE)
    return db_path, session.id


def rendered(app: IdeationApp) -> str:
    """What the screen sends to the terminal, as text (styles are applied separately)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def assert_safe(app: IdeationApp, *, visible: tuple[str, ...] = ("[sic]", "[TBD]")) -> str:
    text = rendered(app)
    assert "\x1b" not in text and "\x07" not in text
    for literal in visible:
        assert literal in text, f"{literal} missing from {type(app.screen).__name__}"
    return text


async def test_home_and_search(hostile_db) -> None:
    db_path, _ = hostile_db
    app = IdeationApp(db_path, embedder=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        text = assert_safe(app)
        assert "[bold red]X[/]" in text  # the session name, as typed
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        app.screen.query_one("#query", Input).value = "sic"
        await pilot.pause()
        assert app.screen.query_one("#results", DataTable).row_count >= 2
        assert_safe(app)
        app.screen.query_one("#query", Input).value = '[/] "unbalanced ('
        await pilot.pause()
        assert_safe(app, visible=())


async def test_live_thread_line_and_resume(hostile_db) -> None:
    """The thread line from "pods [/] cups" then "+1 and refill them" renders, twice."""
    db_path, session_id = hostile_db
    for _ in range(2):  # the second run is a resume of the same session
        app = IdeationApp(db_path, open_session=session_id, embedder=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, LiveScreen)
            table = screen.query_one("#ideas", DataTable)
            table.move_cursor(row=2)  # +3 builds on +2 builds on +1
            await pilot.pause()
            text = assert_safe(app)
            assert "Thread: +1 pods [/] cups → +2 and refill them" in text
            assert "[@click=app.quit]x[/]" in text
            screen.query_one("#capture", Input).value = f"+3 {HOSTILE}"
            await pilot.press("enter")
            await pilot.pause()
            assert_safe(app)
            await pilot.press("f4")  # a dialog quoting nothing hostile, then one that does
            await pilot.pause()
            assert_safe(app, visible=())
            await pilot.press("n")
            await pilot.pause()


async def test_read_only_banner_names_a_hostile_holder(hostile_db) -> None:
    db_path, session_id = hostile_db
    with Store(db_path) as store:
        store.take_lease(session_id, f"{HOSTILE}@elsewhere:1")
    app = IdeationApp(db_path, open_session=session_id, embedder=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = assert_safe(app)
        assert "READ-ONLY" in text and "[bold red]X[/]" in text


async def test_review_recruit_interview_and_dialogs(hostile_db) -> None:
    db_path, session_id = hostile_db
    app = IdeationApp(db_path, embedder=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.push_screen(ReviewScreen([session_id]))
        await pilot.pause()
        assert_safe(app)
        await pilot.press("r")  # rename: the dialog quotes the hostile label
        await pilot.pause()
        assert isinstance(app.screen, AskScreen)
        assert_safe(app, visible=("[sic]",))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("tab")  # the ideas of the theme

        with Store(db_path) as store:
            screener = store.screeners()[0]
            defn = parse_screener(screener.source, screener.path)
        app.push_screen(RecruitScreen(screener.id))
        await pilot.pause()
        table = app.screen.query_one("#candidates", DataTable)
        keys = [str(key.value) for key in table.rows]
        with Store(db_path) as store:
            hostile = [r.id for r in store.respondents(screener.id) if "[sic]" in r.external_id]
        table.move_cursor(row=keys.index(str(hostile[0])))
        await pilot.press("c")  # the contact, shown on request
        await pilot.pause()
        assert_safe(app)
        await pilot.press("a")  # accept: the question quotes the id
        await pilot.pause()
        assert isinstance(app.screen, AskScreen)
        assert_safe(app, visible=("[sic]",))
        await pilot.press("escape")
        await pilot.pause()

        app.push_screen(InterviewScreen(defn))
        await pilot.pause()
        app.screen.query_one("#rid", Input).value = HOSTILE
        for _ in range(4):
            await pilot.press("enter")
        await pilot.pause()
        assert_safe(app, visible=("[sic]",))
        app.screen.query_one("#answer", Input).post_message(events.Paste(HOSTILE))
        await pilot.pause()
        await pilot.press("enter")  # refused: the error quotes the answer
        await pilot.pause()
        assert_safe(app, visible=("[sic]",))

        app.push_screen(ConfirmScreen(HOSTILE, yes=HOSTILE))
        await pilot.pause()
        assert_safe(app)
        await pilot.press("n")
        app.push_screen(AskScreen(HOSTILE, value=HOSTILE, placeholder=HOSTILE))
        await pilot.pause()
        assert_safe(app)
        app.say(HOSTILE)  # a notice quoting user text
        await pilot.pause()
        assert_safe(app)
