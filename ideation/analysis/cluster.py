"""Provides theme-finding for a session's ideas: themes, wild ideas, near-duplicates, a map.

A researcher faced with 150-600 short ideas needs them grouped into themes
without first saying how many themes there are. `cluster_ideas` does that from
sentence vectors alone (no store, no UI), deterministically, so a stored result
can be reproduced and the screen never reshuffles between runs.

Method (chosen on the argkp benchmark, see bench/clustering.py):

* a k-nearest-neighbour graph over cosine similarity (each idea linked to its
  10 most similar ideas) — local neighbourhoods carry the theme signal even
  when the global similarity scale varies between topics;
* Ensemble Clustering for Graphs (ECG, Poulin & Théberge 2019): 16 seeded
  first-level Louvain passes vote on every edge; the final Louvain runs on the
  vote weights. Modularity decides how many themes there are, and the vote
  removes most of Louvain's seed-to-seed wobble;
* communities of fewer than 3 ideas are folded into the nearest theme (a
  theme is a pattern, two ideas are a coincidence); a lone idea is flagged wild;
* `themes=N` instead cuts the same consensus graph with spectral clustering,
  which honours N exactly.

Louvain is implemented here over plain lists: networkx's version is pure Python
too but several times slower, and re-clustering 1,000 ideas must take < 1 s.
numpy, scipy and scikit-learn are imported inside functions only.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

#: Called with (done, total) as the work advances, for progress bars.
Progress = Callable[[int, int], None]

#: Each idea links to this many nearest ideas. ~10 is the usual kNN-graph size
#: for a few hundred points; fewer fragments themes, more merges them.
NEIGHBOURS = 10
#: Louvain resolution; 1.0 is plain modularity (no tuning towards more or fewer themes).
RESOLUTION = 1.0
#: ECG ensemble size and minimum edge weight, the defaults of the ECG paper.
ENSEMBLE = 16
ENSEMBLE_FLOOR = 0.05
SEED = 0
#: Smaller communities are folded into their nearest theme.
MIN_THEME = 3
#: Cosine at or above which two ideas in one theme count as the same idea said twice.
#: With all-MiniLM-L6-v2, paraphrased short ideas measured 0.77-0.94 and distinct ideas
#: about the same product at most 0.66: 0.85 leans to precision (a false duplicate
#: hides an idea; a missed one costs a reader a second look).
DUPLICATE_SIMILARITY = 0.85
#: ... raised, in sets of 20+, to the 90th percentile of nearest-neighbour similarity:
#: where every idea restates the prompt (argkp: median nearest cosine 0.84), 0.85 alone
#: would flag 45% of ideas; a duplicate should be among the closest pairs of its set.
DUPLICATE_QUANTILE = 0.9
DUPLICATE_QUANTILE_MIN_IDEAS = 20
#: Wild: nothing else is even loosely related (nearest other idea below this cosine) ...
WILD_SIMILARITY = 0.6
#: ... and, in sets big enough for quartiles, an outlier by Tukey's rule on the
#: nearest-neighbour similarities of this very set (below Q1 - 1.5 IQR).
WILD_FENCE_MIN_IDEAS = 8
TUKEY = 1.5


@dataclass(frozen=True)
class Theme:
    """One group of ideas, numbered by size (1 is the largest)."""

    number: int
    label: str
    representative: int
    members: tuple[int, ...]


@dataclass(frozen=True)
class Clustering:
    """Themes for every input idea, plus the per-idea flags a researcher looks at first."""

    assignment: tuple[int, ...]
    themes: tuple[Theme, ...]
    wild: tuple[bool, ...]
    duplicate_group: tuple[int | None, ...]
    params: dict[str, Any] = field(default_factory=dict)


def cluster_ideas(
    vectors: np.ndarray,
    texts: Sequence[str],
    themes: int | None = None,
    progress: Progress | None = None,
    stop_words: Sequence[str] = (),
) -> Clustering:
    """Group ideas into themes; the count is found unless `themes` says it.

    Same vectors and texts in, same result out: every random step is seeded.
    """
    import numpy as np

    from ideation.analysis.labels import theme_labels

    n = len(texts)
    matrix = np.asarray(vectors, dtype=np.float32)
    if n and (matrix.ndim != 2 or matrix.shape[0] != n):
        raise ValueError(f"vectors of shape {matrix.shape} for {n} texts")
    if themes is not None and themes < 1:
        raise ValueError("themes must be at least 1")
    params: dict[str, Any] = {
        "method": "ecg-louvain" if themes is None else "ecg-spectral",
        "neighbours": NEIGHBOURS,
        "resolution": RESOLUTION,
        "ensemble": ENSEMBLE,
        "ensemble_floor": ENSEMBLE_FLOOR,
        "seed": SEED,
        "min_theme": MIN_THEME,
        "duplicate_similarity": DUPLICATE_SIMILARITY,
        "duplicate_quantile": DUPLICATE_QUANTILE,
        "wild_similarity": WILD_SIMILARITY,
        "themes_requested": themes,
        "ideas": n,
    }
    if n == 0:
        params["themes_found"] = 0
        if progress:
            progress(1, 1)
        return Clustering((), (), (), (), params)

    matrix = _normalised(matrix)
    steps = ENSEMBLE + 3
    tick = _ticker(progress, steps)
    lonely: set[int] = set()
    if n == 1:
        labels = np.zeros(1, dtype=np.int64)
        nearest = np.full(1, np.nan)
        tick(steps - 1)
    else:
        neighbours, similarity = _nearest(matrix, min(NEIGHBOURS, n - 1))
        nearest = similarity[:, 0].astype(np.float64)
        tick(1)
        graph = _knn_graph(neighbours, similarity, n)
        consensus = _ensemble_weights(graph, tick)
        if themes is None:
            labels = _louvain(consensus, RESOLUTION, SEED)
            labels, lonely = _fold_small(labels, matrix, MIN_THEME)
        else:
            labels = _spectral(consensus, matrix, min(themes, n))
        tick(1)

    order, labels = _by_size(labels)
    centres = [_centre(matrix, np.flatnonzero(labels == t)) for t in range(len(order))]
    members = [tuple(int(i) for i in np.flatnonzero(labels == t)) for t in range(len(order))]
    representatives = [
        int(group[int(np.argmax(matrix[list(group)] @ centre))])
        for group, centre in zip(members, centres, strict=True)
    ]
    words = theme_labels(texts, labels.tolist(), representatives, extra_stop_words=stop_words)
    theme_list = tuple(
        Theme(t + 1, words[t], representatives[t], members[t]) for t in range(len(members))
    )
    wild, fence = _wild(nearest, lonely)
    same = _duplicate_threshold(nearest)
    duplicates = _duplicate_groups(matrix, labels, same)
    tick(1)
    params["themes_found"] = len(theme_list)
    params["wild_fence"] = fence
    params["duplicate_threshold"] = round(same, 4)
    return Clustering(
        assignment=tuple(int(t) + 1 for t in labels),
        themes=theme_list,
        wild=wild,
        duplicate_group=duplicates,
        params=params,
    )


def map_2d(vectors: np.ndarray) -> np.ndarray:
    """2-D coordinates for a map of ideas: the first two principal components.

    PCA is exact and seed-free, and signs are fixed (largest loading positive),
    so the map looks the same every time the same ideas are drawn.
    """
    import numpy as np

    matrix = np.asarray(vectors, dtype=np.float64)
    n = matrix.shape[0] if matrix.ndim else 0
    out = np.zeros((n, 2), dtype=np.float64)
    if n < 2:
        return out
    matrix = matrix.reshape(n, -1)
    centred = matrix - matrix.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    for axis in range(min(2, components.shape[0])):
        component = components[axis]
        if component[np.argmax(np.abs(component))] < 0:
            component = -component
        out[:, axis] = centred @ component
    return out


# -- the graph ----------------------------------------------------------------


@dataclass(frozen=True)
class _Edges:
    """Undirected edge list, each edge once (row < col), over nodes 0..n-1."""

    n: int
    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray


@dataclass
class _Graph:
    """Undirected weighted graph as adjacency lists; `loops` holds A_ii (aggregated graphs)."""

    neighbours: list[list[int]]
    weights: list[list[float]]
    loops: list[float]


def _normalised(matrix: np.ndarray) -> np.ndarray:
    import numpy as np

    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


def _ticker(progress: Progress | None, total: int) -> Callable[[int], None]:
    done = [0]

    def tick(steps: int) -> None:
        done[0] = min(total, done[0] + steps)
        if progress:
            progress(done[0], total)

    return tick


def _nearest(matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k most similar other ideas per idea, most similar first; in blocks, so 10k fits."""
    import numpy as np

    n = matrix.shape[0]
    neighbours = np.empty((n, k), dtype=np.int64)
    similarity = np.empty((n, k), dtype=np.float32)
    block = 1024
    for start in range(0, n, block):
        stop = min(n, start + block)
        sims = matrix[start:stop] @ matrix.T
        sims[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top_sims = np.take_along_axis(sims, top, axis=1)
        # Ties broken by index, so the graph never depends on argpartition's internals.
        order = np.lexsort((top, -top_sims), axis=1)
        neighbours[start:stop] = np.take_along_axis(top, order, axis=1)
        similarity[start:stop] = np.take_along_axis(top_sims, order, axis=1)
    return neighbours, similarity


def _knn_graph(neighbours: np.ndarray, similarity: np.ndarray, n: int) -> _Edges:
    """Symmetric edge list (i < j, weight) of the kNN graph; mutual neighbours weigh double."""
    import numpy as np
    from scipy import sparse

    rows = np.repeat(np.arange(n), neighbours.shape[1])
    cols = neighbours.ravel()
    weights = np.maximum(similarity.ravel().astype(np.float64), 1e-6)
    matrix = sparse.coo_matrix((weights, (rows, cols)), shape=(n, n)).tocsr()
    matrix = (matrix + matrix.T).tocoo()
    keep = matrix.row < matrix.col
    order = np.lexsort((matrix.col[keep], matrix.row[keep]))
    return _Edges(n, matrix.row[keep][order], matrix.col[keep][order], matrix.data[keep][order])


def _as_graph(edges: _Edges) -> _Graph:
    n, rows, cols, weights = edges.n, edges.rows, edges.cols, edges.weights
    neighbours: list[list[int]] = [[] for _ in range(n)]
    adjacency: list[list[float]] = [[] for _ in range(n)]
    for i, j, w in zip(rows.tolist(), cols.tolist(), weights.tolist(), strict=True):
        neighbours[i].append(j)
        adjacency[i].append(w)
        neighbours[j].append(i)
        adjacency[j].append(w)
    return _Graph(neighbours, adjacency, [0.0] * n)


def _ensemble_weights(edges: _Edges, tick: Callable[[int], None]) -> _Edges:
    """ECG: reweight each edge by how often seeded first-level Louvain runs keep it inside."""
    import numpy as np

    rows, cols = edges.rows, edges.cols
    graph = _as_graph(edges)
    together = np.zeros(len(rows), dtype=np.float64)
    for run in range(ENSEMBLE):
        labels = _louvain_graph(graph, RESOLUTION, SEED + run, first_level=True)
        together += labels[rows] == labels[cols]
        tick(1)
    weights = ENSEMBLE_FLOOR + (1.0 - ENSEMBLE_FLOOR) * together / ENSEMBLE
    return _Edges(edges.n, rows, cols, weights)


# -- Louvain ------------------------------------------------------------------


def _louvain(edges: _Edges, resolution: float, seed: int) -> np.ndarray:
    return _louvain_graph(_as_graph(edges), resolution, seed)


def _louvain_graph(
    graph: _Graph, resolution: float, seed: int, first_level: bool = False
) -> np.ndarray:
    """Community per node by Louvain (Blondel et al. 2008), modularity with `resolution`.

    `first_level` stops after local moving on the original graph, as ECG wants.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    membership = np.arange(len(graph.neighbours))
    while True:
        community = _move_nodes(graph, resolution, rng)
        _, dense = np.unique(community, return_inverse=True)
        dense = dense.ravel()
        if first_level:
            return dense
        count = int(dense.max()) + 1 if len(dense) else 0
        if count == len(graph.neighbours):
            return membership
        membership = dense[membership]
        graph = _aggregate(graph, dense.tolist(), count)


def _move_nodes(graph: _Graph, resolution: float, rng: np.random.Generator) -> list[int]:
    """Louvain's local moving: each node joins the neighbouring community that gains most.

    Nodes are visited from a queue, in seeded random order, and a node is queued again
    only when a neighbour moves away from its community (the "fast local move" of Leiden,
    Traag et al. 2019): same fixed point, a third of the work of full sweeps.
    """
    n = len(graph.neighbours)
    adjacency = [
        list(zip(others, weights, strict=True))
        for others, weights in zip(graph.neighbours, graph.weights, strict=True)
    ]
    degree = [sum(w) + loop for w, loop in zip(graph.weights, graph.loops, strict=True)]
    total_weight = sum(degree)
    community = list(range(n))
    if total_weight <= 0:
        return community
    totals = degree[:]
    scale = resolution / total_weight
    queue = deque(rng.permutation(n).tolist())
    queued = [True] * n
    while queue:
        node = queue.popleft()
        queued[node] = False
        current = community[node]
        k = degree[node]
        links: dict[int, float] = {}
        get = links.get
        for other, w in adjacency[node]:
            c = community[other]
            links[c] = get(c, 0.0) + w
        totals[current] -= k
        best = current
        best_gain = get(current, 0.0) - scale * k * totals[current]
        for c, w in links.items():
            gain = w - scale * k * totals[c]
            if gain > best_gain + 1e-12:
                best, best_gain = c, gain
        totals[best] += k
        if best != current:
            community[node] = best
            for other, _ in adjacency[node]:
                if not queued[other] and community[other] != best:
                    queued[other] = True
                    queue.append(other)
    return community


def _aggregate(graph: _Graph, community: list[int], count: int) -> _Graph:
    """One node per community; internal weight becomes a self-loop (A_CC, both directions)."""
    links: list[dict[int, float]] = [{} for _ in range(count)]
    loops = [0.0] * count
    for node, c in enumerate(community):
        loops[c] += graph.loops[node]
        row = links[c]
        for other, w in zip(graph.neighbours[node], graph.weights[node], strict=True):
            d = community[other]
            if d == c:
                loops[c] += w
            else:
                row[d] = row.get(d, 0.0) + w
    return _Graph([list(row.keys()) for row in links], [list(row.values()) for row in links], loops)


# -- shaping the result ------------------------------------------------------


def _spectral(edges: _Edges, matrix: np.ndarray, themes: int) -> np.ndarray:
    """Exactly `themes` groups: spectral clustering of the consensus graph, Ward as fallback."""
    import warnings

    import numpy as np

    n = matrix.shape[0]
    if themes >= n:
        return np.arange(n)
    if themes == 1:
        return np.zeros(n, dtype=np.int64)
    from scipy import sparse
    from sklearn.cluster import AgglomerativeClustering, SpectralClustering

    rows, cols, weights = edges.rows, edges.cols, edges.weights
    affinity = sparse.coo_matrix(
        (np.r_[weights, weights], (np.r_[rows, cols], np.r_[cols, rows])), shape=(n, n)
    ).tocsr()
    labels = None
    if n > themes + 1:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                labels = SpectralClustering(
                    themes,
                    affinity="precomputed",
                    assign_labels="cluster_qr",
                    random_state=SEED,
                ).fit_predict(affinity)
            except (ValueError, np.linalg.LinAlgError, RuntimeError):
                labels = None
    if labels is None or len(np.unique(labels)) != themes:
        labels = AgglomerativeClustering(themes, linkage="ward").fit_predict(matrix)
    return np.asarray(labels, dtype=np.int64)


def _fold_small(labels: np.ndarray, matrix: np.ndarray, minimum: int) -> tuple:
    """Move members of too-small communities to the nearest proper theme by centre cosine."""
    import numpy as np

    sizes = np.bincount(labels)
    lonely = {int(i) for i in np.flatnonzero(sizes[labels] == 1)} if len(sizes) > 1 else set()
    big = np.flatnonzero(sizes >= minimum)
    if len(big) == 0 or len(big) == len(sizes):
        return labels, lonely
    centres = np.stack([_centre(matrix, np.flatnonzero(labels == c)) for c in big])
    small = np.flatnonzero(~np.isin(labels, big))
    labels = labels.copy()
    labels[small] = big[np.argmax(matrix[small] @ centres.T, axis=1)]
    return labels, lonely


def _by_size(labels: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Renumber 0..k-1 by size, largest first; ties by earliest member, so order is stable."""
    import numpy as np

    sizes = np.bincount(labels)
    first = {int(c): i for i, c in reversed(list(enumerate(labels.tolist())))}
    found = sorted(first, key=lambda c: (-int(sizes[c]), first[c]))
    rank = {c: r for r, c in enumerate(found)}
    return found, np.array([rank[int(c)] for c in labels], dtype=np.int64)


def _centre(matrix: np.ndarray, rows: np.ndarray) -> np.ndarray:
    import numpy as np

    centre = matrix[rows].mean(axis=0)
    norm = float(np.linalg.norm(centre))
    return centre / norm if norm > 0 else centre


def _wild(nearest: np.ndarray, lonely: set[int]) -> tuple[tuple[bool, ...], float | None]:
    """Flag ideas whose nearest other idea is far, absolutely and relative to this set."""
    import numpy as np

    n = len(nearest)
    if n < 2:
        return (False,) * n, None
    fence: float | None = None
    limit = WILD_SIMILARITY
    if n >= WILD_FENCE_MIN_IDEAS:
        q1, q3 = np.quantile(nearest, [0.25, 0.75])
        fence = float(q1 - TUKEY * (q3 - q1))
        limit = min(limit, fence)
    flags = tuple(bool(s < limit) or i in lonely for i, s in enumerate(nearest.tolist()))
    return flags, (round(fence, 4) if fence is not None and math.isfinite(fence) else None)


def _duplicate_threshold(nearest: np.ndarray) -> float:
    """0.85, or higher where most ideas have a close neighbour anyway."""
    import numpy as np

    if len(nearest) < DUPLICATE_QUANTILE_MIN_IDEAS:
        return DUPLICATE_SIMILARITY
    return max(DUPLICATE_SIMILARITY, float(np.quantile(nearest, DUPLICATE_QUANTILE)))


def _duplicate_groups(
    matrix: np.ndarray, labels: np.ndarray, threshold: float
) -> tuple[int | None, ...]:
    """Near-duplicates within a theme: complete linkage, so every pair in a group is close."""
    import numpy as np

    n = matrix.shape[0]
    groups: list[int | None] = [None] * n
    next_id = 1
    for theme in range(int(labels.max()) + 1 if n else 0):
        rows = np.flatnonzero(labels == theme)
        if len(rows) < 2:
            continue
        sims = matrix[rows] @ matrix[rows].T
        np.fill_diagonal(sims, -1.0)
        candidates = rows[(sims >= threshold - 1e-6).any(axis=1)]
        if len(candidates) < 2:
            continue
        for group in _complete_linkage(matrix[candidates], threshold):
            if len(group) > 1:
                for i in group:
                    groups[int(candidates[i])] = next_id
                next_id += 1
    return tuple(groups)


def _complete_linkage(matrix: np.ndarray, similarity: float) -> list[list[int]]:
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    distance = np.clip(1.0 - (matrix @ matrix.T).astype(np.float64), 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    distance = (distance + distance.T) / 2
    tree = linkage(squareform(distance, checks=False), method="complete")
    flat = fcluster(tree, t=1.0 - similarity + 1e-6, criterion="distance")
    groups: dict[int, list[int]] = {}
    for i, g in enumerate(flat.tolist()):
        groups.setdefault(g, []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])
