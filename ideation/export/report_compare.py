"""Provides the report's compare-and-focus sections, in Markdown and in HTML.

Sessions × themes (and participant segments × themes), opportunity-area coverage and
each session's most novel ideas: what a researcher reads to see which groups produced
what, which parts of the brief the room reached, and what was unusual. Every piece of
participant or brief text goes through the writers' own escaping (`md_text`, `esc`).
"""

from __future__ import annotations

from collections.abc import Callable

from ideation.export.model import ExportBundle, ExportCrossTable, ExportNovel
from ideation.export.report_common import esc
from ideation.text import plural

#: Headings of the cross tables by what their columns are.
TABLE_TITLES = {"session": "Sessions × themes", "segment": "Participant segments × themes"}
SEGMENT_NOTE = (
    "Segments are the screener's quota cells. Each participant sits in one cell per quota,"
    " so each quota's columns add up on their own."
)
COVERAGE_NOTE = (
    "An idea is near an area at embedding cosine 0.5 or more; a theme touches an area when"
    " at least two of its ideas are near it."
)
COVERAGE_MISSING = "Coverage needs the brief's areas embedded: run `ideation cluster` again."
NOVEL_TITLE = "Most novel ideas"
NOVEL_NOTE = (
    "Unusual, not necessarily good: the rarest ideas in the pooled study, by the same rarity"
    " as screener originality."
)


def novel_note(bundle: ExportBundle) -> str:
    """The caveat, and how many ideas the lists leave out as not in English."""
    if not bundle.novel_left_out:
        return NOVEL_NOTE
    return (
        f"{NOVEL_NOTE} {plural(bundle.novel_left_out, 'idea')} not in English"
        f" {'is' if bundle.novel_left_out == 1 else 'are'} left out: the model cannot"
        " judge their rarity."
    )


def focus_links(bundle: ExportBundle) -> list[tuple[str, str]]:
    """(anchor, title) of each section `html_focus` writes, for the report's contents."""
    if not bundle.themes:
        return []
    links = [(f"by-{t.by}", TABLE_TITLES.get(t.by, t.by)) for t in bundle.cross_tables]
    if bundle.coverage is None or bundle.coverage:
        links.append(("coverage", "Coverage"))
    if bundle.novel:
        links.append(("novel", NOVEL_TITLE))
    return links


def _novel_by_session(bundle: ExportBundle) -> dict[str, list[ExportNovel]]:
    found: dict[str, list[ExportNovel]] = {}
    for novel in bundle.novel:
        found.setdefault(novel.session, []).append(novel)
    return found


# -- Markdown -------------------------------------------------------------------------


def markdown_focus(bundle: ExportBundle, md_text: Callable[[object], str]) -> list[str]:
    """Markdown lines for the sections; `md_text` is the Markdown writer's escaping."""
    if not bundle.themes:
        return []
    lines: list[str] = []
    for table in bundle.cross_tables:
        lines += _md_table(table, md_text)
    if bundle.coverage is None:
        lines += ["## Opportunity-area coverage", "", f"*{COVERAGE_MISSING}*", ""]
    elif bundle.coverage:
        lines += ["## Opportunity-area coverage", "", f"*{COVERAGE_NOTE}*", ""]
        lines += ["| Area | Kind | Ideas near | Themes touching |", "|---|---|--:|---|"]
        for area in bundle.coverage:
            touching = ", ".join(md_text(t) for t in area.themes) or "**no theme**"
            lines.append(f"| {md_text(area.text)} | {area.kind} | {area.ideas} | {touching} |")
        lines.append("")
    if bundle.novel:
        lines += [f"## {NOVEL_TITLE}", "", f"*{novel_note(bundle)}*", ""]
        for session, found in _novel_by_session(bundle).items():
            lines += [f"### {md_text(session)}", ""]
            lines += [
                f"{n}. {md_text(idea.text)} — #{idea.seq} · {md_text(idea.theme_label)}"
                for n, idea in enumerate(found, start=1)
            ]
            lines.append("")
    return lines


def _md_table(table: ExportCrossTable, md_text: Callable[[object], str]) -> list[str]:
    lines = [f"## {TABLE_TITLES.get(table.by, table.by)}", ""]
    if table.by == "segment":
        lines += [f"*{SEGMENT_NOTE}*", ""]
    lines.append("| Theme | " + " | ".join(md_text(g) for g in table.groups) + " |")
    lines.append("|---|" + "--:|" * len(table.groups))
    for number, label, counts, _total in table.rows:
        cells = " | ".join(str(c) if c else "·" for c in counts)
        lines.append(f"| {number}. {md_text(label)} | {cells} |")
    return [*lines, ""]


# -- HTML -------------------------------------------------------------------------------


def html_focus(bundle: ExportBundle) -> str:
    """The sections as one HTML fragment ("" when the bundle has no themes)."""
    if not bundle.themes:
        return ""
    parts = [_html_table(table) for table in bundle.cross_tables]
    if bundle.coverage is None:
        parts.append(
            '<section class="part" id="coverage"><h2>Opportunity-area coverage</h2>'
            f'<p class="empty">{esc(COVERAGE_MISSING)}</p></section>'
        )
    elif bundle.coverage:
        rows = "".join(
            f'<tr><td dir="auto">{esc(area.text)}</td><td>{esc(area.kind)}</td>'
            f'<td class="num">{area.ideas}</td><td dir="auto">'
            + (esc(", ".join(area.themes)) if area.themes else "<b>no theme</b>")
            + "</td></tr>"
            for area in bundle.coverage
        )
        parts.append(
            '<section class="part" id="coverage"><h2>Opportunity-area coverage</h2>'
            f'<p class="small muted">{esc(COVERAGE_NOTE)}</p><div class="scroll"><table>'
            '<thead><tr><th>Area</th><th>Kind</th><th class="num">Ideas near</th>'
            f"<th>Themes touching</th></tr></thead><tbody>{rows}</tbody></table></div></section>"
        )
    if bundle.novel:
        lists = "".join(
            f'<h3 dir="auto">{esc(session)}</h3><ol class="novel">'
            + "".join(
                f'<li><span dir="auto">{esc(n.text)}</span> <span class="who">#{n.seq} · '
                f"{esc(n.theme_label)}</span></li>"
                for n in found
            )
            + "</ol>"
            for session, found in _novel_by_session(bundle).items()
        )
        parts.append(
            f'<section class="part" id="novel"><h2>{NOVEL_TITLE}</h2>'
            f'<p class="small muted">{esc(novel_note(bundle))}</p>{lists}</section>'
        )
    return "\n".join(parts)


def _html_table(table: ExportCrossTable) -> str:
    title = TABLE_TITLES.get(table.by, table.by)
    head = "".join(f'<th class="num" dir="auto">{esc(g)}</th>' for g in table.groups)
    rows = "".join(
        f'<tr><td dir="auto">{number}. {esc(label)}</td>'
        + "".join(f'<td class="num">{c or "·"}</td>' for c in counts)
        + "</tr>"
        for number, label, counts, _total in table.rows
    )
    note = f'<p class="small muted">{esc(SEGMENT_NOTE)}</p>' if table.by == "segment" else ""
    return (
        f'<section class="part" id="by-{table.by}"><h2>{title}</h2>{note}'
        f'<div class="scroll"><table><thead><tr><th>Theme</th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div></section>"
    )
