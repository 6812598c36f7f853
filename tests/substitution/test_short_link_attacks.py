"""Attacks on the short links of texts and e-mails (issue 21): `/r/<key>` cancels an
appointment, `/o/<key>` takes an earlier place, without an account — the key is the only door.
Forged, truncated, altered, swapped and other people's keys are refused (404) without saying
whether their number exists; the keys sent before this form still work; a client that tries too
many wrong keys is stopped (429)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from substitution import services
from substitution.cancel_links import (
    CANCEL_SALT,
    OFFER_SALT,
    _base36,
    _key,
    _legacy_signature,
    appointment_for_cancel_token,
    cancel_token,
    offer_short_key,
)
from substitution.enums import AppointmentStatus, SlotOfferStatus
from substitution.models import Appointment, SlotOffer, WaitlistEntry
from tests.substitution.factories import CaseFactory, SlotFactory

pytestmark = pytest.mark.django_db
CANCEL, OFFER = "appointment_cancel_short", "slot_offer_short"


@pytest.fixture
def booked(reference_data):
    return services.appointment_book(case=CaseFactory(), slot=SlotFactory(), actor=None)


@pytest.fixture
def offer(booked):
    """An earlier place offered to the person who holds `booked`."""
    entry = WaitlistEntry.objects.create(case=booked.case, desk=booked.slot.desk)
    return SlotOffer.objects.create(
        entry=entry,
        slot=SlotFactory(desk=booked.slot.desk),
        expires_at=timezone.now() + datetime.timedelta(hours=2),
    )


def _post(client, route: str, key: str, **extra):
    return client.post(reverse(route, kwargs={"token": key}), **extra)


def _unchanged(booked, offer=None) -> bool:
    booked.refresh_from_db()
    still = booked.status == AppointmentStatus.BOOKED
    if offer is not None:
        offer.refresh_from_db()
        still = still and offer.status == SlotOfferStatus.PENDING
    return still


def _signed_elsewhere(number: int, salt: str) -> str:
    """A key of the right shape, signed with another site's secret."""
    value = int.from_bytes(
        salted_hmac(salt, str(number), secret="not-our-secret", algorithm="sha256").digest()[:8],
        "big",
    )
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    signature = ""
    for _ in range(11):
        value, digit = divmod(value, 62)
        signature = alphabet[digit] + signature
    return _base36(number) + signature


def _altered(character: str) -> str:
    return "B" if character == "A" else "A"


# --- Forged, truncated, altered ----------------------------------------------------------------


def test_short_link_cancel_key_signed_with_another_secret_is_404(client, booked):
    response = _post(client, CANCEL, _signed_elsewhere(booked.pk, CANCEL_SALT))
    assert response.status_code == 404
    assert _unchanged(booked)


def test_short_link_offer_key_signed_with_another_secret_is_404(client, booked, offer):
    response = _post(client, OFFER, _signed_elsewhere(offer.pk, OFFER_SALT))
    assert response.status_code == 404
    assert _unchanged(booked, offer)


@pytest.mark.parametrize("route", [CANCEL, OFFER])
@pytest.mark.parametrize("cut", [1, 2, 5])
def test_short_link_truncated_signature_is_404(client, booked, offer, route, cut):
    key = cancel_token(booked) if route == CANCEL else offer_short_key(offer)
    assert _post(client, route, key[:-cut]).status_code == 404
    assert _unchanged(booked, offer)


@pytest.mark.parametrize("route", [CANCEL, OFFER])
def test_short_link_one_character_added_is_404(client, booked, offer, route):
    key = cancel_token(booked) if route == CANCEL else offer_short_key(offer)
    assert _post(client, route, key + "A").status_code == 404
    assert _unchanged(booked, offer)


@pytest.mark.parametrize("position", range(11))
def test_short_link_signature_altered_at_any_position_is_404(client, booked, position):
    key = cancel_token(booked)
    at = len(key) - 11 + position
    altered = key[:at] + _altered(key[at]) + key[at + 1 :]
    assert _post(client, CANCEL, altered).status_code == 404
    assert _unchanged(booked)


def test_short_link_signature_in_other_case_is_404(client, booked):
    """Base 62 tells `a` from `A`: a key retyped in capitals is another key."""
    key = cancel_token(booked)
    swapped = key[:-11] + key[-11:].swapcase()
    assert _post(client, CANCEL, swapped).status_code == 404
    assert _unchanged(booked)


# --- A key of one kind used as the other, keys of another appointment ---------------------------


def test_short_link_cancel_key_on_offer_address_is_404(client, booked, offer):
    """The cancel salt's key for the offer's very number opens no offer."""
    response = _post(client, OFFER, _key(offer.pk, CANCEL_SALT))
    assert response.status_code == 404
    assert _unchanged(booked, offer)


def test_short_link_offer_key_on_cancel_address_is_404(client, booked, offer):
    """The offer salt's key for the appointment's very number cancels nothing."""
    response = _post(client, CANCEL, _key(booked.pk, OFFER_SALT))
    assert response.status_code == 404
    assert _unchanged(booked, offer)


def test_short_link_number_of_another_appointment_with_my_signature_is_404(client, booked):
    mine = services.appointment_book(case=CaseFactory(), slot=SlotFactory(), actor=None)
    theirs_with_my_signature = _base36(booked.pk) + cancel_token(mine)[-11:]
    assert _post(client, CANCEL, theirs_with_my_signature).status_code == 404
    assert _unchanged(booked)


def test_short_link_refusal_same_for_existing_and_missing_number(client, booked):
    """A forged key of an existing appointment and of a number that exists nowhere get the
    same answer after the same queries: the refusal is decided before the database."""
    missing = 36**5 - 1
    assert not Appointment.objects.filter(pk=missing).exists()
    answers = []
    for number in (booked.pk, missing):
        with CaptureQueriesContext(connection) as queries:
            response = _post(client, CANCEL, _signed_elsewhere(number, CANCEL_SALT))
        answers.append((response.status_code, len(queries)))
    assert answers[0] == answers[1]
    assert answers[0][0] == 404


def test_short_link_forged_key_read_without_a_query(booked, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert appointment_for_cancel_token(_signed_elsewhere(booked.pk, CANCEL_SALT)) is None


# --- The keys sent before -----------------------------------------------------------------------


def _legacy(number: int, salt: str) -> str:
    return f"{number}-{_legacy_signature(number, salt)}"


@pytest.mark.parametrize(
    "route", [CANCEL, "appointment_cancel_short_legacy", "substitution_public:appointment_cancel"]
)
def test_short_link_old_key_still_cancels(client, booked, route):
    response = _post(client, route, _legacy(booked.pk, CANCEL_SALT))
    booked.refresh_from_db()
    assert response.status_code == 200
    assert booked.status == AppointmentStatus.CANCELLED


def test_short_link_old_address_keeps_its_form(booked):
    assert reverse(
        "appointment_cancel_short_legacy", kwargs={"token": _legacy(booked.pk, CANCEL_SALT)}
    ) == (f"/rdv/{_legacy(booked.pk, CANCEL_SALT)}/")


@pytest.mark.parametrize("route", [OFFER, "slot_offer_short_legacy"])
def test_short_link_old_offer_key_still_opens_the_offer(client, offer, route):
    response = client.get(reverse(route, kwargs={"token": _legacy(offer.pk, OFFER_SALT)}))
    assert response.status_code == 200
    assert response.context["offer"] == offer


def test_short_link_old_key_signed_with_another_secret_is_404(client, booked):
    signature = salted_hmac(
        CANCEL_SALT, str(booked.pk), secret="not-our-secret", algorithm="sha256"
    ).hexdigest()
    forged = f"{booked.pk}-{signature[:16]}"
    assert _post(client, "appointment_cancel_short_legacy", forged).status_code == 404
    assert _unchanged(booked)


def test_short_link_old_offer_key_on_cancel_address_is_404(client, booked, offer):
    assert _post(client, CANCEL, _legacy(booked.pk, OFFER_SALT)).status_code == 404
    assert _unchanged(booked, offer)


# --- Too many wrong keys ------------------------------------------------------------------------


@pytest.fixture
def limit(settings):
    settings.SUBSTITUTION_LINK_REFUSAL_LIMITS = {"PER_IP": 3, "WINDOW_SECONDS": 3600}
    return 3


def _wrong(client, route=CANCEL, **extra):
    return _post(client, route, "1" + "A" * 11, **extra).status_code


def test_short_link_wrong_keys_over_the_limit_answer_429_even_to_a_right_key(client, booked, limit):
    assert [_wrong(client) for _ in range(limit)] == [404] * limit
    response = _post(client, CANCEL, cancel_token(booked), headers={"accept-language": "en"})
    assert response.status_code == 429
    assert "Too many attempts in a short time" in response.content.decode()
    assert _unchanged(booked)


def test_short_link_wrong_keys_counted_across_cancel_and_offer(client, booked, offer, limit):
    _wrong(client, CANCEL)
    _wrong(client, OFFER)
    _wrong(client, "substitution_public:slot_offer")
    assert _post(client, OFFER, offer_short_key(offer)).status_code == 429
    assert _unchanged(booked, offer)


def test_short_link_right_keys_are_never_counted(client, booked, limit):
    url = reverse(CANCEL, kwargs={"token": cancel_token(booked)})
    assert [client.get(url).status_code for _ in range(limit * 3)] == [200] * (limit * 3)


def test_short_link_limit_is_per_client(client, booked, limit):
    for _ in range(limit):
        _wrong(client, REMOTE_ADDR="192.0.2.1")
    response = _post(client, CANCEL, cancel_token(booked), REMOTE_ADDR="192.0.2.2")
    assert response.status_code == 200
    assert not _unchanged(booked)
