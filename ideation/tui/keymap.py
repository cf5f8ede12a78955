"""Provides the live screen's keys, each with an id, and the user's keymap file.

F5-F10 are media keys on many laptops and macOS terminals send F-keys only
with fn, so every F-key action also has a ctrl (or alt) key, and any binding
can be moved in a small TOML file, one section per screen:

    # ~/.config/ideation/keymap.toml  (or $XDG_CONFIG_HOME/ideation/keymap.toml,
    # or the file named by $IDEATION_KEYMAP)
    [live]
    next_phase = "ctrl+n,f9"
    pause = "ctrl+s"

The value replaces all keys of that binding (comma-separated Textual key
names). A file that does not parse, names an unknown binding or gives an
odd key is refused with one line naming the file and line. This module
imports only Textual's `Binding`, so the home screen pays nothing for it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from textual.binding import Binding

from ideation.errors import IdeationError

#: The environment variable naming a keymap file (overrides the default place).
KEYMAP_ENV = "IDEATION_KEYMAP"

#: One Textual key name: modifiers joined by '+', then a key (f9, pageup, a, slash...).
KEY_NAME = re.compile(r"^((ctrl|alt|shift|super|meta)\+)*([a-z0-9_]+|[!-~])$")


class KeymapError(IdeationError):
    """The keymap file cannot be used (names the file and line)."""


def live(key: str, action: str, description: str, tooltip: str, **options: object) -> Binding:
    """A live-screen binding whose id is `live.<action name>` (what the keymap file uses)."""
    name = options.pop("name", None) or action.split("(")[0]
    return Binding(
        key,
        action,
        description,
        tooltip=tooltip,
        id=f"live.{name}",
        priority=True,
        **options,  # type: ignore[arg-type]
    )


#: The live screen's keys, most used first (the footer shows them in this order).
LIVE_BINDINGS: list[Binding] = [
    live("ctrl+n,f9", "next_phase", "Next", "Start the next phase (or the first)"),
    live(
        "ctrl+g,f1",
        "toggle_guide",
        "Guide",
        "Show or hide the full guide (PgUp/PgDn or Ctrl+Up/Down scroll it)",
        name="guide",
    ),
    live("ctrl+r,f2", "next_card", "Card", "Show the next stimulus card", name="card"),
    live("ctrl+y,f11", "pick", "Pick", "Pick the selected entry at this decision point"),
    live("ctrl+s,f5", "toggle_pause", "Pause", "Pause or resume the phase timer", name="pause"),
    live("ctrl+f,f6", "extend(1)", "+1m", "Give the phase one more minute", name="extend_1"),
    live("ctrl+j,f12", "park_concern", "Park", "Park the judgement heard as a 'How to…' concern"),
    live("ctrl+q", "quit", "Quit", "Leave ideation; unsaved lines are kept for next time"),
    live(
        "ctrl+t",
        "next_speaker",
        "Who",
        "Cycle who the next entry is from (or type 'Maya:' / '2:')",
        name="speaker",
    ),
    live("ctrl+o", "build_on", "Build on", "Build the next entry on the selected one (or '+12')"),
    live("ctrl+b,f8", "previous_phase", "Back", "Go back to the previous phase"),
    # not alt+f: Textual reads ESC f as ctrl+right (iTerm word moves), so it never arrives
    live("alt+m,f7", "extend(5)", "+5m", "Give the phase five more minutes", name="extend_5"),
    live(
        "alt+a,f3",
        "toggle_anonymous",
        "Anonymous",
        "Stop or resume attributing entries to people (kept with the session)",
        name="anonymous",
    ),
    live("ctrl+z,f4", "withdraw", "Withdraw", "Withdraw the selected entry (kept in the history)"),
    live(
        "alt+r",
        "room",
        "Room",
        "Open the room to participants' devices, or show its QR code, devices and stop",
    ),
    live(
        "alt+p",
        "attendance",
        "People",
        "Mark who came: attended, declined or no-show (only attendance counts as taking part)",
    ),
    live("alt+e,f10", "end_session", "End", "End the session"),
    live(
        "ctrl+l",
        "take_over",
        "Take over",
        "Run this session from here, once its other screen has let go",
    ),
    live(
        "pagedown,ctrl+down",
        "scroll(1)",
        "Scroll down",
        "Scroll the guide (or the entries) down a page",
        name="scroll_down",
        show=False,
    ),
    live(
        "pageup,ctrl+up",
        "scroll(-1)",
        "Scroll up",
        "Scroll the guide (or the entries) up a page",
        name="scroll_up",
        show=False,
    ),
    live("up", "select(-1)", "", "", name="select_up", show=False),
    live("down", "select(1)", "", "", name="select_down", show=False),
    Binding(
        "escape",
        "leave",
        "Home",
        tooltip="Back to the study (the timer runs on; unsaved lines are kept)",
        id="live.home",
    ),
]


def known_ids() -> set[str]:
    """Every binding id a keymap file may name."""
    return {b.id for b in LIVE_BINDINGS if b.id}


def keymap_path() -> Path:
    """Where the user's keymap file lives (it need not exist)."""
    named = os.environ.get(KEYMAP_ENV)
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "ideation" / "keymap.toml"


def _line_of(lines: list[str], section: str, key: str) -> int:
    """The 1-based line that sets `key` in `[section]` (0 when not found)."""
    current = ""
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            current = stripped.strip("[] ")
        elif current == section and re.match(rf'^["\']?{re.escape(key)}["\']?\s*=', stripped):
            return number
    return 0


def load_keymap(path: Path) -> dict[str, str]:
    """The file's bindings as {binding id: keys}; {} if there is no file; `KeymapError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise KeymapError(f"{path}: cannot read the keymap ({error})") from None
    import tomllib  # only when there is a file: the first paint does not pay for it

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        where = f"{path}:{found.group(1)}" if found else str(path)
        raise KeymapError(f"{where}: not a keymap ({str(error).split(' (at')[0]})") from None
    lines = text.splitlines()
    known = known_ids()
    dead = never_arrive()
    keymap: dict[str, str] = {}
    for section, table in data.items():
        if not isinstance(table, dict):
            line = _line_of(lines, "", section)
            raise KeymapError(
                f"{path}:{line}: '{section}' is not a section; write [live] above the keys"
            )
        for name, keys in table.items():
            line = _line_of(lines, section, name)
            binding = f"{section}.{name}"
            if binding not in known:
                names = ", ".join(sorted(k.split(".", 1)[1] for k in known))
                raise KeymapError(
                    f"{path}:{line}: no binding '{name}' in [{section}] (known: {names})"
                )
            parts = [k.strip() for k in keys.split(",")] if isinstance(keys, str) else []
            if not parts or not all(KEY_NAME.match(k) for k in parts):
                raise KeymapError(
                    f"{path}:{line}: '{name}' needs keys as a string such as \"ctrl+n,f9\""
                )
            if lost := next((k for k in parts if k in dead), None):
                raise KeymapError(
                    f"{path}:{line}: '{lost}' never reaches ideation: a terminal sends it as"
                    f" the same bytes as {dead[lost]}; choose another key"
                )
            keymap[binding] = ",".join(parts)
    return keymap


def never_arrive() -> dict[str, str]:
    """Alt keys Textual reads as something else ("alt+f" arrives as ctrl+right, iTerm's
    word move), with what they arrive as: a binding to one of them is dead."""
    try:
        from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
    except ImportError:  # a Textual that moved its table: nothing known to be lost
        return {}
    lost = {}
    for sequence, keys in ANSI_SEQUENCES_KEYS.items():
        if len(sequence) == 2 and sequence[0] == "\x1b" and sequence[1].isalpha():
            names = [key.value for key in keys] if isinstance(keys, tuple) else [keys]
            if f"alt+{sequence[1]}" not in names:
                lost[f"alt+{sequence[1]}"] = " ".join(map(str, names))
    return lost
