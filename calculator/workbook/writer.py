"""Write results into a workbook file: each defined name's block laid over its range, only
the sheets holding those names rewritten (and in them only those cells), every other part
copied byte for byte, the whole saved atomically (atomic.py).

Why not openpyxl load + save: it drops what it does not model (buttons, text boxes, checkboxes,
pictures in cells, dynamic-array spill metadata, printer settings...).
"""
from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from calculator.errors import Kind, WorkbookError
from calculator.workbook import xmlsafe
from calculator.workbook.atomic import ChangedOnDisk, FileStamp, atomic_replace, write_target
from calculator.workbook.cellref import NameTarget
from calculator.workbook.names import drop_calc_chain, resize_names, set_full_calc
from calculator.workbook.patch import (NeedTree, SheetWrites, first_date_style, patch_sheet,
                                       patch_sheet_streaming)
from calculator.workbook.xlsxpackage import XlsxPackage

#: Sheet parts at least this big are patched row by row as they are parsed (streamed), so a
#: sheet of a million cells never sits in memory as a tree. Smaller ones use the tree.
STREAM_ABOVE_BYTES = 4 * 1024 * 1024


def plan_writes(package: XlsxPackage, updates: Mapping[str, Sequence[Sequence[object]]],
                resize: Iterable[str] = ()) -> tuple[dict[str, SheetWrites],
                                                     dict[str, NameTarget]]:
    """Cells to write per sheet: each name's block laid over its range, the rest of the range
    cleared (so a shorter result leaves no stale rows behind). Names in ``resize`` take the
    shape of their block (their old range is cleared); returns their new targets too."""
    per_sheet: dict[str, SheetWrites] = {}
    resized: dict[str, NameTarget] = {}
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
                                cell=target.top_left, name=name, kind=Kind.LAYOUT)
        per_sheet.setdefault(target.sheet, SheetWrites()).add(target.min_row, target.min_col,
                                                              rows, cols, block)
    return per_sheet, resized


def write_cells(src: str | os.PathLike, updates: Mapping[str, Sequence[Sequence[object]]],
                dest: str | os.PathLike | None = None, full_calc_on_load: bool = True,
                label: str | None = None, resize: Iterable[str] = (),
                expected: FileStamp | None = None) -> Path:
    """Write ``updates`` (defined name -> rows of values) into the workbook ``src``, saving to
    ``dest`` (``src`` itself by default) atomically. Only the sheets holding those names are
    rewritten, and in them only those cells; every other part is copied byte for byte. Names
    in ``resize`` are redefined to the size of their block (a table of variable length).
    ``expected``: the stamp of the file the results were calculated from; if ``src`` is no
    longer that file (when opened here, or just before the replace of an in-place write),
    ChangedOnDisk is raised and nothing is written."""
    src = Path(src)
    dest = Path(dest) if dest is not None else src
    label = label or src.name
    if dest.exists() and (not os.access(dest, os.W_OK) or not os.stat(dest).st_mode & 0o222):
        raise WorkbookError(f"{label}: the file is read-only, so its results were not written "
                            f"(clear the read-only flag and run again)", file=label,
                            kind=Kind.LOCKED)
    with XlsxPackage(src, label) as package:
        if expected is not None and not package.same_file_as(expected):
            raise ChangedOnDisk(f"{label}: changed by another program during the run; its save "
                                f"was kept and our results were not written", file=label)
        per_sheet, resized = plan_writes(package, updates, resize)
        replaced: dict[str, bytes | list[bytes]] = {}
        dropped: set[str] = set()
        formula_lost = False
        date_style = first_date_style(package)
        for sheet, writes in per_sheet.items():
            part = package.sheet_part(sheet)
            if package.part_size(part) >= STREAM_ABOVE_BYTES:
                # parsed as it is unpacked: the sheet's bytes are never all in memory
                chunks = package.iter_part(part)
                try:
                    replaced[part], lost = patch_sheet_streaming(
                        chunks, writes, date_style, package, label, sheet)
                    formula_lost |= lost
                    continue
                except NeedTree:
                    pass
                finally:
                    chunks.close()
            data = package.read_part(part)
            root = xmlsafe.parse_xml(data, label, part)
            del data
            formula_lost |= patch_sheet(root, writes, date_style, package, label, sheet)
            replaced[part] = xmlsafe.serialise(root)
        if formula_lost:
            drop_calc_chain(package, replaced, dropped)
        if full_calc_on_load or resized:
            workbook = xmlsafe.parse_xml(package.read_part("xl/workbook.xml"), label,
                                         "xl/workbook.xml")
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
