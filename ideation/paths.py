"""Provides where the shipped screeners and session plans are found.

The examples live in the checkout's `screeners/` and `sessions/` folders,
where users adapt them. A file is looked up in the working directory first,
then in the checkout (an editable install), then in the copies a wheel
carries as `ideation/examples/` (see pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

from ideation.errors import IdeationError

CHECKOUT = Path(__file__).resolve().parents[1]
PACKAGED = Path(__file__).resolve().parent / "examples"


def shipped_file(folder: str, name: str) -> Path:
    """`folder/name` from the working directory, the checkout or the wheel, first found."""
    for base in (Path.cwd(), CHECKOUT, PACKAGED):
        candidate = base / folder / name
        if candidate.is_file():
            return candidate
    raise IdeationError(
        f"{folder}/{name}: shipped file not found in {Path.cwd()}, {CHECKOUT} or {PACKAGED}"
    )
