"""Provides the typed app base: one store opener, one crash path, one worker handler.

A crash in front of a client must not print idea text (Textual's default
traceback shows local variables) and must not look like success, so every
unhandled error goes to the crash log beside the study and the app exits
with a non-zero code. Background work (embedding, clustering, scoring) fails
the same way everywhere: a user's problem (`IdeationError`) is one line on
screen; anything else is a bug, logged to the crash log, named in one line,
and the screen stays usable. Screens clear their own progress display in
`background_failed`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import App
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from ideation.crashlog import write_crash_log
from ideation.errors import IdeationError
from ideation.live.clock import Clock, SystemClock
from ideation.store import Store
from ideation.text import one_line

#: How long a notice built from user text may be on screen.
NOTICE_LIMIT = 200
#: The smallest terminal the screens are laid out for (columns, rows).
MIN_SIZE = (80, 24)
TOO_SMALL = f"terminal too small (need {MIN_SIZE[0]}×{MIN_SIZE[1]})"


def safe(text: object, limit: int | None = None) -> Text:
    """User text as a Rich `Text` (never markup), control characters stripped, one line."""
    return Text(one_line(str(text), limit))


def middle_cut(text: str, limit: int) -> str:
    """Printable text on one line, cut to `limit` terminal cells in the middle: studies
    are often told apart by their last words ("… 2026", "… (Lisbon)"), which an
    ellipsis at the end would hide."""
    flat = one_line(text)
    if cell_len(flat) <= limit:
        return flat
    tail_cells = (limit - 1) // 2
    head, tail = _fit(flat, limit - 1 - tail_cells), _fit(flat[::-1], tail_cells)[::-1]
    return f"{head}…{tail}"


def _fit(text: str, cells: int) -> str:
    """The longest start of `text` that takes at most `cells` terminal cells."""
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > cells:
            return text[:index]
    return text


class IdeationScreen(Screen[Any]):
    """A screen whose background workers report to the app's one handler, and
    which says "terminal too small" below `MIN_SIZE` instead of a broken layout."""

    def on_resize(self, event: events.Resize) -> None:
        small = event.size.width < MIN_SIZE[0] or event.size.height < MIN_SIZE[1]
        if small and not self.query("#too-small"):
            self.mount(Static(TOO_SMALL, id="too-small"))
        self.set_class(small, "-too-small")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Worker messages do not bubble; hand them to the app's handler."""
        app = self.app
        if isinstance(app, IdeationAppBase):
            app.worker_state_changed(event)

    def say(self, message: object, severity: str = "information", timeout: float = 6) -> None:
        """A one-line notice that may hold user text (never read as markup)."""
        self.app.notify(
            one_line(str(message), NOTICE_LIMIT),
            severity=severity,  # type: ignore[arg-type]
            timeout=timeout,
            markup=False,
        )

    def background_failed(self, worker: Worker[Any]) -> None:
        """Undo what the screen showed while `worker` ran (a progress bar, a note)."""


class IdeationAppBase(App[None]):
    """An app on one study file, with an injected clock and a crash log."""

    #: How a live screen of this app names itself in a session's lease.
    lease_label = "live screen"

    def __init__(self, db_path: Path, *, clock: Clock | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.db_path = Path(db_path)
        self.clock: Clock = clock or SystemClock()
        self.crash_log: Path | None = None
        #: A user error that stopped the app (say a damaged study); shown as one line.
        self.user_error: IdeationError | None = None

    def open_store(self, **options: Any) -> Store:
        """A new connection to the study, on the app's clock (`busy_timeout_ms` etc. pass on)."""
        return Store(self.db_path, clock=self.clock.now, **options)

    def say(self, message: object, severity: str = "information", timeout: float = 6) -> None:
        """`notify` for a message that may hold user text: one line, no markup."""
        self.notify(
            one_line(str(message), NOTICE_LIMIT),
            severity=severity,  # type: ignore[arg-type]
            timeout=timeout,
            markup=False,
        )

    def log_crash(self, error: BaseException) -> Path | None:
        """Write `error` to the crash log (first one wins as `crash_log`); None if unwritable."""
        path = write_crash_log(self.db_path, error)
        if self.crash_log is None:
            self.crash_log = path
        return path

    # -- background work --------------------------------------------------------

    def worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one handler for every thread worker's failure."""
        worker = event.worker
        if event.state != WorkerState.ERROR or worker.error is None:
            return
        error = worker.error
        what = worker.name or "background work"
        if isinstance(error, IdeationError):
            self.say(f"{what}: {error}", "error", timeout=10)
        else:
            log = self.log_crash(error)
            where = f"details in {log}" if log else "no crash log could be written"
            self.say(
                f"{what} stopped on an internal error ({type(error).__name__}); {where}",
                "error",
                timeout=15,
            )
        node = worker.node
        if isinstance(node, IdeationScreen) and node.is_attached:
            node.background_failed(worker)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.worker_state_changed(event)

    # -- crashes ------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """Textual's fatal path, without the traceback of local variables on screen.

        The traceback goes to the crash log; `launch_tui` prints the one line
        that names it and exits with `return_code`. A user's problem (a damaged or
        busy study while a screen opens) is not a crash: it is kept as `user_error`
        for the same one line the CLI gives, and no log is written."""
        if isinstance(error, IdeationError):
            self.user_error = error
            self._return_code = 2
            self._close_messages_no_wait()
            return
        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
            self.log_crash(error)
        self._close_messages_no_wait()
