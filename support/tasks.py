"""Celery tasks of the contact centre: thin, idempotent (a second run does nothing more)."""

from celery import shared_task


@shared_task(name="support.escalate_overdue")
def escalate_overdue() -> int:
    """Beat, every 10 minutes: escalate tickets that missed a deadline, once per deadline."""
    from support.services import tickets_escalate_overdue

    return tickets_escalate_overdue()


@shared_task(name="support.open_dossier_inquiries")
def open_dossier_inquiries() -> int:
    """Beat, daily: ask the prefecture about the dossiers 30 days past the upper bound shown to
    their applicant, once per dossier (support.inquiries; the database keeps it once)."""
    from support.inquiries import inquiries_open_due

    return inquiries_open_due()
