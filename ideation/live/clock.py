"""Provides the injected clock the live session reads the time from.

The timer is derived from wall-clock timestamps, so everything that needs
"now" asks a `Clock` instead of calling `time.time()` directly. Production code
uses `SystemClock`; tests use `FakeClock` to run a four-hour session in
milliseconds and to simulate the time that passes while the program is down.
"""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Anything that can tell the wall-clock time, in seconds since the epoch."""

    def now(self) -> float:
        """Return the current wall-clock time in seconds since the epoch."""
        ...


class SystemClock:
    """The real clock: wall-clock time, so a restart sees the time spent down."""

    def now(self) -> float:
        """Return `time.time()`."""
        return time.time()


class FakeClock:
    """A clock that only moves when told to, so tests are fast and exact."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = float(start)

    def now(self) -> float:
        """Return the time the clock was last set or advanced to."""
        return self._now

    def advance(self, seconds: float) -> float:
        """Move forward by `seconds` and return the new time.

        Negative steps are refused so a typo cannot silently run time backwards;
        use `set` when a test really wants the clock to jump back.
        """
        if seconds < 0:
            raise ValueError("FakeClock.advance needs seconds >= 0; use set()")
        self._now += seconds
        return self._now

    def set(self, t: float) -> float:
        """Jump to the absolute time `t` (either direction) and return it."""
        self._now = float(t)
        return self._now
