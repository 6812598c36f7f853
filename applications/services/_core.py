"""The one path of every change of a dossier: its timeline event (which bumps the dossier's
page-cache generation) and its status transition, with the attestations refreshed after commit."""

from typing import Any

from accounts.models import User
from anef import generations
from anef.workflow import transition
from applications import hooks
from applications.enums import ApplicationStatus, CorrectionStatus, EventKind
from applications.models import Application, CorrectionRequest, Event
from applications.selectors import QUEUE_LISTING_FIELDS
from applications.workflow import LISTING_ACTIONS, WORKFLOW

# Events that change a column of the dossier's row in the queue at most (documents, error
# reports, the deposit receipt, a notification, a number or an address): neither which dossiers
# the queue lists nor their order. Any other kind bumps the prefecture's whole queue (the safe
# default for a kind added later); a transfer names both prefectures (services/addresses.py).
ROW_EVENTS = frozenset(
    {
        EventKind.DEPOSIT_RECEIPT,
        EventKind.DOCUMENT_ADDED,
        EventKind.DOCUMENT_REMOVED,
        EventKind.DECISION_NOTIFIED,
        EventKind.ERROR_REPORTED,
        EventKind.ERROR_REPORT_ACCEPTED,
        EventKind.ERROR_REPORT_REJECTED,
        EventKind.ADDRESS_CHANGED,
        EventKind.FOREIGNER_NUMBER_ATTACHED,
        EventKind.PERMIT_RECORD_CORRECTED,
        EventKind.MESSAGE_SENT,
        EventKind.MESSAGE_RECEIVED,
    }
)

# --- Helpers: one event and one audit entry per change ------------------------------------------


def _event(application: Application, kind: EventKind, actor: User | None, **params: Any) -> Event:
    # Every visible change of a dossier has its event; a draft is in no queue.
    row_only = kind in ROW_EVENTS or application.status == ApplicationStatus.DRAFT
    generations.bump_dossier(
        application, affects=generations.ROW if row_only else generations.LISTING
    )
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
    # The table's `on_change` bumped the row and the status filters; a move from or to a draft
    # lists the dossier or no longer does, and some fields place it in the list.
    if action in LISTING_ACTIONS or QUEUE_LISTING_FIELDS & set(fields or {}):
        generations.bump_dossier(locked, affects=generations.LISTING)
    _attestations_refresh_on_commit(locked.pk)
    return locked


def _attestations_refresh_on_commit(application_pk: int) -> None:
    """Issue or end this dossier's attestations at once after the change is committed: the
    attestations app subscribes to `hooks.dossier_changed` (applications never imports it); if
    the message is lost, the hourly sweep catches up (the dossier is marked dirty)."""
    hooks.dossier_changed_on_commit(application_pk)
