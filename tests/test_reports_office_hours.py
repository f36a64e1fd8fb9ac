"""Tests of when staff confirm reports."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from cityline.errors import ConfigError
from cityline.settings import OfficeHours
from webhook.reports.office_hours import (
    JAPAN,
    format_japanese,
    is_office_hours,
    is_working_day,
    next_confirmation_time,
)


def jst(year, month, day, hour=0, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JAPAN)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Friday during hours: staff confirm now.
        (jst(2026, 12, 4, 10, 0), jst(2026, 12, 4, 10, 0)),
        (jst(2026, 12, 4, 8, 30), jst(2026, 12, 4, 8, 30)),
        (jst(2026, 12, 4, 17, 14), jst(2026, 12, 4, 17, 14)),
        # Before opening on a weekday: the same morning.
        (jst(2026, 12, 4, 8, 29), jst(2026, 12, 4, 8, 30)),
        (jst(2026, 12, 3, 0, 5), jst(2026, 12, 3, 8, 30)),
        # At or after closing on Friday: Monday morning.
        (jst(2026, 12, 4, 17, 15), jst(2026, 12, 7, 8, 30)),
        (jst(2026, 12, 4, 23, 59), jst(2026, 12, 7, 8, 30)),
        # Weekend.
        (jst(2026, 12, 5, 12, 0), jst(2026, 12, 7, 8, 30)),
        (jst(2026, 12, 6, 7, 0), jst(2026, 12, 7, 8, 30)),
        # Coming of Age Day, Monday 11 January 2027.
        (jst(2027, 1, 11, 10, 0), jst(2027, 1, 12, 8, 30)),
        (jst(2027, 1, 8, 18, 0), jst(2027, 1, 12, 8, 30)),
        # Year-end closure, 29 December to 3 January.
        (jst(2026, 12, 28, 18, 0), jst(2027, 1, 4, 8, 30)),
        (jst(2026, 12, 29, 10, 0), jst(2027, 1, 4, 8, 30)),
        (jst(2027, 1, 3, 23, 0), jst(2027, 1, 4, 8, 30)),
        # Golden Week: 3-5 May 2027 are holidays after a weekend.
        (jst(2027, 4, 30, 18, 0), jst(2027, 5, 6, 8, 30)),
    ],
)
def test_next_confirmation_time(moment, expected):
    assert next_confirmation_time(moment) == expected


def test_office_hours_boundaries():
    assert is_office_hours(jst(2026, 12, 4, 8, 30))
    assert not is_office_hours(jst(2026, 12, 4, 8, 29))
    assert is_office_hours(jst(2026, 12, 4, 17, 14))
    assert not is_office_hours(jst(2026, 12, 4, 17, 15))


def test_working_days():
    assert is_working_day(jst(2026, 12, 28).date())
    assert not is_working_day(jst(2026, 12, 29).date())
    assert not is_working_day(jst(2027, 1, 1).date())
    assert not is_working_day(jst(2027, 1, 11).date())
    assert not is_working_day(jst(2026, 12, 5).date())


def test_utc_input_is_read_in_japan_time():
    # 00:00 UTC on Friday is 09:00 in Japan, inside office hours.
    moment = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
    assert is_office_hours(moment)
    # 09:00 UTC on Friday is 18:00 in Japan, after closing.
    assert next_confirmation_time(datetime(2026, 12, 4, 9, 0, tzinfo=UTC)) == jst(
        2026, 12, 7, 8, 30
    )


def test_naive_datetime_is_rejected():
    with pytest.raises(ValueError, match="no time zone"):
        next_confirmation_time(datetime(2026, 12, 4, 10, 0))


def test_format_japanese():
    assert format_japanese(jst(2026, 12, 7, 8, 30)) == "12月7日（月）8:30"


NINE_TO_FIVE = OfficeHours(time(9, 0), time(17, 0))


def test_other_office_hours_open_and_close_when_set():
    assert not is_office_hours(jst(2026, 12, 4, 8, 45), NINE_TO_FIVE)
    assert is_office_hours(jst(2026, 12, 4, 16, 59), NINE_TO_FIVE)
    assert not is_office_hours(jst(2026, 12, 4, 17, 0), NINE_TO_FIVE)


def test_next_confirmation_time_uses_the_set_opening_time():
    friday_evening = jst(2026, 12, 4, 17, 5)
    assert next_confirmation_time(friday_evening, NINE_TO_FIVE) == jst(
        2026, 12, 7, 9, 0
    )


def test_office_hours_that_close_before_opening_are_refused():
    with pytest.raises(ConfigError, match="close before they open"):
        OfficeHours(time(17, 0), time(9, 0))
