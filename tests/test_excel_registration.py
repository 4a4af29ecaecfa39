"""Registration of the worksheet functions by xlwings' own code, on Linux.

On Linux ``xw.func``/``xw.arg``/``xw.ret`` do nothing, so a misspelt ``@xw.arg`` name, a
keyword-only parameter or ``*args`` next to defaults would pass every other test and fail only
when someone clicks Import Functions in Excel. Here the real classic decorators of the pinned
xlwings (xlwings/udfs.py: ``xlfunc``, ``xlarg``, ``xlret``) are applied to a fresh copy of
calculator/excel/udfs.py, with pywin32 replaced by stubs (it exists on Windows only), then:

* the metadata Import Functions reads (names, docs, category, optional arguments);
* the VBA wrapper module that Import Functions writes (``generate_vba_wrapper``), checked for
  what the VBA editor would refuse to compile;
* what Excel's MacroOptions receives (descriptions are cut at 255 characters);
* each function called the way ``call_udf`` calls it: every argument through xlwings'
  ``conversion.read`` with its registered options, the result through ``conversion.write``.

Only real Excel shows the functions in the wizard: docs/excel-checklist.md.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
import sys
import types
from pathlib import Path

import pytest

from calculator.excel import udfs as plain_udfs

UDF_NAMES = sorted(name for name in dir(plain_udfs) if name.startswith("AE_"))
# VBA keywords that cannot name a parameter of the generated wrapper (a compile error in the
# xlwings_udfs module breaks every function in it)
VBA_RESERVED = {
    "and", "as", "boolean", "byref", "byte", "byval", "call", "case", "close", "const",
    "currency", "date", "declare", "dim", "do", "double", "each", "else", "elseif", "empty",
    "end", "enum", "eqv", "erase", "error", "event", "exit", "false", "for", "friend",
    "function", "get", "global", "gosub", "goto", "if", "imp", "implements", "in", "input",
    "integer", "is", "let", "lib", "like", "long", "loop", "lset", "me", "mod", "new", "next",
    "not", "nothing", "null", "on", "open", "option", "optional", "or", "paramarray",
    "preserve", "print", "private", "property", "public", "put", "raiseevent", "redim", "rem",
    "resume", "return", "rset", "seek", "select", "set", "single", "static", "step", "stop",
    "string", "sub", "then", "to", "true", "type", "typeof", "until", "variant", "wend",
    "while", "with", "withevents", "write", "xor"}


def _pywin32_stubs() -> dict[str, types.ModuleType]:
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = type("com_error", (Exception,), {})
    win32com = types.ModuleType("win32com")
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda *args: None
    win32com.client = client
    return {"pythoncom": pythoncom, "pywintypes": pywintypes, "win32com": win32com,
            "win32com.client": client}


def _com_engine():
    """xlwings' Windows engine as the conversion code sees it: the real per-cell cleaning code
    of xlwings/_xlwindows.py (``Engine``, ``_clean_value_data_element``, ``cell_errors``), taken
    from its source because the module itself needs Windows. pywin32's date type is a datetime
    here, so the COM date conversions are the identity."""
    import ast
    import numpy

    import xlwings
    source = (Path(xlwings.__file__).parent / "_xlwindows.py").read_text(encoding="utf-8")
    wanted = {"cell_errors", "_clean_value_data_element", "Engine"}
    nodes = [node for node in ast.parse(source).body
             if getattr(node, "name", None) in wanted
             or (isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) in wanted)]
    assert len(nodes) == 3, "xlwings/_xlwindows.py changed: review this stand-in"
    namespace = {"time_types": (dt.date,), "np": numpy, "pd": None, "Apps": list,
                 "_com_time_to_datetime": lambda value, builder: value,
                 "_datetime_to_com_time": lambda value: value}
    exec(compile(ast.Module(body=nodes, type_ignores=[]), "_xlwindows.py", "exec"), namespace)
    return xlwings.main.Engine(impl=namespace["Engine"]())


@pytest.fixture(scope="module")
def registered():
    """(xlwings.udfs, a copy of our udfs module decorated by xlwings' real classic code)."""
    import xlwings
    saved_modules = {name: sys.modules.get(name) for name in
                     [*_pywin32_stubs(), "xlwings.udfs"]}
    saved_decorators = (xlwings.func, xlwings.arg, xlwings.ret)
    sys.modules.update(_pywin32_stubs())
    xlwings.engines.add(_com_engine())
    try:
        sys.modules.pop("xlwings.udfs", None)
        import xlwings.udfs as classic
        xlwings.func, xlwings.arg, xlwings.ret = classic.xlfunc, classic.xlarg, classic.xlret
        spec = importlib.util.spec_from_file_location("aeroi_udfs_as_registered",
                                                      plain_udfs.__file__)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)      # an @xw.arg Excel cannot register raises here
        yield classic, module
    finally:
        xlwings.func, xlwings.arg, xlwings.ret = saved_decorators
        xlwings.engines.engines = [e for e in xlwings.engines.engines if e.name != "excel"]
        xlwings.engines.engines_by_name.pop("excel", None)
        for name, saved in saved_modules.items():
            if saved is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = saved


def test_there_are_eleven_worksheet_functions():
    assert UDF_NAMES == ["AE_APLUS_COST", "AE_DEADLINE", "AE_ELIGIBLE", "AE_FEES", "AE_FREIGHT",
                         "AE_MARGIN_AT_PRICE", "AE_PRICE_FOR_MARGIN", "AE_PROJECTED_GMV",
                         "AE_RISK", "AE_SCENARIOS", "AE_SUBSIDY"]


@pytest.mark.parametrize("name", UDF_NAMES)
def test_every_function_registers_under_aeroi_with_every_argument_described(registered, name):
    _, module = registered
    info = getattr(module, name).__xlfunc__
    assert info["name"] == name and info["category"] == "aeroi" and not info["sub"]
    # no legacy "expand": Excel 365 spills a returned array by itself
    assert "expand" not in info["ret"]["options"]
    for arg in info["args"]:
        assert not arg["doc"].startswith("Positional argument"), f"{name}: {arg['name']} has no doc"
        assert not arg["vararg"]
    # what Import Functions hands to Excel's MacroOptions is cut at 255 characters
    assert len(info["ret"]["doc"]) <= 255, f"{name}: description cut in the wizard"
    assert all(len(arg["doc"]) <= 255 for arg in info["args"])


def _vba_wrappers(classic, module) -> str:
    out = io.StringIO()
    classic.generate_vba_wrapper("calculator.excel.udfs", module, out,
                                 types.SimpleNamespace(Name="store.xlsm"))
    return out.getvalue()


def test_the_generated_vba_module_declares_each_function_as_excel_will_call_it(registered):
    classic, module = registered
    vba = _vba_wrappers(classic, module)
    declared = re.findall(r"^Function (\w+)\((.*)\)$", vba, flags=re.M)
    assert sorted(name for name, _ in declared) == UDF_NAMES
    signatures = dict(declared)
    assert signatures["AE_FREIGHT"] == "weight_g, Optional plan"
    assert signatures["AE_RISK"].endswith("parcel_weight_g, Optional seed, Optional draws, "
                                          "Optional category, Optional market")
    assert signatures["AE_MARGIN_AT_PRICE"].endswith("Optional prices_include_vat, "
                                                     "Optional cogs_pct")
    assert 'AE_FREIGHT = XLPy.CallUDF("calculator.excel.udfs", "AE_FREIGHT", ' \
           'Array(weight_g, plan), ThisWorkbook, Application.Caller)' in vba
    # what would stop the VBA editor compiling the module (and with it every function)
    assert max(map(len, vba.splitlines())) < 1024
    for name, parameters in declared:
        names = [p.split()[-1] for p in parameters.split(", ")]
        assert len(names) <= 60, f"{name}: VBA allows 60 parameters"
        for parameter in names:
            assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,254}", parameter), parameter
            assert parameter.lower() not in VBA_RESERVED, f"{name}: {parameter} is a VBA keyword"
            assert parameter.lower() != name.lower()
        assert len({n.lower() for n in names}) == len(names), f"{name}: VBA ignores case"
        seen_optional = False
        for parameter in parameters.split(", "):
            seen_optional |= parameter.startswith("Optional ")
            assert parameter.startswith("Optional ") or not seen_optional, \
                f"{name}: a required argument after an optional one"


# What Excel passes (call_udf): numbers as floats, a range as rows (tuples), dates as
# datetimes; a missing optional argument becomes the Python default.
CALLS = {
    "AE_FREIGHT": [((750.0,), (500.0,))],
    "AE_SUBSIDY": [750.0],
    "AE_APLUS_COST": [2.0, "official"],
    "AE_FEES": [1000.0],
    "AE_PROJECTED_GMV": ["baseline", 8000.0, 9000.0, 10000.0],
    "AE_ELIGIBLE": ["gsc_rising", dt.datetime(2026, 12, 1), dt.datetime(2026, 9, 1)],
    "AE_DEADLINE": [dt.datetime(2026, 12, 1), "t30", "due"],
    "AE_SCENARIOS": [dt.datetime(2026, 12, 1), dt.datetime(2026, 6, 4), 8000.0, 9000.0,
                     10000.0, 25.0, 0.5, 750.0],
    "AE_PRICE_FOR_MARGIN": [0.2, 750.0, 8.0],
    "AE_MARGIN_AT_PRICE": [24.6, 750.0, 8.0, "standard"],
    "AE_RISK": ["baseline", dt.datetime(2026, 12, 1), dt.datetime(2026, 9, 1), 3000.0, 3500.0,
                4000.0, 25.0, 0.5, 750.0, 20261201.0, 100.0],
}


def _call_as_excel(function, values):
    """call_udf's argument and result handling (xlwings/udfs.py), without the COM parts."""
    from xlwings import conversion
    info = function.__xlfunc__
    args = []
    for arg in info["args"]:
        if arg["pos"] < len(values):
            args.append(conversion.read(None, values[arg["pos"]], arg["options"]))
        else:
            args.append(arg.get("optional"))
    return conversion.write(function(*args), None, info["ret"]["options"])


@pytest.mark.parametrize("name", UDF_NAMES)
def test_every_function_runs_through_xlwings_conversion(registered, name):
    _, module = registered
    out = _call_as_excel(getattr(module, name), CALLS[name])
    cells = [cell for row in (out if isinstance(out, list) else [[out]]) for cell in
             (row if isinstance(row, list) else [row])]
    assert cells and not any(isinstance(c, str) and c.startswith("#") for c in cells), out


def test_conversion_keeps_shapes_excel_spills(registered):
    _, module = registered
    # a column of two weights in, a column of two freights out: 750 g 2.80 + 3 × 0.45 = 4.15,
    # 500 g 2.80 (the first step)
    assert _call_as_excel(module.AE_FREIGHT, CALLS["AE_FREIGHT"]) == \
        [[pytest.approx(4.15)], [pytest.approx(2.80)]]
    table = _call_as_excel(module.AE_SCENARIOS, CALLS["AE_SCENARIOS"])
    assert len(table) == 6 and {len(row) for row in table} == {15}       # header + 5 scenarios; 15 columns
    assert len(_call_as_excel(module.AE_ELIGIBLE, CALLS["AE_ELIGIBLE"])[0]) == 2
    assert [len(row) for row in _call_as_excel(module.AE_RISK, CALLS["AE_RISK"])] == [7, 7]


def test_a_signature_excel_cannot_register_fails_here(registered):
    # the guard itself: xlwings refuses what the VBA wrapper cannot express
    classic, _ = registered

    def keyword_only(weight_g, *, plan="standard"):
        return weight_g

    def varargs_and_default(first=1, *rest):
        return first

    with pytest.raises(Exception, match="keyword arguments"):
        classic.xlfunc(keyword_only)
    with pytest.raises(Exception, match="optional and variable length"):
        classic.xlfunc(varargs_and_default)
    with pytest.raises(Exception, match="Invalid argument name 'weight'"):
        classic.xlarg("weight", doc="misspelt")(classic.xlfunc(lambda weight_g: weight_g))
