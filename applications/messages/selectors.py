"""Reads of the thread, scoped by the caller: the views pass dossiers already found through
`application_list_visible_to`, and attachments are looked up only inside such a dossier."""

from collections.abc import Iterable

from django.db.models import Count, Prefetch, QuerySet

from accounts.permissions import can_use_back_office, can_use_portal
from applications.messages.models import Message, MessageAttachment, MessageSide
from applications.models import Application


def thread_list(application: Application) -> list[Message]:
    """The dossier's messages, oldest first, with their authors and files: two queries
    whatever the length of the thread."""
    return list(
        Message.objects.filter(application=application)
        .select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=MessageAttachment.objects.order_by("pk"))
        )
    )


def unread_count(application: Application, *, side: str) -> int:
    """How many messages `side` has not read yet (those the other side wrote)."""
    return (
        Message.objects.filter(application=application, read_at__isnull=True)
        .exclude(side=side)
        .count()
    )


def _unread_by_application(queryset: QuerySet[Message]) -> dict[int, int]:
    return {
        row["application_id"]: row["count"]
        for row in queryset.filter(read_at__isnull=True)
        .values("application_id")
        .annotate(count=Count("pk"))
        .order_by()
    }


def unread_counts_for_agent(prefecture, application_ids: Iterable[int]) -> dict[int, int]:
    """Messages of the applicants' side not read yet by the prefecture's agents, by dossier,
    among `application_ids` (the rows a queue page shows); dossiers of another prefecture are
    left out whatever ids are given. One query; a dossier without unread message is absent."""
    prefecture_id = getattr(prefecture, "pk", prefecture)
    return _unread_by_application(
        Message.objects.filter(
            application_id__in=list(application_ids),
            application__prefecture_id=prefecture_id,
            side=MessageSide.APPLICANT,
        )
    )


def unread_counts_for_person(applications: Iterable[Application]) -> dict[int, int]:
    """Messages of the prefecture not read yet by the person, by dossier (their dashboard):
    one query."""
    return _unread_by_application(
        Message.objects.filter(
            application_id__in=[application.pk for application in applications],
            side=MessageSide.PREFECTURE,
        )
    )


def attachment_get(user, application: Application, pk: int) -> MessageAttachment | None:
    """A file of this dossier's thread, for someone who may see its documents (the person,
    their helper, the agents of its prefecture: the caller found `application` through
    `application_list_visible_to`); contact-centre staff and a file of another dossier: None."""
    if not (can_use_portal(user) or can_use_back_office(user)):
        return None
    return (
        MessageAttachment.objects.filter(message__application=application, pk=pk)
        .select_related("message")
        .first()
    )
