"""E-mails of the substitution app: the case's link, the appointment's confirmation and its
reminder the day before. Written in French then English, like the attestations' e-mails, to the
outbox (anef/outbox.py) in the caller's transaction; sent after commit.

The outbox stores text only, no attachment: the appointment's e-mails link to its calendar file
(`calendar_url`) instead of attaching it."""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anef.emails import bilingual_email_enqueue
from anef.enums import NotificationKind, NotificationSubject
from anef.sms import email_also, sms_day, sms_enqueue, sms_time
from substitution.cancel_links import cancel_url, offer_short_url
from substitution.models import Appointment, SlotOffer, SubstitutionCase
from substitution.selectors import appointment_address_lines, case_items_to_bring

logger = logging.getLogger(__name__)


def case_url(case: SubstitutionCase) -> str:
    """Where the person manages their case: the portal for an account holder, else the private
    link (DESIGN.md §1: people who cannot sign in must be reached all the same)."""
    if case.person_id is not None and case.person.has_usable_password():
        path = reverse("substitution_portal:case_detail", kwargs={"reference": case.reference})
    else:
        path = reverse("substitution_public:case", kwargs={"token": case.access_token})
    return f"{settings.SITE_URL}{path}"


def calendar_url(case: SubstitutionCase, appointment: Appointment) -> str:
    """Where the appointment's calendar file is downloaded, by the same door as `case_url`."""
    if case.person_id is not None and case.person.has_usable_password():
        path = reverse("substitution_portal:appointment_calendar", kwargs={"pk": appointment.pk})
    else:
        path = reverse("substitution_public:case_calendar", kwargs={"token": case.access_token})
    return f"{settings.SITE_URL}{path}"


def _send(to: str, subject, template: str, context: dict, *, key: str, person) -> None:
    bilingual_email_enqueue(
        to=[to],
        subject=subject,
        template=template,
        context=context,
        idempotency_key=key,
        person=person,
    )


def case_opened_send(case: SubstitutionCase) -> bool:
    if not case.email:
        return False
    _send(
        case.email,
        lambda: _("Your appointment to file your application"),
        "emails/substitution_case_opened.txt",
        {
            "name": case.display_name,
            "reference": case.reference,
            "case_url": case_url(case),
            "contact_phone": settings.CONTACT_PHONE,
        },
        key=f"substitution:case-opened:{case.pk}",
        person=case.person,
    )
    return True


def appointment_text(appointment: Appointment, *, reminder: bool) -> bool:
    """The text of a booking or its reminder, with the cancel link, to a person with an account
    who chose texts (anef/sms.py decides; a booking once, a reminder once a day). True if one
    was written."""
    person = appointment.case.person
    if person is None:
        return False
    starts_at = appointment.slot.starts_at
    return sms_enqueue(
        person=person,
        kind=NotificationKind.APPOINTMENT_REMINDER
        if reminder
        else NotificationKind.APPOINTMENT_CONFIRMED,
        context={
            "day": sms_day(starts_at),
            "time": sms_time(starts_at),
            "link": cancel_url(appointment, site=settings.SMS_SITE_URL),
        },
        subject_type=NotificationSubject.APPOINTMENT,
        subject_id=appointment.pk,
    )


def appointment_send(appointment: Appointment, *, reminder: bool) -> bool:
    """The e-mail of a booking or its reminder, and its text where the person takes texts; True
    if either was written."""
    case = appointment.case
    texted = appointment_text(appointment, reminder=reminder)
    if not case.email:
        logger.info("Appointment %s: no e-mail address, none sent", appointment.pk)
        return texted
    if not email_also(case.person, texted=texted):  # texts only: the text says it
        return True
    _send(
        case.email,
        (lambda: _("Reminder: your appointment tomorrow"))
        if reminder
        else (lambda: _("Your appointment is booked")),
        "emails/substitution_appointment.txt",
        {
            "name": case.display_name,
            "reminder": reminder,
            "starts_at": timezone.localtime(appointment.slot.starts_at),
            "desk": appointment.slot.desk,
            "address_lines": appointment_address_lines(appointment),
            "items_to_bring": case_items_to_bring(case),
            "reference": case.reference,
            "case_url": case_url(case),
            "calendar_url": calendar_url(case, appointment),
            "cancel_url": cancel_url(appointment),
            "contact_phone": settings.CONTACT_PHONE,
        },
        key=f"substitution:appointment-{'reminder' if reminder else 'booked'}:{appointment.pk}",
        person=case.person,
    )
    return True


def appointment_cancelled_send(appointment: Appointment) -> bool:
    """The prefecture cancelled a booking it could not tie to a real person (issue 15)."""
    case = appointment.case
    if not case.email:
        return False
    _send(
        case.email,
        lambda: _("Your appointment at the prefecture is cancelled"),
        "emails/substitution_appointment_cancelled.txt",
        {
            "name": case.display_name,
            "starts_at": timezone.localtime(appointment.slot.starts_at),
            "desk": appointment.slot.desk,
            "reference": case.reference,
            "contact_phone": settings.CONTACT_PHONE,
        },
        key=f"substitution:appointment-cancelled:{appointment.pk}",
        person=case.person,
    )
    return True


def slot_offer_text(offer: SlotOffer, *, current: Appointment) -> bool:
    """The text of an earlier place offered, with its short accept link (`/o/<key>`, as short
    as the cancel link `/r/<key>`), to a person with an account who chose texts.
    Once per person and day (anef/sms.py's log): a second offer the same day goes by e-mail."""
    person = offer.entry.case.person
    if person is None:
        return False
    return sms_enqueue(
        person=person,
        kind=NotificationKind.SLOT_OFFER,
        context={"link": offer_short_url(offer, site=settings.SMS_SITE_URL)},
        subject_type=NotificationSubject.APPOINTMENT,
        subject_id=current.pk,
    )


def offer_url(offer: SlotOffer) -> str:
    path = reverse("substitution_public:slot_offer", kwargs={"token": offer.token})
    return f"{settings.SITE_URL}{path}"


def slot_offer_send(offer: SlotOffer, *, current: Appointment) -> bool:
    """An earlier place freed for a person on the waiting list: when, until when the offer
    holds, and the private link that accepts it (issue 21); by text too where the person takes
    texts (`slot_offer_text`). True if either was written."""
    case = offer.entry.case
    texted = slot_offer_text(offer, current=current)
    if not case.email:
        logger.info("Offer %s: no e-mail address, none sent", offer.pk)
        return texted
    if not email_also(case.person, texted=texted):  # texts only: the text says it
        return True
    _send(
        case.email,
        lambda: _("An earlier appointment is free for you"),
        "emails/substitution_slot_offer.txt",
        {
            "name": case.display_name,
            "starts_at": timezone.localtime(offer.slot.starts_at),
            "current_starts_at": timezone.localtime(current.slot.starts_at),
            "desk": offer.slot.desk,
            "expires_at": timezone.localtime(offer.expires_at),
            "offer_url": offer_url(offer),
            "reference": case.reference,
            "contact_phone": settings.CONTACT_PHONE,
        },
        key=f"substitution:slot-offer:{offer.pk}",
        person=case.person,
    )
    return True
