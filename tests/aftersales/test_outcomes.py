"""The expected outcome of a return under each fault plan, then a clean audit.

Each test ships the checkout's order (2 T-shirts and 1 mug, 52.50 EUR), returns
one T-shirt (20.00) with a fault plan, and checks where the return ends, what
money and stock did, and that ``manage.py audit`` finds nothing wrong.
Before the parcel is received (the pivot) a failure cancels the return: the
label is cancelled and the refund allowance given back. After it, the saga
only goes forward: a step that keeps failing waits for a person.
"""

from __future__ import annotations

import pytest
from django.core import mail

from aftersales.models import Return
from aftersales.selectors import refundable_minor
from orders.audit import audit_problems
from orders.models import Order
from payments.models import Refund, RefundHold
from payments.simulator.models import ProcessorRefund
from sagas.models import SagaRun, StepStatus
from shipping.simulator.models import CarrierReturn
from tests.aftersales.conftest import TEE_MINOR, TOTAL_MINOR
from tests.orders.checkout.conftest import step_of
from warehouse.models import StockItem, StockMovement

pytestmark = pytest.mark.django_db(transaction=True)

# After the checkout: 10 - 2 T-shirts on the shelf.
TEES_SHIPPED_ON_HAND = 8


def tees_on_hand() -> int:
    return StockItem.objects.get(sku="TEE-001").on_hand


def refunded() -> int:
    return sum(Refund.objects.values_list("amount_minor", flat=True))


def assert_refunded_once(result) -> None:
    """The T-shirt is back on the shelf and its price back on the card, once."""
    assert result.run.status == SagaRun.Status.COMPLETED
    assert result.ret.state == Return.State.REFUNDED
    assert CarrierReturn.objects.count() == 1
    assert ProcessorRefund.objects.count() == 1
    assert refunded() == TEE_MINOR
    assert tees_on_hand() == TEES_SHIPPED_ON_HAND + 1
    assert StockMovement.objects.filter(reason="returned").count() == 1
    assert Order.objects.get().state == "shipped"
    assert audit_problems() == []


def assert_cancelled(result) -> None:
    """Nothing came back and nothing was refunded; the allowance is free again."""
    assert result.run.status == SagaRun.Status.COMPENSATED
    assert result.ret.state == Return.State.CANCELLED
    assert refunded() == 0
    assert tees_on_hand() == TEES_SHIPPED_ON_HAND
    assert RefundHold.objects.get().status == RefundHold.Status.RELEASED
    assert refundable_minor(Order.objects.get()) == TOTAL_MINOR
    assert Order.objects.get().state == "shipped"
    assert audit_problems() == []


def test_no_fault_returns_the_units_and_refunds_their_value(give_back):
    """Happy path: parcel booked and received, stock back, 20.00 refunded, an email."""
    result = give_back()

    assert_refunded_once(result)
    assert [row.status for row in result.run.step_rows] == [StepStatus.COMPLETED] * 6
    assert refundable_minor(Order.objects.get()) == TOTAL_MINOR - TEE_MINOR
    assert mail.outbox[-1].subject.startswith("Your refund")


def test_returning_everything_refunds_the_order(give_back):
    """When the refunds cover everything captured, the order is refunded."""
    give_back(lines=[{"sku": "TEE-001", "quantity": 2}])
    result = give_back(lines=[{"sku": "MUG-001", "quantity": 1}])

    assert result.ret.state == Return.State.REFUNDED
    assert refunded() == TOTAL_MINOR
    order = Order.objects.get()
    assert order.state == "refunded"
    assert [row.event for row in order.transition_rows][-1] == "refund"
    assert audit_problems() == []


@pytest.mark.partial_failure("return", "after_each_step")
def test_booking_error_cancels_the_return(give_back):
    """The carrier refuses the label: the refund hold is released, nothing else."""
    result = give_back(faults={"shipping.return_book": "error"})

    assert_cancelled(result)
    assert not CarrierReturn.objects.exists()
    assert step_of(result.run, "hold-refund").status == StepStatus.COMPENSATED


@pytest.mark.partial_failure("return", "after_each_step")
def test_parcel_never_received_cancels_the_label(give_back):
    """Waiting for the parcel runs out: the label is cancelled, the hold released."""
    result = give_back(faults={"shipping.return_receive": "error"})

    assert_cancelled(result)
    assert CarrierReturn.objects.get().status == CarrierReturn.Status.CANCELLED
    assert step_of(result.run, "receive-parcel").attempts == 6


@pytest.mark.partial_failure("return", "after_each_step")
def test_a_parcel_late_but_arriving_is_waited_for(give_back, settings, no_waiting):
    """The carrier has not scanned it yet: the step asks again until it has."""
    settings.SHIPPING_RETURNS_ARRIVE_AT_ONCE = False
    pauses = []

    def parcel_arrives_during_the_third_pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 3:
            CarrierReturn.objects.update(status=CarrierReturn.Status.RECEIVED)

    no_waiting.sleep = parcel_arrives_during_the_third_pause

    result = give_back()

    assert_refunded_once(result)
    assert step_of(result.run, "receive-parcel").attempts == 4
    assert pauses == sorted(pauses)  # backing off, not hammering the carrier


@pytest.mark.partial_failure("return", "after_each_step")
@pytest.mark.parametrize("point", ["warehouse.restock", "payments.return_refund"])
def test_a_failure_after_the_pivot_waits_for_a_person(give_back, point):
    """The parcel is here: nothing is undone, the run stops for review."""
    result = give_back(faults={point: "error"})

    assert result.run.status == SagaRun.Status.NEEDS_REVIEW
    assert refunded() == 0
    assert CarrierReturn.objects.get().status == CarrierReturn.Status.RECEIVED
    # The refund's allowance stays held for it: nobody else may promise it.
    assert RefundHold.objects.get().status == RefundHold.Status.PENDING
    assert refundable_minor(Order.objects.get()) == TOTAL_MINOR - TEE_MINOR
    assert audit_problems() == []


@pytest.mark.partial_failure("return", "after_each_step")
def test_a_failed_email_still_completes_the_return(give_back):
    """Best effort: the customer has the money back, the message is not essential."""
    result = give_back(faults={"notifications.email": "error"})

    assert_refunded_once(result)
    assert step_of(result.run, "notify-email").status == StepStatus.FAILED


@pytest.mark.partial_failure("return", "timeout")
@pytest.mark.parametrize(
    "point",
    [
        "shipping.return_book",
        "shipping.return_receive",
        "warehouse.restock",
        "payments.return_refund",
        "notifications.email",
    ],
)
def test_a_lost_answer_is_settled_without_repeating_the_effect(give_back, point):
    """The effect happened and the answer was lost: one label, one refund, once."""
    result = give_back(faults={point: "timeout"})

    assert_refunded_once(result)


@pytest.mark.partial_failure("return", "retry_after_partial_success")
@pytest.mark.parametrize(
    ("point", "step"),
    [
        ("shipping.return_book", "book-return"),
        ("payments.return_refund", "refund-payment"),
    ],
)
def test_a_transient_failure_is_retried(give_back, point, step):
    """Two failures, then it works: the earlier steps are not repeated."""
    result = give_back(faults={point: "transient:2"})

    assert_refunded_once(result)
    assert step_of(result.run, step).attempts == 3
    assert step_of(result.run, "hold-refund").attempts == 1


@pytest.mark.partial_failure("return", "same_operation_twice")
def test_the_same_key_twice_is_one_return(give_back):
    """A repeated request finds the first return and its run."""
    first = give_back(key="same")
    again = give_back(key="same")

    assert again.ret.pk == first.ret.pk
    assert again.run.pk == first.run.pk
    assert_refunded_once(first)


@pytest.mark.partial_failure("return", "compensation_fails")
def test_a_label_that_cannot_be_cancelled_waits_for_a_person(give_back):
    """The parcel never came and the carrier will not cancel the label: review.

    The rollback stops at the stuck undo: the refund stays held (an earlier
    undo runs only after the later one), so nothing can promise that money.
    """
    result = give_back(
        faults={"shipping.return_receive": "error", "shipping.return_cancel": "error"}
    )

    assert result.run.status == SagaRun.Status.NEEDS_REVIEW
    assert step_of(result.run, "book-return").status == StepStatus.NEEDS_REVIEW
    assert CarrierReturn.objects.get().status == CarrierReturn.Status.BOOKED
    assert RefundHold.objects.get().status == RefundHold.Status.PENDING
    assert refunded() == 0
    assert audit_problems() == []
