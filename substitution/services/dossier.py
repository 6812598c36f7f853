"""Booking an appointment from the dossier's page (issue 21): the dossier's applicant, or a
helper under a mandate covering it, books at the prefecture for a dossier routed to
substitution. One appointment waiting per dossier: a second booking is refused plainly with
the time already held, unless the person asked to move that one (`move`)."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from anef.errors import DomainError
from substitution import selectors
from substitution.models import Appointment, Slot
from substitution.services.appointments import appointment_book


def dossier_appointment_book(
    *, application, slot: Slot, actor: User | None, origin_ip: str = "", move: bool = False
) -> Appointment:
    """Book `slot` for the dossier through its substitution case (see `selectors.dossier_case`);
    with `move`, the dossier's waiting appointment is moved there instead (its own case books
    again, which cancels the old time in the same transaction). A booking made at the same time
    by another door is refused by the database (`appointment_one_booked_per_application`)."""
    case = selectors.dossier_case(application)
    if case is None:
        raise DomainError(
            "no_appointment_needed",
            _("This application does not take an appointment at the prefecture."),
        )
    existing = selectors.dossier_booked_appointment(application)
    if existing is not None:
        if not move:
            starts = timezone.localtime(existing.slot.starts_at)
            raise DomainError(
                "application_has_appointment",
                _(
                    "This application already has an appointment, on %(day)s at %(time)s. "
                    "There is one appointment per application: you can move it to another time."
                )
                % {
                    "day": date_format(starts, "l j F Y"),
                    "time": date_format(starts, "TIME_FORMAT"),
                },
                http_status=409,
            )
        case = existing.case
    return appointment_book(
        case=case, slot=slot, actor=actor, origin_ip=origin_ip, application=application
    )
