"""Smoke test of `bench/statistics_page.py` (issue 20): a tiny year of dossiers through the
bench's own fill, the page asked cold and warm as the bench measures it. The figures themselves
are the benchmark's business; here, that the page answers on that population, that the
population is where the bench says, and that the bench reports every figure."""

import importlib
import sys
from pathlib import Path

import pytest
from django.db import connection

from applications.models import Application

BENCH = Path(__file__).resolve().parents[2] / "bench"
COUNT, OTHERS = 60, 15


@pytest.fixture
def statistics_page():
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark measures on PostgreSQL")
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("statistics_page")
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.django_db
def test_statistics_bench_tiny_year_page_measured_cold_and_warm(reference_data, statistics_page):
    agent = statistics_page.population_fill(COUNT, OTHERS, batch_size=25, seed=3)

    figures = statistics_page.measure(agent.pk, repeat=2)
    lines = statistics_page.report(figures, (0.0, 0.0))

    assert len(figures["cold"]) == len(figures["warm"]) == 2
    assert figures["statements"]  # the cold request's SQL was seen
    assert lines[0].startswith("cold (decision times computed): median ")
    assert lines[1].startswith("warm (decision times from the cache): median ")
    assert "SQL statements" in lines[2] and "load average" in lines[2]


@pytest.mark.django_db
def test_statistics_bench_population_in_its_prefecture_and_elsewhere(
    reference_data, statistics_page
):
    agent = statistics_page.population_fill(COUNT, OTHERS, batch_size=25, seed=3)

    mine = Application.objects.filter(prefecture=agent.prefecture)
    assert mine.count() == COUNT
    assert Application.objects.exclude(prefecture=agent.prefecture).count() == OTHERS
    # A year: some decided in the window of the times per ground, some still waiting.
    assert mine.filter(decided_at__isnull=False).exists()
    assert mine.filter(status__in=["submitted", "correction_requested", "complete"]).exists()
