"""Third parties check an attestation (DESIGN.md §3 "Verification", §7 scenario 8): the page
`/verify/<number>/` reached by the QR code, and the JSON endpoints for organisations.

Every attestation here is a real one: a renewal filed in the R. 431-5 window, marked complete by
an agent, then issued by the sweep. The clock is moved with time-machine so that the day of the
check is the day the verifier lives in.
"""

import base64
import datetime
import json
import zoneinfo

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from applications import services as dossier
from applications.models import Application
from attestations import numbers, signing
from attestations.models import Attestation
from attestations.services import attestations_sweep
from reference.models import DecisionReason
from tests.attestations.factories import LIMITATION, issued_api

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
ONE_DAY = datetime.timedelta(days=1)
ENGLISH = {"accept-language": "en"}


# --- Helpers (also used by test_share_codes.py and test_verify_qr.py) ---------------------------


def today() -> datetime.date:
    return timezone.localdate()


def on(day: datetime.date):
    """The clock on `day` at noon, Paris time."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(12), PARIS), tick=False)


def expiry(attestation: Attestation) -> datetime.date:
    """The last day of the permit the attestation's renewal renews."""
    return attestation.application.renews_permit.valid_until


def path_of(url: str) -> str:
    return url.removeprefix(settings.SITE_URL)


def token_of(url: str) -> str:
    return signing.token_from_scan(url)


def tampered(token: str) -> str:
    """The same token with one character of its payload changed."""
    prefix, key_id, body, signature = token.split(".")
    position = len(body) // 2
    flipped = "A" if body[position] != "A" else "B"
    return ".".join([prefix, key_id, body[:position] + flipped + body[position + 1 :], signature])


def signed_by_another_key(attestation: Attestation) -> str:
    """A well-formed token with our key id, signed by a key that is not ours."""
    body = base64.urlsafe_b64encode(
        json.dumps(signing.attestation_payload(attestation), separators=(",", ":")).encode()
    )
    body = body.rstrip(b"=").decode()
    key_id = settings.ATTESTATION_SIGNING_KEY_ID
    signed = f"{signing.TOKEN_PREFIX}.{key_id}.{body}".encode()
    signature = Ed25519PrivateKey.generate().sign(signed)
    encoded = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    return f"{signing.TOKEN_PREFIX}.{key_id}.{body}.{encoded}"


def mistyped(number: str) -> str:
    """The number with its check character wrong: a typing mistake."""
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def unknown_number() -> str:
    """Well formed, but never issued."""
    return f"API-2000-00000000-{numbers.check_character('200000000000')}"


def english_day(day: datetime.date) -> str:
    with translation.override("en"):
        return date_format(day, "DATE_FORMAT")


def refuse(application: Application, agent) -> None:
    reason = DecisionReason.objects.get(code="conditions_not_met")
    dossier.application_decide_unfavourable(
        application=application,
        actor=agent,
        reason=reason,
        explanation="Les conditions ne sont pas remplies.",
        legal_basis=reason.legal_basis,
        remedies=reason.remedies_fr,
    )


@pytest.fixture
def api(agent) -> Attestation:
    return issued_api(agent, today=today())


# --- The page reached by the QR code ------------------------------------------------------------


@pytest.mark.django_db
def test_page_verify_api_employer_scans_the_qr_code(client, api):
    """Scenario 8: an employer scans the QR code and sees "valid until …, may work: yes"."""
    url = signing.verification_url(api)
    with on(expiry(api) + ONE_DAY):
        response = client.get(path_of(url), headers=ENGLISH)
    assert response.status_code == 200
    assert "The QR code is authentic" in response.text
    assert f"Valid until {english_day(api.valid_until)}." in response.text
    assert "May work" in response.text
    assert f'Yes, with limits: <bdi lang="fr">{LIMITATION}</bdi>' in response.text
    assert api.holder_snapshot["last_name"].upper() in response.text


@pytest.mark.django_db
def test_page_verify_api_rights_in_french_and_english(client, api):
    with on(expiry(api) + ONE_DAY):
        response = client.get(path_of(signing.verification_url(api)), headers=ENGLISH)
    assert 'lang="fr"' in response.text and 'lang="en"' in response.text
    assert "récépissé" in response.text


@pytest.mark.django_db
def test_page_verify_api_tampered_token_is_rejected(client, api):
    url = signing.verification_url(api)
    path = reverse("verify", args=[api.number])
    with on(expiry(api) + ONE_DAY):
        response = client.get(path, {"t": tampered(token_of(url))}, headers=ENGLISH)
    assert response.status_code == 200
    assert "The QR code could not be confirmed" in response.text
    assert "Valid until" not in response.text
    assert "May work" not in response.text


@pytest.mark.django_db
def test_page_verify_api_token_signed_by_another_key_is_rejected(client, api):
    path = reverse("verify", args=[api.number])
    with on(expiry(api) + ONE_DAY):
        response = client.get(path, {"t": signed_by_another_key(api)}, headers=ENGLISH)
    assert "The QR code could not be confirmed" in response.text
    assert "Valid until" not in response.text


@pytest.mark.django_db
def test_page_verify_api_token_of_another_attestation_is_rejected(client, api):
    receipt = api.application.attestations.get(kind="deposit_receipt")
    path = reverse("verify", args=[api.number])
    token = token_of(signing.verification_url(receipt))
    with on(expiry(api) + ONE_DAY):
        response = client.get(path, {"t": token}, headers=ENGLISH)
    assert "The QR code does not match this attestation" in response.text
    assert "Valid until" not in response.text


@pytest.mark.django_db
def test_page_verify_api_by_number_alone_hides_the_birth_date(client, api):
    birth_date = datetime.date.fromisoformat(api.holder_snapshot["birth_date"])
    with on(expiry(api) + ONE_DAY):
        by_number = client.get(reverse("verify", args=[api.number]), headers=ENGLISH)
        by_qr_code = client.get(path_of(signing.verification_url(api)), headers=ENGLISH)
    assert "Born on" not in by_number.text
    assert english_day(birth_date) in by_qr_code.text
    assert "The QR code" not in by_number.text


@pytest.mark.django_db
def test_page_verify_api_not_yet_valid_says_from_when(client, api):
    with on(expiry(api) - datetime.timedelta(days=10)):
        response = client.get(reverse("verify", args=[api.number]), headers=ENGLISH)
    assert f"Not valid yet: valid from {english_day(api.valid_from)}" in response.text
    assert "Valid until" not in response.text


@pytest.mark.django_db
def test_page_verify_api_superseded_gives_the_newer_validity(client, api):
    """A later sweep issues the next API; the first one has ended: it says so, with the newer
    one's validity."""
    ended = api.valid_until + ONE_DAY
    attestations_sweep(today=ended)
    newer = api.application.attestations.filter(kind="api").order_by("valid_from", "pk")[1]
    with on(ended):
        response = client.get(reverse("verify", args=[api.number]), headers=ENGLISH)
    assert (
        f"It was replaced by a newer attestation, valid from {english_day(newer.valid_from)} "
        f"until {english_day(newer.valid_until)}."
    ) in response.text
    assert "This attestation no longer proves any right." in response.text
    assert 'id="rights-title"' not in response.text  # no rights stated for today
    assert '<dd id="headline-work">Not with this document</dd>' in response.text


@pytest.mark.django_db
def test_page_verify_api_replaced_by_an_adf_before_it_started(client, api, agent):
    """A favourable decision before the API's first day: the ADF replaces it at once."""
    decided_on = expiry(api) - datetime.timedelta(days=5)
    with on(decided_on):
        dossier.application_decide_favourable(application=api.application, actor=agent)
        attestations_sweep(today=decided_on)
        adf = api.application.attestations.get(kind="adf")
        response = client.get(reverse("verify", args=[api.number]), headers=ENGLISH)
    assert (
        f"It was replaced by a newer attestation, valid from {english_day(decided_on)} "
        f"until {english_day(adf.valid_until)}."
    ) in response.text


@pytest.mark.django_db
def test_page_verify_api_ended_by_a_refusal_says_since_when_never_why(client, api, agent):
    refused_on = expiry(api) + datetime.timedelta(days=5)
    with on(refused_on):
        refuse(api.application, agent)
        attestations_sweep(today=refused_on)
        response = client.get(reverse("verify", args=[api.number]), headers=ENGLISH)
    assert f"No longer valid since {english_day(refused_on)}." in response.text
    assert "refused" not in response.text.lower()  # why is the holder's business
    assert "Revoked" not in response.text
    assert 'id="rights-title"' not in response.text  # no rights stated for today
    assert '<dd id="headline-work">Not with this document</dd>' in response.text


@pytest.mark.django_db
def test_page_verify_adf_ended_by_the_handover_says_the_card_was_handed_over(client, api, agent):
    decided_on = expiry(api) + datetime.timedelta(days=5)
    handed_on = decided_on + datetime.timedelta(days=10)
    application = api.application
    with on(decided_on):
        dossier.application_decide_favourable(application=application, actor=agent)
        attestations_sweep(today=decided_on)
        dossier.application_record_card_available(application=application, actor=agent)
    with on(handed_on):
        dossier.application_record_card_handed_over(
            application=application,
            actor=agent,
            card_number="FR99999999",
            valid_from=handed_on,
            valid_until=handed_on + datetime.timedelta(days=365),
            handed_over_on=handed_on,
        )
        attestations_sweep(today=handed_on)
        adf = application.attestations.get(kind="adf")
        response = client.get(reverse("verify", args=[adf.number]), headers=ENGLISH)
    assert (
        f"No longer valid since {english_day(handed_on)}: the residence card it was waiting "
        "for was handed over"
    ) in response.text
    assert "Revoked" not in response.text
    assert 'id="rights-title"' not in response.text  # no rights stated for today
    assert '<dd id="headline-work">Not with this document</dd>' in response.text


@pytest.mark.django_db
def test_page_verify_api_past_its_last_day_before_the_sweep_is_not_valid(client, api):
    """Between two sweeps, the stored status may still say valid: the page does not."""
    with on(api.valid_until + ONE_DAY):
        response = client.get(reverse("verify", args=[api.number]), headers=ENGLISH)
    assert "Expired: it was valid until" in response.text
    assert "Valid until" not in response.text


@pytest.mark.django_db
def test_page_verify_deposit_receipt_proves_no_right_to_stay(client, api):
    receipt = api.application.attestations.get(kind="deposit_receipt")
    response = client.get(reverse("verify", args=[receipt.number]), headers=ENGLISH)
    assert "It proves that the application was filed on" in response.text
    assert "No: this certificate alone does not prove lawful residence" in response.text


@pytest.mark.django_db
def test_page_verify_unknown_number_is_a_plain_404(client, api):
    response = client.get(reverse("verify", args=[unknown_number()]), headers=ENGLISH)
    assert response.status_code == 404
    assert "We could not find this number" in response.text


@pytest.mark.django_db
def test_page_verify_malformed_number_asks_to_check_it(client, api):
    wrong = mistyped(api.number)
    response = client.get(reverse("verify", args=[wrong]), headers=ENGLISH)
    assert response.status_code == 400
    assert "it contains a typing mistake" in response.text


@pytest.mark.django_db
def test_page_verify_number_typed_in_lower_case_goes_to_the_canonical_page(client, api):
    response = client.get(reverse("verify", args=[api.number.lower()]))
    assert response.status_code == 302
    assert response["Location"] == reverse("verify", args=[api.number])


@pytest.mark.django_db
def test_page_verify_form_sends_a_typed_number_to_its_page(client, api):
    response = client.get(reverse("verify_form"), {"number": f" {api.number.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("verify", args=[api.number])


@pytest.mark.django_db
def test_page_verify_form_catches_a_typing_mistake(client, api):
    wrong = mistyped(api.number)
    response = client.get(reverse("verify_form"), {"number": wrong}, headers=ENGLISH)
    assert response.status_code == 400
    assert "it contains a typing mistake" in response.text


@pytest.mark.django_db
def test_page_verify_is_never_cached_nor_indexed(client, api):
    response = client.get(reverse("verify", args=[api.number]))
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


@pytest.mark.django_db
def test_page_verify_reads_a_constant_number_of_queries(client, api, django_assert_max_num_queries):
    attestations_sweep(today=api.valid_until + ONE_DAY)
    with django_assert_max_num_queries(3):
        client.get(reverse("verify", args=[api.number]))


def test_page_verify_keys_publishes_the_public_keys_with_cache_headers(client):
    response = client.get(reverse("verify_keys"))
    assert response.status_code == 200
    body = response.json()
    assert body["keys"] == signing.public_keys()
    assert body["current_key_id"] == settings.ATTESTATION_SIGNING_KEY_ID
    assert "max-age=3600" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]


# --- Rate limits --------------------------------------------------------------------------------


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


@pytest.mark.django_db
def test_page_verify_answers_429_past_the_rate(client, api, settings):
    _rates(settings, verify_page="2/min")
    path = reverse("verify", args=[api.number])
    assert [client.get(path).status_code for _ in range(2)] == [200, 200]
    response = client.get(path, headers=ENGLISH)
    assert response.status_code == 429
    assert "Too many checks in a short time" in response.text
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_api_verify_answers_429_past_the_rate(client, api, settings):
    _rates(settings, verify="2/min")
    path = reverse("api:verify", args=[api.number])
    assert [client.get(path).status_code for _ in range(2)] == [200, 200]
    response = client.get(path)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


@pytest.mark.django_db
def test_api_verify_rate_is_counted_per_client_address(client, api, settings):
    _rates(settings, verify="1/min")
    path = reverse("api:verify", args=[api.number])
    assert client.get(path, REMOTE_ADDR="192.0.2.1").status_code == 200
    assert client.get(path, REMOTE_ADDR="192.0.2.2").status_code == 200
    assert client.get(path, REMOTE_ADDR="192.0.2.1").status_code == 429


@pytest.mark.django_db
def test_api_verify_rate_ignores_a_forged_forwarded_header(client, api, settings):
    """Without TRUSTED_PROXIES, X-Forwarded-For is the client's word: it resets no count."""
    _rates(settings, verify="1/min")
    path = reverse("api:verify", args=[api.number])
    assert client.get(path, headers={"x-forwarded-for": "198.51.100.1"}).status_code == 200
    assert client.get(path, headers={"x-forwarded-for": "198.51.100.2"}).status_code == 429


# --- JSON for organisations ---------------------------------------------------------------------


@pytest.mark.django_db
def test_api_verify_api_gives_the_same_facts_as_the_page(client, api):
    with on(expiry(api) + ONE_DAY):
        response = client.get(reverse("api:verify", args=[api.number]), headers=ENGLISH)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "valid"
    assert body["status_text"] == f"Valid until {english_day(api.valid_until)}."
    assert body["valid_until"] == api.valid_until.isoformat()
    assert body["proves_rights_today"] is True
    assert body["rights"]["work"] == "limited"
    assert body["rights"]["work_limitation"] == LIMITATION
    assert body["holder_name"].startswith(api.holder_snapshot["last_name"].upper())
    assert "birth_date" not in json.dumps(body)


@pytest.mark.django_db
def test_api_verify_superseded_gives_the_newer_validity(client, api):
    ended = api.valid_until + ONE_DAY
    attestations_sweep(today=ended)
    newer = api.application.attestations.filter(kind="api").order_by("valid_from", "pk")[1]
    with on(ended):
        body = client.get(reverse("api:verify", args=[api.number])).json()
    assert body["status"] == "superseded"
    assert body["newer"]["valid_from"] == newer.valid_from.isoformat()
    assert body["newer"]["valid_until"] == newer.valid_until.isoformat()
    assert body["proves_rights_today"] is False


@pytest.mark.django_db
def test_api_verify_unknown_number_is_404(client, reference_data):
    response = client.get(reverse("api:verify", args=[unknown_number()]))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_api_verify_malformed_number_is_400(client, api):
    wrong = mistyped(api.number)
    response = client.get(reverse("api:verify", args=[wrong]))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_number"


@pytest.mark.django_db
def test_api_verify_token_returns_the_signed_payload_and_today_status(client, api):
    url = signing.verification_url(api)
    with on(expiry(api) + ONE_DAY):
        response = client.post(
            reverse("api:verify-token"), {"token": url}, content_type="application/json"
        )
    assert response.status_code == 200
    body = response.json()
    assert body["authentic"] is True
    assert body["key_id"] == settings.ATTESTATION_SIGNING_KEY_ID
    assert body["payload"]["number"] == api.number
    assert body["payload"]["birth_date"] == api.holder_snapshot["birth_date"]
    assert body["payload"]["work"] == "limited"
    assert body["attestation"]["status"] == "valid"


@pytest.mark.django_db
def test_api_verify_token_tampered_is_400_invalid_token(client, api):
    token = tampered(token_of(signing.verification_url(api)))
    response = client.post(
        reverse("api:verify-token"), {"token": token}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_token"


@pytest.mark.django_db
def test_api_verify_token_signed_by_another_key_is_400_invalid_token(client, api):
    response = client.post(
        reverse("api:verify-token"),
        {"token": signed_by_another_key(api)},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_token"


@pytest.mark.django_db
def test_api_verify_token_missing_is_400(client):
    response = client.post(reverse("api:verify-token"), {}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_api_verify_token_needs_no_csrf_token_for_a_signed_in_browser(api):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(api.holder)
    response = browser.post(
        reverse("api:verify-token"),
        {"token": token_of(signing.verification_url(api))},
        content_type="application/json",
    )
    assert response.status_code == 200
