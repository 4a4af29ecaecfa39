"""Who may enter: yes / no / unknown at each entry rule's boundary (000, 001), and readiness."""
import dataclasses
import datetime as dt

import pytest

from calculator.model.eligibility import edate, eligibility, months_held, readiness
from calculator.model.inputs import StoreInputs
from calculator.model.ratecard import load_rate_card

RATES = load_rate_card()
T0 = dt.date(2026, 11, 30)


def store(**changes):
    """A store that passes every GSC and Shumao rule; tests change one input at a time."""
    base = StoreInputs(eval_date=T0, store_opened=T0 - dt.timedelta(days=100),
                       gmv_m1=10_000, gmv_m2=10_000, gmv_m3=10_000, aov_usd=25.0,
                       cogs_pct=0.55, parcel_weight_g=750, cn_exporter=True,
                       licence_registered=dt.date(2024, 1, 1), enterprise=True,
                       health_score=90, factory_seller=False, customs_declarations_12m=12,
                       scope_import_export=True)
    return dataclasses.replace(base, **changes)


def verdict(scenario, **changes):
    return eligibility(store(**changes), RATES)[scenario]


def test_a_store_passing_every_rule_may_enter_every_programme_but_super_hot():
    e = eligibility(store(), RATES)
    assert [e[s].eligible for s in ("baseline", "gsc_rising", "gsc_leap", "shumao")] == \
        [True, True, True, True]
    assert e["super_hot"].eligible is None            # no forecast yet


# --- the track rules -------------------------------------------------------------------------

def test_rising_180_days_in_181_out():
    # T+0 2026-11-30: opened 2026-06-03 is 180 days (27 + 31 + 31 + 30 + 31 + 30), 06-02 is 181
    assert verdict("gsc_rising", store_opened=dt.date(2026, 6, 3)).eligible is True
    out = verdict("gsc_rising", store_opened=dt.date(2026, 6, 2))
    assert out.eligible is False and "181 days" in out.reason and "180-day" in out.reason


def test_leap_needs_5000_in_each_month():
    assert verdict("gsc_leap", gmv_m1=5000, gmv_m2=5000, gmv_m3=5000).eligible is True
    out = verdict("gsc_leap", gmv_m2=4999.99)
    assert out.eligible is False and "month 2 GMV $4,999.99 is below $5,000.00" in out.reason


# --- licence age by calendar months, as Excel's EDATE ------------------------------------------

def test_licence_registered_on_may_31_is_six_months_old_on_november_30():
    # EDATE(2026-05-31, 6) = 2026-11-30 (November has 30 days): 6 months, in
    assert edate(dt.date(2026, 5, 31), 6) == dt.date(2026, 11, 30)
    assert months_held(dt.date(2026, 5, 31), dt.date(2026, 11, 30)) == 6
    assert verdict("gsc_rising", licence_registered=dt.date(2026, 5, 31)).eligible is True
    # registered 2026-06-01: EDATE(+6) = 2026-12-01 > T+0: 5 months, out
    out = verdict("gsc_rising", licence_registered=dt.date(2026, 6, 1))
    assert out.eligible is False and "5 months, below the 6 required" in out.reason


def test_licence_date_blank_is_unknown_naming_the_input():
    out = verdict("gsc_leap", licence_registered=None)
    assert out.eligible is None and "in_licence_registered" in out.reason


# --- enterprise, health score, factory sellers ---------------------------------------------------

@pytest.mark.parametrize("value, expected", [(True, True), (False, False), (None, None)])
def test_enterprise_yes_no_unknown(value, expected):
    assert verdict("gsc_rising", enterprise=value).eligible is expected
    assert verdict("shumao", enterprise=value).eligible is expected


@pytest.mark.parametrize("score, expected", [(85, True), (84.9, False), (None, None)])
def test_health_score_85_is_in(score, expected):
    out = verdict("gsc_leap", health_score=score)
    assert out.eligible is expected
    if expected is False:
        assert "84.9 is below 85" in out.reason


@pytest.mark.parametrize("factory, skus, expected", [
    (True, 50, True), (True, 49, False), (True, None, None), (None, 200, None),
    (False, None, True)])
def test_factory_sellers_need_50_skus(factory, skus, expected):
    assert verdict("gsc_rising", factory_seller=factory, sku_count=skus).eligible is expected


# --- Shumao's exporter evidence (001) ------------------------------------------------------------

@pytest.mark.parametrize("count, expected", [(3, True), (2, False), (None, None)])
def test_shumao_needs_3_customs_declarations(count, expected):
    assert verdict("shumao", customs_declarations_12m=count).eligible is expected


@pytest.mark.parametrize("scope, expected", [(True, True), (False, False), (None, None)])
def test_shumao_needs_import_export_in_the_business_scope(scope, expected):
    assert verdict("shumao", scope_import_export=scope).eligible is expected


def test_shumao_needs_a_mainland_china_exporter():
    out = verdict("shumao", cn_exporter=False)
    assert out.eligible is False and "mainland China" in out.reason


def test_a_failed_rule_outweighs_a_blank_one():
    # health blank (unknown) and a sole trader (no): no, with the failure as the reason
    out = verdict("gsc_rising", health_score=None, enterprise=False)
    assert out.eligible is False and "sole trader" in out.reason


# --- Super Hot's hurdle ------------------------------------------------------------------------

@pytest.mark.parametrize("forecast, expected", [(10_000, True), (9_999.99, False), (None, None)])
def test_super_hot_hurdle_is_10000_in_30_days(forecast, expected):
    assert verdict("super_hot", super_hot_forecast_usd=forecast).eligible is expected


def test_reasons_in_chinese():
    e = eligibility(store(health_score=None, enterprise=False), RATES, "zh")
    assert e["gsc_rising"].reason == "个体工商户不能参加:须为企业营业执照"
    assert e["super_hot"].reason.startswith("未知:")


# --- readiness: warnings, never eligibility ----------------------------------------------------

def test_readiness_reason_never_rounds_away_its_own_reason():
    # bounce 42.61% against the 42.6% line: shown with the digits that tell them apart
    checks = {c.check: c for c in readiness(store(bounce_rate=0.4261), RATES)}
    assert checks["bounce_rate"].status == "warn"
    assert checks["bounce_rate"].reason == "detail-page bounce 42.61% is over 42.60%"


def test_readiness_compares_at_the_precision_its_words_show():
    # 1 − 0.574 = 0.42600000000000005 in floating point: a bounce of 42.6%, not over 42.6%
    checks = {c.check: c for c in readiness(store(bounce_rate=1 - 0.574), RATES)}
    assert checks["bounce_rate"].status == "pass"
    # CTR 0.083 − 1e-12 is 8.3%, not below the 8.3% line
    checks = {c.check: c for c in readiness(store(main_image_ctr=0.083 - 1e-12), RATES)}
    assert checks["main_image_ctr"].status == "pass"
    # 2.0000001 minutes is 2 minutes (the message shows at most 5 decimals): not over 2 min
    checks = {c.check: c for c in readiness(store(cs_reply_minutes=2.0000001), RATES)}
    assert checks["cs_reply"].status == "pass"
    # a real difference still fails, with the digits that show it: 2.00001 > 2
    checks = {c.check: c for c in readiness(store(cs_reply_minutes=2.00001), RATES)}
    assert checks["cs_reply"].status == "fail" and "2.00001" in checks["cs_reply"].reason


def test_shumao_onboarding_checks_against_its_projected_first_month():
    # 004: >= 20 listings, >= 3 products with 5 orders, first month >= $2,000 or downgrade
    checks = {c.check: c for c in readiness(store(sku_count=19, products_with_5_orders=3),
                                            RATES, shumao_first_month_gmv=1_999.0)}
    assert checks["shumao_listings"].status == "warn"
    assert checks["shumao_selling_products"].status == "pass"
    first = checks["shumao_first_month"]
    assert first.status == "warn" and "$1,999.00 is below $2,000.00" in first.reason
    assert "downgraded" in first.reason


def test_no_shumao_obligations_for_a_store_that_cannot_enter_shumao():
    # a store that is no exporter is not told to list 20 products for the Shumao channel
    names = {c.check for c in readiness(store(cn_exporter=False), RATES, shumao_open=False)}
    assert not any(name.startswith("shumao_") for name in names)


# --- figures most likely typed wrong (warnings) ----------------------------------------------

def typed(**changes):
    from calculator.model.eligibility import typing_checks
    return {k.check: k for k in typing_checks(store(**changes), RATES)}


def test_an_exchange_rate_typed_as_usd_per_cny_is_questioned():
    # 0.14 is 1 ÷ 7.14: outside 3..20 CNY per USD (assumptions on Rates); 1 ÷ 0.14 = 7.142857
    check = typed(fx_cny_per_usd=0.14)["typed_fx"]
    assert (check.status, check.source) == ("warn", "assumption")
    assert check.reason == ("exchange rate 0.14 CNY per USD is outside 3 to 20: a dollar buys "
                            "about 7 yuan. Typed as USD per CNY? Then type 7.14")
    assert typed(fx_cny_per_usd=7.10) == {} and typed(fx_cny_per_usd=3.0) == {}
    # over 20 it is not the inverse (1 ÷ 25 = 0.04 would be questioned too): another currency
    assert typed(fx_cny_per_usd=25.0)["typed_fx"].reason == (
        "exchange rate 25 CNY per USD is over 20: a dollar buys about 7 yuan. Another "
        "currency's rate? Type CNY per USD (e.g. 7.10)")
    assert typed(fx_cny_per_usd=20.0) == {}
    # under 3 with an inverse that is no rate either (1 ÷ 1 = 1, 1 ÷ 0.04 = 25): no figure to
    # type is offered, only what the rate means
    for fx in (1.0, 0.04):
        assert typed(fx_cny_per_usd=fx)["typed_fx"].reason == (
            f"exchange rate {fx:g} CNY per USD is under 3: a dollar buys about 7 yuan. Type CNY "
            f"per USD (e.g. 7.10)")


def test_a_weight_typed_in_kilograms_or_far_too_heavy_is_questioned():
    # 0.5 g: under 10 g, so kilograms? 0.5 kg = 500 g. 40,000 g: over 30,000 g
    assert typed(parcel_weight_g=0.5)["typed_weight"].reason == \
        "parcel weight 0.5 g is under 10 g: typed in kilograms? Then type 500"
    assert typed(parcel_weight_g=40_000)["typed_weight"].reason == \
        "parcel weight 40,000 g is over 30,000 g: check that it is in grams"
    assert typed(parcel_weight_g=10) == {} and typed(parcel_weight_g=30_000) == {}
    # as typed, never 3.5e+04
    assert typed(parcel_weight_g=35_000.5)["typed_weight"].reason == \
        "parcel weight 35,000.5 g is over 30,000 g: check that it is in grams"


def test_a_skus_table_far_from_the_gmv_is_questioned():
    # GMV $10,000 a month (each of the last three months). Table: A $20 × 300, B $49 × 100 =
    # 6,000 + 4,900 = $10,900 a month from 400 orders: 9% apart (900 ÷ 10,000), within 10%,
    # so no warning. B at $60: $12,000, 20% apart: extra GMV becomes orders at 10,000 ÷ 400 =
    # $25.00 while the table's orders average 12,000 ÷ 400 = $30.00. A 10% store discount
    # makes the sales 0.9 × 12,000 = $10,800 (8% apart): no warning
    import numpy as np
    from calculator.model.inputs import SkuTable

    def table(price_b):
        return SkuTable(("A", "B"), ("general", "general"), np.array([500.0, 800.0]),
                        np.array([20.0, price_b]), np.array([300.0, 100.0]),
                        np.array([False, False]), np.array([np.nan, np.nan]))
    assert typed(skus=table(49.0)) == {}
    assert "sku_sales" not in typed(skus=table(60.0), store_discount=0.10)
    assert typed(skus=table(60.0))["sku_sales"].reason == (
        "the SKUs table sells $12,000.00 a month (sale price after the store discount × "
        "orders), your GMV of the last three months is $10,000.00 (20% apart): extra GMV becomes orders at $25.00 an order (GMV ÷ "
        "the table's orders), each with the margin of the table's prices ($30.00 an order on "
        "average). Bring the two together")


def test_the_store_parcel_weight_is_not_questioned_when_the_skus_weigh_the_orders():
    # with a SKUs table holding orders, freight comes from the SKUs' weights: a store weight
    # of 0.5 g prices nothing and is not questioned (a SKU weight of 0.4 g is)
    import numpy as np
    from calculator.model.inputs import SkuTable
    skus = SkuTable(("A", "B"), ("general", "general"), np.array([500.0, 0.4]),
                    np.array([25.0, 25.0]), np.array([200.0, 200.0]),
                    np.array([False, False]), np.array([np.nan, np.nan]))
    checks = typed(parcel_weight_g=0.5, skus=skus)
    assert "typed_weight" not in checks
    assert checks["typed_sku_weights"].reason == ("1 SKU(s) weigh under 10 g or over 30,000 g "
                                                 "(B): check that the weights are in grams")
