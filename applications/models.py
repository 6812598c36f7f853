"""Dossier models: permits held, applications, their documents, corrections and timeline.

The reference data they point at (prefectures, grounds, document types, decision reasons) is
in the `reference` app, below this one.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anef.models import TimelineEvent
from anef.uploads import served_extension
from applications.enums import (
    ApplicationStatus,
    Channel,
    CorrectionStatus,
    ErrorReportCategory,
    ErrorReportStatus,
    EventKind,
    NotificationChannel,
    RequestedCard,
)
from applications.workflow import DOCUMENTS_EDITABLE_STATES, OPEN_STATES
from reference.enums import CardType, ProcedureKind, RightToWork
from reference.models import DecisionReason, DocumentType, Ground, Prefecture


class ResidencePermit(models.Model):
    """A residence document a person holds or held (declared by them, or recorded by an agent)."""

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.CASCADE,
        related_name="residence_permits",
    )
    number = models.CharField(_("card number"), max_length=30)
    card_type = models.CharField(_("card type"), max_length=32, choices=CardType.choices)
    ground = models.ForeignKey(
        Ground, verbose_name=_("ground"), on_delete=models.PROTECT, null=True, blank=True
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    right_to_work = models.CharField(
        _("right to work"), max_length=16, choices=RightToWork.choices, default=RightToWork.FULL
    )
    work_limitation = models.CharField(_("limits on work"), max_length=255, blank=True)
    handed_over = models.BooleanField(_("handed over to the holder"), default=False)
    handed_over_on = models.DateField(_("handed over on"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("residence permit")
        verbose_name_plural = _("residence permits")
        ordering = ["-valid_until"]
        constraints = [
            models.CheckConstraint(
                name="permit_validity_ordered", condition=Q(valid_until__gt=F("valid_from"))
            ),
            models.CheckConstraint(
                name="permit_handover_date_iff_handed_over",
                condition=Q(handed_over=True, handed_over_on__isnull=False)
                | Q(handed_over=False, handed_over_on__isnull=True),
            ),
            models.UniqueConstraint(fields=["holder", "number"], name="permit_number_per_holder"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.valid_from:%d/%m/%Y} – {self.valid_until:%d/%m/%Y})"


def _new_reference() -> str:
    return "A" + secrets.token_hex(5).upper()


class Application(models.Model):
    """A dossier: one ground, one procedure, for one person. Several may be open at once."""

    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=_new_reference, editable=False
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    ground = models.ForeignKey(
        Ground, verbose_name=_("ground"), on_delete=models.PROTECT, related_name="applications"
    )
    kind = models.CharField(_("procedure"), max_length=32, choices=ProcedureKind.choices)
    requested_card = models.CharField(
        _("card asked for"),
        max_length=16,
        choices=RequestedCard.choices,
        default=RequestedCard.SAME,
    )
    prefecture = models.ForeignKey(
        Prefecture,
        verbose_name=_("prefecture"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    renews_permit = models.ForeignKey(
        ResidencePermit,
        verbose_name=_("permit renewed"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
    )
    status = models.CharField(
        _("status"), max_length=32, choices=ApplicationStatus.choices, default="draft"
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.ONLINE
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("complete since"), null=True, blank=True)
    # The first time the dossier was complete: the right to an API is established then, and a
    # correction asked for afterwards does not take it back (attestations.rules).
    first_completed_at = models.DateTimeField(
        _("first complete at"), null=True, blank=True, editable=False
    )
    reopened_at = models.DateTimeField(_("re-opened at"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.ForeignKey(
        DecisionReason,
        verbose_name=_("reason"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    decision_explanation = models.TextField(_("explanation"), blank=True)
    decision_legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    decision_remedies = models.TextField(_("remedies and deadlines"), blank=True)
    # Issue 18: whether a refusal comes with an obligation to leave France (OQTF). Its remedies
    # have much shorter limits that depend on its kind, so anef states a date only when this is
    # known to be False; None (not recorded, older decisions) is treated like an OQTF.
    decision_obligation_to_leave = models.BooleanField(
        _("comes with an obligation to leave France (OQTF)"), null=True, blank=True
    )
    # How and when the decision was notified: the remedies' two months run from that day.
    notification_channel = models.CharField(
        _("notified"), max_length=16, choices=NotificationChannel.choices, blank=True
    )
    notified_on = models.DateField(_("notified on"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    card_handed_over_on = models.DateField(_("card handed over on"), null=True, blank=True)
    # The attestation sweep's bookkeeping: a dossier is looked at again when something changed
    # (dirty) or on a new day; see attestations.services.attestations_sweep.
    attestations_swept_on = models.DateField(null=True, blank=True, editable=False)
    attestations_dirty = models.BooleanField(default=True, editable=False)
    # The next day on which its attestations can change if nothing about it changes
    # (attestations.review_rules.next_review_on); NULL: settled, or nothing ahead until it changes.
    attestations_next_review_on = models.DateField(null=True, blank=True, editable=False)
    # Retention of the documents (issue 8, applications/retention.py): when the person was told
    # that the documents of this decided dossier will be deleted; never told twice.
    documents_retention_warned_at = models.DateTimeField(
        _("told of the deletion of documents at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        # The prefecture supervisor (accounts.permissions.is_prefecture_supervisor): an agent
        # of a prefecture who also sees the team's load, assigns dossiers and reads the
        # prefecture's figures. Defined once here for the workbench and the at-risk pages.
        permissions = [
            ("supervise_prefecture", "Supervise the instruction of the agent's prefecture"),
        ]
        indexes = [
            models.Index(fields=["attestations_dirty", "attestations_swept_on"]),
            # The sweep's daily claim: only open dossiers with a review day ahead are indexed.
            models.Index(
                fields=["attestations_next_review_on"],
                condition=~Q(status=ApplicationStatus.DRAFT)
                & Q(attestations_next_review_on__isnull=False),
                name="application_next_review_open",
            ),
            models.Index(fields=["prefecture", "status", "filed_at"]),
            # The agent queue's pages in the order (filed_at, id) of a prefecture's filed
            # dossiers (issue 20, `applications.queue_listing`): « oldest first », and the
            # dossiers without a permit after the others in the default order; read forwards
            # or backwards to the page, never sorted.
            models.Index(
                fields=["prefecture", "filed_at", "id"],
                condition=~Q(status=ApplicationStatus.DRAFT),
                name="application_queue_filed",
            ),
            models.Index(fields=["applicant", "status"]),
        ]
        constraints = [
            # Only an exact duplicate (same person, ground and procedure, still open) is refused.
            models.UniqueConstraint(
                fields=["applicant", "ground", "kind"],
                condition=Q(status__in=sorted(OPEN_STATES)),
                name="application_one_open_per_ground_and_kind",
                violation_error_message=_(
                    "You already have an open application on this ground for this procedure."
                ),
            ),
            models.CheckConstraint(
                name="application_refusal_or_closure_has_reasons",
                condition=~Q(status__in=["unfavourable", "closed"])
                | (
                    Q(decision_reason__isnull=False)
                    & ~Q(decision_explanation="")
                    & ~Q(decision_legal_basis="")
                    & ~Q(decision_remedies="")
                ),
            ),
            models.CheckConstraint(
                name="application_notified_on_has_channel",
                condition=Q(notified_on__isnull=True) | ~Q(notification_channel=""),
            ),
            models.CheckConstraint(
                name="application_renewal_names_the_permit",
                condition=~Q(kind="renewal") | Q(renews_permit__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.ground.label_fr}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def decision_stated(self) -> dict | None:
        """The legal basis and remedies of a refusal or a closure in the reader's language
        where they are the catalogue's texts (`DecisionReason.as_stated`), each with its
        language: {"legal_basis": StatedText, "remedies": StatedText}."""
        reason = self.decision_reason
        if reason is None:
            return None
        return {
            "legal_basis": reason.as_stated("legal_basis", self.decision_legal_basis, self.ground),
            "remedies": reason.as_stated("remedies", self.decision_remedies, self.ground),
        }

    @property
    def documents_editable(self) -> bool:
        return self.status in DOCUMENTS_EDITABLE_STATES


def document_storage_key(document: "Document", filename: str) -> str:
    """A random key: the person's file name is never trusted nor used in storage; the extension
    is that of the type sniffed from the bytes (anef/uploads.py)."""
    extension = served_extension(document.content_type)
    return f"documents/{document.application.reference}/{uuid.uuid4().hex}{extension}"


class Document(models.Model):
    """One file for one piece of the checklist; a piece may have any number of files."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("document type"), on_delete=models.PROTECT
    )
    file = models.FileField(_("file"), upload_to=document_storage_key, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    error_report = models.ForeignKey(
        "ErrorReport",
        verbose_name=_("evidence for error report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
    )
    # Deleted at the end of the retention period (applications/retention.py): the file is gone
    # from storage and `file` is empty; the row stays as a tombstone (type, date, SHA-256).
    purged_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)
    # A copy made for a renewal prefilled from the last dossier (issue 16): its own stored file,
    # the file it copies, and the day the person first gave it, from which it ages (a copy of a
    # copy keeps that day: copying never makes a document younger).
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    first_given_on = models.DateField(_("first given on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["document_type", "uploaded_at"]
        constraints = [
            models.CheckConstraint(
                name="document_purged_has_no_file",
                condition=Q(purged_at__isnull=True) | Q(file=""),
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None

    @property
    def given_on(self):
        """The day the person first gave this file (a copy: the original's day)."""
        return self.first_given_on or timezone.localdate(self.uploaded_at)


class CorrectionRequest(models.Model):
    """An agent asks for a piece or a fix, with a deadline; the applicant answers in the dossier."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="correction_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("what to correct"))
    document_types = models.ManyToManyField(
        DocumentType, verbose_name=_("documents asked for"), blank=True
    )
    deadline = models.DateField(_("answer before"))
    status = models.CharField(
        _("status"), max_length=16, choices=CorrectionStatus.choices, default="open"
    )
    created_at = models.DateTimeField(_("asked on"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status="open"),
                name="correction_one_open_per_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.message[:40]}"


class ErrorReport(models.Model):
    """The applicant says the record is wrong (e.g. the previous card's handover is not recorded,
    so the renewal was refused); an agent accepts and corrects, or rejects with a reason."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="error_reports"
    )
    category = models.CharField(
        _("what is wrong"), max_length=32, choices=ErrorReportCategory.choices
    )
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=16, choices=ErrorReportStatus.choices, default="open"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("reported on"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    resolved_at = models.DateTimeField(_("resolved on"), null=True, blank=True)
    resolution_note = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("error report")
        verbose_name_plural = _("error reports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="error_report_rejection_has_reason",
                condition=~Q(status="rejected") | ~Q(resolution_note=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.get_category_display()}"


class Event(TimelineEvent):
    """The dossier's timeline (texts rendered by applications/timeline.py)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=40, choices=EventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.kind}"


# The rows of the queue's exports, the document review, expert opinions, renewal reminders and
# the instruction workbench (issues 16 and 20), in their own packages; loaded with the app's models.
from applications.exports.models import QueueExport  # noqa: E402, F401
from applications.opinions.models import Opinion  # noqa: E402, F401
from applications.reminders.models import RenewalNoticeDay  # noqa: E402, F401
from applications.review.models import DocumentReview  # noqa: E402, F401
from applications.workbench.models import (  # noqa: E402, F401
    Annotation,
    Assignment,
    Follow,
    SavedQueueView,
    WorkbenchEvent,
    WorkbenchEventKind,
)

# isort: split
# The message thread of a dossier (issue 20), in its own module; loaded with the app's models.
from applications.messages.models import Message, MessageAttachment  # noqa: E402, F401
