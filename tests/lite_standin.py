"""Runs an xlwings Lite main.py the way the add-in does, without the add-in (a subprocess).

    python -S lite_standin.py MAIN_PY SNAPSHOT_JSON SITE_PACKAGES

What Lite has and does not have, here:
* no lxml, openpyxl, XlsxWriter, click or defusedxml (importing one raises ImportError): Lite
  installs only requirements.txt, which says numpy;
* no aeroi source tree and no installed aeroi (``-S``: no site, no editable install): aeroi
  can only come from the zip inside main.py;
* ``xlwings`` is a stand-in for Lite's own: ``func``/``arg``/``ret`` record their options (and
  refuse an argument name the function lacks, as xlwings does), ``script`` marks the script;
* the book is a stand-in for Lite's Book over a snapshot of a real workbook's defined names
  and tables (cells as Lite sends them: dates as serial numbers).

Prints one JSON object: the registered functions, each function's result for a sample call,
the Calculate script's return value, every out_* name's cells afterwards, and where
``calculator`` was imported from.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import runpy
import sys
import types

NOT_IN_LITE = {"lxml", "openpyxl", "xlsxwriter", "click", "defusedxml"}


class _NotInLite:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in NOT_IN_LITE:
            raise ImportError(f"{name} is not installed in xlwings Lite")
        return None




# --- xlwings, as Lite's decorators are seen by main.py ------------------------------------------

def _xlfunc(function):
    if not hasattr(function, "__xlfunc__"):
        import inspect
        names = list(inspect.signature(function).parameters)
        function.__xlfunc__ = {"name": function.__name__, "args": {n: {} for n in names},
                               "ret": {}, "options": {}}
    return function


def func(f=None, **options):
    def inner(function):
        _xlfunc(function).__xlfunc__["options"].update(options)
        return function
    return inner(f) if f is not None else inner


def arg(name, convert=None, **options):
    def inner(function):
        spec = _xlfunc(function).__xlfunc__
        if name not in spec["args"]:
            raise Exception(f"Invalid argument name '{name}'.")
        spec["args"][name].update(options)
        return function
    return inner


def ret(convert=None, **options):
    def inner(function):
        _xlfunc(function).__xlfunc__["ret"].update(options)
        return function
    return inner


def script(function):
    function.__xlscript__ = True
    return function


def _lite_xlwings():
    xlwings = types.ModuleType("xlwings")
    xlwings.func, xlwings.arg, xlwings.ret, xlwings.script = func, arg, ret, script
    xlwings.Book = Book
    xlwings.__version__ = "lite"
    return xlwings


# --- the book -------------------------------------------------------------------------------------

def _letters(col):
    text = ""
    while col:
        col, rest = divmod(col - 1, 26)
        text = chr(65 + rest) + text
    return text


def _cell(ref):
    letters, digits = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", ref).groups()
    col = 0
    for letter in letters:
        col = col * 26 + ord(letter) - 64
    return int(digits), col


class Range:
    def __init__(self, sheet, r1, c1, r2=None, c2=None, ndim=None):
        self.sheet, self.r1, self.c1 = sheet, r1, c1
        self.r2, self.c2, self.ndim = r2 or r1, c2 or c1, ndim

    row = property(lambda self: self.r1)
    column = property(lambda self: self.c1)
    shape = property(lambda self: (self.r2 - self.r1 + 1, self.c2 - self.c1 + 1))

    @property
    def address(self):
        first = f"${_letters(self.c1)}${self.r1}"
        return first if self.shape == (1, 1) else f"{first}:${_letters(self.c2)}${self.r2}"

    def get_address(self, include_sheetname=False):
        return (f"'{self.sheet.name}'!" if include_sheetname else "") + self.address

    def options(self, ndim=None):
        return Range(self.sheet, self.r1, self.c1, self.r2, self.c2, ndim)

    def offset(self, rows, cols):
        return Range(self.sheet, self.r1 + rows, self.c1 + cols, self.r2 + rows, self.c2 + cols)

    def resize(self, rows, cols):
        return Range(self.sheet, self.r1, self.c1, self.r1 + rows - 1, self.c1 + cols - 1)

    @property
    def value(self):
        grid = [[self.sheet.cells.get((r, c)) for c in range(self.c1, self.c2 + 1)]
                for r in range(self.r1, self.r2 + 1)]
        if self.ndim == 2:
            return grid
        if self.shape == (1, 1):
            return grid[0][0]
        if self.shape[0] == 1:
            return grid[0]
        return grid

    @value.setter
    def value(self, values):
        if not isinstance(values, list):
            values = [[values]]
        for r, row in enumerate(values):
            for c, value in enumerate(row):
                self.sheet.cells[(self.r1 + r, self.c1 + c)] = value
        self.sheet.book.writes += 1

    def clear_contents(self):
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                self.sheet.cells.pop((r, c), None)


class Name:
    def __init__(self, book, name, target):
        self.book, self.name, self.refers_to_range = book, name, target

    @property
    def refers_to(self):
        return "=" + self.refers_to_range.get_address(include_sheetname=True)

    @refers_to.setter
    def refers_to(self, text):
        sheet, first, last = re.fullmatch(r"='?(.+?)'?!(\$?[A-Z]+\$?\d+)(?::(\$?[A-Z]+\$?\d+))?",
                                          text).groups()
        r1, c1 = _cell(first)
        r2, c2 = _cell(last or first)
        self.refers_to_range = Range(self.book.sheet(sheet), r1, c1, r2, c2)


class Table:
    def __init__(self, name, header, body):
        self.name, self.header_row_range, self.data_body_range = name, header, body


class Sheet:
    def __init__(self, book, name):
        self.book, self.name, self.cells, self.tables = book, name, {}, []


class Book:
    def __init__(self, snapshot):
        self.name, self.writes, self._sheets = "store.xlsx", 0, {}
        for sheet, cells in snapshot["cells"].items():
            self.sheet(sheet).cells.update({(r, c): v for r, c, v in cells})
        self.names = [Name(self, name, Range(self.sheet(s), r1, c1, r2, c2))
                      for name, (s, r1, c1, r2, c2) in snapshot["names"].items()]
        for name, (s, r1, c1, r2, c2) in snapshot["tables"].items():
            sheet = self.sheet(s)
            body = Range(sheet, r1 + 1, c1, r2, c2) if r2 > r1 else None
            sheet.tables.append(Table(name, Range(sheet, r1, c1, r1, c2), body))

    def sheet(self, name):
        return self._sheets.setdefault(name, Sheet(self, name))

    @property
    def sheets(self):
        return list(self._sheets.values())


# --- run main.py as Lite does ---------------------------------------------------------------------

def serial(year, month, day):
    return float((dt.date(year, month, day) - dt.date(1899, 12, 30)).days)


# Lite passes numbers, text, booleans; dates as serial numbers; a range as rows
SAMPLE_CALLS = {
    "AE_FREIGHT": [[[750.0], [500.0]]],
    "AE_SUBSIDY": [750.0],
    "AE_APLUS_COST": [2.0, "official"],
    "AE_FEES": [1000.0],
    "AE_PROJECTED_GMV": ["baseline", 8000.0, 9000.0, 10000.0],
    "AE_ELIGIBLE": ["gsc_rising", serial(2026, 12, 1), serial(2026, 9, 1)],
    "AE_DEADLINE": [serial(2026, 12, 1), "t30", "due"],
    "AE_SCENARIOS": [serial(2026, 12, 1), serial(2026, 6, 4), 8000.0, 9000.0, 10000.0, 25.0,
                     0.5, 750.0],
    "AE_PRICE_FOR_MARGIN": [0.2, 750.0, 8.0],
    "AE_MARGIN_AT_PRICE": [24.6, 750.0, 8.0, "standard"],
    "AE_RISK": ["baseline", serial(2026, 12, 1), serial(2026, 9, 1), 3000.0, 3500.0, 4000.0,
                25.0, 0.5, 750.0, 20261201.0, 100.0],
}

def main(main_py, snapshot, site_packages):
    sys.path.append(site_packages)        # numpy, as Pyodide provides it
    sys.meta_path.insert(0, _NotInLite())
    sys.modules["xlwings"] = _lite_xlwings()
    with open(snapshot, encoding="utf-8") as handle:
        book = Book(json.load(handle))
    namespace = runpy.run_path(main_py, run_name="main")
    functions = {name: value.__xlfunc__ for name, value in namespace.items()
                 if hasattr(value, "__xlfunc__")}
    scripts = [name for name, value in namespace.items()
               if getattr(value, "__xlscript__", False)]
    results = {name: namespace[name](*args) for name, args in SAMPLE_CALLS.items()
               if name in namespace}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):         # the script prints to Lite's output pane
        namespace["Calculate"](book)
    outputs = {name.name: name.refers_to_range.options(ndim=2).value for name in book.names
               if name.name.startswith("out_")}
    print(json.dumps({
        "functions": functions, "scripts": scripts, "results": results,
        "status": printed.getvalue().strip(), "outputs": outputs, "writes": book.writes,
        "calculator_from": sys.modules["calculator"].__file__,
        "blocked_loaded": sorted(m for m in sys.modules if m.split(".")[0] in NOT_IN_LITE),
    }, default=str))


if __name__ == "__main__":
    main(*sys.argv[1:4])
