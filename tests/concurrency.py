"""Running the same work in several threads at once, each with its own database connection:
for the tests that two runs (sweeps, reminders, retention, bookings) never do a thing twice."""

import threading
from collections.abc import Callable, Iterable

import pytest
from django.db import connection

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
)


def run_at_once(target: Callable, arguments: Iterable) -> list[Exception]:
    """`target(argument)` in one thread per argument, all released together; returns what they
    raised (the test reports it, with its type)."""
    arguments = list(arguments)
    errors: list[Exception] = []
    barrier = threading.Barrier(len(arguments))

    def run(argument):
        try:
            barrier.wait()
            target(argument)
        except Exception as exc:  # reported by the caller's assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
