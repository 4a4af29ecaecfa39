"""The lossless write-back module on its own: reading cells through defined names and patching
only the named cells of real workbook files (made by XlsxWriter, or written part by part for the
shapes XlsxWriter never produces), read back with openpyxl as an independent reader."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pathlib
import time
import stat
import zipfile

import openpyxl
import pytest
import xlsxwriter
from lxml import etree

from calculator.errors import Kind, WorkbookError
from calculator.workbook import ooxml, writer, xmlsafe
from calculator.workbook.atomic import TEMP_PREFIX, cleanup_stale_temps
from calculator.workbook.cellref import NameTarget, parse_reference
from calculator.workbook.writer import write_cells
from calculator.workbook.xlsxpackage import ErrorValue, XlsxPackage
from tests.stores import STORE, build_store

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(autouse=True, params=["tree", "streamed"])
def patch_mode(request, monkeypatch):
    """Every test here runs twice: sheets patched as a tree, and patched row by row as they are
    parsed (the path big sheets take). Both must give the same workbook."""
    monkeypatch.setattr(writer, "STREAM_ABOVE_BYTES", 0 if request.param == "streamed" else 2**62)
    return request.param


def make_book(path, with_table=True):
    """Inputs (named input cells), "Q3 'final' results" (outputs: a sheet name with spaces and
    quotes), a styled date output, a sheet-scoped name and an Excel table."""
    book = xlsxwriter.Workbook(str(path))
    inputs = book.add_worksheet("Inputs")
    out = book.add_worksheet("Q3 'final' results")
    money = book.add_format({"num_format": "#,##0.00", "bold": True})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    inputs.write("A1", "weight")
    inputs.write_number("B1", 750)
    inputs.write_string("B2", "PL")
    inputs.write_datetime("B3", dt.datetime(2026, 12, 1), date)
    inputs.write_boolean("B4", True)
    book.define_name("in_weight", "=Inputs!$B$1")
    book.define_name("in_market", "=Inputs!$B$2")
    book.define_name("in_date", "=Inputs!$B$3")
    book.define_name("in_flag", "=Inputs!$B$4")
    book.define_name("in_blank", "=Inputs!$B$9")
    out.write("A1", "old result", money)         # existing styled cell
    out.write("A3", "keep me")                   # row 3 exists, B3 does not
    out.write_blank("C5", None, date)            # styled blank date cell
    out.write_formula("D1", "=1+1", None, 2)     # a user's formula beside the outputs
    book.define_name("out_total", "='Q3 ''final'' results'!$A$1")
    book.define_name("out_row", "='Q3 ''final'' results'!$A$3:$C$3")
    book.define_name("out_new_rows", "='Q3 ''final'' results'!$B$7:$C$8")
    book.define_name("out_when", "='Q3 ''final'' results'!$C$5")
    book.define_name("out_big", "='Q3 ''final'' results'!$H$1:$H$5000")
    book.define_name("Inputs!local_name", "=Inputs!$B$2")
    if with_table:
        sheet = book.add_worksheet("SKUs")
        sheet.add_table("B2:D4", {"name": "SKUs", "columns": [
            {"header": "sku"}, {"header": "weight_g"}, {"header": "price_usd"}],
            "data": [["A-1", 500, 9.5], ["B-2", 1200, None]]})
    book.close()
    return path


def members(path):
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def write_package(path, parts):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return path


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Empty" sheetId="1" r:id="rId1"/><sheet name="Values" sheetId="2" r:id="rId2"/></sheets>
<definedNames><definedName name="out_empty">Empty!$B$2:$C$3</definedName><definedName name="in_values">Values!$A$1:$D$1</definedName><definedName name="out_formula">Values!$E$1</definedName><definedName name="broken">#REF!$A$1</definedName><definedName name="gone">Deleted!$A$1</definedName></definedNames>
</workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/>
</Relationships>"""
EMPTY_SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1"/><sheetData/></worksheet>"""
VALUES_SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><r><t>rich </t></r><r><t>text</t></r></is></c><c r="B1" t="e"><v>#N/A</v></c><c r="C1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="D1" t="b"><v>0</v></c><c r="E1"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>"""
CALC_CHAIN = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="E1" i="2"/><c r="C1" i="2"/></calcChain>"""


def hand_made(path):
    """Shapes XlsxWriter never writes: an empty <sheetData/>, inline rich text, an error value,
    a formula string, a calculation chain, names pointing at #REF! and at a deleted sheet."""
    return write_package(path, {
        "[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": EMPTY_SHEET, "xl/worksheets/sheet2.xml": VALUES_SHEET,
        "xl/calcChain.xml": CALC_CHAIN})


def cell_xml(path, part, ref):
    root = etree.fromstring(members(path)[part])
    return next((c for c in root.iter(M + "c") if c.get("r") == ref), None)


# --- reading ------------------------------------------------------------------------------

def test_names_resolve_through_quoted_sheet_names_and_scopes(tmp_path):
    book = make_book(tmp_path / "b.xlsx")
    with XlsxPackage(book) as package:
        target = package.get_name("OUT_ROW")            # Excel names ignore case
        assert (target.sheet, target.top_left, target.shape) == ("Q3 'final' results", "A3", (1, 3))
        local = package.get_name("local_name", sheet="Inputs")
        assert (local.sheet, local.top_left, local.scope) == ("Inputs", "B2", "Inputs")
        assert package.get_name("no_such_name") is None
    assert parse_reference("'O''Brien'!$A$1:$B$2") == ("O'Brien", (1, 1, 2, 2))


def test_values_come_back_typed_as_a_user_typed_them(tmp_path):
    book = make_book(tmp_path / "b.xlsx")
    with XlsxPackage(book) as package:
        assert package.read_name("in_weight") == [[750.0]]
        assert package.read_name("in_market") == [["PL"]]               # shared string
        assert package.read_name("in_date") == [[dt.datetime(2026, 12, 1)]]  # date-formatted
        assert package.read_name("in_flag") == [[True]]
        assert package.read_name("in_blank") == [[None]]


def test_inline_rich_text_errors_and_formula_results_are_read(tmp_path):
    with XlsxPackage(hand_made(tmp_path / "h.xlsx")) as package:
        values = package.read_name("in_values")[0]
    assert values == ["rich text", "#N/A", "ab", False]
    assert isinstance(values[1], ErrorValue)


ODD_REFERENCES_SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="b1"><v>2</v></c><c><v>3</v></c><c r="AA1"><v>27</v></c></row><row r="2"><c r="$C$2"><v>3</v></c><c r="A2"><v>1</v></c><c><v>2</v></c></row></sheetData></worksheet>"""


def test_cells_land_in_the_column_their_reference_names_however_it_is_written(tmp_path):
    """References as scripts write them: lower case, with $, missing (the column after the
    cell before), out of order. Each value below is its column's number, so a cell read into
    the wrong column shows."""
    path = hand_made(tmp_path / "odd.xlsx")
    parts = members(path)
    parts["xl/worksheets/sheet2.xml"] = ODD_REFERENCES_SHEET
    write_package(path, parts)
    for _ in range(2):                       # a second package: column numbers already met
        with XlsxPackage(path) as package:
            rows = package.read_range(NameTarget("", "Values", 1, 1, 2, 27))    # A1:AA2
            # A1 blank; B1 = 2 (b1), C1 = 3 (no reference: after B1); AA1 = 27
            assert rows[0][:3] == [None, 2.0, 3.0] and rows[0][26] == 27.0
            # C2 = 3 ($C$2), then A2 = 1 (out of order), then B2 = 2 (after A2)
            assert rows[1][:3] == [1.0, 2.0, 3.0]
            assert [v for v in rows[0][3:26] + rows[1][3:] if v is not None] == []


_LONE_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    '<sheetData><row r="1"><c r="A1"><v>1</v></c></row>')
_EN, _ZH = '<is><t>en</t></is>', '<is><t>zh</t></is>'
#: Row 2 of the Values sheet written in the ways files have it, and what a read of C2 gives.
_LONE_ROWS = {
    "plain": (f'<row r="2" spans="1:3"><c r="A2" t="inlineStr">{_EN}</c>'
              f'<c r="C2" t="inlineStr">{_ZH}</c></row>', "zh"),
    "lower case": (f'<row r="2"><c r="c2" t="inlineStr">{_ZH}</c></row>', "zh"),
    "with $": (f'<row r="2"><c r="$C$2" t="inlineStr">{_ZH}</c></row>', "zh"),
    # the tree keeps the last of two cells in one column
    "twice": (f'<row r="2"><c r="C2" t="inlineStr">{_EN}</c>'
              f'<c r="C2" t="inlineStr">{_ZH}</c></row>', "zh"),
    # no reference: the column after B2
    "no reference": (f'<row r="2"><c r="B2"/><c t="inlineStr">{_ZH}</c></row>', "zh"),
    "row twice": (f'<row r="2"><c r="C2" t="inlineStr">{_EN}</c></row>'
                  f'<row r="2"><c r="C2" t="inlineStr">{_ZH}</c></row>', "zh"),
    # a cell is in the row its element is in, whatever its reference's digits say
    "misplaced": (f'<row r="2"><c r="C2" t="inlineStr">{_EN}</c>'
                  f'<c r="C3" t="inlineStr">{_ZH}</c></row>', "zh"),
    "prefixed": (f'<row r="2" xmlns:x="{ooxml.NS_MAIN}"><c r="C2" t="inlineStr">{_EN}</c>'
                 f'<x:c r="C2" t="inlineStr"><x:is><x:t>zh</x:t></x:is></x:c></row>', "zh"),
    "prefixed row": (f'<row r="2"><c r="C2" t="inlineStr">{_EN}</c></row><x:row r="2" '
                     f'xmlns:x="{ooxml.NS_MAIN}"><x:c r="C2" t="inlineStr"><x:is><x:t>zh</x:t>'
                     f'</x:is></x:c></x:row>', "zh"),
    "commented": (f'<row r="2"><!-- <c r="C2"/> --><c r="C2" t="inlineStr">{_ZH}</c></row>',
                  "zh"),
    "commented out": (f'<!-- <row r="2"><c r="C2" t="inlineStr">{_EN}</c></row> -->', None),
    # a row without its number is the one after the row before: row 2 again
    "unnumbered": (f'<row r="2"><c r="C2" t="inlineStr">{_EN}</c></row><row r="1"/>'
                   f'<row><c r="C2" t="inlineStr">{_ZH}</c></row>', "zh"),
    "no row 2": ('<row r="3"><c r="C3" t="inlineStr"><is><t>zh</t></is></c></row>', None),
    "a formula without its value": ('<row r="2"><c r="C2"><f>"zh"</f></c></row>', '="zh"'),
}


@pytest.mark.parametrize("shape", list(_LONE_ROWS))
def test_a_lone_cell_read_from_the_bytes_is_what_the_whole_sheet_gives(tmp_path, shape):
    # the language cell is read from the Results sheet's bytes, without parsing the sheet
    # (a run only writes that sheet): however the row is written, the value must be the one
    # the parsed sheet gives
    row, expected = _LONE_ROWS[shape]
    path = hand_made(tmp_path / "lone.xlsx")
    parts = members(path)
    parts["xl/worksheets/sheet2.xml"] = _LONE_SHEET_HEAD + row + "</sheetData></worksheet>"
    write_package(path, parts)
    target = NameTarget("meta_language", "Values", 2, 3, 2, 3)                # Values!C2
    with XlsxPackage(path) as package:
        alone = package.read_lone_cell(target)
        parsed = package.parsed("xl/worksheets/sheet2.xml")
    with XlsxPackage(path) as package:
        whole = package.read_range(target)
    assert alone == whole == [[expected]]
    if shape == "plain":
        assert parsed is None                 # found in the bytes: the sheet was not parsed


_SST_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="'
             + ooxml.NS_MAIN + '" count="3" uniqueCount="3">')
#: The first of three shared strings, written in the ways files have it, and the text a cell
#: holding it shows. The plain ones are decoded from the table's bytes, the others
#: parsed alone, and a table written otherwise is parsed whole: each must read as the parsed
#: table gives it.
_SHARED_ITEMS = {
    "plain": ("<si><t>Poland</t></si>", "Poland"),
    "Chinese": ("<si><t>波兰</t></si>", "波兰"),
    "an entity": ("<si><t>R&amp;D &lt;main&gt;</t></si>", "R&D <main>"),
    "a character reference": ("<si><t>&#x6CE2;&#20848;</t></si>", "波兰"),
    "kept spaces": ('<si><t xml:space="preserve"> PL </t></si>', " PL "),
    # a line end is one "\n" whichever way the file writes it; _x000D_ is Excel's own
    # escape for a carriage return that must stay one
    "a Windows line end": ("<si><t>a\r\nb</t></si>", "a\nb"),
    "a carriage return escaped": ("<si><t>a_x000D_b</t></si>", "a\rb"),
    "a greater-than sign": ("<si><t>a > b</t></si>", "a > b"),
    "empty": ("<si><t/></si>", ""),
    "rich text": ("<si><r><rPr><b/></rPr><t>Po</t></r><r><t>land</t></r></si>", "Poland"),
    "a phonetic run": ("<si><t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh>"
                       "<phoneticPr fontId=\"1\"/></si>", "東京"),
    # the whole table parsed: an item written <si/>, items apart, a comment, a prefix,
    # another element among the items, an item's end hidden in a comment or in CDATA
    "self-closed": ("<si/>", ""),
    "apart": ("\n  <si><t>Poland</t></si>\n", "Poland"),
    "after a comment": ("<!-- <si><t>x</t></si> --><si><t>Poland</t></si>", "Poland"),
    "prefixed": (f'<x:si xmlns:x="{ooxml.NS_MAIN}"><x:t>Poland</x:t></x:si>', "Poland"),
    "an element before the items": ("<extLst/><si><t>Poland</t></si>", "Poland"),
    "an element between items": ("<si><t>Poland</t></si><extLst/>", "Poland"),
    "an item's end in a comment": ("<si><t>Poland</t><!-- </si><si> --></si>", "Poland"),
    "an item's end in CDATA": ("<si><t><![CDATA[</si><si>]]></t></si>", "</si><si>"),
}
_SHARED_STRINGS_SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                         f'xmlns="{ooxml.NS_MAIN}"><sheetData><row r="1">'
                         '<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
                         '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>'
                         '</sheetData></worksheet>')


def with_shared_strings(path, table: str | bytes):
    """hand_made with a shared string table, and its Values!A1:D1 holding strings 0 to 3."""
    hand_made(path)
    parts = members(path)
    parts["xl/sharedStrings.xml"] = table.encode() if isinstance(table, str) else table
    parts["xl/worksheets/sheet2.xml"] = _SHARED_STRINGS_SHEET
    parts["xl/_rels/workbook.xml.rels"] = WORKBOOK_RELS.replace(
        "</Relationships>", '<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>")
    return write_package(path, parts)


@pytest.mark.parametrize("shape", list(_SHARED_ITEMS))
def test_shared_strings_read_from_the_bytes_are_what_the_parsed_table_gives(tmp_path, shape,
                                                                            monkeypatch):
    from calculator.workbook import xlsxpackage
    item, expected = _SHARED_ITEMS[shape]
    path = with_shared_strings(tmp_path / "sst.xlsx", _SST_HEAD + item
                               + "<si><t>second</t></si><si><t>last</t></si></sst>")
    target = NameTarget("", "Values", 1, 1, 1, 4)                              # A1:D1
    with XlsxPackage(path) as package:
        from_bytes = package.read_range(target)
        parsed = package.parsed("xl/sharedStrings.xml")
    monkeypatch.setattr(xlsxpackage, "_shared_items", lambda data: None)
    with XlsxPackage(path) as package:
        from_tree = package.read_range(target)
    # strings 0 to 2 as written; 3 is past the table's end, as Excel shows it
    assert from_bytes == from_tree == [[expected, "second", "last", "#REF!"]]
    if shape == "plain":
        assert parsed is None             # found in the bytes: the table was not parsed


@pytest.mark.parametrize("item", ["<si><t>a<b</t></si>", "<si><t>a&b</t></si>",
                                  "<si><t>a\x01b</t></si>", "<si><t>\xff</t></si>"])
def test_a_damaged_shared_string_is_named_never_read_as_garbage(tmp_path, item):
    # an item no parser accepts (a bare "<" or "&", a control character, bytes that are not
    # UTF-8), read from the table's bytes: the read names the part, as the whole table's
    # parse would
    path = with_shared_strings(tmp_path / "sst.xlsx", (_SST_HEAD + "<si><t>first</t></si>")
                               .encode() + item.encode("latin-1") + b"<si><t>last</t></si></sst>")
    with XlsxPackage(path) as package:
        assert package.read_range(NameTarget("", "Values", 1, 1, 1, 1)) == [["first"]]
        with pytest.raises(WorkbookError, match="the part xl/sharedStrings.xml is not "
                                                "well-formed XML"):
            package.read_range(NameTarget("", "Values", 1, 2, 1, 2))


def test_a_sheet_read_without_what_follows_its_rows_is_written_whole(tmp_path):
    # a template's Inputs sheet holds most of its bytes in data validations after its rows,
    # which a read does not parse: the values are what the whole sheet gives, and a write
    # through the same package (a run's) keeps every validation
    validations = "".join(f'<dataValidation type="list" sqref="A{n}"><formula1>"PL,ES,FR"'
                          f"</formula1></dataValidation>" for n in range(1, 60))
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="'
             f'{ooxml.NS_MAIN}"><dimension ref="A1:E1"/><sheetData><row r="1"><c r="A1" '
             f't="inlineStr"><is><t>PL</t></is></c><c r="B1"><v>750</v></c></row></sheetData>'
             f'<dataValidations count="59">{validations}</dataValidations></worksheet>')
    path = hand_made(tmp_path / "v.xlsx")
    parts = members(path)
    parts["xl/worksheets/sheet2.xml"] = sheet
    write_package(path, parts)
    with XlsxPackage(path) as package:
        cut = package.read_name("in_values")
        assert package.parsed("xl/worksheets/sheet2.xml") is None     # a cut tree: not kept
        write_cells(path, {"out_formula": [[3.0]]}, package=package)
    assert cut == [["PL", 750.0, None, None]]
    root = etree.fromstring(members(path)["xl/worksheets/sheet2.xml"])
    assert len(root.findall(f"{M}dataValidations/{M}dataValidation")) == 59
    assert cell_xml(path, "xl/worksheets/sheet2.xml", "E1").findtext(M + "v") == "3"


def test_a_name_target_is_a_value_that_cannot_be_changed(tmp_path):
    """A target is shared by every caller that asks for the same name (get_name keeps its
    answers): none may move it for the others."""
    with XlsxPackage(make_book(tmp_path / "b.xlsx")) as package:
        target = package.get_name("out_row")
        assert package.get_name("OUT_ROW") is target
        with pytest.raises(dataclasses.FrozenInstanceError):
            target.min_row = 1
        twin = NameTarget("out_row", "Q3 'final' results", 3, 1, 3, 3)
        assert twin == target and hash(twin) == hash(target) and {twin: 1}[target] == 1
        assert dataclasses.replace(target, max_row=4).shape == (2, 3)


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "book.xml",
                                  "/xl/workbook.xml", "xl//a.xml", "xl/./a.xml", "./a.xml",
                                  "xl/a/", "xl/b/../a.xml", "xl/.hidden/a.xml", "a..b/c.xml", ""])
def test_relationship_parts_and_targets_are_where_paths_put_them(part):
    """Where a part's relationships live and where a relative target points, as POSIX paths
    (pathlib, the reference) put them: plain part names are split without pathlib."""
    path = pathlib.PurePosixPath(part)
    assert ooxml.rels_part(part) == f"{path.parent}/_rels/{path.name}.rels".lstrip("/")
    for target in ("sheet2.xml", "../tables/table1.xml", "./a.xml", "/xl/styles.xml"):
        expected = [] if not target.startswith("/") else None
        if expected is not None:
            for piece in f"{path.parent}/{target}".split("/"):
                if piece == "..":
                    expected = expected[:-1]
                elif piece not in ("", "."):
                    expected.append(piece)
        assert ooxml.resolve(part, target) == ("xl/styles.xml" if expected is None
                                               else "/".join(expected))


def test_a_sheet_read_a_row_at_a_time_gives_what_a_whole_read_gives(tmp_path, monkeypatch):
    # small sheets are decoded row by row as names ask for them (a run reads a few cells of
    # the Results sheet); big ones in one pass. Both must give every value alike: the typed
    # values of make_book (number, shared string, date, boolean, blank, a table's rows) and
    # hand_made's inline rich text, error, formula result and boolean
    from calculator.workbook import xlsxpackage

    def everything(path, names):
        with XlsxPackage(path) as package:
            values = {name: package.read_name(name) for name in names}
            values["table"] = package.read_table("SKUs") if "SKUs" in package.tables() else None
        return values
    books = [(make_book(tmp_path / "b.xlsx"), ["in_weight", "in_market", "in_date", "in_flag",
                                                "in_blank", "out_row", "out_total"]),
             (hand_made(tmp_path / "h.xlsx"), ["in_values"])]
    by_row = [everything(path, names) for path, names in books]
    monkeypatch.setattr(xlsxpackage, "KEEP_SHEET_TREE_BELOW_BYTES", 0)
    whole = [everything(path, names) for path, names in books]
    assert by_row == whole
    assert by_row[0]["in_date"] == [[dt.datetime(2026, 12, 1)]]
    assert by_row[1]["in_values"] == [["rich text", "#N/A", "ab", False]]


def test_a_table_read_a_column_at_a_time_gives_what_a_whole_read_gives(tmp_path):
    # a run reads the Rates table's key and value columns only, not its units and notes:
    # make_book's SKUs table is B2:D4 (sku, weight_g, price_usd); any order of partial and
    # whole reads in one package gives the cells a whole read gives
    from calculator.workbook.io import PackageWorkbook
    path = make_book(tmp_path / "b.xlsx")
    with XlsxPackage(path) as package:
        whole = package.read_table("SKUs")
    with XlsxPackage(path) as package:
        assert package.read_table("SKUs", span=(2, 2)) == (["price_usd"], [[9.5], [None]])
        assert package.read_table("SKUs", span=(1, 2)) == (["weight_g", "price_usd"],
                                                           [[500.0, 9.5], [1200.0, None]])
        assert package.read_table("SKUs", span=(0, 0)) == (["sku"], [["A-1"], ["B-2"]])
        assert package.read_table("SKUs") == whole
    with PackageWorkbook(path, guard=False) as book:
        price = book.read_table("SKUs", columns=("price_usd",))
        both = book.read_table("SKUs", columns=("price_usd", "SKU"))
        unknown = book.read_table("SKUs", columns=("price_usd", "colour"))
    # the price column is D: its cells are named from the table's first column read
    assert (price.columns, price.rows, price.first_column) == (["price_usd"], [[9.5], [None]], 4)
    assert (both.columns, both.first_column) == (["sku", "weight_g", "price_usd"], 2)
    assert (unknown.columns, unknown.rows) == (whole[0], whole[1])     # all of it, never less


def test_a_name_to_a_deleted_sheet_is_an_error_naming_it(tmp_path):
    with XlsxPackage(hand_made(tmp_path / "h.xlsx")) as package:
        with pytest.raises(WorkbookError, match="broken.*#REF!") as broken:
            package.get_name("broken")
        with pytest.raises(WorkbookError, match="gone.*'Deleted'") as gone:
            package.get_name("gone")
    assert broken.value.kind is gone.value.kind is Kind.LAYOUT


def test_tables_are_found_with_columns_and_data_rows(tmp_path):
    with XlsxPackage(make_book(tmp_path / "b.xlsx")) as package:
        info = package.tables()["SKUs"]
        assert (info.sheet, info.min_row, info.min_col, info.header_row_count) == ("SKUs", 2, 2, 1)
        columns, rows = package.read_table("skus")
    assert columns == ["sku", "weight_g", "price_usd"]
    assert rows == [["A-1", 500.0, 9.5], ["B-2", 1200.0, None]]


def test_not_a_workbook_is_named_as_such(tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(WorkbookError, match="empty.xlsx: not an Excel workbook") as not_zip:
        XlsxPackage(empty)
    other = write_package(tmp_path / "other.xlsx", {"hello.txt": "hi"})
    with pytest.raises(WorkbookError, match="without xl/workbook.xml") as no_workbook:
        XlsxPackage(other)
    assert not_zip.value.kind is no_workbook.value.kind is Kind.DAMAGED
    with pytest.raises(WorkbookError, match="no such file") as missing:
        XlsxPackage(tmp_path / "never-made.xlsx")
    assert missing.value.kind is Kind.NOT_FOUND


def test_a_dtd_is_refused_before_any_entity_is_expanded(tmp_path):
    bomb = WORKBOOK.replace('<workbook ', '<!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa">'
                            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<workbook ', 1)
    path = hand_made(tmp_path / "bomb.xlsx")
    parts = members(path)
    parts["xl/workbook.xml"] = bomb.encode()
    write_package(path, parts)
    with pytest.raises(WorkbookError, match="DTD") as refused:
        XlsxPackage(path)
    assert refused.value.kind is Kind.UNSAFE


@pytest.mark.parametrize("where", [0.25, 0.5, 0.9])
def test_a_damaged_part_is_named_never_read_as_garbage(tmp_path, where):
    # one byte of the SKUs sheet's stored (deflated) data changed, as a bad disk or a cut
    # download would: its CRC no longer checks out, whichever byte it is, and the read says
    # which part is damaged instead of giving other values
    path = make_book(tmp_path / "b.xlsx")
    with XlsxPackage(path) as package:
        part = package.sheet_part("SKUs")
        info = package._members[part]
        start = package._data_offset(info)
    data = bytearray(path.read_bytes())
    data[start + int(info.compress_size * where)] ^= 0x55
    path.write_bytes(bytes(data))
    with XlsxPackage(path) as package:
        with pytest.raises(WorkbookError, match=f"the part {part} cannot be unpacked .*; the "
                                                f"file is damaged"):
            package.read_table("SKUs")


def test_a_part_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    path = make_book(tmp_path / "b.xlsx")
    with XlsxPackage(path) as package:
        monkeypatch.setattr(xmlsafe, "MAX_PART_BYTES", 500)    # the SKUs sheet is bigger than this
        with pytest.raises(WorkbookError, match="zip bomb") as refused:
            package.read_table("SKUs")
    assert refused.value.kind is Kind.UNSAFE


# --- writing ------------------------------------------------------------------------------

UPDATES = {
    "out_total": [["=HYPERLINK(\"http://x\")"]],     # user text that looks like a formula
    "out_row": [[1.5, True, "three"]],
    "out_new_rows": [[dt.date(2026, 12, 8), None], [None, 42]],
    "out_when": [[dt.datetime(2026, 12, 31, 23, 59, 59)]],
    "out_big": [[None]] * 5000,
}


def test_written_values_read_back_in_openpyxl_with_their_types(tmp_path):
    book = make_book(tmp_path / "b.xlsx")
    write_cells(book, UPDATES)
    sheet = openpyxl.load_workbook(book)["Q3 'final' results"]
    assert sheet["A1"].value == '=HYPERLINK("http://x")' and sheet["A1"].data_type == "s"
    assert sheet["A1"].font.b                        # the cell kept its bold money style
    assert [sheet["A3"].value, sheet["B3"].value, sheet["C3"].value] == [1.5, True, "three"]
    assert sheet["B7"].value == dt.datetime(2026, 12, 8)   # a date, in a date-formatted cell
    assert sheet["C8"].value == 42 and sheet["C7"].value is None
    assert sheet["C5"].value == dt.datetime(2026, 12, 31, 23, 59, 59)
    assert sheet["C5"].number_format == "yyyy-mm-dd"   # kept its own date style
    assert sheet["D1"].value == "=1+1"                 # the user's formula untouched


def test_text_is_an_inline_string_and_blank_ranges_create_no_cells(tmp_path):
    book = make_book(tmp_path / "b.xlsx")
    before = members(book)
    write_cells(book, UPDATES)
    part = "xl/worksheets/sheet2.xml"
    assert cell_xml(book, part, "A1").get("t") == "inlineStr"
    assert before["xl/sharedStrings.xml"] == members(book)["xl/sharedStrings.xml"]
    # 5,000 blank outputs on rows that do not exist must not bloat the sheet
    assert cell_xml(book, part, "H4000") is None
    root = etree.fromstring(members(book)[part])
    numbers = [int(r.get("r")) for r in root.iter(M + "row")]
    assert numbers == sorted(numbers) and max(numbers) == 8
    refs = [c.get("r") for c in next(r for r in root.iter(M + "row") if r.get("r") == "3")]
    assert refs == ["A3", "B3", "C3"]                  # B3 created between A3 and C3


def test_only_the_output_sheet_changes(tmp_path):
    book = make_book(tmp_path / "b.xlsx")
    before = members(book)
    # XlsxWriter already asks for a full recalculation on load, so workbook.xml stays as it is
    assert b'fullCalcOnLoad="1"' in before["xl/workbook.xml"]
    write_cells(book, UPDATES)
    after = members(book)
    assert set(after) == set(before)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"xl/worksheets/sheet2.xml"}


def test_the_output_sheet_is_unchanged_outside_the_output_cells(tmp_path):
    book = make_book(tmp_path / "b.xlsx")
    part = "xl/worksheets/sheet2.xml"
    before = etree.fromstring(members(book)[part])
    write_cells(book, {"out_total": [[99]]})
    after = etree.fromstring(members(book)[part])

    def masked(root):
        for cell in root.iter(M + "c"):
            if cell.get("r") == "A1":
                for child in list(cell):
                    cell.remove(child)
                cell.attrib.pop("t", None)
        return etree.tostring(root, method="c14n")
    assert masked(before) == masked(after)


def test_a_rerun_gives_the_same_bytes(tmp_path):
    book = make_book(tmp_path / "b.xlsx")
    write_cells(book, UPDATES)
    first = book.read_bytes()
    write_cells(book, UPDATES)
    assert book.read_bytes() == first


def test_writes_into_an_empty_sheet_and_drops_the_calc_chain_of_a_lost_formula(tmp_path):
    book = hand_made(tmp_path / "h.xlsx")
    write_cells(book, {"out_empty": [["a", 1], [2, "b"]], "out_formula": [[5]]})
    parts = members(book)
    assert "xl/calcChain.xml" not in parts
    assert b"calcChain" not in parts["[Content_Types].xml"]
    assert b"calcChain" not in parts["xl/_rels/workbook.xml.rels"]
    wb = openpyxl.load_workbook(book)
    assert [[c.value for c in row] for row in wb["Empty"]["B2:C3"]] == [["a", 1], [2, "b"]]
    assert wb["Values"]["E1"].value == 5
    dimension = etree.fromstring(parts["xl/worksheets/sheet1.xml"]).find(M + "dimension")
    assert dimension.get("ref") == "A1:C3"            # grown to cover the new cells
    calc = etree.fromstring(parts["xl/workbook.xml"]).find(M + "calcPr")
    assert calc.get("fullCalcOnLoad") == "1"          # added where the schema wants it:
    assert calc.getprevious().tag == M + "definedNames"  # right after the defined names


def test_a_block_larger_than_its_range_is_refused_and_nothing_written(tmp_path):
    book = make_book(tmp_path / "b.xlsx")
    before = book.read_bytes()
    with pytest.raises(WorkbookError, match="out_row has room for 1×3 cells") as no_room:
        write_cells(book, {"out_row": [[1, 2, 3, 4]]})
    assert no_room.value.kind is Kind.LAYOUT
    assert book.read_bytes() == before


def test_a_crash_before_the_replace_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    book = make_book(tmp_path / "b.xlsx")
    before = book.read_bytes()

    def crash(*args):
        raise KeyboardInterrupt("killed")
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_cells(book, UPDATES)
    assert book.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["b.xlsx"]


def test_permissions_are_kept_and_read_only_files_refused(tmp_path):
    book = make_book(tmp_path / "b.xlsx")
    os.chmod(book, 0o640)
    write_cells(book, UPDATES)
    assert stat.S_IMODE(os.stat(book).st_mode) == 0o640
    os.chmod(book, 0o440)
    before = book.read_bytes()
    with pytest.raises(WorkbookError, match="read-only") as read_only:
        write_cells(book, UPDATES)
    assert read_only.value.kind is Kind.LOCKED
    assert book.read_bytes() == before


def test_writing_to_a_copy_leaves_the_source_alone(tmp_path):
    book = make_book(tmp_path / "b.xlsx")
    before = book.read_bytes()
    copy = tmp_path / "out" / "b.xlsx"
    copy.parent.mkdir()
    write_cells(book, UPDATES, copy)
    assert book.read_bytes() == before
    assert openpyxl.load_workbook(copy)["Q3 'final' results"]["C3"].value == "three"


def test_stale_temp_files_are_cleaned_and_nothing_else(tmp_path):
    # a temp without a process in its name is a leftover only once it is an hour old
    old = tmp_path / f"{TEMP_PREFIX}abc.xlsx"
    old.write_bytes(b"half")
    recent = tmp_path / f"{TEMP_PREFIX}def.xlsx"
    recent.write_bytes(b"half")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    keep = tmp_path / "store.xlsx"
    keep.write_bytes(b"x")
    removed = cleanup_stale_temps(tmp_path)
    assert [p.name for p in removed] == [f"{TEMP_PREFIX}abc.xlsx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [recent.name, "store.xlsx"]


def test_a_resizable_name_grows_and_shrinks_with_its_block(tmp_path):
    book = make_book(tmp_path / "b.xlsx")
    rows = [["sku", "margin"]] + [[f"S{i}", i / 100] for i in range(6)]
    write_cells(book, {"out_new_rows": rows}, resize=["out_new_rows"])
    with XlsxPackage(book) as package:
        assert package.get_name("out_new_rows").shape == (7, 2)
        assert package.read_name("out_new_rows") == rows
    write_cells(book, {"out_new_rows": rows[:3]}, resize=["out_new_rows"])
    with XlsxPackage(book) as package:
        assert package.get_name("out_new_rows").shape == (3, 2)
        # the rows of the longer run are cleared, not left behind as stale results
        sheet = package._cells("Q3 'final' results")
        assert (13, 2) not in sheet and sheet[(9, 3)] == 0.01


def test_a_second_write_over_the_first_changes_kinds_and_values_correctly(tmp_path):
    # a re-run updates values in place; a value of another kind must still be written right
    book = make_book(tmp_path / "b.xlsx")
    write_cells(book, {"out_row": [[1.5, "two", "three"]]})
    write_cells(book, {"out_row": [["now text", 2, " padded "]]})
    sheet = openpyxl.load_workbook(book)["Q3 'final' results"]
    assert [sheet["A3"].value, sheet["B3"].value, sheet["C3"].value] == \
        ["now text", 2, " padded "]
    write_cells(book, {"out_row": [[7, True, None]]})
    sheet = openpyxl.load_workbook(book)["Q3 'final' results"]
    assert [sheet["A3"].value, sheet["B3"].value, sheet["C3"].value] == [7, True, None]
    assert sheet["A3"].data_type == "n" and sheet["B3"].data_type == "b"


@pytest.mark.slow
def test_streamed_and_tree_patches_give_the_same_sheet(tmp_path, monkeypatch):
    # a real store workbook with 300 SKUs (1,200 SKU x plan rows written), patched both ways
    from calculator.workbook.batch import run_batch
    skus = [dict(sku=f"S{i}", category="general", weight_g=100 + 7 * i, price_usd=10 + i % 40,
                 orders_per_month=i % 25) for i in range(300)]
    stamp = dt.datetime(2026, 12, 1, 9, 0)
    results = {}
    for mode, limit in (("tree", 2**62), ("streamed", 0)):
        monkeypatch.setattr(writer, "STREAM_ABOVE_BYTES", limit)
        book = build_store(tmp_path / mode / "store.xlsx", values=STORE, skus=skus)
        run_batch([book.parent], calculated_at=stamp)
        run_batch([book.parent], calculated_at=stamp)      # the re-run path, in place
        with zipfile.ZipFile(book) as package:
            results[mode] = {n: package.read(n) for n in package.namelist()}
    assert results["tree"].keys() == results["streamed"].keys()
    for name, data in results["tree"].items():
        if name.startswith("xl/worksheets/"):
            assert etree.tostring(etree.fromstring(data), method="c14n") == etree.tostring(
                etree.fromstring(results["streamed"][name]), method="c14n"), name
        else:
            assert data == results["streamed"][name], name


def compressed(path) -> dict[str, bytes]:
    """Each member's bytes as stored in the file (still compressed), from its local header."""
    import struct
    found = {}
    with zipfile.ZipFile(path) as z, open(path, "rb") as raw:
        for info in z.infolist():
            raw.seek(info.header_offset + 26)
            name_length, extra_length = struct.unpack("<HH", raw.read(4))
            raw.seek(info.header_offset + 30 + name_length + extra_length)
            found[info.filename] = raw.read(info.compress_size)
    return found


def test_parts_a_run_does_not_change_are_copied_without_recompressing(tmp_path):
    # a big data sheet of the user's must cost its I/O only: its stored bytes are copied as they
    # are (so also whatever compression level the saving program chose)
    book = make_book(tmp_path / "b.xlsx")
    before = compressed(book)
    write_cells(book, UPDATES)
    after = compressed(book)
    output_sheet = XlsxPackage(book).sheet_part("Q3 'final' results")
    unchanged = set(before) - {output_sheet, "xl/workbook.xml"}
    assert unchanged and all(after[name] == before[name] for name in unchanged)
    assert zipfile.ZipFile(book).testzip() is None          # every CRC checks out


def test_a_package_saved_with_data_descriptors_is_copied_whole(tmp_path):
    # zip writers that stream (no seeking back) put the sizes after each part, not in its header
    class Unseekable:
        def __init__(self, handle):
            self.handle = handle

        def write(self, data):
            return self.handle.write(data)

        def flush(self):
            self.handle.flush()

        def tell(self):
            return self.handle.tell()
    source = make_book(tmp_path / "b.xlsx")
    streamed = tmp_path / "streamed.xlsx"
    with zipfile.ZipFile(source) as z, open(streamed, "wb") as handle:
        with zipfile.ZipFile(Unseekable(handle), "w", zipfile.ZIP_DEFLATED) as out:
            for info in z.infolist():
                out.writestr(info.filename, z.read(info))
        assert all(info.flag_bits & 0x08 for info in zipfile.ZipFile(streamed).infolist())
    write_cells(streamed, UPDATES)
    assert zipfile.ZipFile(streamed).testzip() is None
    assert openpyxl.load_workbook(streamed)["SKUs"]["B3"].value == "A-1"


def test_a_text_over_excels_cell_limit_is_cut_with_a_note_naming_the_cell(tmp_path):
    # Excel refuses to open a cell of more than 32,767 characters: a 40,000-character text
    # (a pasted SKU list in a status line) is cut to 32,767, the note names Results!B3 (where
    # out_status lies in the template), and the caller's block is left as it was
    from calculator.workbook.namecheck import EXCEL_CELL_CHARS, cut_long_text
    book = build_store(tmp_path / "s.xlsx", "en", values=STORE)
    long_text = "x" * 40_000
    blocks = {"out_status": [[long_text]], "out_results": [["scenario", 1.5], ("baseline", 2)]}
    with XlsxPackage(book) as package:
        where = package.get_name("out_status").top_left
        fitted, notes = cut_long_text(package, blocks, "s.xlsx")
    assert EXCEL_CELL_CHARS == 32_767
    assert fitted["out_status"] == [["x" * 32_767]]
    assert notes == [f"s.xlsx: Results!{where} out_status: a text of 40,000 characters was "
                     f"cut to Excel's limit of 32,767"]
    assert blocks["out_status"] == [[long_text]]                  # not changed in place
    assert fitted["out_results"] == [["scenario", 1.5], ["baseline", 2]]
