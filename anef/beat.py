"""One scheduler at a time, however many beat processes run (issue 17, "beyond one machine").

Celery beat has no coordination of its own: every beat process sends every entry of
`CELERY_BEAT_SCHEDULE` when it falls due, so two beats (a scaled Compose service, a second
machine started from the same image, an old container not yet stopped during a deployment) send
every task twice. The tasks are idempotent (the sweep claims dossiers with `skip_locked` and
unique constraints refuse a second attestation; warnings, escalations, reminders and retention
each record that they were done), so nothing is issued or sent twice; but the work is done twice,
concurrent sweeps fight over the same rows, and the scheduler's heartbeat counts double.

`LeaderScheduler` makes the rule "exactly one beat" hold by itself: before it sends anything, a
beat must hold a PostgreSQL session-level advisory lock, taken on a connection of its own and
kept for as long as the process lives. The other beats are standbys: they send nothing and try
the lock again every `BEAT_LEADER_RETRY_SECONDS`. When the leader stops, crashes or loses its
connection, PostgreSQL releases the lock with the session and a standby takes over within that
delay, sending at once whatever fell due meanwhile. A lock rather than a lease row: nothing to
expire or renew, and a dead leader's lock goes with its connection (TCP keepalives bound how long
a silently vanished machine keeps it).

The leader checks its connection before each send: a leader whose session is gone (so whose lock
another beat may now hold) stops sending at its next tick. Between that check and the send,
another beat cannot have taken over unless the session died in that instant; the tasks'
idempotency covers that case.

The embedded default (SQLite: one machine, one `make run`, one beat by the Procfile) has no
advisory locks; there the beat schedules without one.
"""

import hashlib
import logging

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

# The advisory lock's key: a fixed 64-bit number of our own (locks are per database, so two
# databases on one server, e.g. parallel test runs, never compete).
LOCK_KEY = int.from_bytes(hashlib.sha256(b"anef.beat.leader").digest()[:8], "big", signed=True)


class LeaderScheduler(PersistentScheduler):
    """Celery's file-backed scheduler that sends only while it holds the leader lock."""

    def __init__(self, *args, **kwargs):
        self._lock_connection = None
        self._is_leader = False
        super().__init__(*args, **kwargs)

    # --- The lock -------------------------------------------------------------------------

    @staticmethod
    def _uses_postgresql() -> bool:
        return connections["default"].vendor == "postgresql"

    def _connect(self):
        """A connection of the beat's own, outside Django's pool: a pooled connection goes back
        to the pool with its session (and so the lock) alive, and could be handed to anyone."""
        import psycopg

        database = settings.DATABASES["default"]
        return psycopg.connect(
            dbname=database["NAME"],
            user=database.get("USER") or None,
            password=database.get("PASSWORD") or None,
            host=database.get("HOST") or None,
            port=database.get("PORT") or None,
            autocommit=True,
            connect_timeout=10,
            application_name="anef-beat",
            # A vanished machine's session (and lock) ends within about a minute.
            keepalives=1,
            keepalives_idle=30,
            keepalives_interval=10,
            keepalives_count=3,
        )

    def _drop_connection(self) -> None:
        connection, self._lock_connection = self._lock_connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:
                logger.debug("beat: closing the leader lock's connection failed", exc_info=True)

    def holds_lock(self) -> bool:
        """True when this beat may send now: it holds the lock on a live connection (taking it
        if it is free). Never raises: a database error means "not the leader, try again"."""
        if not self._uses_postgresql():
            return True
        try:
            if self._lock_connection is None:
                self._lock_connection = self._connect()
            with self._lock_connection.cursor() as cursor:
                if self._is_leader:
                    cursor.execute("SELECT 1")  # the session, and so the lock, is still ours
                else:
                    cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
                    if cursor.fetchone()[0]:
                        self._is_leader = True
                        logger.info("beat: this beat now schedules (leader lock taken)")
        except Exception:
            if self._is_leader:
                logger.warning("beat: leader lock lost, no longer scheduling", exc_info=True)
            else:
                logger.warning("beat: cannot reach the database for the leader lock")
            self._is_leader = False
            self._drop_connection()
        return self._is_leader

    # --- Celery's scheduler ---------------------------------------------------------------

    def tick(self, *args, **kwargs) -> float:
        if not self.holds_lock():
            return float(settings.BEAT_LEADER_RETRY_SECONDS)
        return super().tick(*args, **kwargs)

    def close(self) -> None:
        try:
            super().close()
        finally:
            # The session ends, the lock with it: a standby takes over at its next try.
            self._is_leader = False
            self._drop_connection()

    @property
    def info(self) -> str:
        return f"{super().info}\n    . leader lock -> PostgreSQL advisory lock {LOCK_KEY}"
