"""Provides the versioned schema of a study database.

One SQLite file holds a whole study: screeners and their respondents, session
plans, sessions with their phase log and ideas, the embedding cache and the
clustering revisions. Migrations run in order on open and are recorded in
`_sqlite_migrations`, so an old file is upgraded in place; `PRAGMA
user_version` is set to `SCHEMA_VERSION` after migrating, so a newer file (a
migration name or a version this code does not know) is refused before
anything is written to it. Names are plain English so the file reads well in
Datasette.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database, Migrations

migrations = Migrations("ideation")

#: Every migration this version knows, in order: a file with any other is newer.
MIGRATION_NAMES: list[str] = []


def _migration(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    """Register a migration and remember its name for the newer-file check."""
    MIGRATION_NAMES.append(fn.__name__)
    return migrations()(fn)


@_migration
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


@_migration
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


#: Written to `PRAGMA user_version` after migrating.
SCHEMA_VERSION = len(MIGRATION_NAMES)
