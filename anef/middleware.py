"""Two-factor authentication is required of staff (issue 8): prefecture agents, contact-centre
agents and administrators see identity documents and personal data of many people, so a stolen
password alone must not open their consoles.

A staff member without an authenticator app is sent to set one up (allauth MFA, TOTP) before any
other page; one who has an app but whose session has not proved it (signed in some other way,
or promoted while signed in: issue 15) is asked for a code again; the API answers 403 with a
clear code. The session flag is set only by a real second factor (anef/second_factor.py).
Applicants and helpers are not concerned: asking them for a second factor would shut out exactly
the people the portal exists for. Required wherever `STAFF_MFA_REQUIRED` is on (by default: when
the site is served over HTTPS). Token requests are checked by anef/api_auth.py.
"""

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from anef.second_factor import SESSION_KEY, has_authenticator, second_factor_missing

__all__ = ["SESSION_KEY", "StaffMfaRequiredMiddleware"]

# Where a staff member without a second factor may still go: set it up, sign out, switch
# language, static files and the health probe.
OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


class StaffMfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(OPEN_PREFIXES) and second_factor_missing(
            request, request.user
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": "mfa_required",
                        "message": _("Staff accounts must sign in with their second factor first."),
                        "details": {},
                    },
                    status=403,
                )
            if not has_authenticator(request.user):
                return redirect("mfa_activate_totp")
            target = redirect("mfa_reauthenticate")
            target["Location"] += "?" + urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
            return target
        return self.get_response(request)
