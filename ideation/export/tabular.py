"""Provides the tabular exports (csv, json, xlsx): the ideas as data to sort, filter and re-use.

These are the files a researcher opens in a spreadsheet or feeds to other tools, so
they keep one row per idea with the same `COLUMNS` everywhere. Idea text is typed
by session participants, so anything a spreadsheet could run as a formula is
neutralised on the way out (see `csv_cell` and `_string_cell`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any, BinaryIO

from ideation.export.model import (
    COLUMNS,
    ExportBundle,
    ExportIdea,
    idea_row,
    theme_groups,
    theme_label,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

#: A cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: "+12 stamps on the loyalty card", "-20% for bringing your own cup", "+1": a signed
#: number, then nothing or ordinary words.
_SIGNED_PROSE = re.compile(r"[+-]\d[\d.,]*%?(?:\s+\S.*)?", re.DOTALL)

#: Without these a formula can call no function (`(`), no DDE program (`|`), and
#: reach no other sheet or workbook (`!`, `[`); `=` is refused to stay conservative.
_CALL_CHARACTERS = frozenset("()|![]=")

#: The longest text Excel keeps in one cell.
EXCEL_CELL_LIMIT = 32767


def needs_formula_guard(value: str) -> bool:
    """True when a spreadsheet might evaluate `value` as a formula and run something.

    The rule: a cell starting with = @ TAB or CR is always guarded. A cell starting
    with + or - is guarded too, unless it reads as a signed number followed by plain
    words ("+12 stamps a month", "-20% off refills") and contains none of ( ) | ! [ ] =.
    Without those characters no formula can call a function, a DDE program or another
    file, so such an idea stays exactly as the participant wrote it.
    """
    if not value or not value.startswith(FORMULA_TRIGGERS):
        return False
    if value[0] in "+-" and _SIGNED_PROSE.fullmatch(value):
        return bool(_CALL_CHARACTERS.intersection(value))
    return True


def csv_cell(value: Any) -> str:
    """One csv field: true/false for booleans, empty for None, formula-guarded text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value if needs_formula_guard(value) else value
    return str(value)


def render_csv(bundle: ExportBundle) -> str:
    """One row per idea under a `COLUMNS` header, BOM first so Excel reads it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # excel dialect: comma, CRLF, quotes where needed
    writer.writerow(COLUMNS)
    for idea in bundle.ideas:
        writer.writerow([csv_cell(value) for value in idea_row(idea)])
    return "\ufeff" + buffer.getvalue()


def bundle_dict(bundle: ExportBundle) -> dict[str, Any]:
    """The bundle as plain JSON-able data, named for readers rather than for Python."""
    return {
        "study": bundle.study,
        "generated_at": bundle.generated_at,
        "clustering_note": bundle.clustering_note,
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
            }
            for session in bundle.sessions
        ],
        "themes": [asdict(theme) for theme in bundle.themes],
        "ideas": [_idea_dict(idea) for idea in bundle.ideas],
    }


def render_json(bundle: ExportBundle) -> str:
    """The whole bundle, pretty-printed, non-ASCII text kept readable."""
    return json.dumps(bundle_dict(bundle), indent=2, ensure_ascii=False, default=str) + "\n"


def _idea_dict(idea: ExportIdea) -> dict[str, Any]:
    data = asdict(idea)
    for axis in ("x", "y"):  # NaN is not JSON; an unplaced idea is simply null
        value = data[axis]
        data[axis] = value if value is not None and math.isfinite(value) else None
    return data


# --- xlsx ------------------------------------------------------------------------------------

#: Characters Excel refuses in sheet names, and the nearest it accepts.
_SHEET_SWAPS = str.maketrans({"/": "-", "\\": "-", ":": " -", "[": "(", "]": ")", "*": "", "?": ""})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SHEET_NAME_LIMIT = 31
THEME_COLUMNS = ("theme_id", "label", "size", "wild", "duplicates", "representative", "sheet")


class SheetNames:
    """Hands out sheet names Excel accepts: at most 31 characters, none of []:*?/\\, unique.

    Excel compares names case-insensitively, counts UTF-16 units, refuses a name
    starting or ending with an apostrophe, and reserves "History".
    """

    def __init__(self, *taken: str) -> None:
        self._taken = {"history"} | {name.casefold() for name in taken}

    def add(self, wanted: str, fallback: str = "Sheet") -> str:
        """A valid, unused name as close to `wanted` as possible; reserves it."""
        base = _CONTROL.sub("", wanted).translate(_SHEET_SWAPS)
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
    """Workbook: "Ideas" (every idea), "Themes" (overview, linked), then one sheet per theme."""
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
    names = SheetNames("Ideas", "Themes")
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
    book.save(stream)


def _fill(sheet: Worksheet, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """A table Excel users expect: bold frozen header, autofilter, sensible widths."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(name) for name in header]
    for row_number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column)
            stamp = _as_datetime(value) if header[column - 1] == "created_at" else None
            if stamp is not None:
                cell.value = stamp
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            else:
                _set_value(cell, value)
            widths[column - 1] = max(widths[column - 1], len(str(cell.value or "")))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, name in enumerate(header, start=1):
        letter = get_column_letter(column)
        if name in ("text", "representative"):
            sheet.column_dimensions[letter].width = 70
            for cell in sheet[letter][1:]:
                cell.alignment = wrap
        else:
            sheet.column_dimensions[letter].width = min(max(widths[column - 1], 6) + 2, 40)


def _set_value(cell: Any, value: Any) -> None:
    if isinstance(value, str):
        _string_cell(cell, value)
    elif isinstance(value, float) and not math.isfinite(value):
        cell.value = None
    else:
        cell.value = value


def _string_cell(cell: Any, value: str) -> None:
    """Text stays text: never a formula, and shown exactly as typed.

    In xlsx the guard is Excel's own leading apostrophe, the cell's quotePrefix
    flag (what Excel stores when you type '=...), on a cell typed as a string -
    so, unlike csv, the text itself carries no visible apostrophe.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_CELL_LIMIT]
    cell.value = value
    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    if value.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


_ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _as_datetime(value: Any) -> datetime | None:
    """ISO timestamps become real dates, so Excel can sort and pivot by time."""
    if not isinstance(value, str) or not _ISO_TIMESTAMP.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)  # local time already; Excel has no time zones
