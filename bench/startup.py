"""Startup benchmark: `ideation --help` and the TUI's first paint, as a table.

Each figure is the median wall time of a fresh process, from spawn to exit,
so interpreter start-up and every import count. The TUI run opens the home
screen headless on a demo study, exits after its first refresh, and reports
whether any model library was imported. Target: both under 1.0 s.

    python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST_PAINT = """
import sys, json
from ideation.tui.app import IdeationApp

class Once(IdeationApp):
    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(self.exit)

Once(db_path=sys.argv[1]).run(headless=True)
heavy = [m for m in ("torch", "sentence_transformers", "sklearn") if m in sys.modules]
print(json.dumps(heavy))
"""


def timed(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    script = shutil.which("ideation") or str(Path(sys.executable).parent / "ideation")
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "demo.db")
        subprocess.run([script, "demo", "--no-tui", "--db", db], check=True, capture_output=True)
        help_times = [timed([script, "--help"])[0] for _ in range(runs)]
        paints = [timed([sys.executable, "-c", FIRST_PAINT, db]) for _ in range(runs)]
    heavy = sorted({m for _, out in paints for m in json.loads(out.strip().splitlines()[-1])})
    rows = [
        ("ideation --help", statistics.median(help_times), min(help_times), "—"),
        (
            "TUI first paint (home, demo study)",
            statistics.median(p[0] for p in paints),
            min(p[0] for p in paints),
            ", ".join(heavy) or "none",
        ),
    ]
    print(f"{'what':<36} {'median s':>9} {'best s':>8}  target  model libs loaded")
    for what, median, best, libs in rows:
        verdict = "ok" if median < 1.0 else "SLOW"
        print(f"{what:<36} {median:>9.3f} {best:>8.3f}  <1.0 {verdict:<4} {libs}")


if __name__ == "__main__":
    main()
