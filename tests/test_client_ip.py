"""One client address for every limit and for the audit log (anef/client_ip.py).

`TRUSTED_PROXIES` lists the networks of our own proxies; X-Forwarded-For is read from the
right only as far as they wrote it, and not at all without one.
"""

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.utils.module_loading import import_string

from accounts.adapters import AccountAdapter
from anef.client_ip import client_ip, network_of

PROXY = "10.0.0.5"
PROXY_NETWORK = "10.0.0.0/24"


def request(remote_addr: str = "203.0.113.7", forwarded: str | None = None, **meta):
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **meta)


def audit_data(request_) -> dict:
    """What the audit-log middleware configured in MIDDLEWARE records for this request."""
    path = next(entry for entry in django_settings.MIDDLEWARE if "Auditlog" in entry)
    return import_string(path)(lambda r: None).get_extra_data(request_)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY_NETWORK]


def test_client_ip_no_proxy_is_remote_addr(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.7")) == "203.0.113.7"


def test_client_ip_no_proxy_forged_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.7", forwarded="198.51.100.1")) == "203.0.113.7"


def test_client_ip_one_trusted_proxy_gives_the_address_before_it(behind_proxy):
    assert client_ip(request(PROXY, forwarded="198.51.100.1")) == "198.51.100.1"


def test_client_ip_one_trusted_proxy_client_forged_entries_are_skipped(behind_proxy):
    """The client sent `X-Forwarded-For: 192.0.2.99`; our proxy appended what it saw."""
    assert client_ip(request(PROXY, forwarded="192.0.2.99, 198.51.100.1")) == "198.51.100.1"


def test_client_ip_two_trusted_proxies_gives_the_address_before_both(settings):
    settings.TRUSTED_PROXIES = [PROXY_NETWORK, "172.16.0.0/12"]
    forwarded = "192.0.2.99, 198.51.100.1, 172.16.3.4"
    assert client_ip(request(PROXY, forwarded=forwarded)) == "198.51.100.1"


def test_client_ip_peer_not_a_trusted_proxy_header_is_ignored(behind_proxy):
    """A client reaching the web server directly, around the proxy, with a forged header: a
    count of proxies (NUM_PROXIES = 1) would have believed it."""
    assert client_ip(request("203.0.113.7", forwarded="198.51.100.1")) == "203.0.113.7"


def test_client_ip_trusted_proxy_without_header_is_the_proxy(behind_proxy):
    assert client_ip(request(PROXY)) == PROXY


@pytest.mark.parametrize("forwarded", ["not-an-address", "", " , ", "198.51.100.1, garbage"])
def test_client_ip_malformed_header_stops_at_the_last_trusted_hop(behind_proxy, forwarded):
    assert client_ip(request(PROXY, forwarded=forwarded)) == PROXY


def test_client_ip_malformed_entry_left_of_the_client_is_never_read(behind_proxy):
    assert client_ip(request(PROXY, forwarded="garbage, 198.51.100.1")) == "198.51.100.1"


def test_client_ip_port_written_by_the_proxy_is_dropped(behind_proxy):
    assert client_ip(request(PROXY, forwarded="198.51.100.1:51234")) == "198.51.100.1"
    assert client_ip(request(PROXY, forwarded="[2001:DB8::1]:51234")) == "2001:db8::1"


def test_client_ip_ipv6_is_normalised(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request("2001:DB8:0:0:0:0:0:1")) == "2001:db8::1"
    assert client_ip(request("::ffff:192.0.2.1")) == "192.0.2.1"


def test_client_ip_ipv6_proxy_network_is_trusted(settings):
    settings.TRUSTED_PROXIES = ["fd00::/8"]
    assert client_ip(request("fd00::5", forwarded="2001:db8::abcd")) == "2001:db8::abcd"


def test_client_ip_no_remote_addr_is_empty(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request("")) == ""


def test_client_ip_bad_trusted_network_is_a_configuration_error(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured):
        client_ip(request(PROXY))


def test_network_of_ipv4_is_the_address():
    assert network_of("192.0.2.1") == "192.0.2.1"


def test_network_of_ipv6_is_its_64():
    assert network_of("2001:db8:1:2:aaaa::1") == network_of("2001:db8:1:2:bbbb::2")
    assert network_of("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert network_of("2001:db8:1:3::1") != network_of("2001:db8:1:2::1")


def test_network_of_no_address_is_empty():
    assert network_of("") == ""


def test_allauth_adapter_client_ip_is_ours(behind_proxy):
    assert AccountAdapter().get_client_ip(request(PROXY, forwarded="198.51.100.1")) == (
        "198.51.100.1"
    )


def test_audit_log_address_forged_header_without_proxy_is_ignored(settings):
    """django-auditlog's own middleware wrote the left-most X-Forwarded-For entry of anyone."""
    settings.TRUSTED_PROXIES = []
    forged = request("203.0.113.7", forwarded="198.51.100.1", REMOTE_PORT="40000")
    data = audit_data(forged)
    assert data["remote_addr"] == "203.0.113.7"
    assert data["remote_port"] == 40000


def test_audit_log_address_not_an_address_is_never_recorded(settings):
    """A non-address in the audit entry's `inet` column made every audited write fail on
    PostgreSQL."""
    settings.TRUSTED_PROXIES = []
    forged = request("203.0.113.7", forwarded="<script>")
    data = audit_data(forged)
    assert data["remote_addr"] == "203.0.113.7"


def test_audit_log_address_behind_proxy_is_the_client_without_port(behind_proxy):
    proxied = request(PROXY, forwarded="198.51.100.1", HTTP_X_FORWARDED_PORT="443")
    data = audit_data(proxied)
    assert data["remote_addr"] == "198.51.100.1"
    assert data["remote_port"] is None
