"""The study file under stress: other writers, a full disk, damage, newer files,
file modes, read-only files and folders, backups, and one live screen per session.

Locks are held by real processes, disk full is a real SQLITE_FULL, damage is real
bytes overwritten in a copy of a real study, and permission cases run as an
unprivileged user (via setpriv when the tests run as root, since root ignores modes).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from damage import damage_table
from sqlite_utils import Database

from ideation.errors import (
    DiskFull,
    NewerStudy,
    SessionHeld,
    StoreError,
    StudyBusy,
    StudyDamaged,
    StudyReadOnly,
)
from ideation.paths import shipped_file
from ideation.schema import MIGRATION_NAMES, SCHEMA_VERSION, migrations
from ideation.screening.pipeline import import_responses
from ideation.screening.screener_yaml import load_screener
from ideation.store import LEASE_SECONDS, Store, lease_holder

DATA = Path(__file__).parent / "data"

#: Holds the study's write lock in another process: BEGIN IMMEDIATE, one idea
#: written but not committed, "locked" printed; then it sleeps the given seconds
#: (or waits for a line on stdin) and ends with COMMIT or ROLLBACK.
LOCKER = """
import sqlite3, sys, time
path, session_id, hold, end = sys.argv[1:5]
conn = sqlite3.connect(path, isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute(
    "INSERT INTO ideas (session_id, seq, text, created_at) SELECT ?, coalesce(max(seq), 0) + 1,"
    " 'other process', 0 FROM ideas WHERE session_id = ?",
    [int(session_id)] * 2,
)
print("locked", flush=True)
if hold == "stdin":
    sys.stdin.readline()
else:
    time.sleep(float(hold))
conn.execute(end)
print("released", flush=True)
"""


def make_session(store: Store) -> int:
    phases = [{"title": "Brainstorm", "technique": "brainstorm", "planned_seconds": 600}]
    return store.create_session("Safety", None, phases, [{"label": "Maya"}]).id


class Locker:
    """Another process holding the write lock."""

    def __init__(self, db: Path, session_id: int, hold: str, end: str = "COMMIT") -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", LOCKER, str(db), str(session_id), hold, end],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        out, _ = self.process.communicate("go\n", timeout=60)
        assert "released" in out and self.process.returncode == 0

    def wait(self) -> None:
        out, _ = self.process.communicate(timeout=60)
        assert "released" in out and self.process.returncode == 0


def texts(store: Store, session_id: int) -> list[str]:
    return [i.text for i in store.idea_rows(session_id)]


def assert_one_line(error: BaseException, path: Path) -> None:
    assert str(path) in str(error) and "\n" not in str(error)


# -- another writer ----------------------------------------------------------------------


def test_capture_waits_for_a_writer_that_releases_within_the_busy_timeout(
    db_path: Path,
) -> None:
    with Store(db_path, busy_timeout_ms=60_000) as store:
        session_id = make_session(store)
        locker = Locker(db_path, session_id, hold="0.5")
        idea = store.add_idea(session_id, "typed while the other process wrote")
        locker.wait()
        # It waited for the lock and numbered after the other process's idea.
        assert idea.seq == 2
        assert texts(store, session_id) == ["other process", "typed while the other process wrote"]


def test_a_lock_held_past_the_busy_timeout_is_study_busy_and_nothing_half_written(
    db_path: Path,
) -> None:
    with Store(db_path, busy_timeout_ms=200) as store:
        session_id = make_session(store)
        sessions_before = len(store.sessions())
        locker = Locker(db_path, session_id, hold="stdin", end="ROLLBACK")
        with pytest.raises(StudyBusy) as caught:
            store.add_idea(session_id, "typed while locked")
        assert_one_line(caught.value, db_path)
        with pytest.raises(StudyBusy):
            make_session(store)  # many statements
        with pytest.raises(StudyBusy):
            store.set_setting("study_name", "Tea")  # one statement
        locker.release()
        assert texts(store, session_id) == []
        assert len(store.sessions()) == sessions_before
        assert store.get_setting("study_name") == ""
        # Once released, the same line goes in (the screen retries with it).
        assert store.add_idea(session_id, "typed while locked").seq == 1


def test_an_import_is_one_transaction_so_a_busy_study_imports_nobody(db_path: Path) -> None:
    defn = load_screener(shipped_file("screeners", "home-coffee.yaml"))
    with Store(db_path, busy_timeout_ms=200) as store:
        session_id = make_session(store)
        locker = Locker(db_path, session_id, hold="stdin", end="ROLLBACK")
        with pytest.raises(StudyBusy):
            import_responses(store, defn, DATA / "qualtrics_home_coffee.csv")
        locker.release()
        assert store.count_respondents() == 0 and store.screeners() == []


def test_an_import_that_fails_midway_imports_nobody(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    defn = load_screener(shipped_file("screeners", "home-coffee.yaml"))
    real = Store.add_respondents

    def failing(self: Store, *args, **kwargs):
        real(self, *args, **kwargs)  # the rows are written, then the disk fills
        raise DiskFull(f"{self.path}: the disk is full")

    monkeypatch.setattr(Store, "add_respondents", failing)
    with pytest.raises(DiskFull):
        import_responses(store, defn, DATA / "qualtrics_home_coffee.csv")
    assert store.count_respondents() == 0 and store.screeners() == []


# -- full disk and damage ----------------------------------------------------------------


def test_disk_full_raises_disk_full_and_keeps_everything_stored(store: Store) -> None:
    session_id = make_session(store)
    kept = [store.add_idea(session_id, f"idea {n}").text for n in range(20)]
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # a real SQLITE_FULL
    with pytest.raises(DiskFull) as caught:
        for n in range(1000):
            kept.append(store.add_idea(session_id, f"long idea {n} " + "x" * 2000).text)
    assert_one_line(caught.value, store.path)
    assert texts(store, session_id) == kept
    assert store.check() == []


def test_a_damaged_page_is_study_damaged_and_check_reports_it(tmp_path: Path) -> None:
    original, damaged = tmp_path / "study.db", tmp_path / "damaged.db"
    with Store(original) as store:
        session_id = make_session(store)
        for n in range(30):
            store.add_idea(session_id, f"idea number {n}")
        assert store.check() == []
    shutil.copyfile(original, damaged)
    damage_table(damaged, "ideas")
    with Store(damaged) as store:  # the ideas table is not read at open
        with pytest.raises(StudyDamaged) as caught:
            store.idea_rows(session_id)
        assert_one_line(caught.value, damaged)
        assert "ideation check" in str(caught.value)
        assert store.check() != []


def test_check_reports_a_broken_reference(store: Store) -> None:
    store.db.execute("PRAGMA foreign_keys = OFF")
    store.db.execute("INSERT INTO participants (session_id, label) VALUES (999, 'ghost')")
    assert store.check() == ["participants row 1 refers to a missing sessions row"]


def test_a_file_that_is_not_a_database_is_study_damaged(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("this is not sqlite\n" * 100)
    with pytest.raises(StudyDamaged) as caught:
        Store(bogus)
    assert_one_line(caught.value, bogus)


# -- newer and older files ------------------------------------------------------------------


def file_bytes(path: Path) -> bytes:
    return path.read_bytes()


@pytest.mark.parametrize(
    ("change", "schema"),
    [
        (
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES ('ideation', 'm099_from_the_future', '2030-01-01')",
            SCHEMA_VERSION + 1,
        ),
        ("PRAGMA user_version = 99", 99),
    ],
)
def test_a_newer_study_is_refused_at_open_and_left_untouched(
    db_path: Path, change: str, schema: int
) -> None:
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(change)
    conn.commit()
    conn.close()
    before = file_bytes(db_path)
    with pytest.raises(NewerStudy) as caught:
        Store(db_path)
    assert str(caught.value) == (
        f"{db_path}: made by a newer ideation (schema {schema}); upgrade ideation"
    )
    assert file_bytes(db_path) == before


def test_an_older_study_is_upgraded_in_place(db_path: Path) -> None:
    with Store(db_path) as store:
        session_id = make_session(store)
        store.add_idea(session_id, "kept across the upgrade")
    conn = sqlite3.connect(db_path)
    conn.executescript(
        "DROP TABLE session_leases;"
        " DELETE FROM _sqlite_migrations WHERE name = 'm002_session_leases';"
        " PRAGMA user_version = 0;"
    )
    conn.close()
    with Store(db_path) as store:
        assert sorted(store.schema_version()) == sorted(MIGRATION_NAMES)
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert texts(store, session_id) == ["kept across the upgrade"]
        assert store.lease(session_id) is None


def test_a_reading_command_upgrades_an_older_study_first(tmp_path: Path) -> None:
    """`search` and `export` open read-only; a study from before the last migration
    lacks columns they read, so it is upgraded through a writing connection first."""
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    old = Database(conn)
    migrations().apply(old, stop_before=MIGRATION_NAMES[-1])
    conn.close()
    with Store(db, read_only=True) as store:
        assert sorted(store.schema_version()) == sorted(MIGRATION_NAMES)
        assert store.sessions() == []


# -- file modes ---------------------------------------------------------------------------


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def modes(db: Path) -> dict[str, int]:
    return {
        part.name: stat.S_IMODE(part.stat().st_mode)
        for part in (db, Path(f"{db}-wal"), Path(f"{db}-shm"))
    }


def test_a_new_study_and_its_wal_and_shm_are_0600(db_path: Path, loose_umask: None) -> None:
    with Store(db_path) as store:
        assert store.created
        store.add_idea(make_session(store), "private")
        assert modes(db_path) == {"study.db": 0o600, "study.db-wal": 0o600, "study.db-shm": 0o600}
    with Store(db_path) as again:
        assert not again.created


def test_an_existing_world_readable_study_is_tightened(db_path: Path, loose_umask: None) -> None:
    Store(db_path).close()
    db_path.chmod(0o644)
    other = sqlite3.connect(db_path)  # makes -wal and -shm 0644, like the old ideation
    other.execute("CREATE TABLE scratch (x)")
    assert set(modes(db_path).values()) == {0o644}
    with Store(db_path):
        assert set(modes(db_path).values()) == {0o600}
    other.close()


def test_a_missing_folder_is_created_and_said(tmp_path: Path) -> None:
    db = tmp_path / "new" / "deeper" / "study.db"
    with Store(db) as store:
        assert store.created and db.is_file()


# -- read-only ----------------------------------------------------------------------------


def test_read_only_open_reads_a_444_study_and_refuses_writes(db_path: Path) -> None:
    with Store(db_path) as store:
        session_id = make_session(store)
        store.add_idea(session_id, "readable")
    db_path.chmod(0o444)
    with Store(db_path, read_only=True) as viewer:
        assert texts(viewer, session_id) == ["readable"]
        with pytest.raises(StudyReadOnly) as caught:
            viewer.add_idea(session_id, "lost?")
        assert_one_line(caught.value, db_path)


def test_read_only_open_of_a_missing_file_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "study.db"
    with pytest.raises(StoreError) as caught:
        Store(missing, read_only=True)
    assert_one_line(caught.value, missing)
    assert not missing.parent.exists()


#: Runs one permission scenario as the current (unprivileged) user and prints
#: the error it got as JSON: [class name, message] or ["ok", detail].
SCENARIO = """
import json, os, sys
from pathlib import Path
from ideation.store import Store
base, name = Path(sys.argv[1]), sys.argv[2]
db = base / "study.db"

def attempt(**options):
    try:
        with Store(options.pop("path", db), **options) as store:
            return ["ok", len(store.sessions())]
    except Exception as error:
        return [type(error).__name__, str(error)]

Store(db).close()
if name == "file":
    db.chmod(0o444)
    result = attempt()
elif name == "folder":
    base.chmod(0o555)
    result = attempt() + attempt(read_only=True)
elif name == "parent":
    base.chmod(0o555)
    result = attempt(path=base / "sub" / "study.db")
elif name == "file_read_only":
    db.chmod(0o444)
    result = attempt(read_only=True)
print(json.dumps(result))
"""


def run_unprivileged(scenario: str) -> list:
    """Run SCENARIO as an ordinary user: ourselves, or `nobody` when we are root."""
    command = [sys.executable, "-c", SCENARIO]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root (modes do not stop root) and setpriv is missing")
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    base = Path(tempfile.mkdtemp(prefix="ideation-perm-"))
    try:
        if os.geteuid() == 0:
            os.chown(base, 65534, 65534)
        out = subprocess.run(
            [*command, str(base), scenario], capture_output=True, text=True, check=True
        )
        return json.loads(out.stdout)
    finally:
        base.chmod(0o755)
        shutil.rmtree(base)


def test_a_444_study_is_refused_at_open() -> None:
    kind, message = run_unprivileged("file")
    assert kind == "StudyReadOnly" and message.endswith("study.db: study is read-only")


def test_a_study_in_a_read_only_folder_is_refused_at_open() -> None:
    kind, message, ro_kind, ro_message = run_unprivileged("folder")
    assert kind == "StudyReadOnly"
    path = message.split(": ")[0]
    assert message == f"{path}: its folder is read-only; SQLite must write {path}-wal beside it"
    # Read-only viewing needs a -shm, which cannot be made there: one line too.
    assert ro_kind == "StudyReadOnly" and "-shm" in ro_message and "\n" not in ro_message


def test_a_new_study_under_a_read_only_folder_is_one_line() -> None:
    kind, message = run_unprivileged("parent")
    assert kind == "StudyReadOnly" and "folder cannot be created" in message


def test_a_444_study_opens_read_only_for_viewing() -> None:
    assert run_unprivileged("file_read_only") == ["ok", 0]


# -- backup -------------------------------------------------------------------------------


def test_backup_is_a_0600_copy_made_while_another_process_writes(
    db_path: Path, tmp_path: Path, loose_umask: None
) -> None:
    target = tmp_path / "backups" / "copy.db"
    target.parent.mkdir()
    with Store(db_path) as store:
        session_id = make_session(store)
        store.add_idea(session_id, "committed before the backup")
        locker = Locker(db_path, session_id, hold="stdin", end="COMMIT")
        store.backup(target)
        locker.release()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["copy.db"]
    with Store(target, read_only=True) as copy:
        assert texts(copy, session_id) == ["committed before the backup"]
        assert copy.check() == []


def test_backup_to_a_missing_folder_or_onto_itself_is_one_line(
    store: Store, tmp_path: Path
) -> None:
    for target in (tmp_path / "missing" / "copy.db", store.path):
        with pytest.raises(StoreError) as caught:
            store.backup(target)
        assert_one_line(caught.value, target)


# -- one live controller per session ------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clocked(db_path: Path) -> Iterator[tuple[Store, FakeClock, int]]:
    clock = FakeClock()
    with Store(db_path, clock=clock) as store:
        yield store, clock, make_session(store)


def test_a_lease_is_held_renewed_expired_and_taken_over(clocked) -> None:
    store, clock, session_id = clocked
    a, b = lease_holder("screen A"), "screen B@elsewhere:1"
    first = store.take_lease(session_id, a)
    assert store.lease(session_id) == first and first.holder.startswith("screen A@")
    with pytest.raises(SessionHeld) as caught:
        store.take_lease(session_id, b)
    assert a in str(caught.value) and "\n" not in str(caught.value)
    clock.now += LEASE_SECONDS - 1
    assert store.renew_lease(session_id, a)
    assert store.take_lease(session_id, a).taken_at == first.taken_at  # already ours
    clock.now += LEASE_SECONDS - 1
    with pytest.raises(SessionHeld):
        store.take_lease(session_id, b)  # renewed, so not expired yet
    clock.now += 2
    taken = store.take_lease(session_id, b)  # not renewed for LEASE_SECONDS: expired
    assert taken.holder == b and taken.taken_at == clock.now
    assert not store.renew_lease(session_id, a)  # A learns it lost the session
    store.release_lease(session_id, a)  # and cannot release B's lease
    assert store.lease(session_id) == taken
    store.release_lease(session_id, b)
    assert store.lease(session_id) is None
    assert store.take_lease(session_id, a).holder == a


def test_a_lease_held_by_a_dead_process_on_this_host_is_taken_over(clocked) -> None:
    store, _, session_id = clocked
    pid = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    store.take_lease(session_id, f"crashed screen@{socket.gethostname()}:{pid}")
    assert store.take_lease(session_id, lease_holder("new screen")).holder.startswith("new")


@pytest.mark.parametrize("holder", ["alive@{host}:{pid}", "remote@another-host:1"])
def test_a_live_or_remote_holder_is_not_taken_over(clocked, holder: str) -> None:
    store, _, session_id = clocked
    store.take_lease(session_id, holder.format(host=socket.gethostname(), pid=os.getpid()))
    with pytest.raises(SessionHeld):
        store.take_lease(session_id, lease_holder("second screen"))
