"""The one small interface between a workbook and the calculator.

Two implementations: :class:`PackageWorkbook` (the batch: reads and patches the file's zip
package, see xlsxpackage.py and writer.py) and ``calculator.excel.xlwings_io.OpenWorkbook``
(the workbook open in Excel). The reader and the result writer only ever talk to this
interface, so the batch, the button and the tests go through the same code.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Protocol, Sequence

from calculator.workbook.cellref import column_letter


@dataclass(frozen=True)
class Location:
    sheet: str
    cell: str          # top-left cell, e.g. "C7"


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[object]]
    sheet: str
    first_data_row: int     # worksheet row number of rows[0]
    first_column: int       # 1-based column number of columns[0]
    typed_below: int = 0    # how many of ``rows`` were typed under the table (not yet in it)


class Uncalculated(str):
    """A formula cell saved without its value (files written by scripts: openpyxl writes
    ``=60`` with no cached result). The text is the formula; never read as a blank. Defined
    here, beside the protocol, so the reader needs nothing of the zip package (xlwings Lite)."""


class WorkbookIO(Protocol):
    label: str                                   # shown in messages: the file name

    def has_name(self, name: str) -> bool: ...
    def location(self, name: str) -> Location: ...
    def read_name(self, name: str) -> list[list[object]]: ...
    def read_table(self, name: str, typed_below: bool = False,
                   columns: Sequence[str] | None = None) -> Table | None: ...
    def write(self, updates: Mapping[str, Sequence[Sequence[object]]]) -> None: ...


class PackageWorkbook:
    """The batch side: a workbook file read through its zip package, patched on write.

    ``dest`` is where results go (the file itself by default, or a copy elsewhere).
    """

    def __init__(self, path: str | os.PathLike, dest: str | os.PathLike | None = None,
                 label: str | None = None, guard: bool = True):
        from calculator.workbook.xlsxpackage import XlsxPackage
        self.path = os.fspath(path)
        self.dest = os.fspath(dest) if dest is not None else self.path
        self.label = label or os.path.basename(self.path)
        self._package = XlsxPackage(self.path, self.label)
        self._grown_tables: dict[str, int] = {}     # table -> last row, rows typed under it
        # what was read, so the write can refuse to replace a file another program saved
        # meanwhile (compare-and-swap); not needed when only checking
        try:
            self.stamp = self._package.stamp() if guard else None
        except BaseException:
            self._package.close()
            raise

    @property
    def package(self):
        """The XlsxPackage read (for checks of its defined names before any cell is read)."""
        return self._package

    def close(self) -> None:
        self._package.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def has_name(self, name: str) -> bool:
        return self._package.get_name(name) is not None

    def location(self, name: str) -> Location:
        target = self._package.get_name(name)
        return Location(target.sheet, f"{column_letter(target.min_col)}{target.min_row}")

    def read_name(self, name: str) -> list[list[object]]:
        return self._package.read_range(self._package.get_name(name))

    def read_lone_cell(self, name: str) -> list[list[object]]:
        """read_name for a cell on a sheet that is written next (the language cell on the
        Results sheet): that sheet is not parsed for it (see XlsxPackage.read_lone_cell).
        A check writes nothing (and is unguarded): it parses the sheet, so that a damaged
        one is named, as the write would."""
        if self.stamp is None:
            return self.read_name(name)
        return self._package.read_lone_cell(self._package.get_name(name))

    def read_table(self, name: str, typed_below: bool = False,
                   columns: Sequence[str] | None = None) -> Table | None:
        """A table's columns and data rows; with ``typed_below``, also the rows typed directly
        under it (LibreOffice does not grow a table as a user types; Excel does), which the
        next write then adds to the table. ``columns``: the names of the columns wanted; the
        table read holds at least those (the columns from the first to the last of them,
        when the table part names its columns), never fewer."""
        tables = {key.lower(): info for key, info in self._package.tables().items()}
        info = tables.get(name.lower())
        if info is None:
            return None
        span = None
        if columns is not None and not typed_below:
            names = [n.strip().lower() for n in info.columns]
            found = [names.index(c.lower()) for c in columns if c.lower() in names]
            if found and len(found) == len(columns):
                span = (min(found), max(found))
        columns, rows = self._package.read_table(info.name, span)
        below = self._package.rows_below(info) if typed_below else []
        if below:
            rows = rows + below
            self._grown_tables[info.name] = info.max_row + len(below)
        return Table([str(c) for c in columns], rows, info.sheet,
                     info.min_row + info.header_row_count,
                     info.min_col + (span[0] if span else 0), len(below))

    def write(self, updates):
        from calculator.workbook.contract import RESIZABLE_OUTPUTS
        from calculator.workbook.results import formula_values
        from calculator.workbook.reader import read_language
        from calculator.workbook.writer import write_cells
        cached = formula_values(updates, read_language(self, results_written=True))
        try:
            write_cells(self.path, updates, self.dest, label=self.label,
                        resize=RESIZABLE_OUTPUTS, expected=self.stamp, cached=cached,
                        tables=self._grown_tables, package=self._package)
        finally:
            self._package.close()
