"""The attestation rules at their legal boundaries (CESEDA R. 431-5, R. 431-15-1; Conseil
d'État, 5 May 2026), and the ledger's invariants: a renewal filed complete in time is never
without a valid document from the permit's expiry to the card's handover, never two at once,
and what was issued is never rewritten.

The rules are pure: `ledger_after` runs them day by day as the sweep would, applying each day's
plan to an in-memory ledger, with the dossier's facts as known on that day."""

from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attestations.rights import rights_for
from attestations.risk_rules import RISK_FILED_LATE, RISK_INCOMPLETE_NEAR_EXPIRY, renewal_risk
from attestations.rules import (
    ADF,
    API,
    DEPOSIT_RECEIPT,
    END_CARD_HANDED_OVER,
    END_REFUSED,
    END_SUPERSEDED,
    DossierFacts,
    Entry,
    Policy,
    months_period_end,
    plan_ledger,
    renewal_filed_in_time,
)

LAW = Policy()
GENEROUS_FILING = replace(LAW, filed_before_expiry_counts_as_in_time=True)
ON_FILING = replace(LAW, issue_on_filing=True)
POLICIES = {"law": LAW, "filed_before_expiry": GENEROUS_FILING, "on_filing": ON_FILING}

EXPIRY = date(2027, 3, 1)  # scenario 1: her card expires on 1 March
ONE_DAY = timedelta(days=1)


def renewal(filed_on, *, completed_on="same", **kwargs) -> DossierFacts:
    return DossierFacts(
        application_id=kwargs.pop("application_id", 1),
        filed_on=filed_on,
        completed_on=filed_on if completed_on == "same" else completed_on,
        is_renewal=True,
        permit_expires_on=kwargs.pop("expires", EXPIRY),
        **kwargs,
    )


def days_before(n: int) -> date:
    return EXPIRY - timedelta(days=n)


def as_of(facts: DossierFacts, day: date) -> DossierFacts:
    """The facts as the sweep reads them on `day`: what has not happened yet is unknown."""

    def known(value):
        return value if value is not None and value <= day else None

    ended_on = known(facts.ended_on)
    return replace(
        facts,
        filed_on=known(facts.filed_on),
        completed_on=known(facts.completed_on),
        favourable_on=known(facts.favourable_on),
        card_handed_over_on=known(facts.card_handed_over_on),
        ended_on=ended_on,
        end_reason=facts.end_reason or END_REFUSED if ended_on else "",
        reopened_on=known(facts.reopened_on),
    )


def apply_plan(ledger: list[Entry], plan, next_key: list[int]) -> None:
    created = {}
    for entry in plan.ended:
        stored = next(item for item in ledger if item.key == entry.key)
        assert stored.ended_on is None, "an end is recorded once"
        stored.ended_on, stored.end_reason = entry.ended_on, entry.end_reason
    for entry in plan.issued:
        key = next_key[0]
        next_key[0] += 1
        created[entry.key] = key
        ledger.append(
            Entry(
                key=key,
                kind=entry.kind,
                application_id=entry.application_id,
                valid_from=entry.valid_from,
                valid_until=entry.valid_until,
                issue_on=entry.issue_on,
                continues=created.get(entry.continues, entry.continues),
                replaces=created.get(entry.replaces, entry.replaces),
            )
        )


def ledger_after(
    facts: list[DossierFacts] | DossierFacts,
    until: date,
    policy: Policy = LAW,
    *,
    start: date | None = None,
    skip=frozenset(),
) -> list[Entry]:
    """Sweep once a day from the first filing to `until` (days in `skip` are missed)."""
    facts = facts if isinstance(facts, list) else [facts]
    day = start or min(item.filed_on for item in facts)
    expiry = facts[0].permit_expires_on
    ledger: list[Entry] = []
    next_key = [1]
    while day <= until:
        if day not in skip:
            plan = plan_ledger(
                applications=[as_of(item, day) for item in facts],
                ledger=ledger,
                today=day,
                policy=policy,
                api_first_day=expiry + ONE_DAY if expiry is not None else None,
            )
            apply_plan(ledger, plan, next_key)
        day += ONE_DAY
    return ledger


def of_kind(ledger, kind):
    return sorted((e for e in ledger if e.kind == kind), key=lambda e: (e.valid_from, e.key))


def api_periods(facts, today, policy=LAW):
    return of_kind(ledger_after(facts, today, policy), API)


def covering(ledger, day):
    return [entry for entry in ledger if entry.kind in (API, ADF) and entry.valid_on(day)]


# --- R. 431-5: the filing window ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("filed_on", "law", "filed_before_expiry"),
    [
        (days_before(121), True, True),  # early: not late (finding 6)
        (days_before(120), True, True),
        (days_before(90), True, True),
        (days_before(60), True, True),
        (days_before(59), False, True),
        (days_before(1), False, True),
        (EXPIRY, False, True),  # filed on the last day of validity
        (EXPIRY + timedelta(days=1), False, False),  # the day after expiry: never in time
    ],
)
def test_rules_renewal_window_boundaries(filed_on, law, filed_before_expiry):
    assert renewal_filed_in_time(filed_on, EXPIRY, LAW) is law
    assert renewal_filed_in_time(filed_on, EXPIRY, GENEROUS_FILING) is filed_before_expiry
    assert renewal_filed_in_time(filed_on, EXPIRY, ON_FILING) is law


@pytest.mark.parametrize("policy_name", POLICIES)
@pytest.mark.parametrize("days", [121, 120, 60, 59])
def test_rules_api_due_only_when_filed_in_time(policy_name, days):
    policy = POLICIES[policy_name]
    facts = renewal(days_before(days))
    due = bool(api_periods(facts, EXPIRY, policy))
    assert due is renewal_filed_in_time(facts.filed_on, EXPIRY, policy)


@pytest.mark.parametrize("policy_name", POLICIES)
def test_rules_no_api_for_a_renewal_filed_after_expiry(policy_name):
    facts = renewal(EXPIRY + timedelta(days=1))
    assert api_periods(facts, EXPIRY + timedelta(days=200), POLICIES[policy_name]) == []


# --- The first API ------------------------------------------------------------------------------


def test_rules_scenario_1_api_in_her_hands_before_expiry_and_covering_the_next_day():
    facts = renewal(date(2026, 12, 10))
    (first,) = api_periods(facts, EXPIRY)
    assert first.valid_from == date(2027, 3, 2)
    assert first.valid_until == date(2027, 6, 1)
    assert first.issue_on == date(2027, 2, 15)  # 15 days ahead, with no request of hers


def test_rules_api_not_due_before_its_lead_time():
    facts = renewal(date(2026, 12, 10))
    assert api_periods(facts, date(2027, 2, 14)) == []
    assert len(api_periods(facts, date(2027, 2, 15))) == 1


def test_rules_incomplete_renewal_gets_no_api_under_the_law():
    facts = renewal(date(2026, 12, 10), completed_on=None)
    assert api_periods(facts, date(2027, 3, 1)) == []


def test_rules_issue_on_filing_policy_covers_an_incomplete_renewal():
    facts = renewal(date(2026, 12, 10), completed_on=None)
    (first,) = api_periods(facts, date(2027, 3, 1), ON_FILING)
    assert first.issue_on == date(2027, 2, 15)


def test_rules_completion_after_the_lead_time_issues_at_completion():
    facts = renewal(date(2026, 12, 10), completed_on=date(2027, 2, 25))
    (first,) = api_periods(facts, date(2027, 2, 25))
    assert first.issue_on == date(2027, 2, 25)
    assert first.valid_from == date(2027, 3, 2)


def test_rules_completion_after_expiry_still_covers_from_the_day_after_expiry():
    facts = renewal(date(2026, 12, 10), completed_on=date(2027, 3, 20))
    assert api_periods(facts, date(2027, 3, 19)) == []
    (first,) = api_periods(facts, date(2027, 3, 20))
    assert (first.valid_from, first.issue_on) == (date(2027, 3, 2), date(2027, 3, 20))


def test_rules_completion_long_after_expiry_skips_periods_already_over():
    facts = renewal(date(2026, 12, 10), completed_on=date(2027, 7, 1))
    periods = api_periods(facts, date(2027, 7, 1))
    assert [period.valid_from for period in periods] == [date(2027, 6, 2)]


# --- Renewal of the API -------------------------------------------------------------------------


def test_rules_api_renewed_every_three_months_with_no_gap_while_undecided():
    facts = renewal(date(2026, 12, 10))
    periods = api_periods(facts, date(2028, 1, 1))
    assert len(periods) == 4
    for previous, following in pairwise(periods):
        assert following.valid_from == previous.valid_until + ONE_DAY
        assert following.issue_on == following.valid_from - timedelta(days=15)
        assert following.issue_on <= previous.valid_until
        assert following.continues == previous.key


def test_rules_api_chain_through_a_leap_day():
    facts = renewal(date(2027, 10, 1), expires=date(2027, 11, 30))
    periods = api_periods(facts, date(2028, 9, 1))
    assert periods[0].valid_from == date(2027, 12, 1)
    assert periods[0].valid_until == date(2028, 2, 29)
    assert periods[1].valid_from == date(2028, 3, 1)


def test_rules_a_missed_sweep_day_issues_the_next_api_the_day_after():
    facts = renewal(date(2026, 12, 10))
    ledger = ledger_after(facts, date(2027, 2, 16), skip={date(2027, 2, 15)})
    (first,) = of_kind(ledger, API)
    assert (first.valid_from, first.issue_on) == (date(2027, 3, 2), date(2027, 2, 15))


@pytest.mark.parametrize(
    ("start", "months", "last_day"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 27)),  # 31 Jan + 1 month = 28 Feb, minus a day
        (date(2028, 1, 31), 1, date(2028, 2, 28)),  # 29 Feb in a leap year
        (date(2027, 11, 30), 3, date(2028, 2, 28)),
        (date(2027, 12, 15), 3, date(2028, 3, 14)),
        (date(2028, 2, 29), 3, date(2028, 5, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 27)),  # no 29 Feb in 2029: 28 Feb, minus a day
    ],
)
def test_rules_months_period_end_clamps_to_the_month_end(start, months, last_day):
    assert months_period_end(start, months) == last_day


# --- Decisions ----------------------------------------------------------------------------------


def test_rules_favourable_decision_hands_over_from_api_to_adf_the_same_day():
    decided = date(2027, 5, 10)
    ledger = ledger_after(renewal(date(2026, 12, 10), favourable_on=decided), date(2027, 9, 1))
    api, adf = of_kind(ledger, API), of_kind(ledger, ADF)
    assert (api[-1].ended_on, api[-1].end_reason) == (decided, END_SUPERSEDED)
    assert adf[0].valid_from == decided
    assert adf[0].continues == api[-1].key


def test_rules_favourable_decision_before_an_api_starts_ends_it_on_its_first_day():
    """An API issued ahead that never came into force: its end is its first day."""
    facts = renewal(date(2026, 12, 10))
    decided = api_periods(facts, date(2027, 6, 1))[1].issue_on + timedelta(days=3)
    ledger = ledger_after(replace(facts, favourable_on=decided), date(2027, 9, 1))
    first, second = of_kind(ledger, API)
    assert (first.ended_on, first.end_reason) == (decided, END_SUPERSEDED)
    assert (second.ended_on, second.end_reason) == (second.valid_from, END_SUPERSEDED)
    assert covering(ledger, second.valid_from) == [of_kind(ledger, ADF)[0]]


def test_rules_refusal_ends_the_api_on_the_decision_day():
    refused_on = date(2027, 4, 2)
    ledger = ledger_after(renewal(date(2026, 12, 10), ended_on=refused_on), date(2027, 5, 1))
    (api,) = of_kind(ledger, API)
    assert (api.ended_on, api.end_reason) == (refused_on, END_REFUSED)
    assert api.valid_on(date(2027, 4, 1)) and not api.valid_on(refused_on)


def test_rules_adf_renewed_until_the_card_is_handed_over():
    facts = renewal(
        date(2026, 12, 10),
        favourable_on=date(2027, 4, 1),
        card_handed_over_on=date(2027, 9, 15),
    )
    adf = of_kind(ledger_after(facts, date(2028, 1, 1)), ADF)
    assert [entry.valid_from for entry in adf] == [date(2027, 4, 1), date(2027, 7, 1)]
    assert (adf[-1].ended_on, adf[-1].end_reason) == (date(2027, 9, 15), END_CARD_HANDED_OVER)


def test_rules_deposit_receipt_for_every_filed_application():
    ledger = ledger_after(DossierFacts(filed_on=date(2026, 12, 10)), date(2026, 12, 10))
    (receipt,) = ledger
    assert (receipt.kind, receipt.valid_from, receipt.valid_until) == (
        DEPOSIT_RECEIPT,
        date(2026, 12, 10),
        None,
    )
    assert ledger_after(DossierFacts(filed_on=None), date(2026, 12, 10), start=EXPIRY) == []


def test_rules_first_application_without_young_person_deadline_gets_no_api():
    facts = DossierFacts(filed_on=date(2026, 12, 10), completed_on=date(2026, 12, 10))
    assert api_periods(facts, date(2027, 12, 1)) == []


@pytest.mark.parametrize(
    ("filed_on", "due"), [(date(2027, 1, 31), True), (date(2027, 2, 1), False)]
)
def test_rules_young_person_filed_by_the_deadline_gets_an_api_from_completion(filed_on, due):
    facts = DossierFacts(
        filed_on=filed_on,
        completed_on=date(2027, 2, 10),
        young_person_deadline=date(2027, 1, 31),
    )
    periods = api_periods(facts, date(2027, 2, 10))
    assert bool(periods) is due
    if due:
        assert periods[0].valid_from == periods[0].issue_on == date(2027, 2, 10)


# --- At risk ------------------------------------------------------------------------------------


def test_rules_renewal_filed_late_is_at_risk():
    risk = renewal_risk(renewal(days_before(30)), days_before(30), LAW)
    assert risk.code == RISK_FILED_LATE


def test_rules_incomplete_renewal_near_expiry_is_at_risk():
    facts = renewal(days_before(100), completed_on=None)
    assert renewal_risk(facts, days_before(31), LAW) is None
    assert renewal_risk(facts, days_before(30), LAW).code == RISK_INCOMPLETE_NEAR_EXPIRY


def test_rules_complete_renewal_in_time_is_not_at_risk():
    assert renewal_risk(renewal(days_before(100)), days_before(10), LAW) is None


# --- Rights -------------------------------------------------------------------------------------


def test_rules_deposit_receipt_proves_no_right():
    rights = rights_for(DEPOSIT_RECEIPT, work="full", work_limitation="")
    assert (rights.stay, rights.work, rights.benefits_and_housing) == (False, "none", False)


def test_rules_api_carries_the_permit_rights_to_work():
    rights = rights_for(API, work="limited", work_limitation="964 h/an")
    assert (rights.stay, rights.work, rights.work_limitation) == (True, "limited", "964 h/an")
    assert rights.benefits_and_housing


# --- The invariants -----------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    expires=st.dates(min_value=date(2026, 1, 1), max_value=date(2032, 12, 31)),
    filed_days_before=st.integers(min_value=60, max_value=120),
    decision_after_expiry=st.integers(min_value=-30, max_value=500),
    handover_after_decision=st.integers(min_value=0, max_value=300),
    policy_name=st.sampled_from(sorted(POLICIES)),
)
def test_rules_invariant_every_day_covered_by_exactly_one_attestation(
    expires, filed_days_before, decision_after_expiry, handover_after_decision, policy_name
):
    """Renewal filed complete in time; favourable decision; card handed over: from the day after
    expiry to the day before handover, each day has exactly one valid attestation, and each was
    in her hands before the day it started (or at completion, or at the decision)."""
    policy = POLICIES[policy_name]
    filed_on = expires - timedelta(days=filed_days_before)
    decided = max(expires + timedelta(days=decision_after_expiry), filed_on)
    handed = decided + timedelta(days=handover_after_decision)
    facts = renewal(filed_on, expires=expires, favourable_on=decided, card_handed_over_on=handed)
    ledger = ledger_after(facts, handed, policy)
    day = expires + ONE_DAY
    while day < handed:
        assert len(covering(ledger, day)) == 1, day
        day += ONE_DAY
    for entry in ledger:
        assert entry.issue_on <= max(entry.valid_from - timedelta(days=15), filed_on, decided)


@settings(max_examples=100, deadline=None)
@given(
    expires=st.dates(min_value=date(2026, 1, 1), max_value=date(2032, 12, 31)),
    filed_days_before=st.integers(min_value=60, max_value=120),
    refused_after_expiry=st.integers(min_value=1, max_value=500),
)
def test_rules_invariant_refusal_ends_coverage_on_the_decision_day(
    expires, filed_days_before, refused_after_expiry
):
    refused = expires + timedelta(days=refused_after_expiry)
    facts = renewal(expires - timedelta(days=filed_days_before), expires=expires, ended_on=refused)
    ledger = ledger_after(facts, refused + timedelta(days=100))
    day = expires + ONE_DAY
    while day < refused:
        assert len(covering(ledger, day)) == 1
        day += ONE_DAY
    assert covering(ledger, refused) == []
    assert covering(ledger, refused + timedelta(days=30)) == []


# --- Filing early or late: the API (the window itself: tests/applications/test_rules_filing.py)


def test_rules_renewal_filed_30_days_ahead_gets_an_api_only_for_a_title_not_renewed_online():
    online = renewal(days_before(30))
    offline = renewal(days_before(30), renewed_online=False)
    assert api_periods(online, EXPIRY) == []
    assert len(api_periods(offline, EXPIRY)) == 1
    assert renewal_risk(offline, days_before(30), LAW) is None
    assert renewal_risk(online, days_before(30), LAW).code == RISK_FILED_LATE


def test_rules_renewal_filed_on_the_121st_day_still_gets_its_api():
    """Finding 6: filed early (before the window opened, at a desk or before the portal
    refused it) is not filed late: the person did more than the law asks."""
    facts = renewal(days_before(121))
    assert renewal_filed_in_time(facts.filed_on, EXPIRY, LAW)
    assert len(api_periods(facts, EXPIRY)) == 1


def test_rules_late_renewal_covered_by_a_timely_sibling_is_not_at_risk():
    late = renewal(days_before(30), application_id=2)
    timely = renewal(days_before(100), application_id=1)
    assert renewal_risk(late, days_before(30), LAW, siblings=[timely, late]) is None


def test_rules_late_renewal_whose_timely_sibling_was_refused_is_at_risk():
    late = renewal(days_before(30), application_id=2)
    refused = renewal(days_before(100), application_id=1, ended_on=days_before(40))
    risk = renewal_risk(late, days_before(30), LAW, siblings=[refused, late])
    assert risk.code == RISK_FILED_LATE


def test_rules_late_renewal_with_only_late_or_incomplete_siblings_is_at_risk():
    late = renewal(days_before(30), application_id=2)
    also_late = renewal(days_before(35), application_id=3)
    incomplete = renewal(days_before(100), application_id=1, completed_on=None)
    risk = renewal_risk(late, days_before(30), LAW, siblings=[also_late, incomplete])
    assert risk.code == RISK_FILED_LATE
