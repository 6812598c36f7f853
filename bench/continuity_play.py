"""The day loop of `bench/continuity.py`: each day, under a clock frozen at noon,
1. the day's sweep (`attestations_sweep(today=day)`): issues what falls due, e.g. the next API
   15 days ahead; in the run with faults it is killed in the middle of a batch on some days, or
   run twice at once (two threads, two connections) on others;
2. the day's acts, every one through the real service (`applications.services`); each commits
   and its on-commit trigger syncs the dossier at once (what the Celery task
   `attestations.sweep_application` does), except the triggers the faults drop;
3. a catch-up sweep, standing for the hourly sweeps of the afternoon: it takes what a dropped
   trigger or a killed sweep left (the dossiers stay marked dirty, or due);
then, on a counted day, the counting (bench/continuity_measure.py).
"""

import random
import threading
import time
from collections import defaultdict
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from unittest import mock

import continuity_measure as measure

START = date(2027, 1, 4)  # counted day 0 (a Monday); the warm-up runs before it
ONE_DAY = timedelta(days=1)
ACTION_ORDER = {
    name: position
    for position, name in enumerate(
        ["file", "complete", "ask", "answer", "decide", "card", "handover", "move", "withdraw"]
    )
}


class SweepKilled(Exception):
    """Injected: the worker dies in the middle of a batch (its transaction rolls back)."""


def noon(day: date):
    import time_machine

    return time_machine.travel(datetime.combine(day, clock(12), tzinfo=UTC), tick=False)


class Simulation:
    def __init__(self, config, people, index, result):
        from reference.models import DecisionReason

        self.config, self.result = config, result
        self.people = {person.index: person for person in people}
        self.index = index  # person index → (user id, profile id, application id, permit id)
        self.queue: dict[int, list] = defaultdict(list)
        for person in people:
            self.queue[person.attempt].append((person.index, "file"))
        self.completed_once: set[int] = set()
        self.agents: dict[int, object] = {}
        self.users: dict[int, object] = {}  # the applicants, read once
        self.refusal = DecisionReason.objects.filter(kind="refusal").order_by("pk").first()
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
        for name in ("acts", "sweeps", "counting", "verification"):
            result.timings.setdefault(name, 0.0)

    # --- the loop -------------------------------------------------------------------------------

    def play(self, first_day: int, last_day: int, progress=None) -> None:
        with ExitStack() as stack:
            self._patch(stack)
            for number in range(first_day, last_day + 1):
                self.day_play(number)
                if progress is not None and (number % 30 == 0 or number == last_day):
                    figures = self.result.figures
                    uncovered = figures["people"] - figures["covered"]
                    progress(
                        f"  day {number:4d} ({START + number * ONE_DAY}): "
                        f"{uncovered:,} uncovered person-days so far, bug {figures['bug']}, "
                        f"two valid {figures['two_valid']}, load "
                        f"{'/'.join(f'{v:.1f}' for v in __import__('os').getloadavg())}"
                    )
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
            if sweeps:
                started = time.monotonic()
                self.sweep_of_the_day(number, day)
                elapsed = time.monotonic() - started
                timings["sweeps"] += elapsed
                if counted:
                    self.result.sweep_seconds.append(elapsed)
            started = time.monotonic()
            self.acts(number, day)
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
        from attestations import services

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

    def _on_commit_sync(self, application_id: int) -> None:
        """The Celery task `attestations.sweep_application`, run at once; some are lost."""
        from attestations.services import attestations_sync_application

        if self.config.on_commit == "sweep":
            self.result.fault_log["on-commit syncs left to the catch-up sweep (option)"] += 1
            return
        if self.config.faults and self.fault_rng.random() < self.config.drop_rate:
            self.result.fault_log["on-commit triggers dropped"] += 1
            return
        attestations_sync_application(application_id=application_id)

    def _patch(self, stack: ExitStack) -> None:
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

        sync = mock.patch.object(tasks.sweep_application, "delay", self._on_commit_sync)
        stack.enter_context(sync)
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

    # --- the acts ------------------------------------------------------------------------------

    def acts(self, number: int, day: date) -> None:
        todo = sorted(self.queue.pop(number, []), key=lambda item: (item[0], ACTION_ORDER[item[1]]))
        for person_index, action in todo:
            getattr(self, f"_{action}")(self.people[person_index], number, day)

    def _later(self, number: int, person, action: str) -> None:
        self.queue[number].append((person.index, action))

    def _called(self, name: str) -> None:
        self.result.service_calls[name] += 1

    def _application(self, person):
        from applications.models import Application

        return Application.objects.select_related("prefecture").get(pk=self.index[person.index][2])

    def _user(self, person):
        from accounts.models import User

        user_id = self.index[person.index][0]
        if user_id not in self.users:
            self.users[user_id] = User.objects.get(pk=user_id)
        return self.users[user_id]

    def _agent(self, application):
        from accounts.enums import Role
        from accounts.models import User

        prefecture = application.prefecture
        if prefecture.pk not in self.agents:
            email = f"agent-{prefecture.departement_code.lower()}@bench.invalid"
            self.agents[prefecture.pk] = User.objects.filter(email_key=email).first() or (
                User.objects.create_user(
                    email, None, role=Role.PREFECTURE_AGENT, prefecture=prefecture
                )
            )
        return self.agents[prefecture.pk]

    def _file(self, person, number, day) -> None:
        from django.db import connection

        from anef.errors import DomainError
        from applications.enums import ApplicationStatus
        from applications.services import application_submit

        application = self._application(person)
        if application.status != ApplicationStatus.DRAFT:
            return
        try:
            application_submit(application=application, actor=self._user(person))
        except DomainError as error:
            if error.code != "renewal_too_early":
                raise
            self._called("file refused: too early")
            with connection.cursor() as cursor:
                measure.tried_early_record(cursor, self.index[person.index][0])
            retry = person.retry if person.retry is not None and person.retry > number else None
            self._later(retry or number + 30, person, "file")
            return
        self._called("file")
        if person.complete_after is not None:
            self._later(number + person.complete_after, person, "complete")
        if person.move_after is not None:
            self._later(number + person.move_after, person, "move")
        if person.withdraw_after is not None:
            self._later(number + person.withdraw_after, person, "withdraw")

    def _complete(self, person, number, day) -> None:
        from applications.enums import ApplicationStatus
        from applications.services import application_mark_complete

        application = self._application(person)
        if application.status != ApplicationStatus.SUBMITTED:
            return
        application_mark_complete(application=application, actor=self._agent(application))
        self._called("complete")
        if person.index not in self.completed_once:
            self.completed_once.add(person.index)
            self._later(number + person.instruction, person, "decide")
            if person.correction is not None:
                self._later(number + person.correction[0], person, "ask")

    def _ask(self, person, number, day) -> None:
        from applications.enums import ApplicationStatus
        from applications.services import correction_request_create

        application = self._application(person)
        if application.status != ApplicationStatus.COMPLETE:
            return
        correction_request_create(
            application=application,
            actor=self._agent(application),
            message="Please send your latest pay slip.",
            deadline=day + timedelta(days=30),
        )
        self._called("correction asked")
        self._later(number + person.correction[1], person, "answer")

    def _answer(self, person, number, day) -> None:
        from applications.enums import ApplicationStatus
        from applications.services import correction_answer

        application = self._application(person)
        if application.status != ApplicationStatus.CORRECTION_REQUESTED:
            return
        correction_answer(application=application, actor=self._user(person), answer="Sent.")
        self._called("correction answered")
        self._later(number + person.correction[2], person, "complete")

    def _decide(self, person, number, day) -> None:
        from applications.enums import ApplicationStatus
        from applications.services import (
            application_decide_favourable,
            application_decide_unfavourable,
        )

        application = self._application(person)
        under_correction = (ApplicationStatus.SUBMITTED, ApplicationStatus.CORRECTION_REQUESTED)
        if application.status in under_correction:
            self._later(number + 7, person, "decide")  # a correction under way
            return
        if application.status != ApplicationStatus.COMPLETE:
            return
        agent = self._agent(application)
        if person.favourable:
            application_decide_favourable(application=application, actor=agent)
            self._called("favourable")
            self._later(number + person.card_after, person, "card")
            return
        application_decide_unfavourable(
            application=application,
            actor=agent,
            reason=self.refusal,
            explanation="The conditions of the card are not met.",
            legal_basis="CESEDA, art. L. 432-1",
            remedies="Recours gracieux ou contentieux dans les deux mois.",
            obligation_to_leave=False,
        )
        self._called("refusal")

    def _card(self, person, number, day) -> None:
        from applications.enums import ApplicationStatus
        from applications.services import application_record_card_available

        application = self._application(person)
        if application.status != ApplicationStatus.FAVOURABLE:
            return
        application_record_card_available(application=application, actor=self._agent(application))
        self._called("card available")
        self._later(number + person.handover_after, person, "handover")

    def _handover(self, person, number, day) -> None:
        from applications.enums import ApplicationStatus
        from applications.services import application_record_card_handed_over

        application = self._application(person)
        if application.status != ApplicationStatus.CARD_AVAILABLE:
            return
        application_record_card_handed_over(
            application=application,
            actor=self._agent(application),
            card_number=f"NC{application.pk:010d}",
            valid_from=day,
            valid_until=day + timedelta(days=4 * 365),
            handed_over_on=day,
        )
        self._called("card handed over")

    def _move(self, person, number, day) -> None:
        from accounts.models import ApplicantProfile
        from applications.services import address_change

        profile = ApplicantProfile.objects.get(pk=self.index[person.index][1])
        if person.move_to_93:
            postal_code, city = "93200", "Saint-Denis"
        else:
            postal_code, city = f"750{int(profile.postal_code[-2:]) % 20 + 1:02d}", "Paris"
        address_change(
            profile=profile,
            address_line=f"{number % 150 + 1} avenue Jean Jaurès",
            postal_code=postal_code,
            city=city,
            actor=self._user(person),
        )
        self._called("address change")

    def _withdraw(self, person, number, day) -> None:
        from applications.services import application_withdraw
        from applications.workflow import UNDECIDED_STATES

        application = self._application(person)
        if application.status not in UNDECIDED_STATES:
            return
        application_withdraw(application=application, actor=self._user(person))
        self._called("withdrawal")
