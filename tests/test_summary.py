"""The summary answers "which store should join which programme": one row per store first,
sorted by net gain, the detail after it, problems last; shared like the workbooks; recognised
by its marker whatever its name; also as CSV."""
from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from calculator.cli import main
from calculator.model import texts as tx
from calculator.model.programmes import SCENARIOS
from calculator.workbook.reader import read_store
from calculator.workbook.io import PackageWorkbook
from calculator.workbook.summary import STORE_COLUMNS
from tests.stores import STORE, build_store


def make(path: Path, lang="en", **changes) -> Path:
    return build_store(path, lang, values={**STORE, **changes})


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _rows(sheet):
    header = [cell.value for cell in sheet[2]]             # the ids, under the human labels
    return [dict(zip(header, (cell.value for cell in row))) for row in sheet.iter_rows(min_row=3)]


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "stores"
    make(folder / "small.xlsx")                           # GMV $3,000 / $4,000 / $5,200
    make(folder / "large.xlsx", in_gmv_m1=9000, in_gmv_m2=9500, in_gmv_m3=9800)
    make(folder / "broken.xlsx", in_parcel_weight_g="heavy")
    return folder


def test_first_sheet_one_row_per_store_best_net_gain_first_detail_then_problems(folder, tmp_path):
    result = run("run", folder, "--csv", tmp_path / "stores.csv")
    assert result.exit_code == 1                          # broken.xlsx failed, the others ran
    book = openpyxl.load_workbook(folder / "aeroi-summary.xlsx")
    assert book.sheetnames == ["Stores", "Detail", "Problems"]
    stores = _rows(book["Stores"])
    assert [r["store"] for r in stores][-1] == "broken"    # no figures: after every figure
    ranked = stores[:-1]
    assert {r["store"] for r in ranked} == {"small", "large"}
    gains = [r["net_gain"] for r in ranked]
    assert gains == sorted(gains, reverse=True)
    detail = _rows(book["Detail"])
    for row in ranked:
        # the store's row repeats the recommended scenario's figures of the detail sheet
        chosen = next(d for d in detail if d["store"] == row["store"] and d["recommended"])
        assert row["recommended"] == tx.scenario_label(chosen["scenario"])
        assert row["net_gain"] == pytest.approx(chosen["net_gain"])
        assert row["status"] == "calculated"
    broken = stores[-1]
    assert broken["status"] == "failed" and "in_parcel_weight_g" in broken["unknown_or_failing"]
    assert any("in_parcel_weight_g" in (r["message"] or "") for r in _rows(book["Problems"]))
    for sheet in book.worksheets:                         # printed landscape, one page wide
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0

    with open(tmp_path / "stores.csv", encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert tuple(lines[0]) == STORE_COLUMNS
    assert [line["store"] for line in lines] == [r["store"] for r in stores]
    assert float(lines[0]["net_gain"]) == pytest.approx(stores[0]["net_gain"], abs=0.005)


def test_a_summary_is_skipped_by_its_marker_whatever_its_name(folder, tmp_path):
    (folder / "broken.xlsx").unlink()
    assert run("run", folder).exit_code == 0
    renamed = folder / "north region, december.xlsx"       # a colleague renamed it
    shutil.move(folder / "aeroi-summary.xlsx", renamed)
    checked = run("check", folder)
    assert checked.exit_code == 0, checked.output
    assert f"skipped {renamed}: aeroi summary workbook" in checked.output
    assert "2 of 2 workbook(s) valid" in checked.output
    again = run("run", folder, "--summary", tmp_path / "elsewhere.xlsx")
    assert again.exit_code == 0 and "2 of 2 workbook(s) calculated" in again.output


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664)])
def test_summary_and_csv_are_shared_like_workbooks(folder, tmp_path, umask, mode):
    (folder / "broken.xlsx").unlink()
    previous = os.umask(umask)
    try:
        assert run("run", folder, "--csv", tmp_path / "s.csv").exit_code == 0
    finally:
        os.umask(previous)
    assert (folder / "aeroi-summary.xlsx").stat().st_mode & 0o777 == mode
    assert (tmp_path / "s.csv").stat().st_mode & 0o777 == mode


def test_a_chinese_folder_gets_a_chinese_summary_and_the_language_is_read(tmp_path):
    book = make(tmp_path / "zh" / "店铺.xlsx", "zh")
    with PackageWorkbook(book) as opened:
        assert read_store(opened).language == "zh"
    with PackageWorkbook(make(tmp_path / "en" / "store.xlsx")) as opened:
        assert read_store(opened).language == "en"
    assert run("run", book.parent).exit_code == 0
    summary = openpyxl.load_workbook(book.parent / "aeroi-summary.xlsx")
    assert summary.sheetnames[0] == "店铺"
    row = _rows(summary.worksheets[0])[0]
    assert row["store"] == "店铺" and row["status"] == "已计算"
    assert row["recommended"] in {tx.scenario_label(s, "zh") for s in SCENARIOS}


def test_a_row_waiting_for_a_forecast_has_no_risk_figures_on_the_risk_sheet(folder):
    # the Risk sheet showed P(loss) 0 and ROI "no outlay" for Super Hot without a forecast
    # (a requirement read as a sure nothing); it shows what Results and the summary show: a
    # blank P(loss), "needs your forecast" for each ROI, and the net gain of 0 Results shows
    run("run", folder)
    from calculator.workbook.xlsxpackage import XlsxPackage
    header, *rows = XlsxPackage(folder / "small.xlsx").read_name("out_risk")
    hot = dict(zip(header, next(r for r in rows if r[0] == "super_hot")))
    assert hot["p_loss"] is None
    assert [hot[k] for k in ("roi_p10", "roi_p50", "roi_p90")] == ["needs your forecast"] * 3
    assert [hot[k] for k in ("net_gain_p10", "net_gain_p50", "net_gain_p90")] == [0, 0, 0]
    rising = dict(zip(header, next(r for r in rows if r[0] == "gsc_rising")))
    assert isinstance(rising["p_loss"], float)      # a priced programme keeps its figures


def test_the_risk_sheet_details_a_priced_programme_when_none_is_open():
    # example 06 (Italian sole trader, health score 71): Rising, Leap and Shumao are ruled
    # out and Super Hot waits for a forecast. The Risk sheet detailed Super Hot, whose
    # draws are all 0 (one bar of 100% at $0, every input moving it by $0); it details the
    # first priced programme instead, Rising, whose spread is there to see
    from calculator.model.scenarios import compute_scenarios
    from calculator.workbook.results import risk_subject
    example = next(Path("workbooks/examples").glob("06-*.xlsx"))
    with PackageWorkbook(example) as opened:
        read = read_store(opened)
    table = compute_scenarios(read.inputs, read.rates)
    status = dict(zip(table.scenarios, table.eligible))
    assert [status[s] for s in ("gsc_rising", "gsc_leap", "shumao")] == [False] * 3
    assert table.forecast_missing[table.index("super_hot")]
    assert risk_subject(table, "none") == "gsc_rising"


def test_check_messages_say_valid_and_failed_once_with_the_reason(folder):
    result = run("check", folder)
    lines = result.output.splitlines()
    assert not any("calculated" in line for line in lines), result.output
    assert any(line.strip().startswith("valid") and "small.xlsx" in line for line in lines)
    failed = [line for line in lines if "FAILED" in line]
    assert len(failed) == 1
    # "FAILED path: reason", the file named once and no bare "failed"
    assert "in_parcel_weight_g" in failed[0] and failed[0].count("broken.xlsx") == 1
    assert ": failed" not in result.output


def test_a_row_waiting_for_a_forecast_has_no_risk_figures_in_the_summary(folder):
    # no in_super_hot_forecast_usd: Super Hot is not priced, so it has no distribution. It
    # showed p_loss 0 and roi_p50 "no outlay"; it shows a blank and "needs your forecast"
    run("run", folder)
    book = openpyxl.load_workbook(folder / "aeroi-summary.xlsx")
    hot = [d for d in _rows(book["Detail"]) if d["scenario"] == "super_hot"]
    assert hot
    for row in hot:
        assert row["p_loss"] is None
        assert row["roi_p50"] == "needs your forecast"


def test_a_chinese_workbook_refused_for_its_inputs_is_explained_in_chinese(tmp_path):
    # a failed workbook is left as it was, so the summary is the only place its user reads
    # why: for a Chinese folder it was English from title to message. The message is worded
    # from the same cell, label and value: C7 holds the text '1,200', so "type 1200"
    folder = tmp_path / "stores"
    make(folder / "店铺一.xlsx", "zh", in_gmv_m1="1,200")
    make(folder / "店铺二.xlsx", "zh")
    assert run("run", folder).exit_code == 1
    book = openpyxl.load_workbook(folder / "aeroi-summary.xlsx")
    assert book.sheetnames == ["店铺", "明细", "问题"]
    [problem] = _rows(book["问题"])
    assert problem["message"] == ("店铺一.xlsx: Inputs!C7 in_gmv_m1(GMV,三个月前(最早)):应为"
                                  "金额(美元),不小于 0,实际为 '1,200'('1,200' 是文本;请输入 1200)")
    assert problem["expected"] == "金额(美元),不小于 0" and problem["found"] == "1,200"
    failed = next(r for r in _rows(book["店铺"]) if r["store"] == "店铺一")
    assert failed["status"] == "失败" and failed["unknown_or_failing"].startswith("Inputs!C7 ")
    assert {r["status"] for r in _rows(book["明细"])} == {"失败", "已计算"}
