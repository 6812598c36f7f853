"""Smoke test of `bench/continuity.py` (issue 16): a few simulated weeks at a tiny scale, with
every fault on, through the real services and the real sweep. The benchmark's own SQL must
find nobody uncovered for no reason ("bug"), nobody with two valid documents, and no public
answer contradicting the ledger. The figures themselves are the benchmark's business."""

import dataclasses
import importlib
import sys
from pathlib import Path

import pytest
from django.db import connection

from attestations.models import Attestation

BENCH = Path(__file__).resolve().parents[2] / "bench"
WEEKS = 3
WARMUP_DAYS = 100  # files, completes and decides before the counted weeks: permits expire in them


@pytest.fixture
def continuity():
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark counts with PostgreSQL's SQL (COPY, FILTER, AT TIME ZONE)")
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("continuity")
    finally:
        sys.path.remove(str(BENCH))
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_continuity_person")


@pytest.mark.django_db(transaction=True)
def test_continuity_few_weeks_with_faults_no_bug_no_two_documents(reference_data, continuity):
    config = continuity.Config(
        scale=0.0002,
        days=7 * WEEKS,
        warmup=WARMUP_DAYS,
        faults=True,
        kill_days=1,
        double_days=1,
        verify_per_day=5,
        reminder_rate=0.5,  # the real reminders are sent; half the would-be late respond
    )

    result = continuity.run(config)

    figures = result.figures
    assert figures["people"] == result.people * 7 * WEEKS  # every person, every counted day
    assert figures["bug"] == 0
    assert figures["two_valid"] == 0
    assert result.final_two_valid == 0  # the same days, re-read from the ledger at the end
    assert result.verified > 0
    assert result.contradictions == []
    # The promise was exercised: permits expired during these weeks and APIs were issued.
    assert Attestation.objects.filter(kind="api", valid_from__gte=continuity.START).exists()
    # The real reminders service wrote its log, and renewals copied the previous dossier's files.
    assert result.reminders_sent["renewal_window_open_120"] > 0
    assert result.service_calls["pieces copied from the last dossier"] > 0


def _figures(result) -> dict:
    """The continuity table's measured rows (the public answers' sample depends on ids)."""
    return {**result.figures, "final_two_valid": result.final_two_valid}


@pytest.mark.django_db(transaction=True)
def test_continuity_parallel_workers_same_figures_as_sequential(reference_data, continuity):
    config = continuity.Config(
        scale=0.0002,
        days=7,
        warmup=WARMUP_DAYS,
        faults=True,
        kill_days=1,
        double_days=1,
        verify_per_day=3,
        reminder_rate=0.5,
    )

    sequential = continuity.run(config)
    continuity.people_tables_truncate()
    parallel = continuity.run(dataclasses.replace(config, workers=2))

    assert _figures(parallel) == _figures(sequential)
    assert parallel.service_calls == sequential.service_calls
    assert parallel.reminders_sent == sequential.reminders_sent
    assert parallel.contradictions == sequential.contradictions == []
