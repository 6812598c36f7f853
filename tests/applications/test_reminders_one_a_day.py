"""One renewal reminder per person per day at most, the most urgent (applications/reminders/):
a card's filing reminder and an incomplete renewal's reminder due the same day do not both go;
the other follows the next day."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from anef.models import NotificationLog, OutgoingMessage
from applications import services
from applications.reminders.models import RenewalNoticeDay
from applications.reminders.rules import (
    INCOMPLETE_20,
    INCOMPLETE_30,
    REMINDER_70,
    REMINDER_90,
    WINDOW_OPEN,
    Reminder,
    most_urgent,
)
from applications.reminders.services import renewal_reminders_send
from reference.enums import ProcedureKind
from reference.models import GroundRequirement, Prefecture
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.factories import ResidencePermitFactory, ground
from tests.applications.helpers import filed
from tests.concurrency import postgresql_only, run_at_once

GROUND = "parent_of_french_child"


def _reminder(kind, expires_on=date(2027, 6, 30), permit_id=1):
    return Reminder(
        kind=kind,
        due_on=date(2027, 5, 1),
        permit_id=permit_id,
        expires_on=expires_on,
        opens_on=date(2027, 3, 1),
        closes_on=date(2027, 5, 1),
    )


def test_rules_most_urgent_incomplete_before_filing_reminders():
    reminders = [_reminder(kind) for kind in (WINDOW_OPEN, REMINDER_70, INCOMPLETE_30, REMINDER_90)]
    assert most_urgent(reminders).kind == INCOMPLETE_30


def test_rules_most_urgent_twenty_days_before_thirty():
    assert most_urgent([_reminder(INCOMPLETE_30), _reminder(INCOMPLETE_20)]).kind == INCOMPLETE_20


def test_rules_most_urgent_same_kind_card_ending_first():
    later = _reminder(REMINDER_90, expires_on=date(2027, 7, 1), permit_id=1)
    sooner = _reminder(REMINDER_90, expires_on=date(2027, 6, 1), permit_id=2)
    assert most_urgent([later, sooner]) is sooner


def test_rules_most_urgent_none_due():
    assert most_urgent([]) is None


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def profile(reference_data):
    return ApplicantProfileFactory(postal_code="75014", city="Paris")


def _card(profile, today, days_left):
    # Same start for both cards: neither replaces the other, both are reminded of.
    return ResidencePermitFactory(
        holder=profile.user,
        ground=ground(GROUND),
        valid_from=today - timedelta(days=300),
        valid_until=today + timedelta(days=days_left),
    )


def _incomplete_renewal(profile, permit, today):
    renewal = filed(profile, GROUND, kind=ProcedureKind.RENEWAL, renews_permit=permit)
    requirement = GroundRequirement.objects.filter(ground=renewal.ground).first()
    services.correction_request_create(
        application=renewal,
        actor=PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="75")),
        message="Photo floue",
        deadline=today + timedelta(days=10),
        document_types=[requirement.document_type],
    )
    return renewal


def _emails(person):
    return list(
        NotificationLog.objects.filter(person=person, channel="email")
        .order_by("created_at", "pk")
        .values_list("kind", flat=True)
    )


@pytest.mark.django_db
def test_service_reminder_card_and_incomplete_renewal_same_day_one_notice(profile, today):
    _card(profile, today, 70)  # no renewal filed: the 70th-day reminder is due today
    _incomplete_renewal(profile, _card(profile, today, 30), today)  # the 30th-day one too
    assert renewal_reminders_send(today) == 1
    assert _emails(profile.user) == [INCOMPLETE_30]
    # One reminder written (the correction request of the set-up has its own e-mail).
    reminders = OutgoingMessage.objects.filter(
        recipient=profile.user.email, idempotency_key__startswith="renewal-reminder:"
    )
    assert reminders.count() == 1


@pytest.mark.django_db
def test_service_reminder_the_other_one_follows_the_next_day(profile, today):
    _card(profile, today, 70)
    _incomplete_renewal(profile, _card(profile, today, 30), today)
    renewal_reminders_send(today)
    assert renewal_reminders_send(today + timedelta(days=1)) == 1
    assert _emails(profile.user) == [INCOMPLETE_30, REMINDER_70]
    assert renewal_reminders_send(today + timedelta(days=2)) == 0


@pytest.mark.django_db
def test_service_reminder_second_run_same_day_new_card_waits(profile, today):
    _incomplete_renewal(profile, _card(profile, today, 30), today)
    assert renewal_reminders_send(today) == 1
    _card(profile, today, 120)  # declared in the afternoon: its window opens today
    assert renewal_reminders_send(today) == 0
    assert renewal_reminders_send(today + timedelta(days=1)) == 1
    assert RenewalNoticeDay.objects.filter(person=profile.user).count() == 2


@pytest.mark.django_db
def test_service_reminder_one_a_day_does_not_hold_back_other_people(profile, today):
    _card(profile, today, 70)
    _incomplete_renewal(profile, _card(profile, today, 30), today)
    other = ApplicantProfileFactory(postal_code="75011")
    _card(other, today, 120)
    assert renewal_reminders_send(today) == 2


@pytest.mark.django_db
def test_service_reminder_batches_keep_a_person_whole(profile, today):
    _card(profile, today, 70)
    _incomplete_renewal(profile, _card(profile, today, 30), today)
    # A batch of one reminder would split the person's two between two transactions.
    assert renewal_reminders_send(today, batch_size=1) == 1
    assert _emails(profile.user) == [INCOMPLETE_30]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_service_reminder_runs_at_once_one_notice_a_day(reference_data, today):
    profile = ApplicantProfileFactory(postal_code="75014", city="Paris")
    _card(profile, today, 70)
    _incomplete_renewal(profile, _card(profile, today, 30), today)
    errors = run_at_once(lambda _: renewal_reminders_send(today), range(3))
    assert errors == []
    assert _emails(profile.user) == [INCOMPLETE_30]
