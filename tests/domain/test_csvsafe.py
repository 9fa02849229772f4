"""CSV exports: formula injection neutralised, Dutch Excel format."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from portal.domain.csvsafe import BOM, neutralise, rows_to_csv


@pytest.mark.parametrize("cell", [
    "=1+1",
    '=HYPERLINK("http://evil.example","klik")',
    "+31 6 12345678",
    "-2+3",
    "-12",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
])
def test_dangerous_text_gets_a_leading_apostrophe(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Lindelaan 12a", "", "a=b", " =1+1", "12", "€ 45,50", "'quoted", "Zoë 🙂"])
def test_harmless_text_is_unchanged(cell):
    assert neutralise(cell) == cell


@pytest.mark.parametrize(("cell", "expected"), [
    (None, ""),
    (12, "12"),
    (-12, "-12"),
    (0, "0"),
    (True, "1"),
    (False, "0"),
    (Decimal("-45.50"), "-45,50"),
    (Decimal("1234.56"), "1234,56"),
    (Decimal("12"), "12"),
    (-1.5, "-1,5"),
    (date(2026, 11, 25), "2026-11-25"),
    (datetime(2026, 11, 25, 9, 30, tzinfo=UTC), "2026-11-25T09:30:00+00:00"),
])
def test_numbers_and_dates_are_written_as_values(cell, expected):
    assert neutralise(cell) == expected


@pytest.mark.parametrize(("cell", "expected"), [
    (Decimal("-Infinity"), "'-Infinity"),
    (float("-inf"), "'-inf"),
    (Decimal("NaN"), "NaN"),
])
def test_non_finite_numbers_are_text(cell, expected):
    assert neutralise(cell) == expected


def test_other_objects_are_neutralised_as_text():
    class Sneaky:
        def __str__(self):
            return "=cmd|' /C calc'!A0"

    assert neutralise(Sneaky()) == "'=cmd|' /C calc'!A0"


def test_csv_has_bom_semicolons_and_crlf():
    text = rows_to_csv(["bestand", "bedrag", "datum"], [["a.pdf", Decimal("45.50"), date(2026, 11, 25)]])
    assert text == "\ufeffbestand;bedrag;datum\r\na.pdf;45,50;2026-11-25\r\n"
    assert text.startswith(BOM)


def test_cells_with_separator_quotes_or_newlines_are_quoted():
    text = rows_to_csv(["note"], [["a;b"], ['say "hi"'], ["line\nbreak"]])
    assert text == '\ufeffnote\r\n"a;b"\r\n"say ""hi"""\r\n"line\nbreak"\r\n'


def test_header_and_rows_are_neutralised():
    text = rows_to_csv(["=kop"], [["=1+1"], [-5], ["-5"]])
    assert text == "\ufeff'=kop\r\n'=1+1\r\n-5\r\n'-5\r\n"


def test_csv_reads_back_with_the_csv_module():
    rows = [["Zoë", "=1+1", Decimal("-3.10")], ["'s-Hertogenbosch", "a;b", None]]
    text = rows_to_csv(["naam", "notitie", "bedrag"], rows)
    parsed = list(csv.reader(io.StringIO(text.removeprefix(BOM), newline=""), delimiter=";"))
    assert parsed == [
        ["naam", "notitie", "bedrag"],
        ["Zoë", "'=1+1", "-3,10"],
        ["'s-Hertogenbosch", "a;b", ""],
    ]


def test_empty_export_is_just_the_header():
    assert rows_to_csv(["a", "b"], []) == "\ufeffa;b\r\n"


def test_row_with_the_wrong_width_is_a_programming_error():
    with pytest.raises(ValueError, match="row 2"):
        rows_to_csv(["a", "b"], [["1", "2"], ["1"]])
