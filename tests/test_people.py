"""Honest participation history (issue #13 §4): people matched by email or phone,
invited -> attended / declined / no-show with only attendance counting, the flag's date,
screeners known by study and name, history carried between study files, and study
files from before all this upgraded without losing anyone."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from ideation.cli import cli
from ideation.live.clock import SystemClock
from ideation.live.plan import load_plan
from ideation.live.session import start_session
from ideation.paths import shipped_file
from ideation.records import Attendance, Contact
from ideation.schema import MIGRATION_NAMES, migrations
from ideation.screening.desk import RecruitDesk
from ideation.screening.pipeline import assess, definition_change, identity_keys
from ideation.screening.screener_yaml import load_screener
from ideation.store import Store

DAY = 24 * 3600


@pytest.fixture
def defn():
    return load_screener(shipped_file("screeners", "home-coffee.yaml"))


def recruit(store: Store, name: str, email: str = "", phone: str = "", study: str = "Tea"):
    """A respondent of a screener in `study`, tied to their person by their contact."""
    screener = store.upsert_screener("s", "S", f"screener: s # {study}", study=study)
    contact = Contact(0, name, email, phone)
    external_id = f"{name}-{store.count_respondents() + 1}"
    respondent = store.add_respondent(screener.id, external_id, {}, contact=contact)
    person = store.link_person(respondent.id, identity_keys(contact))
    return respondent, person


def seat(store: Store, respondent, person: int, label: str) -> tuple[int, int]:
    """The respondent invited to a new session: (session id, participant id)."""
    session = start_session(store, load_plan(shipped_file("sessions", "sprint-90.yaml")), "S")
    participant = store.add_respondent_participant(session.id, label, respondent.id, person)
    store.record_invitation(person, "Tea", session.id, at=time.time())
    return session.id, participant.id


# -- one person, by email or phone --------------------------------------------------


def test_a_new_email_with_the_same_phone_is_the_same_person(store: Store) -> None:
    _, zoe = recruit(store, "Zoe", "zoe@example.com", "+44 7700 900123")
    _, again = recruit(store, "Zoe", "zoe.new@example.org", "07700-900-123")
    _, phone_only = recruit(store, "Z", "", "(07700) 900123")
    _, other = recruit(store, "Ann", "ann@example.com", "+44 7700 900999")
    assert again == zoe and phone_only == zoe and other != zoe


def test_the_old_email_still_finds_the_person_after_a_new_phone(store: Store) -> None:
    _, zoe = recruit(store, "Zoe", "Zoe@Example.com", "")
    _, with_phone = recruit(store, "Zoe", "zoe@example.com", "0161 496 0000")
    _, by_phone = recruit(store, "Zoe", "zed@example.net", "+44 161 496 0000")
    assert with_phone == zoe and by_phone == zoe


# -- attendance: only attended counts --------------------------------------------------


def test_an_invitation_bars_nobody_and_attendance_does(store: Store) -> None:
    respondent, person = recruit(store, "Zoe", "zoe@example.com")
    session_id, participant_id = seat(store, respondent, person, "Zoe")
    assert store.attendance(session_id) == {participant_id: Attendance.INVITED}
    assert store.last_participation(person) is None
    for status in (Attendance.NO_SHOW, Attendance.DECLINED):
        store.mark_attendance(session_id, participant_id, status, at=5000.0)
        assert store.last_participation(person) is None
    store.mark_attendance(session_id, participant_id, Attendance.ATTENDED, at=6000.0)
    assert store.last_participation(person) == ("Tea", 6000.0)
    store.mark_attendance(session_id, participant_id, Attendance.NO_SHOW, at=7000.0)  # undone
    assert store.last_participation(person) is None
    assert store.attendance(session_id) == {participant_id: Attendance.NO_SHOW}


def test_the_attend_command_marks_named_participants(db_path: Path) -> None:
    with Store(db_path) as store:
        zoe, zoe_person = recruit(store, "Zoe", "zoe@example.com")
        session_id, zoe_seat = seat(store, zoe, zoe_person, "Zoe")
        sam, sam_person = recruit(store, "Sam", "sam@example.com")
        sam_seat = store.add_respondent_participant(session_id, "Sam", sam.id, sam_person).id
        store.record_invitation(sam_person, "Tea", session_id, at=time.time())
    runner = CliRunner()
    args = ["--db", str(db_path)]
    came = runner.invoke(cli, ["attend", str(session_id), "zoe", *args])
    assert came.exit_code == 0, came.output
    assert f"session {session_id}: Zoe attended" in came.output
    away = runner.invoke(cli, ["attend", str(session_id), "Sam", "--status", "no-show", *args])
    assert away.exit_code == 0, away.output
    nobody = runner.invoke(cli, ["attend", str(session_id), "Zoe", "Nobody", *args])
    assert nobody.exit_code == 2 and "no participant 'Nobody'" in nobody.output
    assert len(nobody.output.strip().splitlines()) == 1
    with Store(db_path) as store:
        assert store.attendance(session_id) == {
            zoe_seat: Attendance.ATTENDED,
            sam_seat: Attendance.NO_SHOW,
        }
        assert store.last_participation(zoe_person) is not None
        assert store.last_participation(sam_person) is None


def test_a_plan_participant_has_no_history_to_mark(db_path: Path) -> None:
    with Store(db_path) as store:
        session = start_session(store, load_plan(shipped_file("sessions", "sprint-90.yaml")), "S")
        plan_name = store.participants(session.id)[0].label
    result = CliRunner().invoke(cli, ["attend", str(session.id), plan_name, "--db", str(db_path)])
    assert result.exit_code == 2 and "not recruited with a screener" in result.output


def test_the_flag_names_the_day_they_attended(store: Store, defn, fake_embedder) -> None:
    """Past participation, through the real assessment: attended 40 days ago in
    another study, with a new email but the same phone."""
    respondent, person = recruit(store, "Zoe", "zoe@old.example", "07700 900123")
    session_id, participant_id = seat(store, respondent, person, "Zoe")
    attended = time.time() - 40 * DAY
    store.mark_attendance(session_id, participant_id, Attendance.ATTENDED, at=attended)
    screener = store.upsert_screener(defn.name, defn.title, defn.source, study=defn.study)
    store.add_respondent(
        screener.id, "R1", {}, contact=Contact(0, "Zoe", "zoe@new.example", "+447700900123")
    )
    views = {v.respondent.external_id: v for v in assess(store, defn, fake_embedder).candidates}
    flag = next(f for f in views["R1"].flags if f.kind == "past_participation")
    day = time.strftime("%d %b %Y", time.localtime(attended)).lstrip("0")
    months = defn.past_participation_months
    assert flag.reason.startswith(f"took part on {day}, within the {months} months")
    assert "this screener excludes" in flag.reason and "“Tea”" in flag.reason


# -- screeners are known by study and name ---------------------------------------------


def test_a_copied_screener_for_another_study_is_another_screener(
    store: Store, defn, fake_embedder
) -> None:
    first = store.upsert_screener(defn.name, defn.title, defn.source, study=defn.study)
    other = replace(defn, study="Another study", source=defn.source + "\n# copy")
    second = store.upsert_screener(other.name, other.title, other.source, study=other.study)
    assert first.id != second.id
    assert store.find_screener(defn.name, defn.study).source == defn.source
    assert store.find_screener(other.name, other.study).source == other.source
    store.add_respondent(first.id, "R1", {})
    assert store.count_respondents(second.id) == 0


def test_a_changed_definition_with_respondents_warns(store: Store, defn) -> None:
    screener = store.upsert_screener(defn.name, defn.title, defn.source, study=defn.study)
    assert definition_change(store, defn) == ""  # same definition
    changed = replace(defn, source=defn.source + "\n# a question reworded")
    assert definition_change(store, changed) == ""  # nobody to re-score yet
    store.add_respondent(screener.id, "R1", {})
    store.add_respondent(screener.id, "R2", {})
    warning = definition_change(store, changed)
    assert "2 respondents" in warning and "worked out again" in warning
    assert "\n" not in warning


# -- history travels between study files ---------------------------------------------


def test_people_import_merges_the_ledger_once(tmp_path: Path) -> None:
    spring, coffee = tmp_path / "spring.db", tmp_path / "coffee.db"
    with Store(spring) as store:
        respondent, person = recruit(store, "Zoe", "zoe@example.com", "07700 900123")
        session_id, participant_id = seat(store, respondent, person, "Zoe")
        store.mark_attendance(session_id, participant_id, Attendance.ATTENDED, at=time.time())
        ann, ann_person = recruit(store, "Ann", "ann@example.com")
        store.record_participation(ann_person, "Tea", at=1000.0, status=Attendance.NO_SHOW)
    with Store(coffee) as store:
        _, here = recruit(store, "Zoe", "zoe.work@example.com", "+44 7700 900123", study="Coffee")
        assert store.last_participation(here) is None
    runner = CliRunner()
    args = ["people", "import", str(spring), "--db", str(coffee)]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "2 history rows added, 0 already here" in first.output
    again = runner.invoke(cli, args)
    assert "0 history rows added, 2 already here" in again.output
    with Store(coffee) as store:
        assert store.last_participation(here)[0] == "Tea"  # matched by phone
        assert len(store.participation_ledger()) == 2


def test_people_import_refuses_a_missing_file_and_itself(db_path: Path, tmp_path: Path) -> None:
    Store(db_path).close()
    runner = CliRunner()
    missing = runner.invoke(cli, ["people", "import", str(tmp_path / "x.db"), "--db", str(db_path)])
    assert missing.exit_code == 2 and "no study file here" in missing.output
    itself = runner.invoke(cli, ["people", "import", str(db_path), "--db", str(db_path)])
    assert itself.exit_code == 2 and "that is this study" in itself.output
    export = tmp_path / "v1.csv"
    export.write_text("id,email\nR1,a@example.com\n", encoding="utf-8")
    named = runner.invoke(cli, ["people", "import", str(export), "--db", str(db_path)])
    assert named.exit_code == 2
    assert f"{export}: not a study file; expected another study's database" in named.output
    assert "damaged" not in named.output


# -- a study file from before m009 -------------------------------------------------------


def test_an_older_study_keeps_its_screeners_people_and_history(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    migrations().apply(Database(conn), stop_before="m009_people_attendance")
    conn.executescript(
        """
        INSERT INTO screeners (id, name, title, source, created_at)
            VALUES (7, 'home-coffee', 'Coffee', 'screener: home-coffee', 1);
        INSERT INTO people (id, identity_key, created_at) VALUES (3, 'zoe@example.com', 1);
        INSERT INTO respondents (screener_id, external_id, person_id, imported_at)
            VALUES (7, 'R1', 3, 1);
        INSERT INTO participation_history (person_id, study, took_part_at)
            VALUES (3, 'Tea', 500);
        """
    )
    conn.commit()
    conn.close()
    with Store(db_path) as store:
        assert store.schema_version()[-1] == MIGRATION_NAMES[-1]
        found = store.find_screener("home-coffee", "Coffee study")
        assert found is not None and found.id == 7 and store.count_respondents(7) == 1
        claimed = store.upsert_screener("home-coffee", "Coffee", "x", study="Coffee study")
        assert claimed.id == 7 and claimed.study == "Coffee study"
        assert store.last_participation(3) == ("Tea", 500.0)  # written at invite: kept
        respondent = store.respondents(7)[0]
        assert store.link_person(respondent.id, ["zoe@example.com", "07700900123"]) == 3
        assert store.db.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_desk_invites_without_recording_attendance(store: Store, defn) -> None:
    desk = RecruitDesk(store, defn, SystemClock())
    screener = desk.screener
    respondent = store.add_respondent(
        screener.id, "R1", {}, contact=Contact(0, "Zoe Ray", "zoe@example.com", "")
    )
    store.set_decision(respondent.id, "accepted")
    session = start_session(store, load_plan(shipped_file("sessions", "sprint-90.yaml")), "S")
    desk.invite(session.id)
    person = store.person_of(respondent.id)
    assert person is not None and store.last_participation(person) is None
    assert list(store.attendance(session.id).values()) == [Attendance.INVITED]


def test_marking_attendance_makes_a_stored_assessment_stale(store: Store) -> None:
    """`screen --apply` ranks from the stored assessment only while nothing it read
    changed; attendance changes who is flagged, so it must count as a change."""
    respondent, person = recruit(store, "Zoe", "zoe@example.com")
    session_id, participant_id = seat(store, respondent, person, "Zoe")
    before = store.screener_state(respondent.screener_id)
    store.mark_attendance(session_id, participant_id, Attendance.ATTENDED, at=time.time())
    assert store.screener_state(respondent.screener_id) != before
