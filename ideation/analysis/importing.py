"""Provides importing ideas from files into a session, all or nothing, once.

`read_idea_file` has already refused a bad file as a whole; this module decides
where the ideas go and writes them in one transaction. Every row gets a key
(sha256 of its text, participant, phase, time as written, and how many identical
rows came before it in the file), stored with its idea: importing the same file
again, or a longer export of the same board under any file name ("board (1).csv"),
adds only rows the study does not hold yet ("1 new, 10 already imported (session
'miro_board')"), and an idea withdrawn since stays out.

Without `--session`, a file goes to the session it was imported into before (by
its bytes), else to the session already holding most of its rows (by content),
else to the imported session named after the file, else to a new one.
A session created here is marked imported (`Session.imported_from`): it has no
agenda timings or phase log, so reports show neither an agenda as run nor a
per-minute chart for it. A live session can take imported ideas too; then a phase
the file names must be one of its agenda (its timings stay true).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ideation.analysis.idea_files import IdeaFile, IdeaFileError, IdeaRow, read_idea_file
from ideation.errors import IdeationError
from ideation.records import ImportedIdea, Phase, Session
from ideation.store import Store
from ideation.text import one_line
from ideation.yamlfile import FILE


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the file as read, where its ideas went, and the counts."""

    file: IdeaFile
    session: Session
    created_session: bool
    added: int
    already: int
    participants_added: tuple[str, ...] = ()
    phases_added: tuple[str, ...] = ()
    already_in: tuple[str, ...] = ()
    """Names of the sessions holding the rows already imported, most rows first."""


def import_ideas(
    store: Store,
    path: str | Path,
    *,
    session: str | None = None,
    phase: str | None = None,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    dates: str | None = None,
) -> ImportResult:
    """Read `path` whole, then append the rows the target session does not hold yet.

    `session` is an id or name (a name nobody has makes a new imported session);
    `phase` is the phase of rows that name none. Raises `IdeaFileError` (one line:
    file, row, column, what was expected) with nothing written.
    """
    read = read_idea_file(path, sheet=sheet, columns=columns, dates=dates)
    return import_file(store, read, session=session, phase=phase)


def import_file(
    store: Store, read: IdeaFile, *, session: str | None = None, phase: str | None = None
) -> ImportResult:
    """Append a file already read and validated (so a bad file never opens a study)."""
    stem = Path(read.name).stem
    default_phase = " ".join((phase or "").split())
    keys = row_keys(read.rows)
    with store.transaction():
        held = store.imported_key_sessions()
        target = _target(store, read, session, stem, [held[k] for k in keys if k in held])
        fresh = [index for index in _insertion_order(read.rows) if keys[index] not in held]
        already_in = _holders(store, [held[k] for k in keys if k in held])
        if not fresh and (target is not None or held):
            # nothing new: no session is made for it, the rows stay where they are
            where = target or store.session(Counter(held[k] for k in keys).most_common(1)[0][0])
            return ImportResult(read, where, False, 0, len(read.rows), already_in=already_in)
        created = target is None
        if target is None:
            times = [row.created for row in read.rows if row.created is not None]
            name = one_line(session or stem).strip() or read.name
            target = store.create_imported_session(
                name, read.name, min(times, default=None), max(times, default=None)
            )
        phases, new_phases = _phases(store, target, read, fresh, default_phase)
        people, new_people = _participants(store, target, read, fresh)
        linkable = {k for k, held_by in held.items() if held_by == target.id}
        linkable.update(keys[index] for index in fresh)
        ideas = []
        for index in fresh:
            row = read.rows[index]
            link = None if row.builds_on is None else keys[row.builds_on]
            where = phases.get((row.phase or default_phase).casefold())
            ideas.append(
                ImportedIdea(
                    key=keys[index],
                    text=row.text,
                    row=row.row,
                    participant_id=people.get(row.participant.casefold()),
                    phase_id=where.id if where else None,
                    technique=where.technique if where else "",
                    created_at=row.created,
                    builds_on_key=link if link in linkable else None,
                )
            )
        added = store.add_imported_ideas(target.id, ideas, read.name, read.digest)
    return ImportResult(
        read,
        target,
        created,
        added,
        len(read.rows) - added,
        tuple(new_people),
        tuple(new_phases),
        already_in,
    )


def row_keys(rows: Sequence[IdeaRow]) -> list[str]:
    """Each row's identity: what it says, who, where, when, and its repeat number (two
    identical stickies are two ideas, and stay two on a second import)."""
    seen: dict[tuple[str, ...], int] = {}
    keys = []
    for row in rows:
        content = (row.text, row.participant, row.phase, row.created_raw)
        repeat = seen.get(content, 0)
        seen[content] = repeat + 1
        keys.append(hashlib.sha256("\x1f".join([*content, str(repeat)]).encode()).hexdigest())
    return keys


def _target(
    store: Store, read: IdeaFile, ref: str | None, stem: str, holders: Sequence[int]
) -> Session | None:
    """The session to append to, or None for a new one (see the module's docstring);
    `holders` has, per row imported before, the session holding it."""
    if ref is not None:
        ref = ref.strip()
        if not ref:
            raise IdeationError(f"{read.name}: --session expected a session id or name, got blank")
        if ref.isdigit():
            return store.session(int(ref))
        named = [s for s in store.sessions() if s.name == ref]
        return named[-1] if named else None
    by_bytes = store.session_of_file(read.digest)
    if by_bytes is not None:
        return by_bytes
    if holders:
        most, count = Counter(holders).most_common(1)[0]
        if 2 * count > len(read.rows):
            return store.session(most)
    return store.imported_session_named(stem)


def _holders(store: Store, holders: Sequence[int]) -> tuple[str, ...]:
    """The names of the sessions holding rows of the file, most rows first."""
    return tuple(store.session(sid).name for sid, _ in Counter(holders).most_common())


def _insertion_order(rows: Sequence[IdeaRow]) -> list[int]:
    """File order, except that a row comes after the row it builds on (ideas are
    append-only, so a link can only point back)."""
    placed: set[int] = set()
    order: list[int] = []
    for start in range(len(rows)):
        pending: list[int] = []
        current: int | None = start
        while current is not None and current not in placed and current not in pending:
            pending.append(current)
            current = rows[current].builds_on
        for index in reversed(pending):
            placed.add(index)
            order.append(index)
    return order


def _phases(
    store: Store, session: Session, read: IdeaFile, fresh: Sequence[int], default: str
) -> tuple[dict[str, Phase], list[str]]:
    """Phase by lower-cased title; an imported session gains the phases the rows name,
    a live one must already have them (an unplanned phase would claim 0 minutes run)."""
    known = {p.title.casefold(): p for p in store.phases(session.id)}
    added: list[str] = []
    for index in fresh:
        row = read.rows[index]
        title = row.phase or default
        if not title or title.casefold() in known:
            continue
        if not session.imported_from:
            agenda = ", ".join(p.title for p in store.phases(session.id)[:6]) or "none"
            column = dict(read.columns).get("phase")
            field = f'column "{column}"' if row.phase and column else FILE
            what = (
                f"expected a phase of session {session.id}'s agenda ({one_line(agenda, 120)}),"
                f' got "{one_line(title, 60)}"; --phase NAME puts rows without one in a phase'
            )
            raise IdeaFileError(read.name, row.row, field, what)
        known[title.casefold()] = store.add_phase(session.id, title)
        added.append(title)
    return known, added


def _participants(
    store: Store, session: Session, read: IdeaFile, fresh: Sequence[int]
) -> tuple[dict[str, int], list[str]]:
    """Participant id by lower-cased label, adding the people the rows name."""
    known = {p.label.casefold(): p.id for p in store.participants(session.id)}
    added: list[str] = []
    for index in fresh:
        label = read.rows[index].participant
        if label and label.casefold() not in known:
            known[label.casefold()] = store.add_participant(session.id, label).id
            added.append(label)
    return known, added
