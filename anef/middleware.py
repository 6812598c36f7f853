"""Two-factor authentication is required of staff (issue 8): prefecture agents, contact-centre
agents and administrators see identity documents and personal data of many people, so a stolen
password alone must not open their consoles.

A staff member without an authenticator app is sent to set one up (allauth MFA, TOTP) before any
other page; the API answers 403 with a clear code. Applicants and helpers are not concerned:
asking them for a second factor would shut out exactly the people the portal exists for.
Required wherever `STAFF_MFA_REQUIRED` is on (by default: when the site is served over HTTPS).
"""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.enums import Role

STAFF_ROLES = {Role.PREFECTURE_AGENT, Role.CONTACT_CENTRE_AGENT, Role.ADMINISTRATOR}
# Where a staff member without a second factor may still go: set it up, sign out, switch
# language, static files and the health probe.
OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")
SESSION_KEY = "anef_staff_mfa_ok"


def _needs_second_factor(user) -> bool:
    return (
        user.is_authenticated
        and user.role in STAFF_ROLES
        and not Authenticator.objects.filter(user=user).exists()
    )


class StaffMfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.STAFF_MFA_REQUIRED
            and not request.path.startswith(OPEN_PREFIXES)
            and not request.session.get(SESSION_KEY)
            and request.user.is_authenticated
        ):
            if _needs_second_factor(request.user):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "code": "mfa_required",
                            "message": _(
                                "Staff accounts must set up two-factor authentication first."
                            ),
                            "details": {},
                        },
                        status=403,
                    )
                return redirect("mfa_activate_totp")
            request.session[SESSION_KEY] = True
        return self.get_response(request)
