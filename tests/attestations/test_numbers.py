"""Attestation numbers: well formed, and every character of the random part drawn from the
whole alphabet at every position (a number is a public key to a verification page)."""

from attestations import numbers


def test_new_number_is_well_formed_with_its_kind_and_year():
    number = numbers.new_number("api", 2027)

    prefix, year, body, _check = number.split("-")
    assert (prefix, year, len(body)) == ("API", "2027", 8)
    assert numbers.is_well_formed(number)


def test_new_number_draws_every_character_at_every_position():
    # 4,000 draws: the chance that a given character never shows at a given position is
    # (31/32)^4000, about 1e-55; a draw biased to part of the alphabet fails at once.
    bodies = [numbers.new_number("deposit_receipt", 2027).split("-")[2] for _ in range(4000)]

    for position in range(8):
        assert {body[position] for body in bodies} == set(numbers.ALPHABET)


def test_new_numbers_do_not_repeat():
    drawn = [numbers.new_number("adf", 2027) for _ in range(2_000)]

    assert len(set(drawn)) == len(drawn)
