"""Provides safe display of text typed by strangers.

Ideas, names and survey answers are stored exactly as typed (nothing is
lost), but a terminal must never receive their control characters: an ESC
can retitle the window, clear the screen or move the cursor. Everything the
TUI and the CLI print passes through `printable` first; Rich and Textual get
it as `Text`, never as markup.
"""

from __future__ import annotations

import re

#: C0 controls except tab and newline, DEL, the C1 controls (0x80-0x9f), and the
#: bidi embeddings, overrides and isolates, which reorder the rest of a terminal line
#: (RTL and LTR marks, U+200E/U+200F, are kept: right-to-left text needs them).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """The text with control characters removed (tab and newline kept)."""
    return _CONTROL.sub("", text)


def one_line(text: str, limit: int | None = None) -> str:
    """Printable text on one line (newlines and tabs become spaces), cut to `limit`
    characters with an ellipsis, for table cells and one-line summaries."""
    flat = _CONTROL_OR_NEWLINE.sub(lambda m: " " if m.group() in "\t\n\r" else "", text)
    if limit is not None and len(flat) > limit:
        return flat[: max(limit - 1, 0)] + "…"
    return flat


def plural(count: int, noun: str, many: str | None = None) -> str:
    """A count with its noun, "1 idea" / "2 ideas" / "0 ideas", so nothing says "1 ideas".

    `many` gives an irregular plural: plural(2, "person", "people") is "2 people".
    """
    return f"{count} {noun if count == 1 else (many or noun + 's')}"
