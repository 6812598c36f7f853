"""The sweep issues what the rules say must exist, once, and ends what has ended."""

import datetime

import pytest
import time_machine

from applications import services as dossier
from attestations.models import Attestation
from attestations.numbers import is_well_formed
from attestations.services import NEVER_AGAIN, attestations_sweep, attestations_sync_application
from reference.models import DecisionReason
from tests.accounts.factories import PrefectureAgentFactory
from tests.attestations.factories import api_due_day, renewal
from tests.concurrency import run_at_once

TODAY = datetime.date.today()


def at(day: datetime.date):
    """Move the clock (decisions use it) to noon on `day`, Paris time."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), tick=False
    )


def kinds(application):
    return sorted(application.attestations.values_list("kind", "valid_from"))


@pytest.mark.django_db
def test_sweep_issues_a_deposit_receipt_for_each_filed_application(agent):
    application = renewal(agent, today=TODAY)
    attestations_sweep(today=TODAY)
    receipt = application.attestations.get(kind="deposit_receipt")
    assert receipt.rights["stay"] is False
    assert is_well_formed(receipt.number)


@pytest.mark.django_db
def test_sweep_issues_the_api_fifteen_days_ahead_with_the_permit_rights(agent):
    application = renewal(agent, today=TODAY, expires_in_days=70)
    expiry = application.renews_permit.valid_until
    # In her hands 15 days before the first day it covers, the day after expiry.
    attestations_sweep(today=expiry - datetime.timedelta(days=15))
    assert [kind for kind, _ in kinds(application)] == ["deposit_receipt"]
    attestations_sweep(today=expiry - datetime.timedelta(days=14))
    api = application.attestations.get(kind="api")
    assert api.valid_from == expiry + datetime.timedelta(days=1)
    assert api.rights["work"] == "limited"
    assert api.rights["work_limitation"] == "Salarié, dans la profession autorisée"
    assert api.holder_snapshot["last_name"] == application.applicant.last_name


@pytest.mark.django_db
def test_sweep_twice_the_same_day_issues_nothing_new(agent, django_assert_max_num_queries):
    renewal(agent, today=TODAY)
    first = attestations_sweep(today=TODAY)
    assert first.issued == 1
    with django_assert_max_num_queries(3):
        second = attestations_sweep(today=TODAY)
    assert (second.issued, second.applications) == (0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("dossiers", [3, 12])
def test_sweep_queries_per_batch_do_not_grow_with_the_dossiers(
    agent, dossiers, django_assert_max_num_queries
):
    for _ in range(dossiers):
        renewal(agent, today=TODAY)
    # Per batch: claim, the groups and their ledger, the ends, one insert per wave (the API
    # continues the receipt issued the same day), which returns the ids: nothing read back.
    with django_assert_max_num_queries(14):
        report = attestations_sweep(today=TODAY + datetime.timedelta(days=60))
    assert report.issued == 2 * dossiers  # a receipt and an API each


@pytest.mark.django_db
def test_sweep_refusal_ends_the_api_as_refused_and_settles_the_dossier(agent):
    application = renewal(agent, today=TODAY)
    due = api_due_day(application)
    refused_on = due + datetime.timedelta(days=30)
    attestations_sweep(today=due)
    reason = DecisionReason.objects.get(code="conditions_not_met")
    with at(refused_on):
        dossier.application_decide_unfavourable(
            application=application,
            actor=agent,
            reason=reason,
            explanation="x",
            legal_basis=reason.legal_basis,
            remedies=reason.remedies_fr,
        )
    attestations_sweep(today=refused_on)
    api = application.attestations.get(kind="api")
    assert (api.ended_on, api.end_reason) == (refused_on, "refused")
    assert api.last_day == refused_on - datetime.timedelta(days=1)
    application.refresh_from_db()
    assert application.attestations_swept_on == NEVER_AGAIN


@pytest.mark.django_db
def test_sweep_favourable_decision_issues_the_adf_and_supersedes_the_api(agent):
    application = renewal(agent, today=TODAY)
    due = api_due_day(application)
    decided = due + datetime.timedelta(days=40)
    attestations_sweep(today=due)
    with at(decided):
        dossier.application_decide_favourable(application=application, actor=agent)
    attestations_sync_application(application_id=application.pk, today=decided)
    adf = application.attestations.get(kind="adf")
    api = application.attestations.get(kind="api")
    assert adf.valid_from == decided
    assert adf.rights["work"] == application.ground.right_to_work
    assert (api.ended_on, api.end_reason) == (decided, "superseded")
    assert adf.continues_id == api.pk


@pytest.mark.django_db
def test_sweep_reopened_refusal_issues_a_new_api_and_keeps_the_refused_one_ended(agent):
    application = renewal(agent, today=TODAY)
    due = api_due_day(application)
    refused_on = due + datetime.timedelta(days=30)
    attestations_sweep(today=due)
    reason = DecisionReason.objects.get(code="conditions_not_met")
    with at(refused_on):
        dossier.application_decide_unfavourable(
            application=application,
            actor=agent,
            reason=reason,
            explanation="x",
            legal_basis="y",
            remedies="z",
        )
        attestations_sweep(today=refused_on)
        report = dossier.error_report_create(
            application=application,
            actor=application.applicant,
            category="other",
            description="x",
        )
        dossier.error_report_accept(report=report, actor=agent, note="ok", reopen=True)
        attestations_sweep(today=refused_on)
    first, second = application.attestations.filter(kind="api").order_by("valid_from", "pk")
    # History is not rewritten: the first stays ended as refused; a new one covers from the
    # re-opening day, with the same printed end as the chain had.
    assert (first.ended_on, first.end_reason) == (refused_on, "refused")
    assert second.valid_from == refused_on
    assert second.continues_id == first.pk
    assert second.ended_on is None


@pytest.mark.django_db
def test_sweep_address_change_issues_a_replacement_and_never_rewrites_the_printed_one(agent):
    application = renewal(agent, today=TODAY)
    due = api_due_day(application)
    attestations_sweep(today=due)
    Attestation.objects.update(pdf_rendered_at=datetime.datetime.now(datetime.UTC))
    dossier.address_change(
        profile=application.applicant.applicant_profile,
        address_line="3 rue de la République",
        postal_code="93200",
        city="Saint-Denis",
        actor=application.applicant,
    )
    old = application.attestations.get(kind="api")
    printed = (old.number, old.holder_snapshot, old.prefecture_id, old.valid_until)
    attestations_sweep(today=due)
    old.refresh_from_db()
    new = Attestation.objects.get(replaces=old)
    assert (old.number, old.holder_snapshot, old.prefecture_id, old.valid_until) == printed
    assert (old.ended_on, old.end_reason) == (old.valid_from, "superseded")
    assert "93200 Saint-Denis" in new.holder_snapshot["address"]
    assert new.prefecture.departement_code == "93"  # the dossier moved: the new prefecture
    assert (new.valid_from, new.valid_until) == (old.valid_from, old.valid_until)


@pytest.mark.django_db
def test_sweep_refusal_reopened_the_same_day_with_the_next_api_issued_ahead_leaves_no_gap(agent):
    """Found by the long run of ledger histories: refused and re-opened on one day, within the
    15 days before the next period, the new API started after the one issued ahead, leaving
    the days up to it uncovered."""
    application = renewal(agent, today=TODAY)
    attestations_sweep(today=api_due_day(application))
    first = application.attestations.get(kind="api")
    decided_on = first.valid_until - datetime.timedelta(days=3)  # the next API is issued
    reason = DecisionReason.objects.get(code="conditions_not_met")
    with at(decided_on):
        attestations_sweep(today=decided_on)
        assert application.attestations.filter(kind="api").count() == 2
        dossier.application_decide_unfavourable(
            application=application,
            actor=agent,
            reason=reason,
            explanation="x",
            legal_basis="y",
            remedies="z",
        )
        attestations_sweep(today=decided_on)
        report = dossier.error_report_create(
            application=application, actor=application.applicant, category="other", description="x"
        )
        dossier.error_report_accept(report=report, actor=agent, note="ok", reopen=True)
        attestations_sweep(today=decided_on)
    apis = list(application.attestations.filter(kind="api"))
    for offset in range(10):
        day = decided_on + datetime.timedelta(days=offset)
        assert sum(api.is_valid_on(day) for api in apis) == 1, day


@pytest.mark.django_db
def test_database_refuses_a_second_deposit_receipt_for_one_application(agent):
    from django.db import IntegrityError

    application = renewal(agent, today=TODAY)
    attestations_sweep(today=TODAY)
    receipt = application.attestations.get(kind="deposit_receipt")
    receipt.pk, receipt.number = None, "AD-2026-00000000-0"
    with pytest.raises(IntegrityError):
        receipt.save()


@pytest.mark.django_db(transaction=True)
def test_sweep_two_sweeps_at_once_issue_each_attestation_once(reference_data):
    agent = PrefectureAgentFactory(prefecture__departement_code="75")
    for _ in range(8):
        due = api_due_day(renewal(agent, today=TODAY))
    errors = run_at_once(lambda _: attestations_sweep(today=due, batch_size=3), [1, 2])
    assert errors == []
    assert Attestation.objects.count() == 16  # a receipt and an API for each of the 8
    assert Attestation.objects.values("application", "kind", "valid_from").distinct().count() == 16
