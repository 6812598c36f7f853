"""One beat schedules at a time (anef/beat.py): the one holding the PostgreSQL advisory lock;
the others send nothing until it lets go. The whole topology is in tests/deployment."""

import os
import time
from datetime import timedelta

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from anef.beat import LOCK_KEY, LeaderScheduler
from anef.celery import app


@pytest.fixture
def postgresql(db):
    if connection.vendor != "postgresql":
        reason = "advisory locks are PostgreSQL's (the embedded default runs one beat)"
        if os.environ.get("ANEF_REQUIRE_SERVICES"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def make_scheduler(tmp_path, monkeypatch):
    """Schedulers as `celery beat` builds them, each with its own schedule file; what each
    sends is recorded instead of going to the broker."""
    made = []

    def make(name: str) -> tuple[LeaderScheduler, list[str]]:
        sent = []
        scheduler = LeaderScheduler(app=app, schedule_filename=str(tmp_path / name), lazy=True)
        scheduler.setup_schedule()
        scheduler.producer = None  # never connect to the broker
        scheduler.apply_entry = lambda entry, producer=None: sent.append(entry.name)
        made.append(scheduler)
        return scheduler, sent

    yield make
    for scheduler in made:
        scheduler.close()


def _tick_until_idle(scheduler: LeaderScheduler) -> float:
    """Tick as beat does while it has due entries (a tick sends one and answers 0)."""
    for _ in range(50):
        interval = scheduler.tick()
        if interval:
            return interval
    raise AssertionError("the scheduler never waited")


def _all_due(scheduler: LeaderScheduler) -> None:
    """Every entry due now, as after a long stop."""
    for entry in scheduler.schedule.values():
        entry.last_run_at = entry.default_now() - timedelta(days=2)
    scheduler._heap = None


def _takes_lock_within(scheduler: LeaderScheduler, seconds: float) -> bool:
    """PostgreSQL releases a terminated session's locks as that backend exits, an instant
    after pg_terminate_backend returns."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if scheduler.holds_lock():
            return True
        time.sleep(0.05)
    return False


def test_beat_leader_sends_due_tasks(postgresql, make_scheduler):
    leader, sent = make_scheduler("one")
    _all_due(leader)
    _tick_until_idle(leader)
    assert "record-scheduler-heartbeat" in sent
    assert "attestations-sweep" in sent


def test_beat_second_scheduler_sends_nothing_while_first_holds_lock(postgresql, make_scheduler):
    first, _ = make_scheduler("one")
    second, sent = make_scheduler("two")
    assert first.holds_lock()
    _all_due(second)
    interval = _tick_until_idle(second)
    assert sent == []
    assert interval == settings.BEAT_LEADER_RETRY_SECONDS


def test_beat_standby_takes_over_when_leader_closes(postgresql, make_scheduler):
    first, _ = make_scheduler("one")
    second, sent = make_scheduler("two")
    assert first.holds_lock()
    assert not second.holds_lock()
    first.close()
    # The lock is free once the closed session's backend has exited, an instant later; the
    # standby takes it at its next try.
    assert _takes_lock_within(second, seconds=5)
    _all_due(second)
    _tick_until_idle(second)
    assert "record-scheduler-heartbeat" in sent


def test_beat_leader_whose_session_ended_stops_sending(postgresql, make_scheduler):
    first, sent = make_scheduler("one")
    second, _ = make_scheduler("two")
    assert first.holds_lock()
    # The leader's session ends (a network cut, a restarted server) and the standby takes the
    # lock: the old leader must find out before it sends anything more.
    leader_pid = first._lock_connection.info.backend_pid
    database = settings.DATABASES["default"]
    with psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [leader_pid])
    assert _takes_lock_within(second, 10)
    _all_due(first)
    _tick_until_idle(first)
    assert sent == []


def test_beat_lock_key_is_fixed():
    """Every beat of every version must compete for the same lock."""
    assert LOCK_KEY == -2758505802410326951
