"""Gibberish in open-ends: flagged, and never counted as an original idea (issue #13 §3).

"asdf jkl qwe" once passed the check and was reported as "rarer than 99%":
nonsense is rare by construction, so a missed check turns it into the most
original answer of the batch. Real short answers must still pass.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FakeEmbedder

from ideation.screening.creativity import TaskAnswer, idea_problem, score_creativity
from ideation.screening.originality import ScorerOffWarning
from ideation.screening.quality import gibberish_reason

MUG = "List as many unusual uses for a coffee mug as you can think of — one per line."


@pytest.mark.parametrize(
    "answer",
    [
        "asdf jkl qwe",  # mashing plus short row runs
        "qwe qwe",  # repeated short nonsense
        "jkl",
        "sdf jkl",
        "zxc",
        "asdf asdf asdf",
        "qwerqwer",
        "dfgdfg",
        "lkj hgf dsa",  # runs along a row, right to left
        "xxxxxxxxxxxx the end",  # a key held down
    ],
)
def test_keyboard_mashing_and_short_nonsense_are_flagged(answer: str) -> None:
    assert gibberish_reason(answer, MUG) == f'"{answer}" looks like keyboard mashing'


@pytest.mark.parametrize(
    "answer", ["blah blah", "xyz xyz", "lol", "Meh.", "stuff", "blah blah blah", "hmm idk"]
)
def test_filler_words_are_non_answers_even_repeated(answer: str) -> None:
    assert gibberish_reason(answer, MUG) == f'"{answer}" is a non-answer'


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ("testing testing", "is a non-answer"),
        ("hello world", "is a non-answer"),
        ("Nothing really.", "is a non-answer"),
        ("this is a test answer", "is a non-answer"),
        ("This is a test of the form", "is placeholder text"),
        ("Lorem ipsum dolor sit amet", "is placeholder text"),
        ('=HYPERLINK("http://x.example","click")', "is a spreadsheet formula, not an answer"),
        ("+SUM(A1:A9)", "is a spreadsheet formula, not an answer"),
    ],
)
def test_what_people_type_to_try_a_form_is_no_idea(answer: str, why: str) -> None:
    """A walkthrough found these counted as rare ideas: the hostile row ranked #1."""
    assert gibberish_reason(answer, MUG).endswith(f'" {why}')
    assert idea_problem(answer, MUG) is not None


@pytest.mark.parametrize(
    "answer",
    [
        "hello kitty mug for the kids",  # a non-answer word among real ones
        "a test tube rack",
        "=) smiley latte art",  # no function call
        "pen holder",
        "doorstop",
        "use as a hat",
        "power lines",  # top-row letters, but words
        "pimple popper",
        "typewriter stand",
        "wet rope",
        "tower",
        "pot",
        "cup",
        "dvd stand",
        "a lolly stick holder",  # "lol" inside a word
        "abc blocks for the kids",  # a filler word among real ones
        "something to hold my stuff",
        "poi",  # a run along the top row, right to left, and a word
        "zoo",  # three letters, two of them the same
        "egg",
    ],
)
def test_real_short_answers_are_not_flagged(answer: str) -> None:
    assert gibberish_reason(answer, MUG) is None
    assert idea_problem(answer, MUG) is None


@pytest.mark.parametrize(
    "answer", ["use it as a hat use it as a hat use it as a hat", "a hat, " * 200 + "the end"]
)
def test_a_phrase_pasted_over_and_over_is_not_an_idea(answer: str) -> None:
    assert gibberish_reason(answer, MUG).endswith('…" repeats itself')
    assert idea_problem(answer, MUG) is not None


@pytest.mark.parametrize(
    "answer",
    [
        "use it as a hat and use it as a bowl",  # a phrase twice is not pasting
        "You miss out on things when you have been living under a rock but if you have been"
        " living under a rock",  # the most repetitive of 2,439 long AUT answers
    ],
)
def test_real_answers_that_repeat_a_little_are_ideas(answer: str) -> None:
    assert gibberish_reason(answer, MUG) is None


@pytest.mark.parametrize("answer", ["zzz", "aaaa", "abab", "z z z"])
def test_one_or_two_characters_repeated_are_flagged(answer: str) -> None:
    assert gibberish_reason(answer, MUG) == f'"{answer}" is one or two characters repeated'


def test_gibberish_never_scores_as_originality() -> None:
    """In a batch where every real idea is common, the nonsense is the rarest text;
    it must be dropped, not counted as the batch's most original idea."""
    common = "pen holder\ndoorstop\nplant pot"
    answers = [TaskAnswer(f"r{i}", "uses", MUG, common) for i in range(30)]
    answers.append(TaskAnswer("masher", "uses", MUG, "pen holder\nasdf jkl qwe\nqwe qwe"))
    with pytest.warns(ScorerOffWarning):  # the fake vectors are not the model's kind
        scores = score_creativity(answers, FakeEmbedder())
    masher = scores["masher"]
    notes = masher.tasks["uses"].ideas
    counted = [n.text for n in notes if n.counted]
    assert counted == ["pen holder"]
    assert all(n.originality is None and not n.rare for n in notes if n.text != "pen holder")
    assert masher.explanation.rare == ()
    assert {why for _, _, why in masher.explanation.dropped} == {
        '"asdf jkl qwe" looks like keyboard mashing',
        '"qwe qwe" looks like keyboard mashing',
    }
    # Their originality is that of "pen holder" alone, like anyone who wrote only that.
    typical = scores["r0"].tasks["uses"].ideas[0].originality
    assert masher.tasks["uses"].originality == pytest.approx(typical)
    assert np.isfinite(masher.score)


def test_a_list_is_flagged_only_when_none_of_its_lines_is_an_idea() -> None:
    """Scoring drops junk lines one by one; the flag (which excludes) judges the list
    the same way: a junk line beside a real idea is dropped, not a reason to exclude,
    whichever line comes first, and a list of junk quotes its lines."""
    from types import SimpleNamespace

    from ideation.paths import shipped_file
    from ideation.screening.quality import gibberish
    from ideation.screening.screener_yaml import load_screener

    questions = load_screener(shipped_file("screeners", "home-coffee.yaml")).questions
    answers = {
        "mashing first": "asdf jkl qwe\npen holder",
        "mashing last": "doorstop\nqwe qwe",
        "all junk": "asdf\nqwer\nzxcv",
        "one line": "asdf jkl qwe",
    }
    people = [SimpleNamespace(id=who, answers={"mug_uses": a}) for who, a in answers.items()]

    flagged = {who: flag.reason for who, flag in gibberish(people, questions)}

    assert flagged == {
        "all junk": 'mug_uses: none of its 3 lines is an idea: "asdf" looks like keyboard'
        ' mashing; "qwer" looks like keyboard mashing; and 1 more',
        "one line": 'mug_uses: "asdf jkl qwe" looks like keyboard mashing',
    }


def test_scoring_and_the_flag_read_each_answer_once(
    monkeypatch: pytest.MonkeyPatch, fake_embedder: FakeEmbedder
) -> None:
    """An assessment splits and judges the open-ended answers once: the gibberish flag
    reads what creativity scoring read (a panel's 300,000 answers cost 12 s a reading),
    and flags exactly what a reading of its own flags."""
    from types import SimpleNamespace

    from ideation.paths import shipped_file
    from ideation.screening import quality
    from ideation.screening.screener_yaml import load_screener

    questions = load_screener(shipped_file("screeners", "home-coffee.yaml")).questions
    prompts = {q.id: q.text for q in questions if q.type == "creativity"}
    answers = {
        "a": {"mug_uses": "asdf\nqwer\nzxcv", "brand_animal": "qwe qwe"},
        "b": {"mug_uses": "pen holder\nasdf jkl", "brand_animal": "a fox, quick and warm"},
        "c": {"mug_uses": "doorstop\npen holder", "brand_animal": "zzz"},
    }
    people = [SimpleNamespace(id=who, answers=said) for who, said in answers.items()]
    judged: list[str] = []
    reason = quality.gibberish_reason
    monkeypatch.setattr(
        quality, "gibberish_reason", lambda text, q="": judged.append(text) or reason(text, q)
    )
    readings = quality.Readings()
    score_creativity(
        [TaskAnswer(w, t, prompts[t], a) for w, said in answers.items() for t, a in said.items()],
        embed=fake_embedder.embed,
        readings=readings,
    )
    read_by_scoring = len(judged)

    shared = quality.gibberish(people, questions, readings)

    assert len(judged) == read_by_scoring > 0  # nothing judged twice
    assert shared == quality.gibberish(people, questions)  # a reading of its own
    assert {who for who, _ in shared} == {"a", "c"}
