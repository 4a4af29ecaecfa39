"""``aeroi upgrade``: move a workbook made from an older template into the current one.

The design (docs/workbook.md, "Upgrading a workbook"): the user's file is the base. Our own
sheets (Start, Inputs, SKUs, Rates, Results, ...) are replaced by the new template's, built
with the old workbook's language, inputs, SKUs and Risk ranges; their drawings, charts,
tables and buttons come with them; our defined names are replaced by the new template's.
Every other part of the user's file is kept byte for byte: the user's own sheets (with their
pictures, charts, comments, tables and formulas), the VBA project and its signature, the
theme, custom properties. The new sheets' styles are appended to the user's style sheet (the
user's sheets keep their style numbers) and their texts are written as inline strings (the
user's shared strings stay as they were).

Rates rows whose value (or unit, source, date, note) differs from the version-1 packaged card,
and rows the user added, are carried into the new Rates table; rows the user left alone take
the new card's figures.

The upgraded workbook is written to a temporary file beside the original, checked (it reads as
the current version with the old inputs), and only then replaces the original, after the
original was copied to ``name.v1.xlsx`` (unless ``backup=False``). If the original changed on
disk while we worked, nothing is replaced.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import math
import os
import posixpath
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from lxml import etree

from calculator.errors import CalculatorError, WorkbookError
from calculator.workbook import contract as c
from calculator.workbook import ooxml, xmlsafe
from calculator.workbook.atomic import atomic_replace
from calculator.workbook.cellref import (NameTarget, column_letter, parse_reference,
                                         range_reference, split_cell)
from calculator.workbook.dates import to_serial
from calculator.workbook.names import set_full_calc
from calculator.workbook.xlsxpackage import XlsxPackage

V1_SNAPSHOT_PATH = Path(__file__).with_name("contract_v1.json")
BACKUP_PATTERN = re.compile(r"^(?P<stem>.+)\.v(?P<version>\d+)(?:-\d+)?$")

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_WORKSHEET = NS_REL + "/worksheet"
REL_CALC_CHAIN = NS_REL + "/calcChain"
REL_TABLE = NS_REL + "/table"
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

#: Sheets of the template found by a defined name or table they hold (a renamed sheet is
#: still ours); the others by name.
_ROLE_BY_NAME = {c.INPUTS_SHEET: "in_eval_date", c.RESULTS_SHEET: "out_results",
                 c.CALENDAR_SHEET: "out_calendar", c.CHECKS_SHEET: "out_eligibility"}
_ROLE_BY_TABLE = {c.SKUS_SHEET: c.SKU_TABLE, c.RATES_SHEET: c.RATES_TABLE}
_STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs",
                "cellStyles", "dxfs", "tableStyles", "colors", "extLst")
_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


@dataclass
class UpgradeOutcome:
    """What ``aeroi upgrade`` did to one workbook."""
    path: str
    status: str                                     # upgraded | current | failed
    from_version: int | None = None
    to_version: int = c.CONTRACT_VERSION
    backup: str | None = None
    language: str | None = None
    #: inputs set to this version's default: (name, default, source of the default, why)
    new_inputs: list[tuple[str, object, str, str]] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)   # what was carried, in words
    not_kept: list[str] = field(default_factory=list)
    message: str | None = None

    def as_dict(self) -> dict:
        return {"file": self.path, "status": self.status, "from_version": self.from_version,
                "to_version": self.to_version, "backup": self.backup, "language": self.language,
                "new_inputs": [{"name": n, "default": d, "source": s, "why": w}
                               for n, d, s, w in self.new_inputs],
                "kept": self.kept, "not_kept": self.not_kept, "message": self.message}


# --- what version 1 was ------------------------------------------------------------------------

def load_v1() -> dict:
    """The frozen description of contract version 1 (names, sheets, the packaged rate card, the
    template's own drawings and VBA): what the upgrade compares an old workbook with."""
    return json.loads(V1_SNAPSHOT_PATH.read_text(encoding="utf-8"))


def snapshot_of_templates(xlsm: str | os.PathLike, *others: str | os.PathLike) -> dict:
    """Describe a template (its .xlsm, which has the buttons and the VBA) as :func:`load_v1`
    returns it; the cells and formats of ``others`` (the .xlsx and the other language) are
    added. Used once to write contract_v1.json from the templates of commit 1633a48; a test
    checks the committed file still matches those templates."""
    extra = [snapshot_of_templates(other) for other in others]
    with XlsxPackage(xlsm) as package:
        names = {}
        for name in sorted(package.defined_names):
            target = package.get_name(name)
            names[name] = [target.sheet, target.min_row, target.min_col, target.max_row,
                           target.max_col]
        header = package.read_name("out_results")[0]
        defaults = {}
        for name in names:
            if name.startswith("in_") and name not in c.RISK_INPUT_NAMES:
                value = package.read_name(name)[0][0]
                defaults[name] = value.date().isoformat() if isinstance(value, dt.datetime) \
                    else value
        columns, rows = package.read_table(c.RATES_TABLE)
        index = {col: k for k, col in enumerate(columns)}
        rates = {}
        for row in rows:
            effective = row[index["effective_from"]]
            rates[row[index["key"]]] = {
                "value": row[index["value"]], "unit": row[index["unit"]],
                "source": row[index["source"]],
                "effective_from": effective.date().isoformat()
                if isinstance(effective, dt.datetime) else effective,
                "note": row[index["note"]] or ""}
        anchors: dict[str, list] = {}
        cells: dict[str, dict[str, list]] = {}
        formats: dict[str, list[str]] = {}
        for sheet in package.sheet_names:
            part = package.sheet_part(sheet)
            root = package.xml(part)
            cells[sheet] = _cell_rows(root)
            formats[sheet] = {kind: sorted({node.get("sqref") for node in root.iter(_M + kind)})
                              for kind in ("conditionalFormatting", "dataValidation")}
            for kind, target in package.relationships(part).values():
                if kind == REL_DRAWING:
                    anchors[sheet] = _anchor_positions(package.xml(target))
                elif kind == REL_VML:
                    anchors.setdefault(sheet + "#vml", []).extend(
                        _vml_anchors(package.read_part(target)))
        for more in extra:
            for sheet, rows in more["cells"].items():
                merged = _template_cells_of(cells.get(sheet, {})) | _template_cells_of(rows)
                cells[sheet] = _cell_rows_of(merged)
            for sheet, kinds in more["formats"].items():
                for kind, refs in kinds.items():
                    mine = formats.setdefault(sheet, {}).setdefault(kind, [])
                    formats[sheet][kind] = sorted(set(mine) | set(refs))
        vba = hashlib.sha256(package.read_part("xl/vbaProject.bin")).hexdigest() \
            if "xl/vbaProject.bin" in package.part_names() else None
        risk = package.get_name("in_risk_ranges")
        scenarios = [line[0] for line in package.read_range(NameTarget(
            "", risk.sheet, risk.min_row, risk.min_col - 1, risk.max_row, risk.min_col - 1))]
        return {"version": 1, "sheets": package.sheet_names, "names": names, "defaults": defaults,
                "risk_scenarios": scenarios,
                "out_results_header": header, "rates": rates, "vba_sha256": vba,
                "anchors": anchors, "cells": cells, "formats": formats}


def _cell_rows(root) -> dict[str, list[list[int]]]:
    """The cells a sheet has, as row -> runs of columns [[first, last], ...]."""
    return _cell_rows_of({split_cell(cell.get("r")) for cell in root.iter(_M + "c")})


def _cell_rows_of(cells: set[tuple[int, int]]) -> dict[str, list[list[int]]]:
    found: dict[str, list[list[int]]] = {}
    for row, col in sorted(cells):
        runs = found.setdefault(str(row), [])
        if runs and runs[-1][1] == col - 1:
            runs[-1][1] = col
        else:
            runs.append([col, col])
    return found


def _template_cells_of(rows: dict[str, list[list[int]]]) -> set[tuple[int, int]]:
    return {(int(row), col) for row, runs in rows.items()
            for first, last in runs for col in range(first, last + 1)}


def _anchor_positions(drawing) -> list[list[int]]:
    found = []
    for anchor in drawing:
        origin = anchor.find("{*}from")
        if origin is not None:
            found.append([int(origin.findtext("{*}col")), int(origin.findtext("{*}row"))])
    return found


def _vml_anchors(data: bytes) -> list[str]:
    return [re.sub(r"\s+", "", a.decode()) for a in re.findall(rb"<x:Anchor>(.*?)</x:Anchor>",
                                                                  data, re.S)]


# --- which version a workbook is ---------------------------------------------------------------

def current_header() -> list[str]:
    return list(c.RESULT_COLUMNS)


def detect_version(package) -> int | None:
    """The contract version a workbook was made with, from the header of ``out_results`` (the
    API every version has): the current one, 1, or None when it is not one of ours (or a
    version we do not know)."""
    if package.get_name("in_eval_date") is None or package.get_name("out_results") is None:
        return None
    header = [str(v).strip() if v is not None else "" for v in package.read_name("out_results")[0]]
    version = c.contract_version(lambda name: package.get_name(name) is not None)
    if version == c.CONTRACT_VERSION and header[:len(current_header())] == current_header():
        return version
    if version == 1 and header == load_v1()["out_results_header"]:
        return 1
    return None


def backup_name(path: Path, version: int) -> Path:
    return path.with_name(f"{path.stem}.v{version}{path.suffix}")


def is_backup(path: Path) -> bool:
    """``name.v1.xlsx`` beside ``name.xlsx``: a copy kept by ``aeroi upgrade``."""
    match = BACKUP_PATTERN.match(path.stem)
    return bool(match) and path.with_name(match.group("stem") + path.suffix).exists()


# --- reading the old workbook -------------------------------------------------------------------

@dataclass
class _Old:
    values: dict[str, object]
    skus: list[dict]
    rates: list[dict]            # rows of the Rates table (and rows typed under it)
    language: str


def _rows_under(package, info, width_cols: tuple[int, int]) -> list[list[object]]:
    """Rows typed right under a table (LibreOffice does not grow a table): up to the first
    blank row."""
    rows = []
    row = info.max_row + 1
    while True:
        line = package.read_range(NameTarget("", info.sheet, row, width_cols[0], row,
                                             width_cols[1]))[0]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in line):
            return rows
        rows.append(line)
        row += 1


def _table_rows(package, name: str, outcome: UpgradeOutcome, what: str):
    info = package.find_table(name)
    if info is None:
        return None, []
    columns, rows = package.read_table(info.name)
    under = _rows_under(package, info, (info.min_col, info.max_col))
    if under:
        outcome.kept.append(f"{len(under)} {what} row(s) typed under the {name} table, now "
                            f"inside it")
    return [str(col or "").strip() for col in columns], rows + under


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _language(package) -> str:
    texts = []
    for sheet in (c.START_SHEET, c.INPUTS_SHEET):
        if sheet in package.sheet_parts:
            texts += [v for line in package.read_range(NameTarget("", sheet, 1, 1, 4, 1))
                      for v in line if isinstance(v, str)]
    return "zh" if any(_CJK.search(text) for text in texts) else "en"


def _read_old(package, v1: dict, outcome: UpgradeOutcome) -> _Old:
    values: dict[str, object] = {}
    v1_inputs = [n for n in v1["names"] if n.startswith("in_")]
    for name in v1_inputs:
        target = package.get_name(name)
        if target is None:
            continue
        block = package.read_range(target)
        if name == "in_risk_ranges":
            labels = package.read_range(NameTarget("", target.sheet, target.min_row,
                                                   target.min_col - 1, target.max_row,
                                                   target.min_col - 1))
            by_scenario = {str(label[0]).strip(): line for label, line in zip(labels, block)
                           if label[0] is not None}
            values[name] = [by_scenario.get(s, [None] * len(c.RISK_RANGE_COLUMNS))
                            for s in c.SCENARIOS]
            lost = [s for s, line in by_scenario.items()
                    if s not in c.SCENARIOS and any(v is not None for v in line)]
            if lost:
                outcome.not_kept.append(f"Risk ranges of {', '.join(lost)} (no such scenario "
                                        f"in version {c.CONTRACT_VERSION})")
        else:
            values[name] = block[0][0]
    for spec in c.INPUTS:
        if spec.name in values and spec.name in v1["defaults"]:
            old_default = v1["defaults"][spec.name]
            if _same(values[spec.name], old_default) and not _same(spec.default, old_default):
                values[spec.name] = spec.default
                shown = f"{old_default:g}" if isinstance(old_default, float) else old_default
                outcome.new_inputs.append((spec.name, spec.default, spec.source,
                                           f"it was the version-1 default {shown}"))
    current = {spec.name for spec in c.INPUTS} | set(c.RISK_INPUT_NAMES)
    for name in sorted(set(values) - current):
        if values[name] is not None:
            outcome.not_kept.append(f"{name} = {values[name]!r} (no such input in version "
                                    f"{c.CONTRACT_VERSION})")
        del values[name]

    skus: list[dict] = []
    columns, rows = _table_rows(package, c.SKU_TABLE, outcome, "SKU")
    if columns is not None:
        known = {col.lower(): k for k, col in enumerate(columns)}
        extra = [col for col in columns if col.lower() not in c.SKU_COLUMNS]
        for row in rows:
            if all(_blank(v) for v in row):
                continue
            skus.append({name: row[known[name]] for name in c.SKU_COLUMNS if name in known})
        for col in extra:
            filled = sum(1 for row in rows if not _blank(row[known[col.lower()]]))
            if filled:
                outcome.not_kept.append(f"SKUs column {col!r} ({filled} value(s)): the new "
                                        f"SKUs table has the columns {', '.join(c.SKU_COLUMNS)}")
    rates: list[dict] = []
    columns, rows = _table_rows(package, c.RATES_TABLE, outcome, "Rates")
    if columns is not None:
        known = {col.lower(): k for k, col in enumerate(columns)}
        for row in rows:
            line = {name: row[known[name]] for name in c.RATE_COLUMNS if name in known}
            if not _blank(line.get("key")):
                line["key"] = str(line["key"]).strip()
                rates.append(line)
    return _Old(values, skus, rates, _language(package))


def _same(a, b) -> bool:
    if _blank(a) and _blank(b):
        return True
    if isinstance(a, dt.datetime):
        a = a.date().isoformat()
    if isinstance(b, dt.datetime):
        b = b.date().isoformat()
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-15)
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    return a == b


def rate_changes(rows: Sequence[dict], v1_rates: dict) -> list[dict]:
    """The rows a user changed or added: for a row of the version-1 card, only the columns that
    differ from it (with the key); a row the card did not have, whole."""
    changed = []
    for row in rows:
        base = v1_rates.get(row["key"])
        if base is None:
            changed.append(dict(row, added=True))
            continue
        diff = {name: row[name] for name in c.RATE_COLUMNS[1:]
                if name in row and not _same(row[name], base.get(name))}
        if diff:
            changed.append(dict(diff, key=row["key"], added=False))
    return changed


# --- the package being put together ---------------------------------------------------------

def _parse(data: bytes, part: str = "a part"):
    return xmlsafe.parse_xml(data, "the upgraded workbook", part)


_serialise = xmlsafe.serialise
_rels_part = ooxml.rels_part
_resolve = ooxml.resolve


def _relative(base: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(base) or ".")


class _Parts:
    """An ordered set of package parts (name -> bytes) with content types and relationships."""

    def __init__(self, names: Iterable[str], read):
        self.data: dict[str, bytes] = {name: read(name) for name in names}
        self.types = _parse(self.data["[Content_Types].xml"])

    def rels(self, part: str) -> list[etree._Element]:
        rels = _rels_part(part)
        if rels not in self.data:
            return []
        return list(_parse(self.data[rels]).iter(_PR + "Relationship"))

    def targets(self, part: str) -> list[tuple[str, str, str]]:
        """(Id, Type, resolved part) of the internal relationships of ``part``."""
        return [(rel.get("Id"), rel.get("Type", ""), _resolve(part, rel.get("Target", "")))
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
        self.data.pop(_rels_part(part), None)
        self.set_type(part, None, {})

    def reachable(self) -> set[str]:
        seen = set()
        stack = [""]
        while stack:
            part = stack.pop()
            rels = "_rels/.rels" if part == "" else _rels_part(part)
            if rels not in self.data:
                continue
            for rel in _parse(self.data[rels]).iter(_PR + "Relationship"):
                if rel.get("TargetMode") == "External":
                    continue
                target = _resolve(part if part else "x", rel.get("Target", "")) if part else \
                    rel.get("Target", "").lstrip("/")
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return seen


def _write_rels(parts: _Parts, part: str, rels: Sequence[tuple[str, str, str, str | None]]):
    """rels: (Id, Type, Target, TargetMode)."""
    rels_part = _rels_part(part)
    if not rels:
        parts.data.pop(rels_part, None)
        return
    root = etree.Element(_PR + "Relationships", nsmap={None: NS_PKG_REL})
    for rid, kind, target, mode in rels:
        node = etree.SubElement(root, _PR + "Relationship", Id=rid, Type=kind, Target=target)
        if mode:
            node.set("TargetMode", mode)
    parts.data[rels_part] = _serialise(root)


# --- styles ------------------------------------------------------------------------------------

def _section(root, tag: str):
    node = root.find(_M + tag)
    if node is not None:
        return node
    node = etree.Element(_M + tag)
    rank = _STYLE_ORDER.index(tag)
    for child in root:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name in _STYLE_ORDER and _STYLE_ORDER.index(name) > rank:
            child.addprevious(node)
            return node
    root.append(node)
    return node


def _key(element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True)


def _merge_list(old_root, new_root, tag: str, fix=None) -> dict[int, int]:
    """Append the new style sheet's ``tag`` entries to the old one (an identical entry is
    reused). Returns new index -> index in the old style sheet."""
    new_section = new_root.find(_M + tag)
    if new_section is None:
        return {}
    old_section = _section(old_root, tag)
    existing = {}
    for k, item in enumerate(old_section):
        existing.setdefault(_key(item), k)
    mapping = {}
    count = len(old_section)
    for k, item in enumerate(new_section):
        item = copy.deepcopy(item)
        if fix is not None:
            fix(item)
        key = _key(item)
        if key in existing:
            mapping[k] = existing[key]
            continue
        old_section.append(item)
        existing[key] = count
        mapping[k] = count
        count += 1
    old_section.set("count", str(len(old_section)))
    return mapping


def merge_styles(old_xml: bytes, new_xml: bytes) -> tuple[bytes, dict[int, int], dict[int, int]]:
    """The user's style sheet with the new template's formats appended. Returns it, the map
    of the template's cell formats (``s``) and of its differential formats (``dxfId``)."""
    old_root, new_root = _parse(old_xml), _parse(new_xml)
    formats = {}
    old_formats = _section(old_root, "numFmts") if new_root.find(_M + "numFmts") is not None \
        else old_root.find(_M + "numFmts")
    if old_formats is not None:
        by_code = {f.get("formatCode"): int(f.get("numFmtId")) for f in old_formats}
        used = set(by_code.values()) | {163}
        for item in new_root.iterfind(f"{_M}numFmts/{_M}numFmt"):
            code, number = item.get("formatCode"), int(item.get("numFmtId"))
            if code in by_code:
                formats[number] = by_code[code]
                continue
            fresh = max(used) + 1
            used.add(fresh)
            etree.SubElement(old_formats, _M + "numFmt", numFmtId=str(fresh), formatCode=code)
            by_code[code] = formats[number] = fresh
        old_formats.set("count", str(len(old_formats)))
        if not len(old_formats):
            old_root.remove(old_formats)
    fonts = _merge_list(old_root, new_root, "fonts")
    fills = _merge_list(old_root, new_root, "fills")
    borders = _merge_list(old_root, new_root, "borders")

    def fix_xf(xf):
        for attribute, mapping in (("numFmtId", formats), ("fontId", fonts), ("fillId", fills),
                                   ("borderId", borders)):
            value = xf.get(attribute)
            if value is not None and int(value) in mapping:
                xf.set(attribute, str(mapping[int(value)]))
        xf.set("xfId", "0")        # the new template's only cell style is Normal

    xfs = _merge_list(old_root, new_root, "cellXfs", fix_xf)

    def fix_dxf(dxf):
        for item in dxf.iterfind(_M + "numFmt"):
            number = int(item.get("numFmtId"))
            if number in formats:
                item.set("numFmtId", str(formats[number]))

    dxfs = _merge_list(old_root, new_root, "dxfs", fix_dxf)
    return _serialise(old_root), xfs, dxfs


def _restyle(root, xfs: dict[int, int], dxfs: dict[int, int]) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        attribute = {"c": "s", "row": "s", "col": "style"}.get(local)
        if attribute and element.get(attribute) is not None:
            element.set(attribute, str(xfs.get(int(element.get(attribute)),
                                               int(element.get(attribute)))))
        for name, value in element.attrib.items():
            if name == "dxfId" or name.endswith("DxfId"):
                element.set(name, str(dxfs.get(int(value), int(value))))


def _shift_dates(root, date_styles: set[int]) -> None:
    """The template writes dates in the 1900 system; a workbook in the 1904 system (older Mac
    Excel) counts days from 1904: the same day is 1462 less."""
    for cell in root.iter(_M + "c"):
        value = cell.find(_M + "v")
        if cell.get("t") in (None, "n") and value is not None and \
                int(cell.get("s", "0")) in date_styles:
            value.text = repr(float(value.text) - 1462).removesuffix(".0")


def _inline_strings(root, shared: list) -> None:
    for cell in root.iter(_M + "c"):
        if cell.get("t") != "s":
            continue
        value = cell.find(_M + "v")
        item = shared[int(value.text)]
        cell.remove(value)
        cell.set("t", "inlineStr")
        inline = etree.SubElement(cell, _M + "is")
        for child in item:
            inline.append(copy.deepcopy(child))


# --- cells of the new sheets (the Rates rows the user changed or added) ----------------------

def _put(cell, value, date1904: bool = False) -> None:
    for child in list(cell):
        if etree.QName(child).localname in ("v", "is", "f"):
            cell.remove(child)
    cell.attrib.pop("t", None)
    if _blank(value):
        return
    if isinstance(value, bool):
        cell.set("t", "b")
        etree.SubElement(cell, _M + "v").text = "1" if value else "0"
    elif isinstance(value, (int, float)):
        etree.SubElement(cell, _M + "v").text = repr(float(value)) \
            if not float(value).is_integer() else str(int(value))
    elif isinstance(value, (dt.date, dt.datetime)):
        serial = to_serial(value, date1904)
        etree.SubElement(cell, _M + "v").text = str(int(serial)) if serial.is_integer() \
            else repr(serial)
    else:
        cell.set("t", "inlineStr")
        inline = etree.SubElement(cell, _M + "is")
        text = etree.SubElement(inline, _M + "t")
        text.text = str(value)
        if text.text != text.text.strip():
            text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _cell_text(cell) -> str | None:
    inline = cell.find(_M + "is")
    if inline is not None:
        return "".join(t.text or "" for t in inline.iter(_M + "t"))
    value = cell.find(_M + "v")
    return value.text if value is not None else None


def _patch_rates(sheet_root, table_root, changes: list[dict], outcome: UpgradeOutcome,
                 date1904: bool) -> None:
    first, _, last = table_root.get("ref").partition(":")
    r1, c1 = split_cell(first)
    r2, c2 = split_cell(last)
    columns = {name: c1 + k for k, name in enumerate(c.RATE_COLUMNS)}
    sheet_data = sheet_root.find(_M + "sheetData")
    rows = {int(row.get("r")): row for row in sheet_data.iterfind(_M + "row")}
    key_rows = {}
    for number in range(r1 + 1, r2 + 1):
        row = rows.get(number)
        if row is None:
            continue
        for cell in row.iterfind(_M + "c"):
            if split_cell(cell.get("r"))[1] == c1:
                key_rows[(_cell_text(cell) or "").strip()] = row
    template_row = rows.get(r2)
    edited = added = 0
    for change in changes:
        key = change["key"]
        row = key_rows.get(key)
        if row is None:
            if not change["added"]:
                outcome.not_kept.append(f"Rates row {key} (changed to {change.get('value')!r}):"
                                        f" version {c.CONTRACT_VERSION} has no such rate")
                continue
            r2 += 1
            row = copy.deepcopy(template_row) if template_row is not None else \
                etree.Element(_M + "row")
            row.set("r", str(r2))
            for cell in row.iterfind(_M + "c"):
                cell.set("r", re.sub(r"\d+$", str(r2), cell.get("r")))
                _put(cell, None)
            sheet_data.append(row)
            added += 1
        else:
            edited += 1
        cells = {split_cell(cell.get("r"))[1]: cell for cell in row.iterfind(_M + "c")}
        for name in c.RATE_COLUMNS:
            if name not in change:
                continue
            cell = cells.get(columns[name])
            if cell is None:
                cell = etree.SubElement(row, _M + "c", r=f"{column_letter(columns[name])}"
                                                         f"{row.get('r')}")
                for later in sorted(cells):
                    if later > columns[name]:
                        cells[later].addprevious(cell)
                        break
                cells[columns[name]] = cell
            _put(cell, change[name], date1904)
    if added:
        ref = f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"
        table_root.set("ref", ref)
        auto = table_root.find(_M + "autoFilter")
        if auto is not None:
            auto.set("ref", ref)
        dimension = sheet_root.find(_M + "dimension")
        if dimension is not None:
            head, _, tail = dimension.get("ref", "A1").partition(":")
            end_row, end_col = split_cell(tail or head)
            if r2 > end_row:
                dimension.set("ref", f"{head}:{column_letter(end_col)}{r2}")
    if edited or added:
        outcome.kept.append(f"Rates: {edited} row(s) you changed and {added} row(s) you added")


# --- the user's things on our sheets -----------------------------------------------------------

NS_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
REL_THREADED = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_SHEET_ORDER = ("sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData",
                "sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter",
                "sortState", "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr",
                "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions",
                "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
                "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing",
                "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects",
                "controls", "webPublishItems", "tableParts", "extLst")
_VML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                              recover=True, huge_tree=True)
_V = "{urn:schemas-microsoft-com:vml}"
_X = "{urn:schemas-microsoft-com:office:excel}"


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _place(root, element) -> None:
    """Insert a worksheet child where the schema's sequence wants it."""
    rank = _SHEET_ORDER.index(_local(element))
    for child in root:
        name = _local(child)
        if name in _SHEET_ORDER and _SHEET_ORDER.index(name) > rank:
            child.addprevious(element)
            return
    root.append(element)


def _row_mapper(old, new, old_sheet: str):
    """Rows of the old Inputs sheet -> rows of the new one: an input's row follows the input,
    rows below the last input move with it; other sheets keep their rows."""
    pairs = {}
    for spec in c.INPUTS:
        before, after = old.get_name(spec.name), new.get_name(spec.name)
        if before is not None and after is not None and before.sheet == old_sheet:
            pairs[before.min_row] = after.min_row
    if not pairs:
        return lambda row: row
    last_old, last_new = max(pairs), max(pairs.values())
    return lambda row: pairs.get(row, row + last_new - last_old if row > last_old else row)


def _remap_refs(text: str, remap) -> str:
    return re.sub(r"(\$?[A-Z]{1,3}\$?)(\d+)", lambda m: m.group(1) + str(remap(int(m.group(2)))),
                  text)


def _boxes(sqref: str) -> list[tuple[int, int, int, int]]:
    boxes = []
    for area in sqref.split():
        first, _, last = area.partition(":")
        try:
            r1, c1 = split_cell(first)
            r2, c2 = split_cell(last or first)
        except ValueError:
            continue
        boxes.append((r1, c1, r2, c2))
    return boxes


def _overlaps(sqref: str, ours: Sequence[str]) -> bool:
    """A conditional format or validation over cells where the template has one of its own is
    the template's (Excel and LibreOffice may have extended or split its range)."""
    return any(r1 <= s2 and s1 <= r2 and c1 <= t2 and t1 <= c2
               for r1, c1, r2, c2 in _boxes(sqref)
               for s1, t1, s2, t2 in (box for ref in ours for box in _boxes(ref)))


class _Carrier:
    """Moves what a user added to one of our old sheets onto the new sheet: cells outside the
    template's, conditional formats and validations, shapes, pictures, charts, buttons,
    comments, header pictures."""

    def __init__(self, parts: "_Parts", old, new, old_name: str, new_name: str, part: str,
                 root, rels: list, v1: dict, outcome: UpgradeOutcome):
        self.parts, self.old, self.new = parts, old, new
        self.old_name, self.new_name, self.part, self.root, self.rels = \
            old_name, new_name, part, root, rels
        self.v1, self.outcome = v1, outcome
        self.old_part = old.sheet_part(old_name)
        self.old_root = _parse(parts.data[self.old_part], self.old_part)
        self.old_rels = {rid: (kind, target) for rid, kind, target in
                         parts.targets(self.old_part)}
        self.remap = _row_mapper(old, new, old_name) if new_name == c.INPUTS_SHEET \
            else (lambda row: row)
        self.carried: list[str] = []

    def fresh_rid(self) -> str:
        used = {rid for rid, _, _, _ in self.rels}
        return next(f"rId{k}" for k in range(1, 100_000) if f"rId{k}" not in used)

    def rel_to(self, kind: str) -> str | None:
        return next((_resolve(self.part, target) for _, k, target, mode in self.rels
                     if k == kind and not mode), None)

    def add_rel(self, kind: str, target_part: str) -> str:
        rid = self.fresh_rid()
        self.rels.append((rid, kind, _relative(self.part, target_part), None))
        return rid

    def run(self) -> None:
        self.cells()
        self.formats()
        self.drawing()
        self.vml_and_comments()
        self.header_pictures()
        self.extensions()
        self.sheet_settings()
        if self.carried:
            self.outcome.kept.append(f"on {self.new_name}: " + ", ".join(self.carried))

    # cells ------------------------------------------------------------------------------
    def excluded(self) -> list[tuple[int, int, int, int]]:
        boxes = []
        for name in self.v1["names"]:
            target = self.old.get_name(name)
            if target is not None and target.sheet == self.old_name:
                boxes.append((target.min_row, target.min_col, target.max_row, target.max_col))
        for info in self.old.tables().values():
            if info.sheet == self.old_name:
                under = len(_rows_under(self.old, info, (info.min_col, info.max_col)))
                boxes.append((info.min_row, info.min_col, info.max_row + under, info.max_col))
        return boxes

    def cells(self) -> None:
        template = _template_cells_of(self.v1["cells"].get(self.new_name, {}))
        boxes = self.excluded()
        sheet_data = self.root.find(_M + "sheetData")
        rows = {int(row.get("r")): row for row in sheet_data.iterfind(_M + "row")}
        moved = clashed = 0
        for row in self.old_root.iter(_M + "row"):
            for cell in row.iterfind(_M + "c"):
                number, col = split_cell(cell.get("r"))
                if (number, col) in template or not any(
                        child.tag in (_M + "v", _M + "is", _M + "f") for child in cell) or any(
                        r1 <= number <= r2 and c1 <= col <= c2 for r1, c1, r2, c2 in boxes):
                    continue
                target_row = self.remap(number)
                line = rows.get(target_row)
                if line is None:
                    line = etree.Element(_M + "row", r=str(target_row))
                    later = [r for r in rows if r > target_row]
                    if later:
                        rows[min(later)].addprevious(line)
                    else:
                        sheet_data.append(line)
                    rows[target_row] = line
                existing = {split_cell(c_.get("r"))[1]: c_ for c_ in line.iterfind(_M + "c")}
                if col in existing and any(child.tag in (_M + "v", _M + "is", _M + "f")
                                           for child in existing[col]):
                    clashed += 1
                    self.outcome.not_kept.append(
                        f"{self.old_name}!{cell.get('r')}: the new template has a cell there")
                    continue
                clone = copy.deepcopy(cell)
                clone.set("r", f"{column_letter(col)}{target_row}")
                if col in existing:
                    existing[col].addprevious(clone)
                    line.remove(existing[col])
                else:
                    after = [k for k in existing if k > col]
                    if after:
                        existing[min(after)].addprevious(clone)
                    else:
                        line.append(clone)
                line.attrib.pop("spans", None)
                moved += 1
        if moved:
            self.carried.append(f"{moved} cell(s) of yours")
            dimension = self.root.find(_M + "dimension")
            if dimension is not None:
                dimension.set("ref", "A1:" + self._extent())

    def _extent(self) -> str:
        last_row = last_col = 1
        for cell in self.root.iter(_M + "c"):
            number, col = split_cell(cell.get("r"))
            last_row, last_col = max(last_row, number), max(last_col, col)
        return f"{column_letter(last_col)}{last_row}"

    # conditional formats and validations --------------------------------------------------
    def formats(self) -> None:
        ours = self.v1["formats"].get(self.new_name, {})
        priority = max((int(rule.get("priority", "0")) for rule in self.root.iter(
            _M + "cfRule")), default=0)
        count = 0
        for node in self.old_root.iterfind(_M + "conditionalFormatting"):
            if _overlaps(node.get("sqref", ""), ours.get("conditionalFormatting", [])):
                continue
            clone = copy.deepcopy(node)
            clone.set("sqref", _remap_refs(clone.get("sqref", ""), self.remap))
            for rule in clone.iterfind(_M + "cfRule"):
                priority += 1
                rule.set("priority", str(priority))
            _place(self.root, clone)
            count += 1
        validations = self.old_root.find(_M + "dataValidations")
        if validations is not None:
            mine = [v for v in validations if not _overlaps(v.get("sqref", ""),
                                                            ours.get("dataValidation", []))]
            if mine:
                target = self.root.find(_M + "dataValidations")
                if target is None:
                    target = etree.Element(_M + "dataValidations")
                    _place(self.root, target)
                for node in mine:
                    clone = copy.deepcopy(node)
                    clone.set("sqref", _remap_refs(clone.get("sqref", ""), self.remap))
                    target.append(clone)
                    count += 1
                target.set("count", str(len(target)))
        if count:
            self.carried.append(f"{count} conditional format(s) or validation(s)")

    # drawings: pictures, charts, text boxes, shapes ----------------------------------------
    def drawing(self) -> None:
        node = self.old_root.find(_M + "drawing")
        if node is None or node.get(_R + "id") not in self.old_rels:
            return
        old_drawing = self.old_rels[node.get(_R + "id")][1]
        root = _parse(self.parts.data[old_drawing], old_drawing)
        ours = [tuple(a) for a in self.v1["anchors"].get(self.new_name, [])]
        mine = [a for a in root if isinstance(a.tag, str) and (a.find("{*}from") is None or (
            int(a.find("{*}from").findtext("{*}col")),
            int(a.find("{*}from").findtext("{*}row"))) not in ours)]
        if not mine:
            return
        old_targets = {rel.get("Id"): rel for rel in self.parts.rels(old_drawing)}
        target = self.rel_to(REL_DRAWING)
        if target is None:
            target = self.parts.free_name("xl/drawings/drawing1.xml")
            shell = etree.Element(root.tag, nsmap=root.nsmap)
            self.parts.data[target] = _serialise(shell)
            self.parts.set_type(target, CT_DRAWING, {})
            element = etree.Element(_M + "drawing")
            element.set(_R + "id", self.add_rel(REL_DRAWING, target))
            _place(self.root, element)
        drawing = _parse(self.parts.data[target], target)
        rels = [(r.get("Id"), r.get("Type"), r.get("Target"), r.get("TargetMode"))
                for r in self.parts.rels(target)]
        next_id = max((int(n.get("id", "0")) for n in drawing.iter("{*}cNvPr")), default=1)
        for anchor in mine:
            clone = copy.deepcopy(anchor)
            for element in clone.iter():
                for name, value in list(element.attrib.items()):
                    if name.startswith(_R) and value in old_targets:
                        rel = old_targets[value]
                        rid = next(f"rId{k}" for k in range(1, 100_000)
                                   if f"rId{k}" not in {r[0] for r in rels})
                        if rel.get("TargetMode") == "External":
                            rels.append((rid, rel.get("Type"), rel.get("Target"), "External"))
                        else:
                            rels.append((rid, rel.get("Type"), _relative(
                                target, _resolve(old_drawing, rel.get("Target"))), None))
                        element.set(name, rid)
                if _local(element) == "cNvPr":
                    next_id += 1
                    element.set("id", str(next_id))
            for corner in ("from", "to"):
                place = clone.find("{*}" + corner)
                if place is not None and place.find("{*}row") is not None:
                    row = place.find("{*}row")
                    row.text = str(self.remap(int(row.text) + 1) - 1)
            drawing.append(clone)
        self.parts.data[target] = _serialise(drawing)
        _write_rels(self.parts, target, rels)
        self.carried.append(f"{len(mine)} picture(s), chart(s) or shape(s)")

    # buttons and comments (VML) ---------------------------------------------------------------
    def vml_and_comments(self) -> None:
        node = self.old_root.find(_M + "legacyDrawing")
        comments = [(rid, kind, target) for rid, (kind, target) in self.old_rels.items()
                    if kind in (REL_COMMENTS, REL_THREADED)]
        if node is None or node.get(_R + "id") not in self.old_rels:
            return
        old_vml = self.old_rels[node.get(_R + "id")][1]
        old_root = etree.fromstring(self.parts.data[old_vml], _VML_PARSER)
        ours = set(self.v1["anchors"].get(self.new_name + "#vml", []))
        shapes = []
        for shape in old_root.iter(_V + "shape"):
            data = shape.find(_X + "ClientData")
            anchor = re.sub(r"\s+", "", data.findtext(_X + "Anchor") or "") \
                if data is not None else ""
            if data is None or data.get("ObjectType") == "Note" or anchor not in ours:
                shapes.append(shape)
        if not shapes and not comments:
            return
        target = self.rel_to(REL_VML)
        if target is None:
            target = self.parts.free_name("xl/drawings/vmlDrawing1.vml")
            shell = etree.Element("xml", nsmap=old_root.nsmap)
            for layout in old_root.iterfind("{urn:schemas-microsoft-com:office:office}"
                                            "shapelayout"):
                shell.append(copy.deepcopy(layout))
            self.parts.data[target] = etree.tostring(shell)
            self.parts.set_type(target, CT_VML, {"vml": CT_VML})
            element = etree.Element(_M + "legacyDrawing")
            element.set(_R + "id", self.add_rel(REL_VML, target))
            _place(self.root, element)
        vml = etree.fromstring(self.parts.data[target], _VML_PARSER)
        types = {t.get("id") for t in vml.iter(_V + "shapetype")}
        numbers = [int(m) for m in re.findall(r"_x0000_s(\d+)", etree.tostring(vml).decode())]
        layout = vml.find(".//{urn:schemas-microsoft-com:office:office}idmap")
        block = int((layout.get("data") or "1").split(",")[0]) if layout is not None else 1
        next_number = max(numbers + [block * 1024])
        for shape in shapes:
            kind = (shape.get("type") or "").lstrip("#")
            if kind and kind not in types:
                for shape_type in old_root.iter(_V + "shapetype"):
                    if shape_type.get("id") == kind:
                        vml.append(copy.deepcopy(shape_type))
                        types.add(kind)
            clone = copy.deepcopy(shape)
            next_number += 1
            clone.set("id", f"_x0000_s{next_number}")
            data = clone.find(_X + "ClientData")
            if data is not None:
                row = data.find(_X + "Row")
                if row is not None:
                    row.text = str(self.remap(int(row.text) + 1) - 1)
                anchor = data.find(_X + "Anchor")
                if anchor is not None:
                    numbers_ = [n.strip() for n in (anchor.text or "").split(",")]
                    if len(numbers_) == 8:
                        for k in (2, 6):
                            numbers_[k] = str(self.remap(int(numbers_[k]) + 1) - 1)
                        anchor.text = ", ".join(numbers_)
            vml.append(clone)
        self.parts.data[target] = etree.tostring(vml)
        buttons = sum(1 for s in shapes if s.find(_X + "ClientData") is not None
                      and s.find(_X + "ClientData").get("ObjectType") != "Note")
        if buttons:
            self.carried.append(f"{buttons} button(s) or form control(s)")
        for _, kind, part in comments:
            root = _parse(self.parts.data[part], part)
            for item in root.iter():
                if isinstance(item.tag, str) and item.get("ref") and _local(item) in (
                        "comment", "threadedComment"):
                    item.set("ref", _remap_refs(item.get("ref"), self.remap))
            name = self.parts.free_name(part)
            self.parts.data[name] = _serialise(root)
            self.parts.set_type(name, self.parts.content_type(part), {})
            self.add_rel(kind, name)
            if kind == REL_COMMENTS:
                self.carried.append(f"{len(root.findall(f'.//{_M}comment'))} comment(s)")

    def sheet_settings(self) -> None:
        """The sheet's protection and tab colour, when the user set them (the template sets
        neither)."""
        protection = self.old_root.find(_M + "sheetProtection")
        if protection is not None and self.root.find(_M + "sheetProtection") is None:
            _place(self.root, copy.deepcopy(protection))
            self.carried.append("the sheet protection")
        colour = self.old_root.find(f"{_M}sheetPr/{_M}tabColor")
        if colour is not None:
            props = self.root.find(_M + "sheetPr")
            if props is None:
                props = etree.Element(_M + "sheetPr")
                _place(self.root, props)
            if props.find(_M + "tabColor") is None:
                props.insert(0, copy.deepcopy(colour))

    def extensions(self) -> None:
        """Sparklines and the like (the version-1 template's sheets have no extensions)."""
        old_list = self.old_root.find(_M + "extLst")
        if old_list is None:
            return
        new_list = self.root.find(_M + "extLst")
        present = {ext.get("uri") for ext in new_list} if new_list is not None else set()
        mine = [ext for ext in old_list if ext.get("uri") not in present]
        if not mine:
            return
        if new_list is None:
            new_list = etree.Element(_M + "extLst")
            _place(self.root, new_list)
        for ext in mine:
            new_list.append(copy.deepcopy(ext))
        self.carried.append(f"{len(mine)} extension(s) (sparklines and the like)")

    def header_pictures(self) -> None:
        node = self.old_root.find(_M + "legacyDrawingHF")
        if node is None or node.get(_R + "id") not in self.old_rels \
                or self.root.find(_M + "legacyDrawingHF") is not None:
            return
        kind, target = self.old_rels[node.get(_R + "id")]
        element = etree.Element(_M + "legacyDrawingHF")
        element.set(_R + "id", self.add_rel(kind, target))
        _place(self.root, element)
        header = self.old_root.find(_M + "headerFooter")
        if header is not None:
            existing = self.root.find(_M + "headerFooter")
            if existing is not None:
                self.root.remove(existing)
            _place(self.root, copy.deepcopy(header))
        self.carried.append("the header picture")


# --- putting the new template's sheets into the user's file -----------------------------------

def _our_sheets(package, v1: dict) -> dict[str, str]:
    """Template sheet name -> the old workbook's sheet playing that role."""
    found = {}
    for role, name in _ROLE_BY_NAME.items():
        target = package.get_name(name)
        if target is not None:
            found[role] = target.sheet
    for role, table in _ROLE_BY_TABLE.items():
        info = package.find_table(table)
        if info is not None:
            found[role] = info.sheet
    for sheet in v1["sheets"]:
        if sheet not in found and sheet in package.sheet_parts \
                and sheet not in found.values():
            found[sheet] = sheet
    return found


def _compose(old, new, old_data: _Old, v1: dict, outcome: UpgradeOutcome) -> dict[str, bytes]:
    parts = _Parts(old.part_names(), old.read_part)
    new_parts = _Parts(new.part_names(), new.read_part)
    default_types = {n.get("Extension", "").lower(): n.get("ContentType")
                     for n in new_parts.types.iterfind(_CT + "Default")}
    roles = _our_sheets(old, v1)
    workbook = _parse(parts.data["xl/workbook.xml"])
    workbook_rels = dict((rid, (kind, target)) for rid, kind, target in
                         parts.targets("xl/workbook.xml"))
    rel_nodes = list(parts.rels("xl/workbook.xml"))

    # styles and strings of the new template
    styles_part = next(t for k, t in workbook_rels.values() if k.endswith("/styles"))
    new_styles = next(t for _, k, t in new_parts.targets("xl/workbook.xml")
                      if k.endswith("/styles"))
    parts.data[styles_part], xfs, dxfs = merge_styles(parts.data[styles_part],
                                                      new_parts.data[new_styles])
    shared_part = next((t for _, k, t in new_parts.targets("xl/workbook.xml")
                        if k.endswith("/sharedStrings")), None)
    shared = list(_parse(new_parts.data[shared_part]).iterfind(_M + "si")) if shared_part else []

    # every table id in use by what stays
    old_sheet_elements = {node.get("name"): node for node in
                          workbook.iterfind(f"{_M}sheets/{_M}sheet")}
    replaced = {roles[name] for name in new.sheet_names if name in roles}
    obsolete = [name for name in roles.values() if name not in replaced]
    candidates: set[str] = set()          # parts that hung off our old sheets
    table_ids = set()
    code_names = set()
    for name in old.sheet_names:
        part = old.sheet_part(name)
        if name in replaced or name in obsolete:
            stack = [part]
            while stack:
                for _, _, target in parts.targets(stack.pop()):
                    if target not in candidates:
                        candidates.add(target)
                        stack.append(target)
            continue
        root = old.xml(part)
        props = root.find(_M + "sheetPr")
        if props is not None and props.get("codeName"):
            code_names.add(props.get("codeName"))
        for _, kind, target in parts.targets(part):
            if kind == REL_TABLE and target in parts.data:
                table_ids.add(int(_parse(parts.data[target]).get("id", "0")))
    for name in obsolete:
        outcome.not_kept.append(f"the sheet {name!r} (version {c.CONTRACT_VERSION} has no such "
                                f"sheet)")

    # the old codeNames of our sheets, so the VBA project's document modules stay bound
    old_code = {}
    for name in replaced:
        props = old.xml(old.sheet_part(name)).find(_M + "sheetPr")
        if props is not None and props.get("codeName"):
            old_code[name] = props.get("codeName")

    changes = rate_changes(old_data.rates, v1["rates"])
    sheet_ids = [int(n.get("sheetId")) for n in old_sheet_elements.values()]
    rel_ids = {node.get("Id") for node in rel_nodes}
    sheets_node = workbook.find(_M + "sheets")
    final_order = [n.get("name") for n in sheets_node]
    previous = None
    for new_name in new.sheet_names:
        new_part = new.sheet_part(new_name)
        root = _parse(new_parts.data[new_part])
        if old.date1904:
            _shift_dates(root, new.date_style_ids())
        _restyle(root, xfs, dxfs)
        _inline_strings(root, shared)
        for view in root.iter(_M + "sheetView"):
            view.attrib.pop("tabSelected", None)
        props = root.find(_M + "sheetPr")
        old_name = roles.get(new_name)
        if props is not None and "codeName" in props.attrib:
            if old_name is not None and old_name in old_code:
                props.set("codeName", old_code[old_name])
            elif props.get("codeName") in code_names or old_name is not None:
                del props.attrib["codeName"]
        if old_name is not None:
            part = old.sheet_part(old_name)
            node = old_sheet_elements[old_name]
            if old_name != new_name:
                outcome.kept.append(f"the sheet {old_name!r} is ours ({new_name}): renamed back")
                node.set("name", new_name)
                final_order[final_order.index(old_name)] = new_name
        else:
            if new_name in final_order:
                raise WorkbookError(f"{old.label}: your sheet {new_name!r} has the name of a "
                                    f"sheet the template now has; rename yours and run aeroi "
                                    f"upgrade again (nothing was changed)", file=old.label,
                                    sheet=new_name)
            part = parts.free_name("xl/worksheets/sheet1.xml")
            rid = next(f"rId{k}" for k in range(1, 10_000) if f"rId{k}" not in rel_ids)
            rel_ids.add(rid)
            rel_nodes.append(etree.Element(_PR + "Relationship", Id=rid, Type=REL_WORKSHEET,
                                           Target=_relative("xl/workbook.xml", part)))
            sheet_id = max(sheet_ids, default=0) + 1
            sheet_ids.append(sheet_id)
            node = etree.Element(_M + "sheet", name=new_name, sheetId=str(sheet_id))
            node.set(_R + "id", rid)
            position = final_order.index(previous) + 1 if previous in final_order else \
                len(final_order)
            if position < len(sheets_node):
                sheets_node[position].addprevious(node)
            else:
                sheets_node.append(node)
            final_order.insert(position, new_name)
            outcome.kept.append(f"new sheet {new_name!r} added")
        previous = new_name
        parts.set_type(part, CT_WORKSHEET, default_types)
        # the related parts of the new sheet (tables, drawings and their charts, buttons)
        rels = []
        copied: dict[str, str] = {}
        for rel in new_parts.rels(new_part):
            if rel.get("TargetMode") == "External":
                rels.append((rel.get("Id"), rel.get("Type"), rel.get("Target"), "External"))
                continue
            source = _resolve(new_part, rel.get("Target"))
            target = _copy_part(new_parts, parts, source, copied, default_types, xfs, dxfs)
            if rel.get("Type") == REL_TABLE:
                table = _parse(parts.data[target])
                fresh = max(table_ids, default=0) + 1
                table_ids.add(fresh)
                table.set("id", str(fresh))
                if new_name == c.RATES_SHEET and changes:
                    _patch_rates(root, table, changes, outcome, old.date1904)
                parts.data[target] = _serialise(table)
            rels.append((rel.get("Id"), rel.get("Type"), _relative(part, target), None))
        if old_name is not None:
            _Carrier(parts, old, new, old_name, new_name, part, root, rels, v1, outcome).run()
        parts.data[part] = _serialise(root)
        _write_rels(parts, part, rels)

    # sheets of ours that the new template no longer has
    for name in obsolete:
        node = old_sheet_elements[name]
        sheets_node.remove(node)
        final_order.remove(name)
        rid = node.get(_R + "id")
        rel_nodes = [n for n in rel_nodes if n.get("Id") != rid]
        parts.drop(old.sheet_part(name))

    # the calculation chain names cells of the old sheets: Excel rebuilds it
    for node in list(rel_nodes):
        if node.get("Type") == REL_CALC_CHAIN:
            rel_nodes.remove(node)
            parts.drop(_resolve("xl/workbook.xml", node.get("Target")))
    _write_rels(parts, "xl/workbook.xml", [(n.get("Id"), n.get("Type"), n.get("Target"),
                                            n.get("TargetMode")) for n in rel_nodes])

    _rename_defined_names(workbook, old, new, roles, final_order, v1, outcome,
                          _user_formulas(parts, old, replaced | set(obsolete), workbook))
    _set_active_sheet(workbook, old, final_order, parts)
    _full_calc_on_load(workbook)
    parts.data["xl/workbook.xml"] = _serialise(workbook)
    _replace_pristine_vba(parts, new_parts, v1, outcome)

    # what hung only off our old sheets goes; what the user's parts still use stays
    alive = parts.reachable()
    for part in candidates:
        if part not in alive and part in parts.data:
            parts.drop(part)
    _unique_vml_blocks(parts, {name for name in old.part_names() if name.endswith(".vml")
                               and parts.data.get(name) == old.read_part(name)})
    parts.data["[Content_Types].xml"] = _serialise(parts.types)
    _stamp_core(parts)
    return parts.data


def _user_formulas(parts: _Parts, old, ours: set[str], workbook):
    """``uses(name)``: does a formula of the user's (on their sheets, in their charts or in a
    defined name of theirs) mention ``name``?"""
    texts = []
    for sheet in old.sheet_names:
        if sheet not in ours:
            part = old.sheet_part(sheet)
            texts.append(parts.data.get(part, b""))
            texts += [parts.data.get(t, b"") for _, _, t in parts.targets(part)]
    for node in workbook.iterfind(f"{_M}definedNames/{_M}definedName"):
        texts.append((node.text or "").encode())
    blob = b"\n".join(texts).lower()

    def uses(name: str) -> bool:
        return re.search(rb"(?<![a-z0-9_.])" + re.escape(name.lower().encode()) +
                         rb"(?![a-z0-9_.(])", blob) is not None
    return uses


def _unique_vml_blocks(parts: _Parts, kept: set[str]) -> None:
    """Each VML drawing numbers its shapes in its own block of 1024 (o:idmap): the new
    template's drawings, copied in, may use a block one of the user's drawings uses. The
    user's (``kept``) keep theirs."""
    used: set[int] = set()
    for name in sorted(parts.data, key=lambda n: (not n.endswith(".vml"), n not in kept, n)):
        if not name.endswith(".vml"):
            continue
        data = parts.data[name]
        match = re.search(rb'<o:idmap[^>]*data="(\d+)', data)
        if match is None:
            continue
        block = int(match.group(1))
        if block not in used:
            used.add(block)
            continue
        fresh = max(used) + 1
        used.add(fresh)
        data = data[:match.start(1)] + str(fresh).encode() + data[match.end(1):]
        data = re.sub(rb"_x0000_s(\d+)", lambda m: b"_x0000_s" + str(
            fresh * 1024 + int(m.group(1)) % 1024).encode(), data)
        parts.data[name] = data


def _copy_part(source: _Parts, dest: _Parts, part: str, copied: dict[str, str],
               default_types: dict[str, str], xfs, dxfs) -> str:
    """Copy ``part`` of the new template (and what it relates to) under a free name."""
    if part in copied:
        return copied[part]
    name = dest.free_name(part)
    copied[part] = name
    data = source.data[part]
    if part.endswith(".xml") and part.startswith("xl/tables/"):
        root = _parse(data)
        _restyle(root, xfs, dxfs)
        data = _serialise(root)
    dest.data[name] = data
    dest.set_type(name, source.content_type(part), default_types)
    rels = []
    for rel in source.rels(part):
        if rel.get("TargetMode") == "External":
            rels.append((rel.get("Id"), rel.get("Type"), rel.get("Target"), "External"))
            continue
        target = _copy_part(source, dest, _resolve(part, rel.get("Target")), copied,
                            default_types, xfs, dxfs)
        rels.append((rel.get("Id"), rel.get("Type"), _relative(name, target), None))
    _write_rels(dest, name, rels)
    return name


#: Names of version 1 that a later version renamed: a user's formula that uses the old name
#: keeps working through an alias.
SUCCESSORS = {"out_recommended": "out_recommendation"}


def _rename_defined_names(workbook, old, new, roles: dict[str, str], final_order: list[str],
                          v1: dict, outcome: UpgradeOutcome, uses) -> None:
    names_node = workbook.find(_M + "definedNames")
    new_names = [(node.get("name"), int(node.get("localSheetId"))
                  if node.get("localSheetId") is not None else None, node.text or "")
                 for node in new.xml("xl/workbook.xml").iterfind(
                     f"{_M}definedNames/{_M}definedName")]
    ours = {name.lower() for name, _, _ in new_names} | {name.lower() for name in v1["names"]}
    our_sheets = {roles.get(name, name) for name in new.sheet_names} | set(roles.values())
    renamed = {old_name: new_name for new_name, old_name in roles.items()}
    v1_cells = {}
    for name, (sheet, r1, c1, r2, c2) in v1["names"].items():
        v1_cells[(sheet, (r1, c1, r2, c2))] = name
    kept = []
    if names_node is not None:
        for node in list(names_node):
            name = node.get("name", "")
            local = node.get("localSheetId")
            scope = old.sheet_order[int(local)] if local is not None else None
            if name.lower() in ours and scope is None:
                continue
            if name.startswith("_xlnm.") and scope in our_sheets:
                continue
            if scope is not None:
                scope = renamed.get(scope, scope)
                if scope not in final_order:
                    continue
                node.set("localSheetId", str(final_order.index(scope)))
            # a name of the user's that points at one of our inputs follows the input
            try:
                sheet, box = parse_reference(node.text or "")
                input_name = v1_cells.get((sheet, box))
                if input_name and new.get_name(input_name) is not None:
                    target = new.get_name(input_name)
                    node.text = range_reference(target.sheet, target.min_row, target.min_col,
                                                target.max_row, target.max_col)
            except ValueError:
                pass
            kept.append(node)
    else:
        names_node = etree.Element(_M + "definedNames")
        anchor = workbook.find(_M + "sheets")
        after = [workbook.find(_M + t) for t in ("externalReferences", "functionGroups")]
        for candidate in after:
            if candidate is not None:
                anchor = candidate
        anchor.addnext(names_node)
    for child in list(names_node):
        names_node.remove(child)
    new_set = {name.lower() for name, _, _ in new_names}
    by_name = {name: text for name, local, text in new_names if local is None}
    for name in v1["names"]:
        if name.lower() in new_set or old.get_name(name) is None or not uses(name):
            continue
        successor = SUCCESSORS.get(name)
        if successor in by_name:
            new_names.append((name, None, by_name[successor]))
            outcome.kept.append(f"the name {name}, which your formulas use, as another name of "
                                f"{successor}")
        else:
            outcome.not_kept.append(f"the defined name {name}, which your formulas use "
                                    f"(version {c.CONTRACT_VERSION} has no such name: they "
                                    f"show #NAME?)")
    for name, local, text in new_names:
        node = etree.Element(_M + "definedName", name=name)
        if local is not None:
            node.set("localSheetId", str(final_order.index(new.sheet_order[local])))
        node.text = text
        kept.append(node)
    kept.sort(key=lambda n: (n.get("name", "").lower().removeprefix("_xlnm."),
                             int(n.get("localSheetId", "-1"))))
    for node in kept:
        names_node.append(node)


def _set_active_sheet(workbook, old, final_order: list[str], parts: _Parts) -> None:
    """The sheet that was active stays active (and is the only one selected)."""
    view = workbook.find(f"{_M}bookViews/{_M}workbookView")
    if view is None:
        return
    active = int(view.get("activeTab", "0"))
    name = old.sheet_order[active] if active < len(old.sheet_order) else None
    if name not in final_order:
        name = c.INPUTS_SHEET if c.INPUTS_SHEET in final_order else final_order[0]
    index = final_order.index(name)
    view.set("activeTab", str(index))
    if int(view.get("firstSheet", "0")) >= len(final_order):
        view.set("firstSheet", "0")
    # the selected tab of the new sheets: only the active one
    sheet_rels = {n.get(_R + "id"): n.get("name") for n in workbook.iterfind(
        f"{_M}sheets/{_M}sheet")}
    for rid, kind, target in parts.targets("xl/workbook.xml"):
        if kind != REL_WORKSHEET or sheet_rels.get(rid) != name:
            continue
        root = _parse(parts.data[target])
        sheet_view = root.find(f"{_M}sheetViews/{_M}sheetView")
        if sheet_view is not None and sheet_view.get("tabSelected") not in ("1", "true"):
            sheet_view.set("tabSelected", "1")
            parts.data[target] = _serialise(root)


def _full_calc_on_load(workbook) -> None:
    set_full_calc(workbook)


def _replace_pristine_vba(parts: _Parts, new_parts: _Parts, v1: dict,
                          outcome: UpgradeOutcome) -> None:
    """The VBA project is the user's and is kept (with its signature), unless it is exactly
    the version-1 template's unsigned xlwings project: then it becomes the new template's."""
    old_vba = next((t for _, k, t in parts.targets("xl/workbook.xml") if k == REL_VBA), None)
    new_vba = next((t for _, k, t in new_parts.targets("xl/workbook.xml") if k == REL_VBA), None)
    if old_vba is None or new_vba is None:
        return
    signed = any(k == REL_VBA_SIGNATURE for _, k, _ in parts.targets(old_vba)) or any(
        "vbaProjectSignature" in name for name in parts.data)
    if signed or hashlib.sha256(parts.data[old_vba]).hexdigest() != v1["vba_sha256"]:
        outcome.kept.append("your VBA project" + (" and its signature" if signed else ""))
        return
    parts.data[old_vba] = new_parts.data[new_vba]


def _stamp_core(parts: _Parts) -> None:
    core = "docProps/core.xml"
    if core in parts.data:
        text = parts.data[core]
        parts.data[core] = re.sub(rb"(aeroi [^,<]*, contract )\d+",
                                  rb"\g<1>" + str(c.CONTRACT_VERSION).encode(), text)


# --- writing --------------------------------------------------------------------------------

def _write_zip(path: Path, data: dict[str, bytes], old: XlsxPackage) -> None:
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


def _signature(path: Path) -> tuple:
    info = os.stat(path)
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _normal(value):
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    return value


def _check(path: Path, values: dict[str, object], label: str) -> None:
    """The written file reads as the current version with the inputs we carried."""
    with XlsxPackage(path, label) as package:
        version = detect_version(package)
        if version != c.CONTRACT_VERSION:
            raise WorkbookError(f"{label}: the upgraded workbook does not read as version "
                                f"{c.CONTRACT_VERSION}; the original was left as it was",
                                file=label)
        for name, value in values.items():
            if name == "in_risk_ranges":
                continue
            found = package.read_name(name)[0][0]
            if _normal(found) != _normal(value) and not _same(found, value):
                raise WorkbookError(f"{label}: {name} reads back as {found!r}, not {value!r}; "
                                    f"the original was left as it was", file=label, name=name)


def _new_inputs(v1: dict) -> list[tuple[str, object, str, str]]:
    return [(spec.name, spec.default, spec.source, f"new in version {c.CONTRACT_VERSION}")
            for spec in c.INPUTS if spec.name not in v1["names"]]


def upgrade_workbook(path: str | os.PathLike, *, backup: bool = True,
                     lang: str | None = None) -> UpgradeOutcome:
    """Upgrade one workbook in place (see the module's docstring). Never raises for a problem
    with the file: the outcome says what happened."""
    from calculator.workbook.template import build_template
    path = Path(path)
    label = path.name
    outcome = UpgradeOutcome(str(path), "failed")
    try:
        before = _signature(path)
        if not os.access(path, os.W_OK) or not os.stat(path).st_mode & 0o222:
            raise WorkbookError(f"{label}: the file is read-only, so it was not upgraded (clear "
                                f"the read-only flag and run aeroi upgrade again)", file=label)
        v1 = load_v1()
        with XlsxPackage(path, label) as old:
            version = detect_version(old)
            outcome.from_version = version
            if version is None:
                raise WorkbookError(f"{label}: not a workbook of a template version we know (no "
                                    f"out_results header of version 1 or "
                                    f"{c.CONTRACT_VERSION}); nothing was changed", file=label)
            if version == c.CONTRACT_VERSION:
                outcome.status = "current"
                outcome.message = f"already version {version}"
                return outcome
            outcome.new_inputs = _new_inputs(v1)
            old_data = _read_old(old, v1, outcome)
            outcome.language = lang or old_data.language
            outcome.kept.insert(0, f"{sum(1 for v in old_data.values.values() if v is not None)}"
                                   f" input(s)")
            if old_data.skus:
                outcome.kept.insert(1, f"{len(old_data.skus)} SKU row(s)")

            def last_checks(temp: Path) -> None:
                _check(temp, old_data.values, label)
                if _signature(path) != before:
                    raise WorkbookError(f"{label}: the file changed while it was being upgraded "
                                        f"(saved by someone else?); nothing was replaced: run "
                                        f"aeroi upgrade again", file=label)
                if backup:
                    outcome.backup = str(_keep_backup(path, version))

            with tempfile.TemporaryDirectory(prefix="aeroi-upgrade-") as scratch:
                fresh = build_template(Path(scratch) / f"new{path.suffix.lower()}",
                                       outcome.language, values=old_data.values,
                                       skus=old_data.skus)
                with XlsxPackage(fresh, "the new template") as new:
                    data = _compose(old, new, old_data, v1, outcome)
                with atomic_replace(path, before_replace=last_checks) as temp:
                    _write_zip(temp, data, old)
        outcome.status = "upgraded"
        outcome.message = f"version {version} -> {c.CONTRACT_VERSION}"
        return outcome
    except CalculatorError as error:
        outcome.message = str(error)
        return outcome
    except OSError as error:
        outcome.message = f"{label}: {error.strerror or error}; the workbook was not changed"
        return outcome


def _keep_backup(path: Path, version: int) -> Path:
    """Copy the old file to name.v1.xlsx (name.v1-2.xlsx when that exists), atomically."""
    target = backup_name(path, version)
    number = 2
    while target.exists():
        target = path.with_name(f"{path.stem}.v{version}-{number}{path.suffix}")
        number += 1
    with atomic_replace(target, mode=os.stat(path).st_mode & 0o7777) as temp:
        shutil.copyfile(path, temp)
    shutil.copystat(path, target)
    return target


def upgrade_paths(paths: Sequence[str | os.PathLike], *, backup: bool = True,
                  lang: str | None = None) -> tuple[list[UpgradeOutcome], list[tuple[str, str]]]:
    """Upgrade every workbook under ``paths`` (files or folders); backups are skipped."""
    from calculator.workbook.batch import discover
    files, skipped = discover([Path(p) for p in paths])
    outcomes = [upgrade_workbook(path, backup=backup, lang=lang) for path in files]
    return outcomes, skipped
