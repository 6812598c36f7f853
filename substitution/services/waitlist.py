"""The waiting list for an earlier appointment and the one-click cancel link (issue 21).

- A person with a booked appointment asks for an earlier one (`waitlist_join`); they stay on
  the list of that desk until they move, leave or their booking ends.
- When a place frees at a desk (any cancellation, `_common._appointment_cancel_locked`), the
  first person waiting there whose own appointment is later is offered it
  (`slot_offer_next`): the place is held for them for `rules.OFFER_VALIDITY`, an e-mail with a
  private accept link leaves through the outbox in the same transaction.
- Accepting (`slot_offer_accept`) moves their booking in one transaction (their old place
  frees in turn, and is offered to the next). Two accepts at once: one wins (the case's row
  lock, then the slot's, with the capacity counted under it); one pending offer per slot is a
  database constraint.
- An offer not accepted in time expires (`slot_offers_expire`, Celery beat) and the place is
  offered to the next person waiting.
- Every confirmation and reminder carries a signed cancel link (`cancel_token`): it cancels that
  one appointment, once, without an account (`appointment_cancel_by_link`).
"""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from anef.audit import audit_action
from anef.errors import DomainError
from anef.services import row_locked
from substitution import notifications, rules
from substitution.cancel_links import appointment_for_cancel_token
from substitution.enums import (
    AppointmentStatus,
    CaseEventKind,
    SlotOfferStatus,
    WaitlistStatus,
)
from substitution.models import (
    LIVE_APPOINTMENT_STATES,
    Appointment,
    CaseEvent,
    Slot,
    SlotOffer,
    SubstitutionCase,
    WaitlistEntry,
)
from substitution.services.appointments import appointment_book, appointment_cancel

logger = logging.getLogger(__name__)

LIVE_ENTRY = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


# --- The cancel link ------------------------------------------------------------------------------


def appointment_cancel_by_link(*, token: str, now: datetime | None = None) -> Appointment:
    """Cancel through the e-mail's link: once (a second use finds it cancelled), before its
    time, and only the appointment the link was signed for."""
    now = now or timezone.now()
    appointment = appointment_for_cancel_token(token)
    if appointment is None:
        raise DomainError("unknown_link", _("This link is not valid. Use the link of your e-mail."))
    if appointment.status != AppointmentStatus.BOOKED:
        raise DomainError(
            "appointment_not_booked", _("This appointment is already cancelled or past.")
        )
    if appointment.slot.starts_at <= now:
        raise DomainError("slot_past", _("This appointment's time has passed."))
    return appointment_cancel(appointment=appointment, actor=None)


# --- The waiting list -----------------------------------------------------------------------------


def _booked(case: SubstitutionCase) -> Appointment | None:
    return (
        Appointment.objects.select_related("slot__desk")
        .filter(case=case, status=AppointmentStatus.BOOKED)
        .first()
    )


@transaction.atomic
def waitlist_join(
    *, case: SubstitutionCase, actor: User | None, now: datetime | None = None
) -> WaitlistEntry:
    """Ask for an earlier time at the desk of one's booked appointment; asking twice is one
    request (`waitlist_one_live_entry_per_case`)."""
    now = now or timezone.now()
    locked = row_locked(case)
    booked = _booked(locked)
    if booked is None or booked.slot.starts_at <= now:
        raise DomainError(
            "no_appointment", _("Book an appointment first: then you can ask for an earlier one.")
        )
    existing = WaitlistEntry.objects.filter(case=locked, status__in=LIVE_ENTRY).first()
    if existing is not None:
        return existing
    entry = WaitlistEntry.objects.create(case=locked, desk=booked.slot.desk, created_at=now)
    CaseEvent.record(case=locked, kind=CaseEventKind.WAITLIST_JOINED, actor=actor, params={})
    audit_action(
        instance=entry,
        actor=actor,
        action="substitution_waitlist_join",
        details={"case": locked.reference, "desk": booked.slot.desk_id},
    )
    return entry


@transaction.atomic
def waitlist_leave(
    *, case: SubstitutionCase, actor: User | None, now: datetime | None = None
) -> WaitlistEntry | None:
    """No longer wait; an offer being held for the person is given up (offered to the next)."""
    now = now or timezone.now()
    locked = row_locked(case)
    entry = WaitlistEntry.objects.select_for_update().filter(case=locked, status__in=LIVE_ENTRY)
    entry = entry.first()
    if entry is None:
        return None
    _entry_end(entry, WaitlistStatus.LEFT, now)
    CaseEvent.record(case=locked, kind=CaseEventKind.WAITLIST_LEFT, actor=actor, params={})
    audit_action(instance=entry, actor=actor, action="substitution_waitlist_leave")
    return entry


def _entry_end(entry: WaitlistEntry, status: str, now: datetime) -> None:
    for offer in entry.offers.select_for_update().filter(status=SlotOfferStatus.PENDING):
        offer.status, offer.answered_at = SlotOfferStatus.VOID, now
        offer.save(update_fields=["status", "answered_at"])
        _offer_next_after_commit(offer.slot_id)
    entry.status, entry.ended_at = status, now
    entry.save(update_fields=["status", "ended_at"])


def _offer_next_after_commit(slot_id: int) -> None:
    from substitution.tasks import offer_freed_slot

    transaction.on_commit(lambda: offer_freed_slot.delay(slot_id), robust=True)


def _free_places(slot: Slot, now: datetime) -> int:
    taken = slot.appointments.filter(status__in=LIVE_APPOINTMENT_STATES).count()
    held = slot.offers.filter(status=SlotOfferStatus.PENDING, expires_at__gt=now).count()
    return slot.capacity - taken - held


def slot_offer_next(slot_id: int, *, now: datetime | None = None) -> SlotOffer | None:
    """Offer a free place of this slot to the first person waiting at its desk whose own
    appointment is later; None when the place is not free, past, or nobody waits for it.
    Idempotent: a second run finds the place held (or the offer made, once per person)."""
    now = now or timezone.now()
    with transaction.atomic():
        slot = Slot.objects.select_for_update().select_related("desk").filter(pk=slot_id).first()
        if slot is None or not slot.desk.active:
            return None
        if slot.starts_at <= now + rules.OFFER_VALIDITY or _free_places(slot, now) <= 0:
            return None
        candidates = (
            WaitlistEntry.objects.select_for_update(skip_locked=True)
            .filter(desk=slot.desk, status=WaitlistStatus.WAITING)
            .exclude(offers__slot=slot)
            .order_by("created_at", "pk")
        )
        for entry in candidates:
            booked = _booked(entry.case)
            if booked is None:
                _entry_end(entry, WaitlistStatus.LEFT, now)
                continue
            if booked.slot.starts_at <= slot.starts_at:
                continue  # this place is not earlier for them
            return _offer_make(entry, slot, booked, now)
    return None


def _offer_make(entry: WaitlistEntry, slot: Slot, booked: Appointment, now: datetime):
    try:
        with transaction.atomic():
            offer = SlotOffer.objects.create(
                entry=entry, slot=slot, created_at=now, expires_at=now + rules.OFFER_VALIDITY
            )
    except IntegrityError:  # another run offered this place at the same moment
        return None
    entry.status = WaitlistStatus.OFFERED
    entry.save(update_fields=["status"])
    CaseEvent.record(
        case=entry.case,
        kind=CaseEventKind.EARLIER_SLOT_OFFERED,
        actor=None,
        params={
            "starts_at": slot.starts_at.isoformat(),
            "expires_at": offer.expires_at.isoformat(),
        },
    )
    audit_action(
        instance=offer,
        actor=None,
        action="substitution_slot_offer",
        details={"case": entry.case.reference, "slot": slot.pk, "current": booked.slot_id},
    )
    notifications.slot_offer_send(offer, current=booked)
    return offer


def slot_offer_get(token: str) -> SlotOffer | None:
    if not token:
        return None
    return SlotOffer.objects.select_related("slot__desk", "entry__case").filter(token=token).first()


def slot_offer_accept(*, token: str, now: datetime | None = None) -> Appointment:
    """Move the person's booking to the place offered, in one transaction; refused once the
    offer was answered, given up or expired. The case's row is locked first (as for any
    booking), then the offer's: two accepts at once queue up and the second finds it taken."""
    now = now or timezone.now()
    found = slot_offer_get(token)
    if found is None:
        raise DomainError("unknown_link", _("This link is not valid. Use the link of your e-mail."))
    with transaction.atomic():
        case = row_locked(found.entry.case)
        offer = (
            SlotOffer.objects.select_for_update().select_related("slot", "entry").get(pk=found.pk)
        )
        if offer.status != SlotOfferStatus.PENDING:
            raise DomainError(
                "offer_answered",
                _("This offer was already answered or is no longer possible."),
                http_status=409,
            )
        if offer.expires_at <= now:
            raise DomainError(
                "offer_expired",
                _("This offer has expired: the time was offered to the next person waiting."),
                http_status=409,
            )
        appointment = appointment_book(case=case, slot=offer.slot, actor=None, now=now, offer=offer)
        offer.status, offer.answered_at = SlotOfferStatus.ACCEPTED, now
        offer.save(update_fields=["status", "answered_at"])
        entry = offer.entry
        entry.status, entry.ended_at = WaitlistStatus.DONE, now
        entry.save(update_fields=["status", "ended_at"])
        audit_action(
            instance=offer,
            actor=None,
            action="substitution_slot_offer_accept",
            details={"case": case.reference, "appointment": appointment.pk},
        )
    return appointment


def slot_offers_expire(*, now: datetime | None = None) -> int:
    """Beat: offers not accepted in time expire, the person waits again (for another place), and
    the place is offered to the next. Each offer in its own transaction, checked under its lock:
    a second run at once does nothing twice."""
    now = now or timezone.now()
    ids = list(
        SlotOffer.objects.filter(status=SlotOfferStatus.PENDING, expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    expired = 0
    for pk in ids:
        with transaction.atomic():
            offer = (
                SlotOffer.objects.select_for_update(skip_locked=True)
                .select_related("entry__case")
                .filter(pk=pk, status=SlotOfferStatus.PENDING, expires_at__lte=now)
                .first()
            )
            if offer is None:
                continue
            offer.status, offer.answered_at = SlotOfferStatus.EXPIRED, now
            offer.save(update_fields=["status", "answered_at"])
            entry = offer.entry
            if entry.status == WaitlistStatus.OFFERED:
                entry.status = WaitlistStatus.WAITING
                entry.save(update_fields=["status"])
            CaseEvent.record(
                case=entry.case, kind=CaseEventKind.EARLIER_SLOT_EXPIRED, actor=None, params={}
            )
            audit_action(instance=offer, actor=None, action="substitution_slot_offer_expire")
            _offer_next_after_commit(offer.slot_id)
            expired += 1
    return expired
