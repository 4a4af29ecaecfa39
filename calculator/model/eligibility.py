"""Who may enter each programme, and how ready the store is (pass / warn / fail, with reasons)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from calculator.model.inputs import StoreInputs
from calculator.model.ratecard import RateCard

PASS, WARN, FAIL = "pass", "warn", "fail"


@dataclass(frozen=True)
class Eligibility:
    scenario: str
    eligible: bool
    reason: str


@dataclass(frozen=True)
class Check:
    check: str
    status: str       # pass | warn | fail
    reason: str
    source: str = "000_c8cb9e0707c5223d.txt"


def _money(x: float) -> str:
    return f"${x:,.2f}"


def rising_eligibility(store_age_days: int, rates: RateCard) -> Eligibility:
    """Rising track (000): store age at most 180 days at T+0 (180 is in, 181 is out)."""
    limit = int(rates.number("eligibility.rising_max_store_age_days"))
    if store_age_days <= limit:
        return Eligibility("gsc_rising", True, f"store age {store_age_days} days <= {limit}")
    return Eligibility("gsc_rising", False,
                       f"store age {store_age_days} days at T+0 is over the {limit}-day limit")


def leap_eligibility(monthly_gmv: tuple[float, float, float], rates: RateCard) -> Eligibility:
    """Leap track (000): GMV of at least $5,000 in each of the last 3 months ($5,000 is in)."""
    floor = rates.number("eligibility.leap_min_monthly_gmv_usd")
    short = [(i, g) for i, g in enumerate(monthly_gmv, start=1) if g < floor]
    if not short:
        return Eligibility("gsc_leap", True, f"each of the last 3 months >= {_money(floor)}")
    month, gmv = short[0]
    return Eligibility("gsc_leap", False,
                       f"month {month} GMV {_money(gmv)} is below {_money(floor)} "
                       f"({len(short)} of 3 months short)")


def shumao_eligibility(cn_exporter: bool) -> Eligibility:
    """Shumao Cup enterprise channel (001): a mainland-China exporter with real export records."""
    if cn_exporter:
        return Eligibility("shumao", True, "mainland-China exporter with export records")
    return Eligibility("shumao", False, "needs a mainland-China exporter with real export "
                       "records (in_cn_exporter is not TRUE)")


def eligibility(inputs: StoreInputs, rates: RateCard) -> dict[str, Eligibility]:
    added = rates.number("super_hot.added_gmv_usd_per_month")
    return {
        "baseline": Eligibility("baseline", True, "no programme"),
        "gsc_rising": rising_eligibility(inputs.store_age_days, rates),
        "gsc_leap": leap_eligibility((inputs.gmv_m1, inputs.gmv_m2, inputs.gmv_m3), rates),
        "shumao": shumao_eligibility(inputs.cn_exporter),
        "super_hot": Eligibility("super_hot", True,
                                 f"open to all; one listing must add {_money(added)} in 30 days"),
    }


def _months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from start to end (a licence of 6 months on the same day counts)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    return months - (1 if end.day < start.day else 0)


def _at_least(name, value, floor, unit, severity, what, fmt="{:g}"):
    if value is None:
        return Check(name, WARN, f"{what}: not given")
    if value >= floor:
        return Check(name, PASS, f"{what} {fmt.format(value)}{unit} >= {fmt.format(floor)}{unit}")
    return Check(name, severity, f"{what} {fmt.format(value)}{unit} is below {fmt.format(floor)}{unit}")


def _at_most(name, value, ceiling, unit, severity, what, fmt="{:g}"):
    if value is None:
        return Check(name, WARN, f"{what}: not given")
    if value <= ceiling:
        return Check(name, PASS, f"{what} {fmt.format(value)}{unit} <= {fmt.format(ceiling)}{unit}")
    return Check(name, severity, f"{what} {fmt.format(value)}{unit} is over {fmt.format(ceiling)}{unit}")


def readiness(inputs: StoreInputs, rates: RateCard) -> list[Check]:
    """The readiness thresholds of domain.md. Mandatory standards fail; diagnostics warn;
    a figure not given is a warning (we cannot tell)."""
    pct = "{:.1%}"
    checks: list[Check] = []
    months = rates.number("readiness.licence_min_months")
    if inputs.licence_registered is None:
        checks.append(Check("licence_age", WARN, "business licence date: not given"))
    else:
        held = _months_between(inputs.licence_registered, inputs.eval_date)
        status = PASS if held >= months else FAIL
        word = ">=" if status == PASS else "is below"
        checks.append(Check("licence_age", status,
                            f"business licence held {held} months {word} {months:g}"))
    if inputs.enterprise is None:
        checks.append(Check("enterprise", WARN, "enterprise (not sole trader): not given"))
    else:
        checks.append(Check("enterprise", PASS if inputs.enterprise else FAIL,
                            "registered as an enterprise" if inputs.enterprise
                            else "a sole trader cannot enter; an enterprise licence is required"))
    checks.append(_at_least("health_score", inputs.health_score,
                            rates.number("readiness.health_score_min"), "", FAIL, "shop health score"))
    if inputs.factory_seller:
        checks.append(_at_least("factory_skus", inputs.sku_count,
                                rates.number("readiness.factory_min_skus"), "", FAIL,
                                "factory seller SKUs"))
    checks.append(_at_least("listing_compliance", inputs.listing_compliance,
                            rates.number("readiness.listing_compliance_min"), "", FAIL,
                            "listing compliance", pct))
    checks.append(_at_least("tracking_coverage", inputs.tracking_coverage,
                            rates.number("readiness.tracking_coverage_min"), "", FAIL,
                            "tracking coverage", pct))
    checks.append(_at_most("cs_reply", inputs.cs_reply_minutes,
                           rates.number("readiness.cs_reply_max_minutes"), " min", FAIL,
                           "customer-service reply"))
    checks.append(_at_least("main_image_ctr", inputs.main_image_ctr,
                            rates.number("readiness.main_image_ctr_min"), "", WARN,
                            "main-image CTR", pct))
    checks.append(_at_most("bounce_rate", inputs.bounce_rate,
                           rates.number("readiness.bounce_warn_above"), "", WARN,
                           "detail-page bounce", pct))
    band = rates.number("readiness.price_band")
    currency = rates.code(f"market.{inputs.market}") if f"market.{inputs.market}" in rates else "local"
    if inputs.price_local is None or not inputs.top20_price_local:
        checks.append(Check("price_band", WARN, f"price vs TOP-20 average ({currency}): not given"))
    else:
        gap = inputs.price_local / inputs.top20_price_local - 1.0
        status = PASS if abs(gap) <= band + 1e-12 else WARN
        checks.append(Check("price_band", status,
                            f"price {inputs.price_local:,.2f} {currency} is {gap:+.1%} from the "
                            f"TOP-20 average {inputs.top20_price_local:,.2f} {currency} "
                            f"(band ±{band:.0%})"))
    checks.append(_at_most("dispatch", inputs.dispatch_hours,
                           rates.number("readiness.dispatch_max_hours"), " h", FAIL, "dispatch"))
    checks.append(_at_most("refunds", inputs.refund_days,
                           rates.number("readiness.refund_max_days"), " days", FAIL, "refunds"))
    required = rates.number("aplus.required_pages")
    aplus = _aplus_pages(inputs)
    checks.append(Check("aplus_pages", PASS if aplus >= required else WARN,
                        f"A+ pages planned {aplus:g} {'>=' if aplus >= required else 'is below'} "
                        f"the {required:g} the GSC task phase asks for"))
    if f"market.{inputs.market}" in rates and inputs.market != "PL":
        checks.append(Check("freight_card", WARN, f"the freight card is quoted for Poland; "
                            f"{inputs.market} is priced with it (add your own card to Rates)",
                            "assumption"))
    return checks


def _aplus_pages(inputs: StoreInputs) -> float:
    if inputs.skus is not None and len(inputs.skus) and inputs.skus.aplus.any():
        return float(inputs.skus.aplus.sum())
    return float(inputs.aplus_pages)
