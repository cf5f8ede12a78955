"""The room's web app through Starlette's TestClient: every route's errors, the CSRF
check, the limits, the headers, escaping, the live-update stream, and the server
that runs it in-process (`RoomServer`, `ideation serve`)."""

from __future__ import annotations

import html
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import segno
from click.testing import CliRunner
from starlette.testclient import TestClient

from ideation.cli import cli
from ideation.live.clock import FakeClock
from ideation.live.plan import parse_plan
from ideation.live.room import MAX_IDEA_CHARS, Room, RoomClosed, RoomServedElsewhere
from ideation.live.session import LiveSession, start_session
from ideation.records import Contact
from ideation.store import Store
from ideation.web import server as server_module
from ideation.web.app import Limits, create_app
from ideation.web.qr import BORDER, qr_lines
from ideation.web.server import RoomServer, RoomServerError, lan_address

PLAN = """
name: Room test
brief:
  problem_as_given: How might mornings be better?
room:
  anonymous_join: true
participants:
  - name: Maya
  - name: "<b>Tom</b>"
agenda:
  - {title: Brainstorm, technique: brainstorm, minutes: 20, prompts: ["What if the mug helped?"]}
  - {title: Brainwriting, technique: brainwriting, minutes: 10}
  - {title: Break, technique: break, minutes: 10}
  - {title: Hits, technique: hits, minutes: 5, hits: 2}
"""
BRAINSTORM, BRAINWRITING, BREAK, HITS = range(4)
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'
EMAIL, PHONE = "kim.secret@example.com", "+44 7700 900123"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def live(db_path: Path, clock: FakeClock) -> Iterator[LiveSession]:
    store = Store(db_path, clock=clock.now)
    session = start_session(store, parse_plan(PLAN, "room.yaml"))
    screener = store.upsert_screener("s", "S", "{}")
    respondent = store.add_respondent(
        screener.id, "R1", {}, contact=Contact(1, name="Kim Park", email=EMAIL, phone=PHONE)
    )
    assert respondent is not None
    store.add_respondent_participant(session.id, "Kim", respondent.id, None)
    running = LiveSession(store, session.id, clock)
    running.claim()
    running.next_phase()
    yield running
    store.close()


LIMITS = Limits(ideas_per_second=0.001, idea_burst=3, stream_seconds=1.0, poll_seconds=0.05)


@pytest.fixture
def app(db_path: Path, live: LiveSession, clock: FakeClock):
    return create_app(db_path, live.session.id, clock=clock, limits=LIMITS)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as opened:
        yield opened


def base(app) -> str:
    return f"/join/{app.state.site.room.token}"


def csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def field(page: httpx.Response, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def device(app, client_host: str = "testclient") -> TestClient:
    """Another phone: its own cookie jar (the lifespan belongs to `client`)."""
    return TestClient(app, follow_redirects=False, client=(client_host, 50000))


def join(phone: TestClient, app, choice: str = "Maya") -> httpx.Response:
    page = phone.get(base(app))
    assert page.status_code == 200
    if choice == "anonymous":
        value = "anonymous"
    else:
        shown = re.escape(html.escape(choice, quote=False))
        value = re.search(rf'value="(\d+)" class="choice">{shown}<', page.text).group(1)
    joined = phone.post(base(app), data={"participant": value, "csrf": csrf(page)})
    assert joined.status_code == 303, joined.text
    return joined


def send(phone: TestClient, app, text: str, **extra: str) -> httpx.Response:
    page = phone.get(base(app))
    data = {"text": text, "csrf": csrf(page), "nonce": field(page, "nonce"), **extra}
    return phone.post(f"{base(app)}/idea", data=data)


def ideas(live: LiveSession) -> list:
    return [i for i in live.store.idea_rows(live.session.id) if i.kind == "idea"]


# -- joining and sending --------------------------------------------------------------


def test_a_joined_phone_sends_an_idea_that_is_committed_before_the_redirect(client, app, live):
    joined = join(client, app)
    cookie = joined.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert f"path={base(app).lower()}" in cookie
    page = client.get(base(app))
    assert 'id="phase">Brainstorm<' in page.text and "What if the mug helped?" in page.text
    assert 'id="idea"' in page.text and 'button type="submit"' in page.text

    sent = send(client, app, "a mug that \x1b[31mwarms itself  ")
    assert sent.status_code == 303
    [idea] = ideas(live)
    assert sent.headers["location"] == f"{base(app)}?sent={idea.seq}"
    assert idea.text == "a mug that [31mwarms itself"
    assert live.participant(idea.participant_id).label == "Maya"
    assert idea.technique == "brainstorm"
    assert f"your idea #{idea.seq} is in" in client.get(sent.headers["location"]).text


def test_the_same_form_sent_twice_is_one_idea(client, app, live):
    join(client, app)
    page = client.get(base(app))
    data = {"text": "one idea", "csrf": csrf(page), "nonce": field(page, "nonce")}
    assert client.post(f"{base(app)}/idea", data=data).status_code == 303
    assert client.post(f"{base(app)}/idea", data=data).status_code == 303
    assert [i.text for i in ideas(live)] == ["one idea"]


def test_a_participant_typing_a_prefix_cannot_speak_for_someone_else(client, app, live):
    join(client, app, "anonymous")
    send(client, app, "Maya: +1 the kettle sings")
    [idea] = ideas(live)
    assert idea.text == "Maya: +1 the kettle sings"
    assert idea.participant_id is None and idea.builds_on is None


def test_a_wrong_token_is_a_not_running_page(client, app):
    for path in ("/join/not-the-token", "/join/not-the-token/events"):
        page = client.get(path)
        assert page.status_code == 404
        assert "this session is not running" in page.text.lower()
        assert page.headers["content-type"].startswith("text/html")
    refused = client.post("/join/not-the-token/idea", data={"text": "x"})
    assert refused.status_code == 404


def test_unknown_pages_and_methods_are_readable_pages(client):
    assert client.get("/nothing-here").status_code == 404
    assert "<h1" in client.get("/").text
    wrong = client.put("/room")
    assert wrong.status_code == 405 and "<h1" in wrong.text


def test_a_phone_that_has_not_joined_cannot_send(client, app, live):
    page = client.get(base(app))  # the name list: no device yet, but a CSRF cookie
    sent = client.post(f"{base(app)}/idea", data={"text": "x", "csrf": csrf(page)})
    assert sent.status_code == 401 and "join link" in sent.text
    assert ideas(live) == []
    assert client.get(f"{base(app)}/events").status_code == 401


def test_a_cookie_the_room_does_not_know_goes_back_to_the_name_list(client, app):
    client.cookies.set("ideation_device", "made-up", path=base(app))
    page = client.get(base(app))
    assert page.status_code == 200 and "Who are you?" in page.text


def test_joining_needs_a_name_from_the_list_or_an_allowed_anonymous_join(client, app):
    page = client.get(base(app))
    assert "Join without a name" in page.text
    wrong = client.post(base(app), data={"participant": "9999", "csrf": csrf(page)})
    assert wrong.status_code == 409 and "pick your name" in wrong.text.lower()
    junk = client.post(base(app), data={"participant": "robert'); drop", "csrf": csrf(page)})
    assert junk.status_code == 400


def test_a_revoked_device_is_refused(client, app, live):
    join(client, app)
    site = app.state.site
    [joined] = site.db.run(site.room.devices)
    site.db.run(lambda: site.room.revoke(joined.id))
    page = client.get(base(app))
    assert page.status_code == 403 and "removed" in page.text
    sent = client.post(
        f"{base(app)}/idea", data={"text": "x", "csrf": client.cookies["ideation_csrf"]}
    )
    assert sent.status_code == 403
    assert ideas(live) == []
    # a fresh browser at the same address cannot undo the revoke
    fresh = device(app)
    page = fresh.get(base(app))
    again = fresh.post(base(app), data={"participant": "anonymous", "csrf": csrf(page)})
    assert again.status_code == 409 and "ask the facilitator" in again.text
    assert "ideation_device" not in again.cookies
    join(device(app, "192.168.1.23"), app)  # another address joins as before


def test_joins_are_rate_limited_per_address(client, app):
    for _ in range(5):
        join(device(app, "192.168.1.30"), app)
    phone = device(app, "192.168.1.30")
    page = phone.get(base(app))
    refused = phone.post(base(app), data={"participant": "anonymous", "csrf": csrf(page)})
    assert refused.status_code == 429 and "Too many joins from this network address" in refused.text
    assert int(refused.headers["Retry-After"]) > 0
    join(device(app, "192.168.1.31"), app)


# -- CSRF, limits --------------------------------------------------------------------


def test_forms_without_the_right_csrf_token_or_from_another_site_are_refused(client, app, live):
    join(client, app)
    page = client.get(base(app))
    good = {"text": "hello", "csrf": csrf(page), "nonce": "n1"}
    for data, headers in [
        ({**good, "csrf": "forged"}, {}),
        ({k: v for k, v in good.items() if k != "csrf"}, {}),
        (good, {"origin": "http://evil.example"}),
        (good, {"origin": "null"}),
        (good, {"sec-fetch-site": "cross-site"}),
    ]:
        refused = client.post(f"{base(app)}/idea", data=data, headers=headers)
        assert refused.status_code == 403, (data, headers)
        assert "expired" in refused.text
    assert ideas(live) == []
    same = client.post(
        f"{base(app)}/idea",
        data=good,
        headers={"origin": "http://testserver", "sec-fetch-site": "same-origin"},
    )
    assert same.status_code == 303


def test_the_join_form_is_csrf_protected_too(client, app):
    client.get(base(app))
    refused = client.post(base(app), data={"participant": "anonymous", "csrf": "nope"})
    assert refused.status_code == 403
    assert "ideation_device" not in refused.headers.get("set-cookie", "")


def test_a_body_over_the_limit_is_a_readable_413_page(client, app, live):
    join(client, app)
    page = client.get(base(app))
    big = {"text": "x" * 20_000, "csrf": csrf(page), "nonce": "n"}
    declared = client.post(f"{base(app)}/idea", data=big)
    assert declared.status_code == 413 and "Too much text" in declared.text
    assert "default-src 'self'" in declared.headers["content-security-policy"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield f"csrf={csrf(page)}&nonce=m&text=".encode()
        for _ in range(20):
            yield b"y" * 1024

    streamed = client.post(
        f"{base(app)}/idea",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert streamed.status_code == 413 and "Too much text" in streamed.text
    assert ideas(live) == []


def test_an_idea_too_long_says_so_and_keeps_the_text_in_the_box(client, app, live):
    join(client, app)
    text = "long & <b>bold</b> " + "z" * MAX_IDEA_CHARS
    refused = send(client, app, text)
    assert refused.status_code == 422
    assert f"the limit is {MAX_IDEA_CHARS}" in refused.text
    box = re.search(r'<textarea id="idea"[^>]*>(.*?)</textarea>', refused.text, re.S).group(1)
    assert box == text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert ideas(live) == []


def test_sending_too_fast_is_rate_limited_per_device(client, app, live):
    join(client, app)
    for n in range(LIMITS.idea_burst):
        assert send(client, app, f"idea {n}").status_code == 303
    limited = send(client, app, "one too many")
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert "Slow down" in limited.text and "one too many</textarea>" in limited.text
    other = device(app)
    join(other, app, "anonymous")
    assert send(other, app, "another phone is not slowed").status_code == 303
    assert len(ideas(live)) == LIMITS.idea_burst + 1


# -- phases ------------------------------------------------------------------------------


def test_capture_closed_during_a_break_says_so_and_refuses(client, app, live):
    join(client, app)
    live.go_to(BREAK)
    page = client.get(base(app))
    assert 'id="closed"' in page.text and "break" in page.text
    # the box stays (a break must not take half-typed words away), sending is off
    assert 'id="idea"' in page.text and '<button type="submit" disabled>' in page.text
    token = client.cookies["ideation_csrf"]
    refused = client.post(
        f"{base(app)}/idea", data={"text": "during the break", "csrf": token, "nonce": "b"}
    )
    # refused, but the words stay on the page to send again once ideas open
    assert refused.status_code == 409 and "during the break</textarea>" in refused.text
    assert "not being collected" in refused.text
    live.go_to(BRAINSTORM)
    live.toggle_pause()
    paused = client.get(base(app)).text
    assert "Capture is paused; your text is kept" in paused and 'id="idea"' in paused
    assert ideas(live) == []


def test_hits_only_in_a_hits_phase_positive_and_limited(client, app, live):
    join(client, app)
    for text in ("first", "second", "third"):
        send(client, app, text)
    page = client.get(base(app))
    assert 'class="hit' not in page.text
    first = ideas(live)[0]
    early = client.post(
        f"{base(app)}/hit", data={"idea": str(first.id), "action": "hit", "csrf": csrf(page)}
    )
    assert early.status_code == 409 and "only in a hits phase" in early.text

    live.go_to(HITS)
    page = client.get(base(app))
    assert page.text.count('class="hit"') == 3 and "2 hits left of 2" in page.text
    for idea in ideas(live)[:2]:
        tapped = client.post(
            f"{base(app)}/hit", data={"idea": str(idea.id), "action": "hit", "csrf": csrf(page)}
        )
        assert tapped.status_code == 303
    page = client.get(base(app))
    assert "0 hits left of 2" in page.text and page.text.count('aria-pressed="true"') == 2
    third = ideas(live)[2]
    full = client.post(
        f"{base(app)}/hit", data={"idea": str(third.id), "action": "hit", "csrf": csrf(page)}
    )
    assert full.status_code == 409 and "all 2 hits" in full.text
    back = client.post(
        f"{base(app)}/hit", data={"idea": str(first.id), "action": "unhit", "csrf": csrf(page)}
    )
    assert back.status_code == 303
    site = app.state.site
    assert site.db.run(site.room.hit_counts) == {ideas(live)[1].id: 1}
    bad = client.post(f"{base(app)}/hit", data={"idea": "x", "action": "hit", "csrf": csrf(page)})
    assert bad.status_code == 400


def test_brainwriting_shows_someone_elses_idea_to_build_on(client, app, live):
    live.go_to(BRAINWRITING)
    maya, anon = client, device(app)
    join(maya, app)
    join(anon, app, "anonymous")
    send(anon, app, "a pod that plants itself")
    sent = send(maya, app, "coffee subscription by bike")
    page = maya.get(sent.headers["location"])
    assert 'id="pool"' in page.text and "a pod that plants itself" in page.text
    built = maya.post(
        f"{base(app)}/idea",
        data={
            "text": "seeds in the grounds",
            "csrf": csrf(page),
            "nonce": "bo-1",
            "builds_on": field(page, "builds_on"),
        },
    )
    assert built.status_code == 303
    target = next(i for i in ideas(live) if i.text == "a pod that plants itself")
    assert ideas(live)[-1].builds_on == target.id


# -- what pages show -----------------------------------------------------------------


def local(app) -> TestClient:
    return device(app, "127.0.0.1")


def test_the_room_display_is_for_this_laptop_only(client, app, live):
    for host in ("192.168.1.50", "testclient"):
        refused = device(app, host).get("/room")
        assert refused.status_code == 403 and "laptop" in refused.text
    assert device(app, host).get("/room/display").status_code == 403
    projector = local(app).get("/room")
    assert projector.status_code == 200
    assert 'id="countdown"' in projector.text and "20:00" in projector.text
    assert "What if the mug helped?" in projector.text


def test_the_room_shows_names_only_when_not_anonymous(client, app, live):
    join(client, app)
    send(client, app, "named idea")
    shown = local(app).get("/room/display").text
    assert "named idea" in shown and 'class="author">Maya<' in shown
    live.anonymous_mode = True
    send(client, app, "nameless idea")
    live.anonymous_mode = False
    shown = local(app).get("/room/display").text
    nameless = re.search(r"<li[^>]*>.*?nameless idea.*?</li>", shown, re.S).group(0)
    assert "author" not in nameless


def test_hostile_text_is_escaped_everywhere(client, app, live):
    join(client, app, "<b>Tom</b>")
    assert "&lt;b&gt;Tom&lt;/b&gt;" in client.get(base(app)).text
    send(client, app, XSS)
    for page in (local(app).get("/room").text, local(app).get("/room/display").text):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<script>alert" not in page and "<img" not in page and "<b>Tom" not in page
    live.go_to(HITS)
    hits = client.get(base(app)).text
    assert "&lt;script&gt;" in hits and "<script>alert" not in hits and "<img" not in hits


def test_no_email_or_phone_reaches_any_page(client, app, live):
    join(client, app, "Kim")
    send(client, app, "an idea from Kim")
    pages = [
        client.get(base(app)).text,
        device(app).get(base(app)).text,
        local(app).get("/room").text,
        local(app).get("/room/display").text,
    ]
    live.go_to(HITS)
    pages.append(client.get(base(app)).text)
    for text in pages:
        assert EMAIL not in text and PHONE not in text and "Kim Park" not in text


def test_every_response_carries_the_security_headers(client, app):
    join(client, app)
    responses = [
        client.get(base(app)),
        client.get("/join/wrong"),
        client.get("/static/room.css"),
        client.get("/static/room.js"),
        local(app).get("/room"),
        device(app, "10.0.0.9").get("/room"),
        client.post(f"{base(app)}/idea", data={"csrf": "x"}),
    ]
    for response in responses:
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy and "unsafe" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-frame-options"] == "DENY"
    page = client.get(base(app)).text
    assert "<script>" not in page and not re.search(r"<[^>]*\son[a-z]+=", page)  # no inline JS
    assert '<script src="/static/room.js" defer></script>' in page


# -- live updates ----------------------------------------------------------------------


def events(response: httpx.Response) -> list[str]:
    return [
        line[len("data: ") :] for line in response.text.splitlines() if line.startswith("data: ")
    ]


def test_the_event_stream_says_when_the_room_changed(client, app, live):
    site = app.state.site
    shown = site.db.run(site.room.version)
    join(client, app)
    send(client, app, "changes the room")
    caught_up = local(app).get("/room/events", params={"v": shown})
    assert caught_up.headers["content-type"].startswith("text/event-stream")
    assert events(caught_up) and events(caught_up)[0] != shown

    current = site.db.run(site.room.version)

    def laptop_types() -> None:  # another connection, as the live screen has
        with Store(live.store.path) as other:
            other.add_idea(live.session.id, "typed on the laptop")

    threading.Timer(0.3, laptop_types).start()
    followed = local(app).get("/room/events", params={"v": current})
    assert events(followed) == [site.db.run(site.room.version)]
    assert (
        local(app)
        .get("/room/events", params={"v": site.db.run(site.room.version)})
        .text.count("data:")
        == 0
    )


def test_the_phone_stream_ignores_the_countdowns_seconds(client, app, live, clock):
    join(client, app)
    site = app.state.site
    shown = site.db.run(site.room.version)
    clock.advance(3)
    assert client.get(f"{base(app)}/events", params={"v": shown}).text.count("data:") == 0
    assert local(app).get("/room/events", params={"v": shown}).text.count("data:") == 1


# -- the server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_room_server_starts_serves_counts_devices_and_stops(db_path, live):
    server = RoomServer(db_path, live.session.id, host="127.0.0.1", port=0)
    server.start()
    try:
        assert server.running and server.device_count() == 0
        assert server.room_url == f"http://127.0.0.1:{server.port}/room"
        phone = httpx.Client(follow_redirects=True)
        page = phone.get(server.join_url)
        assert page.status_code == 200
        phone.post(server.join_url, data={"participant": "anonymous", "csrf": csrf(page)})
        assert 'id="idea"' in phone.get(server.join_url).text
        assert server.device_count() == 1
        assert httpx.get(server.room_url).status_code == 200
        with pytest.raises(RoomServerError, match=f"port {server.port} on 127.0.0.1 is busy"):
            RoomServer(db_path, live.session.id, host="127.0.0.1", port=server.port).start()
        join_url = server.join_url
        server.stop()
        assert not server.running
        # restarted: the same address and the same phone's cookie work again
        again = RoomServer(db_path, live.session.id, host="127.0.0.1", port=0)
        again.start()
        try:
            assert again.join_url.rsplit("/", 1)[1] == join_url.rsplit("/", 1)[1]
            back = phone.get(again.join_url)  # cookies do not depend on the port
            assert back.status_code == 200 and 'id="idea"' in back.text
        finally:
            again.stop()
    finally:
        server.stop()
        phone.close()
    live.end()
    with pytest.raises(RoomClosed):
        Room.find(live.store, join_url.rsplit("/", 1)[1], live.clock)


def test_a_second_server_for_a_served_room_is_refused_naming_where(db_path, live):
    room = Room.open(live.store, live.session.id, live.clock)
    live.store.set_room_server(room.token, os.getppid(), "10.0.0.5:8765")  # another process
    with pytest.raises(RoomServedElsewhere, match=r"already runs at 10\.0\.0\.5:8765"):
        RoomServer(db_path, live.session.id, host="127.0.0.1", port=0).start()
    live.store.set_room_server(room.token, 2**22 + 12345, "10.0.0.5:8765")  # a dead one
    server = RoomServer(db_path, live.session.id, host="127.0.0.1", port=0)
    server.start()
    try:
        pid, where = live.store.room_server(room.token)
        assert pid == os.getpid() and where == f"127.0.0.1:{server.port}"
    finally:
        server.stop()
    assert live.store.room_server(room.token) == (None, "")


def test_the_stream_ends_when_the_server_stops(db_path, live):
    server = RoomServer(db_path, live.session.id, host="127.0.0.1", port=0)
    server.start()
    with httpx.stream("GET", server.room_url + "/events", timeout=5) as stream:
        started = time.monotonic()
        stopper = threading.Timer(0.3, server.stop)
        stopper.start()
        lines = list(stream.iter_lines())
    assert time.monotonic() - started < 4
    assert lines[-3:-1] == ["event: closed", "data: stopped"]  # the page is told
    stopper.join()
    assert not server.running


def test_lan_address_is_an_address():
    assert socket.inet_aton(lan_address())


def test_the_qr_code_rows_are_the_code_itself():
    url = "http://192.168.1.20:8765/join/abcdefghijklmnopqrstuv"
    rows = qr_lines(url)
    matrix = [
        [bool(m) for m in row] for row in segno.make(url, error="m").matrix_iter(border=BORDER)
    ]
    halves = {"█": (True, True), "▀": (True, False), "▄": (False, True), " ": (False, False)}
    rebuilt = []
    for row in rows:
        rebuilt.append([halves[ch][0] for ch in row])
        rebuilt.append([halves[ch][1] for ch in row])
    dark = [[not cell for cell in row] for row in rebuilt[: len(matrix)]]  # light modules drawn
    assert dark == matrix and len(rows) == (len(matrix) + 1) // 2
    assert all(rebuilt[-1]) and len(rows[0]) <= 80


# -- ideation serve ----------------------------------------------------------------------


def test_serve_refuses_an_unknown_or_ended_session(db_path, live):
    runner = CliRunner()
    unknown = runner.invoke(cli, ["serve", "nope", "--db", str(db_path)])
    assert unknown.exit_code == 2 and "no session" in unknown.output
    live.end()
    ended = runner.invoke(cli, ["serve", "1", "--db", str(db_path), "--host", "127.0.0.1"])
    assert ended.exit_code == 2 and "this session is not running" in ended.output
    latest = runner.invoke(cli, ["serve", "--db", str(db_path), "--host", "127.0.0.1"])
    assert latest.exit_code == 2 and "no session to serve" in latest.output
    missing = runner.invoke(cli, ["serve", "--db", str(db_path.with_name("none.db"))])
    assert missing.exit_code == 2 and "no study here" in missing.output


def test_serve_says_a_busy_port_in_one_line(db_path, live):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["serve", "--db", str(db_path), "--host", "127.0.0.1", "--port", str(port)]
        )
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is busy" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_serve_prints_the_address_and_qr_code_and_stops_when_the_session_ends(
    db_path, live, monkeypatch
):
    monkeypatch.setattr(server_module.RoomServer, "session_over", lambda self: True)
    result = CliRunner().invoke(
        cli,
        ["serve", str(live.session.id), "--db", str(db_path), "--host", "127.0.0.1", "--port", "0"],
    )
    assert result.exit_code == 0, result.output
    assert "/join/" in result.output and "▀" in result.output
    assert "(your network)" not in result.output  # --host was given
    assert "room closed" in result.output


def test_serve_defaults_to_the_lan_address_and_says_so(db_path, live, monkeypatch):
    monkeypatch.setattr(server_module.RoomServer, "session_over", lambda self: True)
    monkeypatch.setattr(server_module, "lan_address", lambda: "127.0.0.1")
    result = CliRunner().invoke(cli, ["serve", "--db", str(db_path), "--port", "0"])
    assert result.exit_code == 0, result.output
    assert "(your network); --host 127.0.0.1 keeps it on this laptop" in result.output


def test_serve_rejects_a_bad_port(db_path, live):
    result = CliRunner().invoke(cli, ["serve", "--db", str(db_path), "--port", "70000"])
    assert result.exit_code == 2


def test_the_room_loads_no_model_library_and_no_textual():
    code = "import sys, json, ideation.web.server; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout))
    heavy = ("torch", "sentence_transformers", "sklearn", "transformers", "textual")
    assert not [name for name in loaded if name.split(".")[0] in heavy]
