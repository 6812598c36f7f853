"""Issuing attestations: the sweep computes, from the database alone, which attestations must
exist today and issues what is missing (DESIGN.md §3). It is the source of truth: a lost
message or a crashed worker only delays an attestation, never loses it.

Exactly once: dossiers are claimed with `select_for_update(skip_locked=True)` (two sweeps at once
take different dossiers) and the unique constraint (application, kind, period) refuses a second
copy of the same attestation whatever happens (`bulk_create(ignore_conflicts=True)`).
"""

import logging
import time
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import Application
from attestations import numbers, verification_cache
from attestations.enums import AttestationKind, AttestationStatus
from attestations.models import Attestation
from attestations.rules import (
    ADF,
    API,
    Period,
    PeriodState,
    Policy,
    attestation_states,
    rights_for,
)
from attestations.selectors import dossier_facts

logger = logging.getLogger(__name__)

FINAL_STATES = {
    ApplicationStatus.CLOSED_CARD_HANDED_OVER,
    ApplicationStatus.UNFAVOURABLE,
    ApplicationStatus.CLOSED,
    ApplicationStatus.WITHDRAWN,
}
# A dossier whose attestations have all ended is not looked at again until it changes.
NEVER_AGAIN = date(9999, 12, 31)

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
    updated: int = 0
    batches: int = 0


def _holder_snapshot(application: Application) -> dict:
    user = application.applicant
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


def _status_fields(state: PeriodState, today: date) -> dict:
    status = state.status_on(today)
    return {
        "ends_on": state.ends_on,
        "status": status,
    }


def _new_attestation(application: Application, period: Period, state: PeriodState, today: date):
    fields = _status_fields(state, today)
    return Attestation(
        number=numbers.new_number(period.kind, period.issue_on.year),
        kind=period.kind,
        application=application,
        holder=application.applicant,
        period=period.index,
        valid_from=period.valid_from,
        valid_until=period.valid_until,
        issue_on=period.issue_on,
        holder_snapshot=_holder_snapshot(application),
        rights=_rights(application, period.kind),
        ground=application.ground,
        prefecture=application.prefecture,
        status_changed_on=today if fields["status"] != AttestationStatus.VALID else None,
        **fields,
    )


def _reconcile(
    application: Application, today: date, policy: Policy
) -> tuple[list[Attestation], list[Attestation], bool]:
    """What to create and what to update for one dossier; and whether it is settled for good."""
    states = attestation_states(dossier_facts(application), today, policy)
    existing = {(item.kind, item.period): item for item in application.attestations.all()}
    to_create, to_update = [], []
    required_keys = set()
    snapshot = None
    for state in states:
        key = (state.period.kind, state.period.index)
        required_keys.add(key)
        current = existing.get(key)
        if current is None:
            to_create.append(_new_attestation(application, state.period, state, today))
            continue
        wanted = _status_fields(state, today)
        changed = False
        if (current.status, current.ends_on) != (wanted["status"], wanted["ends_on"]):
            if current.status != wanted["status"]:
                current.status_changed_on = today
            current.status, current.ends_on = wanted["status"], wanted["ends_on"]
            changed = True
        if current.status == AttestationStatus.VALID:
            snapshot = snapshot or _holder_snapshot(application)
            if current.holder_snapshot != snapshot:  # e.g. a new address: reissued as is
                current.holder_snapshot = snapshot
                current.pdf_rendered_at = None
                changed = True
        if changed:
            to_update.append(current)
    # Issued earlier but no longer required (a decision stopped the chain): ended, never deleted.
    for key, current in existing.items():
        if key not in required_keys and current.status == AttestationStatus.VALID:
            current.status = AttestationStatus.REVOKED
            current.status_changed_on = today
            current.ends_on = current.ends_on or today
            to_update.append(current)
    settled = application.status in FINAL_STATES and not any(
        state.status_on(today) == AttestationStatus.VALID and state.period.kind in (API, ADF)
        for state in states
    )
    return to_create, to_update, settled


def _sweepable(today: date) -> Q:
    return ~Q(status=ApplicationStatus.DRAFT) & (
        Q(attestations_dirty=True)
        | Q(attestations_swept_on__isnull=True)
        | Q(attestations_swept_on__lt=today)
    )


def _insert_exactly_once(creations: list[Attestation]) -> tuple[int, set[int]]:
    """Insert the new attestations; return how many were stored and the dossiers left short.

    `ignore_conflicts` lets a second sweep racing us on the same (application, kind, period)
    pass quietly: that attestation exists, which is all that matters. But the same clause also
    skips a row whose random public number happens to be taken already: that attestation would
    be missing. So the rows are read back: a key missing from the table gets a new number and is
    inserted again (a collision twice in a row is already unheard of); a dossier still short
    after that is left for the next sweep (not marked swept) rather than reported done.
    """
    stored = 0
    pending = creations
    for _attempt in range(3):
        Attestation.objects.bulk_create(pending, ignore_conflicts=True)
        # By number first (the unique index answers at once, whatever the planner's statistics):
        # a row found with our number and our key is ours.
        found = {
            number: (application_id, kind, period)
            for number, application_id, kind, period in Attestation.objects.filter(
                number__in=[item.number for item in pending]
            ).values_list("number", "application_id", "kind", "period")
        }
        unconfirmed = []
        for item in pending:
            if found.get(item.number) == (item.application_id, item.kind, item.period):
                stored += 1
            else:
                unconfirmed.append(item)
        if not unconfirmed:
            return stored, set()
        # Rare: either a concurrent sweep stored that key first (done), or the number was taken.
        existing_keys = set(
            Attestation.objects.filter(
                application_id__in={item.application_id for item in unconfirmed}
            ).values_list("application_id", "kind", "period")
        )
        missing = []
        for item in unconfirmed:
            if (item.application_id, item.kind, item.period) not in existing_keys:
                item.number = numbers.new_number(item.kind, item.issue_on.year)
                missing.append(item)
        if not missing:
            return stored, set()
        logger.warning("Attestation numbers collided; %s drawn again", len(missing))
        pending = missing
    return stored, {item.application_id for item in pending}


def _sync_batch(ids: list[int], today: date, policy: Policy, report: SweepReport) -> None:
    applications = (
        Application.objects.filter(pk__in=ids)
        .select_related("renews_permit", "ground", "prefecture", "applicant__applicant_profile")
        .prefetch_related("attestations")
    )
    creations, updates, settled_ids, open_ids = [], [], [], []
    changed_numbers = []  # the verification pages to refresh (a new one changes the older ones')
    for application in applications:
        to_create, to_update, settled = _reconcile(application, today, policy)
        creations += to_create
        updates += to_update
        (settled_ids if settled else open_ids).append(application.pk)
        if to_create or to_update:
            changed_numbers += [item.number for item in application.attestations.all()]
    verification_cache.generation_bump(changed_numbers)
    short_ids: set[int] = set()
    if creations:
        stored, short_ids = _insert_exactly_once(creations)
        report.issued += stored
    if updates:
        Attestation.objects.bulk_update(
            updates,
            ["status", "status_changed_on", "ends_on", "holder_snapshot", "pdf_rendered_at"],
        )
        report.updated += len(updates)
    # A dossier left short stays dirty: the next sweep gives it what it lacks.
    Application.objects.filter(pk__in=set(open_ids) - short_ids).update(
        attestations_swept_on=today, attestations_dirty=False
    )
    Application.objects.filter(pk__in=set(settled_ids) - short_ids).update(
        attestations_swept_on=NEVER_AGAIN, attestations_dirty=False
    )
    report.applications += len(ids)
    report.batches += 1


def attestations_sweep(
    *, today: date | None = None, batch_size: int = 500, policy: Policy | None = None
) -> SweepReport:
    """Bring every dossier's attestations up to date; a second run the same day does nothing."""
    today = today or timezone.localdate()
    policy = policy or Policy.from_settings()
    report = SweepReport()
    # Keyset: each claim resumes after the last dossier claimed, so it never walks again over
    # the rows this sweep has just settled (at 200,000 dossiers that walk dominated the time).
    # A dossier changed behind us is swept at once on commit of that change, and by the next run.
    last_claimed = 0
    while True:
        with transaction.atomic():
            ids = list(
                Application.objects.select_for_update(skip_locked=True)
                .filter(_sweepable(today), pk__gt=last_claimed)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            last_claimed = ids[-1]
            _sync_batch(ids, today, policy, report)
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
    _after_issuance_on_commit()
    return attestation
