"""Child process for bench/faults.py: capture ideas the way a facilitator does.

The parent kills this process, locks its database, fills its disk or makes it
read-only, so it must be a separate process that talks only through stdout.
Each line it prints is flushed at once:

    ready                  the study is open, the first line is about to be typed
    typed TOKEN            a line carrying TOKEN is about to be submitted
    ok SEQ TOKEN           the line is committed (printed after capture returned)
    held TOKEN             at the end: not committed, but still in the box or a queue
    refused MESSAGE        the study could not be opened (a one-line user error)
    error MESSAGE          a one-line user error during the run (domain/embed modes)
    done                   a clean end

Modes: `domain` calls `LiveSession.capture` on a real Store; `tui` drives the
real live screen headless (Textual Pilot: the Enter key); `embed` loops
`embed_cached` over the session's ideas in a second process; `lock` holds
BEGIN IMMEDIATE on the study for --seconds (plain sqlite3: another program).

    python bench/fault_capture.py --db STUDY --session 1 --mode tui --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

try:
    from ideation.errors import IdeationError
except ImportError:  # a tree from before the typed errors (the "before" run)
    from ideation.store import StoreError as IdeationError  # type: ignore[assignment]


def say(*parts: object) -> None:
    print(*parts, flush=True)


class FakeEmbedder:
    """Fast stand-in for the model: a vector from the text's hash, after a short think."""

    def __init__(self, model_id: str = "bench-fake", delay: float = 0.02) -> None:
        self.model_id = model_id
        self.delay = delay

    def embed(self, texts: Sequence[str], progress: Any = None) -> np.ndarray:
        import numpy as np

        time.sleep(self.delay * max(1, len(texts) // 16))
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
            vector = np.random.default_rng(seed).standard_normal(32).astype(np.float32)
            rows.append(vector / np.linalg.norm(vector))
        if progress:
            progress(len(texts), len(texts))
        return np.vstack(rows) if rows else np.zeros((0, 32), dtype=np.float32)


def line_for(tag: str, n: int) -> tuple[str, str]:
    """A realistic line (a speaker prefix now and then, a build-on, brackets) with a token."""
    token = f"{tag}x{n:05d}"
    people = ("Maya: ", "Tom: ", "", "2: ", "")
    build = "+1 " if n % 7 == 3 else ""
    extra = " [sic]" if n % 11 == 5 else ""
    return (
        token,
        f"{build}{people[n % len(people)]}a refillable pod {token} that grows herbs{extra}",
    )


class Pacer:
    """When to type the next line, and when to stop typing (count, time or a stop file)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.start = time.monotonic()
        self.n = 0

    def more(self) -> bool:
        args = self.args
        if self.n >= args.count or time.monotonic() - self.start >= args.seconds:
            return False
        return not (args.stop_file and Path(args.stop_file).exists())

    def gap(self) -> float:
        return 1.0 / self.args.rate if self.args.rate > 0 else 0.0


def wait_for_go(args: argparse.Namespace, limit: float = 60.0) -> None:
    """With --go-file, type nothing until the parent has set the scene (e.g. filled the disk)."""
    deadline = time.monotonic() + limit
    while args.go_file and not Path(args.go_file).exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def hold_lock(args: argparse.Namespace) -> None:
    """Another process holding the write lock (BEGIN IMMEDIATE) for --seconds."""
    import sqlite3

    conn = sqlite3.connect(args.db, isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO activity (at, what) VALUES (?, ?)", [time.time(), "bench lock"])
    say("ready")
    time.sleep(args.seconds)
    conn.execute("COMMIT")
    conn.close()
    say("done")


def run_domain(args: argparse.Namespace) -> None:
    from ideation.live.clock import SystemClock
    from ideation.live.session import LiveSession
    from ideation.store import Store

    try:
        store = Store(args.db)
        live = LiveSession(store, args.session, SystemClock())
    except IdeationError as error:
        say("refused", error)
        return
    if args.phase is not None and live.state().position is None:
        live.go_to(args.phase)
    say("ready")
    wait_for_go(args)
    pace = Pacer(args)
    while pace.more():
        token, line = line_for(args.tag, pace.n)
        pace.n += 1
        say("typed", token)
        captured = live.capture(line)
        say("ok", captured.idea.seq, token)
        if pace.gap():
            time.sleep(pace.gap())
    store.close()
    say("done")


def run_embed(args: argparse.Namespace) -> None:
    """The background embedder as a second process: catch up on new ideas, again and again."""
    from ideation.analysis.embed import embed_cached
    from ideation.store import Store

    embedder = FakeEmbedder("bench-fake-process")
    pace = Pacer(args)
    say("ready")
    while pace.more():
        try:
            with Store(args.db) as store:
                texts = [i.text for i in store.idea_rows(args.session) if i.kind == "idea"]
                embed_cached(store, embedder, texts)
        except IdeationError as error:
            say("error", error)
        pace.n += 1
        time.sleep(0.05)
    say("done")


def held_tokens(screen: Any, box: Any, tokens: Sequence[str]) -> list[str]:
    """Tokens still visible to the facilitator: in the box or in any list the screen keeps."""
    places = [str(box.value)]
    for value in vars(screen).values():
        if isinstance(value, str | list | tuple) or type(value).__name__ == "deque":
            places.append(repr(value))
    for node in screen.walk_children():
        for name in ("value", "text", "renderable", "_renderable", "_content"):
            places.append(str(getattr(node, name, "")))
    blob = "\n".join(places)
    return [t for t in tokens if t in blob]


async def run_tui(args: argparse.Namespace) -> None:

    from ideation.tui.app import IdeationApp

    embedder: Any = {"none": False, "fake": FakeEmbedder(), "real": True}[args.embedder]
    try:
        app = IdeationApp(Path(args.db), open_session=args.session, embedder=embedder)
    except IdeationError as error:
        say("refused", error)
        return
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await drive_tui(app, pilot, args)
    except Exception:
        user_error = getattr(app, "user_error", None)
        if user_error is None:
            raise
        # The app stopped itself on a user's problem (a damaged study): the one line the
        # real front door prints, as `launch_tui` does.
        say("refused", user_error)


async def drive_tui(app: Any, pilot: Any, args: argparse.Namespace) -> None:
    """Type lines into the live screen as a facilitator would, printing each committed."""
    from textual.widgets import Input

    await pilot.pause()
    screen = app.screen
    try:
        box = screen.query_one("#capture", Input)
    except Exception as error:  # noqa: BLE001 - the live screen did not open: say why
        if app._exception is None:  # noqa: SLF001 - a crash surfaces on leaving run_test
            say("refused", f"no live screen ({type(error).__name__}: {error})")
        return
    pending: dict[str, bool] = {}
    seen = 0

    def acknowledge() -> None:
        nonlocal seen
        rows = screen.live.rows
        for row in rows[seen:]:
            for token in [t for t in pending if t in row.text]:
                say("ok", row.seq, token)
                del pending[token]
        seen = len(rows)

    def alive() -> bool:
        return app.is_running and app._exception is None  # noqa: SLF001 - crash check

    say("ready")
    await asyncio.to_thread(wait_for_go, args)
    pace = Pacer(args)
    while pace.more() and alive():
        if box.value.strip():  # a line given back: Enter again, as a facilitator would
            await pilot.press("enter")
        else:
            token, line = line_for(args.tag, pace.n)
            pace.n += 1
            pending[token] = True
            say("typed", token)
            box.value = line
            await pilot.press("enter")
        await pilot.pause()
        acknowledge()
        if pace.gap():
            await asyncio.sleep(pace.gap())
    deadline = time.monotonic() + args.drain
    while pending and alive() and time.monotonic() < deadline:
        if box.value.strip():
            await pilot.press("enter")
        await asyncio.sleep(0.25)
        await pilot.pause()
        acknowledge()
    if alive():
        for token in held_tokens(screen, box, list(pending)):
            say("held", token)
    say("done")


def front_door_crash(db: str, error: Exception) -> None:
    """The app stopped on an exception: what `ideation run` would show. A tree with a
    crash log writes it and prints one line (exit 1); an older tree prints the traceback."""
    try:
        from ideation.crashlog import crash_message, write_crash_log
    except ImportError:
        raise error from None
    print(crash_message(write_crash_log(Path(db), error)), file=sys.stderr, flush=True)
    sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--session", type=int, required=True)
    parser.add_argument("--mode", choices=("domain", "tui", "embed", "lock"), default="domain")
    parser.add_argument("--tag", default="t")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=0.0, help="lines per second; 0 = flat out")
    parser.add_argument("--drain", type=float, default=10.0, help="seconds to wait for retries")
    parser.add_argument("--stop-file", default="")
    parser.add_argument("--go-file", default="")
    parser.add_argument("--phase", type=int, default=None, help="start this phase if none is")
    parser.add_argument("--embedder", choices=("none", "fake", "real"), default="none")
    args = parser.parse_args()
    if args.mode == "tui":
        try:
            asyncio.run(run_tui(args))
        except Exception as error:  # noqa: BLE001 - shown as the tree's own front door shows it
            front_door_crash(args.db, error)
    elif args.mode == "embed":
        run_embed(args)
    elif args.mode == "lock":
        hold_lock(args)
    else:
        run_domain(args)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
