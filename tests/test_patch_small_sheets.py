"""Small sheets (every output sheet of a store workbook) are patched as bytes too
(calculator/workbook/patch.py, ``patch_sheet_bytes``) instead of parsed into a tree, patched
and serialised: a user's results must come out byte for byte as the tree path writes them
(``patch_sheet`` + ``xmlsafe.serialise``, the way small sheets were always written).

Every test here runs both on the same sheet and the same writes and compares the bytes: on
real runs and re-runs (the shipped examples, a store with SKUs, workbooks saved by LibreOffice
and by openpyxl) and on rows with odd content given every kind of value."""
from __future__ import annotations

import copy
import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest

import calculator.workbook.patch as patch
import calculator.workbook.writer as writer
from calculator.errors import WorkbookError
from calculator.workbook import xmlsafe
from calculator.workbook.batch import process_workbook
from calculator.workbook.patch import DROP, Cached, Guard, NeedTree, SheetLayout, StyleBand
from calculator.workbook.xlsxpackage import ErrorValue, XlsxPackage
from tests.stores import STORE, build_store
from tests.test_patch_bytes import (EXAMPLES, ODD_ROWS, PLAIN_CELLS, VALUES, _run, _sheet,
                                     _skus, _writes, folder_saved_by_libreoffice,
                                     folder_saved_by_openpyxl)


def _tree(data: bytes, writes, date_style, package, label, sheet, layout):
    """The reference: the sheet parsed, patched as a tree, serialised."""
    root = xmlsafe.parse_xml(data, label, "sheet")
    lost = patch.patch_sheet(root, writes, date_style, package, label, sheet, layout)
    return xmlsafe.serialise(root), lost


def _outcome(run):
    try:
        return run()
    except NeedTree:
        return NeedTree
    except Exception as error:                # a value no cell can hold: the same error
        return error


def _same(data: bytes, writes_of, date_style, package, label, sheet, layout_of):
    """Both ways on ``data``; returns (the bytes or None when the byte path hands the sheet
    to the tree, formula lost). Writes and layouts are made afresh for each."""
    reference = _outcome(lambda: _tree(data, writes_of(), date_style, package, label, sheet,
                                       layout_of()))
    ours = _outcome(lambda: patch.patch_sheet_bytes(data, writes_of(), date_style, package,
                                                    label, sheet, layout_of()))
    if ours is NeedTree:                      # the writer then takes the tree path itself
        return None, None
    if isinstance(reference, Exception):
        assert type(ours) is type(reference) and str(ours) == str(reference)
        return None, None
    assert not isinstance(ours, Exception), ours
    got = b"".join(bytes(piece) for piece in ours[0])
    assert got == reference[0], sheet
    assert ours[1] == reference[1], sheet
    return got, ours[1]


class _Compared:
    def __init__(self):
        self.sheets = 0
        self.by_tree = 0


@pytest.fixture
def compared(monkeypatch):
    """Every small sheet a run writes patched both ways and compared."""
    record = _Compared()

    def both(data, writes, date_style, package, label, sheet, layout=None):
        reference_layout = copy.deepcopy(layout)
        got, lost = _same(data, lambda: writes, date_style, package, label, sheet,
                          lambda: copy.deepcopy(reference_layout))
        if got is None:
            record.by_tree += 1
            raise NeedTree()
        record.sheets += 1
        return [got], lost

    monkeypatch.setattr(writer, "patch_sheet_bytes", both)
    # every small sheet, also one a read has parsed whose cells hold values (a re-run's,
    # which the writer patches as the tree it already has)
    monkeypatch.setattr(writer, "_re_run", lambda root, data, writes: False)
    return record


# --- real runs ---------------------------------------------------------------------------

@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.xlsx")))
def test_example_workbooks_first_run_and_re_run(tmp_path, compared, example):
    folder = tmp_path / "books"
    folder.mkdir()
    shutil.copyfile(EXAMPLES / example, folder / example)
    _run(folder, tmp_path)                       # first run: empty styled cells, new rows
    first = compared.sheets
    _run(folder, tmp_path)                       # re-run: every output cell holds a value
    # the five output sheets of each run (results, calendar, checks, SKU economics, risk)
    assert first >= 5 and compared.sheets >= 2 * first - 1
    assert compared.by_tree == 0


def test_store_with_skus_first_run_and_re_run(tmp_path, compared):
    folder = tmp_path / "books"
    build_store(folder / "store.xlsx", values=STORE, skus=_skus(75))
    _run(folder, tmp_path)
    _run(folder, tmp_path)
    assert compared.sheets >= 10 and compared.by_tree == 0


def test_workbook_saved_by_openpyxl(tmp_path, compared):
    folder = folder_saved_by_openpyxl(tmp_path)
    _run(folder, tmp_path)
    _run(folder, tmp_path)
    assert compared.sheets > 0


def test_workbook_saved_by_libreoffice(tmp_path, compared):
    folder = folder_saved_by_libreoffice(tmp_path)
    _run(folder, tmp_path)
    _run(folder, tmp_path)
    assert compared.sheets + compared.by_tree > 0


# --- odd rows ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def package(tmp_path_factory):
    path = tmp_path_factory.mktemp("pkg") / "store.xlsx"
    build_store(path, values=STORE)
    with XlsxPackage(path, "store.xlsx") as opened:
        yield opened


def _agree(package, data: bytes, writes_of, layout_of=lambda: None):
    return _same(data, writes_of, patch.first_date_style(package), package, "t.xlsx",
                 package.sheet_names[0], layout_of)


_X14AC = ' xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"'


@pytest.mark.parametrize("value", VALUES + [Cached(2.5), Cached("x"), Cached(True),
                                            Cached(None), Cached(float("inf")), DROP],
                         ids=lambda v: repr(v)[:40])
def test_odd_rows_given_every_kind_of_value(package, value):
    data = _sheet("".join(ODD_ROWS), namespaces=_X14AC)
    _agree(package, data, lambda: _writes((2, 1, [[value] * 4] * 15)))


@pytest.mark.parametrize("value", [2.5, 0.0, "x", " pad", "", None, True, 1e20,
                                   Cached(3.0), Cached("t")], ids=lambda v: repr(v)[:40])
def test_plain_cells_and_formulas_in_one_row_with_two_blocks(package, value):
    # a results row: a block of plain cells, a formula beside it given its cached result, a
    # label no block writes, a second block; the first row of the sheet created
    rows = "".join(f'<row r="{n}" spans="1:12">{PLAIN_CELLS.format(n=n)}'
                   f'<c r="J{n}" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
                   f'<c r="K{n}" s="2"><f>SUM(A{n}:C{n})</f><v/></c>'
                   f'<c r="L{n}" t="s"><v>0</v></c><c r="M{n}" s="3"/></row>'
                   for n in (2, 3))
    cached = value if isinstance(value, Cached) else Cached(value)
    out, _ = _agree(package, _sheet(rows), lambda: _writes(
        (1, 1, [[value] * 9] * 3), (1, 10, [[cached, cached]] * 3), (1, 13, [[value]] * 3)))
    assert out is not None


def test_a_growing_block_styled_from_its_first_row(package):
    rows = ('<row r="2" spans="1:3"><c r="A2" s="5" t="s"><v>0</v></c>'
            '<c r="B2" s="5" t="s"><v>0</v></c></row>'
            '<row r="3" spans="1:3"><c r="A3" s="6"/><c r="B3" s="8"/><c r="C3" s="0"/></row>')
    layout = lambda: SheetLayout(bands=[StyleBand(2, 2, 1, 3, 2, 2),  # noqa: E731
                                        StyleBand(3, 6, 1, 3, 3, 2)])
    out, _ = _agree(package, _sheet(rows), lambda: _writes(
        (2, 1, [["a", "b", "c"]] + [[1.5, "x", True]] * 4)), layout)
    # row 3's C had style 0: it takes B's (8), the last styled column of the source row, as
    # do the new rows 4..6
    assert b'<c r="C3" s="8" t="b"><v>1</v></c>' in out
    assert b'<row r="6"><c r="A6" s="6"><v>1.5</v></c>' in out


def test_a_row_without_writes_holding_an_empty_cached_result(package):
    # <v></v>: a formula's blank result as we (and some writers) save it; lxml reads it as
    # no text and writes it self-closed, so the copied row must change the same way
    rows = ('<row r="2"><c r="A2" s="3"/></row>'
            '<row r="3" spans="1:2"><c r="A3" t="str"><f>A1&amp;""</f><v></v></c>'
            '<c r="B3" t="inlineStr"><is><t></t></is></c></row>')
    out, _ = _agree(package, _sheet(rows), lambda: _writes((2, 1, [[1.0]])))
    assert b'<c r="A3" t="str"><f>A1&amp;""</f><v/></c><c r="B3" t="inlineStr"><is><t/>' \
           b'</is></c></row>' in out


FORMULA_CELLS = ('<c r="A{n}"><f>B{n}</f><v>1</v></c>'
                 '<c r="B{n}" s="3" t="str"><f>"x"</f><v>x</v></c>'
                 '<c r="C{n}" s="0" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
                 '<c r="D{n}" t="b"><f t="shared" ref="D{n}:D9" si="0">TRUE</f><v>1</v></c>'
                 '<c r="E{n}"><f t="shared" si="0"/><v/></c>'
                 '<c r="F{n}" t="str"><f>""</f><v></v></c>'
                 '<c r="G{n}" cm="1"><f t="array" ref="G{n}">SEQUENCE(1)</f><v>1</v></c>'
                 '<c r="H{n}" s="4"><f>A{n}</f></c>'
                 '<c r="I{n}" s="4" t="inlineStr"><f>A{n}</f><is><t>old</t></is></c>')


@pytest.mark.parametrize("value", [2.5, 0, -1e-7, 1e15, "text", "", " pad", "a\x01b", True,
                                   None, float("nan"), float("inf"), ErrorValue("#N/A"),
                                   dt.date(2026, 12, 1)], ids=lambda v: repr(v)[:40])
def test_formula_cells_of_every_shape_given_every_kind_of_cached_result(package, value):
    # the formula is kept and its cached result replaced (or added), t following the value
    rows = "".join(f'<row r="{n}">{FORMULA_CELLS.format(n=n)}</row>' for n in (2, 3))
    out, _ = _agree(package, _sheet(rows),
                    lambda: _writes((2, 1, [[Cached(value)] * 9] * 2)))
    if value == 2.5:
        # A2 held 1 with no t: now 2.5; B2 was text (t="str"): its t goes
        assert b'<c r="A2"><f>B2</f><v>2.5</v></c><c r="B2" s="3"><f>"x"</f><v>2.5</v></c>' \
            in out


def test_a_block_growing_into_someones_cell_stops_both_with_the_same_message(package):
    rows = ('<row r="2"><c r="A2" s="3"><v>1</v></c></row>'
            '<row r="5"><c r="A5" t="inlineStr"><is><t>mine</t></is></c></row>')
    layout = lambda: SheetLayout(guards=[Guard("out_x", 4, 1, 8, 3)])  # noqa: E731
    # _same compares the two errors' types and messages
    out, _ = _agree(package, _sheet(rows), lambda: _writes((2, 1, [[1.0]] * 6)), layout)
    assert out is None
    with pytest.raises(WorkbookError, match="A5 holds 'mine'"):
        patch.patch_sheet_bytes(_sheet(rows), _writes((2, 1, [[1.0]] * 6)), None, package,
                                "t.xlsx", package.sheet_names[0], layout())


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


@pytest.mark.parametrize("example", ["03-apparel-with-skus.xlsx"])
def test_a_re_run_gives_the_same_file_whichever_way_each_sheet_is_patched(tmp_path,
                                                                           monkeypatch,
                                                                           example):
    # the writer patches a sheet a read has already parsed as that tree when its cells hold
    # values (a re-run), else as bytes; all bytes must give the same file, run after run
    when = dt.datetime(2026, 11, 28, 12, 0)
    chosen, as_bytes = tmp_path / "chosen.xlsx", tmp_path / "bytes.xlsx"
    shutil.copyfile(EXAMPLES / example, chosen)
    shutil.copyfile(EXAMPLES / example, as_bytes)
    trees = []
    choose = writer._re_run

    def recorded(root, data, writes):
        trees.append(choose(root, data, writes))
        return trees[-1]

    monkeypatch.setattr(writer, "_re_run", recorded)
    for _ in range(2):
        assert process_workbook(str(chosen), None, False, when).status == "ok"
    assert any(trees)                           # the re-run took the tree for some sheet
    monkeypatch.setattr(writer, "_re_run", lambda root, data, writes: False)
    for _ in range(2):
        assert process_workbook(str(as_bytes), None, False, when).status == "ok"
    assert _parts(chosen) == _parts(as_bytes)
