"""Attestations in the prefecture back office (/agents/attestations/): the PDF of a dossier's
attestation, the prefecture's at-risk dashboard (and its counts for a supervisor), and issuing
a dossier's due attestations now.

Everything is scoped to the agent's prefecture by the selectors: another prefecture's
attestation or dossier is a 404. Issuing goes through `attestations.services` only.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.permissions import (
    can_see_national_at_risk,
    can_use_back_office,
    is_prefecture_supervisor,
    requires,
)
from applications.models import Application
from applications.selectors import application_list_visible_to
from attestations.at_risk import at_risk_dashboard, at_risk_thresholds
from attestations.at_risk_national import at_risk_national
from attestations.rules import Policy
from attestations.selectors import attestation_list_visible_to, of_dossier
from attestations.services import attestations_sync_application
from attestations.views import attestation_pdf_response, attestation_rows
from attestations.views.portal import renewal_risk_notices


def backoffice_dossier_blocks(user, application: Application) -> dict:
    """For the dossier page: its attestations (every one, current first) and its risk (a
    panel of `applications.hooks.backoffice_dossier_panels`)."""
    today = timezone.localdate()
    attestations = attestation_list_visible_to(user).filter(of_dossier(application))
    return {
        "attestation_rows": attestation_rows(
            attestations.select_related("replaces").order_by("kind", "-valid_from", "-pk"), today
        ),
        "renewal_risks": renewal_risk_notices([application], today),
    }


@never_cache
@requires(can_use_back_office)
@require_safe
def attestation_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The PDF of an attestation of the agent's prefecture (`?inline=1` opens it)."""
    attestation = get_object_or_404(attestation_list_visible_to(request.user), number=number)
    return attestation_pdf_response(
        request, attestation, inline=request.GET.get("inline") is not None
    )


@requires(can_use_back_office)
@require_safe
def at_risk(request: HttpRequest) -> HttpResponse:
    """The prefecture's people at risk of being left without a document, in four sections
    (attestations.at_risk), most urgent first, each row with what to do and the person's
    contact. Only the agent's own prefecture is read."""
    return render(
        request,
        "attestations/backoffice/at_risk.html",
        {
            "dashboard": at_risk_dashboard(request.user),
            "policy": Policy.from_settings(),
            "thresholds": at_risk_thresholds(),
        },
    )


@requires(is_prefecture_supervisor)
@require_safe
def at_risk_counts(request: HttpRequest) -> HttpResponse:
    """For a prefecture supervisor: how many rows each section of their prefecture's
    dashboard holds today (the api gaps must be zero)."""
    dashboard = at_risk_dashboard(request.user)
    return render(
        request,
        "attestations/backoffice/at_risk_counts.html",
        {"dashboard": dashboard, "counts": dashboard.counts},
    )


@requires(can_use_back_office)
@require_POST
def sweep_application(request: HttpRequest, reference: str) -> HttpResponse:
    """Issue now whatever attestation is due for this dossier (the hourly sweep would anyway)."""
    application = get_object_or_404(application_list_visible_to(request.user), reference=reference)
    report = attestations_sync_application(application_id=application.pk)
    if report.issued:
        messages.success(
            request,
            ngettext(
                "%(count)d attestation issued. The person is told in their space.",
                "%(count)d attestations issued. The person is told in their space.",
                report.issued,
            )
            % {"count": report.issued},
        )
    elif report.applications:
        messages.info(request, _("Nothing new was due: the attestations are up to date."))
    else:
        messages.warning(
            request,
            _(
                "The attestations of this application are being updated right now. Try again in a "
                "minute."
            ),
        )
    url = reverse("backoffice:application_detail", args=[application.reference])
    return redirect(f"{url}#attestations")


@requires(can_see_national_at_risk)
@require_safe
def at_risk_national_counts(request: HttpRequest) -> HttpResponse:
    """For the administration: every prefecture's at-risk counts on one page (counts only, no
    person), in a fixed number of queries (attestations.at_risk_national)."""
    return render(
        request,
        "attestations/backoffice/at_risk_national.html",
        {"national": at_risk_national(request.user)},
    )
