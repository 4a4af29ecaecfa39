"""Programme economics per scenario: a month-by-month cash flow against the baseline.

Every scenario of the registry (programmes.py) is computed in one vectorised pass: arrays along
the scenario axis, with a month axis last; :func:`programme_cash_flow` broadcasts, so the Monte
Carlo passes arrays of draws. The rules (domain.md, "Per scenario", revised 2026-11-28):

    B   = mean GMV of the last three months; O = orders a month today; v = B / O
    c_s = contribution per order under scenario s's plan (unit_economics.py): every order,
          the extra ones too, pays its commission, fees, goods and freight
    month m = 1..H: lift applies from the programme's lift_start_month (GSC and Shumao: month 2,
          T+31 on; Super Hot: month 1)
    GMV_m = B × (1 + lift_m) + added_m;   orders_m = GMV_m / v
    incremental contribution_m = orders_m × c_s − O × c_0
    outlays_m  = one-off spend (month 1) + recurring spend (every month)          never negative
    credits_m  = coupons (once, in the resource month) + a subsidy on a cost already paid
    cash_m     = incremental contribution_m + credits_m − outlays_m
    benefits   = Σ incremental contribution + Σ credits;   net gain = benefits − outlays
    ROI        = net gain / outlays ("no outlay" when outlays are 0)
    payback    = first month from which the cumulative cash stays >= 0 to the end of the
                 horizon ("not within the horizon")
    break-even lift: net gain is linear in the lift, net(L) = L × k × O × c_s + net(0), with k
          the months the lift applies; "gains even with no lift" only when net(0) > 0 and the
          slope k × O × c_s >= 0; when c_s <= 0 more lift loses more; when k = 0 (the lift starts
          after the horizon) or O = 0 (no orders today) no lift changes the net gain
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from calculator.errors import InputError
from calculator.model import freight as fr
from calculator.model import unit_economics as core
from calculator.model.eligibility import Eligibility, aplus_pages, eligibility
from calculator.model.fees import affiliate_cost_rate, commission_rate
from calculator.model.inputs import StoreInputs
from calculator.model.programmes import (CREDIT_PARTS, LIFT_FORECAST, LIFT_RELATIVE,
                                         OUTLAY_PARTS, PROGRAMMES, SCENARIO_PLAN,
                                         SCENARIOS, plan_freight_usd, programme_lifts)
from calculator.model.ratecard import RateCard
from calculator.model.spend import aplus_cost_usd, livestream_cost_usd, onboarding_cost_usd
from calculator.model.texts import message, money, snap_cents

__all__ = ["SCENARIOS", "SCENARIO_PLAN", "RESULT_COLUMNS", "COST_COLUMNS", "compute_scenarios",
           "scenario_parameters", "programme_cash_flow", "recommend", "ScenarioTable"]

RESULT_COLUMNS = ("scenario", "eligible", "reason", "monthly_gmv", "incremental_gmv",
                  "orders_per_month", "freight_per_order", "contribution_per_order",
                  "monthly_contribution", "outlays", "benefits", "net_gain", "roi",
                  "payback_month", "breakeven_lift")
#: The cost table: outlay parts, their total, the incremental contribution, credit parts and
#: the benefits' total (net gain = benefits − outlays).
COST_COLUMNS = OUTLAY_PARTS + ("outlays", "incremental_contribution") + CREDIT_PARTS + \
    ("benefits",)
#: Columns in dollars: within half a cent of zero they are written as 0.0, never -0.00.
MONEY_COLUMNS = ("monthly_gmv", "incremental_gmv", "freight_per_order", "contribution_per_order",
                 "monthly_contribution", "outlays", "benefits", "net_gain")
#: An outlay below half a cent rounds to $0.00: the ROI says "no outlay".
MIN_OUTLAY_FOR_ROI_USD = 0.005
NONE = "none"


def programme_cash_flow(base_gmv, base_orders, order_value, lift, added_gmv, lift_start_month,
                        contribution_per_order, baseline_contribution_per_order, one_off_usd,
                        recurring_usd_per_month, credit_once_usd, credit_month,
                        credit_usd_per_month, credit_months, horizon_months, months=True):
    """Month-by-month cash of one or many scenarios against the baseline; arguments broadcast
    (a scenario axis last, draws before it), the month axis is added last.

    Parameters
    ----------
    base_gmv, base_orders, order_value : B, O and v = B / O.
    lift : relative GMV lift.   added_gmv : USD a month added on top (Super Hot's forecast).
    lift_start_month : first month (1-based) the lift and the added GMV apply.
    contribution_per_order, baseline_contribution_per_order : c_s and c_0.
    one_off_usd : spent in month 1.   recurring_usd_per_month : spent every month.
    credit_once_usd, credit_month : a platform credit received once (coupons) in that month.
    credit_usd_per_month, credit_months : a credit received monthly for the first months.
    horizon_months : H (an integer).
    months : False for the totals only (:func:`programme_totals`), no month axis.

    Returns
    -------
    dict: cash (..., H) and cumulative (..., H); monthly_gmv, orders_per_month,
    monthly_contribution (a month at full lift); incremental_gmv, incremental_contribution,
    credits, outlays, benefits, net_gain (over the horizon); lift_months (k).

    Examples
    --------
    B = $10,000, O = 400 orders ($25 each), lift 100% from month 2, c_s = $5.00, c_0 = $5.50,
    $600 one-off, coupons $1,000 in month 2, H = 3:
    month 1: 400 × 5 − 400 × 5.5 = −200, less 600 -> −800;
    months 2, 3: 800 × 5 − 2,200 = 1,800 (+ 1,000 coupons in month 2) -> 2,800 and 1,800;
    cumulative −800, 2,000, 3,800: payback in month 2; net gain 3,800.

    >>> r = programme_cash_flow(10_000, 400, 25, 1.0, 0, 2, 5.0, 5.5, 600, 0, 1000, 2, 0, 0, 3)
    >>> [float(x) for x in r["cumulative"]], float(r["net_gain"])
    ([-800.0, 2000.0, 3800.0], 3800.0)
    """
    H = int(horizon_months)
    totals = programme_totals(base_gmv, base_orders, order_value, lift, added_gmv,
                              lift_start_month, contribution_per_order,
                              baseline_contribution_per_order, one_off_usd,
                              recurring_usd_per_month, credit_once_usd, credit_month,
                              credit_usd_per_month, credit_months, H)
    if not months:
        return totals
    month = np.arange(1, H + 1, dtype=float)
    ex = lambda x: np.asarray(x, dtype=float)[..., None]   # noqa: E731 (add the month axis)
    B, O, v = (np.asarray(x, dtype=float) for x in (base_gmv, base_orders, order_value))
    applies = (month >= ex(lift_start_month)).astype(float)
    gmv = ex(B) * (1.0 + ex(lift) * applies) + ex(added_gmv) * applies
    incremental = gmv / ex(v) * ex(contribution_per_order) \
        - ex(O * baseline_contribution_per_order)
    credits = ex(credit_once_usd) * (month == ex(credit_month)) \
        + ex(credit_usd_per_month) * (month <= ex(credit_months))
    outlays = ex(one_off_usd) * (month == 1) + ex(recurring_usd_per_month) * np.ones_like(month)
    cash = incremental + credits - outlays
    return dict(totals, cash=cash, cumulative=np.cumsum(cash, axis=-1))


def programme_totals(base_gmv, base_orders, order_value, lift, added_gmv, lift_start_month,
                     contribution_per_order, baseline_contribution_per_order, one_off_usd,
                     recurring_usd_per_month, credit_once_usd, credit_month,
                     credit_usd_per_month, credit_months, horizon_months,
                     horizon_only=False):
    """The horizon's totals of :func:`programme_cash_flow` in closed form, without a month axis
    (the Monte Carlo draws them this way: a 120-month horizon costs no more than 3 months).
    ``horizon_only``: leave out the figures of a month at full lift (monthly GMV, orders and
    contribution), which the Monte Carlo does not use.

    With k = the months the lift applies (H − start + 1, within 0..H):
    ΣGMV − H × B = (B × lift + added) × k; Σ incremental contribution = ΣGMV ÷ v × c − H × O ×
    c₀; credits = once (when its month is within H) + monthly × min(its months, H); outlays =
    one-off + recurring × H.

    >>> r = programme_totals(10_000, 400, 25, 1.0, 0, 2, 5.0, 5.5, 600, 0, 1000, 2, 0, 0, 3)
    >>> float(r["net_gain"]), float(r["outlays"]), float(r["benefits"])
    (3800.0, 600.0, 4400.0)
    """
    H = float(int(horizon_months))
    B, O, v = (np.asarray(x, dtype=float) for x in (base_gmv, base_orders, order_value))
    lift, added, c = (np.asarray(x, dtype=float) for x in
                      (lift, added_gmv, contribution_per_order))
    start = np.asarray(lift_start_month, dtype=float)
    k = np.clip(H - start + 1.0, 0.0, H)
    extra_gmv = (B * lift + added) * k
    incremental = (B * H + extra_gmv) / v * c - H * O * np.asarray(
        baseline_contribution_per_order, dtype=float)
    when = np.asarray(credit_month, dtype=float)
    credits = np.asarray(credit_once_usd, dtype=float) * ((when >= 1) & (when <= H)) \
        + np.asarray(credit_usd_per_month, dtype=float) * np.clip(
            np.asarray(credit_months, dtype=float), 0.0, H)
    outlays = np.asarray(one_off_usd, dtype=float) * (H >= 1) \
        + np.asarray(recurring_usd_per_month, dtype=float) * H
    benefits = incremental + credits
    totals = {"incremental_gmv": extra_gmv, "incremental_contribution": incremental,
              "credits": credits, "outlays": outlays, "benefits": benefits,
              "net_gain": benefits - outlays, "lift_months": k}
    if horizon_only:
        return totals
    full_gmv = B * (1.0 + lift) + added
    full_orders = full_gmv / v
    return {"monthly_gmv": full_gmv, "orders_per_month": full_orders,
            "monthly_contribution": full_orders * c, **totals}


def payback_month(cumulative) -> np.ndarray:
    """The first month (1-based) from which the cumulative cash stays >= 0 to the end of the
    horizon; NaN when the horizon ends below zero. A total that turns positive and falls back
    (a recurring cost outrunning a one-off credit) is not paid back.

    >>> payback_month(np.array([[-800.0, 2000.0, 3800.0], [-5.0, -1.0, -0.5]])).tolist()
    [2.0, nan]
    >>> payback_month(np.array([-1.0, 3.0, -2.0, 1.0])).tolist()
    4.0
    """
    cum = np.asarray(cumulative, dtype=float)
    # a cent of float noise is not a loss
    ok = cum >= -1e-9
    H = cum.shape[-1]
    # months counted from the end while the total stays non-negative
    tail = np.cumprod(ok[..., ::-1], axis=-1).sum(axis=-1)
    return np.where(tail > 0, H - tail + 1.0, np.nan)


# --- one store ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoreOrders:
    """Today's orders of a store, line by line (the SKUs, or one line for the average order),
    through the unit-economics core. ``share``: each line's share of orders."""

    weights_g: np.ndarray           # chargeable weight per line (volumetric where larger)
    share: np.ndarray
    list_price: np.ndarray
    sale: np.ndarray
    revenue: np.ndarray
    refunds: np.ndarray
    fees: np.ndarray
    goods: np.ndarray
    goods_from_cogs: np.ndarray     # bool: the line's cost of goods is COGS% × sale
    base_orders: float
    order_value: float
    from_skus: bool
    fee_rates: np.ndarray | None = field(default=None, compare=False)   # fee_rate per line

    @property
    def before_freight(self) -> np.ndarray:
        return self.revenue - self.refunds - self.fees - self.goods

    def per_order(self, per_line) -> float:
        """An order-weighted mean over the lines."""
        return float(np.dot(self.share, np.asarray(per_line, dtype=float)))


def _vat_rate(inputs: StoreInputs, rates: RateCard) -> float:
    key = f"vat.{inputs.market}"
    if inputs.prices_include_vat and key not in rates:
        raise InputError(f"prices_include_vat: no VAT rate for market {inputs.market} in the "
                         f"Rates table (add {key})", name="prices_include_vat")
    return rates.number(key) if key in rates else 0.0


#: The inputs :func:`fee_rate` reads: a store with any other input changed keeps its lines'
#: fee rates (store_orders_of_stores' ``fee_rates``).
FEE_RATE_INPUTS = frozenset(("category", "skus", "affiliate_share", "affiliate_rate",
                             "payment_fee_pct"))


def fee_rate(inputs: StoreInputs, rates: RateCard, categories) -> np.ndarray:
    """Commission by category + affiliate share × rate + payment fee, per line."""
    share = inputs.affiliate_share if inputs.affiliate_share is not None \
        else rates.number("affiliate.share")
    rate = inputs.affiliate_rate if inputs.affiliate_rate is not None \
        else rates.number("affiliate.rate")
    commission = np.atleast_1d(commission_rate(np.array(categories, dtype=object), rates))
    return commission + affiliate_cost_rate(share, rate) + inputs.payment_fee_pct


def store_orders(inputs: StoreInputs, rates: RateCard) -> StoreOrders:
    """The store's order lines: the SKUs table weighted by orders when it has orders, else one
    average order (price = AOV, cost of goods = COGS% of it). A SKU's chargeable weight uses the
    store's parcel dimensions (the SKUs table has none of its own), never dropping them.
    :func:`store_orders_of_stores` is its twin for many stores at once."""
    divisor = rates.number("freight.volumetric_divisor_cm3_per_kg")
    dims = (inputs.parcel_length_cm, inputs.parcel_width_cm, inputs.parcel_height_cm)
    source = _line_source(inputs)
    weights = np.atleast_1d(fr.check_weights(source.weights, source.weight_name))
    weights = np.atleast_1d(fr.chargeable_weight_g(weights, *dims, divisor))
    vat = _vat_rate(inputs, rates)
    sale = np.asarray(core.sale_price(source.price, inputs.store_discount), dtype=float)
    revenue = np.asarray(core.net_revenue(sale, vat, inputs.prices_include_vat), dtype=float)
    rr = inputs.refund_rate
    fee_rates = fee_rate(inputs, rates, source.categories)
    return StoreOrders(
        weights, source.share, source.price, sale, revenue,
        np.asarray(core.refunds(revenue, rr), dtype=float),
        np.asarray(core.fees(revenue, fee_rates, rr), dtype=float),
        np.asarray(core.cost_of_goods(sale, source.unit_cost, inputs.cogs_pct, rr,
                                      inputs.refund_recovers_goods), dtype=float)
        * np.ones(len(source.share)),
        np.isnan(np.asarray(source.unit_cost, dtype=float)), source.base_orders,
        core.order_value(inputs.base_monthly_gmv, source.base_orders, inputs.aov_usd),
        source.from_skus, fee_rates)


class _LineSource(NamedTuple):
    """Where a store's order lines come from, before the unit-economics core."""

    weight_name: str        # the input named when a weight is unusable
    weights: object         # as given, checked by fr.check_weights
    share: np.ndarray
    price: np.ndarray
    categories: object
    unit_cost: np.ndarray   # NaN: COGS% × sale
    base_orders: float
    from_skus: bool


def _line_source(inputs: StoreInputs) -> _LineSource:
    skus = inputs.skus
    if skus is not None and len(skus) and skus.orders_per_month.sum() > 0:
        return _LineSource(
            "SKUs.weight_g", skus.weight_g, skus.orders_per_month / skus.orders_per_month.sum(),
            np.asarray(skus.price_usd, dtype=float), skus.category,
            skus.unit_cost_usd if skus.unit_cost_usd is not None else np.full(len(skus), np.nan),
            float(skus.orders_per_month.sum()), True)
    return _LineSource("parcel_weight_g", inputs.parcel_weight_g, np.ones(1),
                       np.array([inputs.aov_usd]), [inputs.category], np.full(1, np.nan),
                       inputs.base_monthly_gmv / inputs.aov_usd, False)


def store_orders_of_stores(stores, rates: RateCard,
                           fee_rates: np.ndarray | None = None) -> list[StoreOrders]:
    """:func:`store_orders` of several stores (the sensitivity's moved stores), one per store.

    Stores alike (lines from the same source and as many of them, the same VAT and refund
    terms, parcel dimensions given or not) go through the unit-economics core together, one
    row each: the core is elementwise, so each store gets the numbers it gets alone, for about
    the cost of one (a tenth of the sensitivity's time went to its moved stores' lines, one by
    one). ``fee_rates``: the lines' fee rates when already known, the same for every store:
    those of a store on the same card of which only inputs outside FEE_RATE_INPUTS differ
    (looking up the commissions was half the cost of a store's lines).
    """
    divisor = rates.number("freight.volumetric_divisor_cm3_per_kg")
    sources = [_line_source(inputs) for inputs in stores]
    groups: dict[tuple, list[int]] = {}
    for i, (inputs, source) in enumerate(zip(stores, sources)):
        dims = (inputs.parcel_length_cm, inputs.parcel_width_cm, inputs.parcel_height_cm)
        key = (source.weight_name, len(source.share), inputs.prices_include_vat,
               inputs.refund_recovers_goods, None in dims)
        groups.setdefault(key, []).append(i)
    out: list = [None] * len(stores)
    for (weight_name, _, include_vat, recovers, no_dims), members in groups.items():
        alike = [stores[i] for i in members]
        lines = [sources[i] for i in members]

        def column(values):        # one number per store, against its lines
            return np.array(values, dtype=float)[:, None]

        if len(members) == 1:      # checked as given, so that a message shows the store's own
            weights = np.atleast_1d(fr.check_weights(lines[0].weights, weight_name))[None]
        else:
            weights = fr.check_weights(np.array([np.atleast_1d(s.weights) for s in lines]),
                                       weight_name)
        if not no_dims:
            weights = fr.chargeable_weight_g(
                weights, column([s.parcel_length_cm for s in alike]),
                column([s.parcel_width_cm for s in alike]),
                column([s.parcel_height_cm for s in alike]), divisor)
        vat = column([_vat_rate(inputs, rates) for inputs in alike])
        sale = np.asarray(core.sale_price(np.array([s.price for s in lines]),
                                          column([s.store_discount for s in alike])), dtype=float)
        revenue = np.asarray(core.net_revenue(sale, vat, include_vat), dtype=float)
        rr = column([s.refund_rate for s in alike])
        line_fee_rates = np.array([fee_rate(inputs, rates, source.categories)
                                   for inputs, source in zip(alike, lines)]) \
            if fee_rates is None else fee_rates
        unit_cost = np.array([np.asarray(s.unit_cost, dtype=float) for s in lines])
        refunds = np.asarray(core.refunds(revenue, rr), dtype=float)
        fees = np.asarray(core.fees(revenue, line_fee_rates, rr), dtype=float)
        cogs_pct = column([s.cogs_pct for s in alike])
        goods = np.asarray(core.cost_of_goods(sale, unit_cost, cogs_pct, rr, recovers),
                           dtype=float) * np.ones(len(sale[0]))
        from_cogs = np.isnan(unit_cost)
        for j, (i, inputs, source) in enumerate(zip(members, alike, lines)):
            out[i] = StoreOrders(
                weights[j], source.share, source.price, sale[j], revenue[j], refunds[j],
                fees[j], goods[j], from_cogs[j], source.base_orders,
                core.order_value(inputs.base_monthly_gmv, source.base_orders, inputs.aov_usd),
                source.from_skus, line_fee_rates if fee_rates is not None else line_fee_rates[j])
    return out


@dataclass(frozen=True)
class ScenarioParameters:
    """The arguments of :func:`programme_cash_flow` for one store along SCENARIOS, the parts
    of outlays and credits, and what the risk model needs to redraw them."""

    base_gmv: float
    base_orders: float
    order_value: float
    lift: np.ndarray
    added_gmv: np.ndarray
    lift_start: np.ndarray
    contribution: np.ndarray          # c_s per order
    baseline_contribution: float      # c_0
    freight: np.ndarray               # per order, along SCENARIOS
    one_off: np.ndarray
    recurring: np.ndarray
    credit_once: np.ndarray
    credit_month: np.ndarray
    credit_monthly: np.ndarray
    credit_months: float
    horizon_months: int
    outlay_parts: dict[str, np.ndarray]
    credit_parts: dict[str, np.ndarray]
    # the platform's subsidy on a new service, netted into its outlay over the horizon: lost,
    # and paid by the store, when the compliance fuse trips (the risk model adds it back)
    netted_subsidy: np.ndarray
    forecast_missing: np.ndarray      # bool: a forecast programme without the user's forecast
    orders: StoreOrders = field(compare=False)
    programmes: tuple = PROGRAMMES
    cogs_slope: float = 0.0           # d c / d COGS% (per order): − the sale where COGS% applies
    price_slope: float = 0.0          # d c_before_freight / d price, one-line stores only

    @property
    def scenarios(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.programmes)

    def economics(self, **replaced):
        args = dict(base_gmv=self.base_gmv, base_orders=self.base_orders,
                    order_value=self.order_value, lift=self.lift, added_gmv=self.added_gmv,
                    lift_start_month=self.lift_start, contribution_per_order=self.contribution,
                    baseline_contribution_per_order=self.baseline_contribution,
                    one_off_usd=self.one_off, recurring_usd_per_month=self.recurring,
                    credit_once_usd=self.credit_once, credit_month=self.credit_month,
                    credit_usd_per_month=self.credit_monthly, credit_months=self.credit_months,
                    horizon_months=self.horizon_months)
        args.update(replaced)
        return programme_cash_flow(**args)


def scenario_parameters(inputs: StoreInputs, rates: RateCard, programmes=PROGRAMMES,
                        orders: StoreOrders | None = None) -> ScenarioParameters:
    """Lift, freight, contribution, outlays and credits of every scenario for one store
    (``programmes``: the registry, or another tuple of records, e.g. a test's; ``orders``:
    the store's order lines when already computed from these inputs and rates)."""
    sales = sales_parameters(inputs, rates, programmes, orders)
    return ScenarioParameters(**sales, **spend_parameters(inputs, rates, programmes,
                                                          sales["forecast_missing"]))


def sales_parameters(inputs: StoreInputs, rates: RateCard, programmes=PROGRAMMES,
                     orders: StoreOrders | None = None) -> dict:
    """The orders side of :func:`scenario_parameters`: lifts, freight and contribution per
    order (nothing a spend or the exchange rate of a spend moves). It is
    :func:`sales_parameters_of_stores` of this store alone, as numbers and arrays along
    ``programmes``, with the two slopes the Monte Carlo uses: one copy of the freight rules
    (two copies drifted once: the free parcel was per line in one of them)."""
    sales = sales_parameters_of_stores([(inputs, orders, None)], rates, programmes)
    orders = sales["orders"][0]
    cogs_slope = -orders.per_order(np.where(orders.goods_from_cogs, orders.sale, 0.0)
                                   * (1.0 - inputs.refund_rate *
                                      (1.0 if inputs.refund_recovers_goods else 0.0)))
    price_slope = float(orders.before_freight[0] / orders.list_price[0]) \
        if not orders.from_skus and orders.list_price[0] > 0 else 0.0
    return dict(base_gmv=inputs.base_monthly_gmv, base_orders=orders.base_orders,
                order_value=orders.order_value, lift=sales["lift"][0],
                added_gmv=sales["added_gmv"][0], lift_start=sales["lift_start"],
                contribution=sales["contribution"][0],
                baseline_contribution=float(sales["baseline_contribution"][0, 0]),
                freight=sales["freight"][0], horizon_months=int(inputs.horizon_months),
                forecast_missing=sales["forecast_missing"][0], orders=orders,
                programmes=tuple(programmes), cogs_slope=cogs_slope, price_slope=price_slope)


def sales_parameters_of_stores(stores, rates: RateCard, programmes=PROGRAMMES) -> dict:
    """:func:`sales_parameters` of several stores on one rate card, as one row per store: the
    same keys, a number per store as a column (stores, 1), an array along ``programmes`` as
    (stores, programmes); ``orders`` a list; without the slopes only the Monte Carlo uses.

    ``stores``: (inputs, orders, lift) each; ``orders`` the store's order lines when already
    computed (else None), ``lift`` the relative lift along ``programmes`` when it is not the
    card's (the sensitivity moves it), else None.

    Each programme's freight is priced in one call for all the stores: a plan prices each
    parcel on its own (elementwise), so stacking the stores' lines gives each store the numbers
    a call of its own gives it, without the fixed cost of a call per store (the sensitivity
    prices ten moved stores: that fixed cost was most of its time).
    """
    is_forecast = np.array([p.lift_kind == LIFT_FORECAST for p in programmes])
    start = np.array([p.lift_start_month for p in programmes], dtype=float)
    card_lift = programme_lifts(rates, programmes)
    orders = [store_orders(inputs, rates) if lines is None else lines
              for inputs, lines, _ in stores]          # each store's order lines
    # one row per store, one column per programme (elementwise, as for one store alone)
    B = np.array([[inputs.base_monthly_gmv] for inputs, _, _ in stores])
    O = np.array([[o.base_orders] for o in orders])
    v = np.array([[o.order_value] for o in orders])
    H = np.array([[int(inputs.horizon_months)] for inputs, _, _ in stores])
    lift = np.array([card_lift if moved is None else moved for _, _, moved in stores])
    forecast = np.array([[inputs.super_hot_forecast_usd is None] for inputs, _, _ in stores])
    added = np.where(is_forecast, np.array([[inputs.super_hot_forecast_usd or 0.0]
                                            for inputs, _, _ in stores]), 0.0)
    lift_months = np.clip(H - start + 1, 0, H)
    full = (B * (1 + lift) + added) / v                        # orders a month at full lift
    over_horizon = O * (H - lift_months) + full * lift_months
    freight = np.empty((len(stores), len(programmes)))
    # stores are priced together when they have as many order lines and parcels over the
    # horizon in the same programmes (the plan is told their count there, nothing elsewhere)
    has_parcels = over_horizon > 0
    groups: dict[tuple, list[int]] = {}
    for i, lines in enumerate(orders):
        groups.setdefault((len(lines.share), has_parcels[i].tobytes()), []).append(i)
    for (line_count, _), members in groups.items():
        horizon_known = has_parcels[members[0]]
        # the stores' lines end to end, one flat array as for one store (a plan prices each
        # parcel on its own); each store's parcels repeated on each of its lines (a budget
        # and a free parcel are the store's, not each product's)
        weights = _joined([orders[i].weights_g for i in members])
        on_lines = (lambda column: column) if line_count == 1 else \
            (lambda column: np.repeat(column, line_count))
        # programmes on one plan, told alike whether they have parcels over the horizon, in
        # one call too, their lines end to end (the two GSC tracks share the subsidised
        # plan, the baseline and Super Hot economy)
        calls: dict[tuple, list[int]] = {}
        for k, p in enumerate(programmes):
            calls.setdefault((p.plan, bool(horizon_known[k])), []).append(k)
        for (plan, known), ks in calls.items():
            per_line = plan_freight_usd(
                plan, weights if len(ks) == 1 else np.tile(weights, len(ks)), rates,
                parcels_per_quarter=_joined([on_lines(full[members, k]) * 3.0 for k in ks]),
                parcels_over_horizon=_joined([on_lines(over_horizon[members, k]) for k in ks])
                if known else None)
            for m, k in enumerate(ks):
                block = per_line[m * len(weights):(m + 1) * len(weights)]
                for j, i in enumerate(members):
                    freight[i, k] = orders[i].per_order(block[j * line_count:
                                                              (j + 1) * line_count])
    before = np.array([[lines.per_order(lines.before_freight)] for lines in orders])
    contribution = before - freight
    baseline = [p.id for p in programmes].index("baseline")
    return dict(base_gmv=B, base_orders=O, order_value=v, lift=lift, added_gmv=added,
                lift_start=start, contribution=contribution,
                baseline_contribution=contribution[:, baseline:baseline + 1], freight=freight,
                horizon_months=H,
                # a forecast programme without the user's forecast is not priced at all:
                # nothing gained, nothing spent (its row says it needs the forecast)
                forecast_missing=is_forecast & forecast, orders=orders,
                programmes=tuple(programmes))


def _joined(arrays) -> np.ndarray:
    """1-D arrays end to end (the array itself when there is only one)."""
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def spend_parameters(inputs: StoreInputs, rates: RateCard, programmes,
                     forecast_missing: np.ndarray) -> dict:
    """The spend side of :func:`scenario_parameters`: outlays and credits, their parts, and
    the months the service subsidy runs (nothing the orders, the lift or freight move)."""
    H = int(inputs.horizon_months)
    fx, level = inputs.fx_cny_per_usd, inputs.cost_level
    parts_once = {"aplus": aplus_cost_usd(aplus_pages(inputs), inputs.aplus_source, fx, rates,
                                          level),
                  "livestreams": livestream_cost_usd(rates.number("livestream.required"),
                                                     inputs.livestream_usd_each),
                  "onboarding": onboarding_cost_usd(inputs.interview_sessions, fx, rates,
                                                    level).total_usd}
    subsidy_share = rates.number("localisation.spanish_cs_subsidy")
    subsidy_months = min(float(H), rates.number("localisation.spanish_cs_subsidy_months"))
    service = inputs.spanish_cs_usd_per_month
    # a service the store already pays is no programme cost; the subsidy on it is a credit.
    # A new service is an outlay of what the store pays: the cost less the subsidy, while it runs
    new_service = 0.0 if inputs.spanish_cs_existing else service
    one_off = np.zeros(len(programmes))
    recurring = np.zeros(len(programmes))
    outlay_parts = {name: np.zeros(len(programmes)) for name in OUTLAY_PARTS}
    credit_parts = {name: np.zeros(len(programmes)) for name in CREDIT_PARTS}
    credit_once = np.zeros(len(programmes))
    credit_monthly = np.zeros(len(programmes))
    netted_subsidy = np.zeros(len(programmes))
    cap = rates.number("coupons.max_usd_per_quarter")
    coupons = min(inputs.coupons_usd_per_quarter or 0.0, cap)
    for k, p in enumerate(programmes):
        for part in p.outlays:
            if part in parts_once:
                one_off[k] += parts_once[part]
                outlay_parts[part][k] = parts_once[part]
            elif part == "ads":
                recurring[k] += inputs.ads_usd_per_month
                outlay_parts[part][k] = inputs.ads_usd_per_month * H
            elif part == "spanish_service":
                paid = new_service * (H - subsidy_share * subsidy_months)
                recurring[k] += paid / H
                outlay_parts[part][k] = paid
                netted_subsidy[k] = new_service * subsidy_share * subsidy_months
        if "coupons" in p.credits and p.credit_month <= H:
            credit_once[k] = coupons
            credit_parts["coupons"][k] = coupons
        if "service_subsidy" in p.credits and inputs.spanish_cs_existing:
            credit_monthly[k] = service * subsidy_share
            credit_parts["service_subsidy"][k] = service * subsidy_share * subsidy_months
    if forecast_missing.any():              # (an assignment through a mask costs even when empty)
        for array in (one_off, recurring, credit_once, credit_monthly, netted_subsidy,
                      *outlay_parts.values(), *credit_parts.values()):
            array[forecast_missing] = 0.0
    # a monthly outlay spread evenly is exact for the totals; the subsidised months of a new
    # service are the first ones, so its cash flow is shifted by at most the subsidy, in time only
    return dict(one_off=one_off, recurring=recurring, credit_once=credit_once,
                credit_month=np.array([float(p.credit_month) for p in programmes]),
                credit_monthly=credit_monthly, credit_months=subsidy_months,
                netted_subsidy=netted_subsidy,
                outlay_parts=outlay_parts, credit_parts=credit_parts)


@dataclass(frozen=True)
class ScenarioTable:
    """Results for one store: arrays along ``scenarios``; texts in ``lang``."""

    scenarios: tuple[str, ...]
    eligibility: tuple[Eligibility, ...]
    columns: dict[str, np.ndarray]        # numeric columns of RESULT_COLUMNS (NaN: see texts)
    breakeven_note: tuple   # (message key, parameters) instead of a break-even lift, or None
    cash: np.ndarray                      # (scenarios, H): cumulative cash vs the baseline
    outlay_parts: dict[str, np.ndarray]
    credit_parts: dict[str, np.ndarray]
    forecast_missing: np.ndarray
    horizon_months: int
    base_monthly_gmv: float
    base_orders_per_month: float
    lang: str = "en"
    programmes: tuple = PROGRAMMES
    parameters: ScenarioParameters | None = field(default=None, compare=False)

    def programme(self, scenario: str):
        return self.programmes[self.index(scenario)]

    @property
    def eligible(self) -> tuple[bool | None, ...]:
        return tuple(e.eligible for e in self.eligibility)

    @property
    def reason(self) -> tuple[str, ...]:
        return tuple(e.reason for e in self.eligibility)

    def index(self, scenario: str) -> int:
        return self.scenarios.index(scenario)

    def rows(self) -> list[list[object]]:
        """The ``out_results`` rows (without the header): numbers unrounded, words where a
        number would mislead ("no outlay", "not within the horizon", ...)."""
        lang = self.lang
        out = []
        # each column as Python floats once (the numbers float() of each element gives)
        columns = {k: v.tolist() for k, v in self.columns.items()}
        for i, name in enumerate(self.scenarios):
            e = self.eligibility[i]
            eligible = message("unknown", lang) if e.eligible is None else e.eligible
            col = {k: v[i] for k, v in columns.items()}
            baseline = name == "baseline"
            if baseline:
                roi = payback = breakeven = message("no_programme", lang)
            elif self.forecast_missing[i]:
                roi = payback = breakeven = message("needs_forecast", lang)
            else:
                roi = col["roi"] if math.isfinite(col["roi"]) else message("no_outlay", lang)
                payback = int(col["payback_month"]) if math.isfinite(col["payback_month"]) \
                    else message("not_within_horizon", lang)
                note = self.breakeven_note[i]
                breakeven = col["breakeven_lift"] if note is None else \
                    message(note[0], lang, **note[1])
            m = {key: snap_cents(col[key]) for key in MONEY_COLUMNS}
            out.append([name, eligible, e.reason, m["monthly_gmv"], m["incremental_gmv"],
                        col["orders_per_month"], m["freight_per_order"],
                        m["contribution_per_order"], m["monthly_contribution"],
                        m["outlays"], m["benefits"], m["net_gain"], roi, payback,
                        breakeven])
        return out

    def row(self, scenario: str) -> dict[str, object]:
        return dict(zip(RESULT_COLUMNS, self.rows()[self.index(scenario)]))

    def cost_rows(self) -> list[list[object]]:
        """Per scenario: each outlay part, outlays, incremental contribution, each credit part,
        benefits (whose difference is the net gain)."""
        rows = []
        # the arrays as Python floats once (the numbers float() of each element gives)
        outlay_parts = [self.outlay_parts[p].tolist() for p in OUTLAY_PARTS]
        credit_parts = [self.credit_parts[p].tolist() for p in CREDIT_PARTS]
        outlays, benefits, incremental = (self.columns[k].tolist() for k in
                                          ("outlays", "benefits", "incremental_contribution"))
        for i, name in enumerate(self.scenarios):
            rows.append([name] + [snap_cents(part[i]) for part in outlay_parts]
                        + [snap_cents(outlays[i]), snap_cents(incremental[i])]
                        + [snap_cents(part[i]) for part in credit_parts]
                        + [snap_cents(benefits[i])])
        return rows

    def cashflow_rows(self) -> list[list[object]]:
        """``month`` and one column per scenario: cumulative net cash against the baseline."""
        cash = self.cash.tolist()           # Python floats once, as float() of each gives
        return [[m + 1] + [snap_cents(cash[i][m]) for i in range(len(self.scenarios))]
                for m in range(self.horizon_months)]


#: The added GMV a month a forecast programme (Super Hot) requires before it counts.
HURDLE_KEY = "super_hot.added_gmv_usd_per_month"


def _forecast_note(breakeven_usd: float, hurdle_usd: float) -> tuple:
    """The break-even forecast in words; below the plan's hurdle a forecast is not allowed at
    all, so the row names the hurdle, never "break-even at $0.00 a month"."""
    if breakeven_usd < hurdle_usd:
        return ("breakeven_below_hurdle", {"hurdle": money(hurdle_usd)})
    return ("breakeven_forecast", {"forecast": money(breakeven_usd)})


def compute_scenarios(inputs: StoreInputs, rates: RateCard, lang: str = "en",
                      programmes=PROGRAMMES) -> ScenarioTable:
    """Every scenario for one store (ineligible ones too, marked with the reason)."""
    params = scenario_parameters(inputs, rates, programmes)
    scenarios = params.scenarios
    econ = params.economics()
    outlays = np.asarray(econ["outlays"], dtype=float)
    net = np.asarray(econ["net_gain"], dtype=float)
    # (the quotient is taken everywhere and kept where the outlay counts: a sub-cent outlay
    # may overflow it, harmlessly)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        roi = np.where(outlays >= MIN_OUTLAY_FOR_ROI_USD, net / outlays, np.nan)
    # break-even: net(L) = L × k × O × c_s + net(0)
    at_zero = params.economics(lift=np.zeros_like(params.lift),
                               added_gmv=np.zeros_like(params.added_gmv), months=False)
    net0 = np.asarray(at_zero["net_gain"], dtype=float)
    k = np.asarray(econ["lift_months"], dtype=float)
    notes: list = []
    hurdle = rates.number(HURDLE_KEY) if HURDLE_KEY in rates else 0.0
    breakeven = np.full(len(scenarios), np.nan)
    for i, p in enumerate(programmes):
        per_unit = k[i] * params.base_orders * params.contribution[i]     # d net / d lift
        if p.lift_kind == LIFT_FORECAST:
            per_unit = k[i] * params.contribution[i] / params.order_value  # d net / d $ added
        if p.id == "baseline":
            notes.append(None)
        elif k[i] <= 0 or (p.lift_kind == LIFT_RELATIVE and params.base_orders <= 0):
            # no lift changes the net gain: the lift starts after the horizon, or there are
            # no orders today to grow
            if net0[i] > 1e-9:
                notes.append(("gains_at_zero_lift", {}))
            elif net0[i] >= -1e-9:
                breakeven[i] = 0.0
                notes.append(None if p.lift_kind == LIFT_RELATIVE else _forecast_note(0.0, hurdle))
            else:
                notes.append(("lift_after_horizon", {}) if k[i] <= 0 else
                             ("no_orders_today", {}))
        elif params.contribution[i] <= 0:
            # each extra order loses money: more lift only deepens the loss, whatever net(0)
            notes.append(("extra_orders_lose", {}))
        elif abs(net0[i]) < 1e-9:        # nothing spent, nothing lost: breaks even at zero
            breakeven[i] = 0.0
            notes.append(None if p.lift_kind == LIFT_RELATIVE else _forecast_note(0.0, hurdle))
        elif net0[i] > 0:
            notes.append(("gains_at_zero_lift", {}))
        elif p.lift_kind == LIFT_RELATIVE:
            breakeven[i] = -net0[i] / per_unit
            notes.append(None)
        else:
            notes.append(_forecast_note(-net0[i] / per_unit, hurdle))
    columns = {"monthly_gmv": econ["monthly_gmv"], "incremental_gmv": econ["incremental_gmv"],
               "orders_per_month": econ["orders_per_month"], "freight_per_order": params.freight,
               "contribution_per_order": params.contribution,
               "monthly_contribution": econ["monthly_contribution"], "outlays": outlays,
               "benefits": econ["benefits"], "net_gain": net, "roi": roi,
               "payback_month": payback_month(econ["cumulative"]), "breakeven_lift": breakeven,
               "incremental_contribution": econ["incremental_contribution"],
               "credits": econ["credits"]}
    n = len(scenarios)
    columns = {key: np.asarray(value, dtype=float) * np.ones(n) for key, value in columns.items()}
    elig = eligibility(inputs, rates, lang, programmes)
    return ScenarioTable(scenarios, tuple(elig[s] for s in scenarios), columns, tuple(notes),
                          np.asarray(econ["cumulative"], dtype=float), params.outlay_parts,
                          params.credit_parts, params.forecast_missing, params.horizon_months,
                          params.base_gmv, params.base_orders, lang, programmes, params)


# --- verdicts and the recommendation ------------------------------------------------------------

def verdict(table: ScenarioTable, scenario: str, lang: str | None = None,
            p_loss: dict[str, float] | None = None) -> str:
    """One word per scenario: baseline / join / not eligible / needs your forecast / loses
    money / too risky (gains in the likely case but loses money in half the simulations or
    more: the rule of :func:`recommend`) / check eligibility."""
    lang = lang or table.lang
    i = table.index(scenario)
    if scenario == "baseline":
        return message("verdict.baseline", lang)
    if table.eligible[i] is False:
        return message("verdict.not_eligible", lang)
    if table.forecast_missing[i]:
        return message("verdict.needs_forecast", lang)
    if not table.columns["net_gain"][i] > 0:
        return message("verdict.loses_money", lang)
    if p_loss is not None and p_loss.get(scenario, 0.0) >= MAX_P_LOSS:
        return message("verdict.too_risky", lang)
    return message("verdict.join" if table.eligible[i] else "verdict.unknown", lang)


@dataclass(frozen=True)
class Recommendation:
    scenario: str          # a scenario id, or "none"
    text: str
    net_gain: float | None
    p_loss: float | None


#: A programme that loses money in this share of the simulations or more is not recommended:
#: joining on a coin flip is no decision a finance lead would sign.
MAX_P_LOSS = 0.5


def recommend(table: ScenarioTable, p_loss: dict[str, float] | None = None,
              lang: str | None = None, draws: int | None = None) -> Recommendation:
    """The scenario with the highest likely-case net gain among those whose eligibility is yes
    or unknown (never no, never one waiting for a forecast) with a net gain > 0 and, where the
    risk model computed it, a probability of a loss below 50%; said in a sentence with the net
    gain over the horizon, the probability of a loss and the inputs still unknown. "none" when
    no programme qualifies; when the best gainer fails only the 50% test, the sentence says so.
    ``draws``: the simulation's; a probability that decides the advice and lies within its
    noise of 50% is said to be too close to call."""
    lang = lang or table.lang
    months = table.horizon_months
    p_loss = p_loss or {}
    gainers = []                          # (gain, name) of every programme that may gain
    for i, name in enumerate(table.scenarios):
        gain = float(table.columns["net_gain"][i])
        if name == "baseline" or table.eligible[i] is False or table.forecast_missing[i]:
            continue
        if math.isfinite(gain) and gain > 1e-9:
            gainers.append((gain, name))
    gainers.sort(key=lambda g: -g[0])
    safe = [(g, n) for g, n in gainers
            if p_loss.get(n) is None or p_loss[n] < MAX_P_LOSS]
    if not safe:
        text = message("recommend.none", lang, months=months)
        if gainers:
            # the best gainers fail only the 50% test: say so, not "none is expected to gain"
            gain, name = gainers[0]
            # each gainer was refused for its probability alone: any of them could turn it
            text = message("recommend.none_coin_flip", lang, months=months,
                           name=table.programme(name).name(lang), gain=money(gain),
                           p_loss=f"{p_loss[name]:.0%}") + _close_call(
                table, [(n, p_loss[n]) for _, n in gainers], draws, lang)
        else:
            candidates = [(float(table.columns["net_gain"][i]), name)
                          for i, name in enumerate(table.scenarios)
                          if name != "baseline" and table.eligible[i] is not False
                          and not table.forecast_missing[i]]
            if candidates:
                gain, name = max(candidates)
                text += message("recommend.none_best", lang,
                                name=table.programme(name).name(lang), gain=money(gain))
        return Recommendation(NONE, text, None, None)
    best_gain, best = safe[0]
    i = table.index(best)
    name = table.programme(best).name(lang)
    loss = p_loss.get(best)
    if loss is None:
        text = message("recommend.join_no_risk", lang, name=name, gain=money(best_gain),
                       months=months)
    else:
        text = message("recommend.join", lang, name=name, gain=money(best_gain), months=months,
                       p_loss=f"{loss:.0%}")
    if gainers[0][1] != best:
        gain, other = gainers[0]
        text += message("recommend.passed_over", lang, name=table.programme(other).name(lang),
                        gain=money(gain), p_loss=f"{p_loss[other]:.0%}")
    # the chosen programme's probability and those of the better gainers passed over for
    # theirs: each of them, on the other side of 50%, would turn the advice
    deciding = gainers[:gainers.index((best_gain, best)) + 1]
    text += _close_call(table, [(n, p_loss[n]) for _, n in deciding
                                if p_loss.get(n) is not None], draws, lang)
    if table.eligible[i] is None:
        text += message("recommend.unknown", lang, reasons=table.eligibility[i].unknown_inputs)
    return Recommendation(best, text, best_gain, loss)


def _close_call(table: ScenarioTable, deciding: list[tuple[str, float]], draws: int | None,
                lang: str) -> str:
    """The words saying that a probability of a loss the advice turns on is within the
    simulation's noise of 50% (three standard errors of a share of ``draws`` draws near 50%,
    1.5 points at 10,000): another seed could turn the advice. ``deciding``: (programme, its
    probability) of each that does; the one closest to 50% is named; "" when none is that
    close."""
    if not draws or not deciding:
        return ""
    noise = 3 * math.sqrt(0.25 / draws)
    name, closest = min(deciding, key=lambda pair: abs(pair[1] - MAX_P_LOSS))
    if abs(closest - MAX_P_LOSS) >= noise:
        return ""
    return message("recommend.close_call", lang, name=table.programme(name).name(lang),
                   p_loss=f"{closest:.1%}", noise=f"{noise * 100:.1f}", draws=f"{draws:,}")


def recommended_scenario(table: ScenarioTable) -> str:
    """The recommended scenario id, or "none"."""
    return recommend(table).scenario
