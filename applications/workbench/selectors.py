"""Reads of the workbench, scoped by the caller (the views pass dossiers already found through
`application_list_visible_to`, and the agent's own prefecture)."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Min, Q, QuerySet
from django.utils.translation import gettext_lazy

from accounts.enums import Role
from applications.enums import ApplicationStatus
from applications.models import Application
from applications.review.rules import RejectionReason
from applications.timeline import Audience, actor_subject, timeline_entries
from applications.workbench.models import (
    Annotation,
    Assignment,
    Follow,
    WorkbenchEvent,
    WorkbenchEventKind,
)
from applications.workbench.services import is_agent_of, may_assign_others
from applications.workflow import OPEN_STATES

# Filed and not finished: what an agent still has to work on.
WORKING_STATES = sorted(OPEN_STATES - {ApplicationStatus.DRAFT})


def prefecture_agents(prefecture_id: int) -> QuerySet:
    """The active agents of a prefecture, by name: whom a dossier can be assigned to."""
    return (
        get_user_model()
        .objects.filter(role=Role.PREFECTURE_AGENT, prefecture_id=prefecture_id, is_active=True)
        .order_by("last_name", "first_name", "pk")
    )


# --- Team load (supervisors) ---------------------------------------------------------------------


@dataclass(frozen=True)
class TeamLoad:
    agents: list  # users, each with `open_count` and `oldest_filed_at`
    unassigned_count: int
    unassigned_oldest_filed_at: datetime | None


def team_load(prefecture_id: int) -> TeamLoad:
    """Open dossiers per agent of the prefecture (and the oldest filed), and those assigned to
    nobody: two queries whatever the team's size."""
    working = Q(
        assignments__application__status__in=WORKING_STATES,
        assignments__application__prefecture_id=prefecture_id,
    )
    agents = list(
        prefecture_agents(prefecture_id)
        .annotate(
            open_count=Count("assignments", filter=working),
            oldest_filed_at=Min("assignments__application__filed_at", filter=working),
        )
        .order_by("-open_count", "last_name", "first_name", "pk")
    )
    unassigned = Application.objects.filter(
        prefecture_id=prefecture_id, status__in=WORKING_STATES, assignment__isnull=True
    ).aggregate(count=Count("pk"), oldest=Min("filed_at"))
    return TeamLoad(agents, unassigned["count"], unassigned["oldest"])


# --- The dossier page's panel and timeline -------------------------------------------------------


def annotation_list(application: Application) -> list[Annotation]:
    return list(application.annotations.select_related("author"))


def workbench_panel(user, application: Application) -> dict:
    """What the dossier page shows of the workbench, for an agent of its prefecture."""
    assignment = Assignment.objects.filter(application=application).select_related("agent").first()
    supervisor = may_assign_others(user, application)
    agent = is_agent_of(user, application)
    mine = assignment is not None and assignment.agent_id == user.pk
    return {
        "assignment": assignment,
        "assigned_to_me": mine,
        "following": Follow.objects.filter(application=application, agent=user).exists(),
        "annotations": annotation_list(application),
        "may_take": agent and assignment is None and not supervisor,
        "may_unassign": assignment is not None and (mine or supervisor),
        "may_assign_others": supervisor,
        "assignable_agents": list(prefecture_agents(application.prefecture_id))
        if supervisor
        else [],
    }


_WORKBENCH_TEXTS = {
    WorkbenchEventKind.ASSIGNED: gettext_lazy("%(actor)s assigned the application to %(agent)s."),
    WorkbenchEventKind.UNASSIGNED: gettext_lazy("%(actor)s removed the assignment to %(agent)s."),
    WorkbenchEventKind.ANNOTATED: gettext_lazy("%(actor)s added a note."),
    WorkbenchEventKind.ANNOTATIONS_EXPORTED: gettext_lazy(
        "%(actor)s exported the notes for a request from the person (number of notes: %(count)s)."
    ),
    WorkbenchEventKind.DOCUMENT_ACCEPTED: gettext_lazy("%(actor)s accepted the file « %(name)s »."),
    WorkbenchEventKind.DOCUMENT_REJECTED: gettext_lazy(
        "%(actor)s rejected the file « %(name)s »: %(rejection_reason)s."
    ),
    WorkbenchEventKind.OPINION_ASKED: gettext_lazy(
        "%(actor)s asked for the opinion of %(addressee)s."
    ),
    WorkbenchEventKind.OPINION_ANSWERED: gettext_lazy(
        "%(actor)s recorded the opinion of %(addressee)s."
    ),
    WorkbenchEventKind.OPINION_WITHDRAWN: gettext_lazy(
        "%(actor)s withdrew the question to %(addressee)s."
    ),
}
_RELEASED_BY_TRANSFER = gettext_lazy(
    "The assignment to %(agent)s ended: the application moved to another prefecture."
)


def _rejection_reason_label(code: str) -> str:
    return str(RejectionReason(code).label) if code in RejectionReason.values else code


def workbench_event_text(event: WorkbenchEvent) -> str:
    params = {
        "actor": actor_subject(event),
        "agent": event.params.get("agent_name", ""),
        "count": event.params.get("count", 0),
        # Document review and expert opinions (applications/review, applications/opinions).
        "name": event.params.get("name", ""),
        "addressee": event.params.get("addressee", ""),
        "rejection_reason": _rejection_reason_label(event.params.get("rejection_reason", "")),
    }
    if event.params.get("reason") == "transferred":
        return str(_RELEASED_BY_TRANSFER) % params
    template = _WORKBENCH_TEXTS.get(event.kind)
    if template is None:
        return event.get_kind_display()
    return str(template) % params


def agent_timeline(application: Application) -> list[tuple]:
    """The dossier's timeline as agents read it: its events and the agent-side ones, in order.
    The applicant's and the API's timelines read `application.events` only."""
    entries = timeline_entries(application.events.select_related("actor"), audience=Audience.AGENT)
    entries += [
        (event, workbench_event_text(event))
        for event in application.workbench_events.select_related("actor")
    ]
    return sorted(entries, key=lambda entry: entry[0].created_at)
