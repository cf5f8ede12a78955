"""Provides the screener's rules at work: answer checking, terminates and skips.

The same rules run in two places. An online export or an import gives a
whole (or partial) set of answers at once, and `evaluate` says whether that
person completed the screener, was terminated (where, and why) or stopped
part-way, and lists what was wrong with their answers instead of failing.
A recruiter on the phone asks one question at a time: `next_question` says
what to ask next, and `validate_answer` turns what was typed into the
answer's canonical form or raises an `AnswerError` whose one-line message can
be shown as it is.

Answers are canonical once normalised: the option's own spelling for choice
questions (matched ignoring case and spacing, or by number), a list of
options in the screener's order for multiple choice, an int for numbers, a
mapping of item id to scale point for rating grids, a list of all options
for rankings, and stripped text otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from ideation.errors import IdeationError
from ideation.screening.answers import plain_number
from ideation.screening.definition import (
    END,
    Question,
    ScreenerDefinition,
    TerminateRule,
    is_none_option,
)
from ideation.screening.lazy import Memo
from ideation.yamlfile import describe, suggest

COMPLETE = "complete"
TERMINATED = "terminated"
INCOMPLETE = "incomplete"

_WHOLE = re.compile(r"[+-]?\d+(\.0*)?\Z")


class AnswerError(IdeationError, ValueError):
    """An answer a question cannot take; `str()` is one line: "question: what was expected"."""

    def __init__(self, question: str, what: str) -> None:
        # Kept as args so the error pickles and compares like any exception.
        super().__init__(question, " ".join(str(what).split()))
        self.question = question
        self.what = self.args[1]

    def __str__(self) -> str:
        return f"{self.question}: {self.what}"


@dataclass(frozen=True)
class Outcome:
    """Where one respondent got to; `asked` lists the questions answered on their path."""

    status: str  # COMPLETE, TERMINATED or INCOMPLETE
    terminate_reason: str = ""
    terminated_at: str | None = None
    asked: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


# --------------------------------------------------------------------------
# Whole sets of answers


def evaluate(
    defn: ScreenerDefinition, answers: Mapping[str, Any], steps: Steps | None = None
) -> Outcome:
    """Run the screener over one respondent's answers, in order, following skips;
    `steps` (made for `defn`) remembers answers seen before, over many respondents."""
    if steps is not None and steps.defn is not defn:
        raise ValueError("evaluate: these steps remember another screener's answers")
    return _walk(defn, answers, steps)[0]


def next_question(defn: ScreenerDefinition, answers: Mapping[str, Any]) -> Question | None:
    """The question to ask next; None once the screener is complete or terminated."""
    return _walk(defn, answers)[1]


def is_missing(value: Any) -> bool:
    """No answer at all: absent, blank text, or an empty list or grid."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Sequence | Mapping):
        return len(value) == 0
    return False


def _walk(
    defn: ScreenerDefinition, answers: Mapping[str, Any], steps: Steps | None = None
) -> tuple[Outcome, Question | None]:
    """The outcome, and the first question on the path without a usable answer."""
    questions = defn.questions
    ids = [q.id for q in questions]
    problems = [
        f"{key}: not a question of this screener; {suggest(key, ids)}its answer is not used"
        for key in answers
        if key not in ids
    ]
    asked: list[str] = []
    index = 0
    pending: Question | None = None
    while index < len(questions):
        question = questions[index]
        raw = answers.get(question.id)
        if is_missing(raw):
            pending = question
            break
        error, rule, to = _step(question, raw) if steps is None else steps.of(question, raw)
        if error is not None:
            problems.append(f"{error} (got {describe(raw)})")
            pending = question
            break
        asked.append(question.id)
        if rule is not None:
            return Outcome(
                TERMINATED, rule.reason, question.id, tuple(asked), tuple(problems)
            ), None
        following = index + 1
        if to == END:
            following = len(questions)
        elif to is not None:
            following = ids.index(to)
        for skipped in questions[index + 1 : following]:
            if not is_missing(answers.get(skipped.id)):
                problems.append(
                    f"{skipped.id}: answered, but the answer to {question.id} skips it; "
                    "its answer is not used"
                )
        index = following
    if pending is None:
        return Outcome(COMPLETE, asked=tuple(asked), problems=tuple(problems)), None
    later = [q.id for q in questions[index + 1 :] if not is_missing(answers.get(q.id))]
    if later:
        problems.append(
            f"{pending.id}: no usable answer, so the {len(later)} answers after it are not used"
        )
    return Outcome(INCOMPLETE, asked=tuple(asked), problems=tuple(problems)), pending


#: What one answer comes to on the path: the problem with it, else the terminate rule
#: it triggers, else where it skips to (None: on in order).
_Step = tuple[AnswerError | None, TerminateRule | None, str | None]


def _step(question: Question, raw: Any) -> _Step:
    try:
        value = normalise_answer(question, raw)
    except AnswerError as exc:
        return exc, None, None
    rule = terminate_rule(question, value)
    return None, rule, skip_target(question, value) if rule is None else None


class Steps:
    """What each answer to one screener's questions comes to (`_Step`), remembered
    across respondents: an import of 100,000 gives the same few options, numbers and
    grids over and over, and working each out again was most of its rule checking.

    Text answers are worked out afresh (each is new), and so are answers of a shape
    whose equal-looking forms could differ (floats, booleans, mixed lists): only a
    str, an int, a list of str and a grid of str -> int are remembered, by question id.
    """

    #: At most this many answers are remembered.
    LIMIT = 100_000

    def __init__(self, defn: ScreenerDefinition) -> None:
        self.defn = defn
        self._known: Memo[tuple[Any, ...], _Step] = Memo(self.LIMIT)

    def of(self, question: Question, raw: Any) -> _Step:
        key = _step_key(question, raw)
        if key is None:
            return _step(question, raw)
        return self._known.get(key, lambda: _step(question, raw))


def _step_key(question: Question, raw: Any) -> tuple[Any, ...] | None:
    if question.type in ("short_text", "creativity"):
        return None
    kind = type(raw)
    if kind is str:
        return (question.id, raw) if len(raw) <= 200 else None
    if kind is int:
        return (question.id, int, raw)
    if kind is list and all(type(part) is str for part in raw):
        return (question.id, list, *raw)
    if kind is dict and all(type(k) is str and type(v) is int for k, v in raw.items()):
        return (question.id, dict, *raw.items())
    return None


def terminate_rule(question: Question, value: Any) -> TerminateRule | None:
    """The first terminate rule a canonical answer triggers, if any."""
    for rule in question.terminate:
        if rule.answers and _chosen_among(question, value, rule.answers):
            return rule
        if isinstance(value, int | float) and not isinstance(value, bool):
            if rule.below is not None and value < rule.below:
                return rule
            if rule.above is not None and value > rule.above:
                return rule
    return None


def skip_target(question: Question, value: Any) -> str | None:
    """Where a canonical answer jumps to (a question id or END); None to go on in order."""
    for rule in question.skip:
        if _chosen_among(question, value, rule.answers):
            return rule.to
    return None


def _chosen_among(question: Question, value: Any, answers: tuple[str, ...]) -> bool:
    chosen = value if isinstance(value, list) else [value]
    targets = {question.option(answer) for answer in answers} - {None}
    return any(choice in targets for choice in chosen)


# --------------------------------------------------------------------------
# One answer


def validate_answer(question: Question, raw: str) -> Any:
    """What a recruiter typed, as the canonical answer; AnswerError says what is expected."""
    text = str(raw).strip()
    if not text:
        _fail(question)
    if question.type == "single_choice":
        return _option(question, text)
    if question.type == "multiple_choice":
        whole = question.option(text)
        return [whole] if whole is not None else _choose_many(question, _split(text))
    if question.type == "number":
        text = plain_number(text)  # "£25", "1,200"
        if not _WHOLE.match(text):
            _fail(question)
        return _whole(question, int(float(text)))
    if question.type == "rating":
        return _grid_from_text(question, text)
    if question.type == "ranking":
        whole = question.option(text)
        parts = [whole] if whole is not None else _split(text, ">")
        if len(parts) == 1 and all(word.isdigit() for word in text.split()):
            parts = text.split()  # numbers with spaces, as a grid takes them: 1 5 4 3 2
        return _rank(question, parts)
    if question.type == "creativity":
        return "\n".join(line.rstrip() for line in text.splitlines())
    return " ".join(text.split())


def normalise_answer(question: Question, value: Any) -> Any:
    """Any stored answer (text, number, list, mapping) as the canonical answer."""
    if isinstance(value, str):
        return validate_answer(question, value)
    if isinstance(value, bool):
        _fail(question)
    kind = question.type
    if kind in ("single_choice", "short_text", "creativity") and isinstance(value, int | float):
        return validate_answer(question, _as_text(value))
    if kind == "number" and isinstance(value, int | float):
        if not float(value).is_integer():
            _fail(question)
        return _whole(question, int(value))
    if isinstance(value, list | tuple):
        if not all(isinstance(part, str | int | float) for part in value):
            _fail(question)
        parts = [part if isinstance(part, str) else _as_text(part) for part in value]
        if kind == "multiple_choice":
            return _choose_many(question, parts)
        if kind == "ranking":
            return _rank(question, parts)
        if kind == "rating":
            return _grid_in_order(question, parts)
    if kind == "rating" and isinstance(value, Mapping):
        return _grid(question, [(str(key), part) for key, part in value.items()])
    _fail(question)


def expectation(question: Question) -> str:
    """What a question takes, in the words a recruiter would read out."""
    options = ", ".join(question.options)
    n = len(question.options)
    if question.type == "single_choice":
        return f"expected one of: {options} (or its number, 1 to {n})"
    if question.type == "multiple_choice":
        return f"expected one or more of: {options} (separated by commas, or their numbers)"
    if question.type == "number":
        low, high = question.min, question.max
        if low is not None and high is not None:
            return f"expected a whole number from {low} to {high}"
        if low is not None:
            return f"expected a whole number of {low} or more"
        if high is not None:
            return f"expected a whole number of {high} or less"
        return "expected a whole number"
    if question.type == "rating":
        items = ", ".join(item.id for item in question.items)
        return (
            f"expected an answer from 1 to {question.scale} for each of: {items} "
            "(in that order, or as item=answer)"
        )
    if question.type == "ranking":
        return f"expected all {n} options in order, each once (names or numbers): {options}"
    if question.type == "creativity":
        return "expected an answer to the task; it cannot be empty"
    return "expected an answer; it cannot be empty"


def _fail(question: Question, problem: str = "", hint: str = "") -> NoReturn:
    """Raise the question's AnswerError: the problem, a "did you mean", the expectation."""
    what = f"{hint}{expectation(question)}"
    raise AnswerError(question.id, f"{problem}; {what}" if problem else what)


def _as_text(value: Any) -> str:
    """A number from a data file as the text someone would have typed."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _split(text: str, *extra: str) -> list[str]:
    """Parts of a typed list: separated by ';' if there is one, else by ',' (or newlines)."""
    separators = [";"] if ";" in text else [",", *extra]
    pattern = "|".join(re.escape(sep) for sep in [*separators, "\n"])
    return [part.strip() for part in re.split(pattern, text) if part.strip()]


def _option(question: Question, text: str) -> str:
    """One option, by its text (ignoring case and spacing) or by its 1-based number."""
    option = question.option(text)
    if option is not None:
        return option
    if text.isdigit() and 1 <= int(text) <= len(question.options):
        return question.options[int(text) - 1]
    _fail(question, f"'{text}' is not an option", suggest(text, question.options, ids=False))


def _choose_many(question: Question, parts: list[str]) -> list[str]:
    chosen = {_option(question, part) for part in parts}
    if not chosen:
        _fail(question)
    nones = [option for option in chosen if is_none_option(option)]
    if nones and len(chosen) > 1:
        _fail(question, f"'{nones[0]}' cannot be chosen together with other answers")
    return [option for option in question.options if option in chosen]


def _whole(question: Question, number: int) -> int:
    """A number within the question's range, or outside it when a terminate covers it
    (an 11-year-old under `min: 12` and `below: 12` is recorded, and terminates)."""
    if (question.min is not None and number < question.min) or (
        question.max is not None and number > question.max
    ):
        if terminate_rule(question, number) is None:
            _fail(question)
    return number


def _rank(question: Question, parts: list[str]) -> list[str]:
    order = [_option(question, part) for part in parts]
    repeated = sorted({option for option in order if order.count(option) > 1})
    if repeated:
        _fail(question, f"'{repeated[0]}' is ranked more than once")
    if len(order) != len(question.options):
        missing = [option for option in question.options if option not in order]
        _fail(question, f"'{missing[0]}' is not ranked")
    return order


def _grid_from_text(question: Question, text: str) -> dict[str, int]:
    """A grid typed as "5 4 4 3 4 1" (item order) or "passion=5, ritual=4, …"."""
    if "=" in text or ":" in text:
        pairs: list[tuple[str, Any]] = []
        for part in _split(text):
            key, _, value = part.replace("=", ":").partition(":")
            pairs.append((key.strip(), value.strip()))
        return _grid(question, pairs)
    if "," in text or ";" in text:  # labels may hold spaces: "not at all, very much, 3"
        return _grid_in_order(question, _split(text))
    return _grid_in_order(question, [part for part in re.split(r"[\s,;]+", text) if part])


def _grid_in_order(question: Question, values: list[str]) -> dict[str, int]:
    if len(values) != len(question.items):
        _fail(question, f"{len(values)} answers for {len(question.items)} lines")
    return _grid(
        question, [(item.id, value) for item, value in zip(question.items, values, strict=True)]
    )


def _grid(question: Question, pairs: list[tuple[str, Any]]) -> dict[str, int]:
    """Scale points for every item, each given as a number or a label."""
    ids = [item.id for item in question.items]
    folded = {item_id.casefold(): item_id for item_id in ids}
    points: dict[str, int] = {}
    for key, value in pairs:
        item = folded.get(key.strip().casefold())
        if item is None:
            _fail(question, f"'{key}' is not a line of this grid", suggest(key, ids))
        points[item] = _point(question, item, value)
    missing = [item_id for item_id in ids if item_id not in points]
    if missing:
        _fail(question, f"no answer for {', '.join(missing)}")
    return {item_id: points[item_id] for item_id in ids}


def _point(question: Question, item: str, value: Any) -> int:
    """A scale point given as a number, digits or a label (ignoring case)."""
    scale = question.scale or 0
    number: Any = value
    if isinstance(value, str):
        label = question.option_of(value, question.labels)
        if label is not None:
            return question.labels.index(label) + 1
        number = int(float(value)) if _WHOLE.match(value.strip()) else None
    if isinstance(number, int | float) and not isinstance(number, bool):
        if float(number).is_integer() and 1 <= number <= scale:
            return int(number)
    shown = f"'{value.strip()}'" if isinstance(value, str) else describe(value)
    _fail(question, f"{item} needs an answer from 1 to {scale}, got {shown}")
