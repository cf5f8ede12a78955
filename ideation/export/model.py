"""Provides the export bundle: everything a report needs, frozen, with no database behind it.

The bundle is built once from the study (elsewhere) and handed to every writer, so
the writers stay pure functions of plain data and can be tested without SQLite.
The helpers at the bottom are the views several writers share (ideas grouped by
theme, near-duplicates folded together, the Synectics chain, each developed idea
with its pluses, potentials and concerns), kept here so csv, json, xlsx, md and
html agree on them.

What a session captured is split three ways, because it means three things:
`ideas` (ideas and springboards: the material themes are built from),
`excursion` (analogies, feelings, book titles: stimulus, not ideas) and
`responses` (pluses, potentials and concerns: each develops one idea).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The flat per-idea columns of the csv and the xlsx "Ideas" sheet, in order.
COLUMNS = (
    "id",
    "session",
    "seq",
    "entry",
    "text",
    "participant",
    "role",
    "phase",
    "technique",
    "created_at",
    "builds_on",
    "picked_as",
    "picked_by",
    "theme_id",
    "theme_label",
    "representative",
    "wild",
    "duplicate_group",
    "hits",
)

#: The columns of an entry that is never in a theme (excursion material, responses).
ENTRY_COLUMNS = COLUMNS[: COLUMNS.index("theme_id")]

#: Entry kinds that develop one idea in itemized response, in the order they are asked for.
RESPONSE_ENTRIES = ("plus", "potential", "concern")
#: Entry kind of excursion material (analogies, feelings, book titles).
EXCURSION_ENTRY = "excursion"
#: The technique whose ideas close the excursion's chain.
FORCE_FIT = "force_fit"
#: The technique whose pick is the idea to develop.
ITEMIZED_RESPONSE = "itemized_response"
#: Who made a pick when no participant was named for it.
FACILITATOR = "facilitator"

#: Label used wherever ideas without a theme are listed.
UNTHEMED_LABEL = "Not in a theme"
#: Who an idea is from when nobody was named; never counted as a participant.
UNATTRIBUTED = "unattributed"


@dataclass(frozen=True)
class ExportIdea:
    """One entry as it goes into a report; participant and picker are already pseudonymised.

    `entry` is its kind (idea, springboard, excursion, plus, potential, concern);
    `picked_as` names the decision point it was chosen at ("springboard",
    "example", …, "idea to develop"; blank if never picked), `picked_by` who chose.
    """

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
    entry: str = "idea"
    role: str = ""  # "problem_owner" for the client's entries
    picked_as: str = ""  # step(s) it was picked at, "; "-joined
    picked_by: str = ""
    hits: int = 0  # taps it got in the room's hits phases (positive only)


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
class ExportPick:
    """One choice of direction at a decision point, as it was made (not a rating)."""

    step: str  # "springboard", "example", "feeling", "book title", …
    seq: int  # the entry picked
    text: str
    entry: str
    by: str  # pseudonymised like participants; FACILITATOR when nobody was named
    phase: str
    technique: str
    at: str  # ISO 8601, local time


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
    picks: tuple[ExportPick, ...] = ()  # every pick, in the order they were made
    #: The file an imported session came from ("" if run live): it has no timings, so
    #: the reports show neither an agenda as run nor ideas per minute for it.
    imported_from: str = ""


# -- compare and focus (sessions × themes, area coverage, most novel) --


@dataclass(frozen=True)
class ExportCrossTable:
    """Ideas per theme (rows) and group (columns): sessions, or participant segments."""

    by: str  # "session" or "segment"
    groups: tuple[str, ...]
    #: (theme id, label, count per group, the theme's ideas): in the segment table the
    #: counts add up per quota, so the total is never their sum.
    rows: tuple[tuple[int, str, tuple[int, ...], int], ...]


@dataclass(frozen=True)
class ExportArea:
    """One opportunity area (or springboard) of the brief and how the ideas cover it."""

    kind: str  # "opportunity area" or "springboard"
    text: str
    ideas: int  # ideas near it
    #: The themes touching it, most ideas first, as "T3 coffee · wish (12)": the
    #: theme's number, its label and how many of its ideas are near the area.
    themes: tuple[str, ...]


@dataclass(frozen=True)
class ExportNovel:
    """One of a session's rarest ideas in the pooled study: unusual, not necessarily good."""

    session: str
    seq: int
    text: str
    theme_label: str
    rarity: float


@dataclass(frozen=True)
class ExportBundle:
    """Everything one export writes, for one or more sessions of a study."""

    study: str
    sessions: tuple[ExportSession, ...]
    themes: tuple[ExportTheme, ...]
    ideas: tuple[ExportIdea, ...]
    generated_at: str
    clustering_note: str
    #: Ideas the themes' model cannot read, and what to do (`analysis/languages.py`).
    language_note: str = ""
    description: str = ""  # the study's description, shown under its name
    excursion: tuple[ExportIdea, ...] = ()  # never in a theme
    responses: tuple[ExportIdea, ...] = ()  # pluses, potentials, concerns
    #: Real names instead of P1, P2…: personal data, so the file is written 0600.
    names_included: bool = False
    cross_tables: tuple[ExportCrossTable, ...] = ()  # sessions × themes, segments × themes
    #: Area coverage; None when the area vectors are not cached (never a model in an export).
    coverage: tuple[ExportArea, ...] | None = ()
    novel: tuple[ExportNovel, ...] = ()  # per session, rarest first
    novel_left_out: int = 0  # ideas not in English, which rarity cannot judge


@dataclass(frozen=True)
class ChainLink:
    """One step of a session's Synectics chain: a pick, or the force-fit ideas it led to."""

    step: str
    pick: ExportPick | None
    ideas: tuple[ExportIdea, ...] = ()


@dataclass(frozen=True)
class Development:
    """One developed idea with its itemized response; `idea` is None for responses
    that build on nothing the export holds (they are kept, never dropped)."""

    idea: ExportIdea | None
    picked: bool
    plus: tuple[ExportIdea, ...]
    potential: tuple[ExportIdea, ...]
    concern: tuple[ExportIdea, ...]


def idea_row(idea: ExportIdea) -> tuple[Any, ...]:
    """The idea's values in `COLUMNS` order, so every tabular writer lists the same thing."""
    return tuple(getattr(idea, column) for column in COLUMNS)


def entry_row(entry: ExportIdea) -> tuple[Any, ...]:
    """An unthemed entry's values in `ENTRY_COLUMNS` order."""
    return tuple(getattr(entry, column) for column in ENTRY_COLUMNS)


def all_entries(bundle: ExportBundle) -> list[ExportIdea]:
    """Every entry of the bundle, whatever its kind, by session then capture number."""
    order = {session.name: n for n, session in enumerate(bundle.sessions)}
    entries = [*bundle.ideas, *bundle.responses, *bundle.excursion]
    return sorted(entries, key=lambda e: (order.get(e.session, len(order)), e.session, e.seq))


def chain(bundle: ExportBundle, session: ExportSession) -> list[ChainLink]:
    """The session's chain as it ran: the standing pick of each step, then the force-fit
    ideas, in time order (a step picked again counts once, at its latest pick)."""
    latest: dict[str, ExportPick] = {}
    for pick in session.picks:
        latest.pop(pick.step, None)  # re-inserted: a re-pick moves to when it was made
        latest[pick.step] = pick
    links = [(pick.at, ChainLink(step, pick)) for step, pick in latest.items()]
    fitted = tuple(
        idea
        for idea in bundle.ideas
        if idea.session == session.name and idea.technique == FORCE_FIT and idea.entry == "idea"
    )
    if fitted:
        first = min(idea.created_at for idea in fitted)
        links.append((first, ChainLink("force-fit ideas", None, fitted)))
    return [link for _, link in sorted(links, key=lambda pair: pair[0])]


def excursion_by_phase(
    bundle: ExportBundle, session: ExportSession
) -> list[tuple[str, list[ExportIdea]]]:
    """The session's excursion material grouped by the phase it came in, in capture order."""
    phases: dict[str, list[ExportIdea]] = {}
    for entry in bundle.excursion:
        if entry.session == session.name:
            phases.setdefault(entry.phase, []).append(entry)
    return list(phases.items())


def developments(bundle: ExportBundle) -> list[Development]:
    """Each developed idea with its pluses, potentials and concerns, in capture order.

    A response belongs to the idea it builds on; one building on another response
    (a concern about a plus) belongs to that response's idea. An idea picked to
    develop is listed even before anything was said about it. Concerns parked from
    the critique nudge build on the idea criticised, so they show here as concerns.
    """
    by_seq = {(e.session, e.seq): e for e in all_entries(bundle)}
    found: dict[tuple[str, int] | None, list[ExportIdea]] = {}
    picked = {
        (session.name, pick.seq)
        for session in bundle.sessions
        for pick in session.picks
        if pick.technique == ITEMIZED_RESPONSE
    }
    for key in picked:
        found.setdefault(key, [])
    for response in bundle.responses:
        found.setdefault(_developed(response, by_seq), []).append(response)
    keys = sorted((k for k in found if k is not None), key=lambda k: _rank(bundle, k))
    result = [_development(by_seq.get(key), key in picked, found[key]) for key in keys]
    if found.get(None):
        result.append(_development(None, False, found[None]))
    return result


def _developed(
    response: ExportIdea, by_seq: dict[tuple[str, int], ExportIdea]
) -> tuple[str, int] | None:
    """(session, seq) of the entry a response develops, following responses on responses."""
    seen: set[int] = set()
    current = response
    while current.builds_on is not None and current.seq not in seen:
        seen.add(current.seq)
        target = by_seq.get((current.session, current.builds_on))
        if target is None:
            return None
        if target.entry not in RESPONSE_ENTRIES:
            return (target.session, target.seq)
        current = target
    return None


def _rank(bundle: ExportBundle, key: tuple[str, int]) -> tuple[int, str, int]:
    order = {session.name: n for n, session in enumerate(bundle.sessions)}
    return (order.get(key[0], len(order)), key[0], key[1])


def _development(idea: ExportIdea | None, picked: bool, responses: list[ExportIdea]) -> Development:
    def of(kind: str) -> tuple[ExportIdea, ...]:
        return tuple(r for r in responses if r.entry == kind)

    return Development(idea, picked, of("plus"), of("potential"), of("concern"))


# -- hits --


def hits_ranking(bundle: ExportBundle, session: ExportSession) -> list[ExportIdea]:
    """The session's ideas that got hits, most first (then in capture order); empty when
    the session ran no hits phase or nobody tapped anything."""
    hit = [i for i in bundle.ideas if i.session == session.name and i.hits > 0]
    return sorted(hit, key=lambda idea: (-idea.hits, idea.seq))


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
    "ENTRY_COLUMNS",
    "EXCURSION_ENTRY",
    "FACILITATOR",
    "FORCE_FIT",
    "ITEMIZED_RESPONSE",
    "RESPONSE_ENTRIES",
    "UNTHEMED_LABEL",
    "AgendaRow",
    "ChainLink",
    "Development",
    "ExportArea",
    "ExportBundle",
    "ExportCrossTable",
    "ExportIdea",
    "ExportNovel",
    "ExportPick",
    "ExportSession",
    "ExportTheme",
    "all_entries",
    "chain",
    "developments",
    "entry_row",
    "excursion_by_phase",
    "fold_duplicates",
    "hits_ranking",
    "idea_row",
    "theme_groups",
    "theme_label",
]
