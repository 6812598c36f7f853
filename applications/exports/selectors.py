"""Reads of the exports, scoped to who asks: an agent's own exports, of the prefecture they
instruct today, not yet expired. Anyone else's is simply not found (404)."""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.permissions import can_use_back_office
from applications.exports.models import IN_PROGRESS, QueueExport


def export_list_of(agent) -> QuerySet[QueueExport]:
    """The agent's own exports still kept, newest first."""
    if not can_use_back_office(agent):
        return QueueExport.objects.none()
    return QueueExport.objects.filter(
        requested_by=agent, prefecture_id=agent.prefecture_id, expires_at__gt=timezone.now()
    )


def any_in_progress(exports: list[QueueExport]) -> bool:
    return any(export.status in IN_PROGRESS for export in exports)
