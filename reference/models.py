"""Reference data: prefectures, the grounds catalogue with its checklists, decision reasons.

The lowest domain app (docs/architecture.md): accounts, dossiers and every other app point at
these rows; this app imports none of them. The tables keep the names they had when the models
lived in `applications` (moved without copying a row, issue 19).

Reference data carries its texts in French (the reference) and English in explicit columns;
`translated()` picks the current language and falls back to French. The catalogue's source is
`reference/catalogue/catalogue.yaml`, loaded by `manage.py load_reference_data`.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reference.enums import CardType, DecisionKind, ProcedureKind, RightToWork

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
        db_table = "applications_prefecture"
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
        db_table = "applications_documenttype"
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
        db_table = "applications_ground"
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
        db_table = "applications_groundrequirement"
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
        db_table = "applications_decisionreason"
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
