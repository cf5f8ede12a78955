"""Provides the study database: the one place that speaks SQL.

A study is one SQLite file, opened in WAL mode with foreign keys on and a busy
timeout, so the TUI, a background worker and a CLI command can share it.
Every write that records something a person said is committed before the
method returns. Callers get the plain records of `ideation.records`.

Safety rules kept here, so no caller has to know SQLite:
- every write transaction begins IMMEDIATE, so it waits (up to the busy
  timeout) for another writer instead of failing on a lock upgrade;
- every public method turns SQLite's errors into the one-line errors of
  `ideation.errors` (busy, read-only, disk full, damaged) naming the file;
- a new study file is created 0600 before SQLite opens it, so its -wal and
  -shm inherit 0600 (they hold names, emails and phone numbers);
- a file made by a newer ideation is refused before anything is written.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import itertools
import json
import os
import re
import socket
import sqlite3
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from ideation.errors import (
    DiskFull,
    NewerStudy,
    SessionHeld,
    StoreError,
    StudyBusy,
    StudyDamaged,
    StudyReadOnly,
)
from ideation.records import (
    ENTRY_KINDS,
    Activity,
    Attendance,
    ClusteringRecord,
    Contact,
    DecidedBy,
    Decision,
    Device,
    Flag,
    Idea,
    ImportedIdea,
    Lease,
    LedgerRow,
    Membership,
    Participant,
    Phase,
    PhaseEvent,
    Pick,
    Plan,
    ReplacedAnswers,
    Respondent,
    RoomWrite,
    Score,
    Screener,
    Session,
    ThemeRecord,
)
from ideation.schema import (
    MIGRATION_NAMES,
    SCHEMA_VERSION,
    applied_names,
    apply_pending,
    pending_names,
)
from ideation.search_query import (
    CLOSE_MARK,
    OPEN_MARK,
    SearchHit,
    Term,
    marked_spans,
    merged,
    parse_query,
    substring_spans,
)
from ideation.text import one_line, plural

DEFAULT_DB = Path("sessions") / "study.db"
BUSY_TIMEOUT_MS = 5000
#: A live screen renews its lease well within this; after it, anyone may take over.
LEASE_SECONDS = 20.0
_ENCODE_ANSWER = json.JSONEncoder(ensure_ascii=False).encode
_ENCODE_TEXT = json.encoder.encode_basestring  # what json writes for a str (not ASCII-only)


def _explanation_text(score: Score) -> str:
    """A score's explanation as stored: a str is JSON text already (see `Score`)."""
    explanation = score.explanation
    return explanation if isinstance(explanation, str) else _ENCODE_ANSWER(explanation)


def _execute_rows(conn: sqlite3.Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """`sql` with `{rows}` standing for as many rows of placeholders as SQLite takes at
    once: "(?, ?), (?, ?)…", or "?, ?…" for rows of one value (an IN list).

    Why not `executemany`: it runs one step a row and lets go of the GIL for each, so
    while another thread computes (the next chunk of an assessment), every row waited
    for the GIL's switch interval. One statement for many rows lets go of it once."""
    if not rows:
        return
    width = len(rows[0])
    one = "?" if width == 1 else "(" + ", ".join("?" * width) + ")"
    per = max(1, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width)
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        statement = sql.format(rows=", ".join([one] * len(chunk)))
        conn.execute(statement, [value for row in chunk for value in row])


def _answer_json(value: Any) -> str:
    """An answer's stored JSON, as `json.dumps(value, ensure_ascii=False)` writes it, at
    a fraction of the cost: an import of 100,000 encodes 1.5 million answers, and json
    builds an encoder a call and a C encoder for each number, list or grid. The common
    shapes (text, int, list of text, grid of text -> int) are written here as json does."""
    kind = type(value)
    if kind is str:
        return _ENCODE_TEXT(value)
    if kind is int:
        return int.__repr__(value)
    if kind is list and all(type(part) is str for part in value):
        return "[" + ", ".join(map(_ENCODE_TEXT, value)) + "]"
    if kind is dict and all(type(k) is str and type(v) is int for k, v in value.items()):
        pairs = (f"{_ENCODE_TEXT(k)}: {int.__repr__(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return _ENCODE_ANSWER(value)


def default_db_path() -> Path:
    """The study file: `IDEATION_DB` if set, else `sessions/study.db` under the working dir."""
    return Path(os.environ.get("IDEATION_DB") or DEFAULT_DB)


# -- SQLite errors in the user's words ---------------------------------------------


def study_error(error: sqlite3.Error, path: Path | str, busy_timeout_ms: int) -> StoreError | None:
    """The user error for an SQLite error, by its result code; None for a bug (a
    constraint, bad SQL), which must reach the crash log as it is."""
    primary = _primary_code(error)
    detail = one_line(str(error))
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StudyBusy(
            f"{path}: the study is busy: another program held its write lock for over"
            f" {busy_timeout_ms / 1000:g} s; try again"
        )
    if primary == sqlite3.SQLITE_FULL:
        return DiskFull(
            f"{path}: the disk is full ({detail}); this was not saved, everything saved"
            " before is intact; free some space and try again"
        )
    if primary == sqlite3.SQLITE_READONLY:
        return StudyReadOnly(f"{path}: study is read-only ({detail})")
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StudyDamaged(
            f"{path}: the study file is damaged ({detail}); run `ideation check` and"
            " restore a backup",
            detail,
        )
    if primary in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN):
        return StoreError(f"{path}: the study file cannot be read or written ({detail})")
    return None


def _primary_code(error: BaseException) -> int | None:
    """SQLite's primary result code (BUSY, FULL, ...) of an error, if it has one."""
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _translated(method: _Method) -> _Method:
    """Wrap one Store method so SQLite errors leave it as user errors."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            self._raise_as_study_error(error)

    return wrapper  # type: ignore[return-value]


_StoreClass = TypeVar("_StoreClass", bound=type)


def _translating_errors(cls: _StoreClass) -> _StoreClass:
    """Apply `_translated` to every public method: one rule, no method forgotten."""
    for name, value in list(vars(cls).items()):
        if inspect.isfunction(value) and not name.startswith("_"):
            setattr(cls, name, _translated(value))
    return cls


# -- the file on disk ----------------------------------------------------------------


def _tighten(path: Path) -> None:
    """Take group and world access off a study (and its -wal/-shm) that we own."""
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = part.stat()
            if mode.st_uid == os.geteuid() and mode.st_mode & 0o077:
                part.chmod(stat.S_IMODE(mode.st_mode) & 0o600)
        except OSError:
            continue  # missing, or a read-only file system: nothing to tighten


def _prepare_file(path: Path) -> bool:
    """Make the folder and an empty 0600 study before SQLite opens it, so the -wal
    and -shm SQLite creates inherit 0600; True when this call created the file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StudyReadOnly(
            f"{path}: its folder cannot be created ({error.strerror or error})"
        ) from error
    created = False
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        created = True
    except FileExistsError:
        _tighten(path)
    except PermissionError as error:
        raise StudyReadOnly(
            f"{path}: its folder is read-only; a new study cannot be created there"
        ) from error
    except OSError as error:
        raise StoreError(f"{path}: cannot create the study file ({error.strerror})") from error
    if path.is_file() and not os.access(path, os.W_OK):
        raise StudyReadOnly(f"{path}: study is read-only")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise StudyReadOnly(
            f"{path}: its folder is read-only; SQLite must write {path}-wal beside it"
        )
    return created


def _fsync(path: Path, *, folder: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if folder else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def lease_holder(label: str) -> str:
    """Name a lease holder "label@host:pid", so a dead holder on this host is known."""
    return f"{label}@{socket.gethostname()}:{os.getpid()}"


def _holder_is_dead(holder: str) -> bool:
    """True only for a holder on this host whose process is gone."""
    _, _, place = holder.rpartition("@")
    host, _, pid = place.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, owned by someone else
    return False


#: The first keyword of a statement, past whitespace, empty statements and comments.
_FIRST_KEYWORD = re.compile(r"(?:\s|;|--[^\n]*(?:\n|$)|/\*.*?\*/)*(\w*)", re.DOTALL)
_TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"}
_savepoints = itertools.count(1)


class StudyConnection:
    """The study's sqlite3 connection, with the statement rule of sqlite-utils'
    `Database` (which the store used before; importing it costs numpy): a lone
    write outside a transaction commits at once, and one that fails leaves no
    transaction open behind it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> sqlite3.Cursor:
        was_in_transaction = self.conn.in_transaction
        try:
            cursor = self.conn.execute(sql, () if parameters is None else parameters)
        except BaseException:
            if not was_in_transaction and self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        if (
            not was_in_transaction
            and self.conn.in_transaction
            and cursor.description is None
            and _first_keyword(sql) not in _TRANSACTION_CONTROL
        ):
            self.conn.execute("COMMIT")
        return cursor

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """All or nothing inside an open transaction."""
        name = f"ideation_{next(_savepoints)}"
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            # An error such as RAISE(ROLLBACK) may have ended the whole transaction.
            if self.conn.in_transaction:
                self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                self.conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        self.conn.execute(f"RELEASE SAVEPOINT {name}")

    def close(self) -> None:
        self.conn.close()


def _first_keyword(sql: str) -> str:
    match = _FIRST_KEYWORD.match(sql)
    return match.group(1).upper() if match else ""


class WalFlusher:
    """Puts each open study's write-ahead log on the disk once a second while it grows.

    With `synchronous = NORMAL` SQLite does not fsync on commit; this one thread per
    process does, off every caller's path, so what was committed survives a power cut a
    second later (an fsync through another descriptor flushes the same file).

    It also checkpoints the log into the study (PASSIVE: it waits for nobody, and writers
    go on appending meanwhile) once the log passes `CHECKPOINT_BYTES`. Every connection
    turns SQLite's own automatic checkpoint off: that one runs inside whichever commit
    crosses 1,000 pages, so one capture in a hundred on the live screen took 8 ms."""

    EVERY_SECONDS = 1.0
    CHECKPOINT_BYTES = 1 << 20

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[Path, int] = {}  # the -wal path -> how many stores use it
        self._synced: dict[Path, tuple[int, int]] = {}
        self._thread: threading.Thread | None = None

    def watch(self, study: Path) -> None:
        wal = Path(f"{study}-wal")
        with self._lock:
            self._watched[wal] = self._watched.get(wal, 0) + 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="ideation-wal-flush", daemon=True
                )
                self._thread.start()

    def unwatch(self, study: Path) -> None:
        """The store closed: one last flush of its log."""
        wal = Path(f"{study}-wal")
        with self._lock:
            left = self._watched.get(wal, 0) - 1
            if left > 0:
                self._watched[wal] = left
            else:
                self._watched.pop(wal, None)
        self.flush(wal)

    def _run(self) -> None:
        while True:
            time.sleep(self.EVERY_SECONDS)
            with self._lock:
                logs = list(self._watched)
            for wal in logs:
                before = self._synced.get(wal)
                if not self.flush(wal):
                    if not wal.parent.exists():
                        with self._lock:  # a study in a folder since removed (tests)
                            self._watched.pop(wal, None)
                    continue
                grown = self._synced.get(wal)
                if grown != before and grown is not None and grown[0] >= self.CHECKPOINT_BYTES:
                    self.checkpoint(wal)

    @staticmethod
    def checkpoint(wal: Path) -> None:
        """Copy the log's committed pages into the study, on a connection of its own (so
        no caller's connection is borrowed across threads); a busy study waits a second."""
        study = Path(str(wal)[: -len("-wal")])
        try:
            conn = sqlite3.connect(study, timeout=0)
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                conn.close()
        except sqlite3.Error:
            pass  # another checkpoint is running, or the study is gone: next time

    def flush(self, wal: Path) -> bool:
        """fsync the log if it changed since its last flush; False when it is missing."""
        try:
            info = wal.stat()
            seen = (info.st_size, info.st_mtime_ns)
            if self._synced.get(wal) == seen:
                return True
            fd = os.open(wal, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            self._synced[wal] = seen
            return True
        except OSError:
            self._synced.pop(wal, None)
            return False  # no log yet, or it was checkpointed away: nothing to keep


#: The process's one flusher.
WAL_FLUSHER = WalFlusher()

_WRITERS: dict[Path, threading.Lock] = {}
_WRITERS_GUARD = threading.Lock()


def _writer_lock(path: Path) -> threading.Lock:
    """The study's write lock within this process. Writers in one process (the live
    screen, the room's thread, the embedding worker) queue on it and are woken the moment
    it is free; SQLite's own busy wait sleeps 1, 2, 5, 10 ms between tries, which put up
    to 8 ms on the facilitator's Enter while a phone's send was committing."""
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(path, threading.Lock())


@_translating_errors
class Store:
    """One open study database."""

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Any = time.time,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        read_only: bool = False,
        any_schema: bool = False,
    ) -> None:
        """`any_schema` (read-only only): open a study a newer ideation made, for the
        schema-agnostic `check` and `backup`, which are most needed exactly then."""
        self.path = Path(path)
        self._now = clock
        self._busy_ms = int(busy_timeout_ms)
        memory = str(path) == ":memory:"
        self._writer = threading.Lock() if memory else _writer_lock(self.path.resolve())
        self.read_only = read_only
        self.created = False
        #: A screener's decoded answers by respondent, with the state they were read in.
        self._answers_cache: dict[int, tuple[tuple[Any, ...], dict[int, dict[str, Any]]]] = {}
        if read_only and not memory:
            if not self.path.is_file():
                raise StoreError(f"{self.path}: no study file here")
            _tighten(self.path)
        elif not memory:
            self.created = _prepare_file(self.path)
        conn: sqlite3.Connection | None = None
        try:
            conn = self._connect(memory)
            self.db = StudyConnection(conn)
            if not (read_only and any_schema):
                self._refuse_newer()
            if read_only and not any_schema and pending_names(conn):
                conn.close()
                self._upgrade_for_reading()
                conn = self._connect(memory)
                self.db = StudyConnection(conn)
            if not memory and not read_only:
                self._enable_wal()
            # WAL + NORMAL: a commit is safe from any crash of ideation at once (it is in
            # the OS's hands) and `WalFlusher` puts it on the disk within a second, so a
            # power cut loses at most that second; FULL's fsync per commit (~4-10 ms
            # here) would stall every capture and every phone in the room.
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA wal_autocheckpoint = 0")  # `WalFlusher` checkpoints
            self.db.execute("PRAGMA foreign_keys = ON")
            if not read_only:
                self._migrate()
            self._flushed = not (memory or read_only)
            if self._flushed:
                WAL_FLUSHER.watch(self.path)
        except BaseException as error:
            if conn is not None:
                conn.close()
            if read_only and _primary_code(error) in (
                sqlite3.SQLITE_CANTOPEN,
                sqlite3.SQLITE_READONLY,
            ):
                raise StudyReadOnly(
                    f"{self.path}: cannot be read here: its folder is read-only and"
                    f" {self.path}-shm is missing; open it once where the folder is writable"
                ) from error
            if isinstance(error, sqlite3.Error):
                self._raise_as_study_error(error)
            raise

    def _connect(self, memory: bool) -> sqlite3.Connection:
        """A connection whose implicit transactions (any lone INSERT, UPDATE or DELETE)
        begin IMMEDIATE, so every write waits for the write lock under the busy timeout."""
        options: dict[str, Any] = {
            "timeout": self._busy_ms / 1000,
            "isolation_level": "IMMEDIATE",
        }
        if memory:
            conn = sqlite3.connect(":memory:", **options)
        elif self.read_only:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, **options)
        else:
            conn = sqlite3.connect(str(self.path), **options)
        try:
            conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
            # As sqlite-utils sets it: a REPLACE fires the delete triggers (FTS).
            conn.execute("PRAGMA recursive_triggers = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def _enable_wal(self) -> None:
        """WAL, so readers never block the writer; switched only when not on already."""
        if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.db.execute("PRAGMA journal_mode = wal")

    def _upgrade_for_reading(self) -> None:
        """A study from an older ideation lacks columns the readers ask for: upgrade it
        through a writing connection first, or say why it cannot be read here."""
        try:
            Store(self.path, clock=self._now, busy_timeout_ms=self._busy_ms).close()
        except StudyReadOnly as error:
            raise StudyReadOnly(
                f"{self.path}: made by an older ideation and read-only here; open it once"
                " where it can be written (any ideation command that writes upgrades it)"
            ) from error

    def _raise_as_study_error(self, error: sqlite3.Error) -> NoReturn:
        translated = study_error(error, self.path, self._busy_ms)
        if translated is None:
            raise error
        raise translated from error

    def _refuse_newer(self) -> None:
        """Refuse a file made by a newer ideation before writing anything to it."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        applied = applied_names(self.db.conn)
        if version > SCHEMA_VERSION or set(applied) - set(MIGRATION_NAMES):
            raise NewerStudy(
                f"{self.path}: made by a newer ideation (schema {max(version, len(applied))});"
                " upgrade ideation"
            )

    def _migrate(self) -> None:
        """Apply pending migrations under the write lock, so two openers never race."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION and not pending_names(self.db.conn):
            return
        with self.transaction():
            apply_pending(self.db.conn)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def now(self) -> float:
        """The study's clock (injected in tests), for anything that compares times."""
        return self._now()

    def close(self) -> None:
        self.db.close()
        if getattr(self, "_flushed", False):
            self._flushed = False
            WAL_FLUSHER.unwatch(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: BEGIN IMMEDIATE, so the busy timeout covers taking the write
        lock and no read inside can go stale; nested, a savepoint."""
        conn = self.db.conn
        try:
            if conn.in_transaction:
                with self.db.savepoint():
                    yield
                return
            if not self._writer.acquire(timeout=self._busy_ms / 1000):
                raise sqlite3.OperationalError("database is locked")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            finally:
                self._writer.release()
        except sqlite3.Error as error:
            self._raise_as_study_error(error)

    def schema_version(self) -> list[str]:
        return applied_names(self.db.conn)

    # -- study-wide ---------------------------------------------------------

    def log(self, what: str) -> None:
        self.db.execute("INSERT INTO activity (at, what) VALUES (?, ?)", [self._now(), what])

    def recent_activity(self, limit: int = 20) -> list[Activity]:
        rows = self.db.execute(
            "SELECT at, what FROM activity ORDER BY at DESC, id DESC LIMIT ?", [limit]
        ).fetchall()
        return [Activity(at=at, what=what) for at, what in rows]

    def get_setting(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM study_settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO study_settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    # -- study name --------------------------------------------------------------

    def study_name(self) -> tuple[str, str]:
        """The study's name and description, "" where never set (reports fall back to
        the file's name)."""
        return self.get_setting("study_name"), self.get_setting("study_description")

    def set_study_name(self, name: str, description: str | None = None) -> None:
        """Name the study; `description` None keeps the one already set."""
        with self.transaction():
            self.set_setting("study_name", name)
            if description is not None:
                self.set_setting("study_description", description)
            self.log(f"Study named “{one_line(name, 80)}”")

    def label_stop_words(self) -> list[str]:
        """Words this study's theme labels skip on top of the built-in list."""
        return self.get_setting("label_stop_words").split()

    def set_label_stop_words(self, words: Sequence[str]) -> None:
        with self.transaction():
            self.set_setting("label_stop_words", " ".join(words))
            self.log(f"Label stop list: {len(words)} words of the study's own")

    # -- plans and sessions -------------------------------------------------

    def add_plan(self, name: str, source: str, path: str = "") -> Plan:
        cursor = self.db.execute(
            "INSERT INTO plans (name, path, source, created_at) VALUES (?, ?, ?, ?)",
            [name, path, source, self._now()],
        )
        return self.plan(cursor.lastrowid or 0)

    def plan(self, plan_id: int) -> Plan:
        row = self._one("SELECT * FROM plans WHERE id = ?", [plan_id], "plan")
        return Plan(**row)

    def create_session(
        self,
        name: str,
        plan_id: int | None,
        phases: Sequence[dict[str, Any]],
        participants: Sequence[dict[str, Any]],
    ) -> Session:
        """Copy the agenda and the people into a new session, in one transaction."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO sessions (plan_id, name, status, created_at) VALUES (?, ?, ?, ?)",
                [plan_id, name, "planned", self._now()],
            )
            session_id = cursor.lastrowid or 0
            for position, phase in enumerate(phases):
                self.db.execute(
                    "INSERT INTO phases (session_id, position, title, technique, planned_seconds,"
                    " prompts, stimuli, notes, say, card) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        session_id,
                        position,
                        phase["title"],
                        phase["technique"],
                        int(phase["planned_seconds"]),
                        json.dumps(list(phase.get("prompts", ())), ensure_ascii=False),
                        json.dumps(list(phase.get("stimuli", ())), ensure_ascii=False),
                        phase.get("notes", ""),
                        phase.get("say", ""),
                        phase.get("card", ""),
                    ],
                )
            for person in participants:
                self.db.execute(
                    "INSERT INTO participants (session_id, label, anonymous, respondent_id, role)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [
                        session_id,
                        person["label"],
                        int(bool(person.get("anonymous", False))),
                        person.get("respondent_id"),
                        person.get("role", ""),
                    ],
                )
            self.log(f"Session “{name}” created")
        return self.session(session_id)

    def session(self, session_id: int) -> Session:
        row = self._one("SELECT * FROM sessions WHERE id = ?", [session_id], "session")
        return _session(row)

    def sessions(self) -> list[Session]:
        cursor = self.db.execute("SELECT * FROM sessions ORDER BY id")
        return [_session(row) for row in _dicts(cursor)]

    def find_session(self, ref: str) -> Session:
        """A session by id or by exact name, for command-line arguments."""
        if ref.isdigit():
            return self.session(int(ref))
        cursor = self.db.execute(
            "SELECT * FROM sessions WHERE name = ? ORDER BY id DESC LIMIT 1", [ref]
        )
        rows = _dicts(cursor)
        if not rows:
            raise StoreError(f"{self.path}: no session with id or name {ref!r}")
        return _session(rows[0])

    def set_anonymous_mode(self, session_id: int, on: bool) -> None:
        """Anonymous mode is session state: it survives Esc, a restart and a crash."""
        self.db.execute(
            "UPDATE sessions SET anonymous_mode = ? WHERE id = ?", [int(on), session_id]
        )

    def set_session_status(self, session_id: int, status: str, at: float | None = None) -> None:
        now = self._now() if at is None else at
        if status == "running":
            self.db.execute(
                "UPDATE sessions SET status = ?, started_at = coalesce(started_at, ?) WHERE id = ?",
                [status, now, session_id],
            )
        elif status == "ended":
            self.db.execute(
                "UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?",
                [status, now, session_id],
            )
        else:
            self.db.execute("UPDATE sessions SET status = ? WHERE id = ?", [status, session_id])

    def phases(self, session_id: int) -> list[Phase]:
        rows = self.db.execute(
            "SELECT id, session_id, position, title, technique, planned_seconds, prompts,"
            " stimuli, notes, say, card FROM phases WHERE session_id = ? ORDER BY position",
            [session_id],
        ).fetchall()
        return [
            Phase(
                id=r[0],
                session_id=r[1],
                position=r[2],
                title=r[3],
                technique=r[4],
                planned_seconds=r[5],
                prompts=tuple(json.loads(r[6])),
                stimuli=tuple(json.loads(r[7])),
                notes=r[8],
                say=r[9],
                card=r[10],
            )
            for r in rows
        ]

    def participants(self, session_id: int) -> list[Participant]:
        rows = self.db.execute(
            "SELECT id, session_id, label, anonymous, respondent_id, person_id, role"
            " FROM participants WHERE session_id = ? ORDER BY id",
            [session_id],
        ).fetchall()
        return [
            Participant(
                id=r[0],
                session_id=r[1],
                label=r[2],
                anonymous=bool(r[3]),
                respondent_id=r[4],
                person_id=r[5],
                role=r[6],
            )
            for r in rows
        ]

    def add_participant(
        self, session_id: int, label: str, anonymous: bool = False, role: str = ""
    ) -> Participant:
        cursor = self.db.execute(
            "INSERT INTO participants (session_id, label, anonymous, role) VALUES (?, ?, ?, ?)",
            [session_id, label, int(anonymous), role],
        )
        return Participant(
            id=cursor.lastrowid or 0,
            session_id=session_id,
            label=label,
            anonymous=anonymous,
            role=role,
        )

    def unused_plan_participants(self, session_id: int) -> list[tuple[int, str]]:
        """(id, name) of the participants a session got from its plan (not from a
        screener) who have said nothing and have no role: a template's example names.
        Anyone with an idea is a person, and so is anyone with a role (the problem owner
        is no recruit and no placeholder)."""
        rows = self.db.execute(
            "SELECT p.id, p.label FROM participants p WHERE p.session_id = ?"
            " AND p.respondent_id IS NULL AND p.role = ''"
            " AND NOT EXISTS (SELECT 1 FROM ideas i WHERE i.participant_id = p.id)"
            " ORDER BY p.id",
            [session_id],
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def remove_unused_plan_participants(self, session_id: int) -> list[str]:
        """Take out the `unused_plan_participants`, once recruits take the seats; returns
        their names. Usually inside the caller's transaction (then a savepoint)."""
        with self.transaction():
            rows = self.unused_plan_participants(session_id)
            self.db.conn.executemany(
                "DELETE FROM participants WHERE id = ?", [[r[0]] for r in rows]
            )
        return [r[1] for r in rows]

    # -- the phase log ------------------------------------------------------

    def log_phase_event(
        self,
        session_id: int,
        kind: str,
        *,
        position: int | None = None,
        seconds: int = 0,
        note: str = "",
        at: float | None = None,
    ) -> PhaseEvent:
        """Append to the phase log; the timer is always recomputed from it."""
        when = self._now() if at is None else at
        cursor = self.db.execute(
            "INSERT INTO phase_log (session_id, kind, at, position, seconds, note)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [session_id, kind, when, position, seconds, note],
        )
        return PhaseEvent(
            id=cursor.lastrowid or 0,
            session_id=session_id,
            kind=kind,
            at=when,
            position=position,
            seconds=seconds,
            note=note,
        )

    def phase_log(self, session_id: int) -> list[PhaseEvent]:
        rows = self.db.execute(
            "SELECT id, session_id, kind, at, position, seconds, note FROM phase_log"
            " WHERE session_id = ? ORDER BY at, id",
            [session_id],
        ).fetchall()
        return [PhaseEvent(*r) for r in rows]

    # -- ideas ----------------------------------------------------------------

    _IDEA_COLUMNS = (
        "id, session_id, seq, text, kind, participant_id, phase_id, technique,"
        " builds_on, replaces, created_at, entry"
    )

    def add_idea(
        self,
        session_id: int,
        text: str,
        *,
        participant_id: int | None = None,
        phase_id: int | None = None,
        technique: str = "",
        builds_on: int | None = None,
        at: float | None = None,
        entry: str = "idea",
    ) -> Idea:
        """Commit one entry and return it numbered (as it is inserted, in one statement: a
        room's group commit writes thirty in a row); the caller shows it only after this.
        Every entry kind shares the session's numbering, so `+N` and picks reach any."""
        if entry not in ENTRY_KINDS:
            raise ValueError(f"entry must be one of {', '.join(ENTRY_KINDS)}, not {entry!r}")
        when = self._now() if at is None else at
        with self.transaction():
            idea_id, seq = self.db.execute(
                "INSERT INTO ideas (session_id, seq, text, kind, participant_id, phase_id,"
                " technique, builds_on, created_at, entry)"
                " VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM ideas"
                " WHERE session_id = ? AND kind = 'idea'), ?, 'idea', ?, ?, ?, ?, ?, ?)"
                " RETURNING id, seq",
                [
                    session_id,
                    session_id,
                    text,
                    participant_id,
                    phase_id,
                    technique,
                    builds_on,
                    when,
                    entry,
                ],
            ).fetchone()
        return Idea(
            id=idea_id,
            session_id=session_id,
            seq=seq,
            text=text,
            participant_id=participant_id,
            phase_id=phase_id,
            technique=technique,
            builds_on=builds_on,
            created_at=when,
            entry=entry,
        )

    def amend_idea(self, idea: Idea, kind: str, text: str = "", at: float | None = None) -> Idea:
        """Withdraw or correct an idea by appending a row that replaces it; nothing is lost."""
        if kind not in ("withdrawal", "correction"):
            raise ValueError(f"kind must be 'withdrawal' or 'correction', not {kind!r}")
        when = self._now() if at is None else at
        cursor = self.db.execute(
            "INSERT INTO ideas (session_id, seq, text, kind, participant_id, phase_id, technique,"
            " builds_on, replaces, created_at, entry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                idea.session_id,
                idea.seq,
                text,
                kind,
                idea.participant_id,
                idea.phase_id,
                idea.technique,
                idea.builds_on,
                idea.id,
                when,
                idea.entry,
            ],
        )
        return Idea(
            id=cursor.lastrowid or 0,
            session_id=idea.session_id,
            seq=idea.seq,
            text=text,
            kind=kind,
            participant_id=idea.participant_id,
            phase_id=idea.phase_id,
            technique=idea.technique,
            builds_on=idea.builds_on,
            replaces=idea.id,
            created_at=when,
            entry=idea.entry,
        )

    def idea_rows(self, session_id: int, after_id: int = 0) -> list[Idea]:
        """Every row of a session's history, withdrawals and corrections included (only
        those past `after_id`: a screen following other writers asks for what is new)."""
        rows = self.db.execute(
            f"SELECT {self._IDEA_COLUMNS} FROM ideas WHERE session_id = ? AND id > ? ORDER BY id",
            [session_id, after_id],
        ).fetchall()
        return [Idea(*r) for r in rows]

    def idea_by_seq(self, session_id: int, seq: int) -> Idea | None:
        row = self.db.execute(
            f"SELECT {self._IDEA_COLUMNS} FROM ideas WHERE session_id = ? AND seq = ?"
            " AND kind = 'idea'",
            [session_id, seq],
        ).fetchone()
        return Idea(*row) if row else None

    # -- imported ideas ------------------------------------------------------------

    def create_imported_session(
        self, name: str, source: str, started_at: float | None, ended_at: float | None
    ) -> Session:
        """A session made by an import: already ended (nothing to run), no agenda or
        phase log, marked with the file it came from."""
        cursor = self.db.execute(
            "INSERT INTO sessions (plan_id, name, status, created_at, started_at, ended_at,"
            " imported_from) VALUES (NULL, ?, 'ended', ?, ?, ?, ?)",
            [name, self._now(), started_at, ended_at, source],
        )
        return self.session(cursor.lastrowid or 0)

    def imported_session_named(self, name: str) -> Session | None:
        """The latest session an import created under this name."""
        rows = _dicts(
            self.db.execute(
                "SELECT * FROM sessions WHERE name = ? AND imported_from != ''"
                " ORDER BY id DESC LIMIT 1",
                [name],
            )
        )
        return _session(rows[0]) if rows else None

    def session_of_file(self, digest: str) -> Session | None:
        """The session a file with these bytes was last imported into."""
        row = self.db.execute(
            "SELECT session_id FROM imported_ideas WHERE file_digest = ?"
            " ORDER BY idea_id DESC LIMIT 1",
            [digest],
        ).fetchone()
        return self.session(row[0]) if row else None

    def imported_keys(self, session_id: int) -> set[str]:
        """The row keys of every idea imported into the session (withdrawn ones too)."""
        rows = self.db.execute(
            "SELECT row_key FROM imported_ideas WHERE session_id = ?", [session_id]
        ).fetchall()
        return {key for (key,) in rows}

    def imported_key_sessions(self) -> dict[str, int]:
        """Every imported row key in the study with the session holding it: a board
        exported again under another name is recognised by its rows, not its name."""
        rows = self.db.execute(
            "SELECT row_key, session_id FROM imported_ideas ORDER BY idea_id"
        ).fetchall()
        return dict(rows)

    def add_phase(self, session_id: int, title: str, technique: str = "") -> Phase:
        """Append an agenda item with no planned time: a phase named in an imported file."""
        position = self.db.execute(
            "SELECT coalesce(max(position), -1) + 1 FROM phases WHERE session_id = ?",
            [session_id],
        ).fetchone()[0]
        cursor = self.db.execute(
            "INSERT INTO phases (session_id, position, title, technique, planned_seconds)"
            " VALUES (?, ?, ?, ?, 0)",
            [session_id, position, title, technique],
        )
        return Phase(cursor.lastrowid or 0, session_id, position, title, technique, 0)

    def add_imported_ideas(
        self, session_id: int, ideas: Sequence[ImportedIdea], source: str, digest: str
    ) -> int:
        """Append the ideas in order, numbered after the session's last, each with its
        row key; a build-on names a row before it or one imported earlier. One
        transaction: all of them or none."""
        with self.transaction():
            ids = dict(
                self.db.execute(
                    "SELECT row_key, idea_id FROM imported_ideas WHERE session_id = ?",
                    [session_id],
                ).fetchall()
            )
            seq = self.db.execute(
                "SELECT coalesce(max(seq), 0) FROM ideas WHERE session_id = ? AND kind = 'idea'",
                [session_id],
            ).fetchone()[0]
            now = self._now()
            for idea in ideas:
                seq += 1
                builds_on = None
                if idea.builds_on_key is not None:
                    builds_on = ids[idea.builds_on_key]  # KeyError: a caller's bug
                cursor = self.db.execute(
                    "INSERT INTO ideas (session_id, seq, text, kind, participant_id, phase_id,"
                    " technique, builds_on, created_at, entry)"
                    " VALUES (?, ?, ?, 'idea', ?, ?, ?, ?, ?, 'idea')",
                    [
                        session_id,
                        seq,
                        idea.text,
                        idea.participant_id,
                        idea.phase_id,
                        idea.technique,
                        builds_on,
                        now if idea.created_at is None else idea.created_at,
                    ],
                )
                ids[idea.key] = cursor.lastrowid
                self.db.execute(
                    "INSERT INTO imported_ideas (idea_id, session_id, row_key, file_digest,"
                    " source, row) VALUES (?, ?, ?, ?, ?, ?)",
                    [cursor.lastrowid, session_id, idea.key, digest, source, idea.row],
                )
            if ideas:
                name = self.session(session_id).name
                self.log(
                    f"{plural(len(ideas), 'idea')} imported from"
                    f" {one_line(source, 80)} into “{one_line(name, 80)}”"
                )
        return len(ideas)

    # -- picks ------------------------------------------------------------------

    def add_pick(
        self,
        session_id: int,
        phase_id: int,
        idea_id: int,
        participant_id: int | None = None,
        *,
        at: float | None = None,
        note: str = "",
    ) -> Pick:
        """Record a choice of direction, and log it in the phase log in the same
        transaction, so the log tells the whole story and a restart restores it."""
        when = self._now() if at is None else at
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO picks (session_id, phase_id, idea_id, participant_id, at)"
                " VALUES (?, ?, ?, ?, ?)",
                [session_id, phase_id, idea_id, participant_id, when],
            )
            position = self.db.execute(
                "SELECT position FROM phases WHERE id = ?", [phase_id]
            ).fetchone()
            self.db.execute(
                "INSERT INTO phase_log (session_id, kind, at, position, seconds, note)"
                " VALUES (?, 'pick', ?, ?, 0, ?)",
                [session_id, when, position[0] if position else None, note],
            )
        return Pick(cursor.lastrowid or 0, session_id, phase_id, idea_id, participant_id, when)

    def picks(self, session_id: int) -> list[Pick]:
        """A session's picks in the order they were made."""
        rows = self.db.execute(
            "SELECT id, session_id, phase_id, idea_id, participant_id, at FROM picks"
            " WHERE session_id = ? ORDER BY at, id",
            [session_id],
        ).fetchall()
        return [Pick(*r) for r in rows]

    def count_ideas(self, session_id: int | None = None) -> int:
        """Ideas still standing (withdrawn ones excluded)."""
        sql = f"SELECT count(*) FROM ideas i WHERE {_STANDING}"
        params: list[Any] = []
        if session_id is not None:
            sql += " AND i.session_id = ?"
            params.append(session_id)
        return self.db.execute(sql, params).fetchone()[0]

    # -- search -------------------------------------------------------------------

    def search_ideas(self, query: str, limit: int = 50) -> list[Idea]:
        """The ideas `search_hits` finds, best first, without where they matched."""
        return [hit.idea for hit in self.search_hits(query, limit)]

    def search_hits(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Standing ideas in every session that match a query of the search language
        (`ideation.search_query`), best first (bm25 over both indexes, summed), each with
        the spans that matched. A corrected idea is found by its latest text."""
        parsed = parse_query(query)
        if not parsed:
            return []
        params: list[Any] = []
        ranks = self._ranks(parsed.wanted, params)
        conditions = [
            "(" + " OR ".join(self._term_condition(t, params) for t in clause) + ")"
            for clause in parsed.clauses
        ] + [f"NOT {self._term_condition(t, params)}" for t in parsed.excluded]
        columns = ", ".join(
            "h.text" if c.strip() == "text" else f"i.{c.strip()}"
            for c in self._IDEA_COLUMNS.split(",")
        )
        rows = self.db.execute(
            f"SELECT {columns}, h.id, {'coalesce(ranks.score, 0)' if ranks else '0'} AS score"
            " FROM ideas h"
            " JOIN ideas i ON i.id = CASE h.kind WHEN 'correction' THEN h.replaces ELSE h.id END"
            f" {ranks} WHERE {_CURRENT_TEXT} AND {_STANDING}"
            f" AND {' AND '.join(conditions)} ORDER BY score, i.session_id, i.seq LIMIT ?",
            [*params, limit],
        ).fetchall()
        marked = self._marked(parsed.wanted, [row[-2] for row in rows])
        hits = []
        for *idea_columns, row_id, _score in rows:
            idea = Idea(*idea_columns)
            spans = marked_spans(marked[row_id], idea.text) if row_id in marked else []
            spans += substring_spans(idea.text, parsed.wanted)
            hits.append(SearchHit(idea, merged(spans)))
        return hits

    def _ranks(self, wanted: Sequence[Term], params: list[Any]) -> str:
        """A LEFT JOIN of `ranks` (rowid, score): each index's bm25 over the wanted terms
        it answers, summed per row; one subquery, so SQLite indexes it for the join."""
        parts = []
        for index, terms in (
            ("ideas_fts", _word_terms(wanted)),
            ("ideas_trigrams", _gram_terms(wanted) if self._has_trigrams() else []),
        ):
            if terms:
                params.append(" OR ".join(terms))
                parts.append(
                    f"SELECT rowid, bm25({index}) AS score FROM {index} WHERE {index} MATCH ?"
                )
        if not parts:
            return ""
        ranks = parts[0]  # a GROUP BY over one index would run bm25() outside its MATCH
        if len(parts) > 1:
            ranks = f"SELECT rowid, sum(score) AS score FROM ({' UNION ALL '.join(parts)})"
            ranks += " GROUP BY rowid"
        return f"LEFT JOIN ({ranks}) ranks ON ranks.rowid = h.id"

    def _term_condition(self, term: Term, params: list[Any]) -> str:
        """SQL true for a row `h` whose text matches the term: words through the word
        index, substrings through the trigram index (3+ characters), shorter ones by a
        scan (the same few thousand rows the join reads anyway)."""
        if not term.substring:
            params.append(term.fts())
            return "h.id IN (SELECT rowid FROM ideas_fts WHERE ideas_fts MATCH ?)"
        if len(term.text) >= 3 and self._has_trigrams():
            params.append(term.fts())
            return "h.id IN (SELECT rowid FROM ideas_trigrams WHERE ideas_trigrams MATCH ?)"
        params.append(term.text)
        return "instr(lower(h.text), lower(?)) > 0"

    def _marked(self, terms: Sequence[Term], row_ids: Sequence[int]) -> dict[int, str]:
        """The rows' text with the words the word index matched between FTS5 highlight()
        markers, by row id (the substring terms are found in Python)."""
        words = _word_terms(terms)
        if not words or not row_ids:
            return {}
        rows = self.db.execute(
            "SELECT rowid, highlight(ideas_fts, 0, ?, ?) FROM ideas_fts WHERE ideas_fts MATCH ?"
            f" AND rowid IN ({', '.join('?' * len(row_ids))})",
            [OPEN_MARK, CLOSE_MARK, " OR ".join(words), *row_ids],
        ).fetchall()
        return dict(rows)

    def _has_trigrams(self) -> bool:
        """Whether this study has the substring index (SQLite 3.34+ when it was migrated)."""
        return (
            self.db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ideas_trigrams'"
            ).fetchone()
            is not None
        )

    # -- screeners and respondents --------------------------------------------
    # Recruiting records come from rows by one mapping (`_record`), and the recruit
    # screen reads a whole screener in a few set-based queries (`respondents`,
    # `scores_of`, `flags_of`, `contacts_of`), never a query per respondent.

    def upsert_screener(
        self, name: str, title: str, source: str, path: str = "", study: str = ""
    ) -> Screener:
        """Store a screener's definition under its (study, name): a copy with only
        `study:` changed is another screener. A screener stored before studies were
        part of its identity (study '') is claimed by the first study that loads it."""
        with self.transaction():
            found = self.find_screener(name, study)
            if found is None:
                self.db.execute(
                    "INSERT INTO screeners (study, name, title, path, source, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [study, name, title, path, source, self._now()],
                )
            else:
                self.db.execute(
                    "UPDATE screeners SET study = ?, title = ?, path = ?, source = ? WHERE id = ?",
                    [study, title, path, source, found.id],
                )
            row = self._one(
                "SELECT * FROM screeners WHERE study = ? AND name = ?", [study, name], "screener"
            )
        return _record(Screener, row)

    def find_screener(self, name: str, study: str | None = None) -> Screener | None:
        """The screener of this name in this study (or stored before studies counted);
        with no study, the first of that name."""
        if study is None:
            where, params = "name = ?", [name]
        else:
            where, params = "name = ? AND study IN (?, '')", [name, study]
        rows = _dicts(
            self.db.execute(
                f"SELECT * FROM screeners WHERE {where} ORDER BY study = '', id", params
            )
        )
        return _record(Screener, rows[0]) if rows else None

    def screeners(self) -> list[Screener]:
        cursor = self.db.execute("SELECT * FROM screeners ORDER BY id")
        return [_record(Screener, row) for row in _dicts(cursor)]

    def add_respondent(
        self,
        screener_id: int,
        external_id: str,
        answers: dict[str, Any],
        *,
        contact: Contact | None = None,
        source: str = "",
        duration_seconds: float | None = None,
    ) -> Respondent | None:
        """Add one respondent with answers and contact; None if already imported."""
        person = Respondent(0, screener_id, external_id, source, duration_seconds, answers=answers)
        added = self.add_respondents([(person, contact)])
        return self.respondent(added[external_id]) if added else None

    def add_respondents(
        self, people: Sequence[tuple[Respondent, Contact | None]]
    ) -> dict[str, int]:
        """Add new respondents of one screener (each record's screener, external id,
        source, duration, outcome and answers; its id is ignored) with their contacts,
        in one statement per table however many there are: an import of 10,000 runs a
        handful of queries, not several a person. An external id already stored, or
        repeated in `people`, is skipped (the first stands). Returns the new ids by
        external id."""
        if not people:
            return {}
        screener_id = people[0][0].screener_id
        if any(person.screener_id != screener_id for person, _ in people):
            raise ValueError("add_respondents takes the respondents of one screener")
        now = self._now()
        with self.transaction():
            taken = {
                external_id
                for (external_id,) in self.db.execute(
                    "SELECT external_id FROM respondents WHERE screener_id = ?"
                    " AND external_id IN (SELECT value FROM json_each(?))",
                    [screener_id, json.dumps([p.external_id for p, _ in people])],
                )
            }
            fresh: dict[str, tuple[Respondent, Contact | None]] = {}
            for person, contact in people:
                if person.external_id not in taken:
                    fresh.setdefault(person.external_id, (person, contact))
            self.db.conn.executemany(
                "INSERT INTO respondents (screener_id, external_id, source, duration_seconds,"
                " status, terminate_reason, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        screener_id,
                        p.external_id,
                        p.source,
                        p.duration_seconds,
                        p.status,
                        p.terminate_reason,
                        now,
                    )
                    for p, _ in fresh.values()
                ],
            )
            ids = {
                external_id: respondent_id
                for respondent_id, external_id in self.db.execute(
                    "SELECT id, external_id FROM respondents WHERE screener_id = ?"
                    " AND external_id IN (SELECT value FROM json_each(?))",
                    [screener_id, json.dumps(list(fresh))],
                )
            }
            self.db.conn.executemany(
                "INSERT INTO answers (respondent_id, question_id, value) VALUES (?, ?, ?)",
                [
                    (ids[external_id], question, _answer_json(value))
                    for external_id, (person, _) in fresh.items()
                    for question, value in person.answers.items()
                ],
            )
            self.db.conn.executemany(
                "INSERT INTO contacts (respondent_id, name, email, phone) VALUES (?, ?, ?, ?)",
                [
                    (ids[external_id], contact.name, contact.email, contact.phone)
                    for external_id, (_, contact) in fresh.items()
                    if contact is not None
                ],
            )
        return ids

    # -- import at scale --
    # An export of 100,000 is imported a chunk at a time: each chunk asks only for the
    # respondents it names, so a re-import never holds the whole study's answers.

    def respondents_by_external_id(
        self, screener_id: int, external_ids: Sequence[str]
    ) -> dict[str, Respondent]:
        """Those of a screener's respondents whose external id is given, by that id."""
        found = self._respondents(
            "r.screener_id = ? AND r.external_id IN (SELECT value FROM json_each(?))",
            [screener_id, json.dumps(list(external_ids))],
        )
        return {person.external_id: person for person in found}

    def respondent(self, respondent_id: int) -> Respondent:
        found = self._respondents("r.id = ?", [respondent_id])
        if not found:
            raise StoreError(f"{self.path}: no respondent matching {respondent_id!r}")
        return found[0]

    def respondents(self, screener_id: int) -> list[Respondent]:
        """A screener's respondents with their answers, in id order.

        The answers are most of the cost (5 MB of JSON at 10,000 people) and change
        only when respondents are added or re-imported, while the recruit screen reads
        everyone again after every decision: so they are decoded once and kept while
        the screener's state (`screener_state`: count, newest id, newest replaced set)
        stays as it was. Only committed states are kept (a rolled-back write can give
        its ids to other people). Callers never change a record's answers."""
        state = self.screener_state(screener_id)
        cached = self._answers_cache.get(screener_id)
        if cached is not None and cached[0] == state:
            answers = cached[1]
        else:
            answers = self._answers("r.screener_id = ?", [screener_id])
            if not self.db.conn.in_transaction:
                self._answers_cache[screener_id] = (state, answers)
        return self._respondents("r.screener_id = ?", [screener_id], answers)

    def _respondents(
        self, where: str, params: list[Any], answers: dict[int, dict[str, Any]] | None = None
    ) -> list[Respondent]:
        rows = _dicts(
            self.db.execute(f"SELECT r.* FROM respondents r WHERE {where} ORDER BY r.id", params)
        )
        if answers is None:
            answers = self._answers(where, params)
        return [
            _record(
                Respondent,
                {
                    **row,
                    "decision": Decision(row["decision"]),
                    "decided_by": DecidedBy(row["decided_by"]),
                },
                answers.get(row["id"]),
            )
            for row in rows
        ]

    def _answers(self, where: str, params: list[Any]) -> dict[int, dict[str, Any]]:
        """Answers by respondent id. One JSON object a respondent, joined by SQLite from
        the values as Python wrote them: a fraction of the cost of decoding each answer
        apart (18 a respondent in the shipped screener), and no SQLite JSON parser
        between (it refuses NaN). Equal question ids and text answers are held once: each
        decoded object has its own copies, ~100 MB of a panel's 100,000 respondents."""
        cursor = self.db.execute(
            "SELECT a.respondent_id,"
            " '{' || group_concat(json_quote(a.question_id) || ':' || a.value, ',') || '}'"
            f" FROM answers a JOIN respondents r ON r.id = a.respondent_id WHERE {where}"
            " GROUP BY a.respondent_id",
            params,
        )
        held: dict[str, str] = {}
        return {
            respondent_id: {
                held.setdefault(key, key): held.setdefault(value, value)
                if isinstance(value, str)
                else value
                for key, value in json.loads(joined).items()
            }
            for respondent_id, joined in cursor
        }

    def external_ids(self, screener_id: int) -> list[str]:
        """A screener's respondents' survey ids, in id order (the order they came in)."""
        return [
            external_id
            for (external_id,) in self.db.execute(
                "SELECT external_id FROM respondents WHERE screener_id = ? ORDER BY id",
                [screener_id],
            )
        ]

    def count_decided(self, screener_id: int, decision: str) -> int:
        """How many of a screener's respondents have this decision (accepted, say)."""
        return self.db.execute(
            "SELECT count(*) FROM respondents WHERE screener_id = ? AND decision = ?",
            [screener_id, decision],
        ).fetchone()[0]

    def count_respondents(self, screener_id: int | None = None) -> int:
        if screener_id is None:
            return self.db.execute("SELECT count(*) FROM respondents").fetchone()[0]
        return self.db.execute(
            "SELECT count(*) FROM respondents WHERE screener_id = ?", [screener_id]
        ).fetchone()[0]

    def contact(self, respondent_id: int) -> Contact | None:
        return self.contacts_of([respondent_id]).get(respondent_id)

    def contacts_of(self, respondent_ids: Iterable[int]) -> dict[int, Contact]:
        """Contacts by respondent id, for those who left any (personal data: ask for few)."""
        cursor = self.db.execute(
            "SELECT respondent_id, name, email, phone FROM contacts"
            " WHERE respondent_id IN (SELECT value FROM json_each(?))",
            [json.dumps(list(respondent_ids))],
        )
        return {row["respondent_id"]: _record(Contact, row) for row in _dicts(cursor)}

    def set_outcome(self, respondent_id: int, status: str, terminate_reason: str = "") -> None:
        """Record whether the screener completed or terminated, keeping the answers."""
        self.db.execute(
            "UPDATE respondents SET status = ?, terminate_reason = ? WHERE id = ?",
            [status, terminate_reason, respondent_id],
        )

    def set_decision(
        self, respondent_id: int, decision: str, reason: str = "", override: str = ""
    ) -> None:
        """Record the recruiter's decision (as theirs: undeciding says nobody decided),
        and what it overrode on purpose (`override`: a terminate, excluding flags; "" for
        none). A rejection without a reason is refused here too, so no front door (or
        script) can leave one unexplained."""
        value = Decision(decision)  # ValueError for anything but a decision
        if value is Decision.REJECTED and not reason.strip():
            raise ValueError("a rejection needs a reason, for the record")
        by = DecidedBy.RECRUITER if value else DecidedBy.NOBODY
        self.db.execute(
            "UPDATE respondents SET decision = ?, decision_reason = ?, decision_override = ?,"
            " decided_by = ? WHERE id = ?",
            [value.value, reason, override, by.value, respondent_id],
        )

    def set_decisions(self, decided: Iterable[tuple[int, Decision, str]]) -> int:
        """Record the quota fill's decisions (respondent, decision, reason) at once, as
        the fill's, so no reason calls them the recruiter's; returns how many."""
        rows = [
            (d.value, reason, (DecidedBy.FILL if d else DecidedBy.NOBODY).value, rid)
            for rid, d, reason in decided
        ]
        if any(d == Decision.REJECTED.value and not reason.strip() for d, reason, _, _ in rows):
            raise ValueError("a rejection needs a reason, for the record")
        with self.transaction():
            self.db.conn.executemany(
                "UPDATE respondents SET decision = ?, decision_reason = ?,"
                " decision_override = '', decided_by = ? WHERE id = ?",
                rows,
            )
        return len(rows)

    def save_assessment(
        self, respondent_id: int, scores: Iterable[Score], flags: Iterable[Flag]
    ) -> None:
        """Replace a respondent's scores and flags together, so a re-score is never half done."""
        with self.transaction():
            self._replace_assessments(
                [respondent_id],
                [dataclasses.replace(s, respondent_id=respondent_id) for s in scores],
                [dataclasses.replace(f, respondent_id=respondent_id) for f in flags],
            )

    def scores(self, respondent_id: int) -> dict[str, Score]:
        return self._scores("s.respondent_id = ?", [respondent_id]).get(respondent_id, {})

    def scores_of(self, screener_id: int) -> dict[int, dict[str, Score]]:
        """Every stored score of a screener's respondents with its explanation, by
        respondent then kind (a whole recruit list's explanations)."""
        return self._scores("r.screener_id = ?", [screener_id])

    def score_values_of(
        self, screener_id: int, kinds: Sequence[str]
    ) -> dict[int, dict[str, float]]:
        """The values of some scores of a screener's respondents, by respondent then kind:
        the ranked table needs three numbers a person, not every reason behind them."""
        cursor = self.db.execute(
            "SELECT s.respondent_id, s.kind, s.value FROM scores s"
            " JOIN respondents r ON r.id = s.respondent_id"
            f" WHERE r.screener_id = ? AND s.kind IN ({', '.join('?' * len(kinds))})",
            [screener_id, *kinds],
        )
        found: dict[int, dict[str, float]] = {}
        for respondent_id, kind, value in cursor.fetchall():
            found.setdefault(respondent_id, {})[kind] = value
        return found

    def _scores(self, where: str, params: list[Any]) -> dict[int, dict[str, Score]]:
        cursor = self.db.execute(
            "SELECT s.respondent_id, s.kind, s.value, s.explanation FROM scores s"
            f" JOIN respondents r ON r.id = s.respondent_id WHERE {where}",
            params,
        )
        found: dict[int, dict[str, Score]] = {}
        for row in _dicts(cursor):
            row["explanation"] = json.loads(row["explanation"])
            found.setdefault(row["respondent_id"], {})[row["kind"]] = _record(Score, row)
        return found

    def flags(self, respondent_id: int) -> list[Flag]:
        return self._flags("f.respondent_id = ?", [respondent_id]).get(respondent_id, [])

    def flags_of(self, screener_id: int) -> dict[int, list[Flag]]:
        """Every flag of a screener's respondents, by respondent, each in the order raised."""
        return self._flags("r.screener_id = ?", [screener_id])

    def _flags(self, where: str, params: list[Any]) -> dict[int, list[Flag]]:
        cursor = self.db.execute(
            "SELECT f.respondent_id, f.kind, f.reason FROM flags f"
            f" JOIN respondents r ON r.id = f.respondent_id WHERE {where} ORDER BY f.id",
            params,
        )
        found: dict[int, list[Flag]] = {}
        for row in _dicts(cursor):
            found.setdefault(row["respondent_id"], []).append(_record(Flag, row))
        return found

    # -- assessment at scale --
    def save_assessments(
        self,
        outcomes: Sequence[tuple[int, str, str]],
        scores: Iterable[Score],
        flags: Iterable[Flag],
    ) -> None:
        """Store a batch of assessed respondents at once: each (respondent, status,
        terminate reason) in `outcomes` has its scores and flags replaced by those given.

        A few statements a table for the whole batch: saving 100,000 people one at a time
        (a savepoint, five statements and a JSON encoder each) took four minutes."""
        with self.transaction():
            _execute_rows(
                self.db.conn,
                "UPDATE respondents SET status = u.column2, terminate_reason = u.column3"
                " FROM (VALUES {rows}) AS u WHERE respondents.id = u.column1",
                outcomes,
            )
            self._replace_assessments([rid for rid, _, _ in outcomes], scores, flags)

    def _replace_assessments(
        self, respondent_ids: Sequence[int], scores: Iterable[Score], flags: Iterable[Flag]
    ) -> None:
        """Inside a transaction: these respondents' scores and flags become those given,
        in a few statements however many respondents there are."""
        conn = self.db.conn
        ids = [(rid,) for rid in respondent_ids]
        _execute_rows(conn, "DELETE FROM scores WHERE respondent_id IN ({rows})", ids)
        _execute_rows(conn, "DELETE FROM flags WHERE respondent_id IN ({rows})", ids)
        _execute_rows(
            conn,
            "INSERT INTO scores (respondent_id, kind, value, explanation) VALUES {rows}",
            [(s.respondent_id, s.kind, s.value, _explanation_text(s)) for s in scores],
        )
        _execute_rows(
            conn,
            "INSERT INTO flags (respondent_id, kind, reason) VALUES {rows}",
            [(f.respondent_id, f.kind, f.reason) for f in flags],
        )

    # -- recruit screen: has anything changed? --
    def change_counter(self) -> tuple[int, ...]:
        """Changes other connections committed (`data_version`) and rows this one wrote
        (`total_changes`): equal counters, an unchanged study, so a screen need not
        read 10,000 respondents again to find out."""
        data_version = self.db.execute("PRAGMA data_version").fetchone()[0]
        return (data_version, self.db.conn.total_changes)

    def screener_state(self, screener_id: int) -> tuple[Any, ...]:
        """What scoring a screener reads besides its definition: its respondents (how many,
        the last added) and the participation ledger. Equal states mean a stored
        assessment still stands."""
        return tuple(
            self.db.execute(
                "SELECT (SELECT count(*) FROM respondents WHERE screener_id = ?),"
                " (SELECT max(id) FROM respondents WHERE screener_id = ?),"
                " (SELECT max(h.id) FROM respondent_history h JOIN respondents r"
                "  ON r.id = h.respondent_id WHERE r.screener_id = ?),"
                " (SELECT count(*) FROM participation_history),"
                " (SELECT max(id) FROM participation_history),"
                " (SELECT total(took_part_at) FROM participation_history"
                "  WHERE status = 'attended')",  # attendance marked changes no count
                [screener_id, screener_id, screener_id],
            ).fetchone()
        )

    # -- respondent history ---------------------------------------------------------
    # A re-import that brings changed answers replaces them and keeps the set replaced,
    # and the respondent is unscored until the next assessment (scores and flags of the
    # old answers would be about someone else).

    def replace_answers(
        self,
        respondent: Respondent,
        answers: dict[str, Any],
        *,
        contact: Contact | None,
        source: str,
        duration_seconds: float | None,
    ) -> None:
        """Give `respondent` (as stored now) new answers, keeping the old set in history."""
        old = self.contact(respondent.id)
        before = {"name": old.name, "email": old.email, "phone": old.phone} if old else {}
        with self.transaction():
            self.db.execute(
                "INSERT INTO respondent_history (respondent_id, answers, contact,"
                " duration_seconds, source, imported_at, replaced_at, replaced_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    respondent.id,
                    json.dumps(respondent.answers, ensure_ascii=False),
                    json.dumps(before, ensure_ascii=False),
                    respondent.duration_seconds,
                    respondent.source,
                    respondent.imported_at,
                    self._now(),
                    source,
                ],
            )
            self.db.execute("DELETE FROM answers WHERE respondent_id = ?", [respondent.id])
            self.db.conn.executemany(
                "INSERT INTO answers (respondent_id, question_id, value) VALUES (?, ?, ?)",
                [
                    (respondent.id, question, json.dumps(value, ensure_ascii=False))
                    for question, value in answers.items()
                ],
            )
            self.db.execute(
                "UPDATE respondents SET source = ?, duration_seconds = ?, imported_at = ?"
                " WHERE id = ?",
                [source, duration_seconds, self._now(), respondent.id],
            )
            self.db.execute("DELETE FROM contacts WHERE respondent_id = ?", [respondent.id])
            if contact is not None:
                self.db.execute(
                    "INSERT INTO contacts (respondent_id, name, email, phone) VALUES (?, ?, ?, ?)",
                    [respondent.id, contact.name, contact.email, contact.phone],
                )
            self.save_assessment(respondent.id, (), ())

    def answer_history(self, respondent_id: int) -> list[ReplacedAnswers]:
        """The answer sets re-imports replaced, oldest first."""
        cursor = self.db.execute(
            "SELECT * FROM respondent_history WHERE respondent_id = ? ORDER BY id",
            [respondent_id],
        )
        return [
            _record(
                ReplacedAnswers,
                {
                    **row,
                    "answers": json.loads(row["answers"]),
                    "contact": json.loads(row["contact"]),
                },
            )
            for row in _dicts(cursor)
        ]

    # -- people and attendance -------------------------------------------------------
    # A person is every normalised email and phone they ever gave (`person_keys`); the
    # ledger (`participation_history`) says invited -> attended / declined / no_show,
    # and only attended counts as having taken part.

    def link_person(self, respondent_id: int, identity_keys: str | Iterable[str]) -> int:
        """Tie a respondent to one person across studies: the person any of the keys
        (normalised email, phone) already names, or a new one; all keys are then theirs.
        Keys naming two people (an email known as one, a phone as another) make them
        one person, with everything either had."""
        keys = [identity_keys] if isinstance(identity_keys, str) else list(identity_keys)
        keys = [key for key in dict.fromkeys(keys) if key]
        if not keys:
            raise ValueError("a person needs an email or a phone")
        with self.transaction():
            person_id = self._person_for_keys(keys)
            self.db.execute(
                "UPDATE respondents SET person_id = ? WHERE id = ?", [person_id, respondent_id]
            )
        return person_id

    def _person_for_keys(self, keys: list[str]) -> int:
        """The one person these keys name, merged or made as needed; every key theirs.
        Inside the caller's transaction."""
        marks = ", ".join("?" * len(keys))
        found = [
            row[0]
            for row in self.db.execute(
                f"SELECT DISTINCT person_id FROM person_keys WHERE key IN ({marks})"
                " ORDER BY person_id",
                keys,
            )
        ]
        if found:
            person_id = found[0]
            self._merge_people(person_id, found[1:])
        else:
            person_id = self.db.execute(
                "INSERT INTO people (identity_key, created_at) VALUES (?, ?)"
                " ON CONFLICT (identity_key) DO UPDATE SET identity_key = identity_key"
                " RETURNING id",
                [keys[0], self._now()],
            ).fetchone()[0]
        self.db.conn.executemany(
            "INSERT INTO person_keys (key, person_id) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            [(key, person_id) for key in keys],
        )
        return person_id

    def _merge_people(self, kept: int, others: Sequence[int]) -> None:
        """The `others` were the same person as `kept` all along: their keys, respondents,
        seats and ledger rows become `kept`'s, so no past participation is missed."""
        if not others:
            return
        marks = ", ".join("?" * len(others))
        for table in ("person_keys", "respondents", "participants", "participation_history"):
            self.db.execute(
                f"UPDATE {table} SET person_id = ? WHERE person_id IN ({marks})",
                [kept, *others],
            )
        self.db.execute(f"DELETE FROM people WHERE id IN ({marks})", list(others))
        self.log(
            f"people: {plural(len(others) + 1, 'person record')} share an email or phone,"
            f" merged into person {kept} with all their history"
        )

    def person_of(self, respondent_id: int) -> int | None:
        row = self.db.execute(
            "SELECT person_id FROM respondents WHERE id = ?", [respondent_id]
        ).fetchone()
        return row[0] if row else None

    # -- people in bulk (screening a panel) --
    def link_people(self, links: Sequence[tuple[int, Sequence[str]]]) -> dict[int, int]:
        """`link_person` for many respondents, in their order, in one transaction: a panel
        of 100,000 is not 100,000 commits. Returns each respondent's person, as it stands
        after every merge the later keys made."""
        linked: list[int] = []
        with self.transaction():
            for respondent_id, keys in links:
                wanted = [key for key in dict.fromkeys(keys) if key]
                if wanted:  # set at once, so a later merge moves this respondent along
                    self.db.execute(
                        "UPDATE respondents SET person_id = ? WHERE id = ?",
                        [self._person_for_keys(wanted), respondent_id],
                    )
                    linked.append(respondent_id)
            return dict(
                self.db.execute(
                    "SELECT id, person_id FROM respondents"
                    " WHERE id IN (SELECT value FROM json_each(?))",
                    [json.dumps(linked)],
                ).fetchall()
            )

    def last_participations(
        self, person_ids: Iterable[int], excluding: str | None = None
    ) -> dict[int, tuple[str, float]]:
        """`last_participation` for many people in one query: person -> (study, when)."""
        found: dict[int, tuple[str, float]] = {}
        for person_id, study, at in self.db.execute(
            "SELECT person_id, study, took_part_at FROM participation_history"
            " WHERE person_id IN (SELECT value FROM json_each(?)) AND status = 'attended'"
            " AND study IS NOT ? ORDER BY took_part_at DESC",
            [json.dumps(sorted(set(person_ids))), excluding],
        ):
            found.setdefault(person_id, (study, at))
        return found

    def record_participation(
        self,
        person_id: int,
        study: str,
        at: float | None = None,
        *,
        status: Attendance = Attendance.ATTENDED,
        session_id: int | None = None,
    ) -> None:
        self.db.execute(
            "INSERT INTO participation_history (person_id, study, took_part_at, status,"
            " session_id) VALUES (?, ?, ?, ?, ?)",
            [person_id, study, self._now() if at is None else at, str(status), session_id],
        )

    def record_invitation(self, person_id: int, study: str, session_id: int, at: float) -> None:
        """The ledger notes the invitation (once per person and session); it bars
        nobody until attendance is marked."""
        with self.transaction():
            known = self.db.execute(
                "SELECT 1 FROM participation_history WHERE person_id = ? AND session_id = ?",
                [person_id, session_id],
            ).fetchone()
            if known is None:
                self.record_participation(
                    person_id, study, at, status=Attendance.INVITED, session_id=session_id
                )

    def mark_attendance(
        self, session_id: int, participant_id: int, status: Attendance, at: float
    ) -> bool:
        """Say what became of a recruited participant's invitation (dated `at`); False
        when the participant came from no screener, so there is nobody to remember."""
        with self.transaction():
            row = self.db.execute(
                "SELECT p.person_id, coalesce(nullif(s.study, ''), s.title, '')"
                " FROM participants p LEFT JOIN respondents r ON r.id = p.respondent_id"
                " LEFT JOIN screeners s ON s.id = r.screener_id"
                " WHERE p.id = ? AND p.session_id = ?",
                [participant_id, session_id],
            ).fetchone()
            if row is None or row[0] is None:
                return False
            person_id, study = row
            changed = self.db.execute(
                "UPDATE participation_history SET status = ?, took_part_at = ?"
                " WHERE person_id = ? AND session_id = ?",
                [str(status), at, person_id, session_id],
            ).rowcount
            if not changed:
                self.record_participation(
                    person_id, study, at, status=status, session_id=session_id
                )
            self.log(f"session {session_id}: participant {participant_id} {status.value}")
        return True

    def attendance(self, session_id: int) -> dict[int, Attendance]:
        """Each recruited participant's state in this session, by participant id."""
        rows = self.db.execute(
            "SELECT p.id, h.status FROM participants p JOIN participation_history h"
            " ON h.person_id = p.person_id AND h.session_id = p.session_id"
            " WHERE p.session_id = ?",
            [session_id],
        ).fetchall()
        return {pid: Attendance(status) for pid, status in rows}

    def last_participation(
        self, person_id: int, excluding: str | None = None
    ) -> tuple[str, float] | None:
        """The person's most recent study they attended (other than `excluding`), so
        "took part within N months" needs no typing and an invitation does not count."""
        row = self.db.execute(
            "SELECT study, took_part_at FROM participation_history WHERE person_id = ?"
            " AND status = 'attended' AND study IS NOT ? ORDER BY took_part_at DESC LIMIT 1",
            [person_id, excluding],
        ).fetchone()
        return (row[0], row[1]) if row else None

    def participation_ledger(self) -> list[LedgerRow]:
        """Every ledger row with the person's keys and where it stands (its session in
        this file, or the file it was imported from), for carrying history into
        another study file."""
        keys: dict[int, list[str]] = {}
        for key, person_id in self.db.execute(
            "SELECT key, person_id FROM person_keys ORDER BY key"
        ):
            keys.setdefault(person_id, []).append(key)
        rows = self.db.execute(
            "SELECT person_id, study, took_part_at, status, session_id, source"
            " FROM participation_history ORDER BY took_part_at, id"
        ).fetchall()
        return [
            LedgerRow(
                tuple(keys.get(pid, [])),
                study,
                at,
                status,
                source or (f"{self.path.name}, session {session}" if session else ""),
            )
            for pid, study, at, status, session, source in rows
        ]

    def merge_participation(self, ledger: Iterable[LedgerRow], source: str) -> tuple[int, int, int]:
        """Add another study file's ledger to this one, all or nothing: people are
        matched by any shared email or phone. A row is known by where it stands (its
        file and session, and the person): imported again, it is updated to what that
        file says now (a mark corrected there is corrected here), never added twice.
        Returns (rows added, rows updated, rows already here)."""
        added = updated = already = 0
        with self.transaction():
            for row in ledger:
                if not row.keys:
                    continue
                person_id = self._person_for_keys(list(row.keys))
                found = self._ledger_row(person_id, row, source)
                if found is None:
                    self.db.execute(
                        "INSERT INTO participation_history (person_id, study, took_part_at,"
                        " status, source) VALUES (?, ?, ?, ?, ?)",
                        [person_id, row.study, row.at, row.status, row.origin or source],
                    )
                    added += 1
                elif found[1:] == (row.study, row.at, row.status):
                    already += 1
                else:
                    self.db.execute(
                        "UPDATE participation_history SET study = ?, took_part_at = ?,"
                        " status = ? WHERE id = ?",
                        [row.study, row.at, row.status, found[0]],
                    )
                    updated += 1
            if added or updated:
                self.log(
                    f"participation history from {source}: {added} rows added, {updated} updated"
                )
        return added, updated, already

    def _ledger_row(
        self, person_id: int, row: LedgerRow, source: str
    ) -> tuple[int, str, float, str] | None:
        """(id, study, when, status) of this file's copy of `row`: by origin and person,
        else the same person, study, time and state (a row imported before origins were
        kept, named `source`, takes the origin now, so a later correction finds it)."""
        if row.origin:
            found = self.db.execute(
                "SELECT id, study, took_part_at, status FROM participation_history"
                " WHERE source = ? AND person_id = ? ORDER BY id LIMIT 1",
                [row.origin, person_id],
            ).fetchone()
            if found is not None:
                return (found[0], found[1], found[2], found[3])
        found = self.db.execute(
            "SELECT id, study, took_part_at, status, source FROM participation_history"
            " WHERE person_id = ? AND study = ? AND took_part_at = ? AND status = ?"
            " ORDER BY id LIMIT 1",
            [person_id, row.study, row.at, row.status],
        ).fetchone()
        if found is None:
            return None
        if row.origin and found[4] == source:
            self.db.execute(
                "UPDATE participation_history SET source = ? WHERE id = ?", [row.origin, found[0]]
            )
        return (found[0], found[1], found[2], found[3])

    def add_respondent_participant(
        self, session_id: int, label: str, respondent_id: int, person_id: int | None
    ) -> Participant:
        """An accepted respondent joins a session's participants (once)."""
        with self.transaction():
            existing = self.db.execute(
                "SELECT id FROM participants WHERE session_id = ? AND respondent_id = ?",
                [session_id, respondent_id],
            ).fetchone()
            if existing is None:
                self.db.execute(
                    "INSERT INTO participants (session_id, label, respondent_id, person_id)"
                    " VALUES (?, ?, ?, ?)",
                    [session_id, label, respondent_id, person_id],
                )
        return next(p for p in self.participants(session_id) if p.respondent_id == respondent_id)

    # -- clusterings -------------------------------------------------------------

    def save_clustering(
        self,
        scope: Sequence[int],
        themes: Sequence[tuple[int, str, int | None]],
        members: Sequence[Membership],
        *,
        automatic: bool,
        parent_id: int | None = None,
        model: str = "",
        params: dict[str, Any] | None = None,
        note: str = "",
    ) -> ClusteringRecord:
        """Store one revision whole: its themes (number, label, representative) and members."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO clusterings (scope, parent_id, automatic, model, params, note,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    json.dumps(sorted(scope)),
                    parent_id,
                    int(automatic),
                    model,
                    json.dumps(params or {}, ensure_ascii=False),
                    note,
                    self._now(),
                ],
            )
            clustering_id = cursor.lastrowid or 0
            theme_ids: dict[int, int] = {}
            for number, label, representative in themes:
                theme_ids[number] = (
                    self.db.execute(
                        "INSERT INTO clusters (clustering_id, number, label,"
                        " representative_idea_id) VALUES (?, ?, ?, ?)",
                        [clustering_id, number, label, representative],
                    ).lastrowid
                    or 0
                )
            self.db.conn.executemany(
                "INSERT INTO cluster_members (clustering_id, idea_id, cluster_id,"
                " duplicate_group, wild) VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        clustering_id,
                        m.idea_id,
                        theme_ids[m.theme_number],
                        m.duplicate_group,
                        int(m.wild),
                    )
                    for m in members
                ],
            )
            self.log(f"Themes revised ({'automatic' if automatic else note or 'edited'})")
        return self.clustering(clustering_id)

    def clustering(self, clustering_id: int) -> ClusteringRecord:
        row = self._one("SELECT * FROM clusterings WHERE id = ?", [clustering_id], "clustering")
        return ClusteringRecord(
            id=row["id"],
            scope=tuple(json.loads(row["scope"])),
            parent_id=row["parent_id"],
            automatic=bool(row["automatic"]),
            model=row["model"],
            params=json.loads(row["params"]),
            note=row["note"],
            created_at=row["created_at"],
        )

    def clusterings(self, scope: Sequence[int] | None = None) -> list[ClusteringRecord]:
        """Revisions, oldest first; only those of exactly `scope` when given."""
        if scope is None:
            rows = self.db.execute("SELECT id FROM clusterings ORDER BY id").fetchall()
        else:
            rows = self.db.execute(
                "SELECT id FROM clusterings WHERE scope = ? ORDER BY id",
                [json.dumps(sorted(scope))],
            ).fetchall()
        return [self.clustering(r[0]) for r in rows]

    def themes(self, clustering_id: int) -> list[ThemeRecord]:
        rows = self.db.execute(
            "SELECT id, clustering_id, number, label, representative_idea_id FROM clusters"
            " WHERE clustering_id = ? ORDER BY number",
            [clustering_id],
        ).fetchall()
        return [ThemeRecord(*r) for r in rows]

    def memberships(self, clustering_id: int) -> list[Membership]:
        rows = self.db.execute(
            "SELECT m.idea_id, c.number, m.duplicate_group, m.wild FROM cluster_members m"
            " JOIN clusters c ON c.id = m.cluster_id WHERE m.clustering_id = ? ORDER BY m.idea_id",
            [clustering_id],
        ).fetchall()
        return [Membership(r[0], r[1], r[2], bool(r[3])) for r in rows]

    # -- embedding cache ----------------------------------------------------------

    def cached_vectors(self, model: str, hashes: Iterable[str]) -> dict[str, tuple[int, bytes]]:
        """Cached float32 blobs by text hash, looked up in chunks under SQLite's limit."""
        wanted = list(dict.fromkeys(hashes))
        found: dict[str, tuple[int, bytes]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for text_hash, dims, blob in self.db.execute(
                f"SELECT text_hash, dimensions, vector FROM embeddings"
                f" WHERE model = ? AND text_hash IN ({marks})",
                [model, *chunk],
            ).fetchall():
                found[text_hash] = (dims, blob)
        return found

    def cache_vectors(self, model: str, rows: Iterable[tuple[str, int, bytes]]) -> None:
        with self.transaction():
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (model, text_hash, dimensions, vector)"
                " VALUES (?, ?, ?, ?)",
                [(model, text_hash, dims, blob) for text_hash, dims, blob in rows],
            )

    # -- the room ---------------------------------------------------------------
    # Participants' own devices (live/room.py). Every write is one IMMEDIATE transaction.

    _DEVICE_COLUMNS = (
        "id, session_id, participant_id, label, joined_at, last_seen_at, revoked_at, user_agent"
    )

    def open_room(self, session_id: int, token: str, at: float) -> str:
        """The session's open join token: the one already open, else `token`, stored now."""
        with self.transaction():
            opened = self.room_token(session_id)
            if opened is not None:
                return opened
            self.db.execute(
                "INSERT INTO room_access (session_id, token, opened_at) VALUES (?, ?, ?)",
                [session_id, token, at],
            )
            self.log("The room was opened")
        return token

    def room_token(self, session_id: int) -> str | None:
        """The session's open join token, if its room was ever opened and not closed."""
        row = self.db.execute(
            "SELECT token FROM room_access WHERE session_id = ? AND closed_at IS NULL",
            [session_id],
        ).fetchone()
        return row[0] if row else None

    def room_session(self, token: str) -> int | None:
        """The session an open join token belongs to; None for unknown or closed."""
        row = self.db.execute(
            "SELECT session_id FROM room_access WHERE token = ? AND closed_at IS NULL", [token]
        ).fetchone()
        return row[0] if row else None

    def close_room(self, token: str, at: float) -> None:
        """Expire the join token for good (the session has ended)."""
        self.db.execute(
            "UPDATE room_access SET closed_at = ?, server_pid = NULL, server_address = NULL"
            " WHERE token = ? AND closed_at IS NULL",
            [at, token],
        )

    def room_server(self, token: str) -> tuple[int | None, str]:
        """(pid, "host:port") of the process that said it serves this room; (None, "")."""
        row = self.db.execute(
            "SELECT server_pid, server_address FROM room_access WHERE token = ?", [token]
        ).fetchone()
        return (row[0], row[1] or "") if row else (None, "")

    def set_room_server(self, token: str, pid: int | None, address: str = "") -> None:
        """Note which process serves the room now (None: nobody, the server stopped)."""
        self.db.execute(
            "UPDATE room_access SET server_pid = ?, server_address = ? WHERE token = ?",
            [pid, address or None, token],
        )

    def address_revoked(self, session_id: int, address: str) -> bool:
        """Whether a device joined from `address` was revoked in this session."""
        return (
            self.db.execute(
                "SELECT 1 FROM devices WHERE session_id = ? AND client_address = ?"
                " AND revoked_at IS NOT NULL LIMIT 1",
                [session_id, address],
            ).fetchone()
            is not None
        )

    def add_device(
        self,
        session_id: int,
        secret_hash: str,
        participant_id: int | None,
        label: str | None,
        *,
        user_agent: str = "",
        client_address: str = "",
        at: float,
    ) -> Device:
        """A device joins; `label` None numbers it "Anonymous N" among the session's
        anonymous devices, counted inside the transaction so two never share a number."""
        with self.transaction():
            if label is None:
                count = self.db.execute(
                    "SELECT count(*) FROM devices WHERE session_id = ? AND participant_id IS NULL",
                    [session_id],
                ).fetchone()[0]
                label = f"Anonymous {count + 1}"
            cursor = self.db.execute(
                "INSERT INTO devices (session_id, secret_hash, participant_id, label, user_agent,"
                " client_address, joined_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [session_id, secret_hash, participant_id, label, user_agent, client_address]
                + [at, at],
            )
        return Device(
            cursor.lastrowid or 0, session_id, participant_id, label, at, at, None, user_agent
        )

    def device_by_secret(self, secret_hash: str) -> Device | None:
        row = self.db.execute(
            f"SELECT {self._DEVICE_COLUMNS} FROM devices WHERE secret_hash = ?", [secret_hash]
        ).fetchone()
        return Device(*row) if row else None

    def devices(self, session_id: int) -> list[Device]:
        rows = self.db.execute(
            f"SELECT {self._DEVICE_COLUMNS} FROM devices WHERE session_id = ? ORDER BY id",
            [session_id],
        ).fetchall()
        return [Device(*r) for r in rows]

    def touch_device(self, device_id: int, at: float) -> None:
        self.db.execute("UPDATE devices SET last_seen_at = ? WHERE id = ?", [at, device_id])

    def revoke_device(self, device_id: int, at: float) -> None:
        """Refuse the device from now on (its ideas and hits stay, as everything said)."""
        self.db.execute(
            "UPDATE devices SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
            [at, device_id],
        )

    def add_room_ideas(
        self,
        session_id: int,
        writes: Sequence[RoomWrite],
        *,
        seen: Mapping[int, float] | None = None,
        shown: Sequence[tuple[int, int, float]] = (),
    ) -> list[Idea | Exception]:
        """Group commit: the ideas many devices sent, in ONE transaction (one fsync for
        them all, where each alone would wait for its own), in the order given. Each is
        written in its own savepoint, so one that fails is rolled back alone and comes
        back as its error in its place; the others commit. Nothing is read here that the
        caller could read before, so the write lock is held only for the inserts. Along
        with them, needing no transaction of their own: brainwriting pool ideas `shown`
        (device id, idea id, at) and the devices' `seen` times (device id -> time)."""
        results: list[Idea | Exception] = []
        with self.transaction():
            stored = self._room_nonces(writes)  # retries of sends already committed
            for write in writes:
                again = stored.get((write.device_id, write.nonce))
                if again is not None:
                    results.append(self._idea_by_id(again))
                    continue
                try:
                    with self.db.savepoint():
                        idea = self.add_idea(session_id, write.text, **write.fields)
                        self.db.execute(
                            "INSERT INTO room_submissions (device_id, nonce, idea_id)"
                            " VALUES (?, ?, ?)",
                            [write.device_id, write.nonce, idea.id],
                        )
                except (sqlite3.Error, StoreError) as error:
                    if not self.db.conn.in_transaction:
                        raise  # the whole transaction ended: nothing of it was kept
                    results.append(error)
                    continue
                stored[(write.device_id, write.nonce)] = idea.id  # the same send twice here
                results.append(idea)
            for device_id, idea_id, when in shown:
                self._mark_shown(device_id, idea_id, when)
            for device_id, when in (seen or {}).items():
                self.touch_device(device_id, when)
        return results

    def _room_nonces(self, writes: Sequence[RoomWrite]) -> dict[tuple[int, str], int]:
        """(device id, nonce) -> idea id, for those of `writes` already committed: one
        query for a group, instead of one per send."""
        if not writes:
            return {}
        pairs = ", ".join("(?, ?)" for _ in writes)
        rows = self.db.execute(
            "SELECT device_id, nonce, idea_id FROM room_submissions"
            f" WHERE (device_id, nonce) IN (VALUES {pairs})",
            [value for write in writes for value in (write.device_id, write.nonce)],
        ).fetchall()
        return {(device_id, nonce): idea_id for device_id, nonce, idea_id in rows}

    def pool_pick(
        self, session_id: int, device_id: int, participant_id: int | None, phase_id: int | None
    ) -> Idea | None:
        """Brainwriting's pool: one standing idea by someone else (not sent from this
        device, not by its participant), never one this device has seen while another
        remains; then this phase's first, the least shown, the oldest. Only reads: the
        caller records it shown, with a send or alone (`add_room_ideas`)."""
        columns = ", ".join("i." + c.strip() for c in self._IDEA_COLUMNS.split(","))
        row = self.db.execute(
            f"SELECT {columns} FROM ideas i"
            " LEFT JOIN pool_shown mine ON mine.device_id = ? AND mine.idea_id = i.id"
            f" WHERE i.session_id = ? AND {_STANDING} AND i.entry IN ('idea', 'springboard')"
            " AND (? IS NULL OR i.participant_id IS NOT ?)"
            " AND NOT EXISTS (SELECT 1 FROM room_submissions r"
            " WHERE r.idea_id = i.id AND r.device_id = ?)"
            " ORDER BY mine.shown_at IS NOT NULL, i.phase_id IS NOT ?,"
            " (SELECT coalesce(sum(s.times), 0) FROM pool_shown s WHERE s.idea_id = i.id),"
            " mine.shown_at, i.id LIMIT 1",
            [device_id, session_id, participant_id, participant_id, device_id, phase_id],
        ).fetchone()
        return Idea(*row) if row else None

    def _mark_shown(self, device_id: int, idea_id: int, at: float) -> None:
        self.db.execute(
            "INSERT INTO pool_shown (device_id, idea_id, shown_at) VALUES (?, ?, ?)"
            " ON CONFLICT (device_id, idea_id) DO UPDATE SET times = times + 1,"
            " shown_at = excluded.shown_at",
            [device_id, idea_id, at],
        )

    def add_hit(
        self,
        session_id: int,
        idea_id: int,
        phase_id: int,
        device_id: int,
        participant_id: int | None,
        *,
        limit: int,
        at: float,
    ) -> str:
        """Hit an idea for a device (and its participant): "added", "already" (this
        person hit it before, on any device) or "full" (`limit` hits in this phase)."""
        person = "(device_id = ? OR (? IS NOT NULL AND participant_id = ?))"
        who = [device_id, participant_id, participant_id]
        with self.transaction():
            if self.db.execute(
                f"SELECT 1 FROM hits WHERE idea_id = ? AND {person}", [idea_id, *who]
            ).fetchone():
                return "already"
            used = self.db.execute(
                f"SELECT count(*) FROM hits WHERE phase_id = ? AND {person}", [phase_id, *who]
            ).fetchone()[0]
            if used >= limit:
                return "full"
            self.db.execute(
                "INSERT INTO hits (session_id, idea_id, phase_id, device_id, participant_id, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [session_id, idea_id, phase_id, device_id, participant_id, at],
            )
        return "added"

    def remove_hit(self, idea_id: int, device_id: int, participant_id: int | None) -> None:
        """Take a hit back (this person's, from whichever of their devices made it)."""
        self.db.execute(
            "DELETE FROM hits WHERE idea_id = ?"
            " AND (device_id = ? OR (? IS NOT NULL AND participant_id = ?))",
            [idea_id, device_id, participant_id, participant_id],
        )

    def hits_of(self, device_id: int, participant_id: int | None) -> set[int]:
        """Idea ids this device, or its participant on another device, has hit."""
        rows = self.db.execute(
            "SELECT idea_id FROM hits WHERE device_id = ?"
            " UNION SELECT idea_id FROM hits WHERE ? IS NOT NULL AND participant_id = ?",
            [device_id, participant_id, participant_id],
        ).fetchall()
        return {r[0] for r in rows}

    def hit_counts(self, session_ids: Iterable[int]) -> dict[int, int]:
        """Idea id -> hits, for the sessions given (ideas nobody hit are left out)."""
        counts: dict[int, int] = {}
        for session_id in session_ids:
            for idea_id, count in self.db.execute(
                "SELECT idea_id, count(*) FROM hits WHERE session_id = ? GROUP BY idea_id",
                [session_id],
            ).fetchall():
                counts[idea_id] = count
        return counts

    def room_version(self, session_id: int) -> tuple[Any, ...]:
        """What changes whenever anything the room shows changes, in one statement of
        indexed lookups: newest row, newest phase-log event, session state, hits."""
        return self.db.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM ideas WHERE session_id = ?),"
            " (SELECT coalesce(max(id), 0) FROM phase_log WHERE session_id = ?),"
            " (SELECT kind FROM phase_log WHERE session_id = ? AND kind != 'pick'"
            "  ORDER BY at DESC, id DESC LIMIT 1),"
            " (SELECT status || '/' || anonymous_mode FROM sessions WHERE id = ?),"
            " (SELECT coalesce(max(id), 0) || '/' || count(*) FROM hits WHERE session_id = ?)",
            [session_id] * 5,
        ).fetchone()

    def _idea_by_id(self, idea_id: int) -> Idea:
        row = self.db.execute(
            f"SELECT {self._IDEA_COLUMNS} FROM ideas WHERE id = ?", [idea_id]
        ).fetchone()
        return Idea(*row)

    # -- live-session leases -------------------------------------------------------

    def lease(self, session_id: int) -> Lease | None:
        row = self.db.execute(
            "SELECT session_id, holder, taken_at, renewed_at FROM session_leases"
            " WHERE session_id = ?",
            [session_id],
        ).fetchone()
        return Lease(*row) if row else None

    def take_lease(self, session_id: int, holder: str) -> Lease:
        """Become the one live controller of a session, unless someone alive holds it."""
        with self.transaction():
            now = self._now()
            current = self.lease(session_id)
            if current is not None and current.holder != holder:
                expired = now - current.renewed_at > LEASE_SECONDS
                if not expired and not _holder_is_dead(current.holder):
                    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(current.taken_at))
                    raise SessionHeld(
                        f"{self.path}: session {session_id} is being run by"
                        f" {one_line(current.holder, 80)} since {since}; this screen can only"
                        " watch"
                    )
            taken_at = current.taken_at if current and current.holder == holder else now
            self.db.execute(
                "INSERT INTO session_leases (session_id, holder, taken_at, renewed_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET"
                " holder = excluded.holder, taken_at = excluded.taken_at,"
                " renewed_at = excluded.renewed_at",
                [session_id, holder, taken_at, now],
            )
        return Lease(session_id, holder, taken_at, now)

    def renew_lease(self, session_id: int, holder: str) -> bool:
        """Keep the lease alive; False when someone else has taken it over."""
        cursor = self.db.execute(
            "UPDATE session_leases SET renewed_at = ? WHERE session_id = ? AND holder = ?",
            [self._now(), session_id, holder],
        )
        return cursor.rowcount == 1

    def release_lease(self, session_id: int, holder: str) -> None:
        """Give the session back (only our own lease: a taker-over keeps theirs)."""
        self.db.execute(
            "DELETE FROM session_leases WHERE session_id = ? AND holder = ?",
            [session_id, holder],
        )

    # -- safety: check and backup ---------------------------------------------------

    def check(self) -> list[str]:
        """What `ideation check` reports: SQLite's integrity and foreign-key problems,
        one line each; [] when the file is sound."""
        try:
            problems = [
                one_line(row[0])
                for row in self.db.execute("PRAGMA integrity_check").fetchall()
                if row[0] != "ok"
            ]
            for table, rowid, parent, _ in self.db.execute("PRAGMA foreign_key_check"):
                problems.append(f"{table} row {rowid} refers to a missing {parent} row")
        except sqlite3.DatabaseError as error:
            if _primary_code(error) not in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
                raise
            problems = [f"SQLite cannot read the file: {one_line(str(error))}"]
        return problems

    def backup(self, target: str | Path) -> None:
        """A consistent copy via SQLite's backup API, safe while a session writes: made
        0600 in a temporary file beside `target`, synced, then renamed over it."""
        target = Path(target)
        if target.resolve() == self.path.resolve():
            raise StoreError(f"{target}: that is the study itself; choose another file")
        try:
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        except OSError as error:
            raise StoreError(
                f"{target}: cannot write a backup there ({error.strerror or error})"
            ) from error
        os.close(fd)
        temp = Path(name)
        try:
            copy = sqlite3.connect(temp)
            try:
                self.db.conn.backup(copy)
            finally:
                copy.close()
            _fsync(temp)
            os.replace(temp, target)
            _fsync(target.parent, folder=True)
        except sqlite3.Error as error:
            translated = study_error(error, target, self._busy_ms)
            raise (translated or error) from error
        except OSError as error:
            raise StoreError(f"{target}: backup failed ({error.strerror or error})") from error
        finally:
            temp.unlink(missing_ok=True)
            Path(f"{temp}-journal").unlink(missing_ok=True)

    # -- helpers ------------------------------------------------------------------

    def _one(self, sql: str, params: list[Any], what: str) -> dict[str, Any]:
        rows = _dicts(self.db.execute(sql, params))
        if not rows:
            raise StoreError(f"{self.path}: no {what} matching {params[0]!r}")
        return rows[0]


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    """The rows of a query as dicts keyed by its column names."""
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


_Record = TypeVar("_Record")


def _record(kind: type[_Record], row: dict[str, Any], answers: Any = None) -> _Record:
    """A record from a row dict by column name; columns the record does not hold (a
    respondent's `person_id`) stay behind. `answers` is a respondent's, when given."""
    names = _field_names(kind)
    values = {key: value for key, value in row.items() if key in names}
    if answers is not None:
        values["answers"] = answers
    return kind(**values)


@functools.cache
def _field_names(kind: type) -> frozenset[str]:
    return frozenset(field.name for field in dataclasses.fields(kind))


def _session(row: dict[str, Any]) -> Session:
    return Session(**{**row, "anonymous_mode": bool(row.get("anonymous_mode", 0))})


#: Ideas as they stand: numbered ideas that no withdrawal has replaced.
_STANDING = (
    "i.kind = 'idea' AND NOT EXISTS (SELECT 1 FROM ideas w"
    " WHERE w.replaces = i.id AND w.kind = 'withdrawal')"
)


#: The row `h` holds an idea's text as it stands: the idea with no correction, or
#: its latest correction (corrections replace the idea's text; the original stays).
_CURRENT_TEXT = (
    "(h.kind = 'idea' AND NOT EXISTS (SELECT 1 FROM ideas c"
    " WHERE c.replaces = h.id AND c.kind = 'correction')"
    " OR h.kind = 'correction' AND NOT EXISTS (SELECT 1 FROM ideas c"
    " WHERE c.replaces = h.replaces AND c.kind = 'correction' AND c.id > h.id))"
)


def _word_terms(terms: Iterable[Term]) -> list[str]:
    """FTS5 strings of the terms the word index answers."""
    return [t.fts() for t in terms if not t.substring]


def _gram_terms(terms: Iterable[Term]) -> list[str]:
    """FTS5 strings of the terms the trigram index answers (it needs 3+ characters)."""
    return [t.fts() for t in terms if t.substring and len(t.text) >= 3]


def open_store(path: str | Path | None = None) -> Store:
    return Store(path or default_db_path())
