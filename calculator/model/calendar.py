"""Programme deadlines: natural days from T+0, Beijing time, and when the compliance fuse trips.

000: phases run T+0..T+7 (self-assessment), T+8..T+30 (tasks), T+31..T+90 (resources);
deadlines count natural days in Beijing time, so one that falls on a Sunday is still that
Sunday; a task more than 72 h late trips the fuse and freezes the period's resources.

Beijing time is a fixed UTC+8 offset (China has had no daylight saving since 1991), so we need
no time-zone database, which Windows machines may lack.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from calculator.model.ratecard import RateCard

PHASES = (("t7", "self-assessment", "calendar.self_assessment_days"),
          ("t30", "tasks", "calendar.tasks_days"),
          ("t90", "resources", "calendar.resources_days"))


@dataclass(frozen=True)
class Deadline:
    key: str                  # t7, t30, t90
    phase: str
    day_offset: int           # n in T+n
    date: dt.date             # the natural day the deadline falls on
    due_at: dt.datetime       # the end of that day, Beijing time (23:59:59 +08:00)
    fuse_at: dt.datetime      # due_at + 72 h: later than this freezes the resources


def beijing(rates: RateCard) -> dt.timezone:
    hours = rates.number("calendar.utc_offset_hours")
    return dt.timezone(dt.timedelta(hours=hours), name=f"UTC+{hours:g}")


def programme_calendar(t0: dt.date, rates: RateCard) -> list[Deadline]:
    """T+7, T+30 and T+90 deadlines and their fuse times.

    Examples
    --------
    T+0 on Friday 2026-11-27: T+7 is Friday 2026-12-04; T+30 is Sunday 2026-12-27 (a Sunday
    stays a Sunday); its fuse trips 72 h after 23:59:59 that day, on 2026-12-30.

    >>> from calculator.model.ratecard import load_rate_card
    >>> [d.date.isoformat() for d in programme_calendar(dt.date(2026, 11, 27), load_rate_card())]
    ['2026-12-04', '2026-12-27', '2027-02-25']
    """
    zone = beijing(rates)
    fuse = dt.timedelta(hours=rates.number("calendar.fuse_hours"))
    deadlines = []
    for key, phase, rate_key in PHASES:
        offset = int(rates.number(rate_key))
        day = t0 + dt.timedelta(days=offset)
        due = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=zone)
        deadlines.append(Deadline(key, phase, offset, day, due, due + fuse))
    return deadlines
