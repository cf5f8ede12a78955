"""The one rule for matching an answer to an option: the file, the import, the interview
and the rules all name an option the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from ideation.screening.answers import label_point, normalise, option_named, same_answer
from ideation.screening.responses import read_responses
from ideation.screening.rules import evaluate, validate_answer
from ideation.screening.screener_yaml import ScreenerError, parse_screener

OPTIONS = ("Don't know", "Non-binary", "Several times a day", "Never")

SCREENER = """\
screener: one-rule
target: {participants: 2}
questions:
  - id: sure
    type: single_choice
    text: Would you take part?
    options: [Yes, "Don't know", No]
    terminate: {answers: [dont know, "NO"], reason: not willing}
  - id: grid
    type: rating
    text: How much do you agree?
    scale: 5
    labels: [Strongly disagree, Disagree, Neither, Agree, Strongly agree]
    items:
      - {id: likes, text: I like coffee}
      - {id: check, text: Please choose agree, attention_check: "  AGREE "}
  - {id: task, type: creativity, text: Uses for a mug?}
"""


@pytest.mark.parametrize(
    ("answer", "option"),
    [
        ("dont know", "Don't know"),
        ("DON’T KNOW", "Don't know"),
        ("non binary", "Non-binary"),
        ("  several   TIMES a day ", "Several times a day"),
        ("Ｎｅｖｅｒ", "Never"),  # full-width letters, as some phones type them
        ("never.", "Never"),
    ],
)
def test_an_answer_names_an_option_whatever_its_case_spacing_or_punctuation(
    answer: str, option: str
) -> None:
    assert option_named(answer, OPTIONS) == option
    assert same_answer(answer, option)


@pytest.mark.parametrize("answer", ["Sometimes", "", "2", 2, None, ["Never"]])
def test_anything_else_names_no_option(answer: object) -> None:
    assert option_named(answer, OPTIONS) is None


def test_labels_are_named_by_the_same_rule_and_give_their_point() -> None:
    labels = ("Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree")
    assert label_point(" strongly-AGREE ", labels) == 5
    assert label_point("agree", labels) == 4
    assert label_point("4", labels) is None


def test_normalise_keeps_words_apart() -> None:
    assert normalise("  Don't\tknow — N/A ") == "dont know n a"


def test_the_file_the_import_the_interview_and_the_rules_agree(tmp_path: Path) -> None:
    """A terminate answer and an attention check spelt loosely in the file name the same
    options as a loosely spelt cell in an export and a recruiter's typing."""
    defn = parse_screener(SCREENER, "one-rule.yaml")
    sure, grid, _ = defn.questions
    assert sure.terminate[0].answers == ("dont know", "NO")
    assert grid.items[1].attention_check == 4

    export = tmp_path / "export.csv"
    export.write_text(
        "id,sure,grid_likes,grid_check,task\n"
        "A,DON'T KNOW,5,agree,a pen pot\n"
        "B,yes,4,Agree,a plant pot\n",
        encoding="utf-8",
    )
    rows = {row.external_id: row for row in read_responses(export, defn.questions).rows}
    assert rows["A"].answers["sure"] == "Don't know"
    assert rows["A"].answers["grid"] == {"likes": 5, "check": 4}

    assert evaluate(defn, rows["A"].answers).terminate_reason == "not willing"
    assert evaluate(defn, rows["B"].answers).terminate_reason == ""
    assert validate_answer(sure, "dont  know") == "Don't know"


def test_options_the_rule_cannot_tell_apart_are_refused() -> None:
    text = SCREENER.replace('[Yes, "Don\'t know", No]', '[Yes, "Don\'t know", Dont know, No]')
    with pytest.raises(ScreenerError) as caught:
        parse_screener(text, "one-rule.yaml")
    assert str(caught.value) == (
        "one-rule.yaml:7: questions[0].options[2]: 'Dont know' is the same option as [1] "
        "'Don't know' (answers are matched ignoring case, spacing and punctuation)"
    )
