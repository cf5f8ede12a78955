"""The room on the live screen (issue #11) and pasting several lines (issue #12 §1),
driven through Pilot at 80×24 as a facilitator would."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from textual import events
from textual.widgets import DataTable, Input, Static

from ideation.live.clock import FakeClock
from ideation.live.plan import parse_plan
from ideation.live.session import LiveSession, start_session
from ideation.store import Store
from ideation.tui import live as live_module
from ideation.tui.app import IdeationApp
from ideation.tui.dialogs import PasteScreen
from ideation.tui.live import LiveScreen
from ideation.tui.live_areas import area_hint
from ideation.tui.room_dialog import TALLER, RoomScreen

PLAN = """
name: Room plan
brief:
  problem_as_given: How might we make mornings better?
participants: [{name: Maya}, {name: Tom}]
room: {anonymous_join: true}
agenda:
  - {title: Brainwriting, technique: brainwriting, minutes: 10}
  - {title: Hits, technique: hits, minutes: 5, hits: 3}
"""

QR = ["█▀▀▀▀▀█ ▄ █▀▀▀▀▀█"] * 21  # the rows of a longer address's code than usual


class FakeServer:
    """Stands in for `ideation.web.server.RoomServer` where the screen merely calls it."""

    def __init__(self) -> None:
        self.join_url = "http://192.0.2.7:8765/join/T0KEN"
        self.room_url = "http://192.0.2.7:8765/room"
        self.running = False
        self.devices = 0
        self.stops = 0

    def start(self) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False
        self.stops += 1

    def device_count(self) -> int:
        return self.devices


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def session_id(db_path: Path) -> int:
    with Store(db_path) as store:
        return start_session(store, parse_plan(PLAN, "room.yaml")).id


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    fake = FakeServer()

    def start(study_path: Path, session_id: int, clock: FakeClock) -> FakeServer:
        fake.start()
        return fake

    monkeypatch.setattr(live_module, "start_room_server", start)
    monkeypatch.setattr(live_module, "room_qr", lambda url: QR)
    return fake


def live_app(db_path: Path, session_id: int, clock: FakeClock) -> IdeationApp:
    return IdeationApp(db_path, clock=clock, open_session=session_id, embedder=False, keymap=None)


def visible(app: IdeationApp) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def entries(app: IdeationApp) -> list[str]:
    table = app.screen.query_one("#ideas", DataTable)
    return [str(table.get_row_at(i)[4]) for i in range(table.row_count)]


async def start_room(pilot) -> None:
    await pilot.press("alt+r")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def room_for(db_path: Path, session_id: int, clock: FakeClock):
    """The room as the web app holds it: its own connection to the study."""
    from ideation.live.room import Room

    store = Store(db_path, clock=clock.now)
    return store, Room.open(store, session_id, clock)


async def test_alt_r_starts_the_room_and_the_screen_shows_address_and_devices(
    db_path: Path, session_id: int, clock, server: FakeServer
) -> None:
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        assert app.screen.query_one("#room", Static).has_class("empty")
        await start_room(pilot)
        assert server.running
        assert isinstance(app.screen, RoomScreen)  # the dialog opens once it listens
        shown = visible(app)
        assert server.join_url in shown
        assert TALLER in shown  # 21 QR rows do not fit in 24 with the address and keys
        assert "█▀▀▀▀▀█" not in shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen)
        assert app.focused is app.screen.query_one("#capture", Input)
        server.devices = 2
        app.screen.tick()
        await pilot.pause()
        line = visible(app)
        assert "2 devices" in line and server.join_url in line
        await pilot.press("alt+r")  # running: the key shows the room again
        await pilot.pause()
        assert isinstance(app.screen, RoomScreen)


async def test_the_qr_code_of_a_usual_address_fits_at_80x24(
    db_path: Path, session_id: int, clock, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's promise: a LAN address with the room's 22-character token (the
    `Room.open` form) makes a 19-row code, and all of it shows next to the devices."""
    from ideation.tui.room import room_qr

    server.join_url = "http://192.168.100.123:8765/join/iZ5HhMQSMl-8QEMTP_U2ZQ"
    monkeypatch.setattr(live_module, "room_qr", room_qr)
    rows = room_qr(server.join_url)
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_room(pilot)
        shown = visible(app)
        assert all(row in shown for row in rows) and len(rows) == 19
        assert TALLER not in shown and server.join_url in shown


async def test_a_tall_terminal_shows_the_whole_qr_code(
    db_path: Path, session_id: int, clock, server: FakeServer
) -> None:
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(100, 40)) as pilot:
        await start_room(pilot)
        shown = visible(app)
        assert shown.count("█▀▀▀▀▀█ ▄ █▀▀▀▀▀█") == len(QR)
        assert TALLER not in shown and server.join_url in shown


async def test_stopping_ending_or_leaving_stops_the_room(
    db_path: Path, session_id: int, clock, server: FakeServer
) -> None:
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await start_room(pilot)
        await pilot.press("s", "y")  # stop, confirmed
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen)
        assert server.stops == 1 and not server.running
        assert app.screen.query_one("#room", Static).has_class("empty")
        await start_room(pilot)
        await pilot.press("escape")
        await pilot.press("f10")  # end the session
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert server.stops == 2
        await pilot.press("alt+r")  # an ended session opens no room
        await pilot.pause()
        assert not server.running
    with Store(db_path) as store:  # a second session, left with escape
        second = start_session(store, parse_plan(PLAN, "room.yaml")).id
    app = live_app(db_path, second, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_room(pilot)
        await pilot.press("escape", "escape")  # the dialog, then the screen
        await pilot.pause()
        assert server.stops == 3


async def test_an_idea_from_a_device_appears_in_the_list(
    db_path: Path, session_id: int, clock, server: FakeServer
) -> None:
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await start_room(pilot)
        await pilot.press("escape")
        store, room = room_for(db_path, session_id, clock)
        try:
            maya = next(pid for pid, label in room.choices() if label == "Maya")
            device, _ = room.join(maya)
            room.submit(device, "a kettle that knows when you wake")
            # the facilitator captures a later row before the screen looked: both show
            box = app.screen.query_one("#capture", Input)
            box.value = "Tom: toast that butters itself"
            await pilot.press("enter")
            for _ in range(50):  # the next tick takes it in (0.5 s; longer on a busy CI)
                await pilot.pause(0.1)
                if "a kettle that knows when you wake" in entries(app):
                    break
        finally:
            store.close()
        shown = entries(app)
        assert "a kettle that knows when you wake" in shown
        assert "toast that butters itself" in shown
        table = app.screen.query_one("#ideas", DataTable)
        rows = {str(table.get_row_at(i)[4]): table.get_row_at(i) for i in range(2)}
        kettle = [str(c) for c in rows["a kettle that knows when you wake"]]
        assert kettle[1] == "Maya" and kettle[2] == "Brainwrit…"  # who, and the phase


async def test_revoke_from_the_dialog_marks_the_device_revoked(
    db_path: Path, session_id: int, clock, server: FakeServer
) -> None:
    store, room = room_for(db_path, session_id, clock)
    try:
        room.join(None)  # anonymous, as the plan allows
        tom = next(pid for pid, label in room.choices() if label == "Tom")
        room.join(tom, "Mozilla/5.0 (Linux; Android 14) Chrome/124.0 Mobile Safari/537.36")
        iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Version/17.4 Safari/604.1"
        second, _ = room.join(tom, iphone)  # Tom's other device
    finally:
        store.close()
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_room(pilot)
        shown = visible(app)
        assert "Anonymous 1" in shown and "Chrome on Android" in shown
        assert "Safari on iPhone" in shown  # Tom's two devices told apart
        await pilot.press("down", "down")  # Tom's iPhone
        await pilot.press("r")
        await pilot.pause()
        assert "Revoke Tom's device 3, Safari on iPhone" in visible(app)
        await pilot.press("y")
        await pilot.pause()
        assert "revoked" in visible(app)
    with Store(db_path) as check:
        devices = {d.id: d for d in check.devices(session_id)}
    assert devices[second.id].revoked_at is not None
    assert [d.revoked_at for d in devices.values() if d.id != second.id] == [None, None]


def notices(app: IdeationApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_the_room_key_is_in_view_at_80x24_before_the_room_runs(
    db_path: Path, session_id: int, clock, server: FakeServer, tmp_path: Path
) -> None:
    """The footer at 80 columns has no room for alt+r: the people line names it until
    the room runs, then the room line does; an ended session offers no room."""
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = visible(app)
        assert "Room off · alt+r" in shown
        assert " 1 Maya  2 Tom " in shown  # the people keep their line
        await pilot.press("f9")
        await start_room(pilot)
        await pilot.press("escape")
        await pilot.pause()
        shown = visible(app)
        assert "Room off" not in shown
        assert f"Room 0 devices {server.join_url} alt+r" in shown
        await pilot.press("f10", "y")  # end the session: the room stops, no key to offer
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.tick()
        await pilot.pause()
        assert "alt+r" not in visible(app)
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('[live]\nroom = "alt+o"\n', encoding="utf-8")
    with Store(db_path) as store:
        second = start_session(store, parse_plan(PLAN, "room.yaml")).id
    app = IdeationApp(db_path, clock=clock, open_session=second, embedder=False, keymap=keymap)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Room off · alt+o" in visible(app)  # the key the facilitator moved it to


async def test_devices_are_numbered_within_their_session(
    db_path: Path, session_id: int, clock, server: FakeServer
) -> None:
    """A second session's first phone is device 1, not the study's seventh device, in
    the dialog, the revoke question and the notice; the right device is revoked."""
    with Store(db_path) as store:
        second = start_session(store, parse_plan(PLAN, "room.yaml")).id
    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Version/17.4 Safari/604.1"
    android = "Mozilla/5.0 (Linux; Android 14) Chrome/124.0 Mobile Safari/537.36"
    store, first_room = room_for(db_path, session_id, clock)
    try:
        for _ in range(3):
            first_room.join(None)
    finally:
        store.close()
    store, room = room_for(db_path, second, clock)
    try:
        tom = next(pid for pid, label in room.choices() if label == "Tom")
        room.join(tom, android)
        on_iphone, _ = room.join(tom, iphone)
    finally:
        store.close()
    assert on_iphone.id == 5  # the study's fifth device, the session's second
    app = live_app(db_path, second, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_room(pilot)
        table = app.screen.query_one("#devices", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["1", "2"]
        await pilot.press("down", "r")
        await pilot.pause()
        assert "Revoke Tom's device 2, Safari on iPhone" in visible(app)
        await pilot.press("y")
        await pilot.pause()
        assert "Revoked Tom's device 2, Safari on iPhone." in notices(app)
    with Store(db_path) as check:
        revoked = [d.id for d in check.devices(second) if d.revoked_at is not None]
        untouched = [d.revoked_at for d in check.devices(session_id)]
    assert revoked == [on_iphone.id]
    assert untouched == [None, None, None]


async def test_room_ideas_take_their_place_in_capture_order(
    db_path: Path, session_id: int, clock, server: FakeServer
) -> None:
    """Phone ideas committed between the facilitator's lines show where they were
    captured, not after the lines the screen showed first; the selection stays put."""
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        screen = app.screen
        store, room = room_for(db_path, session_id, clock)
        try:
            maya = next(pid for pid, label in room.choices() if label == "Maya")
            device, _ = room.join(maya)
            # no await in between: no tick catches up until all four are committed
            room.submit(device, "a kettle that knows when you wake")
            screen.capture_lines(["Tom: toast that butters itself"])
            room.submit(device, "a lamp that dawns")
            screen.capture_lines(["socks that pair themselves"])
            screen.action_select(-1)  # the facilitator looks at the toast
            screen.tick()
            await pilot.pause()
            expected = [
                "a kettle that knows when you wake",
                "toast that butters itself",
                "a lamp that dawns",
                "socks that pair themselves",
            ]
            assert entries(app) == expected
            table = screen.query_one("#ideas", DataTable)
            assert [str(table.get_row_at(i)[0]) for i in range(4)] == ["1", "2", "3", "4"]
            assert screen.selected_idea().text == "toast that butters itself"
            room.submit(device, "a mug that stays warm")  # once more, following the end
            screen.capture_lines(["a chair that rocks you awake"])
            screen.tick()
            await pilot.pause()
        finally:
            store.close()
        assert entries(app)[4:] == ["a mug that stays warm", "a chair that rocks you awake"]
        assert table.cursor_row == 5


async def test_hits_show_next_to_ideas_from_the_hits_phase(
    db_path: Path, session_id: int, clock, server: FakeServer
) -> None:
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        for line in ("Maya: a mug that stays warm", "Tom: curtains that open at dawn"):
            app.screen.query_one("#capture", Input).value = line
            await pilot.press("enter")
        await pilot.press("f9")  # the hits phase
        await pilot.pause()
        store, room = room_for(db_path, session_id, clock)
        try:
            mug = next(i for i in room.hit_candidates() if "mug" in i.text)
            for _ in range(2):
                device, _ = room.join(None)
                room.hit(device, mug.id)
        finally:
            store.close()
        app.screen.tick()
        await pilot.pause()
        assert entries(app) == ["●2 a mug that stays warm", "curtains that open at dawn"]


async def test_pasting_three_lines_asks_then_captures_three_ideas(
    db_path: Path, session_id: int, clock
) -> None:
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        box = app.screen.query_one("#capture", Input)
        box.post_message(events.Paste("a lamp that sings\n\nMaya: socks that pair\r\n+1 louder"))
        await pilot.pause()
        assert isinstance(app.screen, PasteScreen)
        assert "Capture 3 lines as 3 ideas?" in visible(app)
        await pilot.press("y")
        await pilot.pause()
        assert entries(app) == ["a lamp that sings", "socks that pair", "↳+1 louder"]
        assert box.value == ""
        with Store(db_path) as store:
            rows = store.idea_rows(session_id)
        assert [r.text for r in rows] == ["a lamp that sings", "socks that pair", "louder"]
        assert rows[2].builds_on == rows[0].id
        box.post_message(events.Paste("one\ntwo"))  # "one idea" joins them, as before
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert box.value == "one two" and len(entries(app)) == 3
        box.value = ""
        box.post_message(events.Paste("\x1b[31mjust one line\n"))  # one line: no question
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen)
        assert box.value == "[31mjust one line"  # the escape character never reaches the box


def test_the_live_screen_loads_no_web_server() -> None:
    """uvicorn and starlette come in only when the room starts (inside its worker)."""
    code = "import sys, json, ideation.tui.live; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
    )
    assert not [m for m in loaded if m.split(".")[0] in ("uvicorn", "starlette", "segno")]
    assert "ideation.web" not in loaded


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_the_real_server_starts_answers_and_stops(
    db_path: Path, session_id: int, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    port = free_port()
    monkeypatch.setenv("IDEATION_ROOM_HOST", "127.0.0.1")  # where alt+r serves
    monkeypatch.setenv("IDEATION_ROOM_PORT", str(port))
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await start_room(pilot)
        screen = app.screen
        assert isinstance(screen, RoomScreen)
        url = screen.join_url
        assert url.startswith(f"http://127.0.0.1:{port}/join/")
        async with httpx.AsyncClient() as client:
            page = await client.get(url)
        assert page.status_code == 200
        await pilot.press("s", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        async with httpx.AsyncClient() as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(url)


AREAS_PLAN = """
name: Areas plan
brief:
  problem_as_given: How might we make mornings better?
  opportunity_areas:
    - Waste from pods, bags and takeaway cups
participants:
  - name: Maya
agenda:
  - {title: Warm-up, technique: warm_up, minutes: 5}
  - {title: Purge, technique: purge, minutes: 10}
  - {title: Hits, technique: hits, minutes: 5}
"""


def test_the_untouched_area_line_waits_for_a_whole_divergent_phase_on_the_task(
    db_path: Path,
) -> None:
    """Issue 12 §3: not 17 s into Purge because the warm-up ended; once Purge has run
    its length with the area untouched; gone once an idea near it is embedded."""
    clock = FakeClock()
    with Store(db_path, clock=clock.now) as store:
        session = start_session(store, parse_plan(AREAS_PLAN, "areas.yaml"))
        live = LiveSession(store, session.id, clock)
        untouched = ["Waste from pods, bags and takeaway cups"]
        live.next_phase()  # the warm-up
        clock.advance(5 * 60 + 30)
        live.next_phase()  # Purge
        clock.advance(17)
        assert area_hint(live, untouched) == ""
        clock.advance(9 * 60)
        assert area_hint(live, untouched) == ""  # Purge not over yet
        clock.advance(60)
        assert "Nobody has touched “Waste from pods" in area_hint(live, untouched)
        assert area_hint(live, []) == ""  # an idea near the area arrived
        live.next_phase()  # hits: Purge ended with the area untouched
        assert "Nobody has touched" in area_hint(live, untouched)


async def test_a_room_served_by_another_process_is_shown_and_not_started_twice(
    db_path: Path, session_id: int, clock, server: FakeServer
) -> None:
    """`ideation serve` ran the room while the live screen said "Room off", and alt+r
    then failed on the busy port without saying where the room was."""
    serving = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with Store(db_path) as store:
            token = store.open_room(session_id, "t0ken", clock.now())
            store.set_room_server(token, serving.pid, "192.0.2.7:8765")
        app = live_app(db_path, session_id, clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            shown = visible(app)
            assert "Room off" not in shown
            assert f"Room on at 192.0.2.7:8765 (ideation serve, process {serving.pid})" in shown
            await pilot.press("alt+r")
            await pilot.pause()
            assert not server.running
            assert any("already runs at 192.0.2.7:8765" in n for n in notices(app))
            serving.kill()
            serving.wait()
            app.screen.tick()  # that process is gone: the room is off again
            await pilot.pause()
            assert "Room off · alt+r" in visible(app)
    finally:
        serving.kill()
