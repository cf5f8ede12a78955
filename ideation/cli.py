"""Provides the `ideation` command line: one front door per job.

Imports stay light here (click and the store): heavy libraries load inside
the commands that need them, so `ideation --help` and the TUI start fast.
User errors are one line through `UserError`, exit status 2.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ideation import __version__
from ideation.store import Store, StoreError, default_db_path

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """Bad input from the user: one line, exit status 2, nothing half-written."""

    exit_code = 2


def db_option(func: F) -> F:
    """`--db PATH` on every command; `IDEATION_DB` and then `sessions/study.db` otherwise."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Study database file. [default: $IDEATION_DB or sessions/study.db]",
    )(func)


def open_study(db_path: Path | None) -> Store:
    try:
        return Store(db_path or default_db_path())
    except StoreError as error:
        raise UserError(str(error)) from error


def launch_tui(db_path: Path, **options: Any) -> None:
    """Open the Textual app; imported here so plain commands never pay for Textual."""
    from ideation.tui.app import IdeationApp

    IdeationApp(db_path=db_path, **options).run()


@click.group(invoke_without_command=True)
@click.version_option(__version__, prog_name="ideation")
@db_option
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None) -> None:
    """Recruit, facilitate and make sense of consumer ideation sessions.

    With no command, opens the terminal UI on the study database.

    Example:

        ideation demo && ideation --db sessions/demo.db
    """
    if ctx.invoked_subcommand is None:
        path = db_path or default_db_path()
        open_study(path).close()
        launch_tui(path)


@cli.command()
@db_option
@click.option("--no-tui", is_flag=True, help="Build the demo study but do not open the UI.")
def demo(db_path: Path | None, no_tui: bool) -> None:
    """Build the demo study (a coffee brand's recruit and a completed
    half-day session) and open the UI on it. Running it twice is safe.

    Example:

        ideation demo --db sessions/demo.db
    """
    from ideation.demo import build_demo

    path = db_path or default_db_path()
    with open_study(path) as store:
        try:
            summary = build_demo(store)
        except ValueError as error:
            raise UserError(str(error)) from error
    click.echo(f"{path}: {summary}")
    if not no_tui:
        launch_tui(path)


def main() -> None:
    cli(prog_name="ideation")
