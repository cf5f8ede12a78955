"""Provides the one rule for which option, or which scale label, an answer names.

An answer names an option when both read the same after `normalise`: case,
Unicode width forms, apostrophes, punctuation and spacing aside ("dont know"
names "Don't know", "non binary" names "Non-binary"). The screener file (a
terminate answer, a quota cell, an attention check given as a label), the
import of an export (a cell naming an option or label), an interview typed by
the recruiter and every rule applied afterwards all ask here, so an answer the
file accepts is the answer the import finds and the rules count.

Survey exports may also give an option by its 1-based code; that is how cells
are written, not a way of naming, so it stays with the cell parsers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache

_APOSTROPHES = re.compile(r"['’‘`´]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def normalise(text: str) -> str:
    """Case-, width-, whitespace- and punctuation-insensitive form for comparing texts."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHES.sub("", text)
    text = _PUNCTUATION.sub(" ", text)
    return " ".join(text.split())


# Answers repeat (a batch of 10,000 gives the same few options over and over), so
# their normal forms are remembered; open-ended text never comes through here.
_answer_key = lru_cache(maxsize=16384)(normalise)


@cache
def _choices_by_key(choices: tuple[str, ...]) -> dict[str, str]:
    """Normal form -> choice (the first of equals), built once per question."""
    keyed: dict[str, str] = {}
    for choice in choices:
        keyed.setdefault(normalise(choice), choice)
    return keyed


def option_named(answer: object, choices: Sequence[str]) -> str | None:
    """The choice (option or label) an answer names; None when it names none."""
    if not isinstance(answer, str):
        return None
    return _choices_by_key(tuple(choices)).get(_answer_key(answer))


def label_point(answer: object, labels: Sequence[str]) -> int | None:
    """The 1-based scale point whose label the answer names; None when it names none."""
    label = option_named(answer, labels)
    return None if label is None else list(labels).index(label) + 1


def same_answer(left: str, right: str) -> bool:
    """Whether two answers would name the same option (so one file may not hold both)."""
    return _answer_key(left) == _answer_key(right)


#: A currency sign typed before or after an amount ("£25", "25 €"), and a thousands
#: separator ("1,200"): a number question about spend is answered that way.
_MONEY = re.compile(r"^\s*[£$€¥]?\s*([+-]?[\d,]*\.?\d+)\s*[£$€¥]?\s*$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def plain_number(text: str) -> str:
    """`text` without a currency sign or thousands separators, when it is an amount
    written that way ("£1,200" -> "1200"); otherwise `text` as it was."""
    found = _MONEY.match(text)
    if found is None:
        return text
    amount = found.group(1)
    if "," in amount:
        return amount.replace(",", "") if _THOUSANDS.match(amount) else text
    return amount
