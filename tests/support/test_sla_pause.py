"""Issue 21: the resolution clock stops while a ticket waits for the person's answer and starts
again on their reply; the due date moves by exactly the paused working time."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from support import rules, services
from support.enums import TicketStatus
from tests.support.factories import web_ticket

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def _at(*args):
    return time_machine.travel(datetime(*args, tzinfo=PARIS), tick=False)


def _opened(agent, opened=(2026, 11, 23, 10, 0)):
    with _at(*opened):
        ticket, _token = web_ticket()
    return ticket


def _pause(ticket, agent, moment):
    with _at(*moment):
        services.ticket_reply(ticket=ticket, actor=agent, body="Which card do you hold?")


def _resume(ticket, moment):
    with _at(*moment):
        services.ticket_reply_from_requester(ticket=ticket, body="The residence card.")
    ticket.refresh_from_db()
    return ticket


def test_sla_pause_over_weekend_moves_due_by_working_time_only(agent):
    ticket = _opened(agent)
    due = ticket.resolution_due_at
    _pause(ticket, agent, (2026, 11, 27, 16, 0))  # Friday, one working hour left
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_ON_APPLICANT
    assert ticket.sla_paused_at == datetime(2026, 11, 27, 16, 0, tzinfo=PARIS)
    ticket = _resume(ticket, (2026, 11, 30, 10, 0))  # Monday 10:00: 1 h + 1 h of working time
    assert ticket.sla_paused_at is None
    assert ticket.sla_paused_working == timedelta(hours=2)
    assert ticket.resolution_due_at == due + timedelta(hours=2)


def test_sla_pause_over_christmas_holiday_skips_the_holiday(agent):
    ticket = _opened(agent, (2026, 12, 21, 9, 0))
    _pause(ticket, agent, (2026, 12, 24, 16, 0))  # Thursday; Friday 25 is a public holiday
    ticket = _resume(ticket, (2026, 12, 28, 9, 30))
    assert ticket.sla_paused_working == timedelta(hours=1, minutes=30)


def test_sla_pause_reply_in_the_same_minute_moves_due_by_seconds(agent):
    ticket = _opened(agent)
    due = ticket.resolution_due_at
    _pause(ticket, agent, (2026, 11, 24, 11, 0, 0))
    ticket = _resume(ticket, (2026, 11, 24, 11, 0, 40))
    assert ticket.resolution_due_at == due + timedelta(seconds=40)


def test_sla_pause_outside_working_hours_moves_nothing(agent):
    ticket = _opened(agent)
    due = ticket.resolution_due_at
    _pause(ticket, agent, (2026, 11, 27, 18, 0))  # Friday evening → Saturday: no working time
    ticket = _resume(ticket, (2026, 11, 28, 12, 0))
    assert ticket.resolution_due_at == due
    assert ticket.sla_paused_working == timedelta(0)


def test_sla_pause_several_pauses_add_up(agent):
    ticket = _opened(agent)
    due = ticket.resolution_due_at
    _pause(ticket, agent, (2026, 11, 24, 10, 0))
    _resume(ticket, (2026, 11, 24, 11, 0))
    _pause(ticket, agent, (2026, 11, 25, 16, 30))
    ticket = _resume(ticket, (2026, 11, 26, 9, 15))
    assert ticket.sla_paused_working == timedelta(hours=1, minutes=45)
    assert ticket.resolution_due_at == rules.add_working_time(
        due, timedelta(hours=1, minutes=45), services.working_calendar()
    )


def test_sla_pause_paused_ticket_is_not_escalated_past_its_old_due_date(agent):
    ticket = _opened(agent)
    due = ticket.resolution_due_at
    _pause(ticket, agent, (2026, 11, 24, 10, 0))
    with time_machine.travel(due + timedelta(days=3), tick=False):
        assert services.tickets_escalate_overdue() == 0
        ticket.refresh_from_db()
        assert not ticket.resolution_overdue()


def test_sla_pause_resolving_a_waiting_ticket_stops_the_pause(agent):
    ticket = _opened(agent)
    _pause(ticket, agent, (2026, 11, 24, 10, 0))
    with _at(2026, 11, 24, 12, 0):
        services.ticket_resolve(ticket=ticket, actor=agent)
    ticket.refresh_from_db()
    assert ticket.sla_paused_at is None
    assert ticket.sla_paused_working == timedelta(hours=2)


def test_resumed_due_at_due_at_closing_moves_to_next_working_day():
    calendar = rules.WorkingCalendar()
    due = datetime(2026, 11, 27, 17, 0, tzinfo=PARIS)  # Friday closing
    paused_at = datetime(2026, 11, 24, 15, 0, tzinfo=PARIS)
    new_due, paused = rules.resumed_due_at(
        due, paused_at, datetime(2026, 11, 24, 16, 0, tzinfo=PARIS), calendar
    )
    assert paused == timedelta(hours=1)
    assert new_due == datetime(2026, 11, 30, 10, 0, tzinfo=PARIS)
