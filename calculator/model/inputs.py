"""The model's inputs: one store (or scenario) and its optional SKU table.

Plain frozen dataclasses; the workbook reader fills them from named cells, the UDFs from
arguments, tests directly. ``None`` means "not given" for the optional readiness figures.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from calculator.errors import InputError, shown


@dataclass(frozen=True)
class SkuTable:
    """The SKUs table, one entry per row (arrays of equal length)."""

    sku: tuple[str, ...]
    category: tuple[str, ...]
    weight_g: np.ndarray
    price_usd: np.ndarray
    orders_per_month: np.ndarray
    aplus: np.ndarray  # bool: the SKU gets an A+ page
    unit_cost_usd: np.ndarray | None = None  # NaN where blank: COGS% × price is used

    def __len__(self) -> int:
        return len(self.sku)

    @property
    def gmv_per_month(self) -> np.ndarray:
        return self.price_usd * self.orders_per_month


@dataclass(frozen=True)
class StoreInputs:
    eval_date: dt.date                    # T+0
    store_opened: dt.date
    gmv_m1: float                         # last three full months, USD, oldest first
    gmv_m2: float
    gmv_m3: float
    aov_usd: float
    cogs_pct: float                       # a fraction of GMV
    parcel_weight_g: float
    market: str = "PL"
    category: str = "general"
    aplus_pages: float = 5
    aplus_source: str = "official"
    fx_cny_per_usd: float = 7.10
    horizon_months: float = 3
    cost_level: str = "mid"
    livestream_usd_each: float = 0.0
    ads_usd_per_month: float = 0.0        # extra paid search during a programme
    affiliate_share: float | None = None  # None: the rate card's
    affiliate_rate: float | None = None
    interview_sessions: float = 1
    spanish_cs_usd_per_month: float = 0.0
    coupons_usd_per_quarter: float | None = None  # once, resource phase; None: none expected
    cn_exporter: bool = False
    spanish_cs_existing: bool = False     # the store already pays for the service today
    super_hot_forecast_usd: float | None = None   # added GMV a month from the hot listing
    customs_declarations_12m: float | None = None  # Shumao evidence (001)
    scope_import_export: bool | None = None
    products_with_5_orders: float | None = None   # Shumao onboarding (004)
    parcel_length_cm: float | None = None
    parcel_width_cm: float | None = None
    parcel_height_cm: float | None = None
    # readiness (optional)
    licence_registered: dt.date | None = None
    enterprise: bool | None = None
    health_score: float | None = None
    factory_seller: bool | None = None
    sku_count: float | None = None
    listing_compliance: float | None = None
    tracking_coverage: float | None = None
    cs_reply_minutes: float | None = None
    main_image_ctr: float | None = None
    bounce_rate: float | None = None
    price_local: float | None = None
    top20_price_local: float | None = None
    dispatch_hours: float | None = None
    refund_days: float | None = None
    # unit economics per SKU (pricing)
    target_margin: float = 0.20
    store_discount: float = 0.0
    refund_rate: float = 0.0
    payment_fee_pct: float = 0.0
    prices_include_vat: bool = True
    refund_recovers_goods: bool = False
    skus: SkuTable | None = field(default=None, compare=False)

    def __post_init__(self):
        validate_inputs(self)

    @property
    def base_monthly_gmv(self) -> float:
        """B: the mean of the last three months."""
        return (self.gmv_m1 + self.gmv_m2 + self.gmv_m3) / 3.0

    @property
    def store_age_days(self) -> int:
        return (self.eval_date - self.store_opened).days


#: No store figure comes near it: beyond it a number is a typing mistake (and would overflow
#: the scenarios' arithmetic). The workbook reader applies the same bound and words.
SANITY_LIMIT = 1e12
TYPING_MISTAKE = " (more than 1,000,000,000,000: a typing mistake?)"


def _finite(name: str, value, *, minimum=None, above=None, maximum=None, expected: str):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{name}: expected {expected}, found {shown(value)}", name=name,
                         expected=expected, found=value)
    if abs(value) > SANITY_LIMIT:
        raise InputError(f"{name}: expected {expected}, found {shown(value)}{TYPING_MISTAKE}",
                         name=name, expected=expected, found=value)
    if (minimum is not None and value < minimum) or (above is not None and value <= above) \
            or (maximum is not None and value > maximum):
        raise InputError(f"{name}: expected {expected}, found {shown(value)}", name=name,
                         expected=expected, found=value)


#: The numeric inputs, in the order validate_inputs checks them (the first that fails is the
#: one named): (name, None allowed, the bounds and words of :func:`_finite`).
NUMBER_CHECKS = tuple(
    [(name, False, dict(minimum=0, expected="a GMV in USD >= 0"))
     for name in ("gmv_m1", "gmv_m2", "gmv_m3")]
    + [("aov_usd", False, dict(minimum=0.01,
                               expected="an average order value in USD of at least 0.01")),
       ("cogs_pct", False, dict(minimum=0, maximum=1,
                                expected="a fraction between 0 and 1 (55% is 0.55)")),
       ("parcel_weight_g", False, dict(above=0, expected="a weight in grams > 0")),
       ("aplus_pages", False, dict(minimum=0, expected="a number of pages >= 0")),
       ("fx_cny_per_usd", False, dict(minimum=0.01,
                                      expected="CNY per USD of at least 0.01 (e.g. 7.10)")),
       ("horizon_months", False, dict(minimum=1, maximum=120,
                                      expected="a horizon of 1 to 120 months"))]
    + [(name, False, dict(minimum=0, expected="0 or more"))
       for name in ("livestream_usd_each", "ads_usd_per_month", "interview_sessions",
                    "spanish_cs_usd_per_month")]
    + [(name, True, dict(minimum=0, maximum=1, expected="a fraction between 0 and 1"))
       for name in ("affiliate_share", "affiliate_rate")]
    + [(name, True, dict(minimum=0, expected="0 or more"))
       for name in ("super_hot_forecast_usd", "customs_declarations_12m",
                    "products_with_5_orders")]
    + [("coupons_usd_per_quarter", True, dict(minimum=0, expected="0 or more USD"))]
    + [(name, False, dict(minimum=0, maximum=0.99, expected="a fraction between 0 and 0.99"))
       for name in ("store_discount", "refund_rate", "payment_fee_pct")]
    + [("target_margin", False, dict(minimum=-1, maximum=0.99,
                                     expected="a fraction below 1 (20% is 0.2)"))]
    + [(name, True, dict(above=0, expected="a length in cm > 0"))
       for name in ("parcel_length_cm", "parcel_width_cm", "parcel_height_cm")])


def validate_numbers(inputs: StoreInputs, names) -> None:
    """The checks of :func:`validate_inputs` on the numbers ``names`` only, in its order. For a
    copy of a valid store with only those numbers changed (the sensitivity's moved stores)
    this raises the error validate_inputs would raise, at a tenth of its cost (the other
    fifty-odd inputs were checked when the store was built)."""
    for name, optional, bounds in NUMBER_CHECKS:
        if name in names:
            value = getattr(inputs, name)
            if not (optional and value is None):
                _finite(name, value, **bounds)


#: The inputs :func:`validate_numbers` can check.
NUMBER_NAMES = frozenset(name for name, _, _ in NUMBER_CHECKS)


def validate_inputs(inputs: StoreInputs) -> None:
    """Raise an InputError naming the first input the model cannot use."""
    for name in ("eval_date", "store_opened"):
        value = getattr(inputs, name)
        if not isinstance(value, dt.date):
            raise InputError(f"{name}: expected a date, found {value!r}", name=name,
                             expected="a date", found=value)
    if inputs.store_opened > inputs.eval_date:
        raise InputError(f"store_opened: the store opening date {inputs.store_opened} is after "
                         f"T+0 ({inputs.eval_date}); expected a date on or before T+0",
                         name="store_opened", expected="a date on or before T+0",
                         found=inputs.store_opened)
    for name, optional, bounds in NUMBER_CHECKS:
        value = getattr(inputs, name)
        if not (optional and value is None):
            _finite(name, value, **bounds)
    if not isinstance(inputs.market, str) or not inputs.market.strip():
        raise InputError(f"market: expected a market code such as PL, found {inputs.market!r}",
                         name="market", expected="a market code", found=inputs.market)
    if not isinstance(inputs.category, str) or not inputs.category.strip():
        raise InputError(f"category: expected a category such as general, found "
                         f"{inputs.category!r}", name="category", expected="a category",
                         found=inputs.category)
