"""Unit economics per SKU: hand-worked cases and properties."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.model.pricing import unit_economics


def test_with_vat_the_seller_keeps_the_price_net_of_vat():
    # Poland, VAT 23%, prices include VAT: sale $24.60 → R = 24.60 / 1.23 = 20.00
    # commission 5% on R = 1.00; freight 4.15; unit cost 8.00
    # contribution = 20 − 1 − 4.15 − 8 = 6.85; margin = 6.85 / 20 = 34.25%
    u = unit_economics(24.60, 4.15, unit_cost_usd=8.0, fee_rate=0.05, vat_rate=0.23,
                       prices_include_vat=True)
    assert float(u.net_revenue) == pytest.approx(20.0)
    assert float(u.fees) == pytest.approx(1.0)
    assert float(u.contribution) == pytest.approx(6.85)
    assert float(u.margin) == pytest.approx(0.3425)


def test_cny_unit_cost_converted_before_the_sum():
    # ¥56.80 at 7.10 = $8.00; same figures as above without VAT: $20 sale → margin 34.25%
    u = unit_economics(20.0, 4.15, unit_cost_usd=56.80 / 7.10, fee_rate=0.05)
    assert float(u.unit_cost) == pytest.approx(8.0)
    assert float(u.margin) == pytest.approx(0.3425)


def test_refunds_lose_revenue_and_freight_but_not_goods_by_default():
    # R = 20, refund rate 10%: refunds = 2.00; fees on kept revenue = 5% × 18 = 0.90
    # freight 4.15 paid on every order; goods not recovered: unit cost 8.00
    # contribution = 20 − 2 − 0.90 − 4.15 − 8 = 4.95
    u = unit_economics(20.0, 4.15, unit_cost_usd=8.0, fee_rate=0.05, refund_rate=0.10)
    assert float(u.refunds) == pytest.approx(2.0)
    assert float(u.fees) == pytest.approx(0.9)
    assert float(u.contribution) == pytest.approx(4.95)
    # goods recovered: unit cost 8 × (1 − 0.10) = 7.20 → contribution 5.75
    back = unit_economics(20.0, 4.15, unit_cost_usd=8.0, fee_rate=0.05, refund_rate=0.10,
                          goods_recovered=True)
    assert float(back.contribution) == pytest.approx(5.75)


def test_impossible_margin_has_no_price():
    # fees 30% + refunds 50% leave a = 0.5 × 0.7 = 0.35 per dollar; a 40% target is out of reach
    u = unit_economics(20.0, 4.15, unit_cost_usd=8.0, fee_rate=0.30, refund_rate=0.5,
                       target_margin=0.40)
    assert np.isnan(u.price_for_target)


def test_price_for_target_and_list_price_after_discount():
    # a = 0.95, b = 4.15 + 8 = 12.15; target 20%: R* = 12.15 / 0.75 = 16.20
    # with VAT 23% included: sale price 16.20 × 1.23 = 19.926; store discount 10%:
    # list price 19.926 / 0.9 = 22.14
    u = unit_economics(30.0, 4.15, unit_cost_usd=8.0, fee_rate=0.05, vat_rate=0.23,
                       prices_include_vat=True, store_discount=0.10, target_margin=0.20)
    assert float(u.price_for_target) == pytest.approx(19.926)
    assert float(u.list_price_for_target) == pytest.approx(22.14)
    # break-even: R = 12.15 / 0.95 = 12.789; × 1.23 = 15.731
    assert float(u.breakeven_price) == pytest.approx(12.15 / 0.95 * 1.23)


prices = st.floats(min_value=1, max_value=500)
costs = st.floats(min_value=0, max_value=100)
freights = st.floats(min_value=0.5, max_value=30)
rates = st.floats(min_value=0, max_value=0.3)


@settings(max_examples=200, deadline=None)
@given(prices, freights, costs, rates, rates, st.floats(min_value=0, max_value=0.5),
       st.booleans())
def test_at_price_for_target_the_margin_is_the_target(price, freight, cost, fee, refund, target,
                                                      vat):
    u = unit_economics(price, freight, unit_cost_usd=cost, fee_rate=fee, refund_rate=refund,
                       vat_rate=0.21, prices_include_vat=vat, target_margin=target,
                       price_is_list=False)
    if np.isnan(u.price_for_target):
        return
    again = unit_economics(float(u.price_for_target), freight, unit_cost_usd=cost, fee_rate=fee,
                           refund_rate=refund, vat_rate=0.21, prices_include_vat=vat,
                           price_is_list=False)
    assert float(again.margin) == pytest.approx(target, abs=1e-9)
    at_breakeven = unit_economics(float(u.breakeven_price), freight, unit_cost_usd=cost,
                                  fee_rate=fee, refund_rate=refund, vat_rate=0.21,
                                  prices_include_vat=vat, price_is_list=False)
    assert float(at_breakeven.contribution) == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(freights, costs, rates, rates)
def test_target_price_rises_with_cost_freight_fees_and_refunds(freight, cost, fee, refund):
    def target(**kw):
        args = dict(freight_usd=freight, unit_cost_usd=cost, fee_rate=fee, refund_rate=refund,
                    target_margin=0.1)
        args.update(kw)
        return float(unit_economics(10.0, args.pop("freight_usd"), **args).price_for_target)
    base = target()
    assert target(unit_cost_usd=cost + 1) > base
    assert target(freight_usd=freight + 1) > base
    assert target(fee_rate=fee + 0.05) >= base
    assert target(refund_rate=refund + 0.05) >= base


def test_vectorised_over_20000_skus_equals_row_by_row():
    rng = np.random.default_rng(3)
    price = rng.uniform(5, 80, 20_000)
    freight = rng.uniform(1, 9, 20_000)
    cost = np.where(rng.random(20_000) < 0.3, np.nan, rng.uniform(1, 30, 20_000))
    all_at_once = unit_economics(price, freight, unit_cost_usd=cost, cogs_pct=0.4, fee_rate=0.06,
                                 target_margin=0.15)
    for i in range(0, 20_000, 997):
        one = unit_economics(price[i], freight[i], unit_cost_usd=cost[i], cogs_pct=0.4,
                             fee_rate=0.06, target_margin=0.15)
        assert float(one.price_for_target) == pytest.approx(all_at_once.price_for_target[i],
                                                            nan_ok=True)
        assert float(one.margin) == pytest.approx(all_at_once.margin[i])
