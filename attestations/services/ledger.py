"""One batch of the ledger (DESIGN.md §3): the claimed dossiers grouped with the others renewing
the same permits (one chain of APIs per permit), each group's plan from the rules
(`plan_ledger`), and the plan written as it is — the ends recorded first, then the new
attestations (a random public number drawn again on a collision). What was issued is never
rewritten; a group that cannot be stored raises `_Unstored` and is left for the next sweep."""

import logging
from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import cached_property
from operator import attrgetter

from django.db.models import Q, QuerySet
from django.utils import timezone

from anef.bulk_insert import insert_skipping_conflicts
from applications.enums import ApplicationStatus
from applications.models import Application, ResidencePermit
from attestations import numbers
from attestations.enums import AttestationKind
from attestations.models import Attestation
from attestations.rules import ADF, API, Entry, Plan, Policy, plan_ledger
from attestations.selectors import dossier_facts, renews_a_permit
from attestations.services.documents import _rights, holder_snapshot_of

logger = logging.getLogger(__name__)


FINAL_STATES = {
    ApplicationStatus.CLOSED_CARD_HANDED_OVER,
    ApplicationStatus.UNFAVOURABLE,
    ApplicationStatus.CLOSED,
    ApplicationStatus.WITHDRAWN,
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


# What the plans read of a dossier: its permit and ground, its holder's data (joined), and only
# the columns the rules and the printed snapshot use (the grounds' texts in three languages and
# the other columns were half of what a cold start read and turned into objects, issue 16).
DOSSIER_RELATED = ("renews_permit__ground", "ground", "applicant__applicant_profile")
DOSSIER_FIELDS = (
    *("applicant_id", "ground_id", "kind", "prefecture_id", "renews_permit_id", "status"),
    *("filed_at", "completed_at", "first_completed_at", "reopened_at", "decided_at"),
    *("withdrawn_at", "card_handed_over_on"),
    *(
        f"renews_permit__{field}"
        for field in ("ground_id", "valid_until", "right_to_work", "work_limitation")
    ),
    *(
        f"{ground}__{field}"
        for ground in ("ground", "renews_permit__ground")
        for field in ("right_to_work", "work_limitation_fr", "ceseda_article", "renewed_online")
    ),
    "applicant__first_name",
    "applicant__last_name",
    *(
        f"applicant__applicant_profile__{field}"
        for field in (
            *("user_id", "birth_date", "nationality", "foreigner_number"),
            *("address_line", "postal_code", "city"),
        )
    ),
)


def dossiers_read(applications: QuerySet) -> QuerySet:
    """The dossiers as the plans read them, each in one row with its permit, grounds and holder."""
    return applications.select_related(*DOSSIER_RELATED).only(*DOSSIER_FIELDS)


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
    # The other dossiers renewing the same permits (the claimed ones are not read twice).
    siblings = list(
        dossiers_read(Application.objects.filter(renews_permit_id__in=permit_ids))
        .exclude(status=ApplicationStatus.DRAFT)
        .exclude(pk__in=[app.pk for app in applications])
        .order_by()  # grouped and sorted below
    )
    members: dict[tuple, dict[int, Application]] = defaultdict(dict)
    for app in [*applications, *siblings]:
        if app.status == ApplicationStatus.DRAFT:
            continue
        key = ("permit", app.renews_permit_id) if renews_a_permit(app) else ("app", app.pk)
        members[key][app.pk] = app
    loaded = {pk: app for group in members.values() for pk, app in group.items()}
    # The dossiers are in memory: the ledger's rows are read without joining them again.
    rows = Attestation.objects.filter(
        Q(application_id__in=list(loaded)) | Q(permit_id__in=permit_ids)
    ).exclude(kind=AttestationKind.TECHNICAL_IMPOSSIBILITY)
    by_application: dict[int, list[Attestation]] = defaultdict(list)
    by_permit: dict[int, list[Attestation]] = defaultdict(list)
    for row in rows:
        if row.application_id in loaded:
            row.application = loaded[row.application_id]
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


@dataclass(slots=True)
class _NewRow:
    """A new attestation as the plan decides it: the columns written from the plan and the
    dossier (every other column takes its model default), then its id once stored."""

    number: str
    kind: str
    application_id: int
    permit_id: int | None
    holder_id: int
    continues_id: int | None
    replaces_id: int | None
    valid_from: date
    valid_until: date | None
    issue_on: date
    holder_snapshot: dict
    rights: dict
    ground_id: int | None
    prefecture_id: int
    pk: int | None = None


NEW_ROW_COLUMNS = tuple(field.name for field in fields(_NewRow) if field.name != "pk")
_new_row_values = attrgetter(*NEW_ROW_COLUMNS)


def _new_row(item: _GroupPlan, entry: Entry, created: dict[int, int]) -> _NewRow:
    application = item.applications[entry.application_id]
    replaced = item.issued_rows.get(entry.replaces) if entry.replaces is not None else None
    if replaced is not None:  # the same document for its remaining validity, new holder data
        rights, ground, permit_id = replaced.rights, replaced.ground_id, replaced.permit_id
    else:
        rights, ground = _rights(application, entry.kind), application.ground_id
        permit = item.group.permit
        permit_id = permit.pk if permit is not None and entry.kind == API else None
    return _NewRow(
        number=numbers.new_number(entry.kind, entry.issue_on.year),
        kind=entry.kind,
        application_id=application.pk,
        permit_id=permit_id,
        holder_id=application.applicant_id,
        continues_id=created.get(entry.continues, entry.continues),
        replaces_id=created.get(entry.replaces, entry.replaces),
        valid_from=entry.valid_from,
        valid_until=entry.valid_until,
        issue_on=entry.issue_on,
        holder_snapshot=holder_snapshot_of(application.applicant),
        rights=rights,
        ground_id=ground,
        prefecture_id=application.prefecture_id,
    )


def _insert(rows: list[_NewRow]) -> None:
    """Insert rows and give each its id. The database skips a row it refuses (`ON CONFLICT DO
    NOTHING`) and returns the ids of those it stored; a row skipped because its random public
    number is already taken is drawn again (at most three times)."""
    pending = rows
    for _attempt in range(3):
        stored = dict(
            insert_skipping_conflicts(
                Attestation,
                NEW_ROW_COLUMNS,
                [_new_row_values(row) for row in pending],
                returning=("number", "id"),
            )
        )
        skipped = [row for row in pending if row.number not in stored]
        for row in pending:
            row.pk = stored.get(row.number)
        if not skipped:
            return
        taken = set(
            Attestation.objects.filter(number__in=[row.number for row in skipped]).values_list(
                "number", flat=True
            )
        )
        refused = [row for row in skipped if row.number not in taken]
        if refused:
            # Another unique constraint (a document continued or replaced twice): drawing a
            # new number cannot help, and the plan is wrong; say so rather than retry.
            logger.error(
                "Attestations refused by the database (not a number collision): %s",
                [(row.application_id, row.kind, str(row.valid_from)) for row in refused],
            )
            raise _Unstored
        if _attempt == 2:
            break
        logger.warning("Attestation numbers collided; %s drawn again", len(skipped))
        for row in skipped:
            row.number = numbers.new_number(row.kind, row.issue_on.year)
        pending = skipped
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


def _plan(
    group: _Group,
    applications: dict[int, Application],
    today: date,
    policy: Policy,
    *,
    outages=None,
):
    """`outages`: the outage log around the batch, read once by the sweep (None: each late
    renewal reads its own, `attestations.selectors.dossier_facts`)."""
    facts = [dossier_facts(app, outages=outages) for app in group.applications]
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
