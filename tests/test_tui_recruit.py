"""The recruit and interview screens driven as a recruiter would, through Textual's Pilot."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual import events
from textual.widgets import DataTable, Input, Label, Static

from ideation.demo import build_demo
from ideation.live.plan import parse_plan
from ideation.live.session import start_session
from ideation.records import Flag, Respondent, Score
from ideation.screening.definition import ScreenerDefinition
from ideation.screening.involvement import score_involvement
from ideation.screening.pipeline import mark_assessed
from ideation.screening.rules import evaluate
from ideation.screening.screener_yaml import parse_screener
from ideation.store import Store
from ideation.tui.app import IdeationApp
from ideation.tui.dialogs import AskScreen, ConfirmScreen
from ideation.tui.home import HomeScreen
from ideation.tui.interview import InterviewScreen, next_interview_id
from ideation.tui.recruit import RecruitScreen

#: A complete interview with the shipped screener; "Someone else" skips spend_per_month.
COMPLETE = [
    ("industry", "5"),
    ("last_research", "never"),
    ("age", "41"),
    ("age_band", "2"),
    ("gender", "Man"),
    ("coffee_at_home", "1"),
    ("cups_per_week", "20"),
    ("who_buys", "3"),
    ("brands_tried", "1, 6"),
    ("attitudes", "5 4 5 4 4 1"),
    ("mug_uses", ["a bird bath", "a tiny drum", "a seed tray"]),
    ("brand_animal", ["A badger: stubborn, earthy, up at dawn"]),
    ("morning_wish", ["A grinder that wakes me with the smell before the alarm"]),
    ("rank_features", "1, 5, 4, 2, 3"),
]

PLAN = """
name: Brewline session
brief:
  problem_as_given: How might we make mornings better?
agenda:
  - {title: Brainstorm, technique: brainstorm, minutes: 10}
"""


@pytest.fixture
def demo_db(db_path: Path) -> Path:
    with Store(db_path) as store:
        build_demo(store)
    return db_path


def definition(store: Store) -> ScreenerDefinition:
    screener = store.screeners()[0]
    return parse_screener(screener.source, screener.path)


def score_in_store(db_path: Path) -> None:
    """A stored assessment without the model: rules and involvement, a made-up creativity.

    R005 gets an excluding flag and R006 a rank-down one, as the quality checks might.
    """
    with Store(db_path) as store:
        defn = definition(store)
        for r in store.respondents(store.screeners()[0].id):
            outcome = evaluate(defn, r.answers)
            store.set_outcome(r.id, outcome.status, outcome.terminate_reason)
            if outcome.status == "terminated":
                store.save_assessment(r.id, [], [])
                continue
            involvement = score_involvement(defn, r.answers).score
            creativity = float(len(str(r.answers.get("mug_uses", "")).splitlines()) * 9 % 100)
            composite = 0.5 * involvement + 0.5 * creativity
            flags = {
                "R005": [Flag(r.id, "gibberish", "mug_uses: 'asdf qwer' is not words")],
                "R006": [Flag(r.id, "speeder", "took 95 s; the median is 600 s")],
            }.get(r.external_id, [])
            store.save_assessment(
                r.id,
                [
                    Score(r.id, "involvement", involvement, {}),
                    Score(r.id, "creativity", creativity, {}),
                    Score(r.id, "composite", composite, {}),
                ],
                flags,
            )
        mark_assessed(store, defn, StandIn())


class StandIn:
    """The model a hand-made assessment names: only its id is read."""

    model_id = "stand-in"


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def printed(screen, selector: str) -> str:
    """A Static holding a Rich renderable (a table), as it prints 78 columns wide."""
    console = Console(width=78, record=True, file=io.StringIO())
    console.print(screen.query_one(selector, Static).content)
    return console.export_text()


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def people(db_path: Path) -> dict[str, Respondent]:
    with Store(db_path) as store:
        return {r.external_id: r for r in store.respondents(store.screeners()[0].id)}


async def open_recruit(pilot) -> RecruitScreen:
    await pilot.pause()
    await pilot.press("tab")  # sessions → screeners
    assert pilot.app.focused is pilot.app.screen.query_one("#screeners", DataTable)
    await pilot.press("r")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, RecruitScreen)
    return screen


async def move_to(pilot, table: DataTable, external_id: str) -> None:
    index = next(i for i, row in enumerate(rows(table)) if row[1] == external_id)
    table.move_cursor(row=index)
    await pilot.pause()


async def say(pilot, text: str) -> None:
    pilot.app.screen.query_one("#answer", Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def start_interview(pilot, **contact: str) -> InterviewScreen:
    await pilot.press("i")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, InterviewScreen)
    for field, value in contact.items():
        screen.query_one(f"#{field}", Input).value = value
    await pilot.press("enter", "enter", "enter", "enter")  # id, name, email, phone
    await pilot.pause()
    return screen


async def test_recruit_opens_from_home_and_lists_everyone(demo_db: Path) -> None:
    app = IdeationApp(demo_db, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        screen = await open_recruit(pilot)
        table = screen.query_one("#candidates", DataTable)
        listed = rows(table)
        assert len(listed) == 40
        # Not scored yet: the rules still say who terminated, and they come last.
        statuses = [row[2] for row in listed]
        assert statuses.index("terminated") > 0
        assert set(statuses[statuses.index("terminated") :]) == {"terminated"}
        assert "terminated" in [row[2] for row in listed if row[1] == "R002"]
        assert "40 not scored" in text_of(screen, "#summary")
        assert "18-34 0/2-3 ✓0" in text_of(screen, "#quotas")
        assert "R001: complete" in text_of(screen, "#detail")
        titles = [c.title for c in app.get_system_commands(screen)]
        for name in ("Accept", "Standby", "Reject", "Score", "Fill", "Interview"):
            assert any(t.startswith(name) for t in titles)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("enter")  # the screeners table keeps focus: enter opens it too
        await pilot.pause()
        assert isinstance(app.screen, RecruitScreen)


async def test_accept_standby_reject_undecide_are_saved_with_reasons(demo_db: Path) -> None:
    score_in_store(demo_db)
    app = IdeationApp(demo_db, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_recruit(pilot)
        table = screen.query_one("#candidates", DataTable)
        top = rows(table)[0]
        assert top[0] == "1" and top[7] == "accept"
        assert "fills the quotas" in top[9]
        flagged = {row[1]: row for row in rows(table)}
        assert flagged["R006"][6] == "speed"
        assert flagged["R005"][6] == "gibber" and flagged["R005"][0] == ""
        await pilot.press("a")
        await pilot.pause()
        ask = app.screen
        assert isinstance(ask, AskScreen)
        assert ask.query_one("#answer", Input).value == "fills the quotas in rank order"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecruitScreen)
        assert rows(table)[0][8] == "accepted"
        assert "✓1" in text_of(screen, "#quotas")

        await move_to(pilot, table, "R007")
        await pilot.press("b")
        await pilot.pause()
        app.screen.query_one("#answer", Input).value = "lovely open-ends, but far away"
        await pilot.press("enter")
        await move_to(pilot, table, "R002")
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.query_one("#answer", Input).value == "terminated: industry security"
        await pilot.press("enter")
        await pilot.pause()
        await move_to(pilot, table, "R003")
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("escape")  # cancelled: no decision
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#answer", Input).value = "  "
        await pilot.press("enter")  # refused: a rejection needs a reason
        await pilot.pause()
        who = people(demo_db)
        accepted = [r for r in who.values() if r.decision == "accepted"]
        assert len(accepted) == 1
        assert accepted[0].decision_reason == "fills the quotas in rank order"
        assert (who["R007"].decision, who["R007"].decision_reason) == (
            "standby",
            "lovely open-ends, but far away",
        )
        assert (who["R002"].decision, who["R002"].decision_reason) == (
            "rejected",
            "terminated: industry security",
        )
        assert who["R003"].decision == ""
        await move_to(pilot, table, "R007")
        await pilot.press("u")
        await pilot.pause()
        assert people(demo_db)["R007"].decision == ""
        assert "R007" in text_of(screen, "#detail")


async def test_contact_details_only_on_request(demo_db: Path) -> None:
    with Store(demo_db) as store:
        contacts = [store.contact(r.id) for r in store.respondents(store.screeners()[0].id)]
    personal = {part for c in contacts if c for part in (c.name, c.email, c.phone)}
    app = IdeationApp(demo_db, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_recruit(pilot)
        table = screen.query_one("#candidates", DataTable)
        shown = {cell for row in rows(table) for cell in row}
        assert not personal & shown
        assert "Maya Brennan" not in text_of(screen, "#detail")
        await pilot.press("c")
        detail = text_of(screen, "#detail")
        assert "Maya Brennan" in detail and "maya.brennan@example.com" in detail
        assert "+44 7700 900123" in detail
        await pilot.press("down")  # another person: the contact is hidden again
        await pilot.pause()
        assert "Maya Brennan" not in text_of(screen, "#detail")
        assert "@example.com" not in text_of(screen, "#detail")


async def test_quota_fill_waits_for_scores_then_decides_and_invites(demo_db: Path) -> None:
    app = IdeationApp(demo_db, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_recruit(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, RecruitScreen)  # refused: nobody is scored
        assert not any(r.decision for r in people(demo_db).values())
    score_in_store(demo_db)
    with Store(demo_db) as store:
        with_names = PLAN + "participants:\n  - name: Maya\n  - name: Tom\n"
        planned = start_session(store, parse_plan(with_names, "recruit.yaml")).id
    app = IdeationApp(demo_db, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_recruit(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        decisions = [r.decision for r in people(demo_db).values()]
        assert decisions.count("accepted") == 6
        assert decisions.count("standby") == 3
        assert decisions.count("rejected") == 31
        quotas = text_of(screen, "#quotas")
        assert "places 6/6 ✓6" in quotas and "standby ✓3/3" in quotas
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, AskScreen)
        box = app.screen.query_one("#answer", Input)
        assert box.value == str(planned)  # the demo session has ended: not offered
        box.value = "1"
        await pilot.press("enter")  # refused
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # the plan's Maya and Tom sit there too
        assert "Maya, Tom" in str(app.screen.query_one("#question", Label).render())
        await pilot.press("y")
        await pilot.pause()
    with Store(demo_db) as store:
        assert not [p for p in store.participants(1) if p.respondent_id is not None]
        seated = store.participants(planned)
        accepted = {r.id for r in people(demo_db).values() if r.decision == "accepted"}
    assert {p.respondent_id for p in seated} == accepted  # only the recruits are left


async def test_interview_terminates_on_industry_and_saves(demo_db: Path) -> None:
    app = IdeationApp(demo_db, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_recruit(pilot)
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        assert screen.query_one("#rid", Input).value == "I001"
        screen.query_one("#name", Input).value = "Sam Okafor"
        screen.query_one("#phone", Input).value = "+44 7700 900999"
        await pilot.press("enter", "enter", "enter", "enter")
        await pilot.pause()
        assert "Do you or anyone in your household" in text_of(screen, "#question-text")
        choices = printed(screen, "#choices")
        assert "1 Marketing or advertising" in choices and "5 None of these" in choices
        assert "expected one or more of" in text_of(screen, "#expect")
        await say(pilot, "1")
        assert "terminated: industry security" in text_of(screen, "#outcome")
        assert people(demo_db).get("I001") is None  # nothing saved before enter
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecruitScreen)
        table = app.screen.query_one("#candidates", DataTable)
        assert table.row_count == 41
        assert rows(table)[table.cursor_row][1] == "I001"
    with Store(demo_db) as store:
        saved = people(demo_db)["I001"]
        assert (saved.status, saved.terminate_reason) == ("terminated", "industry security")
        assert saved.answers == {"industry": ["Marketing or advertising"]}
        assert saved.source == "interview" and saved.duration_seconds is not None
        contact = store.contact(saved.id)
        assert contact and (contact.name, contact.email) == ("Sam Okafor", "")


async def test_interview_walks_the_whole_screener_with_skips_and_back(demo_db: Path) -> None:
    app = IdeationApp(demo_db, embedder=False)
    async with app.run_test(size=(80, 40)) as pilot:
        await open_recruit(pilot)
        screen = await start_interview(pilot)
        asked = []
        for question_id, answer in COMPLETE:
            assert f"· {question_id} ·" in text_of(screen, "#where")
            asked.append(question_id)
            if question_id == "attitudes":  # a grid: its lines and the scale labels
                grid = printed(screen, "#choices")
                assert "6 any_will_do" in grid and "Scale: 1 Strongly disagree" in grid
            if isinstance(answer, list):  # a creativity task: one line at a time
                for line in answer:
                    await say(pilot, line)
                assert answer[0] in text_of(screen, "#lines")
                await say(pilot, "")
            else:
                await say(pilot, answer)
            if question_id == "gender":  # a second thought: back one, answer again
                await pilot.press("ctrl+b")
                await pilot.pause()
                assert "· gender ·" in text_of(screen, "#where")
                assert screen.query_one("#answer", Input).value == "Man"
                await say(pilot, "Woman")
        assert "spend_per_month" not in asked
        assert "complete" in text_of(screen, "#outcome")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecruitScreen)
    saved = people(demo_db)["I001"]
    assert saved.status == "complete"
    assert saved.answers["gender"] == "Woman"
    assert saved.answers["industry"] == ["None of these"]
    assert saved.answers["brands_tried"] == ["Brewline", "A local or independent roaster"]
    assert saved.answers["attitudes"]["explore"] == 5
    assert saved.answers["mug_uses"] == "a bird bath\na tiny drum\na seed tray"
    assert saved.answers["rank_features"][1] == "The ritual of making it"
    assert "spend_per_month" not in saved.answers


async def test_an_invalid_answer_shows_one_line_and_keeps_the_text(demo_db: Path) -> None:
    app = IdeationApp(demo_db, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_recruit(pilot)
        screen = await start_interview(pilot)
        await say(pilot, "9")
        error = text_of(screen, "#answer-error")
        assert error.startswith("industry: '9' is not an option") and "\n" not in error
        assert screen.query_one("#answer", Input).value == "9"
        await say(pilot, "None of these")
        await say(pilot, "4")
        await say(pilot, "forty")
        assert text_of(screen, "#answer-error") == "age: expected a whole number from 12 to 100"
        assert screen.query_one("#answer", Input).value == "forty"
        assert "· age ·" in text_of(screen, "#where")
        await say(pilot, "40")
        assert text_of(screen, "#answer-error") == ""
        assert "· age_band ·" in text_of(screen, "#where")


async def test_answers_typed_ahead_stay_apart(demo_db: Path) -> None:
    """Keys arrive faster than the screen handles them, as from a recruiter typing ahead."""
    app = IdeationApp(demo_db, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_recruit(pilot)
        screen = await start_interview(pilot)
        for char in "5\r4\r4x\r":
            key = "enter" if char == "\r" else char
            app.post_message(events.Key(key, None if key == "enter" else char))
        await pilot.pause(0.3)
        assert screen.answers == {"industry": ["None of these"], "last_research": "Never"}
        assert screen.query_one("#answer", Input).value == "4x"  # refused, given back
        assert text_of(screen, "#answer-error").startswith("age: expected a whole number")


async def test_cancelling_an_interview_saves_nothing(demo_db: Path) -> None:
    app = IdeationApp(demo_db, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_recruit(pilot)
        screen = await start_interview(pilot, name="Jo Bloggs", email="jo@example.com")
        await say(pilot, "5")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # carry on after all
        await pilot.pause()
        assert app.screen is screen
        await say(pilot, "1")  # terminated: still nothing until saved
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, RecruitScreen)
        assert app.screen.query_one("#candidates", DataTable).row_count == 40
    with Store(demo_db) as store:
        assert store.count_respondents() == 40
        count = store.db.execute("SELECT count(*) FROM contacts WHERE name = 'Jo Bloggs'")
        assert count.fetchone()[0] == 0


def test_interview_ids_take_the_first_free_number() -> None:
    assert next_interview_id(set()) == "I001"
    assert next_interview_id({"I001", "I002", "I004"}) == "I003"


async def test_scoring_runs_in_a_worker(demo_db: Path, fake_embedder) -> None:
    pytest.importorskip("ideation.screening.creativity")
    app = IdeationApp(demo_db, embedder=fake_embedder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_recruit(pilot)
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert fake_embedder.calls
        assert "not scored" not in text_of(screen, "#summary")
        listed = rows(screen.query_one("#candidates", DataTable))
        assert listed[0][0] == "1" and listed[0][5] not in ("", "—")
        assert sum(row[7] == "accept" for row in listed) == 6
    with Store(demo_db) as store:
        r002 = next(r for r in store.respondents(1) if r.external_id == "R002")
        assert r002.status == "terminated"
