"""The command line: help with examples, one-line errors, the demo study."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ideation import __version__
from ideation.cli import cli
from ideation.store import Store


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()):  # noqa: ANN201
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
    if not isinstance(command, click.Group) or not path:
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
        assert len(people) == 6
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
