"""Provides which column holds what: a whole answer, one part of one, or survey metadata.

Columns are matched to questions by the question's explicit ``column``
override, then survey metadata (ids, durations, contact details, fraud
scores) by their usual names, then by question id, then by question text
(`matching`). Two columns claiming one answer are a problem to report, unless
one claim is stronger: guessing would import the wrong column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ideation.screening.answers import normalise
from ideation.screening.definition import Question
from ideation.screening.responses.formats import SURVEYMONKEY_WHOLE, Column, Format
from ideation.screening.responses.matching import (
    Target,
    by_position,
    elements,
    id_candidates,
    name_key,
    part_kind,
    same_text,
    text_candidates,
)
from ideation.screening.responses.problems import Problem

#: Normalised metadata column name -> what it is. Checked against row 1 and row 2.
_META: dict[str, str] = {}
for _field, _names in {
    "external_id": (
        "responseid respondentid id respondent respondentid externalid recordid responseidentifier"
    ),
    "duration": "durationinseconds duration durationseconds durations timetaken secondstaken",
    "start": "startdate starttime startedat started",
    "end": "enddate endtime endedat submittedat submitdate",
    "email": "email emailaddress recipientemail emailaddr",
    "phone": "phone phonenumber mobile mobilenumber mobilephone telephone tel cellphone cell",
    "first_name": "firstname recipientfirstname givenname forename",
    "last_name": "lastname recipientlastname surname familyname",
    "name": "name fullname respondentname yourname",
    "finished": "finished",
    "fraud:recaptcha": "qrecaptchascore recaptchascore",
    "fraud:duplicate": "qrelevantidduplicate qduplicaterespondent duplicaterespondent",
    "fraud:duplicate_score": "qrelevantidduplicatescore",
    "fraud:fraud_score": "qrelevantidfraudscore",
    "fraud:ballot_box_stuffing": "qballotboxstuffing",
    "meta": (
        "status responsetype progress recordeddate externalreference externaldatareference "
        "distributionchannel userlanguage collectorid responseset timestamp "
        "qrelevantidlaststartdate"
    ),
    # Personal data with no use in recruiting: recognised so it is not "unmatched",
    # and deliberately not kept.
    "drop": "ipaddress locationlatitude locationlongitude locationaccuracy",
}.items():
    for _name in _names.split():
        _META[_name] = _field

_CUSTOM_DATA = re.compile(r"customdata\d*")


def meta_kind(*labels: str) -> str | None:
    for label in labels:
        key = name_key(label)
        if key in _META:
            return _META[key]
        if _CUSTOM_DATA.fullmatch(key):
            return "meta"
    return None


#: Contact details a survey asks for in a question of its own, by the question's words:
#: "What's the best phone number to reach you on?", "Your email address".
_CONTACT_QUESTION = {
    "email": re.compile(r"\be-?mail( address)?\b", re.IGNORECASE),
    "phone": re.compile(r"\b(tele)?(phone|mobile|cell)( phone)? (number|no)\b", re.IGNORECASE),
}
_CONTACT_KINDS = ("email", "phone", "name", "first_name", "last_name")


def contact_kind(fmt: Format, column: Column) -> str | None:
    """The contact detail a column no question claimed holds, if it plainly holds one:
    a SurveyMonkey contact block's part ("Email Address" under "Please give us your
    details"), or a question that asks for an email address or a phone number. Without
    them the duplicate and history checks lose the contact, with no word said."""
    if fmt == "surveymonkey" and (kind := meta_kind(column.sub)) in _CONTACT_KINDS:
        return kind
    wording = column.text or column.name
    for kind, asks in _CONTACT_QUESTION.items():
        if wording and asks.search(wording):
            return kind
    return None


@dataclass
class Layout:
    targets: dict[int, Target] = field(default_factory=dict)
    scores: dict[int, int] = field(default_factory=dict)  # how sure each target is
    meta: dict[int, str] = field(default_factory=dict)
    unmatched: list[int] = field(default_factory=list)


def _override_targets(
    question: Question, columns: Sequence[Column], free: set[int]
) -> dict[int, Target]:
    """Columns named by a question's explicit ``column:`` (empty when none is found)."""
    override = question.column
    if not override:
        return {}

    def named(column: Column, wanted: str) -> bool:
        wanted = wanted.strip().casefold()
        return wanted in (column.name.casefold(), column.import_id.casefold()) or (
            bool(column.text) and same_text(column.text, wanted)
        )

    found: dict[int, Target] = {}
    if isinstance(override, Mapping):
        kind = part_kind(question)
        for key, wanted in override.items():
            for column in columns:
                if column.index in free and named(column, str(wanted)):
                    found[column.index] = Target(question, kind, str(key))
                    break
        return found
    parts = elements(question)
    for column in columns:
        if column.index not in free:
            continue
        if named(column, override) and not (question.type == "rating" and parts):
            found[column.index] = Target(question, "whole")
        elif parts:
            by_text = [
                target
                for _, target in text_candidates(column.text, question)
                if target.kind != "whole"
            ]
            if column.sub and named(column, override):  # SurveyMonkey: the label says which
                kind = part_kind(question)
                by_text += [
                    Target(question, kind, key)
                    for key, text in elements(question)
                    if same_text(column.sub, text)
                ]
                if by_text:
                    found[column.index] = by_text[0]
                    continue
            for label in (column.name, column.import_id):
                positional = by_position(label, override, question) if label else None
                if positional:
                    found[column.index] = by_text[0] if by_text else positional
                    break
    return found


def match_columns(
    fmt: Format, columns: Sequence[Column], questions: Sequence[Question], name: str, line: int
) -> tuple[Layout, list[Problem]]:
    layout = Layout()
    free = {column.index for column in columns}
    automatic = []
    for question in questions:
        found = _override_targets(question, columns, free)
        layout.targets.update(found)
        layout.scores.update(dict.fromkeys(found, 5))
        free -= set(found)
        if not found:
            automatic.append(question)

    for column in columns:
        if column.index not in free:
            continue
        if fmt == "surveymonkey":
            kind = meta_kind(column.text) if normalise(column.sub) in SURVEYMONKEY_WHOLE else None
        else:
            kind = meta_kind(column.name, column.text)
        if kind:
            layout.meta[column.index] = kind
            free.discard(column.index)

    for column in columns:
        if column.index not in free:
            continue
        candidates: list[tuple[int, Target]] = []
        for question in automatic:
            if fmt == "surveymonkey":
                candidates += _surveymonkey_candidates(column, question)
            else:
                candidates += id_candidates(column.name, question)
                for label in (column.text, column.name) if column.text else (column.name,):
                    candidates += text_candidates(label, question)
        if candidates:
            best = max(score for score, _ in candidates)
            winners = {target for score, target in candidates if score == best}
            if len(winners) == 1:
                layout.targets[column.index] = winners.pop()
                layout.scores[column.index] = best
                continue
        if kind := contact_kind(fmt, column):
            layout.meta[column.index] = kind
        elif column.name or column.text:
            layout.unmatched.append(column.index)
    _drop_weaker(layout)
    return layout, _layout_problems(layout, columns, name, line)


def _drop_weaker(layout: Layout) -> None:
    """When columns claim the same answer, a weaker match yields to a stronger one.

    Equally strong claims stay, to be reported: guessing would import the wrong column.
    """
    best: dict[Target, int] = {}
    for index, target in layout.targets.items():
        best[target] = max(best.get(target, 0), layout.scores[index])
    for index, target in list(layout.targets.items()):
        if layout.scores[index] < best[target]:
            del layout.targets[index]
            layout.unmatched.append(index)
    layout.unmatched.sort()


def _surveymonkey_candidates(column: Column, question: Question) -> list[tuple[int, Target]]:
    if not (same_text(column.text, question.text) or column.text.casefold() == question.id):
        return []
    if normalise(column.sub) in SURVEYMONKEY_WHOLE:
        return [(3, Target(question, "whole"))]
    kind = part_kind(question)
    for key, text in elements(question):
        if same_text(column.sub, text):
            return [(3, Target(question, kind, key))]
    return []  # "Other (please specify)" and the like


def _layout_problems(
    layout: Layout, columns: Sequence[Column], name: str, line: int
) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[Target, int] = {}
    shapes: dict[str, set[str]] = {}
    for index, target in sorted(layout.targets.items()):
        column = columns[index]
        question = target.question
        if target in first:
            other = columns[first[target]].display
            problems.append(
                Problem(
                    name,
                    line,
                    f'expected one column per answer, but column "{other}" holds it too; '
                    "set column: in the screener",
                    column.display,
                    question.id,
                )
            )
            continue
        first[target] = index
        shapes.setdefault(question.id, set()).add(target.kind)
        if target.kind == "whole" and question.type == "rating" and list(question.items):
            problems.append(
                Problem(
                    name,
                    line,
                    "expected one column per item of the rating grid, got one for the whole grid",
                    column.display,
                    question.id,
                )
            )
        elif len(shapes[question.id]) > 1:
            problems.append(
                Problem(
                    name,
                    line,
                    "expected either one column for the question or one per option, got both",
                    column.display,
                    question.id,
                )
            )
    return problems
