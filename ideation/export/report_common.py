"""Provides what the Markdown and HTML reports share: wording, counts, and who said what.

Both reports must agree on every number and phrase (a researcher pastes one and
emails the other), so the counting, the plural nouns and the "who, where" line
of an idea live here once. Nothing here knows about Markdown, SVG or HTML except
`esc`, the one escape every piece of participant text in HTML or SVG goes through.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ideation.export.model import (
    UNATTRIBUTED,
    AgendaRow,
    Development,
    ExportBundle,
    ExportIdea,
    ExportSession,
    ExportTheme,
    fold_duplicates,
)
from ideation.text import plural, printable

#: The brief's known fields, in reading order, with their headings.
BRIEF_FIELDS = (
    ("problem_as_given", "Problem as given"),
    ("background", "Background"),
    ("tried", "Already tried"),
    ("opportunity_areas", "Opportunity areas"),
    ("springboards", "Springboards"),
)

#: The headings of an itemized response, in the order the method asks for them.
RESPONSE_HEADINGS = (("plus", "Pluses"), ("potential", "Potentials"), ("concern", "Concerns"))

#: What the reports say about excursion material, wherever it is listed.
EXCURSION_NOTE = (
    "Analogies, feelings and book titles from the excursion: stimulus for the force-fit,"
    " kept out of the themes and the idea counts."
)

#: What the reports say above the ideas ranked by hits.
HITS_NOTE = (
    "Ideas participants tapped as most intriguing in the hits phase, on their own devices:"
    " positive only, a few taps each; an idea nobody tapped is not listed."
)

#: Fewer placed ideas than this make no map worth drawing.
MAP_MINIMUM = 3


Groups = Sequence[tuple[ExportTheme | None, list[ExportIdea]]]


def clean(text: Any) -> str:
    """The text without control characters or bidi overrides (`ideation.text.printable`)."""
    return printable(str(text))


def esc(text: Any) -> str:
    """Text for HTML content or a quoted attribute: escaped, control characters dropped."""
    return html.escape(clean(text), quote=True)


def technique_name(technique: str) -> str:
    """The technique's display name from the catalogue, else its id made readable."""
    from ideation.live.techniques import TECHNIQUES

    known = TECHNIQUES.get(technique)
    if known is not None:
        return known.name
    return technique.replace("_", " ").strip().capitalize()


def minutes(value: float) -> str:
    """12, 12.5: minutes as a person would say them."""
    if not math.isfinite(value):
        return "–"
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def difference(row: AgendaRow) -> tuple[str, str]:
    """(text, css class) for actual minus planned; within half a minute is on time."""
    delta = row.actual_minutes - row.planned_minutes
    if not math.isfinite(delta) or abs(delta) < 0.5:
        return "on time", ""
    sign = "+" if delta > 0 else "−"
    return f"{sign}{minutes(abs(delta))} min", "over" if delta > 0 else "under"


def clock(stamp: str) -> str:
    """The time of day ("14:05") of an ISO timestamp; the raw text if it is not one."""
    try:
        return datetime.fromisoformat(stamp).strftime("%H:%M")
    except (TypeError, ValueError):
        return stamp


def when(stamp: str) -> str:
    """A timestamp for people ("14 March 2025, 16:02"); the raw text if it is not ISO."""
    try:
        moment = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp
    return f"{moment.day} {moment:%B %Y, %H:%M}"


def finite(value: float | None) -> bool:
    """True for a usable map coordinate (not missing, not NaN or infinite)."""
    return value is not None and math.isfinite(value)


def placed_count(groups: Iterable[tuple[ExportTheme | None, list[ExportIdea]]]) -> int:
    """How many ideas have a position on the 2-D map."""
    return sum(finite(i.x) and finite(i.y) for _, ideas in groups for i in ideas)


#: The bar of ideas that belong to no phase (an unlabelled bar reads as a glitch).
NO_PHASE = "(no phase)"


def ideas_by_phase(session: ExportSession, ideas: Sequence[ExportIdea]) -> list[tuple[str, int]]:
    """Idea counts per phase in agenda order, then any phase the agenda does not name,
    and "(no phase)" for ideas outside every phase (imported rows without one)."""
    counts = Counter(idea.phase or NO_PHASE for idea in ideas if idea.session == session.name)
    ordered = [row.title for row in session.agenda]
    ordered += [phase for phase in counts if phase not in ordered]
    return [(phase, counts.get(phase, 0)) for phase in dict.fromkeys(ordered)]


def theme_counts(theme: ExportTheme | None, ideas: Sequence[ExportIdea]) -> tuple[int, int, int]:
    """(ideas, wild, near-duplicates): the theme's own headline counts, or counted if unthemed."""
    if theme is not None:
        return theme.size, theme.wild, theme.duplicates
    wild = sum(idea.wild for idea in ideas)
    repeated = sum(len(group) for group in fold_duplicates(list(ideas)) if len(group) > 1)
    return len(ideas), wild, repeated


def count_phrase(theme: ExportTheme | None, ideas: Sequence[ExportIdea]) -> list[str]:
    """["19 ideas", "2 wild", "3 near-duplicates"], leaving out the zeros after the first."""
    size, wild, duplicates = theme_counts(theme, ideas)
    phrase = [plural(size, "idea")]
    if wild:
        phrase.append(f"{wild} wild")
    if duplicates:
        phrase.append(plural(duplicates, "near-duplicate"))
    return phrase


def is_person(name: str) -> bool:
    """False for a blank name and for the "unattributed" row: neither is somebody."""
    return bool(name.strip()) and name != UNATTRIBUTED


def participants(bundle: ExportBundle) -> list[str]:
    """Everyone who contributed an idea or is listed in a session, first seen first.

    Ideas without a participant are not a person, so "unattributed" is never counted.
    """
    names = [idea.participant for idea in bundle.ideas]
    names += [name for session in bundle.sessions for name, _ in session.participation]
    return list(dict.fromkeys(name for name in names if is_person(name)))


def headline(bundle: ExportBundle) -> list[tuple[int, str]]:
    """(count, noun) of the report's headline figures, the noun already singular or plural."""
    figures = [
        (len(bundle.ideas), "idea"),
        (len(bundle.themes), "theme"),
        (sum(idea.wild for idea in bundle.ideas), "wild idea"),
        (len(participants(bundle)), "participant"),
        (len(bundle.sessions), "session"),
    ]
    return [(count, plural(count, noun).split(" ", 1)[1]) for count, noun in figures]


def variants(group: list[ExportIdea]) -> list[ExportIdea]:
    """The near-duplicates worded differently from the first: the reports keep every wording."""
    first = " ".join(group[0].text.split()).casefold()
    return [idea for idea in group[1:] if " ".join(idea.text.split()).casefold() != first]


def who(group: Sequence[ExportIdea]) -> list[str]:
    """The people who said an idea (or its near-duplicates), each once, blanks left out."""
    return list(dict.fromkeys(idea.participant for idea in group if is_person(idea.participant)))


def source_parts(group: Sequence[ExportIdea], show_session: bool) -> tuple[list[str], list[str]]:
    """(who, where) of an idea: names, then phase and session, with every blank left out,
    so an idea without a participant reads "Phase", never "— , Phase" or "· Phase"."""
    first = group[0]
    where = [first.phase] + ([first.session] if show_session else [])
    return who(group), [part for part in where if part.strip()]


def imported_note(session: ExportSession) -> str:
    """What the reports say in place of timings for a session imported from a file."""
    return (
        f"Imported from {clean(session.imported_from)}: no timings were recorded, so there"
        " is no agenda as run and no per-minute chart."
    )


def capitalised(text: str) -> str:
    """A step name as a heading: "book title" -> "Book title"."""
    return text[:1].upper() + text[1:]


def pick_phrase(entry: ExportIdea) -> str:
    """How an entry was picked ("picked as springboard by P1"); "" if never."""
    if not entry.picked_as:
        return ""
    by = f" by {entry.picked_by}" if entry.picked_by else ""
    return f"picked as {entry.picked_as}{by}"


def entry_tags(entry: ExportIdea, *, kind: bool = True) -> list[str]:
    """Short notes shown beside an entry: its kind (unless a plain idea, or `kind` is
    False where the heading already says it), the problem owner's mark, and its pick."""
    tags = [] if entry.entry == "idea" or not kind else [entry.entry]
    if entry.role == "problem_owner":
        tags.append("problem owner")
    return tags + ([pick_phrase(entry)] if entry.picked_as else [])


def responses_of(development: Development) -> list[tuple[str, tuple[ExportIdea, ...]]]:
    """(heading, entries) of an itemized response, pluses first, empty kinds kept out."""
    return [
        (heading, getattr(development, kind))
        for kind, heading in RESPONSE_HEADINGS
        if getattr(development, kind)
    ]


def brief_items(brief: dict[str, Any]) -> list[tuple[str, Any]]:
    """(heading, value) of the brief: known fields in order, then any others, blanks left out."""
    known = [(heading, brief[key]) for key, heading in BRIEF_FIELDS if brief.get(key)]
    names = {key for key, _ in BRIEF_FIELDS}
    extra = [
        (key.replace("_", " ").capitalize(), value)
        for key, value in brief.items()
        if key not in names and value
    ]
    return known + extra


def as_list(value: Any) -> list[str] | None:
    """A brief value as bullet entries, or None when it is prose."""
    if isinstance(value, dict):
        return [f"{key}: {item}" for key, item in value.items()]
    if isinstance(value, list | tuple | set):
        return [str(item) for item in value]
    return None


def paragraphs(value: Any) -> list[str]:
    """Prose split at blank lines, control characters dropped, empty paragraphs left out."""
    return [p for p in re.split(r"\n\s*\n", clean(value)) if p.strip()]
