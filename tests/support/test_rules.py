"""Working-time deadlines (support/rules.py): public holidays, weekends, opening hours, edges."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support import rules

PARIS = ZoneInfo("Europe/Paris")
CALENDAR = rules.WorkingCalendar()  # 09:00-17:00, Monday to Friday, Europe/Paris
DAY = timedelta(hours=8)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


# The list support/rules.py computed by hand before it used the `holidays` package (Easter by
# the anonymous Gregorian algorithm): the eight fixed days, and Easter Monday, Ascension Thursday
# and Whit Monday of each year, written out.
FIXED_HOLIDAYS = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
MOVING_HOLIDAYS = {
    2025: [date(2025, 4, 21), date(2025, 5, 29), date(2025, 6, 9)],
    2026: [date(2026, 4, 6), date(2026, 5, 14), date(2026, 5, 25)],
    2027: [date(2027, 3, 29), date(2027, 5, 6), date(2027, 5, 17)],
    2028: [date(2028, 4, 17), date(2028, 5, 25), date(2028, 6, 5)],
    2029: [date(2029, 4, 2), date(2029, 5, 10), date(2029, 5, 21)],
    2030: [date(2030, 4, 22), date(2030, 5, 30), date(2030, 6, 10)],
}


@pytest.mark.parametrize("year", sorted(MOVING_HOLIDAYS))
def test_rules_french_public_holidays_are_the_eleven_days_of_l3133_1(year):
    expected = {date(year, month, day) for month, day in FIXED_HOLIDAYS}
    expected |= set(MOVING_HOLIDAYS[year])
    assert rules.french_public_holidays(year) == expected


def test_rules_friday_evening_counts_from_monday_opening():
    # Friday 27 November 2026 at 18:00: nothing counts until Monday 09:00.
    due = rules.add_working_days(at(2026, 11, 27, 18, 0), 2, CALENDAR)
    assert due == at(2026, 12, 1, 17, 0)  # end of Tuesday


def test_rules_friday_afternoon_spills_over_the_weekend():
    due = rules.add_working_days(at(2026, 11, 27, 15, 0), 2, CALENDAR)
    # Friday 15-17 (2h), Monday (8h), Tuesday 09-15 (6h) = 16h
    assert due == at(2026, 12, 1, 15, 0)


def test_rules_weekday_morning_before_opening_starts_at_opening():
    due = rules.add_working_days(at(2026, 11, 24, 7, 30), 2, CALENDAR)
    assert due == at(2026, 11, 25, 17, 0)


def test_rules_at_closing_time_starts_next_working_day():
    due = rules.add_working_days(at(2026, 11, 24, 17, 0), 1, CALENDAR)
    assert due == at(2026, 11, 25, 17, 0)


def test_rules_one_minute_before_closing():
    due = rules.add_working_time(at(2026, 11, 24, 16, 59), timedelta(minutes=2), CALENDAR)
    assert due == at(2026, 11, 25, 9, 1)


def test_rules_deadline_exactly_at_closing_stays_that_day():
    due = rules.add_working_time(at(2026, 11, 24, 9, 0), DAY, CALENDAR)
    assert due == at(2026, 11, 24, 17, 0)


def test_rules_easter_monday_is_skipped():
    # Thursday 2 April 2026 at 17:30 → Friday 3 (Good Friday is worked), Monday 6 is Easter
    # Monday: the second working day is Tuesday 7.
    due = rules.add_working_days(at(2026, 4, 2, 17, 30), 2, CALENDAR)
    assert due == at(2026, 4, 7, 17, 0)


def test_rules_new_year_31_december_evening():
    # Thursday 31 December 2026 at 20:00: 1 January (Friday) is a holiday, then the weekend.
    due = rules.add_working_days(at(2026, 12, 31, 20, 0), 2, CALENDAR)
    assert due == at(2027, 1, 5, 17, 0)


def test_rules_31_december_during_the_day_counts():
    due = rules.add_working_days(at(2026, 12, 31, 13, 0), 1, CALENDAR)
    # 31 Dec 13-17 (4h), then Monday 4 January 09-13.
    assert due == at(2027, 1, 4, 13, 0)


def test_rules_ascension_bridge_thursday_skipped():
    # Wednesday 13 May 2026 at 16:00 → Thursday 14 is Ascension.
    due = rules.add_working_time(at(2026, 5, 13, 16, 0), timedelta(hours=2), CALENDAR)
    assert due == at(2026, 5, 15, 10, 0)


def test_rules_two_holidays_in_one_week_may_2026():
    # Thursday 7 May 2026 17:00 → Friday 8 May (holiday), weekend, Monday 11, Tuesday 12.
    due = rules.add_working_days(at(2026, 5, 7, 17, 0), 2, CALENDAR)
    assert due == at(2026, 5, 12, 17, 0)


def test_rules_dst_change_weekend_keeps_wall_clock_hours():
    # Clocks go forward on Sunday 29 March 2026: the deadline is in Paris wall-clock time.
    due = rules.add_working_days(at(2026, 3, 27, 17, 0), 1, CALENDAR)
    assert due == at(2026, 3, 30, 17, 0)
    assert due.utcoffset() == timedelta(hours=2)


def test_rules_accepts_utc_input():
    start = datetime(2026, 11, 27, 17, 0, tzinfo=ZoneInfo("UTC"))  # 18:00 in Paris
    assert rules.add_working_days(start, 2, CALENDAR) == at(2026, 12, 1, 17, 0)


def test_rules_naive_datetime_refused():
    with pytest.raises(ValueError):
        rules.add_working_days(datetime(2026, 11, 27, 18, 0), 2, CALENDAR)


def test_rules_extra_closed_day_from_settings():
    calendar = rules.WorkingCalendar.from_settings(
        {
            "OPENS": "08:30",
            "CLOSES": "12:30",
            "WEEKDAYS": [0, 1, 2, 3, 4],
            "EXTRA_CLOSED_DAYS": ["2026-12-24"],
        },
        "Europe/Paris",
    )
    assert calendar.hours_per_day == timedelta(hours=4)
    due = rules.add_working_days(at(2026, 12, 23, 12, 0), 1, calendar)
    # 23 Dec 12:00-12:30, 24 closed, 25 holiday, weekend, Monday 28 08:30-12:00.
    assert due == at(2026, 12, 28, 12, 0)


def test_rules_working_time_between_skips_nights_weekends_and_holidays():
    start, end = at(2026, 4, 3, 16, 0), at(2026, 4, 7, 10, 0)  # Friday → Tuesday after Easter
    assert rules.working_time_between(start, end, CALENDAR) == timedelta(hours=2)


def test_rules_first_response_overdue_internal_note_is_not_a_response():
    due = at(2026, 11, 25, 17, 0)
    # No public answer yet (a note does not set responded_at): late once past the deadline.
    assert rules.first_response_overdue(due_at=due, responded_at=None, now=due) is False
    assert rules.first_response_overdue(
        due_at=due, responded_at=None, now=due + timedelta(seconds=1)
    )
    assert not rules.first_response_overdue(
        due_at=due, responded_at=due - timedelta(hours=1), now=due + timedelta(days=3)
    )


def test_rules_raised_priority_caps():
    assert rules.raised_priority(1, 3) == 2
    assert rules.raised_priority(3, 3) == 3


def test_rules_median_working_hours():
    pairs = [
        (at(2026, 11, 23, 9, 0), at(2026, 11, 23, 10, 0)),
        (at(2026, 11, 23, 9, 0), at(2026, 11, 23, 12, 0)),
        (at(2026, 11, 27, 16, 0), at(2026, 11, 30, 10, 0)),  # 1h Friday + 1h Monday
    ]
    assert rules.median_working_hours(pairs, CALENDAR) == 2.0
    assert rules.median_working_hours([], CALENDAR) is None


@settings(deadline=None)  # a loaded CI machine must not make a pure function "flaky"
@given(
    start=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)),
    hours=st.integers(min_value=0, max_value=200),
)
def test_rules_deadline_is_always_within_working_hours_and_adds_exactly(start, hours):
    start = start.replace(tzinfo=PARIS)
    due = rules.add_working_time(start, timedelta(hours=hours), CALENDAR)
    local = due.astimezone(PARIS)
    assert CALENDAR.is_working_day(local.date())
    assert time(9, 0) <= local.time() <= time(17, 0)
    assert rules.working_time_between(start, due, CALENDAR) == timedelta(hours=hours)
