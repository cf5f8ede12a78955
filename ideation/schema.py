"""Provides the versioned schema of a study database.

One SQLite file holds a whole study: screeners and their respondents, session
plans, sessions with their phase log and ideas, the embedding cache and the
clustering revisions. Migrations run in order on open and are recorded in
`_sqlite_migrations`, so an old file is upgraded in place; `PRAGMA
user_version` is set to `SCHEMA_VERSION` after migrating, so a newer file (a
migration name or a version this code does not know) is refused before
anything is written to it. Names are plain English so the file reads well in
Datasette.

sqlite-utils runs the migrations, but importing it costs about 0.3 s (it pulls
in numpy), so it is imported only when a migration is pending: whether one is
comes from reading `_sqlite_migrations` with plain sqlite3 (`applied_names`,
`pending_names`), and an up-to-date study opens without it.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database, Migrations

#: The migration set's name in `_sqlite_migrations`.
MIGRATION_SET = "ideation"
MIGRATIONS_TABLE = "_sqlite_migrations"


def m001_initial(db: Database) -> None:
    """The whole domain, so later features add behaviour rather than tables."""
    db.executescript(
        """
        CREATE TABLE study_settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE activity (
            id INTEGER PRIMARY KEY,
            at REAL NOT NULL,
            what TEXT NOT NULL
        );

        -- Recruit ---------------------------------------------------------
        CREATE TABLE screeners (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL DEFAULT '',
            path TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            identity_key TEXT NOT NULL UNIQUE,  -- normalised email or phone
            created_at REAL NOT NULL
        );
        CREATE TABLE participation_history (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            study TEXT NOT NULL,
            took_part_at REAL NOT NULL
        );
        CREATE TABLE respondents (
            id INTEGER PRIMARY KEY,
            screener_id INTEGER NOT NULL REFERENCES screeners(id),
            external_id TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            duration_seconds REAL,
            status TEXT NOT NULL DEFAULT 'complete',
            terminate_reason TEXT NOT NULL DEFAULT '',
            decision TEXT NOT NULL DEFAULT '',
            decision_reason TEXT NOT NULL DEFAULT '',
            person_id INTEGER REFERENCES people(id),
            imported_at REAL NOT NULL,
            UNIQUE (screener_id, external_id)
        );
        CREATE TABLE answers (
            respondent_id INTEGER NOT NULL REFERENCES respondents(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            value TEXT NOT NULL,  -- JSON
            PRIMARY KEY (respondent_id, question_id)
        );
        CREATE TABLE contacts (
            respondent_id INTEGER PRIMARY KEY REFERENCES respondents(id) ON DELETE CASCADE,
            name TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE scores (
            respondent_id INTEGER NOT NULL REFERENCES respondents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,  -- involvement, creativity, composite, fluency, ...
            value REAL NOT NULL,
            explanation TEXT NOT NULL DEFAULT '{}',  -- JSON: which answers counted and why
            PRIMARY KEY (respondent_id, kind)
        );
        CREATE TABLE flags (
            id INTEGER PRIMARY KEY,
            respondent_id INTEGER NOT NULL REFERENCES respondents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            reason TEXT NOT NULL
        );

        -- Facilitate ------------------------------------------------------
        CREATE TABLE plans (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            path TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER REFERENCES plans(id),
            name TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'planned',  -- planned, running, ended
            created_at REAL NOT NULL,
            started_at REAL,
            ended_at REAL
        );
        CREATE TABLE phases (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            position INTEGER NOT NULL,
            title TEXT NOT NULL,
            technique TEXT NOT NULL,
            planned_seconds INTEGER NOT NULL,
            prompts TEXT NOT NULL DEFAULT '[]',  -- JSON list
            stimuli TEXT NOT NULL DEFAULT '[]',  -- JSON list
            notes TEXT NOT NULL DEFAULT '',
            UNIQUE (session_id, position)
        );
        CREATE TABLE phase_log (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            kind TEXT NOT NULL CHECK (kind IN ('start', 'pause', 'resume', 'extend', 'end')),
            at REAL NOT NULL,
            position INTEGER,
            seconds INTEGER NOT NULL DEFAULT 0,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX phase_log_by_session ON phase_log (session_id, at, id);
        CREATE TABLE participants (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            label TEXT NOT NULL,
            anonymous INTEGER NOT NULL DEFAULT 0,
            respondent_id INTEGER REFERENCES respondents(id),
            person_id INTEGER REFERENCES people(id)
        );
        CREATE TABLE ideas (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            seq INTEGER NOT NULL,  -- the number said aloud; a withdrawal carries its idea's
            text TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'idea' CHECK (kind IN ('idea', 'withdrawal', 'correction')),
            participant_id INTEGER REFERENCES participants(id),
            phase_id INTEGER REFERENCES phases(id),
            technique TEXT NOT NULL DEFAULT '',
            builds_on INTEGER REFERENCES ideas(id),
            replaces INTEGER REFERENCES ideas(id),
            created_at REAL NOT NULL
        );
        CREATE UNIQUE INDEX ideas_numbered ON ideas (session_id, seq) WHERE kind = 'idea';
        CREATE INDEX ideas_by_session ON ideas (session_id, id);
        CREATE INDEX ideas_by_replaced ON ideas (replaces) WHERE replaces IS NOT NULL;
        -- Append-only: what a person said is never overwritten or deleted.
        CREATE TRIGGER ideas_append_only_update BEFORE UPDATE ON ideas
        BEGIN SELECT RAISE(ABORT, 'ideas are append-only: add a correction instead'); END;
        CREATE TRIGGER ideas_append_only_delete BEFORE DELETE ON ideas
        BEGIN SELECT RAISE(ABORT, 'ideas are append-only: add a withdrawal instead'); END;

        -- Make sense ------------------------------------------------------
        CREATE TABLE embeddings (
            model TEXT NOT NULL,
            text_hash TEXT NOT NULL,  -- sha256 of the text
            dimensions INTEGER NOT NULL,
            vector BLOB NOT NULL,  -- float32, normalised
            PRIMARY KEY (model, text_hash)
        );
        CREATE TABLE clusterings (
            id INTEGER PRIMARY KEY,
            scope TEXT NOT NULL,  -- JSON list of session ids
            parent_id INTEGER REFERENCES clusterings(id),
            automatic INTEGER NOT NULL DEFAULT 1,
            model TEXT NOT NULL DEFAULT '',
            params TEXT NOT NULL DEFAULT '{}',
            note TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL
        );
        CREATE TABLE clusters (
            id INTEGER PRIMARY KEY,
            clustering_id INTEGER NOT NULL REFERENCES clusterings(id),
            number INTEGER NOT NULL,
            label TEXT NOT NULL DEFAULT '',
            representative_idea_id INTEGER REFERENCES ideas(id),
            UNIQUE (clustering_id, number)
        );
        CREATE TABLE cluster_members (
            clustering_id INTEGER NOT NULL REFERENCES clusterings(id),
            idea_id INTEGER NOT NULL REFERENCES ideas(id),
            cluster_id INTEGER NOT NULL REFERENCES clusters(id),
            duplicate_group INTEGER,
            wild INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (clustering_id, idea_id)
        );
        """
    )
    db["ideas"].enable_fts(["text"], fts_version="FTS5", create_triggers=True)


def m002_session_leases(db: Database) -> None:
    """One live controller per session: the lease names its holder and is renewed."""
    db.executescript(
        """
        CREATE TABLE session_leases (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
            holder TEXT NOT NULL,  -- "label@host:pid"
            taken_at REAL NOT NULL,
            renewed_at REAL NOT NULL
        );
        """
    )


def m003_synectics_chain(db: Database) -> None:
    """The excursion as a chain of choices: entry kinds, the problem owner's role,
    picks (also logged in the phase log), plan templates per phase, and anonymous
    mode as session state. Old studies upgrade in place: every old row is an idea."""
    # executescript commits what is pending first, so the savepoint keeps this one
    # all-or-nothing (the phase log is dropped and rebuilt in it).
    db.executescript(
        """
        SAVEPOINT m003;
        ALTER TABLE ideas ADD COLUMN entry TEXT NOT NULL DEFAULT 'idea' CHECK (entry IN
            ('idea', 'springboard', 'excursion', 'concern', 'plus', 'potential'));
        ALTER TABLE participants ADD COLUMN role TEXT NOT NULL DEFAULT ''
            CHECK (role IN ('', 'problem_owner'));
        ALTER TABLE sessions ADD COLUMN anonymous_mode INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE phases ADD COLUMN say TEXT NOT NULL DEFAULT '';
        ALTER TABLE phases ADD COLUMN card TEXT NOT NULL DEFAULT '';
        CREATE TABLE picks (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            phase_id INTEGER NOT NULL REFERENCES phases(id),
            idea_id INTEGER NOT NULL REFERENCES ideas(id),
            participant_id INTEGER REFERENCES participants(id),
            at REAL NOT NULL
        );
        CREATE INDEX picks_by_session ON picks (session_id, at, id);
        -- Picks: nothing is scored or voted, so a pick is never changed or removed.
        CREATE TRIGGER picks_append_only_update BEFORE UPDATE ON picks
        BEGIN SELECT RAISE(ABORT, 'picks are append-only: pick again instead'); END;
        CREATE TRIGGER picks_append_only_delete BEFORE DELETE ON picks
        BEGIN SELECT RAISE(ABORT, 'picks are append-only: pick again instead'); END;

        -- The phase log learns "pick": SQLite cannot alter a CHECK, so rebuild it.
        CREATE TABLE phase_log_new (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            kind TEXT NOT NULL
                CHECK (kind IN ('start', 'pause', 'resume', 'extend', 'end', 'pick')),
            at REAL NOT NULL,
            position INTEGER,
            seconds INTEGER NOT NULL DEFAULT 0,
            note TEXT NOT NULL DEFAULT ''
        );
        INSERT INTO phase_log_new (id, session_id, kind, at, position, seconds, note)
            SELECT id, session_id, kind, at, position, seconds, note FROM phase_log;
        DROP TABLE phase_log;
        ALTER TABLE phase_log_new RENAME TO phase_log;
        CREATE INDEX phase_log_by_session ON phase_log (session_id, at, id);
        RELEASE m003;
        """
    )


def m004_room(db: Database) -> None:
    """The room: participants' own devices writing into a running session. A join token
    per session, devices (the cookie's secret is kept only as its sha256), each device's
    submissions by nonce (a retried send is the same idea), which pool idea each device
    was shown (brainwriting), and hits (the only judging: positive, one per idea and
    device). Every per-request lookup has its index."""
    db.executescript(
        """
        SAVEPOINT m004;
        CREATE TABLE room_access (
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            token TEXT NOT NULL UNIQUE,  -- secrets.token_urlsafe: the join address
            opened_at REAL NOT NULL,
            closed_at REAL,  -- set when the session ends: the token lives as long as it
            server_pid INTEGER,  -- the process serving the room now (None: not served)
            server_address TEXT  -- where it serves, "host:port", for "already runs at"
        );
        CREATE INDEX room_access_open ON room_access (session_id) WHERE closed_at IS NULL;
        CREATE TABLE devices (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            secret_hash TEXT NOT NULL UNIQUE,  -- sha256 of the cookie's secret
            participant_id INTEGER REFERENCES participants(id),
            label TEXT NOT NULL,  -- the chosen name, or "Anonymous N"
            user_agent TEXT NOT NULL DEFAULT '',
            client_address TEXT NOT NULL DEFAULT '',  -- a revoked one may not join again
            joined_at REAL NOT NULL,
            last_seen_at REAL NOT NULL,
            revoked_at REAL
        );
        CREATE INDEX devices_by_session ON devices (session_id, id);
        CREATE INDEX devices_by_address ON devices (session_id, client_address)
            WHERE revoked_at IS NOT NULL;
        CREATE TABLE room_submissions (
            device_id INTEGER NOT NULL REFERENCES devices(id),
            nonce TEXT NOT NULL,
            idea_id INTEGER NOT NULL REFERENCES ideas(id),
            PRIMARY KEY (device_id, nonce)
        );
        CREATE INDEX room_submissions_by_idea ON room_submissions (idea_id);
        CREATE TABLE pool_shown (
            device_id INTEGER NOT NULL REFERENCES devices(id),
            idea_id INTEGER NOT NULL REFERENCES ideas(id),
            times INTEGER NOT NULL DEFAULT 1,
            shown_at REAL NOT NULL,
            PRIMARY KEY (device_id, idea_id)
        );
        CREATE INDEX pool_shown_by_idea ON pool_shown (idea_id);
        CREATE TABLE hits (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            idea_id INTEGER NOT NULL REFERENCES ideas(id),
            phase_id INTEGER NOT NULL REFERENCES phases(id),
            device_id INTEGER NOT NULL REFERENCES devices(id),
            participant_id INTEGER REFERENCES participants(id),
            at REAL NOT NULL,
            UNIQUE (idea_id, device_id)
        );
        CREATE INDEX hits_by_session ON hits (session_id, idea_id);
        CREATE INDEX hits_by_device ON hits (device_id, phase_id);
        CREATE INDEX hits_by_participant ON hits (participant_id, phase_id)
            WHERE participant_id IS NOT NULL;
        RELEASE m004;
        """
    )


#: FTS5's trigram tokenizer (substring search in scripts without spaces) is in SQLite
#: 3.34+; on an older SQLite those terms fall back to a scan (see `Store.search_hits`).
TRIGRAM_TOKENIZER = sqlite3.sqlite_version_info >= (3, 34, 0)


def m005_search(db: Database) -> None:
    """Search that finds: `ideas_fts` moves to word forms (Porter stemming, accents
    folded), and `ideas_trigrams` indexes every three characters for substrings
    (Chinese, Japanese, Thai have no spaces between words). Both read the text from
    `ideas` (external content) and are rebuilt from the existing rows; the triggers keep
    sqlite-utils' names. Only the word index says content="ideas", so Datasette and
    sqlite-utils find it as the table's search index."""
    trigram = (
        """
        CREATE VIRTUAL TABLE ideas_trigrams USING fts5 (text, content='ideas', tokenize='trigram');
        INSERT INTO ideas_trigrams (ideas_trigrams) VALUES ('rebuild');
        CREATE TRIGGER ideas_trigrams_ai AFTER INSERT ON ideas BEGIN
            INSERT INTO ideas_trigrams (rowid, text) VALUES (new.rowid, new.text);
        END;
        CREATE TRIGGER ideas_trigrams_ad AFTER DELETE ON ideas BEGIN
            INSERT INTO ideas_trigrams (ideas_trigrams, rowid, text)
                VALUES ('delete', old.rowid, old.text);
        END;
        CREATE TRIGGER ideas_trigrams_au AFTER UPDATE ON ideas BEGIN
            INSERT INTO ideas_trigrams (ideas_trigrams, rowid, text)
                VALUES ('delete', old.rowid, old.text);
            INSERT INTO ideas_trigrams (rowid, text) VALUES (new.rowid, new.text);
        END;
        """
        if TRIGRAM_TOKENIZER
        else ""
    )
    db.executescript(
        f"""
        SAVEPOINT m005;
        DROP TRIGGER IF EXISTS ideas_ai;
        DROP TRIGGER IF EXISTS ideas_ad;
        DROP TRIGGER IF EXISTS ideas_au;
        DROP TABLE IF EXISTS ideas_fts;
        CREATE VIRTUAL TABLE ideas_fts USING fts5 (
            text, content="ideas", tokenize="porter unicode61 remove_diacritics 2"
        );
        INSERT INTO ideas_fts (ideas_fts) VALUES ('rebuild');
        CREATE TRIGGER ideas_ai AFTER INSERT ON ideas BEGIN
            INSERT INTO ideas_fts (rowid, text) VALUES (new.rowid, new.text);
        END;
        CREATE TRIGGER ideas_ad AFTER DELETE ON ideas BEGIN
            INSERT INTO ideas_fts (ideas_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        END;
        CREATE TRIGGER ideas_au AFTER UPDATE ON ideas BEGIN
            INSERT INTO ideas_fts (ideas_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
            INSERT INTO ideas_fts (rowid, text) VALUES (new.rowid, new.text);
        END;
        {trigram}
        RELEASE m005;
        """
    )


def m006_imported_sessions(db: Database) -> None:
    """Ideas brought in from files: a session created by an import names its file
    (`imported_from`; '' for a session run live), and each imported idea keeps the
    key of the row it came from, so importing the same file again adds nothing."""
    db.executescript(
        """
        SAVEPOINT m006;
        ALTER TABLE sessions ADD COLUMN imported_from TEXT NOT NULL DEFAULT '';
        CREATE TABLE imported_ideas (
            idea_id INTEGER PRIMARY KEY REFERENCES ideas(id),
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            row_key TEXT NOT NULL,  -- sha256 of the row: text, participant, phase, time, repeat
            file_digest TEXT NOT NULL,  -- sha256 of the file's bytes
            source TEXT NOT NULL,  -- the file's name
            row INTEGER NOT NULL,  -- its row (or line) in that file
            UNIQUE (session_id, row_key)
        );
        CREATE INDEX imported_ideas_by_file ON imported_ideas (file_digest);
        RELEASE m006;
        """
    )


def m007_respondent_history(db: Database) -> None:
    """Re-imports keep what they replace: a respondent whose answers changed in a new
    export gets the new ones, and the set replaced (answers, duration, contact, which
    file and when) moves here, so nothing a respondent said is ever lost."""
    db.executescript(
        """
        SAVEPOINT m007;
        CREATE TABLE respondent_history (
            id INTEGER PRIMARY KEY,
            respondent_id INTEGER NOT NULL REFERENCES respondents(id) ON DELETE CASCADE,
            answers TEXT NOT NULL,  -- JSON object: the answer set replaced
            contact TEXT NOT NULL DEFAULT '{}',  -- JSON object: name, email, phone then
            duration_seconds REAL,
            source TEXT NOT NULL DEFAULT '',  -- the file the replaced set came from
            imported_at REAL NOT NULL,  -- when the replaced set was imported
            replaced_at REAL NOT NULL,
            replaced_by TEXT NOT NULL DEFAULT ''  -- the file whose answers replaced it
        );
        CREATE INDEX respondent_history_by_respondent ON respondent_history (respondent_id);
        RELEASE m007;
        """
    )


def m008_recruit_decisions(db: Database) -> None:
    """An accept or a standby over a terminate or an excluding flag is an override the
    recruiter said they meant; `decision_override` keeps what it overruled, as said then
    ('' for a decision that overruled nothing), so explanations and exports show it."""
    db.executescript(
        """
        SAVEPOINT m008;
        ALTER TABLE respondents ADD COLUMN decision_override TEXT NOT NULL DEFAULT '';
        RELEASE m008;
        """
    )


def m009_people_attendance(db: Database) -> None:
    """Honest history. A person is known by every email and phone they gave
    (`person_keys`), so a new email with the same phone is still them. The ledger says
    what happened (invited, attended, declined, no_show) for which session, and where an
    imported row came from; only `attended` counts as taking part. Existing rows were
    written at invite time and stay `attended`, so no exclusion quietly lapses. A
    screener is known by its study and name, so a copied screener for another study is
    a new screener, not a merge. The table is rebuilt for the new UNIQUE, ids kept; the
    rows go back after the drop, so the deferred foreign keys of respondents hold again."""
    db.executescript(
        """
        SAVEPOINT m009;
        PRAGMA defer_foreign_keys = ON;
        CREATE TABLE person_keys (
            key TEXT PRIMARY KEY,  -- normalised email or phone
            person_id INTEGER NOT NULL REFERENCES people(id)
        );
        INSERT INTO person_keys (key, person_id) SELECT identity_key, id FROM people;
        ALTER TABLE participation_history ADD COLUMN status TEXT NOT NULL DEFAULT 'attended'
            CHECK (status IN ('invited', 'attended', 'declined', 'no_show'));
        ALTER TABLE participation_history ADD COLUMN session_id INTEGER;
        ALTER TABLE participation_history ADD COLUMN source TEXT NOT NULL DEFAULT '';
        CREATE INDEX participation_by_person ON participation_history (person_id, status);
        CREATE TEMP TABLE screeners_m009 AS SELECT * FROM screeners;
        DROP TABLE screeners;
        CREATE TABLE screeners (
            id INTEGER PRIMARY KEY,
            study TEXT NOT NULL DEFAULT '',  -- '' for a screener stored before m009
            name TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            path TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,
            created_at REAL NOT NULL,
            UNIQUE (study, name)
        );
        INSERT INTO screeners (id, name, title, path, source, created_at)
            SELECT id, name, title, path, source, created_at FROM screeners_m009;
        DROP TABLE screeners_m009;
        RELEASE m009;
        """
    )


def m010_flags_by_respondent(db: Database) -> None:
    """Flags are read and replaced one respondent at a time (the detail panel on every
    cursor move, each respondent saved by an assessment); without an index each of
    those scanned every flag of the study, so scoring 10,000 people grew with n²."""
    db.executescript(
        """
        SAVEPOINT m010;
        CREATE INDEX IF NOT EXISTS flags_by_respondent ON flags (respondent_id);
        RELEASE m010;
        """
    )


def m011_decided_by(db: Database) -> None:
    """Who made each decision: the recruiter (a decision, an interview, an override) or
    the quota fill applied to everyone undecided, so the reasons never say "by the
    recruiter" of the fill's choices. Decisions made before were all shown as the
    recruiter's, so they stay the recruiter's."""
    db.executescript(
        """
        SAVEPOINT m011;
        ALTER TABLE respondents ADD COLUMN decided_by TEXT NOT NULL DEFAULT ''
            CHECK (decided_by IN ('', 'recruiter', 'fill'));
        UPDATE respondents SET decided_by = 'recruiter' WHERE decision != '';
        RELEASE m011;
        """
    )


#: The migrations, in the order they run.
_STEPS: tuple[Callable[[Database], None], ...] = (
    m001_initial,
    m002_session_leases,
    m003_synectics_chain,
    m004_room,
    m005_search,
    m006_imported_sessions,
    m007_respondent_history,
    m008_recruit_decisions,
    m009_people_attendance,
    m010_flags_by_respondent,
    m011_decided_by,
)

#: Every migration this version knows, in order: a file with any other is newer.
MIGRATION_NAMES: tuple[str, ...] = tuple(step.__name__ for step in _STEPS)

#: Written to `PRAGMA user_version` after migrating.
SCHEMA_VERSION = len(MIGRATION_NAMES)


@functools.cache
def migrations() -> Migrations:
    """The sqlite-utils migration set, built (and sqlite-utils imported) on first use."""
    from sqlite_utils import Migrations

    built = Migrations(MIGRATION_SET)
    for step in _STEPS:
        built()(step)
    return built


def applied_names(conn: sqlite3.Connection) -> list[str]:
    """The migrations recorded in the file, in the order they were applied, read
    with plain sqlite3 (as sqlite-utils' `Migrations.applied` reads them)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE]
    ).fetchone()
    if exists is None:
        return []
    rows = conn.execute(
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
        [MIGRATION_SET],
    ).fetchall()
    return [name for (name,) in rows]


def pending_names(conn: sqlite3.Connection) -> list[str]:
    """The migrations this version knows that the file has not had yet."""
    applied = set(applied_names(conn))
    return [name for name in MIGRATION_NAMES if name not in applied]


def apply_pending(conn: sqlite3.Connection) -> None:
    """Run the pending migrations through sqlite-utils (imported only now)."""
    from sqlite_utils import Database

    migrations().apply(Database(conn))
