"""Reads of the reference data."""

from django.db.models import QuerySet

from reference.models import Ground


def grounds_offered() -> QuerySet[Ground]:
    """The grounds offered to applicants (a withdrawn ground stays only on the dossiers filed
    under it)."""
    return Ground.objects.filter(active=True)
