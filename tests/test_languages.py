"""Ideas the English-only bundled model cannot read: found, counted, and said once in the
review screen and the report (the CLI is tested in test_embed_resume.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from ideation.analysis.embed import BUNDLED_MODEL_ID
from ideation.analysis.languages import language_note, language_of, other_languages
from ideation.analysis.themes import cluster_scope, scope_ideas
from ideation.demo import build_demo
from ideation.export.bundle import build_bundle
from ideation.export.report_html import render_html
from ideation.export.report_markdown import render_markdown
from ideation.store import Store
from ideation.tui.app import IdeationApp

FOREIGN = {
    "コーヒーかすを肥料にする": "Japanese",
    "Nespressoのカプセルを堆肥にする": "Japanese",
    "咖啡渣做肥料": "Chinese",
    "커피 찌꺼기로 비료 만들기": "Korean",
    "Кофейная гуща как удобрение": "Cyrillic",
    "استخدام القهوة كسماد": "Arabic",
    "שימוש בקפה כדשן לגינה": "Hebrew",
    "कॉफी को खाद के रूप में": "Devanagari",
    "ใช้กากกาแฟเป็นปุ๋ย": "Thai",
    "Ο καφές ως λίπασμα": "Greek",
    "Usar los posos de café como abono para las plantas": "Spanish",
    "Utiliser le marc de café comme engrais pour les plantes": "French",
    "Kaffeesatz als Dünger für die Pflanzen verwenden und nicht wegwerfen": "German",
    "Usare i fondi del caffè come fertilizzante per tutte le piante della casa": "Italian",
    "Usar a borra de café como adubo para as plantas": "Portuguese",
    "Uma caneca que mantém o café quente durante toda a manhã": "Portuguese",
    "Koffiedik gebruiken als mest voor de planten": "Dutch",
}

#: English ideas with brand names, borrowed words and short forms: none may count.
ENGLISH = [
    "Le Creuset kettle",
    "Café de la Paix blend for the office",
    "Nespresso pods made de novo",
    "A pour-over kit delivered by van",
    "Use 抹茶 in coffee pods",
    "Dolce Gusto pods that die in the compost",
    "La Marzocco at home, one cup per day",
    "im thinking a coffee van that comes to the office",
    "the con of the plan is the price",
    "Pain au chocolat subscription with coffee",
    "Crème brûlée latte",
    "Ein Prosit mug",
    "Über-quiet grinder",
    "naïve café menu à la carte",
    "Piñata of coffee beans for kids' parties",
    "A non-stop espresso bar at the DMV",
    "Coffee grounds as fertiliser 🌱☕",
    "",
    "+++",
    "12 cups",
]


@pytest.mark.parametrize(("text", "language"), FOREIGN.items())
def test_scripts_and_latin_languages_are_found(text: str, language: str) -> None:
    assert language_of(text) == language


@pytest.mark.parametrize("text", ENGLISH)
def test_english_ideas_never_count(text: str) -> None:
    assert language_of(text) is None


def test_a_whole_english_study_counts_nothing(store: Store) -> None:
    session = build_demo(store).session_id
    texts = [idea.text for idea in scope_ideas(store, [session])]
    assert len(texts) > 20 and not other_languages(texts)
    assert language_note(texts, BUNDLED_MODEL_ID) == ""


def test_the_note_counts_and_says_what_to_do() -> None:
    texts = [*ENGLISH, *FOREIGN]
    note = language_note(texts, BUNDLED_MODEL_ID)
    assert note.startswith(f"Language: {len(FOREIGN)} of {len(texts)} ideas are not in English")
    assert "--model PATH" in note and "multilingual" in note and BUNDLED_MODEL_ID in note
    assert "(Japanese 2, " in note
    short = language_note(texts, BUNDLED_MODEL_ID, short=True)
    assert len(short) <= 78 and f"{len(FOREIGN)} not in English" in short and "--model" in short
    local = language_note(texts, "local:multi-mini:0123abcd")
    assert "multi-mini" in local and "must be multilingual" in local


MIXED = [
    "Coffee pods you can throw on the compost heap",
    "Capsules that break down in the garden compost",
    "A mug that keeps the drink hot for hours",
    "A travel mug that never spills in the bag",
    "<b>Compost</b> heap for pods",
    "コーヒーかすを肥料にする",
    "コーヒーかす用のコンポスト",
    "Кофейная гуща как удобрение",
]


@pytest.fixture
def mixed_study(db_path: Path, fake_embedder) -> int:
    """A clustered session, three of whose eight ideas are not English, as if the
    bundled model had clustered it."""
    fake_embedder.model_id = BUNDLED_MODEL_ID
    with Store(db_path) as store:
        session = store.create_session("Mixed languages", None, [], [])
        for text in MIXED:
            store.add_idea(session.id, text)
        cluster_scope(store, [session.id], fake_embedder, themes=2)
    return session.id


def test_the_report_says_it_once(db_path: Path, mixed_study: int) -> None:
    with Store(db_path) as store:
        bundle = build_bundle(store, [mixed_study])
    assert bundle.language_note.startswith("Language: 3 of 8 ideas are not in English")
    page = render_html(bundle)
    assert page.count("are not in English") == 1 and "--model PATH" in page
    markdown = render_markdown(bundle)
    assert markdown.count("are not in English") == 1 and "(Japanese 2, Cyrillic 1)" in markdown


async def test_the_review_screen_says_it_in_one_line(db_path: Path, mixed_study: int) -> None:
    app = IdeationApp(db_path, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        line = app.screen.query_one("#language", Static)
        assert line.display and line.region.height == 1
        assert "3 not in English (Japanese 2, Cyrillic 1)" in str(line.render())
        assert "--model" in str(line.render())


async def test_an_english_study_shows_no_language_line(db_path: Path, fake_embedder) -> None:
    with Store(db_path) as store:
        session = build_demo(store).session_id
        cluster_scope(store, [session], fake_embedder)
    app = IdeationApp(db_path, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert not app.screen.query_one("#language", Static).display
