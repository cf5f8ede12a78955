"""Creativity scoring: splitting, repeats, categories, elaboration, originality, explanations.

Most tests use hand-made vectors, so every cosine is known and the rules are
tested, not the embedding model; a few use the real bundled model and the
shipped originality weights on a handful of texts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import numpy as np
import pytest

from ideation.analysis.embed import SentenceTransformerEmbedder, embed_cached
from ideation.rarity import pool_rarity
from ideation.screening.creativity import (
    TaskAnswer,
    elaboration,
    explanation_dict,
    explanation_json,
    idea_problem,
    is_listing_prompt,
    score_creativity,
    split_ideas,
)
from ideation.screening.originality import (
    MODEL_PATH,
    PROBE_TEXT,
    load_model,
    originality_details,
    prompt_subject,
    prompt_text_to_embed,
)
from ideation.store import Store

MUG = "List as many unusual uses for a coffee mug as you can think of — one per line."
ANIMAL = "If your favourite coffee were an animal, which animal would it be, and why?"
DIM = 256


def axis(i: int) -> np.ndarray:
    vector = np.zeros(DIM, dtype=np.float32)
    vector[i] = 1.0
    return vector


def unit(vector: np.ndarray) -> np.ndarray:
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def variant(category: int, idea: int, spread: float = 0.8) -> np.ndarray:
    """Ideas of one category: cosine 1/(1+spread²) to each other (0.61), 0 across categories."""
    return unit(axis(category) + spread * axis(64 + idea))


class HandEmbedder:
    """Vectors from a table; any other text gets its own near-orthogonal random vector."""

    model_id = "hand-made"

    def __init__(self, table: dict[str, np.ndarray] | None = None) -> None:
        self.table = table or {}
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str], progress=None) -> np.ndarray:
        self.calls.append(list(texts))
        rows = []
        for text in texts:
            if text in self.table:
                rows.append(self.table[text])
            else:
                seed = int.from_bytes(hashlib.md5(text.encode()).digest()[:4], "little")
                rows.append(unit(np.random.default_rng(seed).standard_normal(DIM)))
        return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, DIM), np.float32)


@pytest.fixture(scope="module")
def real() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


# --------------------------------------------------------------------------- splitting


def test_split_lines_bullets_numbers_and_semicolons() -> None:
    text = "- pen holder\n• plant pot\n\n3. doorstop\n4) a tiny drum; a paperweight\n*  \n"
    assert split_ideas(text) == [
        "pen holder",
        "plant pot",
        "doorstop",
        "a tiny drum",
        "a paperweight",
    ]
    assert split_ideas("1. hat 2. drum 3) boat") == ["hat", "drum", "boat"]


def test_commas_split_short_lists_but_not_clauses() -> None:
    assert split_ideas("doorstop, paperweight, and a plant pot") == [
        "doorstop",
        "paperweight",
        "a plant pot",
    ]
    one = "a pen holder for the kitchen counter, so the kids' crayons stop rolling away"
    assert split_ideas(one) == [one]
    assert split_ideas("a hat, because it fits") == ["a hat, because it fits"]


def test_a_task_that_asks_for_one_idea_is_not_split() -> None:
    assert is_listing_prompt(MUG) and not is_listing_prompt(ANIMAL)
    answer = "A sloth,\nslow, calm, warm"
    assert split_ideas(answer, listing=False) == ["A sloth, slow, calm, warm"]


def test_prompt_subject_from_a_question() -> None:
    assert prompt_subject(MUG) == "coffee mug"
    assert prompt_subject("What are some alternative uses for a brick?") == "brick"
    assert prompt_subject("How many different ways can you use a paperclip?") == "paperclip"
    assert prompt_subject("What can you do with an old shoe, other than wear it?") == "shoe"
    assert prompt_subject("brick") == "brick"
    assert prompt_subject(ANIMAL) is None and prompt_subject("Invent a toy.") is None
    assert prompt_text_to_embed(ANIMAL) == ANIMAL


# --------------------------------------------------------------------------- fluency


def test_near_repeat_counts_once_and_says_of_what() -> None:
    table = {
        "pen holder": variant(0, 0),
        "a holder for pens": unit(variant(0, 0) + 0.2 * axis(200)),  # cosine 0.98
        "plant pot": variant(1, 1),
    }
    embedder = HandEmbedder(table)
    text = "pen holder\nPen holder.\nplant pot\na holder for pens"
    scored = score_creativity([TaskAnswer("ann", "mug", MUG, text)], embedder)["ann"]
    assert scored.fluency == 2
    notes = scored.notes["mug"]
    assert [n.counted for n in notes] == [True, False, True, False]
    assert notes[1].repeat_of == "pen holder" and notes[3].repeat_of == "pen holder"
    assert ("mug", "a holder for pens", "pen holder") in scored.explanation.repeats
    assert ("mug", "Pen holder", "pen holder") in scored.explanation.repeats


def test_empty_and_gibberish_answers_score_zero_without_crashing() -> None:
    answers = [
        TaskAnswer("blank", "mug", MUG, ""),
        TaskAnswer("mash", "mug", MUG, "asdfgh\njjjj\n???\nidk\n🙂🙂"),
        TaskAnswer("mash", "animal", ANIMAL, "qwerty"),
        TaskAnswer("real", "mug", MUG, "plant pot\npen holder"),
    ]
    scores = score_creativity(answers, HandEmbedder())
    for who in ("blank", "mash"):
        assert scores[who].fluency == 0 and scores[who].flexibility == 0
        assert scores[who].originality == 0 and scores[who].score == 0
    dropped = {text for _, text, _ in scores["mash"].explanation.dropped}
    assert dropped == {"asdfgh", "jjjj", "???", "idk", "🙂🙂", "qwerty"}
    assert scores["real"].fluency == 2 and scores["real"].score > 0
    assert idea_problem("  ") == "empty"
    assert idea_problem("dog") is None


def test_each_answer_keeps_the_mean_of_its_ideas_vectors() -> None:
    table = {"pen holder": axis(0), "plant pot": axis(1), "a sleepy owl who reads": axis(2)}
    answers = [
        TaskAnswer("a", "mug", MUG, "pen holder\nplant pot\nasdfgh\npen holder"),
        TaskAnswer("a", "animal", ANIMAL, "a sleepy owl who reads"),
        TaskAnswer("b", "mug", MUG, "???"),
    ]
    scored = score_creativity(answers, HandEmbedder(table))

    mug = scored["a"].tasks["mug"].vector
    # the repeat counts in the mean (a copied list repeats too), the gibberish does not
    assert mug is not None and np.allclose(mug, (2 * axis(0) + axis(1)) / 3)
    assert np.allclose(scored["a"].tasks["animal"].vector, axis(2))
    assert scored["b"].tasks["mug"].vector is None


def test_nothing_to_embed_means_no_embedding_call() -> None:
    embedder = HandEmbedder()
    scores = score_creativity([TaskAnswer("a", "animal", ANIMAL, "asdf")], embedder)
    assert scores["a"].score == 0
    assert embedder.calls == []
    assert score_creativity([], embedder) == {}


def test_unicode_and_emoji_ideas_count() -> None:
    text = (
        "☕ tasse à café comme pot de fleurs 🌱\n用来种多肉植物、当笔筒\n👉 Blumentopf für Kräuter"
    )
    ideas = split_ideas(text)
    assert ideas == [
        "☕ tasse à café comme pot de fleurs 🌱",
        "用来种多肉植物",
        "当笔筒",
        "👉 Blumentopf für Kräuter",
    ]
    scored = score_creativity([TaskAnswer("zoé", "mug", MUG, text)], HandEmbedder())["zoé"]
    assert scored.fluency == 4
    assert explanation_dict(scored)["tasks"]["mug"]["counted"] == ideas


# --------------------------------------------------------------------------- flexibility


def test_flexibility_counts_pool_categories() -> None:
    texts = ["pen holder", "store pencils", "plant pot", "grow herbs", "hat", "wear as helmet"]
    table = {t: variant(i // 2, i) for i, t in enumerate(texts)}  # three pairs of cosine 0.61
    answers = [
        TaskAnswer("wide", "mug", MUG, "\n".join(texts)),
        TaskAnswer("narrow", "mug", MUG, "pen holder\nstore pencils"),
    ]
    scores = score_creativity(answers, HandEmbedder(table))
    assert scores["wide"].fluency == 6 and scores["wide"].flexibility == 3
    assert scores["narrow"].fluency == 2 and scores["narrow"].flexibility == 1
    labels = [n.category_label for n in scores["wide"].notes["mug"]]
    assert labels == ["pen holder", "pen holder", "plant pot", "plant pot", "hat", "hat"]
    # The categories are the pool's: the same for both respondents.
    assert scores["narrow"].notes["mug"][1].category == scores["wide"].notes["mug"][1].category


def test_flexibility_with_the_real_model(real: SentenceTransformerEmbedder) -> None:
    text = "pen holder\nhold pens\nuse it as a hat\nwear it as a helmet\na drum"
    scored = score_creativity([TaskAnswer("a", "mug", MUG, text)], real)["a"]
    assert scored.fluency == 5
    assert scored.flexibility == 3


# --------------------------------------------------------------------------- elaboration


def test_elaboration_ranks_detail_above_a_bare_noun() -> None:
    bare = "a pen holder"
    detailed = "a pen holder for the kitchen counter, so the kids' crayons stop rolling away"
    assert elaboration(bare) == 0.0
    assert elaboration(detailed) > elaboration("a pen holder for the kitchen") > elaboration(bare)
    assert elaboration(detailed + " " + detailed) == 1.0  # capped
    scores = score_creativity(
        [TaskAnswer("bare", "mug", MUG, bare), TaskAnswer("rich", "mug", MUG, detailed)],
        HandEmbedder(),
    )
    assert scores["rich"].elaboration > scores["bare"].elaboration == 0.0


# --------------------------------------------------------------------------- originality


def test_rarity_counts_copies_and_skips_own_ideas() -> None:
    common, rare = variant(0, 0), variant(5, 5)
    texts = ["doorstop"] * 12 + ["grind into red paint"]
    vectors = np.vstack([common] * 12 + [rare])
    pool = pool_rarity(texts, vectors)
    assert pool.rarity[-1] > pool.rarity[0]
    assert pool.rarity[0] == pytest.approx(0.0, abs=1e-5)  # ten identical others
    assert pool.nearest[-1][0].text == "doorstop" and pool.nearest[-1][0].count == 12
    # Alone with one's own ideas there is nobody to compare with.
    mine = pool_rarity(["a", "b"], np.vstack([common, rare]), owners=["me", "me"])
    assert np.isnan(mine.rarity).all()


def test_explanation_lists_rare_ideas_and_repeats() -> None:
    table = {"doorstop": variant(0, 0), "paperweight": variant(0, 1)}
    table["use it as a bell for the cat"] = variant(9, 9)
    answers = [
        TaskAnswer(f"p{i}", "mug", MUG, "doorstop\npaperweight" if i % 2 else "doorstop")
        for i in range(24)
    ]
    answers.append(
        TaskAnswer("bea", "mug", MUG, "doorstop\ndoorstop\nuse it as a bell for the cat")
    )
    scores = score_creativity(answers, HandEmbedder(table))
    bea = scores["bea"]
    rare = {idea: (rarity, pct) for _, idea, rarity, pct in bea.explanation.rare}
    assert list(rare) == ["use it as a bell for the cat"]
    rarity, pct = rare["use it as a bell for the cat"]
    assert rarity > 0.5 and pct >= 0.9
    assert bea.explanation.repeats == (("mug", "doorstop", "doorstop"),)
    assert bea.originality > scores["p0"].originality
    assert bea.score > scores["p0"].score
    stored = explanation_dict(bea)
    assert stored["rare"] == ["use it as a bell for the cat"]
    assert stored["tasks"]["mug"]["repeats"] == [{"idea": "doorstop", "of": "doorstop"}]
    assert any("rare" in line for line in bea.explanation.lines())


def test_stored_explanation_is_the_dict_encoded_byte_for_byte() -> None:
    """`assess` stores `explanation_json`, built from each shared note encoded once; it
    must be exactly the text encoding `explanation_dict` gives, whatever strangers typed."""
    hostile = 'a "quoted" back\\slash \x01 mug ☕ für 🌱 </script>'
    table = {"doorstop": variant(0, 0), "paperweight": variant(0, 1), hostile: variant(9, 9)}
    answers = [
        TaskAnswer(f"p{i}", "mug", MUG, "doorstop\npaperweight" if i % 2 else "doorstop")
        for i in range(24)
    ]
    answers += [
        TaskAnswer("bea", "mug", MUG, f"doorstop\ndoorstop\n{hostile}\n!!!"),
        TaskAnswer("bea", "animal", ANIMAL, 'A "sloth", because mornings are slow'),
        TaskAnswer("cal", "animal", ANIMAL, "!!"),
    ]
    scores = score_creativity(answers, HandEmbedder(table))
    stored = explanation_dict(scores["bea"])["tasks"]["mug"]
    assert stored["rare"] and stored["repeats"] and stored["dropped"]  # every list is tried
    assert explanation_dict(scores["cal"])["tasks"]["animal"]["counted"] == []
    encode = json.JSONEncoder(ensure_ascii=False).encode  # as the store encodes a dict
    for score in scores.values():
        assert explanation_json(score) == encode(explanation_dict(score))


def test_one_deduplicated_embedding_call_through_the_cache(store: Store, fake_embedder) -> None:
    answers = [
        TaskAnswer("a", "mug", MUG, "pen holder\nplant pot"),
        TaskAnswer("b", "mug", MUG, "plant pot\ndrum"),
        TaskAnswer("b", "animal", ANIMAL, "A sloth, because mornings are slow"),
    ]
    score_creativity(answers, fake_embedder, embed=lambda t: embed_cached(store, fake_embedder, t))
    assert len(fake_embedder.calls) == 1
    sent = fake_embedder.calls[0]
    assert len(sent) == len(set(sent))
    assert set(sent) == {
        "pen holder",
        "plant pot",
        "drum",
        "coffee mug",  # the object, for the model; the animal task needs no prompt vector
        PROBE_TEXT,  # tells whether the vectors are the model's kind
        "A sloth, because mornings are slow",
    }
    score_creativity(answers, fake_embedder, embed=lambda t: embed_cached(store, fake_embedder, t))
    assert len(fake_embedder.calls) == 1  # second time: all from the study file


def test_shipped_model_is_small_and_ranks_original_uses_first(
    real: SentenceTransformerEmbedder,
) -> None:
    assert MODEL_PATH.stat().st_size < 5_000_000
    model = load_model()
    assert model.fits(real.embed([PROBE_TEXT])[0])
    assert model.meta["training_rows"] == 16081
    common = ["build a house", "doorstop", "paperweight", "build a wall"]
    original = [
        "grind it into red powder and use it as paint for a mural",
        "carve it into a tiny sculpture of my grandmother",
        "use it as a pillow for a very tough giant",
    ]
    prompt = "What are some alternative uses for a brick?"
    vectors = real.embed(common + original + [prompt_text_to_embed(prompt)])
    ratings = model.predict(common + original, vectors[:-1], vectors[-1])
    assert min(ratings[len(common) :]) > max(ratings[: len(common)])
    details = originality_details(common + original, prompt, vectors[:-1], vectors[-1])
    scores = [d.score for d in details]
    assert min(scores[len(common) :]) > max(scores[: len(common)])
    assert all(d.model is not None and 0 <= d.score <= 100 for d in details)


def test_the_model_is_not_applied_to_other_tasks_or_other_embedders() -> None:
    vectors = np.vstack([variant(0, 0), variant(1, 1)])
    details = originality_details(["a lion", "a sloth"], ANIMAL, vectors, variant(2, 2))
    assert all(d.model is None for d in details)
    scored = score_creativity([TaskAnswer("a", "mug", MUG, "pen holder")], HandEmbedder())
    assert scored["a"].tasks["mug"].basis == "rarity_only"
