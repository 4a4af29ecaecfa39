"""Property-based tests: random values into the model and into a workbook's inputs. Whatever
comes in, only our own error type (with a message) comes out, and prices behave."""
from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator.errors import CalculatorError
from calculator.model.freight import (economy_freight_usd, plan_freight_usd, standard_card,
                                      subsidised_freight_usd)
from calculator.model.inputs import StoreInputs
from calculator.model.ratecard import load_rate_card
from calculator.model.scenarios import compute_scenarios
from calculator.workbook import contract as c
from calculator.workbook.io import PackageWorkbook
from calculator.workbook.reader import read_store
from calculator.workbook.writer import write_cells
from tests.stores import STORE, build_store

RATES = load_rate_card()
anything = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.sampled_from(["#N/A", "#DIV/0!", "=1+1", "40%", "1e999", " 12 ", "TRUE", "PL", "general",
                     "2026-12-01", "-0", "NaN"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=0.001, max_value=30_000, allow_nan=False), min_size=2,
                max_size=50))
def test_freight_never_falls_as_weight_rises_and_the_subsidy_stays_within_its_cap(weights):
    weights = np.sort(np.array(weights))
    standard = plan_freight_usd(weights, standard_card(RATES))
    economy = economy_freight_usd(weights, RATES)
    assert np.all(np.diff(standard) >= 0)
    # subsidised = min(standard, economy x 1.12): never above standard nor the 12% cap
    subsidised = subsidised_freight_usd(standard, economy, 0.12)
    assert np.all(subsidised <= standard + 1e-12)
    assert np.all(subsidised <= economy * 1.12 + 1e-9)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.floats(), st.integers(-10**20, 10**20), st.text(max_size=5), st.none()))
def test_any_weight_gives_a_price_or_our_error_naming_the_value(weight):
    try:
        price = plan_freight_usd(weight, standard_card(RATES))
    except CalculatorError as error:
        assert str(error) and "weight" in str(error)
        return
    assert math.isfinite(price) and price > 0


@settings(max_examples=200, deadline=None)
@given(gmv=st.lists(st.one_of(st.floats(min_value=-1e15, max_value=1e15),
                              st.sampled_from([math.nan, math.inf])), min_size=3, max_size=3),
       aov=st.floats(allow_nan=True, allow_infinity=True),
       cogs=st.floats(allow_nan=True, allow_infinity=True),
       weight=st.one_of(st.floats(min_value=-1e9, max_value=1e9), st.just(math.nan)),
       opened=st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)),
       horizon=st.integers(-3, 200), pages=st.integers(-3, 10_000))
def test_model_inputs_give_results_or_our_error(gmv, aov, cogs, weight, opened, horizon, pages):
    try:
        inputs = StoreInputs(eval_date=dt.date(2026, 12, 1), store_opened=opened, gmv_m1=gmv[0],
                             gmv_m2=gmv[1], gmv_m3=gmv[2], aov_usd=aov, cogs_pct=cogs,
                             parcel_weight_g=weight, horizon_months=horizon, aplus_pages=pages)
        table = compute_scenarios(inputs, RATES)
    except CalculatorError as error:
        assert str(error)
        return
    net = np.asarray(table.columns["net_gain"], dtype=float)
    assert not np.isnan(net).any()            # a computed table has a net gain everywhere


@pytest.fixture(scope="module")
def base_workbook(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("prop") / "base.xlsx", values=STORE)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from([s.name for s in c.INPUTS]), anything,
                               min_size=1, max_size=4))
def test_any_cell_values_give_results_or_errors_naming_the_cell(base_workbook, tmp_path,
                                                                changes):
    path = tmp_path / "store.xlsx"
    shutil.copy(base_workbook, path)
    try:
        write_cells(path, {name: [[value]] for name, value in changes.items()})
    except (ValueError, CalculatorError):
        return                                # a value no spreadsheet cell can hold (inf)
    with PackageWorkbook(path) as book:
        read = read_store(book)
    for error in read.errors:
        assert isinstance(error, CalculatorError) and str(error)
        if error.name in changes and error.cell:
            assert f"{error.sheet}!{error.cell}" in str(error)
    if not read.errors:
        compute_scenarios(read.inputs, read.rates)


@settings(max_examples=120, deadline=None)
@given(base=st.floats(100, 1e6), aov=st.floats(1, 500), lift=st.floats(0, 5),
       cogs=st.floats(0, 0.95), weight=st.floats(50, 5000), livestream=st.floats(0, 1e4),
       ads=st.floats(0, 1e4), coupons=st.floats(0, 5000), horizon=st.integers(1, 24),
       service=st.floats(0, 2000), existing=st.booleans())
def test_outlays_roi_cash_flow_and_breakeven_hold_together(
        base, aov, lift, cogs, weight, livestream, ads, coupons, horizon, service, existing):
    """For any store: outlays are never negative; ROI × outlays = net gain (or the words "no
    outlay"); the cash flow ends at the net gain; the payback month is the first month from
    which the cumulative cash stays >= 0 to the end of the horizon; at the break-even lift the programme gains nothing."""
    from calculator.model.inputs import StoreInputs
    from calculator.model.ratecard import load_rate_card
    from calculator.model.scenarios import SCENARIOS
    rates = load_rate_card().with_overrides({"lift.gsc_leap": lift})
    store = StoreInputs(dt.date(2026, 12, 1), dt.date(2024, 1, 1), base, base, base,
                        aov_usd=aov, cogs_pct=cogs, parcel_weight_g=weight,
                        livestream_usd_each=livestream, ads_usd_per_month=ads,
                        coupons_usd_per_quarter=coupons, horizon_months=horizon,
                        spanish_cs_usd_per_month=service, spanish_cs_existing=existing)
    table = compute_scenarios(store, rates)
    for i, name in enumerate(SCENARIOS):
        row = table.row(name)
        assert row["outlays"] >= 0
        # a figure within half a cent of zero is written as 0.0 (never -0.00): the identity
        # holds to that half cent
        assert row["benefits"] - row["outlays"] == pytest.approx(row["net_gain"],
                                                                 abs=0.005 + 1e-6)
        assert table.cash[i, -1] == pytest.approx(row["net_gain"], rel=1e-9, abs=1e-6)
        if isinstance(row["roi"], float):
            assert row["roi"] * row["outlays"] == pytest.approx(row["net_gain"], rel=1e-9,
                                                                abs=1e-6)
        elif name not in ("baseline", "super_hot"):
            assert row["roi"] == "no outlay" and row["outlays"] < 0.005
        if isinstance(row["payback_month"], int):
            month = row["payback_month"]
            assert (table.cash[i, month - 1:] >= -1e-9).all()
            assert month == 1 or table.cash[i, month - 2] < -1e-9
        elif name not in ("baseline", "super_hot"):
            assert row["payback_month"] == "not within the horizon"
            assert table.cash[i, -1] < -1e-9
    breakeven = table.row("gsc_leap")["breakeven_lift"]
    if isinstance(breakeven, float):
        at = compute_scenarios(store, rates.with_overrides({"lift.gsc_leap": breakeven}))
        scale = max(1.0, base * horizon)
        assert at.row("gsc_leap")["net_gain"] == pytest.approx(0.0, abs=1e-9 * scale)
