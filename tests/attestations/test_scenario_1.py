"""DESIGN.md §7 scenario 1, end to end: a salaried worker's card expires on 1 March; she files a
complete renewal on 10 December. With no further action of hers, an API exists before 1 March,
is renewed every 3 months until the decision; then an ADF; then the card. At no day is she
without a valid document."""

import datetime

import pytest
import time_machine

from applications import services as dossier
from applications.models import Event
from attestations.models import Attestation
from attestations.services import attestations_sweep
from reference.enums import ProcedureKind
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.factories import ResidencePermitFactory
from tests.applications.helpers import filed

EXPIRY = datetime.date(2027, 3, 1)
FILED = datetime.date(2026, 12, 10)
COMPLETE = datetime.date(2026, 12, 20)
DECIDED = datetime.date(2027, 8, 20)
CARD_READY = datetime.date(2027, 10, 1)
HANDED_OVER = datetime.date(2027, 10, 15)


def noon(day: datetime.date):
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    return time_machine.travel(moment, tick=False)


def days(start: datetime.date, end: datetime.date):
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


@pytest.mark.django_db
def test_scenario_1_never_a_day_without_a_valid_document(reference_data):
    agent = PrefectureAgentFactory(prefecture__departement_code="75")
    with noon(FILED):
        amina = ApplicantProfileFactory(postal_code="75011")
        permit = ResidencePermitFactory(
            holder=amina.user,
            valid_from=datetime.date(2026, 3, 2),
            valid_until=EXPIRY,
            right_to_work="full",
        )
        application = filed(
            amina, "salaried_worker", kind=ProcedureKind.RENEWAL, renews_permit=permit
        )
    her_last_act = Event.objects.filter(actor=amina.user).latest("created_at").created_at

    actions = {
        COMPLETE: lambda: dossier.application_mark_complete(application=application, actor=agent),
        DECIDED: lambda: dossier.application_decide_favourable(
            application=application, actor=agent
        ),
        CARD_READY: lambda: dossier.application_record_card_available(
            application=application, actor=agent
        ),
        HANDED_OVER: lambda: dossier.application_record_card_handed_over(
            application=application,
            actor=agent,
            card_number="CS2027001",
            valid_from=HANDED_OVER,
            valid_until=datetime.date(2031, 10, 14),
            handed_over_on=HANDED_OVER,
        ),
    }
    uncovered, in_hands_late = [], []
    for day in days(FILED, HANDED_OVER + datetime.timedelta(days=30)):
        with noon(day):
            if day in actions:
                actions[day]()
            attestations_sweep(today=day)
        valid = list(
            Attestation.objects.filter(application=application, kind__in=["api", "adf"]).valid_on(
                day
            )
        )
        if EXPIRY < day < HANDED_OVER and len(valid) != 1:
            uncovered.append((day, len(valid)))
        # Each API is in her hands 15 days before the day it starts to cover.
        upcoming = day + datetime.timedelta(days=15)
        if (
            EXPIRY < upcoming < DECIDED
            and not Attestation.objects.filter(
                application=application, kind="api", valid_from__lte=upcoming
            )
            .filter(valid_until__gte=upcoming)
            .exists()
        ):
            in_hands_late.append(upcoming)

    assert uncovered == []
    assert in_hands_late == []
    chain = list(
        Attestation.objects.filter(application=application)
        .order_by("valid_from", "kind")
        .values_list("kind", "valid_from", "ended_on")
    )
    assert chain[0] == ("deposit_receipt", FILED, None)
    apis = [entry for entry in chain if entry[0] == "api"]
    assert apis[0][1] == datetime.date(2027, 3, 2)
    # 2 March → 1 June, 2 June → 1 September, and the one due from 2 September, in her hands on
    # 18 August, superseded by the ADF of 20 August before it even started.
    assert [entry[1] for entry in apis] == [
        datetime.date(2027, 3, 2),
        datetime.date(2027, 6, 2),
        datetime.date(2027, 9, 2),
    ]
    third = Attestation.objects.filter(application=application, kind="api").order_by(
        "valid_from", "pk"
    )[2]
    assert (third.ended_on, third.end_reason) == (third.valid_from, "superseded")  # never in force
    adf = Attestation.objects.get(application=application, kind="adf")
    assert (adf.valid_from, adf.ended_on, adf.end_reason) == (
        DECIDED,
        HANDED_OVER,
        "card_handed_over",
    )
    assert (
        Attestation.objects.filter(application=application, kind="api")
        .order_by("valid_from", "pk")[0]
        .rights["work"]
        == "full"
    )
    # She never had to ask: nothing of hers after filing.
    assert not Event.objects.filter(actor=amina.user, created_at__gt=her_last_act).exists()
