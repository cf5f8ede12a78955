"""Search benchmark: how long a query takes, as the TUI runs one per keystroke.

A study of N ideas of 12 words each, drawn Zipf-like from a vocabulary whose
commonest words (coffee, cup, tree, ...) sit in a large share of the ideas, 2% of
them in Japanese or Chinese; then each query of the search language runs `repeat`
times through `Store.search_hits` (limit 200, as the search screen asks).
Target: p95 under 100 ms at 10,000 ideas, so typing never waits.

    python bench/search.py [--ideas 10000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from ideation.store import Store

COMMON = (
    "coffee cup tree compost solar panels mug lid refill subscription grinder bean roast"
    " milk oat price shop delivery bike garden kids office morning compostable trees"
).split()
CJK = ("コーヒーかすを肥料に", "咖啡渣堆肥", "外带杯押金制度")
QUERIES = (
    "coffee",
    "tree*",
    "compost",
    "solar -panels",
    '"solar panels"',
    "cup OR mug refill",
    "肥料",
    "杯",
    "咖啡渣 OR compost",
    "w77",
)


def build(db: Path, ideas: int) -> None:
    """The study, written in one transaction (the triggers index every row)."""
    chance = random.Random(7)
    vocabulary = COMMON + [f"w{n}" for n in range(2000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    with Store(db) as store:
        session = store.create_session("Bench", None, [], []).id
        with store.transaction():
            for seq in range(1, ideas + 1):
                text = " ".join(chance.choices(vocabulary, weights, k=12))
                if seq % 50 == 0:
                    text += " " + chance.choice(CJK)
                store.db.execute(
                    "INSERT INTO ideas (session_id, seq, text, created_at) VALUES (?, ?, ?, 0)",
                    [session, seq, text],
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "study.db"
        started = time.perf_counter()
        build(db, args.ideas)
        print(f"{args.ideas:,} ideas written and indexed in {time.perf_counter() - started:.1f} s")
        print(f"{'query':<22} {'found':>6} {'p50 ms':>8} {'p95 ms':>8}")
        with Store(db, read_only=True) as store:
            for query in QUERIES:
                times = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    hits = store.search_hits(query, 200)
                    times.append((time.perf_counter() - started) * 1000)
                p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
                print(f"{query:<22} {len(hits):>6} {statistics.median(times):>8.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
