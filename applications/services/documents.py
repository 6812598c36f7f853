"""Files of a dossier: one upload pipeline (anef/uploads.py), adding and removing checklist
pieces while no decision is taken."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from anef import uploads
from anef.errors import DomainError
from anef.services import row_locked
from anef.transactions import atomic_with_files, file_written
from applications.enums import ApplicationStatus, EventKind
from applications.models import Application, Document, ErrorReport
from applications.services._core import _event
from reference.models import DocumentType

EVIDENCE_DOCUMENT_TYPE = "supporting_evidence"


# --- Documents ----------------------------------------------------------------------------------


def _cleaned(uploaded_file: UploadedFile, batch: uploads.Batch | None = None) -> uploads.CleanFile:
    """The upload through the one pipeline (anef/uploads.py): type from the bytes, size and
    per-request limits, rewritten without scripts or metadata; a refusal names the file."""
    try:
        return uploads.process(
            uploaded_file,
            max_bytes=settings.DOCUMENT_MAX_BYTES,
            batch=batch,
            default_name="document",
        )
    except uploads.UploadRefused as refused:
        raise DomainError(refused.code, refused.message, name=refused.name) from refused


def _document_store(
    *,
    application: Application,
    document_type: DocumentType,
    cleaned: uploads.CleanFile,
    actor: User,
    error_report: ErrorReport | None = None,
) -> Document:
    original_name = cleaned.name
    document = Document(
        application=application,
        document_type=document_type,
        original_name=original_name,
        content_type=cleaned.content_type,
        size=cleaned.size,
        sha256=cleaned.sha256,
        uploaded_by=actor,
        error_report=error_report,
    )
    document.file.save(original_name, cleaned.as_content_file(), save=False)
    file_written(document.file)  # deleted again if the transaction does not commit
    document.save()
    _event(
        application,
        EventKind.DOCUMENT_ADDED,
        actor,
        document_type=document_type.code,
        name=original_name,
    )
    return document


@atomic_with_files()
def document_add(
    *,
    application: Application,
    document_type: DocumentType,
    uploaded_file: UploadedFile,
    actor: User,
    batch: uploads.Batch | None = None,
) -> Document:
    """Add one file to a checklist piece; allowed until a decision is taken. The files of one
    request share one `batch` (count, size and CPU limits of anef/uploads.py)."""
    locked = row_locked(application)
    if not locked.documents_editable:
        raise DomainError(
            "documents_closed",
            _("Documents can no longer be changed: a decision has been taken."),
        )
    if not locked.ground.requirements.filter(document_type=document_type).exists():
        raise DomainError(
            "document_not_in_checklist",
            _("This document is not part of the list for this application."),
        )
    return _document_store(
        application=locked,
        document_type=document_type,
        cleaned=_cleaned(uploaded_file, batch),
        actor=actor,
    )


@transaction.atomic
def document_remove(*, document: Document, actor: User) -> None:
    if document.error_report_id is not None:
        raise DomainError(
            "evidence_kept", _("Evidence sent with an error report is kept with the report.")
        )
    application = row_locked(document.application)
    if not application.documents_editable:
        raise DomainError(
            "documents_closed",
            _("Documents can no longer be changed: a decision has been taken."),
        )
    if (
        application.status != ApplicationStatus.DRAFT
        and not application.documents.filter(document_type=document.document_type)
        .exclude(pk=document.pk)
        .exists()
    ):
        raise DomainError(
            "last_file",
            _("Add the new file first, then remove this one: this piece cannot stay empty."),
        )
    name, code = document.original_name, document.document_type.code
    storage, key = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(key))
    _event(application, EventKind.DOCUMENT_REMOVED, actor, document_type=code, name=name)
