"""The workbook contract: the defined names that are the API of a store workbook.

Inputs are single named cells on the Inputs sheet, in one column (so that a live formula can
compare them all with the snapshot the results were computed from). Outputs are named ranges
on Results, Calendar and Checks. Users' own macros and scripts rely on these names: add, never
rename. docs/workbook.md documents each one.
"""
from __future__ import annotations

from dataclasses import dataclass

from calculator.model.freight import MAX_WEIGHT_G
from calculator.model.texts import bound_text
from calculator.model.calendar import PHASES
from calculator.model.scenarios import COST_COLUMNS, RESULT_COLUMNS, SCENARIOS

#: Version 1: the templates up to commit 1633a48. Version 2: outlays apart from benefits, a cash
#: flow, the recommendation in words, eligibility yes / no / unknown (issue 14).
CONTRACT_VERSION = 2

# Kinds of input and what the reader accepts for each.
DATE, MONEY, FRACTION, NUMBER, COUNT, CHOICE, BOOL, TEXT = (
    "date", "money", "fraction", "number", "count", "choice", "bool", "text")


@dataclass(frozen=True)
class InputSpec:
    name: str            # defined name, e.g. in_eval_date
    field: str           # StoreInputs field
    kind: str
    required: bool
    default: object      # written into the template; None = blank
    unit: str
    label_en: str
    label_zh: str
    source: str          # where the default comes from (seed file or "assumption" or "your data")
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    group: str = "store"
    positive: bool = False   # zero is refused too (a weight, a price, an exchange rate)

    @property
    def expected(self) -> str:
        """What the reader expects, in the words of an error message."""
        if self.kind == DATE:
            return "a date (e.g. 2026-12-01)"
        if self.kind == FRACTION:
            if self.maximum is not None and self.maximum < 1:
                # "between 0 and 1" read as allowing 1, which these refuse: say the bound
                return (f"a percentage from {bound_text((self.minimum or 0) * 100)}% to "
                        f"{bound_text(self.maximum * 100)}%")
            return "a percentage such as 55% (a fraction between 0 and 1)"
        if self.kind == CHOICE:
            return "one of " + ", ".join(self.choices)
        if self.kind == BOOL:
            return "TRUE or FALSE"
        bounds = []
        if self.positive:
            bounds.append("> 0")
        elif self.minimum is not None:
            bounds.append(f">= {bound_text(self.minimum)}")
        if self.maximum is not None:
            bounds.append(f"<= {bound_text(self.maximum)}")
        what = {"money": f"an amount in {self.unit}", "count": "a whole number",
                "number": {"g": "a weight in grams", "cm": "a length in cm"}.get(
                    self.unit, f"a number in {self.unit}" if self.unit else "a number")}.get(self.kind, "a value")
        return what + (" " + " and ".join(bounds) if bounds else "")


MARKETS_DEFAULT = ("PL", "ES", "FR", "DE", "IT", "NL")
CATEGORIES_DEFAULT = ("general", "apparel")
SEED_000 = "000_c8cb9e0707c5223d.txt"
SEED_001 = "001_4a1523759a513ec2.txt"
SEED_004 = "004_570e7f8241c53819.txt"

INPUTS: tuple[InputSpec, ...] = (
    # --- the store ---------------------------------------------------------------------------
    InputSpec("in_eval_date", "eval_date", DATE, True, None, "date",
              "Evaluation date (T+0)", "评估日期 (T+0)", "your data"),
    InputSpec("in_store_opened", "store_opened", DATE, True, None, "date",
              "Store opened on", "店铺开店日期", "your data"),
    InputSpec("in_gmv_m1", "gmv_m1", MONEY, True, None, "USD",
              "GMV, 3 months ago (oldest)", "GMV,三个月前(最早)", "your data", minimum=0),
    InputSpec("in_gmv_m2", "gmv_m2", MONEY, True, None, "USD",
              "GMV, 2 months ago", "GMV,两个月前", "your data", minimum=0),
    InputSpec("in_gmv_m3", "gmv_m3", MONEY, True, None, "USD",
              "GMV, last full month", "GMV,上个完整月", "your data", minimum=0),
    InputSpec("in_market", "market", CHOICE, True, "PL", "code",
              "Market (ISO code)", "目标市场(国家代码)", SEED_000, MARKETS_DEFAULT),
    InputSpec("in_category", "category", CHOICE, True, "general", "",
              "Category (commission row in Rates)", "类目(对应费率表佣金行)", SEED_001,
              CATEGORIES_DEFAULT),
    InputSpec("in_aov_usd", "aov_usd", MONEY, True, None, "USD",
              "Average order value", "平均客单价", "your data", minimum=0.01),
    InputSpec("in_cogs_pct", "cogs_pct", FRACTION, True, None, "%",
              "Cost of goods, share of GMV", "商品成本占GMV比例", "your data", minimum=0, maximum=1),
    InputSpec("in_parcel_weight_g", "parcel_weight_g", NUMBER, True, None, "g",
              "Average parcel weight", "平均包裹重量", "your data", minimum=0, positive=True,
              maximum=MAX_WEIGHT_G),
    InputSpec("in_parcel_length_cm", "parcel_length_cm", NUMBER, False, None, "cm",
              "Parcel length (optional, volumetric)", "包裹长度(可选,体积重)", "your data", minimum=0),
    InputSpec("in_parcel_width_cm", "parcel_width_cm", NUMBER, False, None, "cm",
              "Parcel width (optional)", "包裹宽度(可选)", "your data", minimum=0),
    InputSpec("in_parcel_height_cm", "parcel_height_cm", NUMBER, False, None, "cm",
              "Parcel height (optional)", "包裹高度(可选)", "your data", minimum=0),
    InputSpec("in_fx_cny_per_usd", "fx_cny_per_usd", NUMBER, True, 7.10, "CNY per USD",
              "Exchange rate, CNY per USD (pinned)", "汇率:每美元兑人民币(固定)", "assumption",
              minimum=0.01),
    InputSpec("in_horizon_months", "horizon_months", COUNT, True, 3, "months",
              "Horizon", "测算周期", "assumption", minimum=1, maximum=120),
    # --- programme spend -----------------------------------------------------------------------
    InputSpec("in_aplus_pages", "aplus_pages", COUNT, True, 5, "pages",
              "A+ pages to make", "A+详情页数量", SEED_000, minimum=0, group="spend"),
    InputSpec("in_aplus_source", "aplus_source", CHOICE, True, "official", "",
              "A+ pages made with", "A+页面制作方式", SEED_000, ("official", "third_party"),
              group="spend"),
    InputSpec("in_cost_level", "cost_level", CHOICE, True, "mid", "",
              "Price level for quoted ranges", "报价区间取值", "assumption", ("low", "mid", "high"),
              group="spend"),
    InputSpec("in_livestream_usd_each", "livestream_usd_each", MONEY, True, 0, "USD",
              "Cost of one livestream", "单场直播成本", "assumption", minimum=0, group="spend"),
    InputSpec("in_ads_usd_per_month", "ads_usd_per_month", MONEY, True, 0, "USD",
              "Extra paid search per month", "每月额外直通车费用", SEED_001, minimum=0, group="spend"),
    InputSpec("in_affiliate_share", "affiliate_share", FRACTION, False, 0, "%",
              "Share of sales via affiliates", "联盟成交占比", "assumption", minimum=0, maximum=1,
              group="spend"),
    InputSpec("in_affiliate_rate", "affiliate_rate", FRACTION, False, 0.05, "%",
              "Affiliate commission rate", "联盟佣金率", SEED_001, minimum=0, maximum=1, group="spend"),
    InputSpec("in_interview_sessions", "interview_sessions", COUNT, True, 1, "sessions",
              "Onboarding interview sessions", "入驻面试场次", SEED_004, minimum=0, group="spend"),
    InputSpec("in_spanish_cs_usd_per_month", "spanish_cs_usd_per_month", MONEY, True, 0, "USD",
              "Spanish customer service per month", "西语客服外包月费", SEED_000, minimum=0,
              group="spend"),
    InputSpec("in_coupons_usd_per_quarter", "coupons_usd_per_quarter", MONEY, False, None, "USD",
              "Traffic coupons you expect (once, in the resource phase; blank = none)",
              "预计获得的流量券(资源期一次性;空白=无)",
              "your expectation; the article's maximum is $3,000 a quarter", minimum=0,
              group="spend"),
    InputSpec("in_spanish_cs_existing", "spanish_cs_existing", BOOL, True, False, "",
              "Spanish customer service already paid today (not new)",
              "西语客服外包已在付费使用(非新增)", "your data", group="spend"),
    InputSpec("in_super_hot_forecast_usd", "super_hot_forecast_usd", MONEY, False, None, "USD",
              "Super Hot: added GMV a month you expect from the hot listing (blank = no forecast)",
              "超级爆品:预计爆品链接每月新增GMV(空白=无预测)", "your data", minimum=0,
              group="spend"),
    InputSpec("in_cn_exporter", "cn_exporter", BOOL, True, False, "",
              "Mainland-China exporter with export records", "中国大陆出口企业(有出口记录)",
              SEED_001, group="spend"),
    # --- unit economics per SKU (pricing) ---------------------------------------------------
    InputSpec("in_target_margin", "target_margin", FRACTION, True, 0.20, "%",
              "Target margin (share of revenue net of VAT)", "目标利润率(占不含税收入)",
              "assumption", minimum=0, maximum=0.99, group="pricing"),
    InputSpec("in_store_discount", "store_discount", FRACTION, True, 0, "%",
              "Store-wide discount off the list price", "店铺全店折扣", "your data", minimum=0,
              maximum=0.99, group="pricing"),
    InputSpec("in_refund_rate", "refund_rate", FRACTION, True, 0, "%",
              "Share of orders refunded", "退款订单占比", "your data", minimum=0, maximum=0.99,
              group="pricing"),
    InputSpec("in_payment_fee_pct", "payment_fee_pct", FRACTION, True, 0, "%",
              "Payment / withdrawal fee on revenue", "支付/提现手续费率", "your data", minimum=0,
              maximum=0.99, group="pricing"),
    InputSpec("in_prices_include_vat", "prices_include_vat", BOOL, True, True, "",
              "Prices include VAT (EU markets)", "售价含增值税(欧盟市场)", "assumption",
              group="pricing"),
    InputSpec("in_refund_recovers_goods", "refund_recovers_goods", BOOL, True, False, "",
              "Refunded goods come back and can be resold", "退款商品可退回再售", "assumption",
              group="pricing"),
    # --- readiness (optional: blank means "not given", a warning) --------------------------------
    InputSpec("in_licence_registered", "licence_registered", DATE, False, None, "date",
              "Business licence registered on", "营业执照注册日期", SEED_000, group="readiness"),
    InputSpec("in_enterprise", "enterprise", BOOL, False, None, "",
              "Enterprise (not sole trader)", "企业(非个体户)", SEED_000, group="readiness"),
    InputSpec("in_health_score", "health_score", NUMBER, False, None, "score",
              "Shop health score", "店铺健康分", SEED_000, minimum=0, maximum=100, group="readiness"),
    InputSpec("in_factory_seller", "factory_seller", BOOL, False, None, "",
              "Factory seller", "工厂型卖家", SEED_000, group="readiness"),
    InputSpec("in_sku_count", "sku_count", COUNT, False, None, "SKUs",
              "Number of SKUs listed", "在售SKU数", SEED_000, minimum=0, group="readiness"),
    InputSpec("in_listing_compliance", "listing_compliance", FRACTION, False, None, "%",
              "Listing compliance", "商品信息合规率", SEED_000, minimum=0, maximum=1, group="readiness"),
    InputSpec("in_tracking_coverage", "tracking_coverage", FRACTION, False, None, "%",
              "Tracking coverage", "物流轨迹覆盖率", SEED_000, minimum=0, maximum=1, group="readiness"),
    InputSpec("in_cs_reply_minutes", "cs_reply_minutes", NUMBER, False, None, "minutes",
              "Customer-service reply time", "客服响应时长", SEED_000, minimum=0, group="readiness"),
    InputSpec("in_main_image_ctr", "main_image_ctr", FRACTION, False, None, "%",
              "Main-image click-through rate", "主图点击率", SEED_000, minimum=0, maximum=1,
              group="readiness"),
    InputSpec("in_bounce_rate", "bounce_rate", FRACTION, False, None, "%",
              "Detail-page bounce rate", "详情页跳失率", SEED_000, minimum=0, maximum=1,
              group="readiness"),
    InputSpec("in_price_local", "price_local", MONEY, False, None, "market currency",
              "Your price (market currency)", "您的售价(当地货币)", SEED_000, minimum=0,
              group="readiness"),
    InputSpec("in_top20_price_local", "top20_price_local", MONEY, False, None, "market currency",
              "Category TOP-20 average price (market currency)", "类目TOP20均价(当地货币)",
              SEED_000, minimum=0, group="readiness"),
    InputSpec("in_dispatch_hours", "dispatch_hours", NUMBER, False, None, "hours",
              "Dispatch time", "发货时效", SEED_000, minimum=0, group="readiness"),
    InputSpec("in_refund_days", "refund_days", NUMBER, False, None, "days",
              "Refund handling time", "退款处理时效", SEED_000, minimum=0, group="readiness"),
    # --- Shumao Cup evidence (001) and onboarding (004) ----------------------------------------
    InputSpec("in_customs_declarations_12m", "customs_declarations_12m", COUNT, False, None,
              "declarations", "Customs declarations in the last 12 months (Shumao)",
              "近12个月报关票数(数贸杯)", SEED_001, minimum=0, group="readiness"),
    InputSpec("in_scope_import_export", "scope_import_export", BOOL, False, None, "",
              "Business scope includes import-export (Shumao)", "经营范围含进出口(数贸杯)",
              SEED_001, group="readiness"),
    InputSpec("in_products_with_5_orders", "products_with_5_orders", COUNT, False, None,
              "products", "Products with 5 or more orders in the first 30 days (Shumao)",
              "首30天订单数≥5的商品数(数贸杯)", SEED_004, minimum=0, group="readiness"),
)
INPUT_BY_NAME = {spec.name: spec for spec in INPUTS}

# --- layout (the template builder and the docs use these; the reader uses only the names) ---
INPUTS_SHEET, SKUS_SHEET, RATES_SHEET = "Inputs", "SKUs", "Rates"
RESULTS_SHEET, CALENDAR_SHEET, CHECKS_SHEET = "Results", "Calendar", "Checks"
START_SHEET, CONF_SHEET = "Start", "xlwings.conf"
INPUT_FIRST_ROW = 5           # Inputs!B5 is the first input; one row per input, no gaps
INPUT_VALUE_COLUMN = "C"      # A: label, B: unit, C: value, D: default's source, E: note
SNAPSHOT_COLUMN = "Z"         # Results!Z<row>: value of the input on the same row when calculated

SKU_TABLE = "SKUs"
SKU_COLUMNS = ("sku", "category", "weight_g", "price_usd", "orders_per_month", "aplus",
               "unit_cost", "unit_cost_currency")
#: Columns a SKUs table may lack (workbooks made before they were added still work).
SKU_OPTIONAL = ("aplus", "unit_cost", "unit_cost_currency")
RATES_TABLE = "Rates"
RATE_COLUMNS = ("key", "value", "unit", "source", "effective_from", "note")

CALENDAR_COLUMNS = ("deadline", "phase", "day", "date", "due_beijing", "fuse_beijing")
ELIGIBILITY_COLUMNS = ("scenario", "eligible", "reason")
CHECK_COLUMNS = ("check", "status", "reason", "source")
CHECK_ROWS = 20               # room reserved for readiness checks
COSTS_HEADER = ("scenario",) + COST_COLUMNS
CASHFLOW_COLUMNS = ("month",) + SCENARIOS
#: Rows of the cash flow in a fresh template (the default horizon); the block follows the horizon.
CASHFLOW_TEMPLATE_MONTHS = 3
SNAPSHOT_EXTRA = ("skus_rows", "skus_weight_sum", "skus_price_sum", "skus_orders_sum",
                  "rates_value_sum")

VERDICT_COLUMNS = ("verdict",)
#: The chart's category labels (formulas: a programme's name, marked when not eligible) stand
#: this many columns right of out_results' first column, one per scenario row.
CHART_LABEL_OFFSET = 21

#: Output names: name -> (sheet, shape (rows, cols)). Ranges include their header row.
OUTPUTS = {
    "out_status": (RESULTS_SHEET, (1, 1)),
    "out_recommendation": (RESULTS_SHEET, (1, 1)),
    "out_recommendation_text": (RESULTS_SHEET, (1, 1)),
    "out_results": (RESULTS_SHEET, (1 + len(SCENARIOS), len(RESULT_COLUMNS))),
    # one word per scenario, beside out_results (its header "verdict", rows in the same order)
    "out_verdicts": (RESULTS_SHEET, (1 + len(SCENARIOS), 1)),
    "out_costs": (RESULTS_SHEET, (1 + len(SCENARIOS), len(COSTS_HEADER))),
    "out_cashflow": (RESULTS_SHEET, (1 + CASHFLOW_TEMPLATE_MONTHS, len(CASHFLOW_COLUMNS))),
    "out_calculated_at": (RESULTS_SHEET, (1, 1)),
    "out_calculator_version": (RESULTS_SHEET, (1, 1)),
    "out_rate_card_fingerprint": (RESULTS_SHEET, (1, 1)),
    "out_input_snapshot": (RESULTS_SHEET, (len(INPUTS), 1)),
    "out_table_snapshot": (RESULTS_SHEET, (len(SNAPSHOT_EXTRA), 1)),
    "out_calendar": (CALENDAR_SHEET, (1 + len(PHASES), len(CALENDAR_COLUMNS))),
    "out_deadline_t7": (CALENDAR_SHEET, (1, 1)),
    "out_deadline_t30": (CALENDAR_SHEET, (1, 1)),
    "out_deadline_t90": (CALENDAR_SHEET, (1, 1)),
    "out_eligibility": (CHECKS_SHEET, (1 + len(SCENARIOS), len(ELIGIBILITY_COLUMNS))),
    "out_checks": (CHECKS_SHEET, (1 + CHECK_ROWS, len(CHECK_COLUMNS))),
}
# --- sheets added with per-SKU pricing and risk (optional: written when the workbook has them) --
SKU_ECONOMICS_SHEET, RISK_SHEET = "SKU economics", "Risk"
from calculator.model.sku_economics import PROGRAMME_COLUMNS, SKU_ECONOMICS_COLUMNS  # noqa: E402

RISK_COLUMNS = ("scenario", "net_gain_p10", "net_gain_p50", "net_gain_p90", "roi_p10",
                "roi_p50", "roi_p90", "p_loss")
SENSITIVITY_COLUMNS = ("input", "net_gain_down", "net_gain_up", "change_down", "change_up",
                       "swing")
HISTOGRAM_COLUMNS = ("net_gain_from", "net_gain_to", "share_of_draws")
HISTOGRAM_BINS = 20
SENSITIVITY_ROWS = 8

#: Risk inputs: named cells on the Risk sheet; blank means the rate card's default.
#: in_risk_ranges is a block, one row per scenario: lift low, likely, high, P(fuse trips).
RISK_INPUT_NAMES = ("in_risk_seed", "in_risk_draws", "in_risk_ranges", "in_risk_cogs_low",
                    "in_risk_cogs_high", "in_risk_aov_low", "in_risk_aov_high")
RISK_RANGE_COLUMNS = ("lift_low", "lift_likely", "lift_high", "fuse_probability")

OPTIONAL_OUTPUTS = {
    "out_sku_economics": (SKU_ECONOMICS_SHEET, (2, len(SKU_ECONOMICS_COLUMNS))),
    "out_sku_programme": (SKU_ECONOMICS_SHEET, (1 + len(SCENARIOS), len(PROGRAMME_COLUMNS))),
    "out_sku_summary": (SKU_ECONOMICS_SHEET, (2, 1)),
    "out_risk": (RISK_SHEET, (1 + len(SCENARIOS), len(RISK_COLUMNS))),
    "out_risk_scenario": (RISK_SHEET, (1, 1)),
    "out_sensitivity": (RISK_SHEET, (1 + SENSITIVITY_ROWS, len(SENSITIVITY_COLUMNS))),
    "out_risk_histogram": (RISK_SHEET, (1 + HISTOGRAM_BINS, len(HISTOGRAM_COLUMNS))),
}
#: Outputs whose rows follow the data or the programme registry (each has a header row): the
#: writer redefines the name to fit and clears rows no longer used, styles every cell like its
#: column's first data row, and refuses to grow over anything (docs/workbook.md). The cash flow
#: has a row per month of the horizon.
RESIZABLE_OUTPUTS = ("out_results", "out_verdicts", "out_costs", "out_calendar",
                     "out_eligibility", "out_sku_economics", "out_sku_programme", "out_risk",
                     "out_cashflow")

#: A live formula cell (not written by the batch): "STALE" when an input changed since the run.
STALE_NAME = "calc_stale"
#: Live formulas beside the table snapshot: the same sums, computed by Excel now.
LIVE_TABLE_NAME = "calc_table_live"
#: The live input values (formulas) stand one column left of out_input_snapshot.
LIVE_INPUTS_OFFSET = -1

#: The workbook's language ("en" or "zh"), a cell the template writes: results, reasons and
#: the summary follow it. A workbook without the name is English.
LANGUAGE_NAME = "meta_language"

#: Marks a workbook as one of ours (a workbook without it is "not an aeroi workbook").
MARKER_NAMES = ("in_eval_date", "out_results")
#: Names that a workbook of each contract version has and the one before it lacks: a workbook
#: with the markers but without version 2's names was made from a version-1 template.
VERSION_NAMES = {2: ("out_recommendation", "out_recommendation_text", "out_cashflow")}


def contract_version(has_name) -> int:
    """The contract version of a workbook of ours, from its defined names
    (``has_name(name) -> bool``): the highest version whose names it all has, else 1."""
    version = 1
    for number in sorted(VERSION_NAMES):
        if all(has_name(name) for name in VERSION_NAMES[number]):
            version = number
    return version


def old_template_message(version: int, label: str | None = None) -> str:
    """What ``aeroi run``, ``aeroi check`` and the Calculate button say about a workbook of an
    older contract: the command that moves it into the current template."""
    target = f' "{label}"' if label else ""
    kept = ""
    if label and "." in label:
        stem, _, suffix = label.rpartition(".")
        kept = f"; the old file stays as {stem}.v{version}.{suffix}"
    return (f"made with template version {version}: run aeroi upgrade{target} to move it into "
            f"template version {CONTRACT_VERSION} (your inputs, SKUs, Rates changes and sheets "
            f"are kept{kept})")
