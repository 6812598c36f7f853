"""Statuses and kinds of the substitution app (DESIGN.md §3 "substitution", issue 6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseOrigin(models.TextChoices):
    """How the case was opened."""

    CONTACT_CENTRE = "contact_centre", _("Technical impossibility confirmed by the contact centre")
    AUTOMATIC_DETECTION = "automatic_detection", _("Repeated failures detected by the portal")
    PREFECTURE = "prefecture", _("Opened by the prefecture")
    SELF_DECLARED = "self_declared", _("Declared by the person after a failed accompaniment")


class CaseMode(models.TextChoices):
    """How the person files. A physical appointment is always offered (arrêté of 1 August
    2023); a postal or e-mail deposit is on request."""

    APPOINTMENT = "appointment", _("Physical appointment")
    POSTAL_DEPOSIT = "postal_deposit", _("Deposit by post")
    EMAIL_DEPOSIT = "email_deposit", _("Deposit by e-mail")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    APPOINTMENT_BOOKED = "appointment_booked", _("Appointment booked")
    DEPOSIT_RECEIVED = "deposit_received", _("Deposit received")
    CLOSED = "closed", _("Closed")


class CaseEventKind(models.TextChoices):
    """The timeline of a case, in plain language for the person."""

    OPENED = "opened", _("Substitution case opened")
    EMAIL_VERIFIED = "email_verified", _("E-mail address confirmed")
    MODE_CHANGED = "mode_changed", _("Way of filing changed")
    APPOINTMENT_BOOKED = "appointment_booked", _("Appointment booked")
    APPOINTMENT_CANCELLED = "appointment_cancelled", _("Appointment cancelled")
    APPOINTMENT_ATTENDED = "appointment_attended", _("Appointment attended")
    APPOINTMENT_MISSED = "appointment_missed", _("Appointment missed")
    DEPOSIT_RECORDED = "deposit_recorded", _("Application deposit recorded")
    CLOSED = "closed", _("Case closed")
    WAITLIST_JOINED = "waitlist_joined", _("Asked for an earlier appointment")
    WAITLIST_LEFT = "waitlist_left", _("No longer waiting for an earlier appointment")
    EARLIER_SLOT_OFFERED = "earlier_slot_offered", _("Earlier appointment offered")
    EARLIER_SLOT_EXPIRED = "earlier_slot_expired", _("Offer of an earlier appointment expired")


class DeskKind(models.TextChoices):
    SUBSTITUTION = "substitution", _("Substitution desk")
    PAN = "pan", _("Digital reception point (PAN)")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not come")


class WaitlistStatus(models.TextChoices):
    """A person's request for an earlier appointment than the one they booked."""

    WAITING = "waiting", _("Waiting for an earlier time")
    OFFERED = "offered", _("An earlier time is offered")
    DONE = "done", _("Moved to an earlier time")
    LEFT = "left", _("No longer waiting")


class SlotOfferStatus(models.TextChoices):
    """A freed place offered to the next person waiting, held for them for a while."""

    PENDING = "pending", _("Offered, waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    VOID = "void", _("No longer possible")


class QueueTicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVED = "served", _("Served")
    LEFT = "left", _("Left before being called")


class QueueTicketEventKind(models.TextChoices):
    """The timeline of a walk-in visitor's number, for the desk agents."""

    ISSUED = "issued", _("Number given")
    CALLED = "called", _("Called to the desk")
    SERVED = "served", _("Served")


class FailureStep(models.TextChoices):
    """Essential steps whose repeated failure offers substitution (issue 6)."""

    SIGNUP = "signup", _("Account creation refused")
    LOGIN = "login", _("Login failed")
    UPLOAD = "upload", _("Document upload refused")
    SUBMISSION = "submission", _("Submission refused")


class DepositChannel(models.TextChoices):
    """The channels a prefecture agent records a deposit from (applications.enums.Channel
    minus online)."""

    DESK = "desk", _("At the prefecture desk")
    POST = "post", _("By post")
    EMAIL = "email", _("By e-mail")
