"""The open-workbook side of the reader/writer interface (io.WorkbookIO), through xlwings.

Deliberately tiny: everything it returns goes through the same reader and result blocks as the
batch. Only real Excel can run it; tests drive it with a minimal stand-in of an xlwings Book.
"""
from __future__ import annotations

from calculator.workbook.io import Location, Table

_FORMULA_STARTS = ("=", "+", "-", "@")


def as_text_cell(value):
    """Excel turns a string written through COM that starts with = + - @ into a formula;
    a leading apostrophe keeps it text (Excel hides the apostrophe)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class OpenWorkbook:
    def __init__(self, book):
        self.book = book
        self.label = book.name

    def _name(self, name):
        for candidate in self.book.names:
            if candidate.name == name:
                return candidate
        return None

    def has_name(self, name: str) -> bool:
        return self._name(name) is not None

    def location(self, name: str) -> Location:
        cell = self._name(name).refers_to_range
        return Location(cell.sheet.name, cell.address.replace("$", "").split(":")[0])

    def read_name(self, name: str):
        return self._name(name).refers_to_range.options(ndim=2).value

    def read_table(self, name: str, typed_below: bool = False, columns=None):
        # Excel grows a table as rows are typed under it: nothing is left below to read.
        # Every column is read (``columns`` is what the caller needs at least)
        for sheet in self.book.sheets:
            for table in sheet.tables:
                if table.name.lower() == name.lower():
                    header = table.header_row_range.value
                    body = table.data_body_range
                    rows = [] if body is None else body.options(ndim=2).value
                    first = (body or table.header_row_range.offset(1, 0))
                    return Table([str(h) for h in header], rows, sheet.name, first.row,
                                 first.column)
        return None

    def write(self, updates) -> None:
        from calculator.workbook.contract import RESIZABLE_OUTPUTS
        for name, block in updates.items():
            defined = self._name(name)
            target = defined.refers_to_range
            if name in RESIZABLE_OUTPUTS:      # a block whose rows follow the data
                rows = max(len(block), 1)
                cols = max(max(map(len, block), default=1), 1)
                _refuse_growing_over(self.label, name, target, rows, cols)
                target.clear_contents()
                target = target.resize(rows, cols)
                defined.refers_to = "=" + target.get_address(include_sheetname=True)
            rows, cols = target.shape
            padded = [[as_text_cell(block[r][c]) if r < len(block) and c < len(block[r]) else None
                       for c in range(cols)] for r in range(rows)]
            target.value = padded


def _refuse_growing_over(label: str, name: str, target, rows: int, cols: int) -> None:
    """A block that grows must find empty cells below and beside it (as the batch's writer
    checks): a label or a value of the user's is never overwritten."""
    from calculator.errors import Kind, WorkbookError
    old_rows, old_cols = target.shape
    extra = []
    if rows > old_rows:
        extra.append(target.offset(old_rows, 0).resize(rows - old_rows, cols))
    if cols > old_cols:
        extra.append(target.offset(0, old_cols).resize(min(rows, old_rows), cols - old_cols))
    for cells in extra:
        values = cells.options(ndim=2).value
        if any(value not in (None, "") for line in values for value in line):
            raise WorkbookError(f"{label}: {name} needs more room for its results, but "
                                f"{cells.address} is not empty: insert rows below {name} and "
                                f"calculate again", file=label, name=name,
                                expected="empty cells where the results grow",
                                kind=Kind.LAYOUT)
