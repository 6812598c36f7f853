"""The contact centre in the admin: saved answers (also editable by supervisors in the console)
and, read only, the log of consultations of personal data. Tickets are handled in the console,
where every change goes through the services (events, audit), never edited here."""

from django.contrib import admin

from support.models import PersonalDataAccess, SavedAnswer


@admin.register(SavedAnswer)
class SavedAnswerAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "active", "updated_at"]
    list_filter = ["category", "active"]
    search_fields = ["title", "body_fr", "body_en"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ["viewed_at", "viewer", "person", "ticket", "scope"]
    list_select_related = ["viewer", "person", "ticket"]
    search_fields = ["person__email", "viewer__email", "ticket__number"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
