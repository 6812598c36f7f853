"""Holds on what a person may take out of the portal: asked by the apps that serve it, answered
by the app that decides (docs/architecture.md, "What is still upside down", item 3).

Today one app decides: support holds a person's own documents for a while after the contact
centre recovered their account (issue 15, `support.selectors.recovery_hold_until`). The apps
below it — applications' downloads, attestations' share codes — must refuse during that hold
without importing support, so support registers its answer here from `SupportConfig.ready()`
and they call `hold_for`. Without a provider nothing is held: the test of the provider's
registration (tests/support/test_hooks.py) is what keeps the hold from being lost silently."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Hold:
    """Until when, why (a plain sentence for the person), and the page that says it (rendered
    with `held_until` in its context)."""

    until: datetime
    message: str
    template: str


HoldProvider = Callable[[Any, datetime | None], Hold | None]

_providers: dict[str, HoldProvider] = {}


def register(key: str, provider: HoldProvider) -> None:
    """Add (or replace, under the same key) a provider; called from an `AppConfig.ready()`."""
    _providers[key] = provider


def unregister(key: str) -> HoldProvider | None:
    """Remove a provider and return it (tests put it back)."""
    return _providers.pop(key, None)


def hold_for(user, now: datetime | None = None) -> Hold | None:
    """The hold in force on `user`'s own documents at `now`, the one that lasts longest when
    several apply; None when nothing holds them."""
    holds = [hold for provider in _providers.values() if (hold := provider(user, now))]
    return max(holds, key=lambda hold: hold.until, default=None)
