"""Prometheus metrics at /metrics: the figures an operator watches.

Written in Prometheus' text exposition format (version 0.0.4) by hand: it is a few lines, and
`prometheus_client` is not in the locked dependencies (requirements/*.txt are hashed and
re-pinned by `make lock` only; no new dependency for this). Every figure is read from the
database, the cache or the broker at scrape time, so it is the same whichever web server answers,
and the number of queries is constant (tests/test_metrics.py).

Protected: a scraper sends `Authorization: Bearer <METRICS_TOKEN>` (403 if the token is wrong);
a signed-in staff member (admin site) may read it in a browser; anyone else gets a 404.

The outbox (anef/outbox.py, issue 17) gives the messages waiting, due, being retried and
failed for good, per channel, and the age of the oldest one waiting.
"""

import logging
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import redis
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from anef.enums import MessageChannel, MessageStatus
from anef.models import Heartbeat, OutgoingMessage
from applications.models import Application
from attestations.enums import AttestationKind
from attestations.models import Attestation
from attestations.services import sweepable

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# "APIs ending within 15 days with no successor": the API is due in the person's hands 15 days
# before the previous one ends (ATTESTATION_POLICY API_LEAD_DAYS); past that, one is late.
ENDING_SOON_DAYS = 15
SWEEP_TASK = "attestations.sweep"
SWEEP_CACHE_KEY = "metrics:attestations-sweep:last"
# kombu's Redis transport keeps one list per priority step: "celery", "celery\x06\x163", …
REDIS_PRIORITY_SEPARATOR = "\x06\x16"
REDIS_PRIORITY_STEPS = (3, 6, 9)


@dataclass
class Metric:
    name: str
    kind: str  # "gauge" or "counter"
    help: str
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)

    def add(self, value: float, **labels: str) -> "Metric":
        self.samples.append((labels, value))
        return self


def _label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if isinstance(value, float) else str(int(value))


def render(metrics: list[Metric]) -> str:
    """The text exposition format: HELP and TYPE once per metric, one line per sample."""
    lines = []
    for metric in metrics:
        lines.append(f"# HELP {metric.name} {metric.help}")
        lines.append(f"# TYPE {metric.name} {metric.kind}")
        for labels, value in metric.samples:
            text = ",".join(f'{key}="{_label_value(str(val))}"' for key, val in labels.items())
            selector = f"{{{text}}}" if text else ""
            lines.append(f"{metric.name}{selector} {_number(value)}")
    return "\n".join(lines) + "\n"


# --- Sweep duration, measured in the worker around the task ------------------------------------

_sweep_started: dict[str, float] = {}


def sweep_started(*, task_id: str, task=None, **kwargs) -> None:
    """celery `task_prerun` receiver (connected in anef/tasks.py)."""
    if getattr(task, "name", None) == SWEEP_TASK:
        _sweep_started[task_id] = time.monotonic()


def sweep_finished(*, task_id: str, task=None, state: str | None = None, **kwargs) -> None:
    """celery `task_postrun` receiver: the last sweep's duration and outcome, in the shared
    cache so that every web server exports the same figure."""
    started = _sweep_started.pop(task_id, None)
    if getattr(task, "name", None) != SWEEP_TASK or started is None:
        return
    cache.set(
        SWEEP_CACHE_KEY,
        {
            "duration": time.monotonic() - started,
            "finished_at": time.time(),
            "succeeded": state == "SUCCESS",
        },
        timeout=None,
    )


def _sweep() -> list[Metric]:
    last = cache.get(SWEEP_CACHE_KEY)
    if not last:
        return []  # absent until the first sweep is measured, rather than a misleading 0
    return [
        Metric(
            "anef_attestation_sweep_last_duration_seconds",
            "gauge",
            "Duration of the last attestation sweep.",
        ).add(last["duration"]),
        Metric(
            "anef_attestation_sweep_last_finished_timestamp_seconds",
            "gauge",
            "When the last attestation sweep finished (Unix time).",
        ).add(last["finished_at"]),
        Metric(
            "anef_attestation_sweep_last_succeeded",
            "gauge",
            "1 if the last attestation sweep succeeded, 0 if it failed.",
        ).add(1 if last["succeeded"] else 0),
    ]


# --- Database figures: one query each -----------------------------------------------------------


def _dossiers_due() -> list[Metric]:
    # The sweep's own condition: changed since, or not swept today.
    due = Application.objects.filter(sweepable(timezone.localdate())).count()
    return [
        Metric(
            "anef_attestation_dossiers_due",
            "gauge",
            "Dossiers the attestation sweep still has to look at (changed, or not swept today).",
        ).add(due)
    ]


def _issued() -> list[Metric]:
    counts = dict(Attestation.objects.order_by().values_list("kind").annotate(total=Count("pk")))
    metric = Metric(
        "anef_attestations_issued_total",
        "counter",
        "Attestations issued since the start, by kind (never deleted, so never decreasing).",
    )
    for kind in AttestationKind.values:
        metric.add(counts.get(kind, 0), kind=kind)
    return [metric]


def _ending_without_successor() -> list[Metric]:
    """APIs and ADFs in use whose printed last day falls within ENDING_SOON_DAYS and that nothing
    follows yet (no next period, no ADF after the API, no replacement): the person is about to
    be left without a paper. The next one is due ENDING_SOON_DAYS ahead, so this must be zero."""
    today = timezone.localdate()
    chain = (AttestationKind.API, AttestationKind.ADF)
    counts = dict(
        Attestation.objects.filter(
            kind__in=chain,
            ended_on__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=ENDING_SOON_DAYS),
            continuation__isnull=True,
            replacement__isnull=True,
        )
        .order_by()
        .values_list("kind")
        .annotate(total=Count("pk"))
    )
    metric = Metric(
        "anef_attestations_ending_without_successor",
        "gauge",
        f"APIs/ADFs in use ending within {ENDING_SOON_DAYS} days with nothing to follow them.",
    )
    for kind in chain:
        metric.add(counts.get(kind, 0), kind=kind)
    return [metric]


def _heartbeats() -> list[Metric]:
    now = timezone.now()
    ages = Metric(
        "anef_heartbeat_age_seconds",
        "gauge",
        "Seconds since each background process last proved it was alive.",
    )
    for source, last_seen_at in Heartbeat.objects.order_by("source").values_list(
        "source", "last_seen_at"
    ):
        ages.add((now - last_seen_at).total_seconds(), source=source)
    stale_after = Metric(
        "anef_heartbeat_stale_after_seconds",
        "gauge",
        "Age past which the scheduler is reported stale (/healthz/scheduler answers 503).",
    ).add(settings.HEARTBEAT_STALE_AFTER_SECONDS)
    return [ages, stale_after]


def _outbox() -> list[Metric]:
    """One query over the pending and failed rows (the sent ones are not read)."""
    now = timezone.now()
    pending = Q(status=MessageStatus.PENDING)
    rows = {
        row["channel"]: row
        for row in OutgoingMessage.objects.filter(
            status__in=[MessageStatus.PENDING, MessageStatus.FAILED]
        )
        .order_by()
        .values("channel")
        .annotate(
            pending=Count("pk", filter=pending),
            due=Count("pk", filter=pending & Q(next_attempt_at__lte=now)),
            retrying=Count("pk", filter=pending & Q(attempts__gt=0)),
            failed=Count("pk", filter=Q(status=MessageStatus.FAILED)),
            oldest=Min("created_at", filter=pending),
        )
    }
    waiting = Metric(
        "anef_outbox_pending",
        "gauge",
        "Outgoing messages not sent yet (the outbox's queue length), by channel.",
    )
    due = Metric(
        "anef_outbox_due",
        "gauge",
        "Outgoing messages whose time to be sent has come and that are not sent yet.",
    )
    retrying = Metric(
        "anef_outbox_retrying",
        "gauge",
        "Outgoing messages not sent yet after at least one failed attempt.",
    )
    failed = Metric(
        "anef_outbox_failed",
        "gauge",
        "Outgoing messages given up after the last attempt (see the admin), by channel.",
    )
    oldest = Metric(
        "anef_outbox_oldest_pending_age_seconds",
        "gauge",
        "Age of the oldest outgoing message not sent yet (0 when none waits).",
    )
    for channel in MessageChannel.values:
        row = rows.get(channel, {})
        waiting.add(row.get("pending", 0), channel=channel)
        due.add(row.get("due", 0), channel=channel)
        retrying.add(row.get("retrying", 0), channel=channel)
        failed.add(row.get("failed", 0), channel=channel)
        since = row.get("oldest")
        oldest.add((now - since).total_seconds() if since else 0, channel=channel)
    return [waiting, due, retrying, failed, oldest]


# --- Broker ----------------------------------------------------------------------------------


def _queue_depth() -> list[Metric]:
    """Messages waiting in Celery's default queue, when the broker is Redis (LLEN of each of
    kombu's priority lists); absent with another broker."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return []
    queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
    keys = [queue] + [f"{queue}{REDIS_PRIORITY_SEPARATOR}{step}" for step in REDIS_PRIORITY_STEPS]
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        pipeline = client.pipeline(transaction=False)
        for key in keys:
            pipeline.llen(key)
        depth = sum(pipeline.execute())
    finally:
        client.close()
    return [
        Metric("anef_celery_queue_length", "gauge", "Tasks waiting in the Celery queue.").add(
            depth, queue=queue
        )
    ]


COLLECTORS: dict[str, Callable[[], list[Metric]]] = {
    "attestation_sweep": _sweep,
    "dossiers_due": _dossiers_due,
    "attestations_issued": _issued,
    "attestations_ending": _ending_without_successor,
    "heartbeats": _heartbeats,
    "outbox": _outbox,
    "celery_queue": _queue_depth,
}


def collect() -> list[Metric]:
    """Every collector; one that fails (database or broker down) is reported as down instead
    of failing the whole scrape."""
    metrics: list[Metric] = []
    up = Metric(
        "anef_metrics_collector_up",
        "gauge",
        "1 if the collector answered at this scrape, 0 if it failed (see the log).",
    )
    for name, collector in COLLECTORS.items():
        try:
            metrics += collector()
        except Exception as exc:  # a scrape reports, it does not crash
            logger.warning("Metrics collector %s failed: %s", name, type(exc).__name__)
            up.add(0, collector=name)
        else:
            up.add(1, collector=name)
    return [*metrics, up]


def _bearer_token(request: HttpRequest) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    presented = _bearer_token(request)
    if presented is not None:
        expected = settings.METRICS_TOKEN
        if not expected or not secrets.compare_digest(presented.encode(), expected.encode()):
            return HttpResponseForbidden()
    elif not (request.user.is_authenticated and request.user.is_staff):
        raise Http404
    return HttpResponse(render(collect()), content_type=CONTENT_TYPE)
