"""Entry points for the Excel buttons (``RunPython`` in macros/aeroi.bas).

Each one reads through the same reader the batch uses and writes the same result blocks. A
problem is shown to the user in a message box with the cell to fix, never as a traceback:
an input problem lists the cells; an xlwings error (a OneDrive or SharePoint path it cannot map
to a folder, a lost connection to Excel) or a bug of ours gives one short line and the path of
the log that holds the details (calculator/excel/log.py).
"""
from __future__ import annotations

import os
from pathlib import Path

from calculator.errors import CalculatorError
from calculator.excel.log import log_exception, short_message

_CLOUD_HINT = ("If the workbook is on OneDrive or SharePoint, save a copy in a local folder "
               "and press the button there.")


def _caller():
    import xlwings as xw
    return xw.Book.caller()


def _alert(book, text: str, title: str = "aeroi") -> None:
    try:
        book.app.alert(text, title)
    except Exception:  # alert is not available on every platform: fall back to the status bar
        try:
            book.app.status_bar = text
        except Exception as error:
            # Excel is out of reach: RunPython shows what a script prints on exit, and
            # SystemExit prints its text alone, without a traceback
            log_exception("alert", error)
            raise SystemExit(text) from None


def _is_xlwings_error(error: BaseException) -> bool:
    return any(kind.__name__ == "XlwingsError" for kind in type(error).__mro__)


def _press(where: str, action) -> None:
    """Run a button's ``action(book)``; whatever goes wrong becomes one message box."""
    try:
        book = _caller()
    except Exception as error:
        raise SystemExit(short_message(where, error)) from None
    try:
        action(book)
    except CalculatorError as error:
        _alert(book, str(error), "aeroi: check your inputs")
    except Exception as error:
        text = short_message(where, error)
        if _is_xlwings_error(error):
            text = f"{text}\n{_CLOUD_HINT}"
        _alert(book, text)


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

    def calculate(book):
        status = calculate_book(OpenWorkbook(book))
        try:
            book.app.status_bar = f"aeroi: calculated ({status})"
        except Exception:       # the results and Results' status cell are written already
            pass
    _press("Calculate", calculate)


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
    def run(book):
        _alert(book, run_folder_of(Path(book.fullname).parent, exclude=book.fullname))
    _press("Run folder", run)


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
    def create(book):
        _alert(book, f"Created {create_template_in(Path(book.fullname).parent)}")
    _press("New store workbook", create)
