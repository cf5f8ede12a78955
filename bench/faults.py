"""Fault benchmark: does anything a facilitator typed get lost, or any command crash?

Real processes, real files, real SQLite; no mocks. One table, one row per
scenario; every cell must read 0, else the exit status is 1:

- kill -9: a child captures flat out (the domain's `LiveSession.capture`, and
  the live screen driven headless) and prints each idea after commit; it is
  killed at a random moment. Every acknowledged idea must be stored exactly
  once, `PRAGMA integrity_check` must pass, and a resume must capture again.
- race: the live screen captures (with its background embedder) while a second
  process embeds and a loop of real `ideation` commands writes to the study.
- held write lock (BEGIN IMMEDIATE in another process past the busy timeout),
  read-only study (root ignores 0444, so the file belongs to `nobody` and the
  live screen and the CLI run as `nobody` through setpriv), full disk (a tmpfs
  of a few MB filled to the last byte, then freed), damaged page (random bytes
  over a leaf page of `ideas`; every command must answer in one line).
- fuzz: mutated plans, screeners and survey CSVs through the loaders
  (bench/fault_fuzz.py), with spot checks through the real CLI.

lost = typed but never committed (or stored twice, or a damaged study);
tracebacks = a Python traceback in any stderr; crashes = a non-zero exit that
is not a one-line user error, a child that died on its own, a failed resume.

    python bench/faults.py                # the full run (~10 min on 2 cores)
    python bench/faults.py --quick        # a short run (~1-2 min)
    python bench/faults.py --tree DIR     # measure another checkout (e.g. `git archive HEAD`)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PLAN = ROOT / "sessions" / "half-day.yaml"
SHORT_PLAN = ROOT / "sessions" / "sprint-90.yaml"
SCREENER = ROOT / "screeners" / "home-coffee.yaml"
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|─ Traceback |^\s*Traceback", re.M)
CRASH_LINE = "internal error"
TOKEN = re.compile(r"\b([a-z]+\d*x\d{5})\b")
NOBODY = 65534


@dataclass
class Row:
    scenario: str
    trials: int = 0
    lost: int = 0
    tracebacks: int = 0
    crashes: int = 0
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text and text not in self.notes:
            self.notes.append(text)


@dataclass
class Ran:
    """One finished process: what it printed and how it ended."""

    args: list[str]
    rc: int | None
    out: str
    err: str
    seconds: float

    @property
    def traceback(self) -> bool:
        return bool(TRACEBACK.search(self.err)) or bool(TRACEBACK.search(self.out))

    @property
    def one_line_error(self) -> bool:
        lines = [line for line in self.err.splitlines() if line.strip()]
        return len(lines) == 1 and CRASH_LINE not in lines[0] and not self.traceback

    @property
    def crash(self) -> bool:
        """Non-zero, and not a documented one-line user error (or killed by a signal)."""
        if self.rc == 0:
            return CRASH_LINE in self.err
        return self.rc is None or self.rc < 0 or self.rc not in (1, 2) or not self.one_line_error


class Bench:
    """Where the code under test lives, how to start its processes, and scratch space."""

    def __init__(self, tree: Path, scratch: Path, seed: int) -> None:
        self.tree = tree
        self.scratch = scratch
        self.rng = random.Random(seed)
        self.env = dict(os.environ, PYTHONPATH=str(tree), PYTHONUNBUFFERED="1")
        self.env.pop("IDEATION_DB", None)
        self.python = sys.executable
        self._n = 0
        self.commands = self._commands()

    def path(self, name: str) -> Path:
        self._n += 1
        return self.scratch / f"{self._n:03d}-{name}"

    def cli_args(self, *args: str) -> list[str]:
        """The `ideation` console script's entry point, run from the tree under test."""
        boot = (
            "import sys; from ideation.cli import main; sys.argv[0] = 'ideation'; sys.exit(main())"
        )
        return [self.python, "-c", boot, *args]

    def child_args(self, *args: str) -> list[str]:
        return [self.python, str(BENCH / "fault_capture.py"), *args]

    def run(
        self,
        args: list[str],
        timeout: float = 120,
        user: int | None = None,
        cwd: Path | None = None,
    ) -> Ran:
        start = time.monotonic()
        if user is not None:
            args = as_user(user, args)
        try:
            done = subprocess.run(
                args,
                capture_output=True,
                text=True,
                timeout=timeout,
                env=self.env_for(user),
                cwd=cwd or self.scratch,
                stdin=subprocess.DEVNULL,
            )
            rc, out, err = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as expired:
            rc = None
            out = _text(expired.stdout)
            err = _text(expired.stderr) + f"\n[bench: timed out after {timeout:.0f} s]"
        return Ran(args, rc, out, err, time.monotonic() - start)

    def env_for(self, user: int | None) -> dict[str, str]:
        """Another user gets a home of their own (a real user has one: config, keymaps)."""
        if user is None:
            return self.env
        home = self.scratch / f"home-{user}"
        if not home.exists():
            home.mkdir()
            os.chown(home, user, user)
        return dict(self.env, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))

    def cli(self, *args: str, **options: object) -> Ran:
        return self.run(self.cli_args(*args), **options)  # type: ignore[arg-type]

    def _commands(self) -> set[str]:
        out = self.cli("--help").out
        return set(re.findall(r"^  (\w[\w-]*)\s", out.split("Commands:")[-1], re.M))

    # -- studies ----------------------------------------------------------------

    def study(self, name: str, demo: bool = True) -> tuple[Path, int]:
        """A study with a running session at a brainstorming phase: (path, session id)."""
        folder = self.path(name)
        folder.mkdir()
        db = folder / "study.db"
        if demo:
            _must(self.cli("demo", "--no-tui", "--db", str(db)))
        made = _must(self.cli("run", str(PLAN), "--no-tui", "--name", "bench", "--db", str(db)))
        session = int(re.search(r"session (\d+)", made.out).group(1))  # type: ignore[union-attr]
        _must(
            self.run(
                self.child_args(
                    "--db", str(db), "--session", str(session), "--count", "0", "--phase", "4"
                )
            )
        )
        settle(db)
        return db, session

    def copy(self, db: Path, name: str) -> Path:
        folder = self.path(name)
        folder.mkdir()
        target = folder / db.name
        shutil.copy2(db, target)
        return target


def as_user(user: int, args: list[str]) -> list[str]:
    return ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *args]


def _text(data: str | bytes | None) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data or ""


def _must(ran: Ran) -> Ran:
    if ran.rc != 0:
        raise SystemExit(f"bench set-up failed: {' '.join(ran.args[-6:])}\n{ran.err}")
    return ran


def settle(db: Path) -> None:
    """Fold the WAL into the file, so a copy of the one file is the whole study."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def stored_tokens(db: Path, session: int | None = None) -> Counter[str]:
    """How many times each bench token appears in the study's ideas."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        where, params = ("WHERE session_id = ?", [session]) if session else ("", [])
        rows = conn.execute(f"SELECT text FROM ideas {where}", params).fetchall()
    finally:
        conn.close()
    return Counter(t for (text,) in rows for t in TOKEN.findall(text or ""))


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db, timeout=30)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    finally:
        conn.close()
    return "ok" if result == [("ok",)] else "; ".join(r[0] for r in result)[:80]


class Child:
    """A fault_capture.py process whose stdout lines are read as they come."""

    def __init__(self, bench: Bench, args: list[str], user: int | None = None) -> None:
        full = bench.child_args(*args)
        if user is not None:
            full = as_user(user, full)
        self.errfile = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            full,
            stdout=subprocess.PIPE,
            stderr=self.errfile,
            text=True,
            env=bench.env_for(user),
            cwd=bench.scratch,
            stdin=subprocess.DEVNULL,
        )
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.killed = False
        self.hung = False  # killed by us only because it never finished: a crash
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.endswith("\n"):  # a line cut by the kill was never acknowledged
                self.lines.append(line.rstrip("\n"))
                if line.startswith(("ready", "refused", "done")):
                    self.ready.set()
        self.ready.set()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.killed = True
            os.kill(self.proc.pid, signal.SIGKILL)

    def wait(self, timeout: float) -> int | None:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.hung = True
            self.proc.wait(10)
        self._reader.join(10)
        return self.proc.returncode

    @property
    def err(self) -> str:
        self.errfile.seek(0)
        return self.errfile.read()

    def tokens(self, kind: str) -> list[str]:
        return [line.split()[-1] for line in self.lines if line.startswith(kind + " ")]

    def refused(self) -> str:
        """The one-line refusal, without the study's path in front."""
        line = next((line[8:] for line in self.lines if line.startswith("refused ")), "")
        return line.split(".db: ", 1)[-1]

    def judge(self, row: Row, label: str = "screen") -> None:
        """Tracebacks in stderr; an exit that was not ours and not clean is a crash."""
        err = self.err
        traced = bool(TRACEBACK.search(err))
        crashed = self.hung or (not self.killed and self.proc.returncode != 0)
        row.tracebacks += traced
        row.crashes += crashed
        if traced or crashed:
            rc = "hung, killed" if self.hung else self.proc.returncode
            row.note(f"{label}: exit {rc}{', traceback' if traced else ''}: {_last_line(err)}")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip() and "bench:" not in line]
    return lines[-1][:100] if lines else ""


def judge_cli(row: Row, ran: Ran, label: str, documented: tuple[int, ...] = ()) -> str:
    """Count a CLI run; returns 'ok', 'refused' (one line, or a documented exit status
    such as `check` finding damage) or 'crash'."""
    row.trials += 1
    if ran.rc in documented and not ran.traceback and CRASH_LINE not in ran.err:
        return "refused"
    row.tracebacks += ran.traceback
    row.crashes += ran.crash
    if ran.traceback or ran.crash:
        row.note(
            f"{label}: exit {ran.rc}{', traceback' if ran.traceback else ''}: {_last_line(ran.err)}"
        )
    if ran.crash:
        return "crash"
    return "ok" if ran.rc == 0 else "refused"


def count_lost(
    row: Row,
    db: Path,
    session: int,
    typed: Iterable[str],
    excused: Iterable[str] = (),
    label: str = "",
) -> None:
    """Typed lines not stored (unless still held on screen), and lines stored twice."""
    stored = stored_tokens(db, session)
    excused = set(excused)
    missing = [t for t in typed if stored[t] == 0 and t not in excused]
    doubled = [t for t in typed if stored[t] > 1]
    row.lost += len(missing) + len(doubled)
    if missing:
        row.note(f"{label}{len(missing)} typed lines never stored")
    if doubled:
        row.note(f"{label}{len(doubled)} stored twice")


# -- kill -9 ----------------------------------------------------------------------


def capture_child(
    bench: Bench, db: Path, session: int, mode: str = "tui", user: int | None = None, **opts: object
) -> Child:
    """fault_capture.py on one session; keyword options become its --flags."""
    args = ["--db", str(db), "--session", str(session), "--mode", mode]
    for name, value in opts.items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    return Child(bench, args, user=user)


def kill_trials(bench: Bench, trials: int) -> Row:
    """Two lanes (two studies) in parallel; modes alternate domain / live screen. Each
    trial's child is the previous trial's resume; a lane ends with an explicit resume."""
    row = Row(f"kill -9 during capture ({trials})")
    template, session = bench.study("kill-template", demo=False)
    lanes = [bench.copy(template, f"kill-lane{n}") for n in range(2)]
    lock = threading.Lock()
    stats: Counter[str] = Counter()

    def lane(n: int) -> None:
        rng = random.Random(bench.rng.random())
        for trial in range(n, trials, 2):
            resumed = one_kill(bench, lanes[n], session, trial, rng, row, lock, stats)
            if not resumed or trial + 2 >= trials:
                resume = capture_child(bench, lanes[n], session, "domain", count=1, tag=f"r{trial}")
                resume.wait(60)
                with lock:
                    stats["explicit"] += 1
                    row.tracebacks += bool(TRACEBACK.search(resume.err))
                    if not resume.tokens("ok") or resume.proc.returncode != 0:
                        row.crashes += 1
                        row.note(f"trial {trial}: resume failed: {_last_line(resume.err)}")

    threads = [threading.Thread(target=lane, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    row.trials = trials
    row.note(
        f"{stats['acked']} acknowledged ideas checked; {stats['early']} kills during start-up;"
        f" {stats['tui']} via the live screen; resumes: {stats['resumed']} by the next trial,"
        f" {stats['explicit']} explicit"
    )
    return row


def one_kill(
    bench: Bench,
    db: Path,
    session: int,
    trial: int,
    rng: random.Random,
    row: Row,
    lock: threading.Lock,
    stats: Counter[str],
) -> bool:
    """Capture (30 lines/s), SIGKILL at a random moment, check the file; True when this
    child captured at least once, i.e. resumed the previous trial's session."""
    mode = "tui" if trial % 2 else "domain"
    child = capture_child(bench, db, session, mode, tag=f"k{trial}", seconds=20, rate=30)
    early = rng.random() < 0.1
    if early:
        time.sleep(rng.uniform(0.05, 0.5))
    else:
        child.ready.wait(20)
        time.sleep(rng.uniform(0.0, 1.2))
    child.kill()
    child.wait(20)
    acked, typed = child.tokens("ok"), child.tokens("typed")
    stored = stored_tokens(db, session)
    check = integrity(db)
    with lock:
        stats["acked"] += len(acked)
        stats["early"] += early
        stats["tui"] += mode == "tui"
        stats["resumed"] += bool(acked) and trial >= 2
        child.judge(row)
        missing = [t for t in acked if stored[t] != 1]
        extra = [t for t in typed if stored[t] > 1]
        row.lost += len(missing) + len(extra)
        if missing or extra:
            row.note(f"trial {trial}: {len(missing)} acknowledged missing, {len(extra)} twice")
        if check != "ok":
            row.lost += 1
            row.note(f"trial {trial}: integrity_check: {check}")
    return bool(acked)


# -- race -------------------------------------------------------------------------


def cli_writer(
    bench: Bench, db: Path, session: int, stop: threading.Event, row: Row, limit: int
) -> Counter[str]:
    """Real `ideation` commands that write to the study, in a loop, until told to stop."""
    out = bench.path("exports")
    out.mkdir()
    cycle: list[list[str]] = []
    for n in range(1, 41):
        choice = "accept" if n % 2 else "standby"
        cycle.append(["decide", str(SCREENER), f"R{n:03d}", choice])
        if n % 4 == 0:
            cycle.append(["run", str(SHORT_PLAN), "--no-tui", "--name", f"race {n}"])
        if n % 5 == 0:
            cycle.append(["search", "pod"])
        if n % 6 == 0 and "backup" in bench.commands:
            cycle.append(["backup", str(out / "b{i}.db")])
        if n % 8 == 0:
            cycle.append(["export", str(session), "--out", str(out / "e{i}.csv")])
    outcomes: Counter[str] = Counter()
    for count, args in enumerate(cycle * 10):
        if stop.is_set() or count >= limit:
            break
        args = [arg.replace("{i}", str(count)) for arg in args]  # a new file each time
        ran = bench.cli(*args, "--db", str(db), timeout=60)
        outcome = judge_cli(row, ran, "cli " + args[0])
        if outcome == "refused" and not outcomes["refused"]:
            row.note(f"first CLI refusal: {args[0]}: {_last_line(ran.err).split('.db: ')[-1][:70]}")
        outcomes[outcome] += 1
    return outcomes


def keep_capturing(
    bench: Bench, db: Path, session: int, mode: str, deadline: float, row: Row, **opts: object
) -> list[str]:
    """One capturing process after another (a crash is counted, then resumed) until the end."""
    typed: list[str] = []
    for run in range(1, 31):
        left = deadline - time.monotonic()
        if left < 2:
            break
        child = capture_child(
            bench, db, session, mode, tag=f"{mode[0]}{run}", seconds=round(left, 1), **opts
        )
        child.wait(left + 90)
        typed += child.tokens("typed")
        child.judge(row, "screen" if mode == "tui" else "second writer")
        if child.refused():
            row.note("refused: " + child.refused()[:80])
            time.sleep(1)
    return typed


def race(bench: Bench, seconds: float, embedder: str) -> Row:
    """The live screen with its embedding worker, a second writer on another session, an
    embedding process and a loop of CLI writers, all on one study for `seconds`."""
    row = Row(f"race {seconds:.0f} s, {embedder} embedder")
    db, session = bench.study(f"race-{embedder}")
    made = bench.cli("run", str(PLAN), "--no-tui", "--name", "second", "--db", str(db))
    second = int(re.search(r"session (\d+)", made.out).group(1))  # type: ignore[union-attr]
    stop_file = db.with_name("stop")
    deadline = time.monotonic() + seconds
    stop = threading.Event()
    outcomes: Counter[str] = Counter()
    typed: dict[str, list[str]] = {}
    embed = capture_child(bench, db, session, "embed", seconds=seconds + 30, stop_file=stop_file)
    threads = [
        threading.Thread(
            target=lambda: outcomes.update(cli_writer(bench, db, session, stop, row, 400))
        ),
        threading.Thread(
            target=lambda: typed.__setitem__(
                "screen",
                keep_capturing(
                    bench, db, session, "tui", deadline, row, rate=5, drain=20, embedder=embedder
                ),
            )
        ),
        threading.Thread(
            target=lambda: typed.__setitem__(
                "second", keep_capturing(bench, db, second, "domain", deadline, row, rate=10)
            )
        ),
    ]
    for thread in threads[1:]:
        thread.start()
    threads[0].start()
    for thread in threads[1:]:
        thread.join(seconds + 200)
    stop.set()
    stop_file.touch()
    threads[0].join(120)
    embed.wait(60)
    embed.judge(row, "embedding process")
    screen, other = typed.get("screen", []), typed.get("second", [])
    row.trials = len(screen) + len(other)
    count_lost(row, db, session, screen, label="screen: ")
    count_lost(row, db, second, other, label="second writer: ")
    errors = [line[6:].split(".db: ", 1)[-1] for line in embed.lines if line.startswith("error ")]
    row.note(
        f"{len(screen)} lines on the live screen, {len(other)} by a second writer;"
        f" {sum(outcomes.values())} CLI runs ({outcomes['refused']} one-line refusals);"
        f" embedding process: {len(errors)} one-line errors"
        + (f" (e.g. {errors[0][:70]})" if errors else "")
    )
    return row


# -- held write lock --------------------------------------------------------------


def busy_timeout_seconds(bench: Bench) -> float:
    code = "from ideation.store import BUSY_TIMEOUT_MS as b; print(b)"
    try:
        return int(bench.run([bench.python, "-c", code]).out.strip()) / 1000
    except ValueError:
        return 5.0


def held_lock(bench: Bench) -> Row:
    """Another process holds BEGIN IMMEDIATE past the busy timeout while the screen captures."""
    row = Row("held write lock")
    db, session = bench.study("lock")
    busy = busy_timeout_seconds(bench)
    hold = busy + 2.0
    go = db.with_name("go")
    child = capture_child(
        bench, db, session, tag="l", rate=4, seconds=hold + 3, go_file=go, drain=25
    )
    child.ready.wait(30)
    locker = capture_child(bench, db, 0, "lock", seconds=hold)
    locker.ready.wait(30)
    go.touch()
    child.wait(hold + 90)
    locker.wait(30)
    child.judge(row)
    typed = child.tokens("typed")
    row.trials = len(typed)
    count_lost(row, db, session, typed)
    row.note(f"lock held {hold:.1f} s (busy timeout {busy:.1f} s); {len(typed)} lines typed")
    if child.refused():
        row.note("refused: " + child.refused()[:80])
    return row


# -- read-only --------------------------------------------------------------------


def read_only(bench: Bench, template: Path, session: int) -> Row:
    """Root ignores 0444, so the study belongs to `nobody` and is opened as `nobody`."""
    row = Row("read-only study")
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        row.note("not root or no setpriv: not measured")
        row.crashes += 1
        return row
    db = bench.copy(template, "ro")
    out = db.parent / "out"
    out.mkdir()
    locked_dir = bench.path("ro-folder")
    locked_dir.mkdir()
    shutil.copy2(template, locked_dir / "study.db")
    for path in (db.parent, db, out, locked_dir, locked_dir / "study.db"):
        os.chown(path, NOBODY, NOBODY)
    db.chmod(0o444)
    locked_dir.chmod(0o555)
    child = capture_child(bench, db, session, user=NOBODY, tag="o", count=5, rate=5, drain=3)
    child.wait(90)
    child.judge(row)
    typed, held = child.tokens("typed"), child.tokens("held")
    count_lost(row, db, session, typed, excused=held)
    row.trials += 1
    how = (
        f"refused ({child.refused()[:60]})"
        if child.refused()
        else f"{len(typed)} typed, {len(held)} held"
    )
    row.note(f"live screen as nobody on a 0444 file: {how}")
    ro_db, ro_dir = str(db), str(locked_dir / "study.db")
    cases = [
        ["run", str(PLAN), "--no-tui", "--db", ro_db],
        ["decide", str(SCREENER), "R001", "accept", "--db", ro_db],
        ["search", "coffee", "--db", ro_db],
        ["export", str(session), "--out", str(out / "x.csv"), "--db", ro_db],
        ["run", "--resume", "--session", str(session), "--no-tui", "--db", ro_db],
        ["search", "coffee", "--db", ro_dir],
        ["run", str(PLAN), "--no-tui", "--db", ro_dir],
        ["search", "coffee", "--db", str(locked_dir / "missing" / "sub" / "study.db")],
    ]
    cases += [[c, "--db", ro_db] for c in ("check",) if c in bench.commands]
    outcomes = Counter(
        judge_cli(row, bench.cli(*case, user=NOBODY), "ro " + case[0]) for case in cases
    )
    row.note(f"CLI as nobody: {outcomes['ok']} ok, {outcomes['refused']} one-line refusals")
    if integrity(db) != "ok":
        row.lost += 1
    return row


# -- disk full --------------------------------------------------------------------


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as handle:
        for size in (1 << 16, 4096, 512, 1):
            try:
                while handle.write(b"\0" * size):
                    pass
            except OSError:
                continue
    return filler


def disk_full(bench: Bench) -> Row:
    """A tmpfs of a few MB filled to the last byte while the live screen captures; then
    space comes back and every typed line must be committed, nothing stored damaged."""
    row = Row("disk full (tmpfs)")
    template, session = bench.study("full-template", demo=False)
    mount = bench.path("tmpfs")
    mount.mkdir()
    size = max(4, template.stat().st_size // (1 << 20) + 3)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        row.note(f"tmpfs mount refused ({mounted.stderr.strip()[:60]}): not measured")
        row.crashes += 1
        return row
    try:
        db = mount / "study.db"
        shutil.copy2(template, db)
        before = stored_tokens(db, session)
        go = mount / "go"
        child = capture_child(bench, db, session, tag="f", count=8, rate=4, drain=25, go_file=go)
        child.ready.wait(30)
        filler = fill(mount)
        go.touch()
        typed_by = time.monotonic() + 8
        while (
            len(child.tokens("typed")) < 8
            and time.monotonic() < typed_by
            and child.proc.poll() is None
        ):
            time.sleep(0.2)
        cli_full = [
            ["run", str(SHORT_PLAN), "--no-tui", "--db", str(db)],
            ["search", "pod", "--db", str(db)],
        ]
        cli_full += (
            [["backup", str(mount / "copy.db"), "--db", str(db)]]
            if "backup" in bench.commands
            else []
        )
        outcomes = Counter(
            judge_cli(row, bench.cli(*c, timeout=60), "full " + c[0]) for c in cli_full
        )
        filler.unlink()
        child.wait(90)
        child.judge(row)
        typed = child.tokens("typed")
        row.trials += 1
        count_lost(row, db, session, typed)
        after = stored_tokens(db, session)
        damaged = sum(1 for t, n in before.items() if after[t] != n)
        check = integrity(db)
        if damaged or check != "ok":
            row.lost += damaged + (check != "ok")
            row.note(f"stored ideas damaged: {damaged}; integrity: {check}")
        row.note(
            f"{size} MB tmpfs filled; {len(typed)} lines typed while full, space freed after;"
            f" CLI while full: {outcomes['ok']} ok, {outcomes['refused']} one-line refusals"
        )
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
    return row


# -- damaged page -----------------------------------------------------------------


def ideas_page(db: Path) -> tuple[int, int]:
    """(page number, page size) of a leaf page of the ideas table (the root if no dbstat)."""
    conn = sqlite3.connect(db)
    try:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        try:
            pages = [
                p
                for (p,) in conn.execute(
                    "SELECT pageno FROM dbstat WHERE name = 'ideas' AND pagetype = 'leaf'"
                )
            ]
        except sqlite3.OperationalError:
            pages = []
        if not pages:
            pages = [
                conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ideas'").fetchone()[
                    0
                ]
            ]
    finally:
        conn.close()
    return pages[len(pages) // 2], size


def damaged_page(bench: Bench, template: Path, session: int, models: bool) -> Row:
    """Random bytes over a leaf page of `ideas`; every command must answer in one line."""
    row = Row("damaged page (ideas table)")
    db = bench.copy(template, "damaged")
    page, size = ideas_page(db)
    with open(db, "r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(bytes(bench.rng.randrange(256) for _ in range(size)))
    out = db.parent
    cases = [
        ["search", "coffee"],
        ["export", "1", "--out", str(out / "x.csv")],
        ["export", "1", "--out", str(out / "x.html")],
        ["explain", str(SCREENER), "R001"],
        ["decide", str(SCREENER), "R002", "accept"],
        ["invite", str(SCREENER), str(session)],
        ["run", "--resume", "--session", "1", "--no-tui"],
        ["run", str(SHORT_PLAN), "--no-tui"],
    ]
    cases += [["screen", str(SCREENER)], ["cluster", "1"]] if models else []
    cases += [[c] for c in ("check",) if c in bench.commands]
    cases += [["backup", str(out / "copy.db")]] if "backup" in bench.commands else []
    outcomes = Counter(
        judge_cli(
            row,
            bench.cli(*case, "--db", str(db), timeout=90),
            "damaged " + case[0],
            documented=(1,) if case[0] == "check" else (),
        )
        for case in cases
    )
    child = capture_child(bench, db, 1, tag="g", count=3, rate=4, drain=3)
    child.wait(90)
    child.judge(row)
    row.trials += 1
    how = (
        f"refused ({child.refused()[:50]})"
        if child.refused()
        else f"{len(child.tokens('ok'))} captured"
    )
    row.note(
        f"page {page} overwritten; CLI: {outcomes['ok']} ok, {outcomes['refused']} one-line"
        f" refusals; live screen on session 1: {how}"
    )
    return row


# -- fuzz -------------------------------------------------------------------------


def fuzz(bench: Bench, per_loader: int, spot: int) -> list[Row]:
    folder = bench.path("fuzz")
    folder.mkdir()
    ran = bench.run(
        [
            bench.python,
            str(BENCH / "fault_fuzz.py"),
            "--out",
            str(folder),
            "--count",
            str(per_loader),
            "--seed",
            str(bench.rng.randrange(1 << 30)),
        ],
        timeout=900,
    )
    rows = []
    try:
        results = json.loads(ran.out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        row = Row("fuzz", crashes=1, notes=[f"fault_fuzz.py failed: {_last_line(ran.err)}"])
        return [row]
    scratch_db = folder / "spot.db"
    bench.cli("run", str(SHORT_PLAN), "--no-tui", "--db", str(scratch_db))  # no notice later
    for loader, result in results.items():
        row = Row(f"fuzz {loader} ({result['files']})", trials=result["files"])
        row.tracebacks = result["tracebacks"]
        row.crashes = result["hangs"] + result["code_ran"]
        row.lost = result["half_written"]
        for example in result["examples"][:2]:
            row.note(example)
        if result["warnings"]:
            row.note(f"{result['warnings']} files printed a raw library warning")
        if result["slow"]:
            row.note(f"{result['slow']} took over 2 s")
        if result.get("generator"):
            row.note(f"mutations: {result['generator']}")
        picks = result["spot"][:spot]
        outcomes = Counter()
        for path in picks:
            args = {
                "plans": ["plan", "check", path],
                "screeners": ["screener", "check", path],
                "csv": ["screen", str(SCREENER), path, "--db", str(scratch_db)],
            }[loader]
            ran = bench.cli(*args, timeout=120)
            before = (row.tracebacks, row.crashes)
            outcomes[judge_cli(Row(""), ran, "")] += 1
            if ran.traceback:
                row.tracebacks += 1
            if ran.crash:
                row.crashes += 1
            if (row.tracebacks, row.crashes) != before:
                row.note(f"CLI {Path(path).name}: exit {ran.rc} {_last_line(ran.err)[:60]}")
        row.note(f"CLI spot checks: {len(picks)} ({outcomes['refused']} one-line errors)")
        rows.append(row)
    return rows


# -- the table --------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    head = ("scenario", "trials", "lost", "tracebacks", "crashes", "notes")
    width = max(len(head[0]), *(len(r.scenario) for r in rows))
    lines = [f"{head[0]:<{width}} | {head[1]:>6} | {head[2]:>4} | {head[3]:>10} | {head[4]:>7} |"]
    lines[0] += f" {head[5]}"
    lines.append("-" * (width + 40))
    for r in rows:
        lines.append(
            f"{r.scenario:<{width}} | {r.trials:>6} | {r.lost:>4} | {r.tracebacks:>10} |"
            f" {r.crashes:>7} | {'; '.join(r.notes)}"
        )
    return "\n".join(lines)


def timed(name: str, make: Callable[[], Row | list[Row]], rows: list[Row]) -> None:
    start = time.monotonic()
    try:
        made = make()
    except Exception as error:  # noqa: BLE001 - a broken scenario is a row, not the end of the run
        made = Row(name, crashes=1, notes=[f"bench error: {type(error).__name__}: {error}"[:160]])
    for row in made if isinstance(made, list) else [made]:
        rows.append(row)
    print(f"  {name}: {time.monotonic() - start:.0f} s", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (~1-2 min)")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument("--kills", type=int, default=None)
    parser.add_argument("--race-seconds", type=float, default=None)
    parser.add_argument("--fuzz", type=int, default=None, help="files per loader")
    parser.add_argument("--real-model", choices=("auto", "yes", "no"), default="auto")
    parser.add_argument(
        "--only", default="", help="comma list: kill,race,lock,ro,full,damaged,fuzz"
    )
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    quick = args.quick
    kills = args.kills if args.kills is not None else (8 if quick else 100)
    race_seconds = args.race_seconds or (10.0 if quick else 120.0)
    per_loader = args.fuzz or (30 if quick else 500)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    only = set(filter(None, args.only.split(",")))
    real = args.real_model == "yes" or (args.real_model == "auto" and not quick)

    def wanted(name: str) -> bool:
        return not only or name in only

    scratch = Path(tempfile.mkdtemp(prefix="ideation-faults-"))
    scratch.chmod(0o755)  # the read-only scenario runs as nobody inside it
    bench = Bench(args.tree.resolve(), scratch, seed)
    print(f"faults: tree {bench.tree}, seed {seed}, scratch {scratch}", file=sys.stderr, flush=True)
    rows: list[Row] = []
    started = time.monotonic()
    try:
        template, session = bench.study("template")
        if wanted("kill"):
            timed("kill -9", lambda: kill_trials(bench, kills), rows)
        if wanted("race"):
            timed("race", lambda: race(bench, race_seconds, "fake"), rows)
            if real:
                timed("race real model", lambda: race(bench, min(race_seconds, 60.0), "real"), rows)
        if wanted("lock"):
            timed("held lock", lambda: held_lock(bench), rows)
        if wanted("ro"):
            timed("read-only", lambda: read_only(bench, template, session), rows)
        if wanted("full"):
            timed("disk full", lambda: disk_full(bench), rows)
        if wanted("damaged"):
            timed("damaged page", lambda: damaged_page(bench, template, session, not quick), rows)
        if wanted("fuzz"):
            timed("fuzz", lambda: fuzz(bench, per_loader, 3 if quick else 12), rows)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    print(
        f"ideation fault benchmark — {'quick' if quick else 'full'} run, seed {seed},"
        f" {time.monotonic() - started:.0f} s, tree {bench.tree}"
    )
    print(table(rows))
    bad = [r for r in rows if r.lost or r.tracebacks or r.crashes]
    sys.exit(1 if bad or not rows else 0)


if __name__ == "__main__":
    main()
