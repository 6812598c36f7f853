"""Mobile phone numbers in E.164 form (issue 21: text messages).

Why not the `phonenumbers` library: it is not installed in this project (a request to the lead
is in the report of the SMS work). Until then, these few rules cover what a text message needs:

- a number written as in France (06 12 34 56 78, 07…) is a French mobile, +33 6/7; the mobile
  prefixes of the overseas departments dialled from France (0690, 0694, 0696, 0639…) are given
  their own country code (+590, +594, +596, +262), as the numbering plan says;
- a number written with its country code (+44 7…, 0044 7…) is kept as typed, checked only for
  its length (E.164: at most 15 digits) and, for +33, that it is a mobile;
- a landline or a special number in France (01–05, 08, 09) cannot receive a text: refused.

Spaces, dots, dashes and brackets are what people type between digits; anything else is refused
rather than guessed.
"""

import re
import unicodedata

# Overseas mobile prefixes, as dialled in France (0 + 3 digits), and their country code.
OVERSEAS_MOBILE = {
    "0690": "590",  # Guadeloupe, Saint-Barthélemy, Saint-Martin
    "0691": "590",
    "0694": "594",  # French Guiana
    "0696": "596",  # Martinique
    "0697": "596",
    "0692": "262",  # La Réunion
    "0693": "262",
    "0639": "262",  # Mayotte
}
_SEPARATORS = re.compile(r"[\s.\-()/]")


def phone_e164(raw: str) -> str | None:
    """The number in E.164 form (+ and 8 to 15 digits), or None when it is not a mobile number
    this module can read."""
    value = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    if value.startswith("00"):
        value = "+" + value[2:]
    if value.startswith("+"):
        digits = value[1:]
        if not digits.isdigit() or not 8 <= len(digits) <= 15 or digits[0] == "0":
            return None
        if digits.startswith("33"):
            return _french("0" + digits[2:])
        return "+" + digits
    if not value.isdigit():
        return None
    return _french(value)


def _french(national: str) -> str | None:
    """A number as dialled in France (10 digits starting with 0)."""
    if len(national) != 10 or not national.startswith("0"):
        return None
    overseas = OVERSEAS_MOBILE.get(national[:4])
    if overseas:
        return f"+{overseas}{national[1:]}"
    if national[1] in "67":
        return f"+33{national[1:]}"
    return None


def phone_masked(number: str) -> str:
    """For the screen: the country code and the last two digits (+33 •••••• 78)."""
    if not number:
        return ""
    return f"{number[:3]} •••••• {number[-2:]}"
