"""Provides the self-contained HTML report: one page, readable offline, in a mail client or print.

The page has no external requests (inline CSS from `report.html`, charts as SVG
from `report_charts`, a Content-Security-Policy that forbids scripts). Every piece
of participant text is escaped with `esc`: idea text may hold markup, emoji or
right-to-left script, hence `dir="auto"` on each block of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from importlib import resources
from string import Template
from typing import Any

from ideation.export.model import (
    AgendaRow,
    ExportBundle,
    ExportIdea,
    ExportSession,
    ExportTheme,
    chain,
    developments,
    excursion_by_phase,
    fold_duplicates,
    hits_ranking,
    theme_groups,
    theme_label,
)
from ideation.export.report_charts import (
    BAR_COLOUR,
    group_style,
    hbar_chart,
    ink_on,
    key,
    map_chart,
    minute_chart,
)
from ideation.export.report_common import (
    EXCURSION_NOTE,
    HITS_NOTE,
    MAP_MINIMUM,
    Groups,
    as_list,
    brief_items,
    capitalised,
    clock,
    count_phrase,
    difference,
    entry_tags,
    esc,
    headline,
    ideas_by_phase,
    imported_note,
    minutes,
    paragraphs,
    placed_count,
    responses_of,
    source_parts,
    technique_name,
    theme_counts,
    variants,
    when,
    who,
)
from ideation.export.report_compare import focus_links, html_focus
from ideation.text import plural


def render_html(bundle: ExportBundle) -> str:
    """The whole report as one HTML document with nothing to fetch."""
    groups = theme_groups(bundle)
    body: list[str] = ["<main>", _header(bundle, groups)]
    for number, session in enumerate(bundle.sessions, start=1):
        body.append(_session(number, session, bundle))
    body.append(_map(groups))
    body.append(_themes(bundle, groups))
    body.append(html_focus(bundle))
    body.append(_developments(bundle))
    body.append(
        '<footer class="report"><p>'
        + (esc(bundle.clustering_note) + " " if bundle.clustering_note else "")
        + f"Generated {esc(when(bundle.generated_at))} by ideation. Participants are shown as "
        "they were exported.</p></footer>"
    )
    body.append("</main>")
    template = Template(resources.files(__package__).joinpath("report.html").read_text("utf-8"))
    return template.substitute(title=esc(bundle.study), body="\n".join(body))


def _header(bundle: ExportBundle, groups: Groups) -> str:
    sessions = ", ".join(esc(session.name) for session in bundle.sessions)
    items = "".join(
        f"<li><b>{value}</b><span>{noun}</span></li>" for value, noun in headline(bundle)
    )
    links = [
        f'<li><a href="#session-{n}" dir="auto">{esc(s.name)}</a></li>'
        for n, s in enumerate(bundle.sessions, start=1)
    ]
    if placed_count(groups) >= MAP_MINIMUM:
        links.append('<li><a href="#map">Idea map</a></li>')
    links.append('<li><a href="#themes">Themes</a></li>')
    links += [
        f'<li><a href="#{anchor}">{esc(title)}</a></li>' for anchor, title in focus_links(bundle)
    ]
    if developments(bundle):
        links.append('<li><a href="#itemized">Itemized response</a></li>')
    return (
        '<header class="report"><div class="eyebrow">Ideation report</div>'
        f'<h1 dir="auto">{esc(bundle.study)}</h1>'
        + _description(bundle)
        + (f'<p class="sub" dir="auto">{sessions}</p>' if sessions else "")
        + f'<p class="sub small">Generated {esc(when(bundle.generated_at))}</p>'
        f'<ul class="figures">{items}</ul>'
        f'<nav class="toc" aria-label="Contents"><ol>{"".join(links)}</ol></nav></header>'
    )


def _description(bundle: ExportBundle) -> str:
    """The study's description under its title, a paragraph per blank-line break."""
    return "".join(
        f'<p class="sub" dir="auto">{esc(part)}</p>' for part in paragraphs(bundle.description)
    )


def _session(number: int, session: ExportSession, bundle: ExportBundle) -> str:
    parts = [
        f'<section class="part" id="session-{number}">',
        f'<div class="eyebrow">Session {number}</div><h2 dir="auto">{esc(session.name)}</h2>',
        "<h3>Brief</h3>",
        _brief(session.brief),
        _as_run(session, bundle.ideas),
        "<h3>How the ideas came</h3>",
        '<div class="charts">',
        '<figure class="chart"><figcaption>Ideas per phase</figcaption>'
        + hbar_chart(ideas_by_phase(session, bundle.ideas))
        + "</figure>",
        '<figure class="chart"><figcaption>Ideas per participant</figcaption>'
        + hbar_chart(
            list(session.participation),
            total=sum(count for _, count in session.participation),
        )
        + "</figure>",
        _per_minute(session),
        "</div>",
        _chain(bundle, session),
        _excursion(bundle, session),
        _hits(bundle, session),
        "</section>",
    ]
    return "\n".join(parts)


def _as_run(session: ExportSession, ideas: Sequence[ExportIdea]) -> str:
    """The agenda as run, or for an imported session (never timed) a note saying why not."""
    if session.imported_from:
        return f'<p class="small muted" dir="auto">{esc(imported_note(session))}</p>'
    return "<h3>Agenda as run</h3>" + _agenda(session, ideas)


def _per_minute(session: ExportSession) -> str:
    """Ideas per minute since the first phase started; nothing for an imported session."""
    if session.imported_from:
        return ""
    return (
        '<figure class="chart wide"><figcaption>Ideas per minute '
        '<span class="muted small">· minutes since the first phase started; '
        "numbered lines mark phase starts</span></figcaption>"
        f'<div class="scroll">{minute_chart(session)}</div></figure>'
    )


def _chain(bundle: ExportBundle, session: ExportSession) -> str:
    """The Synectics chain as it ran: each pick, then the force-fit ideas it led to."""
    links = chain(bundle, session)
    if not links:
        return ""
    items = []
    for link in links:
        if link.pick is None:
            ideas = "".join(f"<li>{_entry(idea)}</li>" for idea in link.ideas)
            items.append(
                f'<li><span class="step">{esc(capitalised(link.step))}</span>'
                f'<ol class="ideas">{ideas}</ol></li>'
            )
        else:
            pick = link.pick
            items.append(
                f'<li><span class="step">{esc(capitalised(pick.step))}</span>'
                f'<span class="text" dir="auto">{esc(pick.text)}</span>'
                f'<span class="who">#{pick.seq} · picked by {esc(pick.by)} · '
                f'<span title="{esc(pick.at)}">{esc(clock(pick.at))}</span></span></li>'
            )
    return f'<h3>Synectics chain</h3><ol class="chain">{"".join(items)}</ol>'


def _excursion(bundle: ExportBundle, session: ExportSession) -> str:
    phases = excursion_by_phase(bundle, session)
    if not phases:
        return ""
    parts = ["<h3>Excursion material</h3>", f'<p class="small muted">{esc(EXCURSION_NOTE)}</p>']
    for phase, entries in phases:
        items = "".join(f"<li>{_entry(entry, kind=False)}</li>" for entry in entries)
        parts.append(
            f'<h4 dir="auto">{esc(phase) or "No phase"}</h4><ol class="ideas">{items}</ol>'
        )
    return "".join(parts)


def _hits(bundle: ExportBundle, session: ExportSession) -> str:
    """The ideas participants tapped in the hits phase, most hits first (only when any)."""
    ranked = hits_ranking(bundle, session)
    if not ranked:
        return ""
    items = "".join(
        f'<li><span class="n">{plural(idea.hits, "hit")}</span>{_entry(idea)}</li>'
        for idea in ranked
    )
    return (
        f'<h3>Hits</h3><p class="small muted">{esc(HITS_NOTE)}</p>'
        f'<ol class="ideas hits">{items}</ol>'
    )


def _developments(bundle: ExportBundle) -> str:
    """Each developed idea with its pluses, potentials and concerns (as "How to…")."""
    found = developments(bundle)
    if not found:
        return ""
    parts = ['<section class="part" id="itemized"><h2>Itemized response</h2>']
    for development in found:
        idea = development.idea
        if idea is None:
            head = "<h3>Not linked to an idea</h3>"
        else:
            head = (
                f'<h3><span class="n">#{idea.seq}</span><span dir="auto">{esc(idea.text)}'
                f"</span></h3>{_who(idea)}"
            )
        lists = "".join(
            f'<h4>{heading}</h4><ol class="ideas">'
            + "".join(f"<li>{_entry(entry, kind=False)}</li>" for entry in entries)
            + "</ol>"
            for heading, entries in responses_of(development)
        )
        if not lists:
            lists = '<p class="empty">Picked to develop; nothing said about it yet.</p>'
        parts.append(f'<article class="developed">{head}{lists}</article>')
    parts.append("</section>")
    return "\n".join(parts)


def _entry(entry: ExportIdea, *, kind: bool = True) -> str:
    """One entry outside the themes: its text, then who, its number and its notes."""
    return f'<span class="text" dir="auto">{esc(entry.text)}</span>{_who(entry, kind=kind)}'


def _who(entry: ExportIdea, *, kind: bool = True) -> str:
    parts = [*who([entry]), f"#{entry.seq}", *entry_tags(entry, kind=kind)]
    return f'<span class="who">{" · ".join(esc(part) for part in parts if part)}</span>'


def _brief(brief: dict[str, Any]) -> str:
    items = brief_items(brief)
    if not items:
        return '<p class="empty">No brief recorded.</p>'
    rows = []
    for heading, value in items:
        entries = as_list(value)
        if entries is None:
            content = "".join(
                f'<p dir="auto">{esc(" ".join(p.split()))}</p>' for p in paragraphs(value)
            )
        else:
            content = "<ul>" + "".join(f'<li dir="auto">{esc(e)}</li>' for e in entries) + "</ul>"
        rows.append(f"<dt>{esc(heading)}</dt><dd>{content}</dd>")
    return f'<dl class="brief">{"".join(rows)}</dl>'


def _agenda(session: ExportSession, ideas: Sequence[ExportIdea]) -> str:
    if not session.agenda:
        return '<p class="empty">No agenda recorded.</p>'
    counts = dict(ideas_by_phase(session, ideas))
    timed = [r for r in session.agenda if _finite_row(r)]
    longest = max((max(r.planned_minutes, r.actual_minutes) for r in timed), default=0) or 1
    rows = []
    for number, row in enumerate(session.agenda, start=1):
        delta, css = difference(row)
        rows.append(
            f'<tr><td class="num">{number}</td><td dir="auto">{esc(row.title)}</td>'
            f'<td class="opt">{esc(technique_name(row.technique))}</td>'
            f'<td class="num" title="{esc(row.started_at)}">{esc(clock(row.started_at))}</td>'
            f'<td class="num">{minutes(row.planned_minutes)}</td>'
            f'<td class="num">{minutes(row.actual_minutes)}</td>'
            f'<td class="num {css}">{delta}</td>'
            f'<td class="num">{counts.get(row.title, 0)}</td>'
            f'<td class="bar">{_plan_bar(row, longest)}</td></tr>'
        )
    planned = sum(r.planned_minutes for r in timed)
    actual = sum(r.actual_minutes for r in timed)
    delta, css = difference(AgendaRow("", "", planned, actual, ""))
    bar_key = (
        '<p class="small muted barkey"><span class="key">'
        '<svg class="swatch" viewBox="0 0 22 10"><rect x="0.5" y="0.5" width="21" height="9" '
        'fill="none" stroke="#8a93a1" /></svg>planned</span><span class="key">'
        '<svg class="swatch" viewBox="0 0 22 10">'
        f'<rect width="22" height="10" fill="{BAR_COLOUR}" /></svg>actual</span>'
        "Minutes; difference is actual minus planned.</p>"
    )
    return (
        '<div class="scroll"><table><thead><tr><th class="num">#</th><th>Phase</th>'
        '<th class="opt">Technique</th><th class="num">Started</th><th class="num">Planned</th>'
        '<th class="num">Actual</th><th class="num">Difference</th><th class="num">Ideas</th>'
        '<th class="bar"></th></tr></thead><tbody>'
        + "".join(rows)
        + '</tbody><tfoot><tr><th></th><th>Total</th><th class="opt"></th><th></th>'
        f'<th class="num">{minutes(planned)}</th><th class="num">{minutes(actual)}</th>'
        f'<th class="num {css}">{delta}</th><th class="num">{sum(counts.values())}</th>'
        '<th class="bar"></th></tr></tfoot></table></div>' + bar_key
    )


def _finite_row(row: AgendaRow) -> bool:
    return math.isfinite(row.planned_minutes) and math.isfinite(row.actual_minutes)


def _plan_bar(row: AgendaRow, longest: float) -> str:
    """Actual as a filled bar over planned as an outline: overruns stick out at a glance."""
    if not _finite_row(row):
        return ""
    width = 160
    planned = max(width * row.planned_minutes / longest, 0)
    actual = max(width * row.actual_minutes / longest, 0)
    return (
        f'<svg viewBox="0 0 {width} 14" aria-hidden="true">'
        f'<rect x="0" y="3" width="{actual:.1f}" height="8" fill="{BAR_COLOUR}" />'
        f'<rect x="0.5" y="0.5" width="{max(planned - 1, 0):.1f}" height="13" fill="none" '
        f'stroke="#8a93a1" /></svg>'
    )


def _map(groups: Groups) -> str:
    chart = map_chart(groups)
    if not chart:
        return ""
    total = sum(len(ideas) for _, ideas in groups)
    missing = ""
    if (unplaced := total - placed_count(groups)) > 0:
        verb = "is" if unplaced == 1 else "are"
        missing = f" {plural(unplaced, 'idea')} without a position {verb} not shown."
    legend = []
    for index, (theme, ideas) in enumerate(groups):
        colour, shape = group_style(index, theme)
        prefix = f"{theme.id}. " if theme is not None else ""
        legend.append(
            f'<li data-t="{index}">{key(colour, shape)}<span><span dir="auto">{prefix}'
            f"{esc(theme_label(theme))}</span> "
            f'<span class="muted">{theme_counts(theme, ideas)[0]}</span></span></li>'
        )
    return (
        '<section class="part" id="map"><h2>Idea map</h2>'
        '<p class="small muted">Each mark is an idea; ideas said in similar words sit close '
        "together. Labels sit at the centre of each theme (where they would overlap, a theme "
        "keeps only its number or is left to the legend)."
        '<span class="screen-only"> Hover a mark to read the idea; hover a theme, on the map '
        "or in the legend, to pick it out.</span>"
        f"{missing}</p>"
        f'<figure class="map">{chart}<ul class="legend">{"".join(legend)}</ul></figure></section>'
    )


def _themes(bundle: ExportBundle, groups: Groups) -> str:
    show_session = len(bundle.sessions) > 1
    parts = ['<section class="part" id="themes"><h2>Themes</h2>']
    if bundle.clustering_note:
        parts.append(f'<p class="small muted">{esc(bundle.clustering_note)}</p>')
    if bundle.language_note:
        parts.append(f'<p class="small"><b>{esc(bundle.language_note)}</b></p>')
    if not bundle.themes:
        parts.append('<p class="empty">No themes yet: the ideas have not been clustered.</p>')
    else:
        parts.append(_overview(groups))
    for index, (theme, ideas) in enumerate(groups):
        parts.append(_theme(index, theme, ideas, show_session))
    parts.append("</section>")
    return "\n".join(parts)


def _theme(
    index: int, theme: ExportTheme | None, ideas: list[ExportIdea], show_session: bool
) -> str:
    """One theme's article: heading, counts, representative idea, then every other idea."""
    colour, _ = group_style(index, theme)
    representative = ""
    if theme is None:
        anchor, badge = "unthemed", ""
    else:
        anchor, badge = f"theme-{theme.id}", f'<span class="n">{theme.id}</span>'
        if theme.representative:
            representative = _quote(f'<span dir="auto">{esc(theme.representative)}</span>')
    meta = " · ".join(count_phrase(theme, ideas))
    folded = fold_duplicates(ideas)
    lead = next((g for g in folded if any(i.representative for i in g)), None)
    if theme is not None and lead is not None:
        folded.remove(lead)
        representative = _quote(_idea_text(lead) + _idea_source(lead, show_session))
    items = "".join(f"<li>{_idea_text(g)}{_idea_source(g, show_session)}</li>" for g in folded)
    return (
        f'<article class="theme" id="{anchor}" style="--c:{colour};--ci:{ink_on(colour)}">'
        f'<header><h3>{badge}<span dir="auto">{esc(theme_label(theme))}</span></h3>'
        f'<p class="meta">{meta}</p></header>{representative}'
        f'<ol class="ideas">{items}</ol></article>'
    )


def _quote(content: str) -> str:
    return (
        '<blockquote class="rep"><span class="eyebrow">Representative idea</span>'
        f"{content}</blockquote>"
    )


def _overview(groups: Groups) -> str:
    """All themes on one screen, linked to their sections: the report's table of contents."""
    rows = []
    for index, (theme, ideas) in enumerate(groups):
        colour, shape = group_style(index, theme)
        if theme is None:
            label, anchor = "", "unthemed"
        else:
            label, anchor = str(theme.id), f"theme-{theme.id}"
        size, wild, duplicates = theme_counts(theme, ideas)
        rows.append(
            f'<tr><td class="nowrap">{key(colour, shape)} {label}</td>'
            f'<td><a href="#{anchor}" dir="auto">{esc(theme_label(theme))}</a></td>'
            f'<td class="num">{size}</td><td class="num">{wild or ""}</td>'
            f'<td class="num">{duplicates or ""}</td></tr>'
        )
    return (
        '<div class="scroll"><table class="overview"><thead><tr><th>#</th><th>Theme</th>'
        '<th class="num">Ideas</th><th class="num">Wild</th><th class="num">Near-dupl.</th>'
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
    )


def _idea_text(group: list[ExportIdea]) -> str:
    """The idea as said (★ if wild), "said 3×" and any other wordings of the same point.

    `dir="auto"` sits on the block, so an Arabic or Hebrew idea also aligns right.
    """
    first = group[0]
    star = ""
    if any(idea.wild for idea in group):
        star = '<span class="star" title="Wild idea" aria-label="Wild idea">★</span> '
    said = f'<span class="tag">said {len(group)}×</span>' if len(group) > 1 else ""
    also = "".join(
        f'<span class="also" dir="auto">{esc(idea.text)}{_aside(who([idea]))}</span>'
        for idea in variants(group)
    )
    return f'<span class="text" dir="auto">{star}{esc(first.text)}{said}{also}</span>'


def _aside(names: list[str]) -> str:
    """' (P3)' after another wording, or nothing when nobody is known: never "()"."""
    return f' <span class="muted">({esc(", ".join(names))})</span>' if names else ""


def _idea_source(group: list[ExportIdea], show_session: bool) -> str:
    """Who said it, in which phase (and session), its number(s) in the capture log and what
    it builds on, joined by " · " with every blank part left out (no leading "·")."""
    first = group[0]
    names, where = source_parts(group, show_session)
    parts = [", ".join(names), *where, ", ".join(f"#{idea.seq}" for idea in group)]
    if first.builds_on is not None:
        parts.append(f"builds on #{first.builds_on}")
    parts += entry_tags(first)
    return f'<span class="who">{" · ".join(esc(part) for part in parts if part)}</span>'
