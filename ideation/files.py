"""Provides `atomic_write`: every file the product writes appears whole or not at all.

Exports and recruit lists often overwrite last week's file. The content goes to
a temporary file beside the target, created exclusively under an unguessable
name (as `tempfile.mkstemp` does, so nobody can plant or race it), flushed to
disk, then renamed over the target. A crash, a full disk or a bug mid-write
leaves the old file or nothing, never half a file and never a stray temporary.

Modes: a file holding personal data (`private=True`: names, emails, phones) is
0600 whatever the umask or the old file's mode; any other new file gets the
user's umask, and an overwritten one keeps its mode (it may be shared on purpose).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ideation.errors import IdeationError

Fill = Callable[[BinaryIO], None]

_ATTEMPTS = 20


class WriteError(IdeationError, ValueError):
    """A file that could not be written; one line naming it and why.

    Still a ValueError, so callers written before `IdeationError` keep working.
    """


def atomic_write(target: Path, fill: Fill, *, private: bool = False, noun: str = "file") -> None:
    """Run `fill` on a temporary file beside `target`, then rename it into place.

    `noun` names what is written in errors ("cannot write export to PATH: ...").
    Exceptions raised by `fill` itself pass through unchanged, after cleanup.
    """
    folder = target.parent
    prefix = f"cannot write {noun} to {target}"
    if target.is_dir():
        raise WriteError(f"{prefix}: it is a folder")
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise WriteError(f"{prefix}: {folder} {problem}")
    descriptor, temp = _create_temp(target, private, prefix)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            fill(stream)
            stream.flush()
            os.fsync(stream.fileno())
        if private:
            os.chmod(temp, 0o600)
        else:
            _keep_mode(target, temp)
        os.replace(temp, target)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise WriteError(f"{prefix}: {_reason(error)}") from error
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(folder)


def _create_temp(target: Path, private: bool, prefix: str) -> tuple[int, Path]:
    """An exclusively created temporary file in the target's folder.

    0o666 lets the umask decide, as for any new file; 0o600 for private data.
    """
    mode = 0o600 if private else 0o666
    for _ in range(_ATTEMPTS):
        temp = target.parent / f".{target.name}.{secrets.token_hex(8)}.tmp"
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), temp
        except FileExistsError:
            continue
        except OSError as error:
            raise WriteError(f"{prefix}: {_reason(error)}") from error
    raise WriteError(f"{prefix}: could not create a temporary file beside it")


def _keep_mode(target: Path, temp: Path) -> None:
    """An overwritten file keeps its permissions (someone may have shared it on purpose)."""
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return
    os.chmod(temp, mode & 0o7777)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; where folders cannot be opened, skip it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()
