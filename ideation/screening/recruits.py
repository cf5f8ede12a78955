"""Provides the recruit list and the explanations behind it, as text, CSV and XLSX.

Contact details are personal data: the list leaves them out unless asked, the
explanation never shows them, and a list written with them is created 0600.
Every cell goes through the one formula guard (`ideation.sheets`): names,
emails and reasons come from strangers, and "+44 ..." phones are no formulas.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from ideation.errors import IdeationError
from ideation.files import WriteError, atomic_write
from ideation.records import Flag, Respondent, Score
from ideation.screening.definition import ScreenerDefinition
from ideation.screening.pipeline import Assessment, CandidateView, answers_of
from ideation.screening.quotas import cells_of
from ideation.screening.rules import evaluate
from ideation.sheets import csv_text, fill_sheet
from ideation.store import Store
from ideation.text import one_line
from ideation.yamlfile import suggest

RECRUIT_COLUMNS = (
    "rank",
    "respondent",
    "status",
    "terminate_reason",
    "involvement",
    "creativity",
    "composite",
    "flags",
    "suggestion",
    "suggestion_reason",
    "decision",
    "decision_reason",
    "decision_override",
)
CONTACT_COLUMNS = ("name", "email", "phone")
#: What `write_recruits` can write, by the target's suffix.
RECRUIT_FORMATS = ("csv", "xlsx")
#: Columns holding whole numbers, written as numbers in XLSX so they sort.
_NUMBER_COLUMNS = ("rank", "involvement", "creativity", "composite")
_WHOLE_NUMBER = re.compile(r"-?\d+")


class RecruitError(IdeationError, ValueError):
    """A respondent or decision the recruiter named that does not exist; one line."""


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def candidate_table(assessment: Assessment, target: int) -> str:
    """The ranked table as aligned text, with the quota fill and any shortfall under it."""
    width = max([10, *(len(v.respondent.external_id) for v in assessment.candidates)])
    lines = [
        f"{'rank':>4}  {'id':<{width}} {'status':<10} {'inv':>3} {'cre':>3} {'all':>3}"
        f"  {'suggest':<8} {'decision':<9} flags / reason"
    ]
    for view in assessment.candidates:
        r = view.respondent
        notes = ", ".join(dict.fromkeys(f.kind for f in view.flags))
        reason = view.suggestion_reason
        lines.append(
            f"{view.rank or '':>4}  {r.external_id:<{width}} {r.status:<10}"
            f" {_number(view.involvement):>3} {_number(view.creativity):>3}"
            f" {_number(view.composite):>3}  {view.suggestion:<8} {r.decision:<9}"
            f" {'; '.join(x for x in (notes, reason) if x)}"
        )
    if assessment.cells:
        lines.append(
            "quotas: "
            + "  ".join(f"{c.quota} {c.cell} {c.filled}/{c.min}-{c.max}" for c in assessment.cells)
        )
    lines += shortfall(assessment, target)
    return "\n".join(lines)


def shortfall(assessment: Assessment, target: int) -> list[str]:
    """What the fill cannot meet, said plainly: recruit more before the session."""
    short = []
    placed = sum(view.suggestion == "accept" for view in assessment.candidates)
    if placed < target:
        short.append(f"short: {placed} of {target} places can be filled")
    unmet = [f"{c.quota} {c.cell} {c.filled}/{c.min}" for c in assessment.cells if c.filled < c.min]
    if unmet:
        short.append("short of quota minimums: " + ", ".join(unmet))
    return short


def recruit_rows(
    store: Store,
    defn: ScreenerDefinition,
    assessment: Assessment,
    include_contacts: bool = False,
) -> list[list[str]]:
    """One row per respondent: `RECRUIT_COLUMNS`, then the quota cells they fall in (one
    column per quota, for balancing by hand), then contacts when asked for."""
    rows = []
    contacts = (
        store.contacts_of(view.respondent.id for view in assessment.candidates)
        if include_contacts
        else {}
    )
    for view in assessment.candidates:
        r = view.respondent
        cells = cells_of(defn, answers_of(r))
        quota_cells = [
            "; ".join(cell.answer for c, cell in enumerate(quota.cells) if (q, c) in cells)
            for q, quota in enumerate(defn.quotas)
        ]
        row = [
            str(view.rank or ""),
            r.external_id,
            r.status,
            r.terminate_reason,
            _number(view.involvement),
            _number(view.creativity),
            _number(view.composite),
            "; ".join(f"{f.kind}: {f.reason}" for f in view.flags),
            view.suggestion,
            view.suggestion_reason,
            r.decision,
            r.decision_reason,
            r.decision_override,
            *quota_cells,
        ]
        if include_contacts:
            contact = contacts.get(r.id)
            row += [contact.name, contact.email, contact.phone] if contact else ["", "", ""]
        rows.append(row)
    return rows


def recruit_format(path: Path) -> str:
    """The format `path`'s suffix asks for; anything else is a one-line error.

    Call it before slow work, so a wrong `--out` is refused at once.
    """
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in RECRUIT_FORMATS:
        shown = f"suffix .{suffix}" if suffix else "no suffix"
        raise WriteError(
            f"{path}: cannot write a recruit list with {shown}; "
            f"name it .{' or .'.join(RECRUIT_FORMATS)}"
        )
    return suffix


def write_recruits(
    store: Store,
    defn: ScreenerDefinition,
    assessment: Assessment,
    path: Path,
    include_contacts: bool = False,
) -> None:
    """The recruit list, written whole or not at all, in the format its suffix names.

    ``.csv``: UTF-8 with a BOM for Excel. ``.xlsx``: a "Recruits" sheet (a column
    per quota) and an "Explanations" sheet with every score's reasons. With
    contacts the file is created 0600; without, it keeps the user's umask.
    """
    fmt = recruit_format(path)
    quota_columns = tuple(f"quota: {quota.name}" for quota in defn.quotas)
    header = RECRUIT_COLUMNS + quota_columns + (CONTACT_COLUMNS if include_contacts else ())
    rows = recruit_rows(store, defn, assessment, include_contacts)

    def fill(stream: BinaryIO) -> None:
        if fmt == "csv":
            stream.write(csv_text(header, rows).encode("utf-8"))
        else:
            scores = store.scores_of(assessment.screener.id)
            flags = store.flags_of(assessment.screener.id)
            explanations = [
                (
                    view.respondent.external_id,
                    explain_respondent(
                        store,
                        view.respondent,
                        defn,
                        scores=scores.get(view.respondent.id, {}),
                        flags=flags.get(view.respondent.id, []),
                    ),
                )
                for view in assessment.candidates
            ]
            _write_workbook(stream, defn.title, header, rows, explanations)

    atomic_write(path, fill, private=include_contacts, noun="recruit list")


def _write_workbook(
    stream: BinaryIO,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    explanations: Sequence[tuple[str, str]],
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.properties.title = title
    book.properties.creator = "ideation"
    sheet = book.active
    sheet.title = "Recruits"
    numbers = [index for index, name in enumerate(header) if name in _NUMBER_COLUMNS]
    fill_sheet(
        sheet,
        header,
        [_with_numbers(row, numbers) for row in rows],
        wide=("flags", "suggestion_reason", "decision_reason", "decision_override"),
    )
    fill_sheet(
        book.create_sheet("Explanations"),
        ("respondent", "explanation"),
        explanations,
        wide=("explanation",),
    )
    book.save(stream)


def _with_numbers(row: Sequence[str], numbers: Sequence[int]) -> list[Any]:
    """The row with its whole-number columns as numbers, so a spreadsheet sorts them."""
    typed: list[Any] = list(row)
    for index in numbers:
        if _WHOLE_NUMBER.fullmatch(row[index]):
            typed[index] = int(row[index])
    return typed


def find_respondent(store: Store, defn: ScreenerDefinition, external_id: str) -> Respondent:
    """The respondent with this survey id; the error names the likeliest one meant.
    Only reads, so `explain` works on a read-only study."""
    screener = store.find_screener(defn.name, defn.study)
    respondents = store.respondents(screener.id) if screener is not None else []
    for respondent in respondents:
        if respondent.external_id == external_id:
            return respondent
    ids = [r.external_id for r in respondents]
    if not ids:
        raise RecruitError(f"{defn.path}: no respondent {external_id!r}: import responses first")
    starting = [i for i in ids if i.startswith(external_id)]
    hint = (
        f"did you mean {starting[0]!r}? "
        if len(starting) == 1
        else suggest(external_id, ids, ids=False)
    )
    raise RecruitError(
        f"{defn.path}: no respondent {external_id!r}; {hint}ids are as in the export"
    )


def explain_respondent(
    store: Store,
    respondent: Respondent,
    defn: ScreenerDefinition | None = None,
    *,
    scores: dict[str, Score] | None = None,
    flags: list[Flag] | None = None,
) -> str:
    """Every stored score with its reasons, and every flag with its evidence; with the
    screener, the answer that ended a terminated screener. A whole list passes each
    person's `scores` and `flags`, read for everyone at once."""
    scores = store.scores(respondent.id) if scores is None else scores
    flags = store.flags(respondent.id) if flags is None else flags
    lines = [
        f"{respondent.external_id}: {respondent.status}"
        + (f" ({respondent.terminate_reason})" if respondent.terminate_reason else "")
    ]
    if defn is not None and respondent.status == "terminated":
        lines += _terminating_answer(defn, respondent)
    if respondent.decision:
        said = f"decision: {respondent.decision} by {respondent.decided_by.said}"
        lines.append(
            f"{said} — {respondent.decision_reason}" if respondent.decision_reason else said
        )
    if respondent.decision_override:
        lines.append(f"  an override of: {respondent.decision_override}")
    for kind in ("composite", "involvement", "creativity"):
        score = scores.get(kind)
        if score is None:
            continue
        lines.append(f"{kind}: {score.value:.0f}/100")
        if kind == "composite":
            w = score.explanation.get("weights", {})
            lines.append(
                f"  = {w.get('involvement', 0):.2f} × involvement"
                f" + {w.get('creativity', 0):.2f} × creativity"
                f" − {score.explanation.get('rank_down_points', 0):.0f} for rank-down flags"
            )
        for part in score.explanation.get("parts", []):
            lines.append(
                f"  {part['question']}{'.' + part['item'] if part['item'] else ''}: {part['note']}"
            )
        for line in score.explanation.get("summary", []):
            lines.append(f"  {line}")
        for task, detail in score.explanation.get("tasks", {}).items():
            counted = detail.get("counted", [])
            lines.append(f"  {task}: {len(counted)} counted — " + "; ".join(counted)[:300])
    units = {"fluency": " ideas", "flexibility": " categories"}
    dims = [
        f"{k} {scores[k].value:g}{units[k]}" if k in units else f"{k} {scores[k].value:.1f}/100"
        for k in ("fluency", "flexibility", "originality", "elaboration")
        if k in scores
    ]
    if dims:
        lines.append("  dimensions before weighting: " + ", ".join(dims))
    for flag in flags:
        lines.append(f"flag {flag.kind}: {flag.reason}")
    # An answer pasted 8,000 characters long made a line no one reads; each line is one
    # line, cut to what a reader takes in (the study keeps every answer whole).
    return "\n".join(one_line(line, EXPLAIN_LINE_CHARS) for line in lines)


#: The longest line `explain_respondent` writes.
EXPLAIN_LINE_CHARS = 400


def _terminating_answer(defn: ScreenerDefinition, respondent: Respondent) -> list[str]:
    outcome = evaluate(defn, answers_of(respondent))
    question = outcome.terminated_at
    if question is None:
        return []
    answer = respondent.answers.get(question)
    shown = "; ".join(map(str, answer)) if isinstance(answer, list) else str(answer)
    return [f"  {question}: answered “{shown}” ({defn.question(question).text})"]


def candidate_line(view: CandidateView) -> str:
    """One respondent in a sentence, for notifications."""
    r = view.respondent
    return f"{r.external_id}: {r.status}, composite {_number(view.composite)}"
