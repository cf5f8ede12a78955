"""Provides the room's server: uvicorn in a daemon thread, for `ideation serve` and the
live screen alike, and the laptop's address on the network.

The socket is bound here, before uvicorn starts, so a busy port is one readable
line instead of uvicorn's log and exit. `stop` ends the event streams (each page gets
a last "closed" event first), lets uvicorn finish and joins the thread. The join token
outlives the server (it lives as long as the session), so a restarted room has the
same address and every phone's cookie still works; the study notes which process
serves the room, so a second server for the same session is refused with where the
first one runs.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
import time
from pathlib import Path

import uvicorn

from ideation.errors import IdeationError
from ideation.live.clock import Clock
from ideation.web.app import RoomSite, create_app

#: The room's default port.
DEFAULT_PORT = 8765
#: How long `start` waits for uvicorn to listen, and `stop` for it to finish.
START_SECONDS = 10.0
STOP_SECONDS = 5.0

#: A host that listens on every interface, so the join address needs the LAN one.
_EVERYWHERE = ("0.0.0.0", "::", "")


class RoomServerError(IdeationError):
    """The room could not be served (say the port is taken); the message is one line."""


def lan_address() -> str:
    """This laptop's address on its network, as the other devices reach it.

    Connecting a UDP socket sends nothing; it only asks the system which interface
    would route there. Without a network, 127.0.0.1."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.254.254.254", 1))
        address = probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()
    return address if address and address != "0.0.0.0" else "127.0.0.1"


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, or a one-line reason it cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise RoomServerError(
                f"port {port} on {host} is busy (another program or room uses it);"
                " --port picks another"
            ) from error
        reason = error.strerror or str(error)
        raise RoomServerError(f"cannot serve on {host}:{port} ({reason})") from error
    sock.set_inheritable(True)
    return sock


class RoomServer:
    """The room for one session, served in-process: `start`, `join_url`, `stop`."""

    def __init__(
        self,
        study_path: Path,
        session_id: int,
        host: str | None = None,
        port: int = DEFAULT_PORT,
        *,
        clock: Clock | None = None,
    ) -> None:
        self.study_path = Path(study_path)
        self.session_id = session_id
        self.host = host or lan_address()
        self.port = port
        self.clock = clock
        self.site: RoomSite | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def public_host(self) -> str:
        """The address others type or scan: the LAN one when listening everywhere."""
        return lan_address() if self.host in _EVERYWHERE else self.host

    @property
    def join_url(self) -> str:
        token = self.site.room.token if self.site else ""
        return f"http://{_url_host(self.public_host)}:{self.port}/join/{token}"

    @property
    def room_url(self) -> str:
        """The projector display, opened on this laptop."""
        local = self.host in _EVERYWHERE or is_loopback(self.host)
        host = "127.0.0.1" if local else self.host
        return f"http://{_url_host(host)}:{self.port}/room"

    def start(self) -> None:
        """Serve in a daemon thread; returns once listening. RoomServerError (one line)
        for a busy port, any IdeationError of the room (say the session has ended)."""
        if self.running:
            return
        sock = _bind(self.host, self.port)
        try:
            app = create_app(self.study_path, self.session_id, clock=self.clock)
        except BaseException:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        site: RoomSite = app.state.site
        where = f"{_url_host(self.public_host)}:{self.port}"
        try:
            site.db.run(lambda: site.room.claim_server(where))
        except BaseException:
            site.db.close()
            sock.close()
            raise
        self.site = site
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=1,
            server_header=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="room-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                sock.close()
                raise RoomServerError(f"the room server did not start on {self.host}:{self.port}")
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop serving: open pages say "The room has stopped" and keep what was typed;
        the join token stays (a restart reuses it)."""
        if self.site is not None:
            self.site.watch.stopping.set()
            # Let every open page get its "closed" event before uvicorn stops serving.
            deadline = time.monotonic() + STOP_SECONDS / 2
            while self.running and self.site.open_streams and time.monotonic() < deadline:
                time.sleep(0.02)
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_SECONDS)
        self._thread = None

    def device_count(self) -> int:
        """Devices connected now (joined, not revoked, seen lately or with a page open)."""
        return self.site.connected() if self.site is not None and self.running else 0

    def session_over(self) -> bool:
        """The session has ended: time for the room to close."""
        if self.site is None:
            return True
        site = self.site
        try:
            return site.db.run(lambda: site.room.view(wall=False).ended, 2.0)
        except TimeoutError:
            return False
