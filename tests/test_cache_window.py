"""`anef.cache.count_in_window`, the counter behind the verification rate limits: counts within
a window that begins with the first event, starts again after it, takes one Redis round trip,
and fails open while Redis is down."""

import os
import uuid

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache

from anef.cache import count_in_window
from tests.test_faults_redis import redis_cache, redis_down  # noqa: F401 (a fixture)

REDIS_URL = os.environ.get("REDIS_URL", "")
needs_redis = pytest.mark.skipif(
    not REDIS_URL and not os.environ.get("ANEF_REQUIRE_SERVICES"),
    reason="no Redis configured (REDIS_URL)",
)


@pytest.fixture
def live_redis(settings):
    settings.CACHES = {
        "default": redis_cache(REDIS_URL, KEY_PREFIX=f"test-window-{uuid.uuid4().hex}")
    }
    # No clear() at the end: it would empty the whole Redis database, which other tests share;
    # the keys expire within the minute.
    return cache


def _key() -> str:
    return f"window-{uuid.uuid4().hex}"


def test_count_in_window_counts_each_event_in_memory():
    key = _key()
    assert [count_in_window(key, 60) for _ in range(3)] == [1, 2, 3]


def test_count_in_window_starts_again_after_the_window():
    key = _key()
    with time_machine.travel("2026-11-28 10:00:00+00:00", tick=False) as clock:
        assert [count_in_window(key, 60) for _ in range(2)] == [1, 2]
        clock.shift(59)
        assert count_in_window(key, 60) == 3
        clock.shift(2)
        assert count_in_window(key, 60) == 1


@needs_redis
def test_count_in_window_redis_counts_in_one_round_trip(live_redis, monkeypatch):
    key = _key()
    assert [count_in_window(key, 60) for _ in range(3)] == [1, 2, 3]
    client = live_redis.client.get_client(write=True)
    stored = live_redis.make_and_validate_key(key)
    assert 0 < client.ttl(stored) <= 60
    sent = []
    original = type(client).pipeline

    def counting_pipeline(self, *args, **kwargs):
        sent.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(client), "pipeline", counting_pipeline)
    assert count_in_window(key, 60) == 4
    assert sent == [1]


@needs_redis
def test_count_in_window_redis_window_is_not_pushed_back_by_later_events(live_redis):
    key = _key()
    count_in_window(key, 60)
    client = live_redis.client.get_client(write=True)
    stored = live_redis.make_and_validate_key(key)
    client.expire(stored, 5)  # as if the window had 5 seconds left
    count_in_window(key, 60)
    assert client.ttl(stored) <= 5


@pytest.mark.usefixtures("redis_down")
def test_count_in_window_redis_down_fails_open():
    assert settings.CACHES["default"]["BACKEND"] == "anef.cache.FailOpenRedisCache"
    assert [count_in_window(_key(), 60) for _ in range(3)] == [1, 1, 1]
