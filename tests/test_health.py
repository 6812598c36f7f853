import pytest
from django.urls import reverse

from anef import health
from anef.health import CheckResult
from anef.services import heartbeat_record


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
    monkeypatch.setattr(health, "check_broker", lambda: CheckResult(False, "OperationalError"))
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
