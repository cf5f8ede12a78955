"""Provides the live session screen: the timer, the guide, capture and flow.

The capture box is always focused and Enter commits the idea to the database
before the list shows it. Phase control sits on function keys so typing never
triggers it. The screen redraws from `LiveSession` once a second; nothing here
waits on a model or on the network.

Nothing typed is lost to a busy, full or read-only study: a line that cannot
be written waits, visibly, in a queue under the box and is retried in order
until it commits. The screen has its own connection with a short busy
timeout, so a held lock never freezes typing for seconds. Only one screen
runs a session (the store's lease); any other follows it read-only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Digits, Footer, Input, Static
from textual.worker import Worker, get_current_worker

from ideation.errors import IdeationError, SessionHeld, StoreError, StudyDamaged
from ideation.live.flow import sparkline
from ideation.live.journal import Journal, UnsavedLine
from ideation.live.room import Room, served_elsewhere
from ideation.live.session import CaptureError, Guide, LiveSession
from ideation.live.techniques import HITS
from ideation.live.timing import TimerState, format_clock, warning_crossed
from ideation.records import THEMED_ENTRIES, Attendance, Device, Idea, Participant
from ideation.screening.attendance import RollEntry, attendance_roll, mark_participants
from ideation.store import Store, lease_holder
from ideation.text import one_line, plural, printable
from ideation.tui.attendance_dialog import AttendanceScreen, counts_text
from ideation.tui.base import IdeationScreen
from ideation.tui.dialogs import ConfirmScreen, PasteScreen
from ideation.tui.inputs import KeyOrderInput
from ideation.tui.keymap import LIVE_BINDINGS
from ideation.tui.live_areas import area_hint, area_inputs, untouched_now
from ideation.tui.room import (
    RoomServerLike,
    room_elsewhere,
    room_hint,
    room_line,
    room_qr,
    start_room_server,
)
from ideation.tui.room_dialog import RoomScreen, device_title

TICK_SECONDS = 0.5
#: The live screen's connection waits this long for a lock, then queues the line.
CAPTURE_BUSY_MS = 250
#: Row keys of the lines shown in the list while the study has not taken them.
PENDING_KEY = "unsaved-"
#: How often lines waiting for a busy, full or read-only study are tried again.
RETRY_SECONDS = 1.0
#: Idea text longer than this is cut on screen (the store keeps all of it).
SHOWN_CHARS = 400
#: Writes the live screen makes; a screen that only watches has them switched off.
WRITING_ACTIONS = frozenset(
    {
        "next_phase",
        "previous_phase",
        "toggle_pause",
        "extend",
        "withdraw",
        "end_session",
        "pick",
        "park_concern",
        "toggle_anonymous",
        "attendance",
    }
)
#: Short names of the entry kinds for the ideas list (the README lists the prefixes).
KIND_LABELS = {
    "idea": "idea",
    "springboard": "spring",
    "excursion": "excur",
    "concern": "concern",
    "plus": "plus",
    "potential": "potent",
}
KIND_STYLES = {"springboard": "cyan", "excursion": "magenta", "concern": "red", "plus": "green"}
#: From this many rows the guide and the flow panel are shown without a key.
ROOMY_HEIGHT = 36
#: More pasted lines than this are refused: a file is for `ideation import ideas`.
MAX_PASTE_LINES = 200
#: The hits badge in the list: how many participants tapped the idea in a hits phase
#: (not ★, which marks a pick of the chain).
HIT_MARK = "●"


class CaptureInput(KeyOrderInput):
    """The capture box: Enter in key order (`KeyOrderInput`), a blank line ignored,
    and a pasted block of several lines handed to the screen (`PastedLines`), which
    asks whether they are separate ideas; one line goes in as typed."""

    class PastedLines(Message):
        """Several non-empty lines were pasted (control characters already gone)."""

        def __init__(self, lines: list[str]) -> None:
            super().__init__()
            self.lines = lines

    def _on_paste(self, event: events.Paste) -> None:
        lines = [one_line(line).strip() for line in event.text.splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > 1:
            self.post_message(self.PastedLines(lines))
        elif lines:
            self.insert_text_at_cursor(lines[0])
        event.stop()
        event.prevent_default()

    def submit_line(self) -> None:
        if self.value.strip():
            super().submit_line()


def clock_time(at: float | None) -> str:
    return datetime.fromtimestamp(at).strftime("%H:%M") if at else "--:--"


class LiveScreen(IdeationScreen):
    """Run one session: the cockpit on top, the entries, capture at the bottom.

    At 80x24 the clock and agenda, the stimulus card, the chain of picks and
    one "next move" banner are always in view; the full guide is one key away
    (ctrl+g) and scrolls by keys while the capture box keeps focus. A taller
    terminal (ROOMY_HEIGHT rows) shows the guide and the flow panel as well.
    """

    BINDINGS = LIVE_BINDINGS

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.live: LiveSession
        self.card = 0
        self.speaker: Participant | None = None
        self.last_state: TimerState | None = None
        self.embedded: set[str] = set()
        self.embedding_note = ""
        self.untouched: list[str] = []  # brief areas no idea is near (embedding worker)
        self.store: Store | None = None
        self.pending: list[UnsavedLine] = []
        self.pending_error = ""
        #: Where the queue is kept while the study will not take it (None: not kept yet).
        self.journal: Journal | None = None
        self.journaled: Path | None = None
        #: How many unsaved rows the list shows now (keys PENDING_KEY0, 1, …).
        self.pending_rows = 0
        self.last_retry = 0.0
        self.live_guide: Guide | None = None
        self.agenda_shown = ""
        self.agenda_position: int | None = None
        #: The entries that are links of the chain now, starred in the list.
        self.chain_ids: set[int] = set()
        #: The room's web server while it runs (None: no room), and the room seen from
        #: this screen's connection (its devices, revoke, hits).
        self.room_server: RoomServerLike | None = None
        self.room: Room | None = None
        self.room_qr: list[str] = []
        self.room_starting = False
        #: Hits shown in the list, by idea id.
        self.hits_shown: dict[int, int] = {}

    # -- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            with Vertical(id="clock"):
                yield Static(id="phase-title")
                yield Digits("0:00", id="countdown")
                yield Static(id="phase-status")
            with VerticalScroll(id="agenda-box", can_focus=False):
                yield Static(id="agenda")
        yield Static(id="card")
        yield Static(id="chain", classes="empty")
        yield Static(id="next-move")
        with Horizontal(id="middle"):
            with VerticalScroll(id="guide-box", can_focus=False):
                yield Static(id="guide")
            yield Static(id="flow")
        yield DataTable(id="ideas", cursor_type="row", zebra_stripes=True)
        yield Static(id="thread", classes="empty")
        with Horizontal(id="people-line"):
            yield Static(id="people")
            yield Static(id="room-hint")
        yield Static(id="room", classes="empty")
        yield Static(id="banner", classes="empty")
        yield Static(id="pending", classes="empty")
        yield CaptureInput(
            placeholder="Type, Enter captures · Maya: … 2: … +12 … /s /x /c /p /o kinds",
            id="capture",
        )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        app = self.app
        try:
            self.store = app.open_store(busy_timeout_ms=CAPTURE_BUSY_MS)  # type: ignore[attr-defined]
            holder = lease_holder(app.lease_label)  # type: ignore[attr-defined]
            self.live = LiveSession(self.store, self.session_id, app.clock, holder=holder)  # type: ignore[attr-defined]
        except StoreError as error:
            if self.store is not None:
                self.store.close()
                self.store = None  # nothing to let go of on unmount
            if isinstance(error, StudyDamaged):
                raise  # the app stops with the one line the CLI gives
            self.say(f"Cannot open the session: {error}", "error")
            self.app.pop_screen()
            return
        self.title = one_line(self.live.session.name, 80)
        self.room = Room(self.store, self.session_id, app.clock)  # type: ignore[attr-defined]
        table = self.query_one("#ideas", DataTable)
        table.add_columns("#", "Who", "Phase", "Kind", "Entry")
        self.chain_ids = {idea.id for _, idea in self.live.chain().steps()}
        for row in self.live.rows:
            if row.kind == "idea":
                self._add_row(row)
        self._refresh_withdrawn()
        table.move_cursor(row=table.row_count - 1)
        self.query_one("#capture", Input).focus()
        self.last_state = self.live.state()
        self.set_class(self.app.size.height >= ROOMY_HEIGHT, "-guide")
        self.journal = Journal(app.db_path, self.session_id)  # type: ignore[attr-defined]
        self.query_one("#room-hint", Static).update(room_hint(self.key_of("live.room")))
        self.refresh_room()
        self.take_control()
        self.restore_unsaved()
        self.refresh_all()
        self.set_interval(TICK_SECONDS, self.tick)
        self.embed_in_background()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height >= ROOMY_HEIGHT, "-roomy")
        self.call_after_refresh(self.keep_current_phase_in_view)
        self.call_after_refresh(self.keep_latest_in_view)
        if hasattr(self, "live"):
            self.refresh_chain()

    def on_unmount(self) -> None:
        """Keep unsaved lines, let go of the session (another screen may run it now)
        and of the connection; the room stops with the screen."""
        self.keep_unsaved()
        self.stop_room(wait=True)
        if self.store is None:
            return
        try:
            self.live.release()
        except StoreError:
            pass  # the lease lapses by itself after a while
        self.store.close()
        self.store = None

    # -- one controller per session -------------------------------------------------

    def take_control(self) -> bool:
        """Run the session from here, or follow it read-only if another screen runs it."""
        try:
            self.live.claim()
        except SessionHeld as error:
            self.become_watcher(str(error))
            return False
        except StoreError:
            return False  # busy: the first write (or the next tick) takes the lease
        self.query_one("#banner", Static).add_class("empty")
        self.query_one("#capture", Input).disabled = False
        self.query_one("#capture", Input).focus()
        self.refresh_bindings()
        return True

    def become_watcher(self, why: str) -> None:
        """Read-only: follow the database; capture and phase keys are off."""
        self.live.watch()
        banner = self.query_one("#banner", Static)
        banner.update(
            Text.assemble(
                ("READ-ONLY ", "bold reverse"),
                (f" {one_line(why, 160)}  ·  Ctrl+L takes over once it is free", "bold"),
            )
        )
        banner.remove_class("empty")
        self.query_one("#capture", Input).disabled = True
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not hasattr(self, "live"):
            return True
        if action == "take_over":
            return self.live.watching
        if action in WRITING_ACTIONS:
            return not self.live.watching
        return True

    def action_take_over(self) -> None:
        if self.take_control():
            self.restore_unsaved()
            self.app.notify("This screen runs the session now.")  # type: ignore[attr-defined]
            self.refresh_all()

    def keep_lease(self) -> None:
        """On the tick: renew our lease, or follow the controller while watching."""
        if self.live.watching:
            self.follow()
            return
        try:
            if self.live.holds_lease:
                if not self.live.keep_alive():
                    self.become_watcher(f"taken over by {self.live.controller()}")
                    self.say(
                        "Another screen took this session over: this one only watches now.",
                        "warning",
                    )
            else:
                self.take_control()
        except StoreError:
            pass  # busy or full: try again on the next tick, the lease lasts 20 s

    def follow(self) -> None:
        try:
            new = self.live.follow()
        except StoreError:
            return
        for row in new:
            if row.kind == "idea":
                self._add_row(row)
        if new:
            self._refresh_withdrawn()
            table = self.query_one("#ideas", DataTable)
            table.move_cursor(row=table.row_count - 1)
            self.embed_in_background()
        self.refresh_all()

    def take_in_room_ideas(self) -> None:
        """Show what other writers committed (the room's devices; `ideation serve` in
        another process) like a typed entry, and embed it: one indexed query a tick."""
        try:
            new = self.live.catch_up()
        except StoreError:
            return  # busy: the next tick asks again
        if not new:
            return
        table = self.query_one("#ideas", DataTable)
        following = table.cursor_row >= table.row_count - 1 - self.pending_rows
        selected = self.selected_idea()
        self.hide_pending_rows()  # unsaved lines stay the last rows
        newest = int(table.ordered_rows[-1].key.value or 0) if table.row_count else 0
        for row in new:
            if row.kind == "idea":
                self._add_row(row)
        if any(row.kind == "idea" and row.seq < newest for row in new):
            self.keep_capture_order(selected)
        self._refresh_withdrawn()
        if following:
            table.move_cursor(row=table.row_count - 1)
        self.show_pending()
        self.refresh_people()
        self.refresh_flow()
        self.embed_in_background()

    def keep_capture_order(self, selected: Idea | None) -> None:
        """Put rows back in capture order (the study's numbering), keeping the selection.

        The screen shows its own entry the moment it commits, but another writer's
        only on the next catch-up: a phone's idea committed just before the
        facilitator's Enter arrives after it, and would show one row too low."""
        table = self.query_one("#ideas", DataTable)
        table.sort(table.ordered_columns[0].key, key=int)
        if selected is not None and str(selected.seq) in table.rows:
            table.move_cursor(row=table.get_row_index(str(selected.seq)))

    # -- rendering ------------------------------------------------------------

    def tick(self) -> None:
        self.keep_lease()
        if not self.live.watching:
            self.take_in_room_ideas()
        self.refresh_room()
        self.refresh_hits()
        if self.pending and time.monotonic() - self.last_retry >= RETRY_SECONDS:
            self.flush_pending()
        state = self.live.state()
        if self.last_state is not None:
            crossed = warning_crossed(self.last_state, state)
            if crossed:
                self.app.bell()
                self.notify(
                    "Two minutes left in this phase"
                    if crossed == "two_minutes"
                    else "Time is up: wrap up, extend (+1/+5) or move on",
                    severity="warning",
                )
        self.last_state = state
        self.refresh_clock(state)
        self.refresh_agenda(state)
        self.refresh_flow()
        self.refresh_next_move()

    def refresh_all(self) -> None:
        state = self.live.state()
        self.refresh_clock(state)
        self.refresh_agenda(state)
        self.refresh_guide()
        self.refresh_flow()
        self.refresh_people()
        self.refresh_thread()
        self.refresh_next_move()

    def refresh_clock(self, state: TimerState) -> None:
        phase = self.live.current_phase
        title = self.query_one("#phase-title", Static)
        status = self.query_one("#phase-status", Static)
        digits = self.query_one("#countdown", Digits)
        if state.ended:
            title.update("Session ended")
            digits.update("0:00")
            entries = self.live.standing()
            ideas = sum(e.entry in THEMED_ENTRIES for e in entries)
            more = (
                f" ({plural(len(entries), 'entry', 'entries')} in all)"
                if ideas < len(entries)
                else ""
            )
            status.update(f"{plural(ideas, 'idea')} captured{more}")
            return
        if phase is None:
            title.update("Not started")
            digits.update(
                format_clock(self.live.phases[0].planned_seconds if self.live.phases else 0)
            )
            status.update("Ctrl+N (F9) starts the first phase")
            return
        title.update(
            Text.assemble(
                (f"{phase.position + 1}/{len(self.live.phases)} ", "dim"),
                (one_line(phase.title, 40), "bold"),
            )
        )
        digits.update(format_clock(state.remaining_seconds))
        digits.set_class(state.warning == "two_minutes", "warning")
        digits.set_class(state.warning == "zero", "overtime")
        bits = []
        if state.paused:
            bits.append("PAUSED")
        if state.overtime_seconds >= 1:
            bits.append("overtime")
        if state.extended_seconds:
            bits.append(f"+{state.extended_seconds // 60} min")
        bits.append(f"ends ~{clock_time(state.projected_end)}")
        status.update("  ·  ".join(bits))

    def refresh_agenda(self, state: TimerState) -> None:
        """Every phase with planned and actual time (ticking), the current one kept in view."""
        lines = Text(no_wrap=True, overflow="ellipsis")
        for phase in self.live.phases:
            current = phase.position == state.position and not state.ended
            actual = state.actual_seconds.get(phase.position)
            done = format_clock(actual) if actual else "—"
            marker = "▶ " if current else "  "
            style = "bold reverse" if current else ("dim" if actual else "")
            planned = format_clock(phase.planned_seconds)
            lines.append(
                f"{marker}{phase.position + 1:>2} {one_line(phase.title, 26):<26}"
                f" {planned:>5} {done:>6}",
                style=style,
            )
            lines.append("\n")
        lines.append(f"projected end {clock_time(state.projected_end)}", style="italic")
        if lines.plain != self.agenda_shown:  # redraw only when a second ticked over
            self.agenda_shown = lines.plain
            self.query_one("#agenda", Static).update(lines)
        if state.position != self.agenda_position:
            self.agenda_position = state.position
            self.call_after_refresh(self.keep_current_phase_in_view)

    def keep_current_phase_in_view(self) -> None:
        """Scroll the agenda so the current phase (and the one before it) show."""
        box = self.query_one("#agenda-box", VerticalScroll)
        position = self.agenda_position or 0
        box.scroll_to(y=max(0, position - 1), animate=False)

    def current_card(self) -> tuple[str, str] | None:
        """The stimulus card in play as (label, text): the chain's card when the
        technique builds one from the picks, else the plan's (or technique's) cards."""
        guide = self.live_guide
        phase = self.live.current_phase
        technique = self.live.current_technique
        if guide is not None and guide.card:
            return ("Card", guide.card)
        if phase is None or technique is None:
            return None
        cards = phase.prompts or technique.default_prompts
        if not cards:
            return None
        index = self.card % len(cards)
        return (f"Card {index + 1}/{len(cards)}", cards[index])

    def refresh_guide(self) -> None:
        """The card line, the chain line and the full guide panel."""
        self.live_guide = self.live.guide() if self.live.phases else None
        self.refresh_card()
        self.refresh_chain()
        self.query_one("#guide", Static).update(self.guide_text())

    def refresh_card(self) -> None:
        card = self.query_one("#card", Static)
        shown = self.current_card()
        if shown is None:
            guide = self.live_guide
            say = guide.say if guide is not None and self.live.current_phase else ""
            card.update(
                Text.assemble(("Say ", "bold"), (one_line(say, SHOWN_CHARS), "italic"))
                if say
                else Text("Ready when the room is. Ctrl+N (F9) starts the first phase.")
            )
            return
        label, text = shown
        card.update(
            Text.assemble((f"{label} ", "bold dim"), (one_line(text, SHOWN_CHARS), "bold yellow"))
        )

    def chain_text(self, width: int | None = None) -> Text:
        """The picks so far, springboard first, on one line of `width` cells: when the
        whole chain does not fit, the springboard (what force-fit returns to) and the
        latest pick (what the step builds on) keep their words, the links between
        shrink to their numbers. The guide always has the whole chain."""
        steps = self.live.chain().steps()
        full = Text(" → ").join(
            Text.assemble((f"{what} ", "dim"), (f"+{i.seq} {one_line(i.text, 40)}", "bold"))
            for what, i in steps
        )
        if width is None or full.cell_len <= width or len(steps) < 2:
            return full
        middle = [Text(f"+{idea.seq}", style="bold") for _, idea in steps[1:-1]]
        per_end = (width - 3 * (len(middle) + 1) - sum(len(m) for m in middle)) // 2
        ends = [
            Text(f"+{i.seq} {one_line(i.text, max(per_end - len(str(i.seq)) - 2, 6))}", "bold")
            for i in (steps[0][1], steps[-1][1])
        ]
        return Text(" → ", style="dim").join([ends[0], *middle, ends[1]])

    def refresh_chain(self) -> None:
        chain = self.query_one("#chain", Static)
        technique = self.live.current_technique
        phase = self.live.current_phase
        wanted = technique is not None and technique.pick is not None
        due = wanted and phase is not None and not self.live.picked_in(phase)
        asked = f"  · pick: {technique.pick}" if due and technique is not None else ""
        text = self.chain_text(max(self.size.width - 8 - len(asked), 20))
        chain.set_class(not text and not wanted, "empty")
        if not text:
            text = Text("No picks yet", style="dim")
        chain.update(Text.assemble(("Chain ", "bold cyan"), text, (asked, "cyan")))

    def guide_text(self) -> Text:
        """Everything the facilitator may need in this phase, to scroll through."""
        technique = self.live.current_technique
        phase = self.live.current_phase
        guide = self.live_guide
        if technique is None or phase is None or guide is None:
            return self.brief_text(
                "Ready when the room is. Ctrl+N (F9) starts the first phase.\n\n"
            )
        text = Text()
        text.append(f"{technique.name}", style="bold")
        text.append("   PgUp/PgDn or Ctrl+↑/↓ scroll · Ctrl+G closes\n", style="dim")
        text.append(f"{printable(guide.say)}\n", style="italic")
        if guide.pick_hint:
            text.append(f"▶ {printable(guide.pick_hint)}\n", style="bold cyan")
        for rule in technique.rules:
            text.append(f"• {rule}\n")
        if technique.starters:
            text.append("Starters: " + "  ".join(technique.starters) + "\n", style="cyan")
        shown = self.current_card()
        if shown is not None:
            text.append(f"\n{shown[0]}: ", style="dim")
            text.append(printable(shown[1])[:SHOWN_CHARS] + "\n", style="bold yellow")
        if phase.stimuli:
            stimuli = ", ".join(one_line(s, 80) for s in phase.stimuli)
            text.append(f"Stimuli: {stimuli}\n", style="dim")
        if guide.notes:
            text.append("\nPlan notes: ", style="bold")
            text.append(f"{printable(guide.notes.strip())[:2000]}\n")
        chain = self.chain_text()
        if chain:
            text.append("\nChain so far: ", style="bold")
            text.append_text(chain)
            text.append("\n")
        text.append("\n")
        text.append_text(self.brief_text(""))
        return text

    def brief_text(self, lead: str) -> Text:
        """The brief: the problem as given, background, what was tried, springboards."""
        brief = self.live.brief
        text = Text(lead)
        if brief is None:
            return text
        text.append("Problem as given: ", style="bold")
        text.append(f"{printable(brief.problem_as_given)[:SHOWN_CHARS]}\n")
        if brief.background:
            text.append(f"{printable(brief.background.strip())[:2000]}\n", style="dim")
        for label, items in (
            ("Tried", brief.tried),
            ("Opportunities", brief.opportunity_areas),
            ("Springboards", brief.springboards),
        ):
            if items:
                text.append(f"{label}: ", style="bold")
                text.append(" · ".join(one_line(i, 120) for i in items) + "\n")
        return text

    def next_move(self) -> Text:
        """The one line the facilitator should act on now, by priority: a judgement
        to reframe (it is about what was just said), then stalled or slowing flow,
        then a quiet participant, then a pick that is due, then what to say."""
        if self.live.state().ended:
            return Text("The session has ended — Esc, then t on the home screen for themes")
        critique = self.live.nudge
        if critique is not None:
            return Text.assemble(
                ("Judgement — ctrl+j parks it as ", "bold red"),
                (one_line(critique.reframe, 120), "bold cyan"),
                (f"  (heard “{one_line(critique.phrase, 40)}”)", "dim"),
            )
        signal = self.live.flow()
        if signal.message and signal.level != "ok":
            style = "bold red" if signal.level == "stalled" else "bold yellow"
            return Text(one_line(signal.message, SHOWN_CHARS), style=style)
        quiet = self.live.quiet()
        if quiet:
            person = quiet[0]
            return Text(
                f"{one_line(person.label, 24)} has been quiet for"
                f" {person.silent_seconds // 60:.0f} min — invite them in",
                style="yellow",
            )
        if area := area_hint(self.live, self.untouched):
            return Text(one_line(area, SHOWN_CHARS), style="cyan")
        guide = self.live_guide
        if guide is not None and guide.pick_hint and self.live.current_phase is not None:
            return Text(one_line(guide.pick_hint, SHOWN_CHARS), style="cyan")
        if self.live.current_phase is None:
            return Text("Next: Ctrl+N (F9) starts the first phase", style="dim")
        if self.live.current_phase.technique == "break":  # flow has nothing to say
            return Text(
                f"Break: nothing to capture — {self.key_of('live.next_phase')} moves on"
                " when the room is back",
                style="dim",
            )
        return Text("Flow is fine — keep capturing", style="dim green")

    def refresh_next_move(self) -> None:
        self.query_one("#next-move", Static).update(
            Text.assemble(("Next move ", "bold reverse"), " ", self.next_move())
        )

    def refresh_flow(self) -> None:
        text = Text()
        rates = self.live.rate_per_minute()
        recent = rates[-3:] if rates else []
        per_minute = sum(recent) / len(recent) if recent else 0.0
        text.append("Flow ", style="bold")
        text.append(f"{sparkline(rates[-12:])} {per_minute:.1f}/min\n")
        text.append(f"Build-ons {self.live.build_on_rate():.0%}\n")
        for share in self.live.shares()[:8]:
            bar = "█" * round(share.share * 8)
            text.append(f"{one_line(share.label, 12):<12} {bar:<8} {share.count:>3}\n")
        for quiet in self.live.quiet()[:3]:
            text.append(
                f"quiet {one_line(quiet.label, 20)}: {quiet.silent_seconds // 60:.0f} min\n",
                style="yellow",
            )
        if self.embedding_note:
            text.append(f"{self.embedding_note}\n", style="dim")
        self.query_one("#flow", Static).update(text)

    def refresh_people(self) -> None:
        text = Text()
        owner = self.live.problem_owner
        for number, person in enumerate(self.live.participants, start=1):
            chosen = self.speaker is not None and person.id == self.speaker.id
            mark = "*" if owner is not None and person.id == owner.id else ""
            text.append(
                f" {number} {one_line(person.label, 24)}{mark} ",
                style="reverse bold" if chosen else "",
            )
        self.query_one("#people", Static).update(text)
        anonymous = self.live.anonymous_mode
        clock = self.query_one("#clock", Vertical)
        clock.border_title = "ANONYMOUS" if anonymous else None
        clock.set_class(anonymous, "anonymous")

    def refresh_thread(self) -> None:
        idea = self.selected_idea()
        thread = self.query_one("#thread", Static)
        thread.set_class(idea is None or idea.builds_on is None, "empty")
        if idea is None or idea.builds_on is None:
            return
        chain = self.live.thread(idea)
        line = " → ".join(f"+{i.seq} {one_line(i.text, 30)}" for i in chain)
        thread.update(Text(f"Thread: {line}"))  # ideas are text, never markup

    def _who(self, idea: Idea) -> Text:
        person = self.live.participant(idea.participant_id)
        if person is None:
            return Text("—")
        owner = self.live.problem_owner
        mark = "*" if owner is not None and owner.id == person.id else ""
        return Text(one_line(person.label, 24) + mark)

    def _entry_text(self, idea: Idea) -> Text:
        """The entry column: hits (from a hits phase on), the build-on link, the text."""
        text = Text(one_line(idea.text, SHOWN_CHARS))
        if idea.builds_on is not None:
            parent = self.live.idea_by_id(idea.builds_on)
            text = Text.assemble((f"↳+{parent.seq if parent else '?'} ", "cyan"), text)
        hits = self.hits_shown.get(idea.id)
        if hits:
            text = Text.assemble((f"{HIT_MARK}{hits} ", "bold yellow"), text)
        return text

    def _add_row(self, idea: Idea) -> None:
        table = self.query_one("#ideas", DataTable)
        phase = next((p for p in self.live.phases if p.id == idea.phase_id), None)
        table.add_row(
            str(idea.seq),
            self._who(idea),
            Text(one_line(phase.title, 10) if phase else ""),
            self._kind(idea),
            self._entry_text(idea),
            key=str(idea.seq),
        )

    def _kind(self, idea: Idea) -> Text:
        """The entry's kind, starred while it is a link of the chain (a later pick at the
        same step takes the star over)."""
        picked = idea.id in self.chain_ids
        label = KIND_LABELS.get(idea.entry, idea.entry)
        return Text(("★" if picked else "") + label, style=KIND_STYLES.get(idea.entry, ""))

    def _refresh_kinds(self) -> None:
        """Redraw the kind column of every entry ever picked (a pick stars its entry)."""
        self.chain_ids = {idea.id for _, idea in self.live.chain().steps()}
        table = self.query_one("#ideas", DataTable)
        column = table.ordered_columns[3].key
        for made in self.live.picks:
            idea = self.live.idea_by_id(made.idea_id)
            if idea is not None and str(idea.seq) in table.rows:
                table.update_cell(str(idea.seq), column, self._kind(idea), update_width=True)

    def _refresh_withdrawn(self) -> None:
        table = self.query_one("#ideas", DataTable)
        for row in self.live.rows:
            if row.kind == "withdrawal":
                original = self.live.idea(row.seq)
                if original is not None:
                    table.update_cell(
                        str(row.seq),
                        table.ordered_columns[4].key,
                        Text(
                            f"(withdrawn) {one_line(original.text, SHOWN_CHARS)}",
                            style="dim strike",
                        ),
                    )

    def selected_idea(self) -> Idea | None:
        table = self.query_one("#ideas", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.live.idea(int(key)) if key and key.isdigit() else None

    # -- capture --------------------------------------------------------------

    @on(Input.Submitted, "#capture")
    def capture(self, event: Input.Submitted) -> None:
        """Queue the line (with its speaker and time), then commit the queue in order."""
        line = event.value
        if not line.strip():
            return
        if self.live.watching:  # the box is off; a line that slipped through goes back
            event.input.value = f"{line} {event.input.value}".strip()
            return
        self.capture_lines([line])

    def capture_lines(self, lines: list[str]) -> None:
        """Queue lines from the current speaker, said now, and commit them in order."""
        speaker = self.speaker.id if self.speaker else None
        at = self.app.clock.now()  # type: ignore[attr-defined]
        self.pending.extend(UnsavedLine(line, speaker, at) for line in lines)
        self.speaker = None
        self.flush_pending()

    @on(CaptureInput.PastedLines)
    def pasted(self, event: CaptureInput.PastedLines) -> None:
        """Several lines pasted: ask whether they are one idea each (each line through
        the normal capture, prefixes and all) or one idea, as the box would join them."""
        lines = event.lines
        if self.live.watching:
            return
        if len(lines) > MAX_PASTE_LINES:
            self.say(
                f"{len(lines)} lines pasted: more than {MAX_PASTE_LINES} is a file;"
                " use `ideation import ideas FILE`",
                "warning",
            )
            return

        def answered(answer: str | None) -> None:
            if answer == "lines":
                self.capture_lines(lines)
            elif answer == "one":
                self.query_one("#capture", Input).insert_text_at_cursor(" ".join(lines))

        self.app.push_screen(PasteScreen(lines), answered)

    def flush_pending(self) -> None:
        """Commit waiting lines oldest first; stop at the first the study will not take."""
        self.last_retry = time.monotonic()
        committed = False
        self.hide_pending_rows()
        while self.pending:
            head = self.pending[0]
            try:
                speaker = self.live.participant(head.participant_id)
                captured = self.live.capture(head.line, speaker, at=head.at)
            except CaptureError as error:
                self.pending.pop(0)
                box = self.query_one("#capture", Input)
                box.value = f"{head.line} {box.value}".strip()  # give the line back
                self.say(str(error), "warning")
                continue
            except SessionHeld as error:
                self.become_watcher(str(error))
                self.pending_error = "this screen no longer runs the session; not saved"
                self.hand_over_unsaved()
                break
            except StoreError as error:
                if str(error) != self.pending_error:
                    self.say(f"Not saved yet, kept below and retried: {error}", "error")
                self.pending_error = str(error)
                break
            self.pending.pop(0)
            self.show_captured(captured)
            committed = True
        if not self.pending:
            self.pending_error = ""
        self.keep_unsaved()
        self.show_pending()
        if committed:
            self.refresh_people()
            self.refresh_flow()
            self.refresh_thread()
            self.refresh_next_move()
            self.embed_in_background()

    def show_captured(self, captured: Any) -> None:
        if captured.note:
            self.say(captured.note, "warning")
        self._add_row(captured.idea)
        table = self.query_one("#ideas", DataTable)
        table.move_cursor(row=table.row_count - 1)

    def show_pending(self) -> None:
        """Lines the study has not taken yet: each one a dim row at the end of the list,
        and one status line saying why and where they are kept meanwhile."""
        box = self.query_one("#pending", Static)
        box.set_class(not self.pending, "empty")
        if not self.pending:
            return
        kept = f"kept in {self.journaled.name}" if self.journaled else "NOT kept on disk"
        box.update(
            Text.assemble(
                (f"{plural(len(self.pending), 'line')} not saved, retrying; {kept}", "bold red"),
                (f" — {one_line(self.pending_error, 70)}", "red"),
            )
        )
        table = self.query_one("#ideas", DataTable)
        for index, pending in enumerate(self.pending):
            person = self.live.participant(pending.participant_id)
            table.add_row(
                "…",
                one_line(person.label, 12) if person else "",
                "",
                "unsaved",
                Text(one_line(pending.line, 500), style="dim italic"),
                key=f"{PENDING_KEY}{index}",
            )
        self.pending_rows = len(self.pending)
        table.move_cursor(row=table.row_count - 1)

    def hide_pending_rows(self) -> None:
        """Take the unsaved rows out by their keys (no scan of the list on every Enter)."""
        table = self.query_one("#ideas", DataTable)
        for index in range(self.pending_rows):
            table.remove_row(f"{PENDING_KEY}{index}")
        self.pending_rows = 0

    def keep_unsaved(self) -> None:
        """Put the queue where the next screen finds it (only once a write has failed,
        so the ordinary Enter pays nothing), and forget it once it has drained."""
        if self.journal is None or (not self.pending and self.journaled is None):
            return
        self.journaled = self.journal.save(self.pending)

    def hand_over_unsaved(self) -> None:
        """A screen that lost the session keeps its unsaved lines only on disk, where the
        screen that runs the session next picks them up: never two copies in memory."""
        self.keep_unsaved()
        if self.pending and self.journaled is not None:
            self.say(
                f"{plural(len(self.pending), 'unsaved line')} kept in {self.journaled.name};"
                " saved when a screen runs this session again",
                "warning",
            )
            self.pending.clear()

    def restore_unsaved(self) -> None:
        """Lines an earlier screen could not save come back first, in their order; only
        the screen that runs the session takes them."""
        if self.journal is None or self.live.watching:
            return
        try:
            earlier = self.journal.load()
        except IdeationError as error:
            self.say(str(error), "error")
            return
        if not earlier:
            return
        self.pending[:0] = earlier
        self.journaled = self.journal.paths[0]
        self.say(f"{plural(len(earlier), 'unsaved line')} from an earlier screen, saving now")
        self.flush_pending()

    def action_leave(self) -> None:
        """Back to the study (Esc)."""
        self.leave_then(self.app.pop_screen)

    def action_quit(self) -> None:
        """Out of ideation (ctrl+q)."""
        self.leave_then(self.app.exit)

    def leave_then(self, go: Callable[[], object]) -> None:
        """Leave when nothing typed would be lost: unsaved lines are kept on disk for the
        next screen, or, when even that failed, the facilitator decides."""
        self.keep_unsaved()
        if not self.pending or self.journaled is not None:
            if self.pending:
                self.say(f"{plural(len(self.pending), 'unsaved line')} kept; reopen to save")
            go()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.pending.clear()
                go()

        question = (
            f"{plural(len(self.pending), 'line')} could not be saved or kept anywhere"
            f" ({one_line(self.pending_error, 80)}). Leave and lose them?"
        )
        self.app.push_screen(ConfirmScreen(question, "Leave, lose them"), answered)

    # -- attendance: who came ----------------------------------------------------

    def action_attendance(self) -> None:
        """Mark who came (alt+p): only attendance counts as taking part, so a no-show or a
        decline is marked here and bars nobody from the next study."""
        roll = self.read_roll()
        if roll is None:
            return
        if not any(entry.markable for entry in roll):
            self.say(
                "Nobody in this session was recruited with a screener: no attendance to mark.",
                "warning",
            )
            return
        self.app.push_screen(AttendanceScreen(self.live.session.name, roll, self.save_attendance))

    def read_roll(self, *, quiet: bool = False) -> list[RollEntry] | None:
        """The session's participants with their invitations' state (None: study busy)."""
        if self.store is None:
            return None
        try:
            return attendance_roll(self.store, self.session_id)
        except StoreError as error:
            if not quiet:
                self.say(f"Attendance not read, press the key again: {error}", "error")
            return None

    def save_attendance(self, marks: dict[int, Attendance]) -> bool:
        """Write the dialog's changes in one transaction; only the screen that runs the
        session marks (a follower's dialog is refused here if the lease moved)."""
        if self.store is None or self.live.watching:
            self.say("This screen only watches the session: mark attendance where it runs.")
            return False
        store = self.store
        try:
            mark_participants(store, self.session_id, marks, self.app.clock)  # type: ignore[attr-defined]
        except IdeationError as error:
            self.say(f"Attendance not saved, press Enter again: {error}", "error")
            return False
        self.say(f"Attendance saved: {counts_text(marks)}")
        return True

    def remind_attendance(self) -> None:
        """As the first phase starts (once: no key goes back to "not started"), recruited
        people still only invited are counted with the key that marks them; a notice,
        never a modal in the way of the start."""
        waiting = sum(e.status is Attendance.INVITED for e in self.read_roll(quiet=True) or [])
        if waiting:
            self.say(
                f"{plural(waiting, 'recruited participant')} still only invited:"
                f" {self.key_of('live.attendance')} marks who came",
                timeout=12,
            )

    def key_of(self, binding_id: str) -> str:
        """How the footer names the key(s) of a binding, after the user's keymap."""
        for active in self.active_bindings.values():
            if active.binding.id == binding_id:
                return self.app.get_key_display(active.binding)
        return binding_id

    # -- the room: participants' own devices -----------------------------------

    def action_room(self) -> None:
        """Start the room (alt+r), or show the running room's address, QR code and
        devices. The server starts in a thread: typing carries on meanwhile."""
        if self.room_server is not None:
            self.show_room()
            return
        if self.room_starting:
            self.say("The room is starting…")
            return
        if self.live.state().ended:
            self.say("The session has ended: there is no room to open.", "warning")
            return
        if elsewhere := self.room_elsewhere():
            pid, where = elsewhere
            self.say(
                f"The room already runs at {where or '?'} (ideation serve, process {pid}):"
                " its devices and QR code are there.",
                "warning",
            )
            return
        self.room_starting = True
        self.say("Starting the room…")
        self.run_worker(
            self._start_room,
            name="starting the room",
            thread=True,
            group="room",
            exit_on_error=False,
        )

    def _start_room(self) -> None:
        """In a worker thread: import the web app, start listening, draw the QR code."""
        app = self.app
        try:
            server = start_room_server(app.db_path, self.session_id, app.clock)  # type: ignore[attr-defined]
        except BaseException:
            app.call_from_thread(self._room_not_started)
            raise  # the app's worker handler says why in one line
        qr = room_qr(server.join_url)
        app.call_from_thread(self._room_started, server, qr)

    def _room_not_started(self) -> None:
        self.room_starting = False

    def _room_started(self, server: RoomServerLike, qr: list[str]) -> None:
        self.room_starting = False
        if self.store is None or self.live.state().ended:  # left or ended meanwhile
            server.stop()
            return
        self.room_server, self.room_qr = server, qr
        self.refresh_room()
        self.show_room()

    def show_room(self) -> None:
        server = self.room_server
        if server is None:
            return

        def answered(answer: str | None) -> None:
            if answer == "stop":
                self.stop_room()
                self.say("The room is stopped; the ideas it took are kept.")

        self.app.push_screen(
            RoomScreen(server.join_url, server.room_url, self.room_qr, self.devices, self.revoke),
            answered,
        )

    def devices(self) -> list[Device]:
        """The session's devices, for the room dialog ([] while the study is busy)."""
        if self.room is None or self.store is None:
            return []
        try:
            return self.room.devices()
        except StoreError:
            return []

    def revoke(self, device: Device, number: int) -> bool:
        """Refuse one device from now on; its ideas stay. `number` is the device's in
        this session, as the room dialog shows it."""
        if self.room is None or self.store is None:
            return False
        try:
            self.room.revoke(device.id)
        except IdeationError as error:
            self.say(f"Not revoked, try again: {error}", "error")
            return False
        self.say(f"Revoked {device_title(device, number)}.")
        self.refresh_room()
        return True

    def stop_room(self, *, wait: bool = False) -> None:
        """Stop the server (open pages are told; the token stays for a restart).
        `wait`: here and now, as the screen goes; otherwise in a thread, so the screen
        never waits on it."""
        server, self.room_server = self.room_server, None
        if server is None:
            return
        if wait:
            server.stop()
            return
        self.refresh_room()
        self.run_worker(server.stop, name="stopping the room", thread=True)

    def refresh_room(self) -> None:
        """The room line: devices joined and the join address, while the room runs;
        until then, the room's key beside the people (a session that ended has none)."""
        server = self.room_server
        if server is not None and not server.running:  # it stopped by itself (say the
            self.room_server = server = None  # port went away)
            self.say("The room stopped.", "warning")
        elsewhere = self.room_elsewhere() if server is None else None
        line = self.query_one("#room", Static)
        line.set_class(server is None and elsewhere is None, "empty")
        hint = self.query_one("#room-hint", Static)
        hint.set_class(
            server is not None or elsewhere is not None or self.live.state().ended, "empty"
        )
        if server is not None:
            line.update(room_line(server, server.device_count(), self.key_of("live.room")))
        elif elsewhere is not None:
            line.update(room_elsewhere(*elsewhere))

    def room_elsewhere(self) -> tuple[int, str] | None:
        """Another process serving this session's room (`ideation serve`), if one is."""
        if self.store is None:
            return None
        try:
            return served_elsewhere(self.store, self.session_id)
        except StoreError:  # a busy moment: the next tick asks again
            return None

    def refresh_hits(self) -> None:
        """From the first hits phase on: each idea's hits as a badge in the list."""
        if self.room is None or self.store is None or not self.hits_due():
            return
        try:
            counts = self.room.hit_counts()
        except StoreError:
            return
        table = self.query_one("#ideas", DataTable)
        for idea_id in set(counts) | set(self.hits_shown):
            count = counts.get(idea_id, 0)
            idea = self.live.idea_by_id(idea_id)
            if count == self.hits_shown.get(idea_id, 0) or idea is None:
                continue
            self.hits_shown[idea_id] = count
            if str(idea.seq) in table.rows and not self.live.is_withdrawn(idea):
                column = table.ordered_columns[4].key
                table.update_cell(str(idea.seq), column, self._entry_text(idea))

    def hits_due(self) -> bool:
        """Whether a hits phase has begun (hits are shown during and after it)."""
        state = self.live.state()
        reached = len(self.live.phases) if state.ended else state.position
        return reached is not None and any(
            phase.technique == HITS and phase.position <= reached for phase in self.live.phases
        )

    # -- meaning, in the background ------------------------------------------

    def embed_in_background(self) -> None:
        """Embed new ideas in a thread, so themes are ready the moment the session ends."""
        if self.app.embedder is None:  # type: ignore[attr-defined]
            return
        if any(w.group == "embed" and not w.is_finished for w in self.workers):
            return
        self.run_worker(
            self._embed_pending,
            name="embedding ideas",
            thread=True,
            group="embed",
            exit_on_error=False,
        )

    def _pending_texts(self) -> list[str]:
        """Ideas and springboards not embedded yet: the texts themes will be built from."""
        return [
            i.text
            for i in self.live.standing()
            if i.entry in THEMED_ENTRIES and i.text not in self.embedded
        ]

    def _embed_pending(self) -> None:
        """Runs in a worker thread with its own database connection; loops until caught up."""
        from ideation.analysis.embed import embed_cached

        app = self.app
        worker = get_current_worker()
        with app.open_store() as store:  # type: ignore[attr-defined]
            while not worker.is_cancelled and (texts := app.call_from_thread(self._pending_texts)):
                embed_cached(store, app.embedder, texts)  # type: ignore[attr-defined]
                app.call_from_thread(self._embedded_now, texts)
            ideas, areas = app.call_from_thread(area_inputs, self.live)
            untouched = untouched_now(store, app.embedder, ideas, areas)  # type: ignore[attr-defined]
            app.call_from_thread(setattr, self, "untouched", untouched)

    def _embedded_now(self, texts: list[str]) -> None:
        self.embedded.update(texts)
        self.embedding_note = f"{len(self.embedded)} ideas ready for themes"

    def background_failed(self, worker: Worker[Any]) -> None:
        """Embedding stopped: say so in the flow panel; capture carries on regardless."""
        self.embedding_note = "themes: embedding stopped (see the notice)"
        self.refresh_flow()

    @on(DataTable.RowHighlighted, "#ideas")
    def highlighted(self) -> None:
        self.refresh_thread()

    # -- actions ----------------------------------------------------------------

    def _phase_action(self, act: Callable[[], object]) -> None:
        self._write(act, "Not done, press the key again")
        if self.live.state().ended and self.room_server is not None:
            self.stop_room()
            self.say("The session has ended: the room is stopped.")
        self.card = 0
        self.last_state = self.live.state()
        self.refresh_all()
        self.call_after_refresh(
            self.query_one("#guide-box", VerticalScroll).scroll_home, animate=False
        )
        self.call_after_refresh(self.keep_latest_in_view)

    def keep_latest_in_view(self) -> None:
        """After the layout changed (a phase with a longer "say" line, a resize), the
        list still shows its newest entry when that is the one selected: the selected
        row does not scroll back into view by itself."""
        table = self.query_one("#ideas", DataTable)
        if table.row_count and table.cursor_row == table.row_count - 1:
            table.move_cursor(row=table.row_count - 1, scroll=True)

    def action_next_phase(self) -> None:
        if self.live.state().ended:
            self.say("The session has ended.", "warning")
            return

        def next_or_end() -> None:
            if not self.live.next_phase() and not self.live.state().ended:
                self.action_end_session()

        starting = self.live.current_phase is None
        self._phase_action(next_or_end)
        if starting and self.live.current_phase is not None:
            self.remind_attendance()

    def action_previous_phase(self) -> None:
        self._phase_action(self.live.previous_phase)

    def action_toggle_pause(self) -> None:
        self._phase_action(self.live.toggle_pause)

    def action_extend(self, minutes: int) -> None:
        self._phase_action(lambda: self.live.extend(minutes))
        if self.live.current_phase is not None:
            self.say(f"+{minutes} min")

    def action_next_card(self) -> None:
        self.card += 1
        self.refresh_guide()
        shown = self.current_card()
        if shown is None:
            self.say("This phase has no stimulus cards.", "warning")

    def action_next_speaker(self) -> None:
        people = self.live.participants
        if not people:
            return
        if self.speaker is None:
            self.speaker = people[0]
        else:
            index = next(i for i, p in enumerate(people) if p.id == self.speaker.id)
            self.speaker = people[index + 1] if index + 1 < len(people) else None
        self.refresh_people()

    def _write(self, act: Callable[[], object], failed: str) -> bool:
        """Run one write of the session; say why not in one line. True when done."""
        try:
            act()
        except CaptureError as error:
            self.say(str(error), "warning")
        except SessionHeld as error:
            self.become_watcher(str(error))
        except StoreError as error:
            self.say(f"{failed}: {error}", "error")
        else:
            return True
        return False

    def action_toggle_anonymous(self) -> None:
        on = not self.live.anonymous_mode

        def switch() -> None:
            self.live.anonymous_mode = on

        if self._write(switch, "Anonymous mode not changed, press the key again"):
            self.say(
                "Anonymous mode on: new entries are not attributed"
                if on
                else "Anonymous mode off: entries are attributed again"
            )
        self.refresh_people()

    def action_pick(self) -> None:
        """Pick the selected entry at this phase's decision point (the problem owner's choice)."""
        idea = self.selected_idea()
        if idea is None:
            self.say("Select an entry (↑/↓) to pick first.", "warning")
            return
        if self._write(lambda: self.live.pick(idea.seq), "Not picked, press the key again"):
            technique = self.live.current_technique
            what = technique.pick if technique is not None and technique.pick else "entry"
            self.say(f"Picked +{idea.seq} as the {what}: {one_line(idea.text, 80)}")
            self._refresh_kinds()
            self.refresh_guide()
            self.refresh_next_move()

    def action_park_concern(self) -> None:
        """Keep the judgement the banner shows as a "How to…" concern entry."""
        idea = self.live.nudge_idea
        if idea is None:
            self.say("No judgement to park: the banner shows one when it hears it.", "warning")
            return
        parked: list[Idea] = []
        if self._write(
            lambda: parked.append(self.live.park_concern(idea.seq)),
            "Not parked, press the key again",
        ):
            self._add_row(parked[0])
            table = self.query_one("#ideas", DataTable)
            table.move_cursor(row=table.row_count - 1)
            self.say(f"Parked as a concern: {one_line(parked[0].text, 80)}")
            self.refresh_next_move()

    def action_toggle_guide(self) -> None:
        self.toggle_class("-guide")

    def action_scroll(self, pages: int) -> None:
        """Page the guide when it is open, else the entries; the capture box keeps focus."""
        if self.has_class("-guide"):
            box = self.query_one("#guide-box", VerticalScroll)
            box.scroll_to(
                y=box.scroll_y + pages * max(1, box.scrollable_content_region.height - 1),
                animate=False,
            )
            return
        table = self.query_one("#ideas", DataTable)
        self.action_select(pages * max(1, table.scrollable_content_region.height - 1))

    def action_build_on(self) -> None:
        idea = self.selected_idea()
        if idea is None:
            return
        box = self.query_one("#capture", Input)
        if not box.value.startswith(f"+{idea.seq} "):
            box.value = f"+{idea.seq} {box.value}"
        box.cursor_position = len(box.value)

    def action_select(self, step: int) -> None:
        table = self.query_one("#ideas", DataTable)
        if table.row_count:
            row = min(max(table.cursor_row + step, 0), table.row_count - 1)
            table.move_cursor(row=row)

    def action_withdraw(self) -> None:
        idea = self.selected_idea()
        if idea is None:
            return

        def answered(yes: bool | None) -> None:
            if yes and self._write(
                lambda: self.live.withdraw(idea.seq), "Not withdrawn, try again"
            ):
                self._refresh_withdrawn()
                self.refresh_flow()
                self.refresh_guide()

        self.app.push_screen(
            ConfirmScreen(f"Withdraw idea +{idea.seq}? It stays in the history.", "Withdraw"),
            answered,
        )

    def action_end_session(self) -> None:
        if self.live.state().ended:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._phase_action(self.live.end)

        self.app.push_screen(ConfirmScreen("End the session now?", "End session"), answered)
