"""Project-wide Celery tasks: thin, they call services."""

from celery import shared_task

from anef.services import heartbeat_record


@shared_task(name="anef.tasks.record_heartbeat")
def record_heartbeat(source: str) -> None:
    heartbeat_record(source=source, hostname=record_heartbeat.request.hostname or "")
