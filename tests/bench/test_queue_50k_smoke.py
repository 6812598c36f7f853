"""Smoke test of `bench/queue_50k.py` (issue 20) at a tiny scale: the bench fills, saves its
views and measures every page through the real queue, each page answering with its rows in a
number of queries that does not depend on the page or the view. The figures themselves are the
benchmark's business."""

import importlib
import sys
from pathlib import Path

import pytest
from django.db import connection

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def queue_bench():
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark targets PostgreSQL")
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("queue_50k")
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.django_db(transaction=True)
def test_queue_50k_tiny_scale_every_page_measured_in_constant_queries(reference_data, queue_bench):
    agent = queue_bench.fill(60, 25)

    results = queue_bench.measure(agent, samples=2, page_size=20, cache=False)

    assert [row["page"] for row in results][3:] == [
        f"view « {name} »" for name in sorted(queue_bench.SAVED_VIEWS, key=str.lower)
    ]
    assert results[0]["rows"] == 20
    assert all(row["rows"] for row in results)  # every view of the bench lists dossiers
    assert len({row["queries"] for row in results}) == 1
