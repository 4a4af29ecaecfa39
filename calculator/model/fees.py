"""Commissions and fees on sales, and costs quoted in CNY."""
from __future__ import annotations

import math

import numpy as np

from calculator.errors import InputError
from calculator.model.arrays import scalar_or_array
from calculator.model.ratecard import RateCard


def commission_rate(category, rates: RateCard):
    """Transaction commission for a category (001: general 5%, apparel 8%), vectorised.

    The categories are the ``commission.<category>`` rows of the rate card; a workbook adds its
    own rows to the Rates table. An unknown category is an error that lists the known ones.

    Examples
    --------
    >>> from calculator.model.ratecard import load_rate_card
    >>> commission_rate("apparel", load_rate_card())
    0.08
    """
    table = rates.derived("fees.commission_table", _commission_table)
    names = np.asarray(category, dtype=object)
    flat = [str(c).strip().lower() if c is not None else "" for c in names.ravel()]
    unknown = sorted({c for c in flat if c not in table})
    if unknown:
        raise InputError(f"category: unknown category {unknown[0]!r}: expected one of "
                         f"{', '.join(sorted(table))} (or add a row commission.{unknown[0] or '<name>'} "
                         f"to the Rates table)", name="category",
                         expected="a category of the Rates table", found=unknown[0])
    result = np.array([table[c] for c in flat], dtype=float).reshape(names.shape)
    return scalar_or_array(result)


def _commission_table(rates: RateCard) -> dict[str, float]:
    """Commission by lower-case category name (read, never changed, by commission_rate)."""
    return {name.lower(): rate.value for name, rate in rates.family("commission.").items()}


def affiliate_cost_rate(affiliate_share, affiliate_rate):
    """Share of GMV paid to affiliates: ``share of affiliate-attributed sales × their rate``.

    >>> round(affiliate_cost_rate(0.2, 0.10), 10)
    0.02
    """
    result = np.asarray(affiliate_share, dtype=float) * np.asarray(affiliate_rate, dtype=float)
    return scalar_or_array(result)


def margin_rate(cogs_pct, commission, affiliate_cost):
    """Gross margin on a dollar of GMV: ``1 − COGS% − commission − affiliate share × rate``.

    >>> round(margin_rate(0.55, 0.05, 0.0), 10)
    0.4
    """
    result = 1.0 - np.asarray(cogs_pct, dtype=float) - commission - affiliate_cost
    return scalar_or_array(result)


def fees_on_gmv_usd(gmv_usd, commission, affiliate_cost):
    """Commission and affiliate fees on an amount of GMV.

    >>> fees_on_gmv_usd(10_000, 0.05, 0.01)
    600.0
    """
    result = np.asarray(gmv_usd, dtype=float) * (commission + affiliate_cost)
    return scalar_or_array(result)


def cny_to_usd(amount_cny, fx_cny_per_usd: float):
    """Convert CNY at the pinned, user-given rate (no network).

    >>> cny_to_usd(1000, 8.0)
    125.0
    """
    if type(amount_cny) is float and type(fx_cny_per_usd) is float \
            and math.isfinite(fx_cny_per_usd) and fx_cny_per_usd > 0:
        # two plain numbers (the spend of every scenario and moved store): the same division
        # numpy does, without making arrays of them
        return amount_cny / fx_cny_per_usd
    if not fx_cny_per_usd or not np.isfinite(fx_cny_per_usd) or fx_cny_per_usd <= 0:
        raise InputError(f"fx_cny_per_usd: expected a rate above 0 (CNY per USD, e.g. 7.10), "
                         f"found {fx_cny_per_usd!r}", name="fx_cny_per_usd",
                         expected="CNY per USD > 0", found=fx_cny_per_usd)
    result = np.asarray(amount_cny, dtype=float) / fx_cny_per_usd
    return scalar_or_array(result)
