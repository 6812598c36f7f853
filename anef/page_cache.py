"""Signed-in pages kept in the cache, keyed by the generations of what they show (issues 8 and 19,
"Load").

The applicant dashboard, the agent queue and the ticket console are read far more often than
what they show changes, and each costs milliseconds of queries and template rendering. A view
decorated with `page_cached` keeps its rendered page in the cache, per person and per address,
together with the **generations** (anef/generations.py) of the scopes it was built from, and
serves it again only while each of them is still current:

- the dashboard depends on the person signed in and on the person a helper acts for
  (`person_pages`): a change to that person's dossiers, attestations, tickets, substitution
  cases, mandates or address moves it on, and nobody else's;
- the agent queue depends on its prefecture's **listing** (`prefecture_queue`: which filed
  dossiers it lists and in which order; for a page filtered by status, also the statuses of the
  prefecture's dossiers) and on **the rows it shows** (`rows_shown`, one generation per row,
  its applicant's). A write to a dossier moves on only the pages showing its row; a filing, a
  transfer or a move from a draft moves on every page of the queue (anef/generations.py);
- the ticket console depends on the console (`console_queue`): any ticket change moves it on.

Why rows, and not the prefecture alone: at the load bench's 10 dossier writes a second, 8 of
them in Paris, the prefecture's generation moved 8 times a second and Paris's queue was outdated
before most renders were over (7–10 % of the ceiling). A page of 25 rows out of Paris's 300
now moves on for the writes to its own rows (about one in twelve) and for the changes of the
list itself. The price: a rendered page costs a second query (the page's rows first, their
generations read, then their columns); a kept one reads its rows' generations in the same
`get_many` as the page, through a per-process hint of which keys the page had (`_row_hints`:
which keys to ask for, never a value), and in a second one the first time a process sees it.
A page whose scopes are current and whose rows alone moved is rendered at once without the
lock (its frame is kept: only the moved rows are rendered, cheaper than a wait), and the
generations a request read first are handed to the parts (`REQUEST_KNOWN`) instead of being
read again: 5 round trips for such a miss instead of 13 (bench/queue_cache_profile.py).

Parts of a page (issue 19, the queue): a page thrown away may still reuse what did not change.
`kept_part` keeps a value the view computes (the queue's frame: everything but its rows) under
generations of its own, read before the data as for a page; `kept_rows` keeps each row's HTML
under its row's generation (read by `rows_shown`) and the generations every row shows (the
agent's own). A write to one row of a kept queue page then renders that row alone. Parts are
only kept while a cached render runs (the same rules: no message, no search, no transaction).

The services bump these generations when their transaction commits; nothing here reads SQL. A
sign-in (`last_login`) or the hourly sweep therefore no longer throws every kept page away: the
sweep bumps once per batch only the people whose attestations changed.

How a stale page is never served:

- **generations are read before the data**, in the same round trip as the page. A change that
  commits during the render bumps after that read, and the page kept under the old value is
  never served. The rows' generations cannot be read before the render knows its rows: the view
  reads which rows it shows (a query of their ids, under the listing's generation read first),
  then their generations (`rows_shown`), then their columns. A change to a row committed after
  its generation was read bumps after it; one committed before is in the columns read;
- **what is not a generation is in the key**: the view, the user, the person a helper acts for,
  the full address (filters, page number), the language and today's date. Pages that change with
  the time of day (the console's late tickets) change at most `PAGE_TIMEOUT` late;
- **nothing else is kept**: only `GET` answers 200 with no cookie set, no message waiting, not
  marked never-cache, from a render that did not change the session, outside any transaction (a
  page built from rows not yet committed is never kept). A missing generation (evicted, Redis
  restarted) comes back as a new random value, never an old one. The CSRF token is rendered as
  a placeholder and replaced by the visitor's own when served.

One render per stale page (single flight): when a page is missing or outdated, the request that
takes the page's lock (`cache.add`, `LOCK_TIMEOUT` seconds) renders it; the others asking for the
same page (same key: same view, person, address, language, day) poll the cache for up to
`WAIT_SECONDS` and serve its copy if each generation it was kept under is the one they read
first or the one current when they poll (a generation's value never comes back, so either
way no change of that scope was bumped between the copy's read and theirs), or if it was kept
by a render that took the lock after they read (the same rule as a kept page served at once:
never a copy older than what they read). A render
holding the lock reads the generations again once it holds it and keeps its lock's token with
its copy; a waiting request trusts every token but the lock's and the copy's it found at its
first look (read in the same round trip as its generations). Without that third rule, under a
steady flow of changes (Paris's queue, bumped 8 times a second by the load bench) a change
committed during nearly every render sent the waiting requests past each copy until their wait
was over, and they all rendered (p50 1.1–2.1 s). If the lock is released without a copy they
can serve (a page not kept), one of them takes it and renders; when the wait is over they
render themselves. A render that outlasts its lock (`LOCK_TIMEOUT`) keeps its copy without its
token. A lock holder that dies blocks nobody longer than the wait, and its lock
expires. Without the lock, after each bump every visitor of the page rendered it at once: at
eight bumps a second, Paris's queue was rendered by all its visitors all the time.

Authorization is unaffected: the decorator sits inside the view's access checks, which run on
every request, cached or not. Pages expire after `PAGE_TIMEOUT` seconds, which bounds how long a
change that no service bumps for (a write by hand in `psql` or the admin, a template deployed, a
name changed by the account pages, a bump lost in a cache outage) takes to show. When the cache is
down every read misses and the page is rendered as before.

The cache therefore holds personal data (the pages), for a minute at most: Redis must be as
private as the database (docs/docker-compose.md).
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import get_max_age
from django.utils.translation import get_language

from anef import generations

# Seconds: the bound on how long a change no service bumps for takes to show.
PAGE_TIMEOUT = 60
# What `{% csrf_token %}` renders in a kept page, replaced by the visitor's own token.
CSRF_PLACEHOLDER = "anef-page-csrf-placeholder-9d41a7"
REQUEST_FLAG = "_anef_page_cache_rendering"
# On the request while a cached view renders: the generations of the rows it shows, read by
# `rows_shown` before their columns.
REQUEST_ROWS = "_anef_page_cache_rows"
# On the request while a cached view renders: generations this request has already read, before
# any of the page's data (its scopes', and for a render without the lock its rows'), which
# `rows_shown`, `kept_part` and `kept_rows` take instead of reading them again.
REQUEST_KNOWN = "_anef_page_cache_known"
# Per process: the rows' generation keys of each page as last kept or seen, so that a kept
# page's rows are read in the same round trip as the page (a hint of which keys to ask for,
# never a value: what is served is decided on the values read). Emptied when it grows past this.
_row_hints: dict[str, tuple[str, ...]] = {}
MAX_ROW_HINTS = 4096

# v2: copies kept with their rows' generations (a copy of the earlier format is never read).
_PAGE_KEY = "pages:page:v2:%s"
_LOCK_KEY = "pages:lock:v2:%s"
_PART_KEY = "pages:part:v1:%s"
MAX_QUERY_VALUE = 32
# Seconds: how long the lock of a page being rendered lasts if its holder never releases it (a
# process killed mid-render); longer than a render, short enough that a lost lock does no harm.
LOCK_TIMEOUT = 5
# Seconds: how long a request waits for the copy another request is rendering, before it
# renders the page itself; and the pauses between its looks at the cache.
WAIT_SECONDS = 1.5
POLL_FIRST = 0.005
POLL_MAX = 0.05


# --- Shared with the verification page (attestations/verification_cache.py) ---------------------


def fresh_token() -> int:
    """A value no earlier token had: random (62 bits), not the clock, which two processes may
    read alike and a test may stop."""
    return generations.fresh()


def token_started(key: str, timeout: int) -> int | None:
    """The token under `key`, for a key that had none (never used, or evicted): a fresh value,
    or the one another request has just set. With the cache down, a fresh value that nothing
    keeps (the page is then rendered, and its copy dropped); None if it vanished at once."""
    fresh = fresh_token()
    if cache.add(key, fresh, timeout=timeout):
        return fresh
    return cache.get(key)


def with_csrf_token(request: HttpRequest, body: bytes) -> bytes:
    """A kept page's body with the visitor's own CSRF token in place of the placeholder."""
    return body.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())


# --- What each cached page depends on ------------------------------------------------------------


def person_pages(request: HttpRequest) -> list[str]:
    """The person signed in and, for a helper, the person they act for."""
    subject = getattr(request, "portal_subject", None)
    people = {request.user.pk} | ({subject.pk} if subject is not None else set())
    return [generations.person_key(pk) for pk in sorted(people)]


def prefecture_queue(request: HttpRequest) -> list[str]:
    """Which dossiers of the agent's prefecture are listed and in which order; and, for a page
    filtered by status, their statuses. The rows shown are told by the view (`rows_shown`)."""
    prefecture_id = request.user.prefecture_id
    keys = [generations.prefecture_key(prefecture_id)]
    if request.GET.get("status"):
        keys.append(generations.prefecture_statuses_key(prefecture_id))
    return keys


def rows_shown(request: HttpRequest, keys: list[str]) -> None:
    """The page being rendered shows the rows of these generations: read them now, before the
    view reads the rows' columns (after it has read which rows it shows), and keep the page
    under them too. Outside a cached render (not kept, cache off), nothing."""
    rows = getattr(request, REQUEST_ROWS, None)
    if rows is None or not keys:
        return
    rows.update(_known_or_read(request, list(keys)))


def _known_or_read(request: HttpRequest, keys: list[str], also: tuple[str, ...] = ()) -> dict:
    """The generations `keys`, those this request already read (`REQUEST_KNOWN`) as they were
    then, the others read now in one round trip with the cache keys `also` (whose values, when
    found, come back under their keys too). Read earlier is never newer than the data read
    after: a page kept under it is at worst outdated sooner."""
    known = getattr(request, REQUEST_KNOWN, {})
    values = {key: known[key] for key in keys if known.get(key) is not None}
    missing = [key for key in dict.fromkeys(keys) if key not in values]
    if not missing and not also:
        return values
    found = cache.get_many([*also, *missing])
    values.update(generations.current(missing, found))
    values.update({key: found[key] for key in also if key in found})
    return values


# --- Parts of a page kept on their own (the queue's listing and rows, issue 19) -------------------


def _part_key(request: HttpRequest, *parts: str) -> str:
    variant = "\n".join(
        [str(request.user.pk), get_language() or "", timezone.localdate().isoformat(), *parts]
    )
    return _PART_KEY % hashlib.sha256(variant.encode()).hexdigest()


def kept_part(request: HttpRequest, name: str, keys: list[str], compute: Callable[[], object]):
    """What `compute()` gives for this page (its address, the person, the language, the day),
    kept apart from the page under the generations `keys`: the queue's listing (which rows, how
    many) survives a write to one of its rows, which throws the page away. The generations are
    read before `compute()` reads the data, as for a page. Outside a cached render, computed."""
    if not getattr(request, REQUEST_FLAG, False):
        return compute()
    key = _part_key(request, name, request.get_full_path())
    found = _known_or_read(request, keys, also=(key,))
    current = {generation: found[generation] for generation in keys}
    entry = found.get(key)
    if entry is not None and entry[0] == current:
        return entry[1]
    value = compute()
    if None not in current.values():
        cache.set(key, (current, value), timeout=PAGE_TIMEOUT)
    return value


def kept_rows(
    request: HttpRequest,
    rows: dict[int, str],
    render: Callable[[list[int]], dict[int, str]],
    *,
    depends_on: list[str] = (),
) -> dict[int, str]:
    """The HTML of each row (`rows`: row id → the generation key of its row, already read by
    `rows_shown`), kept per row under that generation and the generations `depends_on` (those
    every row shows, e.g. the agent's own), for the person, language and day. `render(ids)`
    renders the rows missing, reading their data after their generations were read. A write to
    one row renders that row again, and no other. Outside a cached render, all rendered."""
    read = getattr(request, REQUEST_ROWS, None)
    if read is None or not getattr(request, REQUEST_FLAG, False):
        return render(list(rows))
    shared = _known_or_read(request, list(depends_on)) if depends_on else {}
    if None in shared.values():
        return render(list(rows))
    common = repr(sorted(shared.items()))
    keys = {}
    for row, generation_key in rows.items():
        generation = read.get(generation_key)
        if generation is not None:
            keys[row] = _part_key(request, "row", str(row), str(generation), common)
    found = cache.get_many(list(keys.values())) if keys else {}
    html = {row: found[key] for row, key in keys.items() if key in found}
    missing = [row for row in rows if row not in html]
    if missing:
        fresh = render(missing)
        html.update(fresh)
        to_keep = {keys[row]: fresh[row] for row in missing if row in keys and row in fresh}
        if to_keep:
            cache.set_many(to_keep, timeout=PAGE_TIMEOUT)
    return html


def console_queue(request: HttpRequest) -> list[str]:
    """The contact centre's tickets."""
    return [generations.console_key()]


# --- The cached view -----------------------------------------------------------------------------


def _page_key(request: HttpRequest, view_name: str) -> str:
    subject = getattr(request, "portal_subject", None)
    variant = "\n".join(
        [
            view_name,
            str(request.user.pk),
            str(subject.pk if subject is not None else ""),
            request.get_full_path(),
            get_language() or "",
            timezone.localdate().isoformat(),
        ]
    )
    return _PAGE_KEY % hashlib.sha256(variant.encode()).hexdigest()


def _lock_key(page_key: str) -> str:
    """The lock of one page (per page: another page, another prefecture's queue, never waits)."""
    return _LOCK_KEY % page_key.rsplit(":", 1)[1]


def _pause(seconds: float) -> None:
    """Between two looks at the cache while another request renders (tests watch it)."""
    time.sleep(seconds)


def _message_waiting(request: HttpRequest) -> bool:
    """A message to show once (an emptied cookie, as a client may still send it, holds none)."""
    return bool(request.COOKIES.get(CookieStorage.cookie_name)) or (
        SessionStorage.session_key in request.session
    )


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_ENABLED
        and request.method == "GET"
        and request.user.is_authenticated
        and not _message_waiting(request)
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    )


def _bounded_query(request: HttpRequest, query: frozenset[str]) -> bool:
    """The address's parameters are among `query` (any other is empty), with short values: the
    pages a person can make the cache keep are as many as the filters' choices, not as many as
    the texts they could type (a search is rendered every time)."""
    return all(
        not value or (name in query and len(value) <= MAX_QUERY_VALUE)
        for name, values in request.GET.lists()
        for value in values
    )


def _never_cache(response: HttpResponse) -> bool:
    """The view said its answer must not be kept (`never_cache`, `no-store`, `no-cache`)."""
    control = response.get("Cache-Control", "").lower()
    return any(word in control for word in ("no-store", "no-cache")) or (get_max_age(response) == 0)


def _served(request: HttpRequest, body: bytes, headers: list[tuple[str, str]]) -> HttpResponse:
    response = HttpResponse(with_csrf_token(request, body))
    for name, value in headers:
        response[name] = value
    return response


def page_cached(
    *, depends_on: Callable[[HttpRequest], list[str]], query: tuple[str, ...] = ()
) -> Callable[[Callable], Callable]:
    """Keep the pages of the decorated view in the cache (see the module's docstring), for its
    address without parameters and with the parameters named in `query` (filters with a choice
    of values, the page number). `depends_on(request)` names the generations the page is built
    from (`person_pages`, `prefecture_queue`, `console_queue`). Put it innermost, under the
    view's access checks, which must run on every request."""
    allowed = frozenset(query)

    def decorate(view: Callable) -> Callable:
        view_name = f"{view.__module__}.{view.__qualname__}"

        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not (_cacheable_request(request) and _bounded_query(request, allowed)):
                return view(request, *args, **kwargs)
            return _page(
                request, view_name, depends_on(request), lambda: view(request, *args, **kwargs)
            )

        wrapped.anef_page_cached = True
        return wrapped

    return decorate


@dataclass(frozen=True)
class _Kept:
    """A kept copy: the generations of the page's scopes and of its rows it was kept under, its
    body and headers, and the token of the lock its render held (None: rendered without the
    lock)."""

    kept_under: dict
    body: bytes
    headers: list
    token: int | None
    rows: dict


def _entry(found: dict, page_key: str) -> _Kept | None:
    entry = found.get(page_key)
    if entry is None:
        return None
    kept_under, body, headers, *rest = entry
    token = rest[0] if rest else None
    rows = rest[1] if len(rest) > 1 else {}
    return _Kept(kept_under, body, headers, token, rows)


def _look(page_key: str, lock_key: str, keys: list[str]) -> tuple[dict, _Kept | None, dict]:
    """The page's copy, its lock and the generations `keys`, and the generations of the rows
    the copy shows, in one round trip when this process has seen the copy's rows before
    (`_row_hints`), else two. A row's generation missing (evicted) is missing from the rows
    read too: the copy is then outdated."""
    hint = _row_hints.get(page_key, ())
    found = cache.get_many([page_key, lock_key, *keys, *hint])
    kept = _entry(found, page_key)
    if kept is None or not kept.rows:
        return found, kept, {}
    if not kept.rows.keys() <= set(hint):
        _hint(page_key, kept.rows)
        return found, kept, cache.get_many(list(kept.rows))
    return found, kept, {key: found[key] for key in kept.rows if key in found}


def _hint(page_key: str, rows: dict) -> None:
    if len(_row_hints) >= MAX_ROW_HINTS:
        _row_hints.clear()
    _row_hints[page_key] = tuple(rows)


def _not_older(kept_under: dict, first: dict, now: dict) -> bool:
    """Each generation a copy was kept under is the one a request read first or the one current
    now: no change of that scope was bumped between the copy's read and the request's."""
    return all(value in (first.get(key), now.get(key)) for key, value in kept_under.items())


def _page(
    request: HttpRequest, view_name: str, keys: list[str], render: Callable[[], HttpResponse]
) -> HttpResponse:
    """The kept page if the generations it was kept under are all current; else the copy
    another request is rendering (single flight, see the module's docstring); else `render()`,
    kept when it may be."""
    page_key = _page_key(request, view_name)
    lock_key = _lock_key(page_key)
    # Read before the database: a change committed after this bumps past these values. The lock
    # is read in the same round trip: whoever holds it now may have read before this request.
    found, kept, first_rows = _look(page_key, lock_key, keys)
    current = generations.current(keys, found)
    if kept is not None and kept.kept_under == current and kept.rows == first_rows:
        return _served(request, kept.body, kept.headers)
    if None in current.values():  # the cache keeps nothing: no copy to wait for
        return _rendered(request, page_key, keys, current, render)
    if kept is not None and kept.kept_under == current and kept.rows:
        # Only rows moved on: the view renders those rows alone (`kept_rows`), which costs
        # less than a wait for another request's render; no lock, nobody waits. The
        # generations read above, before any data, are the ones the page is kept under.
        return _rendered(request, page_key, keys, current, render, known=first_rows)

    # Copies this request must not take on trust: those of renders that may have read the
    # generations before it did (the lock's holder now, the copy kept now, any render without
    # the lock). A copy made under any other lock was read after this request's read.
    untrusted = {None, found.get(lock_key), kept.token if kept is not None else None}
    token = fresh_token()
    deadline = time.monotonic() + WAIT_SECONDS
    pause = POLL_FIRST
    locked = lock_key in found  # by another request, as last seen
    while True:
        if not locked and cache.add(lock_key, token, timeout=LOCK_TIMEOUT):
            try:
                return _rendered(request, page_key, keys, current, render, token=token)
            finally:
                if cache.get(lock_key) == token:  # not one taken after ours expired
                    cache.delete(lock_key)
        if time.monotonic() + pause > deadline:
            break
        _pause(pause)
        pause = min(pause * 2, POLL_MAX)
        found, kept, rows_now = _look(page_key, lock_key, keys)
        if kept is not None:
            now = {key: found.get(key) for key in keys}
            # Kept under what this request read first or what is current now, scope by scope,
            # or by a render that read the generations after this request did (a change
            # committed meanwhile does not send it back to wait): never older than what it read.
            if (
                kept.kept_under.keys() == current.keys()
                and _not_older(kept.kept_under, current, now)
                and _not_older(kept.rows, first_rows, rows_now)
            ) or kept.token not in untrusted:
                return _served(request, kept.body, kept.headers)
        locked = lock_key in found
    return _rendered(request, page_key, keys, current, render)


def _rendered(
    request: HttpRequest,
    page_key: str,
    keys: list[str],
    current: dict,
    render: Callable[[], HttpResponse],
    *,
    token: int | None = None,
    known: dict | None = None,
) -> HttpResponse:
    """`render()`, kept under the generations read before it when it may be (its rows' read by
    the view through `rows_shown`, before their columns). A render holding the page's lock
    (`token`) reads the generations again once it holds it, and keeps its copy with its token:
    requests that were already waiting may then serve that copy even if a change was committed
    while it rendered (it read after them)."""
    if token is not None:
        current = generations.read(keys)
        known = None  # read before the lock: a waiting request may have read after that
    setattr(request, REQUEST_FLAG, True)
    setattr(request, REQUEST_ROWS, {})
    setattr(request, REQUEST_KNOWN, {**(known or {}), **current})
    try:
        response = render()
    finally:
        delattr(request, REQUEST_FLAG)
        delattr(request, REQUEST_KNOWN)
        rows = request.__dict__.pop(REQUEST_ROWS)
    keep = (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not _never_cache(response)
        and not request.session.modified
        and None not in current.values()
        and None not in rows.values()
    )
    content = response.content
    if keep:
        if token is not None and cache.get(_lock_key(page_key)) != token:
            token = None  # our lock expired mid-render: another may have read after us
        cache.set(
            page_key,
            (current, content, list(response.items()), token, rows),
            timeout=PAGE_TIMEOUT,
        )
        if rows:
            _hint(page_key, rows)
    response.content = with_csrf_token(request, content)
    return response


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: while a cached view renders, `{% csrf_token %}` writes the placeholder
    (this processor runs after Django's own `csrf`, so its value wins)."""
    if getattr(request, REQUEST_FLAG, False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}
