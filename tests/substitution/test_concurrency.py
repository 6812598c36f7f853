"""No booking beyond capacity and no reminder twice, even at the same time: on PostgreSQL,
where `select_for_update` really locks (SQLite serialises writers and ignores it)."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from substitution import services
from substitution.enums import AppointmentStatus
from substitution.models import Appointment
from tests.substitution.factories import CaseFactory, SlotFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
)


def _run_at_once(target, arguments: list) -> list:
    errors: list = []
    barrier = threading.Barrier(len(arguments))

    def run(argument):
        try:
            barrier.wait()
            target(argument)
        except services.SubstitutionError as error:
            errors.append(error.code)
        except Exception as exc:  # reported below, with the thread's traceback
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrency_appointment_book_never_beyond_capacity(reference_data):
    slot = SlotFactory(capacity=2)
    cases = [CaseFactory() for _ in range(8)]
    errors = _run_at_once(
        lambda case: services.appointment_book(case=case, slot=slot, actor=None), cases
    )
    assert sorted(map(str, errors)) == ["slot_full"] * 6
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
    errors = _run_at_once(lambda _: services.appointment_reminders_send(), [1, 2])
    assert errors == []
    assert len(mailoutbox) == 3
    assert not Appointment.objects.filter(reminder_sent_at__isnull=True).exists()
