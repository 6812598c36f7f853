"""Reads of the substitution app, already scoped to who asks (CONVENTIONS.md): another
prefecture's case or another person's appointment is simply not found."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import ApplicantProfile, User
from accounts.permissions import can_use_back_office, can_use_portal, is_helper
from anef.client_ip import network_of
from applications.selectors import application_checklist, prefecture_for_postal_code
from reference.models import GroundRequirement, Prefecture
from substitution import rules
from substitution.enums import (
    AppointmentStatus,
    CaseOrigin,
    CaseStatus,
    QueueTicketStatus,
    SlotOfferStatus,
    WaitlistStatus,
)
from substitution.models import (
    LIVE_APPOINTMENT_STATES,
    Appointment,
    Desk,
    FailureRecord,
    QueueTicket,
    Slot,
    SlotOffer,
    SubstitutionCase,
    WaitlistEntry,
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
        .select_related("slot__desk__prefecture")
        .first()
    )


def appointment_get_for_person(user: User, pk: int) -> Appointment | None:
    """One of the person's own booked appointments (or of the people a helper acts for), with
    what its confirmation shows; anyone else's is not found."""
    return (
        appointment_list_for_person(user)
        .filter(pk=pk, status=AppointmentStatus.BOOKED)
        .select_related("slot__desk__prefecture", "case__application__ground")
        .first()
    )


def appointment_address_lines(appointment: Appointment) -> list[str]:
    """Where to go, line by line: the desk, the spot in the building, the prefecture, its
    street, then postcode and city; a line the desk and the prefecture share (a desk whose
    « spot » is the prefecture's street) is said once."""
    desk = appointment.slot.desk
    prefecture = desk.prefecture
    lines = [desk.name, desk.location, prefecture.name, prefecture.address_line]
    lines.append(f"{prefecture.postal_code} {prefecture.city}".strip())
    return list(dict.fromkeys(line for line in lines if line))


# Without a recorded application, what anyone filing a residence permit application brings.
GENERIC_ITEMS_TO_BRING = (
    _("Your passport or another identity document"),
    _("A proof of address of less than 6 months"),
    _("Your current residence permit or receipt, if you have one"),
)


@dataclass(frozen=True)
class ItemToBring:
    """One line of « what to bring ». Its text is read when the page or the e-mail is rendered,
    so that it comes in the language being rendered (an e-mail is rendered in two)."""

    requirement: GroundRequirement | None = None
    generic: Promise | str = ""

    @property
    def label(self) -> str:
        if self.requirement is not None:
            return self.requirement.document_type.label
        return str(self.generic)

    @property
    def note(self) -> str:
        return self.requirement.note if self.requirement is not None else ""

    @property
    def optional(self) -> bool:
        return self.requirement is not None and not self.requirement.mandatory


def case_items_to_bring(case: SubstitutionCase) -> list[ItemToBring]:
    """The checklist of the person's procedure (the pieces its ground asks for, as on the
    dossier's page), or a short generic list when the case has no application recorded."""
    if case.application_id is not None:
        items = [
            ItemToBring(requirement=item.requirement)
            for item in application_checklist(case.application)
        ]
        if items:
            return items
    return [ItemToBring(generic=text) for text in GENERIC_ITEMS_TO_BRING]


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
    # A place offered to a waiting person is held for them until the offer expires (issue 21).
    held = SlotOffer.objects.filter(
        slot=OuterRef("pk"), status=SlotOfferStatus.PENDING, expires_at__gt=after
    )
    return (
        slots.annotate(
            taken=Count("appointments", filter=Q(appointments__status__in=LIVE_APPOINTMENT_STATES)),
            held=Case(When(Exists(held), then=Value(1)), default=Value(0)),
        )
        .filter(taken__lt=F("capacity") - F("held"))
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


# --- A real person behind a self-service case (issue 15) ---------------------------------------


def network_fingerprint(ip: str) -> str:
    """A keyed hash of the client's network (anef.client_ip.network_of): counts per network without
    keeping the address in clear, like `email_fingerprint`."""
    network = network_of(ip)
    if not network:
        return ""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"network:{network}".encode(), hashlib.sha256
    ).hexdigest()


def case_needs_verified_email(case: SubstitutionCase) -> bool:
    """Whether the person must still confirm the case's e-mail address before booking."""
    return (
        rules.booking_needs_verified_email(
            origin=case.origin, has_account=case.person_id is not None
        )
        and case.email_verified_at is None
    )


def case_open_for_email(email: str) -> SubstitutionCase | None:
    """An open case of someone without an account, opened from failed attempts with this
    e-mail address (what a second help request with the same address finds)."""
    address = (email or "").strip().lower()
    if not address:
        return None
    return (
        SubstitutionCase.objects.filter(
            person__isnull=True,
            origin=CaseOrigin.AUTOMATIC_DETECTION,
            contact_email=address,
        )
        .exclude(status=CaseStatus.CLOSED)
        .first()
    )


def cases_opened_from_network(network: str, *, since: datetime) -> int:
    if not network:
        return 0
    return SubstitutionCase.objects.filter(origin_network=network, opened_at__gt=since).count()


def cases_booked_from_network(
    network: str, *, since: datetime, other_than: SubstitutionCase | None = None
) -> int:
    """How many cases had an appointment booked by the person from this network since then."""
    if not network:
        return 0
    appointments = Appointment.objects.filter(booked_from_network=network, booked_at__gt=since)
    if other_than is not None:
        appointments = appointments.exclude(case=other_than)
    return appointments.values("case_id").distinct().count()


@dataclass(frozen=True)
class SuspiciousBooking:
    appointment: Appointment
    unverified: bool
    network_cases: int

    @property
    def many_from_network(self) -> bool:
        return self.network_cases >= rules.BOOKED_CASES_PER_NETWORK


def appointment_list_suspicious(
    user: User, *, now: datetime | None = None, limit: int = 200
) -> list[SuspiciousBooking]:
    """The appointments still to come, in the agent's prefecture, that no real person may stand
    behind: booked through a private link whose e-mail address was never confirmed (booked
    before issue 15, or by a path that forgot the check), or from a network that booked for
    `BOOKED_CASES_PER_NETWORK` cases or more within `SUSPICION_WINDOW`."""
    now = now or timezone.now()
    since = now - rules.SUSPICION_WINDOW
    network_cases = (
        Appointment.objects.filter(
            booked_from_network=OuterRef("booked_from_network"), booked_at__gt=since
        )
        .order_by()
        .values("booked_from_network")
        .annotate(cases=Count("case_id", distinct=True))
        .values("cases")
    )
    unverified = Q(
        booked_by__isnull=True,
        case__origin=CaseOrigin.AUTOMATIC_DETECTION,
        case__person__isnull=True,
        case__email_verified_at__isnull=True,
    )
    rows = (
        appointment_list_for_agent(user)
        .filter(status=AppointmentStatus.BOOKED, slot__starts_at__gt=now)
        .annotate(
            network_cases=Case(
                When(booked_from_network="", then=Value(0)),
                default=Coalesce(Subquery(network_cases), Value(0)),
            ),
            unverified=Case(When(unverified, then=Value(True)), default=Value(False)),
        )
        .filter(Q(unverified=True) | Q(network_cases__gte=rules.BOOKED_CASES_PER_NETWORK))
        .select_related("case", "slot__desk")
        .order_by("slot__starts_at", "pk")[:limit]
    )
    return [
        SuspiciousBooking(
            appointment=row, unverified=row.unverified, network_cases=row.network_cases
        )
        for row in rows
    ]


def case_waitlist_entry(case: SubstitutionCase) -> WaitlistEntry | None:
    """The case's live request for an earlier time (waiting, or an offer made), if any."""
    return (
        WaitlistEntry.objects.filter(
            case=case, status__in=(WaitlistStatus.WAITING, WaitlistStatus.OFFERED)
        )
        .order_by("-created_at")
        .first()
    )


# --- Appointments booked from a dossier (issue 21) ----------------------------------------------


def dossier_case(application) -> SubstitutionCase | None:
    """The case routed to substitution that books for this dossier: its own case (the one its
    deposit was recorded by) while it still takes an appointment, else the latest open case of
    the dossier's applicant. None when the dossier is not on the substitution path."""
    bookable = SubstitutionCase.objects.filter(
        status__in=(CaseStatus.OPEN, CaseStatus.APPOINTMENT_BOOKED)
    ).select_related("prefecture")
    own = bookable.filter(application=application).order_by("-opened_at").first()
    if own is not None:
        return own
    return bookable.filter(person_id=application.applicant_id).order_by("-opened_at").first()


def dossier_booked_appointment(application) -> Appointment | None:
    """The one appointment waiting for this dossier, whatever case booked it."""
    return (
        Appointment.objects.filter(application=application, status=AppointmentStatus.BOOKED)
        .select_related("slot__desk__prefecture", "case")
        .first()
    )
