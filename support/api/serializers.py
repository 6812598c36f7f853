"""Serializers of the ticket API. Two shapes of a ticket: the person's (public messages only)
and the contact centre's (with internal notes). Internal notes never go through the person's
serializers: they are filtered by `support.selectors.ticket_thread_public`."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from support.enums import AuthorSide, MessageKind, TicketCategory, TicketChannel, TicketStatus
from support.models import Ticket, TicketMessage


def _values(choices) -> str:
    """Choice sets are documented as plain strings (one enum per property name in the schema,
    and `status`, `category`, `channel` and `kind` already name other apps' enums)."""
    return "One of: " + ", ".join(f"`{value}`" for value in choices.values) + "."


class MessageSerializer(serializers.Serializer):
    """A message the person can read."""

    id = serializers.IntegerField(source="pk")
    side = serializers.CharField(help_text=_values(AuthorSide))
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    attachments = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_attachments(self, message: TicketMessage) -> list[str]:
        return [attachment.original_name for attachment in message.attachments.all()]


class StaffMessageSerializer(MessageSerializer):
    """A message as staff read it: replies and internal notes."""

    kind = serializers.CharField(help_text=_values(MessageKind))
    author = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, message: TicketMessage) -> str | None:
        if message.author is None:
            return None
        return message.author.get_full_name() or message.author.email


class TicketSummarySerializer(serializers.Serializer):
    number = serializers.CharField()
    category = serializers.CharField(help_text=_values(TicketCategory))
    category_label = serializers.CharField(source="get_category_display")
    status = serializers.CharField(help_text=_values(TicketStatus))
    status_label = serializers.CharField(source="get_status_display")
    channel = serializers.CharField(help_text=_values(TicketChannel))
    created_at = serializers.DateTimeField()
    application = serializers.CharField(source="application.reference", allow_null=True)


class TicketDetailSerializer(TicketSummarySerializer):
    messages = MessageSerializer(many=True, source="public_thread")
    acknowledgement = serializers.CharField(
        source="acknowledgement.number",
        allow_null=True,
        help_text="Number of the written "
        "acknowledgement of a technical impossibility, once issued.",
    )


class ConsoleTicketSerializer(TicketSummarySerializer):
    priority = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    foreigner_number = serializers.CharField(allow_blank=True)
    assignee = serializers.EmailField(source="assignee.email", allow_null=True)
    first_response_due_at = serializers.DateTimeField()
    resolution_due_at = serializers.DateTimeField()
    first_responded_at = serializers.DateTimeField(allow_null=True)


class ConsoleTicketDetailSerializer(ConsoleTicketSerializer):
    messages = StaffMessageSerializer(many=True, source="staff_thread")
    acknowledgement = serializers.CharField(source="acknowledgement.number", allow_null=True)


class TicketCreateSerializer(serializers.Serializer):
    category = serializers.CharField(help_text=_values(TicketCategory))
    message = serializers.CharField(max_length=5000)
    application = serializers.CharField(
        required=False, allow_blank=True, help_text="Reference of one of your applications."
    )

    def validate_category(self, value: str) -> str:
        if value not in TicketCategory.values:
            raise serializers.ValidationError(_values(TicketCategory))
        return value


class MessageCreateSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=5000)


def with_thread(ticket: Ticket, *, public: list | None = None, staff: list | None = None):
    """Attach the already-filtered thread to the ticket for the serializers above."""
    ticket.public_thread = public or []
    ticket.staff_thread = staff or []
    return ticket
