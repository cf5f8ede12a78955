"""Provides the tabular exports (csv, json, xlsx): the ideas as data to sort, filter and re-use.

These are the files a researcher opens in a spreadsheet or feeds to other tools, so
they keep one row per entry with the same `COLUMNS` everywhere; the `entry` column
says what each row is (idea, springboard, excursion, plus, potential, concern).
The csv holds every entry; json and xlsx keep excursion material and the itemized
response apart from the ideas, as the themes do, and carry the report's compare-and-focus
sections from the same bundle fields (json adds the language note). Idea text is typed
by session participants, so every cell goes through the one formula guard in
`ideation.sheets` (re-exported here as `needs_formula_guard` and `csv_cell`).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, BinaryIO

from ideation.export.model import (
    COLUMNS,
    ENTRY_COLUMNS,
    RESPONSE_ENTRIES,
    Development,
    ExportBundle,
    ExportCrossTable,
    ExportIdea,
    ExportPick,
    all_entries,
    developments,
    entry_row,
    idea_row,
    theme_groups,
    theme_label,
)
from ideation.sheets import (
    EXCEL_CELL_LIMIT,
    FORMULA_TRIGGERS,
    csv_cell,
    csv_text,
    fill_sheet,
    needs_formula_guard,
)
from ideation.text import one_line, printable

__all__ = [
    "EXCEL_CELL_LIMIT",
    "FORMULA_TRIGGERS",
    "SheetNames",
    "bundle_dict",
    "csv_cell",
    "needs_formula_guard",
    "render_csv",
    "render_json",
    "write_xlsx",
]

#: Idea text is long: these columns are wide and wrap.
WIDE_COLUMNS = ("text", "representative")

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet


def render_csv(bundle: ExportBundle) -> str:
    """One row per entry of any kind under a `COLUMNS` header, BOM first so Excel reads
    it as UTF-8; only ideas and springboards have theme columns filled."""
    return csv_text(COLUMNS, (idea_row(entry) for entry in all_entries(bundle)))


def bundle_dict(bundle: ExportBundle) -> dict[str, Any]:
    """The bundle as plain JSON-able data, named for readers rather than for Python."""
    return {
        "study": bundle.study,
        "description": bundle.description,
        "generated_at": bundle.generated_at,
        "clustering_note": bundle.clustering_note,
        "language_note": bundle.language_note,
        "sessions": [
            {
                "name": session.name,
                "brief": session.brief,
                "agenda": [asdict(row) for row in session.agenda],
                "ideas_per_minute": list(session.ideas_per_minute),
                "participation": [
                    {"participant": participant, "ideas": count}
                    for participant, count in session.participation
                ],
                "picks": [asdict(pick) for pick in session.picks],
                "imported_from": session.imported_from,
            }
            for session in bundle.sessions
        ],
        "themes": [asdict(theme) for theme in bundle.themes],
        "ideas": [_idea_dict(idea) for idea in bundle.ideas],
        "excursion": [_entry_dict(entry) for entry in bundle.excursion],
        "itemized_response": [_development_dict(d) for d in developments(bundle)],
        **_focus_dict(bundle),
    }


def render_json(bundle: ExportBundle) -> str:
    """The whole bundle, pretty-printed, non-ASCII text kept readable, without control
    characters: `jq -r` would hand an idea's escape sequence to a terminal."""
    data = _printable(bundle_dict(bundle))
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def _printable(value: Any) -> Any:
    """Every string in a JSON-ready value through `printable`, the rest as it is."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(item) for item in value]
    return value


def _entry_dict(entry: ExportIdea) -> dict[str, Any]:
    """An entry that is never in a theme: its `ENTRY_COLUMNS`, no theme or map fields."""
    return dict(zip(ENTRY_COLUMNS, entry_row(entry), strict=True))


def _development_dict(development: Development) -> dict[str, Any]:
    """{"idea": …, "picked": …, "plus": […], "potential": […], "concern": […]}."""
    idea = development.idea
    data: dict[str, Any] = {
        "idea": _entry_dict(idea) if idea is not None else None,
        "picked": development.picked,
    }
    for kind in RESPONSE_ENTRIES:
        data[kind] = [_entry_dict(entry) for entry in getattr(development, kind)]
    return data


def _focus_dict(bundle: ExportBundle) -> dict[str, Any]:
    """The report's compare-and-focus sections: `cross_tables`, `coverage` (None when the
    brief's areas are not embedded yet), `novel` and `novel_left_out`."""
    return {
        "cross_tables": [_cross_table_dict(table) for table in bundle.cross_tables],
        "coverage": None if bundle.coverage is None else [asdict(a) for a in bundle.coverage],
        "novel": [asdict(novel) for novel in bundle.novel],
        "novel_left_out": bundle.novel_left_out,
    }


def _cross_table_dict(table: ExportCrossTable) -> dict[str, Any]:
    """A theme's counts line up with `groups`; `total` is the theme's ideas, as in the
    xlsx (in the segment table each quota's counts add up to it on their own)."""
    rows = [
        {"theme_id": number, "label": label, "counts": list(counts), "total": total}
        for number, label, counts, total in table.rows
    ]
    return {"by": table.by, "groups": list(table.groups), "rows": rows}


def _idea_dict(idea: ExportIdea) -> dict[str, Any]:
    data = asdict(idea)
    for axis in ("x", "y"):  # NaN is not JSON; an unplaced idea is simply null
        value = data[axis]
        data[axis] = value if value is not None and math.isfinite(value) else None
    return data


# --- xlsx ------------------------------------------------------------------------------------

#: Characters Excel refuses in sheet names, and the nearest it accepts.
_SHEET_SWAPS = str.maketrans({"/": "-", "\\": "-", ":": " -", "[": "(", "]": ")", "*": "", "?": ""})
SHEET_NAME_LIMIT = 31
THEME_COLUMNS = ("theme_id", "label", "size", "wild", "duplicates", "representative", "sheet")
RESPONSE_COLUMNS = ("session", "developed_seq", "developed_idea", "picked", *ENTRY_COLUMNS[2:])
PICK_COLUMNS = ("session", "step", "seq", "text", "entry", "by", "phase", "technique", "at")
#: The sheets every workbook has, in order, before one sheet per theme.
FIXED_SHEETS = ("Ideas", "Themes", "Itemized response", "Excursion", "Picks")


class SheetNames:
    """Hands out sheet names Excel accepts: at most 31 characters, none of []:*?/\\, unique.

    Excel compares names case-insensitively, counts UTF-16 units, refuses a name
    starting or ending with an apostrophe, and reserves "History".
    """

    def __init__(self, *taken: str) -> None:
        self._taken = {"history"} | {name.casefold() for name in taken}

    def add(self, wanted: str, fallback: str = "Sheet") -> str:
        """A valid, unused name as close to `wanted` as possible; reserves it."""
        base = one_line(wanted).translate(_SHEET_SWAPS)
        base = " ".join(base.split()).strip("'").strip() or fallback
        number = 1
        while True:
            suffix = "" if number == 1 else f" ({number})"
            name = _fit_utf16(base, SHEET_NAME_LIMIT - len(suffix)).rstrip().rstrip("'") + suffix
            if name.casefold() not in self._taken:
                self._taken.add(name.casefold())
                return name
            number += 1


def _fit_utf16(text: str, limit: int) -> str:
    """`text` in at most `limit` UTF-16 units, cut at a word with "…" where that reads better."""
    if _utf16(text) <= limit:
        return text
    while _utf16(text) > limit - 1:
        text = text[:-1]
    words = text.rsplit(" ", 1)[0]
    return (words if len(words) >= len(text) * 2 // 3 else text).rstrip(" -,;.") + "…"


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def write_xlsx(bundle: ExportBundle, stream: BinaryIO) -> None:
    """Workbook: "Ideas" (ideas and springboards), "Themes" (overview, linked), "Itemized
    response" (each developed idea's pluses, potentials, concerns), "Excursion", "Picks",
    then one sheet per theme."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    book = Workbook()
    book.properties.title = bundle.study
    book.properties.creator = "ideation"
    ideas_sheet = book.active
    ideas_sheet.title = "Ideas"
    _fill(ideas_sheet, COLUMNS, [idea_row(idea) for idea in bundle.ideas])

    themes_sheet = book.create_sheet("Themes")
    _fill(book.create_sheet("Itemized response"), RESPONSE_COLUMNS, _response_rows(bundle))
    _fill(book.create_sheet("Excursion"), ENTRY_COLUMNS, [entry_row(e) for e in bundle.excursion])
    _fill(book.create_sheet("Picks"), PICK_COLUMNS, _pick_rows(bundle))
    names = SheetNames(*FIXED_SHEETS)
    groups = theme_groups(bundle)
    overview = []
    for theme, ideas in groups:
        name = names.add(theme_label(theme), fallback="Theme")
        sheet = book.create_sheet(name)
        _fill(sheet, COLUMNS, [idea_row(idea) for idea in ideas])
        if theme is None:
            overview.append(
                (
                    None,
                    theme_label(None),
                    len(ideas),
                    sum(i.wild for i in ideas),
                    sum(i.duplicate_group is not None for i in ideas),
                    "",
                    name,
                )
            )
        else:
            overview.append(
                (
                    theme.id,
                    theme_label(theme),
                    theme.size,
                    theme.wild,
                    theme.duplicates,
                    theme.representative,
                    name,
                )
            )
    _fill(themes_sheet, THEME_COLUMNS, overview)
    link = Font(color="0563C1", underline="single")
    for row, values in enumerate(overview, start=2):
        cell = themes_sheet.cell(row=row, column=len(THEME_COLUMNS))
        quoted = values[-1].replace("'", "''")
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{quoted}'!A1")
        cell.font = link
    _focus_sheets(book, bundle, names)
    book.save(stream)


# -- compare and focus: sessions × themes, segments × themes, coverage, novel --

#: Sheet names of the cross tables, by what their columns are.
CROSS_SHEETS = {"session": "Sessions x themes", "segment": "Segments x themes"}
COVERAGE_COLUMNS = ("area", "kind", "ideas_near", "themes_touching")
NOVEL_COLUMNS = ("session", "seq", "text", "theme_label", "rarity")


def _focus_sheets(book: Any, bundle: ExportBundle, names: SheetNames) -> None:
    """Sheets after the theme sheets, each only when it has rows: which groups produced
    what, how the brief's areas were covered, and each session's most unusual ideas."""
    for table in bundle.cross_tables:
        header = ("theme_id", "label", *table.groups, "total")
        rows = [(number, label, *counts, total) for number, label, counts, total in table.rows]
        _fill(book.create_sheet(names.add(CROSS_SHEETS.get(table.by, table.by))), header, rows)
    if bundle.coverage:
        rows = [(a.text, a.kind, a.ideas, "; ".join(a.themes)) for a in bundle.coverage]
        _fill(book.create_sheet(names.add("Coverage")), COVERAGE_COLUMNS, rows)
    if bundle.novel:
        rows = [(n.session, n.seq, n.text, n.theme_label, n.rarity) for n in bundle.novel]
        _fill(book.create_sheet(names.add("Novel ideas")), NOVEL_COLUMNS, rows)


def _response_rows(bundle: ExportBundle) -> list[tuple[Any, ...]]:
    """One row per plus, potential and concern (in that order) beside the idea it develops;
    an idea picked to develop with nothing said yet still gets a row."""
    rows = []
    for development in developments(bundle):
        idea = development.idea
        lead = (idea.session, idea.seq, idea.text) if idea is not None else ("", None, "(no idea)")
        responses = [r for kind in RESPONSE_ENTRIES for r in getattr(development, kind)]
        if not responses:
            rows.append((*lead, development.picked, *([None] * (len(RESPONSE_COLUMNS) - 4))))
        for response in responses:
            rows.append((*lead, development.picked, *entry_row(response)[2:]))
    return rows


def _pick_rows(bundle: ExportBundle) -> list[tuple[Any, ...]]:
    return [
        (session.name, *_pick_values(pick)) for session in bundle.sessions for pick in session.picks
    ]


def _pick_values(pick: ExportPick) -> tuple[Any, ...]:
    return tuple(getattr(pick, column) for column in PICK_COLUMNS[1:])


def _fill(sheet: Worksheet, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    fill_sheet(
        sheet, header, rows, wide=WIDE_COLUMNS + ("developed_idea",), dates=("created_at", "at")
    )
