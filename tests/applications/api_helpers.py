"""Helpers of the dossier API tests (tests/applications/test_api_*.py): dossiers built
through the real services, URLs, and the API's error shape."""

from django.urls import reverse

from applications import services
from applications.models import Application
from applications.selectors import application_checklist
from reference.models import DecisionReason
from tests.applications.factories import ApplicationFactory, pdf_upload

EXECUTABLE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


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
