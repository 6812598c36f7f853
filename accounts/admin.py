from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ApplicantProfile, User


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
