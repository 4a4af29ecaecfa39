"""The main path on real files: workbooks made by the template, filled through the defined
names, run as a folder; results read back; bad input reported and left untouched."""
from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import hashlib
import json
import math
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from calculator.cli import main
from calculator.model.scenarios import RESULT_COLUMNS, SCENARIOS, compute_scenarios
from calculator.workbook import contract as c
from calculator.workbook.batch import run_batch
from calculator.workbook.io import PackageWorkbook
from calculator.workbook.reader import read_store
from calculator.workbook.writer import write_cells
from calculator.workbook.xlsxpackage import XlsxPackage
from tests.stores import STORE, build_store

OUTPUT_SHEETS = {c.RESULTS_SHEET, c.CALENDAR_SHEET, c.CHECKS_SHEET, c.SKU_ECONOMICS_SHEET,
                 c.RISK_SHEET}


def make(path: Path, lang="en", skus=None, **changes) -> Path:
    return build_store(path, lang, values={**STORE, **changes}, skus=skus)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def sheet_part_names(path: Path) -> dict[str, str]:
    package = XlsxPackage(path)
    return {sheet: package.sheet_part(sheet) for sheet in package.sheet_order}


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def test_a_filled_workbook_gets_the_model_results_written_back(tmp_path):
    book = make(tmp_path / "store.xlsx")
    result = run("run", tmp_path)
    assert result.exit_code == 0, result.output
    with PackageWorkbook(book) as written:
        read = read_store(written)
        table = written.read_name("out_results")
        deadlines = [written.read_name(f"out_deadline_{k}")[0][0] for k in ("t7", "t30", "t90")]
    assert table[0] == list(RESULT_COLUMNS)
    assert [row[0] for row in table[1:]] == list(SCENARIOS)
    expected = compute_scenarios(read.inputs, read.rates)
    for got, want in zip(table[1:], expected.rows()):
        for column, a, b in zip(RESULT_COLUMNS, got, want):
            if isinstance(b, float) and not math.isfinite(b):
                assert a in (None, "never"), column
            elif isinstance(b, float):
                assert a == pytest.approx(b, rel=1e-12, abs=1e-9), column
            else:
                assert a == b, column
    # T+0 = 2026-12-01: T+7 = 12-08, T+30 = 12-31, T+90 = 2027-03-01 (natural days)
    assert [d.date() for d in deadlines] == [dt.date(2026, 12, 8), dt.date(2026, 12, 31),
                                             dt.date(2027, 3, 1)]


def test_every_rename_of_a_batch_is_flushed_to_disk_before_it_ends(tmp_path, monkeypatch):
    # Each workbook is flushed before its rename; the folder, which makes the renames
    # durable (a power cut after the run must not bring the old files back), is flushed
    # once after the last rename rather than after each. Recorded in the order they happen.
    from calculator.workbook import atomic
    folder = tmp_path / "books"
    for name in ("a.xlsx", "b.xlsx", "c.xlsx"):
        make(folder / name)
    events = []
    real_replace, real_sync = os.replace, atomic.fsync_folder
    monkeypatch.setattr(atomic.os, "replace",
                        lambda a, b: (events.append(("rename", Path(b).name)),
                                      real_replace(a, b))[1])
    monkeypatch.setattr(atomic, "fsync_folder",
                        lambda f: (events.append(("flush", Path(f).name)), real_sync(f))[1])
    report = run_batch([folder], summary=tmp_path / "summary.xlsx")
    assert [o.status for o in report.outcomes] == ["ok"] * 3
    renames = [i for i, (what, name) in enumerate(events)
               if what == "rename" and name.endswith(".xlsx") and name != "summary.xlsx"]
    flushes = [i for i, (what, name) in enumerate(events) if (what, name) == ("flush", "books")]
    assert len(renames) == 3
    assert flushes and flushes[-1] > renames[-1]
    assert len(flushes) == 1                     # once for the batch, not once a workbook


def test_a_run_changes_only_the_output_sheets_and_never_the_inputs(tmp_path):
    book = make(tmp_path / "store.xlsm", skus=[dict(sku="A", category="general", weight_g=750,
                                                     price_usd=24.6, orders_per_month=100)])
    before = parts(book)
    assert run("run", tmp_path).exit_code == 0
    after = parts(book)
    assert set(before) == set(after)
    sheets = sheet_part_names(book)
    output_parts = {sheets[s] for s in OUTPUT_SHEETS}
    changed = {name for name in before if before[name] != after[name]}
    # the workbook part changes only when a block that follows the data is resized
    assert changed <= output_parts | {"xl/workbook.xml"}, changed
    assert before[sheets[c.INPUTS_SHEET]] == after[sheets[c.INPUTS_SHEET]]
    assert before["xl/vbaProject.bin"] == after["xl/vbaProject.bin"]


def test_a_rerun_gives_the_same_bytes_but_the_stamp(tmp_path):
    book = make(tmp_path / "store.xlsx")
    stamp = dt.datetime(2026, 12, 1, 9, 30)
    run_batch([tmp_path], calculated_at=stamp)
    first = parts(book)
    run_batch([tmp_path], calculated_at=stamp)
    assert parts(book) == first
    run_batch([tmp_path], calculated_at=stamp + dt.timedelta(hours=1))
    later = parts(book)
    differing = {n for n in first if first[n] != later[n]}
    assert differing == {sheet_part_names(book)[c.RESULTS_SHEET]}


@pytest.mark.parametrize("name, typed, words, found", [
    # a spreadsheet's own words, not Python's: TRUE, not True
    ("in_gmv_m2", True, "expected an amount in USD >= 0, found TRUE", "TRUE"),
    # a date as 2026-01-12, not datetime.datetime(2026, 1, 12, 0, 0), and how it got there
    ("in_gmv_m1", dt.datetime(2026, 1, 12), "found 2026-01-12 (a date: Excel turned what was "
     "typed into one; format the cell as a number and type it again)", "2026-01-12"),
    # 1 is 100%, which "a fraction between 0 and 1" seemed to allow: the bound is said
    ("in_refund_rate", 1.0, "expected a percentage from 0% to 99%, found 1 (100%)", "1"),
    # 100 typed for 100%, which this input refuses: no hint to type 100% or 1
    ("in_refund_rate", 100.0, "expected a percentage from 0% to 99%, found 100", "100"),
    # TRUE is not 1 (100%) to a reader, whatever Python says
    ("in_refund_rate", True, "expected a percentage from 0% to 99%, found TRUE", "TRUE"),
    # Python reads 1_200 as 1200; a spreadsheet reads text
    ("in_gmv_m3", "1_200", "found '1_200'", "1_200"),
])
def test_a_bad_value_is_shown_as_the_spreadsheet_shows_it(tmp_path, name, typed, words, found):
    book = make(tmp_path / "store.xlsx")
    write_cells(book, {name: [[typed]]})
    [error] = run_batch([book]).outcomes[0].errors
    assert error.message.endswith(words) and error.found == found
    label = next(s.label_en for s in c.INPUTS if s.name == name)
    assert f"{name} ({label}): expected" in error.message


def test_a_percentage_typed_with_the_full_width_sign_is_read(tmp_path):
    # 45％ (U+FF05, a Chinese keyboard's percent sign) is 45%, as 45% is
    book = make(tmp_path / "store.xlsx")
    write_cells(book, {"in_cogs_pct": [["45％"]]})
    with PackageWorkbook(book) as opened:
        assert read_store(opened).inputs.cogs_pct == 0.45


def test_bad_input_is_named_by_cell_and_the_file_is_left_untouched(tmp_path):
    good = make(tmp_path / "good.xlsx")
    bad = make(tmp_path / "bad.xlsx")
    write_cells(bad, {"in_parcel_weight_g": [["heavy"]]})
    digest = hashlib.sha256(bad.read_bytes()).hexdigest()
    result = run("run", tmp_path)
    assert result.exit_code == 1
    row = c.INPUT_FIRST_ROW + [s.name for s in c.INPUTS].index("in_parcel_weight_g")
    assert f"Inputs!C{row} in_parcel_weight_g (Average parcel weight" in result.output
    assert "found 'heavy'" in result.output
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == digest
    with PackageWorkbook(good) as written:                # the other workbook still ran
        assert written.read_name("out_results")[1][0] == "baseline"


def test_a_formula_typed_as_text_is_an_error_and_stays_text(tmp_path):
    book = make(tmp_path / "store.xlsx", in_market='=HYPERLINK("http://x","PL")')
    result = run("run", tmp_path, "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    message = report["workbooks"][0]["errors"][0]["message"]
    assert "in_market" in message and "one of" in message
    summary = openpyxl.load_workbook(tmp_path / "aeroi-summary.xlsx")
    texts = [cell for sheet in summary.worksheets for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert texts and all(cell.data_type == "s" for cell in texts)   # text, not a formula
    assert XlsxPackage(book).read_name("in_market")[0][0].startswith("=HYPERLINK")


def test_a_workbook_that_is_not_ours_is_named_and_the_rest_run(tmp_path):
    other = openpyxl.Workbook()
    other.active["A1"] = "quarterly budget"
    other.save(tmp_path / "budget.xlsx")
    make(tmp_path / "store.xlsx")
    result = run("run", tmp_path)
    assert result.exit_code == 1
    assert "budget.xlsx: not an aeroi workbook" in result.output
    assert "1 of 2 workbook(s) calculated" in result.output


def test_summary_has_a_row_per_store_and_scenario_and_is_never_an_input(tmp_path):
    make(tmp_path / "north.xlsx")
    make(tmp_path / "south.xlsx", in_gmv_m3=9000)
    assert run("run", tmp_path).exit_code == 0
    sheet = openpyxl.load_workbook(tmp_path / "aeroi-summary.xlsx")["Detail"]
    header = [cell.value for cell in sheet[2]]            # ids under the human labels
    rows = [dict(zip(header, (cell.value for cell in row))) for row in sheet.iter_rows(min_row=3)]
    assert len(rows) == 2 * len(SCENARIOS)
    assert {r["store"] for r in rows} == {"north", "south"}
    assert sum(1 for r in rows if r["recommended"]) == 2
    again = run("run", tmp_path)
    assert "skipped" in again.output and "aeroi-summary.xlsx" in again.output
    assert "2 of 2 workbook(s) calculated" in again.output


def test_check_writes_nothing_and_out_writes_copies(tmp_path):
    folder = tmp_path / "stores"
    book = make(folder / "store.xlsx")
    digest = hashlib.sha256(book.read_bytes()).hexdigest()
    assert run("check", folder).exit_code == 0
    assert hashlib.sha256(book.read_bytes()).hexdigest() == digest
    assert not (folder / "aeroi-summary.xlsx").exists()
    out = tmp_path / "results"
    assert run("run", folder, "--out", out).exit_code == 0
    assert hashlib.sha256(book.read_bytes()).hexdigest() == digest
    with PackageWorkbook(out / "store.xlsx") as written:
        assert written.read_name("out_results")[1][0] == "baseline"


def test_parallel_jobs_give_the_same_results_as_one(tmp_path):
    # in processes (--jobs 2) and in threads (an executor given to run_batch, as
    # docs/performance.md offers)
    for n in range(4):
        for folder in "abc":
            make(tmp_path / folder / f"s{n}.xlsx", in_gmv_m3=4000 + 1000 * n)
    stamp = dt.datetime(2026, 12, 1, 9, 0)
    one = run_batch([tmp_path / "a"], jobs=1, calculated_at=stamp)
    two = run_batch([tmp_path / "b"], jobs=2, calculated_at=stamp)
    with cf.ThreadPoolExecutor(max_workers=4) as threads:
        threaded = run_batch([tmp_path / "c"], executor=threads, calculated_at=stamp)
    assert [o.rows for o in one.outcomes] == [o.rows for o in two.outcomes] \
        == [o.rows for o in threaded.outcomes]
    for n in range(4):
        assert parts(tmp_path / "a" / f"s{n}.xlsx") == parts(tmp_path / "b" / f"s{n}.xlsx") \
            == parts(tmp_path / "c" / f"s{n}.xlsx")


def test_lock_files_and_hidden_files_are_skipped_with_a_reason(tmp_path):
    make(tmp_path / "store.xlsx")
    (tmp_path / "~$gone.xlsx").write_bytes(b"lock")      # a lock whose workbook is elsewhere
    (tmp_path / ".hidden.xlsx").write_bytes(b"hidden")
    result = run("run", tmp_path)
    assert result.exit_code == 0, result.output
    assert "~$gone.xlsx" in result.output and ".hidden.xlsx" in result.output
    assert "1 of 1 workbook(s) calculated" in result.output


def test_sku_rows_drive_freight_and_the_sku_economics_sheet_grows(tmp_path):
    skus = [dict(sku=f"S{n}", category="general", weight_g=200 + 100 * n, price_usd=20,
                 orders_per_month=10) for n in range(3)]
    book = make(tmp_path / "store.xlsx", skus=skus)
    assert run("run", tmp_path).exit_code == 0
    package = XlsxPackage(book)
    economics = package.get_name("out_sku_economics")
    # header + one row per SKU and plan (economy, standard, subsidised, shumao): 1 + 3 x 4
    assert economics.shape == (1 + 3 * 4, 15)
    rows = package.read_name("out_sku_economics")
    assert [r[0] for r in rows[1:]] == [s for s in ("S0", "S1", "S2") for _ in range(4)]
    assert [r[1] for r in rows[1:5]] == ["economy", "standard", "subsidised", "shumao"]
    # no SKU is heavier than 400 g, so the baseline freight per order is below the 750 g average
    with PackageWorkbook(book) as written:
        table = written.read_name("out_results")
    baseline_freight = table[1][RESULT_COLUMNS.index("freight_per_order")]
    again = make(tmp_path / "avg" / "store.xlsx")
    assert run("run", again.parent).exit_code == 0
    with PackageWorkbook(again) as written:
        average = written.read_name("out_results")[1][RESULT_COLUMNS.index("freight_per_order")]
    assert baseline_freight < average


def test_read_only_workbook_is_reported_not_written(tmp_path):
    book = make(tmp_path / "store.xlsx")
    os.chmod(book, 0o444)
    try:
        result = run("run", tmp_path)
        assert result.exit_code == 1
        assert "read-only" in result.output
    finally:
        os.chmod(book, 0o644)


def test_the_risk_sheet_follows_its_seed_and_reaches_the_summary(tmp_path):
    a = make(tmp_path / "a" / "store.xlsx", in_risk_seed=7, in_risk_draws=2000)
    b = make(tmp_path / "b" / "store.xlsx", in_risk_seed=7, in_risk_draws=2000)
    other = make(tmp_path / "c" / "store.xlsx", in_risk_seed=8, in_risk_draws=2000)
    for path in (a, b, other):
        assert run("run", path.parent).exit_code == 0
    risk = [XlsxPackage(p).read_name("out_risk") for p in (a, b, other)]
    assert risk[0] == risk[1]                       # same seed, same numbers
    assert risk[0] != risk[2]                       # another seed, other draws
    header, *rows = risk[0]
    assert header == list(c.RISK_COLUMNS) and [r[0] for r in rows] == list(SCENARIOS)
    for row in rows:                                # P10 <= P50 <= P90 of the net gain
        assert row[1] <= row[2] <= row[3]
        # a P(loss) for every priced programme; Super Hot without a forecast has none
        assert (0 <= row[7] <= 1) if row[0] != "super_hot" else row[7] is None
    summary = openpyxl.load_workbook(tmp_path / "a" / "aeroi-summary.xlsx")["Detail"]
    header = [cell.value for cell in summary[2]]
    lines = [dict(zip(header, (cell.value for cell in row))) for row in summary.iter_rows(min_row=3)]
    by_scenario = {line["scenario"]: line for line in lines}
    assert by_scenario["gsc_rising"]["p_loss"] == pytest.approx(rows[1][7])


def test_a_risk_range_out_of_order_is_named_by_cell(tmp_path):
    # gsc_rising is the second row of in_risk_ranges (Risk!B8:E12): low 3 > likely 1.47
    make(tmp_path / "store.xlsx", in_risk_ranges=[[], [3.0, None, None, None]])
    result = run("run", tmp_path)
    assert result.exit_code == 1
    assert "Risk!B9 in_risk_ranges: expected low <= likely <= high for gsc_rising" in \
        result.output


# --- issue 14: contract version 2 ---------------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_version_1_workbook_is_refused_with_the_way_forward_and_left_untouched(tmp_path):
    # example 01 as the version-1 template made it (commit 1633a48): its output blocks have
    # another shape, so calculating it would write garbage
    old = tmp_path / "old.xlsx"
    old.write_bytes((FIXTURES / "v1" / "01-new-store-rising.xlsx").read_bytes())
    before = old.read_bytes()
    make(tmp_path / "new.xlsx")
    result = run("run", tmp_path)
    assert result.exit_code == 1
    assert 'old.xlsx: made with template version 1: run aeroi upgrade "old.xlsx"' in result.output
    assert "1 of 2 workbook(s) calculated" in result.output
    assert old.read_bytes() == before


def test_recommendation_cash_flow_and_unknown_eligibility_are_written(tmp_path):
    # the STORE of tests/stores.py leaves the licence, enterprise, health and factory inputs
    # blank: GSC Rising is "unknown", still recommended (it gains), the sentence names them.
    # A 6-month horizon gives a cash flow of 6 rows under its header.
    book = make(tmp_path / "store.xlsx", in_horizon_months=6)
    assert run("run", tmp_path).exit_code == 0
    with PackageWorkbook(book) as written:
        rec = written.read_name("out_recommendation")[0][0]
        text = written.read_name("out_recommendation_text")[0][0]
        cash = written.read_name("out_cashflow")
        results = written.read_name("out_results")
        eligibility = written.read_name("out_eligibility")
    assert rec == "gsc_rising"
    assert text.startswith("Join the Global Seller Challenge, Rising track: likely-case net gain $")
    assert "probability of a loss" in text and "in_health_score" in text
    assert cash[0] == ["month"] + list(SCENARIOS)
    assert [row[0] for row in cash[1:]] == [1, 2, 3, 4, 5, 6]
    header = results[0]
    rising = dict(zip(header, results[1 + SCENARIOS.index("gsc_rising")]))
    assert rising["eligible"] == "unknown"
    # the cash flow's last month is the net gain over the horizon
    assert cash[6][1 + SCENARIOS.index("gsc_rising")] == pytest.approx(rising["net_gain"])
    assert eligibility[1 + SCENARIOS.index("gsc_rising")][1] == "unknown"


def test_the_scenario_view_and_the_sku_view_give_the_same_contribution_on_the_examples(tmp_path):
    # example 03 has a SKUs table: the baseline's contribution per order in Results is the
    # order-weighted mean of each SKU's contribution under economy on SKU economics, to the cent
    examples = Path(__file__).parents[1] / "workbooks" / "examples"
    book = tmp_path / "03.xlsx"
    book.write_bytes((examples / "03-apparel-with-skus.xlsx").read_bytes())
    assert run("run", tmp_path).exit_code == 0
    with PackageWorkbook(book) as written:
        read = read_store(written)
        results = written.read_name("out_results")
        skus = written.read_name("out_sku_economics")
    baseline = dict(zip(results[0], results[1]))
    header = skus[0]
    economy = [dict(zip(header, r)) for r in skus[1:] if r[header.index("plan")] == "economy"]
    orders = dict(zip(read.inputs.skus.sku, read.inputs.skus.orders_per_month))
    weighted = sum(r["contribution"] * orders[r["sku"]] for r in economy) / sum(orders.values())
    assert round(weighted, 2) == round(baseline["contribution_per_order"], 2)
    assert weighted == pytest.approx(baseline["contribution_per_order"], abs=1e-9)


def test_each_programme_gets_a_verdict_in_a_word_beside_its_row(tmp_path):
    # Example 01 (a store opened 77 days before T+0, $1,200 to $2,600 a month, not an exporter,
    # no Super Hot forecast): Rising is open and gains (its net gain is positive), Leap is closed
    # (every month is below $5,000), Shumao is closed (not a mainland-China exporter), Super Hot
    # waits for the user's forecast. The Chinese example says the same in Chinese.
    example = Path(__file__).resolve().parents[1] / "workbooks" / "examples"
    for name, words in (("01-new-store-rising.xlsx",
                         ["baseline", "join", "not eligible", "not eligible",
                          "needs your forecast"]),):
        book = tmp_path / name
        book.write_bytes((example / name).read_bytes())
        assert run("run", book).exit_code == 0
        with PackageWorkbook(book) as written:
            verdicts = written.read_name("out_verdicts")
            results = written.read_name("out_results")
        assert verdicts[0] == ["verdict"]
        assert [row[0] for row in results[1:]] == list(SCENARIOS)
        assert [row[0] for row in verdicts[1:]] == words
    zh = tmp_path / "05.xlsx"
    zh.write_bytes((example / "05-third-party-aplus-zh.xlsx").read_bytes())
    assert run("run", zh).exit_code == 0
    with PackageWorkbook(zh) as written:
        words = [row[0] for row in written.read_name("out_verdicts")[1:]]
    # baseline, then Rising (open, gains), Leap and Shumao (closed), Super Hot (no forecast)
    assert words == ["基线", "建议参加", "不符合条件", "不符合条件", "需要您的预测"]
    # Example 04 (heavy parcels): Rising gains $25.06 in the likely case but loses money in
    # about half of the simulations, so it is not recommended, and its verdict says why in a
    # word rather than "join"; the sentence and the word agree.
    heavy = tmp_path / "04.xlsx"
    heavy.write_bytes((example / "04-heavy-parcels.xlsx").read_bytes())
    assert run("run", heavy).exit_code == 0
    with PackageWorkbook(heavy) as written:
        rising = written.read_name("out_verdicts")[1 + SCENARIOS.index("gsc_rising")][0]
        recommended = written.read_name("out_recommendation")[0][0]
    assert (rising, recommended) == ("too risky", "none")


@pytest.mark.parametrize("check_only", [True, False])
@pytest.mark.parametrize("inputs", ["fine", "with an error"])
def test_a_damaged_results_sheet_fails_a_check_as_a_run(tmp_path, check_only, inputs):
    # a run reads the language cell of the Results sheet without parsing that sheet (the
    # write parses or scans it, and stops at damage); a check, or a read with errors, writes
    # nothing, so it must still parse it and say the file is damaged, leaving it untouched
    book = make(tmp_path / "store.xlsx",
                **({"in_aov_usd": "heavy"} if inputs == "with an error" else {}))
    results = sheet_part_names(book)[c.RESULTS_SHEET]
    changed = parts(book)
    changed[results] = changed[results].replace(b"</sheetData>", b"</sheetData><oops>", 1)
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in changed.items():
            package.writestr(name, data)
    before = book.read_bytes()
    report = run_batch([book], check_only=check_only, calculated_at=dt.datetime(2026, 11, 28))
    [outcome] = report.outcomes
    assert outcome.status == "failed"
    assert [f"the part {results} is not well-formed XML" in e.message
            for e in outcome.errors] == [True]
    assert book.read_bytes() == before


def test_finding_the_files_skips_each_kind_with_its_reason(tmp_path):
    # what a shared folder holds besides store workbooks; discovery reads names (and, for a
    # summary, the file), so empty files stand in for workbooks that are never opened here
    from calculator.workbook.atomic import TEMP_PREFIX
    from calculator.workbook.batch import discover
    for name in ("open.xlsx", "~$open.xlsx", ".hidden.xlsx", f"{TEMP_PREFIX}x.xlsx",
                 "pressed.xlsx", "aeroi-summary.xlsx", "store.xlsx", "store.v1.xlsx",
                 "target.xlsx", "old.xls"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "zz-link.xlsx").symlink_to(tmp_path / "target.xlsx")
    found, skipped = discover([tmp_path], open_books=[tmp_path / "pressed.xlsx"])
    why = {Path(path).name: reason for path, reason in skipped}
    assert [p.name for p in found] == ["store.xlsx", "target.xlsx"]
    assert why["open.xlsx"].startswith("open in Excel or LibreOffice (lock file ~$open.xlsx)")
    assert why["~$open.xlsx"] == "Excel lock file (the workbook is open somewhere)"
    assert why[".hidden.xlsx"] == "hidden file"
    assert why[f"{TEMP_PREFIX}x.xlsx"] == "temporary file of an interrupted aeroi run"
    assert why["pressed.xlsx"].startswith("open in Excel (it ran the batch")
    assert why["aeroi-summary.xlsx"] == "aeroi summary workbook (an output, not an input)"
    assert why["store.v1.xlsx"].startswith("the old file aeroi upgrade kept")
    assert why["zz-link.xlsx"] == f"a link to {tmp_path / 'target.xlsx'}, which is calculated itself"
    assert why["old.xls"].startswith("an older or binary Excel format (.xls)")
    assert len(skipped) == 9


@pytest.mark.parametrize("set_by_the_user, in_the_batch", [
    ((700, 10, 10), "the batch's"),         # Python's own: the batch's 10,000 while it runs
    ((50_000, 20, 20), "the user's")])      # already rarer: kept
def test_a_batch_leaves_the_garbage_collector_as_it_found_it(tmp_path, set_by_the_user,
                                                              in_the_batch):
    # "Run folder" runs the batch inside Excel's own Python, which lives on after it: the
    # collector wakes less often during the batch (every BATCH_GC_THRESHOLD objects, or the
    # user's own rarer setting) and exactly as before afterwards, also when a workbook fails
    # and when the batch is stopped half way
    import gc
    from calculator.workbook.batch import BATCH_GC_THRESHOLD
    before = gc.get_threshold()
    try:
        gc.set_threshold(*set_by_the_user)
        make(tmp_path / "a-fine.xlsx")
        make(tmp_path / "b-heavy.xlsx", in_aov_usd="heavy")
        during = []
        report = run_batch([tmp_path], progress=lambda outcome: during.append(
            (outcome.status, gc.get_threshold())))
        rarer = (BATCH_GC_THRESHOLD, 10, 10) if in_the_batch == "the batch's" \
            else set_by_the_user
        assert during == [("ok", rarer), ("failed", rarer)]
        assert gc.get_threshold() == set_by_the_user
        assert len(report.outcomes) == 2

        def stop(outcome):
            raise KeyboardInterrupt
        with pytest.raises(KeyboardInterrupt):
            run_batch([tmp_path], progress=stop)
        assert gc.get_threshold() == set_by_the_user
    finally:
        gc.set_threshold(*before)
