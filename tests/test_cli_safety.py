"""The command line's safety promises: user errors are one line, bugs go to a crash
log, hostile text cannot drive the terminal, read-only and damaged studies get one
line, `check` and `backup` work, and every --out is judged before any work."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FakeEmbedder
from damage import damage_table

from ideation.cli import cli
from ideation.errors import (
    DiskFull,
    NewerStudy,
    SessionHeld,
    StoreError,
    StudyBusy,
    StudyDamaged,
    StudyReadOnly,
)
from ideation.screening.pipeline import assess, import_responses
from ideation.screening.screener_yaml import load_screener
from ideation.store import Store

ROOT = Path(__file__).parents[1]
SCREENER = ROOT / "screeners" / "home-coffee.yaml"
PLAN = ROOT / "sessions" / "sprint-90.yaml"
DATA = Path(__file__).parent / "data"
HOSTILE = "\x1b]0;pwned\x07 \x1b[2J [bold]x[/] [/ \u202eevil"
NOBODY = 65534


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def ideation(
    *args: str, cwd: Path | None = None, unprivileged: bool = False
) -> subprocess.CompletedProcess[str]:
    """The real console entry point in a real process; `unprivileged` runs it as `nobody`
    when we are root, so that file modes mean something."""
    command = [sys.executable, "-m", "ideation", *args]
    if unprivileged and os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv to drop privileges")
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )


def one_error_line(result: Result | subprocess.CompletedProcess[str], code: int) -> str:
    out = result.output if isinstance(result, Result) else result.stdout + result.stderr
    exit_code = result.exit_code if isinstance(result, Result) else result.returncode
    assert exit_code == code, out
    assert out.count("\n") == 1 and "Traceback" not in out, out
    return out


# -- user errors and bugs ----------------------------------------------------


@pytest.fixture
def study(tmp_path: Path) -> Path:
    """A small real study: one session with a few ideas."""
    db = tmp_path / "study.db"
    with Store(db) as store:
        session = store.create_session("Sprint", None, [], [])
        for n in range(5):
            store.add_idea(session.id, f"compost pods number {n}")
    return db


def test_a_library_bug_is_a_crash_log_not_a_user_error(
    study: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "Maya's idea about refill cups"

    def broken(*_args: object, **_kwargs: object) -> None:
        text = secret  # a local a traceback-with-locals would print
        raise ValueError(f"internal: bad shape for {len(text)}")

    monkeypatch.setattr("ideation.export.bundle.build_bundle", broken)
    result = invoke("export", "1", "--out", str(study.parent / "x.csv"), "--db", str(study))
    line = one_error_line(result, 1)
    assert "internal error" in line and secret not in line
    (log,) = study.parent.glob("study.db.crash-*.log")
    assert str(log) in line
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text()
    assert "ValueError: internal: bad shape" in text and secret not in text
    assert not (study.parent / "x.csv").exists()


@pytest.mark.parametrize(
    "error", [StoreError, StudyBusy, StudyReadOnly, DiskFull, StudyDamaged, NewerStudy, SessionHeld]
)
def test_every_store_error_in_a_command_is_one_line(
    study: Path, monkeypatch: pytest.MonkeyPatch, error: type[StoreError]
) -> None:
    def failing(*_args: object, **_kwargs: object) -> None:
        raise error(f"{study}: the {error.__name__} message")

    monkeypatch.setattr(Store, "search_hits", failing)
    line = one_error_line(invoke("search", "compost", "--db", str(study)), 2)
    assert f"the {error.__name__} message" in line
    assert not list(study.parent.glob("*.crash-*.log"))


def test_a_crash_in_a_real_process_names_its_log_and_exits_1(tmp_path: Path) -> None:
    db = tmp_path / "study.db"
    Store(db).close()
    code = (
        "import ideation.store as s, ideation.cli as c\n"
        "def boom(*a, **k): raise KeyError('bug')\n"
        "s.Store.sessions = boom\n"
        "c.main()\n"
    )
    env = {**os.environ, "IDEATION_DB": str(db)}
    done = subprocess.run(
        [sys.executable, "-c", code, "search", "pods"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    (log,) = tmp_path.glob("study.db.crash-*.log")
    assert str(log) in done.stderr and "KeyError: 'bug'" in log.read_text()


class FakeApp:
    """Stands in for the Textual app: returns what the real one would after `run()`."""

    outcome: dict[str, object] = {}

    def __init__(self, **_options: object) -> None:
        self.return_code = self.outcome.get("return_code", 0)
        self.crash_log = self.outcome.get("crash_log")
        self.user_error = self.outcome.get("user_error")
        self._exception = self.outcome.get("exception")

    def run(self) -> None:
        return None


@pytest.mark.parametrize(
    ("outcome", "code", "says"),
    [
        ({"return_code": 0}, 0, None),
        ({"return_code": 1, "crash_log": Path("study.db.crash-x.log")}, 1, "study.db.crash-x.log"),
        ({"return_code": 1, "exception": RuntimeError("in a worker")}, 1, "crash-"),
        (
            {"return_code": 2, "user_error": StudyDamaged("s.db: damaged; run `ideation check`")},
            2,
            "ideation check",
        ),
    ],
    ids=["clean exit", "crash logged by the app", "crash not yet logged", "a user error"],
)
def test_a_tui_crash_exits_non_zero_naming_the_log(
    study: Path, monkeypatch: pytest.MonkeyPatch, outcome: dict, code: int, says: str | None
) -> None:
    monkeypatch.setattr(FakeApp, "outcome", outcome)
    monkeypatch.setattr("ideation.tui.app.IdeationApp", FakeApp)
    result = invoke("--db", str(study))
    if says is None:
        assert result.exit_code == 0 and result.output == ""
        return
    assert says in one_error_line(result, code)
    if "exception" in outcome:
        (log,) = study.parent.glob("study.db.crash-*.log")
        assert "RuntimeError: in a worker" in log.read_text()


# -- hostile text ------------------------------------------------------------


@pytest.fixture
def hostile_study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A study whose idea, respondent answer and respondent name hold escapes and markup."""
    db = tmp_path / "study.db"
    export = tmp_path / "export.csv"
    text = (DATA / "plain.csv").read_text(encoding="utf-8")
    text = text.replace("pen holder", f"{HOSTILE} pen holder", 1)
    export.write_text(text.replace("Jonas Becker", f"\x1b[2JJonas{HOSTILE}", 1), encoding="utf-8")
    defn = load_screener(SCREENER)
    with Store(db) as store:
        session = store.create_session("Sprint", None, [], [])
        store.add_idea(session.id, f"{HOSTILE} compost pods")
        import_responses(store, defn, export)
        assess(store, defn, FakeEmbedder())
    monkeypatch.setattr("ideation.analysis.embed.SentenceTransformerEmbedder", _fake_embedder)
    yield db


def _fake_embedder(_model_path: object = None) -> FakeEmbedder:
    return FakeEmbedder()


def _hostile_respondent(db: Path) -> str:
    with Store(db) as store:
        (found,) = [
            r
            for r in store.respondents(store.find_screener("home-coffee").id)
            if str(r.answers.get("mug_uses", "")).startswith(HOSTILE)
        ]
        return found.external_id


def assert_harmless(result: Result) -> None:
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\x9b" not in result.output


def test_hostile_text_reaches_the_terminal_without_control_characters(
    hostile_study: Path,
) -> None:
    db = str(hostile_study)
    someone = _hostile_respondent(hostile_study)
    found = invoke("search", "compost", "--db", db)
    assert_harmless(found)
    assert "[bold]x[/] [/" in found.output and "compost pods" in found.output
    decided = invoke("decide", str(SCREENER), someone, "accept", "--reason", HOSTILE, "--db", db)
    assert_harmless(decided)
    explained = invoke("explain", str(SCREENER), someone, "--db", db)
    assert_harmless(explained)
    assert explained.output.count("[bold]x[/] [/") == 2  # the reason and the counted answer
    started = invoke("run", str(PLAN), "--name", HOSTILE, "--no-tui", "--db", db)
    assert_harmless(started)
    assert "[bold]x[/]" in started.output
    invited = invoke("invite", str(SCREENER), "2", "--db", db)
    assert_harmless(invited)
    screened = invoke("screen", str(SCREENER), "--db", db)
    assert_harmless(screened)
    with Store(hostile_study) as store:  # stored exactly as typed
        assert store.idea_rows(1)[0].text == f"{HOSTILE} compost pods"
        assert store.session(2).name == HOSTILE
        respondent = next(
            r
            for r in store.respondents(store.find_screener("home-coffee").id)
            if r.external_id == someone
        )
        assert respondent.decision_reason == HOSTILE
        assert respondent.answers["mug_uses"].startswith(HOSTILE)


def test_every_export_format_leaves_out_the_same_control_characters(
    hostile_study: Path, tmp_path: Path
) -> None:
    """One rule for every format: an idea's ESC, BEL and right-to-left override reach no
    file (`jq -r` or `cat` would hand them to a terminal); its markup stays as typed."""
    db = str(hostile_study)
    assert invoke("cluster", "1", "--db", db).exit_code == 0
    for fmt in ("csv", "json", "md", "html", "xlsx"):
        out = tmp_path / f"s1.{fmt}"
        assert invoke("export", "1", "--out", str(out), "--db", db).exit_code == 0
        if fmt == "xlsx":
            with zipfile.ZipFile(out) as book:
                body = "".join(book.read(n).decode() for n in book.namelist() if n.endswith("xml"))
        else:
            body = out.read_text(encoding="utf-8-sig")
        for control in ("\x1b", "\x07", "\u202e"):
            assert control not in body and json.dumps(control)[1:-1] not in body, (fmt, control)
        assert "compost pods" in body


def test_search_in_a_real_terminal_process_prints_no_escape(hostile_study: Path) -> None:
    done = ideation("search", "compost", "--db", str(hostile_study))
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "[bold]x[/]" in done.stdout


# -- new, read-only and unwritable studies -------------------------------------


def test_a_new_study_is_announced_once_and_demo_does_not(tmp_path: Path) -> None:
    db = tmp_path / "new" / "folder" / "study.db"
    first = ideation("run", str(PLAN), "--no-tui", "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert first.stderr == f"created a new study at {db}\n"
    again = ideation("run", str(PLAN), "--no-tui", "--db", str(db))
    assert again.returncode == 0 and again.stderr == ""
    demo = invoke("demo", "--no-tui", "--db", str(tmp_path / "demo" / "study.db"))
    assert demo.exit_code == 0 and demo.output.startswith(f"{tmp_path}"), demo.output
    for reading in (["search", "x"], ["check"], ["export", "1", "--out", "x.csv"]):
        missing = tmp_path / "nowhere" / "study.db"
        line = one_error_line(ideation(*reading, "--db", str(missing), cwd=tmp_path), 2)
        assert "no study here" in line and not missing.parent.exists()


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder `nobody` can reach (pytest's own tmp_path is private to root)."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        folder.chmod(0o755)
        yield folder


def test_a_read_only_study_reads_and_refuses_writes_in_one_line(shared_tmp: Path) -> None:
    folder = shared_tmp / "theirs"
    folder.mkdir()
    db = folder / "study.db"
    with Store(db) as store:
        session = store.create_session("Sprint", None, [], [])
        store.add_idea(session.id, "compost pods")
    db.chmod(0o644)
    if os.geteuid() == 0:
        os.chown(folder, NOBODY, NOBODY)  # nobody may write the folder, not the study
    else:
        db.chmod(0o444)
    found = ideation("search", "compost", "--db", str(db), unprivileged=True)
    assert found.returncode == 0 and "compost pods" in found.stdout, found.stderr
    checked = ideation("check", "--db", str(db), unprivileged=True)
    assert checked.returncode == 0 and checked.stdout == f"{db}: ok\n", checked.stderr
    copy = folder / "copy.db"
    saved = ideation("backup", str(copy), "--db", str(db), unprivileged=True)
    assert saved.returncode == 0 and copy.is_file(), saved.stderr
    for writing in (
        ["run", str(PLAN), "--no-tui"],
        ["run", "--resume", "--no-tui"],
        ["decide", str(SCREENER), "R1", "accept"],
    ):
        line = one_error_line(ideation(*writing, "--db", str(db), unprivileged=True), 2)
        assert f"{db}: study is read-only" in line
    with Store(db) as store:
        assert len(store.sessions()) == 1


def test_a_study_in_a_missing_folder_of_a_read_only_folder_is_one_line(shared_tmp: Path) -> None:
    db = shared_tmp / "missing" / "study.db"
    if os.geteuid() != 0:
        shared_tmp.chmod(0o555)
    line = one_error_line(
        ideation("run", str(PLAN), "--no-tui", "--db", str(db), unprivileged=True), 2
    )
    assert str(db) in line and "PermissionError" not in line


# -- check, backup and a damaged page ------------------------------------------


def test_check_and_backup_on_a_healthy_study(study: Path) -> None:
    assert invoke("check", "--db", str(study)).output == f"{study}: ok\n"
    target = study.parent / "copy.db"
    saved = invoke("backup", str(target), "--db", str(study))
    assert saved.exit_code == 0 and saved.output == f"{target}: backup of {study} written\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with Store(target) as copy:
        assert copy.count_ideas() == 5
    refused = one_error_line(invoke("backup", str(target), "--db", str(study)), 2)
    assert "--force" in refused
    assert invoke("backup", str(target), "--force", "--db", str(study)).exit_code == 0
    itself = one_error_line(invoke("backup", str(study), "--force", "--db", str(study)), 2)
    assert "study itself" in itself
    dated = study.parent / "backups" / "14-oct.db"  # the README's own example: a new folder
    assert invoke("backup", str(dated), "--db", str(study)).exit_code == 0
    with Store(dated) as copy:
        assert copy.count_ideas() == 5
    blocked = study.parent / "copy.db" / "inside.db"  # a file where the folder would be
    assert "cannot make folder" in one_error_line(
        invoke("backup", str(blocked), "--db", str(study)), 2
    )


def test_check_and_backup_still_work_on_a_study_from_a_newer_ideation(
    study: Path, tmp_path: Path
) -> None:
    """Schema-agnostic, and most needed exactly when this version cannot use the file."""
    conn = sqlite3.connect(study)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    assert "upgrade ideation" in one_error_line(invoke("search", "x", "--db", str(study)), 2)
    assert invoke("check", "--db", str(study)).output == f"{study}: ok\n"
    copied = invoke("backup", str(tmp_path / "copy.db"), "--db", str(study))
    assert copied.exit_code == 0, copied.output


def test_a_damaged_page_is_one_line_and_check_finds_it(
    study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(study)
    damage_table(study, "ideas")
    for args in (["search", "compost"], ["export", "1", "--out", str(tmp_path / "x.md")]):
        line = one_error_line(invoke(*args, "--db", db), 2)
        assert "ideation check" in line and "backup" in line
    checked = invoke("check", "--db", db)
    assert checked.exit_code == 1 and "restore the study from a backup" in checked.output
    assert checked.output.count("\n") >= 2
    copied = invoke("backup", str(tmp_path / "copy.db"), "--db", db)
    assert copied.exit_code == 1  # written (it saves what can be read) but not a safe point
    assert "damaged" in copied.output and (tmp_path / "copy.db").exists()
    assert not list(tmp_path.glob("*.crash-*.log"))
    junk = tmp_path / "junk.db"  # not SQLite at all: said once, not "run `ideation check`"
    junk.write_bytes(b"not a study " * 20)
    assert invoke("check", "--db", str(junk)).output.splitlines()[0] == (
        f"{junk}: SQLite cannot read the file: file is not a database"
    )


def test_a_damaged_respondent_page_is_one_line_from_explain_and_screen(
    hostile_study: Path,
) -> None:
    someone = _hostile_respondent(hostile_study)
    damage_table(hostile_study, "respondents")
    db = str(hostile_study)
    for args in (["explain", str(SCREENER), someone], ["screen", str(SCREENER)]):
        line = one_error_line(invoke(*args, "--db", db), 2)
        assert "ideation check" in line


# -- --out is judged by its suffix, before any work ----------------------------


@pytest.mark.parametrize(
    ("args", "accepted"),
    [
        (["export", "1", "--out", "ideas.pdf"], ".csv, .json, .md, .xlsx, .html"),
        (["export", "1", "--out", "ideas"], ".csv, .json, .md, .xlsx, .html"),
        (["export", "1", "--format", "csv", "--out", "ideas.xlsx"], "does not match"),
        (["screen", str(SCREENER), str(DATA / "plain.csv"), "--out", "r.ods"], ".csv, .xlsx"),
    ],
)
def test_an_out_the_command_cannot_write_is_refused_first(
    study: Path, args: list[str], accepted: str
) -> None:
    out = study.parent / args[-1]
    before = study.read_bytes()
    line = one_error_line(invoke(*args[:-1], str(out), "--db", str(study)), 2)
    assert accepted in line
    assert study.read_bytes() == before and not out.exists()  # nothing imported or written


def test_screen_writes_a_real_xlsx(hostile_study: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = hostile_study.parent / "recruits.xlsx"
    result = invoke("screen", str(SCREENER), "--out", str(out), "--db", str(hostile_study))
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    header = [cell.value for cell in sheet[1]]
    assert "rank" in header and sheet.max_row >= 3
