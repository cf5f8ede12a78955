"""Provides where the shipped screeners and session plans are found.

The examples live in the checkout's `screeners/` and `sessions/` folders,
where users adapt them. A file is looked up in the working directory first,
then beside the installed package (an editable install from the checkout).
"""

from __future__ import annotations

from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]


def shipped_file(folder: str, name: str) -> Path:
    """`folder/name` from the working directory or the checkout, whichever has it."""
    for base in (Path.cwd(), CHECKOUT):
        candidate = base / folder / name
        if candidate.is_file():
            return candidate
    raise ValueError(f"{folder}/{name}: shipped file not found in {Path.cwd()} or {CHECKOUT}")
