"""Monte Carlo and sensitivity: deterministic, degenerate cases worked by hand."""
import dataclasses
import datetime as dt

import numpy as np
import pytest

from calculator.model.inputs import StoreInputs
from calculator.model.ratecard import load_rate_card
from calculator.model.risk import (RISK_QUANTILES, Range3, RiskInputs, default_risk_inputs,
                                   pert_draws, pert_shape, quantiles_of_sorted, sensitivity,
                                   simulate)
from calculator.model.programmes import PROGRAMMES
from calculator.model.scenarios import SCENARIOS, compute_scenarios

RATES = load_rate_card()


def store(**changes):
    base = StoreInputs(dt.date(2026, 12, 1), dt.date(2026, 8, 1), 8000.0, 9000.0, 10000.0,
                       aov_usd=25.0, cogs_pct=0.5, parcel_weight_g=750.0,
                       livestream_usd_each=2000.0)
    return dataclasses.replace(base, **changes)


def point_risk(inputs, draws=200, fuse=0.0, seed=7):
    """Zero-width ranges at each programme's point lift (the forecast for Super Hot)."""
    lifts = {}
    for p in PROGRAMMES:
        value = (inputs.super_hot_forecast_usd or 0.0) if p.lift_kind == "forecast" else \
            (RATES.number(p.lift_key) if p.lift_key else 0.0)
        lifts[p.id] = Range3.point(value)
    return RiskInputs(lifts, {s: fuse for s in SCENARIOS}, draws=draws, seed=seed)


def test_same_seed_gives_the_same_numbers():
    inputs = store()
    risk = default_risk_inputs(inputs, RATES, seed=42, draws=2000)
    a, b = simulate(inputs, RATES, risk), simulate(inputs, RATES, risk)
    assert np.array_equal(a.net_gain_draws, b.net_gain_draws)
    c = simulate(inputs, RATES, dataclasses.replace(risk, seed=43))
    assert not np.array_equal(a.net_gain_draws, c.net_gain_draws)


def test_zero_width_ranges_reproduce_the_point_model_exactly():
    inputs = store()
    result = simulate(inputs, RATES, point_risk(inputs))
    point = compute_scenarios(inputs, RATES)
    for i, name in enumerate(SCENARIOS):
        assert result.net_gain_p10[i] == result.net_gain_p90[i] == point.columns["net_gain"][i]


def test_quantiles_are_ordered():
    inputs = store()
    result = simulate(inputs, RATES, default_risk_inputs(inputs, RATES, draws=5000))
    assert (result.net_gain_p10 <= result.net_gain_p50).all()
    assert (result.net_gain_p50 <= result.net_gain_p90).all()


def test_p10_p50_p90_of_ten_draws_worked_by_hand():
    draws = np.arange(1.0, 11.0)                  # 1, 2, ..., 10, sorted
    # net gain (numpy's default, "linear"): position (10 - 1) x q between neighbours:
    # P10 at 0.9: 1 + 0.9 x (2 - 1) = 1.9; P50 at 4.5: 5.5; P90 at 8.1: 9.1
    assert quantiles_of_sorted(draws) == pytest.approx([1.9, 5.5, 9.1], abs=1e-12)
    # ROI ("inverted_cdf", a draw that happened): the smallest draw with at least
    # q x 10 draws at or below it: P10 the 1st (1), P50 the 5th (5), P90 the 9th (9)
    assert list(quantiles_of_sorted(draws, "inverted_cdf")) == [1.0, 5.0, 9.0]


@pytest.mark.parametrize("method", ["linear", "inverted_cdf"])
def test_quantiles_of_sorted_draws_are_numpys_to_the_last_bit(method):
    # The risk sheet's P10/P50/P90 are read off the sorted draws directly; they must be the
    # very numbers np.quantile gives (sizes from one draw up, ties, signs, magnitudes, NaN)
    rng = np.random.default_rng(0)
    for trial in range(1000):
        n = int(rng.choice([1, 2, 3, 5, 10, 11, 100, 101, 9999, 10000]))
        draws = [rng.normal(0, 1e4, n), rng.integers(-5, 5, n).astype(float),
                 rng.normal(0, 1, n) * 10.0 ** rng.integers(-8, 12),
                 np.round(rng.normal(1000, 300, n), 2)][trial % 4]
        if trial % 37 == 0:
            draws[rng.integers(0, n)] = np.nan
        ordered = np.sort(draws)
        with np.errstate(all="ignore"):
            expected = np.quantile(ordered, RISK_QUANTILES, method=method)
        assert quantiles_of_sorted(ordered, method).tobytes() == expected.tobytes(), (n, trial)


def test_loss_is_certain_when_the_fuse_always_trips_and_costs_remain():
    # fuse p = 1: no lift, no coupons; the GSC tracks still pay 3 livestreams × $2,000 = $6,000
    # and the subsidised-freight premium on today's orders: net gain < 0 in every draw
    inputs = store()
    risk = point_risk(inputs, fuse=1.0)
    result = simulate(inputs, RATES, risk)
    assert result.row("gsc_rising")["p_loss"] == 1.0
    assert result.row("gsc_leap")["p_loss"] == 1.0


def test_a_tripped_fuse_loses_the_subsidy_on_a_new_spanish_service_too():
    # A new Spanish service at $400 a month is an outlay of what the store pays: 3 × 400 less
    # the platform's 50% for the 3 months = 1,200 − 600 = $600. When the fuse trips the
    # subsidy is lost: the store pays all $1,200, so with the lift held at 0 (the fuse takes
    # it anyway) the net gain is exactly $600 lower, and the ROI divides by outlays $600 higher
    inputs = store(spanish_cs_usd_per_month=400.0)
    still = point_risk(inputs)
    still.lift["gsc_rising"] = Range3.point(0.0)
    tripped = dataclasses.replace(still, fuse_probability={s: 1.0 for s in SCENARIOS})
    spared, frozen = (simulate(inputs, RATES, r).row("gsc_rising") for r in (still, tripped))
    assert spared["net_gain_p50"] - frozen["net_gain_p50"] == pytest.approx(600.0, abs=1e-6)
    outlays = compute_scenarios(inputs, RATES).row("gsc_rising")["outlays"] + 600.0
    assert frozen["roi_p50"] == pytest.approx(frozen["net_gain_p50"] / outlays, abs=1e-12)


def test_no_loss_when_every_draw_gains():
    # Super Hot, forecast $10,000 a month, zero width. One $25 order in Poland (VAT 23%):
    # R = 25 / 1.23 = 20.325203; commission 5% of R = 1.016260; goods 50% × 25 = 12.5;
    # economy freight 750 g = 4.15 / 1.37 = 3.029197; contribution c = 3.779746.
    # The forecast is 10,000 / 25 = 400 extra orders a month from month 1, each shipped:
    # 400 × 3 × 3.779746 = $4,535.70; no outlay: P(loss) = 0
    inputs = store(super_hot_forecast_usd=10_000.0)
    result = simulate(inputs, RATES, point_risk(inputs))
    assert result.row("super_hot")["p_loss"] == 0.0
    assert result.row("super_hot")["net_gain_p50"] == pytest.approx(4535.70, abs=0.01)


def test_baseline_never_loses_and_gains_nothing():
    inputs = store()
    result = simulate(inputs, RATES, default_risk_inputs(inputs, RATES, draws=500))
    assert result.row("baseline")["p_loss"] == 0.0
    assert result.row("baseline")["net_gain_p90"] == 0.0


def test_pert_stays_inside_its_range_and_centres_on_its_mean():
    rng = np.random.default_rng(1)
    unit = rng.beta(*pert_shape(0.0, 1.47, 2.44), size=200_000)     # as a simulation draws
    draws = pert_draws(unit, 0.0, 2.44)
    assert draws.min() >= 0.0 and draws.max() <= 2.44
    # PERT mean = (a + 4m + b) / 6 = (0 + 5.88 + 2.44) / 6 = 1.3867
    assert draws.mean() == pytest.approx(1.3867, abs=0.01)


def test_a_range_with_low_above_high_is_refused():
    with pytest.raises(Exception, match="low <= likely <= high"):
        Range3(2.0, 1.0, 0.5)


def test_sensitivity_of_an_input_the_model_ignores_is_zero():
    inputs = store(health_score=90.0)
    rows = sensitivity(inputs, RATES, "gsc_rising",
                       fields=(("health score", "health_score"), ("COGS %", "cogs_pct")))
    by_field = {row.field: row for row in rows}
    assert by_field["health_score"].swing == 0.0
    assert by_field["cogs_pct"].swing > 0.0


def test_sensitivity_of_cogs_worked_by_hand():
    # gsc_rising: 9,000 / 25 = 360 orders a month; the lift (+147%) from month 2 adds
    # 360 × 1.47 × 2 = 1,058.4 orders over the horizon. COGS 0.5 ± 20% = 0.4 / 0.6 moves each
    # order's goods by 0.1 × $25 = $2.50; today's orders cost the same either way, so net gain
    # moves by 1,058.4 × 2.5 = 2,646 each way: swing = 5,292
    rows = {r.field: r for r in sensitivity(store(), RATES, "gsc_rising")}
    assert rows["cogs_pct"].swing == pytest.approx(5292.0)
    assert rows["cogs_pct"].net_gain_low > rows["cogs_pct"].net_gain_high


def test_an_input_at_its_lowest_allowed_value_is_not_moved_below_it():
    # an order value of $0.01 is allowed (at least 0.01); moved 20% down it was $0.008, which
    # the input check refused: the workbook failed with "aov_usd ... found 0.008", no cell
    # and a number nobody typed. The move stops at $0.01, so moving it down changes nothing:
    # its net gain is the store's own
    inputs = store(aov_usd=0.01)
    rows = {r.field: r for r in sensitivity(inputs, RATES, "gsc_rising")}
    table = compute_scenarios(inputs, RATES)
    point = float(table.columns["net_gain"][table.index("gsc_rising")])
    assert rows["aov_usd"].net_gain_low == pytest.approx(point, abs=1e-6)
    # the exchange rate (at least 0.01 CNY per USD) likewise
    inputs = store(fx_cny_per_usd=0.01)
    rows = {r.field: r for r in sensitivity(inputs, RATES, "gsc_rising")}
    table = compute_scenarios(inputs, RATES)
    point = float(table.columns["net_gain"][table.index("gsc_rising")])
    assert rows["fx_cny_per_usd"].net_gain_low == pytest.approx(point, abs=1e-6)
    # a weight must stay above 0 g: moved down by a step of 100% (allowed on Rates) it stays
    # the store's 750 g, that side showing no change, instead of failing the workbook
    rows = {r.field: r for r in sensitivity(store(), RATES, "gsc_rising", step=1.0)}
    table = compute_scenarios(store(), RATES)
    point = float(table.columns["net_gain"][table.index("gsc_rising")])
    assert rows["parcel_weight_g"].net_gain_low == pytest.approx(point, abs=1e-6)


def test_cogs_and_aov_ranges_widen_the_distribution():
    inputs = store()
    narrow = point_risk(inputs, draws=3000)
    wide = dataclasses.replace(narrow, cogs_pct=Range3(0.4, 0.5, 0.6))
    result = simulate(inputs, RATES, wide)
    i = SCENARIOS.index("gsc_leap")
    assert result.net_gain_p90[i] - result.net_gain_p10[i] > 1000


def test_sensitivity_agrees_with_the_whole_table_for_every_input_moved():
    # the sensitivity prices only the programme and the baseline, and reuses the store's
    # order lines for the inputs that cannot change them (risk.SAME_ORDER_LINES): each moved
    # store must give the net gain the full scenario table gives it. Example: ads +20% on a
    # store spending $500 a month for Super Hot moves its outlays by $100 × 3 months = $300
    # The spend of a variant that moves only the orders (and the orders of one that moves only
    # a spend) are the store's own, computed once (risk.SALES_ONLY, risk.SPEND_ONLY)
    from calculator.model.risk import SALES_ONLY, SAME_ORDER_LINES, SENSITIVITY_INPUTS, SPEND_ONLY
    inputs = store(ads_usd_per_month=500.0, super_hot_forecast_usd=12000.0)
    assert SAME_ORDER_LINES | SALES_ONLY | SPEND_ONLY <= {field for _, field in
                                                         SENSITIVITY_INPUTS}
    for scenario in [s for s in SCENARIOS if s != "baseline"]:
        i = SCENARIOS.index(scenario)
        rows = {r.field: r for r in sensitivity(inputs, RATES, scenario)}
        for field, factor, got in [(f, k, getattr(r, side)) for f, r in rows.items()
                                   for k, side in ((0.8, "net_gain_low"),
                                                   (1.2, "net_gain_high"))]:
            card, moved = RATES, inputs
            if field == "lift":
                p = PROGRAMMES[i]
                if p.lift_key:
                    card = RATES.with_overrides({p.lift_key: RATES.number(p.lift_key) * factor})
                else:
                    moved = dataclasses.replace(inputs, super_hot_forecast_usd=12000.0 * factor)
            elif field == "gmv":
                moved = dataclasses.replace(inputs, gmv_m1=8000.0 * factor,
                                            gmv_m2=9000.0 * factor, gmv_m3=10000.0 * factor)
            else:
                moved = dataclasses.replace(inputs, **{field: getattr(inputs, field) * factor})
            expected = float(compute_scenarios(moved, card).columns["net_gain"][i])
            assert got == pytest.approx(expected, abs=1e-9), (scenario, field, factor)
    super_hot = {r.field: r for r in sensitivity(inputs, RATES, "super_hot")}
    assert super_hot["ads_usd_per_month"].swing == pytest.approx(600.0)   # ±$300


def test_a_store_gets_the_same_risk_figures_whatever_was_simulated_before_it():
    # a batch shares the random draws between stores whose ranges have the same shape; a
    # store's P(loss) and quantiles must not depend on which stores came before it. Store A's
    # Super Hot range is 0 to its forecast of $4,000 and store B's 0 to $9,000: the same PERT
    # shape (α = 1 + 4 × (f − 0) / f = 5, β = 1), so B reuses A's unit draws scaled to its own
    # range, and the result equals B simulated first, alone
    from calculator.model import risk
    first = store(super_hot_forecast_usd=4000.0)
    second = store(super_hot_forecast_usd=9000.0, cogs_pct=0.45)
    ranges = dict(cogs_pct=Range3(0.35, 0.45, 0.6), aov_usd=Range3(20.0, 25.0, 33.0))
    risk_second = dataclasses.replace(default_risk_inputs(second, RATES, draws=3000), **ranges)
    risk._shared_unit_draws.cache_clear()
    alone = simulate(second, RATES, risk_second)
    simulate(first, RATES, dataclasses.replace(default_risk_inputs(first, RATES, draws=3000),
                                               **ranges))
    after = simulate(second, RATES, risk_second)
    assert risk._shared_unit_draws.cache_info().hits >= 1
    for name in ("net_gain_p10", "net_gain_p50", "net_gain_p90", "roi_p50", "p_loss",
                 "net_gain_draws"):
        assert np.array_equal(getattr(alone, name), getattr(after, name), equal_nan=True), name
    # Super Hot's draws lie within 0 .. $9,000 of added GMV, so its net gain varies
    hot = SCENARIOS.index("super_hot")
    assert after.net_gain_p90[hot] > after.net_gain_p10[hot]


def test_a_simulation_too_big_to_share_its_draws_gives_what_a_shared_one_gives(monkeypatch):
    # 50,000 draws × 5 scenarios = 250,000 > SHARED_DRAWS_UP_TO: drawn for this store alone
    # and not kept; the same simulation through the shared draws gives the same figures
    from calculator.model import risk
    inputs = store(super_hot_forecast_usd=6000.0)
    big = default_risk_inputs(inputs, RATES, draws=50_000)
    assert big.draws * len(SCENARIOS) > risk.SHARED_DRAWS_UP_TO
    risk._shared_unit_draws.cache_clear()
    alone = simulate(inputs, RATES, big)
    assert risk._shared_unit_draws.cache_info().currsize == 0       # nothing kept
    monkeypatch.setattr(risk, "SHARED_DRAWS_UP_TO", 10**9)
    shared = simulate(inputs, RATES, big)
    assert risk._shared_unit_draws.cache_info().currsize == 1
    assert np.array_equal(alone.net_gain_draws, shared.net_gain_draws)
    assert np.array_equal(alone.p_loss, shared.p_loss)
    risk._shared_unit_draws.cache_clear()


def _moved_table(inputs, scenario, field, factor):
    """The full scenario table of the store with one input moved, as a user would build it:
    a copy of the workbook with that one figure changed."""
    card, moved = RATES, inputs
    programme = PROGRAMMES[SCENARIOS.index(scenario)]
    if field == "lift":
        if programme.lift_key:
            card = RATES.with_overrides(
                {programme.lift_key: RATES.number(programme.lift_key) * factor})
        elif inputs.super_hot_forecast_usd is not None:
            moved = dataclasses.replace(
                inputs, super_hot_forecast_usd=inputs.super_hot_forecast_usd * factor)
    elif field == "gmv":
        moved = dataclasses.replace(inputs, gmv_m1=inputs.gmv_m1 * factor,
                                    gmv_m2=inputs.gmv_m2 * factor, gmv_m3=inputs.gmv_m3 * factor)
    elif field == "cogs_pct":
        moved = dataclasses.replace(inputs, cogs_pct=min(1.0, inputs.cogs_pct * factor))
    else:
        moved = dataclasses.replace(inputs, **{field: getattr(inputs, field) * factor})
    return compute_scenarios(moved, card)


def test_the_tornado_shows_the_net_gain_of_the_moved_store_to_the_last_bit_for_every_kind():
    # The sensitivity prices its 16 moved stores together (their order lines, freight and
    # totals in one pass each); each must still show exactly the net gain the scenario table
    # shows for that store, for stores unlike each other: SKUs with parcel dimensions, prices
    # without VAT and refunds that recover the goods, a store with no sales yet (no parcels
    # over the horizon: Shumao prices a parcel after the free one), a 12-month horizon, and a
    # Super Hot forecast. Equal to the last bit, not approximately: the Risk sheet and the
    # Results sheet must never differ by a cent of float noise
    from calculator.model.inputs import SkuTable
    skus = SkuTable(("A", "B", "C"), ("general", "apparel", "general"),
                    np.array([750.0, 300.0, 1900.0]), np.array([25.0, 12.0, 60.0]),
                    np.array([400.0, 100.0, 30.0]), np.array([False, True, False]),
                    np.array([9.0, np.nan, 31.0]))
    kinds = {
        "skus with dimensions": store(skus=skus, parcel_length_cm=30.0, parcel_width_cm=20.0,
                                      parcel_height_cm=15.0, refund_rate=0.05),
        "no VAT, goods come back": store(prices_include_vat=False, refund_rate=0.08,
                                         refund_recovers_goods=True, store_discount=0.1),
        "no sales yet": store(gmv_m1=0.0, gmv_m2=0.0, gmv_m3=0.0),
        "12 months, forecast, ads": store(horizon_months=12, super_hot_forecast_usd=5000.0,
                                          ads_usd_per_month=300.0, cogs_pct=0.9),
    }
    for kind, inputs in kinds.items():
        for scenario in SCENARIOS:
            for row in sensitivity(inputs, RATES, scenario, step=0.25):
                for factor, got in ((0.75, row.net_gain_low), (1.25, row.net_gain_high)):
                    table = _moved_table(inputs, scenario, row.field, factor)
                    expected = float(table.columns["net_gain"][SCENARIOS.index(scenario)])
                    assert got == expected, (kind, scenario, row.field, factor)


def test_a_moved_store_is_the_store_dataclasses_replace_would_give():
    # The sensitivity copies a store's fields instead of running StoreInputs' 60-field
    # __init__ again (risk._replaced); that is only right while __post_init__ derives nothing.
    # A store moved that way must equal the one dataclasses.replace builds, for every input
    # the table moves, and a moved value the model refuses must be refused the same way.
    from calculator.errors import InputError
    from calculator.model.risk import SENSITIVITY_INPUTS, _replaced
    inputs = store(super_hot_forecast_usd=900.0, ads_usd_per_month=40.0,
                   livestream_usd_each=150.0)
    fields = [f for _, f in SENSITIVITY_INPUTS if f in StoreInputs.__dataclass_fields__]
    assert fields, "the table moves inputs of the store"
    for field in fields:
        changed = {field: getattr(inputs, field) * 1.2}
        assert _replaced(inputs, **changed) == dataclasses.replace(inputs, **changed), field
    with pytest.raises(InputError) as by_replace:
        dataclasses.replace(inputs, fx_cny_per_usd=0.0)
    with pytest.raises(InputError) as by_copy:
        _replaced(inputs, fx_cny_per_usd=0.0)
    assert str(by_copy.value) == str(by_replace.value)


def test_a_moved_store_with_a_bad_number_is_refused_as_a_new_store_would_be():
    # A moved store checks only the numbers that moved (inputs.validate_numbers): the rest
    # were checked when the store was built. For every number a store has, a value the model
    # refuses (negative, not a number, above the sanity limit of 1e12) must be refused with
    # the words dataclasses.replace (every input checked) gives, and a good one accepted.
    from calculator.errors import InputError
    from calculator.model.inputs import NUMBER_NAMES
    from calculator.model.risk import _replaced
    inputs = store()
    assert {"gmv_m1", "cogs_pct", "fx_cny_per_usd", "parcel_length_cm"} <= NUMBER_NAMES
    for name in sorted(NUMBER_NAMES):
        for value in (-5.0, float("nan"), 2e12, 0.5):
            try:
                expected = dataclasses.replace(inputs, **{name: value})
            except InputError as error:
                with pytest.raises(InputError) as by_copy:
                    _replaced(inputs, **{name: value})
                assert str(by_copy.value) == str(error), (name, value)
            else:
                assert _replaced(inputs, **{name: value}) == expected, (name, value)


def test_the_sorted_net_gains_are_each_scenarios_draws_sorted():
    # the simulation keeps the rows it sorted for its quantiles (the histogram counts them);
    # each must be exactly its scenario's draws in order, with and without fuse trips, and
    # for ranges of zero width (every draw the same number: priced once, never sorted)
    inputs = store(super_hot_forecast_usd=4000.0)
    risks = [dataclasses.replace(default_risk_inputs(inputs, RATES, draws=2000),
                                 fuse_probability={s: fuse for s in SCENARIOS})
             for fuse in (0.0, 0.3)] + [point_risk(inputs, draws=2000)]
    for risk in risks:
        result = simulate(inputs, RATES, risk)
        assert result.net_gain_sorted.shape == (len(SCENARIOS), 2000)
        for j in range(len(SCENARIOS)):
            assert np.array_equal(result.net_gain_sorted[j],
                                  np.sort(result.net_gain_draws[:, j]))


def test_the_tornado_from_the_point_tables_parameters_is_the_tornado_computed_alone():
    # the Risk sheet passes the point table's parameters (the store's order lines and spend,
    # computed once); the table must be the one the sensitivity computes on its own, to the
    # last bit, for a SKU store with a forecast, ads and a new Spanish service, every scenario
    from calculator.model.inputs import SkuTable
    skus = SkuTable(("A", "B"), ("general", "apparel"), np.array([750.0, 300.0]),
                    np.array([25.0, 12.0]), np.array([400.0, 100.0]),
                    np.array([False, True]), np.array([9.0, np.nan]))
    for inputs in (store(super_hot_forecast_usd=5000.0, ads_usd_per_month=300.0,
                         spanish_cs_usd_per_month=400.0, coupons_usd_per_quarter=200.0),
                   store(skus=skus, horizon_months=12)):
        params = compute_scenarios(inputs, RATES).parameters
        for scenario in SCENARIOS:
            assert sensitivity(inputs, RATES, scenario, params=params) == \
                sensitivity(inputs, RATES, scenario), scenario


def test_net_gains_sorted_by_their_draws_are_np_sort_to_the_last_bit():
    # _sort_by_draw sorts a scenario's net gains from the order of its lift draws (spared
    # draws by lift, tripped draws as one block). By hand: gains 3, 1, 2 whose lifts rank
    # draws 1, 2, 0 are 1, 2, 3; the same gains falling with the lift (draws 0, 2, 1) come
    # back reversed: 1, 2, 3; a tripped draw worth 1.5 goes between 1 and 2
    from calculator.model.risk import _sort_by_draw

    def sort_as_simulate(values, by_lift, trips_at):
        """What simulate does: the draws' order, or np.sort where that order cannot be
        trusted; and whether the draws' order was used."""
        out = np.empty_like(values)
        used = _sort_by_draw(values, by_lift, trips_at, out)
        if not used:
            out[:] = values
            out.sort()
        return out, used

    def sorted_by_draw(values, by_lift, trips_at=()):
        out, used = sort_as_simulate(np.asarray(values, dtype=float),
                                     np.asarray(by_lift, dtype=np.intp),
                                     np.asarray(trips_at, dtype=np.intp))
        assert used                     # these are sorted from the draws' order alone
        return out

    assert sorted_by_draw([3.0, 1.0, 2.0], [1, 2, 0]).tolist() == [1.0, 2.0, 3.0]
    assert sorted_by_draw([3.0, 1.0, 2.0], [0, 2, 1]).tolist() == [1.0, 2.0, 3.0]
    assert sorted_by_draw([3.0, 1.5, 1.0, 2.0], [2, 3, 0], [1]).tolist() == \
        [1.0, 1.5, 2.0, 3.0]
    # when the order of the draws does not sort the gains (a NaN, tripped draws that differ,
    # an order that is wrong, zeros of either sign) the answer is still np.sort's, bit for bit
    rng = np.random.default_rng(5)
    unit = rng.random(500)
    trips = rng.random(500) < 0.2
    spared = np.flatnonzero(~trips)
    by_lift = spared[np.argsort(unit[spared], kind="stable")]
    trips_at = np.flatnonzero(trips)
    rising = np.where(trips, -40.0, unit * 1000.0 - 300.0)
    cases = {"rising": rising, "falling": -rising, "nan": np.where(unit > 0.9, np.nan, rising),
             "tripped differ": np.where(trips, unit, rising),
             "not monotone": np.where(trips, -40.0, np.sin(unit * 50.0)),
             "zeros": np.where(trips, 0.0, np.where(unit > 0.5, -0.0, 0.0)),
             "tripped zero": np.where(trips, -0.0, rising)}
    for name, values in cases.items():
        out, used = sort_as_simulate(values, by_lift, trips_at)
        want = np.sort(values)
        assert out.tobytes() == want.tobytes(), name
        # rising and falling gains are sorted from the draws' order; the rest by np.sort
        assert used == (name in ("rising", "falling")), name
    for name, values in (("rising", rising), ("one draw", np.array([2.5]))):
        out, _ = sort_as_simulate(
            values, np.arange(len(values)) if name == "one draw" else by_lift,
            np.array([], dtype=np.intp) if name == "one draw" else trips_at)
        assert out.tobytes() == np.sort(values).tobytes(), name
