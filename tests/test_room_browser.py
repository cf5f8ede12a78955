"""The room in a real browser: the system's Chromium, driven by Playwright, against a real
server (`RoomServer` on 127.0.0.1) over a real study, with the facilitator's
`LiveSession` moving the phases from the test. Each test opens its own browser contexts
(one context is one phone: its own cookies, so its own device) and checks what the
README promises: on the pages and in the study database.

One browser and one server serve the whole module; every test first moves the session
to the phase it needs, so the tests do not depend on their order.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from ideation.live.clock import SystemClock
from ideation.live.plan import parse_plan
from ideation.live.room import Room
from ideation.live.session import LiveSession, start_session
from ideation.records import Device, Idea
from ideation.store import Store
from ideation.web.server import RoomServer

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
PLAN = f"""
name: Browser room
brief:
  problem_as_given: How might mornings be better?
participants:
  - name: Maya
  - name: Tom
  - name: "{HOSTILE_NAME}"
agenda:
  - title: Brainwriting
    technique: brainwriting
    minutes: 30
    prompts: ["What would make the first hour of the day easy?"]
  - {{title: Break, technique: break, minutes: 10}}
  - {{title: Hits, technique: hits, minutes: 10, hits: 2}}
"""
BRAINWRITING, BREAK, HITS = range(3)
XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{7*7}}"]
PHONE = {"width": 390, "height": 844}
#: How long a page may take to follow the session (the promise is about a second).
FOLLOWS_MS = 5000

#: Messages of every JavaScript dialog any page opened: an XSS that ran would show here.
DIALOGS: list[str] = []


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSession]:
    """The facilitator's live screen: holds the session's lease and moves the phases."""
    study = tmp_path_factory.mktemp("room-browser") / "study.db"
    store = Store(study)
    session = start_session(store, parse_plan(PLAN, "browser-room.yaml"))
    running = LiveSession(store, session.id, SystemClock())
    running.claim()
    running.go_to(BRAINWRITING)
    yield running
    running.release()
    store.close()


@pytest.fixture(scope="module")
def server(serve_room: Any, live: LiveSession) -> RoomServer:
    return serve_room(live.store.path, live.session.id)


@pytest.fixture
def contexts(chromium: Browser) -> Iterator[list[BrowserContext]]:
    """Browser contexts a test opens (phones, the projector), closed after it."""
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


@pytest.fixture(autouse=True)
def no_dialogs() -> Iterator[None]:
    DIALOGS.clear()
    yield
    assert DIALOGS == [], f"a page ran a script from the data: {DIALOGS}"


def new_page(chromium: Browser, contexts: list[BrowserContext], *, javascript: bool = True) -> Page:
    context = chromium.new_context(viewport=PHONE, java_script_enabled=javascript)
    context.set_default_timeout(FOLLOWS_MS)
    contexts.append(context)
    page = context.new_page()
    page.on("dialog", lambda dialog: (DIALOGS.append(dialog.message), dialog.dismiss()))
    return page


def phone(
    chromium: Browser,
    contexts: list[BrowserContext],
    server: RoomServer,
    name: str,
    *,
    javascript: bool = True,
) -> Page:
    """A new phone that opens the join address and taps its name."""
    page = new_page(chromium, contexts, javascript=javascript)
    page.goto(server.join_url)
    page.locator("form#join button.choice", has_text=name).click()
    expect(page.locator("#who")).to_contain_text(name)
    return page


def projector(chromium: Browser, contexts: list[BrowserContext], server: RoomServer) -> Page:
    page = new_page(chromium, contexts)
    page.goto(server.room_url)
    expect(page.locator("#display")).to_be_visible()
    return page


def send(page: Page, text: str) -> None:
    """Type an idea and send it; returns once the page says it is saved."""
    page.fill("#idea", text)
    page.click("form#capture button[type=submit]")
    expect(page.locator("#saved")).to_be_visible()


def at_phase(live: LiveSession, position: int) -> None:
    """Run the phase at `position`, not paused (restarted only when another runs)."""
    if live.state().paused:
        live.toggle_pause()
    if live.state().position != position:
        live.go_to(position)


def ideas(live: LiveSession) -> dict[str, Idea]:
    """The study's standing ideas by text, as the facilitator's screen sees them."""
    live.follow()
    return {idea.text: idea for idea in live.standing()}


def author(live: LiveSession, idea: Idea) -> str | None:
    person = live.participant(idea.participant_id)
    return person.label if person else None


def newest_device(live: LiveSession) -> Device:
    return Room(live.store, live.session.id, live.clock).devices()[-1]


# -- two phones, the room display and the study ---------------------------------------------


def test_two_phones_send_ideas_that_reach_the_display_and_the_study(
    chromium, contexts, server, live
):
    at_phase(live, BRAINWRITING)
    display = projector(chromium, contexts, server)
    display.evaluate("window.notReloaded = true")
    maya = phone(chromium, contexts, server, "Maya")
    tom = phone(chromium, contexts, server, "Tom")
    expect(maya.locator("#phase")).to_have_text("Brainwriting")
    expect(maya.locator("#prompt")).to_have_text("What would make the first hour of the day easy?")

    sent = {
        "a kettle that reads the news aloud": "Maya",
        "toast that tells the time": "Tom",
        "curtains that open with the alarm": "Maya",
    }
    for text, name in sent.items():
        send(maya if name == "Maya" else tom, text)

    for text, name in sent.items():  # live, by the event stream: the display never reloads
        shown = display.locator("#latest li", has_text=text)
        expect(shown.locator(".text")).to_have_text(text)
        expect(shown.locator(".author")).to_have_text(name)
    assert display.evaluate("window.notReloaded") is True

    stored = ideas(live)
    for text, name in sent.items():
        assert author(live, stored[text]) == name
        assert stored[text].technique == "brainwriting"
        assert stored[text].builds_on is None


# -- brainwriting -----------------------------------------------------------------------------


def test_after_a_send_the_pool_shows_someone_elses_idea_and_a_build_on_links_to_it(
    chromium, contexts, server, live
):
    at_phase(live, BRAINWRITING)
    writer = phone(chromium, contexts, server, "Maya")
    send(writer, "a mug that keeps coffee warm until you need it")
    builder = phone(chromium, contexts, server, "Tom")
    send(builder, "a radio that plays birdsong")

    pool = builder.locator("#pool-idea")
    expect(pool).to_be_visible()
    shown_id = int(builder.locator("form#build-on input[name=builds_on]").input_value())
    stored = ideas(live)
    [shown] = [idea for idea in stored.values() if idea.id == shown_id]
    assert pool.inner_text() == shown.text
    assert author(live, shown) != "Tom"  # never the builder's own idea

    builder.fill("#build", "and the mug tells you when it is just right to drink")
    builder.click("form#build-on button[type=submit]")
    expect(builder.locator("#saved")).to_be_visible()
    built = ideas(live)["and the mug tells you when it is just right to drink"]
    assert built.builds_on == shown.id
    assert author(live, built) == "Tom"


# -- capture closed -------------------------------------------------------------------------


def test_a_break_closes_capture_on_the_page_and_keeps_the_half_typed_idea(
    chromium, contexts, server, live
):
    at_phase(live, BRAINWRITING)
    page = phone(chromium, contexts, server, "Maya")
    page.fill("#idea", "a half-typed idea about breakfast")

    at_phase(live, BREAK)
    expect(page.locator("#closed")).to_contain_text("Capture is closed")
    expect(page.locator("main#work")).to_have_attribute("data-mode", "closed")
    # the box stays with the words in it; only sending is off
    expect(page.locator("#idea")).to_have_value("a half-typed idea about breakfast")
    expect(page.locator("form#capture button[type=submit]")).to_be_disabled()

    at_phase(live, BRAINWRITING)
    expect(page.locator("#idea")).to_have_value("a half-typed idea about breakfast")
    assert "a half-typed idea about breakfast" not in ideas(live)


def test_a_send_while_paused_is_refused_and_the_typed_text_stays(chromium, contexts, server, live):
    """Without JavaScript the page does not follow the pause: the send itself is refused."""
    at_phase(live, BRAINWRITING)
    page = phone(chromium, contexts, server, "Tom", javascript=False)
    page.fill("#idea", "an idea typed as the break began")
    live.toggle_pause()
    try:
        with page.expect_response(lambda r: r.url.endswith("/idea")) as sent:
            page.click("form#capture button[type=submit]")
        assert sent.value.status == 409
        expect(page.locator("#notice")).to_contain_text("paused")
        expect(page.locator("#idea")).to_have_value("an idea typed as the break began")
        assert "an idea typed as the break began" not in ideas(live)
    finally:
        live.toggle_pause()
    page.click("form#capture button[type=submit]")  # the kept text, once the break is over
    expect(page.locator("#saved")).to_be_visible()
    assert author(live, ideas(live)["an idea typed as the break began"]) == "Tom"


def test_a_pause_keeps_the_box_and_the_text_with_sending_off(chromium, contexts, server, live):
    at_phase(live, BRAINWRITING)
    page = phone(chromium, contexts, server, "Maya")
    page.fill("#idea", "typed just before the pause")
    expect(page.locator("#idea-count")).to_have_text("27 / 500")
    assert page.locator("#idea").get_attribute("maxlength") is None  # never cut silently
    live.toggle_pause()
    try:
        expect(page.locator("#closed")).to_contain_text("Capture is paused; your text is kept")
        expect(page.locator("#idea")).to_have_value("typed just before the pause")
        expect(page.locator("form#capture button[type=submit]")).to_be_disabled()
    finally:
        live.toggle_pause()
    expect(page.locator("form#capture button[type=submit]")).to_be_enabled()
    expect(page.locator("#idea")).to_have_value("typed just before the pause")


def test_a_long_paste_is_kept_whole_counted_over_and_refused_readably(
    chromium, contexts, server, live
):
    at_phase(live, BRAINWRITING)
    page = phone(chromium, contexts, server, "Tom")
    pasted = "a mug that sings " * 40  # 680 characters
    page.fill("#idea", pasted)
    expect(page.locator("#idea")).to_have_value(pasted)
    expect(page.locator("#idea-count")).to_have_text("680 / 500 — 180 over the limit")
    with page.expect_response(lambda r: r.url.endswith("/idea")) as sent:
        page.click("form#capture button[type=submit]")
    assert sent.value.status == 422
    expect(page.locator("#notice")).to_contain_text("Your idea is 680 characters long")
    expect(page.locator("#idea")).to_have_value(pasted)
    assert pasted not in ideas(live)


def test_a_draft_survives_a_reload_and_a_failed_send_keeps_it(chromium, contexts, server, live):
    at_phase(live, BRAINWRITING)
    page = phone(chromium, contexts, server, "Maya")
    page.fill("#idea", "a draft the network ate")
    page.reload()
    expect(page.locator("#idea")).to_have_value("a draft the network ate")
    page.route("**/idea", lambda route: route.abort())
    page.click("form#capture button[type=submit]")
    expect(page.locator(".send-failed")).to_have_text(
        "Could not reach the room; your idea is still here — try again"
    )
    expect(page.locator("#idea")).to_have_value("a draft the network ate")
    page.unroute("**/idea")
    page.click("form#capture button[type=submit]")  # the same send, once it gets through
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#idea")).to_have_value("")
    page.reload()
    expect(page.locator("#idea")).to_have_value("")  # sent: the draft is gone
    assert author(live, ideas(live)["a draft the network ate"]) == "Maya"


def test_stopping_the_room_tells_every_page_keeps_the_text_and_a_restart_carries_on(
    chromium, contexts, live
):
    at_phase(live, BRAINWRITING)
    first = RoomServer(live.store.path, live.session.id, host="127.0.0.1", port=0)
    first.start()
    try:
        page = phone(chromium, contexts, first, "Tom")
        display = projector(chromium, contexts, first)
        page.fill("#idea", "typed as the room stopped")
    finally:
        first.stop()
    expect(page.locator("#stopped")).to_contain_text("The room has stopped")
    expect(display.locator("#stopped")).to_have_text("The room has stopped")
    expect(page.locator("form#capture button[type=submit]")).to_be_disabled()
    expect(page.locator("#idea")).to_have_value("typed as the room stopped")

    again = RoomServer(live.store.path, live.session.id, host="127.0.0.1", port=first.port)
    again.start()
    try:
        assert again.join_url == first.join_url  # the QR code handed out still works
        expect(page.locator("#stopped")).to_be_hidden()
        expect(page.locator("form#capture button[type=submit]")).to_be_enabled()
        expect(page.locator("#idea")).to_have_value("typed as the room stopped")
        page.click("form#capture button[type=submit]")  # the same cookie: still Tom
        expect(page.locator("#saved")).to_be_visible()
    finally:
        again.stop()
    assert author(live, ideas(live)["typed as the room stopped"]) == "Tom"


# -- revoking -------------------------------------------------------------------------------


def test_a_revoked_device_is_refused_on_its_next_request(chromium, contexts, server, live):
    at_phase(live, BRAINWRITING)
    page = phone(chromium, contexts, server, "Tom", javascript=False)
    send(page, "an idea from before the removal")
    Room(live.store, live.session.id, live.clock).revoke(newest_device(live).id)

    page.fill("#idea", "an idea from after the removal")
    with page.expect_response(lambda r: r.url.endswith("/idea")) as sent:
        page.click("form#capture button[type=submit]")
    assert sent.value.status == 403
    expect(page.locator("#error-title")).to_have_text("This device was removed")
    assert page.goto(server.join_url).status == 403
    stored = ideas(live)
    assert "an idea from before the removal" in stored
    assert "an idea from after the removal" not in stored


# -- hits -----------------------------------------------------------------------------------


def test_hits_up_to_the_limit_are_stored_and_one_more_is_refused(chromium, contexts, server, live):
    at_phase(live, BRAINWRITING)
    for text in ("a pillow alarm", "a shower that sings", "shoes that find themselves"):
        live.capture(f"Maya: {text}")
    at_phase(live, HITS)
    page = phone(chromium, contexts, server, "Tom")
    expect(page.locator("main#work")).to_have_attribute("data-mode", "hits")
    expect(page.locator("#hits-left")).to_contain_text("2 hits left of 2")
    device = newest_device(live)

    chosen = ["a pillow alarm", "a shower that sings"]
    for text in chosen:
        page.locator("#hits button.hit", has_text=text).click()
        expect(page.locator("#hits button.hit", has_text=text)).to_have_attribute(
            "aria-pressed", "true"
        )
    expect(page.locator("#hits-left")).to_contain_text("0 hits left of 2")
    third = page.locator("#hits button.hit", has_text="shoes that find themselves")
    expect(third).to_be_disabled()

    stored = ideas(live)
    assert live.store.hits_of(device.id, device.participant_id) == {stored[t].id for t in chosen}

    # A page gone stale: find, enable and press in one task of the page, so a live
    # update cannot swap the button out between the steps.
    page.evaluate(
        """() => {
            const button = [...document.querySelectorAll("#hits button.hit")]
                .find((b) => b.textContent.includes("shoes that find themselves"));
            button.removeAttribute("disabled");
            button.click();
        }"""
    )
    expect(page.locator("#notice")).to_contain_text("you have given all 2 hits")
    assert live.store.hits_of(device.id, device.participant_id) == {stored[t].id for t in chosen}
    at_phase(live, BRAINWRITING)


# -- hostile text ---------------------------------------------------------------------------


def test_markup_and_scripts_in_names_and_ideas_show_as_text(chromium, contexts, server, live):
    at_phase(live, BRAINWRITING)
    display = projector(chromium, contexts, server)
    page = new_page(chromium, contexts)
    response = page.goto(server.join_url)
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("form#join button.choice", has_text="onerror")).to_have_text(HOSTILE_NAME)
    page.locator("form#join button.choice", has_text="onerror").click()
    expect(page.locator("#who strong")).to_have_text(HOSTILE_NAME)
    for text in XSS:
        send(page, text)

    for text in XSS:
        shown = display.locator("#latest li .text", has_text=text)
        expect(shown).to_have_text(text)
    expect(display.locator("#latest li .author", has_text="onerror").first).to_have_text(
        HOSTILE_NAME
    )
    assert display.locator("#latest img, #latest script").count() == 0

    at_phase(live, HITS)  # the one place a phone shows others' ideas in full
    for text in XSS:
        expect(page.locator("#hits button.hit", has_text=text)).to_have_text(text)
    assert page.locator("#hits img, #hits script").count() == 0
    at_phase(live, BRAINWRITING)


# -- phone-size screenshots -----------------------------------------------------------------


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a 390px phone"


def test_room_and_join_at_phone_size_are_kept_as_screenshots(
    chromium, contexts, server, live, artifacts: Path
):
    at_phase(live, BRAINWRITING)
    names = new_page(chromium, contexts)
    names.goto(server.join_url)
    names.screenshot(path=artifacts / "join-names-390x844.png", full_page=True)
    no_sideways_scroll(names)

    live.capture("Tom: a lamp that wakes you with dawn light")  # for the pool to show
    page = phone(chromium, contexts, server, "Maya")
    send(page, "a window that lets the morning sun in slowly, like a dimmer for daylight")
    expect(page.locator("#pool-idea")).to_be_visible()
    page.screenshot(path=artifacts / "join-390x844.png", full_page=True)
    no_sideways_scroll(page)

    display = projector(chromium, contexts, server)
    display.screenshot(path=artifacts / "room-390x844.png", full_page=True)
    no_sideways_scroll(display)

    at_phase(live, HITS)
    expect(page.locator("main#work")).to_have_attribute("data-mode", "hits")
    page.screenshot(path=artifacts / "join-hits-390x844.png", full_page=True)
    no_sideways_scroll(page)
    at_phase(live, BREAK)
    expect(page.locator("#closed")).to_be_visible()
    page.screenshot(path=artifacts / "join-break-390x844.png", full_page=True)
    at_phase(live, BRAINWRITING)

    for name in ("join-names", "join", "room", "join-hits", "join-break"):
        assert (artifacts / f"{name}-390x844.png").stat().st_size > 5000
