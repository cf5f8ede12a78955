"""Hits from the room, exported: a `hits` column in csv/xlsx/json, and a "Hits" section
(ideas ranked by hits, per session) in the HTML and Markdown reports, only when any."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ideation.export import COLUMNS, write_export
from ideation.export.bundle import build_bundle
from ideation.export.model import ExportBundle, hits_ranking
from ideation.live.clock import FakeClock
from ideation.live.plan import parse_plan
from ideation.live.room import Room
from ideation.live.session import LiveSession, start_session
from ideation.store import Store

PLAN = """
name: Hits plan
brief:
  problem_as_given: How might mornings be kinder?
participants:
  - name: Maya
  - name: Tom
  - name: Ana
agenda:
  - {title: Silent writing, technique: brainwriting, minutes: 10}
  - {title: Tap the best, technique: hits, minutes: 5}
"""
HOSTILE = '=HYPERLINK("http://evil.example","win") <b>bold</b>'


def run(store: Store, clock: FakeClock, *, tap: bool) -> int:
    session = start_session(store, parse_plan(PLAN, "hits.yaml"))
    live = LiveSession(store, session.id, clock)
    live.next_phase()
    room = Room.open(store, session.id, clock)
    ids = {p: pid for pid, p in room.choices()}
    maya, tom, ana = (room.join(ids[name])[0] for name in ("Maya", "Tom", "Ana"))
    kettle = room.submit(maya, "A kettle that sings when it is ready")
    pods = room.submit(tom, HOSTILE)
    room.submit(ana, "Nobody tapped this one")
    clock.advance(300)
    live.next_phase()
    if tap:
        room.hit(tom, kettle.id)
        room.hit(ana, kettle.id)
        room.hit(ana, pods.id)
        room.hit(maya, pods.id)
        room.hit(maya, kettle.id)
    live.end()
    return session.id


@pytest.fixture
def tapped(db_path: Path) -> Iterator[ExportBundle]:
    clock = FakeClock()
    with Store(db_path, clock=clock.now) as store:
        yield build_bundle(store, [run(store, clock, tap=True)])


def test_the_bundle_counts_hits_per_idea_and_ranks_them(tapped: ExportBundle) -> None:
    [session] = tapped.sessions
    ranked = [(idea.hits, idea.text) for idea in hits_ranking(tapped, session)]
    assert ranked == [(3, "A kettle that sings when it is ready"), (2, HOSTILE)]
    assert {i.text: i.hits for i in tapped.ideas}["Nobody tapped this one"] == 0


def test_csv_json_and_xlsx_carry_a_hits_column(tapped: ExportBundle, tmp_path: Path) -> None:
    assert COLUMNS[-1] == "hits"
    path = write_export(tapped, "csv", tmp_path / "ideas.csv")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert {row["text"].lstrip("'"): row["hits"] for row in rows} == {
        "A kettle that sings when it is ready": "3",
        HOSTILE: "2",
        "Nobody tapped this one": "0",
    }
    assert [row["text"] for row in rows if row["hits"] == "2"] == ["'" + HOSTILE]  # guarded
    data = json.loads(write_export(tapped, "json", tmp_path / "x.json").read_text("utf-8"))
    assert sorted(idea["hits"] for idea in data["ideas"]) == [0, 2, 3]
    book = load_workbook(write_export(tapped, "xlsx", tmp_path / "x.xlsx"))
    header = [cell.value for cell in book["Ideas"][1]]
    column = header.index("hits")
    assert sorted(row[column] for row in book["Ideas"].iter_rows(min_row=2, values_only=True)) == [
        0,
        2,
        3,
    ]


def test_reports_rank_ideas_by_hits_with_the_text_escaped(
    tapped: ExportBundle, tmp_path: Path
) -> None:
    html = write_export(tapped, "html", tmp_path / "r.html").read_text("utf-8")
    assert "<h3>Hits</h3>" in html
    section = html[html.index("<h3>Hits</h3>") :]
    assert section.index("3 hits") < section.index("2 hits")
    assert "&lt;b&gt;bold&lt;/b&gt;" in section and "<b>bold</b>" not in html
    assert "Nobody tapped this one" not in section[: section.index("</ol>")]
    markdown = write_export(tapped, "md", tmp_path / "r.md").read_text("utf-8")
    hits = markdown[markdown.index("### Hits") :]
    assert "1. **3 hits** A kettle that sings when it is ready" in hits
    assert "2. **2 hits** " in hits and "\\<b\\>bold\\</b\\>" in hits


def test_no_hits_section_when_nobody_tapped(db_path: Path, tmp_path: Path) -> None:
    clock = FakeClock()
    with Store(db_path, clock=clock.now) as store:
        bundle = build_bundle(store, [run(store, clock, tap=False)])
    assert "<h3>Hits</h3>" not in write_export(bundle, "html", tmp_path / "r.html").read_text()
    assert "### Hits" not in write_export(bundle, "md", tmp_path / "r.md").read_text()
