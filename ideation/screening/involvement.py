"""Provides the involvement score: how much a respondent lives the category, 0 to 100.

An ideation session needs people who are highly involved with the category,
and a recruiter has to be able to defend a rank to a client, so the score is
a weighted sum that is explained part by part. The screener says which
questions count (`involvement:` in the YAML):

- behaviour (a number or a multiple choice question): the number, or the
  count of options chosen ("None of these"-like options do not count), is
  capped at `max`; the part earns `weight × min(value, max) / max` points.
- attitude (a rating grid): each item earns `grid weight × item weight ×
  (point − 1) / (scale − 1)`; reverse-coded items are flipped first, and
  attention-check items are left out, because they measure reading, not
  involvement.

The score is the points earned over the points possible, times 100. A
question the respondent was not asked (skipped, or after a terminate) or did
not answer earns nothing but still counts as possible, so skipping ahead
never raises a score.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

from ideation.screening.definition import (
    GridItem,
    Involvement,
    Question,
    ScreenerDefinition,
    is_none_option,
)
from ideation.screening.lazy import Memo
from ideation.screening.rules import (
    INCOMPLETE,
    TERMINATED,
    Outcome,
    evaluate,
    is_missing,
    next_question,
    normalise_answer,
)

BEHAVIOUR = "behaviour"
ATTITUDE = "attitude"
#: How a part is stored: the store's encoding of the same dict.
_encode = json.JSONEncoder(ensure_ascii=False).encode


@dataclass(frozen=True)
class Part:
    """One scored question or grid item, with the arithmetic spelt out in `note`."""

    question: str
    item: str | None  # the grid item id for attitude parts
    kind: str  # BEHAVIOUR or ATTITUDE
    raw: Any  # the value scored: a number, a count of options, or a scale point
    points: float
    max_points: float
    note: str

    @cached_property
    def encoded(self) -> str:
        """This part as JSON text, made once: with `KnownParts` everyone who gave the
        same answer shares the part, and it is encoded once for all of them."""
        return _encode(
            {
                "question": self.question,
                "item": self.item,
                "kind": self.kind,
                "raw": self.raw,
                "points": self.points,
                "max_points": self.max_points,
                "note": self.note,
            }
        )


@dataclass(frozen=True)
class InvolvementScore:
    """A 0–100 score and the parts it is made of, in question order."""

    score: float
    parts: tuple[Part, ...]

    def explanation_json(self) -> str:
        """The stored explanation, `{"parts": [each part's fields]}`, as JSON text."""
        return '{"parts": [' + ", ".join(part.encoded for part in self.parts) + "]}"


class KnownParts:
    """The parts of one screener's involvement already worked out, by question (and
    grid item), answer and why it went unused: 100,000 respondents give the same few
    answers, and reading each and spelling out its note again for each was wasted work."""

    #: At most this many parts are remembered.
    LIMIT = 100_000

    def __init__(self, defn: ScreenerDefinition) -> None:
        self.defn = defn
        self._known: Memo[tuple[str | None, ...], Part] = Memo(self.LIMIT)

    def part(self, key: tuple[str | None, ...], make: Callable[[], Part]) -> Part:
        return self._known.get(key, make)


def score_involvement(
    defn: ScreenerDefinition,
    answers: Mapping[str, Any],
    outcome: Outcome | None = None,
    known: KnownParts | None = None,
) -> InvolvementScore:
    """Score one respondent's involvement from the questions the screener marks.

    `outcome` is `evaluate(defn, answers)` when the caller has it already; `known`
    (made for `defn`) shares the parts of answers seen before, over many respondents.
    Parts are known by the answer's repr, which tells apart what == does not (2 and
    2.0, 1 and True, 0.0 and -0.0).
    """
    if known is not None and known.defn is not defn:
        raise ValueError("score_involvement: these parts are another screener's")
    if outcome is None:
        outcome = evaluate(defn, answers)
    parts: list[Part] = []
    for question in defn.questions:
        involvement = question.involvement
        if involvement is None:
            continue
        unused = _why_unused(defn, question, answers, outcome)
        answer = None if unused else answers[question.id]
        if involvement.kind == BEHAVIOUR:  # few answers: the whole answer is the key
            make = partial(_behaviour_of_answer, question, involvement, answer, unused)
            parts.append(_part(known, (question.id, unused, repr(answer)), make))
            continue
        value = None if unused else normalise_answer(question, answer)
        for item in question.items:  # grids are many: each item's point is the key
            if item.attention_check is None:
                point = None if unused else value[item.id]
                make = partial(_attitude, question, involvement, item, value, unused)
                parts.append(_part(known, (question.id, item.id, unused, repr(point)), make))
    possible = sum(part.max_points for part in parts)
    earned = sum(part.points for part in parts)
    score = round(100 * earned / possible, 1) if possible else 0.0
    return InvolvementScore(score, tuple(parts))


def _part(
    known: KnownParts | None, key: tuple[str | None, ...], make: Callable[[], Part]
) -> Part:
    return make() if known is None else known.part(key, make)


def _why_unused(
    defn: ScreenerDefinition, question: Question, answers: Mapping[str, Any], outcome: Outcome
) -> str:
    """Empty when the answer is scored; otherwise why it earns nothing."""
    if question.id in outcome.asked:
        return ""
    if outcome.status == TERMINATED and outcome.terminated_at is not None:
        if defn.position(question.id) > defn.position(outcome.terminated_at):
            return f"not asked: the screener ended at {outcome.terminated_at}"
    if outcome.status == INCOMPLETE:
        if is_missing(answers.get(question.id)):
            return "no answer"
        pending = next_question(defn, answers)
        if pending is not None and pending.id == question.id:
            return "no usable answer"
        return f"answer not used: {pending.id if pending else 'an earlier question'} has no answer"
    return "not asked: skipped by an earlier answer"


def _behaviour_of_answer(
    question: Question, involvement: Involvement, answer: Any, unused: str
) -> Part:
    value = None if unused else normalise_answer(question, answer)
    return _behaviour(question, involvement, value, unused)


def _behaviour(question: Question, involvement: Involvement, value: Any, unused: str) -> Part:
    weight = involvement.weight
    cap = involvement.max or 1.0
    if unused:
        return Part(question.id, None, BEHAVIOUR, None, 0.0, weight, unused)
    if isinstance(value, list):
        counted = [option for option in value if not is_none_option(option)]
        raw: float = len(counted)
        left_out = [f"'{option}'" for option in value if is_none_option(option)]
        said = f"{len(counted)} chosen" + (
            f" ({', '.join(left_out)} not counted)" if left_out else ""
        )
    else:
        raw = value
        said = f"{value:g}"
    capped = max(0.0, min(raw, cap))
    if raw > cap:
        said += f", capped at {cap:g}"
    points = weight * capped / cap
    note = f"{said}: {capped:g}/{cap:g} × weight {weight:g} = {points:.2f}"
    return Part(question.id, None, BEHAVIOUR, raw, points, weight, note)


def _attitude(
    question: Question, involvement: Involvement, item: GridItem, value: Any, unused: str
) -> Part:
    weight = involvement.weight * item.weight
    if unused:
        return Part(question.id, item.id, ATTITUDE, None, 0.0, weight, unused)
    scale = question.scale or 2
    point = value[item.id]
    said = f"{point} ({question.label(point)})"
    counted = point
    if item.reverse:
        counted = scale + 1 - point
        said += f", reverse-coded to {counted}"
    points = weight * (counted - 1) / (scale - 1)
    note = f"{said}: {counted - 1}/{scale - 1} × weight {weight:g} = {points:.2f}"
    return Part(question.id, item.id, ATTITUDE, point, points, weight, note)
