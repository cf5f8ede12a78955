"""What keeps a panel's screening run in bounded memory, at small sizes: answers' vectors
are not held but worked out from one shared matrix of idea vectors, the copy search reads
one vector per distinct text and copies each straight into its matrix, and none of that
changes a flag. The peak itself is measured by bench/screening.py, not here."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping

import numpy as np
from conftest import FakeEmbedder
from test_screening_scale import crowd

from ideation.screening.answers import normalise
from ideation.screening.creativity import TaskAnswer, score_creativity
from ideation.screening.definition import Question
from ideation.screening.pipeline import _open_end_vectors
from ideation.screening.quality import (
    contact_keys,
    duplicate_open_ends,
    long_enough_to_compare,
    near_pairs,
)

TASK = Question(id="uses", text="List uses for a brick", type="creativity")
MUG = "List as many unusual uses for a coffee mug as you can."
BOT_TEXT = "doorstop for the kitchen\npaperweight on a windy desk\nplant pot for fresh herbs"


class CountingVectors(Mapping[tuple[Hashable, str], np.ndarray]):
    """A plain dict of vectors that counts how often each one is read."""

    def __init__(self, vectors: dict[tuple[Hashable, str], np.ndarray]) -> None:
        self.vectors = vectors
        self.reads: dict[tuple[Hashable, str], int] = {}

    def __getitem__(self, key: tuple[Hashable, str]) -> np.ndarray:
        vector = self.vectors[key]
        self.reads[key] = self.reads.get(key, 0) + 1
        return vector

    def __contains__(self, key: object) -> bool:  # as a dict: without reading the vector
        return key in self.vectors

    def __iter__(self) -> Iterator[tuple[Hashable, str]]:
        return iter(self.vectors)

    def __len__(self) -> int:
        return len(self.vectors)


def panel(size: int) -> list[TaskAnswer]:
    """Honest answers of a few ideas each, and a bot farm pasting one list."""
    ideas = ["pen holder", "plant pot", "doorstop", "paperweight", "candle holder", "piggy bank"]
    answers = []
    for n in range(size):
        if n % 4 == 0:
            text = BOT_TEXT
        else:
            text = "\n".join(ideas[(n + k) % len(ideas)] for k in range(2 + n % 3))
        answers.append(TaskAnswer(f"R{n}", "mug", MUG, text))
    return answers


def test_answers_hold_rows_of_one_idea_matrix_not_vectors_of_their_own() -> None:
    scored = score_creativity(panel(200), FakeEmbedder())
    held = [s.tasks["mug"].idea_rows for s in scored.values()]

    assert all(rows is not None for rows in held)
    assert len({id(rows.matrix) for rows in held if rows}) == 1  # one matrix for the batch
    bots = {id(scored[f"R{n}"].tasks["mug"].idea_rows) for n in range(0, 200, 4)}
    assert len(bots) == 1  # a bot farm's identical answers share one entry
    # the vector is still the mean of the answer's ideas, worked out when asked
    rows = held[1]
    assert rows is not None
    assert np.array_equal(scored["R1"].tasks["mug"].vector, rows.matrix[list(rows.rows)].mean(0))


def test_the_copy_search_reads_one_vector_per_distinct_text_and_flags_the_same() -> None:
    people, vectors = crowd(300, seed=4)
    counted = CountingVectors(vectors)

    eager = duplicate_open_ends(people, [TASK], vectors, contacts=contact_keys(people))
    lazy = duplicate_open_ends(people, [TASK], counted, contacts=contact_keys(people))

    assert lazy == eager and any("nearly" in flag.reason for _, flag in lazy)
    assert set(counted.reads.values()) == {1}  # each read once, straight into the matrix
    texts = {
        normalise(p.answers["uses"]) for p in people if long_enough_to_compare(p.answers["uses"])
    }
    assert len(counted.reads) == len(texts) < len(people)  # one per distinct text, not everyone


def test_near_pairs_leaves_the_callers_vectors_as_they_were() -> None:
    rng = np.random.default_rng(3)
    vectors = {n: rng.standard_normal(8).astype(np.float32) * 5 for n in range(50)}
    vectors[50] = vectors[0] * 2  # the same direction: a pair at cosine 1
    before = {key: vector.copy() for key, vector in vectors.items()}

    pairs = near_pairs(vectors, 0.99)

    assert (0, 50) in [(a, b) for a, b, _ in pairs]
    assert all(np.array_equal(vectors[key], before[key]) for key in vectors)


def test_the_pipeline_hands_the_copy_search_only_answers_long_enough_to_compare() -> None:
    long_list = "a doorstop for the kitchen\na paperweight for the desk\na plant pot"
    answers = [
        TaskAnswer("1", "mug", MUG, long_list),
        TaskAnswer("2", "mug", MUG, "pen holder"),  # embedded, but too short to be a copy
        TaskAnswer("3", "mug", MUG, "???"),  # nothing embedded
    ]
    scored = {int(key): value for key, value in score_creativity(answers, FakeEmbedder()).items()}
    vectors = _open_end_vectors(scored)

    assert list(vectors) == [(1, "mug")] and len(vectors) == 1
    assert np.array_equal(vectors[(1, "mug")], scored[1].tasks["mug"].vector)
    assert scored[2].tasks["mug"].vector is not None  # the vector itself still exists


def test_rarity_reads_a_shared_matrix_through_rows_as_it_reads_a_copy() -> None:
    """Originality gets the batch's one matrix of distinct ideas and each response's row
    in it, instead of a copy with a row per response: the same results, bit for bit."""
    from ideation.rarity import pool_rarity

    rng = np.random.default_rng(7)
    distinct = rng.normal(size=(40, 16)).astype(np.float32)
    distinct /= np.linalg.norm(distinct, axis=1, keepdims=True)
    rows = rng.integers(0, 40, size=300).tolist()
    texts = [f"idea {r}" for r in rows]
    owners = [f"person {i % 90}" for i in range(300)]
    copied = pool_rarity(texts, distinct[rows], owners)
    shared = pool_rarity(texts, distinct, owners, rows=rows)
    np.testing.assert_array_equal(copied.rarity, shared.rarity)
    assert copied.nearest == shared.nearest
