"""Provides tests for session plan loading, its one-line errors and its warnings."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from ideation.live.plan import (
    AgendaItem,
    Brief,
    PlanError,
    PlannedParticipant,
    SessionPlan,
    check_plan,
    load_plan,
    parse_plan,
)
from ideation.live.techniques import TECHNIQUES, Technique, technique

SESSIONS = Path(__file__).resolve().parent.parent / "sessions"

EXPECTED_IDS = [
    "problem_as_given",
    "warm_up",
    "brainstorm",
    "brainwriting",
    "purge",
    "problem_as_understood",
    "springboards",
    "direct_analogy",
    "personal_analogy",
    "symbolic_analogy",
    "fantasy_analogy",
    "force_fit",
    "itemized_response",
    "hits",
    "break",
    "wrap_up",
]
IDS = ", ".join(EXPECTED_IDS)

VALID = """\
name: Brewline at-home coffee — test plan
brief:
  problem_as_given: "How might Brewline make coffee at home better?"
  background: |
    Mid-market coffee for the home.
  tried: [Subscription, Compostable pods]
  opportunity_areas:
    - Weekday mornings
  springboards:
    - I wish my coffee was ready before I was
participants:
  - name: Maya
  - alias: Bean
  - anonymous: true
  - anonymous: true
agenda:
  - title: Welcome and warm-up
    technique: warm_up
    minutes: 10
    prompts: [Uses for a paper filter]
    stimuli: [teaspoon]
    notes: Quick and silly.
  - title: Brainstorm
    technique: brainstorm
    minutes: 12.5
  - title: Nothing on the cards
    technique: purge
    minutes: 5
    prompts: []
"""


def plan_text(agenda: str, *, head: str = "name: x\nbrief:\n  problem_as_given: p\n") -> str:
    """A minimal plan whose agenda starts on line 4 (items from line 5)."""
    return head + "agenda:\n" + agenda


def error(text: str, path: str = "x.yaml") -> str:
    with pytest.raises(PlanError) as caught:
        parse_plan(text, path)
    message = str(caught.value)
    assert "\n" not in message
    return message


# -- a valid plan -----------------------------------------------------------------


def test_valid_plan_loads_every_field() -> None:
    plan = parse_plan(VALID, "sessions/test.yaml")
    assert plan.name == "Brewline at-home coffee — test plan"
    assert plan.brief == Brief(
        problem_as_given="How might Brewline make coffee at home better?",
        background="Mid-market coffee for the home.",
        tried=("Subscription", "Compostable pods"),
        opportunity_areas=("Weekday mornings",),
        springboards=("I wish my coffee was ready before I was",),
    )
    assert plan.participants == (
        PlannedParticipant("Maya"),
        PlannedParticipant("Bean"),
        PlannedParticipant("Anonymous 1", anonymous=True),
        PlannedParticipant("Anonymous 2", anonymous=True),
    )
    assert plan.agenda[0] == AgendaItem(
        title="Welcome and warm-up",
        technique="warm_up",
        minutes=10,
        prompts=("Uses for a paper filter",),
        stimuli=("teaspoon",),
        notes="Quick and silly.",
    )
    # No prompts given: the technique's stimulus cards stand in.
    assert plan.agenda[1].prompts == TECHNIQUES["brainstorm"].default_prompts
    assert plan.agenda[1].stimuli == () and plan.agenda[1].notes == ""
    # An explicit empty list means "no cards", not "use the defaults".
    assert plan.agenda[2].prompts == ()
    assert plan.agenda[1].planned_seconds == 750
    assert plan.total_minutes == 27.5
    assert plan.path == "sessions/test.yaml"
    assert plan.source == VALID


def test_valid_plan_round_trips_through_its_source(tmp_path: Path) -> None:
    plan = parse_plan(VALID, "a.yaml")
    assert parse_plan(plan.source, plan.path) == plan
    file = tmp_path / "plan.yaml"
    file.write_text(VALID, encoding="utf-8")
    loaded = load_plan(file)
    assert isinstance(loaded, SessionPlan)
    assert loaded == parse_plan(VALID, str(file))
    # Plain Python values, not ruamel's scalar subclasses.
    assert type(loaded.agenda[1].minutes) is float
    assert type(loaded.brief.background) is str


def test_participants_and_optional_lists_may_be_empty_values() -> None:
    text = "name: x\nbrief:\n  problem_as_given: p\n  tried:\nparticipants:\n" + (
        "agenda:\n  - {title: a, technique: break, minutes: 5}\n"
    )
    plan = parse_plan(text)
    assert plan.participants == ()
    assert plan.brief.tried == ()
    assert plan.agenda[0].prompts == ()


# -- encodings and empty files ----------------------------------------------------


def test_utf8_bom_file(tmp_path: Path) -> None:
    file = tmp_path / "bom.yaml"
    file.write_bytes(b"\xef\xbb\xbf" + VALID.encode("utf-8"))
    plan = load_plan(file)
    assert plan.name == "Brewline at-home coffee — test plan"
    assert not plan.source.startswith("\ufeff")


def test_bom_in_text_is_ignored() -> None:
    assert parse_plan("\ufeff" + VALID).name.startswith("Brewline")


def test_windows_1252_file(tmp_path: Path) -> None:
    file = tmp_path / "cp1252.yaml"
    text = VALID.replace("How might", "Café – “how” might")
    file.write_bytes(text.encode("cp1252"))
    plan = load_plan(file)
    assert plan.brief.problem_as_given.startswith("Café – “how” might")
    assert plan.name == "Brewline at-home coffee — test plan"


def test_neither_utf8_nor_cp1252(tmp_path: Path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_bytes(b"name: x\nbrief: \x81\x81\n")
    with pytest.raises(PlanError) as caught:
        load_plan(file)
    assert str(caught.value) == (
        f"{file}:2: (file): byte 0x81 is neither UTF-8 nor Windows-1252; save the file as UTF-8"
    )


def test_missing_file_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        load_plan(tmp_path / "nope.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 'nope.yaml'}:1: (file): cannot read")


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n", "---\n", "~\n"])
def test_empty_plan(text: str) -> None:
    assert error(text) == (
        "x.yaml:1: (file): the plan is empty; expected a mapping with name, brief and agenda"
    )


def test_empty_file_on_disk(tmp_path: Path) -> None:
    file = tmp_path / "empty.yaml"
    file.write_bytes(b"")
    with pytest.raises(PlanError, match=r":1: \(file\): the plan is empty"):
        load_plan(file)


# -- shape errors -----------------------------------------------------------------


def test_not_a_mapping() -> None:
    assert error("# plan\n- a\n- b\n") == (
        "x.yaml:2: (top level): expected a mapping with name, brief and agenda, got a list"
    )
    assert error("\nhello\n") == (
        "x.yaml:2: (top level): expected a mapping with name, brief and agenda, "
        "got a string 'hello'"
    )


def test_yaml_syntax_error_reports_ruamel_line() -> None:
    text = "name: x\nbrief:\n  problem_as_given: p\nagenda: [\n  - a\n"
    assert error(text) == (
        "x.yaml:5: (yaml): expected the node content, but found '-' (while parsing a flow node)"
    )


def test_yaml_unquoted_colon_gets_a_hint() -> None:
    message = error("name: x\nbrief:\n  problem_as_given: How to: win\n")
    assert message.startswith("x.yaml:3: (yaml): mapping values are not allowed here")
    assert message.endswith("put text that contains ': ' in quotes")


def test_tab_indentation_gets_a_hint() -> None:
    message = error("name: x\n\tbrief: 1\n")
    assert message.startswith("x.yaml:2: (yaml): ")
    assert message.endswith("indent with spaces, not tabs")


def test_duplicate_key() -> None:
    assert error("name: x\nbrief: {}\nname: y\n") == (
        'x.yaml:3: (yaml): found duplicate key "name" with value "y" (original value: "x"); '
        "each key may appear only once in a mapping"
    )


def test_unknown_top_level_key_with_suggestion() -> None:
    text = "name: x\nbrief:\n  problem_as_given: p\n\nagendas: []\n"
    assert error(text, "sessions/x.yaml") == (
        "sessions/x.yaml:5: agendas: unknown key; did you mean 'agenda'? "
        "expected one of: name, brief, participants, agenda, room"
    )


def test_unknown_key_without_close_match() -> None:
    assert error("name: x\ncolour: red\n") == (
        "x.yaml:2: colour: unknown key; expected one of: name, brief, participants, agenda, room"
    )


def test_unknown_nested_keys() -> None:
    assert error("name: x\nbrief:\n  problem_as_given: p\n  backgroud: b\n") == (
        "x.yaml:4: brief.backgroud: unknown key; did you mean 'background'? expected one of: "
        "problem_as_given, background, tried, opportunity_areas, springboards"
    )
    text = plan_text("  - title: a\n    technique: warm_up\n    minuts: 5\n")
    assert error(text) == (
        "x.yaml:7: agenda[0].minuts: unknown key; did you mean 'minutes'? "
        "expected one of: title, technique, minutes, prompts, stimuli, notes, say, card, hits"
    )


def test_unknown_technique_suggests_close_match() -> None:
    agenda = (
        "  - {title: a, technique: warm_up, minutes: 5}\n"
        "  - {title: b, technique: purge, minutes: 5}\n"
        "  - title: Brainstorm\n"
        "    technique: brainstrom\n"
        "    minutes: 20\n"
    )
    assert error(plan_text(agenda), "sessions/x.yaml") == (
        "sessions/x.yaml:8: agenda[2].technique: unknown technique 'brainstrom'; "
        f"did you mean 'brainstorm'? expected one of: {IDS}"
    )


def test_unknown_technique_without_close_match() -> None:
    text = plan_text("  - title: a\n    technique: yoga\n    minutes: 5\n")
    assert error(text) == (
        f"x.yaml:6: agenda[0].technique: unknown technique 'yoga'; expected one of: {IDS}"
    )


def test_technique_written_as_a_name_suggests_the_id() -> None:
    text = plan_text("  - title: a\n    technique: Force-fit\n    minutes: 5\n")
    assert "unknown technique 'Force-fit'; did you mean 'force_fit'?" in error(text)


@pytest.mark.parametrize(
    ("value", "got"),
    [
        ('"ten"', "got a string 'ten'"),
        ('"10"', "got a string '10'; write the number without quotes"),
        ("true", "got a true/false value (true)"),
        ("[10]", "got a list"),
        ("", "got nothing (an empty value)"),
        ("0", "got 0"),
        ("0.001", "got 0.001"),
        ("0.99", "got 0.99"),
        ("-5", "got -5"),
        ("481", "got 481"),
        (".nan", "got nan"),
    ],
)
def test_bad_minutes(value: str, got: str) -> None:
    text = plan_text(f"  - title: a\n    technique: warm_up\n    minutes: {value}\n")
    assert error(text) == (
        "x.yaml:7: agenda[0].minutes: expected a number of minutes, "
        f"at least 1 and at most 480, {got}"
    )


def test_missing_required_keys_name_the_parent_line() -> None:
    assert error("brief:\n  problem_as_given: p\nagenda: []\n") == (
        "x.yaml:1: name: required key missing; expected a non-empty string"
    )
    assert error("name: x\nbrief:\n  background: b\nagenda: []\n") == (
        "x.yaml:2: brief.problem_as_given: required key missing; expected a non-empty string"
    )
    assert error("name: x\nbrief:\n  problem_as_given: p\n") == (
        "x.yaml:1: agenda: required key missing; expected a non-empty list of agenda items"
    )
    assert error("name: x\nagenda: []\n") == (
        "x.yaml:1: brief: required key missing; expected a mapping with problem_as_given"
    )
    agenda = "  - {title: a, technique: warm_up, minutes: 5}\n  - title: b\n    minutes: 5\n"
    assert error(plan_text(agenda)) == (
        f"x.yaml:6: agenda[1].technique: required key missing; expected one of: {IDS}"
    )
    assert error(plan_text("  - technique: warm_up\n    minutes: 5\n")) == (
        "x.yaml:5: agenda[0].title: required key missing; expected a non-empty string"
    )
    assert error(plan_text("  - title: a\n    technique: warm_up\n")) == (
        "x.yaml:5: agenda[0].minutes: required key missing; "
        "expected a number of minutes, at least 1 and at most 480"
    )


def test_empty_agenda() -> None:
    assert error(plan_text(" []\n").replace("agenda:\n", "agenda:")) == (
        "x.yaml:4: agenda: expected a non-empty list of agenda items, got an empty list"
    )


def test_list_item_that_is_not_a_mapping() -> None:
    agenda = "  - {title: a, technique: warm_up, minutes: 5}\n  - Brainstorm for 20 minutes\n"
    assert error(plan_text(agenda)) == (
        "x.yaml:6: agenda[1]: expected a mapping with title, technique and minutes, "
        "got a string 'Brainstorm for 20 minutes'"
    )
    head = "name: x\nbrief:\n  problem_as_given: p\nparticipants:\n  - name: Ana\n  - Maya\n"
    assert error(head + "agenda: []\n") == (
        "x.yaml:6: participants[1]: expected {name: ...}, {alias: ...} or "
        "{anonymous: true}, got a string 'Maya'"
    )


def test_wrong_types() -> None:
    assert error("name: [a]\n") == "x.yaml:1: name: expected a string, got a list"
    assert error("name: x\nbrief: How to win\n") == (
        "x.yaml:2: brief: expected a mapping with problem_as_given, got a string 'How to win'"
    )
    assert error("name: x\nbrief:\n  problem_as_given: p\n  tried: Subscription\n") == (
        "x.yaml:4: brief.tried: expected a list of strings, got a string 'Subscription'"
    )
    assert error(plan_text("  - title: 2024\n")) == (
        "x.yaml:5: agenda[0].title: expected a string, got a number (2024); "
        "put it in quotes to use it as text"
    )
    assert error("name: x\nbrief:\n  problem_as_given: ''\n") == (
        "x.yaml:3: brief.problem_as_given: expected a non-empty string, got an empty string"
    )
    assert error("name: x\nbrief:\n  problem_as_given: p\nagenda: {a: 1}\n") == (
        "x.yaml:4: agenda: expected a non-empty list of agenda items, got a mapping"
    )


def test_unquoted_colon_in_a_prompt() -> None:
    agenda = (
        "  - title: a\n    technique: itemized_response\n    minutes: 5\n"
        "    prompts:\n      - Pluses first\n      - Plus: what is good?\n"
    )
    assert error(plan_text(agenda)) == (
        "x.yaml:10: agenda[0].prompts[1]: expected a non-empty string, got a mapping; "
        "put text that contains ': ' in quotes"
    )


def test_participant_forms() -> None:
    head = "name: x\nbrief:\n  problem_as_given: p\nparticipants:\n"
    tail = "agenda: [{title: a, technique: break, minutes: 5}]\n"
    assert error(head + "  - name: Maya\n    alias: M\n" + tail) == (
        "x.yaml:5: participants[0]: expected exactly one of name, alias or anonymous: true; "
        "got name and alias"
    )
    assert error(head + "  - anonymous: false\n" + tail) == (
        "x.yaml:5: participants[0].anonymous: expected true (to name someone, use name: "
        "or alias:), got a true/false value (false)"
    )
    assert error(head + "  - nickname: M\n" + tail) == (
        "x.yaml:5: participants[0].nickname: unknown key; did you mean 'name'? "
        "expected one of: name, alias, anonymous, role"
    )
    # a name is shown on every screen and the projector: no escape sequence rides along
    assert error(head + '  - name: "\\e[2JEsc"\n' + tail) == (
        "x.yaml:5: participants[0].name: expected a name on one line without control "
        "characters (an escape sequence or a line break), got '\\x1b[2JEsc'"
    )
    assert error(head + '  - alias: "Ana\\u202e"\n' + tail).endswith("got 'Ana\\u202e'")


def test_control_character() -> None:
    assert error("name: x\nbrief: a\x00b\n") == (
        "x.yaml:2: (yaml): character #x0000 is not allowed: special characters are not allowed"
    )


def test_plan_error_is_a_value_error_with_parts() -> None:
    with pytest.raises(ValueError) as caught:
        parse_plan("name: x\ncolour: red\n", "p.yaml")
    exc = caught.value
    assert isinstance(exc, PlanError)
    assert (exc.path, exc.line, exc.field) == ("p.yaml", 2, "colour")
    assert str(pickle.loads(pickle.dumps(exc))) == str(exc)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [*x]\n",
        "name: !!binary aGVsbG8=\n",
        "? [a, b]\n: c\n",
        "name: x\nbrief:\n  problem_as_given: p\nagenda:\n  - <<: {technique: warm_up}\n",
        "name: x\nbrief:\n  problem_as_given: p\nagenda:\n  - [a]\n",
        "name: x\nbrief:\n  problem_as_given: p\nagenda:\n  - {title: a, technique: [x]}\n",
        "%YAML 1.2\n---\nname: x\n---\nname: y\n",
        "[" * 2000,
        "name: x\nbrief: {problem_as_given: p}\nagenda: [{title: t, technique: purge, "
        "minutes: 5, stimuli: [{}]}]\n",
        "name: x\nbrief: {problem_as_given: p}\nparticipants: [{}]\nagenda: []\n",
    ],
)
def test_odd_input_only_raises_plan_error(text: str) -> None:
    error(text)


# -- warnings --------------------------------------------------------------------


def agenda_of(*items: tuple[str, float]) -> SessionPlan:
    lines = "".join(
        f"  - {{title: {tech.title()}, technique: {tech}, minutes: {minutes}}}\n"
        for tech, minutes in items
    )
    return parse_plan(plan_text(lines))


def test_sensible_plan_has_no_warnings() -> None:
    plan = agenda_of(
        ("warm_up", 10),
        ("purge", 15),
        ("brainstorm", 25),
        ("break", 15),
        ("springboards", 20),
        ("direct_analogy", 15),
        ("force_fit", 20),
        ("wrap_up", 10),
    )
    assert check_plan(plan) == []


def test_no_break_in_a_long_plan() -> None:
    plan = agenda_of(("warm_up", 10), ("brainstorm", 60), ("springboards", 60))
    assert check_plan(plan) == [
        "agenda: no break in a 130-minute plan; add an item with technique: break "
        "every 90 minutes or so"
    ]


def test_long_stretch_between_breaks() -> None:
    plan = agenda_of(("warm_up", 10), ("break", 10), ("brainstorm", 70), ("springboards", 60))
    assert check_plan(plan) == [
        "agenda[2] 'Brainstorm' (brainstorm) to agenda[3] 'Springboards' (springboards): "
        "130 minutes without a break; add a break in between"
    ]


def test_short_divergent_phase() -> None:
    plan = agenda_of(("brainstorm", 2), ("wrap_up", 2))
    assert check_plan(plan) == [
        "agenda[0] 'Brainstorm' (brainstorm): only 2 minutes for a divergent phase; "
        "under 3 minutes rarely gets past the obvious ideas"
    ]


def test_total_over_six_hours() -> None:
    plan = agenda_of(*[("brainstorm", 60), ("break", 15)] * 5)
    warnings = check_plan(plan)
    assert warnings[0].startswith("agenda: 375 minutes in total is over 6 hours")
    assert len(warnings) == 1


def test_identical_consecutive_techniques() -> None:
    plan = agenda_of(("brainstorm", 10), ("brainstorm", 10))
    assert check_plan(plan) == [
        "agenda[1] 'Brainstorm' (brainstorm): same technique as agenda[0] 'Brainstorm' "
        "just before; merge them or vary the technique"
    ]


def test_force_fit_without_an_excursion() -> None:
    plan = agenda_of(("springboards", 10), ("force_fit", 10))
    assert check_plan(plan) == [
        "agenda[1] 'Force_Fit' (force_fit): no analogy excursion before it, "
        "so there is no material to force-fit"
    ]


def test_duplicate_participant_labels() -> None:
    text = VALID.replace("alias: Bean", "name: maya")
    assert check_plan(parse_plan(text)) == [
        "participants: 'maya' appears more than once; ideas could not be told apart — use an alias"
    ]


# -- the shipped plans -----------------------------------------------------------


@pytest.mark.parametrize("name", ["half-day.yaml", "sprint-90.yaml"])
def test_shipped_plan_loads(name: str) -> None:
    path = SESSIONS / name
    if not path.exists():
        pytest.skip(f"sessions/{name} not written yet")
    plan = load_plan(path)
    assert plan.name and plan.brief.problem_as_given
    assert plan.agenda
    assert all(item.technique in TECHNIQUES for item in plan.agenda)
    assert isinstance(check_plan(plan), list)


# -- the technique catalogue ------------------------------------------------------


def test_catalogue_has_exactly_the_expected_ids() -> None:
    assert list(TECHNIQUES) == EXPECTED_IDS
    assert all(t.id == key for key, t in TECHNIQUES.items())


@pytest.mark.parametrize("tech", TECHNIQUES.values(), ids=lambda t: t.id)
def test_every_technique_has_guide_text(tech: Technique) -> None:
    assert tech.name.strip()
    assert tech.say.strip()
    assert 3 <= len(tech.rules) <= 5 and all(rule.strip() for rule in tech.rules)
    if tech.id != "break":
        assert 4 <= len(tech.default_prompts) <= 8
    assert all(prompt.strip() for prompt in tech.default_prompts)


def test_divergent_phases() -> None:
    divergent = {t.id for t in TECHNIQUES.values() if t.divergent}
    assert divergent == {
        "warm_up",
        "brainstorm",
        "brainwriting",
        "purge",
        "springboards",
        "direct_analogy",
        "personal_analogy",
        "symbolic_analogy",
        "fantasy_analogy",
        "force_fit",
    }


def test_starters() -> None:
    assert {"I wish…", "How to…"} <= set(technique("springboards").starters)
    assert technique("itemized_response").starters == ("Plus:", "Potential:", "How to…")


def test_unknown_technique_lookup() -> None:
    with pytest.raises(KeyError, match="brainstrom"):
        technique("brainstrom")


# -- roles and templates --------------------------------------------------------------------


def test_roles_are_checked_and_one_problem_owner_at_most() -> None:
    head = "name: x\nbrief:\n  problem_as_given: p\nparticipants:\n"
    tail = "agenda: [{title: a, technique: break, minutes: 5}]\n"
    plan = parse_plan(head + "  - name: Maya\n  - name: Hanna\n    role: problem_owner\n" + tail)
    assert plan.problem_owner == PlannedParticipant("Hanna", role="problem_owner")
    assert plan.session_participants()[1] == {
        "label": "Hanna",
        "anonymous": False,
        "role": "problem_owner",
    }
    assert error(head + "  - name: Maya\n    role: owner\n" + tail) == (
        "x.yaml:6: participants[0].role: unknown role 'owner'; expected one of: problem_owner"
    )
    two = "  - name: A\n    role: problem_owner\n  - name: B\n    role: problem_owner\n"
    assert error(head + two + tail) == (
        "x.yaml:8: participants[1].role: only one problem owner per session; "
        "participants[0] is one already"
    )


def test_templates_name_known_placeholders_with_line_numbers() -> None:
    item = "  - title: f\n    technique: force_fit\n    minutes: 5\n"
    plan = parse_plan(plan_text(item + "    card: '{example} meets {springboard}'\n"))
    assert plan.agenda[0].card == "{example} meets {springboard}"
    assert error(plan_text(item + "    say: >-\n      Hello\n      {exampel} there\n")) == (
        "x.yaml:8: agenda[0].say: unknown placeholder {exampel}; expected one of: "
        "{springboard}, {example}, {feeling}, {book_title}, {fantasy_example}, {idea}"
    )
    assert error(plan_text(item + "    card: 'a {b'\n")).startswith(
        "x.yaml:8: agenda[0].card: broken placeholder"
    )
    assert error(plan_text(item + "    card: '{example!r}'\n")).startswith(
        "x.yaml:8: agenda[0].card: broken placeholder"
    )


def test_a_template_whose_pick_comes_nowhere_before_it_is_warned() -> None:
    agenda = (
        "  - {title: s, technique: springboards, minutes: 5}\n"
        "  - {title: f, technique: force_fit, minutes: 5, card: '{book_title} and {springboard}'}\n"
    )
    warnings = [w for w in check_plan(parse_plan(plan_text(agenda))) if "uses {" in w]
    assert len(warnings) == 1
    assert warnings[0].startswith("agenda[1] 'f' (force_fit): its card uses {book_title}, but no")


# -- the room: hits per item and anonymous join -----------------------------------------------

ROOM_HEAD = "name: x\nbrief:\n  problem_as_given: p\n"


def test_hits_and_anonymous_join_load_with_their_defaults() -> None:
    agenda = (
        "agenda:\n"
        "  - {title: Write, technique: brainwriting, minutes: 10}\n"
        "  - {title: Tap, technique: hits, minutes: 5}\n"
        "  - {title: Tap again, technique: hits, minutes: 5, hits: 5}\n"
    )
    plan = parse_plan(ROOM_HEAD + agenda)
    assert [item.hits for item in plan.agenda] == [3, 3, 5]
    assert not plan.anonymous_join
    assert parse_plan(ROOM_HEAD + "room:\n  anonymous_join: true\n" + agenda).anonymous_join
    assert check_plan(plan) == [
        "agenda[2] 'Tap again' (hits): same technique as agenda[1] 'Tap' just before;"
        " merge them or vary the technique"
    ]


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        (
            "room:\n  anonymous_join: yes please\n",
            "x.yaml:5: room.anonymous_join: expected true or false, got a string 'yes please'",
        ),
        (
            "room:\n  anonymus_join: true\n",
            "x.yaml:5: room.anonymus_join: unknown key; did you mean 'anonymous_join'?"
            " expected one of: anonymous_join",
        ),
        (
            "room: true\n",
            "x.yaml:4: room: expected a mapping with anonymous_join, got a true/false value (true)",
        ),
        (
            "agenda:\n  - {title: T, technique: hits, minutes: 5, hits: 0}\n",
            "x.yaml:5: agenda[0].hits: expected a whole number of hits per participant,"
            " 1 to 20, got 0",
        ),
        (
            "agenda:\n  - {title: T, technique: hits, minutes: 5, hits: 2.5}\n",
            "x.yaml:5: agenda[0].hits: expected a whole number of hits per participant,"
            " 1 to 20, got 2.5",
        ),
        (
            "agenda:\n  - {title: T, technique: hits, minutes: 5, hits: '3'}\n",
            "x.yaml:5: agenda[0].hits: expected a whole number of hits per participant,"
            " 1 to 20, got a string '3'; write the number without quotes",
        ),
        (
            "agenda:\n  - {title: T, technique: brainstorm, minutes: 5, hits: 3}\n",
            "x.yaml:5: agenda[0].hits: only an item with technique: hits takes hits; remove"
            " it or change the technique (this one is brainstorm)",
        ),
    ],
)
def test_room_settings_errors_name_the_line(tail: str, message: str) -> None:
    agenda = "agenda: [{title: a, technique: break, minutes: 5}]\n"
    text = ROOM_HEAD + tail + ("" if tail.startswith("agenda") else agenda)
    assert error(text) == message


def test_hits_with_nothing_captured_before_is_warned() -> None:
    agenda = "agenda:\n  - {title: Tap, technique: hits, minutes: 5}\n"
    assert check_plan(parse_plan(ROOM_HEAD + agenda)) == [
        "agenda[0] 'Tap' (hits): no phase before it captures ideas, so there is nothing to tap"
    ]
