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


#: name -> prepare(folder) -> (workbooks, what else its test checks): the workbooks the tests
#: below render, all rendered by one LibreOffice start (a start costs about 2 s of CPU)
TO_RENDER = {}


def rendered_by_default_libreoffice(prepare):
    TO_RENDER[prepare.__name__] = prepare
    return prepare


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, tuple[dict[Path, Path], object, str]]:
    """name -> (workbook -> its PDF as LibreOffice with its default settings renders it, what
    else the test checks, LibreOffice's complaint if it left out some PDF)."""
    base = tmp_path_factory.mktemp("render")
    prepared = {name: prepare(base / name) for name, prepare in TO_RENDER.items()}
    books = [book for workbooks, _ in prepared.values() for book in workbooks]
    pdf_dir, complaint = base / "pdf", ""
    try:
        convert_all(books, pdf_dir, profile=DEFAULT)
    except AssertionError as error:        # each test names its own workbooks that failed
        complaint = str(error)
    return {name: ({book: pdf_dir / f"{book.stem}.pdf" for book in workbooks}, facts, complaint)
            for name, (workbooks, facts) in prepared.items()}


def _pdfs_exist(targets, complaint=""):
    for source, pdf in targets.items():
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), \
            f"{source.name}: no PDF\n{complaint}"


@rendered_by_default_libreoffice
def templates(folder: Path):
    folder.mkdir()
    books = []
    for name in TEMPLATE_FILES:              # .xlsx and .xlsm share a stem: one PDF each
        path = Path(name)
        books.append(folder / f"{path.stem}-{path.suffix[1:]}{path.suffix}")
        shutil.copy(TEMPLATES / name, books[-1])
    return books, None


@pytest.mark.slow
def test_every_template_renders_with_default_settings(rendered):
    pdfs, _, complaint = rendered["templates"]
    assert len(pdfs) == len(TEMPLATE_FILES)
    _pdfs_exist(pdfs, complaint)


@rendered_by_default_libreoffice
def examples_after_a_run(folder: Path):
    # the run writes TRUE/FALSE eligibility cells under the Checks sheet's conditional formats:
    # the combination that made LibreOffice abort the export
    shutil.copytree(EXAMPLES, folder / "examples")
    report = run_batch([folder / "examples"], summary=folder / "summary.xlsx")
    books = sorted((folder / "examples").glob("*.xlsx")) + [folder / "summary.xlsx"]
    return books, report


@pytest.mark.slow
def test_every_example_renders_after_a_run_with_default_settings(rendered):
    pdfs, report, complaint = rendered["examples_after_a_run"]
    assert report.outcomes and all(o.status == "ok" for o in report.outcomes)
    assert len(pdfs) == len(report.outcomes) + 1                 # and the summary
    _pdfs_exist(pdfs, complaint)


@rendered_by_default_libreoffice
def saved_by_openpyxl_and_by_libreoffice(folder: Path):
    import openpyxl
    by_script = folder / "script" / "by-script.xlsx"
    build_store(by_script, "zh")
    book = openpyxl.load_workbook(by_script)          # a user's own script fills the inputs
    inputs = book["Inputs"]
    for name, value in STORE.items():
        sheet, cell = next(iter(book.defined_names[name].destinations))
        book[sheet][cell.replace("$", "")] = value
    book.save(by_script)
    by_script_run = run_batch([by_script.parent], summary=folder / "s1.xlsx")

    original = folder / "lo" / "store.xlsx"
    build_store(original, "en", values=STORE)
    saved = convert(original, folder / "lo-saved", "xlsx", profile=DEFAULT)
    by_libreoffice = folder / "lo-run" / "by-libreoffice.xlsx"
    by_libreoffice.parent.mkdir()
    shutil.copy(saved, by_libreoffice)
    by_libreoffice_run = run_batch([by_libreoffice.parent], summary=folder / "s2.xlsx")
    return [by_script, by_libreoffice], (inputs.title, by_script_run, by_libreoffice_run)


@pytest.mark.slow
def test_workbooks_saved_by_openpyxl_and_by_libreoffice_render_with_default_settings(rendered):
    pdfs, (inputs_title, by_script_run, by_libreoffice_run), complaint = \
        rendered["saved_by_openpyxl_and_by_libreoffice"]
    assert inputs_title == "Inputs"
    assert by_script_run.outcomes[0].status == "ok"
    assert by_libreoffice_run.outcomes[0].status == "ok"
    _pdfs_exist(pdfs, complaint)


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
