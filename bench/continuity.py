"""A simulated year that measures the promise (issue 16). Not a test: run it on demand.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anef_continuity \\
        .venv/bin/python bench/continuity.py --scale 0.002

It renews `--scale` of the national flow of renewals (885,000 a year) over `--days` days after a
warm-up, day by day under a frozen clock: people file (through `application_submit`, which
refuses a renewal filed too early), agents complete, ask corrections, decide, hand cards over,
people move or withdraw, all through the real services; the real sweep runs every day. Each
counted day, its own SQL (bench/continuity_measure.py) counts every person: covered by exactly
one valid document, or uncovered and why; a sample of attestations is checked against the public
answer. The same people are played without faults, with faults, and for each reminder response
rate: the reminders are the real service's, the response is an ASSUMPTION. It refuses a
database whose name does not end with `_continuity` or `_bench`: it empties the people's tables.
See bench/README.md.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH_DIR), str(BENCH_DIR.parent)]

import continuity_measure as measure  # noqa: E402
import continuity_scenario as scenario  # noqa: E402
from continuity_play import ONE_DAY, START, Simulation  # noqa: E402

FIRST_NAMES = ["Amina", "Mohamed", "Fatou", "Ibrahim", "Mariam", "Thanh", "Olena", "Jorge"]
LAST_NAMES = ["Diallo", "Traoré", "Benali", "Nguyen", "Haddad", "Petrenko", "Silva", "Zhang"]
GROUND_WEIGHTS = {"student": 12, "salaried_worker": 10, "spouse_of_french_national": 8}


@dataclass
class Config:
    scale: float = 0.05
    days: int = 365
    warmup: int = 120
    seed: int = 16
    reminder_rate: float = 0.0
    faults: bool = False
    drop_rate: float = 0.05
    kill_days: int = 3
    double_days: int = 3
    verify_per_day: int = 10
    batch_size: int = 500
    on_commit: str = "sync"  # "sweep": no sync on commit, the catch-up sweep does it in batches
    workers: int = 1  # processes playing the acts of disjoint people (1: in this process)
    # For the smoke test's own mutations: days on which the sweeps do not run at all.
    skip_sweep_days: frozenset = frozenset()

    @property
    def reminders(self) -> bool:
        """The real reminders are sent in the runs with an (assumed) response to them."""
        return self.reminder_rate > 0

    @property
    def label(self) -> str:
        faults = "with faults" if self.faults else "no faults"
        if not self.reminders:
            return f"no reminders, {faults}"
        return f"reminders, {self.reminder_rate:.0%} respond, {faults}"


@dataclass
class Result:
    config: Config
    people: int = 0
    figures: Counter = field(default_factory=Counter)
    verified: int = 0
    final_two_valid: int = 0  # the same days re-read from the ledger at the end
    contradictions: list = field(default_factory=list)
    sweep_seconds: list = field(default_factory=list)  # the day's sweep, counted days
    catch_up_seconds: list = field(default_factory=list)
    fault_log: Counter = field(default_factory=Counter)
    service_calls: Counter = field(default_factory=Counter)
    reminders_sent: Counter = field(default_factory=Counter)  # by kind, read from the log
    timings: dict = field(default_factory=dict)
    load: dict = field(default_factory=dict)


def load_average() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


# --- Set-up (bulk: no dossier exists yet) ---------------------------------------------------------


def _renewal_grounds():
    from reference.enums import ProcedureKind
    from reference.models import Ground

    grounds = [
        ground
        for ground in Ground.objects.prefetch_related("requirements")
        if not ground.is_procedure
        and ground.active
        and ground.renewed_online
        and ground.offers(ProcedureKind.RENEWAL)
    ]
    mandatory = {
        ground.pk: [
            r.document_type_id
            for r in ground.requirements.all()
            if r.mandatory and r.applies_to(ProcedureKind.RENEWAL)
        ]
        for ground in grounds
    }
    return grounds, mandatory


def _next_id(model) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")  # noqa: S608
        return cursor.fetchone()[0]


# The bytes of every file of the previous dossiers (stored for real: `application_create_renewal`
# copies a file only if it can read it and its SHA-256 matches).
PIECE = b"%PDF-1.4\n% bench continuity: a piece given for the previous card\n%%EOF\n"
PIECES_DIR = "bench-continuity"


def _piece_store(name: str) -> str:
    """Stored through the documents' own storage (in memory under the tests' settings)."""
    from django.core.files.base import ContentFile

    from applications.models import Document

    return Document._meta.get_field("file").storage.save(name, ContentFile(PIECE))


def population_fill(people: list, config: Config) -> dict[int, tuple]:
    """Users, profiles, permits held, and the dossier that gave each permit (decided, its card
    handed over) with the files of its checklist, stored (rows with COPY); returns person index
    → (user id, profile id, previous dossier id, permit id). The renewal itself is started on
    the day the person first tries to file (`application_create_renewal`, which copies the files
    still valid)."""
    import hashlib

    from attestations_sweep import _row, copy_into
    from django.db import connection
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import ApplicantProfile, User
    from applications.enums import ApplicationStatus
    from applications.models import Application, Document, ResidencePermit
    from reference.enums import ProcedureKind, RightToWork
    from reference.models import Prefecture

    rng = random.Random(config.seed)  # noqa: S311 - a simulation
    sha256 = hashlib.sha256(PIECE).hexdigest()
    now = timezone.now()
    paris = Prefecture.objects.get(departement_code="75")
    grounds, mandatory = _renewal_grounds()
    weights = [GROUND_WEIGHTS.get(ground.code, 2) for ground in grounds]
    first = {model: _next_id(model) for model in (User, ApplicantProfile, ResidencePermit)}
    first_app, first_doc = _next_id(Application), _next_id(Document)
    counted_from = START + timedelta(days=-config.warmup)
    users, profiles, permits, applications, documents, index = [], [], [], [], [], {}
    for person in people:
        i = person.index
        user_id, profile_id = first[User] + i, first[ApplicantProfile] + i
        permit_id, app_id = first[ResidencePermit] + i, first_app + i
        ground = rng.choices(grounds, weights)[0]
        expiry = START + timedelta(days=person.expiry)
        valid_from = min(expiry - timedelta(days=365), counted_from - ONE_DAY)
        work = ground.right_to_work
        work = RightToWork.FULL if work == RightToWork.AS_HELD else work
        email = f"continuity-{user_id}@bench.invalid"
        users.append(
            _row(
                User,
                {
                    "_now": now,
                    "id": user_id,
                    "password": "!bench",
                    "email": email,
                    "email_key": email,
                    "first_name": rng.choice(FIRST_NAMES),
                    "last_name": rng.choice(LAST_NAMES),
                    "role": Role.APPLICANT,
                    "date_joined": now,
                },
            )
        )
        profiles.append(
            _row(
                ApplicantProfile,
                {
                    "id": profile_id,
                    "user_id": user_id,
                    "birth_date": date(1965, 1, 1) + timedelta(days=rng.randint(0, 36 * 365)),
                    "nationality": "malienne",
                    "foreigner_number": None if i % 10 == 9 else f"{7_600_000_000 + user_id}",
                    "address_line": f"{rng.randint(1, 180)} rue de Belleville",
                    "postal_code": f"750{rng.randint(1, 20):02d}",
                    "city": "Paris",
                },
            )
        )
        permits.append(
            _row(
                ResidencePermit,
                {
                    "_now": now,
                    "id": permit_id,
                    "holder_id": user_id,
                    "number": f"CB{permit_id:010d}",
                    "card_type": ground.card_type,
                    "ground_id": ground.pk,
                    "valid_from": valid_from,
                    "valid_until": expiry,
                    "right_to_work": work,
                    "work_limitation": ground.work_limitation_fr if work == "limited" else "",
                    "handed_over": True,
                    "handed_over_on": valid_from,
                },
            )
        )
        given = datetime.combine(valid_from - timedelta(days=90), clock(12), tzinfo=UTC)
        applications.append(
            _row(
                Application,
                {
                    "_now": given,
                    "id": app_id,
                    "reference": f"P{app_id:011d}",
                    "applicant_id": user_id,
                    "ground_id": ground.pk,
                    "kind": ProcedureKind.FIRST_APPLICATION,
                    "prefecture_id": paris.pk,
                    "status": ApplicationStatus.CLOSED_CARD_HANDED_OVER,
                    "attestations_dirty": False,
                },
            )
        )
        for type_id in mandatory[ground.pk]:
            name = _piece_store(f"{PIECES_DIR}/{app_id}-{type_id}.pdf")
            documents.append(
                _row(
                    Document,
                    {
                        "_now": given,
                        "id": first_doc + len(documents),
                        "application_id": app_id,
                        "document_type_id": type_id,
                        "file": name,
                        "original_name": "piece.pdf",
                        "content_type": "application/pdf",
                        "size": len(PIECE),
                        "sha256": sha256,
                        "uploaded_by_id": user_id,
                    },
                )
            )
        index[i] = (user_id, profile_id, app_id, permit_id)
    for model, rows in (
        (User, users),
        (ApplicantProfile, profiles),
        (ResidencePermit, permits),
        (Application, applications),
        (Document, documents),
    ):
        copy_into(model, rows, 2000)
    with connection.cursor() as cursor:
        measure.person_table_create(cursor)
        measure.person_table_fill(
            cursor, [(u, i, p) for i, (u, _pr, _a, p) in sorted(index.items())]
        )
        for table in ("accounts_user", "applications_application", "applications_document"):
            cursor.execute(f"ANALYZE {table}")
    return index


def people_tables_truncate() -> None:
    """Every table holding people and what hangs off them (CASCADE), and their stored files;
    reference data stays."""
    from django.db import connection

    from applications.models import Document

    storage = Document._meta.get_field("file").storage
    given = f"{PIECES_DIR}/given-"  # rows only, no file
    for name in Document.objects.exclude(file="").values_list("file", flat=True).iterator():
        if not name.startswith(given):
            storage.delete(name)  # the previous dossiers' pieces and their copies
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE accounts_user, accounts_applicantprofile, applications_residencepermit, "
            "applications_application, attestations_attestation, anef_outgoingmessage, "
            "anef_notificationlog CASCADE"
        )
        cursor.execute(f"DROP TABLE IF EXISTS {measure.PERSON_TABLE}")


def run(config: Config, *, progress=None) -> Result:
    """One simulated period on the current database (the people's tables must be empty of
    earlier runs: `people_tables_truncate`)."""
    result = Result(config=config)
    result.load["start"] = load_average()
    first_day, last_day = -config.warmup, config.days - 1
    count = scenario.population_size(config.scale, days=config.days, warmup=config.warmup)
    people = scenario.population_draw(
        count,
        seed=config.seed,
        first_day=first_day,
        last_day=last_day,
    )
    result.people = len(people)
    started = time.monotonic()
    index = population_fill(people, config)
    result.timings["fill"] = time.monotonic() - started
    simulation = Simulation(config, people, index, result)
    started = time.monotonic()
    simulation.play(first_day, last_day, progress=progress)
    result.timings["simulation"] = time.monotonic() - started
    result.load["end"] = load_average()
    return result


# --- Report -------------------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def figure_rows(result: Result) -> list[tuple[str, int]]:
    figures = result.figures
    rows = [("person-days counted", figures["people"]), ("  covered", figures["covered"])]
    rows += [(f"  uncovered: {label}", figures[cause]) for cause, label in measure.CAUSES]
    rows += [
        ("person-days with two valid documents", figures["two_valid"]),
        ("  the same, re-read from the final ledger", result.final_two_valid),
        ("public answers checked", result.verified),
        ("public answers contradicting the ledger", len(result.contradictions)),
        ("(info) ADF while the old permit is still valid", figures["adf_with_old_permit"]),
    ]
    return rows


def table(results: list[Result], title: str) -> str:
    rows = [figure_rows(result) for result in results]
    width = max(len(label) for label, _ in rows[0])
    columns = [result.config.label for result in results]
    colw = max(16, *(len(c) for c in columns))
    lines = [title, " " * width + "  " + "  ".join(c.rjust(colw) for c in columns)]
    for position, (label, _) in enumerate(rows[0]):
        values = [f"{row[position][1]:,}".rjust(colw) for row in rows]
        lines.append(label.ljust(width) + "  " + "  ".join(values))
    return "\n".join(lines)


def timing_lines(result: Result) -> list[str]:
    sweep, catch_up = result.sweep_seconds, result.catch_up_seconds
    calls = sum(result.service_calls.values())
    lines = [
        f"[{result.config.label}] {result.people:,} people, {calls:,} service calls "
        f"({dict(sorted(result.service_calls.items()))})",
        f"  the day's sweep: median {statistics.median(sweep or [0]) * 1000:.0f} ms, "
        f"p95 {_percentile(sweep, 0.95) * 1000:.0f} ms, max {max(sweep or [0]) * 1000:.0f} ms; "
        f"catch-up sweep after the day's acts: median "
        f"{statistics.median(catch_up or [0]) * 1000:.0f} ms, "
        f"max {max(catch_up or [0]) * 1000:.0f} ms",
        f"  wall: fill {result.timings.get('fill', 0):.0f} s, simulation "
        f"{result.timings.get('simulation', 0):.0f} s (acts {result.timings.get('acts', 0):.0f} s "
        f"over {result.config.workers} process(es), sweeps "
        f"{result.timings.get('sweeps', 0):.0f} s, reminders "
        f"{result.timings.get('reminders', 0):.0f} s, counting "
        f"{result.timings.get('counting', 0):.0f} s, verification "
        f"{result.timings.get('verification', 0):.0f} s, ANALYZE as autovacuum "
        f"{result.timings.get('analyze', 0):.0f} s); load average "
        f"{result.load.get('start')} → {result.load.get('end')}",
    ]
    if result.reminders_sent:
        sent = dict(sorted(result.reminders_sent.items()))
        lines.append(f"  reminders e-mailed by the real service: {sent}")
    if result.fault_log:
        lines.append(f"  faults injected: {dict(sorted(result.fault_log.items()))}")
    for number, day, status, mine in result.contradictions[:5]:
        lines.append(f"  CONTRADICTION {number} on {day}: public {status!r}, ledger valid={mine}")
    return lines


def report(results: list[Result]) -> str:
    base = [r for r in results if r.config.reminder_rate == 0]
    out = []
    if base:
        out.append(table(base, "MEASURED (no reminders sent): person-days over the year"))
        if len(base) > 1:
            same = all(figure_rows(r)[:-3] == figure_rows(base[0])[:-3] for r in base)
            out.append(f"figures identical with and without faults: {'yes' if same else 'NO'}")
    rates = [r for r in results if not r.config.faults]
    if len({r.config.reminder_rate for r in rates}) > 1:
        out.append("")
        out.append(
            table(
                rates,
                "ASSUMPTIONS — reminder response rates: the reminders are the real service's "
                "(sent each day,\nread back from the notification log); how people respond "
                "to them is NOT measured (bench/README.md)",
            )
        )
    out.append("")
    for result in results:
        out.extend(timing_lines(result))
    return "\n".join(out)


# --- Command line -------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.05, help="share of 885,000 a year")
    parser.add_argument("--days", type=int, default=365, help="counted days")
    parser.add_argument("--warmup", type=int, default=120, help="days played before, uncounted")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--reminder-response-rate",
        default="0,0.25,0.5",
        help="ASSUMED share of would-be late filers who file in time after a reminder; "
        "comma-separated, one run each (default 0,0.25,0.5)",
    )
    parser.add_argument("--faults", choices=["both", "off", "on"], default="both")
    parser.add_argument("--drop-rate", type=float, default=0.05, help="on-commit triggers lost")
    parser.add_argument("--kill-days", type=int, default=3)
    parser.add_argument("--double-days", type=int, default=3)
    parser.add_argument("--verify-per-day", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes playing the acts of disjoint people in parallel (same figures as 1)",
    )
    parser.add_argument(
        "--on-commit",
        choices=["sync", "sweep"],
        default="sync",
        help="sync: each change syncs its dossier at once, as the Celery task does (default); "
        "sweep: leave it to the catch-up sweep of the same day, in batches (faster)",
    )
    return parser.parse_args(argv)


def configs(args) -> list[Config]:
    common = {
        "scale": args.scale,
        "days": args.days,
        "warmup": args.warmup,
        "seed": args.seed,
        "drop_rate": args.drop_rate,
        "kill_days": args.kill_days,
        "double_days": args.double_days,
        "verify_per_day": args.verify_per_day,
        "batch_size": args.batch_size,
        "on_commit": args.on_commit,
        "workers": args.workers,
    }
    rates = [float(rate) for rate in args.reminder_response_rate.split(",") if rate.strip()]
    plans = []
    for rate in rates:
        if args.faults in ("both", "off"):
            plans.append(Config(**common, reminder_rate=rate, faults=False))
        if args.faults == "on" or (args.faults == "both" and rate == rates[0]):
            plans.append(Config(**common, reminder_rate=rate, faults=True))
    return plans


def database_prepare() -> None:
    from django.core.management import call_command
    from django.db import connection

    from reference.catalogue.loader import reference_data_load

    name = connection.settings_dict.get("NAME") or ""
    if connection.vendor != "postgresql" or not name.endswith(("_continuity", "_bench")):
        sys.exit(
            f"Refusing to run on {name!r}: PostgreSQL named *_continuity or *_bench only "
            "(its people's tables are emptied), e.g. DATABASE_URL="
            "postgres://postgres@127.0.0.1:5432/anef_continuity"
        )
    call_command("migrate", verbosity=0)
    reference_data_load()


def main(argv=None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anef.settings")
    import django

    django.setup()
    import logging

    logging.getLogger("attestations").setLevel(logging.WARNING)  # one line per sweep otherwise
    database_prepare()
    from django.conf import settings

    # The services move page generations on in the cache at every change: Redis in production,
    # a directory of files without REDIS_URL (make run's), which costs more per change.
    print(f"cache: {settings.CACHES['default']['BACKEND']}", flush=True)
    results = []
    for config in configs(args):
        people_tables_truncate()
        print(f"run: {config.label}, scale {config.scale} (load {load_average()})", flush=True)
        results.append(run(config, progress=lambda text: print(text, flush=True)))
        print("\n".join(timing_lines(results[-1])), flush=True)
    people_tables_truncate()
    print()
    print(report(results))


if __name__ == "__main__":
    main()
