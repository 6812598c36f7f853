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

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings

# When a renewal may be filed is a rule of the dossier (R. 431-5): applications owns it.
from applications.rules import (
    FILING_LATE,
    FilingPolicy,
    OutageDays,
    renewal_filed_within_outage_grace,
    renewal_filing_timing,
    renewal_filing_window,
)

DEPOSIT_RECEIPT = "deposit_receipt"
API = "api"
ADF = "adf"

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Policy(FilingPolicy):
    """The renewal's filing window (`applications.rules.FilingPolicy`, R. 431-5), and the
    attestations' own durations and options."""

    api_validity_months: int = 3
    api_lead_days: int = 15
    adf_validity_months: int = 3
    adf_lead_days: int = 15
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
            or policy.outage_grace_working_days < 0
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
    end_reason: str = ""  # END_REFUSED, END_CLOSED or END_WITHDRAWN when ended_on is set
    reopened_on: date | None = None  # re-opened after a refusal or closure, on this day
    application_id: int = 0
    # The title renewed is on the list of titles renewed online (R. 431-5 1°): the 120th-60th
    # day window; otherwise the two months before it ends.
    renewed_online: bool = True
    # Outages of the online service around the renewal's filing window (applications.rules).
    outages: tuple[OutageDays, ...] = ()


def months_period_end(start: date, months: int) -> date:
    """Last day of a validity of `months` months starting on `start` (inclusive). A month later
    is the same day, or the month's last day (31 Jan + 1 month = 28/29 Feb: relativedelta)."""
    return start + relativedelta(months=months) - ONE_DAY


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
        deadline = anniversary(birth_date, 18) + relativedelta(months=2)
    return deadline if filed_on <= deadline else None


def renewal_filed_in_time(
    filed_on: date,
    expires_on: date,
    policy: Policy,
    *,
    renewed_online: bool = True,
    outages: Iterable[OutageDays] = (),
) -> bool:
    """R. 431-5 1°: filed between the 120th and the 60th day before expiry (both included).
    Policy may count any filing before expiry as in time; a filing after expiry never is. A
    renewal cannot be filed before its window opens (`application_submit` refuses it); one
    filed early all the same (recorded at a desk, or before this rule) counts as in time: the
    person did more than the law asks. Outages count for the person: one filed late within the
    grace after an outage that covered the window's last day is in time
    (`applications.rules.renewal_filed_within_outage_grace`)."""
    window = renewal_filing_window(expires_on, policy, renewed_online=renewed_online)
    if renewal_filed_within_outage_grace(filed_on, window, outages, policy):
        return True
    if filed_on > expires_on:
        return False
    timing = renewal_filing_timing(filed_on, expires_on, policy, renewed_online=renewed_online)
    return timing != FILING_LATE


def entitled_to_api(facts: DossierFacts, policy: Policy) -> bool:
    """A complete application filed in time, by a renewal or an R. 431-5 2°-4° young person."""
    if facts.filed_on is None:
        return False
    if facts.completed_on is None and not policy.issue_on_filing:
        return False
    if facts.is_renewal and facts.permit_expires_on is not None:
        return renewal_filed_in_time(
            facts.filed_on,
            facts.permit_expires_on,
            policy,
            renewed_online=facts.renewed_online,
            outages=facts.outages,
        )
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


# --- The ledger -------------------------------------------------------------------------------
#
# An issued attestation is a fact: its number, holder, validity and rights never change. Only its
# end is recorded later, once: the first day it no longer proves anything, and why. The rules below
# decide the NEXT documents from the facts of the dossiers and from what was really issued (the
# ledger), never by recomputing past periods from today's facts.

# Why an attestation ended before its printed last day (a closed list, DESIGN.md §3).
END_SUPERSEDED = "superseded"  # a newer attestation took over (decision, new holder data)
END_CARD_HANDED_OVER = "card_handed_over"  # the card it was waiting for was handed over
END_REFUSED = "refused"
END_CLOSED = "closed"
END_WITHDRAWN = "withdrawn"
END_ISSUED_IN_ERROR = "issued_in_error"
END_REASONS = (
    END_SUPERSEDED,
    END_CARD_HANDED_OVER,
    END_REFUSED,
    END_CLOSED,
    END_WITHDRAWN,
    END_ISSUED_IN_ERROR,
)
# Reasons that are the holder's business: a checker only reads "no longer valid since <date>".
PRIVATE_END_REASONS = frozenset({END_REFUSED, END_CLOSED, END_WITHDRAWN, END_ISSUED_IN_ERROR})
# Ends after which the chain may start again if the dossier is re-opened.
DECISION_END_REASONS = frozenset({END_REFUSED, END_CLOSED, END_WITHDRAWN})


@dataclass
class Entry:
    """One attestation of the ledger as the rules read it (`key`: its id; negative for one the
    plan adds). `continues`: the attestation it follows in its chain (the next period, or the ADF
    after the API); `replaces`: the one it replaces with new holder data, same validity."""

    key: int
    kind: str
    application_id: int | None
    valid_from: date
    valid_until: date | None
    issue_on: date
    continues: int | None = None
    replaces: int | None = None
    ended_on: date | None = None  # first day it no longer proves anything, once recorded
    end_reason: str = ""
    is_new: bool = False
    end_is_new: bool = False

    @property
    def last_day(self) -> date | None:
        """The last day it is valid (None: no end date)."""
        if self.ended_on is not None:
            return self.ended_on - ONE_DAY
        return self.valid_until

    def valid_on(self, day: date) -> bool:
        last = self.last_day
        return self.valid_from <= day and (last is None or day <= last)


def state_on(
    *, valid_from: date, valid_until: date | None, ended_on: date | None, end_reason: str, day
) -> str:
    """What an attestation is on `day`, from the ledger alone: "not_yet_valid", "valid",
    "expired" (its printed validity ran out), or the reason its end was recorded for."""
    if ended_on is not None and (day >= ended_on or ended_on <= valid_from):
        return end_reason  # ended, or ended before it ever came into force
    if day < valid_from:
        return "not_yet_valid"
    if valid_until is not None and day > valid_until:
        return "expired"
    return "valid"


def end_day_for(entry: Entry, day: date) -> date | None:
    """The end to record for `entry` if something ends it on `day`: never before its first day
    (one issued ahead that never came into force ends on its first day), and none at all when
    its printed validity is over by then (it simply expired)."""
    if entry.ended_on is not None:
        return None
    if entry.valid_until is not None and day > entry.valid_until:
        return None
    return max(day, entry.valid_from)


@dataclass(frozen=True)
class Plan:
    """What the sweep must write: new attestations (in order; `continues`/`replaces` may name
    a new one by its negative key) and ends to record on existing ones."""

    issued: list[Entry]
    ended: list[Entry]
    # The first day, after `today`, on which something the plan held back falls due (an API or
    # ADF issued ahead of its period, a deposit receipt of a filing dated later): None if none.
    next_due_on: date | None = None


def months_grid_start(first_day: date, months: int, day: date) -> date:
    """The start of the `months`-long period, on the grid starting on `first_day`, that holds
    `day` (`first_day` itself when `day` is before it)."""
    start = first_day
    while months_period_end(start, months) < day:
        start = months_period_end(start, months) + ONE_DAY
    return start


def _decision_reason(facts: DossierFacts) -> str:
    return facts.end_reason or END_REFUSED


class _Ledger:
    def __init__(self, entries: list[Entry]):
        self.entries = list(entries)
        self.next_key = -1
        self.held_back: list[date] = []  # days after today on which a document falls due

    def hold_back(self, day: date) -> None:
        """A document the plan does not issue yet, because it falls due on `day` (> today)."""
        self.held_back.append(day)

    def of_kind(self, kind: str, application_id: int | None = None) -> list[Entry]:
        return sorted(
            (
                entry
                for entry in self.entries
                if entry.kind == kind
                and (application_id is None or entry.application_id == application_id)
            ),
            key=lambda entry: (entry.valid_from, entry.key < 0, abs(entry.key)),
        )

    def tail(self, chain: list[Entry]) -> Entry | None:
        """The last document of a chain: the latest one neither replaced nor continued by
        another. After a re-opening the chain restarts earlier than the document issued ahead
        (`decision_gap_start`), so the latest by date is not always the end of the chain: the
        restart continues the document it follows, and a second refusal and re-opening on the
        same day continue the restart, never that one again (`continues` is one-to-one)."""
        replaced = {entry.replaces for entry in self.entries if entry.replaces is not None}
        continued = {entry.continues for entry in self.entries if entry.continues is not None}
        current = [entry for entry in chain if entry.key not in replaced]
        open_ends = [entry for entry in current if entry.key not in continued]
        return (open_ends or current or [None])[-1]

    def decision_gap_start(self, chain: list[Entry]) -> date:
        """The first day a decision left uncovered: a refusal ends the API in force on its day
        and the next one, issued ahead, on its first day; the chain restarts from the earlier
        (the decision's day), not from the one issued ahead."""
        replaced = {entry.replaces for entry in self.entries if entry.replaces is not None}
        current = [entry for entry in chain if entry.key not in replaced]
        gap_start = current[-1].ended_on
        for entry in reversed(current):
            if entry.ended_on is None or entry.end_reason not in DECISION_END_REASONS:
                break
            gap_start = min(gap_start, entry.ended_on)
        return gap_start

    def issue(self, **fields) -> Entry:
        entry = Entry(key=self.next_key, is_new=True, **fields)
        self.next_key -= 1
        self.entries.append(entry)
        return entry

    def end(self, entry: Entry, day: date, reason: str) -> bool:
        ended_on = end_day_for(entry, day)
        if ended_on is None:
            return False
        entry.ended_on, entry.end_reason, entry.end_is_new = ended_on, reason, True
        return True


def _plan_api_chain(
    ledger: _Ledger,
    *,
    first_day: date | None,
    applications: list[DossierFacts],
    today: date,
    policy: Policy,
) -> None:
    """One chain of APIs per permit renewed (or per young person's first application): it runs
    while any application of the group, complete and filed in time, is undecided; a favourable
    decision ends it (the ADF takes over); the last refusal, closure or withdrawal ends it."""
    chain = ledger.of_kind(API)
    entitled = [facts for facts in applications if entitled_to_api(facts, policy)]
    if not entitled or any(facts.favourable_on is not None for facts in applications):
        return  # nothing due, or the ADF step ends the chain
    undecided = [facts for facts in entitled if _decision_day(facts) is None]
    if not undecided:
        last = max(entitled, key=lambda facts: (_decision_day(facts), facts.application_id))
        for entry in chain:
            ledger.end(entry, _decision_day(last), _decision_reason(last))
        return
    # The chain is needed from this day on: the first entitlement, or a re-opening.
    needed_from = min(
        max(_entitlement_day(facts, policy), facts.reopened_on or _entitlement_day(facts, policy))
        for facts in undecided
    )
    carrier = min(
        undecided, key=lambda facts: (_entitlement_day(facts, policy), facts.application_id)
    )
    months, lead = policy.api_validity_months, policy.api_lead_days
    tail = ledger.tail(chain)
    while True:
        if tail is None:
            start = first_day if first_day is not None else needed_from
            valid_from = months_grid_start(start, months, needed_from)
        elif tail.ended_on is not None and tail.end_reason in DECISION_END_REASONS:
            # Re-opened: from that day on (never later than the day the decision left open).
            valid_from = max(ledger.decision_gap_start(chain), needed_from)
        elif tail.ended_on is not None:
            return  # ended in error or by a card: an agent decides what follows
        else:
            valid_from = tail.valid_until + ONE_DAY
        issue_on = max(valid_from - timedelta(days=lead), needed_from)
        if issue_on > today:
            ledger.hold_back(issue_on)
            return
        tail = ledger.issue(
            kind=API,
            application_id=carrier.application_id,
            valid_from=valid_from,
            valid_until=months_period_end(valid_from, months),
            issue_on=issue_on,
            continues=tail.key if tail is not None else None,
        )


def _plan_adf_chain(
    ledger: _Ledger, *, facts: DossierFacts, today: date, policy: Policy, first: bool
) -> None:
    """The ADF of a favourable decision, renewed until the card is handed over; the first one
    ends the API chain of the permit (it supersedes the API from the decision's day)."""
    favourable_on = facts.favourable_on
    chain = ledger.of_kind(ADF, facts.application_id)
    months, lead = policy.adf_validity_months, policy.adf_lead_days
    handed_over_on = facts.card_handed_over_on
    tail = ledger.tail(chain)
    if tail is None:
        api_tail = ledger.tail(ledger.of_kind(API)) if first else None
        for entry in ledger.of_kind(API) if first else []:
            ledger.end(entry, favourable_on, END_SUPERSEDED)
        if handed_over_on is not None and handed_over_on <= favourable_on:
            return
        tail = ledger.issue(
            kind=ADF,
            application_id=facts.application_id,
            valid_from=favourable_on,
            valid_until=months_period_end(favourable_on, months),
            issue_on=favourable_on,
            continues=api_tail.key
            if api_tail is not None and api_tail.end_reason == END_SUPERSEDED
            else None,
        )
    while tail.ended_on is None:
        valid_from = tail.valid_until + ONE_DAY
        issue_on = valid_from - timedelta(days=lead)
        if handed_over_on is not None and issue_on >= handed_over_on:
            break  # the card covers the person: no further ADF, ever
        if issue_on > today:
            ledger.hold_back(issue_on)
            break
        tail = ledger.issue(
            kind=ADF,
            application_id=facts.application_id,
            valid_from=valid_from,
            valid_until=months_period_end(valid_from, months),
            issue_on=issue_on,
            continues=tail.key,
        )
    if handed_over_on is not None:
        for entry in ledger.of_kind(ADF, facts.application_id):
            ledger.end(entry, handed_over_on, END_CARD_HANDED_OVER)


def _plan_replacements(ledger: _Ledger, *, stale: set[int], today: date) -> None:
    """A document still valid (or about to be) that prints out-of-date holder data (address,
    name, foreigner number, prefecture) is replaced by a new one for its remaining validity."""
    for entry in list(ledger.entries):
        if entry.key not in stale or entry.kind not in (API, ADF):
            continue
        last = entry.last_day
        if last is not None and last < today:
            continue
        if not ledger.end(entry, today, END_SUPERSEDED):
            continue
        ledger.issue(
            kind=entry.kind,
            application_id=entry.application_id,
            valid_from=entry.ended_on,
            valid_until=entry.valid_until,
            issue_on=today,
            replaces=entry.key,
        )


def plan_ledger(
    *,
    applications: list[DossierFacts],
    ledger: list[Entry],
    today: date,
    policy: Policy,
    api_first_day: date | None = None,
    stale: set[int] | frozenset[int] = frozenset(),
) -> Plan:
    """What must be issued or ended today for one group of dossiers: those renewing one permit
    (`api_first_day`: the day after it expires), or a single dossier. `ledger`: what was
    issued for them; `stale`: the keys of documents whose printed holder data are out of date.

    The entries of `ledger` are not changed; the plan lists the new ones and the ended ones."""
    work = _Ledger(
        [Entry(**{**entry.__dict__, "is_new": False, "end_is_new": False}) for entry in ledger]
    )
    for facts in applications:
        if facts.filed_on is None:
            continue
        if facts.filed_on > today:
            work.hold_back(facts.filed_on)
            continue
        if not work.of_kind(DEPOSIT_RECEIPT, facts.application_id):
            work.issue(
                kind=DEPOSIT_RECEIPT,
                application_id=facts.application_id,
                valid_from=facts.filed_on,
                valid_until=None,
                issue_on=facts.filed_on,
            )
    _plan_api_chain(
        work, first_day=api_first_day, applications=applications, today=today, policy=policy
    )
    favourable = sorted(
        (facts for facts in applications if facts.favourable_on is not None),
        key=lambda facts: (facts.favourable_on, facts.application_id),
    )
    for position, facts in enumerate(favourable):
        _plan_adf_chain(work, facts=facts, today=today, policy=policy, first=position == 0)
    _plan_replacements(work, stale=set(stale), today=today)
    return Plan(
        issued=[entry for entry in work.entries if entry.is_new],
        ended=[entry for entry in work.entries if entry.end_is_new and not entry.is_new],
        next_due_on=min(work.held_back, default=None),
    )
