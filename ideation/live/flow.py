"""Provides live signs of flow and participation for the facilitator's screen.

An ideation phase is going well when ideas keep coming, people build on each
other and everyone takes part. The facilitator is busy capturing, so these
helpers turn the session's idea rows into small, glanceable signals: a
per-minute sparkline, who has contributed how much, who has gone quiet, how
often ideas build on others, and a nudge with a concrete next move when the
flow drops.

Everything here is pure and deterministic: the caller passes the rows and the
current time, so the same inputs always give the same signal (and tests need
no clock or database). Idea rows are append-only, so every function first
reduces them with :func:`live_ideas` to the ideas that currently stand.

Excursion material (analogies, feelings, book titles) is not an idea: the
pace of ideas and the stall advice leave it out, except in an excursion phase,
where the flow of material is what the facilitator keeps going.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TYPE_CHECKING

from ideation.records import Idea, Participant

if TYPE_CHECKING:
    import numpy as np

#: Sparkline characters, lowest to highest.
SPARK_CHARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Share:
    """One participant's part of the ideas, so the facilitator sees who carries the session."""

    participant_id: int | None  # None for the "unattributed" row
    label: str
    count: int
    share: float  # 0..1 of all live ideas passed in
    last_at: float | None  # created_at of their latest idea, None if they have none


@dataclass(frozen=True)
class Quiet:
    """A participant who has been silent long enough to be worth inviting in."""

    participant_id: int
    label: str
    silent_seconds: float


@dataclass(frozen=True)
class FlowSignal:
    """The flow verdict: level "ok" | "slowing" | "stalled", and what to do about it."""

    level: str
    message: str


# --------------------------------------------------------------------------- rows


def live_ideas(rows: Iterable[Idea]) -> list[Idea]:
    """Return the ideas that currently stand, in seq order.

    Rows are append-only: a "withdrawal" row removes the idea it replaces and a
    "correction" row rewrites its text. Counting raw rows would reward typos
    and count withdrawn ideas, so every signal goes through here. A corrected
    idea keeps its own id, seq, participant and time but takes the text of the
    latest correction (by row id). Chains (a correction of a correction, a
    withdrawal of a correction) resolve to the original idea. ``builds_on``
    pointing at a correction row is redirected to the idea it corrects.
    Idempotent, so passing already-live ideas is harmless — and cheap: they
    are returned as they are, since the live screen asks several times a second.
    """
    rows = list(rows)
    if all(row.kind == "idea" for row in rows) and all(a.seq < b.seq for a, b in pairwise(rows)):
        return rows
    by_id = {row.id: row for row in rows}

    def root(row_id: int | None) -> int | None:
        """Follow `replaces` links from a row to the original idea's id."""
        seen: set[int] = set()
        while row_id is not None and row_id not in seen:
            seen.add(row_id)
            row = by_id.get(row_id)
            if row is None:
                return None
            if row.kind == "idea":
                return row.id
            row_id = row.replaces
        return None

    withdrawn: set[int] = set()
    corrected_text: dict[int, str] = {}
    for row in sorted(rows, key=lambda r: r.id):
        if row.kind == "withdrawal":
            target = root(row.replaces)
            if target is not None:
                withdrawn.add(target)
        elif row.kind == "correction":
            target = root(row.replaces)
            if target is not None:
                corrected_text[target] = row.text

    result: list[Idea] = []
    for row in rows:
        if row.kind != "idea" or row.id in withdrawn:
            continue
        idea = row
        if row.id in corrected_text:
            idea = replace(idea, text=corrected_text[row.id])
        target = by_id.get(idea.builds_on) if idea.builds_on is not None else None
        if target is not None and target.kind != "idea":
            resolved = root(target.id)
            if resolved is not None:
                idea = replace(idea, builds_on=resolved)
        result.append(idea)
    result.sort(key=lambda i: (i.seq, i.id))
    return result


def counts_as_idea(idea: Idea) -> bool:
    """Whether an entry counts toward the pace of ideas (excursion material does not)."""
    return idea.entry != "excursion"


def _between(ideas: Iterable[Idea], start: float, now: float) -> list[Idea]:
    """Live ideas captured in [start, now]: the phase so far, ignoring earlier phases."""
    return [i for i in live_ideas(ideas) if start <= i.created_at <= now]


# ------------------------------------------------------------------------- rates


def ideas_per_minute(
    ideas: Iterable[Idea], start: float, now: float, bucket_seconds: int = 60
) -> list[int]:
    """Count ideas per bucket from `start` to `now`, for a sparkline of the phase's pace.

    Bucket k covers [start + k*b, start + (k+1)*b); an idea exactly on a
    boundary falls in the later bucket. The last bucket is partial (it ends at
    `now`) and also takes an idea stamped exactly `now`. There are
    ceil(elapsed / b) buckets, at least one; ``[]`` if `now` is before `start`.
    Ideas outside [start, now] are ignored, and so is excursion material.
    """
    if bucket_seconds <= 0:
        raise ValueError("bucket_seconds must be positive")
    if now < start:
        return []
    n = max(1, math.ceil((now - start) / bucket_seconds))
    counts = [0] * n
    for idea in _between(ideas, start, now):
        if not counts_as_idea(idea):
            continue
        index = min(int((idea.created_at - start) // bucket_seconds), n - 1)
        counts[index] += 1
    return counts


def sparkline(values: list[int]) -> str:
    """Render counts as ▁▂▃▄▅▆▇█, scaled to the largest value.

    Scaled from zero, not from the minimum, and any positive value gets at
    least ▂, so a dead minute (▁) never looks like a slow one. An all-zero
    list is all ▁; an empty list is "".
    """
    top = max(values, default=0)
    if top <= 0:
        return SPARK_CHARS[0] * len(values)
    last = len(SPARK_CHARS) - 1
    return "".join(
        SPARK_CHARS[0] if v <= 0 else SPARK_CHARS[min(last, math.ceil(v * last / top))]
        for v in values
    )


def build_on_rate(ideas: Iterable[Idea]) -> float:
    """Share (0..1) of live ideas that build on another: building is the point of the session."""
    live = live_ideas(ideas)
    if not live:
        return 0.0
    return sum(1 for i in live if i.builds_on is not None) / len(live)


# ----------------------------------------------------------------- participation


def participation(ideas: Iterable[Idea], participants: Iterable[Participant]) -> list[Share]:
    """Each participant's count and share of the live ideas, most prolific first.

    Everyone is listed, even with zero ideas, because the people with none are
    the ones the facilitator needs to see. Ideas without a participant make an
    "unattributed" row (only if there are any); ideas from a participant id not
    in `participants` get a row labelled "#<id>", so the shares add up to 1.
    Ties keep the order of `participants`, with unlisted ids and then the
    unattributed row after them.
    """
    live = live_ideas(ideas)
    total = len(live)
    people = list(participants)

    counts: dict[int | None, int] = {}
    last: dict[int | None, float] = {}
    for idea in live:
        key = idea.participant_id
        counts[key] = counts.get(key, 0) + 1
        if key not in last or idea.created_at > last[key]:
            last[key] = idea.created_at

    def share_of(key: int | None, label: str) -> Share:
        count = counts.get(key, 0)
        return Share(
            participant_id=key,
            label=label,
            count=count,
            share=count / total if total else 0.0,
            last_at=last.get(key),
        )

    rows = [share_of(p.id, p.label) for p in people]
    known = {p.id for p in people}
    unknown = sorted(k for k in counts if k is not None and k not in known)
    rows.extend(share_of(k, f"#{k}") for k in unknown)
    if None in counts:
        rows.append(share_of(None, "unattributed"))
    rows.sort(key=lambda s: -s.count)  # stable: ties keep the order built above
    return rows


def quiet_participants(
    ideas: Iterable[Idea],
    participants: Iterable[Participant],
    now: float,
    quiet_after: float = 300,
    *,
    since: float,
) -> list[Quiet]:
    """Named participants silent for at least `quiet_after` seconds, longest silence first.

    Silence counts from the later of their last idea and `since` (the phase or
    session start), so nobody is flagged for what they did not say in an
    earlier phase, or before the session began. Anonymous participants are
    left out: inviting them in by name would undo their anonymity, and their
    ideas are often captured unattributed anyway. Ties keep the order of
    `participants`.
    """
    live = live_ideas(ideas)
    last: dict[int, float] = {}
    for idea in live:
        pid = idea.participant_id
        if pid is not None and idea.created_at <= now:
            last[pid] = max(last.get(pid, idea.created_at), idea.created_at)

    quiet: list[Quiet] = []
    for person in participants:
        if person.anonymous:
            continue
        silent = now - max(last.get(person.id, since), since)
        if silent >= quiet_after:
            quiet.append(Quiet(person.id, person.label, silent))
    quiet.sort(key=lambda q: -q.silent_seconds)
    return quiet


# -------------------------------------------------------------------------- flow

#: Next moves by technique, first match wins. Matched against the technique
#: name lower-cased with "_" and spaces as "-", by substring, so "Direct
#: analogy", "excursion_2" and "springboards" all find their move.
_TECHNIQUE_MOVES: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("force-fit", "forcefit"),
        "force-fit a fresh image from the excursion, or go back to springboards",
    ),
    (
        ("springboard", "wish"),
        "offer a starter: 'I wish…' or 'How to…'",
    ),
    (
        ("analog", "excursion", "metaphor"),
        "switch analogy (another world: nature, sport, a hospital…), or move to force-fit",
    ),
    (
        ("brainwriting", "6-3-5", "635"),
        "pass the sheets on: everyone adds one to the idea in front of them",
    ),
    (
        ("reverse", "worst"),
        "flip the worst ideas round: 'what is the opposite of that?'",
    ),
    (
        ("random", "stimul", "provocation"),
        "show the next stimulus",
    ),
    (
        ("scamper",),
        "move on to the next SCAMPER prompt",
    ),
    (
        ("brainstorm",),
        "try an energiser, or switch to a direct analogy",
    ),
)

_DEFAULT_MOVE = "try an energiser, or restate the task as 'How to…'"


def technique_move(technique: str) -> str:
    """The concrete next move for a flagging phase of this technique."""
    name = technique.strip().lower().replace("_", "-").replace(" ", "-")
    for keys, move in _TECHNIQUE_MOVES:
        if any(key in name for key in keys):
            return move
    return _DEFAULT_MOVE


def _duration(seconds: float) -> str:
    """Short human duration: "45 s" under a minute, else whole minutes ("3 min")."""
    if seconds < 60:
        return f"{int(seconds)} s"
    return f"{int(seconds // 60)} min"


def flow_signal(
    ideas: Iterable[Idea],
    start: float,
    now: float,
    technique: str,
    *,
    window_seconds: int = 180,
    low_rate: float = 1.0,
    min_phase_seconds: int = 240,
    material: bool = False,
) -> FlowSignal:
    """Judge the recent flow of the phase that started at `start`, and suggest a next move.

    The window is the last `window_seconds` (clipped to the phase); "earlier" is
    the phase before it. Nothing is flagged until the phase has run
    `min_phase_seconds`, because every phase starts slowly. Excursion entries
    count only with `material` (an excursion phase judges its flow of material).

    - "stalled": no ideas at all in the window.
    - "slowing": the window's rate is below `low_rate` ideas/min *and* below
      half the phase's own earlier rate, so a technique that is naturally slow
      (or a phase that never got going) is not nagged. With no earlier
      period to compare against, only a stall is flagged.
    - "ok" otherwise, with an empty message.

    The message names the drop, then the technique's move, then — when they
    apply — round-robin if one person gave more than half the window's ideas
    (at least two), and "ask someone to build on idea +N" (the latest idea)
    if nothing in the window built on another idea.
    """
    ok = FlowSignal("ok", "")
    elapsed = now - start
    if elapsed < min_phase_seconds or elapsed <= 0 or window_seconds <= 0:
        return ok

    live = [i for i in live_ideas(ideas) if material or counts_as_idea(i)]
    phase = [i for i in live if start <= i.created_at <= now]
    window_start = max(start, now - window_seconds)
    window = [i for i in phase if i.created_at >= window_start]
    earlier = [i for i in phase if i.created_at < window_start]

    window_len = now - window_start
    earlier_len = window_start - start
    rate = len(window) / (window_len / 60)
    earlier_rate = len(earlier) / (earlier_len / 60) if earlier_len > 0 else None

    if not window:
        last_at = max((i.created_at for i in phase), default=start)
        level = "stalled"
        headline = f"No new ideas for {_duration(now - last_at)}"
    elif rate < low_rate and earlier_rate is not None and rate < earlier_rate / 2:
        level = "slowing"
        headline = (
            f"Flow is down to {rate:.1f} ideas/min for {_duration(window_len)}"
            f" (from {earlier_rate:.1f})"
        )
    else:
        return ok

    sentences = [f"{headline} — {technique_move(technique)}"]

    attributed: dict[int, int] = {}
    for idea in window:
        if idea.participant_id is not None:
            attributed[idea.participant_id] = attributed.get(idea.participant_id, 0) + 1
    top = max(attributed.values(), default=0)
    if len(window) >= 2 and top * 2 > len(window):
        sentences.append(
            f"One voice gave {top} of {len(window)} recent ideas — "
            "go round-robin so everyone adds one"
        )

    if not any(i.builds_on is not None for i in window):
        latest = max(
            (i for i in live if i.created_at <= now),
            key=lambda i: (i.created_at, i.seq, i.id),
            default=None,
        )
        if latest is not None:
            lead = "Nobody built on an idea in that time — ask" if window else "Ask"
            sentences.append(f"{lead} someone to build on idea +{latest.seq}")

    return FlowSignal(level, ". ".join(sentences) + ".")


# ------------------------------------------------------------ opportunity areas

#: Cosine (all-MiniLM-L6-v2, raw, normalised vectors) from which an idea counts as
#: touching an opportunity area. Chosen on the demo study (117 ideas, 4 areas): every
#: idea shares the task's "coffee" direction, so the median idea–area cosine is already
#: 0.27-0.33 and the 90th percentile 0.47-0.56. At 0.5 each area gathers 8-19 ideas a
#: reader would file there ("a pod return bag…" for waste, "a proper coffee in under two
#: minutes" for rushed mornings); at 0.45 unrelated ones come in ("frozen coffee cubes"
#: for the ritual area); at 0.55 plainly relevant ones drop out ("a keep-cup that gets you
#: money off" for takeaway-cup waste). Shared by the live hint and the report's coverage.
NEAR_AREA = 0.5


def near_areas(
    idea_vectors: np.ndarray, area_vectors: np.ndarray, threshold: float = NEAR_AREA
) -> np.ndarray:
    """Ideas × areas booleans: which idea touches which area (cosine ≥ `threshold`)."""
    import numpy as np

    ideas = np.asarray(idea_vectors, dtype=np.float32)
    areas = np.asarray(area_vectors, dtype=np.float32)
    if ideas.size == 0 or areas.size == 0:
        return np.zeros((len(ideas), len(areas)), dtype=bool)
    return (ideas @ areas.T) >= threshold


def untouched_areas(
    areas: Sequence[str],
    area_vectors: np.ndarray,
    idea_vectors: np.ndarray,
    threshold: float = NEAR_AREA,
) -> list[str]:
    """The areas no idea has come near yet, in the brief's order."""
    touched = near_areas(idea_vectors, area_vectors, threshold).any(axis=0)
    return [area for area, hit in zip(areas, touched.tolist(), strict=True) if not hit]


#: Divergent techniques whose ideas are not about the task (a warm-up's "unusual uses
#: for a teaspoon"): a warm-up that ended says nothing about the brief's areas.
OFF_TASK_TECHNIQUES = ("warm_up",)


def counts_for_areas(technique_id: str, divergent: bool) -> bool:
    """Whether a phase of this technique, run to its end, shows the room has left an
    opportunity area alone: divergent and about the task."""
    return divergent and technique_id not in OFF_TASK_TECHNIQUES


def divergent_phase_done(
    runs: Iterable[tuple[int, bool]],
    actual_seconds: Mapping[int, float],
    planned_seconds: Sequence[int],
    divergent: Sequence[bool],
) -> bool:
    """Whether some divergent phase has ended or run its whole planned length.

    `runs` holds (position, ended) for each run of a phase. Why wait for this: an area
    untouched ten minutes into a brainstorm is just not reached yet; untouched after a
    whole divergent phase, it is worth offering to the room.
    """
    for position, ended in runs:
        if not 0 <= position < len(divergent) or not divergent[position]:
            continue
        if ended or actual_seconds.get(position, 0.0) >= planned_seconds[position]:
            return True
    return False


def untouched_area_hint(untouched: Sequence[str], phase_done: bool) -> str:
    """The flow hint for an area the room has left alone, or "" while there is none."""
    if not phase_done or not untouched:
        return ""
    more = f" (and {len(untouched) - 1} more)" if len(untouched) > 1 else ""
    return f"Nobody has touched “{untouched[0]}” yet{more} — offer it as the next prompt"


__all__ = [
    "NEAR_AREA",
    "FlowSignal",
    "Quiet",
    "Share",
    "build_on_rate",
    "counts_as_idea",
    "divergent_phase_done",
    "flow_signal",
    "ideas_per_minute",
    "live_ideas",
    "counts_for_areas",
    "near_areas",
    "participation",
    "quiet_participants",
    "sparkline",
    "technique_move",
    "untouched_area_hint",
    "untouched_areas",
]
