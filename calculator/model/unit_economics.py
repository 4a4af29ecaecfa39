"""The unit-economics core: what one order brings, quantity by quantity.

The scenario view (scenarios.py), the SKU view (sku_economics.py), the risk model and the
worksheet functions all use these functions, so the same store gives the same margin in every
view. Every function broadcasts over numpy arrays (SKUs, plans, Monte Carlo draws).

Per order, with P the list price, d the store discount, v the VAT rate (when prices include
VAT), rr the refund rate, f the fee rate (commission + affiliate share × rate + payment fee):

    sale price        S = P × (1 − d)
    net revenue       R = S / (1 + v)                  (S when prices exclude VAT)
    refunds           = rr × R
    fees              = f × R × (1 − rr)                (on revenue that is kept)
    cost of goods     = (C, or COGS% × S) × (1 − rr × recovered)
    contribution      = R − refunds − fees − cost of goods − freight
"""
from __future__ import annotations

import numpy as np


def _out(x):
    return float(x) if np.ndim(x) == 0 else x


def sale_price(list_price, store_discount=0.0):
    """``S = P × (1 − d)``: what the buyer pays.

    >>> sale_price(20.0, 0.10)
    18.0
    """
    return _out(np.asarray(list_price, dtype=float) * (1.0 - np.asarray(store_discount, float)))


def net_revenue(sale, vat_rate=0.0, prices_include_vat=False):
    """``R = S / (1 + VAT)`` when prices include VAT (the marketplace collects it), else S.

    Example: a $24.60 order in Poland (VAT 23%): 24.60 / 1.23 = $20.00.

    >>> round(net_revenue(24.60, 0.23, True), 2)
    20.0
    """
    factor = 1.0 + (np.asarray(vat_rate, dtype=float) if prices_include_vat else 0.0)
    return _out(np.asarray(sale, dtype=float) / factor)


def refunds(revenue, refund_rate=0.0):
    """``refunds = rr × R``: a refunded order loses its revenue.

    >>> refunds(20.0, 0.05)
    1.0
    """
    return _out(np.asarray(revenue, dtype=float) * np.asarray(refund_rate, dtype=float))


def fees(revenue, fee_rate, refund_rate=0.0):
    """``fees = f × R × (1 − rr)``: commission, affiliate and payment fees on revenue kept.

    Example: $20 revenue, 5% commission + 1% affiliate, 5% refunds: 0.06 × 20 × 0.95 = $1.14.

    >>> round(fees(20.0, 0.06, 0.05), 2)
    1.14
    """
    return _out(np.asarray(fee_rate, dtype=float) * np.asarray(revenue, dtype=float)
                * (1.0 - np.asarray(refund_rate, dtype=float)))


def cost_of_goods(sale, unit_cost=None, cogs_pct=0.0, refund_rate=0.0, goods_recovered=False):
    """``C × (1 − rr × recovered)``, where C is the unit cost, or COGS% × S where it is blank
    (NaN). Refunded goods come back only when ``goods_recovered``.

    Example: a $24.60 sale, COGS 45%, no unit cost: 0.45 × 24.60 = $11.07.

    >>> round(cost_of_goods(24.60, None, 0.45), 2)
    11.07
    """
    sale = np.asarray(sale, dtype=float)
    if unit_cost is None:
        cost = np.asarray(cogs_pct, dtype=float) * sale
    else:
        given = np.asarray(unit_cost, dtype=float)
        cost = np.where(np.isnan(given), np.asarray(cogs_pct, dtype=float) * sale, given)
    kept = 1.0 - np.asarray(refund_rate, dtype=float) * (1.0 if goods_recovered else 0.0)
    return _out(cost * kept)


def contribution(revenue, refunds_usd, fees_usd, goods_usd, freight_usd):
    """``R − refunds − fees − cost of goods − freight``: what one order leaves the store.

    Example (the Inputs sheet's filled-in store): $24.60 with VAT 23% -> R = $20.00; 5%
    commission: fees $1.00; COGS 45% of the sale: $11.07; economy freight for 750 g
    (4.15 / 1.37 = $3.0292): 20 − 0 − 1 − 11.07 − 3.0292 = $4.9008.

    >>> round(contribution(20.0, 0.0, 1.0, 11.07, 4.15 / 1.37), 4)
    4.9008
    """
    return _out(np.asarray(revenue, dtype=float) - refunds_usd - fees_usd - goods_usd
                - freight_usd)


def order_value(base_gmv, base_orders, aov_usd):
    """GMV per order: ``B / O`` from today's figures, the average order value when there are no
    orders yet. Extra GMV becomes orders at this value, and every extra order ships.

    >>> order_value(12_000, 480, 30.0)
    25.0
    """
    return float(base_gmv / base_orders) if base_orders > 0 else float(aov_usd)
