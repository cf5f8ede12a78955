"""Provides the live screen's "nobody has touched <area> yet" hint.

The brief's opportunity areas are embedded with the ideas' model in the live
screen's embedding worker (never on the UI thread); the UI thread only reads
the worker's answer and the timer to decide whether a whole divergent phase has
gone by (`live/flow.py` holds the pure rules and the threshold).
"""

from __future__ import annotations

from ideation.analysis.embed import Embedder, embed_cached
from ideation.live.flow import (
    counts_for_areas,
    divergent_phase_done,
    untouched_area_hint,
    untouched_areas,
)
from ideation.live.session import LiveSession
from ideation.live.techniques import TECHNIQUES
from ideation.records import THEMED_ENTRIES
from ideation.store import Store


def area_inputs(live: LiveSession) -> tuple[list[str], list[str]]:
    """(the session's idea texts, the brief's opportunity areas): read on the UI thread."""
    areas = list(live.brief.opportunity_areas) if live.brief else []
    ideas = [i.text for i in live.standing() if i.entry in THEMED_ENTRIES]
    return ideas, areas


def untouched_now(
    store: Store, embedder: Embedder, ideas: list[str], areas: list[str]
) -> list[str]:
    """Areas no idea is near yet; runs in the embedding worker (the ideas are cached)."""
    if not areas:
        return []
    area_vectors = embed_cached(store, embedder, areas)
    idea_vectors = embed_cached(store, embedder, ideas)
    return untouched_areas(areas, area_vectors, idea_vectors)


def area_hint(live: LiveSession, untouched: list[str]) -> str:
    """The hint once some divergent phase on the task (not a warm-up) has ended or run
    its whole length with an area untouched; else "". `untouched` is the embedding
    worker's latest answer, so the hint goes once an idea near the area is embedded."""
    if not untouched:
        return ""
    state = live.state()
    if state.ended:
        return ""
    divergent = [
        (t := TECHNIQUES.get(phase.technique)) is not None and counts_for_areas(t.id, t.divergent)
        for phase in live.phases
    ]
    runs = [(run.position, run.ended_at is not None) for run in state.runs]
    done = divergent_phase_done(runs, state.actual_seconds, live.planned, divergent)
    return untouched_area_hint(untouched, done)
