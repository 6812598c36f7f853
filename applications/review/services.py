"""Writes of the document review: a verdict on one file, and the one button « ask for the
rejected pieces », which sends them as one correction request through the existing
`applications.services.correction_request_create` (the dossier's transition, its timeline event
for the person and its audit entry).

Each runs in one transaction that locks the dossier row, checks who asks against the dossier's
prefecture as it is now, checks the rules, writes the agent-side event and the audit entry.
"""

import datetime
from datetime import date

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anef import generations
from anef.audit import audit_action
from anef.errors import DomainError
from anef.languages import person_language
from applications.models import Application, CorrectionRequest, Document
from applications.review import rules
from applications.review.models import DocumentReview
from applications.review.rules import RejectionReason, Verdict
from applications.services import correction_request_create
from applications.workbench.models import WorkbenchEvent, WorkbenchEventKind
from applications.workbench.services import is_agent_of

# The person's time to answer when the agent asks with the one button (as the correction form's
# default: applications/views/backoffice_forms.py).
REJECTED_ANSWER_DAYS = 30

REFUSALS = {
    "not_under_review": _(
        "Documents are reviewed while the application is filed and no decision is taken."
    ),
    "verdict": _("Choose to accept or to reject the file."),
    "reason_required": _("Choose why the file is rejected."),
    "note_required": _("Explain the reason to the person in a few words."),
    "note_too_long": _("The explanation has at most %(limit)s characters.")
    % {"limit": rules.NOTE_MAX_LENGTH},
    "already_asked": _(
        "The person was already asked to replace this file: review the file they add instead."
    ),
    "unchanged": _("This file is already accepted."),
    "nothing_rejected": _("No file was rejected since the last correction request."),
    "correction_open": _(
        "A correction request is already waiting for the person's answer: ask again once "
        "they have answered."
    ),
}
REFUSAL_STATUS = {"already_asked": 409, "unchanged": 409, "correction_open": 409}


def _refuse(code: str) -> None:
    raise DomainError(code, REFUSALS[code], http_status=REFUSAL_STATUS.get(code))


def _refuse_unless_agent_of(user, application: Application) -> None:
    if not is_agent_of(user, application):
        raise DomainError(
            "not_yours",
            _("Only the agents of the prefecture instructing this application may do this."),
        )


def document_review(
    *, document: Document, actor, verdict: str, reason: str = "", note: str = ""
) -> DocumentReview:
    """Record the agent's verdict on one file of a checklist piece (not the evidence of an
    error report, not a file deleted at the end of retention)."""
    note = (note or "").strip()
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=document.application_id)
        _refuse_unless_agent_of(actor, application)
        document = Document.objects.select_related("document_type").get(pk=document.pk)
        if document.error_report_id is not None or document.is_purged:
            raise DomainError("not_a_piece", _("Only the files of the checklist are reviewed."))
        current = DocumentReview.objects.select_for_update().filter(document=document).first()
        refusal = rules.review_refusal(
            application_status=application.status,
            current=current.verdict if current else None,
            already_asked=current is not None and current.asked_in_id is not None,
            verdict=verdict,
            reason=reason,
            note=note,
        )
        if refusal:
            _refuse(refusal)
        rejected = verdict == Verdict.REJECTED
        review, _created = DocumentReview.objects.update_or_create(
            document=document,
            defaults={
                "application": application,
                "verdict": verdict,
                "reason": reason if rejected else "",
                "note": note,
                "reviewed_by": actor,
                "reviewed_at": timezone.now(),
                "asked_in": None,
            },
        )
        WorkbenchEvent.record(
            application=application,
            kind=WorkbenchEventKind.DOCUMENT_REJECTED
            if rejected
            else WorkbenchEventKind.DOCUMENT_ACCEPTED,
            actor=actor,
            params={
                "name": document.original_name,
                "document_type": document.document_type.code,
                "rejection_reason": review.reason,
            },
        )
        audit_action(
            instance=review,
            actor=actor,
            action="document_review",
            changes={
                "verdict": (current.verdict if current else "", verdict),
                "reason": (current.reason if current else "", review.reason),
            },
            details={"application": application.reference, "document": document.pk},
        )
        # The person's dossier page shows the piece's state.
        generations.bump_dossier(application, affects=generations.ROW)
    return review


def _request_message(application: Application, reviews: list[DocumentReview]) -> str:
    """The correction's text, in the person's language (it is stored as sent)."""
    with translation.override(person_language(application.applicant)):
        lines = [gettext("Some of your documents cannot be accepted. Add a new file for each:")]
        for review in reviews:
            line = gettext("%(piece)s — « %(name)s »: %(reason)s") % {
                "piece": review.document.document_type.label,
                "name": review.document.original_name,
                "reason": RejectionReason(review.reason).label,
            }
            lines.append(f"- {line}" + (f" ({review.note})" if review.note else ""))
        return "\n".join(lines)


def rejected_pieces_request(
    *, application: Application, actor, deadline: date | None = None
) -> CorrectionRequest:
    """One correction request listing every file rejected since the last one."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _refuse_unless_agent_of(actor, locked)
        reviews = list(
            DocumentReview.objects.select_for_update(of=("self",))
            .filter(application=locked, verdict=Verdict.REJECTED, asked_in__isnull=True)
            .select_related("document__document_type")
            .order_by("document__document_type__code", "document__uploaded_at", "pk")
        )
        refusal = rules.rejected_request_refusal(
            application_status=locked.status, rejected_count=len(reviews)
        )
        if refusal:
            _refuse(refusal)
        document_types = list(
            {r.document.document_type_id: r.document.document_type for r in reviews}.values()
        )
        correction = correction_request_create(
            application=locked,
            actor=actor,
            message=_request_message(locked, reviews),
            deadline=deadline
            or timezone.localdate() + datetime.timedelta(days=REJECTED_ANSWER_DAYS),
            document_types=document_types,
        )
        DocumentReview.objects.filter(pk__in=[r.pk for r in reviews]).update(asked_in=correction)
        audit_action(
            instance=correction,
            actor=actor,
            action="rejected_pieces_request",
            details={
                "application": locked.reference,
                "documents": [r.document_id for r in reviews],
            },
        )
    return correction
