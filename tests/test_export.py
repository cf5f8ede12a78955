"""Exports: every format round-trips what a researcher relies on, atomically and safely."""

from __future__ import annotations

import csv
import html
import io
import json
import math
import os
import random
import shutil
import subprocess
import tempfile
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO

import pytest
from openpyxl.utils import get_column_letter

from ideation.export import (
    COLUMNS,
    FORMATS,
    AgendaRow,
    ExportBundle,
    ExportIdea,
    ExportSession,
    ExportTheme,
    needs_formula_guard,
    render_csv,
    render_html,
    render_json,
    render_markdown,
    write_export,
)
from ideation.export import writers as writers_module
from ideation.export.tabular import SheetNames

# --- a realistic bundle: one Brewline session, ~150 ideas in 8 themes ------------------------

THEMES: dict[str, list[str]] = {
    "Weekday mornings on autopilot": [
        "The kettle learns your alarm time and boils three minutes before you get up",
        "One big button in the app: 'my usual'",
        "Weekday mode and weekend mode — strong and fast Monday to Friday, slow on Sunday",
        "A grinder with a timer so the beans are freshly ground when I come down",
        "Say 'Brewline, coffee' to the smart speaker and it just starts",
        "A bedside coffee maker, like my gran's old teasmade",
        "A kettle that starts when it hears the shower go on",
        "The app tells you to leave now, your coffee's in the travel mug",
        "A weekly prep pack — five pre-measured doses, Monday to Friday",
        "Ten-second clean-up: the grinder empties itself into a drawer",
        "A simple timer dial on the kettle base for people who hate apps",
        "Frozen coffee cubes you drop in hot water, instant but real coffee",
        "Overnight cold brew bags — drop one in a jar before bed",
        "A coffee station by the front door so you grab it on the way out",
        "A preset for each person in the house, it knows who's standing at the machine",
        "Wake up to the smell — the machine puffs coffee aroma at alarm time",
        "The kettle learns your alarm and boils before you're up",
        "Kettle that knows when my alarm goes and has water hot",
        "☕ in bed before the kids wake up 🙏",
    ],
    "Pods without the guilt": [
        "Pods you can compost in the garden",
        "Coffee pods that are just paper, like a tea bag",
        "Freepost envelope to send used pods back for recycling",
        "A pod that turns into plant food in the compost bin",
        "A collection box at the supermarket for used pods, swap ten for a free bag",
        "Pods printed with where they go: the brown bin, in big letters",
        "A refillable steel pod you fill from a normal bag",
        "Show on the app how many pods I've kept out of landfill this year",
        "Pods made from coffee grounds themselves",
        "Send back pods, get points towards the next order",
        "A pod bin on the machine that compresses them for recycling",
        "+12 stamps on the loyalty card for every bag of pods returned",
        "Pods that dissolve completely in the cup — nothing left over",
        "Compostable pods that actually say compostable on them",
        "A pod machine that also takes normal ground coffee",
        "Recycling pods with the post, freepost bag in every box",
        "-20% off refills when you bring the tin back",
    ],
    "Café taste at home": [
        "Coffee that tastes like the café one",
        "A proper milk frother that matches the kettle",
        "Pods with the milk already in them, so a latte is one step",
        "A barista video call once a month for subscribers",
        "Café recipes on a card: how our local does its flat white",
        "A home version of the café's seasonal drinks",
        "Syrups in small bottles so you can try before you commit",
        "A kettle that pours itself at the right speed for pour-over",
        "Latte art stencils that come free with the frother",
        "Instructions that don't assume you're a barista",
        "Decaf that doesn't taste like decaf",
        "Get café taste without paying café prices",
        "A milk jug that tells you when the milk is hot enough",
        "Beans roasted this week, with the roast date big on the bag",
        "Proper crema from a pod — like the machines in cafés",
        "<script>alert('crema')</script> make the crema thicker",
        '=HYPERLINK("http://example.com","free coffee")',
        "قهوة مثل المقهى في البيت كل صباح",
    ],
    "Discovery and subscriptions": [
        "A subscription so I never run out of beans",
        "A sampler box with a different origin every month",
        "A quiz on the website that tells you which beans you'd like",
        "A little card in each bag with the farm's story",
        "Try-me sachets of fancy coffee before buying a whole bag",
        "A tasting flight: four tiny bags, rate them in the app",
        "Subscription that adapts to how fast you actually drink it",
        "Pause the subscription from the kettle when I'm on holiday",
        "A map on the bag showing where the beans grew",
        "A swap shelf: send back a bag you didn't like for another",
        "Coffee of the month voted by other subscribers",
        "A scratch card on the bag with tasting notes to smell",
        "Mystery bag: you guess the origin, the app tells you if you're right",
        "Find out which coffee I actually like",
        "A sampler box with a new origin monthly",
        "קפה מהחווה עם סיפור של החקלאי",
        "@everyone vote on next month's origin",
    ],
    "Coffee together at home": [
        "A family rota in the app — whoever's up first makes everyone's",
        "A thermos jug that keeps the pot fresh till the last person's up",
        "A bigger pot for when friends come round",
        "A guest mode: one button, a card on the fridge with how it works",
        "Make coffee something the whole household does together",
        "A sharing pot with cups that stack inside it",
        "Each mug has a chip so the machine makes that person's drink",
        "Sunday brunch kit: beans, pastries recipe, playlist",
        "A coffee club night at home with a box of three coffees to compare",
        "Teach the kids to make a decaf for grandma — a kids' brewing set",
        "A second cup button that makes it half strength",
        "Guests can help themselves without asking me how it works",
        "A tray that keeps four cups warm for the table",
        "A family rota: whoever's up first makes coffee for all",
        "Coffee for the neighbours: a little pot that travels over the fence",
        "A post-it in the app: 'made you one, it's in the jug'",
    ],
    "Kit that looks good on the counter": [
        "The kit on my counter should look as good as it tastes",
        "Kettle, grinder and tin in matching colours",
        "A fold-down wall shelf for small flats",
        "A mug that glows when it's cool enough to drink",
        "Nicer mugs that keep coffee hot longer",
        "A travel mug that actually fits under the pod machine",
        "A takeaway lid that fits your own mugs so you can walk out with it",
        "A tin for beans that looks like a piece of pottery",
        "Swap covers for the kettle, seasonal colours",
        "A grinder that isn't so loud first thing in the morning",
        "A single tray that holds everything so the counter stays tidy",
        "Scales built into the kettle base so you can weigh the beans as well",
        "A wooden base for the machine made from old coffee sacks",
        "A cup warmer built into the top of the machine",
        "A kettle you'd leave out when guests come, not hide",
        "Matching kettle and grinder colours",
        "A tiny espresso machine the size of a toaster",
        "A fridge magnet that orders beans when you tap it",
        "A bean tin with a window so you see when it's running low",
    ],
    "A ritual, a small treat": [
        "Make coffee at home feel like a small treat, not a chore",
        "A morning playlist that lasts exactly as long as the brew",
        "The first coffee of the day should feel like a present",
        "Five quiet minutes: the app holds notifications while the coffee brews",
        "A Sunday slow-brew kit with a timer and a little ritual card",
        "A diary in the app for how each coffee tasted",
        "A candle that smells of fresh coffee for the weekend",
        "A window-sill cup: a mug with a little saucer for a biscuit",
        "An advent calendar of coffees",
        "A 'treat' pod — once a week, something special",
        "Make coffee feel like a present",
        "Birthday coffee: the machine makes something special on your birthday",
        "A coffee spoon that measures and stirs and is nice to hold",
        "Morning pages printed on the bag — a question to think about",
        "Smell the beans before you grind them: an aroma lid",
        "A seed paper filter you plant after brewing",
        "Used coffee grounds as a body scrub — Brewline could sell its own",
    ],
    "Price and value": [
        "Cheaper beans if you buy a big bag",
        "A cheaper refill pouch instead of buying a new tin every time",
        "Free grinder if you sign up to the subscription for a year",
        "Show me the cost per cup compared to the café",
        "Bulk bags for offices that people can take home",
        "A loyalty card like the café's, but for bags",
        "A 'pay what you save' month: pay what you would have spent in cafés",
        "Cheaper pods if you return the old ones",
        "Price match with the café chains' pods",
        "Refer a friend, both get a bag free",
        "A student price for the starter kit",
        "Rent the machine instead of buying it",
        "Cheaper refill pouches rather than new tins",
        "A monthly cap so I know exactly what I spend",
    ],
}

UNTHEMED = [
    "Coffee flavoured toothpaste",
    "A hammock in every kitchen",
    "Train station lockers where your coffee waits for you",
    "A coffee-scented alarm clock for people without machines",
    "Sell coffee in the cinema",
    "A podcast about farmers",
]

DUPLICATES = [  # (theme, wording A index, wording B index[, C])
    ("Weekday mornings on autopilot", 0, 16, 17),
    ("Pods without the guilt", 2, 15),
    ("Pods without the guilt", 0, 13),
    ("Discovery and subscriptions", 1, 14),
    ("Coffee together at home", 0, 13),
    ("Kit that looks good on the counter", 1, 15),
    ("A ritual, a small treat", 2, 10),
    ("Price and value", 1, 12),
]

WILD = {
    ("Weekday mornings on autopilot", 15),
    ("Weekday mornings on autopilot", 5),
    ("Pods without the guilt", 8),
    ("Café taste at home", 3),
    ("Discovery and subscriptions", 12),
    ("Kit that looks good on the counter", 3),
    ("A ritual, a small treat", 6),
    ("A ritual, a small treat", 15),
    ("Coffee together at home", 14),
}

AGENDA = (  # title, technique, planned, actual, captures ideas
    ("The task from Brewline", "problem_as_given", 10, 12, False),
    ("Welcome and warm-up", "warm_up", 10, 9, False),
    ("Purge: everything you already think", "purge", 15, 17.5, True),
    ("Problem as understood", "problem_as_understood", 15, 14, True),
    ("Springboards", "springboards", 25, 31, True),
    ("Break", "break", 15, 15, False),
    ("Direct analogy: the hotel breakfast", "direct_analogy", 30, 26, True),
    ("Force fit", "force_fit", 20, 22, True),
    ("Wrap-up", "wrap_up", 10, 8, False),
)

BRIEF = {
    "problem_as_given": (
        "How might Brewline make coffee at home better — new products and services, not just "
        "new blends — so that people choose it over the café on the way to work?"
    ),
    "background": (
        "Brewline sells mid-market coffee for the home: whole beans and ground coffee, a "
        "compostable-ready pod range, a burr grinder and a smart kettle with an app.\n\n"
        "Interviews and diary studies showed that people love their weekend coffee but rush "
        "it on weekdays, and feel guilty about pods and takeaway cups."
    ),
    "tried": [
        "A monthly origin subscription (good retention, low take-up outside the website)",
        "Pods in a home-compostable material (customers unsure where to put them)",
        "Brew guides printed on the bag (read once, then ignored)",
    ],
    "opportunity_areas": [
        "Weekday mornings are rushed — coffee is grabbed, not enjoyed",
        "Waste from pods, bags and takeaway cups",
        "Making coffee at home feel like a ritual or a small treat",
    ],
    "springboards": [
        "How to make a great cup in the time it takes to find your keys",
        "I wish my coffee knew what kind of morning I was having",
    ],
}

SESSION = "Brewline at-home coffee — half-day ideation"
PEOPLE = ("P1", "P2", "P3", "P4", "P5", "P6")


def coffee_bundle(*, placed: bool = True, seed: int = 7) -> ExportBundle:
    """~150 coffee ideas in 8 themes plus a few unthemed, as a real half-day session gives."""
    rng = random.Random(seed)
    start = datetime(2025, 3, 14, 9, 30)
    agenda, windows, clock = [], [], start
    for title, technique, planned, actual, captures in AGENDA:
        agenda.append(AgendaRow(title, technique, planned, actual, clock.isoformat()))
        if captures:
            windows.append((title, technique, clock, actual))
        clock += timedelta(minutes=actual)
    dup_of: dict[tuple[str, int], int] = {}
    for group, (theme, *indexes) in enumerate(DUPLICATES, start=1):
        for index in indexes:
            dup_of[(theme, index)] = group
    entries = [
        (number, label, index, text)
        for number, (label, texts) in enumerate(THEMES.items(), start=1)
        for index, text in enumerate(texts)
    ] + [(None, "", index, text) for index, text in enumerate(UNTHEMED)]
    rng.shuffle(entries)
    centres = {n: (math.cos(n * 0.8) * 6 + n * 0.4, math.sin(n * 1.3) * 4) for n in range(1, 9)}
    stamps = sorted(
        window[2] + timedelta(minutes=rng.uniform(0.3, window[3] - 0.2))
        for window in rng.choices(windows, weights=[3, 2, 6, 5, 4], k=len(entries))
    )
    ideas = []
    for seq, ((number, label, index, text), stamp) in enumerate(
        zip(entries, stamps, strict=True), start=1
    ):
        phase = next(w for w in reversed(windows) if w[2] <= stamp)
        cx, cy = centres.get(number, (0.0, 0.0)) if number else (rng.uniform(-6, 8), 0.0)
        spread = 3.5 if number is None else 1.1
        ideas.append(
            ExportIdea(
                id=1000 + seq,
                session=SESSION,
                seq=seq,
                text=text,
                participant=rng.choice(PEOPLE),
                phase=phase[0],
                technique=phase[1],
                created_at=stamp.isoformat(timespec="seconds"),
                builds_on=rng.randrange(1, seq) if seq > 5 and rng.random() < 0.12 else None,
                theme_id=number,
                theme_label=label,
                representative=index == 0 and number is not None,
                wild=(label, index) in WILD,
                duplicate_group=dup_of.get((label, index)),
                x=cx + rng.gauss(0, spread) if placed else None,
                y=cy + rng.gauss(0, spread) if placed else None,
            )
        )
    themes = tuple(
        ExportTheme(
            id=number,
            label=label,
            representative=texts[0],
            size=len(texts),
            wild=sum((label, i) in WILD for i in range(len(texts))),
            duplicates=sum((label, i) in dup_of for i in range(len(texts))),
        )
        for number, (label, texts) in enumerate(THEMES.items(), start=1)
    )
    minutes = [0] * int((clock - start).total_seconds() // 60 + 1)
    for idea in ideas:
        minutes[int((datetime.fromisoformat(idea.created_at) - start).total_seconds() // 60)] += 1
    counts: dict[str, int] = {}
    for idea in ideas:
        counts[idea.participant] = counts.get(idea.participant, 0) + 1
    session = ExportSession(
        name=SESSION,
        brief=BRIEF,
        agenda=tuple(agenda),
        ideas_per_minute=tuple(minutes),
        participation=tuple(sorted(counts.items())),
    )
    return ExportBundle(
        study="Brewline at-home coffee",
        sessions=(session,),
        themes=themes,
        ideas=tuple(ideas),
        generated_at="2025-03-14T16:02:11",
        clustering_note="Themes from all-MiniLM-L6-v2 embeddings, agglomerative clustering "
        "into 8 themes, labels edited by the researcher.",
    )


def scaled_bundle(ideas: int, themes: int) -> ExportBundle:
    """A synthetic bundle of any size, for the edges: 1 idea, 600 ideas in 20 themes."""
    rng = random.Random(ideas * 31 + themes)
    theme_rows = tuple(
        ExportTheme(
            t, f"Theme label number {t}", f"idea {t - 1}", len(range(t - 1, ideas, themes)), 0, 0
        )
        for t in range(1, themes + 1)
    )
    rows = tuple(
        ExportIdea(
            id=i,
            session="S",
            seq=i + 1,
            text=f"idea {i} about coffee",
            participant=f"P{i % 7 + 1}",
            phase="Brainstorm",
            technique="brainstorm",
            created_at=f"2025-01-01T10:{i % 60:02d}:00",
            builds_on=None,
            theme_id=(i % themes) + 1 if themes else None,
            theme_label=f"Theme label number {(i % themes) + 1}" if themes else "",
            representative=themes > 0 and i < themes,
            wild=i % 11 == 0,
            duplicate_group=i // 3 if i % 17 == 0 else None,
            x=rng.gauss(i % max(themes, 1), 0.6),
            y=rng.gauss((i % max(themes, 1)) * 0.3, 0.6),
        )
        for i in range(ideas)
    )
    session = ExportSession(
        "S",
        {"problem_as_given": "Coffee"},
        (AgendaRow("Brainstorm", "brainstorm", 20, 25, "2025-01-01T10:00:00"),),
        tuple(rng.randrange(0, 9) for _ in range(25)),
        (("P1", ideas),),
    )
    return ExportBundle("Scale", (session,), theme_rows, rows, "2025-01-01T12:00:00", "")


@pytest.fixture(scope="module")
def bundle() -> ExportBundle:
    return coffee_bundle()


def test_fixture_is_realistic(bundle: ExportBundle) -> None:
    assert 140 <= len(bundle.ideas) <= 160
    assert len(bundle.themes) == 8
    assert any(idea.duplicate_group for idea in bundle.ideas)


# --- csv -------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_round_trips_every_idea_with_bom(bundle: ExportBundle, tmp_path: Path) -> None:
    path = write_export(bundle, "csv", tmp_path / "ideas.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_csv(path)
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == len(bundle.ideas)
    for row, idea in zip(rows, bundle.ideas, strict=True):
        assert int(row["id"]) == idea.id
        assert row["wild"] == ("true" if idea.wild else "false")
        assert row["representative"] in ("true", "false")
        assert row["builds_on"] == ("" if idea.builds_on is None else str(idea.builds_on))
        assert row["duplicate_group"] == (
            "" if idea.duplicate_group is None else str(idea.duplicate_group)
        )
        expected = "'" + idea.text if needs_formula_guard(idea.text) else idea.text
        assert row["text"] == expected
    texts = {row["text"] for row in rows}
    assert "قهوة مثل المقهى في البيت كل صباح" in texts
    assert "☕ in bed before the kids wake up 🙏" in texts


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ('=HYPERLINK("http://evil.example","x")', True),
        ("=1+1", True),
        ("@SUM(A1:A9)", True),
        ("@everyone vote on the origin", True),
        ("\t=cmd", True),
        ("\rcmd", True),
        ("-2+3+cmd|' /C calc'!A0", True),
        ("+cmd|' /C calc'!A0", True),
        ('+HYPERLINK("http://x")', True),
        ("- more seats by the window", True),
        ("+12 (twelve) stamps", True),
        # OWASP: a leading sign is guarded too; Excel would show "+12 stamps" as #NAME?
        ("+12 stamps on the loyalty card for every bag returned", True),
        ("-20% off refills when you bring the tin back", True),
        ("+1", True),
        ("-3.5", True),
        ("+44 7700 900123", True),
        ("  =1+1", True),
        (" \n@SUM(A1)", True),
        ("Coffee = happiness", False),
        ("A kettle that knows my alarm", False),
        ("", False),
    ],
)
def test_formula_guard_rule(text: str, guarded: bool) -> None:
    assert needs_formula_guard(text) is guarded


def test_csv_neutralises_formulas_and_signed_prose(tmp_path: Path) -> None:
    texts = ["=1+1", "@SUM(A1)", "-2+3+cmd|' /C calc'!A0", "+12 stamps a month", "plain"]
    bundle = replace_texts(scaled_bundle(len(texts), 1), texts)
    rows = read_csv(write_export(bundle, "csv", tmp_path / "f.csv"))
    assert [row["text"] for row in rows] == [
        "'=1+1",
        "'@SUM(A1)",
        "'-2+3+cmd|' /C calc'!A0",
        "'+12 stamps a month",
        "plain",
    ]


def replace_texts(bundle: ExportBundle, texts: list[str]) -> ExportBundle:
    from dataclasses import replace

    ideas = tuple(replace(idea, text=text) for idea, text in zip(bundle.ideas, texts, strict=True))
    return replace(bundle, ideas=ideas)


# --- json ------------------------------------------------------------------------------------


def test_json_round_trips_the_bundle(bundle: ExportBundle, tmp_path: Path) -> None:
    path = write_export(bundle, "json", tmp_path / "export.json")
    raw = path.read_text(encoding="utf-8")
    assert "قهوة" in raw  # ensure_ascii=False: readable, not \u escapes
    assert raw.startswith('{\n  "study"')
    data = json.loads(raw)
    assert {"study", "generated_at", "sessions", "themes", "ideas"} <= set(data)
    assert data["study"] == bundle.study
    assert len(data["ideas"]) == len(bundle.ideas)
    assert [t["label"] for t in data["themes"]] == [t.label for t in bundle.themes]
    first = data["ideas"][0]
    assert set(COLUMNS) <= set(first) and {"x", "y"} <= set(first)
    session = data["sessions"][0]
    assert session["brief"]["tried"] == BRIEF["tried"]
    assert session["agenda"][0]["title"] == AGENDA[0][0]
    assert sum(p["ideas"] for p in session["participation"]) == len(bundle.ideas)


def test_json_writes_unplaceable_positions_as_null() -> None:
    from dataclasses import replace

    base = scaled_bundle(2, 1)
    bundle = replace(base, ideas=(replace(base.ideas[0], x=float("nan")), base.ideas[1]))
    data = json.loads(render_json(bundle))
    assert data["ideas"][0]["x"] is None
    assert isinstance(data["ideas"][1]["x"], float)


# --- xlsx ------------------------------------------------------------------------------------


def test_xlsx_has_ideas_themes_and_a_sheet_per_theme(bundle: ExportBundle, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = write_export(bundle, "xlsx", tmp_path / "export.xlsx")
    book = openpyxl.load_workbook(path)
    fixed = ["Ideas", "Themes", "Itemized response", "Excursion", "Picks"]
    assert book.sheetnames[:5] == fixed
    labels = [t.label for t in bundle.themes]
    labels[5] = "Kit that looks good on the…"  # 31 characters at most, cut at a word
    assert book.sheetnames[5:] == labels + ["Not in a theme"]
    ideas = book["Ideas"]
    header = [cell.value for cell in ideas[1]]
    assert tuple(header) == COLUMNS
    assert all(cell.font.bold for cell in ideas[1])
    assert ideas.freeze_panes == "A2"
    last = get_column_letter(len(COLUMNS))
    assert ideas.auto_filter.ref == f"A1:{last}{len(bundle.ideas) + 1}"
    text = COLUMNS.index("text")
    assert ideas.column_dimensions["E"].width >= 50 and COLUMNS[4] == "text"
    assert ideas.max_row == len(bundle.ideas) + 1
    texts = [row[text] for row in ideas.iter_rows(min_row=2, values_only=True)]
    assert texts == [idea.text for idea in bundle.ideas]  # exact: no visible apostrophes
    assert isinstance(ideas.cell(2, COLUMNS.index("wild") + 1).value, bool)
    assert isinstance(ideas.cell(2, COLUMNS.index("created_at") + 1).value, datetime)
    themes = book["Themes"]
    assert [c.value for c in themes[1]][:3] == ["theme_id", "label", "size"]
    assert themes.max_row == len(bundle.themes) + 2  # + "Not in a theme"
    assert themes["G2"].hyperlink.location == f"'{bundle.themes[0].label}'!A1"
    for theme in bundle.themes:
        assert book[theme.label if len(theme.label) <= 31 else labels[5]].max_row == theme.size + 1


def test_xlsx_keeps_formulas_as_text(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    texts = ["=1+1", '=HYPERLINK("http://evil.example")', "@SUM(A1)", "+12 stamps", "ok"]
    bundle = replace_texts(scaled_bundle(len(texts), 1), texts)
    book = openpyxl.load_workbook(write_export(bundle, "xlsx", tmp_path / "f.xlsx"))
    cells = [row[COLUMNS.index("text")] for row in book["Ideas"].iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == texts
    assert all(cell.data_type == "s" for cell in cells)  # never "f": nothing to evaluate
    assert [bool(cell.quotePrefix) for cell in cells] == [True, True, True, True, False]


def test_xlsx_sheet_names_follow_excel_rules(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from dataclasses import replace

    labels = [
        "Waste / pods: what? [part*1]",
        "Waste \\ pods: what? [part*1]",
        "A very long theme label that goes well past thirty-one characters",
        "A very long theme label that goes well past thirty-one characters, again",
        "ideas",
        "'quoted'",
        "   ",
        "History",
        "Excursion",
    ]
    base = scaled_bundle(len(labels), len(labels))
    themes = tuple(replace(t, label=label) for t, label in zip(base.themes, labels, strict=True))
    bundle = replace(base, themes=themes)
    book = openpyxl.load_workbook(write_export(bundle, "xlsx", tmp_path / "names.xlsx"))
    names = book.sheetnames[5:]
    assert len(names) == len(labels)
    assert names[-1] == "Excursion (2)"  # the fixed sheets keep their names
    assert len({name.casefold() for name in book.sheetnames}) == len(book.sheetnames)
    for name in names:
        assert 0 < len(name) <= 31
        assert not set(name) & set("[]:*?/\\")
        assert not name.startswith("'") and not name.endswith("'")
        assert name.casefold() != "history"
    assert names[0] == "Waste - pods - what (part1)"
    assert names[1] == "Waste - pods - what (part1) (2)"


def test_sheet_names_count_utf16_and_stay_unique() -> None:
    names = SheetNames("Ideas")
    emoji = names.add("☕" * 40)
    assert len(emoji.encode("utf-16-le")) // 2 <= 31
    assert names.add("IDEAS") == "IDEAS (2)"
    assert names.add("x" * 40) == "x" * 30 + "…"
    assert names.add("x" * 40) == "x" * 26 + "… (2)"
    assert names.add("Weekday mornings on autopilot, every day") == "Weekday mornings on autopilot…"


# --- markdown --------------------------------------------------------------------------------


def test_markdown_reads_as_a_report(bundle: ExportBundle, tmp_path: Path) -> None:
    text = write_export(bundle, "md", tmp_path / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# Brewline at-home coffee\n")
    assert "### Brief" in text and "**Already tried**" in text
    assert "### Agenda as run" in text and "| 5 | Springboards | Springboards |" in text
    for number, theme in enumerate(bundle.themes, start=1):
        assert f"### {number}. {theme.label.replace('*', '')}" in text
    assert "### Not in a theme" in text
    assert "*said 3×*" in text and "★ " in text
    assert "\\<script\\>" in text and "<script>" not in text


# --- html ------------------------------------------------------------------------------------


class Inspector(HTMLParser):
    """Collects what the tests need: tags, every URL-bearing attribute, text outside SVG."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.text: list[str] = []
        self.svg_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "svg":
            self.svg_depth += 1
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
                self.urls.append(value or "")
            if name == "style" and value and "url(" in value:
                self.urls.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.svg_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.svg_depth:
            self.text.append(data)


def inspect(document: str) -> Inspector:
    inspector = Inspector()
    inspector.feed(document)
    inspector.close()
    return inspector


def test_html_is_self_contained_and_escaped(bundle: ExportBundle, tmp_path: Path) -> None:
    document = write_export(bundle, "html", tmp_path / "r.html").read_text(encoding="utf-8")
    page = inspect(document)
    assert all(url.startswith("#") for url in page.urls), page.urls
    assert "http" not in " ".join(page.urls)
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert "@import" not in document and "url(" not in document
    assert "&lt;script&gt;alert(&#x27;crema&#x27;)&lt;/script&gt;" in document
    text = " ".join(" ".join(page.text).split())
    for idea in bundle.ideas:
        assert " ".join(idea.text.split()) in text, idea.text
    for theme in bundle.themes:
        assert theme.label in text
    assert page.tags.count("svg") >= 5
    assert 'id="map"' in document
    assert document.count("<circle") + document.count("<rect") > len(bundle.ideas)
    assert 'dir="auto"' in document
    assert "Springboards" in text and "Already tried" in text


def test_html_map_titles_carry_the_idea_text(bundle: ExportBundle) -> None:
    document = render_html(bundle)
    assert "<title>★ " in document
    for idea in bundle.ideas:
        star = "★ " if idea.wild else ""
        assert f"<title>{star}{html.escape(idea.text)} (" in document
    assert document.count("<title>") >= len(bundle.ideas) + 1


def test_html_skips_the_map_without_positions() -> None:
    document = render_html(coffee_bundle(placed=False))
    assert 'id="map"' not in document
    assert "Idea map" not in document


@pytest.mark.parametrize(("ideas", "themes"), [(0, 0), (1, 0), (1, 1), (600, 20), (40, 0)])
def test_html_handles_the_edges(ideas: int, themes: int) -> None:
    bundle = scaled_bundle(ideas, themes)
    document = render_html(bundle)
    page = inspect(document)
    text = " ".join(page.text)
    assert all(f"idea {i} about coffee" in text for i in range(ideas))
    if themes == 0:
        assert "No themes yet" in text
    if themes == 20:
        assert "Theme label number 20" in text
        assert 'stroke="#4e79a7"' in document  # theme 11 reuses colour 1 as a ring
    assert document.rstrip().endswith("</html>")


def test_every_format_handles_an_empty_bundle(tmp_path: Path) -> None:
    bundle = ExportBundle("Empty", (), (), (), "2025-01-01T00:00:00", "")
    for fmt in FORMATS:
        assert write_export(bundle, fmt, tmp_path / f"empty.{fmt}").stat().st_size > 0


# --- atomicity and errors --------------------------------------------------------------------


def test_failed_write_leaves_the_old_file_intact(
    bundle: ExportBundle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ideas.csv"
    target.write_text("old export\n", encoding="utf-8")

    def half_then_crash(_: ExportBundle, stream: BinaryIO) -> None:
        stream.write(b"id,session,seq\n1,S,")
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(writers_module.WRITERS, "csv", half_then_crash)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_export(bundle, "csv", target)
    assert target.read_text(encoding="utf-8") == "old export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["ideas.csv"]


def test_failed_write_creates_no_file(
    bundle: ExportBundle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(_: ExportBundle, stream: BinaryIO) -> None:
        stream.write(b"<html><body>half")
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(writers_module.WRITERS, "html", crash)
    with pytest.raises(ValueError, match="no space left on device"):
        write_export(bundle, "html", tmp_path / "report.html")
    assert list(tmp_path.iterdir()) == []


def test_failed_rename_keeps_the_old_file(
    bundle: ExportBundle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "export.json"
    target.write_text("{}", encoding="utf-8")

    def refuse(*_: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(writers_module.os, "replace", refuse)
    with pytest.raises(ValueError, match="permission denied"):
        write_export(bundle, "json", target)
    assert target.read_text(encoding="utf-8") == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["export.json"]


def test_overwrite_replaces_and_keeps_permissions(bundle: ExportBundle, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    write_export(bundle, "md", target)
    assert target.read_text(encoding="utf-8").startswith("# Brewline")
    assert target.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("fmt", ["pdf", "", "docx"])
def test_unknown_format_is_a_one_line_error(bundle: ExportBundle, tmp_path: Path, fmt: str) -> None:
    with pytest.raises(ValueError, match="unknown export format") as caught:
        write_export(bundle, fmt, tmp_path / "x")
    assert "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_format_names_are_forgiving(bundle: ExportBundle, tmp_path: Path) -> None:
    assert write_export(bundle, " .CSV ", tmp_path / "x.csv").exists()


def test_unwritable_paths_are_one_line_errors(bundle: ExportBundle, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    for path, reason in [
        (tmp_path / "missing" / "x.csv", "does not exist"),
        (tmp_path / "notes.txt" / "x.csv", "is not a folder"),
        (tmp_path, "is a folder"),
    ]:
        with pytest.raises(ValueError, match=reason) as caught:
            write_export(bundle, "csv", path)
        assert "\n" not in str(caught.value)


def test_refused_temp_file_is_a_one_line_error(
    bundle: ExportBundle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object, **__: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(writers_module.os, "open", refuse)
    with pytest.raises(ValueError, match="permission denied") as caught:
        write_export(bundle, "xlsx", tmp_path / "x.xlsx")
    assert "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.mark.skipif(ROOT or os.name != "posix", reason="root writes anywhere")
def test_read_only_folder_is_a_one_line_error(bundle: ExportBundle, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ValueError, match="cannot write export"):
            write_export(bundle, "csv", folder / "x.csv")
    finally:
        folder.chmod(0o700)


def test_csv_text_is_what_render_csv_returns(bundle: ExportBundle) -> None:
    rows = list(csv.reader(io.StringIO(render_csv(bundle).removeprefix("\ufeff"))))
    assert len(rows) == len(bundle.ideas) + 1


def test_markdown_without_themes_lists_every_idea_as_unthemed() -> None:
    text = render_markdown(scaled_bundle(3, 0))
    assert "No themes yet" in text and "### Not in a theme (3 ideas, 1 wild)" in text
    assert all(f"idea {i} about coffee" in text for i in range(3))


# --- a real browser (optional: CI has no Chromium) -------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_html_renders_in_headless_chromium(bundle: ExportBundle, tmp_path: Path) -> None:
    page = write_export(bundle, "html", tmp_path / "report.html")
    shot = tmp_path / "report.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={profile}", f"--screenshot={shot}",
                "--window-size=1280,2400", page.as_uri(),
            ],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a blank page compresses to almost nothing
