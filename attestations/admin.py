from django.contrib import admin

from attestations.models import Attestation


@admin.register(Attestation)
class AttestationAdmin(admin.ModelAdmin):
    """Read-only: attestations are issued and ended by the sweep, never by hand."""

    list_display = [
        "number",
        "kind",
        "holder",
        "valid_from",
        "valid_until",
        "ended_on",
        "end_reason",
        "issue_on",
    ]
    list_filter = ["kind", "end_reason", "prefecture"]
    list_select_related = ["holder"]
    search_fields = ["number", "holder__email", "holder__last_name", "application__reference"]
    readonly_fields = [field.name for field in Attestation._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
