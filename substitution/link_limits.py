"""A limit on the wrong keys tried on the pages opened by a link without an account (issue 21):
the one-click cancel of an appointment and the offer of an earlier place. Their key is the only
door to a booking.

A key is 64 bits of an HMAC (substitution/cancel_links.py), far beyond guessing; this limit
keeps scanners from trying anyway, and floods from costing a query each. Only *refused* keys
count (a 404), per client network (anef/client_ip.py, an IPv6 client by its /64), in the
project's one window counter (anef/cache.py, Redis in production: fails open while Redis is
down). Past `settings.SUBSTITUTION_LINK_REFUSAL_LIMITS["PER_IP"]` refusals in the window, every
request of that client on these pages is answered 429 (the generic page: wait, or reach a
person) until the window ends, a valid key included: otherwise a guesser would still learn
which of its keys is right. People behind one shared address who open their own links are never
counted.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from anef.cache import count_in_window
from anef.client_ip import client_ip
from substitution.selectors import network_fingerprint


def _key(request: HttpRequest) -> str:
    """The client's network, by its keyed hash (`network_fingerprint`, as the self-service
    cases count it)."""
    fingerprint = network_fingerprint(client_ip(request)) or "unknown"
    return f"substitution:link-refusals:{fingerprint}"


def _over_limit(key: str) -> bool:
    return (cache.get(key) or 0) >= settings.SUBSTITUTION_LINK_REFUSAL_LIMITS["PER_IP"]


def _count_refusal(key: str) -> None:
    count_in_window(key, settings.SUBSTITUTION_LINK_REFUSAL_LIMITS["WINDOW_SECONDS"])


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(settings.SUBSTITUTION_LINK_REFUSAL_LIMITS["WINDOW_SECONDS"])
    add_never_cache_headers(response)
    return response


def refusals_limited(view: Callable) -> Callable:
    """Decorator of a view that takes a link's key: 429 once the client is over the limit, and
    one more refusal counted for each key the view does not find (Http404 or a 404)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = _key(request)
        if _over_limit(key):
            return _too_many(request)
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            _count_refusal(key)
            raise
        if response.status_code == 404:
            _count_refusal(key)
        return response

    return wrapped
