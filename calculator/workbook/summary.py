"""The summary workbook across a folder: one row per store × scenario, and every problem found.

Written fresh with XlsxWriter (it is our own file, not a user's), atomically. Text is always
written as text: a store name or a reason that starts with "=" never becomes a formula.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import xlsxwriter

from calculator.workbook.atomic import atomic_replace
from calculator.workbook.results import NEVER
from calculator.workbook.summary_marker import mark

SUMMARY_COLUMNS = ("file", "store", "status", "scenario", "eligible", "reason", "monthly_gmv",
                   "incremental_gmv", "orders_per_month", "freight_per_order", "programme_cost",
                   "net_gain", "roi", "payback_months", "breakeven_lift", "p_loss", "roi_p50",
                   "recommended", "sku_median_margin", "sku_below_target", "message")
ERROR_COLUMNS = ("file", "sheet", "cell", "name", "expected", "found", "message", "kind")
_MONEY = {"monthly_gmv", "incremental_gmv", "freight_per_order", "programme_cost", "net_gain"}
_PERCENT = {"roi", "breakeven_lift", "p_loss", "roi_p50", "sku_median_margin"}


def summary_rows(report) -> list[list[object]]:
    """One row per store × scenario (one row with the problem for a store that failed)."""
    rows = []
    for outcome in report.outcomes:
        store = {"file": outcome.path, "store": outcome.store, "status": outcome.status,
                 "sku_median_margin": outcome.sku_median_margin,
                 "sku_below_target": outcome.sku_below_target}
        if outcome.rows:
            for row in outcome.rows:
                line = dict(store, **row, recommended=outcome.recommended == row["scenario"],
                            message=outcome.store_status)
                rows.append([line.get(name) for name in SUMMARY_COLUMNS])
        else:
            line = dict(store, message="; ".join(e.message for e in outcome.errors))
            rows.append([line.get(name) for name in SUMMARY_COLUMNS])
    return rows


def write_summary(report, path: str | os.PathLike) -> None:
    path = Path(path)
    with atomic_replace(path) as temp:
        book = xlsxwriter.Workbook(str(temp), {
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd"})
        header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        money = book.add_format({"num_format": "#,##0.00"})
        percent = book.add_format({"num_format": "0.0%"})
        number = book.add_format({"num_format": "0.0"})
        sheet = book.add_worksheet("Summary")
        for col, name in enumerate(SUMMARY_COLUMNS):
            sheet.write_string(0, col, name, header)
        body = summary_rows(report)
        for r, row in enumerate(body, start=1):
            for col, (name, value) in enumerate(zip(SUMMARY_COLUMNS, row)):
                fmt = money if name in _MONEY else percent if name in _PERCENT else \
                    number if name in ("orders_per_month", "payback_months") else None
                _write(sheet, r, col, value, fmt)
        sheet.autofilter(0, 0, max(1, len(body)), len(SUMMARY_COLUMNS) - 1)
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 5, 16)
        sheet.set_column(6, len(SUMMARY_COLUMNS) - 2, 14)
        sheet.set_column(len(SUMMARY_COLUMNS) - 1, len(SUMMARY_COLUMNS) - 1, 60)
        errors = book.add_worksheet("Problems")
        for col, name in enumerate(ERROR_COLUMNS):
            errors.write_string(0, col, name, header)
        line = 1
        for outcome in report.outcomes:
            for problem in outcome.errors:
                for col, value in enumerate(problem.as_dict()[name] for name in ERROR_COLUMNS):
                    _write(errors, line, col, value, None)
                line += 1
        for path_text, why in report.skipped:
            _write(errors, line, 0, path_text, None)
            _write(errors, line, 6, f"skipped: {why}", None)
            line += 1
        errors.set_column(0, 0, 40)
        errors.set_column(6, 6, 90)
        mark(book)          # so that a later --summary may replace it, and nothing else
        book.close()


def _write(sheet, row, col, value, fmt):
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        if math.isfinite(value):
            sheet.write_number(row, col, value, fmt)
        else:
            sheet.write_string(row, col, NEVER if value > 0 else "")
    else:
        sheet.write_string(row, col, str(value), fmt)
