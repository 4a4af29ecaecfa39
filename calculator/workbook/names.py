"""The workbook-level parts a write touches besides the sheets: the calculation settings
(recalculate on open), the calculation chain (dropped when a formula cell was overwritten, as
Excel would rebuild it), and defined names that take the size of their block."""
from __future__ import annotations

from typing import Mapping

from lxml import etree

from calculator.workbook import xmlsafe
from calculator.workbook.cellref import NameTarget, range_reference
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
