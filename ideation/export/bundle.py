"""Provides the export bundle built from a study: sessions, themes, ideas.

Participants are pseudonymised (P1, P2, … in the order they joined) unless
names are asked for, because a report travels further than the study file;
whoever made a pick is named the same way ("facilitator" when nobody was).
The 2-D map uses the cached embeddings of the themes' model; when any are
missing the map is left out rather than loading a model during an export.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ideation.analysis.embed import cached_only
from ideation.analysis.languages import theme_set_note
from ideation.analysis.themes import (
    ThemeSet,
    covering_theme_set,
    narrow_theme_set,
    scope_entries,
    theme_set,
)
from ideation.errors import ThemeError
from ideation.export.focus import focus_fields
from ideation.export.model import (
    EXCURSION_ENTRY,
    FACILITATOR,
    UNATTRIBUTED,
    AgendaRow,
    ExportBundle,
    ExportIdea,
    ExportPick,
    ExportSession,
    ExportTheme,
)
from ideation.live.flow import ideas_per_minute
from ideation.live.plan import PlanError, parse_plan
from ideation.live.techniques import TECHNIQUES
from ideation.live.timing import timer_state
from ideation.records import THEMED_ENTRIES, Idea, Participant, Phase, Pick
from ideation.store import Store


def iso(at: float | None) -> str:
    return datetime.fromtimestamp(at).isoformat(timespec="seconds") if at else ""


def build_bundle(
    store: Store,
    session_ids: Sequence[int],
    *,
    include_names: bool = False,
    revision: int | None = None,
) -> ExportBundle:
    """Everything an export needs, with the themes of the latest revision of this scope
    (or of a pooled one that covers it), or of `revision`.

    Every standing entry goes in once: ideas and springboards (themed) in `ideas`,
    excursion material in `excursion`, pluses, potentials and concerns in `responses`.
    """
    themes = _chosen_themes(store, session_ids, revision)
    entries = scope_entries(store, session_ids)
    ideas = [e for e in entries if e.entry in THEMED_ENTRIES]
    people = {p.id: p for sid in session_ids for p in store.participants(sid)}
    names = _participant_names(list(people.values()), include_names)
    sessions = {sid: store.session(sid) for sid in session_ids}
    phases = {p.id: p for sid in session_ids for p in store.phases(sid)}
    seq_of = {entry.id: entry.seq for entry in entries}
    made = [pick for sid in session_ids for pick in store.picks(sid)]
    made.sort(key=lambda pick: (pick.at, pick.id))
    picks = {sid: _picks(sid, made, entries, phases, names) for sid in session_ids}
    picked = _picked(made, names, phases)
    placed = _placement(themes)
    coordinates = _map(store, themes, ideas)
    hits = store.hit_counts(session_ids)
    rows = []
    for entry in entries:
        theme_number, label, representative, wild, group = placed.get(
            entry.id, (None, "", False, False, None)
        )
        phase = phases.get(entry.phase_id or -1)
        x, y = coordinates.get(entry.id, (None, None))
        person = people.get(entry.participant_id or -1)
        steps, by = picked.get(entry.id, ([], []))
        rows.append(
            ExportIdea(
                id=entry.id,
                session=sessions[entry.session_id].name,
                seq=entry.seq,
                text=entry.text,
                participant=names.get(entry.participant_id or -1, ""),
                phase=phase.title if phase else "",
                technique=entry.technique,
                created_at=iso(entry.created_at),
                builds_on=seq_of.get(entry.builds_on or -1),
                theme_id=theme_number,
                theme_label=label,
                representative=representative,
                wild=wild,
                duplicate_group=group,
                x=x,
                y=y,
                entry=entry.entry,
                role=person.role if person else "",
                picked_as="; ".join(dict.fromkeys(steps)),
                picked_by="; ".join(dict.fromkeys(by)),
                hits=hits.get(entry.id, 0),
            )
        )
    return ExportBundle(
        study=store.study_name()[0] or store.path.stem,
        description=store.study_name()[1],
        sessions=tuple(_session(store, sid, entries, names, picks[sid]) for sid in session_ids),
        themes=_themes(themes),
        ideas=tuple(r for r in rows if r.entry in THEMED_ENTRIES),
        generated_at=iso(store.now()),
        clustering_note=_note(themes, session_ids),
        language_note=theme_set_note(themes),
        excursion=tuple(r for r in rows if r.entry == EXCURSION_ENTRY),
        responses=tuple(
            r for r in rows if r.entry not in THEMED_ENTRIES and r.entry != EXCURSION_ENTRY
        ),
        names_included=include_names,
        **focus_fields(store, themes, session_ids),
    )


def _step(phase: Phase | None) -> str:
    """What is chosen in `phase` ("springboard", "example", …), from its technique."""
    known = TECHNIQUES.get(phase.technique) if phase else None
    return (known.pick if known else None) or "pick"


def _picker(participant_id: int | None, names: dict[int, str]) -> str:
    if participant_id is None:
        return FACILITATOR
    return names.get(participant_id, FACILITATOR)


def _picks(
    session_id: int,
    made: list[Pick],
    entries: list[Idea],
    phases: dict[int, Phase],
    names: dict[int, str],
) -> tuple[ExportPick, ...]:
    """The session's picks in the order made; a pick of a withdrawn entry is left out
    (the chain is made of what stands)."""
    standing = {entry.id: entry for entry in entries}
    result = []
    for pick in made:
        entry = standing.get(pick.idea_id)
        if entry is None or pick.session_id != session_id:
            continue
        phase = phases.get(pick.phase_id)
        result.append(
            ExportPick(
                step=_step(phase),
                seq=entry.seq,
                text=entry.text,
                entry=entry.entry,
                by=_picker(pick.participant_id, names),
                phase=phase.title if phase else "",
                technique=phase.technique if phase else "",
                at=iso(pick.at),
            )
        )
    return tuple(result)


def _picked(
    made: list[Pick], names: dict[int, str], phases: dict[int, Phase]
) -> dict[int, tuple[list[str], list[str]]]:
    """Entry id -> (steps it was picked at, who picked it), in the order picked."""
    picked: dict[int, tuple[list[str], list[str]]] = {}
    for pick in made:
        steps, by = picked.setdefault(pick.idea_id, ([], []))
        steps.append(_step(phases.get(pick.phase_id)))
        by.append(_picker(pick.participant_id, names))
    return picked


def _participant_names(people: list[Participant], include_names: bool) -> dict[int, str]:
    names = {}
    for number, person in enumerate(sorted(people, key=lambda p: p.id), start=1):
        if person.anonymous:
            names[person.id] = f"Anonymous {number}"
        else:
            names[person.id] = person.label if include_names else f"P{number}"
    return names


def _placement(themes: ThemeSet | None) -> dict[int, tuple[int, str, bool, bool, int | None]]:
    placed: dict[int, tuple[int, str, bool, bool, int | None]] = {}
    for theme in themes.themes if themes else ():
        rep = theme.representative.id if theme.representative else None
        for idea in theme.ideas:
            placed[idea.id] = (
                theme.number,
                theme.label,
                idea.id == rep,
                idea.id in theme.wild,
                theme.duplicate_groups.get(idea.id),
            )
    return placed


def _themes(themes: ThemeSet | None) -> tuple[ExportTheme, ...]:
    if themes is None:
        return ()
    return tuple(
        ExportTheme(
            id=t.number,
            label=t.label,
            representative=t.representative.text if t.representative else "",
            size=len(t.ideas),
            wild=len(t.wild),
            duplicates=len(t.duplicate_groups),
        )
        for t in themes.themes
    )


def _chosen_themes(
    store: Store, session_ids: Sequence[int], revision: int | None
) -> ThemeSet | None:
    if revision is None:
        return covering_theme_set(store, session_ids)
    chosen = theme_set(store, revision)
    scope = chosen.record.scope
    outside = sorted(set(session_ids) - set(scope))
    if outside:
        raise ThemeError(
            f"theme revision {revision} covers sessions {', '.join(map(str, scope))},"
            f" not {', '.join(map(str, outside))}"
        )
    if sorted(scope) == sorted(session_ids):
        return chosen
    return narrow_theme_set(store, chosen, session_ids)


def _note(themes: ThemeSet | None, session_ids: Sequence[int]) -> str:
    if themes is None:
        return "Not clustered yet: run `ideation cluster` for themes."
    record = themes.record
    kind = "automatic" if record.automatic else f"edited ({record.note})"
    note = f"Theme revision {record.id}, {kind}, {iso(record.created_at)}, model {record.model}."
    if sorted(record.scope) != sorted(session_ids):
        pooled = ", ".join(str(sid) for sid in record.scope)
        note += f" Themes found over sessions {pooled} together; only this export's ideas shown."
    return note


def _map(
    store: Store, themes: ThemeSet | None, ideas: list[Idea]
) -> dict[int, tuple[float, float]]:
    """2-D positions from cached vectors only; empty when the cache is incomplete."""
    if themes is None or len(ideas) < 3:
        return {}
    from ideation.analysis.cluster import map_2d

    vectors = cached_only(store, themes.record.model, [i.text for i in ideas])
    if vectors is None:
        return {}
    points = map_2d(vectors)
    return {idea.id: (float(p[0]), float(p[1])) for idea, p in zip(ideas, points, strict=True)}


def _session(
    store: Store,
    session_id: int,
    entries: list[Idea],
    names: dict[int, str],
    picks: tuple[ExportPick, ...],
) -> ExportSession:
    """The session's brief, agenda as run and flow; flow counts every entry but
    excursion material, which is stimulus, not output (as on the live screen)."""
    ideas = [e for e in entries if e.entry != EXCURSION_ENTRY]
    session = store.session(session_id)
    phases = store.phases(session_id)
    log = store.phase_log(session_id)
    end = session.ended_at or max((i.created_at for i in ideas), default=session.created_at)
    state = timer_state([p.planned_seconds for p in phases], log, end)
    first_start = {}
    for event in log:
        if event.kind == "start" and event.position is not None:
            first_start.setdefault(event.position, event.at)
    brief: dict[str, object] = {}
    if session.plan_id is not None:
        plan = store.plan(session.plan_id)
        try:
            parsed = parse_plan(plan.source, plan.path).brief
            brief = {
                "problem_as_given": parsed.problem_as_given,
                "background": parsed.background,
                "tried": list(parsed.tried),
                "opportunity_areas": list(parsed.opportunity_areas),
                "springboards": list(parsed.springboards),
            }
        except PlanError:
            brief = {}
    mine = [i for i in ideas if i.session_id == session_id]
    start = log[0].at if log else session.created_at
    counts: dict[str, int] = {}
    for idea in mine:
        name = names.get(idea.participant_id or -1, UNATTRIBUTED)
        counts[name] = counts.get(name, 0) + 1
    return ExportSession(
        name=session.name,
        brief=brief,
        agenda=tuple(
            AgendaRow(
                title=p.title,
                technique=p.technique,
                planned_minutes=p.planned_seconds / 60,
                actual_minutes=round(state.actual_seconds.get(p.position, 0.0) / 60, 1),
                started_at=iso(first_start.get(p.position)),
            )
            for p in (() if session.imported_from else phases)  # imported: never timed
        ),
        ideas_per_minute=(
            tuple(ideas_per_minute(mine, start, end))
            if mine and not session.imported_from
            else ()
        ),
        participation=tuple(sorted(counts.items(), key=lambda kv: -kv[1])),
        picks=picks,
        imported_from=session.imported_from,
    )
