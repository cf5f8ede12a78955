"""The one CSV record loop both importers read with (`ideation.sheets.csv_records`).

Its promises: each record comes with the file line it starts on (quoted cells may
span lines, blank lines are skipped), a record `csv` cannot read is one `SheetError`
naming that line, and the raised cell-size limit never outlives the reading of a
record, so other CSV reading in the process keeps csv's own limit.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ideation.analysis.idea_files import IdeaFileError, read_idea_file
from ideation.errors import IdeationError
from ideation.screening.responses.decoding import read_records
from ideation.screening.responses.problems import ResponseFileError
from ideation.sheets import SheetError, csv_records

KIB = 1024


def test_records_come_with_the_line_they_start_on() -> None:
    text = 'idea,who\r\n\r\n"two\nlines",Ana\n , \n"three\n\nlines",Ben\nlast,Cy'
    assert list(csv_records(text, ",", 64 * KIB)) == [
        (1, ["idea", "who"]),
        (3, ["two\nlines", "Ana"]),
        (6, ["three\n\nlines", "Ben"]),
        (9, ["last", "Cy"]),
    ]


@pytest.mark.parametrize(
    ("text", "delimiter", "line", "what", "cut_off"),
    [
        (
            'a,b\n"two\nlines",x\n"open,y',
            ",",
            4,
            "expected a closing quote for a cell opened in this row",
            True,
        ),
        (
            'a;b\n\n"quoted" tail;x\n',
            ";",
            3,
            "expected a semicolon after a closing quote (a stray quote in a cell?)",
            False,
        ),
        (
            "a\tb\nok\tok\n" + "x" * (3 * KIB) + "\tb\n",
            "\t",
            3,
            "expected cells under 2 KiB of text",
            False,
        ),
    ],
)
def test_a_record_csv_cannot_read_is_one_error_at_its_first_line(
    text: str, delimiter: str, line: int, what: str, cut_off: bool
) -> None:
    with pytest.raises(SheetError) as caught:
        list(csv_records(text, delimiter, 2 * KIB))
    assert (caught.value.line, caught.value.what, caught.value.cut_off) == (line, what, cut_off)
    assert isinstance(caught.value, IdeationError)


def test_a_cell_over_csvs_own_limit_is_read_up_to_the_given_one() -> None:
    big = "x" * (csv.field_size_limit() + 1)
    assert list(csv_records(f"a,b\n{big},y\n", ",", len(big))) == [(1, ["a", "b"]), (2, [big, "y"])]


def test_the_raised_limit_holds_only_while_a_record_is_read() -> None:
    default = csv.field_size_limit()
    records = csv_records("a,b\n1,2\n3,4\n", ",", 10 * default)
    assert next(records) == (1, ["a", "b"])
    assert csv.field_size_limit() == default  # a caller holding the generator open
    records.close()
    with pytest.raises(SheetError):
        list(csv_records('a,"open', ",", 10 * default))
    assert csv.field_size_limit() == default


# -- each importer keeps its own words and limits -------------------------------------------

PROBLEMS = [
    (
        'idea,who\nfine,Ana\n"multi\nline",Ben\n"cut off in a quote,Ben',
        "row 5: expected a closing quote for a cell opened in this row: the file looks cut off",
        "5: expected a closing quote for a cell opened in this row",
    ),
    (
        'idea;who\nfine;Ana\n"quoted" tail;Ben\n',
        "row 3: expected a semicolon after a closing quote (a stray quote in a cell?)",
        "3: expected a semicolon after a closing quote (a stray quote in a cell?)",
    ),
    (
        "idea,who\nfine,Ana\n" + "x" * (100 * KIB) + ",Ben\n",
        "row 3: expected cells under 64 KiB of text",
        None,  # a screener export allows cells up to a megabyte
    ),
    (
        "idea,who\nfine,Ana\n" + "x" * (1025 * KIB) + ",Ben\n",
        "row 3: expected cells under 64 KiB of text",
        "3: expected cells under 1024 KiB of text",
    ),
]


@pytest.mark.parametrize(("text", "ideas", "responses"), PROBLEMS)
def test_both_importers_name_the_line_in_their_own_words(
    tmp_path: Path, text: str, ideas: str, responses: str | None
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IdeaFileError) as caught:
        read_idea_file(path)
    assert str(caught.value) == f"export.csv: {ideas}; nothing imported"
    if responses is None:
        assert len(read_records(text, "export.csv")) == 3
        return
    with pytest.raises(ResponseFileError) as refused:
        read_records(text, "export.csv")
    assert str(refused.value) == f"export.csv:{responses}"
