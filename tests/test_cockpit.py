"""The live screen as a cockpit: what a facilitator sees at 80x24 (and 120x40) without
leaving the capture box, the keys a laptop has, the keymap file, too-small terminals."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from ideation.live.clock import FakeClock
from ideation.live.plan import load_plan
from ideation.live.session import start_session
from ideation.paths import shipped_file
from ideation.store import Store
from ideation.tui.app import IdeationApp
from ideation.tui.keymap import KeymapError, load_keymap
from ideation.tui.live import LiveScreen


def visible(app: IdeationApp) -> str:
    """The characters on the terminal right now, row by row (what a person sees)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


@pytest.fixture
def half_day(db_path: Path):
    plan = load_plan(shipped_file("sessions", "half-day.yaml"))
    with Store(db_path) as store:
        session_id = start_session(store, plan).id
    return plan, session_id


def live_app(db_path: Path, session_id: int, clock: FakeClock, **options) -> IdeationApp:
    return IdeationApp(
        db_path, clock=clock, open_session=session_id, embedder=False, keymap=None, **options
    )


async def capture(pilot, line: str) -> None:
    pilot.app.screen.query_one("#capture", Input).value = line
    await pilot.press("enter")
    await pilot.pause()


def current_row(number: int, title: str) -> str:
    return f"▶ {number:>2} {title[:20]}"


def shown_card(app: IdeationApp) -> str:
    screen = app.screen
    assert isinstance(screen, LiveScreen)
    card = screen.current_card()
    text = card[1] if card else screen.live.guide().say
    return " ".join(text.split())[:30]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_card_banner_and_current_phase_are_visible(db_path: Path, half_day, size) -> None:
    plan, session_id = half_day
    clock = FakeClock()
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=size) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        screen = visible(app)
        assert "In a sentence, what does Brewline want from today?" in screen
        assert "Next move" in screen
        assert current_row(1, plan.agenda[0].title) in screen
        assert "1/16" in screen and "10:00" in screen
        assert app.focused is app.screen.query_one("#capture", Input)
        footer = screen.splitlines()[-1]
        assert footer.index("Next") < footer.index("Guide") < footer.index("Quit")
        if size == (120, 40):  # room for the guide: its plan notes show without a key
            assert "Plan notes" in screen and "head of innovation" in screen


async def test_all_sixteen_phases_at_80x24_show_card_banner_and_current_row(
    db_path: Path, half_day
) -> None:
    plan, session_id = half_day
    clock = FakeClock()
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        for number, item in enumerate(plan.agenda, start=1):
            await pilot.press("ctrl+n")
            await pilot.pause()
            await capture(pilot, f"{number % 6 + 1}: an entry in {item.title}")
            clock.advance(item.planned_seconds / 2)
            app.screen.tick()
            await pilot.pause()
            screen = visible(app)
            assert current_row(number, item.title) in screen, (number, screen)
            assert shown_card(app) in " ".join(screen.split()), (number, screen)
            assert "Next move" in screen, number
            assert "terminal too small" not in screen


async def test_the_agenda_ticks_every_second_without_a_key(db_path: Path, half_day) -> None:
    _, session_id = half_day
    clock = FakeClock()
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+n")
        clock.advance(61)
        app.screen.tick()
        await pilot.pause()
        assert "10:00   1:01" in visible(app)
        clock.advance(1)
        app.screen.tick()
        await pilot.pause()
        assert "10:00   1:02" in visible(app)


async def test_the_guide_opens_and_scrolls_while_the_capture_box_keeps_focus(
    db_path: Path, half_day
) -> None:
    _, session_id = half_day
    clock = FakeClock()
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert "Listen first" not in visible(app)  # the guide is a key away
        await pilot.press("ctrl+g")
        await pilot.pause()
        box = app.screen.query_one("#guide-box")
        assert "Problem as given" in visible(app)
        await pilot.press("pagedown", "ctrl+down")
        await pilot.pause()
        assert box.scroll_y > 0
        assert "Plan notes" in visible(app) or "Springboards:" in visible(app)
        await pilot.press("pageup", "pageup", "pageup")
        await pilot.pause()
        assert box.scroll_y == 0
        assert app.focused is app.screen.query_one("#capture", Input)
        await pilot.press("h", "i", "enter")
        await pilot.pause()
        assert app.screen.live.standing()[-1].text == "hi"
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert "Problem as given" not in visible(app)


async def test_the_agenda_keeps_the_current_phase_in_view(db_path: Path, half_day) -> None:
    plan, session_id = half_day
    clock = FakeClock()
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(14):
            await pilot.press("ctrl+n")
        await pilot.pause()
        assert current_row(14, plan.agenda[13].title) in visible(app)


async def test_below_80x24_the_screen_says_it_is_too_small(db_path: Path, half_day) -> None:
    _, session_id = half_day
    app = live_app(db_path, session_id, FakeClock())
    async with app.run_test(size=(79, 24)) as pilot:
        await pilot.pause()
        assert "terminal too small (need 80×24)" in visible(app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert "terminal too small" not in visible(app)
        assert "Next move" in visible(app)


async def test_every_f_key_action_has_a_ctrl_or_alt_key_and_the_palette_has_no_editing(
    db_path: Path, half_day
) -> None:
    _, session_id = half_day
    app = live_app(db_path, session_id, FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        for binding in screen.BINDINGS:
            keys = binding.key.split(",")
            if any(k.startswith("f") and k[1:].isdigit() for k in keys):
                assert any(k.startswith(("ctrl+", "alt+")) for k in keys), binding
        titles = [c.title for c in app.get_system_commands(screen)]
        assert "Next (ctrl+n)" in titles and "Pick (ctrl+y)" in titles
        assert not [t for t in titles if "cursor" in t.lower() or "delete" in t.lower()]
        assert len(titles) == len(set(titles))


async def test_anonymous_mode_shows_in_the_header_and_survives_a_restart(
    db_path: Path, half_day
) -> None:
    _, session_id = half_day
    clock = FakeClock()
    async with live_app(db_path, session_id, clock).run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+n", "alt+a")
        await pilot.pause()
        assert "ANONYMOUS" in visible(pilot.app)
        await capture(pilot, "Maya: nobody's idea")
        assert pilot.app.screen.live.standing()[-1].participant_id is None
        await pilot.press("escape")  # home and back: still on
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "ANONYMOUS" in visible(pilot.app)
    async with live_app(db_path, session_id, clock).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "ANONYMOUS" in visible(pilot.app)
        await pilot.press("alt+a")
        await pilot.pause()
        assert "ANONYMOUS" not in visible(pilot.app)


async def test_the_end_screen_counts_one_idea_and_never_cuts_unattributed(
    db_path: Path, half_day
) -> None:
    _, session_id = half_day
    clock = FakeClock()
    app = live_app(db_path, session_id, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+n", "alt+a")
        await capture(pilot, "the only idea")
        assert "unattributed" in visible(app)
        await pilot.press("alt+e")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "1 idea captured" in visible(app)


def test_a_keymap_file_moves_keys_and_a_bad_one_names_file_and_line(tmp_path: Path) -> None:
    good = tmp_path / "keymap.toml"
    good.write_text('# mine\n[live]\nnext_phase = "alt+n, f9"\npause = "ctrl+p"\n')
    assert load_keymap(good) == {"live.next_phase": "alt+n,f9", "live.pause": "ctrl+p"}
    assert load_keymap(tmp_path / "absent.toml") == {}
    for text, line in (
        ('[live]\nnext_phase = "ctrl+n"\nnext_fase = "ctrl+x"\n', 3),
        ('[live]\n\npause = "ctrl + s"\n', 3),
        ('[live]\npause = "ctrl+s\n', 2),
        ("[live]\npause = 5\n", 2),
    ):
        good.write_text(text)
        with pytest.raises(KeymapError) as error:
            load_keymap(good)
        message = str(error.value)
        assert message.startswith(f"{good}:{line}: ") and "\n" not in message, message


async def test_the_keymap_file_rebinds_the_live_screen(
    db_path: Path, half_day, tmp_path: Path
) -> None:
    _, session_id = half_day
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('[live]\nnext_phase = "alt+n"\n')
    app = IdeationApp(
        db_path, clock=FakeClock(), open_session=session_id, embedder=False, keymap=keymap
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+n")  # no longer bound: typed nowhere, nothing starts
        await pilot.pause()
        assert app.screen.live.current_phase is None
        await pilot.press("alt+n")
        await pilot.pause()
        assert app.screen.live.current_phase is not None


def test_no_key_of_the_live_screen_is_one_the_terminal_never_delivers(tmp_path: Path) -> None:
    """alt+f was the +5 minutes key, but Textual reads ESC f as ctrl+right: it never worked."""
    from ideation.tui.keymap import LIVE_BINDINGS, never_arrive

    assert never_arrive() == {"alt+f": "ctrl+right", "alt+b": "ctrl+left"}
    keys = {key for binding in LIVE_BINDINGS for key in binding.key.split(",")}
    assert "alt+m" in keys and not keys & set(never_arrive())
    mine = tmp_path / "keymap.toml"
    mine.write_text('[live]\nextend_5 = "alt+f"\n')
    with pytest.raises(KeymapError) as caught:
        load_keymap(mine)
    assert str(caught.value) == (
        f"{mine}:2: 'alt+f' never reaches ideation: a terminal sends it as the same bytes as"
        " ctrl+right; choose another key"
    )


async def test_a_break_says_there_is_nothing_to_capture_not_that_flow_is_fine(
    db_path: Path, half_day
) -> None:
    plan, session_id = half_day
    clock = FakeClock()
    app = live_app(db_path, session_id, clock)
    breaks = [n for n, item in enumerate(plan.agenda, start=1) if item.technique == "break"]
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(breaks[0]):
            await pilot.press("ctrl+n")
            await pilot.pause()
        clock.advance(20 * 60)  # a long break, everyone silent
        app.screen.tick()
        await pilot.pause()
        shown = " ".join(visible(app).split())
        assert "Next move Break: nothing to capture — ^n moves on when the room is back" in shown
        assert "quiet" not in shown and "Flow is fine" not in shown


async def test_the_newest_entry_stays_in_view_after_the_layout_changes(
    db_path: Path, half_day
) -> None:
    """A longer "say" line, or a taller terminal that opens the flow panel, left the
    newest entry below the list's last visible row until the next capture."""
    plan, session_id = half_day
    app = live_app(db_path, session_id, FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        for n in range(1, 25):
            await capture(pilot, f"1: entry number {n}")
        for _ in range(5):  # into phases whose guide lines differ in length
            await pilot.press("ctrl+n")
            await pilot.pause()
            await pilot.pause()
            assert "entry number 24" in visible(app)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.pause()
        assert "entry number 24" in visible(app)
