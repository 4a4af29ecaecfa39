"""Read and patch an .xlsx/.xlsm file as the zip package it is, changing only result cells.

Why not openpyxl load + save: it drops what it does not model (buttons, text boxes, checkboxes,
pictures in cells, dynamic-array spill metadata, printer settings...). Here a write rewrites
only the XML of the sheets that hold output cells, and in them only those cells (each keeps its
style); every other part of the package is copied through byte for byte.

Safety: XML with a DTD is refused (entity attacks), parts are read with a size limit (zip
bombs), and a write goes to a temporary file in the same folder that replaces the original only
when complete, so a crash leaves the file as it was or fully updated.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import io
import math
import os
import re
import secrets
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Mapping, Sequence

from lxml import etree

from calculator.errors import WorkbookError

TEMP_PREFIX = ".~aeroi-tmp-"

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_CALC_CHAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
REL_TABLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"
REL_SHARED_STRINGS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                      "sharedStrings")
REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"

_M = "{%s}" % NS_MAIN
_R = "{%s}" % NS_REL

#: A part larger than this (uncompressed) is refused: a real store workbook is far smaller, and
#: a zip bomb must not take the machine's memory. Override with AEROI_MAX_PART_MB.
MAX_PART_BYTES = int(float(os.environ.get("AEROI_MAX_PART_MB", "256")) * 1024 * 1024)
#: The whole package, uncompressed.
MAX_PACKAGE_BYTES = 4 * MAX_PART_BYTES
_CHUNK = 1 << 20

# Elements of <workbook> after which <calcPr> may stand (CT_Workbook sequence).
_BEFORE_CALCPR = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews",
                  "sheets", "functionGroups", "externalReferences", "definedNames")
# Built-in number formats that show dates or times.
_DATE_FORMAT_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


class ErrorValue(str):
    """A cell holding an Excel error such as #N/A or #REF! (a str, so messages can show it)."""


@dataclass(frozen=True)
class NameTarget:
    """Where a defined name points: one rectangle on one sheet."""
    name: str
    sheet: str
    min_row: int
    min_col: int
    max_row: int
    max_col: int
    scope: str | None = None          # the sheet a sheet-scoped name belongs to

    @property
    def shape(self) -> tuple[int, int]:
        return (self.max_row - self.min_row + 1, self.max_col - self.min_col + 1)

    @property
    def top_left(self) -> str:
        return f"{column_letter(self.min_col)}{self.min_row}"


@dataclass(frozen=True)
class TableInfo:
    """An Excel table (ListObject)."""
    name: str
    display_name: str
    sheet: str
    min_row: int
    min_col: int
    max_row: int
    max_col: int
    columns: tuple[str, ...]
    header_row_count: int
    totals_row_count: int


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def split_cell(ref: str) -> tuple[int, int]:
    """"C7" -> (row 7, column 3)."""
    match = _CELL_REF.match(ref.strip())
    if not match:
        raise ValueError(ref)
    return int(match.group(2)), column_number(match.group(1))


def parse_reference(text: str) -> tuple[str, tuple[int, int, int, int]]:
    """"'My sheet'!$A$1:$B$3" -> ("My sheet", (1, 1, 3, 2)). ValueError for anything that is not
    one rectangle on one named sheet (a formula, several areas, #REF!)."""
    text = text.strip()
    if text.startswith("'"):
        end = 1
        sheet_chars = []
        while end < len(text):
            if text[end] == "'":
                if end + 1 < len(text) and text[end + 1] == "'":
                    sheet_chars.append("'")
                    end += 2
                    continue
                break
            sheet_chars.append(text[end])
            end += 1
        sheet, rest = "".join(sheet_chars), text[end + 1:]
    else:
        sheet, _, rest = text.partition("!")
        rest = "!" + rest if _ else ""
    if not rest.startswith("!") or not sheet or "#REF" in sheet.upper():
        raise ValueError(text)
    first, _, last = rest[1:].partition(":")
    row1, col1 = split_cell(first)
    row2, col2 = split_cell(last) if last else (row1, col1)
    return sheet, (min(row1, row2), min(col1, col2), max(row1, row2), max(col1, col2))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=True, remove_blank_text=False)


def _refuse_dtd(data: bytes, label: str, part: str) -> None:
    head = data[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise WorkbookError(f"{label}: the part {part} declares a DTD or entities, which workbooks "
                            f"never need (possible XML entity attack); the file was not read",
                            file=label, expected="an Excel workbook")


def _not_well_formed(label: str, part: str, error: Exception) -> WorkbookError:
    return WorkbookError(f"{label}: the part {part} is not well-formed XML ({error}); open "
                         f"and re-save the file in Excel", file=label,
                         expected="an Excel workbook")


def _parse_xml(data: bytes, label: str, part: str) -> etree._Element:
    _refuse_dtd(data, label, part)
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise _not_well_formed(label, part, error) from None


def _resolve(base_part: str, target: str) -> str:
    """A relationship target relative to the part that holds the relationship."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts = []
    for piece in (str(PurePosixPath(base_part).parent) + "/" + target).split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if parts:
                parts.pop()
        else:
            parts.append(piece)
    return "/".join(parts)


def _rels_part(part: str) -> str:
    path = PurePosixPath(part)
    return f"{path.parent}/_rels/{path.name}.rels".lstrip("/")


def _excel_serial(value: dt.date | dt.datetime, date1904: bool) -> float:
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    delta = value - (_EPOCH_1904 if date1904 else _EPOCH_1900)
    serial = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    if not date1904 and serial < 61:   # Excel's phantom 1900-02-29: serials below it shift by one
        serial -= 1
    return serial


def _from_serial(serial: float, date1904: bool) -> dt.datetime:
    if not date1904 and serial < 61:
        serial += 1
    base = _EPOCH_1904 if date1904 else _EPOCH_1900
    moment = base + dt.timedelta(days=serial)
    # round to the second: serials carry float noise
    return (moment + dt.timedelta(microseconds=500_000)).replace(microsecond=0)


def _is_date_code(code: str) -> bool:
    text = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code)
    text = text.split(";")[0].lower()
    return bool(re.search(r"[dmyhs]", text)) and "general" not in text


class XlsxPackage:
    """Read access to the parts of one workbook package, parsing only what is asked for."""

    def __init__(self, path: str | os.PathLike, label: str | None = None):
        self.path = os.fspath(path)
        self.label = label or os.path.basename(self.path)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise WorkbookError(f"{self.label}: no such file", file=self.label) from None
        except PermissionError:
            raise WorkbookError(f"{self.label}: cannot be read (permission denied)",
                                file=self.label) from None
        except (zipfile.BadZipFile, OSError, ValueError):
            raise WorkbookError(f"{self.label}: not an Excel workbook (the file is not a zip "
                                f"package; it may be empty, damaged or another format)",
                                file=self.label, expected="an .xlsx or .xlsm workbook") from None
        try:
            self._members = {info.filename: info for info in self._zip.infolist()}
            total = sum(info.file_size for info in self._members.values())
            if total > MAX_PACKAGE_BYTES:
                raise WorkbookError(f"{self.label}: the package would unpack to {total >> 20} MB,"
                                    f" more than the {MAX_PACKAGE_BYTES >> 20} MB limit (possible "
                                    f"zip bomb); the file was not read", file=self.label)
            if "xl/workbook.xml" not in self._members:
                raise WorkbookError(f"{self.label}: not an Excel workbook (a zip file without "
                                    f"xl/workbook.xml)", file=self.label,
                                    expected="an .xlsx or .xlsm workbook")
            self._xml_cache: dict[str, etree._Element] = {}
            self._sheet_cells: dict[str, dict[tuple[int, int], object]] = {}
            self._load_workbook()
        except BaseException:
            self._zip.close()
            raise

    # --- parts ---------------------------------------------------------------------------
    def close(self) -> None:
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def part_names(self) -> list[str]:
        return list(self._members)

    def read_part(self, part: str) -> bytes:
        """A part's bytes, refusing one that unpacks beyond the limit (read in chunks, so a lie
        in the zip directory cannot make us allocate more)."""
        info = self._members.get(part)
        if info is None:
            raise KeyError(part)
        if info.file_size > MAX_PART_BYTES:
            raise self._too_big(part)
        chunks, size = [], 0
        try:
            with self._zip.open(info) as handle:
                while True:
                    chunk = handle.read(_CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > MAX_PART_BYTES:
                        raise self._too_big(part)
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
            raise WorkbookError(f"{self.label}: the part {part} cannot be unpacked ({error}); the "
                                f"file is damaged", file=self.label) from None
        return b"".join(chunks)

    def _too_big(self, part: str) -> WorkbookError:
        return WorkbookError(f"{self.label}: the part {part} unpacks to more than "
                             f"{MAX_PART_BYTES / 1048576:g} MB, the size limit (possible zip "
                             f"bomb); the file was not read. A genuine workbook this big: set "
                             f"AEROI_MAX_PART_MB higher", file=self.label,
                             expected="a part under the size limit")

    def xml(self, part: str) -> etree._Element:
        root = self._xml_cache.get(part)
        if root is None:
            root = _parse_xml(self.read_part(part), self.label, part)
            self._xml_cache[part] = root
        return root

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (type, resolved part name) for the relationships of ``part``."""
        rels = _rels_part(part)
        if rels not in self._members:
            return {}
        found = {}
        for rel in self.xml(rels).iter("{%s}Relationship" % NS_PKG_REL):
            if rel.get("TargetMode") == "External":
                continue
            found[rel.get("Id")] = (rel.get("Type", ""), _resolve(part, rel.get("Target", "")))
        return found

    # --- workbook ------------------------------------------------------------------------
    def _load_workbook(self) -> None:
        root = self.xml("xl/workbook.xml")
        if root.tag.startswith("{%s}" % NS_STRICT_MAIN):
            raise WorkbookError(f"{self.label}: saved as 'Strict Open XML', which we do not read;"
                                f" save it as 'Excel Workbook (.xlsx)'", file=self.label)
        if root.tag != _M + "workbook":
            raise WorkbookError(f"{self.label}: not an Excel workbook (xl/workbook.xml holds "
                                f"{root.tag})", file=self.label)
        rels = self.relationships("xl/workbook.xml")
        self.sheet_parts: dict[str, str] = {}
        self.sheet_order: list[str] = []
        for sheet in root.iterfind(f"{_M}sheets/{_M}sheet"):
            name = sheet.get("name")
            rel = rels.get(sheet.get(_R + "id"))
            self.sheet_order.append(name)
            if rel is not None:
                self.sheet_parts[name] = rel[1]
        props = root.find(_M + "workbookPr")
        self.date1904 = props is not None and props.get("date1904") in ("1", "true")
        self._shared_part = next((p for t, p in rels.values() if t == REL_SHARED_STRINGS), None)
        self._styles_part = next((p for t, p in rels.values() if t == REL_STYLES), None)
        self._shared: list[str] | None = None
        self._date_styles: set[int] | None = None
        self._names: list[tuple[str, int | None, str]] = []
        for node in root.iterfind(f"{_M}definedNames/{_M}definedName"):
            local = node.get("localSheetId")
            self._names.append((node.get("name", ""), int(local) if local is not None else None,
                                (node.text or "").strip()))

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheet_order)

    @property
    def defined_names(self) -> dict[str, str]:
        """Workbook-scoped names and what they refer to (as written in the file)."""
        return {name: text for name, local, text in self._names if local is None}

    def get_name(self, name: str, sheet: str | None = None) -> NameTarget | None:
        """Where ``name`` points; None when the workbook has no such name. A name that exists
        but does not point at one rectangle of cells raises WorkbookError saying so."""
        wanted = name.lower()
        candidates = [(n, local, text) for n, local, text in self._names if n.lower() == wanted]
        if not candidates:
            return None
        scope_index = self.sheet_order.index(sheet) if sheet in self.sheet_order else None
        chosen = next((c for c in candidates if c[1] is not None and c[1] == scope_index), None) \
            or next((c for c in candidates if c[1] is None), None) or candidates[0]
        actual, local, text = chosen
        try:
            sheet_name, (r1, c1, r2, c2) = parse_reference(text)
        except ValueError:
            raise WorkbookError(f"{self.label}: the defined name {actual} refers to {text!r}, "
                                f"not to cells on a sheet (was a sheet deleted?)", file=self.label,
                                name=actual, expected="a cell or range on a sheet",
                                found=text) from None
        if sheet_name not in self.sheet_parts:
            raise WorkbookError(f"{self.label}: the defined name {actual} refers to the sheet "
                                f"{sheet_name!r}, which the workbook does not have",
                                file=self.label, name=actual, expected="an existing sheet",
                                found=sheet_name)
        scope = self.sheet_order[local] if local is not None and local < len(self.sheet_order) \
            else None
        return NameTarget(actual, sheet_name, r1, c1, r2, c2, scope)

    # --- cells ---------------------------------------------------------------------------
    def _shared_strings(self) -> list[str]:
        if self._shared is None:
            self._shared = []
            if self._shared_part and self._shared_part in self._members:
                for item in self.xml(self._shared_part).iterfind(_M + "si"):
                    self._shared.append(_text_of(item))
                self._xml_cache.pop(self._shared_part, None)
        return self._shared

    def date_style_ids(self) -> set[int]:
        """Indexes of cell formats (the ``s`` of a cell) that show a date or time."""
        if self._date_styles is None:
            self._date_styles = set()
            if self._styles_part and self._styles_part in self._members:
                root = self.xml(self._styles_part)
                custom = {int(f.get("numFmtId")): f.get("formatCode", "")
                          for f in root.iterfind(f"{_M}numFmts/{_M}numFmt")}
                for index, xf in enumerate(root.iterfind(f"{_M}cellXfs/{_M}xf")):
                    fmt = int(xf.get("numFmtId", "0"))
                    if fmt in _DATE_FORMAT_IDS or (fmt in custom and _is_date_code(custom[fmt])):
                        self._date_styles.add(index)
        return self._date_styles

    def is_date_style(self, style: int) -> bool:
        return style in self.date_style_ids()

    def sheet_part(self, sheet: str) -> str:
        part = self.sheet_parts.get(sheet)
        if part is None or part not in self._members:
            raise WorkbookError(f"{self.label}: the sheet {sheet!r} is missing from the file",
                                file=self.label, sheet=sheet)
        return part

    def _cells(self, sheet: str) -> dict[tuple[int, int], object]:
        cells = self._sheet_cells.get(sheet)
        if cells is not None:
            return cells
        part = self.sheet_part(sheet)
        root = self.xml(part)
        self._xml_cache.pop(part, None)     # the values are all we keep of a read sheet
        cells = {}
        data = root.find(_M + "sheetData")
        date_styles = None
        if data is not None:
            next_row = 1
            for row in data.iterfind(_M + "row"):
                number = int(row.get("r")) if row.get("r") else next_row
                next_row = number + 1
                next_col = 1
                for cell in row.iterfind(_M + "c"):
                    ref = cell.get("r")
                    col = split_cell(ref)[1] if ref else next_col
                    next_col = col + 1
                    value = self._cell_value(cell)
                    if value is None:
                        continue
                    if isinstance(value, float) and cell.get("s"):
                        if date_styles is None:
                            date_styles = self.date_style_ids()
                        if int(cell.get("s")) in date_styles:
                            value = self.from_serial(value)
                    cells[(number, col)] = value
        self._sheet_cells[sheet] = cells
        return cells

    def from_serial(self, serial: float) -> dt.datetime | float:
        if not math.isfinite(serial) or serial < 0 or serial > 2958466:
            return serial
        return _from_serial(serial, self.date1904)

    def _cell_value(self, cell) -> object:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            node = cell.find(_M + "is")
            return _text_of(node) if node is not None else None
        v = cell.find(_M + "v")
        if v is None or v.text is None:
            return None
        text = v.text
        if kind == "s":
            try:
                return self._shared_strings()[int(text)]
            except (ValueError, IndexError):
                return ErrorValue("#REF!")
        if kind == "str":
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "e":
            return ErrorValue(text)
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(text.strip().rstrip("Z"))
            except ValueError:
                return text
        try:
            return float(text)
        except ValueError:
            return text

    def read_range(self, target: NameTarget) -> list[list[object]]:
        """The values of a rectangle, row by row: None for blank cells; numbers as float, text
        as str, booleans as bool, errors as ErrorValue, date-formatted numbers as datetime."""
        cells = self._cells(target.sheet)
        return [[cells.get((row, col)) for col in range(target.min_col, target.max_col + 1)]
                for row in range(target.min_row, target.max_row + 1)]

    def read_name(self, name: str) -> list[list[object]]:
        target = self.get_name(name)
        if target is None:
            raise KeyError(name)
        return self.read_range(target)

    # --- tables --------------------------------------------------------------------------
    def tables(self) -> dict[str, TableInfo]:
        """Every Excel table, by name."""
        if hasattr(self, "_tables"):
            return self._tables
        found: dict[str, TableInfo] = {}
        for sheet in self.sheet_order:
            part = self.sheet_parts.get(sheet)
            if part is None or part not in self._members:
                continue
            for kind, table_part in self.relationships(part).values():
                if kind != REL_TABLE or table_part not in self._members:
                    continue
                root = self.xml(table_part)
                try:
                    first, _, last = root.get("ref", "").partition(":")
                    r1, c1 = split_cell(first)
                    r2, c2 = split_cell(last or first)
                except ValueError:
                    continue
                columns = tuple(col.get("name", "") for col in
                                root.iterfind(f"{_M}tableColumns/{_M}tableColumn"))
                info = TableInfo(root.get("name") or root.get("displayName", ""),
                                 root.get("displayName") or root.get("name", ""), sheet,
                                 r1, c1, r2, c2, columns,
                                 int(root.get("headerRowCount", "1")),
                                 int(root.get("totalsRowCount", "0")))
                found[info.display_name] = info
        self._tables = found
        return found

    def find_table(self, name: str) -> TableInfo | None:
        wanted = name.lower()
        return next((info for key, info in self.tables().items()
                     if key.lower() == wanted or info.name.lower() == wanted), None)

    def read_table(self, name: str) -> tuple[list[str], list[list[object]]]:
        """A table's column names and its data rows (header and totals rows left out)."""
        info = self.find_table(name)
        if info is None:
            raise KeyError(name)
        first = info.min_row + info.header_row_count
        last = info.max_row - info.totals_row_count
        columns = list(info.columns)
        if not any(columns) and info.header_row_count:
            columns = [str(v or "") for v in self.read_range(NameTarget(
                name, info.sheet, info.min_row, info.min_col, info.min_row, info.max_col))[0]]
        if last < first:
            return columns, []
        rows = self.read_range(NameTarget(name, info.sheet, first, info.min_col, last,
                                          info.max_col))
        return columns, rows


def _text_of(node) -> str:
    """The text of a string item: plain <t>, or the runs <r><t> of rich text (phonetic runs
    <rPh> left out, as Excel shows them)."""
    plain = node.find(_M + "t")
    if plain is not None:
        return plain.text or ""
    return "".join(t.text or "" for r in node.iterfind(_M + "r") for t in r.iterfind(_M + "t"))


# --- writing --------------------------------------------------------------------------------

def _cell_kind(value) -> str:
    if value is None:
        return "blank"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "number"
    if isinstance(value, (dt.date, dt.datetime)):
        return "date"
    if isinstance(value, str):
        return "text"
    try:                                    # numpy scalars
        import numpy as np
        if isinstance(value, np.bool_):
            return "bool"
        if isinstance(value, np.generic):
            return "number"
    except ImportError:  # pragma: no cover
        pass
    return "unknown"


_F, _V, _IS, _T = _M + "f", _M + "v", _M + "is", _M + "t"
_VALUE_TAGS = frozenset((_F, _V, _IS))


def _number_text(number: float) -> str:
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def _set_cell(cell, value, date_style: int | None, package: XlsxPackage) -> bool:
    """Give ``cell`` the value; keep its style. Returns True when a formula was overwritten.
    (The hot path of a big run: one call per output cell, so it avoids repeated lookups.)"""
    kind = type(value)
    attrib = cell.attrib
    if len(cell) == 1 and "cm" not in attrib and "vm" not in attrib:
        # a re-run: the cell already holds a value of the same kind; change its text in place
        only = cell[0]
        if (kind is float or kind is int) and only.tag == _V and attrib.get("t", "n") == "n":
            number = float(value)
            if number == number and number not in (math.inf, -math.inf):
                only.text = _number_text(number)
                return False
        elif kind is str and only.tag == _IS and attrib.get("t") == "inlineStr" \
                and len(only) == 1 and only[0].tag == _T:
            clean = _ILLEGAL_XML.sub("", value)
            if clean == clean.strip() and "\n" not in clean:
                only[0].text = clean
                only[0].attrib.pop("{http://www.w3.org/XML/1998/namespace}space", None)
                return False
    had_formula = False
    if len(cell):
        for child in list(cell):
            if child.tag in _VALUE_TAGS:
                had_formula = had_formula or child.tag == _F
                cell.remove(child)
    for attribute in ("t", "cm", "vm"):
        if attribute in attrib:
            del attrib[attribute]
    if value is None:
        return had_formula
    if kind is float or kind is int:
        number = float(value)
        if number != number:                        # NaN: a blank cell
            return had_formula
        if number in (math.inf, -math.inf):
            raise ValueError("an infinite number cannot be written to a cell")
        node = etree.Element(_V)
        node.text = _number_text(number)
    elif kind is str or kind is ErrorValue:
        attrib["t"] = "inlineStr"
        node = etree.Element(_IS)
        text = etree.SubElement(node, _T)
        clean = _ILLEGAL_XML.sub("", value)
        text.text = clean
        if clean != clean.strip() or "\n" in clean:
            text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    else:
        general = _cell_kind(value)
        if general == "blank":
            return had_formula
        if general == "bool":
            attrib["t"] = "b"
            node = etree.Element(_V)
            node.text = "1" if bool(value) else "0"
        elif general == "number":
            return _set_cell(cell, float(value), date_style, package) or had_formula
        elif general == "text":
            return _set_cell(cell, str(value), date_style, package) or had_formula
        elif general == "date":
            serial = _excel_serial(value, package.date1904)
            node = etree.Element(_V)
            node.text = _number_text(float(serial))
            style = int(attrib.get("s", "0"))
            if not package.is_date_style(style) and date_style is not None:
                attrib["s"] = str(date_style)
        else:
            raise ValueError(f"cannot write a {type(value).__name__} to a cell")
    cell.insert(0, node)
    return had_formula


@functools.lru_cache(maxsize=4096)
def _column_of_letters(letters: str) -> int:
    return column_number(letters)


def _column_of(ref: str) -> int:
    """The column number of a cell reference such as "AB12" (fast: the letters are cached)."""
    letters = ref.rstrip("0123456789")
    if not letters or not letters.isalpha():
        return split_cell(ref)[1]
    return _column_of_letters(letters)


class _RowIndex:
    """The rows of a sheetData, found and created in order without rescanning the sheet."""

    def __init__(self, sheet_data, label: str, sheet: str):
        self.sheet_data = sheet_data
        self.rows: dict[int, object] = {}
        for row in sheet_data.iterfind(_M + "row"):
            if row.get("r") is None:
                raise WorkbookError(f"{label}: the sheet {sheet!r} has rows without numbers; "
                                    f"open and re-save it in Excel", file=label, sheet=sheet)
            self.rows[int(row.get("r"))] = row
        self.order = sorted(self.rows)

    def get(self, number: int, create: bool):
        row = self.rows.get(number)
        if row is not None or not create:
            return row
        row = etree.Element(_M + "row")
        row.set("r", str(number))
        position = bisect.bisect_left(self.order, number)
        if position < len(self.order):
            self.rows[self.order[position]].addprevious(row)
        else:
            self.sheet_data.append(row)
        self.order.insert(position, number)
        self.rows[number] = row
        return row


def _patch_row(row, number: int, writes: list[tuple[int, object]], date_style: int | None,
               package: XlsxPackage) -> bool:
    """Apply (column, value) writes, sorted by column, to one row element."""
    cells = {}
    columns = []
    for cell in row.iterfind(_M + "c"):
        ref = cell.get("r")
        if ref:
            col = _column_of(ref)
            cells[col] = cell
            columns.append(col)
    formula_lost = False
    style = row.get("s") if row.get("customFormat") in ("1", "true") else None
    for col, value in writes:
        cell = cells.get(col)
        if cell is None:
            if _is_blank(value):
                continue
            cell = etree.Element(_M + "c")
            cell.set("r", f"{column_letter(col)}{number}")
            if style:                       # a new cell takes the row's style, as in Excel
                cell.set("s", style)
            position = bisect.bisect_left(columns, col)
            if position < len(columns):
                cells[columns[position]].addprevious(cell)
            else:
                row.append(cell)
            columns.insert(position, col)
            cells[col] = cell
        try:
            formula_lost |= _set_cell(cell, value, date_style, package)
        except ValueError as error:
            raise _CellProblem(f"{column_letter(col)}{number}", str(error)) from None
    return formula_lost


class _CellProblem(Exception):
    def __init__(self, cell: str, message: str):
        super().__init__(message)
        self.cell = cell


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _patch_sheet(root, writes: list[tuple[int, int, object]], date_style: int | None,
                 package: XlsxPackage, label: str, sheet: str) -> bool:
    """Apply ``writes`` (row, col, value) to a worksheet tree. Returns True if a formula was
    overwritten (the calculation chain must then go). Blank values on rows or cells that do
    not exist create nothing: a large empty output range costs no space."""
    sheet_data = root.find(_M + "sheetData")
    if sheet_data is None:
        raise WorkbookError(f"{label}: the sheet {sheet!r} has no cell data part", file=label,
                            sheet=sheet)
    index = _RowIndex(sheet_data, label, sheet)
    by_row = _writes_by_row(writes)
    formula_lost = False
    max_row = max_col = 0
    for number in sorted(by_row):
        row_writes = by_row[number]
        row = index.get(number, create=any(not _is_blank(v) for _, v in row_writes))
        if row is None:
            continue
        lost, rightmost = _apply_row(row, number, row_writes, date_style, package, label, sheet)
        formula_lost |= lost
        if rightmost:
            max_row, max_col = max(max_row, number), max(max_col, rightmost)
    _extend_dimension(root, max_row, max_col)
    return formula_lost


def _writes_by_row(writes: list[tuple[int, int, object]]) -> dict[int, list[tuple[int, object]]]:
    """(row, col, value) writes grouped by row, each row's sorted by column."""
    by_row: dict[int, list[tuple[int, object]]] = {}
    for number, col, value in writes:
        by_row.setdefault(number, []).append((col, value))
    for row_writes in by_row.values():
        row_writes.sort(key=lambda w: w[0])
    return by_row


def _apply_row(row, number: int, row_writes: list[tuple[int, object]], date_style: int | None,
               package: XlsxPackage, label: str, sheet: str) -> tuple[bool, int]:
    """Patch one row (the tree and the streamed paths share it) and fix its spans. Returns
    (whether a formula was overwritten, the rightmost column given a value, or 0)."""
    try:
        lost = _patch_row(row, number, row_writes, date_style, package)
    except _CellProblem as problem:
        raise WorkbookError(f"{label}: {sheet}!{problem.cell}: {problem}", file=label,
                            sheet=sheet, cell=problem.cell) from None
    _fix_row_spans([row])
    return lost, max((col for col, value in row_writes if not _is_blank(value)), default=0)


#: Sheet parts at least this big are patched row by row as they are parsed (streamed), so a
#: sheet of a million cells never sits in memory as a tree. Smaller ones use the tree.
STREAM_ABOVE_BYTES = 4 * 1024 * 1024
_ROWS_MARKER = "AEROI-ROWS-5f1c9e"


class _NeedTree(Exception):
    """The streamed patch met something only the tree path handles (rows out of order, rows
    without numbers, a sheet without sheetData)."""


def _patch_sheet_streaming(data: bytes, writes: list[tuple[int, int, object]],
                           date_style: int | None, package: XlsxPackage, label: str,
                           sheet: str) -> tuple[bytes, bool]:
    """The same patch as :func:`_patch_sheet`, done while the sheet is parsed: each row is
    patched, serialised and dropped as soon as it is complete. Returns (the new part, whether
    a formula was overwritten)."""
    _refuse_dtd(data, label, package.sheet_part(sheet))
    by_row = _writes_by_row(writes)
    pending = sorted(by_row)
    next_pending = 0
    out: list[bytes] = []
    formula_lost = False
    max_row = max_col = 0
    root = sheet_data = None
    declarations: list[bytes] = []
    last_number = 0

    def emit(row, number: int, row_writes) -> None:
        nonlocal formula_lost, max_row, max_col
        if row_writes:
            lost, rightmost = _apply_row(row, number, row_writes, date_style, package, label,
                                         sheet)
            formula_lost |= lost
            if rightmost:
                max_row, max_col = max(max_row, number), max(max_col, rightmost)
        text = etree.tostring(row, encoding="UTF-8")
        end = text.index(b">")
        start_tag = text[:end]
        for declaration in declarations:          # declared once, on the worksheet element
            start_tag = start_tag.replace(declaration, b"", 1)
        out.append(start_tag + text[end:])

    def create_rows_before(limit: int | None) -> None:
        nonlocal next_pending
        while next_pending < len(pending) and (limit is None or pending[next_pending] < limit):
            number = pending[next_pending]
            next_pending += 1
            row_writes = by_row[number]
            if all(_is_blank(v) for _, v in row_writes):
                continue
            row = etree.SubElement(sheet_data, _M + "row")
            row.set("r", str(number))
            emit(row, number, row_writes)
            sheet_data.remove(row)

    try:
        # events for rows only: the cells inside a row are not visited one by one in Python
        for _, element in etree.iterparse(
                io.BytesIO(data), events=("end",), tag=_M + "row", resolve_entities=False,
                no_network=True, load_dtd=False, huge_tree=True, remove_blank_text=False):
            if sheet_data is None:
                sheet_data = element.getparent()
                root = sheet_data.getparent() if sheet_data is not None else None
                if sheet_data is None or sheet_data.tag != _M + "sheetData" or root is None \
                        or root.getparent() is not None:
                    raise _NeedTree()
                for prefix, uri in sheet_data.nsmap.items():
                    declarations.append(
                        (f' xmlns="{uri}"' if prefix is None
                         else f' xmlns:{prefix}="{uri}"').encode("utf-8"))
            elif element.getparent() is not sheet_data:
                raise _NeedTree()
            raw = element.get("r")
            if raw is None or not raw.isdigit() or int(raw) <= last_number:
                raise _NeedTree()
            number = last_number = int(raw)
            create_rows_before(number)
            if next_pending < len(pending) and pending[next_pending] == number:
                next_pending += 1
                emit(element, number, by_row[number])
            else:
                emit(element, number, None)
            sheet_data.remove(element)
    except etree.XMLSyntaxError as error:
        raise _not_well_formed(label, package.sheet_part(sheet), error) from None
    if sheet_data is None or len(sheet_data):
        raise _NeedTree()
    create_rows_before(None)
    _extend_dimension(root, max_row, max_col)
    leading = sheet_data.text or ""
    sheet_data.text = leading + _ROWS_MARKER
    before, marker, after = _serialise(root).partition(_ROWS_MARKER.encode("ascii"))
    if not marker:
        raise _NeedTree()
    return before + b"".join(out) + after, formula_lost


def _fix_row_spans(rows: list) -> None:
    # "spans" is an optimisation hint; a wrong one is worse than none
    for row in rows:
        spans = row.get("spans")
        if not spans:
            continue
        cols = [split_cell(c.get("r"))[1] for c in row.iterfind(_M + "c") if c.get("r")]
        if cols:
            low, _, high = spans.partition(":")
            try:
                if min(cols) < int(low) or max(cols) > int(high or low):
                    row.set("spans", f"{min(min(cols), int(low))}:{max(max(cols), int(high or low))}")
            except ValueError:
                row.attrib.pop("spans")


def _extend_dimension(root, max_row: int, max_col: int) -> None:
    if not max_row:
        return
    dimension = root.find(_M + "dimension")
    if dimension is None:
        return
    first, _, last = dimension.get("ref", "A1").partition(":")
    try:
        r1, c1 = split_cell(first)
        r2, c2 = split_cell(last or first)
    except ValueError:
        return
    if max_row > r2 or max_col > c2:
        r2, c2 = max(r2, max_row), max(c2, max_col)
        dimension.set("ref", f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}")


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _first_date_style(package: XlsxPackage) -> int | None:
    styles = package.date_style_ids()
    return min(styles) if styles else None


def _set_full_calc(root) -> bool:
    """Ask Excel and LibreOffice to recalculate everything on open. True if changed."""
    calc = root.find(_M + "calcPr")
    if calc is not None:
        if calc.get("fullCalcOnLoad") in ("1", "true"):
            return False
        calc.set("fullCalcOnLoad", "1")
        return True
    calc = etree.Element(_M + "calcPr")
    calc.set("fullCalcOnLoad", "1")
    anchor = None
    for child in root:
        if isinstance(child.tag, str) and child.tag.startswith(_M) \
                and child.tag[len(_M):] in _BEFORE_CALCPR:
            anchor = child
    if anchor is None:
        root.insert(0, calc)
    else:
        anchor.addnext(calc)
    return True


def _drop_calc_chain(package: XlsxPackage, replaced: dict[str, bytes], dropped: set[str]) -> None:
    chain = next((p for t, p in package.relationships("xl/workbook.xml").values()
                  if t == REL_CALC_CHAIN), None)
    if chain is None:
        return
    dropped.add(chain)
    rels_part = _rels_part("xl/workbook.xml")
    rels = package.xml(rels_part)
    for rel in list(rels):
        if rel.get("Type") == REL_CALC_CHAIN:
            rels.remove(rel)
    replaced[rels_part] = _serialise(rels)
    types = package.xml("[Content_Types].xml")
    for override in list(types):
        if override.get("PartName", "").lstrip("/") == chain:
            types.remove(override)
    replaced["[Content_Types].xml"] = _serialise(types)


def quote_sheet(sheet: str) -> str:
    """A sheet name as a reference needs it: 'Q3 ''final'' results' or Results."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet) and not _CELL_REF.match(sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def range_reference(sheet: str, min_row: int, min_col: int, max_row: int, max_col: int) -> str:
    first = f"${column_letter(min_col)}${min_row}"
    last = f"${column_letter(max_col)}${max_row}"
    return f"{quote_sheet(sheet)}!{first}" + (f":{last}" if last != first else "")


def plan_writes(package: XlsxPackage, updates: Mapping[str, Sequence[Sequence[object]]],
                resize: Iterable[str] = ()) -> tuple[dict[str, list[tuple[int, int, object]]],
                                                     dict[str, NameTarget]]:
    """Cells to write per sheet: each name's block laid over its range, the rest of the range
    cleared (so a shorter result leaves no stale rows behind). Names in ``resize`` take the
    shape of their block (their old range is cleared); returns their new targets too."""
    per_sheet: dict[str, list[tuple[int, int, object]]] = {}
    resized: dict[str, NameTarget] = {}
    growable = {name.lower() for name in resize}
    for name, block in updates.items():
        target = package.get_name(name)
        if target is None:
            raise WorkbookError(f"{package.label}: the defined name {name} is missing, so its "
                                f"results cannot be written (create the workbook with `aeroi new`)",
                                file=package.label, name=name, expected="a defined name")
        rows, cols = target.shape
        block = [list(r) for r in block]
        width = max((len(r) for r in block), default=0)
        if name.lower() in growable:
            new = NameTarget(target.name, target.sheet, target.min_row, target.min_col,
                             target.min_row + max(len(block), 1) - 1,
                             target.min_col + max(width, 1) - 1, target.scope)
            if new != target:
                resized[target.name] = new
            rows, cols = max(rows, new.shape[0]), max(cols, new.shape[1])
        elif len(block) > rows or width > cols:
            raise WorkbookError(f"{package.label}: {target.sheet}!{target.top_left} {name} has "
                                f"room for {rows}×{cols} cells, the results need "
                                f"{len(block)}×{width}", file=package.label, sheet=target.sheet,
                                cell=target.top_left, name=name)
        writes = per_sheet.setdefault(target.sheet, [])
        for i in range(rows):
            line = block[i] if i < len(block) else []
            for j in range(cols):
                value = line[j] if j < len(line) else None
                writes.append((target.min_row + i, target.min_col + j, value))
    return per_sheet, resized


def _resize_names(root, package: XlsxPackage, resized: Mapping[str, NameTarget]) -> None:
    for node in root.iterfind(f"{_M}definedNames/{_M}definedName"):
        target = resized.get(node.get("name", ""))
        if target is None:
            continue
        local = node.get("localSheetId")
        scope = package.sheet_order[int(local)] if local is not None else None
        if scope == target.scope:
            node.text = range_reference(target.sheet, target.min_row, target.min_col,
                                        target.max_row, target.max_col)


def write_cells(src: str | os.PathLike, updates: Mapping[str, Sequence[Sequence[object]]],
                dest: str | os.PathLike | None = None, full_calc_on_load: bool = True,
                label: str | None = None, resize: Iterable[str] = ()) -> Path:
    """Write ``updates`` (defined name -> rows of values) into the workbook ``src``, saving to
    ``dest`` (``src`` itself by default) atomically. Only the sheets holding those names are
    rewritten, and in them only those cells; every other part is copied byte for byte. Names
    in ``resize`` are redefined to the size of their block (a table of variable length)."""
    src = Path(src)
    dest = Path(dest) if dest is not None else src
    label = label or src.name
    if dest.exists() and (not os.access(dest, os.W_OK) or not os.stat(dest).st_mode & 0o222):
        raise WorkbookError(f"{label}: the file is read-only, so its results were not written "
                            f"(clear the read-only flag and run again)", file=label)
    with XlsxPackage(src, label) as package:
        per_sheet, resized = plan_writes(package, updates, resize)
        replaced: dict[str, bytes] = {}
        dropped: set[str] = set()
        formula_lost = False
        date_style = _first_date_style(package)
        for sheet, writes in per_sheet.items():
            part = package.sheet_part(sheet)
            data = package.read_part(part)
            if len(data) >= STREAM_ABOVE_BYTES:
                try:
                    replaced[part], lost = _patch_sheet_streaming(
                        data, writes, date_style, package, label, sheet)
                    formula_lost |= lost
                    continue
                except _NeedTree:
                    pass
            root = _parse_xml(data, label, part)
            del data
            formula_lost |= _patch_sheet(root, writes, date_style, package, label, sheet)
            replaced[part] = _serialise(root)
        if formula_lost:
            _drop_calc_chain(package, replaced, dropped)
        if full_calc_on_load or resized:
            workbook = _parse_xml(package.read_part("xl/workbook.xml"), label, "xl/workbook.xml")
            changed = _set_full_calc(workbook) if full_calc_on_load else False
            if resized:
                _resize_names(workbook, package, resized)
                changed = True
            if changed:
                replaced["xl/workbook.xml"] = _serialise(workbook)
        _write_package(package, dest, replaced, dropped, label)
    return dest


def _write_package(package: XlsxPackage, dest: Path, replaced: Mapping[str, bytes],
                   dropped: set[str], label: str) -> None:
    folder = dest.parent
    temp = folder / f"{TEMP_PREFIX}{secrets.token_hex(6)}{dest.suffix}"
    try:
        mode = stat.S_IMODE(os.stat(dest if dest.exists() else package.path).st_mode)
        with zipfile.ZipFile(temp, "w", allowZip64=True) as out:
            for info in package._zip.infolist():
                if info.filename in dropped:
                    continue
                clone = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                clone.compress_type = info.compress_type
                clone.external_attr = info.external_attr
                clone.create_system = info.create_system
                if info.filename in replaced:
                    out.writestr(clone, replaced[info.filename])
                else:
                    with package._zip.open(info) as source, out.open(clone, "w",
                                                                   force_zip64=info.file_size > 2**31) as sink:
                        copied = 0
                        while True:
                            chunk = source.read(_CHUNK)
                            if not chunk:
                                break
                            copied += len(chunk)
                            if copied > MAX_PART_BYTES:
                                raise package._too_big(info.filename)
                            sink.write(chunk)
            out.comment = package._zip.comment
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, dest)
    except BaseException as error:
        try:
            temp.unlink()
        except OSError:
            pass
        if isinstance(error, OSError):
            reason = error.strerror or str(error)
            if isinstance(error, PermissionError):
                # Windows: Excel holds the workbook open and the replace is refused
                reason += "; if the workbook is open in Excel, close it and run again"
            raise WorkbookError(f"{label}: the results could not be saved ({reason}); the "
                                f"workbook was not changed", file=label) from None
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def cleanup_stale_temps(folder: str | os.PathLike, older_than_seconds: float = 0) -> list[Path]:
    """Remove temporary files left by a run that was killed mid-write (they are never a
    workbook the user made: the name starts with TEMP_PREFIX). Returns what was removed."""
    import time
    removed = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed
    now = time.time()
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(TEMP_PREFIX):
                continue
            path = Path(root) / name
            try:
                if now - path.stat().st_mtime >= older_than_seconds:
                    path.unlink()
                    removed.append(path)
            except OSError:
                pass
    return removed


def iter_names(package: XlsxPackage) -> Iterable[str]:
    return (name for name, _, _ in package._names)
