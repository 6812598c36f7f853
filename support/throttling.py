"""Rate limits of the public contact form, counted in Django's cache (Redis in production).

No visual captcha: it blocks the very people who need the form (poor sight, a phone borrowed,
little French). A honeypot field stops simple robots; these counters stop floods, per client
address and per e-mail address, with a clear message and HTTP 429.
"""

import hashlib

from django.conf import settings

from anef.cache import count_in_window

# One client address for every limit (anef/client_ip.py); still importable from here.
from anef.client_ip import client_ip, network_of

__all__ = ["client_ip", "contact_allowed"]


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"support:contact:{kind}:{digest}"


def _hit(key: str, limit: int, window: int) -> bool:
    """Count one request; True while the count is within the limit (and while Redis is down:
    anef/cache.py)."""
    return count_in_window(key, window) <= limit


def contact_allowed(*, ip: str, email: str) -> bool:
    """Count this request against the client's address (its /64 for IPv6) and the e-mail
    address given; False when either is over its limit within the window
    (settings.SUPPORT_CONTACT_RATE_LIMITS)."""
    limits = settings.SUPPORT_CONTACT_RATE_LIMITS
    window = limits["WINDOW_SECONDS"]
    allowed = _hit(_key("ip", network_of(ip) or "unknown"), limits["PER_IP"], window)
    if email:
        allowed = _hit(_key("email", email), limits["PER_EMAIL"], window) and allowed
    return allowed
