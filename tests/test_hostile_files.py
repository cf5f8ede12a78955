"""Hostile and broken files: cut exports import nobody, recruit lists run no formulas.

Real fixture exports are cut at many offsets and imported into a real study;
recruit lists with formula-shaped names, emails and phones are written as CSV
and XLSX and read back with the csv module and openpyxl.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from pathlib import Path

import pytest

from ideation.errors import IdeationError
from ideation.files import WriteError
from ideation.live.plan import PlanError, parse_plan
from ideation.paths import shipped_file
from ideation.screening.pipeline import assess, import_responses, register_screener
from ideation.screening.recruits import RecruitError, write_recruits
from ideation.screening.responses import ResponseFileError, read_responses
from ideation.screening.responses import decoding as responses_module
from ideation.screening.screener_yaml import ScreenerError, load_screener
from ideation.sheets import needs_formula_guard
from ideation.store import Store
from ideation.yamlfile import YamlFileError, load_source

DATA = Path(__file__).parent / "data"
SCREENER = load_screener(shipped_file("screeners", "home-coffee.yaml"))
HEADER_ROWS = {"plain": 1, "qualtrics-legacy": 2, "surveymonkey": 2, "qualtrics": 3}
GOOD_EXPORTS = [
    "plain.csv",
    "plain_bom.csv",
    "plain_cp1252.csv",
    "qualtrics_home_coffee.csv",
    "qualtrics_legacy.csv",
    "surveymonkey.csv",
]


# --------------------------------------------------------------------------- cut files


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def record_ends(raw: bytes) -> list[tuple[int, int]]:
    """(byte offset just after its line break, cell count) of every non-blank CSV record."""
    line_ends = [i + 1 for i, byte in enumerate(raw) if byte == 0x0A]
    reader = csv.reader(io.StringIO(decode(raw), newline=""))
    return [(line_ends[reader.line_num - 1], len(cells)) for cells in reader if any(cells)]


def allowed_counts(raw: bytes, cut: int, fmt: str) -> set[int]:
    """What a file cut at `cut` may import: nobody, or exactly the rows it holds whole.

    A row is whole when its line break survived (a CR of CRLF is enough). In a
    plain file a last row without a line break but with as many cells as the
    header row is whole too (spreadsheets write no final line break).
    """
    records = record_ends(raw)
    header_cells = records[0][1]
    data = records[HEADER_ROWS[fmt] :]
    whole = sum(end - (raw[end - 2 : end] == b"\r\n") <= cut for end, _ in data)
    counts = {0, whole}
    if fmt == "plain" and whole < len(data):
        partial = list(csv.reader(io.StringIO(decode(raw[:cut]), newline="")))
        if partial and len(partial[-1]) >= header_cells:
            counts.add(whole + 1)
    return counts


def offsets(raw: bytes, fmt: str) -> list[int]:
    """Every offset near a row's end (where cuts are subtle), and a spread between."""
    near = {
        end + delta for end, _ in record_ends(raw)[HEADER_ROWS[fmt] :] for delta in (-3, -2, -1, 0)
    }
    spread = set(range(0, len(raw), max(len(raw) // 25, 1)))
    return sorted(n for n in near | spread if 0 <= n < len(raw))


@pytest.mark.parametrize("name", GOOD_EXPORTS)
def test_a_cut_export_imports_nobody_or_only_whole_rows(name: str, tmp_path: Path) -> None:
    raw = (DATA / name).read_bytes()
    full = read_responses(DATA / name, SCREENER.questions)
    assert len(full.rows) >= 2
    for cut in offsets(raw, full.format):
        path = tmp_path / f"cut-{cut}-{name}"
        path.write_bytes(raw[:cut])
        with Store(tmp_path / f"cut-{cut}.db") as store:
            try:
                import_responses(store, SCREENER, path)
            except ResponseFileError as error:
                assert "\n" not in str(error)
            stored = len(store.respondents(register_screener(store, SCREENER).id))
        assert stored in allowed_counts(raw, cut, full.format), (cut, raw[max(cut - 30, 0) : cut])


@pytest.mark.parametrize("name", GOOD_EXPORTS)
def test_a_cut_inside_the_header_rows_is_refused_not_read_as_no_respondents(
    name: str, tmp_path: Path
) -> None:
    """Cut in its header, a Qualtrics export can pass for the legacy layout with nobody
    in it: "0 new respondents" would hide that the file is broken."""
    raw = (DATA / name).read_bytes()
    first_data = record_ends(raw)[
        HEADER_ROWS[read_responses(DATA / name, SCREENER.questions).format] - 1
    ][0]
    for cut in range(40, first_data - 1, max(first_data // 12, 1)):
        if raw[cut - 1 : cut] in (b"\n", b"\r"):
            continue  # whole header rows: a survey with nobody in it yet is a real export
        path = tmp_path / f"head-{cut}-{name}"
        path.write_bytes(raw[:cut])
        with pytest.raises(ResponseFileError) as refused:  # cut off, or an open quote
            read_responses(path, SCREENER.questions)
        assert "\n" not in str(refused.value)


def test_cut_after_a_rating_grid_refuses_the_file_and_the_whole_file_imports_later(
    tmp_path: Path,
) -> None:
    raw = (DATA / "qualtrics_home_coffee.csv").read_bytes()
    person = raw.index(b"R_5BoTtYfArMfR9q3")
    grid_end = raw.index(b",Disagree,", person) + len(b",Disagree")  # the grid's last item
    cut = tmp_path / "export.csv"
    cut.write_bytes(raw[:grid_end])
    with Store(tmp_path / "study.db") as store:
        with pytest.raises(ResponseFileError, match=r"export.csv:\d+: .*cut off") as caught:
            import_responses(store, SCREENER, cut)
        assert "\n" not in str(caught.value)
        assert store.respondents(register_screener(store, SCREENER).id) == []

        summary = import_responses(store, SCREENER, DATA / "qualtrics_home_coffee.csv")
        assert (summary.added, summary.already) == (6, 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'id,age,mug_uses\nA1,29,"pen', "expected a closing quote"),
        (b"id,age,gender\nA1,29,Man\nA2,31", "expected 3 cells like the rows above, got 2"),
        (b"id,age,gender\nA1,29,Man\n,,", "expected a whole row, got empty cells only"),
        ("id,age,gender\nA1,29,Zoë".encode()[:-1], "got half of one"),
    ],
)
def test_truncation_shapes_are_one_line_errors(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "cut.csv"
    path.write_bytes(content)
    with pytest.raises(ResponseFileError, match=message) as caught:
        read_responses(path, SCREENER.questions)
    assert "\n" not in str(caught.value)


def test_a_complete_plain_file_needs_no_final_line_break(tmp_path: Path) -> None:
    path = tmp_path / "sheets.csv"
    path.write_bytes(b"id,age,gender\nA1,29,Man\nA2,31,Woman")
    assert len(read_responses(path, SCREENER.questions).rows) == 2


# --------------------------------------------------------------------------- limits


def test_absurd_width_is_refused_before_matching(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(20_000)) + "\n" + "1," * 19_999 + "1\n")
    with pytest.raises(ResponseFileError) as caught:
        read_responses(path, SCREENER.questions)
    assert str(caught.value) == "wide.csv:1: expected at most 2,000 cells in a row, got 20,000"


def test_absurd_cells_and_files_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.csv"
    path.write_text("id,mug_uses\nA," + "x" * (responses_module.MAX_CELL_CHARS + 1) + "\n")
    with pytest.raises(ResponseFileError, match="big.csv:2: expected cells under 1024 KiB"):
        read_responses(path, SCREENER.questions)
    monkeypatch.setattr(responses_module, "MAX_FILE_BYTES", 1024)
    with pytest.raises(ResponseFileError, match="big.csv:1: expected a screener export under"):
        read_responses(path, SCREENER.questions)


# --------------------------------------------------------------------------- recruit lists

HOSTILE = {
    "name": '=HYPERLINK("http://x","click")',
    "email": "=cmd|' /C calc'!A0",
    "phone": "+44 7700 900123",
}


@pytest.fixture
def hostile_study(tmp_path: Path, fake_embedder: object) -> tuple[Store, object]:
    path = tmp_path / "hostile.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "email", "phone", "How old are you?", "gender"])
        writer.writerow(
            ["@SUM(A1)", HOSTILE["name"], HOSTILE["email"], HOSTILE["phone"], 30, "Man"]
        )
        writer.writerow(["-2+3", "Ann", "ann@example.com", "07700 900001", 41, "Woman"])
    store = Store(tmp_path / "study.db")
    import_responses(store, SCREENER, path)
    return store, assess(store, SCREENER, fake_embedder)


def test_csv_recruit_list_has_no_live_formula(hostile_study: tuple, tmp_path: Path) -> None:
    store, assessment = hostile_study
    out = tmp_path / "recruits.csv"
    write_recruits(store, SCREENER, assessment, out, include_contacts=True)
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if needs_formula_guard(cell)]
    assert "'" + HOSTILE["name"] in cells and "'" + HOSTILE["email"] in cells
    assert "'+44 7700 900123" in cells  # readable, and a text cell, not a formula
    assert "'@SUM(A1)" in cells and "'-2+3" in cells
    assert "07700 900001" in cells


def test_csv_recruit_list_carries_no_terminal_escapes(
    tmp_path: Path, fake_embedder: object
) -> None:
    """A name or an answer with an escape sequence (typed, or pasted from a terminal)
    must not clear the screen of whoever `cat`s or `head`s the exported list."""
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "email", "phone", "How old are you?", "gender"])
        writer.writerow(["R\x1b[2J1", "Esc\x1b[2JClear\x9b31m", "e@example.com", "", 30, "Man"])
    with Store(tmp_path / "study.db") as store:
        import_responses(store, SCREENER, path)
        assessment = assess(store, SCREENER, fake_embedder)
        out = tmp_path / "recruits.csv"
        write_recruits(store, SCREENER, assessment, out, include_contacts=True)
    text = out.read_text(encoding="utf-8-sig")
    assert not [ch for ch in text if ch not in "\r\n\t" and (ord(ch) < 32 or 127 <= ord(ch) < 160)]
    assert "Esc[2JClear31m" in text and "R[2J1" in text


def test_xlsx_recruit_list_is_a_workbook_with_text_cells(
    hostile_study: tuple, tmp_path: Path
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    store, assessment = hostile_study
    out = tmp_path / "recruits.xlsx"
    write_recruits(store, SCREENER, assessment, out, include_contacts=True)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Recruits", "Explanations"]
    sheet = book["Recruits"]
    header = [cell.value for cell in sheet[1]]
    assert "quota: age band" in header and "quota: gender" in header
    assert header[-3:] == ["name", "email", "phone"]
    cells = {cell.value: cell for row in sheet.iter_rows(min_row=2) for cell in row}
    for value in (*HOSTILE.values(), "@SUM(A1)", "-2+3"):
        assert cells[value].data_type == "s" and cells[value].quotePrefix, value
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    explanations = book["Explanations"]
    assert explanations.max_row == len(assessment.candidates) + 1
    assert all(HOSTILE["email"] not in str(c.value) for c in explanations["B"])  # no contacts


def test_recruit_list_modes_follow_contacts(hostile_study: tuple, tmp_path: Path) -> None:
    store, assessment = hostile_study
    old = os.umask(0o022)
    try:
        for suffix in ("csv", "xlsx"):
            private = tmp_path / f"with-contacts.{suffix}"
            public = tmp_path / f"without.{suffix}"
            private.write_text("old, shared by mistake")
            private.chmod(0o644)
            write_recruits(store, SCREENER, assessment, private, include_contacts=True)
            write_recruits(store, SCREENER, assessment, public)
            assert private.stat().st_mode & 0o777 == 0o600
            assert public.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old)


def test_unknown_suffix_is_one_line_and_writes_nothing(
    hostile_study: tuple, tmp_path: Path
) -> None:
    store, assessment = hostile_study
    before = set(tmp_path.iterdir())
    for name in ("recruits.txt", "recruits"):
        with pytest.raises(WriteError, match=r"name it \.csv or \.xlsx") as caught:
            write_recruits(store, SCREENER, assessment, tmp_path / name)
        assert "\n" not in str(caught.value)
    assert set(tmp_path.iterdir()) == before


def test_temporary_file_is_exclusive_and_cleaned_up(hostile_study: tuple, tmp_path: Path) -> None:
    store, assessment = hostile_study
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out_dir / ".recruits.csv.tmp").symlink_to(victim)  # the old fixed temporary name
    write_recruits(store, SCREENER, assessment, out_dir / "recruits.csv", include_contacts=True)
    assert victim.read_text() == "keep me"
    assert sorted(p.name for p in out_dir.iterdir()) == [".recruits.csv.tmp", "recruits.csv"]


# --------------------------------------------------------------------------- YAML and plans


def plan_with(extra: str) -> str:
    return (
        "name: x\nbrief:\n  problem_as_given: p\nagenda:\n"
        "  - title: a\n    technique: warm_up\n    minutes: 5\n" + extra
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: &a x\nbrief: &a {problem_as_given: p}\nagenda: []\n",
            "x.yaml:2: (yaml): anchor &a is defined again (first on line 1)",
        ),
        (
            "name: x\nbrief: &x {<<: *x}\nagenda: []\n",
            "x.yaml:2: (yaml): alias *x is used inside the value of its own anchor &x",
        ),
        (
            "name: x\nbrief: &x\n  problem_as_given: p\n  more: [*x]\nagenda: []\n",
            "x.yaml:4: (yaml): alias *x is used inside the value of its own anchor &x",
        ),
    ],
)
def test_anchor_misuse_is_one_line_and_prints_nothing(
    text: str, expected: str, capfd: pytest.CaptureFixture[str]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # let any warning through to stderr
        with pytest.raises(PlanError) as caught:
            parse_plan(text, "x.yaml")
    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value)
    assert capfd.readouterr().err == ""


def test_anchors_used_properly_still_work() -> None:
    text = (
        "name: x\nbrief: {problem_as_given: p}\nagenda:\n"
        "  - &base {title: a, technique: warm_up, minutes: 5}\n"
        "  - {<<: *base, title: b, technique: purge}\n"
    )
    assert [item.title for item in parse_plan(text, "x.yaml").agenda] == ["a", "b"]


def test_no_yaml_tag_runs_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    for tag in ("!!python/object/apply:os.system", "!!python/object/new:os.system"):
        text = plan_with(f"x: {tag} ['touch {marker}']\n")
        with pytest.raises(PlanError) as caught:
            parse_plan(text, "x.yaml")
        assert "\n" not in str(caught.value)
    load_source(f"x: !!python/object/apply:os.system ['touch {marker}']\n", "x.yaml")
    assert not marker.exists()


def test_a_key_with_a_newline_still_gives_one_line() -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan(plan_with('"a\\nb": 1\n'), "x.yaml")
    assert "\n" not in str(caught.value)


def test_minutes_under_one_are_refused() -> None:
    text = plan_with("").replace("minutes: 5", "minutes: 0.001")
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "x.yaml")
    assert str(caught.value) == (
        "x.yaml:7: agenda[0].minutes: expected a number of minutes, "
        "at least 1 and at most 480, got 0.001"
    )


# --------------------------------------------------------------------------- one family


@pytest.mark.parametrize(
    "error",
    [YamlFileError, PlanError, ScreenerError, ResponseFileError, WriteError, RecruitError],
)
def test_user_errors_are_one_family(error: type[Exception]) -> None:
    assert issubclass(error, IdeationError)
    assert issubclass(error, ValueError)  # callers that still catch ValueError keep working
