"""Booking, cancelling and marking appointments at a prefecture's desk, and the e-mails that
confirm and remind them, each sent once."""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can_use_back_office, is_contact_centre_agent, is_helper
from anef.audit import audit_action
from anef.errors import DomainError
from anef.services import row_locked
from anef.workflow import transition
from substitution import notifications, rules, selectors
from substitution.enums import AppointmentStatus, CaseStatus, SlotOfferStatus
from substitution.models import (
    LIVE_APPOINTMENT_STATES,
    Appointment,
    Slot,
    SlotOffer,
    SubstitutionCase,
)
from substitution.services._common import _appointment_cancel_locked
from substitution.workflow import APPOINTMENT, CASE

logger = logging.getLogger(__name__)


@transaction.atomic
def appointment_book(
    *,
    case: SubstitutionCase,
    slot: Slot,
    actor: User | None,
    now: datetime | None = None,
    origin_ip: str = "",
    application=None,
    offer: SlotOffer | None = None,
) -> Appointment:
    """Book a place in `slot` for the case (by the person, the contact centre or an agent).

    Never beyond capacity, even when many book at once: the slot's row is locked while its live
    appointments are counted, so concurrent bookings of the same slot queue up behind the lock.
    A case has one appointment waiting at most: booking again moves it (rebooking).

    Booked by the person themselves (issue 15), a case opened from failed attempts needs its
    e-mail address confirmed first, and one network books for a limited number of cases a
    day (`origin_ip`, the client's address: see `_self_service_booking_check`).

    The appointment is for `application` (booked from a dossier), else for the case's recorded
    application, if any: one appointment waiting per application is a database constraint.
    A place offered to a waiting person (a pending `SlotOffer`) is held for them: it counts as
    taken for everyone but the `offer` being accepted (`services.waitlist.slot_offer_accept`),
    which moves an existing booking and so skips the self-service checks."""
    now = now or timezone.now()
    locked_case = row_locked(case)
    if not locked_case.is_open or locked_case.status == CaseStatus.DEPOSIT_RECEIVED:
        raise DomainError("case_not_bookable", _("This case no longer takes an appointment."))
    application = _application_for(locked_case, application)
    network = ""
    if offer is None and _self_service(actor):
        network = selectors.network_fingerprint(origin_ip)
        _self_service_booking_check(locked_case, actor=actor, network=network, now=now)
    locked_slot = Slot.objects.select_for_update().select_related("desk").get(pk=slot.pk)
    if locked_slot.starts_at <= now:
        raise DomainError("slot_past", _("This time has passed. Choose another one."))
    if not locked_slot.desk.active:
        raise DomainError("slot_closed", _("This desk no longer receives appointments."))
    if (
        locked_case.prefecture_id is not None
        and locked_slot.desk.prefecture_id != locked_case.prefecture_id
    ):
        raise DomainError(
            "slot_other_prefecture", _("Choose a time at the desk of your prefecture.")
        )
    previous = (
        Appointment.objects.select_for_update()
        .select_related("slot", "case")
        .filter(case=locked_case, status=AppointmentStatus.BOOKED)
        .first()
    )
    if previous is not None and previous.slot_id == locked_slot.pk:
        return previous  # booked twice (a double click): nothing changes
    taken = locked_slot.appointments.filter(status__in=LIVE_APPOINTMENT_STATES).count()
    held = SlotOffer.objects.filter(
        slot=locked_slot, status=SlotOfferStatus.PENDING, expires_at__gt=now
    ).exclude(pk=getattr(offer, "pk", None))
    if taken + held.count() >= locked_slot.capacity:
        raise DomainError("slot_full", _("This time has just been taken. Choose another one."))
    if previous is not None:
        _appointment_cancel_locked(previous, actor)
    if locked_case.prefecture_id is None:
        locked_case.prefecture_id = locked_slot.desk.prefecture_id
        locked_case.save(update_fields=["prefecture"])
    try:
        with transaction.atomic():  # a savepoint: the constraint's refusal is told, not raised
            appointment = Appointment.objects.create(
                slot=locked_slot,
                case=locked_case,
                application=application,
                person_id=locked_case.person_id,
                booked_by=actor if getattr(actor, "is_authenticated", False) else None,
                booked_at=now,
                booked_from_network=network,
            )
    except IntegrityError as error:
        if _constraint(error) == "appointment_one_booked_per_person":
            raise DomainError(
                "person_has_appointment",
                _(
                    "You already have an appointment waiting at the prefecture. One appointment "
                    "at a time: move or cancel that one instead."
                ),
                http_status=409,
            ) from None
        raise DomainError(
            "application_has_appointment",
            _(
                "This application already has an appointment waiting. Cancel it before you "
                "book another one."
            ),
            http_status=409,
        ) from None
    transition(
        locked_case,
        workflow=CASE,
        action="appointment",
        actor=actor,
        event_params={
            "starts_at": locked_slot.starts_at.isoformat(),
            "desk": locked_slot.desk.name,
            "rebooked": previous is not None,
        },
    )
    audit_action(
        instance=appointment,
        actor=actor,
        action="substitution_appointment_book",
        details={"case": locked_case.reference, "slot": locked_slot.pk},
    )
    from substitution.tasks import send_appointment_confirmation

    transaction.on_commit(lambda: send_appointment_confirmation.delay(appointment.pk), robust=True)
    return appointment


def _constraint(error: IntegrityError) -> str:
    """The name of the constraint PostgreSQL refused the row by (psycopg's diagnostics)."""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", "") or ""


def _application_for(case: SubstitutionCase, application):
    """The application an appointment is for: the one it was booked from, which must be the
    case's person's (or the case's own recorded one), else the case's recorded one."""
    if application is None:
        return case.application if case.application_id is not None else None
    if application.pk == case.application_id:
        return application
    if case.person_id is None or application.applicant_id != case.person_id:
        raise DomainError("not_yours", _("This application is not the one of this case."))
    return application


def _self_service(actor: User | None) -> bool:
    """Booked by the person (or their helper) rather than by staff who spoke to them."""
    return not (can_use_back_office(actor) or is_contact_centre_agent(actor))


def _self_service_booking_check(
    case: SubstitutionCase, *, actor: User | None, network: str, now: datetime
) -> None:
    if selectors.case_needs_verified_email(case):
        raise DomainError(
            "email_unverified",
            _(
                "Before you book, confirm your e-mail address with the code we send to it. "
                "This keeps the prefecture's times for the people who need them."
            ),
        )
    if is_helper(actor):  # a helper books for the people who gave them a mandate
        return
    booked = selectors.cases_booked_from_network(
        network, since=now - rules.LIMIT_WINDOW, other_than=case
    )
    if rules.over_limit(booked, rules.BOOKED_CASES_PER_NETWORK):
        raise DomainError(
            "network_limit",
            _(
                "Too many appointments were booked from your connection today. Call the "
                "contact centre at %(phone)s: a person will book your appointment with you."
            )
            % {"phone": settings.CONTACT_PHONE},
        )


def _locked_appointment(appointment: Appointment) -> tuple[Appointment, SubstitutionCase]:
    """Lock the case first, then the appointment: the same order as `appointment_book`, so two
    changes of one case at once wait for each other instead of deadlocking."""
    case = row_locked(SubstitutionCase(pk=appointment.case_id))
    locked = Appointment.objects.select_for_update().select_related("slot").get(pk=appointment.pk)
    locked.case = case
    return locked, case


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, actor: User | None) -> Appointment:
    locked, case = _locked_appointment(appointment)
    if locked.status != AppointmentStatus.BOOKED:
        raise DomainError(
            "appointment_not_booked", _("This appointment cannot be cancelled any more.")
        )
    cancelled = _appointment_cancel_locked(locked, actor)
    if case.status == CaseStatus.APPOINTMENT_BOOKED:
        transition(case, workflow=CASE, action="appointment_cancelled", actor=actor)
    return cancelled


@transaction.atomic
def appointment_mark(
    *, appointment: Appointment, attended: bool, actor: User, now: datetime | None = None
) -> Appointment:
    """The desk agent records that the person came, or did not; not before the time."""
    now = now or timezone.now()
    locked, case = _locked_appointment(appointment)
    if locked.status != AppointmentStatus.BOOKED:
        raise DomainError("appointment_not_booked", _("This appointment is already marked."))
    if locked.slot.starts_at > now:
        raise DomainError(
            "appointment_future", _("You can mark an appointment only once its time has come.")
        )
    marked = transition(
        locked,
        workflow=APPOINTMENT,
        action="mark_attended" if attended else "mark_no_show",
        actor=actor,
        fields={"marked_at": now},
        event_params={"starts_at": locked.slot.starts_at.isoformat()},
    )
    if not attended and case.status == CaseStatus.APPOINTMENT_BOOKED:
        # A missed appointment is not the end: the case is open again for a new one.
        transition(case, workflow=CASE, action="appointment_missed", actor=actor)
    return marked


def appointment_confirmation_send(appointment_id: int) -> bool:
    """Send the confirmation once: the row is locked, checked and stamped in one transaction."""
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update()
            .filter(pk=appointment_id, confirmation_sent_at__isnull=True)
            .first()
        )
        if appointment is None or appointment.status != AppointmentStatus.BOOKED:
            return False
        sent = notifications.appointment_send(appointment, reminder=False)
        appointment.confirmation_sent_at = timezone.now()
        appointment.save(update_fields=["confirmation_sent_at"])
        return sent


def appointment_reminders_send(*, now: datetime | None = None) -> int:
    """Remind everyone whose appointment is tomorrow, once. Each appointment is locked, checked
    and stamped `reminder_sent_at` in its own transaction: a second run, even at the same time,
    finds it stamped (or waits for the lock and then finds it stamped) and sends nothing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    ids = list(
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            reminder_sent_at__isnull=True,
            slot__starts_at__gte=start,
            slot__starts_at__lt=start + timedelta(days=1),
        ).values_list("pk", flat=True)
    )
    sent = 0
    for appointment_id in ids:
        with transaction.atomic():
            appointment = (
                Appointment.objects.select_for_update()
                .filter(
                    pk=appointment_id,
                    status=AppointmentStatus.BOOKED,
                    reminder_sent_at__isnull=True,
                )
                .first()
            )
            if appointment is None:
                continue
            if not rules.reminder_due(
                slot_day=timezone.localdate(appointment.slot.starts_at), today=today
            ):
                continue
            try:
                delivered = notifications.appointment_send(appointment, reminder=True)
            except Exception:  # one failed sending must not stop the others
                logger.exception("Reminder for appointment %s not sent", appointment_id)
                continue
            appointment.reminder_sent_at = now
            appointment.save(update_fields=["reminder_sent_at"])
            sent += int(delivered)
    return sent
