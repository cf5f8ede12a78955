"""Provides the join address as a QR code made of text, for a terminal.

Two rows of modules share one character (Unicode half blocks), so the code stays
square and small enough for an 80-column screen. Terminals are mostly light text on
a dark background, so the *light* modules (and the quiet zone around the code) are
the ones drawn: a phone camera then sees dark modules on a light field.
"""

from __future__ import annotations

import segno

#: Quiet-zone width in modules; 2 keeps the code small and phones still read it.
BORDER = 2

_BLOCKS = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


def qr_lines(url: str, *, dark_terminal: bool = True) -> list[str]:
    """The QR code of `url` as rows of text (half blocks), quiet zone included."""
    code = segno.make(url, error="m", micro=False)
    drawn = [
        [bool(module) != dark_terminal for module in row] for row in code.matrix_iter(border=BORDER)
    ]
    if len(drawn) % 2:  # an odd height: one more row of quiet zone
        drawn.append([dark_terminal] * len(drawn[0]))
    return [
        "".join(_BLOCKS[pair] for pair in zip(upper, lower, strict=True))
        for upper, lower in zip(drawn[0::2], drawn[1::2], strict=True)
    ]
