import datetime

import pytest
from django.utils import timezone

from substitution import services, tasks
from substitution.models import Appointment
from tests.substitution.factories import CaseFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _booked_on(day: datetime.date, hour: int = 10) -> Appointment:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return services.appointment_book(
        case=CaseFactory(),
        slot=SlotFactory(starts_at=start, ends_at=start + datetime.timedelta(minutes=30)),
        actor=None,
    )


def test_task_reminders_sent_once_even_when_run_twice(
    reference_data, mailoutbox, django_capture_on_commit_callbacks
):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    appointment = _booked_on(tomorrow)
    _booked_on(tomorrow + datetime.timedelta(days=1))  # the day after: not yet
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_reminders() == 1
        assert tasks.send_reminders() == 0
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [appointment.case.contact_email]
    assert "tomorrow" in mailoutbox[0].body
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is not None


def test_task_reminders_skip_cancelled(reference_data, mailoutbox):
    appointment = _booked_on(timezone.localdate() + datetime.timedelta(days=1))
    services.appointment_cancel(appointment=appointment, actor=None)
    mailoutbox.clear()
    assert tasks.send_reminders() == 0
    assert mailoutbox == []


def test_task_confirmation_sent_once(
    reference_data, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = _booked_on(timezone.localdate() + datetime.timedelta(days=3))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_appointment_confirmation(appointment.pk) is True
        assert tasks.send_appointment_confirmation(appointment.pk) is False
    assert len(mailoutbox) == 1
    assert "booked" in mailoutbox[0].subject


def test_settings_beat_schedules_reminders(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["substitution-reminders"]
    assert entry["task"] == "substitution.send_reminders"
