"""Clustering benchmark: themes found by `cluster_ideas` against people's, and its speed.

Quality: the 31 argkp sessions (../shared/data/argkp/sessions.csv, relative to
the repo root; 95-202 arguments each, grouped by people into 3-14 key points).
Each session is clustered on its own, WITHOUT the number of themes. Per
session and on average: ARI and NMI against the people's labels, the share of
items left without a theme, and themes found vs the people's count. Reference
rows use the same embeddings: KMeans told the true k, and `cluster_ideas`
told the true k. If `bertopic` is importable, BERTopic (defaults, seeded UMAP)
runs side by side. Targets (means): ARI >= 0.20, NMI >= 0.37, unthemed <= 10%,
|k found - k true| / k true <= 0.30.

Label agreement: for every theme found, the people's key point is the one most
of its members were matched to; the label agrees when one of its words shares a
content word (same word form, see `same_form`) with that key point. Printed per
session and pooled over all themes; --show-labels lists every label beside its
key point.

Speed: re-clustering 1,000 cached ideas (< 1 s), a cold start in a new
process embedding 1,000 fresh texts then clustering (< 15 s), and 10,000
pooled ideas (argkp plus light rewordings) with cached embeddings (< 90 s;
--fresh-10k adds the same with nothing cached, embedding included, and its CPU
seconds: the wall time's floor on idle cores when the machine is busy).

Embeddings are cached in an SQLite study file, by default under the system temp
dir (see --cache); the first run embeds ~10k texts once (a few minutes).

    python bench/clustering.py [--cache PATH] [--only quality|speed] [--runs 3] [--fresh-10k]
                               [--show-labels]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ideation.analysis.cluster import Clustering, cluster_ideas  # noqa: E402
from ideation.analysis.embed import SentenceTransformerEmbedder, embed_cached  # noqa: E402
from ideation.analysis.labels import FILLER, SEPARATOR  # noqa: E402
from ideation.store import Store  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "argkp" / "sessions.csv"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "ideation-bench" / "embeddings.db"
TARGETS = {"ari": 0.20, "nmi": 0.37, "unthemed": 0.10, "k_error": 0.30}
#: Light rewordings used to grow the pooled set to 10,000 distinct texts.
VARIANTS = ("I think {}", "Maybe {}", "Idea: {}", "{} (said twice)", "What about this: {}")

COLD_START = """
import json, sys, time
start = time.perf_counter()
from ideation.analysis.cluster import cluster_ideas
from ideation.analysis.embed import SentenceTransformerEmbedder, embed_cached
from ideation.store import Store
imported = time.perf_counter()
texts = json.load(open(sys.argv[1], encoding="utf-8"))
with Store(sys.argv[2]) as store:
    vectors = embed_cached(store, SentenceTransformerEmbedder(), texts)
embedded = time.perf_counter()
result = cluster_ideas(vectors, texts)
done = time.perf_counter()
print(json.dumps({"import": imported - start, "embed": embedded - imported,
                  "cluster": done - embedded, "themes": len(result.themes)}))
"""

RECLUSTER = """
import json, sys, time
start = time.perf_counter()
from ideation.analysis.cluster import cluster_ideas
from ideation.analysis.embed import SentenceTransformerEmbedder, embed_cached
from ideation.store import Store
texts = json.load(open(sys.argv[1], encoding="utf-8"))
with Store(sys.argv[2]) as store:
    vectors = embed_cached(store, SentenceTransformerEmbedder(), texts)
loaded = time.perf_counter()
import scipy.sparse, sklearn.feature_extraction.text  # what the first call would import
imported = time.perf_counter()
result = cluster_ideas(vectors, texts)
done = time.perf_counter()
print(json.dumps({"load": loaded - start, "imports": imported - loaded,
                  "cluster": done - imported, "themes": len(result.themes)}))
"""


def load_sessions() -> list[tuple[str, list[str], list[str]]]:
    """(session, texts, people's labels) per session, in file order."""
    sessions: dict[str, tuple[list[str], list[str]]] = {}
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            texts, labels = sessions.setdefault(row["session"], ([], []))
            texts.append(row["text"])
            labels.append(row["label"])
    return [(name, texts, labels) for name, (texts, labels) in sessions.items()]


def embed_all(cache: Path, texts: Sequence[str]) -> np.ndarray:
    """Vectors for `texts` through the study-file cache; only new texts reach the model."""

    def report(done: int, total: int) -> None:
        print(f"\r  embedding {done}/{total}", end="", file=sys.stderr, flush=True)

    started = time.perf_counter()
    with Store(cache) as store:
        vectors = embed_cached(store, SentenceTransformerEmbedder(), texts, report)
    print(
        f"\r  {len(texts)} vectors in {time.perf_counter() - started:.1f} s (cache {cache})",
        file=sys.stderr,
    )
    return vectors


# -- quality -------------------------------------------------------------------


def scores(truth: Sequence[str], found: Sequence[int], unthemed: float) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    k_true = len(set(truth))
    k_found = len({f for f in found if f != -1})
    return {
        "ari": adjusted_rand_score(truth, found),
        "nmi": normalized_mutual_info_score(truth, found),
        "unthemed": unthemed,
        "k_found": k_found,
        "k_true": k_true,
        "k_error": abs(k_found - k_true) / k_true,
    }


_WORD = re.compile(r"[^\W\d_][^\W_]+")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s", "ly")


def content_words(text: str) -> set[str]:
    """Lower-cased words of two letters or more, without English stop words or filler."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return {
        w for w in _WORD.findall(text.casefold()) if w not in ENGLISH_STOP_WORDS and w not in FILLER
    }


def _root(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def same_form(a: str, b: str) -> bool:
    """ban/banned, school/schools, abolish/abolishing: equal after a crude suffix strip, or
    one root (4+ letters) starting the other's."""
    ra, rb = sorted((_root(a), _root(b)), key=len)
    return ra == rb or (len(ra) >= 4 and rb.startswith(ra))


def label_agrees(label: str, key_point: str) -> bool:
    """True when a word of the theme's label is a content word of the people's key point."""
    ours = {w for part in label.split(SEPARATOR) for w in content_words(part)}
    theirs = content_words(key_point)
    return any(same_form(a, b) for a in ours for b in theirs)


def label_agreement(result: Clustering, truth: Sequence[str]) -> list[tuple[str, str, bool]]:
    """(our label, majority key point, agrees) for every theme found."""
    rows = []
    for theme in result.themes:
        key_point = Counter(truth[i] for i in theme.members).most_common(1)[0][0]
        rows.append((theme.label, key_point, label_agrees(theme.label, key_point)))
    return rows


def bertopic_assignment(texts: Sequence[str], vectors: np.ndarray) -> list[int] | None:
    """BERTopic with its defaults on our embeddings; UMAP seeded so reruns agree."""
    try:
        from bertopic import BERTopic
        from umap import UMAP
    except ImportError:
        return None
    umap = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=42)
    topics, _ = BERTopic(umap_model=umap).fit_transform(list(texts), embeddings=vectors)
    return [int(t) for t in topics]


def quality(cache: Path, show_labels: bool = False) -> None:
    from sklearn.cluster import KMeans

    sessions = load_sessions()
    everything = [text for _, texts, _ in sessions for text in texts]
    vectors = embed_all(cache, everything)
    rows: dict[str, list[dict[str, float]]] = {"ours": [], "ours, told k": [], "kmeans, told k": []}
    flagged: list[tuple[float, float]] = []
    extra: list[dict[str, float]] = []
    has_bertopic = True
    agreements: list[tuple[str, str, bool]] = []
    print()
    print(
        f"{'session':<44} {'n':>4} {'k':>3} {'found':>5} {'ARI':>6} {'NMI':>6}"
        f" {'unthemed':>8} {'wild':>5} {'dup':>5} {'label':>5} {'sec':>5}"
    )
    start = 0
    for name, texts, truth in sessions:
        matrix = vectors[start : start + len(texts)]
        start += len(texts)
        began = time.perf_counter()
        result = cluster_ideas(matrix, texts)
        seconds = time.perf_counter() - began
        ours = scores(truth, result.assignment, 0.0)
        rows["ours"].append(ours)
        k_true = int(ours["k_true"])
        told = cluster_ideas(matrix, texts, themes=k_true)
        rows["ours, told k"].append(scores(truth, told.assignment, 0.0))
        kmeans = KMeans(k_true, n_init=10, random_state=0).fit_predict(matrix)
        rows["kmeans, told k"].append(scores(truth, kmeans.tolist(), 0.0))
        if has_bertopic:
            topics = bertopic_assignment(texts, matrix)
            has_bertopic = topics is not None
            if topics is not None:
                outliers = sum(t == -1 for t in topics) / len(topics)
                extra.append(scores(truth, topics, outliers))
        wild = sum(result.wild) / len(texts)
        dup = sum(g is not None for g in result.duplicate_group) / len(texts)
        flagged.append((wild, dup))
        agreed = label_agreement(result, truth)
        agreements += agreed
        share = sum(ok for _, _, ok in agreed) / max(len(agreed), 1)
        print(
            f"{name[:44]:<44} {len(texts):>4} {k_true:>3} {ours['k_found']:>5}"
            f" {ours['ari']:>6.3f} {ours['nmi']:>6.3f} {ours['unthemed']:>8.1%}"
            f" {wild:>5.1%} {dup:>5.1%} {share:>5.0%} {seconds:>5.2f}"
        )
        if show_labels:
            for label, key_point, ok in agreed:
                print(f"    {'ok ' if ok else '-- '} {label[:40]:<40}  {key_point[:70]}")
    if extra:
        rows["bertopic (defaults)"] = extra
    print()
    print(
        f"{'mean over ' + str(len(sessions)) + ' sessions':<24} {'ARI':>6} {'NMI':>6}"
        f" {'unthemed':>8} {'k found':>7} {'k true':>6} {'|dk|/k':>7}"
    )
    for what, found in rows.items():
        mean = {key: statistics.fmean(r[key] for r in found) for key in found[0]}
        print(
            f"{what:<24} {mean['ari']:>6.3f} {mean['nmi']:>6.3f} {mean['unthemed']:>8.1%}"
            f" {mean['k_found']:>7.2f} {mean['k_true']:>6.2f} {mean['k_error']:>7.3f}"
        )
    if not extra:
        print("(bertopic not importable: side-by-side skipped)")
    print(
        f"ours, per session: {statistics.fmean(w for w, _ in flagged):.1%} of ideas wild,"
        f" {statistics.fmean(d for _, d in flagged):.1%} in a near-duplicate group"
    )
    agreeing = sum(ok for _, _, ok in agreements)
    print(
        f"label agreement: {agreeing}/{len(agreements)} themes"
        f" ({agreeing / max(len(agreements), 1):.1%}) have a label word in the people's key point"
    )
    mean = {key: statistics.fmean(r[key] for r in rows["ours"]) for key in TARGETS}
    met = {
        key: mean[key] >= goal if key in ("ari", "nmi") else mean[key] <= goal
        for key, goal in TARGETS.items()
    }
    verdict = ", ".join(f"{key} {'ok' if ok else 'MISS'}" for key, ok in met.items())
    print(f"targets: ARI >= 0.20, NMI >= 0.37, unthemed <= 10%, |dk|/k <= 0.30 -> {verdict}")


# -- speed ---------------------------------------------------------------------


def pooled(count: int) -> list[str]:
    """`count` distinct texts: all argkp sessions, then rewordings of them."""
    base = [text for _, texts, _ in load_sessions() for text in texts]
    seen: set[str] = set()
    out: list[str] = []
    for pattern in ("{}", *VARIANTS):
        for text in base:
            candidate = pattern.format(text.strip())
            if candidate not in seen:
                seen.add(candidate)
                out.append(candidate)
            if len(out) == count:
                return out
    raise ValueError(f"cannot make {count} distinct texts")


def run_json(script: str, *args: str) -> tuple[float, dict[str, float]]:
    """Run `script` in a new interpreter; wall time from spawn to exit, and its JSON line."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return time.perf_counter() - started, json.loads(done.stdout.strip().splitlines()[-1])


def child_cpu() -> float:
    """User + system seconds of finished child processes: unlike wall time, barely
    inflated when other work shares the cores."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def speed(cache: Path, runs: int, fresh_10k: bool) -> None:
    load_before = os.getloadavg()[0]
    thousand = pooled(1000)
    ten_thousand = pooled(10_000)
    vectors = embed_all(cache, ten_thousand)
    table: list[tuple[str, int, float, float, str]] = []

    warm = []
    for _ in range(runs):
        began = time.perf_counter()
        cluster_ideas(vectors[:1000], thousand)
        warm.append(time.perf_counter() - began)
    table.append(
        (
            "re-cluster, cached, warm (in the app)",
            1000,
            statistics.median(warm),
            1.0,
            f"best {min(warm):.2f} s",
        )
    )

    with tempfile.TemporaryDirectory() as tmp:
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(thousand), encoding="utf-8")
        firsts = [run_json(RECLUSTER, str(texts_file), str(cache))[1] for _ in range(runs)]
        first = statistics.median(f["imports"] + f["cluster"] for f in firsts)
        imports = statistics.median(f["imports"] for f in firsts)
        table.append(
            (
                "re-cluster, cached, first call in process",
                1000,
                first,
                1.0,
                f"scipy+sklearn import {imports:.2f} + cluster {first - imports:.2f} s"
                f" (cache read {statistics.median(f['load'] for f in firsts):.2f} s)",
            )
        )
        colds = []
        for run in range(runs):
            fresh_db = str(Path(tmp) / f"cold-{run}.db")  # empty: every text is new
            colds.append(run_json(COLD_START, str(texts_file), fresh_db))
        wall, part = sorted(colds, key=lambda c: c[0])[len(colds) // 2]
        table.append(
            (
                "cold start: import, load, embed, cluster",
                1000,
                wall,
                15.0,
                f"process start/imports/exit {wall - part['embed'] - part['cluster']:.1f}"
                f" + torch import, model load, embed {part['embed']:.1f}"
                f" + cluster {part['cluster']:.1f} s",
            )
        )

    began = time.perf_counter()
    with Store(cache) as store:
        big = embed_cached(store, SentenceTransformerEmbedder(), ten_thousand)
    loaded = time.perf_counter() - began
    began = time.perf_counter()
    result = cluster_ideas(big, ten_thousand)
    clustered = time.perf_counter() - began
    table.append(
        (
            "10,000 pooled, embeddings cached",
            10_000,
            loaded + clustered,
            90.0,
            f"cache read {loaded:.1f} + cluster {clustered:.1f} s, {len(result.themes)} themes",
        )
    )

    if fresh_10k:
        with tempfile.TemporaryDirectory() as tmp:
            texts_file = Path(tmp) / "texts.json"
            texts_file.write_text(json.dumps(ten_thousand), encoding="utf-8")
            cpu_before = child_cpu()
            wall, part = run_json(COLD_START, str(texts_file), str(Path(tmp) / "cold.db"))
            cpu = child_cpu() - cpu_before
        table.append(
            (
                "10,000 pooled, nothing cached",
                10_000,
                wall,
                90.0,
                f"torch import, model load, embed {part['embed']:.1f}"
                f" + cluster {part['cluster']:.1f} s; CPU {cpu:.0f} s"
                f" (on {os.cpu_count()} idle cores about {cpu / (os.cpu_count() or 1):.0f} s)",
            )
        )

    print()
    print(f"{'what':<42} {'ideas':>6} {'seconds':>8} {'target':>7}  verdict  note")
    for what, ideas, seconds, target, note in table:
        verdict = "ok" if seconds < target else "SLOW"
        print(f"{what:<42} {ideas:>6} {seconds:>8.2f} {'<' + str(target):>7}  {verdict:<7}  {note}")
    print(
        f"{os.cpu_count()} CPUs; 1-min load average before the runs {load_before:.1f}"
        " (well above 0 means other work was sharing the cores: times are then inflated)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="embedding cache file")
    parser.add_argument("--only", choices=("quality", "speed"))
    parser.add_argument("--runs", type=int, default=3, help="repeats per speed figure (median)")
    parser.add_argument(
        "--fresh-10k", action="store_true", help="also time 10,000 ideas with nothing cached (slow)"
    )
    parser.add_argument(
        "--show-labels", action="store_true", help="list each theme's label beside its key point"
    )
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA}: not found (the argkp sessions live beside the repo, in ../shared)")
    if args.only in (None, "quality"):
        quality(args.cache, args.show_labels)
    if args.only in (None, "speed"):
        speed(args.cache, args.runs, args.fresh_10k)


if __name__ == "__main__":
    main()
