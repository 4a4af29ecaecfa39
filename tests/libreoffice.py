"""LibreOffice (headless) as the independent spreadsheet engine of the tests.

A test that needs it calls :func:`require_soffice`: it skips with the reason when LibreOffice is
not installed, and fails when ``CI=true`` (CI installs it: .ci/run). Every conversion runs with a
fresh user profile, in one of two settings:

- ``RECALCULATE`` (the default of :func:`convert`): recalculation forced on load, so formulas
  (the STALE flag) are evaluated by LibreOffice rather than read from the values cached in the
  file. For formula checks.
- ``DEFAULT``: LibreOffice as installed, nothing configured (Excel 2007+ files are not
  recalculated on load; the cached values are shown). What a user sees: for rendering.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

INSTALL_HINT = "apt-get install libreoffice-calc-nogui (CI does this in .ci/run)"

# OOXMLRecalcMode / ODFRecalcMode 0 = always recalculate on load.
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


RECALCULATE, DEFAULT = "recalculate", "default"
_PROFILES = {RECALCULATE: _PROFILE, DEFAULT: None}


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    found = soffice()
    if found:
        return found
    reason = f"LibreOffice (soffice) is not installed: {INSTALL_HINT}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " -- and CI=true, where it must be present")
    pytest.skip(reason)


def convert(source: str | os.PathLike, out_dir: str | os.PathLike, fmt: str = "xlsx",
            timeout: float = 180, profile: str = RECALCULATE) -> Path:
    """Open ``source`` in LibreOffice with a fresh ``profile`` (RECALCULATE or DEFAULT) and save
    it as ``fmt`` (xlsx, pdf) into ``out_dir``. Returns the written file; raises AssertionError
    with LibreOffice's output when it wrote nothing (e.g. it aborted exporting a sheet)."""
    source = Path(source)
    return convert_all([source], out_dir, fmt, timeout, profile)[source]


def convert_all(sources, out_dir: str | os.PathLike, fmt: str = "pdf", timeout: float = 600,
                profile: str = DEFAULT) -> dict[Path, Path]:
    """Like :func:`convert` for many files in one LibreOffice start (rendering a folder of
    workbooks file by file would start LibreOffice once per file). Returns source -> written
    file; raises AssertionError naming every source LibreOffice wrote nothing for."""
    settings = _PROFILES[profile]
    binary = require_soffice()
    sources, out_dir = [Path(s) for s in sources], Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    assert len({s.stem for s in sources}) == len(sources), "sources need distinct file names"
    with tempfile.TemporaryDirectory(prefix="aeroi-lo-profile-") as home:
        (Path(home) / "user").mkdir()
        if settings is not None:
            (Path(home) / "user" / "registrymodifications.xcu").write_text(settings)
        done = subprocess.run(
            [binary, f"-env:UserInstallation={Path(home).as_uri()}", "--headless",
             "--norestore", "--convert-to", fmt, "--outdir", str(out_dir)]
            + [str(s) for s in sources], capture_output=True, text=True, timeout=timeout)
    targets = {s: out_dir / (s.stem + "." + fmt.split(":")[0]) for s in sources}
    missing = [s.name for s, t in targets.items() if not t.exists() or not t.stat().st_size]
    assert not missing, (f"LibreOffice ({profile} settings) did not convert {', '.join(missing)}"
                         f" to {fmt}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
    return targets


def recalculated_values(source: str | os.PathLike, out_dir: str | os.PathLike,
                        sheet: str) -> dict[str, object]:
    """Every cell value of ``sheet`` after LibreOffice recalculated the workbook (read back
    with openpyxl from the xlsx LibreOffice saved)."""
    source = Path(source)
    return recalculated_values_all([source], out_dir, sheet)[source]


def recalculated_values_all(sources, out_dir: str | os.PathLike,
                            sheet: str) -> dict[Path, dict[str, object]]:
    """:func:`recalculated_values` for many workbooks in one LibreOffice start (each start
    costs about 2 s of CPU): source -> {cell: value}."""
    import openpyxl
    values = {}
    for source, converted in convert_all(sources, out_dir, "xlsx", profile=RECALCULATE).items():
        book = openpyxl.load_workbook(converted, data_only=True)
        try:
            values[source] = {cell.coordinate: cell.value for row in book[sheet].iter_rows()
                              for cell in row if cell.value is not None}
        finally:
            book.close()
    return values
