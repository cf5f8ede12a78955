"""An export imported a chunk at a time: what the import promises for a file of many
chunks. A problem on the last row, or a last row cut off, still imports nobody (rows of
earlier chunks were written and are rolled back); a re-import finds the changed people
in every chunk; what is stored reads back as the file said, hostile text included; the
rules' remembered work gives the outcome working them out afresh gives. Speed and
memory at 100,000 are measured by bench/screening.py."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest

from ideation.paths import shipped_file
from ideation.screening.pipeline import IMPORT_CHUNK, import_responses
from ideation.screening.responses import ResponseFileError, read_responses
from ideation.screening.rules import Steps, evaluate
from ideation.screening.screener_yaml import load_screener
from ideation.sheets import text_lines
from ideation.store import Store

EXPORT = Path(__file__).parent / "data" / "qualtrics_home_coffee.csv"
#: Three header rows in a Qualtrics export, then one respondent a row.
HEADER_ROWS = 3
#: More than two chunks, so the first chunks are stored before the last row is read.
ROWS = IMPORT_CHUNK * 2 + 500
HOSTILE = [
    'a "quoted" \\ back\\slash',
    "line\u2028separator and\u2029paragraph",
    "emoji 🐼☕ and a ™",
    "tab\tand\x0bvertical tab",
    '=HYPERLINK("http://x")',
    "</script><b>bold</b>",
]


@pytest.fixture
def defn():
    return load_screener(shipped_file("screeners", "home-coffee.yaml"))


def big_export(
    tmp_path: Path, rows: int = ROWS, changes: dict[tuple[int, str], str] | None = None
) -> Path:
    """The shipped Qualtrics test export's respondents over and over (each with its own
    id), some open ends hostile text; `changes` sets cells (row number, column)."""
    with open(EXPORT, encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    header, data = table[:HEADER_ROWS], table[HEADER_ROWS:]
    ids, task = header[0].index("ResponseId"), header[0].index("Q12")
    out = []
    hostile = 0
    for n in range(rows):
        row = list(data[n % len(data)])
        row[ids] = f"R_{n:06d}"
        if n % 7 == 3 and row[task]:
            row[task] = HOSTILE[hostile % len(HOSTILE)]
            hostile += 1
        for (number, column), value in (changes or {}).items():
            if number == n:
                row[header[0].index(column)] = value
        out.append(row)
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(header + out)
    return path


def assert_nothing_stored(store: Store) -> None:
    assert store.count_respondents() == 0
    assert store.screeners() == []
    assert store.recent_activity() == []


def test_a_bad_cell_on_the_last_row_imports_nobody(store: Store, defn, tmp_path: Path) -> None:
    path = big_export(tmp_path, changes={(ROWS - 1, "Q7"): "lots"})  # cups a week

    with pytest.raises(ResponseFileError) as refused:
        import_responses(store, defn, path)

    text = path.read_text(encoding="utf-8-sig")
    last_line = text.count("\n", 0, text.index(f"R_{ROWS - 1:06d}")) + 1
    # the line, and the id that finds the row in a spreadsheet (answers span lines)
    assert str(refused.value).startswith(
        f'big.csv:{last_line} (respondent R_{ROWS - 1:06d}): column "Q7"'
    )
    assert '"lots"' in str(refused.value)
    assert_nothing_stored(store)


def test_a_last_row_cut_off_imports_nobody(store: Store, defn, tmp_path: Path) -> None:
    path = big_export(tmp_path)
    whole = path.read_bytes()
    path.write_bytes(whole[: whole.rindex(b"+44")])  # the phone, last cell, never arrives

    with pytest.raises(ResponseFileError, match="cut off"):
        import_responses(store, defn, path)

    assert_nothing_stored(store)


def test_a_repeated_id_in_a_later_chunk_imports_nobody(store: Store, defn, tmp_path: Path) -> None:
    path = big_export(tmp_path, changes={(ROWS - 2, "ResponseId"): "R_000001"})

    with pytest.raises(ResponseFileError, match="unique response id"):
        import_responses(store, defn, path)

    assert_nothing_stored(store)


def test_what_is_stored_reads_back_as_the_file_says(store: Store, defn, tmp_path: Path) -> None:
    path = big_export(tmp_path)
    steps: list[tuple[str, int, int]] = []

    summary = import_responses(store, defn, path, lambda *step: steps.append(step))

    assert (summary.added, summary.changed, summary.unchanged) == (ROWS, 0, 0)
    (screener,) = store.screeners()
    stored = {r.external_id: r for r in store.respondents(screener.id)}
    rows = read_responses(path, defn.questions).rows
    assert [r.external_id for r in rows] == list(stored)  # in file order
    for row in rows:
        answers = {k: v for k, v in stored[row.external_id].answers.items() if k != "@fraud"}
        assert answers == row.answers
        outcome = evaluate(defn, row.answers)
        assert stored[row.external_id].status == outcome.status  # the rules stored too
    assert {r.answers.get("mug_uses") for r in stored.values()} >= set(HOSTILE)
    # progress: rows so far, of an estimate that ends at the count
    done = [d for _, d, _ in steps]
    assert done == sorted(done) and steps[-1] == ("importing", ROWS, ROWS)
    assert all(d <= total for _, d, total in steps)


def test_a_big_reimport_finds_the_changes_in_every_chunk(
    store: Store, defn, tmp_path: Path
) -> None:
    import_responses(store, defn, big_export(tmp_path))
    corrected = [5, IMPORT_CHUNK + 6, ROWS - 1]  # a respondent in each chunk
    changes = {(n, "Q7"): "31" for n in corrected}  # cups a week

    again = import_responses(store, defn, big_export(tmp_path, changes=changes))

    assert (again.added, again.changed, again.unchanged) == (0, 3, ROWS - 3)
    (screener,) = store.screeners()
    people = {r.external_id: r for r in store.respondents(screener.id)}
    for n in corrected:
        person = people[f"R_{n:06d}"]
        assert person.answers["cups_per_week"] == 31
        (old,) = store.answer_history(person.id)
        assert old.answers["cups_per_week"] != 31
    unchanged = import_responses(store, defn, big_export(tmp_path, changes=changes))
    assert (unchanged.added, unchanged.changed) == (0, 0)


def test_remembered_rule_work_gives_the_same_outcomes(defn) -> None:
    rows = read_responses(EXPORT, defn.questions).rows
    rng = random.Random(3)
    tricky: list[object] = [1, 1.0, True, "1", [1], ["1"], [True], {}, [], "", None, 12, "12"]
    answer_sets = [dict(row.answers) for row in rows]
    for _ in range(400):
        answers = dict(rng.choice(rows).answers)
        question = rng.choice(defn.questions)
        answers[question.id] = rng.choice([*tricky, *(r.answers.get(question.id) for r in rows)])
        answer_sets.append(answers)
    steps = Steps(defn)

    for answers in answer_sets * 2:  # the second time from what was remembered
        assert evaluate(defn, answers, steps) == evaluate(defn, answers)
    with pytest.raises(ValueError, match="another screener"):
        evaluate(load_screener(shipped_file("screeners", "home-coffee.yaml")), {}, steps)


def test_lines_are_split_as_csv_reads_a_file() -> None:
    rng = random.Random(5)
    pieces = ["a", ",", '"', "\r", "\n", "\r\n", "\x85", "\u2028", "\x0b", "\x0c", "\x1e"]
    texts = ["", "\n", "\r", "\r\n", "a\r\rb", "a\r\r\nb\r"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 16))) for _ in range(3000)]
    # megabytes, split a piece at a time: a piece with only \n and \r\n, one with a lone \r
    lines = [f"{n},{'x' * (n % 90)}" + ("\r\n" if n % 3 else "\n") for n in range(60_000)]
    texts += ["".join(lines), "".join(lines[:30_000]) + "odd\rbreak" + "".join(lines[30_000:])]

    for text in texts:
        assert list(text_lines(text)) == list(io.StringIO(text, newline="")), repr(text)
