"""The dossier API (/api/v1/), corrections and error reports: the agent asks, the applicant
answers; the person reports an error, an agent of the dossier's prefecture answers."""

import datetime

import pytest
from django.utils import timezone

from applications import services
from applications.enums import ApplicationStatus
from applications.models import ErrorReport
from tests.applications.api_helpers import _assert_error, _filed, _refused, _status, _url
from tests.applications.factories import ApplicationFactory, pdf_upload

pytestmark = pytest.mark.django_db


# --- Applicant: create, upload, submit, read ----------------------------------------------------


def test_api_correction_answer_applicant(api_client, applicant, agent):
    application = _filed(applicant)
    services.correction_request_create(
        application=application,
        actor=agent,
        message="Le justificatif de domicile est illisible.",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    api_client.force_authenticate(applicant)
    detail = api_client.get(_url("application-detail", reference=application.reference)).json()
    assert detail["abilities"]["answer_correction"] is True
    assert detail["correction_requests"][0]["status"] == "open"
    response = api_client.post(
        _url("application-correction-answer", reference=application.reference),
        {"answer": "Voici une meilleure copie."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert response.json()["correction_requests"][0]["answer"] == "Voici une meilleure copie."


def test_api_error_report_create_applicant(api_client, applicant, agent):
    application = _refused(applicant, agent)
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-error-reports", reference=application.reference),
        {
            "category": "previous_card_handover",
            "description": "Ma carte m'a bien été remise.",
            "evidence": [pdf_upload("recu.pdf")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open"
    assert [doc["original_name"] for doc in body["evidence"]] == ["recu.pdf"]
    listed = api_client.get(_url("application-error-reports", reference=application.reference))
    assert [report["id"] for report in listed.json()] == [body["id"]]


def test_api_error_report_create_on_draft_applicant(api_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-error-reports", reference=application.reference),
        {"category": "other", "description": "Erreur"},
        format="json",
    )
    _assert_error(response, 400, "not_filed")
    assert not ErrorReport.objects.exists()


# --- Scoping: other people, other prefectures ---------------------------------------------------


def test_api_error_report_accept_other_prefecture_agent(api_client, applicant, agent, other_agent):
    application = _refused(applicant, agent)
    report = services.error_report_create(
        application=application, actor=applicant, category="other", description="Erreur"
    )
    api_client.force_authenticate(other_agent)
    response = api_client.post(
        _url("agent-error-report-accept", pk=report.pk), {"note": "ok"}, format="json"
    )
    _assert_error(response, 404, "not_found")
    report.refresh_from_db()
    assert report.status == "open"


# --- Agents -------------------------------------------------------------------------------------


def test_api_agent_application_request_correction_agent(api_client, applicant, agent):
    application = _filed(applicant)
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-application-request-correction", reference=application.reference),
        {
            "message": "Le justificatif de domicile a plus de 3 mois.",
            "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
            "document_types": ["proof_of_address"],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "correction_requested"
    assert body["correction_requests"][0]["document_types"][0]["code"] == "proof_of_address"


def test_api_agent_application_request_correction_past_deadline_agent(api_client, applicant, agent):
    application = _filed(applicant)
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-application-request-correction", reference=application.reference),
        {"message": "Corriger", "deadline": "2000-01-01"},
        format="json",
    )
    _assert_error(response, 400, "deadline")
    assert _status(application) == ApplicationStatus.SUBMITTED


def test_api_error_report_accept_agent(api_client, applicant, agent):
    application = _refused(applicant, agent)
    report = services.error_report_create(
        application=application, actor=applicant, category="other", description="Erreur"
    )
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-error-report-accept", pk=report.pk),
        {"note": "Corrigé.", "reopen": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert _status(application) == ApplicationStatus.COMPLETE


def test_api_error_report_reject_without_note_agent(api_client, applicant, agent):
    application = _refused(applicant, agent)
    report = services.error_report_create(
        application=application, actor=applicant, category="other", description="Erreur"
    )
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-error-report-reject", pk=report.pk), {"note": ""}, format="json"
    )
    _assert_error(response, 400, "reason_required")
    report.refresh_from_db()
    assert report.status == "open"
