"""Who may use which console. The one place where roles are checked.

Views (decorator and mixin), the REST API (permission class) and the admin site all call these
functions, so a rule changes in one place. Object-level rules (an applicant's own dossier, an
agent's own prefecture) are scoped querysets in each app's selectors.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.permissions import BasePermission

from accounts.enums import Role


def has_role(user, *roles: Role) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.role in roles
    )


def is_applicant(user) -> bool:
    return has_role(user, Role.APPLICANT)


def is_helper(user) -> bool:
    return has_role(user, Role.HELPER)


def is_prefecture_agent(user) -> bool:
    return has_role(user, Role.PREFECTURE_AGENT) and user.prefecture_id is not None


def is_contact_centre_agent(user) -> bool:
    return has_role(user, Role.CONTACT_CENTRE_AGENT)


# The contact-centre supervisor: an agent holding this Django permission (given in the admin to
# a user or, better, to the group "Contact-centre supervisors"). Supervisors edit saved answers,
# receive deadline alerts and approve account recoveries (issue 15: the second pair of eyes).
CONTACT_CENTRE_SUPERVISE = "support.supervise_contact_centre"


def is_contact_centre_supervisor(user) -> bool:
    return is_contact_centre_agent(user) and user.has_perm(CONTACT_CENTRE_SUPERVISE)


# The prefecture supervisor: a prefecture agent holding this Django permission (given in the admin
# to a user or to the group "Prefecture supervisors"). Supervisors see their prefecture's team
# load and figures and assign dossiers; they stay bound to their own prefecture like any agent.
PREFECTURE_SUPERVISE = "applications.supervise_prefecture"


def is_prefecture_supervisor(user) -> bool:
    return is_prefecture_agent(user) and user.has_perm(PREFECTURE_SUPERVISE)


def is_administrator(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def can_see_national_at_risk(user) -> bool:
    """The at-risk counts of every prefecture on one page (issue 16): a national view, counts
    only, for the administration (no ministry role exists; a prefecture's agents and supervisor
    stay bound to their own prefecture)."""
    return is_administrator(user)


def can_see_prefecture_statistics(user) -> bool:
    """A prefecture's figures (counts and days, nothing personal; issue 20): its agents and
    supervisor for their own prefecture, administrators for any."""
    return can_use_back_office(user) or is_administrator(user)


def is_staff_member(user) -> bool:
    """Someone who works on the service (prefecture, contact centre, administration), as
    opposed to a person applying or helping: the public help box is not for them."""
    return has_role(user, Role.PREFECTURE_AGENT, Role.CONTACT_CENTRE_AGENT, Role.ADMINISTRATOR)


def can_use_portal(user) -> bool:
    """The applicant portal: applicants for themselves, helpers for those who gave a mandate."""
    return has_role(user, Role.APPLICANT, Role.HELPER)


def can_use_back_office(user) -> bool:
    """The prefecture back office (/agents/)."""
    return is_prefecture_agent(user)


def can_use_support_console(user) -> bool:
    """The contact-centre ticket console (/support/)."""
    return is_contact_centre_agent(user)


def can_use_admin(user) -> bool:
    """The Django admin: reference data, users and roles."""
    return is_administrator(user) and user.is_staff


def role_home_url_name(user) -> str:
    """Where a signed-in user lands: their own console."""
    if can_use_admin(user):
        return "admin:index"
    if can_use_back_office(user):
        return "backoffice:home"
    if can_use_support_console(user):
        return "support_console:home"
    if is_helper(user):
        return "mandates:helping"  # the people they help, then "act for" one of them
    return "portal:home"


def _deny(request: HttpRequest):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def requires(check: Callable[[object], bool]):
    """View decorator: anonymous → login page; signed in without the right role → 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not check(request.user):
                return _deny(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RequiresMixin(AccessMixin):
    """Class-based view counterpart of `requires`: set `access_check` to one function above."""

    access_check: Callable[[object], bool]

    def dispatch(self, request, *args, **kwargs):
        if not type(self).access_check(request.user):
            return _deny(request)
        return super().dispatch(request, *args, **kwargs)


class HasAccess(BasePermission):
    """DRF permission built from one function above: `HasAccess.for_check(can_use_portal)`."""

    access_check: Callable[[object], bool] = staticmethod(lambda user: False)

    @classmethod
    def for_check(cls, check: Callable[[object], bool]) -> type["HasAccess"]:
        return type(f"HasAccess_{check.__name__}", (cls,), {"access_check": staticmethod(check)})

    def has_permission(self, request, view) -> bool:
        return self.access_check(request.user)
