"""Data-quality flags: every kind, its reason, and the cases that must not be flagged."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ruamel.yaml import YAML
from stand_ins import Item, Question, home_coffee

from ideation.screening import quality
from ideation.screening.quality import (
    FLAG_KINDS,
    Flag,
    email_key,
    gibberish_reason,
    near_pairs,
    phone_key,
    quality_flags,
)
from ideation.screening.responses import read_responses

ROOT = Path(__file__).parent.parent
LABELS = ("Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree")


@dataclass(frozen=True)
class Person:
    id: str
    answers: dict[str, Any] = field(default_factory=dict)
    duration_seconds: float | None = 600.0
    contact: dict[str, str] = field(default_factory=dict)
    fraud: dict[str, Any] = field(default_factory=dict)
    status: str = "complete"


GRID = Question(
    "attitudes",
    "rating",
    "How much do you agree or disagree with each of these?",
    items=(
        Item("passion", "I really look forward to my first coffee of the day"),
        Item("ritual", "Making coffee is a small ritual I enjoy"),
        Item("explore", "I like trying new beans, blends or ways of brewing"),
        Item("talk", "I often talk about coffee with friends or family"),
        Item("attention", "Please choose 'Agree' for this line", attention_check=4),
        Item("any_will_do", "Any kind will do", reverse=True),
    ),
    labels=LABELS,
    scale=5,
)
ANIMAL = Question(
    "brand_animal",
    "creativity",
    "If your favourite coffee were an animal, which animal would it be, and why?",
)
MUGS = Question("mug_uses", "creativity", "List as many unusual uses for a coffee mug as you can.")
JOB = Question("job", "short_text", "What is your job?")
QUESTIONS = [GRID, ANIMAL, MUGS, JOB]

VARIED = {"passion": 5, "ritual": 4, "explore": 4, "talk": 3, "attention": 4, "any_will_do": 2}


def kinds(flags: dict[Any, list[Flag]], person: str) -> list[str]:
    return [flag.kind for flag in flags[person]]


def reasons(flags: dict[Any, list[Flag]], person: str, kind: str) -> list[str]:
    return [flag.reason for flag in flags[person] if flag.kind == kind]


def test_every_respondent_gets_a_list_even_when_clean() -> None:
    people = [Person("A", {"attitudes": VARIED}), Person("B")]

    assert quality_flags(people, QUESTIONS) == {"A": [], "B": []}


# --------------------------------------------------------------------------- speeder


def batch(durations: list[float]) -> list[Person]:
    return [Person(f"P{n:02}", duration_seconds=d) for n, d in enumerate(durations)]


def test_speeder_is_under_a_third_of_the_batch_median() -> None:
    people = batch([600.0] * 18 + [88.0, 250.0])  # median 600, limit 198

    flags = quality_flags(people, QUESTIONS)

    assert reasons(flags, "P18", "speeder") == [
        "took 88 s; batch median 600 s (speeders take under 198 s)"
    ]
    assert flags["P19"] == []  # fast, but not a speeder
    assert sum(len(found) for found in flags.values()) == 1


def test_no_speeders_until_the_batch_is_big_enough() -> None:
    people = batch([600.0] * 18 + [88.0])  # 19 durations

    assert quality_flags(people, QUESTIONS)["P18"] == []
    assert kinds(quality_flags(people, QUESTIONS, speed_min_batch=19), "P18") == ["speeder"]


def test_terminated_and_untimed_people_neither_count_nor_get_flagged() -> None:
    people = batch([600.0] * 20) + [
        Person("T", duration_seconds=30.0, status="terminated"),
        Person("U", duration_seconds=None),
    ]
    people += [Person(f"T{n}", duration_seconds=20.0, status="terminated") for n in range(30)]

    flags = quality_flags(people, QUESTIONS)

    assert all(found == [] for found in flags.values())


def test_speeder_fraction_is_a_parameter() -> None:
    people = batch([600.0] * 19 + [250.0])

    assert kinds(quality_flags(people, QUESTIONS, speeder_fraction=0.5), "P19") == ["speeder"]


# --------------------------------------------------------------------------- straightliner


def test_straightliner_gives_every_statement_the_same_answer() -> None:
    same = dict.fromkeys(VARIED, 3)
    flags = quality_flags([Person("S", {"attitudes": same})], QUESTIONS)

    assert reasons(flags, "S", "straightliner") == [
        'gave all 5 statements of attitudes the same answer ("Neither"), '
        "reverse-worded ones included"
    ]


def test_passing_the_attention_check_does_not_hide_straightlining() -> None:
    answers = dict.fromkeys(VARIED, 5) | {"attention": 4}
    flags = quality_flags([Person("S", {"attitudes": answers})], QUESTIONS)

    assert kinds(flags, "S") == ["straightliner"]


@pytest.mark.parametrize(
    "answers",
    [
        VARIED,
        {"passion": 4, "ritual": 4, "explore": 4, "attention": 4},  # only 3 statements answered
        {},
    ],
    ids=["varied", "too few answered", "empty"],
)
def test_not_straightlining(answers: dict[str, int]) -> None:
    flags = quality_flags([Person("V", {"attitudes": answers})], QUESTIONS)
    assert "straightliner" not in kinds(flags, "V")


def test_grids_under_four_statements_are_not_checked() -> None:
    small = Question(
        "small", "rating", "Rate", items=(Item("a", "A"), Item("b", "B"), Item("c", "C"))
    )
    flags = quality_flags([Person("V", {"small": {"a": 2, "b": 2, "c": 2}})], [small])

    assert flags["V"] == []


# --------------------------------------------------------------------------- attention check


def test_attention_check_answered_wrongly() -> None:
    answers = VARIED | {"attention": 3}
    flags = quality_flags([Person("A", {"attitudes": answers})], QUESTIONS)

    assert reasons(flags, "A", "attention_check") == [
        'answered "Neither" to the attention check in attitudes; it asked for "Agree"'
    ]


def test_attention_check_left_blank() -> None:
    answers = {key: value for key, value in VARIED.items() if key != "attention"}
    flags = quality_flags([Person("A", {"attitudes": answers})], QUESTIONS)

    assert reasons(flags, "A", "attention_check") == [
        'left the attention check in attitudes blank; it asked for "Agree"'
    ]


def test_attention_check_passed_or_never_reached() -> None:
    people = [Person("OK", {"attitudes": VARIED}), Person("TERMINATED", {"industry": ["PR"]})]

    flags = quality_flags(people, QUESTIONS)

    assert flags == {"OK": [], "TERMINATED": []}


def test_attention_check_named_by_label_in_the_file() -> None:
    """A screener may name the demanded answer by its label; the check asks for its point."""
    grid = next(q for q in home_coffee() if q.type == "rating")
    check = next(item for item in grid.items if item.attention_check is not None)
    wanted = grid.labels.index("Agree") + 1
    assert "Agree" in check.text and check.attention_check == wanted
    others = {item.id: 2 + i % 3 for i, item in enumerate(grid.items)}
    people = [
        Person("RIGHT", {grid.id: others | {check.id: wanted}}),
        Person("WRONG", {grid.id: others | {check.id: wanted + 1}}),
    ]

    flags = quality_flags(people, [grid])

    assert "attention_check" not in kinds(flags, "RIGHT")
    assert reasons(flags, "WRONG", "attention_check") == [
        f'answered "Strongly agree" to the attention check in {grid.id}; it asked for "Agree"'
    ]


def test_attention_check_by_number_without_labels() -> None:
    grid = Question(
        "g",
        "rating",
        "Rate",
        items=(Item("a", "A"), Item("check", "Pick 2", attention_check=2)),
        scale=5,
    )
    people = [
        Person("RIGHT", {"g": {"a": 4, "check": 2}}),
        Person("WRONG", {"g": {"a": 4, "check": 5}}),
    ]

    flags = quality_flags(people, [grid])

    assert flags["RIGHT"] == []
    assert reasons(flags, "WRONG", "attention_check") == [
        "answered 5 to the attention check in g; it asked for 2"
    ]


# --------------------------------------------------------------------------- gibberish


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("asdfgh", '"asdfgh" looks like keyboard mashing'),
        ("jkjkjk", '"jkjkjk" looks like keyboard mashing'),
        ("sdfkjh lkj", '"sdfkjh lkj" looks like keyboard mashing'),
        ("qwerty", '"qwerty" looks like keyboard mashing'),
        ("x", '"x" is too short to be an answer'),
        ("??", '"??" is too short to be an answer'),
        ("n/a", '"n/a" is a non-answer'),
        ("N/A.", '"N/A." is a non-answer'),
        ("idk", '"idk" is a non-answer'),
        ("I don't know", '"I don\'t know" is a non-answer'),
        ("good", '"good" is a non-answer'),
        ("good good", '"good good" is a non-answer'),
        ("aaaaaa", '"aaaaaa" is one or two characters repeated'),
        ("hahahaha", '"hahahaha" is one or two characters repeated'),
        ("xkcd", '"xkcd" has no vowels'),
        (
            "If your favourite coffee were an animal, which animal would it be",
            '"If your favourite coffee were an animal…" repeats the question',
        ),
        ("which animal would it be", '"which animal would it be" repeats the question'),
    ],
)
def test_gibberish(answer: str, reason: str) -> None:
    assert gibberish_reason(answer, ANIMAL.text) == reason
    flags = quality_flags([Person("G", {"brand_animal": answer})], QUESTIONS)
    assert reasons(flags, "G", "gibberish") == [f"brand_animal: {reason}"]


@pytest.mark.parametrize(
    "answer",
    [
        "dog",
        "ox",
        "Bull. Strong.",
        "lion",
        "pens",
        "cup\nbowl",
        "A sloth, because I drink it slowly.",
        "flask",  # home-row letters, but a word
        "glass jar",
        "Rhythm",
        "熊猫，因为它很可爱",  # no Latin letters, so no vowels to look for
        "Ein Bär — stark und gemütlich",
        "A hummingbird — tiny, fast, and it goes straight for the sweet stuff.",
    ],
)
def test_genuine_short_or_foreign_answers_are_not_gibberish(answer: str) -> None:
    assert gibberish_reason(answer, ANIMAL.text) is None
    assert quality_flags([Person("G", {"brand_animal": answer})], QUESTIONS)["G"] == []


def test_short_text_questions_are_not_checked_for_gibberish() -> None:
    flags = quality_flags([Person("J", {"job": "n/a"})], QUESTIONS)
    assert flags["J"] == []


def test_gibberish_is_flagged_per_question() -> None:
    flags = quality_flags(
        [Person("G", {"brand_animal": "good", "mug_uses": "asdf jkl"})], QUESTIONS
    )

    assert reasons(flags, "G", "gibberish") == [
        'brand_animal: "good" is a non-answer',
        'mug_uses: "asdf jkl" looks like keyboard mashing',
    ]


# --------------------------------------------------------------------------- duplicate open ends

CAT = "A cat because it is warm and cosy and always does what it wants."


def test_same_open_end_as_another_respondent() -> None:
    people = [
        Person("R016", {"brand_animal": CAT}),
        Person(
            "R027",
            {"brand_animal": "a cat, because it is warm and COSY and always does what it wants"},
        ),
        Person(
            "R030", {"brand_animal": "A dolphin, because it is sociable and chatty in a group."}
        ),
    ]

    flags = quality_flags(people, QUESTIONS)

    assert reasons(flags, "R016", "duplicate_open_end") == ["same answer to brand_animal as R027"]
    assert reasons(flags, "R027", "duplicate_open_end") == ["same answer to brand_animal as R016"]
    assert flags["R030"] == []


def test_short_generic_answers_alike_are_not_duplicates() -> None:
    people = [Person("A", {"mug_uses": "pen holder"}), Person("B", {"mug_uses": "Pen holder."})]
    people += [
        Person("C", {"mug_uses": "a plant pot for herbs"}),
        Person("D", {"mug_uses": "a plant pot for herbs"}),
    ]

    assert all(found == [] for found in quality_flags(people, QUESTIONS).values())


def test_the_same_respondent_twice_in_one_question_is_not_a_duplicate() -> None:
    people = [Person("A", {"brand_animal": CAT}), Person("B", {"mug_uses": CAT})]

    assert all(found == [] for found in quality_flags(people, QUESTIONS).values())


def test_near_duplicates_by_cosine_when_vectors_are_given() -> None:
    near = "Waking up to the smell of fresh coffee already made, with no mess afterwards."
    people = [
        Person("A", {"brand_animal": near}),
        Person("B", {"brand_animal": near.replace("afterwards", "after")}),
        Person(
            "C", {"brand_animal": "An owl, because it is wise and it is always up late at night."}
        ),
    ]
    base = np.array([1.0, 0.0, 0.0])
    vectors = {
        ("A", "brand_animal"): base,
        ("B", "brand_animal"): np.array([0.97, 0.2, 0.0]) * 3.0,  # unnormalised on purpose
        ("C", "brand_animal"): np.array([0.8, 0.6, 0.0]),  # cosine 0.80
    }

    flags = quality_flags(people, QUESTIONS, vectors)
    without = quality_flags(people, QUESTIONS)

    assert reasons(flags, "A", "duplicate_open_end") == [
        "nearly the same answer to brand_animal as B (cosine 0.98)"
    ]
    assert kinds(flags, "B") == ["duplicate_open_end"]
    assert flags["C"] == []
    assert all(found == [] for found in without.values())
    assert quality_flags(people, QUESTIONS, vectors, near_duplicate_cosine=0.99)["A"] == []


def test_one_person_twice_is_a_duplicate_respondent_not_two_copiers() -> None:
    wish = "Waking up to the smell of fresh coffee already made, with no mess afterwards."
    people = [
        Person("A", {"brand_animal": wish}, contact={"email": "maya@example.com"}),
        Person("C", {"brand_animal": wish}, contact={"phone": "+44 7700 900123"}),
        # B shares A's email and C's phone: the same person as each, but A and C are not
        Person(
            "B",
            {"brand_animal": wish},
            contact={"email": "MAYA@example.com ", "phone": "07700 900123"},
        ),
    ]

    flags = quality_flags(people, QUESTIONS)

    assert reasons(flags, "A", "duplicate_open_end") == ["same answer to brand_animal as C"]
    assert reasons(flags, "C", "duplicate_open_end") == ["same answer to brand_animal as A"]
    assert kinds(flags, "B") == ["duplicate_respondent"]


def test_one_person_twice_is_not_a_near_copier_either() -> None:
    wish = "Waking up to the smell of fresh coffee already made, with no mess afterwards."
    people = [
        Person("FIRST", {"brand_animal": wish}, contact={"email": "maya@example.com"}),
        Person("AGAIN", {"brand_animal": wish + " Really."}, contact={"email": "maya@example.com"}),
    ]
    vectors = {(p.id, "brand_animal"): np.array([1.0, 0.0]) for p in people}

    flags = quality_flags(people, QUESTIONS, vectors)

    assert flags["FIRST"] == [] and kinds(flags, "AGAIN") == ["duplicate_respondent"]


def test_near_duplicates_ignore_short_answers_even_with_vectors() -> None:
    people = [Person("A", {"brand_animal": "a dog"}), Person("B", {"brand_animal": "a puppy"})]
    vectors = {(p.id, "brand_animal"): np.array([1.0, 0.0]) for p in people}

    assert all(found == [] for found in quality_flags(people, QUESTIONS, vectors).values())


def test_near_pairs_across_blocks_match_every_pair_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    vectors = {f"R{n}": rng.standard_normal(3) for n in range(23)}
    keys = list(vectors)
    unit = {k: v / np.linalg.norm(v) for k, v in vectors.items()}
    expected = {
        (a, b) for i, a in enumerate(keys) for b in keys[i + 1 :] if float(unit[a] @ unit[b]) >= 0.8
    }
    monkeypatch.setattr(quality, "_PAIR_BLOCK", 4)  # six blocks, the last one short

    found = near_pairs(vectors, 0.8)

    assert expected and {(a, b) for a, b, _ in found} == expected
    assert len(found) == len(expected)
    assert all(score >= 0.8 - 1e-6 for _, _, score in found)


# --------------------------------------------------------------------------- duplicate respondents


def test_same_email_ignoring_case_spaces_and_gmail_dots() -> None:
    people = [
        Person("R001", contact={"email": "maya.brennan@gmail.com", "phone": "+44 7700 900123"}),
        Person(
            "R029",
            contact={"email": " MayaBrennan+screener@googlemail.com", "phone": "+44 7700 900124"},
        ),
        Person("R030", contact={"email": "dev.patel@example.com", "phone": "+44 7700 900918"}),
    ]

    flags = quality_flags(people, QUESTIONS)

    assert flags["R001"] == []  # the first sign-up stays clean
    assert reasons(flags, "R029", "duplicate_respondent") == ["same email as R001"]
    assert flags["R030"] == []


def test_same_phone_in_another_format() -> None:
    people = [
        Person("A", contact={"email": "a@example.com", "phone": "+44 7700 900123"}),
        Person("B", contact={"email": "b@example.com", "phone": "07700-900-123"}),
        Person("C", contact={"email": "a@example.com", "phone": "(07700) 900123"}),
    ]

    flags = quality_flags(people, QUESTIONS)

    assert reasons(flags, "B", "duplicate_respondent") == ["same phone number as A"]
    assert reasons(flags, "C", "duplicate_respondent") == ["same email and phone number as A"]


def test_dots_matter_outside_gmail() -> None:
    assert email_key("Jo.Smith@Example.com ") == "jo.smith@example.com"
    assert email_key("jo.smith@example.com") != email_key("josmith@example.com")
    assert email_key("J.O.Smith+x@gmail.com") == "josmith@gmail.com"
    assert phone_key("+44 (0)7700 900123") == phone_key("07700900123")
    assert phone_key("123") == ""  # too short to identify anybody


def test_contact_fields_may_be_attributes() -> None:
    @dataclass(frozen=True)
    class Row:
        id: int
        external_id: str
        email: str
        answers: dict[str, Any] = field(default_factory=dict)
        duration_seconds: float | None = None

    people = [Row(1, "R001", "a@example.com"), Row(2, "R002", "A@example.com")]

    flags = quality_flags(people, QUESTIONS)

    assert flags == {1: [], 2: [Flag("duplicate_respondent", "same email as R001")]}


# --------------------------------------------------------------------------- fraud


def test_fraud_signals_from_the_survey_tool() -> None:
    people = [
        Person("BOT", fraud={"recaptcha": 0.3, "duplicate": True}),
        Person("SCORE", fraud={"recaptcha": 0.9, "fraud_score": 45.0}),
        Person("OK", fraud={"recaptcha": 0.5, "duplicate": False, "fraud_score": 5.0}),
        Person("NONE"),
    ]

    flags = quality_flags(people, QUESTIONS)

    assert reasons(flags, "BOT", "fraud") == [
        "reCAPTCHA score 0.3, under 0.5; the survey tool marked it a duplicate response"
    ]
    assert reasons(flags, "SCORE", "fraud") == ["RelevantID fraud score 45 (30 or more)"]
    assert flags["OK"] == [] and flags["NONE"] == []


# --------------------------------------------------------------------------- end to end


def test_flags_on_an_imported_qualtrics_batch() -> None:
    questions = home_coffee()
    rows = read_responses(ROOT / "tests" / "data" / "qualtrics_home_coffee.csv", questions).rows

    flags = quality_flags(rows, questions, speed_min_batch=5)

    assert {rid: kinds(flags, rid) for rid in flags} == {
        # the bot copied Maya's morning wish under her email: it is her duplicate, and she
        # keeps her place
        "R_1OwhT3kLmQpZb7x": [],
        "R_2Ja9cVnB4xYtRe1": ["speeder"],
        "R_3PqLm8sWd2KfGh0": [],
        "R_4ZxCv7bNm1AsDf2": ["straightliner", "attention_check"],
        "R_5BoTtYfArMfR9q3": [
            "gibberish",
            "gibberish",
            "duplicate_respondent",
            "fraud",
        ],
        "R_6SoPhiEaLdR1dGe": [],  # fast (88 s) and brief, but neither a speeder nor gibberish
    }
    assert reasons(flags, "R_5BoTtYfArMfR9q3", "duplicate_respondent") == [
        "same email as R_1OwhT3kLmQpZb7x"
    ]
    assert reasons(flags, "R_2Ja9cVnB4xYtRe1", "speeder") == [
        "took 41 s; batch median 178 s (speeders take under 59 s)"
    ]
    assert set(kind for found in flags.values() for kind in (f.kind for f in found)) <= set(
        FLAG_KINDS
    )


def test_flags_on_the_demo_respondents() -> None:
    """The demo study plants one of each problem; the checks must find them and no more."""
    questions = home_coffee()
    demo = YAML(typ="safe").load(
        (ROOT / "ideation" / "demo" / "respondents.yaml").read_text("utf-8")
    )
    people = [
        Person(
            d["id"],
            d.get("answers", {}),
            d.get("duration_seconds"),
            d.get("contact", {}),
            status="complete" if "rank_features" in d.get("answers", {}) else "terminated",
        )
        for d in demo
    ]

    flags = quality_flags(people, questions)

    assert reasons(flags, "R006", "speeder") == [
        "took 88 s; batch median 598 s (speeders take under 197 s)"
    ]
    assert kinds(flags, "R019") == ["straightliner", "attention_check"]
    assert kinds(flags, "R021") == ["gibberish"] * 3
    assert reasons(flags, "R029", "duplicate_respondent") == ["same email as R001"]
    assert "duplicate_open_end" in kinds(flags, "R016") and "duplicate_open_end" in kinds(
        flags, "R027"
    )
    assert flags["R001"] == [] and flags["R004"] == []  # "Bull. Strong." is brief, not gibberish


def test_importing_quality_does_not_import_numpy() -> None:
    code = "import sys, json, ideation.screening.quality; print(json.dumps('numpy' in sys.modules))"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(output) is False
