"""The one domain error (anef.errors), its API answer (anef.api_errors) and its page helper
(anef.page_errors): a refusal keeps its code, message, details and status on every door."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.base import SessionBase
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from anef.api_errors import exception_handler
from anef.errors import DomainError
from anef.page_errors import show_refusal
from support.workflow import WORKFLOW as TICKET_WORKFLOW
from support.workflow import TicketTransitionNotAllowed
from tests.accounts.factories import MandateFactory

pytestmark = pytest.mark.django_db


def _api(user, **kwargs) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", **kwargs)
    client.force_authenticate(user)
    return client


# --- The error and its status --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("duplicate", 409),
        ("permit_duplicate", 409),
        ("foreigner_number_taken", 409),
        ("slot_full", 409),
        ("already_revoked", 409),
        ("forbidden", 403),
        ("not_yours", 403),
        ("link_other_account", 403),
        ("unknown_link", 404),
        ("empty_message", 400),
        ("slot_past", 400),
    ],
)
def test_errors_domain_error_status_by_code_family(code, status):
    assert DomainError(code, "Refused.").http_status == status


def test_errors_domain_error_status_given_by_raiser_wins():
    assert DomainError("empty_message", "Refused.", http_status=409).http_status == 409


def test_errors_domain_error_keeps_params():
    error = DomainError("duplicate", "Refused.", reference="AB12")
    assert (error.code, error.message, error.params) == (
        "duplicate",
        "Refused.",
        {"reference": "AB12"},
    )


# --- The API answer ------------------------------------------------------------------------------


def test_api_errors_domain_error_becomes_error_body_with_its_status():
    response = exception_handler(
        DomainError("slot_past", "Too late.", http_status=422, slot=7), context={}
    )
    assert response.status_code == 422
    assert response.data == {"code": "slot_past", "message": "Too late.", "details": {"slot": 7}}


def test_api_errors_ticket_transition_refused_is_conflict():
    refusal = TicketTransitionNotAllowed(workflow=TICKET_WORKFLOW, action="reply", status="closed")
    response = exception_handler(refusal, context={})
    assert response.status_code == 409
    assert response.data["code"] == "transition_not_allowed"
    assert response.data["details"] == {"action": "reply", "status": "closed"}


def test_api_errors_unexpected_exception_left_to_django():
    assert exception_handler(RuntimeError("password=hunter2"), context={}) is None


def test_api_mandate_revoke_twice_service_refusal_is_documented_conflict():
    """The service raises; no try/except in the view: the handler answers 409 `{code, message,
    details}` as docs/openapi.yaml documents it."""
    mandate = MandateFactory()
    url = reverse("api:mandate-revoke", kwargs={"pk": mandate.pk})
    assert _api(mandate.person).post(url).status_code == 200
    again = _api(mandate.person).post(url)
    assert again.status_code == 409
    assert again.json() == {
        "code": "already_revoked",
        "message": "This mandate is already revoked.",
        "details": {},
    }


def test_api_unexpected_exception_in_service_not_leaked(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("connection to 10.0.0.7 failed: password=hunter2")

    monkeypatch.setattr("accounts.api.views.mandate_revoke", broken)
    mandate = MandateFactory()
    response = _api(mandate.person, raise_request_exception=False).post(
        reverse("api:mandate-revoke", kwargs={"pk": mandate.pk})
    )
    assert response.status_code == 500
    assert b"hunter2" not in response.content
    assert b"10.0.0.7" not in response.content
    assert b"RuntimeError" not in response.content


# --- The page helper -----------------------------------------------------------------------------


class _Form(forms.Form):
    code = forms.CharField(required=False)


def _request():
    request = RequestFactory().post("/")
    request.session = SessionBase()
    request._messages = FallbackStorage(request)
    return request


def test_page_errors_refusal_on_form_field():
    request, form = _request(), _Form(data={"code": "x"})
    show_refusal(request, DomainError("wrong", "This code is not right."), form=form, field="code")
    assert form.errors == {"code": ["This code is not right."]}
    assert list(get_messages(request)) == []


def test_page_errors_refusal_on_form_top():
    request, form = _request(), _Form(data={"code": "x"})
    show_refusal(request, DomainError("duplicate", "Already there."), form=form)
    assert form.non_field_errors() == ["Already there."]
    assert list(get_messages(request)) == []


def test_page_errors_refusal_without_form_is_error_message():
    request = _request()
    show_refusal(request, DomainError("case_closed", "This case is closed."))
    stored = list(get_messages(request))
    assert [(m.message, m.level_tag) for m in stored] == [("This case is closed.", "error")]
