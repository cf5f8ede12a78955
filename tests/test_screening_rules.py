"""Provides tests for screener evaluation, live questioning, involvement and quotas."""

from __future__ import annotations

import pickle
import random
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from ideation.screening.definition import ScreenerDefinition
from ideation.screening.involvement import Part, score_involvement
from ideation.screening.quotas import Candidate, CellFill, Unplaced, fill_quotas
from ideation.screening.rules import (
    COMPLETE,
    INCOMPLETE,
    TERMINATED,
    AnswerError,
    Outcome,
    evaluate,
    next_question,
    validate_answer,
)
from ideation.screening.screener_yaml import load_screener, parse_screener

SHIPPED = Path(__file__).resolve().parent.parent / "screeners" / "home-coffee.yaml"
ALL_IDS = (
    "industry",
    "last_research",
    "age",
    "age_band",
    "gender",
    "coffee_at_home",
    "cups_per_week",
    "who_buys",
    "spend_per_month",
    "brands_tried",
    "attitudes",
    "mug_uses",
    "brand_animal",
    "morning_wish",
    "rank_features",
)
WITHOUT_SPEND = tuple(qid for qid in ALL_IDS if qid != "spend_per_month")


@pytest.fixture(scope="module")
def defn() -> ScreenerDefinition:
    return load_screener(SHIPPED)


@pytest.fixture(scope="module")
def demo() -> dict[str, dict[str, Any]]:
    text = resources.files("ideation.demo").joinpath("respondents.yaml").read_text("utf-8")
    return {str(row["id"]): row["answers"] for row in YAML(typ="safe").load(text)}


def heavy_user() -> dict[str, Any]:
    """A complete, eligible set of answers to the shipped screener."""
    return {
        "industry": ["None of these"],
        "last_research": "Never",
        "age": 40,
        "age_band": "35-54",
        "gender": "Woman",
        "coffee_at_home": "Several times a day",
        "cups_per_week": 30,
        "who_buys": "I do",
        "spend_per_month": 45,
        "brands_tried": ["Brewline", "Roastwell", "Kettlebury", "Morning Harbour"],
        "attitudes": {
            "passion": 5,
            "ritual": 5,
            "explore": 5,
            "talk": 4,
            "attention": 4,
            "any_will_do": 1,
        },
        "mug_uses": "pen pot\nplant pot",
        "brand_animal": "An owl",
        "morning_wish": "Ready when I wake",
        "rank_features": [
            "Taste",
            "Convenience",
            "Price",
            "Sustainability",
            "The ritual of making it",
        ],
    }


# -- the demo respondents -------------------------------------------------------------


TERMINATES = {
    "R002": ("industry security", "industry"),
    "R012": ("industry security", "industry"),
    "R023": ("industry security", "industry"),
    "R032": ("industry security", "industry"),
    "R014": ("took part in research within 6 months", "last_research"),
    "R026": ("took part in research within 6 months", "last_research"),
    "R009": ("under age", "age"),
    "R017": ("not a category user", "coffee_at_home"),
    "R031": ("not a category user", "coffee_at_home"),
}


def test_demo_respondents_are_40_with_9_terminated(
    defn: ScreenerDefinition, demo: dict[str, dict[str, Any]]
) -> None:
    assert len(demo) == 40
    outcomes = {rid: evaluate(defn, answers) for rid, answers in demo.items()}
    terminated = {
        rid: (o.terminate_reason, o.terminated_at)
        for rid, o in outcomes.items()
        if o.status == TERMINATED
    }
    assert terminated == TERMINATES
    for rid, outcome in outcomes.items():
        assert outcome.problems == (), rid
        if rid in TERMINATES:
            # They stopped at the question that ended their screener.
            assert outcome.asked[-1] == outcome.terminated_at
            assert outcome.asked == ALL_IDS[: len(outcome.asked)]
        else:
            assert outcome.status == COMPLETE, rid
            assert (outcome.terminate_reason, outcome.terminated_at) == ("", None)
    # Those whose coffee someone else buys skip the spend question.
    skipped = sorted(rid for rid, o in outcomes.items() if o.asked == WITHOUT_SPEND)
    assert skipped == ["R025", "R036"]
    assert sum(o.asked == ALL_IDS for o in outcomes.values()) == 31 - 2


def test_terminated_outcome_in_full(defn: ScreenerDefinition, demo: dict[str, Any]) -> None:
    assert evaluate(defn, demo["R009"]) == Outcome(
        TERMINATED, "under age", "age", ("industry", "last_research", "age"), ()
    )


# -- evaluation ---------------------------------------------------------------------


def test_complete_heavy_user(defn: ScreenerDefinition) -> None:
    assert evaluate(defn, heavy_user()) == Outcome(COMPLETE, asked=ALL_IDS)


def test_answers_are_normalised(defn: ScreenerDefinition) -> None:
    answers = heavy_user() | {
        "industry": "none of these",  # one string for a multiple choice, any case
        "age": "34",
        "gender": "  WOMAN ",
        "cups_per_week": 12.0,
        "brands_tried": "brewline, Roastwell",
        "attitudes": "5 5 5 4 4 1",
        "rank_features": "taste > price > convenience > sustainability > the ritual of making it",
    }
    assert evaluate(defn, answers) == Outcome(COMPLETE, asked=ALL_IDS)


def test_terminate_on_normalised_answers(defn: ScreenerDefinition) -> None:
    answers = heavy_user() | {"industry": ["market RESEARCH"]}
    outcome = evaluate(defn, answers)
    assert (outcome.status, outcome.terminated_at) == (TERMINATED, "industry")
    assert evaluate(defn, heavy_user() | {"age": "17"}).terminate_reason == "under age"
    assert evaluate(defn, heavy_user() | {"coffee_at_home": "never"}).status == TERMINATED


def test_answers_outside_the_options_are_problems(defn: ScreenerDefinition) -> None:
    answers = heavy_user() | {"gender": "Female", "favourite": "latte"}
    outcome = evaluate(defn, answers)
    assert outcome.status == INCOMPLETE
    assert outcome.asked == ALL_IDS[:4]
    assert outcome.problems == (
        "favourite: not a question of this screener; its answer is not used",
        "gender: 'Female' is not an option; expected one of: Woman, Man, Non-binary, "
        "Prefer not to say (or its number, 1 to 4) (got a string 'Female')",
        "gender: no usable answer, so the 10 answers after it are not used",
    )
    outcome = evaluate(defn, heavy_user() | {"age": 130})
    assert outcome.problems == (
        "age: expected a whole number from 12 to 100 (got a number (130))",
        "age: no usable answer, so the 12 answers after it are not used",
    )


def test_partial_answers_are_incomplete(defn: ScreenerDefinition) -> None:
    assert evaluate(defn, {}) == Outcome(INCOMPLETE)
    partial = {"industry": ["None of these"], "last_research": "Never", "age": 30}
    assert evaluate(defn, partial) == Outcome(
        INCOMPLETE, asked=("industry", "last_research", "age")
    )
    # Blank answers count as no answer.
    assert evaluate(defn, partial | {"age_band": " ", "gender": "Man"}).status == INCOMPLETE


# -- skip logic ----------------------------------------------------------------------


def test_skip_leaves_out_the_questions_in_between(defn: ScreenerDefinition) -> None:
    answers = heavy_user() | {"who_buys": "Someone else in my household"}
    del answers["spend_per_month"]
    assert evaluate(defn, answers) == Outcome(COMPLETE, asked=WITHOUT_SPEND)
    # An answer to a skipped question is reported and not used.
    answers["spend_per_month"] = 20
    assert evaluate(defn, answers).problems == (
        "spend_per_month: answered, but the answer to who_buys skips it; its answer is not used",
    )


SKIPPY = """\
screener: skippy
target: {participants: 2}
questions:
  - id: pets
    type: multiple_choice
    text: Which pets do you have?
    options: [Cat, Dog, None of these]
    skip:
      - {answers: [None of these], to: end}
      - {answers: [Dog], to: walks}
  - id: cat_food
    type: short_text
    text: What does your cat eat?
  - id: walks
    type: number
    text: Walks a day?
    min: 0
    max: 10
  - id: idea
    type: creativity
    text: Invent a toy.
"""


def test_skip_to_end_and_multiple_choice_skips() -> None:
    defn = parse_screener(SKIPPY)
    assert evaluate(defn, {"pets": ["None of these"]}) == Outcome(COMPLETE, asked=("pets",))
    assert evaluate(defn, {"pets": ["Cat", "Dog"], "walks": 2, "idea": "x"}) == Outcome(
        COMPLETE, asked=("pets", "walks", "idea")
    )
    assert evaluate(defn, {"pets": "cat", "cat_food": "fish", "walks": 0, "idea": "x"}) == (
        Outcome(COMPLETE, asked=("pets", "cat_food", "walks", "idea"))
    )
    assert next_question(defn, {"pets": "Dog"}) == defn.question("walks")


# -- live administration ------------------------------------------------------------


def test_next_question_walk_through(defn: ScreenerDefinition) -> None:
    typed = {
        "industry": "5",
        "last_research": "never",
        "age": "44",
        "age_band": "2",
        "gender": "man",
        "coffee_at_home": "Once a day",
        "cups_per_week": "10",
        "who_buys": "someone else in my household",
        "brands_tried": "1, 5",
        "attitudes": "4 4 3 3 4 2",
        "mug_uses": "a pen pot",
        "brand_animal": "a dog",
        "morning_wish": "a hot cup",
        "rank_features": "1, 3, 2, 4, 5",
    }
    answers: dict[str, Any] = {}
    asked: list[str] = []
    while (question := next_question(defn, answers)) is not None:
        asked.append(question.id)
        answers[question.id] = validate_answer(question, typed[question.id])
    assert tuple(asked) == WITHOUT_SPEND
    assert answers["industry"] == ["None of these"]
    assert answers["age_band"] == "35-54"
    assert answers["brands_tried"] == ["Brewline", "Supermarket own-label"]
    assert answers["rank_features"][:3] == ["Taste", "Price", "Convenience"]
    assert evaluate(defn, answers) == Outcome(COMPLETE, asked=WITHOUT_SPEND)


def test_next_question_stops_at_a_terminate(defn: ScreenerDefinition) -> None:
    answers: dict[str, Any] = {}
    for question_id, raw in [("industry", "None of these"), ("last_research", "1")]:
        question = next_question(defn, answers)
        assert question is not None and question.id == question_id
        answers[question_id] = validate_answer(question, raw)
    assert answers["last_research"] == "In the last 6 months"
    assert next_question(defn, answers) is None
    assert evaluate(defn, answers).terminate_reason == "took part in research within 6 months"


@pytest.mark.parametrize(
    ("question_id", "raw", "value"),
    [
        ("age", " 34 ", 34),
        ("age", "12", 12),
        ("spend_per_month", "£25", 25),  # asked "in pounds (£)": the sign is typed too
        ("spend_per_month", "25 €", 25),
        ("gender", "non-binary", "Non-binary"),
        ("gender", "4", "Prefer not to say"),
        ("industry", "Market research; journalism or pr", ["Market research", "Journalism or PR"]),
        (
            "attitudes",
            "passion=5, ritual=agree, explore=4, talk=3, attention=4, any_will_do=1",
            {"passion": 5, "ritual": 4, "explore": 4, "talk": 3, "attention": 4, "any_will_do": 1},
        ),
        ("mug_uses", "  pen pot\n  plant pot  \n", "pen pot\n  plant pot"),
        ("brand_animal", " An owl \n", "An owl"),
    ],
)
def test_validate_answer_accepts(
    defn: ScreenerDefinition, question_id: str, raw: str, value: Any
) -> None:
    assert validate_answer(defn.question(question_id), raw) == value


@pytest.mark.parametrize(
    ("question_id", "raw", "message"),
    [
        ("age", "thirty", "age: expected a whole number from 12 to 100"),
        ("age", "101", "age: expected a whole number from 12 to 100"),
        ("age", "34.5", "age: expected a whole number from 12 to 100"),
        ("age", "", "age: expected a whole number from 12 to 100"),
        (
            "gender",
            "Mna",
            "gender: 'Mna' is not an option; did you mean 'Man'? expected one of: Woman, Man, "
            "Non-binary, Prefer not to say (or its number, 1 to 4)",
        ),
        (
            "gender",
            "5",
            "gender: '5' is not an option; expected one of: Woman, Man, Non-binary, "
            "Prefer not to say (or its number, 1 to 4)",
        ),
        (
            "industry",
            "Market research, None of these",
            "industry: 'None of these' cannot be chosen together with other answers; expected "
            "one or more of: Marketing or advertising, Market research, Coffee or food retail "
            "or manufacturing, Journalism or PR, None of these (separated by commas, or their "
            "numbers)",
        ),
        (
            "attitudes",
            "5 4 3",
            "attitudes: 3 answers for 6 lines; expected an answer from 1 to 5 for each of: "
            "passion, ritual, explore, talk, attention, any_will_do (in that order, or as "
            "item=answer)",
        ),
        (
            "attitudes",
            "5 4 3 6 4 1",
            "attitudes: talk needs an answer from 1 to 5, got '6'; expected an answer from 1 "
            "to 5 for each of: passion, ritual, explore, talk, attention, any_will_do "
            "(in that order, or as item=answer)",
        ),
        (
            "rank_features",
            "Taste, Price",
            "rank_features: 'Convenience' is not ranked; expected all 5 options in order, each "
            "once (names or numbers): Taste, Convenience, Price, Sustainability, The ritual of "
            "making it",
        ),
        (
            "rank_features",
            "1, 1, 2, 3, 4",
            "rank_features: 'Taste' is ranked more than once; expected all 5 options in order, "
            "each once (names or numbers): Taste, Convenience, Price, Sustainability, The "
            "ritual of making it",
        ),
        ("mug_uses", "   ", "mug_uses: expected an answer to the task; it cannot be empty"),
    ],
)
def test_validate_answer_rejects(
    defn: ScreenerDefinition, question_id: str, raw: str, message: str
) -> None:
    with pytest.raises(AnswerError) as caught:
        validate_answer(defn.question(question_id), raw)
    assert str(caught.value) == message
    assert caught.value.question == question_id


def test_answer_error_is_a_value_error_that_pickles(defn: ScreenerDefinition) -> None:
    with pytest.raises(ValueError) as caught:
        validate_answer(defn.question("age"), "x")
    assert str(pickle.loads(pickle.dumps(caught.value))) == str(caught.value)


# -- involvement -----------------------------------------------------------------------


def test_heavy_passionate_user_ranks_above_a_light_one(
    defn: ScreenerDefinition, demo: dict[str, dict[str, Any]]
) -> None:
    heavy = score_involvement(defn, demo["R024"])  # 28 cups, £42, 5 brands, all 5s
    light = score_involvement(defn, demo["R028"])  # 4 cups, £8, 2 brands, lukewarm
    assert heavy.score > light.score + 40
    assert 0 <= light.score < heavy.score <= 100
    scores = {rid: score_involvement(defn, answers).score for rid, answers in demo.items()}
    assert max(scores, key=scores.__getitem__) == "R024"
    # Everyone terminated stopped before the involvement questions.
    assert all(scores[rid] == 0 for rid in TERMINATES)


def test_involvement_parts_explain_the_score(defn: ScreenerDefinition) -> None:
    result = score_involvement(defn, heavy_user())
    parts = {(p.question, p.item): p for p in result.parts}
    assert parts[("cups_per_week", None)] == Part(
        "cups_per_week",
        None,
        "behaviour",
        30,
        2.0,
        2.0,
        "30, capped at 28: 28/28 × weight 2 = 2.00",
    )
    assert parts[("spend_per_month", None)].note == "45: 45/60 × weight 1 = 0.75"
    assert parts[("brands_tried", None)].raw == 4
    reverse = parts[("attitudes", "any_will_do")]
    assert (reverse.raw, reverse.points, reverse.max_points) == (1, 1.0, 1.0)
    assert reverse.note == "1 (Strongly disagree), reverse-coded to 5: 4/4 × weight 1 = 1.00"
    assert parts[("attitudes", "explore")].max_points == 1.5
    earned = sum(p.points for p in result.parts)
    possible = sum(p.max_points for p in result.parts)
    assert result.score == round(100 * earned / possible, 1)
    # 2 + 0.75 + 4/6 behaviour, 1 + 1 + 1.5 + 0.75 + 1 attitude, of 4 + 5.5.
    assert result.score == pytest.approx(91.2, abs=0.05)


def test_attention_check_is_ignored(defn: ScreenerDefinition) -> None:
    answers = heavy_user()
    base = score_involvement(defn, answers)
    assert not any(p.item == "attention" for p in base.parts)
    answers["attitudes"] = answers["attitudes"] | {"attention": 1}
    assert score_involvement(defn, answers) == base


def test_skipped_and_unasked_questions_earn_nothing(defn: ScreenerDefinition) -> None:
    answers = heavy_user() | {"who_buys": "Someone else in my household"}
    del answers["spend_per_month"]
    parts = {p.question: p for p in score_involvement(defn, answers).parts if p.item is None}
    assert parts["spend_per_month"] == Part(
        "spend_per_month",
        None,
        "behaviour",
        None,
        0.0,
        1.0,
        "not asked: skipped by an earlier answer",
    )
    terminated = score_involvement(defn, {"industry": ["Market research"]})
    assert terminated.score == 0
    assert terminated.parts[0].note == "not asked: the screener ended at industry"


def test_none_like_option_left_out_of_a_count() -> None:
    defn = parse_screener(
        SKIPPY.replace(
            "      - {answers: [Dog], to: walks}\n",
            "      - {answers: [Dog], to: walks}\n    involvement: {kind: behaviour, max: 2}\n",
        ).replace("[Cat, Dog, None of these]", "[Cat, Dog, Fish, None of these]")
    )
    one = score_involvement(defn, {"pets": ["Cat", "Fish"], "cat_food": "x", "walks": 1})
    assert one.parts[0].raw == 2 and one.parts[0].points == 1.0
    none = score_involvement(defn, {"pets": ["None of these"]})
    assert none.parts[0].note == "0 chosen ('None of these' not counted): 0/2 × weight 1 = 0.00"
    assert none.score == 0


# -- quotas ----------------------------------------------------------------------------

BANDS = """\
screener: bands
target: {participants: 4, standbys: 2}
quotas:
  - name: band
    question: band
    cells:
      young: {min: 2, max: 2}
      old: {min: 1, max: 3}
questions:
  - id: band
    type: single_choice
    text: Which band?
    options: [young, old, other]
  - {id: task, type: creativity, text: Invent a toy.}
"""


def people(*rows: tuple[str, str, float, bool]) -> list[Candidate]:
    return [Candidate(cid, {"band": band}, score, ok) for cid, band, score, ok in rows]


def test_quotas_min_forcing_max_blocking_and_standbys() -> None:
    defn = parse_screener(BANDS)
    candidates = people(
        ("c1", "young", 90, True),
        ("c2", "young", 80, True),
        ("c3", "young", 70, True),  # young is full by then
        ("c4", "other", 60, True),
        ("c5", "other", 50, True),  # the last place is kept for the old minimum
        ("c6", "old", 40, True),
        ("c7", "old", 95, False),  # best score, but not eligible
        ("c8", "Old", 30, True),  # answers match cells ignoring case
    )
    result = fill_quotas(defn, candidates)
    assert result.accepted == ("c1", "c2", "c4", "c6")
    assert result.standbys == ("c5", "c8")  # c3 would break the young max again
    assert result.unplaced == (
        Unplaced("c7", "not eligible"),
        Unplaced(
            "c3",
            "band young full (2/2); standby places went to lower-ranked people within the"
            " quotas (band young 2/2)",
        ),
    )
    assert result.cells == (
        CellFill("band", "young", 2, 2, 2),
        CellFill("band", "old", 1, 3, 1),
    )
    # With nobody else left, standbys may go over a max; they stay in rank order.
    smaller = fill_quotas(defn, [c for c in candidates if c.id != "c8"])
    assert smaller.standbys == ("c3", "c5")
    # Without standbys, every reason shows.
    shorter = parse_screener(BANDS.replace("standbys: 2", "standbys: 0"))
    assert fill_quotas(shorter, candidates).unplaced == (
        Unplaced("c7", "not eligible"),
        Unplaced("c3", "band young full (2/2)"),
        Unplaced("c5", "1 place left, kept for minimums: band old 0/1"),
        Unplaced("c8", "all 4 places taken"),
    )


def test_quotas_are_deterministic() -> None:
    defn = parse_screener(BANDS)
    candidates = people(
        ("a", "young", 50, True),
        ("b", "young", 50, True),
        ("c", "old", 50, True),
        ("d", "other", 50, True),
        ("e", "young", 50, True),
        ("f", "other", 50, True),
    )
    first = fill_quotas(defn, candidates)
    shuffled = candidates[:]
    random.Random(7).shuffle(shuffled)
    assert fill_quotas(defn, shuffled) == first
    assert first.accepted == ("a", "b", "c", "d")  # ties go by id


def test_people_put_on_standby_are_not_waited_for_and_always_stand_by() -> None:
    defn = parse_screener(BANDS)
    candidates = [
        *people(
            ("a", "young", 90, True),
            ("b", "young", 80, True),
            ("c", "other", 70, True),
            ("d", "other", 60, True),
            ("x", "young", 55, True),
            ("y", "other", 50, True),
            ("z", "other", 45, True),
        ),
        Candidate("e", {"band": "old"}, 65, True, standby_only=True),
    ]
    result = fill_quotas(defn, candidates)
    # The only old person is on standby: the old minimum holds no place for them.
    assert result.accepted == ("a", "b", "c", "d")
    assert result.standbys == ("e", "y")  # e ahead of the fill's own pick; x is over a max
    # Someone put on standby stands by even in a full cell, and takes a standby spot.
    young = Candidate("w", {"band": "young"}, 40, True, standby_only=True)
    assert fill_quotas(defn, [*candidates, young]).standbys == ("e", "w")


def test_a_minimum_nobody_can_meet_holds_no_places() -> None:
    defn = parse_screener(BANDS)
    candidates = people(
        ("a", "young", 90, True),
        ("b", "other", 80, True),
        ("c", "other", 70, True),
        ("d", "young", 60, True),
        ("e", "other", 50, True),
    )
    result = fill_quotas(defn, candidates)
    # No one is old, so the old minimum keeps no place empty.
    assert result.accepted == ("a", "b", "c", "d")
    assert result.cells[1] == CellFill("band", "old", 1, 3, 0)
    assert result.standbys == ("e",)


def test_quotas_on_the_demo_respondents(
    defn: ScreenerDefinition, demo: dict[str, dict[str, Any]]
) -> None:
    candidates = [
        Candidate(
            rid,
            answers,
            score_involvement(defn, answers).score,
            evaluate(defn, answers).status == COMPLETE,
        )
        for rid, answers in demo.items()
    ]
    result = fill_quotas(defn, candidates)
    # By involvement alone: R033 (non-binary) takes the last 18-34 place, so the
    # 55+ women ranked above R040 wait for the 35-54 minimum to be met.
    assert result.accepted == ("R024", "R007", "R021", "R005", "R033", "R040")
    assert result.standbys == ("R011", "R034", "R022")
    for cell in result.cells:
        assert cell.min <= cell.filled <= cell.max, cell
    reasons = {u.id: u.reason for u in result.unplaced}
    assert reasons["R001"] == (
        "age band 18-34 full (3/3); standby places went to lower-ranked people within the"
        " quotas (age band 18-34 3/3)"
    )
    assert reasons["R013"] == "all 6 places taken; standby list full (3/3)"
    assert {rid for rid, reason in reasons.items() if reason == "not eligible"} == set(TERMINATES)
    assert len(result.accepted) + len(result.standbys) + len(result.unplaced) == 40
