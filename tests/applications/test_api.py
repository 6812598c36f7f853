"""The dossier API (/api/v1/): same scoping, abilities and services as the pages; every error is
a JSON body with a code and a message, never a 500."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from applications import services
from applications.api.urls import urlpatterns
from applications.enums import ApplicationStatus, ProcedureKind
from applications.models import (
    Application,
    DecisionReason,
    Document,
    DocumentType,
    ErrorReport,
    Prefecture,
    ResidencePermit,
)
from applications.selectors import application_checklist
from tests.accounts.factories import (
    ApplicantFactory,
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    HelperFactory,
    PrefectureAgentFactory,
)
from tests.applications.factories import (
    PNG_BYTES,
    ApplicationFactory,
    ResidencePermitFactory,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

EXECUTABLE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


# --- Fixtures and helpers -----------------------------------------------------------------------


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def applicant(reference_data):
    """An applicant living in Paris (prefecture 75)."""
    return ApplicantProfileFactory().user


@pytest.fixture
def agent(reference_data):
    return PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="75"))


@pytest.fixture
def other_agent(reference_data):
    return PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="69"))


def _fill_checklist(application: Application) -> None:
    for item in application_checklist(application):
        if item.requirement.mandatory and not item.documents:
            services.document_add(
                application=application,
                document_type=item.requirement.document_type,
                uploaded_file=pdf_upload(f"{item.requirement.document_type.code}.pdf"),
                actor=application.applicant,
            )


def _filed(applicant) -> Application:
    application = ApplicationFactory(applicant=applicant)
    _fill_checklist(application)
    return services.application_submit(application=application, actor=applicant)


def _complete(applicant, agent) -> Application:
    return services.application_mark_complete(application=_filed(applicant), actor=agent)


def _refused(applicant, agent) -> Application:
    reason = DecisionReason.objects.filter(kind="refusal").first()
    return services.application_decide_unfavourable(
        application=_complete(applicant, agent),
        actor=agent,
        reason=reason,
        explanation="Les conditions ne sont pas remplies.",
        legal_basis=reason.legal_basis,
        remedies=reason.remedies_fr,
    )


def _url(name: str, **kwargs) -> str:
    return reverse(f"api:{name}", kwargs=kwargs)


def _assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


def _status(application: Application) -> str:
    return Application.objects.get(pk=application.pk).status


# --- Applicant: create, upload, submit, read ----------------------------------------------------


def test_api_application_create_applicant(api_client, applicant):
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-list"),
        {"ground": "parent_of_french_child", "kind": "first_application"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["prefecture"]["departement_code"] == "75"
    assert "passport" in body["missing_documents"]
    assert body["abilities"]["edit_documents"] is True
    assert response["Location"] == _url("application-detail", reference=body["reference"])
    assert Application.objects.get(reference=body["reference"]).applicant == applicant


def test_api_document_upload_applicant(api_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-documents", reference=application.reference),
        {"document_type": "passport", "files": [pdf_upload("p1.pdf"), pdf_upload("p2.pdf")]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert [doc["original_name"] for doc in response.json()] == ["p1.pdf", "p2.pdf"]
    assert application.documents.filter(document_type__code="passport").count() == 2


def test_api_application_submit_applicant(api_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    api_client.force_authenticate(applicant)
    for item in application_checklist(application):
        if item.requirement.mandatory:
            response = api_client.post(
                _url("application-documents", reference=application.reference),
                {"document_type": item.requirement.document_type.code, "files": pdf_upload()},
                format="multipart",
            )
            assert response.status_code == 201, response.content
    response = api_client.post(_url("application-submit", reference=application.reference))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["filed_at"] is not None
    assert body["missing_documents"] == []


def test_api_application_submit_incomplete_applicant(api_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    api_client.force_authenticate(applicant)
    response = api_client.post(_url("application-submit", reference=application.reference))
    body = _assert_error(response, 400, "missing_documents")
    assert "passport" in body["details"]["missing"]
    assert _status(application) == ApplicationStatus.DRAFT


def test_api_application_read_applicant(api_client, applicant, agent):
    application = _refused(applicant, agent)
    api_client.force_authenticate(applicant)
    body = api_client.get(_url("application-detail", reference=application.reference)).json()
    assert body["status"] == "unfavourable"
    assert body["status_summary"]["where"]
    assert all(item["satisfied"] for item in body["checklist"] if item["mandatory"])
    assert body["decision"]["reason"]["code"] == application.decision_reason.code
    assert body["decision"]["explanation"] == "Les conditions ne sont pas remplies."
    assert body["decision"]["legal_basis"]
    assert body["decision"]["remedies"]
    assert body["abilities"]["report_error"] is True
    assert body["abilities"]["decide_favourable"] is False


def test_api_application_list_applicant(api_client, applicant, django_assert_max_num_queries):
    own = [
        ApplicationFactory(applicant=applicant),
        ApplicationFactory(applicant=applicant, kind=ProcedureKind.CHANGE_OF_STATUS),
        ApplicationFactory(
            applicant=applicant,
            kind=ProcedureKind.RENEWAL,
            renews_permit=ResidencePermitFactory(holder=applicant),
        ),
    ]
    ApplicationFactory()  # someone else's
    api_client.force_authenticate(applicant)
    with django_assert_max_num_queries(6):
        body = api_client.get(_url("application-list")).json()
    assert body["count"] == 3
    assert {item["reference"] for item in body["results"]} == {a.reference for a in own}


def test_api_application_events_applicant(api_client, applicant):
    application = _filed(applicant)
    api_client.force_authenticate(applicant)
    events = api_client.get(_url("application-events", reference=application.reference)).json()
    kinds = [event["kind"] for event in events]
    assert kinds[0] == "document_added"
    assert kinds[-2:] == ["submitted", "deposit_receipt"]
    added = next(event for event in events if event["kind"] == "document_added")
    assert "passport.pdf" in added["text"]
    assert all(event["text"] for event in events)


def test_api_document_file_applicant(api_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    document = services.document_add(
        application=application,
        document_type=DocumentType.objects.get(code="passport"),
        uploaded_file=SimpleUploadedFile("photo.png", PNG_BYTES),
        actor=applicant,
    )
    api_client.force_authenticate(applicant)
    response = api_client.get(_url("document-file", pk=document.pk), HTTP_ACCEPT="image/png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG_BYTES


def test_api_document_delete_applicant(api_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    document = services.document_add(
        application=application,
        document_type=DocumentType.objects.get(code="passport"),
        uploaded_file=pdf_upload(),
        actor=applicant,
    )
    api_client.force_authenticate(applicant)
    response = api_client.delete(_url("document-detail", pk=document.pk))
    assert response.status_code == 204
    assert not Document.objects.filter(pk=document.pk).exists()


def test_api_document_delete_last_file_of_filed_applicant(api_client, applicant):
    application = _filed(applicant)
    document = application.documents.filter(document_type__code="passport").get()
    api_client.force_authenticate(applicant)
    _assert_error(api_client.delete(_url("document-detail", pk=document.pk)), 400, "last_file")
    assert Document.objects.filter(pk=document.pk).exists()


def test_api_application_withdraw_applicant(api_client, applicant):
    application = _filed(applicant)
    api_client.force_authenticate(applicant)
    response = api_client.post(_url("application-withdraw", reference=application.reference))
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


def test_api_application_withdraw_twice_applicant(api_client, applicant):
    application = _filed(applicant)
    services.application_withdraw(application=application, actor=applicant)
    api_client.force_authenticate(applicant)
    response = api_client.post(_url("application-withdraw", reference=application.reference))
    body = _assert_error(response, 409, "transition_not_allowed")
    assert body["details"] == {"action": "withdraw", "status": "withdrawn"}


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


def test_api_permit_declare_applicant(api_client, applicant):
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("permit-list"),
        {
            "number": "fr1234567",
            "card_type": "temporary",
            "valid_from": "2024-01-01",
            "valid_until": "2025-01-01",
            "ground": "parent_of_french_child",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["number"] == "FR1234567"
    listed = api_client.get(_url("permit-list")).json()
    assert [permit["number"] for permit in listed["results"]] == ["FR1234567"]


def test_api_permit_declare_duplicate_applicant(api_client, applicant):
    ResidencePermitFactory(holder=applicant, number="FR1234567")
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("permit-list"),
        {
            "number": "FR1234567",
            "card_type": "temporary",
            "valid_from": "2024-01-01",
            "valid_until": "2025-01-01",
        },
        format="json",
    )
    _assert_error(response, 409, "permit_duplicate")


def test_api_application_create_renewal_applicant(api_client, applicant):
    permit = ResidencePermitFactory(holder=applicant)
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-list"),
        {
            "ground": "parent_of_french_child",
            "kind": "renewal",
            "renews_permit": permit.pk,
            "requested_card": "multi_year",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["renews_permit"]["number"] == permit.number
    assert response.json()["requested_card"] == "multi_year"


def test_api_application_create_renewal_of_other_applicant_permit(api_client, applicant):
    permit = ResidencePermitFactory()  # someone else's card
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-list"),
        {"ground": "parent_of_french_child", "kind": "renewal", "renews_permit": permit.pk},
        format="json",
    )
    body = _assert_error(response, 400, "invalid")
    assert "renews_permit" in body["details"]
    assert not Application.objects.exists()


def test_api_profile_address_change_applicant(api_client, applicant):
    application = _filed(applicant)
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("profile-address"),
        {"address_line": "3 rue de la République", "postal_code": "69002", "city": "Lyon"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["transferred_applications"] == [application.reference]
    application.refresh_from_db()
    assert application.prefecture.departement_code == "69"


def test_api_profile_address_change_unknown_postal_code_applicant(api_client, applicant):
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("profile-address"),
        {"address_line": "1 rue", "postal_code": "00000", "city": "Nulle part"},
        format="json",
    )
    _assert_error(response, 400, "no_prefecture")
    applicant.applicant_profile.refresh_from_db()
    assert applicant.applicant_profile.postal_code == "75001"


def test_api_ground_list_anonymous(api_client, reference_data):
    response = api_client.get(_url("ground-list"))
    assert response.status_code == 200
    grounds = {ground["code"]: ground for ground in response.json()}
    parent = grounds["parent_of_french_child"]
    assert parent["ceseda_article"] == "L. 423-7"
    assert "passport" in [req["document_type"]["code"] for req in parent["requirements"]]


# --- Errors: duplicates, files, bad input -------------------------------------------------------


def test_api_application_create_duplicate_applicant(api_client, applicant):
    existing = ApplicationFactory(applicant=applicant)
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-list"),
        {"ground": "parent_of_french_child", "kind": "first_application"},
        format="json",
    )
    body = _assert_error(response, 409, "duplicate")
    assert body["details"]["reference"] == existing.reference
    assert existing.reference in body["message"]
    assert Application.objects.count() == 1


def test_api_document_upload_executable_applicant(api_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-documents", reference=application.reference),
        {
            "document_type": "passport",
            "files": SimpleUploadedFile(
                "passeport.pdf", EXECUTABLE_BYTES, content_type="application/pdf"
            ),
        },
        format="multipart",
    )
    body = _assert_error(response, 400, "file_type")
    assert "passeport.pdf" in body["message"]
    assert body["details"]["name"] == "passeport.pdf"
    assert not application.documents.exists()


def test_api_document_upload_one_bad_file_keeps_none_applicant(api_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-documents", reference=application.reference),
        {
            "document_type": "passport",
            "files": [pdf_upload("good.pdf"), SimpleUploadedFile("bad.pdf", EXECUTABLE_BYTES)],
        },
        format="multipart",
    )
    body = _assert_error(response, 400, "file_type")
    assert "bad.pdf" in body["message"]
    assert not application.documents.exists()


def test_api_document_upload_too_large_applicant(api_client, applicant, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    application = ApplicationFactory(applicant=applicant)
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-documents", reference=application.reference),
        {"document_type": "passport", "files": pdf_upload("big.pdf", b"%PDF-1.4\n" * 500)},
        format="multipart",
    )
    body = _assert_error(response, 400, "file_too_large")
    assert "big.pdf" in body["message"]


def test_api_document_upload_unknown_type_applicant(api_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-documents", reference=application.reference),
        {"document_type": "no_such_piece", "files": pdf_upload()},
        format="multipart",
    )
    body = _assert_error(response, 400, "invalid")
    assert "document_type" in body["details"]


def test_api_document_upload_without_file_applicant(api_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-documents", reference=application.reference),
        {"document_type": "passport", "files": "not a file"},
        format="multipart",
    )
    body = _assert_error(response, 400, "invalid")
    assert "files" in body["details"]


def test_api_document_upload_as_json_applicant(api_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-documents", reference=application.reference),
        {"document_type": "passport", "files": ["x"]},
        format="json",
    )
    _assert_error(response, 415, "unsupported_media_type")


def test_api_application_create_malformed_json_applicant(api_client, applicant):
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-list"), data='{"ground": ', content_type="application/json"
    )
    _assert_error(response, 400, "parse_error")


@pytest.mark.parametrize(
    "payload",
    [
        {"ground": 12, "kind": ["renewal"], "renews_permit": "abc", "requested_card": {}},
        {"ground": {"code": "x"}, "kind": None},
        {"ground": "no_such_ground", "kind": "first_application"},
        {"ground": "parent_of_french_child", "kind": "first_application", "renews_permit": 1e30},
        [1, 2, 3],
        "just a string",
        {},
    ],
)
def test_api_application_create_wrong_types_applicant(api_client, applicant, payload):
    api_client.force_authenticate(applicant)
    response = api_client.post(_url("application-list"), payload, format="json")
    _assert_error(response, 400, "invalid")
    assert not Application.objects.exists()


def test_api_application_create_procedure_not_offered_applicant(api_client, applicant):
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-list"),
        {"ground": "parent_of_french_child", "kind": "duplicate"},
        format="json",
    )
    _assert_error(response, 400, "procedure_not_offered")


def test_api_application_create_without_profile_applicant(api_client, reference_data):
    api_client.force_authenticate(ApplicantFactory())
    response = api_client.post(
        _url("application-list"),
        {"ground": "parent_of_french_child", "kind": "first_application"},
        format="json",
    )
    _assert_error(response, 400, "profile_missing")


def test_api_application_method_not_allowed_applicant(api_client, applicant):
    api_client.force_authenticate(applicant)
    _assert_error(api_client.put(_url("application-list"), {}, format="json"), 405)


# --- Scoping: other people, other prefectures ---------------------------------------------------


def test_api_application_read_other_applicant(api_client, applicant):
    other = ApplicationFactory()
    api_client.force_authenticate(applicant)
    response = api_client.get(_url("application-detail", reference=other.reference))
    _assert_error(response, 404, "not_found")


def test_api_application_submit_other_applicant(api_client, applicant):
    other = ApplicationFactory()
    _fill_checklist(other)
    api_client.force_authenticate(applicant)
    response = api_client.post(_url("application-submit", reference=other.reference))
    _assert_error(response, 404, "not_found")
    assert _status(other) == ApplicationStatus.DRAFT


def test_api_document_read_other_applicant(api_client, applicant):
    other = _filed(ApplicantProfileFactory().user)
    document = other.documents.first()
    api_client.force_authenticate(applicant)
    _assert_error(api_client.get(_url("document-file", pk=document.pk)), 404, "not_found")


def test_api_document_delete_other_applicant(api_client, applicant):
    other = ApplicationFactory()
    _fill_checklist(other)
    document = other.documents.first()
    api_client.force_authenticate(applicant)
    _assert_error(api_client.delete(_url("document-detail", pk=document.pk)), 404, "not_found")
    assert Document.objects.filter(pk=document.pk).exists()


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


def test_api_document_read_other_prefecture_agent(api_client, applicant, other_agent):
    document = _filed(applicant).documents.first()
    api_client.force_authenticate(other_agent)
    _assert_error(api_client.get(_url("document-file", pk=document.pk)), 404, "not_found")


def test_api_agent_queue_other_prefecture_agent(api_client, applicant, other_agent):
    _filed(applicant)
    api_client.force_authenticate(other_agent)
    assert api_client.get(_url("agent-application-list")).json()["count"] == 0


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


def test_api_foreigner_number_attach_other_prefecture_agent(api_client, applicant, other_agent):
    _filed(applicant)
    api_client.force_authenticate(other_agent)
    response = api_client.post(
        _url("agent-profile-foreigner-number", user_id=applicant.pk),
        {"number": "1234567890"},
        format="json",
    )
    _assert_error(response, 404, "not_found")


# --- Roles: contact centre, applicants on agent routes, anonymous --------------------------------


@pytest.fixture
def routes(applicant, agent):
    """(method, url name, url) of every dossier endpoint, on real objects, so that only the
    role decides."""
    application = _refused(applicant, agent)
    document = application.documents.first()
    report = services.error_report_create(
        application=application, actor=applicant, category="other", description="Erreur"
    )
    ref = {"reference": application.reference}
    applicant_routes = [
        ("get", "application-list", _url("application-list")),
        ("post", "application-list", _url("application-list")),
        ("get", "application-detail", _url("application-detail", **ref)),
        ("post", "application-submit", _url("application-submit", **ref)),
        ("post", "application-withdraw", _url("application-withdraw", **ref)),
        ("post", "application-correction-answer", _url("application-correction-answer", **ref)),
        ("get", "application-documents", _url("application-documents", **ref)),
        ("post", "application-documents", _url("application-documents", **ref)),
        ("get", "application-error-reports", _url("application-error-reports", **ref)),
        ("post", "application-error-reports", _url("application-error-reports", **ref)),
        ("get", "application-events", _url("application-events", **ref)),
        ("delete", "document-detail", _url("document-detail", pk=document.pk)),
        ("get", "document-file", _url("document-file", pk=document.pk)),
        ("get", "permit-list", _url("permit-list")),
        ("post", "permit-list", _url("permit-list")),
        ("post", "profile-address", _url("profile-address")),
    ]
    agent_routes = [
        ("get", "agent-application-list", _url("agent-application-list")),
        ("get", "agent-application-detail", _url("agent-application-detail", **ref)),
        *(
            ("post", f"agent-application-{action}", _url(f"agent-application-{action}", **ref))
            for action in (
                "mark-complete",
                "request-correction",
                "decide-favourable",
                "decide-unfavourable",
                "close",
                "card-available",
                "card-handed-over",
            )
        ),
        ("post", "agent-error-report-accept", _url("agent-error-report-accept", pk=report.pk)),
        ("post", "agent-error-report-reject", _url("agent-error-report-reject", pk=report.pk)),
        (
            "post",
            "agent-profile-foreigner-number",
            _url("agent-profile-foreigner-number", user_id=applicant.pk),
        ),
    ]
    return {"applicant": applicant_routes, "agent": agent_routes}


PUBLIC_ROUTES = {("get", "ground-list")}


def test_api_routes_table_is_complete(routes):
    """Every method of every dossier endpoint has a row: a new route must say who may use it."""
    served = {
        (method, pattern.name)
        for pattern in urlpatterns
        for method in ("get", "post", "put", "patch", "delete")
        if hasattr(pattern.callback.cls, method)
    }
    table = {(method, name) for method, name, _url in routes["applicant"] + routes["agent"]}
    assert served == table | PUBLIC_ROUTES


def test_api_routes_contact_centre_agent(api_client, routes):
    api_client.force_authenticate(ContactCentreAgentFactory())
    for method, _name, url in routes["applicant"] + routes["agent"]:
        response = getattr(api_client, method)(url, {}, format="json")
        _assert_error(response, 403, "permission_denied")


def test_api_routes_anonymous(api_client, routes):
    for method, _name, url in routes["applicant"] + routes["agent"]:
        response = getattr(api_client, method)(url, {}, format="json")
        _assert_error(response, 401, "not_authenticated")
        assert response["WWW-Authenticate"] == "Token"


def test_api_agent_routes_applicant(api_client, applicant, routes):
    api_client.force_authenticate(applicant)
    for method, _name, url in routes["agent"]:
        response = getattr(api_client, method)(url, {}, format="json")
        _assert_error(response, 403, "permission_denied")


def test_api_applicant_routes_agent(api_client, agent, routes):
    api_client.force_authenticate(agent)
    for method, _name, url in routes["applicant"]:
        if url.endswith("/file/"):
            continue  # agents of the prefecture may download the dossier's files
        response = getattr(api_client, method)(url, {}, format="json")
        _assert_error(response, 403, "permission_denied")


@pytest.mark.parametrize("route", ["application-list", "permit-list"])
def test_api_application_and_permit_create_helper(api_client, reference_data, route):
    """A helper says for whom they act (under a mandate: tests/applications/
    test_mandate_access.py); without it, a clear refusal."""
    api_client.force_authenticate(HelperFactory())
    payload = (
        {"ground": "student", "kind": "first_application"}
        if route == "application-list"
        else {
            "number": "X1",
            "card_type": "temporary",
            "valid_from": "2025-01-01",
            "valid_until": "2026-01-01",
        }
    )
    response = api_client.post(_url(route), payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    body = _assert_error(response, 400, "on_behalf_of_required")
    assert "on_behalf_of" in body["message"]


def test_api_application_list_browsable_applicant(client, applicant):
    client.force_login(applicant)
    response = client.get(_url("application-list"), headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]


def test_api_application_list_token_applicant(api_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    token = Token.objects.create(user=applicant)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = api_client.get(_url("application-list")).json()
    assert [item["reference"] for item in body["results"]] == [application.reference]


def test_api_application_list_bad_token_anonymous(api_client, reference_data):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    _assert_error(api_client.get(_url("application-list")), 401, "authentication_failed")


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
    assert decision["legal_basis"] == reason.legal_basis


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


def test_api_foreigner_number_attach_agent(api_client, agent, reference_data):
    profile = ApplicantProfileFactory(foreigner_number=None)
    _filed(profile.user)
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-profile-foreigner-number", user_id=profile.user_id),
        {"number": "1234567890"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"user_id": profile.user_id, "foreigner_number": "1234567890"}


def test_api_foreigner_number_attach_taken_agent(api_client, agent, reference_data):
    ApplicantProfileFactory(foreigner_number="1234567890")
    profile = ApplicantProfileFactory(foreigner_number=None)
    _filed(profile.user)
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-profile-foreigner-number", user_id=profile.user_id),
        {"number": "1234567890"},
        format="json",
    )
    _assert_error(response, 409, "foreigner_number_taken")


def test_api_foreigner_number_attach_invalid_agent(api_client, agent, reference_data):
    profile = ApplicantProfileFactory(foreigner_number=None)
    _filed(profile.user)
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-profile-foreigner-number", user_id=profile.user_id),
        {"number": ["12"]},
        format="json",
    )
    _assert_error(response, 400, "invalid")


# --- Never a 500 on bad input ---------------------------------------------------------------------

_FIELDS = [
    *("ground", "kind", "renews_permit", "requested_card", "document_type", "files", "answer"),
    *("category", "description", "evidence", "number", "card_type", "valid_from", "valid_until"),
    *("handed_over", "handed_over_on", "address_line", "postal_code", "city", "message"),
    *("deadline", "document_types", "reason", "explanation", "legal_basis", "remedies"),
    *("card_number", "note", "reopen"),
]
GARBAGE_BODIES = [
    ("application/json", b'{"ground": '),
    ("application/json", b"[1, 2]"),
    ("application/json", b"null"),
    ("application/json", b'"text"'),
    ("application/json", b"\xff\xfe not utf-8"),
    ("application/json", json.dumps({name: [{"x": None}] for name in _FIELDS}).encode()),
    ("application/json", json.dumps(dict.fromkeys(_FIELDS, 10**30)).encode()),
    ("application/json", json.dumps(dict.fromkeys(_FIELDS, "9" * 5000)).encode()),
    ("application/json", json.dumps(dict.fromkeys(_FIELDS, True)).encode()),
    ("text/plain", b"hello"),
    ("multipart/form-data; boundary=xyz", b"--xyz\r\ngarbage"),
    ("multipart/form-data", b"no boundary"),
]


def _post_garbage(api_client, urls):
    for _method, _name, url in urls:
        for content_type, body in GARBAGE_BODIES:
            response = api_client.generic("POST", url, body, content_type=content_type)
            assert response.status_code < 500, (url, body, response.content)
            if response.status_code >= 400:
                _assert_error(response, response.status_code)


def test_api_routes_garbage_input_applicant(api_client, applicant, routes):
    api_client.force_authenticate(applicant)
    _post_garbage(api_client, [route for route in routes["applicant"] if route[0] == "post"])


def test_api_routes_garbage_input_agent(api_client, agent, routes):
    api_client.force_authenticate(agent)
    _post_garbage(api_client, [route for route in routes["agent"] if route[0] == "post"])


@pytest.mark.parametrize("pk", ["99999999999999999999999999", "0"])
def test_api_document_file_out_of_range_id_applicant(api_client, applicant, pk):
    api_client.force_authenticate(applicant)
    _assert_error(api_client.get(f"/api/v1/documents/{pk}/file/"), 404, "not_found")


def test_api_agent_queue_garbage_filters_agent(api_client, agent):
    api_client.force_authenticate(agent)
    response = api_client.get(
        _url("agent-application-list"),
        {"search": "x" * 5000, "order": "random", "page": "last-but-one", "kind": "\x00"},
    )
    assert response.status_code in (400, 404)
    _assert_error(response, response.status_code)


@pytest.mark.parametrize("body_format", ["multipart", "json"])
def test_api_error_report_create_huge_body_applicant(api_client, applicant, agent, body_format):
    application = _refused(applicant, agent)
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("application-error-reports", reference=application.reference),
        {"category": "other", "description": "x" * 3_000_000},
        format=body_format,
    )
    _assert_error(response, 413, "request_too_large")
    assert not ErrorReport.objects.exists()
