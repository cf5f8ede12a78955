"""Room benchmark: 30 phones sending ideas while the live screen keeps capturing.

A real study whose session runs a brainwriting phase, served by the real room
(`RoomServer`, uvicorn) on 127.0.0.1 only, in a second process together with the
facilitator's `LiveSession` — as on the laptop, where the live screen runs the
server in-process — which captures a line about every 0.5 s and times `capture()`.
This process plays the room: 30 simulated participants (httpx, async, each its own
cookie jar) join through the real join flow with its CSRF token and send ideas at
random intervals for `--seconds`, then all at once (a burst of 30); a projector
client follows `/room/events` and reads `/room/display` after each event.

Figures, each with its target (exit status 1 on a FAIL):
- ideas lost: every acknowledged idea (the 303 that says "saved") is in the study,
  with its number and its author, in the order each phone sent them;
- submit -> committed: in the room, from the request's arrival to its commit (the
  `Server-Timing` header of the acknowledging response), and at the phone, from the
  request's start to that response. The second also counts this process's own work:
  thirty simulated phones share one Python thread here, where real phones are thirty
  devices, so in a burst it mostly measures the simulator; the first is the target's;
- display after commit: from the idea's stored time (taken just before its commit,
  so this errs long) until a display fetched after an event shows it (or a later idea:
  the display keeps the newest few);
- live capture: `LiveSession.capture` on the live screen while all this runs.

    python bench/room.py [--seconds 120] [--participants 30] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

from ideation.live.clock import SystemClock
from ideation.live.plan import parse_plan
from ideation.live.session import LiveSession, start_session
from ideation.store import Store
from ideation.web.server import RoomServer

#: The only address the benchmark ever serves on or talks to.
HOST = "127.0.0.1"
#: Seconds between two sends of one phone: drawn uniformly from this range.
INTERVAL = (1.0, 7.0)
#: How often the live screen captures a line while the room runs.
CAPTURE_EVERY = 0.5
TARGETS_MS = {"submit": 50.0, "display": 1000.0, "capture": 5.0}
REQUEST_TIMEOUT = httpx.Timeout(10.0, read=30.0)
#: Idle connections are dropped before uvicorn's 5 s keep-alive ends them, so a send
#: does not race a closing connection (a browser retries those; see `Phone.request`).
POOL = httpx.Limits(keepalive_expiry=2.0)
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_NONCE = re.compile(r'name="nonce" value="([^"]+)"')
_SEQ = re.compile(r'data-seq="(\d+)"')


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def plan_text(participants: int, seconds: float) -> str:
    names = "\n".join(f"  - name: P{n:02d}" for n in range(1, participants + 1))
    minutes = int(seconds // 60) + 10  # the phase outlasts the run: capture stays open
    return (
        "name: Room bench\nbrief:\n  problem_as_given: How might mornings be better?\n"
        f"participants:\n{names}\n  - name: Facilitator\nagenda:\n"
        f"  - {{title: Brainwriting, technique: brainwriting, minutes: {minutes}}}\n"
    )


# -- the laptop: room server and live screen, in their own process ---------------------------


def laptop(study: Path, session_id: int, pipe: Connection) -> None:
    """Runs in the second process: the live screen (lease, phase, a capture every
    0.5 s, catching up with the room's rows like its tick does) and the room server.
    Sends the join and room addresses, then the capture times once told to stop."""
    store = Store(study)
    live = LiveSession(store, session_id, SystemClock())
    live.claim()
    live.go_to(0)
    server = RoomServer(study, session_id, host=HOST, port=0)
    server.start()
    pipe.send((server.join_url, server.room_url))
    times: list[float] = []
    n = 0
    try:
        while not pipe.poll(CAPTURE_EVERY):
            n += 1
            line = f"Facilitator: a line typed on the live screen, number {n}"
            start = time.perf_counter()
            live.capture(line)
            times.append(time.perf_counter() - start)
            live.catch_up()
    finally:
        server.stop()
        live.release()
        store.close()
    pipe.send(times)


# -- the room: phones and a projector ------------------------------------------------------


@dataclass
class Sent:
    """One acknowledged idea, as its phone saw it."""

    name: str
    text: str
    seq: int
    seconds: float  # request start -> acknowledging response, as the phone saw it
    burst: bool
    server_seconds: float  # the request's arrival at the room -> its commit


@dataclass
class Tally:
    sent: list[Sent] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # status and reason of every non-303
    retried: int = 0  # requests sent again after a dropped connection (same nonce)
    shown_at: dict[int, float] = field(default_factory=dict)  # seq -> first seen (time.time)


class Phone:
    """One participant's phone: its own cookie jar, joined through the real flow."""

    def __init__(self, name: str, join_url: str, tally: Tally) -> None:
        self.name = name
        self.join_url = join_url
        self.tally = tally
        origin = join_url.split("/join/")[0]
        self.client = httpx.AsyncClient(
            headers={"Origin": origin}, timeout=REQUEST_TIMEOUT, limits=POOL
        )
        self.page = ""
        self.count = 0

    async def request(self, method: str, url: str | httpx.URL, **options: Any) -> httpx.Response:
        """One request, sent once more (as a browser does) if the connection drops; a
        resent idea carries the same nonce, so the room stores it once."""
        try:
            return await self.client.request(method, url, **options)
        except httpx.TransportError:
            self.tally.retried += 1
            return await self.client.request(method, url, **options)

    async def join(self) -> None:
        names = (await self.request("GET", self.join_url)).text
        found = re.search(rf'value="(\d+)" class="choice">{self.name}<', names)
        if found is None:
            raise RuntimeError(f"{self.name} is not on the join page")
        joined = await self.request(
            "POST",
            self.join_url,
            data={"participant": found.group(1), "csrf": _field(_CSRF, names)},
        )
        if joined.status_code != 303:
            raise RuntimeError(f"{self.name} could not join: {joined.status_code}")
        self.page = (await self.request("GET", self.join_url)).text

    async def send(self, burst: bool = False) -> None:
        """Send one idea, as the page's form does; then load the page it leads to."""
        self.count += 1
        text = f"{self.name} idea {self.count}: a cup that hums the weather for the day"
        data = {"text": text, "csrf": _field(_CSRF, self.page), "nonce": _field(_NONCE, self.page)}
        start = time.perf_counter()
        response = await self.request("POST", f"{self.join_url}/idea", data=data)
        seconds = time.perf_counter() - start
        if response.status_code != 303:
            self.tally.refused.append(f"{response.status_code} {self.name}")
            self.page = response.text if "nonce" in response.text else self.page
            return
        location = response.headers["location"]
        seq = int(location.rpartition("sent=")[2])
        timing = re.search(r"commit;dur=([\d.]+)", response.headers.get("server-timing", ""))
        server = float(timing.group(1)) / 1000 if timing else seconds
        self.tally.sent.append(Sent(self.name, text, seq, seconds, burst, server))
        self.page = (await self.request("GET", response.url.join(location))).text

    async def run(self, until: float, rng: random.Random) -> None:
        while True:
            pause = rng.uniform(*INTERVAL)
            if time.monotonic() + pause >= until:
                return
            await asyncio.sleep(pause)
            await self.send()

    async def close(self) -> None:
        await self.client.aclose()


def _field(pattern: re.Pattern[str], page: str) -> str:
    found = pattern.search(page)
    if found is None:
        raise RuntimeError("a room page without its form fields")
    return found.group(1)


async def projector(room_url: str, tally: Tally, stop: asyncio.Event) -> None:
    """The room display: on every event, fetch the display and note each idea number
    it shows (or passes) the first time it does."""
    newest = 0
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT, limits=POOL) as client:
        while not stop.is_set():
            try:
                async with client.stream("GET", f"{room_url}/events") as stream:
                    async for line in stream.aiter_lines():
                        if stop.is_set():
                            return
                        if not line.startswith("event: change"):
                            continue
                        display = (await client.get(f"{room_url}/display")).text
                        now = time.time()
                        shown = max((int(s) for s in _SEQ.findall(display)), default=0)
                        for seq in range(newest + 1, shown + 1):
                            tally.shown_at[seq] = now
                        newest = max(newest, shown)
            except httpx.TransportError:
                tally.retried += 1  # the stream or a fetch dropped: reconnect, as EventSource does


async def room(join_url: str, room_url: str, people: list[str], seconds: float, seed: int) -> Tally:
    tally = Tally()
    stop = asyncio.Event()
    watcher = asyncio.create_task(projector(room_url, tally, stop))
    phones = [Phone(name, join_url, tally) for name in people]
    try:
        for phone in phones:
            await phone.join()
        until = time.monotonic() + seconds
        rng = random.Random(seed)
        await asyncio.gather(*(p.run(until, random.Random(rng.random())) for p in phones))
        await asyncio.sleep(1.0)  # the burst starts from a quiet room
        await asyncio.gather(*(p.send(burst=True) for p in phones))
        await asyncio.sleep(2.0)  # the display catches up with the burst
    finally:
        stop.set()
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        for phone in phones:
            await phone.close()
    return tally


# -- checking and reporting ----------------------------------------------------------------


@dataclass
class Checked:
    lost: list[str]
    out_of_order: list[str]
    display_ms: list[float]
    never_shown: int


def check(study: Path, session_id: int, tally: Tally) -> Checked:
    """Every acknowledged idea in the study, under its number and author, in send order."""
    with Store(study) as store:
        rows = {row.seq: row for row in store.idea_rows(session_id) if row.kind == "idea"}
        labels = {p.id: p.label for p in store.participants(session_id)}
    lost, out_of_order, display_ms, never_shown = [], [], [], 0
    last_seq: dict[str, int] = {}
    for sent in tally.sent:
        row = rows.get(sent.seq)
        if row is None or row.text != sent.text or labels.get(row.participant_id) != sent.name:
            lost.append(f"{sent.name} #{sent.seq}")
            continue
        if sent.seq <= last_seq.get(sent.name, 0):
            out_of_order.append(f"{sent.name} #{sent.seq}")
        last_seq[sent.name] = sent.seq
        if sent.seq in tally.shown_at:
            display_ms.append((tally.shown_at[sent.seq] - row.created_at) * 1000)
        else:
            never_shown += 1
    return Checked(lost, out_of_order, display_ms, never_shown)


def report(tally: Tally, checked: Checked, capture_ms: list[float], seconds: float) -> bool:
    submit_ms = [s.seconds * 1000 for s in tally.sent]
    burst_ms = [s.seconds * 1000 for s in tally.sent if s.burst]
    print(
        f"{len({s.name for s in tally.sent})} phones, {seconds:.0f} s at random intervals"
        f" {INTERVAL[0]:.0f}-{INTERVAL[1]:.0f} s, then a burst of {len(burst_ms)} at once;"
        f" {len(capture_ms)} live-screen captures meanwhile"
    )
    print(
        f"ideas acknowledged: {len(tally.sent)}; refused: {len(tally.refused)};"
        f" requests resent after a dropped connection: {tally.retried}"
    )
    rows: list[tuple[str, str, str, bool]] = [
        ("ideas lost", str(len(checked.lost)), "0", not checked.lost),
        (
            "ideas out of order (per phone)",
            str(len(checked.out_of_order)),
            "0",
            not checked.out_of_order,
        ),
        ("ideas never on the display", str(checked.never_shown), "0", not checked.never_shown),
    ]
    room_ms = [s.server_seconds * 1000 for s in tally.sent]
    for what, values, target in (
        ("submit -> committed, in the room", room_ms, TARGETS_MS["submit"]),
        ("submit -> committed, at the phone", submit_ms, TARGETS_MS["submit"]),
        ("display after commit", checked.display_ms, TARGETS_MS["display"]),
        ("live capture", capture_ms, TARGETS_MS["capture"]),
    ):
        p99 = percentile(values, 0.99)
        value = f"p50 {statistics.median(values):.1f}  p99 {p99:.1f}" if values else "none"
        rows.append((f"{what} (ms)", value, f"p99 < {target:g}", bool(values) and p99 < target))
    steady_ms = [s.seconds * 1000 for s in tally.sent if not s.burst]
    room_burst_ms = [s.server_seconds * 1000 for s in tally.sent if s.burst]
    for what, values in (
        ("  random sends only, at the phone", steady_ms),
        ("  the burst of 30, at the phone", burst_ms),
        ("  the burst of 30, in the room", room_burst_ms),
    ):
        if values:
            value = f"p50 {statistics.median(values):.1f}  p99 {percentile(values, 0.99):.1f}"
            rows.append((what, value, "(in the above)", True))
    print(f"{'figure':<34} {'value':<24} {'target':<16} result")
    for what, value, target, ok in rows:
        result = "" if target == "(in the above)" else ("PASS" if ok else "FAIL")
        print(f"{what:<34} {value:<24} {target:<16} {result}")
    for label, items in (
        ("lost", checked.lost),
        ("out of order", checked.out_of_order),
        ("refused", tally.refused),
    ):
        if items:
            print(f"{label}: {', '.join(items[:10])}{' …' if len(items) > 10 else ''}")
    return all(ok for _, _, _, ok in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="random sends (default 120)")
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    people = [f"P{n:02d}" for n in range(1, args.participants + 1)]
    with tempfile.TemporaryDirectory() as tmp:
        study = Path(tmp) / "room.db"
        with Store(study) as store:
            plan = parse_plan(plan_text(args.participants, args.seconds), "room-bench.yaml")
            session_id = start_session(store, plan).id
        spawn = multiprocessing.get_context("spawn")
        ours, theirs = spawn.Pipe()
        host = spawn.Process(target=laptop, args=(study, session_id, theirs), daemon=True)
        host.start()
        try:
            if not ours.poll(60):
                raise RuntimeError("the room server did not start")
            join_url, room_url = ours.recv()
            tally = asyncio.run(room(join_url, room_url, people, args.seconds, args.seed))
        finally:
            ours.send("stop")
        capture_ms = [t * 1000 for t in ours.recv()] if ours.poll(30) else []
        host.join(30)
        checked = check(study, session_id, tally)
    return 0 if report(tally, checked, capture_ms, args.seconds) else 1


if __name__ == "__main__":
    sys.exit(main())
