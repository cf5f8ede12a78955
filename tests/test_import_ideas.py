"""`ideation import ideas` and `ideation study name`: real files in real encodings, the
whole-file validation, idempotence, and reports that read right for imported sessions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from ideation.analysis.idea_files import MAX_IDEA_CHARS, IdeaFileError, read_idea_file
from ideation.analysis.importing import import_ideas
from ideation.cli import cli
from ideation.store import Store

BOARD = [
    ("Idea", "Author", "Section", "Created"),
    ("Compostable café pods – no plastic", "Maya", "Purge", "2024-03-14T16:02:00Z"),
    ("Refill station in the supermarket", "Jon", "Purge", "2024-03-14T16:05:30Z"),
    ("Coffee grounds as fertiliser", "Maya", "Springboards", "2024-03-14T16:20:00Z"),
]
TEXTS = [row[0] for row in BOARD[1:]]


def invoke(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def write_table(path: Path, rows: list[tuple[str, ...]], delimiter: str, encoding: str) -> Path:
    text = "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def texts_in(db: Path) -> list[str]:
    with Store(db) as store:
        return [i.text for s in store.sessions() for i in store.idea_rows(s.id)]


# -- formats and encodings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "delimiter", "encoding", "bom"),
    [
        ("board.csv", ",", "utf-8", b""),
        ("board.csv", ",", "utf-8", b"\xef\xbb\xbf"),
        ("board.txt", "\t", "utf-16-le", b"\xff\xfe"),  # Excel's "Unicode text"
        ("board.csv", ";", "cp1252", b""),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-tab", "cp1252-semicolon"],
)
def test_each_encoding_imports_the_same_ideas(
    tmp_path: Path, db_path: Path, name: str, delimiter: str, encoding: str, bom: bytes
) -> None:
    path = tmp_path / name
    body = "\r\n".join(delimiter.join(row) for row in BOARD) + "\r\n"
    path.write_bytes(bom + body.encode(encoding))
    code, output = invoke("import", "ideas", path, "--db", db_path)
    assert code == 0, output
    assert "3 new, 0 already imported" in output
    assert texts_in(db_path) == TEXTS
    with Store(db_path) as store:
        (session,) = store.sessions()
        assert session.imported_from == name and session.name == "board"
        assert [p.label for p in store.participants(session.id)] == ["Maya", "Jon"]
        assert [p.title for p in store.phases(session.id)] == ["Purge", "Springboards"]


def test_xlsx_first_sheet_or_named_sheet_with_dates_kept(tmp_path: Path, db_path: Path) -> None:
    book = Workbook()
    first = book.active
    first.title = "Notes"
    first.append(["Nothing", "to", "see"])
    first.append(["a", "b", "c"])
    ideas = book.create_sheet("Ideas")
    ideas.append(["Sticky note", "Who", "Created at"])
    ideas.append(['=HYPERLINK("http://x")', "Ana", datetime(2024, 5, 3, 10, 15)])
    ideas.append(["Pods that grow herbs", "Ben", 45415.5])  # an Excel serial: 2024-05-03 12:00
    ideas.cell(row=2, column=1).data_type = "s"  # typed as text, not a formula
    path = tmp_path / "board.xlsx"
    book.save(path)

    code, output = invoke("import", "ideas", path, "--db", db_path)
    assert code == 2 and "board.xlsx" in output and "idea text" in output  # first sheet
    code, output = invoke("import", "ideas", path, "--sheet", "ideas", "--db", db_path)
    assert code == 0, output
    with Store(db_path) as store:
        rows = store.idea_rows(store.sessions()[0].id)
    assert [r.text for r in rows] == ['=HYPERLINK("http://x")', "Pods that grow herbs"]
    assert rows[0].created_at == datetime(2024, 5, 3, 10, 15).timestamp()
    assert rows[1].created_at == datetime(2024, 5, 3, 12, 0).timestamp()


def test_text_and_markdown_lists_one_idea_per_line_or_bullet(tmp_path: Path) -> None:
    markdown = tmp_path / "stickies.md"
    markdown.write_text(
        "---\ntitle: Workshop B\n---\n# Ideas from the wall\n\n"
        "- Refill pods\n  that are compostable\n* [ ] A subscription\n"
        "- [x] Cups that fold\n1. Cheaper beans\n2) Grinder hire\n\nSetext heading\n---\n"
        "+ Barista lessons\n",
        encoding="utf-8",
    )
    read = read_idea_file(markdown)
    assert [row.text for row in read.rows] == [
        "Refill pods that are compostable",
        "A subscription",
        "Cups that fold",
        "Cheaper beans",
        "Grinder hire",
        "Barista lessons",
    ]
    plain = tmp_path / "lines.txt"
    plain.write_text("\n  first idea  \n\nsecond, with a comma\n", encoding="utf-8")
    assert [row.text for row in read_idea_file(plain).rows] == [
        "first idea",
        "second, with a comma",
    ]
    assert [row.row for row in read_idea_file(plain).rows] == [2, 4]


# -- columns ---------------------------------------------------------------------------------


def test_columns_matched_by_name_and_overridden(tmp_path: Path) -> None:
    path = write_table(
        tmp_path / "mural.csv",
        [
            (
                "ID",
                "Sticky Note",
                "Comment",
                "Created by",
                "Frame",
                "Created at (UTC)",
                "Builds on",
            ),
            ("a1", "Pods", "x", "Maya", "Purge", "2024-03-14 16:02", ""),
            ("a2", "Pods that compost", "y", "Jon", "Purge", "2024-03-14 16:03", "a1"),
        ],
        ",",
        "utf-8",
    )
    read = read_idea_file(path)
    assert dict(read.columns) == {
        "text": "Sticky Note",
        "participant": "Created by",
        "phase": "Frame",
        "created": "Created at (UTC)",
        "builds_on": "Builds on",
        "id": "ID",
    }
    assert read.ignored == ("Comment",)
    assert read.rows[1].builds_on == 0
    assert read.rows[0].created == datetime(2024, 3, 14, 16, 2).timestamp()
    override = read_idea_file(path, columns={"text": " comment "})
    assert [row.text for row in override.rows] == ["x", "y"]
    with pytest.raises(IdeaFileError, match=r'--column text= expected a header .*"Nope"'):
        read_idea_file(path, columns={"text": "Nope"})


def test_build_on_by_row_number_is_stored_as_a_link(tmp_path: Path, store: Store) -> None:
    path = write_table(
        tmp_path / "links.csv",
        [("idea", "builds_on"), ("later one", "3"), ("base", ""), ("middle", "2")],
        ",",
        "utf-8",
    )
    result = import_ideas(store, path)
    rows = {i.text: i for i in store.idea_rows(result.session.id)}
    assert rows["later one"].builds_on == rows["base"].id  # row 2 builds on row 3
    assert rows["middle"].builds_on == rows["later one"].id


# -- timestamps ------------------------------------------------------------------------------


def test_timestamps_kept_in_every_form(tmp_path: Path) -> None:
    path = write_table(
        tmp_path / "times.csv",
        [
            ("idea", "time"),
            ("iso zulu", "2024-03-14T16:02:00Z"),
            ("iso offset", "2024-03-14T17:02:00+01:00"),
            ("day first", "25/03/2024 09:30"),
            ("dotted", "05.03.2024 14:00"),
            ("worded", "14 March 2024 16:02"),
            ("blank", ""),
        ],
        ",",
        "utf-8",
    )
    read = read_idea_file(path)
    times = [row.created for row in read.rows]
    utc = datetime(2024, 3, 14, 16, 2, tzinfo=UTC).timestamp()
    assert times[:2] == [utc, utc]
    assert times[2] == datetime(2024, 3, 25, 9, 30).timestamp()
    assert times[3] == datetime(2024, 3, 5, 14, 0).timestamp()
    assert times[4] == datetime(2024, 3, 14, 16, 2).timestamp()
    assert times[5] is None
    assert read.dates == "dmy"


def test_ambiguous_slashed_dates_need_an_order(tmp_path: Path, db_path: Path) -> None:
    path = write_table(
        tmp_path / "us.csv",
        [("idea", "date"), ("one", "05/03/2024 2:15 PM"), ("two", "05/04/2024 9:00 AM")],
        ",",
        "utf-8",
    )
    code, output = invoke("import", "ideas", path, "--db", db_path)
    assert code == 2 and output.count("\n") == 1
    assert 'us.csv: row 2, column "date"' in output
    assert "5 March or 3 May" in output and "--dates" in output
    assert not db_path.exists() or texts_in(db_path) == []
    code, output = invoke("import", "ideas", path, "--dates", "mdy", "--db", db_path)
    assert code == 0, output
    with Store(db_path) as store:
        first = store.idea_rows(store.sessions()[0].id)[0]
    assert first.created_at == datetime(2024, 5, 3, 14, 15).timestamp()


# -- the whole file first -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "where", "expected"),
    [
        (["idea,who", "fine,Ana", " ,Ben"], 'row 3, column "idea"', "got a blank cell"),
        (
            ["idea,created", "fine,2024-03-14 10:00", "bad,yesterday"],
            'row 3, column "created"',
            'got "yesterday"',
        ),
        (
            ["idea,builds on", "fine,", "lost,7"],
            'row 3, column "builds on"',
            'the row number of another idea, got "7"',
        ),
        (
            ["idea,created", "fine,14/03/2024", "bad,31/02/2024"],
            'row 3, column "created"',
            'got "31/02/2024"',
        ),
        (
            ["idea,who", "x" * (MAX_IDEA_CHARS + 1) + ",Ana"],
            'row 2, column "idea"',
            f"at most {MAX_IDEA_CHARS:,} characters",
        ),
        (["idea,who,phase", "fine,Ana,Purge", "cut,Be"], "row 3", "the file looks cut off"),
        (["idea,who", "fine,Ana", '"cut off in a quote,Ben'], "row 3", "closing quote"),
        (["note,who", "fine,Ana,extra"], "row 2", "at most 2 cells"),
        (["who,when", "Ana,now"], "row 1", "expected a column for the idea text"),
    ],
    ids=[
        "empty-text",
        "bad-time",
        "builds-on-nowhere",
        "impossible-date",
        "too-long",
        "cut-last-row",
        "cut-in-quote",
        "extra-cells",
        "no-text-column",
    ],
)
def test_a_bad_row_names_row_and_column_and_imports_nothing(
    tmp_path: Path, db_path: Path, lines: list[str], where: str, expected: str
) -> None:
    invoke(
        "import", "ideas", write_table(tmp_path / "ok.csv", BOARD, ",", "utf-8"), "--db", db_path
    )
    before = texts_in(db_path)
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    code, output = invoke("import", "ideas", path, "--session", "1", "--db", db_path)
    assert code == 2, output
    assert output.count("\n") == 1
    assert f"bad.csv: {where}" in output and expected in output and "nothing imported" in output
    assert texts_in(db_path) == before


def test_a_first_sheet_without_ideas_names_the_sheet_and_the_others(
    tmp_path: Path, db_path: Path
) -> None:
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Idea"])  # a header and nothing below it
    book.create_sheet("Cover")
    ideas = book.create_sheet("My ideas")
    ideas.append(["Idea"])
    ideas.append(["Refill pods"])
    path = tmp_path / "workshop.xlsx"
    book.save(path)
    code, output = invoke("import", "ideas", path, "--db", db_path)
    assert code == 2 and output.count("\n") == 1, output
    assert "row 1" not in output
    assert (
        'workshop.xlsx: sheet "Notes" has no ideas (a header row, then one per row);'
        ' the workbook also has sheets "Cover", "My ideas": use --sheet \'My ideas\'' in output
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["missing.csv"], "missing.csv: expected a readable file"),
        (["board.csv", "--sheet", "Ideas"], "board.csv: --sheet names a sheet of an XLSX"),
        (["board.xlsx", "--sheet", "Nope"], "board.xlsx: expected --sheet to name one"),
        (["empty.csv"], "empty.csv: expected a header row"),
    ],
    ids=["missing", "sheet-of-csv", "wrong-sheet", "empty"],
)
def test_whole_file_problems_name_no_row(
    tmp_path: Path, db_path: Path, args: list[str], expected: str
) -> None:
    write_table(tmp_path / "board.csv", BOARD, ",", "utf-8")
    (tmp_path / "empty.csv").write_text("\n", encoding="utf-8")
    book = Workbook()
    book.active.append(["idea"])
    book.active.append(["Refill pods"])
    book.save(tmp_path / "board.xlsx")
    code, output = invoke("import", "ideas", tmp_path / args[0], *args[1:], "--db", db_path)
    assert code == 2 and output.count("\n") == 1, output
    assert expected in output and "row 1" not in output and "(file)" not in output


@pytest.mark.parametrize(
    "header",
    ["Idée", "idee", "Ideas", "Texto", "Text", "Idee", "内容", "アイデア"],
)
def test_common_headers_in_other_languages_name_the_text(tmp_path: Path, header: str) -> None:
    path = tmp_path / "board.csv"
    path.write_text(f"Nr,{header}\n1,Kaffeesatz als Dünger\n", encoding="utf-8")
    read = read_idea_file(path)
    assert [row.text for row in read.rows] == ["Kaffeesatz als Dünger"]
    assert dict(read.columns)["text"] == header


def test_half_a_character_at_the_end_is_a_cut_file(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_bytes("idea\nfine\ncafé".encode()[:-1])
    with pytest.raises(IdeaFileError, match=r"cut.csv: row 3: .*half of one"):
        read_idea_file(path)


def test_an_unknown_phase_is_refused_for_a_live_session(tmp_path: Path, store: Store) -> None:
    live = store.create_session(
        "Live", None, [{"title": "Purge", "technique": "purge", "planned_seconds": 600}], []
    )
    path = write_table(
        tmp_path / "b.csv", [("idea", "phase"), ("x", "Purge"), ("y", "Warm-up")], ",", "utf-8"
    )
    with pytest.raises(IdeaFileError, match=r'row 3, column "phase": expected a phase of session'):
        import_ideas(store, path, session=str(live.id))
    assert store.count_ideas(live.id) == 0
    fine = write_table(tmp_path / "c.csv", [("idea",), ("x",), ("y",)], ",", "utf-8")
    import_ideas(store, fine, session="Live", phase="purge")
    assert {i.phase_id for i in store.idea_rows(live.id)} == {store.phases(live.id)[0].id}


# -- once --------------------------------------------------------------------------------------


def test_importing_twice_adds_nothing_and_a_longer_export_adds_the_rest(
    tmp_path: Path, db_path: Path
) -> None:
    path = write_table(tmp_path / "board.csv", [*BOARD, BOARD[1]], ",", "utf-8")  # a repeat
    code, output = invoke("import", "ideas", path, "--session", "Board A", "--db", db_path)
    assert code == 0 and "4 new, 0 already imported" in output
    code, output = invoke("import", "ideas", path, "--db", db_path)  # same bytes, same session
    assert code == 0 and "“Board A”: 0 new, 4 already imported" in output
    longer = write_table(
        tmp_path / "board.csv", [*BOARD, BOARD[1], ("Grinder hire", "Jon", "", "")], ",", "utf-8"
    )
    code, output = invoke("import", "ideas", longer, "--session", "Board A", "--db", db_path)
    assert code == 0 and "1 new, 4 already imported" in output
    with Store(db_path) as store:
        (session,) = store.sessions()
        assert store.count_ideas(session.id) == 5
        assert [i.seq for i in store.idea_rows(session.id)] == [1, 2, 3, 4, 5]


def test_a_longer_export_under_a_new_file_name_adds_only_its_new_rows(
    tmp_path: Path, db_path: Path
) -> None:
    """Browsers rename downloads ("board (1).csv"): rows are recognised by content."""
    write_table(tmp_path / "miro_board.csv", BOARD, ",", "utf-8")
    code, output = invoke("import", "ideas", tmp_path / "miro_board.csv", "--db", db_path)
    assert code == 0 and "3 new, 0 already imported" in output
    extra = ("Grinder hire", "Jon", "Purge", "2024-03-14T16:30:00Z")
    renamed = write_table(tmp_path / "board (1).csv", [*BOARD, extra], ",", "utf-8")
    code, output = invoke("import", "ideas", renamed, "--db", db_path)
    assert code == 0, output
    assert "“miro_board”: 1 new, 3 already imported (session 'miro_board')" in output
    code, output = invoke("import", "ideas", renamed, "--session", "Other", "--db", db_path)
    assert "0 new, 4 already imported (session 'miro_board')" in output
    with Store(db_path) as store:
        assert len(store.sessions()) == 1  # no empty session for a file with nothing new
    assert texts_in(db_path) == [*TEXTS, "Grinder hire"]


def test_ten_thousand_lines_import(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "big.txt"
    path.write_text("".join(f"- idea number {n}\n" for n in range(10_000)), encoding="utf-8")
    result = import_ideas(store, path)
    assert result.added == 10_000 and store.count_ideas(result.session.id) == 10_000
    assert import_ideas(store, path).added == 0


# -- exports and reports ---------------------------------------------------------------------


def test_formula_ideas_stored_verbatim_and_guarded_on_export(tmp_path: Path, db_path: Path) -> None:
    path = write_table(
        tmp_path / "evil.csv", [("idea",), ("=cmd|' /C calc'!A0",), ("@SUM(1)",)], ",", "utf-8"
    )
    assert invoke("import", "ideas", path, "--db", db_path)[0] == 0
    assert texts_in(db_path) == ["=cmd|' /C calc'!A0", "@SUM(1)"]
    out = tmp_path / "out.csv"
    assert invoke("export", "1", "--out", out, "--db", db_path)[0] == 0
    exported = out.read_text(encoding="utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in exported.replace('"', "") and "'@SUM(1)" in exported


def test_report_of_an_imported_session_claims_no_timings(tmp_path: Path, db_path: Path) -> None:
    path = write_table(tmp_path / "board.csv", BOARD, ",", "utf-8")
    assert invoke("import", "ideas", path, "--db", db_path)[0] == 0
    html, md, js = tmp_path / "r.html", tmp_path / "r.md", tmp_path / "r.json"
    for out in (html, md, js):
        code, output = invoke("export", "board", "--out", out, "--db", db_path)
        assert code == 0, output
    for report in (html.read_text(), md.read_text()):
        assert "Imported from board.csv" in report
        for claim in ("No ideas captured", "Agenda as run", "Ideas per minute", "0 min", "−"):
            assert claim not in report
    assert "Ideas per phase" in html.read_text()  # the phases the file named still count
    (session,) = json.loads(js.read_text())["sessions"]
    assert session["agenda"] == [] and session["ideas_per_minute"] == []
    assert session["imported_from"] == "board.csv"


def test_study_name_and_description_title_the_reports(tmp_path: Path, db_path: Path) -> None:
    path = write_table(tmp_path / "board.csv", BOARD, ",", "utf-8")
    assert invoke("import", "ideas", path, "--db", db_path)[0] == 0
    html = tmp_path / "r.html"
    invoke("export", "1", "--out", html, "--db", db_path)
    assert "<title>study</title>" in html.read_text()  # the file's name until named
    code, output = invoke("study", "name", "--db", db_path)
    assert code == 0 and "no name" in output
    code, output = invoke(
        "study",
        "name",
        "Brewline <b>at home</b>",
        "--description",
        "Three boards, May",
        "--db",
        db_path,
    )
    assert code == 0, output
    code, output = invoke("study", "name", "--db", db_path)
    assert output.splitlines() == ["Brewline <b>at home</b>", "Three boards, May"]
    invoke("export", "1", "--out", html, "--db", db_path)
    page = html.read_text()
    assert "<title>Brewline &lt;b&gt;at home&lt;/b&gt;</title>" in page
    assert (
        '<h1 dir="auto">Brewline &lt;b&gt;at home&lt;/b&gt;</h1>'
        '<p class="sub" dir="auto">Three boards, May</p>' in page
    )
    md = tmp_path / "r.md"
    invoke("export", "1", "--out", md, "--db", db_path)
    assert md.read_text().startswith("# Brewline \\<b\\>at home\\</b\\>\n\nThree boards, May\n")
    assert invoke("study", "name", "   ", "--db", db_path)[0] == 2


def test_column_option_and_a_cut_workbook_on_the_command_line(
    tmp_path: Path, db_path: Path
) -> None:
    path = write_table(
        tmp_path / "menti.csv", [("Question", "Response"), ("q", "Refill")], ",", "utf-8"
    )
    code, output = invoke("import", "ideas", path, "--column", "text=response", "--db", db_path)
    assert code == 0 and "text='Response'" in output, output
    assert texts_in(db_path) == ["Refill"]
    code, output = invoke("import", "ideas", path, "--column", "colour=Response", "--db", db_path)
    assert code == 2 and "--column expected FIELD=HEADER" in output
    book = Workbook()
    book.active.append(["idea"])
    book.active.append(["Refill pods"])
    whole = tmp_path / "whole.xlsx"
    book.save(whole)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[:-200])
    code, output = invoke("import", "ideas", cut, "--db", db_path)
    assert code == 2 and output.count("\n") == 1 and "cut.xlsx: expected an Excel" in output
    assert texts_in(db_path) == ["Refill"]
