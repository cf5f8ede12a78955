"""Provides participant segments: the screener quota cells each participant was recruited in.

The researcher comparing themes by kind of participant thinks in the recruiter's
terms ("age 18-34", "gender woman"), so a segment is named as the quota fill names
a cell: quota name, then the answer. Participants who did not come from a screener
(or whose screener no longer parses) have no segment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ideation.records import Screener
from ideation.screening.definition import ScreenerDefinition
from ideation.screening.quotas import cells_of
from ideation.screening.screener_yaml import ScreenerError, parse_screener
from ideation.store import Store


@dataclass(frozen=True)
class Segments:
    """Participant id -> cell names, and every cell in the screeners' order."""

    of: dict[int, tuple[str, ...]]
    order: tuple[str, ...]


#: The column of a quota for participants whose answer is in none of its cells.
NO_CELL = "(other)"


def cell_names(defn: ScreenerDefinition) -> list[str]:
    """Every quota cell of a screener, as "<quota> <answer>", in definition order, each
    quota's cells followed by its "(other)" column."""
    return [
        name
        for quota in defn.quotas
        for name in (
            *(f"{quota.name} {cell.answer}" for cell in quota.cells),
            f"{quota.name} {NO_CELL}",
        )
    ]


def participant_segments(store: Store, session_ids: Sequence[int]) -> Segments:
    """The quota cells of every participant of the sessions who came from a screener."""
    screeners = {s.id: s for s in store.screeners()}
    parsed: dict[int, ScreenerDefinition | None] = {}
    of: dict[int, tuple[str, ...]] = {}
    order: list[str] = []
    for session_id in session_ids:
        for person in store.participants(session_id):
            if person.respondent_id is None:
                continue
            respondent = store.respondent(person.respondent_id)
            if respondent.screener_id not in parsed:
                parsed[respondent.screener_id] = _definition(screeners.get(respondent.screener_id))
            defn = parsed[respondent.screener_id]
            if defn is None:
                continue
            names = cell_names(defn)
            order += [name for name in names if name not in order]
            cells = sorted(cells_of(defn, respondent.answers))
            of[person.id] = tuple(
                name
                for q, quota in enumerate(defn.quotas)
                for name in (
                    [f"{quota.name} {quota.cells[c].answer}" for p, c in cells if p == q]
                    or [f"{quota.name} {NO_CELL}"]  # so each quota's columns still add up
                )
            )
    return Segments(of, tuple(order))


def _definition(screener: Screener | None) -> ScreenerDefinition | None:
    if screener is None:
        return None
    try:
        return parse_screener(screener.source, screener.path)
    except ScreenerError:
        return None
