"""Originality that holds on new data (issue #13 §3).

Object names are normalised ("light bulb" is the trained "lightbulb"); the
trained model is recognised by its weights, not the embedder's name, and says
loudly when it is off; scoring needs only vectors; one per-response call gives
rarity, the model and the combined score with its explanation; the originality
dimension is top-k; a screener sets the dimension weights.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import FakeEmbedder

from ideation.analysis.embed import SentenceTransformerEmbedder, bundled_model_path
from ideation.rarity import pool_rarity
from ideation.screening.creativity import (
    TOP_ORIGINAL,
    WEIGHTS,
    TaskAnswer,
    dimension_weights,
    score_creativity,
)
from ideation.screening.definition import DimensionWeights
from ideation.screening.originality import (
    PROBE_TEXT,
    ScorerOffWarning,
    load_model,
    object_forms,
    prompt_text_to_embed,
    score_responses,
)
from ideation.screening.screener_yaml import ScreenerError, parse_screener

BULB = "List as many unusual uses for a light bulb as you can think of — one per line."
MUG = "List as many unusual uses for a coffee mug as you can think of — one per line."
IDEAS = ["lamp", "vase for one flower", "christmas ornament", "a tiny terrarium", "lamp"]


@pytest.fixture(scope="module")
def by_path() -> SentenceTransformerEmbedder:
    """The bundled model given by its path: a name the trained scorer has never seen."""
    return SentenceTransformerEmbedder(bundled_model_path())


# -- object names ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "trained"),
    [
        ("light bulb", "lightbulb"),
        ("Light-Bulbs", "lightbulb"),
        ("paper clip", "paperclip"),
        ("paper clips", "paperclip"),
        ("tooth brush", "toothbrush"),
        ("tooth-brushes", "toothbrush"),
        ("bricks", "brick"),
        ("knives", "knife"),
        ("boxes", "box"),
        ("pants", "pants"),
    ],
)
def test_object_names_match_the_training_spelling(asked: str, trained: str) -> None:
    model = load_model()
    assert model.trained_name(asked) == trained
    assert model.basis(asked) == "trained_object"
    question = f"What are some unusual uses for a {asked}?"
    assert prompt_text_to_embed(question) == trained


def test_new_objects_stay_new() -> None:
    model = load_model()
    for name in ("coffee mug", "glass", "bus", "brushes"):
        assert model.basis(name) == "new_object", name
    assert object_forms("glass") == ["glass"]  # no "glas"


# -- the model is known by its weights ---------------------------------------------


def test_embedder_given_by_path_keeps_the_trained_scorer(
    by_path: SentenceTransformerEmbedder,
) -> None:
    answers = [TaskAnswer(f"r{i}", "bulb", BULB, idea) for i, idea in enumerate(IDEAS)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScorerOffWarning)
        scored = score_creativity(answers, by_path)
    task = scored["r1"].tasks["bulb"]
    assert task.basis == "trained_object"  # "light bulb" is the trained "lightbulb"
    assert task.ideas[0].model_rating is not None
    assert task.ideas[0].originality_why == task.ideas[0].detail.explanation
    assert "× model" in task.ideas[0].originality_why


def test_vectors_of_another_kind_switch_the_model_off_loudly() -> None:
    answers = [TaskAnswer("a", "mug", MUG, "pen holder\nplant pot")]
    with pytest.warns(ScorerOffWarning, match="trained originality model is off"):
        scored = score_creativity(answers, FakeEmbedder(384))  # right size, wrong weights
    assert scored["a"].tasks["mug"].basis == "rarity_only"


def test_scoring_needs_vectors_not_an_embedder() -> None:
    fake = FakeEmbedder()
    answers = [TaskAnswer("a", "animal", "Which animal is your coffee?", "a sloth, slow")]
    via_embed = score_creativity(answers, embed=fake.embed)
    via_embedder = score_creativity(answers, FakeEmbedder())
    assert via_embed["a"].score == via_embedder["a"].score
    with pytest.raises(TypeError, match="embedder or an embed function"):
        score_creativity(answers)


# -- one call per response ---------------------------------------------------------


def test_one_call_gives_rarity_model_and_combined_score_with_why(
    by_path: SentenceTransformerEmbedder,
) -> None:
    calls: list[list[str]] = []

    def embed(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return by_path.embed(texts)

    results = score_responses(IDEAS, BULB, embed)
    assert len(calls) == 1 and PROBE_TEXT in calls[0]
    vectors = by_path.embed(IDEAS)
    expected_rarity = pool_rarity(IDEAS, vectors).rarity
    for result, rarity in zip(results, expected_rarity, strict=True):
        assert result.basis == "trained_object"
        assert result.model is not None and result.rarity == pytest.approx(rarity, abs=1e-3)
        coef = dict(result.coefficients)
        rating = coef["intercept"] + coef["model"] * result.model
        rating += coef["rarity_z"] * (result.rarity_z or 0.0)
        assert result.rating == pytest.approx(min(5.0, max(1.0, rating)), abs=0.01)
        assert result.score == pytest.approx((result.rating - 1) / 4 * 100, abs=0.05)
        why = result.explanation
        assert why.startswith(f"originality {result.score:.0f}/100: rating {result.rating:.2f}")
        assert f"model {result.model:.2f}" in why and "rarer than" in why
    assert results[0].rarity == results[-1].rarity  # "lamp" twice: one rarity, counted twice


# -- top-k originality -------------------------------------------------------------


def test_originality_is_the_mean_of_the_top_k_ideas() -> None:
    common = ["pen holder", "plant pot", "doorstop", "paperweight"]
    rare = ["bell for the cat", "mould for sandcastles", "drum"]
    answers = [TaskAnswer(f"c{i}", "mug", MUG, "\n".join(common)) for i in range(20)]
    answers += [
        TaskAnswer("few", "mug", MUG, "\n".join(rare)),
        TaskAnswer("many", "mug", MUG, "\n".join(rare + common)),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScorerOffWarning)
        scores = score_creativity(answers, FakeEmbedder())
    assert TOP_ORIGINAL == 3
    few, many = scores["few"], scores["many"]
    top = sorted((n.originality or 0 for n in many.tasks["mug"].ideas), reverse=True)[:3]
    assert many.originality == pytest.approx(sum(top) / 3, abs=0.01)
    # Listing common ideas as well neither helps nor hurts originality…
    assert many.originality == pytest.approx(few.originality, abs=0.5)
    assert many.fluency > few.fluency  # …while fluency counts them


# -- dimension weights -------------------------------------------------------------

HEAD = "screener: t\ntarget: {participants: 2}\n"
TASK = "questions:\n  - {id: task, type: creativity, text: Uses for a mug?}\n"


def test_default_weights_favour_originality() -> None:
    defaults = parse_screener(HEAD + TASK, "x.yaml").dimension_weights
    assert defaults == DimensionWeights()
    assert WEIGHTS == defaults.as_dict()
    assert max(WEIGHTS, key=WEIGHTS.__getitem__) == "originality"
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_screener_sets_some_weights_and_the_rest_keep_their_defaults() -> None:
    text = HEAD + "dimension_weights:\n  originality: 0.8\n  fluency: 0\n" + TASK
    weights = parse_screener(text, "x.yaml").dimension_weights
    assert weights.originality == 0.8 and weights.fluency == 0.0
    assert weights.flexibility == DimensionWeights().flexibility
    assert weights.line == 3
    scaled = dimension_weights(weights.as_dict())
    assert sum(scaled.values()) == pytest.approx(1.0)
    assert scaled["originality"] == pytest.approx(0.8 / (0.8 + 0.15 + 0.15))


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            "dimension_weights:\n  originality: 2\n",
            "x.yaml:4: dimension_weights.originality: expected a weight from 0 to 1, got 2",
        ),
        (
            "dimension_weights:\n  novelty: 0.5\n",
            "x.yaml:4: dimension_weights.novelty: unknown key",
        ),
        (
            "dimension_weights: {originality: 0, flexibility: 0, fluency: 0, elaboration: 0}\n",
            "x.yaml:3: dimension_weights: expected at least one weight above 0, got all 0",
        ),
    ],
)
def test_bad_dimension_weights_are_one_line_errors(block: str, message: str) -> None:
    with pytest.raises(ScreenerError) as caught:
        parse_screener(HEAD + block + TASK, "x.yaml")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_weights_drive_the_composite() -> None:
    answers = [
        TaskAnswer("lister", "uses", MUG, "pen holder\nplant pot\ndoorstop\npaperweight\nvase"),
        TaskAnswer("odd", "uses", MUG, "bell for the cat"),
    ] + [TaskAnswer(f"c{i}", "uses", MUG, "pen holder\nplant pot") for i in range(10)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScorerOffWarning)
        counts = score_creativity(answers, FakeEmbedder(), weights={"originality": 0, "fluency": 1})
        rare = score_creativity(
            answers,
            FakeEmbedder(),
            weights={"originality": 1, "fluency": 0, "flexibility": 0, "elaboration": 0},
        )
    assert counts["lister"].score > counts["odd"].score
    assert rare["odd"].score > rare["lister"].score
    assert rare["odd"].explanation.weights["originality"] == 1.0
