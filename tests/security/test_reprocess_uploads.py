"""`manage.py reprocess_uploads`: files stored by the paths that did not sanitise are passed
through the pipeline; dry run first; what cannot be sanitised is reported and kept."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from tests.accounts.factories import MandateFactory
from tests.applications.factories import PDF_BYTES
from tests.security.corpus import BY_ID, findings
from tests.security.test_downloads import _document
from tests.support.factories import web_ticket

pytestmark = pytest.mark.django_db

HOSTILE = BY_ID["catalog_af"].content  # an embedded file the old sanitiser kept


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path, reference_data):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def _attachment(content: bytes, name: str = "shot.png", content_type: str = "image/png"):
    """Stored as the contact form used to store it: as sent."""
    ticket, _token = web_ticket()
    message = ticket.messages.get()
    attachment = message.attachments.model(
        message=message,
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256="0" * 64,
    )
    attachment.file.save("x", ContentFile(content), save=False)
    attachment.save()
    return attachment


def _run(*args) -> str:
    output = io.StringIO()
    call_command("reprocess_uploads", *args, stdout=output)
    return output.getvalue()


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def test_reprocess_uploads_dry_run_reports_and_changes_nothing():
    attachment = _attachment(HOSTILE, "scan.pdf", "application/pdf")
    key = attachment.file.name
    report = _run()
    assert f"ticket attachment {attachment.pk}: would rewrite" in report
    assert "dry run" in report
    attachment.refresh_from_db()
    assert attachment.file.name == key
    assert _read(attachment.file) == HOSTILE


def test_reprocess_uploads_apply_rewrites_a_hostile_attachment(django_capture_on_commit_callbacks):
    attachment = _attachment(HOSTILE, "scan.html", "text/html")
    old_key = attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        report = _run("--apply")
    assert f"ticket attachment {attachment.pk}: rewritten" in report
    attachment.refresh_from_db()
    stored = _read(attachment.file)
    assert findings(stored, "application/pdf") == []
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "scan.pdf"
    assert attachment.file.name.endswith(".pdf")
    assert attachment.size == len(stored)
    assert not attachment.file.storage.exists(old_key)


def test_reprocess_uploads_apply_rewrites_a_hostile_dossier_pdf():
    _applicant, document = _document("passport.pdf", "application/pdf")
    document.file.save("y", ContentFile(HOSTILE))
    _run("--apply")
    document.refresh_from_db()
    assert findings(_read(document.file), "application/pdf") == []


def test_reprocess_uploads_keeps_and_reports_what_cannot_be_sanitised():
    mandate = MandateFactory()
    mandate.consent_file.save("scan.pdf", ContentFile(b"\x7fELF\x02\x01\x01" + b"\x00" * 64))
    mandate.consent_content_type = "application/pdf"
    mandate.save()
    report = _run("--apply")
    assert f"mandate scan {mandate.pk}: cannot be sanitised, kept" in report
    mandate.refresh_from_db()
    assert _read(mandate.consent_file).startswith(b"\x7fELF")  # never deleted


def test_reprocess_uploads_leaves_a_clean_document_alone():
    _applicant, document = _document("passport.pdf", "application/pdf")
    key = document.file.name
    report = _run("--apply")
    assert "0 rewritten" in report
    document.refresh_from_db()
    assert document.file.name == key
    assert _read(document.file) == PDF_BYTES
