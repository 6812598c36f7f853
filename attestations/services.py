"""Issuing attestations: the sweep computes, from the database alone, which attestations must
exist today and issues what is missing (DESIGN.md §3). It is the source of truth: a lost
message or a crashed worker only delays an attestation, never loses it.

The ledger (DESIGN.md §3): what was issued is never rewritten. The rules (`plan_ledger`) read
the dossiers' facts and what was really issued, and say what to issue next and which ends to
record; this module writes exactly that.

Exactly once: dossiers are claimed with `select_for_update(skip_locked=True)` (two sweeps at once
take different dossiers), the permits they renew are locked in a fixed order (one chain of APIs
per permit), and unique constraints (one deposit receipt per dossier, one first API per permit,
one successor and one replacement per attestation) refuse a second copy whatever happens: a
sweep that meets one leaves that group for the next run.
"""

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django.conf import settings
from django.db import transaction
from django.db.models import Case, DateField, F, Q, Value, When
from django.utils import timezone

from anef import generations
from applications.enums import ApplicationStatus
from applications.models import Application, ResidencePermit
from attestations import numbers, verification_cache
from attestations.enums import AttestationKind
from attestations.models import Attestation
from attestations.rules import (
    ADF,
    API,
    Entry,
    Plan,
    Policy,
    next_review_on,
    plan_ledger,
    rights_for,
)
from attestations.selectors import dossier_facts, renews_a_permit

logger = logging.getLogger(__name__)

FINAL_STATES = {
    ApplicationStatus.CLOSED_CARD_HANDED_OVER,
    ApplicationStatus.UNFAVOURABLE,
    ApplicationStatus.CLOSED,
    ApplicationStatus.WITHDRAWN,
}
# A dossier whose attestations have all ended is not looked at again until it changes.
NEVER_AGAIN = date(9999, 12, 31)
# Without a progress callback, a long sweep logs where it stands every this many batches.
PROGRESS_LOG_BATCHES = 20

BENEFITS_SENTENCE = {
    "fr": (
        "Accompagnée du titre de séjour expiré, cette attestation prouve la régularité du séjour "
        "(CESEDA, art. R. 431-15-1). Elle ouvre les mêmes droits qu'un récépissé : prestations "
        "sociales, logement, inscription à France Travail."
    ),
    "en": (
        "Together with the expired residence permit, this attestation proves lawful residence "
        "(CESEDA, art. R. 431-15-1). It gives the same rights as a récépissé: social benefits, "
        "housing, registration with France Travail."
    ),
    "ar": (
        "هذه الشهادة، مرفقةً بتصريح الإقامة المنتهية صلاحيته، تثبت قانونية الإقامة (CESEDA، "
        "المادة R. 431-15-1). وتمنح نفس الحقوق التي يمنحها وصل الإيداع (récépissé): المساعدات "
        "الاجتماعية، والسكن، والتسجيل لدى France Travail."
    ),
}
DEPOSIT_SENTENCE = {
    "fr": (
        "Cette attestation prouve la date de dépôt de la demande. Elle ne prouve pas, à elle "
        "seule, la régularité du séjour (CESEDA, art. R. 431-15-1)."
    ),
    "en": (
        "This certificate proves the date the application was filed. It does not by itself "
        "prove lawful residence (CESEDA, art. R. 431-15-1)."
    ),
    "ar": (
        "تثبت هذه الشهادة تاريخ إيداع الطلب. ولا تثبت وحدها قانونية الإقامة (CESEDA، المادة "
        "R. 431-15-1)."
    ),
}


TECHNICAL_IMPOSSIBILITY_SENTENCE = {
    "fr": (
        "L'administration a constaté qu'une difficulté technique empêche cette personne "
        "d'accomplir sa démarche en ligne. Elle est orientée vers une voie de substitution "
        "(rendez-vous en préfecture, dépôt par courrier ou par courriel), comme l'a ordonné le "
        "Conseil d'État (décision n° 502860 du 5 mai 2026). Ce document ne prouve pas, à lui "
        "seul, la régularité du séjour."
    ),
    "en": (
        "The administration has confirmed that a technical difficulty prevents this person from "
        "completing their application online. They are directed to another way of applying "
        "(an appointment at the prefecture, filing by post or by e-mail), as the Conseil d'État "
        "ordered (decision No. 502860 of 5 May 2026). This document does not by itself prove "
        "lawful residence."
    ),
    "ar": (
        "أقرّت الإدارة بأن صعوبة تقنية تمنع هذا الشخص من إتمام إجراءاته عبر الإنترنت، ويُوجَّه "
        "إلى طريقة بديلة (موعد في المحافظة، أو إيداع بالبريد أو بالبريد الإلكتروني) كما أمر "
        "بذلك مجلس الدولة (القرار رقم 502860 الصادر في 5 مايو 2026). ولا تثبت هذه الوثيقة "
        "وحدها قانونية الإقامة."
    ),
}


@dataclass
class SweepReport:
    applications: int = 0
    issued: int = 0
    updated: int = 0  # ends recorded
    batches: int = 0


def holder_snapshot_of(user) -> dict:
    """The holder's data as printed on a new attestation."""
    profile = getattr(user, "applicant_profile", None)
    snapshot = {"first_name": user.first_name, "last_name": user.last_name}
    if profile is not None:
        snapshot.update(
            birth_date=profile.birth_date.isoformat(),
            nationality=profile.nationality,
            foreigner_number=profile.foreigner_number or "",
            address=f"{profile.address_line}, {profile.postal_code} {profile.city}",
        )
    return snapshot


def _rights(application: Application, kind: str) -> dict:
    """Rights come from data: the permit renewed (API) or the ground decided (ADF)."""
    if kind == API and application.renews_permit is not None:
        source_work = application.renews_permit.right_to_work
        limitation = application.renews_permit.work_limitation
    else:
        source_work = application.ground.right_to_work
        limitation = application.ground.work_limitation_fr
    if source_work == "as_held" and application.renews_permit is not None:
        source_work = application.renews_permit.right_to_work
        limitation = application.renews_permit.work_limitation
    rights = rights_for(kind, work=source_work, work_limitation=limitation)
    sentence = DEPOSIT_SENTENCE if kind == AttestationKind.DEPOSIT_RECEIPT else BENEFITS_SENTENCE
    return {
        "stay": rights.stay,
        "work": rights.work,
        "work_limitation": rights.work_limitation,
        "benefits_and_housing": rights.benefits_and_housing,
        "legal_text": sentence,
    }


def _entry(attestation: Attestation) -> Entry:
    return Entry(
        key=attestation.pk,
        kind=attestation.kind,
        application_id=attestation.application_id,
        valid_from=attestation.valid_from,
        valid_until=attestation.valid_until,
        issue_on=attestation.issue_on,
        continues=attestation.continues_id,
        replaces=attestation.replaces_id,
        ended_on=attestation.ended_on,
        end_reason=attestation.end_reason,
    )


@dataclass
class _Group:
    """The dossiers whose attestations are decided together: those renewing one permit (one
    chain of APIs per permit), or one dossier alone."""

    permit: ResidencePermit | None
    applications: list[Application]
    ledger: list[Attestation]


def _groups(applications: list[Application]) -> list[_Group]:
    """The claimed dossiers with the other dossiers renewing the same permits, and the ledger of
    each group (a constant number of queries per batch)."""
    permit_ids = sorted({app.renews_permit_id for app in applications if renews_a_permit(app)})
    if permit_ids:
        # One sweep at a time per permit (in a fixed order: no deadlock between two sweeps).
        list(
            ResidencePermit.objects.select_for_update()
            .filter(pk__in=permit_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    siblings = list(
        Application.objects.filter(renews_permit_id__in=permit_ids)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related(
            "renews_permit__ground", "ground", "prefecture", "applicant__applicant_profile"
        )
    )
    members: dict[tuple, dict[int, Application]] = defaultdict(dict)
    for app in [*applications, *siblings]:
        if app.status == ApplicationStatus.DRAFT:
            continue
        key = ("permit", app.renews_permit_id) if renews_a_permit(app) else ("app", app.pk)
        members[key][app.pk] = app
    application_ids = [pk for group in members.values() for pk in group]
    rows = (
        Attestation.objects.filter(
            Q(application_id__in=application_ids) | Q(permit_id__in=permit_ids)
        )
        .exclude(kind=AttestationKind.TECHNICAL_IMPOSSIBILITY)
        .select_related("application")
    )
    by_application: dict[int, list[Attestation]] = defaultdict(list)
    by_permit: dict[int, list[Attestation]] = defaultdict(list)
    for row in rows:
        if row.kind == AttestationKind.API and row.permit_id is not None:
            by_permit[row.permit_id].append(row)
        elif not (row.kind == AttestationKind.API and renews_a_permit(row.application)):
            by_application[row.application_id].append(row)
        # else: an API of a renewal left without a permit by the migration to the ledger (a
        # second chain the old engine issued): kept and verifiable, never continued.
    groups = []
    for (scope, pk), apps in sorted(members.items()):
        ledger = [row for app_pk in apps for row in by_application.get(app_pk, [])]
        permit = None
        if scope == "permit":
            ledger += by_permit.get(pk, [])
            permit = next(iter(apps.values())).renews_permit
        groups.append(_Group(permit, sorted(apps.values(), key=lambda app: app.pk), ledger))
    return groups


def _stale(group: _Group, applications: dict[int, Application], today: date) -> set[int]:
    """The documents still in use whose printed holder data or issuing prefecture are out of
    date (an address change, a name corrected, a foreigner number attached, a transfer)."""
    stale = set()
    snapshots: dict[int, dict] = {}
    for row in group.ledger:
        if row.kind not in (API, ADF) or row.ended_on is not None:
            continue
        if row.valid_until is not None and row.valid_until < today:
            continue
        application = applications[row.application_id]
        if application.pk not in snapshots:
            snapshots[application.pk] = holder_snapshot_of(application.applicant)
        if (
            row.holder_snapshot != snapshots[application.pk]
            or row.prefecture_id != application.prefecture_id
        ):
            stale.add(row.pk)
    return stale


class _Unstored(Exception):
    """A new attestation could not be stored (its number drawn three times was taken, or a
    unique constraint refused it): its group is left for the next sweep."""


@dataclass
class _GroupPlan:
    group: _Group
    plan: Plan
    applications: dict[int, Application]

    @cached_property
    def issued_rows(self) -> dict[int, Attestation]:
        """The group's ledger by id (a replacement copies the rights of the row it replaces)."""
        return {row.pk: row for row in self.group.ledger}


def _new_row(item: _GroupPlan, entry: Entry, created: dict[int, int]) -> Attestation:
    application = item.applications[entry.application_id]
    replaced = item.issued_rows.get(entry.replaces) if entry.replaces is not None else None
    if replaced is not None:  # the same document for its remaining validity, new holder data
        rights, ground, permit_id = replaced.rights, replaced.ground_id, replaced.permit_id
    else:
        rights, ground = _rights(application, entry.kind), application.ground_id
        permit = item.group.permit
        permit_id = permit.pk if permit is not None and entry.kind == API else None
    return Attestation(
        number=numbers.new_number(entry.kind, entry.issue_on.year),
        kind=entry.kind,
        application=application,
        permit_id=permit_id,
        holder=application.applicant,
        continues_id=created.get(entry.continues, entry.continues),
        replaces_id=created.get(entry.replaces, entry.replaces),
        valid_from=entry.valid_from,
        valid_until=entry.valid_until,
        issue_on=entry.issue_on,
        holder_snapshot=holder_snapshot_of(application.applicant),
        rights=rights,
        ground_id=ground,
        prefecture=application.prefecture,
    )


def _insert(rows: list[Attestation]) -> None:
    """Insert rows and give each its id. `ignore_conflicts` lets the database skip a row whose
    random public number is already taken (then drawn again, at most three times) instead of
    failing the batch; rows are read back by number to know which were stored."""
    pending = rows
    for _attempt in range(3):
        Attestation.objects.bulk_create(pending, ignore_conflicts=True)
        stored = {
            number: (pk, application_id, kind, valid_from)
            for number, pk, application_id, kind, valid_from in Attestation.objects.filter(
                number__in=[row.number for row in pending]
            ).values_list("number", "pk", "application_id", "kind", "valid_from")
        }
        missing = []
        for row in pending:
            found = stored.get(row.number)
            if found is not None and found[1:] == (row.application_id, row.kind, row.valid_from):
                row.pk = found[0]
            else:
                missing.append(row)
        if not missing:
            return
        if _attempt == 2:
            break
        logger.warning("Attestation numbers collided; %s drawn again", len(missing))
        for row in missing:
            row.number = numbers.new_number(row.kind, row.issue_on.year)
        pending = missing
    raise _Unstored


def _write(items: list[_GroupPlan]) -> int:
    """Write the plans of a batch: the ends first (a replacement never overlaps the one it
    replaces), then the new attestations in waves (one that follows another new one waits for
    its id). A constant number of queries per batch, whatever the number of dossiers."""
    now = timezone.now()
    ends = [
        Attestation(
            pk=entry.key, ended_on=entry.ended_on, end_reason=entry.end_reason, end_recorded_at=now
        )
        for item in items
        for entry in item.plan.ended
    ]
    if ends:
        Attestation.objects.bulk_update(ends, ["ended_on", "end_reason", "end_recorded_at"])
    created: dict[int, int] = {}
    waiting = [(item, entry) for item in items for entry in item.plan.issued]
    issued = 0
    while waiting:
        ready = [
            (item, entry)
            for item, entry in waiting
            if all(
                ref is None or ref > 0 or ref in created
                for ref in (entry.continues, entry.replaces)
            )
        ]
        if not ready:  # a plan naming a document it does not issue: a bug, never silently
            raise _Unstored
        rows = [_new_row(item, entry, created) for item, entry in ready]
        _insert(rows)
        for (_item, entry), row in zip(ready, rows, strict=True):
            created[entry.key] = row.pk
        issued += len(rows)
        done = {id(entry) for _item, entry in ready}
        waiting = [(item, entry) for item, entry in waiting if id(entry) not in done]
    return issued


def _plan(group: _Group, applications: dict[int, Application], today: date, policy: Policy):
    facts = [dossier_facts(app) for app in group.applications]
    permit = group.permit
    return plan_ledger(
        applications=facts,
        ledger=[_entry(row) for row in group.ledger],
        today=today,
        policy=policy,
        api_first_day=permit.valid_until + timedelta(days=1) if permit is not None else None,
        stale=_stale(group, applications, today),
    )


def _all_final(group: _Group) -> bool:
    return all(app.status in FINAL_STATES for app in group.applications)


def _settled(group: _Group, plan: Plan, today: date) -> bool:
    """Every dossier of the group is over and none of its documents can still change."""
    if not _all_final(group) or plan.issued:
        return False
    ended = {entry.key for entry in plan.ended}
    return not any(
        row.kind in (API, ADF)
        and row.pk not in ended
        and row.ended_on is None
        and (row.valid_until is None or row.valid_until >= today)
        for row in group.ledger
    )


def _sync_batch(ids: list[int], today: date, policy: Policy, report: SweepReport) -> None:
    claimed = list(
        Application.objects.filter(pk__in=ids).select_related(
            "renews_permit__ground", "ground", "prefecture", "applicant__applicant_profile"
        )
    )
    items, settled_ids, short_ids = [], set(), set()
    review: dict[date | None, set[int]] = defaultdict(set)  # next review day: open dossiers
    for group in _groups(claimed):
        applications = {app.pk: app for app in group.applications}
        plan = _plan(group, applications, today, policy)
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
    (`attestations_next_review_on`, from `rules.next_review_on`: the next day on which their
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
        ids = list(
            Application.objects.select_for_update(skip_locked=True)
            .filter(pk=application_id)
            .exclude(status=ApplicationStatus.DRAFT)
            .values_list("pk", flat=True)
        )
        if ids:
            _sync_batch(ids, today, policy, report)
    _after_issuance_on_commit()
    return report


def _after_issuance_on_commit() -> None:
    """PDFs render and holders are told in their own tasks, after commit: the attestation exists
    (and verifies) before its PDF does. Both tasks pick up whatever is pending, so a lost message
    is caught by the next sweep."""
    from attestations.tasks import notify_holders, render_missing_pdfs

    transaction.on_commit(lambda: render_missing_pdfs.delay(), robust=True)
    transaction.on_commit(lambda: notify_holders.delay(), robust=True)


def issue_technical_impossibility(
    *,
    holder_snapshot: dict,
    blocking_description: str,
    holder=None,
    prefecture=None,
    today: date | None = None,
) -> Attestation:
    """The contact centre's written acknowledgement that a technical blocking stops the person
    (DESIGN.md §3 "support"): it states the blocking and the date it was confirmed, and that the
    person is sent to the substitution path. `holder` is the person's account if they have one
    (many who need this cannot create one): the snapshot carries their name either way.

    The caller (the support service confirming a ticket) runs it in its own transaction and
    guarantees one acknowledgement per confirmation (a unique link from its own record).
    """
    description = blocking_description.strip()
    if not description:
        raise ValueError("A technical impossibility needs a description of the blocking.")
    if not (holder_snapshot.get("first_name") or holder_snapshot.get("last_name")):
        raise ValueError("The acknowledgement must name the person.")
    today = today or timezone.localdate()
    attestation = Attestation.objects.create(
        number=numbers.new_number(AttestationKind.TECHNICAL_IMPOSSIBILITY, today.year),
        kind=AttestationKind.TECHNICAL_IMPOSSIBILITY,
        holder=holder,
        valid_from=today,
        valid_until=None,
        issue_on=today,
        holder_snapshot=holder_snapshot,
        rights={
            "stay": False,
            "work": "none",
            "work_limitation": "",
            "benefits_and_housing": False,
            "legal_text": TECHNICAL_IMPOSSIBILITY_SENTENCE,
            "blocking": description,
        },
        prefecture=prefecture,
    )
    generations.bump_person(getattr(holder, "pk", None))
    _after_issuance_on_commit()
    return attestation
