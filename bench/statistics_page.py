"""Benchmark of the prefecture's statistics page (issue 20). Not a test: run it on demand.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anef_statistics_bench \\
        .venv/bin/python bench/statistics_page.py --count 200000

(Not `bench/statistics.py`: that name would shadow the standard library's `statistics`, which
the other bench scripts import, whenever a script of this folder runs.)

It creates the database afresh (it refuses any name not ending with `_bench`), migrates it,
loads the reference data and writes a year of `--count` dossiers of Seine-Saint-Denis (plus
`--others` in other prefectures, which the page must leave out): filed over the last 365 days,
most of the older ones complete and decided, the recent ones still waiting. Then it asks for
the page `/agents/statistics/` as the prefecture's agent (Django's test client, in this
process: the server's time, template included, no network), `--repeat` times with the cache of
the decision times emptied before each request ("cold": the page as its first reader of the
day computes it) and `--repeat` times with it kept ("warm"), and prints the median and the
slowest, the SQL statements of one cold request with their time, and the load average.

Target (issue 20): the page in under 500 ms of server time.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta

from attestations_sweep import database_prepare, django_setup, refuse_unless_bench_database

TARGET_MS = 500.0


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000, help="dossiers of the prefecture")
    parser.add_argument("--others", type=int, default=20_000, help="dossiers elsewhere")
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20)
    return parser.parse_args(argv)


def _dossier_dates(rng, now, ages_days: int):
    """(status, filed_at, first complete, decided_at) of a dossier filed `ages_days` ago: it is
    complete 5 to 60 days after filing and decided 10 to 150 days after that, when those days
    have come; a few are refused, a few still wait for documents."""
    filed = now - timedelta(days=ages_days, minutes=rng.randrange(600))
    complete = filed + timedelta(days=rng.randint(5, 60))
    decided = complete + timedelta(days=rng.randint(10, 150))
    if complete > now:
        status = "correction_requested" if rng.random() < 0.3 else "submitted"
        return status, filed, None, None
    if decided > now:
        return "complete", filed, complete, None
    roll = rng.random()
    status = (
        "unfavourable"
        if roll < 0.1
        else ("favourable" if roll < 0.5 else "closed_card_handed_over")
    )
    return status, filed, complete, decided


def population_fill(count: int, others: int, batch_size: int, seed: int = 20):
    """`count` dossiers of Seine-Saint-Denis and `others` elsewhere, one person each, filed over
    the last year; the Seine-Saint-Denis agent who reads the page."""
    import random

    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import User
    from applications.models import Application
    from reference.enums import ProcedureKind
    from reference.models import DecisionReason, Ground, Prefecture

    rng = random.Random(seed)  # noqa: S311 (a reproducible population, not a secret)
    prefecture = Prefecture.objects.get(departement_code="93")
    elsewhere = list(Prefecture.objects.exclude(pk=prefecture.pk))
    grounds = list(Ground.objects.filter(active=True, is_procedure=False)[:12])
    reason = DecisionReason.objects.filter(kind="refusal").first()
    now = timezone.now()
    total = count + others
    for start in range(0, total, batch_size):
        size = min(batch_size, total - start)
        users = User.objects.bulk_create(
            User(
                email=f"stats{start + i}@anef.example",
                email_key=f"stats{start + i}@anef.example",  # save() sets it; bulk_create not
                last_name=f"Stats{start + i}",
                role=Role.APPLICANT,
            )
            for i in range(size)
        )
        rows = []
        for i, user in enumerate(users):
            status, filed, complete, decided = _dossier_dates(rng, now, rng.randrange(365))
            refused = status == "unfavourable"
            rows.append(
                Application(
                    applicant=user,
                    ground=grounds[(start + i) % len(grounds)],
                    kind=ProcedureKind.FIRST_APPLICATION,
                    prefecture=prefecture if start + i < count else rng.choice(elsewhere),
                    status=status,
                    filed_at=filed,
                    completed_at=complete,
                    first_completed_at=complete,
                    decided_at=decided,
                    decision_reason=reason if refused else None,
                    decision_explanation="Conditions non remplies." if refused else "",
                    decision_legal_basis=reason.legal_basis if refused else "",
                    decision_remedies=reason.remedies_fr if refused else "",
                    attestations_dirty=False,
                )
            )
        Application.objects.bulk_create(rows)
        print(f"  {start + size:,} dossiers", flush=True)
    return User.objects.create_user(
        email="agent.stats@anef.example",
        password=None,
        role=Role.PREFECTURE_AGENT,
        prefecture=prefecture,
    )


class _Statements:
    """Every SQL statement of the requests, with its time (`connection.execute_wrapper`)."""

    def __init__(self):
        self.rows: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append((time.perf_counter() - start, sql))


def measure(agent_id: int, repeat: int) -> dict:
    """The page `repeat` times cold (the decision times' cache emptied first) and `repeat`
    times warm; milliseconds, and the statements of the last cold request."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from applications.processing_times import CACHE_KEY

    agent = User.objects.get(pk=agent_id)
    client = Client(HTTP_HOST="localhost")
    client.force_login(agent)
    url = reverse("backoffice:statistics")
    key = CACHE_KEY % (agent.prefecture_id, timezone.localdate().isoformat())

    def timed() -> float:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, response.status_code
        return elapsed

    timed()  # warm-up: templates compiled, connection open
    cold, warm, statements = [], [], _Statements()
    for _ in range(repeat):
        cache.delete(key)
        statements.rows.clear()
        with connection.execute_wrapper(statements):
            cold.append(timed())
    for _ in range(repeat):
        warm.append(timed())
    return {"cold": cold, "warm": warm, "statements": list(statements.rows)}


def report(figures: dict, load: tuple[float, float]) -> list[str]:
    def summary(name: str, values: list[float]) -> str:
        median = statistics.median(values)
        verdict = "met" if median < TARGET_MS else "NOT met"
        return (
            f"{name}: median {median:.0f} ms, slowest {max(values):.0f} ms over {len(values)} "
            f"requests — target < {TARGET_MS:.0f} ms: {verdict}"
        )

    lines = [summary("cold (decision times computed)", figures["cold"])]
    lines.append(summary("warm (decision times from the cache)", figures["warm"]))
    total_sql = sum(seconds for seconds, _sql in figures["statements"]) * 1000
    lines.append(
        f"last cold request: {len(figures['statements'])} SQL statements, {total_sql:.0f} ms in "
        f"execute(); load average {load[0]:.2f} before, {load[1]:.2f} after "
        f"({os.cpu_count()} CPUs)"
    )
    for seconds, sql in sorted(figures["statements"], reverse=True)[:6]:
        lines.append(f"  {seconds * 1000:7.1f} ms  {' '.join(sql.split())[:110]}")
    return lines


def main(argv=None) -> int:
    args = parse_args(argv)
    django_setup()
    settings_dict = refuse_unless_bench_database(
        "the statistics benchmark", "anef_statistics_bench"
    )
    from django.db import connection

    database_prepare(settings_dict)
    print(f"Filling {args.count:,} + {args.others:,} dossiers (set-up, not a result)…", flush=True)
    agent = population_fill(args.count, args.others, args.batch_size, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    before = os.getloadavg()[0]
    figures = measure(agent.pk, args.repeat)
    after = os.getloadavg()[0]
    for line in report(figures, (before, after)):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
