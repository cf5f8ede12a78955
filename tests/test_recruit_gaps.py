"""The recruit gaps an audit of issue #13 found: the problem owner is no template name,
two people who are one are merged, a mark corrected in another study file converges,
an invitation never rewrites the stored screener, the screen applies no recruiting rule
itself, and `explain` says who is not scored yet and what re-imports changed."""

from __future__ import annotations

import ast
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_interview_scoring import answer
from test_reimport import CORRECTED, EXPORT, edited_export
from test_tui_recruit import COMPLETE, PLAN, open_recruit, score_in_store, text_of
from textual.widgets import Label

import ideation.tui.recruit as recruit_screen
from ideation.cli import cli
from ideation.demo import build_demo
from ideation.live.clock import FakeClock, SystemClock
from ideation.live.plan import load_plan, parse_plan
from ideation.live.session import start_session
from ideation.paths import shipped_file
from ideation.records import Attendance, Contact, Decision
from ideation.screening.answer_changes import reimports
from ideation.screening.desk import RecruitDesk
from ideation.screening.pipeline import assess, identity_keys, import_responses
from ideation.screening.screener_yaml import load_screener
from ideation.store import Store
from ideation.tui.app import IdeationApp
from ideation.tui.dialogs import AskScreen, ConfirmScreen
from ideation.tui.interview import InterviewScreen
from ideation.tui.recruit import RecruitScreen

DAY = 24 * 3600
SCREENER = shipped_file("screeners", "home-coffee.yaml")
#: A plan with a template's name and a problem owner (as sessions/half-day.yaml has);
#: Ana is also the first name of a recruit the fill accepts.
OWNED = PLAN + "participants:\n  - name: Ana\n  - name: Hanna\n    role: problem_owner\n"


@pytest.fixture
def defn():
    return load_screener(SCREENER)


@pytest.fixture
def decided(db_path: Path, defn, fake_embedder) -> Path:
    """The demo study scored (fake embedder) with the quota fill applied: six accepted."""
    with Store(db_path) as store:
        build_demo(store)
        desk = RecruitDesk(store, defn, FakeClock())
        desk.score(fake_embedder)
        desk.apply_fill()
    return db_path


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


# -- 1. the plan's problem owner is no template name ----------------------------------


def test_replacing_plan_names_leaves_the_problem_owner_and_stops_asking(decided: Path) -> None:
    with Store(decided) as store:
        session = start_session(store, load_plan(shipped_file("sessions", "half-day.yaml")), "S")
    replaced = run("invite", SCREENER, session.id, "--replace-plan-names", "--db", decided)
    assert "--replace-plan-names" not in replaced  # given already: nothing to ask again
    assert "Hanna" not in replaced and "taken out" in replaced
    with Store(decided) as store:
        left = [p.label for p in store.participants(session.id) if p.respondent_id is None]
        other = start_session(store, load_plan(shipped_file("sessions", "half-day.yaml")), "T")
    assert left == ["Hanna"]  # the problem owner keeps her seat
    asked = run("invite", SCREENER, other.id, "--db", decided)
    hint = next(line for line in asked.splitlines() if "--replace-plan-names" in line)
    assert "Maya" in hint and "Hanna" not in hint


def test_the_desk_counts_no_one_with_a_role_as_a_template_name(decided: Path, defn) -> None:
    with Store(decided) as store:
        desk = RecruitDesk(store, defn, FakeClock())
        session = start_session(store, parse_plan(OWNED, "recruit.yaml"))
        invitation = desk.invite(session.id)
        assert invitation.from_plan == ("Ana",) and invitation.replaceable == ("Ana",)
        again = desk.invite(session.id, replace_plan_names=True)
        assert again.replaced == ("Ana",)
        assert again.from_plan == () and again.replaceable == ()


async def test_the_screen_offers_to_take_out_the_template_names_only(demo_db: Path) -> None:
    score_in_store(demo_db)
    with Store(demo_db) as store:
        desk = RecruitDesk(store, load_screener(SCREENER), FakeClock())
        desk.apply_fill()
        session = start_session(store, parse_plan(OWNED, "recruit.yaml"))
        owner_only = start_session(store, parse_plan(OWNED.replace("  - name: Ana\n", ""), "o"))
    app = IdeationApp(demo_db, embedder=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_recruit(pilot)
        await invite_to(pilot, session.id)
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one("#question", Label).render())
        assert "Ana" in question and "Hanna" not in question
        await pilot.press("y")
        await pilot.pause()
        await invite_to(pilot, owner_only.id)
        assert app.screen is screen  # only the problem owner besides the recruits: no offer
    with Store(demo_db) as store:
        for session_id in (session.id, owner_only.id):
            seated = store.participants(session_id)
            assert [p.label for p in seated if not p.respondent_id] == ["Hanna"]
            # asked before inviting, so the recruited Ana is "Ana", not "Ana F."
            names = {p.label: store.contact(p.respondent_id).name for p in seated[1:]}
            assert all(name.split()[0] == label for label, name in names.items())
            assert "Ana" in names


async def invite_to(pilot, session_id: int) -> None:
    await pilot.press("v")
    await pilot.pause()
    assert isinstance(pilot.app.screen, AskScreen)
    pilot.app.screen.query_one("#answer").value = str(session_id)
    await pilot.press("enter")
    await pilot.pause()


@pytest.fixture
def demo_db(db_path: Path) -> Path:
    with Store(db_path) as store:
        build_demo(store)
    return db_path


# -- 2. an email of one person and a phone of another: one person ----------------------


def test_keys_naming_two_people_merge_them_and_the_flag_appears(
    store: Store, defn, fake_embedder
) -> None:
    """Known by phone first (no history), then by email (attended 40 days ago): a
    respondent giving both is both, and the attendance is not missed."""
    tea = store.upsert_screener("tea", "Tea", "screener: tea", study="Tea")
    phone, email = Contact(0, "Zoe", "", "07700 900123"), Contact(0, "Zoe", "zoe@x.org", "")
    by_phone = store.add_respondent(tea.id, "T1", {}, contact=phone)
    phone_person = store.link_person(by_phone.id, identity_keys(phone))
    by_email = store.add_respondent(tea.id, "T2", {}, contact=email)
    email_person = store.link_person(by_email.id, identity_keys(email))
    assert phone_person < email_person
    session = start_session(store, load_plan(shipped_file("sessions", "sprint-90.yaml")), "S")
    seat = store.add_respondent_participant(session.id, "Zoe", by_email.id, email_person)
    store.record_invitation(email_person, "Tea", session.id, at=time.time())
    attended = time.time() - 40 * DAY
    store.mark_attendance(session.id, seat.id, Attendance.ATTENDED, at=attended)

    screener = store.upsert_screener(defn.name, defn.title, defn.source, study=defn.study)
    both = Contact(0, "Zoe", "Zoe@X.org", "+44 7700 900123")
    store.add_respondent(screener.id, "R1", {}, contact=both)
    views = {v.respondent.external_id: v for v in assess(store, defn, fake_embedder).candidates}

    flag = next(f for f in views["R1"].flags if f.kind == "past_participation")
    day = time.strftime("%d %b %Y", time.localtime(attended)).lstrip("0")
    assert flag.reason.startswith(f"took part on {day}") and "“Tea”" in flag.reason
    people = {store.person_of(r.id) for r in (by_phone, by_email, views["R1"].respondent)}
    assert people == {phone_person}  # one person, the older record kept
    assert store.participants(session.id)[-1].person_id == phone_person
    assert store.attendance(session.id) == {seat.id: Attendance.ATTENDED}
    assert store.db.execute("SELECT count(*) FROM people").fetchone()[0] == 1
    keys = dict(store.db.execute("SELECT key, person_id FROM person_keys").fetchall())
    assert keys == {key: phone_person for key in identity_keys(both)}
    assert store.db.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert "merged into person" in store.recent_activity()[0].what


# -- 3. a mark corrected in the other study file converges -----------------------------


def zoe_attended(study: Path, at: float) -> tuple[int, int]:
    """A study of its own in which Zoe (z@x.org) was recruited and attended at `at`;
    returns (session id, her seat's participant id)."""
    with Store(study) as store:
        screener = store.upsert_screener("s", "S", "screener: s", study="Tea")
        zoe = store.add_respondent(screener.id, "Z1", {}, contact=Contact(0, "Zoe", "z@x.org"))
        person = store.link_person(zoe.id, ["z@x.org"])
        session = start_session(store, load_plan(shipped_file("sessions", "sprint-90.yaml")), "S")
        seat = store.add_respondent_participant(session.id, "Zoe", zoe.id, person)
        store.mark_attendance(session.id, seat.id, Attendance.ATTENDED, at=at)
    return session.id, seat.id


def test_a_corrected_mark_reimports_as_a_correction_not_a_second_row(tmp_path: Path) -> None:
    spring, coffee = tmp_path / "spring.db", tmp_path / "coffee.db"
    session_id, seat_id = zoe_attended(spring, time.time())
    with Store(coffee) as store:
        here = store.add_respondent(
            store.upsert_screener("c", "C", "screener: c", study="Coffee").id,
            "C1",
            {},
            contact=Contact(0, "Zoe", "z@x.org"),
        )
        zoe_here = store.link_person(here.id, ["z@x.org"])
    args = ["people", "import", spring, "--db", coffee]
    assert "1 history row added, 0 already here" in run(*args)
    with Store(coffee) as store:
        assert store.last_participation(zoe_here)[0] == "Tea"
    with Store(spring) as store:  # she did not come after all: corrected there
        store.mark_attendance(session_id, seat_id, Attendance.NO_SHOW, at=time.time())

    corrected = run(*args)

    assert "0 history rows added, 1 updated (marks corrected there), 0 already here" in corrected
    assert "0 history rows added, 1 already here" in run(*args)  # converged
    with Store(coffee) as store:
        assert store.last_participation(zoe_here) is None  # a no-show bars nobody
        (row,) = store.participation_ledger()
        assert row.status == Attendance.NO_SHOW and row.origin == f"spring.db, session {session_id}"


def test_a_row_imported_before_origins_were_kept_is_found_and_corrected(tmp_path: Path) -> None:
    """Rows an earlier `people import` added carry only the file's name: the same row
    is claimed (not added twice), so a later correction reaches it."""
    spring, coffee = tmp_path / "spring.db", tmp_path / "coffee.db"
    session_id, seat_id = zoe_attended(spring, 1000.0)
    with Store(coffee) as store, store.transaction():
        person_here = store.db.execute(
            "INSERT INTO people (identity_key, created_at) VALUES ('z@x.org', 1) RETURNING id"
        ).fetchone()[0]
        store.db.execute("INSERT INTO person_keys VALUES ('z@x.org', ?)", [person_here])
        store.db.execute(
            "INSERT INTO participation_history (person_id, study, took_part_at, status, source)"
            " VALUES (?, 'Tea', 1000.0, 'attended', 'spring.db')",
            [person_here],
        )
    args = ["people", "import", spring, "--db", coffee]
    assert "0 history rows added, 1 already here" in run(*args)
    with Store(spring) as store:
        store.mark_attendance(session_id, seat_id, Attendance.DECLINED, at=2000.0)
    assert "1 updated" in run(*args)
    with Store(coffee) as store:
        assert [row.status for row in store.participation_ledger()] == ["declined"]


# -- 4. an invitation never rewrites the stored screener --------------------------------


def test_invite_with_a_changed_screener_warns_and_keeps_the_stored_one(
    decided: Path, tmp_path: Path
) -> None:
    changed = tmp_path / "home-coffee.yaml"
    changed.write_text(
        SCREENER.read_text(encoding="utf-8").replace("past_participation_months: 6", "")
        + "\n# edited since the respondents were scored\n",
        encoding="utf-8",
    )
    with Store(decided) as store:
        stored = store.screeners()[0].source
        session = start_session(store, parse_plan(PLAN, "recruit.yaml"))

    said = run("invite", changed, session.id, "--db", decided)

    warning = next(line for line in said.splitlines() if line.startswith("warning:"))
    assert "differs from the screener its respondents were scored under" in warning
    assert "6 joined" in said
    with Store(decided) as store:
        assert store.screeners()[0].source == stored  # not overwritten behind anyone's back
        desk = RecruitDesk(store, load_screener(changed), FakeClock())
        assert desk.differs_from_stored()
        assert not RecruitDesk(store, load_screener(SCREENER), FakeClock()).differs_from_stored()


# -- 5. the screen shows what the desk worked out ----------------------------------------


def test_the_recruit_screen_imports_no_recruiting_rule() -> None:
    tree = ast.parse(Path(recruit_screen.__file__).read_text(encoding="utf-8"))
    imported = {
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }
    rules = {"ideation.screening.rules", "ideation.screening.quotas"}
    assert not {name for name in imported if name.rsplit(".", 1)[0] in rules}
    assert "ideation.screening.pipeline.answers_of" not in imported


def test_the_board_has_the_rules_status_and_the_accepted_per_cell(demo_db: Path, defn) -> None:
    with Store(demo_db) as store:
        desk = RecruitDesk(store, defn, FakeClock())
        unscored = desk.board()
        assert unscored.unscored == 40
        r002 = next(row for row in unscored.rows if row.respondent.external_id == "R002")
        assert (r002.status, r002.rules_reason) == ("terminated", "industry security")
        assert r002.respondent.status == "complete"  # on file, the demo never scored
        statuses = [row.status for row in unscored.rows]
        assert set(statuses[statuses.index("terminated") :]) == {"terminated"}
        assert all(row.reason == "not scored yet" for row in unscored.rows)
        r001 = next(r.respondent for r in unscored.rows if r.respondent.external_id == "R001")
        store.replace_answers(
            r002.respondent, r001.answers, contact=None, source="v2.csv", duration_seconds=None
        )
        again = next(r for r in desk.board().rows if r.respondent.external_id == "R002")
        assert (again.status, again.rules_reason) == ("complete", "")  # the new answers
    score_in_store(demo_db)
    with Store(demo_db) as store:
        desk = RecruitDesk(store, defn, FakeClock())
        desk.apply_fill()
        board = desk.board()
        accepted = [r for r in store.respondents(1) if r.decision is Decision.ACCEPTED]
    assert board.unscored == 0 and board.accepted == len(accepted) == board.places == 6
    for line in board.quotas:
        quota = next(q for q in defn.quotas if q.name == line.quota)
        wanted = sum(str(r.answers.get(quota.question)) == line.cell for r in accepted)
        assert line.accepted == wanted
    assert (board.on_standby, board.standbys) == (3, defn.standbys)


# -- 6. explain: not scored yet, and what re-imports changed ------------------------------


def test_explain_says_who_is_not_scored_yet_and_how_to_score(demo_db: Path) -> None:
    said = run("explain", SCREENER, "R001", "--db", demo_db)
    lines = said.splitlines()
    assert lines[0] == "R001: complete"
    assert lines[1].startswith(f"not scored yet: `ideation screen {SCREENER}` scores everyone")
    terminated = run("explain", SCREENER, "R002", "--db", demo_db).splitlines()
    assert terminated[1] == "the rules say: terminated (industry security)"


def test_explain_lists_what_a_reimport_changed_and_when(
    db_path: Path, defn, tmp_path: Path
) -> None:
    with Store(db_path) as store:
        import_responses(store, defn, EXPORT)
    changed = edited_export(tmp_path, {(CORRECTED, "Q7"): "20"})
    with Store(db_path) as store:
        import_responses(store, defn, changed)
        respondent = RecruitDesk(store, defn, SystemClock()).find(CORRECTED)
        (done,) = reimports(store, respondent)
    day = time.strftime("%d %b %Y", time.localtime(done.at)).lstrip("0")

    said = run("explain", SCREENER, CORRECTED, "--db", db_path)

    assert "answers changed by re-imports (the replaced ones are kept):" in said
    line = next(line for line in said.splitlines() if "cups_per_week" in line)
    assert line.strip().startswith(f"cups_per_week: 16 → 20, re-import of {changed.name} on {day}")


def test_a_contact_change_is_named_never_shown(store: Store) -> None:
    screener = store.upsert_screener("s", "S", "screener: s", study="Tea")
    person = store.add_respondent(
        screener.id, "R1", {"cups": 2, "grid": {"a": 1, "b": 2}}, contact=Contact(0, "Zoe", "z@x")
    )
    store.replace_answers(
        person,
        {"cups": 2, "grid": {"a": 1, "b": 5}},
        contact=Contact(0, "Zoe", "zoe.new@x"),
        source="v2.csv",
        duration_seconds=300.0,
    )
    (done,) = reimports(store, store.respondent(person.id))
    lines = done.lines()
    assert lines[0].startswith("grid.b: 2 → 5, re-import of v2.csv on ")
    assert lines[1].startswith("contact: email changed, ")
    assert lines[2].startswith("duration: (none) → 300 s, ")
    assert not any("zoe.new" in line for line in lines)


async def test_after_an_interview_the_detail_says_it_is_being_scored(
    demo_db: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RecruitScreen, "score_worker", lambda self: None)  # still running
    app = IdeationApp(demo_db, embedder=fake_embedder)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_recruit(pilot)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen)
        await pilot.press("enter", "enter", "enter", "enter")
        await pilot.pause()
        for _, said in COMPLETE:
            for line in [*said, ""] if isinstance(said, list) else [said]:
                await answer(pilot, line)
        await pilot.press("enter")  # save: scoring starts by itself
        await pilot.pause()
        assert screen.scoring and screen.selected_row().respondent.external_id == "I001"
        detail, why = text_of(screen, "#detail"), text_of(screen, "#why")
        assert "not scored yet: being scored now" in detail and "press s" not in detail
        assert "being scored now" in why and "press s" not in why
        screen.reload(screen.selected_key())  # a reload while it runs says the same
        assert "press s" not in text_of(screen, "#summary") + text_of(screen, "#detail")


# -- 6. an unchanged re-import changes nothing, the activity log included ----------------


def test_an_unchanged_reimport_writes_no_activity(store: Store, defn) -> None:
    import_responses(store, defn, EXPORT)
    before = store.recent_activity(100)
    import_responses(store, defn, EXPORT)
    assert store.recent_activity(100) == before


# -- 7. the example screener's header documents every key the reader takes ----------------


def test_the_example_screeners_header_names_every_key_the_reader_takes() -> None:
    """The README says screeners/home-coffee.yaml's header documents the format."""
    from ideation.screening import screener_yaml

    lines = SCREENER.read_text(encoding="utf-8").splitlines()
    header = " ".join(line.lstrip("# ") for line in lines if line.startswith("#"))
    groups = [name for name in dir(screener_yaml) if name.endswith("_KEYS")]
    assert "DIMENSION_KEYS" in groups and "TOP_KEYS" in groups
    missing = [
        key
        for group in groups
        for key in getattr(screener_yaml, group)
        if not re.search(rf"\b{key}\b", header)
    ]
    assert missing == []
    assert "known by study and screener together" in header
