"""A verification that cannot be completed never says a bare « invalid » (issue 21): the page
and the JSON API say what it means, that it says nothing of the person's rights, what the
checker and the holder can do, and the day of the answer."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from attestations import signing
from tests.attestations.factories import issued_api
from tests.attestations.test_verification import (
    ENGLISH,
    mistyped,
    tampered,
    today,
    token_of,
    unknown_number,
)

pytestmark = pytest.mark.django_db

NOT_RIGHTS = "It does not mean that the person has no right to stay or to work"


@pytest.fixture
def api(agent):
    return issued_api(agent, today=today())


def _checked_on() -> str:
    with translation.override("en"):
        return f"Checked on {date_format(timezone.localdate(), 'DATE_FORMAT')}."


def test_unclear_page_unknown_number_says_what_it_means_and_what_to_do(client, reference_data):
    response = client.get(reverse("verify", args=[unknown_number()]), headers=ENGLISH)
    text = response.text
    assert response.status_code == 404
    assert "We could not find the number" in text
    assert "typed exactly as printed" in text
    assert NOT_RIGHTS in text
    assert "What the person can do" in text
    assert _checked_on() in text
    assert reverse("verify_guide") in text
    assert "?category=checker" in text


def test_unclear_page_malformed_number_says_nothing_was_looked_up(client, api):
    response = client.get(reverse("verify", args=[mistyped(api.number)]), headers=ENGLISH)
    assert response.status_code == 400
    assert "Nothing was looked up" in response.text
    assert NOT_RIGHTS in response.text


def test_unclear_page_tampered_code_gives_next_steps_not_a_bare_invalid(client, api):
    path = reverse("verify", args=[api.number])
    token = tampered(token_of(signing.verification_url(api)))
    response = client.get(path, {"t": token}, headers=ENGLISH)
    assert "Ask the person for the original attestation, or for a share code" in response.text
    assert NOT_RIGHTS in response.text
    assert _checked_on() in response.text
    assert "May work" not in response.text


def test_unclear_page_refused_share_code_says_what_the_holder_can_do(client, reference_data):
    response = client.post(reverse("verify_share_enter"), {"code": "7K3M9Q2XRB"}, headers=ENGLISH)
    assert response.status_code == 400
    assert "create a new share code in their online space" in response.text
    assert NOT_RIGHTS in response.text


def test_unclear_api_unknown_number_has_stable_code_and_next_steps(client, reference_data):
    response = client.get(reverse("api:verify", args=[unknown_number()]), headers=ENGLISH)
    body = response.json()
    assert response.status_code == 404
    assert body["code"] == "not_found"
    assert "does not mean the person has no right" in body["message"]
    assert body["details"]["checked_on"] == timezone.localdate().isoformat()
    assert body["details"]["checker_can"] and body["details"]["holder_can"]
    assert body["details"]["guide_url"].endswith(reverse("verify_guide"))


def test_unclear_api_malformed_number_keeps_code_and_adds_next_steps(client, api):
    response = client.get(reverse("api:verify", args=[mistyped(api.number)]))
    body = response.json()
    assert body["code"] == "invalid_number"
    assert body["details"]["number"] == mistyped(api.number)
    assert body["details"]["not_meaning"]


def test_unclear_api_tampered_token_keeps_code_and_adds_next_steps(client, api):
    token = tampered(token_of(signing.verification_url(api)))
    response = client.post(
        reverse("api:verify-token"), {"token": token}, content_type="application/json"
    )
    body = response.json()
    assert body["code"] == "invalid_token"
    assert body["details"]["code"] == "invalid_token"
    assert body["details"]["checker_can"]
