"""Substitution: the path for people who cannot use the online service (R. 431-2 CESEDA; arrêté
of 1 August 2023), DESIGN.md §3 "substitution" and issue 6.

A `SubstitutionCase` follows one blocked person (with or without an account) until their deposit
is recorded as an `Application`. Appointments are booked in `Slot`s of a prefecture's `Desk`;
capacity is enforced by locking the slot row while counting its live appointments. Walk-in
visitors of a digital reception point (PAN) take a `QueueTicket`, numbered per desk and per day.
`FailureRecord`s are the portal's trace of failed essential steps, without passwords nor files.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anef.models import TimelineEvent
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
    SlotOfferStatus,
    WaitlistStatus,
)


def _new_case_reference() -> str:
    return "S" + secrets.token_hex(5).upper()


def _new_access_token() -> str:
    """The private link of a person without an account: 256 bits, unguessable, distinct from the
    reference that is read out on the phone and printed on letters."""
    return secrets.token_urlsafe(32)


class SubstitutionCase(models.Model):
    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=_new_case_reference, editable=False
    )
    access_token = models.CharField(
        _("private link token"),
        max_length=64,
        unique=True,
        default=_new_access_token,
        editable=False,
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitution_cases",
        help_text=_("Empty for a person who has no account."),
    )
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    foreigner_number = models.CharField(_("foreigner number (AGDREF)"), max_length=10, blank=True)
    origin = models.CharField(_("origin"), max_length=32, choices=CaseOrigin.choices)
    prefecture = models.ForeignKey(
        "reference.Prefecture",
        verbose_name=_("prefecture"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitution_cases",
    )
    mode = models.CharField(
        _("way of filing"), max_length=32, choices=CaseMode.choices, default=CaseMode.APPOINTMENT
    )
    status = models.CharField(
        _("status"), max_length=32, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    summary = models.TextField(_("summary"), blank=True)
    acknowledgement = models.OneToOneField(
        "attestations.Attestation",
        verbose_name=_("written acknowledgement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitution_case",
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application recorded"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitution_cases",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    email_verified_at = models.DateTimeField(
        _("e-mail confirmed at"),
        null=True,
        blank=True,
        help_text=_("When the person typed back the code sent to the e-mail address (issue 15)."),
    )
    origin_network = models.CharField(
        _("network fingerprint"),
        max_length=64,
        blank=True,
        help_text=_("Keyed hash of the network the case was opened from, to count per network."),
    )

    class Meta:
        verbose_name = _("substitution case")
        verbose_name_plural = _("substitution cases")
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["prefecture", "status"]),
            models.Index(fields=["person", "status"]),
            models.Index(fields=["origin_network", "opened_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="substitution_case_closed_at_iff_closed",
                condition=Q(status=CaseStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_at__isnull=True)),
            ),
            models.CheckConstraint(
                name="substitution_case_valid_status", condition=Q(status__in=CaseStatus.values)
            ),
            # One open case per confirmed address (issue 15: one booking per person); with
            # `appointment_one_booked_per_case`, one booked appointment per confirmed address.
            models.UniqueConstraint(
                fields=["contact_email"],
                condition=Q(email_verified_at__isnull=False) & ~Q(status=CaseStatus.CLOSED),
                name="substitution_case_one_open_per_verified_email",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def display_name(self) -> str:
        if self.person_id is not None:
            return self.person.get_full_name() or self.person.email
        return self.contact_name or self.contact_email or self.contact_phone

    @property
    def email(self) -> str:
        if self.person_id is not None and self.person.email:
            return self.person.email
        return self.contact_email

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class CaseEvent(TimelineEvent):
    """The timeline of a case, shown to the person and to agents."""

    case = models.ForeignKey(
        SubstitutionCase,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=CaseEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"


class Desk(models.Model):
    """A place that receives people: the prefecture's substitution desk or its PAN.

    `opening_hours` maps a weekday ("0" = Monday … "6" = Sunday) to a list of ["HH:MM", "HH:MM"]
    intervals; walk-in tickets are only given inside them (see `substitution.rules`)."""

    prefecture = models.ForeignKey(
        "reference.Prefecture",
        verbose_name=_("prefecture"),
        on_delete=models.PROTECT,
        related_name="desks",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DeskKind.choices)
    name = models.CharField(_("name"), max_length=150)
    location = models.CharField(_("where"), max_length=255, blank=True)
    opening_hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("desk")
        verbose_name_plural = _("desks")
        ordering = ["prefecture", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "name"], name="desk_name_per_prefecture"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefecture.departement_code})"


class Slot(models.Model):
    """A time at a desk that can receive `capacity` people."""

    desk = models.ForeignKey(
        Desk, verbose_name=_("desk"), on_delete=models.CASCADE, related_name="slots"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["starts_at", "desk"]
        constraints = [
            models.UniqueConstraint(fields=["desk", "starts_at"], name="slot_once_per_desk_time"),
            models.CheckConstraint(name="slot_capacity_positive", condition=Q(capacity__gte=1)),
            models.CheckConstraint(
                name="slot_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.desk} {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"


LIVE_APPOINTMENT_STATES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.ATTENDED,
    AppointmentStatus.NO_SHOW,
)


class Appointment(models.Model):
    """One person's place in a slot. A cancelled appointment frees its place; the others count
    against the slot's capacity (counted under the slot's row lock, never beyond it)."""

    slot = models.ForeignKey(
        Slot, verbose_name=_("slot"), on_delete=models.PROTECT, related_name="appointments"
    )
    case = models.ForeignKey(
        SubstitutionCase,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitution_appointments",
        help_text=_("The application the appointment is for, when there is one (issue 21)."),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitution_appointments",
        help_text=_(
            "The case's account holder when booked, copied so that the database can hold one "
            "appointment waiting per person across their cases (issue 21)."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    booked_at = models.DateTimeField(_("booked at"), default=timezone.now)
    booked_from_network = models.CharField(
        _("network fingerprint"),
        max_length=64,
        blank=True,
        help_text=_("Keyed hash of the network of a booking made by the person themselves."),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    marked_at = models.DateTimeField(_("attendance recorded at"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["slot__starts_at", "pk"]
        constraints = [
            # One appointment waiting per case: rebooking cancels the previous one.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status=AppointmentStatus.BOOKED),
                name="appointment_one_booked_per_case",
            ),
            # One appointment waiting per application, whatever the case that booked it
            # (issue 21: slots are not resold by booking one application many times).
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status=AppointmentStatus.BOOKED, application__isnull=False),
                name="appointment_one_booked_per_application",
            ),
            # One appointment waiting per person with an account, whatever the case: a person
            # may hold several open cases (the contact centre's, the portal's automatic offer),
            # and must not hold a desk's time through each (issue 21: slots resold by bots).
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status=AppointmentStatus.BOOKED, person__isnull=False),
                name="appointment_one_booked_per_person",
            ),
            models.CheckConstraint(
                name="appointment_cancelled_at_iff_cancelled",
                condition=Q(status=AppointmentStatus.CANCELLED, cancelled_at__isnull=False)
                | (~Q(status=AppointmentStatus.CANCELLED) & Q(cancelled_at__isnull=True)),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "reminder_sent_at"]),
            models.Index(fields=["booked_from_network", "booked_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.slot_id}"


class WaitlistEntry(models.Model):
    """A person with a booked appointment who asked for an earlier one at the same desk: when a
    place frees there before their time, it is offered to the first waiting (issue 21)."""

    case = models.ForeignKey(
        SubstitutionCase,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="waitlist_entries",
    )
    desk = models.ForeignKey(
        Desk, verbose_name=_("desk"), on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list entries")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]),
                name="waitlist_one_live_entry_per_case",
            ),
        ]
        indexes = [models.Index(fields=["desk", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} waits at {self.desk_id}"


def _new_offer_token() -> str:
    return secrets.token_urlsafe(32)


class SlotOffer(models.Model):
    """A freed place held for one waiting person until `expires_at`; accepting moves their
    booking to it. One pending offer per slot at a time, one offer per person and slot."""

    entry = models.ForeignKey(
        WaitlistEntry,
        verbose_name=_("waiting list entry"),
        on_delete=models.CASCADE,
        related_name="offers",
    )
    slot = models.ForeignKey(
        Slot, verbose_name=_("slot"), on_delete=models.CASCADE, related_name="offers"
    )
    token = models.CharField(
        _("accept link token"),
        max_length=64,
        unique=True,
        default=_new_offer_token,
        editable=False,
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SlotOfferStatus.choices,
        default=SlotOfferStatus.PENDING,
    )
    created_at = models.DateTimeField(_("offered at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("offer of an earlier slot")
        verbose_name_plural = _("offers of an earlier slot")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(status=SlotOfferStatus.PENDING),
                name="slot_offer_one_pending_per_slot",
            ),
            models.UniqueConstraint(fields=["entry", "slot"], name="slot_offer_once_per_entry"),
            models.CheckConstraint(
                name="slot_offer_expires_after_offer", condition=Q(expires_at__gt=F("created_at"))
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.slot_id} for {self.entry_id}"


class QueueTicket(models.Model):
    """A walk-in visitor's number at a PAN, called in order (per desk, per day)."""

    desk = models.ForeignKey(
        Desk, verbose_name=_("desk"), on_delete=models.PROTECT, related_name="queue_tickets"
    )
    day = models.DateField(_("day"))
    number = models.PositiveIntegerField(_("number"))
    visitor_name = models.CharField(_("visitor"), max_length=200, blank=True)
    case = models.ForeignKey(
        SubstitutionCase,
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="queue_tickets",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=QueueTicketStatus.choices,
        default=QueueTicketStatus.WAITING,
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("queue ticket")
        verbose_name_plural = _("queue tickets")
        ordering = ["desk", "day", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["desk", "day", "number"], name="queue_ticket_number_per_desk_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.desk_id} {self.day} #{self.number}"


class QueueTicketEvent(TimelineEvent):
    """The timeline of a walk-in number: given, called, served (issue 19: every status change
    of a number is told, as for a case or an appointment)."""

    ticket = models.ForeignKey(
        QueueTicket,
        verbose_name=_("queue ticket"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=QueueTicketEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("queue ticket event")
        verbose_name_plural = _("queue ticket events")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.kind}"


class FailureRecord(models.Model):
    """One failure of an essential step. Keyed by the account when known, else by a keyed hash of
    the e-mail typed; never the password, never the file (issue 6)."""

    step = models.CharField(_("step"), max_length=16, choices=FailureStep.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    email_hash = models.CharField(_("e-mail fingerprint"), max_length=64, blank=True)
    code = models.CharField(_("error code"), max_length=64, blank=True)
    occurred_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("failure record")
        verbose_name_plural = _("failure records")
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["user", "occurred_at"]),
            models.Index(fields=["email_hash", "occurred_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="failure_record_has_a_key",
                condition=Q(user__isnull=False) | ~Q(email_hash=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step} @ {self.occurred_at:%Y-%m-%d %H:%M}"
