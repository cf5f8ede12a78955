"""The recruit pipeline end to end: import, assess, rank, decide, invite, past participation."""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from ideation.analysis.embed import SentenceTransformerEmbedder
from ideation.cli import cli
from ideation.demo import build_demo
from ideation.errors import IdeationError
from ideation.live.clock import SystemClock
from ideation.live.plan import load_plan
from ideation.live.session import start_session
from ideation.paths import shipped_file
from ideation.records import Contact
from ideation.screening.desk import NotScored, RecruitDesk
from ideation.screening.pipeline import administer, assess, import_responses
from ideation.screening.recruits import shortfall
from ideation.screening.responses import ResponseFileError
from ideation.screening.screener_yaml import load_screener
from ideation.store import Store

DATA = Path(__file__).parent / "data"


@pytest.fixture
def defn():
    return load_screener(shipped_file("screeners", "home-coffee.yaml"))


def desk_for(store: Store, defn) -> RecruitDesk:
    return RecruitDesk(store, defn, SystemClock())


def test_demo_respondents_are_terminated_flagged_and_ranked(
    store: Store, defn, fake_embedder
) -> None:
    build_demo(store)
    result = assess(store, defn, fake_embedder)
    by_id = {v.respondent.external_id: v for v in result.candidates}
    terminated = {k for k, v in by_id.items() if v.respondent.status == "terminated"}
    assert terminated == {"R002", "R012", "R023", "R032", "R014", "R026", "R009", "R017", "R031"}
    assert by_id["R002"].respondent.terminate_reason == "industry security"
    assert by_id["R002"].rank is None and by_id["R002"].composite is None
    assert "gibberish" in by_id["R021"].excluded_by
    assert "duplicate_respondent" in by_id["R029"].excluded_by
    assert {"R016", "R027"} <= {
        k for k, v in by_id.items() if "duplicate_open_end" in v.excluded_by
    }
    assert by_id["R006"].rank is not None and "speeder" in {f.kind for f in by_id["R006"].flags}
    ranked = [v for v in result.candidates if v.rank is not None]
    assert [v.rank for v in ranked] == list(range(1, len(ranked) + 1))
    assert all(a.composite >= b.composite for a, b in zip(ranked, ranked[1:], strict=False))
    assert sum(v.suggestion == "accept" for v in result.candidates) == 6
    assert sum(v.suggestion == "standby" for v in result.candidates) == 3
    for cell in result.cells:
        assert cell.min <= cell.filled <= cell.max
    stored = store.scores(by_id["R007"].respondent.id)
    assert {"involvement", "creativity", "composite", "fluency", "originality"} <= set(stored)
    assert stored["involvement"].explanation["parts"]
    again = desk_for(store, defn).assessment()
    assert [v.respondent.id for v in again.candidates] == [
        v.respondent.id for v in result.candidates
    ]
    assert [(v.rank, v.suggestion, v.suggestion_reason, v.flags) for v in again.candidates] == [
        (v.rank, v.suggestion, v.suggestion_reason, v.flags) for v in result.candidates
    ]


class RecordingEmbedder:
    """The real model, keeping every batch of texts it was asked for."""

    def __init__(self) -> None:
        self.inner = SentenceTransformerEmbedder()
        self.calls: list[list[str]] = []

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def embed(self, texts, progress=None):
        self.calls.append(list(texts))
        return self.inner.embed(texts, progress)


def test_a_list_pasted_in_another_order_is_flagged_without_embedding_lists_again(
    store: Store, defn
) -> None:
    build_demo(store)
    screener = store.find_screener(defn.name)
    maya = next(r for r in store.respondents(screener.id) if r.external_id == "R001")
    ideas = maya.answers["mug_uses"].strip().splitlines()
    copies = {
        "B901": "\n".join(reversed(ideas)),  # the same list, pasted in another order
        "B902": "\n".join(f"- {idea}" for idea in ideas).replace("pen holder", "pen holdr"),
    }
    padded = {  # one short idea each, padded past the minimum length with non-answers
        "B903": "pen holder\nidk\nnothing\nno idea\nn/a\nnone",
        "B904": "- pen holder\n- don't know\n- not sure\n- no idea",
    }
    animals = ["A hedgehog, prickly until it trusts you.", "A heron", "A mole", "A lark"]
    wishes = ["Coffee that is ready when my alarm goes.", "A cup in bed", "Quiet", "A view"]
    for n, (external_id, mug_uses) in enumerate((copies | padded).items()):
        answers = dict(maya.answers) | {
            "mug_uses": mug_uses,
            "brand_animal": animals[n],
            "morning_wish": wishes[n],
        }
        store.add_respondent(
            screener.id, external_id, answers, contact=Contact(0, external_id), source="test"
        )
    embedder = RecordingEmbedder()

    result = assess(store, defn, embedder)

    by_id = {v.respondent.external_id: v for v in result.candidates}
    for external_id in copies:
        reasons = [f.reason for f in by_id[external_id].flags if f.kind == "duplicate_open_end"]
        assert len(reasons) == 1 and reasons[0].startswith("nearly the same answer to mug_uses")
        assert "R001" in reasons[0]
    for external_id in ("R003", *padded):
        assert "duplicate_open_end" not in {f.kind for f in by_id[external_id].flags}
    whole_lists = {text for call in embedder.calls for text in call if "\n" in text}
    assert whole_lists == set()  # lists are judged by their ideas, embedded once


def test_decisions_invitation_and_past_participation(store: Store, defn, fake_embedder) -> None:
    build_demo(store)
    desk = desk_for(store, defn)
    first = desk.score(fake_embedder)
    assert desk.apply_fill() == 40
    desk.score(fake_embedder)
    assert desk.apply_fill() == 0
    session = start_session(store, load_plan(shipped_file("sessions", "sprint-90.yaml")), "Next")
    joined = desk.invite(session.id).joined
    assert len(joined) == 6
    from_screener = [p for p in store.participants(session.id) if p.respondent_id]
    assert len(from_screener) == 6 and all(p.person_id for p in from_screener)
    again = desk.invite(session.id)  # invited once
    assert again.joined == () and again.already == joined
    assert str(again).startswith("0 joined; already in the session: " + ", ".join(joined))
    assert "Maya" in again.from_plan and "also in it from the plan" in str(again)
    tom = next(p for p in store.participants(session.id) if p.label == "Tom")
    store.add_idea(session.id, "a mug that tells you when it is cool enough", participant_id=tom.id)
    replaced = desk.invite(session.id, replace_plan_names=True)
    assert "Maya" in replaced.replaced and "Tom" not in replaced.replaced  # Tom has spoken
    left = {p.label for p in store.participants(session.id) if p.respondent_id is None}
    assert left == {"Tom", "Hanna"}  # Tom has spoken; Hanna is the problem owner, not a seat
    labels = [p.label for p in store.participants(session.id)]
    assert len(labels) == len({label.casefold() for label in labels})  # `Tom:` stays unique
    rescored = {v.respondent.external_id: v for v in assess(store, defn, fake_embedder).candidates}
    assert not any("past_participation" in v.excluded_by for v in rescored.values())
    recontacted = store.upsert_screener("tea", "Tea lovers", "screener: tea\n")
    accepted = next(v for v in first.candidates if v.suggestion == "accept")
    contact = store.contact(accepted.respondent.id)
    from ideation.records import Attendance, Contact

    store.add_respondent(recontacted.id, "T1", {}, contact=Contact(0, "x", contact.email.upper()))
    mine = accepted.respondent.id
    seat = next(p for p in store.participants(session.id) if p.respondent_id == mine)
    store.mark_attendance(session.id, seat.id, Attendance.ATTENDED, desk.clock.now())  # only
    tea = replace_name(defn, "tea")  # attendance counts as taking part
    flagged = {v.respondent.external_id: v for v in assess(store, tea, fake_embedder).candidates}
    assert "past_participation" in {f.kind for f in flagged["T1"].flags}


def replace_name(defn, name: str):
    return replace(defn, name=name, study="Tea study")


def test_import_is_all_or_nothing_and_never_twice(store: Store, defn, tmp_path: Path) -> None:
    export = DATA / "qualtrics_home_coffee.csv"
    first = import_responses(store, defn, export)
    assert first.format == "qualtrics" and first.added >= 5 and first.already == 0
    second = import_responses(store, defn, export)
    assert second.added == 0 and second.already == first.added
    before = store.count_respondents()
    for bad in ("bad_number.csv", "bad_qualtrics_option.csv", "bad_unclosed_quote.csv"):
        with pytest.raises(ResponseFileError) as caught:
            import_responses(store, defn, DATA / bad)
        assert "\n" not in str(caught.value) and bad in str(caught.value)
    assert store.count_respondents() == before


def test_an_interview_is_saved_whole(store: Store, defn) -> None:
    answers = {"industry": ["Market research"]}
    saved = administer(store, defn, "I001", answers)
    assert (saved.status, saved.terminate_reason) == ("terminated", "industry security")
    with pytest.raises(IdeationError, match="already"):
        administer(store, defn, "I001", answers)


def test_screen_command_writes_a_list_without_contacts(tmp_path: Path) -> None:
    db = tmp_path / "study.db"
    runner = CliRunner()
    screener = str(shipped_file("screeners", "home-coffee.yaml"))
    export = tmp_path / "export.csv"
    shutil.copy(DATA / "qualtrics_home_coffee.csv", export)
    out = tmp_path / "recruits.csv"
    result = runner.invoke(
        cli, ["screen", screener, str(export), "--out", str(out), "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    assert "qualtrics export" in result.output and "no contact details" in result.output
    text = out.read_text(encoding="utf-8-sig")
    assert "@example.com" not in text
    rows = list(csv.DictReader(text.splitlines()))
    assert rows and {"rank", "composite", "flags", "suggestion"} <= set(rows[0])
    maya = next(r for r in rows if r["respondent"] == "R_1OwhT3kLmQpZb7x")
    assert (maya["quota: age band"], maya["quota: gender"]) == ("18-34", "Woman")
    assert "short: " in result.output and "of 6 places can be filled" in result.output
    with_contacts = tmp_path / "with.csv"
    result = runner.invoke(
        cli,
        ["screen", screener, "--out", str(with_contacts), "--include-contacts", "--db", str(db)],
    )
    assert result.exit_code == 0 and "@example.com" in with_contacts.read_text("utf-8-sig")
    someone = rows[0]["respondent"]
    explained = runner.invoke(cli, ["explain", screener, someone, "--db", str(db)])
    assert explained.exit_code == 0 and "involvement" in explained.output
    decided = runner.invoke(cli, ["decide", screener, someone, "accept", "--db", str(db)])
    assert decided.exit_code == 0 and "accepted" in decided.output
    terminated = next(r["respondent"] for r in rows if r["status"] == "terminated")
    refused = runner.invoke(cli, ["decide", screener, terminated, "accept", "--db", str(db)])
    assert refused.exit_code == 2 and "add --override if you mean it" in refused.output
    overruled = runner.invoke(
        cli, ["decide", screener, terminated, "accept", "--override", "--db", str(db)]
    )
    assert overruled.exit_code == 0
    assert (
        f"override recorded: {terminated} was terminated (industry security); accepted"
        in overruled.output
    )
    why = runner.invoke(cli, ["explain", screener, terminated, "--db", str(db)])
    assert why.exit_code == 0 and "industry: answered “Marketing or advertising; " in why.output
    no_reason = runner.invoke(cli, ["decide", screener, someone, "reject", "--db", str(db)])
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    short = runner.invoke(cli, ["explain", screener, someone[:8], "--db", str(db)])
    assert short.exit_code == 2 and f"did you mean '{someone}'?" in short.output
    assert len(someone) > 10 and someone in result.output  # the table shows whole ids
    bad = runner.invoke(cli, ["screen", screener, str(DATA / "bad_number.csv"), "--db", str(db)])
    assert bad.exit_code == 2 and bad.output.count("\n") == 1
    nowhere = tmp_path / "no-such-folder" / "recruits.csv"
    monkey = ["screen", screener, str(DATA / "surveymonkey.csv"), "--out", str(nowhere)]
    refused = runner.invoke(cli, [*monkey, "--db", str(db)])
    assert refused.exit_code == 2 and "does not exist" in refused.output
    with Store(db) as store:  # refused before anything was imported
        assert store.count_respondents(store.find_screener("home-coffee").id) == len(rows)
    monkey_in = runner.invoke(cli, [*monkey[:3], "--db", str(db)])
    assert monkey_in.exit_code == 0, monkey_in.output
    assert "questions with no column" in monkey_in.output and "age_band" in monkey_in.output


def test_a_shortfall_is_said_under_the_table(store: Store, defn, fake_embedder) -> None:
    build_demo(store)
    result = assess(store, defn, fake_embedder)
    assert shortfall(result, defn.target_participants) == []  # the demo fills
    few = replace(result, candidates=result.candidates[:3])
    cells = tuple(replace(c, filled=0) if c.cell == "Man" else c for c in result.cells)
    lines = shortfall(replace(few, cells=cells), defn.target_participants)
    placed = sum(v.suggestion == "accept" for v in few.candidates)
    assert lines == [
        f"short: {placed} of 6 places can be filled",
        "short of quota minimums: gender Man 0/2",
    ]


def test_quota_fill_works_around_decisions_and_skips_the_unscored(
    store: Store, defn, fake_embedder
) -> None:
    build_demo(store)
    desk = desk_for(store, defn)
    with pytest.raises(NotScored, match="40 undecided people not scored yet"):
        desk.apply_fill()  # nobody scored yet: the fill would reject everyone
    assert not any(v.respondent.decision for v in desk.assessment().candidates)
    result = assess(store, defn, fake_embedder)
    last = [v for v in result.candidates if v.rank is not None][-1]
    store.set_decision(last.respondent.id, "accepted", "the client asked for them")
    top = next(v for v in result.candidates if v.suggestion == "accept")
    store.set_decision(top.respondent.id, "rejected", "cannot make the date")
    again = {v.respondent.id: v for v in desk.assessment().candidates}
    assert again[last.respondent.id].suggestion == "accept"
    assert again[top.respondent.id].suggestion == ""
    assert sum(v.suggestion == "accept" for v in again.values()) == 6
    # a flagged person the recruiter accepts (as an override) holds a place; one put on
    # standby stands by
    flagged = next(v for v in result.candidates if v.excluded_by)
    overrode = "; ".join(desk.overruled(flagged.respondent))
    store.set_decision(
        flagged.respondent.id, "accepted", "we know her; the flag is wrong", overrode
    )
    suggested = [
        v for v in again.values() if v.suggestion == "accept" and v is not again[last.respondent.id]
    ]
    waiting = min(suggested, key=lambda v: v.rank)
    store.set_decision(waiting.respondent.id, "standby", "holiday that week, maybe")
    third = {v.respondent.id: v for v in desk.assessment().candidates}
    assert third[flagged.respondent.id].suggestion == "accept"
    assert third[waiting.respondent.id].suggestion == "standby"
    assert sum(v.suggestion == "accept" for v in third.values()) == 6
