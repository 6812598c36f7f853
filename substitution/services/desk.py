"""What a desk offers: the slots of its appointments, generated from a weekly pattern, and the
walk-in queue of a digital reception point (PAN)."""

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from anef.audit import audit_action
from anef.errors import DomainError
from anef.workflow import transition
from substitution import rules
from substitution.enums import DeskKind, QueueTicketEventKind, QueueTicketStatus
from substitution.models import Desk, QueueTicket, QueueTicketEvent, Slot, SubstitutionCase
from substitution.workflow import QUEUE_TICKET

# --- Slots --------------------------------------------------------------------------------------


@transaction.atomic
def slots_generate(
    *,
    desk: Desk,
    first_day: date,
    last_day: date,
    weekdays: list[int],
    day_start: time,
    day_end: time,
    minutes: int,
    capacity: int,
    actor: User | None,
) -> int:
    """Create the slots of a weekly pattern; slots that already exist (same desk and start) are
    kept as they are, so generating the same weeks twice is harmless. Returns how many are new."""
    if capacity < 1:
        raise DomainError("capacity", _("A slot receives at least one person."))
    if minutes < 5:
        raise DomainError("minutes", _("A slot lasts at least 5 minutes."))
    if last_day < first_day:
        raise DomainError("dates", _("The last day must come after the first day."))
    if (last_day - first_day).days > 366:
        raise DomainError("dates", _("Generate at most one year of slots at once."))
    times = rules.weekly_pattern_slots(
        first_day=first_day,
        last_day=last_day,
        weekdays=weekdays,
        day_start=day_start,
        day_end=day_end,
        minutes=minutes,
    )
    slots = [
        Slot(
            desk=desk,
            starts_at=timezone.make_aware(datetime.combine(item.day, item.start)),
            ends_at=timezone.make_aware(datetime.combine(item.day, item.end)),
            capacity=capacity,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for item in times
    ]
    before = Slot.objects.filter(desk=desk).count()
    Slot.objects.bulk_create(slots, ignore_conflicts=True)
    created = Slot.objects.filter(desk=desk).count() - before
    audit_action(
        instance=desk,
        actor=actor,
        action="substitution_slots_generate",
        details={
            "first_day": first_day.isoformat(),
            "last_day": last_day.isoformat(),
            "weekdays": sorted(weekdays),
            "created": created,
        },
    )
    return created


# --- Walk-in at a digital reception point (PAN) -------------------------------------------------


@transaction.atomic
def queue_ticket_issue(
    *,
    desk: Desk,
    actor: User | None,
    visitor_name: str = "",
    case: SubstitutionCase | None = None,
    now: datetime | None = None,
) -> QueueTicket:
    """A walk-in visitor gets the next number of the day, only while the PAN is open. The desk
    row is locked while the number is chosen; the unique constraint (desk, day, number) makes a
    duplicate number impossible anyway."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    locked = Desk.objects.select_for_update().get(pk=desk.pk)
    if locked.kind != DeskKind.PAN:
        raise DomainError(
            "not_pan", _("Walk-in tickets are given at the digital reception point (PAN).")
        )
    if not locked.active or not rules.is_open(locked.opening_hours, local):
        raise DomainError("desk_closed", _("The digital reception point is closed at this time."))
    day = local.date()
    last = (
        QueueTicket.objects.filter(desk=locked, day=day)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    ticket = QueueTicket.objects.create(
        desk=locked,
        day=day,
        number=(last or 0) + 1,
        visitor_name=(visitor_name or "").strip(),
        case=case,
        issued_at=now,
    )
    QueueTicketEvent.record(ticket=ticket, kind=QueueTicketEventKind.ISSUED, actor=actor, params={})
    audit_action(instance=ticket, actor=actor, action="substitution_queue_ticket_issue", details={})
    return ticket


@transaction.atomic
def queue_call_next(*, desk: Desk, actor: User, now: datetime | None = None) -> QueueTicket | None:
    """Call the lowest waiting number of the day; the visitor called before is now served."""
    now = now or timezone.now()
    locked = Desk.objects.select_for_update().get(pk=desk.pk)
    day = timezone.localdate(now)
    for called in QueueTicket.objects.filter(desk=locked, day=day, status=QueueTicketStatus.CALLED):
        transition(called, workflow=QUEUE_TICKET, action="serve", actor=actor)
    ticket = (
        QueueTicket.objects.select_for_update()
        .filter(desk=locked, day=day, status=QueueTicketStatus.WAITING)
        .order_by("number")
        .first()
    )
    if ticket is None:
        return None
    return transition(
        ticket,
        workflow=QUEUE_TICKET,
        action="call",
        actor=actor,
        fields={"called_at": now, "called_by": actor},
    )
