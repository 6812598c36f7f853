"""Issue 18, « every deadline a date »: processing times computed from decisions, the decision's
notification, and the dates shown to the applicant and on the public page."""

import datetime

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from anef.errors import DomainError
from anef.models import OutgoingMessage
from applications.enums import ApplicationStatus, EventKind, NotificationChannel
from applications.processing_times import application_decision_window, prefecture_processing_times
from applications.services import (
    application_decide_unfavourable,
    application_record_notification,
    error_report_accept,
    error_report_create,
)
from reference.models import DecisionReason, Prefecture
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.factories import ApplicationFactory, ground
from tests.applications.helpers import complete

DAY = datetime.timedelta(days=1)


@pytest.fixture
def paris_agent(paris):
    return PrefectureAgentFactory(prefecture=paris)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def decided(prefecture, *, days: int, decided_on: datetime.date, code="parent_of_french_child"):
    """A favourable decision taken `days` days after the dossier was complete."""
    return ApplicationFactory(
        prefecture=prefecture,
        ground=ground(code),
        status=ApplicationStatus.FAVOURABLE,
        filed_at=_at(decided_on - datetime.timedelta(days=days + 5)),
        completed_at=_at(decided_on - datetime.timedelta(days=days)),
        decided_at=_at(decided_on),
    )


def _times(prefecture, today):
    return prefecture_processing_times(prefecture.pk, today=today).for_ground(
        ground("parent_of_french_child").pk
    )


# --- Processing times -------------------------------------------------------------------------


def test_processing_times_29_decisions_not_enough_data(paris):
    today = timezone.localdate()
    for _ in range(29):
        decided(paris, days=20, decided_on=today)
    times = _times(paris, today)
    assert (times.count, times.figures) == (29, None)


def test_processing_times_30_decisions_give_figures(paris):
    today = timezone.localdate()
    for days in range(1, 31):
        decided(paris, days=days, decided_on=today - DAY)
    figures = _times(paris, today).figures
    assert (figures.count, figures.median_days, figures.p80_days) == (30, 16, 24)


def test_processing_times_decision_90_days_ago_counts(paris):
    today = timezone.localdate()
    decided(paris, days=7, decided_on=today - 90 * DAY)
    assert _times(paris, today).count == 1


def test_processing_times_decision_91_days_ago_left_out(paris):
    today = timezone.localdate()
    decided(paris, days=7, decided_on=today - 91 * DAY)
    assert _times(paris, today).count == 0


def test_processing_times_other_prefecture_and_ground_left_out(paris, reference_data):
    today = timezone.localdate()
    decided(Prefecture.objects.get(departement_code="69"), days=7, decided_on=today)
    decided(paris, days=7, decided_on=today, code="salaried_worker")
    assert _times(paris, today).count == 0


def test_processing_times_closures_left_out(paris):
    today = timezone.localdate()
    closed = decided(paris, days=7, decided_on=today)
    type(closed).objects.filter(pk=closed.pk).update(
        status=ApplicationStatus.CLOSED,
        decision_reason=DecisionReason.objects.filter(kind="closure").first(),
        decision_explanation="x",
        decision_legal_basis="x",
        decision_remedies="x",
    )
    assert _times(paris, today).count == 0


def test_processing_times_kept_for_the_day(paris, django_assert_num_queries):
    today = timezone.localdate()
    prefecture_processing_times(paris.pk, today=today)
    with django_assert_num_queries(0):
        prefecture_processing_times(paris.pk, today=today)


def test_decision_window_from_completion_date(paris):
    today = timezone.localdate()
    for days in range(1, 31):
        decided(paris, days=days, decided_on=today - DAY)
    pending = ApplicationFactory(
        prefecture=paris, status=ApplicationStatus.COMPLETE, completed_at=_at(today - 3 * DAY)
    )
    window = application_decision_window(pending, today=today)
    assert (window.earliest, window.latest, window.overdue) == (
        today - 3 * DAY + 16 * DAY,
        today - 3 * DAY + 24 * DAY,
        False,
    )


# --- Notification -----------------------------------------------------------------------------


def _refuse(application, agent, **kwargs):
    return application_decide_unfavourable(
        application=application,
        actor=agent,
        reason=DecisionReason.objects.get(code="conditions_not_met"),
        explanation="Your salary is below the threshold.",
        legal_basis="CESEDA L. 421-1",
        remedies="Recours gracieux ou contentieux dans les 2 mois.",
        **kwargs,
    )


@pytest.fixture
def person(reference_data):
    return ApplicantProfileFactory(postal_code="75011", city="Paris")


def test_notification_online_writes_email_and_records_today(person, paris_agent):
    refused = _refuse(complete(person, paris_agent), paris_agent, obligation_to_leave=False)
    assert (refused.notification_channel, refused.notified_on) == (
        NotificationChannel.PORTAL_EMAIL,
        timezone.localdate(),
    )
    message = OutgoingMessage.objects.get(recipient=person.user.email)
    assert refused.reference in message.body
    assert refused.events.filter(kind=EventKind.DECISION_NOTIFIED).exists()
    assert (
        LogEntry.objects.get_for_object(refused)
        .filter(additional_data__action="decision_notification")
        .exists()
    )


def test_notification_letter_sends_no_email_and_waits_for_the_day(person, paris_agent):
    refused = _refuse(
        complete(person, paris_agent),
        paris_agent,
        obligation_to_leave=False,
        notification_channel=NotificationChannel.LETTER,
    )
    assert (refused.notification_channel, refused.notified_on) == (NotificationChannel.LETTER, None)
    assert not OutgoingMessage.objects.filter(recipient=person.user.email).exists()


def test_notification_recorded_by_agent(person, paris_agent):
    refused = _refuse(
        complete(person, paris_agent),
        paris_agent,
        obligation_to_leave=False,
        notification_channel=NotificationChannel.LETTER,
    )
    today = timezone.localdate()
    recorded = application_record_notification(
        application=refused,
        actor=paris_agent,
        channel=NotificationChannel.LETTER,
        notified_on=today,
    )
    assert recorded.notified_on == today
    assert recorded.events.filter(kind=EventKind.DECISION_NOTIFIED).exists()


def test_notification_in_the_future_refused(person, paris_agent):
    refused = _refuse(complete(person, paris_agent), paris_agent, obligation_to_leave=False)
    with pytest.raises(DomainError):
        application_record_notification(
            application=refused,
            actor=paris_agent,
            channel=NotificationChannel.LETTER,
            notified_on=timezone.localdate() + DAY,
        )


def test_notification_before_the_decision_refused(person, paris_agent):
    refused = _refuse(complete(person, paris_agent), paris_agent, obligation_to_leave=False)
    with pytest.raises(DomainError):
        application_record_notification(
            application=refused,
            actor=paris_agent,
            channel=NotificationChannel.LETTER,
            notified_on=timezone.localdate() - DAY,
        )


def test_notification_without_decision_refused(person, paris_agent):
    with pytest.raises(DomainError):
        application_record_notification(
            application=complete(person, paris_agent),
            actor=paris_agent,
            channel=NotificationChannel.LETTER,
            notified_on=timezone.localdate(),
        )


def test_notification_cleared_when_decision_reopened(person, paris_agent):
    refused = _refuse(complete(person, paris_agent), paris_agent, obligation_to_leave=False)
    report = error_report_create(
        application=refused, category="other", description="Wrong.", actor=person.user
    )
    error_report_accept(report=report, actor=paris_agent, note="Fixed.", reopen=True)
    refused.refresh_from_db()
    assert (refused.notified_on, refused.notification_channel) == (None, "")


def test_views_backoffice_record_notification(client, person, paris_agent):
    refused = _refuse(
        complete(person, paris_agent),
        paris_agent,
        obligation_to_leave=False,
        notification_channel=NotificationChannel.HAND_DELIVERY,
    )
    client.force_login(paris_agent)
    today = timezone.localdate()
    client.post(
        reverse("backoffice:application_record_notification", args=[refused.reference]),
        {"notification-channel": "hand_delivery", "notification-notified_on": today.isoformat()},
    )
    refused.refresh_from_db()
    assert refused.notified_on == today


def test_views_backoffice_record_notification_other_prefecture_not_found(
    client, person, paris_agent, reference_data
):
    refused = _refuse(
        complete(person, paris_agent),
        paris_agent,
        obligation_to_leave=False,
        notification_channel=NotificationChannel.LETTER,
    )
    client.force_login(
        PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="69"))
    )
    response = client.post(
        reverse("backoffice:application_record_notification", args=[refused.reference]),
        {"notification-channel": "letter", "notification-notified_on": timezone.localdate()},
    )
    assert response.status_code == 404
    refused.refresh_from_db()
    assert refused.notified_on is None


# --- The applicant's page ---------------------------------------------------------------------


def _detail(client, application, language="en"):
    client.force_login(application.applicant)
    client.cookies.load({"django_language": language})
    with translation.override(language):
        url = reverse("portal:application_detail", kwargs={"reference": application.reference})
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_views_portal_refusal_without_oqtf_shows_date(client, person, paris_agent):
    refused = _refuse(complete(person, paris_agent), paris_agent, obligation_to_leave=False)
    page = _detail(client, refused)
    with translation.override("en"):
        date_text = date_format(timezone.localdate() + relativedelta(months=2), "DATE_FORMAT")
    assert f"Before {date_text}" in page
    assert "act quickly" not in page


def test_views_portal_refusal_with_oqtf_shows_no_date(client, person, paris_agent):
    refused = _refuse(complete(person, paris_agent), paris_agent, obligation_to_leave=True)
    page = _detail(client, refused)
    assert "Before " not in page
    assert "This decision comes with an obligation to leave France (OQTF)." in page
    assert "Recours gracieux ou contentieux dans les 2 mois." in page  # its own wording


def test_views_portal_refusal_by_letter_says_delay_starts_on_notification(
    client, person, paris_agent
):
    refused = _refuse(
        complete(person, paris_agent),
        paris_agent,
        obligation_to_leave=False,
        notification_channel=NotificationChannel.LETTER,
    )
    page = _detail(client, refused)
    assert "counted from the day it is notified to you" in page
    assert "Before " not in page


def test_views_portal_complete_shows_implicit_rejection_date_in_french(client, person, paris_agent):
    pending = complete(person, paris_agent)
    page = _detail(client, pending, "fr")
    with translation.override("fr"):
        date_text = date_format(
            timezone.localdate(pending.completed_at) + relativedelta(months=4), "DATE_FORMAT"
        )
    assert date_text in page
    assert 'id="implicit-rejection"' in page


def test_views_portal_complete_shows_decision_window(client, person, paris_agent, paris):
    today = timezone.localdate()
    for days in range(1, 31):
        decided(paris, days=days, decided_on=today - DAY)
    pending = complete(person, paris_agent)
    page = _detail(client, pending)
    with translation.override("en"):
        earliest = date_format(today + 16 * DAY, "DATE_FORMAT")
        latest = date_format(today + 24 * DAY, "DATE_FORMAT")
    assert f"Most decisions come between {earliest} and {latest}." in page
    assert reverse("processing_times:prefecture", kwargs={"code": paris.code}) in page


def test_views_portal_complete_without_data_says_so(client, person, paris_agent):
    page = _detail(client, complete(person, paris_agent))
    assert "Most decisions come between" not in page
    assert "a few months" not in page


# --- The public page --------------------------------------------------------------------------


def test_views_public_processing_times_anonymous_shows_figures(client, paris):
    today = timezone.localdate()
    for days in range(1, 31):
        decided(paris, days=days, decided_on=today - DAY)
    response = client.get(
        reverse("processing_times:prefecture", kwargs={"code": paris.code}),
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<td>30</td>" in page
    assert "16 days" in page and "24 days" in page


def test_views_public_processing_times_29_not_enough(client, paris):
    today = timezone.localdate()
    for _ in range(29):
        decided(paris, days=9, decided_on=today)
    page = client.get(
        reverse("processing_times:prefecture", kwargs={"code": paris.code}),
        headers={"accept-language": "en"},
    ).content.decode()
    assert "Not enough data yet" in page
    assert "<td>29</td>" not in page  # a small count is not published


def test_views_public_processing_times_shows_no_personal_data(client, paris):
    today = timezone.localdate()
    applications = [decided(paris, days=days, decided_on=today) for days in range(1, 31)]
    for index, application in enumerate(applications):
        # A name no page text can hold by chance (a random « Page » met « Page d'accueil »).
        application.applicant.last_name = f"Xyzzyname{index:02d}"
        application.applicant.save(update_fields=["last_name"])
    page = client.get(
        reverse("processing_times:prefecture", kwargs={"code": paris.code})
    ).content.decode()
    for application in applications:
        person = application.applicant
        for value in (application.reference, person.email, person.last_name):
            assert value not in page


def test_views_public_processing_times_unknown_prefecture_not_found(client, reference_data):
    response = client.get(reverse("processing_times:prefecture", kwargs={"code": "nowhere"}))
    assert response.status_code == 404


def test_views_public_processing_times_index_lists_prefectures(client, paris):
    page = client.get(reverse("processing_times:index")).content.decode()
    assert reverse("processing_times:prefecture", kwargs={"code": paris.code}) in page
