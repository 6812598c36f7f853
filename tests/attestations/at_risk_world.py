"""Dossiers for the at-risk dashboard (attestations.at_risk), one of each kind it lists, built
directly in the database in Paris (the services that build them are tested elsewhere), except
the API, which the real sweep issues."""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import Application
from attestations.services import attestations_sweep
from reference.enums import ProcedureKind
from reference.models import Ground
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.factories import ApplicationFactory, ResidencePermitFactory

DAY = datetime.timedelta(days=1)


def person(postal_code: str = "75011"):
    return ApplicantProfileFactory(postal_code=postal_code).user


def permit_ending(*, in_days: int = 30, postal_code: str = "75011", **fields):
    """(a) A card ending in `in_days` days, no renewal filed."""
    today = timezone.localdate()
    return ResidencePermitFactory(
        holder=person(postal_code), valid_until=today + in_days * DAY, **fields
    )


def renewal_of(permit, *, status=ApplicationStatus.SUBMITTED, filed_days_ago=0, **fields):
    now = timezone.now()
    return ApplicationFactory(
        applicant=permit.holder,
        ground=Ground.objects.get(code="salaried_worker"),
        kind=ProcedureKind.RENEWAL,
        renews_permit=permit,
        status=status,
        filed_at=None if status == ApplicationStatus.DRAFT else now - filed_days_ago * DAY,
        **fields,
    )


def late_renewal() -> Application:
    """(b) Filed today for a card ending in 30 days: after the 60th day."""
    return renewal_of(permit_ending(in_days=30))


def incomplete_near_window_end() -> Application:
    """(b) Filed in time 5 days ago, still not complete, the window closing in 10 days."""
    return renewal_of(permit_ending(in_days=70), filed_days_ago=5)


def decision_due(*, days_before_rejection: int = 10) -> Application:
    """(d) Complete since four months minus `days_before_rejection` days."""
    now = timezone.now()
    completed = now - relativedelta(months=4) + datetime.timedelta(days=days_before_rejection)
    return ApplicationFactory(
        applicant=person(),
        status=ApplicationStatus.COMPLETE,
        filed_at=completed - 10 * DAY,
        completed_at=completed,
        first_completed_at=completed,
    )


def api_without_next(*, swept_days_ago: int = 20) -> Application:
    """(c) A renewal complete in time whose card ended 80 days ago: its first API ends within
    the lead time. The sweep ran `swept_days_ago` days ago, before the next one fell due, and
    not since: the next API is missing."""
    today = timezone.localdate()
    past = timezone.now() - 150 * DAY
    permit = ResidencePermitFactory(holder=person(), valid_until=today - 80 * DAY)
    application = renewal_of(permit, status=ApplicationStatus.COMPLETE, filed_days_ago=150)
    Application.objects.filter(pk=application.pk).update(completed_at=past, first_completed_at=past)
    attestations_sweep(today=today - swept_days_ago * DAY)
    application.refresh_from_db()
    return application


def one_of_each() -> dict:
    """One row of each kind; the API first (its sweep would sweep the others too)."""
    return {
        "api_gap": api_without_next(),
        "permit": permit_ending(),
        "late": late_renewal(),
        "incomplete": incomplete_near_window_end(),
        "decision": decision_due(),
    }
