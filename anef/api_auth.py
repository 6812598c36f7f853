"""API authentication with the staff rules of issue 15.

- A staff token (agent, contact centre, administrator) expires `STAFF_API_TOKEN_TTL_SECONDS`
  after it was issued: a token copied from a laptop does not open identity documents for ever.
- Where staff two-factor is required, a staff token is refused when its owner has no second
  factor, and a token is issued only to a session that proved one (accounts/api/views.py
  `token_issue`; the admin cannot mint tokens for others, anef/admin_site.py).
- Session requests are checked by anef/middleware.py (the session flag of anef/second_factor.py).

Requests that parse JSON do it through `DepthLimitedJSONParser` (anef/api_parsers.py).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from anef.second_factor import has_authenticator, is_staff_role


class MfaRequired(exceptions.PermissionDenied):
    default_code = "mfa_required"
    default_detail = _("Staff accounts must sign in with their second factor first.")


def staff_token_expires_at(token) -> datetime | None:
    if not is_staff_role(token.user):
        return None
    return token.created + timedelta(seconds=settings.STAFF_API_TOKEN_TTL_SECONDS)


class StaffAwareTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        expires_at = staff_token_expires_at(token)
        if expires_at is not None and expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(
                _("This token has expired: sign in and ask for a new one."), code="token_expired"
            )
        if settings.STAFF_MFA_REQUIRED and is_staff_role(user) and not has_authenticator(user):
            raise MfaRequired()
        return user, token
