"""Provides tests for screener loading, its one-line errors and its lint warnings."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from ideation.live.plan import PlanError
from ideation.screening.definition import (
    DEFAULT_FLAG_ACTIONS,
    GridItem,
    Involvement,
    Quota,
    QuotaCell,
    ScreenerDefinition,
    SkipRule,
    TerminateRule,
    Weights,
    is_none_option,
)
from ideation.screening.screener_lint import lint_screener
from ideation.screening.screener_yaml import ScreenerError, load_screener, parse_screener
from ideation.yamlfile import YamlFileError

SHIPPED = Path(__file__).resolve().parent.parent / "screeners" / "home-coffee.yaml"

TOP = (
    "screener, title, category, study, target, weights, dimension_weights, "
    "past_participation_months, flag_actions, quotas, questions"
)
TYPES = "single_choice, multiple_choice, rating, number, short_text, creativity, ranking"

HEAD = "screener: t\ntarget: {participants: 2}\nquestions:\n"
TASK = "  - {id: task, type: creativity, text: Uses for a mug?}\n"


def screener(questions: str, *, head: str = HEAD, task: bool = True) -> str:
    """A screener whose questions start on line 4, with a creativity task last."""
    return head + questions + (TASK if task else "")


def error(text: str, path: str = "x.yaml") -> str:
    with pytest.raises(ScreenerError) as caught:
        parse_screener(text, path)
    message = str(caught.value)
    assert "\n" not in message
    return message


# -- the shipped example -----------------------------------------------------------


def test_shipped_example_loads() -> None:
    defn = load_screener(SHIPPED)
    assert isinstance(defn, ScreenerDefinition)
    assert defn.name == "home-coffee"
    assert defn.title == "At-home coffee lovers — Brewline ideation recruit"
    assert defn.category == "At-home coffee"
    assert defn.study == "Brewline ideation 2026"
    assert (defn.target_participants, defn.standbys) == (6, 3)
    assert (defn.weights.involvement, defn.weights.creativity) == (0.5, 0.5)
    assert defn.past_participation_months == 6
    assert defn.flag_actions == dict(DEFAULT_FLAG_ACTIONS)
    assert defn.path == str(SHIPPED)
    assert defn.source == SHIPPED.read_text(encoding="utf-8")
    assert [q.id for q in defn.questions] == [
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
    ]
    assert [q.type for q in defn.questions].count("creativity") == 3


def test_shipped_example_details() -> None:
    defn = load_screener(SHIPPED)
    assert defn.quotas[0] == Quota(
        "age band",
        "age_band",
        (
            QuotaCell("18-34", 2, 3, defn.quotas[0].cells[0].line),
            QuotaCell("35-54", 2, 3, defn.quotas[0].cells[1].line),
            QuotaCell("55+", 1, 2, defn.quotas[0].cells[2].line),
        ),
        defn.quotas[0].line,
    )
    age = defn.question("age")
    assert (age.type, age.min, age.max) == ("number", 12, 100)
    assert age.terminate == (TerminateRule("under age", below=18, line=age.terminate[0].line),)
    industry = defn.question("industry")
    assert industry.terminate[0].reason == "industry security"
    assert len(industry.terminate[0].answers) == 4
    who = defn.question("who_buys")
    assert who.skip == (
        SkipRule(("Someone else in my household",), "brands_tried", who.skip[0].line),
    )
    assert defn.question("cups_per_week").involvement == Involvement(
        "behaviour", 2.0, 28, defn.question("cups_per_week").involvement.line
    )
    grid = defn.question("attitudes")
    assert (grid.scale, len(grid.labels), len(grid.items)) == (5, 5, 6)
    assert grid.involvement is not None and grid.involvement.kind == "attitude"
    attention = grid.items[4]
    assert attention == GridItem(
        "attention",
        "To show you are reading, please choose 'Agree' for this line",
        attention_check=4,
        line=attention.line,
    )
    assert grid.items[5].reverse and grid.items[2].weight == 1.5
    assert grid.label(4) == "Agree"
    # Lines point into the file, so warnings and errors can name them.
    lines = SHIPPED.read_text(encoding="utf-8").splitlines()
    assert lines[age.line - 1] == "  - id: age"
    assert lines[who.skip[0].line - 1].strip().startswith("skip:")


def test_shipped_example_has_no_lint_warnings() -> None:
    assert lint_screener(load_screener(SHIPPED)) == []


def test_load_matches_parse_and_bom_cp1252_are_read(tmp_path: Path) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    assert load_screener(SHIPPED) == parse_screener(text, str(SHIPPED))
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load_screener(bom).name == "home-coffee"
    legacy = tmp_path / "cp1252.yaml"
    legacy.write_bytes(screener("").replace("Uses", "Café uses").encode("cp1252"))
    assert load_screener(legacy).questions[0].text == "Café uses for a mug?"


def test_defaults_for_optional_settings() -> None:
    defn = parse_screener(screener(""))
    assert defn.standbys == 0
    assert defn.weights == Weights(0.5, 0.5, 0)
    assert defn.past_participation_months == 6
    assert defn.flag_actions == dict(DEFAULT_FLAG_ACTIONS)
    assert defn.quotas == ()
    assert (defn.title, defn.category, defn.study) == ("", "", "")
    assert defn.path == "<screener>"


def test_rules_may_be_one_mapping_or_a_list_and_answers_one_string() -> None:
    text = screener(
        "  - id: often\n"
        "    type: single_choice\n"
        "    text: How often?\n"
        "    options: [Daily, Weekly, Never]\n"
        "    terminate: {answers: Never, reason: non-user}\n"
        "    skip:\n"
        "      - {answers: [Weekly], to: task}\n"
        "      - {answers: [Daily], to: end}\n"
    )
    often = parse_screener(text).questions[0]
    assert often.terminate == (TerminateRule("non-user", ("Never",), line=8),)
    assert often.skip == (SkipRule(("Weekly",), "task", 10), SkipRule(("Daily",), "end", 11))


def test_columns() -> None:
    text = screener(
        "  - {id: age, type: number, text: Age?, column: Q3}\n"
        "  - id: grid\n"
        "    type: rating\n"
        "    text: Agree?\n"
        "    scale: 5\n"
        "    items: [{id: a, text: A}, {id: b, text: B}]\n"
        "    column: {a: Q4_1, b: Q4_2}\n"
    )
    age, grid, _ = parse_screener(text).questions
    assert age.column == "Q3"
    assert grid.column == {"a": "Q4_1", "b": "Q4_2"}


def test_none_like_options() -> None:
    assert is_none_option("None of these")
    assert is_none_option("none of the above")
    assert is_none_option("Don't know")
    assert not is_none_option("Brewline")
    assert not is_none_option("Nonesuch Roasters")


# -- errors: file and YAML ----------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScreenerError) as caught:
        load_screener(tmp_path / "nope.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 'nope.yaml'}:1: (file): cannot read")


@pytest.mark.parametrize("text", ["", "# nothing\n", "~\n"])
def test_empty_screener(text: str) -> None:
    assert error(text) == (
        "x.yaml:1: (file): the screener is empty; "
        "expected a mapping with screener, target and questions"
    )


def test_not_a_mapping() -> None:
    assert error("# a screener\n- a\n") == (
        "x.yaml:2: (top level): expected a mapping with screener, target and questions, got a list"
    )


def test_yaml_syntax_error() -> None:
    text = screener("  - id: a\n    type: short_text\n    text: Why: because\n")
    assert error(text) == (
        "x.yaml:6: (yaml): mapping values are not allowed here; "
        "put text that contains ': ' in quotes"
    )


def test_error_classes() -> None:
    with pytest.raises(ValueError) as caught:
        parse_screener("screener: t\ncolour: red\n", "s.yaml")
    exc = caught.value
    assert isinstance(exc, ScreenerError) and isinstance(exc, YamlFileError)
    assert not isinstance(exc, PlanError)
    assert (exc.path, exc.line, exc.field) == ("s.yaml", 2, "colour")
    assert str(pickle.loads(pickle.dumps(exc))) == str(exc)


# -- errors: settings ---------------------------------------------------------------


def test_unknown_top_level_key_with_suggestion() -> None:
    text = "screener: t\ntarget: {participants: 2}\nquestons: []\n"
    assert error(text) == (
        f"x.yaml:3: questons: unknown key; did you mean 'questions'? expected one of: {TOP}"
    )


def test_missing_required_settings() -> None:
    assert error("screener: t\nquestions: []\n") == (
        "x.yaml:1: target: required key missing; expected a mapping with participants and standbys"
    )
    assert error("target: {participants: 2}\n") == (
        "x.yaml:1: screener: required key missing; expected a non-empty string"
    )
    assert error("screener: t\ntarget: {participants: 2}\n") == (
        "x.yaml:1: questions: required key missing; expected a non-empty list of questions"
    )
    assert error("screener: t\ntarget: {participants: 2}\nquestions: []\n") == (
        "x.yaml:3: questions: expected a non-empty list of questions, got an empty list"
    )


def test_bad_target() -> None:
    head = "screener: t\ntarget:\n  participants: 0\n  standbys: 3\nquestions:\n"
    assert error(screener("", head=head)) == (
        "x.yaml:3: target.participants: expected a whole number of 1 or more, got 0"
    )
    head = "screener: t\ntarget:\n  participants: 6\n  standbys: '3'\nquestions:\n"
    assert error(screener("", head=head)) == (
        "x.yaml:4: target.standbys: expected a whole number of 0 or more, "
        "got a string '3'; write the number without quotes"
    )
    head = "screener: t\ntarget:\n  participants: 6.5\nquestions:\n"
    assert error(screener("", head=head)) == (
        "x.yaml:3: target.participants: expected a whole number of 1 or more, got 6.5"
    )


def test_bad_weights() -> None:
    head = HEAD.replace("questions:", "weights: {involvement: 0.5, creativity: 2}\nquestions:")
    assert error(screener("", head=head)) == (
        "x.yaml:3: weights.creativity: expected a weight from 0 to 1, got 2"
    )
    head = HEAD.replace("questions:", "weights:\n  involvement: 0.7\nquestions:")
    assert error(screener("", head=head)) == (
        "x.yaml:3: weights.creativity: required key missing; expected a weight from 0 to 1"
    )


def test_bad_flag_actions() -> None:
    head = HEAD.replace("questions:", "flag_actions:\n  speeder: rankdown\nquestions:")
    assert error(screener("", head=head)) == (
        "x.yaml:4: flag_actions.speeder: unknown action 'rankdown'; did you mean 'rank_down'? "
        "expected one of: rank_down, exclude, ignore"
    )
    head = HEAD.replace("questions:", "flag_actions:\n  speeding: exclude\nquestions:")
    assert error(screener("", head=head)) == (
        "x.yaml:4: flag_actions.speeding: unknown key; did you mean 'speeder'? expected one of: "
        "speeder, straightliner, gibberish, duplicate_open_end, duplicate_respondent, "
        "attention_check, fraud, past_participation"
    )
    head = HEAD.replace("questions:", "flag_actions:\n  fraud: ignore\nquestions:")
    assert parse_screener(screener("", head=head)).flag_actions["fraud"] == "ignore"


def test_bad_quotas() -> None:
    quota = (
        "quotas:\n  - name: band\n    question: band\n    cells:\n      young: {min: 3, max: 2}\n"
    )
    head = HEAD.replace("questions:", quota + "questions:")
    assert error(screener("", head=head)) == (
        "x.yaml:7: quotas[0].cells.young.max: expected a whole number of 3 or more, got 2"
    )
    head = HEAD.replace("questions:", quota.replace("young:", "18:") + "questions:")
    assert error(screener("", head=head)) == (
        "x.yaml:7: quotas[0].cells.18: expected an answer as the cell name, got a number (18); "
        "put it in quotes to use it as text"
    )
    head = HEAD.replace("questions:", quota.replace("{min: 3, max: 2}", "{mn: 1}") + "questions:")
    assert error(screener("", head=head)) == (
        "x.yaml:7: quotas[0].cells.young.mn: unknown key; did you mean 'min'? "
        "expected one of: min, max"
    )
    head = HEAD.replace("questions:", "quotas:\n  - name: band\n    cells: {}\nquestions:")
    assert error(screener("", head=head)) == (
        "x.yaml:4: quotas[0].question: required key missing; expected a non-empty string"
    )


# -- errors: questions ---------------------------------------------------------------


def test_question_that_is_not_a_mapping() -> None:
    assert error(screener("  - How old are you?\n")) == (
        "x.yaml:4: questions[0]: expected a mapping with id, type and text, "
        "got a string 'How old are you?'"
    )


def test_unknown_type_with_suggestion() -> None:
    text = screener("  - id: brands\n    type: multi_choice\n    text: Which?\n")
    assert error(text) == (
        "x.yaml:5: questions[0].type: unknown question type 'multi_choice'; "
        f"did you mean 'multiple_choice'? expected one of: {TYPES}"
    )


def test_missing_type_and_text() -> None:
    assert error(screener("  - id: a\n    text: Why?\n")) == (
        f"x.yaml:4: questions[0].type: required key missing; expected one of: {TYPES}"
    )
    assert error(screener("  - id: a\n    type: short_text\n")) == (
        "x.yaml:4: questions[0].text: required key missing; expected a non-empty string"
    )


def test_bad_and_duplicate_ids() -> None:
    assert error(screener("  - {id: how old, type: number, text: Age?}\n")) == (
        "x.yaml:4: questions[0].id: expected a question id of letters, digits and '_', "
        "starting with a letter, got 'how old'"
    )
    text = screener(
        "  - id: age\n    type: number\n    text: Age?\n"
        "  - id: age\n    type: number\n    text: Age again?\n"
    )
    assert error(text) == (
        "x.yaml:7: questions[1].id: 'age' is already the id of the question on line 4; "
        "each question needs its own id"
    )
    assert error(screener("  - {id: end, type: short_text, text: Bye}\n")) == (
        "x.yaml:4: questions[0].id: 'end' is kept for skip: {to: end}"
    )


def test_key_not_used_by_the_type() -> None:
    text = screener("  - id: age\n    type: number\n    text: Age?\n    options: [a, b]\n")
    assert error(text) == (
        "x.yaml:7: questions[0].options: not used by number questions, only by "
        "single_choice, multiple_choice and ranking; remove it or change the type"
    )
    text = screener("  - id: why\n    type: short_text\n    text: Why?\n    skip: {}\n")
    assert error(text) == (
        "x.yaml:7: questions[0].skip: not used by short_text questions, only by "
        "single_choice and multiple_choice; remove it or change the type"
    )


def test_unknown_question_key() -> None:
    text = screener("  - id: age\n    type: number\n    text: Age?\n    maximum: 3\n")
    assert error(text) == (
        "x.yaml:7: questions[0].maximum: unknown key; did you mean 'max'? expected one of: "
        "id, type, text, options, items, scale, labels, min, max, terminate, skip, "
        "involvement, column"
    )


def test_bad_options() -> None:
    question = "  - id: g\n    type: single_choice\n    text: G?\n"
    assert error(screener(question)) == (
        "x.yaml:4: questions[0].options: required key missing; "
        "expected a list of at least 2 options"
    )
    assert error(screener(question + "    options: [Only]\n")) == (
        "x.yaml:7: questions[0].options: expected a list of at least 2 options, got 1 option"
    )
    assert error(screener(question + "    options:\n      - Yes please\n      - YES PLEASE\n")) == (
        "x.yaml:9: questions[0].options[1]: 'YES PLEASE' is the same option as [0] "
        "'Yes please' (answers are matched ignoring case, spacing and punctuation)"
    )
    assert error(screener(question + "    options: [a, 3]\n")) == (
        "x.yaml:7: questions[0].options[1]: expected a non-empty string, got a number (3); "
        "put it in quotes to use it as text"
    )


def test_bad_number_bounds() -> None:
    text = screener("  - id: age\n    type: number\n    text: Age?\n    min: 18\n    max: 12\n")
    assert error(text) == (
        "x.yaml:8: questions[0].max: expected a whole number of 18 or more, got 12"
    )


def test_bad_terminate_rules() -> None:
    number = "  - id: age\n    type: number\n    text: Age?\n    terminate:\n"
    assert error(screener(number + "      - {below: 18, above: 90, reason: x}\n")) == (
        "x.yaml:8: questions[0].terminate[0]: expected exactly one of answers, below or above; "
        "got below and above"
    )
    assert error(screener(number + "      - {answers: [17], reason: young}\n")) == (
        "x.yaml:8: questions[0].terminate[0].answers: "
        "a number question terminates with below: or above: a number"
    )
    assert error(screener(number + "      - {below: 18}\n")) == (
        "x.yaml:8: questions[0].terminate[0].reason: required key missing; "
        "expected a non-empty string"
    )
    assert error(screener(number + "      - {below: eighteen, reason: young}\n")) == (
        "x.yaml:8: questions[0].terminate[0].below: expected a number, got a string 'eighteen'"
    )
    choice = "  - id: g\n    type: single_choice\n    text: G?\n    options: [a, b]\n"
    assert error(screener(choice + "    terminate: {above: 3, reason: x}\n")) == (
        "x.yaml:8: questions[0].terminate.above: above is only for number questions; "
        "use answers: [...]"
    )
    assert error(screener(choice + "    terminate: []\n")) == (
        "x.yaml:8: questions[0].terminate: expected a rule {answers: [...], reason: ...} "
        "(or below:/above: a number), or a list, got an empty list"
    )
    assert error(screener(choice + "    terminate: {answers: [], reason: x}\n")) == (
        "x.yaml:8: questions[0].terminate.answers: expected a list of options, got an empty list"
    )


def test_skips_only_jump_forward() -> None:
    first = "  - {id: a, type: short_text, text: A?}\n"
    choice = (
        "  - id: g\n"
        "    type: single_choice\n"
        "    text: G?\n"
        "    options: [x, y]\n"
        "    skip:\n"
        "      answers: [x]\n"
        "      to: {to}\n"
    )
    assert error(screener(first + choice.replace("{to}", "a"))) == (
        "x.yaml:11: questions[1].skip.to: 'a' is not after this question; "
        "a skip can only jump forward, to a later question id or end"
    )
    assert error(screener(first + choice.replace("{to}", "g"))) == (
        "x.yaml:11: questions[1].skip.to: 'g' is not after this question; "
        "a skip can only jump forward, to a later question id or end"
    )
    assert error(screener(first + choice.replace("{to}", "tsak"))) == (
        "x.yaml:11: questions[1].skip.to: no question has the id 'tsak'; did you mean 'task'? "
        "expected a later question id or end"
    )
    assert error(screener(first + choice.replace("      to: {to}\n", ""))) == (
        "x.yaml:10: questions[1].skip.to: required key missing; expected a non-empty string"
    )
    assert parse_screener(screener(first + choice.replace("{to}", "end"))).questions[1].skip[
        0
    ].to == ("end")


def test_bad_rating_grids() -> None:
    grid = "  - id: att\n    type: rating\n    text: Agree?\n"
    assert error(screener(grid + "    scale: 1\n    items: [{id: a, text: A}]\n")) == (
        "x.yaml:7: questions[0].scale: expected a whole number from 2 to 11, got 1"
    )
    assert error(screener(grid + "    scale: 5\n    labels: [No, Yes]\n    items: []\n")) == (
        "x.yaml:8: questions[0].labels: expected 5 labels, one per scale point, got 2"
    )
    labelled = grid + "    scale: 3\n    labels: [Disagree, Neither, Agree]\n    items:\n"
    assert error(screener(labelled + "      - {id: a, text: A, attention_check: Agre}\n")) == (
        "x.yaml:10: questions[0].items[0].attention_check: 'Agre' is not a label; "
        "did you mean 'Agree'? expected the answer it asks for: a scale point from 1 to 3 "
        "or a label (Disagree, Neither, Agree)"
    )
    assert error(
        screener(labelled + "      - {id: a, text: A, attention_check: 3, weight: 2}\n")
    ) == (
        "x.yaml:10: questions[0].items[0].weight: an attention-check item is not scored; remove it"
    )
    assert error(screener(labelled + "      - {id: a, text: A, reverse: yes}\n")) == (
        "x.yaml:10: questions[0].items[0].reverse: expected true or false, got a string 'yes'"
    )
    assert error(screener(labelled + "      - {id: a, text: A}\n      - {id: a, text: B}\n")) == (
        "x.yaml:11: questions[0].items[1].id: 'a' is already the id of the item on line 10"
    )
    assert error(screener(labelled + "      - {id: a, text: A}\n    column: Q4\n")) == (
        "x.yaml:11: questions[0].column: expected a mapping of item id to import column name, "
        "got a string 'Q4'"
    )
    assert error(screener(labelled + "      - {id: a, text: A}\n    column: {b: Q4}\n")) == (
        "x.yaml:11: questions[0].column.b: unknown key; expected one of: a"
    )


def test_bad_involvement() -> None:
    number = "  - id: cups\n    type: number\n    text: Cups?\n"
    assert error(screener(number + "    involvement: {kind: attitude}\n")) == (
        "x.yaml:7: questions[0].involvement.kind: kind attitude needs a rating grid, "
        "not a number question"
    )
    assert error(screener(number + "    involvement: {kind: behavior, max: 5}\n")) == (
        "x.yaml:7: questions[0].involvement.kind: unknown kind 'behavior'; "
        "did you mean 'behaviour'? expected one of: behaviour, attitude"
    )
    assert error(screener(number + "    involvement:\n      kind: behaviour\n")) == (
        "x.yaml:7: questions[0].involvement.max: required key missing; "
        "expected the value that earns full points, more than 0"
    )
    assert error(screener(number + "    involvement: {kind: behaviour, max: 5, weight: -1}\n")) == (
        "x.yaml:7: questions[0].involvement.weight: expected a weight of 0 or more, got -1"
    )


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [*x]\n",
        "screener: !!binary aGVsbG8=\n",
        "? [a, b]\n: c\n",
        "[" * 2000,
        HEAD + "  - <<: {id: a, type: short_text}\n",
        HEAD + "  - {id: a, type: rating, text: t, scale: 3, items: [[a]]}\n",
        HEAD + "  - {id: a, type: single_choice, text: t, options: [a, b], skip: [1]}\n",
        HEAD + "  - {id: a, type: number, text: t, column: {a: b}}\n",
        HEAD.replace("questions:", "quotas: [{name: q, question: a, cells: {a: 1}}]\nquestions:"),
        "screener: t\ntarget: [6]\n",
    ],
)
def test_odd_input_only_raises_screener_error(text: str) -> None:
    error(text)


# -- lint ----------------------------------------------------------------------------


#: A behaviour question, so lint tests are not also about a screener without involvement.
ENGAGED = "  - {id: cups, type: number, text: Cups?, involvement: {kind: behaviour, max: 20}}\n"


def lint(text: str) -> list[str]:
    return lint_screener(parse_screener(text, "s.yaml"))


def test_leading_yes_no_question() -> None:
    head = "screener: t\ncategory: At-home coffee\ntarget: {participants: 2}\nquestions:\n"
    question = (
        "  - id: drinks\n"
        "    type: single_choice\n"
        "    text: Do you drink coffee at home?\n"
        "    options: [Yes, No]\n"
    )
    question += ENGAGED
    # Unquoted Yes/No are strings in YAML 1.2, as ruamel reads them.
    assert lint(screener(question.replace("[Yes, No]", "['Yes', 'No']"), head=head)) == [
        "s.yaml:5: question 'drinks': a yes/no question about the category tells people what "
        "qualifies, so they say yes; ask how often or which, with a spread of answers"
    ]
    assert lint(screener(question, head=head)) == lint(
        screener(question.replace("[Yes, No]", "['Yes', 'No']"), head=head)
    )
    # A yes/no question about something else is not leading.
    other = question.replace("drink coffee at home", "have children")
    assert lint(screener(other, head=head)) == []


def test_terminate_rules_that_can_never_fire() -> None:
    text = screener(
        "  - id: often\n"
        "    type: single_choice\n"
        "    text: How often?\n"
        "    options: [Daily, Weekly, Never]\n"
        "    terminate: {answers: [Nevr], reason: non-user}\n"
        "  - id: age\n"
        "    type: number\n"
        "    text: Age?\n"
        "    min: 18\n"
        "    terminate: {below: 18, reason: under age}\n" + ENGAGED
    )
    assert error(text, "s.yaml") == (
        "s.yaml:8: question 'often': terminate answer 'Nevr' is not an option, so the rule can "
        "never fire; did you mean 'Never'? expected one of: Daily, Weekly, Never"
    )
    assert lint(text.replace("Nevr", "Never")) == [
        "s.yaml:9: question 'age': terminate below 18 can never fire: answers start at 18 (min)",
    ]


def test_a_wrong_rule_answer_is_named_on_its_own_line() -> None:
    """`screener check` used to name the `- answers:` line, not the misspelt answer below it."""
    text = screener(
        "  - id: industry\n"
        "    type: multiple_choice\n"
        "    text: Where do you work?\n"
        "    options: [Marketing, Market research, None of these]\n"
        "    terminate:\n"
        "      - answers:\n"
        "          - Marketing\n"
        "          - Market reserch\n"
        "        reason: industry security\n"
        "    skip:\n"
        "      - answers: Nne of these\n"
        "        to: end\n" + ENGAGED
    )
    assert error(text, "s.yaml") == (
        "s.yaml:11: question 'industry': terminate answer 'Market reserch' is not an option, "
        "so the rule can never fire; did you mean 'Market research'? expected one of: "
        "Marketing, Market research, None of these"
    )
    fixed = text.replace("Market reserch", "Market research")
    assert error(fixed, "s.yaml").startswith(
        "s.yaml:14: question 'industry': skip answer 'Nne of these' is not an option"
    )


def test_every_option_terminates() -> None:
    text = screener(
        "  - id: g\n    type: single_choice\n    text: G?\n    options: [a, b]\n"
        "    terminate: {answers: [a, B], reason: x}\n" + ENGAGED
    )
    assert lint(text) == ["s.yaml:4: question 'g': every option terminates, so nobody can qualify"]


def test_quota_problems() -> None:
    quotas = (
        "quotas:\n"
        "  - name: band\n"
        "    question: agebnd\n"
        "    cells: {young: {min: 1, max: 2}}\n"
        "  - name: gender\n"
        "    question: gender\n"
        "    cells:\n"
        "      Women: {min: 1, max: 2}\n"
        "      Man: {min: 2, max: 2}\n"
    )
    head = HEAD.replace("questions:", quotas + "questions:")
    question = (
        "  - id: agebnd\n    type: number\n    text: Age?\n"
        "  - id: gender\n    type: single_choice\n    text: G?\n    options: [Woman, Man]\n"
        + ENGAGED
    )
    assert error(screener(question.replace("agebnd", "age_band"), head=head), "s.yaml") == (
        "s.yaml:4: quota 'band': question 'agebnd' does not exist; did you mean 'age_band'? "
        "the quota can never fill"
    )
    assert error(screener(question, head=head), "s.yaml") == (
        "s.yaml:4: quota 'band': 'agebnd' is a number question; quota cells must be options "
        "of a single_choice or multiple_choice question"
    )
    gender_only = head.replace("  - name: band\n    question: agebnd\n", "").replace(
        "    cells: {young: {min: 1, max: 2}}\n", ""
    )
    assert error(screener(question, head=gender_only), "s.yaml") == (
        "s.yaml:7: quota 'gender': cell 'Women' is not an option of 'gender', so it can never "
        "fill; did you mean 'Woman'? expected one of: Woman, Man"
    )
    assert lint(screener(question, head=gender_only.replace("Women", "Woman"))) == [
        "s.yaml:4: quota 'gender': the minimums add up to 3, more than the 2 participants",
    ]


def test_missing_creativity_task_and_weights() -> None:
    head = HEAD.replace("questions:", "weights: {involvement: 0.6, creativity: 0.6}\nquestions:")
    text = screener("  - {id: why, type: short_text, text: Why?}\n", head=head, task=False)
    assert lint(text) == [
        "s.yaml:5: questions: no creativity task; without one the rank cannot tell creative "
        "people apart — add an open-ended creativity question",
        "s.yaml:5: questions: no question counts towards involvement; give behaviour questions "
        "or an attitude grid an involvement: entry",
        "s.yaml:3: weights: involvement 0.6 + creativity 0.6 = 1.2, not 1; ranks would not be "
        "on one 0–100 scale",
    ]


def test_too_many_questions() -> None:
    many = "".join(f"  - {{id: q{n}, type: short_text, text: Q{n}?}}\n" for n in range(13))
    assert lint(screener(many + ENGAGED)) == []
    many += "  - {id: q13, type: short_text, text: Q13?}\n"
    assert lint(screener(many + ENGAGED)) == [
        "s.yaml:19: questions: 16 questions, more than about 15; a long screener loses the "
        "people you want — cut what decides neither eligibility, quota nor rank"
    ]


def test_involvement_max_beyond_the_countable_options() -> None:
    text = screener(
        "  - id: brands\n    type: multiple_choice\n    text: Which?\n"
        "    options: [A, B, None of these]\n    involvement: {kind: behaviour, max: 3}\n"
    )
    assert lint(text) == [
        "s.yaml:4: question 'brands': involvement max 3 is more than the 2 options that count, "
        "so nobody can reach full points"
    ]


def test_a_file_cut_in_its_last_character_is_refused_as_cut_off(tmp_path: Path) -> None:
    """The one decoder of YAML and CSV: half a UTF-8 character at the end is a cut file,
    not Windows-1252 text ending in two odd letters."""
    text = screener("  - {id: name, type: short_text, text: Café?}\n") + "# a note on caf"
    path = tmp_path / "cut.yaml"
    path.write_bytes(text.encode() + "é".encode()[:1])
    with pytest.raises(ScreenerError) as caught:
        load_screener(path)
    assert str(caught.value) == (
        f"{path}:{text.count(chr(10)) + 1}: (file): expected a whole character at the end, "
        "got half of one: the file looks cut off"
    )


def test_a_quota_cell_that_spells_out_a_sign_is_pointed_at_the_option() -> None:
    """difflib alone pairs "55 plus" with nothing (ratio 0.4 against "55+")."""
    quotas = "quotas:\n  - name: age\n    question: band\n    cells:\n"
    quotas += "      55 plus: {min: 1, max: 2}\n"
    head = HEAD.replace("questions:", quotas + "questions:")
    question = (
        "  - id: band\n    type: single_choice\n    text: Age?\n"
        '    options: ["18 - 34", "35–54", "55+"]\n' + ENGAGED
    )
    assert error(screener(question, head=head), "s.yaml") == (
        "s.yaml:7: quota 'age': cell '55 plus' is not an option of 'band', so it can never "
        "fill; did you mean '55+'? expected one of: 18 - 34, 35–54, 55+"
    )
    cell = head.replace("55 plus", "18 to 34")
    assert "did you mean '18 - 34'?" in error(screener(question, head=cell), "s.yaml")
