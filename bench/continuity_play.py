"""The day loop of `bench/continuity.py`: each day, under a clock frozen at noon,
1. the day's sweep (`attestations_sweep(today=day)`): issues what falls due, e.g. the next API
   15 days ahead; in the run with faults it is killed in the middle of a batch on some days, or
   run twice at once (two threads, two connections) on others;
2. in the runs with reminders, the real reminders service (`renewal_reminders_send(today=day)`),
   then who it reminded, read back from the notification log (bench/continuity_measure.py);
3. the day's acts (bench/continuity_acts.py, in process or over worker processes), every one
   through the real service (`applications.services`); each commits
   and its on-commit trigger syncs the dossier at once (what the Celery task
   `attestations.sweep_application` does), except the triggers the faults drop;
4. a catch-up sweep, standing for the hourly sweeps of the afternoon: it takes what a dropped
   trigger or a killed sweep left (the dossiers stay marked dirty, or due);
then, on a counted day, the counting (bench/continuity_measure.py).
"""

import os
import random
import threading
import time
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from unittest import mock

import continuity_measure as measure

START = date(2027, 1, 4)  # counted day 0 (a Monday); the warm-up runs before it
ONE_DAY = timedelta(days=1)


class SweepKilled(Exception):
    """Injected: the worker dies in the middle of a batch (its transaction rolls back)."""


def noon(day: date):
    import time_machine

    return time_machine.travel(datetime.combine(day, clock(12), tzinfo=UTC), tick=False)


# autovacuum's defaults: a table is analyzed once this many rows plus this share of its rows
# have changed since its last ANALYZE.
ANALYZE_THRESHOLD, ANALYZE_SCALE_FACTOR = 50, 0.1


def statistics_refresh() -> None:
    """What autovacuum does on a production server (this one runs with autovacuum=off): ANALYZE
    every table whose changed rows since its last ANALYZE pass autovacuum's default threshold.
    Without it the tables that start empty (attestations, events, the audit log) keep the
    planner statistics of an empty table for the whole simulated year, and queries that use
    their indexes in production scan them whole here, each act costing more as they grow."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables "
            "WHERE n_mod_since_analyze > %s + %s * GREATEST(n_live_tup, 0)",
            [ANALYZE_THRESHOLD, ANALYZE_SCALE_FACTOR],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f'ANALYZE "{table}"')


class Simulation:
    def __init__(self, config, people, index, result):
        self.config, self.result = config, result
        self.people = people
        self.index = index  # person index → (user id, profile id, previous dossier id, permit id)
        self.actor = None  # in process (workers <= 1)
        self.pool = None  # or over worker processes (continuity_workers.py)
        self.fault_rng = random.Random(f"{config.seed}:faults")  # noqa: S311
        self.verify_rng = random.Random(f"{config.seed}:verify")  # noqa: S311
        self.kill_days: set[int] = set()
        self.kill_pending = self.double_pending = 0
        self.double_days: set[int] = set()
        if config.faults:
            days = self.fault_rng.sample(
                range(config.days), min(config.days, config.kill_days + config.double_days)
            )
            self.kill_days = set(days[: config.kill_days])
            self.double_days = set(days[config.kill_days :])
        for name in ("acts", "sweeps", "reminders", "counting", "verification", "analyze"):
            result.timings.setdefault(name, 0.0)

    # --- the loop -------------------------------------------------------------------------------

    def play(self, first_day: int, last_day: int, progress=None) -> None:
        from continuity_acts import Actor, agents_create
        from continuity_workers import WorkerPool

        agents_create()
        with ExitStack() as stack:
            if self.config.workers > 1:
                self.pool = WorkerPool(
                    self.config.workers, self.config, self.people, self.index, patch_process
                )
                stack.callback(self.pool.close)
                patch_process(stack, None)
            else:
                self.actor = Actor(
                    self.config, {person.index: person for person in self.people}, self.index
                )
                patch_process(stack, self.actor)
            for number in range(first_day, last_day + 1):
                self.day_play(number)
                if progress is not None and (number % 30 == 0 or number == last_day):
                    figures = self.result.figures
                    uncovered = figures["people"] - figures["covered"]
                    progress(
                        f"  day {number:4d} ({START + number * ONE_DAY}): "
                        f"{uncovered:,} uncovered person-days so far, bug {figures['bug']}, "
                        f"two valid {figures['two_valid']}, load "
                        f"{'/'.join(f'{v:.1f}' for v in os.getloadavg())}"
                    )
        if self.actor is not None:
            self.result.service_calls.update(self.actor.service_calls)
            self.result.fault_log.update(self.actor.fault_log)
        self.final_ledger_recount(max(first_day, 0), last_day)
        if self.kill_pending or self.double_pending:
            self.result.fault_log["faults that found too little due to land"] += (
                self.kill_pending + self.double_pending
            )

    def final_ledger_recount(self, first_day: int, last_day: int) -> None:
        """Each counted day again, from the ledger as it stands at the end: an end or a start
        recorded later for an earlier day (a handover recorded late) shows only here."""
        from django.db import connection

        started = time.monotonic()
        with connection.cursor() as cursor:
            for number in range(first_day, last_day + 1):
                figures = measure.day_figures(cursor, START + number * ONE_DAY)
                self.result.final_two_valid += figures["two_valid"]
        self.result.timings["counting"] += time.monotonic() - started

    def day_play(self, number: int) -> None:
        from django.db import connection

        from attestations.services import attestations_sweep

        day = START + number * ONE_DAY
        counted = number >= 0
        sweeps = number not in self.config.skip_sweep_days
        timings = self.result.timings
        with noon(day):
            started = time.monotonic()
            statistics_refresh()
            timings["analyze"] += time.monotonic() - started
            if sweeps:
                started = time.monotonic()
                self.sweep_of_the_day(number, day)
                elapsed = time.monotonic() - started
                timings["sweeps"] += elapsed
                if counted:
                    self.result.sweep_seconds.append(elapsed)
            started = time.monotonic()
            reminded = self.reminders(day) if self.config.reminders else []
            timings["reminders"] += time.monotonic() - started
            started = time.monotonic()
            if self.pool is not None:
                calls, faults = self.pool.day_play(number, day, reminded)
                self.result.service_calls.update(calls)
                self.result.fault_log.update(faults)
            else:
                self.actor.day_play(number, day, reminded)
            timings["acts"] += time.monotonic() - started
            if sweeps:
                started = time.monotonic()
                attestations_sweep(today=day, batch_size=self.config.batch_size)
                elapsed = time.monotonic() - started
                timings["sweeps"] += elapsed
                if counted:
                    self.result.catch_up_seconds.append(elapsed)
            if not counted:
                return
            started = time.monotonic()
            with connection.cursor() as cursor:
                self.result.figures.update(measure.day_figures(cursor, day))
            timings["counting"] += time.monotonic() - started
            started = time.monotonic()
            with connection.cursor() as cursor:
                checked, contradictions = measure.verification_check(
                    cursor, day, self.config.verify_per_day, self.verify_rng
                )
            self.result.verified += checked
            self.result.contradictions += contradictions
            timings["verification"] += time.monotonic() - started

    def reminders(self, day: date) -> list[int]:
        """The real renewal reminders of the day (`renewal_reminders_send`), then who was told
        something, read back from the notification log with the benchmark's own SQL."""
        from django.db import connection

        from applications.reminders.services import renewal_reminders_send

        renewal_reminders_send(today=day)
        with connection.cursor() as cursor:
            rows = measure.reminded_on(cursor, day)
        for _person, kind in rows:
            self.result.reminders_sent[kind] += 1
        return sorted({person for person, _kind in rows})

    # --- the sweep and its faults -----------------------------------------------------------------

    def sweep_of_the_day(self, number: int, day: date) -> None:
        from attestations.services import attestations_sweep

        # A fault is put off to the next day while too few dossiers are due for it to land in
        # the middle of the work (small scales).
        if number in self.kill_days or self.kill_pending:
            self.kill_pending += number in self.kill_days
            if self._due(day) >= 3:
                self.kill_pending -= 1
                self._killed_sweep(day)
                return
        if number in self.double_days or self.double_pending:
            self.double_pending += number in self.double_days
            if self._due(day) >= 4:
                self.double_pending -= 1
                self._two_sweeps_at_once(day)
                return
        attestations_sweep(today=day, batch_size=self.config.batch_size)

    def _due(self, day: date) -> int:
        from attestations.services import attestations_sweep_due_count

        return attestations_sweep_due_count(today=day)

    def _small_batches(self, day: date, parts: int) -> int:
        """Batches small enough for a fault to land in the middle of the day's work."""
        return max(1, min(self.config.batch_size, self._due(day) // parts))

    def _killed_sweep(self, day: date) -> None:
        """The first batch commits; the second is written, then the worker dies before its
        commit (the exception is raised inside the batch's transaction, which rolls back)."""
        from attestations.services import sweep as services  # where the batches are synced

        real, calls = services._sync_batch, []

        def dying(*args, **kwargs):
            calls.append(1)
            real(*args, **kwargs)
            if len(calls) == 2:
                raise SweepKilled

        with mock.patch.object(services, "_sync_batch", dying):
            try:
                services.attestations_sweep(today=day, batch_size=self._small_batches(day, 3))
            except SweepKilled:
                self.result.fault_log["sweeps killed mid-batch"] += 1
            else:
                self.result.fault_log["sweeps to kill that ended in one batch"] += 1

    def _two_sweeps_at_once(self, day: date) -> None:
        from django.db import connection

        from attestations.services import attestations_sweep

        batch_size = self._small_batches(day, 4)
        barrier, reports, errors = threading.Barrier(2), [], []

        def worker():
            try:
                barrier.wait(timeout=60)
                reports.append(attestations_sweep(today=day, batch_size=batch_size))
            except Exception as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        self.result.fault_log["days with two sweeps at once"] += 1
        self.result.fault_log["dossiers taken by the smaller of the two"] += min(
            report.applications for report in reports
        )


def patch_process(stack: ExitStack, actor) -> None:
    """No message leaves the process: the dossier's sync runs in process (or is dropped);
    PDFs, holders' notices and e-mails are not this benchmark's business. Commits do not
    wait for the disk (`synchronous_commit off`, this benchmark's connections only: what
    is committed and seen is the same, only a crash of the server could lose the last
    ones); on a shared machine the flush of each commit otherwise dominates."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    from anef import tasks as anef_tasks
    from anef.celery import app
    from attestations import tasks

    def no_flush_wait(sender, connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")

    if connection.vendor == "postgresql":
        connection.ensure_connection()
        no_flush_wait(None, connection)
        connection_created.connect(no_flush_wait, dispatch_uid="bench-continuity")
        stack.callback(connection_created.disconnect, dispatch_uid="bench-continuity")

    # The parent of worker processes plays no act: nothing of its own to sync.
    sync = actor.on_commit_sync if actor is not None else mock.DEFAULT
    stack.enter_context(mock.patch.object(tasks.sweep_application, "delay", sync))
    for task in (
        tasks.render_missing_pdfs,
        tasks.notify_holders,
        anef_tasks.outbox_send,
        anef_tasks.outbox_send_due,
    ):
        stack.enter_context(mock.patch.object(task, "delay"))
    eager = app.conf.task_always_eager  # a task not stubbed above never reaches a broker
    app.conf.task_always_eager = True
    stack.callback(setattr, app.conf, "task_always_eager", eager)
