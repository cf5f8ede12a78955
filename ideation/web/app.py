"""Provides the room's web app: the participant page and the projector display.

Participants join at `/join/<token>` (the token is the session's secret; a device
cookie, path-scoped to it, names each phone), see the phase and prompt and send
ideas; forms post and redirect back (303), so everything works without
JavaScript, and `static/room.js` only swaps in fresh parts of the page when the
room's event stream says something changed. The projector display `/room` only
reads, and only this laptop may open it: the room names who said what when the
session is not anonymous, and no name may reach another device.

Every domain call runs on the one database thread (`db.RoomThread`); every
error is a readable page with a 4xx status (a bug: 500 and a crash log).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ideation.crashlog import write_crash_log
from ideation.errors import IdeationError, StoreError
from ideation.live.clock import Clock, SystemClock
from ideation.live.room import (
    MAX_IDEA_CHARS,
    DeviceRevoked,
    NotJoined,
    RoomClosed,
    RoomRefused,
    RoomView,
)
from ideation.records import Device, Idea
from ideation.text import one_line, plural
from ideation.web.db import RoomThread
from ideation.web.events import (
    POLL_SECONDS,
    STREAM_SECONDS,
    VersionWatch,
    same,
    version_events,
    without_tick,
)
from ideation.web.security import (
    COOKIE_SECONDS,
    CSRF_COOKIE,
    CSRF_FIELD,
    DEVICE_COOKIE,
    SECURITY_HEADERS,
    BodyLimit,
    RateLimit,
    SecurityHeaders,
    csrf_ok,
    new_csrf_token,
)

HERE = Path(__file__).parent
#: A device counts as connected this long after its last request, without a live page.
SEEN_SECONDS = 120
#: A nonce (idempotency key) longer than this is not one of ours.
MAX_NONCE_CHARS = 64


@dataclass(frozen=True)
class Limits:
    """How fast one device may write, and how long a live-update stream lives."""

    ideas_per_second: float = 1.0
    idea_burst: int = 5
    hits_per_second: float = 2.0
    hit_burst: int = 10
    #: Joins per client address: a burst, then one per two minutes (5 per 10 minutes).
    joins_per_second: float = 1 / 120
    join_burst: int = 5
    stream_seconds: float = STREAM_SECONDS
    poll_seconds: float = POLL_SECONDS


def _templates() -> jinja2.Environment:
    """Autoescape on for every template, whatever its name: ideas are hostile input."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["countdown"] = countdown
    return env


def countdown(seconds: int | None) -> str:
    """The countdown as "12:05", or "over by 1:10" past the end ("" without a timer)."""
    if seconds is None:
        return ""
    minutes, rest = divmod(abs(seconds), 60)
    text = f"{minutes}:{rest:02d}"
    return f"over by {text}" if seconds < 0 else text


def closed_reason(view: RoomView) -> str:
    """Why a participant cannot type an idea now, in words for the room."""
    if view.ended:
        return "The session has ended. Thank you for your ideas!"
    if not view.phase_title:
        return "The session has not started yet. Ideas open with the first phase."
    if view.paused:
        return "Capture is paused; your text is kept. Send it when the session carries on."
    if view.technique == "break":
        return "Capture is closed: it is a break. Your text is kept; send it after the break."
    return "Capture is closed in this phase; the facilitator will open it again."


@dataclass(frozen=True)
class DeviceState:
    """What the participant page shows one device, read in one database call."""

    device: Device
    view: RoomView
    pool: Idea | None = None  # someone else's idea to build on (brainwriting, after a send)
    candidates: tuple[Idea, ...] = ()  # ideas to hit in a hits phase
    hits: frozenset[int] = frozenset()

    @property
    def mode(self) -> str:
        if self.view.ended:
            return "ended"
        if self.view.hits_open:
            return "hits"
        return "capture" if self.view.capturing else "closed"


class RoomSite:
    """The routes and their shared state for one session's room."""

    def __init__(self, study_path: Path, db: RoomThread, limits: Limits, clock: Clock) -> None:
        self.study_path = study_path
        self.clock = clock
        self.db = db
        self.limits = limits
        self.env = _templates()
        self.watch = VersionWatch(db, limits.poll_seconds)
        self.idea_limit = RateLimit(limits.ideas_per_second, limits.idea_burst)
        self.hit_limit = RateLimit(limits.hits_per_second, limits.hit_burst)
        self.join_limit = RateLimit(limits.joins_per_second, limits.join_burst)
        self.streams: dict[int, int] = {}  # device id -> open live-update streams
        #: Device ids of the cookies seen with a device (only joined ones: at most one per
        #: device), so a send is rate-limited without a database turn of its own; the
        #: send itself checks the device again (`RoomThread.submit`).
        self.device_ids: dict[str, int] = {}
        self.open_streams = 0  # every open stream, projector included (see `stop`)
        self._connected = 0

    # -- plumbing ---------------------------------------------------------------

    @property
    def room(self) -> Any:
        return self.db.room

    def base(self) -> str:
        return f"/join/{self.room.token}"

    def render(
        self,
        request: Request,
        name: str,
        context: dict[str, Any],
        status: int = 200,
        *,
        csrf: str | None = None,
    ) -> HTMLResponse:
        """A page; `csrf` is the form token, set as the cookie too when new."""
        html = self.env.get_template(name).render(
            max_chars=MAX_IDEA_CHARS, csrf=csrf or "", **context
        )
        response = HTMLResponse(html, status_code=status)
        if csrf is not None and request.cookies.get(CSRF_COOKIE) != csrf:
            self._cookie(response, CSRF_COOKIE, csrf)
        return response

    def _cookie(self, response: Response, name: str, value: str) -> None:
        response.set_cookie(
            name,
            value,
            max_age=COOKIE_SECONDS,
            path=self.base(),
            httponly=True,
            samesite="strict",
        )

    def error_page(self, status: int, title: str, message: str) -> HTMLResponse:
        html = self.env.get_template("error.html").render(
            title=title, message=message, status=status
        )
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def check_token(self, request: Request) -> None:
        """A wrong token reads exactly like a stopped session: nothing to learn from it."""
        given = str(request.path_params.get("token", ""))
        if not hmac.compare_digest(given.encode(), self.room.token.encode()):
            raise RoomClosed("this session is not running")

    def csrf_for(self, request: Request) -> str:
        return request.cookies.get(CSRF_COOKIE) or new_csrf_token()

    async def posted(self, request: Request) -> FormData:
        """The form, once its CSRF token and origin are checked."""
        self.check_token(request)
        form = await request.form()
        if not csrf_ok(request, form.get(CSRF_FIELD)):
            raise HTTPException(403, "csrf")
        return form

    # -- participant page -------------------------------------------------------

    def _state(self, secret: str, sent: bool) -> DeviceState:
        """Runs on the database thread: the device, the room and what this page needs."""
        device = self.room.device(secret)
        view = self.room.view(wall=False)
        state = DeviceState(device, view)
        if view.ended:
            return state
        if view.hits_open:
            return DeviceState(
                device,
                view,
                candidates=tuple(self.room.hit_candidates()),
                hits=frozenset(self.room.hits_of(device)),
            )
        if sent and view.capturing and view.technique == "brainwriting":
            return DeviceState(device, view, pool=self.room.pool_idea(device))
        return state

    async def device_state(self, request: Request, sent: bool = False) -> DeviceState:
        secret = self._secret(request)
        state = await self.db.call(lambda: self._state(secret, sent))
        self.device_ids[secret] = state.device.id
        return state

    async def device_id(self, request: Request) -> int:
        """The id of the request's device, from a cookie seen before or, ahead of page
        renders, from the study: a send or a tap must not queue behind thirty pages."""
        secret = self._secret(request)
        known = self.device_ids.get(secret)
        if known is None:
            device = await self.db.call(lambda: self.room.device(secret), urgent=True)
            known = self.device_ids[secret] = device.id
        return known

    def _secret(self, request: Request) -> str:
        secret = request.cookies.get(DEVICE_COOKIE, "")
        if not secret:
            raise HTTPException(401, "no device")
        return secret

    def participant_page(
        self,
        request: Request,
        state: DeviceState,
        *,
        status: int = 200,
        notice: str = "",
        text: str = "",
        saved: int | None = None,
    ) -> HTMLResponse:
        view = state.view
        left = max(view.hits_limit - len(state.hits), 0)
        context = {
            "base": self.base(),
            "view": view,
            "device": state.device,
            "mode": state.mode,
            "closed": closed_reason(view),
            "running": not (view.paused or view.ended) and view.remaining_seconds is not None,
            "pool": state.pool,
            "candidates": state.candidates,
            "hits": state.hits,
            "hits_left": left,
            "hits_left_text": f"{plural(left, 'hit')} left of {view.hits_limit}",
            "notice": notice,
            "text": text,
            "saved": saved,
            "nonce": secrets.token_urlsafe(12),
        }
        return self.render(
            request, "participant.html", context, status, csrf=self.csrf_for(request)
        )

    async def join_page(self, request: Request) -> Response:
        self.check_token(request)
        if request.cookies.get(DEVICE_COOKIE):
            sent = request.query_params.get("sent", "")
            try:
                state = await self.device_state(request, sent=sent.isdigit())
            except NotJoined:  # a cookie from an earlier run of the room: join again
                response = await self.choose_page(request)
                response.delete_cookie(DEVICE_COOKIE, path=self.base())
                return response
            return self.participant_page(
                request, state, saved=int(sent) if sent.isdigit() else None
            )
        return await self.choose_page(request)

    async def choose_page(self, request: Request, status: int = 200, notice: str = "") -> Response:
        room = self.room
        choices, anonymous, view = await self.db.call(
            lambda: (room.choices(), room.anonymous_join, room.view(wall=False))
        )
        if view.ended:
            raise RoomClosed("this session is not running")
        context = {
            "base": self.base(),
            "view": view,
            "choices": choices,
            "anonymous_join": anonymous,
            "notice": notice,
        }
        return self.render(request, "join.html", context, status, csrf=self.csrf_for(request))

    async def join(self, request: Request) -> Response:
        form = await self.posted(request)
        choice = form.get("participant")
        if choice == "anonymous":
            participant_id = None
        elif isinstance(choice, str) and choice.isdigit():
            participant_id = int(choice)
        else:
            return await self.choose_page(request, 400, "Pick your name from the list to join.")
        agent = one_line(request.headers.get("user-agent", ""), 200)
        address = _remote_address(request)
        if address and not self.join_limit.allow(address):
            wait = self.join_limit.retry_after(address)
            response = await self.choose_page(
                request,
                429,
                "Too many joins from this network address; try again in"
                f" {plural(wait, 'second')} or ask the facilitator.",
            )
            response.headers["Retry-After"] = str(wait)
            return response
        try:
            _device, secret = await self.db.call(
                lambda: self.room.join(participant_id, agent, address)
            )
        except RoomRefused as refused:
            return await self.choose_page(request, 409, str(refused))
        response = RedirectResponse(self.base(), status_code=303)
        self._cookie(response, DEVICE_COOKIE, secret)
        return response

    async def submit(self, request: Request) -> Response:
        arrived = time.perf_counter()
        form = await self.posted(request)
        device_id = await self.device_id(request)
        text = form.get("text")
        text = text if isinstance(text, str) else ""
        builds_on = _int_or_none(form.get("builds_on"))
        nonce = form.get("nonce")
        nonce = nonce if isinstance(nonce, str) and 0 < len(nonce) <= MAX_NONCE_CHARS else None

        async def again(status: int, notice: str) -> HTMLResponse:
            state = await self.device_state(request)
            return self.participant_page(request, state, status=status, notice=notice, text=text)

        if not self.idea_limit.allow(device_id):
            wait = self.idea_limit.retry_after(device_id)
            response = await again(
                429, f"Slow down a little: try again in {plural(wait, 'second')}."
            )
            response.headers["Retry-After"] = str(wait)
            return response
        if len(text) > MAX_IDEA_CHARS:
            return await again(
                422,
                f"Your idea is {len(text)} characters long; the limit is {MAX_IDEA_CHARS}."
                " Shorten it and send it again.",
            )
        try:
            idea = await self.db.submit(self._secret(request), text, builds_on, nonce)
        except RoomRefused as refused:
            return await again(409, str(refused))
        done = RedirectResponse(f"{self.base()}?sent={idea.seq}", status_code=303)
        # How long the room took from the request's arrival to the commit (the phone's
        # own wait adds its network): bench/room.py reads it; browsers show it in devtools.
        done.headers["Server-Timing"] = f"commit;dur={(time.perf_counter() - arrived) * 1000:.1f}"
        return done

    async def hit(self, request: Request) -> Response:
        form = await self.posted(request)
        state = await self.device_state(request)
        device = state.device
        idea_id = _int_or_none(form.get("idea"))
        action = form.get("action")
        if idea_id is None or action not in ("hit", "unhit"):
            return self.participant_page(request, state, status=400, notice="Tap an idea to hit.")
        if not self.hit_limit.allow(device.id):
            return self.participant_page(
                request, state, status=429, notice="Slow down a little, then tap again."
            )
        change = self.room.hit if action == "hit" else self.room.unhit
        try:
            await self.db.call(lambda: change(device, idea_id), urgent=True)
        except RoomRefused as refused:
            fresh = await self.device_state(request)
            return self.participant_page(request, fresh, status=409, notice=str(refused))
        return RedirectResponse(self.base(), status_code=303)

    async def device_events(self, request: Request) -> Response:
        self.check_token(request)
        state = await self.device_state(request)
        device_id = state.device.id

        async def counted() -> AsyncIterator[str]:
            self.streams[device_id] = self.streams.get(device_id, 0) + 1
            try:
                async for line in self.events(request, without_tick):
                    yield line
            finally:
                self.streams[device_id] -= 1
                if not self.streams[device_id]:
                    del self.streams[device_id]

        return _stream(counted())

    async def events(
        self, request: Request, key: Callable[[str], str] = same
    ) -> AsyncIterator[str]:
        shown = request.headers.get("last-event-id") or request.query_params.get("v")
        self.open_streams += 1
        try:
            async for line in version_events(self.watch, shown, self.limits.stream_seconds, key):
                yield line
        finally:
            self.open_streams -= 1

    # -- projector ----------------------------------------------------------------

    def require_local(self, request: Request) -> None:
        """Only this laptop: its loopback, or its own address on the network."""
        client = request.client.host if request.client else ""
        server = request.scope.get("server") or ("", 0)
        if client not in ("127.0.0.1", "::1") and client != server[0]:
            raise HTTPException(403, "local only")

    def display_context(self, view: RoomView) -> dict[str, Any]:
        return {
            "view": view,
            "running": not (view.paused or view.ended) and view.remaining_seconds is not None,
        }

    async def room_page(self, request: Request) -> Response:
        self.require_local(request)
        view = await self.db.call(self.room.view)
        return self.render(request, "room.html", self.display_context(view))

    async def room_display(self, request: Request) -> Response:
        self.require_local(request)
        view = await self.db.call(self.room.view)
        return self.render(request, "room_display.html", self.display_context(view))

    async def room_events(self, request: Request) -> Response:
        self.require_local(request)
        return _stream(self.events(request))

    async def nowhere(self, request: Request) -> Response:
        raise HTTPException(404)

    # -- errors -----------------------------------------------------------------

    def on_http(self, request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        status, detail = error.status_code, error.detail
        if status == 401:
            return self.error_page(
                401, "Join first", "This phone has not joined the session: open the join link."
            )
        if status == 403 and detail == "csrf":
            return self.error_page(
                403,
                "This form has expired",
                "Go back, reload the page and send it again. Nothing was saved.",
            )
        if status == 403:
            return self.error_page(
                403, "Not on this device", "The room display opens on the facilitator's laptop."
            )
        if status == 413:
            return self.too_large(request)
        if status == 404:
            return self.error_page(404, "Not found", "There is no page here.")
        if status == 405:
            return self.error_page(405, "Not allowed", "That page cannot be used this way.")
        return self.error_page(status, "Bad request", "The request could not be understood.")

    def too_large(self, request: Request) -> HTMLResponse:
        return self.error_page(
            413,
            "Too much text",
            f"That was more than the room takes at once; an idea is at most {MAX_IDEA_CHARS}"
            " characters. Go back, shorten it and send it again.",
        )

    def on_user_error(self, request: Request, error: Exception) -> Response:
        if isinstance(error, NotJoined):
            return self.on_http(request, HTTPException(401))
        if isinstance(error, RoomClosed):
            return self.error_page(404, "This session is not running", str(error))
        if isinstance(error, DeviceRevoked):
            return self.error_page(
                403, "This device was removed", "The facilitator removed this device from the room."
            )
        if isinstance(error, RoomRefused):
            return self.error_page(409, "Not now", str(error))
        if isinstance(error, StoreError):
            return self.error_page(
                503, "Busy", "The facilitator's laptop is busy: try again in a moment."
            )
        return self.error_page(400, "Bad request", str(error))

    def on_bug(self, request: Request, error: Exception) -> Response:
        write_crash_log(self.study_path, error)
        return self.error_page(
            500,
            "Something went wrong",
            "The room hit a problem on the facilitator's laptop; it is noted there.",
        )

    def routes(self) -> list[Route | Mount]:
        return [
            Route("/", self.nowhere),
            Route("/join/{token}", self.join_page, methods=["GET"]),
            Route("/join/{token}", self.join, methods=["POST"]),
            Route("/join/{token}/idea", self.submit, methods=["POST"]),
            Route("/join/{token}/hit", self.hit, methods=["POST"]),
            Route("/join/{token}/events", self.device_events, methods=["GET"]),
            Route("/room", self.room_page, methods=["GET"]),
            Route("/room/display", self.room_display, methods=["GET"]),
            Route("/room/events", self.room_events, methods=["GET"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]

    def connected(self, wait: float = 0.2) -> int:
        """Devices not revoked that have a live page open or were seen in two minutes.
        Asked from another thread (the live screen); a busy study returns the last count."""
        try:
            devices = self.db.run(self.room.devices, wait)
        except TimeoutError:
            return self._connected
        now = self.clock.now()
        self._connected = sum(
            1
            for d in devices
            if d.revoked_at is None
            and (d.id in self.streams or now - d.last_seen_at < SEEN_SECONDS)
        )
        return self._connected


def _remote_address(request: Request) -> str:
    """The client's address for the join limit and revoke; "" for this laptop itself
    (loopback), which the facilitator may use for as many test browsers as needed."""
    host = request.client.host if request.client else ""
    try:
        return "" if ipaddress.ip_address(host).is_loopback else host
    except ValueError:
        return host


def _int_or_none(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 12 else None


def _stream(lines: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(
        lines,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def create_app(
    study_path: Path, session_id: int, *, clock: Clock | None = None, limits: Limits | None = None
) -> Starlette:
    """The room for one session of the study; opens (or reuses) its join token now,
    so the join address is known before the server starts. `app.state.site` is the
    `RoomSite` (token, device count); the app's shutdown expires the token."""
    study_path = Path(study_path)
    clock = clock or SystemClock()
    db = RoomThread(study_path, session_id, clock)
    site = RoomSite(study_path, db, limits or Limits(), clock)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            site.watch.stopping.set()
            db.close()

    handlers: dict[Any, Callable[..., Any]] = {
        HTTPException: site.on_http,
        IdeationError: site.on_user_error,
        Exception: site.on_bug,
    }
    app = Starlette(
        routes=site.routes(),
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(BodyLimit, too_large=site.too_large),
        ],
        exception_handlers=handlers,
        lifespan=lifespan,
    )
    app.state.site = site
    return app
