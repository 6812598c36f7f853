"""A new policy or a ground moved on or off the list of titles renewed online sends the dossiers
concerned back to the sweep (attestations.inputs): the sweep no longer rereads every dossier each
day, so nothing else would make it look at them again."""

import datetime

import pytest

from applications.models import Application
from attestations.inputs import attestation_inputs_check, inputs_in_force
from attestations.models import AttestationInputSeen
from attestations.services import attestations_sweep
from attestations.tasks import sweep_attestations
from reference.models import Ground
from tests.attestations.factories import paris_agent, renewal

TODAY = datetime.date.today()
ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture
def agent(reference_data):
    return paris_agent()


def _dirty(application) -> bool:
    application.refresh_from_db()
    return application.attestations_dirty


def _swept_and_seen(application) -> None:
    attestation_inputs_check()
    attestations_sweep(today=TODAY)
    assert not _dirty(application)


@pytest.mark.django_db
def test_inputs_check_nothing_changed_marks_nothing(agent):
    application = renewal(agent, today=TODAY)
    _swept_and_seen(application)
    report = attestation_inputs_check()
    assert (report.policy_changed, report.grounds_changed, report.dossiers_marked) == (
        False,
        [],
        0,
    )
    assert not _dirty(application)


@pytest.mark.django_db
def test_inputs_check_new_policy_marks_swept_dossier_dirty(agent, settings):
    application = renewal(agent, today=TODAY)
    _swept_and_seen(application)
    settings.ATTESTATION_POLICY = {**settings.ATTESTATION_POLICY, "API_LEAD_DAYS": 30}
    report = attestation_inputs_check()
    assert report.policy_changed and report.dossiers_marked == 1
    assert _dirty(application)


@pytest.mark.django_db
def test_inputs_check_new_lead_time_issues_the_api_on_the_new_day(agent, settings):
    application = renewal(agent, today=TODAY, expires_in_days=70)
    _swept_and_seen(application)
    expiry = application.renews_permit.valid_until
    settings.ATTESTATION_POLICY = {**settings.ATTESTATION_POLICY, "API_LEAD_DAYS": 30}
    attestation_inputs_check()
    # Swept under the old policy, the dossier's next look was 15 days ahead of the expiry.
    report = attestations_sweep(today=expiry - 29 * ONE_DAY)
    assert report.issued == 1
    assert application.attestations.filter(kind="api").exists()


@pytest.mark.django_db
def test_inputs_check_ground_change_marks_only_that_grounds_dossiers(agent):
    salaried = renewal(agent, today=TODAY)
    other = renewal(agent, today=TODAY)
    other_ground = Ground.objects.exclude(code="salaried_worker").first()
    Application.objects.filter(pk=other.pk).update(ground=other_ground)
    other.renews_permit.ground = other_ground
    other.renews_permit.save()
    _swept_and_seen(salaried)
    assert not _dirty(other)
    Ground.objects.filter(code="salaried_worker").update(
        renewed_online=not Ground.objects.get(code="salaried_worker").renewed_online
    )
    report = attestation_inputs_check()
    assert report.grounds_changed == ["salaried_worker"] and not report.policy_changed
    assert _dirty(salaried)
    assert not _dirty(other)


@pytest.mark.django_db
def test_inputs_check_settled_dossier_is_not_marked(agent, settings):
    application = renewal(agent, today=TODAY)
    _swept_and_seen(application)
    Application.objects.filter(pk=application.pk).update(
        status="closed_card_handed_over", attestations_swept_on=datetime.date(9999, 12, 31)
    )
    settings.ATTESTATION_POLICY = {**settings.ATTESTATION_POLICY, "API_LEAD_DAYS": 30}
    assert attestation_inputs_check().dossiers_marked == 0
    assert not _dirty(application)


@pytest.mark.django_db
def test_inputs_check_records_what_it_saw_once(agent, settings):
    renewal(agent, today=TODAY)
    attestation_inputs_check()
    seen = dict(AttestationInputSeen.objects.values_list("key", "fingerprint"))
    assert "policy" in seen and "ground:salaried_worker" in seen
    settings.ATTESTATION_POLICY = {**settings.ATTESTATION_POLICY, "API_LEAD_DAYS": 30}
    attestation_inputs_check()
    assert AttestationInputSeen.objects.filter(key="policy").count() == 1
    assert AttestationInputSeen.objects.get(key="policy").fingerprint != seen["policy"]


@pytest.mark.django_db
def test_sweep_task_checks_the_inputs_before_sweeping(agent, settings):
    application = renewal(agent, today=TODAY)
    _swept_and_seen(application)
    settings.ATTESTATION_POLICY = {**settings.ATTESTATION_POLICY, "API_LEAD_DAYS": 30}
    sweep_attestations(shards=1)
    assert (
        AttestationInputSeen.objects.get(key="policy").fingerprint == (inputs_in_force()["policy"])
    )
    application.refresh_from_db()
    assert application.attestations_swept_on == TODAY
