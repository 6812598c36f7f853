"""Reads for the renewal reminders: the cards whose window is near, with what the rule needs,
in a fixed number of queries however many people hold them; and the reminders one person (or
their helper) sees on the dashboard."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from accounts.mandates import mandate_list_active_for_helper
from accounts.models import User
from accounts.permissions import is_applicant, is_helper
from anef.enums import NotificationLogChannel
from anef.models import NotificationLog
from applications.enums import ApplicationStatus, CorrectionStatus
from applications.models import Application, CorrectionRequest, ResidencePermit
from applications.reminders.rules import (
    INCOMPLETE_STATES,
    NOT_FILED_STATES,
    PermitFacts,
    Reminder,
    RenewalFacts,
    due_reminder,
)
from applications.rules import FilingPolicy
from applications.selectors import documents_given, missing_documents_by_application
from reference.models import DocumentType


@dataclass(frozen=True)
class PermitReminder:
    """A reminder due, with the card and the renewal it is about, for the e-mail and banner."""

    reminder: Reminder
    permit: ResidencePermit
    application: Application | None  # the incomplete renewal; else a draft to continue, if any


def permits_near_their_window(
    today: date, policy: FilingPolicy, *, holder=None
) -> QuerySet[ResidencePermit]:
    """Cards still valid whose renewal window opens within `renewal_window_start_days` (the
    widest window: a card renewed outside the online list opens two months before its end),
    of active accounts, with their holder, ground, renewals and open corrections. A card with
    a renewal complete or decided is left out in SQL: nothing is ever due for it."""
    newer = ResidencePermit.objects.filter(
        holder=OuterRef("holder"), valid_from__gt=OuterRef("valid_from")
    )
    settled = Application.objects.filter(renews_permit=OuterRef("pk")).exclude(
        status__in=NOT_FILED_STATES | INCOMPLETE_STATES
    )
    queryset = ResidencePermit.objects.filter(
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=policy.renewal_window_start_days),
        holder__is_active=True,
    ).exclude(Exists(settled))
    if holder is not None:
        queryset = queryset.filter(holder=holder)
    return (
        queryset.annotate(replaced=Exists(newer))
        .select_related("holder", "ground")
        .prefetch_related(
            Prefetch(
                "renewals",
                queryset=Application.objects.select_related("ground").order_by("pk"),
            ),
            Prefetch(
                "renewals__correction_requests",
                queryset=CorrectionRequest.objects.filter(
                    status=CorrectionStatus.OPEN
                ).prefetch_related("document_types"),
                to_attr="open_corrections",
            ),
        )
        .order_by("valid_until", "pk")
    )


def permits_with_something_to_send(today: date, policy: FilingPolicy) -> list[int]:
    """The cards of `permits_near_their_window` whose reminder due today may still have to go
    out, from a few narrow columns (a fixed number of statements, no row of a dossier loaded):
    the daily run then loads in full only these, not every card of the next four months.

    A card is left out when the rule (`due_reminder`) names no reminder for it even if every
    incomplete renewal waited for the person (which pieces are missing only decides whether one
    is due, never which one), or when the one it names was already e-mailed and, for a person
    who chose texts, already texted (the log's keys, as `_send_batch` and `sms_enqueue_many`
    check them). What is left is exactly what the full run would send."""
    near = permits_near_their_window(today, policy)
    cards = list(
        near.select_related(None)
        .prefetch_related(None)
        .values_list(
            "pk",
            "holder_id",
            "valid_until",
            "ground__renewable",
            "ground__renewed_online",
            "replaced",
            "holder__contact_channels",
            "holder__phone_verified_at",
            "holder__phone_number",
        )
    )
    renewals: dict[int, list[RenewalFacts]] = {}
    for pk, permit_id, status in (
        Application.objects.filter(renews_permit__in=near.values("pk"))
        .order_by("pk")
        .values_list("pk", "renews_permit_id", "status")
    ):
        # Assumed to wait for the person: the widest answer of the rule.
        renewals.setdefault(permit_id, []).append(
            RenewalFacts(application_id=pk, status=status, missing=(None,))
        )
    candidates = []
    for pk, holder_id, expires_on, renewable, online, replaced, channels, verified, phone in cards:
        facts = PermitFacts(
            permit_id=pk,
            expires_on=expires_on,
            renewable=True if renewable is None else renewable,
            renewed_online=True if online is None else online,
            replaced=bool(replaced),
        )
        reminder = due_reminder(facts, renewals.get(pk, []), today, policy)
        if reminder is None:
            continue
        holder = User(contact_channels=channels, phone_verified_at=verified, phone_number=phone)
        texts = bool(holder.sms_number)  # the same test as anef.sms
        candidates.append((pk, holder_id, reminder.kind, reminder.due_on, texts))
    if not candidates:
        return []
    logged = set(
        NotificationLog.objects.filter(
            person_id__in={holder for _pk, holder, *_rest in candidates},
            kind__in={kind for _pk, _holder, kind, *_rest in candidates},
            due_day__in={due_on for *_start, due_on, _texts in candidates},
            channel__in=[NotificationLogChannel.EMAIL, NotificationLogChannel.SMS],
        ).values_list("person_id", "kind", "due_day", "channel")
    )
    return [
        pk
        for pk, holder, kind, due_on, texts in candidates
        if (holder, kind, due_on, NotificationLogChannel.EMAIL) not in logged
        or (texts and (holder, kind, due_on, NotificationLogChannel.SMS) not in logged)
    ]


def _renewal_facts(
    application: Application, missing: list[DocumentType], given: list[tuple[int, object]]
) -> RenewalFacts:
    """The pieces still missing: the checklist's, then those an open correction asks for and
    not given since it was asked (as `correction_answer` checks them)."""
    corrections = getattr(application, "open_corrections", [])
    asked = [
        document_type
        for correction in corrections
        for document_type in correction.document_types.all()
        if not any(
            type_id == document_type.pk and uploaded_at >= correction.created_at
            for type_id, uploaded_at in given
        )
    ]
    pieces = list(missing) + [piece for piece in asked if piece not in missing]
    return RenewalFacts(
        application_id=application.pk,
        status=application.status,
        missing=tuple(pieces),
        correction_requested=bool(corrections),
    )


def permit_facts(permit: ResidencePermit) -> PermitFacts:
    ground = permit.ground
    return PermitFacts(
        permit_id=permit.pk,
        expires_on=permit.valid_until,
        renewable=ground.renewable if ground is not None else True,
        renewed_online=ground.renewed_online if ground is not None else True,
        replaced=bool(getattr(permit, "replaced", False)),
    )


def permit_reminders(
    permits: Iterable[ResidencePermit], today: date, policy: FilingPolicy
) -> list[PermitReminder]:
    """The reminders due on `today` for these cards (loaded by `permits_near_their_window`)."""
    permits = list(permits)
    incomplete = [
        application
        for permit in permits
        for application in permit.renewals.all()
        if application.status in INCOMPLETE_STATES
    ]
    given = documents_given(incomplete) if incomplete else {}
    missing = missing_documents_by_application(incomplete, given)
    due = []
    for permit in permits:
        renewals = list(permit.renewals.all())
        reminder = due_reminder(
            permit_facts(permit),
            [
                _renewal_facts(renewal, missing.get(renewal.pk, []), given.get(renewal.pk, []))
                for renewal in renewals
            ],
            today,
            policy,
        )
        if reminder is None:
            continue
        by_id = {renewal.pk: renewal for renewal in renewals}
        application = by_id.get(reminder.application_id) or next(
            (renewal for renewal in renewals if renewal.status == ApplicationStatus.DRAFT), None
        )
        due.append(PermitReminder(reminder, permit, application))
    return due


def reminders_visible_to(user, person, today: date) -> list[PermitReminder]:
    """The reminders of `person` that `user` may see: their own, or those of a person who gave
    them a mandate in force today covering the card's ground (another person: none)."""
    if user is None or person is None or not getattr(user, "is_authenticated", False):
        return []
    if is_applicant(user):
        if user.pk != person.pk:
            return []
        covers = None
    elif is_helper(user):
        mandates = list(
            mandate_list_active_for_helper(user, today)
            .filter(person_id=person.pk)
            .prefetch_related("grounds")
        )
        if not mandates:
            return []
        if any(mandate.all_grounds for mandate in mandates):
            covers = None
        else:
            covers = {ground.pk for mandate in mandates for ground in mandate.grounds.all()}
    else:
        return []
    policy = FilingPolicy.from_settings()
    reminders = permit_reminders(
        permits_near_their_window(today, policy, holder=person), today, policy
    )
    if covers is None:
        return reminders
    return [entry for entry in reminders if entry.permit.ground_id in covers]
