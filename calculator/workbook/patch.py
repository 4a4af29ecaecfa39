"""Patching worksheet XML: give cells new values, keeping each cell's style and everything
else in the sheet. Two paths give the same bytes: a parsed tree (small sheets) and a streamed
pass that patches each row as it is parsed and drops it (big sheets never sit in memory)."""
from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from lxml import etree

from calculator.errors import Kind, WorkbookError
from calculator.workbook import xmlsafe
from calculator.workbook.cellref import column_letter, column_of, split_cell
from calculator.workbook.dates import to_serial
from calculator.workbook.ooxml import M
from calculator.workbook.xlsxpackage import ErrorValue, XlsxPackage

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# text that looks like an OOXML escape (_x0041_) is written with its underscore escaped, or
# Excel would show "A" instead of what we wrote
_LOOKS_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def _escape_text(value: str) -> str:
    clean = _ILLEGAL_XML.sub("", value)
    return _LOOKS_ESCAPED.sub("_x005F_", clean) if "_x" in clean else clean


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


_F, _V, _IS, _T, _C = M + "f", M + "v", M + "is", M + "t", M + "c"
#: "A" -> 1 ... "ZZ" -> 702: most sheets' columns, looked up without parsing
_COLUMN_OF_LETTERS = {column_letter(number): number for number in range(1, 703)}
_VALUE_TAGS = frozenset((_F, _V, _IS))


class _Drop:
    """A write that removes the cell itself (value and style): a row a block no longer uses."""

    def __repr__(self) -> str:
        return "DROP"


DROP = _Drop()


class Cached:
    """The value a formula cell computes, stored as its cached result (the formula is kept).
    Spreadsheets that do not recalculate on load (LibreOffice as installed) show this value.
    A cell without a formula is left alone: it holds what someone typed."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


@dataclass
class StyleBand:
    """Rows of a block whose cells take their column's style: the style each column has in the
    block's ``source_row`` (read as the sheet is patched, before that row changes); columns
    right of ``source_last_col`` take that column's style."""
    first_row: int
    last_row: int
    first_col: int
    last_col: int
    source_row: int
    source_last_col: int
    styles: dict[int, str] | None = None


@dataclass
class Guard:
    """Cells a block grows into: they must be empty (anything there is someone else's)."""
    name: str
    min_row: int
    min_col: int
    max_row: int
    max_col: int


@dataclass
class SheetLayout:
    """What a write knows about a sheet besides its values: column styles of growing blocks,
    and the cells a block grows into."""
    bands: list[StyleBand] = field(default_factory=list)
    guards: list[Guard] = field(default_factory=list)

    def row_styles(self, number: int, row) -> dict[int, str] | None:
        """Column -> style for the cells of row ``number`` (capturing source rows first)."""
        styles = None
        for band in self.bands:
            if band.source_row == number and band.styles is None:
                band.styles = _captured_styles(row, band)
            if band.first_row <= number <= band.last_row and band.styles:
                if styles is None:
                    styles = {}
                styles.update(band.styles)
        return styles

    def row_guards(self, number: int) -> list[Guard]:
        return [g for g in self.guards if g.min_row <= number <= g.max_row]


def _captured_styles(row, band: StyleBand) -> dict[int, str]:
    found: dict[int, str] = {}
    if row is not None:
        for cell in row.iterfind(M + "c"):
            ref, style = cell.get("r"), cell.get("s")
            if ref and style and style != "0":
                col = column_of(ref)
                if band.first_col <= col <= band.source_last_col:
                    found[col] = style
    last = found.get(band.source_last_col)
    if last is not None:
        for col in range(band.source_last_col + 1, band.last_col + 1):
            found[col] = last
    return found


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
            clean = _escape_text(value)
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
        node = _value_node(cell, _V)
        node.text = _number_text(number)
    elif kind is str or kind is ErrorValue:
        attrib["t"] = "inlineStr"
        node = _value_node(cell, _IS)
        text = etree.SubElement(node, _T)
        clean = _escape_text(value)
        text.text = clean
        if clean != clean.strip() or "\n" in clean:
            text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    else:
        general = _cell_kind(value)
        if general == "blank":
            return had_formula
        if general == "bool":
            attrib["t"] = "b"
            node = _value_node(cell, _V)
            node.text = "1" if bool(value) else "0"
        elif general == "number":
            return _set_cell(cell, float(value), date_style, package) or had_formula
        elif general == "text":
            return _set_cell(cell, str(value), date_style, package) or had_formula
        elif general == "date":
            serial = to_serial(value, package.date1904)
            node = _value_node(cell, _V)
            node.text = _number_text(float(serial))
            style = int(attrib.get("s", "0"))
            if not package.is_date_style(style) and date_style is not None:
                attrib["s"] = str(date_style)
        else:
            raise ValueError(f"cannot write a {type(value).__name__} to a cell")
    return had_formula


def _value_node(cell, tag: str):
    """A new first child of ``cell`` (its value comes before anything else left in it). An
    empty cell, as every cell of a new output block is, takes it as a SubElement: half the
    cost of a free element inserted (lxml), on the hot path of every write."""
    if len(cell) == 0:
        return etree.SubElement(cell, tag)
    node = etree.Element(tag)
    cell.insert(0, node)
    return node


class _RowIndex:
    """The rows of a sheetData, found and created in order without rescanning the sheet."""

    def __init__(self, sheet_data, label: str, sheet: str):
        self.sheet_data = sheet_data
        self.rows: dict[int, object] = {}
        for row in sheet_data.iterfind(M + "row"):
            if row.get("r") is None:
                raise WorkbookError(f"{label}: the sheet {sheet!r} has rows without numbers; "
                                    f"open and re-save it in Excel", file=label, sheet=sheet)
            self.rows[int(row.get("r"))] = row
        self.order = sorted(self.rows)

    def get(self, number: int, create: bool):
        row = self.rows.get(number)
        if row is not None or not create:
            return row
        row = etree.Element(M + "row")
        row.set("r", str(number))
        position = bisect.bisect_left(self.order, number)
        if position < len(self.order):
            self.rows[self.order[position]].addprevious(row)
        else:
            self.sheet_data.append(row)
        self.order.insert(position, number)
        self.rows[number] = row
        return row


def _set_cached(cell, value, package: XlsxPackage) -> None:
    """Store ``value`` as the cached result of the formula in ``cell`` (kept as it is)."""
    formula = None
    cached = []
    for child in cell:                      # not cell.find: ElementPath costs 5 µs a call
        tag = child.tag
        if tag == _F:
            formula = child
        elif tag == _V or tag == _IS:
            cached.append(child)
    if formula is None:
        return
    attrib = cell.attrib
    attrib.pop("t", None)
    if len(cached) == 1 and cached[0].tag == _V:
        node = cached[0]                    # a cached value already there: given the new one
    else:
        for child in cached:
            cell.remove(child)
        node = etree.Element(_V)
        formula.addnext(node)
    kind = _cell_kind(value)
    if isinstance(value, ErrorValue):
        attrib["t"] = "e"
        node.text = str(value)
    elif kind == "bool":
        attrib["t"] = "b"
        node.text = "1" if bool(value) else "0"
    elif kind == "number" and math.isfinite(float(value)):
        node.text = _number_text(float(value))
    elif kind == "date":
        node.text = _number_text(float(to_serial(value, package.date1904)))
    else:                                   # text, or a blank input shown as ""
        attrib["t"] = "str"
        node.text = _ILLEGAL_XML.sub("", value) if kind == "text" else ""


def _has_content(cell) -> bool:
    return any(child.tag in _VALUE_TAGS for child in cell)


def _patch_row(row, number: int, writes: list[tuple[int, object]], date_style: int | None,
               package: XlsxPackage, styles: dict[int, str] | None = None,
               guards: list[Guard] | None = None) -> tuple[bool, list[int]]:
    """Apply (column, value) writes, sorted by column, to one row element. ``styles`` gives
    the style of a column's cells that have none; ``guards`` the cells that must be empty.
    Returns whether a formula was overwritten, and the sorted columns of the row's cells
    after the writes."""
    cells = {}
    columns = []
    digits = str(number)
    cut = -len(digits)
    for cell in row.iterchildren(_C):
        ref = cell.get("r")
        if ref:
            # "AB12" on row 12: the letters before the row number, looked up (the hot loop of
            # a big re-run; column_of handles anything else)
            col = _COLUMN_OF_LETTERS.get(ref[:cut]) if ref.endswith(digits) else None
            if col is None:
                col = column_of(ref)
            cells[col] = cell
            columns.append(col)
    formula_lost = False
    style = row.get("s") if row.get("customFormat") in ("1", "true") else None
    for col, value in writes:
        cell = cells.get(col)
        kind = type(value)
        if kind is Cached:
            if cell is not None:
                _set_cached(cell, value.value, package)
            continue
        if guards and cell is not None and _has_content(cell):
            for guard in guards:
                if guard.min_col <= col <= guard.max_col:
                    raise _Overlap(guard, f"{column_letter(col)}{number}",
                                   package.cell_value(cell))
        if kind is _Drop:
            if cell is not None:
                had_formula = any(child.tag == _F for child in cell)
                row.remove(cell)
                del cells[col]
                columns.remove(col)
                formula_lost |= had_formula
            continue
        if cell is None:
            if _is_blank(value):
                continue
            cell = etree.Element(M + "c")
            cell.set("r", f"{column_letter(col)}{number}")
            new_style = (styles.get(col) if styles else None) or style
            if new_style:                   # a new cell takes its column's (or row's) style
                cell.set("s", new_style)
            position = bisect.bisect_left(columns, col)
            if position < len(columns):
                cells[columns[position]].addprevious(cell)
            else:
                row.append(cell)
            columns.insert(position, col)
            cells[col] = cell
        elif styles and cell.get("s", "0") == "0" and not _is_blank(value):
            column_style = styles.get(col)
            if column_style:                # an unstyled cell of a block: its column's style
                cell.set("s", column_style)
        try:
            formula_lost |= _set_cell(cell, value, date_style, package)
        except ValueError as error:
            raise _CellProblem(f"{column_letter(col)}{number}", str(error)) from None
    return formula_lost, columns


class _Overlap(Exception):
    def __init__(self, guard: Guard, cell: str, found: object):
        super().__init__(cell)
        self.guard, self.cell, self.found = guard, cell, found


class _CellProblem(Exception):
    def __init__(self, cell: str, message: str):
        super().__init__(message)
        self.cell = cell


def _is_blank(value) -> bool:
    """Nothing to put in a cell: no value, NaN, a removal, or a formula's cached result (a
    formula cell is never created by a write)."""
    return value is None or value is DROP or type(value) is Cached \
        or (isinstance(value, float) and math.isnan(value))


def patch_sheet(root, writes: SheetWrites, date_style: int | None,
                package: XlsxPackage, label: str, sheet: str,
                layout: SheetLayout | None = None) -> bool:
    """Apply ``writes`` to a worksheet tree. Returns True if a formula was
    overwritten (the calculation chain must then go). Blank values on rows or cells that do
    not exist create nothing: a large empty output range costs no space."""
    sheet_data = root.find(M + "sheetData")
    if sheet_data is None:
        raise WorkbookError(f"{label}: the sheet {sheet!r} has no cell data part", file=label,
                            sheet=sheet)
    index = _RowIndex(sheet_data, label, sheet)
    formula_lost = False
    max_row = max_col = 0
    for number in writes.row_numbers():
        row_writes = writes.row(number)
        row = index.get(number, create=any(not _is_blank(v) for _, v in row_writes))
        if row is None:
            continue
        lost, rightmost = _apply_row(row, number, row_writes, date_style, package, label, sheet,
                                     layout)
        formula_lost |= lost
        if rightmost:
            max_row, max_col = max(max_row, number), max(max_col, rightmost)
    extend_dimension(root, max_row, max_col)
    return formula_lost


class _ChunkReader:
    """A read-only file over an iterator of byte chunks (for lxml's iterparse)."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._current = b""
        self._position = 0

    def peek(self, size: int) -> bytes:
        """The next ``size`` bytes (fewer at the end) without consuming them."""
        while len(self._current) - self._position < size:
            chunk = next(self._chunks, b"")
            if not chunk:
                break
            self._current = self._current[self._position:] + chunk
            self._position = 0
        return self._current[self._position:self._position + size]

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            rest = self._current[self._position:] + b"".join(self._chunks)
            self._current, self._position = b"", 0
            return rest
        if self._position >= len(self._current):
            self._current, self._position = next(self._chunks, b""), 0
        piece = self._current[self._position:self._position + size]
        self._position += len(piece)
        return piece


class Fill:
    """A block of ``rows`` x ``cols`` cells all given one value (DROP: rows a block no longer
    uses), without a list per row."""

    def __init__(self, value, rows: int, cols: int):
        self._line = (value,) * cols
        self._rows = rows

    def __len__(self) -> int:
        return self._rows

    def __getitem__(self, index: int):
        if not 0 <= index < self._rows:
            raise IndexError(index)
        return self._line


class SheetWrites:
    """The cells to write on one sheet: blocks of values laid at their places, in the order
    given (where two overlap, the later wins). Kept as the blocks they came in, not as a tuple
    per cell, so the 1.2 million cells of a big SKU sheet cost no copy; each row's writes are
    made when that row is patched."""

    def __init__(self) -> None:
        self._blocks: list[tuple[int, int, int, int, Sequence[Sequence[object]]]] = []

    def add(self, min_row: int, min_col: int, rows: int, cols: int,
            block: Sequence[Sequence[object]]) -> None:
        """``block`` laid over rows x cols cells from (min_row, min_col); cells it does not
        reach are cleared."""
        self._blocks.append((min_row, min_col, rows, cols, block))

    def row_numbers(self) -> list[int]:
        numbers: set[int] = set()
        for min_row, _, rows, _, _ in self._blocks:
            numbers.update(range(min_row, min_row + rows))
        return sorted(numbers)

    def row(self, number: int) -> list[tuple[int, object]]:
        """The (column, value) writes of one row, sorted by column."""
        writes: list[tuple[int, object]] = []
        blocks = 0
        for min_row, min_col, rows, cols, block in self._blocks:
            i = number - min_row
            if not 0 <= i < rows:
                continue
            blocks += 1
            line = block[i] if i < len(block) else ()
            width = len(line)
            writes.extend((min_col + j, line[j] if j < width else None) for j in range(cols))
        if blocks > 1:
            writes.sort(key=lambda write: write[0])     # stable: the later block wins
        return writes


def _apply_row(row, number: int, row_writes: list[tuple[int, object]], date_style: int | None,
               package: XlsxPackage, label: str, sheet: str,
               layout: SheetLayout | None = None) -> tuple[bool, int]:
    """Patch one row (the tree and the streamed paths share it) and fix its spans. Returns
    (whether a formula was overwritten, the rightmost column given a value, or 0)."""
    styles = guards = None
    if layout is not None:
        styles = layout.row_styles(number, row)
        guards = layout.row_guards(number)
    try:
        lost, columns = _patch_row(row, number, row_writes, date_style, package, styles, guards)
    except _CellProblem as problem:
        raise WorkbookError(f"{label}: {sheet}!{problem.cell}: {problem}", file=label,
                            sheet=sheet, cell=problem.cell, kind=Kind.INTERNAL) from None
    except _Overlap as overlap:
        name = overlap.guard.name
        raise WorkbookError(
            f"{label}: {name} needs more room for its results, but {sheet}!{overlap.cell} "
            f"holds {_found(overlap.found)}: move what is there (or insert rows or columns "
            f"beside {name}) and run again; the workbook was not changed", file=label,
            sheet=sheet, cell=overlap.cell, name=name,
            expected="empty cells where the results grow", found=overlap.found,
            kind=Kind.LAYOUT) from None
    _fix_row_spans(row, columns)
    for col, value in reversed(row_writes):         # sorted by column: the last non-blank
        if not _is_blank(value):
            return lost, col
    return lost, 0


def _found(value) -> str:
    return "a formula" if value is None else repr(value)


_ROWS_MARKER = "AEROI-ROWS-5f1c9e"


class NeedTree(Exception):
    """The streamed patch met something only the tree path handles (rows out of order, rows
    without numbers, a sheet without sheetData)."""


def patch_sheet_streaming(chunks: Iterable[bytes], writes: SheetWrites,
                          date_style: int | None, package: XlsxPackage, label: str, sheet: str,
                          layout: SheetLayout | None = None) -> tuple[list[bytes], bool]:
    """The same patch as :func:`patch_sheet`, done while the sheet's bytes (``chunks``) are
    parsed: each row is patched, serialised and dropped as soon as it is complete. Returns
    (the new part as a list of pieces, never joined into one copy; whether a formula was
    overwritten)."""
    source = _ChunkReader(chunks)
    xmlsafe.refuse_dtd(source.peek(4096), label, package.sheet_part(sheet))
    pending = writes.row_numbers()
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
                                         sheet, layout)
            formula_lost |= lost
            if rightmost:
                max_row, max_col = max(max_row, number), max(max_col, rightmost)
        text = etree.tostring(row, encoding="UTF-8")
        end = text.index(b">")
        start_tag = text[:end]
        for declaration in declarations:          # declared once, on the worksheet element
            start_tag = start_tag.replace(declaration, b"", 1)
        out.append(start_tag)
        out.append(memoryview(text)[end:])        # the rest of the row, not copied again

    def create_rows_before(limit: int | None) -> None:
        nonlocal next_pending
        while next_pending < len(pending) and (limit is None or pending[next_pending] < limit):
            number = pending[next_pending]
            next_pending += 1
            row_writes = writes.row(number)
            if all(_is_blank(v) for _, v in row_writes):
                continue
            row = etree.SubElement(sheet_data, M + "row")
            row.set("r", str(number))
            emit(row, number, row_writes)
            sheet_data.remove(row)

    try:
        # events for rows only: the cells inside a row are not visited one by one in Python
        for _, element in etree.iterparse(
                source, events=("end",), tag=M + "row", **xmlsafe.PARSER_OPTIONS):
            if sheet_data is None:
                sheet_data = element.getparent()
                root = sheet_data.getparent() if sheet_data is not None else None
                if sheet_data is None or sheet_data.tag != M + "sheetData" or root is None \
                        or root.getparent() is not None:
                    raise NeedTree()
                for prefix, uri in sheet_data.nsmap.items():
                    declarations.append(
                        (f' xmlns="{uri}"' if prefix is None
                         else f' xmlns:{prefix}="{uri}"').encode("utf-8"))
            elif element.getparent() is not sheet_data:
                raise NeedTree()
            raw = element.get("r")
            if raw is None or not raw.isdigit() or int(raw) <= last_number:
                raise NeedTree()
            number = last_number = int(raw)
            create_rows_before(number)
            if next_pending < len(pending) and pending[next_pending] == number:
                next_pending += 1
                emit(element, number, writes.row(number))
            else:
                emit(element, number, None)
            sheet_data.remove(element)
    except etree.XMLSyntaxError as error:
        raise xmlsafe.not_well_formed(label, package.sheet_part(sheet), error) from None
    if sheet_data is None or len(sheet_data):
        raise NeedTree()
    create_rows_before(None)
    extend_dimension(root, max_row, max_col)
    leading = sheet_data.text or ""
    sheet_data.text = leading + _ROWS_MARKER
    before, marker, after = xmlsafe.serialise(root).partition(_ROWS_MARKER.encode("ascii"))
    if not marker:
        raise NeedTree()
    out.insert(0, before)
    out.append(after)
    return out, formula_lost


def _fix_row_spans(row, columns: list[int]) -> None:
    """Widen the row's "spans" hint to its cells' columns: a wrong hint is worse than none."""
    spans = row.get("spans")
    if not spans or not columns:
        return
    low, _, high = spans.partition(":")
    try:
        low, high = int(low), int(high or low)
    except ValueError:
        row.attrib.pop("spans")
        return
    first, last = min(columns), max(columns)          # in order in a valid file; not trusted
    if first < low or last > high:
        row.set("spans", f"{min(first, low)}:{max(last, high)}")


def extend_dimension(root, max_row: int, max_col: int) -> None:
    """Grow a sheet's <dimension> to reach ``max_row`` and ``max_col`` (never shrink it)."""
    if not max_row:
        return
    dimension = root.find(M + "dimension")
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


def first_date_style(package: XlsxPackage) -> int | None:
    styles = package.date_style_ids()
    return min(styles) if styles else None
