"""Screening benchmark: the whole recruit pipeline on 10,000 respondents.

A plain CSV export of the shipped home-coffee screener is generated with N
respondents (default 10,000): valid random answers to every closed question,
and three open-ended tasks filled from human Alternate Uses Task responses in
../shared/data/aut/train.csv (2-8 ideas per list answer, sentences for the
other two). Then, on a fresh study database and a cold embedding cache, with
the real bundled model, each stage is timed: import (parse, validate, store),
and assessment (rules, involvement, creativity with embeddings, quality flags
including near-duplicate open-ends, quotas, storing every explained score).
Target: scoring (the assessment) under 3 minutes on this 2-core machine.
With --stored, reading the stored assessment back is timed too: what the
recruit screen does on opening and after every decision (target under 1 s).

A panel's worth: `--respondents 100000 --bot-farm 0.1` (target: under 10
minutes and under 2 GB peak memory on this machine). `--bot-farm SHARE` makes
that share of respondents a bot farm pasting one and the same text into every
open-ended task: the worst case for the copy search, which must neither hold
an n × n structure nor name every copy in every reason. Peak memory is the
process's maximum resident set (getrusage). CPU time is every thread's, in
core-seconds, beside what the machine's cores give in 10 minutes: work that needs
more than that cannot meet the target however it is scheduled. The last line is a digest of the
result (every rank, suggestion and flag kind): equal digests, equal results.

    python bench/screening.py [--respondents 10000] [--bot-farm 0.1] [--stored] [--keep PATH]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from ideation.analysis.embed import SentenceTransformerEmbedder
from ideation.live.clock import SystemClock
from ideation.paths import shipped_file
from ideation.records import Decision
from ideation.screening.desk import RecruitDesk
from ideation.screening.pipeline import assess, import_responses
from ideation.screening.screener_yaml import load_screener
from ideation.store import Store

AUT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "aut" / "train.csv"


def aut_responses() -> list[str]:
    with open(AUT, encoding="utf-8", newline="") as handle:
        return [row["response"] for row in csv.DictReader(handle) if row["response"].strip()]


def answer(question, rng: random.Random, pool: list[str]) -> object:  # noqa: ANN001
    """A valid answer to one question (terminates avoided, so most people complete)."""
    safe = [o for o in question.options if not any(o in r.answers for r in question.terminate)]
    if question.type == "single_choice":
        return rng.choice(safe or list(question.options))
    if question.type == "multiple_choice":
        choices = [o for o in safe if "none" not in o.lower()] or safe
        return "; ".join(rng.sample(choices, k=rng.randint(1, min(4, len(choices)))))
    if question.type == "number":
        low = max(question.min or 0, 18)
        return rng.randint(low, min(question.max or 80, low + 50))
    if question.type == "ranking":
        return "; ".join(rng.sample(list(question.options), k=len(question.options)))
    if question.type == "creativity":
        if "list" in question.text.lower() or "one per line" in question.text.lower():
            return "\n".join(rng.sample(pool, k=rng.randint(2, 8)))
        return " and ".join(rng.sample(pool, k=rng.randint(1, 3)))
    return rng.choice(pool)


#: What a bot farm pastes into every open-ended task.
BOT_TEXT = (
    "use it as a doorstop\nuse it as a paperweight\nbuild a garden wall with it\n"
    "sell it online to collectors\nkeep it as a souvenir of the trip"
)


def write_export(path: Path, defn, count: int, bot_farm: float = 0.0) -> None:  # noqa: ANN001
    """N respondents; every 1/`bot_farm`-th one (spread through the file) a bot pasting
    `BOT_TEXT` into the open-ended tasks, otherwise like everyone else."""
    rng = random.Random(11)
    bots = random.Random(12)
    pool = aut_responses()
    columns = ["id", "duration"]
    for q in defn.questions:
        columns += [f"{q.id}_{i.id}" for i in q.items] if q.type == "rating" else [q.id]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for n in range(count):
            row: list[object] = [f"B{n:05d}", rng.randint(200, 1200)]
            bot = bot_farm > 0 and bots.random() < bot_farm
            for q in defn.questions:
                if q.type == "rating":
                    row += [i.attention_check or rng.randint(1, q.scale or 5) for i in q.items]
                else:
                    given = answer(q, rng, pool)  # drawn for bots too: the rest stays the same
                    row.append(BOT_TEXT if bot and q.type == "creativity" else given)
            writer.writerow(row)


class TimedEmbedder:
    """The bundled model, timing its load and every embedding call apart from the rest."""

    def __init__(self) -> None:
        self.inner = SentenceTransformerEmbedder()
        self.load_seconds = 0.0
        self.embed_seconds = 0.0
        self.embed_cpu = 0.0  # core-seconds: every thread's CPU time while embedding
        self.texts = 0

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def embed(self, texts, progress=None):  # noqa: ANN001,ANN201 - numpy array
        start = time.perf_counter()
        self.inner.load()
        loaded, cpu = time.perf_counter(), time.process_time()
        vectors = self.inner.embed(texts, progress)
        self.load_seconds += loaded - start
        self.embed_seconds += time.perf_counter() - loaded
        self.embed_cpu += time.process_time() - cpu
        self.texts += len(texts)
        return vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=10_000)
    parser.add_argument(
        "--bot-farm", type=float, default=0.0, help="share of bots pasting one text (0-1)"
    )
    parser.add_argument(
        "--stored", action="store_true", help="also time reading the stored assessment back"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="PATH",
        help="leave the scored study database at PATH (for timing the recruit screen on it)",
    )
    args = parser.parse_args()
    count = args.respondents
    stored: list[float] = []
    defn = load_screener(shipped_file("screeners", "home-coffee.yaml"))
    embedder = TimedEmbedder()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export.csv"
        write_export(export, defn, count, args.bot_farm)
        with Store(Path(tmp) / "bench.db") as store:
            cpu = time.process_time()
            start = time.perf_counter()
            summary = import_responses(store, defn, export)
            imported = time.perf_counter() - start
            start = time.perf_counter()
            result = assess(store, defn, embedder)
            assessed = time.perf_counter() - start
            cpu = time.process_time() - cpu
            if args.keep:
                store.backup(args.keep)  # before --stored decides anyone
            if args.stored:
                stored = time_stored(store, defn)
    rest = assessed - embedder.load_seconds - embedder.embed_seconds
    rate = embedder.texts / max(embedder.embed_seconds, 1e-9)
    bots = f", bot farm {args.bot_farm:.0%}" if args.bot_farm else ""
    print(
        f"{count} respondents{bots}, {summary.format} export, cold cache; load average "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores"
    )
    print(f"{'stage':<50} {'seconds':>8}  target")
    print(f"{'import (parse, validate, store)':<50} {imported:>8.1f}  —")
    print(
        f"{'assess (rules, scores, embeddings, flags)':<50} {assessed:>8.1f}  < 180 "
        + ("ok" if assessed < 180 else "SLOW")
    )
    print(f"{'  of which: model load':<50} {embedder.load_seconds:>8.1f}")
    print(
        f"{f'  of which: embedding {embedder.texts} distinct texts':<50} "
        f"{embedder.embed_seconds:>8.1f}  {rate:.0f} texts/s on {embedder.inner.backend}"
    )
    print(f"{'  of which: everything else':<50} {rest:>8.1f}")
    total = imported + assessed
    print(
        f"{'total':<50} {total:>8.1f}  < 600 at 100,000 "
        + ("ok" if total < 600 else "SLOW")
        + f" ({count / max(assessed, 1e-9):,.0f} respondents/s scored)"
    )
    cores = len(os.sched_getaffinity(0))
    print(
        f"{'CPU time, core-seconds (embedding + the rest)':<50} {cpu:>8.0f}"
        f"  ({embedder.embed_cpu:.0f} + {cpu - embedder.embed_cpu:.0f}); {cores} cores give"
        f" {600 * cores} in 600 s"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(
        f"{'peak memory (max RSS), MB':<50} {peak:>8.0f}  < 2048 "
        + ("ok" if peak < 2048 else "HIGH")
    )
    if stored:
        median = statistics.median(stored)
        print(
            f"{'stored assessment (recruit screen, each decision)':<50} {median:>8.2f}  < 1 "
            + ("ok" if median < 1 else "SLOW")
        )
    ranked = sum(v.rank is not None for v in result.candidates)
    flagged = sum(bool(v.flags) for v in result.candidates)
    accepted = sum(v.suggestion == "accept" for v in result.candidates)
    print(f"ranked {ranked}, flagged {flagged}, accepted {accepted}")
    print(f"result digest {digest(result)}")


def digest(result) -> str:  # noqa: ANN001
    """Every candidate's rank, suggestion and flag kinds, hashed: a result in 12 characters."""
    lines = sorted(
        f"{v.respondent.external_id} {v.rank} {v.suggestion} {sorted(f.kind for f in v.flags)}"
        for v in result.candidates
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:12]


def time_stored(store: Store, defn) -> list[float]:  # noqa: ANN001
    """Seconds to read the stored assessment back, five times, each after a decision."""
    desk = RecruitDesk(store, defn, SystemClock())
    people = [v.respondent for v in desk.assessment().candidates[:5]]
    seconds = []
    for person in people:
        desk.decide(person, Decision.STANDBY, "bench")
        start = time.perf_counter()
        desk.assessment()
        seconds.append(time.perf_counter() - start)
    return seconds


if __name__ == "__main__":
    main()
