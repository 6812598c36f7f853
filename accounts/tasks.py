"""Celery tasks of accounts: thin, idempotent (a retry or a duplicate does nothing)."""

from celery import shared_task


@shared_task(name="accounts.mandate_expiry_warnings")
def mandate_expiry_warnings() -> int:
    """Daily (beat): warn helpers' organisations, once, that a mandate ends soon."""
    from accounts.mandates import mandate_expiry_warnings_send

    return mandate_expiry_warnings_send()
