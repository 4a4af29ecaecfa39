"""The scenario table (domain.md, "Per scenario"), worked by hand for one store.

The store: T+0 2026-11-27, opened 100 days before (Rising: in), GMV $10,000 in each of the
last 3 months (Leap: in), not a mainland exporter (Shumao: out), AOV $25, COGS 55%, general
category (5%), no affiliates, parcels of 750 g, 5 official A+ pages (free), livestreams $200
each (3 required), coupons $1,000 a quarter, one interview session, horizon H = 3 months.

    B = (10,000 x 3) / 3 = 10,000;  O = 10,000 / 25 = 400 orders a month
    margin m = 1 - 0.55 - 0.05 - 0 x 0.05 = 0.40
    freight per order (750 g): standard 4.15; economy 4.15 / 1.37 = 3.0291971;
      subsidised = economy x 1.12 = 3.3927007; premium over economy = economy x 0.12 = 0.3635036
"""
import datetime as dt

import numpy as np
import pytest

from calculator.model.inputs import StoreInputs
from calculator.model.ratecard import load_rate_card
from calculator.model.scenarios import (SCENARIOS, compute_scenarios, recommended_scenario,
                                        scenario_economics)

RATES = load_rate_card()
T0 = dt.date(2026, 11, 27)
ECONOMY = 4.15 / 1.37            # 3.0291971
PREMIUM = ECONOMY * 0.12         # subsidised - economy = 0.3635036


def store(**changes):
    values = dict(eval_date=T0, store_opened=T0 - dt.timedelta(days=100), gmv_m1=10_000,
                  gmv_m2=10_000, gmv_m3=10_000, aov_usd=25.0, cogs_pct=0.55,
                  parcel_weight_g=750, livestream_usd_each=200.0, coupons_usd_per_quarter=1000.0,
                  cn_exporter=False)
    values.update(changes)
    return StoreInputs(**values)


@pytest.fixture(scope="module")
def table():
    return compute_scenarios(store(), RATES)


def test_the_table_has_the_five_scenarios(table):
    assert table.scenarios == ("baseline", "gsc_rising", "gsc_leap", "shumao", "super_hot")
    assert SCENARIOS == table.scenarios
    rows = table.rows()
    assert [r[0] for r in rows] == list(SCENARIOS)
    assert table.plan == ("economy", "subsidised", "subsidised", "shumao", "economy")
    assert table.margin_rate == pytest.approx(0.40)
    assert table.base_monthly_gmv == pytest.approx(10_000)
    assert table.base_orders_per_month == pytest.approx(400)


def test_projected_monthly_gmv(table):
    # baseline B = 10,000; GSC B x 2.47 = 24,700; Shumao B x 1.47 = 14,700;
    # Super Hot B + 10,000 = 20,000 (a target)
    np.testing.assert_allclose(table.columns["monthly_gmv"],
                               [10_000, 24_700, 24_700, 14_700, 20_000])
    # incremental over H = 3: 0; 14,700 x 3 = 44,100; 44,100; 4,700 x 3 = 14,100; 30,000
    np.testing.assert_allclose(table.columns["incremental_gmv"],
                               [0, 44_100, 44_100, 14_100, 30_000])
    # orders grow with GMV at $25: 400, 988, 988, 588, 800
    np.testing.assert_allclose(table.columns["orders_per_month"], [400, 988, 988, 588, 800])


def test_baseline_gains_nothing_and_costs_nothing(table):
    row = table.row("baseline")
    assert row["eligible"] is True
    assert row["net_gain"] == 0
    assert row["programme_cost"] == 0
    assert row["incremental_gmv"] == 0
    assert row["freight_per_order"] == pytest.approx(ECONOMY)


def test_gsc_rising_by_hand(table):
    row = table.row("gsc_rising")
    assert row["eligible"] is True
    assert row["freight_per_order"] == pytest.approx(ECONOMY * 1.12)      # 3.3927007
    # gross profit on the extra GMV: 44,100 x 0.40 = 17,640
    # freight premium: 0.3635036 x 988 orders x 3 months = 1,077.42
    # one-off: A+ official 0 + 3 livestreams x $200 = 600; coupons -1,000
    # programme cost = 600 + 1,077.42 - 1,000 = 677.42
    # net gain = 17,640 - 677.42 = 16,962.58; ROI = 16,962.58 / 677.42 = 25.04
    freight_premium = PREMIUM * 988 * 3
    cost = 600 + freight_premium - 1000
    assert freight_premium == pytest.approx(1077.42, abs=0.005)
    assert table.costs["freight_premium"][1] == pytest.approx(freight_premium)
    assert table.costs["livestreams"][1] == pytest.approx(600)
    assert table.costs["aplus"][1] == 0.0
    assert table.costs["coupons"][1] == pytest.approx(-1000)
    assert row["programme_cost"] == pytest.approx(cost)
    assert round(row["programme_cost"], 2) == 677.42
    assert row["net_gain"] == pytest.approx(17_640 - cost)
    assert round(row["net_gain"], 2) == 16_962.58
    assert round(row["roi"], 2) == 25.04
    # payback = one-off / monthly net benefit; monthly benefit = 14,700 x 0.40 = 5,880
    #   - premium 0.3635036 x 988 = 359.14 + coupons 1,000 / 3 = 333.33 -> 5,854.19;
    #   payback = 600 / 5,854.19 = 0.1025 months
    assert row["payback_months"] == pytest.approx(600 / (5880 - PREMIUM * 988 + 1000 / 3))
    assert round(row["payback_months"], 3) == 0.102


def test_gsc_breakeven_lift_gives_zero_net_gain(table):
    # net(L) = L x 3 x (10,000 x 0.40 - 0.3635036 x 400) - (3 x 0.3635036 x 400 + 600 - 1,000)
    # slope = 3 x (4,000 - 145.40146) = 11,563.80; fixed = 436.20 - 400 = 36.20
    # break-even lift = 36.20 / 11,563.80 = 0.00313 (0.31%)
    row = table.row("gsc_rising")
    slope = 3 * (4000 - PREMIUM * 400)
    fixed = 3 * PREMIUM * 400 + 600 - 1000
    assert row["breakeven_lift"] == pytest.approx(fixed / slope)
    assert round(row["breakeven_lift"], 5) == 0.00313
    # and at that lift the store indeed breaks even
    at_breakeven = compute_scenarios(
        store(), RATES.with_overrides({"lift.gsc_rising": row["breakeven_lift"]}))
    assert at_breakeven.row("gsc_rising")["net_gain"] == pytest.approx(0, abs=1e-6)


def test_leap_shares_the_147_percent_lift(table):
    # domain.md: both tracks +147% by default, so the same figures as Rising
    assert table.row("gsc_leap")["eligible"] is True
    assert table.row("gsc_leap")["net_gain"] == pytest.approx(table.row("gsc_rising")["net_gain"])


def test_super_hot_by_hand(table):
    # economy freight (no premium), no spend: net gain = 30,000 x 0.40 = 12,000
    row = table.row("super_hot")
    assert row["eligible"] is True
    assert row["programme_cost"] == pytest.approx(0)
    assert row["net_gain"] == pytest.approx(12_000)


def test_ineligible_scenario_is_still_computed_with_its_reason(table):
    row = table.row("shumao")
    assert row["eligible"] is False
    assert "exporter" in row["reason"]
    # still computed: 14,700 a month, 14,100 extra over 3 months, 14,100 x 0.40 = 5,640 gross
    assert row["monthly_gmv"] == pytest.approx(14_700)
    assert row["incremental_gmv"] == pytest.approx(14_100)
    assert np.isfinite(row["net_gain"])
    # onboarding interview (004), one session at the midpoints:
    # 890 / 7.10 + 45 + 2,650 / 7.10 = 125.35 + 45 + 373.24 = 543.59
    assert table.costs["onboarding"][3] == pytest.approx(890 / 7.10 + 45 + 2650 / 7.10)
    # cheaper freight than economy: the premium is a saving (negative)
    assert table.costs["freight_premium"][3] < 0
    # and an ineligible store is not recommended Shumao
    assert recommended_scenario(table) != "shumao"


def test_shumao_net_gain_to_the_cent(table):
    # Shumao ships 588 x 3 = 1,764 parcels of 750 g; the first is free:
    #   1,763 x 1.575 = 2,776.725; economy would be 1,764 x 3.0291971 = 5,343.50
    #   freight premium = 2,776.725 - 5,343.50 = -2,566.78
    # programme cost = onboarding 543.59 - 2,566.78 = -2,023.19
    # net gain = 14,100 x 0.40 - (-2,023.19) = 5,640 + 2,023.19 = 7,663.19
    premium = 1763 * 1.575 - 1764 * ECONOMY
    onboarding = 890 / 7.10 + 45 + 2650 / 7.10
    row = table.row("shumao")
    assert round(row["net_gain"], 2) == round(5640 - (onboarding + premium), 2)   # 7,663.19


def test_shumao_eligible_exporter_is_recommended_only_if_best():
    t = compute_scenarios(store(cn_exporter=True), RATES)
    assert t.row("shumao")["eligible"] is True
    # GSC nets ~16,962.58, more than Shumao's ~7,663 or Super Hot's 12,000
    assert recommended_scenario(t) in ("gsc_rising", "gsc_leap")


def test_ineligible_gsc_tracks_are_computed_and_explained():
    # opened 181 days before T+0, GMV 4,999.99 in the last month
    s = store(store_opened=T0 - dt.timedelta(days=181), gmv_m3=4_999.99)
    t = compute_scenarios(s, RATES)
    rising, leap = t.row("gsc_rising"), t.row("gsc_leap")
    assert rising["eligible"] is False and "181" in rising["reason"]
    assert leap["eligible"] is False and "$4,999.99" in leap["reason"]
    # still priced: B = (10,000 + 10,000 + 4,999.99) / 3 = 8,333.33; x 2.47 = 20,583.33
    assert rising["monthly_gmv"] == pytest.approx(24_999.99 / 3 * 2.47)
    assert np.isfinite(rising["net_gain"]) and np.isfinite(leap["net_gain"])
    # neither can be recommended; Super Hot (open to all) can
    assert recommended_scenario(t) == "super_hot"


def test_coupons_are_capped_at_3000_a_quarter():
    # asked for $5,000 a quarter; 000 caps them at $3,000 -> cost 600 + 1,077.42 - 3,000
    t = compute_scenarios(store(coupons_usd_per_quarter=5000.0), RATES)
    assert t.costs["coupons"][1] == pytest.approx(-3000)
    assert t.row("gsc_rising")["programme_cost"] == pytest.approx(600 + PREMIUM * 988 * 3 - 3000)


def test_third_party_aplus_pages_cost_only_the_gsc_scenarios():
    # 5 pages x ¥1,000 (mid) / 7.10 = $704.23, on both GSC tracks (the A+ task is GSC's)
    base = compute_scenarios(store(), RATES)
    paid = compute_scenarios(store(aplus_source="third_party"), RATES)
    extra = paid.columns["programme_cost"] - base.columns["programme_cost"]
    np.testing.assert_allclose(extra, [0, 5000 / 7.10, 5000 / 7.10, 0, 0])
    assert paid.row("gsc_rising")["net_gain"] == pytest.approx(
        base.row("gsc_rising")["net_gain"] - 5000 / 7.10)


def test_scenario_economics_docstring_case_by_hand():
    # B 10,000, O 400, lift 1.47, margin 0.40, freight 3.3927 vs 3.0292, nothing else, H 3:
    # 44,100 x 0.40 = 17,640; premium 0.3635 x 988 x 3 = 1,077.414; net 16,562.586
    r = scenario_economics(10_000, 400, 1.47, 0, 0.40, 3.3927, 3.0292, 0, 0, 0, 3)
    assert float(r["net_gain"]) == pytest.approx(17_640 - 0.3635 * 988 * 3)
    # vectorised over lifts: 0 -> baseline gains nothing
    many = scenario_economics(10_000, 400, np.array([0.0, 0.47, 1.47]), 0, 0.40,
                              3.0292, 3.0292, 0, 0, 0, 3)
    # economy freight: net = lift x 10,000 x 3 x 0.40 = 0, 5,640, 17,640
    np.testing.assert_allclose(many["net_gain"], [0, 5640, 17_640])
