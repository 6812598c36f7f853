"""The sweep: which dossiers to look at (`sweepable`: changed, never swept, or due for review;
in shards for several workers), claimed with `select_for_update(skip_locked=True)` in keyset
batches, each batch planned and written by `ledger` and its dossiers' next review day
recorded; the same for one dossier right after a change; and the tasks started after commit
(PDFs, holders told). A second run the same day does nothing."""

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Case, DateField, F, Q, Value, When
from django.utils import timezone

from anef import generations
from applications.enums import ApplicationStatus
from applications.models import Application
from attestations import verification_cache
from attestations.review_rules import next_review_on
from attestations.rules import Policy
from attestations.selectors import outages_around
from attestations.services.ledger import (
    _all_final,
    _entry,
    _GroupPlan,
    _groups,
    _plan,
    _settled,
    _Unstored,
    _write,
    dossiers_read,
)

logger = logging.getLogger(__name__)


# A dossier whose attestations have all ended is not looked at again until it changes.
NEVER_AGAIN = date(9999, 12, 31)
# Without a progress callback, a long sweep logs where it stands every this many batches.
PROGRESS_LOG_BATCHES = 20


@dataclass
class SweepReport:
    applications: int = 0
    issued: int = 0
    updated: int = 0  # ends recorded
    batches: int = 0


def _sync_batch(
    ids: list[int],
    today: date,
    policy: Policy,
    report: SweepReport,
    claimed: list[Application] | None = None,
) -> None:
    """`claimed`: the dossiers of `ids` already read by `ledger.dossiers_read` by the caller
    (one dossier synced after a change claims and reads it in one statement)."""
    if claimed is None:
        claimed = list(dossiers_read(Application.objects.filter(pk__in=ids)))
    items, settled_ids, short_ids = [], set(), set()
    review: dict[date | None, set[int]] = defaultdict(set)  # next review day: open dossiers
    groups = list(_groups(claimed))
    # The outage log around the batch's filing windows, once for the batch (none if no late one).
    outages = outages_around(app for group in groups for app in group.applications)
    for group in groups:
        applications = {app.pk: app for app in group.applications}
        plan = _plan(group, applications, today, policy, outages=outages)
        group_ids = {app.pk for app in group.applications} & set(ids)
        if _settled(group, plan, today):
            settled_ids |= group_ids
        else:
            ledger = [_entry(row) for row in group.ledger]
            day = next_review_on(plan, ledger=ledger, all_final=_all_final(group), today=today)
            review[day] |= group_ids
        if plan.issued or plan.ended:
            items.append(_GroupPlan(group, plan, applications))
    if items:
        try:
            with transaction.atomic():
                report.issued += _write(items)
        except _Unstored:
            # Rare: redo group by group, so that only the group that cannot be stored waits.
            for item in items:
                try:
                    with transaction.atomic():
                        report.issued += _write([item])
                except _Unstored:
                    logger.warning(
                        "Attestations of dossiers %s left for the next sweep",
                        [app.pk for app in item.group.applications],
                    )
                    short_ids |= {app.pk for app in item.group.applications} & set(ids)
                    item.plan.ended.clear()
        report.updated += sum(len(item.plan.ended) for item in items)
        verification_cache.generation_bump(
            [row.number for item in items for row in item.group.ledger]
        )
        generations.bump_person(*{a.applicant_id for i in items for a in i.group.applications})
    # A dossier left short stays dirty: the next sweep gives it what it lacks. An open one is
    # looked at again on its next review day (None: only when it changes), one statement for all.
    open_ids = {pk for pks in review.values() for pk in pks} - short_ids
    if open_ids:
        Application.objects.filter(pk__in=open_ids).update(
            attestations_swept_on=today,
            attestations_dirty=False,
            attestations_next_review_on=Case(
                *(
                    When(pk__in=sorted(pks), then=Value(day))
                    for day, pks in review.items()
                    if day is not None
                ),
                default=Value(None),
                output_field=DateField(),
            ),
        )
    Application.objects.filter(pk__in=settled_ids - short_ids).update(
        attestations_swept_on=NEVER_AGAIN,
        attestations_dirty=False,
        attestations_next_review_on=None,
    )
    report.applications += len(ids)
    report.batches += 1


def sweepable(today: date) -> Q:
    """The dossiers the sweep must look at: changed since, never swept, or due for a review
    (`attestations_next_review_on`, from `review_rules.next_review_on`: the next day on which their
    attestations can change; NULL for a settled dossier or one with nothing ahead)."""
    return ~Q(status=ApplicationStatus.DRAFT) & (
        Q(attestations_dirty=True)
        | Q(attestations_swept_on__isnull=True)
        | Q(attestations_next_review_on__lte=today)
    )


def _claimable(today: date, shard: int, shards: int):
    """The sweepable dossiers of one shard: those whose id is `shard` modulo `shards`."""
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} is not between 0 and {shards - 1}")
    queryset = Application.objects.filter(sweepable(today))
    if shards > 1:
        queryset = queryset.alias(sweep_shard=F("pk") % shards).filter(sweep_shard=shard)
    return queryset


def attestations_sweep_due_count(*, today: date, shard: int = 0, shards: int = 1) -> int:
    """How many dossiers a sweep of `today` has to look at (for a progress estimate)."""
    return _claimable(today, shard, shards).count()


def attestations_sweep(
    *,
    today: date | None = None,
    batch_size: int = 500,
    policy: Policy | None = None,
    shard: int = 0,
    shards: int = 1,
    progress=None,
) -> SweepReport:
    """Bring every dossier's attestations up to date; a second run the same day does nothing.

    `shard`/`shards`: only the dossiers whose id is `shard` modulo `shards`, so that several
    workers sweep disjoint parts at once. `progress(report)` is called after every batch;
    without it, a long sweep logs where it stands every PROGRESS_LOG_BATCHES batches."""
    today = today or timezone.localdate()
    policy = policy or Policy.from_settings()
    report = SweepReport()
    started = time.monotonic()
    # Keyset: each claim resumes after the last dossier claimed, so it never walks again over
    # the rows this sweep has just settled (at 200,000 dossiers that walk dominated the time).
    # A dossier changed behind us is swept at once on commit of that change, and by the next run.
    last_claimed = 0
    while True:
        with transaction.atomic():
            ids = list(
                _claimable(today, shard, shards)
                .select_for_update(skip_locked=True)
                .filter(pk__gt=last_claimed)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            last_claimed = ids[-1]
            _sync_batch(ids, today, policy, report)
        if progress is not None:
            progress(report)
        elif report.batches % PROGRESS_LOG_BATCHES == 0:
            logger.info(
                "Attestation sweep (shard %s/%s) under way: %s dossiers, %s issued, %.0f/s",
                shard,
                shards,
                report.applications,
                report.issued,
                report.applications / max(time.monotonic() - started, 1e-6),
            )
        if settings.ATTESTATION_SWEEP_PAUSE_SECONDS:  # spare a busy database between batches
            time.sleep(settings.ATTESTATION_SWEEP_PAUSE_SECONDS)
    if report.issued or report.updated:
        logger.info(
            "Attestation sweep: %s dossiers, %s issued, %s updated",
            report.applications,
            report.issued,
            report.updated,
        )
    _after_issuance_on_commit()
    return report


def attestations_sync_application(
    *, application_id: int, today: date | None = None, policy: Policy | None = None
) -> SweepReport:
    """The same for one dossier, right after a change (decision, completion, handover)."""
    today = today or timezone.localdate()
    policy = policy or Policy.from_settings()
    report = SweepReport()
    with transaction.atomic():
        # Claimed and read in one statement (the lock is on the dossier's row only).
        claimed = list(
            dossiers_read(Application.objects.select_for_update(skip_locked=True, of=("self",)))
            .filter(pk=application_id)
            .exclude(status=ApplicationStatus.DRAFT)
            .order_by()
        )
        if claimed:
            _sync_batch([application_id], today, policy, report, claimed=claimed)
    _after_issuance_on_commit()
    return report


def _after_issuance_on_commit() -> None:
    """PDFs render and holders are told in their own tasks, after commit: the attestation exists
    (and verifies) before its PDF does. Both tasks pick up whatever is pending, so a lost message
    is caught by the next sweep."""
    from attestations.tasks import notify_holders, render_missing_pdfs

    transaction.on_commit(lambda: render_missing_pdfs.delay(), robust=True)
    transaction.on_commit(lambda: notify_holders.delay(), robust=True)
