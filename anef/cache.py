"""A Redis cache that an outage of Redis cannot turn into errors for people (issue 8, "Faults").

The cache holds only what can be recomputed or forgotten: rate-limit counters, throttles, the
heartbeat's timestamp, rendered pages (attestations/verification_cache.py, anef/page_cache.py:
these hold personal data for minutes, so Redis must be as private as the database).
When Redis does not answer, every read is a miss and every write is
dropped (rate limits fail open for the length of the outage, which is logged), so pages still
render and submissions still save; the short socket timeouts keep a hung Redis from hanging
requests. Sessions and all data of record live in the database, never here.
"""

import logging
import time

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
_WARN_EVERY_SECONDS = 60
_last_warning = 0.0


def _unavailable(operation: str, error: Exception) -> None:
    global _last_warning  # one timestamp per process, to keep logs readable
    now = time.monotonic()
    if now - _last_warning >= _WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning("Cache unavailable (%s: %s): serving without it", operation, error)


def _tolerant(operation: str, fallback):
    def wrap(method):
        def call(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as error:
                _unavailable(operation, error)
                return fallback(*args, **kwargs) if callable(fallback) else fallback

        return call

    return wrap


class TolerantRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        """One `redis.Redis` per connection pool, kept: Django builds a new one for every
        operation, and its constructor (about 170 response callbacks) cost more CPU than the
        operation itself (issue 8, "Load"). A client is thread-safe; the pool holds the
        connections."""
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(pool)
        if client is None:
            client = clients[pool] = self._client(connection_pool=pool)
        return client

    add = _tolerant("add", True)(RedisCacheClient.add)
    get = _tolerant("get", lambda key, default: default)(RedisCacheClient.get)
    set = _tolerant("set", None)(RedisCacheClient.set)
    touch = _tolerant("touch", False)(RedisCacheClient.touch)
    delete = _tolerant("delete", False)(RedisCacheClient.delete)
    get_many = _tolerant("get_many", {})(RedisCacheClient.get_many)
    has_key = _tolerant("has_key", False)(RedisCacheClient.has_key)
    incr = _tolerant("incr", lambda key, delta: delta)(RedisCacheClient.incr)
    set_many = _tolerant("set_many", None)(RedisCacheClient.set_many)
    delete_many = _tolerant("delete_many", None)(RedisCacheClient.delete_many)
    clear = _tolerant("clear", False)(RedisCacheClient.clear)

    @_tolerant("count_in_window", lambda key, seconds: 1)
    def count_in_window(self, key: str, seconds: int) -> int:
        """INCR, and EXPIRE if the key has no expiry yet, in one round trip."""
        pipeline = self.get_client(key, write=True).pipeline(transaction=False)
        pipeline.incr(key)
        pipeline.expire(key, seconds, nx=True)
        count, _expiry_set = pipeline.execute()
        return count


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = TolerantRedisCacheClient

    def count_in_window(self, key: str, seconds: int) -> int:
        return self._cache.count_in_window(self.make_and_validate_key(key), seconds)


def count_in_window(key: str, seconds: int) -> int:
    """One more event under `key`, and how many there have been in the window of `seconds` that
    began with the first of them (the count starts again once the window is over). One round
    trip on Redis; on other caches (the embedded default's files, tests' memory) `add`, then
    `incr`. With Redis down the count is 1: limits fail open for the length of the outage."""
    if hasattr(cache, "count_in_window"):
        return cache.count_in_window(key, seconds)
    if cache.add(key, 1, timeout=seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between the two calls
        cache.add(key, 1, timeout=seconds)
        return 1
