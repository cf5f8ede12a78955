"""Provides the one formula guard, and the CSV and XLSX tables built on it.

Every CSV or XLSX the product writes (ideas exports, the recruit list) holds
text typed by strangers: idea text, names, emails, survey ids, reasons. A
spreadsheet reads a cell starting with ``=``, ``+``, ``-``, ``@``, TAB or CR
as a formula, so ``=HYPERLINK(...)`` becomes a live link and
``=cmd|' /C calc'!A0`` a program. Following OWASP's CSV injection advice, any
such text cell (also after leading spaces) is written as text:

- in CSV with a leading apostrophe, which spreadsheets take as "this is text"
  (so a phone number reads ``'+44 7700 900123``: still readable, never a
  formula, never turned into the number 447700900123);
- in XLSX as a string cell with Excel's own quote-prefix flag, so the text
  shows exactly as typed, with no visible apostrophe.

This module sits at the bottom layer so the domain packages that write files
(``export``, ``screening``) share it; openpyxl is imported only when an XLSX
is written. The two CSV readers (screener exports, idea files) share its
delimiter sniff and record loop (`csv_records`) for the same reason.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from ideation.errors import IdeationError

#: A cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: The longest text Excel keeps in one cell.
EXCEL_CELL_LIMIT = 32767

#: Control characters, left out of every cell: XML 1.0 (so XLSX) cannot hold C0 ones
#: (openpyxl refuses them), and in a CSV an escape sequence typed into a name would
#: clear the screen of whoever `cat`s the file. TAB, LF and CR stay: cells keep lines.
#: The bidi embeddings, overrides and isolates go too ("invoice\u202etxt.exe"), as
#: they do from the screen and the other exports (`text.printable`).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


# -- reading CSV made elsewhere --

#: The delimiters a CSV export may use, as an error message names them.
DELIMITERS = {",": "comma", "\t": "tab", ";": "semicolon"}


def sniff_delimiter(header: str) -> str:
    """The delimiter of a CSV from its header line: TAB or semicolon only when the line
    holds more of them than commas (European Excel and "Unicode text"), else comma."""
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > counts[","] else ","


class SheetError(IdeationError):
    """A CSV record `csv` cannot read. `line` is the file line the record starts on and
    `what` what was expected there; `cut_off` marks a quote still open at the end of the
    text (a file cut short). Each reader puts the file's name and its own framing on it."""

    def __init__(self, line: int, what: str, *, cut_off: bool = False) -> None:
        super().__init__(f"line {line}: {what}")
        self.line = line
        self.what = what
        self.cut_off = cut_off


def csv_records(text: str, delimiter: str, max_cell_chars: int) -> Iterator[tuple[int, list[str]]]:
    """The non-blank records of a CSV text with the file line each starts on (a quoted
    cell may span lines), or a `SheetError` at the first record that is not well-formed.

    The cell-size limit is raised only while a record is read: `csv` keeps it for the
    whole process, and this generator may wait between records for as long as its caller
    likes (or be left unfinished when the caller refuses a row).
    """
    reader = csv.reader(text_lines(text), delimiter=delimiter, strict=True)
    start = 1
    while True:
        previous = csv.field_size_limit(max_cell_chars)
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _sheet_error(start, str(error), delimiter, max_cell_chars) from None
        finally:
            csv.field_size_limit(previous)
        if any(cell.strip() for cell in cells):
            yield start, cells
        start = reader.line_num + 1


_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")
#: What `str.splitlines` takes for a line break but a CSV file does not (nor a lone \r).
_OTHER_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
#: Characters split at a time (then up to the next line break).
_PIECE = 1 << 20


def text_lines(text: str) -> Iterator[str]:
    """The lines of a text, each with its line break, ended as `io.StringIO(text,
    newline="")` ends them (at \\n, \\r\\n or a lone \\r): what `csv` needs, without
    the copy StringIO makes (four bytes a character: 200 MB for a 50 MB export). A
    megabyte at a time is split by `str.splitlines` when it holds no other break."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start + _PIECE) + 1 or size
        piece = text[start:end]
        start = end
        if piece.count("\r") == piece.count("\r\n") and not any(
            other in piece for other in _OTHER_BREAKS
        ):
            yield from piece.splitlines(keepends=True)
        else:
            yield from _LINE.findall(piece)


def _sheet_error(line: int, error: str, delimiter: str, max_cell_chars: int) -> SheetError:
    """`csv`'s complaint in the words of a person fixing the file."""
    if "end of data" in error:
        what = "expected a closing quote for a cell opened in this row"
        return SheetError(line, what, cut_off=True)
    if "expected after" in error:
        shown = DELIMITERS.get(delimiter, repr(delimiter))
        what = f"expected a {shown} after a closing quote (a stray quote in a cell?)"
        return SheetError(line, what)
    if "field larger" in error:
        return SheetError(line, f"expected cells under {max_cell_chars // 1024} KiB of text")
    return SheetError(line, f"expected well-formed CSV ({error})")


# -- writing --


def needs_formula_guard(value: str) -> bool:
    """True when a spreadsheet might read `value` as a formula (OWASP's rule).

    A cell is guarded when it starts with = + - @ TAB or CR, or does so after
    leading whitespace (spreadsheets trim it before deciding). That includes
    signed numbers and phone numbers ("+44 ...", "-3"): in a text column they are
    text, and Excel would otherwise evaluate or reformat them.
    """
    return bool(value) and (
        value.startswith(FORMULA_TRIGGERS) or value.lstrip().startswith(FORMULA_TRIGGERS)
    )


def csv_cell(value: Any) -> str:
    """One CSV field: true/false for booleans, empty for None, formula-guarded text
    without control characters."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, str):
        value = _CONTROL.sub("", value)
        return "'" + value if needs_formula_guard(value) else value
    return str(value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A whole CSV table, every cell through `csv_cell`, BOM first so Excel reads UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # excel dialect: comma, CRLF, quotes where needed
    writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return "\ufeff" + buffer.getvalue()


def fill_sheet(
    sheet: Any,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    wide: Iterable[str] = (),
    dates: Iterable[str] = (),
) -> None:
    """A table Excel users expect: bold frozen header, autofilter, sensible widths.

    Columns named in `wide` are 70 characters wide and wrap; ISO timestamps in
    columns named in `dates` become real dates. Every text cell goes through
    `set_cell`, so no cell is ever a formula.
    """
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wide, dates = set(wide), set(dates)
    for column, name in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=column)
        set_cell(cell, name)
        cell.font = Font(bold=True)
    widths = [len(name) for name in header]
    for row_number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column)
            stamp = _as_datetime(value) if header[column - 1] in dates else None
            if stamp is not None:
                cell.value = stamp
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            else:
                set_cell(cell, value)
            widths[column - 1] = max(widths[column - 1], len(str(cell.value or "")))
    sheet.freeze_panes = "A2"
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, name in enumerate(header, start=1):
        letter = get_column_letter(column)
        if name in wide:
            sheet.column_dimensions[letter].width = 70
            for cell in sheet[letter][1:]:
                cell.alignment = wrap
        else:
            sheet.column_dimensions[letter].width = min(max(widths[column - 1], 6) + 2, 40)


def set_cell(cell: Any, value: Any) -> None:
    """Put `value` in an openpyxl cell: text stays text, NaN and None stay empty."""
    if isinstance(value, str):
        _string_cell(cell, value)
    elif isinstance(value, float) and not math.isfinite(value):
        cell.value = None
    else:
        cell.value = value


def _string_cell(cell: Any, value: str) -> None:
    """Text stays text: never a formula, and shown exactly as typed.

    The guard is Excel's own leading apostrophe, the cell's quotePrefix flag
    (what Excel stores when you type '=...), on a cell typed as a string, so,
    unlike CSV, the text itself carries no visible apostrophe.
    """
    value = _CONTROL.sub("", value)[:EXCEL_CELL_LIMIT]
    cell.value = value
    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    if needs_formula_guard(value):
        cell.quotePrefix = True


def _as_datetime(value: Any) -> datetime | None:
    """ISO timestamps become real dates, so Excel can sort and pivot by time."""
    if not isinstance(value, str) or not _ISO_TIMESTAMP.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)  # local time already; Excel has no time zones
