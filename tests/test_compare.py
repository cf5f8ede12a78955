"""Compare and focus: sessions × themes, segments, opportunity-area coverage (real model),
most novel ideas, the live "untouched area" hint, and their report sections."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest

from ideation.analysis.compare import (
    NOT_SCREENED,
    UNATTRIBUTED,
    segments_by_theme,
    sessions_by_theme,
)
from ideation.analysis.coverage import AREA, SPRINGBOARD, scope_coverage
from ideation.analysis.embed import SentenceTransformerEmbedder, embed_cached
from ideation.analysis.novelty import NOVEL_CAVEAT, listed, most_novel, scope_novelty
from ideation.analysis.themes import cluster_scope, latest_theme_set, theme_set
from ideation.export.bundle import build_bundle
from ideation.export.report_html import render_html
from ideation.export.report_markdown import render_markdown
from ideation.export.tabular import write_xlsx
from ideation.live.flow import (
    NEAR_AREA,
    divergent_phase_done,
    untouched_area_hint,
    untouched_areas,
)
from ideation.live.plan import parse_plan
from ideation.live.session import start_session
from ideation.rarity import pool_rarity
from ideation.screening.segments import participant_segments
from ideation.store import Store

HOSTILE = '=HYPERLINK("http://x") <script>alert(1)</script> [bold]x[/bold]'
PLAN = """
name: {name}
brief:
  problem_as_given: How might we make coffee at home better?
  opportunity_areas:
    - Waste from coffee pods and takeaway cups
    - Exercise and fitness in the gym
  springboards: ["How to make coffee mornings calmer"]
participants: [{{name: Ada}}, {{name: Ben}}]
agenda:
  - {{title: Brainstorm, technique: brainstorm, minutes: 10}}
"""
WASTE = [
    "Coffee pods you can compost in the garden",
    "A return bag for used pods that goes out with the recycling",
    "A reusable cup that gets you money off takeaway coffee",
]
OTHER = ["A kettle that starts when my alarm rings", "A mug that keeps coffee hot for hours"]


@pytest.fixture(scope="module")
def model() -> SentenceTransformerEmbedder:
    """The real bundled all-MiniLM-L6-v2, loaded once for this module."""
    return SentenceTransformerEmbedder()


def two_sessions(store: Store, *, first_name: str = "Morning group") -> list[int]:
    ids = []
    for name, texts in ((first_name, WASTE), ("Evening group", OTHER)):
        session = start_session(store, parse_plan(PLAN.format(name=name), f"{name}.yaml"), name)
        people = store.participants(session.id)
        for n, text in enumerate(texts):
            store.add_idea(session.id, text, participant_id=people[n % 2].id)
        ids.append(session.id)
    return ids


# -- sessions × themes and segments ------------------------------------------------------


def test_sessions_by_theme_counts_every_idea_once_per_session(store: Store, fake_embedder):
    ids = two_sessions(store)
    cluster_scope(store, ids, fake_embedder, themes=2)
    themes = latest_theme_set(store, ids)
    table = sessions_by_theme(themes, {sid: store.session(sid).name for sid in ids})
    assert table.groups == ("Morning group", "Evening group")
    assert table.group_totals() == (3, 2)
    assert [row.number for row in table.rows] == [t.number for t in themes.themes]
    assert sum(row.total for row in table.rows) == 5


def test_segments_are_quota_cells_and_people_outside_a_screener_are_not_screened(
    store: Store, fake_embedder
):
    from ideation.demo import build_demo

    demo = build_demo(store).session_id
    ids = two_sessions(store)
    respondent = store.respondents(store.screeners()[0].id)[0]
    joined = store.add_respondent_participant(ids[0], "Screened", respondent.id, None)
    store.add_idea(ids[0], "Pods made of paper", participant_id=joined.id)
    store.add_idea(ids[0], "Nobody said this one")
    cluster_scope(store, [demo, *ids], fake_embedder)
    themes = latest_theme_set(store, [demo, *ids])
    segments = participant_segments(store, themes.record.scope)
    cells = segments.of[joined.id]
    assert len(cells) == 2  # one age band and one gender
    assert all(cell in segments.order for cell in cells)
    table = segments_by_theme(themes, segments.of, segments.order)
    totals = dict(zip(table.groups, table.group_totals(), strict=True))
    assert all(totals[cell] == 1 for cell in cells)
    assert totals[UNATTRIBUTED] >= 1
    assert totals[NOT_SCREENED] >= 5
    assert segments_by_theme(themes, {}, ()) is None


def test_each_quota_adds_up_to_the_theme_and_the_total_counts_ideas_once(
    store: Store, fake_embedder
):
    """A recruit whose gender has no quota cell went missing from the gender columns,
    and `total` summed the age and the gender columns: 33 for a 26-idea theme."""
    from ideation.demo import build_demo

    build_demo(store)
    (session,) = two_sessions(store)[:1]
    screener = store.screeners()[0].id
    people = store.respondents(screener)
    woman = next(r for r in people if r.answers.get("gender") == "Woman")
    unlisted = next(r for r in people if r.answers.get("gender") == "Prefer not to say")
    for who, respondent in (("Wen", woman), ("Uma", unlisted)):
        joined = store.add_respondent_participant(session, who, respondent.id, None)
        for n in range(3):
            store.add_idea(session, f"{who}'s pod idea {n}", participant_id=joined.id)
    cluster_scope(store, [session], fake_embedder, themes=1)
    themes = latest_theme_set(store, [session])
    segments = participant_segments(store, [session])
    table = segments_by_theme(themes, segments.of, segments.order)
    (row,) = table.rows
    counts = dict(zip(table.groups, row.counts, strict=True))
    assert row.total == len(themes.themes[0].ideas) == 9
    for quota in ("age", "gender"):
        mine = sum(c for g, c in counts.items() if g.startswith(quota + " "))
        assert mine + counts[NOT_SCREENED] + counts.get(UNATTRIBUTED, 0) == row.total, quota
    assert counts["gender (other)"] == 3


# -- coverage, with the real model ---------------------------------------------------------


def test_real_model_coverage_counts_near_ideas_and_finds_the_untouched_area(
    store: Store, model: SentenceTransformerEmbedder
):
    ids = two_sessions(store)
    cluster_scope(store, ids, model, themes=2)
    themes = latest_theme_set(store, ids)
    found = scope_coverage(store, themes)  # cluster_scope cached the areas: no model here
    assert found is not None
    by_text = {c.area.text: c for c in found}
    assert [c.area.kind for c in found] == [AREA, AREA, SPRINGBOARD]
    waste = by_text["Waste from coffee pods and takeaway cups"]
    gym = by_text["Exercise and fitness in the gym"]
    assert waste.ideas >= 2 and not waste.untouched
    assert gym.ideas == 0 and gym.untouched


def test_coverage_without_cached_areas_says_so_instead_of_loading_a_model(
    store: Store, fake_embedder
):
    ids = two_sessions(store)
    cluster_scope(store, ids, fake_embedder)
    themes = latest_theme_set(store, ids)
    store.db.execute("DELETE FROM embeddings")
    assert scope_coverage(store, themes) is None
    assert scope_coverage(store, themes, fake_embedder) is not None


def test_live_hint_waits_for_a_whole_divergent_phase_then_names_the_area(
    store: Store, model: SentenceTransformerEmbedder
):
    areas = ["Waste from coffee pods and takeaway cups", "Exercise and fitness in the gym"]
    vectors = embed_cached(store, model, areas)
    ideas = embed_cached(store, model, WASTE)
    assert untouched_areas(areas, vectors, ideas) == [areas[1]]
    assert untouched_areas(areas, vectors, ideas[:0]) == areas
    running = divergent_phase_done([(0, False)], {0: 300.0}, [600], [True])
    overrun = divergent_phase_done([(0, False)], {0: 600.0}, [600], [True])
    ended = divergent_phase_done([(0, True), (1, False)], {0: 120.0}, [600, 600], [True, False])
    convergent = divergent_phase_done([(0, True)], {0: 900.0}, [600], [False])
    assert (running, overrun, ended, convergent) == (False, True, True, False)
    assert untouched_area_hint([areas[1]], phase_done=False) == ""
    hint = untouched_area_hint([areas[1]], phase_done=True)
    assert hint.startswith(f"Nobody has touched “{areas[1]}” yet")
    assert untouched_area_hint([], phase_done=True) == ""


def test_threshold_is_the_documented_one() -> None:
    assert NEAR_AREA == 0.5


# -- most novel ----------------------------------------------------------------------------


def test_novelty_is_the_screener_rarity_and_lists_the_odd_one_first(store: Store, fake_embedder):
    ids = two_sessions(store)
    odd = store.add_idea(ids[1], "zebra umbrella violin")
    cluster_scope(store, ids, fake_embedder)
    themes = latest_theme_set(store, ids)
    found = scope_novelty(store, themes)
    assert set(found) == set(ids)
    assert found[ids[1]][0].idea.id == odd.id
    ideas = [i for t in themes.themes for i in t.ideas]
    vectors = fake_embedder.embed([i.text for i in ideas])
    owners = [
        f"participant {i.participant_id}" if i.participant_id else f"idea {i.id}" for i in ideas
    ]
    expected = pool_rarity([i.text for i in ideas], vectors, owners).rarity
    got = {n.idea.id: n.rarity for lst in most_novel(themes, vectors).values() for n in lst}
    assert got  # a third of each session's ideas, at least one
    for idea, rarity in zip(ideas, expected, strict=True):
        if idea.id in got:
            assert got[idea.id] == pytest.approx(float(rarity))


@pytest.mark.parametrize(("ideas", "shown"), [(1, 1), (2, 1), (3, 1), (10, 3), (30, 10), (99, 10)])
def test_a_session_lists_a_third_of_its_ideas_at_most_ten(ideas: int, shown: int) -> None:
    assert listed(ideas) == shown


def test_most_novel_lists_a_third_and_leaves_out_ideas_not_in_english(store: Store, fake_embedder):
    session = store.create_session("Board", None, [], []).id
    texts = [f"{word} refill station idea" for word in ("zebra", "violin", "garden", "pods")]
    texts += ["Кофейная гуща как удобрение", "コーヒーかすを肥料にする"]
    texts += [f"coffee refill {n}" for n in range(6)]
    for text in texts:
        store.add_idea(session, text)
    cluster_scope(store, [session], fake_embedder)
    found = scope_novelty(store, latest_theme_set(store, [session]))
    assert found is not None and len(found[session]) == 4  # 12 ideas: a third
    assert all(n.idea.text.isascii() for n in found[session])
    bundle = build_bundle(store, [session])
    assert bundle.novel_left_out == 2
    assert "2 ideas not in English are left out" in render_html(bundle)
    assert "2 ideas not in English are left out" in render_markdown(bundle)
    english = store.create_session("English only", None, [], []).id
    for n in range(3):
        store.add_idea(english, f"a refill bag number {n}")
    cluster_scope(store, [session, english], fake_embedder)  # pooled: counted per export
    assert build_bundle(store, [english]).novel_left_out == 0
    assert build_bundle(store, [session, english]).novel_left_out == 2


# -- the report ------------------------------------------------------------------------------


def test_report_sections_in_markdown_html_and_xlsx_with_hostile_names(
    store: Store, fake_embedder, tmp_path: Path
):
    ids = two_sessions(store, first_name=HOSTILE)
    cluster_scope(store, ids, fake_embedder)
    bundle = build_bundle(store, ids)
    assert [t.by for t in bundle.cross_tables] == ["session"]
    assert bundle.coverage and bundle.novel

    markdown = render_markdown(bundle)
    assert "## Sessions × themes" in markdown
    assert "## Opportunity-area coverage" in markdown and "**no theme**" in markdown
    assert "## Most novel ideas" in markdown and NOVEL_CAVEAT.capitalize() in markdown
    assert "<script>" not in markdown

    page = render_html(bundle)
    assert 'id="by-session"' in page and 'id="coverage"' in page and 'id="novel"' in page
    nav = page[page.index('<nav class="toc"') : page.index("</nav>")]
    for anchor in ("#by-session", "#coverage", "#novel"):
        assert f'href="{anchor}"' in nav
    touching = [t for area in bundle.coverage for t in area.themes]
    assert touching and all(re.fullmatch(r"T\d+ .+ \(\d+\)", t) for t in touching)
    assert f"{touching[0]}</td>" in page or f"{touching[0]}," in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page

    from openpyxl import load_workbook

    stream = io.BytesIO()
    write_xlsx(bundle, stream)
    book = load_workbook(io.BytesIO(stream.getvalue()))
    assert {"Sessions x themes", "Coverage", "Novel ideas"} <= set(book.sheetnames)
    named = book["Sessions x themes"][1][2]
    assert named.value == HOSTILE and named.data_type == "s"  # text, never a formula
    assert named.quotePrefix
    rows = list(book["Sessions x themes"].iter_rows(min_row=2, values_only=True))
    assert sum(r[-1] for r in rows) == 5


def test_one_session_of_a_pooled_revision_ranks_novelty_in_the_pool(store: Store, fake_embedder):
    ids = two_sessions(store)
    cluster_scope(store, ids, fake_embedder)
    bundle = build_bundle(store, ids[:1])
    assert bundle.cross_tables == ()  # one session: nothing to compare
    pooled = scope_novelty(store, theme_set(store, store.clusterings()[-1].id))
    assert [n.seq for n in bundle.novel] == [n.idea.seq for n in pooled[ids[0]]]
    assert np.isfinite([n.rarity for n in bundle.novel]).all()
