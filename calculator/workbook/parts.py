"""An editable set of the parts of a workbook package (name -> bytes), with the content types
and relationships that tie them together: what ``aeroi upgrade`` builds the upgraded workbook
in before it is written (write_zip) beside the old one."""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from typing import Iterable, Sequence

from lxml import etree

from calculator.workbook import ooxml, xmlsafe
from calculator.workbook.ooxml import NS_CT, NS_MAIN, NS_PKG_REL, NS_REL
from calculator.workbook.cellref import NameTarget
from calculator.workbook.xlsxpackage import XlsxPackage

REL_WORKSHEET = NS_REL + "/worksheet"
REL_DRAWING = NS_REL + "/drawing"
REL_VML = NS_REL + "/vmlDrawing"
REL_COMMENTS = NS_REL + "/comments"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
REL_VBA_SIGNATURE = "http://schemas.microsoft.com/office/2006/relationships/vbaProjectSignature"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_M = "{%s}" % NS_MAIN
_R = "{%s}" % NS_REL
_PR = "{%s}" % NS_PKG_REL
_CT = "{%s}" % NS_CT
REL_THREADED = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"


def template_cells_of(rows: dict[str, list[list[int]]]) -> set[tuple[int, int]]:
    """(row, column) of every cell in contract_v1.json's row -> runs of columns."""
    return {(int(row), col) for row, runs in rows.items()
            for first, last in runs for col in range(first, last + 1)}


def rows_under(package, info, width_cols: tuple[int, int]) -> list[list[object]]:
    """Rows typed right under a table (LibreOffice does not grow a table): up to the first
    blank row."""
    rows = []
    row, chunk = info.max_row + 1, 1024
    while True:
        block = package.read_range(NameTarget("", info.sheet, row, width_cols[0],
                                              row + chunk - 1, width_cols[1]))
        for line in block:
            if all(blank(v) for v in line):
                return rows
            rows.append(line)
        row += chunk


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- the package being put together ---------------------------------------------------------

def parse_part(data: bytes, part: str = "a part"):
    return xmlsafe.parse_xml(data, "the upgraded workbook", part)


serialise = xmlsafe.serialise
rels_part = ooxml.rels_part
resolve = ooxml.resolve


def relative(base: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(base) or ".")


class Parts:
    """An ordered set of package parts (name -> bytes) with content types and relationships."""

    def __init__(self, names: Iterable[str], read):
        self.data: dict[str, bytes] = {name: read(name) for name in names}
        self.types = parse_part(self.data["[Content_Types].xml"])

    def rels(self, part: str) -> list[etree._Element]:
        rels = rels_part(part)
        if rels not in self.data:
            return []
        return list(parse_part(self.data[rels]).iter(_PR + "Relationship"))

    def targets(self, part: str) -> list[tuple[str, str, str]]:
        """(Id, Type, resolved part) of the internal relationships of ``part``."""
        return [(rel.get("Id"), rel.get("Type", ""), resolve(part, rel.get("Target", "")))
                for rel in self.rels(part) if rel.get("TargetMode") != "External"]

    def content_type(self, part: str) -> str | None:
        for node in self.types.iterfind(_CT + "Override"):
            if node.get("PartName", "").lstrip("/") == part:
                return node.get("ContentType")
        extension = part.rsplit(".", 1)[-1].lower()
        for node in self.types.iterfind(_CT + "Default"):
            if node.get("Extension", "").lower() == extension:
                return node.get("ContentType")
        return None

    def free_name(self, like: str) -> str:
        """An unused part name in the folder of ``like`` (drawing1.xml -> drawing7.xml)."""
        head, tail = posixpath.split(like)
        stem, dot, extension = tail.rpartition(".")
        base = re.sub(r"\d+$", "", stem)
        number = 1
        while True:
            name = posixpath.join(head, f"{base}{number}.{extension}")
            if name not in self.data:
                return name
            number += 1

    def set_type(self, part: str, content_type: str | None, default_types: dict[str, str]):
        for node in list(self.types.iterfind(_CT + "Override")):
            if node.get("PartName", "").lstrip("/") == part:
                self.types.remove(node)
        if content_type is None:
            return
        extension = part.rsplit(".", 1)[-1].lower()
        defaults = {n.get("Extension", "").lower(): n.get("ContentType")
                    for n in self.types.iterfind(_CT + "Default")}
        if defaults.get(extension) == content_type:
            return
        if extension not in defaults and default_types.get(extension) == content_type:
            node = etree.Element(_CT + "Default", Extension=extension, ContentType=content_type)
            first_override = self.types.find(_CT + "Override")
            if first_override is not None:
                first_override.addprevious(node)
            else:
                self.types.append(node)
            return
        etree.SubElement(self.types, _CT + "Override", PartName="/" + part,
                         ContentType=content_type)

    def drop(self, part: str):
        self.data.pop(part, None)
        self.data.pop(rels_part(part), None)
        self.set_type(part, None, {})

    def reachable(self) -> set[str]:
        seen = set()
        stack = [""]
        while stack:
            part = stack.pop()
            rels = "_rels/.rels" if part == "" else rels_part(part)
            if rels not in self.data:
                continue
            for rel in parse_part(self.data[rels]).iter(_PR + "Relationship"):
                if rel.get("TargetMode") == "External":
                    continue
                target = resolve(part if part else "x", rel.get("Target", "")) if part else \
                    rel.get("Target", "").lstrip("/")
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return seen


def write_rels(parts: Parts, part: str, rels: Sequence[tuple[str, str, str, str | None]]):
    """rels: (Id, Type, Target, TargetMode)."""
    holder = rels_part(part)
    if not rels:
        parts.data.pop(holder, None)
        return
    root = etree.Element(_PR + "Relationships", nsmap={None: NS_PKG_REL})
    for rid, kind, target, mode in rels:
        node = etree.SubElement(root, _PR + "Relationship", Id=rid, Type=kind, Target=target)
        if mode:
            node.set("TargetMode", mode)
    parts.data[holder] = serialise(root)

# --- writing --------------------------------------------------------------------------------

def write_zip(path: Path, data: dict[str, bytes], old: XlsxPackage) -> None:
    """The package: parts the upgrade did not touch are copied from the old file as they were
    (same bytes, date, compression); changed and new parts are written."""
    original = {name: data[name] for name in old.part_names() if name in data}
    order = ["[Content_Types].xml"] + [n for n in data if n != "[Content_Types].xml"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out:
        for name in order:
            if name in original:
                unchanged = original[name] == old.read_part(name)
                old.copy_part(name, out, None if unchanged else data[name])
            else:
                clone = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                clone.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(clone, data[name])
        out.comment = old.comment
