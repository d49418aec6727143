"""The choreographed checkout: a chain of consumers that works until one fails."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from faults.services import fault_plan_set
from orders.models import Order, Product
from orders.services import order_create
from outbox.models import OutboxMessage
from payments.models import Charge, Refund
from scenarios.choreography import PREFIX, chain_relay, choreography_connected
from shipping.models import Shipment
from warehouse.models import Reservation
from warehouse.services import stock_set

pytestmark = pytest.mark.django_db
LINES = [{"sku": "TEE-001", "quantity": 2}]
ADDRESS = {"name": "Ada", "line1": "1 Main St", "city": "London", "country": "GB"}


@pytest.fixture(autouse=True)
def shelf(settings):
    settings.FAULT_INJECTION = True
    settings.OUTBOX_RELAY_ON_COMMIT = False
    Product.objects.create(sku="TEE-001", name="T-shirt", price=Decimal("20.00"))
    stock_set(sku="TEE-001", on_hand=5)


@pytest.fixture
def reactions():
    """Connect the chain; return what each consumer did, as (consumer, error)."""
    seen: list[tuple[str, str]] = []
    with choreography_connected(
        lambda name, message, error: seen.append((name, type(error).__name__))
    ):
        yield seen


def place(user, *, prefix: str = PREFIX, faults: dict | None = None) -> Order:
    operation_id = f"{prefix}{uuid.uuid4().hex}"
    if faults:
        fault_plan_set(operation_id=operation_id, plan=faults)
    return order_create(
        owner=user,
        lines=LINES,
        payment_token="tok_visa",
        shipping_address=ADDRESS,
        operation_id=operation_id,
    )


def test_each_service_reacts_to_the_last_event_and_the_order_ships(
    reactions, django_user_model
):
    order = place(django_user_model.objects.create_user("alice"))

    chain_relay(timezone.now())

    order.refresh_from_db()
    assert order.state == "shipped"
    assert [name for name, _ in reactions] == [
        "choreography.warehouse.hold",
        "choreography.payments.charge",
        "choreography.warehouse.confirm",
        "choreography.shipping.book",
    ]
    assert Shipment.objects.get().operation_id == order.operation_id
    assert set(Reservation.objects.values_list("status", flat=True)) == {"shipped"}


def test_a_consumer_that_keeps_failing_stops_the_chain_with_nothing_undone(
    reactions, django_user_model, settings
):
    """The event is dead-lettered; the charge stays and the hold stays pending."""
    settings.OUTBOX_MAX_ATTEMPTS = 3
    order = place(
        django_user_model.objects.create_user("alice"),
        faults={"warehouse.confirm": "error"},
    )

    chain_relay(timezone.now())

    order.refresh_from_db()
    assert order.state == "paid"
    assert reactions[-3:] == [("choreography.warehouse.confirm", "InjectedFault")] * 3
    dead = OutboxMessage.objects.get(status="dead")
    assert (dead.event_type, dead.attempts) == ("order.paid", 3)
    assert Charge.objects.filter(operation_id=order.operation_id).count() == 1
    assert not Refund.objects.exists()
    assert set(Reservation.objects.values_list("status", flat=True)) == {"pending"}


def test_orders_outside_the_chain_are_left_alone(reactions, django_user_model):
    place(django_user_model.objects.create_user("alice"), prefix="orchestrated-")

    chain_relay(timezone.now())

    assert reactions == []
    assert not Reservation.objects.exists()
