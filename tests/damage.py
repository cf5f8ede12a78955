"""Damage a closed study the way a bad disk sector would, for the fault tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def damage_table(db: Path, table: str) -> None:
    """Overwrite the root page of `table` with garbage; other pages (and open) stay fine."""
    with sqlite3.connect(db) as conn:
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", [table]
        ).fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    assert not Path(f"{db}-wal").exists()  # everything is in the main file
    with db.open("r+b") as handle:
        handle.seek((root - 1) * size)
        handle.write(b"\xff" * size)
