"""Provides tests for the live timer derived from the phase log, and the clocks."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ideation.live.clock import Clock, FakeClock, SystemClock
from ideation.live.timing import (
    TimerState,
    format_clock,
    timer_state,
    warning_crossed,
)
from ideation.records import PhaseEvent

T0 = 1_700_000_000.0
REPO = Path(__file__).resolve().parents[1]


def approx(expected: object, tol: float = 1e-6) -> object:
    """Absolute tolerance only: a relative one would let epoch times drift ~30 min."""
    return pytest.approx(expected, rel=0, abs=tol)


class Log:
    """A phase log as the store would persist it: ids grow in insertion order."""

    def __init__(self) -> None:
        self.events: list[PhaseEvent] = []

    def add(
        self, kind: str, at: float, position: int | None = None, seconds: int = 0
    ) -> PhaseEvent:
        event = PhaseEvent(
            id=len(self.events) + 1,
            session_id=1,
            kind=kind,
            at=at,
            position=position,
            seconds=seconds,
        )
        self.events.append(event)
        return event


# --- clocks -----------------------------------------------------------------


def test_fake_clock_advances_and_sets() -> None:
    clock = FakeClock()
    assert clock.now() == T0
    assert clock.advance(90) == T0 + 90
    assert clock.now() == T0 + 90
    assert clock.set(T0 + 5) == T0 + 5
    assert clock.now() == T0 + 5
    assert FakeClock(12.5).now() == 12.5
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_system_clock_is_wall_clock() -> None:
    before = time.time()
    now = SystemClock().now()
    assert before <= now <= time.time()


def test_both_clocks_satisfy_protocol() -> None:
    assert isinstance(SystemClock(), Clock)
    assert isinstance(FakeClock(), Clock)


def test_timing_module_stays_free_of_ui_and_store() -> None:
    code = (
        "import sys, ideation.live.timing\n"
        "bad = [m for m in ('sqlite3', 'textual') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- basic running ------------------------------------------------------------


def test_before_start() -> None:
    state = timer_state([600, 900], [], T0)
    assert state.position is None
    assert state.runs == ()
    assert state.actual_seconds == {}
    assert state.projected_end is None
    assert state.warning == ""
    assert not state.paused and not state.ended


def test_normal_run_through_phases() -> None:
    planned = [600, 900, 300]
    log = Log()
    log.add("start", T0, position=0)

    state = timer_state(planned, log.events, T0 + 100)
    assert state.position == 0
    assert state.planned_seconds == 600
    assert state.elapsed_seconds == approx(100)
    assert state.remaining_seconds == approx(500)
    assert state.runs[0].ended_at is None

    log.add("start", T0 + 600, position=1)
    state = timer_state(planned, log.events, T0 + 700)
    assert state.position == 1
    assert state.planned_seconds == 900
    assert state.elapsed_seconds == approx(100)
    assert [r.position for r in state.runs] == [0, 1]
    assert state.runs[0].ended_at == T0 + 600
    assert state.runs[0].active_seconds == approx(600)
    assert state.actual_seconds == approx({0: 600, 1: 100})

    log.add("start", T0 + 1500, position=2)
    log.add("end", T0 + 1800)
    state = timer_state(planned, log.events, T0 + 5000)
    assert state.ended
    assert state.position == 2
    assert state.elapsed_seconds == approx(300)  # frozen at the end
    assert state.remaining_seconds == approx(0)
    assert state.projected_end is None
    assert state.warning == ""
    assert state.runs[-1].ended_at == T0 + 1800
    assert state.actual_seconds == approx({0: 600, 1: 900, 2: 300})


def test_end_freezes_and_ignores_later_events() -> None:
    log = Log()
    log.add("start", T0, position=0)
    log.add("end", T0 + 100)
    log.add("start", T0 + 200, position=1)
    log.add("extend", T0 + 210, seconds=60)
    state = timer_state([600, 600], log.events, T0 + 1000)
    assert state.ended
    assert state.position == 0
    assert state.elapsed_seconds == approx(100)
    assert state.extended_seconds == 0
    assert len(state.runs) == 1


def test_end_while_paused_stops_without_counting_the_pause() -> None:
    log = Log()
    log.add("start", T0, position=0)
    log.add("pause", T0 + 100)
    log.add("end", T0 + 400)
    state = timer_state([600], log.events, T0 + 900)
    assert state.ended and not state.paused
    assert state.elapsed_seconds == approx(100)


def test_end_before_any_start() -> None:
    log = Log()
    log.add("end", T0)
    state = timer_state([600], log.events, T0 + 10)
    assert state.ended
    assert state.position is None
    assert state.projected_end is None


# --- pause / resume -------------------------------------------------------------


def test_pause_and_resume_excluded_from_elapsed() -> None:
    log = Log()
    log.add("start", T0, position=0)
    log.add("pause", T0 + 100)

    paused = timer_state([600], log.events, T0 + 130)
    assert paused.paused
    assert paused.elapsed_seconds == approx(100)

    log.add("resume", T0 + 160)
    state = timer_state([600], log.events, T0 + 200)
    assert not state.paused
    assert state.elapsed_seconds == approx(140)
    assert state.remaining_seconds == approx(460)


def test_pause_while_paused_and_resume_while_running_are_ignored() -> None:
    log = Log()
    log.add("start", T0, position=0)
    log.add("resume", T0 + 50)  # ignored: running
    log.add("pause", T0 + 100)
    log.add("pause", T0 + 130)  # ignored: already paused
    log.add("resume", T0 + 160)
    state = timer_state([600], log.events, T0 + 200)
    assert state.elapsed_seconds == approx(140)


def test_events_before_start_are_ignored() -> None:
    log = Log()
    log.add("pause", T0 - 50)
    log.add("extend", T0 - 40, seconds=300)
    log.add("start", T0, position=0)
    state = timer_state([600], log.events, T0 + 100)
    assert not state.paused
    assert state.extended_seconds == 0
    assert state.elapsed_seconds == approx(100)


def test_start_while_paused_runs_the_new_phase() -> None:
    log = Log()
    log.add("start", T0, position=0)
    log.add("pause", T0 + 100)
    log.add("start", T0 + 400, position=1)
    state = timer_state([600, 600], log.events, T0 + 450)
    assert not state.paused
    assert state.elapsed_seconds == approx(50)
    assert state.actual_seconds == approx({0: 100, 1: 50})


# --- extensions and overtime ------------------------------------------------------


def test_extend_one_and_five_minutes() -> None:
    log = Log()
    log.add("start", T0, position=0)
    log.add("extend", T0 + 500, seconds=60)
    log.add("pause", T0 + 550)
    log.add("extend", T0 + 560, seconds=300)  # counts while paused
    state = timer_state([600, 600], log.events, T0 + 570)
    assert state.extended_seconds == 360
    assert state.elapsed_seconds == approx(550)
    assert state.remaining_seconds == approx(600 + 360 - 550)
    assert state.runs[0].extended_seconds == 360

    log.add("resume", T0 + 600)
    log.add("start", T0 + 1000, position=1)
    state = timer_state([600, 600], log.events, T0 + 1010)
    assert state.extended_seconds == 0  # extensions belong to the run
    assert state.remaining_seconds == approx(590)
    assert state.runs[0].extended_seconds == 360


def test_overtime_counts_past_zero() -> None:
    log = Log()
    log.add("start", T0, position=0)
    state = timer_state([300, 600], log.events, T0 + 490)
    assert state.remaining_seconds == approx(-190)
    assert state.elapsed_seconds == approx(490)  # not cut off at planned
    assert state.overtime_seconds == approx(190)
    assert state.warning == "zero"
    assert format_clock(state.remaining_seconds) == "+3:10"

    on_time = timer_state([300, 600], log.events, T0 + 100)
    assert on_time.overtime_seconds == 0


# --- warnings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [
        (0, ""),
        (479, ""),
        (480, "two_minutes"),
        (599, "two_minutes"),
        (600, "zero"),
        (700, "zero"),
    ],
)
def test_warning_levels(elapsed: int, expected: str) -> None:
    log = Log()
    log.add("start", T0, position=0)
    assert timer_state([600], log.events, T0 + elapsed).warning == expected


def _bells(planned: list[int], log: Log, start: float, stop: float) -> list[tuple]:
    """Tick once per second and collect (time offset, position, level) rings.

    Only the events logged so far are visible at each tick, as in a live session.
    """

    def at(t: float) -> TimerState:
        return timer_state(planned, [e for e in log.events if e.at <= t], t)

    bells = []
    prev = at(start)
    t = start
    while t < stop:
        t += 1
        state = at(t)
        level = warning_crossed(prev, state)
        if level:
            bells.append((t - T0, state.position, level))
        prev = state
    return bells


def test_warning_crossed_fires_once_per_crossing() -> None:
    log = Log()
    log.add("start", T0, position=0)
    bells = _bells([600], log, T0, T0 + 900)
    assert bells == [(480, 0, "two_minutes"), (600, 0, "zero")]


def test_extension_rearms_the_bell() -> None:
    log = Log()
    log.add("start", T0, position=0)
    log.add("extend", T0 + 650, seconds=300)  # 250 s left again
    bells = _bells([600], log, T0, T0 + 1000)
    assert bells == [
        (480, 0, "two_minutes"),
        (600, 0, "zero"),
        (780, 0, "two_minutes"),
        (900, 0, "zero"),
    ]


def test_new_phase_rings_from_its_own_start_level() -> None:
    log = Log()
    log.add("start", T0, position=0)
    log.add("start", T0 + 700, position=1)  # 90 s phase: starts inside 2 min
    log.add("start", T0 + 800, position=2)
    bells = _bells([600, 90, 600], log, T0, T0 + 1500)
    assert bells == [
        (480, 0, "two_minutes"),
        (600, 0, "zero"),
        (790, 1, "zero"),
        (1280, 2, "two_minutes"),
        (1400, 2, "zero"),
    ]


def test_warning_crossed_silent_after_end_and_before_start() -> None:
    planned = [600]
    before_start = timer_state(planned, [], T0)
    assert warning_crossed(before_start, before_start) == ""
    log = Log()
    log.add("start", T0, position=0)
    running = timer_state(planned, log.events, T0 + 599)
    log.add("end", T0 + 700)
    over = timer_state(planned, log.events, T0 + 800)
    assert warning_crossed(running, over) == ""


# --- moving around the agenda --------------------------------------------------------


def test_go_back_to_an_earlier_phase() -> None:
    planned = [600, 600, 600]
    log = Log()
    log.add("start", T0, position=0)
    log.add("start", T0 + 600, position=1)
    log.add("start", T0 + 900, position=0)  # back
    state = timer_state(planned, log.events, T0 + 1000)
    assert state.position == 0
    assert state.elapsed_seconds == approx(100)  # a new run, fresh timer
    assert state.remaining_seconds == approx(500)
    assert [r.position for r in state.runs] == [0, 1, 0]
    assert state.actual_seconds == approx({0: 700, 1: 300})


def test_restart_same_phase_starts_a_new_run() -> None:
    log = Log()
    log.add("start", T0, position=0)
    log.add("start", T0 + 50, position=0)
    state = timer_state([600], log.events, T0 + 80)
    assert len(state.runs) == 2
    assert state.elapsed_seconds == approx(30)
    assert state.actual_seconds == approx({0: 80})


def test_skip_ahead() -> None:
    planned = [600, 600, 600, 600]
    log = Log()
    log.add("start", T0, position=0)
    log.add("start", T0 + 100, position=2)  # skip phase 1
    state = timer_state(planned, log.events, T0 + 200)
    assert state.position == 2
    assert state.elapsed_seconds == approx(100)
    assert 1 not in state.actual_seconds
    # Phase 1 lies before the current one: it is not projected any more.
    assert state.projected_end == approx(T0 + 200 + 500 + 600)


def test_stray_starts_are_ignored() -> None:
    log = Log()
    log.add("start", T0, position=0)
    log.add("start", T0 + 10, position=None)
    log.add("start", T0 + 20, position=7)
    log.add("start", T0 + 30, position=-1)
    state = timer_state([600, 600], log.events, T0 + 100)
    assert state.position == 0
    assert len(state.runs) == 1
    assert state.elapsed_seconds == approx(100)


# --- projected end ------------------------------------------------------------------------


def test_projected_end() -> None:
    planned = [600, 900, 300, 1200]
    log = Log()
    log.add("start", T0, position=0)
    assert timer_state(planned, log.events, T0).projected_end == T0 + 3000

    # A pause pushes the end out by the time paused.
    log.add("pause", T0 + 100)
    paused = timer_state(planned, log.events, T0 + 400)
    assert paused.projected_end == approx(T0 + 3300)

    # An extension pushes it by the extension.
    log.add("resume", T0 + 400)
    log.add("extend", T0 + 450, seconds=60)
    state = timer_state(planned, log.events, T0 + 500)
    assert state.projected_end == approx(T0 + 3360)

    # Overtime: the current phase contributes nothing, the end slides with now.
    over = timer_state(planned, log.events, T0 + 1200)
    assert over.remaining_seconds < 0
    assert over.projected_end == approx(T0 + 1200 + 900 + 300 + 1200)

    # Going back: phases that have already run are not counted again.
    log.add("start", T0 + 1200, position=1)
    log.add("start", T0 + 2100, position=2)
    log.add("start", T0 + 2200, position=0)
    back = timer_state(planned, log.events, T0 + 2300)
    assert back.projected_end == approx(T0 + 2300 + 500 + 1200)


# --- crash and restart ----------------------------------------------------------------------


def test_resume_after_crash_counts_time_away() -> None:
    planned = [600, 900]
    log = Log()
    log.add("start", T0, position=0)
    log.add("start", T0 + 600, position=1)
    before_crash = timer_state(planned, log.events, T0 + 700)
    assert before_crash.elapsed_seconds == approx(100)
    # The program is killed at T0+700 and restarted at T0+1000 from the log.
    after_restart = timer_state(list(planned), list(log.events), T0 + 1000)
    assert after_restart.position == 1
    assert after_restart.elapsed_seconds == approx(400)
    assert after_restart.remaining_seconds == approx(500)


def test_resume_after_crash_while_paused_does_not_count_time_away() -> None:
    planned = [600, 900]
    log = Log()
    log.add("start", T0, position=0)
    log.add("start", T0 + 600, position=1)
    log.add("pause", T0 + 700)
    # Killed at T0+710, restarted at T0+2000: still paused, nothing elapsed.
    state = timer_state(planned, log.events, T0 + 2000)
    assert state.paused
    assert state.elapsed_seconds == approx(100)
    log.add("resume", T0 + 2000)
    state = timer_state(planned, log.events, T0 + 2030)
    assert not state.paused
    assert state.elapsed_seconds == approx(130)


def test_events_are_replayed_in_order_of_at_then_id() -> None:
    planned = [600, 600, 600]
    log = Log()
    log.add("start", T0, position=0)
    log.add("pause", T0 + 100)
    log.add("resume", T0 + 100)  # same instant: id decides, pause comes first
    log.add("extend", T0 + 200, seconds=60)
    log.add("start", T0 + 400, position=1)
    log.add("pause", T0 + 450)
    log.add("resume", T0 + 500)
    expected = timer_state(planned, log.events, T0 + 600)
    assert not expected.paused
    assert expected.elapsed_seconds == approx(150)

    shuffled = list(log.events)
    for seed in range(20):
        random.Random(seed).shuffle(shuffled)
        assert timer_state(planned, shuffled, T0 + 600) == expected


# --- formatting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (725, "12:05"),
        (3723, "1:02:03"),
        (-190, "+3:10"),
        (-3723, "+1:02:03"),
        (59, "0:59"),
        (0, "0:00"),
        (0.4, "0:01"),  # time left never shows as 0:00
        (-0.4, "0:00"),
        (-1, "+0:01"),
        (300.0000002, "5:00"),  # float noise from epoch timestamps
        (3600, "1:00:00"),
    ],
)
def test_format_clock(seconds: float, text: str) -> None:
    assert format_clock(seconds) == text


# --- a whole four-hour session ---------------------------------------------------------------


def test_four_hour_session_has_no_drift() -> None:
    planned = [900, 1800, 2700, 3600, 1800, 2700, 900]
    assert sum(planned) == 14_400
    extensions = {1: [60], 3: [300, 60], 5: [300]}  # phase -> at elapsed 30
    extend_at_30 = {k: list(v) for k, v in extensions.items()}
    pause_plan = {2: (600, 420), 4: (100, 60), 6: (5, 30)}  # at elapsed, for
    overtime_plan = {3: 45, 5: 10}  # phase -> seconds run past zero

    clock = FakeClock(T0 + 0.25)
    start = clock.now()
    log = Log()
    log.add("start", clock.now(), position=0)

    # The expected arithmetic, kept independently of the code under test.
    phase, elapsed, extended = 0, 0, 0
    paused, paused_left = False, 0
    pause_total, extend_total, overtime_total = 0, 0, 0
    pauses_done: set[int] = set()
    bells: list[tuple[int, str]] = []
    max_drift = 0.0
    prev: TimerState = timer_state(planned, log.events, clock.now())
    assert prev.projected_end == start + 14_400

    while True:
        clock.advance(1)
        now = clock.now()
        if paused:
            paused_left -= 1
            pause_total += 1
        else:
            elapsed += 1

        # What the screen shows this second, checked against the arithmetic.
        state = timer_state(planned, log.events, now)
        assert state.position == phase
        assert state.paused == paused
        assert state.extended_seconds == extended
        current_over = max(0, elapsed - planned[phase] - extended)
        expected_end = start + 14_400 + pause_total + extend_total + overtime_total + current_over
        max_drift = max(
            max_drift,
            abs(state.elapsed_seconds - elapsed),
            abs(state.remaining_seconds - (planned[phase] + extended - elapsed)),
            abs(state.projected_end - expected_end),
        )
        level = warning_crossed(prev, state)
        if level:
            bells.append((phase, level))
        prev = state

        # The facilitator acts on the plan, not on what the timer shows.
        if paused and paused_left == 0:
            log.add("resume", now)
            paused = False
        pause = pause_plan.get(phase)
        if pause and phase not in pauses_done and elapsed == pause[0]:
            log.add("pause", now)
            paused, paused_left = True, pause[1]
            pauses_done.add(phase)
        if elapsed == 30 and not paused:
            for seconds in extend_at_30.pop(phase, []):
                log.add("extend", now, seconds=seconds)
                extended += seconds
                extend_total += seconds
        over = elapsed - (planned[phase] + extended)
        if over >= overtime_plan.get(phase, 0) and not paused:
            overtime_total += over
            if phase == len(planned) - 1:
                log.add("end", now)
                break
            phase, elapsed, extended = phase + 1, 0, 0
            log.add("start", now, position=phase)

    final = timer_state(planned, log.events, clock.now() + 3600)
    assert final.ended
    assert final.projected_end is None
    assert max_drift < 1.0
    assert extend_total == 720
    assert pause_total == 510
    assert overtime_total == 55
    assert clock.now() - start == 14_400 + 720 + 510 + 55
    assert sum(final.actual_seconds.values()) == approx(14_400 + 720 + 55, tol=1.0)
    for position, seconds in enumerate(planned):
        extra = sum(extensions.get(position, []))
        expected = seconds + extra + overtime_plan.get(position, 0)
        assert final.actual_seconds[position] == approx(expected, tol=1.0)
    assert bells == [(p, level) for p in range(len(planned)) for level in ("two_minutes", "zero")]
