"""The table of allowed dossier transitions: action → (source states, target state).

Every state change goes through `applications.services` which checks this table; views and API
never assign a status themselves (CONVENTIONS.md).
"""

from applications.enums import ApplicationStatus as S

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({S.DRAFT}), S.SUBMITTED),
    "request_correction": (frozenset({S.SUBMITTED, S.COMPLETE}), S.CORRECTION_REQUESTED),
    "answer_correction": (frozenset({S.CORRECTION_REQUESTED}), S.SUBMITTED),
    "mark_complete": (frozenset({S.SUBMITTED}), S.COMPLETE),
    "decide_favourable": (frozenset({S.COMPLETE}), S.FAVOURABLE),
    "decide_unfavourable": (frozenset({S.COMPLETE}), S.UNFAVOURABLE),
    "close": (frozenset({S.SUBMITTED, S.CORRECTION_REQUESTED, S.COMPLETE}), S.CLOSED),
    "record_card_available": (frozenset({S.FAVOURABLE}), S.CARD_AVAILABLE),
    "record_card_handed_over": (frozenset({S.CARD_AVAILABLE}), S.CLOSED_CARD_HANDED_OVER),
    "withdraw": (
        frozenset({S.DRAFT, S.SUBMITTED, S.CORRECTION_REQUESTED, S.COMPLETE}),
        S.WITHDRAWN,
    ),
    # An accepted error report re-opens a decision it shows to be wrong (DESIGN.md §7.2).
    "reopen": (frozenset({S.UNFAVOURABLE, S.CLOSED}), S.COMPLETE),
}

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


class TransitionNotAllowed(Exception):
    """The dossier is not in a state where this action is possible."""

    def __init__(self, action: str, status: str):
        self.action, self.status = action, status
        super().__init__(f"{action!r} is not allowed from {status!r}")


def target_state(action: str, status: str) -> str:
    """The state `action` leads to from `status`, or TransitionNotAllowed."""
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise TransitionNotAllowed(action, status)
    return target


def allowed_actions(status: str) -> set[str]:
    return {action for action, (sources, _) in TRANSITIONS.items() if status in sources}
