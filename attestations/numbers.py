"""Attestation numbers: human-readable, unique, with a check character.

Format `API-2027-7K3M9Q2X-R`: kind, year, 8 random characters, and a check character computed
with the Luhn mod N algorithm over Crockford's base-32 alphabet (no I, L, O, U: nothing to
confuse when read aloud or typed), which catches any single wrong character and any swap of
two neighbours.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIXES = {
    "deposit_receipt": "AD",
    "api": "API",
    "adf": "ADF",
    "technical_impossibility": "ITI",
}


def check_character(body: str) -> str:
    """Luhn mod 32 check character of `body` (characters of ALPHABET only)."""
    base = len(ALPHABET)
    total, factor = 0, 2
    for character in reversed(body):
        addend = factor * ALPHABET.index(character)
        total += addend // base + addend % base
        factor = 1 if factor == 2 else 2
    return ALPHABET[(base - total % base) % base]


def new_number(kind: str, year: int) -> str:
    # 40 random bits, read 5 at a time: 8 characters, each uniform over the 32 of ALPHABET (one
    # call to the system's random source instead of eight `secrets.choice`: a quarter of the time).
    bits = int.from_bytes(secrets.token_bytes(5))
    body = "".join(ALPHABET[(bits >> shift) & 31] for shift in range(35, -1, -5))
    return f"{PREFIXES[kind]}-{year}-{body}-{check_character(f'{year}{body}')}"


def normalise(number: str) -> str:
    """What a person typed, made comparable: upper case, O→0, I/L→1, spaces removed."""
    cleaned = (number or "").strip().upper().replace(" ", "")
    prefix, _, rest = cleaned.partition("-")
    return f"{prefix}-" + rest.replace("O", "0").replace("I", "1").replace("L", "1")


def is_well_formed(number: str) -> bool:
    """A number whose check character matches (a typing mistake is caught before any lookup)."""
    parts = normalise(number).split("-")
    if len(parts) != 4 or parts[0] not in PREFIXES.values():
        return False
    _, year, body, check = parts
    if not (year.isdigit() and len(body) == 8 and len(check) == 1):
        return False
    if any(character not in ALPHABET for character in body + check):
        return False
    return check_character(f"{year}{body}") == check
