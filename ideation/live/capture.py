"""Provides the capture shorthand a facilitator types while people talk.

`Maya: a pod you can plant` attributes to Maya (any unique start of a name,
case-insensitive), `2: ...` to the second participant, `+12 ...` builds on
idea 12; they combine in any order (`+12 ma: and make it refillable`). Text
that only looks like shorthand is kept as typed: nothing the room said is
ever dropped by the parser.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ideation.records import Participant

_BUILD_ON = re.compile(r"^\+(\d{1,6})(?=\s|$|[,:;])[,:;]?\s*")
_SPEAKER = re.compile(r"^([^\s:+][^:]{0,30}?)\s*:(?:\s+|$)")


@dataclass(frozen=True)
class Capture:
    """What one line of typing means: the idea's text and its links."""

    text: str
    participant: Participant | None = None
    builds_on_seq: int | None = None


def find_participant(token: str, participants: Sequence[Participant]) -> Participant | None:
    """The participant a prefix names: a 1-based number, a whole name, or a unique start."""
    token = token.strip().casefold()
    if token.isdigit():
        index = int(token) - 1
        return participants[index] if 0 <= index < len(participants) else None
    if not token:
        return None
    exact = [p for p in participants if p.label.casefold() == token]
    if exact:
        return exact[0]
    starts = [p for p in participants if p.label.casefold().startswith(token)]
    return starts[0] if len(starts) == 1 and len(token) >= 2 else None


def parse_capture(line: str, participants: Sequence[Participant]) -> Capture:
    """Split shorthand prefixes off a typed line; unknown prefixes stay in the text."""
    text = line.strip()
    participant: Participant | None = None
    builds_on: int | None = None
    while text:
        if builds_on is None and (match := _BUILD_ON.match(text)):
            builds_on = int(match.group(1))
            text = text[match.end() :]
            continue
        if participant is None and (match := _SPEAKER.match(text)):
            found = find_participant(match.group(1), participants)
            if found is not None:
                participant = found
                text = text[match.end() :]
                continue
        break
    return Capture(text=text.strip(), participant=participant, builds_on_seq=builds_on)
