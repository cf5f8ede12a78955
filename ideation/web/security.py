"""Provides the room's defences: a room full of strangers' phones on a shared Wi-Fi.

- every response carries a Content-Security-Policy (no inline script, nothing from
  elsewhere, no framing) and the usual hardening headers;
- a request body over `MAX_BODY_BYTES` is refused before it is read whole;
- every form carries a CSRF token (double-submit: a random HttpOnly, SameSite=Strict
  cookie and the same value in a hidden field), and a form posted from another site
  (Origin / Sec-Fetch-Site) is refused;
- writes are rate-limited per device by token buckets.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The largest request body the room takes: an idea is at most a few KiB of UTF-8.
MAX_BODY_BYTES = 16 * 1024

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'"
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # Not "no-referrer": with it Chromium sends `Origin: null` on the page's own form
    # posts and the origin check refuses them; "same-origin" still never lets the
    # join address (its token) reach another site.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

#: The cookie that names a device (its secret; the study keeps only a hash of it).
DEVICE_COOKIE = "ideation_device"
#: The double-submit CSRF cookie; forms carry the same value in the `csrf` field.
CSRF_COOKIE = "ideation_csrf"
CSRF_FIELD = "csrf"
#: Long enough for a half-day session; a closed browser keeps the device.
COOKIE_SECONDS = 12 * 3600


class SecurityHeaders:
    """Adds the security headers to every HTTP response, errors and static files too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses a body over `limit` bytes: at once when Content-Length says so (with the
    readable page `too_large` renders), else as soon as the streamed bytes pass it
    (an HTTPException 413, which the app's handler turns into the same page)."""

    def __init__(
        self, app: ASGIApp, too_large: Callable[[Request], Response], limit: int = MAX_BODY_BYTES
    ) -> None:
        self.app = app
        self.too_large = too_large
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await self.too_large(Request(scope))(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise HTTPException(413)
            return message

        await self.app(scope, counted, send)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_ok(request: Request, submitted: object) -> bool:
    """The form's token matches the browser's CSRF cookie, and the post came from here."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not isinstance(submitted, str) or not submitted:
        return False
    if not hmac.compare_digest(cookie.encode(), submitted.encode()):
        return False
    return same_origin(request)


def same_origin(request: Request) -> bool:
    """Browsers say where a request came from; anything but this site is refused."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True  # an old browser or a non-browser client; the token still has to match
    host = request.headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}")


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimit:
    """Token buckets by key: `burst` at once, then `per_second` sustained."""

    def __init__(
        self, per_second: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_second = per_second
        self.burst = burst
        self._clock = clock
        self._buckets: dict[object, _Bucket] = {}

    def allow(self, key: object) -> bool:
        """Take one token for `key`; False when its bucket is empty."""
        now = self._clock()
        bucket = self._buckets.setdefault(key, _Bucket(float(self.burst), now))
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def retry_after(self, key: object) -> int:
        """Whole seconds until `key` may try again."""
        bucket = self._buckets.get(key)
        if bucket is None or bucket.tokens >= 1:
            return 0
        return max(1, round((1 - bucket.tokens) / self.per_second + 0.49))
