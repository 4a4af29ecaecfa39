"""A run changes nothing but the result cells, in workbooks full of things users add
(tests/corpus_builder.py): every other part byte for byte, and in the output sheets every
element but the output cells (compared as parsed XML with the output cells masked)."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from calculator.workbook import contract as c
from calculator.workbook.batch import run_batch
from calculator.workbook.cellref import split_cell
from calculator.workbook.xlsxpackage import XlsxPackage
from tests.corpus_builder import build_corpus
from tests.libreoffice import RECALCULATE, convert_all

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
OUTPUT_NAMES = tuple(c.OUTPUTS) + tuple(c.OPTIONAL_OUTPUTS)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """(originals, written copies, batch report): the batch runs once, in place, on copies."""
    base = tmp_path_factory.mktemp("corpus")
    originals = build_corpus(base / "originals", 12)
    work = base / "work"
    shutil.copytree(base / "originals", work)
    report = run_batch([work])
    return originals, [work / p.name for p in originals], report


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {info.filename: package.read(info.filename) for info in package.infolist()}


def _output_cells(path: Path, after: Path | None = None) -> dict[str, set[tuple[int, int]]]:
    """The cells a run may change, by sheet part: the output names' ranges (before and after
    the run: a block whose rows follow the data grows and shrinks), and the live formulas
    whose cached values it stores (the stale flag, the live sums and inputs, the chart's
    labels)."""
    cells: dict[str, set[tuple[int, int]]] = {}
    for book in (path, after) if after is not None else (path,):
        package = XlsxPackage(book)
        targets = [package.get_name(name) for name in OUTPUT_NAMES + (c.STALE_NAME,
                                                                        c.LIVE_TABLE_NAME)]
        snapshot = package.get_name("out_input_snapshot")
        live = [(row, snapshot.min_col + c.LIVE_INPUTS_OFFSET)
                for row in range(snapshot.min_row, snapshot.max_row + 1)]
        cells.setdefault(package.sheet_part(snapshot.sheet), set()).update(live)
        # the chart's category labels beside out_results (formulas whose values are cached)
        results = package.get_name("out_results")
        labels = [(row, results.min_col + c.CHART_LABEL_OFFSET)
                  for row in range(results.min_row, results.max_row + 1)]
        cells.setdefault(package.sheet_part(results.sheet), set()).update(labels)
        for target in targets:
            if target is None:
                continue
            part = package.sheet_part(target.sheet)
            cells.setdefault(part, set()).update(
                (row, col) for row in range(target.min_row, target.max_row + 1)
                for col in range(target.min_col, target.max_col + 1))
    return cells


def _names_masked(xml: bytes) -> bytes:
    """workbook.xml with the output names' ranges left out (growing blocks redefine them)."""
    root = etree.fromstring(xml)
    for node in root.iter(NS + "definedName"):
        if node.get("name") in OUTPUT_NAMES:
            node.text = ""
    return etree.tostring(root, method="c14n")


def _masked(xml: bytes, masked: set[tuple[int, int]]) -> bytes:
    root = etree.fromstring(xml)
    for cell in root.iter(NS + "c"):
        if split_cell(cell.get("r")) in masked:
            cell.getparent().remove(cell)
    for row in root.iter(NS + "row"):
        row.attrib.pop("spans", None)      # spans summarise the cells present in a row
    return etree.tostring(root, method="c14n")


def test_every_workbook_of_the_corpus_is_calculated(corpus):
    originals, _, report = corpus
    assert [o.status for o in report.outcomes] == ["ok"] * len(originals)


def test_parts_other_than_output_sheets_are_byte_for_byte_the_same(corpus):
    originals, written, _ = corpus
    kept = total = 0
    for before_path, after_path in zip(originals, written):
        before, after = _parts(before_path), _parts(after_path)
        assert list(before) == list(after), f"{before_path.name}: parts added, lost or reordered"
        output_parts = set(_output_cells(before_path, after_path))
        for name, data in before.items():
            total += 1
            if after[name] == data:
                kept += 1
            elif name == "xl/workbook.xml":
                assert _names_masked(data) == _names_masked(after[name]), \
                    f"{before_path.name}: {name} changed beyond the output names"
            else:
                assert name in output_parts, f"{before_path.name}: {name} changed"
        for name in ("xl/vbaProject.bin", "xl/metadata.xml", "xl/sharedStrings.xml",
                     "xl/styles.xml"):
            if name in before:
                assert before[name] == after[name], name
    # only the five output sheets of each file (and its output names) may change
    assert total - kept <= 6 * len(originals)
    print(f"corpus: {kept} of {total} parts kept byte for byte in {len(originals)} workbooks")


def test_in_output_sheets_only_the_output_cells_change(corpus):
    originals, written, _ = corpus
    for before_path, after_path in zip(originals, written):
        before, after = _parts(before_path), _parts(after_path)
        for part, cells in _output_cells(before_path, after_path).items():
            assert _masked(before[part], cells) == _masked(after[part], cells), \
                f"{before_path.name}: {part} changed outside the output cells"


def test_the_users_things_are_all_still_there(corpus):
    _, written, _ = corpus
    for path in written:
        parts = _parts(path)
        assert "xl/metadata.xml" in parts                         # dynamic-array spill
        assert "xl/featurePropertyBag/featurePropertyBag.xml" in parts    # cell checkboxes
        assert sum(1 for n in parts if n.startswith("xl/media/")) >= 3   # pictures
        vml = b"".join(data for n, data in parts.items() if n.endswith(".vml"))
        assert b"AeroiCalculate" in vml                           # the form-control button
        drawings = b"".join(data for n, data in parts.items() if n.startswith("xl/drawings/"))
        assert b"Reviewed by finance" in drawings                 # the text box
        assert any(n.startswith("xl/comments") for n in parts)
        assert b"_xlfn._xlws.SORT" in b"".join(parts.values())
        if path.suffix == ".xlsm":
            assert "xl/vbaProject.bin" in parts


def test_libreoffice_opens_and_renders_written_corpus_workbooks(corpus, tmp_path):
    _, written, _ = corpus
    for path, pdf in convert_all(written[:3], tmp_path, "pdf", profile=RECALCULATE).items():
        assert pdf.read_bytes().startswith(b"%PDF"), path.name
