"""GET /metrics: every family, in the format the scraper asks for."""

from __future__ import annotations

import pytest
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)

from tests.observability.scrapes import Scrape

pytestmark = pytest.mark.django_db

FAMILIES = {
    "saga_step_attempts": "counter",
    "saga_step_retries": "counter",
    "saga_step_failures": "counter",
    "saga_compensations": "counter",
    "saga_runs_finished": "counter",
    "idempotency_requests": "counter",
    "outbox_webhook_deliveries": "counter",
    "saga_runs": "gauge",
    "saga_runs_needs_review": "gauge",
    "outbox_backlog_messages": "gauge",
    "outbox_oldest_pending_age_seconds": "gauge",
    "metrics_database_up": "gauge",
}


def test_metrics_lists_every_family_in_the_prometheus_text_format(client):
    """Without an Accept header the answer is text format 0.0.4, every family typed."""
    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    scrape = Scrape(response.content.decode())
    assert {name: f.type for name, f in scrape.families.items()} == FAMILIES


def test_metrics_speaks_openmetrics_to_a_scraper_that_asks_for_it(client):
    """Prometheus asks for OpenMetrics first; the answer is valid OpenMetrics."""
    response = client.get(
        "/metrics", headers={"Accept": "application/openmetrics-text"}
    )

    assert response["Content-Type"].startswith("application/openmetrics-text")
    families = openmetrics_families(response.content.decode())
    assert {f.name for f in families} == set(FAMILIES)


def test_metrics_costs_two_queries_whatever_the_data(client, django_assert_num_queries):
    """Runs by status and the outbox backlog: one query each."""
    with django_assert_num_queries(2):
        client.get("/metrics")


def test_metrics_is_never_cached(client):
    response = client.get("/metrics")
    assert "no-cache" in response["Cache-Control"]


def test_metrics_refuses_post(client):
    assert client.post("/metrics").status_code == 405
