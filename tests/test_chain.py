"""The excursion as a chain of choices: picks, prompts built from them, resume after a kill."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlite_utils import Database, Migrations

from ideation import schema
from ideation.errors import IdeationError
from ideation.live.clock import FakeClock
from ideation.live.plan import PlanError, parse_plan
from ideation.live.session import CaptureError, LiveSession, start_session
from ideation.live.techniques import TECHNIQUES, aim, thing
from ideation.live.timing import timer_state
from ideation.store import Store

PLAN = """
name: Chain plan
brief:
  problem_as_given: How might we make mornings better?
participants:
  - name: Maya
  - name: Tom
  - name: Hanna
    role: problem_owner
agenda:
  - {title: Brainstorm, technique: brainstorm, minutes: 10}
  - {title: Springboards, technique: springboards, minutes: 10}
  - {title: Direct, technique: direct_analogy, minutes: 10}
  - {title: Personal, technique: personal_analogy, minutes: 10}
  - {title: Symbolic, technique: symbolic_analogy, minutes: 10}
  - {title: Fantasy, technique: fantasy_analogy, minutes: 10}
  - {title: Force-fit, technique: force_fit, minutes: 10, notes: Keep it wild.}
  - {title: Itemized, technique: itemized_response, minutes: 10}
"""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def live(db_path: Path, clock: FakeClock) -> LiveSession:
    store = Store(db_path, clock=clock.now)
    session = start_session(store, parse_plan(PLAN, "chain.yaml"))
    return LiveSession(store, session.id, clock)


def step(live: LiveSession, clock: FakeClock) -> None:
    clock.advance(60)
    assert live.next_phase()


def test_a_pick_keeps_the_chain_whole(live: LiveSession, clock: FakeClock) -> None:
    """Each decision point chooses among its own kind of entry: a springboard from
    springboards, an example from this step's material, an idea to develop from ideas."""
    live.next_phase()  # brainstorm
    idea = live.capture("Maya: a kettle that knows my alarm").idea
    step(live, clock)  # springboards
    with pytest.raises(CaptureError, match="springboard entries; \\+1 is idea"):
        live.pick(idea.seq)
    board = live.capture("How to wake up kindly?").idea
    live.pick(board.seq)
    step(live, clock)  # direct analogy
    with pytest.raises(CaptureError, match="excursion entries"):
        live.pick(board.seq)
    example = live.capture("a beehive at dawn").idea
    live.pick(example.seq)
    step(live, clock)  # personal analogy
    with pytest.raises(CaptureError, match="this step's material"):
        live.pick(example.seq)  # the example is the last step's pick, not a feeling
    for _ in range(4):
        step(live, clock)  # symbolic, fantasy, force-fit, itemized
    concern = live.capture("/c how to keep it cheap").idea
    with pytest.raises(CaptureError, match="idea or springboard entries"):
        live.pick(concern.seq)
    live.pick(idea.seq)
    assert live.chain().developed == idea
    judged = live.capture("Tom: yes, but that's too expensive")  # a judgement, not a plus
    assert judged.idea.entry == "concern" and judged.idea.builds_on == idea.id
    assert judged.critique is not None and live.nudge is not None  # reframe it as "How to…"
    assert live.capture("it wakes you gently").idea.entry == "plus"


def test_picks_feed_each_next_prompt(live: LiveSession, clock: FakeClock) -> None:
    owner = live.problem_owner
    assert owner is not None and owner.label == "Hanna"
    live.next_phase()  # brainstorm: no decision point
    live.capture("Maya: a kettle that knows my alarm")
    with pytest.raises(CaptureError, match="no decision point"):
        live.pick(1)
    assert live.picks == []

    step(live, clock)  # springboards
    guide = live.guide()
    assert guide.pick_hint is not None and guide.pick_hint.startswith("Hanna (problem owner)")
    board = live.capture("Tom: How to make the first coffee feel like a present?").idea
    assert board.entry == "springboard"
    made = live.pick(board.seq)
    assert made.participant_id == owner.id and made.phase_id == live.phases[1].id
    assert live.guide().pick_hint is None

    step(live, clock)  # direct analogy
    guide = live.guide()
    assert "how to make the first coffee feel like a present." in guide.say
    assert (
        guide.card == "How to make the first coffee feel like a present: "
        "where do nature or other industries do that?"
    )
    example = live.capture("Maya: a hotel turning down your bed").idea
    assert example.entry == "excursion"
    live.pick(example.seq)

    step(live, clock)  # personal analogy
    guide = live.guide()
    assert guide.card == "Be the hotel turning down your bed. What is it like? How do you feel?"
    assert "imagine you are the product" not in guide.say.casefold()
    feeling = live.capture("Tom: I feel patient but hurried").idea
    live.pick(feeling.seq, by=live.participants[0])  # the facilitator may pick for someone

    step(live, clock)  # symbolic analogy
    assert "I feel patient but hurried" in live.guide().say
    title = live.capture("Maya: patient rush").idea
    live.pick(title.seq)

    step(live, clock)  # fantasy analogy
    assert "“patient rush”" in live.guide().say
    fantasy = live.capture("Tom: a genie who waits").idea
    live.pick(fantasy.seq)

    step(live, clock)  # force-fit: no decision point, the picked example beside the springboard
    guide = live.guide()
    assert guide.card == (
        "a genie who waits — how could that help us make the first coffee feel like a present?"
    )
    assert guide.notes == "Keep it wild." and guide.pick_hint is None
    idea = live.capture("Maya: a machine that waits for your footsteps").idea
    assert idea.entry == "idea"
    with pytest.raises(CaptureError):
        live.pick(idea.seq)

    step(live, clock)  # itemized response
    assert live.guide().say == TECHNIQUES["itemized_response"].say
    assert "No idea to develop picked yet" in (live.guide().pick_hint or "")
    live.pick(idea.seq)
    assert "“a machine that waits for your footsteps”" in live.guide().say

    chain = live.chain()
    assert [name for name, _ in chain.steps()] == [
        "springboard",
        "example",
        "feeling",
        "book title",
        "fantasy example",
        "idea to develop",
    ]
    assert (chain.springboard, chain.example, chain.feeling) == (board, example, feeling)
    assert (chain.book_title, chain.fantasy_example, chain.developed) == (title, fantasy, idea)
    log = [(e.kind, e.note) for e in live.store.phase_log(live.session.id) if e.kind == "pick"]
    assert log[0] == ("pick", f"springboard +{board.seq} by Hanna")
    assert len(log) == 6
    # the timer ignores the picks in the log
    with_picks = live.state()
    without = timer_state(live.planned, [e for e in live.events if e.kind != "pick"], clock.now())
    assert with_picks == without


def test_a_later_pick_wins_and_a_withdrawn_pick_falls_back(live: LiveSession, clock) -> None:
    live.go_to(1)
    first = live.capture("How to wake up slowly").idea
    second = live.capture("I wish coffee found me").idea
    live.pick(first.seq)
    live.pick(second.seq)
    assert live.chain().springboard == second
    assert live.chain().values()["springboard"] == "make it so coffee found me"
    live.withdraw(second.seq)
    assert live.chain().springboard == first


def test_a_pick_needs_a_standing_entry(live: LiveSession) -> None:
    live.go_to(1)
    with pytest.raises(CaptureError, match=r"no idea \+4"):
        live.pick(4)
    gone = live.capture("How to oops").idea
    live.withdraw(gone.seq)
    with pytest.raises(IdeationError):
        live.pick(gone.seq)
    assert live.store.picks(live.session.id) == []


def test_picks_cannot_be_changed_or_deleted(live: LiveSession) -> None:
    live.go_to(1)
    live.pick(live.capture("How to wake up").idea.seq)
    for sql in ("UPDATE picks SET idea_id = 1", "DELETE FROM picks"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            live.store.db.execute(sql)


def test_itemized_response_kinds_link_to_the_picked_idea(live: LiveSession, clock) -> None:
    live.go_to(6)
    idea = live.capture("Maya: a kettle that listens").idea
    live.go_to(7)
    live.pick(idea.seq)
    plus = live.capture("Tom: saves time").idea
    potential = live.capture("/o Tom: could learn my week").idea
    concern = live.capture("Maya: /c how to keep it private").idea
    assert [e.entry for e in (plus, potential, concern)] == ["plus", "potential", "concern"]
    assert {e.builds_on for e in (plus, potential, concern)} == {idea.id}
    assert potential.text == "could learn my week" and concern.text == "how to keep it private"
    other = live.capture("+1 /p builds on what I say").idea
    assert other.builds_on == idea.id  # +1 is the idea itself here


def test_anonymous_mode_is_session_state(db_path: Path, live: LiveSession, clock) -> None:
    live.next_phase()
    live.anonymous_mode = True
    assert live.store.session(live.session.id).anonymous_mode
    again = LiveSession(Store(db_path, clock=clock.now), live.session.id, clock)
    assert again.anonymous_mode
    live.release()
    assert again.capture("Maya: hidden").idea.participant_id is None


def test_the_critique_nudge_clears(live: LiveSession, clock) -> None:
    live.next_phase()
    critical = live.capture("Tom: that's too expensive").idea
    assert live.nudge is not None and live.nudge_idea == critical
    live.capture("a mug")
    live.capture("a cup")
    assert live.nudge is not None
    live.capture("a saucer")
    assert live.nudge is None
    live.capture("Tom: pods are too expensive")
    clock.advance(30)
    live.next_phase()
    assert live.nudge is None


def test_park_concern_keeps_the_reframe_as_a_concern(live: LiveSession) -> None:
    live.next_phase()
    critical = live.capture("Tom: the pods are too expensive").idea
    concern = live.park_concern(critical.seq)
    assert concern.entry == "concern" and concern.builds_on == critical.id
    assert concern.text == "How to make the pods affordable?"
    assert concern.participant_id == critical.participant_id
    assert live.nudge is None
    plain = live.capture("a mug").idea
    with pytest.raises(CaptureError, match="no criticism"):
        live.park_concern(plain.seq)


def test_excursion_material_is_not_counted_as_ideas(live: LiveSession, clock) -> None:
    live.next_phase()
    live.capture("/x like a beehive")
    live.capture("a real idea")
    clock.advance(10)
    assert live.rate_per_minute() == [1]


def test_aim_reads_as_a_goal() -> None:
    assert aim("How to keep it fresh?") == "keep it fresh"
    assert aim("I wish it knew me") == "make it so it knew me"
    assert aim("Coffee for two") == "coffee for two"
    assert aim("NHS coffee") == "NHS coffee"
    assert thing("Like a beehive.") == "beehive"
    assert thing("the milkman") == "milkman"


def test_plan_templates_override_and_are_checked(db_path: Path, clock: FakeClock) -> None:
    text = PLAN.replace(
        "  - {title: Force-fit, technique: force_fit, minutes: 10, notes: Keep it wild.}",
        "  - title: Force-fit\n    technique: force_fit\n    minutes: 10\n"
        "    card: 'Our {fantasy_example} meets {springboard}'\n",
    )
    store = Store(db_path, clock=clock.now)
    live = LiveSession(store, start_session(store, parse_plan(text, "p.yaml")).id, clock)
    live.go_to(1)
    live.pick(live.capture("How to share").idea.seq)
    live.go_to(5)
    live.pick(live.capture("a genie").idea.seq)
    live.go_to(6)
    assert live.guide().card == "Our a genie meets share"
    bad = text.replace("{springboard}'", "{springbored}'")
    with pytest.raises(PlanError, match=r"^p\.yaml:\d+: agenda\[6\]\.card: unknown placeholder"):
        parse_plan(bad, "p.yaml")


# -- a real kill in the middle of the excursion --------------------------------------------

KILLED_FACILITATOR = textwrap.dedent(
    """
    import sys, time
    from ideation.live.clock import SystemClock
    from ideation.live.session import LiveSession
    from ideation.store import Store

    live = LiveSession(Store(sys.argv[1]), int(sys.argv[2]), SystemClock())
    live.go_to(1)
    live.pick(live.capture("Tom: How to make mornings kind").idea.seq)
    live.next_phase()
    live.pick(live.capture("Maya: a hotel turning down your bed").idea.seq)
    live.next_phase()
    live.anonymous_mode = True
    live.capture("I feel patient but hurried")
    print("ready", flush=True)
    time.sleep(60)
    """
)


def test_resume_after_kill_restores_chain_and_anonymous_mode(db_path: Path) -> None:
    with Store(db_path) as store:
        session_id = start_session(store, parse_plan(PLAN, "chain.yaml")).id
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_FACILITATOR, str(db_path), str(session_id)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    child.kill()
    child.wait()
    from ideation.live.clock import SystemClock

    live = LiveSession(Store(db_path), session_id, SystemClock(), holder="resumed@host:1")
    assert live.anonymous_mode
    chain = live.chain()
    assert chain.springboard is not None and chain.springboard.text == "How to make mornings kind"
    assert chain.example is not None and chain.example.text == "a hotel turning down your bed"
    assert live.current_phase is not None and live.current_phase.technique == "personal_analogy"
    assert (
        live.guide().card == "Be the hotel turning down your bed. What is it like? How do you feel?"
    )
    last = live.rows[-1]
    assert last.participant_id is None and last.entry == "excursion"


# -- an older study upgrades in place -------------------------------------------------------


def test_a_study_from_before_the_chain_upgrades_in_place(db_path: Path) -> None:
    old = Migrations("ideation")
    old()(schema.m001_initial)
    old()(schema.m002_session_leases)
    db = Database(db_path)
    old.apply(db)
    db.execute("INSERT INTO sessions (id, name, created_at) VALUES (1, 's', 0)")
    db.execute(
        "INSERT INTO phases (id, session_id, position, title, technique, planned_seconds)"
        " VALUES (1, 1, 0, 'Springboards', 'springboards', 600)"
    )
    db.execute("INSERT INTO participants (id, session_id, label) VALUES (1, 1, 'Maya')")
    db.execute("INSERT INTO phase_log (session_id, kind, at, position) VALUES (1, 'start', 5, 0)")
    db.execute(
        "INSERT INTO ideas (session_id, seq, text, participant_id, phase_id, created_at)"
        " VALUES (1, 1, 'How to be kept', 1, 1, 6)"
    )
    db.conn.commit()
    db.close()
    clock = FakeClock(10)
    with Store(db_path, clock=clock.now) as store:
        assert "m003_synectics_chain" in store.schema_version()
        [row] = store.idea_rows(1)
        assert (row.text, row.entry) == ("How to be kept", "idea")
        assert store.participants(1)[0].role == ""
        assert not store.session(1).anonymous_mode
        live = LiveSession(store, 1, clock)
        with pytest.raises(CaptureError, match="springboard entries"):
            live.pick(1)  # an old row stays an idea; the springboard is picked from springboards
        springboard = live.capture("How to pick it").idea
        live.pick(springboard.seq)
        assert [e.kind for e in store.phase_log(1)] == ["start", "pick"]
        assert store.check() == []
