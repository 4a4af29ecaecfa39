"""The shortcuts that make writing results cheaper (calculator/workbook/patch.py) must give
what the long way gives, byte for byte: the sheet's opening parsed once, the rows of two
blocks side by side (a cached formula result and a snapshot, as on the Results sheet), the
spans hint read from a table, empty elements self-closed without re's template, printable
texts that skip the illegal-character pattern. Each test runs both paths (the byte scan and
the element path, the reference) on the same sheet and writes (``_agree``), or holds the
shortcut to the long way it replaces."""
from __future__ import annotations

import datetime as dt
import re

import pytest

import calculator.workbook.patch as patch
from calculator.workbook.patch import (DROP, Cached, NeedTree, SheetLayout, SheetWrites,
                                       StyleBand)
from tests.test_patch_bytes import _agree, _sheet, _writes, opened_store


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    yield from opened_store(tmp_path_factory)


# --- the sheet's opening, parsed once --------------------------------------------------------

TAIL = ('<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'
        '<conditionalFormatting sqref="A2:A9"><cfRule type="cellIs" dxfId="0" priority="1" '
        'operator="greaterThan"><formula>0</formula></cfRule></conditionalFormatting>')
ROWS = "".join(f'<row r="{n}" spans="1:2"><c r="A{n}" s="3"/><c r="B{n}" s="3"><v>{n}</v></c>'
               f'</row>' for n in range(2, 30))


@pytest.mark.parametrize("chunk", [0, 1, 7, 100])
def test_the_end_of_the_sheet_given_in_any_pieces_comes_out_as_the_element_paths(
        package, chunk, monkeypatch):
    # the parser that read the opening is given the rest of the sheet after the rows, piece
    # by piece when streamed; the dimension A1:C3 grows to row 40 (39 rows from row 2: rows
    # 30..40 are new), its columns kept
    monkeypatch.setattr(patch, "_PROLOG_LIMIT", 4096)
    out, _, element_rows = _agree(package, _sheet(ROWS, tail=TAIL),
                                  lambda: _writes((2, 1, [[1.5, "x"]] * 39)), chunk=chunk)
    assert element_rows == 0
    assert b'<dimension ref="A1:C40"/>' in out and TAIL.encode() in out


@pytest.mark.parametrize("head", [
    '<sheetPr><row r="1"/></sheetPr>',                  # a row (the main namespace) before
    '<extLst><ext uri="x"><sheetData/></ext></extLst>',   # another sheetData before
], ids=["row before sheetData", "sheetData before sheetData"])
def test_openings_the_byte_scan_does_not_know_come_out_as_the_element_paths(package, head):
    _agree(package, _sheet(ROWS, head=head), lambda: _writes((2, 1, [[9.0, "y"]] * 3)))


def test_a_sheet_not_well_formed_after_its_rows_goes_to_the_tree(package):
    # the byte scan hands it on (the tree path then names the error), as it did when it
    # parsed the opening a second time
    data = _sheet(ROWS, tail="<mergeCells>")              # never closed
    for stream in (patch.patch_sheet_streaming, patch.patch_sheet_bytes):
        source = iter([data]) if stream is patch.patch_sheet_streaming else data
        with pytest.raises(NeedTree):
            stream(source, _writes((2, 1, [[9.0]])), None, package, "t.xlsx",
                   package.sheet_names[0], None)


# --- rows of blocks side by side (the Results sheet) -----------------------------------------

RESULTS_ROW = ('<row r="{n}" spans="1:26"><c r="A{n}" s="16"/><c r="B{n}" s="20"/>'
               '<c r="V{n}" t="str"><f>IF($B${n}=FALSE,"a (not eligible)","a")</f><v>a</v></c>'
               '<c r="X{n}" t="s"><v>{n}</v></c>'
               '<c r="Y{n}"><f>IF(ISBLANK(Inputs!C{n}),"",Inputs!C{n})</f><v></v></c>'
               '<c r="Z{n}" s="17"/></row>')


@pytest.mark.parametrize("snapshot", [None, 0.05, "PL", dt.datetime(2026, 12, 1), True, 3200.0],
                         ids=repr)
@pytest.mark.parametrize("cached", ["", "PL", 5.0, False], ids=repr)
def test_a_cached_result_beside_a_snapshot_comes_out_as_the_element_paths(
        package, snapshot, cached):
    # Y: a formula given its cached result (t="str" for a text, none for a number); Z: the
    # snapshot of the input. Blocks given right to left as the writer adds them.
    rows = "".join(RESULTS_ROW.format(n=n) for n in (5, 6, 7))
    out, _, element_rows = _agree(package, _sheet(rows), lambda: _writes(
        (5, 26, [[snapshot]] * 3), (5, 25, [[Cached(cached)]] * 3),
        (5, 1, [["gsc_rising", 2044.09]] * 3), (5, 22, [[Cached("a")]] * 3)))
    assert element_rows == 0
    if cached == "":       # a blank input shows "" (t="str", an empty cached value)
        assert b'<c r="Y5" t="str"><f>IF(ISBLANK(Inputs!C5),"",Inputs!C5)</f><v></v></c>' in out


def test_blocks_over_one_another_the_later_wins_in_both(package):
    rows = "".join(RESULTS_ROW.format(n=n) for n in (5, 6))
    out, _, _ = _agree(package, _sheet(rows), lambda: _writes(
        (5, 1, [[1.0, 2.0, 3.0]] * 2), (5, 2, [["later"]] * 2), (5, 26, [[DROP]] * 2)))
    assert b'<c r="B5" s="20" t="inlineStr"><is><t>later</t></is></c>' in out
    assert b'<c r="Z5"' not in out


def _sorted_merge(writes: SheetWrites, number: int) -> list:
    """A row's writes the long way: every block's cells in the order the blocks were given,
    sorted by column (stable: where two blocks share a cell, the later wins)."""
    found = []
    for min_row, min_col, rows, cols, block in writes._blocks:
        if min_row <= number < min_row + rows:
            line = block[number - min_row] if number - min_row < len(block) else ()
            found += [(min_col + j, line[j] if j < len(line) else None) for j in range(cols)]
    return sorted(found, key=lambda write: write[0])


@pytest.mark.parametrize("blocks", [
    [(5, 26, 3, 1), (5, 25, 3, 1), (5, 1, 3, 16), (5, 22, 2, 1)],    # side by side, any order
    [(5, 1, 3, 16), (4, 10, 3, 4)],                                   # overlapping
    [(5, 3, 2, 0), (5, 1, 2, 3), (6, 3, 1, 2)],                       # empty and touching
], ids=["side by side", "overlapping", "empty and touching"])
def test_a_rows_writes_are_the_blocks_merged_by_column(blocks):
    writes = SheetWrites()
    for k, (min_row, min_col, rows, cols) in enumerate(blocks):
        writes.add(min_row, min_col, rows, cols,
                   [[f"{k}:{r}:{c}" for c in range(cols - (r % 2))] for r in range(rows)])
    for number in range(3, 10):
        assert writes.row(number) == _sorted_merge(writes, number), number


def test_a_row_under_two_style_bands_takes_both_in_both_paths(package):
    # columns A-B take row 2's styles and C row 2's C (the Results table and its verdict
    # column): the new row 4 gets s="6", "8" and "9"
    data = _sheet('<row r="2"><c r="A2" s="6"/><c r="B2" s="8"/><c r="C2" s="9"/></row>')
    layout = lambda: SheetLayout(bands=[StyleBand(2, 4, 1, 2, 2, 2),  # noqa: E731
                                        StyleBand(2, 4, 3, 3, 2, 3)])
    out, _, _ = _agree(package, data, lambda: _writes((2, 1, [[1.0, 2.0, 3.0]] * 3)), layout)
    assert b'<row r="4"><c r="A4" s="6"><v>1</v></c><c r="B4" s="8"><v>2</v></c>' \
           b'<c r="C4" s="9"><v>3</v></c></row>' in out


# --- the spans hint --------------------------------------------------------------------------

@pytest.mark.parametrize("spans", ['', ' spans="1:26"', ' spans="24:26"', ' spans="5"',
                                   ' spans="1:2 3:4"', ' spans="x:y"', ' spans="02:26"'])
def test_a_spans_hint_of_any_form_comes_out_as_the_element_paths(package, spans):
    rows = "".join(RESULTS_ROW.format(n=n).replace(' spans="1:26"', spans) for n in (5, 6))
    _agree(package, _sheet(rows), lambda: _writes((5, 1, [[1.0, 2.0]] * 2),
                                                  (5, 26, [[7.0]] * 2)))


@pytest.mark.parametrize("start, first, last", [
    (b'<row r="5" spans="1:26">', 1, 26), (b'<row r="5" spans="24:26">', 1, 26),
    (b'<row r="5" spans="2:3">', 1, 1), (b'<row r="5" spans="5">', 5, 5),
    (b'<row r="5" spans="x:y">', 1, 2), (b'<row r="5" ht="9" spans="3:4" x="1"/>', 2, 4),
    (b'<row r="5">', 1, 3)])
def test_the_spans_hint_looked_up_is_the_hint_read_in_full(start, first, last):
    scan = patch._ByteRows.__new__(patch._ByteRows)
    scan.span_bounds = {}
    for _ in range(2):                        # the second time from the table
        assert scan._spans_fixed(start, first, last) == \
            patch._ByteRows._spans_widened(start, first, last)


# --- texts and empty elements ----------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    b'<c r="A1"><f>B1</f><v></v></c>', b'<c r="A1"><f t="shared" si="0"></f><v>1</v></c>',
    b'<c r="A1" t="inlineStr"><is><t></t></is></c>',
    b'<c r="A1"><v></v></c><c r="B1"><v></v></c>',
    b'<c r="A1"><f></f><v></v></c>', b'<c r="A1"><v>1</v></c>'])
def test_empty_elements_are_self_closed_as_the_pattern_does(raw):
    assert patch._as_lxml_writes(raw) == re.sub(rb"<(v|f|t)((?: [^>]*)?)></\1>", rb"<\1\2/>",
                                                raw)


@pytest.mark.parametrize("text", ["plain", "a & b < c > d", "tab\there", "bell\x07", "\r\n",
                                  "caf\u00e9", "\ufffe", "_x0041_", "", " pad "])
def test_a_printable_text_is_escaped_as_the_long_way(text):
    clean = patch._ILLEGAL_XML.sub("", text)
    assert patch._escape_text(text) == patch._LOOKS_ESCAPED.sub("_x005F_", clean)
    long_way = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
        .replace("\r", "&#13;")
    if patch._NOT_XML.search(long_way):
        with pytest.raises(patch._NotSure):
            patch._text_bytes(text)
    else:
        assert patch._text_bytes(text) == long_way.encode("utf-8")
