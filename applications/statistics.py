"""A prefecture's figures for its agents and supervisor (issue 20): dossiers filed, completed
and decided per week, the backlog awaiting a decision by age, and per ground the days from
filing to completion and from completion to decision.

Counts are aggregated by the database, one query each whatever the number of dossiers. The
times per ground are those of `applications.processing_times` — the same definition of a
decision, of a day and of the median and the 80th percentile (`rules.processing_figures`), the
very figures applicants are shown — so that agents and applicants never read two versions.
Nothing personal: counts and days."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, DateField, Q, When
from django.db.models.functions import Cast, TruncWeek
from django.utils import timezone

from applications.models import Application
from applications.processing_times import (
    COUNTED_DECISION,
    FIRST_COMPLETED,
    GroundTimes,
    PrefectureTimes,
    prefecture_completion_times,
    prefecture_processing_times,
)
from applications.workflow import UNDECIDED_STATES
from reference.models import Ground, Prefecture

WEEKS = 12
# Age of a dossier awaiting a decision, in days since it was filed: [from, until). Four months
# is when silence on a complete dossier becomes an implicit rejection (rules.py).
AGE_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (0, 30),
    (30, 60),
    (60, 90),
    (90, 120),
    (120, None),
)


@dataclass(frozen=True)
class WeekCounts:
    starts_on: date  # a Monday
    filed: int
    completed: int
    decided: int


@dataclass(frozen=True)
class AgeBucket:
    from_days: int
    until_days: int | None
    count: int


@dataclass(frozen=True)
class GroundFigures:
    ground: Ground
    completion: GroundTimes  # filing → first completion
    decision: GroundTimes  # completion → decision


@dataclass(frozen=True)
class PrefectureStatistics:
    prefecture: Prefecture
    today: date
    weeks: list[WeekCounts]
    backlog: list[AgeBucket]
    grounds: list[GroundFigures]
    times_start_on: date  # the window of the times per ground, both days included
    times_end_on: date

    @property
    def backlog_total(self) -> int:
        return sum(bucket.count for bucket in self.backlog)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def week_starts(today: date) -> list[date]:
    """The Mondays of the last `WEEKS` weeks, the current one last."""
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=WEEKS - 1 - index) for index in range(WEEKS)]


def _week_of(field: str, condition: Q, low: datetime, high: datetime) -> Case:
    """The Monday of the (local) week of `field` when the row counts and falls in [low, high);
    NULL otherwise."""
    in_range = condition & Q(**{f"{field}__gte": low, f"{field}__lt": high})
    monday = Cast(TruncWeek(field, output_field=DateField()), DateField())  # a date, not midnight
    return Case(When(in_range, then=monday), default=None, output_field=DateField())


def weekly_counts(prefecture_id: int, today: date) -> list[WeekCounts]:
    """One query: for each week, the dossiers filed, first complete and decided. The database
    groups the dossiers of the 12 weeks by their three weeks (filing, completion, decision) and
    counts each group: one pass over them, a few hundred groups back (issue 20: a year of
    200,000 dossiers)."""
    mondays = week_starts(today)
    low, high = _day_start(mondays[0]), _day_start(mondays[-1] + timedelta(weeks=1))
    everything = Q()
    groups = (
        Application.objects.annotate(first_complete=FIRST_COMPLETED)
        .filter(prefecture_id=prefecture_id)
        .filter(
            Q(filed_at__gte=low, filed_at__lt=high)
            | Q(first_complete__gte=low, first_complete__lt=high)
            | (COUNTED_DECISION & Q(decided_at__gte=low, decided_at__lt=high))
        )
        .order_by()
        .values(
            filed=_week_of("filed_at", everything, low, high),
            completed=_week_of("first_complete", everything, low, high),
            decided=_week_of("decided_at", COUNTED_DECISION, low, high),
        )
        .annotate(count=Count("pk"))
    )
    counts = {kind: Counter() for kind in ("filed", "completed", "decided")}
    for group in groups:
        for kind, weeks in counts.items():
            if group[kind] is not None:
                weeks[group[kind]] += group["count"]
    return [
        WeekCounts(
            starts_on=monday,
            filed=counts["filed"][monday],
            completed=counts["completed"][monday],
            decided=counts["decided"][monday],
        )
        for monday in mondays
    ]


def backlog_by_age(prefecture_id: int, today: date) -> list[AgeBucket]:
    """One query: the dossiers awaiting a decision, by days since filing (as of `today`)."""
    aggregates = {}
    for index, (from_days, until_days) in enumerate(AGE_BUCKETS):
        # age = today − filing day: from_days ≤ age < until_days
        condition = Q(filed_at__lt=_day_start(today - timedelta(days=from_days - 1)))
        if until_days is not None:
            condition &= Q(filed_at__gte=_day_start(today - timedelta(days=until_days - 1)))
        aggregates[f"bucket_{index}"] = Count("pk", filter=condition)
    counts = Application.objects.filter(
        prefecture_id=prefecture_id,
        status__in=sorted(UNDECIDED_STATES),
        filed_at__isnull=False,
    ).aggregate(**aggregates)
    return [
        AgeBucket(from_days, until_days, counts[f"bucket_{index}"])
        for index, (from_days, until_days) in enumerate(AGE_BUCKETS)
    ]


def ground_figures(completion: PrefectureTimes, decision: PrefectureTimes) -> list[GroundFigures]:
    """The grounds with at least one completion or decision in the window, by label."""
    ids = set(completion.by_ground) | set(decision.by_ground)
    grounds = sorted(Ground.objects.filter(pk__in=ids), key=lambda ground: ground.label)
    return [
        GroundFigures(ground, completion.for_ground(ground.pk), decision.for_ground(ground.pk))
        for ground in grounds
    ]


def prefecture_statistics(
    prefecture: Prefecture, *, today: date | None = None
) -> PrefectureStatistics:
    """The statistics page of one prefecture, in a fixed number of queries."""
    today = today or timezone.localdate()
    decision = prefecture_processing_times(prefecture.pk, today=today)
    completion = prefecture_completion_times(prefecture.pk, today=today)
    return PrefectureStatistics(
        prefecture=prefecture,
        today=today,
        weeks=weekly_counts(prefecture.pk, today),
        backlog=backlog_by_age(prefecture.pk, today),
        grounds=ground_figures(completion, decision),
        times_start_on=decision.starts_on,
        times_end_on=decision.ends_on,
    )
