"""The one step shared by cases and appointments: cancelling a booked appointment whose rows
the caller has already locked (closing a case cancels its appointment; rebooking moves it)."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from anef.workflow import transition
from substitution.models import Appointment
from substitution.workflow import APPOINTMENT


def _appointment_cancel_locked(appointment: Appointment, actor: User | None) -> Appointment:
    """Cancel; after commit, the freed place is offered to the next person waiting at that desk
    for an earlier time (`services.waitlist.slot_offer_next`, issue 21)."""
    from substitution.tasks import offer_freed_slot

    slot_id = appointment.slot_id
    transaction.on_commit(lambda: offer_freed_slot.delay(slot_id), robust=True)
    return transition(
        appointment,
        workflow=APPOINTMENT,
        action="cancel",
        actor=actor,
        fields={"cancelled_at": timezone.now()},
        event_params={"starts_at": appointment.slot.starts_at.isoformat()},
    )
