"""The outbox and the outage log in the admin.

The outbox (anef/outbox.py): what waits, what was sent, what failed for good and why, and a
"try again now" once the cause is fixed. Read only otherwise; the text of a message is not
shown (it may carry a private link: a reset link shown here would open the account)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from anef.models import Outage, OutgoingMessage
from anef.outages import outage_delete, outage_save, outage_span
from anef.outbox import outbox_retry


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["recipient", "subject", "idempotency_key"]
    date_hierarchy = "created_at"
    fields = [
        "channel",
        "recipient",
        "sender",
        "subject",
        "language",
        "person",
        "idempotency_key",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["retry_now"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Try again now"))
    def retry_now(self, request, queryset) -> None:
        count = outbox_retry(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again.",
                "%(count)d messages will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Outage)
class OutageAdmin(admin.ModelAdmin):
    """The outage log: an operator declares an outage (start, end — empty while it goes on —,
    what happened), closes it, or corrects one the health checks recorded. Every change goes
    through `anef.outages`, which tells the dossiers' sweep which renewals to look at again."""

    list_display = ["started_at", "ended_at", "source", "note", "recorded_by"]
    list_filter = ["source"]
    date_hierarchy = "started_at"
    fields = ["started_at", "ended_at", "note", "source", "recorded_by", "created_at"]
    readonly_fields = ["source", "recorded_by", "created_at"]

    def save_model(self, request, obj, form, change) -> None:
        before = None
        if change:
            previous = Outage.objects.get(pk=obj.pk)
            before = outage_span(previous)
        outage_save(outage=obj, actor=request.user, before=before)

    def delete_model(self, request, obj) -> None:
        outage_delete(outage=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for outage in queryset:
            outage_delete(outage=outage, actor=request.user)
