"""Kinds of entry in the capture line, one-letter names, and names that match nobody."""

from __future__ import annotations

from pathlib import Path

import pytest

from ideation.live.capture import parse_capture
from ideation.live.clock import FakeClock
from ideation.live.plan import parse_plan
from ideation.live.session import LiveSession, start_session
from ideation.records import Participant
from ideation.store import Store

PEOPLE = [
    Participant(1, 1, "Maya"),
    Participant(2, 1, "Tom"),
    Participant(3, 1, "Ana"),
    Participant(4, 1, "Kwame"),
    Participant(5, 1, "Priya"),
    Participant(6, 1, "Jonas"),
]


@pytest.mark.parametrize(
    ("line", "text", "who", "entry", "builds_on"),
    [
        ("M: one letter is enough", "one letter is enough", "Maya", None, None),
        ("k: lower case too", "lower case too", "Kwame", None, None),
        ("/s I wish it knew me", "I wish it knew me", None, "springboard", None),
        ("/x like a beehive", "like a beehive", None, "excursion", None),
        ("/c how to keep it cheap", "how to keep it cheap", None, "concern", None),
        ("/p saves time", "saves time", None, "plus", None),
        ("/o could grow", "could grow", None, "potential", None),
        ("/i just an idea", "just an idea", None, "idea", None),
        ("+3 /c M: all three", "all three", "Maya", "concern", 3),
        ("M: /o +3 any order", "any order", "Maya", "potential", 3),
        ("/O upper case kind", "upper case kind", None, "potential", None),
        ("/some path stays text", "/some path stays text", None, None, None),
        ("/c", "", None, "concern", None),
    ],
)
def test_prefixes(line: str, text: str, who: str | None, entry: str | None, builds_on) -> None:
    parsed = parse_capture(line, PEOPLE)
    assert parsed.text == text
    assert (parsed.participant.label if parsed.participant else None) == who
    assert parsed.entry == entry and parsed.builds_on_seq == builds_on
    assert parsed.note == ""


@pytest.mark.parametrize(
    ("line", "note"),
    [
        ("9: no ninth person", "no participant '9' — kept as typed"),
        ("Bob: no such person", "no participant 'Bob' — kept as typed"),
        ("+2 Bob: after a link", "no participant 'Bob' — kept as typed"),
    ],
)
def test_unknown_names_are_kept_and_noted(line: str, note: str) -> None:
    parsed = parse_capture(line, PEOPLE)
    assert parsed.participant is None and parsed.note == note
    assert parsed.text == line.removeprefix("+2 ")


def test_an_ambiguous_start_names_the_candidates() -> None:
    people = [*PEOPLE, Participant(7, 1, "Marta")]
    parsed = parse_capture("Ma: which one", people)
    assert (
        parsed.text == "Ma: which one"
        and parsed.note == "'Ma' could be Maya or Marta — kept as typed"
    )


def test_long_text_before_a_colon_is_just_text() -> None:
    parsed = parse_capture("The real problem is: mornings", PEOPLE)
    assert parsed.text == "The real problem is: mornings" and parsed.note == ""


PLAN = """
name: Kinds
brief: {problem_as_given: Mornings}
participants: [{name: Maya}, {name: Tom}, {name: Ana}, {name: Kwame}, {name: Priya}, {name: Jonas}]
agenda:
  - {title: Purge, technique: purge, minutes: 10}
  - {title: Understood, technique: problem_as_understood, minutes: 10}
  - {title: Springboards, technique: springboards, minutes: 10}
  - {title: Direct, technique: direct_analogy, minutes: 10}
  - {title: Personal, technique: personal_analogy, minutes: 10}
  - {title: Symbolic, technique: symbolic_analogy, minutes: 10}
  - {title: Fantasy, technique: fantasy_analogy, minutes: 10}
  - {title: Force-fit, technique: force_fit, minutes: 10}
  - {title: Itemized, technique: itemized_response, minutes: 10}
"""

DEFAULTS = [
    "idea",
    "springboard",
    "springboard",
    "excursion",
    "excursion",
    "excursion",
    "excursion",
    "idea",
    "plus",
]


@pytest.fixture
def live(db_path: Path) -> LiveSession:
    clock = FakeClock()
    store = Store(db_path, clock=clock.now)
    return LiveSession(store, start_session(store, parse_plan(PLAN, "k.yaml")).id, clock)


def test_each_technique_sets_the_default_kind_and_a_prefix_overrides_it(
    live: LiveSession,
) -> None:
    for position, expected in enumerate(DEFAULTS):
        live.go_to(position)
        assert live.capture("M: said here").idea.entry == expected
        assert live.capture("/i M: said here").idea.entry == "idea"
    stored = [row.entry for row in live.store.idea_rows(live.session.id)]
    assert stored[::2] == DEFAULTS


def test_unknown_prefix_is_stored_as_typed_with_a_note(live: LiveSession) -> None:
    live.go_to(0)
    captured = live.capture("9: with six people")
    assert captured.idea.text == "9: with six people" and captured.idea.participant_id is None
    assert captured.note == "no participant '9' — kept as typed"
    assert live.capture("M: Maya by one letter").idea.participant_id == live.participants[0].id


def test_corrections_and_withdrawals_keep_the_entry_kind(live: LiveSession) -> None:
    live.go_to(3)
    idea = live.capture("like a beehive").idea
    row = live.withdraw(idea.seq)
    assert row.entry == "excursion"
    assert live.store.idea_rows(live.session.id)[-1].entry == "excursion"
