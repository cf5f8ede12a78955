"""Re-importing an export: what changed is noticed, applied, kept in history and re-scored;
terminates are stored with the rows, so nobody unscored is ever shown as eligible."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from ideation.cli import cli
from ideation.live.clock import SystemClock
from ideation.paths import shipped_file
from ideation.screening import desk as desk_module
from ideation.screening.desk import RecruitDesk
from ideation.screening.pipeline import assess, assessment_stands, import_responses
from ideation.screening.screener_yaml import load_screener
from ideation.store import Store

DATA = Path(__file__).parent / "data"
EXPORT = DATA / "qualtrics_home_coffee.csv"
#: Three header rows in a Qualtrics export, then one respondent a row.
HEADER_ROWS = 3
CORRECTED = "R_1OwhT3kLmQpZb7x"  # 16 cups a week, corrected to 20
NOW_IN_MARKETING = "R_3PqLm8sWd2KfGh0"  # "None of these" becomes marketing: terminate


@pytest.fixture
def defn():
    return load_screener(shipped_file("screeners", "home-coffee.yaml"))


@pytest.fixture
def desk(store: Store, defn) -> RecruitDesk:
    return RecruitDesk(store, defn, SystemClock())


def edited_export(tmp_path: Path, changes: dict[tuple[str, str], str]) -> Path:
    """The shipped Qualtrics test export with some cells changed: (respondent, column)."""
    with open(EXPORT, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    ids = header.index("ResponseId")
    for (respondent, column), value in changes.items():
        row = next(r for r in rows[HEADER_ROWS:] if r[ids] == respondent)
        row[header.index(column)] = value
    path = tmp_path / "export-again.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_terminates_are_stored_with_the_rows_and_nobody_unscored_is_eligible(
    store: Store, defn, desk: RecruitDesk
) -> None:
    summary = import_responses(store, defn, EXPORT)

    assert (summary.added, summary.changed, summary.unchanged) == (6, 0, 0)
    views = {v.respondent.external_id: v for v in desk.assessment().candidates}
    marketing = views["R_2Ja9cVnB4xYtRe1"]  # works in marketing: terminated at import
    assert marketing.respondent.status == "terminated"
    assert marketing.suggestion_reason.startswith("terminated: ")
    assert not any(v.eligible or v.rank or v.suggestion for v in views.values())
    complete = [v for v in views.values() if v.respondent.status == "complete"]
    assert complete and all(v.suggestion_reason == "not scored yet" for v in complete)


def test_an_unchanged_file_changes_nothing(
    store: Store, defn, desk: RecruitDesk, fake_embedder
) -> None:
    import_responses(store, defn, EXPORT)
    desk.score(fake_embedder)
    before = {v.respondent.id: (v.composite, v.flags) for v in desk.assessment().candidates}

    again = import_responses(store, defn, EXPORT)

    assert (again.added, again.changed, again.unchanged) == (0, 0, 6)
    assert assessment_stands(store, defn, fake_embedder)
    after = {v.respondent.id: (v.composite, v.flags) for v in desk.assessment().candidates}
    assert after == before
    assert all(store.answer_history(rid) == [] for rid in after)


def test_changed_answers_apply_keep_the_old_ones_and_are_scored_again(
    store: Store, defn, desk: RecruitDesk, fake_embedder, tmp_path: Path
) -> None:
    import_responses(store, defn, EXPORT)
    desk.score(fake_embedder)
    corrected = desk.find(CORRECTED)
    cups = next(q.id for q in defn.questions if "cups" in q.text)
    assert corrected.answers[cups] == 16
    changed = edited_export(
        tmp_path, {(CORRECTED, "Q7"): "20", (NOW_IN_MARKETING, "Q1"): "Marketing or advertising"}
    )

    summary = import_responses(store, defn, changed)

    assert (summary.added, summary.changed, summary.unchanged) == (0, 2, 4)
    now = desk.find(CORRECTED)
    assert now.answers[cups] == 20
    (old,) = store.answer_history(now.id)
    assert old.answers == corrected.answers  # nothing lost
    assert old.source == EXPORT.name and old.replaced_by == changed.name
    assert old.replaced_at >= old.imported_at
    # until scored again: the changed person has no scores, so is not eligible, and the
    # one who now works in marketing is terminated at once
    views = {v.respondent.external_id: v for v in desk.assessment().candidates}
    assert views[CORRECTED].composite is None and not views[CORRECTED].eligible
    assert views[NOW_IN_MARKETING].respondent.status == "terminated"
    assert not assessment_stands(store, defn, fake_embedder)

    rescored = {v.respondent.external_id: v for v in desk.ranked(fake_embedder).candidates}

    assert rescored[CORRECTED].composite is not None and rescored[CORRECTED].eligible
    assert rescored[NOW_IN_MARKETING].suggestion == ""
    assert import_responses(store, defn, changed).changed == 0  # the same again: no change


def test_screen_says_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "study.db"
    screener = str(shipped_file("screeners", "home-coffee.yaml"))
    runner = CliRunner()
    first = runner.invoke(cli, ["screen", screener, str(EXPORT), "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "6 new, 0 changed, 0 unchanged" in first.output
    changed = edited_export(tmp_path, {(CORRECTED, "Q7"): "20"})

    again = runner.invoke(cli, ["screen", screener, str(changed), "--db", str(db)])

    assert again.exit_code == 0, again.output
    assert "0 new, 1 changed, 5 unchanged" in again.output
    assert "1 respondent changed (answers, contact or duration)" in again.output
    assert "no respondent id column" not in again.output

    def stored() -> list[tuple[int, ...]]:
        with Store(db) as store:
            scores = store.db.execute("SELECT rowid FROM scores ORDER BY rowid").fetchall()
            flags = store.db.execute("SELECT rowid FROM flags ORDER BY rowid").fetchall()
        return [*scores, (-1,), *flags]

    before = stored()  # the same file again, and `screen` alone: nothing scored or rewritten
    runs = []
    monkeypatch.setattr(desk_module, "assess", lambda *a, **k: runs.append(a) or assess(*a, **k))
    for args in ([str(changed)], []):
        same = runner.invoke(cli, ["screen", screener, *args, "--db", str(db)])
        assert same.exit_code == 0, same.output
        assert "1 respondent changed" not in same.output
        assert stored() == before
    assert runs == []


def test_an_export_without_ids_is_said_to_be_one(tmp_path: Path, store: Store, defn) -> None:
    """Without an id column each row's id is made from its content, so a corrected row
    would come back as someone new: the recruiter is told at import, not surprised later."""
    assert import_responses(store, defn, EXPORT).has_ids
    assert not import_responses(store, defn, DATA / "plain.csv").has_ids
    runner = CliRunner()
    db = str(tmp_path / "study.db")
    screener = str(shipped_file("screeners", "home-coffee.yaml"))
    said = runner.invoke(cli, ["screen", screener, str(DATA / "plain.csv"), "--db", db])
    assert said.exit_code == 0, said.output
    assert "warning: no respondent id column" in said.output


def test_an_accepted_person_whose_corrected_answers_terminate_is_not_invited(
    store: Store, defn, desk: RecruitDesk, fake_embedder, tmp_path: Path
) -> None:
    from ideation.live.plan import parse_plan
    from ideation.live.session import start_session
    from ideation.records import Decision

    import_responses(store, defn, EXPORT)
    desk.score(fake_embedder)
    desk.decide(desk.find(NOW_IN_MARKETING), Decision.ACCEPTED)
    changed = edited_export(tmp_path, {(NOW_IN_MARKETING, "Q1"): "Marketing or advertising"})
    assert import_responses(store, defn, changed).changed == 1
    plan = (
        "name: S\nbrief: {problem_as_given: Better mornings?}\n"
        "agenda:\n  - {title: B, technique: brainstorm, minutes: 5}\n"
    )
    session = start_session(store, parse_plan(plan, "s.yaml"))
    invitation = desk.invite(session.id)
    assert invitation.joined == ()
    assert invitation.held_back == (f"{NOW_IN_MARKETING}: terminated (industry security)",)


def test_previews_tests_and_spam_the_survey_tool_marked_are_left_out(
    store: Store, defn, tmp_path: Path
) -> None:
    marked = edited_export(
        tmp_path, {(CORRECTED, "Status"): "Survey Preview", (NOW_IN_MARKETING, "Status"): "Spam"}
    )
    summary = import_responses(store, defn, marked)
    assert (summary.added, summary.left_out) == (4, 2)
    assert summary.counts == "4 new, 0 changed, 0 unchanged, 2 left out (preview, test or spam)"
    screener = store.find_screener(defn.name, defn.study)
    ids = {r.external_id for r in store.respondents(screener.id)}
    assert CORRECTED not in ids and NOW_IN_MARKETING not in ids
    numeric = edited_export(tmp_path, {(CORRECTED, "Status"): "1"})  # Qualtrics' code
    assert import_responses(store, defn, numeric).left_out == 1
    result = CliRunner().invoke(
        cli,
        [
            "screen",
            str(shipped_file("screeners", "home-coffee.yaml")),
            str(numeric),
            "--db",
            str(tmp_path / "s.db"),
        ],
    )
    assert "1 left out (preview, test or spam)" in " ".join(result.output.split())


def test_a_decision_that_no_longer_stands_holds_no_place_and_says_why(
    store: Store, defn, desk: RecruitDesk, fake_embedder, tmp_path: Path
) -> None:
    """After the corrected answers terminated her, the table still said "holds a place"
    and counted her in the quotas, while invite left her out."""
    from ideation.records import Decision

    import_responses(store, defn, EXPORT)
    desk.score(fake_embedder)
    desk.decide(desk.find(NOW_IN_MARKETING), Decision.ACCEPTED)
    changed = edited_export(tmp_path, {(NOW_IN_MARKETING, "Q1"): "Marketing or advertising"})
    import_responses(store, defn, changed)
    views = {v.respondent.external_id: v for v in desk.ranked(fake_embedder).candidates}
    her = views[NOW_IN_MARKETING]
    assert her.suggestion == ""
    assert her.suggestion_reason == (
        "accepted by the recruiter, but now terminated (industry security):"
        " holds no place until decided again"
    )
    desk.decide(her.respondent, Decision.ACCEPTED, "the client knows her", override=True)
    again = {v.respondent.external_id: v for v in desk.assessment().candidates}
    assert again[NOW_IN_MARKETING].suggestion_reason.endswith("; holds a place")


def test_a_refused_file_leaves_no_new_study_behind(tmp_path: Path) -> None:
    screener = str(shipped_file("screeners", "home-coffee.yaml"))
    bad = str(DATA / "bad_number.csv")
    fresh = tmp_path / "fresh.db"
    refused = CliRunner().invoke(cli, ["screen", screener, bad, "--db", str(fresh)])
    assert refused.exit_code == 2 and "expected a number" in refused.output
    assert not list(tmp_path.glob("fresh.db*"))  # not an empty study either
    kept = tmp_path / "kept.db"
    assert (
        CliRunner().invoke(cli, ["screen", screener, str(EXPORT), "--db", str(kept)]).exit_code == 0
    )
    assert CliRunner().invoke(cli, ["screen", screener, bad, "--db", str(kept)]).exit_code == 2
    with Store(kept) as store:
        assert store.count_respondents() == 6  # a study that was there stays as it was


def test_people_missing_from_a_newer_export_are_named_and_kept(
    store: Store, defn, tmp_path: Path
) -> None:
    import_responses(store, defn, EXPORT)
    with open(EXPORT, encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.reader(handle) if CORRECTED not in r]
    fewer = tmp_path / "fewer.csv"
    with open(fewer, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    summary = import_responses(store, defn, fewer)
    assert (summary.unchanged, summary.absent) == (5, (CORRECTED,))
    assert store.count_respondents() == 6  # kept as they were
    screener = str(shipped_file("screeners", "home-coffee.yaml"))
    said = CliRunner().invoke(
        cli, ["screen", screener, str(EXPORT), "--db", str(tmp_path / "c.db")]
    )
    assert said.exit_code == 0 and "not in this file" not in said.output  # a first import
    again = CliRunner().invoke(
        cli, ["screen", screener, str(fewer), "--db", str(tmp_path / "c.db")]
    )
    assert f"1 respondent on file not in this file ({CORRECTED}): kept as they were" in (
        " ".join(again.output.split())
    )
