"""Downloads are served with the type sniffed at upload and a file name whose extension is that
type's, whatever the sender called the file (issue 15, Low: the extension came from the client)."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from applications.models import Document
from reference.models import DocumentType
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.factories import PDF_BYTES
from tests.security.paths import _draft
from tests.support.factories import web_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path, reference_data):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def _document(original_name: str, content_type: str):
    applicant = ApplicantProfileFactory(postal_code="75011").user
    application = _draft(applicant)
    document = Document(
        application=application,
        document_type=DocumentType.objects.get(code="passport"),
        original_name=original_name,
        content_type=content_type,
        size=len(PDF_BYTES),
        sha256="0" * 64,
        uploaded_by=applicant,
    )
    document.file.save("x", ContentFile(PDF_BYTES), save=False)
    document.save()
    return applicant, document


@pytest.mark.parametrize("route", ["document_download", "api:document-file"])
def test_download_document_named_html_served_with_pdf_extension(client, route):
    applicant, document = _document("invoice.html", "application/pdf")
    client.force_login(applicant)
    response = client.get(reverse(route, kwargs={"pk": document.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    response.close()
    assert 'filename="invoice.pdf"' in response["Content-Disposition"]


@pytest.mark.parametrize("route", ["document_download", "api:document-file"])
def test_download_document_with_unknown_recorded_type_served_as_bytes(client, route):
    applicant, document = _document("page.html", "text/html")
    client.force_login(applicant)
    response = client.get(reverse(route, kwargs={"pk": document.pk}))
    response.close()
    assert response["Content-Type"] == "application/octet-stream"
    assert ".html" not in response["Content-Disposition"]


def test_download_ticket_attachment_named_after_its_sniffed_type(client):
    ticket, token = web_ticket()
    message = ticket.messages.get()
    attachment = message.attachments.model(
        message=message,
        original_name="screenshot.svg",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        sha256="0" * 64,
    )
    attachment.file.save("x", ContentFile(PDF_BYTES), save=False)
    attachment.save()
    response = client.get(
        reverse("support_public:follow_up_attachment", args=[token, attachment.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    response.close()
    assert 'filename="screenshot.pdf"' in response["Content-Disposition"]
