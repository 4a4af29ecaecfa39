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

import functools
import dataclasses
from dataclasses import dataclass

import numpy as np

from calculator.errors import InputError
from calculator.model.inputs import (NUMBER_CHECKS, NUMBER_NAMES, StoreInputs, validate_inputs,
                                    validate_numbers)
from calculator.model.ratecard import RateCard
from calculator.model.programmes import (LIFT_FORECAST, LIFT_RELATIVE, PROGRAMMES,
                                         programme_lifts)
from calculator.model.scenarios import (FEE_RATE_INPUTS, programme_totals,
                                       sales_parameters_of_stores, scenario_parameters,
                                       spend_parameters, store_orders, store_orders_of_stores)


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
    lift: dict[str, Range3]               # per scenario; forecast programmes: added USD a month
    fuse_probability: dict[str, float]    # per scenario
    cogs_pct: Range3 | None = None
    aov_usd: Range3 | None = None
    draws: int = 10_000
    seed: int = 20261201


def default_risk_inputs(inputs: StoreInputs, rates: RateCard, seed: int = 20261201,
                        draws: int | None = None, programmes=PROGRAMMES) -> RiskInputs:
    """Ranges from the registry's risk keys: low and high around each programme's lift (GSC
    0 / 1.47 / 2.44, Shumao 0 / 0.47 / 0.94: assumptions); a forecast programme (Super Hot)
    ranges from the low key (0: missing the forecast entirely) to the user's forecast."""
    lifts, fuse = {}, {}
    for p in programmes:
        if p.lift_kind == LIFT_RELATIVE and p.risk_keys:
            likely = rates.number(p.lift_key)
            low, high = (rates.number(k) for k in p.risk_keys)
            lifts[p.id] = Range3(min(low, likely), likely, max(high, likely))
        elif p.lift_kind == LIFT_FORECAST and inputs.super_hot_forecast_usd is not None:
            forecast = inputs.super_hot_forecast_usd
            low = rates.number(p.risk_keys[0]) if p.risk_keys and p.risk_keys[0] else forecast
            lifts[p.id] = Range3(min(low, forecast), forecast, forecast)
        else:
            lifts[p.id] = Range3.point(0.0)
        fuse[p.id] = rates.number(p.fuse_key) if p.fuse_key else 0.0
    return RiskInputs(lift=lifts, fuse_probability=fuse,
                      draws=int(draws or rates.number("risk.draws")), seed=seed)


def pert_shape(low, likely, high):
    """The Beta(α, β) of a Beta-PERT range: α = 1 + 4(m − a)/(b − a), β = 1 + 4(b − m)/(b − a);
    α = β = 1 for a range of zero width (whose draws are then the constant)."""
    low, likely, high = (np.asarray(v, dtype=float) for v in (low, likely, high))
    width = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(width > 0, 1 + 4 * (likely - low) / width, 1.0)
        beta = np.where(width > 0, 1 + 4 * (high - likely) / width, 1.0)
    return alpha, beta


def pert_draws(unit, low, high):
    """Beta-PERT draws from draws ``unit`` of the range's Beta(α, β) on [0, 1]
    (:func:`pert_shape`): ``low + (high − low) × unit``."""
    low = np.asarray(low, dtype=float)
    return low + (np.asarray(high, dtype=float) - low) * unit


#: Simulations of up to this many draws × scenarios share their random draws (about 2.5 MB
#: each, 8 kept: 20 MB at most, and as much again for the order of their draws); a bigger
#: one (the Risk sheet allows a million draws) draws its own, so a folder of them never
#: holds more than one at a time.
SHARED_DRAWS_UP_TO = 200_000


def _unit_draws(seed: int, n: int, alpha: tuple, beta: tuple, fuse: tuple,
                cogs_shape: tuple | None, aov_shape: tuple | None):
    """The random part of a simulation, in the order :func:`simulate` has always drawn it: the
    lifts' Beta(α, β) on [0, 1], the fuse trips, then COGS and order value. It depends on the
    shapes of the ranges only, not on where they lie (a Super Hot range of 0 to the store's own
    forecast has the same shape in every store), so a folder of stores with the rate card's
    ranges draws once (:func:`_shared_unit_draws`); the arrays are read-only because stores
    may share them. The lifts and trips come back one row per scenario (drawn as one row per
    draw): the simulation reads a scenario's draws as one contiguous row, not a column
    strided across all scenarios."""
    rng = np.random.default_rng(seed)
    lifts = np.ascontiguousarray(rng.beta(np.array(alpha), np.array(beta),
                                          size=(n, len(alpha))).T)
    tripped = np.ascontiguousarray((rng.random((n, len(fuse))) < np.array(fuse)).T)
    cogs = rng.beta(*cogs_shape, size=(n, 1)) if cogs_shape is not None else None
    aov = rng.beta(*aov_shape, size=(n, 1)) if aov_shape is not None else None
    for array in (lifts, tripped, cogs, aov):
        if array is not None:
            array.setflags(write=False)
    return lifts, tripped, cogs, aov


_shared_unit_draws = functools.lru_cache(maxsize=8)(_unit_draws)


@functools.lru_cache(maxsize=8)
def _shared_draw_order(seed: int, n: int, alpha: tuple, beta: tuple, fuse: tuple) -> list:
    """For each scenario of the shared draws of a simulation with nothing but the lifts drawn:
    the draws its fuse spares, by increasing unit lift, and the draws where it trips (what
    :func:`_sort_by_draw` needs). Worked out once with the shared draws they index."""
    lifts, tripped, _, _ = _shared_unit_draws(seed, n, alpha, beta, fuse, None, None)
    orders = []
    for j in range(len(alpha)):
        spared = np.flatnonzero(~tripped[j])
        by_lift = spared[np.argsort(lifts[j][spared], kind="stable")]
        trips_at = np.flatnonzero(tripped[j])
        for array in (by_lift, trips_at):
            array.setflags(write=False)
        orders.append((by_lift, trips_at))
    return orders


def _sort_by_draw(values: np.ndarray, by_lift: np.ndarray, trips_at: np.ndarray,
                  out: np.ndarray) -> bool:
    """``out[:] = np.sort(values)`` for one scenario's net gains when nothing but its lift is
    drawn, from the order of the draws (:func:`_shared_draw_order`) instead of a sort, a
    quarter of its time. A draw the fuse spares has a net gain that moves one way with its
    lift (each step of the cash flow adds, or multiplies by, the same number in every draw),
    and every draw where it trips has the same net gain (no lift, no credits): the spared
    draws taken by lift are in order (or in reverse), and the tripped ones go in as a block.
    Checked, not assumed: when the result is not in order (a NaN), the tripped draws differ,
    or it holds a zero (np.sort may order 0.0 and -0.0 either way), False is returned and
    the caller sorts. Any arrangement in order of the same numbers is np.sort's, to the last
    bit."""
    spared = values.take(by_lift)
    if len(spared) and spared[0] > spared[-1]:
        spared = spared[::-1]
    count = len(trips_at)
    if count:
        tripped = values[trips_at[0]]
        if not (values.take(trips_at) == tripped).all():
            return False
        at = int(spared.searchsorted(tripped))
        out[:at] = spared[:at]
        out[at:at + count] = tripped
        out[at + count:] = spared[at:]
    else:
        out[:] = spared
    zero = int(out.searchsorted(0.0))
    return bool((out[1:] >= out[:-1]).all()) and not (zero < len(out) and out[zero] == 0)


def _shape_key(span: Range3) -> tuple[float, float]:
    alpha, beta = pert_shape(span.low, span.likely, span.high)
    return float(alpha), float(beta)


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
    #: (scenarios, draws): each scenario's net gains sorted, as the simulation sorted them for
    #: its quantiles (the chart's histogram counts them without sorting again)
    net_gain_sorted: np.ndarray | None = dataclasses.field(default=None, compare=False,
                                                           repr=False)

    def row(self, scenario: str) -> dict[str, float]:
        i = self.scenarios.index(scenario)
        return {k: float(getattr(self, k)[i]) for k in
                ("net_gain_p10", "net_gain_p50", "net_gain_p90", "roi_p10", "roi_p50", "roi_p90",
                 "p_loss")}


#: The range of a scenario the risk inputs give none for: no lift at all.
NO_LIFT = Range3.point(0.0)


def simulate(inputs: StoreInputs, rates: RateCard, risk: RiskInputs,
             programmes=PROGRAMMES, params=None) -> RiskResult:
    """Monte Carlo of every scenario on the same draws and the same cash-flow core as the point
    results (its totals, :func:`programme_totals`), one scenario at a time; the net gains come
    back as (draws, scenarios). A forecast programme without a forecast stays at 0.
    ``params``: the scenario parameters of these inputs, when already computed."""
    if risk.draws < 1:
        raise InputError(f"risk draws: expected 1 or more, found {risk.draws}", name="draws")
    if params is None or params.programmes != tuple(programmes):
        params = scenario_parameters(inputs, rates, programmes)
    ids = params.scenarios
    n = risk.draws
    ranges = [risk.lift.get(s, NO_LIFT) for s in ids]
    lows, highs = [r.low for r in ranges], [r.high for r in ranges]
    alpha, beta = pert_shape(lows, [r.likely for r in ranges], highs)
    fuse_p = tuple(float(risk.fuse_probability.get(s, 0.0)) for s in ids)
    cogs_range = risk.cogs_pct
    aov_range = risk.aov_usd if risk.aov_usd is not None and not params.orders.from_skus \
        else None
    draw = _shared_unit_draws if n * len(ids) <= SHARED_DRAWS_UP_TO else _unit_draws
    unit_lifts, tripped, unit_cogs, unit_aov = draw(
        int(risk.seed), n, tuple(alpha.tolist()), tuple(beta.tolist()), fuse_p,
        None if cogs_range is None else _shape_key(cogs_range),
        None if aov_range is None else _shape_key(aov_range))
    is_added = [p.lift_kind == LIFT_FORECAST for p in programmes]
    # with nothing but the lifts drawn, from shared draws, the draws' order sorts net gains
    by_draw = _shared_draw_order(int(risk.seed), n, tuple(alpha.tolist()),
                                 tuple(beta.tolist()), fuse_p) \
        if draw is _shared_unit_draws and cogs_range is None and aov_range is None else None
    contribution, baseline = params.contribution, params.baseline_contribution
    base_orders, order_value = params.base_orders, params.order_value
    if cogs_range is not None:
        cogs = pert_draws(unit_cogs[:, 0], cogs_range.low, cogs_range.high)
        shift = (cogs - inputs.cogs_pct) * params.cogs_slope     # contribution is linear in COGS%
        baseline = baseline + shift
    if aov_range is not None:
        aov = pert_draws(unit_aov[:, 0], aov_range.low, aov_range.high)
        # one average order: its contribution before freight is proportional to its price
        before = params.price_slope * aov
        baseline = before - params.freight[ids.index("baseline")] + \
            (baseline - params.baseline_contribution)
        base_orders = params.base_gmv / aov
        order_value = aov
    # One scenario at a time: at 10,000 draws its arrays (80 kB) are small enough for the
    # memory allocator to recycle from one store to the next. Arrays of every scenario at once
    # (400 kB) went back to the system after each store and were faulted in again by the next:
    # 3.4 MB of page faults a store, a tenth of a folder's run on Linux. Each draw's arithmetic
    # is unchanged, and so are the figures, bit for bit.
    net = np.empty((len(ids), n))
    net_sorted = np.empty((len(ids), n))
    q_net = np.empty((3, len(ids)))
    q_roi = np.empty((3, len(ids)))
    p_loss = np.empty(len(ids))
    linear, inverted = _quantile_positions(n, "linear"), _quantile_positions(n, "inverted_cdf")
    for j in range(len(ids)):
        # the fuse freezes the resource phase: no lift, no coupons, no subsidy; outlays stay,
        # and a new service the subsidy was paying part of costs the store its whole price.
        # A programme whose fuse never trips in these draws keeps every draw as it is
        trips = tripped[j] if tripped[j].any() else None
        recurring = params.recurring[j]
        if trips is not None and params.netted_subsidy[j]:
            recurring = np.where(trips, recurring + params.netted_subsidy[j]
                                 / params.horizon_months, recurring)
        # A lift of zero width (the baseline, a programme waiting for its forecast) whose
        # fuse never trips, and nothing else drawn: every draw is the same number (the width
        # times a unit draw is 0.0), so the first draw is priced and stands for all of them
        same_in_every_draw = trips is None and cogs_range is None and aov_range is None \
            and (params.forecast_missing[j] or lows[j] == highs[j])
        unit = unit_lifts[j][:1] if same_in_every_draw else unit_lifts[j]
        draws = pert_draws(unit, lows[j], highs[j])
        if params.forecast_missing[j]:
            draws = np.zeros(len(unit))
        kept = draws if trips is None else np.where(trips, 0.0, draws)
        contribution_j = contribution[j]
        if cogs_range is not None:
            contribution_j = contribution_j + shift
        if aov_range is not None:
            contribution_j = before - params.freight[j] + (contribution_j - params.contribution[j])
        econ = programme_totals(
            base_gmv=params.base_gmv, base_orders=base_orders, order_value=order_value,
            lift=0.0 if is_added[j] else kept, added_gmv=kept if is_added[j] else 0.0,
            lift_start_month=params.lift_start[j], contribution_per_order=contribution_j,
            baseline_contribution_per_order=baseline, one_off_usd=params.one_off[j],
            recurring_usd_per_month=recurring,
            credit_once_usd=_unless_tripped(params.credit_once[j], trips),
            credit_month=params.credit_month[j],
            credit_usd_per_month=_unless_tripped(params.credit_monthly[j], trips),
            credit_months=params.credit_months, horizon_months=params.horizon_months,
            horizon_only=True)
        net[j] = econ["net_gain"]
        outlays = econ["outlays"]
        # sorted once (numpy sorts 10,000 draws in a third of the time a quantile takes to
        # select from them unsorted); the quantiles of sorted draws are the same numbers, and
        # so are those of the ROI, which keeps their order (one positive outlay divides all)
        ordered = net_sorted[j]                 # np.sort(net[j]) in the row kept
        if same_in_every_draw:
            ordered[:] = net[j]
        elif by_draw is None or not _sort_by_draw(net[j], *by_draw[j], out=ordered):
            ordered[:] = net[j]
            ordered.sort()
        q_net[:, j] = _read_quantiles(ordered, linear)
        if np.ndim(outlays):
            # outlays differ between draws (a tripped fuse: the new service's full price), so
            # the ROI of each draw is its own quotient, and its quantiles are read from those
            q_roi[:, j] = _read_quantiles(np.sort(net[j] / outlays), inverted)
        elif outlays >= 0.005:
            # the ROI's quantiles are the draws' divided by the outlay: only those three
            # are divided (the quotient of the largest draw is NaN only when it is NaN)
            q_roi[:, j] = _read_quantiles(ordered, inverted) / outlays
        else:
            q_roi[:, j] = np.nan       # no outlay: no ratio (the sheet says "no outlay")
        # the share of draws that lose: a count over n, as the mean of the booleans is
        p_loss[j] = np.count_nonzero(net[j] < -1e-9) / n
    return RiskResult(ids, q_net[0], q_net[1], q_net[2], q_roi[0], q_roi[1], q_roi[2],
                      p_loss, net.T, net_sorted)


#: The quantiles the risk sheet shows: P10, P50, P90.
RISK_QUANTILES = np.array([0.1, 0.5, 0.9])


def quantiles_of_sorted(ordered: np.ndarray, method: str = "linear") -> np.ndarray:
    """``np.quantile(ordered, RISK_QUANTILES, method=method)`` of values already sorted
    ("linear" or "inverted_cdf"), to the last bit: numpy's own index and interpolation
    arithmetic (``_quantile``, ``_get_indexes``, ``_lerp``, ``_inverted_cdf`` in
    numpy/lib/_function_base_impl.py) without its selection pass over the draws and its call
    overhead, a third of the simulation's time. NaN, sorted last, makes every
    quantile NaN, as in numpy. A test holds the two to each other."""
    n = ordered.shape[0]
    if n == 0 or method not in ("linear", "inverted_cdf"):
        return np.quantile(ordered, RISK_QUANTILES, method=method)
    return _read_quantiles(ordered, _quantile_positions(n, method))


def _quantile_positions(n: int, method: str) -> tuple:
    """Where :func:`quantiles_of_sorted` reads ``n`` sorted values: ("inverted_cdf") the
    indexes taken; ("linear") the indexes below and above each quantile, the weight of the
    one above, one minus it, and where numpy's _lerp takes its upper form. They depend on n
    alone: a simulation works them out once for all its scenarios."""
    if method == "inverted_cdf":
        index = n * RISK_QUANTILES - 1
        below = np.floor(index)
        taken = np.where(index - below == 0, below, below + 1).astype(np.intp)
        taken[taken < 0] = 0
        return (taken,)
    virtual = (n - 1) * RISK_QUANTILES
    previous = np.floor(virtual)
    following = previous + 1
    last = virtual >= n - 1                     # at or past the end: the largest value
    previous[last] = -1
    following[last] = -1
    previous, following = previous.astype(np.intp), following.astype(np.intp)
    gamma = virtual - previous
    return previous, following, gamma, 1 - gamma, gamma >= 0.5


def _read_quantiles(ordered: np.ndarray, positions: tuple) -> np.ndarray:
    """The quantiles of sorted values at :func:`_quantile_positions`: NaN, sorted last, makes
    every quantile NaN, as in numpy."""
    if np.isnan(ordered[-1]):
        return np.full(RISK_QUANTILES.shape, np.nan)
    if len(positions) == 1:
        return ordered[positions[0]]
    previous, following, gamma, rest, upper = positions
    low, high = ordered[previous], ordered[following]
    diff = high - low
    result = low + diff * gamma
    np.subtract(high, diff * rest, out=result, where=upper)
    return result


def _unless_tripped(credit: float, trips: np.ndarray | None):
    """A credit in each draw: none where the fuse tripped (``trips`` None: it never did; a
    credit of 0, or one never lost, stays one number)."""
    if credit == 0:
        return 0.0
    return credit if trips is None else np.where(trips, 0.0, credit)


#: Inputs moved in the sensitivity table: (label, StoreInputs field or rate-card key).
SENSITIVITY_INPUTS = (("base GMV", "gmv"), ("lift", "lift"), ("COGS %", "cogs_pct"),
                      ("average order value", "aov_usd"), ("parcel weight", "parcel_weight_g"),
                      ("exchange rate CNY/USD", "fx_cny_per_usd"),
                      ("livestream cost", "livestream_usd_each"),
                      ("extra ads", "ads_usd_per_month"))


#: Moving these changes the spend side of the scenario parameters only (outlays and credits):
#: their variants keep the store's own lifts, freight and contribution per order.
SPEND_ONLY = frozenset(("fx_cny_per_usd", "livestream_usd_each", "ads_usd_per_month"))
#: Moving these changes no order line of the store (store_orders reads neither the lift, nor
#: a spend, nor the exchange rate of a spend): their variants reuse the lines computed once.
SAME_ORDER_LINES = SPEND_ONLY | {"lift"}
#: Moving these changes the orders side only (lifts, freight, contribution): their variants
#: keep the store's own outlays and credits. Any other field is priced in full.
SALES_ONLY = frozenset(("gmv", "lift", "cogs_pct", "aov_usd", "parcel_weight_g"))


@dataclass(frozen=True)
class Sensitivity:
    label: str
    field: str
    net_gain_low: float      # net gain with the input moved down by the step
    net_gain_high: float     # ... and up
    swing: float             # |high − low|


def sensitivity(inputs: StoreInputs, rates: RateCard, scenario: str, step: float | None = None,
                fields=SENSITIVITY_INPUTS, programmes=PROGRAMMES,
                params=None) -> list[Sensitivity]:
    """Each input moved by ±step (default 20%), net gain of ``scenario``, largest swing first.
    ``params``: the scenario parameters of these inputs and rates when already computed (the
    point table's): the store's own order lines and spend are taken from them."""
    step = rates.number("risk.sensitivity_step") if step is None else step
    ids = [p.id for p in programmes]
    programme = programmes[ids.index(scenario)]
    # A scenario's net gain depends on its own programme and the baseline only (every array
    # of scenario_parameters is elementwise along the programmes), so each of the 16 moved
    # stores prices those two, in totals. The moved stores are priced side by side, one row
    # each: their order lines in one pass, freight in one call per programme, net gains in
    # one call. Every step is elementwise, so each row holds the figures compute_scenarios
    # gives that store, bit for bit; priced one by one, fixed costs of a few dozen calls per
    # store made the table an eighth of a workbook's run.
    pair = tuple(p for p in programmes if p.id in ("baseline", scenario))
    index = [p.id for p in pair].index(scenario)
    known = params is not None and all(p in params.programmes for p in pair)
    lines = params.orders if known else store_orders(inputs, rates)
    lifts = programme_lifts(rates, pair)
    moves = [(field, *_moved(inputs, rates, pair, lifts, programme, field, factor))
             for _, field in fields for factor in (1 - step, 1 + step)]

    # The order lines of each move: the store's own where the move cannot change them; the
    # others computed together, keeping the store's fee rates where no fee depends on the move
    priced = [(field, store, lift) for field, store, lift in moves if field not in SPEND_ONLY]
    moved_lines: list = [lines if field in SAME_ORDER_LINES else None for field, _, _ in priced]
    for same_fees in (True, False):
        todo = [i for i, (field, _, _) in enumerate(priced) if moved_lines[i] is None
                and (field not in FEE_RATE_INPUTS) == same_fees]
        if todo:
            computed = store_orders_of_stores([priced[i][1] for i in todo], rates,
                                              lines.fee_rates if same_fees else None)
            for i, orders in zip(todo, computed):
                moved_lines[i] = orders
    # Each side of the parameters that a moved input cannot change is the store's own, computed
    # once. The orders side of the store (row 0) and of every move that changes it are priced
    # together (freight in one call per programme).
    sales = sales_parameters_of_stores(
        [(inputs, lines, None)] +
        [(store, orders, lift) for (_, store, lift), orders in zip(priced, moved_lines)],
        rates, pair)
    # the spend is elementwise along the programmes too: the store's own for the pair is
    # the point table's at the pair's places
    spends = [_spend_of(params, pair) if known else
              spend_parameters(inputs, rates, pair, sales["forecast_missing"][0])]
    sales_row, spend_row = [], []           # each move's row on either side
    repriced = 0
    for field, store, _ in moves:
        if field not in SPEND_ONLY:
            repriced += 1
        sales_row.append(0 if field in SPEND_ONLY else repriced)
        if field not in SALES_ONLY:
            spends.append(spend_parameters(store, rates, pair,
                                           sales["forecast_missing"][sales_row[-1]]))
        spend_row.append(0 if field in SALES_ONLY else len(spends) - 1)
    net = _net_gains(sales, spends, np.array(sales_row, dtype=int),
                     np.array(spend_row, dtype=int))[:, index]
    rows = []
    for k, (label, field) in enumerate(fields):
        low, high = float(net[2 * k]), float(net[2 * k + 1])
        rows.append(Sensitivity(label, field, low, high, abs(high - low)))
    return sorted(rows, key=lambda r: -r.swing)


def _spend_of(params, pair) -> dict:
    """What :func:`_net_gains` reads of spend_parameters' answer for ``pair``, taken from the
    scenario parameters of the same store (computed along more programmes)."""
    places = [params.programmes.index(p) for p in pair]
    return {"one_off": params.one_off[places], "recurring": params.recurring[places],
            "credit_once": params.credit_once[places],
            "credit_month": params.credit_month[places],
            "credit_monthly": params.credit_monthly[places],
            "credit_months": params.credit_months}


def _moved(inputs: StoreInputs, rates: RateCard, pair, lifts: np.ndarray, programme,
           field: str, factor: float) -> tuple[StoreInputs, np.ndarray | None]:
    """The store with ``field`` moved by ``factor``, and the relative lifts along ``pair``
    when the move is the programme's rate-card lift (else None: the card's). Unchanged when
    the field is not a number the store has, or the programme has no lift to move."""
    if field == "gmv":
        return _replaced(inputs, gmv_m1=inputs.gmv_m1 * factor, gmv_m2=inputs.gmv_m2 * factor,
                         gmv_m3=inputs.gmv_m3 * factor), None
    if field == "lift":
        if programme.lift_kind == LIFT_RELATIVE:
            # the value a card with this lift overridden would hold, checked the same way,
            # without copying the card: it differs from the store's in this lift alone
            key = programme.lift_key
            value = (rates.overridden(key, rates.number(key) * factor) or rates[key]).value
            return inputs, np.array([value if p.lift_kind == LIFT_RELATIVE and p.lift_key == key
                                     else lift for p, lift in zip(pair, lifts)])
        if programme.lift_kind == LIFT_FORECAST and inputs.super_hot_forecast_usd is not None:
            return _replaced(inputs, super_hot_forecast_usd=inputs.super_hot_forecast_usd
                             * factor), None
        return inputs, None
    value = getattr(inputs, field)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _replaced(inputs, **{field: _allowed(field, value, value * factor)}), None
    return inputs, None


#: The bounds validate_inputs puts on each number (minimum, maximum, above; None: none).
_NUMBER_BOUNDS = {name: (bounds.get("minimum"), bounds.get("maximum"), bounds.get("above"))
                  for name, _, bounds in NUMBER_CHECKS}


def _allowed(field: str, value: float, moved: float) -> float:
    """``moved`` kept within what the store may hold: an order value of $0.01 (allowed) moved
    20% down is $0.008, which the check refused, failing the whole workbook with a figure the
    user never typed; it stays at $0.01 (a COGS of 90% moved up stays at 100%). Past a bound
    the value may not reach (a weight must stay above 0 g, moved down by a step of 100%) the
    store's own ``value`` stays: that side of the table shows no change."""
    low, high, above = _NUMBER_BOUNDS.get(field, (None, None, None))
    if low is not None and moved < low:
        return float(low)
    if high is not None and moved > high:
        return float(high)
    if above is not None and moved <= above:
        return value
    return moved


def _replaced(inputs: StoreInputs, **changes) -> StoreInputs:
    """``dataclasses.replace(inputs, **changes)`` at a fifth of the cost: replace runs the
    60-field ``__init__`` again (about 50 µs, 14 times a table); a copy of the fields with the
    changed ones set, checked by the same validation, is the same store. Valid only while
    StoreInputs' ``__post_init__`` derives nothing (it validates, nothing more). The store
    given is valid (it was built), so when only numbers change, checking those numbers
    raises what checking every input would (validate_numbers)."""
    moved = object.__new__(StoreInputs)
    # a frozen dataclass keeps its fields in __dict__: this copy is not yet seen by anyone
    moved.__dict__.update(inputs.__dict__, **changes)
    if NUMBER_NAMES.issuperset(changes):
        validate_numbers(moved, changes)
    else:
        validate_inputs(moved)
    return moved


def _net_gains(sales: dict, spends: list[dict], sales_row: np.ndarray,
               spend_row: np.ndarray) -> np.ndarray:
    """Net gain of each move along the programmes, one row per move: ``sales`` one row per
    store (sales_parameters_of_stores), ``spends`` a spend_parameters dict per store, and each
    move's row in either. programme_totals is elementwise, so one call on the moves' rows
    gives each the figures a call of its own gives it (sixteen calls' fixed cost was a third
    of the sensitivity's time). Moves are taken together by horizon, the one argument that
    must be a single number."""
    spend = {key: np.array([d[key] for d in spends]) for key in
             ("one_off", "recurring", "credit_once", "credit_month", "credit_monthly")}
    spend["credit_months"] = np.array([[d["credit_months"]] for d in spends], dtype=float)
    horizon = sales["horizon_months"][sales_row, 0]
    net = np.empty((len(sales_row), sales["lift"].shape[1]))
    # (every move keeps the store's horizon but a move of the horizon itself: one group)
    one_horizon = len(horizon) > 0 and bool((horizon == horizon[0]).all())
    for months in (horizon[:1] if one_horizon else np.unique(horizon)):
        rows = slice(None) if one_horizon else horizon == months
        s, p = sales_row[rows], spend_row[rows]
        net[rows] = programme_totals(
            sales["base_gmv"][s], sales["base_orders"][s], sales["order_value"][s],
            sales["lift"][s], sales["added_gmv"][s], sales["lift_start"],
            sales["contribution"][s], sales["baseline_contribution"][s], spend["one_off"][p],
            spend["recurring"][p], spend["credit_once"][p], spend["credit_month"][p],
            spend["credit_monthly"][p], spend["credit_months"][p], int(months),
            horizon_only=True)["net_gain"]
    return net
