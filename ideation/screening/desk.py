"""Provides the recruit desk: every decision, the quota fill as decisions, invitations.

`RecruitDesk` is to recruiting what `LiveSession` is to a running session. The
command line and the recruit screen only call it, so each rule of the workflow
("a rejection needs a reason", "applying the fill is logged", "an ended session
takes nobody") is kept once, whichever door the recruiter comes through. It
ranks from the stored assessment (a few queries, no model) and scores again
only when something the assessment read has changed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ideation.analysis.embed import Embedder
from ideation.errors import IdeationError
from ideation.live.clock import Clock
from ideation.records import Contact, Decision, Respondent, Screener
from ideation.screening.answer_changes import reimports
from ideation.screening.definition import ScreenerDefinition
from ideation.screening.pipeline import (
    Assessment,
    CandidateView,
    Progress,
    answers_of,
    assess,
    assessment_complete,
    assessment_stands,
    excluding,
    identity_keys,
    no_longer_backed,
    overrulings,
    register_screener,
    stored_assessment,
)
from ideation.screening.quotas import cells_of as quota_cells
from ideation.screening.recruits import RecruitError, explain_respondent, find_respondent
from ideation.screening.rules import evaluate
from ideation.store import Store
from ideation.text import plural

#: The reason a rejection by the quota fill records when the fill gave none.
NO_PLACE = "no place in the quota fill"


class ReasonNeeded(RecruitError):
    """A rejection was asked for without a reason; one line."""


class OverrideNeeded(RecruitError):
    """An accept or a standby would overrule a terminate or an excluding flag, and the
    recruiter has not said they mean to override it; one line."""


class NotScored(RecruitError):
    """The quota fill was asked to decide on people nobody has scored; one line."""


#: Why the fill waits when the stored scores are not one whole, current assessment.
STALE_SCORES = (
    "the stored scores are from a run that was stopped, or from before the last import:"
    " score again first (s, or `ideation screen`), or the fill would go by them"
)


@dataclass(frozen=True)
class Decided:
    """A recorded decision: the respondent as stored now, and what an accept or a
    standby overrode (a terminate, excluding flags), for the recruiter to hear."""

    respondent: Respondent
    overruled: tuple[str, ...] = ()
    #: Recorded as an override (`--override`, a yes in the dialog): it overruled something.
    override: bool = False
    #: After an accept beyond the places: "7 accepted for 6 places", else "".
    over_places: str = ""


@dataclass(frozen=True)
class FillPlan:
    """What applying the quota fill would decide, for the recruiter to confirm first."""

    undecided: int
    unscored: tuple[str, ...]  # undecided people nobody has scored (their survey ids)
    accept: int
    standby: int
    reject: int
    accepted_already: int
    places: int
    #: The stored scores are one whole assessment of what is stored now (no run stopped
    #: part-way, nothing imported since): the fill may go by them.
    current: bool = True

    @property
    def accepted_after(self) -> int:
        """How many are accepted once the fill is applied (it ignores earlier accepts)."""
        return self.accepted_already + self.accept

    @property
    def over_places(self) -> bool:
        return self.accepted_already > 0 and self.accepted_after > self.places


@dataclass(frozen=True)
class Invitation:
    """Who an invite brought into the session, who was there from an earlier one, and
    who is in it from the plan rather than the screener (perhaps a template's names).
    The plan's people with a role (the problem owner) are neither: they are no recruit
    and no template's name, so nothing offers to take them out."""

    joined: tuple[str, ...]
    already: tuple[str, ...]
    from_plan: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    #: Names two participants now share: ideas could go to the wrong person.
    clashes: tuple[str, ...] = ()
    #: The plan's names that taking out plan names would remove (said nothing, no role).
    replaceable: tuple[str, ...] = ()
    #: Accepted people not seated: their place now overrules something their decision
    #: did not (corrected answers that terminate, a flag from later scoring), as
    #: "R_0949: terminated (under age)".
    held_back: tuple[str, ...] = ()
    #: "8 accepted for 6 places" when the recruit is past its target, else "".
    over_places: str = ""

    def __str__(self) -> str:
        text = f"{len(self.joined)} joined" + (
            " — " + ", ".join(self.joined) if self.joined else ""
        )
        if self.over_places:
            text += f" ({self.over_places})"
        if self.held_back:
            text += (
                f"; not invited, as their decision no longer stands: {'; '.join(self.held_back)}"
                " (decide again: accept with --override, or reject)"
            )
        if self.already:
            text += f"; already in the session: {', '.join(self.already)}"
        if self.from_plan:
            text += f"; also in it from the plan, not the screener: {', '.join(self.from_plan)}"
        if self.replaced:
            text += f"; the plan's {', '.join(self.replaced)} taken out"
        return text


@dataclass(frozen=True)
class CandidateRow:
    """One candidate as a front door lists them: the stored view and the status the
    rules give now. Someone not scored yet (imported or interviewed since the last
    scoring, or stored under an older definition) still has the status on file, so
    the rules (pure and fast) say who terminated, and why."""

    view: CandidateView
    status: str
    scored: bool
    #: The rules' reason when they terminate someone not scored yet ("" otherwise).
    rules_reason: str = ""

    @property
    def respondent(self) -> Respondent:
        return self.view.respondent

    @property
    def eligible(self) -> bool:
        return self.status == "complete" and not self.view.excluded_by

    @property
    def reason(self) -> str:
        """Why they stand where they stand: the fill's reason, once scored."""
        return self.view.suggestion_reason if self.scored else "not scored yet"


@dataclass(frozen=True)
class QuotaLine:
    """One quota cell: how the fill suggests filling it and how many are accepted."""

    quota: str
    cell: str
    filled: int  # suggested by the fill
    min: int
    max: int
    accepted: int  # decided by the recruiter

    @property
    def over(self) -> bool:
        return self.accepted > self.max

    @property
    def met(self) -> bool:
        return self.accepted >= self.min


@dataclass(frozen=True)
class Board:
    """Everything the recruit screen shows of a screener, worked out here so the
    screen only displays it: candidates in order (the ineligible last), the quota
    cells, places and standbys."""

    rows: tuple[CandidateRow, ...]
    quotas: tuple[QuotaLine, ...]
    places: int  # the fill's suggested accepts
    target: int
    accepted: int
    on_standby: int
    standbys: int  # the standby places the screener wants

    @property
    def statuses(self) -> Counter[str]:
        return Counter(row.status for row in self.rows)

    @property
    def excluded(self) -> int:
        return sum(bool(row.view.excluded_by) for row in self.rows)

    @property
    def unscored(self) -> int:
        return sum(not row.scored for row in self.rows)


class RecruitDesk:
    """One screener's recruiting in one study: ranking, decisions, the fill, invitations."""

    def __init__(self, store: Store, defn: ScreenerDefinition, clock: Clock) -> None:
        self.store = store
        self.defn = defn
        self.clock = clock
        self._screener: Screener | None = None
        #: The rules' word on people not scored yet, by respondent: (answers, said).
        self._rules: dict[int, tuple[dict[str, Any], tuple[str, str]]] = {}

    @property
    def screener(self) -> Screener:
        """The screener as stored: found, or registered on first use."""
        if self._screener is None:
            found = self.store.find_screener(self.defn.name, self.defn.study)
            self._screener = found or register_screener(self.store, self.defn)
        return self._screener

    def differs_from_stored(self) -> bool:
        """Whether the screener file read differs from the definition its respondents
        were imported and scored under. Only `screen` replaces the stored definition (and
        says so); an invitation or a decision never rewrites it behind the recruiter."""
        found = self.store.find_screener(self.defn.name, self.defn.study)
        return found is not None and found.source != self.defn.source

    @property
    def study(self) -> str:
        """The name participation history records, and past participation excludes."""
        return self.defn.study or self.defn.title

    # -- ranking ------------------------------------------------------------------

    def assessment(self) -> Assessment:
        """The stored assessment with the quota fill redone around today's decisions."""
        return stored_assessment(self.store, self.defn, self.screener)

    def score(self, embedder: Embedder, progress: Progress | None = None) -> Assessment:
        """Score everyone again (rules, involvement, creativity, flags) and store it."""
        assessment = assess(self.store, self.defn, embedder, progress, now=self.clock.now())
        self._screener = assessment.screener
        return assessment

    def ranked(self, embedder: Embedder, progress: Progress | None = None) -> Assessment:
        """The stored assessment when it still stands (nothing it read has changed), else
        a new one: the model loads only when scoring is needed."""
        if assessment_stands(self.store, self.defn, embedder):
            return self.assessment()
        return self.score(embedder, progress)

    def board(self, assessment: Assessment | None = None) -> Board:
        """The candidates as the screen lists them, the quota cells with what is
        accepted in each, places and standbys: the screen applies no rule itself."""
        assessment = assessment or self.assessment()
        rows = []
        for view in assessment.candidates:
            status, reason = view.respondent.status, ""
            if not view.scored:
                status, reason = self._rules_say(view.respondent)
            rows.append(CandidateRow(view, status, view.scored, reason))
        rows.sort(key=lambda row: not row.eligible)
        decisions = Counter(view.respondent.decision for view in assessment.candidates)
        accepted: Counter[tuple[int, int]] = Counter()
        for view in assessment.candidates:
            if view.respondent.decision is Decision.ACCEPTED:
                accepted.update(quota_cells(self.defn, view.respondent.answers))
        names = {
            (quota.name, cell.answer): accepted[(q, c)]
            for q, quota in enumerate(self.defn.quotas)
            for c, cell in enumerate(quota.cells)
        }
        quotas = tuple(
            QuotaLine(
                cell.quota,
                cell.cell,
                cell.filled,
                cell.min,
                cell.max,
                names.get((cell.quota, cell.cell), 0),
            )
            for cell in assessment.cells
        )
        return Board(
            tuple(rows),
            quotas,
            places=sum(view.suggestion == "accept" for view in assessment.candidates),
            target=self.defn.target_participants,
            accepted=decisions[Decision.ACCEPTED],
            on_standby=decisions[Decision.STANDBY],
            standbys=self.defn.standbys,
        )

    def _rules_say(self, respondent: Respondent) -> tuple[str, str]:
        """(status, terminate reason) by the rules, for someone not scored yet. Kept per
        respondent while their answers are the same object (the store hands out one
        decoded dict until answers change), so a key press does not run the rules for
        thousands of unscored people again."""
        kept = self._rules.get(respondent.id)
        if kept is not None and kept[0] is respondent.answers:
            return kept[1]
        outcome = evaluate(self.defn, answers_of(respondent))
        said = (
            outcome.status,
            outcome.terminate_reason if outcome.status == "terminated" else "",
        )
        self._rules[respondent.id] = (respondent.answers, said)
        return said

    # -- explaining -----------------------------------------------------------------

    def explain(self, respondent: Respondent, *, how_to_score: str) -> str:
        """Why this person stands where they stand: every score with its reasons and
        every flag with its evidence; for someone not scored yet, that they are not (and
        what the rules say meanwhile) and `how_to_score`, which each front door words
        its own way; and what re-imports changed in their answers, and when."""
        scores = self.store.scores(respondent.id)
        head, _, rest = explain_respondent(
            self.store, respondent, self.defn, scores=scores
        ).partition("\n")
        lines = [head]
        if "involvement" not in scores and respondent.status != "terminated":
            outcome = evaluate(self.defn, answers_of(respondent))
            if outcome.status == "terminated":
                lines.append(f"the rules say: terminated ({outcome.terminate_reason})")
            lines.append(f"not scored yet: {how_to_score}")
        lines += [rest] if rest else []
        changed = [line for done in reimports(self.store, respondent) for line in done.lines()]
        if changed:
            lines.append("answers changed by re-imports (the replaced ones are kept):")
            lines += [f"  {line}" for line in changed]
        return "\n".join(lines)

    # -- deciding -----------------------------------------------------------------

    def find(self, external_id: str) -> Respondent:
        """The respondent with this survey id; the error names the likeliest one meant."""
        return find_respondent(self.store, self.defn, external_id)

    def overruled(self, respondent: Respondent) -> tuple[str, ...]:
        """What accepting this person overrules: a terminate, flags that exclude. The rules
        are asked too, so someone imported but not scored yet is no way round them."""
        reason = respondent.terminate_reason
        if respondent.status != "terminated":
            outcome = evaluate(self.defn, answers_of(respondent))
            reason = outcome.terminate_reason if outcome.status == "terminated" else ""
        terminated = respondent.status == "terminated" or bool(reason)
        flags = excluding(self.defn, self.store.flags(respondent.id))
        return overrulings(reason if terminated else None, flags)

    def unbacked(self, respondent: Respondent) -> tuple[str, ...]:
        """What an accepted or standby person's place overrules that their decision did
        not: a terminate that came with corrected answers, or an excluding flag from
        scoring after they were accepted. Such a decision no longer stands."""
        if respondent.decision not in (Decision.ACCEPTED, Decision.STANDBY):
            return ()
        return no_longer_backed(respondent, self.overruled(respondent))

    def overrides(self, respondent: Respondent, decision: Decision) -> tuple[str, ...]:
        """What this decision would overrule: for an accept or a standby (either can
        seat the person), a terminate and excluding flags; nothing for the rest."""
        if decision not in (Decision.ACCEPTED, Decision.STANDBY):
            return ()
        return self.overruled(respondent)

    def decide(
        self,
        respondent: Respondent,
        decision: Decision,
        reason: str = "",
        *,
        override: bool = False,
    ) -> Decided:
        """Record the recruiter's decision at once. A rejection needs a reason. An accept
        or a standby over a terminate or an excluding flag needs `override` (the
        recruiter said they mean it) and records what it overrode with the decision."""
        reason = reason.strip()
        if decision is Decision.REJECTED and not reason:
            raise ReasonNeeded(
                f"{respondent.external_id}: a rejection needs a reason, for the record"
            )
        overruled = self.overrides(self.store.respondent(respondent.id), decision)
        if overruled and not override:
            raise OverrideNeeded(
                f"{respondent.external_id} was {overruled[0]}"
                + (f" (and {len(overruled) - 1} more)" if len(overruled) > 1 else "")
                + f"; {decision.shown} only as an override"
            )
        self.store.set_decision(respondent.id, decision, reason, "; ".join(overruled))
        stored = self.store.respondent(respondent.id)
        over = self.over_places() if decision is Decision.ACCEPTED else ""
        return Decided(stored, overruled, bool(overruled), over)

    def over_places(self) -> str:
        """The line "7 accepted for 6 places" when more are accepted than the screener
        has places, else "": an accept or an invitation past the target says so."""
        accepted = self.store.count_decided(self.screener.id, Decision.ACCEPTED)
        places = self.defn.target_participants
        return f"{accepted} accepted for {places} places" if accepted > places else ""

    # -- the quota fill as decisions ------------------------------------------------

    def fill_plan(self, assessment: Assessment | None = None) -> FillPlan:
        """What `apply_fill` would decide for everyone undecided."""
        views = (assessment or self.assessment()).candidates
        undecided = [v for v in views if not v.respondent.decision]
        suggested = Counter(Decision.from_suggestion(v.suggestion) for v in undecided)
        return FillPlan(
            undecided=len(undecided),
            unscored=tuple(v.respondent.external_id for v in undecided if not v.scored),
            accept=suggested[Decision.ACCEPTED],
            standby=suggested[Decision.STANDBY],
            reject=suggested[Decision.REJECTED],
            accepted_already=sum(v.respondent.decision is Decision.ACCEPTED for v in views),
            places=self.defn.target_participants,
            current=assessment_complete(self.store, self.defn),
        )

    def apply_fill(self) -> int:
        """Decide everyone undecided as the quota fill suggests, log it, return how many.
        Refused while an undecided person is unscored: the fill would reject them."""
        assessment = self.assessment()
        plan = self.fill_plan(assessment)
        if plan.unscored:
            raise NotScored(
                f"{plural(len(plan.unscored), 'undecided person', 'undecided people')}"
                f" not scored yet ({plan.unscored[0]}…): score first, or the fill would"
                " reject them"
            )
        if not plan.current:
            raise NotScored(STALE_SCORES)
        decided = [
            (view.respondent.id, *self._suggested(view))
            for view in assessment.candidates
            if not view.respondent.decision
        ]
        with self.store.transaction():
            self.store.set_decisions(decided)
            if decided:
                self.store.log(
                    f"Screener “{self.defn.title}”: quota fill applied — {plan.accept} accepted,"
                    f" {plan.standby} standby, {plan.reject} rejected"
                )
        return len(decided)

    @staticmethod
    def _suggested(view: CandidateView) -> tuple[Decision, str]:
        decision = Decision.from_suggestion(view.suggestion)
        reason = view.suggestion_reason or (NO_PLACE if decision is Decision.REJECTED else "")
        return decision, reason

    # -- invitations ----------------------------------------------------------------

    def invite(self, session_id: int, *, replace_plan_names: bool = False) -> Invitation:
        """Accepted respondents join the session (first names only) and their history.

        With `replace_plan_names`, the plan's participants who have said nothing
        (a template's example names) leave first, so the recruits' names are free.
        """
        store = self.store
        self._open_session(session_id)
        screener = self.screener  # as stored: an invitation never rewrites the screener
        joined, already, replaced = [], [], []
        with store.transaction():
            if replace_plan_names:
                replaced = self.take_out_plan_names(session_id)
            seated = {p.respondent_id: p.label for p in store.participants(session_id)}
            accepted = [
                r for r in store.respondents(screener.id) if r.decision is Decision.ACCEPTED
            ]
            contacts = store.contacts_of(r.id for r in accepted)
            held_back = []
            for respondent in accepted:
                if respondent.id in seated:
                    already.append(seated[respondent.id])
                    continue
                if unbacked := self.unbacked(respondent):
                    held_back.append(f"{respondent.external_id}: {'; '.join(unbacked)}")
                    continue
                contact = contacts.get(respondent.id)
                label = self._label(session_id, respondent, contact)
                person = store.person_of(respondent.id)
                keys = identity_keys(contact)
                if person is None and keys:
                    person = store.link_person(respondent.id, keys)
                store.add_respondent_participant(session_id, label, respondent.id, person)
                if person is not None:  # invited bars nobody: only attendance counts
                    store.record_invitation(person, self.study, session_id, self.clock.now())
                joined.append(label)
            if joined:
                store.log(f"{len(joined)} accepted respondents invited to session {session_id}")
        people = store.participants(session_id)
        from_plan = [p.label for p in people if p.respondent_id is None and not p.role]
        labels = Counter(p.label for p in people)
        clashes = sorted(label for label, n in labels.items() if n > 1)
        replaceable = [label for _, label in store.unused_plan_participants(session_id)]
        return Invitation(
            tuple(joined),
            tuple(already),
            tuple(from_plan),
            tuple(replaced),
            tuple(clashes),
            tuple(replaceable),
            tuple(held_back),
            self.over_places(),
        )

    def plan_names(self, session_id: int) -> tuple[str, ...]:
        """The plan's names that inviting with `replace_plan_names` would take out (said
        nothing, no role), to ask about before inviting; refused for an ended session."""
        self._open_session(session_id)
        return tuple(label for _, label in self.store.unused_plan_participants(session_id))

    def _open_session(self, session_id: int) -> None:
        if self.store.session(session_id).status == "ended":
            raise IdeationError(f"session {session_id} has ended; invite people to a new one")

    def take_out_plan_names(self, session_id: int) -> list[str]:
        """The plan's participants who have said nothing leave the session (a template's
        example names, so the recruits are the room); returns their names."""
        with self.store.transaction():
            return self.store.remove_unused_plan_participants(session_id)

    def _label(self, session_id: int, respondent: Respondent, contact: Contact | None) -> str:
        """A first name, made unique in the room (initial, then a number) so `Tom:` is
        never ambiguous; the one already given to this respondent if invited before."""
        people = self.store.participants(session_id)
        mine = next((p.label for p in people if p.respondent_id == respondent.id), None)
        if mine:
            return mine
        taken = {p.label.casefold() for p in people}
        words = contact.name.split() if contact and contact.name.strip() else []
        label = words[0] if words else respondent.external_id
        if label.casefold() in taken and len(words) > 1:
            label = f"{words[0]} {words[-1][0]}."
        base, number = label, 2
        while label.casefold() in taken:
            label, number = f"{base} {number}", number + 1
        return label
