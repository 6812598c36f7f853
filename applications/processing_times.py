"""How long decisions take, computed from the decisions really taken (issue 18).

Per prefecture and ground: the days from the dossier's completion to its decision, over the
decisions taken in the last `PROCESSING_WINDOW_DAYS` days, summed up by
`applications.rules.processing_figures` (median, 80th percentile, at least
`PROCESSING_MIN_DECISIONS` decisions). Shown to the applicant as dates on their dossier and to
everyone on the public page `/processing-times/`.

What counts as a decision: a favourable one (whatever happened to the card since) or a refusal,
of a dossier that was complete. Closures are left out: most close a dossier that never was
complete (no answer to a request for documents), and « how long until a decision » is a
question about decisions on the merits. A refusal re-opened since has no decision any more.

The agents' statistics page (applications/statistics.py, issue 20) shows these same figures, and
the days from filing to completion summed up by the same rule (`prefecture_completion_times`):
one definition of what a decision is, of how days are counted (`days_between`, in SQL, each
moment read as a local date) and of the median and the 80th percentile (`processing_figures`).

The figures change slowly, so they are kept in the cache for the day (the day is in the key:
tomorrow's first reader computes tomorrow's window). Nothing personal is kept: counts and days.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import Application
from applications.rules import (
    PROCESSING_MIN_DECISIONS,
    ProcessingFigures,
    processing_figures,
    processing_window_start,
)
from reference.models import Ground, Prefecture

DECISION_STATES = frozenset(
    {
        ApplicationStatus.FAVOURABLE,
        ApplicationStatus.CARD_AVAILABLE,
        ApplicationStatus.CLOSED_CARD_HANDED_OVER,
        ApplicationStatus.UNFAVOURABLE,
    }
)
# A dossier whose `decided_at` counts as a decision: decided on the merits, once complete.
COUNTED_DECISION = Q(status__in=sorted(DECISION_STATES), completed_at__isnull=False)
CACHE_KEY = "processing-times:v1:%s:%s"  # prefecture pk, day
CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class GroundTimes:
    """One ground at one prefecture: how many decisions in the window, and the figures when
    there are enough of them (None: « not enough data yet »)."""

    ground_id: int
    count: int
    figures: ProcessingFigures | None


@dataclass(frozen=True)
class PrefectureTimes:
    prefecture_id: int
    starts_on: date  # the period covered, both days included
    ends_on: date
    by_ground: dict[int, GroundTimes]

    def for_ground(self, ground_id: int) -> GroundTimes:
        return self.by_ground.get(ground_id, GroundTimes(ground_id, 0, None))


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def days_between(start, end):
    """The whole days from `start` to `end` (expressions of moments), each read as a date in
    the local time zone, computed by the database: a duration (`timedelta`) per row."""
    return TruncDate(end) - TruncDate(start)


def decided_in(prefecture_id: int, starts_on: date, today: date) -> QuerySet[Application]:
    """The decisions that count (see the module's docstring), taken from `starts_on` to `today`
    (both days included)."""
    return Application.objects.filter(
        COUNTED_DECISION,
        prefecture_id=prefecture_id,
        decided_at__gte=_day_start(starts_on),
        decided_at__lt=_day_start(today + timedelta(days=1)),
    )


# The first time a dossier was complete (a correction asked afterwards does not restart the
# count); `completed_at` for rows written before `first_completed_at` existed.
FIRST_COMPLETED = Coalesce(F("first_completed_at"), F("completed_at"))


def completed_in(prefecture_id: int, starts_on: date, today: date) -> QuerySet[Application]:
    """The dossiers first complete from `starts_on` to `today` (both days included)."""
    return Application.objects.annotate(first_complete=FIRST_COMPLETED).filter(
        prefecture_id=prefecture_id,
        filed_at__isnull=False,
        first_complete__gte=_day_start(starts_on),
        first_complete__lt=_day_start(today + timedelta(days=1)),
    )


def _durations_by_ground(queryset: QuerySet, start, end) -> dict[int, list[int]]:
    """Days from `start` to `end` of each row, by ground (never negative: a date typed in
    the wrong order counts as the same day). The database counts the rows of each ground and
    number of days (a few hundred rows come back, not one per dossier: issue 20, a year of
    200,000 dossiers); the lists are rebuilt from these counts for `processing_figures`."""
    rows = (
        queryset.order_by()
        .values("ground_id", days=days_between(start, end))
        .annotate(count=Count("pk"))
        .values_list("ground_id", "days", "count")
    )
    durations: dict[int, list[int]] = {}
    for ground_id, duration, count in rows:
        durations.setdefault(ground_id, []).extend([max(duration.days, 0)] * count)
    return durations


def _times(prefecture_id: int, starts_on: date, today: date, durations) -> PrefectureTimes:
    return PrefectureTimes(
        prefecture_id=prefecture_id,
        starts_on=starts_on,
        ends_on=today,
        by_ground={
            ground_id: GroundTimes(ground_id, len(days), processing_figures(days))
            for ground_id, days in durations.items()
        },
    )


def _compute(prefecture_id: int, today: date) -> PrefectureTimes:
    starts_on = processing_window_start(today)
    durations = _durations_by_ground(
        decided_in(prefecture_id, starts_on, today), F("completed_at"), F("decided_at")
    )
    return _times(prefecture_id, starts_on, today, durations)


def prefecture_completion_times(
    prefecture_id: int, *, today: date | None = None
) -> PrefectureTimes:
    """Days from filing to (first) completion of the dossiers first complete in the same window
    as the decisions, summed up by the same rule (agents' statistics; not cached: agents only)."""
    today = today or timezone.localdate()
    starts_on = processing_window_start(today)
    durations = _durations_by_ground(
        completed_in(prefecture_id, starts_on, today), F("filed_at"), FIRST_COMPLETED
    )
    return _times(prefecture_id, starts_on, today, durations)


def prefecture_processing_times(
    prefecture_id: int, *, today: date | None = None
) -> PrefectureTimes:
    """The figures of one prefecture for the window ending `today`, from the cache when another
    reader computed them today."""
    today = today or timezone.localdate()
    key = CACHE_KEY % (prefecture_id, today.isoformat())
    times = cache.get(key)
    if times is None:
        times = _compute(prefecture_id, today)
        cache.set(key, times, CACHE_SECONDS)
    return times


def prefecture_list_public() -> list[Prefecture]:
    return list(Prefecture.objects.order_by("departement_code"))


def ground_times_public(
    prefecture: Prefecture, *, today: date | None = None
) -> tuple[PrefectureTimes, list[tuple[Ground, GroundTimes]]]:
    """The public page's rows: every ground offered, with its figures at this prefecture."""
    times = prefecture_processing_times(prefecture.pk, today=today)
    grounds = Ground.objects.filter(active=True, is_procedure=False)
    return times, [(ground, times.for_ground(ground.pk)) for ground in grounds]


# --- On the applicant's dossier --------------------------------------------------------------


@dataclass(frozen=True)
class DecisionWindow:
    """« Most decisions come between `earliest` and `latest` » for one complete dossier;
    `overdue` when `latest` has passed (this dossier takes longer than most)."""

    earliest: date
    latest: date
    figures: ProcessingFigures
    overdue: bool


def application_decision_window(
    application: Application, *, today: date | None = None
) -> DecisionWindow | None:
    """Completion date + median … + 80th percentile, for a complete dossier awaiting its
    decision at a prefecture with enough recent decisions on its ground; None otherwise."""
    if application.status != ApplicationStatus.COMPLETE or application.completed_at is None:
        return None
    today = today or timezone.localdate()
    figures = (
        prefecture_processing_times(application.prefecture_id, today=today)
        .for_ground(application.ground_id)
        .figures
    )
    if figures is None:
        return None
    complete_on = timezone.localdate(application.completed_at)
    latest = complete_on + timedelta(days=figures.p80_days)
    return DecisionWindow(
        earliest=complete_on + timedelta(days=figures.median_days),
        latest=latest,
        figures=figures,
        overdue=latest < today,
    )


__all__ = [
    "COUNTED_DECISION",
    "FIRST_COMPLETED",
    "PROCESSING_MIN_DECISIONS",
    "DecisionWindow",
    "GroundTimes",
    "PrefectureTimes",
    "application_decision_window",
    "completed_in",
    "days_between",
    "decided_in",
    "ground_times_public",
    "prefecture_completion_times",
    "prefecture_list_public",
    "prefecture_processing_times",
]
