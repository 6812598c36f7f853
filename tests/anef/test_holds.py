"""The registry of holds (anef/holds.py): the lower apps ask it, the higher ones answer."""

import datetime as dt

import pytest

from anef import holds

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def only_these_providers(monkeypatch):
    """An empty registry for the test (support's real provider is back afterwards)."""
    monkeypatch.setattr(holds, "_providers", {})


def _provider(until):
    return lambda user, now: holds.Hold(until=until, message=str(until), template="t.html")


def test_holds_hold_for_without_provider_none(only_these_providers):
    assert holds.hold_for(object()) is None


def test_holds_hold_for_several_longest_wins(only_these_providers):
    holds.register("short", _provider(T0))
    holds.register("long", _provider(T0 + dt.timedelta(days=2)))
    holds.register("none", lambda user, now: None)
    assert holds.hold_for(object()).until == T0 + dt.timedelta(days=2)


def test_holds_register_same_key_replaces(only_these_providers):
    holds.register("one", _provider(T0 + dt.timedelta(days=2)))
    holds.register("one", _provider(T0))
    assert holds.hold_for(object()).until == T0


def test_holds_provider_given_user_and_now(only_these_providers):
    seen = []
    holds.register("spy", lambda user, now: seen.append((user, now)))
    user = object()
    holds.hold_for(user, T0)
    assert seen == [(user, T0)]
