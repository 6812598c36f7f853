"""Reads of the substitution app, already scoped to who asks (CONVENTIONS.md): another
prefecture's case or another person's appointment is simply not found."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.models import ApplicantProfile, User
from accounts.permissions import can_use_back_office, can_use_portal, is_helper
from applications.models import Prefecture
from applications.selectors import prefecture_for_postal_code
from substitution import rules
from substitution.enums import AppointmentStatus, CaseStatus, QueueTicketStatus
from substitution.models import (
    LIVE_APPOINTMENT_STATES,
    Appointment,
    Desk,
    FailureRecord,
    QueueTicket,
    Slot,
    SubstitutionCase,
)


def email_fingerprint(email: str) -> str:
    """A keyed hash of an e-mail typed on a failed form: lets us count failures for one address
    without storing it in clear (issue 6: no password, no personal data needlessly kept)."""
    normalized = (email or "").strip().lower()
    if not normalized:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), normalized.encode(), hashlib.sha256).hexdigest()


# --- Cases -------------------------------------------------------------------------------------


def case_list_for_agent(user: User) -> QuerySet[SubstitutionCase]:
    """A prefecture agent sees the cases of their prefecture."""
    if not can_use_back_office(user):
        return SubstitutionCase.objects.none()
    return SubstitutionCase.objects.filter(prefecture_id=user.prefecture_id)


def _persons_for(user: User) -> Q:
    """The person themselves; for a helper, the people whose mandate is in force today (issue
    6: a helper books or cancels the appointment for them). A case has no ground, so any
    mandate in force covers it."""
    if is_helper(user):
        from accounts.mandates import mandate_list_active_for_helper

        return Q(person__in=mandate_list_active_for_helper(user).values("person_id"))
    return Q(person=user)


def case_list_for_person(user: User) -> QuerySet[SubstitutionCase]:
    """The person's own cases (the portal), or those of the people a helper acts for."""
    if not can_use_portal(user):
        return SubstitutionCase.objects.none()
    return SubstitutionCase.objects.filter(_persons_for(user))


def case_get_by_token(token: str) -> SubstitutionCase | None:
    """The private link of a person without an account. Only the long token opens it; the
    reference alone never does."""
    if not token or len(token) < 32:
        return None
    return SubstitutionCase.objects.select_related("prefecture").filter(access_token=token).first()


def case_open_for_person(user: User) -> SubstitutionCase | None:
    return (
        SubstitutionCase.objects.filter(person=user)
        .exclude(status=CaseStatus.CLOSED)
        .order_by("-opened_at")
        .first()
    )


def person_prefecture(user: User) -> Prefecture | None:
    """The prefecture of the person's address, if they gave one."""
    profile = ApplicantProfile.objects.filter(user=user).only("postal_code").first()
    return prefecture_for_postal_code(profile.postal_code) if profile else None


def case_booked_appointment(case: SubstitutionCase) -> Appointment | None:
    return (
        case.appointments.filter(status=AppointmentStatus.BOOKED)
        .select_related("slot__desk")
        .first()
    )


# --- Slots -------------------------------------------------------------------------------------


def slot_list_free(
    *, prefecture: Prefecture | None, after: datetime | None = None, limit: int = 30
) -> QuerySet[Slot]:
    """Future slots with a place left, soonest first (of one prefecture, or everywhere when
    the case has none yet)."""
    after = after or timezone.now()
    slots = Slot.objects.filter(starts_at__gt=after, desk__active=True)
    if prefecture is not None:
        slots = slots.filter(desk__prefecture=prefecture)
    return (
        slots.annotate(
            taken=Count("appointments", filter=Q(appointments__status__in=LIVE_APPOINTMENT_STATES))
        )
        .filter(taken__lt=F("capacity"))
        .select_related("desk__prefecture")
        .order_by("starts_at", "desk_id")[:limit]
    )


def slot_taken(slot: Slot) -> int:
    return slot.appointments.filter(status__in=LIVE_APPOINTMENT_STATES).count()


def desk_list_for_agent(user: User) -> QuerySet[Desk]:
    if not can_use_back_office(user):
        return Desk.objects.none()
    return Desk.objects.filter(prefecture_id=user.prefecture_id)


def appointment_list_for_agent(user: User) -> QuerySet[Appointment]:
    if not can_use_back_office(user):
        return Appointment.objects.none()
    return Appointment.objects.filter(slot__desk__prefecture_id=user.prefecture_id)


def appointment_list_for_person(user: User) -> QuerySet[Appointment]:
    if not can_use_portal(user):
        return Appointment.objects.none()
    return Appointment.objects.filter(
        case__in=SubstitutionCase.objects.filter(_persons_for(user))
    ).select_related("slot__desk", "case")


def desk_day_list(desk: Desk, day: date) -> QuerySet[Appointment]:
    """The printable list of a desk's day: everyone expected, in order."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return (
        Appointment.objects.filter(
            slot__desk=desk,
            slot__starts_at__gte=start,
            slot__starts_at__lt=start + timedelta(days=1),
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("slot", "case__person")
        .order_by("slot__starts_at", "pk")
    )


def queue_tickets_today(desk: Desk, today: date | None = None) -> QuerySet[QueueTicket]:
    return QueueTicket.objects.filter(desk=desk, day=today or timezone.localdate()).order_by(
        "number"
    )


def queue_waiting_count(desk: Desk, today: date | None = None) -> int:
    return queue_tickets_today(desk, today).filter(status=QueueTicketStatus.WAITING).count()


# --- Automatic offer ---------------------------------------------------------------------------


def failure_offer_due(
    *, user: User | None = None, email: str = "", now: datetime | None = None
) -> bool:
    """Whether this person has failed essential steps often enough to be offered substitution
    (settings SUBSTITUTION_OFFER_THRESHOLD within SUBSTITUTION_OFFER_WINDOW_DAYS)."""
    now = now or timezone.now()
    window = settings.SUBSTITUTION_OFFER_WINDOW_DAYS
    key = Q()
    if user is not None and user.is_authenticated:
        key |= Q(user=user)
    fingerprint = email_fingerprint(email)
    if fingerprint:
        key |= Q(email_hash=fingerprint)
    if not key:
        return False
    times = FailureRecord.objects.filter(
        key, occurred_at__gt=now - timedelta(days=window), occurred_at__lte=now
    ).values_list("occurred_at", flat=True)
    return rules.offer_due(
        times, now=now, threshold=settings.SUBSTITUTION_OFFER_THRESHOLD, window_days=window
    )


# --- Figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrefectureFigures:
    prefecture: Prefecture
    next_free_slot: Slot | None
    wait_days: int | None
    attended: int
    no_show: int
    no_show_rate: float | None
    open_cases: int


def prefecture_figures(prefecture: Prefecture, *, today: date | None = None) -> PrefectureFigures:
    """Next free slot, wait in days and no-show rate (the last 90 days) of one prefecture."""
    today = today or timezone.localdate()
    next_slot = slot_list_free(prefecture=prefecture, limit=1).first()
    since = timezone.now() - timedelta(days=90)
    marked = Appointment.objects.filter(
        slot__desk__prefecture=prefecture, slot__starts_at__gte=since
    ).aggregate(
        attended=Count("pk", filter=Q(status=AppointmentStatus.ATTENDED)),
        no_show=Count("pk", filter=Q(status=AppointmentStatus.NO_SHOW)),
    )
    return PrefectureFigures(
        prefecture=prefecture,
        next_free_slot=next_slot,
        wait_days=rules.wait_days(
            today, timezone.localdate(next_slot.starts_at) if next_slot else None
        ),
        attended=marked["attended"],
        no_show=marked["no_show"],
        no_show_rate=rules.no_show_rate(attended=marked["attended"], no_show=marked["no_show"]),
        open_cases=SubstitutionCase.objects.filter(prefecture=prefecture)
        .exclude(status=CaseStatus.CLOSED)
        .count(),
    )
