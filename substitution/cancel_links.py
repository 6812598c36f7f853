"""The one-click cancel link of every appointment confirmation, reminder and text (issue 21): a
short key signed with the site's secret, naming one appointment. It needs no account; it cancels
that appointment only, once (a second use finds it cancelled):
`services.appointment_cancel_by_link`.

Why a short key rather than `signing.Signer`'s 43-character signature: the same link goes into a
text message, where every character counts. An Arabic text (UCS-2) has 70 characters in all, and
an appointment's text must keep its day, time and link within them (anef/sms.py,
`APPOINTMENT_LINK_MAX_LENGTH`; tests/anef/test_sms_segments.py renders them). So the link is
`<SMS_SITE_URL>/r/<key>` and the key is

- the appointment's number in base 36 (lowercase, no leading zero: one key per number; five
  characters up to 60,466,175), then
- the first 64 bits of an HMAC-SHA256 of that number, keyed by the site's secret and a salt of
  its own (`salted_hmac`), written in base 62 on exactly 11 characters.

Only letters and digits: a phone that turns a text's address into a link never cuts it short at
a trailing `-` or `_`. 64 bits are out of reach of guessing over HTTP, and the views that take a
key also refuse a client after a number of wrong keys (substitution/link_limits.py). Each salt
keeps its meaning: a cancel key never opens an offer, nor the reverse, and nothing else the site
signs can be replayed as one. The signature is compared in constant time, before any query: a
forged key learns nothing, not even whether its number exists.

The keys sent before (`<number>-<16 base64url characters>`, 96 bits of the same HMAC, under
`/rdv/<key>/` and `/rdv/o/<key>/`) stay valid, on those addresses and on the e-mail's: they are
in texts and e-mails already sent, for appointments still to come. Nothing tells the two forms
apart but their shape (the new one has no `-`).
"""

import base64
import re
import string

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from substitution.models import Appointment, SlotOffer

CANCEL_SALT = "substitution.appointment-cancel"
OFFER_SALT = "substitution.slot-offer"

BASE36 = string.digits + string.ascii_lowercase
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
SIGNATURE_BYTES = 8  # 64 bits of the HMAC
SIGNATURE_LENGTH = 11  # 62**11 > 2**64
# A BigAutoField's largest number, 2**63 - 1, has 13 base-36 digits.
LARGEST_NUMBER = 2**63 - 1
KEY_PATTERN = re.compile(r"([1-9a-z][0-9a-z]{0,12})([0-9A-Za-z]{11})")
# The keys sent before this form (still accepted): the number in decimal, then 16 characters of
# the HMAC's base64url.
LEGACY_KEY_PATTERN = re.compile(r"([0-9]{1,18})-([0-9A-Za-z_-]{16})")


def _digest(number: int, salt: str) -> bytes:
    return salted_hmac(salt, str(number), algorithm="sha256").digest()


def _base36(number: int) -> str:
    digits = ""
    while number:
        number, digit = divmod(number, 36)
        digits = BASE36[digit] + digits
    return digits or "0"


def _signature(number: int, salt: str) -> str:
    value = int.from_bytes(_digest(number, salt)[:SIGNATURE_BYTES], "big")
    digits = ""
    for _position in range(SIGNATURE_LENGTH):
        value, digit = divmod(value, 62)
        digits = BASE62[digit] + digits
    return digits


def _legacy_signature(number: int, salt: str) -> str:
    return base64.urlsafe_b64encode(_digest(number, salt)).decode()[:16]


def _key(number: int, salt: str) -> str:
    return f"{_base36(number)}{_signature(number, salt)}"


def _number_in(key: str, salt: str) -> int | None:
    """The number a key signed with `salt` names; None for a forged, altered or malformed key
    (decided without the database)."""
    if match := KEY_PATTERN.fullmatch(key):
        number = int(match[1], 36)
        expected = _signature(number, salt)
    elif match := LEGACY_KEY_PATTERN.fullmatch(key):
        number = int(match[1])
        expected = _legacy_signature(number, salt)
    else:
        return None
    if number > LARGEST_NUMBER or not constant_time_compare(match[2], expected):
        return None
    return number


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
# reverse): the text of an offer carries /o/<key>, the e-mail the offer's long random token;
# both open the same offer, which holds for `rules.OFFER_VALIDITY` only.


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
