"""The holder's attestations in the portal (/portal/attestations/), and the blocks the portal's
dashboard and dossier page show: the current attestations, and what to do when a renewal is at
risk of leaving the person without a document (DESIGN.md §3 "attestations").

Attestations are read only through `attestation_list_visible_to(request.user)`: another
person's attestation is a 404.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.permissions import can_use_portal, requires
from applications.models import Application
from applications.selectors import application_list_visible_to
from attestations.risk_rules import renewal_risk
from attestations.rules import Policy
from attestations.selectors import (
    attestation_list_visible_to,
    dossier_facts_list,
    of_dossier,
    renewal_siblings_facts,
)
from attestations.views import (
    AttestationRow,
    attestation_pdf_response,
    attestation_rows,
    current_first,
)
from reference.enums import ProcedureKind


@dataclass(frozen=True)
class RiskNotice:
    """A renewal the law leaves uncovered (filed late, or incomplete near the card's end)."""

    application: Application
    code: str
    days_left: int | None
    expires_on: date


def renewal_risk_notices(
    applications: Iterable[Application], today: date, policy: Policy | None = None
) -> list[RiskNotice]:
    """The renewals among `applications` (select_related renews_permit) that the rules say
    are at risk on `today`."""
    policy = policy or Policy.from_settings()
    renewals = [
        application
        for application in applications
        if application.kind == ProcedureKind.RENEWAL and application.renews_permit_id is not None
    ]
    siblings = renewal_siblings_facts(renewals)
    notices = []
    for application, facts in zip(renewals, dossier_facts_list(renewals), strict=True):
        risk = renewal_risk(
            facts,
            today,
            policy,
            siblings=siblings.get(application.renews_permit_id, ()),
        )
        if risk is not None:
            notices.append(
                RiskNotice(
                    application=application,
                    code=risk.code,
                    days_left=risk.days_left,
                    expires_on=application.renews_permit.valid_until,
                )
            )
    return notices


def _current_rows(user, today: date, application: Application | None = None):
    queryset = attestation_list_visible_to(user).current(today).select_related("replaces")
    if application is not None:
        queryset = queryset.filter(of_dossier(application))
    return attestation_rows(current_first(queryset), today)


def portal_home_blocks(user, applications: Iterable[Application]) -> dict:
    """For the dashboard: the person's current attestations and their renewals at risk (a
    panel of `applications.hooks.portal_home_panels`, attestations/subscriptions.py)."""
    today = timezone.localdate()
    return {
        "current_attestations": _current_rows(user, today),
        "renewal_risks": renewal_risk_notices(applications, today),
    }


def portal_dossier_blocks(user, application: Application) -> dict:
    """For one dossier's page: its current attestations and, if at risk, what to do (a panel
    of `applications.hooks.portal_dossier_panels`)."""
    today = timezone.localdate()
    return {
        "current_attestations": _current_rows(user, today, application),
        "renewal_risks": renewal_risk_notices([application], today),
    }


@requires(can_use_portal)
@require_safe
def attestation_list(request: HttpRequest) -> HttpResponse:
    """Every attestation of the person, current ones first, with what each lets them do."""
    today = timezone.localdate()
    rows: list[AttestationRow] = attestation_rows(
        current_first(attestation_list_visible_to(request.user)), today
    )
    renewals = (
        application_list_visible_to(request.user)
        .filter(kind=ProcedureKind.RENEWAL)
        .select_related("renews_permit__ground")
    )
    return render(
        request,
        "attestations/portal/list.html",
        {
            "current": [row for row in rows if row.is_current],
            "past": [row for row in rows if not row.is_current],
            "renewal_risks": renewal_risk_notices(renewals, today),
        },
    )


@never_cache
@requires(can_use_portal)
@require_safe
def attestation_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The holder's PDF, as an attachment; rendered on demand if the file is missing."""
    attestation = get_object_or_404(attestation_list_visible_to(request.user), number=number)
    return attestation_pdf_response(request, attestation)
