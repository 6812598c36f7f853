"""Generations of what the kept pages show (issue 19; anef/page_cache.py reads them).

A generation is a value in the cache per **scope** of data a kept page is built from:

- `person`: everything of one person that their pages show — dossiers, attestations, tickets,
  substitution cases, mandates given or held, identity and address. The applicant dashboard
  depends on the generation of the person signed in and of the person a helper acts for, so a
  helper's view of a person moves on with that person's data. It is also the generation of
  **each row of the agent queue** (`queue_row_keys`): a row shows one dossier and its applicant
  (name, e-mail, foreigner number, status, open error reports, permit held), all of which the
  person's generation already follows;
- `prefecture` (the queue's **listing**): which filed dossiers one prefecture's queue lists and in
  which order — a dossier filed (or withdrawn from a draft), moved in or out, its procedure,
  ground, filing date or permit renewed changed. Every page of the queue depends on it;
- `prefecture statuses`: the statuses of the prefecture's filed dossiers, on which the pages
  filtered by status depend (a status change moves a dossier in or out of them, but changes
  neither the set nor the order of the unfiltered queue, where it shows in its row only);
- `console`: the contact centre's tickets, as its console lists them (one queue for all agents).

The services that change such data **bump** the scopes they touched, in one line, when their
transaction commits (`transaction.on_commit`: a rolled-back change moves nothing; outside a
transaction at once). Nothing reads SQL, no model signal bumps: a write made behind the services'
back (by hand in `psql`, the admin) shows within `page_cache.PAGE_TIMEOUT`.

A change of a dossier says what it may change in its prefecture's queue (`bump_dossier`'s
`affects`): `ROW` (a column of its row: a document added, an error report, a notification),
`STATUS` (its status too) or `LISTING` (which dossiers are listed or their order: the default,
for any change that does not know better). Why: at 10 dossier writes a second (issue 19's load
bench) the prefecture's single generation moved 8 times a second in Paris, and the queue was
rendered again for nearly every request. Now a write moves only the pages that show its row,
and the listing only when a dossier enters, leaves or moves in the list.

A bump replaces the generation by a new random value (62 bits, never the clock, which two
processes may read alike): a page kept under the old value is never served again. A missing
generation (never used, evicted, Redis restarted) is started with a new random value, never an
old one. Pages read the generations before the data they show: a change committed while a page
renders bumps after the read, and that page, kept under the old value, is never served.

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
_PREFECTURE_STATUSES = "gen:prefecture-statuses:%s"
_CONSOLE = "gen:console"

# What a change of a dossier may change in its prefecture's queue (`bump_dossier`): a column of
# its row only; its status too (the pages filtered by status); or which dossiers are listed, or
# their order (every page of the queue).
ROW = "row"
STATUS = "status"
LISTING = "listing"


def fresh() -> int:
    """A value no earlier generation had (random, 62 bits)."""
    return secrets.randbits(62)


# --- Keys ----------------------------------------------------------------------------------------


def person_key(user_id: int) -> str:
    return _PERSON % user_id


def prefecture_key(prefecture_id: int | None) -> str:
    """The listing of the prefecture's queue: which dossiers, in which order."""
    return _PREFECTURE % prefecture_id


def prefecture_statuses_key(prefecture_id: int | None) -> str:
    """The statuses of the prefecture's dossiers (the queue's pages filtered by status)."""
    return _PREFECTURE_STATUSES % prefecture_id


def queue_row_keys(applicant_ids: Iterable[int]) -> list[str]:
    """The generations of queue rows, one per applicant shown (their person's: see above)."""
    return [person_key(pk) for pk in dict.fromkeys(applicant_ids)]


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
    """The dossiers these prefectures' agents list changed: every page of their queues."""
    bump(
        key
        for pk in prefecture_ids
        if pk is not None
        for key in (prefecture_key(pk), prefecture_statuses_key(pk))
    )


def bump_console() -> None:
    """The tickets the contact centre lists changed."""
    bump([console_key()])


def person_prefectures_resolver(resolver: Callable[[int], Iterable[int]]) -> None:
    """Register the function giving the prefectures that hold a person's dossiers (by user id),
    which `accounts.mandates` needs."""
    global _person_prefectures  # one resolver per process, set once at start-up
    _person_prefectures = resolver


def person_prefecture_ids(user_id: int) -> set[int]:
    """The prefectures holding one of this person's dossiers, through the registered resolver
    (`accounts.mandates`, which sits below the dossiers, asks it)."""
    if _person_prefectures is None:
        raise ImproperlyConfigured(
            "No resolver of a person's prefectures: applications registers it in its ready()."
        )
    return set(_person_prefectures(user_id))


def bump_person_everywhere(user_id: int) -> None:
    """The person's identity or address changed: their pages, and their rows in the queue of
    every prefecture holding one of their dossiers (a row's generation is its person's; the
    name and the number change neither which dossiers a queue lists nor their order, and a
    search by them is never kept)."""
    bump([person_key(user_id)])


def bump_dossier(application, *, affects: str = LISTING) -> None:
    """A dossier changed: its applicant's pages and its row in its prefecture's queue (the
    prefecture it is in now: a transfer bumps before and after the move); with `affects`
    STATUS also the queue's pages filtered by status, with LISTING (the default: a change that
    does not say) every page of that queue. Works with any object that has `applicant_id` and
    `prefecture_id`."""
    if affects not in (ROW, STATUS, LISTING):
        raise ValueError(f"bump_dossier: unknown scope {affects!r}")
    keys = [person_key(application.applicant_id)]
    if affects in (STATUS, LISTING):
        keys.append(prefecture_statuses_key(application.prefecture_id))
    if affects == LISTING:
        keys.append(prefecture_key(application.prefecture_id))
    bump(keys)


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
