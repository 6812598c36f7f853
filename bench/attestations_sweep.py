"""Benchmark of the attestation sweep (issue 4, "Benchmark"). Not a test: run it on demand.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anef_bench \\
        .venv/bin/python bench/attestations_sweep.py --count 200000

It creates the database afresh (dropping an earlier one), migrates it, loads the reference data,
fills it with a population of complete applications (a quarter of them renewals due for an API
today), then measures in the same run: the first sweep, a second (no-op) sweep the same day,
the ceiling (a plain `bulk_create` of as many attestation rows), and PDF rendering. It refuses
any database whose name does not end with `_bench`, since it drops it and truncates its tables.
See bench/README.md.
"""

import argparse
import gc
import math
import os
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parent.parent
PARIS = ZoneInfo("Europe/Paris")

# Targets of issue 4 (the bulk_create ceiling) and issue 16 (the COPY ceiling).
TARGET_CEILING_FACTOR = 3.0
TARGET_COPY_FACTOR = 3.0
TARGET_NOOP_RATIO = 0.1
TARGET_PDF_MEDIAN_MS = 250.0

FIRST_NAMES = [
    "Amina", "Mohamed", "Fatou", "Ibrahim", "Mariam", "Yacine", "Aïcha", "Moussa", "Nour",
    "Karim", "Leila", "Oumar", "Sofia", "Ahmed", "Awa", "Thanh", "Mei", "Ravi", "Olena",
    "Jorge", "Ana", "Sergei", "Precious", "Kwame", "Zeynep", "Mehdi", "Inès", "Bilal",
]  # fmt: skip
LAST_NAMES = [
    "Diallo", "Traoré", "Benali", "Nguyen", "Haddad", "Koné", "Camara", "Sylla", "Bensaïd",
    "Okafor", "Mensah", "Wang", "Li", "Kumar", "Petrenko", "Silva", "Santos", "Ivanova",
    "Yilmaz", "Cissé", "Touré", "Mbappé", "Fofana", "Keita", "El Amrani", "Zhang",
]  # fmt: skip
NATIONALITIES = [
    "algérienne", "marocaine", "tunisienne", "malienne", "sénégalaise", "ivoirienne",
    "chinoise", "indienne", "ukrainienne", "brésilienne", "turque", "camerounaise",
    "vietnamienne", "afghane", "haïtienne", "congolaise (RDC)",
]  # fmt: skip
STREETS = [
    "rue de Rivoli", "boulevard de Belleville", "rue du Faubourg Saint-Denis",
    "avenue de Clichy", "rue de la Roquette", "boulevard Barbès", "rue Oberkampf",
    "avenue d'Italie", "rue de Vaugirard", "rue des Pyrénées", "avenue Jean Jaurès",
    "rue de Tolbiac", "boulevard Voltaire", "rue Championnet", "rue de Charonne",
]  # fmt: skip
# How often each ground comes up (the others weigh 1).
GROUND_WEIGHTS = {
    "student": 12,
    "salaried_worker": 10,
    "spouse_of_french_national": 8,
    "personal_and_family_ties": 6,
    "parent_of_french_child": 4,
    "temporary_worker": 3,
    "talent_passport": 3,
    "refugee": 3,
    "subsidiary_protection": 2,
    "multi_year_general": 6,
}


# --- Set-up -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20_000, help="applications (and people)")
    parser.add_argument(
        "--batch-size", type=int, default=500, help="the sweep's batch size (and the fill's)"
    )
    parser.add_argument("--pdf-samples", type=int, default=30, help="PDFs to render and time")
    parser.add_argument("--keep", action="store_true", help="keep the data at the end")
    parser.add_argument("--today", help="sweep as if today were this day (YYYY-MM-DD)")
    parser.add_argument("--seed", type=int, default=4, help="seed of the population")
    parser.add_argument(
        "--autoanalyze",
        type=float,
        default=0,
        metavar="SECONDS",
        help="ANALYZE the tables every SECONDS during the first sweep, as autovacuum would "
        "(for a server running with autovacuum=off); 0, the default: never",
    )
    parser.add_argument(
        "--national-day",
        action="store_true",
        help="issue 16's day at national scale instead: --count open renewals swept yesterday, "
        "--due of them due today; time today's sweep and one with nothing due",
    )
    parser.add_argument(
        "--due", type=int, help="--national-day: renewals due today (default: --count / 25)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="--national-day: also time today's sweep split into this many shards, one process "
        "each, all at once (ATTESTATION_SWEEP_SHARDS on as many Celery workers); 1: skip",
    )
    return parser.parse_args(argv)


def django_setup() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "anef.settings"
    import django

    django.setup()


def refuse_unless_bench_database(bench: str = "the benchmark", example: str = "anef_bench") -> dict:
    """The database's settings, if it is PostgreSQL and named `*_bench` (every bench script
    drops and recreates it); else stop with what to set."""
    from django.db import connection

    settings_dict = connection.settings_dict
    name = settings_dict.get("NAME") or ""
    if settings_dict["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(
            f"Refusing to run: {bench} needs PostgreSQL; set DATABASE_URL, e.g. "
            f"postgres://postgres@127.0.0.1:5432/{example}"
        )
    if not name.endswith("_bench"):
        sys.exit(
            f"Refusing to run on database {name!r}: its name must end with '_bench' "
            f"({bench} drops and recreates it)."
        )
    return settings_dict


def database_prepare(settings_dict: dict) -> bool:
    """`database_recreate`, then the migrations and the reference data: an empty bench database
    of the current schema. Returns whether an older database was dropped."""
    from django.core.management import call_command

    from reference.catalogue.loader import reference_data_load

    dropped = database_recreate(settings_dict)
    call_command("migrate", interactive=False, verbosity=0)
    reference_data_load()
    return dropped


def database_recreate(settings_dict: dict) -> bool:
    """Connect to the `postgres` database, drop ours if it exists and create it afresh.

    Every run starts from the same state: no planner statistics left by an earlier run (they
    decide whether the sweep's prefetch uses an index, and `ANALYZE` on an empty table keeps
    the old ones), no dead rows. Returns whether an older database was dropped."""
    import psycopg
    from psycopg import sql

    params = {
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    name = settings_dict["NAME"]
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        existed = bool(
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        )
        if existed:
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return existed


def bench_tables_truncate() -> None:
    """Every table that holds people and what hangs off them (CASCADE: profiles, permits,
    applications, attestations, share codes, events…); reference data stays."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE accounts_user, accounts_applicantprofile, applications_residencepermit, "
            "applications_application, attestations_attestation RESTART IDENTITY CASCADE"
        )


# --- Fill ---------------------------------------------------------------------------------------


def _row(model, values: dict) -> list:
    """One row for COPY: the values given, else each field's default, in column order."""
    now = values.get("_now")
    row = []
    for field in _copy_fields(model):
        if field.attname in values:
            row.append(values[field.attname])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            row.append(now)
        elif field.has_default() or field.null:
            row.append(field.get_default())
        elif field.empty_strings_allowed and field.get_default() == "":
            row.append("")  # a blank text column
        else:
            raise ValueError(f"{model.__name__}.{field.name}: no value for a NOT NULL column")
    return row


def _copy_fields(model) -> list:
    return list(model._meta.concrete_fields)


def copy_into(model, rows, batch_size: int) -> int:
    """COPY rows (lists in `_copy_fields` order) into the model's table, `batch_size` rows per
    COPY statement; then move the id sequence past the largest id."""
    from django.db import connection, transaction
    from psycopg import sql

    table = model._meta.db_table
    columns = [field.column for field in _copy_fields(model)]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        chunk: list = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch_size:
                written += _copy_chunk(cursor.cursor, statement, chunk)
                chunk = []
        if chunk:
            written += _copy_chunk(cursor.cursor, statement, chunk)
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our table
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        )
    return written


def _copy_chunk(raw_cursor, statement, chunk: list) -> int:
    with raw_cursor.copy(statement) as copy:
        for row in chunk:
            copy.write_row(row)
    return len(chunk)


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, clock(rng.randint(8, 18), rng.randint(0, 59)), tzinfo=PARIS)


def _weighted(grounds: list, rng: random.Random):
    weights = [GROUND_WEIGHTS.get(ground.code, 1) for ground in grounds]
    return lambda: rng.choices(grounds, weights)[0]


def population_fill(
    count: int, batch_size: int, today: date, seed: int, *, due_today: int | None = None
) -> dict:
    """`count` applicants living in Paris, each with a permit and one complete application.

    Every 4th person renews the permit they hold: filed in the R. 431-5 window (120th to 60th
    day before expiry), complete, the permit expiring in 1 to 14 days, so that an API is due
    today (issued 15 days before the day after expiry). The others file a first application
    (deposit receipt only); the permit they hold is an unrelated récépissé, not renewed.

    `due_today` (the national day): everyone renews, filed at the latest yesterday; the
    permits of `due_today` of them, spread over the ids, expire in 14 days (the API is due
    today), the others in 15 to 59 days (due from tomorrow on).
    """
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import ApplicantProfile, User
    from applications.enums import ApplicationStatus, Channel
    from applications.models import Application, ResidencePermit
    from reference.enums import ProcedureKind, RightToWork
    from reference.models import Ground, Prefecture

    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    now = timezone.now()
    prefecture = Prefecture.objects.get(departement_code="75")
    grounds = [ground for ground in Ground.objects.all() if not ground.is_procedure]
    renewal_ground = _weighted([g for g in grounds if g.offers(ProcedureKind.RENEWAL)], rng)
    first_ground = _weighted([g for g in grounds if g.offers(ProcedureKind.FIRST_APPLICATION)], rng)

    users, profiles, permits, applications = [], [], [], []
    renewals = 0
    for index in range(count):
        pk = index + 1
        is_renewal = index % 4 == 0 or due_today is not None
        first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        users.append(
            _row(
                User,
                {
                    "_now": now,
                    "id": pk,
                    "password": "!bench",  # unusable: nobody logs in
                    "email": f"bench-{pk}@bench.invalid",
                    "email_key": f"bench-{pk}@bench.invalid",  # accounts.models.email_key
                    "first_name": first_name,
                    "last_name": last_name,
                    "role": Role.APPLICANT,
                    "date_joined": now - timedelta(days=rng.randint(30, 900)),
                    "preferred_language": rng.choice(["fr", "fr", "fr", "en"]),
                },
            )
        )
        arrondissement = rng.randint(1, 20)
        profiles.append(
            _row(
                ApplicantProfile,
                {
                    "id": pk,
                    "user_id": pk,
                    "birth_date": date(1960, 1, 1) + timedelta(days=rng.randint(0, 45 * 365)),
                    "birth_place": "",
                    "nationality": rng.choice(NATIONALITIES),
                    # Some have no foreigner number yet (DESIGN.md §3).
                    "foreigner_number": None if index % 10 == 9 else f"{7_500_000_000 + pk}",
                    "address_line": f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
                    "postal_code": f"750{arrondissement:02d}",
                    "city": "Paris",
                },
            )
        )
        if is_renewal:
            renewals += 1
            ground = renewal_ground()
            expires = today + timedelta(days=rng.randint(1, 14))
            if due_today is not None:
                due = due_today and index % max(count // due_today, 1) == 0
                expires = today + timedelta(days=14 if due else rng.randint(15, 59))
            years = 4 if ground.card_type in ("multi_year", "talent_passport") else 1
            permit_from = expires - timedelta(days=365 * years)
            work = ground.right_to_work
            if work == RightToWork.AS_HELD:
                work = RightToWork.FULL
            filed = expires - timedelta(days=rng.randint(60, 120))
            permit = {
                "card_type": ground.card_type,
                "ground_id": ground.pk,
                "right_to_work": work,
                "work_limitation": ground.work_limitation_fr if work == "limited" else "",
            }
            kind = ProcedureKind.RENEWAL
        else:
            ground = first_ground()
            filed = today - timedelta(days=rng.randint(20, 200))
            permit_from = filed - timedelta(days=rng.randint(0, 60))
            expires = permit_from + timedelta(days=180)
            permit = {
                "card_type": "receipt",
                "ground_id": None,
                "right_to_work": RightToWork.NONE,
                "work_limitation": "",
            }
            kind = ProcedureKind.FIRST_APPLICATION
        permits.append(
            _row(
                ResidencePermit,
                {
                    "_now": now,
                    "id": pk,
                    "holder_id": pk,
                    "number": f"{prefecture.departement_code}{pk:08d}",
                    "valid_from": permit_from,
                    "valid_until": expires,
                    "handed_over": True,
                    "handed_over_on": permit_from + timedelta(days=rng.randint(0, 20)),
                    **permit,
                },
            )
        )
        completed = min(filed + timedelta(days=rng.randint(1, 45)), today - timedelta(days=1))
        filed_at = _moment(filed, rng)
        applications.append(
            _row(
                Application,
                {
                    "id": pk,
                    "reference": f"B{pk:010d}",
                    "applicant_id": pk,
                    "ground_id": ground.pk,
                    "kind": kind,
                    "prefecture_id": prefecture.pk,
                    "renews_permit_id": pk if is_renewal else None,
                    "status": ApplicationStatus.COMPLETE,
                    "channel": Channel.ONLINE if index % 20 else Channel.DESK,
                    "created_at": filed_at - timedelta(days=rng.randint(0, 10)),
                    "updated_at": _moment(completed, rng),
                    "filed_at": filed_at,
                    "completed_at": _moment(completed, rng),
                    "attestations_dirty": True,
                    "attestations_swept_on": None,
                },
            )
        )

    copy_into(User, users, batch_size)
    copy_into(ApplicantProfile, profiles, batch_size)
    copy_into(ResidencePermit, permits, batch_size)
    copy_into(Application, applications, batch_size)
    return {"renewals": renewals, "first_applications": count - renewals}


def tables_analyze() -> None:
    """What a production database looks like between two sweeps: statistics up to date."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "accounts_user",
            "accounts_applicantprofile",
            "applications_residencepermit",
            "applications_application",
            "attestations_attestation",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


# --- Measuring ----------------------------------------------------------------------------------

TABLE_PATTERN = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"(\w+)"', re.IGNORECASE)


class SqlCounter:
    """`connection.execute_wrapper`: counts every statement sent and times each kind (verb and
    table; the sweep's claim query on its own). The time of `execute()` is the server's plus
    psycopg's (it quotes parameters on the client). COMMITs do not go through `execute()`:
    `timed_commit` times them (deferred foreign-key checks run then)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.timings: defaultdict = defaultdict(list)
        self.numbers_drawn_twice = 0
        self.gc: GcWatch | None = None

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            self.count += 1
            self.seconds += elapsed
            self.timings[self.classify(sql)].append(elapsed)

    def timed_commit(self, commit):
        def wrapper():
            start = time.perf_counter()
            try:
                return commit()
            finally:
                self.timings["COMMIT"].append(time.perf_counter() - start)

        return wrapper

    @staticmethod
    def classify(sql: str) -> str:
        verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
        match = TABLE_PATTERN.search(sql)
        table = match.group(1) if match else ""
        if "SKIP LOCKED" in sql:
            return f"{verb} {table} (claim)"
        return f"{verb} {table}".strip()


class GcWatch:
    """Full (generation 2) garbage collections while active: how many, how long. Entering it
    first collects what earlier phases left, so that no phase pays for another's garbage."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self._started = 0.0

    def _callback(self, phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.count += 1
            self.seconds += time.perf_counter() - self._started

    def __enter__(self) -> "GcWatch":
        gc.collect()
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc_info) -> None:
        gc.callbacks.remove(self._callback)

    def __str__(self) -> str:
        return f"{self.count}, {self.seconds:.2f} s"


class AutoAnalyze(threading.Thread):
    """Every `seconds`, ANALYZE the tables the sweep reads, on a connection of its own: what
    autovacuum does on a production server (autovacuum_naptime is one minute). For servers
    that run with autovacuum=off, where statistics would otherwise stay those of the set-up."""

    TABLES = ("attestations_attestation", "applications_application")

    def __init__(self, seconds: float) -> None:
        super().__init__(daemon=True)
        self.seconds = seconds
        self.stop = threading.Event()
        self.runs = 0

    def run(self) -> None:
        from django.db import connection

        try:
            while not self.stop.wait(self.seconds):
                with connection.cursor() as cursor:
                    for table in self.TABLES:
                        cursor.execute(f"ANALYZE {table}")
                self.runs += 1
        finally:
            connection.close()


@contextmanager
def handoffs_stubbed():
    """The Celery hand-offs the sweep makes on commit (`render_missing_pdfs.delay()`,
    `notify_holders.delay()`): not measured here, and not sent to whatever broker this machine
    has (a worker there would work on another database). Yields the PDF hand-off's mock."""
    from attestations import tasks

    with (
        mock.patch.object(tasks.render_missing_pdfs, "delay") as render,
        mock.patch.object(tasks.notify_holders, "delay"),
    ):
        yield render


def connections_close_before_fork() -> None:
    """Nothing shared across a fork: every connection closed (each process opens its own on
    demand), and the settings' psycopg pool (anef/settings_parts/base.py) too, or the children
    would share its sockets."""
    from django.db import connections

    connections.close_all()
    for database in connections.all():
        if hasattr(database, "close_pool"):
            database.close_pool()


def worker_started() -> None:
    """What a Celery worker does once started (`anef.celery.gc_freeze`), so that the timed sweeps
    run as in a worker; this process also holds what the fill left, which a worker never has."""
    from anef.celery import gc_freeze

    gc_freeze()


def timed_sweep(today: date, batch_size: int, autoanalyze: float, shards: int = 1):
    from django.db import connection

    from attestations import numbers
    from attestations.services import attestations_sweep

    counter = SqlCounter()
    analyzer = AutoAnalyze(autoanalyze) if autoanalyze else None
    drawn: Counter = Counter()  # every attestation number the sweep draws, to explain a shortfall
    new_number = numbers.new_number

    def recorded_number(kind: str, year: int) -> str:
        number = new_number(kind, year)
        drawn[number] += 1
        return number

    with (
        handoffs_stubbed() as render,
        mock.patch.object(connection, "_commit", counter.timed_commit(connection._commit)),
        mock.patch.object(numbers, "new_number", recorded_number),
        connection.execute_wrapper(counter),
        GcWatch() as counter.gc,
    ):
        if analyzer:
            analyzer.start()
        start = time.perf_counter()
        try:
            report = attestations_sweep(today=today, batch_size=batch_size)
            for shard in range(1, shards):  # a worker each, one after the other here
                part = attestations_sweep(
                    today=today, batch_size=batch_size, shard=shard, shards=shards
                )
                report.applications += part.applications
                report.issued += part.issued
                report.batches += part.batches
        finally:
            seconds = time.perf_counter() - start
            if analyzer:
                analyzer.stop.set()
                analyzer.join()
    counter.numbers_drawn_twice = sum(1 for count in drawn.values() if count > 1)
    return report, seconds, counter, render.call_count, analyzer.runs if analyzer else 0


def server_settings() -> str:
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), current_setting('autovacuum')")
        version, autovacuum = cursor.fetchone()
    pause = getattr(settings, "ATTESTATION_SWEEP_PAUSE_SECONDS", 0)
    return (
        f"PostgreSQL {version}, autovacuum={autovacuum}, ATTESTATION_SWEEP_PAUSE_SECONDS={pause:g}"
    )


CEILING_TABLES = ("bench_ceiling_copy", "bench_ceiling_bulk")


def ceiling_tables_create() -> None:
    """Two empty tables of the attestations table's shape: its columns, defaults, identity,
    unique and check constraints and indexes (`LIKE … INCLUDING ALL`), and its foreign keys
    (which `LIKE` leaves out: they are added from the catalogue). The ledger's constraints (one
    deposit receipt per dossier, one first API per permit) forbid a second copy of the sweep's
    rows in the attestations table itself; an empty table of the same shape takes them as the
    sweep's inserts met an empty table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'attestations_attestation'::regclass AND contype = 'f'"
        )
        foreign_keys = cursor.fetchall()
        for table in CEILING_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TABLE {table} (LIKE attestations_attestation INCLUDING ALL)")
            for index, (_, definition) in enumerate(foreign_keys):
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_fk{index} {definition}")


def ceiling_tables_drop() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in CEILING_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def ceiling_measure(rows_per_batch: int) -> dict:
    """The two ceilings of the sweep's issuance, each the sweep's own rows written into an
    empty table of the same shape (`ceiling_tables_create`), timed commit included; what is
    written is read and built before the clock starts:

    - `copy`: one `COPY … FROM STDIN` of every row, in one transaction: the physical limit of
      this machine for these rows (issue 16);
    - `bulk_create`: the same rows as `Attestation` objects, `bulk_create` in batches of the
      size the sweep inserted, one transaction each (issue 4).

    Returns {name: (rows, seconds, GcWatch)}."""
    from django.db import connection, transaction

    from attestations.models import Attestation

    ceiling_tables_create()
    try:
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                "COPY (SELECT * FROM attestations_attestation ORDER BY id) TO STDOUT"
            ) as copy,
        ):
            chunks = [bytes(chunk) for chunk in copy]
        objects = list(Attestation.objects.order_by("pk").iterator(chunk_size=5000))
        for row in objects:
            row.pk = None
        results = {}
        with GcWatch() as watch:
            start = time.perf_counter()
            with (
                transaction.atomic(),
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {CEILING_TABLES[0]} FROM STDIN") as copy,
            ):
                for chunk in chunks:
                    copy.write(chunk)
            results["copy"] = (len(objects), time.perf_counter() - start, watch)
        into_bulk_table = mock.patch.object(Attestation._meta, "db_table", CEILING_TABLES[1])
        with GcWatch() as watch, into_bulk_table:
            start = time.perf_counter()
            for offset in range(0, len(objects), rows_per_batch):
                with transaction.atomic():
                    Attestation.objects.bulk_create(objects[offset : offset + rows_per_batch])
            results["bulk_create"] = (len(objects), time.perf_counter() - start, watch)
        with connection.cursor() as cursor:
            for table in CEILING_TABLES:
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our table
                (written,) = cursor.fetchone()
                if written != len(objects):
                    raise RuntimeError(f"{table}: {written} rows written of {len(objects)}")
    finally:
        ceiling_tables_drop()
    return results


def pdf_measure(
    samples: int, seed: int
) -> tuple[list[float], list[float], list[int], Counter, GcWatch]:
    """Render `samples` attestations picked at random (one warm-up render first, not counted);
    only the render is timed, not loading the row: wall time and this process's CPU time (the
    second barely moves when other programs share the cores, the first does)."""
    from attestations.models import Attestation
    from attestations.pdf import attestation_pdf_render

    ids = list(Attestation.objects.values_list("pk", flat=True))
    if not ids:
        return [], [], [], Counter(), GcWatch()
    rng = random.Random(seed)  # noqa: S311 - picking samples, not secrets
    picked = rng.sample(ids, min(samples + 1, len(ids)))
    queryset = Attestation.objects.select_related(
        "application__renews_permit", "ground", "prefecture"
    )
    attestation_pdf_render(queryset.get(pk=picked[0]))  # warm: stylesheet, fonts, templates
    timings, cpu_timings, sizes, kinds = [], [], [], Counter()
    with GcWatch() as watch:
        for pk in picked[1:]:
            attestation = queryset.get(pk=pk)
            start, cpu_start = time.perf_counter(), time.process_time()
            content = attestation_pdf_render(attestation)
            timings.append((time.perf_counter() - start) * 1000)
            cpu_timings.append((time.process_time() - cpu_start) * 1000)
            sizes.append(len(content))
            kinds[attestation.kind] += 1
    return timings, cpu_timings, sizes, kinds, watch


def percentile(values: list[float], fraction: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


# --- Output -------------------------------------------------------------------------------------


def print_table(title: str, rows: list[tuple], headers: tuple) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    print(f"\n{title}")
    print("  ".join(str(cell).ljust(width) for cell, width in zip(headers, widths, strict=True)))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        cells = []
        for position, (cell, width) in enumerate(zip(row, widths, strict=True)):
            text = str(cell)
            cells.append(text.ljust(width) if position == 0 else text.rjust(width))
        print("  ".join(cells).rstrip())


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def number(value: float, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}".replace(",", " ")


# --- Main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    django_setup()
    settings_dict = refuse_unless_bench_database()

    from django.core.management import call_command
    from django.db.models import Count
    from django.utils import timezone

    from applications.models import Application
    from attestations.enums import AttestationKind
    from attestations.models import Attestation
    from reference.catalogue.loader import reference_data_load

    today = date.fromisoformat(args.today) if args.today else timezone.localdate()
    if args.national_day:
        return national_day(args, settings_dict, today)
    dropped = database_recreate(settings_dict)
    print(
        f"Database {settings_dict['NAME']} {'re' if dropped else ''}created: migrating, "
        "loading reference data…",
        flush=True,
    )
    call_command("migrate", interactive=False, verbosity=0)
    reference_data_load()
    server = server_settings()

    print(f"Filling {number(args.count)} applications (today = {today})…", flush=True)
    start = time.perf_counter()
    population = population_fill(args.count, args.batch_size, today, args.seed)
    tables_analyze()
    fill_seconds = time.perf_counter() - start
    print(f"  filled in {fill_seconds:.1f} s (set-up, not a result)", flush=True)

    worker_started()
    try:
        print("First sweep…", flush=True)
        first, first_s, first_sql, render_calls, analyses = timed_sweep(
            today, args.batch_size, args.autoanalyze
        )
        in_table = dict(
            Attestation.objects.values_list("kind").annotate(n=Count("pk")).order_by("kind")
        )
        missing_receipts = list(
            Application.objects.exclude(attestations__kind=AttestationKind.DEPOSIT_RECEIPT)
            .order_by("pk")
            .values_list("pk", flat=True)[:10]
        )
        print("Second sweep (same day)…", flush=True)
        second, second_s, second_sql, _, _ = timed_sweep(today, args.batch_size, 0)
        print("Ceilings: the same rows by COPY, then by bulk_create…", flush=True)
        rows_per_batch = max(1, math.ceil(first.issued / max(first.batches, 1)))
        ceilings = ceiling_measure(rows_per_batch)
        print(f"Rendering {args.pdf_samples} PDFs…", flush=True)
        load_before_pdf = os.getloadavg()[0]
        pdf_ms, pdf_cpu_ms, pdf_sizes, pdf_kinds, pdf_gc = pdf_measure(args.pdf_samples, args.seed)
    finally:
        if not args.keep:
            bench_tables_truncate()

    issued_rows = sum(in_table.values())
    expected = {
        AttestationKind.DEPOSIT_RECEIPT.value: args.count,
        AttestationKind.API.value: population["renewals"],
    }
    scanned_rate = first.applications / first_s
    issued_rate = first.issued / first_s
    ceiling_rows, ceiling_s, ceiling_gc = ceilings["bulk_create"]
    copy_rows, copy_s, copy_gc = ceilings["copy"]
    ceiling_rate = ceiling_rows / ceiling_s if ceiling_s else float("inf")
    ceiling_factor = ceiling_rate / issued_rate if issued_rate else float("inf")
    copy_rate = copy_rows / copy_s if copy_s else float("inf")
    copy_factor = copy_rate / issued_rate if issued_rate else float("inf")
    noop_ratio = second_s / first_s
    sql_per_1000 = first_sql.count / first.applications * 1000 if first.applications else 0
    noop_ok = noop_ratio < TARGET_NOOP_RATIO
    ceiling_ok = ceiling_factor <= TARGET_CEILING_FACTOR
    copy_ok = copy_factor <= TARGET_COPY_FACTOR

    print(
        f"\n{number(args.count)} complete applications ({number(population['renewals'])} "
        f"renewals due for an API, {number(population['first_applications'])} first "
        f"applications), sweep batch size {args.batch_size}, today {today}; {server}"
        + (f"; ANALYZE every {args.autoanalyze:g} s during the first sweep" if args.autoanalyze
           else "")
        + "."
    )  # fmt: skip
    rows = [
        ("first sweep: wall time", f"{first_s:.2f} s", "", ""),
        ("  applications scanned / s", number(scanned_rate), "", ""),
        ("  attestations issued / s", number(issued_rate), "", ""),
        ("  SQL statements / 1,000 applications", number(sql_per_1000, 1), "", ""),
        ("second sweep (no-op): wall time", f"{second_s * 1000:.1f} ms", "", ""),
        ("  ratio second / first", f"{noop_ratio:.4f}", f"< {TARGET_NOOP_RATIO:g}",
         verdict(noop_ok)),
        ("ceiling: one plain COPY, rows / s", number(copy_rate), "", ""),
        ("  ratio COPY / sweep issuance (issue 16)", f"{copy_factor:.2f}",
         f"<= {TARGET_COPY_FACTOR:g}", verdict(copy_ok)),
        ("ceiling: plain bulk_create, rows / s", number(ceiling_rate), "", ""),
        ("  ratio bulk_create / sweep issuance (issue 4)", f"{ceiling_factor:.2f}",
         f"<= {TARGET_CEILING_FACTOR:g}", verdict(ceiling_ok)),
    ]  # fmt: skip
    if pdf_ms:
        median = statistics.median(pdf_ms)
        rows += [
            (f"PDF render, median ({len(pdf_ms)} samples)", f"{median:.1f} ms",
             f"< {TARGET_PDF_MEDIAN_MS:g} ms", verdict(median < TARGET_PDF_MEDIAN_MS)),
            ("PDF render, p95", f"{percentile(pdf_ms, 0.95):.1f} ms", "", ""),
        ]  # fmt: skip
    print_table("Results", rows, ("figure", "measured", "target", ""))

    in_execute = first_sql.seconds
    in_commit = sum(first_sql.timings["COMMIT"])
    details = [
        ("first sweep: applications / batches", f"{first.applications} / {first.batches}"),
        ("first sweep: issued (report) / rows in table", f"{first.issued} / {issued_rows}"),
        ("first sweep: updated", str(first.updated)),
        ("first sweep: SQL statements", str(first_sql.count)),
        ("first sweep: execute() / COMMIT / the rest",
         f"{in_execute:.2f} s / {in_commit:.2f} s / {first_s - in_execute - in_commit:.2f} s"),
        ("first sweep: full GC (count, time)", str(first_sql.gc)),
        ("first sweep: ANALYZE runs alongside", str(analyses)),
        ("second sweep: issued / SQL statements", f"{second.issued} / {second_sql.count}"),
        ("COPY ceiling: rows / time", f"{copy_rows} / {copy_s:.2f} s"),
        ("COPY ceiling: full GC (count, time)", str(copy_gc)),
        ("bulk_create ceiling: rows / rows per batch / time",
         f"{ceiling_rows} / {rows_per_batch} / {ceiling_s:.2f} s"),
        ("bulk_create ceiling: full GC (count, time)", str(ceiling_gc)),
        ("Celery hand-offs stubbed (render PDFs)", str(render_calls)),
    ]  # fmt: skip
    for kind, count in sorted(in_table.items()):
        details.append((f"rows of kind {kind} (expected)", f"{count} ({expected.get(kind, 0)})"))
    if pdf_ms:
        details += [
            ("PDF samples by kind", ", ".join(f"{k} {n}" for k, n in sorted(pdf_kinds.items()))),
            ("PDF size, mean", f"{statistics.mean(pdf_sizes) / 1024:.1f} KiB"),
            ("PDF render, min / max", f"{min(pdf_ms):.1f} / {max(pdf_ms):.1f} ms"),
            ("PDF render, CPU time median", f"{statistics.median(pdf_cpu_ms):.1f} ms"),
            (
                "load average (1 min) before the PDFs",
                f"{load_before_pdf:.2f} on {os.cpu_count()} cores",
            ),
            ("PDF renders: full GC (count, time)", str(pdf_gc)),
        ]
    details.append(("fill (set-up, not a result)", f"{fill_seconds:.1f} s"))
    print_table("Details", details, ("detail", "value"))

    print_table(
        "First sweep, by statement (early / late: mean of the first / last 10 batches)",
        breakdown_rows(first_sql, first_s),
        ("statement", "count", "total", "share", "early", "late"),
    )

    mismatches = [kind for kind, count in expected.items() if in_table.get(kind, 0) != count]
    if mismatches or first.issued != issued_rows or second.issued:
        print(
            "\nWARNING: the sweep did not issue what the population calls for "
            f"(kinds {mismatches or 'ok'}; report {first.issued} vs {issued_rows} rows in the "
            f"table; second sweep issued {second.issued})."
        )
        if first.issued > issued_rows:
            print(
                "  The report counts the rows handed to bulk_create(ignore_conflicts=True), "
                "whose ON CONFLICT DO NOTHING skipped some. Random numbers drawn twice during "
                f"the sweep: {first_sql.numbers_drawn_twice}; applications left without a "
                f"deposit receipt: {', '.join(map(str, missing_receipts)) or 'none'}."
            )
    if "autovacuum=off" in server and not args.autoanalyze:
        print(
            "\nNote: this server runs with autovacuum=off: the attestations table has no planner "
            "statistics during the whole first sweep. --autoanalyze 60 emulates a production "
            "server."
        )
    if args.keep:
        print("\n--keep: data kept (until the next run, which recreates the database).")
    return 0


def breakdown_rows(counter: SqlCounter, total: float) -> list[tuple]:
    rows = []
    for kind, timings in sorted(counter.timings.items(), key=lambda item: -sum(item[1])):
        seconds = sum(timings)
        early, late = timings[:10], timings[-10:]
        rows.append(
            (
                kind,
                str(len(timings)),
                f"{seconds:.2f} s",
                f"{seconds / total:.0%}",
                f"{statistics.mean(early) * 1000:.1f} ms",
                f"{statistics.mean(late) * 1000:.1f} ms",
            )
        )
    return rows


# --- The national day (issue 16) ----------------------------------------------------------------

TARGET_DAY_SECONDS = 10.0
TARGET_NOTHING_DUE_SECONDS = 1.0


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} / {five:.2f} (1 / 5 min) on {os.cpu_count()} cores"


def claim_plan(today: date, batch_size: int) -> str:
    """How PostgreSQL runs the sweep's claim (EXPLAIN, no ANALYZE): which indexes it uses."""
    from django.db import transaction

    from applications.models import Application
    from attestations.services import sweepable

    queryset = (
        Application.objects.select_for_update(skip_locked=True)
        .filter(sweepable(today), pk__gt=0)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    with transaction.atomic():
        lines = queryset.explain().splitlines()
    return "; ".join(line.strip() for line in lines if "Index" in line or "Scan" in line)


def _shard_sweep(today: date, batch_size: int, shard: int, shards: int, done) -> None:
    """One worker's part of a split sweep, in a forked process with its own connection."""
    from django.db import connection

    from attestations.services import attestations_sweep

    try:
        with handoffs_stubbed():
            report = attestations_sweep(
                today=today, batch_size=batch_size, shard=shard, shards=shards
            )
        done.put((report.applications, report.issued))
    except BaseException as error:
        done.put(error)  # the parent says so and stops, rather than wait for ever
        raise
    finally:
        connection.close()


def parallel_sweep(today: date, batch_size: int, workers: int) -> tuple[int, int, float]:
    """Today's sweep in `workers` shards at once, one process each (what that many Celery
    workers do with ATTESTATION_SWEEP_SHARDS): (dossiers, issued, wall seconds)."""
    import multiprocessing

    connections_close_before_fork()
    context = multiprocessing.get_context("fork")
    done = context.Queue()
    processes = [
        context.Process(target=_shard_sweep, args=(today, batch_size, shard, workers, done))
        for shard in range(workers)
    ]
    start = time.perf_counter()
    for process in processes:
        process.start()
    results = [done.get() for _ in processes]
    seconds = time.perf_counter() - start
    failures = [result for result in results if isinstance(result, BaseException)]
    if failures:
        raise RuntimeError(f"a shard's sweep failed: {failures[0]!r}")
    for process in processes:
        process.join()
    if any(process.exitcode for process in processes):
        raise RuntimeError(f"a shard's process failed: {[p.exitcode for p in processes]}")
    return sum(r[0] for r in results), sum(r[1] for r in results), seconds


def national_day(args: argparse.Namespace, settings_dict: dict, today: date) -> int:
    """`--count` open renewals, all swept yesterday (set-up: a sweep on yesterday, not timed as
    a result), `--due` of them due today: time today's sweep, then one with nothing due."""
    from django.core.management import call_command
    from django.db.models import Count

    from applications.models import Application
    from reference.catalogue.loader import reference_data_load

    due = args.due if args.due is not None else args.count // 25
    yesterday = today - timedelta(days=1)
    dropped = database_recreate(settings_dict)
    print(
        f"Database {settings_dict['NAME']} {'re' if dropped else ''}created: migrating, "
        "loading reference data…",
        flush=True,
    )
    call_command("migrate", interactive=False, verbosity=0)
    reference_data_load()
    server = server_settings()
    print(f"Filling {number(args.count)} open renewals ({number(due)} due {today})…", flush=True)
    start = time.perf_counter()
    population_fill(args.count, args.batch_size, today, args.seed, due_today=due)
    tables_analyze()
    print(f"  filled in {time.perf_counter() - start:.1f} s", flush=True)
    try:
        print(f"Set-up: the sweep of {yesterday} (every dossier once)…", flush=True)
        start = time.perf_counter()
        setup, _, _, _, _ = timed_sweep(yesterday, args.batch_size, 0)
        setup_s = time.perf_counter() - start
        tables_analyze()  # what autovacuum does overnight
        reviews = dict(
            Application.objects.values_list("attestations_next_review_on")
            .annotate(n=Count("pk"))
            .order_by()
        )
        plan = claim_plan(today, args.batch_size)
        worker_started()
        load_before = load_average()
        print(f"Today's sweep ({today})…", flush=True)
        day, day_s, day_sql, _, _ = timed_sweep(today, args.batch_size, 0)
        load_after = load_average()
        print("Again, nothing due…", flush=True)
        idle, idle_s, idle_sql, _, _ = timed_sweep(today, args.batch_size, 0)
        load_idle = load_average()
        split = None
        if args.workers > 1:
            # The next day, whose due dossiers (those of the fill's spread over 45 days) were
            # not touched by today's sweeps, swept by several workers at once.
            tomorrow = today + timedelta(days=1)
            again = Application.objects.filter(attestations_next_review_on=tomorrow).count()
            print(
                f"Tomorrow ({tomorrow}, {number(again)} due) in {args.workers} shards at once…",
                flush=True,
            )
            split = (again, *parallel_sweep(tomorrow, args.batch_size, args.workers))
    finally:
        if not args.keep:
            bench_tables_truncate()
    due_today = reviews.get(today, 0)
    print(
        f"\n{number(args.count)} open renewals swept {yesterday}, {number(due_today)} due "
        f"{today} (asked: {number(due)}); batch size {args.batch_size}; {server}."
    )
    rows = [
        ("set-up: the sweep of yesterday (not a result)", f"{setup_s:.1f} s",
         f"{number(setup.applications)} dossiers, {number(setup.issued)} issued", "", ""),
        ("today's sweep: wall time", f"{day_s:.2f} s",
         f"{number(day.applications)} dossiers, {number(day.issued)} issued, "
         f"{day_sql.count} SQL", f"< {TARGET_DAY_SECONDS:g} s",
         verdict(day_s < TARGET_DAY_SECONDS)),
        ("  scaled to 10,000 due", f"{day_s * 10_000 / max(day.applications, 1):.2f} s", "", "",
         ""),
        ("nothing due: wall time", f"{idle_s * 1000:.1f} ms",
         f"{idle.applications} dossiers, {idle_sql.count} SQL",
         f"< {TARGET_NOTHING_DUE_SECONDS:g} s", verdict(idle_s < TARGET_NOTHING_DUE_SECONDS)),
    ]  # fmt: skip
    if split is not None:
        again, split_dossiers, split_issued, split_s = split
        rows.append(
            (f"tomorrow, {args.workers} shards at once: wall time", f"{split_s:.2f} s",
             f"{number(split_dossiers)} dossiers ({number(again)} due), "
             f"{number(split_issued)} issued", "", "")
        )  # fmt: skip
        if split_dossiers:
            rows.append(
                ("  scaled to 10,000 due", f"{split_s * 10_000 / split_dossiers:.2f} s", "",
                 f"< {TARGET_DAY_SECONDS:g} s",
                 verdict(split_s * 10_000 / split_dossiers < TARGET_DAY_SECONDS))
            )  # fmt: skip
    print_table("National day", rows, ("figure", "measured", "what", "target", ""))
    print_table(
        "Today's sweep, by statement (early / late: mean of the first / last 10 batches)",
        breakdown_rows(day_sql, day_s),
        ("statement", "count", "total", "share", "early", "late"),
    )
    print(
        f"today's sweep: execute() {day_sql.seconds:.2f} s, COMMIT "
        f"{sum(day_sql.timings['COMMIT']):.2f} s, full GC {day_sql.gc}; the rest is Python"
    )
    print(f"\nload before today's sweep: {load_before}")
    print(f"load after it: {load_after}; after the one with nothing due: {load_idle}")
    print(f"claim query plan: {plan}")
    if day.applications != due_today or day.issued != due_today:
        print(
            f"\nWARNING: {number(due_today)} dossiers were due today, the sweep looked at "
            f"{number(day.applications)} and issued {number(day.issued)} (one API each)."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
