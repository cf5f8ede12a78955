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
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: Neighbours averaged for rarity.
RARITY_K = 10
#: Share of the pool's mean vector removed before cosines (cross-validated on AUT train).
RARITY_CENTRE = 0.6
#: Nearest other ideas kept for the explanation.
NEAREST_SHOWN = 3


def idea_key(text: str) -> str:
    """Case-, space- and edge-punctuation-insensitive identity of an idea, for counting repeats."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = " ".join(text.split())
    return text.strip(" .,;:!?-–—•*\"'“”‘’()[]")


@dataclass(frozen=True, slots=True)  # slots: a panel holds some 400,000 of them
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
    progress: Callable[[int, int], None] | None = None,
    rows: Sequence[int] | None = None,
) -> PoolRarity:
    """1 − mean cosine to the k nearest other responses in the pool, computed once per text.

    `rows`: the row of `vectors` each text's vector is in (default: the text's own
    position), so a caller can pass the one matrix of every distinct idea instead of a
    copy with a row per response (690 MB for a panel's list task at 100,000 people).

    Why dedupe: a pool of 10,000 respondents repeats "pen holder" hundreds of
    times; the similarity matrix is built over distinct texts and copies are
    counted back in, so cost grows with distinct ideas, not answers. Why two
    paths: nearly every response has the same neighbours as every other copy
    of its text (its own copy left out), so that is worked out once per text,
    in numpy; only a response whose author also wrote one of those neighbours
    (or the text twice) is worked out on its own. `progress` gets (rows
    compared, distinct texts).
    """
    import numpy as np

    n = len(texts)
    at = range(len(vectors)) if rows is None else rows
    if len(at) != n:
        raise ValueError(f"{n} texts but {len(at)} rows of vectors")
    if n == 0:
        return PoolRarity(np.zeros(0), [], np.zeros(0, dtype=int))
    key_of = {text: idea_key(text) for text in dict.fromkeys(texts)}
    index: dict[str, int] = {}
    first: list[int] = []
    for i, text in enumerate(texts):
        if index.setdefault(key_of[text], len(first)) == len(first):
            first.append(i)
    of = np.fromiter((index[key_of[text]] for text in texts), dtype=np.int64, count=n)
    counts = np.bincount(of, minlength=len(first))
    m = len(first)
    owner_codes = _codes(owners, n)
    pairs, own = np.unique(owner_codes * m + of, return_counts=True)  # (owner, text) -> copies
    max_own = int(np.bincount(pairs // m).max())

    unique = np.asarray(vectors, dtype=np.float32)[[at[i] for i in first]]
    mean = (unique * counts[:, None]).sum(axis=0) / n
    unique = unique - np.float32(centre) * mean.astype(np.float32)
    norms = np.linalg.norm(unique, axis=1, keepdims=True)
    unique = unique / np.where(norms > 0, norms, 1.0)
    cand_idx, cand_sim = _candidates(unique, min(m, k + max_own + shown), progress)

    # Every text with one copy of itself left out: what almost every response gets.
    rows = np.arange(m)[:, None]
    available = counts[cand_idx] - (cand_idx == rows)
    value, filled = _mean_nearest(available, cand_sim, k)
    listed = (cand_idx != rows) & (available > 0)
    nearest_of = [  # only the first `shown` of a row's candidates are made into neighbours
        tuple(
            islice(
                (
                    Neighbour(texts[first[v]], round(s, 3), a)
                    for v, s, a, ok in zip(idx, sim, avail, show, strict=True)
                    if ok
                ),
                shown,
            )
        )
        for idx, sim, avail, show in zip(
            cand_idx.tolist(), cand_sim.tolist(), available.tolist(), listed.tolist(), strict=True
        )
    ]
    rarity = value[of]
    others = filled[of]
    nearest = [nearest_of[j] for j in of.tolist()]
    for i in _own_neighbours(of, owner_codes, pairs, own, cand_idx, m).tolist():
        mine = {int(p % m): int(c) for p, c in _owned(pairs, own, owner_codes[i], m)}
        rarity[i], others[i], nearest[i] = _one(
            int(of[i]), mine, cand_idx, cand_sim, counts, texts, first, k, shown
        )
    return PoolRarity(rarity, nearest, others)


def _codes(owners: Sequence[str] | None, n: int) -> np.ndarray:
    """Owners as integers 0…; without owners each response is its own owner."""
    import numpy as np

    if owners is None:
        return np.arange(n, dtype=np.int64)
    code: dict[str, int] = {}
    return np.fromiter((code.setdefault(o, len(code)) for o in owners), dtype=np.int64, count=n)


def _candidates(
    unique: np.ndarray, width: int, progress: Callable[[int, int], None] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's `width` most similar rows (itself first), most similar first, ties in
    row order.

    Why tiles of the upper triangle: similarity is symmetric, so each `TILE` × `TILE`
    tile is computed once and offered to both its rows and its columns, half the
    products of a row-by-row search; memory stays a few tiles whatever the pool. Why a
    running floor: a row keeps its best `width` so far, and a tile's score below the
    row's worst kept one cannot enter, so after a row's first tile almost nothing
    reaches the sort (a full per-row partition of 72,000 scores cost as much as the
    products). Why a second thread: choosing from a tile costs about as much as
    computing it, mostly on one core; it runs while the next tile's products (which let
    go of the GIL) are computed, in the order the tiles were made, so the result is
    the same bit for bit."""
    import numpy as np

    m = len(unique)
    unique = np.ascontiguousarray(unique, dtype=np.float32)
    best = _Best(m, width)
    chooser = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rarity")
    pending: deque[Future[None]] = deque()
    try:
        for start in range(0, m, TILE):
            rows = unique[start : start + TILE]
            for other in range(start, m, TILE):
                sims = rows @ unique[other : other + TILE].T
                if other == start:
                    np.fill_diagonal(sims, _SELF)  # self first, whatever rounding says
                pending.append(chooser.submit(best.offer_tile, start, other, sims))
                del sims
                while len(pending) > _TILES_WAITING:  # a few tiles held, whatever the pool
                    pending.popleft().result()
            if progress:
                progress(min(start + TILE, m), m)
        while pending:
            pending.popleft().result()
    finally:
        chooser.shutdown(wait=True, cancel_futures=True)
    return best.result()


#: Rows and columns of one tile of the similarity matrix (4 MB of float32). The sums
#: behind a similarity depend on the tile shape in the last bit; 1024 keeps the 10,000
#: and 100,000 benchmarks' results as they were.
TILE = 1024
#: A row's similarity to itself while choosing (above any cosine), so it sorts first.
_SELF = 2.0
#: Tiles computed but not yet chosen from: enough to keep both cores busy.
_TILES_WAITING = 2


class _Best:
    """The best `width` (similarity, row) of every row so far, under the order "more
    similar first, then lower row", so the result does not depend on tile order."""

    def __init__(self, m: int, width: int) -> None:
        import numpy as np

        self.width = width
        self.sims = np.full((m, width), -np.inf, dtype=np.float32)
        self.idx = np.full((m, width), m, dtype=np.int64)  # m: an empty place
        self.floor = np.full(m, -np.inf, dtype=np.float32)  # the worst kept, once full

    def offer_tile(self, start: int, other: int, sims: np.ndarray) -> None:
        """Tile (rows start…, columns other…) offered to its rows and, off the diagonal,
        to its columns."""
        self.offer(start, other, sims, by_column=False)
        if other != start:
            self.offer(other, start, sims, by_column=True)

    def offer(self, row_start: int, col_start: int, sims: np.ndarray, by_column: bool) -> None:
        """The scores of one tile that can enter their rows' best. The tile's rows are
        rows row_start… (its columns col_start…), or with `by_column` the other way
        round: the tile is read as computed, never transposed in memory."""
        import numpy as np

        axis = 0 if by_column else 1
        n, across = sims.shape[1 - axis], sims.shape[axis]
        floor = self.floor[row_start : row_start + n].copy()
        fresh = np.flatnonzero(floor == -np.inf)
        if len(fresh) and across > self.width:  # a row's first tile: its own width-th best
            kth = across - self.width  # scores tied with it stay in: the order decides
            if by_column:
                floor[fresh] = np.partition(sims[:, fresh], kth, axis=0)[kth]
            else:
                floor[fresh] = np.partition(sims[fresh], kth, axis=1)[:, kth]
        passed = sims >= (floor[None, :] if by_column else floor[:, None])
        hit = np.flatnonzero(passed)  # flat: 2-D nonzero costs several times more
        if not len(hit):
            return
        first, second = np.divmod(hit, sims.shape[1])
        values = sims[first, second]
        hit_rows, hit_cols = (second, first) if by_column else (first, second)
        if by_column:  # group by row
            order = np.argsort(hit_rows, kind="stable")
            hit_rows, hit_cols, values = hit_rows[order], hit_cols[order], values[order]
        rows, begin, per_row = np.unique(hit_rows, return_index=True, return_counts=True)
        place = np.arange(len(hit_rows)) - np.repeat(begin, per_row)
        wide = self.width + int(per_row.max())
        target = rows + row_start
        merged_sims = np.full((len(rows), wide), -np.inf, dtype=np.float32)
        merged_idx = np.full((len(rows), wide), len(self.floor), dtype=np.int64)
        merged_sims[:, : self.width] = self.sims[target]
        merged_idx[:, : self.width] = self.idx[target]
        at = np.repeat(np.arange(len(rows)), per_row)
        merged_sims[at, self.width + place] = values
        merged_idx[at, self.width + place] = hit_cols + col_start
        order = np.lexsort((merged_idx, -merged_sims), axis=-1)[:, : self.width]
        self.sims[target] = np.take_along_axis(merged_sims, order, axis=1)
        self.idx[target] = np.take_along_axis(merged_idx, order, axis=1)
        self.floor[target] = self.sims[target, -1]

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows, similarities), each row's best first; a row's own similarity is 1."""
        self.sims[self.sims == _SELF] = 1.0
        return self.idx, self.sims


def _mean_nearest(available: np.ndarray, sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row: 1 − the mean similarity of the first k available copies (NaN for none),
    and how many there were. Summed column by column, in the order a loop would."""
    import numpy as np

    reached = np.minimum(np.cumsum(available, axis=1), k)
    take = np.diff(reached, axis=1, prepend=0)
    total = np.zeros(len(available))
    for column in range(available.shape[1]):
        total += take[:, column] * sims[:, column].astype(np.float64)
    filled = reached[:, -1] if available.shape[1] else np.zeros(len(available), dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(filled > 0, 1.0 - total / np.maximum(filled, 1), np.nan)
    return value, filled.astype(int)


def _owned(pairs: np.ndarray, own: np.ndarray, owner: int, m: int) -> list[tuple[int, int]]:
    """The (owner·m + text, copies) pairs of one owner (pairs are sorted)."""
    import numpy as np

    lo, hi = np.searchsorted(pairs, [owner * m, (owner + 1) * m])
    return list(zip(pairs[lo:hi].tolist(), own[lo:hi].tolist(), strict=True))


def _own_neighbours(
    of: np.ndarray,
    owner_codes: np.ndarray,
    pairs: np.ndarray,
    own: np.ndarray,
    cand_idx: np.ndarray,
    m: int,
) -> np.ndarray:
    """Responses whose author wrote their text more than once, or wrote another text among
    its candidate neighbours: the few whose neighbours differ from their text's."""
    import numpy as np

    twice = own[np.searchsorted(pairs, owner_codes * m + of)] > 1
    lo = np.searchsorted(pairs, owner_codes * m)
    hi = np.searchsorted(pairs, (owner_codes + 1) * m)
    sizes = hi - lo
    response = np.repeat(np.arange(len(of)), sizes)
    position = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    text = pairs[lo[response] + position] % m
    mine = of[response]
    other = text != mine
    near = np.zeros(len(text), dtype=bool)
    if other.any():
        ordered = np.sort((np.arange(m)[:, None] * m + cand_idx).ravel())
        wanted = mine[other] * m + text[other]
        found = np.searchsorted(ordered, wanted)
        near[other] = ordered[np.minimum(found, len(ordered) - 1)] == wanted
    hit = np.zeros(len(of), dtype=bool)
    hit[response[near]] = True
    return np.flatnonzero(hit | twice)


def _one(
    j: int,
    mine: dict[int, int],
    cand_idx: np.ndarray,
    cand_sim: np.ndarray,
    counts: np.ndarray,
    texts: Sequence[str],
    first: list[int],
    k: int,
    shown: int,
) -> tuple[float, int, tuple[Neighbour, ...]]:
    """One response's rarity, leaving out every copy its author wrote of each candidate."""
    filled, total, near = 0, 0.0, []
    for v, s in zip(cand_idx[j].tolist(), cand_sim[j].tolist(), strict=True):
        available = int(counts[v]) - mine.get(v, 0)
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
    return (1.0 - total / filled if filled else float("nan")), filled, tuple(near)


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
