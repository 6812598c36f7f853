"""The at-risk dashboard of one prefecture (issue 16): the people who may soon be left without a
document proving their rights, and what an agent should do for each, today.

Four sections, each read in one or two queries whatever the prefecture's size:

(a) `permits_ending`: a permit held in the portal ends within `PERMIT_ENDING_DAYS` days and no
    renewal has been filed for it (R. 431-5 1°: it should have been, by the 60th day);
(b) `renewals`: renewals the law leaves uncovered (`risk_rules.renewal_risk`: filed late, incomplete
    near expiry) and renewals still incomplete close to the last day of their filing window;
(c) `api_gaps`: APIs ending within the lead time with no next one issued. This must be zero:
    the sweep issues the next API `api_lead_days` ahead; each row says why it did not;
(d) `decisions_due`: complete dossiers whose silence becomes an implicit rejection soon (R.
    432-2), or complete for long when no date can be stated.

A person is scoped by the prefecture of their dossier, or for (a), where no dossier exists yet,
by the postal code of their address (the prefecture that will instruct their renewal).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.permissions import can_use_back_office
from applications.enums import ApplicationStatus
from applications.models import Application, ResidencePermit
from applications.rules import (
    IMPLICIT_REJECTION_MONTHS,
    implicit_rejection_on,
    renewal_filing_window,
)
from applications.selectors import application_list_visible_to, title_renewed_online
from attestations.enums import AttestationKind
from attestations.models import Attestation
from attestations.risk_rules import RISK_FILED_LATE, renewal_risk
from attestations.rules import Policy, entitled_to_api
from attestations.selectors import (
    PROCEDURES_CONTINUING_A_PERMIT,
    renewal_siblings_facts,
)
from reference.models import Prefecture
from reference.rules import postal_code_range

# (a) A permit ending within this many days with no renewal filed.
PERMIT_ENDING_DAYS = 60
# Closer than this to the card's end, a reminder is too late: book a desk appointment.
PERMIT_APPOINTMENT_DAYS = 15
# (b) An incomplete renewal this close to (or past) the last day of its filing window.
INCOMPLETE_DAYS_BEFORE_WINDOW_END = 15
# (d) Listed this many days before the implicit rejection (and after it, until decided).
DECISION_DUE_DAYS = 30
# (d) Cards whose silence period anef does not model: listed once complete for this long.
DECISION_DUE_COMPLETE_DAYS = 90

SECTIONS = ("permits_ending", "renewals", "api_gaps", "decisions_due")

# What to do (each row has one).
ACTION_REMIND = "remind"  # send a reminder: file the renewal, or send what is missing
ACTION_BOOK_APPOINTMENT = "book_appointment"  # too close: a desk appointment (substitution)
ACTION_CALL = "call"  # speak to the person: what document can they receive
ACTION_EXAMINE = "examine"  # the file waits for us: check completeness now
ACTION_ISSUE_NOW = "issue_now"  # issue the next attestation now (the dossier's sweep button)
ACTION_DECIDE = "decide"

# Why a row is listed.
CODE_PERMIT_ENDING = "permit_ending"
CODE_DRAFT_NOT_FILED = "draft_not_filed"
CODE_INCOMPLETE_NEAR_WINDOW_END = "incomplete_near_window_end"
CODE_IMPLICIT_REJECTION = "implicit_rejection"
CODE_COMPLETE_FOR_LONG = "complete_for_long"
# (c) Why no next API was issued.
GAP_WAITING_FOR_SWEEP = "waiting_for_sweep"  # the dossier changed; the sweep has not run since
GAP_SWEEP_LATE = "sweep_late"  # its review day has passed: the sweep is behind
GAP_NO_REVIEW_PLANNED = "no_review_planned"  # no review day: the sweep will not look again
GAP_REVIEW_TOO_LATE = "review_too_late"  # a review day later than the next API's issue day

UNDECIDED_STATES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.CORRECTION_REQUESTED,
    ApplicationStatus.COMPLETE,
)


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    address: str


@dataclass(frozen=True)
class AtRiskRow:
    section: str
    code: str
    action: str
    contact: Contact
    due_on: date  # the day that matters: the card's end, the API's end, the implicit rejection
    days_left: int  # negative once `due_on` has passed
    application: Application | None = None
    permit: ResidencePermit | None = None
    attestation: Attestation | None = None
    sweep_due_on: date | None = None  # (c) the dossier's review day, when it has one

    @property
    def days_ago(self) -> int:
        return max(0, -self.days_left)

    @property
    def urgent(self) -> bool:
        return self.section == "api_gaps"


@dataclass(frozen=True)
class AtRiskDashboard:
    prefecture: Prefecture
    today: date
    permits_ending: list[AtRiskRow] = field(default_factory=list)
    renewals: list[AtRiskRow] = field(default_factory=list)
    api_gaps: list[AtRiskRow] = field(default_factory=list)
    decisions_due: list[AtRiskRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {section: len(getattr(self, section)) for section in SECTIONS}

    @property
    def total(self) -> int:
        """The rows of every section: what the prefecture has to act on today."""
        return sum(self.counts.values())


# --- Pure choices ------------------------------------------------------------------------------


def permit_action(days_left: int) -> str:
    """A reminder while there is time to file online; a desk appointment when there is not."""
    if days_left <= PERMIT_APPOINTMENT_DAYS:
        return ACTION_BOOK_APPOINTMENT
    return ACTION_REMIND


def renewal_action(code: str, status: str) -> str:
    """Filed late: call (the law gives no API: what document can they have?). Incomplete: if
    we asked for something, remind them of it; if the file waits for us, examine it now."""
    if code == RISK_FILED_LATE:
        return ACTION_CALL
    if status == ApplicationStatus.CORRECTION_REQUESTED:
        return ACTION_REMIND
    return ACTION_EXAMINE


def api_gap_reason(
    *, dirty: bool, next_review_on: date | None, next_issue_on: date, today: date
) -> str:
    """Why the sweep has not issued the next API although it is due (`next_issue_on`)."""
    if dirty:
        return GAP_WAITING_FOR_SWEEP
    if next_review_on is None:
        return GAP_NO_REVIEW_PLANNED
    if next_review_on <= today:
        return GAP_SWEEP_LATE
    return GAP_REVIEW_TOO_LATE if next_review_on > next_issue_on else GAP_SWEEP_LATE


# --- Reads -------------------------------------------------------------------------------------


def postal_codes_of(departement_code: str, field_name: str = "postal_code") -> Q:
    """The postal codes of a département, as a filter on `field_name`: the range of
    reference.rules.postal_code_range, the inverse of departement_code_for_postal_code."""
    low, high = postal_code_range(departement_code)
    return Q(**{f"{field_name}__gte": low, f"{field_name}__lt": high})


def _contact(user) -> Contact:
    profile = getattr(user, "applicant_profile", None)
    address = f"{profile.address_line}, {profile.postal_code} {profile.city}" if profile else ""
    return Contact(name=user.get_full_name() or user.email, email=user.email, address=address)


def _permits_ending(prefecture: Prefecture | None, today: date) -> list[AtRiskRow]:
    """(a) for one prefecture, or for the whole country (`prefecture` None)."""
    renewals = Application.objects.filter(
        renews_permit=OuterRef("pk"), kind__in=PROCEDURES_CONTINUING_A_PERMIT
    )
    filed = renewals.exclude(status__in=(ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN))
    newer = ResidencePermit.objects.filter(
        holder=OuterRef("holder"), valid_until__gt=OuterRef("valid_until")
    )
    in_prefecture = (
        postal_codes_of(prefecture.departement_code, "holder__applicant_profile__postal_code")
        if prefecture is not None
        else Q()
    )
    permits = (
        ResidencePermit.objects.filter(
            in_prefecture,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=PERMIT_ENDING_DAYS),
        )
        .alias(filed=Exists(filed), newer=Exists(newer))
        .filter(filed=False, newer=False)
        .annotate(has_draft=Exists(renewals.filter(status=ApplicationStatus.DRAFT)))
        .select_related("holder__applicant_profile", "ground")
        .order_by("valid_until", "pk")
    )
    rows = []
    for permit in permits:
        days_left = (permit.valid_until - today).days
        rows.append(
            AtRiskRow(
                section="permits_ending",
                code=CODE_DRAFT_NOT_FILED if permit.has_draft else CODE_PERMIT_ENDING,
                action=permit_action(days_left),
                contact=_contact(permit.holder),
                due_on=permit.valid_until,
                days_left=days_left,
                permit=permit,
            )
        )
    return rows


def _renewals(applications, today: date, policy: Policy) -> list[AtRiskRow]:
    candidates = list(
        applications.filter(kind__in=PROCEDURES_CONTINUING_A_PERMIT, status__in=UNDECIDED_STATES)
        .filter(renews_permit__isnull=False)
        .select_related("renews_permit__ground", "applicant__applicant_profile")
        .order_by("renews_permit__valid_until", "pk")
    )
    siblings = renewal_siblings_facts(candidates)
    # The candidates are among the applications renewing their permits: their facts are there.
    facts_of = {facts.application_id: facts for group in siblings.values() for facts in group}
    rows = []
    for application in candidates:
        facts = facts_of[application.pk]
        risk = renewal_risk(
            facts, today, policy, siblings=siblings.get(application.renews_permit_id, ())
        )
        if risk is not None:
            rows.append(
                AtRiskRow(
                    section="renewals",
                    code=risk.code,
                    action=renewal_action(risk.code, application.status),
                    contact=_contact(application.applicant),
                    due_on=application.renews_permit.valid_until,
                    days_left=risk.days_left,
                    application=application,
                )
            )
            continue
        if facts.completed_on is not None or application.status == ApplicationStatus.COMPLETE:
            continue
        if _covered_by_a_sibling(facts, siblings.get(application.renews_permit_id, ()), policy):
            continue
        window = renewal_filing_window(
            application.renews_permit.valid_until,
            policy,
            renewed_online=title_renewed_online(application),
        )
        days_left = (window.closes_on - today).days
        if days_left > INCOMPLETE_DAYS_BEFORE_WINDOW_END:
            continue
        rows.append(
            AtRiskRow(
                section="renewals",
                code=CODE_INCOMPLETE_NEAR_WINDOW_END,
                action=renewal_action(CODE_INCOMPLETE_NEAR_WINDOW_END, application.status),
                contact=_contact(application.applicant),
                due_on=window.closes_on,
                days_left=days_left,
                application=application,
            )
        )
    return sorted(rows, key=lambda row: (row.days_left, row.application.pk))


def _covered_by_a_sibling(facts, siblings, policy: Policy) -> bool:
    """Another application renewing the same permit, complete and in time, is undecided: the
    permit's API chain covers the person (one chain per permit)."""
    return any(
        sibling.application_id != facts.application_id
        and entitled_to_api(sibling, policy)
        and sibling.favourable_on is None
        and sibling.ended_on is None
        for sibling in siblings
    )


def _api_gaps(prefecture: Prefecture | None, today: date, policy: Policy) -> list[AtRiskRow]:
    """(c) for one prefecture, or for the whole country (`prefecture` None)."""
    last_day = today + timedelta(days=max(policy.api_lead_days - 1, 0))
    in_prefecture = Q(application__prefecture=prefecture) if prefecture is not None else Q()
    apis = (
        Attestation.objects.filter(
            in_prefecture,
            kind=AttestationKind.API,
            ended_on__isnull=True,
            valid_until__gte=today,
            valid_until__lte=last_day,
            continuation__isnull=True,
            replacement__isnull=True,
        )
        .select_related("application__applicant__applicant_profile", "holder__applicant_profile")
        .order_by("valid_until", "pk")
    )
    rows = []
    for api in apis:
        application = api.application
        next_issue_on = api.valid_until + timedelta(days=1 - policy.api_lead_days)
        rows.append(
            AtRiskRow(
                section="api_gaps",
                code=api_gap_reason(
                    dirty=application.attestations_dirty,
                    next_review_on=application.attestations_next_review_on,
                    next_issue_on=next_issue_on,
                    today=today,
                ),
                action=ACTION_ISSUE_NOW,
                contact=_contact(api.holder),
                due_on=api.valid_until,
                days_left=(api.valid_until - today).days,
                application=application,
                attestation=api,
                sweep_due_on=application.attestations_next_review_on,
            )
        )
    return rows


def _decisions_due(applications, today: date) -> list[AtRiskRow]:
    horizon = today + timedelta(days=DECISION_DUE_DAYS)
    # A superset in SQL (completed by either cut-off), the exact date from the rule.
    cutoff = max(
        horizon - relativedelta(months=IMPLICIT_REJECTION_MONTHS),
        today - timedelta(days=DECISION_DUE_COMPLETE_DAYS),
    )
    complete = (
        applications.filter(status=ApplicationStatus.COMPLETE, completed_at__isnull=False)
        .filter(completed_at__date__lte=cutoff + timedelta(days=1))
        .select_related("applicant__applicant_profile")
        .order_by("completed_at", "pk")
    )
    rows = []
    for application in complete:
        complete_on = timezone.localdate(application.completed_at)
        rejection_on = implicit_rejection_on(
            status=application.status,
            complete_on=complete_on,
            card_type=application.ground.card_type,
        )
        if rejection_on is not None:
            if rejection_on > horizon:
                continue
            code, due_on = CODE_IMPLICIT_REJECTION, rejection_on
        else:
            if complete_on > today - timedelta(days=DECISION_DUE_COMPLETE_DAYS):
                continue
            code, due_on = CODE_COMPLETE_FOR_LONG, complete_on
        rows.append(
            AtRiskRow(
                section="decisions_due",
                code=code,
                action=ACTION_DECIDE,
                contact=_contact(application.applicant),
                due_on=due_on,
                days_left=(due_on - today).days,
                application=application,
            )
        )
    return sorted(rows, key=lambda row: (row.days_left, row.application.pk))


def at_risk_thresholds() -> dict[str, int]:
    """The figures the page explains its sections with."""
    return {
        "permit_ending_days": PERMIT_ENDING_DAYS,
        "permit_appointment_days": PERMIT_APPOINTMENT_DAYS,
        "incomplete_days_before_window_end": INCOMPLETE_DAYS_BEFORE_WINDOW_END,
        "decision_due_days": DECISION_DUE_DAYS,
        "decision_due_complete_days": DECISION_DUE_COMPLETE_DAYS,
    }


def at_risk_dashboard(
    user, *, today: date | None = None, policy: Policy | None = None
) -> AtRiskDashboard | None:
    """The dashboard of the agent's own prefecture (None for anyone else): a constant number
    of queries whatever the number of rows."""
    if not can_use_back_office(user):
        return None
    today = today or timezone.localdate()
    policy = policy or Policy.from_settings()
    prefecture = user.prefecture
    applications = application_list_visible_to(user)
    return AtRiskDashboard(
        prefecture=prefecture,
        today=today,
        permits_ending=_permits_ending(prefecture, today),
        renewals=_renewals(applications, today, policy),
        api_gaps=_api_gaps(prefecture, today, policy),
        decisions_due=_decisions_due(applications, today),
    )
