"""A Synectics session run through the live API, exported in all five formats.

The study is built the way a facilitator builds it (LiveSession: phases, typed
lines with kind prefixes, picks, a parked concern), clustered, then every
format is really rendered and read back: each must carry the entry kinds, the
picks (step and who), the itemized response, and keep excursion material out
of the themes.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ideation.analysis.themes import cluster_scope, latest_theme_set, scope_ideas
from ideation.export import FORMATS, write_export
from ideation.export.bundle import build_bundle
from ideation.export.model import ExportBundle, developments
from ideation.live.clock import FakeClock
from ideation.live.plan import parse_plan
from ideation.live.session import LiveSession, start_session
from ideation.store import Store

PLAN = """
name: Brewline excursion
brief:
  problem_as_given: How might Brewline make weekday coffee effortless?
participants:
  - {name: Maya, role: problem_owner}
  - name: Tom
  - name: Marta
agenda:
  - {title: Springboards, technique: springboards, minutes: 10}
  - {title: Examples from nature, technique: direct_analogy, minutes: 10}
  - {title: Be the crew, technique: personal_analogy, minutes: 10}
  - {title: Book titles, technique: symbolic_analogy, minutes: 10}
  - {title: Fairy tales, technique: fantasy_analogy, minutes: 10}
  - {title: Force-fit, technique: force_fit, minutes: 15}
  - {title: Develop one, technique: itemized_response, minutes: 15}
"""

SPRINGBOARD = "How to make a great cup in the time it takes to find your keys"
EXAMPLE = "A pit-stop crew changes four tyres in two seconds"
FEELING = "Hurried but proud"
BOOK_TITLE = "Patient rush"
FANTASY = "A genie who pours before you ask"
DEVELOPED = "A coffee pit-stop by the front door"
CRITICISM = "That will never work, too expensive"
HOSTILE = '=HYPERLINK("http://evil.example","win")'
SCRIPT = "<script>alert('plus')</script> it is quick"
EXCURSION = [EXAMPLE, "A hummingbird feeding mid-air", FEELING, "Dizzy", BOOK_TITLE, FANTASY]


@dataclass(frozen=True)
class Study:
    store: Store
    session_id: int


@pytest.fixture
def study(db_path: Path, fake_embedder) -> Iterator[Study]:
    clock = FakeClock()
    store = Store(db_path, clock=clock.now)
    session = start_session(store, parse_plan(PLAN, "excursion.yaml"))
    live = LiveSession(store, session.id, clock)
    live.claim()

    def say(*lines: str) -> list[int]:
        seqs = []
        for line in lines:
            clock.advance(20)
            seqs.append(live.capture(line).idea.seq)
        return seqs

    def phase() -> None:
        clock.advance(60)
        assert live.next_phase()

    phase()  # springboards: entries default to springboard
    chosen, _ = say(f"Maya: {SPRINGBOARD}", "Tom: I wish my mug knew what kind of morning it was")
    live.pick(chosen)  # by the problem owner
    phase()  # direct analogy: excursion material
    pit_stop, _ = say(f"Tom: {EXAMPLE}", f"Marta: {EXCURSION[1]}")
    live.pick(pit_stop)
    phase()
    feeling, _ = say(f"Marta: {FEELING}", "Tom: Dizzy")
    live.pick(feeling)
    phase()
    (title,) = say(f"Tom: {BOOK_TITLE}")
    live.pick(title, by=live.participants[1])  # Tom picks this one
    phase()
    (fantasy,) = say(f"Marta: {FANTASY}")
    live.pick(fantasy)
    phase()  # force-fit: ideas again
    developed, criticism, _ = say(
        f"Tom: {DEVELOPED}", f"Marta: {CRITICISM}", f"Marta: {HOSTILE} delivered by drone"
    )
    live.park_concern(criticism)
    say("/x a pit-stop has a lollipop man")  # excursion typed during force-fit stays excursion
    phase()  # itemized response works on the picked idea
    live.pick(developed)
    say(f"Maya: /p {SCRIPT}", "Tom: /o a station for the whole household")
    say(f"Marta: /c How to keep it clean {HOSTILE}")
    live.end()
    live.release()
    cluster_scope(store, [session.id], fake_embedder, themes=2)
    yield Study(store, session.id)
    store.close()


def excursion_texts(bundle: ExportBundle) -> set[str]:
    return {entry.text for entry in bundle.excursion}


def test_bundle_splits_entries_and_names_the_picks(study: Study) -> None:
    bundle = build_bundle(study.store, [study.session_id])
    assert {i.entry for i in bundle.ideas} == {"idea", "springboard"}
    assert excursion_texts(bundle) == {*EXCURSION, "a pit-stop has a lollipop man"}
    assert {r.entry for r in bundle.responses} == {"plus", "potential", "concern"}
    by_text = {e.text: e for e in (*bundle.ideas, *bundle.excursion)}
    assert (by_text[SPRINGBOARD].picked_as, by_text[SPRINGBOARD].picked_by) == ("springboard", "P1")
    assert by_text[SPRINGBOARD].role == "problem_owner"
    assert (by_text[EXAMPLE].picked_as, by_text[EXAMPLE].picked_by) == ("example", "P1")
    assert (by_text[BOOK_TITLE].picked_as, by_text[BOOK_TITLE].picked_by) == ("book title", "P2")
    assert by_text[DEVELOPED].picked_as == "idea to develop"
    assert "Maya" not in json.dumps(bundle_json(bundle))  # pseudonymised, picks too
    named = build_bundle(study.store, [study.session_id], include_names=True)
    assert {p.by for p in named.sessions[0].picks} == {"Maya", "Tom"}
    (session,) = bundle.sessions
    steps = [p.step for p in session.picks]
    assert steps == ["springboard", "example", "feeling", "book title", "fantasy example"] + [
        "idea to develop"
    ]
    # flow counts everything but excursion material
    assert sum(session.ideas_per_minute) == len(bundle.ideas) + len(bundle.responses)
    assert sum(count for _, count in session.participation) == sum(session.ideas_per_minute)


def test_itemized_response_gathers_each_developed_idea(study: Study) -> None:
    bundle = build_bundle(study.store, [study.session_id])
    found = {d.idea.text if d.idea else None: d for d in developments(bundle)}
    develop = found[DEVELOPED]
    assert develop.picked
    assert [r.text for r in develop.plus] == [SCRIPT]
    assert [r.text for r in develop.potential] == ["a station for the whole household"]
    assert [r.text for r in develop.concern] == [f"How to keep it clean {HOSTILE}"]
    parked = found[CRITICISM]  # the critique nudge's "How to…" is a concern of what it criticised
    assert not parked.picked and len(parked.concern) == 1
    assert parked.concern[0].text.lower().startswith("how")


def test_themes_hold_ideas_and_springboards_never_excursion(study: Study) -> None:
    themes = latest_theme_set(study.store, [study.session_id])
    clustered = {idea.text for theme in themes.themes for idea in theme.ideas}
    assert clustered == {i.text for i in scope_ideas(study.store, [study.session_id])}
    assert SPRINGBOARD in clustered and DEVELOPED in clustered
    assert not clustered & set(EXCURSION)
    assert SCRIPT not in clustered  # responses develop one idea; they are no theme
    bundle = build_bundle(study.store, [study.session_id])
    assert sum(t.size for t in bundle.themes) == len(bundle.ideas)
    assert all(e.theme_id is None for e in (*bundle.excursion, *bundle.responses))


def bundle_json(bundle: ExportBundle) -> dict:
    from ideation.export.tabular import bundle_dict

    return bundle_dict(bundle)


@pytest.fixture
def exported(study: Study, tmp_path: Path) -> dict[str, Path]:
    bundle = build_bundle(study.store, [study.session_id])
    return {fmt: write_export(bundle, fmt, tmp_path / f"study.{fmt}") for fmt in FORMATS}


def test_csv_has_every_entry_with_its_kind_and_pick(exported: dict[str, Path]) -> None:
    with exported["csv"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_text = {row["text"]: row for row in rows}
    assert by_text[EXAMPLE]["entry"] == "excursion" and by_text[EXAMPLE]["theme_id"] == ""
    assert (by_text[EXAMPLE]["picked_as"], by_text[EXAMPLE]["picked_by"]) == ("example", "P1")
    assert by_text[SPRINGBOARD]["entry"] == "springboard"
    assert by_text[SPRINGBOARD]["role"] == "problem_owner"
    assert by_text[SCRIPT]["entry"] == "plus"
    assert by_text[SCRIPT]["builds_on"] == by_text[DEVELOPED]["seq"]
    guarded = [row for row in rows if "HYPERLINK" in row["text"]]
    assert guarded and all(
        row["text"].startswith("'") or "How to" in row["text"] for row in guarded
    )
    assert [int(row["seq"]) for row in rows] == sorted(int(row["seq"]) for row in rows)


def test_json_keeps_excursion_and_itemized_response_apart(exported: dict[str, Path]) -> None:
    data = json.loads(exported["json"].read_text(encoding="utf-8"))
    assert {i["entry"] for i in data["ideas"]} == {"idea", "springboard"}
    assert {e["text"] for e in data["excursion"]} >= set(EXCURSION)
    assert all(e["entry"] == "excursion" for e in data["excursion"])
    (develop,) = [d for d in data["itemized_response"] if d["idea"]["text"] == DEVELOPED]
    assert develop["picked"] is True
    assert [p["text"] for p in develop["plus"]] == [SCRIPT]
    assert [p["entry"] for p in develop["concern"]] == ["concern"]
    picks = data["sessions"][0]["picks"]
    assert [(p["step"], p["text"]) for p in picks][:2] == [
        ("springboard", SPRINGBOARD),
        ("example", EXAMPLE),
    ]
    assert picks[3]["by"] == "P2"


def test_xlsx_has_excursion_itemized_and_picks_sheets(exported: dict[str, Path]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(exported["xlsx"])
    assert book.sheetnames[:5] == ["Ideas", "Themes", "Itemized response", "Excursion", "Picks"]
    ideas = {row[4] for row in book["Ideas"].iter_rows(min_row=2, values_only=True)}
    assert SPRINGBOARD in ideas and not ideas & set(EXCURSION)
    themed = {
        row[4]
        for name in book.sheetnames[5:]
        for row in book[name].iter_rows(min_row=2, values_only=True)
    }
    assert not themed & set(EXCURSION)
    excursion = book["Excursion"]
    header = [c.value for c in excursion[1]]
    assert "theme_id" not in header and "picked_as" in header
    texts = {
        row[header.index("text")]: row for row in excursion.iter_rows(min_row=2, values_only=True)
    }
    assert set(EXCURSION) <= set(texts)
    assert texts[FEELING][header.index("picked_as")] == "feeling"
    response = book["Itemized response"]
    header = [c.value for c in response[1]]
    rows = [
        dict(zip(header, row, strict=True))
        for row in response.iter_rows(min_row=2, values_only=True)
    ]
    mine = [r for r in rows if r["developed_idea"] == DEVELOPED]
    assert [r["entry"] for r in mine] == ["plus", "potential", "concern"]
    column = response.iter_cols(min_col=header.index("text") + 1, max_col=header.index("text") + 1)
    cells = [c for c in next(column)[1:] if c.value and "HYPERLINK" in str(c.value)]
    assert cells
    assert all(cell.data_type == "s" for cell in cells)
    picks = book["Picks"]
    assert [row[1] for row in picks.iter_rows(min_row=2, values_only=True)][:5] == [
        "springboard",
        "example",
        "feeling",
        "book title",
        "fantasy example",
    ]


def test_markdown_shows_the_chain_the_excursion_and_the_itemized_response(
    exported: dict[str, Path],
) -> None:
    text = exported["md"].read_text(encoding="utf-8")
    chain = text.index("### Synectics chain")
    order = [
        "**Springboard:** How to make",
        "**Example:** A pit-stop crew",
        "**Feeling:** Hurried but proud",
        "**Book title:** Patient rush",
        "**Fantasy example:** A genie",
        "**Force-fit ideas:**",
        "**Idea to develop:** A coffee pit-stop",
    ]
    positions = [text.index(step, chain) for step in order]
    assert positions == sorted(positions)
    excursion = text.index("### Excursion material")
    themes = text.index("## Themes")
    itemized = text.index("## Itemized response")
    assert excursion < themes < itemized
    assert "Hummingbird" not in text[themes:itemized].title()  # never in a theme
    assert "picked by P2" in text[chain:excursion]
    develop = text[itemized:]
    assert (
        develop.index("**Pluses**")
        < develop.index("**Potentials**")
        < develop.index("**Concerns**")
    )
    assert "\\<script\\>" in develop and "<script>" not in text
    assert "*(springboard · problem owner · picked as springboard by P1)*" in text
    assert "— P2 · #3 · picked as example by P1" in text  # excursion: no "excursion" tag


class Sections(HTMLParser):
    """Text by section id, and every URL the page would fetch."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.current = ""
        self.text: dict[str, list[str]] = {}
        self.urls: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "section" and values.get("id"):
            self.current = values["id"] or ""
        for name in ("src", "href", "action"):
            if values.get(name):
                self.urls.append(values[name] or "")

    def handle_data(self, data: str) -> None:
        self.text.setdefault(self.current, []).append(data)

    def section(self, name: str) -> str:
        return " ".join(" ".join(self.text.get(name, [])).split())


def test_html_report_has_chain_excursion_and_itemized_response(exported: dict[str, Path]) -> None:
    document = exported["html"].read_text(encoding="utf-8")
    page = Sections()
    page.feed(document)
    assert all(url.startswith("#") for url in page.urls) and "script" not in page.tags
    assert "&lt;script&gt;" in document
    session = page.section("session-1")
    assert "Synectics chain" in session and "Excursion material" in session
    steps = ["Springboard", EXAMPLE, FEELING, BOOK_TITLE, FANTASY, DEVELOPED]
    chain = session[session.index("Synectics chain") :]
    positions = [chain.index(step) for step in steps]
    assert positions == sorted(positions)
    assert EXCURSION[1] in session
    themes = page.section("themes")
    assert not any(text in themes for text in EXCURSION)
    assert SPRINGBOARD in themes and "picked as springboard by P1" in themes
    itemized = page.section("itemized")
    assert DEVELOPED in itemized
    assert itemized.index("Pluses") < itemized.index("Potentials") < itemized.index("Concerns")
    assert "How to keep it clean" in itemized
    assert '<a href="#itemized">' in document
