"""The xlwings Lite route: `aeroi new --lite` and the main.py it writes, run as the add-in runs
it (tests/lite_standin.py): without lxml, openpyxl, XlsxWriter and click, without the aeroi
source tree, with a stand-in for Lite's xlwings and Book over a real template workbook.

Real Pyodide: with AEROI_PYODIDE_DIR set to an unpacked Pyodide distribution (the npm package
`pyodide`'s folder) and `node` on the PATH, main.py also runs inside real Pyodide under Node
(tests/pyodide_run.mjs). The npm package (314.0.7, Python 3.14.2) ships no numpy wheel: its
pyodide-lock.json names numpy-2.4.6 on the CDN, which a build machine without internet cannot
reach. Then only main.py's loader runs there (aeroi from its zip, rates.toml from the zip) and
the full run skips with that reason; with numpy's wheel in the folder the whole stand-in run
happens in Pyodide. docs/excel-checklist.md has the step that runs it in the add-in itself.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from click.testing import CliRunner

from calculator.cli import main
from calculator.excel import entry
from calculator.excel.lite import LITE_REQUIREMENTS, main_py, udf_names
from calculator.workbook.io import PackageWorkbook
from calculator.workbook.writer import write_cells
from calculator.workbook.xlsxpackage import XlsxPackage
from tests.stores import STORE, build_store

STANDIN = Path(__file__).with_name("lite_standin.py")


def _snapshot(book: Path) -> dict:
    """What Lite would hand the script: every defined name's and table's cells, dates as
    serial numbers."""
    package = XlsxPackage(book)

    def plain(value):
        if isinstance(value, (dt.date, dt.datetime)):
            day = value if isinstance(value, dt.datetime) else dt.datetime(*value.timetuple()[:3])
            return (day - dt.datetime(1899, 12, 30)).total_seconds() / 86400
        return value if value is None or isinstance(value, (bool, int, float)) else str(value)

    cells: dict[str, list] = {}
    names, tables = {}, {}
    rectangles = []
    for name in package.defined_names:
        target = package.get_name(name)
        names[target.name] = [target.sheet, target.min_row, target.min_col, target.max_row,
                              target.max_col]
        rectangles.append(target)
    for info in package.tables().values():
        tables[info.display_name] = [info.sheet, info.min_row, info.min_col, info.max_row,
                                     info.max_col]
        rectangles.append(info)
    from calculator.workbook.cellref import NameTarget
    for area in rectangles:
        values = package.read_range(NameTarget("", area.sheet, area.min_row, area.min_col,
                                               area.max_row, area.max_col))
        for r, row in enumerate(values):
            for c, value in enumerate(row):
                if value is not None:
                    cells.setdefault(area.sheet, []).append(
                        [area.min_row + r, area.min_col + c, plain(value)])
    return {"cells": cells, "names": names, "tables": tables}


def _run_in_lite(tmp_path: Path, book: Path) -> dict:
    main_file = tmp_path / "main.py"
    main_file.write_text(main_py(), encoding="utf-8")
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps(_snapshot(book)), encoding="utf-8")
    temp = tmp_path / "lite-tmp"
    temp.mkdir()
    done = subprocess.run(
        [sys.executable, "-S", str(STANDIN), str(main_file), str(snapshot),
         sysconfig.get_paths()["purelib"]],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
        env={"TMPDIR": str(temp), "PATH": "/usr/bin:/bin", "AEROI_LOG": str(tmp_path / "log")})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def lite_run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("lite")
    book = build_store(tmp_path / "store.xlsx", values=STORE)
    return book, _run_in_lite(tmp_path, book)


def test_aeroi_comes_from_the_bundle_and_nothing_outside_the_model_is_needed(lite_run):
    _, run = lite_run
    assert ".zip" in run["calculator_from"], run["calculator_from"]   # not the source tree
    assert run["blocked_loaded"] == []


def test_lite_registers_all_eleven_functions_and_the_calculate_script(lite_run):
    _, run = lite_run
    assert sorted(run["functions"]) == udf_names() and len(udf_names()) == 11
    assert run["scripts"] == ["Calculate"]
    for spec in run["functions"].values():
        assert spec["options"] == {"category": "aeroi"} and "expand" not in spec["ret"]


def test_each_function_gives_its_value_with_dates_as_lite_sends_them(lite_run):
    _, results = lite_run[0], lite_run[1]["results"]
    assert len(results) == 11
    for name, value in results.items():
        cells = value if isinstance(value, list) else [[value]]
        flat = [c for row in cells for c in (row if isinstance(row, list) else [row])]
        assert not any(isinstance(c, str) and c.startswith("#") for c in flat), (name, value)
    # 750 g standard: 2.80 + 3 steps x 0.45 = 4.15; 500 g: the first step, 2.80
    assert results["AE_FREIGHT"] == [[pytest.approx(4.15)], [pytest.approx(2.80)]]
    # opened 2026-09-01, T+0 2026-12-01 (serial numbers): 91 days, Rising takes stores < 1 year
    assert results["AE_ELIGIBLE"][0][0] is True
    assert results["AE_DEADLINE"].startswith("2026-12-31")     # T+30 ends 2026-12-31, Beijing
    assert len(results["AE_SCENARIOS"]) == 6 and len(results["AE_RISK"]) == 2


def test_calculate_writes_what_the_batch_writes_into_the_same_names(lite_run, tmp_path):
    book, run = lite_run
    assert run["status"].startswith("OK"), run["status"]
    batch = shutil.copy(book, tmp_path / "batch.xlsx")
    with PackageWorkbook(batch) as workbook:
        status = entry.calculate_book(workbook)
    assert run["status"] == status
    package = XlsxPackage(batch)
    for name in ("out_status", "out_recommendation", "out_recommendation_text", "out_cashflow",
                 "out_results", "out_costs", "out_checks", "out_eligibility", "out_risk"):
        expected = package.read_name(name)
        got = run["outputs"][name]
        assert len(got) == len(expected), name
        for got_row, expected_row in zip(got, expected):
            assert [None if v == "" else v for v in got_row] == \
                [pytest.approx(v) if isinstance(v, float) else v for v in expected_row], name


def test_a_wrong_input_is_named_in_the_status_cell_and_nothing_else_is_written(tmp_path):
    book = build_store(tmp_path / "store.xlsx", values=STORE)
    write_cells(book, {"in_parcel_weight_g": [["heavy"]]})
    run = _run_in_lite(tmp_path, book)
    assert run["status"].startswith("Nothing was calculated; please fix:")
    assert "Inputs!C14 in_parcel_weight_g" in run["status"]
    assert run["outputs"]["out_status"] == [[run["status"]]]
    assert run["writes"] == 1                         # the status cell, nothing else


def test_new_lite_writes_the_workbook_main_py_and_requirements(tmp_path):
    result = CliRunner().invoke(main, ["new", "--lite", str(tmp_path / "store.xlsx")])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "store-xlwings-lite"
    assert (tmp_path / "store.xlsx").is_file()
    assert (folder / "requirements.txt").read_text() == LITE_REQUIREMENTS == "numpy\n"
    text = (folder / "main.py").read_text(encoding="utf-8")
    assert "@script\ndef Calculate(book: xw.Book):" in text and "AE_RISK," in text
    assert "main.py" in result.output and "xlwings Lite" in result.output
    refused = CliRunner().invoke(main, ["new", "--lite", str(tmp_path / "store.xlsm")])
    assert refused.exit_code == 2 and "give an .xlsx path" in refused.output


def test_the_bundle_is_the_same_for_the_same_sources():
    # a re-run gives the same main.py: no dates or temp names inside
    assert main_py() == main_py()


# --- real Pyodide under Node (optional: AEROI_PYODIDE_DIR) ----------------------------------------

@pytest.fixture(scope="module")
def pyodide_run(tmp_path_factory):
    folder = os.environ.get("AEROI_PYODIDE_DIR")
    if not folder or not shutil.which("node"):
        pytest.skip("set AEROI_PYODIDE_DIR to an unpacked Pyodide (npm package `pyodide`) and "
                    "install node to run main.py in real Pyodide")
    tmp_path = tmp_path_factory.mktemp("pyodide")
    book = build_store(tmp_path / "store.xlsx", values=STORE)
    main_file = tmp_path / "main.py"
    main_file.write_text(main_py(), encoding="utf-8")
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps(_snapshot(book)), encoding="utf-8")
    done = subprocess.run(["node", str(Path(__file__).with_name("pyodide_run.mjs")),
                           str(Path(folder).resolve()), str(main_file), str(snapshot),
                           str(STANDIN)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_main_py_loads_aeroi_from_its_zip_in_real_pyodide(pyodide_run):
    boot = pyodide_run["bootstrap"]
    assert ".zip/calculator/" in boot["calculator_from"] and boot["rates_parsed"]


def test_functions_and_calculate_run_in_real_pyodide(pyodide_run, lite_run):
    if "numpy_error" in pyodide_run:
        pytest.skip(f"Pyodide {pyodide_run['pyodide']}: no numpy wheel in AEROI_PYODIDE_DIR "
                    f"(the npm package ships none; {pyodide_run['numpy_error'][:120]})")
    run, cpython = pyodide_run["run"], lite_run[1]
    assert sorted(run["functions"]) == udf_names() and run["scripts"] == ["Calculate"]
    assert run["results"]["AE_FREIGHT"] == [[pytest.approx(4.15)], [pytest.approx(2.80)]]
    assert run["status"] == cpython["status"] and run["status"].startswith("OK")
    assert run["outputs"]["out_results"] == cpython["outputs"]["out_results"]


# --- the dependency split: Lite installs the model's needs only --------------------------------

def test_the_package_itself_needs_numpy_only_and_the_tools_are_extras():
    import tomllib
    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml")
                            .read_text(encoding="utf-8"))["project"]
    assert [d.split(">")[0] for d in project["dependencies"]] == ["numpy"]
    extras = project["optional-dependencies"]
    assert {d.split(">")[0] for d in extras["batch"]} == {"click", "lxml", "XlsxWriter"}
    assert "aeroi[batch]" in extras["excel"] and "aeroi[excel]" in extras["test"]


def test_aeroi_without_the_batch_extra_says_what_to_install(monkeypatch, capsys):
    import builtins

    import calculator.__main__ as entry_point
    real_import = builtins.__import__

    def no_click(name, *args, **kwargs):
        if name == "click" or name == "calculator.cli":
            raise ModuleNotFoundError("No module named 'click'", name="click")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_click)
    with pytest.raises(SystemExit) as raised:
        entry_point.run()
    assert str(raised.value) == ("aeroi: the command line needs its batch tools (click is "
                                 'missing): python -m pip install "aeroi[batch]"')
