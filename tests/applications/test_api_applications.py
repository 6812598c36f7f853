"""The dossier API (/api/v1/), applications: start, read, list, timeline, submit, withdraw,
the catalogue of grounds, tokens; every error a JSON body with a code and a message."""

import pytest
from rest_framework.authtoken.models import Token

from applications import services
from applications.enums import ApplicationStatus
from applications.models import Application
from applications.selectors import application_checklist
from reference.enums import ProcedureKind
from tests.accounts.factories import ApplicantFactory, HelperFactory
from tests.applications.api_helpers import (
    _assert_error,
    _filed,
    _fill_checklist,
    _refused,
    _status,
    _url,
)
from tests.applications.factories import ApplicationFactory, ResidencePermitFactory, pdf_upload

pytestmark = pytest.mark.django_db


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


# --- Roles: contact centre, applicants on agent routes, anonymous --------------------------------


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
