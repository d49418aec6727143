"""One trace per checkout: the request, its saga run, its steps, their calls out.

Recorded with the SDK's in-memory exporter (``tests.observability.traces``),
from a checkout over the API whose carrier is down: the steps run forward,
the shipment is tried by its policy, then the compensations run in reverse.
"""

from __future__ import annotations

import pytest
from opentelemetry.trace import SpanKind, StatusCode
from rest_framework.test import APIClient

from orders.models import Order
from tests.observability.traces import spans  # noqa: F401  (the fixture)
from tests.orders.api.conftest import checkout_body, token_client
from tests.orders.checkout.conftest import no_waiting  # noqa: F401
from tests.orders.conftest import buyer, catalog  # noqa: F401

pytestmark = pytest.mark.django_db

STEPS = ["charge-card", "confirm-reservation", "create-shipment"]
UNDONE = ["confirm-reservation", "charge-card", "hold-stock"]
SHIPMENT_ATTEMPTS = 4  # SERVICE_RETRY in orders/checkout/saga.py


@pytest.fixture
def carrier_down_checkout(spans, catalog, buyer, settings):  # noqa: F811
    """POST a checkout whose shipment keeps failing; return its response."""
    settings.FAULT_INJECTION = True
    settings.CHECKOUT_EXECUTION = "inline"
    settings.SAGA_PARALLEL_EXECUTOR = "inline"
    client: APIClient = token_client(buyer)  # after tracing started
    response = client.post(
        "/api/orders/",
        checkout_body(faults={"shipping.create": "error"}),
        format="json",
        headers={"Idempotency-Key": "trace-me"},
    )
    assert response.status_code == 201, response.content
    assert Order.objects.get().state == "refunded"
    return response


def test_the_whole_checkout_is_one_trace_under_its_request(
    carrier_down_checkout,
    spans,  # noqa: F811
):
    """Every span shares the request's trace id; the request span is the root."""
    (root,) = [span for span in spans.all() if span.parent is None]

    assert spans.trace_ids() == {root.context.trace_id}
    assert root.kind is SpanKind.SERVER
    assert root.name == "POST api/orders/"
    assert root.attributes["request.id"] == carrier_down_checkout["X-Request-ID"]
    assert [span.name for span in spans.children(root)] == [
        "saga.start checkout",
        "saga.run checkout",
    ]


def test_steps_run_forward_then_compensations_in_reverse(
    carrier_down_checkout,
    spans,  # noqa: F811
):
    """Under the run: the steps in order, then their undos, last first."""
    start, run = spans.one("saga.start checkout"), spans.one("saga.run checkout")

    assert [span.name for span in spans.children(start)] == ["saga.step hold-stock"]
    assert [span.name for span in spans.children(run)] == [
        *(f"saga.step {name}" for name in STEPS),
        *(f"saga.compensate {name}" for name in UNDONE),
        "saga.hook on_compensated",
    ]
    assert run.attributes["saga.status"] == "compensated"
    assert [event.name for event in run.events] == ["rolling_back"]


def test_each_attempt_is_a_span_under_its_step_with_outcome_and_delay(
    carrier_down_checkout,
    spans,  # noqa: F811
):
    """The carrier's four failed attempts, each with the pause chosen after it."""
    step = spans.one("saga.step create-shipment")
    attempts = spans.children(step)

    assert [span.name for span in attempts] == [
        "saga.attempt create-shipment"
    ] * SHIPMENT_ATTEMPTS
    assert [span.attributes["saga.attempt"] for span in attempts] == [1, 2, 3, 4]
    assert {span.attributes["saga.outcome"] for span in attempts} == {"failed"}
    assert all(span.status.status_code is StatusCode.ERROR for span in attempts)
    assert all("saga.retry_delay" in span.attributes for span in attempts[:-1])
    assert "saga.retry_delay" not in attempts[-1].attributes
    # The same retries are the step's timeline events.
    assert [event.name for event in step.events] == ["attempt_failed"] * 3
    assert step.attributes["saga.status"] == "failed"


def test_calls_out_are_client_spans_carrying_the_step_keys(
    carrier_down_checkout,
    spans,  # noqa: F811
):
    """Processor and carrier calls are client spans under the attempt that made
    them, each with the idempotency key it sent (the undo key for the refund)."""
    operation_id = Order.objects.get().operation_id
    charge = spans.one("payments.charge")
    refund = spans.one("payments.refund")
    shipments = spans.named("shipping.create")

    assert {span.kind for span in [charge, refund, *shipments]} == {SpanKind.CLIENT}
    assert (
        charge.attributes["idempotency_key"] == f"checkout:{operation_id}:charge-card"
    )
    assert refund.attributes["idempotency_key"] == (
        f"checkout:{operation_id}:charge-card:undo"
    )
    assert len(shipments) == SHIPMENT_ATTEMPTS
    assert {span.attributes["idempotency_key"] for span in shipments} == {
        f"checkout:{operation_id}:create-shipment"
    }
    attempt = spans.parent_of(charge)
    assert attempt.name == "saga.attempt charge-card"
    assert spans.parent_of(attempt).name == "saga.step charge-card"
    assert (
        spans.parent_of(spans.parent_of(refund)).name == "saga.compensate charge-card"
    )


def test_the_order_events_link_their_relay_to_the_step_that_wrote_them(
    carrier_down_checkout,
    spans,  # noqa: F811
    settings,
):
    """order.paid, written by charge-card's record, is relayed in a span linked
    to that step; the trace context was stored with the message."""
    from outbox.models import OutboxMessage
    from outbox.relay import outbox_relay

    paid = OutboxMessage.objects.get(event_type="order.paid")
    step = spans.one("saga.step charge-card")
    assert paid.trace_context["traceparent"].split("-")[2] == (
        f"{step.context.span_id:016x}"
    )
    spans.clear()

    outbox_relay()

    relay = spans.one("outbox.relay order.paid")
    assert relay.kind is SpanKind.CONSUMER
    assert relay.parent is None  # its own trace: the relay's, not the checkout's
    assert [link.context.span_id for link in relay.links] == [step.context.span_id]
