"""Provides the capture shorthand a facilitator types while people talk.

`Maya: a pod you can plant` attributes to Maya (any unique start of a name,
one letter will do, case-insensitive), `2: ...` to the second participant,
`+12 ...` builds on entry 12, and a kind prefix sets what the entry is: `/s`
springboard, `/x` excursion, `/c` concern, `/p` plus, `/o` potential, `/i`
idea. They combine in any order (`+12 /c ma: how to keep it cheap`). Text that
only looks like shorthand is kept as typed, and a name or number that matches
nobody is reported (`unknown`) so the screen can say so: nothing the room said
is ever dropped by the parser.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ideation.records import Participant

_BUILD_ON = re.compile(r"^\+(\d{1,6})(?=\s|$|[,:;])[,:;]?\s*")
_SPEAKER = re.compile(r"^([^\s:+/][^:]{0,30}?)\s*:(?:\s+|$)")
_KIND = re.compile(r"^/([sxcpoi])(?=\s|$)\s*", re.IGNORECASE)

#: The kind prefixes: the letter after "/" -> the entry kind.
KIND_PREFIXES: dict[str, str] = {
    "s": "springboard",
    "x": "excursion",
    "c": "concern",
    "p": "plus",
    "o": "potential",
    "i": "idea",
}
#: Longest single word taken as a name that matches nobody ("Bob:"); longer or
#: spaced prefixes ("The problem is: …") are ordinary text.
_NAME_LIKE = re.compile(r"^[^\s]{1,20}$")


@dataclass(frozen=True)
class Capture:
    """What one line of typing means: the entry's text, its links and its kind."""

    text: str
    participant: Participant | None = None
    builds_on_seq: int | None = None
    entry: str | None = None  # set by a kind prefix; None = the phase's default
    unknown: str | None = None  # a name or number prefix that matched nobody (or several)
    note: str = ""  # what to tell the facilitator about `unknown`


def candidates(token: str, participants: Sequence[Participant]) -> list[Participant]:
    """Who a prefix could name: a 1-based number, a whole name, or every name it starts."""
    token = token.strip().casefold()
    if token.isdigit():
        index = int(token) - 1
        return [participants[index]] if 0 <= index < len(participants) else []
    if not token:
        return []
    exact = [p for p in participants if p.label.casefold() == token]
    return exact[:1] or [p for p in participants if p.label.casefold().startswith(token)]


def find_participant(token: str, participants: Sequence[Participant]) -> Participant | None:
    """The participant a prefix names: a 1-based number, a whole name, or a unique
    start (a single letter is enough when only one name begins with it)."""
    found = candidates(token, participants)
    return found[0] if len(found) == 1 else None


def parse_capture(line: str, participants: Sequence[Participant]) -> Capture:
    """Split shorthand prefixes off a typed line; unknown prefixes stay in the text."""
    text = line.strip()
    participant: Participant | None = None
    builds_on: int | None = None
    entry: str | None = None
    unknown: str | None = None
    note = ""
    while text:
        if builds_on is None and (match := _BUILD_ON.match(text)):
            builds_on = int(match.group(1))
        elif entry is None and (match := _KIND.match(text)):
            entry = KIND_PREFIXES[match.group(1).lower()]
        elif participant is None and (match := _SPEAKER.match(text)):
            found = candidates(match.group(1), participants)
            if len(found) != 1:
                token = match.group(1).strip()
                if _NAME_LIKE.match(token):
                    unknown = token  # kept in the text, and reported
                    note = _unknown_note(token, found)
                break
            participant = found[0]
        else:
            break
        text = text[match.end() :]
    return Capture(
        text=text.strip(),
        participant=participant,
        builds_on_seq=builds_on,
        entry=entry,
        unknown=unknown,
        note=note,
    )


def _unknown_note(token: str, found: Sequence[Participant]) -> str:
    if found:
        names = " or ".join(p.label for p in found[:3])
        return f"'{token}' could be {names} — kept as typed"
    return f"no participant '{token}' — kept as typed"
