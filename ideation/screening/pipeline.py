"""Provides the recruit pipeline: import, assess, rank, fill quotas, decide, invite.

The pieces (rules, involvement, creativity, quality flags, quotas) are pure;
this module joins them to the study database. An import is all or nothing; an
assessment replaces each respondent's scores and flags together and leaves a
fingerprint of what it read, so a stored assessment is known to still stand.
Decisions, the quota fill as decisions and invitations are the recruit desk's
(`screening/desk.py`), which reads the stored assessment from here.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ideation.analysis.embed import Embedder, embed_cached
from ideation.errors import IdeationError
from ideation.records import Contact, Decision, Flag, Respondent, Score, Screener
from ideation.screening.definition import ScreenerDefinition
from ideation.screening.involvement import KnownParts, score_involvement
from ideation.screening.lazy import OnDemand
from ideation.screening.quality import (
    Readings,
    email_key,
    long_enough_to_compare,
    phone_key,
    quality_flags,
)
from ideation.screening.quotas import Candidate, CellFill, QuotaResult, fill_quotas
from ideation.screening.responses import ImportedResponse, open_responses
from ideation.screening.rules import Outcome, Steps, evaluate
from ideation.screening.save_behind import saving_behind
from ideation.store import Store
from ideation.text import plural

if TYPE_CHECKING:
    import numpy as np

    from ideation.screening.creativity import CreativityScore, IdeaRows

#: Answers keys the import keeps beside the answers (not questions): survey-tool fraud
#: fields and whether the tool saw the response finished.
FRAUD_KEY = "@fraud"
#: Points taken off the composite rank for each "rank_down" flag.
RANK_DOWN_POINTS = 10.0
SECONDS_PER_MONTH = 30.44 * 24 * 3600

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ImportSummary:
    """What an import did, for the one line the recruiter reads."""

    path: str
    format: str
    encoding: str
    added: int
    changed: int
    unchanged: int
    unmatched_columns: tuple[str, ...]
    missing_questions: tuple[str, ...]
    has_ids: bool = True  # False: ids made from row content (see `ResponseStream.has_ids`)
    #: Previews, tests and spam the survey tool marked (`ImportedResponse.not_a_response`).
    left_out: int = 0
    #: On a re-import, the survey ids of people on file whom this file does not hold
    #: (a response deleted in the survey tool, or a filtered export): kept as they were.
    absent: tuple[str, ...] = ()

    @property
    def already(self) -> int:
        """Respondents the study had before this file: changed or not."""
        return self.changed + self.unchanged

    @property
    def counts(self) -> str:
        """What the file did, for the one line: "3 new, 1 changed, 56 unchanged" (and
        ", 2 left out (preview, test or spam)" when the survey tool marked some)."""
        said = f"{self.added} new, {self.changed} changed, {self.unchanged} unchanged"
        if self.left_out:
            said += f", {self.left_out} {_LEFT_OUT}"
        return said


#: What the survey tool's own markings leave out of an import, as the summary says it.
_LEFT_OUT = "left out (preview, test or spam)"


@dataclass(frozen=True)
class CandidateView:
    """One respondent as the recruiter sees them: outcome, scores, flags, suggestion."""

    respondent: Respondent
    involvement: float | None
    creativity: float | None
    composite: float | None
    flags: tuple[Flag, ...]
    excluded_by: tuple[str, ...]  # flags whose action is "exclude"
    suggestion: str  # "accept", "standby" or ""
    suggestion_reason: str
    rank: int | None

    @property
    def eligible(self) -> bool:
        """Complete, not excluded, and scored: someone imported (or whose answers changed)
        since the last assessment is never shown as eligible before they are scored."""
        return (
            self.respondent.status == "complete"
            and not self.excluded_by
            and self.composite is not None
        )

    @property
    def scored(self) -> bool:
        """Whether the stored assessment covers this person (a terminate needs no scores)."""
        return self.involvement is not None or self.respondent.status == "terminated"


@dataclass(frozen=True)
class Assessment:
    """The ranked candidate table and how the quotas filled."""

    screener: Screener
    candidates: tuple[CandidateView, ...]
    cells: tuple[CellFill, ...] = field(default=())


#: The source of a respondent saved from a phone interview: their duration is the
#: recruiter's typing, so the speeder check skips them.
INTERVIEW = "interview"


def register_screener(store: Store, defn: ScreenerDefinition) -> Screener:
    return store.upsert_screener(
        defn.name, defn.title, defn.source, Path(defn.path).name, study=defn.study
    )


def definition_change(store: Store, defn: ScreenerDefinition) -> str:
    """The warning due when this definition replaces a different one under the same
    study and name while respondents are stored ("" when nothing changes for them)."""
    stored = store.find_screener(defn.name, defn.study)
    if stored is None or stored.source == defn.source:
        return ""
    count = store.count_respondents(stored.id)
    if not count:
        return ""
    return (
        f"screener {defn.name!r} (study {defn.study or defn.title!r}) differs from the one"
        f" its {plural(count, 'respondent')} were imported under; the new definition"
        " replaces it, and their scores, flags and ranks are worked out again under it"
        " now (their answers and your decisions stay)"
    )


#: Rows an import reads, compares and stores at a time.
IMPORT_CHUNK = 1000


def import_responses(
    store: Store, defn: ScreenerDefinition, path: Path, progress: Progress | None = None
) -> ImportSummary:
    """Read a survey export and, in one IMMEDIATE transaction (all of the file or
    nothing): register the screener, add the new respondents, and give those whose
    answers changed the new ones (the old set kept in history).

    The rows are read, compared and stored a chunk at a time (`open_responses`), so
    an export of 100,000 is never held whole; a problem anywhere in the file raises
    after the last row and rolls everything back. The terminate rules are applied
    and stored with the rows, so nobody who should be terminated is ever on file as
    complete; new and changed people stay unscored (no scores, so not ranked and not
    eligible) until the next assessment.
    """
    stream = open_responses(path, defn.questions)
    step = progress or (lambda stage, done, total: None)
    added = changed = done = left_out = 0
    seen: set[str] = set()
    with store.transaction():
        screener = register_screener(store, defn)
        reimport = store.count_respondents(screener.id) > 0
        steps = Steps(defn)  # the rules' work on answers seen before, remembered
        for chunk in _chunks(stream.rows, IMPORT_CHUNK):
            done += len(chunk)
            # rows so far, and the rows the file holds at this pace through its lines
            step("importing", done, max(done, done * stream.lines // max(chunk[-1].row, 1)))
            kept = [row for row in chunk if not row.not_a_response]
            if reimport:  # who this file holds, to name who it no longer does
                seen.update(row.external_id for row in chunk)
            left_out += len(chunk) - len(kept)
            new, chunk_changed = _import_chunk(store, steps, screener, path.name, kept, reimport)
            added += len(store.add_respondents(new))  # an id twice: the first row stands
            changed += chunk_changed
        unchanged = done - left_out - added - changed
        absent = [i for i in store.external_ids(screener.id) if i not in seen] if reimport else []
        if added or changed:  # an unchanged file changes nothing, the activity log included
            store.log(
                f"Screener “{defn.title}”: {path.name} imported:"
                f" {added} new, {changed} changed, {unchanged} unchanged"
                + (f", {left_out} {_LEFT_OUT}" if left_out else "")
            )
    step("importing", done, done)
    return ImportSummary(
        str(path),
        stream.format,
        stream.encoding,
        added,
        changed,
        unchanged,
        stream.unmatched_columns,
        stream.missing_questions,
        stream.has_ids,
        left_out,
        tuple(absent),
    )


def _chunks(rows: Iterator[ImportedResponse], size: int) -> Iterator[list[ImportedResponse]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _import_chunk(
    store: Store,
    steps: Steps,
    screener: Screener,
    source: str,
    rows: Sequence[ImportedResponse],
    reimport: bool,
) -> tuple[list[tuple[Respondent, Contact | None]], int]:
    """The chunk's new respondents (outcome applied, to be added), after giving those
    whose answers changed the new ones; and how many changed. Only a `reimport` looks
    up who is on file already, and only the chunk's own people."""
    known = (
        store.respondents_by_external_id(screener.id, [row.external_id for row in rows])
        if reimport
        else {}
    )
    contacts = store.contacts_of(r.id for r in known.values()) if known else {}
    new: list[tuple[Respondent, Contact | None]] = []
    changed = 0
    for row in rows:
        answers: dict[str, Any] = dict(row.answers)
        if row.fraud:
            answers[FRAUD_KEY] = dict(row.fraud)
        contact = Contact(0, row.contact.name, row.contact.email, row.contact.phone)
        before = known.get(row.external_id)
        if before is not None and _same(
            before, contacts.get(before.id), answers, contact, row.duration_seconds
        ):
            continue
        outcome = evaluate(steps.defn, {k: v for k, v in answers.items() if k != FRAUD_KEY}, steps)
        if before is None:
            person = Respondent(
                0,
                screener.id,
                row.external_id,
                source=source,
                duration_seconds=row.duration_seconds,
                status=outcome.status,
                terminate_reason=outcome.terminate_reason,
                answers=answers,
            )
            new.append((person, contact))
            continue
        store.replace_answers(
            before, answers, contact=contact, source=source, duration_seconds=row.duration_seconds
        )
        store.set_outcome(before.id, outcome.status, outcome.terminate_reason)
        changed += 1
    return new, changed


def _same(
    stored: Respondent,
    stored_contact: Contact | None,
    answers: dict[str, Any],
    contact: Contact,
    duration_seconds: float | None,
) -> bool:
    """Whether a row says what the study already holds for that respondent (answers as
    stored, i.e. through JSON; contact; duration)."""
    held = stored_contact or Contact(stored.id)
    return (
        json.loads(json.dumps(answers, ensure_ascii=False)) == stored.answers
        and (held.name, held.email, held.phone) == (contact.name, contact.email, contact.phone)
        and stored.duration_seconds == duration_seconds
    )


@dataclass(frozen=True, slots=True)  # one per respondent, held through the copy search
class _Flaggable:
    """A stored respondent in the shape the quality checks read."""

    id: int
    external_id: str
    answers: Mapping[str, Any]  # the stored dict itself: the checks read question ids only
    duration_seconds: float | None
    status: str
    email: str
    phone: str
    fraud: dict[str, Any]


def assess(
    store: Store,
    defn: ScreenerDefinition,
    embedder: Embedder,
    progress: Progress | None = None,
    *,
    now: float | None = None,
) -> Assessment:
    """Score, flag and rank every respondent of the screener; store it all; fill quotas.

    `now` (default: the store's clock) is when "took part N months ago" is counted from.
    """
    screener = register_screener(store, defn)
    # Until this run has saved every chunk, no stored assessment is complete: a stop
    # part-way leaves scores of two runs side by side (`assessment_complete`).
    store.set_setting(_FINGERPRINT.format(screener.id), "")
    respondents = store.respondents(screener.id)
    step = progress or (lambda stage, done, total: None)
    outcomes: dict[int, Outcome] = {}
    paths: dict[Outcome, Outcome] = {}  # most people take one of a few paths: one record each
    steps = Steps(defn)  # the same answers recur: each worked out once
    for done, respondent in enumerate(respondents):
        if done % 1000 == 0:
            step("rules", done, len(respondents))
        outcome = evaluate(defn, answers_of(respondent), steps)
        outcomes[respondent.id] = paths.setdefault(outcome, outcome)
    del paths
    step("rules", len(respondents), len(respondents))
    known = store.contacts_of(r.id for r in respondents)
    contacts = {r.id: known.get(r.id) or Contact(r.id) for r in respondents}

    def embed(texts: list[str]) -> np.ndarray:
        return embed_cached(store, embedder, texts, lambda d, t: step("embedding", d, t))

    readings = Readings()  # the open-ended answers, split and judged once for both
    creativity = _creativity(defn, respondents, outcomes, embed, step, readings)
    at = store.now() if now is None else now
    flags = _flags(store, defn, respondents, outcomes, contacts, creativity, at, step, readings)
    del readings
    views = []
    known = KnownParts(defn)  # the same answers recur: each part spelt out once
    with saving_behind(store) as save:
        for start in range(0, len(respondents), SAVE_CHUNK):
            step("saving", start, len(respondents))
            saved: list[tuple[int, str, str]] = []
            scored: list[Score] = []
            flagged: list[Flag] = []
            for respondent in respondents[start : start + SAVE_CHUNK]:
                outcome = outcomes[respondent.id]
                saved.append((respondent.id, outcome.status, outcome.terminate_reason))
                if (respondent.status, respondent.terminate_reason) != saved[-1][1:]:
                    respondent = replace(
                        respondent, status=outcome.status, terminate_reason=outcome.terminate_reason
                    )
                scores, view = _score(
                    defn,
                    respondent,
                    outcome,
                    creativity.pop(respondent.id, None),  # saved: its notes can go
                    flags.pop(respondent.id, []),
                    known,
                )
                scored += scores
                flagged += view.flags
                views.append(view)
            save(saved, scored, flagged)  # a chunk at a time, behind: a stop keeps it
    step("saving", len(respondents), len(respondents))
    mark_assessed(store, defn, embedder)
    return Assessment(screener, *_fill(defn, views))


def mark_assessed(store: Store, defn: ScreenerDefinition, embedder: Embedder) -> None:
    """Record that the stored scores are one whole assessment of what is stored now,
    made with `embedder`'s model (`assessment_stands`, `assessment_complete`)."""
    screener = register_screener(store, defn)
    store.set_setting(_FINGERPRINT.format(screener.id), fingerprint(store, defn, embedder))


#: Respondents whose scores are saved in one transaction: each holds the write lock
#: briefly (the recruit screen and the live room keep writing), and a stopped run
#: keeps every chunk saved.
SAVE_CHUNK = 1000


#: The study setting that keeps the fingerprint of a screener's last assessment.
_FINGERPRINT = "assessment:{}"


def fingerprint(store: Store, defn: ScreenerDefinition, embedder: Embedder) -> str:
    """What an assessment of this screener reads, in one line: the definition, the model
    and the state of respondents and participation ledger."""
    return _fingerprint(store, defn, embedder.model_id)


def _fingerprint(store: Store, defn: ScreenerDefinition, model_id: str) -> str:
    screener = store.find_screener(defn.name, defn.study)
    state = store.screener_state(screener.id) if screener is not None else ()
    source = hashlib.sha256(defn.source.encode("utf-8")).hexdigest()
    return json.dumps([source, model_id, *state])


def assessment_complete(store: Store, defn: ScreenerDefinition) -> bool:
    """Whether the stored scores are one whole assessment of what is stored now, by
    whichever model made them: not a run stopped part-way (scores of two runs side by
    side), and nothing imported or changed since. No model is needed to tell."""
    screener = store.find_screener(defn.name, defn.study)
    stored = store.get_setting(_FINGERPRINT.format(screener.id)) if screener else None
    if not stored:
        return False
    return stored == _fingerprint(store, defn, json.loads(stored)[1])


def assessment_stands(store: Store, defn: ScreenerDefinition, embedder: Embedder) -> bool:
    """Whether the stored assessment is what `assess` would store now (nothing it reads
    has changed since), so the model need not load to rank again."""
    screener = store.find_screener(defn.name, defn.study)
    if screener is None:
        return False
    stored = store.get_setting(_FINGERPRINT.format(screener.id))
    return stored == fingerprint(store, defn, embedder)


#: The scores the ranked table shows; their explanations are read one person at a time.
TABLE_SCORES = ("involvement", "creativity", "composite")


def stored_assessment(store: Store, defn: ScreenerDefinition, screener: Screener) -> Assessment:
    """The last assessment as stored (no model, no re-scoring), with the quota fill redone:
    four queries however many respondents there are."""
    scores = store.score_values_of(screener.id, TABLE_SCORES)
    flags_of = store.flags_of(screener.id)
    views = []
    for respondent in store.respondents(screener.id):
        values = scores.get(respondent.id, {})
        flags = tuple(
            f for f in flags_of.get(respondent.id, []) if defn.flag_actions.get(f.kind) != "ignore"
        )
        views.append(
            CandidateView(
                respondent,
                values.get("involvement"),
                values.get("creativity"),
                values.get("composite"),
                flags,
                excluding_kinds(defn, flags) if flags else (),
                "",
                "",
                None,
            )
        )
    return Assessment(screener, *_fill(defn, views))


def administer(
    store: Store,
    defn: ScreenerDefinition,
    external_id: str,
    answers: dict[str, Any],
    contact: Contact | None = None,
    duration_seconds: float | None = None,
) -> Respondent:
    """Save a screener given live (e.g. on the phone) as one respondent, all at once."""
    screener = register_screener(store, defn)
    outcome = evaluate(defn, answers)
    with store.transaction():
        respondent = store.add_respondent(
            screener.id,
            external_id,
            answers,
            contact=contact,
            source=INTERVIEW,
            duration_seconds=duration_seconds,
        )
        if respondent is None:
            raise IdeationError(f"respondent {external_id!r} is already in this screener")
        store.set_outcome(respondent.id, outcome.status, outcome.terminate_reason)
        store.log(f"Screener “{defn.title}”: {external_id} interviewed ({outcome.status})")
    return store.respondent(respondent.id)


#: Rank points that put people already accepted ahead of everyone in the quota fill.
DECIDED_FIRST = 1000.0


def _fill(
    defn: ScreenerDefinition, views: list[CandidateView]
) -> tuple[tuple[CandidateView, ...], tuple[CellFill, ...]]:
    """Fill quotas around the recruiter's decisions: accepted people hold their places
    and people put on standby stand by (even when flagged or terminated: the recruiter
    overruled that), rejected people are out, and the rest follow in rank order."""
    unbacked = {
        view.respondent.id: found
        for view in views
        if (found := no_longer_backed(view.respondent, overruled_now(view)))
    }
    candidates = []
    for view in views:
        decision = view.respondent.decision
        if view.respondent.id in unbacked:
            decision = Decision.REJECTED  # holds no place until decided again
        scored = view.eligible and view.composite is not None
        boost = DECIDED_FIRST if decision is Decision.ACCEPTED else 0.0
        candidates.append(
            Candidate(
                f"{view.respondent.id:09d}",
                view.respondent.answers,  # the quotas read questions only, never "@" keys
                (view.composite or 0.0) + boost,
                decision in (Decision.ACCEPTED, Decision.STANDBY)
                or (scored and decision is not Decision.REJECTED),
                standby_only=decision is Decision.STANDBY,
            )
        )
    quota = fill_quotas(defn, candidates)
    return _ranked(views, quota, unbacked), quota.cells


def overrulings(terminate: str | None, flags: Iterable[Flag]) -> tuple[str, ...]:
    """What a place overrules, as a decision records it: "terminated (…)" when
    `terminate` is not None (the reason, perhaps ""), and "flagged <kind>: …" for each
    of the excluding `flags`."""
    found = []
    if terminate is not None:
        found.append(f"terminated ({terminate})" if terminate else "terminated")
    return (*found, *(f"flagged {f.kind}: {f.reason}" for f in flags))


def overruled_now(view: CandidateView) -> tuple[str, ...]:
    """What a place for this person overrules as their record stands."""
    respondent = view.respondent
    terminated = respondent.status == "terminated"
    return overrulings(
        respondent.terminate_reason if terminated else None,
        (f for f in view.flags if f.kind in view.excluded_by),
    )


def no_longer_backed(respondent: Respondent, overruled: Sequence[str]) -> tuple[str, ...]:
    """Of what an accepted or standby person's place overrules now (`overruled`, as
    `overruled_now` says it), what their decision did not: a terminate that came with
    corrected answers, a flag from scoring after the accept. Such a decision no longer
    stands: it holds no place and invites nobody until the recruiter decides again."""
    if respondent.decision not in (Decision.ACCEPTED, Decision.STANDBY):
        return ()
    recorded = respondent.decision_override
    return tuple(what for what in overruled if _overruled_kind(what) not in recorded)


def _overruled_kind(what: str) -> str:
    """The kind of an overruled entry, "terminated" or "flagged <kind>": what a recorded
    override is searched for, whatever the reason's wording is today."""
    return what.partition(":")[0].partition(" (")[0]


def excluding(defn: ScreenerDefinition, flags: Sequence[Flag]) -> list[Flag]:
    """The flags whose action in this screener is "exclude"."""
    return [f for f in flags if defn.flag_actions.get(f.kind) == "exclude"]


def excluding_kinds(defn: ScreenerDefinition, flags: Sequence[Flag]) -> tuple[str, ...]:
    """The kinds of the excluding flags, each once, in order: a view's `excluded_by`."""
    return tuple(dict.fromkeys(f.kind for f in excluding(defn, flags)))


def answers_of(respondent: Respondent) -> dict[str, Any]:
    """The answers to questions, without the fields an import keeps beside them."""
    return {k: v for k, v in respondent.answers.items() if not k.startswith("@")}


def _creativity(
    defn: ScreenerDefinition,
    respondents: Sequence[Respondent],
    outcomes: dict[int, Any],
    embed: Callable[[list[str]], Any],
    step: Progress,
    readings: Readings,
) -> dict[int, CreativityScore]:
    """Creativity for everyone who reached the open-ended tasks, pooled per task."""
    from ideation.screening.creativity import TaskAnswer, score_creativity

    tasks = [q for q in defn.questions if q.type == "creativity"]
    answers = [
        TaskAnswer(key, q.id, q.text, str(r.answers[q.id]))
        for r in respondents
        if outcomes[r.id].status != "terminated"
        for key in (str(r.id),)  # one key a respondent, not one a task
        for q in tasks
        if isinstance(r.answers.get(q.id), str) and r.answers[q.id].strip()
    ]
    if not answers:
        return {}
    scored = score_creativity(
        answers,
        embed=embed,
        weights=defn.dimension_weights.as_dict(),
        progress=step,
        readings=readings,
    )
    return {int(key): value for key, value in scored.items()}


def _flags(
    store: Store,
    defn: ScreenerDefinition,
    respondents: Sequence[Respondent],
    outcomes: dict[int, Any],
    contacts: dict[int, Contact],
    creativity: dict[int, CreativityScore],
    now: float,
    step: Progress,
    readings: Readings,
) -> dict[int, list[Flag]]:
    """Every respondent's flags. Near-duplicate open-ends reuse creativity scoring's
    vectors (see `_open_end_vectors`); respondents it did not score (terminated) are
    checked for exact copies only."""
    step("flags", 0, len(respondents))
    flaggable = [
        _Flaggable(
            r.id,
            r.external_id,
            r.answers,  # not `answers_of`: a copy each was 100 MB at 100,000 people
            None if r.source == INTERVIEW else r.duration_seconds,  # the recruiter's speed
            outcomes[r.id].status,
            contacts[r.id].email,
            contacts[r.id].phone,
            dict(r.answers.get(FRAUD_KEY) or {}),
        )
        for r in respondents
    ]
    found = quality_flags(
        flaggable,
        defn.questions,
        _open_end_vectors(creativity),
        progress=step,
        readings=readings,
    )
    result: dict[int, list[Flag]] = {
        rid: [Flag(rid, f.kind, f.reason) for f in flags] for rid, flags in found.items()
    }
    for rid, recent in _past_participation(store, defn, flaggable, now).items():
        result.setdefault(rid, []).append(Flag(rid, "past_participation", recent))
    step("flags", len(respondents), len(respondents))
    return result


def _open_end_vectors(
    creativity: dict[int, CreativityScore],
) -> Mapping[tuple[int, str], np.ndarray]:
    """(respondent, task) -> the answer's vector for near-duplicate checks: creativity
    scoring's mean of the answer's ideas, so nothing is embedded twice.

    For a list this is also the better judge: order-free and typo-tolerant. Of 94
    generated lists pasted in another order, the mean of ideas put all 94 at
    cosine ≥ 0.95, embedding the whole text only 46; with bullets added, 82 of 82
    against 45. Unrelated lists stay apart: among 1,000 random lists of 30 "brick"
    uses, no two reached 0.95 (the closest 0.934). The minimum length applies to
    the ideas the vector is made of, so "pen holder" padded with "idk", "no idea"…
    is as short as it looks.
    """
    comparable: dict[tuple[int, str], IdeaRows] = {}
    for rid, score in creativity.items():
        for task, scored in score.tasks.items():
            embedded = " ".join(n.text for n in scored.ideas if n.counted or n.repeat_of)
            if scored.idea_rows is not None and long_enough_to_compare(embedded):
                comparable[(rid, task)] = scored.idea_rows
    # Each vector worked out only when the copy search reads it (one answer per distinct
    # text) and let go once copied into its matrix: held all at once they were 430 MB at
    # 100,000 respondents.
    return OnDemand(comparable, lambda rows: rows.mean())


def identity_keys(contact: Contact | None) -> list[str]:
    """The keys that tie a respondent to one person across studies: the normalised
    email and phone (as the duplicate check normalises them), either one enough."""
    if contact is None:
        return []
    keys = [email_key(contact.email) if contact.email.strip() else ""]
    keys.append(phone_key(contact.phone) if contact.phone else "")
    return [key for key in keys if key]


def _past_participation(
    store: Store, defn: ScreenerDefinition, people: Sequence[_Flaggable], now: float
) -> dict[int, str]:
    """Ties each respondent to a person and says who attended a study too recently, by
    respondent id: two queries for the whole batch, not two per respondent."""
    links = [(who.id, identity_keys(Contact(who.id, "", who.email, who.phone))) for who in people]
    person_of = store.link_people([(rid, keys) for rid, keys in links if keys])
    last = store.last_participations(person_of.values(), excluding=defn.study or defn.title)
    recent: dict[int, str] = {}
    for rid, person in person_of.items():
        if person not in last:
            continue
        study, at = last[person]
        months = (now - at) / SECONDS_PER_MONTH
        if months >= defn.past_participation_months:
            continue
        day = time.strftime("%d %b %Y", time.localtime(at)).lstrip("0")
        recent[rid] = (
            f"took part on {day}, within the"
            f" {plural(defn.past_participation_months, 'month')} this screener excludes"
            f" (“{study}”)"
        )
    return recent


def _score(
    defn: ScreenerDefinition,
    respondent: Respondent,
    outcome: Any,
    creativity: Any,
    flags: list[Flag],
    known: KnownParts | None = None,
) -> tuple[list[Score], CandidateView]:
    """The stored scores and the recruiter's view of one respondent. The explanations
    are JSON text made of parts shared between respondents (involvement's `known`
    parts, creativity's idea notes), each encoded once."""
    actions = defn.flag_actions
    excluded = excluding_kinds(defn, flags)
    shown = tuple(f for f in flags if actions.get(f.kind) != "ignore")
    scores: list[Score] = []
    involvement = creative = composite = None
    if outcome.status != "terminated":
        inv = score_involvement(defn, answers_of(respondent), outcome, known)
        involvement = inv.score
        scores.append(Score(respondent.id, "involvement", inv.score, inv.explanation_json()))
        creative = creativity.score if creativity else 0.0
        scores.extend(_creativity_scores(respondent.id, creativity))
        penalty = RANK_DOWN_POINTS * sum(actions.get(f.kind) == "rank_down" for f in shown)
        composite = max(
            0.0,
            defn.weights.involvement * involvement + defn.weights.creativity * creative - penalty,
        )
        scores.append(
            Score(
                respondent.id,
                "composite",
                composite,
                {
                    "weights": {
                        "involvement": defn.weights.involvement,
                        "creativity": defn.weights.creativity,
                    },
                    "rank_down_points": penalty,
                },
            )
        )
    view = CandidateView(
        respondent, involvement, creative, composite, shown, excluded, "", "", None
    )
    return scores, view


def _creativity_scores(respondent_id: int, creativity: Any) -> list[Score]:
    if creativity is None:
        return [Score(respondent_id, "creativity", 0.0, {"note": "no open-ended answers"})]
    from ideation.screening.creativity import explanation_json

    explained = explanation_json(creativity)  # its ideas' notes encoded once, not per person
    return [
        Score(respondent_id, "creativity", creativity.score, explained),
        *(
            Score(respondent_id, dimension, getattr(creativity, dimension), "{}")  # JSON text
            for dimension in ("fluency", "flexibility", "originality", "elaboration")
        ),
    ]


def _decided_reason(respondent: Respondent, suggestion: str, unplaced: str) -> str:
    """Why someone accepted or put on standby (by the recruiter, or by the quota fill
    when it was applied) stands where the fill put them: their decision holds their
    place (said as an override when it overrode a terminate or a flag), never "in
    rank order", which the fill did not weigh for them now."""
    said = f"{respondent.decision.shown} by {respondent.decided_by.said}"
    if respondent.decision_override:
        said += f" as an override of: {respondent.decision_override}"
    if respondent.decision is Decision.ACCEPTED and suggestion != "accept":
        return f"{said}; beyond the fill ({unplaced})" if unplaced else said
    return f"{said}; holds a place" if suggestion == "accept" else said


def _ranked(
    views: list[CandidateView], quota: QuotaResult, unbacked: Mapping[int, tuple[str, ...]]
) -> tuple[CandidateView, ...]:
    """The views in rank order with the fill's suggestion and the reason for it;
    `unbacked`: what each decision that no longer stands did not override."""
    accepted = {int(i) for i in quota.accepted}
    standby = {int(i) for i in quota.standbys}
    why = {int(u.id): u.reason for u in quota.unplaced}
    ordered = sorted(views, key=lambda v: (not v.eligible, -(v.composite or -1), v.respondent.id))
    ranked = []
    for rank, view in enumerate(ordered, start=1):
        respondent = view.respondent
        rid, decision = respondent.id, respondent.decision
        suggestion = "accept" if rid in accepted else "standby" if rid in standby else ""
        if decision is Decision.REJECTED:
            reason = f"rejected by {respondent.decided_by.said}: {respondent.decision_reason}"
        elif rid in unbacked:
            reason = (
                f"{decision.shown} by {respondent.decided_by.said}, but now"
                f" {'; '.join(unbacked[rid])}: holds no place until decided again"
            )
        elif decision in (Decision.ACCEPTED, Decision.STANDBY):
            reason = _decided_reason(respondent, suggestion, why.get(rid, ""))
        elif suggestion == "accept":
            reason = "fills the quotas in rank order"
        elif suggestion == "standby":
            reason = "next in rank order"
        elif respondent.status == "terminated":
            reason = f"terminated: {respondent.terminate_reason}"
        elif view.excluded_by:
            reason = "excluded: " + ", ".join(view.excluded_by)
        elif view.composite is None:
            reason = "not scored yet"
        else:
            reason = why.get(rid, "")
        ranked.append(
            CandidateView(
                view.respondent,
                view.involvement,
                view.creativity,
                view.composite,
                view.flags,
                view.excluded_by,
                suggestion,
                reason,
                rank if view.eligible else None,
            )
        )
    return tuple(ranked)
