"""The person's space (`portal:home`): identity, dossiers with where each stands, how to start
one, and the other apps' blocks (current attestations, a renewal at risk)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.permissions import can_use_portal, is_helper, requires
from accounts.selectors import applicant_profile_get
from accounts.views.acting import for_a_person
from anef.page_cache import page_cached, person_pages
from anef.phone import phone_masked
from applications.hooks import portal_home_panels, portal_person_panels
from applications.selectors import application_list_visible_to, prefecture_for_postal_code
from applications.timeline import status_summary
from applications.views.portal._common import TEMPLATES


@requires(can_use_portal)
@for_a_person
@require_http_methods(["GET"])
@page_cached(depends_on=person_pages)
def home(request: HttpRequest) -> HttpResponse:
    """The person's space: identity, applications with where each stands, how to start one.
    A helper sees here the space of the person they act for."""
    subject = request.portal_subject
    profile = applicant_profile_get(user=subject)
    prefecture = prefecture_for_postal_code(profile.postal_code) if profile else None
    applications = (
        application_list_visible_to(request.user)
        .filter(applicant=subject)
        .select_related("renews_permit__ground")
        .order_by("-created_at")
    )
    rows = [(application, status_summary(application.status)) for application in applications]
    helper = is_helper(request.user)
    return render(
        request,
        TEMPLATES + "home.html",
        {
            "profile": profile,
            "prefecture": prefecture,
            "rows": rows,
            "is_helper": helper,
            # Issue 21: texts chosen, number not proven yet (never shown to a helper).
            "phone_to_prove": phone_masked(request.user.phone_number)
            if request.user.phone_awaits_proof and not helper
            else "",
            # Other apps' blocks (the current attestations, a renewal at risk): applications.hooks.
            **portal_home_panels.context(request.user, applications),
            **portal_person_panels.context(request.user, subject),
        },
    )
