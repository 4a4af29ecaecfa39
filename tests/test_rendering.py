"""Every workbook the project writes opens, prints and exports in LibreOffice as installed
(fresh profile, default settings: Excel files are not recalculated on load, the cached values
are shown), as a finance user without any setup would open it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from calculator.workbook.batch import run_batch
from calculator.workbook.template import TEMPLATE_FILES
from tests.libreoffice import DEFAULT, convert, convert_all
from tests.stores import STORE, build_store

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "workbooks" / "templates"
EXAMPLES = ROOT / "workbooks" / "examples"


def _pdfs_exist(targets):
    for source, pdf in targets.items():
        assert pdf.read_bytes().startswith(b"%PDF"), source.name


@pytest.mark.slow
def test_every_template_renders_with_default_settings(tmp_path):
    books = []
    for name in TEMPLATE_FILES:              # .xlsx and .xlsm share a stem: one PDF each
        path = Path(name)
        books.append(tmp_path / f"{path.stem}-{path.suffix[1:]}{path.suffix}")
        shutil.copy(TEMPLATES / name, books[-1])
    _pdfs_exist(convert_all(books, tmp_path / "pdf", profile=DEFAULT))


@pytest.mark.slow
def test_every_example_renders_after_a_run_with_default_settings(tmp_path):
    # the run writes TRUE/FALSE eligibility cells under the Checks sheet's conditional formats:
    # the combination that made LibreOffice abort the export
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    report = run_batch([folder], summary=tmp_path / "summary.xlsx")
    assert report.outcomes and all(o.status == "ok" for o in report.outcomes)
    books = sorted(folder.glob("*.xlsx")) + [tmp_path / "summary.xlsx"]
    _pdfs_exist(convert_all(books, tmp_path / "pdf", profile=DEFAULT))


@pytest.mark.slow
def test_workbooks_saved_by_openpyxl_and_by_libreoffice_render_with_default_settings(tmp_path):
    import openpyxl
    by_script = tmp_path / "script" / "by-script.xlsx"
    build_store(by_script, "zh")
    book = openpyxl.load_workbook(by_script)          # a user's own script fills the inputs
    inputs = book["Inputs"]
    for name, value in STORE.items():
        sheet, cell = next(iter(book.defined_names[name].destinations))
        book[sheet][cell.replace("$", "")] = value
    assert inputs.title == "Inputs"
    book.save(by_script)
    assert run_batch([by_script.parent], summary=tmp_path / "s1.xlsx").outcomes[0].status == "ok"

    original = tmp_path / "lo" / "store.xlsx"
    build_store(original, "en", values=STORE)
    saved = convert(original, tmp_path / "lo-saved", "xlsx", profile=DEFAULT)
    by_libreoffice = tmp_path / "lo-run" / "by-libreoffice.xlsx"
    by_libreoffice.parent.mkdir()
    shutil.copy(saved, by_libreoffice)
    assert run_batch([by_libreoffice.parent],
                     summary=tmp_path / "s2.xlsx").outcomes[0].status == "ok"
    _pdfs_exist(convert_all([by_script, by_libreoffice], tmp_path / "pdf", profile=DEFAULT))


def test_start_paragraphs_have_heights_and_xlwings_conf_prints_on_one_page(tmp_path):
    import openpyxl
    for lang in ("en", "zh"):
        book = openpyxl.load_workbook(build_store(tmp_path / f"{lang}.xlsx", lang))
        start = book["Start"]
        for row in range(3, start.max_row + 1):
            cell = start.cell(row=row, column=1)
            text = cell.value
            if isinstance(text, str) and cell.alignment.wrap_text:
                # a wrapped paragraph without its own height overlaps the next one
                width = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
                lines = -(-width * 1.1 // 105)
                assert start.row_dimensions[row].height >= 15 * lines, (lang, row)
        conf = book["xlwings.conf"]
        # fitToHeight and fitToWidth absent = 1 (the schema default): one page
        assert conf.page_setup.fitToHeight in (None, 1) and conf.page_setup.fitToWidth in (None, 1)
        assert conf.sheet_properties.pageSetUpPr.fitToPage
        assert conf["A1"].value == "UDF Modules" and conf["A2"].value is None   # xlwings stops
        # at the first empty row: the note below it is not read as a setting


@pytest.mark.slow
def test_the_results_chart_marks_programmes_the_store_cannot_join(tmp_path):
    from calculator.model.texts import WORKBOOK_TEXT, scenario_label
    from tests.libreoffice import recalculated_values
    book = tmp_path / "run" / "store.xlsx"
    build_store(book, "en", values=STORE)        # T+0 2026-12-01, opened 2026-08-01:
    assert run_batch([book.parent], summary=tmp_path / "s.xlsx").outcomes[0].status == "ok"
    # Rising eligible (122 days <= 180); Leap not (months below $5,000); Shumao not (not an
    # exporter): tests/stores.py
    values = recalculated_values(book, tmp_path / "lo", "Results")
    labels = [values[f"V{row}"] for row in range(9, 14)]     # beside out_results rows
    mark = WORKBOOK_TEXT["en"]["not_eligible_mark"]
    assert labels[1] == scenario_label("gsc_rising")
    assert labels[2] == scenario_label("gsc_leap") + mark
    assert labels[3] == scenario_label("shumao") + mark
