"""Provides the live updates: server-sent events that say "something changed".

One poll of `Room.version()` every quarter second serves every open page, however
many phones listen: each stream compares the shared latest version with the one its
page shows and sends an event when they differ; the page then fetches what it needs.
A stream ends after `lifetime` seconds (the browser reconnects by itself, sending the
last version it saw), so no connection outlives a stopping server for long. When the
server stops, every stream sends a last `closed` event first: the pages say "The room
has stopped" and turn sending off, keeping what was typed, instead of freezing.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable

from ideation.web.db import RoomThread

#: How often the room's version is read: the projector follows within about this long.
POLL_SECONDS = 0.25
#: A comment line keeps idle connections open through proxies and phone radios.
PING_SECONDS = 15.0
#: One stream's life before the browser reconnects (EventSource does so by itself).
STREAM_SECONDS = 300.0


class VersionWatch:
    """The room's latest version, read at most once per `interval` for all streams."""

    def __init__(self, db: RoomThread, interval: float = POLL_SECONDS) -> None:
        self.db = db
        self.interval = interval
        self.stopping = threading.Event()  # set by the server when it stops
        self._version: str | None = None
        self._read_at = float("-inf")
        self._reading = False

    async def current(self) -> str | None:
        """The latest version (None before the first read has finished)."""
        if not self._reading and time.monotonic() - self._read_at >= self.interval:
            self._reading = True
            try:
                self._version = await self.db.call(self.db.room.version)
            finally:
                self._reading = False
                self._read_at = time.monotonic()
        return self._version


def event_line(version: str) -> str:
    """One `change` event carrying the version (also its id, for reconnects)."""
    safe = "".join(ch for ch in version if ch not in "\r\n")
    return f"id: {safe}\nevent: change\ndata: {safe}\n\n"


#: The last event of every stream when the server stops.
CLOSED_EVENT = "event: closed\ndata: stopped\n\n"


def without_tick(version: str) -> str:
    """The version minus the running clock's second (`Room.version` ends with it while a
    countdown runs): phones tick their countdown themselves and refetch only when
    something else changed, so 30 phones do not reload the page every second."""
    return version.rpartition(".")[0] or version


def same(version: str) -> str:
    return version


async def version_events(
    watch: VersionWatch,
    shown: str | None,
    lifetime: float = STREAM_SECONDS,
    key: Callable[[str], str] = same,
) -> AsyncIterator[str]:
    """Events for a page showing version `shown`: one whenever the room moves on (as
    `key` sees it: `without_tick` ignores the countdown's seconds)."""
    yield "retry: 1000\n\n"
    started = last_sent = time.monotonic()
    while time.monotonic() - started < lifetime and not watch.stopping.is_set():
        version = await watch.current()
        if version is not None and (shown is None or key(version) != key(shown)):
            shown = version
            last_sent = time.monotonic()
            yield event_line(version)
        elif time.monotonic() - last_sent >= PING_SECONDS:
            last_sent = time.monotonic()
            yield ": ping\n\n"
        await asyncio.sleep(watch.interval)
    if watch.stopping.is_set():
        yield CLOSED_EVENT
