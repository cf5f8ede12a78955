"""The running session without the screen: phases, capture, resume, a real kill."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ideation.live.capture import parse_capture
from ideation.live.clock import FakeClock
from ideation.live.plan import parse_plan
from ideation.live.session import CaptureError, LiveSession, start_session
from ideation.records import Participant
from ideation.store import Store

PLAN = """
name: Test plan
brief:
  problem_as_given: How might we make mornings better?
participants:
  - name: Maya
  - name: Tom
  - name: Marta
  - anonymous: true
agenda:
  - {title: Purge, technique: purge, minutes: 10}
  - {title: Brainstorm, technique: brainstorm, minutes: 20}
  - {title: Itemized response, technique: itemized_response, minutes: 15}
"""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def live(db_path: Path, clock: FakeClock) -> LiveSession:
    store = Store(db_path, clock=clock.now)
    session = start_session(store, parse_plan(PLAN, "test.yaml"))
    return LiveSession(store, session.id, clock)


PEOPLE = [Participant(1, 1, "Maya"), Participant(2, 1, "Tom"), Participant(3, 1, "Marta")]


@pytest.mark.parametrize(
    ("line", "text", "who", "builds_on"),
    [
        ("Maya: a pod you can plant", "a pod you can plant", "Maya", None),
        ("maya:   lower case works", "lower case works", "Maya", None),
        ("2: by number", "by number", "Tom", None),
        ("+12 build on twelve", "build on twelve", None, 12),
        ("+12 to: both orders", "both orders", "Tom", 12),
        ("To: +3 both orders", "both orders", "Tom", 3),
        ("Ma: ambiguous start stays text", "Ma: ambiguous start stays text", None, None),
        ("Mart: unique start", "unique start", "Marta", None),
        ("9: no ninth person", "9: no ninth person", None, None),
        ("Idea: a mug that sings", "Idea: a mug that sings", None, None),
        ("+1.5 litres of coffee", "+1.5 litres of coffee", None, None),
        ("  🌱 emoji idea  ", "🌱 emoji idea", None, None),
        ("قهوة تحضر نفسها", "قهوة تحضر نفسها", None, None),
    ],
)
def test_capture_shorthand(line: str, text: str, who: str | None, builds_on: int | None) -> None:
    parsed = parse_capture(line, PEOPLE)
    assert parsed.text == text
    assert (parsed.participant.label if parsed.participant else None) == who
    assert parsed.builds_on_seq == builds_on


def test_phase_control_is_logged_with_skips_and_backs(live: LiveSession, clock) -> None:
    assert live.state().position is None
    assert live.next_phase()
    clock.advance(300)
    live.go_to(2)
    clock.advance(60)
    assert live.previous_phase()
    notes = [(e.kind, e.position, e.note) for e in live.store.phase_log(live.session.id)]
    assert notes == [("start", 0, ""), ("start", 2, "skip"), ("start", 1, "back")]
    assert live.store.session(live.session.id).status == "running"
    live.go_to(2)
    assert not live.next_phase()
    with pytest.raises(CaptureError):
        live.go_to(7)


def test_capture_attributes_links_and_judges(live: LiveSession, clock) -> None:
    live.next_phase()
    first = live.capture("Maya: compostable pods")
    assert first.idea.seq == 1 and first.critique is None
    assert live.participant(first.idea.participant_id).label == "Maya"
    assert first.idea.technique == "purge" and first.idea.phase_id == live.phases[0].id
    second = live.capture("+1 Tom: yes, but that won't work in a small flat")
    assert second.builds_on == first.idea and second.idea.builds_on == first.idea.id
    assert second.critique is not None
    assert live.thread(second.idea) == [first.idea, second.idea]
    speaker = live.participants[2]
    third = live.capture("a kettle that whispers", speaker)
    assert third.idea.participant_id == speaker.id
    live.anonymous_mode = True
    assert live.capture("Maya: said in anonymous mode").idea.participant_id is None


def test_in_itemized_response_a_judgement_is_a_concern_to_phrase_as_how_to(
    live: LiveSession,
) -> None:
    live.go_to(2)  # itemized response: concerns are its job, phrased "How to…"
    captured = live.capture("Tom: too expensive for students")
    assert captured.idea.entry == "concern" and captured.critique is not None
    assert captured.critique.reframe.startswith("How to")


def test_a_line_with_no_idea_is_refused_and_writes_nothing(live: LiveSession) -> None:
    live.next_phase()
    for line in ("Maya:   ", "+5", "2: +1"):
        with pytest.raises(CaptureError):
            live.capture(line)
    assert live.store.idea_rows(live.session.id) == []


def test_a_link_to_nothing_keeps_the_idea_unlinked(live: LiveSession) -> None:
    live.next_phase()
    captured = live.capture("+5 Tom: builds on nothing yet")
    assert captured.idea.text == "+5 builds on nothing yet"
    assert captured.idea.builds_on is None and "no idea +5" in captured.note


def test_withdrawal_is_history_not_deletion(live: LiveSession) -> None:
    live.next_phase()
    idea = live.capture("Maya: oops, wrong person").idea
    live.withdraw(idea.seq)
    assert live.is_withdrawn(idea)
    assert live.standing() == []
    with pytest.raises(CaptureError, match="already withdrawn"):
        live.withdraw(idea.seq)
    assert [r.kind for r in live.store.idea_rows(live.session.id)] == ["idea", "withdrawal"]


def test_pause_extend_overtime_and_end(live: LiveSession, clock) -> None:
    live.next_phase()
    clock.advance(240)
    assert live.toggle_pause() is True
    clock.advance(600)  # paused: does not count
    assert live.toggle_pause() is False
    live.extend(1)
    live.extend(5)
    assert live.state().remaining_seconds == pytest.approx(600 + 360 - 240)
    clock.advance(1000)
    state = live.state()
    assert state.overtime_seconds == pytest.approx(280) and state.warning == "zero"
    live.end()
    assert live.state().ended and live.store.session(live.session.id).status == "ended"
    late = live.capture("Maya: said on the way out")  # still recorded, never lost
    assert late.idea.phase_id == live.phases[0].id


def test_resume_counts_time_away_unless_paused(db_path: Path, live: LiveSession, clock) -> None:
    live.next_phase()
    live.capture("Maya: before the crash")
    clock.advance(120)
    live.store.close()  # the laptop lid closes; nothing else is written
    clock.advance(180)
    reopened = LiveSession(Store(db_path, clock=clock.now), live.session.id, clock)
    assert reopened.state().position == 0
    assert reopened.state().remaining_seconds == pytest.approx(600 - 300)
    assert [i.text for i in reopened.standing()] == ["before the crash"]
    reopened.toggle_pause()
    clock.advance(3600)
    again = LiveSession(Store(db_path, clock=clock.now), live.session.id, clock)
    assert again.state().paused and again.state().remaining_seconds == pytest.approx(300)
    assert again.capture("after resuming").idea.seq == 2


KILLED_WRITER = textwrap.dedent(
    """
    import sys
    from ideation.live.clock import SystemClock
    from ideation.live.session import LiveSession
    from ideation.store import Store

    live = LiveSession(Store(sys.argv[1]), int(sys.argv[2]), SystemClock())
    for n in range(100000):
        captured = live.capture(f"Maya: idea number {n}")
        print(captured.idea.seq, flush=True)   # shown only after the commit
    """
)


def test_a_killed_process_loses_no_shown_idea(db_path: Path, live: LiveSession) -> None:
    """kill -9 mid-capture: every idea the process reported as captured is on disk."""
    live.next_phase()
    session_id = live.session.id
    live.store.close()
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(db_path), str(session_id)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    shown = [int(child.stdout.readline()) for _ in range(200)]
    child.kill()
    child.wait()
    with Store(db_path) as store:
        saved = {i.seq for i in store.idea_rows(session_id)}
    assert set(shown) <= saved
    assert shown == list(range(1, 201))


def test_nobody_is_quiet_once_the_session_has_ended(live: LiveSession, clock) -> None:
    """A resumed, long-ended session must not tell the facilitator to invite anyone in."""
    live.next_phase()
    live.capture("Maya: a kettle that knows my alarm")
    clock.advance(3600)
    assert [q.label for q in live.quiet()]  # an hour of silence in a running phase
    live.end()
    clock.advance(86_400)
    assert live.quiet() == []


def test_nobody_is_quiet_in_a_break_or_the_hits_vote(
    db_path: Path, clock: FakeClock
) -> None:
    """Ten silent minutes of a break are a break, not someone to invite in."""
    plan = PLAN.replace(
        "  - {title: Brainstorm, technique: brainstorm, minutes: 20}\n",
        "  - {title: Brainstorm, technique: brainstorm, minutes: 20}\n"
        "  - {title: Coffee, technique: break, minutes: 15}\n"
        "  - {title: Hits, technique: hits, minutes: 10}\n",
    )
    store = Store(db_path, clock=clock.now)
    live = LiveSession(store, start_session(store, parse_plan(plan, "t.yaml")).id, clock)
    live.next_phase()
    live.next_phase()  # the brainstorm
    live.capture("Maya: a kettle that knows my alarm")
    clock.advance(1260)
    assert live.capturing and [q.label for q in live.quiet()]
    for title in ("Coffee", "Hits"):
        live.next_phase()
        clock.advance(900)
        assert live.current_phase is not None and live.current_phase.title == title
        assert not live.capturing and live.quiet() == []
