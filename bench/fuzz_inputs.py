"""Provides fuzzed input files for the loaders: plans, screeners and survey CSVs.

`mutations(seed_file, n, rng)` yields `n` byte strings, each the seed file after
one to three random mutations: cuts, flipped or inserted bytes, lost, doubled
or swapped lines, hostile YAML or CSV snippets (code-running tags, reused and
self-merging anchors, formulas, huge cells, absurd widths), other encodings,
or plain random bytes. The Hypothesis tests (tests/test_fuzz_loaders.py) drive
`mutate` with a Random they draw; bench/faults.py can call `mutations` for a
fixed count per loader. Deterministic for a given `rng` seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

#: A file a YAML tag would create if it ran code; nothing may ever create it.
CODE_RAN_MARKER = Path("/tmp/ideation-fuzz-inputs-code-ran")

YAML_SNIPPETS = (
    f"x: !!python/object/apply:os.system ['touch {CODE_RAN_MARKER}']",
    f"- !!python/object/apply:subprocess.check_output [['touch', '{CODE_RAN_MARKER}']]",
    "y: !!python/name:os.system",
    "anchor: &a one\nagain: &a two",
    "loop: &b {<<: *b}",
    "loop2: &c\n  <<: *c",
    "list: &d [*d]",
    "ref: *nowhere",
    "name: [unclosed",
    "name: {a: 1",
    "  bad indent: here",
    "\t- tab: indented",
    "minutes: 0.001",
    "minutes: -5",
    "minutes: .nan",
    "minutes: 1e309",
    "minutes: 99999999999999999999999",
    "name: \x07\x1b[2J\x1b]0;title\x07",
    "name: \u202eevil\u202c",
    "questions: ~",
    "agenda: 3",
    "agenda: []",
    "participants: [[], {}]",
    "- - - -",
    "? complex key\n: value",
    "? [a, b]\n: value",
    "dup: 1\ndup: 2",
    "x: !!binary not-base64",
    "x: !!timestamp nonsense",
    "x: !custom {a: 1}",
    "text: '" + "a" * 5000 + "'",
    "%YAML 9.9\n---",
    "--- !<tag:yaml.org,2002:python/name:os.system>",
    "---\nsecond: document",
    "type: single_choice\noptions: [a, a, a]",
    "scale: 0",
    "scale: -3",
    "id: ''",
    "<<: 5",
    "<<: [1, 2]",
    "'[bold red]x[/]': 1",
    '"a\\nb": multi-line key',
)

CSV_CELLS = (
    '"unterminated',
    '"=HYPERLINK(""http://x"",""click"")"',
    "=cmd|' /C calc'!A0",
    "+44 7700 900000",
    "",
    "NaN",
    "-1",
    "1e400",
    "\ufeff",
    "a" * 5000,
    "\u202e",
    "😀",
    "Strongly agree",
    '{"ImportId":"QID1"}',
    "R_dup",
    "  ",
    '""',
    "\r",
    ";",
    "\t",
)


def _cut(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _insert_bytes(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.randbytes(rng.randint(1, 16)) + data[at:]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def _drop_line(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    del lines[rng.randrange(len(lines))]
    return b"".join(lines)


def _double_line(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    at = rng.randrange(len(lines))
    lines.insert(at, lines[at])
    return b"".join(lines)


def _swap_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[a], lines[b] = lines[b], lines[a]
    return b"".join(lines)


def _yaml_snippet(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    snippet = rng.choice(YAML_SNIPPETS)
    indent = b" " * rng.choice((0, 0, 2, 4))
    lines.insert(rng.randrange(len(lines) + 1), indent + snippet.encode("utf-8") + b"\n")
    return b"".join(lines)


def _csv_cell(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    at = rng.randrange(len(lines))
    cells = lines[at].split(b",")
    cells[rng.randrange(len(cells))] = rng.choice(CSV_CELLS).encode("utf-8")
    lines[at] = b",".join(cells)
    return b"".join(lines)


def _widen(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    at = rng.randrange(len(lines))
    extra = b"," * rng.choice((10, 500, 2500))
    lines[at] = lines[at].rstrip(b"\r\n") + extra + b"x\n"
    return b"".join(lines)


def _reencode(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", errors="replace")
    choice = rng.randrange(4)
    if choice == 0:
        return text.encode("cp1252", errors="replace")
    if choice == 1:
        return text.encode("utf-16")
    if choice == 2:
        return b"\xef\xbb\xbf" + data
    return data.replace(b"\n", b"\r\n")


def _random_bytes(data: bytes, rng: random.Random) -> bytes:
    return rng.randbytes(rng.randint(0, 400))


Mutation = Callable[[bytes, random.Random], bytes]
_COMMON: tuple[Mutation, ...] = (
    _cut,
    _flip,
    _insert_bytes,
    _drop_line,
    _double_line,
    _swap_lines,
    _reencode,
)
MUTATIONS: dict[str, tuple[Mutation, ...]] = {
    "yaml": (*_COMMON, _yaml_snippet, _yaml_snippet, _yaml_snippet),
    "csv": (*_COMMON, _csv_cell, _csv_cell, _widen),
}


def kind_of(seed_file: Path) -> str:
    """ "yaml" or "csv", by the seed file's suffix."""
    return "yaml" if seed_file.suffix.lower() in (".yaml", ".yml") else "csv"


def mutate(data: bytes, rng: random.Random, kind: str) -> bytes:
    """`data` after one to three random mutations of `kind` ("yaml" or "csv").

    One time in twenty the result is random bytes instead.
    """
    if rng.random() < 0.05:
        return _random_bytes(data, rng)
    for _ in range(rng.randint(1, 3)):
        data = rng.choice(MUTATIONS[kind])(data, rng)
    return data


def mutations(seed_file: Path, n: int, rng: random.Random) -> Iterator[bytes]:
    """`n` fuzzed versions of `seed_file`, each made by `mutate`."""
    seed_file = Path(seed_file)
    data = seed_file.read_bytes()
    kind = kind_of(seed_file)
    for _ in range(n):
        yield mutate(data, rng, kind)
