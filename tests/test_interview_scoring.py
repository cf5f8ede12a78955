"""The phone interview (issue #13 §4): the recruiter's typing speed never makes a
respondent a speeder, a saved interview is scored at once, and the input details a
recruiter meets on the phone (out-of-range ages a terminate covers, grid labels with
spaces, rankings as numbers, the cursor after going back, "1 answer")."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_recruit import COMPLETE
from textual.widgets import Input, Static

from ideation.demo import build_demo
from ideation.paths import shipped_file
from ideation.screening.pipeline import administer, assess
from ideation.screening.rules import AnswerError, evaluate, validate_answer
from ideation.screening.screener_yaml import load_screener
from ideation.store import Store
from ideation.tui.app import IdeationApp
from ideation.tui.interview import InterviewScreen
from ideation.tui.recruit import RecruitScreen


@pytest.fixture
def defn():
    return load_screener(shipped_file("screeners", "home-coffee.yaml"))


@pytest.fixture
def demo_db(db_path: Path) -> Path:
    with Store(db_path) as store:
        build_demo(store)
    return db_path


def kinds(view) -> set[str]:
    return {flag.kind for flag in view.flags}


# -- scoring ------------------------------------------------------------------------


def test_an_interview_is_never_a_speeder(demo_db: Path, defn, fake_embedder) -> None:
    """141 s on the phone against a batch median near 10 minutes: the online
    respondent with the same time is a speeder, the interviewed one is not."""
    with Store(demo_db) as store:
        online = next(r for r in store.respondents(1) if r.status == "complete")
        answers = {k: v for k, v in online.answers.items() if not k.startswith("@")}
        administer(store, defn, "I001", answers, duration_seconds=141.0)
        store.db.execute("UPDATE respondents SET duration_seconds = 141 WHERE id = ?", [online.id])
        views = {v.respondent.external_id: v for v in assess(store, defn, fake_embedder).candidates}
    assert "speeder" in kinds(views[online.external_id])
    assert "speeder" not in kinds(views["I001"])
    assert views["I001"].composite is not None


async def test_a_saved_interview_is_scored_at_once(demo_db: Path, fake_embedder) -> None:
    app = IdeationApp(demo_db, embedder=fake_embedder)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_recruit(pilot)
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        await pilot.press("enter", "enter", "enter", "enter")
        await pilot.pause()
        for _, said in COMPLETE:
            for line in [*said, ""] if isinstance(said, list) else [said]:
                await answer(pilot, line)
        assert "complete" in str(screen.query_one("#outcome", Static).render())
        await pilot.press("enter")  # save; nobody presses `s`
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert fake_embedder.calls
    with Store(demo_db) as store:
        saved = next(r for r in store.respondents(1) if r.external_id == "I001")
        assert "composite" in store.scores(saved.id)  # scored without `s`
        assert "speeder" not in {f.kind for f in store.flags(saved.id)}


async def test_the_end_screen_says_1_answer(demo_db: Path) -> None:
    app = IdeationApp(demo_db, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_interview(pilot)
        await answer(pilot, "1")  # marketing: terminated after one answer
        where = str(app.screen.query_one("#where", Static).render())
        assert where.endswith("1 answer")


async def open_recruit(pilot) -> None:
    await pilot.pause()
    await pilot.press("tab")  # sessions → screeners
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(pilot.app.screen, RecruitScreen)


async def start_interview(pilot) -> None:
    """From the home screen to the interview's first question (contact fields left empty)."""
    await open_recruit(pilot)
    await pilot.press("i")
    await pilot.pause()
    await pilot.press("enter", "enter", "enter", "enter")
    await pilot.pause()


async def answer(pilot, text: str) -> None:
    pilot.app.screen.query_one("#answer", Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_going_back_puts_the_cursor_at_the_end(demo_db: Path) -> None:
    app = IdeationApp(demo_db, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_interview(pilot)
        await answer(pilot, "None of these")
        await pilot.press("ctrl+b")
        await pilot.pause()
        box = app.screen.query_one("#answer", Input)
        assert box.value == "None of these"
        await pilot.press("!")  # typing goes on at the end, replacing nothing
        assert box.value == "None of these!"


# -- answers as typed on the phone ------------------------------------------------------


def test_an_age_below_the_range_that_a_terminate_covers_terminates(defn) -> None:
    age = defn.question("age")
    assert validate_answer(age, "11") == 11
    outcome = evaluate(defn, {"industry": ["None of these"], "last_research": "Never", "age": 11})
    assert (outcome.status, outcome.terminate_reason) == ("terminated", "under age")
    with pytest.raises(AnswerError):
        validate_answer(age, "150")  # above the range, and no terminate covers it


def test_grid_labels_with_spaces_are_given_in_order_with_commas(defn) -> None:
    grid = defn.question("attitudes")
    typed = "Strongly agree, agree, Neither, Strongly disagree, 4, disagree"
    assert list(validate_answer(grid, typed).values()) == [5, 4, 3, 1, 4, 2]
    assert list(validate_answer(grid, "5 4 3 1 4 2").values()) == [5, 4, 3, 1, 4, 2]


def test_a_ranking_takes_numbers_separated_by_spaces(defn) -> None:
    ranking = defn.question("rank_features")
    assert validate_answer(ranking, "1 5 4 3 2") == validate_answer(ranking, "1, 5, 4, 3, 2")
    assert validate_answer(ranking, "1 5 4 3 2")[1] == "The ritual of making it"
    with pytest.raises(AnswerError):
        validate_answer(ranking, "1 5 4 3")
