"""How likely is a programme to pay: Monte Carlo over the lift (and optionally COGS and order
value), with the chance of tripping the compliance fuse; and a one-at-a-time sensitivity table.

Distribution: Beta-PERT on (low, likely, high). We prefer it to the triangular because it puts
more weight near the likely value and less in the tails: the sources give an average (+147%)
and one exceptional case (+244%), and a triangular would make outcomes near that case far too
frequent. With low = likely = high the draw is that constant, and the simulation reproduces the
point model exactly.

The fuse (000): a task more than 72 h late freezes the resource phase with no remedy. In a draw
where it trips, the programme keeps its costs but loses its lift and its traffic coupons.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from calculator.errors import InputError
from calculator.model.inputs import StoreInputs
from calculator.model.ratecard import RateCard
from calculator.model.scenarios import SCENARIOS, scenario_parameters


@dataclass(frozen=True)
class Range3:
    low: float
    likely: float
    high: float

    def __post_init__(self):
        if not (np.isfinite([self.low, self.likely, self.high]).all()
                and self.low <= self.likely <= self.high):
            raise InputError(f"range: expected low <= likely <= high, found {self.low:g} / "
                             f"{self.likely:g} / {self.high:g}", name="range",
                             expected="low <= likely <= high")

    @classmethod
    def point(cls, value: float) -> "Range3":
        return cls(value, value, value)


@dataclass(frozen=True)
class RiskInputs:
    lift: dict[str, Range3]               # per scenario; super_hot: added USD per month
    fuse_probability: dict[str, float]    # per scenario
    cogs_pct: Range3 | None = None
    aov_usd: Range3 | None = None
    draws: int = 10_000
    seed: int = 20261201


def default_risk_inputs(inputs: StoreInputs, rates: RateCard, seed: int = 20261201,
                        draws: int | None = None) -> RiskInputs:
    """Ranges anchored in the rate card: GSC 0 / 1.47 / 2.44 (000), the rest assumptions."""
    gsc_low, gsc_high = rates.number("risk.lift.gsc.low"), rates.number("risk.lift.gsc.high")
    fuse = rates.number("risk.fuse_probability.gsc")
    added = rates.number("super_hot.added_gmv_usd_per_month")
    return RiskInputs(
        lift={"baseline": Range3.point(0.0),
              "gsc_rising": Range3(gsc_low, rates.number("lift.gsc_rising"), gsc_high),
              "gsc_leap": Range3(gsc_low, rates.number("lift.gsc_leap"), gsc_high),
              "shumao": Range3(rates.number("risk.lift.shumao.low"), rates.number("lift.shumao"),
                               rates.number("risk.lift.shumao.high")),
              "super_hot": Range3(rates.number("risk.super_hot.added_low_usd"), added,
                                  max(added, rates.number("risk.super_hot.added_high_usd")))},
        fuse_probability={"baseline": 0.0, "gsc_rising": fuse, "gsc_leap": fuse, "shumao": 0.0,
                          "super_hot": 0.0},
        draws=int(draws or rates.number("risk.draws")), seed=seed)


def pert_draws(rng: np.random.Generator, low, likely, high, size):
    """Beta-PERT draws: ``low + (high − low) × Beta(α, β)``, α = 1 + 4(m − a)/(b − a),
    β = 1 + 4(b − m)/(b − a). Zero width gives the constant."""
    low, likely, high = (np.asarray(v, dtype=float) for v in (low, likely, high))
    width = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(width > 0, 1 + 4 * (likely - low) / width, 1.0)
        beta = np.where(width > 0, 1 + 4 * (high - likely) / width, 1.0)
    return low + width * rng.beta(alpha, beta, size=size)


@dataclass(frozen=True)
class RiskResult:
    scenarios: tuple[str, ...]
    net_gain_p10: np.ndarray
    net_gain_p50: np.ndarray
    net_gain_p90: np.ndarray
    roi_p10: np.ndarray
    roi_p50: np.ndarray
    roi_p90: np.ndarray
    p_loss: np.ndarray
    net_gain_draws: np.ndarray            # (draws, scenarios), for the distribution chart

    def row(self, scenario: str) -> dict[str, float]:
        i = self.scenarios.index(scenario)
        return {k: float(getattr(self, k)[i]) for k in
                ("net_gain_p10", "net_gain_p50", "net_gain_p90", "roi_p10", "roi_p50", "roi_p90",
                 "p_loss")}


def simulate(inputs: StoreInputs, rates: RateCard, risk: RiskInputs) -> RiskResult:
    """Monte Carlo of every scenario at once: arrays of shape (draws, scenarios)."""
    if risk.draws < 1:
        raise InputError(f"risk draws: expected 1 or more, found {risk.draws}", name="draws")
    params = scenario_parameters(inputs, rates)
    rng = np.random.default_rng(risk.seed)
    n = risk.draws
    ranges = [risk.lift[s] for s in SCENARIOS]
    low = np.array([r.low for r in ranges])
    likely = np.array([r.likely for r in ranges])
    high = np.array([r.high for r in ranges])
    draws = pert_draws(rng, low, likely, high, (n, len(SCENARIOS)))
    is_added = np.array(SCENARIOS) == "super_hot"
    lift = np.where(is_added, 0.0, draws)
    added = np.where(is_added, draws, 0.0)
    fuse_p = np.array([risk.fuse_probability.get(s, 0.0) for s in SCENARIOS])
    tripped = rng.random((n, len(SCENARIOS))) < fuse_p
    lift = np.where(tripped, 0.0, lift)
    added = np.where(tripped, 0.0, added)
    coupons = np.where(tripped, 0.0, params.coupons)
    margin = params.margin
    if risk.cogs_pct is not None:
        cogs = pert_draws(rng, risk.cogs_pct.low, risk.cogs_pct.likely, risk.cogs_pct.high, (n, 1))
        margin = params.margin + (inputs.cogs_pct - cogs)
    base_orders = params.base_orders
    if risk.aov_usd is not None and not params.orders_from_skus:
        aov = pert_draws(rng, risk.aov_usd.low, risk.aov_usd.likely, risk.aov_usd.high, (n, 1))
        base_orders = params.base_gmv / aov
    econ = params.economics(lift=lift, added_gmv=added, margin=margin, base_orders=base_orders,
                            coupons_usd=coupons)
    net = np.broadcast_to(econ["net_gain"], (n, len(SCENARIOS)))
    cost = np.broadcast_to(econ["programme_cost"], (n, len(SCENARIOS)))
    with np.errstate(divide="ignore", invalid="ignore"):
        # a draw whose programme costs nothing net has an unbounded ROI (+inf when it gains);
        # quantiles are taken without interpolation so that inf stays inf
        roi = np.where(cost > 0, net / cost,
                       np.where(net > 0, np.inf, np.where(net < 0, -np.inf, np.nan)))
    q_net = np.quantile(net, [0.1, 0.5, 0.9], axis=0)
    q_roi = np.quantile(roi, [0.1, 0.5, 0.9], axis=0, method="inverted_cdf")
    return RiskResult(SCENARIOS, q_net[0], q_net[1], q_net[2], q_roi[0], q_roi[1], q_roi[2],
                      (net < 0).mean(axis=0), np.asarray(net))


#: Inputs moved in the sensitivity table: (label, StoreInputs field or rate-card key).
SENSITIVITY_INPUTS = (("base GMV", "gmv"), ("lift", "lift"), ("COGS %", "cogs_pct"),
                      ("average order value", "aov_usd"), ("parcel weight", "parcel_weight_g"),
                      ("exchange rate CNY/USD", "fx_cny_per_usd"),
                      ("livestream cost", "livestream_usd_each"),
                      ("extra ads", "ads_usd_per_month"))


@dataclass(frozen=True)
class Sensitivity:
    label: str
    field: str
    net_gain_low: float      # net gain with the input moved down by the step
    net_gain_high: float     # ... and up
    swing: float             # |high − low|


def sensitivity(inputs: StoreInputs, rates: RateCard, scenario: str, step: float | None = None,
                fields=SENSITIVITY_INPUTS) -> list[Sensitivity]:
    """Each input moved by ±step (default 20%), net gain of ``scenario``, largest swing first."""
    from calculator.model.scenarios import compute_scenarios
    step = rates.number("risk.sensitivity_step") if step is None else step
    index = SCENARIOS.index(scenario)

    def gain(store: StoreInputs, card: RateCard) -> float:
        return float(compute_scenarios(store, card).columns["net_gain"][index])

    rows = []
    for label, field in fields:
        results = []
        for factor in (1 - step, 1 + step):
            store, card = inputs, rates
            if field == "gmv":
                store = dataclasses.replace(inputs, gmv_m1=inputs.gmv_m1 * factor,
                                            gmv_m2=inputs.gmv_m2 * factor,
                                            gmv_m3=inputs.gmv_m3 * factor)
            elif field == "lift":
                key = {"gsc_rising": "lift.gsc_rising", "gsc_leap": "lift.gsc_leap",
                       "shumao": "lift.shumao",
                       "super_hot": "super_hot.added_gmv_usd_per_month"}.get(scenario)
                if key:
                    card = rates.with_overrides({key: rates.number(key) * factor})
            elif field == "cogs_pct":
                store = dataclasses.replace(inputs, cogs_pct=min(1.0, inputs.cogs_pct * factor))
            else:
                value = getattr(inputs, field)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    store = dataclasses.replace(inputs, **{field: value * factor})
            results.append(gain(store, card))
        rows.append(Sensitivity(label, field, results[0], results[1],
                                abs(results[1] - results[0])))
    return sorted(rows, key=lambda r: -r.swing)
