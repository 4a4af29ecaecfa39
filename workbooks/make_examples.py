"""Writes the example store workbooks of docs/examples.md into workbooks/examples/.

    python workbooks/make_examples.py [FOLDER]

Each example is a template filled through the defined names, as a user's script would fill it.
The files are committed; tests/test_template.py fails if they drift from this script.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from calculator.workbook.template import build_template

EVAL_DATE = dt.date(2026, 12, 1)

#: name -> (language, inputs, SKUs). Stories: docs/examples.md.
EXAMPLES = {
    "01-new-store-rising.xlsx": ("en", dict(
        in_store_opened=dt.date(2026, 9, 15), in_gmv_m1=1200, in_gmv_m2=1800, in_gmv_m3=2600,
        in_market="PL", in_category="general", in_aov_usd=18, in_cogs_pct=0.45,
        in_parcel_weight_g=500, in_aplus_pages=5, in_enterprise=True,
        in_licence_registered=dt.date(2025, 11, 3), in_health_score=88,
        in_factory_seller=False), []),
    "02-leap-eligible-exporter.xlsx": ("en", dict(
        in_store_opened=dt.date(2024, 3, 1), in_gmv_m1=6200, in_gmv_m2=7100, in_gmv_m3=8400,
        in_market="ES", in_category="general", in_aov_usd=32, in_cogs_pct=0.50,
        in_parcel_weight_g=900, in_interview_sessions=2, in_cn_exporter=True,
        in_livestream_usd_each=150, in_enterprise=True, in_factory_seller=True,
        in_licence_registered=dt.date(2019, 6, 1), in_health_score=93, in_sku_count=140,
        in_listing_compliance=0.98, in_tracking_coverage=0.99, in_dispatch_hours=36,
        in_customs_declarations_12m=24, in_scope_import_export=True,
        in_products_with_5_orders=6), []),
    "03-apparel-with-skus.xlsx": ("en", dict(
        in_store_opened=dt.date(2025, 2, 1), in_gmv_m1=5200, in_gmv_m2=4800, in_gmv_m3=6100,
        in_market="FR", in_category="apparel", in_aov_usd=28, in_cogs_pct=0.40,
        in_parcel_weight_g=350, in_target_margin=0.25, in_refund_rate=0.04,
        in_super_hot_forecast_usd=6000), [
        dict(sku="TS-001", category="apparel", weight_g=220, price_usd=14.9,
             orders_per_month=120, aplus=True, unit_cost=32, unit_cost_currency="CNY"),
        dict(sku="TS-002", category="apparel", weight_g=240, price_usd=16.9,
             orders_per_month=80, aplus=True, unit_cost=36, unit_cost_currency="CNY"),
        dict(sku="HD-010", category="apparel", weight_g=650, price_usd=39.0,
             orders_per_month=40, aplus=True, unit_cost=95, unit_cost_currency="CNY"),
        dict(sku="JK-020", category="apparel", weight_g=980, price_usd=59.0,
             orders_per_month=15, aplus=False, unit_cost=21.5, unit_cost_currency="USD"),
        dict(sku="CAP-05", category="general", weight_g=120, price_usd=9.9,
             orders_per_month=60, aplus=False)]),
    "04-heavy-parcels.xlsx": ("en", dict(
        in_store_opened=dt.date(2026, 7, 1), in_gmv_m1=3000, in_gmv_m2=3500, in_gmv_m3=4200,
        in_market="DE", in_category="general", in_aov_usd=85, in_cogs_pct=0.55,
        in_parcel_weight_g=2400, in_parcel_length_cm=45, in_parcel_width_cm=35,
        in_parcel_height_cm=25, in_licence_registered=dt.date(2025, 3, 1),
        in_health_score=90, in_factory_seller=False), []),
    "05-third-party-aplus-zh.xlsx": ("zh", dict(
        in_store_opened=dt.date(2026, 10, 1), in_gmv_m1=800, in_gmv_m2=1500, in_gmv_m3=2000,
        in_market="ES", in_category="general", in_aov_usd=22, in_cogs_pct=0.48,
        in_parcel_weight_g=600, in_aplus_pages=8, in_aplus_source="third_party",
        in_cost_level="high", in_spanish_cs_usd_per_month=400, in_enterprise=True,
        in_licence_registered=dt.date(2025, 12, 20), in_health_score=86, in_factory_seller=False,
        in_coupons_usd_per_quarter=1500), []),
    "06-eligible-for-nothing.xlsx": ("en", dict(
        in_store_opened=dt.date(2023, 5, 1), in_gmv_m1=2100, in_gmv_m2=1900, in_gmv_m3=2300,
        in_market="IT", in_category="general", in_aov_usd=26, in_cogs_pct=0.52,
        in_parcel_weight_g=700, in_health_score=71, in_cs_reply_minutes=240,
        in_enterprise=False, in_licence_registered=dt.date(2023, 4, 2),
        in_factory_seller=False), []),
}


def build_examples(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    written = []
    for name, (lang, values, skus) in EXAMPLES.items():
        written.append(build_template(folder / name, lang,
                                      values={"in_eval_date": EVAL_DATE, **values}, skus=skus))
    return written


if __name__ == "__main__":
    for path in build_examples(sys.argv[1] if len(sys.argv) > 1 else
                               Path(__file__).parent / "examples"):
        print(path)
