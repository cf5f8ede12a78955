"""Provides an export's bytes as CSV records: size limits, decoding, cut-off files.

An export is refused whole when it is absurd (`MAX_FILE_BYTES`, `MAX_COLUMNS`,
`MAX_CELL_CHARS`), not text, not well-formed CSV, or cut short by a download or
copy that stopped (a last row with an unterminated quote, fewer cells than the
rows before it, or half a UTF-8 character). Records are read as they are asked
for, so a record that is not CSV, or a cut-off last row (`CutOffWatch`), is
found when reading gets there and the reader's caller refuses the whole file.
Text is decoded by the product's one decoder (`yamlfile.decode_text`), the
delimiter is sniffed as the idea importer does (`sheets.sniff_delimiter`), and
records are read by the loop both importers share (`sheets.csv_records`).
"""

from __future__ import annotations

from collections.abc import Iterator
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


def iter_records(text: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank CSV records with the file line each starts on, read as they are asked
    for: a 100,000-row export is never held as lists of cells all at once."""
    first_line = text.find("\n")
    delimiter = sniff_delimiter(text if first_line < 0 else text[:first_line])
    try:
        for start, cells in csv_records(text, delimiter, MAX_CELL_CHARS):
            if len(cells) > MAX_COLUMNS:
                message = f"expected at most {MAX_COLUMNS:,} cells in a row, got {len(cells):,}"
                raise ResponseFileError([Problem(name, start, message)])
            yield start, cells
    except SheetError as error:
        raise ResponseFileError([Problem(name, error.line, error.what)]) from None


def read_records(text: str, name: str) -> list[tuple[int, list[str]]]:
    """Every non-blank CSV record with the file line it starts on."""
    return list(iter_records(text, name))


class CutOffWatch:
    """Watches the data rows go by, to refuse at the end a file whose last row was cut
    short, so nobody is half-imported; it keeps two counts, not the rows.

    A download or copy that stops mid-row leaves a last row with fewer cells than
    the rows before it, and no line break after it. In a plain file a last line
    without a line break but with all its cells is complete (spreadsheets such as
    Google Sheets write no final line break). Qualtrics and SurveyMonkey end every
    row with one (`strict`), so their export without it was cut, maybe inside the
    last cell. A short last row followed by a line break is a cut file re-saved by
    an editor when every other row has its cells.
    """

    def __init__(self, width: int, strict: bool) -> None:
        self.width = width  # the header's cells, trailing empty ones too
        self.strict = strict
        self.last: tuple[int, int] | None = None  # line and cell count of the latest row
        self.fewest: int | None = None  # fewest cells in a row before the latest
        self.all_full = True  # every row before the latest has the header's cells

    def see(self, line: int, cells: int) -> None:
        if self.last is not None:
            count = self.last[1]
            self.fewest = count if self.fewest is None else min(self.fewest, count)
            self.all_full = self.all_full and count >= self.width
        self.last = (line, cells)

    def refuse(self, text: str, name: str) -> None:
        """Raise the cut-off error if the rows seen and the text's end say so."""
        tail = text[max(text.rfind("\n"), text.rfind("\r")) + 1 :]
        if tail and not tail.strip(" \t,;"):
            # A last line of bare separators: the start of a row whose first cells were empty.
            what = "expected a whole row, got empty cells only"
            raise cut_off(name, text.count("\n") + 1, what)
        if self.last is None:
            if text.strip() and not text.endswith(("\n", "\r")):
                # Headers and no respondents, and no line break: the cut fell in the header.
                what = "expected header rows, then respondents; the header stops mid-row"
                raise cut_off(name, text.count("\n") + 1, what)
            return
        line, last = self.last
        if self.strict and not text.endswith(("\n", "\r")):
            what = "expected a line break after the last row, as survey tools write one"
            raise cut_off(name, line, what + " (if the file is whole, add one)")
        # A tool that writes trailing empty cells writes them in every row, and a
        # hand-made file's rows may stop short.
        expected = min(self.width, self.width if self.fewest is None else self.fewest)
        if text.endswith(("\n", "\r")):
            cut = last < expected and self.all_full
        else:
            cut = last < expected
        if cut:
            what = f"expected {expected} cells like the rows above, got {last}"
            raise cut_off(name, line, what)


def cut_off(name: str, line: int, what: str) -> ResponseFileError:
    message = f"{what}: the file looks cut off here; export or copy it again (nothing imported)"
    return ResponseFileError([Problem(name, line, message)])
