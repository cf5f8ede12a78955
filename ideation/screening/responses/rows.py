"""Provides `open_responses` (an export's rows as they are read) and `read_responses`
(the same, collected): one row per respondent, validated.

Each row's cells are parsed by the question its column holds (`layout`) and
assembled into answers keyed by question id; metadata becomes the response id,
duration, contact details, fraud scores and the finished flag. The whole file
is checked: every problem is collected (up to `_MAX_PROBLEMS`) and raised
together after the last row, and no row is given once one is found, so a caller
that stores rows as they come in one transaction rolls back and nothing is half
imported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain, islice
from pathlib import Path
from typing import Any, NamedTuple

from ideation.screening.definition import Question
from ideation.screening.lazy import Memo
from ideation.screening.responses.cells import (
    in_option_order,
    is_selected,
    parse_rank,
    parse_rating,
    parse_whole,
    read_bool,
    read_number,
)
from ideation.screening.responses.dates import seconds_between
from ideation.screening.responses.decoding import (
    CutOffWatch,
    decode_export,
    iter_records,
    read_bytes,
)
from ideation.screening.responses.formats import (
    HEADER_ROWS,
    Column,
    Format,
    detect_format,
    header_columns,
)
from ideation.screening.responses.layout import Layout, match_columns
from ideation.screening.responses.matching import Target, name_key
from ideation.screening.responses.problems import (
    CellColumnError,
    CellError,
    Problem,
    ResponseFileError,
    got,
)


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

    @property
    def not_a_response(self) -> bool:
        """A survey tool's preview, test or spam-marked record (Qualtrics' Status "Survey
        Preview", "Survey Test", "Spam", or their numeric codes; a "preview" or "test"
        distribution channel): nobody to recruit, so an import leaves it out."""
        for name, value in self.metadata.items():
            key, said = name_key(name), value.strip().casefold()
            if key == "status" and (
                said in _NOT_RESPONSE_CODES or _NOT_RESPONSE_WORDS & set(said.split())
            ):
                return True
            if key == "distributionchannel" and said in ("preview", "test"):
                return True
        return False


#: Qualtrics' numeric Status codes of previews, tests and spam (1 preview, 2 test,
#: 8 spam, 9 preview spam, 12 imported spam, 16 offline is real, 17 offline preview).
_NOT_RESPONSE_CODES = frozenset({"1", "2", "8", "9", "12", "17"})
_NOT_RESPONSE_WORDS = frozenset({"preview", "test", "spam"})


@dataclass(frozen=True)
class ImportedBatch:
    """A validated export: every row, plus what the file did not line up with."""

    rows: tuple[ImportedResponse, ...]
    format: Format
    unmatched_columns: tuple[str, ...]
    encoding: str
    missing_questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResponseStream:
    """An export whose header is read and matched; `rows` reads and checks the rest.

    The rows come one at a time, so a 100,000-row export is never held whole: a
    caller stores them as they come, inside one transaction. `rows` raises
    `ResponseFileError` after the last row if anything in the file was wrong (a
    cut-off last row, a bad cell, a repeated id; rows are no longer yielded once a
    problem is found), so that caller rolls back and nothing is half imported.
    """

    format: Format
    encoding: str
    unmatched_columns: tuple[str, ...]
    missing_questions: tuple[str, ...]
    rows: Iterator[ImportedResponse]
    #: Lines in the file: with a row's line, how far through the file reading is.
    lines: int = 1
    #: Whether a column gives each respondent's id; without one, ids are made from each
    #: row's content, so a corrected row reads as someone new on a re-import.
    has_ids: bool = True


#: At most this many problems are collected before rows are no longer checked.
_MAX_PROBLEMS = 200


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


def read_responses(path: str | Path, questions: Sequence[Question]) -> ImportedBatch:
    """Read and validate a survey export against a screener's questions.

    Raises ResponseFileError (one line: file, line, column, what was expected) if
    anything in the file is wrong; nothing is returned in that case.
    """
    stream = open_responses(path, questions)
    return ImportedBatch(
        rows=tuple(stream.rows),
        format=stream.format,
        unmatched_columns=stream.unmatched_columns,
        encoding=stream.encoding,
        missing_questions=stream.missing_questions,
    )


def open_responses(path: str | Path, questions: Sequence[Question]) -> ResponseStream:
    """Read an export's header and match its columns; its rows come from the stream.

    An unreadable, undecodable or empty file, or one whose first records are not
    CSV, is refused here; everything else by the stream's `rows` (see `ResponseStream`).
    """
    path = Path(path)
    name = path.name
    text, encoding = decode_export(read_bytes(path, name), name)
    records = iter_records(text, name)
    first = list(islice(records, 3))
    if not first:
        raise ResponseFileError([Problem(name, 1, "expected a header row, got an empty file")])
    fmt = detect_format([cells for _, cells in first], questions)
    columns = header_columns(fmt, first)
    header_rows = HEADER_ROWS[fmt]
    width = max(len(columns), len(first[0][1]))
    layout, problems = match_columns(fmt, columns, questions, name, first[0][0])
    watch = CutOffWatch(width, strict=fmt != "plain")
    data = chain(first[header_rows:], records)
    reader = _RowReader(columns, layout, questions, name)
    matched = {target.question.id for target in layout.targets.values()}
    return ResponseStream(
        format=fmt,
        encoding=encoding,
        unmatched_columns=tuple(columns[index].display for index in layout.unmatched),
        missing_questions=tuple(q.id for q in questions if q.id not in matched),
        rows=_checked_rows(data, reader, watch, problems, text, first[0][0]),
        lines=max(text.count("\n"), text.count("\r"), 1),
        has_ids="external_id" in layout.meta.values(),
    )


def _checked_rows(
    data: Iterator[tuple[int, list[str]]],
    reader: _RowReader,
    watch: CutOffWatch,
    problems: list[Problem],
    text: str,
    header_line: int,
) -> Iterator[ImportedResponse]:
    """Each row while the file has no problem; the problems, if any, after the last.

    Every record is read to the end even after `_MAX_PROBLEMS` problems, since a
    record that is not CSV, or a cut-off last row, is the error to report first.
    """
    layout, columns, name = reader.layout, reader.columns, reader.name
    seen_ids: dict[str, int] = {}
    hash_counts: dict[str, int] = {}
    for line, cells in data:
        watch.see(line, len(cells))
        if len(problems) >= _MAX_PROBLEMS:
            continue
        row, hashed, row_problems = reader.read(line, cells)
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
        if not problems:
            yield row
    watch.refuse(text, name)
    if problems:
        raise ResponseFileError(problems)
    if not layout.targets:
        first_ids = ", ".join(q.id for q in reader.questions[:3])
        raise ResponseFileError(
            [
                Problem(
                    name,
                    header_line,
                    f"expected columns named by question id or text ({first_ids}…);"
                    f" none of its {len(columns)} columns matches a question of the screener",
                )
            ]
        )


#: Cells longer than this are not remembered (an open end is parsed once anyway).
_MEMO_CELL_CHARS = 200
#: At most this many parsed cells (of any column) are remembered for one file.
_MEMO_SIZE = 50_000


class _RowReader:
    """Reads one data row into an `ImportedResponse`, or the problems in it.

    Which columns make each answer is worked out once for the file, and a cell's
    parse is remembered by column and text: an export of 100,000 gives the same
    few options and scale points over and over.
    """

    def __init__(
        self, columns: Sequence[Column], layout: Layout, questions: Sequence[Question], name: str
    ) -> None:
        self.columns, self.layout, self.questions, self.name = columns, layout, questions, name
        by_question: dict[str, list[tuple[int, Target]]] = {}
        for index, target in layout.targets.items():
            by_question.setdefault(target.question.id, []).append((index, target))
        self.parts = [
            (question, sorted(by_question[question.id], key=lambda pair: pair[0]))
            for question in questions
            if question.id in by_question
        ]
        self.parsers = {
            index: _cell_parser(target.question, target) for index, target in layout.targets.items()
        }
        self.memo: Memo[tuple[int, str], tuple[bool, Any]] = Memo(_MEMO_SIZE)

    def read(
        self, line: int, cells: list[str]
    ) -> tuple[ImportedResponse | None, bool, list[Problem]]:
        """The row, whether its id was made up from its content, and its problems."""
        columns, name = self.columns, self.name
        problems: list[Problem] = []
        width = len(columns)
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            extra = next(i for i in range(width, len(cells)) if cells[i].strip())
            message = (
                f"expected at most {width} cells like the header, got a value in cell {extra + 1}"
            )
            return None, False, [Problem(name, line, message)]
        cells = cells + [""] * (width - len(cells))

        def problem(index: int, message: str, question: str | None = None) -> None:
            said_id = next(  # looked up only for a row with a problem
                (cells[i].strip() for i, kind in self.layout.meta.items() if kind == "external_id"),
                "",
            )
            display = columns[index].display
            problems.append(Problem(name, line, message, display, question, said_id or None))

        meta_values: dict[str, str] = {}
        metadata: dict[str, str] = {}
        fraud: dict[str, float | bool] = {}
        duration: float | None = None
        finished: bool | None = None
        for index, kind in self.layout.meta.items():
            value = cells[index].strip()
            column = columns[index]
            if kind == "meta" or kind in ("start", "end"):
                if value:
                    metadata[column.meta_name] = value
            if not value or kind in ("drop", "meta"):
                continue
            try:
                if kind == "duration":
                    duration = float(read_number(value))
                    if duration < 0:
                        raise CellError(f"expected a number of seconds, {got(value)}")
                elif kind == "finished":
                    finished = read_bool(value)
                elif kind.startswith("fraud:"):
                    key = kind.removeprefix("fraud:")
                    fraud[key] = (
                        read_bool(value)
                        if key in ("duplicate", "ballot_box_stuffing")
                        else float(read_number(value))
                    )
                else:
                    meta_values.setdefault(kind, value)
            except CellError as error:
                problem(index, str(error))

        answers: dict[str, Any] = {}
        for question, parts in self.parts:
            try:
                answer = _assemble(question, parts, cells, self._parse)
            except CellColumnError as error:
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
            duration = seconds_between(meta_values["start"], meta_values["end"])
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

    def _parse(self, index: int, value: str) -> Any:
        """The cell in column `index` parsed by its target (`_cell_parser`), remembered
        for short cells; CellColumnError (located in that column) for a cell it refuses."""
        if len(value) <= _MEMO_CELL_CHARS:
            parsed, result = self.memo.get((index, value), lambda: self._parsed(index, value))
        else:
            parsed, result = self._parsed(index, value)
        if not parsed:
            raise CellColumnError(index, result)
        return list(result) if isinstance(result, list) else result

    def _parsed(self, index: int, value: str) -> tuple[bool, Any]:
        """(True, the parsed cell) or (False, why it was refused): a refusal is remembered
        like a value."""
        try:
            return True, self.parsers[index](value)
        except CellError as error:
            return False, str(error)


_Parse = Callable[[int, str], Any]


def _cell_parser(question: Question, target: Target) -> Callable[[str], Any]:
    """How a cell of the column holding `target` (of `question`) is parsed."""
    if target.kind == "whole":
        return lambda cell: parse_whole(cell, question)
    if question.type == "rating":
        return lambda cell: parse_rating(cell, question)
    if question.type == "ranking":
        count = len(question.options)
        return lambda cell: parse_rank(cell, count)
    key = target.key
    return lambda cell: is_selected(cell, key)


#: Question types whose cells are parsed into options, numbers or points (not text).
_PARSED_TYPES = frozenset({"number", "single_choice", "multiple_choice", "ranking", "rating"})


def _assemble(
    question: Question, parts: Sequence[tuple[int, Target]], cells: Sequence[str], parse: _Parse
) -> Any:
    """One question's answer from its column(s), or None when unanswered; `parse`
    parses one cell (see `_RowReader._parse`)."""
    if parts[0][1].kind == "whole":
        index = parts[0][0]
        value = cells[index]
        if not value.strip():
            return None
        if question.type not in _PARSED_TYPES:
            return parse_whole(value, question)  # text: never refused, rarely repeated
        return parse(index, value)

    filled = [(index, target, cells[index]) for index, target in parts if cells[index].strip()]
    if not filled:
        return None
    if question.type == "rating":
        values: dict[str, int] = {}
        for index, target, value in filled:
            values[target.key] = parse(index, value)
        return {item.id: values[item.id] for item in question.items if item.id in values}
    if question.type == "ranking":
        ranks: dict[int, str] = {}
        for index, target, value in filled:
            rank = parse(index, value)
            if rank in ranks:
                message = f'expected each rank once, got rank {rank} for "{ranks[rank]}" too'
                raise CellColumnError(index, message)
            ranks[rank] = target.key
        return [ranks[rank] for rank in sorted(ranks)]
    chosen = []
    for index, target, value in filled:
        if parse(index, value):
            chosen.append(target.key)
    return in_option_order(chosen, question) or None
