"""Asking for an export of the queue, building it, handing it over and deleting it.

Building is idempotent: the task claims its export with a conditional UPDATE (pending → running,
or running but abandoned for `STALE_AFTER` by a worker that died), so a second delivery of the
same message finds nothing to do; the file's key is the export's id, so a rebuild replaces its
own file; the last UPDATE (running → done) only succeeds for the build that claimed it. The
unique constraint `queue_export_one_in_progress_per_agent` makes a double click one export.

Each export is logged in the audit log as an access to personal data (who, which filters, how
many rows), and so is each download of its file."""

import logging
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.permissions import can_use_back_office
from anef.audit import audit_action
from anef.errors import DomainError
from applications.exports.models import (
    EXPORT_LIFETIME_HOURS,
    IN_PROGRESS,
    ExportFormat,
    ExportStatus,
    QueueExport,
    export_storage_key,
)
from applications.exports.rows import (
    HEADERS,
    export_queryset,
    export_rows,
    filters_from_json,
    filters_to_json,
)
from applications.exports.writers import write_csv, write_xlsx
from applications.selectors import QueueFilters

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=30)  # a build running longer than this was abandoned
WRITERS = {ExportFormat.CSV: write_csv, ExportFormat.XLSX: write_xlsx}


def queue_export_request(
    *, agent, filters: QueueFilters, file_format: str, language: str
) -> QueueExport:
    """Record the export and have it built after the commit; an agent has one at a time."""
    if not can_use_back_office(agent):
        raise DomainError("forbidden", _("Only prefecture agents can export their queue."))
    if file_format not in ExportFormat.values:
        raise DomainError("invalid", _("Choose CSV or XLSX."))
    try:
        with transaction.atomic():
            export = QueueExport.objects.create(
                requested_by=agent,
                prefecture_id=agent.prefecture_id,
                file_format=file_format,
                filters=filters_to_json(filters),
                language=language[:8],
                expires_at=timezone.now() + timedelta(hours=EXPORT_LIFETIME_HOURS),
            )
    except IntegrityError:
        raise DomainError(
            "duplicate",
            _(
                "An export of yours is still being prepared. When it is ready, you can ask "
                "for the next one."
            ),
        ) from None
    from applications.tasks import queue_export_build  # the task module imports this one

    export_id = str(export.pk)
    transaction.on_commit(lambda: queue_export_build.delay(export_id), robust=True)
    return export


def _claim(export_id, now: datetime) -> bool:
    return bool(
        QueueExport.objects.filter(pk=export_id, expires_at__gt=now)
        .filter(
            Q(status=ExportStatus.PENDING)
            | Q(status=ExportStatus.RUNNING, started_at__lt=now - STALE_AFTER)
        )
        .update(status=ExportStatus.RUNNING, started_at=now, progress=0)
    )


class _Counter:
    def __init__(self, rows: Iterator[list[Any]]):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def queue_export_build(export_id) -> QueueExport | None:
    """Build the file of a pending export; None when there is nothing to do (already built,
    being built, failed, expired or deleted)."""
    started_at = timezone.now()
    if not _claim(export_id, started_at):
        return None
    export = QueueExport.objects.select_related("requested_by", "prefecture").get(pk=export_id)
    agent = export.requested_by
    try:
        # Agents see their prefecture's queue only: one who moved or left gets nothing.
        if not (can_use_back_office(agent) and agent.prefecture_id == export.prefecture_id):
            raise DomainError("forbidden", "The agent no longer instructs this prefecture.")
        with translation.override(export.language):
            row_count = _write(export, agent)
    except Exception:
        logger.exception("Queue export %s failed", export.pk)
        QueueExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.FAILED, finished_at=timezone.now()
        )
        export.refresh_from_db()
        return export
    with transaction.atomic():
        finished = QueueExport.objects.filter(
            pk=export.pk, status=ExportStatus.RUNNING, started_at=started_at
        ).update(
            status=ExportStatus.DONE,
            progress=100,
            row_count=row_count,
            file=export.file.name,
            finished_at=timezone.now(),
        )
        if finished:
            audit_action(
                instance=export,
                actor=agent,
                action="queue_export",
                details={
                    "personal_data_access": True,
                    "purpose": "instruction",
                    "prefecture": export.prefecture.departement_code,
                    "filters": export.filters,
                    "format": export.file_format,
                    "rows": row_count,
                },
            )
    if not finished:  # another build took it over, or the export expired meanwhile
        export.file.storage.delete(export.file.name)
        return None
    export.refresh_from_db()
    return export


def _write(export: QueueExport, agent) -> int:
    queryset = export_queryset(agent, filters_from_json(export.filters), export.language)
    total = max(queryset.count(), 1)

    def on_progress(written: int) -> None:
        QueueExport.objects.filter(pk=export.pk).update(progress=min(99, written * 100 // total))

    rows = _Counter(export_rows(queryset))
    with tempfile.TemporaryFile() as scratch:
        WRITERS[ExportFormat(export.file_format)](
            scratch, [str(header) for header in HEADERS], rows, on_progress
        )
        scratch.seek(0)
        key = export_storage_key(export, "")
        storage = export.file.storage
        if storage.exists(key):  # a rebuild replaces its own file
            storage.delete(key)
        export.file.save(key, File(scratch, name=key), save=False)
    return rows.count


def queue_export_downloaded(*, export: QueueExport, actor) -> None:
    """The file is handed to its agent: logged as an access to personal data."""
    audit_action(
        instance=export,
        actor=actor,
        action="queue_export_download",
        details={"personal_data_access": True, "rows": export.row_count},
    )


def queue_exports_purge(*, now: datetime | None = None) -> int:
    """Delete the expired exports and their files (beat, hourly); how many were deleted.
    Idempotent: a second run finds nothing; a file already gone is no error."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = list(
            QueueExport.objects.select_for_update(skip_locked=True)
            .filter(expires_at__lte=now)
            .values_list("pk", "file")
        )
        QueueExport.objects.filter(pk__in=[pk for pk, _name in expired]).delete()
        names = [name for _pk, name in expired if name]
        if names:
            storage = QueueExport._meta.get_field("file").storage
            transaction.on_commit(lambda: [storage.delete(name) for name in names], robust=True)
    return len(expired)


__all__ = [
    "IN_PROGRESS",
    "queue_export_build",
    "queue_export_downloaded",
    "queue_export_request",
    "queue_exports_purge",
]
