"""The agent's queue exports. Loaded by `applications.models` (imported at its end), so that the
model belongs to the app."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reference.models import Prefecture

EXPORT_LIFETIME_HOURS = 24


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (semicolon-separated)")
    XLSX = "xlsx", _("Excel workbook (XLSX)")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")


IN_PROGRESS = (ExportStatus.PENDING, ExportStatus.RUNNING)


def export_storage_key(export: "QueueExport", filename: str) -> str:
    """A key of our own (the export's random id), never anything the agent typed."""
    return f"exports/{export.pk}.{export.file_format}"


class QueueExport(models.Model):
    """One export asked by an agent: the queue of `prefecture` (the agent's at the time of the
    request) with `filters`, built by the task `applications.queue_export_build`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="queue_exports",
    )
    prefecture = models.ForeignKey(
        Prefecture, verbose_name=_("prefecture"), on_delete=models.CASCADE, related_name="+"
    )
    file_format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    # The queue's filters (applications.selectors.QueueFilters), dates as ISO strings.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    status = models.CharField(
        _("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=export_storage_key, max_length=255, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("queue export")
        verbose_name_plural = _("queue exports")
        ordering = ["-created_at"]
        constraints = [
            # A double click, or the same form sent twice, makes one export, not two.
            models.UniqueConstraint(
                fields=["requested_by"],
                condition=Q(status__in=["pending", "running"]),
                name="queue_export_one_in_progress_per_agent",
            ),
            models.CheckConstraint(
                name="queue_export_progress_percent", condition=Q(progress__lte=100)
            ),
            models.CheckConstraint(
                name="queue_export_done_has_file_and_rows",
                condition=~Q(status="done") | (~Q(file="") & Q(row_count__isnull=False)),
            ),
            models.CheckConstraint(
                name="queue_export_expires_after_creation",
                condition=Q(expires_at__gt=models.F("created_at")),
            ),
        ]
        indexes = [models.Index(fields=["expires_at"], name="queue_export_expires_idx")]

    def __str__(self) -> str:
        return f"{self.requested_by_id}: {self.file_format} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS

    @property
    def download_name(self) -> str:
        return f"anef-queue-{timezone.localtime(self.created_at):%Y%m%d-%H%M}.{self.file_format}"
