"""Attendance and carried history: what became of each invitation, and the
participation ledger of another study file merged into this one.

Only attendance bars anybody from the next study (see `Store.last_participation`), so
the facilitator marks it when the session starts: `ideation attend SESSION NAME...`.
"""

from __future__ import annotations

from pathlib import Path

from ideation.errors import IdeationError
from ideation.live.clock import Clock
from ideation.records import Attendance
from ideation.store import Store


def mark_attendance(
    store: Store, session_id: int, names: tuple[str, ...], status: Attendance, clock: Clock
) -> list[str]:
    """Mark the named participants of the session (all or none); returns their labels.
    Names are matched without regard to case; only recruited participants have a
    history to mark."""
    people = {p.label.casefold(): p for p in store.participants(session_id)}
    chosen = []
    for name in names:
        found = people.get(name.strip().casefold())
        if found is None:
            known = ", ".join(sorted(p.label for p in people.values())) or "nobody yet"
            raise IdeationError(
                f"session {session_id}: no participant {name!r} (participants: {known})"
            )
        if found.respondent_id is None:
            raise IdeationError(
                f"session {session_id}: {found.label!r} was not recruited with a screener,"
                " so there is no history to mark"
            )
        chosen.append(found)
    now = clock.now()
    with store.transaction():
        for participant in chosen:
            store.mark_attendance(session_id, participant.id, status, now)
    return [p.label for p in chosen]


def import_people(store: Store, other: Path) -> tuple[int, int]:
    """Merge another study file's participation ledger into this one (read only from
    `other`); returns (rows added, rows already here)."""
    if not other.is_file():
        raise IdeationError(f"{other}: no study file here")
    if other.resolve() == store.path.resolve():
        raise IdeationError(f"{other}: that is this study; name another study file")
    with Store(other, read_only=True) as source:
        ledger = source.participation_ledger()
    return store.merge_participation(ledger, other.name)
