"""Provides the ways a column's name or text can name a question, or one part of it.

A column names a question by its id ("age", "attitudes_passion",
"brands_tried[Brewline]") or by its text, normalised for case, whitespace and
punctuation ("- Selected Choice" and truncation with an ellipsis allowed).
Grid items, options and rank columns are found as "question text - item text"
(either order). Each way comes with a score; `layout` keeps the best.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ideation.screening.answers import normalise
from ideation.screening.definition import Question


def name_key(text: str) -> str:
    """Letters and digits only: how metadata column names are compared."""
    return re.sub(r"[^a-z0-9]", "", text.casefold())


_ELLIPSIS = re.compile(r"(…|\.\.\.)\s*$")


def same_text(candidate: str, target: str) -> bool:
    """Whether a column's text names `target`, allowing truncation with an ellipsis."""
    if not candidate.strip():
        return False
    norm_target = normalise(target)
    if normalise(candidate) == norm_target:
        return True
    if _ELLIPSIS.search(candidate):
        prefix = normalise(_ELLIPSIS.sub("", candidate))
        return len(prefix) >= 8 and norm_target.startswith(prefix)
    return False


_DROPPED_SEGMENTS = {"selected choice"}


def segments(text: str) -> list[str]:
    """Split "Question - Item - Selected Choice" into its parts, dropping tool noise."""
    parts = [part.strip() for part in re.split(r"\s+-\s+", text) if part.strip()]
    return [part for part in parts if normalise(part) not in _DROPPED_SEGMENTS]


@dataclass(frozen=True, eq=False)
class Target:
    """Where a column's cells go: a whole answer, or one item or option of it."""

    question: Question  # may hold unhashable parts (a dict column override)
    kind: str  # "whole", "item" or "option"
    key: str = ""  # item id or option text

    def _identity(self) -> tuple[str, str, str]:
        return (self.question.id, self.kind, self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Target) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())


def elements(question: Question) -> list[tuple[str, str]]:
    """(key, text) of the parts a question may be split over: items or options."""
    if question.type == "rating":
        return [(item.id, item.text) for item in question.items]
    if question.type in ("multiple_choice", "ranking"):
        return [(option, option) for option in question.options]
    return []


def part_kind(question: Question) -> str:
    return "item" if question.type == "rating" else "option"


def text_candidates(label: str, question: Question) -> list[tuple[int, Target]]:
    """Ways a column's text could belong to `question`, best score highest."""
    parts = segments(label)
    if not parts:
        return []
    if len(parts) > 1 and normalise(parts[-1]) == "text":
        return []  # Qualtrics "Other - Text" entry: not an answer we model
    found: list[tuple[int, Target]] = []
    full = " ".join(parts)
    if same_text(full, question.text):
        found.append((3, Target(question, "whole")))
    norm_full = normalise(full)
    norm_question = normalise(question.text)
    kind = part_kind(question)
    for key, text in elements(question):
        norm_text = normalise(text)
        if norm_full in (f"{norm_question} {norm_text}", f"{norm_text} {norm_question}"):
            found.append((3, Target(question, kind, key)))
            continue
        for position, segment in enumerate(parts):
            if not same_text(segment, text):
                continue
            rest = " - ".join(parts[:position] + parts[position + 1 :])
            if rest and same_text(rest, question.text):
                found.append((3, Target(question, kind, key)))
            elif kind == "item":
                # Grid statements are long and specific enough to stand alone:
                # "I love trying new ways… - Coffee attitudes". Options are not.
                found.append((2 if rest else 1, Target(question, kind, key)))
            break
    return found


def id_candidates(name: str, question: Question) -> list[tuple[int, Target]]:
    """Columns named by question id: "age", "attitudes_passion", "brands_tried[Brewline]"."""
    name = name.strip()
    if not name:
        return []
    if name.casefold() == question.id.casefold():
        return [(4, Target(question, "whole"))]
    match = re.fullmatch(
        rf"{re.escape(question.id)}\s*[._:/\[-]\s*(.+?)\]?", name, flags=re.IGNORECASE
    )
    if not match:
        return []
    rest = match.group(1)
    kind = part_kind(question)
    for key, text in elements(question):
        if rest.casefold() == key.casefold() or same_text(rest, text):
            return [(4, Target(question, kind, key))]
    return []


def by_position(name: str, base: str, question: Question) -> Target | None:
    """A column ``{base}_{n}`` of an explicitly overridden question, taken as part n."""
    match = re.fullmatch(rf"{re.escape(base)}_(\d+)", name, flags=re.IGNORECASE)
    parts = elements(question)
    if match and 1 <= int(match.group(1)) <= len(parts):
        return Target(question, part_kind(question), parts[int(match.group(1)) - 1][0])
    return None
