"""Provides the checks of a screener's meaning: references that name nothing, and lint.

A terminate or skip answer, or a quota cell, that names no option would let the
ineligible through, or never fill, without a word; `reference_problems` lists
them and the reader refuses the file. `lint_screener` warns about a screener
that loads but would recruit badly: a leading yes/no question, a terminate
that can never fire, quota minimums above the target, no creativity task.
"""

from __future__ import annotations

import re

from ideation.screening.answers import normalise
from ideation.screening.definition import (
    CHOICE_TYPES,
    Question,
    Quota,
    ScreenerDefinition,
    SkipRule,
    TerminateRule,
    is_none_option,
)
from ideation.yamlfile import suggest

#: A screener longer than this tires the people it is meant to find.
MAX_QUESTIONS = 15

_LEADING = re.compile(
    r"\b(do|did|does|are|have|would|will|is)\s+you\b.*\b(drink|drinks|buy|buys|use|uses|like"
    r"|love|enjoy|own|make|purchase|consume|eat|prefer|regularly)\b",
    re.IGNORECASE,
)
_STOPWORDS = frozenset({"and", "the", "for", "with", "other", "products", "things", "home"})


def lint_screener(defn: ScreenerDefinition) -> list[str]:
    """Warnings about a screener that loads but would recruit badly, one line each.

    Each reads "path:line: what it is about: what is wrong and what to do".
    """
    warnings: list[str] = []

    def warn(line: int, field: str, what: str) -> None:
        warnings.append(f"{defn.path}:{line}: {field}: {what}")

    questions = defn.questions
    if len(questions) > MAX_QUESTIONS:
        warn(
            questions[MAX_QUESTIONS].line,
            "questions",
            f"{len(questions)} questions, more than about {MAX_QUESTIONS}; a long screener "
            "loses the people you want — cut what decides neither eligibility, quota nor rank",
        )
    category = _category_words(defn.category)
    for question in questions:
        for what in _question_problems(question, category):
            warn(question.line, f"question '{question.id}'", what)
    for quota in defn.quotas:
        for line, what in _quota_problems(defn, quota):
            warn(line, f"quota '{quota.name}'", what)
    if not any(q.type == "creativity" for q in questions):
        warn(
            questions[0].line,
            "questions",
            "no creativity task; without one the rank cannot tell creative people apart — "
            "add an open-ended creativity question",
        )
    if not any(q.involvement for q in questions):
        warn(
            questions[0].line,
            "questions",
            "no question counts towards involvement; give behaviour questions or an "
            "attitude grid an involvement: entry",
        )
    total = defn.weights.involvement + defn.weights.creativity
    if abs(total - 1) > 1e-9:
        warn(
            defn.weights.line or 1,
            "weights",
            f"involvement {defn.weights.involvement:g} + creativity "
            f"{defn.weights.creativity:g} = {total:g}, not 1; ranks would not be on one "
            "0–100 scale",
        )
    return warnings


def _category_words(category: str) -> set[str]:
    words = re.findall(r"[a-z]+", category.casefold())
    return {word for word in words if len(word) >= 4 and word not in _STOPWORDS}


def _question_problems(question: Question, category: set[str]) -> list[str]:
    problems: list[str] = []
    text_words = set(re.findall(r"[a-z]+", question.text.casefold()))
    yes_no = sorted(normalise(option) for option in question.options) == ["no", "yes"]
    if question.type == "single_choice" and yes_no and _LEADING.search(question.text):
        if not category or text_words & category:
            problems.append(
                "a yes/no question about the category tells people what qualifies, so they "
                "say yes; ask how often or which, with a spread of answers"
            )
    for rule in question.terminate:
        if rule.below is not None and question.min is not None and rule.below <= question.min:
            problems.append(
                f"terminate below {rule.below:g} can never fire: answers start at "
                f"{question.min} (min)"
            )
        if rule.above is not None and question.max is not None and rule.above >= question.max:
            problems.append(
                f"terminate above {rule.above:g} can never fire: answers stop at "
                f"{question.max} (max)"
            )
    ending = {question.option(a) for rule in question.terminate for a in rule.answers}
    if question.type == "single_choice" and ending.issuperset(question.options):
        problems.append("every option terminates, so nobody can qualify")
    involvement = question.involvement
    if involvement and involvement.max is not None and question.type == "multiple_choice":
        countable = [o for o in question.options if not is_none_option(o)]
        if involvement.max > len(countable):
            problems.append(
                f"involvement max {involvement.max:g} is more than the {len(countable)} options "
                "that count, so nobody can reach full points"
            )
    return problems


def _never_fires(
    question: Question, rule: TerminateRule | SkipRule, what: str
) -> list[tuple[int, str]]:
    """(line, what) for each answer of a rule that names no option, on its own line."""
    lines = rule.answer_lines or (rule.line or question.line,) * len(rule.answers)
    return [
        (
            line,
            f"{what} answer '{answer}' is not an option, so the rule can never fire; "
            f"{suggest(answer, question.options, ids=False)}expected one of: "
            f"{', '.join(question.options)}",
        )
        for answer, line in zip(rule.answers, lines, strict=True)
        if question.option(answer) is None
    ]


def reference_problems(defn: ScreenerDefinition) -> list[tuple[int, str, str]]:
    """(line, field, what) for each answer or quota cell that names nothing.

    Errors, not lint: a terminate answer with a typo lets the ineligible
    through unnoticed, and a quota on a missing option never fills.
    """
    problems: list[tuple[int, str, str]] = []
    for question in defn.questions:
        field = f"question '{question.id}'"
        rules = [("terminate", rule) for rule in question.terminate]
        rules += [("skip", rule) for rule in question.skip]
        for kind, rule in rules:
            problems += [(line, field, what) for line, what in _never_fires(question, rule, kind)]
    for quota in defn.quotas:
        problems += [
            (line, f"quota '{quota.name}'", w) for line, w in _quota_references(defn, quota)
        ]
    return problems


def _quota_references(defn: ScreenerDefinition, quota: Quota) -> list[tuple[int, str]]:
    ids = [q.id for q in defn.questions]
    if quota.question not in ids:
        return [
            (
                quota.line,
                f"question '{quota.question}' does not exist; "
                f"{suggest(quota.question, ids)}the quota can never fill",
            )
        ]
    question = defn.question(quota.question)
    if question.type not in CHOICE_TYPES:
        return [
            (
                quota.line,
                f"'{question.id}' is a {question.type} question; quota cells must be options "
                "of a single_choice or multiple_choice question",
            )
        ]
    return [
        (
            cell.line,
            f"cell '{cell.answer}' is not an option of '{question.id}', so it can "
            f"never fill; {suggest(cell.answer, question.options, ids=False)}"
            f"expected one of: {', '.join(question.options)}",
        )
        for cell in quota.cells
        if question.option(cell.answer) is None
    ]


def _quota_problems(defn: ScreenerDefinition, quota: Quota) -> list[tuple[int, str]]:
    """Lint for a quota whose references are sound (`_quota_references`)."""
    question = defn.question(quota.question)
    problems: list[tuple[int, str]] = []
    lowest = sum(cell.min for cell in quota.cells)
    if lowest > defn.target_participants:
        problems.append(
            (
                quota.line,
                f"the minimums add up to {lowest}, more than the {defn.target_participants} "
                "participants",
            )
        )
    covered = {question.option(cell.answer) for cell in quota.cells}
    highest = sum(cell.max for cell in quota.cells)
    if covered.issuperset(question.options) and highest < defn.target_participants:
        problems.append(
            (
                quota.line,
                f"the maximums add up to {highest}, fewer than the "
                f"{defn.target_participants} participants",
            )
        )
    return problems
