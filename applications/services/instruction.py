"""The agent's instruction of a filed dossier: correction requests and their answers,
completeness, and the person's error reports with the agent's answer (which may re-open a
decision)."""

from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from anef import uploads
from anef.audit import audit_action
from anef.emails import bilingual_email_enqueue
from anef.enums import NotificationKind, NotificationSubject
from anef.errors import DomainError
from anef.sms import email_also, sms_enqueue, sms_link
from anef.transactions import atomic_with_files
from applications.enums import (
    ApplicationStatus,
    CorrectionStatus,
    ErrorReportCategory,
    ErrorReportStatus,
    EventKind,
)
from applications.models import Application, CorrectionRequest, ErrorReport, ResidencePermit
from applications.services._core import _event, _transition
from applications.services.documents import EVIDENCE_DOCUMENT_TYPE, _cleaned, _document_store
from applications.workflow import allowed_actions
from reference.models import DocumentType

# --- Corrections --------------------------------------------------------------------------------


@transaction.atomic
def correction_request_create(
    *,
    application: Application,
    actor: User,
    message: str,
    deadline: date,
    document_types: list[DocumentType] | tuple = (),
) -> CorrectionRequest:
    if not message.strip():
        raise DomainError("message_required", _("Say what must be corrected."))
    checklist = set(application.ground.requirements.values_list("document_type_id", flat=True))
    if any(document_type.pk not in checklist for document_type in document_types):
        raise DomainError(
            "document_not_in_checklist",
            _("Ask only for documents of this application's list."),
        )
    if deadline <= timezone.localdate():
        raise DomainError("deadline", _("The deadline must be a future date."))
    updated = _transition(
        application,
        action="request_correction",
        actor=actor,
        event=EventKind.CORRECTION_REQUESTED,
        deadline=deadline.isoformat(),
        message=message,
    )
    correction = CorrectionRequest.objects.create(
        application=updated, requested_by=actor, message=message, deadline=deadline
    )
    correction.document_types.set(document_types)
    texted = sms_enqueue(  # issue 21: a neutral text to those who chose texts (once a day)
        person=updated.applicant,
        kind=NotificationKind.CORRECTION_REQUESTED,
        subject_type=NotificationSubject.APPLICATION,
        subject_id=updated.pk,
        context={"link": sms_link()},
    )
    _correction_email(correction, applicant=updated.applicant, texted=texted)
    return correction


def _correction_email(correction: CorrectionRequest, *, applicant: User, texted: bool) -> None:
    """The request told by e-mail (a link and the deadline, never its content), unless the
    person takes texts only and the text went."""
    if not applicant.email or not email_also(applicant, texted=texted):
        return
    application = correction.application
    path = reverse("portal:application_detail", kwargs={"reference": application.reference})
    bilingual_email_enqueue(
        to=[applicant.email],
        subject=lambda: _("The prefecture asks you for something on your application"),
        template="emails/correction_requested.txt",
        context={
            "name": applicant.get_full_name() or applicant.email,
            "reference": application.reference,
            "deadline": correction.deadline,
            "url": f"{settings.SITE_URL}{path}",
            "contact_phone": settings.CONTACT_PHONE,
        },
        idempotency_key=f"correction-requested:{correction.pk}",
        person=applicant,
    )


@transaction.atomic
def correction_answer(*, application: Application, actor: User, answer: str) -> Application:
    correction = (
        CorrectionRequest.objects.select_for_update()
        .filter(application=application, status=CorrectionStatus.OPEN)
        .first()
    )
    if correction is None:
        raise DomainError("no_correction", _("No correction is waiting for your answer."))
    missing = [
        document_type
        for document_type in correction.document_types.all()
        if not application.documents.filter(
            document_type=document_type, uploaded_at__gte=correction.created_at
        ).exists()
    ]
    if missing:
        raise DomainError(
            "missing_documents",
            _("Add the documents asked for first: %(documents)s.")
            % {"documents": ", ".join(str(document_type.label) for document_type in missing)},
            missing=[document_type.code for document_type in missing],
        )
    correction.status = CorrectionStatus.ANSWERED
    correction.answer = answer
    correction.answered_at = timezone.now()
    correction.save()
    return _transition(
        application,
        action="answer_correction",
        actor=actor,
        event=EventKind.CORRECTION_ANSWERED,
    )


# --- Completeness -------------------------------------------------------------------------------


@transaction.atomic
def application_mark_complete(*, application: Application, actor: User) -> Application:
    now = timezone.now()
    fields = {"completed_at": now}
    if not Application.objects.filter(pk=application.pk, first_completed_at__isnull=False).exists():
        fields["first_completed_at"] = now
    return _transition(
        application,
        action="mark_complete",
        actor=actor,
        event=EventKind.COMPLETE,
        fields=fields,
    )


# --- Error reports ------------------------------------------------------------------------------


@atomic_with_files()
def error_report_create(
    *,
    application: Application,
    actor: User,
    category: str,
    description: str,
    evidence: list[UploadedFile] | tuple = (),
) -> ErrorReport:
    """The person says the record is wrong, with evidence; allowed at any stage once filed."""
    if application.status == ApplicationStatus.DRAFT:
        raise DomainError("not_filed", _("Your application is still a draft: correct it directly."))
    if category not in ErrorReportCategory.values:
        raise DomainError("category", _("Choose what is wrong."))
    if not description.strip():
        raise DomainError("description_required", _("Describe the error in a few words."))
    batch = uploads.Batch(expected=len(evidence))
    cleaned = [_cleaned(upload, batch) for upload in evidence]  # all checked before any is stored
    report = ErrorReport.objects.create(
        application=application, category=category, description=description, reported_by=actor
    )
    evidence_type = DocumentType.objects.get(code=EVIDENCE_DOCUMENT_TYPE)
    for clean_file in cleaned:
        _document_store(
            application=application,
            document_type=evidence_type,
            cleaned=clean_file,
            actor=actor,
            error_report=report,
        )
    _event(application, EventKind.ERROR_REPORTED, actor, category=category)
    audit_action(instance=report, actor=actor, action="error_report_create")
    return report


def _open_report(report: ErrorReport) -> ErrorReport:
    locked = ErrorReport.objects.select_for_update().get(pk=report.pk)
    if locked.status != ErrorReportStatus.OPEN:
        raise DomainError("report_closed", _("This error report has already been answered."))
    return locked


@transaction.atomic
def error_report_accept(
    *,
    report: ErrorReport,
    actor: User,
    note: str,
    handed_over_on: date | None = None,
    reopen: bool = False,
) -> ErrorReport:
    """Accept a report and correct the record. For an unrecorded handover of the previous card,
    record it; with `reopen`, a refusal or closure that the error caused is re-opened so that the
    agent can decide again (DESIGN.md §7 scenario 2)."""
    locked = _open_report(report)
    application = locked.application
    if reopen and "reopen" not in allowed_actions(application.status):
        raise DomainError(
            "cannot_reopen", _("Only a refused or closed application can be re-opened.")
        )
    if locked.category == ErrorReportCategory.PREVIOUS_CARD_HANDOVER:
        permit = application.renews_permit
        if permit is None:
            raise DomainError(
                "no_permit", _("This application renews no recorded card: correct it in the admin.")
            )
        if not permit.handed_over:
            permit_on = handed_over_on or permit.valid_from
            ResidencePermit.objects.filter(pk=permit.pk).update(
                handed_over=True, handed_over_on=permit_on
            )
            _event(
                application,
                EventKind.PERMIT_RECORD_CORRECTED,
                actor,
                number=permit.number,
                handed_over_on=permit_on.isoformat(),
            )
            audit_action(
                instance=permit,
                actor=actor,
                action="permit_handover_recorded",
                changes={"handed_over": (False, True), "handed_over_on": (None, permit_on)},
            )
    locked.status = ErrorReportStatus.ACCEPTED
    locked.resolution_note = note
    locked.resolved_by = actor
    locked.resolved_at = timezone.now()
    locked.save()
    _event(application, EventKind.ERROR_REPORT_ACCEPTED, actor, category=locked.category)
    audit_action(instance=locked, actor=actor, action="error_report_accept")
    if reopen:
        previous_reason = application.decision_reason.code if application.decision_reason else ""
        _transition(
            application,
            action="reopen",
            actor=actor,
            event=EventKind.REOPENED,
            fields={
                "decided_at": None,
                "notified_on": None,  # the new decision will be notified in its turn
                "notification_channel": "",
                "decision_obligation_to_leave": None,
                "reopened_at": timezone.now(),
                "decision_reason": None,
                "decision_explanation": "",
                "decision_legal_basis": "",
                "decision_remedies": "",
            },
            previous_reason=previous_reason,
        )
    return locked


@transaction.atomic
def error_report_reject(*, report: ErrorReport, actor: User, note: str) -> ErrorReport:
    if not note.strip():
        raise DomainError("reason_required", _("Say why the report is rejected."))
    locked = _open_report(report)
    locked.status = ErrorReportStatus.REJECTED
    locked.resolution_note = note
    locked.resolved_by = actor
    locked.resolved_at = timezone.now()
    locked.save()
    _event(locked.application, EventKind.ERROR_REPORT_REJECTED, actor, category=locked.category)
    audit_action(instance=locked, actor=actor, action="error_report_reject")
    return locked
