"""Every deadline of a dossier as a date, for the applicant's page (issue 18): when most
decisions come, when the silence becomes an implicit rejection, and until when a decision can
be challenged. The rules are in `applications.rules`; this module reads what they need."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import Application
from applications.processing_times import DecisionWindow, application_decision_window
from applications.rules import RemedyDeadline, implicit_rejection_on, remedy_deadline

REMEDY_STATES = frozenset({ApplicationStatus.UNFAVOURABLE, ApplicationStatus.CLOSED})


@dataclass(frozen=True)
class DossierDeadlines:
    decision_window: DecisionWindow | None
    implicit_rejection_on: date | None
    remedy: str  # a RemedyDeadline, or "" when no decision can be challenged here
    remedy_before: date | None


@dataclass(frozen=True)
class LegalDeadlines:
    """The two deadlines the law sets, without the decision window (which reads the processing
    times): what the API states on a dossier."""

    implicit_rejection_on: date | None
    remedy: str  # a RemedyDeadline, or "" when no decision can be challenged here
    remedy_before: date | None


def application_legal_deadlines(application: Application) -> LegalDeadlines:
    """When the silence becomes an implicit rejection, and until when the decision can be
    challenged: no query beyond the dossier and its ground."""
    complete_on = timezone.localdate(application.completed_at) if application.completed_at else None
    remedy, remedy_before = "", None
    if application.status in REMEDY_STATES:
        kind, remedy_before = remedy_deadline(
            obligation_to_leave=application.decision_obligation_to_leave,
            notified_on=application.notified_on,
        )
        remedy = RemedyDeadline(kind).value
    return LegalDeadlines(
        implicit_rejection_on=implicit_rejection_on(
            status=application.status,
            complete_on=complete_on,
            card_type=application.ground.card_type,
        ),
        remedy=remedy,
        remedy_before=remedy_before,
    )


def application_deadlines(
    application: Application, *, today: date | None = None
) -> DossierDeadlines:
    today = today or timezone.localdate()
    legal = application_legal_deadlines(application)
    return DossierDeadlines(
        decision_window=application_decision_window(application, today=today),
        implicit_rejection_on=legal.implicit_rejection_on,
        remedy=legal.remedy,
        remedy_before=legal.remedy_before,
    )
