"""Per SKU and logistics plan: the unit economics of pricing.py for every row of the SKUs table,
and the programme view (how far each scenario's plan lets prices move at the same margin)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calculator.errors import InputError
from calculator.model import freight as fr
from calculator.model.inputs import StoreInputs
from calculator.model.pricing import UnitEconomics, unit_economics
from calculator.model.ratecard import RateCard
from calculator.model.texts import message
from calculator.model.programmes import PLAN_IDS as PLANS
from calculator.model.programmes import SCENARIO_PLAN, SCENARIOS, plan_freight_usd
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

    def columns(self, lang: str = "en") -> list[object]:
        """The columns of :meth:`rows` (SKU_ECONOMICS_COLUMNS): text as lists (the note in
        ``lang``), figures as float arrays (NaN where a figure does not apply), built
        whole-column (a 20,000-SKU table has 80,000 rows)."""
        n, plans = len(self.skus), len(PLANS)

        def column(field: str) -> np.ndarray:    # SKU-major: all plans of a SKU together
            return np.stack([np.broadcast_to(np.asarray(getattr(self.by_plan[plan], field),
                                                        dtype=float), (n,))
                             for plan in PLANS], axis=1).reshape(-1)
        target = column("price_for_target")
        listed = column("list_price_for_target")
        fx = self.fx_local_per_usd
        no_price = message("sku.no_price", lang)
        return [[sku for sku in self.skus for _ in range(plans)], list(PLANS) * n,
                column("net_revenue"), column("fees"), column("freight"), column("refunds"),
                column("unit_cost"), column("contribution"), column("margin"),
                column("breakeven_price"), target, listed,
                target * fx if fx else np.full(n * plans, np.nan),
                listed * fx if fx else np.full(n * plans, np.nan),
                np.where(np.isfinite(target), "", no_price).tolist()]

    def rows(self, lang: str = "en") -> list[list[object]]:
        """One row per SKU × plan, SKU-major (all plans of a SKU together)."""
        columns = [c.tolist() if isinstance(c, np.ndarray) else c for c in self.columns(lang)]
        return [list(row) for row in zip(*columns)]

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
    # the same order lines as the scenario view (chargeable weights with the store's parcel
    # dimensions, the same fees), so both views give the same contribution
    from calculator.model.scenarios import fee_rate as store_fee_rate
    divisor = rates.number("freight.volumetric_divisor_cm3_per_kg")
    weights = np.atleast_1d(fr.chargeable_weight_g(
        fr.check_weights(skus.weight_g, "SKUs.weight_g"), inputs.parcel_length_cm,
        inputs.parcel_width_cm, inputs.parcel_height_cm, divisor))
    # a unit's freight under each plan: the per-parcel price (Shumao's one free first parcel
    # of the store is not spread over products; no subsidy budget is spread either)
    freight = {plan: plan_freight_usd(plan, weights, rates) for plan in PLANS}
    fee_rate = store_fee_rate(inputs, rates, skus.category)
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
