"""Attendance and carried history: what became of each invitation, and the
participation ledger of another study file merged into this one.

Only attendance bars anybody from the next study (see `Store.last_participation`), so
the facilitator marks it when the session starts: `ideation attend SESSION NAME...`, or
the live screen's attendance dialog, which reads `attendance_roll`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ideation.errors import IdeationError
from ideation.live.clock import Clock
from ideation.records import Attendance, Participant
from ideation.store import Store

#: Why a participant has no invitation to mark (the roll says it beside their name).
NOT_RECRUITED = "not recruited"
NO_CONTACT = "recruited without an email or phone"


@dataclass(frozen=True)
class RollEntry:
    """One participant of a session and what became of their invitation. `status` is
    None when no history is kept for them; `why` then says why (a name from the plan, or
    a respondent with no email or phone to know them by next time)."""

    participant: Participant
    status: Attendance | None
    why: str = ""

    @property
    def markable(self) -> bool:
        return self.status is not None


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
        if found.person_id is None:
            raise IdeationError(
                f"session {session_id}: {found.label!r} was {NO_CONTACT},"
                " so there is nobody to remember"
            )
        chosen.append(found)
    mark_participants(store, session_id, {p.id: status for p in chosen}, clock)
    return [p.label for p in chosen]


def attendance_roll(store: Store, session_id: int) -> list[RollEntry]:
    """Every participant of the session in seating order, each with their invitation's
    state (a recruited person with no ledger row yet counts as invited)."""
    marks = store.attendance(session_id)
    roll = []
    for person in store.participants(session_id):
        if person.respondent_id is None:
            roll.append(RollEntry(person, None, NOT_RECRUITED))
        elif person.person_id is None:
            roll.append(RollEntry(person, None, NO_CONTACT))
        else:
            roll.append(RollEntry(person, marks.get(person.id, Attendance.INVITED)))
    return roll


def mark_participants(
    store: Store, session_id: int, marks: Mapping[int, Attendance], clock: Clock
) -> None:
    """Mark participants by id, all in one transaction (all or none), dated now."""
    now = clock.now()
    with store.transaction():
        for participant_id, status in marks.items():
            if not store.mark_attendance(session_id, participant_id, status, now):
                raise IdeationError(
                    f"session {session_id}: participant {participant_id} has no history"
                    " to mark (not recruited, or no email or phone)"
                )


def import_people(store: Store, other: Path) -> tuple[int, int, int]:
    """Merge another study file's participation ledger into this one (read only from
    `other`); returns (rows added, rows updated to a mark corrected there, rows already
    here). Importing the same file again converges on what it says now."""
    if not other.is_file():
        raise IdeationError(f"{other}: no study file here")
    if other.resolve() == store.path.resolve():
        raise IdeationError(f"{other}: that is this study; name another study file")
    if not _is_sqlite(other):  # a CSV or a YAML named by mistake is not "damaged"
        raise IdeationError(
            f"{other}: not a study file; expected another study's database (a .db file)"
        )
    with Store(other, read_only=True) as source:
        ledger = source.participation_ledger()
    return store.merge_participation(ledger, other.name)


def _is_sqlite(path: Path) -> bool:
    """Whether the file starts as every SQLite database does."""
    try:
        with path.open("rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return True  # let opening it say what is wrong
