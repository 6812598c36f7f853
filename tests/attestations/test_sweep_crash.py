"""A sweep killed in the middle (worker crash, deployment) loses nothing and duplicates
nothing: the next sweep finishes the work, each attestation exists exactly once."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from attestations.models import Attestation
from attestations.services import attestations_sweep
from tests.attestations.factories import api_due_day, paris_agent, renewal
from tests.attestations.test_sweep import TODAY
from tests.test_celery_worker import _database_url_of_test_database

ROOT = Path(__file__).resolve().parent.parent.parent
DOSSIERS = 8


@pytest.mark.django_db(transaction=True)
def test_sweep_killed_midway_then_rerun_issues_everything_exactly_once(reference_data):
    agent = paris_agent()
    due = None
    for _ in range(DOSSIERS):
        due = api_due_day(renewal(agent, today=TODAY))
    connection.close()  # the subprocess must see committed data, and SQLite one writer
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "sweep_attestations",
            "--date",
            due.isoformat(),
            "--batch-size",
            "1",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": _database_url_of_test_database(),
            # Slow enough between batches for the kill to land in the middle.
            "ATTESTATION_SWEEP_PAUSE_SECONDS": "0.5",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Attestation.objects.count() < 2:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    issued_before_the_crash = Attestation.objects.count()
    assert 0 < issued_before_the_crash < 2 * DOSSIERS, "the sweep was not caught midway"

    attestations_sweep(today=due)

    assert Attestation.objects.count() == 2 * DOSSIERS  # a receipt and an API each
    assert (
        Attestation.objects.values("application", "kind", "valid_from").distinct().count()
        == 2 * DOSSIERS
    )
