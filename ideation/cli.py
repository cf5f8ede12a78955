"""Provides the `ideation` command line: one front door per job.

Imports stay light here (click and the store): heavy libraries load inside
the commands that need them, so `ideation --help` and the TUI start fast.
Errors take one of two paths, decided in one place (`StudyGroup.invoke`):
an `IdeationError` is the user's to fix and shows as one line (exit 2); any
other exception is a bug, written to a crash log beside the study and named
in one line (exit 1). Everything printed that a person typed passes through
`ideation.text`, so survey answers and ideas cannot drive the terminal.
"""

from __future__ import annotations

import errno
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from ideation import __version__
from ideation.crashlog import crash_message, write_crash_log
from ideation.errors import IdeationError, StudyDamaged
from ideation.records import DECISION_WORDS, Decision, Session
from ideation.search_query import highlighted, nothing_to_search, parse_query
from ideation.store import Store, default_db_path
from ideation.text import one_line, plural, printable

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

#: Where the `--db` callback leaves the study path, for the crash log (ctx.meta is shared).
STUDY_KEY = "ideation.study"


class UserError(click.ClickException):
    """Bad input from the user: one line, exit status 2, nothing half-written."""

    exit_code = 2

    def format_message(self) -> str:
        return printable(self.message)


class Crashed(click.ClickException):
    """A bug: the traceback went to the crash log; the user sees one line naming it."""

    exit_code = 1

    def __init__(self, log: Path | None) -> None:
        super().__init__(crash_message(log))

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.message, err=True)


def _passes_through(error: Exception) -> bool:
    """Click's own exits and a closed pipe (`ideation search x | head`) are not crashes."""
    if isinstance(error, click.ClickException | click.exceptions.Exit | click.exceptions.Abort):
        return True
    return isinstance(error, OSError) and error.errno == errno.EPIPE


class StudyGroup(click.Group):
    """The root group: the one place that sorts user errors from bugs."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except IdeationError as error:
            raise UserError(str(error)) from error
        except Exception as error:  # every bug goes to the crash log
            if _passes_through(error):
                raise
            raise Crashed(write_crash_log(study_path(ctx), error)) from error


def study_path(ctx: click.Context) -> Path:
    """The study a command was given (`--db`, before or after it), else the default."""
    return ctx.meta.get(STUDY_KEY) or default_db_path()


def _db_from_root(ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    """A command without its own `--db` takes the one given before it (`ideation --db X cmd`)."""
    value = value if value is not None else ctx.find_root().params.get("db_path")
    if value is not None:
        ctx.meta[STUDY_KEY] = value
    return value


def db_option(func: F) -> F:
    """`--db PATH` on every command; `IDEATION_DB` and then `sessions/study.db` otherwise."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        callback=_db_from_root,
        help="Study database file. [default: $IDEATION_DB or sessions/study.db]",
    )(func)


def open_study(
    db_path: Path | None,
    *,
    read_only: bool = False,
    create: bool = True,
    announce: bool = True,
    any_schema: bool = False,
) -> Store:
    """Open the study. Only a command that starts something creates one, and says so;
    a reading command opens it read-only. Store errors (busy, read-only, newer,
    damaged) reach `StudyGroup` and show as one line."""
    path = db_path or default_db_path()
    if (read_only or not create) and not path.exists():
        raise UserError(
            f"{path}: no study here; `ideation demo` builds one, `ideation run PLAN` starts one"
        )
    try:
        store = Store(path, read_only=read_only, any_schema=any_schema)
    except OSError as error:
        reason = error.strerror or str(error)
        raise UserError(f"{path}: cannot open or create the study ({reason})") from error
    if announce and store.created:
        say(f"created a new study at {path}", err=True)
    return store


@contextmanager
def discarded_if_refused(store: Store) -> Iterator[None]:
    """A study this command created is removed again when what it was created for
    (an import) is refused: a bad file leaves nothing behind, not an empty study."""
    try:
        yield
    except BaseException:
        if store.created:
            store.close()
            for part in (store.path, Path(f"{store.path}-wal"), Path(f"{store.path}-shm")):
                part.unlink(missing_ok=True)
        raise


def say(text: str = "", *, err: bool = False) -> None:
    """Print text that may hold what someone typed: control characters never reach the tty."""
    click.echo(printable(text), err=err)


def launch_tui(db_path: Path, **options: Any) -> None:
    """Open the Textual app (imported here so plain commands never pay for Textual);
    an app that stopped on a bug exits non-zero with one line naming the crash log."""
    from ideation.tui.app import IdeationApp

    app = IdeationApp(db_path=db_path, **options)
    app.run()
    code = app.return_code
    if not code:
        return
    if app.user_error is not None:
        raise UserError(str(app.user_error))
    log = app.crash_log
    failure = getattr(app, "_exception", None)
    if log is None and failure is not None:
        log = write_crash_log(db_path, failure)
    if log is None and failure is None:
        raise click.exceptions.Exit(code)  # a deliberate non-zero exit, already explained
    raise Crashed(log)


def accepted_out(out: Path, formats: Sequence[str]) -> str:
    """The format an `--out` path's suffix names, if this command can write it; refused
    (before any work) otherwise, with what is accepted."""
    fmt = out.suffix.lstrip(".").lower()
    if fmt not in formats:
        accepted = ", ".join(f".{name}" for name in formats)
        raise UserError(f"{out}: cannot write that format here; --out accepts {accepted}")
    return fmt


@click.group(cls=StudyGroup, invoke_without_command=True)
@click.version_option(__version__, prog_name="ideation")
@db_option
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None) -> None:
    """Recruit, facilitate and make sense of consumer ideation sessions.

    With no command, opens the terminal UI on the study database.

    Example:

        ideation demo --no-tui && ideation --db sessions/study.db
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
    with open_study(path, announce=False) as store:
        summary = build_demo(store)
    say(f"{path}: {summary}")
    if not no_tui:
        launch_tui(path)


@cli.group()
def plan() -> None:
    """Session plans: the brief, the people and the timed agenda (YAML).

    Example:

        ideation plan check sessions/half-day.yaml
    """


@plan.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def plan_check(files: tuple[Path, ...]) -> None:
    """Validate session plans: errors name the file, line and field; warnings
    point at an agenda that will probably run badly.

    Example:

        ideation plan check sessions/half-day.yaml sessions/sprint-90.yaml
    """
    from ideation.live.plan import SessionPlan, check_plan, load_plan

    def summary(loaded: SessionPlan) -> str:
        hours, minutes = divmod(round(loaded.total_minutes), 60)
        owner = loaded.problem_owner
        people = plural(len(loaded.participants) - (owner is not None), "participant")
        return f"{plural(len(loaded.agenda), 'phase')}, {hours} h {minutes} min, {people}" + (
            f" and problem owner {one_line(owner.label, 40)}" if owner else ""
        )

    def warnings(loaded: SessionPlan) -> list[str]:
        return [f"{loaded.path}: {warning}" for warning in check_plan(loaded)]

    check_files(files, load_plan, summary, warnings)


def check_files(
    files: Sequence[Path],
    load: Callable[[Path], T],
    summary: Callable[[T], str],
    warnings: Callable[[T], list[str]],
) -> None:
    """Check every file, so one bad file does not hide the next; exit 2 if any is bad."""
    bad = 0
    for path in files:
        try:
            loaded = load(path)
        except IdeationError as problem:
            UserError(str(problem)).show()
            bad += 1
            continue
        say(f"{path}: ok — {summary(loaded)}")
        for warning in warnings(loaded):
            say(f"warning: {warning}")
    if bad:
        raise click.exceptions.Exit(UserError.exit_code)


@cli.command()
@click.argument("plan_file", required=False, type=click.Path(path_type=Path))
@click.option(
    "--resume", "resume", is_flag=True, help="Continue a session instead of starting one."
)
@click.option(
    "--session",
    "session_ref",
    default=None,
    help="With --resume: the session id or name. [default: the latest unfinished]",
)
@click.option("--name", default=None, help="Name for the new session. [default: the plan's]")
@click.option(
    "--no-tui",
    is_flag=True,
    help="Only create the session (to invite recruits into); run it later with --resume.",
)
@db_option
def run(
    plan_file: Path | None,
    resume: bool,
    session_ref: str | None,
    name: str | None,
    no_tui: bool,
    db_path: Path | None,
) -> None:
    """Run a live session from a plan, or resume one after a break, a crash or
    a closed laptop: the phase comes back with the right time left. The clock
    starts when the facilitator starts the first phase, not before.

    Example:

        ideation run sessions/half-day.yaml --name "Brewline, 14 Oct"

        ideation run sessions/half-day.yaml --name "Brewline, 14 Oct" --no-tui

        ideation run --resume              # the latest unfinished session

        ideation run --resume --session 3
    """
    from ideation.live.plan import load_plan
    from ideation.live.session import start_session

    path = db_path or default_db_path()
    if not resume and plan_file is None:
        raise UserError("give a plan file to start from, or --resume")
    loaded = None if resume or plan_file is None else load_plan(plan_file)
    with open_study(path, create=not resume) as store:
        if loaded is None:
            if plan_file is not None and session_ref is None:
                session_ref = str(plan_file)  # `ideation run --resume 3` reads naturally too
            session = _session_to_resume(store, session_ref)
        else:
            session = start_session(store, loaded, name)
        say(f"{path}: session {session.id} “{one_line(session.name)}”")
    if not no_tui:
        launch_tui(path, open_session=session.id)


def _session_to_resume(store: Store, ref: str | None) -> Session:
    if ref is not None:
        return store.find_session(ref)
    unfinished = [s for s in store.sessions() if s.status != "ended"]
    if not unfinished:
        raise UserError(f"{store.path}: no unfinished session to resume; start one with a plan")
    return unfinished[-1]


# -- the room (ideation serve) --


def _session_to_serve(store: Store, ref: str | None) -> Session:
    """The named session, else the running one, else the latest unfinished; never an
    ended one (its room is closed)."""
    if ref is None:
        open_ones = sorted(
            (s for s in store.sessions() if s.status != "ended"),
            key=lambda s: s.status == "running",
        )
        if not open_ones:
            raise UserError(
                f"{store.path}: no session to serve; start one with `ideation run PLAN`"
            )
        session = open_ones[-1]
    else:
        session = store.find_session(ref)
    if session.status == "ended":
        raise UserError(
            f"{store.path}: session {session.id} “{one_line(session.name)}” has ended:"
            " this session is not running"
        )
    return session


@cli.command()
@click.argument("session_ref", metavar="[SESSION]", required=False)
@click.option(
    "--host",
    default=None,
    help="Address to listen on. [default: this laptop's address on its network]",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port."
)
@db_option
def serve(session_ref: str | None, host: str | None, port: int, db_path: Path | None) -> None:
    """Open the room for a session: participants join from their phones (the join
    address and a QR code are printed) and a projector shows the room display.
    Stops on Ctrl-C or when the session ends; the join address then stops working.

    Example:

        ideation serve                      # the running session, on your network

        ideation serve 3 --host 127.0.0.1   # only this laptop
    """
    import time

    from ideation.web.qr import qr_lines
    from ideation.web.server import RoomServer

    path = db_path or default_db_path()
    with open_study(path, create=False) as store:
        session = _session_to_serve(store, session_ref)
    server = RoomServer(path, session.id, host=host, port=port)
    server.start()
    try:
        where = f"“{one_line(session.name, 60)}” on {server.host}:{server.port}"
        if host is None:
            say(f"serving {where} (your network); --host 127.0.0.1 keeps it on this laptop")
        else:
            say(f"serving {where}")
        say(f"join: {server.join_url}")
        for line in qr_lines(server.join_url):
            click.echo(line)
        say(f"room display (open it on this laptop): {server.room_url}")
        say("Ctrl-C stops the room; it also closes when the session ends")
        while server.running and not server.session_over():
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    say("room closed: the join address no longer works")


def model_option(func: F) -> F:
    """`--model PATH`: any local sentence-transformers directory instead of the bundled one."""
    return click.option(
        "--model",
        "model_path",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        help="A local sentence-transformers model directory, e.g. a multilingual one for"
        " ideas not in English. [default: bundled all-MiniLM-L6-v2, English only]",
    )(func)


def resolve_sessions(store: Store, refs: tuple[str, ...]) -> list[int]:
    """Session ids from ids or names; `all` means every session of the study."""
    if refs == ("all",):
        ids = [s.id for s in store.sessions()]
        if not ids:
            raise UserError(f"{store.path}: the study has no sessions yet")
        return ids
    return [store.find_session(ref).id for ref in refs]


@cli.command()
@click.argument("sessions", nargs=-1, required=True)
@click.option(
    "--themes",
    type=click.IntRange(1, 200),
    default=None,
    help="How many themes. [default: chosen automatically]",
)
@model_option
@db_option
def cluster(
    sessions: tuple[str, ...], themes: int | None, model_path: Path | None, db_path: Path | None
) -> None:
    """Group a session's ideas into themes by meaning — or several sessions
    pooled, or `all`. Each run is stored as a new automatic revision.

    Example:

        ideation cluster 1

        ideation cluster 1 2 --themes 8

        ideation cluster all --model ~/models/my-sbert
    """
    import time

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ideation.analysis.embed import SentenceTransformerEmbedder
    from ideation.analysis.languages import theme_set_note
    from ideation.analysis.themes import cluster_scope, edits_at_stake, theme_set

    with open_study(db_path, create=False) as store:
        ids = resolve_sessions(store, sessions)
        edited = edits_at_stake(store, ids)
        with Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TextColumn("{task.fields[pace]}"),
            TimeElapsedColumn(),
            transient=True,
        ) as bar:
            tasks: dict[str, Any] = {}
            first: dict[str, tuple[int, float]] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total, pace="")
                    first[stage] = (done, time.monotonic())
                shown = pace(done, total, first[stage], time.monotonic()) if total > 1 else ""
                bar.update(tasks[stage], completed=done, total=total, pace=shown)

            record = cluster_scope(
                store,
                ids,
                SentenceTransformerEmbedder(model_path),
                themes=themes,
                progress=progress,
            )
        result = theme_set(store, record.id)
        ideas = sum(len(t.ideas) for t in result.themes)
        say(
            f"revision {record.id}: {plural(len(result.themes), 'theme')} over "
            f"{plural(ideas, 'idea')}"
        )
        for theme in result.themes:
            wild = f", {len(theme.wild)} wild" if theme.wild else ""
            say(f"{theme.number:>3}  {len(theme.ideas):>3} ideas{wild}  {one_line(theme.label)}")
        if note := theme_set_note(result):
            say(note, err=True)
        if themes is not None and themes > len(result.themes):
            say(
                f"note: {themes} themes asked for; {plural(ideas, 'idea')} made"
                f" {len(result.themes)}",
                err=True,
            )
        if edited is not None:
            scope = " ".join(map(str, ids))
            say(
                f"note: revision {edited.id} has your edits ({one_line(edited.note, 80)}); it "
                f"stays, but is no longer the latest: `ideation export {scope} --revision "
                f"{edited.id}` exports it",
                err=True,
            )


def pace(done: int, total: int, since: tuple[int, float], now: float, unit: str = "ideas") -> str:
    """Rate and time left, "420 ideas/s, 0:21 left", counted from a stage's first report
    (`since`: done, time), so loading the model does not count against the rate."""
    first_done, first_at = since
    if done <= first_done or now <= first_at:
        return ""
    rate = (done - first_done) / (now - first_at)
    left = round((total - done) / rate)
    return f"{rate:,.0f} {unit}/s, {left // 60}:{left % 60:02d} left"


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=50, help="At most this many.")
@db_option
def search(query: tuple[str, ...], limit: int, db_path: Path | None) -> None:
    """Search the ideas of every session in the study, best match first, with the
    matched words highlighted. Every word must match, in any of its forms.

    \b
    Syntax:
      tree              word forms: tree, trees (café finds cafe too)
      tree*             prefixes: tree, trees, treehouse
      "solar panels"    a phrase: these words together, in this order
      cup OR mug        either (OR in capitals; binds tighter than spaces)
      solar -panels     leave out ideas that mention panels (or -"a phrase")
      肥料, コーヒー      Chinese, Japanese, Thai...: any part of the text

    \b
    Example:
      ideation search compost pods
      ideation search 'tree* -"car park"'
      ideation search "cup OR mug" refill
    """
    from rich.console import Console
    from rich.text import Text

    text = " ".join(query)
    with open_study(db_path, read_only=True) as store:
        names = {s.id: s.name for s in store.sessions()}
        found = store.search_hits(text, limit)
        console = Console(soft_wrap=True, highlight=False, markup=False, emoji=False)
        for hit in found:
            session = one_line(names.get(hit.idea.session_id, str(hit.idea.session_id)))
            line = Text(f"{session}  +{hit.idea.seq}  ")
            console.print(line.append_text(highlighted(hit.idea.text, hit.spans)))
        if not (query := parse_query(text)):
            say(nothing_to_search(text, query), err=True)
        elif not found:
            say(f"no idea matches {text!r}", err=True)


EXPORT_FORMATS = ("csv", "json", "md", "xlsx", "html")


@cli.command()
@click.argument("sessions", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default=None,
    help="File format; must agree with the --out suffix. [default: from the suffix]",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The file to write: .csv, .json, .md, .xlsx or .html.",
)
@click.option(
    "--include-names",
    is_flag=True,
    help="Show participants' names instead of P1, P2, … (personal data).",
)
@click.option(
    "--revision",
    type=int,
    default=None,
    help="Theme revision to use. [default: the latest for these sessions]",
)
@db_option
def export(
    sessions: tuple[str, ...],
    fmt: str | None,
    out: Path,
    include_names: bool,
    revision: int | None,
    db_path: Path | None,
) -> None:
    """Export a session's ideas with their themes for a report: one row per
    idea (csv, xlsx, json), a readable summary (md) or a self-contained HTML
    report with charts and a map of ideas. Participants are pseudonymised.

    Example:

        ideation export 1 --out brewline.html

        ideation export 1 2 --format xlsx --out pooled.xlsx --include-names
    """
    from ideation.export.bundle import build_bundle
    from ideation.export.writers import write_export

    suffix = accepted_out(out, EXPORT_FORMATS)
    if fmt is not None and fmt != suffix:
        raise UserError(f"{out}: --format {fmt} does not match the .{suffix} suffix")
    with open_study(db_path, read_only=True) as store:
        ids = resolve_sessions(store, sessions)
        bundle = build_bundle(store, ids, include_names=include_names, revision=revision)
        written = write_export(bundle, suffix, out)
    themed = sum(i.theme_id is not None for i in bundle.ideas)
    say(f"{written}: {len(bundle.ideas)} ideas ({themed} in {len(bundle.themes)} themes), {suffix}")


# -- imported ideas and the study's name ------------------------------------------------


def _column_overrides(values: tuple[str, ...]) -> dict[str, str]:
    """`--column text=Sticky note` pairs as {field: header}."""
    from ideation.analysis.idea_files import FIELDS

    overrides: dict[str, str] = {}
    for value in values:
        field, equals, header = value.partition("=")
        field = field.strip().lower().replace("-", "_")
        if not equals or field not in FIELDS or not header.strip():
            raise UserError(
                f"--column expected FIELD=HEADER with FIELD one of {', '.join(FIELDS)},"
                f" got {one_line(value, 60)!r}"
            )
        overrides[field] = header.strip()
    return overrides


@cli.group("import")
def import_group() -> None:
    """Bring in ideas captured elsewhere: sticky notes typed up, board exports, sheets.

    Example:

        ideation import ideas miro-board.csv --session "Miro board, 3 May"
    """


@import_group.command("ideas")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--session",
    "session_ref",
    default=None,
    help="Session id or name to add to; a new name makes a new imported session."
    " [default: the session this file went to before, else one named after the file]",
)
@click.option("--phase", default=None, help="Phase for the rows that name none.")
@click.option("--sheet", default=None, help="XLSX: the sheet to read. [default: the first]")
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=HEADER",
    help="Read FIELD (text, participant, phase, created, builds_on, id) from the column"
    " HEADER instead of the one matched by name. Repeatable.",
)
@click.option(
    "--dates",
    type=click.Choice(["dmy", "mdy"]),
    default=None,
    help="Slashed dates are day first (dmy, 05/03 = 5 March) or month first (mdy);"
    " needed only when no date in the file settles it.",
)
@db_option
def import_ideas_command(
    file: Path,
    session_ref: str | None,
    phase: str | None,
    sheet: str | None,
    columns: tuple[str, ...],
    dates: str | None,
    db_path: Path | None,
) -> None:
    """Import ideas from a CSV (UTF-8, UTF-16 or Windows-1252; comma, TAB or
    semicolon), an XLSX, or a text or Markdown list (one idea per line or
    bullet). Columns are found by name: text/idea/content/sticky/note,
    participant/author/who/name, phase/section/frame, created/time/timestamp/date,
    builds_on (another row's id, or its row number). The whole file is checked
    first: one bad row and nothing is imported. Importing it again adds nothing.

    Example:

        ideation import ideas stickies.md --session "Workshop B" --phase Purge

        ideation import ideas mentimeter.xlsx --sheet Results --column text=Response

        ideation import ideas board.csv --dates dmy
    """
    from ideation.analysis.idea_files import read_idea_file
    from ideation.analysis.importing import import_file

    read = read_idea_file(file, sheet=sheet, columns=_column_overrides(columns), dates=dates)
    with open_study(db_path) as store:
        result = import_file(store, read, session=session_ref, phase=phase)
    session = result.session
    kind = {"csv": "CSV", "xlsx": "XLSX", "text": "text"}[read.kind]
    say(f"{file}: {kind}, {read.detail}, {plural(len(read.rows), 'row')}")
    if read.columns:
        matched = ", ".join(f"{field}={one_line(header, 40)!r}" for field, header in read.columns)
        say(f"  columns: {matched}")
    if read.ignored:
        say(f"  not read: {', '.join(repr(one_line(h, 40)) for h in read.ignored[:10])}")
    if read.dates:
        order = "day first (dd/mm/yyyy)" if read.dates == "dmy" else "month first (mm/dd/yyyy)"
        say(f"  slashed dates read {order}")
    made = " (new, imported)" if result.created_session else ""
    where = ", ".join(f"'{one_line(name, 60)}'" for name in result.already_in[:3])
    held = f" (session {where})" if len(result.already_in) == 1 else f" (sessions {where})"
    say(
        f"session {session.id} “{one_line(session.name, 80)}”{made}:"
        f" {result.added} new, {result.already} already imported{held if where else ''}"
    )
    if result.participants_added:
        say(f"  added {plural(len(result.participants_added), 'participant')}")
    if result.phases_added:
        say(f"  added {plural(len(result.phases_added), 'phase')}")


@cli.group()
def study() -> None:
    """The study as a whole: its name and description, the title of every report.

    Example:

        ideation study name "Brewline at-home coffee, spring 2025"
    """


#: Bounds on the study's name (one line) and description (a paragraph or two).
STUDY_NAME_CHARS = 200
STUDY_DESCRIPTION_CHARS = 2000


#: A stop word is one plain word: labels are made of words.
STOP_WORD = re.compile(r"^[^\W\d_][\w'-]{0,39}$")


@study.command("stop-words")
@click.argument("words", nargs=-1)
@click.option("--remove", is_flag=True, help="Take the words off the study's list.")
@db_option
def study_stop_words(words: tuple[str, ...], remove: bool, db_path: Path | None) -> None:
    """Words theme labels skip in this study, on top of the built-in list of filler
    ("used", "help", "app", ...): say, the category's own name, which every theme
    shares. Takes effect at the next `ideation cluster`. Without words, lists them.

    Example:

        ideation study stop-words coffee brew

        ideation study stop-words --remove brew
    """
    wanted = [word.casefold() for word in words]
    for word in wanted:
        if not STOP_WORD.match(word):
            got = one_line(word, 40)
            raise UserError(f"study stop-words: expected one plain word, got “{got}”")
    if not wanted:
        with open_study(db_path, read_only=True) as store:
            own = store.label_stop_words()
        say(" ".join(own) if own else "(none of the study's own: labels skip the built-in list)")
        return
    with open_study(db_path) as store:
        own = store.label_stop_words()
        if remove:
            own = [word for word in own if word not in wanted]
        else:
            own += [word for word in dict.fromkeys(wanted) if word not in own]
        if len(own) > 500:
            raise UserError("study stop-words: expected at most 500 words of the study's own")
        store.set_label_stop_words(own)
    say(f"labels skip {plural(len(own), 'word')} of the study's own: {' '.join(own) or '—'}")
    say("  run `ideation cluster` again to relabel the themes")


@study.command("name")
@click.argument("name", required=False)
@click.option("--description", default=None, help="A line or two under the report's title.")
@db_option
def study_name(name: str | None, description: str | None, db_path: Path | None) -> None:
    """Name the study (and describe it): the HTML and Markdown reports take the
    name as their title, the description under it. Without arguments, prints them.

    Example:

        ideation study name "Brewline at-home coffee" --description "Three sessions, May 2025"

        ideation study name
    """
    if name is None and description is None:
        with open_study(db_path, read_only=True) as store:
            current, about = store.study_name()
        say(current or f"(no name: reports are titled “{store.path.stem}”)")
        if about:
            say(about)
        return
    if name is not None:
        name = " ".join(name.split())
        if not name:
            raise UserError("study name: expected a name, got a blank one")
        if len(name) > STUDY_NAME_CHARS:
            raise UserError(f"study name: expected at most {STUDY_NAME_CHARS} characters")
    if description is not None:
        description = description.strip()
        if len(description) > STUDY_DESCRIPTION_CHARS:
            raise UserError(
                f"--description: expected at most {STUDY_DESCRIPTION_CHARS:,} characters"
            )
    with open_study(db_path) as store:
        new_name = name if name is not None else store.study_name()[0]
        store.set_study_name(new_name, description)
        current, about = store.study_name()
    say(f"{store.path}: study “{one_line(current, 80)}”")
    if about:
        say(f"  {one_line(about, 200)}")


@cli.group()
def screener() -> None:
    """Screeners: who is invited, found by involvement and creativity (YAML).

    Example:

        ideation screener check screeners/home-coffee.yaml
    """


@screener.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def screener_check(files: tuple[Path, ...]) -> None:
    """Validate screeners: errors name the file, line and field; warnings point
    at a screener that will probably recruit badly (too long, leading questions).

    Example:

        ideation screener check screeners/home-coffee.yaml
    """
    from ideation.screening.definition import ScreenerDefinition
    from ideation.screening.screener_lint import lint_screener
    from ideation.screening.screener_yaml import load_screener

    def summary(defn: ScreenerDefinition) -> str:
        kinds = sorted({q.type for q in defn.questions})
        return (
            f"{len(defn.questions)} questions ({', '.join(kinds)}), {len(defn.quotas)} quotas,"
            f" target {defn.target_participants} + {defn.standbys} standbys"
        )

    check_files(files, load_screener, summary, lint_screener)


#: What each recruit stage counts, for its rate ("1,200 respondents/s").
_STAGE_UNITS = {"embedding": "texts", "ideas": "answers", "originality": "ideas"}


@contextmanager
def stage_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback (stage, done, total) drawing one bar a stage on stderr, with
    the rate and time left counted from the stage's first report; gone when done. Off
    the terminal (a pipe, a log, a test) it draws nothing, so output stays one line."""
    import time

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda stage, done, total: None
        return
    with Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TextColumn("{task.fields[pace]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}
        first: dict[str, tuple[int, float]] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total, pace="")
                first[stage] = (done, time.monotonic())
            unit = _STAGE_UNITS.get(stage, "respondents")
            shown = pace(done, total, first[stage], time.monotonic(), unit) if total > 1 else ""
            bar.update(tasks[stage], completed=done, total=total, pace=shown)

        yield progress


@cli.command()
@click.argument("screener_file", type=click.Path(path_type=Path))
@click.argument("responses", required=False, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the ranked recruit list here: .csv or .xlsx.",
)
@click.option(
    "--include-contacts",
    is_flag=True,
    help="Put names, emails and phones in the recruit list (personal data).",
)
@click.option(
    "--apply",
    "apply_",
    is_flag=True,
    help="Record the quota fill as decisions for everyone not yet decided.",
)
@model_option
@db_option
def screen(
    screener_file: Path,
    responses: Path | None,
    out: Path | None,
    include_contacts: bool,
    apply_: bool,
    model_path: Path | None,
    db_path: Path | None,
) -> None:
    """Import screener responses (Qualtrics, SurveyMonkey or plain CSV), then
    terminate, score, flag and rank everyone and fill the quotas. Importing the
    same file twice adds nobody twice; a bad file imports nobody.

    Example:

        ideation screen screeners/home-coffee.yaml export.csv --out recruits.xlsx

        ideation screen screeners/home-coffee.yaml --apply   # re-rank, record decisions
    """
    from ideation.analysis.embed import SentenceTransformerEmbedder
    from ideation.live.clock import SystemClock
    from ideation.screening.desk import RecruitDesk
    from ideation.screening.pipeline import definition_change, import_responses
    from ideation.screening.recruits import RECRUIT_FORMATS, candidate_table, write_recruits
    from ideation.screening.screener_yaml import load_screener

    if out is not None:
        accepted_out(out, RECRUIT_FORMATS)
        if not out.parent.is_dir():
            raise UserError(f"{out}: cannot write: folder {out.parent} does not exist")
    defn = load_screener(screener_file)
    with open_study(db_path, create=responses is not None) as store:
        changed = definition_change(store, defn)
        if changed:
            say(f"warning: {changed}")
        if responses is not None:
            with discarded_if_refused(store), stage_progress() as progress:
                summary = import_responses(store, defn, responses, progress)
            say(f"{responses}: {summary.format} export ({summary.encoding}), {summary.counts}")
            if summary.changed:
                say(
                    f"{plural(summary.changed, 'respondent')} changed (answers, contact or"
                    " duration): the new details apply, the old ones are kept in history, and"
                    " they are scored again"
                )
            if summary.absent:
                shown = ", ".join(map(one_line, summary.absent[:3]))
                more = f" and {len(summary.absent) - 3} more" if len(summary.absent) > 3 else ""
                say(
                    f"{plural(len(summary.absent), 'respondent')} on file not in this file"
                    f" ({shown}{more}): kept as they were; decide or reject them if they"
                    " withdrew"
                )
            if not summary.has_ids:
                say(
                    "warning: no respondent id column; each row's id is made from its"
                    " content, so a corrected row in a later export reads as someone new"
                    " (export the survey tool's response id to tell changes apart)"
                )
            if summary.unmatched_columns:
                say("columns not used: " + ", ".join(map(one_line, summary.unmatched_columns)))
            if summary.missing_questions:
                say(
                    "questions with no column (nobody from this file has answered them;"
                    " map one with `column:` in the screener): "
                    + ", ".join(summary.missing_questions)
                )
        desk = RecruitDesk(store, defn, SystemClock())
        embedder = SentenceTransformerEmbedder(model_path)
        with stage_progress() as progress:
            # the stored assessment when nothing it read has changed: an unchanged file
            # changes nothing, and the model loads only when scoring is needed
            assessment = desk.ranked(embedder, progress)
        if apply_:
            say(f"{desk.apply_fill()} decisions recorded")
            assessment = desk.assessment()
        say(candidate_table(assessment, defn.target_participants))
        if out is not None:
            write_recruits(store, defn, assessment, out, include_contacts=include_contacts)
            say(
                f"{out}: recruit list written"
                + (" with contacts" if include_contacts else " (no contact details)")
            )


@cli.command()
@click.argument("screener_file", type=click.Path(path_type=Path))
@click.argument("respondent")
@click.argument("decision", type=click.Choice(DECISION_WORDS))
@click.option("--reason", default="", help="Why, for the record.")
@click.option(
    "--override",
    is_flag=True,
    help="Accept or stand by someone terminated or excluded all the same (recorded).",
)
@db_option
def decide(
    screener_file: Path,
    respondent: str,
    decision: str,
    reason: str,
    override: bool,
    db_path: Path | None,
) -> None:
    """Accept, stand by or reject a respondent (by their id in the export).
    Accepting someone terminated or excluded by a flag needs --override.

    Example:

        ideation decide screeners/home-coffee.yaml R007 accept --reason "great open-ends"
    """
    from ideation.live.clock import SystemClock
    from ideation.screening.desk import OverrideNeeded, ReasonNeeded, RecruitDesk
    from ideation.screening.screener_yaml import load_screener

    defn = load_screener(screener_file)
    with open_study(db_path, create=False) as store:
        desk = RecruitDesk(store, defn, SystemClock())
        try:
            decided = desk.decide(
                desk.find(respondent), Decision.from_word(decision), reason, override=override
            )
        except ReasonNeeded as error:
            raise UserError(
                f'{error}; give one with --reason (e.g. --reason "cannot make the date")'
            ) from error
        except OverrideNeeded as error:
            raise UserError(f"{one_line(str(error))}: add --override if you mean it") from error
        who = one_line(respondent)
        shown = decided.respondent.decision.shown
        say(f"{who}: {shown}")
        for overruled in decided.overruled:
            say(f"override recorded: {who} was {one_line(overruled)}; {shown} all the same")
        if decided.over_places:
            say(f"note: {decided.over_places}", err=True)


@cli.command()
@click.argument("screener_file", type=click.Path(path_type=Path))
@click.argument("respondent")
@db_option
def explain(screener_file: Path, respondent: str, db_path: Path | None) -> None:
    """Why a respondent scored as they did: which answers counted, which ideas
    were repeats and which were rare, every flag with its evidence, and what
    re-imports changed in their answers, and when. Someone not scored yet is
    said to be, with how to score them.

    Example:

        ideation explain screeners/home-coffee.yaml R007
    """
    from ideation.live.clock import SystemClock
    from ideation.screening.desk import RecruitDesk
    from ideation.screening.screener_yaml import load_screener

    defn = load_screener(screener_file)
    with open_study(db_path, read_only=True) as store:
        desk = RecruitDesk(store, defn, SystemClock())
        scoring = f"`ideation screen {screener_file}` scores everyone (decisions stay)"
        say(desk.explain(desk.find(respondent), how_to_score=scoring))


@cli.command()
@click.argument("screener_file", type=click.Path(path_type=Path))
@click.argument("session")
@click.option(
    "--replace-plan-names",
    is_flag=True,
    help="First take out the plan's participants who have said nothing (a template's names).",
)
@db_option
def invite(
    screener_file: Path, session: str, replace_plan_names: bool, db_path: Path | None
) -> None:
    """Make the accepted respondents the participants of a session (first
    names only) and note the study in their participation history.

    Example:

        ideation invite screeners/home-coffee.yaml 2

        ideation invite screeners/home-coffee.yaml 2 --replace-plan-names
    """
    from ideation.live.clock import SystemClock
    from ideation.screening.desk import RecruitDesk
    from ideation.screening.screener_yaml import load_screener

    defn = load_screener(screener_file)
    with open_study(db_path, create=False) as store:
        (session_id,) = resolve_sessions(store, (session,))
        desk = RecruitDesk(store, defn, SystemClock())
        if desk.differs_from_stored():
            say(
                f"warning: {screener_file} differs from the screener its respondents were"
                " scored under; the invitation goes by the decisions on record and leaves the"
                " stored screener as it is (`ideation screen` takes the new one)"
            )
        invitation = desk.invite(session_id, replace_plan_names=replace_plan_names)
        say(f"session {session_id}: {one_line(str(invitation))}")
        if invitation.replaceable:
            say(
                f"a template's names ({one_line(', '.join(invitation.replaceable))})?"
                " invite again with --replace-plan-names"
            )
        if invitation.clashes:
            say(
                f"two participants share a name: {one_line(', '.join(invitation.clashes))};"
                " rename one before the session, or ideas go to the wrong person"
            )


# -- people and attendance --


@cli.command()
@click.argument("session")
@click.argument("names", nargs=-1, required=True)
@click.option(
    "--status",
    type=click.Choice(["attended", "declined", "no-show"]),
    default="attended",
    show_default=True,
    help="What became of their invitation.",
)
@db_option
def attend(session: str, names: tuple[str, ...], status: str, db_path: Path | None) -> None:
    """Mark what became of recruited participants' invitations when the session
    starts. Only attendance counts as taking part: a no-show or a decline does not
    bar anybody from the next study.

    Example:

        ideation attend 2 Chloé Tom Ana

        ideation attend 2 Sam --status no-show
    """
    from ideation.live.clock import SystemClock
    from ideation.records import Attendance
    from ideation.screening.attendance import mark_attendance

    with open_study(db_path, create=False) as store:
        (session_id,) = resolve_sessions(store, (session,))
        marked = mark_attendance(
            store, session_id, names, Attendance.from_word(status), SystemClock()
        )
        say(f"session {session_id}: {', '.join(marked)} {status}")


@cli.group()
def people() -> None:
    """The people recruited across studies and their participation history.

    Example:

        ideation people import sessions/spring-tea.db
    """


@people.command("import")
@click.argument("other", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def people_import(other: Path, db_path: Path | None) -> None:
    """Merge the participation history of another study file into this one, so
    "took part in the last N months" sees studies run in other files. People are
    matched by email or phone; importing the same file again adds nothing.

    Example:

        ideation people import sessions/spring-tea.db --db sessions/coffee.db
    """
    from ideation.screening.attendance import import_people

    with open_study(db_path) as store:
        added, updated, already = import_people(store, other)
    corrected = f", {updated} updated (marks corrected there)" if updated else ""
    say(f"{other}: {plural(added, 'history row')} added{corrected}, {already} already here")


@cli.command()
@db_option
def check(db_path: Path | None) -> None:
    """Check the study file for damage (SQLite's integrity and foreign key
    checks). Prints ok, or each problem and exits 1: then restore the study
    from a backup.

    Example:

        ideation check --db sessions/study.db
    """
    path = db_path or default_db_path()
    try:
        with open_study(path, read_only=True, any_schema=True) as store:
            problems = store.check()
    except StudyDamaged as error:  # said once, without sending the user back to `check`
        problems = [f"SQLite cannot read the file: {error.detail}" if error.detail else str(error)]
    if not problems:
        say(f"{path}: ok")
        return
    for problem in problems:
        say(f"{path}: {one_line(problem)}")
    say(
        f"{path}: damaged ({len(problems)} problem{'s' if len(problems) != 1 else ''});"
        " restore the study from a backup (`ideation backup` makes one while it is healthy)"
    )
    raise click.exceptions.Exit(1)


@cli.command()
@click.argument("target", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite TARGET if it exists.")
@db_option
def backup(target: Path, force: bool, db_path: Path | None) -> None:
    """Copy the study to TARGET with SQLite's backup API: a consistent copy,
    safe while a live session is capturing. Never overwrites without --force.

    Example:

        ideation backup backups/study-14-oct.db --db sessions/study.db
    """
    path = db_path or default_db_path()
    if target.is_dir():
        raise UserError(f"{target}: is a folder; give the backup file's name")
    if target.exists() and target.resolve() == path.resolve():
        raise UserError(f"{target}: is the study itself; give another file")
    if target.exists() and not force:
        raise UserError(f"{target}: already exists; give --force to overwrite it")
    with open_study(path, read_only=True, any_schema=True) as store:
        try:  # `backup backups/14-oct.db` makes its folder, as the README shows
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserError(
                f"{target}: cannot make folder {target.parent} ({error.strerror or error})"
            ) from error
        try:
            store.backup(target)
        except OSError as error:
            raise UserError(f"{target}: cannot write ({error.strerror or error})") from error
        problems = store.check()
    say(f"{target}: backup of {path} written")
    if problems:
        # A copy of a damaged study still saves what can be read, but is no safe point.
        say(
            f"warning: {path} is damaged ({plural(len(problems), 'problem')}; see"
            " `ideation check`); the backup copies the damage too",
            err=True,
        )
        raise click.exceptions.Exit(1)


def main() -> None:
    """The console script: anything the group did not sort (a bug while parsing, say)
    still goes to the crash log, never to the screen as a traceback."""
    try:
        cli.main(prog_name="ideation")
    except Exception as error:  # noqa: BLE001 - the last resort for bugs
        click.echo(crash_message(write_crash_log(default_db_path(), error)), err=True)
        sys.exit(1)
