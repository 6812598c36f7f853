"""The dossier API (/api/v1/agent/...), agents: the queue, one dossier, the instruction and
decision steps, only in the agent's own prefecture."""

import datetime

import pytest
from django.utils import timezone

from applications import services
from applications.enums import ApplicationStatus
from applications.models import ResidencePermit
from reference.enums import ProcedureKind
from reference.models import DecisionReason
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.api_helpers import (
    _assert_error,
    _complete,
    _filed,
    _fill_checklist,
    _status,
    _url,
)
from tests.applications.factories import ApplicationFactory, ResidencePermitFactory

pytestmark = pytest.mark.django_db


# --- Scoping: other people, other prefectures ---------------------------------------------------


def test_api_agent_application_read_other_prefecture_agent(api_client, applicant, other_agent):
    application = _filed(applicant)
    api_client.force_authenticate(other_agent)
    response = api_client.get(_url("agent-application-detail", reference=application.reference))
    _assert_error(response, 404, "not_found")


def test_api_agent_application_mark_complete_other_prefecture_agent(
    api_client, applicant, other_agent
):
    application = _filed(applicant)
    api_client.force_authenticate(other_agent)
    response = api_client.post(
        _url("agent-application-mark-complete", reference=application.reference)
    )
    _assert_error(response, 404, "not_found")
    assert _status(application) == ApplicationStatus.SUBMITTED


def test_api_agent_queue_other_prefecture_agent(api_client, applicant, other_agent):
    _filed(applicant)
    api_client.force_authenticate(other_agent)
    assert api_client.get(_url("agent-application-list")).json()["count"] == 0


# --- Agents -------------------------------------------------------------------------------------


def test_api_agent_queue_agent(api_client, agent, django_assert_max_num_queries):
    holder = ApplicantProfileFactory().user
    renewal = ApplicationFactory(
        applicant=holder,
        kind=ProcedureKind.RENEWAL,
        renews_permit=ResidencePermitFactory(holder=holder),
    )
    _fill_checklist(renewal)
    services.application_submit(application=renewal, actor=renewal.applicant)
    first = _filed(ApplicantProfileFactory().user)
    ApplicationFactory()  # a draft: not in the queue
    api_client.force_authenticate(agent)
    with django_assert_max_num_queries(6):
        body = api_client.get(_url("agent-application-list")).json()
    assert [item["reference"] for item in body["results"]] == [
        renewal.reference,
        first.reference,
    ]
    assert body["results"][0]["renews_permit_valid_until"] is not None


def test_api_agent_queue_filtered_agent(api_client, agent, applicant):
    filed = _filed(applicant)
    _complete(ApplicantProfileFactory().user, agent)
    api_client.force_authenticate(agent)
    body = api_client.get(_url("agent-application-list"), {"status": "submitted"}).json()
    assert [item["reference"] for item in body["results"]] == [filed.reference]


def test_api_agent_queue_bad_filter_agent(api_client, agent):
    api_client.force_authenticate(agent)
    response = api_client.get(
        _url("agent-application-list"), {"filed_from": "yesterday", "status": "lost"}
    )
    body = _assert_error(response, 400, "invalid")
    assert set(body["details"]) == {"filed_from", "status"}


def test_api_agent_application_read_agent(api_client, applicant, agent):
    application = _filed(applicant)
    other = ApplicationFactory(applicant=applicant, kind=ProcedureKind.CHANGE_OF_STATUS)
    api_client.force_authenticate(agent)
    body = api_client.get(_url("agent-application-detail", reference=application.reference)).json()
    assert body["applicant"]["user_id"] == applicant.pk
    assert body["applicant"]["postal_code"] == "75001"
    assert [item["reference"] for item in body["other_open_applications"]] == [other.reference]
    assert body["abilities"]["mark_complete"] is True
    assert body["abilities"]["submit"] is False


def test_api_agent_application_mark_complete_agent(api_client, applicant, agent):
    application = _filed(applicant)
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-application-mark-complete", reference=application.reference)
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "complete"


def test_api_agent_application_mark_complete_draft_agent(api_client, applicant, agent):
    application = ApplicationFactory(applicant=applicant)
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-application-mark-complete", reference=application.reference)
    )
    _assert_error(response, 409, "transition_not_allowed")
    assert _status(application) == ApplicationStatus.DRAFT


def test_api_agent_application_decide_favourable_agent(api_client, applicant, agent):
    application = _complete(applicant, agent)
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-application-decide-favourable", reference=application.reference)
    )
    assert response.status_code == 200
    assert response.json()["status"] == "favourable"
    assert response.json()["decision"]["reason"] is None


def test_api_agent_application_decide_unfavourable_agent(api_client, applicant, agent):
    application = _complete(applicant, agent)
    reason = DecisionReason.objects.filter(kind="refusal").first()
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-application-decide-unfavourable", reference=application.reference),
        {
            "reason": reason.code,
            "explanation": "La contribution à l'entretien de l'enfant n'est pas démontrée.",
            "legal_basis": reason.legal_basis,
            "remedies": reason.remedies_fr,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    decision = response.json()["decision"]
    assert response.json()["status"] == "unfavourable"
    assert decision["reason"]["code"] == reason.code
    # the catalogue's text, with the article of the ground asked for filled in
    assert decision["legal_basis"] == reason.legal_basis_for(application.ground)


def test_api_agent_application_decide_unfavourable_without_reasons_agent(
    api_client, applicant, agent
):
    application = _complete(applicant, agent)
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-application-decide-unfavourable", reference=application.reference),
        {},
        format="json",
    )
    body = _assert_error(response, 400, "invalid")
    assert {"reason", "explanation", "legal_basis", "remedies"} <= set(body["details"])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETE
    assert application.decision_reason is None
    assert not application.events.filter(kind="decided_unfavourable").exists()


def test_api_agent_application_decide_unfavourable_blank_explanation_agent(
    api_client, applicant, agent
):
    application = _complete(applicant, agent)
    reason = DecisionReason.objects.filter(kind="refusal").first()
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-application-decide-unfavourable", reference=application.reference),
        {"reason": reason.code, "explanation": " ", "legal_basis": "L. 432-1", "remedies": "x"},
        format="json",
    )
    _assert_error(response, 400, "reasons_incomplete")
    assert _status(application) == ApplicationStatus.COMPLETE


def test_api_agent_application_decide_unfavourable_closure_reason_agent(
    api_client, applicant, agent
):
    application = _complete(applicant, agent)
    closure = DecisionReason.objects.filter(kind="closure").first()
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-application-decide-unfavourable", reference=application.reference),
        {"reason": closure.code, "explanation": "x", "legal_basis": "y", "remedies": "z"},
        format="json",
    )
    _assert_error(response, 400, "reason_required")
    assert _status(application) == ApplicationStatus.COMPLETE


def test_api_agent_application_close_agent(api_client, applicant, agent):
    application = _filed(applicant)
    closure = DecisionReason.objects.filter(kind="closure").first()
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-application-close", reference=application.reference),
        {
            "reason": closure.code,
            "explanation": "Pas de réponse.",
            "legal_basis": closure.legal_basis,
            "remedies": closure.remedies_fr,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"


def test_api_agent_application_card_handed_over_agent(api_client, applicant, agent):
    application = _complete(applicant, agent)
    services.application_decide_favourable(application=application, actor=agent)
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-application-card-available", reference=application.reference)
    )
    assert response.json()["status"] == "card_available"
    today = timezone.localdate()
    response = api_client.post(
        _url("agent-application-card-handed-over", reference=application.reference),
        {
            "card_number": "FR9999999",
            "valid_from": today.isoformat(),
            "valid_until": (today + datetime.timedelta(days=365)).isoformat(),
            "handed_over_on": today.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed_card_handed_over"
    assert ResidencePermit.objects.filter(holder=applicant, number="FR9999999").exists()


def test_api_agent_application_card_handed_over_bad_dates_agent(api_client, applicant, agent):
    application = _complete(applicant, agent)
    services.application_decide_favourable(application=application, actor=agent)
    services.application_record_card_available(application=application, actor=agent)
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-application-card-handed-over", reference=application.reference),
        {
            "card_number": "FR9999999",
            "valid_from": "2025-01-01",
            "valid_until": "2024-01-01",
            "handed_over_on": "2025-01-01",
        },
        format="json",
    )
    _assert_error(response, 400, "permit_dates")
    assert _status(application) == ApplicationStatus.CARD_AVAILABLE
