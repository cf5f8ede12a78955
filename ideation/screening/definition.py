"""Provides the screener as data: its questions, rules, quotas and settings.

A screener decides who is invited to an ideation session: it terminates the
ineligible (industry, recent research, age, non-users), fills quotas, and
collects what the rank is built from: involvement with the category and
open-ended creativity tasks. These frozen dataclasses are what the rest of the
recruiting code reads; `screener_yaml` builds them from a hand-written file
(`screeners/home-coffee.yaml` documents the format in its header) and
`screener_lint` says where one would recruit badly.

The model depends on nothing that scores people: the flags a screener can act
on are named here, and the quality checks report in these names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ideation.screening.answers import option_named

QUESTION_TYPES = (
    "single_choice",
    "multiple_choice",
    "rating",
    "number",
    "short_text",
    "creativity",
    "ranking",
)
CHOICE_TYPES = ("single_choice", "multiple_choice")

#: The data-quality flags, in the order they are reported (see `quality.py`).
FLAG_KINDS = (
    "speeder",
    "straightliner",
    "gibberish",
    "duplicate_open_end",
    "duplicate_respondent",
    "attention_check",
    "fraud",
)
#: Every flag a screener can set an action for: the quality checks' own, plus the
#: past-participation check the pipeline makes from the study's history of people.
FLAGS = (*FLAG_KINDS, "past_participation")
FLAG_ACTIONS = ("rank_down", "exclude", "ignore")
#: What happens to a flag the screener does not mention.
DEFAULT_FLAG_ACTIONS: Mapping[str, str] = {
    "speeder": "rank_down",
    "straightliner": "rank_down",
    "gibberish": "exclude",
    "duplicate_open_end": "exclude",
    "duplicate_respondent": "exclude",
    "attention_check": "exclude",
    "fraud": "exclude",
    "past_participation": "exclude",
}

#: `skip: {to: end}` ends the screener; no question may use this id.
END = "end"
#: Research more recent than this many months keeps people out, unless the file says.
DEFAULT_PAST_PARTICIPATION_MONTHS = 6

# Options that say "none of the above" rather than naming something chosen.
_NONE_LIKE = re.compile(
    r"(none|none of (these|the above|them)|nothing|no|neither|not applicable|n/?a"
    r"|don'?t know|do not know|not sure|prefer not to say)\W*\Z",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Weights:
    """How involvement and creativity combine into a candidate's rank."""

    involvement: float = 0.5
    creativity: float = 0.5
    line: int = 0


@dataclass(frozen=True)
class DimensionWeights:
    """How the 0-100 creativity composite weighs its four dimensions (relative weights).

    Defaults favour originality (top-k originality, Silvia et al. 2008): a
    screener looks for people who make the familiar strange, and weighting
    the counts heavily makes the composite follow how much was written
    (fluency), not how good it was. See README, Recruit, "dimension weights".
    """

    originality: float = 0.60
    flexibility: float = 0.15
    fluency: float = 0.10
    elaboration: float = 0.15
    line: int = 0

    def as_dict(self) -> dict[str, float]:
        """{dimension: weight} in the order the composite reports them."""
        return {
            "originality": self.originality,
            "flexibility": self.flexibility,
            "fluency": self.fluency,
            "elaboration": self.elaboration,
        }


@dataclass(frozen=True)
class QuotaCell:
    """How many participants may give one answer to the quota question."""

    answer: str
    min: int
    max: int
    line: int = 0


@dataclass(frozen=True)
class Quota:
    """Min/max per answer cell of one question, so the group is not all alike."""

    name: str
    question: str
    cells: tuple[QuotaCell, ...]
    line: int = 0


@dataclass(frozen=True)
class TerminateRule:
    """Ends the screener: any chosen answer among `answers`, or a number below/above."""

    reason: str
    answers: tuple[str, ...] = ()
    below: float | None = None
    above: float | None = None
    line: int = 0
    #: The line of each answer in the file, so an error points at the wrong one.
    answer_lines: tuple[int, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class SkipRule:
    """Jumps forward to a later question (or END) when any of `answers` is chosen."""

    answers: tuple[str, ...]
    to: str
    line: int = 0
    #: The line of each answer in the file, so an error points at the wrong one.
    answer_lines: tuple[int, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class GridItem:
    """One line of a rating grid; `attention_check` is the scale point it demands."""

    id: str
    text: str
    weight: float = 1.0
    reverse: bool = False
    attention_check: int | None = None
    line: int = 0


@dataclass(frozen=True)
class Involvement:
    """How a question counts towards involvement (see `involvement.py`)."""

    kind: str  # "behaviour" or "attitude"
    weight: float = 1.0
    max: float | None = None  # behaviour only: the raw value that earns full points
    line: int = 0


@dataclass(frozen=True)
class Question:
    """One screener question as asked; which fields are used depends on `type`."""

    id: str
    type: str
    text: str
    options: tuple[str, ...] = ()
    items: tuple[GridItem, ...] = ()
    scale: int | None = None
    labels: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    terminate: tuple[TerminateRule, ...] = ()
    skip: tuple[SkipRule, ...] = ()
    involvement: Involvement | None = None
    #: Import column override: a name, or for rating grids item id -> name.
    column: str | dict[str, str] | None = None
    line: int = 0

    def option(self, answer: Any) -> str | None:
        """The option an answer names (the one rule of `answers`); None if none does."""
        return option_named(answer, self.options)

    @staticmethod
    def option_of(answer: Any, choices: tuple[str, ...]) -> str | None:
        """The choice (option or label) an answer names (the one rule of `answers`)."""
        return option_named(answer, choices)

    def label(self, point: int) -> str:
        """The label of a rating scale point, or the point itself when unlabelled."""
        if self.labels and 1 <= point <= len(self.labels):
            return self.labels[point - 1]
        return str(point)


@dataclass(frozen=True)
class ScreenerDefinition:
    """A validated screener; `source` is the decoded text, kept for the study record."""

    name: str
    title: str
    category: str
    study: str
    target_participants: int
    standbys: int
    weights: Weights
    past_participation_months: int
    flag_actions: dict[str, str]
    quotas: tuple[Quota, ...]
    questions: tuple[Question, ...]
    path: str
    source: str
    dimension_weights: DimensionWeights = field(default_factory=DimensionWeights)

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError names it when there is none."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def position(self, question_id: str) -> int:
        """0-based place of a question in the order asked."""
        return [q.id for q in self.questions].index(question_id)


def is_none_option(option: str) -> bool:
    """Whether an option means "none of these" rather than naming a choice."""
    return bool(_NONE_LIKE.match(option.strip()))
