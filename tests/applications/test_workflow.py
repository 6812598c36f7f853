"""Every allowed and every forbidden transition of the dossier workflow."""

import pytest

from applications.enums import ApplicationStatus
from applications.workflow import (
    OPEN_STATES,
    TRANSITIONS,
    TransitionNotAllowed,
    allowed_actions,
    target_state,
)

ALL_PAIRS = [(action, status) for action in TRANSITIONS for status in ApplicationStatus.values]

EXPECTED = {
    ("submit", "draft"): "submitted",
    ("request_correction", "submitted"): "correction_requested",
    ("request_correction", "complete"): "correction_requested",
    ("answer_correction", "correction_requested"): "submitted",
    ("mark_complete", "submitted"): "complete",
    ("decide_favourable", "complete"): "favourable",
    ("decide_unfavourable", "complete"): "unfavourable",
    ("close", "submitted"): "closed",
    ("close", "correction_requested"): "closed",
    ("close", "complete"): "closed",
    ("record_card_available", "favourable"): "card_available",
    ("record_card_handed_over", "card_available"): "closed_card_handed_over",
    ("withdraw", "draft"): "withdrawn",
    ("withdraw", "submitted"): "withdrawn",
    ("withdraw", "correction_requested"): "withdrawn",
    ("withdraw", "complete"): "withdrawn",
    ("reopen", "unfavourable"): "complete",
    ("reopen", "closed"): "complete",
}


@pytest.mark.parametrize(("action", "status"), ALL_PAIRS)
def test_workflow_transition_allowed_or_refused(action, status):
    if (action, status) in EXPECTED:
        assert target_state(action, status) == EXPECTED[(action, status)]
    else:
        with pytest.raises(TransitionNotAllowed):
            target_state(action, status)


@pytest.mark.parametrize(
    "status",
    ["closed_card_handed_over", "withdrawn"],
)
def test_workflow_final_states_allow_nothing(status):
    assert allowed_actions(status) == set()


def test_workflow_decided_states_are_not_withdrawable():
    for status in ("favourable", "card_available", "unfavourable", "closed"):
        assert "withdraw" not in allowed_actions(status)


def test_workflow_open_states_exclude_every_ending():
    endings = {"closed_card_handed_over", "unfavourable", "closed", "withdrawn"}
    assert endings.isdisjoint(OPEN_STATES)
    assert OPEN_STATES | endings == set(ApplicationStatus.values)
