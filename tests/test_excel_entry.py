"""The button entry points (RunPython in macros/aeroi.bas) on real workbook files, through the
package side of the reader/writer interface; and the xlwings side driven by a minimal stand-in
(only real Excel can run it: docs/excel-checklist.md)."""
from __future__ import annotations

import hashlib

import pytest

from calculator.errors import CalculatorError
from calculator.excel import entry
from calculator.excel.xlwings_io import OpenWorkbook, as_text_cell
from calculator.workbook.io import PackageWorkbook
from calculator.workbook.writer import write_cells
from calculator.workbook.xlsxpackage import XlsxPackage
from calculator.workbook.template import build_template
from tests.stores import STORE



def test_calculate_book_writes_the_results_of_the_open_workbook(tmp_path):
    book = build_template(tmp_path / "store.xlsm", values=STORE)
    with PackageWorkbook(book) as io:
        status = entry.calculate_book(io)
    assert status.startswith("OK")
    package = XlsxPackage(book)
    assert package.read_name("out_status")[0][0] == status
    assert [row[0] for row in package.read_name("out_results")][1:] == \
        ["baseline", "gsc_rising", "gsc_leap", "shumao", "super_hot"]


def test_calculate_book_lists_every_cell_to_fix_and_writes_nothing(tmp_path):
    book = build_template(tmp_path / "store.xlsx", values=STORE)
    write_cells(book, {"in_gmv_m1": [["lots"]], "in_parcel_weight_g": [[-1]]})
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    with PackageWorkbook(book) as io, pytest.raises(CalculatorError) as raised:
        entry.calculate_book(io)
    message = str(raised.value)
    assert message.startswith("Nothing was calculated; please fix:")
    assert "Inputs!C7 in_gmv_m1" in message and "Inputs!C14 in_parcel_weight_g" in message
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before


def test_run_folder_reports_counts_and_skips_the_workbook_that_pressed_the_button(tmp_path):
    caller = build_template(tmp_path / "caller.xlsm", values=STORE)
    build_template(tmp_path / "north.xlsx", values=STORE)
    bad = build_template(tmp_path / "south.xlsx", values=STORE)
    write_cells(bad, {"in_market": [["XX"]]})
    before = caller.read_bytes()
    text = entry.run_folder_of(tmp_path, exclude=str(caller))
    assert text.startswith("1 of 2 workbook(s) calculated.")
    assert "- south.xlsx:" in text and "in_market" in text
    assert "Summary:" in text
    assert caller.read_bytes() == before            # Excel holds it open: not written


def test_create_template_in_never_overwrites(tmp_path):
    first = entry.create_template_in(tmp_path)
    second = entry.create_template_in(tmp_path, "zh")
    assert (first.name, second.name) == ("aeroi-store-001.xlsx", "aeroi-store-002.xlsx")
    assert XlsxPackage(second).get_name("in_eval_date") is not None


# --- the xlwings side, with the smallest stand-in that answers what OpenWorkbook asks -------------

class _Range:
    """Stands in for an xlwings Range holding a block of values (no Excel here)."""

    def __init__(self, sheet, values, row=1, column=3):
        self.sheet, self.value, self.row, self.column = sheet, values, row, column
        self.address = f"$C${row}"

    def options(self, ndim):
        return self


class _Name:
    def __init__(self, name, target):
        self.name, self.refers_to_range = name, target


class _Book:
    def __init__(self, names):
        self.name = "open.xlsm"
        self.names = names
        self.sheets = []


def test_open_workbook_reads_names_and_writes_text_that_stays_text():
    sheet = type("Sheet", (), {"name": "Inputs"})()
    gmv = _Range(sheet, [[5200.0]], row=9)
    out = _Range(sheet, [[None, None]], row=3)
    out.shape = (1, 2)
    book = OpenWorkbook(_Book([_Name("in_gmv_m3", gmv), _Name("out_row", out)]))
    assert book.has_name("in_gmv_m3") and not book.has_name("in_nothing")
    assert book.read_name("in_gmv_m3") == [[5200.0]]
    assert book.location("in_gmv_m3").cell == "C9"
    book.write({"out_row": [["=HYPERLINK(\"x\")", 3.5]]})
    # Excel would run a string starting with = as a formula; the apostrophe keeps it text
    assert out.value == [["'=HYPERLINK(\"x\")", 3.5]]
    assert as_text_cell("@SUM(A1)") == "'@SUM(A1)" and as_text_cell("PL") == "PL"
