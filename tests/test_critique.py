"""Provides tests for the criticism nudge shown while ideas are captured.

A miss lets judgement slip into a divergent phase unnoticed; a false alarm on
a neutral idea ("a cheaper refill pouch") teaches the facilitator to ignore
the nudge. Both directions are tabled here.
"""

from __future__ import annotations

import dataclasses

import pytest

from ideation.live.critique import Critique, detect_critique

#: Criticism, with the words the nudge should quote (None: any phrase will do).
CRITICAL: list[tuple[str, str | None]] = [
    ("that won't work", "won't work"),
    ("That won’t work", "won’t work"),
    ("It will never work", "will never work"),
    ("THAT WONT WORK", "WONT WORK"),
    ("That'll never work", "never work"),
    ("too expensive", "too expensive"),
    ("Oat milk pods are way too expensive", "way too expensive"),
    ("too costly for a small café", "too costly"),
    ("The app is too complicated", "too complicated"),
    ("Delivery is too slow", "too slow"),
    ("I think drones would be too risky", "too risky"),
    ("Love the colour but the pods cost too much", "cost too much"),
    ("Yes, but the cups would leak", "Yes, but"),
    ("yeah but who cleans it", "yeah but"),
    ("Yes… but what about kids?", "Yes… but"),
    ("bad idea", "bad idea"),
    ("what a stupid idea", "stupid idea"),
    ("It's not a good idea", "not a good idea"),
    ("That's stupid", "That's stupid"),
    ("That’s dumb", "That’s dumb"),
    ("this is ridiculous", "this is ridiculous"),
    ("sounds pointless", "sounds pointless"),
    ("that is terrible", "that is terrible"),
    ("Stupid!", "Stupid"),
    ("rubbish", "rubbish"),
    ("How silly", "How silly"),
    ("Nobody would buy that", "Nobody would buy that"),
    ("Nobody wants that", "Nobody wants that"),
    ("no one will use it", "no one will use it"),
    ("We tried that last year", "We tried that"),
    ("It's been done before", "It's been done"),
    ("Can't be done", "Can't be done"),
    ("cant be done", "cant be done"),
    ("That's impossible", "impossible"),
    ("not realistic", "not realistic"),
    ("totally unrealistic", "unrealistic"),
    ("not practical", "not practical"),
    ("a waste of time", "waste of time"),
    ("Honestly a waste of money", "waste of money"),
    ("It doesnt make sense", "doesnt make sense"),
    ("those mugs wont sell", "wont sell"),
    ("Who would pay for that?", "Who would pay for"),
    ("Nice, but who'd even buy it?", "who'd even buy it"),
    ("I don't like it", "I don't like it"),
    ("I hate that idea", "I hate that idea"),
    ("that's never going to happen", "never going to happen"),
    ("The problem with that is the cost", "The problem with that is"),
    ("get real", "get real"),
    ("I wish it wasn't so expensive. That's stupid though.", "That's stupid"),
    ("☕ too expensive 💸", "too expensive"),
]

#: Ideas that mention price, problems or negation without judging anything.
NOT_CRITICAL: list[str] = [
    "a cheaper refill pouch",
    "price match for subscribers",
    "fix the problem of cold coffee",
    "no-spill lid",
    "never run out of beans — auto reorder",
    "a mug that can't tip over",
    "a mug that can’t tip over",
    "coffee that won't go cold",
    "an expensive-feeling gift box at a low price",
    "solve the problem of bitter pods",
    "How to make it less expensive?",
    "How might we make refills cheaper?",
    "I wish it wasn't so expensive",
    "I wish it wasn't too expensive",
    "it's not too expensive if it's a subscription",
    "I don't like bitter coffee — add a sweetener pod",
    "people who would pay extra for oat milk",
    "a subscription that won't sell out",
    "silly straws for kids",
    "recycle rubbish into cups",
    "ridiculously cheap refills",
    "an impossible-to-spill travel cup",
    "a cup that is impossible to spill",
    "Yes, and add a lid",
    "no waste of coffee grounds — compost kit",
    "the problem with lids is they leak — magnetic lid",
    "a no-nonsense one-button brewer",
    "nobody has to wait: a 30-second brewer",
    "we tried oat milk last year and loved it — make it default",
    "a timer so coffee never goes cold",
    "☕️🔥 latte art stencils",
    "👍",
    "כוס קפה שלא נשפכת ליד המחשב",
    "فنجان قهوة لا ينسكب",
    "",
    "   \n\t",
]


@pytest.mark.parametrize(("text", "phrase"), CRITICAL)
def test_criticism_is_caught(text: str, phrase: str | None) -> None:
    found = detect_critique(text)
    assert found is not None, f"missed criticism in {text!r}"
    assert found.phrase in text, "the phrase must be quoted as written"
    if phrase is not None:
        assert found.phrase == phrase


@pytest.mark.parametrize("text", NOT_CRITICAL)
def test_neutral_ideas_are_left_alone(text: str) -> None:
    assert detect_critique(text) is None


@pytest.mark.parametrize(("text", "_phrase"), CRITICAL)
def test_reframe_is_a_how_to_question(text: str, _phrase: str | None) -> None:
    found = detect_critique(text)
    assert found is not None
    assert found.reframe.startswith("How to ")
    assert found.reframe.endswith("?")
    assert "{" not in found.reframe, "template placeholders must all be filled"


@pytest.mark.parametrize(
    ("text", "reframe"),
    [
        ("too expensive", "How to make it affordable?"),
        ("Oat milk pods are way too expensive", "How to make oat milk pods affordable?"),
        ("The app is too complicated", "How to make the app simple?"),
        ("Love the colour but the pods cost too much", "How to make the pods affordable?"),
        ("those mugs wont sell", "How to make people want to buy those mugs?"),
        ("That’s too expensive", "How to make it affordable?"),
        ("Yes, but the cups would leak", "How to overcome the concern that the cups would leak?"),
        ("The problem with that is the cost", "How to overcome the cost?"),
        ("a waste of money", "How to make it worth the money?"),
        ("that won't work", "How to make it work?"),
    ],
)
def test_reframe_is_built_from_the_idea(text: str, reframe: str) -> None:
    found = detect_critique(text)
    assert found is not None
    assert found.reframe == reframe


def test_springboard_sentence_does_not_hide_later_criticism() -> None:
    assert detect_critique("How to make it cheaper?") is None
    found = detect_critique("How to make it cheaper? Honestly it's too expensive.")
    assert found == Critique(phrase="too expensive", reframe="How to make it affordable?")


def test_critique_is_frozen() -> None:
    found = detect_critique("bad idea")
    assert isinstance(found, Critique)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.phrase = "fine"  # type: ignore[misc]
