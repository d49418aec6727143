"""The counters: each signal of the sagas, idempotency and outbox apps is counted."""

from __future__ import annotations

import logging

import pytest
from django.utils import timezone

from observability import metrics
from outbox.models import OutboxMessage, WebhookDelivery, WebhookEndpoint
from outbox.webhooks import delivery_record
from sagas.exceptions import CompensationError
from sagas.models import SagaRun
from sagas.services import saga_start
from tests.observability.conftest import checkout_body

pytestmark = pytest.mark.django_db

CHECKOUT_STEPS = [
    "hold-stock",
    "charge-card",
    "confirm-reservation",
    "create-shipment",
    "notify-email",
    "notify-sms",
    "notify-push",
]


def test_a_checkout_counts_one_attempt_per_step_and_one_completed_run(
    buyer_client, scrape
):
    """A healthy checkout over the API: every step tried once, nothing failed."""
    before = scrape()

    response = buyer_client.post(
        "/api/orders/",
        checkout_body(),
        format="json",
        headers={"Idempotency-Key": "k1"},
    )

    assert response.status_code == 201
    after = scrape()
    attempts = {
        step: after.since(
            before, "saga_step_attempts_total", saga="checkout", step=step
        )
        for step in CHECKOUT_STEPS
    }
    assert attempts == dict.fromkeys(CHECKOUT_STEPS, 1)
    assert (
        after.since(
            before, "saga_runs_finished_total", saga="checkout", outcome="completed"
        )
        == 1
    )
    assert after.total("saga_step_failures_total") == before.total(
        "saga_step_failures_total"
    )


def test_each_idempotency_outcome_is_counted_under_its_name(buyer_client, scrape):
    """First use, replay, another body with the same key, and no key at all."""
    before = scrape()

    def post(body: dict, **headers: str):
        return buyer_client.post("/api/orders/", body, format="json", headers=headers)

    assert post(checkout_body(1), **{"Idempotency-Key": "k1"}).status_code == 201
    assert post(checkout_body(1), **{"Idempotency-Key": "k1"}).status_code == 201
    assert post(checkout_body(2), **{"Idempotency-Key": "k1"}).status_code == 422
    assert post(checkout_body(1)).status_code == 400

    after = scrape()
    outcomes = ["new", "replay", "mismatch", "missing", "conflict"]
    counted = {
        o: after.since(before, "idempotency_requests_total", outcome=o)
        for o in outcomes
    }
    assert counted == {
        "new": 1,
        "replay": 1,
        "mismatch": 1,
        "missing": 1,
        "conflict": 0,
    }


def test_a_step_that_keeps_failing_counts_its_attempts_retries_and_failure(
    scrape, service, state
):
    """The toy charge is down: 5 attempts (4 retries), then one failure."""
    service.fail("charge", "error")
    before = scrape()

    assert saga_start(saga="toy-order", operation_id="op-1", state=state).compensated

    after = scrape()
    labels = {"saga": "toy-order", "step": "charge"}
    assert after.since(before, "saga_step_attempts_total", **labels) == 5
    assert after.since(before, "saga_step_retries_total", phase="action", **labels) == 4
    assert (
        after.since(before, "saga_step_failures_total", outcome="failed", **labels) == 1
    )


def test_a_rolled_back_run_counts_its_compensations_and_ends_compensated(
    scrape, service, state
):
    """The charge fails: the reservation is released and the run is compensated."""
    service.fail("charge", "error")
    before = scrape()

    assert saga_start(saga="toy-order", operation_id="op-1", state=state).compensated

    after = scrape()
    assert (
        after.since(
            before,
            "saga_compensations_total",
            saga="toy-order",
            step="reserve",
            outcome="completed",
        )
        == 1
    )
    assert (
        after.since(
            before, "saga_runs_finished_total", saga="toy-order", outcome="compensated"
        )
        == 1
    )


def test_a_compensation_that_keeps_failing_is_counted_and_the_run_needs_review(
    scrape, service, state
):
    """Shipping fails, unpacking works, the refund fails 4 times: one of each."""
    service.fail("ship", "error")
    service.fail("refund", "error")
    before = scrape()

    with pytest.raises(CompensationError):
        saga_start(saga="toy-order", operation_id="op-1", state=state)

    after = scrape()

    def compensations(step: str, outcome: str) -> float:
        return after.since(
            before,
            "saga_compensations_total",
            saga="toy-order",
            step=step,
            outcome=outcome,
        )

    assert compensations("pack", "completed") == 1
    assert compensations("charge", "failed") == 1
    assert (
        after.since(
            before, "saga_runs_finished_total", saga="toy-order", outcome="needs_review"
        )
        == 1
    )
    assert (
        after.since(before, "saga_step_retries_total", saga="toy-order", step="charge")
        == 0
    ), "compensation retries carry phase=compensation"
    assert (
        after.since(
            before,
            "saga_step_retries_total",
            saga="toy-order",
            step="charge",
            phase="compensation",
        )
        == 3
    )


@pytest.mark.parametrize(
    ("status_code", "error", "max_attempts", "outcome"),
    [
        (200, "", 8, "delivered"),
        (500, "HTTP 500", 8, "failed"),
        (500, "HTTP 500", 1, "dead"),
    ],
)
def test_webhook_deliveries_are_counted_by_outcome(
    scrape, settings, status_code, error, max_attempts, outcome
):
    """Each recorded attempt counts once, under the status it left the delivery in."""
    settings.OUTBOX_MAX_ATTEMPTS = max_attempts
    message = OutboxMessage.objects.create(
        event_type="order.paid", aggregate_type="order", aggregate_id="1"
    )
    endpoint = WebhookEndpoint.objects.create(url="http://127.0.0.1:9/hooks")
    delivery = WebhookDelivery.objects.create(message=message, endpoint=endpoint)
    before = scrape()

    delivery_record(delivery, status_code=status_code, error=error, now=timezone.now())

    after = scrape()
    counted = {
        o: after.since(before, "outbox_webhook_deliveries_total", outcome=o)
        for o in ("delivered", "failed", "dead")
    }
    assert counted == {o: int(o == outcome) for o in counted}


def test_a_broken_counter_is_logged_and_never_breaks_the_saga(
    monkeypatch, state, caplog
):
    """A metrics bug costs a log line, not a checkout."""

    class Broken:
        def labels(self, *args):
            raise RuntimeError("metrics are broken")

    monkeypatch.setattr(metrics, "RUNS_FINISHED", Broken())

    with caplog.at_level(logging.ERROR, logger="observability.receivers"):
        run = saga_start(saga="toy-order", operation_id="op-1", state=state).run

    assert run.status == SagaRun.Status.COMPLETED
    assert [r.getMessage() for r in caplog.records] == [
        "metrics receiver count_run_finished failed"
    ]
