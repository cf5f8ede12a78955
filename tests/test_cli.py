"""The command line: help with examples, one-line errors, the demo study."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ideation import __version__
from ideation.cli import cli
from ideation.store import Store

#: Commands that read a file and never open the study database.
FILE_ONLY = {("plan", "check"), ("screener", "check")}


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    yield prefix, group
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


@pytest.mark.parametrize("path", [p for p, _ in all_commands(cli)], ids=" ".join)
def test_every_command_documents_an_example_and_db(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    command = dict(all_commands(cli))[path]
    if path not in FILE_ONLY and (not isinstance(command, click.Group) or not path):
        assert "--db" in result.output


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_unusable_database_is_one_line_exit_2(tmp_path: Path) -> None:
    bogus = tmp_path / "broken.db"
    bogus.write_bytes(b"\x00not sqlite" * 500)
    result = CliRunner().invoke(cli, ["demo", "--no-tui", "--db", str(bogus)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and str(bogus) in result.output


def test_demo_builds_a_full_study_once(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    first = CliRunner().invoke(cli, ["demo", "--no-tui", "--db", str(db)])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(cli, ["demo", "--no-tui", "--db", str(db)])
    assert second.exit_code == 0 and "already built" in second.output
    with Store(db) as store:
        (session,) = store.sessions()
        assert session.status == "ended"
        ideas = store.count_ideas(session.id)
        assert 140 <= ideas <= 165
        people = store.participants(session.id)
        assert len(people) == 7  # six consumers and the client as problem owner
        assert sum(p.role == "problem_owner" for p in people) == 1
        rows = store.idea_rows(session.id)
        assert all(r.participant_id in {p.id for p in people} for r in rows)
        assert sum(r.builds_on is not None for r in rows if r.kind == "idea") > 20
        assert any(r.kind == "withdrawal" for r in rows)
        techniques = {r.technique for r in rows}
        assert {"brainstorm", "purge", "springboards", "force_fit"} <= techniques
        assert {"direct_analogy", "personal_analogy", "symbolic_analogy"} <= techniques
        log = store.phase_log(session.id)
        assert log[0].kind == "start" and log[-1].kind == "end"
        (screener,) = store.screeners()
        assert 35 <= store.count_respondents(screener.id) <= 45


def test_demo_uses_environment_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "from-env.db"
    monkeypatch.setenv("IDEATION_DB", str(db))
    result = CliRunner().invoke(cli, ["demo", "--no-tui"])
    assert result.exit_code == 0, result.output
    assert db.exists() and str(db) in result.output


def test_db_before_the_command_is_used_by_it(tmp_path: Path) -> None:
    db = tmp_path / "first.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "demo", "--no-tui"])
    assert result.exit_code == 0, result.output
    assert db.exists() and str(db) in result.output
    screened = CliRunner().invoke(cli, ["--db", str(db), "search", "compost"])
    assert screened.exit_code == 0 and "compost" in screened.output.lower()


def test_demo_refuses_a_file_that_already_holds_a_study(tmp_path: Path) -> None:
    db = tmp_path / "real.db"
    with Store(db) as store:
        store.upsert_screener("home-coffee", "Our real recruit", "screener: home-coffee", "x.yaml")
    result = CliRunner().invoke(cli, ["demo", "--no-tui", "--db", str(db)])
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "already holds a study" in result.output and "demo.db" in result.output
    with Store(db) as store:
        assert store.sessions() == [] and store.get_setting("demo_session_id") == ""


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Record TUI launches instead of taking over the terminal."""
    calls: list[dict] = []
    monkeypatch.setattr(
        "ideation.cli.launch_tui", lambda path, **kw: calls.append({"path": path, **kw})
    )
    return calls


def test_run_starts_and_resumes_sessions(tmp_path: Path, launched: list[dict]) -> None:
    db = tmp_path / "run.db"
    plan = Path(__file__).parents[1] / "sessions" / "sprint-90.yaml"
    started = CliRunner().invoke(cli, ["run", str(plan), "--db", str(db), "--name", "Sprint A"])
    assert started.exit_code == 0, started.output
    resumed = CliRunner().invoke(cli, ["run", "--resume", "--db", str(db)])
    by_name = CliRunner().invoke(cli, ["run", "--resume", "Sprint A", "--db", str(db)])
    assert resumed.exit_code == 0 and by_name.exit_code == 0
    assert [c["open_session"] for c in launched] == [1, 1, 1]
    with Store(db) as store:
        (session,) = store.sessions()
        assert session.name == "Sprint A" and len(store.phases(session.id)) == 9


def test_run_can_create_a_session_to_invite_into_first(
    tmp_path: Path, launched: list[dict]
) -> None:
    db = tmp_path / "study.db"
    plan = str(Path(__file__).parents[1] / "sessions" / "sprint-90.yaml")
    result = CliRunner().invoke(cli, ["run", plan, "--name", "Wed", "--no-tui", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "session 1 “Wed”" in result.output and launched == []
    with Store(db) as store:
        (session,) = store.sessions()
        assert session.status != "ended" and store.phase_log(session.id) == []


def test_run_errors_are_one_line_and_write_nothing(tmp_path: Path, launched: list[dict]) -> None:
    db = tmp_path / "run.db"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nbrief: {problem_as_given: y}\nagenda:\n  - {title: a, minutes: 5}\n")
    before_any_study = [
        (["run", "--db", str(db)], "give a plan file"),
        (["run", str(bad), "--db", str(db)], "bad.yaml:4: agenda[0]"),
        (["run", "--resume", "--db", str(db)], "no study here"),
        (["plan", "check", str(bad)], "bad.yaml:4"),
    ]
    in_an_empty_study = [
        (["run", "--resume", "--db", str(db)], "no unfinished session"),
        (["run", "--resume", "7", "--db", str(db)], "no session"),
    ]
    for args, message in before_any_study:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and result.output.count("\n") == 1
        assert not db.exists(), args
    Store(db).close()
    for args, message in in_an_empty_study:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and result.output.count("\n") == 1
    assert launched == []
    with Store(db) as store:
        assert store.sessions() == []


def test_screener_check_reports_every_file_before_failing(tmp_path: Path) -> None:
    shipped = Path(__file__).parents[1] / "screeners" / "home-coffee.yaml"
    typo = tmp_path / "typo.yaml"
    text = shipped.read_text(encoding="utf-8")
    typo.write_text(
        text.replace("- answers:\n          - Marketing", "- answers:\n          - Marketting")
    )
    result = CliRunner().invoke(cli, ["screener", "check", str(typo), str(shipped)])
    assert result.exit_code == 2
    lines = typo.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "- Marketting" in text)  # its own line
    assert f"typo.yaml:{line}: question 'industry': terminate answer 'Marketting" in result.output
    assert "home-coffee.yaml: ok" in result.output


def test_plan_check_reports_the_shipped_plans() -> None:
    plans = sorted((Path(__file__).parents[1] / "sessions").glob("*.yaml"))
    result = CliRunner().invoke(cli, ["plan", "check", *map(str, plans)])
    assert result.exit_code == 0, result.output
    assert "half-day.yaml: ok — 16 phases, 4 h 0 min, 6 participants" in result.output
