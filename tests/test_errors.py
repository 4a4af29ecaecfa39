"""Problems as records with a kind: the batch, the summary and the CLI's JSON tell them apart
by kind, never by the words of a message. Also the one atomic writer and the one way to turn
dates into Excel serials, which every writer and reader share."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import stat

import openpyxl
import pytest
from click.testing import CliRunner

from calculator.cli import main
from calculator.errors import BadValue, InputError, Kind
from calculator.workbook.atomic import TEMP_PREFIX, atomic_replace
from calculator.workbook.dates import from_serial, to_serial
from calculator.workbook.reader import to_date
from tests.stores import STORE, build_store


def test_an_error_becomes_a_frozen_record_with_its_kind():
    error = InputError("Inputs!C9 in_parcel_weight_g: expected a weight in grams > 0, "
                       "found 'heavy'",
                       file="acme.xlsx", sheet="Inputs", cell="C9", name="in_parcel_weight_g",
                       expected="a weight in grams > 0", found="heavy")
    problem = error.problem()
    assert problem.kind is Kind.BAD_INPUT
    assert (problem.file, problem.sheet, problem.cell, problem.found) == \
        ("acme.xlsx", "Inputs", "C9", "heavy")
    assert problem.message == str(error)
    assert problem.as_dict()["kind"] == "bad input"        # what the JSON and summary show
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.kind = Kind.INTERNAL                      # a record, not a mutable bag


def test_the_batch_tells_workbooks_apart_by_the_kind_of_their_problem(tmp_path):
    other = openpyxl.Workbook()
    other.active["A1"] = "quarterly budget"
    other.save(tmp_path / "budget.xlsx")
    build_store(tmp_path / "heavy.xlsx", values={**STORE, "in_parcel_weight_g": "heavy"})
    # a market typed as the very words the batch once looked for in messages
    build_store(tmp_path / "wordy.xlsx", values={**STORE, "in_market": "not an aeroi workbook"})
    locked = build_store(tmp_path / "locked.xlsx", values=STORE)
    os.chmod(locked, 0o444)
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    result = CliRunner().invoke(main, ["run", str(tmp_path), "--json"])
    assert result.exit_code == 1, result.output
    report = {os.path.basename(w["file"]): w for w in json.loads(result.output)["workbooks"]}
    kinds = {name: [e["kind"] for e in w["errors"]] for name, w in report.items()}
    assert kinds == {"broken.xlsx": ["damaged"], "budget.xlsx": ["not ours"],
                     "heavy.xlsx": ["bad input"], "locked.xlsx": ["locked"],
                     "wordy.xlsx": ["bad input"]}
    statuses = {name: w["status"] for name, w in report.items()}
    assert statuses["budget.xlsx"] == "not an aeroi workbook"
    assert statuses["wordy.xlsx"] == statuses["heavy.xlsx"] == "failed"
    problems = openpyxl.load_workbook(tmp_path / "aeroi-summary.xlsx")["Problems"]
    rows = list(problems.iter_rows(values_only=True))
    # a row of words, then the row of column ids, then one row per problem
    assert rows[0][-1] == "Kind of problem" and rows[1][-1] == "kind"
    assert sorted(row[-1] for row in rows[2:]) == \
        ["bad input", "bad input", "damaged", "locked", "not ours"]


def test_excel_date_serials_are_computed_one_way_everywhere():
    # Excel shows 45658 for 2025-01-01; 2026-12-01 is 334 days later in 2026 plus 365 for 2025:
    # 45658 + 365 + 334 = 46357
    assert to_serial(dt.date(2025, 1, 1)) == 45658
    assert to_serial(dt.date(2026, 12, 1)) == 46357
    assert from_serial(46357).date() == dt.date(2026, 12, 1)
    # Serial 1 is 1900-01-01 and 61 is 1900-03-01 (60 is Excel's phantom 1900-02-29)
    assert to_serial(dt.date(1900, 1, 1)) == 1 and to_serial(dt.date(1900, 3, 1)) == 61
    assert to_date(1.0) == dt.date(1900, 1, 1)             # was read as 1899-12-31
    assert to_date(46357.75) == dt.date(2026, 12, 1)       # 18:00 that day is still that day
    with pytest.raises(BadValue):
        to_date(0.5)


def test_the_atomic_writer_keeps_the_mode_and_leaves_nothing_behind_on_failure(tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    with atomic_replace(target) as temp:
        assert temp.name.startswith(TEMP_PREFIX) and temp.parent == tmp_path
        temp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640

    def refuse(temp):
        raise RuntimeError("the file changed under us")
    with pytest.raises(RuntimeError):
        with atomic_replace(target, before_replace=refuse) as temp:
            temp.write_bytes(b"newer")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_a_new_summary_can_be_read_by_colleagues(tmp_path):
    # the summary used to be created with mkstemp's private 0600 mode
    build_store(tmp_path / "store.xlsx", values=STORE)
    assert CliRunner().invoke(main, ["run", str(tmp_path)]).exit_code == 0
    assert stat.S_IMODE(os.stat(tmp_path / "aeroi-summary.xlsx").st_mode) == 0o644

