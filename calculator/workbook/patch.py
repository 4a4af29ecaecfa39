"""Patching worksheet XML: give cells new values, keeping each cell's style and everything
else in the sheet. Two paths give the same bytes: a parsed tree (the reference, and the
fallback) and a pass over the sheet's bytes that patches each row as it comes and drops it
(big sheets streamed, never in memory; small ones read whole, so nothing is parsed into a
tree but the few elements around the rows)."""
from __future__ import annotations

import bisect
import codecs
import datetime as dt
import functools
import math
import operator
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from lxml import etree

from calculator.errors import Kind, WorkbookError
from calculator.workbook import xmlsafe
from calculator.workbook.cellref import COLUMN_OF_LETTERS, column_letter, column_of, split_cell
from calculator.workbook.dates import to_serial
from calculator.workbook.ooxml import M
from calculator.workbook.xlsxpackage import ErrorValue, XlsxPackage

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# text that looks like an OOXML escape (_x0041_) is written with its underscore escaped, or
# Excel would show "A" instead of what we wrote
_LOOKS_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def _legal_xml(value: str) -> str:
    """``value`` without the characters XML cannot hold."""
    # printable ASCII (most texts) holds none: told without the pattern
    return value if value.isascii() and value.isprintable() else _ILLEGAL_XML.sub("", value)


def _escape_text(value: str) -> str:
    clean = _legal_xml(value)
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
        return self.row_styles_of(number, lambda: _cell_styles(row))

    def row_styles_of(self, number: int, cell_styles) -> dict[int, str] | None:
        """:meth:`row_styles` for a row whose (column, style) pairs ``cell_styles()`` gives
        (asked only when a band takes its styles from this row). Read only: a row under one
        band gets that band's own dict (a copy a row cost more than the rest of the call)."""
        styles = None
        merged = False
        found = None                                  # the row's cell styles, read once
        for band in self.bands:
            if band.source_row == number and band.styles is None:
                if found is None:
                    found = cell_styles()
                band.styles = _band_styles(found, band)
            if band.first_row <= number <= band.last_row and band.styles:
                if styles is None:
                    styles = band.styles
                else:
                    if not merged:
                        styles, merged = dict(styles), True
                    styles.update(band.styles)
        return styles

    def row_guards(self, number: int) -> list[Guard]:
        return [g for g in self.guards if g.min_row <= number <= g.max_row]


def _captured_styles(row, band: StyleBand) -> dict[int, str]:
    return _band_styles(_cell_styles(row), band)


def _cell_styles(row) -> list[tuple[int, str]]:
    found = []
    if row is not None:
        for cell in row.iterfind(M + "c"):
            ref, style = cell.get("r"), cell.get("s")
            if ref and style and style != "0":
                found.append((column_of(ref), style))
    return found


def _band_styles(cell_styles: Iterable[tuple[int, str | None]],
                 band: StyleBand) -> dict[int, str]:
    found: dict[int, str] = {}
    for col, style in cell_styles:
        if style and style != "0" and band.first_col <= col <= band.source_last_col:
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
        node.text = _legal_xml(value) if kind == "text" else ""


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
            col = COLUMN_OF_LETTERS.get(ref[:cut]) if ref.endswith(digits) else None
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

    def take_buffered(self) -> bytes:
        """The bytes read ahead and not consumed, consumed."""
        rest = self._current[self._position:]
        self._current, self._position = b"", 0
        return rest

    def remaining(self):
        return self._chunks

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


_COLUMN_OF_WRITE = operator.itemgetter(0)


class SheetWrites:
    """The cells to write on one sheet: blocks of values laid at their places, in the order
    given (where two overlap, the later wins). Kept as the blocks they came in, not as a tuple
    per cell, so the 1.2 million cells of a big SKU sheet cost no copy; each row's writes are
    made when that row is patched."""

    def __init__(self) -> None:
        self._blocks: list[tuple[int, int, int, int, Sequence[Sequence[object]]]] = []
        # the rows where the set of blocks over a row changes, and the blocks over each
        # stretch between them (made when first asked): a row's blocks found by bisection,
        # not by going through every block of the sheet for every row; with them, the same
        # blocks in column order when no two share a column (None when they do)
        self._stretches: tuple[list[int], list[list], list[list | None]] | None = None

    def add(self, min_row: int, min_col: int, rows: int, cols: int,
            block: Sequence[Sequence[object]]) -> None:
        """``block`` laid over rows x cols cells from (min_row, min_col); cells it does not
        reach are cleared."""
        self._blocks.append((min_row, min_col, rows, cols, block))
        self._stretches = None

    def _blocks_over(self, number: int) -> list:
        """The blocks over row ``number``, in the order given."""
        if self._stretches is None:
            edges = sorted({edge for min_row, _, rows, _, _ in self._blocks
                            for edge in (min_row, min_row + rows)})
            over = [[]] + [[b for b in self._blocks if b[0] <= first < b[0] + b[2]]
                           for first in edges]
            self._stretches = edges, over, [_side_by_side(blocks) for blocks in over]
        edges, over, _ = self._stretches
        return over[bisect.bisect_right(edges, number)]

    def row_numbers(self) -> list[int]:
        # the blocks' row ranges merged (a set of every row number cost more than the
        # rest of setting up a small sheet's patch)
        numbers: list[int] = []
        reached = 0                                 # the rows below this one are listed
        for min_row, rows in sorted((block[0], block[2]) for block in self._blocks):
            end = min_row + rows
            if end > reached:
                numbers.extend(range(max(min_row, reached), end))
                reached = end
        return numbers

    def single_block(self, number: int):
        """(first column, values) of row ``number`` when a single block covers it (the
        common case, read without a (column, value) pair per cell), else None."""
        over = self._blocks_over(number)
        if len(over) != 1:
            return None
        min_row, min_col, _, cols, block = over[0]
        i = number - min_row
        line = block[i] if i < len(block) else ()
        if len(line) != cols:
            line = list(line[:cols]) + [None] * (cols - len(line))
        return min_col, line

    def row(self, number: int) -> list[tuple[int, object]]:
        """The (column, value) writes of one row, sorted by column."""
        writes: list[tuple[int, object]] = []
        over = self._blocks_over(number)                 # (made with the stretches)
        edges, _, side_by_side_of = self._stretches
        side_by_side = side_by_side_of[bisect.bisect_right(edges, number)]
        for min_row, min_col, rows, cols, block in side_by_side or over:
            i = number - min_row
            line = block[i] if i < len(block) else ()
            width = len(line)
            if width >= cols:                   # the common case, paired in C
                writes.extend(zip(range(min_col, min_col + cols), line))
            else:
                writes.extend((min_col + j, line[j] if j < width else None)
                              for j in range(cols))
        if len(over) > 1 and side_by_side is None:
            writes.sort(key=_COLUMN_OF_WRITE)            # stable: the later block wins
        return writes


def _side_by_side(blocks: list) -> list | None:
    """``blocks`` (min_row, min_col, rows, cols, values) in column order when no two share a
    column (their writes then come out sorted without a sort, and none overrides another),
    else None."""
    ordered = sorted(blocks, key=_MIN_COL_OF_BLOCK)
    for left, right in zip(ordered, ordered[1:]):
        if left[1] + left[3] > right[1]:
            return None
    return ordered


_MIN_COL_OF_BLOCK = operator.itemgetter(1)


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


class _Output:
    """The new part's pieces gathered into chunks of about 256 KB: one zip write per chunk
    instead of two per row (160,000 small writes cost 2.4 s on a 20,000-SKU sheet)."""
    CHUNK_BYTES = 256 * 1024

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self._pending: list = []
        self._size = 0

    def add(self, piece) -> None:
        self._pending.append(piece)
        self._size += len(piece)
        if self._size >= self.CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self.chunks.append(b"".join(self._pending))
            self._pending, self._size = [], 0


class _StreamedRows:
    """What the streamed patch carries from row to row, and the element way of writing one
    row (the reference: the byte path hands it every row it is not sure of)."""

    def __init__(self, writes: SheetWrites, date_style: int | None, package: XlsxPackage,
                 label: str, sheet: str, layout: SheetLayout | None):
        self.writes, self.date_style, self.package = writes, date_style, package
        self.label, self.sheet, self.layout = label, sheet, layout
        self.pending = writes.row_numbers()
        self.next_pending = 0
        self.out = _Output()
        self.formula_lost = False
        self.max_row = self.max_col = 0
        self.declarations: list[bytes] = []

    def declare(self, sheet_data) -> None:
        for prefix, uri in sheet_data.nsmap.items():
            self.declarations.append(
                (f' xmlns="{uri}"' if prefix is None
                 else f' xmlns:{prefix}="{uri}"').encode("utf-8"))

    def take_pending(self, number: int) -> bool:
        """Whether row ``number`` has writes (rows are met in order)."""
        pending = self.pending
        if self.next_pending < len(pending) and pending[self.next_pending] == number:
            self.next_pending += 1
            return True
        return False

    def writes_of(self, number: int):
        """The writes of row ``number`` (None if it has none)."""
        return self.writes.row(number) if self.take_pending(number) else None

    def create_rows_before(self, limit: int | None, create) -> None:
        pending = self.pending
        while self.next_pending < len(pending) and (limit is None
                                                    or pending[self.next_pending] < limit):
            number = pending[self.next_pending]
            self.next_pending += 1
            row_writes = self.writes.row(number)
            if all(_is_blank(v) for _, v in row_writes):
                continue
            create(number, row_writes)

    def noted(self, number: int, lost: bool, rightmost: int) -> None:
        self.formula_lost |= lost
        if rightmost:
            self.max_row, self.max_col = max(self.max_row, number), max(self.max_col, rightmost)

    def emit_element(self, row, number: int, row_writes) -> None:
        if row_writes:
            lost, rightmost = _apply_row(row, number, row_writes, self.date_style, self.package,
                                         self.label, self.sheet, self.layout)
            self.noted(number, lost, rightmost)
        text = etree.tostring(row, encoding="UTF-8")
        end = text.index(b">")
        start_tag = text[:end]
        for declaration in self.declarations:     # declared once, on the worksheet element
            start_tag = start_tag.replace(declaration, b"", 1)
        self.out.add(start_tag)
        self.out.add(memoryview(text)[end:])      # the rest of the row, not copied again

    def create_element(self, sheet_data, number: int, row_writes) -> None:
        row = etree.SubElement(sheet_data, M + "row")
        row.set("r", str(number))
        self.emit_element(row, number, row_writes)
        sheet_data.remove(row)

    def finish(self, root, sheet_data) -> tuple[list[bytes], bool]:
        extend_dimension(root, self.max_row, self.max_col)
        leading = sheet_data.text or ""
        sheet_data.text = leading + _ROWS_MARKER
        before, marker, after = xmlsafe.serialise(root).partition(_ROWS_MARKER.encode("ascii"))
        if not marker:
            raise NeedTree()
        self.out.flush()
        self.out.chunks.insert(0, before)
        self.out.chunks.append(after)
        return self.out.chunks, self.formula_lost


def patch_sheet_streaming(chunks: Iterable[bytes], writes: SheetWrites,
                          date_style: int | None, package: XlsxPackage, label: str, sheet: str,
                          layout: SheetLayout | None = None) -> tuple[list[bytes], bool]:
    """The same patch as :func:`patch_sheet`, done while the sheet's bytes (``chunks``) are
    read: each row is patched and written out as soon as it is complete. Returns (the new
    part as a list of pieces, never joined into one copy; whether a formula was
    overwritten). Rows are scanned as bytes (:class:`_ByteRows`); a sheet whose layout the
    scan does not know (pretty-printed, not UTF-8, a prefixed namespace) is parsed row by row
    with lxml (:func:`patch_sheet_streaming_by_element`); both give the same bytes."""
    source = _ChunkReader(chunks)
    xmlsafe.refuse_dtd(source.peek(4096), label, package.sheet_part(sheet))
    state = _StreamedRows(writes, date_style, package, label, sheet, layout)
    scan = _ByteRows.start(source, state)
    if scan is None:
        return _stream_elements(source, state)
    return scan.run()


def patch_sheet_bytes(data: bytes, writes: SheetWrites, date_style: int | None,
                      package: XlsxPackage, label: str, sheet: str,
                      layout: SheetLayout | None = None) -> tuple[list[bytes], bool]:
    """:func:`patch_sheet` on a sheet's bytes, giving the bytes the patched tree serialises
    to, without the tree: rows are patched as bytes (:class:`_ByteRows`), which costs less
    than parsing and serialising the whole sheet. Raises NeedTree for a sheet whose layout
    the byte scan does not know (the tree path then does it)."""
    source = _ChunkReader((data,))
    xmlsafe.refuse_dtd(data, label, package.sheet_part(sheet))
    scan = _ByteRows.start(source, _StreamedRows(writes, date_style, package, label, sheet,
                                                 layout))
    if scan is None:
        raise NeedTree()
    return scan.run()


def patch_sheet_streaming_by_element(chunks: Iterable[bytes], writes: SheetWrites,
                                     date_style: int | None, package: XlsxPackage, label: str,
                                     sheet: str, layout: SheetLayout | None = None
                                     ) -> tuple[list[bytes], bool]:
    """:func:`patch_sheet_streaming` with every row parsed by lxml: the reference the byte
    path is held to (tests compare the two)."""
    source = _ChunkReader(chunks)
    xmlsafe.refuse_dtd(source.peek(4096), label, package.sheet_part(sheet))
    return _stream_elements(source, _StreamedRows(writes, date_style, package, label, sheet,
                                                  layout))


def _stream_elements(source: "_ChunkReader", state: _StreamedRows) -> tuple[list[bytes], bool]:
    package, label, sheet = state.package, state.label, state.sheet
    root = sheet_data = None
    last_number = 0
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
                state.declare(sheet_data)
            elif element.getparent() is not sheet_data:
                raise NeedTree()
            raw = element.get("r")
            if raw is None or not raw.isdigit() or int(raw) <= last_number:
                raise NeedTree()
            number = last_number = int(raw)
            state.create_rows_before(
                number, lambda n, w: state.create_element(sheet_data, n, w))
            state.emit_element(element, number, state.writes_of(number))
            sheet_data.remove(element)
    except etree.XMLSyntaxError as error:
        raise xmlsafe.not_well_formed(label, package.sheet_part(sheet), error) from None
    if sheet_data is None or len(sheet_data):
        raise NeedTree()
    state.create_rows_before(None, lambda n, w: state.create_element(sheet_data, n, w))
    return state.finish(root, sheet_data)


# --- the byte path -------------------------------------------------------------------------
# A row is copied or rewritten as bytes only when it is in the form lxml itself writes (so
# that parsing and writing it again would give the same bytes): attributes in double quotes,
# one space apart, escaped as lxml escapes them; cells holding only <v>, <f> and plain
# inline text; no whitespace, comments or namespace declarations. Anything else goes to the
# element path, row by row (or, for the layout of the sheet itself, as a whole).

# (written as "runs of plain characters between entities": a fast loop in re)
_AVAL = rb'[^"&<>\x00-\x1f]*(?:&(?:amp|lt|gt|quot|#10|#13|#9);[^"&<>\x00-\x1f]*)*'
_TEXT_CHAR = rb"[^<&>\x00-\x08\x0b\x0c\x0e-\x1f\r]"
_TEXT_ENTITY = rb"&(?:amp|lt|gt|#13);"
_TEXT = rb"(?:" + _TEXT_CHAR + rb"|" + _TEXT_ENTITY + rb")" + _TEXT_CHAR + rb"*(?:" \
    + _TEXT_ENTITY + _TEXT_CHAR + rb"*)*"
_LOCAL = rb"[A-Za-z_][A-Za-z0-9_.\-]*"


@functools.lru_cache(maxsize=16)    # built once per set of prefixes, not once per sheet
def _canonical_patterns(prefixes: tuple[str, ...]):
    """(row, row start tag, cell) patterns for a sheet whose namespace prefixes are
    ``prefixes`` (an attribute with another prefix is not one lxml would write back as is)."""
    known = [re.escape(p.encode("ascii")) for p in prefixes
             if p and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", p) and p != "xmlns"]
    known.append(b"xml")
    name = rb"(?:(?:" + b"|".join(known) + rb"):" + _LOCAL + rb"|(?!xmlns[=:])" + _LOCAL + b")"
    attr = rb" " + name + rb'="' + _AVAL + rb'"'
    def body(text):
        return (rb"(?:<v>" + text + rb"</v>|<v/>|<f(?:" + attr + rb")*(?:/>|>" + text
                + rb'</f>)|<is><t(?: xml:space="preserve")?(?:/>|>' + text + rb"</t>)</is>)+")
    cell = rb"<c(?:" + attr + rb")*(?:/>|>" + body(_TEXT) + rb"</c>)"
    row = re.compile(rb"<row(?:" + attr + rb")*(?:/>|>(?:" + cell + rb")+</row>)", re.S)
    start = re.compile(rb"<row(?:" + attr + rb")*/?>", re.S)
    # r first, as Excel, LibreOffice, openpyxl and this writer put it (other orders: element);
    # an empty <v></v> (a blank cached result written last time) is read as lxml reads it
    # (groups: the whole cell, its letters, its row, the attributes after r, its children)
    cell_scan = re.compile(rb'(<c r="([A-Z]{1,3})([0-9]+)"((?:' + attr + rb")*)(?:/>|>("
                           + body(rb"(?:" + _TEXT + rb")?") + rb")</c>))", re.S)
    return row, start, cell_scan


#: a styled cell with no formula, no cm/vm, at most a t, and nothing or one value in it: the
#: element path gives it a number, a text, a bool or a blank in a way that depends only on
#: whether it holds one <v> and on its t (groups: "<c r s", the ref, t, "/>" when it is
#: empty, the <v> when it holds one); split on it, a row of such cells leaves nothing between
_PLAIN_CELL = re.compile(
    rb'(<c r="([A-Z]{1,3}[0-9]+)" s="(?!0")[0-9]+")(?: t="([a-zA-Z]+)")?(?:(/>)|>(?:(<v>(?:'
    + _TEXT + rb')?</v>|<v/>)|<is><t(?: xml:space="preserve")?(?:/>|>(?:' + _TEXT
    + rb')?</t>)</is>)</c>)', re.S)
#: a row start tag in lxml's form with nothing but its number and (most often) its spans
_SIMPLE_ROW_START = re.compile(rb'<row r="([0-9]+)"(?: spans="[0-9]+:[0-9]+")?>')
#: the spans of a row start tag when plain numbers (the attribute _ATTR_SCAN finds first: a
#: '"' never comes inside an attribute's value)
_PLAIN_SPANS = re.compile(rb' spans="([0-9]+):([0-9]+)"')
#: the attributes after r of a number cell whose value lxml changes in place
_NUMBER_CELL_REST = re.compile(rb'(?: s="[0-9]+")?(?: t="n")?')
#: the same plain cell seen by the general rewrite (attributes after r; its children):
#: a style other than 0 first, then at most a t; nothing, or one <v> or one plain inline text
_PLAIN_REST = re.compile(rb'( s="(?!0")[0-9]+")(?: t="([a-zA-Z]+)")?')
#: a formula cell given its cached result (see :func:`_cached_cell_bytes`): its style, its
#: formula (children already checked by the scan)
_FORMULA_REST = re.compile(rb'((?: s="[0-9]+")?)(?: t="[a-zA-Z]+")?')
_FORMULA_BODY = re.compile(rb'(<f(?: [^>]*)?(?:/>|>[^<]*</f>))(?:<v>[^<]*</v>|<v/>)?')
_PLAIN_BODY = re.compile(rb'<v>(?:' + _TEXT + rb')?</v>|<v/>|<is><t(?: xml:space="preserve")?'
                         rb'(?:/>|>(?:' + _TEXT + rb')?</t>)</is>')


_ATTR_SCAN = re.compile(rb' ([^=\s]+)="([^"]*)"')
#: the s attribute among a cell's (the first _ATTR_SCAN would find: a '"' never comes inside
#: a value, and a prefixed x:s has no space before its s)
_STYLE_ATTR = re.compile(rb' s="([^"]*)"')
#: an element with no text, which lxml writes back self-closed
_EMPTY_ELEMENT = re.compile(rb"<(v|f|t)((?: [^>]*)?)></\1>")
_CHILD_SCAN = re.compile(rb"(<(v|f|is)(?:[^>]*?/>|[^>]*>.*?</\2>))", re.S)
_SHEET_DATA_OPEN = b"<sheetData>"
_LETTERS_COLUMN = {letters.encode("ascii"): col for letters, col in COLUMN_OF_LETTERS.items()}
_PROLOG_LIMIT = 1 << 20
#: what lxml refuses in a text (the element path raises its error)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _as_lxml_writes(raw: bytes) -> bytes:
    # in a scanned cell ">" never comes inside a text or an attribute, so "></v>" (f, t) is
    # an empty element; "></" alone is in almost every cell ("</v></c>")
    if b"<v></v>" in raw:
        # the commonest one (a formula's blank result) without re: a template costs a
        # Python call per match; what it leaves ("<f ..></f>", ...) goes on to the pattern
        raw = raw.replace(b"<v></v>", b"<v/>")
    if b"></v>" in raw or b"></f>" in raw or b"></t>" in raw:
        return _EMPTY_ELEMENT.sub(_self_closed, raw)
    return raw


def _self_closed(empty: re.Match) -> bytes:
    return b"<" + empty[1] + empty[2] + b"/>"


class _NotSure(Exception):
    """A row the byte path does not fully understand: it goes to the element path."""


def _attr(attrs: list, name: bytes):
    for key, value in attrs:
        if key == name:
            return value
    return None


def _set_attr(attrs: list, name: bytes, value: bytes) -> None:
    """As lxml sets an attribute: in its place if there, else last."""
    for i, (key, _) in enumerate(attrs):
        if key == name:
            attrs[i] = (name, value)
            return
    attrs.append((name, value))


def _del_attr(attrs: list, name: bytes) -> None:
    for i, (key, _) in enumerate(attrs):
        if key == name:
            del attrs[i]
            return


def _text_bytes(text: str) -> bytes:
    """Element text escaped as lxml escapes it (a surrogate, which lxml refuses, is not
    sure: the element path raises its error)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if text.isascii() and text.isprintable():
        return text.encode("ascii")           # nothing lxml refuses (told without the pattern)
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if _NOT_XML.search(text):
        raise _NotSure()
    return text.encode("utf-8")


def _attr_bytes(text: str) -> bytes:
    if any(ch in text for ch in '&<>"\n\r\t') or _NOT_XML.search(text):
        raise _NotSure()
    return text.encode("utf-8")


def _cell_bytes(attrs: list, children: list) -> bytes:
    start = b"<c" + b"".join(b" " + key + b'="' + value + b'"' for key, value in attrs)
    if not children:
        return start + b"/>"
    return start + b">" + b"".join(raw for _, raw in children) + b"</c>"


def _model_set_cell(attrs: list, children: list, value, date_style: int | None,
                    package: XlsxPackage) -> bool:
    """:func:`_set_cell` on a cell held as (name, raw value) attributes and (tag, raw
    bytes) children (only <v>, <f> and <is> ones)."""
    kind = type(value)
    if len(children) == 1 and _attr(attrs, b"cm") is None and _attr(attrs, b"vm") is None:
        tag = children[0][0]
        if (kind is float or kind is int) and tag == b"v" and _attr(attrs, b"t") in (None, b"n"):
            number = float(value)
            if number == number and number not in (math.inf, -math.inf):
                children[0] = (b"v", b"<v>" + _number_text(number).encode("ascii") + b"</v>")
                return False
        elif kind is str and tag == b"is" and _attr(attrs, b"t") == b"inlineStr":
            clean = _escape_text(value)
            if clean == clean.strip() and "\n" not in clean:
                children[0] = (b"is", b"<is><t>" + _text_bytes(clean) + b"</t></is>")
                return False
    had_formula = any(tag == b"f" for tag, _ in children)
    children.clear()
    for name in (b"t", b"cm", b"vm"):
        _del_attr(attrs, name)
    if value is None:
        return had_formula
    if kind is float or kind is int:
        number = float(value)
        if number != number:
            return had_formula
        if number in (math.inf, -math.inf):
            raise _NotSure()
        children.append((b"v", b"<v>" + _number_text(number).encode("ascii") + b"</v>"))
    elif kind is str or kind is ErrorValue:
        attrs.append((b"t", b"inlineStr"))
        clean = _escape_text(value)
        open_t = b'<t xml:space="preserve">' if clean != clean.strip() or "\n" in clean \
            else b"<t>"
        children.append((b"is", b"<is>" + open_t + _text_bytes(clean) + b"</t></is>"))
    else:
        general = _cell_kind(value)
        if general == "blank":
            return had_formula
        if general == "bool":
            attrs.append((b"t", b"b"))
            children.append((b"v", b"<v>1</v>" if bool(value) else b"<v>0</v>"))
        elif general == "number":
            return _model_set_cell(attrs, children, float(value), date_style, package) \
                or had_formula
        elif general == "text":
            return _model_set_cell(attrs, children, str(value), date_style, package) \
                or had_formula
        elif general == "date":
            serial = to_serial(value, package.date1904)
            children.append((b"v", b"<v>" + _number_text(float(serial)).encode("ascii")
                             + b"</v>"))
            style = int(_attr(attrs, b"s") or b"0")
            if not package.is_date_style(style) and date_style is not None:
                _set_attr(attrs, b"s", str(date_style).encode("ascii"))
        else:
            raise _NotSure()
    return had_formula


def _model_set_cached(attrs: list, children: list, value, package: XlsxPackage) -> None:
    """:func:`_set_cached` on a cell held as in :func:`_model_set_cell`."""
    formula = None
    cached = []
    for i, (tag, _) in enumerate(children):
        if tag == b"f":
            formula = i
        else:
            cached.append(i)
    if formula is None:
        return
    _del_attr(attrs, b"t")
    kind = _cell_kind(value)
    if isinstance(value, ErrorValue):
        cell_type, text = b"e", str(value)
    elif kind == "bool":
        cell_type, text = b"b", "1" if bool(value) else "0"
    elif kind == "number" and math.isfinite(float(value)):
        cell_type, text = None, _number_text(float(value))
    elif kind == "date":
        cell_type, text = None, _number_text(float(to_serial(value, package.date1904)))
    else:
        cell_type, text = b"str", _legal_xml(value) if kind == "text" else ""
    node = (b"v", b"<v>" + _text_bytes(text) + b"</v>")
    if len(cached) == 1 and children[cached[0]][0] == b"v":
        children[cached[0]] = node
    else:
        kept = [child for i, child in enumerate(children) if i not in cached]
        formula = max(i for i, (tag, _) in enumerate(kept) if tag == b"f")
        kept.insert(formula + 1, node)
        children[:] = kept
    if cell_type is not None:
        attrs.append((b"t", cell_type))


def _byte_cell_styles(cells: list,
                      style_of_rest: dict[bytes, str | None]) -> list[tuple[int, str]]:
    """The (column, style) pairs of a row's scanned cells. ``style_of_rest``: the style read
    from each run of attributes met so far (a sheet has a few dozen distinct ones)."""
    found = []
    for col, _, _, rest, _ in cells:
        style = style_of_rest.get(rest, False)
        if style is False:
            style = style_of_rest[rest] = _rest_style(rest)
        if style:
            found.append((col, style))
    return found


def _rest_style(rest: bytes) -> str | None:
    """The style of a scanned cell (the attributes after its r), None for none or 0."""
    if b' s="' in rest:
        if b"&" in rest:
            raise _NotSure()
        style = _STYLE_ATTR.search(rest).group(1)
        if style and style != b"0":
            return style.decode("utf-8")
    return None


def _number_bytes(number: float) -> bytes:
    """:func:`_number_text` as bytes, for a finite float."""
    return b"%d" % number if number.is_integer() and -1e15 < number < 1e15 else b"%r" % number


def _cached_cell_bytes(ref: bytes, rest: bytes, body: bytes | None, value) -> bytes | None:
    """:func:`_set_cached` on the commonest formula cell (any style, at most a t, a formula
    and nothing or one cached <v>) given a number, a text or a bool; None for any other cell
    or value (the general rewrite)."""
    if body is None:
        return None
    head = _FORMULA_REST.fullmatch(rest)
    parts = _FORMULA_BODY.fullmatch(body) if head is not None else None
    if parts is None:
        return None
    kind = value.__class__
    if kind is float or kind is int:
        value = float(value)
        if value != value or value - value != 0:      # NaN, infinite: as the general rewrite
            return None
        cell_type, text = b"", _number_bytes(value)
    elif kind is str:
        cell_type, text = b' t="str"', _text_bytes(_legal_xml(value))
    elif kind is bool:
        cell_type, text = b' t="b"', b"1" if value else b"0"
    else:
        return None
    # t goes and comes back last (after s); the formula is kept, its cached value replaced
    return b'<c r="' + ref + b'"' + head.group(1) + cell_type + b">" \
        + _as_lxml_writes(parts.group(1)) + b"<v>" + text + b"</v></c>"


def _plain_cell_tail(cell_type: bytes | None, holds_value: bool, value) -> bytes | None:
    """What follows ``<c r=".." s=".."`` once :func:`_set_cell` has given ``value`` to a plain
    cell (:data:`_PLAIN_CELL`: styled, no formula, no cm or vm, empty or holding one value)
    whose t is ``cell_type`` and which holds one <v> or not; a new cell is one with neither.
    The result depends on nothing else: a number keeps a t="n" only when changed in place
    (one <v> there), otherwise t and the old value go; a text comes out the same in place or
    anew. None for a value of another kind (dates, errors, numpy: the general rewrite)."""
    kind = value.__class__
    if kind is float or kind is int:
        value = float(value)
        if value != value:                        # NaN: a blank cell
            return b"/>"
        if value - value != 0:                    # infinite: the element path's error
            return None
        # (_number_bytes, inline: the call cost as much as the formatting)
        number = b"%d" % value if value.is_integer() and -1e15 < value < 1e15 \
            else b"%r" % value
        if cell_type == b"n" and holds_value:
            return b' t="n"><v>' + number + b"</v></c>"
        return b"><v>" + number + b"</v></c>"
    if kind is str:
        clean = _escape_text(value)
        if clean != clean.strip() or "\n" in clean:
            return b' t="inlineStr"><is><t xml:space="preserve">' + _text_bytes(clean) \
                + b"</t></is></c>"
        return b' t="inlineStr"><is><t>' + _text_bytes(clean) + b"</t></is></c>"
    if value is None:
        return b"/>"
    if kind is bool:
        return b' t="b"><v>1</v></c>' if value else b' t="b"><v>0</v></c>'
    return None


#: column number -> its letters as bytes ("A" .. "ZZ"; others made when needed)
_COLUMN_LETTER_BYTES = {col: letters for letters, col in _LETTERS_COLUMN.items()}


def _letters_of(col: int) -> bytes:
    letters = _COLUMN_LETTER_BYTES.get(col)
    return letters if letters is not None else column_letter(col).encode("ascii")


class _ByteRows:
    """The streamed patch done on the sheet's bytes: rows found with regular expressions,
    a row without writes copied, a row with writes rewritten cell by cell as the element
    path would write it, and any row not in lxml's own form handed to the element path."""

    def __init__(self, state: _StreamedRows, chunks, buffer: bytes, position: int,
                 opening_parser, nsmap: dict, patterns):
        self.state = state
        self.chunks = chunks
        self.buffer, self.position = buffer, position
        self.opening_parser = opening_parser        # fed through <sheetData></sheetData>
        self.nsmap = nsmap
        self._wrap_open: bytes | None = None
        self.row_pattern, self.start_pattern, self.cell_scan = patterns
        self.letters: dict[tuple[int, int], bytes] = {}
        # the attributes after r of cells met so far -> (the style part, t) when a plain
        # cell's (:data:`_PLAIN_REST`), else None: a sheet has a few dozen distinct ones
        self.plain_rests: dict[bytes, tuple[bytes, bytes | None] | None] = {}
        layout = state.layout
        self.guarded = bool(layout is not None and layout.guards)
        # rows a style band takes its styles from: read by the general rewrite
        self.source_rows = {band.source_row for band in layout.bands} \
            if layout is not None else set()
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.spare = None
        self.rows_seen = 0
        self.style_bytes: dict[str, bytes] = {}
        self.style_of_rest: dict[bytes, str | None] = {}
        # a row's spans hint (the bytes of its value) -> (first, last) column, when plain
        # numbers; else None (the general reading)
        self.span_bounds: dict[bytes, tuple[int, int] | None] = {}

    @classmethod
    def start(cls, source: "_ChunkReader", state: _StreamedRows) -> "_ByteRows | None":
        """The scan set up after the sheet's opening (through <sheetData>), or None when the
        sheet is not one it knows (then nothing has been consumed)."""
        head = source.peek(_PROLOG_LIMIT)
        found = head.find(_SHEET_DATA_OPEN)
        if found < 0:
            return None
        split = found + len(_SHEET_DATA_OPEN)
        prolog = head[:split]
        if not xmlsafe.declares_utf8(prolog):
            return None
        if not head.startswith(b"<row", split) and not head.startswith(b"</sheetData>", split):
            return None                       # pretty-printed: whitespace between rows
        try:
            prolog.decode("utf-8")
            # events for sheetData and row only (the root is sheetData's parent): an event
            # costs a Python element; the parser is kept and given the rest of the sheet at
            # the end (finish), so the opening is parsed once, not twice
            pull = etree.XMLPullParser(events=("start",), tag=(M + "sheetData", M + "row"),
                                       **xmlsafe.PARSER_OPTIONS)
            pull.feed(prolog)
            pull.feed(b"</sheetData>")
            started = [element for _, element in pull.read_events()]
        except (etree.XMLSyntaxError, UnicodeDecodeError):
            return None
        # exactly one sheetData (no other sheetData or row before it), a child of the root
        if len(started) != 1:
            return None
        sheet_data = started[0]
        root = sheet_data.getparent()
        if sheet_data.tag != M + "sheetData" or root is None or root.getparent() is not None:
            return None
        state.declare(sheet_data)
        patterns = _canonical_patterns(tuple(sorted(p for p in sheet_data.nsmap if p)))
        buffer = source.take_buffered()
        scan = cls(state, source.remaining(), buffer, split, pull, sheet_data.nsmap, patterns)
        scan._check(buffer)
        return scan

    def _check(self, chunk: bytes) -> None:
        """What lxml would refuse and a byte copy would not see: bytes that are not UTF-8,
        and the two non-characters U+FFFE and U+FFFF (the tree path names the error)."""
        try:
            text = self.decoder.decode(chunk)
        except UnicodeDecodeError:
            raise NeedTree() from None
        if "\ufffe" in text or "\uffff" in text:
            raise NeedTree()

    @property
    def wrap_open(self) -> bytes:
        """A <sheetData> start tag declaring the sheet's namespaces, to parse one row in
        (made when a row first needs the element path: most sheets never do)."""
        if self._wrap_open is None:
            wrap = etree.tostring(etree.Element(M + "sheetData", nsmap=self.nsmap))
            if not wrap.endswith(b"/>"):
                raise NeedTree()
            self._wrap_open = wrap[:-2] + b">"
        return self._wrap_open

    # -- reading --------------------------------------------------------------------------

    def _more(self) -> bool:
        """Read on until the unread bytes at least double (a long row costs no quadratic
        copying). False at the end of the part."""
        kept = self.buffer[self.position:]
        parts = [kept]
        added = 0
        want = max(len(kept), 1 << 16)
        for chunk in self.chunks:
            self._check(chunk)
            parts.append(chunk)
            added += len(chunk)
            if added >= want:
                break
        if not added:
            return False
        self.buffer, self.position = b"".join(parts), 0
        return True

    # -- rows -----------------------------------------------------------------------------

    def run(self) -> tuple[list[bytes], bool]:
        state = self.state
        out_add = state.out.add
        pending, pending_count = state.pending, len(state.pending)
        last_number = 0
        while True:
            buffer, position = self.buffer, self.position
            if len(buffer) - position < 12 and self._more():
                continue
            if buffer.startswith(b"</sheetData>", position):
                break
            if not buffer.startswith(b"<row", position):
                raise NeedTree()
            close = buffer.find(b">", position)
            if close < 0:
                if not self._more():
                    raise NeedTree()
                continue
            if buffer[close - 1] == 0x2F:             # "/": an empty row
                end = close + 1
            else:
                end = buffer.find(b"</row>", close)
                if end < 0:
                    if not self._more():
                        raise NeedTree()
                    continue
                end += 6
            self.position = end
            self.rows_seen += 1
            number = self._number(buffer, position, close)
            element = None
            if number is None:
                element = self._parse_row(buffer[position:end])
                raw = element.get("r")
                if raw is None or not raw.isdigit():
                    raise NeedTree()
                number = int(raw)
            if number <= last_number:
                raise NeedTree()
            last_number = number
            # (state.create_rows_before and take_pending, asked here first: most rows have
            # no row to create before them, and the call cost more than the answer)
            if state.next_pending < pending_count:
                if pending[state.next_pending] < number:
                    state.create_rows_before(number, self._create)
            row_writes = None
            if state.next_pending < pending_count and pending[state.next_pending] == number:
                state.next_pending += 1
                if element is None and end - 6 > close:
                    piece = self._same_cells_row(number, buffer, position, close, end)
                    if piece is not None:
                        out_add(piece)
                        continue
                row_writes = state.writes.row(number)
            if element is None:
                if not row_writes:
                    if self.row_pattern.fullmatch(buffer, position, end):
                        out_add(buffer[position:end])
                        continue
                    # an empty element (a formula's blank result, <v></v>, as we and some
                    # writers leave it) is the one thing lxml writes otherwise: self-closed
                    row = _as_lxml_writes(buffer[position:end])
                    if len(row) < end - position and self.row_pattern.fullmatch(row):
                        out_add(row)
                        continue
                else:
                    piece = self._rewrite(number, buffer[position:close + 1],
                                          buffer[close + 1:end - 6] if end - 6 > close else b"",
                                          row_writes)
                    if piece is not None:
                        out_add(piece)
                        continue
                element = self._parse_row(buffer[position:end])
            state.emit_element(element, number, row_writes)
        if not self.rows_seen:
            raise NeedTree()                          # as the element path: the tree does it
        # the rest of the sheet after </sheetData>, given to the parser that read its
        # opening: the whole sheet but its rows, as a tree
        parser = self.opening_parser
        try:
            parser.feed(self.buffer[self.position + len(b"</sheetData>"):])
            for chunk in self.chunks:
                parser.feed(chunk)
            root = parser.close()
        except etree.XMLSyntaxError:
            raise NeedTree() from None
        # (root.find, without its ElementPath: the first such child)
        sheet_data = next(root.iterchildren(M + "sheetData"), None)
        if sheet_data is None or len(sheet_data) or sheet_data.text \
                or next(root.iter(M + "row"), None) is not None:
            raise NeedTree()
        state.create_rows_before(None, self._create)
        return state.finish(root, sheet_data)

    def _same_cells_row(self, number: int, buffer: bytes, position: int, close: int,
                        end: int) -> bytes | None:
        """The row of a re-run in one pass: one block writes its cells, which are all there
        and plain (:data:`_PLAIN_CELL`), so each becomes what :func:`_set_cell` makes of it
        without a model of the cell. None for any other row (the general rewrite)."""
        if number in self.source_rows or self.guarded:
            return None
        try:
            return self._same_cells(number, buffer, position, close, end)
        except (_NotSure, ValueError, OverflowError):
            return None                       # the general rewrite, or the element path's error

    def _same_cells(self, number: int, buffer: bytes, position: int, close: int,
                    end: int) -> bytes | None:
        single = self.state.writes.single_block(number)
        if single is None:
            return None
        first_col, values = single
        count = len(values)
        if not count:
            return None
        # every plain cell holds one "<c " (a text never holds a "<"): a row with another
        # number of them is not one for this path, told without splitting it
        if buffer.count(b"<c ", close + 1, end - 6) != count:
            return None
        parts = _PLAIN_CELL.split(buffer[close + 1:end - 6])
        if len(parts) != 6 * count + 1 or any(parts[0::6]):
            return None
        letters = self.letters.get((first_col, count))
        if letters is None:
            letters = self.letters[(first_col, count)] = [
                _letters_of(col) for col in range(first_col, first_col + count)]
        digits = str(number).encode("ascii")
        if b"".join(parts[2::6]) != digits.join(letters) + digits:
            return None
        pieces = [self._spans_fixed(buffer[position:close + 1], first_col,
                                    first_col + count - 1)]
        append = pieces.append
        rightmost = 0
        col = first_col - 1
        for head, cell_type, holds_value, value in zip(parts[1::6], parts[3::6], parts[5::6],
                                                       values):
            col += 1
            kind = value.__class__
            append(head)
            if kind is float or kind is int:
                value = float(value)
                if value != value:                    # NaN: a blank cell
                    append(b"/>")
                    continue
                if value - value != 0:                # infinite: the element path's error
                    return None
                # changed in place when the cell holds one <v> and is a number (keeping its
                # t="n"); otherwise its value and t go and a <v> comes
                if cell_type == b"n" and holds_value:
                    append(b' t="n"')
                append(b"><v>%d</v></c>" % value if value.is_integer() and -1e15 < value < 1e15
                       else b"><v>%r</v></c>" % value)
            elif kind is str:
                # in place or anew, a text comes out the same: t="inlineStr" after s, one <t>
                clean = _escape_text(value)
                if clean != clean.strip() or "\n" in clean:
                    append(b' t="inlineStr"><is><t xml:space="preserve">')
                else:
                    append(b' t="inlineStr"><is><t>')
                append(_text_bytes(clean))
                append(b"</t></is></c>")
            elif value is None:
                append(b"/>")
                continue
            elif kind is bool:
                append(b' t="b"><v>1</v></c>' if value else b' t="b"><v>0</v></c>')
            else:
                return None
            rightmost = col
        pieces.append(b"</row>")
        self.state.noted(number, False, rightmost)
        return b"".join(pieces)

    def _number(self, buffer: bytes, position: int, close: int) -> int | None:
        """The row's number from a start tag in lxml's form, else None."""
        simple = _SIMPLE_ROW_START.fullmatch(buffer, position, close + 1)
        if simple is not None:
            return int(simple.group(1))
        if not self.start_pattern.fullmatch(buffer, position, close + 1):
            return None
        attrs = _ATTR_SCAN.findall(buffer, position, close)
        raw = _attr(attrs, b"r")
        if raw is None or not raw.isdigit():
            return None
        return int(raw)

    def _parse_row(self, data: bytes):
        try:
            wrapper = etree.fromstring(self.wrap_open + data + b"</sheetData>", xmlsafe.parser())
        except etree.XMLSyntaxError:
            raise NeedTree() from None
        if len(wrapper) != 1 or wrapper.text or wrapper[0].tag != M + "row" \
                or wrapper[0].tail:
            raise NeedTree()
        return wrapper[0]

    def _create(self, number: int, row_writes) -> None:
        start = b'<row r="' + str(number).encode("ascii") + b'"/>'
        # a row made from nothing has no cell a growing block could overlap: its guards
        # (which send a row that exists to the element path, to check and name the cell)
        # have nothing to check
        piece = self._rewrite(number, start, b"", row_writes, new_row=True)
        if piece is not None:
            self.state.out.add(piece)
            return
        if self.spare is None:
            self.spare = etree.fromstring(self.wrap_open + b"</sheetData>", xmlsafe.parser())
        self.state.create_element(self.spare, number, row_writes)

    def _rewrite(self, number: int, start: bytes, content: bytes, row_writes,
                 new_row: bool = False) -> bytes | None:
        """Row ``number`` (its start tag and cells, in lxml's form) with ``row_writes``
        made as :func:`_apply_row` makes them, or None when not sure. ``new_row``: the row
        did not exist (no cell of it can be in a growing block's way)."""
        state = self.state
        if not new_row and self.guarded and state.layout.row_guards(number):
            return None                       # the element path checks and names the cell
        digits = str(number).encode("ascii")
        content = _as_lxml_writes(content)    # so every cell below is copied as it is
        # the row split on its cells in one call: [between, cell, letters, digits, rest,
        # body] for each, then what is after them. They are the whole row when nothing is
        # between or after them (anything else, not a cell the scan knows, leaves a gap);
        # each of this row, in column order. (Checked on the split's slices: a Python step a
        # cell cost more than the scan.)
        if not content:                       # a row made from nothing, or an empty one
            return self._rewrite_guarded(number, digits, start, [], row_writes)
        parts = self.cell_scan.split(content)
        if any(parts[0::6]):
            return None
        cols = list(map(_LETTERS_COLUMN.get, parts[2::6]))
        if parts[3::6].count(digits) != len(cols) or None in cols \
                or not all(map(operator.lt, cols, cols[1:])):
            return None
        # (column, cell, its letters, the attributes after r, its children or None)
        cells = list(zip(cols, parts[1::6], parts[2::6], parts[4::6], parts[5::6]))
        return self._rewrite_guarded(number, digits, start, cells, row_writes)

    def _rewrite_guarded(self, number: int, digits: bytes, start: bytes, cells: list,
                         row_writes) -> bytes | None:
        try:
            return self._rewrite_cells(number, digits, start, cells, row_writes)
        except _NotSure:
            return None
        except (ValueError, TypeError, OverflowError, ArithmeticError):
            return None                       # the element path raises its own message

    def _rewrite_cells(self, number: int, digits: bytes, start: bytes, cells: list,
                       row_writes) -> bytes | None:
        state = self.state
        layout = state.layout
        styles = None
        if layout is not None:
            styles = layout.row_styles_of(
                number, lambda: _byte_cell_styles(cells, self.style_of_rest))
        date_style, package = state.date_style, state.package
        row_attrs = None
        plain_rests = self.plain_rests
        pieces = []
        columns = []                          # of the cells the row keeps, in order
        formula_lost = False
        i, count = 0, len(cells)
        last_write = 0
        for col, value in row_writes:
            if col <= last_write:
                raise _NotSure()              # overlapping blocks: written in turn by lxml
            last_write = col
            while i < count and cells[i][0] < col:
                pieces.append(cells[i][1])    # (empty elements already as lxml writes them)
                columns.append(cells[i][0])
                i += 1
            cell = None
            if i < count and cells[i][0] == col:
                cell = cells[i]
                i += 1
            kind = type(value)
            if cell is not None:
                _, raw, letters, rest, body = cell
                ref = letters + digits
                if kind is not Cached and kind is not _Drop:
                    # most cells of a first run (empty, styled) and of a re-run (one value)
                    plain = plain_rests.get(rest, False)
                    if plain is False:
                        match = _PLAIN_REST.fullmatch(rest)
                        plain = plain_rests[rest] = match.groups() if match else None
                    if plain is not None and (body is None or _PLAIN_BODY.fullmatch(body)):
                        tail = _plain_cell_tail(plain[1],
                                                body is not None and body.startswith(b"<v"),
                                                value)
                        if tail is not None:
                            pieces.append(b'<c r="' + ref + b'"' + plain[0] + tail)
                            columns.append(col)
                            continue
                if b"&" in rest:
                    raise _NotSure()
                if kind is Cached:
                    piece = _cached_cell_bytes(ref, rest, body, value.value)
                    if piece is not None:
                        pieces.append(piece)
                        columns.append(col)
                        continue
                # a number into a cell holding one, changed in place (by lxml too)
                if (kind is float or kind is int) and body is not None \
                        and body.startswith(b"<v>") and body.find(b"<", 3) == len(body) - 4 \
                        and _NUMBER_CELL_REST.fullmatch(rest) \
                        and (not styles or (rest.startswith(b' s="')
                                            and not rest.startswith(b' s="0"'))):
                    number_value = float(value)
                    if number_value == number_value \
                            and number_value not in (math.inf, -math.inf):
                        pieces.append(b'<c r="' + ref + b'"' + rest + b"><v>"
                                      + _number_text(number_value).encode("ascii")
                                      + b"</v></c>")
                        columns.append(col)
                        continue
                if kind is _Drop:
                    formula_lost |= body is not None and b"<f" in body
                    continue
                attrs = [(b"r", ref)] + _ATTR_SCAN.findall(rest)
                children = [(tag, _as_lxml_writes(whole))
                            for whole, tag in _CHILD_SCAN.findall(body)] \
                    if body is not None else []
                if kind is Cached:
                    _model_set_cached(attrs, children, value.value, package)
                    pieces.append(_cell_bytes(attrs, children))
                    columns.append(col)
                    continue
                if styles and _attr(attrs, b"s") in (None, b"0") and not _is_blank(value):
                    column_style = styles.get(col)
                    if column_style:
                        _set_attr(attrs, b"s", _attr_bytes(column_style))
            else:
                if kind is Cached or kind is _Drop or _is_blank(value):
                    continue
                if row_attrs is None:
                    row_attrs = _ATTR_SCAN.findall(start)
                    if any(b"&" in v for _, v in row_attrs):
                        raise _NotSure()
                row_style = _attr(row_attrs, b"s") \
                    if _attr(row_attrs, b"customFormat") in (b"1", b"true") else None
                new_style = (styles.get(col) if styles else None)
                if new_style:
                    # a column's style, the same for every row of a growing block: checked
                    # and encoded once a sheet (thousands of new SKU rows on a first run)
                    encoded = self.style_bytes.get(new_style)
                    if encoded is None:
                        encoded = self.style_bytes[new_style] = _attr_bytes(new_style)
                    new_style = encoded
                else:
                    new_style = row_style
                tail = _plain_cell_tail(None, False, value)
                if tail is not None:              # a new cell is plain: as a plain empty one
                    pieces.append(b'<c r="' + _letters_of(col) + digits
                                  + (b'" s="' + new_style + b'"' if new_style else b'"') + tail)
                    columns.append(col)
                    continue
                attrs = [(b"r", _letters_of(col) + digits)]
                if new_style:
                    attrs.append((b"s", new_style))
                children = []
            formula_lost |= _model_set_cell(attrs, children, value, date_style, package)
            pieces.append(_cell_bytes(attrs, children))
            columns.append(col)
        while i < count:
            pieces.append(cells[i][1])
            columns.append(cells[i][0])
            i += 1
        start = self._spans_fixed(start, columns[0], columns[-1]) if columns else start
        if pieces:
            row = (start[:-2] + b">" if start.endswith(b"/>") else start) \
                + b"".join(pieces) + b"</row>"
        else:
            row = start if start.endswith(b"/>") else start[:-1] + b"/>"
        rightmost = 0
        for col, value in reversed(row_writes):
            if not _is_blank(value):
                rightmost = col
                break
        state.noted(number, formula_lost, rightmost)
        return row

    def _spans_fixed(self, start: bytes, first: int, last: int) -> bytes:
        """:func:`_fix_row_spans` on a start tag, the row's cells being in columns ``first``
        to ``last``."""
        # most rows of a sheet share a few hints, and their cells are within them: told from
        # the hint's bytes looked up, not parsed again each row (anything else: as before)
        at = start.find(b' spans="')
        if at < 0 and b" spans=" not in start:
            return start                      # no hint (a row made from nothing)
        closing = start.find(b'"', at + 8) if at >= 0 else -1
        if closing >= 0:
            hint = start[at + 8:closing]
            bounds = self.span_bounds.get(hint, False)
            if bounds is False:
                low, colon, high = hint.partition(b":")
                bounds = self.span_bounds[hint] = (int(low), int(high)) \
                    if colon and low.isdigit() and high.isdigit() else None
            if bounds is not None and bounds[0] <= first and last <= bounds[1]:
                return start
        return self._spans_widened(start, first, last)

    @staticmethod
    def _spans_widened(start: bytes, first: int, last: int) -> bytes:
        """:meth:`_spans_fixed` read in full."""
        if b" spans=" not in start:
            return start
        plain = _PLAIN_SPANS.search(start)
        if plain is not None and int(plain.group(1)) <= first and last <= int(plain.group(2)):
            return start                      # the cells within the hint: nothing to widen
        attrs = _ATTR_SCAN.findall(start)
        spans = _attr(attrs, b"spans")
        if not spans:
            return start
        if b"&" in spans:
            raise _NotSure()
        text = spans.decode("utf-8")
        low, _, high = text.partition(":")
        try:
            low, high = int(low), int(high or low)
        except ValueError:
            _del_attr(attrs, b"spans")
        else:
            if not (first < low or last > high):
                return start
            _set_attr(attrs, b"spans", f"{min(first, low)}:{max(last, high)}".encode("ascii"))
        closing = b"/>" if start.endswith(b"/>") else b">"
        return b"<row" + b"".join(b" " + k + b'="' + v + b'"' for k, v in attrs) + closing


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
    # (root.find, without its ElementPath: the first such child, once a sheet)
    dimension = next(root.iterchildren(M + "dimension"), None)
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
