"""Dossier models. Reference data first: prefectures and the grounds catalogue.

Reference data carries its texts in French (the reference) and English in explicit columns;
`translated()` picks the current language and falls back to French. The catalogue's source is
`applications/reference_data/catalogue.yaml`, loaded by `manage.py load_reference_data`.
"""

import secrets
import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from anef.models import TimelineEvent
from anef.uploads import served_extension
from applications.enums import (
    ApplicationStatus,
    CardType,
    Channel,
    CorrectionStatus,
    DecisionKind,
    ErrorReportCategory,
    ErrorReportStatus,
    EventKind,
    ProcedureKind,
    RequestedCard,
    RightToWork,
)
from applications.workflow import DOCUMENTS_EDITABLE_STATES, OPEN_STATES

REFERENCE_LANGUAGES = ("fr", "en")


class TranslatedTextMixin:
    """Reads `<field>_<lang>` for the active language, falling back to French."""

    def translated(self, field: str) -> str:
        language = (get_language() or "fr").split("-")[0]
        if language not in REFERENCE_LANGUAGES:
            language = "fr"
        return getattr(self, f"{field}_{language}") or getattr(self, f"{field}_fr")


class Prefecture(models.Model):
    """A prefecture instructs the dossiers of people living in its département."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=150)
    departement_code = models.CharField(
        _("département code"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^(\d{2}|2A|2B|97\d)$", _("Not a département code."))],
    )
    departement_name = models.CharField(_("département"), max_length=100)
    address_line = models.CharField(_("address"), max_length=255)
    postal_code = models.CharField(_("postal code"), max_length=5)
    city = models.CharField(_("city"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    pan_opening_hours = models.CharField(
        _("digital reception point (PAN) opening hours"), max_length=255, blank=True
    )

    class Meta:
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")
        ordering = ["departement_code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.departement_code})"


class DocumentType(TranslatedTextMixin, models.Model):
    """A kind of supporting document (passport, photo, proof of address, employment contract…)."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    label_fr = models.CharField(_("label (French)"), max_length=255)
    label_en = models.CharField(_("label (English)"), max_length=255)
    help_fr = models.TextField(_("help (French)"), blank=True)
    help_en = models.TextField(_("help (English)"), blank=True)

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label_fr

    @property
    def label(self) -> str:
        return self.translated("label")

    @property
    def help(self) -> str:
        return self.translated("help")


class Ground(TranslatedTextMixin, models.Model):
    """A ground (motif) on which a residence permit is asked, with its legal basis and the
    rights the resulting document carries. Every ground can be asked without a foreigner
    number (DESIGN.md §3)."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    label_fr = models.CharField(_("label (French)"), max_length=255)
    label_en = models.CharField(_("label (English)"), max_length=255)
    description_fr = models.TextField(_("conditions in plain words (French)"))
    description_en = models.TextField(_("conditions in plain words (English)"))
    ceseda_article = models.CharField(
        _("CESEDA article"), max_length=100, help_text=_("Legal basis, e.g. « L. 421-1 ».")
    )
    source_url = models.URLField(_("public source"), blank=True)
    card_type = models.CharField(_("card produced"), max_length=32, choices=CardType.choices)
    card_validity_fr = models.CharField(_("card validity (French)"), max_length=255, blank=True)
    card_validity_en = models.CharField(_("card validity (English)"), max_length=255, blank=True)
    right_to_stay = models.BooleanField(_("right to stay"), default=True)
    right_to_work = models.CharField(_("right to work"), max_length=16, choices=RightToWork.choices)
    work_limitation_fr = models.CharField(_("limits on work (French)"), max_length=255, blank=True)
    work_limitation_en = models.CharField(_("limits on work (English)"), max_length=255, blank=True)
    social_benefits = models.BooleanField(_("access to social benefits"), default=True)
    renewable = models.BooleanField(_("can be renewed"))
    renewed_online = models.BooleanField(
        _("renewed online (R. 431-5 1°)"),
        default=True,
        help_text=_(
            "On the list of titles renewed online: renewal filed from the 120th to the 60th day "
            "before the card ends. Otherwise: within the two months before it ends."
        ),
    )
    procedure_kinds = models.JSONField(
        _("procedures"),
        default=list,
        help_text=_("Which procedures may be filed on this ground (first application, renewal…)."),
    )
    is_procedure = models.BooleanField(
        _("is a procedure on an existing card"),
        default=False,
        help_text=_("Change of situation, travel document, duplicate: not a ground of stay."),
    )
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)
    active = models.BooleanField(_("offered to applicants"), default=True)
    document_types = models.ManyToManyField(
        DocumentType, through="GroundRequirement", related_name="grounds"
    )

    class Meta:
        verbose_name = _("ground")
        verbose_name_plural = _("grounds")
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(
                name="ground_work_limitation_iff_limited",
                condition=Q(right_to_work=RightToWork.LIMITED) & ~Q(work_limitation_fr="")
                | ~Q(right_to_work=RightToWork.LIMITED),
                violation_error_message=_("A limited right to work must say what the limit is."),
            ),
            models.CheckConstraint(
                name="ground_has_ceseda_article", condition=~Q(ceseda_article="")
            ),
        ]

    def __str__(self) -> str:
        return self.label_fr

    @property
    def label(self) -> str:
        return self.translated("label")

    @property
    def description(self) -> str:
        return self.translated("description")

    @property
    def card_validity(self) -> str:
        return self.translated("card_validity")

    @property
    def work_limitation(self) -> str:
        return self.translated("work_limitation")

    def offers(self, kind: ProcedureKind | str) -> bool:
        return str(kind) in self.procedure_kinds


class GroundRequirement(TranslatedTextMixin, models.Model):
    """One piece of a ground's checklist. `procedure_kinds` empty means every procedure."""

    ground = models.ForeignKey(
        Ground, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("ground")
    )
    document_type = models.ForeignKey(
        DocumentType,
        on_delete=models.PROTECT,
        related_name="requirements",
        verbose_name=_("document type"),
    )
    mandatory = models.BooleanField(_("mandatory"), default=True)
    procedure_kinds = models.JSONField(_("only for these procedures"), default=list, blank=True)
    note_fr = models.CharField(_("note (French)"), max_length=255, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=255, blank=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["ground", "display_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ground", "document_type"], name="ground_requirement_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ground.code}: {self.document_type.code}"

    @property
    def note(self) -> str:
        return self.translated("note")

    def applies_to(self, kind: ProcedureKind | str) -> bool:
        return not self.procedure_kinds or str(kind) in self.procedure_kinds


class DecisionReason(TranslatedTextMixin, models.Model):
    """Catalogue of reasons for a refusal or a closure, each with its usual legal basis and the
    remedies open to the person (DESIGN.md §3: a closure says *why*)."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DecisionKind.choices)
    label_fr = models.CharField(_("label (French)"), max_length=255)
    label_en = models.CharField(_("label (English)"), max_length=255)
    legal_basis = models.CharField(_("usual legal basis"), max_length=255)
    remedies_fr = models.TextField(_("remedies and deadlines (French)"))
    remedies_en = models.TextField(_("remedies and deadlines (English)"))

    class Meta:
        verbose_name = _("decision reason")
        verbose_name_plural = _("decision reasons")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.label_fr

    @property
    def label(self) -> str:
        return self.translated("label")

    @property
    def remedies(self) -> str:
        return self.translated("remedies")

    def legal_basis_for(self, ground: "Ground") -> str:
        """The usual legal basis, with the article of the ground asked for where the catalogue
        says `{ground_article}` (a refusal for unmet conditions cites the ground's article)."""
        return fill_ground_article(self.legal_basis, ground)


GROUND_ARTICLE = "{ground_article}"


def fill_ground_article(legal_basis: str, ground: "Ground") -> str:
    return legal_basis.replace(GROUND_ARTICLE, ground.ceseda_article)


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
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    card_handed_over_on = models.DateField(_("card handed over on"), null=True, blank=True)
    # The attestation sweep's bookkeeping: a dossier is looked at again when something changed
    # (dirty) or on a new day; see attestations.services.attestations_sweep.
    attestations_swept_on = models.DateField(null=True, blank=True, editable=False)
    attestations_dirty = models.BooleanField(default=True, editable=False)
    # The next day on which its attestations can change if nothing about it changes
    # (attestations.rules.next_review_on); NULL: settled, or nothing ahead until it changes.
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
