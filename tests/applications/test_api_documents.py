"""The dossier API (/api/v1/), documents: upload (checked by content and size, all or none),
download, removal, and nobody else's files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services
from applications.models import Document
from reference.models import DocumentType
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.api_helpers import (
    EXECUTABLE_BYTES,
    _assert_error,
    _filed,
    _fill_checklist,
    _url,
)
from tests.applications.factories import PNG_BYTES, ApplicationFactory, pdf_upload

pytestmark = pytest.mark.django_db


# --- Applicant: create, upload, submit, read ----------------------------------------------------


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


# --- Errors: duplicates, files, bad input -------------------------------------------------------


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


# --- Scoping: other people, other prefectures ---------------------------------------------------


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


def test_api_document_read_other_prefecture_agent(api_client, applicant, other_agent):
    document = _filed(applicant).documents.first()
    api_client.force_authenticate(other_agent)
    _assert_error(api_client.get(_url("document-file", pk=document.pk)), 404, "not_found")
