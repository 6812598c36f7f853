"""The attestation rules at their legal boundaries (CESEDA R. 431-5, R. 431-15-1; Conseil
d'État, 5 May 2026), and the invariant: a renewal filed complete in time is never without a
valid document, from the permit's expiry to the card's handover."""

from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attestations.rules import (
    ADF,
    API,
    DEPOSIT_RECEIPT,
    ENDED_EXPIRED,
    ENDED_REVOKED,
    ENDED_SUPERSEDED,
    RISK_FILED_LATE,
    RISK_INCOMPLETE_NEAR_EXPIRY,
    DossierFacts,
    Policy,
    add_months,
    api_periods,
    attestation_states,
    renewal_filed_in_time,
    renewal_risk,
    required_attestations,
    rights_for,
)

LAW = Policy()
GENEROUS_FILING = replace(LAW, filed_before_expiry_counts_as_in_time=True)
ON_FILING = replace(LAW, issue_on_filing=True)
POLICIES = {"law": LAW, "filed_before_expiry": GENEROUS_FILING, "on_filing": ON_FILING}

EXPIRY = date(2027, 3, 1)  # scenario 1: her card expires on 1 March


def renewal(filed_on, *, completed_on="same", **kwargs) -> DossierFacts:
    return DossierFacts(
        filed_on=filed_on,
        completed_on=filed_on if completed_on == "same" else completed_on,
        is_renewal=True,
        permit_expires_on=kwargs.pop("expires", EXPIRY),
        **kwargs,
    )


def days_before(n: int) -> date:
    return EXPIRY - timedelta(days=n)


# --- R. 431-5: the filing window ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("filed_on", "law", "filed_before_expiry"),
    [
        (days_before(121), False, True),
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
    (first,) = api_periods(facts, EXPIRY, LAW)
    assert first.valid_from == date(2027, 3, 2)
    assert first.valid_until == date(2027, 6, 1)
    assert first.issue_on == date(2027, 2, 15)  # 15 days ahead, with no request of hers


def test_rules_api_not_due_before_its_lead_time():
    facts = renewal(date(2026, 12, 10))
    assert api_periods(facts, date(2027, 2, 14), LAW) == []
    assert len(api_periods(facts, date(2027, 2, 15), LAW)) == 1


def test_rules_incomplete_renewal_gets_no_api_under_the_law():
    facts = renewal(date(2026, 12, 10), completed_on=None)
    assert api_periods(facts, date(2027, 3, 1), LAW) == []


def test_rules_issue_on_filing_policy_covers_an_incomplete_renewal():
    facts = renewal(date(2026, 12, 10), completed_on=None)
    (first,) = api_periods(facts, date(2027, 3, 1), ON_FILING)
    assert first.issue_on == date(2027, 2, 15)


def test_rules_completion_after_the_lead_time_issues_at_completion():
    facts = renewal(date(2026, 12, 10), completed_on=date(2027, 2, 25))
    (first,) = api_periods(facts, date(2027, 2, 25), LAW)
    assert first.issue_on == date(2027, 2, 25)
    assert first.valid_from == date(2027, 3, 2)


def test_rules_completion_after_expiry_still_covers_from_the_day_after_expiry():
    facts = renewal(date(2026, 12, 10), completed_on=date(2027, 3, 20))
    assert api_periods(facts, date(2027, 3, 19), LAW) == []
    (first,) = api_periods(facts, date(2027, 3, 20), LAW)
    assert (first.valid_from, first.issue_on) == (date(2027, 3, 2), date(2027, 3, 20))


def test_rules_completion_long_after_expiry_skips_periods_already_over():
    facts = renewal(date(2026, 12, 10), completed_on=date(2027, 7, 1))
    periods = api_periods(facts, date(2027, 7, 1), LAW)
    assert [period.valid_from for period in periods] == [date(2027, 6, 2)]


# --- Renewal of the API -------------------------------------------------------------------------


def test_rules_api_renewed_every_three_months_with_no_gap_while_undecided():
    facts = renewal(date(2026, 12, 10))
    periods = api_periods(facts, date(2028, 1, 1), LAW)
    assert len(periods) == 4
    for previous, following in pairwise(periods):
        assert following.valid_from == previous.valid_until + timedelta(days=1)
        assert following.issue_on == following.valid_from - timedelta(days=15)
        assert following.issue_on <= previous.valid_until


def test_rules_api_chain_through_a_leap_day():
    facts = renewal(date(2027, 10, 1), expires=date(2027, 11, 30))
    periods = api_periods(facts, date(2028, 9, 1), LAW)
    assert periods[0].valid_from == date(2027, 12, 1)
    assert periods[0].valid_until == date(2028, 2, 29)
    assert periods[1].valid_from == date(2028, 3, 1)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2027, 12, 15), 3, date(2028, 3, 15)),
    ],
)
def test_rules_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


# --- Decisions ----------------------------------------------------------------------------------


def test_rules_favourable_decision_hands_over_from_api_to_adf_the_same_day():
    decided = date(2027, 5, 10)
    facts = renewal(date(2026, 12, 10), favourable_on=decided)
    states = attestation_states(facts, date(2027, 9, 1), LAW)
    api = [state for state in states if state.period.kind == API]
    adf = [state for state in states if state.period.kind == ADF]
    assert api[-1].ends_on == decided - timedelta(days=1)
    assert api[-1].end_reason == ENDED_SUPERSEDED
    assert adf[0].period.valid_from == decided


def test_rules_decision_on_the_renewal_day_issues_no_new_api():
    facts = renewal(date(2026, 12, 10))
    second_issue = api_periods(facts, date(2027, 6, 1), LAW)[1].issue_on
    decided = replace(facts, favourable_on=second_issue)
    assert len(api_periods(decided, date(2027, 9, 1), LAW)) == 1
    refused = replace(facts, ended_on=second_issue)
    assert len(api_periods(refused, date(2027, 9, 1), LAW)) == 1


def test_rules_refusal_revokes_the_api_from_the_decision_day():
    refused_on = date(2027, 4, 2)
    facts = renewal(date(2026, 12, 10), ended_on=refused_on)
    (state,) = [s for s in attestation_states(facts, date(2027, 5, 1), LAW) if s.period.kind == API]
    assert state.ends_on == date(2027, 4, 1)
    assert state.status_on(refused_on) == ENDED_REVOKED
    assert state.status_on(date(2027, 4, 1)) == "valid"


def test_rules_adf_renewed_until_the_card_is_handed_over():
    facts = renewal(
        date(2026, 12, 10),
        favourable_on=date(2027, 4, 1),
        card_handed_over_on=date(2027, 9, 15),
    )
    adf = [s for s in attestation_states(facts, date(2028, 1, 1), LAW) if s.period.kind == ADF]
    assert [s.period.valid_from for s in adf] == [date(2027, 4, 1), date(2027, 7, 1)]
    assert adf[-1].ends_on == date(2027, 9, 14)
    assert adf[-1].end_reason == ENDED_EXPIRED


def test_rules_deposit_receipt_for_every_filed_application():
    facts = DossierFacts(filed_on=date(2026, 12, 10))
    (receipt,) = required_attestations(facts, date(2026, 12, 10), LAW)
    assert (receipt.kind, receipt.valid_from, receipt.valid_until) == (
        DEPOSIT_RECEIPT,
        date(2026, 12, 10),
        None,
    )
    assert required_attestations(DossierFacts(filed_on=None), date(2026, 12, 10), LAW) == []


def test_rules_first_application_without_young_person_deadline_gets_no_api():
    facts = DossierFacts(filed_on=date(2026, 12, 10), completed_on=date(2026, 12, 10))
    assert api_periods(facts, date(2027, 12, 1), LAW) == []


@pytest.mark.parametrize(
    ("filed_on", "due"), [(date(2027, 1, 31), True), (date(2027, 2, 1), False)]
)
def test_rules_young_person_filed_by_the_deadline_gets_an_api_from_completion(filed_on, due):
    facts = DossierFacts(
        filed_on=filed_on,
        completed_on=date(2027, 2, 10),
        young_person_deadline=date(2027, 1, 31),
    )
    periods = api_periods(facts, date(2027, 2, 10), LAW)
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


# --- The invariant ------------------------------------------------------------------------------


def covering(states, day):
    return [state for state in states if state.period.kind in (API, ADF) and state.covers(day)]


@settings(max_examples=150, deadline=None)
@given(
    expires=st.dates(min_value=date(2026, 1, 1), max_value=date(2032, 12, 31)),
    filed_days_before=st.integers(min_value=60, max_value=120),
    decision_after_expiry=st.integers(min_value=-30, max_value=700),
    handover_after_decision=st.integers(min_value=0, max_value=400),
    policy_name=st.sampled_from(sorted(POLICIES)),
)
def test_rules_invariant_every_day_covered_by_exactly_one_attestation(
    expires, filed_days_before, decision_after_expiry, handover_after_decision, policy_name
):
    """Renewal filed complete in time; favourable decision; card handed over: from the day after
    expiry to the day before handover, each day has exactly one valid attestation, and each was
    in her hands before the day it started (or at completion)."""
    policy = POLICIES[policy_name]
    filed_on = expires - timedelta(days=filed_days_before)
    decided = max(expires + timedelta(days=decision_after_expiry), filed_on)
    handed = decided + timedelta(days=handover_after_decision)
    facts = renewal(filed_on, expires=expires, favourable_on=decided, card_handed_over_on=handed)
    states = attestation_states(facts, handed, policy)
    day = expires + timedelta(days=1)
    while day < handed:
        assert len(covering(states, day)) == 1, day
        day += timedelta(days=1)
    for state in states:
        assert state.period.issue_on <= max(
            state.period.valid_from - timedelta(days=15), filed_on, decided
        )


@settings(max_examples=100, deadline=None)
@given(
    expires=st.dates(min_value=date(2026, 1, 1), max_value=date(2032, 12, 31)),
    filed_days_before=st.integers(min_value=60, max_value=120),
    today_after_expiry=st.integers(min_value=0, max_value=800),
)
def test_rules_invariant_never_without_a_document_while_undecided(
    expires, filed_days_before, today_after_expiry
):
    """Whatever the day, while no decision is taken, the attestation covering today (and the
    next `lead` days) already exists."""
    facts = renewal(expires - timedelta(days=filed_days_before), expires=expires)
    today = expires + timedelta(days=today_after_expiry)
    states = attestation_states(facts, today, LAW)
    for ahead in range(0, LAW.api_lead_days + 1):
        day = today + timedelta(days=ahead)
        if day > expires:
            assert len(covering(states, day)) == 1, (today, day)


@settings(max_examples=100, deadline=None)
@given(
    expires=st.dates(min_value=date(2026, 1, 1), max_value=date(2032, 12, 31)),
    filed_days_before=st.integers(min_value=60, max_value=120),
    refused_after_expiry=st.integers(min_value=1, max_value=700),
)
def test_rules_invariant_refusal_ends_coverage_the_day_before(
    expires, filed_days_before, refused_after_expiry
):
    refused = expires + timedelta(days=refused_after_expiry)
    facts = renewal(expires - timedelta(days=filed_days_before), expires=expires, ended_on=refused)
    states = attestation_states(facts, refused + timedelta(days=200), LAW)
    day = expires + timedelta(days=1)
    while day < refused:
        assert len(covering(states, day)) == 1
        day += timedelta(days=1)
    assert covering(states, refused) == []
    assert covering(states, refused + timedelta(days=30)) == []
