"""The Django admin, open to administrators only (role checked in accounts.permissions)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class AnefAdminSite(admin.AdminSite):
    site_header = _("anef administration")
    site_title = _("anef administration")
    index_title = _("Reference data, users and roles")

    def has_permission(self, request) -> bool:
        # Imported here: this module is loaded while the app registry is being populated.
        from accounts.permissions import can_use_admin

        return can_use_admin(request.user)


class AnefAdminConfig(AdminConfig):
    default_site = "anef.admin_site.AnefAdminSite"
