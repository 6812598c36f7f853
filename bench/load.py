"""Load bench (issue 8, "Load"). Not a test: run it on demand.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anef_load_bench \\
    REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/load.py --duration 20

It creates the database afresh (dropping an earlier one), migrates it, loads the reference data
and the demo (`seed_demo`), adds a realistic amount of data (hundreds of dossiers in Paris,
tickets in the console), starts gunicorn on loopback with PostgreSQL and the Redis cache, signs
in the demo applicant, prefecture agent and contact-centre agent, then puts each page under the
same load with locust (headless, one run of fixed duration per page): a bare Django view (the
ceiling, measured before and after the pages), the verification page of a real attestation, the
applicant dashboard, the agent queue and the ticket console. It prints requests per second,
p50/p95/p99 latency and error rate for each, and each page's throughput against the ceiling's
with the issue's targets. It always exits with 0 once it has run, whether the targets pass or
fail; it refuses any database whose name does not end with `_bench`. See bench/README.md.

The same file is the locustfile: locust imports it with ANEF_LOAD_LOCUST=1, and only then is the
user class below defined (and locust, which patches the standard library, imported).
"""

import argparse
import contextlib
import csv
import io
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SETTINGS_MODULE = "bench.load_settings"
LOCUST_FLAG = "ANEF_LOAD_LOCUST"

# Targets of issues 8 and 19: each page's throughput as a share of the ceiling's, measured in the
# same run (under the background writes and sign-ins, if any); no error at all.
TARGET_VERIFY_SHARE = 0.50
TARGET_PAGE_SHARE = 0.30

DEMO_APPLICANT = "amina.diallo@anef.example"
DEMO_AGENT = "agent.paris@anef.example"
DEMO_CONTACT = "contact@anef.example"

FIRST_NAMES = [
    "Amina", "Mohamed", "Fatou", "Ibrahim", "Mariam", "Yacine", "Aïcha", "Moussa", "Nour",
    "Karim", "Leila", "Oumar", "Sofia", "Ahmed", "Awa", "Thanh", "Mei", "Ravi", "Olena",
]  # fmt: skip
LAST_NAMES = [
    "Diallo", "Traoré", "Benali", "Nguyen", "Haddad", "Koné", "Camara", "Sylla", "Bensaïd",
    "Okafor", "Mensah", "Wang", "Li", "Kumar", "Petrenko", "Silva", "Santos", "Ivanova",
]  # fmt: skip
TICKET_BODIES = [
    "Je n'arrive pas à téléverser mon justificatif de domicile.",
    "Mon titre expire bientôt et je n'ai pas de nouvelles de mon dossier.",
    "L'attestation ne s'affiche pas dans mon espace.",
    "Mon employeur demande une preuve de mon droit au travail.",
    "Je ne reçois pas le courriel de confirmation.",
]


# --- The locust user (only when locust imports this file) ------------------------------------

if os.environ.get(LOCUST_FLAG) == "1" and __name__ != "__main__":
    from locust import FastHttpUser, constant, task

    class PageUser(FastHttpUser):
        """Asks for one page again and again, no pause (a closed loop: throughput is what the
        server gives). Anything but a 200 is an error: a redirect to the login page too."""

        wait_time = constant(0)
        page_path = os.environ.get("ANEF_LOAD_PATH", "/")
        page_name = os.environ.get("ANEF_LOAD_NAME", "page")
        headers = {"Accept-Language": "fr"}
        if os.environ.get("ANEF_LOAD_CLOSE") == "1":
            # A new connection for each request (see `--keep-alive` in bench/README.md).
            headers["Connection"] = "close"
        if os.environ.get("ANEF_LOAD_COOKIE"):
            headers["Cookie"] = os.environ["ANEF_LOAD_COOKIE"]

        @task
        def page(self):
            with self.client.get(
                self.page_path,
                name=self.page_name,
                headers=self.headers,
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}")


# --- Set-up -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per run")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="times the whole sequence runs; each page is judged on its median share",
    )
    parser.add_argument("--users", type=int, default=10, help="concurrent locust users")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--threads",
        type=int,
        default=4,
        help="threads per worker (gthread, as in the Procfile); 1: sync workers",
    )
    parser.add_argument(
        "--keep-alive",
        action="store_true",
        help="each locust user keeps its connection (by default, one connection per request)",
    )
    parser.add_argument(
        "--writes-per-second",
        type=float,
        default=0,
        help="dossier updates per second during the runs, to see the page cache under writes",
    )
    parser.add_argument(
        "--listing-share",
        type=float,
        default=0.1,
        help="share of the writes that change which dossiers a queue lists (a filing, a "
        "transfer): every page of the prefecture's queue",
    )
    parser.add_argument(
        "--status-share",
        type=float,
        default=0.45,
        help="share of the writes that change a status (the queue's status filters and the "
        "row); the others change a column of the row (a document, an error report)",
    )
    parser.add_argument(
        "--logins-per-second",
        type=float,
        default=0,
        help="sign-ins of other people per second during the runs (a session and last_login)",
    )
    parser.add_argument("--dossiers", type=int, default=400, help="extra dossiers (people)")
    parser.add_argument("--tickets", type=int, default=200, help="extra tickets")
    parser.add_argument("--seed", type=int, default=8, help="seed of the extra data")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument(
        "--only",
        default="",
        help="measure only the pages whose name contains this text (e.g. « queue »), each "
        "still between two runs of the ceiling",
    )
    return parser.parse_args(argv)


def django_setup() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    # The set-up's INFO lines (sweeps, PDF library) say nothing about load; gunicorn inherits.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def refuse_unless_bench_services() -> dict:
    from django.conf import settings

    from bench.attestations_sweep import refuse_unless_bench_database

    settings_dict = refuse_unless_bench_database("the load bench", "anef_load_bench")
    if not settings.REDIS_URL:
        sys.exit(
            "Refusing to run: the load bench measures the Redis cache too; set REDIS_URL, e.g. "
            "redis://127.0.0.1:6379/5"
        )
    return settings_dict


def database_drop(settings_dict: dict) -> None:
    import psycopg
    from psycopg import sql

    params = {
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        # FORCE: this process's own connection pool may still hold idle connections.
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(settings_dict["NAME"])
            )
        )


def _person_fields(rng: random.Random, index: int, postal_code: str) -> dict:
    return {
        "first_name": rng.choice(FIRST_NAMES),
        "last_name": rng.choice(LAST_NAMES),
        "postal_code": postal_code,
        "foreigner_number": f"{8_000_000_000 + index:010d}",
    }


def extra_data_fill(rng: random.Random, dossiers: int, tickets: int) -> dict:
    """People and their dossiers (80 % in Paris, the demo agent's prefecture), an error report
    on one filed dossier in 20, tickets in the console (from the public form, and from the
    portal about a dossier), some taken and answered, and three more dossiers for the demo
    applicant; then the sweep issues the attestations due. Returns the counts."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import ApplicantProfile, User, email_key
    from applications import services as dossier
    from applications.enums import ApplicationStatus, ErrorReportCategory
    from applications.models import Application, ResidencePermit
    from attestations.services import attestations_sweep
    from reference.enums import ProcedureKind
    from reference.models import Ground, Prefecture
    from support import services as support
    from support.enums import TicketCategory

    now = timezone.now()
    today = timezone.localdate()
    paris = Prefecture.objects.get(departement_code="75")
    seine_saint_denis = Prefecture.objects.get(departement_code="93")
    grounds = list(Ground.objects.filter(active=True, is_procedure=False).order_by("code"))
    firsts = [g for g in grounds if ProcedureKind.FIRST_APPLICATION in g.procedure_kinds]
    renewables = [g for g in grounds if g.renewable and ProcedureKind.RENEWAL in g.procedure_kinds]
    unusable = make_password(None)

    with transaction.atomic():
        people = []
        for index in range(dossiers):
            in_paris = rng.random() < 0.8
            postal_code = f"750{rng.randint(1, 20):02d}" if in_paris else "93200"
            fields = _person_fields(rng, index, postal_code)
            people.append((in_paris, fields))
        users = User.objects.bulk_create(
            User(
                email=f"load{index}@bench.anef.example",
                # What save() keeps, and bulk_create() does not call (accounts/models.py).
                email_key=email_key(f"load{index}@bench.anef.example"),
                password=unusable,
                role=Role.APPLICANT,
                first_name=fields["first_name"],
                last_name=fields["last_name"],
            )
            for index, (_in_paris, fields) in enumerate(people)
        )
        ApplicantProfile.objects.bulk_create(
            ApplicantProfile(
                user=user,
                birth_date=today - timedelta(days=rng.randint(20 * 365, 65 * 365)),
                nationality="Marocaine",
                foreigner_number=fields["foreigner_number"],
                address_line=f"{rng.randint(1, 120)} rue de la Roquette",
                postal_code=fields["postal_code"],
                city="Paris" if in_paris else "Saint-Denis",
            )
            for user, (in_paris, fields) in zip(users, people, strict=True)
        )
        applications = []
        permits = []
        for index, (user, (in_paris, _fields)) in enumerate(zip(users, people, strict=True)):
            status = rng.choices(
                [ApplicationStatus.SUBMITTED, ApplicationStatus.COMPLETE, ApplicationStatus.DRAFT],
                weights=[50, 45, 5],
            )[0]
            application = Application(
                applicant=user,
                prefecture=paris if in_paris else seine_saint_denis,
                status=status,
                kind=ProcedureKind.FIRST_APPLICATION,
                ground=rng.choice(firsts),
            )
            if index % 3 == 0:  # a renewal, filed in the R. 431-5 window
                ground = rng.choice(renewables)
                valid_until = today + timedelta(days=rng.randint(5, 55))
                permit = ResidencePermit(
                    holder=user,
                    number=f"LOAD{index:06d}",
                    card_type=ground.card_type,
                    ground=ground,
                    valid_from=valid_until - timedelta(days=365),
                    valid_until=valid_until,
                    handed_over=True,
                    handed_over_on=valid_until - timedelta(days=360),
                )
                permits.append(permit)
                application.kind = ProcedureKind.RENEWAL
                application.ground = ground
                application.renews_permit = permit
                filed_at = now - timedelta(days=(valid_until - today).days + rng.randint(60, 119))
            else:
                filed_at = now - timedelta(days=rng.randint(1, 200))
            if status != ApplicationStatus.DRAFT:
                application.filed_at = filed_at
            if status == ApplicationStatus.COMPLETE:
                application.completed_at = filed_at + timedelta(days=rng.randint(0, 10))
            applications.append(application)
        ResidencePermit.objects.bulk_create(permits)
        for application in applications:
            if application.renews_permit is not None:
                application.renews_permit_id = application.renews_permit.pk
        Application.objects.bulk_create(applications)

    filed = [a for a in applications if a.status != ApplicationStatus.DRAFT]
    reported = filed[::20]
    for application in reported:
        dossier.error_report_create(
            application=application,
            actor=application.applicant,
            category=ErrorReportCategory.OTHER,
            description="Mon nom est mal orthographié.",
        )

    amina = User.objects.get(email=DEMO_APPLICANT)
    taken = amina.applications.values("ground")
    for index, ground in enumerate(
        Ground.objects.filter(pk__in=[g.pk for g in firsts]).exclude(pk__in=taken)[:3]
    ):
        filed_at = now - timedelta(days=200 + 30 * index)
        Application.objects.create(
            applicant=amina,
            prefecture=paris,
            ground=ground,
            kind=ProcedureKind.FIRST_APPLICATION,
            status=ApplicationStatus.COMPLETE if index == 0 else ApplicationStatus.WITHDRAWN,
            filed_at=filed_at,
            completed_at=filed_at + timedelta(days=5) if index == 0 else None,
            withdrawn_at=None if index == 0 else filed_at + timedelta(days=20),
        )

    contact = User.objects.get(email=DEMO_CONTACT)
    categories = TicketCategory.values
    in_portal = [a for a in filed if a.prefecture_id == paris.pk]
    for index in range(tickets):
        with transaction.atomic():
            if index % 5 < 3 or not in_portal:
                fields = _person_fields(rng, dossiers + index, "75011")
                ticket, _secret = support.ticket_open_from_contact_form(
                    name=f"{fields['first_name']} {fields['last_name']}",
                    email=f"visitor{index}@bench.anef.example",
                    phone="",
                    foreigner_number="",
                    category=categories[index % len(categories)],
                    body=rng.choice(TICKET_BODIES),
                )
            else:
                application = in_portal[index % len(in_portal)]
                ticket, _secret = support.ticket_open_from_portal(
                    actor=application.applicant,
                    category=categories[index % len(categories)],
                    body=rng.choice(TICKET_BODIES),
                    application=application,
                )
            if index % 2:
                ticket = support.ticket_take(ticket=ticket, actor=contact)
            if index % 4 == 1:
                support.ticket_reply(
                    ticket=ticket, actor=contact, body="Nous regardons votre demande."
                )

    report = attestations_sweep()
    return {
        "people": len(users),
        "dossiers": len(applications),
        "in Paris": sum(1 for a in applications if a.prefecture_id == paris.pk),
        "error reports": len(reported),
        "tickets": tickets,
        "attestations issued": report.issued,
    }


def verification_path() -> tuple[str, str]:
    """The address the QR code of the demo applicant's API holds (number and signed code), as
    an employer's phone opens it; and the attestation's number."""
    from django.conf import settings

    from attestations import signing
    from attestations.enums import AttestationKind
    from attestations.models import Attestation

    api = Attestation.objects.filter(holder__email=DEMO_APPLICANT, kind=AttestationKind.API).first()
    if api is None:
        sys.exit("The demo applicant has no API: the demo data is not what this bench expects.")
    return signing.verification_url(api).removeprefix(settings.SITE_URL), api.number


# --- Server and sessions ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_start(port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE, "DEBUG": "False"}
    command = [
        str(VENV_BIN / "gunicorn"),
        "anef.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--chdir",
        str(BASE_DIR),
    ]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    with log.open("w") as output:
        return subprocess.Popen(  # noqa: S603 - our own executable, fixed arguments
            command, env=env, cwd=BASE_DIR, stdout=output, stderr=subprocess.STDOUT
        )


def gunicorn_stop(server: subprocess.Popen) -> None:
    """TERM to the master (it stops its workers), KILL to it if it lingers."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def wait_until_up(base: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at start:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{base}/bench/ceiling/", timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


def login(base: str, email: str, password: str) -> str:
    """Sign in through the real login form (CSRF token, then credentials); returns the Cookie
    header of the session."""
    import requests

    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=10)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if page.status_code != 200 or match is None:
        raise RuntimeError(f"login page for {email}: HTTP {page.status_code}, no CSRF token")
    answer = session.post(
        f"{base}/accounts/login/",
        data={"login": email, "password": password, "csrfmiddlewaretoken": match.group(1)},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"login of {email} failed: HTTP {answer.status_code}")
    return f"sessionid={session.cookies['sessionid']}"


@dataclass
class Endpoint:
    label: str
    path: str
    cookie: str = ""
    target: float | None = None  # share of the ceiling's throughput


def warm_up(base: str, endpoints: list[Endpoint], requests_each: int, users: int) -> None:
    """Every worker compiles its templates and opens its connections before the clock starts.
    A page that does not answer 200 is said here; its run then counts the errors."""
    import requests

    def fetch(endpoint: Endpoint) -> int:
        headers = {"Cookie": endpoint.cookie} if endpoint.cookie else {}
        return requests.get(
            base + endpoint.path, headers=headers, allow_redirects=False, timeout=30
        ).status_code

    with ThreadPoolExecutor(max_workers=users) as pool:
        for endpoint in endpoints:
            codes = set(pool.map(fetch, [endpoint] * requests_each))
            if codes != {200}:
                print(f"WARNING: {endpoint.label} ({endpoint.path}) answered {sorted(codes)}")


# --- Load -----------------------------------------------------------------------------------------


@contextlib.contextmanager
def in_background(per_second: float, act):
    """While the block runs, `act(rng)` about `per_second` times a second in a thread of its
    own (one database connection). Nothing when `per_second` is 0."""
    if per_second <= 0:
        yield
        return
    import threading

    from django.db import connection

    stop = threading.Event()
    rng = random.Random(0)  # noqa: S311 - whom to touch, not a secret

    def loop() -> None:
        try:
            while not stop.wait(1 / per_second):
                act(rng)
        finally:
            connection.close()

    worker = threading.Thread(target=loop, daemon=True)
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join()


def dossier_writes(per_second: float, listing_share: float, status_share: float):
    """`per_second` dossiers a second changed as a service changes one: the row written
    (`updated_at`) in a transaction that, on commit, bumps what the change may show
    (anef/generations.py `bump_dossier`): its person and its row always; with `status_share`
    of the writes a status change (the queue's status filters too), with `listing_share` a
    change of the list itself (a filing, a transfer: every page of its prefecture's queue).
    Over a dossier's life about one event in eight after the filing changes the list, half
    change the status and the rest a row (documents, error reports, a notification). 80 % of
    the dossiers are in Paris: the agent queue measured is Paris's."""
    from django.db import transaction
    from django.utils import timezone

    from anef import generations
    from applications.models import Application

    rows = list(Application.objects.values_list("pk", "applicant_id", "prefecture_id"))
    scopes = [generations.LISTING, generations.STATUS, generations.ROW]
    weights = [listing_share, status_share, max(0.0, 1 - listing_share - status_share)]

    def write(rng: random.Random) -> None:
        pk, applicant_id, prefecture_id = rng.choice(rows)
        affects = rng.choices(scopes, weights)[0]
        with transaction.atomic():
            Application.objects.filter(pk=pk).update(updated_at=timezone.now())
            generations.bump_dossier(
                Application(pk=pk, applicant_id=applicant_id, prefecture_id=prefecture_id),
                affects=affects,
            )

    return in_background(per_second, write)


def background_logins(per_second: float):
    """`per_second` people a second sign in, as the login view does once the password is
    checked: `django.contrib.auth.login` (a new session row, `last_login` written, the signal's
    receivers) on a request of its own. The password check itself (PBKDF2, a third of a
    second of CPU) is left out: at 5 a second it alone would take the two cores of the
    machines this bench runs on. Under the per-table page cache each of these threw away every
    kept page; now none does."""
    from django.contrib.auth import login
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpRequest

    from accounts.models import User

    users = list(User.objects.filter(email__endswith="@bench.anef.example"))

    def sign_in(rng: random.Random) -> None:
        request = HttpRequest()
        request.META.update({"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "anef-load-bench"})
        request.session = SessionStore()
        login(request, rng.choice(users), backend="django.contrib.auth.backends.ModelBackend")
        request.session.save()

    return in_background(per_second, sign_in)


def load_average() -> str:
    """The host's load averages over 1, 5 and 15 minutes (`/proc/loadavg`)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())


@dataclass
class Figures:
    label: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    generator_cpu: float  # share of one core used by locust
    steal: float | None = None  # share of the host's CPU time the hypervisor took (None: unknown)

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 1.0


def cpu_times() -> list[int] | None:
    """The machine's CPU time counters (`/proc/stat`, all CPUs), or None off Linux."""
    try:
        with open("/proc/stat") as stat:
            return [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None


def steal_share(before: list[int] | None, after: list[int] | None) -> float | None:
    """Share of the CPU time between two readings that the hypervisor gave to other machines
    (`steal`, the 8th counter): a virtual machine's figures drop when it is high."""
    if before is None or after is None or len(after) < 8:
        return None
    deltas = [late - early for early, late in zip(before, after, strict=False)]
    total = sum(deltas[:8])
    return deltas[7] / total if total else None


def locust_run(base: str, endpoint: Endpoint, args: argparse.Namespace, workdir: Path) -> Figures:
    run = len(list(workdir.glob("*_stats.csv"))) + 1  # the ceiling runs several times: keep all
    slug = re.sub(r"\W+", "_", endpoint.label).strip("_")
    prefix = workdir / f"{run}_{slug}"
    env = {
        **os.environ,
        LOCUST_FLAG: "1",
        "ANEF_LOAD_PATH": endpoint.path,
        "ANEF_LOAD_NAME": endpoint.label,
        "ANEF_LOAD_COOKIE": endpoint.cookie,
        "ANEF_LOAD_CLOSE": "0" if args.keep_alive else "1",
    }
    command = [
        str(VENV_BIN / "locust"),
        "-f",
        str(Path(__file__).resolve()),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.users),
        "--run-time",
        f"{args.duration}s",
        "--stop-timeout",
        "10",
        "--host",
        base,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    times_before = cpu_times()
    with (workdir / "locust.log").open("a") as output:
        subprocess.run(  # noqa: S603 - our own executable, fixed arguments
            command, env=env, cwd=BASE_DIR, stdout=output, stderr=subprocess.STDOUT, check=False
        )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    steal = steal_share(times_before, cpu_times())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stats_file = Path(f"{prefix}_stats.csv")
    rows = list(csv.DictReader(stats_file.open())) if stats_file.exists() else []
    row = next((r for r in rows if r["Name"] == endpoint.label), None)
    if row is None:  # no request finished (see locust.log)
        nan = float("nan")
        return Figures(endpoint.label, 0, 0, 0.0, nan, nan, nan, cpu / args.duration, steal)

    def number(name: str) -> float:
        return float(row[name]) if row[name] not in ("", "N/A") else float("nan")

    return Figures(
        label=endpoint.label,
        requests=int(row["Request Count"]),
        failures=int(row["Failure Count"]),
        rps=number("Requests/s"),
        p50=number("50%"),
        p95=number("95%"),
        p99=number("99%"),
        generator_cpu=cpu / args.duration,
        steal=steal,
    )


# --- Report ---------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _row(label: str, figures: Figures, share_text: str, target_text: str, outcome: str) -> str:
    steal_text = "n/a" if figures.steal is None else f"{figures.steal:.0%}"
    return (
        f"{label:<34} {figures.rps:>8.1f} {figures.p95:>7.0f} {figures.p50:>7.0f} "
        f"{figures.p99:>7.0f} {figures.error_rate:>8.2%}  {share_text:>16}  "
        f"{target_text:>7}  {outcome:<8}  {figures.generator_cpu:>6.0%}  {steal_text:>9}"
    )


def report(
    args: argparse.Namespace,
    header: str,
    rounds: list[list[tuple[Endpoint, Figures, float | None]]],
    pages: list[Endpoint],
) -> None:
    """Every run of every round, in order (a page with the ceiling it is compared to: the mean of
    the ceiling runs just before and just after it), then each page's median over the rounds."""
    print()
    print(header)
    columns = f"{'page':<34} {'req/s':>8} {'p95 ms':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>8}"
    columns += f"  {'share of ceiling':>16}  {'target':>7}  verdict   locust CPU  steal"
    for number, results in enumerate(rounds, start=1):
        print(f"\nround {number}\n{columns}\n" + "-" * 125)
        for endpoint, figures, ceiling_rps in results:
            if endpoint.target is None or not ceiling_rps:
                print(_row(endpoint.label, figures, "", "", ""))
                continue
            share = figures.rps / ceiling_rps
            print(
                _row(
                    endpoint.label,
                    figures,
                    f"{share:.0%} of {ceiling_rps:.0f}",
                    f"≥ {endpoint.target:.0%}",
                    verdict(share >= endpoint.target and figures.failures == 0),
                )
            )
    print(f"\nmedian of the {len(rounds)} rounds\n{columns}\n" + "-" * 125)
    for endpoint in pages:
        runs = [(f, c) for results in rounds for e, f, c in results if e is endpoint and c]
        if not runs:  # no ceiling run finished a request (see locust.log)
            print(f"{endpoint.label:<34} no figures: no ceiling to compare with")
            continue
        shares = [f.rps / c for f, c in runs]
        share = statistics.median(shares)
        failures = sum(f.failures for f, _c in runs)
        median = Figures(
            label=endpoint.label,
            requests=sum(f.requests for f, _c in runs),
            failures=failures,
            rps=statistics.median(f.rps for f, _c in runs),
            p50=statistics.median(f.p50 for f, _c in runs),
            p95=statistics.median(f.p95 for f, _c in runs),
            p99=statistics.median(f.p99 for f, _c in runs),
            generator_cpu=statistics.median(f.generator_cpu for f, _c in runs),
            steal=None if None in (f.steal for f, _c in runs) else max(f.steal for f, _c in runs),
        )
        print(
            _row(
                endpoint.label,
                median,
                f"{share:.0%} ({min(shares):.0%}–{max(shares):.0%})",
                f"≥ {endpoint.target:.0%}",
                verdict(share >= endpoint.target and failures == 0),
            )
        )
    print("-" * 125)
    results = [run for results in rounds for run in results]
    total_failures = sum(f.failures for _e, f, _c in results)
    print(
        "Each page is compared to the ceiling measured just before and just after it (the mean "
        "of the two), since what else the host runs changes from one minute to the next; the "
        "median line gives each page's median share over the rounds (lowest–highest), its "
        "median req/s and latencies, and the highest steal."
    )
    print(f"errors, every run: {total_failures} — target 0: {verdict(total_failures == 0)}")
    print(
        "A page passes when its throughput is at least its share of the ceiling's and it had no "
        "error. Latencies are locust's (whole ms; rounded to 10 ms above 100 ms, to 100 ms above "
        "1 s). 'locust CPU' "
        "is the load generator's own use of one core: near 100 % it, not the server, may be "
        "the limit. 'steal' is the share of the host's CPU time the hypervisor gave to other "
        "machines during the run (/proc/stat): when it is high, every figure of that run drops."
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    django_setup()
    settings_dict = refuse_unless_bench_services()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    from anef.demo import DEMO_PASSWORD
    from bench.attestations_sweep import database_recreate
    from reference.catalogue.loader import reference_data_load

    started = time.perf_counter()
    dropped = database_recreate(settings_dict)
    print(
        f"database {settings_dict['NAME']}: {'dropped and ' if dropped else ''}created; "
        "migrating, loading the reference data and the demo…",
        flush=True,
    )
    call_command("migrate", verbosity=0)
    reference_data_load()
    # A bench database, dropped at the end: the demo's published password is no risk here.
    call_command("seed_demo", i_know_this_is_not_production=True, stdout=io.StringIO())
    rng = random.Random(args.seed)  # noqa: S311 - a reproducible population, not a secret
    counts = extra_data_fill(rng, args.dossiers, args.tickets)
    verify_path, verify_number = verification_path()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # planner statistics, as autovacuum would have them
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    connections.close_all()
    print(
        "data: "
        + ", ".join(f"{value} {name}" for name, value in counts.items())
        + f" (set-up {time.perf_counter() - started:.0f} s)",
        flush=True,
    )

    workdir = Path(tempfile.mkdtemp(prefix="anef-load-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = gunicorn_start(port, args.workers, args.threads, workdir / "gunicorn.log")
    try:
        wait_until_up(base, server, workdir / "gunicorn.log")
        ceiling = Endpoint("bare Django view (ceiling)", "/bench/ceiling/")
        pages = [
            Endpoint("verification /verify/<number>/", verify_path, target=TARGET_VERIFY_SHARE),
            Endpoint(
                "applicant dashboard /portal/",
                "/portal/",
                login(base, DEMO_APPLICANT, DEMO_PASSWORD),
                TARGET_PAGE_SHARE,
            ),
            Endpoint(
                "agent queue /agents/",
                "/agents/",
                login(base, DEMO_AGENT, DEMO_PASSWORD),
                TARGET_PAGE_SHARE,
            ),
            Endpoint(
                "ticket console /support/",
                "/support/",
                login(base, DEMO_CONTACT, DEMO_PASSWORD),
                TARGET_PAGE_SHARE,
            ),
        ]
        pages = [page for page in pages if args.only in page.label] or pages
        warm_up(base, [ceiling, *pages], requests_each=8 * args.workers, users=args.users)
        worker_text = (
            f"{args.workers} gthread workers × {args.threads} threads"
            if args.threads > 1
            else f"{args.workers} sync workers"
        )
        header = (
            f"server: gunicorn, {worker_text}, DEBUG=False, 127.0.0.1:{port}; PostgreSQL "
            f"{server_version} ({settings_dict['NAME']}), cache Redis ({settings.REDIS_URL}); "
            f"load: locust (FastHttpUser), {args.users} users, no wait, "
            f"{'keep-alive' if args.keep_alive else 'a new connection per request'}, "
            f"{args.duration} s per page; "
            f"{args.writes_per_second:g} dossier writes ({args.listing_share:.0%} of them "
            f"changing a queue's list, {args.status_share:.0%} a status, the others a row) and "
            f"{args.logins_per_second:g} sign-ins a second during the runs; "
            f"{os.cpu_count()} CPUs on this host, shared with the "
            "load generator; load "
            f"average before the runs {os.getloadavg()[0]:.1f} (other work on the host lowers "
            "every figure).\n"
            f"verification rate limits raised to {settings.LOAD_BENCH_RATE} per client for the "
            "bench (bench/load_settings.py); staff MFA off (demo staff have no authenticator); "
            f"verification page of API {verify_number} with its QR code's signed token."
        )
        print(
            f"gunicorn up on {base}; {args.rounds} rounds of {2 * len(pages) + 1} runs of "
            f"{args.duration} s (the ceiling, then each page followed by the ceiling again)…",
            flush=True,
        )
        # The ceiling before and after every page: each page is compared to the ceiling of the
        # same minutes. The whole sequence runs `--rounds` times.
        rounds: list[list[tuple[Endpoint, Figures, float | None]]] = []
        writes = dossier_writes(args.writes_per_second, args.listing_share, args.status_share)
        with writes, background_logins(args.logins_per_second):
            for number in range(1, args.rounds + 1):
                ceiling_before = locust_run(base, ceiling, args, workdir)
                results: list[tuple[Endpoint, Figures, float | None]] = [
                    (ceiling, ceiling_before, None)
                ]
                for endpoint in pages:
                    figures = locust_run(base, endpoint, args, workdir)
                    ceiling_after = locust_run(base, ceiling, args, workdir)
                    reference = (ceiling_before.rps + ceiling_after.rps) / 2
                    results += [(endpoint, figures, reference), (ceiling, ceiling_after, None)]
                    ceiling_before = ceiling_after
                print(f"round {number} of {args.rounds} done", flush=True)
                rounds.append(results)
        report(args, header, rounds, pages)
        print(f"load average after the runs (1, 5, 15 min): {load_average()}")
        print(f"logs and locust's CSV files: {workdir}")
    finally:
        gunicorn_stop(server)
        if not args.keep:
            database_drop(settings_dict)
    return 0


if __name__ == "__main__":
    main()
    sys.exit(0)
