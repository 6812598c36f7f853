"""Issue 21: the automatic inquiry about a dossier 30 days past the upper bound shown to its
applicant (support/inquiries.py)."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from applications.enums import ApplicationStatus
from applications.workbench.models import Assignment
from reference.models import Prefecture
from support import tasks
from support.enums import MessageKind, TicketCategory, TicketChannel, TicketStatus
from support.inquiries import inquiries_open_due, inquiry_open, inquiry_panel
from support.models import DossierInquiry, Ticket
from tests.accounts.factories import ApplicantFactory, PrefectureAgentFactory
from tests.applications.factories import ApplicationFactory, ground
from tests.concurrency import postgresql_only, run_at_once

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
TODAY = datetime.date(2026, 11, 24)
# Decisions taken 1 … 30 days after completion: the 80th percentile is 24 days.
P80 = 24


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@pytest.fixture
def paris(reference_data):
    return Prefecture.objects.get(departement_code="75")


def _figures(prefecture, count=30):
    """`count` favourable decisions of the last days, 1 … `count` days after completion."""
    for days in range(1, count + 1):
        ApplicationFactory(
            prefecture=prefecture,
            ground=ground("parent_of_french_child"),
            status=ApplicationStatus.FAVOURABLE,
            filed_at=_at(TODAY - DAY * (days + 6)),
            completed_at=_at(TODAY - DAY * (days + 1)),
            decided_at=_at(TODAY - DAY),
        )


def _waiting(prefecture, *, days_over: int, status=ApplicationStatus.COMPLETE, **kwargs):
    """A complete dossier whose upper bound (completion + p80) passed `days_over` days ago."""
    return ApplicationFactory(
        prefecture=prefecture,
        status=status,
        filed_at=_at(TODAY - DAY * (P80 + days_over + 10)),
        completed_at=_at(TODAY - DAY * (P80 + days_over)),
        **kwargs,
    )


# --- When -----------------------------------------------------------------------------------


def test_inquiry_exactly_30_days_over_opened(paris):
    _figures(paris)
    application = _waiting(paris, days_over=30)
    assert inquiries_open_due(today=TODAY) == 1
    inquiry = DossierInquiry.objects.get(application=application)
    assert inquiry.latest_expected_on == TODAY - 30 * DAY


def test_inquiry_29_days_over_not_opened(paris):
    _figures(paris)
    _waiting(paris, days_over=29)
    assert inquiries_open_due(today=TODAY) == 0
    assert not DossierInquiry.objects.exists()


def test_inquiry_not_enough_decisions_for_a_figure_not_opened(paris):
    _figures(paris, count=29)  # « not enough data yet »: no bound shown, none to measure
    _waiting(paris, days_over=200)
    assert inquiries_open_due(today=TODAY) == 0
    assert not Ticket.objects.exists()


def test_inquiry_decided_dossier_not_opened(paris):
    _figures(paris)
    _waiting(paris, days_over=60, status=ApplicationStatus.FAVOURABLE, decided_at=_at(TODAY))
    assert inquiries_open_due(today=TODAY) == 0
    assert not DossierInquiry.objects.exists()


def test_inquiry_ticket_is_the_reserved_category_sent_to_the_prefecture(paris):
    _figures(paris)
    application = _waiting(paris, days_over=31)
    inquiries_open_due(today=TODAY)
    ticket = Ticket.objects.get(application=application)
    assert (ticket.category, ticket.channel, ticket.status) == (
        TicketCategory.PROCESSING_DELAY,
        TicketChannel.AUTOMATIC,
        TicketStatus.ESCALATED,
    )
    assert ticket.prefecture == paris
    assert ticket.escalated_to_prefecture_at is not None
    assert ticket.person == application.applicant


def test_inquiry_opened_sends_no_receipt_email(
    paris, mailoutbox, django_capture_on_commit_callbacks
):
    _figures(paris)
    _waiting(paris, days_over=30)
    with django_capture_on_commit_callbacks(execute=True):
        inquiries_open_due(today=TODAY)
    assert mailoutbox == []


# --- Once -----------------------------------------------------------------------------------


def test_inquiry_second_run_opens_nothing_more(paris):
    _figures(paris)
    _waiting(paris, days_over=30)
    inquiries_open_due(today=TODAY)
    assert inquiries_open_due(today=TODAY + DAY) == 0
    assert (DossierInquiry.objects.count(), Ticket.objects.count()) == (1, 1)


def test_inquiry_open_twice_on_one_dossier_returns_none_and_keeps_one_ticket(paris):
    _figures(paris)
    application = _waiting(paris, days_over=30)
    assert inquiry_open(application, today=TODAY) is not None
    assert inquiry_open(application, today=TODAY) is None  # the database refused the second
    assert Ticket.objects.count() == 1


def test_inquiry_task_is_scheduled_daily_in_beat():
    from celery.schedules import crontab
    from django.conf import settings

    from anef.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["support-open-dossier-inquiries"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert isinstance(entry["schedule"], crontab)


def test_inquiry_task_runs_the_sweep(paris):
    _figures(paris)
    _waiting(paris, days_over=30)
    with time_machine.travel(_at(TODAY), tick=False):
        assert tasks.open_dossier_inquiries() == 1


def test_inquiry_sweep_queries_per_batch_do_not_grow_with_dossiers(
    paris, django_assert_max_num_queries
):
    _figures(paris)
    for _ in range(6):
        _waiting(paris, days_over=10)  # not due: read, never written
    # distinct prefectures, figures (2: decisions by ground), 3 batches of 2 and the last empty
    with django_assert_max_num_queries(8):
        inquiries_open_due(today=TODAY, batch_size=2)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_inquiry_two_workers_at_once_open_one(reference_data):
    paris = Prefecture.objects.get(departement_code="75")
    _figures(paris)
    application = _waiting(paris, days_over=30)
    errors = run_at_once(lambda _: inquiries_open_due(today=TODAY), [1, 2])
    assert errors == []
    assert DossierInquiry.objects.filter(application=application).count() == 1
    assert Ticket.objects.count() == 1


# --- Whom -----------------------------------------------------------------------------------


def _routing_note(application) -> str:
    ticket = Ticket.objects.get(application=application)
    return ticket.messages.get(kind=MessageKind.NOTE).body


def test_inquiry_assigned_dossier_goes_to_its_agent(paris):
    _figures(paris)
    application = _waiting(paris, days_over=30)
    agent = PrefectureAgentFactory(prefecture=paris, first_name="Inès", last_name="Martin")
    Assignment.objects.create(application=application, agent=agent, assigned_by=agent)
    inquiries_open_due(today=TODAY)
    assert DossierInquiry.objects.get().addressed_to == agent
    assert "Inès Martin" in _routing_note(application)


def test_inquiry_unassigned_dossier_goes_to_the_prefecture_team(paris):
    _figures(paris)
    application = _waiting(paris, days_over=30)
    PrefectureAgentFactory(prefecture=paris, first_name="Inès", last_name="Martin")
    inquiries_open_due(today=TODAY)
    assert DossierInquiry.objects.get().addressed_to is None
    assert Ticket.objects.get().prefecture == paris
    assert "Inès Martin" not in _routing_note(application)  # for the team, naming nobody


def test_inquiry_ticket_listed_in_the_prefecture_back_office(client, paris):
    _figures(paris)
    application = _waiting(paris, days_over=30)
    inquiries_open_due(today=TODAY)
    client.force_login(PrefectureAgentFactory(prefecture=paris))
    page = client.get(reverse("support_backoffice:list")).content.decode()
    assert Ticket.objects.get(application=application).number in page


# --- What the person sees -------------------------------------------------------------------


def _detail(client, user, application, language):
    client.force_login(user)
    client.cookies.load({"django_language": language})
    with translation.override(language):
        url = reverse("portal:application_detail", kwargs={"reference": application.reference})
    return client.get(url, headers={"accept-language": language})


def _asked(paris):
    _figures(paris)
    application = _waiting(paris, days_over=30)
    inquiries_open_due(today=TODAY)
    return application, DossierInquiry.objects.get(application=application)


def test_inquiry_panel_in_english_tells_the_day(client, paris):
    application, inquiry = _asked(paris)
    page = _detail(client, application.applicant, application, "en").content.decode()
    with translation.override("en"):
        day = date_format(timezone.localtime(inquiry.opened_at), "DATE_FORMAT")
    assert f"We asked the prefecture about your application on {day}." in page


def test_inquiry_panel_in_french_tells_the_day_in_french(client, paris):
    application, inquiry = _asked(paris)
    page = _detail(client, application.applicant, application, "fr").content.decode()
    with translation.override("fr"):
        day = date_format(timezone.localtime(inquiry.opened_at), "DATE_FORMAT")
    assert 'id="dossier-inquiry"' in page
    assert day in page and day.split()[1] in {
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
        "août", "septembre", "octobre", "novembre", "décembre",
    }  # fmt: skip


def test_inquiry_panel_absent_without_inquiry(client, paris):
    application = _waiting(paris, days_over=30)
    page = _detail(client, application.applicant, application, "en").content.decode()
    assert 'id="dossier-inquiry"' not in page


def test_inquiry_panel_other_applicant_cannot_open_the_dossier(client, paris):
    application, _inquiry = _asked(paris)
    response = _detail(client, ApplicantFactory(), application, "en")
    assert response.status_code == 404


def test_inquiry_panel_provider_gives_nothing_for_someone_else_dossier(paris):
    application, _inquiry = _asked(paris)
    assert inquiry_panel(ApplicantFactory(), application) == {"dossier_inquiry": None}
    assert inquiry_panel(application.applicant, application)["dossier_inquiry"] is not None


def test_inquiry_panel_provider_gives_nothing_to_a_prefecture_agent(paris):
    application, _inquiry = _asked(paris)
    agent = PrefectureAgentFactory(prefecture=paris)
    assert inquiry_panel(agent, application) == {"dossier_inquiry": None}
