import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.accounts.factories import ApplicantFactory, PrefectureAgentFactory


@pytest.fixture
def api_client():
    return APIClient()


@pytest.mark.django_db
def test_api_me_anonymous_is_refused(api_client):
    assert api_client.get(reverse("api:me")).status_code in (401, 403)


@pytest.mark.django_db
def test_api_me_applicant_sees_own_role_and_abilities(api_client):
    applicant = ApplicantFactory()
    api_client.force_authenticate(applicant)
    body = api_client.get(reverse("api:me")).json()
    assert body["email"] == applicant.email
    assert body["role"] == "applicant"
    assert body["prefecture"] is None
    assert body["abilities"] == {
        "portal": True,
        "back_office": False,
        "support_console": False,
        "admin": False,
    }


@pytest.mark.django_db
def test_api_me_agent_by_token_sees_their_prefecture(api_client):
    agent = PrefectureAgentFactory()
    token = Token.objects.create(user=agent)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = api_client.get(reverse("api:me")).json()
    assert body["prefecture"]["departement_code"] == agent.prefecture.departement_code
    assert body["abilities"]["back_office"] is True


@pytest.mark.django_db
def test_api_schema_is_served(client):
    response = client.get(reverse("api-schema"), headers={"accept": "application/json"})
    assert response.status_code == 200
    assert "/api/v1/me/" in response.json()["paths"]


@pytest.mark.django_db
def test_api_docs_page_uses_no_third_party_cdn(client):
    response = client.get(reverse("api-docs-explorer"))
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/" in response.text
    assert "cdn.jsdelivr.net" not in response.text
