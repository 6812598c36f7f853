"""Working days in France: weekdays other than the public holidays of Code du travail L. 3133-1.

Pure (no database, no clock). The contact centre's deadlines (`support.rules.WorkingCalendar`)
and the grace a renewal gets after an outage (`applications.rules`) both count these days, so
the list of holidays is written once, here, below every domain app.
"""

from datetime import date, timedelta
from functools import cache

import holidays

MONDAY_TO_FRIDAY = frozenset({0, 1, 2, 3, 4})


@cache
def french_public_holidays(year: int) -> frozenset[date]:
    """The public holidays of Code du travail L. 3133-1 for `year` (metropolitan France), from
    the `holidays` package (pinned; tests/support/test_rules.py holds its list for 2025-2030).

    Fixed: 1 January, 1 May, 8 May, 14 July, 15 August, 1 November, 11 November, 25 December.
    Moving with Easter: Easter Monday (+1), Ascension Thursday (+39), Whit Monday (+50).
    Whit Monday is also the "solidarity day", but public services' contact centres close on it.
    Alsace-Moselle's extra days (Good Friday, 26 December) are not counted: the contact centre
    is national (no subdivision asked).
    """
    return frozenset(holidays.France(years=year))


def is_working_day(day: date, weekdays: frozenset[int] = MONDAY_TO_FRIDAY) -> bool:
    """A day of `weekdays` (0 = Monday) that is not a public holiday."""
    return day.weekday() in weekdays and day not in french_public_holidays(day.year)


def nth_working_day_after(day: date, count: int) -> date:
    """The `count`-th working day strictly after `day` (`day` itself when `count` is 0):
    after Friday 1 May 2026 (a holiday), the 1st is Monday 4 May."""
    if count < 0:
        raise ValueError("A number of working days cannot be negative.")
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
