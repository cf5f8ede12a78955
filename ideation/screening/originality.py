"""Provides originality scores for open-ended ideas: pool rarity plus a shipped, trained model.

A recruiter wants to know whether "use it as a doorstop" is a stock answer or
a fresh one. Two signals, each explainable:

* **Rarity** (unsupervised, works for any task; computed in `ideation/rarity.py`, which
  the researcher's "most novel ideas" share): 1 − the mean cosine between
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

Which combination ships for the trained objects is chosen by a validation
that holds out whole prompts (see ``scripts/train_originality.py``): a
random-row holdout shares studies with training and made rarity look useless
(weight 0.034), which did worse on other studies' data. The object is
matched to the trained ones by ``object_forms`` ("light bulb" = "lightbulb").
The model is applied only to vectors from the weights it was trained on,
recognised by the vector they give ``PROBE_TEXT`` (so an embedder given by
path still qualifies); otherwise ``ScorerOffWarning`` says it is off.
``score_responses`` is the one call per task: rarity, the model's rating,
the combined score and its one-line explanation for every response.

numpy is imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import json
import re
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ideation.rarity import RARITY_K, Neighbour, percentiles, pool_rarity, standardise

if TYPE_CHECKING:
    import numpy as np

MODEL_PATH = Path(__file__).with_name("originality_model.npz")
#: Embedded with the task texts to check the vectors come from the weights the model was
#: trained on (its stored vector is in the npz); a path or a renamed copy still matches.
PROBE_TEXT = "a brick used as a doorstop"
#: Texts the model rates at once (features and hidden layers are a few hundred MB).
PREDICT_ROWS = 16384
#: Cosine between the probe's vector and the stored one that counts as the same weights.
PROBE_MATCH = 0.999
#: Rating = intercept + rarity_z · z(rarity) when no model weights are at hand (from training).
RARITY_ONLY_FALLBACK = {"intercept": 2.2, "rarity_z": 0.3}

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


def object_forms(name: str) -> list[str]:
    """Spellings of one object that mean the same: "Light-bulbs" → lightbulbs, lightbulb.

    Why: the training data writes "lightbulb", "paperclip", "toothbrush"; a
    screener writes "light bulb", "paper clips" or "tooth-brush". Case, spaces,
    hyphens and apostrophes are dropped, then a plural ending.
    """
    key = "".join(ch for ch in unicodedata.normalize("NFKC", name).casefold() if ch.isalnum())
    forms = [key]
    for ending, stem in (("ies", "y"), ("ves", "fe"), ("ves", "f"), ("ches", "ch"),
                         ("shes", "sh"), ("xes", "x"), ("ses", "s"), ("s", "")):  # fmt: skip
        if key.endswith(ending) and len(key) - len(ending) >= 2 and not key.endswith("ss"):
            forms.append(key[: -len(ending)] + stem)
    return forms


def prompt_text_to_embed(prompt: str) -> str:
    """What to embed for a task's prompt: its object for uses tasks, else the whole question.

    An object the shipped model was trained on is given in the training's own
    spelling ("light bulb" → "lightbulb"), so the model sees the vector it learnt.
    """
    subject = prompt_subject(prompt)
    if subject is None:
        return unicodedata.normalize("NFKC", prompt).strip()
    try:
        model = load_model()
    except (OSError, ValueError, KeyError):
        return subject
    return model.trained_name(subject) or subject


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
        self.probe = arrays["probe"].astype("float32") if "probe" in arrays else None
        self._names = {form: name for name in self.objects for form in object_forms(name)}

    def trained_name(self, subject: str) -> str | None:
        """The object as the model was trained on it ("light bulbs" → "lightbulb"), or None."""
        return next((self._names[f] for f in object_forms(subject) if f in self._names), None)

    def basis(self, subject: str) -> str:
        """Which fitted combination applies: the model knows the object, or it is new."""
        return "new_object" if self.trained_name(subject) is None else "trained_object"

    def fits(self, probe_vector: np.ndarray | None, model_id: str = "") -> bool:
        """Whether vectors are the kind the model was trained on, judged by the vector of
        `PROBE_TEXT` they give (the weights), not by the embedder's name or path."""
        import numpy as np

        if probe_vector is None:
            return False
        vector = np.asarray(probe_vector, dtype=np.float32).ravel()
        if vector.shape[0] != self.dimensions:
            return False
        if self.probe is None:  # weights from before the probe: the name is all there is
            return model_id == self.embedding_model
        norms = float(np.linalg.norm(vector) * np.linalg.norm(self.probe)) or 1.0
        return float(vector @ self.probe) / norms >= PROBE_MATCH

    def predict(self, texts: Sequence[str], vectors: np.ndarray, prompt_vector: np.ndarray) -> Any:
        """Predicted human originality rating (1-5 scale) per text, `PREDICT_ROWS` at a
        time: the features of 72,000 texts at once took a gigabyte."""
        import numpy as np

        out = np.zeros(len(texts), dtype=np.float64)
        prompts = np.asarray(prompt_vector, dtype=np.float32)
        for start in range(0, len(texts), PREDICT_ROWS):
            rows = slice(start, start + PREDICT_ROWS)
            features = model_features(
                texts[rows],
                vectors[rows],
                prompts if prompts.ndim == 1 else prompts[rows],
                self.product_scale,
                self.extra_mean,
                self.extra_std,
            )
            for member in range(self.w1.shape[0]):
                hidden = np.maximum(features @ self.w1[member] + self.b1[member], 0.0)
                out[rows] += hidden @ self.w2[member] + self.b2[member]
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
    #: Rarity as it entered the rating: z within the pool, shrunk for a small pool.
    rarity_z: float | None = None
    #: The combination used: intercept, model (absent for rarity_only), rarity_z.
    coefficients: tuple[tuple[str, float], ...] = ()

    @property
    def explanation(self) -> str:
        """One line saying how the score was reached, from the numbers used for it."""
        coef = dict(self.coefficients)
        parts = [f"{coef.get('intercept', 0.0):.2f}"]
        if self.model is not None:
            parts.append(f"{coef.get('model', 0.0):.2f} × model {self.model:.2f}")
        if self.rarity_z is not None:
            parts.append(f"{coef.get('rarity_z', 0.0):.2f} × rarity z {self.rarity_z:+.2f}")
        line = f"originality {self.score:.0f}/100: rating {self.rating:.2f} = " + " + ".join(parts)
        line += f" ({_BASIS_WORDS.get(self.basis, self.basis)})"
        if self.rarity is not None and self.rarity_percentile is not None:
            share = f"{self.rarity_percentile:.0%}"
            line += f"; rarity {self.rarity:.2f}, rarer than {share} of the pool"
        if self.nearest:
            line += "; nearest: " + ", ".join(
                f"“{n.text}” ({n.similarity:.2f}, {n.count}×)" for n in self.nearest
            )
        return line


_BASIS_WORDS = {
    "trained_object": "model trained on this object, plus rarity",
    "new_object": "model on an object it was not trained on, plus rarity",
    "rarity_only": "rarity only: the trained model does not apply",
}


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
    progress: Callable[[int, int], None] | None = None,
    rows: Sequence[int] | None = None,
) -> list[Originality]:
    """Originality of each response against the pool of all `responses` to one task.

    `prompt_vector` is the embedding of `prompt_text_to_embed(prompt)`.
    `model`: True for the shipped model, False for rarity alone, or a loaded
    one. The model is used only when the prompt is an alternative-uses
    question and the vectors have its dimensionality; `Originality.model` is
    None otherwise. Responses with the same text and result share one `Originality`
    (a panel's pool repeats "pen holder" thousands of times). `progress` gets
    (distinct texts compared, distinct texts). `rows`, as for `pool_rarity`: where in
    `vectors` each response's vector is.
    """
    import numpy as np

    vectors = np.asarray(vectors, dtype=np.float32)
    n = len(responses)
    if n == 0:
        return []
    chosen = load_model() if model is True else (model or None)
    pool = pool_rarity(responses, vectors, owners, progress=progress, rows=rows)
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
        firsts = list(first.values())
        at = firsts if rows is None else [rows[i] for i in firsts]
        distinct = chosen.predict([responses[i] for i in firsts], vectors[at], prompt_vector)
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
    used = tuple((name, round(float(value), 5)) for name, value in coef.items())
    found: dict[tuple[Any, ...], Originality] = {}
    out = []
    for i, (text, s, r, m, rare, p, near, zi) in enumerate(
        zip(
            responses,
            score.tolist(),
            rating.tolist(),
            [None] * n if model_rating is None else model_rating.tolist(),
            pool.rarity.tolist(),
            pct.tolist(),
            pool.nearest,
            z.tolist(),
            strict=True,
        )
    ):
        key = (text, s, r, m, rare if rare == rare else None, p if p == p else None, id(near), zi)
        if key not in found:
            finite = np.isfinite(pool.rarity[i])
            found[key] = Originality(
                text=text,
                score=round(s, 2),
                rating=round(r, 3),
                model=None if m is None else round(m, 3),
                rarity=round(rare, 4) if finite else None,
                rarity_percentile=round(p, 3) if np.isfinite(pct[i]) else None,
                nearest=near,
                basis=basis,
                rarity_z=round(zi, 3) if finite else None,
                coefficients=used,
            )
        out.append(found[key])
    return out


def score_responses(
    responses: Sequence[str],
    prompt: str,
    embed: Callable[[list[str]], Any],
    owners: Sequence[str] | None = None,
    model: OriginalityModel | bool = True,
) -> list[Originality]:
    """The per-response API: rarity, the model's rating and the combined originality with
    its explanation, for every response to one task, from one embedding call.

    `embed` maps texts to vectors (an `Embedder.embed` or a cached closure).
    The trained model is used only when the vectors come from the weights it
    was trained on (checked with `PROBE_TEXT`); otherwise a warning says the
    scores are rarity only.
    """
    import numpy as np

    if not responses:
        return []
    prompt_text = prompt_text_to_embed(prompt)
    texts = list(dict.fromkeys([*responses, prompt_text, PROBE_TEXT]))
    vectors = np.asarray(embed(texts), dtype=np.float32)
    row = {text: i for i, text in enumerate(texts)}
    chosen = load_model() if model is True else model
    if isinstance(chosen, OriginalityModel) and prompt_subject(prompt) is not None:
        chosen = usable_model(chosen, vectors[row[PROBE_TEXT]])
    return originality_details(
        list(responses),
        prompt,
        vectors[[row[t] for t in responses]],
        vectors[row[prompt_text]],
        owners,
        model=chosen or False,
    )


class ScorerOffWarning(UserWarning):
    """The trained originality model cannot read these vectors: scores are rarity only."""


def usable_model(model: OriginalityModel | None, probe_vector: Any) -> OriginalityModel | None:
    """`model` when the vectors match its weights; else None, with a warning said once."""
    if model is None or model.fits(probe_vector):
        return model
    dims = getattr(probe_vector, "shape", (0,))[-1]
    warnings.warn(
        "the trained originality model is off: these vectors "
        f"({dims} dimensions) do not come from {model.embedding_model}, the weights it was "
        "trained on, so alternative-uses tasks are scored by rarity only",
        ScorerOffWarning,
        stacklevel=3,
    )
    return None


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
