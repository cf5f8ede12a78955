"""The report's parts: a readable map at 25 themes, honest counts, no stray punctuation."""

from __future__ import annotations

import itertools
import random
import re
import xml.etree.ElementTree as ET

import pytest

from ideation.export import (
    AgendaRow,
    ExportBundle,
    ExportIdea,
    ExportSession,
    ExportTheme,
    render_html,
    render_markdown,
)
from ideation.export.report_charts import LABEL_SIZE, MAP_HEIGHT, MAP_WIDTH, text_width
from ideation.text import plural

SVG = "{http://www.w3.org/2000/svg}"


def idea(seq: int, **overrides: object) -> ExportIdea:
    values: dict[str, object] = {
        "id": seq,
        "session": "Kitchen",
        "seq": seq,
        "text": f"idea number {seq}",
        "participant": "",
        "phase": "Warm-up",
        "technique": "brainstorm",
        "created_at": f"2025-01-01T10:{seq % 60:02d}:00",
        "builds_on": None,
        "theme_id": None,
        "theme_label": "",
        "representative": False,
        "wild": False,
        "duplicate_group": None,
    }
    values.update(overrides)
    return ExportIdea(**values)  # type: ignore[arg-type]


def bundle_of(
    ideas: list[ExportIdea],
    themes: tuple[ExportTheme, ...] = (),
    participation: tuple[tuple[str, int], ...] = (),
) -> ExportBundle:
    session = ExportSession(
        "Kitchen",
        {},
        (AgendaRow("Warm-up", "brainstorm", 10, 10, "2025-01-01T10:00:00"),),
        (len(ideas),),
        participation,
    )
    return ExportBundle("Study", (session,), themes, tuple(ideas), "2025-01-01T12:00:00", "")


# --- the map at 25 themes --------------------------------------------------------------------


def crowded_bundle(count: int = 25) -> ExportBundle:
    """`count` themes whose centres crowd together (rows of five, close): naive labels at
    the centres collide, as they did on real studies with 20+ themes."""
    rng = random.Random(count)
    ideas, themes = [], []
    for number in range(1, count + 1):
        cx, cy = (number % 5) * 0.6, (number // 5) * 0.15
        label = f"<b>theme</b> {number} " + " · ".join(rng.sample(WORDS, 3))
        themes.append(ExportTheme(number, label, f"idea {number}", 6, 0, 0))
        for member in range(6):
            ideas.append(
                idea(
                    number * 10 + member,
                    text=f"idea {number}-{member}",
                    theme_id=number,
                    theme_label=label,
                    representative=member == 0,
                    x=cx + rng.gauss(0, 0.25),
                    y=cy + rng.gauss(0, 0.25),
                )
            )
    ideas += [idea(1000 + i, x=rng.uniform(0, 5), y=rng.uniform(0, 2.5)) for i in range(4)]
    return bundle_of(ideas, tuple(themes))


WORDS = "compost pods garden kettle alarm morning grinder beans price voucher 咖啡 渣 🌱".split()


def map_svg(document: str) -> ET.Element:
    figure = re.search(r'<figure class="map">(<svg.*?</svg>)', document, re.S)
    assert figure, "no map in the report"
    return ET.fromstring(figure.group(1).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))


def boxes(svg: ET.Element) -> list[tuple[float, float, float, float]]:
    return [
        tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[misc]
        for rect in svg.iter(f"{SVG}rect")
        if rect.get("class") == "lb"
    ]


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def test_the_fixture_crowds_its_labels() -> None:
    """Labels drawn at the theme centres would collide: otherwise the next test proves nothing."""
    bundle = crowded_bundle()
    xs, ys = [i.x for i in bundle.ideas], [i.y for i in bundle.ideas]
    scale = min((MAP_WIDTH - 56) / (max(xs) - min(xs)), (MAP_HEIGHT - 56) / (max(ys) - min(ys)))
    naive = []
    for theme in bundle.themes:
        spots = [(i.x * scale, i.y * scale) for i in bundle.ideas if i.theme_id == theme.id]
        x, y = (sum(c) / len(spots) for c in zip(*spots, strict=True))
        width = text_width(f"{theme.id} {theme.label}"[:24], LABEL_SIZE)
        naive.append((x - width / 2, y - LABEL_SIZE / 2, width, LABEL_SIZE * 1.3))
    assert sum(overlap(a, b) for a, b in itertools.combinations(naive, 2)) >= 20


def test_map_labels_do_not_overlap_at_25_themes() -> None:
    document = render_html(crowded_bundle(25))
    svg = map_svg(document)
    placed = boxes(svg)
    assert len(placed) >= 12  # most themes keep a label on the map
    for a, b in itertools.combinations(placed, 2):
        assert not overlap(a, b), (a, b)
    for x, y, width, height in placed:
        assert x >= 0 and y >= 0 and x + width <= MAP_WIDTH and y + height <= MAP_HEIGHT
    # Each label's text sits in the middle of its own box, and the box is wide enough for it.
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") != "ml":
            continue
        rect, text = group.find(f"{SVG}rect"), group.find(f"{SVG}text")
        assert rect is not None and text is not None
        words = "".join(text.itertext())
        assert float(rect.get("width")) >= text_width(words, LABEL_SIZE)  # type: ignore[arg-type]
        centre = float(rect.get("x")) + float(rect.get("width")) / 2  # type: ignore[arg-type]
        assert abs(float(text.get("x")) - centre) < 0.2  # type: ignore[arg-type]
        assert text.get("text-anchor") == "middle"
    # The legend lists every theme, placed on the map or not, and the unthemed.
    legend = re.search(r'<ul class="legend">(.*?)</ul>', document, re.S)
    assert legend and legend.group(1).count("<li ") == 26
    for number in range(1, 26):
        assert f"{number}. &lt;b&gt;theme&lt;/b&gt; {number} " in legend.group(1)


def test_map_labels_are_escaped() -> None:
    document = render_html(crowded_bundle(3))
    svg = map_svg(document)  # parses: nothing in a label broke the markup
    labels = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert any("<b>theme</b>" in label for label in labels)
    assert "<b>" not in document.split('<figure class="map">')[1].split("</figure>")[0]


def test_each_theme_is_one_hoverable_group_linked_to_its_legend_entry() -> None:
    document = render_html(crowded_bundle(25))
    svg = map_svg(document)
    groups = {g.get("data-t") for g in svg.iter(f"{SVG}g") if g.get("class") == "mt"}
    assert groups == {str(i) for i in range(26)}  # 25 themes and the unthemed
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") == "mt":  # every mark of a theme is inside its group
            assert all(child.tag in (f"{SVG}circle", f"{SVG}rect") for child in group)
    style = "".join(s.text or "" for s in svg.iter(f"{SVG}style"))
    for index in range(26):
        assert f'[data-t="{index}"]:hover' in style
        assert f'<li data-t="{index}">' in document
    assert "g.mt:hover" in document  # the plain fallback in the page's stylesheet


# --- counts and attribution ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (0, "idea", "0 ideas"),
        (1, "idea", "1 idea"),
        (2, "idea", "2 ideas"),
        (1, "wild idea", "1 wild idea"),
    ],
)
def test_plural(count: int, noun: str, expected: str) -> None:
    assert plural(count, noun) == expected


def test_unattributed_is_not_a_participant() -> None:
    ideas = [idea(1, wild=True), idea(2), idea(3)]
    bundle = bundle_of(ideas, participation=(("unattributed", 3),))
    markdown = render_markdown(bundle)
    assert "0 participants" in markdown and "1 participant" not in markdown
    assert "1 wild idea." in markdown and "1 session," in markdown
    document = render_html(bundle)
    assert "<li><b>0</b><span>participants</span></li>" in document
    assert "<li><b>1</b><span>wild idea</span></li>" in document
    assert "<li><b>1</b><span>session</span></li>" in document


def test_one_of_everything_is_singular() -> None:
    theme = ExportTheme(1, "kettle", "idea number 1", 1, 0, 0)
    ideas = [idea(1, participant="P1", theme_id=1, theme_label="kettle", representative=True)]
    bundle = bundle_of(ideas, (theme,), participation=(("P1", 1),))
    markdown = render_markdown(bundle)
    assert "**1 idea** in **1 theme** from 1 session, 1 participant, 0 wild ideas." in markdown
    assert "### 1. kettle (1 idea)" in markdown
    document = render_html(bundle)
    for noun in ("idea", "theme", "participant", "session"):
        assert f"<li><b>1</b><span>{noun}</span></li>" in document
    assert not re.search(r"\b1 (ideas|themes|participants|sessions)\b", markdown + document)


def test_ideas_without_a_participant_have_no_stray_punctuation() -> None:
    ideas = [
        idea(1, duplicate_group=1),
        idea(2, text="the same idea, said another way", duplicate_group=1),
        idea(3, builds_on=1),
        idea(4, phase=""),
        idea(5, participant="P2", duplicate_group=2),
        idea(6, text="P3 says it differently", duplicate_group=2),
    ]
    markdown = render_markdown(bundle_of(ideas))
    assert "— ," not in markdown and "()" not in markdown and "— \n" not in markdown
    assert "- idea number 1 — Warm-up *said 2×*" in markdown
    assert "  - also said as: the same idea, said another way\n" in markdown
    assert "- idea number 4\n" in markdown
    assert "- idea number 5 — P2, Warm-up *said 2×*" in markdown
    document = render_html(bundle_of(ideas))
    sources = re.findall(r'<span class="who">(.*?)</span>', document)
    assert sources[:3] == ["Warm-up · #1, #2", "Warm-up · #3 · builds on #1", "#4"]
    assert sources[3] == "P2 · Warm-up · #5, #6"
    assert all(not s.startswith(("·", " ")) and "· ·" not in s for s in sources)
    assert "()" not in document
    assert "said another way</span>" in document  # the other wording, with no "(…)" after it


def test_ideas_without_a_phase_get_a_labelled_bar() -> None:
    page = render_html(bundle_of([idea(1), idea(2, phase=""), idea(3, phase="")]))
    chart = page[page.index("Ideas per phase") : page.index("Ideas per participant")]
    assert "(no phase)" in chart and "Warm-up" in chart


@pytest.mark.parametrize(("foreign", "verb"), [(1, "is"), (2, "are")])
def test_the_language_note_agrees_with_its_count(foreign: int, verb: str) -> None:
    from ideation.analysis.embed import BUNDLED_MODEL_ID
    from ideation.analysis.languages import language_note

    texts = ["coffee pods to compost", "コーヒーかすを肥料にする", "Кофейная гуща как удобрение"]
    note = language_note(texts[: 1 + foreign], BUNDLED_MODEL_ID)
    assert note.startswith(f"Language: {foreign} of {1 + foreign} ideas {verb} not in English")
