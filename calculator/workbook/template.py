"""The store workbook template, generated with XlsxWriter.

XlsxWriter (write-only) is used because it can write what a template needs and openpyxl
cannot: form-control buttons bound to macros, and a VBA project. The output is deterministic
(fixed document dates), so a test can compare a fresh build with the committed templates.

    python -m calculator.workbook.template workbooks/templates

writes ``aeroi-template-{en,zh}.{xlsx,xlsm}`` there. ``aeroi new PATH`` builds one workbook.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import os
import sys
import zipfile
from pathlib import Path
from typing import Mapping, Sequence

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from calculator import __version__
from calculator.errors import CalculatorError
from calculator.model import texts as tx
from calculator.model.calendar import PHASES
from calculator.model.ratecard import load_rate_card
from calculator.model.scenarios import RESULT_COLUMNS, SCENARIOS
from calculator.model.sku_economics import PROGRAMME_COLUMNS, SKU_ECONOMICS_COLUMNS
from calculator.workbook import contract as c
from calculator.workbook.atomic import atomic_replace
from calculator.workbook.cellref import quote_sheet
from calculator.workbook.dates import to_serial

#: Document dates are fixed so that two builds are byte for byte the same.
BUILD_STAMP = dt.datetime(2026, 1, 1)
LANGUAGES = ("en", "zh")
#: Rows given validation below a table's last row, so rows a user adds are checked too.
VALIDATED_ROWS = 5000

# --- where things are (docs/workbook.md shows the same) ---------------------------------------
RESULTS_STATUS_ROW = 3          # Results!B3 out_status, B4 out_recommendation, B5 its sentence
RESULTS_TABLE_ROW = 8           # id row of out_results (human labels on the row above)
COSTS_TABLE_ROW = RESULTS_TABLE_ROW + len(SCENARIOS) + 4
STAMP_ROW = COSTS_TABLE_ROW + len(SCENARIOS) + 3
STALE_ROW = STAMP_ROW + 3          # Results!B<row>: calc_stale
CHART_ROW = STAMP_ROW + 7
CASHFLOW_ROW = CHART_ROW + 20    # id row of out_cashflow, under the chart
META_LANGUAGE = c.LANGUAGE_NAME
SNAPSHOT_NAME_COLUMN, LIVE_COLUMN = "X", "Y"

TEXT = tx.WORKBOOK_TEXT


MACRO_MODULE = "aeroi.bas"     # in macros/ of the aeroi folder: imported once per workbook


def _xlwings():
    try:
        import xlwings
    except ImportError:
        raise CalculatorError('an .xlsm workbook carries xlwings\' VBA: install it with '
                              'python -m pip install "aeroi[excel]", or create an .xlsx and '
                              'calculate it with aeroi run') from None
    return xlwings


def xlwings_vba_version() -> str:
    """The xlwings version whose VBA a new .xlsm carries: the installed one. The add-in, the
    Python package and this VBA must be the same version (the VBA loads xlwings64-<version>.dll)."""
    return _xlwings().__version__


def macro_module_path() -> Path | None:
    """macros/aeroi.bas of the aeroi folder this package runs from, if it is there."""
    candidate = Path(__file__).resolve().parents[2] / "macros" / MACRO_MODULE
    return candidate if candidate.is_file() else None


def _vba_project_bin() -> bytes:
    """xlwings' own VBA project (with RunPython), taken from the standalone quickstart that
    Excel saved, of the installed xlwings: no tool here can author one (ms-ovba 0.0.1 garbles
    xlwings' 45 KB module and has no class modules, docs/excel.md). Our macros are imported
    from macros/aeroi.bas."""
    quickstart = Path(_xlwings().__file__).parent / "quickstart_standalone.xlsm"
    with zipfile.ZipFile(quickstart) as package:
        return package.read("xl/vbaProject.bin")



def _display_width(text: str) -> float:
    """Width of ``text`` in Excel's column units: a CJK character takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _absolute(sheet: str, row: int, col: int, rows: int = 1, cols: int = 1) -> str:
    """'=Sheet!$A$1:$B$2' for a 0-based top-left cell and a shape."""
    first = xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)
    ref = first
    if rows > 1 or cols > 1:
        ref += ":" + xl_rowcol_to_cell(row + rows - 1, col + cols - 1, row_abs=True, col_abs=True)
    return f"={quote_sheet(sheet)}!{ref}"


class _Builder:
    def __init__(self, path: Path, lang: str, values: Mapping[str, object],
                 skus: Sequence[Mapping[str, object]], rate_overrides: Mapping[str, object],
                 customise=None):
        self.path, self.lang = path, lang
        self.customise = customise
        self.t = TEXT[lang]
        self.values = dict(values)
        self.skus = list(skus)
        self.rates = load_rate_card()
        if rate_overrides:
            self.rates = self.rates.with_overrides(dict(rate_overrides))
        self.macro = path.suffix.lower() == ".xlsm"
        self.book = xlsxwriter.Workbook(str(path), {
            "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False})
        self.book.set_properties({"title": self.t["title"], "author": "aeroi",
                                  "comments": f"aeroi {__version__}, contract "
                                              f"{c.CONTRACT_VERSION}",
                                  "created": BUILD_STAMP})
        self.book.set_size(1600, 1000)
        self._widths: dict[tuple[str, int], list] = {}
        self._formats()

    # --- formats ------------------------------------------------------------------------------
    def _formats(self):
        add = self.book.add_format
        self.f_title = add({"bold": True, "font_size": 14})
        self.f_heading = add({"bold": True, "font_size": 11, "font_color": "#1F4E79"})
        self.f_header = add({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                             "valign": "top"})
        # the contract's column ids under the human labels: small and grey, kept for scripts
        self.f_id = add({"font_size": 8, "font_color": "#7F7F7F", "bg_color": "#F2F2F2",
                         "border": 1, "border_color": "#D9D9D9"})
        self.f_wrap = add({"text_wrap": True, "valign": "top"})
        self.f_note = add({"italic": True, "font_color": "#595959"})
        self.f_group = add({"bold": True, "font_color": "#1F4E79"})
        base_in = {"bg_color": "#FFF2CC", "font_color": "#1F3FBF", "border": 1,
                   "border_color": "#BFBFBF", "locked": False}
        self.f_input = {
            c.DATE: add({**base_in, "num_format": "yyyy-mm-dd"}),
            c.MONEY: add({**base_in, "num_format": "#,##0.00"}),
            c.FRACTION: add({**base_in, "num_format": "0.0%"}),
            c.NUMBER: add({**base_in, "num_format": "#,##0.##"}),
            c.COUNT: add({**base_in, "num_format": "0"}),
            "text": add(base_in),
            # LibreOffice shows a boolean cell in a General style as 1/0: say TRUE / FALSE
            c.BOOL: add({**base_in, "num_format": '"TRUE";"TRUE";"FALSE"'}),
        }
        base_out = {"bg_color": "#EDEDED", "border": 1, "border_color": "#D0D0D0"}
        self.f_out = add(base_out)
        self.f_out_money = add({**base_out, "num_format": "#,##0.00"})
        self.f_out_pct = add({**base_out, "num_format": "0.0%"})
        self.f_out_num = add({**base_out, "num_format": "#,##0.0"})
        self.f_out_int = add({**base_out, "num_format": "#,##0"})
        self.f_out_date = add({**base_out, "num_format": "yyyy-mm-dd"})
        self.f_out_time = add({**base_out, "num_format": "yyyy-mm-dd hh:mm"})
        self.f_out_bold = add({**base_out, "bold": True})
        # eligibility is TRUE, FALSE or the word "unknown": LibreOffice as installed shows a
        # boolean in a General style as 1/0, so the style says the words (text shows as typed)
        yes_no = '"是";"是";"否"' if self.lang == "zh" else '"TRUE";"TRUE";"FALSE"'
        self.f_out_bool = add({**base_out, "num_format": yes_no})
        self.f_out_wrap = add({**base_out, "text_wrap": True, "valign": "top"})
        self.f_cell_date = add({"num_format": "yyyy-mm-dd"})
        self.f_cell_money = add({"num_format": "#,##0.00"})

    def _block(self, name: str, sheet, row: int, col: int, header: Sequence[str], rows: int,
               formats: Sequence):
        """An output block named ``name``: the human labels on the row above, the contract's
        column ids on its first row (the name covers it) and empty cells styled column by
        column. Columns are widened to fit their labels."""
        self._labels(sheet, row - 1, col, header)
        for k, title in enumerate(header):
            sheet.write_string(row, col + k, title, self.f_id)
        for r in range(1, rows):
            for k, fmt in enumerate(formats):
                sheet.write_blank(row + r, col + k, None, fmt)
        self._name(name, sheet, row, col, rows, len(header))

    def _labels(self, sheet, row: int, col: int, columns: Sequence[str]):
        """The label row of a block or table: each id's words in the workbook's language."""
        labels = tx.column_labels(columns, self.lang)
        for k, label in enumerate(labels):
            sheet.write_string(row, col + k, label, self.f_header)
            self._fit(sheet, col + k, label)
        lines = max(math.ceil(_display_width(label) / max(self._width_of(sheet, col + k), 1))
                    for k, label in enumerate(labels))
        sheet.set_row(row, 15 * min(max(lines, 1), 3) + 2)

    # column widths: recorded, widened to fit labels, applied once when the sheet is done
    def _width(self, sheet, first: int, last: int, width: float, fmt=None):
        for col in range(first, last + 1):
            self._widths[(sheet.name, col)] = [width, fmt]

    def _width_of(self, sheet, col: int) -> float:
        return self._widths.get((sheet.name, col), [8.43])[0]

    def _fit(self, sheet, col: int, label: str):
        """Wide enough for the label on at most two lines (longer labels wrap, up to 24)."""
        entry = self._widths.setdefault((sheet.name, col), [8.43, None])
        needed = min(_display_width(label) / 2 + 2, 24)
        needed = max(needed, max((_display_width(w) for w in label.split()), default=0) + 2)
        entry[0] = max(entry[0], needed)

    def _apply_widths(self):
        for (name, col), (width, fmt) in sorted(self._widths.items()):
            self.book.get_worksheet_by_name(name).set_column(col, col, width, fmt)

    def _name(self, name: str, sheet, row: int, col: int, rows: int = 1, cols: int = 1):
        expected = (c.OUTPUTS.get(name) or c.OPTIONAL_OUTPUTS.get(name) or (None, None))[1]
        if expected is not None and expected != (rows, cols):
            raise AssertionError(f"{name}: contract shape {expected}, template {(rows, cols)}")
        self.book.define_name(name, _absolute(sheet.name, row, col, rows, cols))

    # --- sheets -------------------------------------------------------------------------------
    def build(self) -> Path:
        start = self.book.add_worksheet(c.START_SHEET)
        inputs = self.book.add_worksheet(c.INPUTS_SHEET)
        skus = self.book.add_worksheet(c.SKUS_SHEET)
        rates = self.book.add_worksheet(c.RATES_SHEET)
        results = self.book.add_worksheet(c.RESULTS_SHEET)
        calendar = self.book.add_worksheet(c.CALENDAR_SHEET)
        checks = self.book.add_worksheet(c.CHECKS_SHEET)
        sku_economics = self.book.add_worksheet(c.SKU_ECONOMICS_SHEET)
        risk = self.book.add_worksheet(c.RISK_SHEET)
        conf = self.book.add_worksheet(c.CONF_SHEET)
        self._start(start)
        self._inputs(inputs)
        sku_sums = self._skus(skus)
        rate_sum = self._rates(rates)
        self._results(results, sku_sums + [rate_sum])
        self._calendar(calendar)
        self._checks(checks)
        self._sku_economics(sku_economics)
        self._risk(risk)
        self._conf(conf)
        self._apply_widths()
        for sheet in (start, inputs, skus, rates, results, calendar, checks, sku_economics, risk,
                      conf):
            # printed (and rendered to PDF) one page wide, as finance staff print a sheet
            sheet.set_landscape()
            sheet.set_paper(9)                       # A4
            sheet.fit_to_pages(1, 0)
        conf.fit_to_pages(1, 1)
        conf.print_area(0, 0, 2, 1)
        results.print_area(0, 0, CASHFLOW_ROW + c.CASHFLOW_TEMPLATE_MONTHS, len(RESULT_COLUMNS))
        inputs.print_area(0, 0, c.INPUT_FIRST_ROW + len(c.INPUTS), 6)
        (inputs if self.values else start).activate()
        if self.customise is not None:
            self.customise(self.book, {sheet.name: sheet for sheet in self.book.worksheets()})
        if self.macro:
            self.book.set_vba_name("ThisWorkbook")
            self.book.add_vba_project(io.BytesIO(_vba_project_bin()), is_stream=True)
        self.book.close()
        return self.path

    def _start(self, sheet):
        sheet.set_column("A:A", 110, self.f_wrap)
        sheet.write_string(0, 0, self.t["title"], self.f_title)
        row = 2
        for k, line in enumerate(self.t["start"]):
            heading = k in (0, 3)      # "What this workbook does", "How to use it"
            if heading and k:
                row += 1
            line = line.format(stale_cell=f"B{STALE_ROW}")
            sheet.write_string(row, 0, line, self.f_heading if heading else self.f_wrap)
            # a wrapped cell does not grow its row in every program: give each paragraph the
            # height of its lines, so paragraphs neither overlap nor get cut off
            lines = math.ceil(_display_width(line) * 1.1 / 105)
            sheet.set_row(row, 15 * max(lines, 1) + 3)
            row += 1
        row += 1
        sheet.write_string(row, 0, self.t["version_line"].format(
            version=__version__, contract=c.CONTRACT_VERSION,
            fingerprint=self.rates.fingerprint()), self.f_note)
        if self.macro:
            sheet.insert_button(row + 2, 0, {"macro": "AeroiCalculate", "caption":
                                             self.t["button"], "width": 160, "height": 30})
        else:
            sheet.write_string(row + 2, 0, self.t["xlsx_hint"], self.f_note)

    def _inputs(self, sheet):
        t = self.t
        sheet.set_column("A:A", 46)
        sheet.set_column("B:B", 16)
        sheet.set_column("C:C", 16)
        sheet.set_column("D:D", 48)
        sheet.set_column("E:E", 44)
        sheet.set_column("F:F", 28)
        sheet.set_column("G:G", 16)
        sheet.write_string(0, 0, t["inputs_title"], self.f_title)
        sheet.write_string(1, 0, t["inputs_help"], self.f_note)
        header_row = c.INPUT_FIRST_ROW - 2
        for k, title in enumerate(t["inputs_header"]):
            sheet.write_string(header_row, k, title, self.f_header)
        sheet.freeze_panes(header_row + 1, 0)
        markets = sorted(self.rates.family("market."))
        categories = sorted(self.rates.family("commission."))
        last_group = None
        for offset, spec in enumerate(c.INPUTS):
            row = c.INPUT_FIRST_ROW - 1 + offset
            label = spec.label_zh if self.lang == "zh" else spec.label_en
            sheet.write_string(row, 0, label)
            sheet.write_string(row, 1, tx.unit_label(spec.unit, self.lang))
            why = tx.INPUT_ASSUMPTIONS.get(spec.name, {}).get(self.lang)
            sheet.write_string(row, 3, tx.source_title(spec.source, self.lang, why))
            choices = spec.choices
            if spec.name == "in_market":
                choices = tuple(markets)
            elif spec.name == "in_category":
                choices = tuple(categories)
            expected = tx.expected_text(spec, self.lang, choices)
            sheet.write_string(row, 4, ("" if spec.required else t["optional"]) + expected)
            sheet.write_string(row, 5, spec.name)
            if spec.group != last_group:
                sheet.write_string(row, 6, t["groups"][spec.group], self.f_group)
                last_group = spec.group
            fmt = self.f_input.get(spec.kind, self.f_input["text"])
            value = self.values.get(spec.name, spec.default)
            self._write_value(sheet, row, 2, value, fmt)
            self._validate_input(sheet, row, spec, choices, expected)
            self.book.define_name(spec.name, _absolute(c.INPUTS_SHEET, row, 2))

    def _write_value(self, sheet, row, col, value, fmt):
        if value is None:
            sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, fmt)
        elif isinstance(value, (dt.date, dt.datetime)):
            if not isinstance(value, dt.datetime):
                value = dt.datetime(value.year, value.month, value.day)
            sheet.write_datetime(row, col, value, fmt)
        elif isinstance(value, (int, float)):
            sheet.write_number(row, col, value, fmt)
        else:
            sheet.write_string(row, col, str(value), fmt)

    def _validate_input(self, sheet, row, spec: c.InputSpec, choices, expected: str):
        # the input's label, not its defined name, in the workbook's language (the name is
        # in column F): a Chinese workbook showed "in_eval_date" over every tooltip
        label = spec.label_zh if self.lang == "zh" else spec.label_en
        rule: dict = {"input_title": label[:32], "input_message": expected[:255],
                      "error_title": self.t["validation_title"][:32], "ignore_blank": True,
                      "error_message": self.t["validation_expected"].format(
                          label=label, expected=expected)[:255]}
        if spec.kind == c.DATE:
            rule.update(validate="date", criteria="between",
                        minimum=dt.datetime(1900, 1, 1), maximum=dt.datetime(2100, 12, 31))
        elif spec.kind == c.CHOICE:
            # a market or category added to the Rates table must still be accepted
            extensible = spec.name in ("in_market", "in_category")
            rule.update(validate="list", source=list(choices),
                        error_type="warning" if extensible else "stop")
            if extensible:
                rule["error_message"] = self.t["validation_extensible"].format(label=label)
        elif spec.kind == c.BOOL:
            rule.update(validate="list", source=["TRUE", "FALSE"])
        elif spec.kind in (c.MONEY, c.NUMBER, c.FRACTION, c.COUNT):
            low = spec.minimum if spec.minimum is not None else -1e12
            high = spec.maximum if spec.maximum is not None else 1e12
            rule.update(validate="integer" if spec.kind == c.COUNT else "decimal",
                        criteria="between", minimum=low, maximum=high)
        else:
            return
        sheet.data_validation(row, 2, row, 2, rule)

    def _skus(self, sheet) -> list[float]:
        columns = c.SKU_COLUMNS
        sheet.write_string(0, 0, self.t["skus_title"], self.f_heading)
        widths = {"sku": 18, "category": 14, "weight_g": 11, "price_usd": 11,
                  "orders_per_month": 17, "aplus": 8, "unit_cost": 11, "unit_cost_currency": 19}
        formats = {"weight_g": None, "price_usd": self.f_cell_money, "unit_cost": self.f_cell_money}
        for k, name in enumerate(columns):
            self._width(sheet, k, k, widths[name], formats.get(name))
        first = 2                                        # header on row 3
        self._labels(sheet, first - 1, 0, columns)
        data = [[row.get(name) for name in columns] for row in self.skus] or [[None] * len(columns)]
        last = first + len(data)
        sheet.add_table(first, 0, last, len(columns) - 1, {
            "name": c.SKU_TABLE, "style": "Table Style Light 9",
            "columns": [{"header": name, "header_format": self.f_id} for name in columns]})
        for r, row in enumerate(data):
            for k, value in enumerate(row):
                if value is not None:
                    self._write_value(sheet, first + 1 + r, k, value, formats.get(columns[k]))
        end = max(last, first + VALIDATED_ROWS)
        col = {name: k for k, name in enumerate(columns)}
        categories = sorted(self.rates.family("commission."))
        sheet.data_validation(first + 1, col["category"], end, col["category"], {
            "validate": "list", "source": categories, "error_type": "warning",
            "error_message": self.t["sku_category_error"]})
        for name, minimum in (("weight_g", 0.000001), ("price_usd", 0), ("orders_per_month", 0),
                              ("unit_cost", 0)):
            sheet.data_validation(first + 1, col[name], end, col[name], {
                "validate": "decimal", "criteria": ">=", "value": minimum,
                "error_message": self.t["sku_number_error"].format(
                    name=name, bound=self.t["sku_bounds"][minimum > 0])})
        sheet.data_validation(first + 1, col["aplus"], end, col["aplus"], {
            "validate": "list", "source": ["TRUE", "FALSE"]})
        sheet.data_validation(first + 1, col["unit_cost_currency"], end,
                              col["unit_cost_currency"], {"validate": "list",
                                                          "source": ["USD", "CNY"]})
        sheet.freeze_panes(first + 1, 0)

        def numbers(name):
            return [v for v in (row.get(name) for row in self.skus)
                    if isinstance(v, (int, float)) and not isinstance(v, bool)]
        count = sum(1 for row in self.skus if row.get("sku") not in (None, ""))
        return [float(count)] + [math.fsum(numbers(n))
                                 for n in ("weight_g", "price_usd", "orders_per_month")]

    def _rates(self, sheet) -> float:
        sheet.write_string(0, 0, self.t["rates_title"], self.f_heading)
        widths = (40, 12, 12, 30, 14, 70)
        for k, width in enumerate(widths):
            self._width(sheet, k, k, width)
        first = 2
        self._labels(sheet, first - 1, 0, c.RATE_COLUMNS)
        keys = list(self.rates)
        sheet.add_table(first, 0, first + len(keys), len(c.RATE_COLUMNS) - 1, {
            "name": c.RATES_TABLE, "style": "Table Style Light 9",
            "columns": [{"header": name, "header_format": self.f_id}
                        for name in c.RATE_COLUMNS]})
        total = []
        for r, key in enumerate(keys):
            rate = self.rates[key]
            row = first + 1 + r
            sheet.write_string(row, 0, key)
            if isinstance(rate.value, str):
                sheet.write_string(row, 1, rate.value, self.f_input["text"])
            else:
                fmt = self.f_input[c.FRACTION] if rate.unit == "fraction" else \
                    self.f_input[c.NUMBER]
                sheet.write_number(row, 1, rate.value, fmt)
                total.append(rate.value)
            sheet.write_string(row, 2, tx.unit_label(rate.unit, self.lang))
            sheet.write_string(row, 3, tx.source_title(rate.source, self.lang))
            sheet.write_datetime(row, 4, dt.datetime.combine(rate.effective_from, dt.time()),
                                 self.f_cell_date)
            sheet.write_string(row, 5, tx.rate_note(key, rate.note, self.lang))
        sheet.freeze_panes(first + 1, 1)
        return math.fsum(total)

    def _results(self, sheet, live_sums: list[float]):
        t = self.t
        self._width(sheet, 0, 0, 24)
        self._width(sheet, 1, 1, 17)
        self._width(sheet, 2, 2, 62)
        self._width(sheet, 3, len(RESULT_COLUMNS) - 1, 14)
        self._width(sheet, 23, 23, 26)
        self._width(sheet, 24, 25, 18)
        sheet.write_string(0, 0, t["results_title"], self.f_title)
        status_row = RESULTS_STATUS_ROW - 1
        sheet.write_string(status_row, 0, t["status"], self.f_group)
        sheet.write_blank(status_row, 1, None, self.f_out_bold)
        self._name("out_status", sheet, status_row, 1)
        sheet.write_string(status_row + 1, 0, t["recommended"], self.f_group)
        sheet.write_blank(status_row + 1, 1, None, self.f_out_bold)
        self._name("out_recommendation", sheet, status_row + 1, 1)
        sheet.write_string(status_row + 2, 0, t["recommendation"], self.f_group)
        sheet.write_blank(status_row + 2, 1, None, self.f_out)
        self._name("out_recommendation_text", sheet, status_row + 2, 1)
        if self.macro:
            sheet.insert_button(status_row, 4, {"macro": "AeroiCalculate",
                                                "caption": t["button"], "width": 160,
                                                "height": 30})

        # scenario table
        row = RESULTS_TABLE_ROW - 1
        money = self.f_out_money
        result_formats = {"scenario": self.f_out_bold, "eligible": self.f_out_bool,
                          "reason": self.f_out, "monthly_gmv": money,
                          "incremental_gmv": money, "orders_per_month": self.f_out_int,
                          "freight_per_order": money, "contribution_per_order": money,
                          "monthly_contribution": money, "outlays": money, "benefits": money,
                          "net_gain": money, "roi": self.f_out_pct,
                          "payback_month": self.f_out_int,
                          "breakeven_lift": self.f_out_pct}
        sheet.write_string(row - 2, 0, t["scenarios"], self.f_heading)
        self._block("out_results", sheet, row, 0, RESULT_COLUMNS, 1 + len(SCENARIOS),
                    [result_formats.get(k, self.f_out) for k in RESULT_COLUMNS])
        self._block("out_verdicts", sheet, row, len(RESULT_COLUMNS), c.VERDICT_COLUMNS,
                    1 + len(SCENARIOS), [self.f_out_bold])

        row = COSTS_TABLE_ROW - 1
        sheet.write_string(row - 2, 0, t["costs"], self.f_heading)
        self._block("out_costs", sheet, row, 0, c.COSTS_HEADER, 1 + len(SCENARIOS),
                    [self.f_out_bold] + [money] * (len(c.COSTS_HEADER) - 1))

        # the cash flow: one row per month of the horizon (the block follows the horizon)
        row = CASHFLOW_ROW - 1
        sheet.write_string(row - 2, 0, t["cashflow"], self.f_heading)
        self._block("out_cashflow", sheet, row, 0, c.CASHFLOW_COLUMNS,
                    1 + c.CASHFLOW_TEMPLATE_MONTHS,
                    [self.f_out_int] + [money] * (len(c.CASHFLOW_COLUMNS) - 1))

        # the stamp and the freshness flag
        row = STAMP_ROW - 1
        for k, (key, name, fmt) in enumerate((
                ("calculated_at", "out_calculated_at", self.f_out_time),
                ("version", "out_calculator_version", self.f_out),
                ("fingerprint", "out_rate_card_fingerprint", self.f_out))):
            sheet.write_string(row + k, 0, t[key], self.f_group)
            sheet.write_blank(row + k, 1, None, fmt)
            self._name(name, sheet, row + k, 1)
        stale_row = STALE_ROW - 1
        assert stale_row == row + 3
        sheet.write_string(stale_row, 0, t["freshness"], self.f_group)
        sheet.write_formula(stale_row, 1, self._stale_formula(), self.f_out_bold,
                            t["stale_words"][0])
        self.book.define_name(c.STALE_NAME, _absolute(c.RESULTS_SHEET, stale_row, 1))
        sheet.conditional_format(stale_row, 1, stale_row, 1, {
            "type": "cell", "criteria": "==", "value": f'"{t["stale_words"][1]}"',
            "format": self.book.add_format({"bg_color": "#F8CBAD", "font_color": "#9C0006"})})

        # snapshot: the inputs the results were computed from, beside the live values
        header_row = c.INPUT_FIRST_ROW - 2
        for k, title in enumerate(t["snapshot_header"]):
            sheet.write_string(header_row, 23 + k, title, self.f_header)
        snapshot_col = 25
        for offset, spec in enumerate(c.INPUTS):
            r = c.INPUT_FIRST_ROW - 1 + offset
            sheet.write_string(r, 23, spec.name)
            live = f"{quote_sheet(c.INPUTS_SHEET)}!{c.INPUT_VALUE_COLUMN}{r + 1}"
            sheet.write_formula(r, 24, f'=IF(ISBLANK({live}),"",{live})',
                                self.f_cell_date if spec.kind == c.DATE else None,
                                self._live_cached(spec))
            sheet.write_blank(r, snapshot_col, None,
                              self.f_out_date if spec.kind == c.DATE else self.f_out)
        self._name("out_input_snapshot", sheet, c.INPUT_FIRST_ROW - 1, snapshot_col,
                   len(c.INPUTS), 1)
        table_row = c.INPUT_FIRST_ROW - 1 + len(c.INPUTS)
        live_formulas = (f"=COUNTA({c.SKU_TABLE}[sku])", f"=SUM({c.SKU_TABLE}[weight_g])",
                         f"=SUM({c.SKU_TABLE}[price_usd])",
                         f"=SUM({c.SKU_TABLE}[orders_per_month])",
                         f"=SUM({c.RATES_TABLE}[value])")
        for k, (label, formula) in enumerate(zip(c.SNAPSHOT_EXTRA, live_formulas)):
            sheet.write_string(table_row + k, 23, label)
            sheet.write_formula(table_row + k, 24, formula, None, live_sums[k])
            sheet.write_blank(table_row + k, snapshot_col, None, self.f_out)
        self._name("out_table_snapshot", sheet, table_row, snapshot_col, len(c.SNAPSHOT_EXTRA), 1)
        self.book.define_name(c.LIVE_TABLE_NAME, _absolute(c.RESULTS_SHEET, table_row, 24,
                                                           len(c.SNAPSHOT_EXTRA), 1))
        meta_row = table_row + len(c.SNAPSHOT_EXTRA) + 1
        sheet.write_string(meta_row, 23, META_LANGUAGE)
        sheet.write_string(meta_row, 24, self.lang)
        self.book.define_name(META_LANGUAGE, _absolute(c.RESULTS_SHEET, meta_row, 24))

        # chart labels: each programme's name, marked when the store is not eligible (a
        # formula over the written eligibility, so it follows every run); cached: the name
        first_data = RESULTS_TABLE_ROW       # 0-based row of the first scenario
        last_data = first_data + len(SCENARIOS) - 1
        label_col = c.CHART_LABEL_OFFSET     # V, beside the print area (out_results is at A)
        self._width(sheet, label_col, label_col, 30)
        sheet.write_string(first_data - 1, label_col, t["chart_categories"], self.f_header)
        eligible_col = xl_rowcol_to_cell(0, RESULT_COLUMNS.index("eligible"))[:-1]
        for r, scenario in enumerate(SCENARIOS):
            name = tx.scenario_label(scenario, self.lang)
            flag = f"${eligible_col}${first_data + r + 1}"
            sheet.write_formula(first_data + r, label_col,
                                f'=IF({flag}=FALSE,"{name}{t["not_eligible_mark"]}","{name}")',
                                None, name)
        chart = self.book.add_chart({"type": "column"})
        for column_name, colour in (("net_gain", "#2E75B6"), ("outlays", "#C55A11")):
            k = RESULT_COLUMNS.index(column_name)
            chart.add_series({
                "name": [c.RESULTS_SHEET, first_data - 2, k],
                "categories": [c.RESULTS_SHEET, first_data, label_col, last_data, label_col],
                "values": [c.RESULTS_SHEET, first_data, k, last_data, k],
                "fill": {"color": colour}})
        chart.set_title({"name": t["chart_title"], "name_font": {"size": 11}})
        chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 760, "height": 320})
        sheet.write_string(CHART_ROW - 2, 0, t["chart_note"], self.f_note)
        sheet.insert_chart(CHART_ROW - 1, 0, chart)
        sheet.freeze_panes(1, 1)

    def _live_cached(self, spec: c.InputSpec):
        value = self.values.get(spec.name, spec.default)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, (dt.date, dt.datetime)):
            return int(to_serial(value))
        return value

    def _stale_formula(self) -> str:
        """NOT CALCULATED before the first run; STALE when an input cell or a table sum differs
        from what the last run used; CURRENT otherwise. Sums compare with a relative tolerance
        because Excel and Python may add in a different order."""
        first, last = c.INPUT_FIRST_ROW, c.INPUT_FIRST_ROW - 1 + len(c.INPUTS)
        inputs = f"{c.INPUTS_SHEET}!$C${first}:$C${last}"
        snapshot = f"$Z${first}:$Z${last}"
        t_first, t_last = last + 1, last + len(c.SNAPSHOT_EXTRA)
        live, used = f"$Y${t_first}:$Y${t_last}", f"$Z${t_first}:$Z${t_last}"
        never, stale, current = self.t["stale_words"]
        return (f'=IF(ISBLANK(out_calculated_at),"{never}",'
                f'IF(SUMPRODUCT(--({inputs}&""<>{snapshot}&""))'
                f'+SUMPRODUCT(--(ABS({live}-{used})>0.000001*(1+ABS({used}))))>0,'
                f'"{stale}","{current}"))')

    def _calendar(self, sheet):
        t = self.t
        self._width(sheet, 0, 0, 22)
        self._width(sheet, 1, 2, 16)
        self._width(sheet, 3, 5, 18)
        sheet.write_string(0, 0, t["calendar_title"], self.f_title)
        for k, (key, _phase, _rate) in enumerate(PHASES):
            sheet.write_string(2 + k, 0, t["deadline"][key], self.f_group)
            sheet.write_blank(2 + k, 1, None, self.f_out_date)
            self._name(f"out_deadline_{key}", sheet, 2 + k, 1)
        row = 3 + len(PHASES)
        formats = [self.f_out_bold, self.f_out, self.f_out_int, self.f_out_date, self.f_out_time,
                   self.f_out_time]
        self._block("out_calendar", sheet, row, 0, c.CALENDAR_COLUMNS, 1 + len(PHASES), formats)

    def _checks(self, sheet):
        t = self.t
        self._width(sheet, 0, 0, 24)
        self._width(sheet, 1, 1, 10)
        self._width(sheet, 2, 2, 80)
        self._width(sheet, 3, 3, 30)
        sheet.write_string(0, 0, t["checks_title"], self.f_title)
        sheet.write_string(2, 0, t["eligibility"], self.f_heading)
        self._block("out_eligibility", sheet, 4, 0, c.ELIGIBILITY_COLUMNS, 1 + len(SCENARIOS),
                    [self.f_out_bold, self.f_out_bool, self.f_out_wrap])
        row = 4 + len(SCENARIOS) + 4
        sheet.write_string(row - 2, 0, t["readiness"], self.f_heading)
        self._block("out_checks", sheet, row, 0, c.CHECK_COLUMNS, 1 + c.CHECK_ROWS,
                    [self.f_out_bold, self.f_out, self.f_out_wrap, self.f_out])
        # Only the readiness block's own status cells: a rule comparing with text that also
        # covered the eligibility block's TRUE/FALSE cells made LibreOffice (default settings)
        # abort exporting the sheet.
        for status, colour in (("fail", "#F8CBAD"), ("warn", "#FFE699"), ("pass", "#C6EFCE")):
            fmt = self.book.add_format({"bg_color": colour})
            sheet.conditional_format(row + 1, 1, row + c.CHECK_ROWS, 1, {
                "type": "cell", "criteria": "==", "value": f'"{status}"', "format": fmt})

    def _sku_economics(self, sheet):
        t = self.t
        sheet.write_string(0, 0, t["sku_title"], self.f_title)
        labels = t["sku_summary"]
        sheet.write_string(1, 0, labels[0], self.f_group)
        sheet.write_string(2, 0, labels[1], self.f_group)
        sheet.write_blank(1, 1, None, self.f_out_pct)
        sheet.write_blank(2, 1, None, self.f_out_int)
        self._name("out_sku_summary", sheet, 1, 1, 2, 1)
        self._width(sheet, 0, 0, 22)
        self._width(sheet, 1, len(SKU_ECONOMICS_COLUMNS) - 2, 13)
        self._width(sheet, len(SKU_ECONOMICS_COLUMNS) - 1, len(SKU_ECONOMICS_COLUMNS) - 1, 40)
        money = self.f_out_money
        formats = {"sku": self.f_out_bold, "plan": self.f_out, "margin": self.f_out_pct,
                   "note": self.f_out_wrap}
        self._block("out_sku_economics", sheet, 5, 0, SKU_ECONOMICS_COLUMNS, 2,
                    [formats.get(k, money) for k in SKU_ECONOMICS_COLUMNS])
        col = len(SKU_ECONOMICS_COLUMNS) + 1
        self._width(sheet, col, col + len(PROGRAMME_COLUMNS) - 1, 16)
        sheet.write_string(3, col, t["sku_programme"], self.f_heading)
        self._block("out_sku_programme", sheet, 5, col, PROGRAMME_COLUMNS, 1 + len(SCENARIOS),
                    [self.f_out_bold, self.f_out, self.f_out_pct, self.f_out_pct])
        sheet.freeze_panes(6, 1)

    def _risk(self, sheet):
        t = self.t
        self._width(sheet, 0, 0, 38)
        self._width(sheet, 1, 8, 14)
        sheet.write_string(0, 0, t["risk_title"], self.f_title)
        sheet.write_string(2, 0, t["risk_inputs"], self.f_heading)
        number, fraction = self.f_input[c.COUNT], self.f_input[c.FRACTION]
        sheet.write_string(3, 0, t["risk_seed"])
        self._write_value(sheet, 3, 1, self.values.get("in_risk_seed"), number)
        self.book.define_name("in_risk_seed", _absolute(c.RISK_SHEET, 3, 1))
        sheet.write_string(4, 0, t["risk_draws"])
        self._write_value(sheet, 4, 1, self.values.get("in_risk_draws"), number)
        self.book.define_name("in_risk_draws", _absolute(c.RISK_SHEET, 4, 1))
        for k, title in enumerate(t["risk_ranges_header"]):
            sheet.write_string(6, k, title, self.f_header)
        ranges = self.values.get("in_risk_ranges") or []
        for r, scenario in enumerate(SCENARIOS):
            sheet.write_string(7 + r, 0, tx.scenario_label(scenario, self.lang))
            line = ranges[r] if r < len(ranges) else []
            for k in range(len(c.RISK_RANGE_COLUMNS)):
                value = line[k] if k < len(line) else None
                fmt = fraction if scenario != "super_hot" or k == 3 else self.f_input[c.MONEY]
                self._write_value(sheet, 7 + r, 1 + k, value, fmt)
        self.book.define_name("in_risk_ranges", _absolute(c.RISK_SHEET, 7, 1, len(SCENARIOS),
                                                          len(c.RISK_RANGE_COLUMNS)))
        row = 8 + len(SCENARIOS)
        for k, (label, name, fmt) in enumerate((
                (t["risk_cogs"][0], "in_risk_cogs_low", fraction),
                (t["risk_cogs"][1], "in_risk_cogs_high", fraction),
                (t["risk_aov"][0], "in_risk_aov_low", self.f_input[c.MONEY]),
                (t["risk_aov"][1], "in_risk_aov_high", self.f_input[c.MONEY]))):
            sheet.write_string(row + k, 0, label)
            self._write_value(sheet, row + k, 1, self.values.get(name), fmt)
            self.book.define_name(name, _absolute(c.RISK_SHEET, row + k, 1))
        sheet.data_validation(3, 1, 3, 1, {"validate": "integer", "criteria": "between",
                                           "minimum": 0, "maximum": 2**31 - 1})
        sheet.data_validation(4, 1, 4, 1, {"validate": "integer", "criteria": "between",
                                           "minimum": 1, "maximum": 1_000_000})
        sheet.data_validation(7, 4, 6 + len(SCENARIOS), 4, {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1})

        row = row + 7
        sheet.write_string(row - 2, 0, t["risk_results"], self.f_heading)
        money, pct = self.f_out_money, self.f_out_pct
        self._block("out_risk", sheet, row, 0, c.RISK_COLUMNS, 1 + len(SCENARIOS),
                    [self.f_out_bold, money, money, money, pct, pct, pct, pct])
        row += len(SCENARIOS) + 2
        sheet.write_string(row, 0, t["risk_scenario"], self.f_group)
        sheet.write_blank(row, 1, None, self.f_out_bold)
        self._name("out_risk_scenario", sheet, row, 1)
        row += 3
        sheet.write_string(row - 2, 0, t["sensitivity"], self.f_heading)
        self._block("out_sensitivity", sheet, row, 0, c.SENSITIVITY_COLUMNS,
                    1 + c.SENSITIVITY_ROWS, [self.f_out_bold] + [money] * 5)
        sensitivity_row = row
        row += c.SENSITIVITY_ROWS + 4
        sheet.write_string(row - 2, 0, t["histogram"], self.f_heading)
        self._block("out_risk_histogram", sheet, row, 0, c.HISTOGRAM_COLUMNS,
                    1 + c.HISTOGRAM_BINS, [money, money, pct])

        histogram = self.book.add_chart({"type": "column"})
        histogram.add_series({
            "name": t["histogram_chart"],
            "categories": [c.RISK_SHEET, row + 1, 0, row + c.HISTOGRAM_BINS, 0],
            "values": [c.RISK_SHEET, row + 1, 2, row + c.HISTOGRAM_BINS, 2],
            "gap": 10, "fill": {"color": "#2E75B6"}})
        histogram.set_title({"name": t["histogram_chart"], "name_font": {"size": 11}})
        histogram.set_x_axis({"num_format": "#,##0", "num_font": {"rotation": -45}})
        histogram.set_y_axis({"num_format": "0%"})
        histogram.set_legend({"none": True})
        histogram.set_size({"width": 640, "height": 300})
        sheet.insert_chart(row + 1, 4, histogram)

        tornado = self.book.add_chart({"type": "bar"})
        for k, colour in ((3, "#C55A11"), (4, "#2E75B6")):
            tornado.add_series({
                "name": [c.RISK_SHEET, sensitivity_row - 1, k],
                "categories": [c.RISK_SHEET, sensitivity_row + 1, 0,
                               sensitivity_row + c.SENSITIVITY_ROWS, 0],
                "values": [c.RISK_SHEET, sensitivity_row + 1, k,
                           sensitivity_row + c.SENSITIVITY_ROWS, k],
                "fill": {"color": colour}, "overlap": 100, "gap": 40})
        tornado.set_title({"name": t["tornado_chart"], "name_font": {"size": 11}})
        tornado.set_y_axis({"reverse": True, "label_position": "low"})
        tornado.set_x_axis({"num_format": "#,##0"})
        tornado.set_legend({"position": "bottom"})
        tornado.set_size({"width": 640, "height": 11 * 20})   # ends above the histogram
        sheet.insert_chart(sensitivity_row, 7, tornado)

    def _conf(self, sheet):
        # xlwings reads the settings from A1 down while rows are filled: the note stands below
        # an empty row, and the sheet prints on one page
        self._width(sheet, 0, 0, 16)
        self._width(sheet, 1, 1, 60)
        sheet.write_string(0, 0, "UDF Modules")
        sheet.write_string(0, 1, "calculator.excel.udfs")
        note = self.book.add_format({"italic": True, "font_color": "#595959", "text_wrap": True,
                                     "valign": "top"})
        sheet.merge_range(2, 0, 2, 1, self.t["conf_note"], note)
        sheet.set_row(2, 32)


def build_template(path: str | os.PathLike, lang: str = "en", values: Mapping | None = None,
                   skus: Sequence[Mapping] | None = None,
                   rate_overrides: Mapping | None = None, customise=None) -> Path:
    """Write a store workbook (``.xlsx``, or ``.xlsm`` with xlwings' VBA and a Calculate
    button). ``values`` fills input names (``in_*``), ``skus`` the SKUs table (dicts keyed by
    column), ``rate_overrides`` changes rows of the Rates table, ``customise(workbook, sheets)``
    may add things of a user's own (the tests' corpus does). Written to a temporary file
    and moved into place, so a failure leaves nothing half-written."""
    path = Path(path)
    if lang not in LANGUAGES:
        raise CalculatorError(f"unknown language {lang!r}: expected one of "
                              f"{', '.join(LANGUAGES)}")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise CalculatorError(f"{path}: a store workbook must end in .xlsx or .xlsm")
    unknown = [name for name in (values or {}) if name not in c.INPUT_BY_NAME
               and name not in c.RISK_INPUT_NAMES]
    if unknown:
        raise CalculatorError(f"unknown input name(s): {', '.join(unknown)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_replace(path, mode=0o644) as temp:
        _Builder(temp, lang, values or {}, skus or (), rate_overrides or {}, customise).build()
    return path


TEMPLATE_FILES = tuple(f"aeroi-template-{lang}.{ext}" for lang in LANGUAGES
                       for ext in ("xlsx", "xlsm"))


def build_all(folder: str | os.PathLike) -> list[Path]:
    folder = Path(folder)
    return [build_template(folder / name, name.split("-")[2].split(".")[0])
            for name in TEMPLATE_FILES]


if __name__ == "__main__":
    for written in build_all(sys.argv[1] if len(sys.argv) > 1 else "workbooks/templates"):
        print(written)
