"""When a renewal may be filed (CESEDA R. 431-5), at its boundaries: a rule of the dossier,
which `application_submit` applies and the attestations' entitlement reuses."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from applications.rules import (
    FILING_IN_TIME,
    FILING_LATE,
    FILING_TOO_EARLY,
    FilingPolicy,
    renewal_filing_timing,
    renewal_filing_window,
)

LAW = FilingPolicy()
GENEROUS_FILING = replace(LAW, filed_before_expiry_counts_as_in_time=True)

EXPIRY = date(2027, 3, 1)  # scenario 1: her card expires on 1 March


def days_before(n: int) -> date:
    return EXPIRY - timedelta(days=n)


# --- The filing window at the moment of filing (R. 431-5 1°) -------------------------------------


@pytest.mark.parametrize(
    ("days", "law", "generous"),
    [
        (121, FILING_TOO_EARLY, FILING_TOO_EARLY),
        (120, FILING_IN_TIME, FILING_IN_TIME),
        (60, FILING_IN_TIME, FILING_IN_TIME),
        (59, FILING_LATE, FILING_IN_TIME),
        (0, FILING_LATE, FILING_IN_TIME),
        (-1, FILING_LATE, FILING_LATE),
    ],
)
def test_rules_filing_timing_boundaries(days, law, generous):
    assert renewal_filing_timing(days_before(days), EXPIRY, LAW) == law
    assert renewal_filing_timing(days_before(days), EXPIRY, GENEROUS_FILING) == generous


def test_rules_filing_window_says_its_first_and_last_day():
    window = renewal_filing_window(EXPIRY, LAW)
    assert (window.opens_on, window.closes_on) == (date(2026, 11, 1), date(2026, 12, 31))


# A title not on the list of titles renewed online: "within the two months before it ends".
@pytest.mark.parametrize(
    ("filed_on", "timing"),
    [
        (date(2027, 1, 30), FILING_TOO_EARLY),
        (date(2027, 1, 31), FILING_IN_TIME),  # 31 March minus two months
        (date(2027, 3, 1), FILING_IN_TIME),  # 30 days before: late for a title renewed online
        (date(2027, 3, 31), FILING_IN_TIME),  # its last day
        (date(2027, 4, 1), FILING_LATE),
    ],
)
def test_rules_filing_timing_of_a_title_not_renewed_online(filed_on, timing):
    expires = date(2027, 3, 31)
    assert renewal_filing_timing(filed_on, expires, LAW, renewed_online=False) == timing


def test_rules_filing_window_of_a_title_not_renewed_online_across_29_february():
    window = renewal_filing_window(date(2028, 4, 29), LAW, renewed_online=False)
    assert (window.opens_on, window.closes_on) == (date(2028, 2, 29), date(2028, 4, 29))


# --- The window in force (settings.ATTESTATION_POLICY, more generous than the law, never less) --


def test_rules_filing_policy_from_settings_reads_only_the_window(settings):
    settings.ATTESTATION_POLICY = {
        **settings.ATTESTATION_POLICY,
        "RENEWAL_WINDOW_START_DAYS": 150,
        "FILED_BEFORE_EXPIRY_COUNTS_AS_IN_TIME": True,
    }
    assert FilingPolicy.from_settings() == FilingPolicy(
        renewal_window_start_days=150,
        renewal_window_end_days=60,
        filed_before_expiry_counts_as_in_time=True,
    )


@pytest.mark.parametrize(
    ("key", "value"), [("RENEWAL_WINDOW_START_DAYS", 119), ("RENEWAL_WINDOW_END_DAYS", 61)]
)
def test_rules_filing_policy_from_settings_narrower_than_the_law_refused(settings, key, value):
    settings.ATTESTATION_POLICY = {**settings.ATTESTATION_POLICY, key: value}
    with pytest.raises(ValueError, match=r"R\. 431-5"):
        FilingPolicy.from_settings()


def test_rules_filing_policy_of_the_attestations_is_the_same_window(settings):
    """The attestations' policy extends this one: the window a dossier may be filed in is the
    window its API entitlement is judged by."""
    from attestations.rules import Policy

    settings.ATTESTATION_POLICY = {**settings.ATTESTATION_POLICY, "RENEWAL_WINDOW_END_DAYS": 30}
    attestations = Policy.from_settings()
    assert isinstance(attestations, FilingPolicy)
    assert renewal_filing_window(EXPIRY, attestations) == renewal_filing_window(
        EXPIRY, FilingPolicy.from_settings()
    )
