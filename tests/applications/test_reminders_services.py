"""Sending the renewal reminders (applications/reminders/services.py): once per person, kind,
due day and channel, however many runs; in the person's language; stopped by filing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anef.enums import NotificationLogChannel
from anef.models import NotificationLog, OutgoingMessage
from applications import services
from applications.reminders.rules import INCOMPLETE_30, REMINDER_70, REMINDER_90, WINDOW_OPEN
from applications.reminders.services import renewal_reminders_send
from applications.selectors import application_missing_documents, missing_documents_by_application
from reference.enums import ProcedureKind
from reference.models import GroundRequirement, Prefecture
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.factories import ResidencePermitFactory, ground
from tests.applications.helpers import filed, started
from tests.concurrency import postgresql_only, run_at_once

pytestmark = pytest.mark.django_db(transaction=False)

GROUND = "parent_of_french_child"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def profile(reference_data):
    return ApplicantProfileFactory(postal_code="75014", city="Paris")


def _permit(profile, today, days_left: int):
    return ResidencePermitFactory(
        holder=profile.user,
        ground=ground(GROUND),
        valid_until=today + timedelta(days=days_left),
    )


def _logs(person=None):
    queryset = NotificationLog.objects.all()
    if person is not None:
        queryset = queryset.filter(person=person)
    return sorted(queryset.values_list("kind", "channel"))


def _renewal_messages():
    return OutgoingMessage.objects.filter(idempotency_key__startswith="renewal-reminder:")


def test_service_reminder_sent_once_per_channel(profile, today):
    _permit(profile, today, 120)
    assert renewal_reminders_send(today) == 1
    assert _logs(profile.user) == [(WINDOW_OPEN, "email"), (WINDOW_OPEN, "portal")]
    message = _renewal_messages().get()
    assert message.recipient == profile.user.email
    assert message.person == profile.user
    log = NotificationLog.objects.get(channel=NotificationLogChannel.EMAIL)
    assert (log.due_day, log.subject_type) == (today, "permit")


def test_service_reminder_second_run_sends_nothing(profile, today):
    _permit(profile, today, 120)
    renewal_reminders_send(today)
    assert renewal_reminders_send(today) == 0
    assert renewal_reminders_send(today + timedelta(days=5)) == 0  # same reminder, still due
    assert NotificationLog.objects.count() == 2
    assert _renewal_messages().count() == 1


def test_service_reminder_next_one_on_its_day(profile, today):
    _permit(profile, today, 120)
    renewal_reminders_send(today)
    assert renewal_reminders_send(today + timedelta(days=30)) == 1  # the 90th day
    assert (REMINDER_90, "email") in _logs(profile.user)
    assert _renewal_messages().count() == 2


def test_service_reminder_missed_days_send_only_the_latest(profile, today):
    _permit(profile, today, 65)  # the scheduler never ran from the 120th day to the 65th
    assert renewal_reminders_send(today) == 1
    assert _logs() == [(REMINDER_70, "email"), (REMINDER_70, "portal")]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_service_reminder_two_runs_at_once_send_once(reference_data, today):
    people = [ApplicantProfileFactory(postal_code="75014") for _ in range(3)]
    for person in people:
        _permit(person, today, 90)
    errors = run_at_once(lambda _: renewal_reminders_send(today), range(4))
    assert errors == []
    assert NotificationLog.objects.count() == 6  # 3 people × 2 channels
    assert _renewal_messages().count() == 3


def test_service_reminder_stops_once_the_renewal_is_filed(profile, today):
    permit = _permit(profile, today, 90)
    renewal_reminders_send(today)
    filed(profile, GROUND, kind=ProcedureKind.RENEWAL, renews_permit=permit)
    assert renewal_reminders_send(today + timedelta(days=20)) == 0  # the 70th day
    assert {kind for kind, _channel in _logs()} == {REMINDER_90}


def test_service_reminder_draft_does_not_stop_it(profile, today):
    permit = _permit(profile, today, 70)
    started(profile, GROUND, kind=ProcedureKind.RENEWAL, renews_permit=permit)
    assert renewal_reminders_send(today) == 1


def test_service_reminder_other_person_card_not_sent_to_me(profile, today):
    _permit(profile, today, 120)
    other = ApplicantProfileFactory(postal_code="75011")
    renewal_reminders_send(today)
    assert NotificationLog.objects.filter(person=other.user).count() == 0
    assert _renewal_messages().get().recipient == profile.user.email


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Bonjour "),
        ("en", "Hello "),
        ("ar", "مرحبًا "),
    ],
)
def test_service_reminder_email_in_the_person_language(profile, today, language, expected):
    profile.user.preferred_language = language
    profile.user.save(update_fields=["preferred_language"])
    permit = _permit(profile, today, 120)
    renewal_reminders_send(today)
    message = _renewal_messages().get()
    assert message.language == language
    assert expected in message.body
    assert permit.number in message.body
    assert f"/renewal/?permit={permit.pk}" in message.body  # « renew now », this card chosen


def test_service_reminder_email_unknown_language_is_french(profile, today):
    profile.user.preferred_language = "xx"
    profile.user.save(update_fields=["preferred_language"])
    _permit(profile, today, 120)
    renewal_reminders_send(today)
    assert _renewal_messages().get().language == "fr"


def test_service_reminder_incomplete_names_the_missing_pieces(profile, today):
    permit = _permit(profile, today, 30)
    agent = PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="75"))
    renewal = filed(profile, GROUND, kind=ProcedureKind.RENEWAL, renews_permit=permit)
    requirement = (
        GroundRequirement.objects.filter(ground=renewal.ground)
        .select_related("document_type")
        .first()
    )
    services.correction_request_create(
        application=renewal,
        actor=agent,
        message="Photo floue",
        deadline=today + timedelta(days=10),
        document_types=[requirement.document_type],
    )
    profile.user.preferred_language = "en"
    profile.user.save(update_fields=["preferred_language"])
    assert renewal_reminders_send(today) == 1
    log = NotificationLog.objects.get(channel="email")
    assert (log.kind, log.subject_type, log.subject_id) == (
        INCOMPLETE_30,
        "application",
        renewal.pk,
    )
    body = _renewal_messages().get().body
    assert requirement.document_type.label_en in body
    assert renewal.reference in body
    assert "Photo floue" not in body  # the agent's words stay in the dossier


def test_selector_missing_documents_agrees_with_the_checklist(profile):
    application = started(profile, GROUND)
    assert missing_documents_by_application([application])[application.pk] == (
        application_missing_documents(application)
    )


def test_service_reminder_queries_do_not_grow_with_people(reference_data, today):
    def run_for(count: int) -> int:
        NotificationLog.objects.all().delete()
        for _ in range(count):
            _permit(ApplicantProfileFactory(postal_code="75014"), today, 90)
        with CaptureQueriesContext(connection) as queries:
            renewal_reminders_send(today)
        return len(queries)

    assert run_for(2) == run_for(8)
