"""The prefecture's figures (issue 20): weekly counts, backlog by age and times per ground, the
latter the very figures of applications/processing_times.py that applicants are shown."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.processing_times import (
    prefecture_completion_times,
    prefecture_processing_times,
)
from applications.rules import processing_figures
from applications.statistics import backlog_by_age, prefecture_statistics, weekly_counts
from reference.models import DecisionReason, Ground, Prefecture
from tests.accounts.factories import (
    AdministratorFactory,
    ContactCentreAgentFactory,
    PrefectureAgentFactory,
    PrefectureSupervisorFactory,
)
from tests.applications.factories import ApplicationFactory

EN = {"accept-language": "en"}
TODAY = datetime.date(2026, 11, 18)  # a Wednesday


@pytest.fixture
def lyon(reference_data) -> Prefecture:
    return Prefecture.objects.get(departement_code="69")


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _dossier(
    prefecture, *, filed, completed=None, decided=None, status=None, ground=None, **fields
):
    if status is None:
        status = (
            ApplicationStatus.FAVOURABLE
            if decided
            else ApplicationStatus.COMPLETE
            if completed
            else ApplicationStatus.SUBMITTED
        )
    return ApplicationFactory(
        prefecture=prefecture,
        status=status,
        ground=ground or Ground.objects.get(code="parent_of_french_child"),
        filed_at=_at(filed),
        completed_at=_at(completed) if completed else None,
        first_completed_at=_at(completed) if completed else None,
        decided_at=_at(decided) if decided else None,
        **fields,
    )


# --- Weekly counts ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_statistics_weekly_counts_each_event_in_its_week(paris):
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    _dossier(
        paris,
        filed=monday - datetime.timedelta(weeks=3),
        completed=monday - datetime.timedelta(weeks=2),
        decided=monday,
    )
    weeks = weekly_counts(paris.pk, TODAY)
    assert len(weeks) == 12 and weeks[-1].starts_on == monday
    assert (weeks[-4].filed, weeks[-3].completed, weeks[-1].decided) == (1, 1, 1)
    assert sum(week.filed + week.completed + week.decided for week in weeks) == 3


@pytest.mark.django_db
def test_statistics_weekly_counts_weeks_are_local_mondays_to_sundays(paris):
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    earlier_monday = monday - datetime.timedelta(weeks=1)
    # Sunday 23:30 and Monday 00:30 in Paris (the latter still Sunday in UTC), and a Thursday.
    for moment in (
        timezone.make_aware(datetime.datetime.combine(monday, datetime.time(0, 30)))
        - datetime.timedelta(hours=1),
        timezone.make_aware(datetime.datetime.combine(monday, datetime.time(0, 30))),
        _at(earlier_monday + datetime.timedelta(days=3)),
    ):
        ApplicationFactory(prefecture=paris, status=ApplicationStatus.SUBMITTED, filed_at=moment)

    weeks = weekly_counts(paris.pk, TODAY)

    assert (weeks[-2].starts_on, weeks[-2].filed) == (earlier_monday, 2)
    assert (weeks[-1].starts_on, weeks[-1].filed) == (monday, 1)


@pytest.mark.django_db
def test_statistics_weekly_counts_ignore_other_prefecture(lyon, paris):
    _dossier(lyon, filed=TODAY)
    assert sum(week.filed for week in weekly_counts(paris.pk, TODAY)) == 0


@pytest.mark.django_db
def test_statistics_weekly_counts_closure_is_not_a_decision(paris):
    _dossier(
        paris,
        filed=TODAY,
        completed=TODAY,
        decided=TODAY,
        status=ApplicationStatus.CLOSED,
        decision_reason=DecisionReason.objects.first(),
        decision_explanation="No answer.",
        decision_legal_basis="R. 431-1",
        decision_remedies="Two months.",
    )
    assert weekly_counts(paris.pk, TODAY)[-1].decided == 0


@pytest.mark.django_db
def test_statistics_weekly_counts_before_twelve_weeks_left_out(paris):
    _dossier(paris, filed=TODAY - datetime.timedelta(weeks=12, days=TODAY.weekday() + 1))
    assert sum(week.filed for week in weekly_counts(paris.pk, TODAY)) == 0


# --- Backlog by age -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("age", "bucket"), [(0, 0), (29, 0), (30, 1), (59, 1), (60, 2), (119, 3), (120, 4), (400, 4)]
)
def test_statistics_backlog_age_lands_in_its_bucket(paris, age, bucket):
    _dossier(paris, filed=TODAY - datetime.timedelta(days=age))
    counts = [entry.count for entry in backlog_by_age(paris.pk, TODAY)]
    assert counts == [1 if index == bucket else 0 for index in range(5)]


@pytest.mark.django_db
def test_statistics_backlog_leaves_decided_out(paris):
    _dossier(paris, filed=TODAY, completed=TODAY, decided=TODAY)
    assert sum(entry.count for entry in backlog_by_age(paris.pk, TODAY)) == 0


# --- Times per ground: one definition -----------------------------------------------------------


@pytest.mark.django_db
def test_statistics_decision_times_are_the_applicants_figures(paris):
    for days in range(30):
        completed = TODAY - datetime.timedelta(days=60)
        _dossier(
            paris,
            filed=completed,
            completed=completed,
            decided=completed + datetime.timedelta(days=days),
        )
    figures = prefecture_statistics(paris, today=TODAY)
    (row,) = figures.grounds
    public = prefecture_processing_times(paris.pk, today=TODAY).for_ground(row.ground.pk)
    assert row.decision == public
    assert row.decision.figures == processing_figures(list(range(30)))


@pytest.mark.django_db
def test_statistics_completion_times_counted_in_local_days(paris):
    for days in range(30):
        completed = TODAY - datetime.timedelta(days=10)
        ApplicationFactory(
            prefecture=paris,
            status=ApplicationStatus.COMPLETE,
            # 23:30 local on the filing day: still that day, whatever UTC says
            filed_at=_at(completed - datetime.timedelta(days=days), hour=23)
            + datetime.timedelta(minutes=30),
            completed_at=_at(completed, hour=8),
            first_completed_at=_at(completed, hour=8),
        )
    ground_id = Ground.objects.get(code="parent_of_french_child").pk
    times = prefecture_completion_times(paris.pk, today=TODAY).for_ground(ground_id)
    assert times.count == 30
    assert times.figures == processing_figures(list(range(30)))


# --- Page ---------------------------------------------------------------------------------------


def _get(user, **params):
    client = Client(headers=EN)
    client.force_login(user)
    return client.get(reverse("backoffice:statistics"), params)


@pytest.mark.django_db
def test_statistics_page_agent_sees_own_prefecture_whatever_the_address(paris):
    response = _get(PrefectureAgentFactory(prefecture=paris), prefecture="69")
    assert response.status_code == 200
    assert response.context["prefecture"] == paris


@pytest.mark.django_db
def test_statistics_page_supervisor_sees_own_prefecture(paris):
    response = _get(PrefectureSupervisorFactory(prefecture=paris))
    assert response.context["prefecture"] == paris


@pytest.mark.django_db
def test_statistics_page_administrator_chooses_the_prefecture(lyon):
    response = _get(AdministratorFactory(), prefecture="69")
    assert response.status_code == 200
    assert response.context["prefecture"] == lyon


@pytest.mark.django_db
def test_statistics_page_contact_centre_agent_forbidden(reference_data):
    assert _get(ContactCentreAgentFactory()).status_code == 403


@pytest.mark.django_db
def test_statistics_page_chart_is_an_image_followed_by_its_table(paris):
    _dossier(paris, filed=timezone.localdate())
    html = _get(PrefectureAgentFactory(prefecture=paris)).content.decode()
    chart = html.index('role="img" aria-labelledby="chart-weeks-title chart-weeks-desc"')
    assert chart < html.index('<table id="table-weeks">') < html.index('id="chart-backlog-title"')
    assert "style=" not in html[chart : html.index("</svg>", chart)]
