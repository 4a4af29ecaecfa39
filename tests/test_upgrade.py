"""`aeroi upgrade` on real version-1 workbooks: the templates and examples of commit 1633a48
(tests/fixtures/v1, taken from git history) and two stores with a user's extras (a user sheet
with a chart and a picture, a button, a text box, comments, a sparkline, a checkbox, Rates
edits, and a signed VBA project: tests/fixtures/v1/make_extras.py). Each is upgraded on a
copy and checked as a user would: inputs equal by name, SKUs rows equal, Rates edits kept,
the user's parts byte for byte, the backup, the language, and the upgraded workbook calculated
by `aeroi run` and rendered by LibreOffice."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from calculator.cli import main
from calculator.workbook import contract as c
from calculator.workbook import upgrade as u
from calculator.workbook.batch import run_batch
from calculator.workbook.cellref import NameTarget
from calculator.workbook.xlsxpackage import XlsxPackage
from tests.fixtures.v1.make_extras import RATE_OVERRIDES, SIGNATURE, SKUS
from tests.libreoffice import DEFAULT, RECALCULATE, convert, convert_all

FIXTURES = Path(__file__).parent / "fixtures" / "v1"
V1_FILES = sorted(p.name for p in FIXTURES.glob("*.xls*"))
EXTRAS = ("store-extras-en.xlsm", "store-extras-zh.xlsx")
M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

pytestmark = pytest.mark.skipif(c.CONTRACT_VERSION == 1,
                                reason="contract 1 is the current one: nothing to upgrade yet")


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def same(a, b) -> bool:
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return a == b


def inputs_by_name(path: Path) -> dict[str, object]:
    with XlsxPackage(path) as package:
        return {name: package.read_name(name)
                for name in package.defined_names if name.startswith("in_")}


def table(path: Path, name: str) -> tuple[list[str], list[list[object]]]:
    with XlsxPackage(path) as package:
        columns, rows = package.read_table(name)
    return [str(col) for col in columns], [row for row in rows if any(v is not None for v in row)]


def user_parts(path: Path) -> dict[str, bytes]:
    """The parts of a workbook that belong to the user's own sheets (sheets the template does
    not have) and what hangs off them, and the VBA parts."""
    with XlsxPackage(path) as package:
        ours = set(u.load_v1()["sheets"])
        found = {}
        stack = [package.sheet_part(s) for s in package.sheet_names if s not in ours]
        while stack:
            part = stack.pop()
            if part in found:
                continue
            found[part] = package.read_part(part)
            stack += [t for _, t in package.relationships(part).values()]
        for name in package.part_names():
            if "vbaProject" in name:
                found[name] = package.read_part(name)
    return found


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory):
    """Every version-1 fixture copied and upgraded once (in one folder, by the command)."""
    folder = tmp_path_factory.mktemp("upgrade")
    for name in V1_FILES:
        shutil.copy2(FIXTURES / name, folder / name)
    result = CliRunner().invoke(main, ["upgrade", str(folder)])
    return folder, result


def test_the_frozen_version_1_contract_matches_the_version_1_templates():
    templates = [FIXTURES / f"aeroi-template-{n}" for n in ("en.xlsm", "en.xlsx", "zh.xlsm",
                                                            "zh.xlsx")]
    assert u.snapshot_of_templates(*templates) == u.load_v1()


def test_every_version_1_fixture_is_upgraded_and_reported(upgraded):
    folder, result = upgraded
    assert result.exit_code == 0, result.output
    assert result.output.count("upgraded  ") == len(V1_FILES), result.output
    assert f"{len(V1_FILES)} of {len(V1_FILES)} workbook(s) upgraded; check the inputs listed, then " \
        f"calculate again: aeroi run {folder}" in result.output
    # every new input of this version is named in the report with its default
    for spec in c.INPUTS:
        if spec.name not in u.load_v1()["names"]:
            assert spec.name in result.output
    for name in V1_FILES:
        with XlsxPackage(folder / name) as package:
            assert u.detect_version(package) == c.CONTRACT_VERSION, name


def test_the_old_file_is_kept_beside_the_new_one_byte_for_byte(upgraded):
    folder, _ = upgraded
    for name in V1_FILES:
        path = folder / name
        backup = u.backup_name(path, 1)
        assert backup.name == re.sub(r"\.(xls[xm])$", r".v1.\1", name)
        assert backup.read_bytes() == (FIXTURES / name).read_bytes(), name


def test_inputs_are_equal_by_name_and_new_inputs_have_their_defaults(upgraded):
    folder, _ = upgraded
    v1 = u.load_v1()
    for name in V1_FILES:
        before, after = inputs_by_name(FIXTURES / name), inputs_by_name(folder / name)
        for input_name, block in before.items():
            spec = c.INPUT_BY_NAME.get(input_name)
            if input_name not in after:
                continue
            old_default = v1["defaults"].get(input_name)
            if spec is not None and block[0][0] is not None and old_default is not None \
                    and same(block[0][0], old_default) and spec.default != old_default:
                # left at a version-1 default that this version changed: the new default
                assert same(after[input_name][0][0], spec.default), (name, input_name)
                continue
            if input_name == "in_risk_ranges":
                rows = dict(zip(c.SCENARIOS, after[input_name]))
                old = dict(zip(v1["risk_scenarios"], block))
                for scenario, line in old.items():
                    if scenario in rows:
                        assert all(same(a, b) for a, b in zip(line, rows[scenario])), name
                continue
            assert all(same(a, b) for a, b in zip(block[0], after[input_name][0])), \
                (name, input_name, block, after[input_name])
        for spec in c.INPUTS:
            if spec.name not in before:
                value = after[spec.name][0][0]
                assert same(value, spec.default) or (value is None and spec.default is None), \
                    (name, spec.name, value)


def test_sku_rows_are_equal_column_by_column(upgraded):
    folder, _ = upgraded
    for name in V1_FILES:
        old_columns, old_rows = table(FIXTURES / name, c.SKU_TABLE)
        new_columns, new_rows = table(folder / name, c.SKU_TABLE)
        assert len(new_rows) == len(old_rows), name
        for old, new in zip(old_rows, new_rows):
            old_by = dict(zip(old_columns, old))
            new_by = dict(zip(new_columns, new))
            assert all(same(old_by[k], new_by[k]) for k in old_by), (name, old_by, new_by)
    # example 03 has five SKUs; the extras stores three
    assert len(table(folder / "03-apparel-with-skus.xlsx", c.SKU_TABLE)[1]) == 5
    assert len(table(folder / "store-extras-en.xlsm", c.SKU_TABLE)[1]) == len(SKUS)


def test_rates_the_user_changed_or_added_are_kept_and_the_others_follow_the_new_card(upgraded):
    from calculator.model.ratecard import load_rate_card
    folder, _ = upgraded
    card = load_rate_card()
    for name in EXTRAS:
        columns, rows = table(folder / name, c.RATES_TABLE)
        by_key = {row[0]: dict(zip(columns, row)) for row in rows}
        for key, value in RATE_OVERRIDES.items():
            assert same(by_key[key]["value"], value), (name, key)
        untouched = [k for k in card if k not in RATE_OVERRIDES]
        for key in untouched:
            value = card[key].value
            assert same(by_key[key]["value"], value), (name, key, by_key[key]["value"], value)


def test_the_users_parts_are_byte_for_byte_the_same(upgraded):
    folder, _ = upgraded
    for name in EXTRAS:
        before, after = user_parts(FIXTURES / name), user_parts(folder / name)
        assert before, name
        assert set(before) <= set(parts(folder / name)), name
        everything = parts(folder / name)
        for part, data in before.items():
            assert everything[part] == data, (name, part)
        assert set(after) >= set(before)
    signed = parts(folder / "store-extras-en.xlsm")
    assert signed["xl/vbaProjectSignature.bin"] == SIGNATURE
    assert signed["xl/vbaProject.bin"] == parts(FIXTURES / "store-extras-en.xlsm")[
        "xl/vbaProject.bin"]


def test_the_users_things_on_our_sheets_are_moved_onto_the_new_sheets(upgraded):
    folder, _ = upgraded
    for name in EXTRAS:
        everything = parts(folder / name)
        with XlsxPackage(folder / name) as package:
            results_part = package.sheet_part(c.RESULTS_SHEET)
            inputs_part = package.sheet_part(c.INPUTS_SHEET)
            kinds = {}
            for sheet, part in ((c.RESULTS_SHEET, results_part), (c.INPUTS_SHEET, inputs_part)):
                for kind, target in package.relationships(part).values():
                    kinds.setdefault(sheet, {}).setdefault(kind.rsplit("/", 1)[-1], b"")
                    kinds[sheet][kind.rsplit("/", 1)[-1]] += everything[target]
        results, inputs = kinds[c.RESULTS_SHEET], kinds[c.INPUTS_SHEET]
        assert b"[0]!AeroiCalculate" in results["vmlDrawing"]        # the user's button
        assert b"<x:Anchor>7, 0, 2, 0" in results["vmlDrawing"]      # ... at H3, where it was
        assert b"Reviewed by finance" in results["drawing"]           # the text box
        assert b"image" in b"".join(everything[t] for t in everything
                                    if t.startswith("xl/drawings/_rels/"))
        assert b"Status comes from the batch run" in results["comments"]
        assert b"Fill the yellow cells" in inputs["drawing"]
        inputs_comment = inputs["comments"]
        # the comment on the first input's label stays beside that input
        with XlsxPackage(folder / name) as package:
            first = package.get_name("in_eval_date")
        assert f'ref="A{first.min_row}"'.encode() in inputs_comment
        assert b"sparkline" in everything[results_part]               # x14 sparkline group


def test_the_language_of_the_old_workbook_is_kept(upgraded):
    folder, _ = upgraded
    for name in V1_FILES:
        with XlsxPackage(folder / name) as package:
            title = package.read_range(NameTarget("", c.START_SHEET, 1, 1, 1, 1))[0][0]
        chinese = bool(re.search("[\u4e00-\u9fff]", title))
        assert chinese == ("zh" in name), (name, title)


def test_upgraded_workbooks_are_calculated_by_aeroi_run(upgraded, tmp_path):
    folder, _ = upgraded
    work = tmp_path / "run"
    work.mkdir()
    for name in V1_FILES:
        shutil.copy2(folder / name, work / name)
    report = run_batch([work])
    failed = {Path(o.path).name: o.errors for o in report.outcomes if o.status != "ok"}
    # the bare templates have no store figures: they fail on their blank inputs, as a fresh
    # template does; every filled workbook is calculated
    assert set(failed) == {n for n in V1_FILES if n.startswith("aeroi-template")}, failed


def _pdf_text(pdf: Path) -> str:
    import subprocess
    if shutil.which("pdftotext") is None:
        return ""
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout


def test_libreoffice_renders_upgraded_workbooks(upgraded, tmp_path):
    """Every sheet is printed, ours and the user's, with LibreOffice's default settings and
    with recalculation forced (each setting one LibreOffice start for both workbooks)."""
    folder, _ = upgraded
    expected = {"store-extras-en.xlsm": ("Inputs: fill the yellow cells",
                                         "Reviewed by finance #7"),
                "05-third-party-aplus-zh.xlsx": ("输入", None)}
    for profile in (DEFAULT, RECALCULATE):
        pdfs = convert_all([folder / name for name in expected], tmp_path / profile, "pdf",
                           profile=profile)
        for name, (ours, theirs) in expected.items():
            pdf = pdfs[folder / name]
            assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000, name
            text = _pdf_text(pdf)
            if text:
                assert ours in text, (name, profile)
                assert theirs is None or theirs in text, (name, profile)
                if theirs:
                    assert "item 7-1" in text, profile         # the user's own sheet


def test_a_workbook_already_current_is_left_untouched(upgraded):
    folder, _ = upgraded
    path = folder / "01-new-store-rising.xlsx"
    before, stamp = path.read_bytes(), os.stat(path).st_mtime_ns
    outcome = u.upgrade_workbook(path)
    assert outcome.status == "current"
    assert outcome.message == f"already version {c.CONTRACT_VERSION}"
    assert path.read_bytes() == before and os.stat(path).st_mtime_ns == stamp


def test_a_second_upgrade_of_the_folder_skips_the_backups(upgraded):
    folder, _ = upgraded
    result = CliRunner().invoke(main, ["upgrade", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"0 of {len(V1_FILES)} workbook(s) upgraded" in result.output
    assert result.output.count("already version") == len(V1_FILES)


def test_no_backup_leaves_no_copy(tmp_path):
    path = tmp_path / "store.xlsx"
    shutil.copy2(FIXTURES / "04-heavy-parcels.xlsx", path)
    outcome = u.upgrade_workbook(path, backup=False)
    assert outcome.status == "upgraded", outcome.message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.xlsx"]


def test_a_file_saved_by_someone_else_during_the_upgrade_is_not_replaced(tmp_path, monkeypatch):
    path = tmp_path / "store.xlsx"
    shutil.copy2(FIXTURES / "01-new-store-rising.xlsx", path)
    compose = u._compose

    def someone_saves(*args, **kwargs):
        data = compose(*args, **kwargs)
        os.utime(path, ns=(1, 1))                 # the file changes under us
        return data
    monkeypatch.setattr(u, "_compose", someone_saves)
    before = path.read_bytes()
    outcome = u.upgrade_workbook(path)
    assert outcome.status == "failed"
    assert "changed while it was being upgraded" in outcome.message
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.xlsx"]   # no backup, no temp


def test_a_failure_while_writing_leaves_the_workbook_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "store.xlsx"
    shutil.copy2(FIXTURES / "02-leap-eligible-exporter.xlsx", path)
    before = path.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(u, "_write_zip", disk_full)
    outcome = u.upgrade_workbook(path)
    assert outcome.status == "failed" and "No space left" in outcome.message
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.xlsx"]


def test_rows_typed_under_the_tables_are_taken_into_them(tmp_path):
    """LibreOffice does not grow a table when rows are typed under it: the upgrade does."""
    path = tmp_path / "store.xlsx"
    shutil.copy2(FIXTURES / "store-extras-zh.xlsx", path)
    with XlsxPackage(path) as package:
        skus = package.find_table(c.SKU_TABLE)
        rates = package.find_table(c.RATES_TABLE)
        sku_part = package.sheet_part(skus.sheet)
        rates_part = package.sheet_part(rates.sheet)
    data = parts(path)
    data[sku_part] = _type_row(data[sku_part], skus.max_row + 1,
                               ["UNDER-1", "general", 300, 12.5, 7])
    data[rates_part] = _type_row(data[rates_part], rates.max_row + 1,
                                 ["commission.garden", 0.06, "fraction", "my contract"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in data.items():
            out.writestr(name, content)
    outcome = u.upgrade_workbook(path)
    assert outcome.status == "upgraded", outcome.message
    _, sku_rows = table(path, c.SKU_TABLE)
    assert [r[0] for r in sku_rows] == [s["sku"] for s in SKUS] + ["UNDER-1"]
    columns, rate_rows = table(path, c.RATES_TABLE)
    garden = next(dict(zip(columns, r)) for r in rate_rows if r[0] == "commission.garden")
    assert garden["value"] == 0.06 and garden["source"] == "my contract"
    assert any("typed under" in line for line in outcome.kept)


def _type_row(sheet_xml: bytes, row: int, values: list) -> bytes:
    root = etree.fromstring(sheet_xml)
    data = root.find(M + "sheetData")
    line = etree.SubElement(data, M + "row", r=str(row))
    for k, value in enumerate(values):
        cell = etree.SubElement(line, M + "c", r=f"{chr(65 + k)}{row}")
        if isinstance(value, str):
            cell.set("t", "inlineStr")
            etree.SubElement(etree.SubElement(cell, M + "is"), M + "t").text = value
        else:
            etree.SubElement(cell, M + "v").text = str(value)
    later = [r for r in data if int(r.get("r")) > row and r is not line]
    if later:
        later[0].addprevious(line)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def test_a_file_that_is_not_ours_is_refused_and_left_as_it_was(tmp_path):
    path = tmp_path / "other.xlsx"
    import openpyxl
    book = openpyxl.Workbook()
    book.active["A1"] = "budget"
    book.save(path)
    before = path.read_bytes()
    outcome = u.upgrade_workbook(path)
    assert outcome.status == "failed" and "not an aeroi workbook" in outcome.message
    assert path.read_bytes() == before


def test_a_current_workbook_missing_one_of_its_names_is_refused_with_the_name(tmp_path):
    from tests.stores import STORE, build_store
    path = build_store(tmp_path / "store.xlsx", "en", values=STORE)
    data = parts(path)
    data["xl/workbook.xml"] = re.sub(rb'<definedName name="out_cashflow">[^<]*</definedName>',
                                     b"", data["xl/workbook.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in data.items():
            out.writestr(name, content)
    before = path.read_bytes()
    outcome = u.upgrade_workbook(path)
    assert outcome.status == "failed"
    assert f"made with template version {c.CONTRACT_VERSION}, but the defined name(s) " \
           "out_cashflow are missing" in outcome.message
    assert path.read_bytes() == before


def test_run_and_check_on_a_version_1_workbook_say_to_upgrade(tmp_path):
    shutil.copy2(FIXTURES / "01-new-store-rising.xlsx", tmp_path / "old.xlsx")
    before = (tmp_path / "old.xlsx").read_bytes()
    for command in ("run", "check"):
        result = CliRunner().invoke(main, [command, str(tmp_path)])
        assert result.exit_code == 1, result.output
        assert 'old.xlsx: made with template version 1: run aeroi upgrade "old.xlsx"' in \
            result.output, result.output
        assert "the old file stays as old.v1.xlsx" in result.output
    assert (tmp_path / "old.xlsx").read_bytes() == before


@pytest.mark.filterwarnings("ignore:Sparkline Group extension:UserWarning")
@pytest.mark.parametrize("saved_by", [pytest.param("LibreOffice", marks=pytest.mark.slow),
                                      "openpyxl"])
def test_a_version_1_workbook_saved_by_another_program_is_upgraded(tmp_path, saved_by):
    """Users open and save their workbooks with LibreOffice or fill them with openpyxl
    scripts: the upgrade reads those files too and keeps their inputs, SKUs and Rates edits,
    without taking the template's own formats, charts or buttons for the user's."""
    source = FIXTURES / "store-extras-zh.xlsx"
    if saved_by == "LibreOffice":
        path = convert(source, tmp_path / "lo", "xlsx")
    else:
        import openpyxl
        book = openpyxl.load_workbook(source)
        book["Inputs"]["C9"] = 7777
        path = tmp_path / "scripted.xlsx"
        book.save(path)
    before_inputs, (_, before_skus) = inputs_by_name(path), table(path, c.SKU_TABLE)
    outcome = u.upgrade_workbook(path)
    assert outcome.status == "upgraded", outcome.message
    after = inputs_by_name(path)
    for name in ("in_gmv_m3", "in_market", "in_cogs_pct", "in_eval_date", "in_health_score"):
        assert same(before_inputs[name][0][0], after[name][0][0]), name
    assert len(table(path, c.SKU_TABLE)[1]) == len(before_skus) == len(SKUS)
    # the template's validations and its chart are not mistaken for the user's
    assert not any(line.startswith(f"on {c.SKUS_SHEET}") for line in outcome.kept)
    results = next(line for line in outcome.kept if line.startswith(f"on {c.RESULTS_SHEET}"))
    if saved_by == "LibreOffice":
        # the user's picture, text box and button (LibreOffice makes it a drawing shape); the
        # template's chart is not among them
        assert "3 picture(s), chart(s) or shape(s)" in results, results
    report = run_batch([path])
    assert [o.status for o in report.outcomes] == ["ok"], report.outcomes[0].errors


def test_a_renamed_name_that_a_formula_of_the_user_uses_keeps_working(tmp_path):
    """Version 2 renamed out_recommended to out_recommendation: a workbook whose own formula
    uses the old name gets it as another name of the new one; others do not get it."""
    path = tmp_path / "store.xlsx"
    shutil.copy2(FIXTURES / "store-extras-zh.xlsx", path)
    with XlsxPackage(path) as package:
        notes = package.sheet_part("My notes")
    data = parts(path)
    root = etree.fromstring(data[notes])
    row = root.find(f"{M}sheetData/{M}row")
    cell = etree.SubElement(row, M + "c", r="Z1")
    etree.SubElement(cell, M + "f").text = '"Recommended: "&out_recommended'
    data[notes] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in data.items():
            out.writestr(name, content)
    outcome = u.upgrade_workbook(path)
    assert outcome.status == "upgraded", outcome.message
    with XlsxPackage(path) as package:
        alias, target = package.get_name("out_recommended"), package.get_name(
            "out_recommendation")
        assert (alias.sheet, alias.min_row, alias.min_col) == (target.sheet, target.min_row,
                                                                target.min_col)
    assert any("out_recommended" in line for line in outcome.kept)
    plain = tmp_path / "plain.xlsx"
    shutil.copy2(FIXTURES / "06-eligible-for-nothing.xlsx", plain)
    outcome = u.upgrade_workbook(plain)
    with XlsxPackage(plain) as package:
        assert package.get_name("out_recommended") is None
    assert not any("out_recommended" in line for line in outcome.not_kept + outcome.kept)


def test_the_command_reports_as_json_and_refuses_a_read_only_file(tmp_path):
    path = tmp_path / "store.xlsx"
    shutil.copy2(FIXTURES / "03-apparel-with-skus.xlsx", path)
    locked = tmp_path / "locked.xlsx"
    shutil.copy2(FIXTURES / "04-heavy-parcels.xlsx", locked)
    locked.chmod(0o444)
    before = locked.read_bytes()
    result = CliRunner().invoke(main, ["upgrade", "--json", "--no-backup", str(tmp_path)])
    assert result.exit_code == 1, result.output
    import json
    report = json.loads(result.output)
    by_file = {Path(w["file"]).name: w for w in report["workbooks"]}
    assert by_file["store.xlsx"]["status"] == "upgraded"
    assert by_file["store.xlsx"]["backup"] is None
    reasons = {entry["name"]: entry["why"] for entry in by_file["store.xlsx"]["new_inputs"]}
    assert reasons["in_super_hot_forecast_usd"] == f"new in version {c.CONTRACT_VERSION}"
    assert reasons["in_coupons_usd_per_quarter"] == "it was the version-1 default 3000"
    assert by_file["locked.xlsx"]["status"] == "failed"
    assert "read-only" in by_file["locked.xlsx"]["message"]
    assert locked.read_bytes() == before


def test_a_column_the_user_added_to_the_skus_table_is_kept(tmp_path):
    path = tmp_path / "store.xlsx"
    shutil.copy2(FIXTURES / "03-apparel-with-skus.xlsx", path)
    with XlsxPackage(path) as package:
        skus = package.find_table(c.SKU_TABLE)
        sheet_part = package.sheet_part(skus.sheet)
        table_part = next(t for kind, t in package.relationships(sheet_part).values()
                          if kind.endswith("/table"))
    data = parts(path)
    # the user widened the table by one column, "supplier", and filled two of its five rows
    table_root = etree.fromstring(data[table_part])
    ref = f"A{skus.min_row}:I{skus.max_row}"
    table_root.set("ref", ref)
    table_root.find(M + "autoFilter").set("ref", ref)
    columns = table_root.find(M + "tableColumns")
    etree.SubElement(columns, M + "tableColumn", id="9", name="supplier")
    columns.set("count", "9")
    data[table_part] = etree.tostring(table_root, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
    root = etree.fromstring(data[sheet_part])
    rows = {int(r.get("r")): r for r in root.iter(M + "row")}
    for number, text in ((skus.min_row, "supplier"), (skus.min_row + 1, "Yiwu Textile"),
                         (skus.min_row + 3, "Ningbo Caps")):
        cell = etree.SubElement(rows[number], M + "c", r=f"I{number}", t="inlineStr")
        etree.SubElement(etree.SubElement(cell, M + "is"), M + "t").text = text
        rows[number].attrib.pop("spans", None)
    data[sheet_part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in data.items():
            out.writestr(name, content)
    outcome = u.upgrade_workbook(path)
    assert outcome.status == "upgraded", outcome.message
    columns, rows = table(path, c.SKU_TABLE)
    assert columns[-1] == "supplier"
    suppliers = [row[-1] for row in rows]
    assert suppliers == ["Yiwu Textile", None, "Ningbo Caps", None, None]
    assert any("supplier" in line for line in outcome.kept)
    assert [o.status for o in run_batch([path]).outcomes] == ["ok"]


def test_a_bug_on_one_workbook_does_not_stop_the_others(tmp_path, monkeypatch):
    for name in ("01-new-store-rising.xlsx", "02-leap-eligible-exporter.xlsx"):
        shutil.copy2(FIXTURES / name, tmp_path / name)
    before = (tmp_path / "01-new-store-rising.xlsx").read_bytes()
    compose = u._compose

    def fails_on_the_first(old, *args, **kwargs):
        if old.label.startswith("01"):
            raise KeyError("xl/somewhere.xml")
        return compose(old, *args, **kwargs)
    monkeypatch.setattr(u, "_compose", fails_on_the_first)
    monkeypatch.delenv("AEROI_DEBUG", raising=False)
    outcomes, _ = u.upgrade_paths([tmp_path])
    assert [o.status for o in outcomes] == ["failed", "upgraded"]
    assert "the workbook was not changed" in outcomes[0].message
    assert (tmp_path / "01-new-store-rising.xlsx").read_bytes() == before


def test_a_workbook_in_the_1904_date_system_keeps_its_dates(tmp_path):
    """Older Mac Excel counts days from 1904: the same day is 1,462 less than in the 1900 system
    the template is written in. The upgraded workbook must still say 2026-12-01."""
    path = tmp_path / "mac.xlsx"
    shutil.copy2(FIXTURES / "01-new-store-rising.xlsx", path)
    with XlsxPackage(path) as package:
        date_styles = package.date_style_ids()
        sheets = [package.sheet_part(s) for s in package.sheet_names]
        before = {name: package.read_name(name)[0][0]
                  for name in ("in_eval_date", "in_store_opened", "in_licence_registered")}
    data = parts(path)
    for part in sheets:
        root = etree.fromstring(data[part])
        for cell in root.iter(M + "c"):
            value = cell.find(M + "v")
            if cell.get("t") in (None, "n") and value is not None and \
                    int(cell.get("s", "0")) in date_styles:
                value.text = str(float(value.text) - 1462)
        data[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                    standalone=True)
    workbook = etree.fromstring(data["xl/workbook.xml"])
    workbook.find(M + "workbookPr").set("date1904", "1")
    data["xl/workbook.xml"] = etree.tostring(workbook, xml_declaration=True, encoding="UTF-8",
                                             standalone=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in data.items():
            out.writestr(name, content)
    with XlsxPackage(path) as package:
        assert package.read_name("in_eval_date")[0][0] == before["in_eval_date"]
    outcome = u.upgrade_workbook(path)
    assert outcome.status == "upgraded", outcome.message
    with XlsxPackage(path) as package:
        assert package.date1904
        for name, value in before.items():
            assert package.read_name(name)[0][0] == value, name
        columns, rows = package.read_table(c.RATES_TABLE)
    from calculator.model.ratecard import load_rate_card
    card = load_rate_card()
    effective = {row[0]: row[columns.index("effective_from")] for row in rows}
    key = next(iter(card))
    assert effective[key].date() == card[key].effective_from
