"""Gauges computed at scrape time from the database, the source of truth.

A gauge kept in process memory would be wrong as soon as there are two
processes; a count in the database is right whichever process is scraped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.db import DatabaseError
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from observability.selectors import saga_run_counts
from outbox.selectors import outbox_backlog
from sagas.api import SagaRun

logger = logging.getLogger(__name__)


class DatabaseCollector(Collector):
    """Saga runs by status, runs awaiting review, and the outbox backlog."""

    def describe(self) -> list[GaugeMetricFamily]:
        """Return the families without values, so registering costs no query."""
        return list(self._families())

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Query the database (two queries) and yield the gauges."""
        runs, review, backlog, oldest, up = self._families()
        try:
            counts = saga_run_counts()
            pending, age = outbox_backlog()
        except DatabaseError:
            # A scrape still returns the counters; the gauge below says why the
            # database figures are missing.
            logger.warning("metrics: database figures unavailable", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        for (saga, status), count in sorted(counts.items()):
            runs.add_metric([saga, status], count)
            if status == SagaRun.Status.NEEDS_REVIEW:
                review.add_metric([saga], count)
        backlog.add_metric([], pending)
        oldest.add_metric([], age)
        up.add_metric([], 1)
        yield from (runs, review, backlog, oldest, up)

    def _families(self) -> tuple[GaugeMetricFamily, ...]:
        return (
            GaugeMetricFamily(
                "saga_runs", "Saga runs by saga and status.", labels=["saga", "status"]
            ),
            GaugeMetricFamily(
                "saga_runs_needs_review",
                "Saga runs waiting for a person.",
                labels=["saga"],
            ),
            GaugeMetricFamily(
                "outbox_backlog_messages", "Outbox messages not yet delivered."
            ),
            GaugeMetricFamily(
                "outbox_oldest_pending_age_seconds",
                "Age of the oldest pending outbox message (0 when none).",
            ),
            GaugeMetricFamily(
                "metrics_database_up",
                "1 when the database figures of this scrape could be read.",
            ),
        )
