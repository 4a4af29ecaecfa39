"""The worksheet functions, called as xlwings calls them on Windows: floats for numbers, None
for blank cells, lists of rows for ranges (ndim=2), datetimes for dates. On Linux the xlwings
decorators do nothing, so these are the very functions Excel would call."""
import datetime as dt
import inspect

import numpy as np
import pytest

from calculator.excel import udfs
from calculator.model.inputs import StoreInputs
from calculator.model.ratecard import load_rate_card
from calculator.model.scenarios import compute_scenarios


def test_freight_of_one_cell_matches_the_standard_card():
    # 750 g standard to Poland: 2.80 + ceil((750 - 500) / 100) = 3 steps × 0.45 = 4.15
    assert udfs.AE_FREIGHT(750.0) == pytest.approx(4.15)


def test_freight_of_a_column_returns_a_column_of_the_same_shape():
    # subsidised 750 g: min(4.15, 4.15 / 1.37 × 1.12) = 3.3927; 500 g: min(2.80, 2.80/1.37×1.12=2.2891)
    out = udfs.AE_FREIGHT([[750.0], [500.0], [None]], "subsidised")
    assert len(out) == 3 and all(len(row) == 1 for row in out)
    assert out[0][0] == pytest.approx(4.15 / 1.37 * 1.12)
    assert out[1][0] == pytest.approx(2.80 / 1.37 * 1.12)
    assert out[2][0] == ""          # a blank cell stays blank


def test_freight_accepts_a_numpy_range_too():
    out = udfs.AE_FREIGHT(np.array([[501.0]]), "standard")
    assert out[0][0] == pytest.approx(3.25)   # 501 g: one step over 500 g → 2.80 + 0.45


@pytest.mark.parametrize("bad, message", [(-5.0, "#weight_g must be > 0"),
                                          (0.0, "#weight_g must be > 0"),
                                          ("heavy", "#weight_g must be a number"),
                                          (float("nan"), "#weight_g must be a number")])
def test_bad_weight_gives_a_short_message_not_a_traceback(bad, message):
    assert udfs.AE_FREIGHT(bad) == message


def test_unknown_plan_is_named_in_the_cell():
    assert udfs.AE_FREIGHT(750.0, "express").startswith("#plan must be")


def test_shumao_plan_prices_per_gram():
    # $2.10 per kg, per gram: 750 g → 0.75 × 2.10 = 1.575
    assert udfs.AE_FREIGHT(750.0, "shumao") == pytest.approx(1.575)


def test_subsidy_is_standard_minus_subsidised():
    # 4.15 − 4.15/1.37×1.12 = 4.15 × (1 − 1.12/1.37) = 0.7573
    assert udfs.AE_SUBSIDY(750.0) == pytest.approx(4.15 * (1 - 1.12 / 1.37))


def test_aplus_cost_third_party_at_midpoint():
    # 5 pages × ¥1,000 (mid of 800–1,200) / 7.10 = $704.23
    assert udfs.AE_APLUS_COST(5.0, "third_party", 7.10) == pytest.approx(5000 / 7.10)
    assert udfs.AE_APLUS_COST(5.0, "official", 7.10) == 0.0
    assert udfs.AE_APLUS_COST(None) == ""


def test_fees_on_apparel_with_affiliates():
    # $10,000 × (8% apparel commission + 20% share × 10% affiliate rate) = 10,000 × 0.10 = $1,000
    assert udfs.AE_FEES(10000.0, "apparel", 0.2, 0.1) == pytest.approx(1000.0)


def test_fees_unknown_category_says_which():
    assert "toys" in udfs.AE_FEES(100.0, "toys")
    assert udfs.AE_FEES(100.0, "toys").startswith("#")


def test_projected_gmv_of_gsc_is_mean_times_one_plus_147_percent():
    # B = (8,000 + 9,000 + 10,000) / 3 = 9,000; × 2.47 = 22,230
    assert udfs.AE_PROJECTED_GMV("gsc_leap", 8000.0, 9000.0, 10000.0) == pytest.approx(22230.0)
    # Super Hot: the $10,000 is an entry hurdle, not a forecast: without the user's forecast
    # nothing is added, 9,000 stays 9,000
    assert udfs.AE_PROJECTED_GMV("super_hot", 8000.0, 9000.0, 10000.0) == pytest.approx(9000.0)


def test_eligibility_rising_at_180_days_in_and_181_out():
    t0 = dt.datetime(2026, 12, 1)
    in_ = udfs.AE_ELIGIBLE("gsc_rising", t0, t0 - dt.timedelta(days=180))
    out = udfs.AE_ELIGIBLE("gsc_rising", t0, t0 - dt.timedelta(days=181))
    assert in_[0][0] is True and out[0][0] is False
    assert "181" in out[0][1]


def test_eligibility_leap_needs_5000_each_month():
    t0 = dt.datetime(2026, 12, 1)
    assert udfs.AE_ELIGIBLE("gsc_leap", t0, dt.datetime(2024, 1, 1), 5000.0, 5000.0, 5000.0)[0][0]
    assert not udfs.AE_ELIGIBLE("gsc_leap", t0, dt.datetime(2024, 1, 1), 5000.0, 4999.99, 9000.0)[0][0]


def test_deadline_and_fuse_in_beijing_time():
    # T+0 Friday 2026-11-27; T+30 = Sunday 2026-12-27, due 23:59:59; fuse 72 h later = 2026-12-30
    t0 = dt.datetime(2026, 11, 27)
    assert udfs.AE_DEADLINE(t0, "t30") == dt.datetime(2026, 12, 27, 23, 59, 59)
    assert udfs.AE_DEADLINE(t0, "t30", "fuse") == dt.datetime(2026, 12, 30, 23, 59, 59)
    assert udfs.AE_DEADLINE(t0, "t99").startswith("#phase")


def test_scenario_table_is_a_dynamic_array_with_header():
    table = udfs.AE_SCENARIOS(dt.datetime(2026, 12, 1), dt.datetime(2026, 6, 4), 8000.0, 9000.0,
                              10000.0, 25.0, 0.5, 750.0)
    assert table[0][0] == "scenario" and len(table) == 6
    assert [row[0] for row in table[1:]] == ["baseline", "gsc_rising", "gsc_leap", "shumao",
                                           "super_hot"]
    # baseline: B = 9,000 a month, nothing gained
    assert table[1][3] == pytest.approx(9000.0)
    assert table[1][table[0].index("net_gain")] == 0.0
    # no NaN or inf reaches a cell
    flat = [v for row in table for v in row]
    assert not any(isinstance(v, float) and not np.isfinite(v) for v in flat)


def test_scenario_table_takes_the_market_so_an_italian_store_keeps_its_margin():
    # The same $25 order in Italy (VAT 22%) and in Poland (VAT 23%): net revenue
    # 25 / 1.22 = 20.491803 against 25 / 1.23 = 20.325203, 0.166600 more; the fees taken as a
    # share of it (commission 5%; no affiliate share, no payment fee by default) leave
    # 0.166600 × 0.95 = 0.158270 more contribution per order, on every scenario
    args = (dt.datetime(2026, 12, 1), dt.datetime(2026, 6, 4), 8000.0, 9000.0, 10000.0, 25.0,
            0.5, 750.0)
    italy, poland = udfs.AE_SCENARIOS(*args, market="it"), udfs.AE_SCENARIOS(*args)
    column = italy[0].index("contribution_per_order")
    for it_row, pl_row in zip(italy[1:], poland[1:]):
        assert it_row[column] - pl_row[column] == pytest.approx(
            (25 / 1.22 - 25 / 1.23) * (1 - 0.05), abs=1e-9)
    # the same margin as the model gives the same store (the workbook's view)
    store = StoreInputs(dt.date(2026, 12, 1), dt.date(2026, 6, 4), 8000.0, 9000.0, 10000.0,
                        aov_usd=25.0, cogs_pct=0.5, parcel_weight_g=750.0, market="IT")
    model = compute_scenarios(store, load_rate_card())
    assert [r[column] for r in italy[1:]] == pytest.approx(
        list(model.columns["contribution_per_order"]), abs=1e-12)
    assert udfs.AE_SCENARIOS(*args, market="XX").startswith("#")


def test_scenario_table_reports_a_store_opened_after_t0():
    out = udfs.AE_SCENARIOS(dt.datetime(2026, 12, 1), dt.datetime(2027, 1, 1), 1.0, 1.0, 1.0,
                            25.0, 0.5, 750.0)
    assert isinstance(out, str) and out.startswith("#") and "after T+0" in out


def test_blank_required_argument_gives_an_empty_cell():
    assert udfs.AE_SCENARIOS(None, None, None, None, None, None, None, None) == ""


def test_every_function_has_the_common_prefix_and_a_docstring():
    functions = [f for name, f in inspect.getmembers(udfs, inspect.isfunction)
                 if f.__module__ == udfs.__name__ and name.isupper()]
    assert len(functions) >= 8
    for function in functions:
        assert function.__name__.startswith("AE_")
        assert function.__doc__ and len(function.__doc__.strip()) > 20


# --- per-SKU pricing and risk (docs/pricing.md works the same example on paper) -------------

def test_price_for_target_margin_under_subsidised_shipping():
    # 750 g: standard 4.15, economy 4.15/1.37 = 3.0292, subsidised min(4.15, 1.12 × 3.0292)
    # = 3.3927. Unit cost 8, commission 5%, target 20%, PL VAT 23%:
    # (3.3927 + 8) / (0.95 − 0.20) = 15.1903 net → × 1.23 = 18.684
    assert udfs.AE_PRICE_FOR_MARGIN(0.20, 750, 8) == pytest.approx(18.684, abs=0.001)
    # standard: (4.15 + 8) / 0.75 × 1.23 = 19.926
    assert udfs.AE_PRICE_FOR_MARGIN(0.20, 750, 8, "standard") == pytest.approx(19.926, abs=1e-6)


def test_price_for_target_margin_of_a_column_is_a_column():
    # 1000 g standard: 2.80 + 5 × 0.45 = 5.05; (5.05 + 5) / 0.75 × 1.23 = 16.482
    out = udfs.AE_PRICE_FOR_MARGIN(0.20, [[750.0], [1000.0], [None]], [[8.0], [5.0], [None]],
                                   "standard")
    assert out[0][0] == pytest.approx(19.926) and out[1][0] == pytest.approx(16.482)
    assert out[2] == [""]


def test_an_unreachable_margin_says_so_in_the_cell():
    # a = 0.95 after commission; a target of 99% leaves a − t < 0
    assert udfs.AE_PRICE_FOR_MARGIN(0.99, 750, 8) == "#no price reaches the target margin"


def test_margin_at_a_price_with_and_without_vat():
    # $24.60 incl. 23% VAT → R = 20; 20 − 1.00 − 4.15 − 8 = 6.85 → 34.25%
    assert udfs.AE_MARGIN_AT_PRICE(24.60, 750, 8, "standard") == pytest.approx(0.3425)
    # without VAT the $20 price is all revenue: the same 34.25%
    assert udfs.AE_MARGIN_AT_PRICE(20, 750, 8, "standard", prices_include_vat=False) \
        == pytest.approx(0.3425)
    assert udfs.AE_MARGIN_AT_PRICE("abc", 750, 8) == "#price_usd must be a number"


def test_a_blank_unit_cost_is_the_store_cogs_never_zero():
    # a SKU without a unit cost takes COGS% of the sale price on the SKU economics sheet. The
    # function took it as $0: example 03's CAP-05 showed 66% here against the sheet's 18%.
    # $20 without VAT, 750 g standard $4.15, 5% commission, COGS 40%: goods 0.40 × 20 = 8,
    # 20 − 1.00 − 4.15 − 8 = 6.85 → 34.25%, the margin of a unit cost of $8
    assert udfs.AE_MARGIN_AT_PRICE(20, 750, None, "standard", prices_include_vat=False,
                                   cogs_pct=0.40) == pytest.approx(0.3425)
    # without cogs_pct there is no cost to use: said in the cell, not computed as free goods
    blank = "#unit_cost_usd is blank: give the unit cost, or the store's cost of goods as " \
            "cogs_pct (e.g. 40%)"
    assert udfs.AE_MARGIN_AT_PRICE(20, 750, None, "standard", prices_include_vat=False) == blank
    assert udfs.AE_PRICE_FOR_MARGIN(0.20, 750, None) == blank
    # 40 typed for 40%: goods at 40 times the price, refused as the workbook refuses it
    assert udfs.AE_MARGIN_AT_PRICE(20, 750, None, cogs_pct=40) == \
        "#cogs_pct must be <= 1 (40% is 0.4)"
    # price for 20% at COGS 40% of the sale S, PL VAT 23%, subsidised freight 3.3927: per $ of
    # net revenue R = S / 1.23 the store keeps 0.95 − 0.40 × 1.23 = 0.458; (0.458 − 0.20) R =
    # 3.3927 → R = 13.1500, S = 16.1746
    assert udfs.AE_PRICE_FOR_MARGIN(0.20, 750, None, cogs_pct=0.40) == \
        pytest.approx(16.1746, abs=1e-3)


def test_risk_takes_the_store_market_and_category():
    # AE_RISK took Poland's 23% VAT whatever the store: an Italian store's spread (22%) was not
    # its Risk sheet's. With market IT it is the model's own for market IT; each order keeps
    # more (25 / 1.22 = 20.4918 against 25 / 1.23 = 20.3252), so its net gains are higher
    from calculator.model.ratecard import load_rate_card
    from calculator.model.risk import default_risk_inputs, simulate
    args = ("gsc_rising", dt.datetime(2026, 12, 1), dt.datetime(2026, 9, 1), 3000, 3500, 4000,
            25, 0.5, 750)
    header, italy = udfs.AE_RISK(*args, draws=2000, market="IT")
    _, poland = udfs.AE_RISK(*args, draws=2000)
    gains = dict(zip(header, italy))
    assert gains["net_gain_p50"] > dict(zip(header, poland))["net_gain_p50"]
    store = udfs._store(dt.date(2026, 12, 1), dt.date(2026, 9, 1), 3000, 3500, 4000, 25, 0.5,
                        750, category="general", market="IT")
    rates = load_rate_card()
    row = simulate(store, rates, default_risk_inputs(store, rates, seed=20261201,
                                                     draws=2000)).row("gsc_rising")
    assert gains["net_gain_p50"] == row["net_gain_p50"] and gains["p_loss"] == row["p_loss"]
    assert udfs.AE_RISK(*args, market="XX") == "#no VAT rate for market XX"


def test_a_track_open_by_its_own_rule_names_the_rules_left_unchecked():
    # AE_ELIGIBLE checks the track's own rule only; a bare TRUE read as "may enter" where the
    # workbook says unknown (example 04: the enterprise input is blank)
    t0 = dt.datetime(2026, 12, 1)
    status, reason = udfs.AE_ELIGIBLE("gsc_rising", t0, t0 - dt.timedelta(days=122))[0]
    assert status is True
    assert reason == ("store age 122 days at T+0 <= 180; not checked here: the business "
                      "licence, an enterprise (not a sole trader), the store health score, a "
                      "factory seller's SKU count (the workbook's Results and Checks sheets "
                      "check them)")
    # a failed rule is the answer: nothing else can make the track open
    status, reason = udfs.AE_ELIGIBLE("gsc_rising", t0, t0 - dt.timedelta(days=181))[0]
    assert status is False and "not checked" not in reason


def test_risk_quantiles_are_ordered_and_repeatable():
    args = ("gsc_rising", dt.datetime(2026, 12, 1), dt.datetime(2026, 9, 1), 3000, 3500, 4000,
            25, 0.5, 750)
    first = udfs.AE_RISK(*args, draws=2000)
    assert first == udfs.AE_RISK(*args, draws=2000)        # the seed makes it repeatable
    header, values = first
    figures = dict(zip(header, values))
    assert figures["net_gain_p10"] <= figures["net_gain_p50"] <= figures["net_gain_p90"]
    assert 0 <= figures["p_loss"] <= 1
    assert udfs.AE_RISK("nope", *args[1:]).startswith("#scenario must be one of")


# --- argument guards: a typing mistake is a short #-text naming the argument ---------------------

def test_a_vat_flag_that_is_not_true_or_false_is_named():
    # before: "#error: _Problem" (the reader's internal exception leaked into the cell)
    assert udfs.AE_PRICE_FOR_MARGIN(0.2, 750, 8, prices_include_vat="maybe") == \
        "#prices_include_vat must be TRUE or FALSE"
    assert udfs.AE_MARGIN_AT_PRICE(24.60, 750, 8, prices_include_vat="maybe") == \
        "#prices_include_vat must be TRUE or FALSE"
    # the words a person types are accepted: "no" is FALSE, as in the workbook's cells
    assert udfs.AE_MARGIN_AT_PRICE(20, 750, 8, "standard", prices_include_vat="no") == \
        pytest.approx(0.3425)


@pytest.mark.parametrize("draws", [0.5, 0, 99, 200_001, 1e9, -100, "many", True])
def test_risk_draws_must_be_a_whole_number_from_100_to_200000(draws):
    # 0.5 used to run int(0.5) = 0 draws; 1e9 used to stall into MemoryError
    args = ("gsc_rising", dt.datetime(2026, 12, 1), dt.datetime(2026, 9, 1), 3000, 3500, 4000,
            25, 0.5, 750)
    assert udfs.AE_RISK(*args, draws=draws) == \
        "#draws must be a whole number from 100 to 200,000"


def test_risk_accepts_the_bounds_of_draws_and_a_whole_seed():
    args = ("baseline", dt.datetime(2026, 12, 1), dt.datetime(2026, 9, 1), 3000, 3500, 4000,
            25, 0.5, 750)
    header, values = udfs.AE_RISK(*args, draws=100.0)       # Excel sends whole numbers as floats
    assert header[-1] == "p_loss" and 0 <= values[-1] <= 1
    assert udfs.AE_RISK(*args, seed=1.5, draws=100) == \
        "#seed must be a whole number from 0 to 4,294,967,295"


def test_a_bug_shows_one_short_line_with_the_log_and_the_traceback_goes_to_the_log(
        tmp_path, monkeypatch):
    log = tmp_path / "aeroi-excel.log"
    monkeypatch.setenv("AEROI_LOG", str(log))

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")
    monkeypatch.setattr(udfs, "aplus_cost_usd", broken)
    text = udfs.AE_APLUS_COST(2)
    assert text == f"#error: ZeroDivisionError, details in {log}"
    assert "Traceback" not in text and "\n" not in text
    logged = log.read_text(encoding="utf-8")
    assert "AE_APLUS_COST" in logged and "Traceback" in logged and "ZeroDivisionError" in logged


def test_array_functions_return_plain_rows_that_excel_spills():
    # no legacy expand="table": the rows themselves are the spill (2 cells, 6 x 15, 2 x 7)
    eligible = udfs.AE_ELIGIBLE("gsc_rising", dt.datetime(2026, 12, 1), dt.datetime(2026, 9, 1))
    assert len(eligible) == 1 and len(eligible[0]) == 2 and eligible[0][0] is True
    table = udfs.AE_SCENARIOS(dt.datetime(2026, 12, 1), dt.datetime(2026, 6, 4), 8000, 9000,
                              10000, 25, 0.5, 750)
    assert len(table) == 6 and {len(row) for row in table} == {15}


_ODD_VALUES = [None, "", "x", -1.0, 0.0, 1e300, float("nan"), True, [[None]], [["a"], [2.0]],
               [[1.0, 2.0], [3.0, 4.0]], dt.datetime(1900, 1, 1), object()]


@pytest.mark.parametrize("name", sorted(n for n in dir(udfs) if n.startswith("AE_")))
def test_no_function_raises_whatever_the_cells_hold(name, tmp_path, monkeypatch):
    # whatever reaches a function, the cell gets a value, "" or a #-text: never a traceback
    monkeypatch.setenv("AEROI_LOG", str(tmp_path / "log"))
    function = getattr(udfs, name)
    arity = len(inspect.signature(function).parameters)
    for k, odd in enumerate(_ODD_VALUES):
        for position in range(arity):
            args = [odd if i == position else _ODD_VALUES[(k + i) % len(_ODD_VALUES)]
                    for i in range(arity)]
            result = function(*args)
            flat = [c for row in result for c in row] if isinstance(result, list) else [result]
            for cell in flat:
                assert not isinstance(cell, str) or cell == "" or cell.startswith("#") \
                    or name in ("AE_ELIGIBLE", "AE_SCENARIOS", "AE_RISK"), (args, result)


def test_a_failure_outside_the_cells_loop_is_still_a_short_text(tmp_path, monkeypatch):
    monkeypatch.setenv("AEROI_LOG", str(tmp_path / "log"))
    monkeypatch.setattr(udfs, "load_rate_card", lambda: {}["rates.toml"])
    assert udfs.AE_FREIGHT(750.0).startswith("#error: KeyError, details in ")
    assert udfs.AE_SUBSIDY([[750.0]]).startswith("#error: KeyError")
