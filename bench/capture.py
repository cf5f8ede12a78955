"""Capture benchmark: Enter to committed idea, with 5,000 ideas already in the session.

Two figures, p50 and p99 over many captures on a real study file (WAL,
synchronous=FULL, FTS index):
- commit: `LiveSession.capture`, the call the Enter key makes (parse, insert,
  fsync), until it returns the numbered idea;
- on screen: the live screen's Enter handler in a headless Textual app
  (commit, the new row, participation and flow panels updated), called with
  the Input.Submitted message the key produces; Textual's own paint follows.
Target: commit p99 under 10 ms.

    python bench/capture.py [--existing 5000] [--captures 500]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from ideation.live.clock import SystemClock
from ideation.live.plan import load_plan
from ideation.live.session import LiveSession, start_session
from ideation.paths import shipped_file
from ideation.store import Store


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def prepare(db: Path, existing: int) -> int:
    with Store(db) as store:
        session = start_session(store, load_plan(shipped_file("sessions", "half-day.yaml")))
        live = LiveSession(store, session.id, SystemClock())
        live.go_to(4)
        people = [p.label for p in live.participants]
        with store.transaction():
            for n in range(existing):
                live.capture(f"{people[n % len(people)]}: existing idea number {n} about coffee")
        live.release()  # the screen measured next must hold the session's lease
        return session.id


def bench_commit(db: Path, session_id: int, captures: int) -> list[float]:
    with Store(db) as store:
        live = LiveSession(store, session_id, SystemClock())
        times = []
        for n in range(captures):
            line = f"+{n + 1} Maya: a refillable pod number {n} that grows herbs 🌱"
            start = time.perf_counter()
            live.capture(line)
            times.append(time.perf_counter() - start)
        live.release()
        return times


async def bench_screen(db: Path, session_id: int, captures: int) -> list[float]:
    """The live screen's Enter handler: commit, new row, panels redrawn."""
    from textual.widgets import DataTable, Input

    from ideation.tui.app import IdeationApp
    from ideation.tui.live import LiveScreen

    times: list[float] = []
    app = IdeationApp(db, open_session=session_id, embedder=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        box = screen.query_one("#capture", Input)
        table = screen.query_one("#ideas", DataTable)
        for n in range(captures):
            box.value = f"Tom: an idea typed on screen number {n}"
            rows = table.row_count
            start = time.perf_counter()
            screen.capture(Input.Submitted(box, box.value))
            times.append(time.perf_counter() - start)
            assert table.row_count == rows + 1
            await pilot.pause()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--existing", type=int, default=5000)
    parser.add_argument("--captures", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "capture.db"
        session_id = prepare(db, args.existing)
        commit = bench_commit(db, session_id, args.captures)
        screen = asyncio.run(bench_screen(db, session_id, min(args.captures, 200)))
    print(f"{args.existing} ideas already in the session; {args.captures} captures")
    print(f"{'what':<34} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  target")
    for what, values, target in (
        ("Enter -> committed (LiveSession)", commit, "p99 < 10 ms"),
        ("Enter handler on the live screen", screen, "—"),
    ):
        ms = [v * 1000 for v in values]
        print(
            f"{what:<34} {statistics.median(ms):>8.2f} {percentile(ms, 0.99):>8.2f}"
            f" {max(ms):>8.2f}  {target}"
        )


if __name__ == "__main__":
    main()
