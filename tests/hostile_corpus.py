"""Broken and hostile workbooks, generated at test time (nothing binary is committed).

    python -m tests.hostile_corpus [FOLDER]      (default tests/corpus/, which git ignores)

Each entry: file name -> (what it is, the words its error message must contain). An entry
whose words are None is a workbook that must calculate.
"""
from __future__ import annotations

import datetime as dt
import random
import sys
import zipfile
from pathlib import Path

import openpyxl
from lxml import etree

from calculator.workbook import contract as c
from calculator.workbook.writer import write_cells
from calculator.workbook.xlsxpackage import XlsxPackage
from tests.stores import STORE, build_store

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def input_cell(name: str) -> str:
    return f"Inputs!C{c.INPUT_FIRST_ROW + [s.name for s in c.INPUTS].index(name)}"


#: Wrong values typed into one input each: file stem -> (input, value, words of the message).
WRONG_INPUTS = {
    "text-in-number": ("in_gmv_m1", "lots", ["in_gmv_m1", "expected an amount in USD",
                                             "found 'lots'"]),
    "text-in-date": ("in_eval_date", "next week", ["in_eval_date", "expected a date"]),
    "date-before-1900": ("in_store_opened", -5, ["in_store_opened", "expected a date"]),
    "negative-weight": ("in_parcel_weight_g", -750, ["in_parcel_weight_g", "> 0"]),
    "infinite-number": ("in_aov_usd", "1e999", ["in_aov_usd", "found '1e999'"]),
    "absurdly-large": ("in_gmv_m3", 1e300, ["in_gmv_m3", "a typing mistake"]),
    "opened-after-t0": ("in_store_opened", dt.date(2027, 1, 15), ["in_store_opened",
                                                                  "after"]),
    "unknown-market": ("in_market", "XX", ["in_market", "one of", "found 'XX'"]),
    "unknown-category": ("in_category", "toys", ["in_category", "one of", "found 'toys'"]),
    "percent-as-40": ("in_cogs_pct", 40, ["in_cogs_pct", "40%"]),
    "formula-text-plus": ("in_market", "+cmd|' /C calc'!A0", ["in_market", "one of"]),
    "formula-text-at": ("in_category", "@SUM(1+1)*cmd", ["in_category", "one of"]),
}


def _store(path: Path, **changes) -> Path:
    return build_store(path, values={**STORE, **changes})


def _set_error_cell(path: Path, name: str, error: str) -> None:
    """Put an Excel error value (what a failed formula leaves, e.g. #NUM!) into a named cell."""
    target = XlsxPackage(path).get_name(name)
    package = XlsxPackage(path)
    part = package.sheet_part(target.sheet)
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    root = etree.fromstring(dict((i.filename, d) for i, d in items)[part])
    for cell in root.iter(f"{{{NS}}}c"):
        if cell.get("r") == target.top_left:
            for child in list(cell):
                cell.remove(child)
            cell.set("t", "e")
            etree.SubElement(cell, f"{{{NS}}}v").text = error
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    _rewrite(path, {part: data}, items)


def _rewrite(path: Path, replace: dict[str, bytes], items=None) -> None:
    if items is None:
        with zipfile.ZipFile(path) as source:
            items = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            out.writestr(info.filename, replace.get(info.filename, data))


def build_hostile(folder: str | Path, bomb_mb: int = 300) -> dict[str, tuple[str, list | None]]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    expect: dict[str, tuple[str, list | None]] = {}

    (folder / "empty.xlsx").write_bytes(b"")
    expect["empty.xlsx"] = ("an empty file", ["empty.xlsx", "not"])
    rng = random.Random(7)
    (folder / "random-bytes.xlsx").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    expect["random-bytes.xlsx"] = ("random bytes", ["random-bytes.xlsx", "not"])
    with zipfile.ZipFile(folder / "zip-not-workbook.xlsx", "w") as z:
        z.writestr("notes.txt", "just a zip")
    expect["zip-not-workbook.xlsx"] = ("a zip that is not a workbook",
                                       ["zip-not-workbook.xlsx", "not"])
    other = openpyxl.Workbook()
    other.active["A1"] = "someone else's budget"
    other.save(folder / "someone-else.xlsx")
    expect["someone-else.xlsx"] = ("a workbook without our names",
                                   ["someone-else.xlsx", "not an aeroi workbook"])

    path = _store(folder / "name-to-deleted-sheet.xlsx")
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode()
    target = XlsxPackage(path).get_name("in_gmv_m1")
    workbook = workbook.replace(f">Inputs!$C${target.min_row}<", ">#REF!$C$1<", 1)
    _rewrite(path, {"xl/workbook.xml": workbook.encode()})
    expect[path.name] = ("a defined name to a deleted sheet", ["in_gmv_m1", "#REF!"])

    for stem, (name, value, words) in WRONG_INPUTS.items():
        path = _store(folder / f"{stem}.xlsx")
        write_cells(path, {name: [[value]]})
        expect[path.name] = (f"{name} = {value!r}", [path.name] + words)
    path = _store(folder / "error-value-nan.xlsx")
    _set_error_cell(path, "in_gmv_m2", "#NUM!")
    expect[path.name] = ("#NUM! (a NaN) in a number", ["in_gmv_m2", "#NUM!"])

    # formula-looking text where it is allowed: SKU names; the store calculates and the text
    # stays text in what we write
    skus = [dict(sku=text, category="general", weight_g=500, price_usd=20, orders_per_month=10)
            for text in ('=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)",
                         "-2+3")]
    build_store(folder / "formula-like-sku-names.xlsx", values=STORE, skus=skus)
    expect["formula-like-sku-names.xlsx"] = ("SKU names that look like formulas", None)

    # an XML entity bomb in the workbook part
    path = _store(folder / "entity-bomb.xlsx")
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode()
    lol = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">'
                                     for i in range(1, 10)]
    bomb = workbook.replace("?>", '?><!DOCTYPE workbook [' + "".join(lol) + "]>", 1)
    bomb = bomb.replace("<sheets>", "<sheets><!-- &lol9; -->", 1)
    _rewrite(path, {"xl/workbook.xml": bomb.encode()})
    expect[path.name] = ("an XML entity bomb", ["entity-bomb.xlsx", "DTD"])

    # a zip bomb: the Results sheet inflates to bomb_mb MB of spaces
    path = _store(folder / "zip-bomb.xlsx")
    part = XlsxPackage(path).sheet_part(c.INPUTS_SHEET)
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info, data in items:
            if info.filename != part:
                out.writestr(info.filename, data)
                continue
            with out.open(part, "w", force_zip64=True) as sink:
                head, _, tail = data.partition(b"<sheetData>")
                sink.write(head + b"<sheetData>")
                block = b" " * (1 << 20)
                for _ in range(bomb_mb):
                    sink.write(block)
                sink.write(tail)
    expect[path.name] = ("a zip bomb", ["zip-bomb.xlsx", "size limit", "zip bomb"])

    # a workbook open in Excel: its owner lock file beside it (skipped, named, left alone)
    (folder / "~$open-in-excel.xlsx").write_bytes(b"owner lock")
    _store(folder / "open-in-excel.xlsx")
    _store(folder / "good.xlsx")
    expect["good.xlsx"] = ("a good workbook beside all of these", None)
    return expect


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "corpus"
    for name, (what, _) in build_hostile(out).items():
        print(f"{name}: {what}")
