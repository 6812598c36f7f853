"""Share codes: the holder lets one named verifier see the facts of an attestation for a while,
sees every consultation, and can revoke the code (DESIGN.md §3 "Verification")."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from anef.errors import DomainError
from attestations import numbers
from attestations.models import ShareCode, ShareCodeConsultation, VerifierKind
from attestations.services import attestations_sweep
from attestations.share_codes import (
    format_code,
    share_code_consult,
    share_code_create,
    share_code_revoke,
)
from tests.accounts.factories import ApplicantProfileFactory
from tests.attestations.factories import issued_api
from tests.attestations.test_verification import (
    ENGLISH,
    ONE_DAY,
    english_day,
    expiry,
    on,
    today,
)


@pytest.fixture
def api(agent):
    return issued_api(agent, today=today())


def new_code(api, **kwargs) -> ShareCode:
    kwargs.setdefault("verifier_name", "Boulangerie Dupont")
    kwargs.setdefault("verifier_kind", VerifierKind.EMPLOYER)
    return share_code_create(attestation=api, actor=api.holder, **kwargs)


# --- Services -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_service_share_code_create_holder(api):
    share_code = new_code(api)
    assert len(share_code.code) == 10
    assert set(share_code.code) <= set(numbers.ALPHABET)
    assert share_code.expires_at - share_code.created_at == datetime.timedelta(days=7)
    assert format_code(share_code.code) == f"{share_code.code[:5]}-{share_code.code[5:]}"


@pytest.mark.django_db
def test_service_share_code_create_other_person(api):
    stranger = ApplicantProfileFactory().user
    with pytest.raises(DomainError) as refusal:
        share_code_create(
            attestation=api,
            actor=stranger,
            verifier_name="Agence",
            verifier_kind=VerifierKind.LANDLORD,
        )
    assert refusal.value.code == "not_holder"


@pytest.mark.django_db
@pytest.mark.parametrize("days", [0, 31])
def test_service_share_code_create_duration_out_of_bounds(api, days):
    with pytest.raises(DomainError) as refusal:
        new_code(api, valid_days=days)
    assert refusal.value.code == "duration_invalid"


@pytest.mark.django_db
def test_service_share_code_create_ended_attestation(api):
    attestations_sweep(today=api.valid_until + ONE_DAY)  # replaced by the next API
    with on(api.valid_until + ONE_DAY), pytest.raises(DomainError) as refusal:
        new_code(api)
    assert refusal.value.code == "attestation_not_valid"


@pytest.mark.django_db
def test_service_share_code_consult_logs_the_consultation(api):
    share_code = new_code(api)
    share_code_consult(code=share_code.code, user_agent="Mozilla/5.0 " + "x" * 500)
    consultation = ShareCodeConsultation.objects.get(share_code=share_code)
    assert len(consultation.user_agent) == 200


@pytest.mark.django_db
def test_service_share_code_consult_typed_loosely(api):
    share_code = new_code(api)
    typed = f" {format_code(share_code.code).lower()} ".replace("0", "o").replace("1", "l")
    assert share_code_consult(code=typed) == share_code


@pytest.mark.django_db
def test_service_share_code_consult_after_revocation(api):
    share_code = new_code(api)
    share_code_revoke(share_code=share_code, actor=api.holder)
    with pytest.raises(DomainError) as refusal:
        share_code_consult(code=share_code.code)
    assert refusal.value.code == "revoked"
    assert not ShareCodeConsultation.objects.exists()


@pytest.mark.django_db
def test_service_share_code_consult_after_expiry(api):
    share_code = new_code(api, valid_days=1)
    with pytest.raises(DomainError) as refusal:
        share_code_consult(code=share_code.code, now=share_code.expires_at)
    assert refusal.value.code == "expired"


@pytest.mark.django_db
def test_service_share_code_consult_unknown(api):
    with pytest.raises(DomainError) as refusal:
        share_code_consult(code="0000000000")
    assert refusal.value.code == "unknown"


@pytest.mark.django_db
def test_service_share_code_revoke_other_person(api):
    share_code = new_code(api)
    with pytest.raises(DomainError):
        share_code_revoke(share_code=share_code, actor=ApplicantProfileFactory().user)
    share_code.refresh_from_db()
    assert share_code.revoked_at is None


# --- The holder's pages -------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_share_code_create_holder(client, api):
    client.force_login(api.holder)
    response = client.post(
        reverse("verify_share_new", args=[api.number]),
        {"verifier_name": "Boulangerie Dupont", "verifier_kind": "employer", "valid_days": 10},
        headers=ENGLISH,
    )
    share_code = ShareCode.objects.get(attestation=api)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('verify_share_mine')}#code-{share_code.pk}"
    assert share_code.verifier_name == "Boulangerie Dupont"
    assert share_code.expires_at - share_code.created_at == datetime.timedelta(days=10)
    page = client.get(response["Location"], headers=ENGLISH)
    assert format_code(share_code.code) in page.text


@pytest.mark.django_db
def test_page_share_code_create_form_holder(client, api):
    client.force_login(api.holder)
    response = client.get(reverse("verify_share_new", args=[api.number]), headers=ENGLISH)
    assert response.status_code == 200
    assert "They will not see your address" in response.text


@pytest.mark.django_db
def test_page_share_code_create_other_applicant(client, api):
    """Another person cannot create a code for someone else's attestation: it is not found."""
    client.force_login(ApplicantProfileFactory().user)
    response = client.post(
        reverse("verify_share_new", args=[api.number]),
        {"verifier_name": "Moi", "verifier_kind": "other", "valid_days": 7},
    )
    assert response.status_code == 404
    assert not ShareCode.objects.exists()


@pytest.mark.django_db
def test_page_share_code_create_anonymous(client, api):
    response = client.get(reverse("verify_share_new", args=[api.number]))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.django_db
def test_page_share_code_list_holder_sees_consultations(client, api, django_assert_max_num_queries):
    for name in ("Boulangerie Dupont", "Agence Martin"):
        share_code = new_code(api, verifier_name=name)
        share_code_consult(code=share_code.code, user_agent="Firefox de l'agence")
    client.force_login(api.holder)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("verify_share_mine"), headers=ENGLISH)
    assert response.status_code == 200
    assert "Agence Martin" in response.text
    assert response.text.count("Firefox de l&#x27;agence") == 2
    assert "Withdraw this code" in response.text


@pytest.mark.django_db
def test_page_share_code_list_other_applicant_sees_nothing(client, api):
    new_code(api)
    client.force_login(ApplicantProfileFactory().user)
    response = client.get(reverse("verify_share_mine"), headers=ENGLISH)
    assert "Boulangerie Dupont" not in response.text


@pytest.mark.django_db
def test_page_share_code_revoke_holder(client, api):
    share_code = new_code(api)
    client.force_login(api.holder)
    response = client.post(reverse("verify_share_revoke", args=[share_code.pk]))
    assert response.status_code == 302
    share_code.refresh_from_db()
    assert share_code.revoked_at is not None


@pytest.mark.django_db
def test_page_share_code_revoke_other_applicant(client, api):
    share_code = new_code(api)
    client.force_login(ApplicantProfileFactory().user)
    response = client.post(reverse("verify_share_revoke", args=[share_code.pk]))
    assert response.status_code == 404
    share_code.refresh_from_db()
    assert share_code.revoked_at is None


# --- The verifier's page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_share_code_enter_verifier_sees_the_facts(client, api):
    birth_date = datetime.date.fromisoformat(api.holder_snapshot["birth_date"])
    with on(expiry(api) + ONE_DAY):
        share_code = new_code(api)
        response = client.post(
            reverse("verify_share_enter"),
            {"code": format_code(share_code.code)},
            headers={**ENGLISH, "user-agent": "Navigateur RH"},
        )
    assert response.status_code == 200
    assert f"Valid until {english_day(api.valid_until)}." in response.text
    assert "May work" in response.text
    assert english_day(birth_date) in response.text
    assert "Boulangerie Dupont" in response.text
    assert share_code.consultations.get().user_agent == "Navigateur RH"


@pytest.mark.django_db
def test_page_share_code_enter_revoked_code(client, api):
    share_code = new_code(api)
    share_code_revoke(share_code=share_code, actor=api.holder)
    response = client.post(
        reverse("verify_share_enter"), {"code": share_code.code}, headers=ENGLISH
    )
    assert response.status_code == 400
    assert "The person has withdrawn this code" in response.text
    assert "Valid until" not in response.text


@pytest.mark.django_db
def test_page_share_code_enter_expired_code(client, api):
    share_code = new_code(api, valid_days=1)
    with on(timezone.localdate() + datetime.timedelta(days=2)):
        response = client.post(
            reverse("verify_share_enter"), {"code": share_code.code}, headers=ENGLISH
        )
    assert response.status_code == 400
    assert "This code has expired" in response.text


@pytest.mark.django_db
def test_page_share_code_enter_answers_429_past_the_rate(client, api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "share_code": "2/min",
        },
    }
    path = reverse("verify_share_enter")
    for _ in range(2):
        assert client.post(path, {"code": "0000000000"}).status_code == 400
    response = client.post(path, {"code": "0000000000"}, headers=ENGLISH)
    assert response.status_code == 429
    assert "Too many checks in a short time" in response.text
    assert client.get(path).status_code == 200  # showing the form is not counted


@pytest.mark.django_db
def test_page_share_code_enter_expired_code_french_has_no_double_full_stop(client, api):
    share_code = new_code(api, valid_days=1)
    with on(timezone.localdate() + datetime.timedelta(days=2)):
        response = client.post(
            reverse("verify_share_enter"),
            {"code": share_code.code},
            headers={"accept-language": "fr"},
        )
    assert "si nécessaire." in response.text
    assert "nécessaire.." not in response.text
