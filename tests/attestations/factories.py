"""Attestations for tests, made as in life: a salaried worker in Paris renews her card, files
within the R. 431-5 window through the real services, a Paris agent marks the dossier complete,
and the sweep issues what the rules say (no attestation row is ever written by hand here)."""

import datetime

import factory

from applications import services as dossier
from applications.models import Application
from attestations.models import Attestation
from attestations.services import attestations_sweep
from reference.enums import ProcedureKind
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.factories import ResidencePermitFactory
from tests.applications.helpers import filed

LIMITATION = "Salarié, dans la profession autorisée"


def paris_agent():
    """An agent of the Paris prefecture, where RenewedPermitFactory's holders live."""
    return PrefectureAgentFactory(prefecture__departement_code="75")


class RenewedPermitFactory(ResidencePermitFactory):
    """The card to renew: held by an applicant living in Paris (75011), expiring in 70 days,
    with a limited right to work (LIMITATION) unless told otherwise."""

    holder = factory.LazyFunction(lambda: ApplicantProfileFactory(postal_code="75011").user)
    valid_until = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=70))
    right_to_work = "limited"
    work_limitation = factory.LazyAttribute(
        lambda o: LIMITATION if o.right_to_work == "limited" else ""
    )


def renewal(
    agent, *, today: datetime.date, expires_in_days: int = 70, complete: bool = True, **permit
) -> Application:
    """The renewal of a RenewedPermitFactory card ending `expires_in_days` after `today`
    (`permit` sets its other fields), filed now; marked complete by `agent` unless
    `complete=False`."""
    card = RenewedPermitFactory(
        valid_until=today + datetime.timedelta(days=expires_in_days), **permit
    )
    application = filed(
        card.holder.applicant_profile,
        "salaried_worker",
        kind=ProcedureKind.RENEWAL,
        renews_permit=card,
    )
    if complete:
        application = dossier.application_mark_complete(application=application, actor=agent)
    return application


def api_due_day(application: Application) -> datetime.date:
    """The day the first API is issued: 15 days before the day after the permit's expiry."""
    return application.renews_permit.valid_until - datetime.timedelta(days=14)


def issued_api(agent, *, today: datetime.date, **renewal_fields) -> Attestation:
    """The first API of a complete renewal, issued by the sweep on the day it is due."""
    application = renewal(agent, today=today, **renewal_fields)
    attestations_sweep(today=api_due_day(application))
    return application.attestations.filter(kind="api").order_by("valid_from", "pk")[0]
