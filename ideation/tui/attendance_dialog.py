"""Provides the attendance dialog: who came, marked from the live screen as people arrive.

Only attendance counts as taking part (a no-show or a decline bars nobody from the
next study), and when the session starts the facilitator is at the live screen, not
at a shell. Keyboard only: ↑/↓ choose, `a`/`d`/`n`/`i` mark and step down (so a room
is marked in one pass), space cycles, Enter saves every change in one transaction,
Esc leaves without writing. The dialog only collects marks; the screen that opens it
writes them through `save`, which stays the one place that checks the lease.

Names are typed by strangers, so they are shown as `Text`, never markup. People with
no history to mark (a plan's example names, a respondent with no email or phone) are
not rows to step over: one line under the list names them and says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ideation.records import Attendance
from ideation.screening.attendance import NO_CONTACT, RollEntry
from ideation.text import one_line

#: The order space steps through, and each state's look in the list.
CYCLE = (Attendance.INVITED, Attendance.ATTENDED, Attendance.DECLINED, Attendance.NO_SHOW)
STYLES = {
    Attendance.INVITED: "dim",
    Attendance.ATTENDED: "bold green",
    Attendance.DECLINED: "yellow",
    Attendance.NO_SHOW: "red",
}
#: A name longer than this is cut in the list (the store keeps all of it).
NAME_CHARS = 32
STATUS_CELLS = 22
#: Names listed per reason on the "no history to mark" line (the rest are counted).
NAMES_SHOWN = 4
KEYS_HINT = (
    "a attended · d declined · n no-show · i invited · space cycles\n"
    "↑/↓ choose · Enter saves · Esc cancels, nothing written"
)


def counts_text(marks: Mapping[int, Attendance]) -> str:
    """'2 attended · 1 no-show · 3 invited', in the cycle's order, zeros left out."""
    counts = [(state, sum(s is state for s in marks.values())) for state in CYCLE[1:] + CYCLE[:1]]
    return " · ".join(f"{n} {state.word}" for state, n in counts if n)


class AttendanceScreen(ModalScreen[bool]):
    """Mark what became of each recruited participant's invitation.

    Dismisses with True once `save` has taken the changes, False when nothing was
    written (Esc, or Enter with nothing changed)."""

    BINDINGS = [
        Binding("a", "mark('attended')", "Attended"),
        Binding("d", "mark('declined')", "Declined"),
        Binding("n", "mark('no_show')", "No-show"),
        Binding("i", "mark('invited')", "Invited"),
        Binding("space", "cycle", "Cycle"),
        Binding("enter,ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]
    DEFAULT_CSS = """
    AttendanceScreen { align: center middle; }
    AttendanceScreen #attendance-dialog {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    AttendanceScreen #roll { height: auto; max-height: 14; }
    AttendanceScreen #attendance-title, AttendanceScreen #attendance-counts,
    AttendanceScreen #no-history, AttendanceScreen #attendance-keys { height: auto; }
    AttendanceScreen #no-history.empty { display: none; }
    """

    def __init__(
        self,
        session_name: str,
        roll: Sequence[RollEntry],
        save: Callable[[dict[int, Attendance]], bool],
    ) -> None:
        """`save` writes the changed marks by participant id (False: not written, and
        the caller has said why; the dialog stays open with the marks)."""
        super().__init__()
        self.session_name = session_name
        self.roll = list(roll)
        self.save_marks = save
        self.was = {e.participant.id: e.status for e in self.roll if e.status is not None}
        self.marks = dict(self.was)
        #: Each participant's number on the live screen (what "2: …" attributes to).
        self.numbers = {e.participant.id: n for n, e in enumerate(self.roll, start=1)}

    def compose(self) -> ComposeResult:
        with Vertical(id="attendance-dialog"):
            yield Static(
                Text.assemble(("Who came? ", "bold"), (one_line(self.session_name, 60), "dim")),
                id="attendance-title",
            )
            yield Static(id="attendance-counts")
            yield DataTable(id="roll", cursor_type="row", zebra_stripes=True)
            yield Static(self.no_history_text(), id="no-history")
            yield Static(Text(KEYS_HINT, style="dim"), id="attendance-keys")

    def on_mount(self) -> None:
        table = self.query_one("#roll", DataTable)
        table.add_column("#")
        table.add_column("Participant")
        table.add_column("Status", width=STATUS_CELLS)  # room for "no-show  was attended"
        for entry in self.roll:
            person = entry.participant
            if entry.status is None:
                continue
            table.add_row(
                Text(str(self.numbers[person.id]), "dim"),
                Text(one_line(person.label, NAME_CHARS)),
                self.status_text(person.id),
                key=str(person.id),
            )
        self.query_one("#no-history", Static).set_class(not self.no_history_text(), "empty")
        self.refresh_counts()
        table.focus()

    def no_history_text(self) -> Text:
        """The participants with nothing to mark, by reason: recruits with no contact
        first (they were expected to count), then a few of the plan's names."""
        text = Text()
        reasons: dict[str, list[str]] = {NO_CONTACT: []}
        for entry in self.roll:
            if entry.status is None:
                reasons.setdefault(entry.why, []).append(one_line(entry.participant.label, 24))
        for why, names in reasons.items():
            if not names:
                continue
            text.append(" · " if text else "No history to mark: ", style="dim")
            text.append(", ".join(names[:NAMES_SHOWN]))
            more = len(names) - NAMES_SHOWN
            text.append(f"{f' and {more} more' if more > 0 else ''} ({why})", style="dim")
        return text

    def status_text(self, participant_id: int) -> Text:
        status = self.marks[participant_id]
        text = Text(status.word, style=STYLES[status])
        was = self.was[participant_id]
        if status is not was:
            text.append(f"  was {was.word}", style="dim italic")
        return text

    def refresh_counts(self) -> None:
        changed = sum(self.marks[p] is not self.was[p] for p in self.marks)
        line = Text(counts_text(self.marks))
        if changed:
            line.append(f"   {changed} changed, not saved yet", style="bold yellow")
        self.query_one("#attendance-counts", Static).update(line)

    def selected(self) -> int | None:
        """The participant id of the highlighted row."""
        table = self.query_one("#roll", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key else None

    def set_mark(self, status: Attendance, *, step: bool) -> None:
        participant_id = self.selected()
        if participant_id is None:
            return
        self.marks[participant_id] = status
        table = self.query_one("#roll", DataTable)
        column = table.ordered_columns[2].key
        table.update_cell(str(participant_id), column, self.status_text(participant_id))
        if step:
            table.move_cursor(row=table.cursor_row + 1)
        self.refresh_counts()

    def action_mark(self, word: str) -> None:
        """Mark the highlighted participant and step to the next one."""
        self.set_mark(Attendance(word), step=True)

    def action_cycle(self) -> None:
        """Space: the next state for the highlighted participant (staying on them)."""
        participant_id = self.selected()
        if participant_id is not None:
            now = CYCLE.index(self.marks[participant_id])
            self.set_mark(CYCLE[(now + 1) % len(CYCLE)], step=False)

    def action_save(self) -> None:
        changes = {p: s for p, s in self.marks.items() if s is not self.was[p]}
        if not changes:
            self.dismiss(False)
        elif self.save_marks(changes):
            self.dismiss(True)

    def action_cancel(self) -> None:
        if any(self.marks[p] is not self.was[p] for p in self.marks):
            self.app.notify("Attendance not saved: the marks stay as they were.", markup=False)
        self.dismiss(False)
