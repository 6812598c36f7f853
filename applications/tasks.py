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
