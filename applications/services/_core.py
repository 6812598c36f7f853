"""The one path of every change of a dossier: its timeline event (which bumps the dossier's
page-cache generation) and its status transition, with the attestations refreshed after commit."""

from typing import Any

from accounts.models import User
from anef import generations
from anef.workflow import transition
from applications import hooks
from applications.enums import ApplicationStatus, CorrectionStatus, EventKind
from applications.models import Application, CorrectionRequest, Event
from applications.workflow import WORKFLOW

# --- Helpers: one event and one audit entry per change ------------------------------------------


def _event(application: Application, kind: EventKind, actor: User | None, **params: Any) -> Event:
    generations.bump_dossier(application)  # every visible change of a dossier has its event
    return Event.record(application=application, kind=kind, actor=actor, params=params)


def _transition(
    application: Application,
    *,
    action: str,
    actor: User,
    event: EventKind,
    fields: dict[str, Any] | None = None,
    **event_params: Any,
) -> Application:
    """The one path of every status change: `anef.workflow.transition` locks, checks the table,
    changes, writes the event and the audit entry; then what a dossier's change implies."""
    locked = transition(
        application,
        workflow=WORKFLOW,
        action=action,
        actor=actor,
        event=event,
        fields=fields,
        bookkeeping={"attestations_dirty": True},
        event_params=event_params,
    )
    if locked.status != ApplicationStatus.CORRECTION_REQUESTED:
        # A dossier closed or withdrawn while a correction was awaited no longer awaits it (and
        # after a re-opening the agent may ask again: one open correction per dossier).
        CorrectionRequest.objects.filter(application=locked, status=CorrectionStatus.OPEN).update(
            status=CorrectionStatus.CANCELLED
        )
    _attestations_refresh_on_commit(locked.pk)
    return locked


def _attestations_refresh_on_commit(application_pk: int) -> None:
    """Issue or end this dossier's attestations at once after the change is committed: the
    attestations app subscribes to `hooks.dossier_changed` (applications never imports it); if
    the message is lost, the hourly sweep catches up (the dossier is marked dirty)."""
    hooks.dossier_changed_on_commit(application_pk)
