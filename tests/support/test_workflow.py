"""The ticket workflow table (support/workflow.py)."""

import pytest

from support.enums import TicketStatus as S
from support.workflow import TRANSITIONS, TicketTransitionNotAllowed, allowed_actions, target_state


def test_workflow_every_state_is_known():
    for moves in TRANSITIONS.values():
        assert set(moves) <= set(S.values)
        assert set(moves.values()) <= set(S.values)


@pytest.mark.parametrize(
    ("action", "source", "target"),
    [
        ("reply", S.NEW, S.WAITING_ON_APPLICANT),
        ("note", S.NEW, S.NEW),
        ("requester_reply", S.WAITING_ON_APPLICANT, S.OPEN),
        ("requester_reply", S.RESOLVED, S.OPEN),
        ("escalate", S.OPEN, S.ESCALATED),
        ("prefecture_reply", S.ESCALATED, S.WAITING_ON_APPLICANT),
        ("confirm_technical_impossibility", S.ESCALATED, S.RESOLVED),
        ("reopen", S.CLOSED, S.OPEN),
    ],
)
def test_workflow_target_state(action, source, target):
    assert target_state(action, source) == target


@pytest.mark.parametrize(
    ("action", "source"),
    [
        ("requester_reply", S.CLOSED),
        ("reply", S.CLOSED),
        ("confirm_technical_impossibility", S.CLOSED),
        ("escalate", S.ESCALATED),
        ("prefecture_reply", S.OPEN),
    ],
)
def test_workflow_forbidden_moves(action, source):
    with pytest.raises(TicketTransitionNotAllowed):
        target_state(action, source)


def test_workflow_closed_ticket_only_reopens_or_takes_notes():
    assert allowed_actions(S.CLOSED) == {"reopen", "note"}
