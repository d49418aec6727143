"""A worker killed right after an effect: the sweeper finishes the job, once.

Each test runs a checkout in a forked child process whose fault plan kills it
(SIGKILL) just after one service did its work and before the saga recorded it.
The parent then runs the recovery sweeper, as the scheduled task would once the
dead worker's lease has expired, and checks nothing happened twice.

An external step (charge, shipment) has no record before its call: the commit
before it marked it started, the external system keeps its effect, and
recovery reconciles it. A local step (hold, confirm) commits with the record
it belongs to, so a crash inside it rolls all of that record back.
"""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from notifications.models import SentMessage
from orders.audit import audit_problems
from orders.checkout.services import checkout_start
from orders.models import Order
from outbox.models import OutboxMessage
from payments.simulator.models import ProcessorCharge
from sagas.models import SagaRun, StepStatus
from sagas.services import saga_recover
from shipping.simulator.models import CarrierShipment
from tests.faults.child_process import run_in_child
from tests.orders.checkout.conftest import ADDRESS, step_of
from warehouse.models import Reservation, StockItem

pytestmark = pytest.mark.django_db(transaction=True)

# The fault point, and the step the journal shows started after the crash: a
# crash in confirm-reservation (a local step, committed with the charge's
# record) leaves the charge unrecorded, so recovery reconciles the charge.
CRASH_POINTS = [
    ("payments.charge", "charge-card"),
    ("warehouse.confirm", "charge-card"),
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
@pytest.mark.partial_failure("checkout", "crash_before_record")
def test_crash_after_the_effect_is_recovered_without_repeating_it(
    catalog, buyer, point, step
):
    """The killed run is left with the step started; recovery completes it once."""
    exit_code = checkout_in_child(buyer.pk, {point: "crash"})

    assert exit_code == -signal.SIGKILL
    run = SagaRun.objects.get()
    assert run.status == SagaRun.Status.RUNNING
    assert step_of(run, step).status == StepStatus.STARTED

    assert saga_recover(now=after_the_lease_expired()) == 1

    run.refresh_from_db()
    assert run.status == SagaRun.Status.COMPLETED
    assert Order.objects.get().state == "shipped"
    assert ProcessorCharge.objects.filter(status="succeeded").count() == 1
    assert CarrierShipment.objects.count() == 1
    assert Reservation.objects.get().status == Reservation.Status.SHIPPED
    assert StockItem.objects.get(sku="TEE-001").on_hand == 8
    # At most one message per channel: a message whose fate the crash made
    # unknown is never sent again.
    sent = list(SentMessage.objects.values_list("channel", flat=True))
    assert len(sent) == len(set(sent))
    assert audit_problems() == []


@pytest.mark.partial_failure("checkout", "crash_before_record")
def test_a_crash_in_the_hold_leaves_nothing_to_recover(catalog, buyer):
    """The hold commits with the order: killed inside it, neither ever existed."""
    exit_code = checkout_in_child(buyer.pk, {"warehouse.hold": "crash"})

    assert exit_code == -signal.SIGKILL
    assert not Order.objects.exists()
    assert not SagaRun.objects.exists()
    assert not Reservation.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert StockItem.objects.get(sku="TEE-001").reserved == 0
    assert saga_recover(now=after_the_lease_expired()) == 0
    assert audit_problems() == []


@pytest.mark.partial_failure("checkout", "crash_before_record")
def test_a_crash_during_the_messages_leaves_them_unsent_not_doubled(catalog, buyer):
    """Killed once the email went: no message is sent twice, the order ships."""
    checkout_in_child(buyer.pk, {"notifications.email": "crash"})
    # On the kept pool, SMS and push may have gone out beside the email before
    # the process died; inline, they never began.
    sent_before_the_crash = sorted(
        SentMessage.objects.values_list("channel", flat=True)
    )

    assert saga_recover(now=after_the_lease_expired()) == 1

    run = SagaRun.objects.get()
    assert run.status == SagaRun.Status.COMPLETED
    # Each member was written started before the group began: after the crash
    # nobody can tell which were handed over, so none is sent again.
    assert [step_of(run, name).status for name in ("notify-sms", "notify-push")] == [
        StepStatus.UNKNOWN,
        StepStatus.UNKNOWN,
    ]
    sent = sorted(SentMessage.objects.values_list("channel", flat=True))
    assert sent == sent_before_the_crash
    assert len(set(sent)) == len(sent)


def test_a_run_still_leased_is_left_to_its_worker(catalog, buyer):
    """Before the lease expires, the sweeper does not touch the run."""
    checkout_in_child(buyer.pk, {"payments.charge": "crash"})

    assert saga_recover() == 0
    assert SagaRun.objects.get().status == SagaRun.Status.RUNNING
    assert Order.objects.get().state == "created"
