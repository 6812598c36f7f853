"""The audit log of state changes, on top of django-auditlog's LogEntry.

Field edits through the admin are logged by auditlog's registry; domain actions (a transition,
a decision, an attachment of a foreigner number) call `audit_action` from their service, inside
the same transaction, with the actor and what changed.

What an entry says of the actor beyond its id (a helper acting under a mandate: for whom, under
which mandate) is known by the app that owns it, not by this plumbing: that app registers a
provider at start-up (`accounts.apps.AccountsConfig.ready`), and every entry asks it.
"""

from collections.abc import Callable
from typing import Any

from auditlog.models import LogEntry
from django.db import models

ActorDetailsProvider = Callable[[Any, models.Model], dict[str, Any]]

_actor_details_providers: list[ActorDetailsProvider] = []


def actor_details_provider_register(provider: ActorDetailsProvider) -> None:
    """Add `provider(actor, instance) -> dict` to what every audit entry records (once)."""
    if provider not in _actor_details_providers:
        _actor_details_providers.append(provider)


def _actor_details(actor, instance: models.Model) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for provider in _actor_details_providers:
        details.update(provider(actor, instance))
    return details


def audit_action(
    *,
    instance: models.Model,
    actor,
    action: str,
    changes: dict[str, tuple[Any, Any]] | None = None,
    details: dict[str, Any] | None = None,
) -> LogEntry:
    """Record that `actor` did `action` on `instance`; `changes` maps field → (before, after).

    An act of a helper says for whom and under which mandate (CONVENTIONS.md), through the
    provider `accounts` registers."""
    details = {**_actor_details(actor, instance), **(details or {})}
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={
            field: [str(before), str(after)] for field, (before, after) in (changes or {}).items()
        },
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        additional_data={"action": action, **(details or {})},
    )
