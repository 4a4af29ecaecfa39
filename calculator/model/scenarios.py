"""Programme economics per scenario: GMV, cost, net gain, ROI, payback, break-even lift.

All five scenarios are computed in one vectorised pass (arrays along the scenario axis; the
core :func:`scenario_economics` broadcasts, so a Monte Carlo can pass arrays of draws).

Definitions (domain.md, "Per scenario"), over a horizon of H months:

    B  = mean GMV of the last three months            (base monthly GMV)
    M  = B × (1 + lift) + added                       (projected monthly GMV)
    incremental GMV = (M − B) × H
    orders per month  = O_base × M / B                (O_base = B / AOV, or the SKU table's orders)
    margin rate m = 1 − COGS% − commission − affiliate share × affiliate rate
    programme cost = one-off spend + running cost × H − coupons used
      one-off spend = A+ pages + livestreams + onboarding interview
      running cost  = freight premium over economy × orders + extra ads + localisation net
    net gain = incremental GMV × m − programme cost
    ROI = net gain / programme cost                   (undefined when the cost is 0 or less)
    payback months = one-off spend / monthly net benefit (never, when that is 0 or less)
    break-even lift = the lift at which net gain is 0  (net gain is linear in the lift)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calculator.model import freight as fr
from calculator.model.eligibility import eligibility
from calculator.model.fees import affiliate_cost_rate, commission_rate, margin_rate
from calculator.model.inputs import StoreInputs
from calculator.model.ratecard import RateCard
from calculator.model.spend import (aplus_cost_usd, livestream_cost_usd, onboarding_cost_usd,
                                    spanish_cs_net_cost_usd)

SCENARIOS = ("baseline", "gsc_rising", "gsc_leap", "shumao", "super_hot")
#: The logistics plan each scenario ships with (domain.md).
SCENARIO_PLAN = {"baseline": "economy", "gsc_rising": "subsidised", "gsc_leap": "subsidised",
                 "shumao": "shumao", "super_hot": "economy"}
#: Half a cent: a programme cost below it rounds to $0.00, and its ROI is left blank.
MIN_COST_FOR_ROI_USD = 0.005
RESULT_COLUMNS = ("scenario", "eligible", "reason", "monthly_gmv", "incremental_gmv",
                  "orders_per_month", "freight_per_order", "programme_cost", "net_gain", "roi",
                  "payback_months", "breakeven_lift")
COST_COLUMNS = ("aplus", "livestreams", "onboarding", "localisation", "freight_premium", "ads",
                "coupons")


def scenario_economics(base_gmv, base_orders, lift, added_gmv, margin, freight_per_order,
                       economy_freight_per_order, one_off_usd, running_usd_per_month,
                       coupons_usd, horizon_months):
    """The economics of one or many scenarios; every argument broadcasts.

    Parameters
    ----------
    base_gmv : B, USD per month.        base_orders : O_base, orders per month at B.
    lift : relative GMV lift.           added_gmv : USD per month added on top (Super Hot).
    margin : gross margin per dollar of GMV.
    freight_per_order, economy_freight_per_order : USD per order under the scenario's plan and economy.
    one_off_usd : one-off spend.        running_usd_per_month : ads and localisation, per month.
    coupons_usd : traffic coupons used over the horizon (reduce the cost).
    horizon_months : H.

    Returns
    -------
    dict of arrays: monthly_gmv, incremental_gmv, orders_per_month, freight_premium,
    programme_cost, net_gain, roi, payback_months, breakeven_lift.

    Examples
    --------
    B = $10,000, O_base = 400, lift 1.47, margin 0.40, freight $3.3927 vs $3.0292 economy,
    one-off $0, no running cost or coupons, H = 3:
    M = 24,700; orders 988; premium = 0.3635 × 988 × 3 = $1,077.414;
    incremental GMV 44,100 × 0.40 = 17,640; net gain 17,640 − 1,077.414 = $16,562.59.

    >>> r = scenario_economics(10_000, 400, 1.47, 0, 0.40, 3.3927, 3.0292, 0, 0, 0, 3)
    >>> round(float(r["net_gain"]), 2)
    16562.59
    """
    B = np.asarray(base_gmv, dtype=float)
    O = np.asarray(base_orders, dtype=float)
    H = np.asarray(horizon_months, dtype=float)
    lift = np.asarray(lift, dtype=float)
    added = np.asarray(added_gmv, dtype=float)
    premium_per_order = np.asarray(freight_per_order, dtype=float) - economy_freight_per_order
    monthly_gmv = B * (1.0 + lift) + added
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # orders grow in proportion to GMV, at the store's own order value
        orders = np.where(B > 0, O * monthly_gmv / B, 0.0)
    incremental_gmv = (monthly_gmv - B) * H
    freight_premium = premium_per_order * orders * H
    programme_cost = one_off_usd + freight_premium + running_usd_per_month * H - coupons_usd
    monthly_benefit = (monthly_gmv - B) * margin - premium_per_order * orders \
        - running_usd_per_month + coupons_usd / H
    net_gain = incremental_gmv * margin - programme_cost
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # a cost that rounds to $0.00 has no meaningful ratio (it would be a huge number)
        roi = np.where(programme_cost >= MIN_COST_FOR_ROI_USD, net_gain / programme_cost, np.nan)
        # nothing spent up front: paid back at once if it gains, never if it loses,
        # and undefined when nothing moves at all (the baseline)
        one_off = np.maximum(np.asarray(one_off_usd, dtype=float), 0.0)
        payback = np.where(monthly_benefit > 0, one_off / monthly_benefit,
                           np.where((one_off == 0) & (monthly_benefit == 0), np.nan, np.inf))
        # net(L) = L × H × (B m − Δf O) − [H Δf O + H × running − coupons + one-off]
        slope = H * (B * margin - premium_per_order * O)
        fixed = H * premium_per_order * O + H * running_usd_per_month - coupons_usd + one_off_usd
        breakeven = np.where((slope > 0) & (B > 0), fixed / slope, np.nan)
    return {"monthly_gmv": monthly_gmv, "incremental_gmv": incremental_gmv,
            "orders_per_month": orders, "freight_premium": freight_premium,
            "programme_cost": programme_cost, "net_gain": net_gain, "roi": roi,
            "payback_months": payback, "breakeven_lift": breakeven}


@dataclass(frozen=True)
class ScenarioTable:
    """Results for one store: arrays along SCENARIOS, plus the cost breakdown."""

    scenarios: tuple[str, ...]
    eligible: tuple[bool, ...]
    reason: tuple[str, ...]
    plan: tuple[str, ...]
    lift: np.ndarray
    columns: dict[str, np.ndarray]
    costs: dict[str, np.ndarray]      # COST_COLUMNS -> array along scenarios
    margin_rate: float
    base_monthly_gmv: float
    base_orders_per_month: float
    freight_by_plan: dict[str, float]  # USD per order under each plan

    def rows(self) -> list[list[object]]:
        """The ``out_results`` rows (without the header), unrounded; NaN/inf for undefined."""
        out = []
        for i, name in enumerate(self.scenarios):
            out.append([name, self.eligible[i], self.reason[i]]
                       + [float(self.columns[c][i]) for c in RESULT_COLUMNS[3:]])
        return out

    def row(self, scenario: str) -> dict[str, object]:
        i = self.scenarios.index(scenario)
        return dict(zip(RESULT_COLUMNS, self.rows()[i]))


def freight_per_order_by_plan(inputs: StoreInputs, rates: RateCard, orders_per_month: float,
                              shumao_orders_per_month: float | None = None) -> dict[str, float]:
    """USD per order under each plan: the SKU table's order-weighted mean, else the average parcel.
    Shumao's free first parcel is spread over the parcels shipped under Shumao (its projected
    orders, ``shumao_orders_per_month``, over the horizon), not over today's orders."""
    divisor = rates.number("freight.volumetric_divisor_cm3_per_kg")
    skus = inputs.skus
    if skus is not None and len(skus) and skus.orders_per_month.sum() > 0:
        weights = fr.check_weights(skus.weight_g, "SKUs.weight_g")
        share = skus.orders_per_month / skus.orders_per_month.sum()
    else:
        weights = np.atleast_1d(fr.chargeable_weight_g(
            fr.check_weights(inputs.parcel_weight_g, "parcel_weight_g"), inputs.parcel_length_cm,
            inputs.parcel_width_cm, inputs.parcel_height_cm, divisor))
        share = np.ones(1)
    standard = fr.plan_freight_usd(weights, fr.standard_card(rates))
    economy = fr.economy_freight_usd(weights, rates)
    subsidy = fr.subsidy_per_parcel_usd(
        standard, economy, rates.number("freight.subsidy.cap_over_economy"),
        parcels_per_quarter=orders_per_month * 3.0 * share,
        quarter_budget_usd=rates.number("freight.subsidy.quarter_budget_usd"))
    parcels = (orders_per_month if shumao_orders_per_month is None
               else shumao_orders_per_month) * inputs.horizon_months
    shumao = fr.shumao_average_freight_usd(weights, parcels * share if parcels else 1.0, rates)
    return {"economy": float(np.dot(share, economy)),
            "standard": float(np.dot(share, standard)),
            "subsidised": float(np.dot(share, standard - subsidy)),
            "shumao": float(np.dot(share, shumao))}


def store_margin_rate(inputs: StoreInputs, rates: RateCard) -> float:
    share = inputs.affiliate_share if inputs.affiliate_share is not None \
        else rates.number("affiliate.share")
    rate = inputs.affiliate_rate if inputs.affiliate_rate is not None \
        else rates.number("affiliate.rate")
    skus = inputs.skus
    if skus is not None and len(skus) and skus.gmv_per_month.sum() > 0:
        # commission weighted by each category's share of GMV
        commission = float(np.dot(commission_rate(np.array(skus.category, dtype=object), rates),
                                  skus.gmv_per_month) / skus.gmv_per_month.sum())
    else:
        commission = commission_rate(inputs.category, rates)
    return margin_rate(inputs.cogs_pct, commission, affiliate_cost_rate(share, rate))


@dataclass(frozen=True)
class ScenarioParameters:
    """The arguments of :func:`scenario_economics` for one store, along SCENARIOS, plus the
    cost parts. The Monte Carlo replaces some of them with arrays of draws."""

    base_gmv: float
    base_orders: float
    lift: np.ndarray
    added_gmv: np.ndarray
    margin: float
    plan_freight: np.ndarray
    economy_freight: float
    one_off: np.ndarray
    running_per_month: np.ndarray
    coupons: np.ndarray
    horizon_months: float
    cost_parts: dict[str, np.ndarray]   # aplus, livestreams, onboarding, localisation, ads, coupons
    freight_by_plan: dict[str, float]
    orders_from_skus: bool

    def economics(self, **replaced):
        """scenario_economics with these parameters, some replaced (e.g. lift=draws)."""
        args = dict(base_gmv=self.base_gmv, base_orders=self.base_orders, lift=self.lift,
                    added_gmv=self.added_gmv, margin=self.margin,
                    freight_per_order=self.plan_freight,
                    economy_freight_per_order=self.economy_freight, one_off_usd=self.one_off,
                    running_usd_per_month=self.running_per_month, coupons_usd=self.coupons,
                    horizon_months=self.horizon_months)
        args.update(replaced)
        return scenario_economics(**args)


def scenario_parameters(inputs: StoreInputs, rates: RateCard) -> ScenarioParameters:
    """Lift, freight, margin and costs of every scenario for one store (domain.md)."""
    B = inputs.base_monthly_gmv
    skus = inputs.skus
    orders_from_skus = bool(skus is not None and len(skus) and skus.orders_per_month.sum() > 0)
    base_orders = float(skus.orders_per_month.sum()) if orders_from_skus else B / inputs.aov_usd
    H = float(inputs.horizon_months)
    fx = inputs.fx_cny_per_usd
    level = inputs.cost_level
    freight = freight_per_order_by_plan(
        inputs, rates, base_orders, base_orders * (1.0 + rates.number("lift.shumao")))
    margin = store_margin_rate(inputs, rates)
    names = np.array(SCENARIOS)
    gsc = np.char.startswith(names, "gsc_")
    shumao = names == "shumao"

    lift = np.array([0.0, rates.number("lift.gsc_rising"), rates.number("lift.gsc_leap"),
                     rates.number("lift.shumao"), 0.0])
    added = np.where(names == "super_hot", rates.number("super_hot.added_gmv_usd_per_month"), 0.0)
    plan_freight = np.array([freight[SCENARIO_PLAN[s]] for s in SCENARIOS])

    aplus = np.where(gsc, aplus_cost_usd(_aplus_pages(inputs), inputs.aplus_source, fx, rates,
                                         level), 0.0)
    livestreams = np.where(gsc, livestream_cost_usd(rates.number("livestream.required"),
                                                    inputs.livestream_usd_each), 0.0)
    onboarding = np.where(shumao, onboarding_cost_usd(inputs.interview_sessions, fx, rates,
                                                      level).total_usd, 0.0)
    localisation_total = spanish_cs_net_cost_usd(
        inputs.spanish_cs_usd_per_month, H, rates.number("localisation.spanish_cs_subsidy"),
        rates.number("localisation.spanish_cs_subsidy_months"))
    localisation_month = np.where(gsc, localisation_total / H, 0.0)
    ads_month = np.where(names == "baseline", 0.0, inputs.ads_usd_per_month)
    coupon_cap = rates.number("coupons.max_usd_per_quarter")
    per_quarter = coupon_cap if inputs.coupons_usd_per_quarter is None \
        else min(inputs.coupons_usd_per_quarter, coupon_cap)
    coupons = np.where(gsc, per_quarter * H / 3.0, 0.0)
    return ScenarioParameters(
        B, base_orders, lift, added, margin, plan_freight, freight["economy"],
        aplus + livestreams + onboarding, ads_month + localisation_month, coupons, H,
        {"aplus": aplus, "livestreams": livestreams, "onboarding": onboarding,
         "localisation": localisation_month * H, "ads": ads_month * H, "coupons": 0.0 - coupons},
        freight, orders_from_skus)


def compute_scenarios(inputs: StoreInputs, rates: RateCard) -> ScenarioTable:
    """Every scenario for one store (ineligible ones too, marked with the reason)."""
    params = scenario_parameters(inputs, rates)
    econ = params.economics()
    parts = params.cost_parts
    costs = {"aplus": parts["aplus"], "livestreams": parts["livestreams"],
             "onboarding": parts["onboarding"], "localisation": parts["localisation"],
             "freight_premium": econ["freight_premium"], "ads": parts["ads"],
             "coupons": parts["coupons"]}
    econ["freight_per_order"] = params.plan_freight
    elig = eligibility(inputs, rates)
    B = params.base_gmv
    effective_lift = params.lift + (params.added_gmv / B if B > 0 else 0.0)
    n = len(SCENARIOS)
    return ScenarioTable(SCENARIOS, tuple(elig[s].eligible for s in SCENARIOS),
                         tuple(elig[s].reason for s in SCENARIOS),
                         tuple(SCENARIO_PLAN[s] for s in SCENARIOS), effective_lift,
                         {k: np.asarray(v, dtype=float) * np.ones(n) for k, v in econ.items()},
                         costs, float(params.margin), B, params.base_orders,
                         params.freight_by_plan)


def _aplus_pages(inputs: StoreInputs) -> float:
    skus = inputs.skus
    if skus is not None and len(skus) and skus.aplus.any():
        return float(skus.aplus.sum())
    return float(inputs.aplus_pages)


def recommended_scenario(table: ScenarioTable) -> str:
    """The eligible programme with the highest net gain, or baseline when none gains."""
    best, best_gain = "baseline", 0.0
    for i, name in enumerate(table.scenarios):
        gain = table.columns["net_gain"][i]
        if name != "baseline" and table.eligible[i] and np.isfinite(gain) and gain > best_gain:
            best, best_gain = name, gain
    return best
