"""Provides an export's bytes as CSV records: size limits, decoding, cut-off files.

An export is refused whole, before any matching, when it is absurd
(`MAX_FILE_BYTES`, `MAX_COLUMNS`, `MAX_CELL_CHARS`), not text, not well-formed
CSV, or cut short by a download or copy that stopped (a last row with an
unterminated quote, fewer cells than the rows before it, or half a UTF-8
character). Text is decoded by the product's one decoder (`yamlfile.decode_text`),
the delimiter is sniffed as the idea importer does (`sheets.sniff_delimiter`), and
records are read by the loop both importers share (`sheets.csv_records`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ideation.screening.responses.problems import Problem, ResponseFileError
from ideation.sheets import SheetError, csv_records, sniff_delimiter
from ideation.yamlfile import Undecodable, decode_text

#: A screener export of 100,000 people with long open ends is well under this.
MAX_FILE_BYTES = 100 * 1024 * 1024


#: Qualtrics exports with big grids run to a few hundred columns; 2,000 is no survey.
MAX_COLUMNS = 2000


#: Cells larger than csv's default 128 KiB limit happen (pasted essays); a megabyte does not.
MAX_CELL_CHARS = 1024 * 1024


def read_bytes(path: Path, name: str) -> bytes:
    """The file's bytes; an unreadable or absurdly large file is refused before reading."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            message = (
                f"expected a screener export under {MAX_FILE_BYTES // (1024 * 1024)} MiB,"
                f" got {size / (1024 * 1024):.0f} MiB"
            )
            raise ResponseFileError([Problem(name, 1, message)])
        return path.read_bytes()
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        problem = Problem(name, 1, f"expected a readable file ({reason})")
        raise ResponseFileError([problem]) from None


def decode_export(raw: bytes, name: str) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), UTF-16, else Windows-1252."""
    if raw.startswith(b"PK\x03\x04"):
        raise ResponseFileError(
            [Problem(name, 1, "expected a CSV file, got an Excel workbook; save it as CSV")]
        )
    try:
        return decode_text(raw, binary_ok=False)
    except Undecodable as error:
        if error.cut_off:
            raise cut_off(name, error.line, error.what) from None
        raise ResponseFileError([Problem(name, error.line, error.what)]) from None


def read_records(text: str, name: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV records with the file line each starts on."""
    records: list[tuple[int, list[str]]] = []
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    try:
        for start, cells in csv_records(text, delimiter, MAX_CELL_CHARS):
            if len(cells) > MAX_COLUMNS:
                message = f"expected at most {MAX_COLUMNS:,} cells in a row, got {len(cells):,}"
                raise ResponseFileError([Problem(name, start, message)])
            records.append((start, cells))
    except SheetError as error:
        raise ResponseFileError([Problem(name, error.line, error.what)]) from None
    return records


def refuse_cut_off(
    data: Sequence[tuple[int, list[str]]], width: int, text: str, name: str, strict: bool
) -> None:
    """Refuse a file whose last row was cut short, so nobody is half-imported.

    A download or copy that stops mid-row leaves a last row with fewer cells than
    the rows before it, and no line break after it. In a plain file a last line
    without a line break but with all its cells is complete (spreadsheets such as
    Google Sheets write no final line break). Qualtrics and SurveyMonkey end every
    row with one (`strict`), so their export without it was cut, maybe inside the
    last cell. A short last row followed by a line break is a cut file re-saved by
    an editor when every other row has its cells.
    """
    tail = text[max(text.rfind("\n"), text.rfind("\r")) + 1 :]
    if tail and not tail.strip(" \t,;"):
        # A last line of bare separators: the start of a row whose first cells were empty.
        raise cut_off(name, text.count("\n") + 1, "expected a whole row, got empty cells only")
    if not data:
        if text.strip() and not text.endswith(("\n", "\r")):
            # Headers and no respondents, and no line break: the cut fell in the header.
            what = "expected header rows, then respondents; the header stops mid-row"
            raise cut_off(name, text.count("\n") + 1, what)
        return
    line, last = data[-1]
    others = [len(cells) for _, cells in data[:-1]]
    if strict and not text.endswith(("\n", "\r")):
        what = "expected a line break after the last row, as survey tools write one"
        raise cut_off(name, line, what + " (if the file is whole, add one)")
    # `width` counts the header's cells, trailing empty ones too; a tool that writes
    # those writes them in every row, and a hand-made file's rows may stop short.
    expected = min(width, min(others, default=width))
    if text.endswith(("\n", "\r")):
        cut = len(last) < expected and all(count >= width for count in others)
    else:
        cut = len(last) < expected
    if cut:
        what = f"expected {expected} cells like the rows above, got {len(last)}"
        raise cut_off(name, line, what)


def cut_off(name: str, line: int, what: str) -> ResponseFileError:
    message = f"{what}: the file looks cut off here; export or copy it again (nothing imported)"
    return ResponseFileError([Problem(name, line, message)])
