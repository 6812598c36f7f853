"""Mobile phone numbers in E.164 form (issue 21: text messages).

Parsing and validation are Google's numbering plans (the `phonenumbers` library, "lite"
edition: the same metadata without the geocoding and carrier files): which ranges exist, which
are mobiles, how long a number is in each country. What stays here is the French reading of a
number typed without its country code:

- a number written as in France (06 12 34 56 78) is read in France first; the mobiles of the
  overseas departments dialled from France (0690 …, 0692 …, 0696 …) belong to their own
  numbering plans (+590, +262, +596 …), so those plans are tried next;
- a number written with its country code (+44 …, 0044 …) is read in its own country's plan;
- only a number that can receive a text is kept: a mobile (or a number the plan cannot tell from
  a mobile, as in North America); landlines and special numbers are refused, never guessed.
"""

import unicodedata

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

# France first, then the overseas departments whose mobiles are dialled 06… from France.
FRENCH_REGIONS = ("FR", "GP", "GF", "MQ", "RE", "YT")
TEXTABLE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def phone_e164(raw: str) -> str | None:
    """The number in E.164 form, or None when it is not a mobile number of a known plan."""
    value = unicodedata.normalize("NFKC", raw or "").strip()
    if not value or any(character.isalpha() for character in value):
        return None  # letters are refused rather than read as a keypad's vanity number
    if value.startswith("00"):
        value = "+" + value[2:]
    for region in FRENCH_REGIONS:
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(number):
            if phonenumbers.number_type(number) not in TEXTABLE:
                return None
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
        if value.startswith("+"):
            return None  # an international number is read in its own plan only
    return None


def phone_masked(number: str) -> str:
    """For the screen: the country code and the last two digits (+33 •••••• 78)."""
    if not number:
        return ""
    return f"{number[:3]} •••••• {number[-2:]}"
