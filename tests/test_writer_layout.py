"""What a run leaves in a workbook for someone who opens it as it is: the values of the live
formulas (LibreOffice as installed does not recalculate an Excel file on load: it shows the
cached values), a format on every row of every output block however long it gets, blocks that
grow and shrink with the programme registry without touching anything else, and products
typed under the SKUs table read as part of it.

LibreOffice runs here with its DEFAULT settings: a fresh, empty user profile (no forced
recalculation, unlike tests/libreoffice.py's ``convert``)."""
from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest

from calculator.errors import Kind, WorkbookError
from calculator.workbook import contract as c
from calculator.workbook import writer
from calculator.workbook.batch import run_batch
from calculator.workbook.io import PackageWorkbook
from calculator.workbook.xlsxpackage import XlsxPackage
from tests.libreoffice import convert, recalculated_values, require_soffice
from tests.stores import STORE, build_store

STAMP = dt.datetime(2026, 12, 1, 9, 0)
# all sheets (-1), UTF-8 (76), cells "as shown" (formatted), one CSV file per sheet
CSV_AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
TWO_SKUS = [dict(sku="A-1", category="general", weight_g=500, price_usd=10, orders_per_month=5),
            dict(sku="B-2", category="general", weight_g=1200, price_usd=20.5,
                 orders_per_month=10)]


@pytest.fixture(params=["tree", "streamed"])
def patch_mode(request, monkeypatch):
    """Sheets patched as a tree, and row by row as parsed (the path of big sheets)."""
    monkeypatch.setattr(writer, "STREAM_ABOVE_BYTES", 0 if request.param == "streamed" else 2**62)
    return request.param


def shown_by_default_libreoffice(book: Path, out_dir: Path) -> dict[str, list[list[str]]]:
    """Every sheet as LibreOffice with its default settings shows it (fresh profile: nothing
    recalculated on load, cached values shown, cells formatted), sheet name -> rows."""
    return shown_by_default_libreoffice_all([book], out_dir)[book]


def shown_by_default_libreoffice_all(books, out_dir: Path) -> dict[Path, dict]:
    """:func:`shown_by_default_libreoffice` for many workbooks (distinct names) in one
    LibreOffice start (a start costs about 2 s of CPU): workbook -> sheet name -> rows."""
    binary = require_soffice()
    books = [Path(book) for book in books]
    assert len({book.stem for book in books}) == len(books), "workbooks need distinct names"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aeroi-lo-default-") as profile:
        done = subprocess.run([binary, f"-env:UserInstallation={Path(profile).as_uri()}",
                               "--headless", "--norestore", "--convert-to", CSV_AS_SHOWN,
                               "--outdir", str(out_dir)] + [str(book) for book in books],
                              capture_output=True, text=True, timeout=300)
    shown = {}
    for book in books:
        sheets = shown[book] = {}
        for path in out_dir.glob(f"{book.stem}-*.csv"):
            with open(path, encoding="utf-8", newline="") as handle:
                sheets[path.stem[len(book.stem) + 1:]] = list(csv.reader(handle))
        assert sheets, (f"LibreOffice wrote no CSV for {book.name}: exit {done.returncode}\n"
                        f"{done.stdout}{done.stderr}")
    return shown


def cell(rows: list[list[str]], ref: str) -> str:
    match = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    col = 0
    for letter in match.group(1):
        col = col * 26 + ord(letter) - 64
    row = int(match.group(2))
    line = rows[row - 1] if row <= len(rows) else []
    return line[col - 1] if col <= len(line) else ""


def run(folder: Path) -> None:
    report = run_batch([folder], calculated_at=STAMP, summary=folder.parent / "summary.xlsx")
    assert not report.failed, report.failed[0].errors


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


# --- 1. cached values: what LibreOffice as installed shows right after a run ------------------

#: name -> build(folder) -> workbook, calculated: the workbooks some tests below look at as
#: LibreOffice as installed shows them after a run, all shown by one LibreOffice start
AFTER_A_RUN = {}


def calculated(build):
    """Registers ``build(folder) -> workbook`` with the fixture below, which runs the folder."""
    AFTER_A_RUN[build.__name__] = build
    return build


def _built_and_run(build, folder: Path) -> Path:
    book = build(folder)
    run(folder)
    return book


@pytest.fixture(scope="module")
def shown_after_a_run(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """name -> (workbook, sheet name -> rows as LibreOffice with its default settings shows
    them) for every workbook registered with @calculated."""
    base = tmp_path_factory.mktemp("shown")
    books = {name: _built_and_run(build, base / name / "store")
             for name, build in AFTER_A_RUN.items()}
    shown = shown_by_default_libreoffice_all(books.values(), base / "lo")
    return {name: (book, shown[book]) for name, book in books.items()}


@calculated
def two_skus(folder: Path) -> Path:
    return build_store(folder / "two-skus.xlsx", values=STORE, skus=TWO_SKUS)


@pytest.mark.slow
def test_after_a_run_libreoffice_as_installed_shows_current_values_and_words(shown_after_a_run):
    book, shown = shown_after_a_run["two_skus"]
    results = shown[c.RESULTS_SHEET]
    with XlsxPackage(book) as package:
        stale = package.get_name(c.STALE_NAME)
        live = package.get_name(c.LIVE_TABLE_NAME)
        snapshot = package.get_name("out_input_snapshot")
        eligibility = package.get_name("out_eligibility")
    # the flag reads CURRENT, not NOT CALCULATED (the template's cached value)
    assert cell(results, stale.top_left) == "CURRENT"
    # the live table sums hold the SKUs table's: 2 SKUs, 500 + 1200 = 1,700 g,
    # $10 + $20.50 = $30.50, 5 + 10 = 15 orders a month
    top = live.min_row
    assert [cell(results, f"Y{top + k}") for k in range(4)] == ["2", "1700", "30.5", "15"]
    # the live inputs beside the snapshot show the inputs just used (T+0 2026-12-01, GMV $5,200)
    first = snapshot.min_row
    assert cell(results, f"Y{first}") == "2026-12-01" == cell(results, f"Z{first}")
    gmv_m3 = first + [s.name for s in c.INPUTS].index("in_gmv_m3")
    assert cell(results, f"Y{gmv_m3}") == "5200" == cell(results, f"Z{gmv_m3}")
    # eligibility in words, never 1/0: the store (opened 122 days before T+0) passes Rising's
    # age rule but leaves the licence, enterprise, health and factory inputs blank, so Rising is
    # "unknown"; Leap is closed (its months are below $5,000 each), so FALSE; baseline TRUE
    checks = shown[c.CHECKS_SHEET]
    status = {cell(checks, f"A{r}"): cell(checks, f"B{r}")
              for r in range(eligibility.min_row, eligibility.max_row + 1)}
    assert status["gsc_rising"] == "unknown"
    assert status["gsc_leap"] == "FALSE" and status["baseline"] == "TRUE"


def test_formula_cells_keep_their_formula_and_get_typed_cached_values(tmp_path):
    book = build_store(tmp_path / "store" / "store.xlsx", values=STORE)
    run(book.parent)
    with XlsxPackage(book) as package:
        ref = package.get_name(c.STALE_NAME).top_left
        results, checks = (package.sheet_part(s) for s in (c.RESULTS_SHEET, c.CHECKS_SHEET))
        first = package.get_name("out_eligibility").min_row + 1
    xml = parts(book)[results].decode()
    stale = re.search(rf'<c r="{ref}"[^>]*>(.*?)</c>', xml)
    assert ' t="str"' in stale.group(0)
    assert "<f>IF(ISBLANK(out_calculated_at)" in stale.group(1)
    assert stale.group(1).endswith("<v>CURRENT</v>")
    # a blank optional input is shown as the formula shows it: empty text, not 0
    length_row = c.INPUT_FIRST_ROW + [s.name for s in c.INPUTS].index("in_parcel_length_cm")
    live = re.search(rf'<c r="Y{length_row}"[^>]*>(.*?)</c>', xml).group(0)
    assert 't="str"' in live and ("<v></v>" in live or "<v/>" in live)
    # booleans are booleans: TRUE/FALSE cells, never 1/0 numbers (baseline: eligible)
    assert re.search(rf'<c r="B{first}" s="\d+" t="b"><v>1</v></c>', parts(book)[checks].decode())


# --- 2. formats on every row, after every re-run --------------------------------------------

def test_every_row_of_a_long_block_is_formatted_like_its_first(tmp_path, patch_mode):
    # 30 SKUs x 4 plans = 120 rows of SKU economics; the template styles one
    skus = [dict(sku=f"S{i:02d}", category="general", weight_g=100 + 10 * i,
                 price_usd=10 + i, orders_per_month=1) for i in range(30)]
    book = build_store(tmp_path / "store" / "store.xlsx", values=STORE, skus=skus)

    def formats():
        sheet = openpyxl.load_workbook(book)[c.SKU_ECONOMICS_SHEET]
        with XlsxPackage(book) as package:
            target = package.get_name("out_sku_economics")
        rows = [[(sheet.cell(r, k).number_format, sheet.cell(r, k).fill.fgColor.rgb)
                 for k in range(target.min_col, target.max_col + 1)]
                for r in range(target.min_row + 1, target.max_row + 1)]
        return target, rows, sheet

    run(book.parent)
    target, rows, sheet = formats()
    assert target.shape[0] == 1 + 30 * 4
    assert all(row == rows[0] for row in rows)
    money = c.SKU_ECONOMICS_COLUMNS.index("net_revenue")
    margin = c.SKU_ECONOMICS_COLUMNS.index("margin")
    assert rows[-1][money][0] == "#,##0.00" and rows[-1][margin][0] == "0.0%"
    # a re-run with fewer products: the rows no longer used are gone, not left grey and empty
    _replace_skus(book, [[s.get(k) for k in c.SKU_COLUMNS] for s in skus[:2]])
    run(book.parent)
    target, rows, sheet = formats()
    assert target.shape[0] == 1 + 2 * 4
    assert all(row == rows[0] for row in rows) and rows[-1][money][0] == "#,##0.00"
    assert sheet.cell(target.max_row + 1, 1).value is None
    assert sheet.cell(target.max_row + 1, 1).fill.fgColor.rgb != rows[0][0][1]
    # and back to 30: formatted again
    _replace_skus(book, [[s.get(k) for k in c.SKU_COLUMNS] for s in skus])
    run(book.parent)
    target, rows, _ = formats()
    assert target.shape[0] == 1 + 30 * 4 and all(row == rows[0] for row in rows)


def _replace_skus(book: Path, rows: list[list[object]]) -> None:
    """The SKUs table holding exactly ``rows`` (a user's script with openpyxl)."""
    filled = openpyxl.load_workbook(book)
    sheet = filled[c.SKUS_SHEET]
    table = sheet.tables[c.SKU_TABLE]
    first = int(re.sub(r"\D", "", table.ref.split(":")[0])) + 1
    for r in range(first, sheet.max_row + 1):
        for k in range(len(c.SKU_COLUMNS)):
            sheet.cell(r, 1 + k).value = None
    for r, row in enumerate(rows):
        for k, value in enumerate(row):
            sheet.cell(first + r, 1 + k).value = value
    table.ref = f"A{first - 1}:{chr(64 + len(c.SKU_COLUMNS))}{first + max(len(rows), 1) - 1}"
    filled.save(book)


@calculated
def five_skus(folder: Path) -> Path:
    skus = [dict(sku=f"S{i}", category="general", weight_g=300, price_usd=12.99,
                 orders_per_month=3) for i in range(5)]
    return build_store(folder / "five-skus.xlsx", values=STORE, skus=skus)


@pytest.mark.slow
def test_libreoffice_as_installed_shows_money_on_the_last_sku_row(shown_after_a_run):
    book, sheets = shown_after_a_run["five_skus"]
    shown = sheets[c.SKU_ECONOMICS_SHEET]
    with XlsxPackage(book) as package:
        target = package.get_name("out_sku_economics")
    last = shown[target.max_row - 1][target.min_col - 1:]
    for name in ("net_revenue", "fees", "freight", "price_for_target"):
        text = last[c.SKU_ECONOMICS_COLUMNS.index(name)]
        assert re.fullmatch(r"-?[\d,]+\.\d\d", text), (name, text)     # 2 decimals, not 12.4166..
    assert re.fullmatch(r"-?\d+\.\d%", last[c.SKU_ECONOMICS_COLUMNS.index("margin")])


# --- 4. blocks that follow the programme registry grow and shrink -----------------------------

def _results_block(scenarios: int) -> list[list[object]]:
    rows = [list(_result_columns())]
    for k in range(scenarios):
        rows.append([f"programme_{k}", True, "ok"] + [1234.5 + k] * (len(rows[0]) - 3))
    return rows


def _result_columns():
    from calculator.model.scenarios import RESULT_COLUMNS
    return RESULT_COLUMNS


def test_one_more_programme_fits_an_existing_workbook_and_one_less_shrinks_it(tmp_path,
                                                                              patch_mode):
    from calculator.model.scenarios import SCENARIOS
    n = len(SCENARIOS)
    book = build_store(tmp_path / "store.xlsx", values=STORE)
    with XlsxPackage(book) as package:
        old = package.get_name("out_results")
        costs_before = package.read_name("out_costs")
    assert old.shape[0] == 1 + n                       # the template: a row per scenario
    with PackageWorkbook(book) as io:
        io.write({"out_results": _results_block(n + 1)})   # not "has room for 6x12 cells"
    with XlsxPackage(book) as package:
        grown = package.get_name("out_results")
        assert grown.shape == (n + 2, old.shape[1])
        assert package.read_name("out_results")[-1][0] == f"programme_{n}"
        assert package.read_name("out_costs") == costs_before      # the next block untouched
    sheet = openpyxl.load_workbook(book)[c.RESULTS_SHEET]
    money = 1 + _result_columns().index("net_gain")
    assert sheet.cell(grown.max_row, money).number_format == "#,##0.00"    # the new row too
    assert sheet.cell(grown.max_row, 1).font.b                             # scenario in bold
    with PackageWorkbook(book) as io:
        io.write({"out_results": _results_block(n - 1)})
    with XlsxPackage(book) as package:
        assert package.get_name("out_results").shape == (n, old.shape[1])
        cells = package._cells(c.RESULTS_SHEET)
    assert not any((r, k) in cells for r in (old.max_row, old.max_row + 1)
                   for k in range(1, old.max_col + 1))


def test_a_block_never_grows_over_a_label_or_another_block(tmp_path, patch_mode):
    from calculator.model.scenarios import RESULT_COLUMNS, SCENARIOS
    n = len(SCENARIOS)
    book = build_store(tmp_path / "store.xlsx", values=STORE)
    before = book.read_bytes()
    with XlsxPackage(book) as package:
        # the costs block: its heading, then its row of labels, then its id row (min_row)
        heading = package.get_name("out_costs").min_row - 2
    with PackageWorkbook(book) as io:
        with pytest.raises(WorkbookError) as label:
            io.write({"out_results": _results_block(n + 2)})
    assert label.value.kind is Kind.LAYOUT
    assert f"Results!A{heading} holds 'Outlays and benefits over the horizon" in label.value.message
    with PackageWorkbook(book) as io:
        with pytest.raises(WorkbookError, match=f"out_results needs {n + 5}×{len(RESULT_COLUMNS)} cells for its "
                                                f"results and would run into out_costs"):
            io.write({"out_results": _results_block(n + 4)})
    assert book.read_bytes() == before


def test_a_full_run_still_fits_the_template_blocks(tmp_path):
    book = build_store(tmp_path / "store" / "store.xlsx", values=STORE, skus=TWO_SKUS)
    before = {}
    with XlsxPackage(book) as package:
        for name in c.RESIZABLE_OUTPUTS:
            before[name] = package.get_name(name)
    run(book.parent)
    with XlsxPackage(book) as package:
        for name in c.RESIZABLE_OUTPUTS:
            if name != "out_sku_economics":            # 2 SKUs x 4 plans
                assert package.get_name(name) == before[name], name


# --- 3. the SKUs table grows as the user types ------------------------------------------------

def _typed_under(book: Path, first_row: int, products: list[list[object]]) -> None:
    """A user's products typed in the rows under the SKUs table (openpyxl, as a script)."""
    filled = openpyxl.load_workbook(book)
    sheet = filled[c.SKUS_SHEET]
    for r, row in enumerate(products):
        for k, value in enumerate(row):
            sheet.cell(first_row + r, 1 + k).value = value
    filled.save(book)


PRODUCTS = [["T-1", "general", 400, 12, 6], ["T-2", "general", 600, 15, 4],
            ["T-3", "apparel", 250, 9, 10]]


def _table_ref(book: Path) -> str:
    with XlsxPackage(book) as package:
        info = package.find_table(c.SKU_TABLE)
        return re.search(r'ref="([^"]+)"', package.read_part(info.part).decode()).group(1)


def test_products_typed_under_the_table_are_read_and_the_table_grows(tmp_path):
    book = build_store(tmp_path / "store" / "store.xlsx", values=STORE)   # table A3:H4
    _typed_under(book, 5, PRODUCTS + [[None], ["after a gap", "general", 1, 1, 1]])
    before = parts(book)
    run(book.parent)
    with XlsxPackage(book) as package:
        economics = package.read_name("out_sku_economics")
        checks = package.read_name("out_checks")
        info = package.find_table(c.SKU_TABLE)
        sheet_part = package.sheet_part(c.SKUS_SHEET)
    assert sorted({row[0] for row in economics[1:]}) == ["T-1", "T-2", "T-3"]   # not the 4th
    assert checks[1][:2] == ["skus_table", "warn"]
    assert checks[1][2].startswith("3 rows typed under the SKUs table were added to it "
                                   "(SKUs!A5:A7)")
    assert _table_ref(book) == "A3:H7"
    after = parts(book)
    assert after[sheet_part] == before[sheet_part]                  # the typed rows as typed
    changed = {name for name in before if before[name] != after[name]}
    assert info.part in changed and not any(n.startswith("xl/tables/") and n != info.part
                                            for n in changed)
    # the next run: the table holds them, nothing more to say
    run(book.parent)
    with XlsxPackage(book) as package:
        assert package.read_name("out_checks")[1][0] != "skus_table"
    assert _table_ref(book) == "A3:H7"


def test_a_header_only_table_reads_the_products_below_it(tmp_path):
    book = build_store(tmp_path / "store" / "store.xlsx", values=STORE)
    _typed_under(book, 4, PRODUCTS[:2])
    rewritten = parts(book)               # row 4 deleted in the sheet: the table is its header
    for name, data in rewritten.items():
        if name.startswith("xl/tables/") and b'name="SKUs"' in data:
            rewritten[name] = data.replace(b'ref="A3:H4"', b'ref="A3:H3"')
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in rewritten.items():
            package.writestr(name, data)
    assert _table_ref(book) == "A3:H3"
    run(book.parent)
    with XlsxPackage(book) as package:
        economics = package.read_name("out_sku_economics")
    assert sorted({row[0] for row in economics[1:]}) == ["T-1", "T-2"]
    assert _table_ref(book) == "A3:H5"


@pytest.mark.slow
def test_products_typed_under_the_table_of_a_workbook_saved_by_libreoffice(tmp_path):
    source = build_store(tmp_path / "src" / "store.xlsx", values=STORE, skus=TWO_SKUS)
    _typed_under(source, 6, PRODUCTS[1:])      # right under A3:H5 (two products)
    saved = convert(source, tmp_path / "store", "xlsx")          # LibreOffice saves it
    first, last = (int(x) for x in re.findall(r"\d+", _table_ref(saved)))
    assert (first, last) == (3, 5)                               # LibreOffice did not grow it
    run(saved.parent)
    with XlsxPackage(saved) as package:
        economics = package.read_name("out_sku_economics")
        checks = package.read_name("out_checks")
    assert sorted({row[0] for row in economics[1:]}) == ["A-1", "B-2", "T-2", "T-3"]
    assert checks[1][2].startswith("2 rows typed under the SKUs table were added to it "
                                   "(SKUs!A6:A7)")
    assert _table_ref(saved) == "A3:H7"
    # and LibreOffice as installed opens the result showing the stale flag as CURRENT
    shown = shown_by_default_libreoffice(saved, tmp_path / "lo")
    with XlsxPackage(saved) as package:
        stale = package.get_name(c.STALE_NAME)
    assert cell(shown[c.RESULTS_SHEET], stale.top_left) == "CURRENT"
    # and recalculating, LibreOffice sums the extended table as the run did: still CURRENT
    assert recalculated_values(saved, tmp_path / "lo-recalc", c.RESULTS_SHEET)[
        stale.top_left] == "CURRENT"


def test_a_check_only_run_leaves_the_table_as_it_is(tmp_path):
    book = build_store(tmp_path / "store" / "store.xlsx", values=STORE)
    _typed_under(book, 5, PRODUCTS)
    before = book.read_bytes()
    report = run_batch([book.parent], check_only=True)
    assert not report.failed
    assert book.read_bytes() == before


# --- the same rule in Excel (xlwings), with a stand-in grid of cells --------------------------

class _Cells:
    """Stands in for an xlwings Range over a dict of cells (no Excel here)."""

    def __init__(self, grid: dict, row: int, col: int, rows: int, cols: int):
        self.grid, self.row, self.column, self.shape = grid, row, col, (rows, cols)
        self.address = f"R{row}C{col}:R{row + rows - 1}C{col + cols - 1}"

    def options(self, ndim):
        return self

    @property
    def value(self):
        return [[self.grid.get((self.row + i, self.column + j)) for j in range(self.shape[1])]
                for i in range(self.shape[0])]

    @value.setter
    def value(self, rows):
        for i, line in enumerate(rows):
            for j, value in enumerate(line):
                self.grid[(self.row + i, self.column + j)] = value

    def offset(self, rows, cols):
        return _Cells(self.grid, self.row + rows, self.column + cols, *self.shape)

    def resize(self, rows, cols):
        return _Cells(self.grid, self.row, self.column, rows, cols)

    def clear_contents(self):
        self.value = [[None] * self.shape[1] for _ in range(self.shape[0])]

    def get_address(self, include_sheetname):
        return "Results!" + self.address


def test_in_excel_a_block_grows_into_empty_rows_and_never_over_a_label():
    from calculator.excel.xlwings_io import OpenWorkbook
    grid = {(7, 1): "scenario", (8, 1): "baseline", (11, 1): "Programme cost (label)"}
    defined = type("Name", (), {})()
    defined.name, defined.refers_to_range = "out_results", _Cells(grid, 7, 1, 2, 3)
    book = OpenWorkbook(type("Book", (), {"name": "open.xlsm", "names": [defined],
                                          "sheets": []})())
    book.write({"out_results": [["scenario", "eligible", "reason"], ["baseline", True, "-"],
                                ["gsc_rising", True, "ok"], ["gsc_leap", False, "no"]]})
    assert defined.refers_to == "=Results!R7C1:R10C3"          # 1 + 3 rows: room to row 10
    assert grid[(10, 1)] == "gsc_leap" and grid[(11, 1)] == "Programme cost (label)"
    defined.refers_to_range = _Cells(grid, 7, 1, 4, 3)
    with pytest.raises(WorkbookError, match="out_results needs more room") as error:
        book.write({"out_results": [["scenario"]] + [[f"p{k}"] for k in range(4)]})
    assert error.value.kind is Kind.LAYOUT
    assert grid[(11, 1)] == "Programme cost (label)" and grid[(10, 1)] == "gsc_leap"


@calculated
def example_05(folder: Path) -> Path:
    example = Path(__file__).resolve().parents[1] / "workbooks" / "examples"
    book = folder / "05.xlsx"
    book.parent.mkdir(parents=True)
    book.write_bytes((example / "05-third-party-aplus-zh.xlsx").read_bytes())
    return book


@pytest.mark.slow
def test_a_chinese_workbook_shows_its_own_words_and_marks_closed_programmes_without_recalculating(
        shown_after_a_run):
    # Example 05 is Chinese; its store (opened 61 days before T+0, not an exporter, months below
    # $5,000) may not join Leap or Shumao. LibreOffice as installed shows the cached values: the
    # freshness flag in Chinese (最新, not CURRENT) and the chart's labels of the two closed
    # programmes marked (不符合资格), so the chart never draws them like open ones.
    from calculator.model import texts as tx
    book, shown = shown_after_a_run["example_05"]
    results = shown[c.RESULTS_SHEET]
    with XlsxPackage(book) as package:
        stale = package.get_name(c.STALE_NAME)
        table = package.get_name("out_results")
    assert cell(results, stale.top_left) == "最新"
    label_col = table.min_col + c.CHART_LABEL_OFFSET
    from calculator.workbook.cellref import column_letter
    labels = [cell(results, f"{column_letter(label_col)}{table.min_row + 1 + k}")
              for k in range(5)]
    mark = tx.WORKBOOK_TEXT["zh"]["not_eligible_mark"]
    assert labels[2] == tx.scenario_label("gsc_leap", "zh") + mark
    assert labels[3] == tx.scenario_label("shumao", "zh") + mark
    assert labels[1] == tx.scenario_label("gsc_rising", "zh")          # open: not marked
