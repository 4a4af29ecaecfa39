"""A workbook's Rates table over the packaged rate card, as a user edits it: values changed, a
key listed twice, a value out of range. The workbooks are our template edited by an openpyxl
script (a real library writing the file), then read as a run reads them."""
import openpyxl
import pytest

from calculator.model.ratecard import load_rate_card
from calculator.workbook import contract as c
from calculator.workbook.io import PackageWorkbook
from calculator.workbook.reader import read_store
from tests.stores import STORE, build_store

PACKAGED = load_rate_card()


def edited_store(path, *rows):
    """Our template with the Rates table's ``(key, value)`` rows set by an openpyxl script: a
    key the table has gets its value on its own row; a key given again is a row added at the
    table's end (the table grown over it, as Excel grows a table when a row is typed under it).
    Returns each key's value cell, in the order given."""
    build_store(path, values=STORE)
    book = openpyxl.load_workbook(path)
    sheet = next(ws for ws in book.worksheets if c.RATES_TABLE in ws.tables)
    table = sheet.tables[c.RATES_TABLE]
    min_col, min_row, max_col, max_row = openpyxl.utils.cell.range_boundaries(table.ref)
    header = [sheet.cell(min_row, col).value for col in range(min_col, max_col + 1)]
    key_col = min_col + header.index("key")
    value_col = min_col + header.index("value")
    row_of = {sheet.cell(row, key_col).value: row for row in range(min_row + 1, max_row + 1)}
    cells, seen = [], set()
    for key, value in rows:
        if key in row_of and key not in seen:
            row = row_of[key]
        else:
            max_row += 1
            row = max_row
            sheet.cell(row, key_col).value = key
        sheet.cell(row, value_col).value = value
        seen.add(key)
        cells.append(f"{openpyxl.utils.get_column_letter(value_col)}{row}")
    table.ref = (f"{openpyxl.utils.get_column_letter(min_col)}{min_row}:"
                 f"{openpyxl.utils.get_column_letter(max_col)}{max_row}")
    book.save(path)
    return sheet.title, cells


def read(path):
    with PackageWorkbook(path, guard=False) as book:
        return read_store(book)


def test_a_value_edited_in_the_rates_table_is_the_one_used(tmp_path):
    # the packaged general commission is 5% (001); the user types 8%
    path = tmp_path / "store.xlsx"
    edited_store(path, ("commission.general", 0.08))
    result = read(path)
    assert not result.errors
    assert result.rates.number("commission.general") == 0.08
    assert result.rates["commission.general"].source == "workbook"
    assert result.rates.fingerprint() != PACKAGED.fingerprint()


def test_a_rates_table_that_keeps_every_default_is_the_packaged_card(tmp_path):
    # every row as shipped: the card and its fingerprint are the packaged ones
    path = tmp_path / "store.xlsx"
    build_store(path, values=STORE)
    result = read(path)
    assert not result.errors
    assert result.rates.fingerprint() == PACKAGED.fingerprint()
    assert result.rates["commission.general"].source == PACKAGED["commission.general"].source


@pytest.mark.parametrize("values, used", [
    # typed 8%, then the key again at the table's end with the default 5%: the last row wins,
    # so the packaged 5% (not the 8% above it)
    ((0.08, 0.05), 0.05),
    # the default first, then 8% at the end: 8%
    ((0.05, 0.08), 0.08),
    # 8% then 6%: 6%
    ((0.08, 0.06), 0.06),
])
def test_a_key_listed_twice_takes_its_last_value(tmp_path, values, used):
    path = tmp_path / "store.xlsx"
    sheet, (first, second) = edited_store(path, *[("commission.general", value)
                                                  for value in values])
    result = read(path)
    assert not result.errors
    assert result.rates.number("commission.general") == used
    assert (result.rates.fingerprint() == PACKAGED.fingerprint()) == (used == 0.05)
    # ... and says so on Checks, with both rows: a second row at the table's end changed
    # the recommendation without a word
    [note] = [n for n in result.notes if n.check == "rates_twice"]
    rows = f"{first[1:]}, {second[1:]}"
    assert (note.status, note.reason) == ("warn", f"Rates: commission.general is given 2 times "
                                                  f"(rows {rows}); the last, {used:g}, is used")


def test_a_bad_value_in_the_rates_table_names_its_cell(tmp_path):
    # a commission of 150% (typed 1.5 for 1.5%): refused, naming the sheet and cell
    path = tmp_path / "store.xlsx"
    sheet, (cell,) = edited_store(path, ("commission.general", 1.5))
    result = read(path)
    assert result.inputs is None
    [error] = [e for e in result.errors if e.name == "commission.general"]
    assert (error.sheet, error.cell) == (sheet, cell)
    assert error.message.startswith(f"{sheet}!{cell} ")
    assert "fraction between 0 and 1" in error.message


def test_a_sku_listed_twice_is_named_with_its_sheet_rows(tmp_path):
    # A on the table's first row (sheet row 4), a blank row (5), then B twice (6 and 7): both
    # B rows are counted and Checks names rows 6 and 7, the rows the user sees (counting only
    # the rows read, it said 5 and 6)
    sku = dict(category="general", weight_g=500, price_usd=20, orders_per_month=10,
               aplus=False, unit_cost=5, unit_cost_currency="USD")
    blank = dict.fromkeys(["sku", *sku], None)
    path = build_store(tmp_path / "store.xlsx", values=STORE,
                       skus=[dict(sku, sku="A"), blank, dict(sku, sku="B"), dict(sku, sku="B")])
    result = read(path)
    assert not result.errors
    [note] = [n for n in result.notes if n.check == "skus_twice"]
    assert note.reason == "SKUs: B is listed 2 times (rows 6, 7); each row is counted"
    assert list(result.inputs.skus.sku) == ["A", "B", "B"]
