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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ideation.screening.definition import (
    GridItem,
    Involvement,
    Question,
    ScreenerDefinition,
    is_none_option,
)
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


@dataclass(frozen=True)
class InvolvementScore:
    """A 0–100 score and the parts it is made of, in question order."""

    score: float
    parts: tuple[Part, ...]


def score_involvement(defn: ScreenerDefinition, answers: Mapping[str, Any]) -> InvolvementScore:
    """Score one respondent's involvement from the questions the screener marks."""
    outcome = evaluate(defn, answers)
    parts: list[Part] = []
    for question in defn.questions:
        involvement = question.involvement
        if involvement is None:
            continue
        value = None
        unused = _why_unused(defn, question, answers, outcome)
        if not unused:
            value = normalise_answer(question, answers[question.id])
        if involvement.kind == BEHAVIOUR:
            parts.append(_behaviour(question, involvement, value, unused))
        else:
            parts.extend(
                _attitude(question, involvement, item, value, unused)
                for item in question.items
                if item.attention_check is None
            )
    possible = sum(part.max_points for part in parts)
    earned = sum(part.points for part in parts)
    score = round(100 * earned / possible, 1) if possible else 0.0
    return InvolvementScore(score, tuple(parts))


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
