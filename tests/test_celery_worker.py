"""A task goes through a real Celery worker process and the configured broker (Redis in CI,
the filesystem transport in the embedded default), and its effect lands in the database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from anef.models import Heartbeat
from anef.tasks import record_heartbeat

ROOT = Path(__file__).resolve().parent.parent


def _database_url_of_test_database() -> str:
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return (
        f"postgres://{credentials}@{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}"
    )


@pytest.fixture
def worker_queue(tmp_path, monkeypatch):
    """A Celery worker subprocess consuming a queue of its own, stopped after the test."""
    from anef.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    queue = f"test-{uuid.uuid4().hex[:12]}"
    environment = {**os.environ, "DATABASE_URL": _database_url_of_test_database()}
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "anef",
            "worker",
            "--queues",
            queue,
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield queue
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()
    # Shown by pytest when the test fails: what the worker said.
    print((tmp_path / "worker.log").read_text(errors="replace")[-4000:])


def test_celery_broker_is_redis_when_services_are_required():
    if os.environ.get("ANEF_REQUIRE_SERVICES"):
        assert settings.CELERY_BROKER_URL.startswith("redis://")
        assert connection.vendor == "postgresql"
    else:
        assert settings.CELERY_BROKER_URL.startswith(("redis://", "filesystem://"))


@pytest.mark.django_db(transaction=True)
def test_celery_real_worker_runs_task_and_writes_to_database(worker_queue):
    source = f"test-{worker_queue}"
    record_heartbeat.apply_async(args=[source], queue=worker_queue)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        heartbeat = Heartbeat.objects.filter(source=source).first()
        if heartbeat is not None:
            break
        time.sleep(0.2)
    assert heartbeat is not None, "the worker did not run the task within 60 seconds"
    assert heartbeat.beats == 1
    assert heartbeat.hostname  # written by the worker process, which knows its own name
