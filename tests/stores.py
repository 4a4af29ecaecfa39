"""The filled-in store most workbook tests start from (a template's inputs by defined name).

T+0 2026-12-01, opened 2026-08-01 (122 days: Rising eligible), GMV $3,000 / $4,000 / $5,200
(Leap not: months below $5,000), order value $24.60, cost of goods 45%, 750 g parcels.
"""
import datetime as dt
import os
from pathlib import Path

from calculator.workbook.template import build_template

STORE = dict(in_eval_date=dt.date(2026, 12, 1), in_store_opened=dt.date(2026, 8, 1),
             in_gmv_m1=3000, in_gmv_m2=4000, in_gmv_m3=5200, in_aov_usd=24.6,
             in_cogs_pct=0.45, in_parcel_weight_g=750)

_BUILT: dict[str, bytes] = {}


def build_store(path: str | os.PathLike, lang: str = "en", values=None, skus=None,
                rate_overrides=None) -> Path:
    """``build_template(path, lang, values, skus, rate_overrides)``: built once per test process
    for the same arguments, then copied. The build is deterministic (the same bytes whatever
    the file's name or the time: tests/test_template.py compares the committed templates with
    it), and about a hundred tests start from the same few workbooks."""
    path = Path(path)
    key = repr((path.suffix.lower(), lang, sorted((values or {}).items()), skus,
                sorted((rate_overrides or {}).items())))
    if key not in _BUILT:
        build_template(path, lang, values, skus, rate_overrides)
        _BUILT[key] = path.read_bytes()
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_BUILT[key])
    os.chmod(path, 0o644)                    # as build_template leaves it
    return path
