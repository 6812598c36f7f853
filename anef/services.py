"""Writes that belong to no domain app, and the shared first steps of the domain apps' writes."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from anef.models import Heartbeat

M = TypeVar("M", bound=models.Model)


def heartbeat_record(*, source: str, hostname: str = "") -> Heartbeat:
    """Record that `source` is alive now; safe to run twice or concurrently (one row a source)."""
    now = timezone.now()
    with transaction.atomic():
        heartbeat, created = Heartbeat.objects.select_for_update().get_or_create(
            source=source, defaults={"last_seen_at": now, "hostname": hostname, "beats": 1}
        )
        if not created:
            Heartbeat.objects.filter(pk=heartbeat.pk).update(
                last_seen_at=now, hostname=hostname, beats=F("beats") + 1
            )
            heartbeat.refresh_from_db()
    return heartbeat


def row_locked(instance: M) -> M:
    """The row again, under a lock (SELECT … FOR UPDATE): two people acting on it at once see
    each other's result instead of overwriting it."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def status_transition(
    instance: M,
    *,
    target_state: Callable[[str, str], str],
    action: str,
    fields: dict[str, Any] | None = None,
) -> tuple[M, dict[str, tuple[Any, Any]]]:
    """The first half of every status change of a dossier or a ticket: lock the row, move its
    status where the state machine sends `action` (`target_state(action, status)` raises when
    the action is not allowed now), set `fields`. Returns the row, not saved yet, and what
    changed, as (before, after) pairs for the audit log. The caller saves it and writes its
    timeline event and audit entry in the same transaction."""
    locked = row_locked(instance)
    before = locked.status
    locked.status = target_state(action, before)
    changes = {"status": (before, locked.status)} if locked.status != before else {}
    for name, value in (fields or {}).items():
        if getattr(locked, name) != value:
            changes[name] = (getattr(locked, name), value)
        setattr(locked, name, value)
    return locked, changes
