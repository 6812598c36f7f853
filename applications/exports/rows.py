"""The rows of an export: the agent's queue (`applications.selectors.backoffice_queue`, the same
scope, filters and order as the page), one row per dossier, read in chunks through a server-side
cursor so that 50,000 dossiers never sit in memory at once."""

from collections.abc import Iterator
from dataclasses import asdict, fields
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.enums import ApplicationStatus
from applications.selectors import QueueFilters, backoffice_queue
from reference.enums import ProcedureKind
from reference.models import REFERENCE_LANGUAGES

CHUNK_SIZE = 2000

HEADERS = (
    _("Reference"),
    _("Ground"),
    _("Procedure"),
    _("Status"),
    _("Filed on"),
    _("Last name"),
    _("First name"),
    _("E-mail address"),
    _("Foreigner number"),
    _("Permit held ends on"),
    _("Open error reports"),
)


def filters_to_json(filters: QueueFilters) -> dict[str, Any]:
    """The filters as stored on the export (dates as ISO strings, empty ones left out)."""
    stored = {}
    for name, value in asdict(filters).items():
        if isinstance(value, date):
            value = value.isoformat()
        if value not in ("", None):
            stored[name] = value
    return stored


def filters_from_json(stored: dict[str, Any]) -> QueueFilters:
    """The filters back; a key the dataclass no longer has is ignored."""
    values = {}
    for field in fields(QueueFilters):
        if field.name not in stored:
            continue
        value = stored[field.name]
        if "date" in str(field.type) and isinstance(value, str):
            value = date.fromisoformat(value)
        values[field.name] = value
    return QueueFilters(**values)


def _columns(language: str) -> tuple[str, ...]:
    label = "ground__label_" + (language if language in REFERENCE_LANGUAGES else "fr")
    return (
        "reference",
        label,
        "ground__label_fr",
        "kind",
        "status",
        "filed_at",
        "applicant__last_name",
        "applicant__first_name",
        "applicant__email",
        "applicant__applicant_profile__foreigner_number",
        "renews_permit__valid_until",
        "open_error_reports",
    )


def export_queryset(agent, filters: QueueFilters, language: str) -> QuerySet:
    return backoffice_queue(agent, filters).values_list(*_columns(language))


def export_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    """Each dossier as the cells of one row, in `HEADERS` order (labels in the active
    language: the caller sets it)."""
    statuses = {value: str(label) for value, label in ApplicationStatus.choices}
    kinds = {value: str(label) for value, label in ProcedureKind.choices}
    for (
        reference,
        ground,
        ground_fr,
        kind,
        status,
        filed_at,
        last_name,
        first_name,
        email,
        foreigner_number,
        permit_ends_on,
        open_reports,
    ) in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [
            reference,
            ground or ground_fr,
            kinds.get(kind, kind),
            statuses.get(status, status),
            timezone.localdate(filed_at) if filed_at else None,
            last_name,
            first_name,
            email,
            foreigner_number or None,
            permit_ends_on,
            open_reports,
        ]
