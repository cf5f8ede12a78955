"""Provides `read_responses`: a whole export, validated, as one row per respondent.

Each row's cells are parsed by the question its column holds (`layout`) and
assembled into answers keyed by question id; metadata becomes the response id,
duration, contact details, fraud scores and the finished flag. The whole file
is checked before anything is returned: every problem is collected (up to
`_MAX_PROBLEMS`) and raised together, so nothing is half imported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from ideation.screening.definition import Question
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
    decode_export,
    read_bytes,
    read_records,
    refuse_cut_off,
)
from ideation.screening.responses.formats import (
    HEADER_ROWS,
    Column,
    Format,
    detect_format,
    header_columns,
)
from ideation.screening.responses.layout import Layout, match_columns
from ideation.screening.responses.matching import Target
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


@dataclass(frozen=True)
class ImportedBatch:
    """A validated export: every row, plus what the file did not line up with."""

    rows: tuple[ImportedResponse, ...]
    format: Format
    unmatched_columns: tuple[str, ...]
    encoding: str
    missing_questions: tuple[str, ...] = ()


#: At most this many problems are collected before reading stops.
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
    path = Path(path)
    name = path.name
    raw = read_bytes(path, name)
    text, encoding = decode_export(raw, name)
    records = read_records(text, name)
    if not records:
        raise ResponseFileError([Problem(name, 1, "expected a header row, got an empty file")])
    fmt = detect_format([cells for _, cells in records[:3]], questions)
    columns = header_columns(fmt, records)
    header_rows = HEADER_ROWS[fmt]
    width = max(len(columns), len(records[0][1]))
    refuse_cut_off(records[header_rows:], width, text, name, strict=fmt != "plain")
    layout, problems = match_columns(fmt, columns, questions, name, records[0][0])

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
    columns: Sequence[Column],
    layout: Layout,
    questions: Sequence[Question],
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

    by_question: dict[str, list[tuple[int, Target]]] = {}
    for index, target in layout.targets.items():
        by_question.setdefault(target.question.id, []).append((index, target))

    answers: dict[str, Any] = {}
    for question in questions:
        parts = sorted(by_question.get(question.id, []), key=lambda pair: pair[0])
        if not parts:
            continue
        try:
            answer = _assemble(question, parts, cells)
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


def _assemble(question: Question, parts: Sequence[tuple[int, Target]], cells: Sequence[str]) -> Any:
    """One question's answer from its column(s), or None when unanswered."""
    if parts[0][1].kind == "whole":
        index = parts[0][0]
        value = cells[index]
        if not value.strip():
            return None
        try:
            return parse_whole(value, question)
        except CellError as error:
            raise CellColumnError(index, str(error)) from None

    filled = [(index, target, cells[index]) for index, target in parts if cells[index].strip()]
    if not filled:
        return None
    if question.type == "rating":
        values: dict[str, int] = {}
        for index, target, value in filled:
            try:
                values[target.key] = parse_rating(value, question)
            except CellError as error:
                raise CellColumnError(index, str(error)) from None
        return {item.id: values[item.id] for item in question.items if item.id in values}
    if question.type == "ranking":
        count = len(question.options)
        ranks: dict[int, str] = {}
        for index, target, value in filled:
            try:
                rank = parse_rank(value, count)
            except CellError as error:
                raise CellColumnError(index, str(error)) from None
            if rank in ranks:
                message = f'expected each rank once, got rank {rank} for "{ranks[rank]}" too'
                raise CellColumnError(index, message)
            ranks[rank] = target.key
        return [ranks[rank] for rank in sorted(ranks)]
    chosen = []
    for index, target, value in filled:
        try:
            if is_selected(value, target.key):
                chosen.append(target.key)
        except CellError as error:
            raise CellColumnError(index, str(error)) from None
    return in_option_order(chosen, question) or None
