"""Reference data: prefectures, the grounds catalogue with its checklists, decision reasons.

The lowest domain app (docs/architecture.md): accounts, dossiers and every other app point at
these rows; this app imports none of them. The tables keep the names they had when the models
lived in `applications` (moved without copying a row, issue 19).

Reference data carries every text shown to people in French (the reference), English and Arabic,
in explicit columns `<field>_fr`/`_en`/`_ar` (a few French columns keep their historical name
without suffix: a prefecture's `name`, a ground's `ceseda_article`, a reason's `legal_basis`);
`translated()` picks the current language and falls back to French. The catalogue's source is
`reference/catalogue/catalogue.yaml`, loaded by `manage.py load_reference_data`.
"""

from dataclasses import dataclass

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reference.enums import REFERENCE_LANGUAGES, CardType, DecisionKind, ProcedureKind, RightToWork


def reference_language() -> str:
    """The active language if the catalogue is written in it, else French."""
    language = (get_language() or "fr").split("-")[0]
    return language if language in REFERENCE_LANGUAGES else "fr"


class TranslatedTextMixin:
    """Reads `<field>_<lang>` for the active language, falling back to French (`<field>_fr`,
    or `<field>` itself where the French column has no suffix)."""

    def french(self, field: str) -> str:
        french = f"{field}_fr" if hasattr(self, f"{field}_fr") else field
        return getattr(self, french) or ""

    def translated(self, field: str) -> str:
        return self.text_in(field, reference_language())

    def text_in(self, field: str, language: str) -> str:
        if language == "fr":
            return self.french(field)
        return getattr(self, f"{field}_{language}", "") or self.french(field)

    def translations(self, field: str) -> dict[str, str]:
        """The text in every catalogue language (French where a translation is missing)."""
        return {language: self.text_in(field, language) for language in REFERENCE_LANGUAGES}


class Prefecture(TranslatedTextMixin, models.Model):
    """A prefecture instructs the dossiers of people living in its département."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=150, blank=True)
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
    pan_opening_hours_en = models.CharField(
        _("PAN opening hours (English)"), max_length=255, blank=True
    )
    pan_opening_hours_ar = models.CharField(
        _("PAN opening hours (Arabic)"), max_length=255, blank=True
    )

    class Meta:
        db_table = "applications_prefecture"
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")
        ordering = ["departement_code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.departement_code})"

    @property
    def label(self) -> str:
        """The name in the reader's language (`name` is the French, as agents use it)."""
        return self.translated("name")

    @property
    def opening_hours(self) -> str:
        return self.translated("pan_opening_hours")


class DocumentType(TranslatedTextMixin, models.Model):
    """A kind of supporting document (passport, photo, proof of address, employment contract…)."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    label_fr = models.CharField(_("label (French)"), max_length=255)
    label_en = models.CharField(_("label (English)"), max_length=255)
    label_ar = models.CharField(_("label (Arabic)"), max_length=255, blank=True)
    help_fr = models.TextField(_("help (French)"), blank=True)
    help_en = models.TextField(_("help (English)"), blank=True)
    help_ar = models.TextField(_("help (Arabic)"), blank=True)
    # Its own validity rules, for a renewal prefilled from the last dossier (issue 16): whether a
    # file given once may be copied into a later dossier, and for how long after it was given.
    reusable = models.BooleanField(
        _("can be reused in a later application"),
        default=False,
        help_text=_("No: asked again each time (a tax stamp, the current card, a statement)."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("How long after it is given it stays valid; empty: it does not age."),
    )

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
    label_ar = models.CharField(_("label (Arabic)"), max_length=255, blank=True)
    description_fr = models.TextField(_("conditions in plain words (French)"))
    description_en = models.TextField(_("conditions in plain words (English)"))
    description_ar = models.TextField(_("conditions in plain words (Arabic)"), blank=True)
    ceseda_article = models.CharField(
        _("CESEDA article"), max_length=100, help_text=_("Legal basis, e.g. « L. 421-1 ».")
    )
    ceseda_article_en = models.CharField(_("CESEDA article (English)"), max_length=100, blank=True)
    ceseda_article_ar = models.CharField(_("CESEDA article (Arabic)"), max_length=100, blank=True)
    source_url = models.URLField(_("public source"), blank=True)
    card_type = models.CharField(_("card produced"), max_length=32, choices=CardType.choices)
    card_validity_fr = models.CharField(_("card validity (French)"), max_length=255, blank=True)
    card_validity_en = models.CharField(_("card validity (English)"), max_length=255, blank=True)
    card_validity_ar = models.CharField(_("card validity (Arabic)"), max_length=255, blank=True)
    right_to_stay = models.BooleanField(_("right to stay"), default=True)
    right_to_work = models.CharField(_("right to work"), max_length=16, choices=RightToWork.choices)
    work_limitation_fr = models.CharField(_("limits on work (French)"), max_length=255, blank=True)
    work_limitation_en = models.CharField(_("limits on work (English)"), max_length=255, blank=True)
    work_limitation_ar = models.CharField(_("limits on work (Arabic)"), max_length=255, blank=True)
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

    @property
    def article(self) -> str:
        """The CESEDA article in the reader's language (`ceseda_article` is the French)."""
        return self.translated("ceseda_article")

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
    note_ar = models.CharField(_("note (Arabic)"), max_length=255, blank=True)
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
    label_ar = models.CharField(_("label (Arabic)"), max_length=255, blank=True)
    legal_basis = models.CharField(_("usual legal basis"), max_length=255)
    legal_basis_en = models.CharField(_("usual legal basis (English)"), max_length=255, blank=True)
    legal_basis_ar = models.CharField(_("usual legal basis (Arabic)"), max_length=255, blank=True)
    remedies_fr = models.TextField(_("remedies and deadlines (French)"))
    remedies_en = models.TextField(_("remedies and deadlines (English)"))
    remedies_ar = models.TextField(_("remedies and deadlines (Arabic)"), blank=True)

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

    def legal_basis_in(self, language: str, ground: "Ground") -> str:
        return self.text_in("legal_basis", language).replace(
            GROUND_ARTICLE, ground.text_in("ceseda_article", language)
        )

    def as_stated(self, field: str, stated: str, ground: "Ground") -> "StatedText":
        """A decision's `legal_basis` or `remedies` as the reader should see it: the catalogue's
        text in the reader's language when the agent kept the catalogue's text (in any of its
        languages), else the text as the agent wrote it, in French (the decision's language)."""
        if field == "legal_basis":
            versions = {lang: self.legal_basis_in(lang, ground) for lang in REFERENCE_LANGUAGES}
        else:
            versions = self.translations(field)
        if any(_same_text(stated, version) for version in versions.values()):
            language = reference_language()
            return StatedText(versions[language], language)
        return StatedText(stated, "fr")


@dataclass(frozen=True)
class StatedText:
    """A text and the language it is written in (for `lang` on the page)."""

    text: str
    language: str


def _same_text(first: str, second: str) -> bool:
    return " ".join((first or "").split()) == " ".join((second or "").split())


GROUND_ARTICLE = "{ground_article}"


def fill_ground_article(legal_basis: str, ground: "Ground") -> str:
    return legal_basis.replace(GROUND_ARTICLE, ground.ceseda_article)
