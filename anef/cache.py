"""A Redis cache that an outage of Redis cannot turn into errors for people (issue 8, "Faults").

The cache holds only what can be recomputed or forgotten: rate-limit counters, throttles, the
heartbeat's timestamp, rendered pages (attestations/verification_cache.py, anef/page_cache.py:
these hold personal data for minutes, so Redis must be as private as the database).
The backend is django-redis with `IGNORE_EXCEPTIONS` (anef/settings.py; `FailOpenRedisCache`
below): when Redis does not answer, every read is a miss and every write is dropped (rate limits
fail open for the length of the outage), so pages still render and submissions still save; the
short socket timeouts keep a hung Redis from hanging requests. django-redis logs each ignored
error to this module's logger, which lets one through a minute (`OncePerMinute`) so that an
outage stays readable. django-redis also keeps one client per server, where Django's own Redis
backend built one per operation (issue 8, "Load").
Sessions and all data of record live in the database, never here.
"""

import logging
import time

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django_redis.cache import RedisCache, omit_exception
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_WARN_EVERY_SECONDS = 60
_last_warning = 0.0


class OncePerMinute(logging.Filter):
    """One record a minute per process: during an outage django-redis logs every ignored error,
    several per request."""

    def filter(self, record: logging.LogRecord) -> bool:
        global _last_warning  # one timestamp per process
        if getattr(record, "anef_once_per_minute", False):
            return True  # already let through by another copy of this filter
        now = time.monotonic()
        if now - _last_warning < _WARN_EVERY_SECONDS:
            return False
        _last_warning = now
        # Logging configured twice attaches two copies of the filter to the logger: the second
        # must not drop what the first let through (then nothing was ever logged).
        record.anef_once_per_minute = True
        return True


class FileCache(FileBasedCache):
    """Django's file cache, the embedded default (no Redis: `make run`), culled once per
    `set_many` rather than once per key. Django's `set` lists the whole cache directory before
    writing each key (`_cull`), so moving on the page generations of a sweep batch's 500 people
    listed it 500 times: about half the batch's time. The cache still stays bounded: each
    `set_many` first makes room as Django would, once."""

    _cull_deferred = False  # a cache instance belongs to one thread (django.core.cache.caches)

    def _cull(self) -> None:
        if not self._cull_deferred:
            super()._cull()

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        self._createdir()
        self._cull()
        self._cull_deferred = True
        try:
            return super().set_many(data, timeout=timeout, version=version)
        finally:
            self._cull_deferred = False


class FailOpenRedisCache(RedisCache):
    """django-redis, except that with Redis down `add` answers True, as if the key were new.

    django-redis answers None (no), and callers that take a lock with `add` then wait for it
    and give up: allauth's rate limiter turned every sign-in into "Too Many Requests" while
    Redis was down (tests/test_faults_redis.py). The other operations' answers (None for a
    miss or a dropped write) are what callers expect."""

    @omit_exception(return_value=True)
    def add(self, *args, **kwargs):
        return self.client.add(*args, **kwargs)


def _count_in_redis(backend: RedisCache, key: str, seconds: int) -> int:
    """INCR, and EXPIRE if the key has no expiry yet, in one round trip."""
    stored = backend.make_and_validate_key(key)
    try:
        pipeline = backend.client.get_client(write=True).pipeline(transaction=False)
        pipeline.incr(stored)
        pipeline.expire(stored, seconds, nx=True)
        count, _expiry_set = pipeline.execute()
    except (RedisConnectionError, RedisTimeoutError):
        logger.exception("Exception ignored")  # as django-redis logs the errors it ignores
        return 1
    return count


def count_in_window(key: str, seconds: int) -> int:
    """One more event under `key`, and how many there have been in the window of `seconds` that
    began with the first of them (the count starts again once the window is over). One round
    trip on Redis; on other caches (the embedded default's files, tests' memory) `add`, then
    `incr`. With Redis down the count is 1: limits fail open for the length of the outage."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        return _count_in_redis(backend, key, seconds)
    if cache.add(key, 1, timeout=seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between the two calls
        cache.add(key, 1, timeout=seconds)
        return 1
