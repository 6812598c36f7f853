"""Smoke test of `bench/exports.py` (issue 20): a tiny population through the bench's own fill
and the real export service, in a child process as the bench measures it, for both formats.
The figures themselves are the benchmark's business; here, that they are measured and whole."""

import importlib
import sys
from pathlib import Path

import pytest
from django.db import connection

from applications.exports.models import QueueExport

BENCH = Path(__file__).resolve().parents[2] / "bench"
COUNT = 7


@pytest.fixture
def exports():
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark measures on PostgreSQL")
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("exports")
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_exports_bench_tiny_population_every_row_measured(
    reference_data, exports, file_format, capsys
):
    agent = exports.population_fill(COUNT, batch_size=3)

    [line] = exports.measure(agent.pk, [file_format], trace=True)

    assert line.startswith(f"{file_format}: {COUNT} rows in ")
    assert "MB at peak" in line and "tracemalloc" in line and "load average" in line
    assert not QueueExport.objects.exists()  # the bench deletes what it built


@pytest.mark.django_db
def test_exports_bench_in_process_traced_counts_rows_and_python_peak(reference_data, exports):
    agent = exports.population_fill(COUNT, batch_size=5)

    figures = exports.export_once(agent.pk, "xlsx", trace=True)

    assert figures["rows"] == COUNT
    assert figures["bytes"] > 0
    assert figures["python_peak"] > 0
