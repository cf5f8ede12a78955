"""Child process for bench/faults.py: mutated plans, screeners and survey CSVs.

Each loader gets COUNT files made from the shipped examples by a few random
mutations (cuts, flipped bytes, lost or doubled lines, hostile YAML, absurd
widths, formulas, other encodings) and is called in-process, as the CLI
calls it (the mutations come from bench/fuzz_inputs.py, shared with
tests/test_fuzz_loaders.py, or from the small generator here without it).
Its own typed error is the right answer; anything else is counted as a
traceback, an import that fails after writing as half-written, a YAML tag
that ran code as a crash. Prints one JSON line of results; the
files stay in --out for the parent's CLI spot checks.

    python bench/fault_fuzz.py --out DIR --count 500
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import signal
import sqlite3
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The mutations are the ones tests/test_fuzz_loaders.py uses, from bench/fuzz_inputs.py.
from fuzz_inputs import CODE_RAN_MARKER, mutate  # noqa: E402 - beside this script

GENERATOR = "bench/fuzz_inputs.py"
MARKERS = (CODE_RAN_MARKER,)


def make_file(seed: bytes, kind: str, rng: random.Random) -> bytes:
    return mutate(seed, rng, "csv" if kind == "csv" else "yaml")


class Hang(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise Hang


def respondent_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM respondents").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def loaders(out: Path) -> dict[str, tuple[list[Path], Callable[[Path], object], tuple[type, ...]]]:
    from ideation.live.plan import PlanError, load_plan
    from ideation.screening.pipeline import import_responses
    from ideation.screening.responses import ResponseFileError
    from ideation.screening.screener_yaml import ScreenerError, load_screener
    from ideation.store import Store

    try:
        from ideation.errors import IdeationError

        typed: tuple[type, ...] = (IdeationError,)
    except ImportError:
        typed = ()
    defn = load_screener(ROOT / "screeners" / "home-coffee.yaml")
    store = Store(out / "scratch.db")

    def load_csv(path: Path) -> object:
        return import_responses(store, defn, path)

    return {
        "plans": (sorted((ROOT / "sessions").glob("*.yaml")), load_plan, (PlanError, *typed)),
        "screeners": (
            sorted((ROOT / "screeners").glob("*.yaml")),
            load_screener,
            (ScreenerError, *typed),
        ),
        "csv": (
            sorted((ROOT / "tests" / "data").glob("*.csv")),
            load_csv,
            (ResponseFileError, *typed),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    for marker in MARKERS:
        marker.unlink(missing_ok=True)
    signal.signal(signal.SIGALRM, _alarm)
    results = {}
    for kind, (seeds, load, expected) in loaders(args.out).items():
        result = {
            "files": 0,
            "tracebacks": 0,
            "hangs": 0,
            "code_ran": 0,
            "half_written": 0,
            "warnings": 0,
            "slow": 0,
            "examples": [],
            "spot": [],
            "generator": GENERATOR,
        }
        folder = args.out / kind
        folder.mkdir()
        suffix = ".csv" if kind == "csv" else ".yaml"
        refused: list[str] = []
        for n in range(args.count):
            path = folder / f"{n:04d}{suffix}"
            path.write_bytes(make_file(rng.choice(seeds).read_bytes(), kind, rng))
            before = respondent_count(args.out / "scratch.db") if kind == "csv" else 0
            result["files"] += 1
            noise = io.StringIO()
            start = time.monotonic()
            signal.alarm(5)
            try:
                with (
                    warnings.catch_warnings(record=True) as caught,
                    contextlib.redirect_stderr(noise),
                ):
                    warnings.simplefilter("always")
                    try:
                        load(path)
                    finally:
                        signal.alarm(0)
                if caught or noise.getvalue().strip():
                    result["warnings"] += 1
            except Hang:
                result["hangs"] += 1
                result["examples"].append(f"{path.name}: no answer in 5 s (counted as a crash)")
            except expected:
                refused.append(str(path))
                if kind == "csv" and respondent_count(args.out / "scratch.db") != before:
                    result["half_written"] += 1
            except Exception as error:  # noqa: BLE001 - counting what escapes is the point
                result["tracebacks"] += 1
                where = traceback.extract_tb(error.__traceback__)[-1]
                place = f"{Path(where.filename).name}:{where.lineno}"
                result["examples"].append(f"{path.name}: {type(error).__name__} at {place}")
                result["spot"].append(str(path))
            if time.monotonic() - start > 2:
                result["slow"] += 1
            for marker in MARKERS:
                if marker.exists():
                    result["code_ran"] += 1
                    marker.unlink()
        result["spot"] += rng.sample(refused, min(len(refused), 20))
        result["examples"] = result["examples"][:5]
        results[kind] = result
    print(json.dumps(results))


if __name__ == "__main__":
    main()
