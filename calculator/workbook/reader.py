"""Read a store workbook's inputs, SKUs and Rates into model inputs, collecting every error.

Each problem becomes a CalculatorError carrying file, sheet, cell, name, what was expected and
what was found ("Inputs!C7 in_parcel_weight_g: expected a weight in grams > 0, found 'heavy'").
All of them are reported together, so a user fixes a workbook in one pass.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from dataclasses import dataclass, field

import numpy as np

from calculator.errors import (BadValue, CalculatorError, InputError, Kind, WorkbookError,
                               shown)
from calculator.model import texts as tx
from calculator.model.eligibility import Check
from calculator.model.inputs import SANITY_LIMIT, TYPING_MISTAKE, SkuTable, StoreInputs
from calculator.model.ratecard import RateCard, load_rate_card
from calculator.model.texts import message
from calculator.workbook import contract as c
from calculator.workbook.cellref import column_letter, column_number
from calculator.workbook.dates import from_serial
from calculator.workbook.io import Uncalculated, WorkbookIO

_TRUE = {"true", "yes", "y", "1", "是", "真"}
_FALSE = {"false", "no", "n", "0", "否", "假"}
EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!"}
_DATE_TEXT = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?")
#: a percentage typed as text: 45% or 45％ (the full-width sign of a Chinese keyboard)
_PERCENT = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*[%\uff05]\s*$")


@dataclass
class ReadResult:
    inputs: StoreInputs | None
    rates: RateCard | None
    raw_inputs: list[object]                  # the input cells as read, for the STALE snapshot
    table_sums: list[float]                   # SNAPSHOT_EXTRA, as the live formulas compute them
    errors: list[CalculatorError] = field(default_factory=list)
    risk: object | None = None                # RiskInputs when the workbook has a Risk sheet
    language: str = "en"                      # the workbook's language (name meta_language)
    notes: list[Check] = field(default_factory=list)   # checks about the workbook itself


@dataclass(frozen=True)
class PendingNote:
    """A check about the workbook itself, worded once its language is known (the reader
    finds it before it reads the language cell): its message key and parameters."""
    check: str
    key: str
    params: dict
    source: str = "your data"

    def worded(self, lang: str) -> Check:
        return Check(self.check, "warn", message(self.key, lang, **self.params), self.source)


def _rows_text(rows: list[int]) -> str:
    return ", ".join(str(r) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")


#: What an input holding a formula without a saved value is called in a message.
UNCALCULATED = ("a formula ({formula}) with no saved value: open and save the workbook in Excel "
                "or LibreOffice, or type the number")


#: What a blank cell and a formula without a saved value are called in a message, by language.
_SHOWN_WORDS = {
    "en": ("a blank cell", UNCALCULATED),
    "zh": ("空白单元格", "没有保存结果的公式({formula}):请在 Excel 或 LibreOffice 中打开并保存"
                      "工作簿,或直接输入数字"),
}


def _shown(value, lang: str = "en") -> str:
    blank, uncalculated = _SHOWN_WORDS[lang]
    if value is None:
        return blank
    if isinstance(value, Uncalculated):
        return uncalculated.format(formula=value)
    if isinstance(value, str):
        return repr(value) if not value.startswith("#") else value
    return shown(value)


def to_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise BadValue(value)
    if isinstance(value, (int, float)):
        # 1 = 1900-01-01; dates before 1900 cannot be Excel dates; 2958465 = 9999-12-31
        if not math.isfinite(value) or value < 1 or value > 2958465:
            raise BadValue(value)
        return from_serial(math.floor(value)).date()
    if isinstance(value, str):
        # the whole text must be a date (2026-12-01, optionally at midnight): '2026-12-019'
        # is a typing mistake, not the first of December
        match = _DATE_TEXT.fullmatch(value.strip())
        try:
            if match is None:
                raise ValueError(value)
            return dt.date.fromisoformat(match.group(1))
        except ValueError:
            raise BadValue(value) from None
    raise BadValue(value)


def to_number(value) -> float:
    if isinstance(value, bool) or value is None:
        raise BadValue(value)
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        if "_" in value:            # Python reads 1_200 as 1200; a spreadsheet does not
            raise BadValue(value)
        try:
            number = float(value.strip().replace("\u00a0", "").replace(" ", ""))
        except ValueError:
            raise BadValue(value) from None
    else:
        raise BadValue(value)
    if not math.isfinite(number):
        raise BadValue(value)
    return number


def to_fraction(value) -> float:
    """A percentage cell: 0.4 (shown 40%) or the text '40%'. A bare 40 is refused, not guessed:
    it may mean 40% or 4000%, and a wrong guess would move every figure silently."""
    if isinstance(value, str):
        match = _PERCENT.match(value)
        if match:
            return float(match.group(1)) / 100.0
    return to_number(value)


def to_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise BadValue(value)


def convert(spec: c.InputSpec, value, choices: tuple[str, ...]) -> object:
    """The typed value of an input cell, or BadValue. None stays None (checked by the caller);
    a formula without a saved value is a BadValue, never a blank (optional inputs too)."""
    if isinstance(value, Uncalculated):
        raise BadValue(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        raise BadValue(value)
    kind = spec.kind
    if kind == c.DATE:
        return to_date(value)
    if kind == c.BOOL:
        return to_bool(value)
    if kind == c.CHOICE:
        if not isinstance(value, str):
            raise BadValue(value)
        text = value.strip()
        text = text.upper() if spec.name == "in_market" else text.lower()
        if text not in choices:
            raise BadValue(value)
        return text
    number = to_fraction(value) if kind == c.FRACTION else to_number(value)
    if kind == c.COUNT and not float(number).is_integer():
        raise BadValue(value)
    if abs(number) > SANITY_LIMIT:
        raise BadValue(number)
    if spec.minimum is not None and number < spec.minimum:
        raise BadValue(value)
    if spec.maximum is not None and number > spec.maximum:
        raise BadValue(value)
    if spec.positive and number <= 0:
        raise BadValue(value)
    return number


_TEXT_NUMBER = re.compile(r"^\s*[$¥€]?\s*([-+]?\d{1,3}(?:[,\u00a0 ]\d{3})+(?:\.\d+)?|[-+]?\d+,\d{1,2})"
                          r"\s*(?:USD|CNY)?\s*$")


def text_number_hint(value, lang: str = "en") -> str:
    """For text that looks like a number ('1,200', '$1,200', '12,5'): say that it is text and
    what to type instead; "" otherwise."""
    if not isinstance(value, str):
        return ""
    match = _TEXT_NUMBER.match(value)
    if not match:
        return ""
    digits = match.group(1)
    if re.fullmatch(r"[-+]?\d+,\d{1,2}", digits):          # a decimal comma: 12,5
        typed = digits.replace(",", ".")
    else:
        typed = re.sub(r"[,\u00a0 ]", "", digits)
    return _HINTS[lang]["text"].format(text=repr(value.strip()), typed=typed)


#: The hints of :func:`_hint`, in the workbook's languages.
_HINTS = {
    "en": {"text": " ({text} is text; type {typed})",
           # Excel turns "1/12" or "12-1" typed into a General cell into a date
           "date": " (a date: Excel turned what was typed into one; format the cell as a "
                   "number and type it again)",
           "percent": " (type {value}% or {fraction}, not {value})", "hundred": " (100%)",
           "huge": TYPING_MISTAKE},
    "zh": {"text": "({text} 是文本;请输入 {typed})",
           "date": "(这是日期:Excel 把输入内容转成了日期;请把单元格设为数字格式后重新输入)",
           "percent": "(请输入 {value}% 或 {fraction},而不是 {value})", "hundred": "(即 100%)",
           "huge": "(超过 1,000,000,000,000:是否输入有误?)"},
}


def _hint(spec: c.InputSpec, value, lang: str = "en") -> str:
    """A short guess at what went wrong: a percentage typed as 40, a number too large, a
    date Excel made of what was typed, or a number typed as text ('1,200')."""
    words = _HINTS[lang]
    if isinstance(value, str):
        return text_number_hint(value, lang)
    if isinstance(value, (dt.date, dt.datetime)) and spec.kind not in (c.DATE, c.CHOICE):
        return words["date"]
    if _fraction_typed_as_percent(spec, value):
        return words["percent"].format(value=f"{value:g}", fraction=f"{value / 100:g}")
    if _hundred_percent(spec, value):
        return words["hundred"]
    if isinstance(value, (int, float)) and not isinstance(value, bool) \
            and math.isfinite(value) and abs(value) > SANITY_LIMIT:
        return words["huge"]
    return ""


def _fraction_typed_as_percent(spec: c.InputSpec, value) -> bool:
    """45 typed for 45%, where 45% is allowed (a bare 100 in an input capped at 99% is not
    told to type 100%)."""
    return spec.kind == c.FRACTION and isinstance(value, (int, float)) \
        and not isinstance(value, bool) and 1 < value <= 100 \
        and (spec.maximum is None or value / 100 <= spec.maximum)


def _hundred_percent(spec: c.InputSpec, value) -> bool:
    """1 (100%) in an input capped below 100% (TRUE is not 1 here, though Python says so)."""
    return spec.kind == c.FRACTION and not isinstance(value, bool) and value == 1 \
        and spec.maximum is not None and spec.maximum < 1


def _input_error(io: WorkbookIO, spec: c.InputSpec, found, expected: str | None = None,
                 extra: str = "", choices=None) -> InputError:
    loc = io.location(spec.name)
    expected = expected or spec.expected
    error = InputError(f"{loc.sheet}!{loc.cell} {spec.name} ({spec.label_en}): expected "
                       f"{expected}, found {_shown(found)}{extra}", file=io.label,
                       sheet=loc.sheet, cell=loc.cell, name=spec.name, expected=expected,
                       found=found)
    # in Chinese too: a Chinese workbook's summary is the only place its user reads why the
    # workbook was not calculated (a failed workbook is left as it was)
    error.expected_zh = tx.expected_text(spec, "zh", choices)
    error.message_zh = (f"{loc.sheet}!{loc.cell} {spec.name}({spec.label_zh}):应为"
                        f"{error.expected_zh},实际为 {_shown(found, 'zh')}{_hint(spec, found, 'zh')}")
    return error


def _deleted_row(io: WorkbookIO, spec: c.InputSpec, error: WorkbookError) -> WorkbookError:
    return deleted_row_error(io.label, spec, error)


def deleted_row_error(label: str, spec: c.InputSpec, error: WorkbookError) -> WorkbookError:
    """A name that points at #REF! after its row was deleted: call it a deleted row."""
    if "#REF!" not in f"{error.found} {error.message}":
        return error
    return WorkbookError(f"{label}: the {c.INPUTS_SHEET} row of {spec.name} "
                         f"({spec.label_en}) was deleted, so its name points nowhere (#REF!): "
                         f"undo the deletion, or copy the row from a new workbook (aeroi new)",
                         file=label, sheet=c.INPUTS_SHEET, name=spec.name,
                         expected="the input's row on the Inputs sheet", found=error.found,
                         kind=Kind.LAYOUT)


def read_rates(io: WorkbookIO, errors: list[CalculatorError],
               notes: list | None = None) -> RateCard:
    """The packaged card overridden by this workbook's Rates table; ``notes`` gets a check
    for each key given on more than one row (the last is used: said, not silent)."""
    packaged = load_rate_card()
    table = io.read_table(c.RATES_TABLE, columns=("key", "value"))
    if table is None:
        return packaged
    cols = {name.strip().lower(): i for i, name in enumerate(table.columns)}
    if "key" not in cols or "value" not in cols:
        errors.append(WorkbookError(f"{table.sheet}: the Rates table needs columns key and "
                                    f"value, found {', '.join(table.columns)}",
                                    file=io.label, sheet=table.sheet, name=c.RATES_TABLE,
                                    kind=Kind.LAYOUT))
        return packaged
    overrides: dict[str, object] = {}
    lines: dict[str, list[int]] = {}
    for offset, row in enumerate(table.rows):
        key, value = row[cols["key"]], row[cols["value"]]
        if key is None or (isinstance(key, str) and not key.strip()):
            continue
        key = str(key).strip()
        lines.setdefault(key, []).append(table.first_data_row + offset)
        if value is None:
            if key in packaged:
                continue
            cell = _rates_cell(table, cols, offset)
            errors.append(InputError(f"{table.sheet}!{cell} {key}: expected a value, found a "
                                     f"blank cell", file=io.label, sheet=table.sheet, cell=cell,
                                     name=key, expected="a value"))
            continue
        if isinstance(value, float) and value.is_integer() and key in packaged \
                and packaged[key].unit == "code":
            value = str(int(value))
        try:
            changed = packaged.overridden(key, value)   # checked row by row, to name the cell
        except CalculatorError as error:
            cell = _rates_cell(table, cols, offset)
            errors.append(InputError(f"{table.sheet}!{cell} {error.message}", file=io.label,
                                     sheet=table.sheet, cell=cell, name=key,
                                     expected=error.expected, found=value))
            continue
        if changed is not None:
            overrides[key] = value
        elif key in overrides:
            del overrides[key]                      # a key given twice takes its last value
    card = packaged.with_overrides(overrides)       # the card built once, in one pass
    if notes is not None:
        for key, rows in lines.items():
            if len(rows) > 1 and key in card:
                notes.append(PendingNote("rates_twice", "check.twice.rates", dict(
                    rate=key, count=len(rows), rows=_rows_text(rows),
                    value=shown(card.number(key)) if card[key].unit != "code"
                    else card[key].value)))
    return card


def _rates_cell(table, cols: dict[str, int], offset: int) -> str:
    """The cell of the value on row ``offset`` of the Rates table (named only in a message:
    a run reads a hundred rows, usually all fine)."""
    return f"{column_letter(table.first_column + cols['value'])}{table.first_data_row + offset}"


def read_skus(io: WorkbookIO, rates: RateCard, errors: list[CalculatorError],
              notes: list[Check] | None = None) -> tuple[SkuTable, np.ndarray] | None:
    """The SKUs table (unit costs still in their own currency) and which costs are in CNY.
    Rows typed directly under the table are its rows too (LibreOffice does not grow a table
    as Excel does; an empty row ends it): ``notes`` gets a check saying they were added."""
    table = io.read_table(c.SKU_TABLE, typed_below=True)
    if table is None:
        return None
    if table.typed_below and notes is not None:
        notes.append(typed_below_note(table))
    cols = {name.strip().lower(): i for i, name in enumerate(table.columns)}
    missing = [name for name in c.SKU_COLUMNS if name not in cols and name not in c.SKU_OPTIONAL]
    if missing:
        errors.append(WorkbookError(f"{table.sheet}: the SKUs table lacks the column(s) "
                                    f"{', '.join(missing)}", file=io.label, sheet=table.sheet,
                                    name=c.SKU_TABLE, kind=Kind.LAYOUT))
        return None
    categories = {k.lower() for k in rates.family("commission.")}
    rows = {name: [] for name in c.SKU_COLUMNS}
    lines_of_skus: list[int] = []             # the sheet row of each SKU read
    before = len(errors)
    for offset, row in enumerate(table.rows):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        line = table.first_data_row + offset

        def cell(name):
            return f"{column_letter(table.first_column + cols[name])}{line}"

        def problem(name, expected, found):
            errors.append(InputError(f"{table.sheet}!{cell(name)} SKUs.{name}: expected "
                                     f"{expected}, found {_shown(found)}"
                                     f"{text_number_hint(found)}", file=io.label,
                                     sheet=table.sheet, cell=cell(name), name=f"SKUs.{name}",
                                     expected=expected, found=found))

        sku = row[cols["sku"]]
        lines_of_skus.append(line)
        rows["sku"].append("" if sku is None else (str(int(sku)) if isinstance(sku, float)
                                                   and sku.is_integer() else str(sku)))
        category = row[cols["category"]]
        text = str(category).strip().lower() if isinstance(category, str) else None
        if text not in categories:
            problem("category", "a category of the Rates table (" + ", ".join(sorted(categories))
                    + ")", category)
        rows["category"].append(text or "")
        for name, expected, positive in (("weight_g", "a weight in grams > 0", True),
                                         ("price_usd", "a price in USD >= 0", False),
                                         ("orders_per_month", "orders per month >= 0", False)):
            value = row[cols[name]]
            try:
                number = to_number(value)
                if number < 0 or (positive and number == 0) or number > SANITY_LIMIT:
                    raise BadValue(value)
            except BadValue:
                problem(name, expected, value)
                number = float("nan")
            rows[name].append(number)
        aplus = row[cols["aplus"]] if "aplus" in cols else None
        try:
            rows["aplus"].append(False if aplus is None else to_bool(aplus))
        except BadValue:
            problem("aplus", "TRUE or FALSE", aplus)
            rows["aplus"].append(False)
        # unit cost: blank means "COGS % × price", as the Inputs sheet says
        cost = row[cols["unit_cost"]] if "unit_cost" in cols else None
        currency = row[cols["unit_cost_currency"]] if "unit_cost_currency" in cols else None
        if cost is None or (isinstance(cost, str) and not cost.strip()):
            rows["unit_cost"].append(float("nan"))
        else:
            try:
                number = to_number(cost)
                if number < 0 or number > SANITY_LIMIT:
                    raise BadValue(cost)
            except BadValue:
                problem("unit_cost", "a cost per unit >= 0 (or blank: COGS % × price)", cost)
                number = float("nan")
            rows["unit_cost"].append(number)
        code = str(currency).strip().upper() if currency is not None else ""
        if code not in ("", "USD", "CNY"):
            problem("unit_cost_currency", "USD or CNY (blank: USD)", currency)
        rows["unit_cost_currency"].append(code or "USD")
    if len(errors) > before or not rows["sku"]:
        return None
    if notes is not None:
        lines: dict[str, list[int]] = {}
        for sku, line in zip(rows["sku"], lines_of_skus):
            if sku:
                lines.setdefault(sku, []).append(line)
        listed = [(sku, r) for sku, r in lines.items() if len(r) > 1]
        for sku, where in listed[:3]:
            notes.append(PendingNote("skus_twice", "check.twice.skus",
                                     dict(sku=sku, count=len(where), rows=_rows_text(where))))
    return SkuTable(tuple(rows["sku"]), tuple(rows["category"]),
                    np.array(rows["weight_g"]), np.array(rows["price_usd"]),
                    np.array(rows["orders_per_month"]), np.array(rows["aplus"], dtype=bool),
                    unit_cost_usd=np.array(rows["unit_cost"], dtype=float)), \
        np.array([code == "CNY" for code in rows["unit_cost_currency"]], dtype=bool)


def typed_below_note(table) -> PendingNote:
    """The Checks row saying that rows typed under the SKUs table were read as its own (the
    write extends the table over them)."""
    count = table.typed_below
    first = table.first_data_row + len(table.rows) - count
    where = f"{table.sheet}!{column_letter(table.first_column)}{first}" + (
        f":{column_letter(table.first_column)}{first + count - 1}" if count > 1 else "")
    return PendingNote("skus_table", "check.typed_below", dict(
        count=count, rows=f"{count} row{'s' if count > 1 else ''}",
        verb="were" if count > 1 else "was", where=where))


def table_sums(io: WorkbookIO) -> list[float]:
    """What the template's live formulas compute: COUNTA(SKUs[sku]), SUM of three SKU columns,
    SUM(Rates[value]). Compared with a tolerance, so the summation order does not matter."""
    def numbers(table, column):
        if table is None or column not in [n.strip().lower() for n in table.columns]:
            return []
        index = [n.strip().lower() for n in table.columns].index(column)
        return [v for v in (row[index] for row in table.rows)
                if isinstance(v, (int, float)) and not isinstance(v, bool)]

    skus = io.read_table(c.SKU_TABLE, typed_below=True)
    rates = io.read_table(c.RATES_TABLE, columns=("value",))
    if skus is not None and "sku" in [n.strip().lower() for n in skus.columns]:
        index = [n.strip().lower() for n in skus.columns].index("sku")
        count = sum(1 for row in skus.rows if row[index] not in (None, ""))
    else:
        count = 0
    return [float(count), math.fsum(numbers(skus, "weight_g")),
            math.fsum(numbers(skus, "price_usd")), math.fsum(numbers(skus, "orders_per_month")),
            math.fsum(numbers(rates, "value"))]


def read_language(io: WorkbookIO, results_written: bool = False) -> str:
    """"en" or "zh" from the defined name meta_language; "en" for a workbook without it.
    ``results_written``: the Results sheet, where the cell is, will be written next; a
    package then reads the cell without parsing that sheet (the write reads it anyway, and
    stops at a damaged one). Otherwise the sheet is parsed, so that a damaged one is named
    here, as it always was."""
    if not io.has_name(c.LANGUAGE_NAME):
        return "en"
    read_lone_cell = getattr(io, "read_lone_cell", None)
    block = (read_lone_cell if results_written and read_lone_cell is not None
             else io.read_name)(c.LANGUAGE_NAME)
    value = str(block[0][0]).strip().lower() if block and block[0] and block[0][0] else ""
    return value if value in ("en", "zh") else "en"


def read_store(io: WorkbookIO) -> ReadResult:
    """Every input of a workbook, as model inputs; errors collected, nothing raised for data."""
    result = _read_store(io)
    # a read with errors writes nothing (the batch reports them): the sheet is parsed then
    result.language = read_language(io, results_written=not result.errors)
    result.notes = [note.worded(result.language) if isinstance(note, PendingNote) else note
                    for note in result.notes]
    return result


def _read_store(io: WorkbookIO) -> ReadResult:
    missing = []
    for name in c.MARKER_NAMES:
        try:
            if not io.has_name(name):
                missing.append(name)
        except WorkbookError:          # the name exists but its row was deleted: ours
            pass
    if missing:
        # ("create one with aeroi new" read as "create a defined name")
        raise WorkbookError(f"not an aeroi workbook (it has no defined name {missing[0]}), so "
                            f"it was not calculated; to calculate a store, start from a "
                            f"workbook made with aeroi new", file=io.label,
                            name=missing[0], expected="an aeroi workbook", kind=Kind.NOT_OURS)
    version = c.contract_version(io.has_name)
    if version < c.CONTRACT_VERSION:
        # its output blocks have another shape: calculating it would write garbage
        raise WorkbookError(c.old_template_message(version, io.label), file=io.label,
                            expected=f"template version {c.CONTRACT_VERSION}",
                            found=f"template version {version}", kind=Kind.OLD_TEMPLATE)
    errors: list[CalculatorError] = []
    notes: list = []
    rates = read_rates(io, errors, notes)
    markets = tuple(sorted(rates.family("market.")))
    categories = tuple(sorted(k.lower() for k in rates.family("commission.")))
    values: dict[str, object] = {}
    raw: list[object] = []
    for spec in c.INPUTS:
        try:
            present = io.has_name(spec.name)
            block = io.read_name(spec.name) if present else None
        except WorkbookError as error:
            errors.append(_deleted_row(io, spec, error))
            raw.append(None)
            continue
        if not present:
            if spec.required:
                errors.append(WorkbookError(f"the defined name {spec.name} is missing: expected "
                                            f"{spec.label_en} ({spec.expected})", file=io.label,
                                            name=spec.name, expected=spec.expected,
                                            kind=Kind.LAYOUT))
            raw.append(None)
            continue
        value = block[0][0] if block and block[0] else None
        raw.append(value)
        choices = markets if spec.name == "in_market" else (
            categories if spec.name == "in_category" else spec.choices)
        try:
            typed = convert(spec, value, choices)
        except BadValue as problem:
            errors.append(_input_error(io, spec, problem.found, _expected(spec, choices),
                                       _hint(spec, problem.found), choices))
            continue
        if typed is None:
            if spec.required:
                errors.append(_input_error(io, spec, None, _expected(spec, choices),
                                           choices=choices))
            continue
        values[spec.field] = typed
    read = read_skus(io, rates, errors, notes)
    skus = None
    if read is not None:
        skus, in_cny = read
        if in_cny.any() and values.get("fx_cny_per_usd"):
            costs = np.where(in_cny, skus.unit_cost_usd / values["fx_cny_per_usd"],
                             skus.unit_cost_usd)
            skus = dataclasses.replace(skus, unit_cost_usd=costs)
    sums = table_sums(io)
    if errors:
        return ReadResult(None, rates, raw, sums, errors)
    for key in ("horizon_months", "aplus_pages", "interview_sessions", "sku_count"):
        if key in values:
            values[key] = int(values[key])
    try:
        inputs = StoreInputs(skus=skus, **values)
    except InputError as error:
        spec = next((s for s in c.INPUTS if s.field == error.name), None)
        if spec is None or not io.has_name(spec.name):
            errors.append(InputError(error.message, file=io.label, name=error.name))
        else:
            loc = io.location(spec.name)
            message = error.message.removeprefix(f"{error.name}: ")
            errors.append(InputError(f"{loc.sheet}!{loc.cell} {spec.name} ({spec.label_en}): "
                                     f"{message}",
                                     file=io.label, sheet=loc.sheet, cell=loc.cell,
                                     name=spec.name, expected=error.expected, found=error.found))
        return ReadResult(None, rates, raw, sums, errors)
    risk = read_risk(io, inputs, rates, errors) if io.has_name("out_risk") else None
    if errors:
        return ReadResult(None, rates, raw, sums, errors)
    return ReadResult(inputs, rates, raw, sums, errors, risk, notes=notes)


def _expected(spec: c.InputSpec, choices: tuple[str, ...]) -> str:
    """What an input's message says was expected (its choices: those of this workbook's
    rate card for a market or category). Worded only for a message: most inputs are fine."""
    return spec.expected if spec.kind != c.CHOICE else "one of " + ", ".join(choices)


def read_risk(io: WorkbookIO, inputs: StoreInputs, rates: RateCard,
              errors: list[CalculatorError]):
    """The Risk sheet's inputs over the rate card's defaults (a blank cell keeps the default)."""
    from calculator.model.risk import Range3, RiskInputs, default_risk_inputs
    from calculator.model.scenarios import SCENARIOS
    defaults = default_risk_inputs(inputs, rates)

    def problem(name, cell, expected, found):
        loc = io.location(name)
        where = cell or loc.cell
        errors.append(InputError(f"{loc.sheet}!{where} {name}: expected {expected}, found "
                                 f"{_shown(found)}", file=io.label, sheet=loc.sheet, cell=where,
                                 name=name, expected=expected, found=found))

    def single(name, kind, low=None, high=None):
        if not io.has_name(name):
            return None
        value = (io.read_name(name) or [[None]])[0][0]
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            number = to_fraction(value) if kind == "fraction" else to_number(value)
            if (low is not None and number < low) or (high is not None and number > high) \
                    or (kind == "count" and not float(number).is_integer()):
                raise BadValue(value)
        except BadValue:
            bounds = f" from {low:g}" + (f" to {high:g}" if high is not None else "") \
                if low is not None else ""
            problem(name, None, {"fraction": "a percentage", "count": "a whole number"}.get(
                kind, "a number") + bounds, value)
            return None
        return number

    seed = single("in_risk_seed", "count", 0, 2**32 - 1)
    draws = single("in_risk_draws", "count", 1, 1_000_000)
    lift = dict(defaults.lift)
    fuse = dict(defaults.fuse_probability)
    if io.has_name("in_risk_ranges"):
        block = io.read_name("in_risk_ranges")
        loc = io.location("in_risk_ranges")
        first_row, first_col = int(re.sub(r"\D", "", loc.cell)), re.sub(r"\d", "", loc.cell)
        for r, scenario in enumerate(SCENARIOS):
            line = block[r] if r < len(block) else []
            values = []
            for k in range(4):
                value = line[k] if k < len(line) else None
                cell = f"{column_letter(column_number(first_col) + k)}{first_row + r}"
                if value is None or (isinstance(value, str) and not value.strip()):
                    values.append(None)
                    continue
                try:
                    number = to_fraction(value)
                    if k == 3 and not 0 <= number <= 1:
                        raise BadValue(value)
                except BadValue:
                    problem("in_risk_ranges", cell, "a probability from 0% to 100%" if k == 3
                            else "a number (a lift such as 147% or, for super_hot, USD a month)",
                            value)
                    values.append(None)
                    continue
                values.append(number)
            old = lift[scenario]
            low_, likely_, high_ = (v if v is not None else d for v, d in
                                    zip(values[:3], (old.low, old.likely, old.high)))
            try:
                lift[scenario] = Range3(low_, likely_, high_)
            except CalculatorError:
                cell = f"{first_col}{first_row + r}"
                problem("in_risk_ranges", cell, f"low <= likely <= high for {scenario}",
                        f"{low_:g} / {likely_:g} / {high_:g}")
            if values[3] is not None:
                fuse[scenario] = values[3]

    def pair(low_name, high_name, kind, likely):
        low_, high_ = single(low_name, kind, 0), single(high_name, kind, 0)
        if low_ is None and high_ is None:
            return None
        low_ = likely if low_ is None else low_
        high_ = likely if high_ is None else high_
        if not low_ <= likely <= high_:
            problem(low_name, None, f"low <= your input ({likely:g}) <= high",
                    f"{low_:g} / {high_:g}")
            return None
        return Range3(low_, likely, high_)

    cogs = pair("in_risk_cogs_low", "in_risk_cogs_high", "fraction", inputs.cogs_pct)
    aov = pair("in_risk_aov_low", "in_risk_aov_high", "number", inputs.aov_usd)
    return RiskInputs(lift, fuse, cogs, aov, int(draws) if draws else defaults.draws,
                      int(seed) if seed is not None else defaults.seed)
