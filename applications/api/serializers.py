"""Serializers of the dossier API.

Input serializers check types and shapes only (a date is a date, a code exists); every rule —
what may be filed, when, by whom, what a refusal must state — is in `applications.services`,
whose plain-language refusals reach the client unchanged. Output serializers read what the
selectors, `get_abilities` and `applications.timeline` computed.

Enums: a choice set appears in the schema under one property name only (drf-spectacular names
each enum after its property). Application statuses are `status`; the statuses of error reports
and correction requests, and timeline event kinds, are plain strings next to a `*_label`.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import PrefectureSummarySerializer
from accounts.selectors import applicant_profile_get
from anef.api_errors import ErrorSerializer as ErrorSerializer  # re-exported: shared
from applications.deadlines import application_legal_deadlines
from applications.enums import ApplicationStatus, Channel, ErrorReportCategory, RequestedCard
from applications.models import Application, Document, ResidencePermit
from applications.permissions import get_abilities
from applications.selectors import (
    ChecklistItem,
    application_checklist,
    application_other_open,
    permit_list_held_by,
)
from applications.timeline import status_summary
from reference.enums import CardType, ProcedureKind, RightToWork
from reference.models import DecisionReason, DocumentType, Ground

# --- Fields -------------------------------------------------------------------------------------


class CodeRelatedField(serializers.SlugRelatedField):
    """An object of the reference data named by its code. PostgreSQL refuses a NUL character in
    a query (a 500, found by fuzzing the API): such a code is refused as invalid input instead,
    with the message Django gives for text fields."""

    default_error_messages = {"null_characters": _("Null characters are not allowed.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("null_characters")
        return super().to_internal_value(data)


# --- Reference data -----------------------------------------------------------------------------


class DocumentTypeSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    help = serializers.CharField()


class GroundSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    ceseda_article = serializers.CharField()


class GroundRequirementSerializer(serializers.Serializer):
    document_type = DocumentTypeSerializer()
    mandatory = serializers.BooleanField()
    procedure_kinds = serializers.ListField(
        child=serializers.CharField(),
        help_text="Procedures this piece is asked for (values of `kind`); empty: all of them.",
    )
    note = serializers.CharField()


class GroundSerializer(serializers.Serializer):
    """A ground of stay with its rights and its checklist (public catalogue)."""

    code = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()
    ceseda_article = serializers.CharField()
    source_url = serializers.CharField()
    card_type = serializers.ChoiceField(choices=CardType.choices)
    card_validity = serializers.CharField()
    right_to_stay = serializers.BooleanField()
    right_to_work = serializers.ChoiceField(choices=RightToWork.choices)
    work_limitation = serializers.CharField()
    social_benefits = serializers.BooleanField()
    renewable = serializers.BooleanField()
    procedure_kinds = serializers.ListField(
        child=serializers.CharField(),
        help_text="Procedures that may be filed on this ground (values of `kind`).",
    )
    is_procedure = serializers.BooleanField()
    requirements = GroundRequirementSerializer(many=True, source="requirements.all")


# --- Permits ------------------------------------------------------------------------------------


class PermitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    card_type = serializers.ChoiceField(choices=CardType.choices)
    ground = serializers.CharField(source="ground.code", allow_null=True)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    right_to_work = serializers.ChoiceField(choices=RightToWork.choices)
    work_limitation = serializers.CharField()
    handed_over = serializers.BooleanField()
    handed_over_on = serializers.DateField(allow_null=True)


class PermitDeclareSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=30)
    card_type = serializers.ChoiceField(choices=CardType.choices)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    ground = CodeRelatedField(
        queryset=Ground.objects.all(),
        required=False,
        allow_null=True,
        help_text="Code of the ground the card was issued on, if known.",
    )
    handed_over = serializers.BooleanField(default=True)
    handed_over_on = serializers.DateField(required=False, allow_null=True)


# --- Documents ----------------------------------------------------------------------------------


class DocumentFileSerializer(serializers.Serializer):
    """A file given for a checklist piece (the piece itself is the enclosing item)."""

    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    file_url = serializers.SerializerMethodField()

    def get_file_url(self, document: Document) -> str:
        return reverse("api:document-file", kwargs={"pk": document.pk})


class DocumentSerializer(DocumentFileSerializer):
    document_type = serializers.CharField(source="document_type.code")
    document_type_label = serializers.CharField(source="document_type.label")
    error_report = serializers.IntegerField(
        source="error_report_id",
        allow_null=True,
        help_text="Set when the file is evidence for an error report.",
    )


class DocumentUploadSerializer(serializers.Serializer):
    document_type = CodeRelatedField(
        queryset=DocumentType.objects.all(),
        help_text="Code of the checklist piece the files are for.",
    )
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        allow_empty=False,
        help_text="One or several PDF, JPEG or PNG files (repeat the `files` part).",
    )


# --- Dossiers -----------------------------------------------------------------------------------


class ApplicationSummarySerializer(serializers.Serializer):
    reference = serializers.CharField()
    ground = GroundSummarySerializer()
    kind = serializers.ChoiceField(choices=ProcedureKind.choices)
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    prefecture = PrefectureSummarySerializer()
    created_at = serializers.DateTimeField()
    filed_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()


class OwnPermitField(serializers.PrimaryKeyRelatedField):
    """Only the person's own cards can be named: anyone else's "does not exist"."""

    def get_queryset(self):
        # `subject`: the person a helper acts for under a mandate (accounts.mandates).
        return permit_list_held_by(self.context.get("subject") or self.context["request"].user)


class ApplicationCreateSerializer(serializers.Serializer):
    ground = CodeRelatedField(queryset=Ground.objects.all(), help_text="Code of the ground.")
    kind = serializers.ChoiceField(choices=ProcedureKind.choices)
    renews_permit = OwnPermitField(
        queryset=ResidencePermit.objects.none(),
        required=False,
        allow_null=True,
        help_text="For a renewal: id of one of your declared permits (GET /api/v1/permits/).",
    )
    requested_card = serializers.ChoiceField(
        choices=RequestedCard.choices, default=RequestedCard.SAME
    )


class StatusSummarySerializer(serializers.Serializer):
    where = serializers.CharField(help_text="Where the application is.")
    next_step = serializers.CharField(help_text="What happens next.")
    delay = serializers.CharField(help_text="How long it should take.")


class ChecklistItemSerializer(serializers.Serializer):
    document_type = DocumentTypeSerializer(source="requirement.document_type")
    mandatory = serializers.BooleanField(source="requirement.mandatory")
    note = serializers.CharField(source="requirement.note")
    satisfied = serializers.BooleanField()
    documents = DocumentFileSerializer(many=True)


class DecisionReasonSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = DecisionReasonSummarySerializer(source="decision_reason", allow_null=True)
    explanation = serializers.CharField(source="decision_explanation")
    legal_basis = serializers.CharField(source="decision_legal_basis")
    remedies = serializers.CharField(source="decision_remedies")
    obligation_to_leave = serializers.BooleanField(
        source="decision_obligation_to_leave",
        allow_null=True,
        help_text="Whether the decision comes with an obligation to leave France (OQTF); null "
        "when the prefecture has not recorded it. Its remedies then have shorter limits, "
        "stated in the decision itself.",
    )
    notification_channel = serializers.CharField(
        help_text="How the decision reached the person: `portal_email`, `letter`, "
        "`hand_delivery`, or empty while not recorded."
    )
    notification_channel_label = serializers.CharField(source="get_notification_channel_display")
    notified_on = serializers.DateField(
        allow_null=True,
        help_text="The day the person received the decision; the remedies' time limits start "
        "on that day. Null while not recorded.",
    )


class CorrectionRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    message = serializers.CharField()
    document_types = DocumentTypeSerializer(many=True, source="document_types.all")
    deadline = serializers.DateField()
    status = serializers.CharField(help_text="`open`, `answered` or `cancelled`.")
    status_label = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    answer = serializers.CharField()


class LegalDeadlinesSerializer(serializers.Serializer):
    """The deadlines the law sets on this dossier, as dates (applications.deadlines)."""

    implicit_rejection_on = serializers.DateField(
        allow_null=True,
        help_text="For a complete dossier awaiting its decision: the day the silence becomes an "
        "implicit rejection. Null in other states, or when the rule gives no date we can state.",
    )
    remedy = serializers.CharField(
        help_text="After a refusal or a closure: `dated` (challenge it before `remedy_before`), "
        "`not_notified` (the two months start on the notification, not recorded yet) or "
        "`not_computed` (an obligation to leave France, or not recorded: read the decision). "
        "Empty when there is no decision to challenge."
    )
    remedy_before = serializers.DateField(
        allow_null=True,
        help_text="When `remedy` is `dated`: the decision can be challenged before this day.",
    )


class ApplicationAbilitiesSerializer(serializers.Serializer):
    """What the person asking may do on this application now."""

    view = serializers.BooleanField()
    submit = serializers.BooleanField()
    withdraw = serializers.BooleanField()
    answer_correction = serializers.BooleanField()
    edit_documents = serializers.BooleanField()
    report_error = serializers.BooleanField()
    request_correction = serializers.BooleanField()
    mark_complete = serializers.BooleanField()
    decide_favourable = serializers.BooleanField()
    decide_unfavourable = serializers.BooleanField()
    close = serializers.BooleanField()
    record_card_available = serializers.BooleanField()
    record_card_handed_over = serializers.BooleanField()
    answer_error_reports = serializers.BooleanField()
    attach_foreigner_number = serializers.BooleanField()
    record_notification = serializers.BooleanField(
        help_text="An agent of the dossier's prefecture may record how and when the decision "
        "reached the person (always false for the person and their helpers)."
    )
    record_obligation_to_leave = serializers.BooleanField(
        help_text="After a refusal, an agent of the dossier's prefecture may record whether it "
        "comes with an obligation to leave France (always false for the person and their "
        "helpers)."
    )


class ApplicationDetailSerializer(ApplicationSummarySerializer):
    """One application as its owner sees it: where it is in plain words, the checklist and
    what is missing, the decision with its reasons and remedies, and what may be done now."""

    # Needs `request` in the context: abilities depend on who asks.

    requested_card = serializers.ChoiceField(choices=RequestedCard.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    renews_permit = PermitSerializer(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    status_summary = serializers.SerializerMethodField()
    checklist = serializers.SerializerMethodField()
    missing_documents = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    correction_requests = CorrectionRequestSerializer(many=True, source="correction_requests.all")
    deadlines = serializers.SerializerMethodField()
    abilities = serializers.SerializerMethodField()

    def _checklist(self, application: Application) -> list[ChecklistItem]:
        cache = self.__dict__.setdefault("_checklists", {})
        if application.pk not in cache:
            cache[application.pk] = application_checklist(application)
        return cache[application.pk]

    @extend_schema_field(StatusSummarySerializer)
    def get_status_summary(self, application: Application) -> dict:
        return StatusSummarySerializer(status_summary(application.status)).data

    @extend_schema_field(ChecklistItemSerializer(many=True))
    def get_checklist(self, application: Application) -> list:
        return ChecklistItemSerializer(self._checklist(application), many=True).data

    @extend_schema_field(
        serializers.ListField(
            child=serializers.CharField(),
            help_text="Codes of the mandatory pieces that still have no file.",
        )
    )
    def get_missing_documents(self, application: Application) -> list[str]:
        return [
            item.requirement.document_type.code
            for item in self._checklist(application)
            if not item.satisfied
        ]

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, application: Application) -> dict | None:
        """The decision, with its reason, explanation, legal basis and remedies; null until one
        is taken (and again after a decision is re-opened)."""
        if application.decided_at is None and application.decision_reason_id is None:
            return None
        return DecisionSerializer(application).data

    @extend_schema_field(LegalDeadlinesSerializer)
    def get_deadlines(self, application: Application) -> dict:
        return LegalDeadlinesSerializer(application_legal_deadlines(application)).data

    @extend_schema_field(ApplicationAbilitiesSerializer)
    def get_abilities(self, application: Application) -> dict:
        return ApplicationAbilitiesSerializer(
            get_abilities(self.context["request"].user, application)
        ).data


class ErrorReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.CharField(source="application.reference")
    category = serializers.ChoiceField(choices=ErrorReportCategory.choices)
    category_label = serializers.CharField(source="get_category_display")
    description = serializers.CharField()
    status = serializers.CharField(help_text="`open`, `accepted` or `rejected`.")
    status_label = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolution_note = serializers.CharField()
    evidence = DocumentSerializer(many=True, source="evidence.all")


class ErrorReportCreateSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ErrorReportCategory.choices)
    description = serializers.CharField(allow_blank=True)
    evidence = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
        help_text="Optional PDF, JPEG or PNG files proving the error (multipart only).",
    )


class AgentApplicantSerializer(serializers.Serializer):
    """The person, from their account and (when they filled it in) their profile."""

    user_id = serializers.IntegerField(source="user.pk")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    email = serializers.EmailField(source="user.email")
    birth_date = serializers.DateField(source="profile.birth_date", allow_null=True)
    nationality = serializers.CharField(source="profile.nationality", allow_null=True)
    foreigner_number = serializers.CharField(source="profile.foreigner_number", allow_null=True)
    address_line = serializers.CharField(source="profile.address_line", allow_null=True)
    postal_code = serializers.CharField(source="profile.postal_code", allow_null=True)
    city = serializers.CharField(source="profile.city", allow_null=True)
    accessibility_needs = serializers.CharField(
        source="profile.accessibility_needs", allow_null=True
    )


class AgentApplicationDetailSerializer(ApplicationDetailSerializer):
    """One dossier as an agent of its prefecture sees it: the person, their other open
    applications (to be seen before any decision) and the error reports."""

    applicant = serializers.SerializerMethodField()
    other_open_applications = serializers.SerializerMethodField()
    error_reports = serializers.SerializerMethodField()

    @extend_schema_field(AgentApplicantSerializer)
    def get_applicant(self, application: Application) -> dict:
        user = application.applicant
        return AgentApplicantSerializer(
            {"user": user, "profile": applicant_profile_get(user=user)}
        ).data

    @extend_schema_field(ApplicationSummarySerializer(many=True))
    def get_other_open_applications(self, application: Application) -> list:
        return ApplicationSummarySerializer(application_other_open(application), many=True).data

    @extend_schema_field(ErrorReportSerializer(many=True))
    def get_error_reports(self, application: Application) -> list:
        reports = application.error_reports.select_related("application").prefetch_related(
            "evidence__document_type"
        )
        return ErrorReportSerializer(reports, many=True).data


class QueueItemSerializer(ApplicationSummarySerializer):
    applicant_name = serializers.SerializerMethodField()
    foreigner_number = serializers.CharField(
        source="applicant.applicant_profile.foreigner_number", allow_null=True
    )
    renews_permit_valid_until = serializers.DateField(
        source="renews_permit.valid_until", allow_null=True
    )
    open_error_reports = serializers.IntegerField()

    def get_applicant_name(self, application: Application) -> str:
        return application.applicant.get_full_name() or application.applicant.email


class QueueFilterSerializer(serializers.Serializer):
    """Query parameters of the agents' queue (applications.selectors.QueueFilters)."""

    status = serializers.ChoiceField(
        choices=ApplicationStatus.choices, required=False, allow_blank=True
    )
    ground = serializers.CharField(required=False, allow_blank=True, max_length=80)
    kind = serializers.ChoiceField(choices=ProcedureKind.choices, required=False, allow_blank=True)
    filed_from = serializers.DateField(required=False)
    filed_until = serializers.DateField(required=False)
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Reference, last name, e-mail or foreigner number.",
    )
    order = serializers.ChoiceField(
        choices=[("priority", "priority"), ("filed", "filed")],
        required=False,
        default="priority",
        help_text="`priority`: renewals first, then permits expiring soonest; `filed`: oldest "
        "first.",
    )


# --- Timeline -----------------------------------------------------------------------------------


class EventSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="Event code, e.g. `submitted` or `document_added`.")
    kind_label = serializers.CharField(help_text="The event's name.")
    text = serializers.CharField(help_text="What happened, in plain words.")
    created_at = serializers.DateTimeField()
    actor_role = serializers.CharField(help_text="Role of who did it; empty for the system.")


# --- Applicant actions --------------------------------------------------------------------------


class CorrectionAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        help_text="Message to the prefecture; add the requested files first.",
    )


class AddressChangeSerializer(serializers.Serializer):
    address_line = serializers.CharField(max_length=255)
    postal_code = serializers.CharField(max_length=5)
    city = serializers.CharField(max_length=100)


class AddressChangeResultSerializer(AddressChangeSerializer):
    transferred_applications = serializers.ListField(
        child=serializers.CharField(),
        help_text="References of the open applications moved to another prefecture.",
    )


# --- Agent actions ------------------------------------------------------------------------------


class RequestCorrectionSerializer(serializers.Serializer):
    message = serializers.CharField(allow_blank=True, help_text="What must be corrected.")
    deadline = serializers.DateField(help_text="Answer before this date (in the future).")
    document_types = CodeRelatedField(
        queryset=DocumentType.objects.all(),
        many=True,
        required=False,
        help_text="Codes of the documents asked for.",
    )


class ReasonedDecisionSerializer(serializers.Serializer):
    """A refusal or a closure states why, on which legal basis, and the remedies."""

    reason = CodeRelatedField(
        queryset=DecisionReason.objects.all(),
        help_text="Code of a decision reason of the right kind (refusal or closure).",
    )
    explanation = serializers.CharField(allow_blank=True)
    legal_basis = serializers.CharField(allow_blank=True, max_length=255)
    remedies = serializers.CharField(allow_blank=True)


class CardHandedOverSerializer(serializers.Serializer):
    card_number = serializers.CharField(max_length=30)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    handed_over_on = serializers.DateField()


class ErrorReportAcceptSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, default="")
    handed_over_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="For an unrecorded handover of the previous card: when it was handed over.",
    )
    reopen = serializers.BooleanField(
        default=False,
        help_text="Re-open a refusal or closure that the error caused, to decide again.",
    )


class ErrorReportRejectSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, help_text="Why the report is rejected.")


class ForeignerNumberSerializer(serializers.Serializer):
    number = serializers.CharField(allow_blank=True, max_length=20)


class ForeignerNumberResultSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    foreigner_number = serializers.CharField()
