"""Provides the live screen's hold on the room: the web server it starts in-process.

Starlette and uvicorn cost a noticeable share of a second to import, so they
are imported only when the facilitator starts the room, inside the worker
thread that starts it (`start_room_server`); the live screen itself imports
nothing of `ideation.web`. The screen knows the server only through
`RoomServerLike`, so tests can hand it a stand-in.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from rich.text import Text

from ideation.errors import IdeationError
from ideation.live.clock import Clock
from ideation.text import one_line, plural

#: Where the live screen serves the room, when not the LAN address and port 8765
#: (`ideation serve` takes --host and --port instead).
HOST_ENV, PORT_ENV = "IDEATION_ROOM_HOST", "IDEATION_ROOM_PORT"


class RoomServerLike(Protocol):
    """What the live screen uses of `ideation.web.server.RoomServer`."""

    join_url: str
    room_url: str

    @property
    def running(self) -> bool: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def device_count(self) -> int: ...


def start_room_server(
    study_path: Path,
    session_id: int,
    clock: Clock,
    host: str | None = None,
    port: int | None = None,
) -> RoomServerLike:
    """Start the room's server and return it once it listens (call it in a thread: the
    import and the start take a moment). An `IdeationError` says why it cannot. The
    host and port default to $IDEATION_ROOM_HOST / $IDEATION_ROOM_PORT, else to
    `ideation serve`'s (the LAN address, port 8765)."""
    from ideation.web.server import DEFAULT_PORT, RoomServer

    host = host or os.environ.get(HOST_ENV) or None
    if port is None and os.environ.get(PORT_ENV):
        named = os.environ[PORT_ENV]
        if not named.isdigit() or not 0 < int(named) < 65536:
            raise IdeationError(f"${PORT_ENV}: '{named}' is not a port (1 to 65535)")
        port = int(named)
    server = RoomServer(study_path, session_id, host=host, port=port or DEFAULT_PORT, clock=clock)
    server.start()
    return server


def room_qr(url: str) -> list[str]:
    """The join address as QR code rows (segno is imported here, on first use)."""
    from ideation.web.qr import qr_lines

    return qr_lines(url)


def room_line(server: RoomServerLike, devices: int, key: str) -> Text:
    """The live screen's one line about the running room: fits 80 columns with a LAN
    address (the key's name only; the dialog says what it holds)."""
    return Text.assemble(
        ("Room", "bold reverse"),
        (f" {plural(devices, 'device')} ", "bold"),
        (one_line(server.join_url, 120), "bold cyan"),
        (f" {key}", "dim"),
    )


def room_elsewhere(pid: int, where: str) -> Text:
    """The live screen's room line while another process (`ideation serve`) runs it."""
    return Text.assemble(
        ("Room", "bold reverse"),
        (f" on at {one_line(where or '?', 60)}", "bold cyan"),
        (f" (ideation serve, process {pid})", "dim"),
    )


def room_hint(key: str) -> Text:
    """What the live screen shows while no room runs: at 80 columns the footer has no
    space left for the room's key, and a facilitator cannot use a key they never see."""
    return Text.assemble(("Room off · ", "dim"), (key, "bold"))
