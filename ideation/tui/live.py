"""Provides the live session screen: the timer, the guide, capture and flow.

The capture box is always focused and Enter commits the idea to the database
before the list shows it. Phase control sits on function keys so typing never
triggers it. The screen redraws from `LiveSession` once a second; nothing here
waits on a model or on the network.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Digits, Footer, Input, Static

from ideation.live.flow import sparkline
from ideation.live.session import CaptureError, LiveSession
from ideation.live.timing import TimerState, format_clock, warning_crossed
from ideation.records import Idea, Participant
from ideation.tui.dialogs import ConfirmScreen
from ideation.tui.inputs import KeyOrderInput

TICK_SECONDS = 0.5


class CaptureInput(KeyOrderInput):
    """The capture box: Enter in key order (`KeyOrderInput`), a blank line ignored,
    and a pasted block kept whole (its lines joined), not just the first line."""

    def _on_paste(self, event: events.Paste) -> None:
        lines = [line.strip() for line in event.text.splitlines() if line.strip()]
        if lines:
            self.insert_text_at_cursor(" ".join(lines))
        event.stop()
        event.prevent_default()

    def submit_line(self) -> None:
        if self.value.strip():
            super().submit_line()


def clock_time(at: float | None) -> str:
    return datetime.fromtimestamp(at).strftime("%H:%M") if at else "--:--"


class LiveScreen(Screen[None]):
    """Run one session: phases on the left, capture at the bottom."""

    BINDINGS = [
        Binding(
            "f9",
            "next_phase",
            "Next phase",
            tooltip="Start the next phase (or the first)",
            priority=True,
        ),
        Binding(
            "f8", "previous_phase", "Back", tooltip="Go back to the previous phase", priority=True
        ),
        Binding(
            "f5", "toggle_pause", "Pause", tooltip="Pause or resume the phase timer", priority=True
        ),
        Binding(
            "f6", "extend(1)", "+1 min", tooltip="Give the phase one more minute", priority=True
        ),
        Binding(
            "f7", "extend(5)", "+5 min", tooltip="Give the phase five more minutes", priority=True
        ),
        Binding("f2", "next_card", "Card", tooltip="Show the next stimulus card", priority=True),
        Binding(
            "ctrl+t",
            "next_speaker",
            "Speaker",
            tooltip="Cycle who the next idea is from (or type 'name:' / '2:')",
            priority=True,
        ),
        Binding(
            "ctrl+o",
            "build_on",
            "Build on",
            tooltip="Build the next idea on the selected one (or type '+12')",
            priority=True,
        ),
        Binding(
            "f3",
            "toggle_anonymous",
            "Anonymous",
            tooltip="Stop or resume attributing ideas to people",
            priority=True,
        ),
        Binding(
            "f4",
            "withdraw",
            "Withdraw",
            tooltip="Withdraw the selected idea (kept in the history)",
            priority=True,
        ),
        Binding("f10", "end_session", "End", tooltip="End the session", priority=True),
        Binding("up", "select(-1)", "Previous idea", show=False, priority=True),
        Binding("down", "select(1)", "Next idea", show=False, priority=True),
        Binding(
            "escape", "app.pop_screen", "Home", tooltip="Back to the study (the timer runs on)"
        ),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.live: LiveSession
        self.card = 0
        self.speaker: Participant | None = None
        self.last_state: TimerState | None = None
        self.embedded: set[str] = set()
        self.embedding_note = ""

    # -- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            with Vertical(id="clock"):
                yield Static(id="phase-title")
                yield Digits("0:00", id="countdown")
                yield Static(id="phase-status")
            yield Static(id="agenda")
        with Horizontal(id="middle"):
            yield Static(id="guide")
            yield Static(id="flow")
        yield DataTable(id="ideas", cursor_type="row", zebra_stripes=True)
        yield Static(id="thread", classes="empty")
        yield Static(id="people")
        yield CaptureInput(
            placeholder="Type an idea, Enter to capture  ·  Maya: …  2: …  +12 …", id="capture"
        )
        yield Static(id="nudge", classes="empty")
        yield Footer()

    def on_mount(self) -> None:
        app = self.app
        self.live = LiveSession(app.store, self.session_id, app.clock)  # type: ignore[attr-defined]
        self.title = self.live.session.name
        table = self.query_one("#ideas", DataTable)
        table.add_columns("#", "Who", "Phase", "Idea")
        for row in self.live.rows:
            if row.kind == "idea":
                self._add_row(row)
        self._refresh_withdrawn()
        table.move_cursor(row=table.row_count - 1)
        self.query_one("#capture", Input).focus()
        self.last_state = self.live.state()
        self.refresh_all()
        self.set_interval(TICK_SECONDS, self.tick)
        self.embed_in_background()

    # -- rendering ------------------------------------------------------------

    def tick(self) -> None:
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
        self.refresh_flow()

    def refresh_all(self) -> None:
        state = self.live.state()
        self.refresh_clock(state)
        self.refresh_agenda(state)
        self.refresh_guide()
        self.refresh_flow()
        self.refresh_people()
        self.refresh_thread()

    def refresh_clock(self, state: TimerState) -> None:
        phase = self.live.current_phase
        title = self.query_one("#phase-title", Static)
        status = self.query_one("#phase-status", Static)
        digits = self.query_one("#countdown", Digits)
        if state.ended:
            title.update("Session ended")
            digits.update("0:00")
            status.update(f"{self.live.store.count_ideas(self.session_id)} ideas captured")
            return
        if phase is None:
            title.update("Not started")
            digits.update(
                format_clock(self.live.phases[0].planned_seconds if self.live.phases else 0)
            )
            status.update("Press F9 to start the first phase")
            return
        title.update(
            Text.assemble(
                (f"{phase.position + 1}/{len(self.live.phases)} ", "dim"),
                (phase.title, "bold"),
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
        lines = Text()
        for phase in self.live.phases:
            current = phase.position == state.position and not state.ended
            actual = state.actual_seconds.get(phase.position)
            done = f"{format_clock(actual)}" if actual else "—"
            marker = "▶ " if current else "  "
            style = "bold reverse" if current else ("dim" if actual else "")
            planned = format_clock(phase.planned_seconds)
            lines.append(
                f"{marker}{phase.position + 1:>2} {phase.title[:26]:<26} {planned:>5} {done:>6}\n",
                style=style,
            )
        lines.append(f"projected end {clock_time(state.projected_end)}", style="italic")
        self.query_one("#agenda", Static).update(lines)

    def refresh_guide(self) -> None:
        technique = self.live.current_technique
        phase = self.live.current_phase
        guide = self.query_one("#guide", Static)
        if technique is None or phase is None:
            guide.update(self.brief_text("Ready when the room is. F9 starts the first phase.\n\n"))
            return
        text = Text()
        text.append(f"{technique.name}\n", style="bold")
        text.append(f"{technique.say}\n", style="italic")
        for rule in technique.rules:
            text.append(f"• {rule}\n")
        if technique.starters:
            text.append("Starters: " + "  ".join(technique.starters) + "\n", style="cyan")
        cards = phase.prompts or technique.default_prompts
        if cards:
            card = cards[self.card % len(cards)]
            text.append(f"\n[{self.card % len(cards) + 1}/{len(cards)}] ", style="dim")
            text.append(card, style="bold yellow")
        if phase.stimuli:
            text.append("\nStimuli: " + ", ".join(phase.stimuli), style="dim")
        if technique.id in ("problem_as_given", "problem_as_understood", "springboards"):
            text.append("\n\n")
            text.append_text(self.brief_text(""))
        guide.update(text)

    def brief_text(self, lead: str) -> Text:
        """The brief, for the phases that work from it and before the start."""
        brief = self.live.brief
        text = Text(lead)
        if brief is None:
            return text
        text.append("Problem as given: ", style="bold")
        text.append(f"{brief.problem_as_given}\n")
        if brief.background:
            text.append(f"{brief.background.strip()}\n", style="dim")
        for label, items in (
            ("Tried", brief.tried),
            ("Opportunities", brief.opportunity_areas),
            ("Springboards", brief.springboards),
        ):
            if items:
                text.append(f"{label}: ", style="bold")
                text.append(" · ".join(items) + "\n")
        return text

    def refresh_flow(self) -> None:
        text = Text()
        rates = self.live.rate_per_minute()
        recent = rates[-3:] if rates else []
        per_minute = sum(recent) / len(recent) if recent else 0.0
        text.append("Flow ", style="bold")
        text.append(f"{sparkline(rates[-12:])} {per_minute:.1f}/min\n")
        text.append(f"Build-ons {self.live.build_on_rate():.0%}\n")
        for share in self.live.shares()[:8]:
            bar = "█" * round(share.share * 10)
            text.append(f"{share.label[:10]:<10} {bar:<10} {share.count:>3}\n")
        for quiet in self.live.quiet()[:3]:
            text.append(
                f"quiet {quiet.label}: {quiet.silent_seconds // 60:.0f} min\n", style="yellow"
            )
        if self.embedding_note:
            text.append(f"{self.embedding_note}\n", style="dim")
        signal = self.live.flow()
        if signal.message:
            text.append(
                signal.message, style="bold red" if signal.level == "stalled" else "bold yellow"
            )
        self.query_one("#flow", Static).update(text)

    def refresh_people(self) -> None:
        text = Text()
        if self.live.anonymous_mode:
            text.append("ANONYMOUS MODE: ideas are not attributed  ", style="bold magenta")
        for number, person in enumerate(self.live.participants, start=1):
            chosen = self.speaker is not None and person.id == self.speaker.id
            text.append(f" {number} {person.label} ", style="reverse bold" if chosen else "")
        self.query_one("#people", Static).update(text)

    def refresh_thread(self) -> None:
        idea = self.selected_idea()
        thread = self.query_one("#thread", Static)
        thread.set_class(idea is None or idea.builds_on is None, "empty")
        if idea is None or idea.builds_on is None:
            return
        chain = self.live.thread(idea)
        thread.update("Thread: " + " → ".join(f"+{i.seq} {i.text[:30]}" for i in chain))

    def _who(self, idea: Idea) -> str:
        person = self.live.participant(idea.participant_id)
        return person.label if person else "—"

    def _add_row(self, idea: Idea) -> None:
        table = self.query_one("#ideas", DataTable)
        text = Text(idea.text)
        if idea.builds_on is not None:
            parent = self.live.idea_by_id(idea.builds_on)
            text = Text.assemble((f"↳+{parent.seq if parent else '?'} ", "cyan"), idea.text)
        phase = next((p for p in self.live.phases if p.id == idea.phase_id), None)
        table.add_row(
            str(idea.seq),
            self._who(idea),
            phase.title[:12] if phase else "",
            text,
            key=str(idea.seq),
        )

    def _refresh_withdrawn(self) -> None:
        table = self.query_one("#ideas", DataTable)
        for row in self.live.rows:
            if row.kind == "withdrawal":
                original = self.live.idea(row.seq)
                if original is not None:
                    table.update_cell(
                        str(row.seq),
                        table.ordered_columns[3].key,
                        Text(f"(withdrawn) {original.text}", style="dim strike"),
                    )

    def selected_idea(self) -> Idea | None:
        table = self.query_one("#ideas", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.live.idea(int(key)) if key else None

    # -- capture --------------------------------------------------------------

    @on(Input.Submitted, "#capture")
    def capture(self, event: Input.Submitted) -> None:
        line = event.value
        if not line.strip():
            return
        try:
            captured = self.live.capture(line, self.speaker)
        except CaptureError as error:
            box = event.input
            box.value = f"{line} {box.value}".strip()  # give the line back, nothing lost
            self.notify(str(error), severity="warning")
            return
        if captured.note:
            self.notify(captured.note, severity="warning")
        self._add_row(captured.idea)
        table = self.query_one("#ideas", DataTable)
        table.move_cursor(row=table.row_count - 1)
        self.speaker = None
        nudge = self.query_one("#nudge", Static)
        if captured.critique:
            nudge.update(
                Text.assemble(
                    ("Judgement heard ", "italic"),
                    (f"“{captured.critique.phrase}”", "bold"),
                    (" — try it as a concern: ", "italic"),
                    (captured.critique.reframe, "bold cyan"),
                )
            )
        nudge.set_class(captured.critique is None, "empty")
        self.refresh_people()
        self.refresh_flow()
        self.refresh_thread()
        self.embed_in_background()

    # -- meaning, in the background ------------------------------------------

    def embed_in_background(self) -> None:
        """Embed new ideas in a thread, so themes are ready the moment the session ends."""
        if self.app.embedder is None:  # type: ignore[attr-defined]
            return
        if any(w.group == "embed" and not w.is_finished for w in self.workers):
            return
        self.run_worker(self._embed_pending, thread=True, group="embed", exit_on_error=False)

    def _pending_texts(self) -> list[str]:
        return [i.text for i in self.live.standing() if i.text not in self.embedded]

    def _embed_pending(self) -> None:
        """Runs in a worker thread with its own database connection; loops until caught up."""
        from ideation.analysis.embed import embed_cached
        from ideation.store import Store

        app = self.app
        with Store(app.db_path) as store:  # type: ignore[attr-defined]
            while texts := app.call_from_thread(self._pending_texts):
                embed_cached(store, app.embedder, texts)  # type: ignore[attr-defined]
                app.call_from_thread(self._embedded_now, texts)

    def _embedded_now(self, texts: list[str]) -> None:
        self.embedded.update(texts)
        self.embedding_note = f"{len(self.embedded)} ideas ready for themes"

    @on(DataTable.RowHighlighted, "#ideas")
    def highlighted(self) -> None:
        self.refresh_thread()

    # -- actions ----------------------------------------------------------------

    def _phase_action(self, act) -> None:  # noqa: ANN001 - a bound LiveSession method
        try:
            act()
        except CaptureError as error:
            self.notify(str(error), severity="warning")
        self.card = 0
        self.last_state = self.live.state()
        self.refresh_all()

    def action_next_phase(self) -> None:
        if self.live.state().ended:
            self.notify("The session has ended.", severity="warning")
            return
        if not self.live.next_phase() and not self.live.state().ended:
            self.action_end_session()
        self._phase_action(lambda: None)

    def action_previous_phase(self) -> None:
        self._phase_action(self.live.previous_phase)

    def action_toggle_pause(self) -> None:
        self._phase_action(self.live.toggle_pause)

    def action_extend(self, minutes: int) -> None:
        self._phase_action(lambda: self.live.extend(minutes))
        if self.live.current_phase is not None:
            self.notify(f"+{minutes} min")

    def action_next_card(self) -> None:
        self.card += 1
        self.refresh_guide()

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

    def action_toggle_anonymous(self) -> None:
        self.live.anonymous_mode = not self.live.anonymous_mode
        self.refresh_people()

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
            if not yes:
                return
            try:
                self.live.withdraw(idea.seq)
            except CaptureError as error:
                self.notify(str(error), severity="warning")
                return
            self._refresh_withdrawn()
            self.refresh_flow()

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
