"""A renewal prefilled from the last dossier (issue 16): the files still valid are copied into
the new dossier, so the person gives only what is missing.

A real copy of the stored bytes under the new dossier's own storage key, not a second row
pointing at the same file: the retention policy (applications/retention.py) deletes the old
dossier's files some months after its decision, and the renewal must not lose them then. The
copy is checked against the SHA-256 recorded when the file was first given; a file that cannot
be read or does not match is not copied (the person is asked for it again). It keeps the day the
person first gave it (`Document.first_given_on`), so a copy ages like its original.
"""

import hashlib
import logging
from datetime import date

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from anef.audit import audit_action
from anef.errors import DomainError
from anef.services import row_locked
from anef.transactions import atomic_with_files, file_written
from applications.enums import ApplicationStatus, EventKind, RequestedCard
from applications.models import Application, Document, ResidencePermit
from applications.selectors import application_last_with_files, documents_reusable_for
from applications.services._core import _event
from applications.services.filing import application_create
from reference.enums import ProcedureKind
from reference.models import Ground

logger = logging.getLogger(__name__)


def _stored_bytes(document: Document) -> bytes | None:
    """The file's bytes if it is still stored and still what was given, else None."""
    try:
        with document.file.storage.open(document.file.name, "rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError):
        logger.warning("Document %s: its file cannot be read, not copied", document.pk)
        return None
    if hashlib.sha256(content).hexdigest() != document.sha256:
        logger.warning("Document %s: its file does not match its SHA-256, not copied", document.pk)
        return None
    return content


def _copy(document: Document, *, into: Application, actor: User, given_on: date) -> Document:
    return Document(
        application=into,
        document_type=document.document_type,
        original_name=document.original_name,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
        uploaded_by=actor,
        copied_from=document,
        first_given_on=given_on,
    )


@atomic_with_files()
def documents_carry_over(
    *, application: Application, actor: User, today: date | None = None
) -> list[Document]:
    """Copy into `application` (a draft) the files of the person's last dossier still valid
    for its checklist; returns the copies. Audited once, one timeline event per file, in one
    transaction whose stored copies are deleted again if it does not commit. Never crosses
    persons: the source is looked up among the applicant's own dossiers only."""
    today = today or timezone.localdate()
    locked = row_locked(application)
    if locked.status != ApplicationStatus.DRAFT:
        raise DomainError(
            "not_a_draft", _("Documents can only be copied into an application not yet sent.")
        )
    source = application_last_with_files(locked.applicant, excluding=locked)
    if source is None:
        return []
    copies = []
    for document in documents_reusable_for(locked, source, today):
        content = _stored_bytes(document)
        if content is None:
            continue
        copy = _copy(document, into=locked, actor=actor, given_on=document.given_on)
        copy.file.save(document.original_name, ContentFile(content), save=False)
        file_written(copy.file)  # deleted again if the transaction does not commit
        copy.save()
        _event(
            locked,
            EventKind.DOCUMENT_ADDED,
            actor,
            document_type=document.document_type.code,
            name=document.original_name,
            copied_from=source.reference,
        )
        copies.append(copy)
    if copies:
        audit_action(
            instance=locked,
            actor=actor,
            action="documents_carry_over",
            details={
                "source": source.reference,
                "documents": [
                    {"copied_from": copy.copied_from_id, "document_type": copy.document_type.code}
                    for copy in copies
                ],
            },
        )
    return copies


@atomic_with_files()
def application_create_renewal(
    *,
    applicant: User,
    ground: Ground,
    actor: User,
    renews_permit: ResidencePermit | None,
    requested_card: str = RequestedCard.SAME,
    today: date | None = None,
) -> tuple[Application, list[Document]]:
    """Start a renewal of `renews_permit` prefilled from the last dossier (« renew now »): the
    dossier and its copied files in one transaction (`application_create`'s checks first: the
    card must be the applicant's own)."""
    application = application_create(
        applicant=applicant,
        ground=ground,
        kind=ProcedureKind.RENEWAL,
        actor=actor,
        renews_permit=renews_permit,
        requested_card=requested_card,
    )
    return application, documents_carry_over(application=application, actor=actor, today=today)
