"""Provides the room: participants' own devices as a front door into one running session.

The web pages (`ideation.web`) call only this module, so what a participant may do
is decided here, next to the live session's rules, and is testable without a
server. Participants are writers but not controllers: they take no lease, and the
phase, the timer and anonymous mode stay with the live screen. What they send goes
through the same capture rules as the facilitator's box (`LiveSession.rule`), minus
the shorthand: "Maya: x" or "+3 x" typed on a phone is just text, so nobody can
speak for someone else; a build-on comes only from the brainwriting pool's link.

A join token per session opens the room; each device that joins gets a secret for
its cookie, and the study keeps only the secret's sha256. Hits, the one judging in
the product, are positive only and only given in a `hits` phase.
"""

from __future__ import annotations

import hashlib
import math
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ideation.errors import IdeationError
from ideation.live.clock import Clock
from ideation.live.critique import detect_critique
from ideation.live.plan import DEFAULT_HITS
from ideation.live.session import LiveSession
from ideation.live.techniques import BRAINWRITING, HITS, technique
from ideation.records import THEMED_ENTRIES, Device, Idea, Phase, RoomWrite
from ideation.store import Store, lease_holder
from ideation.text import one_line

#: The longest idea a device may send, in characters (the page says the same number).
MAX_IDEA_CHARS = 500
#: Ideas on the room display, newest first.
LATEST_IDEAS = 12
#: A device's last-seen time is noted at most this often (a write per request is waste)...
TOUCH_EVERY_SECONDS = 10
#: ...and, like a pool idea shown, written with the next send's transaction, or alone
#: once the oldest such note is this old.
PENDING_SECONDS = 60
#: Longest nonce or secret accepted from a device; anything longer is not ours.
MAX_TOKEN_CHARS = 128
#: Phase-log events after which the clock is running (the countdown changes each second).
_RUNNING_EVENTS = ("start", "resume", "extend")

NOT_RUNNING = "this session is not running"

__all__ = [
    "MAX_IDEA_CHARS",
    "DeviceRevoked",
    "NotJoined",
    "Room",
    "RoomClosed",
    "RoomRefused",
    "RoomView",
    "Submission",
    "device_description",
]


class RoomClosed(IdeationError):
    """A wrong or expired join token, or a session that is not running."""


class NotJoined(RoomClosed):
    """A device secret this session does not know: the device must join (again)."""


class DeviceRevoked(IdeationError):
    """The facilitator removed this device from the session."""


class RoomRefused(IdeationError):
    """A request the room cannot take now; the message says why, for the page to show."""


class RoomServedElsewhere(IdeationError):
    """Another live process already serves this session's room (one line: where)."""


@dataclass(frozen=True)
class RoomView:
    """Everything /room and /join show, already safe to show: no emails or phones, no
    names in anonymous mode, nothing critical among the ideas, every text on one line."""

    version: str  # changes whenever anything visible changes (see `Room.version`)
    session_title: str
    phase_title: str  # "" before the first phase
    technique: str  # technique id ("brainwriting", "hits", …), "" before the first phase
    technique_name: str
    capturing: bool  # a capturing phase is running (not paused, ended or a break)
    hits_open: bool  # a hits phase is running
    hits_limit: int  # hits per participant in this phase
    paused: bool
    ended: bool
    remaining_seconds: int | None  # the phase's countdown; negative is overtime
    prompt: str  # the stimulus card or the phase's first prompt ("" when none)
    chain: list[tuple[str, str]]  # the Synectics chain so far: (step, text)
    latest: list[tuple[int, str, str | None]]  # newest first: (seq, text, author or None)


@dataclass(frozen=True)
class Submission:
    """One idea as a device sent it (`Room.submit_many` commits many at once)."""

    device: Device
    text: str
    builds_on: int | None = None
    nonce: str | None = None


#: (what the user agent contains, what to call it), first match wins: Edge and Chrome
#: on iOS say "Safari" too, and every Android browser says "Linux".
_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_description(user_agent: str) -> str:
    """A short name for a device from its user agent ("Safari on iPhone"), so the
    facilitator can tell two devices of one person apart; "unknown browser" else."""
    browser = next((name for key, name in _BROWSERS if key in user_agent), "")
    system = next((name for key, name in _SYSTEMS if key in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "unknown browser"


def served_elsewhere(store: Store, session_id: int) -> tuple[int, str] | None:
    """(process id, "host:port") of another live process serving the session's room
    (`ideation serve` beside the live screen), or None: the screen says where it is
    rather than "Room off", and does not try to start a second one on a busy port."""
    token = store.room_token(session_id)
    if token is None:
        return None
    pid, where = store.room_server(token)
    if pid is None or pid == os.getpid() or not _pid_alive(pid):
        return None
    return pid, where


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def on_wall(idea: Idea) -> bool:
    """Whether an idea may be shown to the room (the projector, the hits list): no
    concerns and nothing critical, since deferral of judgement holds there too."""
    return idea.entry != "concern" and detect_critique(idea.text) is None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _clean(text: str) -> str:
    """An idea as a device sent it, on one line: control characters and terminal escapes
    gone, runs of whitespace (a pasted paragraph's newlines) one space."""
    return " ".join(one_line(text).split())


class Room:
    """The room's front door into one running session."""

    def __init__(self, store: Store, session_id: int, clock: Clock, token: str = "") -> None:
        self.store = store
        self.session_id = session_id
        self.clock = clock
        self.token = token
        self._live: LiveSession | None = None
        #: Notes not yet written, to go with the next transaction (no fsync of their
        #: own): devices' last-seen times (device id -> time), pool ideas shown
        #: (device id, idea id, time), and since when the oldest has waited.
        self._seen: dict[int, float] = {}
        self._shown: list[tuple[int, int, float]] = []
        self._pending_since: float | None = None
        #: Brainwriting: the pool idea each device's page shows next, picked right after
        #: its send (`ready_pool`) and handed out by `pool_idea`.
        self._pooled: dict[int, Idea | None] = {}
        #: `on_wall` by idea id: a row never changes, and every page render asks again
        #: about the newest ideas (the critique check is the costliest part of a render).
        self._wall: dict[int, bool] = {}
        self._serving = False  # this process noted itself as the room's server

    @classmethod
    def open(cls, store: Store, session_id: int, clock: Clock) -> Room:
        """The room of a session that has not ended: its open join token, or a new one."""
        if store.session(session_id).status == "ended":
            raise RoomClosed(NOT_RUNNING)
        token = store.open_room(session_id, secrets.token_urlsafe(16), clock.now())
        return cls(store, session_id, clock, token)

    @classmethod
    def find(cls, store: Store, token: str, clock: Clock) -> Room:
        """The room a join token opens; RoomClosed for an unknown, closed or ended one."""
        session_id = store.room_session(token) if 0 < len(token) <= MAX_TOKEN_CHARS else None
        if session_id is None or store.session(session_id).status == "ended":
            raise RoomClosed(NOT_RUNNING)
        return cls(store, session_id, clock, token)

    def close(self) -> None:
        """The server stops: write what waits, and say nobody serves the room now. The
        join token lives as long as the session (phones and the handed-out QR code work
        again after a restart); once the session has ended it is expired for good."""
        self._write_pending()
        if not self.token:
            return
        if self.store.session(self.session_id).status == "ended":
            self.store.close_room(self.token, self.clock.now())
        elif self._serving:
            self.store.set_room_server(self.token, None)
        self._serving = False

    def claim_server(self, address: str) -> None:
        """Note that this process serves the room at `address` ("host:port");
        RoomServedElsewhere while another live process does (no second server)."""
        pid, where = self.store.room_server(self.token)
        if pid is not None and pid != os.getpid() and _pid_alive(pid):
            raise RoomServedElsewhere(
                f"the room of session {self.session_id} already runs at {where or '?'}"
                f" (process {pid}); open that address, or stop that room first"
            )
        self.store.set_room_server(self.token, os.getpid(), address)
        self._serving = True

    # -- the live session, followed read-only ---------------------------------------------

    def _follow(self, *, running: bool = True) -> LiveSession:
        """The session as the store holds it now; with `running`, RoomClosed once ended."""
        if self._live is None:
            self._live = LiveSession(
                self.store, self.session_id, self.clock, holder=lease_holder("room")
            )
            self._live.watch()  # the room never controls the session
        else:
            self._live.follow()
        if running and (self._live.session.status == "ended" or self._live.state().ended):
            raise RoomClosed(NOT_RUNNING)
        return self._live

    def _running_phase(self, live: LiveSession) -> Phase:
        """The phase running now; RoomRefused before the first one and while paused."""
        phase = live.current_phase
        if phase is None:
            raise RoomRefused("the session has not started yet")
        if live.state().paused:
            raise RoomRefused("the session is paused; send it when it carries on")
        return phase

    def _hits_limit(self, live: LiveSession, phase: Phase | None) -> int:
        plan = live.plan
        if plan is None or phase is None or phase.position >= len(plan.agenda):
            return DEFAULT_HITS
        item = plan.agenda[phase.position]
        return item.hits if item.technique == phase.technique else DEFAULT_HITS

    # -- joining ------------------------------------------------------------------------

    def choices(self) -> list[tuple[int, str]]:
        """The names a participant picks from: (participant id, label)."""
        return [(p.id, one_line(p.label, 80)) for p in self.store.participants(self.session_id)]

    @property
    def anonymous_join(self) -> bool:
        """The plan lets people join without a name (or there is no name to pick)."""
        live = self._follow(running=False)
        return (live.plan is not None and live.plan.anonymous_join) or not live.participants

    def join(
        self, participant_id: int | None, user_agent: str = "", address: str = ""
    ) -> tuple[Device, str]:
        """A device joins as a participant (None: anonymously, where the plan allows);
        returns the device and the secret for its cookie (stored only as its sha256).
        A client `address` whose device was revoked may not join again: a fresh browser
        must not undo a revoke."""
        live = self._follow()
        if address and self.store.address_revoked(self.session_id, address):
            raise RoomRefused(
                "a device from this address was removed from the session;"
                " ask the facilitator if you think that is a mistake"
            )
        label: str | None = None
        if participant_id is None:
            if not self.anonymous_join:
                raise RoomRefused("pick your name: this session does not take anonymous joins")
        else:
            person = live.participant(participant_id)
            if person is None:
                raise RoomRefused("pick your name from the list")
            label = person.label
        secret = secrets.token_urlsafe(32)
        device = self.store.add_device(
            self.session_id,
            _digest(secret),
            participant_id,
            label,
            user_agent=one_line(user_agent, 200),
            client_address=one_line(address, 64),
            at=self.clock.now(),
        )
        return device, secret

    def device(self, secret: str) -> Device:
        """The device a cookie's secret belongs to; notes that it was seen."""
        found = None
        if 0 < len(secret) <= MAX_TOKEN_CHARS:
            found = self.store.device_by_secret(_digest(secret))
        if found is None or found.session_id != self.session_id:
            raise NotJoined("this device has not joined this session; open the join address")
        if found.revoked_at is not None:
            raise DeviceRevoked("the facilitator has removed this device from the session")
        now = self.clock.now()
        if now - self._seen.get(found.id, found.last_seen_at) >= TOUCH_EVERY_SECONDS:
            self._seen[found.id] = now
            self._pending_since = self._pending_since or now
        if self._pending_since is not None and now - self._pending_since >= PENDING_SECONDS:
            self._write_pending()
        return replace(found, last_seen_at=self._seen.get(found.id, found.last_seen_at))

    def _write_pending(self, writes: Sequence[RoomWrite] = ()) -> list[Idea | Exception]:
        """Commit `writes` (ideas) with every note waiting in memory, in one transaction;
        alone, for a room where nobody has sent for a while."""
        if not (writes or self._seen or self._shown):
            return []
        seen, shown = self._seen, self._shown
        self._seen, self._shown, self._pending_since = {}, [], None
        try:
            return self.store.add_room_ideas(self.session_id, writes, seen=seen, shown=shown)
        except BaseException:
            self._seen, self._shown = {**seen, **self._seen}, shown + self._shown
            self._pending_since = self._pending_since or self.clock.now()
            raise

    def devices(self) -> list[Device]:
        """Every device of the session, with last-seen times not yet written."""
        return [
            replace(d, last_seen_at=max(d.last_seen_at, self._seen.get(d.id, 0.0)))
            for d in self.store.devices(self.session_id)
        ]

    def revoke(self, device_id: int) -> None:
        if not any(d.id == device_id for d in self.devices()):
            raise RoomRefused("that is no device of this session")  # ids are not shown
        self.store.revoke_device(device_id, self.clock.now())

    def _check(self, device: Device) -> None:
        if device.session_id != self.session_id:
            raise NotJoined("this device has not joined this session; open the join address")
        if device.revoked_at is not None:
            raise DeviceRevoked("the facilitator has removed this device from the session")

    # -- ideas --------------------------------------------------------------------------

    def submit(
        self,
        device: Device,
        text: str,
        builds_on: int | None = None,
        nonce: str | None = None,
    ) -> Idea:
        """Commit one idea from a device under the live session's capture rules; it is in
        the study when this returns. The same (device, nonce) twice is one idea."""
        result = self.submit_many([Submission(device, text, builds_on, nonce)])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def submit_many(self, sent: Sequence[Submission]) -> list[Idea | Exception]:
        """Group commit: ideas from many devices (in the order given, so each device's
        stay in its order), checked one by one, then committed in one short transaction:
        one fsync for all of them. Each comes back in its place as its stored idea or as
        its error (a RoomRefused for one does not stop the others); every idea returned
        is committed."""
        results: list[Idea | Exception | None] = [None] * len(sent)
        try:
            live = self._follow()
        except IdeationError as closed:
            return [closed] * len(sent)
        writes: list[RoomWrite] = []
        placed: list[int] = []
        for index, item in enumerate(sent):
            try:
                writes.append(self._checked(live, item))
            except IdeationError as refused:
                results[index] = refused
                continue
            placed.append(index)
        if writes:
            for index, outcome in zip(placed, self._write_pending(writes), strict=True):
                results[index] = outcome
        return [r for r in results if r is not None]

    def ready_pool(self, devices: Sequence[Device]) -> None:
        """Right after their sends were acknowledged: pick each device's next pool idea
        for the page it loads next (reads only); marked shown with the next transaction,
        so the pool costs no commit of its own."""
        live = self._follow(running=False)
        if not self._pool_open(live):
            return
        now = self.clock.now()
        for device in {d.id: d for d in devices}.values():
            pick = self._pick(live, device)
            self._pooled[device.id] = pick
            if pick is not None:
                self._shown.append((device.id, pick.id, now))
                self._pending_since = self._pending_since or now

    def _checked(self, live: LiveSession, item: Submission) -> RoomWrite:
        """One send, under the capture rules: its row, or RoomRefused saying why not."""
        device = item.device
        self._check(device)
        idea_text = _clean(item.text)
        if not idea_text:
            raise RoomRefused("write an idea first: this one is empty")
        if len(idea_text) > MAX_IDEA_CHARS:
            raise RoomRefused(
                f"an idea is at most {MAX_IDEA_CHARS} characters; this one has {len(idea_text)}"
            )
        nonce = item.nonce
        if nonce is not None and not 0 < len(nonce) <= MAX_TOKEN_CHARS:
            raise RoomRefused("this page is out of date; reload it and send the idea again")
        phase = self._running_phase(live)
        chosen = technique(phase.technique)
        if not chosen.captures_ideas:
            raise RoomRefused(f"ideas are not being collected during “{one_line(phase.title)}”")
        builds_on = item.builds_on
        target = live.idea_by_id(builds_on) if builds_on is not None else None
        if target is not None and live.is_withdrawn(target):
            target = None  # kept, unlinked: what was said matters more than the link
        at = self.clock.now()
        ruling = live.rule(idea_text, at, builds_on=target, linked=builds_on is not None)
        author = None if live.anonymous_mode else device.participant_id
        return RoomWrite(
            device.id, nonce or secrets.token_hex(8), idea_text, {"at": at, **ruling.fields(author)}
        )

    def _pool_open(self, live: LiveSession) -> bool:
        phase = live.current_phase
        return phase is not None and phase.technique == BRAINWRITING and not live.state().paused

    def _pick(self, live: LiveSession, device: Device) -> Idea | None:
        phase = live.current_phase
        return self.store.pool_pick(
            self.session_id, device.id, device.participant_id, phase.id if phase else None
        )

    def pool_idea(self, device: Device) -> Idea | None:
        """Brainwriting's pool: one idea by someone else to build on, never this device's
        or its participant's, not one it has seen while others remain; None outside a
        running brainwriting phase or when nobody else has written yet."""
        self._check(device)
        live = self._follow()
        if not self._pool_open(live):
            return None
        if device.id in self._pooled:  # picked right after its send (`ready_pool`)
            ready = self._pooled.pop(device.id)
            if ready is None or not live.is_withdrawn(ready):
                return ready
        pick = self._pick(live, device)
        if pick is not None:
            self._shown.append((device.id, pick.id, self.clock.now()))
            self._write_pending()  # shown at once: asked again, the pool moves on
        return pick

    # -- hits ---------------------------------------------------------------------------

    def hit_candidates(self) -> list[Idea]:
        """The ideas to tap in a hits phase (standing ideas and springboards, in capture
        order); none at any other time, so nobody sees others' ideas to judge them."""
        live = self._follow()
        phase = live.current_phase
        if phase is None or phase.technique != HITS:
            return []
        return [
            idea for idea in live.standing() if idea.entry in THEMED_ENTRIES and self._on_wall(idea)
        ]

    def hits_of(self, device: Device) -> set[int]:
        """Idea ids this device (or its participant, on another device) has hit."""
        return self.store.hits_of(device.id, device.participant_id)

    def _hits_phase(self, device: Device) -> tuple[LiveSession, Phase]:
        self._check(device)
        live = self._follow()
        phase = self._running_phase(live)
        if phase.technique != HITS:
            raise RoomRefused(
                "hits are given only in a hits phase; while ideas are being made, nothing is judged"
            )
        return live, phase

    def hit(self, device: Device, idea_id: int) -> None:
        """Give an idea a hit (once per person); RoomRefused past the phase's limit."""
        live, phase = self._hits_phase(device)
        idea = live.idea_by_id(idea_id)
        if (
            idea is None
            or live.is_withdrawn(idea)
            or idea.entry not in THEMED_ENTRIES
            or not self._on_wall(idea)
        ):
            raise RoomRefused("there is no such idea to hit")
        limit = self._hits_limit(live, phase)
        outcome = self.store.add_hit(
            self.session_id,
            idea.id,
            phase.id,
            device.id,
            device.participant_id,
            limit=limit,
            at=self.clock.now(),
        )
        if outcome == "full":
            raise RoomRefused(
                f"you have given all {limit} hits; take one back to give it to this idea"
            )

    def unhit(self, device: Device, idea_id: int) -> None:
        """Take a hit back (in the hits phase only, like giving one)."""
        self._hits_phase(device)
        self.store.remove_hit(idea_id, device.id, device.participant_id)

    def hit_counts(self) -> dict[int, int]:
        """Idea id -> hits, for the live screen and the export."""
        return self.store.hit_counts([self.session_id])

    # -- what the room shows ------------------------------------------------------------

    def version(self) -> str:
        """Changes whenever anything /room or /join shows changes: one statement of
        indexed lookups (newest row, newest phase event, session state, hits), plus the
        clock's second while the countdown runs. Cheap enough to poll for live updates."""
        rows, events, last_event, state, hits = self.store.room_version(self.session_id)
        tick = int(self.clock.now()) if last_event in _RUNNING_EVENTS else 0
        return f"{rows}.{events}.{state}.{hits}.{tick}"

    def view(self, *, wall: bool = True) -> RoomView:
        """Everything a page needs, derived from the live session's phase log and rows;
        without the `wall` (the chain and the latest ideas) for a phone's page, which
        never shows others' ideas, and is rendered after every send."""
        version = self.version()
        live = self._follow(running=False)
        state = live.state()
        phase = live.current_phase
        chosen = technique(phase.technique) if phase else None
        ended = state.ended or live.session.status == "ended"
        running = phase is not None and not state.paused and not ended
        card = live.guide().card if phase else None
        prompt = card or (phase.prompts[0] if phase and phase.prompts else "")
        return RoomView(
            version=version,
            session_title=one_line(live.session.name, 200),
            phase_title=one_line(phase.title, 200) if phase else "",
            technique=chosen.id if chosen else "",
            technique_name=chosen.name if chosen else "",
            capturing=running and chosen is not None and chosen.captures_ideas,
            hits_open=running and chosen is not None and chosen.id == HITS,
            hits_limit=self._hits_limit(live, phase),
            paused=state.paused and not ended,
            ended=ended,
            remaining_seconds=(
                None if phase is None or ended else math.ceil(state.remaining_seconds - 1e-6)
            ),
            prompt=one_line(prompt, MAX_IDEA_CHARS),
            chain=[
                (step, one_line(idea.text, MAX_IDEA_CHARS)) for step, idea in live.chain().steps()
            ]
            if wall
            else [],
            latest=self._latest(live) if wall else [],
        )

    def _on_wall(self, idea: Idea) -> bool:
        shown = self._wall.get(idea.id)
        if shown is None:
            shown = self._wall[idea.id] = on_wall(idea)
        return shown

    def _latest(self, live: LiveSession) -> list[tuple[int, str, str | None]]:
        """The newest ideas for the display: no concerns and nothing critical (deferral
        of judgement holds on the wall too), no names in anonymous mode."""
        latest: list[tuple[int, str, str | None]] = []
        for idea in reversed(live.standing()):
            if len(latest) >= LATEST_IDEAS:
                break
            if not self._on_wall(idea):
                continue
            person = None if live.anonymous_mode else live.participant(idea.participant_id)
            latest.append(
                (
                    idea.seq,
                    one_line(idea.text, MAX_IDEA_CHARS),
                    one_line(person.label, 80) if person else None,
                )
            )
        return latest
