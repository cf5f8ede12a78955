"""Provides what re-imports changed in a respondent's answers, and when, in words.

A re-import that brings changed answers keeps the set it replaced
(`Store.answer_history`); a recruiter deciding on someone needs to see that they
said 2 cups a week before they said 20, and which file said so. Contact details
are personal data: a change of email or phone is named, never shown.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ideation.records import Respondent
from ideation.store import Store
from ideation.text import one_line

#: The longest answer shown on either side of an arrow.
SHOWN = 60
#: The contact fields a re-import may change, in the order they are named.
CONTACT_FIELDS = ("name", "email", "phone")


@dataclass(frozen=True)
class AnswerChange:
    """One answer (a grid's item as `question.item`) before and after a re-import."""

    question: str
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.question}: {shown(self.before)} → {shown(self.after)}"


@dataclass(frozen=True)
class Reimport:
    """One re-import that replaced a respondent's answers: which file, when, and what
    it changed (answers, the contact fields by name, the duration)."""

    file: str
    at: float
    answers: tuple[AnswerChange, ...]
    contact: tuple[str, ...]
    duration: tuple[float | None, float | None] | None

    def lines(self) -> list[str]:
        """The changes, one a line, each saying which re-import made it."""
        day = time.strftime("%d %b %Y %H:%M", time.localtime(self.at)).lstrip("0")
        when = f"re-import of {one_line(self.file, 80)} on {day}"
        lines = [f"{change}, {when}" for change in self.answers]
        if self.contact:
            lines.append(f"contact: {', '.join(self.contact)} changed, {when}")
        if self.duration is not None:
            before, after = (_seconds(d) for d in self.duration)
            lines.append(f"duration: {before} → {after}, {when}")
        return lines or [f"nothing a question asks changed, {when}"]


def reimports(store: Store, respondent: Respondent) -> list[Reimport]:
    """Every re-import that changed this respondent, oldest first: each replaced set
    compared with the one that replaced it (the next in history, or today's)."""
    history = store.answer_history(respondent.id)
    if not history:
        return []
    current = store.contact(respondent.id)
    now_contact = (
        {"name": current.name, "email": current.email, "phone": current.phone} if current else {}
    )
    sets = [(h.answers, h.contact, h.duration_seconds) for h in history]
    sets.append((respondent.answers, now_contact, respondent.duration_seconds))
    found = []
    for replaced, (before, after) in zip(history, zip(sets, sets[1:], strict=False), strict=True):
        duration = (before[2], after[2]) if before[2] != after[2] else None
        found.append(
            Reimport(
                replaced.replaced_by,
                replaced.replaced_at,
                tuple(answer_changes(before[0], after[0])),
                tuple(f for f in CONTACT_FIELDS if before[1].get(f, "") != after[1].get(f, "")),
                duration,
            )
        )
    return found


def answer_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[AnswerChange]:
    """The answers that differ, in the order first given; a grid (a mapping of items)
    by item, and the survey tool's own fields (`@…`) as one line."""
    changes = []
    for question in dict.fromkeys([*before, *after]):
        old, new = before.get(question), after.get(question)
        if old == new:
            continue
        if question.startswith("@"):
            changes.append(AnswerChange("survey tool's fields", "…", "changed"))
        elif isinstance(old, Mapping) and isinstance(new, Mapping):
            changes += [
                AnswerChange(f"{question}.{c.question}", c.before, c.after)
                for c in answer_changes(old, new)
            ]
        else:
            changes.append(AnswerChange(question, old, new))
    return changes


def shown(value: Any) -> str:
    """An answer in a few words: a list joined with "; ", nothing as "(no answer)"."""
    if value is None or value == "" or value == []:
        return "(no answer)"
    if isinstance(value, list):
        value = "; ".join(map(str, value))
    elif isinstance(value, Mapping):
        value = ", ".join(f"{k} {v}" for k, v in value.items())
    return one_line(str(value), SHOWN)


def _seconds(value: float | None) -> str:
    return "(none)" if value is None else f"{value:.0f} s"
