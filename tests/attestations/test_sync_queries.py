"""The sync of one dossier after a change (`attestations_sync_application`, the body of the
Celery task run on the commit of every change): a fixed, small number of statements, since it
runs once for every change of every dossier."""

import datetime

import pytest

from attestations.services import attestations_sweep, attestations_sync_application
from tests.attestations.factories import api_due_day, renewal

TODAY = datetime.date.today()


@pytest.mark.django_db
def test_sync_application_with_nothing_to_issue_reads_the_dossier_once(
    agent, django_assert_num_queries
):
    application = renewal(agent, today=TODAY)
    attestations_sweep(today=TODAY)  # the deposit receipt: nothing left to issue today
    # Claimed and read in one statement, the permit locked, its other renewals, the ledger, the
    # review day (and the savepoint): the dossier is neither read a second time among its
    # permit's renewals nor read again with its ledger's rows.
    with django_assert_num_queries(7) as captured:
        report = attestations_sync_application(application_id=application.pk, today=TODAY)
    assert report.issued == 0
    selects = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    claims = [sql for sql in selects if 'FROM "applications_application"' in sql]
    assert len(claims) == 2  # the claim, and the other renewals of the permit
    assert "FOR UPDATE" in claims[0] and "NOT" in claims[1]
    ledger = next(sql for sql in selects if 'FROM "attestations_attestation"' in sql)
    assert '"applications_application"."reference"' not in ledger


@pytest.mark.django_db
def test_sync_application_issuing_the_api_stays_within_its_statements(
    agent, django_assert_num_queries
):
    application = renewal(agent, today=TODAY)
    attestations_sweep(today=TODAY)
    day = api_due_day(application)
    # The same seven, and the write in its own savepoint (three): the insert returns the new
    # id, the attestation is not read back by its number.
    with django_assert_num_queries(10):
        report = attestations_sync_application(application_id=application.pk, today=day)
    assert report.issued == 1
    assert application.attestations.filter(kind="api").count() == 1
