"""The filled-in store most workbook tests start from (a template's inputs by defined name).

T+0 2026-12-01, opened 2026-08-01 (122 days: Rising eligible), GMV $3,000 / $4,000 / $5,200
(Leap not: months below $5,000), order value $24.60, cost of goods 45%, 750 g parcels.
"""
import datetime as dt

STORE = dict(in_eval_date=dt.date(2026, 12, 1), in_store_opened=dt.date(2026, 8, 1),
             in_gmv_m1=3000, in_gmv_m2=4000, in_gmv_m3=5200, in_aov_usd=24.6,
             in_cogs_pct=0.45, in_parcel_weight_g=750)
