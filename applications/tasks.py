"""Dossier tasks: thin, they call services (CONVENTIONS.md)."""

from celery import shared_task

from applications.retention import retention_run


@shared_task(name="applications.documents_retention")
def documents_retention() -> None:
    """Daily (beat): warn, then delete, the documents of dossiers finished long enough ago
    (applications/retention.py). Idempotent: a second run the same day does nothing."""
    retention_run()


@shared_task(name="applications.renewal_reminders")
def renewal_reminders() -> None:
    """Daily (beat): the renewal reminders due today (applications/reminders/). Idempotent: the
    notification log's unique key makes a second run, or two at once, send nothing more."""
    from applications.reminders.services import renewal_reminders_send

    renewal_reminders_send()


@shared_task(name="applications.queue_export_build")
def queue_export_build(export_id: str) -> None:
    """Build the file of an agent's queue export (applications/exports/). Idempotent: the
    export is claimed by a conditional UPDATE, so a second delivery does nothing."""
    from applications.exports.services import queue_export_build as build

    build(export_id)


@shared_task(name="applications.queue_exports_purge")
def queue_exports_purge() -> None:
    """Hourly (beat): delete the exports older than 24 hours, and their files."""
    from applications.exports.services import queue_exports_purge as purge

    purge()
