"""Loading the reference-data catalogue (prefectures, document types, grounds, decision reasons)."""

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction

from reference.models import DecisionReason, DocumentType, Ground, GroundRequirement, Prefecture
from reference.rules import catalogue_errors
from reference.selectors import work_limitations_forget

CATALOGUE_PATH = Path(__file__).resolve().parent / "catalogue.yaml"

PREFECTURE_FIELDS = (
    "name",
    "name_en",
    "name_ar",
    "departement_code",
    "departement_name",
    "address_line",
    "postal_code",
    "city",
    "phone",
    "email",
    "pan_opening_hours",
    "pan_opening_hours_en",
    "pan_opening_hours_ar",
)
DOCUMENT_TYPE_FIELDS = (
    "label_fr",
    "label_en",
    "label_ar",
    "help_fr",
    "help_en",
    "help_ar",
    "reusable",
    "validity_months",
)
GROUND_FIELDS = (
    "label_fr",
    "label_en",
    "label_ar",
    "description_fr",
    "description_en",
    "description_ar",
    "ceseda_article",
    "ceseda_article_en",
    "ceseda_article_ar",
    "source_url",
    "card_type",
    "card_validity_fr",
    "card_validity_en",
    "card_validity_ar",
    "right_to_stay",
    "right_to_work",
    "work_limitation_fr",
    "work_limitation_en",
    "work_limitation_ar",
    "social_benefits",
    "renewable",
    "renewed_online",
    "procedure_kinds",
    "is_procedure",
    "active",
)
REQUIREMENT_FIELDS = ("mandatory", "procedure_kinds", "note_fr", "note_en", "note_ar")
DECISION_REASON_FIELDS = (
    "kind",
    "label_fr",
    "label_en",
    "label_ar",
    "legal_basis",
    "legal_basis_en",
    "legal_basis_ar",
    "remedies_fr",
    "remedies_en",
    "remedies_ar",
)


class CatalogueError(ValueError):
    """The reference-data file is not valid; nothing was loaded."""


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    removed_requirements: int = 0

    def count(self, kind: str, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1


def _values(entry: dict, names: tuple[str, ...]) -> dict:
    return {name: entry[name] for name in names if name in entry}


def reference_data_read(path: Path = CATALOGUE_PATH) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@transaction.atomic
def reference_data_load(*, path: Path = CATALOGUE_PATH) -> LoadReport:
    """Create or update prefectures, document types and grounds from the catalogue file.

    Idempotent: entries are matched by their `code`; a ground's checklist is made exactly what
    the file says (requirements no longer listed are removed). The whole file is validated
    first, so a bad file changes nothing.
    """
    catalogue = reference_data_read(path)
    errors = catalogue_errors(catalogue)
    if errors:
        raise CatalogueError("; ".join(errors))

    report = LoadReport()
    for entry in catalogue["prefectures"]:
        _, created = Prefecture.objects.update_or_create(
            code=entry["code"], defaults=_values(entry, PREFECTURE_FIELDS)
        )
        report.count("prefectures", created)

    document_types = {}
    for entry in catalogue["document_types"]:
        document_type, created = DocumentType.objects.update_or_create(
            code=entry["code"], defaults=_values(entry, DOCUMENT_TYPE_FIELDS)
        )
        document_types[document_type.code] = document_type
        report.count("document_types", created)

    for order, entry in enumerate(catalogue["grounds"]):
        ground, created = Ground.objects.update_or_create(
            code=entry["code"],
            defaults={**_values(entry, GROUND_FIELDS), "display_order": order},
        )
        report.count("grounds", created)
        kept = []
        for position, requirement in enumerate(entry["requirements"]):
            item, created = GroundRequirement.objects.update_or_create(
                ground=ground,
                document_type=document_types[requirement["document"]],
                defaults={**_values(requirement, REQUIREMENT_FIELDS), "display_order": position},
            )
            kept.append(item.pk)
            report.count("requirements", created)
        removed, _ = ground.requirements.exclude(pk__in=kept).delete()
        report.removed_requirements += removed

    for entry in catalogue["decision_reasons"]:
        _, created = DecisionReason.objects.update_or_create(
            code=entry["code"], defaults=_values(entry, DECISION_REASON_FIELDS)
        )
        report.count("decision_reasons", created)
    transaction.on_commit(work_limitations_forget)
    return report
