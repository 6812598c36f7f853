"""No booking beyond capacity and no reminder twice, even at the same time: on PostgreSQL,
where `select_for_update` really locks (SQLite serialises writers and ignores it)."""

import datetime

import pytest
from django.utils import timezone

from anef.errors import DomainError
from substitution import services
from substitution.enums import AppointmentStatus
from substitution.models import Appointment
from tests.concurrency import postgresql_only, run_at_once
from tests.substitution.factories import CaseFactory, SlotFactory


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrency_appointment_book_never_beyond_capacity(reference_data):
    slot = SlotFactory(capacity=2)
    cases = [CaseFactory() for _ in range(8)]
    errors = run_at_once(
        lambda case: services.appointment_book(case=case, slot=slot, actor=None), cases
    )
    codes = [e.code if isinstance(e, DomainError) else e for e in errors]
    assert sorted(map(str, codes)) == ["slot_full"] * 6
    assert Appointment.objects.filter(slot=slot, status=AppointmentStatus.BOOKED).count() == 2


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrency_reminders_sent_once_by_two_runs(reference_data, mailoutbox):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for hour in (9, 10, 11):
        start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(hour)))
        services.appointment_book(
            case=CaseFactory(),
            slot=SlotFactory(starts_at=start, ends_at=start + datetime.timedelta(minutes=30)),
            actor=None,
        )
    mailoutbox.clear()
    errors = run_at_once(lambda _: services.appointment_reminders_send(), [1, 2])
    assert errors == []
    assert len(mailoutbox) == 3
    assert not Appointment.objects.filter(reminder_sent_at__isnull=True).exists()
