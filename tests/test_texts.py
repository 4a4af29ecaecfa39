"""A Chinese workbook is Chinese in every word a user reads, an English one English; sources
are article titles or "assumption: why", never file names."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from calculator.model import texts as tx
from calculator.model.ratecard import load_rate_card
from calculator.workbook import contract as c
from tests.stores import build_store

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
#: Not words: identifiers (defined names, column ids, rate keys), ISO codes, numbers, the rate
#: card's fingerprint (12 hex digits: one that began with a digit was taken for English)
IDENTIFIER = re.compile(r"[a-z][a-z0-9_.]*|[A-Z]{2,4}|[-+]?[\d.,%]+|[0-9a-f]{12}")


def _book(tmp_path, lang):
    path = build_store(tmp_path / f"t-{lang}.xlsx", lang)
    return openpyxl.load_workbook(path, data_only=True)   # cached values: what a user sees


def _id_cells(book) -> set[tuple[str, str]]:
    """Cells that hold the contract's identifiers: every defined name's range (input values,
    output blocks with their id rows), the id header row of each table and the Rates table's
    key and value columns, the snapshot's name column, and xlwings' own settings."""
    skip = set()

    def add(sheet, ref):
        c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
        for row in range(r1, r2 + 1):
            for col in range(c1, c2 + 1):
                skip.add((sheet, f"{openpyxl.utils.get_column_letter(col)}{row}"))
    for name in book.defined_names.values():
        for sheet, ref in name.destinations:
            add(sheet, ref)
    for sheet in book.worksheets:
        for table in sheet.tables.values():
            c1, r1, c2, r2 = range_boundaries(table.ref)
            add(sheet.title, f"A{r1}:{openpyxl.utils.get_column_letter(c2)}{r1}")
            if table.name == c.RATES_TABLE:
                add(sheet.title, f"A{r1}:B{r2}")
    add(c.RESULTS_SHEET, "X1:Y200")     # snapshot: input names and their live values
    add(c.CONF_SHEET, "A1:B1")
    return skip


def test_every_word_of_the_chinese_workbook_is_chinese(tmp_path):
    book = _book(tmp_path, "zh")
    skip = _id_cells(book)
    english = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or not value.strip():
                    continue
                if (sheet.title, cell.coordinate) in skip or IDENTIFIER.fullmatch(value.strip()):
                    continue
                if not CJK.search(value):
                    english.append(f"{sheet.title}!{cell.coordinate} {value!r}")
    assert not english, "no Chinese in:\n" + "\n".join(english[:40])


def test_the_english_workbook_has_no_chinese_outside_quotations_of_the_articles(tmp_path):
    book = _book(tmp_path, "en")
    found = [f"{sheet.title}!{cell.coordinate} {cell.value!r}"
             for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and CJK.search(cell.value)
             and not (sheet.title == c.RATES_SHEET and cell.column == 6)]   # Rates notes
    assert not found, found


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_seed_file_name_or_internal_document_reaches_a_user(tmp_path, lang):
    path = build_store(tmp_path / f"t-{lang}.xlsx", lang)
    book = openpyxl.load_workbook(path, data_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not SEED_FILE.search(cell.value), (sheet.title, cell.coordinate)
                    assert "domain.md" not in cell.value, (sheet.title, cell.coordinate)
    # the Inputs sheet cites titles: the Global Seller Challenge article for the market, a
    # reason for each assumption
    sources = {book["Inputs"].cell(row=r, column=6).value: book["Inputs"].cell(row=r, column=4)
               .value for r in range(c.INPUT_FIRST_ROW, c.INPUT_FIRST_ROW + len(c.INPUTS))}
    assert sources["in_market"] == tx.SOURCE_TITLES["000_c8cb9e0707c5223d.txt"][lang]
    assert sources["in_interview_sessions"] == \
        tx.SOURCE_TITLES["004_570e7f8241c53819.txt"][lang]
    assumption = tx.ASSUMPTION[lang]
    assert sources["in_fx_cny_per_usd"].startswith(assumption) and \
        len(sources["in_fx_cny_per_usd"]) > len(assumption) + 10     # with its reason


def test_docs_and_command_line_show_no_seed_file_names():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not SEED_FILE.search(text), f"{page.name} names a source file"
        assert "domain.md" not in text, f"{page.name} cites domain.md"
    assert not SEED_FILE.search((ROOT / "calculator" / "cli.py").read_text(encoding="utf-8"))


def test_every_rate_and_column_has_words_in_both_languages():
    card = load_rate_card()
    assert set(card) <= set(tx.RATE_NOTES_ZH), set(card) - set(tx.RATE_NOTES_ZH)
    from calculator.model.scenarios import RESULT_COLUMNS, SCENARIOS
    from calculator.model.sku_economics import PROGRAMME_COLUMNS, SKU_ECONOMICS_COLUMNS
    columns = set(RESULT_COLUMNS) | set(c.COSTS_HEADER) | set(c.CALENDAR_COLUMNS) \
        | set(c.ELIGIBILITY_COLUMNS) | set(c.CHECK_COLUMNS) | set(c.SKU_COLUMNS) \
        | set(c.RATE_COLUMNS) | set(SKU_ECONOMICS_COLUMNS) | set(PROGRAMME_COLUMNS) \
        | set(c.RISK_COLUMNS) | set(c.SENSITIVITY_COLUMNS) | set(c.HISTOGRAM_COLUMNS)
    for lang in ("en", "zh"):
        assert columns <= set(tx.COLUMN_LABELS[lang]), columns - set(tx.COLUMN_LABELS[lang])
        assert all(tx.scenario_label(s, lang) != s for s in SCENARIOS)
    assert tx.source_title("assumption", "zh").startswith("假设")
    assert tx.source_title("001_4a1523759a513ec2.txt", "en") == "Shumao Cup article"


def test_every_word_a_run_writes_into_a_chinese_workbook_is_chinese(tmp_path):
    # the blocks a run fills (results, verdicts, calendar, checks, SKU economics, risk and
    # its sensitivity table): below each header of column ids, every text is Chinese or an
    # identifier (a scenario id such as gsc_rising, a plan id, t7, a code). "self-assessment",
    # "COGS %" or the empty SKUs table's sentence in English would fail here
    from calculator.workbook.batch import run_batch
    from tests.stores import STORE
    path = build_store(tmp_path / "zh.xlsx", "zh", values=STORE)
    assert not run_batch([path], summary=tmp_path / "summary.xlsx").failed
    book = openpyxl.load_workbook(path, data_only=True)
    english = []
    for name, defined in book.defined_names.items():
        if not name.startswith("out_"):
            continue
        for sheet, ref in defined.destinations:
            c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
            first = r1 + 1 if r2 > r1 else r1            # below a header of column ids
            for row in book[sheet].iter_rows(min_row=first, max_row=r2, min_col=c1,
                                             max_col=c2):
                for cell in row:
                    value = cell.value
                    if isinstance(value, str) and value.strip() \
                            and not IDENTIFIER.fullmatch(value.strip()) \
                            and not CJK.search(value):
                        english.append(f"{name} {sheet}!{cell.coordinate} {value!r}")
    assert not english, "no Chinese in:\n" + "\n".join(english[:40])
