"""Programme deadlines (domain.md, "Eligibility, readiness and the calendar", 000):
T+7 / T+30 / T+90 in natural days, Beijing time (GMT+8); the fuse trips 72 h after a deadline."""
import datetime as dt

from calculator.model.calendar import programme_calendar
from calculator.model.ratecard import load_rate_card

RATES = load_rate_card()
BEIJING = dt.timezone(dt.timedelta(hours=8))


def test_deadlines_from_a_friday_t0():
    # T+0 Friday 2026-11-27
    # T+7  = 2026-12-04 (Friday)
    # T+30 = 2026-11-27 + 3 days to Nov 30 + 27 = 2026-12-27 (a Sunday: stays a Sunday)
    # T+90 = 3 (to Nov 30) + 31 (Dec) + 31 (Jan) = 65 -> 25 more days -> 2027-02-25
    d7, d30, d90 = programme_calendar(dt.date(2026, 11, 27), RATES)
    assert (d7.key, d30.key, d90.key) == ("t7", "t30", "t90")
    assert (d7.day_offset, d30.day_offset, d90.day_offset) == (7, 30, 90)
    assert d7.date == dt.date(2026, 12, 4)
    assert d30.date == dt.date(2026, 12, 27)
    assert d30.date.weekday() == 6            # Sunday is not moved to Monday
    assert d90.date == dt.date(2027, 2, 25)
    assert [d.phase for d in (d7, d30, d90)] == ["self-assessment", "tasks", "resources"]


def test_deadlines_are_the_end_of_the_day_in_beijing_time():
    d7 = programme_calendar(dt.date(2026, 11, 27), RATES)[0]
    assert d7.due_at.utcoffset() == dt.timedelta(hours=8)
    assert d7.due_at == dt.datetime(2026, 12, 4, 23, 59, 59, tzinfo=BEIJING)
    # in UTC that is 15:59:59 the same day: a seller in Europe must finish by their afternoon
    assert d7.due_at.astimezone(dt.timezone.utc) == \
        dt.datetime(2026, 12, 4, 15, 59, 59, tzinfo=dt.timezone.utc)


def test_fuse_trips_72_hours_after_each_deadline():
    # 72 h = 3 days: 2026-12-04 23:59:59 -> 2026-12-07 23:59:59 (+08:00);
    # 2026-12-27 -> 2026-12-30; 2027-02-25 -> 2027-02-28
    d7, d30, d90 = programme_calendar(dt.date(2026, 11, 27), RATES)
    for d in (d7, d30, d90):
        assert d.fuse_at - d.due_at == dt.timedelta(hours=72)
    assert d7.fuse_at == dt.datetime(2026, 12, 7, 23, 59, 59, tzinfo=BEIJING)
    assert d30.fuse_at == dt.datetime(2026, 12, 30, 23, 59, 59, tzinfo=BEIJING)
    assert d90.fuse_at == dt.datetime(2027, 2, 28, 23, 59, 59, tzinfo=BEIJING)


def test_deadlines_across_a_leap_february():
    # T+0 2028-01-31: T+30 = Jan 31 + 29 days of Feb 2028 (leap) + 1 = 2028-03-01
    # T+90 = 2028-01-31 + 90: 29 (Feb) + 31 (Mar) + 30 (Apr) = 90 -> 2028-04-30
    d7, d30, d90 = programme_calendar(dt.date(2028, 1, 31), RATES)
    assert d7.date == dt.date(2028, 2, 7)
    assert d30.date == dt.date(2028, 3, 1)
    assert d90.date == dt.date(2028, 4, 30)


def test_a_late_submission_trips_the_fuse_only_after_72_hours():
    d30 = programme_calendar(dt.date(2026, 11, 27), RATES)[1]
    # a task handed in at 23:59 Beijing on 2026-12-30 is 71 h 59 min 1 s late: no fuse
    assert dt.datetime(2026, 12, 30, 23, 59, tzinfo=BEIJING) <= d30.fuse_at
    # at 00:00 on 2026-12-31 Beijing it is over 72 h late: the fuse has tripped
    assert dt.datetime(2026, 12, 31, 0, 0, tzinfo=BEIJING) > d30.fuse_at
    # the same instant written in UTC (16:00 on Dec 30) is the same verdict
    assert dt.datetime(2026, 12, 30, 16, 0, tzinfo=dt.timezone.utc) > d30.fuse_at


def test_calendar_follows_the_rate_card():
    rates = RATES.with_overrides({"calendar.fuse_hours": 48})
    d7 = programme_calendar(dt.date(2026, 11, 27), rates)[0]
    assert d7.fuse_at == dt.datetime(2026, 12, 6, 23, 59, 59, tzinfo=BEIJING)
