"""Writes on dossiers. Every state change goes through one function here that locks the row,
checks the transition against `applications.workflow`, writes the timeline event and the audit
entry, in one transaction (CONVENTIONS.md). Views, API and tasks call these; they never assign a
status themselves."""

from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import ApplicantProfile, PreviousAddress, User
from anef import generations, uploads
from anef.audit import audit_action
from anef.errors import DomainError
from anef.services import row_locked
from anef.transactions import atomic_with_files, file_written
from anef.workflow import transition
from applications import rules
from applications.enums import (
    ApplicationStatus,
    Channel,
    CorrectionStatus,
    DecisionKind,
    ErrorReportCategory,
    ErrorReportStatus,
    EventKind,
    ProcedureKind,
    RequestedCard,
)
from applications.models import (
    Application,
    CorrectionRequest,
    DecisionReason,
    Document,
    DocumentType,
    ErrorReport,
    Event,
    Ground,
    ResidencePermit,
    fill_ground_article,
)
from applications.selectors import (
    application_missing_documents,
    prefecture_for_postal_code,
)
from applications.workflow import OPEN_STATES, WORKFLOW, allowed_actions

EVIDENCE_DOCUMENT_TYPE = "supporting_evidence"


# --- Helpers: one event and one audit entry per change ---------------------------------------


def _event(application: Application, kind: EventKind, actor: User | None, **params: Any) -> Event:
    generations.bump_dossier(application)  # every visible change of a dossier has its event
    return Event.record(application=application, kind=kind, actor=actor, params=params)


def _transition(
    application: Application,
    *,
    action: str,
    actor: User,
    event: EventKind,
    fields: dict[str, Any] | None = None,
    **event_params: Any,
) -> Application:
    """The one path of every status change: `anef.workflow.transition` locks, checks the table,
    changes, writes the event and the audit entry; then what a dossier's change implies."""
    locked = transition(
        application,
        workflow=WORKFLOW,
        action=action,
        actor=actor,
        event=event,
        fields=fields,
        bookkeeping={"attestations_dirty": True},
        event_params=event_params,
    )
    if locked.status != ApplicationStatus.CORRECTION_REQUESTED:
        # A dossier closed or withdrawn while a correction was awaited no longer awaits it (and
        # after a re-opening the agent may ask again: one open correction per dossier).
        CorrectionRequest.objects.filter(application=locked, status=CorrectionStatus.OPEN).update(
            status=CorrectionStatus.CANCELLED
        )
    _attestations_refresh_on_commit(locked.pk)
    return locked


def _attestations_refresh_on_commit(application_pk: int) -> None:
    """Issue or end this dossier's attestations at once after the change is committed; if the
    message is lost, the hourly sweep catches up (the dossier is marked dirty)."""
    from attestations.tasks import sweep_application  # attestations builds on applications

    transaction.on_commit(lambda: sweep_application.delay(application_pk), robust=True)


# --- Permits ------------------------------------------------------------------------------------


@transaction.atomic
def permit_declare(
    *,
    holder: User,
    number: str,
    card_type: str,
    valid_from: date,
    valid_until: date,
    actor: User,
    ground: Ground | None = None,
    handed_over: bool = True,
    handed_over_on: date | None = None,
) -> ResidencePermit:
    """Declare a residence permit the person holds or held (number, type, validity, handover)."""
    if valid_until <= valid_from:
        raise DomainError("permit_dates", _("The end date must come after the start date."))
    if handed_over and handed_over_on is None:
        handed_over_on = valid_from
    permit = ResidencePermit(
        holder=holder,
        number=number.strip().upper(),
        card_type=card_type,
        ground=ground,
        valid_from=valid_from,
        valid_until=valid_until,
        handed_over=handed_over,
        handed_over_on=handed_over_on if handed_over else None,
        right_to_work=ground.right_to_work if ground else "full",
        work_limitation=ground.work_limitation_fr if ground else "",
    )
    try:
        with transaction.atomic():
            permit.save()
    except IntegrityError as exc:
        raise DomainError(
            "permit_duplicate", _("You have already declared a card with this number.")
        ) from exc
    audit_action(instance=permit, actor=actor, action="permit_declare")
    return permit


# --- Creating and filing ------------------------------------------------------------------------


# Procedures that continue a permit held (its API chain, attestations.selectors).
PERMIT_CONTINUING_KINDS = {ProcedureKind.RENEWAL, ProcedureKind.CHANGE_OF_STATUS}


@transaction.atomic
def application_create(
    *,
    applicant: User,
    ground: Ground,
    kind: str,
    actor: User,
    renews_permit: ResidencePermit | None = None,
    requested_card: str = RequestedCard.SAME,
    channel: str = Channel.ONLINE,
) -> Application:
    """Start a dossier. Any number may be open at once; only an exact duplicate (same ground and
    procedure, still open) is refused (DESIGN.md §1 point 3)."""
    if not ground.active or not rules.procedure_is_offered(ground.procedure_kinds, kind):
        raise DomainError(
            "procedure_not_offered", _("This procedure is not possible on this ground.")
        )
    profile = ApplicantProfile.objects.filter(user=applicant).first()
    if profile is None:
        raise DomainError("profile_missing", _("Please fill in your identity and address first."))
    prefecture = prefecture_for_postal_code(profile.postal_code)
    if prefecture is None:
        raise DomainError(
            "no_prefecture",
            _(
                "We cannot find the prefecture for your postal code. Check your address, or "
                "contact us so that a person can help you."
            ),
        )
    if kind == ProcedureKind.RENEWAL:
        if renews_permit is None:
            raise DomainError(
                "permit_required", _("For a renewal, choose the card you want to renew.")
            )
        if renews_permit.holder_id != applicant.pk:
            raise DomainError("permit_required", _("This card is not yours."))
    elif (
        kind == ProcedureKind.CHANGE_OF_STATUS
        and renews_permit is not None
        and renews_permit.holder_id != applicant.pk
    ):
        # A change of status continues the permit held: its API chain is that permit's.
        raise DomainError("permit_required", _("This card is not yours."))
    if kind != ProcedureKind.RENEWAL and requested_card != RequestedCard.SAME:
        raise DomainError(
            "requested_card", _("Only a renewal can ask for a longer card than the current one.")
        )
    duplicate = Application.objects.filter(
        applicant=applicant, ground=ground, kind=kind, status__in=OPEN_STATES
    ).first()
    if duplicate is not None:
        raise DomainError(
            "duplicate",
            _(
                "You already have an open application on this ground for this procedure "
                "(%(reference)s). Continue that one instead: you can add documents to it."
            )
            % {"reference": duplicate.reference},
            reference=duplicate.reference,
        )
    try:
        with transaction.atomic():
            application = Application.objects.create(
                applicant=applicant,
                ground=ground,
                kind=kind,
                prefecture=prefecture,
                renews_permit=renews_permit if kind in PERMIT_CONTINUING_KINDS else None,
                requested_card=requested_card,
                channel=channel,
            )
    except IntegrityError as exc:  # two submissions of the same form at once
        existing = Application.objects.filter(
            applicant=applicant, ground=ground, kind=kind, status__in=OPEN_STATES
        ).first()
        raise DomainError(
            "duplicate",
            _("You already have an open application on this ground for this procedure."),
            reference=existing.reference if existing else "",
        ) from exc
    _event(application, EventKind.CREATED, actor)
    audit_action(instance=application, actor=actor, action="create")
    return application


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


def _refuse_renewal_before_its_window(application: Application) -> None:
    """R. 431-5 1°: a renewal is filed from the 120th day before the permit expires. Before
    that it is not filed yet: the person is told the exact first day (no silent refusal of the
    API later, DESIGN.md §3)."""
    from attestations.rules import FILING_TOO_EARLY, Policy, renewal_filing_window
    from attestations.rules import renewal_filing_timing as timing

    permit = application.renews_permit
    if application.kind != ProcedureKind.RENEWAL or permit is None:
        return
    policy = Policy.from_settings()
    if timing(timezone.localdate(), permit.valid_until, policy) == FILING_TOO_EARLY:
        window = renewal_filing_window(permit.valid_until, policy)
        raise DomainError(
            "renewal_too_early",
            _(
                "It is too early to file this renewal: you can file it from %(opens)s "
                "until %(closes)s. Your draft is kept; come back on %(opens)s."
            )
            % {
                "opens": date_format(window.opens_on, "DATE_FORMAT"),
                "closes": date_format(window.closes_on, "DATE_FORMAT"),
            },
            opens_on=window.opens_on.isoformat(),
        )


@transaction.atomic
def application_submit(*, application: Application, actor: User) -> Application:
    """File the dossier: only when every mandatory piece has at least one file."""
    missing = application_missing_documents(application)
    if missing:
        raise DomainError(
            "missing_documents",
            _("Some documents are missing: %(documents)s.")
            % {"documents": ", ".join(str(document_type.label) for document_type in missing)},
            missing=[document_type.code for document_type in missing],
        )
    _refuse_renewal_before_its_window(application)
    now = timezone.now()
    submitted = _transition(
        application,
        action="submit",
        actor=actor,
        event=EventKind.SUBMITTED,
        fields={"filed_at": now},
    )
    _event(submitted, EventKind.DEPOSIT_RECEIPT, actor)
    return submitted


@transaction.atomic
def application_withdraw(*, application: Application, actor: User) -> Application:
    return _transition(
        application,
        action="withdraw",
        actor=actor,
        event=EventKind.WITHDRAWN,
        fields={"withdrawn_at": timezone.now()},
    )


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
    return correction


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


# --- Instruction and decisions ------------------------------------------------------------------


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


@transaction.atomic
def application_decide_favourable(*, application: Application, actor: User) -> Application:
    return _transition(
        application,
        action="decide_favourable",
        actor=actor,
        event=EventKind.DECIDED_FAVOURABLE,
        fields={"decided_at": timezone.now()},
    )


def _reasoned_decision(
    *,
    application: Application,
    actor: User,
    action: str,
    event: EventKind,
    expected_kind: str,
    reason: DecisionReason | None,
    explanation: str,
    legal_basis: str,
    remedies: str,
) -> Application:
    """A refusal or a closure states its reason, explanation, legal basis and remedies."""
    if reason is None or reason.kind != expected_kind:
        raise DomainError("reason_required", _("Choose a reason from the list."))
    for value, message in (
        (explanation, _("Explain the decision in plain words.")),
        (legal_basis, _("Give the legal basis of the decision.")),
        (remedies, _("Give the remedies and their deadlines.")),
    ):
        if not (value or "").strip():
            raise DomainError("reasons_incomplete", message)
    return _transition(
        application,
        action=action,
        actor=actor,
        event=event,
        fields={
            "decided_at": timezone.now(),
            "decision_reason": reason,
            "decision_explanation": explanation.strip(),
            "decision_legal_basis": fill_ground_article(legal_basis.strip(), application.ground),
            "decision_remedies": remedies.strip(),
        },
        reason=reason.code,
    )


@transaction.atomic
def application_decide_unfavourable(
    *,
    application: Application,
    actor: User,
    reason: DecisionReason | None,
    explanation: str,
    legal_basis: str,
    remedies: str,
) -> Application:
    return _reasoned_decision(
        application=application,
        actor=actor,
        action="decide_unfavourable",
        event=EventKind.DECIDED_UNFAVOURABLE,
        expected_kind=DecisionKind.REFUSAL,
        reason=reason,
        explanation=explanation,
        legal_basis=legal_basis,
        remedies=remedies,
    )


@transaction.atomic
def application_close(
    *,
    application: Application,
    actor: User,
    reason: DecisionReason | None,
    explanation: str,
    legal_basis: str,
    remedies: str,
) -> Application:
    return _reasoned_decision(
        application=application,
        actor=actor,
        action="close",
        event=EventKind.CLOSED,
        expected_kind=DecisionKind.CLOSURE,
        reason=reason,
        explanation=explanation,
        legal_basis=legal_basis,
        remedies=remedies,
    )


@transaction.atomic
def application_record_card_available(*, application: Application, actor: User) -> Application:
    return _transition(
        application,
        action="record_card_available",
        actor=actor,
        event=EventKind.CARD_AVAILABLE,
    )


@transaction.atomic
def application_record_card_handed_over(
    *,
    application: Application,
    actor: User,
    card_number: str,
    valid_from: date,
    valid_until: date,
    handed_over_on: date,
) -> ResidencePermit:
    """The card is handed over: the dossier ends and the card becomes a permit held."""
    handed = _transition(
        application,
        action="record_card_handed_over",
        actor=actor,
        event=EventKind.CARD_HANDED_OVER,
        fields={"card_handed_over_on": handed_over_on},
        card_number=card_number,
    )
    return permit_declare(
        holder=handed.applicant,
        number=card_number,
        card_type=handed.ground.card_type,
        valid_from=valid_from,
        valid_until=valid_until,
        actor=actor,
        ground=handed.ground,
        handed_over=True,
        handed_over_on=handed_over_on,
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


# --- Identity and address -----------------------------------------------------------------------


@transaction.atomic
def foreigner_number_attach(*, profile: ApplicantProfile, number: str, actor: User) -> None:
    """An agent attaches the foreigner number to a person who had none (DESIGN.md §7 sc. 4)."""
    number = (number or "").strip()
    if not (len(number) == 10 and number.isdigit()):
        raise DomainError("foreigner_number", _("A foreigner number has exactly 10 digits."))
    locked = ApplicantProfile.objects.select_for_update().get(pk=profile.pk)
    if ApplicantProfile.objects.filter(foreigner_number=number).exclude(pk=locked.pk).exists():
        raise DomainError(
            "foreigner_number_taken",
            _("This foreigner number is already attached to another person."),
        )
    before = locked.foreigner_number
    locked.foreigner_number = number
    locked.save(update_fields=["foreigner_number"])
    audit_action(
        instance=locked,
        actor=actor,
        action="foreigner_number_attach",
        changes={"foreigner_number": (before, number)},
    )
    generations.bump_person_everywhere(locked.user_id)
    for application in Application.objects.filter(applicant=locked.user, status__in=OPEN_STATES):
        _event(application, EventKind.FOREIGNER_NUMBER_ATTACHED, actor)


@transaction.atomic
def address_change(
    *,
    profile: ApplicantProfile,
    address_line: str,
    postal_code: str,
    city: str,
    actor: User,
) -> list[Application]:
    """Move the person: keep the old address, and move every open dossier to the prefecture of
    the new département (both the person and the agents see it in the timeline)."""
    new_prefecture = prefecture_for_postal_code(postal_code)
    if new_prefecture is None:
        raise DomainError(
            "no_prefecture",
            _(
                "We cannot find the prefecture for this postal code. Check it, or contact us so "
                "that a person can help you."
            ),
        )
    locked = ApplicantProfile.objects.select_for_update().get(pk=profile.pk)
    PreviousAddress.objects.create(
        profile=locked,
        address_line=locked.address_line,
        postal_code=locked.postal_code,
        city=locked.city,
        moved_out_at=timezone.now(),
    )
    before = f"{locked.address_line}, {locked.postal_code} {locked.city}"
    locked.address_line, locked.postal_code, locked.city = address_line, postal_code, city
    locked.full_clean(exclude=["user"])
    locked.save()
    audit_action(
        instance=locked,
        actor=actor,
        action="address_change",
        changes={"address": (before, f"{address_line}, {postal_code} {city}")},
    )
    moved = []
    for application in Application.objects.select_for_update().filter(
        applicant=locked.user, status__in=OPEN_STATES
    ):
        _event(application, EventKind.ADDRESS_CHANGED, actor, postal_code=postal_code, city=city)
        if application.prefecture_id != new_prefecture.pk:
            old = application.prefecture
            application.prefecture = new_prefecture
            application.save(update_fields=["prefecture", "updated_at"])
            _event(
                application,
                EventKind.TRANSFERRED,
                actor,
                from_prefecture=old.name,
                to_prefecture=new_prefecture.name,
            )
            audit_action(
                instance=application,
                actor=actor,
                action="transfer",
                changes={"prefecture": (old.code, new_prefecture.code)},
            )
            moved.append(application)
        # Current attestations print the address: they are reissued with the new one.
        Application.objects.filter(pk=application.pk).update(attestations_dirty=True)
        _attestations_refresh_on_commit(application.pk)
    generations.bump_person_everywhere(locked.user_id)
    return moved
