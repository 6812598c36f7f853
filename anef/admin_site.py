"""The Django admin, open to administrators only (role checked in accounts.permissions).

Every sign-in goes through one door (issue 15): Django's own admin login form checked the
password alone, with neither allauth's two-factor step nor its failed-login lockout. The admin's
login page now sends to allauth's, and the admin also refuses a staff session that has not
proved its second factor (anef/second_factor.py), as the other staff consoles do.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache


class AnefAdminSite(admin.AdminSite):
    site_header = _("anef administration")
    site_title = _("anef administration")
    index_title = _("Reference data, users and roles")

    def has_permission(self, request) -> bool:
        # Imported here: this module is loaded while the app registry is being populated.
        from accounts.permissions import can_use_admin
        from anef.second_factor import second_factor_missing

        return can_use_admin(request.user) and not second_factor_missing(request, request.user)

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        """allauth's login page (two-factor, rate limits), then back to the admin."""
        target = request.GET.get(REDIRECT_FIELD_NAME) or request.POST.get(REDIRECT_FIELD_NAME)
        if not target or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = resolve_url("admin:index")
        return HttpResponseRedirect(
            resolve_url("account_login") + "?" + urlencode({REDIRECT_FIELD_NAME: target})
        )


class AnefAdminConfig(AdminConfig):
    default_site = "anef.admin_site.AnefAdminSite"

    def ready(self) -> None:
        super().ready()
        # The authtoken app registers its tokens in the admin: an administrator must not mint
        # an API token for someone else, which would skip that person's second factor.
        from rest_framework.authtoken.models import TokenProxy

        if admin.site.is_registered(TokenProxy):
            admin.site.unregister(TokenProxy)
