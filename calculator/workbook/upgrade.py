"""``aeroi upgrade``: move a workbook made from an older template into the current one.

The design (docs/workbook.md, "Upgrading a workbook"): the user's file is the base. Our own
sheets (Start, Inputs, SKUs, Rates, Results, ...) are replaced by the new template's, built
with the old workbook's language, inputs, SKUs and Risk ranges; their drawings, charts,
tables and buttons come with them; our defined names are replaced by the new template's.
Every other part of the user's file is kept byte for byte: the user's own sheets (with their
pictures, charts, comments, tables and formulas), the VBA project and its signature, the
theme, custom properties. The new sheets' styles are appended to the user's style sheet (the
user's sheets keep their style numbers) and their texts are written as inline strings (the
user's shared strings stay as they were).

Rates rows whose value (or unit, source, date, note) differs from the version-1 packaged card,
and rows the user added, are carried into the new Rates table; rows the user left alone take
the new card's figures.

The upgraded workbook is written to a temporary file beside the original, checked (it reads as
the current version with the old inputs), and only then replaces the original, after the
original was copied to ``name.v1.xlsx`` (unless ``backup=False``). If the original changed on
disk while we worked, nothing is replaced.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from calculator.errors import CalculatorError, WorkbookError
from calculator.workbook import contract as c
from calculator.workbook.atomic import atomic_replace
from calculator.workbook.cellref import NameTarget, split_cell
from calculator.workbook.parts import _M, REL_DRAWING, REL_VML, blank, rows_under, \
    template_cells_of
from calculator.workbook.parts import write_zip as _write_zip
from calculator.workbook.transplant import compose as _compose
from calculator.workbook.xlsxpackage import XlsxPackage

V1_SNAPSHOT_PATH = Path(__file__).with_name("contract_v1.json")

_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


@dataclass
class UpgradeOutcome:
    """What ``aeroi upgrade`` did to one workbook."""
    path: str
    status: str                                     # upgraded | current | failed
    from_version: int | None = None
    to_version: int = c.CONTRACT_VERSION
    backup: str | None = None
    language: str | None = None
    #: inputs set to this version's default: (name, default, source of the default, why)
    new_inputs: list[tuple[str, object, str, str]] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)   # what was carried, in words
    not_kept: list[str] = field(default_factory=list)
    message: str | None = None

    def as_dict(self) -> dict:
        return {"file": self.path, "status": self.status, "from_version": self.from_version,
                "to_version": self.to_version, "backup": self.backup, "language": self.language,
                "new_inputs": [{"name": n, "default": d, "source": s, "why": w}
                               for n, d, s, w in self.new_inputs],
                "kept": self.kept, "not_kept": self.not_kept, "message": self.message}


# --- what version 1 was ------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def load_v1() -> dict:
    """The frozen description of contract version 1 (names, sheets, the packaged rate card, the
    template's own drawings and VBA): what the upgrade compares an old workbook with. Written
    from the version-1 templates by ``python -m calculator.workbook.upgrade tests/fixtures/v1``.
    (Shared: do not change what it returns.)"""
    return json.loads(V1_SNAPSHOT_PATH.read_text(encoding="utf-8"))


def snapshot_of_templates(xlsm: str | os.PathLike, *others: str | os.PathLike) -> dict:
    """Describe a template (its .xlsm, which has the buttons and the VBA) as :func:`load_v1`
    returns it; the cells and formats of ``others`` (the .xlsx and the other language) are
    added. Used once to write contract_v1.json from the templates of commit 1633a48; a test
    checks the committed file still matches those templates."""
    extra = [snapshot_of_templates(other) for other in others]
    with XlsxPackage(xlsm) as package:
        names = {}
        for name in sorted(package.defined_names):
            target = package.get_name(name)
            names[name] = [target.sheet, target.min_row, target.min_col, target.max_row,
                           target.max_col]
        header = package.read_name("out_results")[0]
        defaults = {}
        for name in names:
            if name.startswith("in_") and name not in c.RISK_INPUT_NAMES:
                value = package.read_name(name)[0][0]
                defaults[name] = value.date().isoformat() if isinstance(value, dt.datetime) \
                    else value
        columns, rows = package.read_table(c.RATES_TABLE)
        index = {col: k for k, col in enumerate(columns)}
        rates = {}
        for row in rows:
            effective = row[index["effective_from"]]
            rates[row[index["key"]]] = {
                "value": row[index["value"]], "unit": row[index["unit"]],
                "source": row[index["source"]],
                "effective_from": effective.date().isoformat()
                if isinstance(effective, dt.datetime) else effective,
                "note": row[index["note"]] or ""}
        anchors: dict[str, list] = {}
        cells: dict[str, dict[str, list]] = {}
        formats: dict[str, dict[str, list[str]]] = {}
        for sheet in package.sheet_names:
            part = package.sheet_part(sheet)
            root = package.xml(part)
            cells[sheet] = _cell_rows(root)
            formats[sheet] = {kind: sorted({node.get("sqref") for node in root.iter(_M + kind)})
                              for kind in ("conditionalFormatting", "dataValidation")}
            for kind, target in package.relationships(part).values():
                if kind == REL_DRAWING:
                    anchors[sheet] = _anchor_positions(package.xml(target))
                elif kind == REL_VML:
                    anchors.setdefault(sheet + "#vml", []).extend(
                        _vml_anchors(package.read_part(target)))
        for more in extra:
            for sheet, rows in more["cells"].items():
                merged = template_cells_of(cells.get(sheet, {})) | template_cells_of(rows)
                cells[sheet] = _cell_rows_of(merged)
            for sheet, kinds in more["formats"].items():
                for kind, refs in kinds.items():
                    mine = formats.setdefault(sheet, {}).setdefault(kind, [])
                    formats[sheet][kind] = sorted(set(mine) | set(refs))
        vba = hashlib.sha256(package.read_part("xl/vbaProject.bin")).hexdigest() \
            if "xl/vbaProject.bin" in package.part_names() else None
        risk = package.get_name("in_risk_ranges")
        scenarios = [line[0] for line in package.read_range(NameTarget(
            "", risk.sheet, risk.min_row, risk.min_col - 1, risk.max_row, risk.min_col - 1))]
        return {"version": 1, "sheets": package.sheet_names, "names": names, "defaults": defaults,
                "risk_scenarios": scenarios,
                "out_results_header": header, "rates": rates, "vba_sha256": vba,
                "anchors": anchors, "cells": cells, "formats": formats}


def _cell_rows(root) -> dict[str, list[list[int]]]:
    """The cells a sheet has, as row -> runs of columns [[first, last], ...]."""
    return _cell_rows_of({split_cell(cell.get("r")) for cell in root.iter(_M + "c")})


def _cell_rows_of(cells: set[tuple[int, int]]) -> dict[str, list[list[int]]]:
    found: dict[str, list[list[int]]] = {}
    for row, col in sorted(cells):
        runs = found.setdefault(str(row), [])
        if runs and runs[-1][1] == col - 1:
            runs[-1][1] = col
        else:
            runs.append([col, col])
    return found


def _anchor_positions(drawing) -> list[list[int]]:
    found = []
    for anchor in drawing:
        origin = anchor.find("{*}from")
        if origin is not None:
            found.append([int(origin.findtext("{*}col")), int(origin.findtext("{*}row"))])
    return found


def _vml_anchors(data: bytes) -> list[str]:
    return [re.sub(r"\s+", "", a.decode()) for a in re.findall(rb"<x:Anchor>(.*?)</x:Anchor>",
                                                                  data, re.S)]


# --- which version a workbook is ---------------------------------------------------------------

def current_header() -> list[str]:
    return list(c.RESULT_COLUMNS)


def detect_version(package) -> int | None:
    """The contract version a workbook was made with, from the header of ``out_results`` (the
    API every version has): the current one, 1, or None when it is not one of ours (or a
    version we do not know)."""
    if package.get_name("in_eval_date") is None or package.get_name("out_results") is None:
        return None
    header = [str(v).strip() if v is not None else "" for v in package.read_name("out_results")[0]]
    version = c.contract_version(lambda name: package.get_name(name) is not None)
    if version == c.CONTRACT_VERSION and header[:len(current_header())] == current_header():
        return version
    if version == 1 and header == load_v1()["out_results_header"]:
        return 1
    return None


def _unknown_version(package, label: str) -> str:
    """Why a workbook is neither version 1 nor the current one, in words."""
    if package.get_name("in_eval_date") is None or package.get_name("out_results") is None:
        return (f"{label}: not an aeroi workbook (it has no defined names in_eval_date and "
                f"out_results); nothing was changed")
    missing = [name for names in c.VERSION_NAMES.values() for name in names
               if package.get_name(name) is None]
    header = [str(v).strip() if v is not None else "" for v in package.read_name("out_results")[0]]
    if header[:len(current_header())] == current_header() and missing:
        return (f"{label}: made with template version {c.CONTRACT_VERSION}, but the defined "
                f"name(s) {', '.join(missing)} are missing (deleted?); restore them or copy "
                f"your inputs into a new workbook (aeroi new); nothing was changed")
    return (f"{label}: not a workbook of a template version we know (the header of "
            f"out_results is neither version 1's nor version {c.CONTRACT_VERSION}'s); nothing "
            f"was changed")


def backup_name(path: Path, version: int) -> Path:
    return path.with_name(f"{path.stem}.v{version}{path.suffix}")


# --- reading the old workbook -------------------------------------------------------------------

@dataclass
class _Old:
    values: dict[str, object]
    skus: list[dict]
    sku_extra: tuple[list[str], list[list[object]]]   # the user's own SKUs columns, row by row
    rates: list[dict]            # rows of the Rates table (and rows typed under it)
    language: str


def _table_rows(package, name: str, outcome: UpgradeOutcome, what: str):
    info = package.find_table(name)
    if info is None:
        return None, []
    columns, rows = package.read_table(info.name)
    under = rows_under(package, info, (info.min_col, info.max_col))
    if under:
        outcome.kept.append(f"{len(under)} {what} row(s) typed under the {name} table, now "
                            f"inside it")
    return [str(col or "").strip() for col in columns], rows + under


#: The defined name of the cell where templates after version 2 say their language.
LANGUAGE_NAME = "meta_language"


def _language(package) -> str:
    """"en" or "zh": the workbook's language cell when it has one, else Chinese when the titles
    of its Start and Inputs sheets are (a version-1 workbook has no language cell)."""
    if package.get_name(LANGUAGE_NAME) is not None:
        said = str(package.read_name(LANGUAGE_NAME)[0][0] or "").strip().lower()
        if said in ("en", "zh"):
            return said
    texts = []
    for sheet in (c.START_SHEET, c.INPUTS_SHEET):
        if sheet in package.sheet_parts:
            texts += [v for line in package.read_range(NameTarget("", sheet, 1, 1, 4, 1))
                      for v in line if isinstance(v, str)]
    return "zh" if any(_CJK.search(text) for text in texts) else "en"


def _read_old(package, v1: dict, outcome: UpgradeOutcome) -> _Old:
    values: dict[str, object] = {}
    v1_inputs = [n for n in v1["names"] if n.startswith("in_")]
    for name in v1_inputs:
        target = package.get_name(name)
        if target is None:
            continue
        block = package.read_range(target)
        if name == "in_risk_ranges":
            labels = package.read_range(NameTarget("", target.sheet, target.min_row,
                                                   target.min_col - 1, target.max_row,
                                                   target.min_col - 1))
            by_scenario = {str(label[0]).strip(): line for label, line in zip(labels, block)
                           if label[0] is not None}
            values[name] = [by_scenario.get(s, [None] * len(c.RISK_RANGE_COLUMNS))
                            for s in c.SCENARIOS]
            lost = [s for s, line in by_scenario.items()
                    if s not in c.SCENARIOS and any(v is not None for v in line)]
            if lost:
                outcome.not_kept.append(f"Risk ranges of {', '.join(lost)} (no such scenario "
                                        f"in version {c.CONTRACT_VERSION})")
        else:
            values[name] = block[0][0]
    for spec in c.INPUTS:
        if spec.name in values and spec.name in v1["defaults"]:
            old_default = v1["defaults"][spec.name]
            if _same(values[spec.name], old_default) and not _same(spec.default, old_default):
                values[spec.name] = spec.default
                shown = f"{old_default:g}" if isinstance(old_default, float) else old_default
                outcome.new_inputs.append((spec.name, spec.default, spec.source,
                                           f"it was the version-1 default {shown}"))
    current = {spec.name for spec in c.INPUTS} | set(c.RISK_INPUT_NAMES)
    for name in sorted(set(values) - current):
        if values[name] is not None:
            outcome.not_kept.append(f"{name} = {values[name]!r} (no such input in version "
                                    f"{c.CONTRACT_VERSION})")
        del values[name]

    skus: list[dict] = []
    extra: list[str] = []
    extra_rows: list[list[object]] = []
    columns, rows = _table_rows(package, c.SKU_TABLE, outcome, "SKU")
    if columns is not None:
        known = {col.lower(): k for k, col in enumerate(columns)}
        extra = [col for col in columns if col.lower() not in c.SKU_COLUMNS]
        extra = [col for col in extra if col and not all(
            blank(row[known[col.lower()]]) for row in rows)]
        for row in rows:
            if all(blank(v) for v in row):
                continue
            skus.append({name: row[known[name]] for name in c.SKU_COLUMNS if name in known})
            extra_rows.append([row[known[col.lower()]] for col in extra])
        if extra:
            outcome.kept.append(f"your SKUs column(s) {', '.join(extra)}, at the right of the "
                                f"table")
    rates: list[dict] = []
    columns, rows = _table_rows(package, c.RATES_TABLE, outcome, "Rates")
    if columns is not None:
        known = {col.lower(): k for k, col in enumerate(columns)}
        for row in rows:
            line = {name: row[known[name]] for name in c.RATE_COLUMNS if name in known}
            if not blank(line.get("key")):
                line["key"] = str(line["key"]).strip()
                rates.append(line)
    return _Old(values, skus, (extra, extra_rows), rates, _language(package))


def _same(a, b) -> bool:
    if blank(a) and blank(b):
        return True
    if isinstance(a, dt.datetime):
        a = a.date().isoformat()
    if isinstance(b, dt.datetime):
        b = b.date().isoformat()
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-15)
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    return a == b


def rate_changes(rows: Sequence[dict], v1_rates: dict) -> list[dict]:
    """The rows a user changed or added: for a row of the version-1 card, only the columns that
    differ from it (with the key); a row the card did not have, whole."""
    changed = []
    for row in rows:
        base = v1_rates.get(row["key"])
        if base is None:
            changed.append(dict(row, added=True))
            continue
        diff = {name: row[name] for name in c.RATE_COLUMNS[1:]
                if name in row and not _same(row[name], base.get(name))}
        if diff:
            changed.append(dict(diff, key=row["key"], added=False))
    return changed


def _signature(path: Path) -> tuple:
    info = os.stat(path)
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _normal(value):
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    return value


def _check(path: Path, values: dict[str, object], label: str) -> None:
    """The written file reads as the current version with the inputs we carried."""
    with XlsxPackage(path, label) as package:
        version = detect_version(package)
        if version != c.CONTRACT_VERSION:
            raise WorkbookError(f"{label}: the upgraded workbook does not read as version "
                                f"{c.CONTRACT_VERSION}; the original was left as it was",
                                file=label)
        for name, value in values.items():
            if name == "in_risk_ranges":
                continue
            found = package.read_name(name)[0][0]
            if _normal(found) != _normal(value) and not _same(found, value):
                raise WorkbookError(f"{label}: {name} reads back as {found!r}, not {value!r}; "
                                    f"the original was left as it was", file=label, name=name)


def _new_inputs(v1: dict) -> list[tuple[str, object, str, str]]:
    return [(spec.name, spec.default, spec.source, f"new in version {c.CONTRACT_VERSION}")
            for spec in c.INPUTS if spec.name not in v1["names"]]


def upgrade_workbook(path: str | os.PathLike, *, backup: bool = True,
                     lang: str | None = None) -> UpgradeOutcome:
    """Upgrade one workbook in place (see the module's docstring). Never raises for a problem
    with the file: the outcome says what happened."""
    from calculator.workbook.template import build_template
    path = Path(path)
    label = path.name
    outcome = UpgradeOutcome(str(path), "failed")
    try:
        before = _signature(path)
        if not os.access(path, os.W_OK) or not os.stat(path).st_mode & 0o222:
            raise WorkbookError(f"{label}: the file is read-only, so it was not upgraded (clear "
                                f"the read-only flag and run aeroi upgrade again)", file=label)
        v1 = load_v1()
        with XlsxPackage(path, label) as old:
            version = detect_version(old)
            outcome.from_version = version
            if version is None:
                raise WorkbookError(_unknown_version(old, label), file=label)
            if version == c.CONTRACT_VERSION:
                outcome.status = "current"
                outcome.message = f"already version {version}"
                return outcome
            outcome.new_inputs = _new_inputs(v1)
            old_data = _read_old(old, v1, outcome)
            outcome.language = lang or old_data.language
            outcome.kept.insert(0, f"{sum(1 for v in old_data.values.values() if v is not None)}"
                                   f" input(s)")
            if old_data.skus:
                outcome.kept.insert(1, f"{len(old_data.skus)} SKU row(s)")

            def last_checks(temp: Path) -> None:
                _check(temp, old_data.values, label)
                if _signature(path) != before:
                    raise WorkbookError(f"{label}: the file changed while it was being upgraded "
                                        f"(saved by someone else?); nothing was replaced: run "
                                        f"aeroi upgrade again", file=label)
                if backup:
                    outcome.backup = str(_keep_backup(path, version))

            with tempfile.TemporaryDirectory(prefix="aeroi-upgrade-") as scratch:
                fresh = build_template(Path(scratch) / f"new{path.suffix.lower()}",
                                       outcome.language, values=old_data.values,
                                       skus=old_data.skus)
                with XlsxPackage(fresh, "the new template") as new:
                    data = _compose(old, new, rate_changes(old_data.rates, v1["rates"]), v1,
                                    outcome, old_data.sku_extra)
                with atomic_replace(path, before_replace=last_checks) as temp:
                    _write_zip(temp, data, old)
        outcome.status = "upgraded"
        outcome.message = f"version {version} -> {c.CONTRACT_VERSION}"
        return outcome
    except CalculatorError as error:
        outcome.message = str(error)
        return outcome
    except OSError as error:
        outcome.message = f"{label}: {error.strerror or error}; the workbook was not changed"
        return outcome
    except Exception as error:                    # a bug of ours must not stop the others
        if os.environ.get("AEROI_DEBUG"):
            raise
        outcome.message = (f"{label}: could not be upgraded ({type(error).__name__}: {error}); "
                           f"the workbook was not changed. Please report this with the file "
                           f"(aeroi --debug upgrade shows the details)")
        return outcome


def _keep_backup(path: Path, version: int) -> Path:
    """Copy the old file to name.v1.xlsx (name.v1-2.xlsx when that exists), atomically."""
    target = backup_name(path, version)
    number = 2
    while target.exists():
        target = path.with_name(f"{path.stem}.v{version}-{number}{path.suffix}")
        number += 1
    with atomic_replace(target, mode=os.stat(path).st_mode & 0o7777) as temp:
        shutil.copyfile(path, temp)
    shutil.copystat(path, target)
    return target


def upgrade_paths(paths: Sequence[str | os.PathLike], *, backup: bool = True,
                  lang: str | None = None) -> tuple[list[UpgradeOutcome], list[tuple[str, str]]]:
    """Upgrade every workbook under ``paths`` (files or folders); backups are skipped."""
    from calculator.workbook.batch import discover
    files, skipped = discover([Path(p) for p in paths])
    outcomes = [upgrade_workbook(path, backup=backup, lang=lang) for path in files]
    return outcomes, skipped


if __name__ == "__main__":
    import sys
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/v1")
    snapshot = snapshot_of_templates(*(folder / f"aeroi-template-{name}" for name in (
        "en.xlsm", "en.xlsx", "zh.xlsm", "zh.xlsx")))
    V1_SNAPSHOT_PATH.write_text(json.dumps(snapshot, indent=1, ensure_ascii=False,
                                           sort_keys=True) + "\n", encoding="utf-8")
    print(V1_SNAPSHOT_PATH)
