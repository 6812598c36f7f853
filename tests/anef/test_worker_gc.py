"""A started worker keeps what it holds out of the collector's full passes (anef.celery)."""

import gc

from celery.signals import worker_init, worker_process_init

import anef.celery  # noqa: F401 - connects the signals


def test_a_worker_process_freezes_what_it_holds_once_started():
    try:
        gc.unfreeze()
        worker_process_init.send(sender=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_worker_main_process_freezes_too():
    try:
        gc.unfreeze()
        worker_init.send(sender=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
