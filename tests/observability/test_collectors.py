"""The gauges read from the database at scrape time: runs, reviews, outbox backlog."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from outbox.models import OutboxMessage
from outbox.services import message_emit
from sagas.exceptions import CompensationError
from sagas.services import saga_start

pytestmark = pytest.mark.django_db


def test_runs_are_counted_by_saga_and_status(scrape, service, state):
    """One completed and one compensated toy run; every other status reads 0."""
    saga_start(saga="toy-order", operation_id="op-ok", state=state)
    service.fail("charge", "error")
    assert saga_start(saga="toy-order", operation_id="op-bad", state=state).compensated

    after = scrape()

    assert after.value("saga_runs", saga="toy-order", status="completed") == 1
    assert after.value("saga_runs", saga="toy-order", status="compensated") == 1
    assert after.value("saga_runs", saga="toy-order", status="running") == 0
    assert after.value("saga_runs", saga="checkout", status="completed") == 0


def test_runs_waiting_for_a_person_have_their_own_gauge(scrape, service, state):
    """A compensation that keeps failing leaves one run in needs_review."""
    service.fail("ship", "error")
    service.fail("refund", "error")
    with pytest.raises(CompensationError):
        saga_start(saga="toy-order", operation_id="op-stuck", state=state)

    after = scrape()

    assert after.value("saga_runs_needs_review", saga="toy-order") == 1
    assert after.value("saga_runs", saga="toy-order", status="needs_review") == 1


def test_outbox_backlog_and_the_age_of_its_oldest_message(scrape):
    """Two pending messages, the oldest written ten minutes ago; delivered ones don't
    count."""
    with transaction.atomic():
        old = message_emit(
            event_type="order.paid",
            aggregate_type="order",
            aggregate_id="1",
            payload={},
        )
        message_emit(
            event_type="order.paid",
            aggregate_type="order",
            aggregate_id="2",
            payload={},
        )
        delivered = message_emit(
            event_type="order.paid",
            aggregate_type="order",
            aggregate_id="3",
            payload={},
        )
    OutboxMessage.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )
    OutboxMessage.objects.filter(pk=delivered.pk).update(
        status=OutboxMessage.Status.DELIVERED,
        created_at=timezone.now() - timedelta(hours=1),
    )

    after = scrape()

    assert after.value("outbox_backlog_messages") == 2
    assert 600 <= after.value("outbox_oldest_pending_age_seconds") < 3600


def test_an_empty_outbox_reports_no_backlog_and_age_zero(scrape):
    after = scrape()
    assert after.value("outbox_backlog_messages") == 0
    assert after.value("outbox_oldest_pending_age_seconds") == 0


def test_a_database_outage_still_serves_the_counters(scrape, monkeypatch):
    """The gauges drop out, metrics_database_up reads 0, the counters stay."""

    def outage():
        raise DatabaseError("connection refused")

    monkeypatch.setattr("observability.collectors.saga_run_counts", outage)

    after = scrape()

    assert after.value("metrics_database_up") == 0
    assert "saga_runs" not in after.families
    assert "saga_runs_finished" in after.families


def test_a_healthy_database_reports_up(scrape):
    assert scrape().value("metrics_database_up") == 1
