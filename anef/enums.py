"""Kinds and statuses of the project-wide models (anef.models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OneTimeCodeChannel(models.TextChoices):
    """Where a one-time code is sent. SMS is added by the work on reaching people by phone: a
    value here and a sender in `anef.one_time_codes.SENDERS`, nothing else changes."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message (SMS)")


class OneTimeCodeClosure(models.TextChoices):
    USED = "used", _("Used")
    REPLACED = "replaced", _("Replaced by a newer code")
    TOO_MANY_ATTEMPTS = "too_many_attempts", _("Too many wrong attempts")


class MessageChannel(models.TextChoices):
    """How an outgoing message travels (anef.outbox). SMS is added by the work on reaching people
    by phone: a value here and a sender in `anef.outbox.CHANNELS`, nothing else changes."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message (SMS)")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed for good")


class NotificationKind(models.TextChoices):
    """What a logged notification told the person (anef.models.NotificationLog): a closed list.
    The renewal reminders (issue 16, applications/reminders/); the work on reaching people by
    phone adds its own kinds here."""

    RENEWAL_WINDOW_OPEN_120 = "renewal_window_open_120", _("Renewal: the time to file opens")
    RENEWAL_REMINDER_90 = "renewal_reminder_90", _("Renewal not filed: reminder 90 days before")
    RENEWAL_REMINDER_70 = "renewal_reminder_70", _("Renewal not filed: reminder 70 days before")
    RENEWAL_INCOMPLETE_30 = "renewal_incomplete_30", _("Renewal incomplete: 30 days before")
    RENEWAL_INCOMPLETE_20 = "renewal_incomplete_20", _("Renewal incomplete: 20 days before")
    # Issue 21: what may also be told by text message (anef/sms.py).
    ATTESTATION_READY = "attestation_ready", _("An attestation is ready")
    CORRECTION_REQUESTED = "correction_requested", _("A correction was requested")
    CALLBACK_SCHEDULED = "callback_scheduled", _("A callback was scheduled")
    APPOINTMENT_CONFIRMED = "appointment_confirmed", _("An appointment was confirmed")
    APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder")
    SLOT_OFFER = "slot_offer", _("An earlier appointment was offered")


class NotificationLogChannel(models.TextChoices):
    """Where a logged notification was given: an e-mail (through the outbox) or the portal (a
    banner on the person's dashboard). SMS is added by the work on reaching people by phone."""

    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Portal")
    SMS = "sms", _("Text message (SMS)")


class NotificationSubject(models.TextChoices):
    """What a logged notification is about: a card held or a dossier (ids, not foreign keys:
    anef's plumbing knows no domain app)."""

    PERMIT = "permit", _("Residence permit")
    APPLICATION = "application", _("Application")
    ATTESTATION = "attestation", _("Attestation")
    APPOINTMENT = "appointment", _("Appointment")
    TICKET = "ticket", _("Contact request")


class OutageSource(models.TextChoices):
    """Who recorded an outage of the online service (anef.outages)."""

    HEALTH_CHECK = "health_check", _("Health checks")
    OPERATOR = "operator", _("Declared by an operator")
