"""The dossier's table for the workflow engine (`anef.workflow`): action → source states, target
state and the timeline event it writes.

Every state change goes through `applications.services`, which moves the dossier with
`anef.workflow.transition` against this table; views and API never assign a status themselves
(CONVENTIONS.md).
"""

from functools import partial

from django.utils.translation import gettext_lazy as _

from anef import generations
from anef.workflow import TransitionNotAllowed, Workflow, move
from applications.enums import ApplicationStatus as S
from applications.enums import EventKind as E

__all__ = [
    "LISTING_ACTIONS",
    "TRANSITIONS",
    "WORKFLOW",
    "TransitionNotAllowed",
    "allowed_actions",
    "target_state",
]

WORKFLOW = Workflow(
    name="application",
    statuses=S,
    timeline="applications.Event",
    subject="application",
    refused=_("This action is not possible while the application is « %(status)s »."),
    # The person's pages, the dossier's row and the queue's status filters (a move from or to a
    # draft changes the list itself: `LISTING_ACTIONS`, bumped by the services' `_transition`).
    on_change=partial(generations.bump_dossier, affects=generations.STATUS),
    actions={
        "submit": move({S.DRAFT}, S.SUBMITTED, events=[E.SUBMITTED]),
        "request_correction": move(
            {S.SUBMITTED, S.COMPLETE}, S.CORRECTION_REQUESTED, events=[E.CORRECTION_REQUESTED]
        ),
        "answer_correction": move(
            {S.CORRECTION_REQUESTED}, S.SUBMITTED, events=[E.CORRECTION_ANSWERED]
        ),
        "mark_complete": move({S.SUBMITTED}, S.COMPLETE, events=[E.COMPLETE]),
        "decide_favourable": move({S.COMPLETE}, S.FAVOURABLE, events=[E.DECIDED_FAVOURABLE]),
        "decide_unfavourable": move({S.COMPLETE}, S.UNFAVOURABLE, events=[E.DECIDED_UNFAVOURABLE]),
        "close": move(
            {S.SUBMITTED, S.CORRECTION_REQUESTED, S.COMPLETE}, S.CLOSED, events=[E.CLOSED]
        ),
        "record_card_available": move({S.FAVOURABLE}, S.CARD_AVAILABLE, events=[E.CARD_AVAILABLE]),
        "record_card_handed_over": move(
            {S.CARD_AVAILABLE}, S.CLOSED_CARD_HANDED_OVER, events=[E.CARD_HANDED_OVER]
        ),
        "withdraw": move(
            {S.DRAFT, S.SUBMITTED, S.CORRECTION_REQUESTED, S.COMPLETE},
            S.WITHDRAWN,
            events=[E.WITHDRAWN],
        ),
        # An accepted error report re-opens a decision it shows to be wrong (DESIGN.md §7.2).
        "reopen": move({S.UNFAVOURABLE, S.CLOSED}, S.COMPLETE, events=[E.REOPENED]),
    },
)

# Actions that move a dossier from or to a draft: it enters or leaves the prefecture's queue
# (which lists every filed dossier, drafts never), whatever the page's filters.
LISTING_ACTIONS: frozenset[str] = frozenset(
    action
    for action, spec in WORKFLOW.actions.items()
    if S.DRAFT in spec.moves or S.DRAFT in spec.moves.values()
)

# action → {source: target}, for the templates and tests that read the table.
TRANSITIONS: dict[str, dict[str, str]] = WORKFLOW.moves

# States in which a dossier is still alive: a card is pending or a decision is awaited.
OPEN_STATES: frozenset[str] = frozenset(
    {S.DRAFT, S.SUBMITTED, S.CORRECTION_REQUESTED, S.COMPLETE, S.FAVOURABLE, S.CARD_AVAILABLE}
)
# States in which the applicant may still add or replace documents (until a decision).
DOCUMENTS_EDITABLE_STATES: frozenset[str] = frozenset(
    {S.DRAFT, S.SUBMITTED, S.CORRECTION_REQUESTED, S.COMPLETE}
)
# States in which no decision has been taken yet.
UNDECIDED_STATES: frozenset[str] = frozenset({S.SUBMITTED, S.CORRECTION_REQUESTED, S.COMPLETE})


def target_state(action: str, status: str) -> str:
    """The state `action` leads to from `status`, or TransitionNotAllowed."""
    return WORKFLOW.target(action, status)


def allowed_actions(status: str) -> set[str]:
    return WORKFLOW.allowed_actions(status)
