"""Provides the live timer state, derived purely from the session's phase log.

Nothing here keeps a running counter: the state is recomputed from the
persisted `PhaseEvent` log and a wall-clock `now` every time it is needed.
That is what makes the timer survive a crash or a kill: a restart replays the
same log at a later `now`, so the time that passed while the program was down
counts as elapsed, unless the log says the session was paused at that moment.

Rules applied while replaying the log (in order of `(at, id)`):

* "start" opens a new run of `position` and closes the current one. This covers
  next, previous, skip ahead and go back; starting the current position again
  restarts it as a new run. A start always runs, even if the previous phase was
  paused. A start without a position, or outside the agenda, is ignored.
* "pause" while paused, "resume" while running, and pause/resume/extend before
  the first start are ignored.
* "extend" adds its seconds to the current run, paused or not.
* "end" closes the current run and freezes everything; later events are ignored.

Stdlib only, so it can be tested and reused without the UI or the store.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ideation.records import PhaseEvent

#: Seconds left at which the two-minute warning starts.
TWO_MINUTES = 120

WARNING_NONE = ""
WARNING_TWO_MINUTES = "two_minutes"
WARNING_ZERO = "zero"

#: Order of the warning levels, so a crossing is "the level went up".
_WARNING_RANK = {WARNING_NONE: 0, WARNING_TWO_MINUTES: 1, WARNING_ZERO: 2}

#: Tolerance for float noise: epoch timestamps (~1.7e9) carry ~1e-7 s of error,
#: which must not turn a 5:00 phase into "5:01" on screen.
_EPSILON = 1e-6


@dataclass(frozen=True)
class PhaseRun:
    """One stretch of a phase actually running.

    A phase may have several runs when the facilitator goes back to it or
    restarts it; keeping each run lets reports show what really happened.
    """

    position: int
    started_at: float
    ended_at: float | None  # None while current
    active_seconds: float  # excluding paused time
    extended_seconds: int


@dataclass(frozen=True)
class TimerState:
    """Everything the live screen shows about time, as of one `now`."""

    position: int | None  # current phase, None before start
    planned_seconds: int  # of the current phase
    extended_seconds: int  # extensions applied during the current run
    elapsed_seconds: float  # active time in the current run (pauses excluded)
    remaining_seconds: float  # planned + extended - elapsed; negative = overtime
    paused: bool
    ended: bool
    warning: str  # "", "two_minutes" (<=120 s left and >0), "zero" (at/past zero)
    overtime_seconds: float  # max(0, -remaining)
    runs: tuple[PhaseRun, ...]
    actual_seconds: dict[int, float]  # position -> total active seconds across runs
    projected_end: float | None  # None before start / after end


@dataclass
class _OpenRun:
    """Mutable builder for a run while the log is being replayed."""

    position: int
    started_at: float
    segment_start: float  # when the current unpaused stretch began
    active: float = 0.0  # active seconds of the closed stretches
    extended: int = 0
    ended_at: float | None = None

    def close_segment(self, at: float) -> None:
        # Clamp so a small backwards clock step never produces negative time.
        self.active += max(0.0, at - self.segment_start)

    def freeze(self, active_seconds: float) -> PhaseRun:
        return PhaseRun(
            position=self.position,
            started_at=self.started_at,
            ended_at=self.ended_at,
            active_seconds=active_seconds,
            extended_seconds=self.extended,
        )


def warning_level(remaining_seconds: float) -> str:
    """Return the warning level for the time left in a running phase."""
    if remaining_seconds <= 0:
        return WARNING_ZERO
    if remaining_seconds <= TWO_MINUTES:
        return WARNING_TWO_MINUTES
    return WARNING_NONE


def timer_state(planned: Sequence[int], events: Sequence[PhaseEvent], now: float) -> TimerState:
    """Replay the phase log and return the timer state at wall-clock `now`.

    `planned` holds the planned seconds of each agenda item by position.
    The events may come in any order; they are replayed by `(at, id)` so the
    result does not depend on how the store happened to return them.
    """
    runs: list[_OpenRun] = []
    current: _OpenRun | None = None
    paused = False
    ended = False

    for event in sorted(events, key=lambda e: (e.at, e.id)):
        if event.kind == "start":
            position = event.position
            if position is None or not 0 <= position < len(planned):
                continue
            if current is not None:
                if not paused:
                    current.close_segment(event.at)
                current.ended_at = event.at
            current = _OpenRun(position, event.at, event.at)
            runs.append(current)
            paused = False
        elif event.kind == "pause":
            if current is None or paused:
                continue
            current.close_segment(event.at)
            paused = True
        elif event.kind == "resume":
            if current is None or not paused:
                continue
            current.segment_start = event.at
            paused = False
        elif event.kind == "extend":
            if current is None:
                continue
            current.extended += event.seconds
        elif event.kind == "end":
            if current is not None:
                if not paused:
                    current.close_segment(event.at)
                current.ended_at = event.at
            ended = True
            paused = False
            break
        # Unknown kinds are ignored: an old binary must still read a newer log.

    finished: list[PhaseRun] = []
    for run in runs:
        active = run.active
        if run is current and not ended and not paused:
            active += max(0.0, now - run.segment_start)
        finished.append(run.freeze(active))

    actual: dict[int, float] = {}
    for run in finished:
        actual[run.position] = actual.get(run.position, 0.0) + run.active_seconds

    if current is None:
        return TimerState(
            position=None,
            planned_seconds=0,
            extended_seconds=0,
            elapsed_seconds=0.0,
            remaining_seconds=0.0,
            paused=False,
            ended=ended,
            warning=WARNING_NONE,
            overtime_seconds=0.0,
            runs=tuple(finished),
            actual_seconds=actual,
            projected_end=None,
        )

    position = current.position
    planned_seconds = int(planned[position])
    elapsed = finished[-1].active_seconds
    remaining = planned_seconds + current.extended - elapsed

    projected_end: float | None = None
    if not ended:
        ran = {run.position for run in finished}
        still_to_run = sum(
            int(planned[p]) for p in range(position + 1, len(planned)) if p not in ran
        )
        projected_end = now + max(0.0, remaining) + still_to_run

    return TimerState(
        position=position,
        planned_seconds=planned_seconds,
        extended_seconds=current.extended,
        elapsed_seconds=elapsed,
        remaining_seconds=remaining,
        paused=paused,
        ended=ended,
        # Nothing to warn about once the session is over.
        warning=WARNING_NONE if ended else warning_level(remaining),
        overtime_seconds=max(0.0, -remaining),
        runs=tuple(finished),
        actual_seconds=actual,
        projected_end=projected_end,
    )


def warning_crossed(before: TimerState, after: TimerState) -> str:
    """Return the warning level newly entered between two states, or "".

    The UI calls this on each tick and rings the bell when it returns a level,
    so each crossing rings once. Within one run a crossing is the level going
    up (an extension that lowers it re-arms the bell). When the run changed
    (next phase, go back, restart), the new run is compared with the level it
    started at, so a 90-second phase does not ring "two_minutes" on arrival
    but still rings when it reaches zero.
    """
    if after.ended or after.position is None:
        return WARNING_NONE
    same_run = (
        before.position == after.position
        and len(before.runs) == len(after.runs)
        and not before.ended
    )
    if same_run:
        baseline = before.warning
    else:
        baseline = warning_level(after.planned_seconds)
    if _WARNING_RANK[after.warning] > _WARNING_RANK[baseline]:
        return after.warning
    return WARNING_NONE


def format_clock(seconds: float) -> str:
    """Format a countdown as "12:05" or "1:02:03", and overtime as "+3:10".

    Time left is rounded up and overtime down, so the display reads "0:00"
    exactly when the phase reaches zero (when the "zero" warning starts),
    never while time is still left, and "+0:01" after a full second over.
    """
    if seconds < 0:
        whole = math.floor(-seconds + _EPSILON)
    else:
        whole = max(0, math.ceil(seconds - _EPSILON))
    sign = "+" if seconds < 0 and whole > 0 else ""
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes}:{secs:02d}"
