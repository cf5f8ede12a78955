"""Provides creativity scores for screener respondents, each dimension explained.

An ideation session needs people who produce many ideas, of different kinds,
some of them unusual, and who say what they mean. The screener's open-ended
tasks ("list unusual uses for a coffee mug", "if your coffee were an animal…")
are scored on the four classic dimensions of divergent thinking:

* **fluency**: distinct, valid ideas. A listing answer is split into ideas by
  lines, bullets, numbers, semicolons, and commas when every piece is short
  (``split_ideas``); non-answers and gibberish (the quality module's rules),
  and pieces without letters, are dropped; an idea whose cosine to an
  earlier idea of the same answer is at least ``NEAR_REPEAT`` (0.9), or whose
  text is the same, is a repeat and counts once. A task that does not ask for
  a list ("which animal, and why?") is one idea.
* **flexibility**: distinct categories among the respondent's counted ideas.
  Categories come from the *pool* of all respondents' ideas for the task, so
  they mean the same for everyone: leader clustering in order of popularity,
  an idea joining the first leader with cosine ≥ ``CATEGORY_COSINE`` (0.45),
  which groups "pen holder", "candle holder" (containers) apart from "plant
  pot, grow herbs" (planting). Each category is labelled by its leader.
* **originality**: ``originality.originality_details`` against the pool of
  all counted ideas for the task (pool rarity + the shipped model); per task
  the mean of the respondent's ``TOP_ORIGINAL`` (3) most original ideas, so
  listing common ideas as well costs nothing (top-scoring, Silvia et al.
  2008); across tasks the mean, a task left blank counting 0. 0-100.
* **elaboration**: per idea, content words beyond the first two, plus one per
  link word ("because", "so", "with", "for", "which"…), over
  ``ELABORATION_CAP`` (8) and capped at 1; per task the mean over counted
  ideas; across tasks the mean. 0-100.

The composite (0-100) weights the dimensions ``WEIGHTS`` (originality 0.60,
flexibility 0.15, fluency 0.10, elaboration 0.15; a screener's
``dimension_weights`` override them; originality leads because with counts
weighted heavily the composite followed how much people wrote, not how good
it was: see bench/creativity.py (f)), each first divided by the
batch's 90th percentile for that dimension (never by less than the
``FLOORS``: 3 ideas and 2 categories per listing task, 50 originality,
40 elaboration) and capped at 1. So the score says "how close to the top
tenth of this batch", and a small or weak batch cannot make a thin answer
look brilliant. Every idea keeps an `IdeaNote`; `Explanation` lists what
counted, what repeated what, what was dropped and why, and what was rare.

Pure: no database, no UI. All texts of a batch go to the embedder in one
call, deduplicated and sorted by length (so batches pad little); pass
``embed`` (e.g. a closure over ``embed_cached``) to cache them in the study
file; then no ``Embedder`` is needed. Whether the trained originality model
applies is judged from the vectors themselves (``originality.PROBE_TEXT``).
numpy is imported inside functions.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ideation.rarity import Neighbour, idea_key
from ideation.screening.definition import DimensionWeights
from ideation.screening.originality import (
    PROBE_TEXT,
    Originality,
    load_model,
    originality_details,
    prompt_subject,
    prompt_text_to_embed,
    usable_model,
)
from ideation.screening.quality import Readings, gibberish_reason

if TYPE_CHECKING:
    import numpy as np

    from ideation.analysis.embed import Embedder

#: Cosine at which two ideas of one answer are the same idea.
NEAR_REPEAT = 0.9
#: Cosine to a category's leader idea that puts an idea in that category.
CATEGORY_COSINE = 0.45
#: Most original ideas per task averaged into the task's originality.
TOP_ORIGINAL = 3
#: Elaboration points (extra content words + link words) that make an idea fully elaborated.
ELABORATION_CAP = 8.0
#: An idea is "rare" when rarer than this share of its pool…
RARE_PERCENTILE = 0.9
#: …and the pool has at least this many ideas.
RARE_MIN_POOL = 20
#: The composite's default weights; a screener's ``dimension_weights`` override them.
WEIGHTS = DimensionWeights().as_dict()
#: Each dimension is divided by max(batch 90th percentile, floor) before weighting.
REFERENCE_QUANTILE = 0.9
FLOORS_PER_LISTING_TASK = {"fluency": 3.0, "flexibility": 2.0}
FLOORS = {"originality": 50.0, "elaboration": 40.0}
#: How explanations become JSON text: the store's encoding, so the parts encoded once
#: (`IdeaNote.encoded`) join into the very bytes encoding the whole would give.
_encode = json.JSONEncoder(ensure_ascii=False).encode

_BULLET = re.compile(r"^\s*(?:[-*+•·‣◦▪▫●○■□►▶→>~]+|\(?\d{1,2}[.):]|\(?[a-hA-H][.)](?=\s))\s*")
_INLINE_NUMBER = re.compile(r"\s+(?=\(?\d{1,2}[.)]\s)")
_INLINE_SPLIT = re.compile(r"\s+[•·▪●■►]\s+|\s*[;；、|]\s*|\s+/\s+")
_COMMA = re.compile(r"\s*[,，]\s*")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_LISTING = re.compile(
    r"\b(?:list|as many|one per line|several|ideas|uses|ways|things you could)\b", re.IGNORECASE
)
#: Words that start a clause or a modifier, so a comma before them does not separate ideas.
_LINKS = frozenset(
    "because so with for to by which that who when while where if unless until since as like "
    "but then instead without".split()
)
_ELABORATION_LINKS = frozenset(
    "because so with for to by which that who when while where if unless until since instead "
    "without".split()
)
_STOP = frozenset(
    "a an the it its it's this that these those of in on at and or as is are was be been can "
    "could would should will use used using uses make my your their our his her them they i you "
    "we me one some any very just also".split()
)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)  # a panel makes 300,000 of them
class TaskAnswer:
    """One respondent's answer to one open-ended creativity task."""

    respondent: str
    task: str
    prompt: str
    text: str


@dataclass(frozen=True)
class IdeaNote:
    """One idea of an answer and what it contributed, so a recruiter can see why.

    problem: why it did not count (repeat, gibberish…), None when counted;
    rarity: 1 − mean cosine to its nearest other ideas in the task's pool;
    rarity_percentile: share of the pool it is rarer than (0-1); originality:
    0-100; elaboration: 0-1; category: index into the task's categories, with
    its leader idea as `category_label`.
    """

    text: str
    counted: bool
    problem: str | None = None
    repeat_of: str | None = None
    rarity: float | None = None
    rarity_percentile: float | None = None
    rare: bool = False
    originality: float | None = None
    model_rating: float | None = None
    elaboration: float = 0.0
    category: int | None = None
    category_label: str | None = None
    nearest: tuple[Neighbour, ...] = ()
    #: The per-response originality it came from (rating, model, rarity z, weights).
    detail: Originality | None = field(default=None, compare=False, repr=False)

    @property
    def originality_why(self) -> str | None:
        """How the originality was reached, in one line; None for an idea not counted."""
        return None if self.detail is None else self.detail.explanation

    @cached_property
    def encoded(self) -> _EncodedNote:
        """This note's parts of a stored explanation, as JSON text made once: a note is
        shared by everyone who wrote that idea with that result, and encoding it again
        for each of them was most of saving 100,000 people."""
        return _EncodedNote(
            text=_encode(self.text),
            repeat=_encode({"idea": self.text, "of": self.repeat_of}) if self.repeat_of else None,
            dropped=(
                _encode({"text": self.text, "why": self.problem})
                if not self.counted and not self.repeat_of
                else None
            ),
            rare=(
                _encode(
                    {"idea": self.text, "rarity": self.rarity, "percentile": self.rarity_percentile}
                )
                if self.rare
                else None
            ),
            idea=_encode(
                {
                    "text": self.text,
                    "counted": self.counted,
                    "originality": self.originality,
                    "rarity": self.rarity,
                    "elaboration": self.elaboration,
                    "category": self.category_label,
                    "nearest": [[nb.text, nb.similarity, nb.count] for nb in self.nearest],
                }
            ),
        )


@dataclass(frozen=True)
class _EncodedNote:
    """An `IdeaNote`'s entries in `explanation_dict`, each as JSON text (None: not listed)."""

    text: str  # in "counted"
    repeat: str | None  # in "repeats"
    dropped: str | None  # in "dropped"
    rare: str | None  # in "rare"
    idea: str  # in "ideas"


@dataclass(frozen=True, slots=True)  # these three: one or more per respondent, all held
class TaskScore:
    """One task's dimensions for one respondent, with every idea's note."""

    task: str
    prompt: str
    listing: bool
    basis: str  # how originality was judged: "trained_object", "new_object" or "rarity_only"
    fluency: int
    flexibility: int
    originality: float
    elaboration: float
    ideas: tuple[IdeaNote, ...]
    #: The answer's embedded ideas, from which `vector` is worked out (None: none embedded).
    idea_rows: IdeaRows | None = field(default=None, compare=False, repr=False)

    @property
    def vector(self) -> np.ndarray | None:
        """The mean of the answer's ideas' vectors, for spotting copied answers; worked
        out each time it is asked for (see `IdeaRows`)."""
        return None if self.idea_rows is None else self.idea_rows.mean()


class IdeaRows:
    """An answer's embedded ideas as rows of the batch's one matrix of idea vectors.

    Why not the mean itself: at 100,000 respondents the means of 280,000 answers
    were 430 MB held through originality scoring (the run's peak) until saving,
    while only the copy search reads them, one answer per distinct text. The
    idea matrix they point into is held once (135,000 rows, 210 MB), and answers
    made of the same ideas share one `IdeaRows`."""

    __slots__ = ("matrix", "rows")

    def __init__(self, matrix: np.ndarray, rows: tuple[int, ...]) -> None:
        self.matrix = matrix
        self.rows = rows

    def mean(self) -> np.ndarray:
        """The ideas' mean vector (float32, as the matrix), computed as it always was."""
        return self.matrix[list(self.rows)].mean(axis=0)


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a respondent scored what they did, in lists a recruiter can read."""

    counted: tuple[tuple[str, str], ...]  # (task, idea)
    repeats: tuple[tuple[str, str, str], ...]  # (task, idea, the earlier idea it repeats)
    dropped: tuple[tuple[str, str, str], ...]  # (task, text, why)
    rare: tuple[tuple[str, str, float, float], ...]  # (task, idea, rarity, percentile)
    categories: tuple[tuple[str, str], ...]  # (task, category label)
    normalised: dict[str, float]  # each dimension 0-1, before weighting
    points: dict[str, float]  # each dimension's share of the 0-100 score
    weights: dict[str, float] = field(default_factory=lambda: dict(WEIGHTS))

    def lines(self) -> list[str]:
        """Plain sentences, most telling first."""
        out = [
            "score: " + ", ".join(f"{name} {self.points[name]:.1f}" for name in WEIGHTS) + " points"
        ]
        if self.rare:
            out.append(
                "rare: "
                + "; ".join(f"“{idea}” (rarer than {pct:.0%})" for _, idea, _, pct in self.rare)
            )
        ideas = "idea" if len(self.counted) == 1 else "ideas"
        kinds = "category" if len(self.categories) == 1 else "categories"
        out.append(f"{len(self.counted)} {ideas} counted in {len(self.categories)} {kinds}")
        out += [f"repeat: “{idea}” = “{of}”" for _, idea, of in self.repeats]
        out += [f"dropped: {why}" for _, _, why in self.dropped]
        return out


@dataclass(frozen=True, slots=True)
class CreativityScore:
    """One respondent's creativity: fluency and flexibility are counts over all tasks,
    originality and elaboration 0-100 means over tasks, score the 0-100 composite."""

    respondent: str
    fluency: float
    flexibility: float
    originality: float
    elaboration: float
    score: float
    tasks: dict[str, TaskScore]
    explanation: Explanation

    @property
    def notes(self) -> dict[str, tuple[IdeaNote, ...]]:
        """Every idea's note, per task."""
        return {task: scored.ideas for task, scored in self.tasks.items()}


# --------------------------------------------------------------------------- text


def is_listing_prompt(prompt: str) -> bool:
    """Whether a task asks for a list of ideas (split the answer) or for one idea."""
    return prompt_subject(prompt) is not None or bool(_LISTING.search(prompt))


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _split_commas(piece: str) -> list[str]:
    """ "doorstop, paperweight, and plant pot" splits; "a pen holder, so the kids…" does not."""
    parts = [p.strip() for p in _COMMA.split(piece)]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return parts
    cleaned = [re.sub(r"^(?:and|or|&)\s+", "", p, flags=re.IGNORECASE) for p in parts]
    for part in cleaned:
        words = _words(part)
        if not 1 <= len(words) <= 4 or words[0] in _LINKS:
            return [piece.strip()]
    return cleaned


def split_ideas(text: str, listing: bool = True) -> list[str]:
    """The ideas in one answer, in order, bullets and numbering removed."""
    text = unicodedata.normalize("NFKC", text or "")
    if not listing:
        single = " ".join(text.split())
        return [single] if single else []
    ideas: list[str] = []
    for line in re.split(r"[\r\n\u2028\u2029]+", text):
        for part in _INLINE_NUMBER.split(line):
            part = _BULLET.sub("", part).strip()
            for piece in _INLINE_SPLIT.split(part):
                piece = _BULLET.sub("", piece).strip(" \t.,")
                if piece:
                    ideas.extend(_split_commas(piece))
    return [" ".join(idea.split()) for idea in ideas if idea.strip(" .,-")]


def idea_problem(
    text: str, prompt: str = "", judge: Callable[[str, str], str | None] = gibberish_reason
) -> str | None:
    """Why a piece of an answer is not an idea (no words, gibberish, non-answer), or None;
    `judge` is `gibberish_reason` or a memo of it (`Readings.verdict`)."""
    if not text.strip():
        return "empty"
    if sum(ch.isalpha() for ch in text) < 2:
        return f"“{text}” has no words"
    return judge(text, prompt)


def elaboration(text: str) -> float:
    """0-1: detail beyond a bare noun ("a pen holder" 0; "…, so the kids' crayons…" 1)."""
    words = _words(text)
    content = [w for w in words if w not in _STOP and w not in _ELABORATION_LINKS]
    links = sum(w in _ELABORATION_LINKS for w in words)
    return min(1.0, (max(0, len(content) - 2) + links) / ELABORATION_CAP)


# --------------------------------------------------------------------------- pool helpers


def categorise(
    vectors: np.ndarray, counts: Sequence[int], threshold: float = CATEGORY_COSINE
) -> tuple[np.ndarray, list[int]]:
    """Category per row by leader clustering, most popular rows leading; and the leader rows.

    Why leaders: one pass, deterministic, the same categories for every
    respondent, and each category is named by a real idea.
    """
    import numpy as np

    m = len(counts)
    if m == 0:
        return np.zeros(0, dtype=np.int64), []
    order = sorted(range(m), key=lambda i: (-counts[i], i))
    vectors = np.asarray(vectors, dtype=np.float32)
    label = np.full(m, -1, dtype=np.int64)
    leaders: list[int] = []
    leader_vecs = np.zeros((0, vectors.shape[1]), dtype=np.float32)
    block = 512
    for start in range(0, m, block):
        rows = order[start : start + block]
        chunk = vectors[rows]
        if len(leaders):
            sims = chunk @ leader_vecs.T
            best = sims.argmax(axis=1)
            hit = sims[np.arange(len(rows)), best] >= threshold
        else:
            best = np.zeros(len(rows), dtype=np.int64)
            hit = np.zeros(len(rows), dtype=bool)
        inner = chunk @ chunk.T
        new: list[int] = []  # positions in this block that became leaders
        for pos, row in enumerate(rows):
            if hit[pos]:
                label[row] = best[pos]
                continue
            if new:
                local = inner[pos, new]
                arg = int(local.argmax())
                if local[arg] >= threshold:
                    label[row] = len(leaders) + arg
                    continue
            label[row] = len(leaders) + len(new)
            new.append(pos)
        leaders += [rows[pos] for pos in new]
        leader_vecs = np.vstack([leader_vecs, chunk[new]])
    return label, leaders


def _quantile(values: list[float], share: float) -> float:
    """Nearest-rank quantile, without numpy for a list of a few thousand scores."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(share * (len(ordered) - 1) + 0.5))]


# --------------------------------------------------------------------------- scoring


@dataclass(slots=True)  # one per answer: 300,000 at a panel's size
class _Draft:
    respondent: str
    task: str
    texts: list[str]
    problems: list[str | None]
    repeat_of: list[str | None]


def _answer_rows(
    drafts: Sequence[_Draft], vectors: np.ndarray, row: Mapping[str, int]
) -> dict[str, IdeaRows]:
    """Each respondent's answer as its embedded ideas' rows of `vectors` (a repeat
    included, gibberish not), whose mean is the answer's vector for spotting copied
    answers without embedding them again. A bot farm's thousand identical answers
    share one `IdeaRows`."""
    shared: dict[tuple[int, ...], IdeaRows] = {}
    found: dict[str, IdeaRows] = {}
    for d in drafts:
        rows = tuple(row[t] for t, p in zip(d.texts, d.problems, strict=True) if p is None)
        if not rows:
            continue
        held = shared.get(rows)
        if held is None:
            held = shared[rows] = IdeaRows(vectors, rows)
        found[d.respondent] = held
    return found


def dimension_weights(weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """The composite's weights, `WEIGHTS` overridden by `weights` and scaled to sum to 1."""
    chosen = dict(WEIGHTS) | dict(weights or {})
    unknown = set(chosen) - set(WEIGHTS)
    total = sum(chosen.values())
    if unknown or total <= 0 or min(chosen.values()) < 0:
        raise ValueError(f"dimension weights must be {', '.join(WEIGHTS)} ≥ 0, not all 0")
    return {name: chosen[name] / total for name in WEIGHTS}


def score_creativity(
    answers: Sequence[TaskAnswer],
    embedder: Embedder | None = None,
    embed: Callable[[list[str]], Any] | None = None,
    weights: Mapping[str, float] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    readings: Readings | None = None,
) -> dict[str, CreativityScore]:
    """Creativity per respondent, every task pooled over the whole batch.

    `embed` maps a list of texts to their vectors (rows in order); by default
    the embedder's own `embed`, so either is enough. It is called once, with
    every distinct text (and `PROBE_TEXT` when a task asks for uses, to check
    the vectors come from the weights the originality model was trained on).
    `weights` override the dimensions' `WEIGHTS` (a screener's
    `dimension_weights`). `progress` gets (stage, done, total) through
    "ideas" (answers split and checked), "originality" (distinct ideas
    compared with their pool, task after task) and "creativity" (respondents
    scored), each stage closed with done == total. `readings` keeps how the answers
    were split and judged, for the gibberish flag to read again.
    """
    import numpy as np

    if embed is None:
        if embedder is None:
            raise TypeError("score_creativity needs an embedder or an embed function")
        embed = embedder.embed
    weights = dimension_weights(weights)
    step = progress or (lambda stage, done, total: None)
    if not answers:
        return {}
    prompts: dict[str, str] = {}
    texts: dict[tuple[str, str], list[str]] = {}
    for answer in answers:
        prompts.setdefault(answer.task, answer.prompt)
        texts.setdefault((answer.respondent, answer.task), []).append(answer.text or "")
    listing = {task: is_listing_prompt(prompt) for task, prompt in prompts.items()}

    # 1. Split and validate (text only), then embed everything once.
    read = readings or Readings()
    problem_memo: dict[tuple[str, str], str | None] = {}
    held: dict[str, str] = {}  # each distinct idea's text held once, not once per answer
    drafts: list[_Draft] = []
    for done, ((respondent, task), parts) in enumerate(texts.items(), start=1):
        if done % 5000 == 0:
            step("ideas", done, len(texts))
        ideas = [
            held.setdefault(i, i)
            for part in parts
            for i in (read.ideas(part) if listing[task] else split_ideas(part, False))
        ]
        problems = []
        for idea in ideas:
            memo_key = (task, idea)
            if memo_key not in problem_memo:
                problem_memo[memo_key] = idea_problem(idea, prompts[task], read.verdict)
            problems.append(problem_memo[memo_key])
        drafts.append(_Draft(respondent, task, ideas, problems, [None] * len(ideas)))
    del problem_memo, texts, held
    # Only the model reads a prompt vector, and only for alternative-uses tasks.
    prompt_texts = {
        task: prompt_text_to_embed(prompt)
        for task, prompt in prompts.items()
        if prompt_subject(prompt) is not None
    }
    wanted = {t for d in drafts for t, p in zip(d.texts, d.problems, strict=True) if p is None}
    if wanted:
        wanted |= set(prompt_texts.values())
        if prompt_texts:
            wanted.add(PROBE_TEXT)
    ordered = sorted(wanted, key=lambda t: (len(t), t))
    if ordered:
        vectors = np.asarray(embed(ordered), dtype=np.float32)
    else:
        vectors = np.zeros((0, 1), dtype=np.float32)
    row = {text: i for i, text in enumerate(ordered)}

    whole = {
        task: _answer_rows([d for d in drafts if d.task == task], vectors, row) for task in prompts
    }

    # 2. Near-repeats inside each answer.
    key_of: dict[str, str] = {}
    for done, draft in enumerate(drafts, start=1):
        if done % 5000 == 0:
            step("ideas", done, len(drafts))
        kept: list[int] = []
        for text in draft.texts:
            if text not in key_of:  # each distinct idea normalised once, not once a pair
                key_of[text] = idea_key(text)
        keys = [key_of[text] for text in draft.texts]
        for i, (key, problem) in enumerate(zip(keys, draft.problems, strict=True)):
            if problem is not None:
                continue
            idea = draft.texts[i]
            earlier = next((k for k in kept if keys[k] == key), None)
            if earlier is None and kept:
                sims = vectors[[row[draft.texts[k]] for k in kept]] @ vectors[row[idea]]
                best = int(np.argmax(sims))
                if sims[best] >= NEAR_REPEAT:
                    earlier = kept[best]
            if earlier is None:
                kept.append(i)
            else:
                draft.repeat_of[i] = draft.texts[earlier]
                draft.problems[i] = f"repeats “{draft.texts[earlier]}”"

    # 3. Per task: pool originality and pool categories.
    try:
        model = load_model()
    except (OSError, ValueError, KeyError):  # a checkout without the weights still scores rarity
        model = None
    usable = usable_model(model, vectors[row[PROBE_TEXT]]) if PROBE_TEXT in row else None
    step("ideas", len(drafts), len(drafts))
    notes: dict[tuple[str, str], list[IdeaNote]] = {}
    task_meta: dict[str, tuple[str, int]] = {}
    pools = dict.fromkeys(prompts, 0)  # distinct counted ideas per task: what is compared
    for task, _key in {
        (d.task, key_of[t])
        for d in drafts
        for t, p in zip(d.texts, d.problems, strict=True)
        if p is None
    }:
        pools[task] += 1
    compared, comparing = 0, sum(pools.values())
    step("originality", 0, comparing)
    for task in prompts:
        task_drafts = [d for d in drafts if d.task == task]
        pool = [
            (d.respondent, idea)
            for d in task_drafts
            for idea, problem in zip(d.texts, d.problems, strict=True)
            if problem is None
        ]
        pool_texts = [idea for _, idea in pool]
        details: list[Originality] = (
            originality_details(
                pool_texts,
                prompts[task],
                vectors,
                vectors[row[prompt_texts[task]]] if task in prompt_texts else None,
                owners=[respondent for respondent, _ in pool],
                model=usable if usable is not None else False,
                rows=[row[t] for t in pool_texts],
                progress=lambda done, _, before=compared: step(
                    "originality", before + done, comparing
                ),
            )
            if pool
            else []
        )
        basis = details[0].basis if details else "rarity_only"
        by_idea = {key: detail for key, detail in zip(pool, details, strict=True)}

        distinct: dict[str, int] = {}
        counts: list[int] = []
        for text in pool_texts:
            if text not in distinct:
                distinct[text] = len(counts)
                counts.append(0)
            counts[distinct[text]] += 1
        distinct_texts = list(distinct)
        labels, leaders = categorise(
            vectors[[row[t] for t in distinct_texts]] if distinct_texts else vectors[:0], counts
        )
        task_meta[task] = (basis, len(pool))
        big_pool = len(pool) >= RARE_MIN_POOL
        del pool, pool_texts, details
        shared: dict[tuple[str, int], IdeaNote] = {}  # one note per idea and result
        not_counted: dict[tuple[str, str, str | None], IdeaNote] = {}  # and per reason

        for draft in task_drafts:
            out = []
            for idea, problem, repeat in zip(
                draft.texts, draft.problems, draft.repeat_of, strict=True
            ):
                if problem is not None:
                    dropped = not_counted.get((idea, problem, repeat))
                    if dropped is None:
                        dropped = not_counted[(idea, problem, repeat)] = IdeaNote(
                            idea, False, problem, repeat
                        )
                    out.append(dropped)
                    continue
                detail = by_idea[(draft.respondent, idea)]
                note = shared.get((idea, id(detail)))
                if note is not None:
                    out.append(note)
                    continue
                category = int(labels[distinct[idea]])
                pct = detail.rarity_percentile
                note = shared[(idea, id(detail))] = IdeaNote(
                    text=idea,
                    counted=True,
                    rarity=detail.rarity,
                    rarity_percentile=pct,
                    rare=bool(pct is not None and pct >= RARE_PERCENTILE and big_pool),
                    originality=detail.score,
                    model_rating=detail.model,
                    elaboration=round(elaboration(idea), 3),
                    category=category,
                    category_label=distinct_texts[leaders[category]],
                    nearest=detail.nearest,
                    detail=detail,
                )
                out.append(note)
            notes[(draft.respondent, task)] = out
        compared += pools[task]
        step("originality", compared, comparing)
    del drafts, vectors, by_idea

    # 4. Dimensions per respondent, then the batch-relative composite.
    respondents = list(dict.fromkeys(answer.respondent for answer in answers))
    per_task: dict[str, dict[str, TaskScore]] = {}
    raw: dict[str, dict[str, float]] = {}
    for done, respondent in enumerate(respondents, start=1):
        if done % 5000 == 0:
            step("creativity", done, len(respondents))
        tasks: dict[str, TaskScore] = {}
        for task in prompts:
            ideas = notes.pop((respondent, task), None)  # the tuple below holds them now
            if ideas is None:
                continue
            counted = [n for n in ideas if n.counted]
            top = sorted((n.originality or 0.0 for n in counted), reverse=True)[:TOP_ORIGINAL]
            tasks[task] = TaskScore(
                task=task,
                prompt=prompts[task],
                listing=listing[task],
                basis=task_meta[task][0],
                fluency=len(counted),
                flexibility=len({n.category for n in counted}),
                originality=round(sum(top) / len(top), 2) if top else 0.0,
                elaboration=round(100 * sum(n.elaboration for n in counted) / len(counted), 2)
                if counted
                else 0.0,
                ideas=tuple(ideas),
                idea_rows=whole[task].get(respondent),
            )
        per_task[respondent] = tasks
        raw[respondent] = {
            "fluency": float(sum(t.fluency for t in tasks.values())),
            "flexibility": float(sum(t.flexibility for t in tasks.values())),
            "originality": sum(t.originality for t in tasks.values()) / len(prompts),
            "elaboration": sum(t.elaboration for t in tasks.values()) / len(prompts),
        }
    listing_tasks = sum(listing.values())
    single_tasks = len(prompts) - listing_tasks
    floors = {
        name: FLOORS_PER_LISTING_TASK[name] * listing_tasks + single_tasks
        for name in FLOORS_PER_LISTING_TASK
    } | FLOORS
    reference = {
        name: max(_quantile([raw[r][name] for r in respondents], REFERENCE_QUANTILE), floors[name])
        for name in weights
    }

    shown_weights = {k: round(v, 4) for k, v in weights.items()}  # one dict for everyone
    result: dict[str, CreativityScore] = {}
    for respondent in respondents:
        values = raw[respondent]
        normalised = {name: min(1.0, values[name] / reference[name]) for name in weights}
        points = {name: round(100 * weights[name] * normalised[name], 2) for name in weights}
        tasks = per_task[respondent]
        result[respondent] = CreativityScore(
            respondent=respondent,
            fluency=values["fluency"],
            flexibility=values["flexibility"],
            originality=round(values["originality"], 2),
            elaboration=round(values["elaboration"], 2),
            score=round(sum(points.values()), 2),
            tasks=tasks,
            explanation=_explain(tasks, normalised, points, shown_weights),
        )
    step("creativity", len(respondents), len(respondents))
    return result


def _explain(
    tasks: dict[str, TaskScore],
    normalised: dict[str, float],
    points: dict[str, float],
    weights: dict[str, float],
) -> Explanation:
    """One respondent's explanation; `weights` as shown (rounded), one dict for the batch."""
    counted, repeats, dropped, rare, categories = [], [], [], [], []
    for task, scored in tasks.items():
        seen: set[str] = set()
        for note in scored.ideas:
            if note.counted:
                counted.append((task, note.text))
                if note.rare and note.rarity is not None and note.rarity_percentile is not None:
                    rare.append((task, note.text, note.rarity, note.rarity_percentile))
                if note.category_label is not None and note.category_label not in seen:
                    seen.add(note.category_label)
                    categories.append((task, note.category_label))
            elif note.repeat_of is not None:
                repeats.append((task, note.text, note.repeat_of))
            else:
                dropped.append((task, note.text, note.problem or "not an idea"))
    return Explanation(
        counted=tuple(counted),
        repeats=tuple(repeats),
        dropped=tuple(dropped),
        rare=tuple(rare),
        categories=tuple(categories),
        normalised={k: round(v, 4) for k, v in normalised.items()},
        points=points,
        weights=weights,
    )


def explanation_dict(score: CreativityScore) -> dict[str, Any]:
    """The explanation as plain JSON-ready data, for storing beside the score."""
    return {
        "score": score.score,
        "weights": dict(score.explanation.weights),
        "normalised": dict(score.explanation.normalised),
        "points": dict(score.explanation.points),
        "rare": [idea for _, idea, _, _ in score.explanation.rare],
        "summary": score.explanation.lines(),
        "tasks": {
            task: {
                "fluency": scored.fluency,
                "flexibility": scored.flexibility,
                "originality": scored.originality,
                "elaboration": scored.elaboration,
                "originality_basis": scored.basis,
                "counted": [n.text for n in scored.ideas if n.counted],
                "repeats": [
                    {"idea": n.text, "of": n.repeat_of} for n in scored.ideas if n.repeat_of
                ],
                "dropped": [
                    {"text": n.text, "why": n.problem}
                    for n in scored.ideas
                    if not n.counted and not n.repeat_of
                ],
                "rare": [
                    {"idea": n.text, "rarity": n.rarity, "percentile": n.rarity_percentile}
                    for n in scored.ideas
                    if n.rare
                ],
                "ideas": [
                    {
                        "text": n.text,
                        "counted": n.counted,
                        "originality": n.originality,
                        "rarity": n.rarity,
                        "elaboration": n.elaboration,
                        "category": n.category_label,
                        "nearest": [[nb.text, nb.similarity, nb.count] for nb in n.nearest],
                    }
                    for n in scored.ideas
                ],
            }
            for task, scored in score.tasks.items()
        },
    }


def explanation_json(score: CreativityScore) -> str:
    """`explanation_dict` as JSON text, byte for byte what encoding it gives, built
    from each idea's note encoded once (`IdeaNote.encoded`) rather than every time
    a respondent who shares it is saved."""
    explanation = score.explanation
    head = {
        "score": score.score,
        "weights": explanation.weights,
        "normalised": explanation.normalised,
        "points": explanation.points,
        "rare": [idea for _, idea, _, _ in explanation.rare],
        "summary": explanation.lines(),
    }
    tasks = ", ".join(f"{_encode(task)}: {_task_json(s)}" for task, s in score.tasks.items())
    return _encode(head)[:-1] + ', "tasks": {' + tasks + "}}"


def _task_json(scored: TaskScore) -> str:
    """One task's entry of `explanation_dict`, as JSON text: its numbers encoded
    together, its lists joined from the notes' parts in one pass over the notes."""
    head = {
        "fluency": scored.fluency,
        "flexibility": scored.flexibility,
        "originality": scored.originality,
        "elaboration": scored.elaboration,
        "originality_basis": scored.basis,
    }
    counted: list[str] = []
    repeats: list[str] = []
    dropped: list[str] = []
    rare: list[str] = []
    ideas: list[str] = []
    for note in scored.ideas:
        parts = note.encoded
        if note.counted:
            counted.append(parts.text)
        if parts.repeat is not None:
            repeats.append(parts.repeat)
        if parts.dropped is not None:
            dropped.append(parts.dropped)
        if parts.rare is not None:
            rare.append(parts.rare)
        ideas.append(parts.idea)
    return (
        _encode(head)[:-1]  # the object left open for the lists
        + f', "counted": {_json_array(counted)}, "repeats": {_json_array(repeats)}'
        + f', "dropped": {_json_array(dropped)}, "rare": {_json_array(rare)}'
        + f', "ideas": {_json_array(ideas)}}}'
    )


def _json_array(items: list[str]) -> str:
    """An array of JSON texts, spaced as the encoder spaces one."""
    return "[" + ", ".join(items) + "]"
