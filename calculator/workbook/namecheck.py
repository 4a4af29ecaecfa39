"""Defined names checked before anything is read in bulk or written: every output name lies on
its own output sheet, inside the block the contract gives it, and on no cell an input name or a
live formula of the template uses; every name is sized from its reference before a cell is
read (a name stretched to a whole sheet is named, never read into memory).

Also the last step before a write: text longer than Excel's cell limit is cut, with a note
naming the cell.
"""
from __future__ import annotations

from typing import Mapping, Sequence

from calculator.errors import CalculatorError, Kind, WorkbookError
from calculator.workbook import contract as c
from calculator.workbook.cellref import NameTarget, column_letter, range_reference
from calculator.workbook.xlsxpackage import XlsxPackage

#: Excel's limit on the characters of one cell.
EXCEL_CELL_CHARS = 32_767
#: The most rows a table-like output (one row per SKU) may span before it is written.
MAX_GROWABLE_ROWS = 200_001
#: The most cells an input name may span (in_risk_ranges is the biggest: 4 × 4).
MAX_INPUT_CELLS = 64
#: Live formulas of the template: no output may be laid over them.
LIVE_FORMULA_NAMES = (c.STALE_NAME, c.LIVE_TABLE_NAME)


def _output_contract() -> dict[str, tuple[str, tuple[int, int]]]:
    return {**c.OUTPUTS, **c.OPTIONAL_OUTPUTS}


def _overlap(a: NameTarget, b: NameTarget) -> bool:
    return a.sheet == b.sheet and a.min_row <= b.max_row and b.min_row <= a.max_row \
        and a.min_col <= b.max_col and b.min_col <= a.max_col


def _where(target: NameTarget) -> str:
    return range_reference(target.sheet, target.min_row, target.min_col, target.max_row,
                           target.max_col)


def check_names(package: XlsxPackage, label: str | None = None) -> list[CalculatorError]:
    """Every problem with where the workbook's names point, each naming the name and the cell.
    Costs a look at the names only: no sheet is read."""
    label = label or package.label
    problems: list[CalculatorError] = []

    def problem(target: NameTarget, text: str) -> None:
        problems.append(WorkbookError(
            f"{label}: {target.sheet}!{target.top_left} {target.name}: {text}; the workbook was "
            f"not changed (fix the name in Formulas > Name Manager, or copy your inputs into a "
            f"new workbook from `aeroi new`)", file=label, sheet=target.sheet,
            cell=target.top_left, name=target.name, kind=Kind.LAYOUT, found=_where(target)))

    def target_of(name: str) -> NameTarget | None:
        try:
            return package.get_name(name)
        except CalculatorError as error:      # a name pointing nowhere
            if name in c.INPUT_BY_NAME and isinstance(error, WorkbookError):
                from calculator.workbook.reader import deleted_row_error
                error = deleted_row_error(label, c.INPUT_BY_NAME[name], error)
            if not any(p.name == name for p in problems):
                problems.append(error)
            return None

    inputs: list[NameTarget] = []
    for name in [s.name for s in c.INPUTS] + list(c.RISK_INPUT_NAMES):
        target = target_of(name)
        if target is None:
            continue
        rows, cols = target.shape
        if rows * cols > MAX_INPUT_CELLS:
            problem(target, f"an input refers to {rows:,}×{cols:,} cells ({_where(target)}), "
                            f"expected one cell (or a small block)")
            continue
        inputs.append(target)
    live = [t for t in (target_of(n) for n in LIVE_FORMULA_NAMES) if t is not None]
    # what an output could overlap, by sheet: a workbook has about a hundred names, and
    # comparing each output with every other name cost a run more than the names' reading
    taken: dict[str, list[NameTarget]] = {}
    for target in inputs + live:
        taken.setdefault(target.sheet, []).append(target)
    for name, (sheet, (rows, cols)) in _output_contract().items():
        target = target_of(name)
        if target is None:
            continue
        got_rows, got_cols = target.shape
        if target.sheet != sheet:
            problem(target, f"results belong on the sheet {sheet!r}, but the name refers to "
                            f"{_where(target)}")
            continue
        growable = name in c.RESIZABLE_OUTPUTS
        if got_cols > cols or (got_rows > rows and not growable) \
                or (growable and got_rows > MAX_GROWABLE_ROWS):
            most = f"{MAX_GROWABLE_ROWS:,}×{cols}" if growable else f"{rows}×{cols}"
            problem(target, f"refers to {got_rows:,}×{got_cols:,} cells ({_where(target)}), "
                            f"more than the {most} its results take")
            continue
        clash = next((t for t in taken.get(target.sheet, ()) if _overlap(t, target)), None)
        if clash is not None:
            what = "the input" if clash in inputs else \
                "the live formula" if clash in live else "the results of"
            problem(target, f"its block {_where(target)} overlaps {what} {clash.name} "
                            f"({_where(clash)}), which would be overwritten")
            continue
        taken.setdefault(target.sheet, []).append(target)
    return problems


def cut_long_text(package: XlsxPackage, updates: Mapping[str, Sequence[Sequence[object]]],
                  label: str | None = None) -> tuple[dict[str, list[list[object]]], list[str]]:
    """The blocks with every text cut to Excel's limit of 32,767 characters (Excel refuses to
    open a longer cell), and one note per cut naming the cell."""
    label = label or package.label
    notes: list[str] = []
    fitted: dict[str, list[list[object]]] = {}
    for name, block in updates.items():
        rows = [line if isinstance(line, list) else list(line) for line in block]
        target = None
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if isinstance(value, str) and len(value) > EXCEL_CELL_CHARS:
                    target = target or package.get_name(name)
                    cell = (f"{target.sheet}!{column_letter(target.min_col + j)}"
                            f"{target.min_row + i}") if target else name
                    notes.append(f"{label}: {cell} {name}: a text of {len(value):,} characters "
                                 f"was cut to Excel's limit of {EXCEL_CELL_CHARS:,}")
                    if row is block[i]:               # the caller's row stays as it was
                        row = rows[i] = list(row)
                    row[j] = value[:EXCEL_CELL_CHARS]
        fitted[name] = rows
    return fitted, notes
