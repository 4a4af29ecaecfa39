"""LibreOffice (headless) as the independent spreadsheet engine of the tests.

A test that needs it calls :func:`require_soffice`: it skips with the reason when LibreOffice is
not installed, and fails when ``CI=true`` (CI installs it: .ci/run). Every conversion runs with a
fresh user profile that forces recalculation on load, so formulas (the STALE flag) are
evaluated by LibreOffice rather than read from the values cached in the file.
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
            timeout: float = 180) -> Path:
    """Open ``source`` in LibreOffice, recalculate, and save it as ``fmt`` (xlsx, pdf) into
    ``out_dir``. Returns the written file; raises AssertionError with LibreOffice's output when
    it wrote nothing."""
    binary = require_soffice()
    source, out_dir = Path(source), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aeroi-lo-profile-") as profile:
        (Path(profile) / "user").mkdir()
        (Path(profile) / "user" / "registrymodifications.xcu").write_text(_PROFILE)
        done = subprocess.run(
            [binary, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
             "--norestore", "--convert-to", fmt, "--outdir", str(out_dir), str(source)],
            capture_output=True, text=True, timeout=timeout)
    target = out_dir / (source.stem + "." + fmt.split(":")[0])
    assert target.exists() and target.stat().st_size > 0, (
        f"LibreOffice did not convert {source.name} to {fmt}: exit {done.returncode}\n"
        f"{done.stdout}\n{done.stderr}")
    return target


def recalculated_values(source: str | os.PathLike, out_dir: str | os.PathLike,
                        sheet: str) -> dict[str, object]:
    """Every cell value of ``sheet`` after LibreOffice recalculated the workbook (read back
    with openpyxl from the xlsx LibreOffice saved)."""
    import openpyxl
    converted = convert(source, out_dir, "xlsx")
    book = openpyxl.load_workbook(converted, data_only=True)
    try:
        return {cell.coordinate: cell.value for row in book[sheet].iter_rows() for cell in row
                if cell.value is not None}
    finally:
        book.close()
