import pytest

from anef.client_ip import network_of
from substitution import rules
from substitution.enums import CaseOrigin


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("", ""),
        ("not an address", ""),
    ],
)
def test_rules_network_of(ip, network):
    assert network_of(ip) == network


@pytest.mark.parametrize(
    ("origin", "has_account", "needed"),
    [
        (CaseOrigin.AUTOMATIC_DETECTION, False, True),
        (CaseOrigin.AUTOMATIC_DETECTION, True, False),
        (CaseOrigin.CONTACT_CENTRE, False, False),
        (CaseOrigin.PREFECTURE, False, False),
    ],
)
def test_rules_booking_needs_verified_email(origin, has_account, needed):
    assert rules.booking_needs_verified_email(origin=origin, has_account=has_account) is needed


def test_rules_over_limit_boundary():
    assert not rules.over_limit(2, 3)
    assert rules.over_limit(3, 3)
