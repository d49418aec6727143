"""A worker killed right after an external effect: the sweeper finishes the job.

Each test runs a checkout in a forked child process whose fault plan kills it
(SIGKILL) just after one service did its work and before the saga recorded it.
The parent then runs the recovery sweeper, as the scheduled task would once the
dead worker's lease has expired, and checks nothing happened twice.
"""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from notifications.models import Notification, SentMessage
from orders.audit import audit_problems
from orders.checkout.services import checkout_start
from orders.models import Order
from payments.simulator.models import ProcessorCharge
from sagas.models import SagaRun, SagaStep
from sagas.services import saga_recover
from shipping.simulator.models import CarrierShipment
from tests.faults.child_process import run_in_child
from tests.orders.checkout.conftest import ADDRESS
from warehouse.models import Reservation, StockItem

pytestmark = pytest.mark.django_db(transaction=True)

CRASH_POINTS = [
    ("warehouse.hold", "hold-stock"),
    ("payments.charge", "charge-card"),
    ("warehouse.confirm", "confirm-reservation"),
    ("shipping.create", "create-shipment"),
    ("notifications.email", "notify-email"),
]


def checkout_in_child(user_id: int, faults: dict[str, str]) -> int:
    """Run a checkout in a child process; return its exit code."""

    def target() -> None:
        checkout_start(
            user=get_user_model().objects.get(pk=user_id),
            idempotency_key="crash",
            lines=[{"sku": "TEE-001", "quantity": 2}],
            payment_token="tok_visa",
            shipping_address=ADDRESS,
            faults=faults,
        )

    return run_in_child(target)


def after_the_lease_expired():
    return timezone.now() + timedelta(hours=1)


@pytest.mark.parametrize(("point", "step"), CRASH_POINTS)
def test_crash_after_the_effect_is_recovered_without_repeating_it(
    catalog, buyer, point, step
):
    """The killed run is left with the step started; recovery completes it once."""
    exit_code = checkout_in_child(buyer.pk, {point: "crash"})

    assert exit_code == -signal.SIGKILL
    run = SagaRun.objects.get()
    assert run.status == SagaRun.Status.RUNNING
    assert SagaStep.objects.get(run=run, name=step).status == SagaStep.Status.STARTED

    assert saga_recover(now=after_the_lease_expired()) == 1

    run.refresh_from_db()
    assert run.status == SagaRun.Status.COMPLETED
    assert Order.objects.get().state == "shipped"
    assert ProcessorCharge.objects.filter(status="succeeded").count() == 1
    assert CarrierShipment.objects.count() == 1
    assert Reservation.objects.get().status == Reservation.Status.SHIPPED
    assert StockItem.objects.get(sku="TEE-001").on_hand == 8
    # At most one message per channel. A sibling notification that the crash
    # interrupted between its claim and its send stays unsent: at most once.
    assert sorted(Notification.objects.values_list("channel", flat=True)) == [
        "email",
        "push",
        "sms",
    ]
    sent = list(SentMessage.objects.values_list("channel", flat=True))
    assert len(sent) == len(set(sent))
    assert audit_problems() == []


def test_a_run_still_leased_is_left_to_its_worker(catalog, buyer):
    """Before the lease expires, the sweeper does not touch the run."""
    checkout_in_child(buyer.pk, {"payments.charge": "crash"})

    assert saga_recover() == 0
    assert SagaRun.objects.get().status == SagaRun.Status.RUNNING
    assert Order.objects.get().state == "created"
