"""Celery tasks of accounts: thin, idempotent (a retry or a duplicate does nothing)."""

from celery import shared_task


@shared_task(name="accounts.mandate_expiry_warnings")
def mandate_expiry_warnings() -> int:
    """Daily (beat): warn helpers' organisations, once, that a mandate ends soon; tell the
    people, once, that a mandate ended (issue 15). Returns the number of warnings."""
    from accounts.mandates import mandate_end_notices_send, mandate_expiry_warnings_send

    warned = mandate_expiry_warnings_send()
    mandate_end_notices_send()
    return warned
