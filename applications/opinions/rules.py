"""Pure rules of the expert opinions: the transition table and who may do what (by ids)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.enums import ApplicationStatus

QUESTION_MAX_LENGTH = 4000
ANSWER_MAX_LENGTH = 10000
OUTSIDE_SERVICE_MAX_LENGTH = 200


class OpinionStatus(models.TextChoices):
    ASKED = "asked", _("Asked")
    ANSWERED = "answered", _("Answered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# status → the statuses it may move to; answered and withdrawn are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    OpinionStatus.ASKED: frozenset({OpinionStatus.ANSWERED, OpinionStatus.WITHDRAWN}),
    OpinionStatus.ANSWERED: frozenset(),
    OpinionStatus.WITHDRAWN: frozenset(),
}


def may_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def ask_refusal(
    *,
    application_status: str,
    addressee_is_colleague: bool | None,
    addressee_is_asker: bool,
    outside_service: str,
    question: str,
) -> str | None:
    """Why this question may not be asked (a refusal code), or None. `addressee_is_colleague`
    is None when no agent is named (then an outside service must be)."""
    if application_status == ApplicationStatus.DRAFT:
        return "not_filed"
    if not question.strip():
        return "question_required"
    if len(question) > QUESTION_MAX_LENGTH:
        return "question_too_long"
    named_agent = addressee_is_colleague is not None
    named_service = bool(outside_service.strip())
    if named_agent == named_service:
        return "addressee_required"
    if len(outside_service) > OUTSIDE_SERVICE_MAX_LENGTH:
        return "service_too_long"
    if named_agent and not addressee_is_colleague:
        return "addressee_elsewhere"
    if named_agent and addressee_is_asker:
        return "addressee_is_asker"
    return None


def who_answers(*, addressee_id: int | None, asked_by_id: int) -> int:
    """The agent named answers; for an outside service, the asking agent pastes its answer."""
    return addressee_id if addressee_id is not None else asked_by_id


def answer_refusal(
    *, status: str, user_id: int, addressee_id: int | None, asked_by_id: int, answer: str
) -> str | None:
    if not may_move(status, OpinionStatus.ANSWERED):
        return "opinion_closed"
    if user_id != who_answers(addressee_id=addressee_id, asked_by_id=asked_by_id):
        return "not_addressee"
    if not answer.strip():
        return "answer_required"
    if len(answer) > ANSWER_MAX_LENGTH:
        return "answer_too_long"
    return None


def withdraw_refusal(*, status: str, user_id: int, asked_by_id: int) -> str | None:
    if not may_move(status, OpinionStatus.WITHDRAWN):
        return "opinion_closed"
    if user_id != asked_by_id:
        return "not_asker"
    return None
