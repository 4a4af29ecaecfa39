"""Excel date serials (the 1900 and 1904 date systems) and which number formats show dates."""
from __future__ import annotations

import datetime as dt
import re

EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)
# Built-in number formats that show dates or times.
BUILTIN_DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) \
    | set(range(50, 59))


def to_serial(value: dt.date | dt.datetime, date1904: bool = False) -> float:
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    delta = value - (EPOCH_1904 if date1904 else EPOCH_1900)
    serial = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    if not date1904 and serial < 61:   # Excel's phantom 1900-02-29: serials below it shift by one
        serial -= 1
    return serial


def from_serial(serial: float, date1904: bool = False) -> dt.datetime:
    if not date1904 and serial < 61:
        serial += 1
    base = EPOCH_1904 if date1904 else EPOCH_1900
    moment = base + dt.timedelta(days=serial)
    # round to the second: serials carry float noise
    return (moment + dt.timedelta(microseconds=500_000)).replace(microsecond=0)


def is_date_format(code: str) -> bool:
    """Whether a custom number format code shows a date or time ("yyyy-mm-dd", "h:mm")."""
    text = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code)
    text = text.split(";")[0].lower()
    return bool(re.search(r"[dmyhs]", text)) and "general" not in text
