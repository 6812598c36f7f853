"""Who is asking: the client's address, one answer for every limit and for the audit log.

Behind a reverse proxy (TLS terminator, load balancer), `REMOTE_ADDR` is the proxy's address:
a limit keyed on it puts every citizen in one bucket. The proxy appends the address it saw to
`X-Forwarded-For`; but a client writes whatever it likes in that header too, so it is read only
as far as it was written by proxies we run.

`settings.TRUSTED_PROXIES` (environment `TRUSTED_PROXIES`, comma-separated) lists the networks
of those proxies, e.g. `10.0.0.0/8,fd00::/8`; empty by default, and then the header is ignored
entirely. A list of networks rather than a count of proxies (DRF's `NUM_PROXIES`, allauth's
`TRUSTED_PROXY_COUNT`): a count believes the header whoever sends it, so a client that reaches
the web server directly (a published port, a misrouted balancer) writes its own "client
address" and escapes every limit; with networks, the header is read only when the peer is one of
our proxies, and a chain of varying length (a CDN, then a balancer) needs no counting.

The client is the right-most address of the chain that is not one of our proxies. Addresses are
normalised (`2001:DB8::0:1` and `2001:db8::1` are one client, `::ffff:192.0.2.1` is
`192.0.2.1`); limits count an IPv6 client by its /64 (`network_of`), the block one subscriber
holds, as allauth does for its own limits.
"""

import ipaddress
from functools import lru_cache

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPV6_LIMIT_PREFIX = 64


def parse_address(value: str) -> IPAddress | None:
    """An address as a proxy or server writes it (`192.0.2.1`, `192.0.2.1:443`, `2001:db8::1`,
    `[2001:db8::1]:443`), normalised; None when it is not an address."""
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    value = value.partition("%")[0]  # an IPv6 zone (fe80::1%eth0) names no other client
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def trusted_networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """`settings.TRUSTED_PROXIES` parsed (cached per value, so a changed setting applies)."""
    networks = []
    for entry in entries:
        if not entry.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from None
    return tuple(networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address, normalised; "" when the server was not told one.

    Without a trusted proxy in front (the peer is not in `TRUSTED_PROXIES`), `REMOTE_ADDR`.
    Otherwise `X-Forwarded-For` is walked from the right past our own proxies: the first address
    that is not one of them is the client. An entry that is not an address stops the walk at the
    last hop we trust (a proxy we run never writes one: it came from further left)."""
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return ""
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    client = peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for entry in reversed(forwarded):
        if not any(client in network for network in networks):
            break
        hop = parse_address(entry)
        if hop is None:
            break
        client = hop
    return str(client)


def network_of(ip: str) -> str:
    """What a limit counts: the address itself for IPv4, its /64 for IPv6 (one subscriber holds
    a whole /64 and may use any address in it). "" for no address."""
    address = parse_address(ip)
    if address is None:
        return ""
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{IPV6_LIMIT_PREFIX}", strict=False))
    return str(address)


class ClientIpAuditlogMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware with our client address: its own takes the LEFT-most entry
    of `X-Forwarded-For` from anyone, so a client chose the address written into the audit log
    (and a non-address there broke the saving of the audit entry on PostgreSQL's `inet`)."""

    @staticmethod
    def _get_remote_addr(request):
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return client_ip(request) or None

    @staticmethod
    def _get_remote_port(request) -> int | None:
        """The client's source port when it speaks to us directly; behind a proxy it is not
        known (`X-Forwarded-Port` is the port the proxy listens on, and forgeable)."""
        peer = parse_address(request.META.get("REMOTE_ADDR", ""))
        if peer is None or str(peer) != client_ip(request):
            return None
        try:
            return int(request.META.get("REMOTE_PORT", ""))
        except ValueError:
            return None
