"""The outage log of the online service: written by an operator in the admin, or by the health
checks (`outages_watch`, run by beat), read by the rules of the filing window.

Outages count for the person, not against them (applications.rules.
renewal_filed_within_outage_grace). `anef` imports no domain app: when an outage is recorded,
changed or closed, `outage_changed` is sent on commit with the days it covered (before and after
the change), and the dossiers app marks the renewals whose window it may touch for the
attestation sweep.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from anef.audit import audit_action
from anef.enums import OutageSource
from anef.models import Outage

logger = logging.getLogger(__name__)

_ONE_SECOND = timedelta(seconds=1)

# Sent on commit with `first_day` and `last_day` (local dates, both included; `last_day` None
# while the outage goes on): the days an outage covers, or covered before it was changed.
outage_changed = Signal()


@dataclass(frozen=True)
class OutageSpan:
    """An outage as local days (both included); `last_day` None while it goes on."""

    first_day: date
    last_day: date | None


def outage_span(outage: Outage) -> OutageSpan:
    return OutageSpan(
        timezone.localdate(outage.started_at),
        timezone.localdate(outage.ended_at) if outage.ended_at is not None else None,
    )


def _changed_on_commit(*spans: OutageSpan) -> None:
    """Tell the subscribers once committed; one that fails is logged (the sweep still runs
    hourly, but a renewal's entitlement is only looked at again when it is marked)."""
    first = min(span.first_day for span in spans)
    lasts = [span.last_day for span in spans]
    last = None if any(day is None for day in lasts) else max(lasts)

    def send() -> None:
        for _receiver, error in outage_changed.send_robust(
            sender=Outage, first_day=first, last_day=last
        ):
            if isinstance(error, Exception):
                logger.error("outage_changed: a subscriber failed", exc_info=error)

    transaction.on_commit(send, robust=True)


# --- Writes -------------------------------------------------------------------------------------


def outage_save(*, outage: Outage, actor, before: OutageSpan | None = None) -> Outage:
    """Record an outage declared or corrected by an operator (the admin's form validated it).
    `before`: the days it covered before the change, so that the dossiers it no longer
    covers are looked at again too."""
    with transaction.atomic():
        created = outage.pk is None
        if created and not outage.recorded_by_id and getattr(actor, "is_authenticated", False):
            outage.recorded_by = actor
        outage.save()
        audit_action(
            instance=outage,
            actor=actor,
            action="outage_declared" if created else "outage_changed",
            changes={
                "started_at": ("", outage.started_at),
                "ended_at": ("", outage.ended_at or ""),
            },
        )
        spans = [outage_span(outage)] + ([before] if before is not None else [])
        _changed_on_commit(*spans)
    return outage


def outage_delete(*, outage: Outage, actor) -> None:
    """An outage recorded by mistake: removed, and the dossiers it covered looked at again."""
    with transaction.atomic():
        span = outage_span(outage)
        audit_action(instance=outage, actor=actor, action="outage_deleted")
        outage.delete()
        _changed_on_commit(span)


def outage_record_check(*, healthy: bool, detail: str = "", now: datetime | None = None) -> str:
    """What the health checks saw: a failure opens an outage (unless one is open already), a
    success closes the open one. Returns "opened", "closed" or "" (nothing changed). Safe to
    run twice or at once on several machines (one open outage from the checks: a constraint)."""
    now = now or timezone.now()
    with transaction.atomic():
        open_outage = (
            Outage.objects.select_for_update()
            .filter(source=OutageSource.HEALTH_CHECK, ended_at__isnull=True)
            .first()
        )
        if healthy and open_outage is not None:
            open_outage.ended_at = max(now, open_outage.started_at + _ONE_SECOND)
            open_outage.save(update_fields=["ended_at"])
            _changed_on_commit(outage_span(open_outage))
            return "closed"
        if healthy or open_outage is not None:
            return ""
        try:
            with transaction.atomic():
                outage = Outage.objects.create(
                    started_at=now,
                    source=OutageSource.HEALTH_CHECK,
                    note=f"Health checks failed: {detail}"[:2000],
                )
        except IntegrityError:
            return ""  # another machine opened it first
        _changed_on_commit(outage_span(outage))
    logger.warning("Outage opened by the health checks: %s", detail)
    return "opened"


# --- Reads --------------------------------------------------------------------------------------


def outage_spans_between(first_day: date, last_day: date) -> list[OutageSpan]:
    """Every outage covering at least one day from `first_day` to `last_day` (both included),
    as local days, in one query: what the filing-window rules need for a batch of dossiers."""
    start = timezone.make_aware(datetime.combine(first_day, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(last_day, datetime.max.time()))
    rows = Outage.objects.filter(started_at__lte=end).exclude(ended_at__lt=start)
    return [outage_span(row) for row in rows.order_by("started_at", "pk")]
