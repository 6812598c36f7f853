"""Writes of the substitution app. Every change is one function here: it locks what it changes,
writes the case's timeline event and the audit entry in one transaction, and sends e-mails after
commit (CONVENTIONS.md)."""

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can_use_back_office, is_contact_centre_agent, is_helper
from anef import generations
from anef.audit import audit_action
from anef.errors import DomainError
from anef.services import row_locked
from anef.workflow import transition
from reference.models import Prefecture
from substitution import notifications, rules, selectors
from substitution.enums import (
    AppointmentStatus,
    CaseEventKind,
    CaseMode,
    CaseOrigin,
    CaseStatus,
    DeskKind,
    FailureStep,
    QueueTicketEventKind,
    QueueTicketStatus,
)
from substitution.models import (
    LIVE_APPOINTMENT_STATES,
    Appointment,
    CaseEvent,
    Desk,
    FailureRecord,
    QueueTicket,
    QueueTicketEvent,
    Slot,
    SubstitutionCase,
)
from substitution.workflow import APPOINTMENT, CASE, QUEUE_TICKET

logger = logging.getLogger(__name__)


def _case_event(
    case: SubstitutionCase, kind: CaseEventKind, actor: User | None, **params: Any
) -> CaseEvent:
    generations.bump_person(case.person_id)  # every change of a case has its event
    return CaseEvent.record(case=case, kind=kind, actor=actor, params=params)


def _person_prefecture(person: User | None) -> Prefecture | None:
    from applications.selectors import prefecture_for_postal_code

    profile = getattr(person, "applicant_profile", None) if person is not None else None
    if profile is None:
        return None
    return prefecture_for_postal_code(profile.postal_code)


@transaction.atomic
def open_case(
    *,
    origin: str,
    person=None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    foreigner_number: str = "",
    prefecture=None,
    summary: str = "",
    opened_by=None,
    acknowledgement=None,
    origin_network: str = "",
) -> SubstitutionCase:
    """Open a substitution case for a blocked person, with or without an account.

    A physical appointment is always offered (arrêté of 1 August 2023, R. 431-2 CESEDA), so the
    case starts in `appointment` mode; a postal or e-mail deposit may be chosen later on request.
    The prefecture defaults to the one of the person's address when they have a profile."""
    if origin not in CaseOrigin.values:
        raise DomainError("origin", _("Unknown origin of the case."))
    if person is None and not (contact_email or contact_phone):
        raise DomainError(
            "contact_required",
            _("Give an e-mail address or a phone number so that we can reach the person."),
        )
    if prefecture is None:
        prefecture = _person_prefecture(person)
    case = SubstitutionCase.objects.create(
        origin=origin,
        person=person,
        contact_name=(contact_name or "").strip(),
        contact_email=(contact_email or "").strip().lower(),
        contact_phone=(contact_phone or "").strip(),
        foreigner_number=(foreigner_number or "").strip(),
        prefecture=prefecture,
        summary=summary or "",
        opened_by=opened_by if getattr(opened_by, "is_authenticated", False) else None,
        acknowledgement=acknowledgement,
        mode=CaseMode.APPOINTMENT,
        status=CaseStatus.OPEN,
        origin_network=origin_network,
    )
    _case_event(case, CaseEventKind.OPENED, opened_by, origin=origin)
    audit_action(
        instance=case,
        actor=opened_by,
        action="substitution_case_open",
        changes={"status": ("", CaseStatus.OPEN)},
        details={"origin": origin},
    )
    if case.email:
        _case_opened_mail_on_commit(case)
    return case


def _case_opened_mail_on_commit(case: SubstitutionCase) -> None:
    from substitution.tasks import send_case_opened

    transaction.on_commit(lambda: send_case_opened.delay(case.pk), robust=True)


@transaction.atomic
def case_mode_change(*, case: SubstitutionCase, mode: str, actor: User | None) -> SubstitutionCase:
    """The person asks to file by post or by e-mail instead (or back to an appointment); the
    appointment stays offered whatever the mode (arrêté of 1 August 2023)."""
    if mode not in CaseMode.values:
        raise DomainError("mode", _("Choose how you want to file."))
    locked = row_locked(case)
    if not locked.is_open:
        raise DomainError("case_closed", _("This case is closed."))
    before = locked.mode
    if before == mode:
        return locked
    locked.mode = mode
    locked.save(update_fields=["mode"])
    _case_event(locked, CaseEventKind.MODE_CHANGED, actor, mode=mode)
    audit_action(
        instance=locked,
        actor=actor,
        action="substitution_case_mode_change",
        changes={"mode": (before, mode)},
    )
    return locked


@transaction.atomic
def case_close(*, case: SubstitutionCase, actor: User, note: str = "") -> SubstitutionCase:
    locked = row_locked(case)
    if not locked.is_open:
        raise DomainError("case_closed", _("This case is already closed."))
    for appointment in locked.appointments.filter(status=AppointmentStatus.BOOKED):
        _appointment_cancel_locked(appointment, actor)
    return transition(
        locked,
        workflow=CASE,
        action="close",
        actor=actor,
        fields={"closed_at": timezone.now()},
        event_params={"note": note},
    )


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


# --- Appointments -------------------------------------------------------------------------------


def _appointment_cancel_locked(appointment: Appointment, actor: User | None) -> Appointment:
    return transition(
        appointment,
        workflow=APPOINTMENT,
        action="cancel",
        actor=actor,
        fields={"cancelled_at": timezone.now()},
        event_params={"starts_at": appointment.slot.starts_at.isoformat()},
    )


@transaction.atomic
def appointment_book(
    *,
    case: SubstitutionCase,
    slot: Slot,
    actor: User | None,
    now: datetime | None = None,
    origin_ip: str = "",
) -> Appointment:
    """Book a place in `slot` for the case (by the person, the contact centre or an agent).

    Never beyond capacity, even when many book at once: the slot's row is locked while its live
    appointments are counted, so concurrent bookings of the same slot queue up behind the lock.
    A case has one appointment waiting at most: booking again moves it (rebooking).

    Booked by the person themselves (issue 15), a case opened from failed attempts needs its
    e-mail address confirmed first, and one network books for a limited number of cases a
    day (`origin_ip`, the client's address: see `_self_service_booking_check`)."""
    now = now or timezone.now()
    locked_case = row_locked(case)
    if not locked_case.is_open or locked_case.status == CaseStatus.DEPOSIT_RECEIVED:
        raise DomainError("case_not_bookable", _("This case no longer takes an appointment."))
    network = ""
    if _self_service(actor):
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
    if taken >= locked_slot.capacity:
        raise DomainError("slot_full", _("This time has just been taken. Choose another one."))
    if previous is not None:
        _appointment_cancel_locked(previous, actor)
    if locked_case.prefecture_id is None:
        locked_case.prefecture_id = locked_slot.desk.prefecture_id
        locked_case.save(update_fields=["prefecture"])
    appointment = Appointment.objects.create(
        slot=locked_slot,
        case=locked_case,
        booked_by=actor if getattr(actor, "is_authenticated", False) else None,
        booked_at=now,
        booked_from_network=network,
    )
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


# --- Automatic offer ----------------------------------------------------------------------------


def failure_record(
    *,
    step: str,
    user: User | None = None,
    email: str = "",
    code: str = "",
    failed: bool = True,
) -> FailureRecord | None:
    """Record that an essential step failed (issue 6). Keyed by the account when known, else
    by a keyed hash of the e-mail typed; never a password, never a file. Without either key
    there is nobody to offer anything to, and nothing is recorded. Never raises: a failure to
    record must not add a second error to the person's first one."""
    if not failed:  # lets a view call this unconditionally, in one line, after a step
        return None
    known = user if getattr(user, "is_authenticated", False) else None
    fingerprint = "" if known is not None else selectors.email_fingerprint(email)
    if known is None and not fingerprint:
        return None
    try:
        with transaction.atomic():
            return FailureRecord.objects.create(
                step=step, user=known, email_hash=fingerprint, code=(code or "")[:64]
            )
    except DatabaseError:
        logger.exception("Failure of step %s not recorded", step)
        return None


@transaction.atomic
def offer_accept(
    *, person: User, slot: Slot, now: datetime | None = None, origin_ip: str = ""
) -> Appointment:
    """The person blocked on the portal accepts the substitution offered: a case is opened by
    automatic detection (or their open one reused) and the appointment booked, in one step."""
    case = selectors.case_open_for_person(person)
    if case is None:
        if not selectors.failure_offer_due(user=person, now=now):
            raise DomainError(
                "offer_not_due",
                _("Call the contact centre: a person will help you and can offer an appointment."),
            )
        case = open_case(
            origin=CaseOrigin.AUTOMATIC_DETECTION,
            person=person,
            summary="Repeated failures of an essential step on the portal.",
            opened_by=person,
        )
    return appointment_book(case=case, slot=slot, actor=person, now=now, origin_ip=origin_ip)


def signup_refused(form) -> None:
    """Called by the sign-up form after validation: a refused sign-up is a failure of an
    essential step, keyed by a hash of the e-mail typed (never the password). Past the
    threshold, the form itself offers the appointment, on the page where the person is stuck."""
    if not form.is_bound or not form.errors:
        return
    email = str(form.data.get("email") or "")
    failure_record(step=FailureStep.SIGNUP, email=email, code="signup_refused")
    if selectors.failure_offer_due(email=email):
        form.add_error(
            None,
            format_html(
                '{} <a href="{}">{}</a>',
                _(
                    "You seem unable to create an account. You have the right to file your "
                    "application another way: an appointment at the prefecture is offered to you."
                ),
                reverse("substitution_public:help_request"),
                _("Choose an appointment"),
            ),
        )
