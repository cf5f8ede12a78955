"""Provides the Markdown report: the brief, the agenda as run, the Synectics chain and the
excursion, every theme with its ideas, then each developed idea's itemized response.

It is what a researcher pastes into a debrief, so participant text is made inert
(`md_text`): an idea that looks like a heading, a list, a link or HTML stays text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ideation.export.model import (
    ExportBundle,
    ExportIdea,
    ExportSession,
    chain,
    developments,
    excursion_by_phase,
    fold_duplicates,
    hits_ranking,
    theme_groups,
    theme_label,
)
from ideation.export.report_common import (
    EXCURSION_NOTE,
    HITS_NOTE,
    as_list,
    brief_items,
    capitalised,
    clean,
    clock,
    count_phrase,
    difference,
    entry_tags,
    headline,
    ideas_by_phase,
    imported_note,
    minutes,
    paragraphs,
    responses_of,
    source_parts,
    technique_name,
    variants,
    when,
    who,
)
from ideation.export.report_compare import markdown_focus
from ideation.text import plural

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([#+\-=])|(\d+)([.)]))")


def md_text(text: Any) -> str:
    """Participant text made inert in Markdown: no emphasis, links, HTML or stray tables."""
    flat = " ".join(clean(text).split())
    escaped = _MD_SPECIAL.sub(r"\\\1", flat)
    return _MD_LINE_START.sub(_escape_line_start, escaped)


def _escape_line_start(match: re.Match[str]) -> str:
    """A leading "- x" or "1. x" would start a list: escape the marker, keep the text."""
    indent, sign, number, dot = match.groups()
    return f"{indent}\\{sign}" if sign else f"{indent}{number}\\{dot}"


def render_markdown(bundle: ExportBundle) -> str:
    """A report to read or paste: brief, agenda as run, then every theme with its ideas."""
    lines: list[str] = [f"# {md_text(bundle.study)}", ""]
    lines += [line for p in paragraphs(bundle.description) for line in (md_text(p), "")]
    lines += [f"*Ideation export, generated {md_text(when(bundle.generated_at))}*", ""]
    (ideas, themes, wild, people, sessions) = [f"{n} {noun}" for n, noun in headline(bundle)]
    lines += [f"**{ideas}** in **{themes}** from {sessions}, {people}, {wild}.", ""]
    for session in bundle.sessions:
        lines += _md_session(session, bundle.ideas)
        lines += _md_chain(bundle, session) + _md_excursion(bundle, session)
        lines += _md_hits(bundle, session)
    lines += ["## Themes", ""]
    if bundle.clustering_note:
        lines += [f"> {md_text(bundle.clustering_note)}", ""]
    if bundle.language_note:
        lines += [f"> **{md_text(bundle.language_note)}**", ""]
    if not bundle.themes:
        lines += ["*No themes yet: the ideas have not been clustered.*", ""]
    for theme, members in theme_groups(bundle):
        counts = ", ".join(count_phrase(theme, members))
        if theme is None:
            lines += [f"### {md_text(theme_label(None))} ({counts})", ""]
        else:
            lines += [f"### {theme.id}. {md_text(theme_label(theme))} ({counts})", ""]
            if theme.representative:
                lines += [f"> {md_text(theme.representative)}", ""]
        lines += [_md_idea(group, len(bundle.sessions) > 1) for group in fold_duplicates(members)]
        lines.append("")
    lines += markdown_focus(bundle, md_text)
    lines += _md_developments(bundle)
    return "\n".join(lines).rstrip() + "\n"


def _md_chain(bundle: ExportBundle, session: ExportSession) -> list[str]:
    """The chain as it ran: each step's pick, then the force-fit ideas it led to."""
    links = chain(bundle, session)
    if not links:
        return []
    lines = ["### Synectics chain", ""]
    for number, link in enumerate(links, start=1):
        if link.pick is None:
            lines.append(f"{number}. **{capitalised(link.step)}:**")
            lines += [f"    - {md_text(idea.text)}{_entry_source(idea)}" for idea in link.ideas]
        else:
            pick = link.pick
            lines.append(
                f"{number}. **{md_text(capitalised(pick.step))}:** {md_text(pick.text)}"
                f" (#{pick.seq}) — picked by {md_text(pick.by)}, {md_text(clock(pick.at))}"
            )
    return [*lines, ""]


def _md_excursion(bundle: ExportBundle, session: ExportSession) -> list[str]:
    phases = excursion_by_phase(bundle, session)
    if not phases:
        return []
    lines = ["### Excursion material", "", f"*{EXCURSION_NOTE}*", ""]
    for phase, entries in phases:
        lines += [f"**{md_text(phase) or 'No phase'}**", ""]
        lines += [f"- {md_text(e.text)}{_entry_source(e, kind=False)}" for e in entries] + [""]
    return lines


def _md_hits(bundle: ExportBundle, session: ExportSession) -> list[str]:
    """The ideas participants tapped in the hits phase, most hits first (only when any)."""
    ranked = hits_ranking(bundle, session)
    if not ranked:
        return []
    lines = ["### Hits", "", f"*{HITS_NOTE}*", ""]
    lines += [
        f"{n}. **{plural(idea.hits, 'hit')}** {md_text(idea.text)}{_entry_source(idea)}"
        for n, idea in enumerate(ranked, start=1)
    ]
    return [*lines, ""]


def _md_developments(bundle: ExportBundle) -> list[str]:
    """Each developed idea with its pluses, potentials and concerns."""
    found = developments(bundle)
    if not found:
        return []
    lines = ["## Itemized response", ""]
    for development in found:
        idea = development.idea
        if idea is None:
            lines += ["### Not linked to an idea", ""]
        else:
            lines += [f"### #{idea.seq} {md_text(idea.text)}", ""]
            if source := _entry_source(idea, number=False).removeprefix(" — "):
                lines += [f"*{source}*", ""]
        for heading, entries in responses_of(development):
            lines += [f"**{heading}**", ""]
            lines += [f"- {md_text(e.text)}{_entry_source(e, kind=False)}" for e in entries]
            lines.append("")
        if not responses_of(development):
            lines += ["*Picked to develop; nothing said about it yet.*", ""]
    return lines


def _entry_source(entry: ExportIdea, *, kind: bool = True, number: bool = True) -> str:
    """What follows an entry: who, its number and its notes, as in
    " — P3 · #14 · picked as example by P1"."""
    parts = [md_text(name) for name in who([entry])]
    parts += [f"#{entry.seq}"] if number else []  # mid-line: a "#" needs no escape
    parts += [md_text(tag) for tag in entry_tags(entry, kind=kind)]
    return _dash(" · ".join(parts))


def _md_session(session: ExportSession, ideas: Sequence[ExportIdea]) -> list[str]:
    lines = [f"## {md_text(session.name)}", "", "### Brief", ""]
    items = brief_items(session.brief)
    if not items:
        lines += ["*No brief recorded.*", ""]
    for heading, value in items:
        entries = as_list(value)
        if entries is None:
            prose = paragraphs(value)
            lines += [f"**{heading}.** {md_text(prose[0])}", ""]
            lines += [line for p in prose[1:] for line in (md_text(p), "")]
        else:
            lines += [f"**{heading}**", ""] + [f"- {md_text(entry)}" for entry in entries] + [""]
    if session.imported_from:
        lines += [f"*{md_text(imported_note(session))}*", ""]
    elif session.agenda:
        counts = dict(ideas_by_phase(session, ideas))
        lines += [
            "### Agenda as run",
            "",
            "| # | Phase | Technique | Started | Planned | Actual | Difference | Ideas |",
            "|--:|---|---|---|--:|--:|--:|--:|",
        ]
        for number, row in enumerate(session.agenda, start=1):
            delta, _ = difference(row)
            lines.append(
                f"| {number} | {md_text(row.title)} | {md_text(technique_name(row.technique))} "
                f"| {md_text(clock(row.started_at))} | {minutes(row.planned_minutes)} min "
                f"| {minutes(row.actual_minutes)} min | {delta} | {counts.get(row.title, 0)} |"
            )
        lines.append("")
    else:
        lines += ["### Agenda as run", "", "*No agenda recorded.*", ""]
    if session.participation:
        total = sum(count for _, count in session.participation) or 1
        lines += ["### Participation", "", "| Participant | Ideas | Share |", "|---|--:|--:|"]
        lines += [
            f"| {md_text(name)} | {count} | {count / total:.0%} |"
            for name, count in session.participation
        ]
        lines.append("")
    return lines


def _md_idea(group: list[ExportIdea], show_session: bool) -> str:
    first = group[0]
    star = "★ " if any(idea.wild for idea in group) else ""
    names, where = source_parts(group, show_session)
    source = ", ".join(md_text(part) for part in [", ".join(names), *where] if part)
    said = f" *said {len(group)}×*" if len(group) > 1 else ""
    tags = " · ".join(md_text(tag) for tag in entry_tags(first))
    line = f"- {star}{md_text(first.text)}{_dash(source)}{said}" + (f" *({tags})*" if tags else "")
    also = [
        f"  - also said as: {md_text(idea.text)}{_dash(md_text(', '.join(who([idea]))))}"
        for idea in variants(group)
    ]
    return "\n".join([line, *also])


def _dash(source: str) -> str:
    """The " — P3, Phase" after an idea, or nothing when nobody and nowhere is known."""
    return f" — {source}" if source else ""
