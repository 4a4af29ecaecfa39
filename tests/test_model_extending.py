"""Adding a programme and a logistics plan is data (docs/extending.md): a toy programme with its
own toy plan, given to the model as records, flows through the scenario table, the cash flow,
the risk model, the recommendation and the blocks a run writes."""
import dataclasses
import datetime as dt

import numpy as np
import pytest

from calculator.model.inputs import StoreInputs
from calculator.model.programmes import (LIFT_RELATIVE, PROGRAMMES, LogisticsPlan, Programme)
from calculator.model.ratecard import Rate, RateCard, load_rate_card
from calculator.model.risk import default_risk_inputs, simulate
from calculator.model.scenarios import compute_scenarios, recommend
from calculator.workbook.results import cashflow_rows, cost_rows, result_rows


def courier(weights, rates, parcels_per_quarter=None, parcels_over_horizon=None):
    """A toy plan: a flat courier price per parcel from the rate card, whatever the weight."""
    return np.full(np.shape(weights), rates.number("freight.courier.flat_usd"))


COURIER = LogisticsPlan("courier", "toy courier", "玩具快递", courier)
TOY = Programme("toy_boost", COURIER, LIFT_RELATIVE, "lift.toy_boost", 2,
                ("lift.toy_boost", "lift.toy_boost"), None, ("enterprise",), ("ads",),
                name_en="Toy Boost programme", name_zh="玩具增长计划")
REGISTRY = PROGRAMMES + (TOY,)


@pytest.fixture
def rates() -> RateCard:
    card = load_rate_card()
    today = dt.date(2026, 1, 1)
    return RateCard(list(card.values()) + [
        Rate("lift.toy_boost", 0.5, "lift", "assumption", today, "toy"),
        Rate("freight.courier.flat_usd", 2.0, "USD", "assumption", today, "toy")])


def store(**changes):
    # the store of test_model_scenarios: $10,000 a month, $25 orders (400), COGS 55%, 5%
    # commission, no VAT: $10.00 an order before freight; economy 750 g = $3.029197
    base = StoreInputs(eval_date=dt.date(2026, 12, 1), store_opened=dt.date(2026, 9, 1),
                       gmv_m1=10_000, gmv_m2=10_000, gmv_m3=10_000, aov_usd=25.0,
                       cogs_pct=0.55, parcel_weight_g=750, prices_include_vat=False,
                       interview_sessions=0, enterprise=True, ads_usd_per_month=100,
                       health_score=80)    # below 85: the GSC tracks are closed
    return dataclasses.replace(base, **changes)


def test_a_toy_programme_and_plan_flow_through_the_model_and_the_results(rates):
    # toy: courier $2.00 a parcel -> c = 10 − 2 = 8.00 (baseline c_0 = 6.970803); lift +50% from
    # month 2 (600 orders); ads $100 a month = $300 of outlay.
    # month 1: 400 × (8 − 6.970803) − 100 = 311.68; months 2, 3: 600 × 8 − 400 × 6.970803 − 100
    # = 1,911.68 each; net gain 311.68 + 2 × 1,911.68 = 4,135.04; ROI 4,135.04 / 300 = 13.7835
    table = compute_scenarios(store(), rates, programmes=REGISTRY)
    assert table.scenarios[-1] == "toy_boost"
    row = table.row("toy_boost")
    assert row["eligible"] is True
    assert row["freight_per_order"] == 2.0
    assert row["outlays"] == pytest.approx(300)
    assert row["net_gain"] == pytest.approx(4135.04, abs=0.01)
    assert row["roi"] == pytest.approx(13.7835, abs=1e-4)
    assert row["payback_month"] == 1
    # the recommendation names it, in both languages
    rec = recommend(table, {"toy_boost": 0.0})
    assert rec.scenario == "toy_boost" and "Toy Boost programme" in rec.text
    zh = recommend(compute_scenarios(store(), rates, "zh", programmes=REGISTRY), {})
    assert "玩具增长计划" in zh.text
    # the blocks a run writes have a row (and a cash-flow column) for it
    assert result_rows(table)[-1][0] == "toy_boost"
    assert cost_rows(table)[-1][0] == "toy_boost"
    assert cashflow_rows(table)[0][-1] == "toy_boost"
    assert cashflow_rows(table)[-1][-1] == pytest.approx(4135.04, abs=0.01)
    # and the risk model draws it (a zero-width range: every draw is the point value)
    risk = default_risk_inputs(store(), rates, draws=50, programmes=REGISTRY)
    result = simulate(store(), rates, risk, programmes=REGISTRY)
    assert result.row("toy_boost")["net_gain_p50"] == pytest.approx(4135.04, abs=0.01)


def test_the_toy_entry_rule_says_no_for_a_sole_trader(rates):
    table = compute_scenarios(store(enterprise=False), rates, programmes=REGISTRY)
    assert table.row("toy_boost")["eligible"] is False
    assert recommend(table).scenario != "toy_boost"
