"""Provides reading of idea files made elsewhere: CSV, XLSX, plain text and Markdown.

Researchers hold ideas from other sessions: sticky notes typed up, Miro or MURAL
board exports, Parabol or Mentimeter CSVs, spreadsheets. This module turns any of
them into `IdeaRow`s and validates the whole file before anything is returned: a
bad cell raises an `IdeaFileError` whose message is one line naming the file, the
row, the column and what was expected, so a file is imported whole or not at all.
A file cut short (a last row with fewer cells than the rest, an unclosed quote,
half a character) is refused with its row too.

- CSV in UTF-8, UTF-8 with BOM, UTF-16 with BOM (Excel's "Unicode text", usually
  TAB-separated and saved as .txt) or Windows-1252, decoded by the shared
  `yamlfile.decode`; the delimiter (comma, TAB or semicolon) is sniffed from the
  header row.
- XLSX: the first sheet, or the one named.
- Plain text or Markdown: one idea per line or bullet; bullet and checkbox markers
  are stripped, headings, rules, blank lines and front matter skipped.

Columns are matched by name, ignoring case, spaces and punctuation (`ALIASES`),
first exactly, then by a header's first word ("Created at (UTC)"); `--column
text=HEADER` overrides. A build-on names another row by the file's id column, or
by its row number when there is none.

Timestamps are kept: ISO 8601 (with or without a time zone; without one it is
local time), Excel dates in an XLSX, "14 March 2024 16:02", and slashed dates.
A slashed date is ambiguous (05/03/2024 is 5 March or 3 May), so the column
decides as a whole: a day over 12 anywhere settles it; when nothing settles it
the file is refused unless `dates` says "dmy" or "mdy". Dotted dates
(05.03.2024) are always day first.
"""

from __future__ import annotations

import hashlib
import io
import re
import shlex
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ideation.sheets import DELIMITERS, SheetError, csv_records, sniff_delimiter
from ideation.text import one_line
from ideation.yamlfile import FILE, YamlFileError, decode

#: Fifty thousand ideas with long texts stay far below this.
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Rows of ideas (after the header) one file may hold.
MAX_ROWS = 200_000
#: The longest idea kept: a sticky note or a paragraph, not an essay.
MAX_IDEA_CHARS = 2000
#: The longest participant name, phase title or row id.
MAX_LABEL_CHARS = 200
#: The largest CSV cell read at all (csv's own default is 128 KiB).
_MAX_CELL_CHARS = 64 * 1024

#: What a column can hold, and the header names that mean it, in order of preference
#: (letters and digits only, lower case: "Builds on" and "builds_on" are "buildson").
ALIASES: dict[str, tuple[str, ...]] = {
    "text": (
        "text",
        "idea",
        "ideas",
        "content",
        "sticky",
        "stickynote",
        "stickytext",
        "ideatext",
        "note",
        "notes",
        *("idee", "idees", "ideen", "ideia", "texte", "texto", "contenu", "contenido"),
        *("内容", "アイデア", "アイディア", "想法", "点子"),
    ),
    "participant": (
        *("participant", "author", "who", "name", "createdby", "owner", "person"),
        *("auteur", "autor", "teilnehmer", "teilnehmerin", "participante", "nom", "nombre"),
        *("作成者", "名前", "参加者"),
    ),
    "phase": ("phase", "section", "frame", "stage", "round", "fase", "etappe", "フェーズ"),
    "created": (
        "created",
        "createdat",
        "createdon",
        "time",
        "timestamp",
        "date",
        "datetime",
        "when",
    ),
    "builds_on": ("buildson", "buildon", "parent", "replyto", "inreplyto"),
    "id": ("id", "ideaid", "number", "no", "#"),
}
#: The fields `--column` may name.
FIELDS = tuple(ALIASES)
#: Date orders a caller may choose for slashed dates.
DATE_ORDERS = ("dmy", "mdy")

_TABLE_SUFFIXES = {".csv", ".tsv", ".tab"}
_TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}


#: The "row" of a problem with the file as a whole (missing, damaged, wrong --sheet):
#: its message names no row, since no row is at fault.
WHOLE = 0


class IdeaFileError(YamlFileError):
    """An idea file that cannot be imported; `str()` is one line naming the file, the
    row (or line), the column and what was expected. Nothing is imported."""

    unit = "row"

    def __str__(self) -> str:
        if self.line == WHOLE:
            return f"{one_line(str(self.path))}: {self.what}; nothing imported"
        where = f"{self.unit} {self.line}"
        if self.field != FILE:
            where += f", {one_line(str(self.field))}"
        return f"{one_line(str(self.path))}: {where}: {self.what}; nothing imported"


class IdeaLineError(IdeaFileError):
    """The same, for a plain text or Markdown file, where a row is a line."""

    unit = "line"


@dataclass(frozen=True)
class IdeaRow:
    """One idea as the file gives it; `builds_on` is the index of the row it builds on."""

    row: int  # the row (or line) a spreadsheet or editor shows
    text: str
    participant: str = ""
    phase: str = ""
    created: float | None = None  # seconds since the epoch; None when the file has none
    created_raw: str = ""  # the time as written (part of the row's identity)
    builds_on: int | None = None


@dataclass(frozen=True)
class IdeaFile:
    """A validated idea file: every row, and how its columns were read."""

    name: str
    kind: str  # "csv", "xlsx" or "text"
    digest: str  # sha256 of the file's bytes
    rows: tuple[IdeaRow, ...]
    columns: tuple[tuple[str, str], ...] = ()  # (field, header) of each matched column
    ignored: tuple[str, ...] = ()  # headers no field matched
    detail: str = ""  # "tab-separated", the sheet's name, "Markdown list", …
    dates: str = ""  # "dmy" or "mdy" when slashed dates were read


def normalised_header(text: Any) -> str:
    """A header as `ALIASES` spell it: lower-case letters without accents ("Idée" is
    "idee"), digits and '#' only; letters of any script count ("内容")."""
    return "".join(_header_words(text))


def _header_words(text: Any) -> list[str]:
    """The words of a header, folded as `normalised_header` folds them."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", str(text or "")).casefold():
        if not (unicodedata.combining(char) and kept and kept[-1].isascii()):
            kept.append(char)  # drops accents of Latin letters only (デ keeps its mark)
    return re.findall(r"[^\W_]+|#", unicodedata.normalize("NFKC", "".join(kept)))


def read_idea_file(
    path: str | Path,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    dates: str | None = None,
) -> IdeaFile:
    """Read and validate a whole idea file; `columns` maps a field to the header that
    holds it (overriding the match by name), `dates` settles slashed dates."""
    path = Path(path)
    name = path.name
    data = _read(path, name)
    digest = hashlib.sha256(data).hexdigest()
    overrides = dict(columns or {})
    kind = _kind(path, data, name)
    if kind != "xlsx" and sheet is not None:
        raise IdeaFileError(name, WHOLE, FILE, "--sheet names a sheet of an XLSX workbook only")
    if kind == "xlsx":
        table, detail, epoch = _xlsx_table(data, name, sheet)
        return _from_table(name, kind, digest, table, detail, overrides, dates, epoch)
    text = _decode(data, name, IdeaFileError if kind == "csv" else IdeaLineError)
    if kind == "text" and not _looks_tabular(text, bool(overrides)):
        if overrides:
            what = "--column expected a table (CSV, TAB-separated text or XLSX) with a header row"
            raise IdeaLineError(name, WHOLE, FILE, what)
        markdown = path.suffix.lower() in {".md", ".markdown"}
        return _from_lines(name, digest, text, markdown=markdown)
    table, delimiter = _csv_table(text, name)
    detail = f"{DELIMITERS[delimiter]}-separated"
    return _from_table(name, "csv", digest, table, detail, overrides, dates, None)


# --------------------------------------------------------------------------- file


def _read(path: Path, name: str) -> bytes:
    """The file's bytes; an unreadable or absurdly large file is refused before reading."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // 2**20
            what = f"expected an idea file under {limit} MiB, got {size / 2**20:.0f} MiB"
            raise IdeaFileError(name, WHOLE, FILE, what)
        return path.read_bytes()
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        raise IdeaFileError(name, WHOLE, FILE, f"expected a readable file ({reason})") from None


def _kind(path: Path, data: bytes, name: str) -> str:
    """ "xlsx", "csv" or "text" (text may still turn out to be a table)."""
    suffix = path.suffix.lower()
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        what = "expected .xlsx, .csv, .txt or .md, got an old Excel .xls workbook; save it as .xlsx"
        raise IdeaFileError(name, WHOLE, FILE, what)
    if suffix in _XLSX_SUFFIXES:
        raise IdeaFileError(
            name, WHOLE, FILE, "expected an Excel workbook, got a damaged or cut-off one"
        )
    return "csv" if suffix in _TABLE_SUFFIXES else "text"


def _decode(data: bytes, name: str, error: type[IdeaFileError]) -> str:
    """Text by the shared decoder, refusing binary data (a NUL outside UTF-16)."""
    return decode(data, name, error, binary_ok=False).removeprefix("\ufeff")


def _looks_tabular(text: str, overridden: bool) -> bool:
    """A .txt that is really a table: Excel's "Unicode text" is TAB-separated, with a
    header row naming a known column (or one `--column` names)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    cells = first.split(sniff_delimiter(first))
    known = {alias for aliases in ALIASES.values() for alias in aliases}
    return len(cells) > 1 and (overridden or any(normalised_header(c) in known for c in cells))


Table = list[tuple[int, list[Any]]]


def _csv_table(text: str, name: str) -> tuple[Table, str]:
    """Non-blank records with the row each starts on; a file cut short is refused."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = sniff_delimiter(first)
    records: Table = []
    try:
        for start, cells in csv_records(text, delimiter, _MAX_CELL_CHARS):
            records.append((start, cells))
            if len(records) > MAX_ROWS + 1:
                raise IdeaFileError(name, start, FILE, f"expected at most {MAX_ROWS:,} ideas")
    except SheetError as error:
        what = error.what + (": the file looks cut off" if error.cut_off else "")
        raise IdeaFileError(name, error.line, FILE, what) from None
    _refuse_cut_off(records, text, name)
    return records, delimiter


def _refuse_cut_off(records: Table, text: str, name: str) -> None:
    """A copy or download that stopped mid-row leaves a last row with fewer cells than
    the rows before it (without a line break after it, or re-saved by an editor when
    every other row is whole), as the screener import judges it."""
    if len(records) < 2:
        return
    width = len(records[0][1])
    line, last = records[-1]
    others = [len(cells) for _, cells in records[1:-1]] or [width]
    expected = min(width, min(others))
    if text.endswith(("\n", "\r")):
        cut = len(last) < expected and all(count >= width for count in others)
    else:
        cut = len(last) < expected
    if cut:
        what = f"expected {expected} cells like the rows above, got {len(last)}"
        what += ": the file looks cut off"
        raise IdeaFileError(name, line, FILE, what)


def _xlsx_table(data: bytes, name: str, sheet: str | None) -> tuple[Table, str, Any]:
    """The non-blank rows of the chosen sheet (values, dates as datetimes), its name,
    and the workbook's date epoch for serial numbers."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, InvalidFileException):
        what = "expected an Excel workbook (.xlsx), got a damaged or cut-off one; save it again"
        raise IdeaFileError(name, WHOLE, FILE, what) from None
    try:
        if sheet is None:
            chosen = book.worksheets[0]
        else:
            found = [ws for ws in book.worksheets if ws.title.casefold() == sheet.casefold()]
            if not found:
                names = ", ".join(f'"{one_line(ws.title)}"' for ws in book.worksheets)
                what = (
                    f'expected --sheet to name one of its sheets ({names}), got "{one_line(sheet)}"'
                )
                raise IdeaFileError(name, WHOLE, FILE, what)
            chosen = found[0]
        table: Table = []
        try:
            for number, values in enumerate(chosen.iter_rows(values_only=True), start=1):
                if any(_cell_text(value).strip() for value in values):
                    table.append((number, list(values)))
                    if len(table) > MAX_ROWS + 1:
                        raise IdeaFileError(
                            name, number, FILE, f"expected at most {MAX_ROWS:,} ideas"
                        )
        except IdeaFileError:
            raise
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as error:
            what = f"expected a readable sheet, got a damaged one ({one_line(str(error), 80)})"
            raise IdeaFileError(name, len(table) + 1, FILE, what) from None
        if len(table) < 2:
            raise IdeaFileError(name, WHOLE, FILE, _no_ideas(book.worksheets, chosen))
        return table, f'sheet "{one_line(chosen.title)}"', book.epoch
    finally:
        book.close()


def _no_ideas(sheets: Sequence[Any], chosen: Any) -> str:
    """Which sheet was read and found empty, and the other sheets to try: without
    --sheet the first sheet is read, and a cover or notes sheet often comes first."""
    what = f'sheet "{one_line(chosen.title)}" has no ideas (a header row, then one per row)'
    others = [ws for ws in sheets if ws is not chosen]
    if not others:
        return what
    shown = ", ".join(f'"{one_line(ws.title)}"' for ws in others[:8])
    also = "sheet" if len(others) == 1 else "sheets"
    best = next((ws for ws in others[:20] if _filled(ws)), others[0])
    return f"{what}; the workbook also has {also} {shown}: use --sheet {shlex.quote(best.title)}"


def _filled(sheet: Any) -> bool:
    """Whether a sheet has a header and at least one row below it (looks at 50 rows)."""
    rows = sheet.iter_rows(max_row=50, values_only=True)
    return sum(any(_cell_text(v).strip() for v in values) for values in rows) >= 2


def _cell_text(value: Any) -> str:
    """A spreadsheet value as the text a person sees in the cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class _Layout:
    """Which cell index holds each field, and the headers nothing took."""

    index: dict[str, int]
    headers: list[str]
    ignored: tuple[str, ...]

    def header(self, field: str) -> str:
        return self.headers[self.index[field]]


def _layout(header: Sequence[Any], overrides: Mapping[str, str], name: str, row: int) -> _Layout:
    headers = [one_line(_cell_text(cell)).strip() for cell in header]
    keys = [normalised_header(h) for h in headers]
    index: dict[str, int] = {}
    for field, wanted in overrides.items():
        if field not in FIELDS:
            what = f"--column expected one of {', '.join(FIELDS)}=HEADER, got {one_line(field)}="
            raise IdeaFileError(name, row, FILE, what)
        matches = [i for i, key in enumerate(keys) if key and key == normalised_header(wanted)]
        if not matches:
            shown = ", ".join(f'"{h}"' for h in headers if h)
            got = one_line(wanted)
            what = f'--column {field}= expected a header of the file ({shown}), got "{got}"'
            raise IdeaFileError(name, row, FILE, what)
        index[field] = matches[0]
    taken = set(index.values())
    for by_first_word in (False, True):
        for field, aliases in ALIASES.items():
            if field in index:
                continue
            for alias in aliases:
                found = next(
                    (
                        i
                        for i, header in enumerate(headers)
                        if i not in taken and _names(header, keys[i], alias, by_first_word)
                    ),
                    None,
                )
                if found is not None:
                    index[field] = found
                    taken.add(found)
                    break
    if "text" not in index:
        shown = ", ".join(f'"{h}"' for h in headers if h) or "none"
        what = (
            "expected a column for the idea text (named text, idea, content, sticky or note),"
            f" got {shown}; name it with --column text=HEADER"
        )
        raise IdeaFileError(name, row, FILE, what)
    ignored = tuple(h for i, h in enumerate(headers) if i not in taken and h)
    return _Layout(index, headers, ignored)


def _names(header: str, key: str, alias: str, by_first_word: bool) -> bool:
    if not by_first_word:
        return key == alias
    words = _header_words(header)
    return bool(words) and words[0] == alias


def _column(layout: _Layout, field: str) -> str:
    return f'column "{layout.header(field)}"'


# --------------------------------------------------------------------------- rows


def _from_table(
    name: str,
    kind: str,
    digest: str,
    table: Table,
    detail: str,
    overrides: Mapping[str, str],
    dates: str | None,
    epoch: Any,
) -> IdeaFile:
    if not table:
        raise IdeaFileError(
            name, WHOLE, FILE, "expected a header row, then one idea per row; got an empty file"
        )
    header_row, header = table[0]
    layout = _layout(header, overrides, name, header_row)
    width = len(header)

    def cell(cells: list[Any], field: str) -> Any:
        position = layout.index.get(field)
        return cells[position] if position is not None and position < len(cells) else None

    rows: list[IdeaRow] = []
    ids: list[str] = []
    refs: list[str] = []
    stamps: list[Any] = []
    for number, cells in table[1:]:
        extra = [c for c in cells[width:] if _cell_text(c).strip()]
        if extra:
            what = (
                f"expected at most {width} cells like the header, got {len(cells)}"
                " (an unquoted comma in a cell?)"
            )
            raise IdeaFileError(name, number, FILE, what)
        text = _cell_text(cell(cells, "text")).strip()
        column = _column(layout, "text")
        if not text:
            raise IdeaFileError(name, number, column, "expected the idea's text, got a blank cell")
        _bounded(text, MAX_IDEA_CHARS, name, number, column, "an idea")
        labels = {}
        for field in ("participant", "phase", "id", "builds_on"):
            value = one_line(_cell_text(cell(cells, field))).strip()
            if field in layout.index:
                _bounded(value, MAX_LABEL_CHARS, name, number, _column(layout, field), "a " + field)
            labels[field] = value
        stamp = cell(cells, "created")
        rows.append(
            IdeaRow(
                row=number,
                text=text,
                participant=labels["participant"],
                phase=labels["phase"],
                created_raw=one_line(_cell_text(stamp)).strip(),
            )
        )
        ids.append(labels["id"])
        refs.append(labels["builds_on"])
        stamps.append(stamp)
    if not rows:
        raise IdeaFileError(name, header_row, FILE, "expected ideas below the header row, got none")
    order = ""
    if "created" in layout.index:
        times, order = _times(stamps, rows, dates, epoch, name, _column(layout, "created"))
        rows = [replace(row, created=at) for row, at in zip(rows, times, strict=True)]
    if "builds_on" in layout.index:
        by_id = "id" in layout.index
        targets = _targets(rows, ids, by_id, name, _column(layout, "id") if by_id else "")
        column = _column(layout, "builds_on")
        rows = _link(rows, refs, targets, by_id, name, column)
    matched = tuple((field, layout.header(field)) for field in FIELDS if field in layout.index)
    return IdeaFile(name, kind, digest, tuple(rows), matched, layout.ignored, detail, order)


def _bounded(
    value: str,
    limit: int,
    name: str,
    row: int,
    column: str,
    what: str,
    error: type[IdeaFileError] = IdeaFileError,
) -> None:
    if len(value) > limit:
        raise error(
            name,
            row,
            column,
            f"expected {what} of at most {limit:,} characters, got {len(value):,}",
        )


def _targets(
    rows: Sequence[IdeaRow], ids: Sequence[str], by_id: bool, name: str, column: str
) -> dict[str, int]:
    """Reference -> row index: the id column's values (unique), else row numbers."""
    if not by_id:
        return {str(row.row): index for index, row in enumerate(rows)}
    targets: dict[str, int] = {}
    for index, (row, value) in enumerate(zip(rows, ids, strict=True)):
        if not value:
            continue
        key = value.casefold()
        if key in targets:
            first = rows[targets[key]].row
            what = f'expected a unique id, got "{one_line(value, 40)}" again (first on row {first})'
            raise IdeaFileError(name, row.row, column, what)
        targets[key] = index
    return targets


def _link(
    rows: list[IdeaRow],
    refs: Sequence[str],
    targets: Mapping[str, int],
    by_id: bool,
    name: str,
    column: str,
) -> list[IdeaRow]:
    """Each row's build-on resolved to a row index; a reference to nothing, to itself or
    round in a loop is refused."""
    linked = list(rows)
    for index, (row, ref) in enumerate(zip(rows, refs, strict=True)):
        if not ref:
            continue
        key = ref.removeprefix("+").removeprefix("#").strip()
        key = key.casefold() if by_id else key.removesuffix(".0")
        target = targets.get(key)
        if target is None:
            kind = "the id of another row" if by_id else "the row number of another idea"
            raise IdeaFileError(
                name, row.row, column, f'expected {kind}, got "{one_line(ref, 40)}"'
            )
        if target == index:
            raise IdeaFileError(name, row.row, column, "expected another row, got this row itself")
        linked[index] = replace(row, builds_on=target)
    for index, row in enumerate(linked):
        seen = {index}
        current = row.builds_on
        while current is not None:
            if current in seen:
                what = "expected build-ons that end somewhere, got a loop back to this row"
                raise IdeaFileError(name, row.row, column, what)
            seen.add(current)
            current = linked[current].builds_on
    return linked


# --------------------------------------------------------------------------- time

_SLASHED = re.compile(
    r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([ap])\.?m\.?)?)?",
    re.IGNORECASE,
)
_YEAR_FIRST = re.compile(
    r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_WORDED = (
    "%d %B %Y %H:%M",
    "%d %B %Y %H:%M:%S",
    "%d %B %Y",
    "%d %b %Y %H:%M",
    "%d %b %Y",
    "%B %d, %Y %I:%M %p",
    "%B %d, %Y %H:%M",
    "%B %d, %Y",
    "%b %d, %Y %I:%M %p",
    "%b %d, %Y %H:%M",
    "%b %d, %Y",
)
_EXPECTED_TIME = (
    "expected a date and time such as 2024-03-14 16:02, 14/03/2024 16:02 or 14 March 2024"
)
#: Times outside these years are a blank or a typo (Excel's day 0 is 1899-12-30).
_YEARS = (1970, 2100)


def _times(
    stamps: Sequence[Any],
    rows: Sequence[IdeaRow],
    dates: str | None,
    epoch: Any,
    name: str,
    column: str,
) -> tuple[list[float | None], str]:
    """Seconds since the epoch for each row (None for a blank cell), and the order
    slashed dates were read in ("" when there were none)."""
    slashed = [
        (row.row, match)
        for row, stamp in zip(rows, stamps, strict=True)
        if isinstance(stamp, str)
        and (match := _SLASHED.fullmatch(stamp.strip()))
        and match.group(2) != "."
    ]
    order = _date_order(slashed, dates, name, column) if slashed else ""
    times: list[float | None] = []
    for row, stamp in zip(rows, stamps, strict=True):
        moment = _moment(stamp, order or dates or "dmy", epoch)
        if moment is False:
            got = one_line(_cell_text(stamp), 40)
            raise IdeaFileError(name, row.row, column, f'{_EXPECTED_TIME}, got "{got}"')
        if moment is not None and not _YEARS[0] <= moment.year <= _YEARS[1]:
            what = f"expected a date between {_YEARS[0]} and {_YEARS[1]}, got {moment:%Y-%m-%d}"
            raise IdeaFileError(name, row.row, column, what)
        times.append(None if moment is None else moment.timestamp())
    return times, order


def _date_order(
    slashed: Sequence[tuple[int, re.Match[str]]], dates: str | None, name: str, column: str
) -> str:
    """Day first or month first for the whole column: the data decides when a day over 12
    settles it, else `dates`; left open, the first ambiguous row is refused."""
    pairs = [(row, int(m.group(1)), int(m.group(3)), m.group(0)) for row, m in slashed]
    day_first = all(second <= 12 for _, _, second, _ in pairs)
    month_first = all(first <= 12 for _, first, _, _ in pairs)
    if dates in DATE_ORDERS:
        return dates
    if day_first and month_first:
        unclear = next((pair for pair in pairs if pair[1] != pair[2]), None)
        if unclear is None:
            return "dmy"
        row, first, second, text = unclear
        what = (
            f'expected dates in a clear order: "{text}" could be {_day_month(first, second)}'
            f" or {_day_month(second, first)}, and no day in the column is over 12;"
            " say which with --dates dmy (day first) or --dates mdy (month first)"
        )
        raise IdeaFileError(name, row, column, what)
    if day_first or month_first:
        return "dmy" if day_first else "mdy"
    first_row = next(row for row, first, _, _ in pairs if first > 12)
    row, *_rest, text = next(p for p in pairs if p[2] > 12)
    what = (
        f'expected one date order in the column, got "{text}" month first'
        f" while row {first_row} is day first"
    )
    raise IdeaFileError(name, row, column, what)


def _day_month(day: int, month: int) -> str:
    months = (
        "January February March April May June July August September October November December"
    ).split()
    return f"{day} {months[month - 1]}" if 1 <= month <= 12 else f"day {day} of month {month}"


def _moment(stamp: Any, order: str, epoch: Any) -> datetime | None | bool:
    """The stamp as a datetime; None for a blank cell, False when it is not a time."""
    if stamp is None or (isinstance(stamp, str) and not stamp.strip()):
        return None
    if isinstance(stamp, datetime):
        return stamp
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        if epoch is None:
            return False  # a bare number in a CSV: seconds, days, a year? Not guessed.
        from openpyxl.utils.datetime import from_excel

        try:
            moment = from_excel(stamp, epoch)
        except (OverflowError, ValueError):
            return False
        return moment if isinstance(moment, datetime) else False
    text = " ".join(str(stamp).split())
    for parse in _PARSERS:
        try:
            moment = parse(text, order)
        except (ValueError, OverflowError):
            return False
        if moment is not None:
            return moment
    return False


def _iso(text: str, _order: str) -> datetime | None:
    if not re.match(r"\d{4}-\d{2}-\d{2}", text):
        return None
    return datetime.fromisoformat(text)


def _slashed(text: str, order: str) -> datetime | None:
    match = _SLASHED.fullmatch(text)
    if match is None:
        return None
    first, sep, second, year, hour, minute, second_s, half = match.groups()
    day, month = (
        (int(first), int(second)) if order == "dmy" or sep == "." else (int(second), int(first))
    )
    whole_year = int(year) + (2000 if len(year) == 2 else 0)
    return _clock(datetime(whole_year, month, day), hour, minute, second_s, half)


def _year_first(text: str, _order: str) -> datetime | None:
    match = _YEAR_FIRST.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, seconds = match.groups()
    return _clock(datetime(int(year), int(month), int(day)), hour, minute, seconds, None)


def _worded(text: str, _order: str) -> datetime | None:
    for pattern in _WORDED:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def _clock(
    day: datetime, hour: str | None, minute: str | None, seconds: str | None, half: str | None
) -> datetime:
    if hour is None:
        return day
    h = int(hour)
    if half is not None:
        if not 1 <= h <= 12:
            raise ValueError("hour out of range for a 12-hour clock")
        h = h % 12 + (12 if half.lower() == "p" else 0)
    return day.replace(hour=h, minute=int(minute or 0), second=int(seconds or 0))


_PARSERS: tuple[Callable[[str, str], datetime | None], ...] = (_iso, _slashed, _year_first, _worded)


# --------------------------------------------------------------------------- text lists

_HEADING = re.compile(r"#{1,6}(\s|$)")
_RULE = re.compile(r"(?:[-=_*]\s*){3,}|[=\-]+")
_MARKER = re.compile(r"(?:[-*+•‣◦]\s+|\d{1,4}[.)]\s+)?(?:\[[ xX]?\]\s+)?")
_BULLET = re.compile(r"\s*(?:[-*+•‣◦]|\d{1,4}[.)])\s")


def _from_lines(name: str, digest: str, text: str, *, markdown: bool) -> IdeaFile:
    """One idea per line or bullet; a bullet's indented continuation lines join it."""
    lines = text.splitlines()
    skip = _front_matter(lines)
    rows: list[IdeaRow] = []
    in_fence = False
    previous_bullet = False
    for number, raw in enumerate(lines, start=1):
        if number <= skip:
            continue
        stripped = raw.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            previous_bullet = False
            continue
        if _RULE.fullmatch(stripped) and rows and rows[-1].row == number - 1:
            if not previous_bullet and set(stripped) <= {"=", "-"}:
                rows.pop()  # the line above was a setext heading, not an idea
        if not stripped or _HEADING.match(stripped) or _RULE.fullmatch(stripped):
            previous_bullet = False
            continue
        if stripped.startswith("<!--") and stripped.endswith("-->"):
            continue
        bullet = bool(_BULLET.match(raw))
        if previous_bullet and not bullet and raw[:1].isspace() and rows and not in_fence:
            joined = f"{rows[-1].text} {stripped}"
            _bounded(joined, MAX_IDEA_CHARS, name, rows[-1].row, FILE, "an idea", IdeaLineError)
            rows[-1] = replace(rows[-1], text=joined)
            continue
        idea = stripped[_MARKER.match(stripped).end() :].strip()  # type: ignore[union-attr]
        previous_bullet = bullet
        if not idea:
            continue  # an empty bullet or checkbox
        _bounded(idea, MAX_IDEA_CHARS, name, number, FILE, "an idea", IdeaLineError)
        rows.append(IdeaRow(row=number, text=idea))
        if len(rows) > MAX_ROWS:
            raise IdeaLineError(name, number, FILE, f"expected at most {MAX_ROWS:,} ideas")
    if not rows:
        raise IdeaLineError(name, WHOLE, FILE, "expected one idea per line or bullet, got none")
    detail = "Markdown list" if markdown else "one idea per line"
    return IdeaFile(name, "text", digest, tuple(rows), detail=detail)


def _front_matter(lines: Sequence[str]) -> int:
    """How many leading lines are YAML front matter ("---" … "---"), 0 if none."""
    if not lines or lines[0].strip() != "---":
        return 0
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            return number
    return 0
