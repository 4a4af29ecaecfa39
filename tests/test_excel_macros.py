"""Every RunPython string in macros/*.bas must import and call a function that exists."""
import importlib
import re
from pathlib import Path

import pytest

MACROS = Path(__file__).resolve().parents[1] / "macros"
RUNPYTHON = re.compile(r'RunPython\s+"import\s+([\w.]+)(?:\s+as\s+(\w+))?;\s*([\w.]+)\(\)"')


def _calls():
    for bas in sorted(MACROS.glob("*.bas")):
        for line in bas.read_text(encoding="utf-8").splitlines():
            if "RunPython" in line and not line.strip().startswith("'"):
                yield bas.name, line.strip()


def test_there_are_macros_to_import():
    assert list(_calls()), "macros/*.bas has no RunPython call"


@pytest.mark.parametrize("bas, line", list(_calls()))
def test_runpython_string_resolves_to_a_callable(bas, line):
    match = RUNPYTHON.search(line)
    assert match, f"{bas}: unexpected RunPython form: {line}"
    module_name, alias, call = match.groups()
    module = importlib.import_module(module_name)
    target = call.split(".", 1)[1] if alias and call.startswith(alias + ".") else call
    function = getattr(module, target, None)
    assert callable(function), f"{bas}: {module_name}.{target} does not exist"


def test_macros_use_a_fixed_module_not_the_workbook_name():
    # xlwings' SampleCall imports a module named after the workbook, which breaks when the
    # workbook is renamed (xlwings issues 1573, 1557, 1015)
    for bas, line in _calls():
        assert "ThisWorkbook.Name" not in line and "mymodule" not in line


def test_bas_module_declares_its_name_for_import():
    for bas in MACROS.glob("*.bas"):
        assert bas.read_text(encoding="utf-8").startswith('Attribute VB_Name = "')


# --- the one import step: the VBA editor needs CRLF line endings and plain ASCII ---------------

ROOT = MACROS.parent


@pytest.mark.parametrize("bas", sorted(MACROS.glob("*.bas")), ids=lambda p: p.name)
def test_bas_files_are_crlf_and_ascii_as_the_vba_editor_imports_them(bas):
    data = bas.read_bytes()
    data.decode("ascii")                           # raises on any non-ASCII byte
    assert b"\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n"), f"{bas.name}: a line ends in LF only"
    assert data.count(b"\r") == data.count(b"\r\n"), f"{bas.name}: a lone CR"
    assert data.endswith(b"End Sub\r\n")


def test_gitattributes_keeps_bas_files_crlf_in_every_checkout():
    import subprocess
    rules = (ROOT / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "*.bas text eol=crlf" in rules
    done = subprocess.run(["git", "check-attr", "eol", "--", "macros/aeroi.bas"], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"not a git checkout: {done.stderr.strip()}")
    assert done.stdout.strip() == "macros/aeroi.bas: eol: crlf"
