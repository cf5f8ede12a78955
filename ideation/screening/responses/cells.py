"""Provides the parsing of one cell: numbers, true/false, options, ratings, ranks, text.

Each parser raises `CellError` ("expected …, got …") without a location; row
assembly adds file, line and column. Options and labels are named by the one
rule of `answers`; a cell may also give an option by its 1-based code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ideation.screening.answers import label_point, option_named, plain_number, same_answer
from ideation.screening.definition import Question
from ideation.screening.responses.problems import CellError, got, listing, shorten

_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?")
_TRUE = {"1", "true", "yes", "y", "x", "t", "selected", "checked", "✓", "✔"}
_FALSE = {"0", "false", "no", "n", "f", "not selected", "unchecked"}


def read_number(value: str) -> int | float:
    cleaned = plain_number(value.strip().replace("\u00a0", ""))  # "£25" is 25
    if not cleaned or not any(ch.isdigit() for ch in cleaned) or not _NUMBER.fullmatch(cleaned):
        raise CellError(f"expected a number, {got(value)}")
    number = float(cleaned.replace(",", ""))
    return int(number) if number.is_integer() else number


def _parse_number(value: str, question: Question) -> int | float:
    number = read_number(value)
    low, high = question.min, question.max
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            wanted = f"a number from {low:g} to {high:g}"
        elif low is not None:
            wanted = f"a number of at least {low:g}"
        else:
            wanted = f"a number of at most {high:g}"
        raise CellError(f"expected {wanted}, {got(value)}")
    return number


def read_bool(value: str) -> bool:
    folded = value.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError(f"expected true or false, {got(value)}")


def match_option(value: str, options: Sequence[str]) -> str | None:
    """The option `value` names (by the rule of `answers`, else a 1-based choice code)."""
    option = option_named(value, options)
    if option is not None:
        return option
    stripped = value.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(options):
        return options[int(stripped) - 1]
    return None


def _parse_choice(value: str, question: Question) -> str:
    options = list(question.options)
    if not options:
        return _clean_text(value)
    option = match_option(value, options)
    if option is None:
        raise CellError(f"expected one of {listing(options)}, {got(value)}")
    return option


_SEPARATORS = r"[,;|\n]"


def _split_choices(value: str, question: Question) -> list[str]:
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
            raise CellError(f"expected options from {listing(options)}, {got(bad)}")
    return found


def is_selected(value: str, option: str) -> bool:
    if same_answer(value, option):
        return True
    try:
        return read_bool(value)
    except CellError:
        raise CellError(f'expected "{shorten(option, 30)}", 1 or blank, {got(value)}') from None


def scale_value(value: str | int | float, question: Question) -> int:
    """A rating answer as a scale point: a label ("Strongly agree" -> 5) or a number.

    Raises ValueError when the value is neither, or lies outside the scale.
    """
    labels = list(question.labels)
    scale = question.scale or len(labels) or None
    wanted = f"a rating from 1 to {scale}" if scale else "a rating"
    if labels:
        wanted += f" or one of {listing(labels)}"
    if isinstance(value, bool):
        raise ValueError(f"expected {wanted}, got {value!r}")
    if isinstance(value, int | float):
        number: float = value
    else:
        point = label_point(value, labels)
        if point is not None:
            return point
        text = value.strip()
        try:
            number = read_number(text)
        except CellError:
            prefixed = re.match(r"(\d+)\s*[-–=:)]\s*\S", text)  # "5 - Strongly agree"
            if not prefixed:
                raise ValueError(f"expected {wanted}, {got(value)}") from None
            number = int(prefixed.group(1))
    if not float(number).is_integer() or number < 1 or (scale and number > scale):
        raise ValueError(f"expected {wanted}, {got(str(value))}")
    return int(number)


def parse_rating(value: str, question: Question) -> int:
    try:
        return scale_value(value, question)
    except ValueError as error:
        raise CellError(str(error)) from None


def parse_rank(value: str, count: int) -> int:
    stripped = value.strip()
    try:
        number = read_number(stripped)
    except CellError:
        number = -1
    if not float(number).is_integer() or not 1 <= number <= count:
        raise CellError(f"expected a rank from 1 to {count}, {got(value)}")
    return int(number)


def _clean_text(value: str) -> str:
    """Free text as written: line breaks kept (as \\n), outer whitespace dropped."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def parse_whole(value: str, question: Question) -> Any:
    kind = question.type
    if kind == "number":
        return _parse_number(value, question)
    if kind == "single_choice":
        return _parse_choice(value, question)
    if kind == "multiple_choice":
        return in_option_order(_split_choices(value, question), question)
    if kind == "ranking":
        ranked = _split_choices(value, question)
        twice = [option for option in set(ranked) if ranked.count(option) > 1]
        if twice:
            raise CellError(f'expected each option ranked once, got "{twice[0]}" twice')
        return ranked
    if kind == "rating":
        return parse_rating(value, question)
    return _clean_text(value)


def in_option_order(chosen: Sequence[str], question: Question) -> list[str]:
    return [option for option in question.options if option in set(chosen)]
