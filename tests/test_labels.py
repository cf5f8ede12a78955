"""Theme labels: content words shared by the theme's ideas, never filler or one idea's quirk."""

from __future__ import annotations

import pytest

from ideation.analysis.labels import GENERIC, SEPARATOR, stop_words, theme_labels

#: Two themes of a coffee-machine session. Theme 0 says "app", "help", "used", "make" and
#: "ability" in nearly every idea (filler: it names nothing); what it is about is alarms and
#: mornings. One idea of theme 0 alone says "ai", which no label may take from one idea.
MORNINGS = [
    "An app that helps you make coffee when the alarm rings in the morning",
    "The app used to make the morning brew could help with the alarm",
    "Ability to make coffee from the app before the alarm, helps every morning",
    "App with the ability to help you wake: coffee ready at alarm time",
    "Use the app to make a morning schedule, it helps with the alarm",
    "An ai barista in the app that helps you make coffee",
]
PODS = [
    "Compost the pods in the garden bin",
    "Pods that go in the garden compost",
    "Paper pods you can compost at home",
    "Send pods back; they compost them for the garden",
    "Compost pods with coffee grounds for the garden",
]
TEXTS = MORNINGS + PODS
ASSIGNMENT = [0] * len(MORNINGS) + [1] * len(PODS)


def words_of(label: str) -> list[str]:
    return label.split(SEPARATOR)


def test_filler_words_never_label_a_theme() -> None:
    mornings, pods = theme_labels(TEXTS, ASSIGNMENT, [0, len(MORNINGS)])
    assert set(words_of(mornings)) <= {"alarm", "morning", "coffee"}, mornings
    assert "alarm" in words_of(mornings) and "morning" in words_of(mornings)
    for filler in ("app", "help", "helps", "used", "use", "make", "ability"):
        assert filler not in words_of(mornings)
    assert set(words_of(pods)) == {"compost", "pods", "garden"}


def test_a_label_word_needs_two_of_the_themes_ideas() -> None:
    # "ai" is in one idea only: with many more themes it would be the most distinctive word.
    texts = ["ai kettle", "kettle boils", "kettle timer", "grinder noise", "grinder beans"]
    labels = theme_labels(texts, [0, 0, 0, 1, 1], [0, 3])
    assert "ai" not in words_of(labels[0])
    assert words_of(labels[0]) == ["kettle"]
    # Only one idea says "boils" or "timer" either: they are out too.
    assert words_of(labels[1]) == ["grinder"]


def test_a_theme_without_a_shared_word_falls_back_to_its_representative() -> None:
    texts = ["solar kettle", "wooden grinder", "pods compost", "pods garden"]
    labels = theme_labels(texts, [0, 0, 1, 1], [1, 2])
    assert labels == ["wooden grinder", "pods"]


def test_a_study_extends_the_stop_list() -> None:
    texts = [
        "Brewline kettle that boils at the alarm",
        "a kettle on a timer, BREWLINE app",
        "pods to compost",
        "pods in the garden, compost them",
    ]
    plain = theme_labels(texts, [0, 0, 1, 1], [0, 2])
    assert "brewline" in words_of(plain[0])  # the brand sets theme 0 apart, but says nothing
    own = theme_labels(texts, [0, 0, 1, 1], [0, 2], extra_stop_words=["  BrewLine ", ""])
    assert words_of(own[0]) == ["kettle"]
    assert own[1] == plain[1]


@pytest.mark.parametrize("word", ["used", "help", "app", "ability", "make"])
def test_the_issue_s_filler_words_are_stop_words(word: str) -> None:
    assert word in GENERIC and word in stop_words()
    assert "jargon" in stop_words(["Jargon"]) and "jargon" not in stop_words()
