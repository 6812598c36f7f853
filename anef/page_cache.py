"""Signed-in pages kept in the cache, invalidated by every committed write to a table they read
(issue 8, "Load").

The applicant dashboard, the agent queue and the ticket console are read far more often than
what they show changes, and each costs milliseconds of queries and template rendering. A view
decorated with `page_cached` keeps its rendered page in the cache, per person and per address,
and serves it again only while **no table the page was built from has been written since**.

How a stale page is never served:

- **every write is seen.** An execute wrapper on every database connection (`track_statements`,
  installed by `AnefConfig.ready`) reads the verb and table of each statement Django sends:
  ORM saves and deletes, `update()`, `bulk_create()`, raw SQL alike. When the write commits
  (at once in autocommit; on commit inside a transaction, so a rolled-back write changes
  nothing) the table's **token**, a random value in the cache, is replaced by a new one. A
  statement that is neither a read nor a plain write (DDL, `TRUNCATE`, `COPY`…) replaces the
  **epoch**, which every page depends on;
- **every read is seen.** While a cached view runs, the same wrapper notes the tables each
  `SELECT` reads (`FROM` and `JOIN`, subqueries included); the user's own table is always one
  (the middleware loaded the user before the view). A read the wrapper cannot name a table for
  makes the page one that is never kept;
- **tokens are read before the data.** The page is stored with the tokens of the tables it
  read, as they were *before* the view queried the database (one round trip to the cache reads
  them together with the page). A write that commits during the render moves a token on, and
  the page kept under the old one is never served. A table the view read for the first time in
  this process had no token read beforehand: that page is not kept (the next one is);
- **what is not in the database is in the key**: the view, the user, the person a helper acts
  for, the full address (filters, page number), the language and today's date. Pages that change
  with the time of day (the console's late tickets) change at most `PAGE_TIMEOUT` late;
- **nothing else is kept**: only `GET` answers 200 with no cookie set and no message waiting,
  from a render that wrote nothing and did not change the session, outside any transaction
  (a page built from rows not yet committed is never kept). A missing token (evicted, Redis
  restarted) comes back as a new random value, never an old one. The CSRF token is rendered as
  a placeholder and replaced by the visitor's own when served.

Authorization is unaffected: the decorator sits inside the view's access checks, which run on
every request, cached or not. Pages expire after `PAGE_TIMEOUT` seconds, which bounds how long
a write Django does not see (by hand in `psql`), a template deployed, or a write whose token
could not be moved during a cache outage, takes to show. When the cache is down every read
misses and the page is rendered as before.

The cache therefore holds personal data (the pages), for a minute at most: Redis must be as
private as the database (docs/docker-compose.md).
"""

import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# Seconds: the bound on how long a change the tokens cannot see takes to show.
PAGE_TIMEOUT = 60
# A token lasts a day; the next one is a new random value, so no page kept under the old one
# is served again.
TOKEN_TIMEOUT = 24 * 3600
# What `{% csrf_token %}` renders in a kept page, replaced by the visitor's own token.
CSRF_PLACEHOLDER = "anef-page-csrf-placeholder-9d41a7"
REQUEST_FLAG = "_anef_page_cache_rendering"

_TABLE_KEY = "pages:table:%s"
_EPOCH_KEY = "pages:epoch"
_PAGE_KEY = "pages:page:%s"
MAX_QUERY_VALUE = 32
# Tables no kept page depends on: the session (what a page takes from it is in the key, or the
# page is not kept). Their writes move no token, their reads are not noted.
_IGNORED_TABLES = frozenset({"django_session"})

_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_READ_VERBS = (
    "SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN", "SET", "SHOW", "EXPLAIN",
    "PRAGMA",
)  # fmt: skip
_FROM_OR_JOIN = re.compile(r'\b(?:FROM|JOIN)\s+(?:"(\w+)"|(\())?', re.IGNORECASE)


@dataclass
class Reads:
    """What the cached view running in this context has read and written."""

    tables: set[str] = field(default_factory=set)
    unnamed_read: bool = False
    wrote: bool = False


_reads: ContextVar[Reads | None] = ContextVar("anef_page_cache_reads", default=None)


# --- Writes and reads seen on every connection ---------------------------------------------------


def fresh_token() -> int:
    """A value no earlier token had: random (62 bits), not the clock, which two processes may
    read alike and a test may stop."""
    return secrets.randbits(62)


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


def _tokens_replace(tables: set[str]) -> None:
    try:
        cache.set_many(
            {_TABLE_KEY % table: fresh_token() for table in tables}, timeout=TOKEN_TIMEOUT
        )
    except Exception:  # the write is done; its pages expire within PAGE_TIMEOUT
        logger.exception("Page cache: the tokens of %s could not be moved on", sorted(tables))


def _epoch_replace() -> None:
    try:
        cache.set(_EPOCH_KEY, fresh_token(), timeout=TOKEN_TIMEOUT)
    except Exception:  # as above
        logger.exception("Page cache: the epoch could not be moved on")


def _on_commit(connection, key: tuple, action: Callable[[], None]) -> None:
    """`action` when the transaction commits, once per `key` and savepoint: a callback already
    registered at this level or an enclosing one is still pending (a rolled-back savepoint drops
    its own callbacks, and its keys then no longer match the savepoints in force)."""
    registered = connection.__dict__.setdefault("_anef_page_cache_pending", set())
    if not connection.run_on_commit:
        registered.clear()  # no callback pending: a new transaction
    savepoints = tuple(connection.savepoint_ids)
    if any((key, savepoints[:depth]) in registered for depth in range(len(savepoints) + 1)):
        return
    registered.add((key, savepoints))
    connection.on_commit(action, robust=True)


def _written(connection, tables: set[str] | None) -> None:
    """Tables written by a statement (None: something else changed, e.g. the schema): their
    tokens move on when it commits."""
    action = (lambda: _tokens_replace(tables)) if tables is not None else _epoch_replace
    if connection.in_atomic_block:
        key = ("epoch",) if tables is None else tuple(sorted(tables))
        _on_commit(connection, key, action)
    else:
        action()


def _note_reads(reads: Reads, sql: str) -> None:
    for table, subquery in _FROM_OR_JOIN.findall(sql):
        if table:
            reads.tables.add(table)
        elif not subquery:
            reads.unnamed_read = True


def track_statements(connection):
    """The execute wrapper of `connection` (see the module's docstring)."""

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        reads = _reads.get()
        write = _WRITE.match(sql)
        if write is not None:
            if write.group(1) not in _IGNORED_TABLES:
                _written(connection, {write.group(1)})
            if reads is not None:
                reads.wrote = True
        elif sql.lstrip()[:9].upper().startswith(_READ_VERBS):
            if reads is not None:
                _note_reads(reads, sql)
        else:
            _written(connection, None)
            if reads is not None:
                reads.wrote = True
        return result

    wrapper.anef_page_cache = True
    return wrapper


def install(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: the wrapper on each connection, once."""
    if not any(getattr(w, "anef_page_cache", False) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(track_statements(connection))


# --- The cached view -------------------------------------------------------------------------


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


def _message_waiting(request: HttpRequest) -> bool:
    """A message to show once (an emptied cookie, as a client may still send it, holds none)."""
    return bool(request.COOKIES.get(CookieStorage.cookie_name)) or (
        SessionStorage.session_key in request.session
    )


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_ENABLED
        and request.method == "GET"
        and _reads.get() is not None
        and request.user.is_authenticated
        and not _message_waiting(request)
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    )


def _tokens(keys: list[str], found: dict) -> dict[str, int | None]:
    """Current tokens of `keys` (from `found`, else a new random one, or another request's)."""
    return {
        key: found[key] if found.get(key) is not None else token_started(key, TOKEN_TIMEOUT)
        for key in keys
    }


def _served(request: HttpRequest, body: bytes, headers: list[tuple[str, str]]) -> HttpResponse:
    response = HttpResponse(with_csrf_token(request, body))
    for name, value in headers:
        response[name] = value
    return response


# Per view and process: the token keys of the tables its pages were read from, fetched with
# the page.
_known_token_keys: dict[str, frozenset[str]] = {}


def _bounded_query(request: HttpRequest, query: frozenset[str]) -> bool:
    """The address's parameters are among `query` (any other is empty), with short values: the
    pages a person can make the cache keep are as many as the filters' choices, not as many as
    the texts they could type (a search is rendered every time)."""
    return all(
        not value or (name in query and len(value) <= MAX_QUERY_VALUE)
        for name, values in request.GET.lists()
        for value in values
    )


def page_cached(*, query: tuple[str, ...] = ()) -> Callable[[Callable], Callable]:
    """Keep the pages of the decorated view in the cache (see the module's docstring), for its
    address without parameters and with the parameters named in `query` (filters with a choice
    of values, the page number). Put it innermost, under the view's access checks, which must
    run on every request."""
    allowed = frozenset(query)

    def decorate(view: Callable) -> Callable:
        view_name = f"{view.__module__}.{view.__qualname__}"

        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not (_cacheable_request(request) and _bounded_query(request, allowed)):
                return view(request, *args, **kwargs)
            return _page(request, view_name, lambda: view(request, *args, **kwargs))

        wrapped.anef_page_cached = True
        return wrapped

    return decorate


def _page(request: HttpRequest, view_name: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The kept page if every token it was kept under is current; else `render()`, kept when
    it may be."""
    reads = _reads.get()
    reads.tables.add(get_user_model()._meta.db_table)
    known = _known_token_keys.get(view_name, frozenset())
    page_key = _page_key(request, view_name)
    token_keys = [_EPOCH_KEY, *sorted(known)]
    # Read before the database: a write committed after this moves a token on.
    found = cache.get_many([page_key, *token_keys])
    entry = found.get(page_key)
    tokens = _tokens(token_keys, found)
    if entry is not None:
        kept_tokens, body, headers = entry
        missing = [key for key in kept_tokens if key not in tokens]
        if missing:  # tables read by another process's render: this one fetches them too now
            _known_token_keys[view_name] = known | {key for key in missing if key != _EPOCH_KEY}
            current = {**tokens, **_tokens(missing, cache.get_many(missing))}
        else:
            current = tokens
        if all(current[key] == token for key, token in kept_tokens.items()):
            return _served(request, body, headers)

    setattr(request, REQUEST_FLAG, True)
    try:
        response = render()
    finally:
        delattr(request, REQUEST_FLAG)
    tables = reads.tables - _IGNORED_TABLES
    table_keys = {_TABLE_KEY % table for table in tables}
    if not table_keys <= known:
        _known_token_keys[view_name] = known | table_keys  # a new set: other threads may read it
    keep = (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not reads.unnamed_read
        and not reads.wrote
        and not request.session.modified
        and None not in tokens.values()
        and table_keys <= tokens.keys()
    )
    content = response.content
    if keep:
        kept_tokens = {key: tokens[key] for key in [_EPOCH_KEY, *table_keys]}
        headers = list(response.items())
        cache.set(page_key, (kept_tokens, content, headers), timeout=PAGE_TIMEOUT)
    response.content = with_csrf_token(request, content)
    return response


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: while a cached view renders, `{% csrf_token %}` writes the placeholder
    (this processor runs after Django's own `csrf`, so its value wins)."""
    if getattr(request, REQUEST_FLAG, False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


class PageCacheMiddleware:
    """Notes the tables a cached view reads (its decorator and theirs included), for this
    request only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request._anef_page_cache_token = None
        try:
            return self.get_response(request)
        finally:
            token = request._anef_page_cache_token
            if token is not None:
                _reads.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "anef_page_cached", False):
            request._anef_page_cache_token = _reads.set(Reads())
