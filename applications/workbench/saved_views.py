"""An agent's saved views of the queue (issue 20): named filters, private to the agent who saved
them, listed above their queue as links.

A view keeps the queue's filters as a query string, cleaned here: only the queue's filter fields,
their first value, never the page number (a saved view opens on its first page). What the
filters mean is the queue's business (`applications.selectors.backoffice_queue`): a view saved
with a filter that no longer validates opens the queue with that filter ignored and shown in
error, as a typed address would.

The queue's page lists the agent's views, so a change bumps the agent's own generation (the
queue depends on it: `applications.views.queue_page.agent_queue`).
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_prefecture_agent
from anef import generations
from anef.audit import audit_action
from anef.errors import DomainError
from applications.workbench.models import SavedQueueView

# How many views an agent keeps (the links must fit above the queue).
SAVED_VIEWS_MAX = 20
NAME_MAX_LENGTH = 60
# The queue's filters, in the order they are written in a saved query string.
QUEUE_FILTER_PARAMS = (
    "search",
    "scope",
    "status",
    "ground",
    "kind",
    "filed_from",
    "filed_until",
    "order",
)
_VALUE_MAX_LENGTH = 150


def saved_view_list(agent) -> QuerySet[SavedQueueView]:
    """The agent's own views, by name; nobody else's, ever."""
    if not is_prefecture_agent(agent):
        return SavedQueueView.objects.none()
    return SavedQueueView.objects.filter(agent_id=agent.pk).order_by(Lower("name"), "pk")


def queue_query_cleaned(query: str) -> str:
    """The queue's filters of a query string, first value each, empty ones and others dropped."""
    parsed = QueryDict(query or "")
    kept = []
    for name in QUEUE_FILTER_PARAMS:
        value = (parsed.get(name) or "").strip()
        if value:
            kept.append((name, value[:_VALUE_MAX_LENGTH]))
    return urlencode(kept)


def saved_view_create(*, agent, name: str, query: str) -> SavedQueueView:
    """Save the queue's current filters under `name` for this agent. Names are unique per agent
    (whatever their case); an agent keeps at most `SAVED_VIEWS_MAX` views."""
    if not is_prefecture_agent(agent):
        raise DomainError("not_yours", _("Only the prefecture's agents save views of the queue."))
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("name_required", _("Give the view a name."))
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(
            "name_too_long",
            _("A view's name has at most %(limit)s characters.") % {"limit": NAME_MAX_LENGTH},
        )
    try:
        with transaction.atomic():
            # The agent's row, locked: two saves at once count each other's view.
            get_user_model().objects.select_for_update().filter(pk=agent.pk).first()
            mine = SavedQueueView.objects.filter(agent_id=agent.pk)
            if mine.filter(name__iexact=name).exists():
                raise DomainError("duplicate", _("You already have a view with this name."))
            if mine.count() >= SAVED_VIEWS_MAX:
                raise DomainError(
                    "too_many",
                    _("You keep at most %(limit)s views: delete one first.")
                    % {"limit": SAVED_VIEWS_MAX},
                )
            view = SavedQueueView.objects.create(
                agent=agent, name=name, query=queue_query_cleaned(query)
            )
            audit_action(
                instance=view,
                actor=agent,
                action="saved_view_create",
                details={"name": name, "query": view.query},
            )
            generations.bump_person(agent.pk)
    except IntegrityError as error:  # the same name saved at the same instant
        raise DomainError("duplicate", _("You already have a view with this name.")) from error
    return view


def saved_view_delete(*, view: SavedQueueView, actor) -> None:
    """Delete one of the agent's own views (another's is not found: the caller's selector)."""
    with transaction.atomic():
        deleted, _rows = SavedQueueView.objects.filter(pk=view.pk, agent_id=actor.pk).delete()
        if not deleted:
            raise DomainError(
                "unknown_view", _("This view does not exist (any more)."), http_status=404
            )
        audit_action(
            instance=actor,
            actor=actor,
            action="saved_view_delete",
            details={"name": view.name},
        )
        generations.bump_person(actor.pk)
