"""A started worker keeps what it holds out of the collector's full passes (anef.celery)."""

import gc

import pytest
from celery.signals import worker_init, worker_process_init

import anef.celery  # noqa: F401 - connects the signals


@pytest.mark.parametrize(
    "started",
    [worker_init, worker_process_init],
    ids=["main process (solo, threads)", "forked child (prefork)"],
)
def test_a_started_worker_freezes_what_it_holds(started):
    try:
        gc.unfreeze()
        started.send(sender=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
