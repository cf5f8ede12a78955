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

from ideation.analysis.embed import Embedder
from ideation.errors import IdeationError
from ideation.live.clock import Clock
from ideation.records import Contact, Decision, Respondent, Screener
from ideation.screening.definition import ScreenerDefinition
from ideation.screening.pipeline import (
    Assessment,
    CandidateView,
    Progress,
    answers_of,
    assess,
    assessment_stands,
    excluding,
    identity_keys,
    register_screener,
    stored_assessment,
)
from ideation.screening.recruits import RecruitError, find_respondent
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


@dataclass(frozen=True)
class Decided:
    """A recorded decision: the respondent as stored now, and what an accept or a
    standby overrode (a terminate, excluding flags), for the recruiter to hear."""

    respondent: Respondent
    overruled: tuple[str, ...] = ()
    #: Recorded as an override (`--override`, a yes in the dialog): it overruled something.
    override: bool = False


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
    who is in it from the plan rather than the screener (perhaps a template's names)."""

    joined: tuple[str, ...]
    already: tuple[str, ...]
    from_plan: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    #: Names two participants now share: ideas could go to the wrong person.
    clashes: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{len(self.joined)} joined" + (
            " — " + ", ".join(self.joined) if self.joined else ""
        )
        if self.already:
            text += f"; already in the session: {', '.join(self.already)}"
        if self.from_plan:
            text += f"; also in it from the plan, not the screener: {', '.join(self.from_plan)}"
        if self.replaced:
            text += f"; the plan's {', '.join(self.replaced)} taken out"
        return text


class RecruitDesk:
    """One screener's recruiting in one study: ranking, decisions, the fill, invitations."""

    def __init__(self, store: Store, defn: ScreenerDefinition, clock: Clock) -> None:
        self.store = store
        self.defn = defn
        self.clock = clock
        self._screener: Screener | None = None

    @property
    def screener(self) -> Screener:
        """The screener as stored: found, or registered on first use."""
        if self._screener is None:
            found = self.store.find_screener(self.defn.name, self.defn.study)
            self._screener = found or register_screener(self.store, self.defn)
        return self._screener

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

    # -- deciding -----------------------------------------------------------------

    def find(self, external_id: str) -> Respondent:
        """The respondent with this survey id; the error names the likeliest one meant."""
        return find_respondent(self.store, self.defn, external_id)

    def overruled(self, respondent: Respondent) -> tuple[str, ...]:
        """What accepting this person overrules: a terminate, flags that exclude. The rules
        are asked too, so someone imported but not scored yet is no way round them."""
        found = []
        reason = respondent.terminate_reason
        if respondent.status != "terminated":
            outcome = evaluate(self.defn, answers_of(respondent))
            reason = outcome.terminate_reason if outcome.status == "terminated" else ""
        if respondent.status == "terminated" or reason:
            found.append(f"terminated ({reason})" if reason else "terminated")
        flags = excluding(self.defn, self.store.flags(respondent.id))
        found += [f"flagged {f.kind}: {f.reason}" for f in flags]
        return tuple(found)

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
        return Decided(stored, overruled, bool(overruled))

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
        if store.session(session_id).status == "ended":
            raise IdeationError(f"session {session_id} has ended; invite people to a new one")
        screener = register_screener(store, self.defn)
        self._screener = screener
        joined, already, replaced = [], [], []
        with store.transaction():
            if replace_plan_names:
                replaced = self.take_out_plan_names(session_id)
            seated = {p.respondent_id: p.label for p in store.participants(session_id)}
            accepted = [
                r for r in store.respondents(screener.id) if r.decision is Decision.ACCEPTED
            ]
            contacts = store.contacts_of(r.id for r in accepted)
            for respondent in accepted:
                if respondent.id in seated:
                    already.append(seated[respondent.id])
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
        from_plan = [p.label for p in people if p.respondent_id is None]
        labels = Counter(p.label for p in people)
        clashes = sorted(label for label, n in labels.items() if n > 1)
        return Invitation(
            tuple(joined), tuple(already), tuple(from_plan), tuple(replaced), tuple(clashes)
        )

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
