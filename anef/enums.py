"""Kinds and statuses of the project-wide models (anef.models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OneTimeCodeChannel(models.TextChoices):
    """Where a one-time code is sent. SMS is added by the work on reaching people by phone: a
    value here and a sender in `anef.one_time_codes.SENDERS`, nothing else changes."""

    EMAIL = "email", _("E-mail")


class OneTimeCodeClosure(models.TextChoices):
    USED = "used", _("Used")
    REPLACED = "replaced", _("Replaced by a newer code")
    TOO_MANY_ATTEMPTS = "too_many_attempts", _("Too many wrong attempts")


class MessageChannel(models.TextChoices):
    """How an outgoing message travels (anef.outbox). SMS is added by the work on reaching people
    by phone: a value here and a sender in `anef.outbox.CHANNELS`, nothing else changes."""

    EMAIL = "email", _("E-mail")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed for good")


class OutageSource(models.TextChoices):
    """Who recorded an outage of the online service (anef.outages)."""

    HEALTH_CHECK = "health_check", _("Health checks")
    OPERATOR = "operator", _("Declared by an operator")
