"""Writes of the workbench: assigning, following, annotating, exporting the annotations.

Each one runs in one transaction that locks the dossier row (two agents assigning the same
dossier at once: the second one reads the first one's result), checks who asks against the
dossier's prefecture **as it is now** (a dossier moved to another prefecture meanwhile is no
longer theirs), writes the agent-side event and the audit entry, and bumps the page-cache
generation of the queues that show it (anef/generations.py).

Refusals are `DomainError`s with plain-language messages for the agent.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_prefecture_agent, is_prefecture_supervisor
from anef import generations
from anef.audit import audit_action
from anef.errors import DomainError
from applications.enums import ApplicationStatus
from applications.models import Application
from applications.workbench.models import (
    Annotation,
    Assignment,
    Follow,
    WorkbenchEvent,
    WorkbenchEventKind,
)

ANNOTATION_MAX_LENGTH = 4000


# --- Who may act (the one place) -----------------------------------------------------------------


def is_agent_of(user, application: Application) -> bool:
    """An active agent of the dossier's prefecture."""
    return is_prefecture_agent(user) and user.prefecture_id == application.prefecture_id


def may_assign_others(user, application: Application) -> bool:
    """A supervisor of the dossier's prefecture assigns it to any agent of it."""
    return is_agent_of(user, application) and is_prefecture_supervisor(user)


def _refuse_unless_agent_of(user, application: Application) -> None:
    if not is_agent_of(user, application):
        raise DomainError(
            "not_yours",
            _("Only the agents of the prefecture instructing this application may do this."),
        )


def _locked(application: Application) -> Application:
    """The dossier row, locked until the end of the transaction, as it is now."""
    return Application.objects.select_for_update().get(pk=application.pk)


def _name(user) -> str:
    return user.get_full_name() or user.email


def _event(application: Application, kind: str, actor, **params) -> WorkbenchEvent:
    return WorkbenchEvent.record(application=application, kind=kind, actor=actor, params=params)


# --- Assignment ----------------------------------------------------------------------------------


def application_assign(*, application: Application, agent, actor) -> Assignment:
    """Assign the dossier to `agent`, an agent of its prefecture. An agent takes an unassigned
    dossier for themself; a supervisor assigns it to anyone of the prefecture, or reassigns it.
    Assigning it to whom it is already assigned changes nothing."""
    with transaction.atomic():
        locked = _locked(application)
        _refuse_unless_agent_of(actor, locked)
        if locked.status == ApplicationStatus.DRAFT:
            raise DomainError("not_filed", _("A draft is not filed yet: it cannot be assigned."))
        if not is_agent_of(agent, locked):
            raise DomainError(
                "assignee_elsewhere",
                _("This person is not an agent of the prefecture instructing this application."),
            )
        current = Assignment.objects.filter(application=locked).select_related("agent").first()
        if current is not None and current.agent_id == agent.pk:
            return current
        supervisor = may_assign_others(actor, locked)
        if agent.pk != actor.pk and not supervisor:
            raise DomainError(
                "not_supervisor",
                _("Only a supervisor may assign an application to another agent."),
            )
        if current is not None and not supervisor:
            raise DomainError(
                "already_assigned",
                _(
                    "This application is already assigned to %(name)s. Ask them or a "
                    "supervisor to hand it over."
                )
                % {"name": _name(current.agent)},
                http_status=409,
            )
        previous = current.agent if current is not None else None
        assignment, _created = Assignment.objects.update_or_create(
            application=locked, defaults={"agent": agent, "assigned_by": actor}
        )
        _event(
            locked,
            WorkbenchEventKind.ASSIGNED,
            actor,
            agent_id=agent.pk,
            agent_name=_name(agent),
            previous_name=_name(previous) if previous is not None else "",
        )
        audit_action(
            instance=locked,
            actor=actor,
            action="application_assign",
            changes={"assigned_to": (previous.pk if previous else "", agent.pk)},
        )
        # The lists « mine » and « unassigned » (the listing) and the dossier's own row (its
        # assignee column, kept on its own: anef.page_cache.kept_rows).
        generations.bump_dossier(locked)
    return assignment


def application_unassign(*, application: Application, actor) -> None:
    """The assignee gives the dossier back, or a supervisor takes it from them. Unassigning an
    unassigned dossier changes nothing."""
    with transaction.atomic():
        locked = _locked(application)
        _refuse_unless_agent_of(actor, locked)
        current = Assignment.objects.filter(application=locked).select_related("agent").first()
        if current is None:
            return
        if current.agent_id != actor.pk and not may_assign_others(actor, locked):
            raise DomainError(
                "not_supervisor",
                _("Only the agent it is assigned to, or a supervisor, may unassign it."),
            )
        _unassign(locked, current, actor, reason="")


def _unassign(locked: Application, current: Assignment, actor, *, reason: str) -> None:
    current.delete()
    _event(
        locked,
        WorkbenchEventKind.UNASSIGNED,
        actor,
        agent_id=current.agent_id,
        agent_name=_name(current.agent),
        reason=reason,
    )
    audit_action(
        instance=locked,
        actor=actor,
        action="application_unassign",
        changes={"assigned_to": (current.agent_id, "")},
        details={"reason": reason} if reason else None,
    )
    generations.bump_dossier(locked)  # the lists and the row, as for an assignment


def application_workbench_release(*, application: Application, actor) -> None:
    """The dossier moved to another prefecture (applications.services.addresses): its old
    prefecture's agents neither keep it assigned nor follow it. Called inside the transfer's
    transaction, with the dossier already locked and moved."""
    current = Assignment.objects.filter(application=application).select_related("agent").first()
    if current is not None:
        _unassign(application, current, actor, reason="transferred")
    Follow.objects.filter(application=application).delete()


# --- Following -----------------------------------------------------------------------------------


def application_follow(*, application: Application, actor) -> Follow:
    """The agent follows the dossier (their « followed by me » list); twice is once."""
    with transaction.atomic():
        locked = _locked(application)
        _refuse_unless_agent_of(actor, locked)
        follow, _created = Follow.objects.get_or_create(application=locked, agent=actor)
    generations.bump_person(actor.pk)  # only this agent's queue shows it
    return follow


def application_unfollow(*, application: Application, actor) -> None:
    with transaction.atomic():
        locked = _locked(application)
        _refuse_unless_agent_of(actor, locked)
        Follow.objects.filter(application=locked, agent=actor).delete()
    generations.bump_person(actor.pk)


# --- Annotations ---------------------------------------------------------------------------------


def annotation_create(*, application: Application, actor, body: str) -> Annotation:
    """An agent of the dossier's prefecture writes a note on it. The note is not secret: the
    person may obtain it on request (GDPR art. 15, CRPA L. 311-6)."""
    body = (body or "").strip()
    if not body:
        raise DomainError("empty", _("Write the note before saving it."))
    if len(body) > ANNOTATION_MAX_LENGTH:
        raise DomainError(
            "too_long",
            _("A note has at most %(limit)s characters.") % {"limit": ANNOTATION_MAX_LENGTH},
        )
    with transaction.atomic():
        locked = _locked(application)
        _refuse_unless_agent_of(actor, locked)
        annotation = Annotation.objects.create(application=locked, author=actor, body=body)
        _event(locked, WorkbenchEventKind.ANNOTATED, actor)
        audit_action(
            instance=annotation,
            actor=actor,
            action="application_annotate",
            details={"application": locked.reference, "length": len(body)},
        )
    return annotation


@dataclass(frozen=True)
class AnnotationExport:
    application: Application
    annotations: list[Annotation]


def annotations_export(*, application: Application, actor) -> AnnotationExport:
    """Every note of the dossier, for a request of the person (access to their data). Logged as
    an access to personal data in the audit log, and on the agent-side timeline."""
    with transaction.atomic():
        locked = _locked(application)
        _refuse_unless_agent_of(actor, locked)
        annotations = list(locked.annotations.select_related("author"))
        _event(locked, WorkbenchEventKind.ANNOTATIONS_EXPORTED, actor, count=len(annotations))
        audit_action(
            instance=locked,
            actor=actor,
            action="application_annotations_export",
            details={
                "personal_data_access": True,
                "purpose": "request_of_the_person",
                "annotations": len(annotations),
            },
        )
    return AnnotationExport(locked, annotations)
