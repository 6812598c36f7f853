"""The deployment topology on one machine (issue 17, "beyond one machine"): two web servers
(gunicorn, as in the Procfile) behind a reverse proxy, two Celery workers, two Celery beats, one
PostgreSQL and one Redis. Each web server and worker has a folder of its own (ANEF_VAR_DIR) and
the signing key from the environment, as the containers of docker-compose.yml do; the uploaded
and rendered files go to one shared folder, which stands for the S3 bucket they share there.

What must hold when the work is spread over several machines:

- attestations are issued exactly once, with the beats' sweeps and the per-dossier tasks racing
  on both workers;
- the QR code of every PDF a worker rendered verifies on either web server;
- rate limits count per real client through the proxy, on both web servers together, and a
  client cannot choose its own address with a forged X-Forwarded-For;
- one beat schedules at a time (anef/beat.py), and a standby takes over when it stops.

Needs the real PostgreSQL and Redis (`make test` in CI): skipped on the embedded default (SQLite,
no Redis), where one machine runs one of each by design.
"""

import os
import re
import secrets
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection, transaction
from django.db.models import F
from django.test import override_settings

import applications.services._core
from anef.celery import app
from anef.models import Heartbeat
from applications.models import Application
from attestations import signing
from attestations.models import Attestation
from tests.accounts.factories import PrefectureAgentFactory
from tests.attestations.factories import renewal
from tests.deployment.topology import (
    BACKEND_HEADER,
    PROXY_OUTBOUND_ADDRESS,
    ReverseProxy,
    Topology,
    TopologyError,
    answers,
    listening_socket,
    request,
    wait_until,
)

pytestmark = [pytest.mark.services]

DOSSIERS = 4
# The permit ends in 10 days: the API is due at once (15 days ahead), with the deposit receipt.
EXPECTED_KINDS = {"deposit_receipt", "api"}
SWEEP_SECONDS = 2
HEARTBEAT_SECONDS = 1
LEADER_RETRY_SECONDS = 1
API_RATE = 3  # per minute, the JSON verification endpoints (scope `verify`)
START_TIMEOUT = 90
WORK_TIMEOUT = 120
# The citizens: each an address of its own, reaching the portal through the proxy.
CLIENT_A, CLIENT_B, CLIENT_FORGING = "127.0.0.10", "127.0.0.11", "127.0.0.12"
SENT = re.compile(r"Scheduler: Sending due task (\S+)")
# Celery's log lines begin with the local time: "[2026-12-03 20:06:46,555: INFO/MainProcess]".
SENT_AT = re.compile(
    r"^\[([0-9-]+ [0-9:]+,[0-9]+): INFO/MainProcess\] Scheduler: Sending due task (\S+)", re.M
)


def _services_or_skip() -> None:
    missing = []
    if connection.vendor != "postgresql":
        missing.append("PostgreSQL (DATABASE_URL)")
    if not os.environ.get("REDIS_URL"):
        missing.append("Redis (REDIS_URL)")
    if missing:
        reason = (
            "the deployment topology needs " + " and ".join(missing) + ": the embedded default "
            "(SQLite, no Redis) runs one web server, worker and beat on one machine"
        )
        if os.environ.get("ANEF_REQUIRE_SERVICES"):
            pytest.fail(reason)
        pytest.skip(reason)


def _database_url() -> str:
    """The test database, as the processes of the topology reach it."""
    database = connection.settings_dict
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    host = database["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{database['PORT'] or 5432}/{database['NAME']}"


class Deployment:
    """The running topology: where the proxy and each web server answer, and the secrets and
    queue the processes share."""

    def __init__(self, base: Path):
        self.queue = f"topology-{uuid.uuid4().hex[:12]}"
        self.signing_key = signing.private_key_text(Ed25519PrivateKey.generate())
        self.signing_key_id = f"topology-{secrets.token_hex(4)}"
        self.media_root = base / "shared-storage"
        self.media_root.mkdir(parents=True)
        self.sockets = {name: listening_socket() for name in ("web-1", "web-2")}
        self.webs = {
            name: f"http://127.0.0.1:{sock.getsockname()[1]}" for name, sock in self.sockets.items()
        }
        self.proxy = ReverseProxy(self.webs)
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("CELERY_", "PYTEST_", "DATABASE_POOL"))
        }
        environment.update(
            {
                "PYTHONUNBUFFERED": "1",
                "DATABASE_URL": _database_url(),
                "REDIS_URL": os.environ["REDIS_URL"],
                "CELERY_TASK_DEFAULT_QUEUE": self.queue,
                # As in docker-compose.yml: production mode, secrets from the environment.
                "ANEF_PRODUCTION": "True",
                "DEBUG": "False",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ATTESTATION_SIGNING_KEY": self.signing_key,
                "ATTESTATION_SIGNING_KEY_ID": self.signing_key_id,
                "ATTESTATION_RETIRED_PUBLIC_KEYS": "",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SITE_URL": self.proxy.url,
                "MEDIA_ROOT": str(self.media_root),
                "TRUSTED_PROXIES": f"{PROXY_OUTBOUND_ADDRESS}/32",
                "VERIFY_API_RATE": f"{API_RATE}/min",
                "VERIFY_PAGE_RATE": "1000/min",
                # A fast schedule, so that the test sees many runs in a few seconds.
                "ATTESTATION_SWEEP_SECONDS": str(SWEEP_SECONDS),
                "BEAT_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
                "BEAT_LEADER_RETRY_SECONDS": str(LEADER_RETRY_SECONDS),
                "DATABASE_POOL_MAX_SIZE": "4",
            }
        )
        self.topology = Topology(base=base, environment=environment)
        self.beats = {}
        self.workers = {}

    def start(self) -> None:
        python = sys.executable
        for name, sock in self.sockets.items():
            # The Procfile's web line, bound to a socket already listening.
            self.topology.start(
                name,
                [
                    python,
                    "-m",
                    "gunicorn",
                    "anef.wsgi:application",
                    "--bind",
                    f"fd://{sock.fileno()}",
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                    "--access-logfile",
                    "-",
                    "--log-level",
                    "warning",
                    # Each machine has its own; on one machine, gunicorn's default
                    # ($HOME/.gunicorn/gunicorn.ctl) would be the same file for both.
                    "--control-socket",
                    str(self.topology.var_dir(name) / "gunicorn.ctl"),
                ],
                pass_fds=(sock.fileno(),),
                url=self.webs[name],
            )
        for number in (1, 2):
            name = f"worker-{number}"
            self.workers[name] = self.topology.start(
                name,
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "anef",
                    "worker",
                    "--loglevel",
                    "INFO",
                    "--concurrency",
                    "2",
                    "--pool",
                    "threads",
                    "--hostname",
                    f"topology-{name}@%h",
                ],
            )
        for number in (1, 2):
            name = f"beat-{number}"
            var_dir = self.topology.var_dir(name)
            self.beats[name] = self.topology.start(
                name,
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "anef",
                    "beat",
                    "--loglevel",
                    "INFO",
                    "--schedule",
                    str(var_dir / "celerybeat-schedule"),
                ],
            )
        # Its thread starts last: the processes above are forked from a single thread.
        self.proxy.__enter__()

    def wait_ready(self) -> None:
        for url in self.webs.values():
            wait_until(
                lambda url=url: answers(url, "/healthz/ready"),
                START_TIMEOUT,
                f"web server {url} ready",
                self.topology,
            )
        for worker in self.workers.values():
            wait_until(
                lambda worker=worker: " ready." in worker.log(),
                START_TIMEOUT,
                f"{worker.name} ready",
                self.topology,
            )
        wait_until(self.leader, START_TIMEOUT, "a beat holding the leader lock", self.topology)

    def stop(self) -> None:
        try:
            self.topology.stop_all()
        finally:
            self.proxy.__exit__(None, None, None)
            for sock in self.sockets.values():
                sock.close()

    def leader(self) -> str | None:
        for name, beat in self.beats.items():
            if "this beat now schedules" in beat.log():
                return name
        return None

    def sent(self, beat: str, task: str | None = None) -> int:
        """How many tasks `beat` sent (those of entry `task` only, if given)."""
        return sum(
            1 for entry in SENT.findall(self.beats[beat].log()) if task is None or entry == task
        )

    def first_sent(self, task: str) -> float:
        """When any beat first sent entry `task` (a Unix time, from the beats' logs)."""
        stamps = [
            datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()
            for beat in self.beats.values()
            for stamp, entry in SENT_AT.findall(beat.log())
            if entry == task
        ]
        assert stamps, f"no beat sent {task}"
        return min(stamps)

    def tasks_succeeded(self, task: str) -> int:
        pattern = re.compile(rf"Task {re.escape(task)}\[[^\]]+\] succeeded")
        return sum(len(pattern.findall(worker.log())) for worker in self.workers.values())


@pytest.fixture
def deployment(tmp_path, reference_data):
    _services_or_skip()
    running = Deployment(tmp_path)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        # Shown by pytest when the test fails: what every process said.
        print(running.topology.logs())


def _attestations_by_dossier(ids: list[int]) -> dict[int, dict[str, int]]:
    """How many attestations of each kind each dossier has, counted by the database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT application_id, kind, count(*) FROM attestations_attestation "
            "WHERE application_id = ANY(%s) GROUP BY application_id, kind",
            [ids],
        )
        counts: dict[int, dict[str, int]] = {pk: {} for pk in ids}
        for application_id, kind, count in cursor.fetchall():
            counts[application_id][kind] = count
    return counts


def _all_issued_and_rendered(ids: list[int]) -> bool:
    counts = _attestations_by_dossier(ids)
    issued = all(set(kinds) >= EXPECTED_KINDS for kinds in counts.values())
    rendered = not Attestation.objects.filter(
        application_id__in=ids, pdf_rendered_at__isnull=True
    ).exists()
    return issued and rendered


def _heartbeats() -> int:
    heartbeat = Heartbeat.objects.filter(source="beat").first()
    return heartbeat.beats if heartbeat else 0


def _verification_url(deployment: Deployment, attestation: Attestation, key: str) -> str:
    """The URL a QR code holds for `attestation`, signed with `key` under the deployment's key
    id."""
    with override_settings(
        ATTESTATION_SIGNING_KEY=key,
        ATTESTATION_SIGNING_KEY_ID=deployment.signing_key_id,
        ATTESTATION_RETIRED_PUBLIC_KEYS={},
        SITE_URL=deployment.proxy.url,
    ):
        return signing.verification_url(attestation)


def _path(url: str) -> str:
    return url.split("://", 1)[1].partition("/")[2].join(["/", ""])


def qr_text_in_pdf(path) -> str | None:
    """What the QR code drawn in a PDF of ours says: its image (one pixel per module) read back
    with a barcode reader, enlarged and given a white margin as a scan would."""
    import pikepdf
    import zxingcpp
    from PIL import Image

    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for raw in page.get_images().values():
                image = pikepdf.PdfImage(raw).as_pil_image().convert("L")
                large = image.resize((image.width * 8, image.height * 8), Image.Resampling.NEAREST)
                scan = Image.new("L", (large.width + 80, large.height + 80), 255)
                scan.paste(large, (40, 40))
                for barcode in zxingcpp.read_barcodes(scan):
                    return barcode.text
    return None


@pytest.mark.django_db(transaction=True)
def test_deployment_topology_two_of_each_behind_a_proxy(deployment, monkeypatch, subtests):
    # The dossiers are written here, as a web server would; what its services send on commit
    # (one sweep of each dossier) is sent below to the topology's queue, through the broker.
    on_commit_sweeps = []
    monkeypatch.setattr(
        applications.services._core, "_attestations_refresh_on_commit", on_commit_sweeps.append
    )
    agent = PrefectureAgentFactory(prefecture__departement_code="75")
    with transaction.atomic():  # the processes see the dossiers as they stand at the end
        today = datetime.now().date()
        ids = [renewal(agent, today=today, expires_in_days=10).pk for _ in range(DOSSIERS)]
        # Filed and completed 70 days ago, 80 days before the permit's expiry (in time, CESEDA
        # R. 431-5): today the API falls due, 15 days ahead of the first day it covers.
        backdated = {
            name: F(name) - timedelta(days=70)
            for name in ("filed_at", "completed_at", "first_completed_at")
        }
        Application.objects.filter(pk__in=ids).update(**backdated, attestations_dirty=True)
    try:
        deployment.wait_ready()
        monkeypatch.setitem(app.conf, "task_always_eager", False)  # conftest's default
        for pk in on_commit_sweeps:
            app.send_task("attestations.sweep_application", args=[pk], queue=deployment.queue)
        wait_until(
            lambda: _all_issued_and_rendered(ids),
            WORK_TIMEOUT,
            "every dossier's attestations issued and rendered",
            deployment.topology,
        )
        # A few more sweeps of the beat, racing on both workers, over the issued dossiers.
        sweeps = deployment.tasks_succeeded("attestations.sweep")
        wait_until(
            lambda: deployment.tasks_succeeded("attestations.sweep") >= sweeps + 2,
            WORK_TIMEOUT,
            "two more sweeps",
            deployment.topology,
        )
        # Every heartbeat run so far, and how long since the first one was sent.
        heartbeats = _heartbeats()
        scheduling_seconds = time.time() - deployment.first_sent("record-scheduler-heartbeat")
    except TopologyError:
        print("attestations by dossier:", _attestations_by_dossier(ids))
        print("not rendered:", list(Attestation.objects.filter(pdf_rendered_at__isnull=True)))
        raise
    attestations = list(
        Attestation.objects.filter(application_id__in=ids).select_related(
            "application__renews_permit", "ground", "prefecture"
        )
    )

    with subtests.test("attestations issued exactly once"):
        assert len(on_commit_sweeps) >= DOSSIERS
        assert deployment.tasks_succeeded("attestations.sweep_application") >= DOSSIERS
        assert deployment.tasks_succeeded("attestations.sweep") >= 2
        counts = _attestations_by_dossier(ids)
        assert counts == {pk: dict.fromkeys(EXPECTED_KINDS, 1) for pk in ids}

    with subtests.test("every QR code verifies on either web server"):
        other_key = signing.private_key_text(Ed25519PrivateKey.generate())
        for attestation in attestations:
            url = _verification_url(deployment, attestation, deployment.signing_key)
            # The code a worker drew in the PDF is the one signed with the shared key.
            pdf = deployment.media_root / attestation.pdf.name
            assert qr_text_in_pdf(pdf) == url, attestation.number
            forged = _verification_url(deployment, attestation, other_key)
            for web in deployment.webs.values():
                page = request(web, _path(url), headers={"Accept-Language": "en"})
                assert page.status == 200, (web, attestation.number)
                assert "The QR code is authentic" in page.body, (web, attestation.number)
                assert attestation.number in page.body
                refused = request(web, _path(forged), headers={"Accept-Language": "en"})
                assert "The QR code could not be confirmed" in refused.body, web

    number = attestations[0].number
    api_path = f"/api/v1/verify/{number}/"

    with subtests.test("rate limits count per client through the proxy, on both web servers"):
        first = [request(deployment.proxy.url, api_path, source=CLIENT_A) for _ in range(API_RATE)]
        assert [answer.status for answer in first] == [200] * API_RATE
        assert {answer.headers[BACKEND_HEADER.lower()] for answer in first} == set(deployment.webs)
        assert request(deployment.proxy.url, api_path, source=CLIENT_A).status == 429
        # Another citizen behind the same proxy has a limit of their own.
        assert request(deployment.proxy.url, api_path, source=CLIENT_B).status == 200

    with subtests.test("a forged X-Forwarded-For does not escape the limit"):
        statuses = [
            request(
                deployment.proxy.url,
                api_path,
                source=CLIENT_FORGING,
                headers={"X-Forwarded-For": f"203.0.113.{attempt}"},
            ).status
            for attempt in range(API_RATE + 1)
        ]
        assert statuses == [200] * API_RATE + [429]

    with subtests.test("one beat schedules at a time"):
        leader = deployment.leader()
        standby = next(name for name in deployment.beats if name != leader)
        assert deployment.sent(leader, "record-scheduler-heartbeat") >= 2
        assert deployment.sent(standby) == 0
        # Counted by the database: no more runs than one scheduler sends in that time (runs
        # never outnumber sends; two schedulers would send twice as many).
        assert 1 <= heartbeats <= scheduling_seconds / HEARTBEAT_SECONDS + 2

    with subtests.test("the standby takes over when the leader stops"):
        deployment.beats[leader].stop()
        before = _heartbeats()
        wait_until(
            lambda: deployment.sent(standby, "record-scheduler-heartbeat") >= 1,
            30,
            f"{standby} scheduling after {leader} stopped",
        )
        wait_until(lambda: _heartbeats() > before, 30, "a heartbeat after the takeover")
        assert "this beat now schedules" in deployment.beats[standby].log()
