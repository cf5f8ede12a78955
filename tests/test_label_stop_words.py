"""A study extends the labels' stop list, and the next cluster's labels skip its words."""

from pathlib import Path

from click.testing import CliRunner
from conftest import FakeEmbedder

from ideation.analysis import review
from ideation.analysis.importing import import_ideas
from ideation.analysis.themes import cluster_scope, theme_set
from ideation.cli import cli
from ideation.store import Store

IDEAS = [
    "coffee pods that compost in the garden",
    "coffee grounds compost for tomato plants",
    "a coffee compost bin under the sink",
    "coffee refill station at the supermarket",
    "coffee refill pouches instead of tins",
    "coffee refill subscription by bike courier",
]


def invoke(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def labels(db_path: Path) -> list[str]:
    with Store(db_path) as store:
        (session,) = store.sessions()
        record = cluster_scope(store, [session.id], FakeEmbedder(), themes=2)
        return [theme.label for theme in store.themes(record.id)]


def test_the_study_stop_list_keeps_its_words_out_of_labels(tmp_path: Path) -> None:
    db_path = tmp_path / "study.db"
    board = tmp_path / "board.txt"
    board.write_text("\n".join(f"- {idea}" for idea in IDEAS), encoding="utf-8")
    with Store(db_path) as store:
        import_ideas(store, board)
    assert any("coffee" in label for label in labels(db_path))

    code, output = invoke("study", "stop-words", "Coffee", "brew", "--db", db_path)
    assert code == 0 and "coffee brew" in output
    assert invoke("study", "stop-words", "--db", db_path)[1].strip() == "coffee brew"
    assert not any("coffee" in label for label in labels(db_path))
    with Store(db_path) as store:  # a split's new label skips them too
        (session,) = store.sessions()
        whole = cluster_scope(store, [session.id], FakeEmbedder(), themes=1)
        split = review.split_theme(store, theme_set(store, whole.id), 1, FakeEmbedder())
        assert len(split.themes) == 2 and not any("coffee" in t.label for t in split.themes)

    code, output = invoke("study", "stop-words", "--remove", "coffee", "--db", db_path)
    assert code == 0 and invoke("study", "stop-words", "--db", db_path)[1].strip() == "brew"


def test_a_stop_word_is_one_plain_word(tmp_path: Path) -> None:
    db_path = tmp_path / "study.db"
    for bad in ("two words", "=cmd", "[bold]x[/]", "x" * 41, "42"):
        code, output = invoke("study", "stop-words", bad, "--db", db_path)
        assert code == 2 and "expected one plain word" in output
    assert not db_path.exists() or invoke("study", "stop-words", "--db", db_path)[0] == 0
