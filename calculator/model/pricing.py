"""Unit economics per SKU and plan: margin at a price, and the price for a target margin.

Per unit sold, with P the sale price the buyer pays (list price × (1 − store discount)):

    R  = P / (1 + VAT)  when prices include VAT (EU: the marketplace collects it), else P
    refunds      = r × R                         a refunded order loses its revenue ...
    fees         = f × R × (1 − r)               commission + affiliate share × rate + payment
                                                 fee, on revenue that is kept
    freight      = the plan's price for the SKU  ... and its freight (already paid)
    unit_cost    = C × (1 − r × recovered)       goods come back only if the user says so
    contribution = R − refunds − fees − freight − unit_cost
    margin       = contribution / R

Contribution is linear in R: ``contribution = a × R − b`` with
``a = (1 − r)(1 − f) − k (1 − r × recovered)`` (k: COGS as a share of R when the unit cost is
blank) and ``b = freight + C (1 − r × recovered)``. So the break-even revenue is ``b / a`` and
the revenue for a target margin t is ``b / (a − t)``; when ``a − t <= 0`` no price reaches it.
Commission is charged on R, the price net of VAT: the VAT the marketplace collects is passed to
the tax authority and is not the seller's revenue (check your contract).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calculator.errors import InputError
from calculator.model import unit_economics as core

IMPOSSIBLE = "no price reaches the target margin"


@dataclass(frozen=True)
class UnitEconomics:
    """Arrays over SKUs (one plan). Prices are sale prices the buyer pays, in USD."""

    net_revenue: np.ndarray
    fees: np.ndarray
    freight: np.ndarray
    refunds: np.ndarray
    unit_cost: np.ndarray
    contribution: np.ndarray
    margin: np.ndarray
    breakeven_price: np.ndarray        # NaN where even a free product cannot break even
    price_for_target: np.ndarray       # NaN where no price reaches the target
    list_price_for_target: np.ndarray


def unit_economics(price_usd, freight_usd, *, unit_cost_usd=None, cogs_pct=0.0,
                   fee_rate=0.05, refund_rate=0.0, vat_rate=0.0, prices_include_vat=False,
                   store_discount=0.0, target_margin=0.0, goods_recovered=False,
                   price_is_list=True) -> UnitEconomics:
    """Margin at today's price and the prices for break-even and for the target margin.

    Parameters
    ----------
    price_usd : the listing's price (list price when ``price_is_list``; sale = list × (1 − d)).
    freight_usd : freight per unit under the plan.
    unit_cost_usd : cost of goods per unit (NaN or None where blank: ``cogs_pct`` × sale price).
    fee_rate : commission + affiliate share × rate + payment fee, on revenue net of VAT.

    Examples
    --------
    A $20 listing, no VAT, 5% commission, $4.15 freight, $8 unit cost, target 20%:
    R = 20; fees 1.00; contribution = 20 − 1 − 4.15 − 8 = 6.85; margin 34.25%.
    Price for 20%: b / (a − t) = (4.15 + 8) / (0.95 − 0.20) = 16.20.

    >>> u = unit_economics(20.0, 4.15, unit_cost_usd=8.0, target_margin=0.20)
    >>> round(float(u.margin), 4), round(float(u.price_for_target), 2)
    (0.3425, 16.2)
    """
    price = np.asarray(price_usd, dtype=float)
    discount = float(store_discount)
    if not 0 <= discount < 1:
        raise InputError(f"store_discount: expected a fraction from 0 up to (not including) 1, "
                         f"found {discount!r}", name="store_discount")
    if not 0 <= refund_rate <= 1:
        raise InputError(f"refund_rate: expected a fraction between 0 and 1, found "
                         f"{refund_rate!r}", name="refund_rate")
    sale = core.sale_price(price, discount) if price_is_list else price
    sale = np.asarray(sale, dtype=float)
    vat_factor = 1.0 + (np.asarray(vat_rate, dtype=float) if prices_include_vat else 0.0)
    revenue = np.asarray(core.net_revenue(sale, vat_rate, prices_include_vat), dtype=float)
    freight = np.broadcast_to(np.asarray(freight_usd, dtype=float), revenue.shape)
    r = float(refund_rate)
    kept_goods = 1.0 - r * (1.0 if goods_recovered else 0.0)
    cost = (np.full(revenue.shape, np.nan) if unit_cost_usd is None
            else np.broadcast_to(np.asarray(unit_cost_usd, dtype=float), revenue.shape))
    fixed_cost = np.where(np.isnan(cost), 0.0, cost)
    # blank unit cost: COGS% of the sale price, i.e. cogs × vat_factor per dollar of R
    k = np.where(np.isnan(cost), np.asarray(cogs_pct, dtype=float) * vat_factor, 0.0)
    fee = np.asarray(fee_rate, dtype=float)
    refunds = np.asarray(core.refunds(revenue, r), dtype=float)
    fees = np.asarray(core.fees(revenue, fee, r), dtype=float)
    unit_cost = np.asarray(core.cost_of_goods(sale, cost, cogs_pct, r, goods_recovered),
                           dtype=float) * np.ones(revenue.shape)
    contribution = np.asarray(core.contribution(revenue, refunds, fees, unit_cost, freight),
                              dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.where(revenue > 0, contribution / revenue, np.nan)
        a = (1 - r) * (1 - fee) - k * kept_goods
        b = freight + fixed_cost * kept_goods
        breakeven_revenue = np.where(a > 0, b / a, np.nan)
        target_revenue = np.where(a - target_margin > 0, b / (a - target_margin), np.nan)
    to_sale = vat_factor
    price_for_target = target_revenue * to_sale
    return UnitEconomics(revenue, fees, freight, refunds, unit_cost, contribution, margin,
                         breakeven_revenue * to_sale, price_for_target,
                         price_for_target / (1 - discount))
