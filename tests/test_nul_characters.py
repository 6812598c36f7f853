"""A NUL character in a page's address is a 400 with a plain page, never a 500 (PostgreSQL
refuses NUL in a query; found by fuzzing the API, issue 8)."""

import pytest
from django.urls import reverse

from tests.accounts.factories import (
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    PrefectureAgentFactory,
)


@pytest.fixture
def applicant(reference_data):
    return ApplicantProfileFactory(postal_code="75011").user


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/portal/applications/A%00/", "/portal/tickets/T%00/", "/verify/API-%00/"],
)
def test_nul_in_a_page_address_is_a_400_page(client, applicant, path):
    client.force_login(applicant)
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "We cannot understand this address" in response.text


@pytest.mark.django_db
def test_nul_in_a_query_value_is_a_400_page(client, reference_data):
    client.force_login(PrefectureAgentFactory())
    response = client.get(reverse("backoffice:home"), {"q": "DIALLO\x00"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_nul_in_an_api_address_is_left_to_the_api(client, applicant):
    client.force_login(applicant)
    response = client.get("/api/v1/applications/A%00/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_addresses_without_nul_are_untouched(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("portal:home")).status_code == 200


@pytest.mark.django_db
def test_nul_page_is_in_the_persons_language(client, applicant):
    client.force_login(applicant)
    response = client.get("/portal/applications/A%00/", headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    assert "Nous ne comprenons pas cette adresse" in response.text


@pytest.mark.django_db
def test_nul_in_the_support_api_search_is_a_400_not_a_500(client):
    """Issue 15: the middleware skipped /api/ entirely, and the console's search sent the NUL
    to the database (a 500 on PostgreSQL)."""
    client.force_login(ContactCentreAgentFactory())
    response = client.get(reverse("api:support-ticket-list"), {"search": "DIALLO\x00"})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.django_db
def test_nul_in_any_api_query_value_is_a_400(client, applicant):
    client.force_login(applicant)
    response = client.get(reverse("api:application-list"), {"status": ["draft", "x\x00"]})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize("path", ["/%00", "/portal/applications/A%00/"])
def test_nul_in_an_address_is_logged_as_a_warning_without_traceback(client, caplog, path):
    """Issue 17: `/%00` logged a full ERROR traceback (Django's handling of
    SuspiciousOperation) for what is only a client's mistake."""
    with caplog.at_level("INFO"):
        response = client.get(path)
    assert response.status_code == 400
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert caplog.records[0].exc_info is None
    assert caplog.records[0].getMessage().startswith("Bad Request: ")


@pytest.mark.django_db
def test_undecodable_address_is_not_a_server_error(client, caplog):
    with caplog.at_level("WARNING"):
        response = client.get("/%ff%fe/")
    assert response.status_code == 404
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
