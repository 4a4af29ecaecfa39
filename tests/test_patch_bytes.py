"""The streamed patch of a big sheet scans rows as bytes (calculator/workbook/patch.py,
``_ByteRows``): a user's results must come out byte for byte as the element path, which parses
every row with lxml, writes them (``patch_sheet_streaming_by_element``, the reference).

Every test here runs both paths on the same sheet and the same writes and compares the bytes:
on the SKU economics sheet of a real run and re-run, on the example workbooks, on workbooks
saved by LibreOffice and by openpyxl, and on rows with odd content. The few numbers written
out are worked by hand beside them."""
from __future__ import annotations

import copy
import datetime as dt
import math
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import calculator.workbook.patch as patch
import calculator.workbook.writer as writer
from calculator.errors import WorkbookError
from calculator.workbook.batch import run_batch
from calculator.workbook.patch import (DROP, Cached, Fill, Guard, NeedTree, SheetLayout,
                                       SheetWrites, StyleBand)
from calculator.workbook.xlsxpackage import ErrorValue, XlsxPackage
from tests.libreoffice import DEFAULT, convert, require_soffice
from tests.stores import STORE, build_store

EXAMPLES = Path(__file__).resolve().parents[1] / "workbooks" / "examples"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _skus(count: int) -> list[dict]:
    return [{"sku": f"SKU-{i:05d}", "category": "apparel" if i % 3 else "general",
             "weight_g": 200 + (i * 37) % 1800, "price_usd": 5 + (i * 13) % 60,
             "orders_per_month": (i * 7) % 40, "aplus": i % 5 == 0,
             "unit_cost": 2 + (i * 11) % 20, "unit_cost_currency": "USD"}
            for i in range(count)]


class _Compared:
    """Every streamed sheet of a run patched both ways and compared; how many rows the byte
    path handed to the element path."""

    def __init__(self):
        self.sheets = 0
        self.element_rows = 0
        self.byte_rows = 0


def _both(record: _Compared):
    def patched(chunks, writes, date_style, package, label, sheet, layout=None):
        data = list(chunks)
        pieces = [data[0][i:i + 997] for i in range(0, len(data[0]), 997)] + data[1:]
        reference_layout = copy.deepcopy(layout)
        try:
            reference = patch.patch_sheet_streaming_by_element(
                iter(data), writes, date_style, package, label, sheet, reference_layout)
        except NeedTree:
            reference = None
        emitted = _count_element_rows()
        try:
            with emitted:
                ours = patch.patch_sheet_streaming(iter(pieces), writes, date_style, package,
                                                   label, sheet, layout)
        except NeedTree:
            ours = None
        assert (reference is None) == (ours is None), sheet
        if reference is None:
            raise NeedTree()
        assert b"".join(ours[0]) == b"".join(bytes(p) for p in reference[0]), sheet
        assert ours[1] == reference[1], sheet
        record.sheets += 1
        record.element_rows += emitted.count
        record.byte_rows += emitted.rows_seen - emitted.count
        return ours
    return patched


class _count_element_rows:
    """Counts the rows the byte path gives to the element path while it is active."""

    def __enter__(self):
        self.count = 0
        self.rows_seen = 0
        self._emit = patch._StreamedRows.emit_element
        self._add = patch._Output.add
        counter = self

        def emit(state, row, number, row_writes):
            counter.count += 1
            return counter._emit(state, row, number, row_writes)

        patch._StreamedRows.emit_element = emit
        self._run = patch._ByteRows.run
        original_run = self._run

        def run(scan):
            result = original_run(scan)
            counter.rows_seen = scan.rows_seen
            return result

        patch._ByteRows.run = run
        return self

    def __exit__(self, *exc):
        patch._StreamedRows.emit_element = self._emit
        patch._ByteRows.run = self._run
        return False


@pytest.fixture
def compared(monkeypatch):
    """Every sheet written in the test streamed (threshold 0) and compared both ways."""
    record = _Compared()
    monkeypatch.setattr(writer, "STREAM_ABOVE_BYTES", 0)
    monkeypatch.setattr(writer, "patch_sheet_streaming", _both(record))
    monkeypatch.setattr(patch, "_PROLOG_LIMIT", 64 * 1024)
    return record


def _run(folder: Path, tmp_path: Path):
    report = run_batch([folder], summary=tmp_path / "summary.xlsx")
    assert all(outcome.status == "ok" for outcome in report.outcomes), \
        [(outcome.status, outcome.errors) for outcome in report.outcomes]
    return report


# --- real runs ---------------------------------------------------------------------------

def test_sku_sheet_first_run_and_re_run_give_the_element_paths_bytes(tmp_path, compared):
    # 75 SKUs x 4 logistics plans = 300 rows of SKU economics
    folder = tmp_path / "books"
    build_store(folder / "store.xlsx", values=STORE, skus=_skus(75))
    _run(folder, tmp_path)                       # first run: rows created, blocks grow
    first = compared.sheets
    assert first > 0
    _run(folder, tmp_path)                       # re-run: every output cell rewritten
    assert compared.sheets > first
    assert compared.byte_rows > 300              # the re-run's rows took the byte path


def test_re_run_of_the_sku_sheet_needs_no_element_row(tmp_path, compared):
    folder = tmp_path / "books"
    build_store(folder / "store.xlsx", values=STORE, skus=_skus(75))
    _run(folder, tmp_path)
    compared.element_rows = compared.byte_rows = 0
    _run(folder, tmp_path)
    # the header rows a style band reads and rows of other kinds may go either way; the 300
    # SKU rows (and the rest) are rewritten as bytes
    assert compared.byte_rows >= 300
    assert compared.element_rows <= 20


def test_first_run_creates_the_sku_rows_as_bytes(tmp_path, compared):
    # A new workbook has no SKU economics rows yet: each is created, and lies inside the
    # block's guard (the cells it grows into must be empty). A row made from nothing has no
    # cell to check, so it is made as bytes too: through the element path a 5,000-SKU store
    # took 5-7 s to write on its first run, against 2 s on a re-run.
    folder = tmp_path / "books"
    build_store(folder / "store.xlsx", values=STORE, skus=_skus(75))
    report = _run(folder, tmp_path)
    assert len(report.outcomes[0].rows) and compared.sheets >= 5
    # 75 SKUs x 4 logistics plans = 300 new rows, none through the element path; the few
    # header and source rows of the output sheets may still go that way
    assert compared.element_rows <= 20


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.xlsx")))
def test_example_workbooks(tmp_path, compared, example):
    folder = tmp_path / "books"
    folder.mkdir()
    shutil.copyfile(EXAMPLES / example, folder / example)
    _run(folder, tmp_path)
    _run(folder, tmp_path)
    assert compared.sheets > 0


def folder_saved_by_openpyxl(tmp_path: Path) -> Path:
    """A folder holding example 03 as a user's openpyxl script leaves it (load, save)."""
    folder = tmp_path / "books"
    folder.mkdir()
    book = openpyxl.load_workbook(EXAMPLES / "03-apparel-with-skus.xlsx")
    book.save(folder / "saved-by-openpyxl.xlsx")
    return folder


def folder_saved_by_libreoffice(tmp_path: Path) -> Path:
    """A folder holding example 03 as LibreOffice saves it (default settings)."""
    require_soffice()
    folder = tmp_path / "books"
    folder.mkdir()
    shutil.copyfile(EXAMPLES / "03-apparel-with-skus.xlsx", tmp_path / "from-lo.xlsx")
    saved = convert(tmp_path / "from-lo.xlsx", tmp_path / "lo", "xlsx", profile=DEFAULT)
    shutil.copyfile(saved, folder / "saved-by-libreoffice.xlsx")
    return folder


def test_workbook_saved_by_openpyxl(tmp_path, compared):
    folder = folder_saved_by_openpyxl(tmp_path)
    _run(folder, tmp_path)
    _run(folder, tmp_path)
    assert compared.sheets > 0


def test_workbook_saved_by_libreoffice(tmp_path, compared):
    folder = folder_saved_by_libreoffice(tmp_path)
    _run(folder, tmp_path)
    _run(folder, tmp_path)
    assert compared.sheets > 0
    assert compared.byte_rows > 0


# --- odd rows ------------------------------------------------------------------------------

def opened_store(tmp_path_factory):
    """The example store's package, open (the modules that patch sheets with it share it)."""
    path = tmp_path_factory.mktemp("pkg") / "store.xlsx"
    build_store(path, values=STORE)
    with XlsxPackage(path, "store.xlsx") as opened:
        yield opened


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    yield from opened_store(tmp_path_factory)


def _sheet(rows: str, head: str = "", tail: str = "", namespaces: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships"{namespaces}>{head}<dimension ref="A1:C3"/>'
            f'<sheetData>{rows}</sheetData>{tail}<pageMargins left="0.7" right="0.7" top="0.75"'
            f' bottom="0.75" header="0.3" footer="0.3"/></worksheet>').encode("utf-8")


def _agree(package, data: bytes, writes_of, layout_of=lambda: None, chunk: int = 0):
    """Both paths on ``data`` (in chunks of ``chunk`` bytes, 0: one), the writes and layout
    made afresh for each; returns (bytes, formula lost, rows given to the element path)."""
    sheet = package.sheet_names[0]
    date_style = patch.first_date_style(package)

    def pieces():
        return iter([data[i:i + chunk] for i in range(0, len(data), chunk)] if chunk else [data])

    def outcome(stream):
        try:
            return stream(pieces(), writes_of(), date_style, package, "t.xlsx", sheet,
                          layout_of())
        except NeedTree:
            return None
        except Exception as error:              # a value no cell can hold: the same error
            return error

    reference = outcome(patch.patch_sheet_streaming_by_element)
    with _count_element_rows() as emitted:
        ours = outcome(patch.patch_sheet_streaming)
    if isinstance(reference, Exception):
        assert type(ours) is type(reference) and str(ours) == str(reference)
        return None, None, emitted.count
    assert (reference is None) == (ours is None)
    if reference is None:
        return None, None, emitted.count
    expected = b"".join(bytes(p) for p in reference[0])
    got = b"".join(ours[0])
    assert got == expected
    assert ours[1] == reference[1]
    return got, ours[1], emitted.count


def _writes(*blocks) -> SheetWrites:
    writes = SheetWrites()
    for min_row, min_col, block in blocks:
        writes.add(min_row, min_col, len(block), max((len(r) for r in block), default=0), block)
    return writes


def test_a_plain_re_run_row_is_rewritten_as_bytes(package):
    data = _sheet('<row r="2"><c r="A2" s="3"><v>1.25</v></c>'
                  '<c r="B2" s="4" t="inlineStr"><is><t>old</t></is></c>'
                  '<c r="C2" s="3" t="n"><v>7</v></c></row>')   # t="n": saved by LibreOffice
    out, lost, element_rows = _agree(package, data,
                                     lambda: _writes((2, 1, [[2.5, "new", 0.125]])))
    # 2.5 written as "2.5", 0.125 as "0.125"; the cells keep r, s (and t="n"); no formula lost
    assert b'<c r="A2" s="3"><v>2.5</v></c><c r="B2" s="4" t="inlineStr"><is><t>new</t>' \
           b'</is></c><c r="C2" s="3" t="n"><v>0.125</v></c>' in out
    assert lost is False and element_rows == 0


def test_whole_numbers_are_written_without_a_decimal_point(package):
    data = _sheet('<row r="2"><c r="A2" s="3"><v>1</v></c><c r="B2" s="3"><v>1</v></c>'
                  '<c r="C2" s="3"><v>1</v></c></row>')
    out, _, element_rows = _agree(package, data,
                                  lambda: _writes((2, 1, [[3.0, -0.0, 1e15]])))
    # 3.0 -> "3"; -0.0 -> "0"; 1e15 is not below 1e15, so Python's repr: "1000000000000000.0"
    assert b"<v>3</v>" in out and b'<c r="B2" s="3"><v>0</v>' in out
    assert b"<v>1000000000000000.0</v>" in out
    assert element_rows == 0


ODD_ROWS = [
    # cells in another attribute order, a formula, cells beyond the written ones
    '<row r="2"><c s="3" r="A2"><v>1</v></c><c r="B2"><f>A2*2</f><v>2</v></c>'
    '<c r="E2" t="s"><v>0</v></c></row>',
    # an empty row, both ways of writing it, and a row with spans
    '<row r="3"/>', '<row r="4"></row>', '<row r="5" spans="2:3"><c r="B5"><v>1</v></c></row>',
    # a prefixed attribute (Excel's x14ac:dyDescent) and a custom row style
    '<row r="6" spans="1:3" s="7" customFormat="1" x14ac:dyDescent="0.25">'
    '<c r="C6" s="7"><v>4</v></c></row>',
    # rich text, text needing xml:space, entities, non-ASCII text
    '<row r="7"><c r="A7" t="inlineStr"><is><r><t>rich</t></r></is></c>'
    '<c r="B7" t="inlineStr"><is><t xml:space="preserve"> padded </t></is></c>'
    '<c r="C7" t="inlineStr"><is><t>a &amp; b &lt; c &gt; d "q" \u4e2d\u6587&#13;</t></is></c></row>',
    # whitespace between cells, a comment, an empty cached value
    '<row r="8"><c r="A8"><v>1</v></c> <c r="B8"><v>2</v></c></row>',
    '<row r="9"><c r="A9"><v>1</v></c><!-- note --><c r="B9"><f>A9</f><v></v></c></row>',
    '<row r="10"><c r="A10" s="0"/><c r="B10" s="2" t="n"><v>5</v></c>'
    '<c r="C10" cm="1"><v>6</v></c></row>',
    '<row r="11" spans="x"><c r="A11" t="b"><v>1</v></c><c r="B11" t="e"><v>#N/A</v></c>'
    '<c r="C11" t="str"><f>"a"</f><v>a</v></c></row>',
    '<row r="13" attr="a&quot;b&#10;c"><c r="A13"><f t="shared" ref="A13:A14" si="0">B13</f>'
    '<v>0</v></c></row>',
    # cells in lxml's form that the one-pass re-run does not take (no style, t="n", cm, s="0")
    '<row r="14"><c r="A14" t="inlineStr"><is><t>old</t></is></c>'
    '<c r="B14" s="3" t="inlineStr"><is><t xml:space="preserve"> x</t></is></c>'
    '<c r="C14" t="n"><v>1</v></c><c r="D14" s="0"><v>2</v></c><c r="E14" s="3"><v/></c></row>',
    '<row r="15"><c r="A15" s="3"><f>B15</f><v>1</v></c><c r="B15" s="3" t="str"><f>"a"</f>'
    '<v>a</v></c><c r="C15" s="3" t="inlineStr"><is><t/></is></c>'
    '<c r="D15" t="inlineStr"><f>A15</f><is><t>x</t></is></c></row>',
    # a start tag not in lxml's form (single quotes): the element path reads it
    "<row r='16' spans='1:2'><c r=\"A16\"><v>1</v></c></row>",
]

VALUES = [2.5, 7, "text", None, True, dt.date(2026, 12, 1), np.float64(1.5), float("nan"),
          " needs space ", "two\nlines", "_x0041_ looks escaped", "bad\x01char",
          ErrorValue("#DIV/0!"), "", np.int64(3), "\u4e2d\u6587 & <>", "carriage\rreturn",
          np.str_("a numpy string"), 10 ** 400, "\ud800 a lone surrogate"]


@pytest.mark.parametrize("chunk", [0, 13])
@pytest.mark.parametrize("value", VALUES, ids=lambda v: repr(v)[:40])
def test_odd_rows_given_every_kind_of_value(package, value, chunk):
    data = _sheet("".join(ODD_ROWS),
                  namespaces=' xmlns:x14ac="http://schemas.microsoft.com/office/'
                             'spreadsheetml/2009/9/ac"')
    # every cell of rows 2..16 written (row 12 is created), columns A..D
    _agree(package, data, lambda: _writes((2, 1, [[value] * 4] * 15)), chunk=chunk)


@pytest.mark.parametrize("value", [Cached(2.5), Cached("x"), Cached(True), Cached(None),
                                   Cached(ErrorValue("#N/A")), Cached(float("inf")),
                                   Cached(dt.date(2026, 1, 1)), DROP],
                         ids=lambda v: f"Cached({v.value!r})" if isinstance(v, Cached) else repr(v))
def test_odd_rows_given_cached_results_and_removals(package, value):
    data = _sheet("".join(ODD_ROWS),
                  namespaces=' xmlns:x14ac="http://schemas.microsoft.com/office/'
                             'spreadsheetml/2009/9/ac"')
    _agree(package, data, lambda: _writes((2, 1, [[value] * 4] * 15)))


def test_a_formula_overwritten_is_reported_by_both(package):
    data = _sheet('<row r="2"><c r="A2"><f>B2+1</f><v>3</v></c></row>')
    _, lost, _ = _agree(package, data, lambda: _writes((2, 1, [[4.0]])))
    assert lost is True


def test_overlapping_blocks_and_new_rows_between_old_ones(package):
    rows = "".join(f'<row r="{n}"><c r="A{n}" s="3"><v>{n}</v></c></row>' for n in (2, 5, 9))
    data = _sheet(rows)
    _agree(package, data, lambda: _writes((1, 1, [[1.0, 2.0]] * 10), (4, 2, [["x", "y"]] * 3)))


def test_growing_block_styles_and_guards(package):
    rows = ('<row r="2"><c r="A2" s="5" t="inlineStr"><is><t>head</t></is></c>'
            '<c r="B2" s="5" t="inlineStr"><is><t>h2</t></is></c></row>'
            '<row r="3"><c r="A3" s="6"><v>1</v></c><c r="B3" s="8"/></row>'
            '<row r="4"><c r="A4"><v>2</v></c><c r="B4" t="n"><v>3</v></c>'
            '<c r="C4" s="0" t="n"><v>4</v></c></row>')
    data = _sheet(rows)

    def layout():
        return SheetLayout(bands=[StyleBand(2, 2, 1, 3, 2, 2), StyleBand(3, 8, 1, 3, 3, 2)],
                           guards=[Guard("out_x", 5, 1, 8, 3)])

    writes = lambda: _writes((2, 1, [["a", "b", "c"]] + [[1.5, 2.5, 3.5]] * 6))  # noqa: E731
    out, _, _ = _agree(package, data, writes, layout)
    # rows 5..8 are new: their cells take the style of row 3 (A: 6, B: 8, C as B: 8)
    assert b'<row r="5"><c r="A5" s="6"><v>1.5</v></c><c r="B5" s="8"><v>2.5</v></c>' \
           b'<c r="C5" s="8"><v>3.5</v></c></row>' in out


def test_a_guarded_cell_holding_something_stops_both_the_same_way(package):
    data = _sheet('<row r="2"><c r="A2"><v>1</v></c></row>'
                  '<row r="5"><c r="A5" t="inlineStr"><is><t>mine</t></is></c></row>')
    layout = lambda: SheetLayout(guards=[Guard("out_x", 5, 1, 8, 3)])  # noqa: E731
    messages = []
    for stream in (patch.patch_sheet_streaming_by_element, patch.patch_sheet_streaming):
        with pytest.raises(WorkbookError) as raised:
            stream(iter([data]), _writes((2, 1, [[1.0]] * 6)), None, package, "t.xlsx",
                   package.sheet_names[0], layout())
        messages.append(str(raised.value))
    assert messages[0] == messages[1] and "A5" in messages[0]


def test_an_infinite_number_stops_both_with_the_same_message(package):
    data = _sheet('<row r="2"><c r="A2" s="3"><v>1</v></c></row>')
    messages = []
    for stream in (patch.patch_sheet_streaming_by_element, patch.patch_sheet_streaming):
        with pytest.raises(WorkbookError) as raised:
            stream(iter([data]), _writes((2, 1, [[math.inf]])), None, package, "t.xlsx",
                   package.sheet_names[0], None)
        messages.append(str(raised.value))
    assert messages[0] == messages[1] and "A2" in messages[0]


def test_drop_fill_removes_cells_in_both(package):
    rows = "".join(f'<row r="{n}"><c r="A{n}" s="3"><v>{n}</v></c><c r="B{n}"><v>1</v></c>'
                   f'</row>' for n in range(2, 6))
    out, _, _ = _agree(package, _sheet(rows), lambda: _writes((3, 1, Fill(DROP, 3, 1))))
    assert b'<c r="A3"' not in out and b'<c r="B3"><v>1</v></c>' in out


@pytest.mark.parametrize("rows, why", [
    ('\n  <row r="2"><c r="A2"><v>1</v></c></row>\n  <row r="3"/>\n', "pretty-printed"),
    ('<row r="3"><c r="A3"><v>1</v></c></row><row r="2"/>', "rows out of order"),
    ('<row><c r="A2"><v>1</v></c></row>', "a row without a number"),
    ('', "no rows at all"),
])
def test_sheets_the_byte_path_does_not_know_come_out_as_the_element_paths(package, rows, why):
    _agree(package, _sheet(rows), lambda: _writes((2, 1, [[9.0]])))


def test_rows_split_across_every_chunk_boundary(package, monkeypatch):
    monkeypatch.setattr(patch, "_PROLOG_LIMIT", 4096)
    rows = "".join(f'<row r="{n}" spans="1:3"><c r="A{n}" s="3"><v>{n}.5</v></c>'
                   f'<c r="B{n}" s="4" t="inlineStr"><is><t>sku {n} \u00e9</t></is></c></row>'
                   for n in range(2, 400))
    data = _sheet(rows)
    for chunk in (1, 7, 64, 1000):
        out, _, element_rows = _agree(
            package, data, lambda: _writes((2, 1, [[n * 0.25, f"SKU-{n}"] for n in range(398)])),
            chunk=chunk)
        assert element_rows == 0
    # row 2 gets 0 * 0.25 = 0.0, written "0"; row 3 gets 0.25
    assert b'<c r="A2" s="3"><v>0</v></c>' in out and b'<c r="A3" s="3"><v>0.25</v></c>' in out


def test_bytes_that_are_not_utf8_go_to_the_tree(package):
    data = _sheet('<row r="2"><c r="A2" t="inlineStr"><is><t>caf\u00e9</t></is></c></row>')
    broken = data.replace("\u00e9".encode("utf-8"), b"\xe9")
    with pytest.raises((NeedTree, WorkbookError)):
        patch.patch_sheet_streaming(iter([broken]), _writes((3, 1, [[1.0]])), None, package,
                                    "t.xlsx", package.sheet_names[0], None)


@pytest.mark.parametrize("spans", ['', ' spans="1:1"', ' spans="2:9"', ' spans="a&amp;b"'])
@pytest.mark.parametrize("value", [2.5, 10 ** 400, math.inf, float("nan"), None,
                                   np.float64(2.5), "  padded", "two\nlines", Cached(1.0),
                                   True, "\ud800"], ids=lambda v: repr(v)[:40])
def test_a_re_run_row_given_values_it_cannot_take_in_one_pass(package, value, spans):
    data = _sheet(f'<row r="2"{spans}><c r="A2" s="3"><v>1</v></c>'
                  f'<c r="B2" s="4" t="inlineStr"><is><t>x</t></is></c>'
                  f'<c r="C2" s="3" t="n"><v>1</v></c></row>')
    _agree(package, data, lambda: _writes((2, 1, [[value, value, value]])))


PLAIN_CELLS = ('<c r="A{n}" s="3"/><c r="B{n}" s="3" t="s"><v>0</v></c>'
               '<c r="C{n}" s="3" t="n"><v>1</v></c><c r="D{n}" s="3" t="n"/>'
               '<c r="E{n}" s="3" t="b"><v>1</v></c>'
               '<c r="F{n}" s="3" t="inlineStr"><is><t xml:space="preserve"> a</t></is></c>'
               '<c r="G{n}" s="3" t="e"><v>#N/A</v></c><c r="H{n}" s="3"><v/></c>'
               '<c r="I{n}" s="3" t="n"><is><t>x</t></is></c>')


@pytest.mark.parametrize("value", [2.5, 0.0, "x", " pad", "two\nlines", "", None,
                                   float("nan"), True, False, 1e20],
                         ids=lambda v: repr(v)[:40])
def test_every_plain_styled_cell_given_every_plain_value_in_one_pass(package, value):
    # the cells a first run after LibreOffice (t="s", t="n") or after the template (empty,
    # styled) holds: each written the element path's way without it
    rows = "".join(f'<row r="{n}">{PLAIN_CELLS.format(n=n)}</row>' for n in (2, 3))
    out, _, element_rows = _agree(package, _sheet(rows),
                                  lambda: _writes((2, 1, [[value] * 9] * 2)))
    assert element_rows == 0


def test_a_row_of_mixed_values_in_one_pass(package):
    data = _sheet(f'<row r="2" spans="1:3">{PLAIN_CELLS.format(n=2)}</row>')
    values = [2.5, "x", None, True, float("nan"), " pad", 0.0, "two\nlines", None]
    out, _, element_rows = _agree(package, data, lambda: _writes((2, 1, [values])))
    assert element_rows == 0
    # the last value given is in H (I is blank), so the dimension grows to H2 at least; the
    # spans hint grows from 1:3 to 1:9 (the cells still there reach column I)
    assert b'<dimension ref="A1:H3"/>' in out and b'spans="1:9"' in out
    # C held a number with t="n": changed in place, t kept; G held an error: a new <v>
    assert b'<c r="A2" s="3"><v>2.5</v></c>' in out and b'<c r="G2" s="3"><v>0</v></c>' in out
