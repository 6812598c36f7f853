"""Reads on attestations, and the facts the rules need, from the database."""

from collections.abc import Iterable, Sequence
from datetime import date

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from accounts.permissions import can_use_back_office, is_applicant, is_helper
from anef.outages import OutageSpan, outage_spans_between
from applications.enums import ApplicationStatus
from applications.models import Application
from applications.rules import FilingPolicy, OutageDays, renewal_filing_window
from applications.selectors import application_list_visible_to, title_renewed_online
from attestations.models import Attestation
from attestations.rules import (
    END_CLOSED,
    END_REFUSED,
    END_WITHDRAWN,
    DossierFacts,
    young_person_deadline,
)
from reference.enums import ProcedureKind

FAVOURABLE_STATES = {
    ApplicationStatus.FAVOURABLE,
    ApplicationStatus.CARD_AVAILABLE,
    ApplicationStatus.CLOSED_CARD_HANDED_OVER,
}
ENDED_BY_DECISION = {ApplicationStatus.UNFAVOURABLE, ApplicationStatus.CLOSED}
END_BY_STATUS = {ApplicationStatus.UNFAVOURABLE: END_REFUSED, ApplicationStatus.CLOSED: END_CLOSED}


def _day(moment):
    return timezone.localdate(moment) if moment is not None else None


def _young_person_deadline(application: Application):
    if application.kind != ProcedureKind.FIRST_APPLICATION:
        return None  # decided before touching the profile: renewals need no extra row
    profile = getattr(application.applicant, "applicant_profile", None)
    return young_person_deadline(
        birth_date=profile.birth_date if profile is not None else None,
        ground_article=application.ground.ceseda_article,
        is_first_application=True,
        filed_on=_day(application.filed_at),
    )


# Procedures that continue a permit held: the API follows that permit (one chain per permit,
# whatever the number of applications renewing it: DESIGN.md §3).
PROCEDURES_CONTINUING_A_PERMIT = {ProcedureKind.RENEWAL, ProcedureKind.CHANGE_OF_STATUS}


def renews_a_permit(application: Application) -> bool:
    return (
        application.renews_permit_id is not None
        and application.kind in PROCEDURES_CONTINUING_A_PERMIT
    )


def _late_window_end(application: Application, policy: FilingPolicy) -> date | None:
    """The last day of the renewal's filing window when it was filed after it (the only case an
    outage can excuse), else None."""
    if not renews_a_permit(application) or application.filed_at is None:
        return None
    window = renewal_filing_window(
        application.renews_permit.valid_until,
        policy,
        renewed_online=title_renewed_online(application),
    )
    return window.closes_on if _day(application.filed_at) > window.closes_on else None


def _outages_covering(day: date | None, spans: Iterable[OutageSpan]) -> tuple[OutageDays, ...]:
    if day is None:
        return ()
    return tuple(
        OutageDays(span.first_day, span.last_day)
        for span in spans
        if span.first_day <= day and (span.last_day is None or day <= span.last_day)
    )


def dossier_facts(
    application: Application, *, outages: Sequence[OutageSpan] | None = None
) -> DossierFacts:
    """The dates of one dossier, as the pure rules read them (select_related renews_permit,
    ground and applicant__applicant_profile).

    `outages`: the outage log around the dossiers read together (`dossier_facts_list` reads it
    once); without it, a renewal filed after its window closed reads the outages of that day
    itself (one query, only for such a renewal)."""
    policy = FilingPolicy.from_settings()
    window_end = _late_window_end(application, policy)
    if window_end is not None and outages is None:
        outages = outage_spans_between(window_end, window_end)
    permit = application.renews_permit
    status = application.status
    ended_on, end_reason = None, ""
    if status in ENDED_BY_DECISION:
        ended_on, end_reason = _day(application.decided_at), END_BY_STATUS[status]
    elif status == ApplicationStatus.WITHDRAWN:
        ended_on, end_reason = _day(application.withdrawn_at), END_WITHDRAWN
    return DossierFacts(
        application_id=application.pk,
        filed_on=_day(application.filed_at),
        # Complete once is enough: a correction asked for later does not take the right back.
        completed_on=_day(application.first_completed_at or application.completed_at),
        reopened_on=_day(application.reopened_at),
        end_reason=end_reason,
        is_renewal=renews_a_permit(application),
        renewed_online=title_renewed_online(application),
        permit_expires_on=permit.valid_until if permit is not None else None,
        young_person_deadline=_young_person_deadline(application),
        favourable_on=_day(application.decided_at) if status in FAVOURABLE_STATES else None,
        card_handed_over_on=application.card_handed_over_on,
        ended_on=ended_on,
        outages=_outages_covering(window_end, outages or ()),
    )


def outages_around(applications: Iterable[Application]) -> list[OutageSpan]:
    """The outage log around the filing windows of many dossiers, in one query (none when no
    renewal among them was filed after its window closed)."""
    policy = FilingPolicy.from_settings()
    ends = [_late_window_end(application, policy) for application in applications]
    ends = [day for day in ends if day is not None]
    return outage_spans_between(min(ends), max(ends)) if ends else []


def dossier_facts_list(applications: Iterable[Application]) -> list[DossierFacts]:
    """`dossier_facts` of many dossiers, reading the outage log once for all of them."""
    applications = list(applications)
    spans = outages_around(applications)
    return [dossier_facts(application, outages=spans) for application in applications]


def renewal_siblings_facts(applications: Iterable[Application]) -> dict[int, list[DossierFacts]]:
    """Per permit renewed by one of `applications`: the facts of every application renewing it
    (the applications themselves included), in one query, for `risk_rules.renewal_risk`."""
    permit_ids = {application.renews_permit_id for application in applications}
    permit_ids.discard(None)
    if not permit_ids:
        return {}
    by_permit: dict[int, list[DossierFacts]] = {}
    siblings = [
        sibling
        for sibling in Application.objects.filter(renews_permit_id__in=permit_ids).select_related(
            "renews_permit__ground", "ground", "applicant__applicant_profile"
        )
        if renews_a_permit(sibling)
    ]
    for sibling, facts in zip(siblings, dossier_facts_list(siblings), strict=True):
        by_permit.setdefault(sibling.renews_permit_id, []).append(facts)
    return by_permit


def of_dossier(application: Application) -> Q:
    """A dossier's attestations: its own, and the API chain of the permit it renews (one chain
    per permit, carried by whichever application renewing it was complete first)."""
    mine = Q(application_id=application.pk)
    if renews_a_permit(application):
        mine |= Q(kind="api", permit_id=application.renews_permit_id)
    return mine


def attestation_list_visible_to(user) -> QuerySet[Attestation]:
    """Holders see their own attestations; helpers those of the dossiers their mandates cover;
    agents those of their prefecture's dossiers."""
    queryset = Attestation.objects.select_related("application", "ground", "prefecture")
    if is_applicant(user):
        return queryset.filter(holder=user)
    if is_helper(user):  # those of the dossiers a mandate in force lets them see (issue 6)
        return queryset.filter(
            application__in=application_list_visible_to(user).values("pk"),
            holder=F("application__applicant"),
        )
    if can_use_back_office(user):
        return queryset.filter(application__prefecture_id=user.prefecture_id)
    return queryset.none()


def attestation_get_public(number: str) -> Attestation | None:
    """For third-party verification: by number only, no account needed."""
    return (
        Attestation.objects.select_related("prefecture", "ground", "permit__ground")
        .filter(number=number)
        .first()
    )
