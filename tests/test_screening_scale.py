"""Screening at a panel's size, at small sizes: the blocked copy search finds what the
all-pairs search found, a bot farm is one group (three named, the rest counted), and a
stopped scoring run keeps its work. Speed and memory are measured by bench/screening.py."""

from __future__ import annotations

import random
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ideation.live.clock import SystemClock
from ideation.paths import shipped_file
from ideation.screening import pipeline, quality
from ideation.screening.answers import normalise
from ideation.screening.definition import Question
from ideation.screening.desk import RecruitDesk
from ideation.screening.pipeline import import_responses
from ideation.screening.quality import contact_keys, duplicate_open_ends, near_pairs
from ideation.screening.screener_yaml import load_screener
from ideation.store import Store

EXPORT = Path(__file__).parent / "data" / "qualtrics_home_coffee.csv"
TASK = Question(id="uses", text="List uses for a brick", type="creativity")
WORDS = "brick wall garden door paper weight hold build stack sell paint heat".split()


@dataclass(frozen=True)
class Person:
    id: str
    answers: dict[str, Any]
    contact: dict[str, str] = field(default_factory=dict)
    duration_seconds: float | None = None


def all_pairs(
    people: list[Person], vectors: dict[tuple[Hashable, str], np.ndarray]
) -> dict[Hashable, tuple[str, frozenset[Hashable], float]]:
    """What the copy search must find, the slow way: every pair compared. For each
    person: "same" or "near", the others (another person: no shared email or phone),
    and the best cosine."""
    contacts = contact_keys(people)
    texts = {
        p.id: normalise(p.answers["uses"])
        for p in people
        if quality.long_enough_to_compare(p.answers["uses"])
    }
    found: dict[Hashable, tuple[str, frozenset[Hashable], float]] = {}
    for key, text in texts.items():
        apart = [o for o in texts if o != key and not contacts[key] & contacts[o]]
        same = frozenset(o for o in apart if texts[o] == text)
        if same:
            found[key] = ("same", same, 1.0)
            continue
        mine = vectors[(key, "uses")]
        near = {o: float(mine @ vectors[(o, "uses")]) for o in apart if texts[o] != text}
        near = {o: score for o, score in near.items() if score >= 0.95}
        if near:
            found[key] = ("near", frozenset(near), max(near.values()))
    return found


def crowd(size: int, seed: int) -> tuple[list[Person], dict[tuple[Hashable, str], np.ndarray]]:
    """People answering from a small pool of lists (so many share a text), some sharing an
    email or phone, each list's vector a function of its words (so rewordings are near)."""
    rng = random.Random(seed)
    lists = [" ".join(rng.choices(WORDS, k=rng.randint(4, 9))) for _ in range(size // 2)]
    people = []
    for n in range(size):
        text = rng.choice(lists)
        if rng.random() < 0.2:
            text = text.upper() + "!"  # the same text, normalised
        elif rng.random() < 0.3:
            text = " ".join(rng.sample(text.split(), k=len(text.split())))  # reordered: near
        contact = (
            {"email": f"p{rng.randint(0, size // 3)}@example.com"} if rng.random() < 0.3 else {}
        )
        people.append(Person(f"R{n:04d}", {"uses": text}, contact))
    vectors = {}
    for person in people:
        counts = np.zeros(len(WORDS), dtype=np.float32)
        for word in normalise(person.answers["uses"]).split():
            counts[WORDS.index(word)] += 1
        vectors[(person.id, "uses")] = counts / np.linalg.norm(counts)
    return people, vectors


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_blocked_copy_search_finds_what_comparing_every_pair_finds(seed: int) -> None:
    people, vectors = crowd(400, seed)
    expected = all_pairs(people, vectors)
    assert {kind for kind, _, _ in expected.values()} == {"same", "near"}

    found = duplicate_open_ends(people, [TASK], vectors, contacts=contact_keys(people))

    assert {key for key, _ in found} == set(expected)
    for key, flag in found:
        kind, others, best = expected[key]
        named = flag.reason.split(" as ", 1)[1].split(" (cosine")[0].split(" and ")
        shown = named[0].split(", ")
        more = int(named[1].removesuffix(" more")) if len(named) > 1 else 0
        assert set(shown) <= others and len(shown) + more == len(others), flag.reason
        assert flag.reason.startswith("same answer" if kind == "same" else "nearly the same")
        if kind == "near":
            assert f"(cosine {best:.2f})" in flag.reason


def test_a_bot_farm_is_one_group_with_three_named_and_the_rest_counted() -> None:
    text = "use it as a doorstop, a paperweight, a garden wall and a souvenir"
    bots = [Person(f"B{n:05d}", {"uses": text}) for n in range(20_000)]
    twice = Person("T1", {"uses": text}, {"email": "same@example.com"})
    again = Person("T2", {"uses": text}, {"email": "Same@Example.com "})
    honest = Person("H1", {"uses": "build a small garden wall for the herbs by the door"})
    people = [*bots, twice, again, honest]
    vectors = {(p.id, "uses"): np.ones(4, dtype=np.float32) / 2 for p in people}

    found = dict(duplicate_open_ends(people, [TASK], vectors, contacts=contact_keys(people)))

    assert found["B00000"].reason == "same answer to uses as B00001, B00002, B00003 and 19998 more"
    # the same person twice is not their own copy: 20,000 bots, not 20,001
    assert found["T1"].reason.endswith("as B00000, B00001, B00002 and 19997 more")
    assert "nearly the same answer to uses as B00000, B00001, B00002 and 19999 more" in (
        found["H1"].reason
    )


def test_near_pairs_blocks_stay_within_the_cell_budget_and_find_the_same_pairs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert quality._block_rows(100_000) * 100_000 <= quality._PAIR_CELLS
    assert quality._block_rows(10) == quality._PAIR_BLOCK  # few answers: whole blocks
    rng = np.random.default_rng(5)
    vectors = {f"R{n}": rng.standard_normal(3) for n in range(40)}
    expected = near_pairs(vectors, 0.8)
    monkeypatch.setattr(quality, "_PAIR_CELLS", 50)  # one row a block at 40 answers

    assert quality._block_rows(40) == 1
    found = near_pairs(vectors, 0.8)
    assert expected and [(a, b) for a, b, _ in found] == [(a, b) for a, b, _ in expected]
    assert [score for *_, score in found] == pytest.approx([score for *_, score in expected])


def test_a_stopped_scoring_run_keeps_its_work_and_a_rerun_embeds_nothing_again(
    store: Store, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    defn = load_screener(shipped_file("screeners", "home-coffee.yaml"))
    import_responses(store, defn, EXPORT)
    desk = RecruitDesk(store, defn, SystemClock())
    monkeypatch.setattr(pipeline, "SAVE_CHUNK", 2)
    real_score = pipeline._score
    calls = []

    def stop_at_the_fourth(*args: Any) -> Any:
        calls.append(args)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real_score(*args)

    monkeypatch.setattr(pipeline, "_score", stop_at_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        desk.score(fake_embedder)
    monkeypatch.setattr(pipeline, "_score", real_score)

    first, _, third, fourth, *_ = store.respondents(desk.screener.id)
    assert "composite" in store.scores(first.id)  # the first chunk was saved...
    assert not store.scores(third.id) and not store.scores(fourth.id)  # ...not the second
    embedded = len(fake_embedder.calls)
    assert embedded
    result = desk.ranked(fake_embedder)

    assert len(fake_embedder.calls) == embedded  # every vector came from the cache
    assert all(v.scored for v in result.candidates)
