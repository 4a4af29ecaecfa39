"""The summary across a folder: which store should join which programme.

Three sheets: **Stores** first (one row per store: the recommended programme, its net gain and
probability of loss, what is unknown or failing, the status; sorted by net gain), **Detail**
(every store × scenario), **Problems** last (every error and every skipped file). Each sheet has
a human label row above the column ids (scripts read the ids). Written fresh with XlsxWriter (it
is our own file, not a user's), atomically, with the permissions the user's umask gives new
files (colleagues on a share can open it, as they can the workbooks). Text is always written as
text: a store name or a reason that starts with "=" never becomes a formula.

A summary carries the defined name ``aeroi_summary`` (and a document property of the same
name): ``run`` and ``check`` recognise it by that marker, whatever its file name, and skip it.
"""
from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

import xlsxwriter

from calculator.model import texts as tx
from calculator.workbook.atomic import atomic_replace
from calculator.workbook.results import NEVER
from calculator.workbook.summary_marker import MARKER, mark

#: The marker: a defined name (and custom document property) only a summary has.
SUMMARY_MARKER = MARKER

STORE_COLUMNS = ("store", "recommended", "net_gain", "p_loss", "unknown_or_failing", "status",
                 "file")
DETAIL_COLUMNS = ("file", "store", "status", "scenario", "eligible", "reason", "monthly_gmv",
                  "incremental_gmv", "orders_per_month", "freight_per_order",
                  "contribution_per_order", "monthly_contribution", "outlays", "benefits",
                  "net_gain", "roi", "payback_month", "breakeven_lift", "p_loss", "roi_p50",
                  "recommended", "recommendation", "sku_median_margin", "sku_below_target",
                  "message")
#: Kept for scripts written against the first summary (one sheet of store × scenario rows).
SUMMARY_COLUMNS = DETAIL_COLUMNS
ERROR_COLUMNS = ("file", "sheet", "cell", "name", "expected", "found", "message", "kind")
_MONEY = {"monthly_gmv", "incremental_gmv", "freight_per_order", "contribution_per_order",
          "monthly_contribution", "outlays", "benefits", "net_gain"}
_PERCENT = {"roi", "breakeven_lift", "p_loss", "roi_p50", "sku_median_margin"}

_WORDS = {
    "en": {"sheets": ("Stores", "Detail", "Problems"), "ok": "calculated", "failed": "failed",
           "not_ours": "not an aeroi workbook", "skipped": "skipped: {why}",
           "none": "nothing unknown or failing", "see_problems": "see Problems",
           "title": "Which store should join which programme"},
    "zh": {"sheets": ("店铺", "明细", "问题"), "ok": "已计算", "failed": "失败",
           "not_ours": "不是 aeroi 工作簿", "skipped": "已跳过:{why}",
           "none": "无未知或未通过项", "see_problems": "见「问题」表",
           "title": "各店铺应参加哪个方案"},
}
_SUMMARY_LABELS = {
    "en": {"status": "Status", "recommended": "Recommended programme",
           "unknown_or_failing": "Unknown or failing", "net_gain": "Net gain (USD)",
           "p_loss": "Probability of loss", "message": "Status line of the workbook"},
    "zh": {"status": "状态", "recommended": "推荐方案", "unknown_or_failing": "未知或未通过项",
           "net_gain": "净收益(美元)", "p_loss": "亏损概率", "message": "工作簿状态说明"},
}


def _label(column: str, lang: str) -> str:
    return _SUMMARY_LABELS[lang].get(column) or tx.column_label(column, lang)


# --- the adapter: what the summary needs from a store's outcome --------------------------------

def store_decision(outcome, lang: str = "en") -> dict:
    """One store's decision in the summary's terms. The single place that knows where each
    figure comes from, so richer model outputs (a recommendation sentence, an overall
    probability of loss) are wired here and nowhere else:

    - ``recommended``: the scenario id (``outcome.recommendation`` when the model gives one,
      else ``outcome.recommended``)
    - ``recommendation_text``: the model's sentence when it gives one, else None
    - ``net_gain`` / ``p_loss``: the recommended scenario's (``outcome.p_loss`` when given)
    - ``unknown``: what is unknown or failing, in words
    - ``status``: ok / failed / not an aeroi workbook
    """
    recommended = getattr(outcome, "recommendation", None) or outcome.recommended
    row = next((r for r in outcome.rows if r.get("scenario") == recommended), {})
    p_loss = getattr(outcome, "p_loss", None)
    if p_loss is None:
        p_loss = row.get("p_loss")
    if outcome.rows:
        status_line = outcome.store_status or ""
        unknown = status_line.partition(":")[2].strip() if ":" in status_line else ""
        unknown = unknown.removesuffix("(see Checks)").strip()
    else:
        unknown = "; ".join(_short(_message(e, lang)) for e in outcome.errors)
    return {"recommended": recommended if outcome.rows else None,
            "recommendation_text": getattr(outcome, "recommendation_text", None),
            "net_gain": row.get("net_gain"), "p_loss": p_loss, "unknown": unknown,
            "status": outcome.status}


def _short(message: str) -> str:
    """An error message without the file name it starts with (the row names the store)."""
    head, sep, tail = message.partition(": ")
    return tail if sep and (head.endswith(".xlsx") or head.endswith(".xlsm")) else message


def _language(report) -> str:
    """Chinese when every store workbook whose language was read is Chinese (calculated, or
    refused for its inputs), English otherwise."""
    languages = {getattr(o, "language", "en") for o in report.outcomes
                 if o.rows or getattr(o, "language_read", False)}
    return "zh" if languages == {"zh"} else "en"


def _message(problem, lang: str) -> str:
    """A problem's message in the summary's language, where it is worded in it."""
    return (getattr(problem, "message_zh", None) if lang == "zh" else None) or problem.message


def _status_words(status: str, lang: str) -> str:
    """A store's status (ok / failed / not an aeroi workbook) in the summary's words."""
    words = _WORDS[lang]
    return {"ok": words["ok"], "failed": words["failed"]}.get(status, words["not_ours"])


def store_rows(report, lang: str = "en") -> list[dict]:
    """One row per store, the best net gain first; stores without figures last, by name."""
    words = _WORDS[lang]
    rows = []
    for outcome in report.outcomes:
        decision = store_decision(outcome, lang)
        status = _status_words(outcome.status, lang)
        rows.append({"store": outcome.store, "file": outcome.path,
                     "recommended": tx.scenario_label(decision["recommended"], lang)
                     if decision["recommended"] else None,
                     "net_gain": decision["net_gain"], "p_loss": decision["p_loss"],
                     "unknown_or_failing": decision["unknown"] or (
                         words["none"] if outcome.rows else words["see_problems"]),
                     "status": status})

    def order(row):
        gain = row["net_gain"]
        known = isinstance(gain, (int, float)) and math.isfinite(gain)
        return (0 if known else 1, -gain if known else 0, str(row["store"]))
    return sorted(rows, key=order)


def summary_rows(report, lang: str = "en") -> list[list[object]]:
    """One row per store × scenario (one row with the problem for a store that failed)."""
    rows = []
    for outcome in report.outcomes:
        # (in Chinese as the Stores sheet has it; in English the status ids, as always)
        status = outcome.status if lang != "zh" else _status_words(outcome.status, lang)
        store = {"file": outcome.path, "store": outcome.store, "status": status,
                 "sku_median_margin": outcome.sku_median_margin,
                 "sku_below_target": outcome.sku_below_target}
        if outcome.rows:
            for row in outcome.rows:
                line = dict(store, **row, recommended=outcome.recommended == row["scenario"],
                            recommendation=outcome.recommendation_text,
                            message=outcome.store_status)
                rows.append([line.get(name) for name in DETAIL_COLUMNS])
        else:
            line = dict(store, message="; ".join(_message(e, lang) for e in outcome.errors))
            rows.append([line.get(name) for name in DETAIL_COLUMNS])
    return rows


def write_summary(report, path: str | os.PathLike) -> None:
    path = Path(path)
    lang = _language(report)
    words = _WORDS[lang]
    with atomic_replace(path, mode=_shared_mode()) as temp:
        book = xlsxwriter.Workbook(str(temp), {"strings_to_formulas": False, "strings_to_urls": False,
                                          "strings_to_numbers": False,
                                          "default_date_format": "yyyy-mm-dd"})
        book.set_properties({"title": words["title"], "author": "aeroi"})
        mark(book)          # so that a later --summary may replace it, and nothing else
        formats = {
            "label": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                      "text_wrap": True, "valign": "top"}),
            "id": book.add_format({"font_size": 8, "font_color": "#7F7F7F",
                                   "bg_color": "#F2F2F2"}),
            "money": book.add_format({"num_format": "#,##0.00"}),
            "percent": book.add_format({"num_format": "0.0%"}),
            "number": book.add_format({"num_format": "0.0"}),
        }
        stores_sheet, detail_name, problems_name = words["sheets"]

        stores = book.add_worksheet(stores_sheet)
        body = store_rows(report, lang)
        _table(stores, STORE_COLUMNS, [[r[k] for k in STORE_COLUMNS] for r in body], formats,
               lang, widths={"store": 24, "recommended": 30, "net_gain": 16, "p_loss": 12,
                             "unknown_or_failing": 60, "status": 14, "file": 70})
        book.define_name(SUMMARY_MARKER, f"='{stores_sheet}'!$A$1")

        detail = book.add_worksheet(detail_name)
        _table(detail, DETAIL_COLUMNS, summary_rows(report, lang), formats, lang,
               widths={"file": 30, "store": 16, "reason": 40, "message": 50})

        errors = book.add_worksheet(problems_name)
        lines = [[problem.as_dict()[name] for name in ERROR_COLUMNS]
                 for outcome in report.outcomes for problem in outcome.errors]
        if lang == "zh":                      # what was expected and why, in Chinese too
            worded = [problem for outcome in report.outcomes for problem in outcome.errors]
            expected, message = ERROR_COLUMNS.index("expected"), ERROR_COLUMNS.index("message")
            for line, problem in zip(lines, worded):
                line[expected] = getattr(problem, "expected_zh", None) or line[expected]
                line[message] = _message(problem, lang)
        lines += [[path_text, None, None, None, None, None, words["skipped"].format(why=why)]
                  for path_text, why in report.skipped]
        _table(errors, ERROR_COLUMNS, lines, formats, lang,
               widths={"file": 30, "expected": 24, "found": 16, "message": 90})
        stores.activate()
        book.close()


def _table(sheet, columns, rows, formats, lang, widths):
    """Label row, id row, data; printed landscape, one page wide; filter on the id row."""
    for col, name in enumerate(columns):
        sheet.write_string(0, col, _label(name, lang), formats["label"])
        sheet.write_string(1, col, name, formats["id"])
        width = widths.get(name, 14)
        # no wrapping: a wrapped cell does not grow its row in every program (rows overlap)
        sheet.set_column(col, col, width)
    sheet.set_row(0, 32)
    for r, row in enumerate(rows, start=2):
        for col, (name, value) in enumerate(zip(columns, row)):
            fmt = formats["money"] if name in _MONEY else formats["percent"] \
                if name in _PERCENT else formats["number"] \
                if name in ("orders_per_month", "payback_month") else None
            _write(sheet, r, col, value, fmt)
    sheet.autofilter(1, 0, max(2, len(rows) + 1), len(columns) - 1)
    sheet.freeze_panes(2, 1)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, 1)


def _shared_mode() -> int:
    """A summary is shared like the workbooks: 0666 less the umask (mkstemp alone gives 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_store_csv(report, path: str | os.PathLike) -> None:
    """The Stores sheet's rows as CSV (UTF-8 with a byte-order mark, so Excel shows Chinese
    store names), the column ids as header; written atomically like every output."""
    path = Path(path)
    lang = _language(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(STORE_COLUMNS)
    for row in store_rows(report, lang):
        writer.writerow(["" if row[k] is None else _csv_value(row[k]) for k in STORE_COLUMNS])
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_replace(path, mode=_shared_mode()) as temp:
        temp.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")


def _csv_value(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return NEVER if value > 0 else ""
        return f"{value:.6g}" if abs(value) < 1 else f"{value:.2f}"
    text = str(value)
    # a cell starting with = + - @ would run as a formula when the CSV is opened in Excel
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


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
