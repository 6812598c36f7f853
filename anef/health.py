"""Health checks of the services the portal needs: database, broker, document storage.

Each check returns (ok, detail) and never raises, so /healthz always answers.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from kombu import Connection

from anef.models import Heartbeat


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
        heartbeat = Heartbeat.objects.filter(source="beat").first()
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
