"""The json export carries the report's compare-and-focus sections and its language note.

A small pooled study (two sessions, a brief with areas, one idea in Japanese) is
clustered with the fake embedder and exported through the CLI; each section of the
json must hold what the Markdown report of the same study shows.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner
from test_compare import OTHER, PLAN, WASTE, two_sessions

from ideation.analysis.compare import sessions_by_theme
from ideation.analysis.novelty import listed
from ideation.analysis.themes import cluster_scope, latest_theme_set
from ideation.cli import cli
from ideation.export.bundle import build_bundle
from ideation.export.report_markdown import md_text, render_markdown
from ideation.export.tabular import render_json
from ideation.live.plan import parse_plan
from ideation.live.session import start_session
from ideation.store import Store

#: Coffee grounds as garden fertiliser: the one idea not in English.
JAPANESE = "コーヒーかすを庭の肥料にする"
SESSIONS = {"Morning group": [*WASTE, JAPANESE], "Evening group": OTHER}
AREAS = [
    ("opportunity area", "Waste from coffee pods and takeaway cups"),
    ("opportunity area", "Exercise and fitness in the gym"),
    ("springboard", "How to make coffee mornings calmer"),
]


def pooled_study(store: Store, fake_embedder: object) -> list[int]:
    """`test_compare`'s two sessions and brief, one idea in Japanese, clustered together."""
    ids = two_sessions(store)
    store.add_idea(ids[0], JAPANESE)
    cluster_scope(store, ids, fake_embedder)
    return ids


def exported(db_path: Path, ids: list[int], out: Path) -> dict:
    args = ["--db", str(db_path), "export", *map(str, ids), "--format", "json", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_json_holds_the_cross_tables_coverage_novel_ideas_and_language_note(
    store: Store, db_path: Path, fake_embedder, tmp_path: Path
) -> None:
    ids = pooled_study(store, fake_embedder)
    data = exported(db_path, ids, tmp_path / "pooled.json")
    markdown = render_markdown(build_bundle(store, ids))

    # The language note, word for word as the report puts it under the themes.
    assert data["language_note"].startswith("Language: 1 of 6 ideas is not in English (Japanese")
    assert f"> **{md_text(data['language_note'])}**" in markdown

    # Sessions × themes: one row per theme, a count per session, as the analysis counts.
    themes = latest_theme_set(store, ids)
    expected = sessions_by_theme(themes, {sid: store.session(sid).name for sid in ids})
    (table,) = data["cross_tables"]  # one screener-less study: no segments table
    assert table["by"] == "session"
    assert table["groups"] == list(SESSIONS)
    assert [(r["theme_id"], r["label"], r["counts"]) for r in table["rows"]] == [
        (r.number, r.label, list(r.counts)) for r in expected.rows
    ]
    assert [r["theme_id"] for r in table["rows"]] == [t["id"] for t in data["themes"]]
    assert [r["total"] for r in table["rows"]] == [t["size"] for t in data["themes"]]
    per_session = zip(*(r["counts"] for r in table["rows"]), strict=True)
    assert [sum(counts) for counts in per_session] == [4, 2]  # every idea once

    # Coverage: every area and springboard of the brief once, as the report's table shows it.
    assert [(a["kind"], a["text"]) for a in data["coverage"]] == AREAS
    for area in data["coverage"]:
        assert isinstance(area["ideas"], int) and 0 <= area["ideas"] <= 6
        assert all(re.fullmatch(r"T\d+ .+ \(\d+\)", theme) for theme in area["themes"])
        touching = ", ".join(md_text(t) for t in area["themes"]) or "**no theme**"
        row = f"| {md_text(area['text'])} | {area['kind']} | {area['ideas']} | {touching} |"
        assert row in markdown

    # Novel ideas: a third of each session's ideas (at least one), never the Japanese one.
    novel = data["novel"]
    for name, texts in SESSIONS.items():
        mine = [n for n in novel if n["session"] == name]
        assert len(mine) == listed(len(texts))
        assert [n["rarity"] for n in mine] == sorted((n["rarity"] for n in mine), reverse=True)
    ideas = {(i["session"], i["seq"]): i for i in data["ideas"]}
    for n in novel:
        idea = ideas[(n["session"], n["seq"])]
        assert (n["text"], n["theme_label"]) == (idea["text"], idea["theme_label"])
        assert f"{md_text(n['text'])} — #{n['seq']} · {md_text(n['theme_label'])}" in markdown
    assert data["novel_left_out"] == 1
    assert "1 idea not in English is left out" in markdown


def test_json_says_null_coverage_when_areas_are_not_embedded_and_empty_before_clustering(
    store: Store, fake_embedder
) -> None:
    ids = pooled_study(store, fake_embedder)
    bundle = build_bundle(store, ids)
    assert json.loads(render_json(replace(bundle, coverage=None)))["coverage"] is None

    first = start_session(store, parse_plan(PLAN.format(name="Later"), "later.yaml"), "Later")
    store.add_idea(first.id, "A filter that never needs washing")
    data = json.loads(render_json(build_bundle(store, [first.id])))
    assert data["themes"] == [] and data["language_note"] == ""
    assert (data["cross_tables"], data["coverage"], data["novel"]) == ([], [], [])
    assert data["novel_left_out"] == 0
