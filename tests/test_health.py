import datetime
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from anef import health
from anef.health import CheckResult
from anef.models import Heartbeat
from anef.services import heartbeat_record

ROOT = Path(__file__).resolve().parent.parent
DOWN = CheckResult(False, "OperationalError")


def _heartbeat_aged(seconds: int) -> None:
    heartbeat_record(source="beat", hostname="worker@test")
    Heartbeat.objects.filter(source="beat").update(
        last_seen_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )


@pytest.mark.django_db
def test_healthz_reports_every_service_ok(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "storage"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(client, monkeypatch):
    monkeypatch.setattr(health, "check_broker", lambda: DOWN)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"ok": False, "detail": "OperationalError"}


@pytest.mark.django_db
def test_healthz_broker_check_fails_on_an_unreachable_broker(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    assert health.check_broker().ok is False


@pytest.mark.django_db
def test_healthz_storage_check_writes_reads_and_deletes(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    assert health.check_storage().ok is True
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


@pytest.mark.django_db
def test_healthz_shows_scheduler_heartbeat_age(client):
    heartbeat_record(source="beat", hostname="worker@test")
    scheduler = client.get(reverse("healthz")).json()["scheduler"]
    assert scheduler["seen"] is True
    assert scheduler["stale"] is False


@pytest.mark.django_db
def test_heartbeat_record_twice_keeps_one_row_and_counts():
    heartbeat_record(source="beat")
    heartbeat = heartbeat_record(source="beat")
    assert heartbeat.beats == 2


# --- Liveness ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_live_answers_200_without_touching_any_service(
    client, monkeypatch, django_assert_num_queries
):
    for name in ("check_database", "check_broker", "check_storage"):
        monkeypatch.setattr(health, name, lambda: DOWN)
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz_live"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# --- Readiness -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("failing", ["database", "broker", "storage"])
def test_healthz_ready_answers_503_naming_the_failed_service(client, monkeypatch, failing):
    monkeypatch.setattr(health, f"check_{failing}", lambda: DOWN)
    response = client.get(reverse("healthz_ready"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert [name for name, check in body["checks"].items() if not check["ok"]] == [failing]


@pytest.mark.django_db
def test_healthz_ready_database_check_fails_when_the_database_refuses(monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    assert health.check_database() == CheckResult(False, "OSError")


@pytest.mark.django_db
def test_healthz_ready_stays_200_when_the_scheduler_is_stale(client, settings):
    _heartbeat_aged(settings.HEARTBEAT_STALE_AFTER_SECONDS + 60)
    response = client.get(reverse("healthz_ready"))
    assert response.status_code == 200
    assert response.json()["scheduler"]["stale"] is True


@pytest.mark.django_db
def test_healthz_old_address_answers_like_readiness(client, monkeypatch):
    monkeypatch.setattr(health, "check_storage", lambda: DOWN)
    old, ready = client.get(reverse("healthz")), client.get(reverse("healthz_ready"))
    assert old.status_code == ready.status_code == 503
    assert old.json()["checks"] == ready.json()["checks"]


# --- Scheduler -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_scheduler_recent_heartbeat_answers_200(client):
    _heartbeat_aged(10)
    response = client.get(reverse("healthz_scheduler"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_healthz_scheduler_stale_heartbeat_answers_503_with_its_age(client, settings, caplog):
    settings.HEARTBEAT_STALE_AFTER_SECONDS = 180
    _heartbeat_aged(600)
    with caplog.at_level("WARNING", logger="anef.health"):
        response = client.get(reverse("healthz_scheduler"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "stale"
    assert 600 <= body["age_seconds"] < 660
    assert body["threshold_seconds"] == 180
    assert any(
        record.levelname == "WARNING" and "stale" in record.getMessage()
        for record in caplog.records
    )


@pytest.mark.django_db
def test_healthz_scheduler_never_seen_answers_503(client):
    response = client.get(reverse("healthz_scheduler"))
    assert response.status_code == 503
    assert response.json()["seen"] is False


# --- manage.py health (compose health checks) ------------------------------------------------


@pytest.mark.django_db
def test_health_command_beat_fails_on_a_stale_heartbeat(settings):
    _heartbeat_aged(settings.HEARTBEAT_STALE_AFTER_SECONDS + 1)
    with pytest.raises(CommandError, match="beat unhealthy"):
        call_command("health", "beat")


@pytest.mark.django_db
def test_health_command_beat_passes_on_a_recent_heartbeat(capsys):
    _heartbeat_aged(5)
    call_command("health", "beat")
    assert capsys.readouterr().out.startswith("beat ok")


@pytest.mark.django_db
def test_health_command_ready_fails_when_a_service_is_down(monkeypatch):
    monkeypatch.setattr(health, "check_broker", lambda: DOWN)
    with pytest.raises(CommandError, match="ready unhealthy"):
        call_command("health", "ready")


def test_health_command_worker_fails_when_no_worker_answers():
    with pytest.raises(CommandError, match="worker unhealthy"):
        call_command("health", "worker", "--destination", "nobody@nowhere", "--timeout", "0.5")


@pytest.mark.django_db(transaction=True)
def test_health_command_worker_passes_when_the_worker_answers(tmp_path):
    """A real worker process, pinged through the configured broker by its node name."""
    name = f"health-{uuid.uuid4().hex[:8]}"
    node = f"{name}@test"
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "anef", "worker", "-n", node, "--pool", "solo",
         "--queues", name, "--loglevel", "WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        result = CheckResult(False, "not tried")
        while time.monotonic() < deadline and not result.ok and process.poll() is None:
            result = health.check_worker(destination=node, timeout=1)
        assert result == CheckResult(True, node), (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
