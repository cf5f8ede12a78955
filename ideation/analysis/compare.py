"""Provides sessions × themes and segments × themes: which groups produced what.

A pooled revision (`cluster all`) puts every session's ideas into one set of
themes; a researcher then asks which session, or which kind of participant,
filled each theme. A group is a session, or a participant segment (a quota cell
from the screener the participants were recruited with). Someone sits in one cell
per quota (an age band *and* a gender), so in the segment table each quota's
columns add up on their own, never across quotas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ideation.analysis.themes import ThemeSet
from ideation.records import Idea

#: The column for ideas nobody was named for.
UNATTRIBUTED = "unattributed"
#: The column for ideas from participants not recruited through a screener.
NOT_SCREENED = "not screened"


@dataclass(frozen=True)
class ThemeRow:
    """One theme's idea count per group, in the table's group order."""

    number: int
    label: str
    counts: tuple[int, ...]
    #: The theme's ideas. Not the counts' sum: in the segment table each idea counts
    #: once per quota (an age band and a gender).
    ideas: int

    @property
    def total(self) -> int:
        return self.ideas


@dataclass(frozen=True)
class CrossTable:
    """Ideas per theme (rows) and group (columns); `by` names the grouping."""

    by: str  # "session" or "segment"
    groups: tuple[str, ...]
    rows: tuple[ThemeRow, ...]

    def group_totals(self) -> tuple[int, ...]:
        return tuple(sum(row.counts[i] for row in self.rows) for i in range(len(self.groups)))


def cross_table(
    themes: ThemeSet,
    by: str,
    groups_of: Callable[[Idea], Iterable[str]],
    order: Sequence[str] = (),
) -> CrossTable:
    """Count each theme's ideas per group; groups in `order`, then as first met."""
    groups = list(order)
    per_theme: list[tuple[int, str, dict[str, int], int]] = []
    for theme in themes.themes:
        counts: dict[str, int] = {}
        for idea in theme.ideas:
            for group in groups_of(idea):
                counts[group] = counts.get(group, 0) + 1
                if group not in groups:
                    groups.append(group)
        per_theme.append((theme.number, theme.label, counts, len(theme.ideas)))
    used = [g for g in groups if any(c.get(g) for _, _, c, _ in per_theme)]
    rows = tuple(
        ThemeRow(number, label, tuple(counts.get(g, 0) for g in used), size)
        for number, label, counts, size in per_theme
    )
    return CrossTable(by, tuple(used), rows)


def sessions_by_theme(themes: ThemeSet, session_names: Mapping[int, str]) -> CrossTable:
    """How many ideas each session gave each theme, sessions in `session_names` order."""
    return cross_table(
        themes,
        "session",
        lambda idea: (session_names.get(idea.session_id, f"Session {idea.session_id}"),),
        list(session_names.values()),
    )


def segments_by_theme(
    themes: ThemeSet, segment_of: Mapping[int, Sequence[str]], order: Sequence[str]
) -> CrossTable | None:
    """How many ideas each quota cell gave each theme; None when nobody came from a
    screener (`segment_of` maps participant id to the cells they were recruited in)."""
    if not any(segment_of.values()):
        return None

    def groups(idea: Idea) -> Sequence[str]:
        if idea.participant_id is None:
            return (UNATTRIBUTED,)
        return segment_of.get(idea.participant_id) or (NOT_SCREENED,)

    return cross_table(themes, "segment", groups, [*order, NOT_SCREENED, UNATTRIBUTED])
