"""The worksheet functions, called as xlwings calls them on Windows: floats for numbers, None
for blank cells, lists of rows for ranges (ndim=2), datetimes for dates. On Linux the xlwings
decorators do nothing, so these are the very functions Excel would call."""
import datetime as dt
import inspect

import numpy as np
import pytest

from calculator.excel import udfs


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
