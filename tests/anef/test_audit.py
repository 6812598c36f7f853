"""The audit log's plumbing (anef.audit): what an entry says of its actor comes from the
providers the apps register at start-up, so that anef imports no domain app."""

import pytest

from anef import audit
from tests.accounts.factories import ApplicantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_providers(monkeypatch):
    """Only the providers a test registers (accounts' own is registered at start-up)."""
    monkeypatch.setattr(audit, "_actor_details_providers", [])


def _provider(actor, instance):
    return {"seen_actor": actor.pk, "seen_instance": instance.pk}


def test_audit_action_registered_provider_details_recorded(no_providers):
    user = ApplicantFactory()
    audit.actor_details_provider_register(_provider)
    entry = audit.audit_action(instance=user, actor=user, action="test")
    assert entry.additional_data == {
        "action": "test",
        "seen_actor": user.pk,
        "seen_instance": user.pk,
    }


def test_audit_action_caller_details_win_over_provider(no_providers):
    user = ApplicantFactory()
    audit.actor_details_provider_register(_provider)
    entry = audit.audit_action(instance=user, actor=user, action="test", details={"seen_actor": 0})
    assert entry.additional_data["seen_actor"] == 0


def test_audit_provider_registered_twice_asked_once(no_providers):
    calls = []

    def counting(actor, instance):
        calls.append(actor)
        return {}

    audit.actor_details_provider_register(counting)
    audit.actor_details_provider_register(counting)
    user = ApplicantFactory()
    audit.audit_action(instance=user, actor=user, action="test")
    assert calls == [user]
