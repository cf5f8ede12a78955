"""Provides the one family of user errors: what went wrong, in one line.

Anything raised as an `IdeationError` is the user's to fix (a bad file, a busy
or read-only study, a full disk) and is shown as one line. Every other
exception is a bug in ideation: the front doors write it to the crash log
instead of dressing it up as a user error.
"""

from __future__ import annotations


class IdeationError(Exception):
    """A problem the user can act on; the message is one line, ready to show."""


class StoreError(IdeationError):
    """A study file that cannot be opened or used."""


class StudyBusy(StoreError):
    """Another program held the study's write lock for longer than the busy timeout."""


class StudyReadOnly(StoreError):
    """The study file (or its folder) cannot be written."""


class DiskFull(StoreError):
    """SQLite could not grow the file: nothing was written, nothing stored was damaged."""


class StudyDamaged(StoreError):
    """SQLite found a damaged page; `ideation check` and a backup are the way out."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        #: SQLite's own words ("file is not a database"), for `check` to list as they are.
        self.detail = detail


class NewerStudy(StoreError):
    """The file was made by a newer ideation whose schema this version does not know."""


class SessionHeld(StoreError):
    """Another live screen holds the session's lease; this one may only watch."""


class ThemeError(IdeationError, ValueError):
    """A clustering or review request that cannot be carried out (no ideas, no such theme)."""


class ModelError(IdeationError, ValueError):
    """An embedding model that cannot be used (say `--model` names no model folder)."""
