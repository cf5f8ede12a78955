"""Screening a panel's worth, at small sizes: the work a 100,000-respondent batch does
per text or per batch gives what the one-at-a-time way gave, and every stage of scoring
says how far it is and closes. Speed and memory are measured by bench/screening.py."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeEmbedder

from ideation import rarity
from ideation.paths import shipped_file
from ideation.rarity import idea_key, pool_rarity
from ideation.records import Contact, Respondent
from ideation.screening.pipeline import assess, identity_keys, import_responses
from ideation.screening.screener_yaml import load_screener
from ideation.store import Store

EXPORT = Path(__file__).parent / "data" / "qualtrics_home_coffee.csv"


def one_at_a_time(
    texts: list[str], vectors: np.ndarray, owners: list[str], k: int = 10, shown: int = 3
) -> list[tuple[float, int, list[tuple[str, int]]]]:
    """Rarity the slow way the method is defined: for each response, every distinct
    text's copies minus the ones its own author wrote, nearest first, k of them."""
    keys = [idea_key(t) for t in texts]
    distinct = list(dict.fromkeys(keys))
    first = {key: keys.index(key) for key in distinct}
    counts = {key: keys.count(key) for key in distinct}
    unique = vectors[[first[key] for key in distinct]].astype(np.float32)
    mean = (unique * np.array([counts[key] for key in distinct])[:, None]).sum(0) / len(texts)
    unique = unique - np.float32(0.6) * mean.astype(np.float32)
    unique /= np.linalg.norm(unique, axis=1, keepdims=True)
    sims = unique @ unique.T
    out = []
    for i, key in enumerate(keys):
        j = distinct.index(key)
        mine = [keys[n] for n in range(len(texts)) if owners[n] == owners[i]]
        row = [(1.0 if v == j else float(sims[j, v]), v) for v in range(len(distinct))]
        filled, total, near = 0, 0.0, []
        for s, v in sorted(row, key=lambda pair: -pair[0]):
            left = counts[distinct[v]] - mine.count(distinct[v])
            if left <= 0:
                continue
            take = min(left, k - filled)
            filled, total = filled + take, total + take * s
            if v != j and len(near) < shown:
                near.append((texts[first[distinct[v]]], left))
        out.append((1 - total / filled if filled else float("nan"), filled, near))
    return out


@pytest.mark.parametrize("tile", [1024, 7])
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_rarity_worked_out_once_per_text_is_each_responses_own(
    seed: int, tile: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copies in other cases and spellings, authors writing one text twice and authors
    whose other ideas are a text's nearest: the cases the per-text shortcut must hand
    to the response's own working out. With small tiles, a text's neighbours are
    chosen over many tiles, offered in a second thread while the next is computed."""
    monkeypatch.setattr(rarity, "TILE", tile)
    rng = random.Random(seed)
    words = [f"idea {n}" for n in range(rng.randint(5, 60))]
    texts = [rng.choice(words) + rng.choice(["", ".", "!"]) for _ in range(300)]
    texts = [t.upper() if rng.random() < 0.2 else t for t in texts]
    owners = [f"p{rng.randint(0, 60)}" for _ in texts]
    base = np.random.default_rng(seed).standard_normal((len(words), 12)).astype(np.float32)
    vectors = np.stack([base[words.index(idea_key(t))] for t in texts])

    pool = pool_rarity(texts, vectors, owners)

    expected = one_at_a_time(texts, vectors, owners)
    assert np.allclose(pool.rarity, [r for r, _, _ in expected], atol=1e-5, equal_nan=True)
    assert pool.others.tolist() == [filled for _, filled, _ in expected]
    shown = [[(n.text, n.count) for n in near] for near in pool.nearest]
    assert shown == [near for _, _, near in expected]


def test_rarity_reports_its_progress_and_closes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rarity, "TILE", 1024)  # a report per band of rows finished
    texts = [f"idea {n}" for n in range(2500)]
    vectors = np.random.default_rng(0).standard_normal((2500, 8)).astype(np.float32)
    seen: list[tuple[int, int]] = []

    pool_rarity(texts, vectors, progress=lambda done, total: seen.append((done, total)))

    assert seen == [(1024, 2500), (2048, 2500), (2500, 2500)]


def test_scoring_reports_every_stage_and_closes_each(store: Store) -> None:
    defn = load_screener(shipped_file("screeners", "home-coffee.yaml"))
    import_responses(store, defn, EXPORT)
    seen: dict[str, list[tuple[int, int]]] = {}

    assess(store, defn, FakeEmbedder(), lambda s, d, t: seen.setdefault(s, []).append((d, t)))

    tasks = [q.id for q in defn.questions if q.type == "creativity"]
    assert set(seen) == {
        "rules",
        "embedding",
        "ideas",
        "originality",
        "creativity",
        "flags",
        *(f"copies {task}" for task in tasks),
        "saving",
    }
    for stage, reports in seen.items():
        done, total = reports[-1]
        assert done == total, stage
        assert all(d <= t for d, t in reports), stage
    assert seen["rules"][0] == (0, store.count_respondents())


def people(store: Store) -> list[tuple[int, list[str]]]:
    """Respondents in one screener whose emails and phones tie some of them together."""
    rows = [
        ("zoe@example.com", "07700 900123"),
        ("", "+44 7700 900123"),  # Zoe's phone: Zoe
        ("sam@example.com", ""),
        ("Sam@Example.com", "07700 900999"),  # Sam, and a phone now his
        ("", "07700 900999"),  # Sam by the phone he gave last time
        ("", ""),  # nobody to tie
        ("ann@example.com", "07700 900123"),  # Zoe's phone: Zoe (one identifier is enough)
        ("", "07700 900555"),  # someone new...
        ("sam@example.com", "07700 900555"),  # ...who was Sam all along: merged
    ]
    screener = store.upsert_screener("s", "S", "", "s.yaml")
    added = store.add_respondents(
        [(Respondent(0, screener.id, f"R{n}", answers={}), None) for n in range(len(rows))]
    )
    return [
        (added[f"R{n}"], identity_keys(Contact(0, "", email, phone)))
        for n, (email, phone) in enumerate(rows)
    ]


def test_linking_people_in_bulk_ties_them_as_one_at_a_time_did(tmp_path: Path) -> None:
    with Store(tmp_path / "one.db") as one, Store(tmp_path / "bulk.db") as bulk:
        linked = [rid for rid, keys in people(one) if keys and one.link_person(rid, keys)]
        expected = {rid: one.person_of(rid) for rid in linked}

        found = bulk.link_people(people(bulk))

        assert found == expected
        assert len(set(found.values())) == 2  # Zoe and Sam
        assert {rid: bulk.person_of(rid) for rid in found} == found
        for person in set(found.values()):
            bulk.record_participation(person, "Tea", at=1000.0 + person)
            bulk.record_participation(person, "Old", at=10.0)
        assert bulk.last_participations(found.values(), excluding="Coffee") == {
            person: bulk.last_participation(person, excluding="Coffee")
            for person in set(found.values())
        }
        assert bulk.last_participations(found.values(), excluding="Tea") == {
            person: ("Old", 10.0) for person in set(found.values())
        }
