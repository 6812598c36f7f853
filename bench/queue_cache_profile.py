"""Where a request of the agent queue spends its time, kept or rendered (issue 19). Not a test:
run it on demand.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anef_queue_profile_bench \\
    REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/queue_cache_profile.py --repeat 40

The load bench's data (bench/load.py: the demo, 400 dossiers, 312 in Paris, 200 tickets) in a
database it creates afresh and drops at the end (refused unless its name ends with `_bench`),
the Redis cache of `REDIS_URL` (nothing emptied: its own keys only, under the page cache's
prefix), the Paris agent signed in through Django's test client (no HTTP, no gunicorn). For each
kind of request it prints, median over `--repeat`: CPU (this process's `time.process_time()`),
wall time, SQL queries and Redis round trips (a command or a pipeline: what waits for Redis).

- **hit**: the page kept, asked again;
- **row**: one dossier of the page's 25 changed as the load bench changes it
  (`bump_dossier(affects=ROW)`: a document, an error report), then the page asked;
- **status**: the same with a status change (`affects=STATUS`);
- **listing**: any dossier of Paris changed in a way that changes the list (`affects=LISTING`:
  a filing, a transfer);
- **uncached**: the page cache off (`PAGE_CACHE_ENABLED = False`): every request renders.

`--profile KIND` prints cProfile's costliest functions (cumulative, `--lines` of them) over the
repeats of KIND.
"""

import argparse
import cProfile
import io
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.load import DEMO_AGENT, django_setup, extra_data_fill, load_average  # noqa: E402

KINDS = ("hit", "row", "status", "listing", "uncached")


class RedisTrips:
    """Counts the round trips to Redis: each command sent alone, and each pipeline."""

    def __init__(self):
        self.count = 0

    def __enter__(self):
        from redis.client import Pipeline, Redis

        self._patched = []
        for cls, name in ((Redis, "execute_command"), (Pipeline, "execute")):
            original = cls.__dict__[name]

            def counted(*args, _original=original, **kwargs):
                self.count += 1
                return _original(*args, **kwargs)

            setattr(cls, name, counted)
            self._patched.append((cls, name, original))
        return self

    def __exit__(self, *exc):
        for cls, name, original in self._patched:
            setattr(cls, name, original)


def measure(client, before, repeat: int, profiler=None) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cpu, wall, queries, trips = [], [], [], []
    for _ in range(repeat):
        before()
        with CaptureQueriesContext(connection) as captured, RedisTrips() as counted:
            started_cpu, started = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            response = client.get("/agents/", headers={"accept-language": "fr"})
            if profiler:
                profiler.disable()
            cpu.append(time.process_time() - started_cpu)
            wall.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        queries.append(len(captured))
        trips.append(counted.count)
    return {
        "cpu": statistics.median(cpu) * 1000,
        "wall": statistics.median(wall) * 1000,
        "queries": statistics.median(queries),
        "trips": statistics.median(trips),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--profile", choices=KINDS, default="")
    parser.add_argument("--lines", type=int, default=25, help="lines of the profile printed")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument(
        "--reuse", action="store_true", help="use the database a run with --keep left"
    )
    args = parser.parse_args(argv)
    django_setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client, override_settings

    from anef import generations
    from anef.demo import DEMO_PASSWORD
    from applications.models import Application
    from bench.attestations_sweep import database_recreate, refuse_unless_bench_database
    from bench.load import database_drop
    from reference.catalogue.loader import reference_data_load

    settings_dict = refuse_unless_bench_database("the queue profile", "anef_queue_profile_bench")
    if not settings.REDIS_URL:
        sys.exit("Refusing to run: set REDIS_URL (the page cache is what this measures).")
    if not args.reuse:
        database_recreate(settings_dict)
    try:
        if not args.reuse:
            call_command("migrate", verbosity=0)
            reference_data_load()
            call_command("seed_demo", i_know_this_is_not_production=True, stdout=io.StringIO())
            extra_data_fill(random.Random(8), 400, 200)  # noqa: S311 - the load bench's data
        client = Client(SERVER_NAME="localhost")
        assert client.login(email=DEMO_AGENT, password=DEMO_PASSWORD)
        agent = client.session["_auth_user_id"]
        from accounts.models import User

        prefecture_id = User.objects.get(pk=agent).prefecture_id
        client.get("/agents/")
        page_rows = _first_page(client)
        rng = random.Random(19)  # noqa: S311
        paris = list(
            Application.objects.filter(prefecture_id=prefecture_id).values_list(
                "pk", "applicant_id"
            )
        )

        def bump(affects, rows):
            def before():
                pk, applicant = rng.choice(rows)
                generations.bump_dossier(
                    Application(pk=pk, applicant_id=applicant, prefecture_id=prefecture_id),
                    affects=affects,
                )

            return before

        befores = {
            "hit": lambda: None,
            "row": bump(generations.ROW, page_rows),
            "status": bump(generations.STATUS, page_rows),
            "listing": bump(generations.LISTING, paris),
            "uncached": lambda: None,
        }
        print(
            f"agent queue /agents/ (Paris, {len(paris)} dossiers, page 1 of 25 rows), "
            f"median of {args.repeat}; load average {load_average()}"
        )
        print(f"{'request':<10} {'CPU ms':>8} {'wall ms':>8} {'queries':>8} {'Redis trips':>12}")
        for kind in KINDS:
            profiler = cProfile.Profile() if args.profile == kind else None
            with override_settings(PAGE_CACHE_ENABLED=kind != "uncached"):
                client.get("/agents/")
                figures = measure(client, befores[kind], args.repeat, profiler)
            print(
                f"{kind:<10} {figures['cpu']:8.1f} {figures['wall']:8.1f} "
                f"{figures['queries']:8g} {figures['trips']:12g}"
            )
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.lines)
                print(out.getvalue())
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            database_drop(settings_dict)
    return 0


def _first_page(client) -> list[tuple[int, int]]:
    """The dossiers (id, applicant) of the queue's first page, as the view lists them."""
    from django.test import RequestFactory

    from accounts.models import User
    from applications.selectors import backoffice_queue
    from applications.views.backoffice_forms import QueueFilterForm
    from applications.views.queue_rows import QUEUE_PAGE_SIZE

    user = User.objects.get(pk=client.session["_auth_user_id"])
    filters = QueueFilterForm(RequestFactory().get("/agents/").GET or None).queue_filters()
    queue = backoffice_queue(user, filters)
    return list(queue.values_list("pk", "applicant_id")[:QUEUE_PAGE_SIZE])


if __name__ == "__main__":
    main()
