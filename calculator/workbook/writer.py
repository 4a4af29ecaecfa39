"""Write results into a workbook file: each defined name's block laid over its range, only
the sheets holding those names rewritten (and in them only those cells), every other part
copied byte for byte, the whole saved atomically (atomic.py).

Why not openpyxl load + save: it drops what it does not model (buttons, text boxes, checkboxes,
pictures in cells, dynamic-array spill metadata, printer settings...).
"""
from __future__ import annotations

import contextlib
import os
import stat
import zipfile
from pathlib import Path
from typing import Iterable, Mapping, Sequence, Tuple, Union

from calculator.errors import Kind, WorkbookError
from calculator.workbook import xmlsafe
from calculator.workbook.atomic import ChangedOnDisk, FileStamp, atomic_replace, write_target
from calculator.workbook.cellref import (NameTarget, column_letter, column_of,
                                         parse_reference)
from calculator.workbook.names import (drop_calc_chain, extend_table, resize_names,
                                       set_full_calc)
from calculator.workbook.ooxml import M
from calculator.workbook.patch import (DROP, Cached, Fill, Guard, NeedTree, SheetLayout,
                                       SheetWrites, StyleBand, first_date_style, patch_sheet,
                                       patch_sheet_bytes, patch_sheet_streaming)
from calculator.workbook.xlsxpackage import XlsxPackage

#: Sheet parts at least this big are patched row by row as they are parsed (streamed), so a
#: sheet of a million cells never sits in memory as a tree. Smaller ones are read whole and
#: patched as bytes the same way (cheaper than parsing, patching and serialising the whole
#: tree); the tree is the fallback of both for a sheet whose layout the byte scan does not know.
STREAM_ABOVE_BYTES = 4 * 1024 * 1024


CachedKey = Union[str, Tuple[str, int]]


def plan_writes(package: XlsxPackage, updates: Mapping[str, Sequence[Sequence[object]]],
                resize: Iterable[str] = (),
                cached: Mapping[CachedKey, Sequence[Sequence[object]]] | None = None
                ) -> tuple[dict[str, SheetWrites], dict[str, NameTarget],
                           dict[str, SheetLayout]]:
    """Cells to write per sheet: each name's block laid over its range, the rest of the range
    cleared (so a shorter result leaves no stale rows behind). Names in ``resize`` take the
    shape of their block (see :func:`_plan_growing`); returns their new targets, and per sheet
    the column styles and guarded cells of those blocks. ``cached`` gives the values of
    formula cells (by name, or (name, column offset)) to store as their cached results."""
    per_sheet: dict[str, SheetWrites] = {}
    resized: dict[str, NameTarget] = {}
    layouts: dict[str, SheetLayout] = {}
    growable = {name.lower() for name in resize}
    for name, block in updates.items():
        target = package.get_name(name)
        if target is None:
            raise WorkbookError(f"{package.label}: the defined name {name} is missing, so its "
                                f"results cannot be written (create the workbook with `aeroi new`)",
                                file=package.label, name=name, expected="a defined name",
                                kind=Kind.LAYOUT)
        rows, cols = target.shape
        block = [r if isinstance(r, (list, tuple)) else list(r) for r in block]
        width = max((len(r) for r in block), default=0)
        writes = per_sheet.setdefault(target.sheet, SheetWrites())
        if name.lower() in growable:
            new = NameTarget(target.name, target.sheet, target.min_row, target.min_col,
                             target.min_row + max(len(block), 1) - 1,
                             target.min_col + max(width, 1) - 1, target.scope)
            if new != target:
                _check_room(package, target, new)
                resized[target.name] = new
            _plan_growing(writes, layouts.setdefault(target.sheet, SheetLayout()), target, new,
                          block)
            continue
        if len(block) > rows or width > cols:
            raise WorkbookError(f"{package.label}: {target.sheet}!{target.top_left} {name} has "
                                f"room for {rows}×{cols} cells, the results need "
                                f"{len(block)}×{width}", file=package.label, sheet=target.sheet,
                                cell=target.top_left, name=name, kind=Kind.LAYOUT)
        writes.add(target.min_row, target.min_col, rows, cols, block)
    for key, block in (cached or {}).items():
        target = _cached_target(package, key)
        if target is None:
            continue
        rows, cols = target.shape
        values = [[Cached(value) for value in list(line)[:cols]] for line in block[:rows]]
        per_sheet.setdefault(target.sheet, SheetWrites()).add(
            target.min_row, target.min_col, len(values), max(map(len, values), default=0),
            values)
    return per_sheet, resized, layouts


def _plan_growing(writes: SheetWrites, layout: SheetLayout, old: NameTarget, new: NameTarget,
                  block: list) -> None:
    """A block whose length follows the data or the registry (its first row is a header):
    written over ``new``; the cells of ``old`` outside ``new`` removed, except the first data
    row's (cleared: later rows take their style from it); every cell styled like its column
    (the header like the header row, data like the first data row); the cells it grows into
    guarded (they must be empty)."""
    writes.add(new.min_row, new.min_col, new.shape[0], new.shape[1], block)
    source_row = old.min_row + 1
    if old.max_row > new.max_row:                     # rows no longer used
        first = new.max_row + 1
        if first == source_row:
            writes.add(first, old.min_col, 1, old.shape[1], Fill(None, 1, old.shape[1]))
            first += 1
        if first <= old.max_row:
            writes.add(first, old.min_col, old.max_row - first + 1, old.shape[1],
                       Fill(DROP, old.max_row - first + 1, old.shape[1]))
    if old.max_col > new.max_col:                     # columns no longer used
        rows = min(old.max_row, new.max_row) - old.min_row + 1
        cols = old.max_col - new.max_col
        writes.add(old.min_row, new.max_col + 1, rows, cols, Fill(DROP, rows, cols))
    layout.bands.append(StyleBand(new.min_row, new.min_row, new.min_col, new.max_col,
                                  old.min_row, old.max_col))
    if new.max_row > new.min_row:
        layout.bands.append(StyleBand(new.min_row + 1, new.max_row, new.min_col, new.max_col,
                                      source_row, old.max_col))
    if new.max_row > old.max_row:
        layout.guards.append(Guard(old.name, old.max_row + 1, new.min_col, new.max_row,
                                   new.max_col))
    if new.max_col > old.max_col:
        layout.guards.append(Guard(old.name, new.min_row, old.max_col + 1,
                                   min(old.max_row, new.max_row), new.max_col))


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _check_room(package: XlsxPackage, old: NameTarget, new: NameTarget) -> None:
    """A growing block must not run into another defined name's cells (the next block down,
    a user's named range). Names that already overlap the block (a print area, a user's name
    over the whole table) are not in its way."""
    old_box = (old.min_row, old.min_col, old.max_row, old.max_col)
    new_box = (new.min_row, new.min_col, new.max_row, new.max_col)
    for other, text in package.defined_name_targets():
        if other.lower() == old.name.lower() or other.lower().startswith("_xlnm."):
            continue
        try:
            sheet, box = parse_reference(text)
        except ValueError:
            continue
        if sheet == new.sheet and _overlaps(box, new_box) and not _overlaps(box, old_box):
            rows, cols = new.shape
            raise WorkbookError(
                f"{package.label}: {new.sheet}!{new.top_left} {old.name} needs {rows}×{cols} "
                f"cells for its results and would run into {other} ({text}): make room below "
                f"{old.name} (insert rows) and run again; the workbook was not changed",
                file=package.label, sheet=new.sheet, cell=new.top_left, name=old.name,
                expected="room for the results", found=other, kind=Kind.LAYOUT)


def _cached_target(package: XlsxPackage, key: CachedKey) -> NameTarget | None:
    name, offset = (key, 0) if isinstance(key, str) else key
    try:
        target = package.get_name(name)
    except WorkbookError:
        return None
    if target is None or target.min_col + offset < 1:
        return None
    return NameTarget(target.name, target.sheet, target.min_row, target.min_col + offset,
                      target.max_row, target.max_col + offset, target.scope)


def _fresh(layout: SheetLayout | None) -> SheetLayout | None:
    """The layout with no styles captured yet (a streamed patch that falls back to the tree
    starts again)."""
    if layout is None:
        return None
    for band in layout.bands:
        band.styles = None
    return layout


def write_cells(src: str | os.PathLike, updates: Mapping[str, Sequence[Sequence[object]]],
                dest: str | os.PathLike | None = None, full_calc_on_load: bool = True,
                label: str | None = None, resize: Iterable[str] = (),
                expected: FileStamp | None = None,
                cached: Mapping[CachedKey, Sequence[Sequence[object]]] | None = None,
                tables: Mapping[str, int] | None = None,
                package: XlsxPackage | None = None) -> Path:
    """Write ``updates`` (defined name -> rows of values) into the workbook ``src``, saving to
    ``dest`` (``src`` itself by default) atomically. Only the sheets holding those names are
    rewritten, and in them only those cells; every other part is copied byte for byte. Names
    in ``resize`` are redefined to the size of their block (a table of variable length).
    ``expected``: the stamp of the file the results were calculated from; if ``src`` is no
    longer that file (when opened here, or just before the replace of an in-place write),
    ChangedOnDisk is raised and nothing is written. ``cached``: values of formula cells, stored
    as their cached results (what a spreadsheet that does not recalculate on load shows).
    ``tables``: Excel tables to extend down to a row (rows typed under them that were read as
    theirs). ``package``: ``src`` already open for the read the results come from (its
    parsed sheets are patched, not parsed again); the caller closes it."""
    src = Path(src)
    dest = Path(dest) if dest is not None else src
    label = label or src.name
    if dest.exists() and (not os.access(dest, os.W_OK) or not os.stat(dest).st_mode & 0o222):
        raise WorkbookError(f"{label}: the file is read-only, so its results were not written "
                            f"(clear the read-only flag and run again)", file=label,
                            kind=Kind.LOCKED)
    opened = contextlib.nullcontext(package) if package is not None \
        else XlsxPackage(src, label)
    with opened as package:
        if expected is not None and not _still(src, package, expected):
            raise ChangedOnDisk(f"{label}: changed by another program during the run; its save "
                                f"was kept and our results were not written", file=label)
        per_sheet, resized, layouts = plan_writes(package, updates, resize, cached)
        replaced: dict[str, bytes | list[bytes]] = {}
        dropped: set[str] = set()
        formula_lost = False
        date_style = first_date_style(package)
        for sheet, writes in per_sheet.items():
            part = package.sheet_part(sheet)
            layout = layouts.get(sheet)
            if package.part_size(part) >= STREAM_ABOVE_BYTES:
                # parsed as it is unpacked: the sheet's bytes are never all in memory
                chunks = package.iter_part(part)
                try:
                    replaced[part], lost = patch_sheet_streaming(
                        chunks, writes, date_style, package, label, sheet, _fresh(layout))
                    formula_lost |= lost
                    continue
                except NeedTree:
                    pass
                finally:
                    chunks.close()
            else:
                parsed = package.parsed(part)
                data = package.read_part(part) if parsed is None else None
                if not _re_run(parsed, data, writes):
                    # the rows patched as bytes, the same bytes as the tree's (tests hold
                    # the two to each other) without parsing and serialising the sheet
                    try:
                        replaced[part], lost = patch_sheet_bytes(
                            data if data is not None else package.read_part(part), writes,
                            date_style, package, label, sheet, _fresh(layout))
                        formula_lost |= lost
                        continue
                    except NeedTree:
                        pass
            root = package.take_xml(part)
            formula_lost |= patch_sheet(root, writes, date_style, package, label, sheet,
                                        _fresh(layout))
            replaced[part] = xmlsafe.serialise(root)
        for name, last_row in (tables or {}).items():
            extend_table(package, name, last_row, replaced)
        if formula_lost:
            drop_calc_chain(package, replaced, dropped)
        if full_calc_on_load or resized:
            workbook = package.take_xml("xl/workbook.xml")
            changed = set_full_calc(workbook) if full_calc_on_load else False
            if resized:
                resize_names(workbook, package, resized)
                changed = True
            if changed:
                replaced["xl/workbook.xml"] = xmlsafe.serialise(workbook)
        in_place = write_target(dest) == write_target(src)
        _write_package(package, dest, replaced, dropped, label,
                       expected if in_place else None)
    return dest


def _re_run(root, data: bytes | None, writes: SheetWrites) -> bool:
    """Whether a small sheet is better patched as a tree than as bytes: when the cell of the
    last value written already holds one, as on a re-run (the last: a block's first row is
    its header, which holds its names on a first run too). Each value is then changed in
    place in the tree, which costs less than rewriting the rows' bytes; a first run's empty
    cells cost less as bytes. Looked up in ``root``, the tree a read has already parsed, or
    else in ``data``, the sheet's bytes (searched, not parsed). Both paths give the same
    bytes: this only picks the cheaper."""
    target = _last_value_cell(writes)
    if target is None:
        return False
    number, col = target
    if root is None:
        ref = b'<c r="' + (column_letter(col) + str(number)).encode("ascii") + b'"'
        found = data.find(ref)
        close = data.find(b">", found) if found >= 0 else -1
        return close > 0 and data[close - 1:close] != b"/"     # not <c .../>: holds something
    sheet_data = root.find(M + "sheetData")
    if sheet_data is None:
        return False
    digits = str(number)
    for row in sheet_data.iterchildren(M + "row", reversed=True):
        if row.get("r") == digits:
            for cell in row.iterchildren(M + "c"):
                try:
                    if column_of(cell.get("r") or "") == col:
                        return len(cell) > 0
                except ValueError:              # not a reference: the patch names it
                    return False
            return False
    return False


def _last_value_cell(writes: SheetWrites) -> tuple[int, int] | None:
    """(row, column) of the last cell given a value (not a blank, a removal or a formula's
    cached result), or None."""
    for number in reversed(writes.row_numbers()):
        for col, value in reversed(writes.row(number)):
            if value is not None and value is not DROP and not isinstance(value, Cached) \
                    and value == value:                         # NaN: a blank
                return number, col
    return None


def _still(src: Path, package: XlsxPackage, expected: FileStamp) -> bool:
    """Whether ``src`` is still the file that was read: the package opened from it, and the
    path still naming that same file (not another program's save put in its place)."""
    if not package.same_file_as(expected):
        return False
    try:
        return expected.describes(os.stat(src))
    except OSError:
        return False


def _write_package(package: XlsxPackage, dest: Path, replaced: Mapping[str, bytes | list[bytes]],
                   dropped: set[str], label: str, expected: FileStamp | None = None) -> None:
    try:
        mode = stat.S_IMODE(os.stat(dest if dest.exists() else package.path).st_mode)
        with atomic_replace(dest, mode=mode, expected=expected, label=label) as temp:
            with zipfile.ZipFile(temp, "w", allowZip64=True) as out:
                for part in package.part_names():
                    if part not in dropped:
                        package.copy_part(part, out, replaced.get(part))
                out.comment = package.comment
    except OSError as error:
        reason = error.strerror or str(error)
        if isinstance(error, PermissionError):
            # Windows: Excel holds the workbook open and the replace is refused
            reason += "; if the workbook is open in Excel, close it and run again"
        raise WorkbookError(f"{label}: the results could not be saved ({reason}); the "
                            f"workbook was not changed", file=label,
                            kind=Kind.LOCKED if isinstance(error, PermissionError)
                            else Kind.NOT_SAVED) from None
