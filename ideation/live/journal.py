"""Provides the journal of typed lines the study has not taken yet.

When a capture cannot be committed (another program holds the study's write
lock, the file is read-only, the disk is full) the live screen keeps the line
in a retry queue. That queue must outlive the screen: a facilitator who leaves,
quits or is killed finds the lines again when the session reopens. The journal
is a small JSON file beside the study (0600: it holds what people said),
rewritten whole on each change and removed once the queue is empty. When the
study's folder cannot take it either (the same full disk), it goes to the
temporary folder; `save` says whether it was kept anywhere, so the screen can
refuse to leave when it was not.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ideation.errors import IdeationError
from ideation.files import WriteError, atomic_write


@dataclass(frozen=True)
class UnsavedLine:
    """A typed line not yet in the study: what, said by whom, and when."""

    line: str
    participant_id: int | None
    at: float


class JournalError(IdeationError):
    """A journal file that cannot be read back; its lines are left where they are."""


class Journal:
    """The unsaved lines of one session of one study."""

    def __init__(self, db_path: Path, session_id: int) -> None:
        name = f"{db_path.name}.unsaved-{session_id}.json"
        # The fallback name carries the study's full path, so two studies never share it.
        digest = hashlib.sha256(str(db_path.resolve()).encode()).hexdigest()[:12]
        self.paths = (db_path.with_name(name), Path(tempfile.gettempdir()) / f"{digest}-{name}")

    def load(self) -> list[UnsavedLine]:
        """Every line kept by an earlier screen, oldest first."""
        lines: list[UnsavedLine] = []
        for path in self.paths:
            if path.is_file():
                lines.extend(_read(path))
        return sorted(dict.fromkeys(lines), key=lambda line: line.at)

    def save(self, lines: Sequence[UnsavedLine]) -> Path | None:
        """Keep `lines` (all of them, replacing what was kept); None if nowhere would take
        them. An empty queue removes the journal."""
        if not lines:
            for path in self.paths:
                path.unlink(missing_ok=True)
            return None
        payload = json.dumps([asdict(line) for line in lines], ensure_ascii=False).encode()
        for path in self.paths:
            try:
                atomic_write(path, lambda stream: stream.write(payload), private=True)
            except WriteError:
                continue
            for other in self.paths:
                if other != path:
                    _forget(other)  # one copy: the newest queue, never a stale twin
            return path
        return None


def _forget(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # a stale copy only repeats lines; loading keeps each line once


def _read(path: Path) -> list[UnsavedLine]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [
            UnsavedLine(str(row["line"]), row.get("participant_id"), float(row["at"]))
            for row in rows
        ]
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise JournalError(
            f"{path}: unsaved lines from an earlier screen cannot be read ({error});"
            " the file is left as it is"
        ) from error
