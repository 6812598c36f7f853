"""`postal_code_range` is the inverse of `departement_code_for_postal_code` (the at-risk
dashboard filters people by it in SQL): every five-digit code falls in the range of its own
département, and in no other département's."""

import pytest

from reference.rules import departement_code_for_postal_code, postal_code_range


def test_rules_postal_code_range_every_code_in_its_own_departement_range():
    codes = [f"{number:05d}" for number in range(100_000)]
    departements = {departement_code_for_postal_code(code) for code in codes} - {"20", "97", "99"}
    ranges = {departement: postal_code_range(departement) for departement in departements}
    for code in codes:
        departement = departement_code_for_postal_code(code)
        if departement not in ranges:  # "00", "97x" not overseas, "99": no département's
            continue
        inside = [name for name, (low, high) in ranges.items() if low <= code < high]
        assert inside == [departement], code


@pytest.mark.parametrize(
    ("departement", "expected"),
    [
        ("93", ("93000", "94000")),
        ("09", ("09000", "10000")),
        ("2A", ("20000", "20200")),
        ("2B", ("20200", "21000")),
        ("971", ("97100", "97200")),
        ("976", ("97600", "97700")),
    ],
)
def test_rules_postal_code_range_bounds(departement, expected):
    assert postal_code_range(departement) == expected


@pytest.mark.parametrize("departement", ["", "20", "97", "99", "9", "ABC", "9301", None])
def test_rules_postal_code_range_refuses_what_is_no_departement(departement):
    with pytest.raises(ValueError):
        postal_code_range(departement)
