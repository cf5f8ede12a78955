"""Provides the running session: phase control, capture, and the live picture.

`LiveSession` is everything the live screen does, without the screen: it
writes each action to the store first (the phase log, the idea) and only then
updates what it holds in memory, so a crash between the two loses nothing and
a restart rebuilds the same state from the database.

One session has one controller. Whoever writes first takes the session's
lease in the store (`claim`); a second `LiveSession` on the same session
only watches (`watch`, `follow`) and every write it tries raises
`SessionHeld`, whichever front door calls it.

The Synectics chain lives here too: at a decision point the problem owner
picks one entry (`pick`), the picks so far make the `chain`, and `guide`
fills the next technique's say-text and card from it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from ideation.errors import IdeationError, SessionHeld
from ideation.live.capture import Capture, parse_capture
from ideation.live.clock import Clock
from ideation.live.critique import Critique, detect_critique
from ideation.live.flow import (
    FlowSignal,
    Quiet,
    Share,
    build_on_rate,
    flow_signal,
    ideas_per_minute,
    live_ideas,
    participation,
    quiet_participants,
)
from ideation.live.plan import Brief, PlanError, SessionPlan, parse_plan
from ideation.live.techniques import (
    PICK_STEPS,
    PLACEHOLDERS,
    Technique,
    aim,
    fill,
    missing_pick,
    technique,
    thing,
)
from ideation.live.timing import TimerState, timer_state
from ideation.records import Idea, Participant, Phase, PhaseEvent, Pick, Session
from ideation.store import Store, lease_holder

#: Minutes of silence before a participant is shown as quiet.
QUIET_AFTER_SECONDS = 300
#: A write renews the lease when it was last renewed this long ago (the store
#: lets a lease lapse after 20 s without renewal).
RENEW_EVERY_SECONDS = 5
#: The critique nudge stays up until this many uncritical entries follow it.
NUDGE_LASTS_FOR = 3


class CaptureError(IdeationError, ValueError):
    """A line that cannot become an idea; the typed text stays in the box."""


@dataclass(frozen=True)
class Chain:
    """The Synectics chain so far: the latest pick of each step (None = not yet)."""

    springboard: Idea | None = None
    example: Idea | None = None
    feeling: Idea | None = None
    book_title: Idea | None = None
    fantasy_example: Idea | None = None
    developed: Idea | None = None  # the idea itemized response works on

    def steps(self) -> list[tuple[str, Idea]]:
        """The picks made, in chain order, named as the guide shows them."""
        names = {step: pick for pick, step in PICK_STEPS.items()}
        out = []
        for f in fields(self):
            idea = getattr(self, f.name)
            if idea is not None:
                out.append((names["idea" if f.name == "developed" else f.name], idea))
        return out

    def values(self) -> dict[str, str | None]:
        """Placeholder values for the technique templates."""
        values: dict[str, str | None] = {}
        for name in PLACEHOLDERS:
            idea = getattr(self, "developed" if name == "idea" else name)
            values[name] = idea.text if idea else None
        if self.springboard is not None:
            values["springboard"] = aim(self.springboard.text)
        if self.example is not None:
            values["example"] = thing(self.example.text)
        return values


@dataclass(frozen=True)
class Guide:
    """What the guide shows for the current phase, plain text, filled from the chain."""

    say: str
    card: str | None  # the chain's stimulus card; None = the plan's prompts
    pick_hint: str | None  # what to pick and from where, when a pick is due or missing
    notes: str  # the plan's facilitator notes for this phase


@dataclass(frozen=True)
class Captured:
    """A committed idea and what the facilitator may want to know about it."""

    idea: Idea
    critique: Critique | None
    builds_on: Idea | None
    note: str = ""  # something the facilitator should know, e.g. a +N that named nothing


@dataclass(frozen=True)
class Ruling:
    """What the capture rules make of one entry before it is written (`LiveSession.rule`)."""

    phase: Phase | None
    entry: str
    critique: Critique | None
    builds_on: Idea | None

    def fields(self, participant_id: int | None) -> dict[str, Any]:
        """The entry's columns for `Store.add_idea`, attributed to `participant_id`."""
        return {
            "participant_id": participant_id,
            "phase_id": self.phase.id if self.phase else None,
            "technique": self.phase.technique if self.phase else "",
            "builds_on": self.builds_on.id if self.builds_on else None,
            "entry": self.entry,
        }


def start_session(store: Store, plan: SessionPlan, name: str | None = None) -> Session:
    """Create a session from a plan: its agenda and participants copied in."""
    plan_row = store.add_plan(plan.name, plan.source, plan.path)
    return store.create_session(
        name or plan.name, plan_row.id, plan.session_phases(), plan.session_participants()
    )


#: What each decision point chooses among: a springboard is a "How to… / I wish…"
#: statement; an excursion step picks from the material that step produced; itemized
#: response develops an idea (a force-fit idea, or a springboard restated as one).
PICKABLE: dict[str, tuple[str, ...]] = {
    "springboard": ("springboard",),
    "example": ("excursion",),
    "feeling": ("excursion",),
    "book title": ("excursion",),
    "fantasy example": ("excursion",),
    "idea to develop": ("idea", "springboard"),
}


def _check_pickable(step: str, entry: Idea, phase: Phase) -> None:
    """Refuse a pick that would break the chain: the wrong kind of entry, or (in an
    excursion step) material from another step."""
    kinds = PICKABLE.get(step, ())
    if kinds and entry.entry not in kinds:
        wanted = " or ".join(kinds)
        raise CaptureError(
            f"the {step} is picked from {wanted} entries; +{entry.seq} is {entry.entry}"
        )
    if kinds == ("excursion",) and entry.phase_id != phase.id:
        raise CaptureError(
            f"the {step} is picked from this step's material; +{entry.seq} is from another phase"
        )


class LiveSession:
    """One session being run; all state is derived from what the store holds."""

    def __init__(
        self, store: Store, session_id: int, clock: Clock, *, holder: str | None = None
    ) -> None:
        """`holder` names this controller in the lease ("label@host:pid")."""
        self.store = store
        self.clock = clock
        self.holder = holder or lease_holder("ideation")
        self.watching = False  # another controller holds the lease: writes raise SessionHeld
        self._holds = False
        self._renewed_at = 0.0
        self.session = store.session(session_id)
        self.phases: list[Phase] = store.phases(session_id)
        self.participants: list[Participant] = store.participants(session_id)
        self.events: list[PhaseEvent] = store.phase_log(session_id)
        self.rows: list[Idea] = store.idea_rows(session_id)
        self._by_seq = {row.seq: row for row in self.rows if row.kind == "idea"}
        self._by_id = {row.id: row for row in self.rows if row.kind == "idea"}
        self._withdrawn = {row.replaces for row in self.rows if row.kind == "withdrawal"}
        #: The rows held, and the highest id read from the store: `catch_up` takes in rows
        #: other writers (the room's devices) committed, even after this one wrote a later.
        self._row_ids = {row.id for row in self.rows}
        self._read_up_to = max(self._row_ids, default=0)
        self._standing: list[Idea] | None = None
        self.picks: list[Pick] = store.picks(session_id)
        self._nudge: Critique | None = None
        self._nudge_idea: Idea | None = None
        self._nudge_phase: int | None = None
        self._since_nudge = 0
        self.brief: Brief | None = None
        self.plan: SessionPlan | None = None  # the plan as loaded when the session began
        if self.session.plan_id is not None:
            plan = store.plan(self.session.plan_id)
            try:
                self.plan = parse_plan(plan.source, plan.path)
                self.brief = self.plan.brief
            except PlanError:
                self.brief = None  # a plan edited after the session began still runs

    # -- the lease: one controller per session ----------------------------------

    @property
    def holds_lease(self) -> bool:
        return self._holds

    def claim(self) -> None:
        """Take control of the session; raises `SessionHeld` naming the current holder."""
        self.store.take_lease(self.session.id, self.holder)
        self._holds, self.watching = True, False
        self._renewed_at = self.clock.now()

    def watch(self) -> None:
        """Give up control (or never take it): this session is only followed from here on."""
        self._holds, self.watching = False, True

    def renew(self) -> bool:
        """Keep the lease alive; False (and watching) when someone else has taken it."""
        if not self._holds:
            return False
        if not self.store.renew_lease(self.session.id, self.holder):
            self.watch()
            return False
        self._renewed_at = self.clock.now()
        return True

    def keep_alive(self) -> bool:
        """Renew the lease when due; False once someone else has taken the session."""
        if not self._holds:
            return False
        if self.clock.now() - self._renewed_at < RENEW_EVERY_SECONDS:
            return True
        return self.renew()

    def release(self) -> None:
        """Hand the session back, so another screen may run it at once."""
        if self._holds:
            self._holds = False
            self.store.release_lease(self.session.id, self.holder)

    def controller(self) -> str:
        """Who runs the session now, for a watching screen's banner."""
        lease = self.store.lease(self.session.id)
        return lease.holder if lease else "nobody"

    def _require_lease(self) -> None:
        """Every write goes through here: take the lease on first use, keep it fresh,
        and refuse while another controller holds it."""
        if self.watching:
            raise SessionHeld(
                f"session {self.session.id} is run by {self.controller()}; this one only watches"
            )
        if not self._holds:
            self.claim()
        elif not self.keep_alive():
            raise SessionHeld(f"session {self.session.id} was taken over by {self.controller()}")

    def follow(self) -> list[Idea]:
        """Catch up with what the controller wrote; returns the rows new to this one."""
        session_id = self.session.id
        self.session = self.store.session(session_id)
        self.events = self.store.phase_log(session_id)
        self.participants = self.store.participants(session_id)
        self.picks = self.store.picks(session_id)
        return self.catch_up()

    def catch_up(self) -> list[Idea]:
        """Take in the rows other writers committed (the room's devices, a screen that
        ran the session before), in id order; returns them. One indexed query, so the
        controller calls it on every tick."""
        fresh = self.store.idea_rows(self.session.id, after_id=self._read_up_to)
        if fresh:
            self._read_up_to = fresh[-1].id
        new = [row for row in fresh if row.id not in self._row_ids]
        for row in new:
            self._remember(row)
        return new

    # -- time -----------------------------------------------------------------

    @property
    def planned(self) -> list[int]:
        return [phase.planned_seconds for phase in self.phases]

    def state(self) -> TimerState:
        return timer_state(self.planned, self.events, self.clock.now())

    @property
    def current_phase(self) -> Phase | None:
        return self.phase_at(self.clock.now())

    def phase_at(self, at: float) -> Phase | None:
        """The phase running at `at` (only the phase log up to then counts)."""
        events = [e for e in self.events if e.at <= at]
        position = timer_state(self.planned, events, at).position
        return None if position is None else self.phases[position]

    @property
    def current_technique(self) -> Technique | None:
        phase = self.current_phase
        return technique(phase.technique) if phase else None

    def _log(self, kind: str, **fields: object) -> PhaseEvent:
        if self.state().ended:
            raise CaptureError("the session has ended")
        self._require_lease()
        event = self.store.log_phase_event(self.session.id, kind, at=self.clock.now(), **fields)
        self.events.append(event)
        return event

    # -- session state ---------------------------------------------------------

    @property
    def anonymous_mode(self) -> bool:
        """New entries are captured without a name while on; stored with the session."""
        return self.session.anonymous_mode

    @anonymous_mode.setter
    def anonymous_mode(self, on: bool) -> None:
        self._require_lease()
        self.store.set_anonymous_mode(self.session.id, on)
        self.session = self.store.session(self.session.id)

    @property
    def problem_owner(self) -> Participant | None:
        return next((p for p in self.participants if p.role == "problem_owner"), None)

    def go_to(self, position: int, note: str = "") -> None:
        """Start any phase; going back or skipping is allowed and shows in the log."""
        if not 0 <= position < len(self.phases):
            raise CaptureError(f"there is no phase {position + 1}")
        current = self.state().position
        if not note and current is not None and position != current + 1:
            note = "back" if position <= current else "skip"
        if self.session.status != "running":
            self._require_lease()
            self.store.set_session_status(self.session.id, "running", at=self.clock.now())
            self.session = self.store.session(self.session.id)
        self._log("start", position=position, note=note)
        self._clear_nudge()

    def next_phase(self) -> bool:
        """Move on; False at the last phase (ending is a separate, deliberate act)."""
        current = self.state().position
        target = 0 if current is None else current + 1
        if target >= len(self.phases):
            return False
        self.go_to(target)
        return True

    def previous_phase(self) -> bool:
        current = self.state().position
        if not current:
            return False
        self.go_to(current - 1)
        return True

    def toggle_pause(self) -> bool:
        """Pause or resume; returns whether the session is now paused."""
        state = self.state()
        if state.position is None:
            return False
        self._log("resume" if state.paused else "pause")
        return not state.paused

    def extend(self, minutes: int) -> None:
        if self.state().position is None:
            raise CaptureError("start a phase before extending it")
        self._log("extend", seconds=minutes * 60)

    def end(self) -> None:
        self._log("end")
        self.store.set_session_status(self.session.id, "ended", at=self.clock.now())
        self.session = self.store.session(self.session.id)

    # -- ideas ----------------------------------------------------------------

    def parse(self, line: str) -> Capture:
        return parse_capture(line, self.participants)

    def capture(
        self, line: str, speaker: Participant | None = None, at: float | None = None
    ) -> Captured:
        """Commit one typed line as an idea (prefixes parsed), then report on it.

        Only a line with no idea in it is refused. A `+N` that names no idea is
        kept in the text, unlinked, and a line typed after the end is still
        recorded: what the room said matters more than tidy links. `at` is when
        it was typed (a line kept while the study was busy is committed later,
        in the phase it was said in).
        """
        parsed = self.parse(line)
        if not parsed.text:
            raise CaptureError("type the idea after the prefix")
        text, notes, builds_on = parsed.text, [], None
        if parsed.note:
            notes.append(parsed.note)
        if parsed.builds_on_seq is not None:
            builds_on = self._by_seq.get(parsed.builds_on_seq)
            if builds_on is None:
                text = f"+{parsed.builds_on_seq} {text}"
                notes.append(f"there is no idea +{parsed.builds_on_seq}: captured without the link")
        who = None if self.anonymous_mode else (parsed.participant or speaker)
        at = self.clock.now() if at is None else at
        ruling = self.rule(
            parsed.text,
            at,
            entry=parsed.entry,
            builds_on=builds_on,
            linked=parsed.builds_on_seq is not None,
        )
        self._require_lease()
        idea = self.store.add_idea(
            self.session.id, text, at=at, **ruling.fields(who.id if who else None)
        )
        self._remember(idea)
        self._follow_nudge(idea, ruling.critique, ruling.phase)
        return Captured(idea, ruling.critique, ruling.builds_on, "; ".join(notes))

    def rule(
        self,
        text: str,
        at: float,
        *,
        entry: str | None = None,
        builds_on: Idea | None = None,
        linked: bool = False,
    ) -> Ruling:
        """The capture rules every front door shares (the facilitator's capture box, the
        room's devices): the phase the entry was said in, its kind, whether it carries a
        judgement, and what it builds on. `entry` is a kind asked for (None = the phase's
        default); `linked` says a build-on was asked for, even one that named nothing, so
        itemized response does not link the entry to the developed idea instead."""
        phase = self.phase_at(at)
        technique_now = technique(phase.technique) if phase else None
        kind = entry or (technique_now.entry if technique_now else "idea")
        itemizing = technique_now is not None and technique_now.pick == "idea to develop"
        divergent = technique_now is None or technique_now.divergent
        judged = (divergent or itemizing) and kind != "concern"
        critique = detect_critique(text) if judged else None
        if itemizing and critique is not None and entry is None:
            kind = "concern"  # a judgement in itemized response is a concern, not a plus
        if builds_on is None and not linked and itemizing:
            builds_on = self.chain().developed  # itemized response works on one idea
        return Ruling(phase, kind, critique, builds_on)

    # -- the critique nudge -------------------------------------------------------

    @property
    def nudge(self) -> Critique | None:
        """The critique to reframe, while it is still relevant: it clears on a phase
        change and once NUDGE_LASTS_FOR uncritical entries have followed it."""
        phase = self.current_phase
        if self._nudge is None or (phase.id if phase else None) != self._nudge_phase:
            return None
        return self._nudge

    @property
    def nudge_idea(self) -> Idea | None:
        """The entry the nudge is about (for `park_concern`)."""
        return self._nudge_idea if self.nudge is not None else None

    def _follow_nudge(self, idea: Idea, critique: Critique | None, phase: Phase | None) -> None:
        if critique is not None:
            self._nudge, self._nudge_idea = critique, idea
            self._nudge_phase = phase.id if phase else None
            self._since_nudge = 0
        elif self._nudge is not None:
            self._since_nudge += 1
            if self._since_nudge >= NUDGE_LASTS_FOR:
                self._clear_nudge()

    def _clear_nudge(self) -> None:
        self._nudge = self._nudge_idea = self._nudge_phase = None
        self._since_nudge = 0

    def park_concern(self, idea_seq: int) -> Idea:
        """Keep a critique as the "How to…" concern the nudge offered: a `concern`
        entry building on the criticised one, by the same person."""
        idea = self._by_seq.get(idea_seq)
        if idea is None or self.is_withdrawn(idea):
            raise CaptureError(f"there is no idea +{idea_seq}")
        if self._nudge is not None and self._nudge_idea and self._nudge_idea.id == idea.id:
            critique: Critique | None = self._nudge
        else:
            critique = detect_critique(idea.text)
        if critique is None:
            raise CaptureError(f"idea +{idea_seq} has no criticism to turn into a concern")
        at = self.clock.now()
        phase = self.phase_at(at)
        self._require_lease()
        concern = self.store.add_idea(
            self.session.id,
            critique.reframe,
            participant_id=idea.participant_id,
            phase_id=phase.id if phase else None,
            technique=phase.technique if phase else "",
            builds_on=idea.id,
            at=at,
            entry="concern",
        )
        self._remember(concern)
        if self._nudge_idea is not None and self._nudge_idea.id == idea.id:
            self._clear_nudge()
        return concern

    # -- the chain of picks ---------------------------------------------------------

    def pick(self, seq: int, by: Participant | None = None) -> Pick:
        """Choose entry `seq` at this phase's decision point (a direction, not a
        rating); `by` defaults to the problem owner."""
        phase = self.current_phase
        if phase is None:
            raise CaptureError("start a phase before picking")
        chosen = technique(phase.technique)
        if chosen.pick is None:
            raise CaptureError(
                f"{chosen.name} has no decision point; picks are made in the springboards,"
                " each excursion step and itemized response"
            )
        idea = self._by_seq.get(seq)
        if idea is None or self.is_withdrawn(idea):
            raise CaptureError(f"there is no idea +{seq} to pick")
        _check_pickable(chosen.pick, idea, phase)
        if self.state().ended:
            raise CaptureError("the session has ended")
        who = by or self.problem_owner
        self._require_lease()
        made = self.store.add_pick(
            self.session.id,
            phase.id,
            idea.id,
            who.id if who else None,
            at=self.clock.now(),
            note=f"{chosen.pick} +{seq}" + (f" by {who.label}" if who else ""),
        )
        self.picks.append(made)
        self.events = self.store.phase_log(self.session.id)
        return made

    def chain(self) -> Chain:
        """The latest standing pick of each step (a withdrawn entry no longer counts)."""
        phase_pick = {p.id: technique(p.technique).pick for p in self.phases}
        standing = {idea.id: idea for idea in self.standing()}
        steps: dict[str, Idea] = {}
        for made in self.picks:
            step = PICK_STEPS.get(phase_pick.get(made.phase_id) or "")
            idea = standing.get(made.idea_id)
            if step is not None and idea is not None:
                steps["developed" if step == "idea" else step] = idea
        return Chain(**steps)

    def picked_in(self, phase: Phase) -> list[Pick]:
        return [p for p in self.picks if p.phase_id == phase.id]

    def guide(self) -> Guide:
        """The current phase's say-text, card and pick reminder, filled from the chain
        (before the first phase: the first one's)."""
        phase = self.current_phase or (self.phases[0] if self.phases else None)
        if phase is None:
            return Guide("", None, None, "")
        chosen = technique(phase.technique)
        values = self.chain().values()
        say_template = phase.say or chosen.say_template
        card_template = phase.card or chosen.card_template
        say = fill(say_template, values) if say_template else None
        card = fill(card_template, values) if card_template else None
        hint: str | None = None
        missing = missing_pick(say_template, values) or missing_pick(card_template, values)
        if missing is not None:
            what, where = PLACEHOLDERS[missing]
            hint = f"No {what} picked yet — pick one from {where} (by its number)."
        elif chosen.pick is not None and not self.picked_in(phase):
            owner = self.problem_owner
            hint = chosen.pick_hint or f"Pick the {chosen.pick} by its number."
            if owner is not None:
                hint = f"{owner.label} (problem owner) chooses. {hint}"
        return Guide(say or chosen.say, card, hint, phase.notes)

    def withdraw(self, seq: int) -> Idea:
        """Withdraw a mistaken entry: a new row that says so; the original stays."""
        idea = self._by_seq.get(seq)
        if idea is None:
            raise CaptureError(f"there is no idea +{seq}")
        if self.is_withdrawn(idea):
            raise CaptureError(f"idea +{seq} is already withdrawn")
        self._require_lease()
        row = self.store.amend_idea(idea, "withdrawal", at=self.clock.now())
        self._remember(row)
        return row

    def _remember(self, row: Idea) -> None:
        """Keep the in-memory picture in step with a row the store has committed."""
        self.rows.append(row)
        self._row_ids.add(row.id)
        if row.kind == "idea":
            self._by_seq[row.seq] = row
            self._by_id[row.id] = row
        elif row.kind == "withdrawal":
            self._withdrawn.add(row.replaces)
        self._standing = None

    def is_withdrawn(self, idea: Idea) -> bool:
        return idea.id in self._withdrawn

    def idea(self, seq: int) -> Idea | None:
        return self._by_seq.get(seq)

    def thread(self, idea: Idea) -> list[Idea]:
        """The chain of ideas this one builds on, oldest first, ending with it."""
        chain = [idea]
        while chain[0].builds_on in self._by_id and len(chain) < 50:
            chain.insert(0, self._by_id[chain[0].builds_on])  # type: ignore[index]
        return chain

    def idea_by_id(self, idea_id: int | None) -> Idea | None:
        return self._by_id.get(idea_id)  # type: ignore[arg-type]

    def participant(self, participant_id: int | None) -> Participant | None:
        return next((p for p in self.participants if p.id == participant_id), None)

    # -- flow -----------------------------------------------------------------

    def phase_started_at(self) -> float | None:
        starts = [e for e in self.events if e.kind == "start"]
        return starts[-1].at if starts else None

    def standing(self) -> list[Idea]:
        """Ideas as they stand now; recomputed only after a capture or withdrawal."""
        if self._standing is None:
            self._standing = live_ideas(self.rows)
        return self._standing

    def phase_ideas(self) -> list[Idea]:
        phase = self.current_phase
        return [i for i in self.standing() if phase and i.phase_id == phase.id]

    def rate_per_minute(self) -> list[int]:
        """Ideas per minute of the phase; excursion material is not counted."""
        start = self.phase_started_at()
        if start is None:
            return []
        return ideas_per_minute(self.phase_ideas(), start, self.clock.now())

    def shares(self) -> list[Share]:
        return participation(self.standing(), self.participants)

    def quiet(self) -> list[Quiet]:
        start = self.phase_started_at()
        state = self.state()
        if start is None or state.paused or state.ended or not self.capturing:
            return []  # nobody is "quiet" in a pause, a break, voting or after the end
        return quiet_participants(
            self.standing(),
            self.participants,
            self.clock.now(),
            QUIET_AFTER_SECONDS,
            since=start,
        )

    def build_on_rate(self) -> float:
        return build_on_rate(self.standing())

    @property
    def capturing(self) -> bool:
        """Whether the phase on now asks the room for entries (not a break, the hits
        vote or the wrap-up): only then is someone's silence news."""
        technique_now = self.current_technique
        return technique_now is None or technique_now.captures_ideas

    def flow(self) -> FlowSignal:
        start = self.phase_started_at()
        technique_now = self.current_technique
        state = self.state()
        if start is None or technique_now is None or not technique_now.captures_ideas:
            return FlowSignal("ok", "")
        if state.paused or state.ended:
            return FlowSignal("ok", "")
        return flow_signal(
            self.phase_ideas(),
            start,
            self.clock.now(),
            technique_now.id,
            material=technique_now.entry == "excursion",
        )
