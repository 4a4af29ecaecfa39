"""The workbook-level parts a write touches besides the sheets: the calculation settings
(recalculate on open), the calculation chain (dropped when a formula cell was overwritten, as
Excel would rebuild it), and defined names that take the size of their block."""
from __future__ import annotations

import re
from typing import Mapping

from lxml import etree

from calculator.workbook import xmlsafe
from calculator.workbook.cellref import NameTarget, column_letter, range_reference, split_cell
from calculator.workbook.ooxml import M, REL_CALC_CHAIN, rels_part
from calculator.workbook.xlsxpackage import XlsxPackage

# Elements of <workbook> after which <calcPr> may stand (CT_Workbook sequence).
_BEFORE_CALCPR = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews",
                  "sheets", "functionGroups", "externalReferences", "definedNames")


def set_full_calc(root) -> bool:
    """Ask Excel and LibreOffice to recalculate everything on open. True if changed."""
    calc = root.find(M + "calcPr")
    if calc is not None:
        if calc.get("fullCalcOnLoad") in ("1", "true"):
            return False
        calc.set("fullCalcOnLoad", "1")
        return True
    calc = etree.Element(M + "calcPr")
    calc.set("fullCalcOnLoad", "1")
    anchor = None
    for child in root:
        if isinstance(child.tag, str) and child.tag.startswith(M) \
                and child.tag[len(M):] in _BEFORE_CALCPR:
            anchor = child
    if anchor is None:
        root.insert(0, calc)
    else:
        anchor.addnext(calc)
    return True


def drop_calc_chain(package: XlsxPackage, replaced: dict[str, bytes], dropped: set[str]) -> None:
    chain = next((p for t, p in package.relationships("xl/workbook.xml").values()
                  if t == REL_CALC_CHAIN), None)
    if chain is None:
        return
    dropped.add(chain)
    workbook_rels = rels_part("xl/workbook.xml")
    rels = package.xml(workbook_rels)
    for rel in list(rels):
        if rel.get("Type") == REL_CALC_CHAIN:
            rels.remove(rel)
    replaced[workbook_rels] = xmlsafe.serialise(rels)
    types = package.xml("[Content_Types].xml")
    for override in list(types):
        if override.get("PartName", "").lstrip("/") == chain:
            types.remove(override)
    replaced["[Content_Types].xml"] = xmlsafe.serialise(types)


def resize_names(root, package: XlsxPackage, resized: Mapping[str, NameTarget]) -> None:
    for node in root.iterfind(f"{M}definedNames/{M}definedName"):
        target = resized.get(node.get("name", ""))
        if target is None:
            continue
        local = node.get("localSheetId")
        scope = package.sheet_order[int(local)] if local is not None else None
        if scope == target.scope:
            node.text = range_reference(target.sheet, target.min_row, target.min_col,
                                        target.max_row, target.max_col)


def set_table_ref(table_root, ref: str) -> None:
    """A table part's range, and its filter's with it (they must agree, or Excel repairs)."""
    table_root.set("ref", ref)
    autofilter = table_root.find(M + "autoFilter")
    if autofilter is not None:
        autofilter.set("ref", ref)


def extend_table(package: XlsxPackage, name: str, last_row: int,
                 replaced: dict[str, bytes]) -> None:
    """Extend the Excel table ``name`` down to ``last_row`` (rows typed under it, read as its
    own): only its table part changes (its ref and its filter's), plus the sheet's dimension
    when that does not reach the new rows."""
    info = package.find_table(name)
    if info is None or info.part is None or last_row <= info.max_row:
        return
    root = package.xml(info.part)
    set_table_ref(root, f"{column_letter(info.min_col)}{info.min_row}:"
                        f"{column_letter(info.max_col)}{last_row}")
    replaced[info.part] = xmlsafe.serialise(root)
    part = package.sheet_part(info.sheet)
    if part in replaced:
        return
    chunks = package.iter_part(part)
    try:
        head = next(chunks, b"")[:4096]
    finally:
        chunks.close()
    match = _DIMENSION.search(head)
    if match is None:
        return
    first, _, last = match.group(2).decode("ascii").partition(":")
    try:
        r1, c1 = split_cell(first)
        r2, c2 = split_cell(last or first)
    except ValueError:
        return
    if r2 >= last_row and c2 >= info.max_col:
        return
    wider = f"{column_letter(c1)}{r1}:{column_letter(max(c2, info.max_col))}{max(r2, last_row)}"
    data = package.read_part(part)
    replaced[part] = _DIMENSION.sub(lambda m: m.group(1) + wider.encode("ascii") + m.group(3),
                                    data, count=1)


_DIMENSION = re.compile(rb'(<(?:\w+:)?dimension\s+ref=")([^"]*)(")')
