"""Writes that belong to no domain app, and the row lock the domain apps' writes share (status
changes go through `anef.workflow`)."""

from typing import TypeVar

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
