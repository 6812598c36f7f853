from django.contrib import admin

from substitution.models import Appointment, Desk, Slot, SubstitutionCase


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    list_display = ["name", "prefecture", "kind", "active"]
    list_filter = ["kind", "active", "prefecture"]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["desk", "starts_at", "ends_at", "capacity"]
    list_filter = ["desk__prefecture", "desk"]
    date_hierarchy = "starts_at"


@admin.register(SubstitutionCase)
class SubstitutionCaseAdmin(admin.ModelAdmin):
    """Read-only: cases change through the services (timeline and audit)."""

    list_display = ["reference", "prefecture", "origin", "mode", "status", "opened_at"]
    list_filter = ["status", "origin", "prefecture"]
    search_fields = ["reference"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["case", "slot", "status", "booked_at"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
