"""The review's pure rules at their boundaries: which verdict may be recorded, when the
rejected files may be asked for, a piece's state from its files."""

import datetime

import pytest

from applications.enums import ApplicationStatus
from applications.review.rules import (
    NOTE_MAX_LENGTH,
    FileFacts,
    PieceState,
    RejectionReason,
    Verdict,
    piece_state,
    rejected_request_refusal,
    review_refusal,
)

T0 = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


def _refusal(**overrides):
    facts = {
        "application_status": ApplicationStatus.SUBMITTED,
        "current": None,
        "already_asked": False,
        "verdict": Verdict.REJECTED,
        "reason": RejectionReason.ILLEGIBLE,
        "note": "",
    }
    return review_refusal(**{**facts, **overrides})


@pytest.mark.parametrize(
    "status",
    [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.CORRECTION_REQUESTED,
        ApplicationStatus.COMPLETE,
    ],
)
def test_rules_review_undecided_dossier_allowed(status):
    assert _refusal(application_status=status) is None


@pytest.mark.parametrize(
    "status",
    [
        ApplicationStatus.DRAFT,
        ApplicationStatus.FAVOURABLE,
        ApplicationStatus.UNFAVOURABLE,
        ApplicationStatus.CLOSED,
        ApplicationStatus.WITHDRAWN,
    ],
)
def test_rules_review_draft_or_decided_dossier_refused(status):
    assert _refusal(application_status=status) == "not_under_review"


def test_rules_review_rejection_without_reason_refused():
    assert _refusal(reason="") == "reason_required"


def test_rules_review_rejection_unknown_reason_refused():
    assert _refusal(reason="ugly") == "reason_required"


def test_rules_review_unknown_verdict_refused():
    assert _refusal(verdict="maybe") == "verdict"


def test_rules_review_other_reason_without_note_refused():
    assert _refusal(reason=RejectionReason.OTHER, note="   ") == "note_required"


def test_rules_review_other_reason_with_note_allowed():
    assert _refusal(reason=RejectionReason.OTHER, note="Wrong year") is None


def test_rules_review_note_at_limit_allowed():
    assert _refusal(note="x" * NOTE_MAX_LENGTH) is None


def test_rules_review_note_over_limit_refused():
    assert _refusal(note="x" * (NOTE_MAX_LENGTH + 1)) == "note_too_long"


def test_rules_review_accepting_accepted_file_refused():
    assert _refusal(current=Verdict.ACCEPTED, verdict=Verdict.ACCEPTED) == "unchanged"


def test_rules_review_rejecting_accepted_file_allowed():
    assert _refusal(current=Verdict.ACCEPTED) is None


def test_rules_review_accepting_rejection_not_asked_allowed():
    assert _refusal(current=Verdict.REJECTED, verdict=Verdict.ACCEPTED) is None


def test_rules_review_changing_rejection_already_asked_refused():
    assert (
        _refusal(current=Verdict.REJECTED, already_asked=True, verdict=Verdict.ACCEPTED)
        == "already_asked"
    )


def test_rules_request_nothing_rejected_refused():
    assert (
        rejected_request_refusal(application_status=ApplicationStatus.SUBMITTED, rejected_count=0)
        == "nothing_rejected"
    )


def test_rules_request_one_rejected_allowed():
    assert (
        rejected_request_refusal(application_status=ApplicationStatus.COMPLETE, rejected_count=1)
        is None
    )


def test_rules_request_correction_open_refused():
    assert (
        rejected_request_refusal(
            application_status=ApplicationStatus.CORRECTION_REQUESTED, rejected_count=2
        )
        == "correction_open"
    )


def test_rules_request_decided_refused():
    assert (
        rejected_request_refusal(application_status=ApplicationStatus.CLOSED, rejected_count=2)
        == "not_under_review"
    )


# --- A piece's state -----------------------------------------------------------------------------


def test_rules_piece_without_file_has_no_state():
    assert piece_state([]) is None


def test_rules_piece_unreviewed_file_not_reviewed():
    assert piece_state([FileFacts(T0)]) == PieceState.NOT_REVIEWED


def test_rules_piece_every_file_accepted_accepted():
    files = [FileFacts(T0, Verdict.ACCEPTED, T0 + SECOND)] * 2
    assert piece_state(files) == PieceState.ACCEPTED


def test_rules_piece_one_file_of_two_accepted_not_reviewed():
    files = [FileFacts(T0, Verdict.ACCEPTED, T0 + SECOND), FileFacts(T0)]
    assert piece_state(files) == PieceState.NOT_REVIEWED


def test_rules_piece_one_file_rejected_to_replace():
    files = [FileFacts(T0, Verdict.ACCEPTED, T0 + SECOND), FileFacts(T0, Verdict.REJECTED, T0)]
    assert piece_state(files) == PieceState.TO_REPLACE


def test_rules_piece_file_added_at_rejection_instant_still_to_replace():
    rejected = FileFacts(T0, Verdict.REJECTED, T0 + SECOND)
    assert piece_state([rejected, FileFacts(T0 + SECOND)]) == PieceState.TO_REPLACE


def test_rules_piece_file_added_after_rejection_resets_to_not_reviewed():
    rejected = FileFacts(T0, Verdict.REJECTED, T0 + SECOND)
    assert piece_state([rejected, FileFacts(T0 + 2 * SECOND)]) == PieceState.NOT_REVIEWED


def test_rules_piece_replacement_accepted_accepted():
    rejected = FileFacts(T0, Verdict.REJECTED, T0 + SECOND)
    replacement = FileFacts(T0 + 2 * SECOND, Verdict.ACCEPTED, T0 + 3 * SECOND)
    assert piece_state([rejected, replacement]) == PieceState.ACCEPTED
