"""Which attestations must exist for a dossier, and when: pure functions, no database, no clock.

The law (CESEDA, as in force since 1 May 2021; DESIGN.md §3 "attestations"):
- R. 431-5 1°: a holder of a residence document files its renewal between the 120th and the 60th
  day before it expires; 2°-4°: some young people file by a deadline of their own.
- R. 431-15-1: filing online gives at once a deposit certificate, which does NOT prove legal
  residence. When the instruction of a COMPLETE application filed within the R. 431-5 time limits
  goes on past the expiry of the document held, the prefect MUST provide an attestation de
  prolongation de l'instruction (API), valid at most three months, renewed as long as no decision
  is taken. A favourable decision gives an attestation (ADF) pending the card.
- Conseil d'État, 5 May 2026 (seeds/000_*.txt): the API must be in the person's hands BEFORE the
  previous document expires, renewed in time, never conditional on a request of the person.

So: an API covers the day after the permit's expiry, is issued `api_lead_days` before that day
(or at completion if later), lasts `api_validity_months`; the next one starts the day after the
previous one ends and is issued the same lead time ahead; no day is left uncovered. A favourable
decision on day D starts an ADF on D (the API stops on D-1); the card's handover on day H ends
the ADF on H-1. A refusal, closure or withdrawal on day D ends every attestation on D-1.

Policy settings may be more generous than the law, never stricter (`Policy.from_settings`).
"""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings

DEPOSIT_RECEIPT = "deposit_receipt"
API = "api"
ADF = "adf"

# Why an attestation stopped being valid.
ENDED_EXPIRED = "expired"  # its validity ran out with nothing to follow (or the card was handed)
ENDED_SUPERSEDED = "superseded"  # a newer attestation took over the next day
ENDED_REVOKED = "revoked"  # the application was refused, closed or withdrawn

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Policy:
    renewal_window_start_days: int = 120
    renewal_window_end_days: int = 60
    api_validity_months: int = 3
    api_lead_days: int = 15
    adf_validity_months: int = 3
    adf_lead_days: int = 15
    filed_before_expiry_counts_as_in_time: bool = False
    issue_on_filing: bool = False
    at_risk_days_before_expiry: int = 30

    @classmethod
    def from_settings(cls) -> "Policy":
        """The policy in force, from `settings.ATTESTATION_POLICY` (each value's legal source is
        cited there). A setting stricter than the law is refused."""
        policy = cls(**{key.lower(): value for key, value in settings.ATTESTATION_POLICY.items()})
        law = cls()
        if (
            policy.renewal_window_start_days < law.renewal_window_start_days
            or policy.renewal_window_end_days > law.renewal_window_end_days
            or policy.api_validity_months > law.api_validity_months
            or policy.api_lead_days < 0
            or policy.adf_lead_days < 0
        ):
            raise ValueError("ATTESTATION_POLICY is stricter than CESEDA R. 431-5 / R. 431-15-1")
        return policy


@dataclass(frozen=True)
class DossierFacts:
    """What the rules need to know of one dossier, as dates (None: has not happened)."""

    filed_on: date | None
    completed_on: date | None = None
    is_renewal: bool = False
    permit_expires_on: date | None = None  # last day of validity of the permit renewed
    young_person_deadline: date | None = None  # R. 431-5 2°-4°: last day to file, if concerned
    favourable_on: date | None = None
    card_handed_over_on: date | None = None
    ended_on: date | None = None  # refused, closed or withdrawn on this day


@dataclass(frozen=True)
class Period:
    """One attestation that must exist: its kind, its rank in the chain, when it is valid and the
    day it must be in the person's hands."""

    kind: str
    index: int
    valid_from: date
    valid_until: date | None  # None: no end date (the deposit receipt)
    issue_on: date


@dataclass(frozen=True)
class PeriodState:
    period: Period
    ends_on: date | None  # last day it is valid, once known (None: open-ended)
    end_reason: str | None = None  # ENDED_* once it has stopped, or will stop, being valid

    def status_on(self, today: date) -> str:
        if self.ends_on is not None and today > self.ends_on:
            return self.end_reason or ENDED_EXPIRED
        return "valid"

    def covers(self, day: date) -> bool:
        return self.period.valid_from <= day and (self.ends_on is None or day <= self.ends_on)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_period_end(start: date, months: int) -> date:
    """Last day of a validity of `months` months starting on `start` (inclusive)."""
    return add_months(start, months) - ONE_DAY


# --- Filing in time (R. 431-5) ------------------------------------------------------------------

# R. 431-5 2° (décret n° 2021-313 du 24 mars 2021): the people these articles name file at the
# latest the day before their 19th birthday. 3°: a young person who meets none of them files at
# the latest two months after their 18th birthday. R. 431-15-1 gives both the API when their
# complete application was filed in time.
R431_5_2_ARTICLES = frozenset(
    {
        "L. 421-22",
        "L. 421-23",
        *(f"L. 421-{number}" for number in range(26, 34)),  # L. 421-26 à 29, L. 421-30 à 33
        "L. 423-14",
        "L. 423-15",
        "L. 423-21",
        "L. 423-22",
        "L. 424-1",
        "L. 424-3",
        "L. 424-24",
        "L. 426-1",
    }
)
_ARTICLE = re.compile(r"L\.\s*(\d{3})-(\d+)")


def cites_r431_5_2_article(ceseda_article: str) -> bool:
    """Whether a ground's legal basis (as the catalogue writes it, e.g. "L. 424-3, 3°") is one
    of the articles listed in R. 431-5 2°."""
    return any(
        f"L. {book}-{number}" in R431_5_2_ARTICLES
        for book, number in _ARTICLE.findall(ceseda_article)
    )


def anniversary(birth_date: date, years: int) -> date:
    """The birthday `years` later; one born on 29 February has it on 1 March in other years."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return date(birth_date.year + years, 3, 1)


def young_person_deadline(
    *, birth_date: date | None, ground_article: str, is_first_application: bool, filed_on
) -> date | None:
    """The R. 431-5 2°/3° deadline of a young person's first application, or None when it does
    not apply (not a first application, no birth date known, or filed after it: then the person
    is not, or no longer, in that case and the general rules apply)."""
    if not is_first_application or birth_date is None or filed_on is None:
        return None
    if cites_r431_5_2_article(ground_article):
        deadline = anniversary(birth_date, 19) - ONE_DAY
    else:
        deadline = add_months(anniversary(birth_date, 18), 2)
    return deadline if filed_on <= deadline else None


def renewal_filed_in_time(filed_on: date, expires_on: date, policy: Policy) -> bool:
    """R. 431-5 1°: filed between the 120th and the 60th day before expiry (both included).
    Policy may count any filing before expiry as in time; a filing after expiry never is."""
    if filed_on > expires_on:
        return False
    if policy.filed_before_expiry_counts_as_in_time:
        return True
    earliest = expires_on - timedelta(days=policy.renewal_window_start_days)
    latest = expires_on - timedelta(days=policy.renewal_window_end_days)
    return earliest <= filed_on <= latest


def entitled_to_api(facts: DossierFacts, policy: Policy) -> bool:
    """A complete application filed in time, by a renewal or an R. 431-5 2°-4° young person."""
    if facts.filed_on is None:
        return False
    if facts.completed_on is None and not policy.issue_on_filing:
        return False
    if facts.is_renewal and facts.permit_expires_on is not None:
        return renewal_filed_in_time(facts.filed_on, facts.permit_expires_on, policy)
    if facts.young_person_deadline is not None:
        return facts.filed_on <= facts.young_person_deadline
    return False


def _entitlement_day(facts: DossierFacts, policy: Policy) -> date:
    """The day the right to an API is established: completion, or filing under the policy."""
    if policy.issue_on_filing:
        return (
            facts.filed_on
            if facts.completed_on is None
            else min(facts.filed_on, facts.completed_on)
        )
    return facts.completed_on


def _decision_day(facts: DossierFacts) -> date | None:
    days = [day for day in (facts.favourable_on, facts.ended_on) if day is not None]
    return min(days) if days else None


# --- The chains ---------------------------------------------------------------------------------


def _chain(
    *,
    kind: str,
    first_day: date,
    months: int,
    lead_days: int,
    earliest_issue: date,
    stop_on: date | None,
    today: date,
) -> list[Period]:
    """Consecutive periods from `first_day`, each issued `lead_days` before it starts (never
    before `earliest_issue`), up to `today`; none is issued on or after `stop_on`."""
    periods: list[Period] = []
    valid_from = first_day
    index = 0
    while True:
        valid_until = months_period_end(valid_from, months)
        issue_on = max(valid_from - timedelta(days=lead_days), earliest_issue)
        if issue_on > today or (stop_on is not None and issue_on >= stop_on):
            return periods
        if valid_until >= earliest_issue:  # a period wholly before entitlement is not issued
            periods.append(Period(kind, index, valid_from, valid_until, issue_on))
            index += 1
        valid_from = valid_until + ONE_DAY


def api_periods(facts: DossierFacts, today: date, policy: Policy) -> list[Period]:
    if not entitled_to_api(facts, policy):
        return []
    entitled_on = _entitlement_day(facts, policy)
    if facts.is_renewal and facts.permit_expires_on is not None:
        first_day = facts.permit_expires_on + ONE_DAY
    else:  # a young person with no document yet: covered from entitlement
        first_day = entitled_on
    return _chain(
        kind=API,
        first_day=first_day,
        months=policy.api_validity_months,
        lead_days=policy.api_lead_days,
        earliest_issue=entitled_on,
        stop_on=_decision_day(facts),
        today=today,
    )


def adf_periods(facts: DossierFacts, today: date, policy: Policy) -> list[Period]:
    if facts.favourable_on is None:
        return []
    return _chain(
        kind=ADF,
        first_day=facts.favourable_on,
        months=policy.adf_validity_months,
        lead_days=policy.adf_lead_days,
        earliest_issue=facts.favourable_on,
        stop_on=facts.card_handed_over_on,
        today=today,
    )


def required_attestations(facts: DossierFacts, today: date, policy: Policy) -> list[Period]:
    """Every attestation that must exist on `today` for this dossier, in order."""
    required: list[Period] = []
    if facts.filed_on is not None and facts.filed_on <= today:
        required.append(Period(DEPOSIT_RECEIPT, 0, facts.filed_on, None, facts.filed_on))
    return required + api_periods(facts, today, policy) + adf_periods(facts, today, policy)


def attestation_states(facts: DossierFacts, today: date, policy: Policy) -> list[PeriodState]:
    """Each required attestation with the last day it is valid and why it ends."""
    periods = required_attestations(facts, today, policy)
    chain = [period for period in periods if period.kind in (API, ADF)]
    states = [PeriodState(period, None) for period in periods if period.kind == DEPOSIT_RECEIPT]
    for position, period in enumerate(chain):
        following = chain[position + 1] if position + 1 < len(chain) else None
        ends_on, reason = period.valid_until, ENDED_EXPIRED
        if following is not None:
            ends_on, reason = min(ends_on, following.valid_from - ONE_DAY), ENDED_SUPERSEDED
        if period.kind == ADF and facts.card_handed_over_on is not None:
            handed = facts.card_handed_over_on - ONE_DAY
            if handed < ends_on:
                ends_on, reason = handed, ENDED_EXPIRED
        if facts.ended_on is not None and facts.ended_on - ONE_DAY < ends_on:
            ends_on, reason = facts.ended_on - ONE_DAY, ENDED_REVOKED
        if period.kind == API and facts.favourable_on is not None:
            # Every API stops the day before the ADF starts, even one issued ahead of its
            # validity just before the decision.
            superseded = facts.favourable_on - ONE_DAY
            if superseded < ends_on:
                ends_on, reason = superseded, ENDED_SUPERSEDED
        states.append(PeriodState(period, ends_on, reason))
    return states


# --- At risk ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Risk:
    code: str
    days_left: int | None = field(default=None)


RISK_FILED_LATE = "filed_late"
RISK_INCOMPLETE_NEAR_EXPIRY = "incomplete_near_expiry"


def renewal_risk(facts: DossierFacts, today: date, policy: Policy) -> Risk | None:
    """A renewal the law leaves uncovered: filed outside the window, or still incomplete close
    to (or after) the permit's expiry. Agents see it on their at-risk list; the person is told
    what to do (DESIGN.md §3)."""
    if not facts.is_renewal or facts.permit_expires_on is None or facts.filed_on is None:
        return None
    if _decision_day(facts) is not None:
        return None
    days_left = (facts.permit_expires_on - today).days
    if not renewal_filed_in_time(facts.filed_on, facts.permit_expires_on, policy):
        return Risk(RISK_FILED_LATE, days_left)
    if (
        facts.completed_on is None
        and not policy.issue_on_filing
        and days_left <= policy.at_risk_days_before_expiry
    ):
        return Risk(RISK_INCOMPLETE_NEAR_EXPIRY, days_left)
    return None


# --- Rights stated on an attestation -------------------------------------------------------------


@dataclass(frozen=True)
class Rights:
    """What the attestation lets its holder do, stated explicitly (DESIGN.md §1 point 2)."""

    stay: bool
    work: str  # "full", "limited", "none" (applications.enums.RightToWork)
    work_limitation: str
    benefits_and_housing: bool


def rights_for(kind: str, *, work: str, work_limitation: str) -> Rights:
    """A deposit receipt proves no right (R. 431-15-1); an API carries the rights of the permit
    renewed, an ADF those of the ground decided, both with access to benefits and housing as a
    récépissé does."""
    if kind == DEPOSIT_RECEIPT:
        return Rights(stay=False, work="none", work_limitation="", benefits_and_housing=False)
    return Rights(
        stay=True,
        work=work,
        work_limitation=work_limitation if work == "limited" else "",
        benefits_and_housing=True,
    )
