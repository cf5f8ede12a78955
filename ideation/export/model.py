"""Provides the export bundle: everything a report needs, frozen, with no database behind it.

The bundle is built once from the study (elsewhere) and handed to every writer, so
the writers stay pure functions of plain data and can be tested without SQLite.
The helpers at the bottom are the views several writers share (ideas grouped by
theme, near-duplicates folded together), kept here so csv, xlsx, md and html
agree on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The flat per-idea columns of the csv and the xlsx "Ideas" sheet, in order.
COLUMNS = (
    "id",
    "session",
    "seq",
    "text",
    "participant",
    "phase",
    "technique",
    "created_at",
    "builds_on",
    "theme_id",
    "theme_label",
    "representative",
    "wild",
    "duplicate_group",
)

#: Label used wherever ideas without a theme are listed.
UNTHEMED_LABEL = "Not in a theme"
#: Who an idea is from when nobody was named; never counted as a participant.
UNATTRIBUTED = "unattributed"


@dataclass(frozen=True)
class ExportIdea:
    """One idea as it goes into a report; the participant is already pseudonymised."""

    id: int
    session: str
    seq: int
    text: str
    participant: str
    phase: str
    technique: str
    created_at: str  # ISO 8601, local time
    builds_on: int | None  # seq of the idea built on, same session
    theme_id: int | None
    theme_label: str
    representative: bool
    wild: bool
    duplicate_group: int | None
    x: float | None = None  # position on the 2-D idea map
    y: float | None = None


@dataclass(frozen=True)
class ExportTheme:
    """One cluster of ideas with the counts the report headlines."""

    id: int
    label: str
    representative: str  # text of the idea that stands for the theme
    size: int
    wild: int
    duplicates: int


@dataclass(frozen=True)
class AgendaRow:
    """One phase as it actually ran, next to what was planned."""

    title: str
    technique: str
    planned_minutes: float
    actual_minutes: float
    started_at: str  # ISO 8601, local time


@dataclass(frozen=True)
class ExportSession:
    """One session: its brief, its agenda as run, and how the ideas came."""

    name: str
    #: problem_as_given, background, tried[], opportunity_areas[], springboards[]
    brief: dict[str, Any]
    agenda: tuple[AgendaRow, ...]
    #: ideas captured in each minute, minute 0 being when the first phase started
    ideas_per_minute: tuple[int, ...]
    participation: tuple[tuple[str, int], ...]  # (participant, idea count)


@dataclass(frozen=True)
class ExportBundle:
    """Everything one export writes, for one or more sessions of a study."""

    study: str
    sessions: tuple[ExportSession, ...]
    themes: tuple[ExportTheme, ...]
    ideas: tuple[ExportIdea, ...]
    generated_at: str
    clustering_note: str


def idea_row(idea: ExportIdea) -> tuple[Any, ...]:
    """The idea's values in `COLUMNS` order, so every tabular writer lists the same thing."""
    return tuple(getattr(idea, column) for column in COLUMNS)


def theme_groups(bundle: ExportBundle) -> list[tuple[ExportTheme | None, list[ExportIdea]]]:
    """Themes in bundle order with their ideas, then the unthemed ideas under None.

    Ideas pointing at a theme the bundle does not list still get a group (named by
    their `theme_label`), so an inconsistent bundle never drops ideas from a report.
    Within a group the representative idea comes first, then the bundle's order.
    """
    members: dict[int | None, list[ExportIdea]] = {}
    for idea in bundle.ideas:
        members.setdefault(idea.theme_id, []).append(idea)
    groups: list[tuple[ExportTheme | None, list[ExportIdea]]] = []
    known = {theme.id for theme in bundle.themes}
    for theme in bundle.themes:
        groups.append((theme, _ordered(members.get(theme.id, []))))
    for theme_id, ideas in members.items():
        if theme_id is None or theme_id in known:
            continue
        stray = ExportTheme(
            id=theme_id,
            label=ideas[0].theme_label or f"Theme {theme_id}",
            representative=next((i.text for i in ideas if i.representative), ""),
            size=len(ideas),
            wild=sum(i.wild for i in ideas),
            duplicates=sum(len(g) for g in fold_duplicates(ideas) if len(g) > 1),
        )
        groups.append((stray, _ordered(ideas)))
    if members.get(None):
        groups.append((None, _ordered(members[None])))
    return groups


def fold_duplicates(ideas: list[ExportIdea]) -> list[list[ExportIdea]]:
    """Ideas with their near-duplicates folded in: one list per distinct idea, in order.

    The first idea of each duplicate group stands for it (the reports say "said 3×"),
    so a point made by several people reads once, with everyone who made it.
    """
    folded: list[list[ExportIdea]] = []
    by_group: dict[int, list[ExportIdea]] = {}
    for idea in ideas:
        if idea.duplicate_group is None:
            folded.append([idea])
        elif idea.duplicate_group in by_group:
            by_group[idea.duplicate_group].append(idea)
        else:
            by_group[idea.duplicate_group] = [idea]
            folded.append(by_group[idea.duplicate_group])
    return folded


def theme_label(theme: ExportTheme | None) -> str:
    """The heading for a group from `theme_groups`, never blank."""
    if theme is None:
        return UNTHEMED_LABEL
    return theme.label.strip() or f"Theme {theme.id}"


def _ordered(ideas: list[ExportIdea]) -> list[ExportIdea]:
    return sorted(ideas, key=lambda i: not i.representative)  # stable: keeps bundle order


__all__ = [
    "COLUMNS",
    "UNTHEMED_LABEL",
    "AgendaRow",
    "ExportBundle",
    "ExportIdea",
    "ExportSession",
    "ExportTheme",
    "fold_duplicates",
    "idea_row",
    "theme_groups",
    "theme_label",
]
