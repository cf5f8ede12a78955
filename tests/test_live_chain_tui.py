"""The Synectics excursion run by keys on the live screen: each pick shows up in the
next step's prompt, the chain is on screen, kinds are in the list, a judgement parks."""

from __future__ import annotations

from pathlib import Path

from test_cockpit import visible
from textual.widgets import DataTable, Input

from ideation.live.clock import FakeClock
from ideation.live.plan import load_plan
from ideation.live.session import start_session
from ideation.paths import shipped_file
from ideation.store import Store
from ideation.tui.app import IdeationApp

#: (phase position in half-day.yaml, lines captured there, the line picked (None: no
#: decision point; -1: the first line of the step before), kind shown)
EXCURSION = [
    (6, ["/s How to make mornings calm", "/s I wish coffee brewed itself"], 0, "spring"),
    (7, ["a tide pool refilling", "a bakery at dawn"], 1, "excur"),
    (8, ["warm and patient", "rushed yet proud"], 0, "excur"),
    (9, ["patient rush", "quiet alarm"], 0, "excur"),
    (10, ["a dragon guarding its hoard slowly", "a snail racing the sunrise"], 1, "excur"),
    (11, ["a mug that warms up as the alarm rings", "a grinder that hums a lullaby"], None, "idea"),
    (14, ["/p it is a gift every morning"], -1, "plus"),  # develops force fit's first idea
]


async def go_to(pilot, position: int) -> None:
    live = pilot.app.screen.live
    while live.current_phase is None or live.current_phase.position < position:
        await pilot.press("ctrl+n")
        await pilot.pause()


async def type_line(pilot, line: str) -> None:
    pilot.app.screen.query_one("#capture", Input).value = line
    await pilot.press("enter")
    await pilot.pause()


async def select_seq(pilot, seq: int) -> None:
    table = pilot.app.screen.query_one("#ideas", DataTable)
    while table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value != str(seq):
        await pilot.press("up")
        await pilot.pause()


def prompt_of(app) -> str:
    """The step's prompt as shown: the card line and the guide's say-text."""
    screen = app.screen
    return f"{screen.current_card()} {screen.live.guide().say}"


async def test_the_excursion_by_keys_carries_each_pick_into_the_next_prompt(
    db_path: Path,
) -> None:
    plan = load_plan(shipped_file("sessions", "half-day.yaml"))
    with Store(db_path) as store:
        session_id = start_session(store, plan).id
    clock = FakeClock()
    app = IdeationApp(db_path, clock=clock, open_session=session_id, embedder=False, keymap=None)
    picked: list[str] = []
    before = 0
    async with app.run_test(size=(80, 24)) as pilot:
        for position, lines, choice, kind in EXCURSION:
            await go_to(pilot, position)
            if picked and position <= 11:  # the pick before is in this prompt, on screen
                tail = " ".join(picked[-1].split()[-2:])  # the guide may drop an article
                assert tail in prompt_of(app), (position, prompt_of(app))
                assert "Chain" in visible(app)
            if position == 11:  # force fit brings the fantasy example back to the springboard
                assert "make mornings calm" in prompt_of(app)
            first = app.screen.live.standing()[-1].seq + 1 if app.screen.live.standing() else 1
            for line in lines:
                await type_line(pilot, line)
                clock.advance(20)
            assert kind in visible(app)
            if choice is None:
                before = first
                continue
            seq = before if choice == -1 else first + choice
            await select_seq(pilot, seq)
            await pilot.press("ctrl+y")
            await pilot.pause()
            picked.append(app.screen.live.idea(seq).text)
            assert "★" in visible(app)
        assert "warms up as the alarm rings" in prompt_of(app)  # itemized response's idea
        chain = app.screen.live.chain()
        assert chain.springboard.text == "How to make mornings calm"
        assert chain.example.text == "a bakery at dawn"
        assert chain.book_title.text == "patient rush"
        assert chain.developed.text == "a mug that warms up as the alarm rings"
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert "Chain so far" in str(app.screen.guide_text())
    with Store(db_path) as store:
        assert len(store.picks(session_id)) == len(EXCURSION) - 1
    again = IdeationApp(db_path, clock=clock, open_session=session_id, embedder=False, keymap=None)
    async with again.run_test(size=(80, 24)) as pilot:  # resumed: the chain is back
        await pilot.pause()
        screen = visible(again)
        assert "★" in screen
        # At 80 columns the whole chain does not fit: its two ends keep their words.
        (line,) = [row for row in screen.splitlines() if "Chain" in row]
        assert "+1 How to make" in line and "a mug that" in line, line


async def test_a_judgement_parks_as_a_concern_with_one_key(db_path: Path) -> None:
    plan = load_plan(shipped_file("sessions", "half-day.yaml"))
    with Store(db_path) as store:
        session_id = start_session(store, plan).id
    app = IdeationApp(
        db_path, clock=FakeClock(), open_session=session_id, embedder=False, keymap=None
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await go_to(pilot, 4)
        await type_line(pilot, "That will never work, it costs too much")
        screen = visible(app)
        assert "Judgement" in screen and "ctrl+j parks it" in screen
        await pilot.press("ctrl+j")
        await pilot.pause()
        parked = app.screen.live.standing()[-1]
        assert parked.entry == "concern" and parked.text.startswith("How")
        assert "concern" in visible(app)
        assert "Judgement" not in visible(app)
        await pilot.press("ctrl+j")  # nothing left to park: a notice, no new entry
        await pilot.pause()
        assert app.screen.live.standing()[-1].id == parked.id
