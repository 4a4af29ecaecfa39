"""Who may enter (domain.md, "Scenarios to compare" and the eligibility rules, 000/001)."""
import datetime as dt

import pytest

from calculator.model.eligibility import (eligibility, leap_eligibility, rising_eligibility,
                                          shumao_eligibility)
from calculator.model.inputs import StoreInputs
from calculator.model.ratecard import load_rate_card

RATES = load_rate_card()
T0 = dt.date(2026, 11, 27)


def store(age_days=100, gmv=(10_000, 10_000, 10_000), cn_exporter=False):
    return StoreInputs(eval_date=T0, store_opened=T0 - dt.timedelta(days=age_days),
                       gmv_m1=gmv[0], gmv_m2=gmv[1], gmv_m3=gmv[2], aov_usd=25.0,
                       cogs_pct=0.55, parcel_weight_g=750, cn_exporter=cn_exporter)


# --- Rising: store age <= 180 days at T+0 -------------------------------------------------------

def test_rising_boundary_180_in_181_out():
    assert rising_eligibility(180, RATES).eligible is True
    out = rising_eligibility(181, RATES)
    assert out.eligible is False
    assert "181" in out.reason and "180" in out.reason


def test_rising_from_store_dates():
    # opened 2026-05-31, T+0 2026-11-27: 1 (May 31) + 30 + 31 + 31 + 30 + 31 + 26 = 180 days
    s = store(age_days=180)
    assert s.store_opened == dt.date(2026, 5, 31)
    assert s.store_age_days == 180
    assert eligibility(s, RATES)["gsc_rising"].eligible is True
    # one day older (opened 2026-05-30): 181 days -> out
    older = store(age_days=181)
    assert older.store_opened == dt.date(2026, 5, 30)
    result = eligibility(older, RATES)["gsc_rising"]
    assert result.eligible is False and "181" in result.reason


def test_a_store_opened_on_t0_is_rising():
    assert eligibility(store(age_days=0), RATES)["gsc_rising"].eligible is True


# --- Leap: >= $5,000 in each of the last 3 months -------------------------------------------------

def test_leap_exactly_5000_each_month_is_in():
    assert leap_eligibility((5000, 5000, 5000), RATES).eligible is True


@pytest.mark.parametrize("months, short_month", [
    ((4999.99, 9000, 9000), 1),
    ((9000, 4999.99, 9000), 2),
    ((9000, 9000, 4999.99), 3),
])
def test_leap_one_cent_short_in_any_month_is_out(months, short_month):
    result = leap_eligibility(months, RATES)
    assert result.eligible is False
    assert f"month {short_month}" in result.reason
    assert "$4,999.99" in result.reason and "$5,000.00" in result.reason


def test_leap_is_each_month_not_the_average():
    # mean (20,000 + 20,000 + 4,000) / 3 = 14,666.67 >= 5,000, but month 3 is short
    s = store(gmv=(20_000, 20_000, 4_000))
    assert s.base_monthly_gmv == pytest.approx(14_666.6667, abs=1e-3)
    assert eligibility(s, RATES)["gsc_leap"].eligible is False


# --- Shumao and the others --------------------------------------------------------------------

def test_shumao_needs_a_mainland_exporter():
    assert shumao_eligibility(True).eligible is True
    out = shumao_eligibility(False)
    assert out.eligible is False and "exporter" in out.reason


def test_baseline_and_super_hot_open_to_everyone():
    e = eligibility(store(age_days=2000, gmv=(100, 100, 100)), RATES)
    assert set(e) == {"baseline", "gsc_rising", "gsc_leap", "shumao", "super_hot"}
    assert e["baseline"].eligible and e["super_hot"].eligible
    assert "$10,000.00" in e["super_hot"].reason     # the Super Hot target (000)
    assert not e["gsc_rising"].eligible and not e["gsc_leap"].eligible
    assert not e["shumao"].eligible


def test_thresholds_follow_the_rate_card():
    rates = RATES.with_overrides({"eligibility.rising_max_store_age_days": 90,
                                  "eligibility.leap_min_monthly_gmv_usd": 8000})
    assert rising_eligibility(91, rates).eligible is False
    assert rising_eligibility(90, rates).eligible is True
    assert leap_eligibility((8000, 8000, 7999.99), rates).eligible is False


def test_readiness_for_a_market_not_in_the_card_does_not_fail():
    from calculator.model.eligibility import readiness
    checks = readiness(StoreInputs(eval_date=T0, store_opened=T0 - dt.timedelta(days=100),
                                   gmv_m1=10_000, gmv_m2=10_000, gmv_m3=10_000, aov_usd=25.0,
                                   cogs_pct=0.55, parcel_weight_g=750, market="US"), RATES)
    assert any(c.check == "price_band" for c in checks)
