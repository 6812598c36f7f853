from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
