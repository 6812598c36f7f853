"""Generations of what the kept pages show (issue 19; anef/page_cache.py reads them).

A generation is a value in the cache per **scope** of data a kept page is built from:

- `person`: everything of one person that their pages show — dossiers, attestations, tickets,
  substitution cases, mandates given or held, identity and address. The applicant dashboard
  depends on the generation of the person signed in and of the person a helper acts for, so a
  helper's view of a person moves on with that person's data;
- `prefecture`: the filed dossiers of one prefecture, as its agents' queue lists them;
- `console`: the contact centre's tickets, as its console lists them (one queue for all agents).

The services that change such data **bump** the scopes they touched, in one line, when their
transaction commits (`transaction.on_commit`: a rolled-back change moves nothing; outside a
transaction at once). Nothing reads SQL, no model signal bumps: a write made behind the services'
back (by hand in `psql`, the admin) shows within `page_cache.PAGE_TIMEOUT`.

A bump replaces the generation by a new random value (62 bits, never the clock, which two
processes may read alike): a page kept under the old value is never served again. A missing
generation (never used, evicted, Redis restarted) is started with a new random value, never an
old one. Pages read the generations before the database: a change committed while a page renders
bumps after the read, and that page, kept under the old value, is never served.

Why per scope and not per table: a sign-in writes `last_login` and the hourly sweep writes many
dossiers; per table, either one threw away every kept page of everyone (issue 19).
"""

import logging
import secrets
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

logger = logging.getLogger(__name__)

# A generation lasts a day without a bump or a read; the next one is a new random value.
TIMEOUT = 24 * 3600

# Which prefectures hold a person's dossiers: told by the app that keeps the dossiers, at start-up
# (`applications.apps.ApplicationsConfig.ready`), since anef imports no domain app.
_person_prefectures: Callable[[int], Iterable[int]] | None = None

_PERSON = "gen:person:%s"
_PREFECTURE = "gen:prefecture:%s"
_CONSOLE = "gen:console"


def fresh() -> int:
    """A value no earlier generation had (random, 62 bits)."""
    return secrets.randbits(62)


# --- Keys ----------------------------------------------------------------------------------------


def person_key(user_id: int) -> str:
    return _PERSON % user_id


def prefecture_key(prefecture_id: int | None) -> str:
    return _PREFECTURE % prefecture_id


def console_key() -> str:
    return _CONSOLE


# --- Bumps (by the services) ---------------------------------------------------------------------


def _bump_now(keys: frozenset[str]) -> None:
    try:
        cache.set_many({key: fresh() for key in keys}, timeout=TIMEOUT)
    except Exception:  # the change is committed; its pages expire within PAGE_TIMEOUT
        logger.exception("Page generations %s could not be moved on", sorted(keys))


def bump(keys: Iterable[str]) -> None:
    """Move these generations on when the current transaction commits (at once outside one)."""
    keys = frozenset(keys)
    if not keys:
        return
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump_now(keys), robust=True)
    else:
        _bump_now(keys)


def bump_person(*user_ids: int | None) -> None:
    """The data of these people changed (None, a record without an account, is skipped)."""
    bump(person_key(pk) for pk in user_ids if pk is not None)


def bump_prefecture(*prefecture_ids: int | None) -> None:
    """The dossiers these prefectures' agents list changed."""
    bump(prefecture_key(pk) for pk in prefecture_ids if pk is not None)


def bump_console() -> None:
    """The tickets the contact centre lists changed."""
    bump([console_key()])


def person_prefectures_resolver(resolver: Callable[[int], Iterable[int]]) -> None:
    """Register the function giving the prefectures that hold a person's dossiers (by user id),
    which `bump_person_everywhere` needs."""
    global _person_prefectures  # one resolver per process, set once at start-up
    _person_prefectures = resolver


def person_prefecture_ids(user_id: int) -> set[int]:
    """The prefectures holding one of this person's dossiers, through the registered resolver
    (the page cache here, and `accounts.mandates`, which sits below the dossiers, ask it)."""
    if _person_prefectures is None:
        raise ImproperlyConfigured(
            "No resolver of a person's prefectures: applications registers it in its ready()."
        )
    return set(_person_prefectures(user_id))


def bump_person_everywhere(user_id: int) -> None:
    """The person's identity or address changed: their pages, and the queue of every prefecture
    holding one of their dossiers (the queue shows the person's name and foreigner number)."""
    bump([person_key(user_id), *(prefecture_key(pk) for pk in person_prefecture_ids(user_id))])


def bump_dossier(application) -> None:
    """A dossier changed: its applicant's pages and its prefecture's queue (the prefecture it is
    in now: a transfer bumps before and after the move)."""
    bump([person_key(application.applicant_id), prefecture_key(application.prefecture_id)])


def bump_ticket(ticket) -> None:
    """A ticket changed: the console, and the pages of the person who asked and the one it is
    about."""
    bump([console_key(), *(person_key(pk) for pk in {ticket.requester_id, ticket.person_id} if pk)])


# --- Reads (by the page cache) -------------------------------------------------------------------


def current(keys: list[str], found: dict) -> dict[str, int | None]:
    """The generation of each key: from `found` (what the caller read from the cache along with
    its page), else started now with a new value, or the value another request has just started.
    None when the cache keeps nothing (down, or evicted at once): the page is then not kept."""
    values = {}
    for key in keys:
        value = found.get(key)
        if value is None:
            start = fresh()
            value = start if cache.add(key, start, timeout=TIMEOUT) else cache.get(key)
        values[key] = value
    return values


def read(keys: list[str]) -> dict[str, int | None]:
    """The generations of `keys` now (one round trip, plus one per generation to start)."""
    return current(keys, cache.get_many(keys))
