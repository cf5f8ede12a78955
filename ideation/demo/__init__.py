"""Provides the demo study: Brewline, an at-home coffee brand.

It loads the shipped screener with about 40 respondents and replays one
completed run of the half-day plan (about 150 entries from six people across
brainstorming and Synectics phases) into a study database, so every screen
and export has real content to show. The Synectics part runs as a chain: the
problem owner picks a springboard, an example at each excursion step, and the
force-fit idea that itemized response develops into pluses, potentials and
"How to…" concerns. Building it twice is safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

from ideation.errors import IdeationError
from ideation.live.plan import SessionPlan, load_plan
from ideation.live.techniques import technique
from ideation.paths import shipped_file
from ideation.records import Contact, Participant
from ideation.store import Store

DEMO_SESSION_NAME = "Brewline demo — half-day ideation (completed)"
#: The demo session ran on a fixed morning, so every build is identical.
DEMO_START = datetime(2026, 10, 14, 9, 30, tzinfo=UTC).timestamp()
SETTING = "demo_session_id"


@dataclass(frozen=True)
class DemoSummary:
    respondents: int
    ideas: int
    session_id: int
    already_built: bool = False

    def __str__(self) -> str:
        if self.already_built:
            return f"demo study already built (session {self.session_id})"
        return (
            f"demo study built: {self.respondents} screener respondents,"
            f" session {self.session_id} with {self.ideas} ideas"
        )


def _load_data(name: str) -> Any:
    text = resources.files("ideation.demo").joinpath(name).read_text(encoding="utf-8")
    return YAML(typ="safe").load(text)


def build_demo(store: Store) -> DemoSummary:
    """Fill `store` with the demo study, once; later calls report what is there. A file
    that already holds another study is refused: demo respondents would join its recruit."""
    existing = store.get_setting(SETTING)
    if existing:
        session_id = int(existing)
        return DemoSummary(0, store.count_ideas(session_id), session_id, already_built=True)
    if store.sessions() or store.screeners():
        raise IdeationError(
            f"{store.path}: already holds a study; build the demo in a file of its own,"
            " e.g. ideation demo --db sessions/demo.db"
        )
    plan = load_plan(shipped_file("sessions", "half-day.yaml"))
    with store.transaction():
        respondents = _load_screener(store)
        session_id, ideas = _replay_session(store, plan)
        store.set_setting("study_name", "Brewline ideation 2026")
        store.set_setting(SETTING, str(session_id))
    return DemoSummary(respondents, ideas, session_id)


def _load_screener(store: Store) -> int:
    path = shipped_file("screeners", "home-coffee.yaml")
    source = path.read_text(encoding="utf-8")
    definition = YAML(typ="safe").load(source)
    screener = store.upsert_screener(
        definition["screener"],
        definition.get("title", ""),
        source,
        str(path.name),
        study=definition.get("study", ""),  # as `screen` would register it
    )
    count = 0
    for row in _load_data("respondents.yaml"):
        contact = row.get("contact") or {}
        added = store.add_respondent(
            screener.id,
            str(row["id"]),
            row.get("answers") or {},
            contact=Contact(
                0, contact.get("name", ""), contact.get("email", ""), contact.get("phone", "")
            ),
            source="demo",
            duration_seconds=row.get("duration_seconds"),
        )
        count += added is not None
    store.log(f"Screener “{screener.title}”: {count} demo respondents loaded")
    return count


def _replay_session(store: Store, plan: SessionPlan) -> tuple[int, int]:
    """Write the session as it ran: phase log, ideas at their times, withdrawals."""
    session = store.create_session(
        DEMO_SESSION_NAME,
        store.add_plan(plan.name, plan.source, str(plan.path)).id,
        plan.session_phases(),
        plan.session_participants(),
    )
    phases = store.phases(session.id)
    participants = store.participants(session.id)
    people = {p.label: p.id for p in participants}
    owner = next((p for p in participants if p.role == "problem_owner"), None)
    blocks = {block["phase"] - 1: block for block in _load_data("ideas.yaml")["phases"]}
    ideas_by_n: dict[int, Any] = {}
    clock = DEMO_START
    store.set_session_status(session.id, "running", at=clock)
    for phase in phases:
        store.log_phase_event(session.id, "start", position=phase.position, at=clock)
        said = blocks.get(phase.position, {}).get("ideas", [])
        picks = blocks.get(phase.position, {}).get("picks", [])
        default_entry = technique(phase.technique).entry
        last_minute = max((float(i["at"]) for i in said), default=0.0)
        planned_minutes = phase.planned_seconds / 60
        if last_minute > planned_minutes:
            store.log_phase_event(
                session.id, "extend", seconds=300, at=clock + planned_minutes * 60 - 90
            )
        developed = [p for p in picks if float(p["at"]) <= 0.5]
        for made in developed:  # picked before anything was said (itemized response)
            _pick(store, session.id, phase.id, ideas_by_n[made["n"]], owner, clock, made)
        for item in said:
            builds_on = ideas_by_n[item["builds_on"]].id if item.get("builds_on") else None
            if builds_on is None and developed:
                builds_on = ideas_by_n[developed[-1]["n"]].id
            idea = store.add_idea(
                session.id,
                str(item["text"]),
                participant_id=people.get(item.get("by", "")),
                phase_id=phase.id,
                technique=phase.technique,
                builds_on=builds_on,
                at=clock + float(item["at"]) * 60,
                entry=item.get("kind", default_entry),
            )
            ideas_by_n[item["n"]] = idea
            if item.get("withdrawn"):
                store.amend_idea(idea, "withdrawal", at=idea.created_at + 20)
        for made in picks:
            if made not in developed:
                _pick(store, session.id, phase.id, ideas_by_n[made["n"]], owner, clock, made)
        clock += max(planned_minutes, last_minute + 0.5) * 60
    store.log_phase_event(session.id, "end", at=clock)
    store.set_session_status(session.id, "ended", at=clock)
    standing = store.count_ideas(session.id)
    store.log(f"Session “{session.name}” ended with {standing} ideas")
    return session.id, standing


def _pick(
    store: Store,
    session_id: int,
    phase_id: int,
    idea: Any,
    owner: Participant | None,
    clock: float,
    made: dict[str, Any],
) -> None:
    """The problem owner's choice, logged as the live screen logs it."""
    what = next(p.technique for p in store.phases(session_id) if p.id == phase_id)
    store.add_pick(
        session_id,
        phase_id,
        idea.id,
        owner.id if owner else None,
        at=clock + float(made["at"]) * 60,
        note=f"{technique(what).pick} +{idea.seq}" + (f" by {owner.label}" if owner else ""),
    )
