"""Provides the plain records the store hands out.

Every layer above the store works with these frozen dataclasses, never with
cursors or row dicts, so the SQL stays in one place and the domain stays
testable without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

#: Kinds of phase-log event. The live timer is derived from these alone ("pick" is
#: logged so the log tells the whole story; the timer ignores it).
PHASE_EVENT_KINDS = ("start", "pause", "resume", "extend", "end", "pick")

#: Kinds of idea row. Ideas are append-only: a withdrawal or a correction is
#: a new row that points at the one it replaces.
IDEA_KINDS = ("idea", "withdrawal", "correction")

#: Kinds of entry a captured row can be (its `entry`, apart from its row `kind`):
#: Synectics sorts what the room says, and only some of it is an idea.
ENTRY_KINDS = ("idea", "springboard", "excursion", "concern", "plus", "potential")
#: The kinds that are ideas: themes are built from these, and "N ideas" counts them.
#: Excursion material is stimulus; pluses, potentials and concerns develop one idea.
THEMED_ENTRIES = ("idea", "springboard")

#: Participant roles a plan can give; the problem owner picks the direction.
ROLES = ("problem_owner",)


@dataclass(frozen=True)
class Plan:
    """A session plan as loaded into the study (the YAML text is kept too)."""

    id: int
    name: str
    path: str
    source: str
    created_at: float


@dataclass(frozen=True)
class Session:
    """One ideation session run from a plan."""

    id: int
    plan_id: int | None
    name: str
    status: str  # "planned", "running", "ended"
    created_at: float
    started_at: float | None = None
    ended_at: float | None = None
    anonymous_mode: bool = False  # new ideas are captured without a name while on
    imported_from: str = ""  # the file an imported session came from; "" = run live


@dataclass(frozen=True)
class Phase:
    """One agenda item of a session, copied from its plan when the session starts."""

    id: int
    session_id: int
    position: int  # 0-based order in the agenda
    title: str
    technique: str
    planned_seconds: int
    prompts: tuple[str, ...] = ()
    stimuli: tuple[str, ...] = ()
    notes: str = ""
    say: str = ""  # the plan's say-text template for this item ("" = the technique's)
    card: str = ""  # the plan's stimulus-card template ("" = the technique's)


@dataclass(frozen=True)
class PhaseEvent:
    """One entry of the phase log: what ran, when, paused, extended."""

    id: int
    session_id: int
    kind: str  # one of PHASE_EVENT_KINDS
    at: float  # wall-clock seconds since the epoch
    position: int | None = None  # agenda position for "start"
    seconds: int = 0  # for "extend"
    note: str = ""


@dataclass(frozen=True)
class Participant:
    """Someone in the room; may be anonymous, may come from a screener."""

    id: int
    session_id: int
    label: str  # the name or alias shown on screen
    anonymous: bool = False
    respondent_id: int | None = None
    person_id: int | None = None
    role: str = ""  # "" or one of ROLES ("problem_owner")


@dataclass(frozen=True)
class Idea:
    """One captured row. `kind` says whether it is an idea or a withdrawal/correction."""

    id: int
    session_id: int
    seq: int  # per-session number, the one people say aloud ("+12")
    text: str
    kind: str = "idea"
    participant_id: int | None = None
    phase_id: int | None = None
    technique: str = ""
    builds_on: int | None = None  # idea id
    replaces: int | None = None  # idea id, for withdrawals and corrections
    created_at: float = 0.0
    entry: str = "idea"  # one of ENTRY_KINDS: what the row says, apart from its row kind


@dataclass(frozen=True)
class Pick:
    """A choice of direction at a decision point (not a rating): one entry chosen,
    by the problem owner or the facilitator, in the phase that asked for it."""

    id: int
    session_id: int
    phase_id: int
    idea_id: int
    participant_id: int | None
    at: float


@dataclass(frozen=True)
class Screener:
    """A screener definition loaded into the study; known by its study and name."""

    id: int
    name: str
    title: str
    path: str
    source: str
    created_at: float
    study: str = ""


class Decision(StrEnum):
    """The recruiter's decision on a respondent, as stored ("" is undecided).

    The words people type (`ideation decide … accept`) and the suggestions of the
    quota fill ("accept", "standby", "" for no place) map here, and only here.
    """

    ACCEPTED = "accepted"
    STANDBY = "standby"
    REJECTED = "rejected"
    UNDECIDED = ""

    @classmethod
    def from_word(cls, word: str) -> Decision:
        """The decision a typed word names: accept, standby, reject or undecided."""
        for decision in cls:
            if decision.word == word:
                return decision
        raise ValueError(f"expected one of {', '.join(DECISION_WORDS)}, not {word!r}")

    @classmethod
    def from_suggestion(cls, suggestion: str) -> Decision:
        """The decision that follows the quota fill's suggestion ("" = no place)."""
        return {"accept": cls.ACCEPTED, "standby": cls.STANDBY}.get(suggestion, cls.REJECTED)

    @property
    def word(self) -> str:
        """What a recruiter types for it: accept, standby, reject, undecided."""
        return _DECISION_WORD[self]

    @property
    def shown(self) -> str:
        """The decision as said to the recruiter: "undecided" rather than nothing."""
        return self.value or "undecided"


_DECISION_WORD = {
    Decision.ACCEPTED: "accept",
    Decision.STANDBY: "standby",
    Decision.REJECTED: "reject",
    Decision.UNDECIDED: "undecided",
}
#: The words `ideation decide` takes, in the order its help lists them.
DECISION_WORDS = tuple(_DECISION_WORD.values())


class DecidedBy(StrEnum):
    """Who made a respondent's decision, as stored ("" while undecided): the recruiter
    (a decision, an interview, an override) or the quota fill applied to everyone
    undecided, so a reason never calls the fill's choice the recruiter's."""

    RECRUITER = "recruiter"
    FILL = "fill"
    NOBODY = ""

    @property
    def said(self) -> str:
        """Who decided, as a reason says it: "the recruiter", "the quota fill"."""
        return {DecidedBy.RECRUITER: "the recruiter", DecidedBy.FILL: "the quota fill"}.get(
            self, "nobody"
        )


class Attendance(StrEnum):
    """What became of an invitation, as the participation ledger stores it. Only
    ATTENDED counts as having taken part: a no-show or a decline bars nobody."""

    INVITED = "invited"
    ATTENDED = "attended"
    DECLINED = "declined"
    NO_SHOW = "no_show"

    @classmethod
    def from_word(cls, word: str) -> Attendance:
        """The state a typed word names (`no-show` and `no_show` both work)."""
        try:
            return cls(word.strip().lower().replace("-", "_"))
        except ValueError:
            words = ", ".join(a.word for a in cls)
            raise ValueError(f"expected one of {words}, not {word!r}") from None

    @property
    def word(self) -> str:
        """The state as the CLI's `--status` spells it (no-show, not no_show)."""
        return self.value.replace("_", "-")


@dataclass(frozen=True)
class LedgerRow:
    """One participation-ledger row as another study file takes it in: the person's
    keys (normalised emails and phones), the study, when, and its state. `origin` says
    which invitation it is ("spring.db, session 4", or where the row was itself imported
    from; "" for a row written before sessions were kept), so importing the file again
    after a mark was corrected there updates the row rather than adding a second one."""

    keys: tuple[str, ...]
    study: str
    at: float
    status: str
    origin: str = ""


@dataclass(frozen=True)
class Respondent:
    """One person who answered a screener (contact details live apart)."""

    id: int
    screener_id: int
    external_id: str
    source: str = ""
    duration_seconds: float | None = None
    status: str = "complete"  # "complete", "terminated"
    terminate_reason: str = ""
    decision: Decision = Decision.UNDECIDED
    decision_reason: str = ""
    #: What an accept or a standby overruled (a terminate, excluding flags), recorded
    #: when the recruiter overrode it on purpose; "" when it overruled nothing.
    decision_override: str = ""
    #: Who made `decision`: the recruiter or the quota fill (NOBODY while undecided).
    decided_by: DecidedBy = DecidedBy.NOBODY
    answers: dict[str, Any] = field(default_factory=dict)
    imported_at: float = 0.0


@dataclass(frozen=True)
class ReplacedAnswers:
    """An answer set a re-import replaced: what the respondent said before, kept."""

    respondent_id: int
    answers: dict[str, Any]
    contact: dict[str, str]
    duration_seconds: float | None
    source: str
    imported_at: float
    replaced_at: float
    replaced_by: str


@dataclass(frozen=True)
class Contact:
    """Personal data of a respondent: kept in its own table, never exported by default."""

    respondent_id: int
    name: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Activity:
    """One line of the study's recent activity, newest first."""

    at: float
    what: str


@dataclass(frozen=True)
class Score:
    """One explained score of a respondent (involvement, creativity, composite, …).

    An explanation given as a str is already JSON text, stored as it is: assessing
    100,000 people builds theirs from parts shared between them, each encoded once.
    Scores read back from the store always hold the dict."""

    respondent_id: int
    kind: str
    value: float
    explanation: dict[str, Any] | str = field(default_factory=dict)


@dataclass(frozen=True)
class Flag:
    """A data-quality flag with the evidence behind it."""

    respondent_id: int
    kind: str
    reason: str


@dataclass(frozen=True)
class ClusteringRecord:
    """One revision of a theme structure; the automatic one is never overwritten."""

    id: int
    scope: tuple[int, ...]  # session ids
    parent_id: int | None
    automatic: bool
    model: str
    params: dict[str, Any]
    note: str
    created_at: float


@dataclass(frozen=True)
class ThemeRecord:
    """A theme of a clustering revision."""

    id: int
    clustering_id: int
    number: int
    label: str
    representative_idea_id: int | None


@dataclass(frozen=True)
class Membership:
    """Which theme an idea is in, in one revision, and what is special about it."""

    idea_id: int
    theme_number: int
    duplicate_group: int | None = None
    wild: bool = False


@dataclass(frozen=True)
class Lease:
    """Who controls a live session: one screen writes, any other only watches.

    `holder` reads "label@host:pid"; a lease not renewed for the store's lease
    time, or held by a dead process on this host, may be taken over."""

    session_id: int
    holder: str
    taken_at: float
    renewed_at: float


# -- the room ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Device:
    """One participant's phone or laptop in the room. Its cookie holds a secret; the
    study keeps only the secret's sha256, so a copied study lets nobody in."""

    id: int
    session_id: int
    participant_id: int | None  # None: joined anonymously
    label: str  # the chosen name, or "Anonymous N"
    joined_at: float
    last_seen_at: float
    revoked_at: float | None = None
    user_agent: str = ""


@dataclass(frozen=True)
class RoomWrite:
    """One idea a device sent, already checked under the capture rules and ready to
    commit with others in one transaction (`Store.add_room_ideas`)."""

    device_id: int
    nonce: str  # the send's idempotency key: the same (device, nonce) is one idea
    text: str
    fields: dict[str, Any]  # `Store.add_idea`'s keywords: at, participant_id, phase_id, …


# -- imported ideas ---------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedIdea:
    """One idea read from a file, ready to append to a session: `key` identifies its
    source row (so a second import skips it), `builds_on_key` the row it builds on."""

    key: str
    text: str
    row: int  # its row (or line) in the file
    participant_id: int | None = None
    phase_id: int | None = None
    technique: str = ""
    created_at: float | None = None  # None: the time of the import
    builds_on_key: str | None = None
