"""Themes for a study: automatic revisions, a researcher's edits, the export bundle."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from ideation.analysis import review
from ideation.analysis.themes import (
    cluster_scope,
    latest_theme_set,
    scope_entries,
    scope_ideas,
    theme_set,
)
from ideation.cli import cli
from ideation.demo import build_demo
from ideation.export.bundle import build_bundle
from ideation.store import Store


@pytest.fixture
def demo(store: Store) -> int:
    return build_demo(store).session_id


def test_automatic_clustering_covers_every_standing_idea(
    store: Store, demo: int, fake_embedder
) -> None:
    record = cluster_scope(store, [demo], fake_embedder)
    assert record.automatic and record.scope == (demo,) and record.model == fake_embedder.model_id
    themes = theme_set(store, record.id)
    placed = [idea.id for theme in themes.themes for idea in theme.ideas]
    assert sorted(placed) == sorted(i.id for i in scope_ideas(store, [demo]))
    # ideas and springboards only: the demo's excursion material and responses stay out
    entries = scope_entries(store, [demo])
    assert len(placed) == len(scope_ideas(store, [demo])) < len(entries)
    kept_out = {e.id for e in entries if e.entry not in ("idea", "springboard")}
    assert {e.entry for e in entries if e.id in kept_out} >= {"excursion", "plus", "concern"}
    assert not kept_out & set(placed)
    assert all(t.label and t.representative in t.ideas for t in themes.themes)
    fixed = cluster_scope(store, [demo], fake_embedder, themes=4)
    assert len(theme_set(store, fixed.id).themes) == 4
    assert latest_theme_set(store, [demo]).record.id == fixed.id


def test_edits_are_child_revisions_and_the_automatic_one_stays(
    store: Store, demo: int, fake_embedder
) -> None:
    auto = theme_set(store, cluster_scope(store, [demo], fake_embedder, themes=5).id)
    first, second = auto.themes[0], auto.themes[1]
    idea = second.ideas[0]
    moved = review.move_idea(store, auto, idea.id, first.number)
    assert moved.record.parent_id == auto.record.id and not moved.record.automatic
    assert moved.theme_of(idea.id).number == first.number
    renamed = review.rename_theme(store, moved, first.number, "  Grow   your own  ")
    assert renamed.themes[0].label == "Grow your own"
    merged = review.merge_themes(store, renamed, first.number, second.number)
    assert len(merged.themes) == 4
    assert len(merged.themes[0].ideas) == len(first.ideas) + len(second.ideas)
    chosen = review.choose_representative(store, merged, idea.id)
    assert chosen.theme_of(idea.id).representative.id == idea.id
    split = review.split_theme(store, chosen, first.number, fake_embedder)
    assert len(split.themes) == 5
    assert sum(len(t.ideas) for t in split.themes) == len(scope_ideas(store, [demo]))
    assert theme_set(store, auto.record.id) == auto  # untouched
    with pytest.raises(ValueError, match="no theme 99"):
        review.move_idea(store, split, idea.id, 99)
    with pytest.raises(ValueError, match="needs a label"):
        review.rename_theme(store, split, first.number, "   ")


def test_bundle_pseudonymises_and_maps(store: Store, demo: int, fake_embedder) -> None:
    cluster_scope(store, [demo], fake_embedder, themes=6)
    bundle = build_bundle(store, [demo])
    assert {i.participant for i in bundle.ideas} <= {f"P{n}" for n in range(1, 7)}
    assert len(bundle.themes) == 6 and all(i.theme_id for i in bundle.ideas)
    assert all(i.x is not None for i in bundle.ideas)
    (session,) = bundle.sessions
    assert session.brief["problem_as_given"].startswith("How might Brewline")
    entries = len(scope_entries(store, [demo]))
    excursion = len(bundle.excursion)
    assert len(session.agenda) == 16 and sum(session.ideas_per_minute) == entries - excursion
    assert len(bundle.ideas) + len(bundle.responses) + excursion == entries
    builds = [i for i in bundle.ideas if i.builds_on is not None]
    assert builds and all(isinstance(i.builds_on, int) for i in builds)
    named = build_bundle(store, [demo], include_names=True)
    assert "Maya" in {i.participant for i in named.ideas}


def test_a_session_clustered_with_others_exports_with_the_pooled_themes(
    store: Store, demo: int, fake_embedder
) -> None:
    demo_session = store.session(demo)
    demo_ideas = scope_ideas(store, [demo])
    said_twice, said_once = demo_ideas[0].text, demo_ideas[1].text
    other = store.create_session("Second group", demo_session.plan_id, [], [{"label": "Kim"}])
    kim = store.participants(other.id)[0].id
    for text in (said_twice, said_twice, said_once, "beans delivered when I run low"):
        store.add_idea(other.id, text, participant_id=kim)
    pooled = cluster_scope(store, [demo, other.id], fake_embedder, themes=5)
    third = store.create_session("Third group", demo_session.plan_id, [], [{"label": "Lou"}])

    alone = build_bundle(store, [demo])
    kims = build_bundle(store, [other.id])

    themed = len(scope_ideas(store, [demo]))
    assert len(alone.ideas) == themed and all(i.theme_id for i in alone.ideas)
    assert "Second group" not in {i.session for i in alone.ideas}
    assert {t.id for t in alone.themes} <= set(range(1, 6))
    assert sum(t.size for t in alone.themes) == themed
    assert f"revision {pooled.id}" in alone.clustering_note
    assert "over sessions" in alone.clustering_note
    assert sum(t.size for t in kims.themes) == 4 and all(i.theme_id for i in kims.ideas)
    # each theme keeps a representative of its own; a group needs two of its ideas here
    assert all(t.representative for t in kims.themes)
    assert sum(i.representative for i in kims.ideas) == len(kims.themes)
    groups = Counter(i.duplicate_group for i in kims.ideas if i.duplicate_group is not None)
    assert list(groups.values()) == [2]
    assert build_bundle(store, [other.id], revision=pooled.id).themes == kims.themes
    with pytest.raises(ValueError, match=f"revision {pooled.id} covers sessions"):
        build_bundle(store, [third.id], revision=pooled.id)


def test_cluster_and_export_commands_with_the_real_model(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--no-tui", "--db", str(db)]).exit_code == 0
    clustered = runner.invoke(cli, ["cluster", "1", "--db", str(db)])
    assert clustered.exit_code == 0, clustered.output
    with Store(db) as store:
        themed, entries = len(scope_ideas(store, [1])), len(scope_entries(store, [1]))
    assert f"themes over {themed} ideas" in clustered.output
    for fmt in ("csv", "json", "md", "xlsx", "html"):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(cli, ["export", "1", "--out", str(out), "--db", str(db)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 1000
    with open(tmp_path / "report.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == entries  # every entry, whatever its kind
    assert all(bool(r["theme_label"]) == (r["entry"] in ("idea", "springboard")) for r in rows)
    assert not {r["participant"] for r in rows} & {"Maya", "Tom", "Ana"}
    found = runner.invoke(cli, ["search", "compost", "--db", str(db)])
    assert found.exit_code == 0 and "compost" in found.output.lower()
    bad = runner.invoke(cli, ["export", "1", "--out", str(tmp_path / "x.pdf"), "--db", str(db)])
    assert bad.exit_code == 2 and "format" in bad.output
    with Store(db) as store:
        themes = latest_theme_set(store, [1])
        assert themes is not None
        edited = review.rename_theme(store, themes, 1, "Seed pods").record
    again = runner.invoke(cli, ["cluster", "1", "--db", str(db)])
    assert again.exit_code == 0, again.output
    assert (
        f"note: revision {edited.id} has your edits (renamed" in again.output
        and f"`ideation export 1 --revision {edited.id}` exports it" in again.output
    )
    kept = runner.invoke(
        cli,
        [
            "export",
            "1",
            "--revision",
            str(edited.id),
            "--out",
            str(tmp_path / "e.csv"),
            "--db",
            str(db),
        ],
    )
    assert kept.exit_code == 0, kept.output
    assert "Seed pods" in (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    asked = runner.invoke(cli, ["cluster", "1", "--themes", "200", "--db", str(db)])
    assert asked.exit_code == 0, asked.output
    assert f"note: 200 themes asked for; {themed} ideas made {themed}" in asked.output
