"""Attendance from the live screen: the facilitator marks who came as the session starts.

A session with the plan's seven example names and three recruits from a real screener
(one with a name written as Rich markup, one with no email or phone). At 80x24 the
dialog (alt+p) lists the recruits with their state, marks them by keys alone, writes
nothing until Enter and nothing at all on Esc; starting the first phase reminds once,
naming the key the keymap gives it; a screen that only follows the session cannot mark.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ideation.cli import cli
from ideation.errors import IdeationError
from ideation.live.clock import FakeClock
from ideation.live.plan import load_plan
from ideation.live.session import start_session
from ideation.paths import shipped_file
from ideation.records import Attendance, Contact, Decision
from ideation.screening.attendance import (
    NO_CONTACT,
    NOT_RECRUITED,
    attendance_roll,
    mark_participants,
)
from ideation.screening.desk import RecruitDesk
from ideation.screening.screener_yaml import load_screener
from ideation.store import Store
from ideation.tui.app import IdeationApp
from ideation.tui.attendance_dialog import AttendanceScreen
from ideation.tui.live import LiveScreen

HOSTILE = "[b]Sam[/b][red]"
RECRUITS = (
    ("Zoe Ray", "zoe@example.com"),
    (f"{HOSTILE} Kay", "sam@example.com"),
    ("Ann Lee", ""),  # no email or phone: nobody to know next time
)


def visible(app: IdeationApp) -> str:
    """The characters on the terminal right now, row by row (what a person sees)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def notices(app: IdeationApp) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture
def session_id(db_path: Path) -> int:
    """A session from a shipped plan, its three recruits invited the way the desk does."""
    defn = load_screener(shipped_file("screeners", "home-coffee.yaml"))
    with Store(db_path) as store:
        desk = RecruitDesk(store, defn, FakeClock())
        for number, (name, email) in enumerate(RECRUITS, start=1):
            contact = Contact(0, name, email, "")
            respondent = store.add_respondent(desk.screener.id, f"R{number}", {}, contact=contact)
            assert respondent is not None
            store.set_decision(respondent.id, Decision.ACCEPTED)
        session = start_session(store, load_plan(shipped_file("sessions", "sprint-90.yaml")), "S")
        desk.invite(session.id)
        return session.id


def states(db_path: Path, session_id: int) -> dict[str, Attendance | None]:
    """Each participant's state as the study holds it, by name (None: nothing to mark)."""
    with Store(db_path) as store:
        return {e.participant.label: e.status for e in attendance_roll(store, session_id)}


def live_app(db_path: Path, session_id: int, **options: object) -> IdeationApp:
    options.setdefault("keymap", None)
    return IdeationApp(
        db_path,
        clock=FakeClock(),
        open_session=session_id,
        embedder=False,
        **options,  # type: ignore[arg-type]
    )


def test_the_roll_lists_every_participant_and_says_who_has_no_history(
    db_path: Path, session_id: int
) -> None:
    with Store(db_path) as store:
        roll = attendance_roll(store, session_id)
    assert [e.participant.label for e in roll][-3:] == ["Zoe", HOSTILE, "Ann"]
    assert [(e.status, e.why) for e in roll[-3:]] == [
        (Attendance.INVITED, ""),
        (Attendance.INVITED, ""),
        (None, NO_CONTACT),
    ]
    assert {(e.status, e.why) for e in roll[:-3]} == {(None, NOT_RECRUITED)}


def test_marks_are_all_or_none(db_path: Path, session_id: int) -> None:
    with Store(db_path) as store:
        roll = attendance_roll(store, session_id)
        zoe, ann = roll[-3].participant, roll[-1].participant
        marks = {zoe.id: Attendance.ATTENDED, ann.id: Attendance.ATTENDED}
        with pytest.raises(IdeationError, match="no history to mark"):
            mark_participants(store, session_id, marks, FakeClock())
    assert states(db_path, session_id)["Zoe"] is Attendance.INVITED  # not half-written


def test_the_attend_command_names_a_recruit_with_no_contact(db_path: Path, session_id: int) -> None:
    result = CliRunner().invoke(cli, ["attend", str(session_id), "Ann", "--db", str(db_path)])
    assert result.exit_code == 2
    assert "'Ann' was recruited without an email or phone" in result.output
    assert len(result.output.strip().splitlines()) == 1


async def test_the_dialog_at_80x24_marks_by_keys_and_writes_once_on_enter(
    db_path: Path, session_id: int
) -> None:
    app = live_app(db_path, session_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("alt+p")
        await pilot.pause()
        assert isinstance(app.screen, AttendanceScreen)
        shown = visible(app)
        assert "Who came?" in shown and "2 invited" in shown
        assert " 8 " in shown and "Zoe" in shown  # the number "8:" attributes to
        assert HOSTILE in shown  # the markup is the name, shown as typed
        assert "Ann (recruited without an email or phone)" in shown
        assert "Maya," in shown and "Kwame and 3 more (not recruited)" in shown
        assert "Enter saves" in shown and "Esc cancels" in shown
        assert " Ann " not in shown.split("No history")[0]  # not a row to step over

        await pilot.press("a")  # Zoe came; the cursor steps on to Sam
        await pilot.press("space", "space", "space")  # Sam: attended, declined, no-show
        await pilot.pause()
        shown = visible(app)
        assert "attended  was invited" in shown and "no-show  was invited" in shown
        assert "2 changed, not saved yet" in shown
        assert states(db_path, session_id)["Zoe"] is Attendance.INVITED  # nothing yet

        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen)
        assert "Attendance saved: 1 attended · 1 no-show" in notices(app)
    now = states(db_path, session_id)
    assert (now["Zoe"], now[HOSTILE], now["Ann"]) == (
        Attendance.ATTENDED,
        Attendance.NO_SHOW,
        None,
    )
    with Store(db_path) as store:  # only attendance counts as taking part
        zoe, sam = (p.person_id for p in store.participants(session_id)[-3:-1])
        assert zoe is not None and sam is not None
        assert store.last_participation(zoe) is not None
        assert store.last_participation(sam) is None


async def test_escape_writes_nothing(db_path: Path, session_id: int) -> None:
    before = states(db_path, session_id)
    app = live_app(db_path, session_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("alt+p", "d", "n", "escape")
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen)
        assert any("not saved" in n for n in notices(app))
    assert states(db_path, session_id) == before


async def test_starting_the_first_phase_reminds_once_with_the_keymaps_key(
    db_path: Path, session_id: int, tmp_path: Path
) -> None:
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('[live]\nattendance = "alt+w"\n')
    app = live_app(db_path, session_id, keymap=keymap)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LiveScreen)  # a notice, never a dialog in the way
        assert screen.live.current_phase is not None
        reminder = "2 recruited participants still only invited: alt+w marks who came"
        assert notices(app) == [reminder]
        await pilot.press("ctrl+b", "ctrl+n", "ctrl+n")  # back to the start and on again
        await pilot.pause()
        assert notices(app).count(reminder) == 1
        await pilot.press("alt+w")
        await pilot.pause()
        assert isinstance(app.screen, AttendanceScreen)


async def test_no_reminder_once_everyone_recruited_is_marked(
    db_path: Path, session_id: int
) -> None:
    with Store(db_path) as store:
        marks = {
            e.participant.id: Attendance.ATTENDED
            for e in attendance_roll(store, session_id)
            if e.markable
        }
        mark_participants(store, session_id, marks, FakeClock())
    app = live_app(db_path, session_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not any("only invited" in n for n in notices(app))


async def test_a_session_nobody_was_recruited_for_says_so(db_path: Path) -> None:
    with Store(db_path) as store:
        plan = load_plan(shipped_file("sessions", "sprint-90.yaml"))
        session_id = start_session(store, plan, "S").id
    app = live_app(db_path, session_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("alt+p")
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen)
        assert any("no attendance to mark" in n for n in notices(app))
        await pilot.press("ctrl+n")  # and starting reminds of nothing
        await pilot.pause()
        assert not any("only invited" in n for n in notices(app))


async def test_a_following_screen_cannot_mark(db_path: Path, session_id: int) -> None:
    clock = FakeClock()
    runs = IdeationApp(db_path, clock=clock, open_session=session_id, embedder=False)
    follows = IdeationApp(db_path, clock=clock, open_session=session_id, embedder=False)
    runs.lease_label, follows.lease_label = "screen A", "screen B"
    before = states(db_path, session_id)
    async with runs.run_test(size=(80, 24)) as pa:
        await pa.pause()
        async with follows.run_test(size=(80, 24)) as pb:
            await pb.pause()
            screen = follows.screen
            assert isinstance(screen, LiveScreen) and screen.live.watching
            await pb.press("alt+p")
            await pb.pause()
            assert follows.screen is screen  # no dialog on the watching screen
            zoe = screen.live.participants[-3]
            assert not screen.save_attendance({zoe.id: Attendance.ATTENDED})
    assert states(db_path, session_id) == before
