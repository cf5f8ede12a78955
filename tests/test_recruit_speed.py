"""The recruit screen stays instant at 10,000 respondents: what makes it so, checked.

Speed itself is measured by `bench/screening.py --stored` (never timed here). These
tests pin down the means: the table shows the first screenful at once and fills the
rest while keys work; a dialog closed without a change reads nobody again; the answers
are decoded once while no answer changes (and never served stale); an import runs a
handful of statements, not several a person; and flags are found by an index that an
older study gets in place.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database
from textual.widgets import DataTable

from ideation.paths import shipped_file
from ideation.records import Contact, Decision, Flag, Respondent, Score
from ideation.schema import MIGRATION_NAMES, migrations
from ideation.screening.desk import RecruitDesk
from ideation.screening.pipeline import import_responses, register_screener
from ideation.screening.screener_yaml import load_screener
from ideation.store import Store, StudyConnection
from ideation.tui import recruit
from ideation.tui.app import IdeationApp
from ideation.tui.dialogs import AskScreen
from ideation.tui.recruit import RecruitScreen

DATA = Path(__file__).parent / "data"
#: More people than the first screenful and a batch of the fill together.
PEOPLE = recruit.FIRST_ROWS + 2 * recruit.FILL_BATCH + 7


@pytest.fixture
def big_study(db_path: Path) -> Path:
    """`PEOPLE` scored respondents (the Qualtrics export's answers, cycled), composite
    falling with their number, so rank order is their order."""
    defn = load_screener(shipped_file("screeners", "home-coffee.yaml"))
    with Store(db_path) as store:
        import_responses(store, defn, DATA / "qualtrics_home_coffee.csv")
        screener = register_screener(store, defn)
        imported = store.respondents(screener.id)
        complete = [r for r in imported if r.status == "complete"]
        clones = [
            Respondent(0, screener.id, f"P{n:04d}", answers=complete[n % len(complete)].answers)
            for n in range(PEOPLE - len(imported))
        ]
        store.add_respondents([(person, None) for person in clones])
        for rank, person in enumerate(store.respondents(screener.id)):
            if person.status != "complete":
                continue
            value = 100.0 - rank * 0.1
            store.save_assessment(
                person.id,
                [Score(person.id, kind, value, {}) for kind in ("involvement", "creativity")]
                + [Score(person.id, "composite", value, {})],
                [],
            )
    return db_path


def keys(table: DataTable) -> list[str]:
    return [str(row.key.value) for row in table.ordered_rows]


async def opened(app: IdeationApp, pilot: Any) -> RecruitScreen:
    await pilot.pause()
    app.push_screen(RecruitScreen(app.store.screeners()[0].id))  # type: ignore[attr-defined]
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, RecruitScreen)
    return screen


async def test_the_table_shows_a_screenful_at_once_and_then_everyone_in_rank_order(
    big_study: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fills: list[int] = []
    monkeypatch.setattr(RecruitScreen, "fill_worker", lambda self: fills.append(self.filled))
    app = IdeationApp(big_study, embedder=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await opened(app, pilot)
        table = screen.query_one("#candidates", DataTable)
        assert fills == [recruit.FIRST_ROWS]  # the rest left to the fill, not built now
        assert table.row_count == recruit.FIRST_ROWS
        assert f"{PEOPLE} respondents" in str(screen.query_one("#summary").render())
        # A decision while the rest is on its way: saved and shown, nobody reordered.
        await pilot.press("down", "b")
        await pilot.pause()
        assert isinstance(app.screen, AskScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert table.row_count == recruit.FIRST_ROWS and fills == [recruit.FIRST_ROWS]
        second = screen.rows[1]
        assert second.respondent.decision is Decision.STANDBY
        assert str(table.get_row(str(second.respondent.id))[8]) == "standby"
        # The rest arrive from the rows as they are now, after the first screenful.
        while screen.filled < len(screen.rows):
            screen.add_rows(recruit.FILL_BATCH)
        assert keys(table) == [str(row.respondent.id) for row in screen.rows]
        assert len(set(keys(table))) == PEOPLE
        last = screen.rows[-1]
        assert [str(c) for c in table.get_row(str(last.respondent.id))] == [
            str(c) for c in screen.cells(last)
        ]


async def test_the_fill_worker_brings_everyone_and_keeps_the_cursor(big_study: Path) -> None:
    app = IdeationApp(big_study, embedder=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await opened(app, pilot)
        table = screen.query_one("#candidates", DataTable)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table.row_count == PEOPLE
        assert keys(table) == [str(row.respondent.id) for row in screen.rows]
        ranks = [str(table.get_row_at(i)[0]) for i in range(5)]
        assert ranks == ["1", "2", "3", "4", "5"]
        # Someone new (an interview on another machine) reorders: the fill starts again
        # and the cursor finds its person even when they are past the first screenful.
        far = screen.rows[recruit.FIRST_ROWS + 5].respondent
        with Store(big_study) as other:
            other.add_respondent(far.screener_id, "NEW1", {})
        screen.reload(str(far.id))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table.row_count == PEOPLE + 1
        assert screen.selected_key() == str(far.id)


async def test_a_dialog_closed_without_a_change_reads_nobody_again(
    big_study: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    real = RecruitDesk.assessment

    def counted(self: RecruitDesk) -> Any:
        reads.append(1)
        return real(self)

    monkeypatch.setattr(RecruitDesk, "assessment", counted)
    app = IdeationApp(big_study, embedder=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await opened(app, pilot)
        assert len(reads) == 1  # the first resume, right after mounting, reads nothing
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RecruitScreen) and len(reads) == 1
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert len(reads) == 2  # a decision: read once, not again on resuming
        assert screen.rows[0].respondent.decision is Decision.ACCEPTED
        with Store(big_study) as other:  # another connection changes the study
            other.set_decision(screen.rows[0].respondent.id, "rejected", "moved away")
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert len(reads) == 3
        assert screen.rows[0].respondent.decision is Decision.REJECTED


# -- the store: answers decoded once, never stale --------------------------------------


@pytest.fixture
def two(db_path: Path) -> Iterator[tuple[Store, Store, int]]:
    """Two connections to one study (the screen's and, say, an import's), a screener."""
    with Store(db_path) as first, Store(db_path) as second:
        screener = first.upsert_screener("s", "S", "screener: s", study="Study")
        first.add_respondent(screener.id, "R1", {"cups": 2})
        yield first, second, screener.id


def answers(store: Store, screener_id: int) -> dict[str, Any]:
    return {r.external_id: r.answers for r in store.respondents(screener_id)}


def test_answers_are_decoded_once_while_nobody_changes_them(
    two: tuple[Store, Store, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _, screener_id = two
    first.respondents(screener_id)
    decoded: list[str] = []
    real = Store._answers

    def counting(self: Store, *args: Any) -> Any:
        decoded.append("x")
        return real(self, *args)

    monkeypatch.setattr(Store, "_answers", counting)
    person = first.respondents(screener_id)[0]
    first.set_decision(person.id, "accepted", "fine")
    again = first.respondents(screener_id)[0]
    assert decoded == [] and again.decision is Decision.ACCEPTED  # decisions read fresh
    assert again.answers == {"cups": 2}


def test_answers_changed_by_another_connection_are_read_again(
    two: tuple[Store, Store, int],
) -> None:
    first, second, screener_id = two
    assert answers(first, screener_id) == {"R1": {"cups": 2}}
    person = second.respondents(screener_id)[0]
    second.replace_answers(person, {"cups": 20}, contact=None, source="b.csv", duration_seconds=1)
    assert answers(first, screener_id) == {"R1": {"cups": 20}}
    second.add_respondent(screener_id, "R2", {"cups": 5})
    assert answers(first, screener_id) == {"R1": {"cups": 20}, "R2": {"cups": 5}}


def test_answers_read_in_a_rolled_back_transaction_are_not_kept(
    two: tuple[Store, Store, int],
) -> None:
    """A rolled-back write gives its ids to the next people: what was read inside it
    must not be served as theirs."""
    first, _, screener_id = two
    with pytest.raises(RuntimeError), first.transaction():
        first.add_respondent(screener_id, "GONE", {"cups": 99})
        assert answers(first, screener_id)["GONE"] == {"cups": 99}
        raise RuntimeError("stop")
    first.add_respondent(screener_id, "R2", {"cups": 5})  # the same id as GONE had
    assert answers(first, screener_id) == {"R1": {"cups": 2}, "R2": {"cups": 5}}


# -- import: a handful of statements, not several a person ------------------------------


def test_add_respondents_skips_stored_and_repeated_ids_and_keeps_the_outcome(
    store: Store,
) -> None:
    screener = store.upsert_screener("s", "S", "screener: s")
    store.add_respondent(screener.id, "R1", {"q": 1})
    added = store.add_respondents(
        [
            (Respondent(0, screener.id, "R1", answers={"q": 9}), None),
            (
                Respondent(
                    0,
                    screener.id,
                    "R2",
                    "a.csv",
                    312.0,
                    "terminated",
                    "works in coffee",
                    answers={"q": 2},
                ),
                Contact(0, "Zoe", "zoe@example.com", ""),
            ),
            (Respondent(0, screener.id, "R2", answers={"q": 3}), None),
        ]
    )
    assert list(added) == ["R2"]
    stored = {r.external_id: r for r in store.respondents(screener.id)}
    assert stored["R1"].answers == {"q": 1}  # already imported: left alone
    two = stored["R2"]
    assert (two.answers, two.source, two.duration_seconds) == ({"q": 2}, "a.csv", 312.0)
    assert (two.status, two.terminate_reason) == ("terminated", "works in coffee")
    contact = store.contact(two.id)
    assert contact is not None and contact.email == "zoe@example.com"
    other = store.upsert_screener("t", "T", "screener: t")
    with pytest.raises(ValueError, match="one screener"):
        store.add_respondents(
            [(Respondent(0, screener.id, "X"), None), (Respondent(0, other.id, "Y"), None)]
        )


def test_an_import_runs_the_same_statements_for_40_people_as_for_80(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    defn = load_screener(shipped_file("screeners", "home-coffee.yaml"))
    question = next(q for q in defn.questions if q.type == "single_choice")
    statements: list[str] = []
    real = StudyConnection.execute

    def counting(self: StudyConnection, sql: str, *args: Any) -> Any:
        statements.append(sql)
        return real(self, sql, *args)

    monkeypatch.setattr(StudyConnection, "execute", counting)
    counts = []
    for people in (40, 80):
        export = tmp_path / f"{people}.csv"
        lines = [f"id,duration,{question.id}"]
        lines += [f"R{n},600,{question.options[0]}" for n in range(people)]
        export.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with Store(tmp_path / f"{people}.db") as store:
            statements.clear()
            assert import_responses(store, defn, export).added == people
            counts.append(len(statements))
    assert counts[0] == counts[1] < 40, statements


# -- m010: flags found by respondent ------------------------------------------------------


def test_an_older_study_gets_the_flags_index_in_place(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    migrations().apply(Database(conn), stop_before="m010_flags_by_respondent")
    conn.executescript(
        """
        INSERT INTO screeners (id, study, name, title, source, created_at)
            VALUES (1, 'Coffee', 'home-coffee', 'Coffee', 'screener: home-coffee', 1);
        INSERT INTO respondents (id, screener_id, external_id, imported_at)
            VALUES (4, 1, 'R1', 1);
        INSERT INTO flags (respondent_id, kind, reason) VALUES (4, 'speeder', 'took 95 s');
        """
    )
    conn.commit()
    conn.close()
    with Store(db_path) as store:
        assert "m010_flags_by_respondent" in store.schema_version()
        assert store.schema_version()[-1] == MIGRATION_NAMES[-1]
        assert store.flags(4) == [Flag(4, "speeder", "took 95 s")]
        plan = store.db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM flags WHERE respondent_id = ?", [4]
        ).fetchall()
        assert "flags_by_respondent" in str(plan)
