"""The day's acts of `bench/continuity.py` over worker processes (`--workers N`): worker w owns the
people whose index is w modulo N for the whole run (their queue of acts, what happened to them),
with its own database connection. Each day the parent runs the day's sweep and the reminders,
then tells every worker to play its people's acts of the day (with who was reminded), waits for
all of them, then runs the catch-up sweep and the counting: the day's order of phases is the
sequential run's. Workers are forked (`fork`): they inherit the people and the settings.
"""

import multiprocessing
import time
import traceback
from collections import Counter
from contextlib import ExitStack, suppress

from continuity_acts import Actor


def _serve(connection_end, config, people, index, patch) -> None:
    """A worker's loop: ("day", number, day, reminded) → ("ok", calls, faults, seconds)."""
    from continuity_play import noon
    from django.db import connections

    try:
        actor = Actor(config, people, index)
    except Exception:  # say so: the parent waits for every worker's answer
        connection_end.recv()
        connection_end.send(("error", traceback.format_exc()))
        connection_end.close()
        return
    with ExitStack() as stack:
        patch(stack, actor)
        while True:
            message = connection_end.recv()
            if message[0] == "stop":
                break
            _kind, number, day, reminded = message
            started = time.monotonic()
            calls_before, faults_before = Counter(actor.service_calls), Counter(actor.fault_log)
            try:
                with noon(day):
                    actor.day_play(number, day, reminded)
            except Exception:
                connection_end.send(("error", traceback.format_exc()))
                break
            connection_end.send(
                (
                    "ok",
                    actor.service_calls - calls_before,
                    actor.fault_log - faults_before,
                    time.monotonic() - started,
                )
            )
    connections.close_all()
    connection_end.close()


class WorkerPool:
    """N forked workers over disjoint people; `day_play` returns when all have played the day."""

    def __init__(self, workers: int, config, people: list, index: dict, patch):
        from attestations_sweep import connections_close_before_fork

        connections_close_before_fork()  # reopened on demand, in the parent and in each child
        context = multiprocessing.get_context("fork")
        self.ends, self.processes = [], []
        for worker in range(workers):
            mine = {person.index: person for person in people if person.index % workers == worker}
            parent_end, child_end = context.Pipe()
            process = context.Process(
                target=_serve, args=(child_end, config, mine, index, patch), daemon=True
            )
            process.start()
            child_end.close()
            self.ends.append(parent_end)
            self.processes.append(process)
        self.workers = workers
        self.busy_seconds: list[float] = [0.0] * workers

    def day_play(self, number, day, reminded: list[int]) -> tuple[Counter, Counter]:
        for worker, end in enumerate(self.ends):
            end.send(("day", number, day, [i for i in reminded if i % self.workers == worker]))
        calls, faults, errors = Counter(), Counter(), []
        for worker, end in enumerate(self.ends):
            try:
                reply = end.recv()
            except EOFError:
                reply = ("error", f"worker {worker} ended without an answer")
            if reply[0] == "error":
                errors.append(reply[1])
                continue
            calls.update(reply[1])
            faults.update(reply[2])
            self.busy_seconds[worker] += reply[3]
        if errors:
            self.close()
            raise RuntimeError("a worker failed:\n" + errors[0])
        return calls, faults

    def close(self) -> None:
        for end in self.ends:
            with suppress(BrokenPipeError, OSError):
                end.send(("stop",))
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
        self.ends, self.processes = [], []
