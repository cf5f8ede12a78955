"""The study database: schema, append-only ideas, search, caches, bad files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from ideation.records import Contact, Flag, Membership, Score
from ideation.schema import MIGRATION_NAMES, applied_names, migrations, pending_names
from ideation.store import Store, StoreError, default_db_path


def make_session(store: Store) -> int:
    session = store.create_session(
        "Test session",
        None,
        [
            {"title": "Purge", "technique": "purge", "planned_seconds": 600},
            {"title": "Brainstorm", "technique": "brainstorm", "planned_seconds": 1200},
        ],
        [{"label": "Maya"}, {"label": "P2", "anonymous": True}],
    )
    return session.id


def test_new_file_gets_schema_wal_and_foreign_keys(store: Store) -> None:
    assert store.schema_version() == list(MIGRATION_NAMES)
    assert MIGRATION_NAMES[:3] == ("m001_initial", "m002_session_leases", "m003_synectics_chain")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.db.execute("PRAGMA recursive_triggers").fetchone()[0] == 1
    tables = {
        name for (name,) in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    for table in (
        "screeners",
        "respondents",
        "answers",
        "contacts",
        "scores",
        "flags",
        "people",
        "participation_history",
        "plans",
        "sessions",
        "phases",
        "phase_log",
        "participants",
        "ideas",
        "ideas_fts",
        "embeddings",
        "clusterings",
        "clusters",
        "cluster_members",
    ):
        assert table in tables


def test_reopening_applies_no_migration_twice(db_path: Path) -> None:
    Store(db_path).close()
    with Store(db_path) as again:
        assert again.schema_version() == list(MIGRATION_NAMES)


def test_default_path_honours_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IDEATION_DB", raising=False)
    assert default_db_path() == Path("sessions/study.db")
    monkeypatch.setenv("IDEATION_DB", "/tmp/other.db")
    assert default_db_path() == Path("/tmp/other.db")


def test_not_a_database_is_a_one_line_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("this is not sqlite\n" * 100)
    with pytest.raises(StoreError) as caught:
        Store(bogus)
    assert str(bogus) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_session_copies_agenda_and_people(store: Store) -> None:
    session_id = make_session(store)
    phases = store.phases(session_id)
    assert [p.technique for p in phases] == ["purge", "brainstorm"]
    assert [p.position for p in phases] == [0, 1]
    people = store.participants(session_id)
    assert [(p.label, p.anonymous) for p in people] == [("Maya", False), ("P2", True)]
    assert store.find_session("Test session").id == session_id
    assert store.find_session(str(session_id)).name == "Test session"
    with pytest.raises(StoreError):
        store.find_session("no such session")


def test_ideas_are_numbered_per_session_and_append_only(store: Store) -> None:
    first = make_session(store)
    second = make_session(store)
    a = store.add_idea(first, "Compostable pods 🌱")
    b = store.add_idea(first, "A refill pouch", builds_on=a.id)
    c = store.add_idea(second, "قهوة في الصباح")
    assert (a.seq, b.seq, c.seq) == (1, 2, 1)
    assert store.idea_by_seq(first, 2) == b
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("UPDATE ideas SET text = 'changed' WHERE id = ?", [a.id])
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("DELETE FROM ideas WHERE id = ?", [a.id])


def test_withdrawal_keeps_history_and_frees_no_number(store: Store) -> None:
    session_id = make_session(store)
    a = store.add_idea(session_id, "Mistaken entry")
    withdrawal = store.amend_idea(a, "withdrawal")
    after = store.add_idea(session_id, "Next idea")
    assert withdrawal.replaces == a.id and withdrawal.seq == a.seq
    assert after.seq == 2
    assert store.count_ideas(session_id) == 1
    assert [row.kind for row in store.idea_rows(session_id)] == ["idea", "withdrawal", "idea"]
    with pytest.raises(ValueError):
        store.amend_idea(a, "deletion")


def test_ideas_survive_a_reopen(db_path: Path) -> None:
    with Store(db_path) as first:
        session_id = make_session(first)
        first.add_idea(session_id, "Saved before the crash")
    with Store(db_path) as second:
        assert [i.text for i in second.idea_rows(session_id)] == ["Saved before the crash"]


def test_full_text_search_skips_withdrawn_and_tolerates_syntax(store: Store) -> None:
    session_id = make_session(store)
    kept = store.add_idea(session_id, "Pods you can compost in the garden")
    gone = store.add_idea(session_id, "Pods made of sugar")
    store.amend_idea(gone, "withdrawal")
    assert store.search_ideas("pods") == [kept]
    assert store.search_ideas('compost "garden') == [kept]
    assert store.search_ideas("AND OR -") == []


def test_respondents_import_once_with_contacts_apart(store: Store) -> None:
    screener = store.upsert_screener("coffee", "Coffee lovers", "screener: coffee\n")
    answers = {"age": 34, "mug_uses": "pen holder\nplant pot", "industry": ["None of these"]}
    contact = Contact(0, "Zoë Ådahl", "zoe@example.com", "+44 7700 900123")
    added = store.add_respondent(screener.id, "R001", answers, contact=contact)
    assert added is not None and added.answers == answers
    assert store.add_respondent(screener.id, "R001", answers) is None
    assert store.count_respondents(screener.id) == 1
    saved = store.contact(added.id)
    assert saved is not None and saved.email == "zoe@example.com"
    columns = {row[1] for row in store.db.execute("PRAGMA table_info(respondents)")}
    assert not columns & {"name", "email", "phone"}


def test_settings_and_activity(store: Store) -> None:
    store.set_setting("study_name", "First")
    store.set_setting("study_name", "Second")
    assert store.get_setting("study_name") == "Second"
    assert store.get_setting("missing", "default") == "default"
    store.log("one")
    store.log("two")
    assert [a.what for a in store.recent_activity()][:2] == ["two", "one"]


def test_assessment_replaces_scores_and_flags_together(store: Store) -> None:
    screener = store.upsert_screener("coffee", "Coffee lovers", "screener: coffee\n")
    person = store.add_respondent(screener.id, "R1", {"age": 30})
    assert person is not None
    store.save_assessment(
        person.id,
        [Score(person.id, "creativity", 71.5, {"rare": ["plant pot"]})],
        [Flag(person.id, "speeder", "took 88 s; batch median 598 s")],
    )
    store.save_assessment(person.id, [Score(person.id, "creativity", 64.0)], [])
    assert store.scores(person.id)["creativity"].value == 64.0
    assert store.flags(person.id) == []
    store.set_outcome(person.id, "terminated", "industry security")
    store.set_decision(person.id, "rejected", "terminated")
    again = store.respondent(person.id)
    assert (again.status, again.terminate_reason, again.decision) == (
        "terminated",
        "industry security",
        "rejected",
    )
    with pytest.raises(ValueError):
        store.set_decision(person.id, "maybe")


def test_people_carry_participation_across_studies(store: Store) -> None:
    screener = store.upsert_screener("coffee", "Coffee lovers", "screener: coffee\n")
    first = store.add_respondent(screener.id, "R1", {})
    second = store.add_respondent(screener.id, "R2", {})
    assert first is not None and second is not None
    person = store.link_person(first.id, "zoe@example.com")
    assert store.link_person(second.id, "zoe@example.com") == person
    assert store.last_participation(person) is None
    store.record_participation(person, "Tea study", at=1000.0)
    store.record_participation(person, "Coffee study", at=2000.0)
    assert store.last_participation(person) == ("Coffee study", 2000.0)
    session_id = make_session(store)
    joined = store.add_respondent_participant(session_id, "Zoë", first.id, person)
    again = store.add_respondent_participant(session_id, "Zoë", first.id, person)
    assert joined == again and joined.person_id == person


def test_clustering_revisions_keep_the_automatic_one(store: Store) -> None:
    session_id = make_session(store)
    a = store.add_idea(session_id, "compost pods")
    b = store.add_idea(session_id, "pods for the garden")
    c = store.add_idea(session_id, "a kettle that sings")
    auto = store.save_clustering(
        [session_id],
        [(1, "pods · compost", a.id), (2, "kettle", c.id)],
        [Membership(a.id, 1, 1), Membership(b.id, 1, 1), Membership(c.id, 2, None, True)],
        automatic=True,
        model="all-MiniLM-L6-v2",
        params={"k": 2},
    )
    edited = store.save_clustering(
        [session_id],
        [(1, "Garden pods", a.id)],
        [Membership(a.id, 1), Membership(b.id, 1), Membership(c.id, 1)],
        automatic=False,
        parent_id=auto.id,
        note="merged kettle into pods",
    )
    assert [r.id for r in store.clusterings([session_id])] == [auto.id, edited.id]
    assert store.clustering(auto.id).params == {"k": 2} and store.clustering(auto.id).automatic
    assert [t.label for t in store.themes(auto.id)] == ["pods · compost", "kettle"]
    assert store.memberships(auto.id)[2] == Membership(c.id, 2, None, True)
    assert {m.theme_number for m in store.memberships(edited.id)} == {1}


def test_the_plain_migration_names_are_the_ones_sqlite_utils_runs(db_path: Path) -> None:
    """An up-to-date study opens without sqlite-utils, judged by `MIGRATION_NAMES`
    and a plain read of `_sqlite_migrations`: both must agree with sqlite-utils."""
    conn = sqlite3.connect(db_path)
    db = Database(conn)
    assert tuple(m.name for m in migrations().pending(db)) == MIGRATION_NAMES
    assert applied_names(conn) == [] and pending_names(conn) == list(MIGRATION_NAMES)
    migrations().apply(db, stop_before=MIGRATION_NAMES[-1])
    assert applied_names(conn) == [m.name for m in migrations().applied(db)]
    assert pending_names(conn) == [MIGRATION_NAMES[-1]]
    migrations().apply(db)
    assert applied_names(conn) == list(MIGRATION_NAMES) and pending_names(conn) == []
    conn.close()


def test_a_lone_write_commits_and_a_failed_one_leaves_no_transaction(db_path: Path) -> None:
    with Store(db_path) as store:
        store.db.execute("INSERT INTO study_settings (key, value) VALUES ('a', '1')")
        assert not store.db.conn.in_transaction
        with pytest.raises(sqlite3.IntegrityError):
            store.db.execute("INSERT INTO study_settings (key, value) VALUES ('a', '2')")
        assert not store.db.conn.in_transaction
        other = sqlite3.connect(db_path)
        assert other.execute("SELECT value FROM study_settings").fetchall() == [("1",)]
        other.close()


def test_a_nested_transaction_rolls_back_alone(store: Store) -> None:
    with store.transaction():
        store.set_setting("outer", "kept")
        with pytest.raises(RuntimeError), store.transaction():
            store.set_setting("inner", "undone")
            raise RuntimeError
    assert store.get_setting("outer") == "kept"
    assert store.get_setting("inner") == ""
