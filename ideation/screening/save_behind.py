"""Provides saving an assessment chunk by chunk in a second thread, behind the scoring.

Why: a panel's assessment writes 700,000 scores with 500 MB of explanations, and most
of that is SQLite's own work, which lets go of the GIL. Done in a second thread, on its
own connection, it runs beside the Python that scores the next chunk instead of after
it (`bench/screening.py`). The store writes each chunk in a few statements, not a step
a row, so the writer waits for the GIL a few times a chunk, not once a row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from ideation.records import Flag, Score
from ideation.store import Store

#: What a chunk is: (respondent, status, terminate reason) rows, their scores, their flags.
SaveChunk = Callable[[Sequence[tuple[int, str, str]], Sequence[Score], Sequence[Flag]], None]


@contextmanager
def saving_behind(store: Store) -> Iterator[SaveChunk]:
    """A `save(outcomes, scores, flags)` that stores the chunk in a second thread while
    the caller goes on; one chunk at most waits, so memory holds two chunks at most.

    Every chunk handed over is saved before this returns, also when the caller stops
    with an error (a stopped run keeps what it scored); a chunk's own error is raised in
    the caller, at the next save or on leaving. An in-memory study has no second
    connection: each chunk is saved at once."""
    if str(store.path) == ":memory:" or store.read_only:
        yield store.save_assessments
        return
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ideation-save")
    own: list[Store] = []  # the writer's connection: opened, used and closed in its thread

    def save(
        outcomes: Sequence[tuple[int, str, str]], scores: Sequence[Score], flags: Sequence[Flag]
    ) -> None:
        if not own:
            own.append(Store(store.path))
        own[0].save_assessments(outcomes, scores, flags)

    def close() -> None:
        while own:
            own.pop().close()

    pending: list[Future[None]] = []

    def submit(
        outcomes: Sequence[tuple[int, str, str]], scores: Sequence[Score], flags: Sequence[Flag]
    ) -> None:
        while pending:
            pending.pop().result()
        pending.append(writer.submit(save, outcomes, scores, flags))

    try:
        yield submit
        while pending:
            pending.pop().result()
    finally:
        writer.submit(close)
        writer.shutdown(wait=True)
