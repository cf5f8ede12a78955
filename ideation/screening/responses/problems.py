"""Provides the import's one way of failing: located problems, one line each.

Every check of an export adds a `Problem` (file, line, column, what was
expected); `ResponseFileError` carries them all and reads as the first one.
The cell parsers raise `CellError` without a location; their caller adds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ideation.errors import IdeationError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located by line and (when known) column."""

    file: str
    line: int
    message: str
    column: str | None = None
    question: str | None = None
    #: The row's response id: a record with line breaks in its answers starts lines
    #: below its row number in a spreadsheet, and the id finds it there.
    respondent: str | None = None

    def __str__(self) -> str:
        who = f" (respondent {shorten(self.respondent)})" if self.respondent else ""
        where = f"{self.file}:{self.line}{who}: "
        if self.column is not None:
            where += f'column "{one_line(self.column)}"'
            if self.question and self.question != self.column:
                where += f" (question {self.question})"
            where += ": "
        return where + one_line(self.message)


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


class CellError(Exception):
    """Raised by the cell parsers; the caller adds file, line and column."""


class CellColumnError(Exception):
    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index, self.message = index, message


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def shorten(text: str, limit: int = 40) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def got(value: str) -> str:
    return f'got "{shorten(value)}"' if value.strip() else "got a blank cell"


def listing(values: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(f'"{shorten(value, 30)}"' for value in values[:limit])
    return shown + (", …" if len(values) > limit else "")
