"""The recruit desk: the one place decisions, the quota fill and invitations are made."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from ideation.cli import cli
from ideation.demo import build_demo
from ideation.live.clock import FakeClock
from ideation.live.plan import parse_plan
from ideation.live.session import start_session
from ideation.paths import shipped_file
from ideation.records import DECISION_WORDS, Decision
from ideation.screening import desk as desk_module
from ideation.screening.desk import NotScored, ReasonNeeded, RecruitDesk
from ideation.screening.screener_yaml import load_screener
from ideation.store import Store

PLAN = """
name: Brewline session
brief:
  problem_as_given: How might we make mornings better?
agenda:
  - {title: Brainstorm, technique: brainstorm, minutes: 10}
participants:
  - name: Maya
"""


@pytest.fixture
def defn():
    return load_screener(shipped_file("screeners", "home-coffee.yaml"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def desk(store: Store, defn, clock: FakeClock) -> RecruitDesk:
    build_demo(store)
    return RecruitDesk(store, defn, clock)


def test_each_decision_word_maps_once_and_back() -> None:
    assert DECISION_WORDS == ("accept", "standby", "reject", "undecided")
    for word in DECISION_WORDS:
        assert Decision.from_word(word).word == word
    assert Decision.from_word("reject") is Decision.REJECTED
    assert Decision.from_word("undecided") == ""  # stored as before: "" is undecided
    assert Decision.UNDECIDED.shown == "undecided" and Decision.STANDBY.shown == "standby"
    assert [Decision.from_suggestion(s) for s in ("accept", "standby", "")] == [
        Decision.ACCEPTED,
        Decision.STANDBY,
        Decision.REJECTED,
    ]
    with pytest.raises(ValueError, match="expected one of accept, standby"):
        Decision.from_word("maybe")


def test_a_rejection_needs_a_reason_at_the_desk_and_in_the_store(
    desk: RecruitDesk, store: Store
) -> None:
    someone = desk.find("R003")
    with pytest.raises(ReasonNeeded) as caught:
        desk.decide(someone, Decision.REJECTED, "   ")
    assert str(caught.value) == "R003: a rejection needs a reason, for the record"
    with pytest.raises(ValueError, match="needs a reason"):
        store.set_decision(someone.id, "rejected", "")
    with pytest.raises(ValueError, match="needs a reason"):
        store.set_decisions([(someone.id, Decision.REJECTED, " ")])
    assert store.respondent(someone.id).decision is Decision.UNDECIDED
    decided = desk.decide(someone, Decision.REJECTED, " cannot make the date ")
    assert decided.respondent.decision is Decision.REJECTED
    assert decided.respondent.decision_reason == "cannot make the date"
    assert decided.overruled == ()


def test_accepting_over_a_terminate_says_what_it_overrules(
    desk: RecruitDesk, fake_embedder
) -> None:
    desk.score(fake_embedder)
    terminated = desk.find("R002")  # someone in the household works in marketing
    decided = desk.decide(terminated, Decision.ACCEPTED, "the client knows her", override=True)
    assert decided.respondent.decision is Decision.ACCEPTED
    assert decided.overruled == ("terminated (industry security)",)
    flagged = desk.find("R021")  # gibberish open-ends: excluded
    on_standby = desk.decide(flagged, Decision.STANDBY, "call to check", override=True)
    assert {o.split(":")[0] for o in on_standby.overruled} == {"flagged gibberish"}
    assert desk.decide(terminated, Decision.REJECTED, "no after all").overruled == ()


def test_apply_fill_decides_the_undecided_and_logs_it(
    desk: RecruitDesk, store: Store, fake_embedder
) -> None:
    with pytest.raises(NotScored, match="40 undecided people not scored yet"):
        desk.apply_fill()
    assert "quota fill" not in " ".join(a.what for a in store.recent_activity())
    desk.score(fake_embedder)
    desk.decide(desk.find("R001"), Decision.STANDBY, "holiday that week")
    plan = desk.fill_plan()
    assert (plan.undecided, plan.unscored) == (39, ())
    assert plan.accept == 6 and plan.accept + plan.standby + plan.reject == 39
    assert desk.apply_fill() == 39
    assert desk.apply_fill() == 0  # decisions already made stay
    logged = [a.what for a in store.recent_activity() if "quota fill applied" in a.what]
    assert logged == [
        f"Screener “{desk.defn.title}”: quota fill applied — 6 accepted,"
        f" {plan.standby} standby, {plan.reject} rejected"
    ]
    people = {v.respondent.external_id: v.respondent for v in desk.assessment().candidates}
    assert people["R001"].decision_reason == "holiday that week"
    assert all(p.decision for p in people.values())
    rejected = [p for p in people.values() if p.decision is Decision.REJECTED]
    assert rejected and all(p.decision_reason.strip() for p in rejected)


class UnusedModel:
    """Stands in for the model: knows its id, refuses to be asked for vectors."""

    model_id = "stand-in"

    def embed(self, texts, progress=None):
        raise AssertionError("the model was used")


class AnotherModel(UnusedModel):
    model_id = "another"


def test_ranking_reads_the_stored_assessment_until_something_it_read_changes(
    desk: RecruitDesk, store: Store, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    scored = []
    real_assess = desk_module.assess
    monkeypatch.setattr(
        desk_module, "assess", lambda *a, **k: scored.append(1) or real_assess(*a, **k)
    )
    fake_embedder.model_id = UnusedModel.model_id
    first = desk.ranked(fake_embedder)
    assert len(scored) == 1
    again = desk.ranked(UnusedModel())  # nothing changed: no scoring, no model
    assert len(scored) == 1
    assert [(v.respondent.id, v.rank, v.suggestion) for v in again.candidates] == [
        (v.respondent.id, v.rank, v.suggestion) for v in first.candidates
    ]
    desk.decide(desk.find("R003"), Decision.ACCEPTED, "a decision is not a change of data")
    desk.ranked(UnusedModel())
    assert len(scored) == 1
    store.add_respondent(desk.screener.id, "N001", {"industry": ["None of these"]})
    desk.ranked(fake_embedder)  # a new respondent: scored again
    assert len(scored) == 2
    desk.ranked(fake_embedder)
    assert len(scored) == 2
    with pytest.raises(AssertionError, match="the model was used"):
        desk.ranked(AnotherModel())  # another model: scored again
    assert len(scored) == 3


def test_screen_apply_does_not_score_or_load_the_model_again(
    tmp_path: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "study.db"
    with Store(db) as store:
        build_demo(store)
    loaded: list[object] = []

    class Embedder:
        model_id = "fake-bag-of-words"

        def __init__(self, path: object = None) -> None:
            loaded.append(path)

        def embed(self, texts, progress=None):
            return fake_embedder.embed(texts, progress)

    monkeypatch.setattr("ideation.analysis.embed.SentenceTransformerEmbedder", Embedder)
    scored = []
    real_assess = desk_module.assess
    monkeypatch.setattr(
        desk_module, "assess", lambda *a, **k: scored.append(1) or real_assess(*a, **k)
    )
    screener = str(shipped_file("screeners", "home-coffee.yaml"))
    runner = CliRunner()
    first = runner.invoke(cli, ["screen", screener, "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert len(scored) == 1 and fake_embedder.calls
    calls = len(fake_embedder.calls)
    applied = runner.invoke(cli, ["screen", screener, "--apply", "--db", str(db)])
    assert applied.exit_code == 0, applied.output
    assert "40 decisions recorded" in applied.output
    assert len(scored) == 1 and len(fake_embedder.calls) == calls  # the stored assessment
    with Store(db) as store:
        logged = [a.what for a in store.recent_activity() if "quota fill applied" in a.what]
        assert len(logged) == 1  # the command line logs the fill as the screen does
        decisions = [r.decision for r in store.respondents(store.screeners()[0].id)]
    assert decisions.count(Decision.ACCEPTED) == 6


def test_cli_decide_goes_through_the_desk(tmp_path: Path) -> None:
    db = tmp_path / "study.db"
    with Store(db) as store:
        build_demo(store)
    screener = str(shipped_file("screeners", "home-coffee.yaml"))
    runner = CliRunner()
    refused = runner.invoke(cli, ["decide", screener, "R003", "reject", "--db", str(db)])
    assert refused.exit_code == 2 and refused.output.count("\n") == 1
    assert "R003: a rejection needs a reason, for the record; give one with --reason" in (
        refused.output
    )
    undecided = runner.invoke(cli, ["decide", screener, "R003", "undecided", "--db", str(db)])
    assert undecided.exit_code == 0 and "R003: undecided" in undecided.output
    with Store(db) as store:
        assert store.respondents(store.screeners()[0].id)[2].decision is Decision.UNDECIDED


def test_invitations_and_plan_names_take_one_path(
    desk: RecruitDesk, store: Store, fake_embedder, clock: FakeClock
) -> None:
    desk.score(fake_embedder)
    desk.apply_fill()
    session = start_session(store, parse_plan(PLAN, "recruit.yaml"))
    clock.advance(60)
    invitation = desk.invite(session.id)
    assert len(invitation.joined) == 6 and invitation.from_plan
    assert "Maya" in invitation.from_plan
    taken_out = desk.take_out_plan_names(session.id)
    assert "Maya" in taken_out
    labels = [p.label for p in store.participants(session.id)]
    assert "Maya" not in [p.label for p in store.participants(session.id) if not p.respondent_id]
    assert len(labels) == len({label.casefold() for label in labels})
    people = {p.person_id for p in store.participants(session.id) if p.person_id}
    history = store.db.execute(
        "SELECT DISTINCT took_part_at FROM participation_history WHERE person_id IN"
        f" ({', '.join('?' * len(people))})",
        list(people),
    ).fetchall()
    assert history == [(clock.now(),)]  # the desk's clock dates the history


def test_a_name_two_participants_share_is_reported(
    desk: RecruitDesk, store: Store, fake_embedder
) -> None:
    desk.score(fake_embedder)
    desk.apply_fill()
    first = next(
        v.respondent for v in desk.assessment().candidates if v.respondent.decision == "accepted"
    )
    name = store.contact(first.id).name.split()[0]
    session = start_session(store, parse_plan(PLAN.replace("Maya", "Lee"), "recruit.yaml"))
    invitation = desk.invite(session.id)
    assert invitation.clashes == ()
    store.add_participant(session.id, name)  # typed by hand afterwards, same first name
    again = desk.invite(session.id)
    assert again.clashes == (name,) and again.joined == ()


def test_the_stored_assessment_takes_the_same_few_queries_however_many_people(
    store: Store, defn, clock: FakeClock, fake_embedder
) -> None:
    build_demo(store)
    desk = RecruitDesk(store, defn, clock)
    desk.score(fake_embedder)

    def statements() -> int:
        seen: list[str] = []
        connection: sqlite3.Connection = store.db.conn
        connection.set_trace_callback(seen.append)
        try:
            desk.assessment()
        finally:
            connection.set_trace_callback(None)
        return len(seen)

    forty = statements()
    template = desk.find("R001")
    for n in range(60):
        added = store.add_respondent(
            desk.screener.id, f"X{n:03d}", dict(template.answers), source="test"
        )
        assert added is not None
    desk.score(fake_embedder)
    assert statements() == forty <= 6


def test_a_place_accepted_before_a_flag_arrived_is_not_invited(
    desk: RecruitDesk, store: Store, fake_embedder
) -> None:
    """Accepted before scoring, then flagged by it: the accept overruled nothing when it
    was made, so it cannot seat someone the flag now excludes."""
    early = desk.decide(desk.find("R021"), Decision.ACCEPTED)  # gibberish, not scored yet
    assert early.overruled == ()
    desk.score(fake_embedder)
    assert {u.partition(":")[0] for u in desk.unbacked(desk.find("R021"))} == {"flagged gibberish"}
    session = start_session(store, parse_plan(PLAN, "recruit.yaml"))
    invitation = desk.invite(session.id)
    assert invitation.joined == () and invitation.held_back[0].startswith("R021: flagged gibberish")
    assert "not invited, as their decision no longer stands: R021" in str(invitation)
    desk.decide(desk.find("R021"), Decision.ACCEPTED, "phoned: real answers", override=True)
    assert desk.unbacked(desk.find("R021")) == ()
    assert len(desk.invite(session.id).joined) == 1


def test_the_fill_waits_for_a_stopped_run_to_be_scored_again(
    desk: RecruitDesk, fake_embedder
) -> None:
    """A run stopped while saving leaves scores of two runs side by side."""
    desk.score(fake_embedder)
    assert desk.fill_plan().current

    def stop(stage: str, done: int, total: int) -> None:
        if stage == "saving":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        desk.score(fake_embedder, stop)
    assert not desk.fill_plan().current
    with pytest.raises(NotScored, match="from a run that was stopped"):
        desk.apply_fill()
    desk.score(fake_embedder)
    assert desk.apply_fill() == 40


def test_accepting_and_inviting_past_the_places_says_so(
    desk: RecruitDesk, store: Store, fake_embedder
) -> None:
    desk.score(fake_embedder)
    desk.apply_fill()  # 6 accepted for 6 places
    extra = next(
        v.respondent
        for v in desk.assessment().candidates
        if v.eligible and v.respondent.decision is not Decision.ACCEPTED
    )
    decided = desk.decide(extra, Decision.ACCEPTED, "the client asked for her")
    assert decided.over_places == "7 accepted for 6 places"
    assert desk.decide(extra, Decision.STANDBY).over_places == ""  # only accepts say it
    desk.decide(extra, Decision.ACCEPTED)
    session = start_session(store, parse_plan(PLAN, "recruit.yaml"))
    invitation = desk.invite(session.id)
    assert len(invitation.joined) == 7 and "7 joined" in str(invitation)
    assert "(7 accepted for 6 places)" in str(invitation)
