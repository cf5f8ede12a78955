"""Provides originality scores for open-ended ideas: pool rarity plus a shipped, trained model.

A recruiter wants to know whether "use it as a doorstop" is a stock answer or
a fresh one. Two signals, each explainable:

* **Rarity** (unsupervised, works for any task): 1 − the mean cosine between
  an idea and its ``RARITY_K`` (10) nearest *other* ideas in the pool of all
  responses to the same task. Before the cosine, ``RARITY_CENTRE`` (0.6) of
  the pool's mean vector is subtracted from every vector and the vectors are
  re-normalised: every answer about a coffee mug shares a "coffee mug"
  direction, and removing most of it lets the cosine see the *use*. The
  share was chosen on the AUT training set (pools subsampled to screener
  size): it lifts the pooled correlation with human ratings from 0.40 to
  0.46 there (0.35 to 0.41 on val), at the cost of about 0.01-0.02 in the
  correlation *within* one task. After centring, cosines can be negative,
  so rarity runs from 0 to a little above 1. Identical texts count once per
  respondent who wrote them, and, when ``owners`` are given, a respondent's
  own other ideas are not their neighbours (you are not unoriginal for being
  consistent).
* **The model** (supervised, for alternative-uses tasks): three small MLPs trained
  by ``scripts/train_originality.py`` on human ratings (1-5) of alternative
  uses for 22 everyday objects, shipped as plain arrays in
  ``originality_model.npz`` and evaluated here with numpy. Its inputs are the
  idea vector, the vector of the object the task is about, their elementwise
  product, and four scalars (log word count and its square, the idea–object
  cosine and its square). The object is taken out of the question by
  ``prompt_subject`` ("List as many unusual uses for a coffee mug…" → "coffee
  mug"), because the model was trained with bare object words as prompts.

``originality_details`` combines them on the human rating scale,
``rating = a + b·model + c·z(rarity)``, z taken within the pool, and reports
``score = (rating − 1) / 4`` as 0-100, with the rarity, its percentile in the
pool and the nearest other ideas. The coefficients were fitted by least
squares on predictions for rows the nets did not train on, and there are two
sets: for the 22 objects the model was trained on, where it is strong and
rarity adds almost nothing, and for a new object (a coffee mug), where the
model alone reaches a mean within-task r of about 0.42, rarity 0.35, and the
two together about 0.50. For tasks that are not alternative uses ("if your
coffee were an animal…"), or vectors from another embedding model, the model
does not apply: ``rating = a' + c'·z(rarity)``. Each result names its basis.

numpy is imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

MODEL_PATH = Path(__file__).with_name("originality_model.npz")
#: Neighbours averaged for rarity.
RARITY_K = 10
#: Share of the pool's mean vector removed before cosines (cross-validated on AUT train).
RARITY_CENTRE = 0.6
#: Nearest other ideas kept for the explanation.
NEAREST_SHOWN = 3
#: Rating = intercept + rarity_z · z(rarity) when no model weights are at hand (from training).
RARITY_ONLY_FALLBACK = {"intercept": 2.2, "rarity_z": 0.3}
#: Rows of the pool compared at once; bounds memory to about CHUNK × pool × 4 bytes.
CHUNK = 1024

_DETERMINERS = r"(?:an?|the|your|my|our|their|his|her|its|some|this|that|one)"
_USES = re.compile(
    r"\b(?:uses?|usages?|purposes?|functions?)\s+(?:for|of)\s+(?P<a>.+)"
    r"|\bways?\s+(?:to|you\s+(?:could|can|might)|of)\s+(?:re-?)?(?:use|using)\s+(?P<b>.+)"
    r"|\b(?:could|can|might|would)\s+(?:you|one|we|i)\s+(?:re-?)?use\s+(?P<c>.+)"
    r"|\b(?:do|make)\s+with\s+(?P<d>.+)"
    r"|\b(?:re-?use|repurpose|use)\s+(?P<e>(?:an?|the|your|my|old)\s+.+)",
    re.IGNORECASE,
)
_PLAIN = re.compile(
    r"^(?:old|ordinary|everyday|plain|simple|regular|normal|humble|common)\s+", re.IGNORECASE
)
_IMPERATIVES = frozenset(
    "invent describe list name imagine write draw design think create tell explain suggest "
    "give make pick choose".split()
)
_OBJECT_END = re.compile(
    r"\s+(?:as|you|that|which|in|other|besides|apart|except|other than|when|if|for|to|"
    r"around|at|than|—|–|-)\b.*|\s*[?.!,;:()\[\]—–\"“”].*|\s+-\s.*",
    re.IGNORECASE,
)


def prompt_subject(prompt: str) -> str | None:
    """The object an alternative-uses question is about ("coffee mug"), or None.

    Why: the model was trained with bare object words ("brick") as prompts; a
    whole question embeds far from them. A prompt of one to three words is
    taken as the object itself.
    """
    text = unicodedata.normalize("NFKC", prompt).strip()
    if not text:
        return None
    words = re.findall(r"[^\W\d_]+", text)
    if (
        1 <= len(words) <= 3
        and not re.search(r"[?.!]", text)
        and words[0].lower() not in _IMPERATIVES
    ):
        return " ".join(words).lower()
    match = _USES.search(text)
    if not match:
        return None
    rest = next(group for group in match.groups() if group is not None)
    rest = _OBJECT_END.sub("", rest.strip())
    rest = re.sub(rf"^{_DETERMINERS}\s+", "", rest.strip(), flags=re.IGNORECASE)
    rest = _PLAIN.sub("", rest)
    subject = " ".join(re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", rest)[:4]).lower()
    return subject or None


def prompt_text_to_embed(prompt: str) -> str:
    """What to embed for a task's prompt: its object for uses tasks, else the whole question."""
    return prompt_subject(prompt) or unicodedata.normalize("NFKC", prompt).strip()


def idea_key(text: str) -> str:
    """Case-, space- and edge-punctuation-insensitive identity of an idea, for counting repeats."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = " ".join(text.split())
    return text.strip(" .,;:!?-–—•*\"'“”‘’()[]")


# --------------------------------------------------------------------------- rarity


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


# --------------------------------------------------------------------------- the model


class OriginalityModel:
    """The shipped MLP ensemble and combination coefficients, evaluated with numpy only."""

    def __init__(self, arrays: dict[str, Any]) -> None:
        self.meta: dict[str, Any] = json.loads(str(arrays["meta"]))
        self.embedding_model: str = self.meta["embedding_model"]
        self.w1 = arrays["w1"].astype("float32")  # members × inputs × hidden
        self.b1 = arrays["b1"].astype("float32")  # members × hidden
        self.w2 = arrays["w2"].astype("float32")  # members × hidden
        self.b2 = arrays["b2"].astype("float32")  # members
        self.extra_mean = arrays["extra_mean"].astype("float32")
        self.extra_std = arrays["extra_std"].astype("float32")
        self.product_scale = float(self.meta["product_scale"])
        self.combine: dict[str, dict[str, float]] = self.meta["combine"]
        self.objects: frozenset[str] = frozenset(self.meta["objects"])
        self.dimensions = int(self.meta["dimensions"])

    def basis(self, subject: str) -> str:
        """Which fitted combination applies: the model knows the object, or it is new."""
        singular = re.sub(r"(?<=[^s])s$", "", subject)
        known = subject in self.objects or singular in self.objects
        return "trained_object" if known else "new_object"

    def fits(self, model_id: str, dimensions: int) -> bool:
        """Whether vectors from this embedder are the kind the model was trained on."""
        return model_id == self.embedding_model and dimensions == self.dimensions

    def predict(self, texts: Sequence[str], vectors: np.ndarray, prompt_vector: np.ndarray) -> Any:
        """Predicted human originality rating (1-5 scale) per text."""
        import numpy as np

        features = model_features(
            texts, vectors, prompt_vector, self.product_scale, self.extra_mean, self.extra_std
        )
        out = np.zeros(len(texts), dtype=np.float64)
        for member in range(self.w1.shape[0]):
            hidden = np.maximum(features @ self.w1[member] + self.b1[member], 0.0)
            out += hidden @ self.w2[member] + self.b2[member]
        return out / self.w1.shape[0]


def _prompt_rows(vectors: np.ndarray, prompt_vector: np.ndarray) -> Any:
    """The prompt vector per row: one for all rows (1-D) or one each (2-D, for training)."""
    import numpy as np

    prompts = np.asarray(prompt_vector, dtype=np.float32)
    return np.broadcast_to(prompts, vectors.shape) if prompts.ndim == 1 else prompts


def extra_features(texts: Sequence[str], vectors: np.ndarray, prompt_vector: np.ndarray) -> Any:
    """The four scalar inputs: log word count, its square, idea–object cosine, its square."""
    import numpy as np

    vectors = np.asarray(vectors, dtype=np.float32)
    words = np.log1p(np.array([len(t.split()) for t in texts], dtype=np.float32))
    cosine = (vectors * _prompt_rows(vectors, prompt_vector)).sum(axis=1)
    return np.column_stack([words, words**2, cosine, cosine**2]).astype(np.float32)


def model_features(
    texts: Sequence[str],
    vectors: np.ndarray,
    prompt_vector: np.ndarray,
    product_scale: float,
    extra_mean: np.ndarray,
    extra_std: np.ndarray,
) -> Any:
    """[idea, object, scale·idea⊙object, standardised extras]; shared with the training script."""
    import numpy as np

    vectors = np.asarray(vectors, dtype=np.float32)
    prompts = _prompt_rows(vectors, prompt_vector)
    extras = (extra_features(texts, vectors, prompt_vector) - extra_mean) / extra_std
    return np.hstack([vectors, prompts, product_scale * vectors * prompts, extras]).astype(
        np.float32
    )


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> OriginalityModel:
    """The shipped weights, read once per process."""
    import numpy as np

    with np.load(path, allow_pickle=False) as arrays:
        return OriginalityModel({name: arrays[name] for name in arrays.files})


# --------------------------------------------------------------------------- combined


@dataclass(frozen=True)
class Originality:
    """One response's originality, with what it rests on.

    score: 0-100, `(rating − 1) / 4`; rating: estimated human rating 1-5;
    model: the model's rating (None when it does not apply); rarity: 1 − mean
    cosine to the nearest others (None without others); rarity_percentile: 0-1
    share of the pool this response is rarer than; nearest: closest other
    responses in the pool; basis: "trained_object", "new_object" (model and
    rarity) or "rarity_only".
    """

    text: str
    score: float
    rating: float
    model: float | None
    rarity: float | None
    rarity_percentile: float | None
    nearest: tuple[Neighbour, ...]
    basis: str = "rarity_only"


def _coefficients(model: OriginalityModel | None, key: str) -> dict[str, float]:
    if model is None:
        try:
            model = load_model()
        except (OSError, ValueError, KeyError):
            return dict(RARITY_ONLY_FALLBACK)
    return model.combine[key]


def originality_details(
    responses: Sequence[str],
    prompt: str,
    vectors: np.ndarray,
    prompt_vector: np.ndarray | None,
    owners: Sequence[str] | None = None,
    model: OriginalityModel | bool = True,
) -> list[Originality]:
    """Originality of each response against the pool of all `responses` to one task.

    `prompt_vector` is the embedding of `prompt_text_to_embed(prompt)`.
    `model`: True for the shipped model, False for rarity alone, or a loaded
    one. The model is used only when the prompt is an alternative-uses
    question and the vectors have its dimensionality; `Originality.model` is
    None otherwise.
    """
    import numpy as np

    vectors = np.asarray(vectors, dtype=np.float32)
    n = len(responses)
    if n == 0:
        return []
    chosen = load_model() if model is True else (model or None)
    pool = pool_rarity(responses, vectors, owners)
    z = standardise(pool.rarity)
    # A pool smaller than k+1 says less about rarity: shrink its weight linearly.
    trust = np.minimum(1.0, pool.others / RARITY_K)
    z = np.where(np.isfinite(z), z * trust, 0.0)
    model_rating: np.ndarray | None = None
    subject = prompt_subject(prompt)
    if (
        isinstance(chosen, OriginalityModel)
        and prompt_vector is not None
        and subject is not None
        and vectors.ndim == 2
        and vectors.shape[1] == chosen.dimensions
    ):
        basis = chosen.basis(subject)
        coef = chosen.combine[basis]
        # Each distinct text once: big pools repeat the popular ideas many times.
        first: dict[str, int] = {}
        for i, text in enumerate(responses):
            first.setdefault(text, i)
        rows = list(first.values())
        distinct = chosen.predict([responses[i] for i in rows], vectors[rows], prompt_vector)
        lookup = dict(zip(first, distinct.tolist(), strict=True))
        model_rating = np.array([lookup[text] for text in responses])
        rating = coef["intercept"] + coef["model"] * model_rating + coef["rarity_z"] * z
    else:
        basis = "rarity_only"
        coef = _coefficients(chosen, basis)
        rating = coef["intercept"] + coef["rarity_z"] * z
    rating = np.clip(rating, 1.0, 5.0)
    score = (rating - 1.0) / 4.0 * 100.0
    pct = percentiles(pool.rarity)
    return [
        Originality(
            text=responses[i],
            score=round(float(score[i]), 2),
            rating=round(float(rating[i]), 3),
            model=None if model_rating is None else round(float(model_rating[i]), 3),
            rarity=None if not np.isfinite(pool.rarity[i]) else round(float(pool.rarity[i]), 4),
            rarity_percentile=None if not np.isfinite(pct[i]) else round(float(pct[i]), 3),
            nearest=pool.nearest[i],
            basis=basis,
        )
        for i in range(n)
    ]


def originality_scores(
    responses: Sequence[str],
    prompt: str,
    vectors: np.ndarray,
    prompt_vector: np.ndarray | None,
    owners: Sequence[str] | None = None,
) -> list[float]:
    """0-100 originality per response against the pool; see `originality_details` for why."""
    details = originality_details(responses, prompt, vectors, prompt_vector, owners)
    return [d.score for d in details]
