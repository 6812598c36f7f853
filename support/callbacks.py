"""Callbacks instead of waiting on the line (issue 21).

The person picks a slot (the contact centre's working hours, `SUPPORT_CALLBACKS["SLOT_MINUTES"]`
long, only future slots, a few working days ahead); at most `CAPACITY` calls per slot, counted
under a transaction-level advisory lock on the slot so that two bookings at once cannot both
take the last place. The console works the queue in due order; a missed call is tried once
more in the next working hour's first free slot, then the ticket goes back to the queue for a
written answer, with a note. Every change writes the ticket's event and audit entry
(`support.services._transition`), in one transaction."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can_use_portal, is_contact_centre_agent
from anef.audit import audit_action
from anef.enums import NotificationKind, NotificationSubject
from anef.errors import DomainError
from anef.sms import email_also, sms_day, sms_enqueue, sms_link, sms_time
from support import emails, rules
from support.enums import AuthorSide, CallbackStatus, MessageKind, TicketEventKind
from support.models import Callback, Ticket, TicketMessage
from support.services import _transition, working_calendar
from support.workflow import LIVE_STATES

_LOCK_NAMESPACE = 210_001  # pg_advisory_xact_lock(namespace, slot in epoch minutes)
DEFAULTS = {"SLOT_MINUTES": 30, "CAPACITY": 2, "WORKING_DAYS_AHEAD": 3, "MIN_NOTICE_MINUTES": 30}


def config() -> dict[str, int]:
    return {**DEFAULTS, **getattr(settings, "SUPPORT_CALLBACKS", {})}


def slots_offered(now: datetime | None = None) -> list[datetime]:
    """The slots a person may choose now (full ones included: the form says which are full)."""
    conf = config()
    return rules.callback_slots(
        now or timezone.now(),
        working_calendar(),
        slot_minutes=conf["SLOT_MINUTES"],
        working_days_ahead=conf["WORKING_DAYS_AHEAD"],
        min_notice=timedelta(minutes=conf["MIN_NOTICE_MINUTES"]),
    )


def slot_load(slots: list[datetime]) -> dict[datetime, int]:
    """How many calls are booked in each slot (one query)."""
    counts: dict[datetime, int] = dict.fromkeys(slots, 0)
    rows = (
        Callback.objects.filter(starts_at__in=slots)
        .exclude(status=CallbackStatus.CANCELLED)
        .values_list("starts_at", flat=True)
    )
    for starts_at in rows:
        counts[starts_at] = counts.get(starts_at, 0) + 1
    return counts


def _lock_slot(starts_at: datetime) -> None:
    """Serialise the bookings of one slot. On PostgreSQL, a transaction-level advisory lock on
    the slot; on SQLite (`make run`'s embedded default) every write transaction is already
    taken IMMEDIATE (anef/settings_parts/base.py), which serialises them all, and SQLite has no
    advisory locks."""
    if connection.vendor != "postgresql":
        return
    minutes = int(starts_at.timestamp()) // 60
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, minutes])


def _has_room(starts_at: datetime) -> bool:
    """Under the slot's lock: is a place left?"""
    _lock_slot(starts_at)
    taken = (
        Callback.objects.filter(starts_at=starts_at)
        .exclude(status=CallbackStatus.CANCELLED)
        .count()
    )
    return taken < config()["CAPACITY"]


def _may_book(actor: User | None, ticket: Ticket, via_link: bool) -> bool:
    if actor is not None and is_contact_centre_agent(actor):
        return True
    if actor is not None and can_use_portal(actor):
        return ticket.requester_id == actor.pk
    return via_link  # the holder of the ticket's private link (the public contact form)


def _phone_of(ticket: Ticket, phone: str) -> str:
    person = ticket.person or ticket.requester
    return (phone or ticket.phone or getattr(person, "phone_number", "") or "").strip()


def _confirm(callback: Callback) -> None:
    """E-mail (outbox) and, for an account that takes texts, a text; after the commit."""
    ticket = callback.ticket
    person = ticket.person or ticket.requester
    texted = False
    if person is not None:
        texted = sms_enqueue(
            person=person,
            kind=NotificationKind.CALLBACK_SCHEDULED,
            context={
                "day": sms_day(callback.starts_at),
                "time": sms_time(callback.starts_at),
                "link": sms_link(),
            },
            subject_type=NotificationSubject.TICKET,
            subject_id=ticket.pk,
            due_day=timezone.localdate(callback.starts_at),
        )
    if email_also(person, texted=texted):  # texts only: the text says it
        emails.send_callback_scheduled(callback.pk)


def _create(
    ticket: Ticket, starts_at: datetime, phone: str, actor: User | None, retry_of=None
) -> Callback:
    try:
        with transaction.atomic():
            callback = Callback.objects.create(
                ticket=ticket,
                phone=phone,
                starts_at=starts_at,
                booked_by=actor,
                attempt=2 if retry_of is not None else 1,
                retry_of=retry_of,
            )
    except IntegrityError as exc:
        raise DomainError(
            "duplicate", _("A callback is already planned for this request.")
        ) from exc
    _transition(
        ticket,
        action="callback",
        actor=actor,
        event=TicketEventKind.CALLBACK_SCHEDULED,
        starts_at=starts_at.isoformat(),
        attempt=callback.attempt,
    )
    _confirm(callback)
    return callback


@transaction.atomic
def callback_book(
    *,
    ticket: Ticket,
    starts_at: datetime,
    actor: User | None = None,
    phone: str = "",
    via_link: bool = False,
    now: datetime | None = None,
) -> Callback:
    """The person (their space or their private link) or an agent books a callback slot."""
    now = now or timezone.now()
    if not _may_book(actor, ticket, via_link):
        raise DomainError("not_yours", _("This request is not yours."))
    if ticket.status not in LIVE_STATES:
        raise DomainError("closed", _("This request is closed: open a new one."))
    if starts_at not in slots_offered(now):
        raise DomainError("slot_unknown", _("Choose one of the times offered."))
    number = _phone_of(ticket, phone)
    if not number:
        raise DomainError("phone_required", _("Give the number we should call."))
    if not _has_room(starts_at):
        raise DomainError("slot_full", _("This time is full: choose another one."))
    return _create(ticket, starts_at, number, actor)


def _locked_scheduled(callback: Callback) -> Callback:
    locked = Callback.objects.select_for_update().select_related("ticket").get(pk=callback.pk)
    if locked.status != CallbackStatus.SCHEDULED:
        raise DomainError("callback_done", _("This callback was already recorded."))
    return locked


def _require_agent(actor: User) -> None:
    if not is_contact_centre_agent(actor):
        raise DomainError("forbidden", _("Only contact-centre agents record calls."))


@transaction.atomic
def callback_mark_made(*, callback: Callback, actor: User, now: datetime | None = None) -> Callback:
    _require_agent(actor)
    locked = _locked_scheduled(callback)
    locked.status, locked.done_at, locked.done_by = (
        CallbackStatus.MADE,
        now or timezone.now(),
        actor,
    )
    locked.save(update_fields=["status", "done_at", "done_by"])
    _transition(locked.ticket, action="callback", actor=actor, event=TicketEventKind.CALLBACK_MADE)
    return locked


def retry_slot(now: datetime) -> datetime | None:
    """The first slot with room that starts at least one working hour after `now`."""
    earliest = rules.add_working_time(now, timedelta(hours=1), working_calendar())
    for starts_at in slots_offered(now):
        if starts_at >= earliest and _has_room(starts_at):
            return starts_at
    return None


@transaction.atomic
def callback_mark_missed(
    *, callback: Callback, actor: User, now: datetime | None = None
) -> Callback | None:
    """Nobody answered: a first miss is tried again (returns the new callback); a second one
    sends the ticket back to the queue for a written answer, with a note (returns None)."""
    _require_agent(actor)
    now = now or timezone.now()
    locked = _locked_scheduled(callback)
    locked.status, locked.done_at, locked.done_by = CallbackStatus.MISSED, now, actor
    locked.save(update_fields=["status", "done_at", "done_by"])
    starts_at = retry_slot(now) if locked.attempt == 1 else None
    if starts_at is not None:
        _transition(
            locked.ticket, action="callback", actor=actor, event=TicketEventKind.CALLBACK_MISSED
        )
        return _create(locked.ticket, starts_at, locked.phone, actor, retry_of=locked)
    TicketMessage.objects.create(
        ticket=locked.ticket,
        kind=MessageKind.NOTE,
        side=AuthorSide.CONTACT_CENTRE,
        author=actor,
        body=str(_("Callback missed twice: answer this request in writing (e-mail or message).")),
    )
    _transition(
        locked.ticket,
        action="callback",
        actor=actor,
        event=TicketEventKind.CALLBACK_MISSED,
        fields={"assignee": None},  # back to the queue
        written_answer=True,
    )
    audit_action(instance=locked, actor=actor, action="callback_written_answer")
    return None


# --- Figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayFigures:
    day: date
    due: int
    made: int
    missed: int
    median_delay_minutes: int | None  # from the slot's start to the call made


def callback_figures(*, days: int = 14, today: date | None = None) -> list[DayFigures]:
    """Per day of slot, the last `days` days (today included): one query."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows: dict[date, dict[str, Any]] = {}
    queryset = Callback.objects.filter(
        starts_at__date__gte=first, starts_at__date__lte=today
    ).exclude(status=CallbackStatus.CANCELLED)
    for starts_at, status, done_at in queryset.values_list("starts_at", "status", "done_at"):
        row = rows.setdefault(
            timezone.localdate(starts_at), {"due": 0, "made": 0, "missed": 0, "delays": []}
        )
        row["due"] += 1
        if status == CallbackStatus.MADE:
            row["made"] += 1
            row["delays"].append(max(done_at - starts_at, timedelta(0)))
        elif status == CallbackStatus.MISSED:
            row["missed"] += 1
    return [
        DayFigures(
            day=day,
            due=row["due"],
            made=row["made"],
            missed=row["missed"],
            median_delay_minutes=rules.median_minutes(row["delays"]),
        )
        for day, row in sorted(rows.items(), reverse=True)
    ]
