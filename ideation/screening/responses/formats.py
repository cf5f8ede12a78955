"""Provides which survey tool wrote an export, and what its header rows say of each column.

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
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ideation.screening.answers import normalise
from ideation.screening.definition import Question
from ideation.screening.responses.matching import name_key, text_candidates
from ideation.screening.responses.problems import shorten

#: The export formats `read_responses` recognises.
Format = Literal["plain", "qualtrics", "qualtrics-legacy", "surveymonkey"]


FORMATS: tuple[str, ...] = ("plain", "qualtrics", "qualtrics-legacy", "surveymonkey")

#: How many rows of each format are header rows; respondents start below them.
HEADER_ROWS: dict[str, int] = {"plain": 1, "qualtrics-legacy": 2, "surveymonkey": 2, "qualtrics": 3}


_QUALTRICS_NAME = re.compile(r"(V\d+|Q\d+(_\d+)*(_TEXT)?|QID\d+(_\d+)*(_TEXT)?)", re.IGNORECASE)


SURVEYMONKEY_WHOLE = {"", "response", "responses", "open ended response"}


@dataclass
class Column:
    index: int
    name: str  # row 1
    text: str = ""  # row 2 (Qualtrics), or the question text of the group (SurveyMonkey)
    import_id: str = ""  # row 3 (Qualtrics)
    sub: str = ""  # row 2 label (SurveyMonkey)

    @property
    def display(self) -> str:
        """How errors and `unmatched_columns` name the column."""
        if self.sub and normalise(self.sub) not in SURVEYMONKEY_WHOLE:
            return f"{shorten(self.text or self.name, 45)} / {shorten(self.sub, 30)}"
        return shorten(self.name or self.text or f"column {self.index + 1}", 70)

    @property
    def meta_name(self) -> str:
        """The readable name of a metadata column (legacy Qualtrics: row 2, not "V8")."""
        if re.fullmatch(r"V\d+", self.name) and self.text:
            return self.text
        return self.name or self.text


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


def _matches_any_question(cells: Sequence[str], questions: Sequence[Question]) -> bool:
    return any(
        text_candidates(cell, question) for cell in cells if cell.strip() for question in questions
    )


def detect_format(records: Sequence[Sequence[str]], questions: Sequence[Question] = ()) -> Format:
    """Which tool wrote the export, from its first three records (see module docstring)."""
    row1 = list(records[0]) if records else []
    row2 = list(records[1]) if len(records) > 1 else []
    row3 = list(records[2]) if len(records) > 2 else []
    if any(_import_id(cell) is not None for cell in row3):
        return "qualtrics"
    keys1 = {name_key(cell) for cell in row1}
    keys2 = {name_key(cell) for cell in row2}
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


def header_columns(fmt: Format, records: Sequence[tuple[int, list[str]]]) -> list[Column]:
    header_rows = HEADER_ROWS[fmt]
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

    columns: list[Column] = []
    group = ""
    for index in range(width):
        name = cell(0, index)
        if fmt == "plain":
            columns.append(Column(index, name))
        elif fmt == "qualtrics-legacy":
            columns.append(Column(index, name, text=cell(1, index)))
        elif fmt == "qualtrics":
            import_id = _import_id(cell(2, index)) or ""
            columns.append(Column(index, name, text=cell(1, index), import_id=import_id))
        else:  # surveymonkey: a blank row-1 cell continues the question to its left
            group = name or group
            columns.append(Column(index, name or group, text=group, sub=cell(1, index)))
    return columns
