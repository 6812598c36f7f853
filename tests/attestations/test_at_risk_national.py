"""The at-risk counts of every prefecture on one page (attestations/at_risk_national.py): the
same figures as each prefecture's own dashboard, for the administration only, in a number of
queries that does not grow with the people at risk."""

import pytest
from django.urls import reverse

from attestations import at_risk
from attestations.at_risk_national import at_risk_national
from reference.models import Prefecture
from tests.accounts.factories import AdministratorFactory, PrefectureSupervisorFactory
from tests.attestations import at_risk_world as world

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
URL = "attestations_backoffice:at_risk_national"


@pytest.fixture
def admin(reference_data):
    return AdministratorFactory()


def _row(national, departement_code):
    return next(row for row in national.rows if row.prefecture.departement_code == departement_code)


def test_national_counts_agree_with_the_prefecture_dashboard(admin, agent):
    world.one_of_each()
    national = at_risk_national(admin)
    assert _row(national, "75").counts == at_risk.at_risk_dashboard(agent).counts


def test_national_counts_card_holder_placed_by_postal_code(admin):
    world.permit_ending(in_days=30, postal_code="93200")
    national = at_risk_national(admin)
    assert _row(national, "93").counts["permits_ending"] == 1
    assert _row(national, "75").counts["permits_ending"] == 0
    assert national.totals["permits_ending"] == 1


def test_national_counts_every_prefecture_listed(admin):
    national = at_risk_national(admin)
    assert len(national.rows) == Prefecture.objects.count()
    assert national.totals == dict.fromkeys(at_risk.SECTIONS, 0)


def test_national_counts_supervisor_gets_none(agent):
    assert at_risk_national(PrefectureSupervisorFactory(prefecture=agent.prefecture)) is None


def test_views_national_page_admin_sees_the_api_gap_in_red(client, admin):
    world.one_of_each()
    client.force_login(admin)
    response = client.get(reverse(URL), headers=EN)
    assert response.status_code == 200
    assert "must be zero" in response.text
    assert 'data-total="api_gaps">1<' in response.text


def test_views_national_page_supervisor_refused(client, agent):
    client.force_login(PrefectureSupervisorFactory(prefecture=agent.prefecture))
    assert client.get(reverse(URL)).status_code == 403


def test_views_national_page_constant_queries(client, admin, django_assert_max_num_queries):
    client.force_login(admin)
    world.one_of_each()
    with django_assert_max_num_queries(40) as few:
        client.get(reverse(URL))
    world.one_of_each()
    world.one_of_each()
    world.permit_ending(in_days=20, postal_code="93200")
    with django_assert_max_num_queries(40) as many:
        client.get(reverse(URL))
    assert len(many.captured_queries) == len(few.captured_queries)
