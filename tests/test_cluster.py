"""Theme-finding: the contract of `cluster_ideas` on built cases, and the real model end to end."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from ideation.analysis.cluster import Clustering, cluster_ideas, map_2d
from ideation.analysis.embed import SentenceTransformerEmbedder, embed_cached
from ideation.analysis.labels import theme_labels
from ideation.store import Store

WORDS = [
    ["compost", "pods", "garden", "biodegradable", "soil"],
    ["kettle", "app", "alarm", "phone", "morning"],
    ["price", "discount", "cheaper", "voucher", "offer"],
]


def blobs(per_group: int = 15, groups: int = 3, spread: float = 0.75, seed: int = 7):
    """Unit vectors around `groups` random centres, with texts from each group's words."""
    rng = np.random.default_rng(seed)
    dimensions = 64
    centres = rng.normal(size=(groups, dimensions))
    vectors, texts, truth = [], [], []
    for group in range(groups):
        for item in range(per_group):
            noise = rng.normal(size=dimensions) * spread / np.sqrt(dimensions) * 3
            vectors.append(centres[group] / np.linalg.norm(centres[group]) * 3 + noise)
            words = WORDS[group % len(WORDS)]
            texts.append(f"{words[item % 5]} {words[(item + 1) % 5]} idea {item}")
            truth.append(group)
    matrix = np.array(vectors, dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix, texts, truth


def same_partition(a: list[int], b: list[int]) -> bool:
    from sklearn.metrics import adjusted_rand_score

    return adjusted_rand_score(a, b) == 1.0


def check_shape(result: Clustering, n: int) -> None:
    """Invariants every result keeps, whatever the input."""
    assert len(result.assignment) == len(result.wild) == len(result.duplicate_group) == n
    k = len(result.themes)
    assert [t.number for t in result.themes] == list(range(1, k + 1))
    assert sorted(i for t in result.themes for i in t.members) == list(range(n))
    sizes = [len(t.members) for t in result.themes]
    assert sizes == sorted(sizes, reverse=True)
    for theme in result.themes:
        assert theme.label.strip()
        assert theme.representative in theme.members
        assert all(result.assignment[i] == theme.number for i in theme.members)
    assert result.params["themes_found"] == k


def test_finds_the_groups_and_assigns_every_idea() -> None:
    vectors, texts, truth = blobs()
    result = cluster_ideas(vectors, texts)
    check_shape(result, len(texts))
    assert len(result.themes) == 3
    assert same_partition(list(result.assignment), truth)
    assert result.params["method"] == "ecg-louvain"


def test_same_input_same_result() -> None:
    vectors, texts, _ = blobs(per_group=20, spread=0.9, seed=3)
    first = cluster_ideas(vectors, texts)
    again = cluster_ideas(vectors.copy(), list(texts))
    assert first == again
    assert cluster_ideas(vectors, texts, themes=4) == cluster_ideas(vectors, texts, themes=4)
    np.testing.assert_array_equal(map_2d(vectors), map_2d(vectors.copy()))


@pytest.mark.parametrize("wanted", [1, 2, 3, 5, 8])
def test_themes_n_is_honoured(wanted: int) -> None:
    vectors, texts, _ = blobs()
    result = cluster_ideas(vectors, texts, themes=wanted)
    check_shape(result, len(texts))
    assert len(result.themes) == wanted
    assert result.params["themes_requested"] == wanted


def test_more_themes_than_ideas_gives_one_each() -> None:
    vectors, texts, _ = blobs(per_group=2)
    result = cluster_ideas(vectors, texts, themes=50)
    assert len(result.themes) == len(texts)
    with pytest.raises(ValueError):
        cluster_ideas(vectors, texts, themes=0)
    with pytest.raises(ValueError, match="vectors of shape"):
        cluster_ideas(vectors[:3], texts)


@pytest.mark.parametrize("n", [0, 1, 2, 5])
def test_tiny_inputs(n: int) -> None:
    vectors, texts, _ = blobs(per_group=5, groups=1)
    vectors, texts = vectors[:n], texts[:n]
    if n == 0:
        vectors = np.zeros((0, 0), dtype=np.float32)  # what embed_cached returns for []
    result = cluster_ideas(vectors, texts)
    check_shape(result, n)
    assert len(result.themes) == (0 if n == 0 else 1)
    assert map_2d(vectors).shape == (n, 2)
    for wanted in (1, 2):
        if n:
            assert len(cluster_ideas(vectors, texts, themes=wanted).themes) == min(wanted, n)


def test_near_duplicates_share_a_group_within_their_theme() -> None:
    vectors, texts, _ = blobs()
    rng = np.random.default_rng(1)
    twin = vectors[4] + rng.normal(size=vectors.shape[1]).astype(np.float32) * 0.02
    twin /= np.linalg.norm(twin)
    vectors = np.vstack([vectors, twin, vectors[20]])  # a near copy, and an exact copy
    texts = [*texts, "pods for the compost", texts[20]]
    result = cluster_ideas(vectors, texts)
    groups = result.duplicate_group
    assert groups[4] is not None and groups[4] == groups[45]
    assert groups[20] is not None and groups[20] == groups[46]
    assert groups[4] != groups[20]
    assert sum(g is not None for g in groups) == 4
    assert result.assignment[4] == result.assignment[45]


def test_an_idea_unlike_any_other_is_flagged_wild_and_still_themed() -> None:
    vectors, texts, _ = blobs()
    rng = np.random.default_rng(11)
    odd = rng.normal(size=vectors.shape[1]).astype(np.float32)
    odd /= np.linalg.norm(odd)
    assert float(np.max(vectors @ odd)) < 0.5
    vectors = np.vstack([vectors, odd])
    texts = [*texts, "a perfume that smells of rain"]
    result = cluster_ideas(vectors, texts)
    check_shape(result, len(texts))
    assert result.wild[-1]
    assert sum(result.wild) == 1
    assert result.assignment[-1] >= 1


def test_labels_are_distinctive_words_of_the_members() -> None:
    vectors, texts, truth = blobs()
    result = cluster_ideas(vectors, texts)
    for theme in result.themes:
        words = theme.label.split(" · ")
        assert 2 <= len(words) <= 3
        member_words = {w for i in theme.members for w in texts[i].lower().split()}
        assert set(words) <= member_words
        group = truth[theme.members[0]]
        assert set(words) <= set(WORDS[group])  # not "idea", not digits


def test_labels_survive_unicode_emoji_and_empty_texts() -> None:
    texts = ["Café crème brûlée pods", "crème brûlée compost", "", "🙂🙂", "12 34", "   "]
    labels = theme_labels(texts, [0, 0, 1, 1, 1, 2], [0, 3, 5])
    assert labels[0].split(" · ")[0] in {"crème", "brûlée", "café", "pods", "compost"}
    assert labels[1] == "🙂🙂"
    assert labels[2] == "theme 3"
    result = cluster_ideas(np.eye(6, 8, dtype=np.float32), texts)
    check_shape(result, 6)


def test_progress_reaches_the_end() -> None:
    vectors, texts, _ = blobs()
    seen: list[tuple[int, int]] = []
    cluster_ideas(vectors, texts, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_map_is_two_dimensional_and_spreads_the_groups() -> None:
    vectors, _, truth = blobs()
    points = map_2d(vectors)
    assert points.shape == (len(truth), 2)
    centres = np.array([points[np.array(truth) == g].mean(axis=0) for g in range(3)])
    spread = np.linalg.norm(centres[:, None] - centres[None], axis=2)
    assert spread[np.triu_indices(3, 1)].min() > 0.3


def test_importing_the_module_loads_no_heavy_library() -> None:
    code = "import sys, json, ideation.analysis.cluster; print(json.dumps(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(json.loads(output))
    assert not loaded & {"sklearn", "scipy", "torch", "sentence_transformers", "numpy"}


IDEAS = {
    "coffee": [
        "Coffee pods you can throw on the compost heap",
        "Capsules that break down in the garden compost",
        "A refill tin for ground coffee",
        "Coffee beans delivered fresh every week",
        "A cold brew coffee bottle for the fridge",
        "Decaf coffee that actually tastes good",
        "Coffee subscription with beans from a different country each month",
        "Instant coffee sachets for camping",
        "A stronger espresso roast in the supermarket",
        "Coffee grounds bag you can use as plant fertiliser",
    ],
    "sleep": [
        "A pillow that stays cool all night",
        "An eye mask that plays white noise",
        "A mattress topper for better sleep",
        "Blackout curtains that roll down automatically at bedtime",
        "A sleep tracker that wakes me gently",
        "Lavender spray to help fall asleep",
        "Earplugs for people who share a bed with a snorer",
        "A weighted blanket for anxious sleepers",
        "A bedside lamp that dims slowly before sleep",
        "Pyjamas that keep you warm in winter",
    ],
    "money": [
        "A banking app that rounds up purchases into savings",
        "Alerts when a subscription payment is about to renew",
        "A budget planner for students",
        "Cashback on groceries paid by card",
        "A savings account for children with pocket money",
        "Split the bill with friends in the banking app",
        "A credit card with no foreign transaction fees",
        "Monthly spending report by category",
        "Lower interest on small loans",
        "An overdraft warning before I run out of money",
    ],
}


def test_real_model_recovers_obvious_groups(store: Store) -> None:
    """The bundled all-MiniLM-L6-v2, through the cache, then themes: 3 groups of 10."""
    from sklearn.metrics import adjusted_rand_score

    texts = [text for group in IDEAS.values() for text in group]
    truth = [name for name, group in IDEAS.items() for _ in group]
    vectors = embed_cached(store, SentenceTransformerEmbedder(), texts)
    result = cluster_ideas(vectors, texts)
    check_shape(result, len(texts))
    assert adjusted_rand_score(truth, result.assignment) >= 0.8
    told = cluster_ideas(vectors, texts, themes=3)
    assert adjusted_rand_score(truth, told.assignment) >= 0.8
    labels = " ".join(t.label for t in result.themes)
    assert "coffee" in labels and "sleep" in labels
    json.dumps(result.params)  # storable as it is
