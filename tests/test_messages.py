"""Messages a finance user can act on: a number typed as text says so, a deleted input row is
called a deleted row."""
from __future__ import annotations

import re
import zipfile

from click.testing import CliRunner

from calculator.cli import main
from calculator.workbook import contract as c
from tests.stores import STORE, build_store


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_number_typed_as_text_with_a_comma_says_what_to_type(tmp_path):
    build_store(tmp_path / "store.xlsx", values={**STORE, "in_gmv_m1": "1,200"},
                   skus=[dict(sku="A-1", category="general", weight_g="1,250", price_usd=9,
                              orders_per_month=10)])
    result = run("check", tmp_path)
    assert result.exit_code == 1
    row = c.INPUT_FIRST_ROW + [s.name for s in c.INPUTS].index("in_gmv_m1")
    assert f"Inputs!C{row} in_gmv_m1" in result.output
    assert "('1,200' is text; type 1200)" in result.output
    assert "('1,250' is text; type 1250)" in result.output           # SKUs!C4 too


def test_a_deleted_input_row_is_called_a_deleted_row(tmp_path):
    book = build_store(tmp_path / "store.xlsx", values=STORE)
    # what Excel writes when the row under a name is deleted: the name points at #REF!
    edited = tmp_path / "edited" / "store.xlsx"
    edited.parent.mkdir()
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(edited, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb'(<definedName name="in_gmv_m2">)[^<]*', rb"\1Inputs!#REF!", data)
            target.writestr(item, data)
    result = run("check", edited.parent)
    assert result.exit_code == 1
    assert "row of in_gmv_m2 (GMV, 2 months ago) was deleted" in result.output, result.output
    assert "sheet deleted" not in result.output
