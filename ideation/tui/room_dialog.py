"""Provides the room dialog: where participants join, and which devices have.

The facilitator opens it from the live screen while the room runs. The join
address is always shown as text (it can be read out or typed); the QR code
is shown only when the terminal has the rows for it, since a QR code cut
off at the bottom scans as nothing. Device labels are typed by strangers, so
they are shown as plain text. One person may join on two devices: each row shows
the device's number and its browser and system ("Safari on iPhone"), and so does
the revoke question, so the right one is revoked. The number is the device's in
this session, 1..n in join order: the study's own id counts every session's
devices, so a second session's first phone would be "device 7".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ideation.live.room import device_description
from ideation.records import Device
from ideation.text import one_line, plural
from ideation.tui.dialogs import ConfirmScreen

#: Rows the dialog needs besides the QR code: border, two address lines, the hint.
CHROME_ROWS = 5
#: Columns the devices list takes beside the QR code (app.tcss gives it this width).
DEVICES_COLUMNS = 36
#: How often the devices list is read again (a phone joins, or is seen again).
DEVICES_EVERY_SECONDS = 1.0
TALLER = "Make the terminal taller for the QR code"


def clock_time(at: float | None) -> str:
    return datetime.fromtimestamp(at).strftime("%H:%M") if at else "--:--"


def session_numbers(devices: Sequence[Device]) -> dict[int, int]:
    """Each device's number in its session by its id: 1..n in join order."""
    return {d.id: n for n, d in enumerate(sorted(devices, key=lambda d: d.id), start=1)}


def device_title(device: Device, number: int) -> str:
    """A device as the facilitator tells it apart: whose, its number, its browser."""
    return (
        f"{one_line(device.label, 40)}'s device {number},"
        f" {device_description(device.user_agent)}"
    )


class RoomScreen(ModalScreen[str | None]):
    """The running room: join address, QR code (when it fits), devices with revoke.

    Dismisses with "stop" when the facilitator stops the room (the live screen
    stops the server), None when the dialog is just closed."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("r,delete", "revoke", "Revoke device"),
        Binding("s", "stop", "Stop the room"),
    ]

    def __init__(
        self,
        join_url: str,
        room_url: str,
        qr: Sequence[str],
        devices: Callable[[], list[Device]],
        revoke: Callable[[Device, int], bool],
    ) -> None:
        """`devices` reads the session's devices; `revoke` revokes one, given with its
        number as shown (False: not done, the caller has said why)."""
        super().__init__()
        self.join_url = join_url
        self.room_url = room_url
        self.qr = list(qr)
        self.read_devices = devices
        self.revoke_device = revoke
        self.shown: list[Device] | None = None  # None: not read yet
        self.numbers: dict[int, int] = {}  # device id -> its number in this session

    def compose(self) -> ComposeResult:
        with Vertical(id="room-dialog"):
            yield Static(
                Text.assemble(("Join: ", "bold"), (one_line(self.join_url), "bold reverse")),
                id="join-url",
            )
            yield Static(
                Text.assemble(("Projector: ", "dim"), one_line(self.room_url)), id="room-url"
            )
            with Horizontal(id="room-middle"):
                yield Static(Text("\n".join(self.qr), no_wrap=True), id="qr")
                yield Static(id="no-qr")
                yield DataTable(id="devices", cursor_type="row", zebra_stripes=True)
            yield Static(
                Text("r revokes the selected device · s stops the room · Esc closes", "dim"),
                id="room-keys",
            )

    def on_mount(self) -> None:
        table = self.query_one("#devices", DataTable)
        table.add_columns("#", "Device", "Seen")
        self.fit_qr(self.app.size.width, self.app.size.height)
        self.refresh_devices()
        self.set_interval(DEVICES_EVERY_SECONDS, self.refresh_devices)
        table.focus()

    def on_resize(self, event: events.Resize) -> None:
        self.fit_qr(event.size.width, event.size.height)

    def qr_fits(self, width: int, height: int) -> bool:
        """Whether the whole QR code (quiet zone included) fits beside the devices."""
        if not self.qr:
            return False
        qr_width = max(len(line) for line in self.qr)
        return len(self.qr) + CHROME_ROWS <= height and qr_width + DEVICES_COLUMNS + 5 <= width

    def fit_qr(self, width: int, height: int) -> None:
        fits = self.qr_fits(width, height)
        self.query_one("#qr", Static).display = fits
        note = self.query_one("#no-qr", Static)
        note.display = not fits
        if not fits:
            note.update(
                Text.assemble(
                    ("Participants open\n\n", "bold"),
                    (one_line(self.join_url), "bold reverse"),
                    "\n\non a phone or laptop on this network.\n\n",
                    (TALLER if self.qr else "No QR code for this address", "italic"),
                    (f"\n({len(self.qr) + CHROME_ROWS} rows or more)" if self.qr else "", "dim"),
                )
            )

    def refresh_devices(self) -> None:
        """Read the devices again; keep the selection on the same device."""
        devices = self.read_devices()
        table = self.query_one("#devices", DataTable)
        if devices == self.shown:
            return
        selected = self.selected()
        self.shown = devices
        self.numbers = session_numbers(devices)
        table.clear()
        for device in sorted(devices, key=lambda d: self.numbers[d.id]):
            table.add_row(
                Text(str(self.numbers[device.id]), "dim"),
                Text.assemble(
                    one_line(device.label, 18),
                    "\n",
                    (one_line(device_description(device.user_agent), 18), "dim"),
                ),
                Text("revoked", "dim") if device.revoked_at else clock_time(device.last_seen_at),
                key=str(device.id),
                height=2,
            )
        if selected is not None and str(selected.id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(selected.id)))
        live = sum(device.revoked_at is None for device in devices)
        table.border_title = plural(live, "device")

    def selected(self) -> Device | None:
        table = self.query_one("#devices", DataTable)
        if not table.row_count or not self.shown:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((d for d in self.shown if str(d.id) == key), None)

    def action_revoke(self) -> None:
        device = self.selected()
        if device is None:
            self.app.notify("No device to revoke yet.", severity="warning")
            return
        if device.revoked_at is not None:
            self.app.notify("That device is already revoked.", severity="warning")
            return

        number = self.numbers[device.id]

        def answered(yes: bool | None) -> None:
            if yes and self.revoke_device(device, number):
                self.refresh_devices()

        question = (
            f"Revoke {device_title(device, number)}, joined {clock_time(device.joined_at)}?"
            " It can send nothing more, and its network address cannot join again;"
            " the ideas it sent stay."
        )
        self.app.push_screen(ConfirmScreen(question, "Revoke"), answered)

    def action_stop(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss("stop")

        question = "Stop the room? Participants' pages stop taking ideas; theirs are kept."
        self.app.push_screen(ConfirmScreen(question, "Stop the room"), answered)

    def action_close(self) -> None:
        self.dismiss(None)
