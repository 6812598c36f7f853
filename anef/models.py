from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anef.enums import (
    MessageChannel,
    MessageStatus,
    NotificationKind,
    NotificationLogChannel,
    NotificationSubject,
    OneTimeCodeChannel,
    OneTimeCodeClosure,
    OutageSource,
)


class Heartbeat(models.Model):
    """Last time a background process (worker, beat) proved it was alive by doing real work.

    Beat schedules `record_heartbeat`; a worker runs it and writes here, so one row proves the
    whole chain scheduler → broker → worker → database. /healthz reports its age.
    """

    source = models.CharField(_("source"), max_length=50, unique=True)
    last_seen_at = models.DateTimeField(_("last seen at"))
    hostname = models.CharField(_("worker host"), max_length=255, blank=True)
    beats = models.PositiveBigIntegerField(_("number of heartbeats"), default=0)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.source} @ {self.last_seen_at:%Y-%m-%d %H:%M:%S}"


class TimelineEvent(models.Model):
    """What happened to a dossier, a ticket or a substitution case, when and by whom: the fields
    every timeline shares. Each concrete timeline adds its subject (a foreign key) and its `kind`
    (its own list of events); texts are rendered in the reader's language from `kind` and
    `params`, never stored translated."""

    params = models.JSONField(_("details"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField(_("role of the actor"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    @classmethod
    def record(cls, *, kind: str, actor: Any, params: dict[str, Any], **subject: Any) -> Self:
        """Write one event; an anonymous visitor (a person following their private link) is
        recorded as no actor."""
        known = actor if getattr(actor, "is_authenticated", False) else None
        return cls.objects.create(
            kind=kind,
            actor=known,
            actor_role=getattr(known, "role", "") or "",
            params=params,
            **subject,
        )


class OneTimeCode(models.Model):
    """A short numeric code sent to an address to prove that the person reads it
    (`anef.one_time_codes`). Neither the code nor the address is stored in clear: both are
    keyed hashes, so a copy of the database gives neither. One code at most is live per purpose
    and address (a new one replaces the previous), and it is closed once used."""

    purpose = models.CharField(_("purpose"), max_length=64)
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=OneTimeCodeChannel.choices,
        default=OneTimeCodeChannel.EMAIL,
    )
    destination_hash = models.CharField(_("address fingerprint"), max_length=64)
    code_hash = models.CharField(_("code fingerprint"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_reason = models.CharField(
        _("why closed"), max_length=32, choices=OneTimeCodeClosure.choices, blank=True
    )

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["destination_hash", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "channel", "destination_hash"],
                condition=models.Q(closed_at__isnull=True),
                name="one_time_code_one_live_per_purpose_destination",
            ),
            models.CheckConstraint(
                name="one_time_code_closed_with_reason",
                condition=models.Q(closed_at__isnull=True, closed_reason="")
                | (models.Q(closed_at__isnull=False) & ~models.Q(closed_reason="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.channel}) @ {self.created_at:%Y-%m-%d %H:%M}"


class OutgoingMessage(models.Model):
    """One message to one recipient, written by `anef.outbox.enqueue` in the transaction of the
    change it tells about and sent by a worker afterwards (issue 17): a mail server that is down
    delays a message, it no longer loses it. One row per recipient, whatever the channel.

    `idempotency_key` is unique: a second enqueue of the same message (a task run twice) writes
    nothing. The text is kept until the message is sent, then erased (it may carry a private
    link); the row stays as the record that it was sent."""

    channel = models.CharField(
        _("channel"), max_length=16, choices=MessageChannel.choices, default=MessageChannel.EMAIL
    )
    recipient = models.CharField(_("recipient"), max_length=254)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    body = models.TextField(_("text"), blank=True)
    html_body = models.TextField(_("HTML text"), blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The worker's claim (pending rows in the order they fall due) and /metrics (pending
            # and failed rows) without reading the sent ones.
            models.Index(fields=["status", "next_attempt_at"], name="outgoing_message_due"),
        ]
        constraints = [
            models.CheckConstraint(
                name="outgoing_message_sent_with_date",
                condition=~models.Q(status=MessageStatus.SENT) | models.Q(sent_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient}: {self.subject}"


class NotificationLog(models.Model):
    """That a person was told something once, on one channel (issue 16): the record that makes a
    daily reminder go out exactly once per channel, however many workers or retries run it.

    Written with INSERT … ON CONFLICT DO NOTHING (`anef.notifications.notifications_record`) in
    the same transaction as the e-mail's outbox row: the e-mail exists if and only if its log row
    does. It holds no content, only the kind, the day it fell due and what it was about (a card
    or a dossier, by id: anef knows no domain app). Project-wide, beside the outbox, because any
    app may log what it told a person, and the work on SMS adds a channel here, not a table."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=64, choices=NotificationKind.choices)
    due_day = models.DateField(_("due on"))
    channel = models.CharField(_("channel"), max_length=16, choices=NotificationLogChannel.choices)
    subject_type = models.CharField(_("about"), max_length=16, choices=NotificationSubject.choices)
    subject_id = models.PositiveBigIntegerField(_("id of what it is about"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification log entry")
        verbose_name_plural = _("notification log")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "due_day", "channel"],
                name="notification_log_once_per_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.channel}) for {self.person_id}, due {self.due_day}"


class Outage(models.Model):
    """A time when the online service could not be used (anef.outages): declared by an operator
    in the admin, or opened and closed by the health checks. Outages count for the person, not
    against them: a renewal filed soon after one that covered the last day of its filing window
    counts as filed in time (applications.rules.renewal_filed_within_outage_grace)."""

    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(
        _("ended at"), null=True, blank=True, help_text=_("Leave empty while it goes on.")
    )
    source = models.CharField(
        _("source"), max_length=16, choices=OutageSource.choices, default=OutageSource.OPERATOR
    )
    note = models.TextField(_("what happened"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("outage")
        verbose_name_plural = _("outages")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["started_at", "ended_at"], name="outage_span")]
        constraints = [
            models.CheckConstraint(
                name="outage_ends_after_it_starts",
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gt=models.F("started_at")),
            ),
            # The health checks keep at most one outage open (several web servers or workers
            # noticing the same failure record it once).
            models.UniqueConstraint(
                fields=["source"],
                condition=models.Q(source=OutageSource.HEALTH_CHECK, ended_at__isnull=True),
                name="outage_one_open_from_health_checks",
            ),
        ]

    def __str__(self) -> str:
        end = f"{self.ended_at:%Y-%m-%d %H:%M}" if self.ended_at else "…"
        return f"{self.started_at:%Y-%m-%d %H:%M} → {end} ({self.source})"
