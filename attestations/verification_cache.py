"""The rendered verification page (`/verify/<number>/`), kept in the cache (issue 8, "Load").

An employer's phone opens the same address again and again (the QR code of one attestation);
each time the page used to look the attestation up, check the Ed25519 signature of the code and
render the templates. The rendered body is kept in the Django cache:

- under a key made of the attestation's number, the full path (signed code `?t=` and any other
  parameter), the language, today's date (the status is computed "as of today") and the public
  keys (a rotation changes the signature check);
- with the attestation's **generation** it was rendered under: a random value kept in the
  cache that every change of the attestation's chain replaces by a fresh one (`generation_bump`,
  called by `attestations.services` where attestation rows are written, at once and on commit,
  every number of a batch in one round trip). A page is served only if its generation is the
  current one, so a stale page is never served. A missing generation (evicted, Redis restarted)
  is created afresh with a random value, never read as an old one. The generation and the page
  are read in one round trip;
- for `PAGE_TIMEOUT` at most, so that a deployment that changes the templates shows its pages
  within minutes.

Only what is the same for every visitor is cached: the page of an anonymous visitor (no session
cookie, no pending message). The CSRF token of the language switch is rendered as a placeholder
and replaced by the visitor's own token when served. Rate limiting runs before this (the view's
decorator); share codes, whose every consultation is logged for the holder, are never cached.
When the cache is down (anef/cache.py), every read misses and the page is rendered as before.
"""

import hashlib
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from anef.page_cache import CSRF_PLACEHOLDER, fresh_token, token_started, with_csrf_token
from attestations import signing

# Minutes, not hours: the bound on how long a deployment's template change takes to show.
PAGE_TIMEOUT = 600
# A generation lasts an hour, so that those of attestations nobody checks any more leave the cache;
# the next one is a new random value, so no page kept from before is ever served under it.
GENERATION_TIMEOUT = 6 * PAGE_TIMEOUT
_GENERATION_KEY = "verify:generation:%s"
_PAGE_KEY = "verify:page:%s:%s"


def _generation_key(number: str) -> str:
    return _GENERATION_KEY % number


def _generation_bump_now(numbers: Iterable[str]) -> None:
    """A fresh random value for each (never an earlier one), all in one round trip: a sweep
    batch moves on about a thousand numbers, which one `incr` each (and a `set` for each
    number without a counter yet) made into 2,000 to 4,000 round trips."""
    cache.set_many(
        {_generation_key(number): fresh_token() for number in numbers},
        timeout=GENERATION_TIMEOUT,
    )


def generation_bump(numbers: Iterable[str]) -> None:
    """Every cached page of these attestations is outdated: at once, and again when the current
    transaction commits (a visitor who rendered the page between the two, from the rows not yet
    committed, kept it under a generation that is then already past)."""
    numbers = sorted(set(numbers))
    if not numbers:
        return
    _generation_bump_now(numbers)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _generation_bump_now(numbers), robust=True)


def _keys_digest() -> str:
    """The public keys that check signed codes (current and retired)."""
    return repr(sorted(signing.public_keys().items()))


def is_cacheable(request: HttpRequest) -> bool:
    """Anonymous, with no message waiting: the page is the same for everyone."""
    # An emptied cookie, as a client may still send it after the server deleted it, holds
    # neither a session nor a message.
    return not (
        request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        or request.COOKIES.get(CookieStorage.cookie_name)
    )


def _page_key(request: HttpRequest, number: str) -> str:
    variant = "\n".join(
        [
            request.get_full_path(),
            get_language() or "",
            timezone.localdate().isoformat(),
            _keys_digest(),
        ]
    )
    digest = hashlib.sha256(variant.encode()).hexdigest()[:32]
    return _PAGE_KEY % (number, digest)


def _served(request: HttpRequest, body: bytes, content_type: str) -> HttpResponse:
    """The cached body with this visitor's CSRF token (and its cookie, as on a rendered page)."""
    body = with_csrf_token(request, body)
    # The rendered page asks whether the visitor is signed in (the header): so does this one,
    # which gives the response the same `Vary: Cookie`.
    request.user.is_authenticated  # noqa: B018
    return HttpResponse(body, content_type=content_type)


def page_cached(
    request: HttpRequest, number: str, render_page: Callable[[dict], HttpResponse]
) -> HttpResponse:
    """The verification page of `number`, from the cache when it holds it for the current
    generation; else rendered by `render_page(extra_context)` and, if it is the result page
    (200), kept for the next visitor. `extra_context` must be passed to the template's context
    (the CSRF placeholder). One round trip to the cache reads both the generation and the page.
    """
    if not is_cacheable(request):
        return render_page({})
    generation_key, page_key = _generation_key(number), _page_key(request, number)
    # Read before the database: a change committed after it moves the generation on.
    found = cache.get_many([generation_key, page_key])
    current = found.get(generation_key)
    if current is None:
        # A generation for an attestation that has none (never checked, or evicted).
        current = token_started(generation_key, GENERATION_TIMEOUT)
        if current is None:  # evicted again at once: render, keep nothing
            return render_page({})
    entry = found.get(page_key)
    if entry is not None and entry[0] == current:
        _generation, body, content_type = entry
        return _served(request, body, content_type)
    response = render_page({"csrf_token": CSRF_PLACEHOLDER})
    if response.status_code != 200:
        # Not the result page (not found): never kept, rendered for each visitor.
        response.content = with_csrf_token(request, response.content)
        return response
    content_type = response["Content-Type"]
    cache.set(page_key, (current, response.content, content_type), timeout=PAGE_TIMEOUT)
    return _served(request, response.content, content_type)
