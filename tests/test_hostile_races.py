"""Nothing lost, part 2 (issue 16): races with other programs, names that point where they
should not, dying workers, failing summaries, lock files and odd files. Each test reproduces
one numbered case of the issue; the races are made deterministic with a hook between read and
replace (atomic.BEFORE_COMPARE_HOOKS) or around the calculation, not with sleeps, and one test
races a real second process."""
from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from lxml import etree

from calculator.cli import main
from calculator.workbook import atomic, batch
from calculator.workbook import contract as c
from calculator.workbook.atomic import TEMP_PREFIX
from calculator.workbook.batch import LOCK_NAME, run_batch
from calculator.workbook.writer import write_cells
from calculator.workbook.xlsxpackage import XlsxPackage
from tests.stores import STORE, build_store

ROOT = Path(__file__).resolve().parents[1]
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
GMV_M3 = [s.name for s in c.INPUTS].index("in_gmv_m3")     # its row in the input snapshot


def make(path: Path, skus=None, **changes) -> Path:
    return build_store(path, values={**STORE, **changes}, skus=skus)


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def value(path: Path, name: str):
    return XlsxPackage(path).read_name(name)[0][0]


def save_like_another_program(path: Path, data: bytes) -> None:
    """What Excel, LibreOffice and most programs do: write a temp file, rename it over."""
    temp = path.with_name(f"~other{os.getpid()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def edited_copy(path: Path, tmp: Path, **inputs) -> bytes:
    """The bytes of ``path`` after a user changed some inputs (saved by another program)."""
    copy = tmp / f"edit-{len(list(tmp.iterdir()))}.bin.xlsx"
    shutil.copy(path, copy)
    write_cells(copy, {name: [[v]] for name, v in inputs.items()}, full_calc_on_load=False)
    data = copy.read_bytes()
    copy.unlink()
    return data


def rewrite_parts(path: Path, change) -> None:
    """Rewrite the package with ``change(name, bytes) -> bytes`` applied to every part."""
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            out.writestr(info.filename, change(info.filename, data))


def set_cell_xml(path: Path, name: str, build) -> None:
    """Replace the children of the cell a defined name points at: ``build(cell)``."""
    target = XlsxPackage(path).get_name(name)
    part = XlsxPackage(path).sheet_part(target.sheet)

    def change(part_name, data):
        if part_name != part:
            return data
        root = etree.fromstring(data)
        for cell in root.iter(f"{{{NS}}}c"):
            if cell.get("r") == target.top_left:
                for child in list(cell):
                    cell.remove(child)
                for attribute in ("t",):
                    cell.attrib.pop(attribute, None)
                build(cell)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    rewrite_parts(path, change)


def redefine(path: Path, name: str, reference: str) -> None:
    """Point a defined name elsewhere by editing xl/workbook.xml (as a user or a script may)."""
    def change(part_name, data):
        if part_name != "xl/workbook.xml":
            return data
        root = etree.fromstring(data)
        for node in root.iter(f"{{{NS}}}definedName"):
            if node.get("name") == name:
                node.text = reference
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    rewrite_parts(path, change)


@pytest.fixture
def hooks():
    yield atomic.BEFORE_COMPARE_HOOKS
    atomic.BEFORE_COMPARE_HOOKS.clear()


# --- 1. another program's save during the run ------------------------------------------------

def test_1_a_save_between_read_and_replace_is_kept_and_the_new_inputs_calculated(
        tmp_path, hooks):
    folder = tmp_path / "books"
    book = make(folder / "store.xlsx")
    theirs = edited_copy(book, tmp_path, in_gmv_m3=5300)     # the user typed 5,300 and saved
    saves = []

    def other_program_saves(dest):
        if dest == book and not saves:      # once: right before our replace
            save_like_another_program(dest, theirs)
            saves.append(dest)
    hooks.append(other_program_saves)
    report = run_batch([folder])
    outcome = report.outcomes[0]
    assert saves and outcome.status == "ok", outcome.errors
    assert any("changed by another program" in note for note in outcome.notes)
    # their save is there, and the results are calculated from it (not from the old 5,200)
    assert value(book, "in_gmv_m3") == 5300
    assert XlsxPackage(book).read_name("out_input_snapshot")[GMV_M3][0] == 5300
    assert value(book, "out_status").startswith("OK")


def test_1_a_file_that_keeps_changing_is_named_and_the_last_save_kept(tmp_path, hooks):
    folder = tmp_path / "books"
    book = make(folder / "store.xlsx")
    versions = [edited_copy(book, tmp_path, in_gmv_m3=5300 + n) for n in range(3)]
    saved = []

    def other_program_saves(dest):
        if dest != book:                    # the summary
            return
        data = versions[len(saved)]
        save_like_another_program(dest, data)
        saved.append(data)
    hooks.append(other_program_saves)
    result = run("run", folder)
    assert result.exit_code == 1
    assert "changed by another program during the run, twice" in result.output
    assert "run again" in result.output
    assert book.read_bytes() == saved[-1]                   # never lost, never mixed


def test_1_a_save_between_read_and_write_never_gives_results_of_the_old_inputs(
        tmp_path, monkeypatch):
    from calculator.workbook import results
    folder = tmp_path / "books"
    book = make(folder / "store.xlsx")
    theirs = edited_copy(book, tmp_path, in_gmv_m3=5300)
    calculate = results.calculate_blocks
    saves = []

    def calculate_while_they_save(io, read, *args, **kwargs):
        blocks = calculate(io, read, *args, **kwargs)
        if not saves:                  # after we read 5,200, before we open it to write
            save_like_another_program(book, theirs)
            saves.append(1)
        return blocks
    monkeypatch.setattr(results, "calculate_blocks", calculate_while_they_save)
    report = run_batch([folder])
    assert report.outcomes[0].status == "ok", report.outcomes[0].errors
    assert value(book, "in_gmv_m3") == 5300
    assert XlsxPackage(book).read_name("out_input_snapshot")[GMV_M3][0] == 5300


@pytest.mark.slow
def test_1_a_real_second_process_saving_during_runs_never_loses_its_save(tmp_path):
    """`aeroi run` in its own process, while this process saves the workbook the usual way at
    moments spread over the run (fractions of a run timed first). After each race the
    workbook holds the other program's save: as saved, or calculated from it."""
    skus = [dict(sku=f"S{n}", category="general", weight_g=200 + n, price_usd=20,
                 orders_per_month=3) for n in range(400)]
    source = make(tmp_path / "source.xlsx", skus=skus)
    theirs = edited_copy(source, tmp_path, in_gmv_m3=5300)
    folder = tmp_path / "race"

    def start() -> tuple[Path, subprocess.Popen]:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        shutil.copy(source, folder / "store.xlsx")
        return folder / "store.xlsx", subprocess.Popen(
            [sys.executable, "-m", "calculator", "run", str(folder)], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, cwd=ROOT)

    began = time.monotonic()
    _, process = start()
    process.communicate(timeout=300)
    duration = time.monotonic() - began
    for attempt, share in enumerate((0.55, 0.75, 0.9)):
        book, process = start()
        time.sleep(duration * share)           # a moment late in the run (after the import)
        save_like_another_program(book, theirs)
        out, err = process.communicate(timeout=300)
        assert "Traceback" not in err, err
        assert process.returncode in (0, 1), (out, err)
        assert value(book, "in_gmv_m3") == 5300, f"attempt {attempt}: their save was lost"
        if book.read_bytes() != theirs:        # we wrote: from their inputs, not the old ones
            assert XlsxPackage(book).read_name("out_input_snapshot")[GMV_M3][0] == 5300
        else:
            assert process.returncode == 0 or "changed by another program" in out


# --- 2 and 7. output names that point where they should not -----------------------------------

def test_2_an_output_name_on_the_inputs_is_refused_before_anything_is_written(tmp_path):
    book = make(tmp_path / "store.xlsx")
    redefine(book, "out_costs", "Inputs!$A$5:$I$10")
    before = digest(book)
    result = run("run", tmp_path)
    assert result.exit_code == 1
    assert "out_costs" in result.output and "Inputs!$A$5:$I$10" in result.output
    assert "results belong on the sheet 'Results'" in result.output
    assert digest(book) == before


def test_2_an_output_block_over_an_input_on_its_own_sheet_is_refused(tmp_path):
    book = make(tmp_path / "store.xlsx")
    seed = XlsxPackage(book).get_name("in_risk_seed")          # an input on the Risk sheet
    redefine(book, "out_risk_scenario", f"Risk!${seed.top_left[0]}${seed.top_left[1:]}")
    before = digest(book)
    result = run("run", tmp_path)
    assert result.exit_code == 1
    assert "out_risk_scenario" in result.output and "overlaps the input in_risk_seed" \
        in result.output
    assert digest(book) == before


def test_2_an_output_block_over_another_output_is_refused(tmp_path):
    # out_recommendation_text laid on the top-left cell of out_results (A8 in the template):
    # whichever of the two is checked second is refused, naming the first
    book = make(tmp_path / "store.xlsx")
    results = XlsxPackage(book).get_name("out_results")
    corner = f"Results!${results.top_left[0]}${results.top_left[1:]}"
    redefine(book, "out_recommendation_text", corner)
    before = digest(book)
    result = run("run", tmp_path)
    assert result.exit_code == 1
    assert f"out_results: its block {corner}:" in result.output
    assert f"overlaps the results of out_recommendation_text ({corner})" in result.output
    assert digest(book) == before


def test_7_an_output_stretched_over_the_live_stale_flag_is_refused(tmp_path):
    book = make(tmp_path / "store.xlsx")
    status = XlsxPackage(book).get_name("out_status")
    column = status.top_left.rstrip("0123456789")
    redefine(book, "out_status", f"Results!${column}${status.min_row}:${column}"
                                 f"${status.min_row + 27}")                  # 28 rows
    before = digest(book)
    result = run("run", tmp_path)
    assert result.exit_code == 1
    assert "out_status" in result.output and "28×1 cells" in result.output
    assert digest(book) == before


def test_7_an_output_stretched_to_the_whole_sheet_is_refused_in_bounded_memory(tmp_path):
    book = make(tmp_path / "store.xlsx")
    redefine(book, "out_risk_histogram", "Risk!$A$40:$XFD$1048576")
    before = digest(book)

    def limit_memory():                     # 1.5 GB of address space: the run needed 3+
        resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-m", "calculator", "run", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, env=env,
                          preexec_fn=limit_memory)
    assert done.returncode == 1, done.stderr
    assert "out_risk_histogram" in done.stdout and "1,048,537×16,384 cells" in done.stdout
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stdout
    assert digest(book) == before


def test_7_an_input_name_stretched_to_the_whole_sheet_is_named_not_read(tmp_path):
    book = make(tmp_path / "store.xlsx")
    redefine(book, "in_gmv_m1", "Inputs!$A$1:$XFD$1048576")
    result = run("check", tmp_path)
    assert result.exit_code == 1
    assert "in_gmv_m1" in result.output and "expected one cell" in result.output


# --- 3. --summary never overwrites a workbook that is not a summary ----------------------------

def test_3_summary_onto_a_store_workbook_is_refused_and_the_store_kept(tmp_path):
    book = make(tmp_path / "store.xlsx")
    other = make(tmp_path / "other.xlsx")
    before = digest(book), digest(other)
    result = run("run", tmp_path, "--summary", book)
    assert result.exit_code == 2
    assert "not an aeroi summary" in result.output and "not overwritten" in result.output
    assert (digest(book), digest(other)) == before


def test_3_a_summary_is_replaced_by_the_next_run(tmp_path):
    make(tmp_path / "books" / "store.xlsx")
    summary = tmp_path / "team-summary.xlsx"
    assert run("run", tmp_path / "books", "--summary", summary).exit_code == 0
    first = digest(summary)
    make(tmp_path / "books" / "second.xlsx")
    assert run("run", tmp_path / "books", "--summary", summary).exit_code == 0
    assert digest(summary) != first
    # Detail: a row of labels, a row of column ids, then 2 stores × 5 scenarios
    assert openpyxl.load_workbook(summary)["Detail"].max_row == 2 + 2 * 5


# --- 4. formulas in inputs without a saved value ------------------------------------------------

def _formula_without_value(text):
    def build(cell):
        etree.SubElement(cell, f"{{{NS}}}f").text = text
    return build


def _formula_with_value(text, cached):
    def build(cell):
        etree.SubElement(cell, f"{{{NS}}}f").text = text
        etree.SubElement(cell, f"{{{NS}}}v").text = cached
    return build


@pytest.mark.parametrize("name", ["in_parcel_length_cm", "in_gmv_m1"])
def test_4_a_formula_input_without_a_saved_value_is_named_optional_or_required(tmp_path, name):
    book = make(tmp_path / "store.xlsx", in_parcel_width_cm=40, in_parcel_height_cm=40)
    set_cell_xml(book, name, _formula_without_value("60"))
    before = digest(book)
    result = run("run", tmp_path)
    assert result.exit_code == 1
    assert name in result.output
    assert "a formula (=60) with no saved value: open and save the workbook in Excel or " \
           "LibreOffice, or type the number" in result.output
    assert "a blank cell" not in result.output
    assert digest(book) == before


def test_4_a_formula_input_with_a_saved_value_counts_as_that_value(tmp_path):
    typed = make(tmp_path / "typed" / "store.xlsx", in_parcel_length_cm=60,
                 in_parcel_width_cm=40, in_parcel_height_cm=40)
    formula = make(tmp_path / "formula" / "store.xlsx", in_parcel_width_cm=40,
                   in_parcel_height_cm=40)
    set_cell_xml(formula, "in_parcel_length_cm", _formula_with_value("30*2", "60"))
    for book in (typed, formula):
        assert run("run", book.parent).exit_code == 0
    # the 60×40×40 box makes the parcel volumetric: the same freight either way
    assert XlsxPackage(formula).read_name("out_results") == \
        XlsxPackage(typed).read_name("out_results")


# --- 5. a worker that dies ----------------------------------------------------------------------

_real_process_workbook = batch.process_workbook


def _killed_on_store_3(path, *args):
    if path.endswith("store-3.xlsx"):
        os.kill(os.getpid(), signal.SIGKILL)          # as the out-of-memory killer would
    return _real_process_workbook(path, *args)


def _killed_once_on_store_3(path, *args):
    marker = Path(path).with_name("killed-once.txt")
    if path.endswith("store-3.xlsx") and not marker.exists():
        marker.write_text("x")
        os.kill(os.getpid(), signal.SIGKILL)
    return _real_process_workbook(path, *args)


def test_5_a_worker_killed_is_one_failed_workbook_and_the_batch_goes_on(tmp_path, monkeypatch):
    for n in range(6):
        make(tmp_path / f"store-{n}.xlsx")
    before = digest(tmp_path / "store-3.xlsx")
    monkeypatch.setattr(batch, "process_workbook", _killed_on_store_3)   # forked workers see it
    result = run("run", tmp_path, "--jobs", "2")
    assert result.exit_code == 1
    assert "5 of 6 workbook(s) calculated" in result.output
    assert "store-3.xlsx: not calculated: its worker stopped (out of memory?)" in result.output
    assert digest(tmp_path / "store-3.xlsx") == before
    summary = openpyxl.load_workbook(tmp_path / "aeroi-summary.xlsx")["Detail"]
    statuses = {row[1]: row[2] for row in summary.iter_rows(min_row=3, values_only=True)}
    assert statuses["store-3"] == "failed" and statuses["store-0"] == "ok"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_5_the_workbooks_a_dead_worker_took_along_are_calculated_again(tmp_path, monkeypatch):
    for n in range(5):
        make(tmp_path / f"store-{n}.xlsx")
    monkeypatch.setattr(batch, "process_workbook", _killed_once_on_store_3)
    report = run_batch([tmp_path], jobs=2)
    assert [o.status for o in report.outcomes] == ["ok"] * 5
    assert any("a worker process stopped" in note for note in report.notes)


# --- 6. summary trouble is one line after the report --------------------------------------------

def test_6_a_full_disk_for_the_summary_is_one_line_and_exit_1(tmp_path, monkeypatch):
    import errno

    import xlsxwriter
    book = make(tmp_path / "store.xlsx")

    def disk_full(self):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(xlsxwriter.Workbook, "close", disk_full)
    result = run("run", tmp_path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].strip().startswith("calculated")              # the report first
    assert lines[-1].startswith("aeroi: the summary ") and "No space left on device" in lines[-1]
    assert "the workbooks' own results are written" in lines[-1]
    assert value(book, "out_status").startswith("OK")              # stays written
    assert not (tmp_path / "aeroi-summary.xlsx").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root to run the batch as another (normal) user")
def test_6_a_read_only_folder_as_a_normal_user_gives_a_report_not_a_traceback():
    folder = Path(tempfile.mkdtemp(prefix="aeroi-readonly-"))
    try:
        make(folder / "store.xlsx")
        os.chmod(folder, 0o755)
        os.chmod(folder / "store.xlsx", 0o644)          # readable, the folder not writable
        done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               sys.executable, "-m", "calculator", "run", str(folder)],
                              capture_output=True, text=True, timeout=120, cwd=ROOT,
                              env=dict(os.environ, HOME="/tmp", PYTHONDONTWRITEBYTECODE="1"))
        assert done.returncode == 1, done
        assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
        assert "FAILED" in done.stdout and "store.xlsx: the file is read-only" in done.stdout
        assert done.stdout.splitlines()[-1].startswith("aeroi: the summary")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- 8. symbolic links --------------------------------------------------------------------------

def test_8_a_linked_workbook_updates_its_target_and_says_so(tmp_path):
    real = make(tmp_path / "shared" / "acme.xlsx")
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "acme.xlsx").symlink_to(real)
    result = run("run", folder)
    assert result.exit_code == 0, result.output
    assert (folder / "acme.xlsx").is_symlink()                       # still a link
    assert value(real, "out_status").startswith("OK")                # the target has results
    assert "is a link: the results were written into the file it points to" in result.output
    assert not [p for p in (tmp_path / "shared").iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_8_a_link_beside_its_target_is_calculated_once(tmp_path):
    real = make(tmp_path / "acme.xlsx")
    (tmp_path / "acme-link.xlsx").symlink_to(real)
    result = run("run", tmp_path, "--json")
    data = json.loads(result.output)
    assert [Path(w["file"]).name for w in data["workbooks"]] == ["acme.xlsx"]
    assert any("a link to" in s["why"] for s in data["skipped"])


# --- 9. check and run never delete a live run's temp files --------------------------------------

def test_9_check_during_a_run_leaves_its_temp_file_and_the_run_succeeds(tmp_path, hooks):
    book = make(tmp_path / "store.xlsx")
    checks = []

    def user_runs_check_now(dest):
        if dest != book:
            return
        assert [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]
        checks.append(subprocess.run([sys.executable, "-m", "calculator", "check",
                                      str(tmp_path)], capture_output=True, text=True,
                                     timeout=120, cwd=ROOT))
    hooks.append(user_runs_check_now)
    report = run_batch([tmp_path])
    assert checks and checks[0].returncode == 0, checks
    assert report.outcomes[0].status == "ok", report.outcomes[0].errors
    assert value(book, "out_status").startswith("OK")


def test_9_only_temps_whose_process_is_gone_are_removed(tmp_path):
    make(tmp_path / "store.xlsx")
    alive = subprocess.Popen(["sleep", "60"])
    dead = subprocess.Popen(["true"])
    dead.wait()
    prefix = atomic._temp_prefix()          # this machine's name, the pid replaced below
    host_prefix = prefix[: prefix.rstrip("-").rfind("-") + 1]
    live_temp = tmp_path / f"{host_prefix}{alive.pid}-abc.xlsx"
    dead_temp = tmp_path / f"{host_prefix}{dead.pid}-def.xlsx"
    other_host = tmp_path / f"{TEMP_PREFIX}elsewhere-1-ghi.xlsx"      # cannot tell: an hour
    try:
        for temp in (live_temp, dead_temp, other_host):
            temp.write_bytes(b"half written")
        assert run("check", tmp_path).exit_code == 0
        assert live_temp.exists() and dead_temp.exists()          # check removes nothing
        assert run("run", tmp_path).exit_code == 0
        assert live_temp.exists() and other_host.exists() and not dead_temp.exists()
    finally:
        alive.kill()
        alive.wait()


# --- 10. strict date text -------------------------------------------------------------------------

def test_10_date_text_with_an_extra_digit_is_refused_not_cut(tmp_path):
    book = make(tmp_path / "store.xlsx")
    write_cells(book, {"in_eval_date": [["2026-12-019"]]})
    result = run("run", tmp_path)
    assert result.exit_code == 1
    # the input named with its label as the Inputs sheet shows it
    assert "in_eval_date (Evaluation date (T+0)): expected a date (e.g. 2026-12-01), found " \
        "'2026-12-019'" in " ".join(result.output.split())


# --- 11. lock files, odd files, long and escaped text, names, owners ---------------------------

@pytest.mark.parametrize("lock", ["~$acme.xlsx", ".~lock.acme.xlsx#"])
def test_11_a_workbook_open_in_excel_or_libreoffice_is_skipped_unless_asked(tmp_path, lock):
    book = make(tmp_path / "acme.xlsx")
    (tmp_path / lock).write_bytes(b"owner")
    before = digest(book)
    result = run("run", tmp_path)
    assert f"open in Excel or LibreOffice (lock file {lock}): close it and run again" \
        in result.output
    assert digest(book) == before
    result = run("run", tmp_path, "--ignore-locks")
    assert result.exit_code == 0 and "1 of 1 workbook(s) calculated" in result.output


def test_11_encrypted_and_binary_files_are_named_with_what_to_do(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    (tmp_path / "secret.xlsx").write_bytes(ole + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512)
    (tmp_path / "renamed.xlsx").write_bytes(ole + "Workbook".encode("utf-16-le") + b"\0" * 512)
    (tmp_path / "old.xls").write_bytes(ole)
    (tmp_path / "binary.xlsb").write_bytes(b"PK")
    result = run("run", tmp_path, "--json")
    data = json.loads(result.output)
    errors = {Path(w["file"]).name: w["errors"][0] for w in data["workbooks"]}
    assert "password-protected: save it without a password" in errors["secret.xlsx"]["message"]
    assert "an older or binary Excel format (.xls)" in errors["renamed.xlsx"]["message"]
    assert errors["secret.xlsx"]["kind"] == "unsupported"
    skipped = {Path(s["file"]).name: s["why"] for s in data["skipped"]}
    assert "save it as .xlsx" in skipped["old.xls"] and "save it as .xlsx" in skipped["binary.xlsb"]


def test_11_text_beyond_excels_cell_limit_is_cut_with_a_note_naming_the_cell(tmp_path):
    book = make(tmp_path / "store.xlsx", skus=[dict(sku="LONGSKU", category="general",
                                                    weight_g=500, price_usd=20,
                                                    orders_per_month=10)])
    # a script wrote a 40,000-character SKU name (XlsxWriter and Excel would cut it)
    rewrite_parts(book, lambda name, data: data.replace(b">LONGSKU<", b">" + b"S" * 40_000
                                                        + b"<"))
    result = run("run", tmp_path)
    assert result.exit_code == 0, result.output
    assert "a text of 40,000 characters was cut to Excel's limit of 32,767" in result.output
    assert "'SKU economics'!A" in result.output or "SKU economics!A" in result.output
    names = {row[0] for row in XlsxPackage(book).read_name("out_sku_economics")[1:]}
    assert names == {"S" * 32_767}


def test_11_escaped_text_is_decoded_on_read_and_escaped_on_write(tmp_path):
    # "_x0041_" typed as text is stored "_x005F_x0041_"; "A_x0042_C" stored means "ABC"
    skus = [dict(sku=f"K{n}", category="general", weight_g=500, price_usd=20,
                 orders_per_month=10) for n in range(2)]
    book = make(tmp_path / "store.xlsx", skus=skus)

    def change(part_name, data):
        text = data.decode("utf-8", "surrogateescape")
        return text.replace(">K0<", ">_x005F_x0041_<").replace(">K1<", ">A_x0042_C<") \
            .encode("utf-8", "surrogateescape")
    rewrite_parts(book, change)
    result = run("run", tmp_path, "--json")
    assert result.exit_code == 0, result.output
    assert "_x005F_" not in result.output
    names = {row[0] for row in XlsxPackage(book).read_name("out_sku_economics")[1:]}
    assert names == {"ABC", "_x0041_"}
    # written escaped, as Excel reads it back: the literal text, not the letter A
    part = XlsxPackage(book).sheet_part(c.SKU_ECONOMICS_SHEET)
    with zipfile.ZipFile(book) as package:
        xml = package.read(part).decode()
    assert "<t>_x005F_x0041_</t>" in xml and "<t>_x0041_</t>" not in xml


def test_11_control_characters_in_file_names_cannot_forge_report_lines(tmp_path):
    make(tmp_path / "x\n     FAILED  forged.xlsx")
    result = run("run", tmp_path)
    assert result.exit_code == 0, result.output
    assert not any(line.lstrip().startswith("FAILED") for line in result.output.splitlines())
    assert "x\\n     FAILED  forged.xlsx" in result.output


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_11_a_run_as_root_keeps_the_owner_group_and_mode_of_each_workbook(tmp_path):
    book = make(tmp_path / "store.xlsx")
    os.chown(book, 12345, 23456)
    os.chmod(book, 0o640)
    assert run("run", tmp_path).exit_code == 0
    info = book.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o7777) == (12345, 23456, 0o640)
    assert value(book, "out_status").startswith("OK")


def test_11_the_docs_name_the_lock_file_the_code_uses():
    text = (ROOT / "docs" / "reliability.md").read_text()
    assert f"`{LOCK_NAME}`" in text and "`.aeroi.lock`" not in text


def test_every_numbered_case_has_a_test():
    names = [n for n in globals() if n.startswith("test_")]
    for case in range(1, 12):
        assert any(n.startswith(f"test_{case}_") for n in names), case
