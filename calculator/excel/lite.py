"""xlwings Lite: the same worksheet functions and Calculate, inside Excel with only the add-in.

xlwings Lite (free, from the Office add-in store) runs Python in Excel on Windows, on a Mac and
in Excel on the web, through Pyodide: no Python on the computer, no VBA, no DLL to match. Its
code lives in the workbook: a ``main.py`` and a ``requirements.txt`` typed or pasted into the
add-in's editor. ``aeroi new --lite store.xlsx`` writes both beside the workbook:

* ``requirements.txt``: numpy, the model's only dependency (Pyodide ships it), to add to the
  lines Lite's own requirements.txt already has;
* ``main.py``: aeroi's code as a zip (base64), put on ``sys.path`` when main.py loads, then the
  11 AE_ worksheet functions of calculator/excel/udfs.py and a ``Calculate`` script that reads
  and writes the open workbook through the same reader, result blocks and defined names as the
  batch and the Calculate button (calculator/excel/xlwings_io.py). Lite has no status bar and no
  message boxes for scripts: the outcome, or the cells to fix, goes into Results' status cell.

Nothing here imports xlwings: main.py does, inside the add-in.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from pathlib import Path

from calculator import __version__
from calculator.errors import CalculatorError
from calculator.excel.log import short_message

LITE_REQUIREMENTS = "numpy\n"
# what the bundle leaves out: the command line and the file writers (they need click, lxml,
# XlsxWriter, which Lite does not install and the open workbook does not need)
_NOT_BUNDLED = {"cli.py", "__main__.py", "workbook/xlsxpackage.py", "workbook/xmlsafe.py",
                "workbook/patch.py", "workbook/names.py", "workbook/writer.py",
                "workbook/template.py", "workbook/summary.py", "workbook/batch.py"}

MAIN_PY = '''\
"""aeroi {version} for xlwings Lite: the AE_ worksheet functions and the Calculate script.

Made by `aeroi new --lite`. Paste this file into xlwings Lite's main.py and add numpy to its
requirements.txt. aeroi's own code is the zip below (do not edit it; make a new main.py with a
newer aeroi instead). Calculate writes Results, Calendar, Checks, SKU economics and Risk, and
its outcome, or the cells to fix, into Results' status cell.
"""
import base64
import os
import sys
import tempfile

_AEROI = "{bundle}"


def _put_aeroi_on_the_path():
    path = os.path.join(tempfile.gettempdir(), "aeroi-{version}-{digest}.zip")
    if not os.path.exists(path):
        with open(path, "wb") as bundle:
            bundle.write(base64.b64decode(_AEROI))
    if path not in sys.path:
        sys.path.insert(0, path)


_put_aeroi_on_the_path()

import xlwings as xw  # noqa: E402  (Lite's own xlwings)
from xlwings import script  # noqa: E402

from calculator.excel.lite import calculate_in_lite  # noqa: E402
from calculator.excel.udfs import (  # noqa: E402,F401  (Lite registers what main.py holds)
{functions}
)


@script
def Calculate(book: xw.Book):
    """Calculate this store workbook (the same results as the batch and the button)."""
    print(calculate_in_lite(book))
'''


def bundle_bytes() -> bytes:
    """The calculator package as a zip for Lite (byte-identical for the same sources)."""
    root = Path(__file__).resolve().parents[1]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root).as_posix()
            if not path.is_file() or "__pycache__" in relative or relative in _NOT_BUNDLED:
                continue
            if path.suffix not in (".py", ".toml", ".json", ".csv", ".txt"):
                continue
            info = zipfile.ZipInfo(f"calculator/{relative}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, path.read_bytes())
    return out.getvalue()


def udf_names() -> list[str]:
    from calculator.excel import udfs
    return sorted(name for name in vars(udfs) if name.startswith("AE_"))


def main_py() -> str:
    data = bundle_bytes()
    return MAIN_PY.format(version=__version__, digest=hashlib.sha256(data).hexdigest()[:12],
                          bundle=base64.b64encode(data).decode("ascii"),
                          functions="\n".join(f"    {name}," for name in udf_names()))


def write_lite_files(workbook: str | os.PathLike) -> Path:
    """main.py and requirements.txt in ``<workbook stem>-xlwings-lite/`` beside the workbook."""
    workbook = Path(workbook)
    folder = workbook.with_name(f"{workbook.stem}-xlwings-lite")
    folder.mkdir(exist_ok=True)
    (folder / "main.py").write_text(main_py(), encoding="utf-8", newline="\n")
    (folder / "requirements.txt").write_text(LITE_REQUIREMENTS, encoding="utf-8")
    return folder


def calculate_in_lite(book) -> str:
    """The Calculate script: calculate the open workbook (an xlwings Lite Book) and return the
    status line. A problem is written into Results' status cell instead of the results (Lite
    shows no message box), so the person sees it where the status always is."""
    from calculator.excel.entry import calculate_book
    from calculator.excel.xlwings_io import OpenWorkbook
    workbook = OpenWorkbook(book)
    try:
        return calculate_book(workbook)
    except CalculatorError as error:
        text = str(error)
    except Exception as error:       # no traceback in the workbook: one line, details logged
        text = short_message("Calculate (xlwings Lite)", error)
    try:
        workbook.write({"out_status": [[text]]})
    except Exception as error:       # not one of our workbooks: the output pane shows the text
        text = f"{text}\n(Results' status cell could not be written: {error})"
    return text
