"""Pure rules of the contact centre: no database, no clock (pass `now`).

Deadlines count working hours: the contact centre's opening hours on working days, public
holidays excluded (Code du travail, L. 3133-1: the eleven French public holidays, three of which
move with Easter). A request sent on Friday evening is not "late" on Monday morning; a request
sent before a long weekend gets the days it needs.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from anef.working_days import french_public_holidays

_HOUR = re.compile(r"^(\d{1,2}):(\d{2})$")


def _parse_time(value: str | time) -> time:
    if isinstance(value, time):
        return value
    match = _HOUR.match(value)
    if not match:
        raise ValueError(f"Not an hour: {value!r} (expected HH:MM)")
    return time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class WorkingCalendar:
    """When the contact centre works: hours on given weekdays (0 = Monday), minus holidays."""

    opens: time = time(9, 0)
    closes: time = time(17, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    timezone: str = "Europe/Paris"
    extra_closed_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self):
        if self.closes <= self.opens:
            raise ValueError("The contact centre must close after it opens.")
        if not self.weekdays:
            raise ValueError("The contact centre must work at least one day a week.")

    @classmethod
    def from_settings(cls, config: dict, timezone: str) -> "WorkingCalendar":
        """From settings.SUPPORT_WORKING_HOURS ({"OPENS": "09:00", "CLOSES": "17:00",
        "WEEKDAYS": [0, 1, 2, 3, 4], "EXTRA_CLOSED_DAYS": ["2026-12-24"]})."""
        return cls(
            opens=_parse_time(config.get("OPENS", "09:00")),
            closes=_parse_time(config.get("CLOSES", "17:00")),
            weekdays=frozenset(config.get("WEEKDAYS", (0, 1, 2, 3, 4))),
            timezone=timezone,
            extra_closed_days=frozenset(
                date.fromisoformat(day) for day in config.get("EXTRA_CLOSED_DAYS", ())
            ),
        )

    @property
    def hours_per_day(self) -> timedelta:
        return datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() in self.weekdays
            and day not in french_public_holidays(day.year)
            and day not in self.extra_closed_days
        )

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


def _local(moment: datetime, calendar: WorkingCalendar) -> datetime:
    """`moment` as a naive wall-clock time of the contact centre."""
    if moment.tzinfo is None:
        raise ValueError("An aware datetime is needed.")
    return moment.astimezone(ZoneInfo(calendar.timezone)).replace(tzinfo=None)


def _aware(wall: datetime, calendar: WorkingCalendar) -> datetime:
    return wall.replace(tzinfo=ZoneInfo(calendar.timezone))


def add_working_time(start: datetime, duration: timedelta, calendar: WorkingCalendar) -> datetime:
    """The moment when `duration` of working time has passed since `start`.

    Time outside working hours does not count: a request sent on Friday at 18:00 starts counting
    on Monday at opening (Tuesday after Easter Monday). A deadline that falls exactly at closing
    time stays at closing time (not the next opening).
    """
    if duration < timedelta(0):
        raise ValueError("A duration of working time cannot be negative.")
    wall = _local(start, calendar)
    day = wall.date()
    if not calendar.is_working_day(day) or wall.time() >= calendar.closes:
        day = calendar.next_working_day(day)
        wall = datetime.combine(day, calendar.opens)
    elif wall.time() < calendar.opens:
        wall = datetime.combine(day, calendar.opens)
    remaining = duration
    while True:
        closing = datetime.combine(wall.date(), calendar.closes)
        available = closing - wall
        if remaining <= available:
            return _aware(wall + remaining, calendar)
        remaining -= available
        wall = datetime.combine(calendar.next_working_day(wall.date()), calendar.opens)


def add_working_days(start: datetime, days: int | float, calendar: WorkingCalendar) -> datetime:
    """`days` working days of working time after `start` (a day = the day's opening hours)."""
    return add_working_time(start, calendar.hours_per_day * days, calendar)


def working_time_between(start: datetime, end: datetime, calendar: WorkingCalendar) -> timedelta:
    """How much working time passed from `start` to `end` (zero if `end` is not after)."""
    if end <= start:
        return timedelta(0)
    first, last = _local(start, calendar), _local(end, calendar)
    total = timedelta(0)
    day = first.date()
    while day <= last.date():
        if calendar.is_working_day(day):
            opens = datetime.combine(day, calendar.opens)
            closes = datetime.combine(day, calendar.closes)
            begin, finish = max(opens, first), min(closes, last)
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return total


def resumed_due_at(
    due_at: datetime, paused_at: datetime, now: datetime, calendar: WorkingCalendar
) -> tuple[datetime, timedelta]:
    """A clock paused at `paused_at` (waiting for the person) starts again at `now`: the due
    date moves by exactly the working time that passed meanwhile (none over a weekend or a
    holiday). Returns (new due date, paused working time)."""
    paused = working_time_between(paused_at, now, calendar)
    if not paused:
        return due_at, paused
    return add_working_time(due_at, paused, calendar), paused


@dataclass(frozen=True)
class Deadlines:
    first_response_due_at: datetime
    resolution_due_at: datetime


def ticket_deadlines(
    created_at: datetime,
    calendar: WorkingCalendar,
    *,
    first_response_working_days: float,
    resolution_working_days: float,
) -> Deadlines:
    """When a ticket must get its first answer and its resolution (issue 5: first response
    within 2 working days by default)."""
    return Deadlines(
        first_response_due_at=add_working_days(created_at, first_response_working_days, calendar),
        resolution_due_at=add_working_days(created_at, resolution_working_days, calendar),
    )


def first_response_overdue(
    *, due_at: datetime | None, responded_at: datetime | None, now: datetime
) -> bool:
    """Late if nobody answered the person by the deadline (an internal note is not an answer:
    `responded_at` is only set by a message the person can read)."""
    if due_at is None:
        return False
    if responded_at is not None:
        return responded_at > due_at
    return now > due_at


def resolution_overdue(
    *, due_at: datetime | None, resolved_at: datetime | None, now: datetime
) -> bool:
    if due_at is None:
        return False
    if resolved_at is not None:
        return resolved_at > due_at
    return now > due_at


def raised_priority(priority: int, highest: int) -> int:
    """One step up, never above the highest."""
    return min(priority + 1, highest)


def median_working_hours(
    pairs: list[tuple[datetime, datetime]], calendar: WorkingCalendar
) -> float | None:
    """The median working time (in hours, one decimal) from creation to first response."""
    if not pairs:
        return None
    durations = [
        working_time_between(start, end, calendar).total_seconds() / 3600 for start, end in pairs
    ]
    return round(median(durations), 1)


SAVED_ANSWER_LANGUAGES = ("fr", "en", "ar")


@dataclass(frozen=True)
class AnswerVariant:
    language: str  # the variant given
    text: str
    wanted: str  # the ticket's language
    fell_back: bool  # the ticket's language has no variant: French given instead


def saved_answer_variant(bodies: dict[str, str], language: str | None) -> AnswerVariant:
    """The saved answer's text in `language` (the ticket's: the person's language), or French
    when that variant is missing or blank; `fell_back` tells the agent so."""
    wanted = (language or "fr").split("-")[0].lower()
    if wanted not in SAVED_ANSWER_LANGUAGES:
        wanted = "fr"
    text = (bodies.get(wanted) or "").strip()
    if text:
        return AnswerVariant(language=wanted, text=text, wanted=wanted, fell_back=False)
    return AnswerVariant(
        language="fr", text=(bodies.get("fr") or "").strip(), wanted=wanted, fell_back=True
    )


# --- Callbacks (issue 21) ------------------------------------------------------------------------


def callback_slots(
    now: datetime,
    calendar: WorkingCalendar,
    *,
    slot_minutes: int,
    working_days_ahead: int,
    min_notice: timedelta = timedelta(0),
) -> list[datetime]:
    """The slots a person may choose: every `slot_minutes` within opening hours, on the working
    days from today to `working_days_ahead` working days later, starting strictly after
    `now + min_notice` and ending by closing time."""
    step = timedelta(minutes=slot_minutes)
    earliest = now + min_notice
    slots: list[datetime] = []
    day = _local(now, calendar).date()
    if not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
    for _index in range(working_days_ahead + 1):
        start = datetime.combine(day, calendar.opens)
        closing = datetime.combine(day, calendar.closes)
        while start + step <= closing:
            moment = _aware(start, calendar)
            if moment > earliest:
                slots.append(moment)
            start += step
        day = calendar.next_working_day(day)
    return slots


def is_callback_slot(
    moment: datetime,
    now: datetime,
    calendar: WorkingCalendar,
    *,
    slot_minutes: int,
    working_days_ahead: int,
    min_notice: timedelta = timedelta(0),
) -> bool:
    return moment in callback_slots(
        now,
        calendar,
        slot_minutes=slot_minutes,
        working_days_ahead=working_days_ahead,
        min_notice=min_notice,
    )


def median_minutes(delays: list[timedelta]) -> int | None:
    """The median of delays in whole minutes (None for none)."""
    if not delays:
        return None
    return round(median(delay.total_seconds() for delay in delays) / 60)


# --- Automatic inquiry (issue 21) ----------------------------------------------------------------

# Days past the upper bound shown to the applicant (« most decisions come between … and
# <latest> ») after which the contact centre asks the prefecture about the dossier.
INQUIRY_DAYS_OVER = 30


def inquiry_due(latest: date, today: date) -> bool:
    """True from the `INQUIRY_DAYS_OVER`-th day after `latest` (exactly 30 days over: due)."""
    return (today - latest).days >= INQUIRY_DAYS_OVER
