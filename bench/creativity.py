"""Creativity benchmark: originality against human ratings, and end-to-end scoring speed.

Accuracy (AUT validation set, ../shared/data/aut/val.csv, 1,010 rated
responses; never used for training): Pearson r between human_rating and
(a) pool rarity, the pool being all val responses to the same prompt
    (target ≥ 0.40; the raw, uncentred cosine shown for reference);
(b) the shipped model, ideation/screening/originality_model.npz
    (target ≥ 0.65), given the object word, and given the screener-style
    question through `prompt_text_to_embed` (it extracts the object);
(c) the combination creativity.py ships as originality (model + pool rarity,
    0-100), with the question as the prompt.
Also the mean within-prompt r: a screener ranks answers to ONE task.
(d) the same on the three objects whose names training wrote as one word
    (lightbulb, paperclip, toothbrush), asked as "light bulb", "paper clip",
    "tooth brush": object names are normalised, so the figure should hold.
(e) how the shipped combination was chosen: each candidate's held-out-prompt
    figure (train.csv, nets that never saw the prompt, from the npz) next to
    its val figure.
(f) participant level: val has no person ids, so people are made by dealing
    each prompt's responses at random into lists of 2-8 ideas (seeded). Each
    prompt is scored as one batch by `score_creativity`. Spearman ρ of the
    composite, of top-k originality (k = 2, 3) and of fluency against each
    person's mean human rating, their best-3 mean and their sum.

Speed: N synthetic respondents (default 10,000) × 3 open-ended tasks, built by
sampling AUT responses from ../shared/data/aut/train.csv (2-8 ideas per list
answer, with bullets, commas, within-answer repeats and some gibberish; the
animal and coffee-moment answers are sentences made of sampled responses),
scored end to end by `score_creativity` with the real bundled model and a
cold cache: splitting, one deduplicated embedding call, pools, composite.
Target: under 3 minutes on 2 cores. A small table compares embedding
settings (batch size, sorting by length) to say what embed.py should do.

    python bench/creativity.py [--respondents 10000] [--batch-size 128]
                               [--no-accuracy] [--no-speed] [--no-settings]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from ideation.analysis.embed import SentenceTransformerEmbedder
from ideation.rarity import pool_rarity
from ideation.screening.creativity import TaskAnswer, score_creativity
from ideation.screening.originality import (
    load_model,
    originality_details,
    prompt_text_to_embed,
)

SPACED = {"lightbulb": "light bulb", "paperclip": "paper clip", "toothbrush": "tooth brush"}

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "aut"
MUG = "List as many unusual uses for a coffee mug as you can think of — one per line."
ANIMAL = "If your favourite coffee were an animal, which animal would it be, and why?"
MOMENT = "Describe your ideal coffee moment at home that does not exist yet."
ANIMALS = (
    "an owl|a sloth|a fox|a bear|a cat|a dog|a hummingbird|a lion|an otter|a tortoise|a wolf|"
    "a panther|a horse|a squirrel|a raven|a koala|an elephant|a hedgehog|a bee|a dolphin"
).split("|")


def read(path: Path) -> list[tuple[str, str, float]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            (row["prompt"].strip(), row["response"].strip(), float(row["human_rating"]))
            for row in csv.DictReader(handle)
            if row["response"].strip()
        ]


def question(obj: str) -> str:
    article = "an" if obj[0] in "aeiou" else "a"
    return f"List as many unusual uses for {article} {obj} as you can think of — one per line."


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def within(pred: np.ndarray, y: np.ndarray, prompts: list[str]) -> float:
    """Mean Pearson r inside each prompt of more than ten responses, weighted by size."""
    groups = np.array(prompts)
    rs, ws = [], []
    for prompt in sorted(set(prompts)):
        inside = (groups == prompt) & np.isfinite(pred)
        if inside.sum() > 10:
            rs.append(pearson(pred[inside], y[inside]))
            ws.append(inside.sum())
    return float(np.average(rs, weights=ws))


def table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print()


def accuracy(embedder: SentenceTransformerEmbedder) -> None:
    rows = read(DATA / "val.csv")
    prompts = [p for p, _, _ in rows]
    texts = [r for _, r, _ in rows]
    y = np.array([rating for _, _, rating in rows])
    objects = sorted(set(prompts))
    questions = {obj: question(obj) for obj in objects}
    extracted = {obj: prompt_text_to_embed(questions[obj]) for obj in objects}
    wanted = sorted(
        set(texts) | set(objects) | set(extracted.values()) | set(questions.values()),
        key=lambda t: (len(t), t),
    )
    vectors = embedder.embed(wanted)
    vec = {t: vectors[i] for i, t in enumerate(wanted)}
    e = np.stack([vec[t] for t in texts])
    groups = np.array(prompts)
    model = load_model()
    spaced_questions = {obj: question(name) for obj, name in SPACED.items() if obj in objects}
    spaced_prompts = {obj: prompt_text_to_embed(q) for obj, q in spaced_questions.items()}
    extra = sorted(set(spaced_prompts.values()) - set(vec))
    vec |= dict(zip(extra, embedder.embed(extra), strict=True)) if extra else {}

    rarity = {0.0: np.full(len(rows), np.nan), None: np.full(len(rows), np.nan)}
    rarity_z = np.zeros(len(rows))
    spaced = np.full(len(rows), np.nan)
    word_pred = np.zeros(len(rows))
    question_pred = np.zeros(len(rows))
    whole_pred = np.zeros(len(rows))
    combined = np.zeros(len(rows))
    for obj in objects:
        inside = np.where(groups == obj)[0]
        pool_texts = [texts[i] for i in inside]
        rarity[None][inside] = pool_rarity(pool_texts, e[inside]).rarity
        rarity[0.0][inside] = pool_rarity(pool_texts, e[inside], centre=0.0).rarity
        word_pred[inside] = model.predict(pool_texts, e[inside], vec[obj])
        question_pred[inside] = model.predict(pool_texts, e[inside], vec[extracted[obj]])
        whole_pred[inside] = model.predict(pool_texts, e[inside], vec[questions[obj]])
        details = originality_details(
            pool_texts, questions[obj], e[inside], vec[extracted[obj]], model=model
        )
        combined[inside] = [d.score for d in details]
        rarity_z[inside] = [d.rarity_z or 0.0 for d in details]
        if obj in spaced_questions:
            spaced[inside] = [
                d.score
                for d in originality_details(
                    pool_texts, spaced_questions[obj], e[inside], vec[spaced_prompts[obj]]
                )
            ]
    ok = np.isfinite(rarity[None])
    in_spaced = np.isin(groups, list(spaced_questions))

    def row(name: str, pred: np.ndarray, target: str) -> list[str]:
        mask = np.isfinite(pred)
        return [
            name,
            f"{pearson(pred[mask], y[mask]):.3f}",
            f"{within(pred, y, prompts):.3f}",
            str(int(mask.sum())),
            target,
        ]

    print(f"Originality vs human ratings, AUT val ({len(rows)} responses, {len(objects)} prompts)")
    print(f"model: {model.meta['architecture']}\n")
    table(
        ["measure", "Pearson r", "within-prompt r", "n", "target"],
        [
            row("(a) rarity, pool = val responses to the prompt", rarity[None], ">= 0.40"),
            row("    rarity without pool centring (reference)", rarity[0.0], ""),
            row("(b) shipped model, prompt = object word", word_pred, ">= 0.65"),
            row("    shipped model, prompt = question, object extracted", question_pred, ""),
            row("    shipped model, whole question embedded (not shipped)", whole_pred, ""),
            row("(c) shipped originality (model + rarity, 0-100)", combined, ""),
        ],
    )
    print("(d) objects training spelled as one word, asked with a space\n")
    table(
        ["measure", "Pearson r", "within-prompt r", "n", "target"],
        [
            row("shipped originality, asked as lightbulb/paperclip/toothbrush",
                np.where(in_spaced, combined, np.nan), ""),
            row("shipped originality, asked as light bulb/paper clip/tooth brush",
                spaced, "same"),
        ],
    )  # fmt: skip
    selection(model, question_pred, rarity_z, y, prompts)
    print(f"(rarity is undefined for {int((~ok).sum())} response: its prompt has no other)\n")
    print("Held out inside train.csv by scripts/train_originality.py (stored in the npz)\n")
    held = model.meta["holdout"]
    table(
        ["objects", "rows", "r model", "r rarity", "r combined", "within: model/rarity/comb."],
        [
            [
                label,
                str(held[key]["rows"]),
                f"{held[key]['r_model']:.3f}",
                f"{held[key]['r_rarity']:.3f}",
                f"{held[key]['r_combined']:.3f}",
                f"{held[key]['within_prompt_r_model']:.3f} / "
                f"{held[key]['within_prompt_r_rarity']:.3f} / "
                f"{held[key]['within_prompt_r_combined']:.3f}",
            ]
            for key, label in [
                ("trained_object", "trained objects, 20 % of rows held out"),
                ("new_object", "new objects, half the prompts held out"),
            ]
        ],
    )


def selection(model, pred: np.ndarray, z: np.ndarray, y: np.ndarray, prompts: list[str]) -> None:  # noqa: ANN001
    """(e) Each candidate combination: its held-out-prompt figure next to its val figure."""
    chosen = model.meta.get("combine_selection")
    if not chosen:
        print("(e) this npz predates held-out-prompt selection: retrain to see it\n")
        return
    rows = []
    for name, figures in chosen["held_out_prompt"].items():
        coef = figures["coef"]
        val = np.clip(coef["intercept"] + coef["model"] * pred + coef["rarity_z"] * z, 1, 5)
        rows.append(
            [
                name + (" (ships)" if name == chosen["chosen"] else ""),
                f"{coef['model']:.3f} / {coef['rarity_z']:.3f}",
                f"{figures['held_out_prompt_r']:.3f} / {figures['held_out_prompt_within_r']:.3f}",
                f"{pearson(val, y):.3f} / {within(val, y, prompts):.3f}",
            ]
        )
    print("(e) combination for trained objects, chosen on held-out prompts (train.csv)\n")
    table(
        ["candidate", "weight model / rarity z", "held-out-prompt r / within", "val r / within"],
        rows,
    )


def participants(embedder: SentenceTransformerEmbedder, seed: int = 11) -> None:
    """(f) Participant-level agreement on val, people dealt at random from each prompt."""
    rows = read(DATA / "val.csv")
    rng = random.Random(seed)
    memo: dict[str, np.ndarray] = {}

    def embed(texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in memo]
        if missing:
            memo.update(zip(missing, embedder.embed(missing), strict=True))
        return np.stack([memo[t] for t in texts])

    human: dict[str, list[float]] = {}
    machine: dict[str, dict[str, float]] = {}
    for obj in sorted({p for p, _, _ in rows}):
        items = [(r, h) for p, r, h in rows if p == obj]
        rng.shuffle(items)
        answers, start = [], 0
        while start < len(items):
            size = rng.randint(2, 8)
            person = f"{obj}-{start}"
            chunk = items[start : start + size]
            human[person] = [h for _, h in chunk]
            answers.append(TaskAnswer(person, obj, question(obj), "\n".join(r for r, _ in chunk)))
            start += size
        for person, scored in score_creativity(answers, embed=embed).items():
            ideas = sorted((n.originality or 0.0 for n in scored.tasks[obj].ideas), reverse=True)
            machine[person] = {
                "composite (0-100, default weights)": scored.score,
                "top-3 originality (the originality dimension)": scored.originality,
                "top-2 originality": sum(ideas[:2]) / max(1, len(ideas[:2])),
                "fluency (count of ideas)": scored.fluency,
            }
    people = sorted(machine)
    targets = {
        "mean rating": [float(np.mean(human[p])) for p in people],
        "best-3 mean": [float(np.mean(sorted(human[p])[-3:])) for p in people],
        "sum": [float(np.sum(human[p])) for p in people],
    }
    print(f"(f) participant level, val: {len(people)} people dealt from {len(rows)} responses\n")
    table(
        ["Spearman ρ of", *(f"vs {t}" for t in targets)],
        [
            [name, *(f"{spearmanr([machine[p][name] for p in people], v)[0]:.3f}"
                     for v in targets.values())]
            for name in machine[people[0]]
        ],
    )  # fmt: skip


def synthetic(n: int, seed: int = 7) -> list[TaskAnswer]:
    """Realistic-looking answers: AUT responses as mug uses, sentences for the other two tasks."""
    pool = [r for _, r, _ in read(DATA / "train.csv")]
    rng = random.Random(seed)
    answers = []
    for person in range(n):
        rid = f"r{person:05d}"
        ideas = rng.sample(pool, rng.randint(2, 8))
        if rng.random() < 0.15:  # a repeat in other words
            ideas.append(ideas[0].lower().rstrip(".") + ".")
        if rng.random() < 0.05:
            ideas.append(rng.choice(["asdfgh", "idk", "???", "jjjj"]))
        style = rng.random()
        if style < 0.6:
            text = "\n".join(ideas)
        elif style < 0.85:
            text = "\n".join(f"- {idea}" for idea in ideas)
        else:
            text = "; ".join(ideas)
        answers.append(TaskAnswer(rid, "mug_uses", MUG, text))
        first, second = rng.sample(pool, 2)
        animal = rng.choice(ANIMALS)
        answers.append(
            TaskAnswer(rid, "brand_animal", ANIMAL, f"{animal}, because it could {first.lower()}")
        )
        answers.append(
            TaskAnswer(
                rid,
                "morning_wish",
                MOMENT,
                f"A slow morning where the machine would {first.lower()} and then {second.lower()}",
            )
        )
    return answers


def speed(embedder: SentenceTransformerEmbedder, respondents: int) -> None:
    answers = synthetic(respondents)
    load_before = os.getloadavg()[0]
    spent = {"embed": 0.0, "texts": 0}

    def embed(texts: list[str]) -> np.ndarray:
        started = time.perf_counter()
        out = embedder.embed(texts)
        spent["embed"] += time.perf_counter() - started
        spent["texts"] += len(texts)
        return out

    started = time.perf_counter()
    scores = score_creativity(answers, embedder, embed=embed)
    total = time.perf_counter() - started
    ideas = sum(len(n) for s in scores.values() for n in s.notes.values())
    other = total - spent["embed"]
    print(
        f"Speed: {respondents} respondents × 3 tasks, cold cache, real all-MiniLM-L6-v2, "
        f"{embedder.backend}, torch threads {torch_threads()}; load average "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores\n"
    )
    table(
        ["stage", "seconds", "items", "rate"],
        [
            ["answers (respondent × task)", "", str(len(answers)), ""],
            ["ideas after splitting", "", str(ideas), ""],
            [
                "embedding (distinct texts, one call)",
                f"{spent['embed']:.1f}",
                str(spent["texts"]),
                f"{spent['texts'] / max(spent['embed'], 1e-9):.0f} texts/s",
            ],
            [
                "everything else (split, repeats, pools, model, composite)",
                f"{other:.1f}",
                str(ideas),
                f"{ideas / max(other, 1e-9):.0f} ideas/s",
            ],
            ["total", f"{total:.1f}", "", "target < 180 s"],
        ],
    )
    composite = sorted(s.score for s in scores.values())
    deciles = [composite[int(q * (len(composite) - 1))] for q in (0.1, 0.5, 0.9)]
    print("composite creativity p10 / p50 / p90: " + " / ".join(f"{d:.1f}" for d in deciles) + "\n")


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def embedding_settings(embedder: SentenceTransformerEmbedder, sample: int = 2000) -> None:
    """What embed.py's backend and batching do to throughput, on the same texts."""
    rng = random.Random(3)
    pool = [r for _, r, _ in read(DATA / "train.csv")]
    texts = list(dict.fromkeys(rng.sample(pool, sample)))
    texts += [f"a sloth, because it could {t.lower()}" for t in texts[: sample // 2]]
    by_length = sorted(texts, key=len)
    torch_only = SentenceTransformerEmbedder(onnx=False)
    for warming in (embedder, torch_only):
        warming.embed(texts[:64])  # load and warm up
    unbounded = 1 << 30
    rows = []
    for label, chosen, settings, order in [
        ("torch, batch 64, arrival order", torch_only, {"batch_size": 64}, texts),
        ("torch, batch 128, sorted by length", torch_only, {"batch_size": 128}, by_length),
        *(
            (
                f"{embedder.backend}, batch {size}, sorted by tokens",
                embedder,
                {"onnx_batch_size": size, "onnx_batch_tokens": unbounded},
                by_length,
            )
            for size in (16, 32, 64, 128)
        ),
        (
            f"{embedder.backend}, batch {embedder.onnx_batch_size} and "
            f"≤ {embedder.onnx_batch_tokens} tokens (embed.py)",
            embedder,
            {},
            texts,
        ),
    ]:
        defaults = {name: getattr(chosen, name) for name in settings}
        for name, value in settings.items():
            setattr(chosen, name, value)
        started = time.perf_counter()
        chosen.embed(order)
        seconds = time.perf_counter() - started
        for name, value in defaults.items():
            setattr(chosen, name, value)
        rows.append([label, f"{seconds:.1f}", f"{len(order) / seconds:.0f}"])
    print(
        f"Embedding throughput, {len(texts)} texts (AUT responses and sentences); embed.py "
        f"uses {embedder.backend} with batches of {embedder.onnx_batch_size}\n"
    )
    table(["setting", "seconds", "texts/s"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=10_000)
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--no-accuracy", action="store_true")
    parser.add_argument("--no-settings", action="store_true")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="override the embedding batch size for the speed run (default: "
        f"{SentenceTransformerEmbedder.onnx_batch_size} on ONNX Runtime, "
        f"{SentenceTransformerEmbedder.batch_size} on torch)",
    )
    args = parser.parse_args()
    embedder = SentenceTransformerEmbedder()
    if not args.no_accuracy:
        accuracy(embedder)
        participants(embedder)
    if not args.no_speed:
        fresh = SentenceTransformerEmbedder()
        if args.batch_size:
            fresh.batch_size = fresh.onnx_batch_size = args.batch_size
        speed(fresh, args.respondents)
    if not args.no_settings:
        embedding_settings(embedder)


if __name__ == "__main__":
    main()
