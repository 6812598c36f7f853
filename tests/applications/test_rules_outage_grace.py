"""Outages count for the person, not against them: a renewal filed within the policy's working
days after an outage that covered the last day of its filing window is filed in time (issue 16).
Boundaries: the outage covering the window's last day or not, the 3rd and 4th working day after
its end, with a weekend and a public holiday (1 May) in between."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from anef.working_days import nth_working_day_after
from applications.rules import (
    FilingPolicy,
    OutageDays,
    renewal_filed_within_outage_grace,
    renewal_filing_window,
)
from attestations.rules import DossierFacts, Policy, entitled_to_api, renewal_filed_in_time

LAW = FilingPolicy()
# The window's last day is Thursday 30 April 2026; Friday 1 May is a public holiday, then a
# weekend: the working days after it are Mon 4, Tue 5, Wed 6 (the 3rd), Thu 7 May (the 4th).
WINDOW_END = date(2026, 4, 30)
EXPIRY = WINDOW_END + timedelta(days=60)
WINDOW = renewal_filing_window(EXPIRY, LAW)
ON_THE_LAST_DAY = OutageDays(WINDOW_END, WINDOW_END)


def test_rules_window_end_is_the_sixtieth_day_before_expiry():
    assert WINDOW.closes_on == WINDOW_END


@pytest.mark.parametrize(
    ("filed_on", "in_time"),
    [
        (date(2026, 5, 6), True),  # 3rd working day after the outage: 1 May and a weekend skipped
        (date(2026, 5, 7), False),  # 4th working day
        (date(2026, 5, 1), True),  # the holiday itself
        (date(2026, 5, 4), True),
    ],
)
def test_rules_outage_grace_counts_working_days_after_a_holiday_and_weekend(filed_on, in_time):
    assert renewal_filed_within_outage_grace(filed_on, WINDOW, [ON_THE_LAST_DAY], LAW) is in_time


@pytest.mark.parametrize(
    ("filed_on", "in_time"),
    [(date(2026, 6, 8), True), (date(2026, 6, 9), False)],  # Mon = 3rd, Tue = 4th
)
def test_rules_outage_grace_skips_the_weekend(filed_on, in_time):
    """An outage from Tuesday 28 April to Wednesday 3 June covers the last day; its grace
    runs Thursday 4, Friday 5, Monday 8 June."""
    outage = OutageDays(date(2026, 4, 28), date(2026, 6, 3))
    assert renewal_filed_within_outage_grace(filed_on, WINDOW, [outage], LAW) is in_time


@pytest.mark.parametrize(
    "outage",
    [
        OutageDays(WINDOW_END - timedelta(days=1), WINDOW_END - timedelta(days=1)),  # day before
        OutageDays(WINDOW_END + timedelta(days=1), WINDOW_END + timedelta(days=2)),  # day after
    ],
)
def test_rules_outage_not_covering_the_last_day_gives_no_grace(outage):
    assert not renewal_filed_within_outage_grace(date(2026, 5, 4), WINDOW, [outage], LAW)


@pytest.mark.parametrize(
    "outage",
    [
        OutageDays(WINDOW_END, WINDOW_END + timedelta(days=3)),  # starts on the last day
        OutageDays(WINDOW_END - timedelta(days=3), WINDOW_END),  # ends on the last day
    ],
)
def test_rules_outage_touching_the_last_day_covers_it(outage):
    filed_on = nth_working_day_after(outage.last_day, 3)
    assert renewal_filed_within_outage_grace(filed_on, WINDOW, [outage], LAW)


def test_rules_outage_still_going_on_covers_any_later_filing():
    outage = OutageDays(WINDOW_END - timedelta(days=1), None)
    assert renewal_filed_within_outage_grace(date(2026, 6, 20), WINDOW, [outage], LAW)


def test_rules_outage_grace_of_zero_days_excuses_nothing_after_the_outage():
    policy = replace(LAW, outage_grace_working_days=0)
    assert renewal_filed_within_outage_grace(WINDOW_END, WINDOW, [ON_THE_LAST_DAY], policy) is False
    assert not renewal_filed_within_outage_grace(
        date(2026, 5, 4), WINDOW, [ON_THE_LAST_DAY], policy
    )


def test_rules_filing_within_the_window_needs_no_outage():
    assert not renewal_filed_within_outage_grace(WINDOW_END, WINDOW, [ON_THE_LAST_DAY], LAW)


def test_rules_nth_working_day_after_skips_ascension_and_whit_monday():
    # Ascension Thursday 14 May 2026, Whit Monday 25 May 2026.
    assert nth_working_day_after(date(2026, 5, 13), 1) == date(2026, 5, 15)
    assert nth_working_day_after(date(2026, 5, 22), 1) == date(2026, 5, 26)


# --- The attestations' rule honours it -----------------------------------------------------------


@pytest.mark.parametrize(
    ("filed_on", "in_time"), [(date(2026, 5, 6), True), (date(2026, 5, 7), False)]
)
def test_rules_renewal_filed_in_time_honours_the_outage_grace(filed_on, in_time):
    policy = Policy()
    assert renewal_filed_in_time(filed_on, EXPIRY, policy, outages=[ON_THE_LAST_DAY]) is in_time
    assert renewal_filed_in_time(filed_on, EXPIRY, policy) is False


def test_rules_entitled_to_api_with_outage_in_the_facts():
    facts = DossierFacts(
        application_id=1,
        filed_on=date(2026, 5, 6),
        completed_on=date(2026, 5, 20),
        is_renewal=True,
        permit_expires_on=EXPIRY,
        outages=(ON_THE_LAST_DAY,),
    )
    assert entitled_to_api(facts, Policy())
    assert not entitled_to_api(replace(facts, outages=()), Policy())


def test_rules_policy_refuses_a_negative_grace(settings):
    settings.ATTESTATION_POLICY = {**settings.ATTESTATION_POLICY, "OUTAGE_GRACE_WORKING_DAYS": -1}
    with pytest.raises(ValueError, match="stricter"):
        Policy.from_settings()
    with pytest.raises(ValueError, match="stricter"):
        FilingPolicy.from_settings()
