"""Provides rarity: how unlike the rest of its pool one idea is, from sentence vectors.

Shared by the screener's originality score (`screening/originality.py`) and the
researcher's "most novel ideas" (`analysis/novelty.py`), which sit side by side in
one layer and may not import each other: one method, one place.

Rarity is 1 − the mean cosine between an idea and its ``RARITY_K`` (10) nearest
*other* ideas in the pool. Before the cosine, ``RARITY_CENTRE`` (0.6) of the pool's
mean vector is subtracted from every vector and the vectors are re-normalised:
every answer about a coffee mug shares a "coffee mug" direction, and removing most
of it lets the cosine see the *use* (the share was chosen on the AUT training set;
see `screening/originality.py`). After centring, cosines can be negative, so rarity
runs from 0 to a little above 1. Identical texts count once per owner who wrote
them, and, when ``owners`` are given, an owner's own other ideas are not their
neighbours (you are not unoriginal for being consistent).

numpy is imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: Neighbours averaged for rarity.
RARITY_K = 10
#: Share of the pool's mean vector removed before cosines (cross-validated on AUT train).
RARITY_CENTRE = 0.6
#: Nearest other ideas kept for the explanation.
NEAREST_SHOWN = 3
#: Rows of the pool compared at once; bounds memory to about CHUNK × pool × 4 bytes.
CHUNK = 1024


def idea_key(text: str) -> str:
    """Case-, space- and edge-punctuation-insensitive identity of an idea, for counting repeats."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = " ".join(text.split())
    return text.strip(" .,;:!?-–—•*\"'“”‘’()[]")


@dataclass(frozen=True)
class Neighbour:
    """Another idea in the pool close to this one; `count` is how many others wrote it.

    `similarity` is the cosine rarity was computed from (after pool centring).
    """

    text: str
    similarity: float
    count: int


@dataclass(frozen=True)
class PoolRarity:
    """Rarity per response (NaN when the pool has no other response) and its nearest others."""

    rarity: np.ndarray
    nearest: list[tuple[Neighbour, ...]]
    others: np.ndarray  # how many other responses each rarity was measured against


def pool_rarity(
    texts: Sequence[str],
    vectors: np.ndarray,
    owners: Sequence[str] | None = None,
    k: int = RARITY_K,
    centre: float = RARITY_CENTRE,
    shown: int = NEAREST_SHOWN,
) -> PoolRarity:
    """1 − mean cosine to the k nearest other responses in the pool, computed once per text.

    Why dedupe: a pool of 10,000 respondents repeats "pen holder" hundreds of
    times; the similarity matrix is built over distinct texts and copies are
    counted back in, so cost grows with distinct ideas, not answers.
    """
    import numpy as np

    n = len(texts)
    if vectors.shape[0] != n:
        raise ValueError(f"{n} texts but {vectors.shape[0]} vectors")
    if n == 0:
        return PoolRarity(np.zeros(0), [], np.zeros(0, dtype=int))
    keys = [idea_key(t) for t in texts]
    index: dict[str, int] = {}
    first: list[int] = []
    for i, key in enumerate(keys):
        if key not in index:
            index[key] = len(first)
            first.append(i)
    of = np.fromiter((index[key] for key in keys), dtype=np.int64, count=n)
    counts = np.bincount(of, minlength=len(first))
    owner_of = list(owners) if owners is not None else [str(i) for i in range(n)]
    own: dict[str, Counter[int]] = {}
    for i, owner in enumerate(owner_of):
        own.setdefault(owner, Counter())[int(of[i])] += 1
    max_own = max(len(c) for c in own.values())

    unique = np.asarray(vectors, dtype=np.float32)[first]
    mean = (unique * counts[:, None]).sum(axis=0) / n
    unique = unique - np.float32(centre) * mean.astype(np.float32)
    norms = np.linalg.norm(unique, axis=1, keepdims=True)
    unique = unique / np.where(norms > 0, norms, 1.0)

    m = len(first)
    width = min(m, k + max_own + shown)
    cand_idx = np.zeros((m, width), dtype=np.int64)
    cand_sim = np.zeros((m, width), dtype=np.float32)
    for start in range(0, m, CHUNK):
        sims = unique[start : start + CHUNK] @ unique.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + start] = 1.0  # self first, whatever rounding says
        if width < m:
            top = np.argpartition(-sims, width - 1, axis=1)[:, :width]
        else:
            top = np.broadcast_to(np.arange(m), (sims.shape[0], m))
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1, kind="stable")
        cand_idx[start : start + CHUNK] = np.take_along_axis(top, order, axis=1)
        cand_sim[start : start + CHUNK] = np.take_along_axis(top_sims, order, axis=1)

    rarity = np.full(n, np.nan)
    others = np.zeros(n, dtype=int)
    nearest: list[tuple[Neighbour, ...]] = [()] * n
    memo: dict[tuple[int, tuple[tuple[int, int], ...]], tuple[float, int, tuple]] = {}
    cand_lists = cand_idx.tolist()
    cand_sets = [set(c) for c in cand_lists]
    sim_lists = cand_sim.tolist()
    count_list = counts.tolist()
    of_list = of.tolist()
    for i in range(n):
        j = of_list[i]
        mine = own[owner_of[i]]
        near_j = cand_sets[j]
        excluded = tuple(sorted((v, c) for v, c in mine.items() if v in near_j))
        memo_key = (j, excluded)
        if memo_key not in memo:
            skip = dict(excluded)
            filled, total, near = 0, 0.0, []
            for v, s in zip(cand_lists[j], sim_lists[j], strict=True):
                available = count_list[v] - skip.get(v, 0)
                if available <= 0:
                    continue
                if filled < k:
                    take = min(available, k - filled)
                    filled += take
                    total += take * s
                if v != j and len(near) < shown:
                    near.append(Neighbour(texts[first[v]], round(float(s), 3), available))
                if filled >= k and len(near) >= shown:
                    break
            value = 1.0 - total / filled if filled else float("nan")
            memo[memo_key] = (value, filled, tuple(near))
        rarity[i], others[i], nearest[i] = memo[memo_key]
    return PoolRarity(rarity, nearest, others)


def standardise(values: np.ndarray) -> np.ndarray:
    """z-scores over the finite values (NaN stays NaN, a constant pool gives zeros)."""
    import numpy as np

    out = np.full(values.shape, np.nan)
    ok = np.isfinite(values)
    if ok.sum() >= 2:
        spread = values[ok].std()
        out[ok] = (values[ok] - values[ok].mean()) / spread if spread > 0 else 0.0
    elif ok.any():
        out[ok] = 0.0
    return out


def percentiles(values: np.ndarray) -> np.ndarray:
    """Share of the finite values strictly below each, plus half the ties (mid-rank), 0-1."""
    import numpy as np

    out = np.full(values.shape, np.nan)
    ok = np.isfinite(values)
    if ok.any():
        finite = np.sort(values[ok])
        below = np.searchsorted(finite, values[ok], side="left")
        upto = np.searchsorted(finite, values[ok], side="right")
        out[ok] = (below + upto) / 2 / len(finite)
    return out
