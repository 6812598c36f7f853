"""The dossier API (/api/v1/), every route at once: who may use which (roles table), and never
a 500 on bad input."""

import json

import pytest

from applications import services
from applications.api.urls import urlpatterns
from applications.models import ErrorReport
from tests.accounts.factories import ContactCentreAgentFactory
from tests.applications.api_helpers import _assert_error, _refused, _url

pytestmark = pytest.mark.django_db


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
        # The workbench (issue 20)
        *(
            ("get", f"agent-workbench-{scope}", _url(f"agent-workbench-{scope}"))
            for scope in ("mine", "unassigned", "followed")
        ),
        ("get", "agent-application-notes", _url("agent-application-notes", **ref)),
        ("post", "agent-application-notes", _url("agent-application-notes", **ref)),
        ("post", "agent-application-assign", _url("agent-application-assign", **ref)),
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
