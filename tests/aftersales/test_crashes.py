"""A worker killed right after a return step's effect: recovery finishes it, once.

As for checkout: the return runs in a forked child whose fault plan kills it
(SIGKILL) just after a service did its work and before the saga recorded it;
the sweeper then resumes the run, and nothing happened twice.
"""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from aftersales.models import Return
from aftersales.services import return_start
from orders.audit import audit_problems
from orders.models import Order
from payments.simulator.models import ProcessorRefund
from sagas.models import SagaRun
from sagas.services import saga_recover
from shipping.simulator.models import CarrierReturn
from tests.aftersales.conftest import TEE_MINOR
from tests.faults.child_process import run_in_child
from warehouse.models import StockItem, StockMovement

pytestmark = pytest.mark.django_db(transaction=True)

CRASH_POINTS = [
    "shipping.return_book",
    "shipping.return_receive",
    "warehouse.restock",
    "payments.return_refund",
    "notifications.email",
]


def return_in_child(order_id, user_id: int, faults: dict[str, str]) -> int:
    """Start a return of one T-shirt in a child process; return its exit code."""

    def target() -> None:
        return_start(
            order=Order.objects.get(pk=order_id),
            user=get_user_model().objects.get(pk=user_id),
            idempotency_key="crash",
            lines=[{"sku": "TEE-001", "quantity": 1}],
            reason="Too small",
            faults=faults,
        )

    return run_in_child(target)


@pytest.mark.parametrize("point", CRASH_POINTS)
@pytest.mark.partial_failure("return", "crash_before_record")
def test_crash_after_the_effect_is_recovered_without_repeating_it(
    shipped, buyer, point
):
    """The killed run resumes after its lease: one label, one refund, one restock."""
    exit_code = return_in_child(shipped.pk, buyer.pk, {point: "crash"})

    assert exit_code == -signal.SIGKILL
    run = SagaRun.objects.get(saga="return")
    assert run.status == SagaRun.Status.RUNNING

    assert saga_recover(now=timezone.now() + timedelta(hours=1)) == 1

    run.refresh_from_db()
    assert run.status == SagaRun.Status.COMPLETED
    assert Return.objects.get().state == Return.State.REFUNDED
    assert CarrierReturn.objects.count() == 1
    assert ProcessorRefund.objects.get().amount_minor == TEE_MINOR
    assert StockItem.objects.get(sku="TEE-001").on_hand == 9
    assert StockMovement.objects.filter(reason="returned").count() == 1
    assert audit_problems() == []
