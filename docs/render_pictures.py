"""Renders the pictures of the docs with LibreOffice (our independent spreadsheet engine) as a
user has it: default settings (a fresh profile; Excel files are not recalculated on load, the
values the files hold are shown): workbook -> PDF -> PNG of the page that shows a sheet.

    python docs/render_pictures.py        (needs soffice and pdftoppm: libreoffice-calc-nogui,
                                           poppler-utils)
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from calculator.workbook.batch import run_batch  # noqa: E402
from tests.libreoffice import DEFAULT, convert  # noqa: E402

IMG = ROOT / "docs" / "img"
#: picture -> (workbook, whether to calculate it first, text that marks the page); a workbook
#: named "summary" is the summary of a run over workbooks/examples
PICTURES = {
    "template-inputs-zh.png": ("workbooks/templates/aeroi-template-zh.xlsx", False,
                               "输入:请填写黄色单元格"),
    "summary.png": ("summary", True, "Recommended programme"),
    "template-inputs.png": ("workbooks/templates/aeroi-template-en.xlsx", False,
                            "Inputs: fill the yellow cells"),
    "example-results.png": ("workbooks/examples/01-new-store-rising.xlsx", True,
                            "Scenarios (monthly figures"),
    "example-risk.png": ("workbooks/examples/02-leap-eligible-exporter.xlsx", True,
                         "Risk: how likely"),
}


def page_with(pdf: Path, marker: str) -> int:
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    for page in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        if marker in " ".join(text.split()):
            return page
    raise SystemExit(f"{pdf.name}: no page shows {marker!r}")


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for picture, (source, calculate, marker) in PICTURES.items():
            work = scratch / picture.removesuffix(".png")
            work.mkdir()
            if source == "summary":
                shutil.copytree(ROOT / "workbooks" / "examples", work / "examples")
                book = work / "summary.xlsx"
                run_batch([work / "examples"], summary=book)
            else:
                book = work / Path(source).name
                shutil.copy(ROOT / source, book)
                if calculate:
                    run_batch([book], summary=work / "summary.xlsx")
            pdf = convert(book, work / "pdf", "pdf", profile=DEFAULT)
            page = page_with(pdf, marker)
            subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", "110", "-png",
                            "-singlefile", str(pdf), str(IMG / picture.removesuffix(".png"))],
                           check=True)
            print(f"{IMG / picture}  (page {page} of {book.name})")


if __name__ == "__main__":
    main()
