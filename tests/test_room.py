"""The room without a server: joining, devices, submitting under the capture rules,
the brainwriting pool, hits, what the display shows, and the m004 upgrade."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database, Migrations

from ideation import schema
from ideation.live.clock import FakeClock
from ideation.live.plan import parse_plan
from ideation.live.room import (
    MAX_IDEA_CHARS,
    DeviceRevoked,
    NotJoined,
    Room,
    RoomClosed,
    RoomRefused,
    device_description,
)
from ideation.live.session import LiveSession, start_session
from ideation.records import Device, Idea, RoomWrite
from ideation.store import Store
from ideation.web.db import RoomThread

PLAN = """
name: Room plan
brief:
  problem_as_given: How might we make mornings better?
participants:
  - name: Maya
  - name: Tom
  - name: Ana
room:
  anonymous_join: true
agenda:
  - {title: Brainwriting, technique: brainwriting, minutes: 10}
  - {title: Break, technique: break, minutes: 10}
  - {title: Springboards, technique: springboards, minutes: 10}
  - {title: Hits, technique: hits, minutes: 10, hits: 2}
  - {title: Itemized response, technique: itemized_response, minutes: 10}
"""
BRAINWRITING, BREAK, SPRINGBOARDS, HITS, ITEMIZED = range(5)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def live(db_path: Path, clock: FakeClock) -> Iterator[LiveSession]:
    """The facilitator's screen, on its own connection."""
    store = Store(db_path, clock=clock.now)
    session = start_session(store, parse_plan(PLAN, "room.yaml"))
    yield LiveSession(store, session.id, clock)
    store.close()


@pytest.fixture
def room(db_path: Path, clock: FakeClock, live: LiveSession) -> Iterator[Room]:
    """The room, on a connection of its own as the web server has."""
    store = Store(db_path, clock=clock.now)
    yield Room.open(store, live.session.id, clock)
    store.close()


def people(room: Room) -> dict[str, int]:
    return {label: pid for pid, label in room.choices()}


def joined(room: Room, name: str | None) -> Device:
    return room.join(None if name is None else people(room)[name])[0]


# -- joining and devices ---------------------------------------------------------------------


def test_join_by_name_gives_a_secret_the_study_keeps_only_hashed(room: Room, db_path) -> None:
    assert [label for _, label in room.choices()] == ["Maya", "Tom", "Ana"]
    device, secret = room.join(people(room)["Maya"], "Mozilla/5.0 \x1b[31m")
    assert len(secret) >= 40 and device.label == "Maya"
    assert room.device(secret) == device
    with Store(db_path) as other:
        stored = other.db.execute("SELECT secret_hash, user_agent FROM devices").fetchone()
    assert secret not in stored[0] and len(stored[0]) == 64
    assert "\x1b" not in stored[1]
    again, _ = room.join(None)
    assert again.label == "Anonymous 1" and again.participant_id is None
    assert room.join(None)[0].label == "Anonymous 2"


def test_join_refuses_a_stranger_and_anonymous_unless_the_plan_allows(
    db_path, clock: FakeClock
) -> None:
    store = Store(db_path, clock=clock.now)
    closed = PLAN.replace("  anonymous_join: true\n", "  anonymous_join: false\n")
    session = start_session(store, parse_plan(closed, "room.yaml"))
    room = Room.open(store, session.id, clock)
    assert not room.anonymous_join
    with pytest.raises(RoomRefused, match="pick your name"):
        room.join(None)
    with pytest.raises(RoomRefused, match="from the list"):
        room.join(9999)


def test_a_wrong_closed_or_ended_token_is_not_running(room: Room, live: LiveSession) -> None:
    assert Room.find(room.store, room.token, room.clock).session_id == live.session.id
    assert Room.open(room.store, live.session.id, room.clock).token == room.token  # reused
    for token in ("nope", "", "x" * 10_000):
        with pytest.raises(RoomClosed, match="this session is not running"):
            Room.find(room.store, token, room.clock)
    live.next_phase()
    device, secret = room.join(people(room)["Tom"])
    room.close()  # the server stopped: the token and the devices live on with the session
    found = Room.find(room.store, room.token, room.clock)
    assert found.device(secret).id == device.id
    reopened = Room.open(room.store, live.session.id, room.clock)
    assert reopened.token == room.token and len(reopened.token) >= 22
    live.end()
    with pytest.raises(RoomClosed, match="not running"):
        Room.find(room.store, reopened.token, room.clock)
    reopened.close()  # closing after the end expires the token for good
    assert room.store.room_session(room.token) is None


def test_unknown_and_revoked_devices_are_refused(room: Room, clock: FakeClock, live) -> None:
    live.next_phase()
    device, secret = room.join(people(room)["Tom"])
    with pytest.raises(NotJoined):
        room.device("not-a-secret")
    clock.advance(30)
    assert room.device(secret).last_seen_at == clock.now()
    room.revoke(device.id)
    assert room.devices()[0].revoked_at == clock.now()
    with pytest.raises(DeviceRevoked):
        room.device(secret)
    with pytest.raises(DeviceRevoked):
        room.submit(room.devices()[0], "an idea after being removed")
    with pytest.raises(RoomRefused, match="no device"):
        room.revoke(4242)


# -- submitting --------------------------------------------------------------------------------


def test_submit_commits_under_the_capture_rules_and_is_idempotent(
    room: Room, live: LiveSession, db_path
) -> None:
    live.next_phase()
    maya = joined(room, "Maya")
    idea = room.submit(maya, "  A kettle\nthat\x1b  sings  ", nonce="n1")
    assert (idea.text, idea.technique, idea.entry) == (
        "A kettle that sings",
        "brainwriting",
        "idea",
    )
    assert idea.participant_id == maya.participant_id
    assert room.submit(maya, "A kettle that sings", nonce="n1") == idea  # a retried send
    with Store(db_path) as other:
        assert [r.text for r in other.idea_rows(live.session.id)] == ["A kettle that sings"]
    assert [row.id for row in live.follow()] == [idea.id]  # the live screen picks it up


def test_no_prefix_is_parsed_from_a_device(room: Room, live: LiveSession) -> None:
    live.next_phase()
    tom = joined(room, "Tom")
    first = room.submit(tom, "a first idea")
    spoof = room.submit(tom, "Maya: +1 /c this is Tom speaking")
    assert spoof.text == "Maya: +1 /c this is Tom speaking"
    assert spoof.participant_id == tom.participant_id and spoof.builds_on is None
    assert spoof.entry == "idea" and first.seq == 1


def test_builds_on_links_only_through_the_pool_link(room: Room, live: LiveSession) -> None:
    live.next_phase()
    maya, tom = joined(room, "Maya"), joined(room, "Tom")
    first = room.submit(maya, "pods that grow herbs")
    built = room.submit(tom, "and a pot to grow them in", builds_on=first.id)
    assert built.builds_on == first.id
    stray = room.submit(tom, "links to nothing", builds_on=99_999)
    assert stray.builds_on is None and stray.text == "links to nothing"


def test_empty_and_too_long_ideas_are_refused(room: Room, live: LiveSession) -> None:
    live.next_phase()
    ana = joined(room, "Ana")
    with pytest.raises(RoomRefused, match="empty"):
        room.submit(ana, " \x07\n ")
    with pytest.raises(RoomRefused, match=f"at most {MAX_IDEA_CHARS} characters"):
        room.submit(ana, "x" * (MAX_IDEA_CHARS + 1))
    assert len(room.submit(ana, "y" * MAX_IDEA_CHARS).text) == MAX_IDEA_CHARS


def test_capture_closed_before_start_paused_in_a_break_non_capturing_and_ended(
    room: Room, live: LiveSession
) -> None:
    ana = joined(room, "Ana")
    with pytest.raises(RoomRefused, match="not started"):
        room.submit(ana, "too early")
    live.next_phase()
    live.toggle_pause()
    with pytest.raises(RoomRefused, match="paused"):
        room.submit(ana, "while paused")
    assert room.view().paused and not room.view().capturing
    live.toggle_pause()
    live.go_to(BREAK)
    with pytest.raises(RoomRefused, match="not being collected during “Break”"):
        room.submit(ana, "on the break")
    live.go_to(HITS)
    with pytest.raises(RoomRefused, match="not being collected"):
        room.submit(ana, "in the hits")
    live.end()
    with pytest.raises(RoomClosed, match="not running"):
        room.submit(ana, "after the end")
    assert room.view().ended
    assert live.store.count_ideas(live.session.id) == 0


def test_attribution_follows_anonymous_mode_and_the_phase_kind(
    room: Room, live: LiveSession
) -> None:
    live.go_to(SPRINGBOARDS)
    maya, someone = joined(room, "Maya"), joined(room, None)
    assert room.submit(maya, "How to wake up gently").entry == "springboard"
    assert room.submit(someone, "I wish it knew me").participant_id is None
    live.anonymous_mode = True
    assert room.submit(maya, "How to share it").participant_id is None


def test_itemized_response_links_to_the_developed_idea_and_keeps_judgement_a_concern(
    room: Room, live: LiveSession
) -> None:
    live.next_phase()
    base = live.capture("Maya: a kettle that knows my alarm").idea
    live.go_to(ITEMIZED)
    live.pick(base.seq)
    tom = joined(room, "Tom")
    plus = room.submit(tom, "it saves me two minutes")
    concern = room.submit(tom, "but it would be too expensive")
    assert (plus.entry, plus.builds_on) == ("plus", base.id)
    assert (concern.entry, concern.builds_on) == ("concern", base.id)


# -- the brainwriting pool -------------------------------------------------------------------


def test_the_pool_never_returns_your_own_and_rotates_least_shown_first(
    room: Room, live: LiveSession
) -> None:
    live.next_phase()
    maya, tom, ana = joined(room, "Maya"), joined(room, "Tom"), joined(room, "Ana")
    assert room.pool_idea(maya) is None  # nobody has written yet
    own = room.submit(maya, "Maya's own")
    assert room.pool_idea(maya) is None  # only her own so far
    facilitator_typed = live.capture("M: Maya said this aloud").idea
    assert room.pool_idea(maya) is None  # hers too, typed by the facilitator
    t1 = room.submit(tom, "Tom one")
    t2 = room.submit(tom, "Tom two")
    a1 = room.submit(ana, "Ana one")
    shown = [room.pool_idea(maya) for _ in range(3)]
    assert {i.id for i in shown} == {t1.id, t2.id, a1.id}  # nothing twice while others remain
    assert own.id not in {i.id for i in shown} and facilitator_typed.id not in {i.id for i in shown}
    again = room.pool_idea(maya)
    assert again is not None and again.id == shown[0].id  # then round again, oldest shown first
    assert room.pool_idea(tom).id not in (t1.id, t2.id)
    # Least shown first: Tom has seen none; Maya's and the spoken one were shown least.
    assert room.pool_idea(ana).id in (own.id, facilitator_typed.id)


def test_the_pool_tells_anonymous_devices_apart(room: Room, live: LiveSession) -> None:
    live.next_phase()
    first, second = joined(room, None), joined(room, None)
    mine = room.submit(first, "first device's idea")
    assert room.pool_idea(first) is None
    assert room.pool_idea(second) == mine


def test_the_pool_is_only_open_in_a_running_brainwriting_phase(
    room: Room, live: LiveSession
) -> None:
    live.next_phase()
    maya, tom = joined(room, "Maya"), joined(room, "Tom")
    room.submit(maya, "an idea")
    live.go_to(SPRINGBOARDS)
    assert room.pool_idea(tom) is None


# -- hits --------------------------------------------------------------------------------------


def ideas_for_hits(room: Room, live: LiveSession) -> list[int]:
    live.next_phase()
    maya = joined(room, "Maya")
    ids = [room.submit(maya, f"idea {n}").id for n in range(4)]
    live.follow()
    live.capture("that won't work, too expensive")  # critical: kept, never offered to tap
    return ids


def test_hit_candidates_leave_out_critical_remarks_like_the_projector(
    room: Room, live: LiveSession
) -> None:
    ids = ideas_for_hits(room, live)
    critical = live.idea_by_id(max(i.id for i in live.standing()))
    assert critical.text == "that won't work, too expensive" and critical.id not in ids
    live.go_to(HITS)
    offered = {i.id for i in room.hit_candidates()}
    assert set(ids) <= offered and critical.id not in offered
    assert "too expensive" not in " ".join(text for _seq, text, _a in room.view().latest)
    with pytest.raises(RoomRefused, match="no such idea"):
        room.hit(joined(room, "Tom"), critical.id)


def test_a_revoked_address_cannot_join_again(room: Room, live: LiveSession) -> None:
    live.next_phase()
    first, _ = room.join(people(room)["Tom"], "", "10.0.0.7")
    room.join(people(room)["Ana"], "", "10.0.0.8")
    room.revoke(first.id)
    with pytest.raises(RoomRefused, match="ask the facilitator"):
        room.join(people(room)["Maya"], "", "10.0.0.7")
    room.join(people(room)["Maya"], "", "10.0.0.9")  # other addresses join as before
    room.join(people(room)["Ana"], "", "10.0.0.8")


@pytest.mark.parametrize(
    ("agent", "said"),
    [
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15"
            " (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/124.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Firefox on Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
            "Edge on Windows",
        ),
        ("", "unknown browser"),
    ],
)
def test_a_device_is_described_by_its_browser_and_system(agent: str, said: str) -> None:
    assert device_description(agent) == said


def test_hits_are_refused_outside_a_hits_phase(room: Room, live: LiveSession) -> None:
    ids = ideas_for_hits(room, live)
    tom = joined(room, "Tom")
    assert room.hit_candidates() == []  # nobody sees others' ideas to judge them
    with pytest.raises(RoomRefused, match="only in a hits phase"):
        room.hit(tom, ids[0])
    with pytest.raises(RoomRefused, match="only in a hits phase"):
        room.unhit(tom, ids[0])
    live.go_to(BREAK)
    with pytest.raises(RoomRefused, match="only in a hits phase"):
        room.hit(tom, ids[0])
    assert room.hit_counts() == {}


def test_hits_up_to_the_plans_limit_positive_only(room: Room, live: LiveSession) -> None:
    ids = ideas_for_hits(room, live)
    withdrawn = live.withdraw(live.idea_by_id(ids[3]).seq)
    live.go_to(HITS)
    view = room.view()
    assert view.hits_open and view.hits_limit == 2 and not view.capturing
    candidates = room.hit_candidates()
    assert [i.id for i in candidates][:3] == ids[:3] and withdrawn.replaces not in {
        i.id for i in candidates
    }
    tom, ana = joined(room, "Tom"), joined(room, "Ana")
    room.hit(tom, ids[0])
    room.hit(tom, ids[0])  # the same idea twice is one hit
    room.hit(tom, ids[1])
    with pytest.raises(RoomRefused, match="all 2 hits; take one back"):
        room.hit(tom, ids[2])
    with pytest.raises(RoomRefused, match="no such idea"):
        room.hit(tom, ids[3])  # withdrawn
    room.unhit(tom, ids[1])
    room.hit(tom, ids[2])
    room.hit(ana, ids[0])
    assert room.hits_of(tom) == {ids[0], ids[2]}
    assert room.hit_counts() == {ids[0]: 2, ids[2]: 1}
    second_phone = joined(room, "Tom")  # the same person on another device: same hits
    assert room.hits_of(second_phone) == {ids[0], ids[2]}
    with pytest.raises(RoomRefused, match="all 2 hits"):
        room.hit(second_phone, ids[1])
    live.toggle_pause()
    with pytest.raises(RoomRefused, match="paused"):
        room.hit(ana, ids[1])


# -- what the room shows ----------------------------------------------------------------------


def test_view_counts_down_and_shows_no_names_in_anonymous_mode_and_nothing_critical(
    room: Room, live: LiveSession, clock: FakeClock
) -> None:
    before = room.view()
    assert before.phase_title == "" and before.remaining_seconds is None and not before.capturing
    live.next_phase()
    clock.advance(61.5)
    maya = joined(room, "Maya")
    room.submit(maya, "a kettle that sings")
    room.submit(maya, "that is too expensive")  # critical: kept, never on the wall
    live.capture("Tom: <script>alert(1)</script> a mug \x1b]0;pwned\x07")
    view = room.view()
    assert (view.session_title, view.phase_title, view.technique) == (
        "Room plan",
        "Brainwriting",
        "brainwriting",
    )
    assert view.technique_name == "Brainwriting" and view.capturing
    assert view.remaining_seconds == 600 - 61
    assert view.prompt  # the technique's first card
    assert view.latest == [
        (3, "<script>alert(1)</script> a mug ]0;pwned", "Tom"),
        (1, "a kettle that sings", "Maya"),
    ]
    live.anonymous_mode = True
    assert [author for _, _, author in room.view().latest] == [None, None]


def test_view_shows_the_chain(room: Room, live: LiveSession) -> None:
    live.go_to(SPRINGBOARDS)
    springboard = live.capture("How to wake up gently").idea
    live.pick(springboard.seq)
    assert room.view().chain == [("springboard", "How to wake up gently")]


def test_version_changes_on_a_new_idea_a_phase_change_a_hit_and_each_running_second(
    room: Room, live: LiveSession, clock: FakeClock
) -> None:
    start = room.version()
    assert room.version() == start
    clock.advance(5)
    assert room.version() == start  # not started: no countdown to follow
    live.next_phase()
    started = room.version()
    assert started != start
    clock.advance(1)
    ticked = room.version()
    assert ticked != started
    live.toggle_pause()
    paused = room.version()
    clock.advance(3)
    assert room.version() == paused  # a paused clock does not change
    live.toggle_pause()
    maya = joined(room, "Maya")
    before = room.version()
    idea = room.submit(maya, "new idea")
    assert room.version() != before
    live.go_to(HITS)
    before = room.version()
    room.hit(joined(room, "Tom"), idea.id)
    assert room.version() != before
    live.anonymous_mode = True
    assert room.view().version != before


# -- the study file --------------------------------------------------------------------------


def test_a_study_from_before_the_room_upgrades_in_place(db_path: Path) -> None:
    old = Migrations("ideation")
    for step in (schema.m001_initial, schema.m002_session_leases, schema.m003_synectics_chain):
        old()(step)
    db = Database(db_path)
    old.apply(db)
    db.execute("INSERT INTO sessions (id, name, created_at) VALUES (1, 's', 0)")
    db.execute(
        "INSERT INTO phases (id, session_id, position, title, technique, planned_seconds)"
        " VALUES (1, 1, 0, 'Brainstorm', 'brainstorm', 600)"
    )
    db.execute("INSERT INTO participants (id, session_id, label) VALUES (1, 1, 'Maya')")
    db.execute("INSERT INTO phase_log (session_id, kind, at, position) VALUES (1, 'start', 5, 0)")
    db.execute(
        "INSERT INTO ideas (session_id, seq, text, participant_id, phase_id, created_at)"
        " VALUES (1, 1, 'kept as it was', 1, 1, 6)"
    )
    db.conn.commit()
    db.close()
    clock = FakeClock(10)
    with Store(db_path, clock=clock.now) as store:
        assert "m004_room" in store.schema_version()
        assert [r.text for r in store.idea_rows(1)] == ["kept as it was"]
        store.set_session_status(1, "running")
        room = Room.open(store, 1, clock)
        device = room.join(1)[0]
        assert room.submit(device, "from a phone", nonce="a").seq == 2
        assert store.check() == []


# -- group commit: many phones' sends in one transaction ---------------------------------------


def test_sends_waiting_together_commit_together_and_one_refusal_sinks_none(
    db_path: Path, clock: FakeClock, live: LiveSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    live.next_phase()
    groups: list[int] = []
    add_room_ideas = Store.add_room_ideas

    def counted(store: Store, *args: object, **kwargs: object) -> object:
        if args[1]:  # not the notes alone (pool ideas shown), written as the room closes
            groups.append(len(args[1]))  # type: ignore[arg-type]
        return add_room_ideas(store, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "add_room_ideas", counted)
    db = RoomThread(db_path, live.session.id, clock)
    try:
        phones = [db.run(lambda n=n: db.room.join(people(db.room)[n])[1]) for n in ("Maya", "Tom")]
        busy = threading.Event()

        def page() -> int:  # a page render, queued before the sends: how many it sees
            return db.room.store.count_ideas(live.session.id)

        async def everyone() -> tuple[list[object], int]:
            held = asyncio.ensure_future(db.call(busy.wait))  # the thread is busy meanwhile
            await asyncio.sleep(0.05)
            rendered = asyncio.ensure_future(db.call(page))
            await asyncio.sleep(0.01)
            sends = [
                db.submit(phones[n % 2], "" if n == 3 else f"idea {n}", nonce=f"n{n // 5}")
                for n in range(10)
            ]
            waiting = asyncio.gather(*sends, return_exceptions=True)
            await asyncio.sleep(0.05)
            busy.set()
            await held
            return await waiting, await rendered

        results, seen_by_page = asyncio.run(everyone())
    finally:
        busy.set()
        db.close()
    assert groups == [9]  # one transaction for the ten sends (the empty one refused first)...
    assert seen_by_page == 4  # ...committed before the page queued ahead of them
    assert isinstance(results[3], RoomRefused)  # the empty one, refused alone
    ideas = [r for r in results if not isinstance(r, BaseException)]
    # A retried nonce is one idea: sends 0-4 and 5-9 share a nonce per phone.
    assert len({i.id for i in ideas}) == 4
    with Store(db_path) as store:
        rows = [r for r in store.idea_rows(live.session.id) if r.kind == "idea"]
    assert [r.text for r in rows] == ["idea 0", "idea 1", "idea 5", "idea 6"]  # in send order
    assert [r.seq for r in rows] == sorted(r.seq for r in rows)


def test_a_send_finds_its_device_in_the_group_and_a_revoke_elsewhere_refuses_it(
    db_path: Path, clock: FakeClock, live: LiveSession, room: Room
) -> None:
    """The web app rate-limits a known cookie without asking the study, so the send
    itself must notice a device revoked since, from another connection (the TUI's)."""
    live.next_phase()
    db = RoomThread(db_path, live.session.id, clock)
    try:
        maya, secret = db.run(lambda: db.room.join(people(db.room)["Maya"]))
        kept = asyncio.run(db.submit(secret, "a cup that hums"))
        room.revoke(maya.id)  # the live screen's own Room, its own connection
        with pytest.raises(DeviceRevoked):
            asyncio.run(db.submit(secret, "one more"))
        with pytest.raises(NotJoined):
            asyncio.run(db.submit("not-a-device", "hello"))
        after = asyncio.run(db.call(lambda: db.room.store.count_ideas(live.session.id)))
    finally:
        db.close()
    assert kept.text == "a cup that hums"
    assert after == 1


def test_one_failing_row_in_a_group_is_rolled_back_alone(
    db_path: Path, clock: FakeClock, live: LiveSession, room: Room
) -> None:
    live.next_phase()
    maya = joined(room, "Maya")
    fields = {"at": clock.now(), "phase_id": live.current_phase.id, "technique": "brainwriting"}
    writes = [
        RoomWrite(maya.id, "a", "kept", fields),
        RoomWrite(maya.id, "b", "builds on nothing", {**fields, "builds_on": 10**9}),
        RoomWrite(maya.id, "c", "kept too", fields),
    ]
    results = room.store.add_room_ideas(live.session.id, writes)
    assert isinstance(results[1], Exception)  # the foreign key: that row only
    assert [r.text for r in results if isinstance(r, Idea)] == ["kept", "kept too"]
    with Store(db_path) as other:
        texts = [r.text for r in other.idea_rows(live.session.id)]
    assert texts == ["kept", "kept too"]


def test_a_device_seen_is_written_with_the_next_send_not_on_every_page(
    db_path: Path, clock: FakeClock, live: LiveSession, room: Room
) -> None:
    live.next_phase()
    maya, secret = room.join(people(room)["Maya"])
    clock.advance(30)
    assert room.device(secret).last_seen_at == clock.now()
    assert [d.last_seen_at for d in room.devices()] == [clock.now()]  # counted as seen
    with Store(db_path) as other:
        assert other.devices(live.session.id)[0].last_seen_at == maya.joined_at  # not yet
    room.submit(maya, "an idea")
    with Store(db_path) as other:
        assert other.devices(live.session.id)[0].last_seen_at == clock.now()
