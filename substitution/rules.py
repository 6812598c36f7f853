"""Pure rules of substitution: no database, no clock (the caller passes `now` / `today`)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from substitution.enums import CaseOrigin


def offer_due(
    failure_times: Iterable[datetime], *, now: datetime, threshold: int, window_days: int
) -> bool:
    """Whether a person has failed an essential step often enough to be offered substitution
    at once (issue 6 "Automatic offer", DESIGN.md §3): at least `threshold` failures in the
    `window_days` days up to `now`. A failure exactly `window_days` old has left the window;
    one dated in the future (clock skew) does not count."""
    start = now - timedelta(days=window_days)
    return sum(1 for moment in failure_times if start < moment <= now) >= threshold


def _parse(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def opening_intervals(
    opening_hours: Mapping[str, Sequence], weekday: int
) -> list[tuple[time, time]]:
    """The intervals a desk is open on `weekday` (0 = Monday), from its `opening_hours`
    mapping {"0": [["09:00", "12:00"], ...]}; a malformed entry is ignored, not fatal."""
    intervals = []
    for entry in opening_hours.get(str(weekday), []) or []:
        try:
            start, end = _parse(entry[0]), _parse(entry[1])
        except (TypeError, ValueError, IndexError):
            continue
        if start < end:
            intervals.append((start, end))
    return sorted(intervals)


def is_open(opening_hours: Mapping[str, Sequence], at: datetime) -> bool:
    """Whether a desk is open at the local time `at` (start included, end excluded)."""
    moment = at.time()
    return any(
        start <= moment < end for start, end in opening_intervals(opening_hours, at.weekday())
    )


@dataclass(frozen=True)
class SlotTime:
    day: date
    start: time
    end: time


def weekly_pattern_slots(
    *,
    first_day: date,
    last_day: date,
    weekdays: Iterable[int],
    day_start: time,
    day_end: time,
    minutes: int,
) -> list[SlotTime]:
    """The slots of a weekly pattern: on each chosen weekday between `first_day` and `last_day`
    (inclusive), consecutive slots of `minutes` from `day_start`, the last one ending by
    `day_end`."""
    if minutes <= 0 or last_day < first_day or day_end <= day_start:
        return []
    chosen = set(weekdays)
    length = timedelta(minutes=minutes)
    slots: list[SlotTime] = []
    day = first_day
    while day <= last_day:
        if day.weekday() in chosen:
            start = datetime.combine(day, day_start)
            limit = datetime.combine(day, day_end)
            while start + length <= limit:
                slots.append(SlotTime(day, start.time(), (start + length).time()))
                start += length
        day += timedelta(days=1)
    return slots


def wait_days(today: date, next_free_day: date | None) -> int | None:
    """Days until the next free slot (0 = today); None when there is no free slot."""
    if next_free_day is None:
        return None
    return max((next_free_day - today).days, 0)


def no_show_rate(*, attended: int, no_show: int) -> float | None:
    """The share of marked appointments where the person did not come; None before any."""
    marked = attended + no_show
    if marked == 0:
        return None
    return no_show / marked


def reminder_due(*, slot_day: date, today: date) -> bool:
    """The reminder is for the day before the appointment."""
    return slot_day == today + timedelta(days=1)


# --- A real person behind a self-service case (issue 15) ----------------------------------------

# Limits of what one network may do by itself in a day (cases opened from the help request,
# cases booked through the private link or the portal). Staff (an agent, the contact centre) and
# helpers, who answer for what they do, are not counted.
LIMIT_WINDOW = timedelta(days=1)
CASES_PER_NETWORK = 3
BOOKED_CASES_PER_NETWORK = 3
# Agents are shown the bookings of a network that reached the limit within this window.
SUSPICION_WINDOW = timedelta(days=7)


def booking_needs_verified_email(*, origin: str, has_account: bool) -> bool:
    """A case opened by the portal from failed attempts, for someone without an account, was
    opened by whoever typed an e-mail address: before that person books a desk's time, they
    prove they read the address (a code sent to it). A case opened by the contact centre or the
    prefecture was opened by staff who spoke to the person; an account holder's address was
    confirmed when the account was made."""
    return origin == CaseOrigin.AUTOMATIC_DETECTION and not has_account


def over_limit(count: int, limit: int) -> bool:
    """Whether one more would pass the limit (`count` already done within the window)."""
    return count >= limit


# How long a freed place is held for the person waiting who is offered it (issue 21: "a
# time-limited accept link, e.g. 2 hours"); also the least notice an offered place gives.
OFFER_VALIDITY = timedelta(hours=2)
