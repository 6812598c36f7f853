"""Celery tasks: thin, idempotent; they call services (a retry or a duplicate does nothing)."""

from celery import shared_task


@shared_task(name="substitution.send_case_opened")
def send_case_opened(case_id: int) -> bool:
    """After a case is opened: the person's link to choose an appointment."""
    from substitution.models import SubstitutionCase
    from substitution.notifications import case_opened_send

    case = SubstitutionCase.objects.select_related("person").filter(pk=case_id).first()
    return case_opened_send(case) if case is not None else False


@shared_task(name="substitution.send_appointment_confirmation")
def send_appointment_confirmation(appointment_id: int) -> bool:
    from substitution.services import appointment_confirmation_send

    return appointment_confirmation_send(appointment_id)


@shared_task(name="substitution.send_reminders")
def send_reminders() -> int:
    """Beat: remind, once, everyone whose appointment is tomorrow."""
    from substitution.services import appointment_reminders_send

    return appointment_reminders_send()


@shared_task(name="substitution.send_appointment_cancelled")
def send_appointment_cancelled(appointment_id: int) -> bool:
    """After an agent cancelled a booking that looked made by nobody real: tell the address."""
    from substitution.models import Appointment
    from substitution.notifications import appointment_cancelled_send

    appointment = (
        Appointment.objects.select_related("case__person", "slot__desk")
        .filter(pk=appointment_id)
        .first()
    )
    return appointment_cancelled_send(appointment) if appointment is not None else False


@shared_task(name="substitution.offer_freed_slot")
def offer_freed_slot(slot_id: int) -> bool:
    """After a cancellation: offer the freed place to the next person waiting at that desk."""
    from substitution.services import slot_offer_next

    return slot_offer_next(slot_id) is not None


@shared_task(name="substitution.expire_slot_offers")
def expire_slot_offers() -> int:
    """Beat: offers of an earlier place not accepted in time expire and go to the next."""
    from substitution.services import slot_offers_expire

    return slot_offers_expire()
