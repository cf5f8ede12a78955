"""Decisions and the explanations behind them (issue 13 §2): an override is asked for and
recorded, every reason says what the fill and the recruiter actually did, and the recruit
screen shows the whole reason of the selected person at 100×30 and at 80×24."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_tui_recruit import move_to, open_recruit, rows, score_in_store
from textual.widgets import DataTable, Input

from ideation.cli import cli
from ideation.demo import build_demo
from ideation.live.clock import FakeClock
from ideation.paths import shipped_file
from ideation.records import Decision, Flag, Score
from ideation.screening.desk import OverrideNeeded, RecruitDesk
from ideation.screening.quotas import Candidate, fill_quotas
from ideation.screening.recruits import (
    EXPLAIN_LINE_CHARS,
    explain_respondent,
    write_recruits,
)
from ideation.screening.screener_yaml import load_screener, parse_screener
from ideation.store import Store
from ideation.tui.app import IdeationApp
from ideation.tui.dialogs import AskScreen, ConfirmScreen
from ideation.tui.recruit import RecruitScreen

SCREENER = shipped_file("screeners", "home-coffee.yaml")


@pytest.fixture
def desk(demo_desk: RecruitDesk) -> RecruitDesk:
    return demo_desk


def view_of(desk: RecruitDesk, external_id: str):
    return next(v for v in desk.assessment().candidates if v.respondent.external_id == external_id)


# -- the override ---------------------------------------------------------------------


def test_accepting_a_terminated_or_excluded_person_needs_an_override(
    desk: RecruitDesk, store: Store
) -> None:
    terminated = desk.find("R002")  # terminated: industry security
    for decision in (Decision.ACCEPTED, Decision.STANDBY):
        with pytest.raises(OverrideNeeded) as refused:
            desk.decide(terminated, decision, "the client knows her")
        assert str(refused.value) == (
            f"R002 was terminated (industry security); {decision.shown} only as an override"
        )
    assert store.respondent(terminated.id).decision is Decision.UNDECIDED  # nothing written
    excluded = desk.find("R021")  # gibberish open-ends: an excluding flag
    with pytest.raises(OverrideNeeded, match="R021 was flagged gibberish"):
        desk.decide(excluded, Decision.ACCEPTED, "call to check")
    # A rejection overrules nothing, and an eligible person needs no override.
    assert desk.decide(terminated, Decision.REJECTED, "as the rules say").override is False
    assert desk.decide(desk.find("R024"), Decision.ACCEPTED, "top").override is False

    decided = desk.decide(terminated, Decision.ACCEPTED, "the client knows her", override=True)
    assert decided.override and decided.overruled == ("terminated (industry security)",)
    stored = store.respondent(terminated.id)
    assert stored.decision_override == "terminated (industry security)"
    assert "an override of: terminated (industry security)" in explain_respondent(
        store, stored, desk.defn
    )
    # Deciding again without anything overruled clears the record.
    desk.decide(terminated, Decision.REJECTED, "changed my mind")
    assert store.respondent(terminated.id).decision_override == ""


def test_an_explanation_keeps_each_line_readable(store: Store, desk: RecruitDesk) -> None:
    """An answer pasted thousands of characters long, or one with line breaks and escape
    codes, must not make `explain` print a line no one can read."""
    person = desk.find("R001")
    pasted = "x" * 8000 + " the end"
    creativity = Score(
        person.id, "creativity", 50.0, {"summary": [f"rare: “{pasted}” (rarer than 99%)"]}
    )
    flag = Flag(person.id, "gibberish", "mug_uses: “a\nb\x1b[2J”")
    text = explain_respondent(store, person, scores={"creativity": creativity}, flags=[flag])
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= EXPLAIN_LINE_CHARS
    assert any(line.startswith("  rare: “xxx") and line.endswith("…") for line in lines)
    assert "flag gibberish: mug_uses: “a b[2J”" in lines


def test_an_unscored_terminate_cannot_be_accepted_without_an_override(
    store: Store,
) -> None:
    build_demo(store)  # imported, never scored: the stored status is still "complete"
    desk = RecruitDesk(store, load_screener(SCREENER), FakeClock())
    with pytest.raises(OverrideNeeded, match="R002 was terminated"):
        desk.decide(desk.find("R002"), Decision.ACCEPTED, "looks fine")


def test_the_override_shows_in_the_list_explanation_and_after_the_fill(
    desk: RecruitDesk, store: Store, tmp_path: Path
) -> None:
    desk.decide(desk.find("R002"), Decision.ACCEPTED, "the client knows her", override=True)
    desk.decide(desk.find("R003"), Decision.REJECTED, "cannot make the date")
    desk.apply_fill()
    overridden = view_of(desk, "R002")
    assert overridden.suggestion_reason != "fills the quotas in rank order"
    assert overridden.suggestion_reason == (
        "accepted by the recruiter as an override of: terminated (industry security); holds a place"
    )
    rejected = view_of(desk, "R003")
    assert rejected.suggestion_reason == "rejected by the recruiter: cannot make the date"
    out = tmp_path / "recruits.csv"
    write_recruits(store, desk.defn, desk.assessment(), out)
    listed = {r["respondent"]: r for r in csv.DictReader(out.read_text("utf-8-sig").splitlines())}
    assert listed["R002"]["decision_override"] == "terminated (industry security)"
    assert listed["R002"]["suggestion_reason"] == overridden.suggestion_reason
    assert listed["R003"]["suggestion_reason"] == "rejected by the recruiter: cannot make the date"
    assert listed["R024"]["decision_override"] == ""


def test_decide_on_the_command_line_refuses_then_records_the_override(
    tmp_path: Path, fake_embedder
) -> None:
    db = tmp_path / "study.db"
    with Store(db) as store:
        build_demo(store)
        RecruitDesk(store, load_screener(SCREENER), FakeClock()).score(fake_embedder)
    runner = CliRunner()
    base = ["decide", str(SCREENER), "R002", "accept", "--reason", "known", "--db", str(db)]
    refused = runner.invoke(cli, base)
    assert refused.exit_code == 2
    assert refused.output == (
        "Error: R002 was terminated (industry security); accepted only as an override:"
        " add --override if you mean it\n"
    )
    with Store(db) as store:
        assert {r.external_id: r for r in store.respondents(1)}["R002"].decision == ""
    accepted = runner.invoke(cli, [*base, "--override"])
    assert accepted.exit_code == 0, accepted.output
    assert "override recorded: R002 was terminated (industry security)" in accepted.output
    explained = runner.invoke(cli, ["explain", str(SCREENER), "R002", "--db", str(db)])
    assert "an override of: terminated (industry security)" in explained.output


# -- the standby explanation ----------------------------------------------------------

BANDS = """\
screener: bands
target: {participants: 4, standbys: 3}
quotas:
  - name: band
    question: band
    cells:
      young: {min: 1, max: 2}
      old: {min: 1, max: 2}
questions:
  - id: band
    type: single_choice
    text: Which band?
    options: [young, old, other]
"""


def test_a_standby_place_given_below_someone_is_never_called_a_full_list() -> None:
    """Ranks 3-8 are young, and young is full: the standby places go to the "other"
    people ranked below them, so their reason must say that, not "list full"."""
    defn = parse_screener(BANDS)
    candidates = [
        Candidate(f"c{i:02d}", {"band": band}, 100 - i)
        for i, band in enumerate(["young", "young", *["young"] * 6, "old", *["other"] * 6])
    ]
    result = fill_quotas(defn, candidates)
    assert result.standbys == ("c10", "c11", "c12")  # the first "other"s after the accepts
    reasons = {u.id: u.reason for u in result.unplaced}
    assert reasons["c02"] == (
        "band young full (2/2); standby places went to lower-ranked people within the"
        " quotas (band young 2/2)"
    )
    assert reasons["c13"] == "all 4 places taken; standby list full (3/3)"


@pytest.mark.parametrize("seed", range(40))
def test_every_standby_reason_matches_what_the_fill_did(seed: int) -> None:
    """On random fills: "standby list full" only when every standby ranks above, and
    "went to lower-ranked people" only when one ranks below."""
    rng = random.Random(seed)
    defn = parse_screener(BANDS.replace("standbys: 3", f"standbys: {rng.randint(1, 4)}"))
    candidates = [
        Candidate(
            f"c{i:02d}",
            {"band": rng.choice(["young", "old", "other"])},
            rng.randint(0, 50),
            eligible=rng.random() > 0.1,
            standby_only=rng.random() < 0.1,
        )
        for i in range(rng.randint(5, 25))
    ]
    result = fill_quotas(defn, candidates)
    order = [c.id for c in sorted(candidates, key=lambda c: (-c.rank_score, c.id))]
    position = {who: n for n, who in enumerate(order)}
    asked = {c.id for c in candidates if c.standby_only}
    fill_own = [s for s in result.standbys if s not in asked]
    for unplaced in result.unplaced:
        below = [s for s in fill_own if position[s] > position[unplaced.id]]
        if "standby list full" in unplaced.reason:
            assert not below, (unplaced, result.standbys)
        if "went to lower-ranked people" in unplaced.reason:
            assert below, (unplaced, result.standbys)


# -- the recruit screen ---------------------------------------------------------------


def screen_text(app) -> str:
    """What the terminal shows, as lines of plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def unwrapped(text: str) -> str:
    return " ".join(" ".join(text.split("\n")).split())


@pytest.fixture
def demo_db(db_path: Path) -> Path:
    with Store(db_path) as store:
        build_demo(store)
    score_in_store(db_path)
    return db_path


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
async def test_the_whole_reason_of_the_selected_row_is_on_screen(
    demo_db: Path, size: tuple[int, int]
) -> None:
    app = IdeationApp(demo_db, embedder=False)
    async with app.run_test(size=size) as pilot:
        screen = await open_recruit(pilot)
        table = screen.query_one("#candidates", DataTable)
        longest = max(screen.rows, key=lambda row: len(row.view.suggestion_reason))
        reason = longest.view.suggestion_reason
        assert len(reason) > 60  # longer than the Why column can show at either size
        await move_to(pilot, table, longest.respondent.external_id)
        shown = screen_text(app)
        assert reason[:40] not in "".join(rows(table)[0][9:])  # not merely the column
        assert reason in unwrapped(shown), shown
        if size[0] >= 100:
            footer = shown.splitlines()[-1]
            for key in ("Accept", "Standby", "Reject", "Fill", "Invite", "Undecide"):
                assert key in footer, footer


async def test_the_screen_asks_for_a_yes_before_an_override(demo_db: Path) -> None:
    app = IdeationApp(demo_db, embedder=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_recruit(pilot)
        table = screen.query_one("#candidates", DataTable)
        await move_to(pilot, table, "R002")  # terminated: industry security
        for answer in ("n", "y"):
            await pilot.press("a")
            await pilot.pause()
            assert isinstance(app.screen, AskScreen)
            app.screen.query_one("#answer", Input).value = "the client knows her"
            await pilot.press("enter")
            await pilot.pause()
            confirm = app.screen
            assert isinstance(confirm, ConfirmScreen)
            assert confirm.question == (
                "R002 was terminated (industry security). Accept all the same?"
                " It is recorded as an override."
            )
            await pilot.press(answer)
            await pilot.pause()
            assert isinstance(app.screen, RecruitScreen)
            with Store(demo_db) as store:
                r2 = {r.external_id: r for r in store.respondents(1)}["R002"]
            if answer == "n":
                assert r2.decision is Decision.UNDECIDED
        assert (r2.decision, r2.decision_override) == (
            Decision.ACCEPTED,
            "terminated (industry security)",
        )
        assert "as an override of: terminated (industry security)" in unwrapped(screen_text(app))
        # Deciding again starts from the recruiter's own reason, never a quoted decision.
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.query_one("#answer", Input).value == "the client knows her"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.query_one("#answer", Input).value == ""
