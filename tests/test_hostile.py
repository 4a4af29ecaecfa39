"""Broken and hostile input, kills mid-batch and concurrent runs (tests/hostile_corpus.py):
each bad file is named with a clear message and left unmodified, no traceback reaches the
user, the good files beside them are calculated, and nothing is ever half-written."""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from calculator.cli import main
from calculator.workbook import contract as c
from calculator.workbook.atomic import TEMP_PREFIX
from calculator.workbook.xlsxpackage import XlsxPackage
from tests.hostile_corpus import build_hostile
from tests.corpus_builder import build_corpus

ROOT = Path(__file__).resolve().parents[1]


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    expect = build_hostile(folder)
    before = _digests(folder)
    result = CliRunner().invoke(main, ["run", str(folder), "--json"])
    return folder, expect, before, result


def test_the_batch_reports_and_exits_1_without_a_traceback(hostile):
    _, _, _, result = hostile
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    json.loads(result.output)                                    # --json is valid JSON


@pytest.mark.parametrize("name", sorted(build_hostile.__globals__["WRONG_INPUTS"]))
def test_each_wrong_input_is_named_by_cell_with_what_was_expected(hostile, name):
    folder, expect, _, result = hostile
    report = {Path(w["file"]).name: w for w in json.loads(result.output)["workbooks"]}
    outcome = report[f"{name}.xlsx"]
    assert outcome["status"] == "failed"
    message = " | ".join(e["message"] for e in outcome["errors"])
    for words in expect[f"{name}.xlsx"][1]:
        assert words in message, f"{name}: {words!r} not in {message!r}"
    assert "Inputs!C" in message                                  # the cell is named


def test_every_bad_file_is_named_and_left_byte_for_byte_as_it_was(hostile):
    folder, expect, before, result = hostile
    report = {Path(w["file"]).name: w for w in json.loads(result.output)["workbooks"]}
    after = _digests(folder)
    for name, (what, words) in expect.items():
        if words is None:
            continue
        assert report[name]["status"] != "ok", f"{name} ({what}) was calculated"
        message = " | ".join(e["message"] for e in report[name]["errors"])
        for word in words:
            assert word in message, f"{name} ({what}): {word!r} not in {message!r}"
        assert after[name] == before[name], f"{name} ({what}) was modified"


def test_good_files_beside_them_are_calculated_and_the_lock_file_skipped(hostile):
    folder, expect, before, result = hostile
    data = json.loads(result.output)
    report = {Path(w["file"]).name: w for w in data["workbooks"]}
    for name, (what, words) in expect.items():
        if words is None:
            assert report[name]["status"] == "ok", f"{name} ({what}): {report[name]['errors']}"
    assert any(s["file"].endswith("~$open-in-excel.xlsx") for s in data["skipped"])
    opened = next(s for s in data["skipped"] if s["file"].endswith("/open-in-excel.xlsx"))
    assert "open in Excel or LibreOffice (lock file ~$open-in-excel.xlsx)" in opened["why"]
    for name in ("~$open-in-excel.xlsx", "open-in-excel.xlsx"):
        assert _digests(folder)[name] == before[name]


def test_formula_like_sku_names_stay_text_in_what_we_write(hostile):
    folder, _, _, _ = hostile
    path = folder / "formula-like-sku-names.xlsx"
    package = XlsxPackage(path)
    rows = package.read_name("out_sku_economics")
    names = {row[0] for row in rows[1:]}
    assert '=HYPERLINK("http://evil","x")' in names and "@SUM(A1:A9)" in names
    part = package.sheet_part(c.SKU_ECONOMICS_SHEET)
    with zipfile.ZipFile(path) as z:
        xml = z.read(part).decode()
    assert "<f>" not in xml                       # no cell of the sheet became a formula
    assert "HYPERLINK" in xml and 't="inlineStr"' in xml


def test_a_zip_bomb_is_refused_in_bounded_memory(hostile, tmp_path):
    folder, _, _, _ = hostile
    bomb = tmp_path / "zip-bomb.xlsx"
    shutil.copy(folder / "zip-bomb.xlsx", bomb)
    code, output, peak_kib = _run_with_peak_memory(
        [sys.executable, "-m", "calculator", "check", str(bomb)], timeout=120)
    assert code == 1 and "zip bomb" in output
    # the sheet inflates to 300 MB; reading it whole would show in the peak
    assert peak_kib < 250 * 1024


def _run_with_peak_memory(command: list[str], timeout: float) -> tuple[int, str, int]:
    """Exit code, output (stdout and stderr) and peak resident memory in KiB of ``command``
    itself (os.wait4: not the largest of every child this test process has had, which
    depends on what ran before in the same process)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, cwd=ROOT)
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        with process.stdout:
            output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)     # reaped here, not by Popen
    return process.returncode, output, usage.ru_maxrss


def test_a_folder_with_no_workbooks_says_so(tmp_path):
    result = CliRunner().invoke(main, ["run", str(tmp_path)])
    assert result.exit_code == 0
    assert "No workbooks found" in result.output


# --- kills and concurrent runs (real processes) ------------------------------------------------

def _start(folder: Path, *extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "calculator", "run", str(folder), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def _assert_whole(folder: Path, originals: dict[str, bytes]) -> None:
    """Every workbook is either exactly as it was or a complete, readable written workbook."""
    for name, data in originals.items():
        now = (folder / name).read_bytes()
        if now == data:
            continue
        package = XlsxPackage(folder / name)
        assert package.read_name("out_results")[1][0] == "baseline", name
        with zipfile.ZipFile(folder / name) as z:
            assert z.testzip() is None, name


@pytest.mark.slow
def test_sigkill_at_random_moments_never_leaves_a_half_written_workbook(tmp_path):
    source = tmp_path / "source"
    build_corpus(source, 8)
    originals = {p.name: p.read_bytes() for p in source.iterdir() if p.suffix in (".xlsx", ".xlsm")}
    rng = random.Random(20261125)
    folder = tmp_path / "work"

    def whole_run() -> tuple[subprocess.Popen, str, str, float]:
        began = time.monotonic()
        process = _start(folder)
        out, err = process.communicate(timeout=300)
        return process, out, err, time.monotonic() - began

    # a whole run timed first: each kill lands at a random moment inside a run as long as the
    # last whole run (import, reading, writing, summary), rather than after the run has ended
    shutil.copytree(source, folder)
    first, out, err, duration = whole_run()
    assert first.returncode == 0, f"{out}\n{err}"
    killed_while_running = 0
    for attempt in range(12):
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(source, folder)
        process = _start(folder)
        time.sleep(rng.uniform(0.05, 0.95) * duration)
        process.send_signal(signal.SIGKILL)
        process.wait()
        killed_while_running += process.returncode == -signal.SIGKILL
        _assert_whole(folder, originals)
        rerun, out, err, duration = whole_run()       # calculates all 8 again: a whole run
        assert rerun.returncode == 0, f"attempt {attempt}: {out}\n{err}"
        assert not [p for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)]
        assert "Traceback" not in err
        for name in originals:
            assert _calculated(XlsxPackage(folder / name).read_name("out_status")[0][0])
    assert killed_while_running, "every run had ended before its kill: nothing was tested"


def _calculated(status: str) -> bool:
    """The status line of a calculated workbook, English or Chinese (the corpus has both)."""
    return status.startswith(("OK", "正常", "已计算"))


@pytest.mark.slow
def test_two_batches_on_one_folder_never_lose_an_update(tmp_path):
    build_corpus(tmp_path, 6)
    first, second = _start(tmp_path), _start(tmp_path)
    results = [p.communicate(timeout=300) + (p.returncode,) for p in (first, second)]
    codes = sorted(code for _, _, code in results)
    # either both ran one after the other, or the second was refused with a clear message
    assert codes in ([0, 0], [0, 2]), results
    if codes == [0, 2]:
        refused = next(err for _, err, code in results if code == 2)
        assert "another aeroi run is working on this folder" in refused
    assert all("Traceback" not in err for _, err, _ in results)
    for path in tmp_path.glob("store-*.xls?"):
        assert _calculated(XlsxPackage(path).read_name("out_status")[0][0])
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]
