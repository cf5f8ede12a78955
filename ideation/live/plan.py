"""Provides loading and checking of session plan YAML files.

A plan is written by hand before the session, often on a laptop that saves
in Windows-1252 or with a BOM, and it is read again at the start of the
session with a room full of people waiting. So every problem with the file is
reported as one `PlanError` line that names the file, the line and the field,
and says what was expected — never a traceback. The round-trip loader of
ruamel.yaml is used because it keeps the line of every key and value.

`check_plan` then gives warnings, not errors, about plans that will load but
are likely to run badly (no break, very short divergent phases, ...).
"""

from __future__ import annotations

import codecs
import difflib
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarbool import ScalarBoolean

from ideation.live.techniques import TECHNIQUES

#: Longest agenda item accepted, in minutes (a whole working day).
MAX_MINUTES = 480

TOP_KEYS = ("name", "brief", "participants", "agenda")
BRIEF_KEYS = (
    "problem_as_given",
    "background",
    "tried",
    "opportunity_areas",
    "springboards",
)
PARTICIPANT_KEYS = ("name", "alias", "anonymous")
AGENDA_KEYS = ("title", "technique", "minutes", "prompts", "stimuli", "notes")

_ANALOGIES = ("direct_analogy", "personal_analogy", "symbolic_analogy", "fantasy_analogy")

# Pseudo-fields for problems that are not about one key.
_FILE = "(file)"
_YAML = "(yaml)"
_TOP = "(top level)"


class PlanError(ValueError):
    """A plan file that cannot be used; `str()` is one line: path:line: field: what."""

    def __init__(self, path: str, line: int, field: str, what: str) -> None:
        # Kept as args so the error pickles and compares like any exception.
        super().__init__(path, line, field, " ".join(str(what).split()))
        self.path = path
        self.line = line
        self.field = field
        self.what = self.args[3]

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.what}"


@dataclass(frozen=True)
class Brief:
    """What the problem owner brings: the task and what is known around it."""

    problem_as_given: str
    background: str = ""
    tried: tuple[str, ...] = ()
    opportunity_areas: tuple[str, ...] = ()
    springboards: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlannedParticipant:
    """Someone expected in the room, as the plan names them."""

    label: str  # the name or alias; "Anonymous N" for anonymous ones
    anonymous: bool = False


@dataclass(frozen=True)
class AgendaItem:
    """One phase of the plan; `prompts` already holds the technique's defaults."""

    title: str
    technique: str
    minutes: float
    prompts: tuple[str, ...]
    stimuli: tuple[str, ...]
    notes: str

    @property
    def planned_seconds(self) -> int:
        """Whole seconds, because the phase log and timer count in seconds."""
        return round(self.minutes * 60)


@dataclass(frozen=True)
class SessionPlan:
    """A validated plan; `source` is the decoded text, kept for the study record."""

    name: str
    brief: Brief
    participants: tuple[PlannedParticipant, ...]
    agenda: tuple[AgendaItem, ...]
    path: str
    source: str

    @property
    def total_minutes(self) -> float:
        """Planned length of the whole agenda, before any extensions."""
        return sum(item.minutes for item in self.agenda)


# --------------------------------------------------------------------------
# Loading


def load_plan(path: str | Path) -> SessionPlan:
    """Read and validate a plan file; unreadable files are a PlanError too."""
    shown = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PlanError(shown, 1, _FILE, f"cannot read the file: {reason}") from None
    return parse_plan(_decode(data, shown), shown)


def parse_plan(text: str, path: str = "<plan>") -> SessionPlan:
    """Validate plan text; `path` is only used to name the file in errors."""
    if isinstance(text, bytes | bytearray):
        text = _decode(bytes(text), path)
    text = text.removeprefix("\ufeff")
    root = _load_yaml(text, path)
    return _Reader(path).plan(root, text)


def _decode(data: bytes, path: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise PlanError(
                path, _byte_line(data, exc.start), _FILE, "not valid UTF-16 after its BOM"
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise PlanError(
            path,
            _byte_line(data, exc.start),
            _FILE,
            f"byte 0x{data[exc.start]:02x} is neither UTF-8 nor Windows-1252; "
            "save the file as UTF-8",
        ) from None


def _byte_line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _load_yaml(text: str, path: str) -> Any:
    """Parse with the round-trip loader, turning every failure into a PlanError."""
    yaml = YAML(typ="rt", pure=True)
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise PlanError(path, line, _YAML, _yaml_problem(exc)) from None
    except ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise PlanError(
            path,
            line,
            _YAML,
            f"character #x{exc.character:04x} is not allowed: {exc.reason}",
        ) from None
    except RecursionError:
        raise PlanError(path, 1, _YAML, "the YAML is nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - any loader failure is bad input
        what = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PlanError(path, 1, _YAML, f"cannot parse the YAML: {what}") from None


def _yaml_problem(exc: MarkedYAMLError) -> str:
    """ruamel's problem text, made one line, with a hint for the usual mistakes."""
    problem = exc.problem or (str(exc).splitlines() or ["invalid YAML"])[0]
    if isinstance(exc, DuplicateKeyError):
        problem += "; each key may appear only once in a mapping"
    elif exc.context:
        if (
            exc.context_mark is not None
            and exc.problem_mark is not None
            and (exc.context_mark.line != exc.problem_mark.line)
        ):
            problem += f" ({exc.context}, started at line {exc.context_mark.line + 1})"
        else:
            problem += f" ({exc.context})"
    if "'\\t'" in problem:
        problem += "; indent with spaces, not tabs"
    elif "mapping values are not allowed" in problem:
        problem += "; put text that contains ': ' in quotes"
    return problem


# --------------------------------------------------------------------------
# Validation


def _line_of(node: Any, fallback: int = 1) -> int:
    """1-based line where a mapping or list starts."""
    try:
        return int(node.lc.line) + 1
    except (AttributeError, TypeError):
        return fallback


def _key_lines(mapping: CommentedMap, key: Any, fallback: int) -> tuple[int, int]:
    """1-based lines of a key and of its value.

    Keys brought in by a merge (`<<: *base`) have no position of their own, so
    they fall back to the mapping's line. ruamel places an empty value at the
    next token, so an empty value is reported on its key's line.
    """
    try:
        key_line = int(mapping.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return fallback, fallback
    value_line = key_line
    if mapping.get(key) is not None:
        try:
            value_line = int(mapping.lc.value(key)[0]) + 1
        except (AttributeError, KeyError, TypeError, IndexError):
            pass
    return key_line, value_line


def _item_line(seq: CommentedSeq, index: int, fallback: int) -> int:
    try:
        return int(seq.lc.item(index)[0]) + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return fallback


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool | ScalarBoolean)


def _describe(value: Any) -> str:
    """Say what was found, in the words a plan author would use."""
    if value is None:
        return "nothing (an empty value)"
    if _is_bool(value):
        return f"a true/false value ({'true' if value else 'false'})"
    if isinstance(value, TaggedScalar):
        return f"a value tagged {value.tag.value if value.tag else '?'}"
    if isinstance(value, str):
        if not value.strip():
            return "an empty string"
        text = value.strip().replace("\n", " ")
        if len(text) > 40:
            text = text[:39] + "…"
        return f"a string '{text}'"
    if isinstance(value, int):
        return f"a number ({int(value)})"
    if isinstance(value, float):
        return f"a number ({float(value):g})"
    if isinstance(value, date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _text_hint(value: Any) -> str:
    """Why a would-be string did not come out as one, when the cause is usual."""
    if isinstance(value, dict) and len(value) == 1:
        return "; put text that contains ': ' in quotes"
    if isinstance(value, int | float | date) or _is_bool(value):
        return "; put it in quotes to use it as text"
    return ""


def _suggest(word: Any, choices: tuple[str, ...]) -> str:
    """A "did you mean 'x'? " clause for the closest choice, or nothing."""
    if not isinstance(word, str):
        return ""
    normal = word.strip().lower().replace("-", "_").replace(" ", "_")
    if normal in choices and normal != word:
        return f"did you mean '{normal}'? "
    close = difflib.get_close_matches(normal, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


def _join(parent: str, key: Any) -> str:
    return f"{parent}.{key}" if parent else str(key)


class _Reader:
    """Walks the loaded YAML and builds the plan, failing at the first problem."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, line: int, field: str, what: str) -> NoReturn:
        raise PlanError(self.path, line, field, what)

    # -- the plan and its parts ------------------------------------------------

    def plan(self, root: Any, text: str) -> SessionPlan:
        if root is None:
            self.fail(1, _FILE, "the plan is empty; expected a mapping with name, brief and agenda")
        if not isinstance(root, dict):
            line = _line_of(root, _first_content_line(text))
            self.fail(
                line, _TOP, f"expected a mapping with name, brief and agenda, got {_describe(root)}"
            )
        line = _line_of(root)
        self.known_keys(root, "", TOP_KEYS, line)
        name = self.text(root, "name", "", line, required=True)
        brief = self.brief(root, line)
        participants = self.participants(root, line)
        agenda = self.agenda(root, line)
        return SessionPlan(
            name=name,
            brief=brief,
            participants=participants,
            agenda=agenda,
            path=self.path,
            source=text,
        )

    def brief(self, root: CommentedMap, root_line: int) -> Brief:
        node, line = self.mapping(root, "brief", "", root_line, "a mapping with problem_as_given")
        self.known_keys(node, "brief", BRIEF_KEYS, line)
        return Brief(
            problem_as_given=self.text(node, "problem_as_given", "brief", line, True),
            background=self.text(node, "background", "brief", line),
            tried=self.texts(node, "tried", "brief", line) or (),
            opportunity_areas=self.texts(node, "opportunity_areas", "brief", line) or (),
            springboards=self.texts(node, "springboards", "brief", line) or (),
        )

    def participants(self, root: CommentedMap, root_line: int) -> tuple[PlannedParticipant, ...]:
        items = self.items(
            root, "participants", "", root_line, "a list of participants", required=False
        )
        people: list[PlannedParticipant] = []
        anonymous = 0
        for field, node, line in items:
            node = self.item_mapping(
                node, field, line, "{name: ...}, {alias: ...} or {anonymous: true}"
            )
            self.known_keys(node, field, PARTICIPANT_KEYS, line)
            given = [k for k in PARTICIPANT_KEYS if k in node]
            if len(given) != 1:
                found = " and ".join(given) if given else "none"
                self.fail(
                    line,
                    field,
                    f"expected exactly one of name, alias or anonymous: true; got {found}",
                )
            key = given[0]
            if key == "anonymous":
                value = node[key]
                if not _is_bool(value) or not value:
                    _, value_line = _key_lines(node, key, line)
                    self.fail(
                        value_line,
                        _join(field, key),
                        "expected true (to name someone, use name: or alias:), "
                        f"got {_describe(value)}",
                    )
                anonymous += 1
                people.append(PlannedParticipant(f"Anonymous {anonymous}", True))
            else:
                people.append(PlannedParticipant(self.text(node, key, field, line, True)))
        return tuple(people)

    def agenda(self, root: CommentedMap, root_line: int) -> tuple[AgendaItem, ...]:
        items = self.items(
            root, "agenda", "", root_line, "a non-empty list of agenda items", required=True
        )
        agenda: list[AgendaItem] = []
        for field, node, line in items:
            node = self.item_mapping(
                node, field, line, "a mapping with title, technique and minutes"
            )
            self.known_keys(node, field, AGENDA_KEYS, line)
            title = self.text(node, "title", field, line, required=True)
            technique = self.technique(node, field, line)
            minutes = self.minutes(node, field, line)
            prompts = self.texts(node, "prompts", field, line)
            if prompts is None:
                prompts = TECHNIQUES[technique].default_prompts
            agenda.append(
                AgendaItem(
                    title=title,
                    technique=technique,
                    minutes=minutes,
                    prompts=prompts,
                    stimuli=self.texts(node, "stimuli", field, line) or (),
                    notes=self.text(node, "notes", field, line),
                )
            )
        return tuple(agenda)

    def technique(self, node: CommentedMap, parent: str, line: int) -> str:
        field = _join(parent, "technique")
        ids = tuple(TECHNIQUES)
        if "technique" not in node:
            self.fail(line, field, f"required key missing; expected one of: {', '.join(ids)}")
        _, value_line = _key_lines(node, "technique", line)
        value = node["technique"]
        if not isinstance(value, str) or not value.strip():
            self.fail(
                value_line,
                field,
                f"expected a technique id, got {_describe(value)}; "
                f"expected one of: {', '.join(ids)}",
            )
        if value not in TECHNIQUES:
            self.fail(
                value_line,
                field,
                f"unknown technique '{value}'; {_suggest(value, ids)}"
                f"expected one of: {', '.join(ids)}",
            )
        return str(value)

    def minutes(self, node: CommentedMap, parent: str, line: int) -> float:
        field = _join(parent, "minutes")
        expected = f"a number of minutes, more than 0 and at most {MAX_MINUTES}"
        if "minutes" not in node:
            self.fail(line, field, f"required key missing; expected {expected}")
        _, value_line = _key_lines(node, "minutes", line)
        value = node["minutes"]
        if _is_bool(value) or not isinstance(value, int | float):
            hint = ""
            if isinstance(value, str) and _is_number(value):
                hint = "; write the number without quotes"
            self.fail(value_line, field, f"expected {expected}, got {_describe(value)}{hint}")
        number: float = int(value) if isinstance(value, int) else float(value)
        if not math.isfinite(number) or number <= 0 or number > MAX_MINUTES:
            self.fail(value_line, field, f"expected {expected}, got {number:g}")
        return number

    # -- generic shapes ------------------------------------------------------------

    def known_keys(self, node: CommentedMap, parent: str, keys: tuple[str, ...], line: int) -> None:
        """Unknown keys first, so a typo is named instead of "missing"."""
        for key in node:
            if key in keys:
                continue
            key_line, _ = _key_lines(node, key, line)
            self.fail(
                key_line,
                _join(parent, key),
                f"unknown key; {_suggest(key, keys)}expected one of: {', '.join(keys)}",
            )

    def mapping(
        self,
        parent: CommentedMap,
        key: str,
        parent_field: str,
        parent_line: int,
        expected: str,
    ) -> tuple[CommentedMap, int]:
        """A required mapping under `key`, with the line of its key."""
        field = _join(parent_field, key)
        if key not in parent:
            self.fail(parent_line, field, f"required key missing; expected {expected}")
        key_line, value_line = _key_lines(parent, key, parent_line)
        node = parent[key]
        if not isinstance(node, dict):
            self.fail(value_line, field, f"expected {expected}, got {_describe(node)}")
        return node, key_line

    def item_mapping(self, node: Any, field: str, line: int, expected: str) -> CommentedMap:
        if not isinstance(node, dict):
            self.fail(line, field, f"expected {expected}, got {_describe(node)}{_text_hint(node)}")
        return node

    def items(
        self,
        parent: CommentedMap,
        key: str,
        parent_field: str,
        parent_line: int,
        expected: str,
        required: bool,
    ) -> list[tuple[str, Any, int]]:
        """(field, node, line) for each item of a list under `key`."""
        field = _join(parent_field, key)
        if key not in parent or (parent[key] is None and not required):
            if required:
                self.fail(parent_line, field, f"required key missing; expected {expected}")
            return []
        _, value_line = _key_lines(parent, key, parent_line)
        seq = parent[key]
        if not isinstance(seq, list):
            self.fail(value_line, field, f"expected {expected}, got {_describe(seq)}")
        if required and not seq:
            self.fail(value_line, field, f"expected {expected}, got an empty list")
        return [
            (f"{field}[{i}]", item, _item_line(seq, i, value_line)) for i, item in enumerate(seq)
        ]

    def text(
        self, node: CommentedMap, key: str, parent: str, line: int, required: bool = False
    ) -> str:
        """A string value, stripped; optional ones default to ""."""
        field = _join(parent, key)
        if key not in node:
            if required:
                self.fail(line, field, "required key missing; expected a non-empty string")
            return ""
        _, value_line = _key_lines(node, key, line)
        value = node[key]
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            self.fail(
                value_line,
                field,
                f"expected a string, got {_describe(value)}{_text_hint(value)}",
            )
        if required and not value.strip():
            self.fail(value_line, field, f"expected a non-empty string, got {_describe(value)}")
        return str(value).strip()

    def texts(self, node: CommentedMap, key: str, parent: str, line: int) -> tuple[str, ...] | None:
        """An optional list of non-empty strings; None when absent or empty-valued."""
        field = _join(parent, key)
        if key not in node or node[key] is None:
            return None
        _, value_line = _key_lines(node, key, line)
        seq = node[key]
        if not isinstance(seq, list):
            self.fail(value_line, field, f"expected a list of strings, got {_describe(seq)}")
        out: list[str] = []
        for i, item in enumerate(seq):
            if not isinstance(item, str) or not item.strip():
                self.fail(
                    _item_line(seq, i, value_line),
                    f"{field}[{i}]",
                    f"expected a non-empty string, got {_describe(item)}{_text_hint(item)}",
                )
            out.append(str(item).strip())
        return tuple(out)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _first_content_line(text: str) -> int:
    """Line of the first thing that is not blank, a comment or a directive."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "%")) and stripped != "---":
            return number
    return 1


# --------------------------------------------------------------------------
# Warnings


def check_plan(plan: SessionPlan) -> list[str]:
    """Warnings about a plan that loads but will probably run badly, one line each."""
    agenda = plan.agenda
    warnings: list[str] = []

    def name(i: int) -> str:
        return f"agenda[{i}] '{agenda[i].title}' ({agenda[i].technique})"

    total = plan.total_minutes
    if total > 360:
        warnings.append(
            f"agenda: {total:g} minutes in total is over 6 hours; consumers tire "
            "long before that — split it into two sessions"
        )

    breaks = [i for i, item in enumerate(agenda) if item.technique == "break"]
    if not breaks and total > 120:
        warnings.append(
            f"agenda: no break in a {total:g}-minute plan; add an item with "
            "technique: break every 90 minutes or so"
        )
    elif breaks:
        start = 0
        for end in [*breaks, len(agenda)]:
            run = sum(item.minutes for item in agenda[start:end])
            if run > 120:
                warnings.append(
                    f"{name(start)} to {name(end - 1)}: {run:g} minutes without a "
                    "break; add a break in between"
                )
            start = end + 1

    for i, item in enumerate(agenda):
        tech = TECHNIQUES.get(item.technique)
        if tech is not None and tech.divergent and item.minutes < 3:
            warnings.append(
                f"{name(i)}: only {item.minutes:g} minutes for a divergent phase; "
                "under 3 minutes rarely gets past the obvious ideas"
            )
        if i and item.technique == agenda[i - 1].technique:
            warnings.append(
                f"{name(i)}: same technique as agenda[{i - 1}] "
                f"'{agenda[i - 1].title}' just before; merge them or vary the technique"
            )
        if item.technique == "force_fit":
            before = {earlier.technique for earlier in agenda[:i]}
            if not before.intersection(_ANALOGIES):
                warnings.append(
                    f"{name(i)}: no analogy excursion before it, so there is no "
                    "material to force-fit"
                )

    seen: set[str] = set()
    for person in plan.participants:
        label = person.label.casefold()
        if label in seen:
            warnings.append(
                f"participants: '{person.label}' appears more than once; ideas "
                "could not be told apart — use an alias"
            )
        seen.add(label)
    return warnings
