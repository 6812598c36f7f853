from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ApplicantProfile, Mandate, User


class ApplicantProfileInline(admin.StackedInline):
    model = ApplicantProfile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "prefecture", "is_active"]
    list_filter = ["role", "prefecture", "is_active"]
    list_select_related = ["prefecture"]
    search_fields = ["email", "first_name", "last_name", "applicant_profile__foreigner_number"]
    inlines = [ApplicantProfileInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identity"), {"fields": ["first_name", "last_name", "preferred_language"]}),
        (_("Role"), {"fields": ["role", "prefecture"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "role", "prefecture", "password1", "password2"],
            },
        ),
    ]


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    """Mandates are given, confirmed and revoked by the people themselves (accounts.mandates);
    the admin reads them."""

    list_display = ["person", "helper", "all_grounds", "starts_on", "ends_on", "revoked_at"]
    list_filter = ["consent_method", "duration"]
    list_select_related = ["person", "helper"]
    search_fields = ["person__email", "helper__email", "organisation_name"]
    readonly_fields = [field.name for field in Mandate._meta.fields] + ["grounds"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
