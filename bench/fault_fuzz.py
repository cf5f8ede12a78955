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
MARKER = Path("/tmp/ideation-fuzz-code-ran")

YAML_LINES = [
    f"x: !!python/object/apply:os.system ['touch {MARKER}']",
    f"- !!python/object/apply:subprocess.check_output [['touch', '{MARKER}']]",
    "anchor: &a one\nagain: &a two",
    "loop: &b\n  <<: *b",
    "ref: *nowhere",
    "name: [unclosed",
    "name: {a: 1",
    "  bad indent: here",
    "\t- tab: indented",
    "minutes: 0.001",
    "minutes: -5",
    "minutes: .nan",
    "minutes: 1e309",
    "planned: 99999999999999999999999",
    "name: \x00\x07\x1b[2J\x1b]0;title\x07",
    "name: \u202eevil\u202c",
    "questions: ~",
    "agenda: 3",
    "agenda: []",
    "participants: [[], {}]",
    "- - - -",
    "? complex key\n: value",
    "dup: 1\ndup: 2",
    "x: !!binary not-base64",
    "x: !!timestamp nonsense",
    "text: '" + "a" * 10_000 + "'",
    "%YAML 9.9\n---",
    "--- !<tag:yaml.org,2002:python/name:os.system>",
    "type: single\noptions: [a, a, a]",
    "scale: 0",
    "scale: -3",
    "id: ''",
]
CSV_CELLS = [
    '"unterminated',
    '=HYPERLINK("http://x","click")',
    "=cmd|' /C calc'!A0",
    "+44 7700 900000",
    "",
    "NaN",
    "-1",
    "1e400",
    "\x00",
    "\ufeff",
    "a" * 5000,
    "\u202e",
    "😀",
    "Strongly agree",
]


def mutate_lines(text: str, rng: random.Random, extra: list[str]) -> str:
    lines = text.split("\n")
    choice = rng.randrange(7)
    i = rng.randrange(len(lines)) if lines else 0
    if choice == 0 and lines:
        del lines[i]
    elif choice == 1 and lines:
        lines.insert(i, lines[i])
    elif choice == 2:
        lines.insert(i, rng.choice(extra))
    elif choice == 3 and len(lines) > 1:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif choice == 4 and lines and ":" in lines[i]:
        key = lines[i].split(":", 1)[0]
        lines[i] = f"{key}: {rng.choice(extra).split(':', 1)[-1].strip()}"
    elif choice == 5 and lines:
        lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
    else:
        lines = lines[: rng.randrange(len(lines) + 1)]
    return "\n".join(lines)


def mutate_csv(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    choice = rng.randrange(6)
    i = rng.randrange(len(lines)) if lines else 0
    if choice == 0 and lines:
        cells = lines[i].split(",")
        cells[rng.randrange(len(cells))] = rng.choice(CSV_CELLS)
        lines[i] = ",".join(cells)
    elif choice == 1 and lines:
        lines[i] = lines[i] + "," * rng.choice((1, 5, 50))
    elif choice == 2 and lines:
        lines[0] = lines[0] + ",x" * rng.choice((10, 300, 20_000))
    elif choice == 3:
        lines = [line.replace(",", rng.choice((";", "\t", ",,"))) for line in lines]
    elif choice == 4 and lines:
        del lines[i]
    else:
        lines.insert(i, ",".join(rng.choice(CSV_CELLS) for _ in range(rng.randrange(1, 30))))
    return "\n".join(lines)


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    choice = rng.randrange(5)
    if not data:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
    if choice == 0:
        return data[: rng.randrange(len(data))]  # cut anywhere, mid-row or mid-character
    if choice == 1:
        raw = bytearray(data)
        for _ in range(rng.randrange(1, 9)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        return bytes(raw)
    if choice == 2:
        return data.decode("utf-8", "replace").encode(
            rng.choice(("utf-16", "cp1252", "latin-1")), "replace"
        )
    if choice == 3:
        return b"\xef\xbb\xbf" + data if not data.startswith(b"\xef\xbb\xbf") else data[3:]
    return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2048)))


def own_mutation(seed: bytes, kind: str, rng: random.Random) -> bytes:
    """The fallback generator, used only when bench/fuzz_inputs.py is absent."""
    data = seed
    for _ in range(rng.randrange(1, 4)):
        if rng.random() < 0.25:
            data = mutate_bytes(data, rng)
            continue
        text = data.decode("utf-8", "replace")
        text = mutate_csv(text, rng) if kind == "csv" else mutate_lines(text, rng, YAML_LINES)
        data = text.encode("utf-8", "surrogatepass")
    return data


try:  # the files engineer's generator, shared with tests/test_fuzz_loaders.py
    from fuzz_inputs import CODE_RAN_MARKER, mutate

    GENERATOR = "bench/fuzz_inputs.py"
    MARKERS = (MARKER, CODE_RAN_MARKER)

    def make_file(seed: bytes, kind: str, rng: random.Random) -> bytes:
        return mutate(seed, rng, "csv" if kind == "csv" else "yaml")

except ImportError:
    GENERATOR = "bench/fault_fuzz.py (own)"
    MARKERS = (MARKER,)
    make_file = own_mutation


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
    from ideation.screening.definition import ScreenerError, load_screener
    from ideation.screening.pipeline import import_responses
    from ideation.screening.responses import ResponseFileError
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
