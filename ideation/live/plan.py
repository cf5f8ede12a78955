"""Provides loading and checking of session plan YAML files.

A plan is written by hand before the session, often on a laptop that saves
in Windows-1252 or with a BOM, and it is read again at the start of the
session with a room full of people waiting. So every problem with the file is
reported as one `PlanError` line that names the file, the line and the field,
and says what was expected — never a traceback. The file-format-independent
machinery (decoding, line-numbered loading, the generic walker) lives in
`ideation.yamlfile`, shared with the screener loader.

`check_plan` then gives warnings, not errors, about plans that will load but
are likely to run badly (no break, very short divergent phases, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ruamel.yaml.comments import CommentedMap

from ideation.live.techniques import (
    HITS,
    PICK_STEPS,
    PLACEHOLDERS,
    TECHNIQUES,
    placeholders,
    unknown_placeholders,
)
from ideation.records import ROLES
from ideation.text import one_line
from ideation.yamlfile import (
    YamlFileError,
    YamlReader,
    describe,
    is_bool,
    join,
    key_lines,
    line_of,
    load_source,
    read_source,
)

#: Longest agenda item accepted, in minutes (a whole working day).
MAX_MINUTES = 480
#: Shortest: the timer and the phase log count whole seconds, and anything under a
#: minute is a typo (0.001 would be a phase that ends as it starts).
MIN_MINUTES = 1

TOP_KEYS = ("name", "brief", "participants", "agenda", "room")
ROOM_KEYS = ("anonymous_join",)
BRIEF_KEYS = (
    "problem_as_given",
    "background",
    "tried",
    "opportunity_areas",
    "springboards",
)
PARTICIPANT_KEYS = ("name", "alias", "anonymous", "role")
_WHO_KEYS = ("name", "alias", "anonymous")
AGENDA_KEYS = (
    "title",
    "technique",
    "minutes",
    "prompts",
    "stimuli",
    "notes",
    "say",
    "card",
    "hits",
)
#: How many ideas each participant may tap in a hits phase unless the item says.
DEFAULT_HITS = 3
#: The most an agenda item may give: beyond this, a hit stops meaning "most intriguing".
MAX_HITS = 20

_ANALOGIES = ("direct_analogy", "personal_analogy", "symbolic_analogy", "fantasy_analogy")


class PlanError(YamlFileError):
    """A plan file that cannot be used; `str()` is one line: path:line: field: what."""


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
    role: str = ""  # "" or "problem_owner" (the client, who picks the direction)


@dataclass(frozen=True)
class AgendaItem:
    """One phase of the plan; `prompts` already holds the technique's defaults."""

    title: str
    technique: str
    minutes: float
    prompts: tuple[str, ...]
    stimuli: tuple[str, ...]
    notes: str
    say: str = ""  # a say-text template overriding the technique's ("" = keep it)
    card: str = ""  # a stimulus-card template overriding the technique's
    hits: int = DEFAULT_HITS  # ideas each participant may tap (a `hits` phase only)

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
    #: The room (participants' own devices) may be joined without picking a name.
    anonymous_join: bool = False

    @property
    def total_minutes(self) -> float:
        """Planned length of the whole agenda, before any extensions."""
        return sum(item.minutes for item in self.agenda)

    @property
    def problem_owner(self) -> PlannedParticipant | None:
        return next((p for p in self.participants if p.role == "problem_owner"), None)

    def session_phases(self) -> list[dict[str, Any]]:
        """The agenda as the store copies it into a new session."""
        return [
            {
                "title": item.title,
                "technique": item.technique,
                "planned_seconds": item.planned_seconds,
                "prompts": item.prompts or TECHNIQUES[item.technique].default_prompts,
                "stimuli": item.stimuli,
                "notes": item.notes,
                "say": item.say,
                "card": item.card,
            }
            for item in self.agenda
        ]

    def session_participants(self) -> list[dict[str, Any]]:
        """The people as the store copies them into a new session."""
        return [
            {"label": p.label, "anonymous": p.anonymous, "role": p.role} for p in self.participants
        ]


# --------------------------------------------------------------------------
# Loading


def load_plan(path: str | Path) -> SessionPlan:
    """Read and validate a plan file; unreadable files are a PlanError too."""
    return parse_plan(read_source(path, PlanError), str(path))


def parse_plan(text: str, path: str = "<plan>") -> SessionPlan:
    """Validate plan text; `path` is only used to name the file in errors."""
    text, root = load_source(text, path, PlanError)
    return _Reader(path).plan(root, text)


# --------------------------------------------------------------------------
# Validation


class _Reader(YamlReader):
    """Walks the loaded YAML and builds the plan, failing at the first problem."""

    error = PlanError

    # -- the plan and its parts ------------------------------------------------

    def plan(self, root: Any, text: str) -> SessionPlan:
        root = self.root_mapping(root, text, "plan", "a mapping with name, brief and agenda")
        line = line_of(root)
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
            anonymous_join=self.room(root, line),
        )

    def room(self, root: CommentedMap, root_line: int) -> bool:
        """The optional `room:` settings; today only whether joining needs a name."""
        if "room" not in root:
            return False
        node, line = self.mapping(root, "room", "", root_line, "a mapping with anonymous_join")
        self.known_keys(node, "room", ROOM_KEYS, line)
        return self.flag(node, "anonymous_join", "room", line)

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
        owner: str | None = None
        for field, node, line in items:
            node = self.item_mapping(
                node, field, line, "{name: ...}, {alias: ...} or {anonymous: true}"
            )
            self.known_keys(node, field, PARTICIPANT_KEYS, line)
            role = self.role(node, field, line)
            if role == "problem_owner":
                if owner is not None:
                    _, role_line = key_lines(node, "role", line)
                    self.fail(
                        role_line,
                        join(field, "role"),
                        f"only one problem owner per session; {owner} is one already",
                    )
                owner = field
            given = [k for k in _WHO_KEYS if k in node]
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
                if not is_bool(value) or not value:
                    _, value_line = key_lines(node, key, line)
                    self.fail(
                        value_line,
                        join(field, key),
                        "expected true (to name someone, use name: or alias:), "
                        f"got {describe(value)}",
                    )
                anonymous += 1
                people.append(PlannedParticipant(f"Anonymous {anonymous}", True, role))
            else:
                name = self.text(node, key, field, line, True)
                if one_line(name) != name:  # shown on screens, projected, printed
                    _, value_line = key_lines(node, key, line)
                    self.fail(
                        value_line,
                        join(field, key),
                        "expected a name on one line without control characters "
                        f"(an escape sequence or a line break), got {name!r}",
                    )
                people.append(PlannedParticipant(name, role=role))
        return tuple(people)

    def role(self, node: CommentedMap, parent: str, line: int) -> str:
        if "role" not in node:
            return ""
        return self.choice(node, "role", parent, line, ROLES, "role")

    def template(self, node: CommentedMap, key: str, parent: str, line: int) -> str:
        """A say/card override: text whose placeholders are all ones a pick fills."""
        text = self.text(node, key, parent, line)
        if not text:
            return ""
        _, value_line = key_lines(node, key, line)
        known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        try:
            unknown = unknown_placeholders(text)
        except ValueError as error:
            self.fail(
                value_line,
                join(parent, key),
                f"broken placeholder ({error}); write {{{{ and }}}} for a literal brace",
            )
        if unknown:
            self.fail(
                value_line,
                join(parent, key),
                f"unknown placeholder {{{unknown[0]}}}; expected one of: {known}",
            )
        return text

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
                    say=self.template(node, "say", field, line),
                    card=self.template(node, "card", field, line),
                    hits=self.hits(node, technique, field, line),
                )
            )
        return tuple(agenda)

    def hits(self, node: CommentedMap, technique: str, parent: str, line: int) -> int:
        """How many ideas each participant may tap; only a hits phase takes it."""
        if "hits" not in node:
            return DEFAULT_HITS
        if technique != HITS:
            _, value_line = key_lines(node, "hits", line)
            self.fail(
                value_line,
                join(parent, "hits"),
                f"only an item with technique: {HITS} takes hits; remove it or change"
                f" the technique (this one is {technique})",
            )
        return cast(
            int,
            self.number(
                node,
                "hits",
                parent,
                line,
                f"a whole number of hits per participant, 1 to {MAX_HITS}",
                check=lambda number: 1 <= number <= MAX_HITS,
                whole=True,
            ),
        )

    def technique(self, node: CommentedMap, parent: str, line: int) -> str:
        ids = tuple(TECHNIQUES)
        return self.choice(node, "technique", parent, line, ids, "technique", "a technique id")

    def minutes(self, node: CommentedMap, parent: str, line: int) -> float:
        # Required, so the reader never hands back None here.
        return cast(
            float,
            self.number(
                node,
                "minutes",
                parent,
                line,
                f"a number of minutes, at least {MIN_MINUTES} and at most {MAX_MINUTES}",
                required=True,
                check=lambda number: MIN_MINUTES <= number <= MAX_MINUTES,
            ),
        )


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
        if item.technique == HITS and not any(
            TECHNIQUES[earlier.technique].captures_ideas for earlier in agenda[:i]
        ):
            warnings.append(
                f"{name(i)}: no phase before it captures ideas, so there is nothing to tap"
            )
        if item.technique == "force_fit":
            before = {earlier.technique for earlier in agenda[:i]}
            if not before.intersection(_ANALOGIES):
                warnings.append(
                    f"{name(i)}: no analogy excursion before it, so there is no "
                    "material to force-fit"
                )

    for i in range(len(agenda)):
        warnings.extend(f"{name(i)}: {w}" for w in _unfed_templates(agenda, i))

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


def _unfed_templates(agenda: tuple[AgendaItem, ...], i: int) -> list[str]:
    """Placeholders of this item's own say/card that no earlier (or this) phase picks
    (the technique's templates fall back to its plain text by design)."""
    picked = {
        PICK_STEPS[TECHNIQUES[earlier.technique].pick or ""]
        for earlier in agenda[: i + 1]
        if TECHNIQUES[earlier.technique].pick
    }
    out = []
    for key, template in (("say", agenda[i].say), ("card", agenda[i].card)):
        for needed in dict.fromkeys(placeholders(template)):
            if needed not in picked:
                what, where = PLACEHOLDERS[needed]
                out.append(
                    f"its {key} uses {{{needed}}}, but no phase before it picks a {what}"
                    f" ({where}); the guide will show the plain text instead"
                )
    return out
