"""Per SKU and logistics plan: the unit economics of pricing.py for every row of the SKUs table,
and the programme view (how far each scenario's plan lets prices move at the same margin)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calculator.errors import InputError
from calculator.model import freight as fr
from calculator.model.fees import affiliate_cost_rate, commission_rate
from calculator.model.inputs import StoreInputs
from calculator.model.pricing import UnitEconomics, unit_economics
from calculator.model.ratecard import RateCard
from calculator.model.scenarios import SCENARIO_PLAN, SCENARIOS

PLANS = ("economy", "standard", "subsidised", "shumao")
SKU_ECONOMICS_COLUMNS = ("sku", "plan", "net_revenue", "fees", "freight", "refunds", "unit_cost",
                         "contribution", "margin", "breakeven_price", "price_for_target",
                         "list_price_for_target", "price_for_target_local",
                         "list_price_for_target_local", "note")
PROGRAMME_COLUMNS = ("scenario", "plan", "median_price_change", "share_below_target")


@dataclass(frozen=True)
class SkuEconomics:
    skus: tuple[str, ...]
    by_plan: dict[str, UnitEconomics]
    fx_local_per_usd: float | None
    currency: str | None
    target_margin: float

    def rows(self) -> list[list[object]]:
        """One row per SKU × plan, SKU-major (all plans of a SKU together)."""
        out = []
        for i, sku in enumerate(self.skus):
            for plan in PLANS:
                u = self.by_plan[plan]
                target = float(u.price_for_target[i])
                listed = float(u.list_price_for_target[i])
                fx = self.fx_local_per_usd
                note = "" if np.isfinite(target) else (
                    "no price reaches the target margin: fees, refunds and the target "
                    "leave nothing")
                out.append([sku, plan, float(u.net_revenue[i]), float(u.fees[i]),
                            float(u.freight[i]), float(u.refunds[i]), float(u.unit_cost[i]),
                            float(u.contribution[i]), float(u.margin[i]),
                            float(u.breakeven_price[i]), target, listed,
                            target * fx if fx else float("nan"),
                            listed * fx if fx else float("nan"), note])
        return out

    def median_margin(self, plan: str = "economy") -> float:
        margins = self.by_plan[plan].margin
        return float(np.nanmedian(margins)) if len(margins) else float("nan")

    def below_target(self, plan: str = "economy") -> int:
        return int(np.sum(self.by_plan[plan].margin < self.target_margin - 1e-12))

    def programme_view(self) -> list[list[object]]:
        """Per scenario: median change of the price for the target margin against economy
        (negative: the plan lets prices fall), and the share of SKUs below target under it."""
        base = self.by_plan["economy"].price_for_target
        rows = []
        for scenario in SCENARIOS:
            plan = SCENARIO_PLAN[scenario]
            change = self.by_plan[plan].price_for_target - base
            finite = change[np.isfinite(change)]
            share = float(np.mean(self.by_plan[plan].margin < self.target_margin - 1e-12)) \
                if len(self.skus) else float("nan")
            rows.append([scenario, plan, float(np.median(finite)) if len(finite) else float("nan"),
                         share])
        return rows


def sku_economics(inputs: StoreInputs, rates: RateCard) -> SkuEconomics | None:
    """Unit economics of every SKU under every plan, or None without a SKUs table."""
    skus = inputs.skus
    if skus is None or not len(skus):
        return None
    weights = fr.check_weights(skus.weight_g, "SKUs.weight_g")
    standard = fr.plan_freight_usd(weights, fr.standard_card(rates))
    economy = fr.economy_freight_usd(weights, rates)
    subsidised = fr.subsidised_freight_usd(standard, economy,
                                           rates.number("freight.subsidy.cap_over_economy"))
    # a unit's freight under Shumao: the per-parcel price (the one free first parcel of the
    # store is not spread over products)
    shumao = fr.plan_freight_usd(weights, fr.shumao_card(rates))
    freight = {"economy": economy, "standard": standard, "subsidised": subsidised,
               "shumao": shumao}
    share = inputs.affiliate_share if inputs.affiliate_share is not None \
        else rates.number("affiliate.share")
    rate = inputs.affiliate_rate if inputs.affiliate_rate is not None \
        else rates.number("affiliate.rate")
    fee_rate = (commission_rate(np.array(skus.category, dtype=object), rates)
                + affiliate_cost_rate(share, rate) + inputs.payment_fee_pct)
    vat_key = f"vat.{inputs.market}"
    vat = rates.number(vat_key) if vat_key in rates else 0.0
    if inputs.prices_include_vat and vat_key not in rates:
        raise InputError(f"prices_include_vat: no VAT rate for market {inputs.market} in the "
                         f"Rates table (add {vat_key})", name="prices_include_vat")
    currency = rates.code(f"market.{inputs.market}") if f"market.{inputs.market}" in rates else None
    fx_key = f"fx.{currency.lower()}_per_usd" if currency else None
    fx_local = 1.0 if currency == "USD" else (
        rates.number(fx_key) if fx_key and fx_key in rates else None)
    unit_cost = skus.unit_cost_usd if skus.unit_cost_usd is not None \
        else np.full(len(skus), np.nan)
    by_plan = {plan: unit_economics(skus.price_usd, freight[plan], unit_cost_usd=unit_cost,
                                    cogs_pct=inputs.cogs_pct, fee_rate=fee_rate,
                                    refund_rate=inputs.refund_rate, vat_rate=vat,
                                    prices_include_vat=inputs.prices_include_vat,
                                    store_discount=inputs.store_discount,
                                    target_margin=inputs.target_margin,
                                    goods_recovered=inputs.refund_recovers_goods)
               for plan in PLANS}
    return SkuEconomics(tuple(skus.sku), by_plan, fx_local, currency, inputs.target_margin)
