"""The dossier API (/api/v1/), the person's record outside a dossier: permits held, change of
address, the foreigner number an agent attaches."""

import pytest

from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.api_helpers import _assert_error, _filed, _url
from tests.applications.factories import ResidencePermitFactory

pytestmark = pytest.mark.django_db


# --- Applicant: create, upload, submit, read ----------------------------------------------------


def test_api_permit_declare_applicant(api_client, applicant):
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("permit-list"),
        {
            "number": "fr1234567",
            "card_type": "temporary",
            "valid_from": "2024-01-01",
            "valid_until": "2025-01-01",
            "ground": "parent_of_french_child",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["number"] == "FR1234567"
    listed = api_client.get(_url("permit-list")).json()
    assert [permit["number"] for permit in listed["results"]] == ["FR1234567"]


def test_api_permit_declare_duplicate_applicant(api_client, applicant):
    ResidencePermitFactory(holder=applicant, number="FR1234567")
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("permit-list"),
        {
            "number": "FR1234567",
            "card_type": "temporary",
            "valid_from": "2024-01-01",
            "valid_until": "2025-01-01",
        },
        format="json",
    )
    _assert_error(response, 409, "permit_duplicate")


def test_api_profile_address_change_applicant(api_client, applicant):
    application = _filed(applicant)
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("profile-address"),
        {"address_line": "3 rue de la République", "postal_code": "69002", "city": "Lyon"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["transferred_applications"] == [application.reference]
    application.refresh_from_db()
    assert application.prefecture.departement_code == "69"


def test_api_profile_address_change_unknown_postal_code_applicant(api_client, applicant):
    api_client.force_authenticate(applicant)
    response = api_client.post(
        _url("profile-address"),
        {"address_line": "1 rue", "postal_code": "00000", "city": "Nulle part"},
        format="json",
    )
    _assert_error(response, 400, "no_prefecture")
    applicant.applicant_profile.refresh_from_db()
    assert applicant.applicant_profile.postal_code == "75001"


# --- Scoping: other people, other prefectures ---------------------------------------------------


def test_api_foreigner_number_attach_other_prefecture_agent(api_client, applicant, other_agent):
    _filed(applicant)
    api_client.force_authenticate(other_agent)
    response = api_client.post(
        _url("agent-profile-foreigner-number", user_id=applicant.pk),
        {"number": "1234567890"},
        format="json",
    )
    _assert_error(response, 404, "not_found")


# --- Agents -------------------------------------------------------------------------------------


def test_api_foreigner_number_attach_agent(api_client, agent, reference_data):
    profile = ApplicantProfileFactory(foreigner_number=None)
    _filed(profile.user)
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-profile-foreigner-number", user_id=profile.user_id),
        {"number": "1234567890"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"user_id": profile.user_id, "foreigner_number": "1234567890"}


def test_api_foreigner_number_attach_taken_agent(api_client, agent, reference_data):
    ApplicantProfileFactory(foreigner_number="1234567890")
    profile = ApplicantProfileFactory(foreigner_number=None)
    _filed(profile.user)
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-profile-foreigner-number", user_id=profile.user_id),
        {"number": "1234567890"},
        format="json",
    )
    _assert_error(response, 409, "foreigner_number_taken")


def test_api_foreigner_number_attach_invalid_agent(api_client, agent, reference_data):
    profile = ApplicantProfileFactory(foreigner_number=None)
    _filed(profile.user)
    api_client.force_authenticate(agent)
    response = api_client.post(
        _url("agent-profile-foreigner-number", user_id=profile.user_id),
        {"number": ["12"]},
        format="json",
    )
    _assert_error(response, 400, "invalid")
