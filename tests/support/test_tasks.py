"""The deadline sweep in Celery beat."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from anef.celery import app
from support.enums import TicketPriority
from support.tasks import escalate_overdue
from tests.support.factories import web_ticket

PARIS = ZoneInfo("Europe/Paris")


def test_tasks_escalate_overdue_is_scheduled_in_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["support-escalate-overdue"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


@pytest.mark.django_db
def test_tasks_escalate_overdue_runs_once_per_deadline():
    with time_machine.travel(datetime(2026, 12, 31, 20, 0, tzinfo=PARIS), tick=False):
        ticket, _token = web_ticket()
    # 31 December evening: 1 January is a holiday, then the weekend: due Tuesday 5 at 17:00.
    with time_machine.travel(datetime(2027, 1, 5, 16, 0, tzinfo=PARIS), tick=False):
        assert escalate_overdue.delay().get() == 0
    with time_machine.travel(datetime(2027, 1, 5, 18, 0, tzinfo=PARIS), tick=False):
        assert escalate_overdue.delay().get() == 1
        assert escalate_overdue.delay().get() == 0
    ticket.refresh_from_db()
    assert ticket.priority == TicketPriority.HIGH
