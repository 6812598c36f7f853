"""PAN walk-in: numbered per desk and per day, only during opening hours, called in order."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from anef.errors import DomainError
from substitution import services
from substitution.enums import DeskKind, QueueTicketStatus
from substitution.models import QueueTicket
from tests.accounts.factories import PrefectureAgentFactory
from tests.substitution.factories import DeskFactory, prefecture

pytestmark = pytest.mark.django_db
MONDAY_10 = timezone.make_aware(datetime.datetime(2026, 11, 30, 10, 0))


def test_service_queue_ticket_numbers_per_desk_and_day(reference_data):
    pan, other = DeskFactory(kind=DeskKind.PAN), DeskFactory(kind=DeskKind.PAN)
    numbers = [
        services.queue_ticket_issue(desk=pan, actor=None, now=MONDAY_10).number for _ in range(3)
    ]
    assert numbers == [1, 2, 3]
    assert services.queue_ticket_issue(desk=other, actor=None, now=MONDAY_10).number == 1
    next_day = MONDAY_10 + datetime.timedelta(days=1)
    assert services.queue_ticket_issue(desk=pan, actor=None, now=next_day).number == 1


def test_service_queue_ticket_refused_when_closed(reference_data):
    pan = DeskFactory(kind=DeskKind.PAN)
    with pytest.raises(DomainError) as error:
        services.queue_ticket_issue(desk=pan, actor=None, now=MONDAY_10.replace(hour=12, minute=30))
    assert error.value.code == "desk_closed"
    saturday = MONDAY_10 - datetime.timedelta(days=2)
    with pytest.raises(DomainError):
        services.queue_ticket_issue(desk=pan, actor=None, now=saturday)


def test_service_queue_ticket_only_at_a_pan(reference_data):
    with pytest.raises(DomainError) as error:
        services.queue_ticket_issue(desk=DeskFactory(), actor=None, now=MONDAY_10)
    assert error.value.code == "not_pan"


def test_service_queue_call_next_in_order(reference_data):
    agent = PrefectureAgentFactory(prefecture=prefecture("75"))
    pan = DeskFactory(kind=DeskKind.PAN)
    for name in ("A", "B"):
        services.queue_ticket_issue(desk=pan, actor=None, visitor_name=name, now=MONDAY_10)
    first = services.queue_call_next(desk=pan, actor=agent, now=MONDAY_10)
    second = services.queue_call_next(desk=pan, actor=agent, now=MONDAY_10)
    assert (first.number, first.visitor_name) == (1, "A")
    assert second.number == 2
    first.refresh_from_db()
    assert first.status == QueueTicketStatus.SERVED
    assert services.queue_call_next(desk=pan, actor=agent, now=MONDAY_10) is None


def test_service_queue_call_next_tells_each_number_timeline(reference_data):
    agent = PrefectureAgentFactory(prefecture=prefecture("75"))
    pan = DeskFactory(kind=DeskKind.PAN)
    for name in ("A", "B"):
        services.queue_ticket_issue(desk=pan, actor=None, visitor_name=name, now=MONDAY_10)
    first = services.queue_call_next(desk=pan, actor=agent, now=MONDAY_10)
    second = services.queue_call_next(desk=pan, actor=agent, now=MONDAY_10)
    kinds = [(event.kind, event.actor) for event in first.events.all()]
    assert kinds == [("issued", None), ("called", agent), ("served", agent)]
    assert list(second.events.values_list("kind", flat=True)) == ["issued", "called"]


def test_model_queue_ticket_number_unique_per_desk_day(reference_data):
    pan = DeskFactory(kind=DeskKind.PAN)
    QueueTicket.objects.create(desk=pan, day=MONDAY_10.date(), number=1)
    with pytest.raises(IntegrityError):
        QueueTicket.objects.create(desk=pan, day=MONDAY_10.date(), number=1)
