"""The renewal reminders' rule (applications/reminders/rules.py): which reminder is due on which
day before a card ends, at every boundary, with dates written out by hand."""

from datetime import date, timedelta

import pytest

from applications.reminders.rules import (
    INCOMPLETE_20,
    INCOMPLETE_30,
    REMINDER_70,
    REMINDER_90,
    WINDOW_OPEN,
    PermitFacts,
    RenewalFacts,
    due_reminder,
    not_filed_schedule,
)
from applications.rules import FilingPolicy

LAW = FilingPolicy()
EXPIRES = date(2027, 6, 30)


def _permit(expires_on=EXPIRES, **kwargs) -> PermitFacts:
    return PermitFacts(permit_id=1, expires_on=expires_on, **kwargs)


def _kind(days_before: int, renewals=(), expires_on=EXPIRES, policy=LAW, **permit):
    reminder = due_reminder(
        _permit(expires_on, **permit), renewals, expires_on - timedelta(days=days_before), policy
    )
    return None if reminder is None else reminder.kind


def _incomplete(status="correction_requested", missing=("passport",), **kwargs) -> RenewalFacts:
    return RenewalFacts(application_id=7, status=status, missing=missing, **kwargs)


# --- No renewal filed: 120th, 90th, 70th day, while the window is open ---------------------


@pytest.mark.parametrize(
    ("days_before", "expected"),
    [
        (200, None),
        (121, None),
        (120, WINDOW_OPEN),
        (119, WINDOW_OPEN),
        (91, WINDOW_OPEN),
        (90, REMINDER_90),
        (89, REMINDER_90),
        (71, REMINDER_90),
        (70, REMINDER_70),
        (69, REMINDER_70),
        (60, REMINDER_70),  # the window's last day
        (59, None),  # the window is closed: no « you can renew until… » any more
        (30, None),
        (0, None),
        (-1, None),
    ],
)
def test_rules_reminder_not_filed_boundaries(days_before, expected):
    assert _kind(days_before) == expected


def test_rules_reminder_not_filed_states_its_dates():
    reminder = due_reminder(_permit(), [], date(2027, 4, 1), LAW)
    assert reminder.kind == REMINDER_90
    assert reminder.due_on == date(2027, 4, 1)  # 30 June − 90 days
    assert reminder.opens_on == date(2027, 3, 2)  # − 120 days
    assert reminder.closes_on == date(2027, 5, 1)  # − 60 days
    assert reminder.days_left(date(2027, 4, 1)) == 31  # 1 April to 1 May, both included
    assert reminder.days_left(date(2027, 5, 1)) == 1
    assert reminder.subject == ("permit", 1)


def test_rules_reminder_missed_days_catch_up_with_the_latest_only():
    # The scheduler was down from the 121st to the 75th day: on the 75th, only the 90th day's
    # reminder is due, not the 120th's; down until the 65th, only the 70th day's.
    assert _kind(75) == REMINDER_90
    reminder = due_reminder(_permit(), [], EXPIRES - timedelta(days=65), LAW)
    assert (reminder.kind, reminder.due_on) == (REMINDER_70, date(2027, 4, 21))


def test_rules_reminder_leap_year_120th_day_is_29_february():
    expires = date(2028, 6, 28)
    schedule = not_filed_schedule(expires, LAW)
    assert schedule == [
        (WINDOW_OPEN, date(2028, 2, 29)),
        (REMINDER_90, date(2028, 3, 30)),
        (REMINDER_70, date(2028, 4, 19)),
    ]
    assert due_reminder(_permit(expires), [], date(2028, 2, 28), LAW) is None
    assert due_reminder(_permit(expires), [], date(2028, 2, 29), LAW).kind == WINDOW_OPEN


def test_rules_reminder_across_the_year_end():
    expires = date(2027, 3, 10)
    assert not_filed_schedule(expires, LAW) == [
        (WINDOW_OPEN, date(2026, 11, 10)),
        (REMINDER_90, date(2026, 12, 10)),
        (REMINDER_70, date(2026, 12, 30)),
    ]
    assert due_reminder(_permit(expires), [], date(2027, 1, 9), LAW).kind == REMINDER_70
    assert due_reminder(_permit(expires), [], date(2027, 1, 10), LAW) is None  # window closed


def test_rules_reminder_incomplete_across_the_year_end():
    expires = date(2027, 1, 19)
    # 30 days before: 20 December; 20 days before: 30 December.
    assert due_reminder(_permit(expires), [_incomplete()], date(2026, 12, 19), LAW) is None
    assert due_reminder(_permit(expires), [_incomplete()], date(2026, 12, 20), LAW).kind == (
        INCOMPLETE_30
    )
    assert due_reminder(_permit(expires), [_incomplete()], date(2026, 12, 30), LAW).kind == (
        INCOMPLETE_20
    )


def test_rules_reminder_wider_policy_follows_the_window():
    policy = FilingPolicy(renewal_window_start_days=150, filed_before_expiry_counts_as_in_time=True)
    assert _kind(151, policy=policy) is None
    assert _kind(150, policy=policy) == WINDOW_OPEN
    assert _kind(59, policy=policy) == REMINDER_70  # any day before the end counts as in time
    assert _kind(0, policy=policy) == REMINDER_70
    assert _kind(-1, policy=policy) is None


def test_rules_reminder_card_renewed_offline_only_when_its_window_opens():
    # R. 431-5: within the two months before the card ends (30 April to 30 June).
    assert _kind(62, renewed_online=False) is None  # 29 April
    assert _kind(61, renewed_online=False) == WINDOW_OPEN  # 30 April
    assert _kind(10, renewed_online=False) == WINDOW_OPEN
    assert _kind(0, renewed_online=False) == WINDOW_OPEN


@pytest.mark.parametrize("facts", [{"renewable": False}, {"replaced": True}])
def test_rules_reminder_card_not_renewable_or_replaced_none(facts):
    assert _kind(90, **facts) is None


# --- A renewal filed stops the reminders; an incomplete one is reminded of what lacks -------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("draft", REMINDER_90),  # a draft is not filed
        ("withdrawn", REMINDER_90),  # withdrawn: no longer counts
        ("submitted", None),
        ("complete", None),
        ("unfavourable", None),
    ],
)
def test_rules_reminder_stops_once_filed(status, expected):
    renewal = RenewalFacts(application_id=7, status=status)
    assert _kind(90, [renewal]) == expected


@pytest.mark.parametrize(
    ("days_before", "expected"),
    [
        (90, None),
        (31, None),
        (30, INCOMPLETE_30),
        (29, INCOMPLETE_30),
        (21, INCOMPLETE_30),
        (20, INCOMPLETE_20),
        (19, INCOMPLETE_20),
        (0, INCOMPLETE_20),  # the card's last day
        (-1, None),
    ],
)
def test_rules_reminder_incomplete_boundaries(days_before, expected):
    assert _kind(days_before, [_incomplete()]) == expected


def test_rules_reminder_incomplete_names_the_missing_pieces():
    reminder = due_reminder(
        _permit(), [_incomplete(missing=("passport", "photo"))], EXPIRES - timedelta(days=25), LAW
    )
    assert reminder.missing == ("passport", "photo")
    assert reminder.subject == ("application", 7)
    assert reminder.days_left(EXPIRES) == 1


@pytest.mark.parametrize(
    "renewals",
    [
        [_incomplete(status="submitted", missing=())],  # nothing left for the person to do
        [_incomplete(status="complete")],
        [_incomplete(), RenewalFacts(application_id=8, status="complete")],
    ],
)
def test_rules_reminder_incomplete_nothing_to_do_none(renewals):
    assert _kind(25, renewals) is None


def test_rules_reminder_incomplete_correction_without_pieces_is_reminded():
    renewal = _incomplete(missing=(), correction_requested=True)
    assert _kind(25, [renewal]) == INCOMPLETE_30
