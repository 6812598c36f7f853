"""The deadline sweep (Celery beat, support.tasks): late tickets are escalated once per
deadline. Part of `support.services` (re-exported there); split only to keep modules short."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from support import emails, rules
from support.enums import TicketEventKind, TicketPriority
from support.models import Ticket
from support.permissions import supervisor_queryset
from support.services import _transition
from support.workflow import LIVE_STATES


def _supervisor_emails() -> list[str]:
    emails_ = list(supervisor_queryset().exclude(email="").values_list("email", flat=True))
    return emails_ or [settings.CONTACT_EMAIL]


def tickets_escalate_overdue(*, now: datetime | None = None) -> int:
    """Beat: every live ticket past a deadline is escalated once per deadline (priority raised
    one step, supervisors told, breach recorded). Returns how many escalations were made."""
    now = now or timezone.now()
    late_first = Q(
        first_responded_at__isnull=True,
        first_response_due_at__lt=now,
        first_response_breached_at__isnull=True,
    )
    late_resolution = Q(
        resolved_at__isnull=True,
        resolution_due_at__lt=now,
        resolution_breached_at__isnull=True,
        sla_paused_at__isnull=True,  # waiting for the person: the clock is stopped
    )
    ids = list(
        Ticket.objects.filter(status__in=LIVE_STATES)
        .filter(late_first | late_resolution)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    recipients = _supervisor_emails() if ids else []
    done = 0
    for pk in ids:
        done += _ticket_escalate_overdue(pk, now, recipients)
    return done


@transaction.atomic
def _ticket_escalate_overdue(pk: int, now: datetime, recipients: list[str]) -> int:
    ticket = Ticket.objects.select_for_update().filter(pk=pk, status__in=LIVE_STATES).first()
    if ticket is None:
        return 0
    fields: dict[str, Any] = {}
    missed = []
    if (
        ticket.first_responded_at is None
        and ticket.first_response_due_at < now
        and ticket.first_response_breached_at is None
    ):
        fields["first_response_breached_at"] = now
        missed.append("first_response")
    if (
        ticket.resolved_at is None
        and ticket.sla_paused_at is None
        and ticket.resolution_due_at < now
        and ticket.resolution_breached_at is None
    ):
        fields["resolution_breached_at"] = now
        missed.append("resolution")
    if not missed:
        return 0  # another sweep did it
    fields["priority"] = rules.raised_priority(ticket.priority, max(TicketPriority.values))
    _transition(
        ticket,
        action="deadline_escalation",
        actor=None,
        event=TicketEventKind.DEADLINE_MISSED,
        fields=fields,
        deadlines=missed,
    )
    for deadline in missed:
        emails.send_deadline_alert(pk, deadline, recipients)
    return len(missed)
