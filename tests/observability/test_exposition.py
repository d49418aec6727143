"""Multiprocess mode: /metrics adds up the counters that every process wrote."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.conf import settings

from observability import metrics

pytestmark = pytest.mark.django_db

COUNT_IN_CHILD = (
    "import sys; from observability.metrics import IDEMPOTENCY_REQUESTS as c;"
    " c.labels('new').inc(int(sys.argv[1]))"
)


def count_in_child(directory, amount: int) -> None:
    """Increment idempotency_requests{outcome="new"} in a process of its own."""
    subprocess.run(
        [sys.executable, "-c", COUNT_IN_CHILD, str(amount)],
        cwd=settings.BASE_DIR,
        env={"PROMETHEUS_MULTIPROC_DIR": str(directory)},
        check=True,
        timeout=60,
    )


def test_counters_of_several_processes_are_added_up(settings, tmp_path, scrape):
    """Two processes count 3 and 2: one scrape reports 5, dead processes included."""
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    count_in_child(tmp_path, 3)
    count_in_child(tmp_path, 2)

    assert scrape().value("idempotency_requests_total", outcome="new") == 5


def test_in_multiprocess_mode_only_the_files_are_read(settings, tmp_path, scrape):
    """A value held in this process's memory is not what the service reports."""
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    metrics.IDEMPOTENCY_REQUESTS.labels("invalid").inc()
    count_in_child(tmp_path, 1)

    after = scrape()

    assert after.value("idempotency_requests_total", outcome="new") == 1
    assert after.value("idempotency_requests_total", outcome="invalid") == 0


def test_multiprocess_scrapes_still_carry_the_database_gauges(
    settings, tmp_path, scrape
):
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    assert scrape().value("metrics_database_up") == 1
