"""The one-click cancel link of every appointment confirmation, reminder and text (issue 21): a
short key signed with the site's secret, naming one appointment. It needs no account; it cancels
that appointment only, once (a second use finds it cancelled):
`services.appointment_cancel_by_link`.

Why a short key rather than `signing.Signer`'s 43-character signature: the same link goes into a
text message, where every character counts (anef/sms.py: at most 60 for an appointment's link,
so that the text stays within its segments). The key is the appointment's number and the first
16 characters (96 bits) of an HMAC-SHA256 of it, keyed by the site's secret and a salt of its
own: unguessable over HTTP, and nothing else signed by the site can be replayed as one.
"""

import base64

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from substitution.models import Appointment, SlotOffer

CANCEL_SALT = "substitution.appointment-cancel"
OFFER_SALT = "substitution.slot-offer"
SIGNATURE_LENGTH = 16


def _signature(number: int, salt: str) -> str:
    digest = salted_hmac(salt, str(number), algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode()[:SIGNATURE_LENGTH]


def _key(number: int, salt: str) -> str:
    return f"{number}-{_signature(number, salt)}"


def _number_in(key: str, salt: str) -> int | None:
    """The number a key signed with `salt` names; None for a forged, altered or malformed key."""
    number, _, signature = key.partition("-")
    if not number.isascii() or not number.isdigit() or len(number) > 18:
        return None
    if not constant_time_compare(signature, _signature(int(number), salt)):
        return None
    return int(number)


def cancel_token(appointment: Appointment) -> str:
    return _key(appointment.pk, CANCEL_SALT)


def cancel_url(appointment: Appointment, *, site: str | None = None) -> str:
    """The full link; `site` defaults to SITE_URL (a text gives SMS_SITE_URL)."""
    path = reverse("appointment_cancel_short", kwargs={"token": cancel_token(appointment)})
    return f"{(site or settings.SITE_URL).rstrip('/')}{path}"


def appointment_for_cancel_token(token: str) -> Appointment | None:
    """The appointment a cancel link names; None for a forged or altered link."""
    number = _number_in(token, CANCEL_SALT)
    if number is None:
        return None
    return Appointment.objects.select_related("slot__desk", "case").filter(pk=number).first()


# --- The earlier-slot offer's short accept link (issue 21) -------------------------------------
# The same kind of key, with a salt of its own (a cancel key never accepts an offer, nor the
# reverse): the text of an offer carries /rdv/o/<number>-<signature>/, the e-mail the offer's
# long random token; both open the same offer, which holds for `rules.OFFER_VALIDITY` only.


def offer_short_key(offer: SlotOffer) -> str:
    return _key(offer.pk, OFFER_SALT)


def offer_short_url(offer: SlotOffer, *, site: str | None = None) -> str:
    path = reverse("slot_offer_short", kwargs={"token": offer_short_key(offer)})
    return f"{(site or settings.SMS_SITE_URL).rstrip('/')}{path}"


def offer_for_short_key(key: str) -> SlotOffer | None:
    """The offer a text's accept link names; None for a forged or altered key."""
    number = _number_in(key, OFFER_SALT)
    if number is None:
        return None
    return SlotOffer.objects.select_related("slot__desk", "entry__case").filter(pk=number).first()
