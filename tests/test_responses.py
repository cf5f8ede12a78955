"""Reading survey exports: every format, encoding and error path, against the example screener."""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from stand_ins import Question, home_coffee

from ideation.screening.answers import normalise
from ideation.screening.responses import (
    ContactDetails,
    ImportedBatch,
    ResponseFileError,
    detect_format,
    read_responses,
)
from ideation.screening.responses.cells import match_option, scale_value

DATA = Path(__file__).parent / "data"
GRID = "How much do you agree or disagree with each of these?"
BRANDS = "Which of these have you bought for home in the last year? Choose all that apply."


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return home_coffee()


def by_id(batch: ImportedBatch) -> dict[str, Any]:
    return {row.external_id: row for row in batch.rows}


def with_column(questions: list[Question], qid: str, column: Any) -> list[Question]:
    return [replace(q, column=column) if q.id == qid else q for q in questions]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


# --------------------------------------------------------------------------- Qualtrics


def test_qualtrics_export_is_detected_and_every_row_read(questions: list[Question]) -> None:
    batch = read_responses(DATA / "qualtrics_home_coffee.csv", questions)

    assert batch.format == "qualtrics"
    assert batch.encoding == "utf-8"
    # Data starts on line 4; Maya's four-line mug uses push the next record to line 8.
    assert [row.row for row in batch.rows] == [4, 8, 9, 12, 14, 15]
    assert batch.unmatched_columns == ("Q16",)  # "How did you hear about this study?"
    assert batch.missing_questions == ()


def test_a_file_for_another_survey_is_refused(questions: list[Question], tmp_path: Path) -> None:
    other = write_csv(tmp_path / "other.csv", [["foo", "bar"], ["1", "2"]])
    with pytest.raises(ResponseFileError, match=r"other.csv:1: expected columns named by"):
        read_responses(other, questions)


def test_qualtrics_answers_take_the_screener_shapes(questions: list[Question]) -> None:
    maya = by_id(read_responses(DATA / "qualtrics_home_coffee.csv", questions))["R_1OwhT3kLmQpZb7x"]

    assert maya.answers == {
        "industry": ["None of these"],
        "last_research": "Over a year ago",
        "age": 29,
        "age_band": "18-34",
        "gender": "Woman",
        "coffee_at_home": "Several times a day",
        "cups_per_week": 16,
        "who_buys": "I do",
        "spend_per_month": 28,  # exported as " 28.0 "
        "brands_tried": [
            "Brewline",
            "Supermarket own-label",
            "A local or independent roaster",
            "Café-chain pods or beans",
        ],
        "attitudes": {
            "passion": 5,
            "ritual": 5,
            "explore": 4,
            "talk": 4,
            "attention": 4,
            "any_will_do": 1,
        },
        "mug_uses": "a tiny greenhouse for a seedling\npen holder\n"
        "a drum when it's upside down\na nightlight with a tealight inside",
        "brand_animal": "An otter — playful in the morning, but it knows exactly what it's doing.",
        "morning_wish": "I'd like the kitchen to wake up before me: the lights come on low, "
        "the grinder goes, and there's a cup on the windowsill in the sun by the time I come "
        "downstairs ☕",
        "rank_features": [
            "Taste",
            "The ritual of making it",
            "Convenience",
            "Sustainability",
            "Price",
        ],
    }


def test_qualtrics_metadata_contact_and_fraud_are_kept_apart(questions: list[Question]) -> None:
    rows = by_id(read_responses(DATA / "qualtrics_home_coffee.csv", questions))
    maya, bot = rows["R_1OwhT3kLmQpZb7x"], rows["R_5BoTtYfArMfR9q3"]

    assert maya.duration_seconds == 655.0
    assert maya.finished is True
    assert maya.contact == ContactDetails(
        "Maya Brennan", "maya.brennan@example.com", "+44 7700 900123"
    )
    assert maya.metadata["StartDate"] == "2026-01-12 09:02:11"
    assert maya.metadata["Status"] == "IP Address"
    # IP address and location are personal data with no use in recruiting: not kept.
    assert not {"IPAddress", "LocationLatitude", "LocationLongitude"} & set(maya.metadata)
    assert "Maya" not in str(maya.answers) and "example.com" not in str(maya.answers)
    assert maya.id == maya.external_id
    assert bot.fraud == {
        "recaptcha": 0.2,
        "duplicate": True,
        "duplicate_score": 0.0,
        "fraud_score": 75.0,
    }
    assert bot.contact.email == "Maya.Brennan@Example.com"  # stripped, otherwise as typed


def test_qualtrics_open_ends_keep_line_breaks_and_emoji(questions: list[Question]) -> None:
    priya = by_id(read_responses(DATA / "qualtrics_home_coffee.csv", questions))[
        "R_3PqLm8sWd2KfGh0"
    ]

    # The cell's CRLF line breaks come back as plain newlines.
    assert priya.answers["mug_uses"].split("\n") == [
        "plant pot for herbs on the windowsill",
        "holding hair ties and rings by the sink",
        "a bell if you hang it and hit it with a spoon",
    ]
    assert "🐼" in priya.answers["brand_animal"]


def test_qualtrics_terminated_respondent_has_only_what_they_answered(
    questions: list[Question],
) -> None:
    daniel = by_id(read_responses(DATA / "qualtrics_home_coffee.csv", questions))[
        "R_2Ja9cVnB4xYtRe1"
    ]

    assert daniel.answers == {"industry": ["Marketing or advertising", "Market research"]}
    assert daniel.duration_seconds == 41.0


def test_qualtrics_numeric_choice_codes_map_to_options(
    tmp_path: Path, questions: list[Question]
) -> None:
    path = write_csv(
        tmp_path / "numeric.csv",
        [
            ["ResponseId", "Q4", "Q5"],
            ["Response ID", "Which age group are you in?", "How do you describe yourself?"],
            ['{"ImportId":"_recordId"}', '{"ImportId":"QID4"}', '{"ImportId":"QID5"}'],
            ["R_1", "2", "1"],
        ],
    )

    batch = read_responses(path, questions)

    assert batch.rows[0].answers == {"age_band": "35-54", "gender": "Woman"}


def test_qualtrics_item_first_grid_columns_with_a_truncated_item(
    tmp_path: Path, questions: list[Question]
) -> None:
    """'Item… - Block title' as some Qualtrics exports word a grid row."""
    path = write_csv(
        tmp_path / "item_first.csv",
        [
            ["ResponseId", "Q11_3", "Q11_1"],
            [
                "Response ID",
                "I like trying new beans, blends… - Coffee attitudes",
                "I really look forward to my first coffee of the day - Coffee attitudes",
            ],
            ['{"ImportId":"_recordId"}', '{"ImportId":"QID11_3"}', '{"ImportId":"QID11_1"}'],
            ["R_1", "Strongly agree", "Disagree"],
        ],
    )

    batch = read_responses(path, questions)

    assert batch.rows[0].answers == {"attitudes": {"passion": 2, "explore": 5}}


# --------------------------------------------------------------------------- legacy Qualtrics


def test_legacy_qualtrics_with_bom(questions: list[Question]) -> None:
    batch = read_responses(DATA / "qualtrics_legacy.csv", questions)

    assert batch.format == "qualtrics-legacy"
    assert batch.encoding == "utf-8-sig"
    assert [row.row for row in batch.rows] == [3, 5, 6]
    assert batch.unmatched_columns == ()
    assert set(batch.missing_questions) == {
        "last_research",
        "age_band",
        "coffee_at_home",
        "cups_per_week",
        "who_buys",
        "spend_per_month",
        "brand_animal",
        "morning_wish",
    }
    kwame = batch.rows[0]
    assert kwame.external_id == "R_aB3dE5gH7jK9mN1"
    assert kwame.contact == ContactDetails("Kwame Mensah", "kwame.mensah@example.com", "")
    assert kwame.duration_seconds == 589.0  # no duration column: EndDate - StartDate
    assert kwame.metadata["StartDate"] == "2015-06-03 18:00:05"  # by row-2 name, not "V8"
    assert kwame.answers["brands_tried"] == ["Roastwell", "Kettlebury"]  # one "1" column each
    assert kwame.answers["attitudes"] == {
        "passion": 5,
        "ritual": 4,
        "explore": 4,
        "talk": 3,
        "attention": 4,
        "any_will_do": 2,
    }
    assert kwame.answers["mug_uses"] == "doorstop\nbird bath for sparrows"
    assert batch.rows[1].answers["rank_features"] == [
        "Convenience",
        "Taste",
        "Sustainability",
        "Price",
        "The ritual of making it",
    ]
    assert batch.rows[2].answers == {"industry": ["Journalism or PR"]}


# --------------------------------------------------------------------------- SurveyMonkey


def test_surveymonkey_multi_column_questions(questions: list[Question]) -> None:
    batch = read_responses(DATA / "surveymonkey.csv", questions)

    assert batch.format == "surveymonkey"
    # The brands question's "Other (please specify)" text is not an option of the screener.
    assert len(batch.unmatched_columns) == 1
    assert batch.unmatched_columns[0].endswith("/ Other (please specify)")
    grace, dev, samir = batch.rows
    assert grace.external_id == "114233445566"
    assert grace.contact == ContactDetails("Grace Oyelaran", "grace.oyelaran@example.com", "")
    assert grace.metadata["Collector ID"] == "431234567"
    assert grace.answers == {
        "industry": ["None of these"],
        "last_research": "Over a year ago",
        "age": 33,
        "gender": "Woman",
        "brands_tried": ["Brewline", "Morning Harbour"],
        "attitudes": {
            "passion": 4,
            "ritual": 4,
            "explore": 4,
            "talk": 4,
            "attention": 4,
            "any_will_do": 2,
        },
        # Matched though the export truncated the question text with an ellipsis.
        "mug_uses": "a mould for jelly\nholding paintbrushes while they dry",
        "rank_features": [
            "Taste",
            "Sustainability",
            "Convenience",
            "Price",
            "The ritual of making it",
        ],
    }
    assert samir.answers == {"industry": ["Market research", "Journalism or PR"]}


def test_surveymonkey_durations_come_from_start_and_end(questions: list[Question]) -> None:
    grace, dev, samir = read_responses(DATA / "surveymonkey.csv", questions).rows

    assert grace.duration_seconds == 637.0
    assert dev.duration_seconds == 225.0  # 11:58:00 AM to 12:01:45 PM
    assert samir.duration_seconds == 39.0


# --------------------------------------------------------------------------- plain


def test_plain_windows_1252_file(questions: list[Question]) -> None:
    batch = read_responses(DATA / "plain_cp1252.csv", questions)

    assert batch.format == "plain"
    assert batch.encoding == "cp1252"
    zoe, rhys = batch.rows
    assert zoe.external_id == "P01"
    assert zoe.contact == ContactDetails("Zoë Laurent", "zoe.laurent@example.com", "07700 900501")
    assert zoe.duration_seconds == 512.0
    assert zoe.answers["brand_animal"] == "A cat — independent, and it owns the café window seat"
    # "; "-separated, returned in the question's option order.
    assert zoe.answers["brands_tried"] == [
        "A local or independent roaster",
        "Café-chain pods or beans",
    ]
    assert rhys.answers["brand_animal"].endswith("costs me £30 a month")


def test_plain_file_with_bom_keeps_its_first_column(questions: list[Question]) -> None:
    batch = read_responses(DATA / "plain_bom.csv", questions)

    assert batch.encoding == "utf-8-sig"
    assert [row.external_id for row in batch.rows] == ["B1", "B2"]  # not "\ufeffid"
    assert batch.rows[0].answers == {"age": 40, "gender": "Man"}  # "How old are you?" by text


def test_plain_file_by_id_and_text_with_blank_lines_and_trailing_columns(
    questions: list[Question],
) -> None:
    batch = read_responses(DATA / "plain.csv", questions)

    assert batch.format == "plain"
    assert [row.row for row in batch.rows] == [2, 6, 7]  # a 3-line cell, then a blank line
    assert batch.unmatched_columns == ()  # the two trailing empty columns are ignored
    jonas = batch.rows[0]
    assert jonas.contact == ContactDetails(
        "Jonas Becker", "jonas.becker@example.com", "+44 7700 900547"
    )
    assert jonas.answers["age"] == 39  # " 39 "
    assert jonas.answers["attitudes"] == {  # attitudes_passion, attitudes.explore, attitudes[talk]
        "passion": 5,
        "ritual": 5,
        "explore": 3,
        "talk": 2,
        "attention": 4,
        "any_will_do": 1,
    }
    assert jonas.answers["rank_features"] == [
        "Taste",
        "Price",
        "Convenience",
        "The ritual of making it",
        "Sustainability",
    ]
    assert batch.rows[1].answers["attitudes"]["attention"] == 4  # the label "Agree"


def test_huge_cells_and_crlf(tmp_path: Path, questions: list[Question]) -> None:
    essay = "a mug of tea and " * 20_000  # ~340 KB, over csv's default 128 KiB limit
    path = tmp_path / "huge.csv"
    path.write_bytes(f'id,mug_uses\r\nH1,"{essay}\r\nthe end"\r\n\r\n'.encode())
    limit_before = csv.field_size_limit()

    batch = read_responses(path, questions)

    assert batch.rows[0].answers["mug_uses"] == essay + "\nthe end"
    assert csv.field_size_limit() == limit_before  # the global limit is restored


# --------------------------------------------------------------------------- matching


def test_column_overrides_win(tmp_path: Path, questions: list[Question]) -> None:
    path = write_csv(
        tmp_path / "overrides.csv",
        [
            ["id", "Age (years)", "How old are you?", "love_it", "ritual_q", "fav"],
            ["O1", "41", "99", "5", "2", "Owl"],
        ],
    )
    overridden = with_column(questions, "age", "Age (years)")
    overridden = with_column(overridden, "attitudes", {"passion": "love_it", "ritual": "ritual_q"})
    overridden = with_column(overridden, "brand_animal", "FAV")  # names match case-insensitively

    batch = read_responses(path, overridden)

    assert batch.rows[0].answers == {
        "age": 41,
        "attitudes": {"passion": 5, "ritual": 2},
        "brand_animal": "Owl",
    }
    assert batch.unmatched_columns == ("How old are you?",)


def test_override_with_a_qualtrics_base_takes_parts_by_position(
    tmp_path: Path, questions: list[Question]
) -> None:
    path = write_csv(
        tmp_path / "base.csv",
        [
            ["ResponseId", "Q9_1", "Q9_2", "Q9_3", "Q9_4", "Q9_5"],
            ["Response ID", "Order - 1", "Order - 2", "Order - 3", "Order - 4", "Order - 5"],
            ['{"ImportId":"_recordId"}'] + [f'{{"ImportId":"QID9_{n}"}}' for n in range(1, 6)],
            ["R_1", "5", "4", "3", "2", "1"],
        ],
    )

    batch = read_responses(path, with_column(questions, "rank_features", "Q9"))

    assert batch.rows[0].answers["rank_features"] == [
        "The ritual of making it",
        "Sustainability",
        "Price",
        "Convenience",
        "Taste",
    ]


def test_a_match_by_id_beats_one_by_text(tmp_path: Path, questions: list[Question]) -> None:
    path = write_csv(tmp_path / "both.csv", [["id", "How old are you?", "age"], ["A", "99", "30"]])

    batch = read_responses(path, questions)

    assert batch.rows[0].answers == {"age": 30}
    assert batch.unmatched_columns == ("How old are you?",)


def test_other_questions_sharing_an_option_are_not_taken(
    tmp_path: Path, questions: list[Question]
) -> None:
    """A question outside the screener that lists "Brewline" must not claim brands_tried."""
    path = write_csv(
        tmp_path / "extra.csv",
        [
            ["ResponseId", "Q10_1", "Q30_1"],
            ["Response ID", f"{BRANDS} - Brewline", "Which of these do you own? - Brewline"],
            ['{"ImportId":"_recordId"}', '{"ImportId":"QID10_1"}', '{"ImportId":"QID30_1"}'],
            ["R_1", "Brewline", "1"],
        ],
    )

    batch = read_responses(path, questions)

    assert batch.rows[0].answers == {"brands_tried": ["Brewline"]}
    assert batch.unmatched_columns == ("Q30_1",)


def test_text_matching_ignores_case_punctuation_and_selected_choice() -> None:
    assert normalise("  How OLD are   you?? ") == "how old are you"
    assert normalise("Don’t know") == normalise("dont know")
    assert match_option(" several TIMES a day ", ["Several times a day", "Never"]) == (
        "Several times a day"
    )
    assert match_option("2", ["Woman", "Man"]) == "Man"
    assert match_option("Sometimes", ["Woman", "Man"]) is None


def test_scale_values_from_labels_or_numbers(questions: list[Question]) -> None:
    attitudes = next(q for q in questions if q.id == "attitudes")
    assert scale_value("Strongly agree", attitudes) == 5
    assert scale_value("neither", attitudes) == 3
    assert scale_value(" 4.0 ", attitudes) == 4
    assert scale_value("2 - Disagree", attitudes) == 2
    for bad in ("6", "0", "2.5", "Maybe"):
        with pytest.raises(ValueError, match="expected a rating from 1 to 5"):
            scale_value(bad, attitudes)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["id", "age"], ["1", "34"]], "plain"),
        (
            [["Q1", "Q2"], ["How old are you?", "How do you describe yourself?"], ["34", "Man"]],
            "qualtrics-legacy",
        ),
        ([["V1", "Q1"], ["ResponseID", "Anything"], ["R_1", "x"]], "qualtrics-legacy"),
        ([["Q1"], ["How old are you?"], ['{"ImportId":"QID1"}']], "qualtrics"),
        ([["Respondent ID", "How old are you?"], ["", "Response"], ["1", "34"]], "surveymonkey"),
        ([["Q1", "Q2"], ["34", "Man"]], "plain"),  # Qualtrics-style names, but row 2 is data
    ],
)
def test_detect_format(rows: list[list[str]], expected: str, questions: list[Question]) -> None:
    assert detect_format(rows, questions) == expected


# --------------------------------------------------------------------------- external ids


def test_hashed_external_ids_are_stable(tmp_path: Path, questions: list[Question]) -> None:
    """Importing the same file twice must give the same ids, so nobody is added twice."""
    first = read_responses(DATA / "plain.csv", questions)
    copy = shutil.copy(DATA / "plain.csv", tmp_path / "again.csv")
    second = read_responses(copy, questions)

    ids = [row.external_id for row in first.rows]
    assert ids == [row.external_id for row in second.rows]
    assert all(external_id.startswith("row-") for external_id in ids)
    # The exact duplicate row gets its own, equally stable, id.
    assert ids[2] == ids[1] + "-2"


def test_hashed_ids_follow_content_not_position(tmp_path: Path, questions: list[Question]) -> None:
    rows = [
        ["email", "age", "gender"],
        ["a@example.com", "30", "Man"],
        ["b@example.com", "40", "Woman"],
    ]
    forward = read_responses(write_csv(tmp_path / "a.csv", rows), questions)
    backward = read_responses(write_csv(tmp_path / "b.csv", [rows[0], rows[2], rows[1]]), questions)
    changed = read_responses(
        write_csv(tmp_path / "c.csv", [rows[0], ["a@example.com", "31", "Man"]]), questions
    )

    assert {r.contact.email: r.external_id for r in forward.rows} == {
        r.contact.email: r.external_id for r in backward.rows
    }
    assert changed.rows[0].external_id != forward.rows[0].external_id


def test_explicit_ids_are_used_as_given(questions: list[Question]) -> None:
    batch = read_responses(DATA / "qualtrics_home_coffee.csv", questions)
    assert [row.external_id for row in batch.rows][:2] == ["R_1OwhT3kLmQpZb7x", "R_2Ja9cVnB4xYtRe1"]


# --------------------------------------------------------------------------- errors


def raised(path: Path, questions: list[Question]) -> ResponseFileError:
    with pytest.raises(ResponseFileError) as info:
        read_responses(path, questions)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(f"{path.name}:")
    return info.value


def test_bad_number_names_file_line_and_column(questions: list[Question]) -> None:
    error = raised(DATA / "bad_number.csv", questions)

    assert str(error) == (
        'bad_number.csv:4 (respondent A2): column "age": expected a number, got "thirty"'
    )
    assert (error.file, error.line, error.column) == ("bad_number.csv", 4, "age")
    assert isinstance(error, ValueError)


def test_bad_qualtrics_option_names_column_and_question(questions: list[Question]) -> None:
    error = raised(DATA / "bad_qualtrics_option.csv", questions)

    assert str(error) == (
        'bad_qualtrics_option.csv:8 (respondent R_3PqLm8sWd2KfGh0): column "Q5" (question'
        ' gender): expected one of "Woman", '
        '"Man", "Non-binary", "Prefer not to say", got "Female"'
    )


def test_unclosed_quote_names_the_line_it_opened_on(questions: list[Question]) -> None:
    error = raised(DATA / "bad_unclosed_quote.csv", questions)

    assert str(error) == (
        "bad_unclosed_quote.csv:3: expected a closing quote for a cell opened in this row"
    )


@pytest.mark.parametrize(
    ("rows", "line", "column", "message"),
    [
        (
            [["id", "age"], ["A", "340"]],
            2,
            "age",
            'expected a number from 12 to 100, got "340"',
        ),
        (
            [["id", "age"], ["A", "3,4"]],
            2,
            "age",
            'expected a number, got "3,4"',
        ),
        (
            [["id", "gender"], ["A", "Man"], ["B", "Wizard"]],
            3,
            "gender",
            'expected one of "Woman", "Man", "Non-binary", "Prefer not to say", got "Wizard"',
        ),
        (
            [["id", "attitudes_passion"], ["A", "7"]],
            2,
            "attitudes_passion",
            'expected a rating from 1 to 5 or one of "Strongly disagree", "Disagree", "Neither", '
            '"Agree", "Strongly agree", got "7"',
        ),
        (
            [["id", "brands_tried"], ["A", "Brewline; Nescafé"]],
            2,
            "brands_tried",
            'expected options from "Brewline", "Roastwell", "Kettlebury", "Morning Harbour", '
            '"Supermarket own-label", "A local or independent roaster", …, got "Nescafé"',
        ),
        (
            [["id", "brands_tried_Brewline"], ["A", "maybe"]],
            2,
            "brands_tried_Brewline",
            'expected "Brewline", 1 or blank, got "maybe"',
        ),
        (
            [["id", "rank_features_Taste", "rank_features_Price"], ["A", "1", "1"]],
            2,
            "rank_features_Price",
            'expected each rank once, got rank 1 for "Taste" too',
        ),
        (
            [["id", "rank_features_Taste"], ["A", "9"]],
            2,
            "rank_features_Taste",
            'expected a rank from 1 to 5, got "9"',
        ),
        (
            [["id", "rank_features"], ["A", "Taste; Price; Taste"]],
            2,
            "rank_features",
            'expected each option ranked once, got "Taste" twice',
        ),
        (
            [["id", "Duration (in seconds)"], ["A", "ten minutes"]],
            2,
            "Duration (in seconds)",
            'expected a number, got "ten minutes"',
        ),
        (
            [["id", "Q_RecaptchaScore"], ["A", "high"]],
            2,
            "Q_RecaptchaScore",
            'expected a number, got "high"',
        ),
        (
            [["id", "Finished"], ["A", "sort of"]],
            2,
            "Finished",
            'expected true or false, got "sort of"',
        ),
        (
            [["id", "age"], ["A", "30"], ["A", "31"]],
            3,
            "id",
            'expected a unique response id, got "A" again (first on line 2)',
        ),
        (
            [["id", "age"], ["A", "30", "", "surprise"]],
            2,
            None,
            "expected at most 2 cells like the header, got a value in cell 4",
        ),
        (
            [["id", "How old are you?", "how old are you"], ["A", "30", "30"]],
            1,
            "how old are you",
            'expected one column per answer, but column "How old are you?" holds it too; '
            "set column: in the screener",
        ),
        (
            [["id", GRID], ["A", "5"]],
            1,
            GRID,
            "expected one column per item of the rating grid, got one for the whole grid",
        ),
    ],
)
def test_cell_and_header_errors(
    tmp_path: Path,
    questions: list[Question],
    rows: list[list[str]],
    line: int,
    column: str | None,
    message: str,
) -> None:
    path = write_csv(tmp_path / "responses.csv", rows)

    error = raised(path, questions)

    assert (error.line, error.column) == (line, column)
    assert str(error).endswith(message)
    assert error.problems[0].message == message


def test_question_is_named_when_column_differs(tmp_path: Path, questions: list[Question]) -> None:
    path = write_csv(tmp_path / "responses.csv", [["id", "How old are you?"], ["A", "thirty"]])

    assert str(raised(path, questions)) == (
        'responses.csv:2 (respondent A): column "How old are you?" (question age): expected a'
        ' number, got "thirty"'
    )


def test_every_problem_is_collected_and_nothing_returned(
    tmp_path: Path, questions: list[Question]
) -> None:
    path = write_csv(
        tmp_path / "responses.csv",
        [["id", "age", "gender"], ["A", "30", "Man"], ["B", "old", "Man"], ["C", "40", "Robot"]],
    )

    error = raised(path, questions)

    assert str(error).endswith('expected a number, got "old" (and 1 more problem)')
    assert [(p.line, p.column) for p in error.problems] == [(3, "age"), (4, "gender")]


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"", 1, "expected a header row, got an empty file"),
        (b"\n\n  \n", 1, "expected a header row, got an empty file"),
        (
            b"PK\x03\x04rest-of-a-zip",
            1,
            "expected a CSV file, got an Excel workbook; save it as CSV",
        ),
        (b"id,age\nA,3\x000\n", 2, "expected text, got binary data (UTF-16 needs its BOM)"),
        (
            b"id,age\nA,30\nB,\x81\xff\n",
            3,
            "byte 0x81 is neither UTF-8 nor Windows-1252; save the file as UTF-8",
        ),
        (  # a UTF-8 export with one row pasted from a Windows file: never read as 1252
            b"id,name\nA,Zo\xc3\xab\nB,Fr\xe9d\n",
            3,
            "byte 0xe9 is not UTF-8, yet line 2 is: the file mixes encodings;"
            " save it again as UTF-8",
        ),
        (
            b"id,name\nB,Fr\xe9d\nA,Zo\xc3\xab\n",
            2,
            "byte 0xe9 is not UTF-8, yet line 3 is: the file mixes encodings;"
            " save it again as UTF-8",
        ),
        (
            b'id,age\nA,"30"x\n',
            2,
            "expected a comma after a closing quote (a stray quote in a cell?)",
        ),
    ],
)
def test_unreadable_files(
    tmp_path: Path, questions: list[Question], content: bytes, line: int, message: str
) -> None:
    path = tmp_path / "responses.csv"
    path.write_bytes(content)

    error = raised(path, questions)

    assert str(error) == f"responses.csv:{line}: {message}"


def test_missing_file_is_a_response_file_error(tmp_path: Path, questions: list[Question]) -> None:
    error = raised(tmp_path / "nowhere.csv", questions)
    assert error.line == 1 and "expected a readable file" in str(error)


def test_blank_answers_are_absent_not_errors(tmp_path: Path, questions: list[Question]) -> None:
    path = write_csv(
        tmp_path / "responses.csv",
        [
            ["id", "age", "gender", "attitudes_passion", "brands_tried_Brewline"],
            ["A", " ", "", "", ""],
        ],
    )

    assert read_responses(path, questions).rows[0].answers == {}


def test_utf16_tab_separated_qualtrics_export(tmp_path: Path, questions: list[Question]) -> None:
    """Qualtrics' "TSV" download: UTF-16 with a BOM, tab-separated."""
    text = (
        "ResponseId\tQ3\tQ12\n"
        "Response ID\tHow old are you?\t"
        "List as many unusual uses for a coffee mug as you can think of — one per line.\n"
        '{"ImportId":"_recordId"}\t{"ImportId":"QID3_TEXT"}\t{"ImportId":"QID12_TEXT"}\n'
        'R_1\t34\t"pen pot\nZoë’s café sign"\n'
    )
    path = tmp_path / "export.tsv"
    path.write_bytes(text.encode("utf-16"))

    batch = read_responses(path, questions)

    assert (batch.format, batch.encoding) == ("qualtrics", "utf-16")
    assert batch.rows[0].answers == {"age": 34, "mug_uses": "pen pot\nZoë’s café sign"}


def test_semicolon_separated_plain_file(tmp_path: Path, questions: list[Question]) -> None:
    """What a European Excel saves as "CSV"."""
    path = tmp_path / "excel.csv"
    path.write_text('id;age;brands_tried\nA;34;"Brewline, Roastwell"\n', encoding="utf-8")

    batch = read_responses(path, questions)

    assert batch.rows[0].answers == {"age": 34, "brands_tried": ["Brewline", "Roastwell"]}


def _rewritten(source: Path, target: Path, edit: Any, encoding: str = "utf-8") -> Path:
    """A copy of a test export with its header rows edited in place by `edit(rows)`."""
    with open(source, encoding=encoding + ("-sig" if encoding == "utf-8" else ""), newline="") as f:
        rows = list(csv.reader(f))
    edit(rows)
    with open(target, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return target


def test_contact_details_asked_as_questions_or_a_contact_block_are_kept(
    questions: list[Question], tmp_path: Path
) -> None:
    """A phone question and SurveyMonkey's contact block were "columns not used": the
    duplicate and past-participation checks then lost the contact, with no word said."""

    def phone_question(rows: list[list[str]]) -> None:
        at = rows[0].index("Phone")
        rows[0][at], rows[1][at] = "Q17", "What's the best phone number to reach you on?"
        rows[2][at] = '{"ImportId":"QID17_TEXT"}'

    asked = _rewritten(DATA / "qualtrics_home_coffee.csv", tmp_path / "q.csv", phone_question)
    batch = read_responses(asked, questions)
    assert "Q17" not in batch.unmatched_columns
    assert by_id(batch)["R_1OwhT3kLmQpZb7x"].contact.phone == "+44 7700 900123"

    def contact_block(rows: list[list[str]]) -> None:
        first, email = rows[0].index("First Name"), rows[0].index("Email Address")
        rows[0][email], rows[1][email] = "Please give us your contact details", "Email Address"
        rows[0][first], rows[1][first] = "", "Name"  # the same question, its next part

    block = _rewritten(DATA / "surveymonkey.csv", tmp_path / "m.csv", contact_block)
    people = read_responses(block, questions).rows
    assert (people[0].contact.email, people[0].contact.name) == (
        "grace.oyelaran@example.com",
        "Grace",  # the block's Name field, as given (it was the first name column)
    )


def test_an_amount_with_a_currency_sign_or_thousands_separator_is_a_number() -> None:
    from ideation.screening.responses.cells import read_number

    assert [read_number(v) for v in ("£25", "25 €", "$1,200", "1,200.5")] == [25, 25, 1200, 1200.5]
    for bad in ("£", "1,2", "about 10"):
        with pytest.raises(Exception, match="expected a number"):
            read_number(bad)
