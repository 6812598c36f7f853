"""The ticket's table for the workflow engine (`anef.workflow`): for each action, each allowed
source status → its target, and the timeline events it may write.

Every status change of a ticket goes through `support.services`, which moves it with
`anef.workflow.transition` against this table; views, API and tasks never assign a status
themselves (CONVENTIONS.md). Unlike a dossier, some actions keep the status (a note, taking a
ticket), so each action maps each allowed source to its target.
"""

from django.utils.translation import gettext_lazy as _

from anef import generations
from anef.workflow import Action, TransitionNotAllowed, Workflow, move
from support.enums import TicketEventKind as E
from support.enums import TicketStatus as S

_LIVE = (S.NEW, S.OPEN, S.WAITING_ON_APPLICANT, S.ESCALATED)


def _keep(statuses) -> dict[str, str]:
    """An action that changes something else than the status."""
    return {status: status for status in statuses}


_TAKE = {
    S.NEW: S.OPEN,
    S.OPEN: S.OPEN,
    S.WAITING_ON_APPLICANT: S.WAITING_ON_APPLICANT,
    S.ESCALATED: S.ESCALATED,
}

WORKFLOW = Workflow(
    name="ticket",
    statuses=S,
    timeline="support.TicketEvent",
    subject="ticket",
    audit_prefix="ticket_",
    refused=_("This is not possible while the request is « %(status)s »."),
    on_change=generations.bump_ticket,  # the console's queue and the person's pages
    actions={
        "take": Action(moves=_TAKE, events=(E.TAKEN,)),
        "assign": Action(moves=_TAKE, events=(E.ASSIGNED,)),
        # A public answer of the contact centre: the ball is in the person's court.
        "reply": move(_LIVE, S.WAITING_ON_APPLICANT, events=[E.REPLIED]),
        # An internal note changes nothing (and is not a response: support.rules).
        "note": Action(moves=_keep((*_LIVE, S.RESOLVED, S.CLOSED)), events=(E.NOTE_ADDED,)),
        # The person writes again: a resolved ticket opens again; a closed one does not (they
        # open a new request, which keeps queues and figures honest).
        "requester_reply": Action(
            moves={
                S.NEW: S.NEW,
                S.OPEN: S.OPEN,
                S.WAITING_ON_APPLICANT: S.OPEN,
                S.ESCALATED: S.ESCALATED,
                S.RESOLVED: S.OPEN,
            },
            events=(E.REQUESTER_REPLIED,),
        ),
        "escalate": move(
            {S.NEW, S.OPEN, S.WAITING_ON_APPLICANT},
            S.ESCALATED,
            events=[E.ESCALATED_TO_PREFECTURE],
        ),
        "prefecture_reply": move(
            {S.ESCALATED}, S.WAITING_ON_APPLICANT, events=[E.PREFECTURE_REPLIED]
        ),
        "resolve": move(_LIVE, S.RESOLVED, events=[E.RESOLVED]),
        "close": move(
            {S.NEW, S.OPEN, S.WAITING_ON_APPLICANT, S.RESOLVED}, S.CLOSED, events=[E.CLOSED]
        ),
        "reopen": move({S.RESOLVED, S.CLOSED}, S.OPEN, events=[E.REOPENED]),
        # The written acknowledgement is issued and the substitution case opened: the contact
        # centre's part is done, the person may still write (requester_reply re-opens it).
        "confirm_technical_impossibility": move(
            _LIVE, S.RESOLVED, events=[E.TECHNICAL_IMPOSSIBILITY_CONFIRMED]
        ),
        # Identity checks and account recovery keep the status (support.recovery).
        "account_recovery": Action(
            moves=_keep(_LIVE),
            events=(E.RECOVERY_REQUESTED, E.ACCOUNT_EMAIL_CHANGED, E.PASSWORD_RESET_SENT),
        ),
        "deadline_escalation": Action(moves=_keep(_LIVE), events=(E.DEADLINE_MISSED,)),
        # Callbacks (issue 21) keep the status; a second miss sends it back to the queue.
        "callback": Action(
            moves=_keep(_LIVE),
            events=(E.CALLBACK_SCHEDULED, E.CALLBACK_MADE, E.CALLBACK_MISSED),
        ),
    },
)

# action → {source: target}, for the tests that read the table.
TRANSITIONS: dict[str, dict[str, str]] = WORKFLOW.moves

# Tickets someone still has to act on (queues, deadlines).
LIVE_STATES: frozenset[str] = frozenset(_LIVE)

# The engine's one refusal, under the name the support views and API catch.
TicketTransitionNotAllowed = TransitionNotAllowed


def target_state(action: str, status: str) -> str:
    """The state `action` leads to from `status`, or TicketTransitionNotAllowed."""
    return WORKFLOW.target(action, status)


def allowed_actions(status: str) -> set[str]:
    return WORKFLOW.allowed_actions(status)
