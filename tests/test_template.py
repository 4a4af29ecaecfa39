"""The template: the contract's names and shapes, the committed files, the button, the
languages, and what LibreOffice (an independent spreadsheet engine) makes of it."""
from __future__ import annotations

from dataclasses import replace
import importlib
import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from calculator.cli import main
from calculator.model.ratecard import load_rate_card
from calculator.model.texts import source_title
from calculator.workbook import contract as c
from calculator.workbook.template import TEMPLATE_FILES, build_all
from calculator.workbook.writer import write_cells
from calculator.workbook.xlsxpackage import XlsxPackage
from tests.stores import STORE, build_store
from tests.libreoffice import (RECALCULATE, convert, convert_all, recalculated_values,
                                recalculated_values_all)

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "workbooks" / "templates"
EXAMPLES = ROOT / "workbooks" / "examples"
ALL_SHAPES = {**c.OUTPUTS, **c.OPTIONAL_OUTPUTS}


def _filled(path: Path, lang="en", **extra) -> Path:
    return build_store(path, lang, values={**STORE, **extra})


@pytest.mark.parametrize("name", TEMPLATE_FILES)
def test_every_contract_name_has_its_sheet_and_shape(name):
    package = XlsxPackage(TEMPLATES / name)
    for spec in c.INPUTS:
        target = package.get_name(spec.name)
        assert target is not None, f"{name}: {spec.name} missing"
        assert (target.sheet, target.shape) == (c.INPUTS_SHEET, (1, 1))
    for output, (sheet, shape) in ALL_SHAPES.items():
        target = package.get_name(output)
        assert target is not None, f"{name}: {output} missing"
        assert (target.sheet, target.shape) == (sheet, shape), output
    for risk_name in c.RISK_INPUT_NAMES:
        assert package.get_name(risk_name).sheet == c.RISK_SHEET
    assert package.get_name("in_risk_ranges").shape == (5, 4)
    assert package.get_name(c.STALE_NAME).shape == (1, 1)


def test_inputs_are_one_column_in_contract_order_beside_their_snapshot():
    # the STALE formula compares Inputs!C5:C50 with Results!Z5:Z50 row by row, so the n-th
    # input must sit on row 5+n and its snapshot on the same row
    package = XlsxPackage(TEMPLATES / "aeroi-template-en.xlsx")
    for offset, spec in enumerate(c.INPUTS):
        target = package.get_name(spec.name)
        assert target.top_left == f"C{c.INPUT_FIRST_ROW + offset}", spec.name
    snapshot = package.get_name("out_input_snapshot")
    assert (snapshot.min_row, snapshot.min_col) == (c.INPUT_FIRST_ROW, 26)   # Z5
    names_beside = package.read_range(replace(snapshot, min_col=24, max_col=24))   # column X
    assert [row[0] for row in names_beside] == [s.name for s in c.INPUTS]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_labels_are_in_the_workbook_language(lang):
    package = XlsxPackage(TEMPLATES / f"aeroi-template-{lang}.xlsx")
    first = package.get_name("in_eval_date")
    labels = package.read_range(replace(first, min_col=1, max_col=1,
                                        max_row=first.min_row + len(c.INPUTS) - 1))
    expected = [s.label_zh if lang == "zh" else s.label_en for s in c.INPUTS]
    assert [row[0] for row in labels] == expected


def test_defaults_and_tables_come_from_the_contract_and_the_rate_card():
    package = XlsxPackage(TEMPLATES / "aeroi-template-en.xlsx")
    for spec in c.INPUTS:
        value = package.read_name(spec.name)[0][0]
        if spec.default is None:
            assert value is None, spec.name
        else:
            assert value == spec.default, spec.name     # e.g. in_market PL, in_horizon 3
    sku_columns, sku_rows = package.read_table(c.SKU_TABLE)
    assert tuple(sku_columns) == c.SKU_COLUMNS
    assert sku_rows and all(v is None for v in sku_rows[0])   # one empty row to type into
    rate_columns, rate_rows = package.read_table(c.RATES_TABLE)
    assert tuple(rate_columns) == c.RATE_COLUMNS
    card = load_rate_card()
    by_key = {row[0]: row for row in rate_rows}
    assert set(by_key) == set(card)
    for key in card:
        assert by_key[key][1] == card[key].value, key
        # provenance travels with the figure, as the article's title a reader can find
        assert by_key[key][3] == source_title(card[key].source), key


def test_committed_templates_and_examples_match_the_generators(tmp_path):
    build_all(tmp_path / "templates")
    for name in TEMPLATE_FILES:
        assert (tmp_path / "templates" / name).read_bytes() == (TEMPLATES / name).read_bytes(), \
            f"{name} drifted from calculator/workbook/template.py: run make templates"
    sys.path.insert(0, str(ROOT / "workbooks"))
    try:
        make_examples = importlib.import_module("make_examples")
    finally:
        sys.path.remove(str(ROOT / "workbooks"))
    written = make_examples.build_examples(tmp_path / "examples")
    assert len(written) >= 6
    for path in written:
        assert path.read_bytes() == (EXAMPLES / path.name).read_bytes(), \
            f"{path.name} drifted: run python workbooks/make_examples.py"


def test_xlsm_carries_xlwings_vba_and_a_calculate_button():
    import xlwings
    quickstart = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"
    with zipfile.ZipFile(quickstart) as source:
        vba = source.read("xl/vbaProject.bin")
    for lang in ("en", "zh"):
        with zipfile.ZipFile(TEMPLATES / f"aeroi-template-{lang}.xlsm") as book:
            assert book.read("xl/vbaProject.bin") == vba
            vml = [book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".vml")]
            # the button in the workbook's language only: "Calculate / 计算" was English too
            # in a Chinese workbook
            captions = {text for shape in vml
                        for text in re.findall(r"<font[^>]*>([^<]*)", shape)}
            assert any("AeroiCalculate" in text for text in vml)
            assert captions == {{"en": "Calculate", "zh": "计算"}[lang]}
    with zipfile.ZipFile(TEMPLATES / "aeroi-template-en.xlsx") as book:
        assert "xl/vbaProject.bin" not in book.namelist()


def test_xlwings_conf_names_the_udf_module_that_exists():
    package = XlsxPackage(TEMPLATES / "aeroi-template-en.xlsm")
    from calculator.workbook.cellref import NameTarget
    cells = package.read_range(NameTarget("conf", c.CONF_SHEET, 1, 1, 1, 2))
    assert cells == [["UDF Modules", "calculator.excel.udfs"]]
    module = importlib.import_module(cells[0][1])
    assert callable(module.AE_FREIGHT)


def test_market_cell_offers_the_rate_card_markets_as_a_list():
    with zipfile.ZipFile(TEMPLATES / "aeroi-template-en.xlsx") as book:
        inputs_xml = book.read("xl/worksheets/sheet2.xml").decode()
    market_cell = XlsxPackage(TEMPLATES / "aeroi-template-en.xlsx").get_name("in_market").top_left
    markets = sorted(load_rate_card().family("market."))
    rule = inputs_xml.split(f'sqref="{market_cell}"')[1].split("</dataValidation>")[0]
    assert '"' + ",".join(markets) + '"' in rule


def test_new_command_creates_refuses_to_overwrite_and_checks_the_extension(tmp_path):
    runner = CliRunner()
    target = tmp_path / "store.xlsm"
    first = runner.invoke(main, ["new", str(target), "--lang", "zh"])
    assert first.exit_code == 0, first.output
    assert XlsxPackage(target).get_name("out_results") is not None
    again = runner.invoke(main, ["new", str(target)])
    assert again.exit_code == 2 and "exists" in again.output
    wrong = runner.invoke(main, ["new", str(tmp_path / "store.xls")])
    assert wrong.exit_code != 0 and ".xlsx or .xlsm" in wrong.output
    assert "Traceback" not in wrong.output


# --- LibreOffice: open, recalculate, render ----------------------------------------------------

@pytest.fixture(scope="module")
def templates_rendered(tmp_path_factory) -> dict[str, Path]:
    """Template file name -> its PDF rendered by LibreOffice (recalculation forced), all four
    in one LibreOffice start (a start costs about 2 s of CPU)."""
    folder = tmp_path_factory.mktemp("templates")
    books = {}
    for name in TEMPLATE_FILES:              # .xlsx and .xlsm share a stem: one PDF each
        path = Path(name)
        books[name] = folder / f"{path.stem}-{path.suffix[1:]}{path.suffix}"
        shutil.copy(TEMPLATES / name, books[name])
    pdfs = convert_all(books.values(), folder / "pdf", "pdf", profile=RECALCULATE)
    return {name: pdfs[book] for name, book in books.items()}


@pytest.mark.parametrize("name", TEMPLATE_FILES)
def test_libreoffice_opens_and_renders_each_template(name, templates_rendered):
    assert templates_rendered[name].read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_stale_flag_before_after_a_run_and_after_an_edit(tmp_path):
    book = _filled(tmp_path / "store" / "store.xlsx")
    before_run = tmp_path / "before-run.xlsx"
    shutil.copy(book, before_run)
    result = CliRunner().invoke(main, ["run", str(book.parent)])
    assert result.exit_code == 0, result.output
    edited = tmp_path / "edited.xlsx"
    shutil.copy(book, edited)
    write_cells(edited, {"in_gmv_m3": [[5300]]})             # a user changes last month's GMV
    sku_edit = tmp_path / "sku-edit.xlsx"
    shutil.copy(book, sku_edit)
    import openpyxl                       # a user's own script filling the table
    filled = openpyxl.load_workbook(sku_edit)
    filled[c.SKUS_SHEET]["A4"] = "NEW-1"                        # first data row of SKUs
    filled[c.SKUS_SHEET]["C4"] = 480
    filled.save(sku_edit)
    # the four states recalculated by LibreOffice in one start
    values = recalculated_values_all([before_run, book, edited, sku_edit], tmp_path / "lo",
                                     c.RESULTS_SHEET)

    def stale(path: Path) -> str:
        return values[path][XlsxPackage(path).get_name(c.STALE_NAME).top_left]
    assert stale(before_run) == "NOT CALCULATED"
    assert stale(book) == "CURRENT"
    assert stale(edited) == "STALE"
    assert stale(sku_edit) == "STALE"


@pytest.mark.slow
def test_libreoffice_recalculates_a_written_workbook_with_the_results_in_place(tmp_path):
    book = _filled(tmp_path / "run" / "store.xlsm", lang="zh")
    assert CliRunner().invoke(main, ["run", str(book.parent)]).exit_code == 0
    values = recalculated_values(book, tmp_path / "lo", c.RESULTS_SHEET)
    package = XlsxPackage(book)
    results = package.get_name("out_results")
    assert values[results.top_left] == "scenario"
    first_scenario = f"A{results.min_row + 1}"
    assert values[first_scenario] == "baseline"
    assert convert(book, tmp_path / "pdf", "pdf").read_bytes().startswith(b"%PDF")


def test_input_tooltips_and_their_errors_speak_the_workbook_language():
    # the tooltip over each input and the pop-up after a wrong value: the input's label in
    # the workbook's language, never its defined name ("in_eval_date" over every tooltip of a
    # Chinese workbook) nor the program's name ("aeroi" as every pop-up's title)
    from lxml import etree
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    labels = {"en": {s.label_en[:32] for s in c.INPUTS}, "zh": {s.label_zh[:32] for s in c.INPUTS}}
    for lang in ("en", "zh"):
        package = XlsxPackage(TEMPLATES / f"aeroi-template-{lang}.xlsx")
        root = etree.fromstring(package.read_part(package.sheet_part(c.INPUTS_SHEET)))
        rules = list(root.iter(main + "dataValidation"))
        assert len(rules) > 40
        for rule in rules:
            texts = [rule.get(k) or "" for k in ("promptTitle", "prompt", "errorTitle", "error")]
            assert not any(re.search(r"\bin_[a-z]", text) for text in texts), texts
            assert rule.get("promptTitle") in labels[lang]
            assert rule.get("errorTitle") == {"en": "Check the value", "zh": "请检查数值"}[lang]
