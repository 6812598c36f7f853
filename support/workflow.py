"""The table of allowed ticket moves: action → {source status: target status}.

Every status change of a ticket goes through `support.services`, which checks this table; views,
API and tasks never assign a status themselves (CONVENTIONS.md). Unlike a dossier, some actions
keep the status (a note, taking a ticket), so each action maps each allowed source to its target.
"""

from support.enums import TicketStatus as S

_LIVE = (S.NEW, S.OPEN, S.WAITING_ON_APPLICANT, S.ESCALATED)

TRANSITIONS: dict[str, dict[str, str]] = {
    "take": {
        S.NEW: S.OPEN,
        S.OPEN: S.OPEN,
        S.WAITING_ON_APPLICANT: S.WAITING_ON_APPLICANT,
        S.ESCALATED: S.ESCALATED,
    },
    "assign": {
        S.NEW: S.OPEN,
        S.OPEN: S.OPEN,
        S.WAITING_ON_APPLICANT: S.WAITING_ON_APPLICANT,
        S.ESCALATED: S.ESCALATED,
    },
    # A public answer of the contact centre: the ball is in the person's court.
    "reply": dict.fromkeys(_LIVE, S.WAITING_ON_APPLICANT),
    # An internal note changes nothing (and is not a response: support.rules).
    "note": {status: status for status in (*_LIVE, S.RESOLVED, S.CLOSED)},
    # The person writes again: a resolved ticket opens again; a closed one does not (they open a
    # new request, which keeps queues and figures honest).
    "requester_reply": {
        S.NEW: S.NEW,
        S.OPEN: S.OPEN,
        S.WAITING_ON_APPLICANT: S.OPEN,
        S.ESCALATED: S.ESCALATED,
        S.RESOLVED: S.OPEN,
    },
    "escalate": {S.NEW: S.ESCALATED, S.OPEN: S.ESCALATED, S.WAITING_ON_APPLICANT: S.ESCALATED},
    "prefecture_reply": {S.ESCALATED: S.WAITING_ON_APPLICANT},
    "resolve": dict.fromkeys(_LIVE, S.RESOLVED),
    "close": {
        S.NEW: S.CLOSED,
        S.OPEN: S.CLOSED,
        S.WAITING_ON_APPLICANT: S.CLOSED,
        S.RESOLVED: S.CLOSED,
    },
    "reopen": {S.RESOLVED: S.OPEN, S.CLOSED: S.OPEN},
    # The written acknowledgement is issued and the substitution case opened: the contact
    # centre's part is done, the person may still write (requester_reply re-opens it).
    "confirm_technical_impossibility": dict.fromkeys(_LIVE, S.RESOLVED),
    # Identity checks and account recovery keep the status.
    "account_recovery": {status: status for status in _LIVE},
    "deadline_escalation": {status: status for status in _LIVE},
}

# Tickets someone still has to act on (queues, deadlines).
LIVE_STATES: frozenset[str] = frozenset(_LIVE)


class TicketTransitionNotAllowed(Exception):
    """The ticket is not in a state where this action is possible."""

    def __init__(self, action: str, status: str):
        self.action, self.status = action, status
        super().__init__(f"{action!r} is not allowed from {status!r}")


def target_state(action: str, status: str) -> str:
    """The state `action` leads to from `status`, or TicketTransitionNotAllowed."""
    try:
        return TRANSITIONS[action][status]
    except KeyError:
        raise TicketTransitionNotAllowed(action, status) from None


def allowed_actions(status: str) -> set[str]:
    return {action for action, moves in TRANSITIONS.items() if status in moves}
