"""Rows of a dossier's message thread (loaded by `applications.models`, imported at its end, so
that they belong to the app)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anef.uploads import served_extension


class MessageSide(models.TextChoices):
    """Who a message comes from: the person's side (the person or their helper) or the
    prefecture's (one of its agents)."""

    APPLICANT = "applicant", _("The applicant")
    PREFECTURE = "prefecture", _("The prefecture")


class Message(models.Model):
    """One message of the thread. Its text is never put in an e-mail, an event or an audit
    entry: the other side is told that a message is waiting, with a link."""

    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    side = models.CharField(_("from"), max_length=16, choices=MessageSide.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    # Read by the other side: the person themself (not a helper) or any agent of the prefecture.
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [
            # The unread counts: one side's unread messages of some dossiers.
            models.Index(
                fields=["application", "side"],
                condition=Q(read_at__isnull=True),
                name="message_unread",
            )
        ]
        constraints = [
            models.CheckConstraint(name="message_body_not_empty", condition=~Q(body="")),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} #{self.pk} ({self.side})"


def attachment_storage_key(attachment: "MessageAttachment", filename: str) -> str:
    """A random key with the extension of the type sniffed from the bytes (anef/uploads.py); the
    person's file name is never used in storage."""
    extension = served_extension(attachment.content_type)
    return f"messages/{attachment.message.application.reference}/{uuid.uuid4().hex}{extension}"


class MessageAttachment(models.Model):
    """A file sent with a message, stored and served like a dossier's documents."""

    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_storage_key, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("message attachment")
        verbose_name_plural = _("message attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name
