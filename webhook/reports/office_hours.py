"""When staff confirm reports: the office hours of working days in Japan.

The hours are ``Settings.office_hours`` (by default 8:30-17:15). Staff do not work
on Saturdays, Sundays, Japan's national holidays (from the ``holidays`` package) or
the year-end closure from 29 December to 3 January. Every function takes an aware
datetime and works in Japan time, which has no daylight saving time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from cityline.settings import OfficeHours

JAPAN = ZoneInfo("Asia/Tokyo")
DEFAULT_HOURS = OfficeHours()


@lru_cache(maxsize=32)
def _holidays_of(year: int) -> holidays.HolidayBase:
    return holidays.Japan(years=year)


def is_year_end_closure(day: date) -> bool:
    """Return True from 29 December to 3 January."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_working_day(day: date) -> bool:
    """Return True when city hall is open on ``day`` (a Japan date)."""
    if day.weekday() >= 5:
        return False
    if is_year_end_closure(day):
        return False
    return day not in _holidays_of(day.year)


def _require_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime {moment!r} has no time zone; pass an aware one")
    return moment.astimezone(JAPAN)


def is_office_hours(moment: datetime, hours: OfficeHours = DEFAULT_HOURS) -> bool:
    """Return True when staff are at work at ``moment`` (opening time included)."""
    local = _require_aware(moment)
    if not is_working_day(local.date()):
        return False
    return hours.opens <= local.time() < hours.closes


def next_confirmation_time(
    moment: datetime, hours: OfficeHours = DEFAULT_HOURS
) -> datetime:
    """Return the next time staff start confirming, in Japan time.

    During office hours this is ``moment`` itself. Otherwise it is the opening time
    on the same day (before opening on a working day) or on the next working day.
    """
    local = _require_aware(moment)
    if is_office_hours(local, hours):
        return local
    day = local.date()
    if not (is_working_day(day) and local.time() < hours.opens):
        day += timedelta(days=1)
        while not is_working_day(day):
            day += timedelta(days=1)
    return datetime.combine(day, hours.opens, tzinfo=JAPAN)


WEEKDAY_NAMES = "月火水木金土日"


def iso_in_japan(moment: datetime | None) -> str | None:
    """Return ``moment`` as ISO 8601 in Japan time to the second, or None."""
    if moment is None:
        return None
    return moment.astimezone(JAPAN).isoformat(timespec="seconds")


def format_japanese(moment: datetime) -> str:
    """Format ``moment`` as residents read it, e.g. 12月7日（月）8:30."""
    local = _require_aware(moment)
    weekday = WEEKDAY_NAMES[local.weekday()]
    return f"{local.month}月{local.day}日（{weekday}）{local.hour}:{local.minute:02d}"
