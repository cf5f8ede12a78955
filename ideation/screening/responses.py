"""Provides reading of screener responses exported from survey tools.

A screener is fielded in Qualtrics, SurveyMonkey or a plain spreadsheet and
comes back as a CSV. This module turns any of those exports into
`ImportedResponse` rows keyed by the screener's question ids, so scoring,
flagging and ranking never care which tool was used.

The whole file is validated before anything is returned: the first bad cell
raises a `ResponseFileError` whose message is one line naming the file, the
line, the column and what was expected, and nothing is imported. A half
imported recruit is worse than none, because nobody notices the missing half.
That includes a file cut short (a download or copy that stopped): a last row
with an unterminated quote, fewer cells than the rows before it, or half a
UTF-8 character is refused, whole.

Limits, checked before any matching so absurd files are refused at once:
`MAX_FILE_BYTES` (100 MiB), `MAX_COLUMNS` (2,000 cells in a row) and
`MAX_CELL_CHARS` (1 MiB of text in one cell; Excel itself keeps 32,767).

Format detection (first rule that holds wins):

1. ``qualtrics``: row 3 holds ``{"ImportId": ...}`` JSON cells; row 1 has
   column names (Q1, Q11_2, ResponseId), row 2 the question texts, data
   starts on row 4.
2. ``surveymonkey``: row 1 names ``Respondent ID`` or ``Collector ID``, or
   row 2 has ``Response`` / ``Open-Ended Response`` cells; row 1 holds question
   texts (a blank cell continues the question to its left), row 2 the option,
   item or ``Response`` label, data from row 3.
3. ``qualtrics-legacy``: row 2 names ``ResponseID``, or row 1 is mostly
   Qualtrics-style ids (V1, Q3, Q11_2) and row 2 matches a question's text;
   data from row 3.
4. ``plain``: one header row, columns named by question id or question text.

Columns are matched to questions by the question's explicit ``column``
override, then survey metadata (ids, durations, contact details, fraud
scores) by their usual names, then by question id, then by question text
(normalised for case, whitespace and punctuation; "- Selected Choice" and
truncation with an ellipsis allowed). Grid items, options and rank columns
are found as "question text - item text" (either order) in the column text.

Stdlib only; nothing here knows about the screener parser or the store.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, NamedTuple, Protocol

from ideation.errors import IdeationError

#: The export formats `read_responses` recognises.
Format = Literal["plain", "qualtrics", "qualtrics-legacy", "surveymonkey"]
FORMATS: tuple[str, ...] = ("plain", "qualtrics", "qualtrics-legacy", "surveymonkey")

#: A screener export of 100,000 people with long open ends is well under this.
MAX_FILE_BYTES = 100 * 1024 * 1024
#: Qualtrics exports with big grids run to a few hundred columns; 2,000 is no survey.
MAX_COLUMNS = 2000
#: Cells larger than csv's default 128 KiB limit happen (pasted essays); a megabyte does not.
MAX_CELL_CHARS = 1024 * 1024

#: At most this many problems are collected before reading stops.
_MAX_PROBLEMS = 200


class QuestionLike(Protocol):
    """What reading and flagging need from a screener question; the parser's class fits.

    Optional extras are read with getattr when a question has them: ``labels`` and
    ``scale`` (ratings), ``min`` and ``max`` (numbers), and on grid items
    ``attention_check`` and ``reverse``.
    """

    @property
    def id(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def options(self) -> Sequence[str]: ...

    @property
    def items(self) -> Sequence[Any]:
        """Rating-grid items, each with ``.id`` and ``.text``."""
        ...

    @property
    def column(self) -> str | Mapping[str, str] | None:
        """Explicit column override; for grids a map of item id to column."""
        ...


class ContactDetails(NamedTuple):
    """Personal data found in the export; kept apart from the answers on purpose."""

    name: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ImportedResponse:
    """One respondent's row of an export, answers keyed by question id.

    Answer shapes: single_choice str; multiple_choice list of options in the
    question's order; rating dict item id -> int (int for a grid without items);
    number int or float; short_text and creativity str; ranking list of options
    in rank order. Unanswered questions are absent.
    """

    row: int  # 1-based line in the file where the record starts
    external_id: str
    answers: dict[str, Any]
    duration_seconds: float | None = None
    contact: ContactDetails = ContactDetails()
    fraud: dict[str, float | bool] = field(default_factory=dict)
    finished: bool | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The external id, so a batch can go straight into `quality_flags`."""
        return self.external_id


@dataclass(frozen=True)
class ImportedBatch:
    """A validated export: every row, plus what the file did not line up with."""

    rows: tuple[ImportedResponse, ...]
    format: Format
    unmatched_columns: tuple[str, ...]
    encoding: str
    missing_questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located by line and (when known) column."""

    file: str
    line: int
    message: str
    column: str | None = None
    question: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: "
        if self.column is not None:
            where += f'column "{_one_line(self.column)}"'
            if self.question and self.question != self.column:
                where += f" (question {self.question})"
            where += ": "
        return where + _one_line(self.message)


class ResponseFileError(IdeationError, ValueError):
    """A response file that cannot be imported; str() is one line naming file, line, column.

    Still a ValueError, so callers written before `IdeationError` keep working.

    ``problems`` holds everything found (up to a cap), first one first.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        self.file, self.line, self.column = first.file, first.line, first.column
        message = str(first)
        if len(self.problems) > 1:
            more = len(self.problems) - 1
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        super().__init__(message)


class _CellError(Exception):
    """Raised by the cell parsers; the caller adds file, line and column."""


# --------------------------------------------------------------------------- text


def normalise(text: str) -> str:
    """Case-, accent-width-, whitespace- and punctuation-insensitive form for matching."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"['’‘`´]", "", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split())


def _key(text: str) -> str:
    """Letters and digits only: how metadata column names are compared."""
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _shorten(text: str, limit: int = 40) -> str:
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _got(value: str) -> str:
    return f'got "{_shorten(value)}"' if value.strip() else "got a blank cell"


_ELLIPSIS = re.compile(r"(…|\.\.\.)\s*$")


def _same_text(candidate: str, target: str) -> bool:
    """Whether a column's text names `target`, allowing truncation with an ellipsis."""
    if not candidate.strip():
        return False
    norm_target = normalise(target)
    if normalise(candidate) == norm_target:
        return True
    if _ELLIPSIS.search(candidate):
        prefix = normalise(_ELLIPSIS.sub("", candidate))
        return len(prefix) >= 8 and norm_target.startswith(prefix)
    return False


_DROPPED_SEGMENTS = {"selected choice"}


def _segments(text: str) -> list[str]:
    """Split "Question - Item - Selected Choice" into its parts, dropping tool noise."""
    parts = [part.strip() for part in re.split(r"\s+-\s+", text) if part.strip()]
    return [part for part in parts if normalise(part) not in _DROPPED_SEGMENTS]


# --------------------------------------------------------------------------- metadata

#: Normalised metadata column name -> what it is. Checked against row 1 and row 2.
_META: dict[str, str] = {}
for _field, _names in {
    "external_id": (
        "responseid respondentid id respondent respondentid externalid recordid responseidentifier"
    ),
    "duration": "durationinseconds duration durationseconds durations timetaken secondstaken",
    "start": "startdate starttime startedat started",
    "end": "enddate endtime endedat submittedat submitdate",
    "email": "email emailaddress recipientemail emailaddr",
    "phone": "phone phonenumber mobile mobilenumber mobilephone telephone tel cellphone cell",
    "first_name": "firstname recipientfirstname givenname forename",
    "last_name": "lastname recipientlastname surname familyname",
    "name": "name fullname respondentname yourname",
    "finished": "finished",
    "fraud:recaptcha": "qrecaptchascore recaptchascore",
    "fraud:duplicate": "qrelevantidduplicate qduplicaterespondent duplicaterespondent",
    "fraud:duplicate_score": "qrelevantidduplicatescore",
    "fraud:fraud_score": "qrelevantidfraudscore",
    "fraud:ballot_box_stuffing": "qballotboxstuffing",
    "meta": (
        "status responsetype progress recordeddate externalreference externaldatareference "
        "distributionchannel userlanguage collectorid responseset timestamp "
        "qrelevantidlaststartdate"
    ),
    # Personal data with no use in recruiting: recognised so it is not "unmatched",
    # and deliberately not kept.
    "drop": "ipaddress locationlatitude locationlongitude locationaccuracy",
}.items():
    for _name in _names.split():
        _META[_name] = _field

_CUSTOM_DATA = re.compile(r"customdata\d*")


def _meta_kind(*labels: str) -> str | None:
    for label in labels:
        key = _key(label)
        if key in _META:
            return _META[key]
        if _CUSTOM_DATA.fullmatch(key):
            return "meta"
    return None


# --------------------------------------------------------------------------- columns


@dataclass
class _Column:
    index: int
    name: str  # row 1
    text: str = ""  # row 2 (Qualtrics), or the question text of the group (SurveyMonkey)
    import_id: str = ""  # row 3 (Qualtrics)
    sub: str = ""  # row 2 label (SurveyMonkey)

    @property
    def display(self) -> str:
        """How errors and `unmatched_columns` name the column."""
        if self.sub and normalise(self.sub) not in _SM_WHOLE:
            return f"{_shorten(self.text or self.name, 45)} / {_shorten(self.sub, 30)}"
        return _shorten(self.name or self.text or f"column {self.index + 1}", 70)

    @property
    def meta_name(self) -> str:
        """The readable name of a metadata column (legacy Qualtrics: row 2, not "V8")."""
        if re.fullmatch(r"V\d+", self.name) and self.text:
            return self.text
        return self.name or self.text


@dataclass(frozen=True, eq=False)
class _Target:
    """Where a column's cells go: a whole answer, or one item or option of it."""

    question: Any  # QuestionLike; may hold unhashable parts (a dict column override)
    kind: str  # "whole", "item" or "option"
    key: str = ""  # item id or option text

    def _identity(self) -> tuple[str, str, str]:
        return (self.question.id, self.kind, self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Target) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())


_SM_WHOLE = {"", "response", "responses", "open ended response"}

_QUALTRICS_NAME = re.compile(r"(V\d+|Q\d+(_\d+)*(_TEXT)?|QID\d+(_\d+)*(_TEXT)?)", re.IGNORECASE)


def _elements(question: Any) -> list[tuple[str, str]]:
    """(key, text) of the parts a question may be split over: items or options."""
    if question.type == "rating":
        return [(item.id, item.text) for item in question.items]
    if question.type in ("multiple_choice", "ranking"):
        return [(option, option) for option in question.options]
    return []


def _part_kind(question: Any) -> str:
    return "item" if question.type == "rating" else "option"


def _text_candidates(label: str, question: Any) -> list[tuple[int, _Target]]:
    """Ways a column's text could belong to `question`, best score highest."""
    segments = _segments(label)
    if not segments:
        return []
    if len(segments) > 1 and normalise(segments[-1]) == "text":
        return []  # Qualtrics "Other - Text" entry: not an answer we model
    found: list[tuple[int, _Target]] = []
    full = " ".join(segments)
    if _same_text(full, question.text):
        found.append((3, _Target(question, "whole")))
    norm_full = normalise(full)
    norm_question = normalise(question.text)
    kind = _part_kind(question)
    for key, text in _elements(question):
        norm_text = normalise(text)
        if norm_full in (f"{norm_question} {norm_text}", f"{norm_text} {norm_question}"):
            found.append((3, _Target(question, kind, key)))
            continue
        for position, segment in enumerate(segments):
            if not _same_text(segment, text):
                continue
            rest = " - ".join(segments[:position] + segments[position + 1 :])
            if rest and _same_text(rest, question.text):
                found.append((3, _Target(question, kind, key)))
            elif kind == "item":
                # Grid statements are long and specific enough to stand alone:
                # "I love trying new ways… - Coffee attitudes". Options are not.
                found.append((2 if rest else 1, _Target(question, kind, key)))
            break
    return found


def _id_candidates(name: str, question: Any) -> list[tuple[int, _Target]]:
    """Columns named by question id: "age", "attitudes_passion", "brands_tried[Brewline]"."""
    name = name.strip()
    if not name:
        return []
    if name.casefold() == question.id.casefold():
        return [(4, _Target(question, "whole"))]
    match = re.fullmatch(
        rf"{re.escape(question.id)}\s*[._:/\[-]\s*(.+?)\]?", name, flags=re.IGNORECASE
    )
    if not match:
        return []
    rest = match.group(1)
    kind = _part_kind(question)
    for key, text in _elements(question):
        if rest.casefold() == key.casefold() or _same_text(rest, text):
            return [(4, _Target(question, kind, key))]
    return []


def _by_position(name: str, base: str, question: Any) -> _Target | None:
    """A column ``{base}_{n}`` of an explicitly overridden question, taken as part n."""
    match = re.fullmatch(rf"{re.escape(base)}_(\d+)", name, flags=re.IGNORECASE)
    elements = _elements(question)
    if match and 1 <= int(match.group(1)) <= len(elements):
        return _Target(question, _part_kind(question), elements[int(match.group(1)) - 1][0])
    return None


# --------------------------------------------------------------------------- cells

_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?")
_TRUE = {"1", "true", "yes", "y", "x", "t", "selected", "checked", "✓", "✔"}
_FALSE = {"0", "false", "no", "n", "f", "not selected", "unchecked"}


def _number(value: str) -> int | float:
    cleaned = value.strip().replace("\u00a0", "")
    if not cleaned or not any(ch.isdigit() for ch in cleaned) or not _NUMBER.fullmatch(cleaned):
        raise _CellError(f"expected a number, {_got(value)}")
    number = float(cleaned.replace(",", ""))
    return int(number) if number.is_integer() else number


def _parse_number(value: str, question: Any) -> int | float:
    number = _number(value)
    low, high = getattr(question, "min", None), getattr(question, "max", None)
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            wanted = f"a number from {low:g} to {high:g}"
        elif low is not None:
            wanted = f"a number of at least {low:g}"
        else:
            wanted = f"a number of at most {high:g}"
        raise _CellError(f"expected {wanted}, {_got(value)}")
    return number


def _bool(value: str) -> bool:
    folded = value.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise _CellError(f"expected true or false, {_got(value)}")


def _listing(values: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(f'"{_shorten(value, 30)}"' for value in values[:limit])
    return shown + (", …" if len(values) > limit else "")


def match_option(value: str, options: Sequence[str]) -> str | None:
    """The option `value` names (by normalised text, else a 1-based choice code)."""
    norm_value = normalise(value)
    for option in options:
        if normalise(option) == norm_value:
            return option
    stripped = value.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(options):
        return options[int(stripped) - 1]
    return None


def _parse_choice(value: str, question: Any) -> str:
    options = list(question.options)
    if not options:
        return _clean_text(value)
    option = match_option(value, options)
    if option is None:
        raise _CellError(f"expected one of {_listing(options)}, {_got(value)}")
    return option


_SEPARATORS = r"[,;|\n]"


def _split_choices(value: str, question: Any) -> list[str]:
    """Options listed in one cell ("A,B" from Qualtrics; ";", "|" or lines elsewhere).

    Options that themselves contain a separator are found by matching whole
    option texts, longest first.
    """
    options = list(question.options)
    parts = [part for part in re.split(rf"\s*{_SEPARATORS}\s*", value.strip()) if part]
    matched = [match_option(part, options) for part in parts]
    if all(matched):
        return [option for option in matched if option is not None]
    found: list[str] = []
    rest = value.strip()
    by_length = sorted(options, key=len, reverse=True)
    while rest:
        for option in by_length:
            if rest.casefold().startswith(option.casefold()):
                after = re.match(rf"\s*({_SEPARATORS}\s*|$)", rest[len(option) :])
                if after:
                    found.append(option)
                    rest = rest[len(option) + after.end() :]
                    break
        else:
            bad = next(part for part, option in zip(parts, matched, strict=True) if not option)
            raise _CellError(f"expected options from {_listing(options)}, {_got(bad)}")
    return found


def _selected(value: str, option: str) -> bool:
    if normalise(value) == normalise(option):
        return True
    try:
        return _bool(value)
    except _CellError:
        raise _CellError(f'expected "{_shorten(option, 30)}", 1 or blank, {_got(value)}') from None


def scale_value(value: str | int | float, question: Any) -> int:
    """A rating answer as a scale point: a label ("Strongly agree" -> 5) or a number.

    Raises ValueError when the value is neither, or lies outside the scale.
    """
    labels = list(getattr(question, "labels", None) or ())
    scale = getattr(question, "scale", None) or len(labels) or None
    wanted = f"a rating from 1 to {scale}" if scale else "a rating"
    if labels:
        wanted += f" or one of {_listing(labels)}"
    if isinstance(value, bool):
        raise ValueError(f"expected {wanted}, got {value!r}")
    if isinstance(value, int | float):
        number: float = value
    else:
        norm_value = normalise(value)
        for position, label in enumerate(labels, start=1):
            if normalise(label) == norm_value:
                return position
        text = value.strip()
        try:
            number = _number(text)
        except _CellError:
            prefixed = re.match(r"(\d+)\s*[-–=:)]\s*\S", text)  # "5 - Strongly agree"
            if not prefixed:
                raise ValueError(f"expected {wanted}, {_got(value)}") from None
            number = int(prefixed.group(1))
    if not float(number).is_integer() or number < 1 or (scale and number > scale):
        raise ValueError(f"expected {wanted}, {_got(str(value))}")
    return int(number)


def _parse_rating(value: str, question: Any) -> int:
    try:
        return scale_value(value, question)
    except ValueError as error:
        raise _CellError(str(error)) from None


def _parse_rank(value: str, count: int) -> int:
    stripped = value.strip()
    try:
        number = _number(stripped)
    except _CellError:
        number = -1
    if not float(number).is_integer() or not 1 <= number <= count:
        raise _CellError(f"expected a rank from 1 to {count}, {_got(value)}")
    return int(number)


def _clean_text(value: str) -> str:
    """Free text as written: line breaks kept (as \\n), outer whitespace dropped."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _parse_whole(value: str, question: Any) -> Any:
    kind = question.type
    if kind == "number":
        return _parse_number(value, question)
    if kind == "single_choice":
        return _parse_choice(value, question)
    if kind == "multiple_choice":
        return _in_option_order(_split_choices(value, question), question)
    if kind == "ranking":
        ranked = _split_choices(value, question)
        twice = [option for option in set(ranked) if ranked.count(option) > 1]
        if twice:
            raise _CellError(f'expected each option ranked once, got "{twice[0]}" twice')
        return ranked
    if kind == "rating":
        return _parse_rating(value, question)
    return _clean_text(value)


def _in_option_order(chosen: Sequence[str], question: Any) -> list[str]:
    return [option for option in question.options if option in set(chosen)]


# --------------------------------------------------------------------------- dates


_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M",
)


def _seconds_between(start: str, end: str) -> float | None:
    """Duration from start and end timestamps, for exports without a duration column.

    Tries one format for both stamps, so day/month order cannot skew the result.
    """
    start, end = start.strip(), end.strip()
    if not start or not end:
        return None
    for fmt in _DATE_FORMATS:
        try:
            seconds = (datetime.strptime(end, fmt) - datetime.strptime(start, fmt)).total_seconds()
        except ValueError:
            continue
        if seconds >= 0:
            return seconds
    try:
        seconds = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    except (ValueError, TypeError):
        return None
    return seconds if seconds >= 0 else None


# --------------------------------------------------------------------------- file


def _read(path: Path, name: str) -> bytes:
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


def _refuse_cut_off(
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
        raise _cut_off(name, text.count("\n") + 1, "expected a whole row, got empty cells only")
    if not data:
        if text.strip() and not text.endswith(("\n", "\r")):
            # Headers and no respondents, and no line break: the cut fell in the header.
            what = "expected header rows, then respondents; the header stops mid-row"
            raise _cut_off(name, text.count("\n") + 1, what)
        return
    line, last = data[-1]
    others = [len(cells) for _, cells in data[:-1]]
    if strict and not text.endswith(("\n", "\r")):
        what = "expected a line break after the last row, as survey tools write one"
        raise _cut_off(name, line, what + " (if the file is whole, add one)")
    # `width` counts the header's cells, trailing empty ones too; a tool that writes
    # those writes them in every row, and a hand-made file's rows may stop short.
    expected = min(width, min(others, default=width))
    if text.endswith(("\n", "\r")):
        cut = len(last) < expected and all(count >= width for count in others)
    else:
        cut = len(last) < expected
    if cut:
        what = f"expected {expected} cells like the rows above, got {len(last)}"
        raise _cut_off(name, line, what)


def _cut_off(name: str, line: int, what: str) -> ResponseFileError:
    message = f"{what}: the file looks cut off here; export or copy it again (nothing imported)"
    return ResponseFileError([Problem(name, line, message)])


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), UTF-16, else Windows-1252."""
    if raw.startswith(b"PK\x03\x04"):
        raise ResponseFileError(
            [Problem(name, 1, "expected a CSV file, got an Excel workbook; save it as CSV")]
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n\x00") + 1
            raise ResponseFileError([Problem(name, line, "expected UTF-16 text")]) from None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise ResponseFileError([Problem(name, line, "expected text, got binary data")])
    try:
        text = raw.decode("utf-8-sig")
        return text, "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError as error:
        if error.end == len(raw) and error.reason == "unexpected end of data":
            # Valid UTF-8 up to half a character at the very end: cut off, not cp1252.
            what = "expected a whole character at the end, got half of one"
            raise _cut_off(name, raw.count(b"\n") + 1, what) from None
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start]
        message = f"expected UTF-8 or Windows-1252 text, got byte 0x{byte:02X}"
        raise ResponseFileError([Problem(name, line, message)]) from None


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {delimiter: first.count(delimiter) for delimiter in (",", "\t", ";")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > counts[","] else ","


@contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _records(text: str, name: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV records with the file line each starts on."""
    records: list[tuple[int, list[str]]] = []
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    with _field_limit(MAX_CELL_CHARS):
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                if "end of data" in str(error):
                    message = "expected a closing quote for a cell opened in this row"
                elif "expected after" in str(error):
                    shown = {",": "comma", "\t": "tab", ";": "semicolon"}[delimiter]
                    message = f"expected a {shown} after a closing quote (a stray quote in a cell?)"
                elif "field larger" in str(error):
                    message = f"expected cells under {MAX_CELL_CHARS // 1024} KiB of text"
                else:
                    message = f"expected well-formed CSV ({error})"
                raise ResponseFileError([Problem(name, start, message)]) from None
            if len(cells) > MAX_COLUMNS:
                message = f"expected at most {MAX_COLUMNS:,} cells in a row, got {len(cells):,}"
                raise ResponseFileError([Problem(name, start, message)])
            if any(cell.strip() for cell in cells):
                records.append((start, cells))
            start = reader.line_num + 1
    return records


def _import_id(cell: str) -> str | None:
    cell = cell.strip()
    if not cell.startswith("{"):
        return None
    try:
        data = json.loads(cell)
    except ValueError:
        return None
    if isinstance(data, dict) and "ImportId" in data:
        return str(data["ImportId"])
    return None


def _matches_any_question(cells: Sequence[str], questions: Sequence[Any]) -> bool:
    return any(
        _text_candidates(cell, question) for cell in cells if cell.strip() for question in questions
    )


def detect_format(records: Sequence[Sequence[str]], questions: Sequence[Any] = ()) -> Format:
    """Which tool wrote the export, from its first three records (see module docstring)."""
    row1 = list(records[0]) if records else []
    row2 = list(records[1]) if len(records) > 1 else []
    row3 = list(records[2]) if len(records) > 2 else []
    if any(_import_id(cell) is not None for cell in row3):
        return "qualtrics"
    keys1 = {_key(cell) for cell in row1}
    keys2 = {_key(cell) for cell in row2}
    if row2 and (
        keys1 & {"respondentid", "collectorid"}
        or any(normalise(cell) in ("response", "open ended response") for cell in row2)
    ):
        return "surveymonkey"
    if row2 and "responseid" in keys2 and "responseid" not in keys1:
        return "qualtrics-legacy"
    named = [cell.strip() for cell in row1 if cell.strip()]
    qualtrics_like = [cell for cell in named if _QUALTRICS_NAME.fullmatch(cell)]
    if (
        row2
        and named
        and len(qualtrics_like) * 2 >= len(named)
        and _matches_any_question(row2, questions)
    ):
        return "qualtrics-legacy"
    return "plain"


def _columns(fmt: Format, records: Sequence[tuple[int, list[str]]]) -> list[_Column]:
    header_rows = {"plain": 1, "qualtrics-legacy": 2, "surveymonkey": 2, "qualtrics": 3}[fmt]
    heads = [cells for _, cells in records[:header_rows]]
    while len(heads) < header_rows:
        heads.append([])
    width = 0
    for cells in heads[: 1 if fmt in ("plain", "qualtrics") else 2]:
        filled = [i for i, cell in enumerate(cells) if cell.strip()]
        width = max(width, filled[-1] + 1 if filled else 0)

    def cell(row: int, index: int) -> str:
        cells = heads[row]
        return cells[index].strip() if index < len(cells) else ""

    columns: list[_Column] = []
    group = ""
    for index in range(width):
        name = cell(0, index)
        if fmt == "plain":
            columns.append(_Column(index, name))
        elif fmt == "qualtrics-legacy":
            columns.append(_Column(index, name, text=cell(1, index)))
        elif fmt == "qualtrics":
            import_id = _import_id(cell(2, index)) or ""
            columns.append(_Column(index, name, text=cell(1, index), import_id=import_id))
        else:  # surveymonkey: a blank row-1 cell continues the question to its left
            group = name or group
            columns.append(_Column(index, name or group, text=group, sub=cell(1, index)))
    return columns


# --------------------------------------------------------------------------- matching


@dataclass
class _Layout:
    targets: dict[int, _Target] = field(default_factory=dict)
    scores: dict[int, int] = field(default_factory=dict)  # how sure each target is
    meta: dict[int, str] = field(default_factory=dict)
    unmatched: list[int] = field(default_factory=list)


def _override_targets(
    question: Any, columns: Sequence[_Column], free: set[int]
) -> dict[int, _Target]:
    """Columns named by a question's explicit ``column:`` (empty when none is found)."""
    override = getattr(question, "column", None)
    if not override:
        return {}

    def named(column: _Column, wanted: str) -> bool:
        wanted = wanted.strip().casefold()
        return wanted in (column.name.casefold(), column.import_id.casefold()) or (
            bool(column.text) and _same_text(column.text, wanted)
        )

    found: dict[int, _Target] = {}
    if isinstance(override, Mapping):
        kind = _part_kind(question)
        for key, wanted in override.items():
            for column in columns:
                if column.index in free and named(column, str(wanted)):
                    found[column.index] = _Target(question, kind, str(key))
                    break
        return found
    elements = _elements(question)
    for column in columns:
        if column.index not in free:
            continue
        if named(column, override) and not (question.type == "rating" and elements):
            found[column.index] = _Target(question, "whole")
        elif elements:
            by_text = [
                target
                for _, target in _text_candidates(column.text, question)
                if target.kind != "whole"
            ]
            if column.sub and named(column, override):  # SurveyMonkey: the label says which
                kind = _part_kind(question)
                by_text += [
                    _Target(question, kind, key)
                    for key, text in _elements(question)
                    if _same_text(column.sub, text)
                ]
                if by_text:
                    found[column.index] = by_text[0]
                    continue
            for label in (column.name, column.import_id):
                positional = _by_position(label, override, question) if label else None
                if positional:
                    found[column.index] = by_text[0] if by_text else positional
                    break
    return found


def _layout(
    fmt: Format, columns: Sequence[_Column], questions: Sequence[Any], name: str, line: int
) -> tuple[_Layout, list[Problem]]:
    layout = _Layout()
    free = {column.index for column in columns}
    automatic = []
    for question in questions:
        found = _override_targets(question, columns, free)
        layout.targets.update(found)
        layout.scores.update(dict.fromkeys(found, 5))
        free -= set(found)
        if not found:
            automatic.append(question)

    for column in columns:
        if column.index not in free:
            continue
        if fmt == "surveymonkey":
            kind = _meta_kind(column.text) if normalise(column.sub) in _SM_WHOLE else None
        else:
            kind = _meta_kind(column.name, column.text)
        if kind:
            layout.meta[column.index] = kind
            free.discard(column.index)

    for column in columns:
        if column.index not in free:
            continue
        candidates: list[tuple[int, _Target]] = []
        for question in automatic:
            if fmt == "surveymonkey":
                candidates += _surveymonkey_candidates(column, question)
            else:
                candidates += _id_candidates(column.name, question)
                for label in (column.text, column.name) if column.text else (column.name,):
                    candidates += _text_candidates(label, question)
        if candidates:
            best = max(score for score, _ in candidates)
            winners = {target for score, target in candidates if score == best}
            if len(winners) == 1:
                layout.targets[column.index] = winners.pop()
                layout.scores[column.index] = best
                continue
        if column.name or column.text:
            layout.unmatched.append(column.index)
    _drop_weaker(layout)
    return layout, _layout_problems(layout, columns, name, line)


def _drop_weaker(layout: _Layout) -> None:
    """When columns claim the same answer, a weaker match yields to a stronger one.

    Equally strong claims stay, to be reported: guessing would import the wrong column.
    """
    best: dict[_Target, int] = {}
    for index, target in layout.targets.items():
        best[target] = max(best.get(target, 0), layout.scores[index])
    for index, target in list(layout.targets.items()):
        if layout.scores[index] < best[target]:
            del layout.targets[index]
            layout.unmatched.append(index)
    layout.unmatched.sort()


def _surveymonkey_candidates(column: _Column, question: Any) -> list[tuple[int, _Target]]:
    if not (_same_text(column.text, question.text) or column.text.casefold() == question.id):
        return []
    if normalise(column.sub) in _SM_WHOLE:
        return [(3, _Target(question, "whole"))]
    kind = _part_kind(question)
    for key, text in _elements(question):
        if _same_text(column.sub, text):
            return [(3, _Target(question, kind, key))]
    return []  # "Other (please specify)" and the like


def _layout_problems(
    layout: _Layout, columns: Sequence[_Column], name: str, line: int
) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[_Target, int] = {}
    shapes: dict[str, set[str]] = {}
    for index, target in sorted(layout.targets.items()):
        column = columns[index]
        question = target.question
        if target in first:
            other = columns[first[target]].display
            problems.append(
                Problem(
                    name,
                    line,
                    f'expected one column per answer, but column "{other}" holds it too; '
                    "set column: in the screener",
                    column.display,
                    question.id,
                )
            )
            continue
        first[target] = index
        shapes.setdefault(question.id, set()).add(target.kind)
        if target.kind == "whole" and question.type == "rating" and list(question.items):
            problems.append(
                Problem(
                    name,
                    line,
                    "expected one column per item of the rating grid, got one for the whole grid",
                    column.display,
                    question.id,
                )
            )
        elif len(shapes[question.id]) > 1:
            problems.append(
                Problem(
                    name,
                    line,
                    "expected either one column for the question or one per option, got both",
                    column.display,
                    question.id,
                )
            )
    return problems


# --------------------------------------------------------------------------- rows


def _external_hash(
    answers: Mapping[str, Any], contact: ContactDetails, extra: Sequence[str]
) -> str:
    """A stable id for rows without one: the same row content always hashes the same."""
    payload = json.dumps(
        {"answers": answers, "contact": list(contact), "extra": list(extra)},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return "row-" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def read_responses(path: str | Path, questions: Sequence[QuestionLike]) -> ImportedBatch:
    """Read and validate a survey export against a screener's questions.

    Raises ResponseFileError (one line: file, line, column, what was expected) if
    anything in the file is wrong; nothing is returned in that case.
    """
    path = Path(path)
    name = path.name
    raw = _read(path, name)
    text, encoding = _decode(raw, name)
    records = _records(text, name)
    if not records:
        raise ResponseFileError([Problem(name, 1, "expected a header row, got an empty file")])
    fmt = detect_format([cells for _, cells in records[:3]], questions)
    columns = _columns(fmt, records)
    header_rows = {"plain": 1, "qualtrics-legacy": 2, "surveymonkey": 2, "qualtrics": 3}[fmt]
    width = max(len(columns), len(records[0][1]))
    _refuse_cut_off(records[header_rows:], width, text, name, strict=fmt != "plain")
    layout, problems = _layout(fmt, columns, questions, name, records[0][0])

    rows: list[ImportedResponse] = []
    seen_ids: dict[str, int] = {}
    hash_counts: dict[str, int] = {}
    for line, cells in records[header_rows:]:
        if len(problems) >= _MAX_PROBLEMS:
            break
        row, hashed, row_problems = _read_row(line, cells, columns, layout, questions, name)
        problems += row_problems
        if row is None:
            continue
        if hashed:
            count = hash_counts.get(row.external_id, 0) + 1
            hash_counts[row.external_id] = count
            if count > 1:
                row = replace(row, external_id=f"{row.external_id}-{count}")
        elif row.external_id in seen_ids:
            id_column = next(i for i, kind in layout.meta.items() if kind == "external_id")
            problems.append(
                Problem(
                    name,
                    line,
                    f'expected a unique response id, got "{row.external_id}" again '
                    f"(first on line {seen_ids[row.external_id]})",
                    columns[id_column].display,
                )
            )
            continue
        else:
            seen_ids[row.external_id] = line
        rows.append(row)
    if problems:
        raise ResponseFileError(problems)
    if not layout.targets:
        first_ids = ", ".join(q.id for q in questions[:3])
        raise ResponseFileError(
            [
                Problem(
                    name,
                    records[0][0],
                    f"expected columns named by question id or text ({first_ids}…);"
                    f" none of its {len(columns)} columns matches a question of the screener",
                )
            ]
        )

    matched = {target.question.id for target in layout.targets.values()}
    return ImportedBatch(
        rows=tuple(rows),
        format=fmt,
        unmatched_columns=tuple(columns[index].display for index in layout.unmatched),
        encoding=encoding,
        missing_questions=tuple(q.id for q in questions if q.id not in matched),
    )


def _read_row(
    line: int,
    cells: list[str],
    columns: Sequence[_Column],
    layout: _Layout,
    questions: Sequence[Any],
    name: str,
) -> tuple[ImportedResponse | None, bool, list[Problem]]:
    problems: list[Problem] = []
    width = len(columns)
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        extra = next(i for i in range(width, len(cells)) if cells[i].strip())
        message = f"expected at most {width} cells like the header, got a value in cell {extra + 1}"
        return None, False, [Problem(name, line, message)]
    cells = cells + [""] * (width - len(cells))

    def problem(index: int, message: str, question: str | None = None) -> None:
        problems.append(Problem(name, line, message, columns[index].display, question))

    meta_values: dict[str, str] = {}
    metadata: dict[str, str] = {}
    fraud: dict[str, float | bool] = {}
    duration: float | None = None
    finished: bool | None = None
    for index, kind in layout.meta.items():
        value = cells[index].strip()
        column = columns[index]
        if kind == "meta" or kind in ("start", "end"):
            if value:
                metadata[column.meta_name] = value
        if not value or kind in ("drop", "meta"):
            continue
        try:
            if kind == "duration":
                duration = float(_number(value))
                if duration < 0:
                    raise _CellError(f"expected a number of seconds, {_got(value)}")
            elif kind == "finished":
                finished = _bool(value)
            elif kind.startswith("fraud:"):
                key = kind.removeprefix("fraud:")
                fraud[key] = (
                    _bool(value)
                    if key in ("duplicate", "ballot_box_stuffing")
                    else float(_number(value))
                )
            else:
                meta_values.setdefault(kind, value)
        except _CellError as error:
            problem(index, str(error))

    by_question: dict[str, list[tuple[int, _Target]]] = {}
    for index, target in layout.targets.items():
        by_question.setdefault(target.question.id, []).append((index, target))

    answers: dict[str, Any] = {}
    for question in questions:
        parts = sorted(by_question.get(question.id, []), key=lambda pair: pair[0])
        if not parts:
            continue
        try:
            answer = _assemble(question, parts, cells)
        except _CellColumnError as error:
            problem(error.index, error.message, question.id)
            continue
        if answer is not None:
            answers[question.id] = answer

    if problems:
        return None, False, problems

    first = meta_values.get("first_name", "")
    last = meta_values.get("last_name", "")
    contact = ContactDetails(
        name=meta_values.get("name") or " ".join(part for part in (first, last) if part),
        email=meta_values.get("email", ""),
        phone=meta_values.get("phone", ""),
    )
    if duration is None and "start" in meta_values and "end" in meta_values:
        duration = _seconds_between(meta_values["start"], meta_values["end"])
    hashed = not meta_values.get("external_id")
    external_id = meta_values.get("external_id") or _external_hash(
        answers, contact, [meta_values.get("start", ""), meta_values.get("end", "")]
    )
    response = ImportedResponse(
        row=line,
        external_id=external_id,
        answers=answers,
        duration_seconds=duration,
        contact=contact,
        fraud=fraud,
        finished=finished,
        metadata=metadata,
    )
    return response, hashed, []


class _CellColumnError(Exception):
    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index, self.message = index, message


def _assemble(question: Any, parts: Sequence[tuple[int, _Target]], cells: Sequence[str]) -> Any:
    """One question's answer from its column(s), or None when unanswered."""
    if parts[0][1].kind == "whole":
        index = parts[0][0]
        value = cells[index]
        if not value.strip():
            return None
        try:
            return _parse_whole(value, question)
        except _CellError as error:
            raise _CellColumnError(index, str(error)) from None

    filled = [(index, target, cells[index]) for index, target in parts if cells[index].strip()]
    if not filled:
        return None
    if question.type == "rating":
        values: dict[str, int] = {}
        for index, target, value in filled:
            try:
                values[target.key] = _parse_rating(value, question)
            except _CellError as error:
                raise _CellColumnError(index, str(error)) from None
        return {item.id: values[item.id] for item in question.items if item.id in values}
    if question.type == "ranking":
        count = len(question.options)
        ranks: dict[int, str] = {}
        for index, target, value in filled:
            try:
                rank = _parse_rank(value, count)
            except _CellError as error:
                raise _CellColumnError(index, str(error)) from None
            if rank in ranks:
                message = f'expected each rank once, got rank {rank} for "{ranks[rank]}" too'
                raise _CellColumnError(index, message)
            ranks[rank] = target.key
        return [ranks[rank] for rank in sorted(ranks)]
    chosen = []
    for index, target, value in filled:
        try:
            if _selected(value, target.key):
                chosen.append(target.key)
        except _CellError as error:
            raise _CellColumnError(index, str(error)) from None
    return _in_option_order(chosen, question) or None


__all__ = [
    "FORMATS",
    "ContactDetails",
    "Format",
    "ImportedBatch",
    "ImportedResponse",
    "Problem",
    "QuestionLike",
    "ResponseFileError",
    "detect_format",
    "match_option",
    "normalise",
    "read_responses",
    "scale_value",
]
