"""Pure rules of substitution: boundaries of the automatic offer's threshold, opening hours,
weekly patterns and figures."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from substitution import rules

NOW = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def ago(**kwargs) -> datetime.datetime:
    return NOW - datetime.timedelta(**kwargs)


def due(times) -> bool:
    return rules.offer_due(times, now=NOW, threshold=3, window_days=7)


def test_rules_offer_due_three_failures_now():
    assert due([NOW, NOW, NOW])


def test_rules_offer_due_two_failures_not_enough():
    assert not due([NOW, ago(days=1)])


def test_rules_offer_due_oldest_just_inside_window():
    assert due([NOW, ago(days=3), ago(days=7) + datetime.timedelta(seconds=1)])


def test_rules_offer_due_oldest_exactly_window_old_has_left():
    assert not due([NOW, ago(days=3), ago(days=7)])


def test_rules_offer_due_future_failure_does_not_count():
    assert not due([NOW, ago(days=1), NOW + datetime.timedelta(seconds=1)])


def test_rules_offer_due_no_failure():
    assert not due([])


def test_rules_offer_due_threshold_one():
    assert rules.offer_due([NOW], now=NOW, threshold=1, window_days=7)


@given(
    st.lists(st.integers(min_value=0, max_value=30 * 24 * 3600), max_size=10),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=14),
)
def test_rules_offer_due_counts_exactly_the_window(seconds_ago, threshold, window_days):
    times = [NOW - datetime.timedelta(seconds=s) for s in seconds_ago]
    inside = sum(1 for s in seconds_ago if s < window_days * 24 * 3600)
    assert rules.offer_due(times, now=NOW, threshold=threshold, window_days=window_days) == (
        inside >= threshold
    )


HOURS = {"0": [["09:00", "12:00"], ["13:30", "16:30"]], "5": [["bad"]]}
MONDAY = datetime.datetime(2026, 11, 30)


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (8, 59, False),
        (9, 0, True),
        (11, 59, True),
        (12, 0, False),
        (13, 29, False),
        (13, 30, True),
        (16, 29, True),
        (16, 30, False),
    ],
)
def test_rules_is_open_boundaries(hour, minute, expected):
    assert rules.is_open(HOURS, MONDAY.replace(hour=hour, minute=minute)) is expected


def test_rules_is_open_closed_day_and_malformed_entry():
    assert not rules.is_open(HOURS, (MONDAY + DAY).replace(hour=10))  # Tuesday: no hours
    assert not rules.is_open(HOURS, (MONDAY + 5 * DAY).replace(hour=10))  # malformed
    assert not rules.is_open({}, MONDAY.replace(hour=10))


def test_rules_weekly_pattern_slots():
    slots = rules.weekly_pattern_slots(
        first_day=MONDAY.date(),
        last_day=MONDAY.date() + 13 * DAY,
        weekdays=[0, 3],
        day_start=datetime.time(9, 0),
        day_end=datetime.time(10, 15),
        minutes=30,
    )
    assert len(slots) == 8  # 4 days × 2 whole slots (10:00–10:30 does not fit)
    assert slots[0] == rules.SlotTime(MONDAY.date(), datetime.time(9, 0), datetime.time(9, 30))
    assert {slot.day.weekday() for slot in slots} == {0, 3}


def test_rules_weekly_pattern_slots_empty_inputs():
    kwargs = {
        "first_day": MONDAY.date(),
        "last_day": MONDAY.date(),
        "weekdays": [0],
        "day_start": datetime.time(9),
        "day_end": datetime.time(10),
        "minutes": 30,
    }
    assert len(rules.weekly_pattern_slots(**kwargs)) == 2
    assert rules.weekly_pattern_slots(**{**kwargs, "minutes": 0}) == []
    assert rules.weekly_pattern_slots(**{**kwargs, "last_day": MONDAY.date() - DAY}) == []
    assert rules.weekly_pattern_slots(**{**kwargs, "day_end": datetime.time(9)}) == []
    assert rules.weekly_pattern_slots(**{**kwargs, "weekdays": [1]}) == []


def test_rules_wait_days():
    today = MONDAY.date()
    assert rules.wait_days(today, None) is None
    assert rules.wait_days(today, today) == 0
    assert rules.wait_days(today, today + 9 * DAY) == 9
    assert rules.wait_days(today, today - DAY) == 0


def test_rules_no_show_rate():
    assert rules.no_show_rate(attended=0, no_show=0) is None
    assert rules.no_show_rate(attended=3, no_show=1) == 0.25
    assert rules.no_show_rate(attended=0, no_show=2) == 1


def test_rules_reminder_due_only_the_day_before():
    today = MONDAY.date()
    assert rules.reminder_due(slot_day=today + DAY, today=today)
    assert not rules.reminder_due(slot_day=today, today=today)
    assert not rules.reminder_due(slot_day=today + 2 * DAY, today=today)
