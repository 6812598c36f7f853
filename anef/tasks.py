"""Project-wide Celery tasks: thin, they call services."""

from celery import shared_task

from anef.services import heartbeat_record


@shared_task(name="anef.tasks.record_heartbeat")
def record_heartbeat(source: str) -> None:
    heartbeat_record(source=source, hostname=record_heartbeat.request.hostname or "")


@shared_task(name="anef.outbox_send")
def outbox_send(message_id: int) -> bool:
    """On commit of the transaction that wrote the message: send it now (a no-op if another
    worker or beat's sweep got there first)."""
    from anef.outbox import outbox_send_one

    return outbox_send_one(message_id)


@shared_task(name="anef.outbox_send_due")
def outbox_send_due() -> int:
    """Beat: every due message of the outbox (nudges missed, retries whose time has come)."""
    from anef.outbox import outbox_send_due as send_due

    return send_due()


@shared_task(name="anef.outages_watch")
def outages_watch() -> str:
    """Beat: the document storage's health check, recorded in the outage log (anef.outages):
    a failure opens an outage, the next success closes it. Without storage nobody can add a
    document, so nobody can file. The database cannot be watched from here (nothing can be
    written while it is down): an operator declares those in the admin."""
    from anef.health import check_storage
    from anef.outages import outage_record_check

    result = check_storage()
    return outage_record_check(healthy=result.ok, detail=f"storage: {result.detail}")
