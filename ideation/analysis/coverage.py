"""Provides opportunity-area coverage: how many ideas sit near each area of the brief.

Earlier research hands the session its opportunity areas (and springboard
starters); afterwards the researcher asks which of them the ideas answered and
which the room never reached. Each area text is embedded with the ideas' own
model and an idea counts as near it at cosine ≥ `NEAR_AREA` (see `live/flow.py`
for how that threshold was chosen; the live hint uses the same one). A theme
touches an area when at least `THEME_TOUCH` of its ideas are near it (its only
idea, for a one-idea theme): one stray idea is not a theme about the area.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ideation.analysis.embed import Embedder, cached_only, embed_cached
from ideation.analysis.themes import ThemeSet
from ideation.live.flow import NEAR_AREA, near_areas
from ideation.live.plan import Brief, PlanError, parse_plan
from ideation.rarity import idea_key
from ideation.store import Store

if TYPE_CHECKING:
    import numpy as np

#: Ideas of one theme that must be near an area for the theme to touch it.
THEME_TOUCH = 2
#: What an area is, as the brief lists it.
AREA, SPRINGBOARD = "opportunity area", "springboard"


@dataclass(frozen=True)
class Area:
    """One text of a brief that ideas are meant to answer."""

    kind: str  # AREA or SPRINGBOARD
    text: str


@dataclass(frozen=True)
class AreaCoverage:
    """How the ideas cover one area: ideas near it, and the themes touching it
    as (theme number, label, ideas near), most ideas first."""

    area: Area
    ideas: int
    themes: tuple[tuple[int, str, int], ...]

    @property
    def untouched(self) -> bool:
        """No theme is about this area (a stray idea or two may still be near it)."""
        return not self.themes


def session_brief(store: Store, session_id: int) -> Brief | None:
    """The brief of the plan a session ran from; None without a plan or when it no
    longer parses (a plan edited after the session still leaves the session readable)."""
    session = store.session(session_id)
    if session.plan_id is None:
        return None
    plan = store.plan(session.plan_id)
    try:
        return parse_plan(plan.source, plan.path).brief
    except PlanError:
        return None


def brief_areas(brief: Brief | None) -> list[Area]:
    """A brief's opportunity areas, then its springboard starters."""
    if brief is None:
        return []
    return [Area(AREA, t) for t in brief.opportunity_areas] + [
        Area(SPRINGBOARD, t) for t in brief.springboards
    ]


def scope_areas(store: Store, session_ids: Sequence[int]) -> list[Area]:
    """Every area of the scope's briefs once (sessions from one plan share them)."""
    seen: set[tuple[str, str]] = set()
    areas = []
    for session_id in sorted(set(session_ids)):
        for area in brief_areas(session_brief(store, session_id)):
            key = (area.kind, idea_key(area.text))
            if key not in seen:
                seen.add(key)
                areas.append(area)
    return areas


def embed_areas(store: Store, embedder: Embedder, session_ids: Sequence[int]) -> None:
    """Cache the scope's area vectors beside the ideas', so reports never load a model."""
    areas = scope_areas(store, session_ids)
    if areas:
        embed_cached(store, embedder, [a.text for a in areas])


def coverage(
    themes: ThemeSet,
    areas: Sequence[Area],
    idea_vectors: np.ndarray,
    area_vectors: np.ndarray,
    threshold: float = NEAR_AREA,
) -> list[AreaCoverage]:
    """Coverage of each area; `idea_vectors` rows follow the themes' ideas in order."""
    near = near_areas(idea_vectors, area_vectors, threshold)
    result = []
    for column, area in enumerate(areas):
        touching = []
        row = 0
        for theme in themes.themes:
            hits = int(near[row : row + len(theme.ideas), column].sum())
            row += len(theme.ideas)
            if hits >= min(THEME_TOUCH, len(theme.ideas)) and hits:
                touching.append((theme.number, theme.label, hits))
        touching.sort(key=lambda t: -t[2])
        result.append(AreaCoverage(area, int(near[:, column].sum()), tuple(touching)))
    return result


def scope_coverage(
    store: Store,
    themes: ThemeSet,
    embedder: Embedder | None = None,
    session_ids: Sequence[int] | None = None,
) -> list[AreaCoverage] | None:
    """Coverage of the briefs of `session_ids` (default: the revision's). Without an
    embedder only cached vectors are used and None means some are missing (never a model
    load in an export or on the UI thread); [] means the briefs list no areas."""
    areas = scope_areas(store, themes.record.scope if session_ids is None else session_ids)
    if not areas:
        return []
    texts = [idea.text for theme in themes.themes for idea in theme.ideas]
    area_texts = [a.text for a in areas]
    if embedder is None:
        ideas = cached_only(store, themes.record.model, texts)
        wanted = cached_only(store, themes.record.model, area_texts)
        if ideas is None or wanted is None:
            return None
    else:
        ideas = embed_cached(store, embedder, texts)
        wanted = embed_cached(store, embedder, area_texts)
    return coverage(themes, areas, ideas, wanted)
