"""The applicant portal (applicants, and helpers acting under a mandate)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import can_use_portal, requires
from accounts.selectors import applicant_profile_get
from applications.selectors import prefecture_for_postal_code


@requires(can_use_portal)
def home(request: HttpRequest) -> HttpResponse:
    profile = applicant_profile_get(user=request.user)
    prefecture = prefecture_for_postal_code(profile.postal_code) if profile else None
    return render(
        request, "applications/portal/home.html", {"profile": profile, "prefecture": prefecture}
    )
