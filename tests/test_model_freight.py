"""Freight per parcel (domain.md, "Freight per parcel"):

    cost(w) = p + f + ceil(max(0, w - F) / S) * s        for w > 0 grams

standard, Poland: F = 500 g, f = $2.80, S = 100 g, s = $0.45, p = 0;
economy = standard / 1.37; subsidised = min(standard, economy x 1.12);
Shumao: first parcel free, then $2.10/kg per gram (F = 0, f = 0, S = 1, s = 0.0021).
"""
import math

import numpy as np
import pytest

from calculator.errors import InputError
from calculator.model import freight as fr
from calculator.model.ratecard import load_rate_card

RATES = load_rate_card()


def standard(w):
    return fr.plan_freight_usd(w, fr.standard_card(RATES))


# --- standard ------------------------------------------------------------------------------

@pytest.mark.parametrize("weight, expected", [
    (1, 2.80),        # inside the first 500 g: $2.80
    (500, 2.80),      # exactly the first weight: no step
    (501, 3.25),      # 1 g over: ceil(1 / 100) = 1 step -> 2.80 + 0.45
    (600, 3.25),      # 100 g over: exactly 1 step
    (601, 3.70),      # 101 g over: 2 steps -> 2.80 + 0.90
    (750, 4.15),      # domain.md: 250 g over, ceil(2.5) = 3 steps -> 2.80 + 1.35 = 4.15
    (1000, 5.05),     # 500 g over: 5 steps -> 2.80 + 2.25
    (2000, 9.55),     # 1500 g over: 15 steps -> 2.80 + 6.75
])
def test_standard_first_weight_then_steps(weight, expected):
    assert standard(weight) == pytest.approx(expected)


def test_per_parcel_fee_is_added_once():
    # p = $0.50: 750 g -> 0.50 + 2.80 + 3 x 0.45 = 4.65
    card = fr.PlanCard("standard", 500, 2.80, 100, 0.45, parcel_fee_usd=0.50)
    assert fr.plan_freight_usd(750, card) == pytest.approx(4.65)
    # and from the rate card: the same fee through freight.standard.parcel_fee_usd
    rates = RATES.with_overrides({"freight.standard.parcel_fee_usd": 0.50})
    assert fr.quote(750, rates).standard == pytest.approx(4.65)


def test_literal_reading_of_the_step_is_one_setting_away():
    # Known ambiguities: "续重$0.45/g" read literally (S = 1 g): 1 kg = 2.80 + 500 x 0.45 = 227.80
    rates = RATES.with_overrides({"freight.standard.step_g": 1})
    assert fr.quote(1000, rates).standard == pytest.approx(227.80)


# --- economy and the subsidy ------------------------------------------------------------------

def test_economy_is_standard_over_1_37():
    # 750 g: 4.15 / 1.37 = 3.029197...; 500 g: 2.80 / 1.37 = 2.043795...
    assert fr.economy_freight_usd(750, RATES) == pytest.approx(4.15 / 1.37)
    assert fr.economy_freight_usd(750, RATES) == pytest.approx(3.029197, abs=1e-6)
    assert fr.economy_freight_usd(500, RATES) == pytest.approx(2.043796, abs=1e-6)


def test_economy_own_card_replaces_the_derivation():
    # own economy card: 500 g for $2.00, then $0.30 per 100 g
    # 750 g -> 2.00 + 3 x 0.30 = 2.90 (not 4.15 / 1.37)
    rates = RATES.with_overrides({"freight.economy.first_weight_g": 500,
                                  "freight.economy.first_price_usd": 2.00,
                                  "freight.economy.step_g": 100,
                                  "freight.economy.step_price_usd": 0.30})
    assert fr.economy_freight_usd(750, rates) == pytest.approx(2.90)
    q = fr.quote(750, rates)
    # subsidised = min(4.15, 2.90 x 1.12 = 3.248) = 3.248; subsidy 4.15 - 3.248 = 0.902
    assert q.subsidised == pytest.approx(3.248)
    assert q.subsidy == pytest.approx(0.902)


def test_subsidised_standard_is_capped_at_12_percent_over_economy():
    q = fr.quote(750, RATES)
    # economy 4.15 / 1.37 = 3.0291971; cap = 3.0291971 x 1.12 = 3.3927007 < 4.15
    assert q.standard == pytest.approx(4.15)
    assert q.economy == pytest.approx(3.0291971, abs=1e-7)
    assert q.subsidised == pytest.approx(3.3927007, abs=1e-7)
    # the platform pays the difference: 4.15 - 3.3927007 = 0.7572993
    assert q.subsidy == pytest.approx(0.7572993, abs=1e-7)
    # never more than 12% dearer than economy
    assert q.subsidised / q.economy == pytest.approx(1.12)


def test_subsidised_keeps_standard_when_it_is_already_under_the_cap():
    # standard $3.00, economy $2.90: cap 2.90 x 1.12 = 3.248 > 3.00 -> pay 3.00, subsidy 0
    assert fr.subsidised_freight_usd(3.00, 2.90, 0.12) == pytest.approx(3.00)
    assert fr.subsidy_per_parcel_usd(3.00, 2.90, 0.12) == pytest.approx(0.0)


def test_quarter_budget_caps_the_subsidy():
    # subsidy 0.7572993 a parcel; a $100 budget over 1,000 parcels allows $0.10 a parcel
    s = fr.subsidy_per_parcel_usd(4.15, 4.15 / 1.37, 0.12, parcels_per_quarter=1000,
                                  quarter_budget_usd=100)
    assert s == pytest.approx(0.10)
    # a budget bigger than the need changes nothing: 100 parcels x 0.757 = $75.73 < $1,000
    s = fr.subsidy_per_parcel_usd(4.15, 4.15 / 1.37, 0.12, parcels_per_quarter=100,
                                  quarter_budget_usd=1000)
    assert s == pytest.approx(4.15 - 4.15 / 1.37 * 1.12)


# --- Shumao -------------------------------------------------------------------------------------

def test_shumao_first_parcel_free_then_per_gram():
    q = fr.quote(750, RATES)
    assert q.shumao_first_parcel == 0.0
    # 750 g x $2.10 / 1000 g = $1.575
    assert q.shumao_next_parcel == pytest.approx(1.575)
    # per gram, not per started kg: 1,001 g -> 1001 x 0.0021 = 2.1021 (not 2 x 2.10)
    assert fr.quote(1001, RATES).shumao_next_parcel == pytest.approx(2.1021)


def test_shumao_average_spreads_the_free_parcel():
    # 10 parcels of 750 g: 9 paid x 1.575 / 10 = 1.4175 a parcel
    assert fr.shumao_average_freight_usd(750, 10, RATES) == pytest.approx(1.4175)
    # a single parcel is the free one
    assert fr.shumao_average_freight_usd(750, 1, RATES) == pytest.approx(0.0)


# --- float noise at a step boundary ----------------------------------------------------------

def test_float_noise_over_a_step_boundary_buys_no_extra_step():
    # 600.0000001 g is 600 g: 1 step -> $3.25, not 2 steps ($3.70)
    assert standard(600.0000001) == pytest.approx(3.25)
    assert standard(500.0000001) == pytest.approx(2.80)
    # the classic 0.1 + 0.2 noise: 500 + 100 * (0.1 + 0.2) / 0.3 = 600.0000000000001
    assert standard(500 + 100 * (0.1 + 0.2) / 0.3) == pytest.approx(3.25)
    # a real gram over (normalised to 0.001 g) still buys a step: 600.001 g -> $3.70
    assert standard(600.001) == pytest.approx(3.70)
    # Shumao (1 g steps): 600.0000001 g -> 600 x 0.0021 = 1.26
    assert fr.quote(600.0000001, RATES).shumao_next_parcel == pytest.approx(1.26)


# --- bad weights -------------------------------------------------------------------------------

@pytest.mark.parametrize("weight, shown", [(0, "0.0"), (-5, "-5.0"), (float("nan"), "missing")])
def test_unusable_weight_is_an_error_naming_the_value(weight, shown):
    with pytest.raises(InputError) as info:
        standard(weight)
    assert "weight_g" in str(info.value)
    assert f"found {shown}" in str(info.value)
    with pytest.raises(InputError):
        fr.quote(weight, RATES)


def test_one_bad_weight_in_a_column_is_reported():
    with pytest.raises(InputError, match=r"found -1\.0"):
        standard(np.array([750.0, -1.0, 300.0]))


def test_a_weight_that_is_not_a_number_is_an_error():
    with pytest.raises(InputError, match="heavy"):
        standard("heavy")


def test_plan_maximum_refuses_heavier_parcels():
    rates = RATES.with_overrides({"freight.standard.max_weight_g": 2000})
    assert fr.quote(2000, rates).standard == pytest.approx(9.55)   # 2.80 + 15 x 0.45
    with pytest.raises(InputError, match="2001"):
        fr.quote(2001, rates)


# --- volumetric weight ---------------------------------------------------------------------

def test_volumetric_weight_is_charged_when_larger():
    # 40 x 30 x 10 cm = 12,000 cm3 / 8000 = 1.5 kg > 300 g -> 1500 g:
    # 2.80 + ceil(1000 / 100) = 10 steps x 0.45 = 7.30
    q = fr.quote(300, RATES, 40, 30, 10)
    assert q.chargeable_weight_g == pytest.approx(1500)
    assert q.standard == pytest.approx(7.30)
    # a dense parcel: 10 x 10 x 10 = 1,000 cm3 -> 125 g < 750 g -> actual weight, $4.15
    assert fr.quote(750, RATES, 10, 10, 10).standard == pytest.approx(4.15)


# --- vectorised ------------------------------------------------------------------------------

def test_vectorised_equals_a_per_element_loop():
    weights = np.array([1, 499.9, 500, 500.0000001, 501, 600, 600.0000001, 600.001, 750,
                        999.999, 1000, 1234.5, 5000])
    cards = [fr.standard_card(RATES), fr.shumao_card(RATES),
             fr.PlanCard("custom", 250, 1.10, 50, 0.2, parcel_fee_usd=0.35)]
    for card in cards:
        column = fr.plan_freight_usd(weights, card)
        assert column.shape == weights.shape
        loop = [fr.plan_freight_usd(float(w), card) for w in weights]
        np.testing.assert_array_equal(column, loop)
    # a 2-D block keeps its shape
    block = fr.plan_freight_usd(weights[:12].reshape(3, 4), fr.standard_card(RATES))
    assert block.shape == (3, 4)
    # and the standard column is right by hand: 750 g $4.15, 1000 g $5.05, 5000 g 2.80 + 45 x 0.45
    column = fr.plan_freight_usd(weights, fr.standard_card(RATES))
    assert column[8] == pytest.approx(4.15)
    assert column[10] == pytest.approx(5.05)
    assert column[12] == pytest.approx(2.80 + 45 * 0.45)   # = 23.05


def test_custom_card_by_hand():
    # F = 250 g at $1.10, $0.20 per 50 g, p = $0.35; 750 g: 500 g over = 10 steps
    # -> 0.35 + 1.10 + 10 x 0.20 = 3.45
    card = fr.PlanCard("custom", 250, 1.10, 50, 0.2, parcel_fee_usd=0.35)
    assert fr.plan_freight_usd(750, card) == pytest.approx(3.45)
    assert math.isclose(fr.plan_freight_usd(251, card), 0.35 + 1.10 + 0.20)


def test_a_zero_step_is_refused():
    with pytest.raises(InputError, match="step"):
        fr.PlanCard("bad", 500, 2.80, 0, 0.45)


def test_a_plan_card_is_built_once_per_rate_card_and_follows_its_overrides():
    # the plan cards are worked out once per rate card (RateCard.derived); a card with the
    # standard first-weight price overridden to $3.00 has a standard card at $3.00, not the
    # card of the rate card it was made from, which keeps its own
    from calculator.model.freight import standard_card
    from calculator.model.ratecard import load_rate_card
    packaged = load_rate_card()
    card = standard_card(packaged)
    assert standard_card(packaged) is card
    edited = packaged.with_overrides({"freight.standard.first_price_usd": 3.00})
    assert standard_card(edited).first_price_usd == 3.00
    assert standard_card(packaged).first_price_usd == \
        packaged.number("freight.standard.first_price_usd")
