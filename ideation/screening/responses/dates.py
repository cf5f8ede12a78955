"""Provides a duration from start and end timestamps, for exports without one."""

from __future__ import annotations

from datetime import datetime

_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M",
)


def seconds_between(start: str, end: str) -> float | None:
    """Duration from start and end timestamps, for exports without a duration column.

    Tries one format for both stamps, so day/month order cannot skew the result.
    """
    start, end = start.strip(), end.strip()
    if not start or not end:
        return None
    for fmt in _DATE_FORMATS:
        try:
            seconds = (datetime.strptime(end, fmt) - datetime.strptime(start, fmt)).total_seconds()
        except ValueError:
            continue
        if seconds >= 0:
            return seconds
    try:
        seconds = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    except (ValueError, TypeError):
        return None
    return seconds if seconds >= 0 else None
