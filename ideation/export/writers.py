"""Provides `write_export`: one entry point for every export format, writing atomically.

A researcher's export often overwrites last week's file. Each format is written to
a temporary file beside the target and renamed over it only once complete, so a
crash, a full disk or a bug mid-write leaves either the old file or nothing, never
half a report. Problems the user can fix (a typo in the format, a folder that
does not exist or is read-only) come back as a one-line ValueError.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ideation.export.model import ExportBundle
from ideation.export.report import render_html, render_markdown
from ideation.export.tabular import render_csv, render_json, write_xlsx

Fill = Callable[[BinaryIO], None]


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
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    target = Path(path)
    writer = WRITERS[key]
    atomic_write(target, lambda stream: writer(bundle, stream))
    return target


def atomic_write(target: Path, fill: Fill) -> None:
    """Run `fill` on a temporary file beside `target`, then rename it into place.

    The temporary file sits in the target's folder so the rename is atomic (same
    file system). On any failure it is removed and `target` is left as it was.
    """
    folder = target.parent
    if target.is_dir():
        raise ValueError(f"cannot write export to {target}: it is a folder")
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise ValueError(f"cannot write export to {target}: {folder} {problem}")
    temp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        # os.open with 0o666 lets the umask decide the permissions, as for any new file.
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise ValueError(f"cannot write export to {target}: {_reason(error)}") from error
    try:
        with os.fdopen(descriptor, "wb") as stream:
            fill(stream)
            stream.flush()
            os.fsync(stream.fileno())
        _keep_mode(target, temp)
        os.replace(temp, target)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise ValueError(f"cannot write export to {target}: {_reason(error)}") from error
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _keep_mode(target: Path, temp: Path) -> None:
    """An overwritten export keeps its permissions (someone may have shared it on purpose)."""
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return
    os.chmod(temp, mode & 0o7777)


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()
