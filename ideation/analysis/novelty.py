"""Provides the most novel ideas: the rarest in the pooled study, per session.

Rarity is the screener's originality method (`ideation/rarity.py`): 1 − the mean
cosine to the nearest other ideas of the pool, after removing most of the pool's
shared direction. Here the pool is every idea of the revision's sessions, and a
participant's own other ideas are not their neighbours (building on yourself is
not being unoriginal). Rare is not the same as good: the report says "unusual,
not necessarily good", and the researcher judges.

A session lists at most a third of its ideas (at least one, at most ten): listing
every idea of a small session says nothing. Ideas the language check flags as not
English are left out of the lists: an English model finds them all "rare" because
it cannot read them, and the report says how many were left out.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ideation.analysis.embed import cached_only
from ideation.analysis.languages import language_of
from ideation.analysis.themes import ThemeSet
from ideation.rarity import percentiles, pool_rarity
from ideation.records import Idea
from ideation.store import Store

if TYPE_CHECKING:
    import numpy as np

#: Ideas listed per session at most.
TOP_NOVEL = 10
#: ... and at most this share of the session's ideas (but always one).
NOVEL_SHARE = 1 / 3
#: How the lists are labelled wherever they are shown.
NOVEL_CAVEAT = "unusual, not necessarily good"


@dataclass(frozen=True)
class NovelIdea:
    """One idea with its rarity and where it sits among the pool (0-1, rarer than)."""

    idea: Idea
    theme_number: int
    theme_label: str
    rarity: float
    percentile: float


def _owner(idea: Idea) -> str:
    """Whose ideas are one's own: the participant, or the idea alone when unattributed."""
    if idea.participant_id is None:
        return f"idea {idea.id}"
    return f"participant {idea.participant_id}"


def listed(ideas: int, top: int = TOP_NOVEL) -> int:
    """How many of a session's `ideas` its list shows: a third, at least 1, at most `top`."""
    return max(1, min(top, int(ideas * NOVEL_SHARE)))


def not_judged(themes: ThemeSet, session_ids: Collection[int] | None = None) -> int:
    """How many of the revision's ideas (of `session_ids` only, when given: an export of
    one session from a pooled revision) the lists leave out as not in English."""
    return sum(
        language_of(i.text) is not None
        for t in themes.themes
        for i in t.ideas
        if session_ids is None or i.session_id in session_ids
    )


def most_novel(
    themes: ThemeSet, vectors: np.ndarray, per_session: int = TOP_NOVEL
) -> dict[int, list[NovelIdea]]:
    """Session id -> its rarest ideas, rarest first, at most `listed()` of them;
    `vectors` rows follow the themes' ideas in order. A pool of one idea has no
    rarity, so nothing is listed; ideas not in English are not listed."""
    placed = [(idea, theme) for theme in themes.themes for idea in theme.ideas]
    ideas = [idea for idea, _ in placed]
    pool = pool_rarity([i.text for i in ideas], vectors, [_owner(i) for i in ideas])
    rank = percentiles(pool.rarity)
    by_session: dict[int, list[NovelIdea]] = {}
    sizes: dict[int, int] = {}
    for n, (idea, theme) in enumerate(placed):
        sizes[idea.session_id] = sizes.get(idea.session_id, 0) + 1
        if math.isnan(pool.rarity[n]) or language_of(idea.text) is not None:
            continue  # no other idea to compare with, or one the model cannot read
        by_session.setdefault(idea.session_id, []).append(
            NovelIdea(idea, theme.number, theme.label, float(pool.rarity[n]), float(rank[n]))
        )
    return {
        sid: sorted(found, key=lambda f: (-f.rarity, f.idea.seq))[: listed(sizes[sid], per_session)]
        for sid, found in sorted(by_session.items())
    }


def scope_novelty(store: Store, themes: ThemeSet) -> dict[int, list[NovelIdea]] | None:
    """`most_novel` from cached vectors only; None when some are missing."""
    texts = [idea.text for theme in themes.themes for idea in theme.ideas]
    vectors = cached_only(store, themes.record.model, texts)
    if vectors is None:
        return None
    return most_novel(themes, vectors)
