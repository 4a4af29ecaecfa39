"""Every workbook the project writes opens, prints and exports in LibreOffice as installed
(fresh profile, default settings: Excel files are not recalculated on load, the cached values
are shown), as a finance user without any setup would open it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from calculator.workbook.batch import run_batch
from calculator.workbook.template import TEMPLATE_FILES, build_template
from tests.libreoffice import DEFAULT, convert, convert_all
from tests.stores import STORE

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "workbooks" / "templates"
EXAMPLES = ROOT / "workbooks" / "examples"


def _pdfs_exist(targets):
    for source, pdf in targets.items():
        assert pdf.read_bytes().startswith(b"%PDF"), source.name


def test_every_template_renders_with_default_settings(tmp_path):
    books = []
    for name in TEMPLATE_FILES:              # .xlsx and .xlsm share a stem: one PDF each
        path = Path(name)
        books.append(tmp_path / f"{path.stem}-{path.suffix[1:]}{path.suffix}")
        shutil.copy(TEMPLATES / name, books[-1])
    _pdfs_exist(convert_all(books, tmp_path / "pdf", profile=DEFAULT))


def test_every_example_renders_after_a_run_with_default_settings(tmp_path):
    # the run writes TRUE/FALSE eligibility cells under the Checks sheet's conditional formats:
    # the combination that made LibreOffice abort the export
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    report = run_batch([folder], summary=tmp_path / "summary.xlsx")
    assert report.outcomes and all(o.status == "ok" for o in report.outcomes)
    books = sorted(folder.glob("*.xlsx")) + [tmp_path / "summary.xlsx"]
    _pdfs_exist(convert_all(books, tmp_path / "pdf", profile=DEFAULT))


def test_workbooks_saved_by_openpyxl_and_by_libreoffice_render_with_default_settings(tmp_path):
    import openpyxl
    by_script = tmp_path / "script" / "by-script.xlsx"
    build_template(by_script, "zh")
    book = openpyxl.load_workbook(by_script)          # a user's own script fills the inputs
    inputs = book["Inputs"]
    for name, value in STORE.items():
        sheet, cell = next(iter(book.defined_names[name].destinations))
        book[sheet][cell.replace("$", "")] = value
    assert inputs.title == "Inputs"
    book.save(by_script)
    assert run_batch([by_script.parent], summary=tmp_path / "s1.xlsx").outcomes[0].status == "ok"

    original = tmp_path / "lo" / "store.xlsx"
    build_template(original, "en", values=STORE)
    saved = convert(original, tmp_path / "lo-saved", "xlsx", profile=DEFAULT)
    by_libreoffice = tmp_path / "lo-run" / "by-libreoffice.xlsx"
    by_libreoffice.parent.mkdir()
    shutil.copy(saved, by_libreoffice)
    assert run_batch([by_libreoffice.parent],
                     summary=tmp_path / "s2.xlsx").outcomes[0].status == "ok"
    _pdfs_exist(convert_all([by_script, by_libreoffice], tmp_path / "pdf", profile=DEFAULT))
