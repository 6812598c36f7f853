"""The attestations app plugs into `applications` at start-up (attestations/subscriptions.py,
called by `AttestationsConfig.ready`): applications never imports it, so these tests prove the
plugs are in — a dossier's change enqueues its sweep on commit, and its pages get the blocks."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from applications import hooks
from applications import services as dossier
from attestations import subscriptions
from attestations.tasks import sweep_application
from tests.attestations.factories import renewal

TODAY = datetime.date.today()


@pytest.fixture
def enqueued(monkeypatch):
    """The dossiers whose sweep was handed to Celery (nothing is sent)."""
    calls: list[int] = []
    monkeypatch.setattr(sweep_application, "delay", calls.append)
    return calls


@pytest.fixture
def unsubscribed():
    """The attestations app's receiver disconnected for one test, then connected again."""
    assert hooks.dossier_changed.disconnect(dispatch_uid=subscriptions.SWEEP_ON_DOSSIER_CHANGE)
    yield
    subscriptions.subscribe()


@pytest.mark.django_db
def test_subscription_dossier_change_enqueues_its_sweep_after_commit(
    agent, enqueued, django_capture_on_commit_callbacks
):
    application = renewal(agent, today=TODAY, complete=False)
    with django_capture_on_commit_callbacks(execute=True):
        dossier.application_mark_complete(application=application, actor=agent)
        assert enqueued == []  # not before the change is committed
    assert enqueued == [application.pk]


@pytest.mark.django_db
def test_subscription_rolled_back_change_enqueues_nothing(
    agent, enqueued, django_capture_on_commit_callbacks
):
    application = renewal(agent, today=TODAY, complete=False)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        dossier.application_mark_complete(application=application, actor=agent)
        raise RuntimeError("the caller's transaction fails after the change")
    assert enqueued == []


@pytest.mark.django_db
@pytest.mark.usefixtures("unsubscribed")
def test_subscription_disconnected_dossier_change_enqueues_nothing(
    agent, enqueued, django_capture_on_commit_callbacks
):
    application = renewal(agent, today=TODAY, complete=False)
    with django_capture_on_commit_callbacks(execute=True):
        dossier.application_mark_complete(application=application, actor=agent)
    assert enqueued == []
    application.refresh_from_db()
    assert application.attestations_dirty  # the hourly sweep still finds it


@pytest.mark.django_db
def test_subscription_failing_receiver_does_not_fail_the_change(
    agent, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broker_down(application_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr(sweep_application, "delay", broker_down)
    application = renewal(agent, today=TODAY, complete=False)
    with django_capture_on_commit_callbacks(execute=True):
        done = dossier.application_mark_complete(application=application, actor=agent)
    assert done.status == "complete"
    assert "broker down" in caplog.text


@pytest.mark.django_db
def test_subscription_dossier_pages_get_the_attestation_blocks(agent):
    application = renewal(agent, today=TODAY)
    applicant = application.applicant
    # Theirs among the others (the message thread's, applications.views.messages).
    assert set(hooks.portal_home_panels.context(applicant, [application])) >= {
        "current_attestations",
        "renewal_risks",
    }
    assert set(hooks.portal_dossier_panels.context(applicant, application)) >= {
        "current_attestations",
        "renewal_risks",
    }
    assert set(hooks.backoffice_dossier_panels.context(agent, application)) >= {
        "attestation_rows",
        "renewal_risks",
    }


def test_subscription_panel_name_taken_by_another_provider_refused():
    panels = hooks.PagePanels("a page")
    panels.register("attestations", lambda user, subject: {})
    with pytest.raises(ImproperlyConfigured):
        panels.register("attestations", lambda user, subject: {})


def test_subscription_panels_giving_the_same_entry_refused():
    panels = hooks.PagePanels("a page")
    panels.register("one", lambda user, subject: {"rows": [1]})
    panels.register("other", lambda user, subject: {"rows": [2]})
    with pytest.raises(ImproperlyConfigured, match="rows"):
        panels.context(None, None)
