"""Provides `write_export`: one entry point for every export format, writing atomically.

A researcher's export often overwrites last week's file. Each format is written to
a temporary file beside the target and renamed over it only once complete, so a
crash, a full disk or a bug mid-write leaves either the old file or nothing, never
half a report. Problems the user can fix (a typo in the format, a folder that
does not exist or is read-only) come back as a one-line `WriteError` (an
`IdeationError`). The writing itself is `ideation.files.atomic_write`, shared
with the recruit list; exports hold no contact details, so they keep the umask.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ideation.export.model import ExportBundle
from ideation.export.report import render_html, render_markdown
from ideation.export.tabular import render_csv, render_json, write_xlsx
from ideation.files import WriteError, atomic_write

__all__ = ["FORMATS", "WRITERS", "WriteError", "atomic_write", "write_export"]


def _text(render: Callable[[ExportBundle], str]) -> Callable[[ExportBundle, BinaryIO], None]:
    def fill(bundle: ExportBundle, stream: BinaryIO) -> None:
        stream.write(render(bundle).encode("utf-8"))

    return fill


#: Format name -> writer into a binary stream. The names are what the CLI accepts.
WRITERS: dict[str, Callable[[ExportBundle, BinaryIO], None]] = {
    "csv": _text(render_csv),  # render_csv already starts with the BOM
    "json": _text(render_json),
    "md": _text(render_markdown),
    "xlsx": write_xlsx,
    "html": _text(render_html),
}
FORMATS = tuple(WRITERS)


def write_export(bundle: ExportBundle, fmt: str, path: str | os.PathLike[str]) -> Path:
    """Write `bundle` as `fmt` to `path`, all or nothing; return the path written."""
    key = fmt.strip().lower().lstrip(".")
    if key not in WRITERS:
        raise WriteError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    target = Path(path)
    writer = WRITERS[key]
    atomic_write(
        target,
        lambda stream: writer(bundle, stream),
        private=bundle.names_included,
        noun="export",
    )
    return target
