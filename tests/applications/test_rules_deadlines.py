"""Issue 18, the pure rules: processing figures, implicit rejection, remedies' deadline."""

import datetime

import pytest

from applications.enums import ApplicationStatus
from applications.rules import (
    PROCESSING_MIN_DECISIONS,
    RemedyDeadline,
    implicit_rejection_on,
    processing_figures,
    processing_window_start,
    remedy_deadline,
)
from reference.enums import CardType

D = datetime.date


def test_rules_processing_figures_29_decisions_not_enough():
    assert processing_figures([10] * 29) is None


def test_rules_processing_figures_30_decisions_enough():
    figures = processing_figures([10] * 30)
    assert figures is not None
    assert figures.count == 30


def test_rules_processing_figures_minimum_is_30():
    assert PROCESSING_MIN_DECISIONS == 30


def test_rules_processing_figures_odd_count_median_is_middle_value():
    # 31 values 1..31: the middle one is 16; p80 is the ⌈24.8⌉ = 25th smallest.
    figures = processing_figures(list(range(31, 0, -1)))
    assert (figures.median_days, figures.p80_days) == (16, 25)


def test_rules_processing_figures_even_count_median_rounds_mean_up():
    # 30 values 1..30: the two middle ones are 15 and 16, mean 15.5 → 16; p80 = 24th smallest.
    figures = processing_figures(list(range(1, 31)))
    assert (figures.median_days, figures.p80_days) == (16, 24)


def test_rules_processing_figures_even_count_whole_mean_kept():
    # Middle values 14 and 16: the mean is 15 exactly, nothing to round.
    durations = [1] * 14 + [14, 16] + [40] * 14
    assert processing_figures(durations).median_days == 15


def test_rules_processing_figures_p80_nearest_rank_at_boundary():
    # 40 values: ⌈0.8 × 40⌉ = 32; the 32nd smallest is 5, the 33rd is 99.
    durations = [5] * 32 + [99] * 8
    assert processing_figures(durations).p80_days == 5


def test_rules_processing_window_day_90_in_day_91_out():
    today = D(2026, 12, 31)
    start = processing_window_start(today)
    assert start == today - datetime.timedelta(days=90)
    assert today - datetime.timedelta(days=91) < start


def test_rules_implicit_rejection_four_months_after_completion():
    assert implicit_rejection_on(
        status=ApplicationStatus.COMPLETE, complete_on=D(2026, 1, 15), card_type=CardType.TEMPORARY
    ) == D(2026, 5, 15)


def test_rules_implicit_rejection_month_end_clamped():
    assert implicit_rejection_on(
        status=ApplicationStatus.COMPLETE, complete_on=D(2026, 10, 31), card_type=CardType.TEMPORARY
    ) == D(2027, 2, 28)


@pytest.mark.parametrize(
    "status",
    [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.CORRECTION_REQUESTED,
        ApplicationStatus.FAVOURABLE,
    ],
)
def test_rules_implicit_rejection_only_while_complete_and_undecided(status):
    assert (
        implicit_rejection_on(
            status=status, complete_on=D(2026, 1, 15), card_type=CardType.TEMPORARY
        )
        is None
    )


def test_rules_implicit_rejection_not_stated_without_completion_date():
    assert (
        implicit_rejection_on(
            status=ApplicationStatus.COMPLETE, complete_on=None, card_type=CardType.TEMPORARY
        )
        is None
    )


def test_rules_implicit_rejection_not_stated_for_talent_passport():
    assert (
        implicit_rejection_on(
            status=ApplicationStatus.COMPLETE,
            complete_on=D(2026, 1, 15),
            card_type=CardType.TALENT_PASSPORT,
        )
        is None
    )


def test_rules_remedy_deadline_two_months_after_notification():
    assert remedy_deadline(obligation_to_leave=False, notified_on=D(2026, 3, 15)) == (
        RemedyDeadline.DATED,
        D(2026, 5, 15),
    )


def test_rules_remedy_deadline_month_end_clamped():
    assert remedy_deadline(obligation_to_leave=False, notified_on=D(2026, 12, 31))[1] == D(
        2027, 2, 28
    )


def test_rules_remedy_deadline_not_notified_yet():
    assert remedy_deadline(obligation_to_leave=False, notified_on=None) == (
        RemedyDeadline.NOT_NOTIFIED,
        None,
    )


@pytest.mark.parametrize("obligation", [True, None])
def test_rules_remedy_deadline_never_computed_with_oqtf_or_unknown(obligation):
    assert remedy_deadline(obligation_to_leave=obligation, notified_on=D(2026, 3, 15)) == (
        RemedyDeadline.NOT_COMPUTED,
        None,
    )
