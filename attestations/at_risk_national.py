"""The at-risk counts of every prefecture on one page (issue 16), for the national view: the
four sections of `attestations.at_risk` read once for the whole country and counted by
prefecture, so the number of queries does not grow with the prefectures nor the people.

A row belongs to the prefecture of its dossier, or for a card with no dossier yet, to the
prefecture of the holder's postal code (as the prefecture dashboard scopes them)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from accounts.permissions import can_see_national_at_risk
from applications.models import Application
from attestations.at_risk import (
    SECTIONS,
    _api_gaps,
    _decisions_due,
    _permits_ending,
    _renewals,
)
from attestations.rules import Policy
from reference.models import Prefecture
from reference.rules import departement_code_for_postal_code


@dataclass(frozen=True)
class PrefectureCounts:
    prefecture: Prefecture
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class NationalAtRisk:
    today: date
    rows: list[PrefectureCounts]
    unplaced: int  # cards whose holder's postal code names no prefecture of the catalogue

    @property
    def totals(self) -> dict[str, int]:
        return {section: sum(row.counts[section] for row in self.rows) for section in SECTIONS}


def _departement(postal_code: str) -> str | None:
    try:
        return departement_code_for_postal_code(postal_code)
    except ValueError:
        return None


def at_risk_national(
    user, *, today: date | None = None, policy: Policy | None = None
) -> NationalAtRisk | None:
    """Every prefecture's counts (None for anyone without the national view)."""
    if not can_see_national_at_risk(user):
        return None
    today = today or timezone.localdate()
    policy = policy or Policy.from_settings()
    prefectures = list(Prefecture.objects.order_by("name"))
    by_departement = {prefecture.departement_code: prefecture.pk for prefecture in prefectures}
    counts: dict[str, Counter] = {section: Counter() for section in SECTIONS}
    unplaced = 0
    for row in _permits_ending(None, today):
        profile = getattr(row.permit.holder, "applicant_profile", None)
        prefecture_id = by_departement.get(_departement(profile.postal_code if profile else ""))
        if prefecture_id is None:
            unplaced += 1
        else:
            counts["permits_ending"][prefecture_id] += 1
    # As `application_list_visible_to` reads them for one prefecture, for the whole country.
    applications = Application.objects.select_related("ground", "prefecture", "applicant")
    for row in _renewals(applications, today, policy):
        counts["renewals"][row.application.prefecture_id] += 1
    for row in _api_gaps(None, today, policy):
        counts["api_gaps"][row.application.prefecture_id] += 1
    for row in _decisions_due(applications, today):
        counts["decisions_due"][row.application.prefecture_id] += 1
    return NationalAtRisk(
        today=today,
        rows=[
            PrefectureCounts(
                prefecture,
                {section: counts[section][prefecture.pk] for section in SECTIONS},
            )
            for prefecture in prefectures
        ],
        unplaced=unplaced,
    )
