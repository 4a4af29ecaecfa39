"""Entry points for the Excel buttons (``RunPython`` in macros/aeroi.bas).

Each one reads through the same reader the batch uses and writes the same result blocks. A
problem is shown to the user in a message box with the cell to fix, never as a traceback.
"""
from __future__ import annotations

import os
from pathlib import Path

from calculator.errors import CalculatorError


def _caller():
    import xlwings as xw
    return xw.Book.caller()


def _alert(book, text: str, title: str = "aeroi") -> None:
    try:
        book.app.alert(text, title)
    except Exception:  # alert is not available on every platform: fall back to the status bar
        book.app.status_bar = text


def calculate_book(io) -> str:
    """Calculate one workbook through the WorkbookIO ``io``; return the status line. Raises
    CalculatorError with every problem in the message when the inputs cannot be used."""
    from calculator.workbook.reader import read_store
    from calculator.workbook.results import calculate_blocks
    read = read_store(io)
    if read.errors:
        lines = "\n".join(str(error) for error in read.errors[:15])
        more = f"\n... and {len(read.errors) - 15} more" if len(read.errors) > 15 else ""
        raise CalculatorError(f"Nothing was calculated; please fix:\n{lines}{more}")
    blocks, _, _ = calculate_blocks(io, read)
    io.write(blocks)
    return blocks["out_status"][0][0]


def calculate_active() -> None:
    """Button "Calculate": recalculate the workbook that called the macro."""
    from calculator.excel.xlwings_io import OpenWorkbook
    book = _caller()
    try:
        status = calculate_book(OpenWorkbook(book))
    except CalculatorError as error:
        _alert(book, str(error), "aeroi: check your inputs")
        return
    book.app.status_bar = f"aeroi: calculated ({status})"


def run_folder_of(folder: str | os.PathLike, exclude: str | None = None) -> str:
    """Run the batch over ``folder`` and return the one-paragraph report shown to the user.
    ``exclude``: the open workbook that pressed the button (Excel holds it; Calculate it)."""
    from calculator.workbook.batch import run_batch
    report = run_batch([folder], open_books=[exclude] if exclude else [])
    done = sum(1 for outcome in report.outcomes if outcome.status == "ok")
    lines = [f"{done} of {len(report.outcomes)} workbook(s) calculated."]
    for outcome in report.failed[:10]:
        first = outcome.errors[0].message if outcome.errors else outcome.status
        lines.append(f"- {Path(outcome.path).name}: {first}")
    if report.summary_path:
        lines.append(f"Summary: {report.summary_path}")
    return "\n".join(lines)


def run_folder() -> None:
    """Button "Run folder": calculate every workbook in this workbook's folder."""
    book = _caller()
    folder = Path(book.fullname).parent
    try:
        _alert(book, run_folder_of(folder, exclude=book.fullname))
    except CalculatorError as error:
        _alert(book, str(error))


def create_template_in(folder: str | os.PathLike, lang: str = "en") -> Path:
    """A new, empty store workbook in ``folder`` that does not overwrite an existing one."""
    from calculator.workbook.template import build_template
    folder = Path(folder)
    for number in range(1, 1000):
        candidate = folder / f"aeroi-store-{number:03d}.xlsx"
        if not candidate.exists():
            return build_template(candidate, lang)
    raise CalculatorError(f"{folder}: too many aeroi-store-*.xlsx workbooks already")


def create_template() -> None:
    """Button "New store workbook": a fresh template beside this workbook."""
    book = _caller()
    try:
        path = create_template_in(Path(book.fullname).parent)
    except CalculatorError as error:
        _alert(book, str(error))
        return
    _alert(book, f"Created {path}")
