"""Provides the crash log: a bug's traceback kept next to the study, not on screen.

A crash in front of a client must not spill idea text, names or contacts over
the terminal (rich tracebacks print local variables), and must not look like
success. The front doors call `write_crash_log` for anything that is not an
`IdeationError`, print the one line `crash_message` returns, and exit non-zero.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import traceback
from pathlib import Path

from ideation import __version__


def crash_log_path(db_path: Path | None, at: float | None = None) -> Path:
    """`<study>.crash-YYYYmmdd-HHMMSS.log` beside the study (the working folder without one)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(at))
    if db_path is None:
        return Path.cwd() / f"ideation.crash-{stamp}.log"
    return db_path.with_name(f"{db_path.name}.crash-{stamp}.log")


def write_crash_log(db_path: Path | None, error: BaseException) -> Path | None:
    """Write the traceback (no local variables) to a new 0600 file and return its path.

    Falls back to the temporary folder when the study's folder cannot be written; None
    when neither takes it (the crash is still reported, by `crash_message`)."""
    text = (
        f"ideation {__version__} on Python {platform.python_version()} ({sys.platform})\n"
        f"command: {' '.join(sys.argv)}\n\n" + "".join(traceback.format_exception(error))
    )
    target = crash_log_path(db_path)
    for candidate in (target, Path(os.environ.get("TMPDIR", "/tmp")) / target.name):
        try:
            return _write_private(candidate, text)
        except OSError:
            continue
    return None


def _write_private(path: Path, text: str) -> Path:
    stem, counter = path, 1
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            break
        except FileExistsError:
            counter += 1
            path = stem.with_name(f"{stem.stem}-{counter}{stem.suffix}")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def crash_message(log: Path | None) -> str:
    """The one line shown for a crash."""
    where = f"the details are in {log}" if log else "no crash log could be written"
    return f"ideation stopped on an internal error (a bug, not your input); {where}"
