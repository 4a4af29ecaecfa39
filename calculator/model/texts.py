"""Words a user reads, in English and Chinese, looked up by key.

Every function that produces text for a user takes ``lang="en"`` or ``lang="zh"`` and calls
:func:`message`. Keys are stable; parameters are named (``{gmv}``), so a translation may put
them in another order. Amounts are formatted before they are passed (see :func:`money`).
"""
from __future__ import annotations

LANGUAGES = ("en", "zh")


def money(x: float) -> str:
    """``$1,234.56`` (a minus sign in front of the dollar for a loss)."""
    return f"-${-x:,.2f}" if x < 0 else f"${x:,.2f}"


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
        "never_breaks_even": "no lift breaks even (each order loses money)",
        "breakeven_forecast": "break-even at {forecast} a month from the listing",
        "needs_forecast": "needs your forecast",
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
        "verdict.unknown": "check eligibility",
        # the recommendation
        "recommend.join": "Join the {name}: expected net gain {gain} over {months} months, "
                          "probability of a loss {p_loss}.",
        "recommend.join_no_risk": "Join the {name}: expected net gain {gain} over {months} "
                                  "months (probability of a loss not computed).",
        "recommend.unknown": " Eligibility is not settled: {reasons}.",
        "recommend.none": "Join none: no programme you may enter is expected to gain over "
                          "{months} months.",
        "recommend.none_best": " The best, the {name}, would give {gain}.",
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
        "never_breaks_even": "任何增长都无法保本(每单亏损)",
        "breakeven_forecast": "爆品链接每月需{forecast}才能保本",
        "needs_forecast": "需要您的预测",
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
        "verdict.baseline": "基准",
        "verdict.join": "建议参加",
        "verdict.not_eligible": "不符合条件",
        "verdict.needs_forecast": "需要您的预测",
        "verdict.loses_money": "亏损",
        "verdict.unknown": "待确认资格",
        "recommend.join": "建议参加{name}:{months}个月预计净收益{gain},亏损概率{p_loss}。",
        "recommend.join_no_risk": "建议参加{name}:{months}个月预计净收益{gain}(未计算亏损概率)。",
        "recommend.unknown": "资格尚未确定:{reasons}。",
        "recommend.none": "建议不参加:在{months}个月内,没有可参加的项目预计能带来收益。",
        "recommend.none_best": "其中最好的{name}为{gain}。",
    },
}
