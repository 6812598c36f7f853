from django.contrib import admin

from applications.models import Application, Document, Event, ResidencePermit


@admin.register(ResidencePermit)
class ResidencePermitAdmin(admin.ModelAdmin):
    list_display = ["number", "holder", "card_type", "valid_from", "valid_until", "handed_over"]
    list_filter = ["card_type", "handed_over"]
    list_select_related = ["holder"]
    search_fields = ["number", "holder__email", "holder__last_name"]
    autocomplete_fields = ["holder", "ground"]


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "actor", "actor_role", "params"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class DocumentInline(admin.TabularInline):
    """Names and types only: files are served by the scoped document view, never by the admin."""

    model = Document
    extra = 0
    can_delete = False
    fields = ["document_type", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-mostly: a dossier's status changes only through the back office's services, which
    check the workflow and write the timeline; the admin cannot bypass them."""

    list_display = ["reference", "applicant", "ground", "kind", "prefecture", "status", "filed_at"]
    list_filter = ["status", "kind", "prefecture", "ground", "channel"]
    list_select_related = ["applicant", "ground", "prefecture"]
    search_fields = ["reference", "applicant__email", "applicant__last_name"]
    readonly_fields = [
        "reference",
        "applicant",
        "ground",
        "kind",
        "requested_card",
        "prefecture",
        "renews_permit",
        "status",
        "channel",
        "filed_at",
        "completed_at",
        "decided_at",
        "decision_reason",
        "decision_explanation",
        "decision_legal_basis",
        "decision_remedies",
    ]
    inlines = [DocumentInline, EventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
