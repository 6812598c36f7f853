"""Reads on dossiers and reference data."""

from django.db.models import Prefetch, QuerySet

from applications.models import Ground, GroundRequirement, Prefecture
from applications.rules import departement_code_for_postal_code


def ground_list_offered() -> QuerySet[Ground]:
    """Grounds and procedures offered to applicants, each with its checklist."""
    return Ground.objects.filter(active=True).prefetch_related(
        Prefetch(
            "requirements",
            queryset=GroundRequirement.objects.select_related("document_type"),
        )
    )


def prefecture_for_postal_code(postal_code: str) -> Prefecture | None:
    """The prefecture competent for an address, or None when we have no prefecture there."""
    try:
        departement = departement_code_for_postal_code(postal_code)
    except ValueError:
        return None
    return Prefecture.objects.filter(departement_code=departement).first()
