"""Startup benchmark: `ideation --help` and the TUI's first paint, against a bare Textual app.

Each figure is the wall time of a fresh process, from spawn to exit, so
interpreter start-up and every import count. The TUI run opens the home
screen headless on a demo study and exits after its first refresh, and
reports whether any model library was imported. The reference is a bare
Textual app with a header, a 40-row table and a footer, run the same way: the
two alternate (A B A B ...) and the ratio is taken pair by pair, so a machine
that speeds up or slows down during the run does not bias it.

Both run with bytecode caches (in a temporary PYTHONPYCACHEPREFIX, after a
warm-up run), as an installed package does: without them every ideation
module would be compiled on each start while Textual's come precompiled.

Targets: `--help` under 1.0 s; the home screen's first paint at most 1.3x
the bare app (the median of the pairwise ratios).

    python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The home screen's first paint may cost at most this many bare apps.
RATIO_TARGET = 1.3

FIRST_PAINT = """
import sys, json
from ideation.tui.app import IdeationApp

class Once(IdeationApp):
    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(self.exit)

Once(db_path=sys.argv[1], embedder=False, keymap=None).run(headless=True, size=(80, 24))
heavy = [m for m in ("torch", "sentence_transformers", "sklearn", "numpy") if m in sys.modules]
print(json.dumps(heavy))
"""

BARE_APP = """
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("#", "Status", "Ideas", "Started", "Session")
        for n in range(40):
            table.add_row(str(n), "ended", str(n * 3), "2026-01-01 10:00", f"Session {n}")
        self.call_after_refresh(self.exit)

Bare().run(headless=True, size=(80, 24))
"""


#: The environment of every timed process (set in `main`: bytecode caches on).
ENV: dict[str, str] = {}


def timed(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=ENV or None)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    script = shutil.which("ideation") or str(Path(sys.executable).parent / "ideation")
    with tempfile.TemporaryDirectory() as tmp:
        ENV.update(os.environ, PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"))
        ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        db = str(Path(tmp) / "demo.db")
        subprocess.run([script, "demo", "--no-tui", "--db", db], check=True, capture_output=True)
        timed([script, "--help"])  # warm-up runs write the bytecode caches
        timed([sys.executable, "-c", BARE_APP])
        timed([sys.executable, "-c", FIRST_PAINT, db])
        help_times = [timed([script, "--help"])[0] for _ in range(runs)]
        paints: list[tuple[float, str]] = []
        bare: list[float] = []
        for _ in range(runs):
            paints.append(timed([sys.executable, "-c", FIRST_PAINT, db]))
            bare.append(timed([sys.executable, "-c", BARE_APP])[0])
    heavy = sorted({m for _, out in paints for m in json.loads(out.strip().splitlines()[-1])})
    paint_times = [p[0] for p in paints]
    ratios = [p / b for p, b in zip(paint_times, bare, strict=True)]
    print(f"{'what':<38} {'median s':>9} {'best s':>8}  target")
    for what, times, target in (
        ("ideation --help", help_times, "<1.0 s"),
        ("bare Textual app (header, 40 rows)", bare, "reference"),
        ("TUI first paint (home, demo study)", paint_times, ""),
    ):
        print(f"{what:<38} {statistics.median(times):>9.3f} {min(times):>8.3f}  {target}")
    ratio = statistics.median(ratios)
    verdict = "ok" if ratio <= RATIO_TARGET else "SLOW"
    print(
        f"first paint / bare app: median {ratio:.2f}x (range {min(ratios):.2f}-{max(ratios):.2f}),"
        f" target <= {RATIO_TARGET}x {verdict}"
    )
    print(f"libraries loaded by the first paint: {', '.join(heavy) or 'none of the heavy ones'}")


if __name__ == "__main__":
    main()
