"""The registries: one frozen record per growth programme and one per logistics plan.

Everything that lists the programmes (the scenario rows, their lifts, the risk ranges, the
eligibility rules, the worksheet functions, the template's rows) is built from
:data:`PROGRAMMES` and :data:`PLANS`. Adding a programme is one :class:`Programme` record
here (its names in English and Chinese included) and its rate-card keys in ``rates.toml``; a new
kind of entry rule or cost part also needs its code and message texts. Adding a plan is one
:class:`LogisticsPlan` record. docs/extending.md walks through both.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from calculator.model import freight as fr
from calculator.model.ratecard import RateCard

# --- logistics plans ----------------------------------------------------------------------------


def _economy(weights, rates, parcels_per_quarter=None, parcels_over_horizon=None):
    return fr.economy_freight_usd(weights, rates)


def _standard(weights, rates, parcels_per_quarter=None, parcels_over_horizon=None):
    return fr.plan_freight_usd(weights, fr.standard_card(rates))


def _subsidised(weights, rates, parcels_per_quarter=None, parcels_over_horizon=None):
    """Standard less the platform subsidy, the quarterly budget (if any) spread over all the
    store's parcels of a quarter under the programme: at most budget ÷ parcels on each, so
    the subsidies of a quarter never come to more than the budget, whatever the SKU mix."""
    standard = fr.plan_freight_usd(weights, fr.standard_card(rates))
    subsidy = fr.subsidy_per_parcel_usd(
        standard, fr.economy_freight_usd(weights, rates),
        rates.number("freight.subsidy.cap_over_economy"),
        parcels_per_quarter=parcels_per_quarter,
        quarter_budget_usd=rates.number("freight.subsidy.quarter_budget_usd"))
    return standard - subsidy


def _shumao(weights, rates, parcels_per_quarter=None, parcels_over_horizon=None):
    """$2.10 per kg; the store's free first parcel spread over the programme's parcels of the
    horizon (without a parcel count: the price of a parcel after the free one)."""
    if parcels_over_horizon is None:
        return fr.plan_freight_usd(weights, fr.shumao_card(rates))
    return fr.shumao_average_freight_usd(weights, parcels_over_horizon, rates)


@dataclass(frozen=True)
class LogisticsPlan:
    """A logistics plan: how a parcel is priced under it.

    ``price(weights, rates, parcels_per_quarter=None, parcels_over_horizon=None)`` gives USD
    per parcel for each chargeable weight; the parcel counts (the store's parcels under the
    programme, the same number on each weight of one store) let a plan spread a budget or a
    free parcel over them: both are the store's, not each product's.
    """

    id: str
    label_en: str
    label_zh: str
    price: Callable


PLANS: tuple[LogisticsPlan, ...] = (
    LogisticsPlan("economy", "economy shipping", "经济类物流", _economy),
    LogisticsPlan("standard", "standard shipping", "无忧物流-标准", _standard),
    LogisticsPlan("subsidised", "standard shipping after the platform subsidy",
                  "无忧物流-标准(平台补贴后)", _subsidised),
    LogisticsPlan("shumao", "Shumao exclusive logistics", "数贸杯专属物流", _shumao),
)
PLAN_BY_ID = {plan.id: plan for plan in PLANS}
PLAN_IDS = tuple(plan.id for plan in PLANS)

# --- programmes ---------------------------------------------------------------------------------

#: Outlay parts (money the store pays because it joins) and benefit parts (platform credits),
#: by the name the cost table shows.
OUTLAY_PARTS = ("aplus", "livestreams", "onboarding", "spanish_service", "ads")
CREDIT_PARTS = ("coupons", "service_subsidy")
#: What the entry rules may be (eligibility.py implements each).
RULES = ("store_age", "leap_gmv", "licence", "enterprise", "health", "factory", "cn_exporter",
         "declarations", "scope", "super_hot_forecast")
LIFT_NONE, LIFT_RELATIVE, LIFT_FORECAST = "none", "relative", "forecast"


@dataclass(frozen=True)
class Programme:
    """One scenario row.

    lift_kind: ``relative`` (GMV × (1 + the ``lift_key`` rate)), ``forecast`` (the user's
    forecast of added GMV a month, an input) or ``none``. lift_start_month: the first month
    the lift applies (month 1 = T+0..T+30). credit_month: the month the one-off platform
    credits (coupons) arrive. risk_keys: rate keys of the low and high lift of the risk
    range (the likely value is the lift itself); fuse_key: the chance of tripping the fuse.
    name_en, name_zh: the programme's name in the recommendation sentence.
    """

    id: str
    plan: "str | LogisticsPlan"
    lift_kind: str = LIFT_NONE
    lift_key: str | None = None
    lift_start_month: int = 1
    risk_keys: tuple[str, str] | None = None
    fuse_key: str | None = None
    entry_rules: tuple[str, ...] = ()
    outlays: tuple[str, ...] = ()
    credits: tuple[str, ...] = ()
    credit_month: int = 2
    name_en: str = ""
    name_zh: str = ""

    def name(self, lang: str = "en") -> str:
        """The programme's name in ``lang`` (English where no Chinese name is given)."""
        return (self.name_zh if lang == "zh" and self.name_zh else self.name_en) or self.id

    @property
    def plan_id(self) -> str:
        return self.plan if isinstance(self.plan, str) else self.plan.id

    def __post_init__(self):
        # a plan is a registered plan's id, or a LogisticsPlan record of its own
        if isinstance(self.plan, str) and self.plan not in PLAN_BY_ID:
            raise ValueError(f"programme {self.id}: unknown plan {self.plan}")
        unknown = [r for r in self.entry_rules if r not in RULES] + \
            [p for p in self.outlays if p not in OUTLAY_PARTS] + \
            [p for p in self.credits if p not in CREDIT_PARTS]
        if unknown:
            raise ValueError(f"programme {self.id}: unknown parts {unknown}")


_GSC_RULES = ("licence", "enterprise", "health", "factory")
_GSC_OUTLAYS = ("aplus", "livestreams", "spanish_service", "ads")

PROGRAMMES: tuple[Programme, ...] = (
    Programme("baseline", "economy", name_en="baseline (no programme)",
              name_zh="基线(不参加)"),
    # GSC: tasks in T+0..T+30 (month 1), resources T+31..T+90 (000): lift and coupons from month 2
    Programme("gsc_rising", "subsidised", LIFT_RELATIVE, "lift.gsc_rising", 2,
              ("risk.lift.gsc.low", "risk.lift.gsc.high"), "risk.fuse_probability.gsc",
              ("store_age",) + _GSC_RULES, _GSC_OUTLAYS, ("coupons", "service_subsidy"),
              name_en="Global Seller Challenge, Rising track", name_zh="全球卖家大赛·新锐赛道"),
    Programme("gsc_leap", "subsidised", LIFT_RELATIVE, "lift.gsc_leap", 2,
              ("risk.lift.gsc.low", "risk.lift.gsc.high"), "risk.fuse_probability.gsc",
              ("leap_gmv",) + _GSC_RULES, _GSC_OUTLAYS, ("coupons", "service_subsidy"),
              name_en="Global Seller Challenge, Leap track", name_zh="全球卖家大赛·跃迁赛道"),
    # Shumao: month 1 is the certification and the interview; the channel sells from month 2
    Programme("shumao", "shumao", LIFT_RELATIVE, "lift.shumao", 2,
              ("risk.lift.shumao.low", "risk.lift.shumao.high"), None,
              ("cn_exporter", "declarations", "scope", "enterprise"), ("onboarding", "ads"),
              name_en="Shumao Cup enterprise channel", name_zh="数贸杯专属卖家通道"),
    # Super Hot: the plan assesses the listing's first 30 days, so its forecast counts from month 1
    Programme("super_hot", "economy", LIFT_FORECAST, None, 1,
              ("risk.super_hot.added_low_usd", None), None, ("super_hot_forecast",), ("ads",),
              name_en="Super Hot Product plan", name_zh="超级爆品计划"),
)
PROGRAMME_BY_ID = {p.id: p for p in PROGRAMMES}
SCENARIOS = tuple(p.id for p in PROGRAMMES)
#: The logistics plan each scenario ships with.
SCENARIO_PLAN = {p.id: p.plan_id for p in PROGRAMMES}


def programme_lifts(rates: RateCard, programmes=PROGRAMMES) -> np.ndarray:
    """The relative lift of every scenario (0 where it has none), along the programmes."""
    return np.array([rates.number(p.lift_key) if p.lift_kind == LIFT_RELATIVE else 0.0
                     for p in programmes])


def plan_freight_usd(plan, weights, rates: RateCard, parcels_per_quarter=None,
                     parcels_over_horizon=None):
    """USD per parcel of each weight under ``plan`` (one of PLAN_IDS, or a LogisticsPlan)."""
    record = PLAN_BY_ID[plan] if isinstance(plan, str) else plan
    return record.price(weights, rates, parcels_per_quarter, parcels_over_horizon)
