"""The audit log of state changes, on top of django-auditlog's LogEntry.

Field edits through the admin are logged by auditlog's registry; domain actions (a transition,
a decision, an attachment of a foreigner number) call `audit_action` from their service, inside
the same transaction, with the actor and what changed.
"""

from typing import Any

from auditlog.models import LogEntry
from django.db import models


def audit_action(
    *,
    instance: models.Model,
    actor,
    action: str,
    changes: dict[str, tuple[Any, Any]] | None = None,
    details: dict[str, Any] | None = None,
) -> LogEntry:
    """Record that `actor` did `action` on `instance`; `changes` maps field → (before, after).

    An act of a helper says for whom and under which mandate (CONVENTIONS.md)."""
    from accounts.mandates import mandate_acting_for_details  # accounts imports this module

    details = {**mandate_acting_for_details(actor, instance), **(details or {})}
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
