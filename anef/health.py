"""Health checks of the services the portal needs: database, broker, document storage; and of
the scheduler, through the heartbeat that beat → broker → worker → database leaves behind.

Each check returns (ok, detail) and never raises, so the probes always answer:
- liveness (`/healthz/live`): the process answers; no dependency, so a database outage never
  gets every web server restarted;
- readiness (`/healthz/ready`, and `/healthz` as before): database, broker and storage;
- scheduler (`/healthz/scheduler`): the heartbeat's age. Kept out of readiness on purpose: one
  dead scheduler must not take every web server out of service.
"""

import logging
import socket
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from kombu import Connection

from anef.models import Heartbeat

logger = logging.getLogger(__name__)

SCHEDULER_SOURCE = "beat"


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str


def check_database() -> CheckResult:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # a health check reports, it does not crash
        return CheckResult(False, f"{type(exc).__name__}")
    return CheckResult(True, connection.vendor)


def check_broker() -> CheckResult:
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=2,
        ) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
            transport = broker.transport_cls
    except Exception as exc:
        return CheckResult(False, f"{type(exc).__name__}")
    return CheckResult(True, str(transport))


def check_storage() -> CheckResult:
    name = f"healthz/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        with default_storage.open(saved) as stored:
            content = stored.read()
        default_storage.delete(saved)
    except Exception as exc:
        return CheckResult(False, f"{type(exc).__name__}")
    if content != b"ok":
        return CheckResult(False, "read back differs")
    return CheckResult(True, type(default_storage._wrapped).__name__)


def scheduler_status() -> dict:
    """Age of the last beat → worker heartbeat; informative, it does not fail the check."""
    try:
        heartbeat = Heartbeat.objects.filter(source=SCHEDULER_SOURCE).first()
    except Exception:
        return {"seen": False}
    if heartbeat is None:
        return {"seen": False}
    age = (timezone.now() - heartbeat.last_seen_at).total_seconds()
    return {
        "seen": True,
        "age_seconds": int(age),
        "stale": age > settings.HEARTBEAT_STALE_AFTER_SECONDS,
    }


def run_checks() -> tuple[bool, dict]:
    results = {
        "database": check_database(),
        "broker": check_broker(),
        "storage": check_storage(),
    }
    healthy = all(result.ok for result in results.values())
    body = {
        "status": "ok" if healthy else "error",
        "checks": {
            name: {"ok": result.ok, "detail": result.detail} for name, result in results.items()
        },
        "scheduler": scheduler_status(),
    }
    return healthy, body


def check_scheduler() -> tuple[bool, dict]:
    """The scheduler's own check: healthy while the last heartbeat is younger than
    HEARTBEAT_STALE_AFTER_SECONDS. A stale or missing heartbeat is logged at WARNING (the
    probe runs every few seconds: the log says so as long as it lasts)."""
    status = scheduler_status()
    threshold = settings.HEARTBEAT_STALE_AFTER_SECONDS
    healthy = status["seen"] and not status["stale"]
    body = {
        "status": "ok" if healthy else "stale",
        "seen": status["seen"],
        "age_seconds": status.get("age_seconds"),
        "threshold_seconds": threshold,
    }
    if not healthy:
        last_seen = f"last seen {status['age_seconds']} s ago" if status["seen"] else "never seen"
        logger.warning(
            "Scheduler heartbeat stale: %s (threshold %s s); automatic attestations and "
            "reminders are not being scheduled",
            last_seen,
            threshold,
        )
    return healthy, body


def worker_nodename() -> str:
    """The name a Celery worker started without `-n` takes on this machine (`celery@<host>`),
    so that a container's health check pings its own worker, not any worker."""
    return f"celery@{socket.gethostname()}"


def check_worker(*, destination: str | None = None, timeout: float = 5.0) -> CheckResult:
    """Ping one worker through the broker (`celery inspect ping`): it answers from its main
    process even while every pool process is busy."""
    from anef.celery import app

    node = destination or worker_nodename()
    try:
        replies = app.control.ping(destination=[node], timeout=timeout)
    except Exception as exc:
        return CheckResult(False, f"{type(exc).__name__}")
    answered = any(node in reply for reply in replies)
    return CheckResult(answered, node if answered else f"{node} did not answer in {timeout} s")
