"""Rate limits on the public verification pages and endpoints (DESIGN.md §4: "public,
rate-limited").

Numbers and share codes are random enough not to be guessed one by one, but a public page that
answers with a person's name must not be scraped: each client (by IP address) gets a number of
requests per period and scope, set in `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`:

- `verify`: the JSON endpoints for organisations (DRF throttling);
- `verify_page`: the HTML verification page;
- `share_code`: typing a share code (stricter: it is the one secret a visitor may try to guess).

The client is `anef.client_ip.client_ip`, as for every other limit of the site.

The same cache-based counter serves DRF views and plain Django views; the IP address only
appears hashed in cache keys. The count is kept per window, which begins with a client's first
request and lasts the rate's period (`anef.cache.count_in_window`: one Redis round trip per
request, instead of DRF's list of every request's time read and written back).
"""

import hashlib
import hmac
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from anef.cache import count_in_window
from anef.client_ip import client_ip, network_of

SCOPE_API = "verify"
SCOPE_PAGE = "verify_page"
SCOPE_SHARE_CODE = "share_code"


class PerIpRateThrottle(SimpleRateThrottle):
    """A scoped rate per client IP address, signed in or not (verifiers have no account).

    Unlike DRF's `ScopedRateThrottle`, the rates are read at each request, so that a changed
    setting (a deployment, a test) applies at once. In a DRF view the scope is the view's
    `throttle_scope`; elsewhere it is given to the constructor.
    """

    cache_format = "throttle_%(scope)s_%(ident)s"

    def __init__(self, scope: str | None = None):
        # SimpleRateThrottle.__init__ would read the rate before the scope is known.
        self.scope = scope

    def get_rate(self) -> str | None:
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        try:
            return rates[self.scope]
        except KeyError:
            raise ImproperlyConfigured(
                f"No rate for the throttle scope {self.scope!r} in "
                "REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']."
            ) from None

    def allow_request(self, request, view) -> bool:
        if view is not None:
            self.scope = getattr(view, "throttle_scope", None) or self.scope
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        return count_in_window(self.key, self.duration) <= self.num_requests

    def wait(self) -> float:
        """At most the whole period: the window began with an earlier request."""
        return float(self.duration)

    def get_ident(self, request) -> str:
        """The client's network (anef/client_ip.py: X-Forwarded-For read only as far as our
        own proxies wrote it; an IPv6 client counted by its /64). Every throttle of the API
        derives from this class or calls this method, never DRF's own `NUM_PROXIES` reading."""
        return network_of(client_ip(request))

    def get_cache_key(self, request, view) -> str:
        ident = self.get_ident(request)
        digest = hmac.new(settings.SECRET_KEY.encode(), ident.encode(), hashlib.sha256)
        return self.cache_format % {"scope": self.scope, "ident": digest.hexdigest()[:32]}


def too_many_requests(request: HttpRequest, wait: float | None) -> HttpResponse:
    """429 in plain words: how long to wait, and that nothing is wrong with the attestation."""
    seconds = max(1, round(wait)) if wait else 60
    response = render(
        request,
        "attestations/verify/rate_limited.html",
        {"wait_seconds": seconds},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response


def rate_limited(scope: str, methods: tuple[str, ...] | None = None) -> Callable:
    """Decorator for HTML views: over the scope's rate, answer 429 instead of the page.
    `methods` limits the count to some methods (e.g. only the POST that tries a code)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if methods is None or request.method in methods:
                throttle = PerIpRateThrottle(scope)
                if not throttle.allow_request(request, None):
                    return too_many_requests(request, throttle.wait())
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
