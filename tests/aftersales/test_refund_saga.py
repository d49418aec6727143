"""The refund saga under faults: hold, refund (its pivot), notify; audit clean after.

A customer-service refund of 10.00 of the shipped 52.50 order, with a fault
plan at the processor (``payments.return_refund``, the refund the return and
refund sagas share) or at the email.
"""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.models import Return
from aftersales.selectors import refundable_minor
from aftersales.services import refund_start
from orders.audit import audit_problems
from orders.models import Order
from payments.models import Refund, RefundHold
from payments.simulator.models import ProcessorRefund
from sagas.models import SagaRun, StepStatus
from sagas.services import saga_recover
from tests.aftersales.conftest import TOTAL_MINOR
from tests.faults.child_process import run_in_child
from tests.orders.checkout.conftest import step_of

pytestmark = pytest.mark.django_db(transaction=True)

AMOUNT = 1000


def refund(order: Order, faults: dict[str, str] | None = None, key: str = "cs"):
    return refund_start(
        order=Order.objects.get(pk=order.pk),
        reason="Late delivery",
        idempotency_key=key,
        actor="staff:carol",
        amount_minor=AMOUNT,
        faults=faults,
    )


def run() -> SagaRun:
    return SagaRun.objects.get(saga="refund")


def assert_refunded_once() -> None:
    assert run().status == SagaRun.Status.COMPLETED
    assert Return.objects.get().state == Return.State.REFUNDED
    assert ProcessorRefund.objects.get().amount_minor == AMOUNT
    assert Refund.objects.get().amount_minor == AMOUNT
    assert refundable_minor(Order.objects.get()) == TOTAL_MINOR - AMOUNT
    assert audit_problems() == []


@pytest.mark.partial_failure("refund", "after_each_step")
def test_a_processor_that_keeps_failing_cancels_the_refund(shipped):
    """Its pivot never happened: the allowance goes back, nothing was refunded."""
    outcome = refund(shipped, {"payments.return_refund": "error"})

    assert (outcome.status, outcome.run_status) == ("cancelled", "compensated")
    assert RefundHold.objects.get().status == RefundHold.Status.RELEASED
    assert not Refund.objects.exists()
    assert refundable_minor(shipped) == TOTAL_MINOR
    assert audit_problems() == []


@pytest.mark.partial_failure("refund", "after_each_step")
def test_a_failed_email_still_completes_the_refund(shipped):
    refund(shipped, {"notifications.email": "error"})

    assert_refunded_once()
    assert step_of(run(), "notify-email").status == StepStatus.FAILED


@pytest.mark.partial_failure("refund", "timeout")
def test_a_lost_refund_answer_is_reconciled_into_one_refund(shipped):
    refund(shipped, {"payments.return_refund": "timeout"})

    assert_refunded_once()


@pytest.mark.partial_failure("refund", "retry_after_partial_success")
def test_a_transient_processor_error_is_retried(shipped):
    refund(shipped, {"payments.return_refund": "transient:2"})

    assert_refunded_once()
    assert step_of(run(), "refund-payment").attempts == 3


@pytest.mark.partial_failure("refund", "same_operation_twice")
def test_a_double_submitted_refund_is_one_refund(shipped):
    first = refund(shipped, key="double")
    again = refund(shipped, key="double")

    assert again == first
    assert_refunded_once()


@pytest.mark.partial_failure("refund", "crash_before_record")
@pytest.mark.parametrize("point", ["payments.return_refund", "notifications.email"])
def test_a_crash_after_the_refund_is_recovered_without_refunding_twice(shipped, point):
    exit_code = run_in_child(lambda: refund(shipped, {point: "crash"}))

    assert exit_code == -signal.SIGKILL
    assert run().status == SagaRun.Status.RUNNING
    assert saga_recover(now=timezone.now() + timedelta(hours=1)) == 1
    assert_refunded_once()
