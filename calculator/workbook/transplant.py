"""Putting the new template's sheets into a user's workbook (for ``aeroi upgrade``).

The user's file is the base: every part of it that is not one of our sheets stays as it was.
Each of our sheets is replaced by the new template's (with its tables, drawings, charts and
buttons, copied in under free part names); the new sheets' cell formats are appended to the
user's style sheet and their texts written as inline strings, so the user's sheets keep their
style and string numbers. What the user added to our old sheets moves onto the new ones
(carry.py). Our defined names are replaced by the new template's; the user's stay (a scoped
one follows its sheet, one that pointed at an input follows the input).
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re

from lxml import etree

from calculator.errors import WorkbookError
from calculator.workbook import contract as c
from calculator.workbook.carry import Carrier
from calculator.workbook.cellref import column_letter, parse_reference, range_reference, split_cell
from calculator.workbook.dates import to_serial
from calculator.workbook.names import set_full_calc, set_table_ref
from calculator.workbook.ooxml import REL_CALC_CHAIN, REL_TABLE
from calculator.workbook.patch import extend_dimension
from calculator.workbook.parts import (_CT, _M, _PR, _R, CT_WORKSHEET, REL_VBA, REL_VBA_SIGNATURE,
                                       REL_WORKSHEET, Parts, blank,
                                       parse_part, relative, resolve, serialise, write_rels)


#: Sheets of the template found by a defined name or table they hold (a renamed sheet is
#: still ours); the others by name.
_ROLE_BY_NAME = {c.INPUTS_SHEET: "in_eval_date", c.RESULTS_SHEET: "out_results",
                 c.CALENDAR_SHEET: "out_calendar", c.CHECKS_SHEET: "out_eligibility"}
_ROLE_BY_TABLE = {c.SKUS_SHEET: c.SKU_TABLE, c.RATES_SHEET: c.RATES_TABLE}
_STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs",
                "cellStyles", "dxfs", "tableStyles", "colors", "extLst")


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
    old_root, new_root = parse_part(old_xml), parse_part(new_xml)
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
    return serialise(old_root), xfs, dxfs


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
    if blank(value):
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


def _cell_at(row, number: int, col: int):
    """The cell of ``row`` in column ``col``, created in column order when missing."""
    later = None
    for cell in row.iterfind(_M + "c"):
        found = split_cell(cell.get("r"))[1]
        if found == col:
            return cell
        if found > col and later is None:
            later = cell
    cell = etree.Element(_M + "c", r=f"{column_letter(col)}{number}")
    if later is not None:
        later.addprevious(cell)
    else:
        row.append(cell)
    row.attrib.pop("spans", None)
    return cell


def _add_table_columns(sheet_root, table_root, names: list[str], rows: list[list[object]],
                       date1904: bool) -> None:
    """The user's own columns of the SKUs table, added at its right with their values."""
    first, _, last = table_root.get("ref").partition(":")
    r1, c1 = split_cell(first)
    r2, c2 = split_cell(last)
    sheet_data = sheet_root.find(_M + "sheetData")
    lines = {int(r.get("r")): r for r in sheet_data.iterfind(_M + "row")}

    def line(number: int):
        if number not in lines:
            lines[number] = etree.Element(_M + "row", r=str(number))
            later = [n for n in lines if n > number and lines[n].getparent() is not None]
            if later:
                lines[min(later)].addprevious(lines[number])
            else:
                sheet_data.append(lines[number])
        return lines[number]
    header_style = _cell_at(line(r1), r1, c2).get("s")
    columns = table_root.find(_M + "tableColumns")
    next_id = max(int(column.get("id")) for column in columns) + 1
    for k, name in enumerate(names):
        col = c2 + 1 + k
        etree.SubElement(columns, _M + "tableColumn", id=str(next_id + k), name=str(name))
        header = _cell_at(line(r1), r1, col)
        if header_style:
            header.set("s", header_style)
        _put(header, str(name))
        for i, values in enumerate(rows):
            if not blank(values[k]):
                _put(_cell_at(line(r1 + 1 + i), r1 + 1 + i, col), values[k], date1904)
    columns.set("count", str(len(columns)))
    r2 = max(r2, r1 + len(rows))
    set_table_ref(table_root, f"{column_letter(c1)}{r1}:{column_letter(c2 + len(names))}{r2}")
    extend_dimension(sheet_root, r2, c2 + len(names))


def _patch_rates(sheet_root, table_root, changes: list[dict], outcome,
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
        set_table_ref(table_root, f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}")
        extend_dimension(sheet_root, r2, 0)
    if edited or added:
        outcome.kept.append(f"Rates: {edited} row(s) you changed and {added} row(s) you added")

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


def compose(old, new, changes: list[dict], v1: dict, outcome,
            sku_extra: tuple[list[str], list[list[object]]] = ([], [])) -> dict[str, bytes]:
    """The parts of the upgraded workbook: ``old`` (the user's package) with ``new`` (the new
    template, already holding the user's inputs and SKUs) put in; ``changes`` are the Rates
    rows to carry, ``sku_extra`` the user's own SKUs columns (names, one row per SKU); what
    was kept and what not is told to ``outcome``."""
    parts = Parts(old.part_names(), old.read_part)
    new_parts = Parts(new.part_names(), new.read_part)
    default_types = {n.get("Extension", "").lower(): n.get("ContentType")
                     for n in new_parts.types.iterfind(_CT + "Default")}
    roles = _our_sheets(old, v1)
    workbook = parse_part(parts.data["xl/workbook.xml"])
    workbook_rels = dict((rid, (kind, target)) for rid, kind, target in
                         parts.targets("xl/workbook.xml"))
    rel_nodes = list(parts.rels("xl/workbook.xml"))

    # styles and strings of the new template
    styles_part = next((t for k, t in workbook_rels.values() if k.endswith("/styles")), None)
    if styles_part is None or styles_part not in parts.data:
        raise WorkbookError(f"{old.label}: the workbook has no style sheet (xl/styles.xml); open "
                            f"and save it in Excel, then run aeroi upgrade again",
                            file=old.label)
    new_styles = next(t for _, k, t in new_parts.targets("xl/workbook.xml")
                      if k.endswith("/styles"))
    parts.data[styles_part], xfs, dxfs = merge_styles(parts.data[styles_part],
                                                      new_parts.data[new_styles])
    shared_part = next((t for _, k, t in new_parts.targets("xl/workbook.xml")
                        if k.endswith("/sharedStrings")), None)
    shared = list(parse_part(new_parts.data[shared_part]).iterfind(_M + "si")) if shared_part else []

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
                table_ids.add(int(parse_part(parts.data[target]).get("id", "0")))
    for name in obsolete:
        outcome.not_kept.append(f"the sheet {name!r} (version {c.CONTRACT_VERSION} has no such "
                                f"sheet)")

    # the old codeNames of our sheets, so the VBA project's document modules stay bound
    old_code = {}
    for name in replaced:
        props = old.xml(old.sheet_part(name)).find(_M + "sheetPr")
        if props is not None and props.get("codeName"):
            old_code[name] = props.get("codeName")

    sheet_ids = [int(n.get("sheetId")) for n in old_sheet_elements.values()]
    rel_ids = {node.get("Id") for node in rel_nodes}
    sheets_node = workbook.find(_M + "sheets")
    final_order = [n.get("name") for n in sheets_node]
    previous = None
    for new_name in new.sheet_names:
        new_part = new.sheet_part(new_name)
        root = parse_part(new_parts.data[new_part])
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
                                           Target=relative("xl/workbook.xml", part)))
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
            source = resolve(new_part, rel.get("Target"))
            target = _copy_part(new_parts, parts, source, copied, default_types, xfs, dxfs)
            if rel.get("Type") == REL_TABLE:
                table = parse_part(parts.data[target])
                fresh = max(table_ids, default=0) + 1
                table_ids.add(fresh)
                table.set("id", str(fresh))
                if new_name == c.RATES_SHEET and changes:
                    _patch_rates(root, table, changes, outcome, old.date1904)
                if new_name == c.SKUS_SHEET and sku_extra[0]:
                    _add_table_columns(root, table, *sku_extra, old.date1904)
                parts.data[target] = serialise(table)
            rels.append((rel.get("Id"), rel.get("Type"), relative(part, target), None))
        if old_name is not None:
            Carrier(parts, old, new, old_name, new_name, part, root, rels, v1, outcome).run()
        parts.data[part] = serialise(root)
        write_rels(parts, part, rels)

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
            parts.drop(resolve("xl/workbook.xml", node.get("Target")))
    write_rels(parts, "xl/workbook.xml", [(n.get("Id"), n.get("Type"), n.get("Target"),
                                            n.get("TargetMode")) for n in rel_nodes])

    _rename_defined_names(workbook, old, new, roles, final_order, v1, outcome,
                          _user_formulas(parts, old, replaced | set(obsolete), workbook))
    _set_active_sheet(workbook, old, final_order, parts)
    _full_calc_on_load(workbook)
    parts.data["xl/workbook.xml"] = serialise(workbook)
    _replace_pristine_vba(parts, new_parts, v1, outcome)

    # what hung only off our old sheets goes; what the user's parts still use stays
    alive = parts.reachable()
    for part in candidates:
        if part not in alive and part in parts.data:
            parts.drop(part)
    _unique_vml_blocks(parts, {name for name in old.part_names() if name.endswith(".vml")
                               and parts.data.get(name) == old.read_part(name)})
    parts.data["[Content_Types].xml"] = serialise(parts.types)
    _stamp_core(parts)
    return parts.data


def _user_formulas(parts: Parts, old, ours: set[str], workbook):
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


def _unique_vml_blocks(parts: Parts, kept: set[str]) -> None:
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


def _copy_part(source: Parts, dest: Parts, part: str, copied: dict[str, str],
               default_types: dict[str, str], xfs, dxfs) -> str:
    """Copy ``part`` of the new template (and what it relates to) under a free name."""
    if part in copied:
        return copied[part]
    name = dest.free_name(part)
    copied[part] = name
    data = source.data[part]
    if part.endswith(".xml") and part.startswith("xl/tables/"):
        root = parse_part(data)
        _restyle(root, xfs, dxfs)
        data = serialise(root)
    dest.data[name] = data
    dest.set_type(name, source.content_type(part), default_types)
    rels = []
    for rel in source.rels(part):
        if rel.get("TargetMode") == "External":
            rels.append((rel.get("Id"), rel.get("Type"), rel.get("Target"), "External"))
            continue
        target = _copy_part(source, dest, resolve(part, rel.get("Target")), copied,
                            default_types, xfs, dxfs)
        rels.append((rel.get("Id"), rel.get("Type"), relative(name, target), None))
    write_rels(dest, name, rels)
    return name


#: Names of version 1 that a later version renamed: a user's formula that uses the old name
#: keeps working through an alias.
SUCCESSORS = {"out_recommended": "out_recommendation"}


def _rename_defined_names(workbook, old, new, roles: dict[str, str], final_order: list[str],
                          v1: dict, outcome, uses) -> None:
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


def _set_active_sheet(workbook, old, final_order: list[str], parts: Parts) -> None:
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
        root = parse_part(parts.data[target])
        sheet_view = root.find(f"{_M}sheetViews/{_M}sheetView")
        if sheet_view is not None and sheet_view.get("tabSelected") not in ("1", "true"):
            sheet_view.set("tabSelected", "1")
            parts.data[target] = serialise(root)


def _full_calc_on_load(workbook) -> None:
    set_full_calc(workbook)


def _replace_pristine_vba(parts: Parts, new_parts: Parts, v1: dict,
                          outcome) -> None:
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


def _stamp_core(parts: Parts) -> None:
    core = "docProps/core.xml"
    if core in parts.data:
        text = parts.data[core]
        parts.data[core] = re.sub(rb"(aeroi [^,<]*, contract )\d+",
                                  rb"\g<1>" + str(c.CONTRACT_VERSION).encode(), text)
