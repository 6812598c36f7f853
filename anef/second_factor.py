"""The staff two-factor flag of a session (issue 15): set only by a real second factor, bound to
the account and the role it was earned for.

allauth tells us when a second factor was really used: `authenticator_used` (a TOTP or recovery
code typed at login or at re-authentication) and `authenticator_added` (the code typed to activate
a new authenticator app). Nothing else sets the flag: having an authenticator on file is not
proof (Django's own admin login accepted the password alone), and a flag earned as an applicant
is worth nothing once the account is promoted to agent, so the role is stored with it and any
role change asks for the second factor again (anef/middleware.py, anef/api_auth.py).
"""

from allauth.mfa.models import Authenticator
from django.conf import settings

from accounts.enums import Role

STAFF_ROLES = frozenset({Role.PREFECTURE_AGENT, Role.CONTACT_CENTRE_AGENT, Role.ADMINISTRATOR})
SESSION_KEY = "anef_staff_mfa_ok"


def is_staff_role(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.role in STAFF_ROLES)


def has_authenticator(user) -> bool:
    return Authenticator.objects.filter(user=user).exists()


def _proof(user) -> dict:
    return {"user": str(user.pk), "role": str(user.role)}


def mark_verified(request, user) -> None:
    """Called only when a second factor was just checked by allauth."""
    if request is not None and hasattr(request, "session") and user is not None:
        request.session[SESSION_KEY] = _proof(user)


def is_verified(request, user) -> bool:
    """This session proved a second factor for this account in its current role."""
    return request.session.get(SESSION_KEY) == _proof(user)


def second_factor_missing(request, user) -> bool:
    """A staff member whose session has not (or no longer) proved a second factor."""
    return bool(
        settings.STAFF_MFA_REQUIRED and is_staff_role(user) and not is_verified(request, user)
    )


def _on_authenticator_used(sender, request=None, user=None, **kwargs) -> None:
    mark_verified(request, user)


def _on_authenticator_added(sender, request=None, user=None, **kwargs) -> None:
    mark_verified(request, user)


def connect_signals() -> None:
    from allauth.mfa import signals

    signals.authenticator_used.connect(_on_authenticator_used, dispatch_uid="anef_mfa_used")
    signals.authenticator_added.connect(_on_authenticator_added, dispatch_uid="anef_mfa_added")
