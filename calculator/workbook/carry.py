"""What a user added to one of our old sheets, moved onto the new template's sheet by
``aeroi upgrade``: cells outside the template's, conditional formats and validations, pictures,
charts, text boxes, buttons, comments, header pictures, sparklines, the sheet's protection and
tab colour. On Inputs a row follows its input; elsewhere things stay where they were."""
from __future__ import annotations

import copy
import re
from typing import Sequence

from lxml import etree

from calculator.workbook import contract as c
from calculator.workbook.cellref import column_letter, split_cell
from calculator.workbook.parts import (_M, _R, CT_DRAWING, CT_VML, REL_COMMENTS, REL_DRAWING,
                                       REL_THREADED, REL_VML, Parts, parse_part, relative, resolve,
                                       rows_under, serialise, template_cells_of, write_rels)

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


class Carrier:
    """Moves what a user added to one of our old sheets onto the new sheet: cells outside the
    template's, conditional formats and validations, shapes, pictures, charts, buttons,
    comments, header pictures."""

    def __init__(self, parts: "Parts", old, new, old_name: str, new_name: str, part: str,
                 root, rels: list, v1: dict, outcome):
        self.parts, self.old, self.new = parts, old, new
        self.old_name, self.new_name, self.part, self.root, self.rels = \
            old_name, new_name, part, root, rels
        self.v1, self.outcome = v1, outcome
        self.old_part = old.sheet_part(old_name)
        self.old_root = parse_part(parts.data[self.old_part], self.old_part)
        self.old_rels = {rid: (kind, target) for rid, kind, target in
                         parts.targets(self.old_part)}
        self.remap = _row_mapper(old, new, old_name) if new_name == c.INPUTS_SHEET \
            else (lambda row: row)
        self.carried: list[str] = []

    def fresh_rid(self) -> str:
        used = {rid for rid, _, _, _ in self.rels}
        return next(f"rId{k}" for k in range(1, 100_000) if f"rId{k}" not in used)

    def rel_to(self, kind: str) -> str | None:
        return next((resolve(self.part, target) for _, k, target, mode in self.rels
                     if k == kind and not mode), None)

    def add_rel(self, kind: str, target_part: str) -> str:
        rid = self.fresh_rid()
        self.rels.append((rid, kind, relative(self.part, target_part), None))
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
                under = len(rows_under(self.old, info, (info.min_col, info.max_col)))
                boxes.append((info.min_row, info.min_col, info.max_row + under, info.max_col))
        return boxes

    def cells(self) -> None:
        template = template_cells_of(self.v1["cells"].get(self.new_name, {}))
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
        root = parse_part(self.parts.data[old_drawing], old_drawing)
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
            self.parts.data[target] = serialise(shell)
            self.parts.set_type(target, CT_DRAWING, {})
            element = etree.Element(_M + "drawing")
            element.set(_R + "id", self.add_rel(REL_DRAWING, target))
            _place(self.root, element)
        drawing = parse_part(self.parts.data[target], target)
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
                            rels.append((rid, rel.get("Type"), relative(
                                target, resolve(old_drawing, rel.get("Target"))), None))
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
        self.parts.data[target] = serialise(drawing)
        write_rels(self.parts, target, rels)
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
            root = parse_part(self.parts.data[part], part)
            for item in root.iter():
                if isinstance(item.tag, str) and item.get("ref") and _local(item) in (
                        "comment", "threadedComment"):
                    item.set("ref", _remap_refs(item.get("ref"), self.remap))
            name = self.parts.free_name(part)
            self.parts.data[name] = serialise(root)
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
