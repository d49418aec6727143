"""Refunds by amount: the allowance on the charge caps them, even when they race."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from payments.exceptions import RefundExceedsCharge
from payments.models import Charge, Refund, RefundHold
from payments.refunds import (
    payment_refund_amount,
    payment_refund_hold,
    payment_refund_send,
)
from payments.selectors import payment_allowance_problems, payment_refundable_minor
from payments.simulator.models import ProcessorCharge, ProcessorRefund
from payments.simulator.processor import processor_refund
from tests.payments.conftest import OP


def refund(amount_minor: int, key: str) -> Refund | None:
    return payment_refund_amount(
        operation_id=OP, idempotency_key=key, amount_minor=amount_minor
    )


@pytest.mark.django_db
def test_partial_refunds_add_up_to_the_charge_and_no_further(charge_card):
    charge_card()  # 2500
    refund(1000, "r1")
    refund(1500, "r2")

    with pytest.raises(RefundExceedsCharge):
        refund(1, "r3")

    assert payment_refundable_minor(operation_id=OP) == 0
    assert Charge.objects.get().status == Charge.Status.REFUNDED
    assert ProcessorCharge.objects.get().amount_refunded_minor == 2500
    assert not RefundHold.objects.filter(idempotency_key="r3").exists()
    assert payment_allowance_problems() == []


@pytest.mark.django_db
def test_a_refund_under_way_is_counted_before_it_is_made(charge_card):
    """A pending hold is the lock: another refund cannot promise the same money."""
    charge_card()
    payment_refund_hold(operation_id=OP, idempotency_key="slow", amount_minor=2000)

    with pytest.raises(RefundExceedsCharge):
        refund(1000, "fast")

    assert payment_refundable_minor(operation_id=OP) == 500
    assert payment_allowance_problems() == []


@pytest.mark.django_db
def test_a_refusal_by_the_processor_releases_the_hold(charge_card):
    """Someone refunded at the dashboard meanwhile: the processor says no."""
    charge = charge_card()
    payment_refund_hold(operation_id=OP, idempotency_key="mine", amount_minor=2000)
    processor_refund(
        charge_id=charge.external_id,
        amount_minor=1000,
        idempotency_key="dashboard",
        reference=OP,
    )

    with pytest.raises(RefundExceedsCharge):
        payment_refund_send(idempotency_key="mine", reference=OP)

    assert RefundHold.objects.get().status == RefundHold.Status.RELEASED
    assert payment_refundable_minor(operation_id=OP) == 2500
    assert ProcessorRefund.objects.count() == 1


@pytest.mark.django_db
def test_the_processor_simulator_refuses_an_over_refund(charge_card):
    charge = charge_card()

    with pytest.raises(RefundExceedsCharge):
        processor_refund(
            charge_id=charge.external_id,
            amount_minor=2501,
            idempotency_key="too-much",
            reference=OP,
        )

    assert not ProcessorRefund.objects.exists()


@pytest.mark.django_db
def test_the_same_key_again_returns_the_first_refund(charge_card):
    charge_card()
    first = refund(700, "once")

    assert refund(700, "once") == first
    assert ProcessorRefund.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refunds_racing_for_the_same_money_cannot_both_win(charge_card):
    """Each thread on its own connection, released together: exactly one fits."""
    charge_card()  # 2500: room for one refund of 1500, not two
    workers = 8
    barrier = threading.Barrier(workers)

    def attempt(n: int) -> str:
        try:
            barrier.wait(timeout=60)
            refund(1500, f"race-{n}")
            return "refunded"
        except RefundExceedsCharge:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = Counter(pool.map(attempt, range(workers), timeout=120))

    assert outcomes == Counter(refunded=1, refused=workers - 1)
    assert sum(Refund.objects.values_list("amount_minor", flat=True)) == 1500
    assert ProcessorCharge.objects.get().amount_refunded_minor == 1500
    assert payment_allowance_problems() == []
