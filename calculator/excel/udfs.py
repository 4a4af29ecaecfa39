"""Worksheet functions (xlwings UDFs): the model, callable from cells.

Every function is named AE_... so they group together in Excel's function list. Blank inputs
give an empty cell; a bad value gives a short message starting with "#" in the cell (for
example ``#weight_g must be > 0``), never a Python traceback. They call the same model as the
batch: there is no second implementation here, only argument handling.

Ranges arrive as lists of rows (``ndim=2``); a range in gives a range of the same shape out.
Array results are plain lists of rows, which Excel 365 and xlwings Lite spill natively (no
``expand=``: that legacy option writes a {=...} array over neighbouring cells without asking).
xlwings Lite runs this same module as its worksheet functions (calculator/excel/lite.py).
"""
from __future__ import annotations

import datetime as dt
import functools
import math

import numpy as np
import xlwings as xw

from calculator.errors import BadValue, CalculatorError
from calculator.excel.log import log_exception
from calculator.model import freight as fr
from calculator.model.calendar import programme_calendar
from calculator.model.eligibility import RULE_FUNCTIONS
from calculator.model.fees import affiliate_cost_rate, commission_rate, fees_on_gmv_usd
from calculator.model.inputs import StoreInputs
from calculator.model.ratecard import load_rate_card
from calculator.model.programmes import PLAN_IDS, PROGRAMME_BY_ID, plan_freight_usd
from calculator.model.scenarios import RESULT_COLUMNS, SCENARIOS, compute_scenarios
from calculator.model.spend import aplus_cost_usd
from calculator.workbook.reader import to_bool, to_date
from calculator.workbook.results import cell_value, roi_cell


CATEGORY = "aeroi"    # the group in Insert Function (xlwings' default: "xlwings")


class _CellMessage(Exception):
    """A short message for the cell (``#what is wrong``)."""


def _cell_errors(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except _CellMessage as message:
            return f"#{message}"
        except CalculatorError as error:
            return "#" + error.message.split(":", 1)[-1].strip() if error.name else f"#{error}"
        except BadValue as problem:    # a reader conversion not guarded by its argument's name
            return f"#unexpected value {problem.found!r}"
        except Exception as error:  # never a traceback in a cell: the traceback goes to the log
            path = log_exception(function.__name__, error)
            return f"#error: {type(error).__name__}, details in {path}"
    return wrapper


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value, name: str, *, positive=False, minimum=None, maximum=None, hint=""):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _CellMessage(f"{name} must be a number")
    if positive and value <= 0:
        raise _CellMessage(f"{name} must be > 0")
    if minimum is not None and value < minimum:
        raise _CellMessage(f"{name} must be >= {minimum:g}")
    if maximum is not None and value > maximum:
        raise _CellMessage(f"{name} must be <= {maximum:g}{hint}")
    return float(value)


def _whole(value, name: str, low: int, high: int) -> int:
    """A whole number within [low, high]: 0.5 draws or 1e9 draws is a typing mistake, not a
    request (0 draws would run nothing, 1e9 would exhaust the memory)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value != int(value) or not low <= value <= high:
        raise _CellMessage(f"{name} must be a whole number from {low:,} to {high:,}")
    return int(value)


def _flag(value, name: str, default: bool) -> bool:
    if _blank(value):
        return default
    try:
        return to_bool(value)
    except BadValue:
        raise _CellMessage(f"{name} must be TRUE or FALSE") from None


def _date(value, name: str) -> dt.date:
    try:
        return to_date(value)
    except BadValue:
        raise _CellMessage(f"{name} must be a date") from None


def _grid(value):
    """(rows, was_range): a scalar becomes [[value]]."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], (list, tuple)):
            return [list(row) for row in value], True
        return [[v] for v in value], True
    return [[value]], False


def _map_cells(values, function):
    grid, was_range = _grid(values)
    out = [[_cell_errors(function)(v) if not _blank(v) else "" for v in row] for row in grid]
    return out if was_range else out[0][0]


_PLANS = PLAN_IDS


@xw.func(category=CATEGORY)
@xw.arg("weight_g", ndim=2, doc="Parcel weight in grams (> 0): a cell or a column of cells.")
@xw.arg("plan", doc='Plan: "standard" (default), "economy", "subsidised" or "shumao".')
@_cell_errors
def AE_FREIGHT(weight_g, plan="standard"):
    """Freight in USD for one parcel under a logistics plan (a column of weights gives a column).

    shumao is the price of a parcel after the free first one ($2.10 per kg)."""
    plan_name = "standard" if _blank(plan) else str(plan).strip().lower()
    if plan_name not in _PLANS:
        return "#plan must be " + ", ".join(_PLANS[:-1]) + " or " + _PLANS[-1]
    rates = load_rate_card()

    def one(weight):
        weight = _number(weight, "weight_g", positive=True)
        return float(plan_freight_usd(plan_name, weight, rates))
    return _map_cells(weight_g, one)


@xw.func(category=CATEGORY)
@xw.arg("weight_g", ndim=2, doc="Parcel weight in grams (> 0): a cell or a column.")
@_cell_errors
def AE_SUBSIDY(weight_g):
    """The platform's subsidy per parcel on standard shipping (standard minus subsidised, USD)."""
    rates = load_rate_card()
    return _map_cells(weight_g, lambda w: fr.quote(_number(w, "weight_g", positive=True),
                                                   rates).subsidy)


@xw.func(category=CATEGORY)
@xw.arg("pages", doc="Number of A+ pages (>= 0).")
@xw.arg("source", doc='"official" (free) or "third_party" (¥800–1,200 a page).')
@xw.arg("fx_cny_per_usd", doc="CNY per USD, e.g. 7.10.")
@xw.arg("level", doc='Price level within the quoted range: "low", "mid" (default) or "high".')
@_cell_errors
def AE_APLUS_COST(pages, source="official", fx_cny_per_usd=7.10, level="mid"):
    """Cost of A+ product pages in USD."""
    if _blank(pages):
        return ""
    pages = _number(pages, "pages", minimum=0)
    fx = _number(fx_cny_per_usd, "fx_cny_per_usd", positive=True)
    return aplus_cost_usd(pages, "official" if _blank(source) else source, fx, load_rate_card(),
                          "mid" if _blank(level) else level)


@xw.func(category=CATEGORY)
@xw.arg("gmv_usd", doc="Sales in USD.")
@xw.arg("category", doc='Category with a commission row in the rate card (e.g. "general", "apparel").')
@xw.arg("affiliate_share", doc="Share of sales through affiliates (a fraction, e.g. 20%).")
@xw.arg("affiliate_rate", doc="Affiliate commission rate (a fraction, e.g. 5%).")
@_cell_errors
def AE_FEES(gmv_usd, category="general", affiliate_share=0, affiliate_rate=0.05):
    """Commission and affiliate fees on an amount of sales, in USD."""
    if _blank(gmv_usd):
        return ""
    gmv = _number(gmv_usd, "gmv_usd", minimum=0)
    share = 0.0 if _blank(affiliate_share) else _number(affiliate_share, "affiliate_share", minimum=0)
    rate = 0.0 if _blank(affiliate_rate) else _number(affiliate_rate, "affiliate_rate", minimum=0)
    commission = commission_rate("general" if _blank(category) else category, load_rate_card())
    return fees_on_gmv_usd(gmv, commission, affiliate_cost_rate(share, rate))


def _store(eval_date, store_opened, gmv_m1, gmv_m2, gmv_m3, aov_usd=1.0, cogs_pct=0.0,
           parcel_weight_g=500.0, **more) -> StoreInputs:
    return StoreInputs(_date(eval_date, "eval_date"), _date(store_opened, "store_opened"),
                       _number(gmv_m1, "gmv_m1", minimum=0), _number(gmv_m2, "gmv_m2", minimum=0),
                       _number(gmv_m3, "gmv_m3", minimum=0),
                       aov_usd=_number(aov_usd, "aov_usd", positive=True),
                       cogs_pct=_number(cogs_pct, "cogs_pct", minimum=0),
                       parcel_weight_g=_number(parcel_weight_g, "parcel_weight_g", positive=True),
                       **more)


@xw.func(category=CATEGORY)
@xw.arg("scenario", doc="baseline, gsc_rising, gsc_leap, shumao or super_hot.")
@xw.arg("gmv_m1", doc="GMV three months ago, USD.")
@xw.arg("gmv_m2", doc="GMV two months ago, USD.")
@xw.arg("gmv_m3", doc="GMV last full month, USD.")
@_cell_errors
def AE_PROJECTED_GMV(scenario, gmv_m1, gmv_m2, gmv_m3):
    """Projected monthly GMV of a scenario, from the mean of the last three months (USD)."""
    if any(_blank(v) for v in (scenario, gmv_m1, gmv_m2, gmv_m3)):
        return ""
    name = str(scenario).strip().lower()
    if name not in SCENARIOS:
        raise _CellMessage("scenario must be one of " + ", ".join(SCENARIOS))
    today = dt.date.today()
    table = compute_scenarios(_store(today, today, gmv_m1, gmv_m2, gmv_m3), load_rate_card())
    return float(table.columns["monthly_gmv"][SCENARIOS.index(name)])


@xw.func(category=CATEGORY)
@xw.arg("track", doc="gsc_rising, gsc_leap or shumao.")
@xw.arg("eval_date", doc="T+0, the evaluation date.")
@xw.arg("store_opened", doc="The date the store opened.")
@xw.arg("gmv_m1", doc="GMV three months ago, USD.")
@xw.arg("gmv_m2", doc="GMV two months ago, USD.")
@xw.arg("gmv_m3", doc="GMV last full month, USD.")
@xw.arg("cn_exporter", doc="TRUE for a mainland-China exporter with export records (Shumao).")
@_cell_errors
def AE_ELIGIBLE(track, eval_date, store_opened, gmv_m1=0, gmv_m2=0, gmv_m3=0, cn_exporter=False):
    """Whether the store may enter a track: a row of two cells, TRUE/FALSE and the reason."""
    if _blank(track) or _blank(eval_date) or _blank(store_opened):
        return ""
    rates = load_rate_card()
    name = str(track).strip().lower()
    tracks = [p for p in PROGRAMME_BY_ID if p not in ("baseline", "super_hot")]
    if name not in tracks:
        raise _CellMessage("track must be " + ", ".join(tracks[:-1]) + " or " + tracks[-1])
    try:
        exporter = False if _blank(cn_exporter) else to_bool(cn_exporter)
    except BadValue:
        raise _CellMessage("cn_exporter must be TRUE or FALSE") from None
    store = _store(eval_date, store_opened, 0 if _blank(gmv_m1) else gmv_m1,
                   0 if _blank(gmv_m2) else gmv_m2, 0 if _blank(gmv_m3) else gmv_m3,
                   cn_exporter=exporter)
    # the track's own rule (its first entry rule); licence, enterprise, health score and the
    # exporter evidence need the workbook's inputs (the batch reports them). A TRUE names the
    # rules left unchecked: the workbook can still say "unknown" or FALSE for the programme
    first, *others = PROGRAMME_BY_ID[name].entry_rules
    result = RULE_FUNCTIONS[first](store, rates, "en")
    reason = result.reason
    if result.status is not False and others:
        reason += ("; not checked here: " + ", ".join(_RULE_WORDS.get(r, r) for r in others)
                   + " (the workbook's Results and Checks sheets check them)")
    return [[result.status, reason]]


#: the entry rules AE_ELIGIBLE does not check (it has no cells for their inputs), in words
_RULE_WORDS = {"licence": "the business licence", "enterprise": "an enterprise (not a sole "
               "trader)", "health": "the store health score", "factory": "a factory seller's "
               "SKU count", "declarations": "the customs declarations of the last 12 months",
               "scope": "the business scope", "cn_exporter": "a mainland-China exporter"}


@xw.func(category=CATEGORY)
@xw.arg("eval_date", doc="T+0, the evaluation date.")
@xw.arg("phase", doc='"t7" (self-assessment), "t30" (tasks, default) or "t90" (resources).')
@xw.arg("what", doc='"due" (default: end of the deadline day) or "fuse" (72 h later).')
@_cell_errors
def AE_DEADLINE(eval_date, phase="t30", what="due"):
    """A programme deadline in Beijing time (a date and time; format the cell as a date)."""
    if _blank(eval_date):
        return ""
    key = "t30" if _blank(phase) else str(phase).strip().lower()
    kind = "due" if _blank(what) else str(what).strip().lower()
    deadlines = {d.key: d for d in programme_calendar(_date(eval_date, "eval_date"),
                                                        load_rate_card())}
    if key not in deadlines:
        raise _CellMessage("phase must be t7, t30 or t90")
    if kind not in ("due", "fuse"):
        raise _CellMessage("what must be due or fuse")
    moment = deadlines[key].due_at if kind == "due" else deadlines[key].fuse_at
    return moment.replace(tzinfo=None)


@xw.func(category=CATEGORY)
@xw.arg("eval_date", doc="T+0, the evaluation date.")
@xw.arg("store_opened", doc="The date the store opened.")
@xw.arg("gmv_m1", doc="GMV three months ago, USD.")
@xw.arg("gmv_m2", doc="GMV two months ago, USD.")
@xw.arg("gmv_m3", doc="GMV last full month, USD.")
@xw.arg("aov_usd", doc="Average order value, USD (> 0).")
@xw.arg("cogs_pct", doc="Cost of goods as a share of GMV (e.g. 55%).")
@xw.arg("parcel_weight_g", doc="Average parcel weight in grams (> 0).")
@xw.arg("category", doc='Category for the commission (default "general").')
@xw.arg("cn_exporter", doc="TRUE for a mainland-China exporter (Shumao channel).")
@xw.arg("market", doc='The market, for its VAT: PL (default), IT, ES, FR...')
@_cell_errors
def AE_SCENARIOS(eval_date, store_opened, gmv_m1, gmv_m2, gmv_m3, aov_usd, cogs_pct,
                 parcel_weight_g, category="general", cn_exporter=False, market="PL"):
    """The whole scenario table for a store, with its header row, as a dynamic array."""
    required = (eval_date, store_opened, gmv_m1, gmv_m2, gmv_m3, aov_usd, cogs_pct,
                parcel_weight_g)
    if any(_blank(v) for v in required):
        return ""
    try:
        exporter = False if _blank(cn_exporter) else to_bool(cn_exporter)
    except BadValue:
        raise _CellMessage("cn_exporter must be TRUE or FALSE") from None
    # the market sets the VAT taken out of prices: without it an Italian store's margin here
    # would be Poland's, not the one its workbook shows
    rates = load_rate_card()
    store = _store(eval_date, store_opened, gmv_m1, gmv_m2, gmv_m3, aov_usd, cogs_pct,
                   parcel_weight_g, category="general" if _blank(category) else str(category),
                   cn_exporter=exporter, market=_market(market, rates, vat_needed=True))
    table = compute_scenarios(store, rates)
    return [list(RESULT_COLUMNS)] + [["" if (v := cell_value(x)) is None else v for x in row]
                                     for row in table.rows()]


def _market(market, rates, vat_needed: bool) -> str:
    """A market cell's code (PL when blank), refused when prices include VAT and the rate
    card has no VAT rate for it (the model's own message names a Rates table and an input
    the functions do not have)."""
    code = "PL" if _blank(market) else str(market).strip().upper()
    if vat_needed and f"vat.{code}" not in rates:
        raise _CellMessage(f"no VAT rate for market {code}")
    return code


# --- per-SKU pricing -----------------------------------------------------------------------

def _pricing(price_usd, weight_g, unit_cost_usd, plan, category, target_margin, market,
             store_discount, refund_rate, payment_fee_pct, prices_include_vat, cogs_pct=None):
    """Unit economics for a column of SKUs (arrays), through the same model as the batch."""
    from calculator.model.pricing import unit_economics
    rates = load_rate_card()
    plan_name = "subsidised" if _blank(plan) else str(plan).strip().lower()
    if plan_name not in _PLANS:
        raise _CellMessage("plan must be " + ", ".join(_PLANS[:-1]) + " or " + _PLANS[-1])
    category = "general" if _blank(category) else str(category).strip().lower()
    include = True if _blank(prices_include_vat) else to_bool(prices_include_vat)
    vat_key = f"vat.{_market(market, rates, vat_needed=include)}"
    weights = fr.check_weights(np.array([_number(w, "weight_g", positive=True)
                                         for w in weight_g]), "weight_g")
    freight = plan_freight_usd(plan_name, weights, rates)
    costs = np.array([np.nan if _blank(c) else _number(c, "unit_cost_usd", minimum=0)
                      for c in unit_cost_usd])
    # a blank unit cost is COGS% of the sale price, as on the SKU economics sheet; without
    # cogs_pct it is refused: taken as $0, it gave a margin of 66% where the sheet shows 18%
    if np.isnan(costs).any() and _blank(cogs_pct):
        raise _CellMessage("unit_cost_usd is blank: give the unit cost, or the store's cost of "
                           "goods as cogs_pct (e.g. 40%)")
    # 40 typed for 40% would be goods at 40 times the price: refused, as the workbook does
    cogs = 0.0 if _blank(cogs_pct) else _number(cogs_pct, "cogs_pct", minimum=0, maximum=1,
                                                hint=" (40% is 0.4)")
    # commission + affiliate (the rate card's share × rate) + payment fee: the batch's fee rate
    fee_rate = float(commission_rate(np.array([category], dtype=object), rates)[0]) + \
        affiliate_cost_rate(rates.number("affiliate.share"), rates.number("affiliate.rate")) + \
        (0.0 if _blank(payment_fee_pct) else _number(payment_fee_pct, "payment_fee_pct",
                                                     minimum=0))
    return unit_economics(
        np.array([_number(p, "price_usd", minimum=0) for p in price_usd]), freight,
        unit_cost_usd=costs, cogs_pct=cogs, fee_rate=fee_rate,
        refund_rate=0.0 if _blank(refund_rate) else _number(refund_rate, "refund_rate", minimum=0),
        vat_rate=rates.number(vat_key) if include else 0.0, prices_include_vat=include,
        store_discount=0.0 if _blank(store_discount) else _number(store_discount,
                                                                   "store_discount", minimum=0),
        target_margin=0.0 if _blank(target_margin) else _number(target_margin, "target_margin"))


def _column(value):
    grid, was_range = _grid(value)
    return [row[0] if row else None for row in grid], was_range


def _pricing_udf(what, price_usd, weight_g, unit_cost_usd, **options):
    prices, was_range = _column(price_usd)
    weights, _ = _column(weight_g)
    costs, _ = _column(unit_cost_usd)
    if len(weights) == 1 and len(prices) > 1:
        weights = weights * len(prices)
    if len(costs) == 1 and len(prices) > 1:
        costs = costs * len(prices)
    if not (len(prices) == len(weights) == len(costs)):
        return "#price_usd, weight_g and unit_cost_usd must have the same number of rows"
    out = []
    for price, weight, cost in zip(prices, weights, costs):
        if _blank(price) or _blank(weight):
            out.append([""])
            continue

        def one():
            result = getattr(_pricing([price], [weight], [cost], **options), what)[0]
            if not np.isfinite(result):
                raise _CellMessage("no price reaches the target margin" if what.startswith(
                    "price") or what.startswith("list") else "margin undefined at a zero price")
            return float(result)
        out.append([_cell_errors(one)()])
    return out if was_range else out[0][0]


_PRICING_ARGS = dict(
    plan='Logistics plan: "subsidised" (default), "standard", "economy" or "shumao".',
    category='Category with a commission row (default "general").',
    market='Market code for VAT (default "PL").',
    store_discount="Store-wide discount off the list price (a fraction, default 0).",
    refund_rate="Share of orders refunded (default 0).",
    payment_fee_pct="Payment/withdrawal fee on revenue (default 0).",
    prices_include_vat="TRUE (default) when prices include VAT, as in the EU.",
    cogs_pct="Cost of goods as a share of the sale price, for a SKU whose unit cost is blank "
             "(e.g. 40%); a blank unit cost without it is refused.")


@xw.func(category=CATEGORY)
@xw.arg("target_margin", doc="Target margin: a share of revenue net of VAT (e.g. 20%).")
@xw.arg("weight_g", ndim=2, doc="Parcel weight of each SKU in grams: a cell or a column.")
@xw.arg("unit_cost_usd", ndim=2, doc="Cost per unit in USD: a cell or a column.")
@xw.arg("plan", doc=_PRICING_ARGS["plan"])
@xw.arg("category", doc=_PRICING_ARGS["category"])
@xw.arg("market", doc=_PRICING_ARGS["market"])
@xw.arg("store_discount", doc=_PRICING_ARGS["store_discount"])
@xw.arg("refund_rate", doc=_PRICING_ARGS["refund_rate"])
@xw.arg("payment_fee_pct", doc=_PRICING_ARGS["payment_fee_pct"])
@xw.arg("prices_include_vat", doc=_PRICING_ARGS["prices_include_vat"])
@xw.arg("cogs_pct", doc=_PRICING_ARGS["cogs_pct"])
@_cell_errors
def AE_PRICE_FOR_MARGIN(target_margin, weight_g, unit_cost_usd, plan="subsidised",
                        category="general", market="PL", store_discount=0, refund_rate=0,
                        payment_fee_pct=0, prices_include_vat=True, cogs_pct=None):
    """The sale price (USD, as the buyer pays it) that gives the target margin, per SKU.

    A column of weights and unit costs gives a column of prices."""
    if _blank(target_margin):
        return ""
    _flag(prices_include_vat, "prices_include_vat", True)
    weights, was_range = _column(weight_g)
    prices = [[1.0] for _ in weights] if was_range else 1.0   # the price is solved for
    return _pricing_udf("price_for_target", prices, weight_g, unit_cost_usd, plan=plan,
                        category=category, target_margin=target_margin, market=market,
                        store_discount=store_discount, refund_rate=refund_rate,
                        payment_fee_pct=payment_fee_pct, prices_include_vat=prices_include_vat,
                        cogs_pct=cogs_pct)


@xw.func(category=CATEGORY)
@xw.arg("price_usd", ndim=2, doc="Sale price the buyer pays, USD: a cell or a column.")
@xw.arg("weight_g", ndim=2, doc="Parcel weight of each SKU in grams: a cell or a column.")
@xw.arg("unit_cost_usd", ndim=2, doc="Cost per unit in USD: a cell or a column.")
@xw.arg("plan", doc=_PRICING_ARGS["plan"])
@xw.arg("category", doc=_PRICING_ARGS["category"])
@xw.arg("market", doc=_PRICING_ARGS["market"])
@xw.arg("refund_rate", doc=_PRICING_ARGS["refund_rate"])
@xw.arg("payment_fee_pct", doc=_PRICING_ARGS["payment_fee_pct"])
@xw.arg("prices_include_vat", doc=_PRICING_ARGS["prices_include_vat"])
@xw.arg("cogs_pct", doc=_PRICING_ARGS["cogs_pct"])
@_cell_errors
def AE_MARGIN_AT_PRICE(price_usd, weight_g, unit_cost_usd, plan="subsidised", category="general",
                       market="PL", refund_rate=0, payment_fee_pct=0, prices_include_vat=True,
                       cogs_pct=None):
    """Contribution margin (share of revenue net of VAT) at a sale price, per SKU."""
    _flag(prices_include_vat, "prices_include_vat", True)
    return _pricing_udf("margin", price_usd, weight_g, unit_cost_usd, plan=plan,
                        category=category, target_margin=0, market=market, store_discount=0,
                        refund_rate=refund_rate, payment_fee_pct=payment_fee_pct,
                        prices_include_vat=prices_include_vat, cogs_pct=cogs_pct)


# --- risk ------------------------------------------------------------------------------------

DRAWS_RANGE = (100, 200_000)     # fewer is noise; 200,000 x 5 scenarios stays well under 1 GB
MAX_SEED = 2**32 - 1

@xw.func(category=CATEGORY)
@xw.arg("scenario", doc="baseline, gsc_rising, gsc_leap, shumao or super_hot.")
@xw.arg("eval_date", doc="T+0, the evaluation date.")
@xw.arg("store_opened", doc="The date the store opened.")
@xw.arg("gmv_m1", doc="GMV three months ago, USD.")
@xw.arg("gmv_m2", doc="GMV two months ago, USD.")
@xw.arg("gmv_m3", doc="GMV last full month, USD.")
@xw.arg("aov_usd", doc="Average order value, USD (> 0).")
@xw.arg("cogs_pct", doc="Cost of goods as a share of GMV (e.g. 55%).")
@xw.arg("parcel_weight_g", doc="Average parcel weight in grams (> 0).")
@xw.arg("seed", doc="Random seed (default 20261201): the same seed gives the same numbers.")
@xw.arg("draws", doc="Number of Monte Carlo draws, a whole number from 100 to 200,000 "
                     "(default from the rate card, 10,000).")
@xw.arg("category", doc='Category for the commission (default "general").')
@xw.arg("market", doc='The market, for its VAT: PL (default), IT, ES, FR...')
@_cell_errors
def AE_RISK(scenario, eval_date, store_opened, gmv_m1, gmv_m2, gmv_m3, aov_usd, cogs_pct,
            parcel_weight_g, seed=20261201, draws=None, category="general", market="PL"):
    """P10 / P50 / P90 of net gain and ROI and the probability of a loss for one scenario,
    with the default lift ranges (a two-row array: names, then values)."""
    from calculator.model.risk import default_risk_inputs, simulate
    name = str(scenario).strip().lower() if not _blank(scenario) else ""
    if name not in SCENARIOS:
        raise _CellMessage("scenario must be one of " + ", ".join(SCENARIOS))
    required = (eval_date, store_opened, gmv_m1, gmv_m2, gmv_m3, aov_usd, cogs_pct,
                parcel_weight_g)
    if any(_blank(v) for v in required):
        return ""
    # the market and category as AE_SCENARIOS takes them: without them an Italian store's
    # spread here was Poland's (23% VAT out of its prices instead of 22%)
    rates = load_rate_card()
    store = _store(eval_date, store_opened, gmv_m1, gmv_m2, gmv_m3, aov_usd, cogs_pct,
                   parcel_weight_g, category="general" if _blank(category) else str(category),
                   market=_market(market, rates, vat_needed=True))
    seed = 20261201 if _blank(seed) else _whole(seed, "seed", 0, MAX_SEED)
    draws = None if _blank(draws) else _whole(draws, "draws", *DRAWS_RANGE)
    risk = default_risk_inputs(store, rates, seed=seed, draws=draws)
    figures = simulate(store, rates, risk).row(name)
    keys = ("net_gain_p10", "net_gain_p50", "net_gain_p90", "roi_p10", "roi_p50", "roi_p90",
            "p_loss")
    return [list(keys), ["" if (v := roi_cell(figures[k]) if k.startswith("roi") else
                                cell_value(figures[k])) is None else v for k in keys]]
