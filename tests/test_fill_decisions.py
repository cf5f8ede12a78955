"""Decisions the quota fill made are the fill's: after the recruiter decides a few and
applies the fill, only the recruiter's own decisions read "by the recruiter" (in the
ranked reasons, the recruit list and `explain`), and an older study upgrades in place
with the decisions it already held kept as the recruiter's."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from ideation.cli import cli
from ideation.paths import shipped_file
from ideation.records import DecidedBy, Decision
from ideation.schema import MIGRATION_NAMES, migrations
from ideation.screening.desk import RecruitDesk
from ideation.screening.pipeline import CandidateView
from ideation.screening.recruits import write_recruits
from ideation.store import Store

SCREENER = shipped_file("screeners", "home-coffee.yaml")


@pytest.fixture
def desk(demo_desk: RecruitDesk) -> RecruitDesk:
    return demo_desk


def _views(desk: RecruitDesk) -> dict[str, CandidateView]:
    return {v.respondent.external_id: v for v in desk.assessment().candidates}


def _recruiter_decides_then_applies_the_fill(desk: RecruitDesk) -> dict[str, Decision]:
    """The user's report: a few decisions of the recruiter's own, then `screen --apply`.
    Returns the recruiter's decisions by survey id."""
    eligible = [v.respondent for v in desk.assessment().candidates if v.eligible]
    accepted, on_standby = eligible[-1], eligible[-2]  # ranked low: the fill would not pick them
    desk.decide(accepted, Decision.ACCEPTED, "the client asked for her")
    desk.decide(on_standby, Decision.STANDBY, "a backup we know")
    desk.decide(desk.find("R003"), Decision.REJECTED, "cannot make the date")
    assert desk.apply_fill() > 0
    return {
        accepted.external_id: Decision.ACCEPTED,
        on_standby.external_id: Decision.STANDBY,
        "R003": Decision.REJECTED,
    }


def test_the_fills_decisions_say_the_quota_fill_and_the_recruiters_say_the_recruiter(
    desk: RecruitDesk,
) -> None:
    mine = _recruiter_decides_then_applies_the_fill(desk)
    views = _views(desk)
    for external_id, view in views.items():
        respondent, reason = view.respondent, view.suggestion_reason
        assert respondent.decision, external_id  # the fill decided everyone undecided
        if external_id in mine:
            assert respondent.decision is mine[external_id]
            assert respondent.decided_by is DecidedBy.RECRUITER
            assert reason.startswith(f"{respondent.decision.shown} by the recruiter"), reason
        else:
            assert respondent.decided_by is DecidedBy.FILL, external_id
            assert "recruiter" not in reason, (external_id, reason)
            assert reason.startswith(f"{respondent.decision.shown} by the quota fill"), reason
    by_the_fill = [v for v in views.values() if v.respondent.decided_by is DecidedBy.FILL]
    fill_says = {v.suggestion_reason for v in by_the_fill}
    assert "accepted by the quota fill; holds a place" in fill_says
    rejected = [v for v in by_the_fill if v.respondent.decision is Decision.REJECTED]
    assert rejected, "the demo has more people than places: the fill rejects some"
    for view in rejected:
        assert view.suggestion_reason == (
            f"rejected by the quota fill: {view.respondent.decision_reason}"
        )
    assert views["R003"].suggestion_reason == "rejected by the recruiter: cannot make the date"


def test_the_recruit_list_agrees_on_who_decided(
    desk: RecruitDesk, store: Store, tmp_path: Path
) -> None:
    mine = _recruiter_decides_then_applies_the_fill(desk)
    out = tmp_path / "recruits.csv"
    write_recruits(store, desk.defn, desk.assessment(), out)
    listed = list(csv.DictReader(out.read_text("utf-8-sig").splitlines()))
    views = _views(desk)
    assert {row["respondent"] for row in listed} == set(views)
    for row in listed:
        assert row["suggestion_reason"] == views[row["respondent"]].suggestion_reason
    said_recruiter = {
        r["respondent"] for r in listed if "by the recruiter" in r["suggestion_reason"]
    }
    assert said_recruiter == set(mine)
    said_fill = {r["respondent"] for r in listed if "by the quota fill" in r["suggestion_reason"]}
    assert said_fill == set(views) - set(mine)


def test_explain_says_who_decided(desk: RecruitDesk, store: Store, db_path: Path) -> None:
    mine = _recruiter_decides_then_applies_the_fill(desk)
    by_fill = next(
        v.respondent
        for v in desk.assessment().candidates
        if v.respondent.decision is Decision.ACCEPTED and v.respondent.external_id not in mine
    )
    store.close()
    runner = CliRunner()

    def explain(external_id: str) -> str:
        result = runner.invoke(cli, ["explain", str(SCREENER), external_id, "--db", str(db_path)])
        assert result.exit_code == 0, result.output
        return result.output

    assert f"decision: accepted by the quota fill — {by_fill.decision_reason}" in explain(
        by_fill.external_id
    )
    assert "decision: rejected by the recruiter — cannot make the date" in explain("R003")


def test_deciding_again_makes_it_the_recruiters_and_undeciding_clears_who(
    desk: RecruitDesk, store: Store
) -> None:
    _recruiter_decides_then_applies_the_fill(desk)
    taken, cleared = [
        v.respondent
        for v in desk.assessment().candidates
        if v.respondent.decided_by is DecidedBy.FILL and v.eligible
    ][:2]
    desk.decide(taken, Decision.ACCEPTED, "met her at the pilot")
    assert store.respondent(taken.id).decided_by is DecidedBy.RECRUITER
    assert _views(desk)[taken.external_id].suggestion_reason.startswith("accepted by the recruiter")
    desk.decide(cleared, Decision.UNDECIDED)
    assert store.respondent(cleared.id).decision is Decision.UNDECIDED
    assert store.respondent(cleared.id).decided_by is DecidedBy.NOBODY


# -- m011: who decided ------------------------------------------------------------------


def test_an_older_study_upgrades_in_place_with_its_decisions_the_recruiters(
    db_path: Path,
) -> None:
    conn = sqlite3.connect(db_path)
    migrations().apply(Database(conn), stop_before="m011_decided_by")
    conn.executescript(
        """
        INSERT INTO screeners (id, study, name, title, source, created_at)
            VALUES (1, 'Coffee', 'home-coffee', 'Coffee', 'screener: home-coffee', 1);
        INSERT INTO respondents (id, screener_id, external_id, imported_at, decision,
                                 decision_reason)
            VALUES (4, 1, 'R1', 1, 'accepted', 'fills the quotas in rank order'),
                   (5, 1, 'R2', 1, 'rejected', 'cannot make the date'),
                   (6, 1, 'R3', 1, '', '');
        """
    )
    conn.commit()
    conn.close()
    with Store(db_path) as store:
        assert store.schema_version()[-1] == MIGRATION_NAMES[-1] == "m011_decided_by"
        people = {r.external_id: r for r in store.respondents(1)}
        assert people["R1"].decided_by is DecidedBy.RECRUITER  # shown as the recruiter's
        assert people["R2"].decided_by is DecidedBy.RECRUITER
        assert people["R2"].decision_reason == "cannot make the date"
        assert people["R3"].decided_by is DecidedBy.NOBODY
        with pytest.raises(sqlite3.IntegrityError):
            store.db.execute("UPDATE respondents SET decided_by = 'someone' WHERE id = 4")
