"""Celery tasks of the contact centre: thin, idempotent (a second run does nothing more)."""

from celery import shared_task


@shared_task(name="support.escalate_overdue")
def escalate_overdue() -> int:
    """Beat, every 10 minutes: escalate tickets that missed a deadline, once per deadline."""
    from support.services import tickets_escalate_overdue

    return tickets_escalate_overdue()
