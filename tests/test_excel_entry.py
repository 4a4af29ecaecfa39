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
from tests.stores import STORE, build_store



def test_calculate_book_writes_the_results_of_the_open_workbook(tmp_path):
    book = build_store(tmp_path / "store.xlsm", values=STORE)
    with PackageWorkbook(book) as io:
        status = entry.calculate_book(io)
    assert status.startswith("OK")
    package = XlsxPackage(book)
    assert package.read_name("out_status")[0][0] == status
    assert [row[0] for row in package.read_name("out_results")][1:] == \
        ["baseline", "gsc_rising", "gsc_leap", "shumao", "super_hot"]


def test_calculate_book_lists_every_cell_to_fix_and_writes_nothing(tmp_path):
    book = build_store(tmp_path / "store.xlsx", values=STORE)
    write_cells(book, {"in_gmv_m1": [["lots"]], "in_parcel_weight_g": [[-1]]})
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    with PackageWorkbook(book) as io, pytest.raises(CalculatorError) as raised:
        entry.calculate_book(io)
    message = str(raised.value)
    assert message.startswith("Nothing was calculated; please fix:")
    assert "Inputs!C7 in_gmv_m1" in message and "Inputs!C14 in_parcel_weight_g" in message
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before


def test_run_folder_reports_counts_and_skips_the_workbook_that_pressed_the_button(tmp_path):
    caller = build_store(tmp_path / "caller.xlsm", values=STORE)
    build_store(tmp_path / "north.xlsx", values=STORE)
    bad = build_store(tmp_path / "south.xlsx", values=STORE)
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


# --- no traceback from a button: one short message, the details in the log ----------------------

class _App:
    def __init__(self, alert_works=True):
        self.alerts, self.status_bar, self.alert_works = [], None, alert_works

    def alert(self, text, title):
        if not self.alert_works:
            raise AttributeError("alert")
        self.alerts.append((title, text))


class _CloudBook:
    """An xlwings Book on a OneDrive path xlwings cannot map: fullname raises XlwingsError."""
    name = "store.xlsm"

    def __init__(self):
        self.app = _App()

    @property
    def fullname(self):
        import xlwings
        raise xlwings.XlwingsError("Couldn't find your local OneDrive file, see: xlwings.org/error")


@pytest.fixture
def log(tmp_path, monkeypatch):
    path = tmp_path / "aeroi-excel.log"
    monkeypatch.setenv("AEROI_LOG", str(path))
    return path


def _one_message(book):
    assert len(book.app.alerts) == 1
    title, text = book.app.alerts[0]
    assert "Traceback" not in text and 'File "' not in text
    return title, text


@pytest.mark.parametrize("button", [entry.run_folder, entry.create_template])
def test_a_onedrive_path_gives_one_message_with_the_log_and_what_to_do(button, log, monkeypatch):
    book = _CloudBook()
    monkeypatch.setattr(entry, "_caller", lambda: book)
    button()
    title, text = _one_message(book)
    assert title == "aeroi"
    assert "XlwingsError: Couldn't find your local OneDrive file" in text
    assert str(log) in text and "save a copy in a local folder" in text
    assert "Traceback" in log.read_text(encoding="utf-8")


def test_a_bug_in_calculate_gives_one_line_and_the_log(log, monkeypatch):
    book = _CloudBook()
    monkeypatch.setattr(entry, "_caller", lambda: book)

    def broken(io):
        raise KeyError("out_results")
    monkeypatch.setattr(entry, "calculate_book", broken)
    entry.calculate_active()
    _, text = _one_message(book)
    assert text == f"aeroi could not finish (KeyError: 'out_results'). " \
                   f"Details for a bug report: {log}"
    assert "OneDrive" not in text         # only an xlwings error gets the OneDrive hint


def test_input_problems_still_list_the_cells(monkeypatch):
    book = _CloudBook()
    monkeypatch.setattr(entry, "_caller", lambda: book)

    def refuse(io):
        raise CalculatorError("Nothing was calculated; please fix:\nInputs!C14 in_parcel_weight_g")
    monkeypatch.setattr(entry, "calculate_book", refuse)
    entry.calculate_active()
    assert book.app.alerts == [("aeroi: check your inputs",
                                "Nothing was calculated; please fix:\n"
                                "Inputs!C14 in_parcel_weight_g")]


def test_without_a_calling_workbook_the_message_is_printed_not_a_traceback(log, monkeypatch):
    # RunPython shows what the script prints; SystemExit prints its text and nothing else
    def no_caller():
        raise RuntimeError("Book.caller() is only available when called from Excel")
    monkeypatch.setattr(entry, "_caller", no_caller)
    with pytest.raises(SystemExit) as raised:
        entry.calculate_active()
    assert str(raised.value).startswith("aeroi could not finish (RuntimeError: Book.caller()")
    assert str(log) in str(raised.value)


def test_when_neither_alert_nor_status_bar_work_the_message_is_printed(log, monkeypatch):
    book = _CloudBook()
    book.app = type("DeadApp", (), {"__slots__": (), "alert": lambda *a: 1 / 0})()  # no status_bar
    monkeypatch.setattr(entry, "_caller", lambda: book)
    with pytest.raises(SystemExit) as raised:
        entry.run_folder()
    assert "XlwingsError" in str(raised.value)
