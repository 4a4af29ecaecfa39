"""Fees on sales and one-off spend (domain.md, "Fees and commissions" and
"Page, content and onboarding spend"). CNY converts at the pinned ¥7.10 per USD."""
import numpy as np
import pytest

from calculator.errors import InputError
from calculator.model.fees import (affiliate_cost_rate, cny_to_usd, commission_rate,
                                   fees_on_gmv_usd, margin_rate)
from calculator.model.ratecard import load_rate_card
from calculator.model.spend import aplus_cost_usd, onboarding_cost_usd

RATES = load_rate_card()
FX = RATES.number("fx.cny_per_usd")


def test_pinned_rate_is_7_10():
    assert FX == 7.10


# --- commission --------------------------------------------------------------------------

def test_commission_by_category():
    # 001: 5% in general, 8% for apparel
    assert commission_rate("general", RATES) == 0.05
    assert commission_rate("apparel", RATES) == 0.08
    # a user's spelling in a cell: case and spaces do not matter
    assert commission_rate(" Apparel ", RATES) == 0.08


def test_commission_vectorised_over_a_sku_column():
    got = commission_rate(np.array(["general", "apparel", "general"], dtype=object), RATES)
    np.testing.assert_array_equal(got, [0.05, 0.08, 0.05])


def test_unknown_category_lists_the_known_ones():
    with pytest.raises(InputError) as info:
        commission_rate("toys", RATES)
    message = str(info.value)
    assert "'toys'" in message and "apparel" in message and "general" in message


def test_a_category_added_in_the_rates_table_is_used():
    # the commission table is worked out once per rate card: the packaged card's (asked
    # first) must not stand for the edited card's, nor the other way round
    assert commission_rate("general", RATES) == 0.05
    rates = RATES.with_overrides({"commission.toys": 0.06})
    assert commission_rate("toys", rates) == 0.06
    with pytest.raises(InputError):
        commission_rate("toys", RATES)


def test_commission_on_sales():
    # $10,000 of apparel GMV: 8% = $800; general: 5% = $500
    assert fees_on_gmv_usd(10_000, commission_rate("apparel", RATES), 0.0) == pytest.approx(800)
    assert fees_on_gmv_usd(10_000, commission_rate("general", RATES), 0.0) == pytest.approx(500)


# --- affiliates ----------------------------------------------------------------------------

def test_affiliate_cost_is_share_times_rate():
    # 20% of sales come through affiliates paid 10%: 0.20 x 0.10 = 2% of GMV
    assert affiliate_cost_rate(0.20, 0.10) == pytest.approx(0.02)
    # 001's range 1%..15% on all sales attributed: 1.0 x 0.15 = 15%
    assert affiliate_cost_rate(1.0, 0.15) == pytest.approx(0.15)
    # no affiliate sales, no cost (the rate card's default share is 0)
    assert affiliate_cost_rate(RATES.number("affiliate.share"), RATES.number("affiliate.rate")) == 0
    np.testing.assert_allclose(affiliate_cost_rate(np.array([0.1, 0.5]), 0.10), [0.01, 0.05])


def test_fees_and_margin_with_affiliates():
    # $10,000 GMV, apparel 8% + affiliates 0.20 x 0.10 = 2% -> $1,000 of fees
    affiliate = affiliate_cost_rate(0.20, 0.10)
    assert fees_on_gmv_usd(10_000, 0.08, affiliate) == pytest.approx(1000)
    # margin = 1 - COGS 55% - 8% - 2% = 35%
    assert margin_rate(0.55, 0.08, affiliate) == pytest.approx(0.35)


# --- A+ pages ------------------------------------------------------------------------------

@pytest.mark.parametrize("level, cny_per_page, expected_usd", [
    ("low", 800, 563.38),    # 5 x 800 = ¥4,000 / 7.10 = $563.380...
    ("mid", 1000, 704.23),   # 5 x 1000 = ¥5,000 / 7.10 = $704.225...
    ("high", 1200, 845.07),  # 5 x 1200 = ¥6,000 / 7.10 = $845.070...
])
def test_third_party_aplus_pages_converted_at_the_pinned_rate(level, cny_per_page, expected_usd):
    cost = aplus_cost_usd(5, "third_party", FX, RATES, level)
    assert cost == pytest.approx(5 * cny_per_page / 7.10)
    assert round(cost, 2) == expected_usd


def test_one_third_party_page_at_another_rate():
    # ¥1,000 at ¥8.00 per USD = $125.00
    assert aplus_cost_usd(1, "third_party", 8.0, RATES, "mid") == pytest.approx(125.0)


def test_official_aplus_pages_are_free():
    for level in ("low", "mid", "high"):
        assert aplus_cost_usd(5, "official", FX, RATES, level) == 0.0
    assert aplus_cost_usd(100, "official", FX, RATES) == 0.0


@pytest.mark.parametrize("args, word", [
    ((5, "freelancer", FX), "aplus_source"),
    ((-1, "third_party", FX), "aplus_pages"),
    ((5, "third_party", 0.0), "fx_cny_per_usd"),
])
def test_bad_aplus_inputs_name_the_input(args, word):
    with pytest.raises(InputError, match=word):
        aplus_cost_usd(*args, RATES)


def test_bad_cost_level_is_refused():
    with pytest.raises(InputError, match="cost_level"):
        aplus_cost_usd(5, "third_party", FX, RATES, "premium")


# --- onboarding interview (004) ----------------------------------------------------------------

def test_onboarding_interview_one_session():
    # low: 580 / 7.10 + 45 + 1800 / 7.10 = 81.69 + 45 + 253.52 = $380.21
    low = onboarding_cost_usd(1, FX, RATES, "low")
    assert low.total_usd == pytest.approx(580 / 7.10 + 45 + 1800 / 7.10)
    assert round(low.total_usd, 2) == 380.21
    # high, two sessions: equipment once 1200 / 7.10 = 169.01; 2 x (45 + 3500 / 7.10)
    # = 2 x 537.96 = 1075.92; total $1,244.93
    high = onboarding_cost_usd(2, FX, RATES, "high")
    assert high.equipment_usd == pytest.approx(1200 / 7.10)
    assert high.translation_usd == pytest.approx(90)
    assert high.total_usd == pytest.approx(1200 / 7.10 + 2 * (45 + 3500 / 7.10))
    assert round(high.total_usd, 2) == 1244.93


def test_cny_to_usd():
    assert cny_to_usd(710, 7.10) == pytest.approx(100.0)
    with pytest.raises(InputError, match="fx_cny_per_usd"):
        cny_to_usd(710, -7.10)


def test_cny_to_usd_of_plain_numbers_is_numpys_division_and_refuses_the_same_rates():
    # two plain numbers take a shortcut past numpy: ¥1,000 at 8.0 is $125.00 exactly, and
    # each quotient is the one numpy gives (the same IEEE division), for a spread of amounts
    # and rates; a rate of 0, -0.0, below 0, NaN or infinite is refused either way
    assert cny_to_usd(1000.0, 8.0) == 125.0
    for amount in (0.0, 1.0, 890.0, 2650.0, 1e-9, 123456.789):
        for fx in (7.1, 7.0999999, 0.01, 6.54321, 100.0):
            assert cny_to_usd(amount, fx).hex() == float(np.asarray(amount) / fx).hex()
    for fx in (0.0, -0.0, -7.1, float("nan"), float("inf")):
        with pytest.raises(InputError, match="fx_cny_per_usd"):
            cny_to_usd(100.0, fx)
        with pytest.raises(InputError, match="fx_cny_per_usd"):
            cny_to_usd(np.array([100.0]), fx)
