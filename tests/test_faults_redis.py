"""Redis stops while the portal serves (issue 8, "Faults"): pages still render, submissions
still save, and the work is done once Redis is back — once, not twice."""

import logging

import pytest
from django.core.cache import cache
from django.urls import reverse

from anef.cache import OncePerMinute
from anef.celery import app
from applications.enums import ApplicationStatus
from attestations.models import Attestation
from attestations.numbers import new_number
from attestations.services import attestations_sweep
from support.throttling import contact_allowed
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.helpers import started, with_all_documents

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused


def redis_cache(location: str, **params) -> dict:
    """The production cache (anef/settings.py) at `location`."""
    return {
        "BACKEND": "anef.cache.FailOpenRedisCache",
        "LOCATION": location,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        **params,
    }


@pytest.fixture
def redis_down(settings, monkeypatch):
    settings.CACHES = {"default": redis_cache(DEAD_REDIS)}
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", DEAD_REDIS)
    monkeypatch.setitem(app.conf, "task_publish_retry", False)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    monkeypatch.setattr("anef.cache._last_warning", 0.0)  # the outage's warning is logged here
    yield
    # The connection and producer pools made during the outage point at the dead broker: drop
    # them, so that the next test in this process connects to the real one again.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def applicant(reference_data):
    return ApplicantProfileFactory(postal_code="75011")


@pytest.mark.django_db
def test_fault_redis_down_pages_still_render(client, applicant, redis_down, caplog):
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("account_login")).status_code == 200
    assert client.get(reverse("verify_form")).status_code == 200
    # Rate-limited (its counter lives in the cache): an unknown number is simply not found.
    unknown = new_number("api", 2026)
    assert client.get(reverse("verify", args=[unknown])).status_code == 404
    client.force_login(applicant.user)
    assert client.get(reverse("portal:home"), follow=True).status_code == 200
    assert "Exception ignored" in caplog.text  # the cache was really down, and said so


@pytest.mark.django_db
def test_fault_redis_down_sign_in_still_works(client, applicant, redis_down):
    from tests.accounts.factories import PASSWORD

    response = client.post(
        reverse("account_login"), {"login": applicant.user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_fault_redis_down_submission_saves_and_is_finished_once_back(
    client, applicant, redis_down, django_capture_on_commit_callbacks
):
    application = with_all_documents(started(applicant))
    client.force_login(applicant.user)
    with django_capture_on_commit_callbacks(execute=True):  # the hand-off to Celery fails
        response = client.post(reverse("portal:application_submit", args=[application.reference]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Attestation.objects.filter(application=application).exists()

    # Redis is back: beat's next sweep issues what the lost message would have.
    attestations_sweep()
    attestations_sweep()
    assert Attestation.objects.filter(application=application, kind="deposit_receipt").count() == 1


@pytest.mark.usefixtures("redis_down")
def test_fault_redis_down_contact_form_limits_fail_open(settings):
    over_the_limit = settings.SUPPORT_CONTACT_RATE_LIMITS["PER_IP"] + 2
    assert all(
        contact_allowed(ip="203.0.113.5", email="a@example.org") for _ in range(over_the_limit)
    )


@pytest.mark.usefixtures("redis_down")
def test_fault_redis_down_is_logged_once_a_minute_not_once_per_operation(caplog):
    assert cache.get("a") is None
    cache.set("b", 1)
    assert cache.get_many(["c", "d"]) == {}
    assert caplog.text.count("Exception ignored") == 1


def test_fault_redis_once_a_minute_filter_attached_twice_still_logs_once(caplog, monkeypatch):
    """Logging configured twice in one process attaches two copies of the filter; the record
    the first lets through must reach the handlers."""
    monkeypatch.setattr("anef.cache._last_warning", 0.0)
    logger = logging.getLogger("anef.cache.test_twice")
    for _ in range(2):
        monkeypatch.setattr(logger, "filters", [*logger.filters, OncePerMinute()])
    logger.warning("Exception ignored")
    logger.warning("Exception ignored")
    assert caplog.text.count("Exception ignored") == 1
