"""Issue 21: callbacks instead of waiting on the line (support/callbacks.py)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from anef.errors import DomainError
from support import services
from support.callbacks import slots_offered
from support.enums import CallbackStatus, MessageKind, TicketEventKind
from support.models import Callback
from tests.concurrency import postgresql_only, run_at_once
from tests.support.factories import web_ticket

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 10, 5, tzinfo=PARIS)  # a Tuesday
pytestmark = pytest.mark.django_db


def _slot(hour, minute=0, day=24):
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS)


def _ticket(**kwargs):
    return web_ticket(phone="0612345678", **kwargs)[0]


def test_slots_offered_only_future_working_hours():
    slots = slots_offered(NOW)
    assert slots[0] == _slot(11, 0)  # 10:30 is within the 30 minutes' notice
    assert all(9 <= slot.astimezone(PARIS).hour < 17 for slot in slots)
    assert all(slot.astimezone(PARIS).weekday() < 5 for slot in slots)
    assert slots[-1] == _slot(16, 30, day=27)  # three working days ahead


def test_callback_book_past_slot_refused():
    ticket = _ticket()
    with time_machine.travel(NOW, tick=False), pytest.raises(DomainError) as refused:
        services.callback_book(ticket=ticket, starts_at=_slot(10, 0), via_link=True)
    assert refused.value.code == "slot_unknown"


@override_settings(SUPPORT_CALLBACKS={"CAPACITY": 1})
def test_callback_book_full_slot_refused():
    first, second = _ticket(), _ticket()
    with time_machine.travel(NOW, tick=False):
        services.callback_book(ticket=first, starts_at=_slot(14), via_link=True)
        with pytest.raises(DomainError) as refused:
            services.callback_book(ticket=second, starts_at=_slot(14), via_link=True)
    assert refused.value.code == "slot_full"


def test_callback_book_writes_event_and_email(mailoutbox, django_capture_on_commit_callbacks):
    ticket = _ticket()
    with time_machine.travel(NOW, tick=False):
        callback = services.callback_book(ticket=ticket, starts_at=_slot(14), via_link=True)
    assert callback.phone == "0612345678"
    assert ticket.events.filter(kind=TicketEventKind.CALLBACK_SCHEDULED).count() == 1
    from anef.models import OutgoingMessage

    assert OutgoingMessage.objects.filter(recipient=ticket.email).count() == 2  # received + this


def test_callback_book_another_persons_ticket_refused():
    from tests.accounts.factories import ApplicantFactory

    owner, intruder = ApplicantFactory(), ApplicantFactory()
    ticket, _token = services.ticket_open_from_portal(actor=owner, category="other", body="Hi")
    with time_machine.travel(NOW, tick=False), pytest.raises(DomainError) as refused:
        services.callback_book(ticket=ticket, starts_at=_slot(14), actor=intruder, phone="06")
    assert refused.value.code == "not_yours"


@postgresql_only
@pytest.mark.django_db(transaction=True)
@override_settings(SUPPORT_CALLBACKS={"CAPACITY": 2})
def test_callback_book_race_never_exceeds_capacity():
    tickets = [_ticket() for _ in range(5)]

    def book(ticket):
        with time_machine.travel(NOW, tick=False):
            services.callback_book(ticket=ticket, starts_at=_slot(15), via_link=True)

    errors = run_at_once(book, tickets)
    assert Callback.objects.filter(starts_at=_slot(15)).count() == 2
    assert sorted(error.code for error in errors) == ["slot_full"] * 3


def _missed(callback, agent, moment):
    with time_machine.travel(moment, tick=False):
        return services.callback_mark_missed(callback=callback, actor=agent)


def test_callback_missed_once_is_retried_next_working_hour(agent):
    ticket = _ticket()
    with time_machine.travel(NOW, tick=False):
        first = services.callback_book(ticket=ticket, starts_at=_slot(16, 30), via_link=True)
    retry = _missed(first, agent, _slot(16, 35))
    first.refresh_from_db()
    assert first.status == CallbackStatus.MISSED
    assert retry.attempt == 2 and retry.retry_of == first
    assert retry.starts_at == _slot(10, 0, day=25)  # first slot one working hour after: 9:35


def test_callback_missed_twice_becomes_written_answer(agent):
    ticket = _ticket()
    services.ticket_take(ticket=ticket, actor=agent)
    with time_machine.travel(NOW, tick=False):
        first = services.callback_book(ticket=ticket, starts_at=_slot(14), via_link=True)
    retry = _missed(first, agent, _slot(14, 5))
    assert _missed(retry, agent, retry.starts_at) is None
    ticket.refresh_from_db()
    assert ticket.assignee is None  # back in the queue
    assert not ticket.callbacks.filter(status=CallbackStatus.SCHEDULED).exists()
    note = ticket.messages.filter(kind=MessageKind.NOTE).get()
    assert "in writing" in note.body or "par écrit" in note.body


def test_callback_mark_made_twice_refused(agent):
    ticket = _ticket()
    with time_machine.travel(NOW, tick=False):
        callback = services.callback_book(ticket=ticket, starts_at=_slot(14), via_link=True)
    services.callback_mark_made(callback=callback, actor=agent)
    with pytest.raises(DomainError):
        services.callback_mark_missed(callback=callback, actor=agent)


def test_callback_figures_count_due_made_missed_and_median(agent):
    tickets = [_ticket() for _ in range(3)]
    with time_machine.travel(NOW, tick=False):
        calls = [
            services.callback_book(ticket=t, starts_at=_slot(14 + i), via_link=True)
            for i, t in enumerate(tickets)
        ]
    with time_machine.travel(_slot(14, 10), tick=False):
        services.callback_mark_made(callback=calls[0], actor=agent)
    with time_machine.travel(_slot(15, 30), tick=False):
        services.callback_mark_made(callback=calls[1], actor=agent)
    with time_machine.travel(_slot(16, 5), tick=False):
        services.callback_mark_missed(callback=calls[2], actor=agent)
        figures = services.callback_figures(days=1)
    today = figures[0]
    assert (today.due, today.made, today.missed) == (3, 2, 1)
    assert today.median_delay_minutes == 20  # 10 and 30 minutes
