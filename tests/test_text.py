"""What reaches a terminal from a stranger's text: no control characters, ever."""

from __future__ import annotations

import pytest

from ideation.text import one_line, printable

HOSTILE = [
    "\x1b]0;pwned\x07",  # retitles the terminal window
    "\x1b[2J\x1b[H",  # clears the screen, moves the cursor home
    "\x9b31m",  # a C1 CSI
    "\x00\x08\x7f",  # NUL, backspace, DEL
    "evil\u202egnp.exe",  # right-to-left override: reorders the rest of the line
    "\u2066isolated\u2069",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_control_character_survives(text: str) -> None:
    for shown in (printable(text), one_line(text)):
        assert not any(ord(c) < 32 and c not in "\t\n" for c in shown)
        assert not any(0x7F <= ord(c) <= 0x9F for c in shown)
        assert not any(c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" for c in shown)


def test_readable_text_is_kept_as_typed() -> None:
    text = "שלום \u200fcafé ☕ [bold]x[/]\n\tsecond line"
    assert printable(text) == text


def test_one_line_flattens_and_cuts() -> None:
    assert one_line("a\nb\tc\r\nd") == "a b c  d"
    assert one_line("x" * 10_000, 20) == "x" * 19 + "…"
    assert len(one_line("x" * 10_000, 20)) == 20
