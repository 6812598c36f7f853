"""Workbench rows, kept apart from `Application`: a service that saves a dossier it loaded
earlier never writes back a stale assignee (they are not fields of the dossier row).

Loaded by `applications.models` (imported at its end), so that they belong to the app."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anef.models import TimelineEvent


class Assignment(models.Model):
    """The agent of the dossier's prefecture in charge of it; no row: unassigned."""

    application = models.OneToOneField(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="assignment",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.application_id} → {self.agent_id}"


class Follow(models.Model):
    """An agent follows a dossier (it shows in their « followed by me » list)."""

    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="follows",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("followed application")
        verbose_name_plural = _("followed applications")
        constraints = [
            models.UniqueConstraint(fields=["agent", "application"], name="follow_once_per_agent")
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} follows {self.application_id}"


class Annotation(models.Model):
    """A note of an agent on a dossier, for the prefecture's agents. Not secret: the person may
    obtain it on request (GDPR art. 15, CRPA L. 311-6); agents export it for such requests."""

    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="annotations",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("agent annotation")
        verbose_name_plural = _("agent annotations")
        ordering = ["created_at", "pk"]
        # The queue's search (`body__icontains`) is `UPPER(body::text) LIKE UPPER('%term%')` on
        # PostgreSQL: a trigram GIN index on `UPPER(body)` serves it (pg_trgm). It is created by
        # the migration on PostgreSQL only (the embedded SQLite database scans the table).
        constraints = [
            models.CheckConstraint(name="annotation_body_not_empty", condition=~models.Q(body=""))
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.body[:40]}"


class WorkbenchEventKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    UNASSIGNED = "unassigned", _("Unassigned")
    ANNOTATED = "annotated", _("Note added")
    ANNOTATIONS_EXPORTED = "annotations_exported", _("Notes exported")
    # Document review and expert opinions (applications/review, applications/opinions).
    DOCUMENT_ACCEPTED = "document_accepted", _("File accepted")
    DOCUMENT_REJECTED = "document_rejected", _("File rejected")
    OPINION_ASKED = "opinion_asked", _("Opinion asked")
    OPINION_ANSWERED = "opinion_answered", _("Opinion answered")
    OPINION_WITHDRAWN = "opinion_withdrawn", _("Opinion withdrawn")


class WorkbenchEvent(TimelineEvent):
    """The agent-side timeline of a dossier: merged into the agents' dossier page only."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="workbench_events"
    )
    kind = models.CharField(_("event"), max_length=40, choices=WorkbenchEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("agent-side event")
        verbose_name_plural = _("agent-side events")


class SavedQueueView(models.Model):
    """An agent's named filters of the queue (issue 20): private to them, listed above their
    queue as links. The filters are kept as the queue's query string, cleaned by the service
    (only the queue's filter fields, never a page number)."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="saved_queue_views",
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filters"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("saved view of the queue")
        verbose_name_plural = _("saved views of the queue")
        ordering = ["name", "pk"]
        constraints = [
            # Names differing only by case are the same name to the agent reading the links.
            models.UniqueConstraint("agent", Lower("name"), name="saved_view_name_per_agent"),
            models.CheckConstraint(name="saved_view_name_not_empty", condition=~models.Q(name="")),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id}: {self.name}"
