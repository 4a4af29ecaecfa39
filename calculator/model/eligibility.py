"""Who may enter each programme (yes / no / unknown), and how ready the store is.

Eligibility comes from the programme's entry rules (programmes.py): a rule that fails makes the
scenario ineligible (``False``) with the rule's reason; a rule whose input is blank makes it
``None`` ("unknown"), naming the input; otherwise it is eligible (``True``). Readiness checks
(pass / warn / fail) never change eligibility: they say what to fix before the deadlines.
"""
from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass

from calculator.model.inputs import StoreInputs
from calculator.model.programmes import PROGRAMMES
from calculator.model.ratecard import RateCard
from calculator.model.texts import message, money, number, percent

PASS, WARN, FAIL = "pass", "warn", "fail"
YES, NO, UNKNOWN = True, False, None
SOURCE_GSC = "000_c8cb9e0707c5223d.txt"
SOURCE_SHUMAO = "001_4a1523759a513ec2.txt"
SOURCE_INTERVIEW = "004_570e7f8241c53819.txt"


@dataclass(frozen=True)
class Eligibility:
    scenario: str
    eligible: bool | None     # True, False, or None = unknown (an input is blank)
    reason: str
    unknown_inputs: str = ""  # the reasons of the rules that could not be decided


@dataclass(frozen=True)
class RuleOutcome:
    rule: str
    status: bool | None
    reason: str


@dataclass(frozen=True)
class Check:
    check: str
    status: str       # pass | warn | fail
    reason: str
    source: str = SOURCE_GSC


# --- calendar months, as Excel's EDATE ----------------------------------------------------------

def edate(start: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's last day (Excel's EDATE).

    >>> edate(dt.date(2026, 5, 31), 6)
    datetime.date(2026, 11, 30)
    """
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(start.day, last))


def months_held(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start`` to ``end``: the largest n with EDATE(start, n) <= end.

    A licence registered 2026-05-31 is 6 months old on 2026-11-30 (EDATE gives 2026-11-30).

    >>> months_held(dt.date(2026, 5, 31), dt.date(2026, 11, 30))
    6
    """
    n = (end.year - start.year) * 12 + (end.month - start.month)
    while n > 0 and edate(start, n) > end:
        n -= 1
    return max(n, 0)


# --- entry rules --------------------------------------------------------------------------------

def _rule_store_age(inputs, rates, lang):
    limit = int(rates.number("eligibility.rising_max_store_age_days"))
    days = inputs.store_age_days
    ok = days <= limit
    return RuleOutcome("store_age", ok, message(f"rule.store_age.{'pass' if ok else 'fail'}", lang,
                                                days=days, limit=limit))


def _rule_leap_gmv(inputs, rates, lang):
    floor = rates.number("eligibility.leap_min_monthly_gmv_usd")
    months = (inputs.gmv_m1, inputs.gmv_m2, inputs.gmv_m3)
    short = [(i, g) for i, g in enumerate(months, start=1) if g < floor]
    if not short:
        return RuleOutcome("leap_gmv", YES, message("rule.leap_gmv.pass", lang, floor=money(floor)))
    month, gmv = short[0]
    return RuleOutcome("leap_gmv", NO, message("rule.leap_gmv.fail", lang, month=month,
                                               gmv=money(gmv), floor=money(floor),
                                               short=len(short)))


def _rule_licence(inputs, rates, lang):
    limit = int(rates.number("readiness.licence_min_months"))
    if inputs.licence_registered is None:
        return RuleOutcome("licence", UNKNOWN, message("rule.licence.unknown", lang))
    held = months_held(inputs.licence_registered, inputs.eval_date)
    ok = held >= limit
    return RuleOutcome("licence", ok, message(f"rule.licence.{'pass' if ok else 'fail'}", lang,
                                              months=held, limit=limit))


def _rule_enterprise(inputs, rates, lang):
    if inputs.enterprise is None:
        return RuleOutcome("enterprise", UNKNOWN, message("rule.enterprise.unknown", lang))
    ok = bool(inputs.enterprise)
    return RuleOutcome("enterprise", ok,
                       message(f"rule.enterprise.{'pass' if ok else 'fail'}", lang))


def _rule_health(inputs, rates, lang):
    limit = rates.number("readiness.health_score_min")
    if inputs.health_score is None:
        return RuleOutcome("health", UNKNOWN, message("rule.health.unknown", lang))
    ok = inputs.health_score >= limit
    return RuleOutcome("health", ok, message(f"rule.health.{'pass' if ok else 'fail'}", lang,
                                             score=number(inputs.health_score),
                                             limit=number(limit)))


def _rule_factory(inputs, rates, lang):
    limit = rates.number("readiness.factory_min_skus")
    if inputs.factory_seller is None:
        return RuleOutcome("factory", UNKNOWN, message("rule.factory.unknown_kind", lang))
    if not inputs.factory_seller:
        return RuleOutcome("factory", YES, "")          # the rule is for factory sellers only
    if inputs.sku_count is None:
        return RuleOutcome("factory", UNKNOWN, message("rule.factory.unknown", lang))
    ok = inputs.sku_count >= limit
    return RuleOutcome("factory", ok, message(f"rule.factory.{'pass' if ok else 'fail'}", lang,
                                              skus=number(inputs.sku_count), limit=number(limit)))


def _rule_cn_exporter(inputs, rates, lang):
    ok = bool(inputs.cn_exporter)
    return RuleOutcome("cn_exporter", ok,
                       message(f"rule.cn_exporter.{'pass' if ok else 'fail'}", lang))


def _rule_declarations(inputs, rates, lang):
    limit = rates.number("eligibility.shumao_min_customs_declarations")
    count = inputs.customs_declarations_12m
    if count is None:
        return RuleOutcome("declarations", UNKNOWN, message("rule.declarations.unknown", lang))
    ok = count >= limit
    return RuleOutcome("declarations", ok,
                       message(f"rule.declarations.{'pass' if ok else 'fail'}", lang,
                               count=number(count), limit=number(limit)))


def _rule_scope(inputs, rates, lang):
    if inputs.scope_import_export is None:
        return RuleOutcome("scope", UNKNOWN, message("rule.scope.unknown", lang))
    ok = bool(inputs.scope_import_export)
    return RuleOutcome("scope", ok, message(f"rule.scope.{'pass' if ok else 'fail'}", lang))


def _rule_super_hot_forecast(inputs, rates, lang):
    hurdle = rates.number("super_hot.added_gmv_usd_per_month")
    forecast = inputs.super_hot_forecast_usd
    if forecast is None:
        return RuleOutcome("super_hot_forecast", UNKNOWN, message("rule.super_hot.unknown", lang))
    ok = forecast >= hurdle
    return RuleOutcome("super_hot_forecast", ok,
                       message(f"rule.super_hot.{'pass' if ok else 'fail'}", lang,
                               forecast=money(forecast), hurdle=money(hurdle)))


RULE_FUNCTIONS = {
    "store_age": _rule_store_age, "leap_gmv": _rule_leap_gmv, "licence": _rule_licence,
    "enterprise": _rule_enterprise, "health": _rule_health, "factory": _rule_factory,
    "cn_exporter": _rule_cn_exporter, "declarations": _rule_declarations, "scope": _rule_scope,
    "super_hot_forecast": _rule_super_hot_forecast,
}


def rule_outcomes(programme, inputs: StoreInputs, rates: RateCard, lang: str = "en"
                  ) -> list[RuleOutcome]:
    return [RULE_FUNCTIONS[rule](inputs, rates, lang) for rule in programme.entry_rules]


def combine(scenario: str, outcomes: list[RuleOutcome], lang: str = "en") -> Eligibility:
    """No when any rule fails (the failures are the reason); unknown when none fails and an
    input is blank (naming the inputs); yes otherwise (the rules passed are the reason)."""
    joiner = message("joiner", lang)
    failed = [o.reason for o in outcomes if o.status is NO]
    if failed:
        return Eligibility(scenario, NO, joiner.join(failed))
    unknown = [o.reason for o in outcomes if o.status is UNKNOWN]
    if unknown:
        return Eligibility(scenario, UNKNOWN,
                           message("eligible.unknown", lang, reasons=joiner.join(unknown)),
                           joiner.join(unknown))
    passed = [o.reason for o in outcomes if o.reason]
    return Eligibility(scenario, YES, joiner.join(passed) or message("rule.baseline", lang))


def eligibility(inputs: StoreInputs, rates: RateCard, lang: str = "en",
                programmes=PROGRAMMES) -> dict[str, Eligibility]:
    """Every programme's eligibility, keyed by scenario id (the baseline is always open)."""
    return {p.id: combine(p.id, rule_outcomes(p, inputs, rates, lang), lang) for p in programmes}


def programme_eligibility(programme_id: str, inputs: StoreInputs, rates: RateCard,
                          lang: str = "en") -> Eligibility:
    from calculator.model.programmes import PROGRAMME_BY_ID
    programme = PROGRAMME_BY_ID[programme_id]
    return combine(programme.id, rule_outcomes(programme, inputs, rates, lang), lang)


# --- readiness ----------------------------------------------------------------------------------

def _fmt(value, style):
    return percent(value) if style == "pct" else number(value)


def _at_least(name, value, floor, unit, severity, lang, style="num", source=SOURCE_GSC):
    what = message(f"what.{name}", lang)
    if value is None:
        return Check(name, WARN, message("check.not_given", lang, what=what), source)
    value = _as_shown(value, style)
    ok = value >= floor
    # the threshold is shown with the value's precision, so the reason never reads "42.6% is
    # over 42.6%": a value that rounds to the limit is shown with more digits
    shown, limit = _distinct(value, floor, style)
    return Check(name, PASS if ok else severity,
                 message(f"check.at_least.{'pass' if ok else 'fail'}", lang, what=what,
                         value=shown + unit, limit=limit + unit), source)


def _at_most(name, value, ceiling, unit, severity, lang, style="num", source=SOURCE_GSC):
    what = message(f"what.{name}", lang)
    if value is None:
        return Check(name, WARN, message("check.not_given", lang, what=what), source)
    value = _as_shown(value, style)
    ok = value <= ceiling
    shown, limit = _distinct(value, ceiling, style)
    return Check(name, PASS if ok else severity,
                 message(f"check.at_most.{'pass' if ok else 'fail'}", lang, what=what,
                         value=shown + unit, limit=limit + unit), source)


#: The most decimals a check's message shows (_distinct): 5 for a number (minutes), 6 of a
#: percent point for a share (8 of the fraction).
SHOWN_DECIMALS = {"num": 5, "pct": 8}


def _as_shown(value, style):
    """The value at the finest precision the message can show, so a check never fails on a
    difference its own words cannot show: 1 − 0.574 = 0.42600000000000005 is a bounce of
    42.6%, not over 42.6%; 2.0000001 minutes is 2 minutes, not over 2."""
    return round(float(value), SHOWN_DECIMALS[style])


def _distinct(value, limit, style):
    """The value and the limit as text, with enough decimals that unequal numbers differ."""
    for decimals in range(1, 7):
        if style == "pct":
            a, b = percent(value, decimals), percent(limit, decimals)
        else:
            a, b = f"{value:,.{decimals - 1}f}", f"{limit:,.{decimals - 1}f}"
            if decimals == 1 and float(value).is_integer() and float(limit).is_integer():
                return number(value), number(limit)
        if a != b or value == limit:
            return a, b
    return a, b


def readiness(inputs: StoreInputs, rates: RateCard, lang: str = "en",
              shumao_first_month_gmv: float | None = None, shumao_open: bool = True
              ) -> list[Check]:
    """Mandatory standards (fail), diagnostics (warn), Shumao's onboarding obligations (004,
    warn; only while the store may enter Shumao, ``shumao_open``) and a figure not given
    (warn). None of them changes eligibility."""
    checks: list[Check] = [
        _at_least("listing_compliance", inputs.listing_compliance,
                  rates.number("readiness.listing_compliance_min"), "", FAIL, lang, "pct"),
        _at_least("tracking_coverage", inputs.tracking_coverage,
                  rates.number("readiness.tracking_coverage_min"), "", FAIL, lang, "pct"),
        _at_most("cs_reply", inputs.cs_reply_minutes,
                 rates.number("readiness.cs_reply_max_minutes"), message("unit.min", lang), FAIL,
                 lang),
        _at_least("main_image_ctr", inputs.main_image_ctr,
                  rates.number("readiness.main_image_ctr_min"), "", WARN, lang, "pct"),
        _at_most("bounce_rate", inputs.bounce_rate, rates.number("readiness.bounce_warn_above"),
                 "", WARN, lang, "pct"),
    ]
    band = rates.number("readiness.price_band")
    currency = rates.code(f"market.{inputs.market}") if f"market.{inputs.market}" in rates \
        else "local"
    if inputs.price_local is None or not inputs.top20_price_local:
        checks.append(Check("price_band", WARN,
                            message("check.price_band.not_given", lang, currency=currency)))
    else:
        gap = inputs.price_local / inputs.top20_price_local - 1.0
        status = PASS if abs(gap) <= band + 1e-12 else WARN
        checks.append(Check("price_band", status, message(
            "check.price_band", lang, price=f"{inputs.price_local:,.2f}", currency=currency,
            gap=f"{gap:+.1%}", top20=f"{inputs.top20_price_local:,.2f}",
            band=percent(band, 0))))
    checks.append(_at_most("dispatch", inputs.dispatch_hours,
                           rates.number("readiness.dispatch_max_hours"), message("unit.h", lang),
                           FAIL, lang))
    checks.append(_at_most("refunds", inputs.refund_days,
                           rates.number("readiness.refund_max_days"), message("unit.days", lang),
                           FAIL, lang))
    required = rates.number("aplus.required_pages")
    pages = aplus_pages(inputs)
    checks.append(Check("aplus_pages", PASS if pages >= required else WARN, message(
        f"check.aplus.{'pass' if pages >= required else 'fail'}", lang, pages=number(pages),
        required=number(required))))
    # Shumao's obligations after onboarding approval (004): noise for a store that cannot enter
    if shumao_open:
        checks.extend(_shumao_onboarding(inputs, rates, lang, shumao_first_month_gmv))
    if f"market.{inputs.market}" in rates and inputs.market != "PL":
        checks.append(Check("freight_card", WARN,
                            message("check.freight_card", lang, market=inputs.market),
                            "assumption"))
    return checks


def typing_checks(inputs: StoreInputs, rates: RateCard, lang: str = "en") -> list[Check]:
    """Figures the model accepts that are most likely typed wrong (warn): an exchange rate
    typed as USD per CNY, a weight in kilograms or another unit, a SKUs table whose sales are
    far from the store's GMV. Each moves every figure of the store, none is refused: the
    bounds (rate card, ``checks.*``) are our assumptions, not the platform's rules."""
    checks = []
    fx, low, high = (inputs.fx_cny_per_usd, rates.number("checks.fx_cny_per_usd_min"),
                     rates.number("checks.fx_cny_per_usd_max"))
    if fx < low and low <= 1 / fx <= high:      # USD per CNY: its inverse is a likely rate
        checks.append(Check("typed_fx", WARN, message(
            "check.typed.fx", lang, fx=_figure(fx), low=_figure(low), high=_figure(high),
            inverse=f"{1 / fx:.2f}"), "assumption"))
    elif fx < low:
        checks.append(Check("typed_fx", WARN, message(
            "check.typed.fx_low", lang, fx=_figure(fx), low=_figure(low)), "assumption"))
    elif fx > high:
        checks.append(Check("typed_fx", WARN, message(
            "check.typed.fx_high", lang, fx=_figure(fx), high=_figure(high)), "assumption"))
    light, heavy = (rates.number("checks.parcel_weight_g_min"),
                    rates.number("checks.parcel_weight_g_max"))
    skus = inputs.skus
    # the store's parcel weight prices nothing when the SKUs table has orders (theirs do)
    weighs = not (skus is not None and len(skus) and skus.orders_per_month.sum() > 0)
    weight = inputs.parcel_weight_g
    if weighs and weight < light:
        checks.append(Check("typed_weight", WARN, message(
            "check.typed.weight_light", lang, weight=_figure(weight), low=_figure(light),
            grams=_figure(weight * 1000)), "assumption"))
    elif weighs and weight > heavy:
        checks.append(Check("typed_weight", WARN, message(
            "check.typed.weight_heavy", lang, weight=_figure(weight), high=_figure(heavy)),
            "assumption"))
    if skus is not None and len(skus):
        odd = [sku for sku, w in zip(skus.sku, skus.weight_g) if not light <= w <= heavy]
        if odd:
            checks.append(Check("typed_sku_weights", WARN, message(
                "check.typed.sku_weights", lang, count=len(odd), low=_figure(light),
                high=_figure(heavy), skus=", ".join(odd[:5]) + (", ..." if len(odd) > 5 else "")),
                "assumption"))
        orders = float(skus.orders_per_month.sum())
        gmv = inputs.base_monthly_gmv
        if orders > 0 and gmv > 0:
            sales = float((skus.price_usd * (1.0 - inputs.store_discount)
                           * skus.orders_per_month).sum())
            gap = abs(sales - gmv) / gmv
            if gap > rates.number("checks.sku_sales_gap"):
                checks.append(Check("sku_sales", WARN, message(
                    "check.sku_sales", lang, table=money(sales), gmv=money(gmv),
                    gap=percent(gap, 0), value=money(gmv / orders), mix=money(sales / orders)),
                    "assumption"))
    return checks


def _figure(x: float) -> str:
    """A figure a user typed, as typed: 0.14, 0.5, 40,000, 35,000.5 (never 3.5e+04)."""
    text = f"{x:,.4f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _shumao_onboarding(inputs, rates, lang, first_month_gmv):
    checks = []
    checks.append(_at_least("shumao_listings", inputs.sku_count,
                            rates.number("readiness.shumao_min_listings"), "", WARN, lang,
                            source=SOURCE_INTERVIEW))
    checks.append(_at_least("shumao_selling_products", inputs.products_with_5_orders,
                            rates.number("readiness.shumao_min_selling_products"), "", WARN, lang,
                            source=SOURCE_INTERVIEW))
    if first_month_gmv is not None:
        floor = rates.number("readiness.shumao_first_month_gmv_usd")
        ok = first_month_gmv >= floor
        checks.append(Check("shumao_first_month", PASS if ok else WARN, message(
            f"check.shumao_first_month.{'pass' if ok else 'fail'}", lang,
            gmv=money(first_month_gmv), floor=money(floor)), SOURCE_INTERVIEW))
    return checks


def aplus_pages(inputs: StoreInputs) -> float:
    """A+ pages planned: the SKUs marked for one, else the input."""
    if inputs.skus is not None and len(inputs.skus) and inputs.skus.aplus.any():
        return float(inputs.skus.aplus.sum())
    return float(inputs.aplus_pages)
