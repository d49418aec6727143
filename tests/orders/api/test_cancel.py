"""POST /api/orders/{id}/cancel/: undo a checkout, or say why it cannot be."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.models import Order
from outbox.models import OutboxMessage
from payments.models import Charge, Refund
from sagas import signals
from sagas.models import SagaRun
from sagas.services import saga_resume
from tests.orders.api.conftest import ORDERS_URL, assert_problem, checkout_body
from warehouse.models import StockItem

pytestmark = pytest.mark.django_db


def cancel_url(order_id: str) -> str:
    return f"{ORDERS_URL}{order_id}/cancel/"


@pytest.fixture
def queued_order_id(alice_client, post_checkout, settings) -> str:
    """An order whose saga waits for a worker (CHECKOUT_EXECUTION "worker")."""
    settings.CHECKOUT_EXECUTION = "worker"
    response = post_checkout(alice_client)
    assert response.status_code == 202
    return response.json()["id"]


def test_cancelling_a_created_order_answers_200_cancelled(
    alice_client, queued_order_id
):
    """No worker holds the run: it is undone now and the order is cancelled."""
    response = alice_client.post(cancel_url(queued_order_id))

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "cancelled"
    assert body["saga"]["status"] == "compensated"
    assert body["failure"]["code"] == "cancelled"
    assert Charge.objects.count() == 0


def test_cancelling_reads_the_order_once_before_and_once_after(
    alice_client, queued_order_id
):
    """The view reads the caller's order, then the cancelled one with its history.

    The saga's ending reads the order once more, to move it: 3 order reads in
    all, and the history (the order's events) read once.
    """
    with CaptureQueriesContext(connection) as ctx:
        response = alice_client.post(cancel_url(queued_order_id))

    assert response.json()["state"] == "cancelled"
    selects = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert len([sql for sql in selects if 'FROM "orders_order"' in sql]) == 3
    assert len([sql for sql in selects if 'FROM "outbox_outboxmessage"' in sql]) == 1


def test_cancelling_while_a_worker_holds_the_run_answers_202(
    alice_client, queued_order_id
):
    """The worker's lease is live: the cancellation is only flagged (202)."""
    run = SagaRun.objects.get()
    SagaRun.objects.filter(pk=run.pk).update(
        lease_owner="another-worker",
        lease_expires_at=timezone.now() + timedelta(minutes=5),
    )

    response = alice_client.post(cancel_url(queued_order_id))

    assert response.status_code == 202
    assert response.json()["state"] == "created"
    assert SagaRun.objects.get().cancel_requested is True


def test_a_paid_order_cancelled_mid_saga_ends_refunded(alice_client, queued_order_id):
    """Cancelled while the worker charges: 202, then the worker refunds it all."""
    responses = []

    def cancel_when_confirming(sender, *, step, **kwargs):
        if step == "confirm-reservation" and not responses:
            responses.append(alice_client.post(cancel_url(queued_order_id)))

    signals.step_started.connect(cancel_when_confirming, dispatch_uid="test-cancel")
    try:
        saga_resume(run_id=SagaRun.objects.get().pk)
    finally:
        signals.step_started.disconnect(dispatch_uid="test-cancel")

    assert responses[0].status_code == 202
    # The charge is recorded with the confirmation, in one commit not made yet.
    assert responses[0].json()["state"] == "created"
    final = alice_client.get(f"{ORDERS_URL}{queued_order_id}/").json()
    assert final["state"] == "refunded"
    assert final["saga"]["status"] == "compensated"
    assert Refund.objects.get().amount_minor == Charge.objects.get().amount_minor
    assert StockItem.objects.get(sku="TEE-001").reserved == 0


def test_a_cancel_while_the_shipment_is_booked_is_refused_not_lost(
    alice_client, queued_order_id
):
    """The pivot has begun: 409 order_not_cancellable (shipping), nothing flagged.

    Before, this cancel was answered 202 and the order shipped anyway.
    """
    responses = []

    def cancel_when_shipping(sender, *, step, **kwargs):
        if step == "create-shipment" and not responses:
            responses.append(alice_client.post(cancel_url(queued_order_id)))

    signals.step_started.connect(cancel_when_shipping, dispatch_uid="test-cancel")
    try:
        saga_resume(run_id=SagaRun.objects.get().pk)
    finally:
        signals.step_started.disconnect(dispatch_uid="test-cancel")

    problem = assert_problem(responses[0], 409, "order_not_cancellable")
    assert problem["reason"] == "shipping"
    run = SagaRun.objects.get()
    assert (run.status, run.cancel_requested) == ("completed", False)
    assert Order.objects.get().state == "shipped"


def test_cancelling_a_shipped_order_is_409(alice_client, post_checkout):
    """A shipped order cannot be cancelled: 409 illegal_transition, unchanged."""
    order_id = post_checkout(alice_client).json()["id"]

    problem = assert_problem(
        alice_client.post(cancel_url(order_id)), 409, "illegal_transition"
    )

    assert problem["state"] == "shipped"
    assert Order.objects.get().state == "shipped"


def test_cancelling_a_cancelled_order_returns_it_unchanged(
    alice_client, queued_order_id
):
    """Cancelling again: 200 with the order, and no new transition."""
    alice_client.post(cancel_url(queued_order_id))
    transitions = OutboxMessage.objects.filter(aggregate_type="order").count()

    response = alice_client.post(cancel_url(queued_order_id))

    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    assert OutboxMessage.objects.filter(aggregate_type="order").count() == transitions


def test_a_run_waiting_for_review_cannot_be_cancelled(
    alice_client, post_checkout, settings
):
    """The rollback is stuck and waits for a person: 409, reason under_review."""
    settings.FAULT_INJECTION = True
    body = checkout_body(
        faults={"shipping.create": "error", "payments.refund": "error"}
    )
    order_id = post_checkout(alice_client, body).json()["id"]

    problem = assert_problem(
        alice_client.post(cancel_url(order_id)), 409, "order_not_cancellable"
    )
    assert problem["reason"] == "under_review"
    assert Order.objects.get().state == "reserved"


def test_another_users_order_cannot_be_cancelled(
    alice_client, bob_client, queued_order_id
):
    """Bob cancelling Alice's order: 404, and her order stays as it was."""
    assert_problem(bob_client.post(cancel_url(queued_order_id)), 404, "order_not_found")
    assert Order.objects.get().state == "created"
