"""The expected outcome of a checkout under each fault plan, then a clean audit.

Each test starts one checkout (2 T-shirts and 1 mug, 52.50 EUR) with a fault plan,
and checks where the order ends, what money and stock did, and that
``manage.py audit`` finds nothing wrong afterwards.
"""

from __future__ import annotations

import pytest
from django.core import mail

from notifications.models import SentMessage
from orders.audit import audit_problems
from orders.models import Order
from outbox.models import OutboxMessage
from payments.models import Charge, Refund
from payments.simulator.models import ProcessorCharge, ProcessorRefund
from sagas import signals
from sagas.models import SagaRun, StepStatus
from shipping.models import Shipment
from shipping.simulator.models import CarrierShipment
from tests.orders.checkout.conftest import step_of
from warehouse.exceptions import OutOfStock
from warehouse.models import Reservation, StockItem

pytestmark = pytest.mark.django_db(transaction=True)

TOTAL_MINOR = 5250


def stock() -> dict[str, tuple[int, int]]:
    """Return (on_hand, reserved) per SKU."""
    return {item.sku: (item.on_hand, item.reserved) for item in StockItem.objects.all()}


STOCK_BEFORE = {"MUG-001": (5, 0), "TEE-001": (10, 0)}


@pytest.fixture
def compensations() -> list[str]:
    """Record the steps whose compensation completed, in the order they did."""
    done: list[str] = []

    def record(sender, *, step, **kwargs):
        done.append(step)

    signals.compensation_completed.connect(record, dispatch_uid="test-record")
    yield done
    signals.compensation_completed.disconnect(dispatch_uid="test-record")


def charge_attempts(result) -> int:
    return step_of(result.run, "charge-card").attempts


def delivered() -> dict[str, int]:
    """Return how many messages each channel really delivered."""
    counts = {"email": len(mail.outbox), "sms": 0, "push": 0}
    for message in SentMessage.objects.all():
        counts[message.channel] += 1
    return counts


def test_no_fault_ships_the_order(checkout):
    """Happy path: one charge, stock leaves the shelf, one shipment, 3 messages."""
    result = checkout()

    assert result.order.state == "shipped"
    assert result.run.status == SagaRun.Status.COMPLETED
    assert Charge.objects.get().amount_minor == TOTAL_MINOR
    assert Refund.objects.count() == 0
    assert stock() == {"MUG-001": (4, 0), "TEE-001": (8, 0)}
    assert Shipment.objects.get().status == Shipment.Status.ACTIVE
    assert delivered() == {"email": 1, "sms": 1, "push": 1}
    assert audit_problems() == []


@pytest.mark.partial_failure("checkout", "after_each_step")
def test_charge_error_cancels_the_order(checkout):
    """The processor keeps failing before charging: nothing charged, stock back."""
    result = checkout(faults={"payments.charge": "error"})

    assert result.order.state == "cancelled"
    assert result.run.status == SagaRun.Status.COMPENSATED
    assert ProcessorCharge.objects.count() == 0
    assert Charge.objects.count() == 0
    assert stock() == STOCK_BEFORE
    assert audit_problems() == []


def test_declined_card_cancels_without_retrying_the_charge(checkout):
    """A declined card is a business answer: one attempt, then cancelled."""
    result = checkout(token="tok_chargeDeclined")

    assert result.order.state == "cancelled"
    assert result.order.failure_code == "payment_declined"
    assert charge_attempts(result) == 1
    assert Charge.objects.count() == 0
    assert stock() == STOCK_BEFORE
    assert audit_problems() == []


@pytest.mark.partial_failure("checkout", "retry_after_partial_success")
def test_transient_charge_error_is_retried_and_ships(checkout):
    """One failure before the charge, then it works: shipped, one charge."""
    result = checkout(faults={"payments.charge": "transient"})

    assert result.order.state == "shipped"
    assert charge_attempts(result) == 2
    assert Charge.objects.count() == 1
    assert ProcessorCharge.objects.count() == 1
    assert audit_problems() == []


@pytest.mark.partial_failure("checkout", "timeout")
def test_charge_timeout_is_reconciled_into_exactly_one_charge(checkout):
    """The charge happened but its answer was lost: reconcile finds it."""
    result = checkout(faults={"payments.charge": "timeout"})

    assert result.order.state == "shipped"
    assert charge_attempts(result) == 1
    assert ProcessorCharge.objects.count() == 1
    assert Charge.objects.get().external_id == ProcessorCharge.objects.get().charge_id
    assert audit_problems() == []


@pytest.mark.partial_failure("checkout", "after_each_step")
def test_confirm_error_refunds_the_charge_and_returns_stock(checkout):
    """Paid but the reservation cannot be confirmed: refunded in full."""
    result = checkout(faults={"warehouse.confirm": "error"})

    assert result.order.state == "refunded"
    assert Refund.objects.get().amount_minor == Charge.objects.get().amount_minor
    assert ProcessorRefund.objects.count() == 1
    assert stock() == STOCK_BEFORE
    assert audit_problems() == []


@pytest.mark.partial_failure("checkout", "after_each_step")
def test_shipping_error_compensates_in_reverse_order(checkout, compensations):
    """The carrier fails: stock goes back first, then the money, order refunded."""
    result = checkout(faults={"shipping.create": "error"})

    assert result.order.state == "refunded"
    assert compensations == ["confirm-reservation", "charge-card", "hold-stock"]
    assert Refund.objects.get().amount_minor == TOTAL_MINOR
    assert Shipment.objects.count() == 0
    assert stock() == STOCK_BEFORE
    assert audit_problems() == []


@pytest.mark.partial_failure("checkout", "timeout")
def test_shipping_timeout_ships_exactly_once(checkout):
    """The booking happened but its answer was lost: one shipment, not two."""
    result = checkout(faults={"shipping.create": "timeout"})

    assert result.order.state == "shipped"
    assert CarrierShipment.objects.count() == 1
    assert (
        Shipment.objects.get().external_id == CarrierShipment.objects.get().shipment_id
    )
    assert audit_problems() == []


@pytest.mark.partial_failure("checkout", "compensation_fails")
def test_failing_refund_stops_for_review_with_stock_released(checkout):
    """Shipping fails and so does the refund: the order stays reserved for review."""
    result = checkout(faults={"shipping.create": "error", "payments.refund": "error"})

    assert result.order.state == "reserved"
    assert result.run.status == SagaRun.Status.NEEDS_REVIEW
    assert result.run.error_code == SagaRun.Reason.COMPENSATION_FAILED
    assert step_of(result.run, "charge-card").status == StepStatus.NEEDS_REVIEW
    assert Refund.objects.count() == 0
    assert ProcessorRefund.objects.count() == 0
    assert {sku: reserved for sku, (_, reserved) in stock().items()} == {
        "MUG-001": 0,
        "TEE-001": 0,
    }
    assert audit_problems() == []


@pytest.mark.partial_failure("checkout", "after_each_step")
def test_failing_sms_is_recorded_and_the_order_still_ships(checkout):
    """Notifications are best effort: the SMS failure is recorded, run completes."""
    result = checkout(faults={"notifications.sms": "error"})

    assert result.order.state == "shipped"
    assert result.run.status == SagaRun.Status.COMPLETED
    assert step_of(result.run, "notify-sms").status == StepStatus.FAILED
    assert delivered() == {"email": 1, "sms": 0, "push": 1}
    assert audit_problems() == []


@pytest.mark.partial_failure("checkout", "after_each_step")
def test_out_of_stock_is_refused_and_leaves_nothing_behind(checkout):
    """More than the shelf holds: refused at once; no order, no run, no hold."""
    with pytest.raises(OutOfStock) as refused:
        checkout(lines=[{"sku": "MUG-001", "quantity": 6}])

    assert refused.value.extra["skus"] == ["MUG-001"]
    assert not Order.objects.exists()
    assert not SagaRun.objects.exists()
    assert not Reservation.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert stock() == STOCK_BEFORE
    assert audit_problems() == []


@pytest.mark.partial_failure("checkout", "same_operation_twice")
def test_the_same_request_twice_makes_one_order_and_one_charge(checkout):
    """A repeated key finds the first order and run instead of starting anew."""
    first = checkout(key="same")
    second = checkout(key="same")

    assert second.order.pk == first.order.pk
    assert second.run.pk == first.run.pk
    assert Charge.objects.count() == 1
    assert CarrierShipment.objects.count() == 1
