"""/metrics: Prometheus text format, protected, a constant number of queries (anef/metrics.py)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from anef import metrics
from anef.services import heartbeat_record
from applications.enums import ApplicationStatus
from attestations.models import Attestation
from attestations.numbers import new_number
from tests.accounts.factories import AdministratorFactory, PrefectureAgentFactory
from tests.applications.factories import ApplicationFactory

TOKEN = "s3cret-scrape-token"
SAMPLE = re.compile(r"^(?P<name>[a-z_]+)(\{(?P<labels>[^}]*)\})? (?P<value>\S+)$")


@pytest.fixture(autouse=True)
def _metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.CELERY_BROKER_URL = "filesystem://"  # no queue figure unless a test asks for one


@pytest.fixture(autouse=True)
def _no_sweep_measured():
    metrics.cache.delete(metrics.SWEEP_CACHE_KEY)
    yield
    metrics.cache.delete(metrics.SWEEP_CACHE_KEY)


def scrape(client, token=TOKEN):
    return client.get(reverse("metrics"), headers={"Authorization": f"Bearer {token}"})


def samples(text: str) -> dict[str, float]:
    """{'name{labels}': value} of every sample line; also checks the format line by line."""
    found = {}
    for line in text.splitlines():
        if line.startswith("# "):
            assert re.match(r"^# (HELP|TYPE) [a-z_]+ .+$", line), line
            continue
        match = SAMPLE.match(line)
        assert match, line
        key = match["name"] + (f"{{{match['labels']}}}" if match["labels"] else "")
        found[key] = float(match["value"])
    return found


def attestation(application, kind, *, valid_from, valid_until, continues=None, ended_on=None):
    return Attestation.objects.create(
        number=new_number(kind, valid_from.year),
        kind=kind,
        application=application,
        holder=application.applicant,
        continues=continues,
        valid_from=valid_from,
        valid_until=valid_until,
        issue_on=valid_from,
        ended_on=ended_on,
        end_reason="refused" if ended_on else "",
        prefecture=application.prefecture,
    )


# --- Protection ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_with_the_bearer_token_answers_the_text_format(client):
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert "# TYPE anef_attestations_issued_total counter" in response.text


@pytest.mark.django_db
def test_metrics_with_a_wrong_token_is_refused(client):
    assert scrape(client, token="guess").status_code == 403


@pytest.mark.django_db
def test_metrics_with_a_token_when_none_is_configured_is_refused(client, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(client, token="").status_code == 403


@pytest.mark.django_db
def test_metrics_anonymous_without_token_is_not_found(client):
    assert client.get(reverse("metrics")).status_code == 404


@pytest.mark.django_db
def test_metrics_signed_in_agent_is_not_found(client, reference_data):
    client.force_login(PrefectureAgentFactory())
    assert client.get(reverse("metrics")).status_code == 404


@pytest.mark.django_db
def test_metrics_signed_in_staff_reads_them(client):
    client.force_login(AdministratorFactory())
    assert client.get(reverse("metrics")).status_code == 200


# --- Figures -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_count_dossiers_due_for_the_sweep(client, reference_data):
    today = timezone.localdate()
    ApplicationFactory(status=ApplicationStatus.SUBMITTED)  # dirty by default
    swept = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    swept.__class__.objects.filter(pk=swept.pk).update(
        attestations_dirty=False, attestations_swept_on=today
    )
    ApplicationFactory(status=ApplicationStatus.DRAFT)  # never swept
    assert samples(scrape(client).text)["anef_attestation_dossiers_due"] == 1


@pytest.mark.django_db
def test_metrics_count_attestations_issued_by_kind(client, reference_data):
    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    today = timezone.localdate()
    attestation(application, "deposit_receipt", valid_from=today, valid_until=None)
    attestation(application, "api", valid_from=today, valid_until=today + datetime.timedelta(90))
    found = samples(scrape(client).text)
    assert found['anef_attestations_issued_total{kind="deposit_receipt"}'] == 1
    assert found['anef_attestations_issued_total{kind="api"}'] == 1
    assert found['anef_attestations_issued_total{kind="adf"}'] == 0


@pytest.mark.django_db
def test_metrics_count_apis_ending_soon_without_successor(client, reference_data):
    today = timezone.localdate()
    days = datetime.timedelta
    alone = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    attestation(alone, "api", valid_from=today - days(80), valid_until=today + days(10))
    followed = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    first = attestation(followed, "api", valid_from=today - days(80), valid_until=today + days(10))
    attestation(
        followed, "api", valid_from=today + days(11), valid_until=today + days(100), continues=first
    )
    later = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    attestation(later, "api", valid_from=today, valid_until=today + days(16))
    revoked = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    attestation(
        revoked, "api", valid_from=today - days(80), valid_until=today + days(5), ended_on=today
    )
    found = samples(scrape(client).text)
    assert found['anef_attestations_ending_without_successor{kind="api"}'] == 1
    assert found['anef_attestations_ending_without_successor{kind="adf"}'] == 0


@pytest.mark.django_db
def test_metrics_show_the_heartbeat_age(client):
    heartbeat_record(source="beat")
    found = samples(scrape(client).text)
    assert 0 <= found['anef_heartbeat_age_seconds{source="beat"}'] < 60
    assert found["anef_heartbeat_stale_after_seconds"] > 0


@pytest.mark.django_db
def test_metrics_show_the_last_sweep_duration_once_measured(client):
    from attestations.tasks import sweep_attestations

    assert "anef_attestation_sweep_last_duration_seconds" not in scrape(client).text
    sweep_attestations.apply()
    found = samples(scrape(client).text)
    assert found["anef_attestation_sweep_last_duration_seconds"] >= 0
    assert found["anef_attestation_sweep_last_succeeded"] == 1


@pytest.mark.django_db
def test_metrics_leave_out_the_queue_depth_without_redis(client):
    assert "anef_celery_queue_length" not in scrape(client).text


@pytest.mark.django_db
def test_metrics_show_the_celery_queue_depth_on_redis(client, settings):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/8"
    server = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CELERY_BROKER_URL = url
    server.delete("celery", "celery\x06\x163")
    server.rpush("celery", "a", "b")
    server.rpush("celery\x06\x163", "c")
    try:
        found = samples(scrape(client).text)
    finally:
        server.delete("celery", "celery\x06\x163")
    assert found['anef_celery_queue_length{queue="celery"}'] == 3


@pytest.mark.django_db
def test_metrics_report_a_failing_collector_instead_of_failing(client, monkeypatch):
    def broken():
        raise ConnectionError("broker down")

    monkeypatch.setitem(metrics.COLLECTORS, "celery_queue", broken)
    response = scrape(client)
    assert response.status_code == 200
    found = samples(response.text)
    assert found['anef_metrics_collector_up{collector="celery_queue"}'] == 0
    assert found['anef_metrics_collector_up{collector="heartbeats"}'] == 1


@pytest.mark.django_db
def test_metrics_read_a_constant_number_of_queries(
    client, reference_data, django_assert_max_num_queries
):
    today = timezone.localdate()
    for _ in range(5):
        application = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
        attestation(application, "api", valid_from=today, valid_until=today + datetime.timedelta(5))
        heartbeat_record(source=f"worker-{application.pk}")
    with django_assert_max_num_queries(5):  # the outbox's one query added (issue 17)
        scrape(client)


def test_metrics_render_escapes_label_values():
    text = metrics.render([metrics.Metric("x_total", "counter", "X.").add(2, kind='a"b\\c\nd')])
    assert 'x_total{kind="a\\"b\\\\c\\nd"} 2' in text
