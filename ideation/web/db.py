"""Provides the room's one database thread.

The store is synchronous sqlite3 and a connection belongs to the thread that
opened it, so one dedicated thread opens the `Store`, owns the `Room` and runs
every domain call. The event loop only awaits the results: a slow commit or a
busy study never blocks the pages or the live updates of others.

The thread is not first come, first served. A participant waits for the send's
acknowledgement, so sends go before page renders, pool picks and version polls
(`urgent` calls too, such as a hit); and every send queued while the thread was
busy is committed together in one transaction (`Room.submit_many`): a commit
costs an fsync of a few milliseconds, and thirty phones sending at once would
otherwise wait for thirty of them in a row, each holding the study's write lock
that the live screen needs too.

A send carries its cookie's secret, and the thread finds the device inside the
group: were the device looked up in a turn of its own first, a burst of thirty
would alternate lookups and sends, and break into thirty small commits again.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ideation.errors import StoreError
from ideation.live.clock import Clock
from ideation.live.room import Room, Submission
from ideation.records import Device, Idea
from ideation.store import Store

T = TypeVar("T")

#: A participant's submit waits at most this long for the study's write lock (the
#: live screen commits in a few milliseconds); past it the page says "try again".
BUSY_TIMEOUT_MS = 2000
#: Most sends committed in one transaction. A burst of thirty goes in three: each
#: holds the study's write lock for ~3 ms, and the live screen's capture, waiting for
#: it, gets its turn in between (one group of thirty held it ~10 ms: capture p99 5.7 ms).
MAX_GROUP = 10

#: Queue ranks: sends first, then urgent calls, then everything else, then the end.
_SEND, _URGENT, _NORMAL, _LAST = range(4)


@dataclass(frozen=True)
class _Send:
    """A send as it arrived: the device is found from `secret` in its group."""

    secret: str
    text: str
    builds_on: int | None
    nonce: str | None


@dataclass
class _Job:
    future: Future[Any]
    call: Callable[[], Any] | None = None  # a domain call, or None for a send
    sent: _Send | None = None


class _Queue:
    """Jobs by rank, each rank in arrival order; all sends waiting are taken at once."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, _Job]] = []
        self._ready = threading.Condition()
        self._order = itertools.count()

    def put(self, rank: int, job: _Job) -> None:
        with self._ready:
            heapq.heappush(self._heap, (rank, next(self._order), job))
            self._ready.notify()

    def take(self) -> tuple[int, list[_Job]]:
        """The next job, or every send waiting (up to MAX_GROUP) when sends wait."""
        with self._ready:
            while not self._heap:
                self._ready.wait()
            rank, _, job = heapq.heappop(self._heap)
            jobs = [job]
            while rank == _SEND and self._heap and self._heap[0][0] == _SEND:
                if len(jobs) >= MAX_GROUP:
                    break
                jobs.append(heapq.heappop(self._heap)[2])
            return rank, jobs


def _settle(future: Future[Any], call: Callable[[], Any]) -> None:
    """Run `call` into `future`. A request cancelled meanwhile (the phone went away)
    does not stop it: a call already queued runs, and its result is dropped."""
    try:
        result = call()
    except BaseException as error:  # noqa: BLE001 - re-raised in whoever waits for it
        if not future.done():
            future.set_exception(error)
        return
    if not future.done():
        future.set_result(result)


class RoomThread:
    """One thread, one `Store`, one `Room`: every call runs there, sends first."""

    def __init__(self, study_path: Path, session_id: int, clock: Clock) -> None:
        self._queue = _Queue()
        self._store: Store | None = None
        self._thread = threading.Thread(target=self._serve, name="room-db", daemon=True)
        self._thread.start()
        try:
            self.room: Room = self.run(lambda: self._open(study_path, session_id, clock))
        except BaseException:
            self._queue.put(_LAST, _Job(Future()))
            raise

    def _open(self, study_path: Path, session_id: int, clock: Clock) -> Room:
        if not study_path.is_file():
            raise StoreError(f"{study_path}: no study here")
        self._store = Store(study_path, clock=clock.now, busy_timeout_ms=BUSY_TIMEOUT_MS)
        try:
            return Room.open(self._store, session_id, clock)
        except BaseException:
            self._store.close()
            raise

    def _serve(self) -> None:
        while True:
            rank, jobs = self._queue.take()
            if rank == _SEND:
                self._commit(jobs)
                continue
            job = jobs[0]
            if job.call is None:  # the end: everything queued before it has run
                job.future.set_result(None)
                return
            _settle(job.future, job.call)

    def _commit(self, jobs: list[_Job]) -> None:
        """Every waiting send in one transaction; each acknowledged once it is committed."""
        waiting: list[tuple[_Job, Submission]] = []
        for job in jobs:
            sent = job.sent
            if sent is None:
                continue
            try:  # a device unknown or revoked by now is refused alone
                device = self.room.device(sent.secret)
            except Exception as refused:  # noqa: BLE001 - re-raised in the send; the thread lives
                if not job.future.done():
                    job.future.set_exception(refused)
                continue
            waiting.append((job, Submission(device, sent.text, sent.builds_on, sent.nonce)))
        try:
            outcomes = self.room.submit_many([submission for _, submission in waiting])
        except BaseException as error:  # noqa: BLE001 - the whole group failed: each re-raises
            for job, _ in waiting:
                if not job.future.done():
                    job.future.set_exception(error)
            return
        senders: dict[int, Device] = {}
        for (job, submission), outcome in zip(waiting, outcomes, strict=True):
            if isinstance(outcome, Exception):
                if not job.future.done():
                    job.future.set_exception(outcome)
                continue
            senders[submission.device.id] = submission.device
            if not job.future.done():
                job.future.set_result(outcome)
        # Acknowledged first; the pool picks follow, one queued job per sender, ahead of
        # the pages that will ask for them but behind any send that arrives meanwhile (a
        # burst's thirty picks take tens of milliseconds). One that fails leaves the page
        # to pick its own (`Room.pool_idea`).
        for device in senders.values():
            self._queue.put(_NORMAL, _Job(Future(), lambda d=device: self.room.ready_pool([d])))

    def _put(self, rank: int, job: _Job) -> Future[Any]:
        if not self._thread.is_alive():
            raise StoreError("the room has stopped")
        self._queue.put(rank, job)
        return job.future

    def run(self, call: Callable[[], T], wait: float | None = None) -> T:
        """Run `call` on the database thread and wait for it (for threads, not the loop);
        TimeoutError after `wait` seconds (the call still runs)."""
        return self._put(_NORMAL, _Job(Future(), call)).result(timeout=wait)

    async def call(self, call: Callable[[], T], *, urgent: bool = False) -> T:
        """Run `call` on the database thread; the event loop stays free meanwhile.
        `urgent` (a write someone waits for) goes before page renders and polls."""
        future = self._put(_URGENT if urgent else _NORMAL, _Job(Future(), call))
        return await asyncio.wrap_future(future)

    async def submit(
        self, secret: str, text: str, builds_on: int | None = None, nonce: str | None = None
    ) -> Idea:
        """`Room.submit` for the device whose cookie holds `secret` (found in the group:
        NotJoined or DeviceRevoked as `Room.device`), committed together with every
        other send waiting meanwhile; returns once this idea is in the study (or raises
        its own refusal)."""
        job = _Job(Future(), sent=_Send(secret, text, builds_on, nonce))
        return await asyncio.wrap_future(self._put(_SEND, job))

    def close(self) -> None:
        """Release the room (`Room.close`), close the study and end the thread (after
        the calls already queued)."""

        def finish() -> None:
            try:
                self.room.close()
            finally:
                if self._store is not None:
                    self._store.close()

        if not self._thread.is_alive():
            return
        try:
            self.run(finish)
        finally:
            self._queue.put(_LAST, _Job(Future()))
            self._thread.join()
