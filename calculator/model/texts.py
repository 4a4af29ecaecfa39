"""Every word a user reads, in English and Chinese, in one place.

Pure data and small lookups (no Excel, no files): the template builder, the summary and the
result writer take their words from here, so an English workbook is English throughout and a
Chinese one Chinese throughout. Identifiers (defined names, table column ids, rate keys, ISO
codes) are not words and stay as they are.

Model messages: every function that produces text for a user takes ``lang="en"`` or
``lang="zh"`` and calls :func:`message`. Keys are stable; parameters are named (``{gmv}``), so
a translation may put them in another order. Amounts are formatted before they are passed (see
:func:`money`).
"""
from __future__ import annotations

LANGUAGES = ("en", "zh")


def money(x: float) -> str:
    """``$1,234.56`` (a minus sign in front of the dollar for a loss; float noise under half a
    cent is $0.00, never -$0.00)."""
    x = snap_cents(x)
    return f"-${-x:,.2f}" if x < 0 else f"${x:,.2f}"


def snap_cents(x):
    """A money figure within half a cent of zero is 0.0: float noise (−1e-13) would show as
    -0.00 in a cell formatted to the cent. Other values, and non-numbers, pass unchanged."""
    if isinstance(x, (int, float)) and not isinstance(x, bool) and abs(x) < 0.005:
        return 0.0
    return x


def percent(x: float, decimals: int = 1) -> str:
    return f"{x:.{decimals}%}"


def number(x: float) -> str:
    """A figure as typed: 85, 2.5, 1,200."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.4g}"


def message(key: str, lang: str = "en", **params) -> str:
    """The text of ``key`` in ``lang`` with its parameters filled in (English when the key has
    no translation yet, so a missing translation shows words, never a key)."""
    table = MESSAGES.get(lang) or MESSAGES["en"]
    template = table.get(key) or MESSAGES["en"][key]
    return template.format(**params)


def unknown_word(lang: str = "en") -> str:
    """What the ``eligible`` column holds when an input needed to decide is blank."""
    return message("unknown", lang)


# --- model messages ---------------------------------------------------------------------------
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "unknown": "unknown",
        "joiner": "; ",
        # entry rules: pass / fail / unknown
        "rule.baseline": "no programme: nothing to enter",
        "rule.store_age.pass": "store age {days} days at T+0 <= {limit}",
        "rule.store_age.fail": "store age {days} days at T+0 is over the {limit}-day limit",
        "rule.leap_gmv.pass": "each of the last 3 months >= {floor}",
        "rule.leap_gmv.fail": "month {month} GMV {gmv} is below {floor} ({short} of 3 months short)",
        "rule.licence.pass": "business licence held {months} months >= {limit}",
        "rule.licence.fail": "business licence held {months} months, below the {limit} required",
        "rule.licence.unknown": "business licence date not given (in_licence_registered)",
        "rule.enterprise.pass": "an enterprise",
        "rule.enterprise.fail": "a sole trader cannot enter: an enterprise licence is required",
        "rule.enterprise.unknown": "enterprise or sole trader not given (in_enterprise)",
        "rule.health.pass": "shop health score {score} >= {limit}",
        "rule.health.fail": "shop health score {score} is below {limit}",
        "rule.health.unknown": "shop health score not given (in_health_score)",
        "rule.factory.pass": "factory seller with {skus} SKUs >= {limit}",
        "rule.factory.fail": "a factory seller needs {limit} SKUs; {skus} listed",
        "rule.factory.unknown": "factory seller: number of SKUs not given (in_sku_count)",
        "rule.factory.unknown_kind": "factory seller or not: not given (in_factory_seller)",
        "rule.cn_exporter.pass": "registered in mainland China with export records",
        "rule.cn_exporter.fail": "needs a company registered in mainland China with real export "
                                 "records (in_cn_exporter is FALSE)",
        "rule.declarations.pass": "{count} customs declarations in 12 months >= {limit}",
        "rule.declarations.fail": "{count} customs declarations in 12 months, below the {limit} "
                                  "required",
        "rule.declarations.unknown": "customs declarations in the last 12 months not given "
                                     "(in_customs_declarations_12m)",
        "rule.scope.pass": "import-export in the business scope",
        "rule.scope.fail": "the business scope lacks goods or technology import-export",
        "rule.scope.unknown": "import-export in the business scope not given "
                              "(in_scope_import_export)",
        "rule.super_hot.pass": "your forecast {forecast} a month >= the {hurdle} the plan "
                               "requires in 30 days",
        "rule.super_hot.fail": "the plan requires +{hurdle} in 30 days; your forecast is "
                               "{forecast}",
        "rule.super_hot.unknown": "needs your forecast of the hot listing's added GMV "
                                  "(in_super_hot_forecast_usd)",
        "eligible.unknown": "unknown: {reasons}",
        # figures in words
        "no_outlay": "no outlay",
        "not_within_horizon": "not within the horizon",
        "no_programme": "no programme",
        "gains_at_zero_lift": "gains even with no lift",
        "extra_orders_lose": "each extra order loses money: more lift loses more",
        "lift_after_horizon": "no lift breaks even: the lift starts after the horizon",
        "no_orders_today": "no lift breaks even: the store has no orders today",
        "breakeven_forecast": "break-even at {forecast} a month from the listing",
        "breakeven_below_hurdle": "breaks even below the plan's hurdle: it needs +{hurdle} "
                                  "in 30 days",
        "needs_forecast": "needs your forecast",
        # the programme's phases (the Calendar sheet)
        "phase.self-assessment": "self-assessment",
        "phase.tasks": "tasks",
        "phase.resources": "resources",
        # the SKU economics sheet
        "sku.empty": "(the SKUs table is empty: add products to see each one's margin and "
                     "target price)",
        "sku.no_price": "no price reaches the target margin: fees, refunds and the target "
                        "leave nothing",
        # the inputs the sensitivity table moves
        "moved.gmv": "base GMV",
        "moved.lift": "lift",
        "moved.cogs_pct": "COGS %",
        "moved.aov_usd": "average order value",
        "moved.parcel_weight_g": "parcel weight",
        "moved.fx_cny_per_usd": "exchange rate CNY/USD",
        "moved.livestream_usd_each": "livestream cost",
        "moved.ads_usd_per_month": "extra ads",
        # readiness checks
        "check.not_given": "{what}: not given",
        "check.at_least.pass": "{what} {value} >= {limit}",
        "check.at_least.fail": "{what} {value} is below {limit}",
        "check.at_most.pass": "{what} {value} <= {limit}",
        "check.at_most.fail": "{what} {value} is over {limit}",
        "what.listing_compliance": "listing compliance",
        "what.tracking_coverage": "tracking coverage",
        "what.cs_reply": "customer-service reply",
        "what.main_image_ctr": "main-image CTR",
        "what.bounce_rate": "detail-page bounce",
        "what.dispatch": "dispatch",
        "what.refunds": "refunds",
        "what.shumao_first_dispatch": "Shumao, first dispatch after approval",
        "what.shumao_listings": "Shumao, listings within 30 days",
        "what.shumao_selling_products": "Shumao, products with 5 or more orders in 30 days",
        "check.price_band.not_given": "price vs TOP-20 average ({currency}): not given",
        "check.typed.fx": "exchange rate {fx} CNY per USD is outside {low} to {high}: a dollar "
                          "buys about 7 yuan. Typed as USD per CNY? Then type {inverse}",
        "check.typed.fx_low": "exchange rate {fx} CNY per USD is under {low}: a dollar buys "
                              "about 7 yuan. Type CNY per USD (e.g. 7.10)",
        "check.typed.fx_high": "exchange rate {fx} CNY per USD is over {high}: a dollar buys "
                               "about 7 yuan. Another currency's rate? Type CNY per USD (e.g. "
                               "7.10)",
        "check.typed.weight_light": "parcel weight {weight} g is under {low} g: typed in "
                                    "kilograms? Then type {grams}",
        "check.typed.weight_heavy": "parcel weight {weight} g is over {high} g: check that it "
                                    "is in grams",
        "check.typed.sku_weights": "{count} SKU(s) weigh under {low} g or over {high} g "
                                   "({skus}): check that the weights are in grams",
        "check.sku_sales": "the SKUs table sells {table} a month (sale price after the store "
                           "discount × orders), your GMV of "
                           "the last three months is {gmv} ({gap} apart): extra GMV becomes "
                           "orders at {value} an order (GMV ÷ the table's orders), each with "
                           "the margin of the table's prices ({mix} an order on average). "
                           "Bring the two together",
        "check.typed_below": "{rows} typed under the SKUs table {verb} added to it "
                             "({where}); check they are products",
        "check.twice.rates": "Rates: {rate} is given {count} times (rows {rows}); the last, "
                             "{value}, is used",
        "check.twice.skus": "SKUs: {sku} is listed {count} times (rows {rows}); each row is "
                            "counted",
        "check.price_band": "price {price} {currency} is {gap} from the TOP-20 average "
                            "{top20} {currency} (band ±{band})",
        "check.aplus.pass": "A+ pages planned {pages} >= the {required} the GSC task phase asks for",
        "check.aplus.fail": "A+ pages planned {pages} is below the {required} the GSC task phase "
                            "asks for",
        "check.freight_card": "the freight card is quoted for Poland; {market} is priced with it "
                              "(add your own card to Rates)",
        "check.shumao_first_month.pass": "Shumao, projected first month on the channel {gmv} >= "
                                         "{floor}",
        "check.shumao_first_month.fail": "Shumao, projected first month on the channel {gmv} is "
                                         "below {floor}: the store would be downgraded to an "
                                         "ordinary seller and lose the traffic support",
        "unit.min": " min", "unit.h": " h", "unit.days": " days",
        # status line
        "status.ok": "OK",
        "status.calculated": "OK (calculated): {parts} (see Checks)",
        "status.fails": "{n} readiness checks fail",
        "status.fail": "1 readiness check fails",
        "status.warnings": "{n} warnings",
        "status.warning": "1 warning",
        "status.joiner": ", ",
        # verdicts
        "verdict.baseline": "baseline",
        "verdict.join": "join",
        "verdict.not_eligible": "not eligible",
        "verdict.needs_forecast": "needs your forecast",
        "verdict.loses_money": "loses money",
        "verdict.too_risky": "too risky",
        "verdict.unknown": "check eligibility",
        # the recommendation
        "recommend.join": "Join the {name}: likely-case net gain {gain} over {months} months, "
                          "probability of a loss {p_loss}.",
        "recommend.join_no_risk": "Join the {name}: likely-case net gain {gain} over {months} "
                                  "months (probability of a loss not computed).",
        "recommend.passed_over": " Not the {name}: it gains {gain} in the likely case but "
                                 "loses money in {p_loss} of simulations.",
        "recommend.none_coin_flip": "Join none: the best, the {name}, gains {gain} over "
                                    "{months} months in the likely case but loses money in "
                                    "{p_loss} of simulations.",
        "recommend.unknown": " Eligibility is not settled: {reasons}.",
        "recommend.none": "Join none: no programme you may enter is expected to gain over "
                          "{months} months.",
        "recommend.none_best": " The best, the {name}, would give {gain}.",
        "recommend.close_call": " For the {name}, a probability of a loss of {p_loss} is too "
                                "close to 50% to tell from the simulation's own noise (±{noise} "
                                "percentage points at {draws} draws): set more draws on the "
                                "Risk sheet before deciding.",
    },
    "zh": {
        "unknown": "未知",
        "joiner": ";",
        "rule.baseline": "不参加项目:无准入条件",
        "rule.store_age.pass": "T+0时店龄{days}天 <= {limit}天",
        "rule.store_age.fail": "T+0时店龄{days}天,超过{limit}天上限",
        "rule.leap_gmv.pass": "近3个月每月GMV >= {floor}",
        "rule.leap_gmv.fail": "第{month}个月GMV {gmv} 低于 {floor}(3个月中有{short}个月不足)",
        "rule.licence.pass": "营业执照已注册{months}个月 >= {limit}个月",
        "rule.licence.fail": "营业执照仅注册{months}个月,未满要求的{limit}个月",
        "rule.licence.unknown": "未填写营业执照注册日期(in_licence_registered)",
        "rule.enterprise.pass": "企业主体",
        "rule.enterprise.fail": "个体工商户不能参加:须为企业营业执照",
        "rule.enterprise.unknown": "未填写是否为企业(in_enterprise)",
        "rule.health.pass": "店铺健康分{score} >= {limit}",
        "rule.health.fail": "店铺健康分{score}低于{limit}",
        "rule.health.unknown": "未填写店铺健康分(in_health_score)",
        "rule.factory.pass": "工厂型卖家,SKU数{skus} >= {limit}",
        "rule.factory.fail": "工厂型卖家须有{limit}个SKU,目前{skus}个",
        "rule.factory.unknown": "工厂型卖家:未填写SKU数(in_sku_count)",
        "rule.factory.unknown_kind": "未填写是否为工厂型卖家(in_factory_seller)",
        "rule.cn_exporter.pass": "中国大陆注册且有出口实绩",
        "rule.cn_exporter.fail": "须为注册地在中国大陆、具备真实出口记录的企业(in_cn_exporter为FALSE)",
        "rule.declarations.pass": "近12个月报关{count}票 >= {limit}票",
        "rule.declarations.fail": "近12个月报关{count}票,少于要求的{limit}票",
        "rule.declarations.unknown": "未填写近12个月报关票数(in_customs_declarations_12m)",
        "rule.scope.pass": "经营范围含进出口",
        "rule.scope.fail": "经营范围不含“货物进出口”或“技术进出口”",
        "rule.scope.unknown": "未填写经营范围是否含进出口(in_scope_import_export)",
        "rule.super_hot.pass": "您预测每月增量{forecast} >= 计划要求的30天{hurdle}",
        "rule.super_hot.fail": "计划要求30天内单链接增量{hurdle};您的预测为{forecast}",
        "rule.super_hot.unknown": "需要您对爆品链接新增GMV的预测(in_super_hot_forecast_usd)",
        "eligible.unknown": "未知:{reasons}",
        "no_outlay": "无投入",
        "not_within_horizon": "测算期内未回本",
        "no_programme": "不参加项目",
        "gains_at_zero_lift": "即使无增长也有收益",
        "extra_orders_lose": "每多一单都亏损:增长越多亏得越多",
        "lift_after_horizon": "任何增长都无法保本:增长在测算期结束后才开始",
        "no_orders_today": "任何增长都无法保本:店铺目前没有订单",
        "breakeven_forecast": "爆品链接每月需{forecast}才能保本",
        "breakeven_below_hurdle": "低于计划门槛即可保本:计划要求30天内增量{hurdle}",
        "needs_forecast": "需要您的预测",
        "phase.self-assessment": "自查",
        "phase.tasks": "任务",
        "phase.resources": "资源",
        "sku.empty": "(SKU表为空:添加商品后即可看到每个商品的利润率和目标售价)",
        "sku.no_price": "任何售价都达不到目标利润率:费用、退款和目标利润率已占满售价",
        "moved.gmv": "基准GMV",
        "moved.lift": "GMV增幅",
        "moved.cogs_pct": "商品成本占GMV比例",
        "moved.aov_usd": "平均客单价",
        "moved.parcel_weight_g": "平均包裹重量",
        "moved.fx_cny_per_usd": "汇率:每美元兑人民币",
        "moved.livestream_usd_each": "单场直播成本",
        "moved.ads_usd_per_month": "每月额外直通车费用",
        "check.not_given": "{what}:未填写",
        "check.at_least.pass": "{what} {value} >= {limit}",
        "check.at_least.fail": "{what} {value} 低于 {limit}",
        "check.at_most.pass": "{what} {value} <= {limit}",
        "check.at_most.fail": "{what} {value} 超过 {limit}",
        "what.listing_compliance": "商品信息合规率",
        "what.tracking_coverage": "物流轨迹覆盖率",
        "what.cs_reply": "客服响应时长",
        "what.main_image_ctr": "主图点击率",
        "what.bounce_rate": "详情页跳失率",
        "what.dispatch": "发货时效",
        "what.refunds": "退款处理时效",
        "what.shumao_first_dispatch": "数贸杯:审核通过后首单发货",
        "what.shumao_listings": "数贸杯:30天内上架商品数",
        "what.shumao_selling_products": "数贸杯:30天内订单数≥5的商品数",
        "check.price_band.not_given": "售价与TOP20均价比较({currency}):未填写",
        "check.typed.fx": "汇率 {fx} 元/美元 不在 {low} 至 {high} 之间:1美元约合7元人民币。"
                          "是否按 美元/元 输入?如是,请填写 {inverse}",
        "check.typed.fx_low": "汇率 {fx} 元/美元 低于 {low}:1美元约合7元人民币。"
                              "请填写人民币兑美元汇率(如 7.10)",
        "check.typed.fx_high": "汇率 {fx} 元/美元 高于 {high}:1美元约合7元人民币。是否填成了"
                               "其他货币的汇率?请填写人民币兑美元汇率(如 7.10)",
        "check.typed.weight_light": "包裹重量 {weight} 克低于 {low} 克:是否按千克输入?"
                                    "如是,请填写 {grams}",
        "check.typed.weight_heavy": "包裹重量 {weight} 克超过 {high} 克:请确认单位为克",
        "check.typed.sku_weights": "{count} 个SKU的重量低于 {low} 克或高于 {high} 克({skus}):"
                                   "请确认单位为克",
        "check.sku_sales": "「SKUs」表每月销售额 {table}(扣除全店折扣后的售价×订单),近三个月GMV为 {gmv}"
                           "(相差 {gap}):新增GMV按每单 {value} 折算为订单(GMV÷表中订单数),"
                           "每单利润按表中售价计算(平均每单 {mix})。请使两者一致",
        "check.typed_below": "在「SKUs」表下方输入的 {count} 行已并入该表({where}):请确认它们是商品",
        "check.twice.rates": "「Rates」表:{rate} 出现 {count} 次(第 {rows} 行),采用最后一个值 {value}",
        "check.twice.skus": "「SKUs」表:{sku} 出现 {count} 次(第 {rows} 行),每行都计入",
        "check.price_band": "售价 {price} {currency} 与TOP20均价 {top20} {currency} 相差 {gap}"
                            "(安全区间±{band})",
        "check.aplus.pass": "计划制作A+页面{pages}个 >= 任务阶段要求的{required}个",
        "check.aplus.fail": "计划制作A+页面{pages}个,少于任务阶段要求的{required}个",
        "check.freight_card": "运费卡按波兰报价;{market}市场也按此计算(可在费率表添加自己的运费卡)",
        "check.shumao_first_month.pass": "数贸杯:预计通道首月GMV {gmv} >= {floor}",
        "check.shumao_first_month.fail": "数贸杯:预计通道首月GMV {gmv} 低于 {floor}:将被降级为"
                                         "普通商家,失去流量扶持",
        "unit.min": "分钟", "unit.h": "小时", "unit.days": "天",
        "status.ok": "正常",
        "status.calculated": "已计算:{parts}(见检查表)",
        "status.fails": "{n}项准备度检查未通过",
        "status.fail": "1项准备度检查未通过",
        "status.warnings": "{n}项提醒",
        "status.warning": "1项提醒",
        "status.joiner": ",",
        "verdict.baseline": "基线",
        "verdict.join": "建议参加",
        "verdict.not_eligible": "不符合条件",
        "verdict.needs_forecast": "需要您的预测",
        "verdict.loses_money": "亏损",
        "verdict.too_risky": "风险过高",
        "verdict.unknown": "待确认资格",
        "recommend.join": "建议参加{name}:{months}个月预期情形下净收益{gain},亏损概率{p_loss}。",
        "recommend.join_no_risk": "建议参加{name}:{months}个月预期情形下净收益{gain}(未计算亏损概率)。",
        "recommend.passed_over": "未选{name}:预期情形下净收益{gain},但{p_loss}的模拟结果亏损。",
        "recommend.none_coin_flip": "建议不参加:最好的{name}在{months}个月预期情形下净收益{gain},但{p_loss}的模拟结果亏损。",
        "recommend.unknown": "资格尚未确定:{reasons}。",
        "recommend.none": "建议不参加:在{months}个月内,没有可参加的项目预计能带来收益。",
        "recommend.none_best": "其中最好的{name}为{gain}。",
        "recommend.close_call": "{name}的亏损概率{p_loss}与50%过于接近,无法与模拟本身的误差区分"
                                "(±{noise}个百分点,{draws}次模拟):请先在「Risk」表中增加模拟次数再决定。",
    },
}


# --- workbook labels -------------------------------------------------------------------------

#: The source articles, by the file name the rate card keeps internally -> the title a reader
#: sees. docs/sources.md describes each article.
SOURCE_TITLES = {
    "000_c8cb9e0707c5223d.txt": {"en": "Global Seller Challenge article",
                                 "zh": "全球卖家大赛文章"},
    "001_4a1523759a513ec2.txt": {"en": "Shumao Cup article", "zh": "数贸杯文章"},
    "004_570e7f8241c53819.txt": {"en": "onboarding interview article", "zh": "入驻面试文章"},
}
ASSUMPTION = {"en": "assumption", "zh": "假设"}
YOUR_DATA = {"en": "your data", "zh": "您的数据"}
#: The source of an input that is the user's own expectation, capped by an article's figure.
EXPECTATIONS = {
    "your expectation; the article's maximum is $3,000 a quarter": {
        "en": "your expectation; the article's maximum is $3,000 a quarter",
        "zh": "您的预期;文章给出的上限为每季度$3,000"},
}
EDITED_IN_WORKBOOK = {"en": "edited in this workbook", "zh": "本工作簿中修改"}
SEE_NOTE = {"en": "see the note", "zh": "见备注"}
SEE_REASON = {"en": "see the reason", "zh": "见原因"}

#: Why an input's default is an assumption of ours (the articles give no figure).
INPUT_ASSUMPTIONS = {
    "in_fx_cny_per_usd": {"en": "a pinned example rate, not a market quote; use your finance "
                                "team's rate",
                          "zh": "固定的示例汇率,并非市场报价;请填写财务使用的汇率"},
    "in_horizon_months": {"en": "three months, the length of the programmes' first phases",
                          "zh": "三个月,即各计划首轮阶段的长度"},
    "in_cost_level": {"en": "the middle of each quoted price range",
                      "zh": "取各报价区间的中间值"},
    "in_livestream_usd_each": {"en": "no cost is quoted; enter yours",
                               "zh": "文章未给出成本,请填写您的实际成本"},
    "in_affiliate_share": {"en": "no affiliate sales unless you enter a share",
                           "zh": "除非您填写,否则按无联盟成交计算"},
    "in_target_margin": {"en": "a common target; set your own",
                         "zh": "常见的目标值,请按您的目标设置"},
    "in_prices_include_vat": {"en": "EU marketplace prices are shown with VAT",
                              "zh": "欧盟市场的标价通常含增值税"},
    "in_refund_recovers_goods": {"en": "refunded goods are usually not resold",
                                 "zh": "退款商品通常无法再次销售"},
}


def source_title(source: str | None, lang: str = "en", why: str | None = None) -> str:
    """What a user reads as the source of a figure: an article's title, "your data", or
    "assumption: why". File names never reach a user."""
    if not source:
        return ""
    text = str(source).strip()
    if text in SOURCE_TITLES:
        return SOURCE_TITLES[text][lang]
    if text == "your data":
        return YOUR_DATA[lang]
    if text in EXPECTATIONS:
        return EXPECTATIONS[text][lang]
    if text == "workbook":
        return EDITED_IN_WORKBOOK[lang]
    if text.startswith("assumption"):
        reason = why or text.partition(":")[2].strip() or SEE_NOTE[lang]
        return f"{ASSUMPTION[lang]}: {reason}" if lang == "en" else f"{ASSUMPTION[lang]}:{reason}"
    for name, titles in SOURCE_TITLES.items():     # "000_….txt, Known ambiguities" and the like
        if name in text:
            return text.replace(name, titles[lang])
    return text


#: Units as a user reads them (the rate card and the contract keep the short codes).
UNITS = {
    "en": {"date": "date", "code": "code", "fraction": "share", "lift": "lift (×)",
           "ratio": "ratio", "count": "count", "score": "score"},
    "zh": {"USD": "美元", "CNY": "人民币", "USD/kg": "美元/千克", "g": "克", "cm": "厘米",
           "%": "%", "date": "日期", "code": "代码", "CNY per USD": "人民币/美元",
           "months": "月", "pages": "页", "sessions": "场", "SKUs": "个SKU", "score": "分",
           "minutes": "分钟", "hours": "小时", "days": "天", "market currency": "当地货币",
           "fraction": "比例", "lift": "增幅(倍)", "ratio": "比值", "count": "个数",
           "declarations": "票", "products": "款"},
}


def bound_text(value: float) -> str:
    """A limit as a person reads it: 0.01, 120, 1,000,000,000 (never 1e+09)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def unit_label(unit: str, lang: str = "en") -> str:
    return UNITS[lang].get(unit, unit)


def scenario_label(name: str | None, lang: str = "en") -> str:
    """A programme's name as a label: the registry's name (programmes.py), capitalised; the id
    itself for an unknown one."""
    if name is None:
        return ""
    from calculator.model.programmes import PROGRAMME_BY_ID   # the registry imports no texts
    programme = PROGRAMME_BY_ID.get(name)
    if programme is None:
        return name
    label = programme.name(lang)
    return label[:1].upper() + label[1:]


#: Human labels of the contract's column ids, for the label row above each id row. Keyed by
#: column id, shared by every block that uses the id (the machinery is generic over the
#: contract's column tuples: a new column needs only its two labels here).
COLUMN_LABELS = {
    "en": {
        "scenario": "Programme", "eligible": "Eligible", "reason": "Why",
        "monthly_gmv": "GMV per month (USD)", "incremental_gmv": "Extra GMV (USD)",
        "orders_per_month": "Orders per month", "freight_per_order": "Freight per order (USD)",
        "programme_cost": "Programme cost (USD)", "net_gain": "Net gain (USD)", "roi": "ROI",
        "payback_months": "Payback (months)", "breakeven_lift": "Break-even lift",
        "contribution_per_order": "Contribution per order (USD)",
        "monthly_contribution": "Contribution per month (USD)", "outlays": "Outlays (USD)",
        "benefits": "Benefits (USD)", "payback_month": "Payback month",
        "spanish_service": "Spanish customer service",
        "incremental_contribution": "Extra contribution", "service_subsidy": "Service subsidy",
        "month": "Month", "kind": "Kind of problem",
        "verdict": "Verdict", "aplus": "A+ pages", "livestreams": "Livestreams",
        "onboarding": "Onboarding interview", "localisation": "Localisation",
        "freight_premium": "Freight premium", "ads": "Ads", "coupons": "Coupons",
        "total": "Total", "deadline": "Deadline", "phase": "Phase", "day": "Day",
        "date": "Date", "due_beijing": "Due (Beijing time)",
        "fuse_beijing": "Fuse trips (Beijing time)", "check": "Check", "status": "Status",
        "source": "Source", "sku": "SKU", "category": "Category", "weight_g": "Weight (g)",
        "price_usd": "Price (USD)", "unit_cost": "Unit cost",
        "unit_cost_currency": "Unit cost currency", "key": "Rate", "value": "Value",
        "unit": "Unit", "effective_from": "Effective from", "note": "Note", "plan": "Logistics plan",
        "net_revenue": "Net revenue", "fees": "Fees", "freight": "Freight", "refunds": "Refunds",
        "contribution": "Contribution", "margin": "Margin", "breakeven_price": "Break-even price",
        "price_for_target": "Price for target margin",
        "list_price_for_target": "List price for target",
        "price_for_target_local": "Price for target (local currency)",
        "list_price_for_target_local": "List price for target (local currency)",
        "median_price_change": "Median change of target price",
        "share_below_target": "Share of SKUs below target",
        "net_gain_p10": "Net gain, P10", "net_gain_p50": "Net gain, P50 (median)",
        "net_gain_p90": "Net gain, P90", "roi_p10": "ROI, P10", "roi_p50": "ROI, P50",
        "roi_p90": "ROI, P90", "p_loss": "Probability of loss", "input": "Input",
        "net_gain_down": "Net gain, input low", "net_gain_up": "Net gain, input high",
        "change_down": "Change, input low", "change_up": "Change, input high",
        "swing": "Swing", "net_gain_from": "Net gain from", "net_gain_to": "Net gain to",
        "share_of_draws": "Share of draws", "lift_low": "Lift low", "lift_likely": "Lift likely",
        "lift_high": "Lift high", "fuse_probability": "P(fuse trips)",
        "recommendation": "Recommendation", "recommended": "Recommended programme",
        "store": "Store", "file": "File", "unknown_or_failing": "Unknown or failing",
        "message": "Message", "name": "Name", "cell": "Cell", "sheet": "Sheet",
        "expected": "Expected", "found": "Found", "sku_median_margin": "Median SKU margin",
        "sku_below_target": "SKUs below target margin",
    },
    "zh": {
        "scenario": "方案", "eligible": "是否符合资格", "reason": "原因",
        "monthly_gmv": "月GMV(美元)", "incremental_gmv": "增量GMV(美元)",
        "orders_per_month": "月订单数", "freight_per_order": "单均运费(美元)",
        "programme_cost": "方案成本(美元)", "net_gain": "净收益(美元)", "roi": "投资回报率",
        "payback_months": "回本周期(月)", "breakeven_lift": "盈亏平衡增幅",
        "contribution_per_order": "单均边际贡献(美元)", "monthly_contribution": "月边际贡献(美元)",
        "outlays": "投入(美元)", "benefits": "收益(美元)", "payback_month": "回本月份",
        "spanish_service": "西语客服", "incremental_contribution": "新增边际贡献",
        "service_subsidy": "客服补贴", "month": "月份", "kind": "问题类型",
        "verdict": "结论", "aplus": "A+页面", "livestreams": "直播",
        "onboarding": "入驻面试", "localisation": "本地化", "freight_premium": "运费溢价",
        "ads": "广告", "coupons": "流量券", "total": "合计", "deadline": "截止节点",
        "phase": "阶段", "day": "天数", "date": "日期", "due_beijing": "截止时间(北京时间)",
        "fuse_beijing": "熔断时间(北京时间)", "check": "检查项", "status": "状态",
        "source": "来源", "sku": "SKU编码", "category": "类目", "weight_g": "重量(克)",
        "price_usd": "售价(美元)", "unit_cost": "单位成本", "unit_cost_currency": "成本币种",
        "key": "费率项", "value": "数值", "unit": "单位", "effective_from": "生效日期",
        "note": "备注", "plan": "物流方式", "net_revenue": "净收入", "fees": "费用",
        "freight": "运费", "refunds": "退款", "contribution": "边际贡献", "margin": "利润率",
        "breakeven_price": "盈亏平衡售价", "price_for_target": "达到目标利润率的售价",
        "list_price_for_target": "目标标价", "price_for_target_local": "目标售价(当地货币)",
        "list_price_for_target_local": "目标标价(当地货币)",
        "median_price_change": "目标售价变化中位数", "share_below_target": "低于目标的SKU占比",
        "net_gain_p10": "净收益 P10", "net_gain_p50": "净收益 P50(中位数)",
        "net_gain_p90": "净收益 P90", "roi_p10": "回报率 P10", "roi_p50": "回报率 P50",
        "roi_p90": "回报率 P90", "p_loss": "亏损概率", "input": "输入项",
        "net_gain_down": "输入取低值时净收益", "net_gain_up": "输入取高值时净收益",
        "change_down": "取低值时变化", "change_up": "取高值时变化", "swing": "波动幅度",
        "net_gain_from": "净收益下限", "net_gain_to": "净收益上限", "share_of_draws": "模拟占比",
        "lift_low": "增幅低值", "lift_likely": "增幅最可能值", "lift_high": "增幅高值",
        "fuse_probability": "熔断概率", "recommendation": "建议", "recommended": "推荐方案",
        "store": "店铺", "file": "文件", "unknown_or_failing": "未知或未通过项",
        "message": "说明", "name": "名称", "cell": "单元格", "sheet": "工作表",
        "expected": "要求", "found": "实际", "sku_median_margin": "SKU利润率中位数",
        "sku_below_target": "低于目标利润率的SKU数",
    },
}


def column_label(column: str, lang: str = "en") -> str:
    """The human label of a column id; an id without one is shown as words (English) so a new
    column is never blank (tests/test_texts.py fails until both labels exist)."""
    label = COLUMN_LABELS[lang].get(column)
    if label is None and scenario_label(column, lang) != column:
        label = scenario_label(column, lang)      # the cash flow has a column per programme
    if label is None:
        label = COLUMN_LABELS["en"].get(column) or column.replace("_", " ").capitalize()
    return label


def column_labels(columns, lang: str = "en") -> list[str]:
    return [column_label(name, lang) for name in columns]


#: What an input cell expects, by kind, in the words of the Inputs sheet.
EXPECTED = {
    "zh": {"date": "日期(如 2026-12-01)", "fraction": "百分比,如 55%(0到1之间的比例)",
           "bool": "TRUE(是)或 FALSE(否)", "money": "金额({unit})", "count": "整数",
           "number": "数字({unit})", "choice": "以下之一:{choices}",
           "positive": "大于0", "minimum": "不小于 {value}", "maximum": "不大于 {value}"},
}


def expected_text(spec, lang: str = "en", choices=None) -> str:
    """What an input expects, for the Inputs sheet and its cell prompt."""
    choices = tuple(choices if choices is not None else spec.choices)
    if lang == "en":
        if spec.kind == "choice":
            return "one of " + ", ".join(choices)
        return spec.expected
    words = EXPECTED["zh"]
    unit = unit_label(spec.unit, "zh")
    if spec.kind == "fraction" and spec.maximum is not None and spec.maximum < 1:
        return (f"{bound_text((spec.minimum or 0) * 100)}% 至 {bound_text(spec.maximum * 100)}% "
                f"之间的百分比")
    if spec.kind in ("date", "fraction", "bool"):
        return words[spec.kind]
    if spec.kind == "choice":
        return words["choice"].format(choices=", ".join(choices))
    text = words.get(spec.kind, "{unit}").format(unit=unit)
    bounds = []
    if spec.positive:
        bounds.append(words["positive"])
    elif spec.minimum is not None:
        bounds.append(words["minimum"].format(value=bound_text(spec.minimum)))
    if spec.maximum is not None:
        bounds.append(words["maximum"].format(value=bound_text(spec.maximum)))
    return text + ("," + ",".join(bounds) if bounds else "")


#: Rates notes in Chinese (the English notes live in calculator/rates.toml beside the figures).
RATE_NOTES_ZH = {
    "freight.standard.first_weight_g": "500g内首重$2.8:首重区间,寄往波兰",
    "freight.standard.first_price_usd": "500g内首重$2.8",
    "freight.standard.step_g": "文章写作“续重$0.45/g”,按字面1千克要$227.80;本工具理解为每100克$0.45。"
                               "如按字面理解,请改为1。",
    "freight.standard.step_price_usd": "每个续重单位$0.45",
    "freight.standard.parcel_fee_usd": "文章未给出单件处理费;如合同中有,请在此填写",
    "freight.standard.max_weight_g": "0 = 不限重。文章未给出上限;填写合同限重后,超重包裹将被拒绝",
    "freight.economy.standard_premium": "费率较经济类高约37%:未提供经济类价目表时,经济类 = 标准类 / 1.37",
    "freight.economy.first_price_usd": "0 = 无自有经济类价目表:按 标准类 / (1 + 溢价) 推算。"
                                       "填写首重、首重价格、续重单位和续重价格即使用您自己的价目表",
    "freight.economy.first_weight_g": "仅用于自有经济类价目表(见 freight.economy.first_price_usd)",
    "freight.economy.step_g": "仅用于自有经济类价目表",
    "freight.economy.step_price_usd": "仅用于自有经济类价目表",
    "freight.economy.max_weight_g": "0 = 不限重",
    "freight.subsidy.cap_over_economy": "平台补贴后实际成本增幅控制在12%以内:补贴后的标准类运费最多为经济类 × 1.12",
    "freight.subsidy.quarter_budget_usd": "0 = 不设预算。文章未给出单店预算;填写后按季度限制补贴总额",
    "freight.shumao.free_parcels": "首单免运费:店铺的第一个包裹免运费",
    "freight.shumao.price_per_kg_usd": "第二单起按$2.1/kg计费,华东仓发往波兰,2024年价目;按克计费",
    "freight.shumao.step_g": "假设:文章只写$2.1/kg,未说明重量如何取整;按克计费、无最低重量。"
                             "如按每100克或每千克起计,请改为100或1000",
    "eligibility.shumao_min_customs_declarations": "近12个月至少3票真实报关记录",
    "readiness.shumao_min_listings": "获批后30天内需上架至少20款合规商品",
    "readiness.shumao_min_selling_products": "至少3款商品达成基础销量(订单数≥5)",
    "readiness.shumao_first_month_gmv_usd": "若首月GMV低于$2000,将自动降级",
    "freight.shumao.max_weight_g": "0 = 不限重",
    "freight.volumetric_divisor_cm3_per_kg": "仅在填写包裹尺寸时使用:体积重(千克)= 长×宽×高(厘米)/ 系数。"
                                             "文章未给出系数;8000为电商常用的邮政系数,请核对您的合同",
    "aplus.required_pages": "大赛任务阶段:至少5个商品制作A+页面",
    "aplus.official_cny_per_page": "官方模板:免费",
    "aplus.third_party_cny_per_page.low": "第三方设计每个商品¥800–1,200:低值",
    "aplus.third_party_cny_per_page.mid": "报价¥800–1,200的中间值",
    "aplus.third_party_cny_per_page.high": "第三方设计每个商品¥800–1,200:高值",
    "aplus.conversion_gain": "A+页面经A/B测试的转化率提升;仅供参考,已包含在平均增幅中",
    "livestream.required": "大赛要求:3场直播,每场观看人数不少于500才计入",
    "livestream.usd_each": "文章未给出成本:请填写您的成本(Inputs表 in_livestream_usd_each)",
    "interview.equipment_cny.low": "视频设备¥580–1,200,一次性投入:低值",
    "interview.equipment_cny.mid": "报价¥580–1,200的中间值",
    "interview.equipment_cny.high": "视频设备¥580–1,200,一次性投入:高值",
    "interview.translation_usd_per_session": "翻译费用,每场面试",
    "interview.consulting_cny_per_session.low": "合规咨询每场¥1,800–3,500:低值",
    "interview.consulting_cny_per_session.mid": "报价¥1,800–3,500的中间值",
    "interview.consulting_cny_per_session.high": "合规咨询每场¥1,800–3,500:高值",
    "localisation.spanish_cs_subsidy": "大赛资源:西语客服外包补贴50%",
    "localisation.spanish_cs_subsidy_months": "补贴仅在第一年内有效",
    "coupons.max_usd_per_quarter": "大赛资源:每店每季度最高$3,000流量券",
    "commission.general": "交易佣金5%。可按 commission.<类目> 为您的类目添加行",
    "commission.apparel": "部分类目(如服装)8%",
    "affiliate.rate": "文章给出按类目1%–15%(数贸杯文章);5%为本工具的占位值:请设置您类目的费率",
    "affiliate.share": "联盟渠道成交占比:除非您填写,否则为0",
    "lift.gsc_rising": "2023年参赛卖家GMV平均提升147%,未按赛道区分:两个赛道共用",
    "lift.gsc_leap": "与新锐赛道相同的147%平均值(文章未区分)",
    "lift.shumao": "首月GMV较普通通道高47%,作为增幅使用",
    "super_hot.added_gmv_usd_per_month": "计划要求单个商品30天内新增至少$10,000:这是目标,不是预测",
    "eligibility.rising_max_store_age_days": "新锐赛道:T+0时开店不超过180天",
    "eligibility.leap_min_monthly_gmv_usd": "跃迁赛道:连续3个月每月GMV不低于$5,000",
    "readiness.licence_min_months": "营业执照注册满6个月;须为企业,非个体户",
    "readiness.health_score_min": "店铺健康分不低于85",
    "readiness.factory_min_skus": "工厂型卖家:SKU不少于50个",
    "readiness.listing_compliance_min": "商品信息合规率100%(硬性指标)",
    "readiness.tracking_coverage_min": "物流轨迹覆盖率不低于98%(硬性指标)",
    "readiness.cs_reply_max_minutes": "客服响应时长不超过2分钟(硬性指标)",
    "readiness.main_image_ctr_min": "诊断指标:主图点击率不低于8.3%",
    "readiness.bounce_warn_above": "诊断指标:详情页跳失率高于42.6%时提示",
    "readiness.price_band": "售价在类目TOP20均价±15%以内,按当地货币比较",
    "readiness.dispatch_max_hours": "72小时内发货",
    "readiness.refund_max_days": "15天内完成退款",
    "checks.fx_cny_per_usd_min": "低于此值时「Checks」表提示:2005年以来人民币汇率在6至8.3元/美元之间,低于3多半是按 美元/元 输入(7.10 写成 0.14)",
    "checks.fx_cny_per_usd_max": "高于此值时「Checks」表提示:超过20元/美元多半是其他货币的汇率",
    "checks.parcel_weight_g_min": "低于此值时「Checks」表提示:不足10克的包裹多半是按千克输入(500克写成0.5)",
    "checks.parcel_weight_g_max": "高于此值时「Checks」表提示:超过30千克的跨境包裹多半是单位有误;文章未给出上限(要拒绝更重的包裹,请设置 freight.standard.max_weight_g)",
    "checks.sku_sales_gap": "「SKUs」表的销售额(扣除全店折扣后的售价×订单)与近三个月GMV相差超过此比例时「Checks」表提示:新增GMV按 GMV÷表中订单数 折算为订单",
    "calendar.self_assessment_days": "第一阶段 T+0..T+7:能力自测和诊断报告",
    "calendar.tasks_days": "第二阶段 T+8..T+30:任务",
    "calendar.resources_days": "第三阶段 T+31..T+90:资源兑现",
    "calendar.fuse_hours": "任务逾期超过72小时即冻结当期资源,无补救",
    "calendar.utc_offset_hours": "截止日期按自然日、北京时间计算(GMT+8,无夏令时)",
    "fx.cny_per_usd": "固定的示例汇率,并非市场报价:请填写财务使用的汇率(in_fx_cny_per_usd)",
    "fx.pln_per_usd": "用于兹罗提价格检查的固定示例汇率:请设置您自己的汇率",
    "fx.eur_per_usd": "用于欧元价格检查的固定示例汇率:请设置您自己的汇率",
    "market.PL": "波兰:标准物流价目表对应的市场",
    "market.ES": "西班牙(适用西语客服补贴)。运费按波兰价目表假设",
    "market.FR": "法国。运费按波兰价目表假设",
    "market.DE": "德国。运费按波兰价目表假设",
    "market.IT": "意大利。运费按波兰价目表假设",
    "market.NL": "荷兰。运费按波兰价目表假设",
    "risk.lift.gsc.low": "低值:无增幅。147%是参赛者的平均值,部分卖家没有增长",
    "risk.lift.gsc.high": "高值:文章中的案例,月GMV $18,000 -> $62,000(+244%)",
    "risk.lift.shumao.low": "文章未给出数贸杯47%的区间:低值为无增幅",
    "risk.lift.shumao.high": "文章未给出区间:高值为平均47%的两倍,以平均值对称",
    "risk.super_hot.added_low_usd": "$10,000是目标:低值为完全未达成",
    "risk.super_hot.added_high_usd": "目标视为上限(最可能值 = 高值 = $10,000)",
    "risk.fuse_probability.gsc": "大赛任务逾期超过72小时的概率(全球卖家大赛文章中的熔断规则)。文章未给出比例:请设置",
    "risk.draws": "每个方案的蒙特卡洛模拟次数",
    "risk.sensitivity_step": "敏感性(龙卷风)分析中每个输入上下浮动的比例",
    "vat.PL": "波兰增值税标准税率;请核对您商品的税率",
    "vat.ES": "西班牙增值税标准税率;请核对您商品的税率",
    "vat.FR": "法国增值税标准税率;请核对您商品的税率",
    "vat.DE": "德国增值税标准税率;请核对您商品的税率",
    "vat.IT": "意大利增值税标准税率;请核对您商品的税率",
    "vat.NL": "荷兰增值税标准税率;请核对您商品的税率",
    "pricing.target_margin": "默认目标边际贡献率(占不含税收入);请在 Inputs 表设置您的目标",
}


def rate_note(key: str, note: str | None, lang: str = "en") -> str:
    if lang == "zh":
        return RATE_NOTES_ZH.get(key, note or "")
    return note or ""


WORKBOOK_TEXT = {
    "en": {
        "title": "AliExpress growth programme calculator",
        "start": [
            "What this workbook does",
            "It works out whether joining an AliExpress growth programme pays for this store: the "
            "Global Seller Challenge (Rising and Leap tracks), the Shumao Cup channel and the Super "
            "Hot Product plan, against staying as you are (baseline).",
            "For each one you get the projected GMV, freight per order under the programme's "
            "logistics plan (with the platform subsidy and its caps), what joining costs (A+ "
            "pages, livestreams, the onboarding interview, customer service, ads) and what it "
            "brings (the contribution of the extra orders, coupons), the net gain, ROI, the "
            "payback month, break-even lift, eligibility, a recommendation and the deadlines.",
            "How to use it",
            "1. Fill the yellow cells on the Inputs sheet (hover a cell to see what it expects).",
            "2. Optional: list your products on the SKUs sheet (freight and orders then come from "
            "them), and change a rate on the Rates sheet (it applies to this workbook only).",
            "3. Calculate: put the workbook in a folder and run  aeroi run FOLDER  (or press "
            "Calculate in the .xlsm template). Results, Calendar, Checks, SKU economics and Risk "
            "are filled in.",
            "4. Results!{stale_cell} says CURRENT, or STALE when an input changed after the last "
            "run: calculate again.",
            "Grey cells are results: do not type in them, the next run overwrites them. Other "
            "sheets, charts and notes of your own are kept as they are.",
            "Figures and their sources: see the Rates sheet (source = the article a default "
            "comes from: the Global Seller Challenge article, the Shumao Cup article or the "
            "onboarding interview article; or 'assumption' with the reason).",
        ],
        "inputs_title": "Inputs: fill the yellow cells",
        "inputs_help": "Blank optional cells are reported as warnings on Checks. Percentages "
                       "are typed as 55% (or 0.55).",
        "inputs_header": ("Input", "Unit", "Value", "Source of the default", "Expected",
                          "Defined name", "Group"),
        "groups": {"store": "Store", "spend": "Programme spend", "pricing": "Pricing",
                   "readiness": "Readiness"},
        "skus_title": "Products (optional): when this table has rows, freight and orders "
                      "come from it",
        "rates_title": "Rate card: every default figure with its source. An edit here applies "
                       "to this workbook only.",
        "results_title": "Results",
        "status": "Status", "recommended": "Recommended", "recommendation": "What to do",
        "cashflow": "Cumulative cash against the baseline, month by month (USD)",
        "scenarios": "Scenarios (monthly figures; incremental GMV and net gain over the horizon)",
        "costs": "Outlays and benefits over the horizon, by part (USD; net gain = benefits - "
                 "outlays)",
        "calculated_at": "Calculated at", "version": "Calculator version",
        "fingerprint": "Rate card fingerprint", "freshness": "Results are",
        "snapshot_header": ("Input", "Live now", "Used by the last run"),
        "chart_title": "Net gain and outlays by scenario (USD, over the horizon)",
        "calendar_title": "Deadlines (natural days from T+0, Beijing time, UTC+8)",
        "deadline": {"t7": "T+7 self-assessment", "t30": "T+30 tasks", "t90": "T+90 resources"},
        "checks_title": "Eligibility and readiness",
        "eligibility": "Eligibility by scenario", "readiness": "Readiness checks",
        "sku_title": "Unit economics per SKU (baseline plan) and the price for the target margin",
        "sku_summary": ("Median margin", "SKUs below the target margin"),
        "sku_programme": "Each programme's plan: median change of the target price",
        "risk_title": "Risk: how likely is the programme to pay (Monte Carlo)",
        "risk_inputs": "Ranges (blank = the rate card's default, Rates: risk.*)",
        "risk_seed": "Random seed (same seed, same results)",
        "risk_draws": "Draws",
        "risk_ranges_header": ("Scenario", "Lift low", "Lift likely", "Lift high",
                               "P(fuse trips)"),
        "risk_cogs": ("Cost of goods low", "Cost of goods high"),
        "risk_aov": ("Order value low (USD)", "Order value high (USD)"),
        "risk_results": "Net gain and ROI quantiles over the horizon; P(loss) = share of draws "
                        "with a net gain below zero",
        "risk_scenario": "Distribution and drivers shown for",
        "sensitivity": "What drives the net gain (each input at its low and high, others fixed)",
        "histogram": "Distribution of the net gain",
        "histogram_chart": "Net gain over the horizon: share of draws",
        "tornado_chart": "Change of the net gain (USD) with each input at its low / high",
        "conf_note": "xlwings reads this sheet: UDF Modules names the module of the AE_ "
                     "worksheet functions (leave it as it is).",
        "button": "Calculate",
        "xlsx_hint": "To calculate: aeroi run FOLDER (or use the .xlsm template's Calculate "
                     "button)",
        "stale_words": ("NOT CALCULATED", "STALE", "CURRENT"),
        "optional": "(optional) ",
        "labels_note": "Row above: the column names scripts use (defined names and table "
                       "columns); do not rename them.",
        "skus_labels_note": "The grey row under these labels holds the column names the "
                            "calculator reads: keep them.",
        "chart_categories": "Chart labels",
        "chart_note": "Programmes marked \"(not eligible)\" cannot be joined now: their bars "
                      "are shown for comparison only.",
        "not_eligible_mark": " (not eligible)",
        "risk_scenario_header": "Scenario",
        "validation_expected": "{label}: expected {expected}",
        "validation_title": "Check the value",
        "validation_extensible": "{label}: not in the Rates table yet; add it there (market.* or "
                                 "commission.*) or choose from the list",
        "sku_category_error": "Not in the Rates table: add commission.<category> there first",
        "sku_number_error": "SKUs.{name}: expected a number {bound}",
        "sku_bounds": ("of 0 or more", "above 0"),
        "conf_title": "xlwings settings",
        "version_line": "aeroi {version} · contract {contract} · rate card {fingerprint}",
    },
    "zh": {
        "title": "速卖通增长计划测算工具",
        "start": [
            "本工作簿的用途",
            "测算本店铺参加速卖通增长计划是否划算:全球卖家大赛(新锐赛道和跃迁赛道)、数贸杯专属通道、"
            "超级爆品计划,并与不参加(基线)对比。",
            "每个方案给出:预计GMV、该方案物流方式下的单均运费(含平台补贴及其上限)、参加需要的投入"
            "(A+页面、直播、入驻面试、客服外包、直通车)和带来的收益(新增订单的贡献、流量券)、"
            "净收益、投资回报率、回本月份、盈亏平衡增幅、参与资格、建议和截止日期。",
            "使用方法",
            "1. 在「Inputs」(输入)表中填写黄色单元格(鼠标停留可查看要求)。",
            "2. 可选:在「SKUs」(商品)表中列出商品(运费和订单将按商品计算);在「Rates」(费率)表中"
            "修改费率(仅对本工作簿生效)。",
            "3. 计算:把工作簿放进一个文件夹,运行  aeroi run 文件夹  (或在 .xlsm 模板中点击"
            "「计算」按钮)。结果将写入 Results(结果)、Calendar(日历)、Checks(检查)、"
            "SKU economics(SKU经济效益)和 Risk(风险)表。",
            "4. Results!{stale_cell} 显示「最新」;上次计算后改过输入则显示「已过期」,请重新计算。",
            "灰色单元格为计算结果,请勿手动填写,下次计算会覆盖。您自己的其他工作表、图表和备注保持不变。",
            "各项数据及来源见「Rates」表(来源为默认值所依据的文章:全球卖家大赛文章、数贸杯文章"
            "或入驻面试文章;或「假设」并说明理由)。",
        ],
        "inputs_title": "输入:请填写黄色单元格",
        "inputs_help": "可选项留空时会在「Checks」(检查)表中提示。百分比请输入 55%(或 0.55)。",
        "inputs_header": ("输入项", "单位", "数值", "默认值来源", "要求", "定义名称", "分组"),
        "groups": {"store": "店铺", "spend": "方案投入", "pricing": "定价", "readiness": "准备度"},
        "skus_title": "商品(可选):本表有数据时,运费和订单按商品计算",
        "rates_title": "费率表:每个默认数值及其来源。在此修改仅对本工作簿生效。",
        "results_title": "测算结果",
        "status": "状态", "recommended": "推荐方案", "recommendation": "建议",
        "cashflow": "相对基线的累计现金流(按月,美元)",
        "scenarios": "各方案(月度数据;增量GMV和净收益为整个测算周期)",
        "costs": "测算周期内投入与收益明细(美元;净收益 = 收益 - 投入)",
        "calculated_at": "计算时间", "version": "计算器版本",
        "fingerprint": "费率表指纹", "freshness": "结果状态",
        "snapshot_header": ("输入项", "当前值", "上次计算所用值"),
        "chart_title": "各方案净收益与投入(美元,测算周期内)",
        "calendar_title": "截止日期(自T+0起自然日,北京时间 UTC+8)",
        "deadline": {"t7": "T+7 自查", "t30": "T+30 任务", "t90": "T+90 资源"},
        "checks_title": "参与资格与准备度",
        "eligibility": "各方案参与资格", "readiness": "准备度检查",
        "sku_title": "单个SKU的经济效益(基线物流)及达到目标利润率的售价",
        "sku_summary": ("利润率中位数", "低于目标利润率的SKU数"),
        "sku_programme": "各方案物流下:目标售价变化的中位数",
        "risk_title": "风险:方案盈利的可能性(蒙特卡洛模拟)",
        "risk_inputs": "区间(留空 = 费率表默认值,见「Rates」表 risk.* 行)",
        "risk_seed": "随机种子(相同种子,相同结果)",
        "risk_draws": "模拟次数",
        "risk_ranges_header": ("方案", "增幅低值", "增幅最可能值", "增幅高值", "熔断概率"),
        "risk_cogs": ("商品成本占比低值", "商品成本占比高值"),
        "risk_aov": ("客单价低值(美元)", "客单价高值(美元)"),
        "risk_results": "测算周期内净收益和投资回报率的分位数;亏损概率 = 净收益为负的模拟占比",
        "risk_scenario": "分布和驱动因素对应方案",
        "sensitivity": "净收益的驱动因素(逐项取低值和高值,其余不变)",
        "histogram": "净收益分布",
        "histogram_chart": "测算周期内净收益:各区间占比",
        "tornado_chart": "各输入取低/高值时净收益的变化(美元)",
        "conf_note": "xlwings 读取本表:左侧为 AE_ 工作表函数所在的模块(请勿修改)。",
        "button": "计算",
        "xlsx_hint": "计算方法:aeroi run 文件夹(或使用 .xlsm 模板中的「计算」按钮)",
        "stale_words": ("未计算", "已过期", "最新"),
        "optional": "(可选)",
        "labels_note": "上方灰色小字为脚本使用的列名(定义名称和表格列名),请勿修改。",
        "skus_labels_note": "本行下方的灰色行为计算器读取的列名,请保留。",
        "chart_categories": "图表标签",
        "chart_note": "标注「(不符合资格)」的方案目前无法参加,其柱形仅供对比。",
        "not_eligible_mark": "(不符合资格)",
        "risk_scenario_header": "方案",
        "validation_expected": "{label}:应为{expected}",
        "validation_title": "请检查数值",
        "validation_extensible": "{label}:费率表中还没有此项;请先在「Rates」表中添加(market.* 或 "
                                 "commission.*),或从列表中选择",
        "sku_category_error": "费率表中没有此类目:请先在「Rates」表中添加 commission.<类目>",
        "sku_number_error": "SKUs.{name}:应为{bound}的数字",
        "sku_bounds": ("不小于 0 ", "大于 0 "),
        "conf_title": "xlwings 设置",
        "version_line": "aeroi {version} · 合约版本 {contract} · 费率表指纹 {fingerprint}",
    },
}
