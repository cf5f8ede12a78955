"""Provides the readable exports (Markdown and a self-contained HTML report) of a bundle.

These are what a researcher pastes into a debrief or emails to a client, so they
read top to bottom: the brief, the agenda as it ran, how the ideas came, then the
themes. The HTML is one file with no external requests (inline CSS, charts as SVG
drawn here, a Content-Security-Policy that forbids scripts), so it opens the same
offline, in a mail client or in print. Every piece of participant text is escaped:
idea text may hold markup, emoji or right-to-left script.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from importlib import resources
from string import Template
from typing import Any

from ideation.export.model import (
    AgendaRow,
    ExportBundle,
    ExportIdea,
    ExportSession,
    ExportTheme,
    fold_duplicates,
    theme_groups,
    theme_label,
)

#: The brief's known fields, in reading order, with their headings.
BRIEF_FIELDS = (
    ("problem_as_given", "Problem as given"),
    ("background", "Background"),
    ("tried", "Already tried"),
    ("opportunity_areas", "Opportunity areas"),
    ("springboards", "Springboards"),
)

#: Theme colours: ten that stay apart on screen and in print (Tableau 10, grey swapped
#: for indigo because grey means "not in a theme"). Past ten the marker shape changes
#: (filled dot, ring, square), so 30 themes stay distinguishable before anything repeats.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#3d3b8e",
)
SHAPES = ("dot", "ring", "square")
UNTHEMED_COLOUR = "#9aa3af"
BAR_COLOUR = "#2f5d8a"
GRID_COLOUR = "#e1e5eb"
TEXT_COLOUR = "#5c6675"

#: Fewer placed ideas than this make no map worth drawing.
MAP_MINIMUM = 3

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- shared ----------------------------------------------------------------------------------


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


def ideas_by_phase(session: ExportSession, ideas: Sequence[ExportIdea]) -> list[tuple[str, int]]:
    """Idea counts per phase in agenda order, then any phase the agenda does not name."""
    counts = Counter(idea.phase for idea in ideas if idea.session == session.name)
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
    phrase = [_plural(size, "idea")]
    if wild:
        phrase.append(f"{wild} wild")
    if duplicates:
        phrase.append(_plural(duplicates, "near-duplicate"))
    return phrase


def participants(bundle: ExportBundle) -> list[str]:
    """Everyone who contributed an idea or is listed in a session, first seen first."""
    names = [idea.participant for idea in bundle.ideas]
    names += [name for session in bundle.sessions for name, _ in session.participation]
    return list(dict.fromkeys(name for name in names if name))


def _clean(text: Any) -> str:
    return _CONTROL.sub("", str(text))


def _brief_items(brief: dict[str, Any]) -> list[tuple[str, Any]]:
    known = [(heading, brief[key]) for key, heading in BRIEF_FIELDS if brief.get(key)]
    names = {key for key, _ in BRIEF_FIELDS}
    extra = [
        (key.replace("_", " ").capitalize(), value)
        for key, value in brief.items()
        if key not in names and value
    ]
    return known + extra


def _as_list(value: Any) -> list[str] | None:
    if isinstance(value, dict):
        return [f"{key}: {item}" for key, item in value.items()]
    if isinstance(value, list | tuple | set):
        return [str(item) for item in value]
    return None


# --- markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([#+\-=])|(\d+)([.)]))")


def md_text(text: Any) -> str:
    """Participant text made inert in Markdown: no emphasis, links, HTML or stray tables."""
    flat = " ".join(_clean(text).split())
    escaped = _MD_SPECIAL.sub(r"\\\1", flat)
    return _MD_LINE_START.sub(_escape_line_start, escaped)


def _escape_line_start(match: re.Match[str]) -> str:
    """A leading "- x" or "1. x" would start a list: escape the marker, keep the text."""
    indent, sign, number, dot = match.groups()
    return f"{indent}\\{sign}" if sign else f"{indent}{number}\\{dot}"


def render_markdown(bundle: ExportBundle) -> str:
    """A report to read or paste: brief, agenda as run, then every theme with its ideas."""
    lines: list[str] = [f"# {md_text(bundle.study)}", ""]
    lines += [f"*Ideation export, generated {md_text(when(bundle.generated_at))}*", ""]
    wild = sum(idea.wild for idea in bundle.ideas)
    lines += [
        f"**{len(bundle.ideas)} ideas** in **{len(bundle.themes)} themes** from "
        f"{_plural(len(bundle.sessions), 'session')}, "
        f"{_plural(len(participants(bundle)), 'participant')}, "
        f"{_plural(wild, 'wild idea')}.",
        "",
    ]
    for session in bundle.sessions:
        lines += _md_session(session, bundle.ideas)
    lines += ["## Themes", ""]
    if bundle.clustering_note:
        lines += [f"> {md_text(bundle.clustering_note)}", ""]
    groups = theme_groups(bundle)
    if not bundle.themes:
        lines += ["*No themes yet: the ideas have not been clustered.*", ""]
    for theme, ideas in groups:
        counts = ", ".join(count_phrase(theme, ideas))
        if theme is None:
            lines += [f"### {md_text(theme_label(None))} ({counts})", ""]
        else:
            lines += [f"### {theme.id}. {md_text(theme_label(theme))} ({counts})", ""]
            if theme.representative:
                lines += [f"> {md_text(theme.representative)}", ""]
        lines += [_md_idea(group, len(bundle.sessions) > 1) for group in fold_duplicates(ideas)]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md_session(session: ExportSession, ideas: Sequence[ExportIdea]) -> list[str]:
    lines = [f"## {md_text(session.name)}", "", "### Brief", ""]
    items = _brief_items(session.brief)
    if not items:
        lines += ["*No brief recorded.*", ""]
    for heading, value in items:
        entries = _as_list(value)
        if entries is None:
            paragraphs = [p for p in re.split(r"\n\s*\n", _clean(value)) if p.strip()]
            lines += [f"**{heading}.** {md_text(paragraphs[0])}", ""]
            lines += [line for p in paragraphs[1:] for line in (md_text(p), "")]
        else:
            lines += [f"**{heading}**", ""] + [f"- {md_text(entry)}" for entry in entries] + [""]
    lines += ["### Agenda as run", ""]
    if session.agenda:
        counts = dict(ideas_by_phase(session, ideas))
        lines += [
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
        lines += ["*No agenda recorded.*", ""]
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
    who = ", ".join(dict.fromkeys(md_text(idea.participant) for idea in group))
    where = [md_text(first.phase)] + ([md_text(first.session)] if show_session else [])
    said = f" *said {len(group)}×*" if len(group) > 1 else ""
    line = f"- {star}{md_text(first.text)} — {who}, {', '.join(where)}{said}"
    also = [
        f"  - also said as: {md_text(i.text)} — {md_text(i.participant)}" for i in variants(group)
    ]
    return "\n".join([line, *also])


def variants(group: list[ExportIdea]) -> list[ExportIdea]:
    """The near-duplicates worded differently from the first: the reports keep every wording."""
    first = " ".join(group[0].text.split()).casefold()
    return [idea for idea in group[1:] if " ".join(idea.text.split()).casefold() != first]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


# --- html ------------------------------------------------------------------------------------


def esc(text: Any) -> str:
    """Text for HTML content or a quoted attribute: escaped, control characters dropped."""
    return html.escape(_clean(text), quote=True)


def theme_style(index: int) -> tuple[str, str]:
    """(colour, marker shape) of the index-th theme: colours cycle, shapes change each round."""
    return PALETTE[index % len(PALETTE)], SHAPES[(index // len(PALETTE)) % len(SHAPES)]


def marker(x: float, y: float, colour: str, shape: str, size: float = 5.0, extra: str = "") -> str:
    """One map point / legend key as SVG: a dot, a ring or a square."""
    if shape == "square":
        side = size * 1.7
        return (
            f'<rect x="{x - side / 2:.1f}" y="{y - side / 2:.1f}" width="{side:.1f}" '
            f'height="{side:.1f}" fill="{colour}"{extra}'
        )
    if shape == "ring":
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size - 1:.1f}" fill="#fff" '
            f'stroke="{colour}" stroke-width="2.2"{extra}'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{colour}"{extra}'


def _key(colour: str, shape: str) -> str:
    shape_svg = marker(6, 6, colour, shape, size=5, extra=" />")
    return f'<svg class="keymark" viewBox="0 0 12 12" aria-hidden="true">{shape_svg}</svg>'


def _nice_step(top: float, ticks: int = 4) -> float:
    """A round gridline step (1, 2, 5 × 10^n) giving about `ticks` lines up to `top`."""
    raw = max(top, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return max(step, 1)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def hbar_chart(rows: Sequence[tuple[str, int]], *, total: int | None = None) -> str:
    """Horizontal bars with labels at the left: long labels and many rows stay readable."""
    if not rows or not any(value for _, value in rows):
        return '<p class="empty">No ideas captured.</p>'
    width, value_w, bar_h, gap, top = 460, 64, 18, 7, 4
    # About 7 units a character at this size: short labels (P1, P2) leave room for the bars.
    label_w = min(max(len(_clean(label)) for label, _ in rows), 26) * 7 + 16
    plot = width - label_w - value_w
    peak = max(value for _, value in rows)
    height = top + len(rows) * (bar_h + gap)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" font-size="12.5" '
        f'aria-label="{len(rows)} bars">'
    ]
    for number, (label, value) in enumerate(rows):
        y = top + number * (bar_h + gap)
        length = max(plot * value / peak, 0) if peak > 0 else 0
        share = f" ({value / total:.0%})" if total else ""
        parts.append(
            f"<g><title>{esc(label)}: {value}{share}</title>"
            f'<text x="{label_w - 10}" y="{y + bar_h * 0.72:.1f}" text-anchor="end" '
            f'fill="#1c2330">{esc(_truncate(_clean(label), 26))}</text>'
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" rx="2" '
            f'fill="{BAR_COLOUR}" />'
            f'<text x="{label_w + length + 6:.1f}" y="{y + bar_h * 0.72:.1f}" '
            f'fill="{TEXT_COLOUR}">{value}{share}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def minute_chart(session: ExportSession) -> str:
    """Ideas captured per minute as bars, with numbered lines where each phase started."""
    counts = list(session.ideas_per_minute)
    if not counts or not any(counts):
        return '<p class="empty">No ideas captured.</p>'
    width, height, left, right, top, bottom = 960, 230, 34, 10, 20, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    step = _nice_step(max(counts))
    ceiling = step * math.ceil(max(counts) / step)
    slot = plot_w / len(counts)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" font-size="12.5" '
        f'aria-label="Ideas per minute over {len(counts)} minutes">'
    ]
    value = 0.0
    while value <= ceiling + 1e-9:
        y = top + plot_h - plot_h * value / ceiling
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}" />'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f"{value:g}</text>"
        )
        value += step
    for minute, count in enumerate(counts):
        if not count:
            continue
        bar = plot_h * count / ceiling
        parts.append(
            f'<rect x="{left + minute * slot + slot * 0.1:.2f}" y="{top + plot_h - bar:.1f}" '
            f'width="{max(slot * 0.8, 0.8):.2f}" height="{bar:.1f}" fill="{BAR_COLOUR}">'
            f"<title>Minute {minute + 1}: {_plural(count, 'idea')}</title></rect>"
        )
    for number, offset in _phase_offsets(session):
        if 0 <= offset <= len(counts):
            x = left + offset * slot
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{top + plot_h}" '
                f'stroke="#8a93a1" stroke-dasharray="3 3" />'
                f'<text x="{x + 3:.1f}" y="{top - 7}" fill="{TEXT_COLOUR}" font-size="11">'
                f"{number}</text>"
            )
    tick = next((m for m in (1, 2, 5, 10, 15, 30, 60, 120) if len(counts) / m <= 12), 240)
    minute = 0
    while minute <= len(counts):
        x = left + minute * slot
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + plot_h}" y2="{top + plot_h + 4}" '
            f'stroke="#8a93a1" />'
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="{TEXT_COLOUR}">'
            f"{minute}</text>"
        )
        minute += tick
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="#8a93a1" /></svg>'
    )
    return "".join(parts)


def _phase_offsets(session: ExportSession) -> list[tuple[int, float]]:
    """(agenda number, minutes since the first phase started) for each phase start."""
    starts: list[tuple[int, datetime]] = []
    for number, row in enumerate(session.agenda, start=1):
        try:
            starts.append((number, datetime.fromisoformat(row.started_at)))
        except (TypeError, ValueError):
            continue
    if not starts:
        return []
    origin = starts[0][1]
    try:
        return [(number, (start - origin).total_seconds() / 60) for number, start in starts]
    except TypeError:  # naive and aware timestamps mixed: no reliable offsets
        return []


def map_chart(groups: Sequence[tuple[ExportTheme | None, list[ExportIdea]]]) -> str:
    """Ideas as dots at their 2-D positions, coloured by theme, numbered at each theme's centre."""
    placed = [
        (index, theme, idea)
        for index, (theme, ideas) in enumerate(groups)
        for idea in ideas
        if _finite(idea.x) and _finite(idea.y)
    ]
    if len(placed) < MAP_MINIMUM:
        return ""
    width, height, pad = 960, 540, 28
    xs = [idea.x for _, _, idea in placed]
    ys = [idea.y for _, _, idea in placed]
    # One scale for both axes (distances on the map mean something), as large as fits.
    fits = [
        (size - 2 * pad) / (max(values) - min(values))
        for size, values in ((width, xs), (height, ys))
        if max(values) > min(values)
    ]
    scale = min(fits, default=1.0)
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def point(idea: ExportIdea) -> tuple[float, float]:
        return (
            width / 2 + (idea.x - mid_x) * scale,  # type: ignore[operator]
            height / 2 - (idea.y - mid_y) * scale,  # type: ignore[operator]
        )

    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Map of {len(placed)} ideas by theme">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fbfcfd" />',
    ]
    # Unthemed first so the themes draw over them.
    for index, theme, idea in sorted(placed, key=lambda item: item[1] is not None):
        colour, shape = _group_style(index, theme)
        x, y = point(idea)
        label = esc(theme_label(theme))
        star = "★ " if idea.wild else ""
        parts.append(
            marker(x, y, colour, shape, extra=' fill-opacity="0.85">')
            + f"<title>{star}{esc(idea.text)} ({label})</title>"
            + ("</rect>" if shape == "square" else "</circle>")
        )
    for theme, ideas in groups:
        if theme is None:
            continue
        spots = [point(i) for i in ideas if _finite(i.x) and _finite(i.y)]
        if not spots:
            continue
        cx = sum(x for x, _ in spots) / len(spots)
        cy = sum(y for _, y in spots) / len(spots)
        parts.append(
            f'<text x="{cx:.1f}" y="{cy + 5:.1f}" text-anchor="middle" font-size="15" '
            f'font-weight="700" fill="#1c2330" stroke="#fff" stroke-width="4" '
            f'paint-order="stroke" stroke-linejoin="round">{theme.id}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def ink_on(colour: str) -> str:
    """Dark or white text, whichever reads on `colour` (a #rrggbb background)."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#1c2330" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.62 else "#fff"


def _group_style(index: int, theme: ExportTheme | None) -> tuple[str, str]:
    return (UNTHEMED_COLOUR, "ring") if theme is None else theme_style(index)


def render_html(bundle: ExportBundle) -> str:
    """The whole report as one HTML document with nothing to fetch."""
    groups = theme_groups(bundle)
    body: list[str] = ["<main>", _html_header(bundle, groups)]
    for number, session in enumerate(bundle.sessions, start=1):
        body.append(_html_session(number, session, bundle))
    body.append(_html_map(groups))
    body.append(_html_themes(bundle, groups))
    body.append(
        '<footer class="report"><p>'
        + (esc(bundle.clustering_note) + " " if bundle.clustering_note else "")
        + f"Generated {esc(when(bundle.generated_at))} by ideation. Participants are shown as "
        "they were exported.</p></footer>"
    )
    body.append("</main>")
    template = Template(resources.files(__package__).joinpath("report.html").read_text("utf-8"))
    return template.substitute(title=esc(bundle.study), body="\n".join(body))


def _html_header(
    bundle: ExportBundle, groups: Sequence[tuple[ExportTheme | None, list[ExportIdea]]]
) -> str:
    sessions = ", ".join(esc(session.name) for session in bundle.sessions)
    figures = [
        (len(bundle.ideas), "ideas"),
        (len(bundle.themes), "themes"),
        (sum(idea.wild for idea in bundle.ideas), "wild ideas"),
        (len(participants(bundle)), "participants"),
        (len(bundle.sessions), "sessions"),
    ]
    items = "".join(f"<li><b>{value}</b><span>{label}</span></li>" for value, label in figures)
    links = [
        f'<li><a href="#session-{n}" dir="auto">{esc(s.name)}</a></li>'
        for n, s in enumerate(bundle.sessions, start=1)
    ]
    if _placed(groups):
        links.append('<li><a href="#map">Idea map</a></li>')
    links.append('<li><a href="#themes">Themes</a></li>')
    return (
        '<header class="report"><div class="eyebrow">Ideation report</div>'
        f'<h1 dir="auto">{esc(bundle.study)}</h1>'
        + (f'<p class="sub" dir="auto">{sessions}</p>' if sessions else "")
        + f'<p class="sub small">Generated {esc(when(bundle.generated_at))}</p>'
        f'<ul class="figures">{items}</ul>'
        f'<nav class="toc" aria-label="Contents"><ol>{"".join(links)}</ol></nav></header>'
    )


def _placed(groups: Iterable[tuple[ExportTheme | None, list[ExportIdea]]]) -> bool:
    placed = sum(_finite(i.x) and _finite(i.y) for _, ideas in groups for i in ideas)
    return placed >= MAP_MINIMUM


def _html_session(number: int, session: ExportSession, bundle: ExportBundle) -> str:
    parts = [
        f'<section class="part" id="session-{number}">',
        f'<div class="eyebrow">Session {number}</div><h2 dir="auto">{esc(session.name)}</h2>',
        "<h3>Brief</h3>",
        _html_brief(session.brief),
        "<h3>Agenda as run</h3>",
        _html_agenda(session, bundle.ideas),
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
        '<figure class="chart wide"><figcaption>Ideas per minute '
        '<span class="muted small">· minutes since the first phase started; '
        "numbered lines mark phase starts</span></figcaption>"
        f'<div class="scroll">{minute_chart(session)}</div></figure>',
        "</div></section>",
    ]
    return "\n".join(parts)


def _html_brief(brief: dict[str, Any]) -> str:
    items = _brief_items(brief)
    if not items:
        return '<p class="empty">No brief recorded.</p>'
    rows = []
    for heading, value in items:
        entries = _as_list(value)
        if entries is None:
            paragraphs = [p for p in re.split(r"\n\s*\n", _clean(value)) if p.strip()]
            content = "".join(f'<p dir="auto">{esc(" ".join(p.split()))}</p>' for p in paragraphs)
        else:
            content = "<ul>" + "".join(f'<li dir="auto">{esc(e)}</li>' for e in entries) + "</ul>"
        rows.append(f"<dt>{esc(heading)}</dt><dd>{content}</dd>")
    return f'<dl class="brief">{"".join(rows)}</dl>'


def _html_agenda(session: ExportSession, ideas: Sequence[ExportIdea]) -> str:
    if not session.agenda:
        return '<p class="empty">No agenda recorded.</p>'
    counts = dict(ideas_by_phase(session, ideas))
    longest = (
        max(
            (max(r.planned_minutes, r.actual_minutes) for r in session.agenda if _finite_row(r)),
            default=0,
        )
        or 1
    )
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
    planned = sum(r.planned_minutes for r in session.agenda if _finite_row(r))
    actual = sum(r.actual_minutes for r in session.agenda if _finite_row(r))
    total = AgendaRow("", "", planned, actual, "")
    delta, css = difference(total)
    key = (
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
        '<th class="bar"></th></tr></tfoot></table></div>' + key
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


def _html_map(groups: Sequence[tuple[ExportTheme | None, list[ExportIdea]]]) -> str:
    chart = map_chart(groups)
    if not chart:
        return ""
    total = sum(len(ideas) for _, ideas in groups)
    placed = sum(1 for _, ideas in groups for i in ideas if _finite(i.x) and _finite(i.y))
    missing = ""
    if placed < total:
        verb = "is" if total - placed == 1 else "are"
        missing = f" {_plural(total - placed, 'idea')} without a position {verb} not shown."
    legend = []
    for index, (theme, ideas) in enumerate(groups):
        colour, shape = _group_style(index, theme)
        prefix = f"{theme.id}. " if theme is not None else ""
        legend.append(
            f'<li>{_key(colour, shape)}<span><span dir="auto">{prefix}{esc(theme_label(theme))}'
            f'</span> <span class="muted">{theme_counts(theme, ideas)[0]}</span></span></li>'
        )
    return (
        '<section class="part" id="map"><h2>Idea map</h2>'
        '<p class="small muted">Each mark is an idea; ideas said in similar words sit close '
        "together. Numbers mark the centre of each theme."
        '<span class="screen-only"> Hover a mark to read the idea.</span>'
        f"{missing}</p>"
        f'<figure class="map">{chart}<ul class="legend">{"".join(legend)}</ul></figure></section>'
    )


def _html_themes(
    bundle: ExportBundle, groups: Sequence[tuple[ExportTheme | None, list[ExportIdea]]]
) -> str:
    show_session = len(bundle.sessions) > 1
    parts = ['<section class="part" id="themes"><h2>Themes</h2>']
    if bundle.clustering_note:
        parts.append(f'<p class="small muted">{esc(bundle.clustering_note)}</p>')
    if not bundle.themes:
        parts.append('<p class="empty">No themes yet: the ideas have not been clustered.</p>')
    else:
        parts.append(_html_overview(groups))
    for index, (theme, ideas) in enumerate(groups):
        colour, _ = _group_style(index, theme)
        if theme is None:
            anchor, badge = "unthemed", ""
            representative = ""
        else:
            anchor, badge = f"theme-{theme.id}", f'<span class="n">{theme.id}</span>'
            representative = (
                '<blockquote class="rep"><span class="eyebrow">Representative idea</span>'
                f'<span dir="auto">{esc(theme.representative)}</span></blockquote>'
                if theme.representative
                else ""
            )
        meta = " · ".join(count_phrase(theme, ideas))
        groups_of_ideas = fold_duplicates(ideas)
        lead = next((g for g in groups_of_ideas if any(i.representative for i in g)), None)
        if theme is not None and lead is not None:
            groups_of_ideas.remove(lead)
            representative = (
                '<blockquote class="rep"><span class="eyebrow">Representative idea</span>'
                f"{_idea_text(lead)}"
                f'<span class="who">{_idea_source(lead, show_session)}</span></blockquote>'
            )
        items = "".join(
            f'<li>{_idea_text(g)}<span class="who">{_idea_source(g, show_session)}</span></li>'
            for g in groups_of_ideas
        )
        parts.append(
            f'<article class="theme" id="{anchor}" style="--c:{colour};--ci:{ink_on(colour)}">'
            f'<header><h3>{badge}<span dir="auto">{esc(theme_label(theme))}</span></h3>'
            f'<p class="meta">{meta}</p></header>{representative}'
            f'<ol class="ideas">{items}</ol></article>'
        )
    parts.append("</section>")
    return "\n".join(parts)


def _html_overview(groups: Sequence[tuple[ExportTheme | None, list[ExportIdea]]]) -> str:
    """All themes on one screen, linked to their sections: the report's table of contents."""
    rows = []
    for index, (theme, ideas) in enumerate(groups):
        colour, shape = _group_style(index, theme)
        if theme is None:
            label, anchor = "", "unthemed"
        else:
            label, anchor = str(theme.id), f"theme-{theme.id}"
        size, wild, duplicates = theme_counts(theme, ideas)
        rows.append(
            f'<tr><td class="nowrap">{_key(colour, shape)} {label}</td>'
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
        f'<span class="also" dir="auto">{esc(idea.text)} '
        f'<span class="muted">({esc(idea.participant)})</span></span>'
        for idea in variants(group)
    )
    return f'<span class="text" dir="auto">{star}{esc(first.text)}{said}{also}</span>'


def _idea_source(group: list[ExportIdea], show_session: bool) -> str:
    """Who said it, in which phase (and session), and its number(s) in the capture log."""
    first = group[0]
    who = ", ".join(dict.fromkeys(esc(idea.participant) for idea in group))
    where = [esc(first.phase)] + ([esc(first.session)] if show_session else [])
    seqs = ", ".join(f"#{idea.seq}" for idea in group)
    builds = f" · builds on #{first.builds_on}" if first.builds_on is not None else ""
    return f"{who} · {' · '.join(where)} · {seqs}{builds}"
