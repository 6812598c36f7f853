"""What `applications` lets the apps above it plug in, at start-up, so that it never imports them
(docs/architecture.md, "What is still upside down" 2 and 3).

- **Reactions**: `dossier_changed` is sent after the commit of every change of a dossier that
  may change the attestations it gives (a status change, a new address printed on them). The
  attestations app subscribes in its `AppConfig.ready` and enqueues that dossier's sweep.
- **Page panels**: the portal's dashboard and dossier page and the back office's dossier page
  show blocks that belong to a higher app (the attestations, the renewal at risk). That app
  registers a provider of their context entries in its `AppConfig.ready`; the page merges them.

A signal or a panel carries no rule: the rule lives in the subscriber's services and rules.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.dispatch import Signal

from applications.models import Application

# Sent on commit, with `application_id`: the dossier changed (its row is marked
# `attestations_dirty` in the same transaction), the attestations it gives may need review.
dossier_changed = Signal()


def dossier_changed_on_commit(application_pk: int) -> None:
    """Tell the subscribers once the change is committed (never a rolled-back one). A subscriber
    that fails (a broker down) is logged and does not stop the others nor the caller: the row's
    `attestations_dirty` flag lets the hourly sweep catch up."""
    transaction.on_commit(
        lambda: dossier_changed.send_robust(sender=Application, application_id=application_pk),
        robust=True,
    )


Provider = Callable[..., dict[str, Any]]


class PagePanels:
    """One page's slot for other apps' blocks: each provider, registered once under its name,
    is called with the page's (user, subject) and returns context entries; two providers may
    not give the same entry (one would silently hide the other)."""

    def __init__(self, page: str) -> None:
        self.page = page
        self._providers: dict[str, Provider] = {}

    def register(self, name: str, provider: Provider) -> None:
        """Idempotent for the same provider (`ready()` may run twice in tests)."""
        registered = self._providers.get(name)
        if registered is not None and registered is not provider:
            raise ImproperlyConfigured(f"{self.page}: a panel named {name!r} is registered")
        self._providers[name] = provider

    def unregister(self, name: str) -> Provider | None:
        return self._providers.pop(name, None)

    def context(self, user, subject) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for name, provider in self._providers.items():
            entries = provider(user, subject)
            clash = merged.keys() & entries.keys()
            if clash:
                raise ImproperlyConfigured(f"{self.page}: panel {name!r} repeats {sorted(clash)}")
            merged.update(entries)
        return merged


# The person's dashboard: called with (user, the dossiers it lists).
portal_home_panels = PagePanels("portal dashboard")
# The person's dashboard again, for blocks about the person rather than their dossiers (a card
# to renew, when they may have no dossier yet): called with (user, the person the page is about:
# the user, or the person a helper acts for).
portal_person_panels = PagePanels("portal dashboard, about the person")
# One dossier's page in the portal: called with (user, application).
portal_dossier_panels = PagePanels("portal dossier page")
# One dossier's page in the back office: called with (user, application).
backoffice_dossier_panels = PagePanels("back-office dossier page")
