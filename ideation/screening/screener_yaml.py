"""Provides reading a screener YAML file into a `ScreenerDefinition`, or one error.

A screener is written by hand in `screeners/` and read when a recruiter is
waiting, so, like session plans, every problem is one `ScreenerError` line
"path:line: field: what was expected", built on the shared machinery of
`ideation.yamlfile`. `screeners/home-coffee.yaml` documents the format in its
header.

Problems that make the file meaningless or silently wrong (wrong types,
unknown keys, a skip that jumps backwards, a terminate answer or quota cell
that is not an option) are errors, raised here at the first one. Problems that
leave it usable but likely to recruit badly are `screener_lint` warnings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from ruamel.yaml.comments import CommentedMap

from ideation.screening.answers import label_point, normalise
from ideation.screening.definition import (
    DEFAULT_FLAG_ACTIONS,
    DEFAULT_PAST_PARTICIPATION_MONTHS,
    END,
    FLAG_ACTIONS,
    FLAGS,
    QUESTION_TYPES,
    DimensionWeights,
    GridItem,
    Involvement,
    Question,
    Quota,
    QuotaCell,
    ScreenerDefinition,
    SkipRule,
    TerminateRule,
    Weights,
)
from ideation.screening.screener_lint import reference_problems
from ideation.yamlfile import (
    YamlFileError,
    YamlReader,
    describe,
    is_bool,
    item_line,
    join,
    key_lines,
    line_of,
    load_source,
    read_source,
    suggest,
    text_hint,
)

#: The highest number of scale points a rating grid may have.
MAX_SCALE = 11

TOP_KEYS = (
    "screener",
    "title",
    "category",
    "study",
    "target",
    "weights",
    "dimension_weights",
    "past_participation_months",
    "flag_actions",
    "quotas",
    "questions",
)
TARGET_KEYS = ("participants", "standbys")
WEIGHT_KEYS = ("involvement", "creativity")
DIMENSION_KEYS = ("originality", "flexibility", "fluency", "elaboration")
QUOTA_KEYS = ("name", "question", "cells")
CELL_KEYS = ("min", "max")
QUESTION_KEYS = (
    "id",
    "type",
    "text",
    "options",
    "items",
    "scale",
    "labels",
    "min",
    "max",
    "terminate",
    "skip",
    "involvement",
    "column",
)
ITEM_KEYS = ("id", "text", "weight", "reverse", "attention_check")
TERMINATE_KEYS = ("answers", "below", "above", "reason")
SKIP_KEYS = ("answers", "to")
INVOLVEMENT_KEYS = ("kind", "weight", "max")
INVOLVEMENT_KINDS = ("behaviour", "attitude")

#: The keys each type uses beyond id, type, text and column.
TYPE_KEYS: Mapping[str, tuple[str, ...]] = {
    "single_choice": ("options", "terminate", "skip"),
    "multiple_choice": ("options", "terminate", "skip", "involvement"),
    "rating": ("items", "scale", "labels", "involvement"),
    "number": ("min", "max", "terminate", "involvement"),
    "short_text": (),
    "creativity": (),
    "ranking": ("options",),
}

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


class ScreenerError(YamlFileError):
    """A screener file that cannot be used; `str()` is one line: path:line: field: what."""


def load_screener(path: str | Path) -> ScreenerDefinition:
    """Read and validate a screener file; unreadable files are a ScreenerError too."""
    return parse_screener(read_source(path, ScreenerError), str(path))


def parse_screener(text: str, path: str = "<screener>") -> ScreenerDefinition:
    """Validate screener text; `path` is only used to name the file in errors."""
    text, root = load_source(text, path, ScreenerError)
    return _Reader(path).screener(root, text)


class _Reader(YamlReader):
    """Walks the loaded YAML and builds the screener, failing at the first problem."""

    error = ScreenerError

    def __init__(self, path: str) -> None:
        super().__init__(path)
        # (question index, field, line) of each skip's `to`, checked once all ids are known.
        self.jumps: list[tuple[int, str, int, str]] = []

    def screener(self, root: Any, text: str) -> ScreenerDefinition:
        root = self.root_mapping(
            root, text, "screener", "a mapping with screener, target and questions"
        )
        line = line_of(root)
        self.known_keys(root, "", TOP_KEYS, line)
        name = self.text(root, "screener", "", line, required=True)
        participants, standbys = self.target(root, line)
        weights = self.weights(root, line)
        months = self.whole(root, "past_participation_months", "", line, 0, None)
        flag_actions = self.flag_actions(root, line)
        quotas = self.quotas(root, line)
        questions = self.questions(root, line)
        defn = ScreenerDefinition(
            name=name,
            title=self.text(root, "title", "", line),
            category=self.text(root, "category", "", line),
            study=self.text(root, "study", "", line),
            target_participants=participants,
            standbys=standbys,
            weights=weights,
            past_participation_months=(
                DEFAULT_PAST_PARTICIPATION_MONTHS if months is None else months
            ),
            flag_actions=flag_actions,
            quotas=quotas,
            questions=questions,
            path=self.path,
            source=text,
            dimension_weights=self.dimension_weights(root, line),
        )
        problems = reference_problems(defn)
        if problems:
            self.fail(*problems[0])
        return defn

    # -- the screener's settings -------------------------------------------------

    def target(self, root: CommentedMap, root_line: int) -> tuple[int, int]:
        node, line = self.mapping(
            root, "target", "", root_line, "a mapping with participants and standbys"
        )
        self.known_keys(node, "target", TARGET_KEYS, line)
        participants = self.whole(node, "participants", "target", line, 1, None, required=True)
        standbys = self.whole(node, "standbys", "target", line, 0, None)
        return cast(int, participants), standbys or 0

    def weights(self, root: CommentedMap, root_line: int) -> Weights:
        if "weights" not in root:
            return Weights()
        node, line = self.mapping(
            root, "weights", "", root_line, "a mapping with involvement and creativity"
        )
        self.known_keys(node, "weights", WEIGHT_KEYS, line)
        expected = "a weight from 0 to 1"
        parts = [
            self.number(
                node, key, "weights", line, expected, required=True, check=lambda w: 0 <= w <= 1
            )
            for key in WEIGHT_KEYS
        ]
        # Both are required, so neither is None here.
        involvement, creativity = (float(part or 0) for part in parts)
        return Weights(involvement, creativity, line)

    def dimension_weights(self, root: CommentedMap, root_line: int) -> DimensionWeights:
        """Creativity dimension weights: any of the four, the rest keep their defaults."""
        if "dimension_weights" not in root:
            return DimensionWeights()
        node, line = self.mapping(
            root, "dimension_weights", "", root_line, "a mapping of creativity dimension to weight"
        )
        self.known_keys(node, "dimension_weights", DIMENSION_KEYS, line)
        given = {
            key: self.number(
                node, key, "dimension_weights", line, "a weight from 0 to 1",
                check=lambda w: 0 <= w <= 1,
            )
            for key in DIMENSION_KEYS
        }  # fmt: skip
        chosen = DimensionWeights().as_dict() | {k: v for k, v in given.items() if v is not None}
        if sum(chosen.values()) <= 0:
            self.fail(line, "dimension_weights", "expected at least one weight above 0, got all 0")
        return DimensionWeights(**{k: float(v) for k, v in chosen.items()}, line=line)

    def flag_actions(self, root: CommentedMap, root_line: int) -> dict[str, str]:
        actions = dict(DEFAULT_FLAG_ACTIONS)
        if "flag_actions" not in root:
            return actions
        node, line = self.mapping(
            root, "flag_actions", "", root_line, "a mapping of quality flag to action"
        )
        self.known_keys(node, "flag_actions", FLAGS, line)
        for flag in node:
            actions[flag] = self.choice(node, flag, "flag_actions", line, FLAG_ACTIONS, "action")
        return actions

    def quotas(self, root: CommentedMap, root_line: int) -> tuple[Quota, ...]:
        quotas: list[Quota] = []
        items = self.items(root, "quotas", "", root_line, "a list of quotas", required=False)
        for field, node, line in items:
            node = self.item_mapping(node, field, line, "a mapping with name, question and cells")
            self.known_keys(node, field, QUOTA_KEYS, line)
            name = self.text(node, "name", field, line, required=True)
            question = self.text(node, "question", field, line, required=True)
            cells_node, cells_line = self.mapping(
                node, "cells", field, line, "a mapping of answer to {min: ..., max: ...}"
            )
            cells_field = join(field, "cells")
            if not cells_node:
                self.fail(cells_line, cells_field, "expected at least one cell, got none")
            cells = [self.cell(cells_node, key, cells_field, cells_line) for key in cells_node]
            quotas.append(Quota(name, question, tuple(cells), line))
        return tuple(quotas)

    def cell(self, cells: CommentedMap, answer: Any, parent: str, parent_line: int) -> QuotaCell:
        key_line, value_line = key_lines(cells, answer, parent_line)
        field = join(parent, answer)
        if not isinstance(answer, str) or not answer.strip():
            self.fail(
                key_line,
                field,
                f"expected an answer as the cell name, got {describe(answer)}{text_hint(answer)}",
            )
        node = self.item_mapping(cells[answer], field, value_line, "a mapping with min and max")
        self.known_keys(node, field, CELL_KEYS, key_line)
        low = cast(int, self.whole(node, "min", field, key_line, 0, None, required=True))
        high = cast(int, self.whole(node, "max", field, key_line, max(low, 1), None, required=True))
        return QuotaCell(answer.strip(), low, high, key_line)

    # -- questions ---------------------------------------------------------------------

    def questions(self, root: CommentedMap, root_line: int) -> tuple[Question, ...]:
        items = self.items(
            root, "questions", "", root_line, "a non-empty list of questions", required=True
        )
        questions: list[Question] = []
        seen: dict[str, int] = {}
        for field, node, line in items:
            question = self.question(node, field, line, seen, len(questions))
            seen[question.id] = line
            questions.append(question)
        self.skip_targets([q.id for q in questions])
        return tuple(questions)

    def question(
        self, node: Any, field: str, line: int, seen: dict[str, int], index: int
    ) -> Question:
        node = self.item_mapping(node, field, line, "a mapping with id, type and text")
        self.known_keys(node, field, QUESTION_KEYS, line)
        qid = self.identifier(node, field, line, "question id")
        if qid in seen:
            _, id_line = key_lines(node, "id", line)
            self.fail(
                id_line,
                join(field, "id"),
                f"'{qid}' is already the id of the question on "
                f"line {seen[qid]}; each question needs its own id",
            )
        kind = self.choice(node, "type", field, line, QUESTION_TYPES, "question type")
        for key in node:
            if key in ("id", "type", "text", "column") or key in TYPE_KEYS[kind]:
                continue
            users = [t for t in QUESTION_TYPES if key in TYPE_KEYS[t]]
            key_line, _ = key_lines(node, key, line)
            self.fail(
                key_line,
                join(field, key),
                f"not used by {kind} questions, only by {_and(users)}; "
                "remove it or change the type",
            )
        text = self.text(node, "text", field, line, required=True)
        options = self.options(node, field, line) if "options" in TYPE_KEYS[kind] else ()
        scale: int | None = None
        labels: tuple[str, ...] = ()
        items: tuple[GridItem, ...] = ()
        if kind == "rating":
            scale = cast(int, self.whole(node, "scale", field, line, 2, MAX_SCALE, required=True))
            labels = self.labels(node, field, line, scale)
            items = self.grid(node, field, line, scale, labels)
        low = high = None
        if kind == "number":
            low = self.whole(node, "min", field, line, None, None)
            high = self.whole(node, "max", field, line, low, None)
        return Question(
            id=qid,
            type=kind,
            text=text,
            options=options,
            items=items,
            scale=scale,
            labels=labels,
            min=low,
            max=high,
            terminate=self.terminates(node, field, line, kind),
            skip=self.skips(node, field, line, index),
            involvement=self.involvement(node, field, line, kind),
            column=self.column(node, field, line, items),
            line=line,
        )

    def options(self, node: CommentedMap, field: str, line: int) -> tuple[str, ...]:
        expected = "a list of at least 2 options"
        if "options" not in node:
            self.fail(line, join(field, "options"), f"required key missing; expected {expected}")
        options = self.texts(node, "options", field, line)
        _, value_line = key_lines(node, "options", line)
        if options is None or len(options) < 2:
            value = node["options"]
            got = describe(value) if options is None else f"{len(options)} option"
            if options == ():
                got = "an empty list"
            self.fail(value_line, join(field, "options"), f"expected {expected}, got {got}")
        self.distinct(options, node["options"], join(field, "options"), value_line, "option")
        return options

    def labels(self, node: CommentedMap, field: str, line: int, scale: int) -> tuple[str, ...]:
        labels = self.texts(node, "labels", field, line) or ()
        if labels and len(labels) != scale:
            _, value_line = key_lines(node, "labels", line)
            self.fail(
                value_line,
                join(field, "labels"),
                f"expected {scale} labels, one per scale point, got {len(labels)}",
            )
        if labels:
            self.distinct(labels, node["labels"], join(field, "labels"), line, "label")
        return labels

    def distinct(self, values: tuple[str, ...], seq: Any, field: str, line: int, noun: str) -> None:
        """Answers are matched by `answers.normalise`, so two values must differ by more."""
        first: dict[str, int] = {}
        for i, value in enumerate(values):
            j = first.setdefault(normalise(value), i)
            if j != i:
                self.fail(
                    item_line(seq, i, line),
                    f"{field}[{i}]",
                    f"'{value}' is the same {noun} as [{j}] '{values[j]}' "
                    "(answers are matched ignoring case, spacing and punctuation)",
                )

    def grid(
        self, node: CommentedMap, field: str, line: int, scale: int, labels: tuple[str, ...]
    ) -> tuple[GridItem, ...]:
        items = self.items(
            node, "items", field, line, "a non-empty list of grid items", required=True
        )
        grid: list[GridItem] = []
        seen: dict[str, int] = {}
        for item_field, item, item_at in items:
            item = self.item_mapping(item, item_field, item_at, "a mapping with id and text")
            self.known_keys(item, item_field, ITEM_KEYS, item_at)
            item_id = self.identifier(item, item_field, item_at, "item id")
            if item_id in seen:
                _, id_line = key_lines(item, "id", item_at)
                self.fail(
                    id_line,
                    join(item_field, "id"),
                    f"'{item_id}' is already the id of the item on line {seen[item_id]}",
                )
            seen[item_id] = item_at
            text = self.text(item, "text", item_field, item_at, required=True)
            check = self.attention(item, item_field, item_at, scale, labels)
            if check is not None:
                for key in ("weight", "reverse"):
                    if key in item:
                        key_line, _ = key_lines(item, key, item_at)
                        self.fail(
                            key_line,
                            join(item_field, key),
                            "an attention-check item is not scored; remove it",
                        )
            weight = self.number(
                item, "weight", item_field, item_at, "a weight of 0 or more", check=_not_negative
            )
            grid.append(
                GridItem(
                    id=item_id,
                    text=text,
                    weight=1.0 if weight is None else float(weight),
                    reverse=self.flag(item, "reverse", item_field, item_at),
                    attention_check=check,
                    line=item_at,
                )
            )
        return tuple(grid)

    def attention(
        self, item: CommentedMap, field: str, line: int, scale: int, labels: tuple[str, ...]
    ) -> int | None:
        """The scale point an attention-check item demands, given as a label or number."""
        if "attention_check" not in item:
            return None
        _, value_line = key_lines(item, "attention_check", line)
        value = item["attention_check"]
        expected = f"the answer it asks for: a scale point from 1 to {scale}"
        if labels:
            expected += f" or a label ({', '.join(labels)})"
        if isinstance(value, int) and not is_bool(value) and 1 <= value <= scale:
            return int(value)
        if isinstance(value, str):
            point = label_point(value, labels)
            if point is not None:
                return point
            hint = suggest(value, labels, ids=False)
            self.fail(
                value_line,
                join(field, "attention_check"),
                f"'{value}' is not a label; {hint}expected {expected}",
            )
        self.fail(
            value_line,
            join(field, "attention_check"),
            f"expected {expected}, got {describe(value)}",
        )

    # -- rules --------------------------------------------------------------------------

    def rule_nodes(
        self, node: CommentedMap, key: str, field: str, line: int, expected: str
    ) -> list[tuple[str, CommentedMap, int]]:
        """(field, mapping, line) for rules given as one mapping or as a list of them."""
        if key not in node:
            return []
        field = join(field, key)
        _, value_line = key_lines(node, key, line)
        value = node[key]
        if isinstance(value, dict):
            return [(field, value, value_line)]
        if not isinstance(value, list) or not value:
            got = "an empty list" if isinstance(value, list) else describe(value)
            self.fail(value_line, field, f"expected {expected}, got {got}")
        rules: list[tuple[str, CommentedMap, int]] = []
        for i, item in enumerate(value):
            at = item_line(value, i, value_line)
            rules.append(
                (f"{field}[{i}]", self.item_mapping(item, f"{field}[{i}]", at, expected), at)
            )
        return rules

    def terminates(
        self, node: CommentedMap, field: str, line: int, kind: str
    ) -> tuple[TerminateRule, ...]:
        expected = "a rule {answers: [...], reason: ...} (or below:/above: a number), or a list"
        rules: list[TerminateRule] = []
        for rule_field, rule, at in self.rule_nodes(node, "terminate", field, line, expected):
            self.known_keys(rule, rule_field, TERMINATE_KEYS, at)
            given = [key for key in ("answers", "below", "above") if key in rule]
            if len(given) != 1:
                found = " and ".join(given) if given else "none"
                self.fail(
                    at, rule_field, f"expected exactly one of answers, below or above; got {found}"
                )
            key = given[0]
            key_line, _ = key_lines(rule, key, at)
            if kind == "number" and key == "answers":
                self.fail(
                    key_line,
                    join(rule_field, key),
                    "a number question terminates with below: or above: a number",
                )
            if kind != "number" and key != "answers":
                self.fail(
                    key_line,
                    join(rule_field, key),
                    f"{key} is only for number questions; use answers: [...]",
                )
            answers, lines = self.answers(rule, rule_field, at) if key == "answers" else ((), ())
            bound = self.number(rule, key, rule_field, at, "a number") if key != "answers" else None
            rules.append(
                TerminateRule(
                    reason=self.text(rule, "reason", rule_field, at, required=True),
                    answers=answers,
                    answer_lines=lines,
                    below=bound if key == "below" else None,
                    above=bound if key == "above" else None,
                    line=at,
                )
            )
        return tuple(rules)

    def skips(self, node: CommentedMap, field: str, line: int, index: int) -> tuple[SkipRule, ...]:
        expected = "a rule {answers: [...], to: <a later question id or end>}, or a list"
        rules: list[SkipRule] = []
        for rule_field, rule, at in self.rule_nodes(node, "skip", field, line, expected):
            self.known_keys(rule, rule_field, SKIP_KEYS, at)
            if "answers" not in rule:
                self.fail(
                    at,
                    join(rule_field, "answers"),
                    "required key missing; expected the answers that skip",
                )
            answers, lines = self.answers(rule, rule_field, at)
            to = self.text(rule, "to", rule_field, at, required=True)
            self.jumps.append((index, join(rule_field, "to"), key_lines(rule, "to", at)[1], to))
            rules.append(SkipRule(answers, to, at, lines))
        return tuple(rules)

    def answers(
        self, rule: CommentedMap, field: str, line: int
    ) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """The answers of a rule (a list of options, or one option on its own) and the
        line each is written on."""
        value = rule["answers"]
        _, value_line = key_lines(rule, "answers", line)
        if isinstance(value, str) and value.strip():
            return (value.strip(),), (value_line,)
        answers = self.texts(rule, "answers", field, line)
        if not answers:
            got = "an empty list" if isinstance(value, list) else describe(value)
            self.fail(value_line, join(field, "answers"), f"expected a list of options, got {got}")
        return answers, tuple(item_line(value, i, value_line) for i in range(len(answers)))

    def skip_targets(self, ids: list[str]) -> None:
        """A skip may only jump forward: to a later question or to end."""
        for index, field, line, to in self.jumps:
            if to == END:
                continue
            if to not in ids:
                later = [*ids[index + 1 :], END]
                self.fail(
                    line,
                    field,
                    f"no question has the id '{to}'; {suggest(to, later)}"
                    "expected a later question id or end",
                )
            if ids.index(to) <= index:
                self.fail(
                    line,
                    field,
                    f"'{to}' is not after this question; a skip can only jump forward, "
                    "to a later question id or end",
                )

    def involvement(
        self, node: CommentedMap, field: str, line: int, kind: str
    ) -> Involvement | None:
        if "involvement" not in node:
            return None
        inv, at = self.mapping(node, "involvement", field, line, "a mapping with kind")
        inv_field = join(field, "involvement")
        self.known_keys(inv, inv_field, INVOLVEMENT_KEYS, at)
        how = self.choice(inv, "kind", inv_field, at, INVOLVEMENT_KINDS, "kind")
        if how == "attitude" and kind != "rating":
            self.fail(
                at,
                join(inv_field, "kind"),
                f"kind attitude needs a rating grid, not a {kind} question",
            )
        if how == "behaviour" and kind == "rating":
            self.fail(
                at,
                join(inv_field, "kind"),
                "kind behaviour needs a number or multiple_choice question; "
                "a rating grid is kind attitude",
            )
        weight = self.number(
            inv, "weight", inv_field, at, "a weight of 0 or more", check=_not_negative
        )
        cap = None
        if how == "behaviour":
            cap = self.number(
                inv,
                "max",
                inv_field,
                at,
                "the value that earns full points, more than 0",
                required=True,
                check=lambda value: value > 0,
            )
        elif "max" in inv:
            key_line, _ = key_lines(inv, "max", at)
            self.fail(key_line, join(inv_field, "max"), "max is only for kind behaviour; remove it")
        return Involvement(how, 1.0 if weight is None else float(weight), cap, at)

    def column(
        self, node: CommentedMap, field: str, line: int, items: tuple[GridItem, ...]
    ) -> str | dict[str, str] | None:
        if "column" not in node:
            return None
        if not items:
            return self.text(node, "column", field, line, required=True)
        columns, at = self.mapping(
            node, "column", field, line, "a mapping of item id to import column name"
        )
        ids = tuple(item.id for item in items)
        self.known_keys(columns, join(field, "column"), ids, at)
        return {key: self.text(columns, key, join(field, "column"), at, True) for key in columns}

    # -- small shapes ---------------------------------------------------------------------

    def identifier(self, node: CommentedMap, field: str, line: int, noun: str) -> str:
        value = self.text(node, "id", field, line, required=True)
        _, value_line = key_lines(node, "id", line)
        if not _ID.match(value):
            self.fail(
                value_line,
                join(field, "id"),
                f"expected a {noun} of letters, digits and '_', starting with a letter, "
                f"got '{value}'",
            )
        if value == END and noun == "question id":
            self.fail(value_line, join(field, "id"), "'end' is kept for skip: {to: end}")
        return value

    def whole(
        self,
        node: CommentedMap,
        key: str,
        parent: str,
        line: int,
        low: int | None,
        high: int | None,
        *,
        required: bool = False,
    ) -> int | None:
        """A whole number within [low, high]; the range is spelt out in the message."""
        expected = "a whole number"
        if low is not None and high is not None:
            expected += f" from {low} to {high}"
        elif low is not None:
            expected += f" of {low} or more"
        elif high is not None:
            expected += f" of {high} or less"
        value = self.number(
            node,
            key,
            parent,
            line,
            expected,
            required=required,
            whole=True,
            check=lambda n: (low is None or n >= low) and (high is None or n <= high),
        )
        return None if value is None else int(value)


def _not_negative(value: float) -> bool:
    return value >= 0


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
